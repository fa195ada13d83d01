"""README.md keeps exactly two set-up commands, and CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, flags=re.S)]


def test_two_set_up_commands_install_run_and_test():
    commands = setup_commands()
    assert len(commands) == 2
    install, test = commands
    assert "pip install" in install and "corridor-router" in install
    assert "pip install" in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1] in ci


def test_the_network_figures_in_the_readme_are_true():
    import corridor_router as cr

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    found = re.search(r"\((\d+) places, (\d+) links — (\d+) curated and (\d+) sea lanes — "
                      r"and (\d+) border-crossing rows\)", text)
    assert found, "the README's network figures are missing or reworded"
    places, links, curated, sea, crossings = map(int, found.groups())
    net = cr.load_network()
    assert places == len(net.places)
    assert links == len(net.links) == curated + sea
    assert sea == int((net.links["file"] == "sea_links.csv").sum())
    assert crossings == len(net.crossings)


def test_the_data_card_figures_are_true():
    """The card's coverage counts and estimated-links table are what the files hold."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "data_card.py"), "--check"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
