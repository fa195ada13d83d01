"""The built wheel, installed into a fresh virtual environment, routes without the source tree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_routes_from_a_temporary_directory(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("corridor_router-*.whl"))
    env_dir = tmp_path / "env"
    # the dependencies come from this interpreter; the package itself only from the wheel
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = ("import corridor_router as cr, pathlib; "
            "assert 'site-packages' in cr.__file__, cr.__file__; "
            "r = cr.route('Tashkent', 'Karachi'); "
            "print(r.km, r.cost_usd, len(r.legs))")
    out = subprocess.run([str(py), "-c", code], capture_output=True, text=True, cwd=work,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    km, cost, n = out.stdout.split()
    assert float(km) > 1000 and float(cost) > 0 and int(n) > 3
    cli = subprocess.run([str(env_dir / "bin" / "corridor-router"), "route", "Tashkent",
                          "Karachi"], capture_output=True, text=True, cwd=work, env=env,
                         timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert re.search(r"Total: [\d,]+ km, [\d,.]+ h \([\d.]+ days\), USD [\d,]+ per TEU", cli.stdout)
