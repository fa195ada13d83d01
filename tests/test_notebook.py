"""The example notebook runs top to bottom and its outputs say what they should."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "compare_corridors.ipynb"


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append(out["text"])
        for key in ("text/plain", "text/html", "text/markdown"):
            if key in out.get("data", {}):
                parts.append(out["data"][key])
    return "\n".join(parts)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_notebook_executes_and_its_outputs_hold(tmp_path, monkeypatch):
    # the kernel imports the same corridor_router as the tests: the source tree
    root = str(NOTEBOOK.parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    texts = [_text(c) for c in nb.cells if c.cell_type == "code"]
    everything = "\n".join(texts)
    assert "Verdict: the claim" in everything
    assert "For the claim to hold" in everything
    assert "draws of the uncertain figures (seed 1)" in everything and "the whole claim in" \
        in everything
    assert "days_p90" in everything and "draws meet a closure" in everything
    assert "Losing the AF–PK border" in everything
    assert "Torkham shut 3 days: wait" in everything
    assert "Torkham shut 60 days: reroute" in everything and "pk_af_closed_2025" in everything
    assert "uap" in texts[1] and "bandar_abbas" in texts[1] and "afghan_road" in texts[1]
    assert "kg CO2e" in texts[1]
    # the findings are sentences computed from the results, their numbers formatted
    findings = [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", [])
                if "text/markdown" in o.get("data", {})]
    assert sum("**Finding.**" in f for f in findings) >= 5
    assert all(not re.search(r"\de[+-]\d", f) and "nan" not in f for f in findings)
    assert any("kg CO2e per TEU" in f for f in findings)
    assert any("With faster clearance and roads" in f for f in findings)
    # it shows results, not checks
    assert not any(re.search(r"^\s*assert ", c.source, re.M) for c in nb.cells
                   if c.cell_type == "code")
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 10
    png = tmp_path / "tcd_tashkent_karachi.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert (tmp_path / "map_tashkent_karachi.png").stat().st_size > 50_000
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 2
    # the interactive map renders as Leaflet HTML with a layer per route
    html = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])
            if "leaflet" in o.get("data", {}).get("text/html", "").lower()]
    assert html and all(name in html[0] for name in ("uap", "bandar_abbas", "afghan_road"))
