"""The built wheel, installed into a fresh virtual environment, routes without the source tree.

The fresh environment is created *without* the base interpreter's packages. It gets the
dependencies from the environment running the tests (the one ``.ci/run`` or a user built
with ``pip install ".[test]"``) through one explicit ``.pth`` file naming that
environment's site-packages, after its own: so the package itself can only come from the
wheel, every dependency from an environment that was itself installed from
``pyproject.toml``, and nothing from whatever the machine's base Python happens to hold.
No package is downloaded (tests run offline).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _fresh_env(env_dir: Path, *, with_pip: bool = True) -> Path:
    """A venv that sees its own site-packages, then this environment's, and nothing else."""
    venv.EnvBuilder(system_site_packages=False, with_pip=with_pip).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True, check=True)
    site = Path(purelib.stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_running_env_deps.pth").write_text("\n".join(sorted(ours)) + "\n",
                                                encoding="utf-8")
    return py


@pytest.mark.slow
def test_wheel_installs_and_routes_from_a_temporary_directory(tmp_path):
    dist = tmp_path / "dist"
    # the build backend comes with the test extra, so the build needs no download
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("corridor_router-*.whl"))
    env_dir = tmp_path / "env"
    py = _fresh_env(env_dir)
    prefixes = subprocess.run([str(py), "-c", "import sys; print(sys.prefix, sys.base_prefix)"],
                              capture_output=True, text=True, check=True).stdout.split()
    assert prefixes[0] != prefixes[1]          # a venv of its own, not the base interpreter
    # --ignore-installed: the running environment may hold corridor_router itself (CI
    # installs it there); pip must install the wheel here anyway and touch nothing there.
    install = subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index",
                              "--ignore-installed", "-q", str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    # every dependency the wheel declares is present: pip check reads the wheel's metadata
    check = subprocess.run([str(py), "-m", "pip", "check"], capture_output=True, text=True,
                           timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    code = ("import corridor_router as cr, pathlib, sys; "
            "assert pathlib.Path(cr.__file__).is_relative_to(sys.prefix), cr.__file__; "
            "assert (pathlib.Path(cr.__file__).parent / 'py.typed').is_file(); "
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


def test_the_fresh_env_does_not_see_the_base_interpreter(tmp_path):
    """The mechanism above adds exactly the running environment, never the base one."""
    py = _fresh_env(tmp_path / "env", with_pip=False)
    out = subprocess.run([str(py), "-c", "import sys; print('\\n'.join(sys.path))"],
                         capture_output=True, text=True, check=True, timeout=120)
    paths = [Path(p) for p in out.stdout.splitlines() if p]
    base_site = Path(sysconfig.get_paths(vars={"base": sys.base_prefix,
                                               "platbase": sys.base_prefix})["purelib"])
    running = Path(sysconfig.get_paths()["purelib"])
    assert running in paths
    if sys.prefix != sys.base_prefix:      # tests run in a venv, as .ci/run does
        assert base_site not in paths
