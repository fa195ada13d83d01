"""The corridor-router command never shows a traceback (issue #8, part 6).

Most tests run the command in-process, ``main([...])`` with its output captured, as a
shell would run it; the closed-pipe tests run real subprocesses. Exit statuses: 0 ok,
1 error, 2 usage error, 3 internal error, 141 output pipe closed early.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from conftest import write_tiny

from corridor_router import cli
from corridor_router._cli_format import to_json
from corridor_router.cli import main


def strict_json(text):
    """Parse JSON as a strict parser does: NaN, Infinity and -Infinity are refused."""
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


def run(capsys, *args):
    """Run the command in-process; return (status, stdout, stderr)."""
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def assert_clean_error(status, out, err, *, code=1, lines=1):
    assert status == code, err
    assert out == ""
    assert err.startswith("corridor-router: error: "), err
    assert "Traceback" not in err
    assert len(err.splitlines()) <= lines, err


# -- broken --network folders -----------------------------------------------------------
def _missing_file(folder):
    (folder / "places.csv").unlink()


def _binary_csv(folder):
    (folder / "places.csv").write_bytes(b"\xff\xfe\x00\x01not text\x00")


def _empty_csv(folder):
    (folder / "crossings.csv").write_text("")


def _unterminated_quote(folder):
    links = folder / "links.csv"
    links.write_text(links.read_text() + '"never closed,\n')


def _bad_toml(folder):
    (folder / "params.toml").write_text("this = = not toml [")


def _folder_for_a_file(folder):
    (folder / "scenarios.toml").unlink()
    (folder / "scenarios.toml").mkdir()


def _wrong_toml_shape(folder):
    (folder / "corridors.toml").write_text("corridors = 3\n")


def _empty_folder(folder):
    for f in folder.iterdir():
        f.unlink()


@pytest.mark.parametrize("breakage", [
    _missing_file, _binary_csv, _empty_csv, _unterminated_quote, _bad_toml,
    _folder_for_a_file, _wrong_toml_shape, _empty_folder,
])
def test_a_broken_network_folder_is_a_clean_error(tmp_path, capsys, breakage):
    folder = write_tiny(tmp_path / "net")
    breakage(folder)
    status, out, err = run(capsys, "--network", folder, "route", "alpha", "echo")
    assert_clean_error(status, out, err, lines=50)
    assert "data problem" in err and "  - " in err     # every problem, one a line


@pytest.mark.parametrize("kind", ["file", "missing"])
def test_a_network_that_is_not_a_folder_is_a_clean_error(tmp_path, capsys, kind):
    target = tmp_path / "net.csv"
    if kind == "file":
        target.write_text("id,name\n")
    status, out, err = run(capsys, "places", "--network", target)
    assert_clean_error(status, out, err, lines=2)
    assert "net.csv" in err and "folder" in err


def _modes_not_a_table(folder):
    params = folder / "params.toml"
    head, rest = params.read_text().split("[modes.rail]\n", 1)
    tail = rest.split('[transfer."rail-road"]', 1)[1]
    params.write_text("modes = 1\n" + head + '[transfer."rail-road"]' + tail)


def _countries_not_a_table(folder):
    params = folder / "params.toml"
    params.write_text(params.read_text()
                      .replace('[modes.rail.countries.PK]\nrate_usd_per_teu_km = 0.5\n'
                               'source = "tiny"\n', "")
                      .replace("[modes.rail]\n", "[modes.rail]\ncountries = 5\n"))


def _source_not_a_list(folder):
    corridors = folder / "corridors.toml"
    corridors.write_text(corridors.read_text().replace('source = ["tiny"]', "source = 3"))


@pytest.mark.parametrize("breakage", [_modes_not_a_table, _countries_not_a_table,
                                      _source_not_a_list])
def test_a_toml_value_of_the_wrong_type_is_a_data_problem(tmp_path, capsys, breakage):
    """These raised AttributeError/TypeError inside the loader (found for issue #8)."""
    folder = write_tiny(tmp_path / "net")
    breakage(folder)
    status, out, err = run(capsys, "--network", folder, "places")
    assert_clean_error(status, out, err, lines=50)
    assert "data problem" in err


def test_an_unexpected_error_is_one_line_asking_for_a_report(monkeypatch, capsys, tiny_path):
    def broken(*args, **kwargs):
        raise AttributeError("'int' object has no attribute 'get'\nsecond line")
    monkeypatch.setattr(cli, "load_network", broken)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    status, out, err = run(capsys, "--network", tiny_path, "places")
    assert status == cli.EXIT_INTERNAL == 3
    assert out == "" and "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith("corridor-router: internal error: AttributeError: 'int' object")
    assert "please report" in err and "second line" not in err
    monkeypatch.setenv(cli.DEBUG_ENV, "1")      # asked for: the traceback, then the line
    status, out, err = run(capsys, "--network", tiny_path, "places")
    assert status == 3 and "Traceback" in err and "internal error" in err.splitlines()[-1]


def test_ctrl_c_is_one_line_and_status_130(monkeypatch, capsys, tiny_path):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "load_network", interrupted)
    status, out, err = run(capsys, "--network", tiny_path, "places")
    assert (status, out, err) == (130, "", "corridor-router: interrupted\n")


def test_output_the_terminal_cannot_encode_is_a_clean_error(monkeypatch, capsys, tmp_path):
    folder = write_tiny(tmp_path / "net")
    places = folder / "places.csv"
    places.write_text(places.read_text().replace("Charlie,", "Çharlie,"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    status = main(["--network", str(folder), "places"])
    err = capsys.readouterr().err
    assert status == 1 and len(err.splitlines()) == 1, err
    assert "'Ç'" in err and "PYTHONIOENCODING=utf-8" in err


# -- --network: empty, and before or after the command ----------------------------------
@pytest.mark.parametrize("where", ["before", "after"])
def test_an_empty_network_is_a_usage_error_not_the_bundled_network(capsys, where):
    args = ["--network", "", "places"] if where == "before" else ["places", "--network", ""]
    status, out, err = run(capsys, *args)
    assert_clean_error(status, out, err, code=2)
    assert "argument --network: is empty" in err and "central_asia" in err


def test_network_is_accepted_before_or_after_the_command(capsys, tiny_path):
    before = run(capsys, "--network", tiny_path, "route", "alpha", "echo")
    after = run(capsys, "route", "alpha", "echo", "--network", tiny_path)
    assert before[0] == after[0] == 0
    assert before[1] == after[1] and "Echo Port" in before[1]
    status, out, _ = run(capsys, "places", "--network", tiny_path, "--format", "csv")
    assert status == 0 and len(out.splitlines()) == 1 + 6     # the tiny network's places


def test_network_after_the_command_wins_over_the_one_before(capsys, tiny_path, tmp_path):
    missing = tmp_path / "missing"
    status, out, _ = run(capsys, "--network", missing, "places", "--network", tiny_path)
    assert status == 0 and "Foxtrot Hub" in out
    status, out, err = run(capsys, "--network", tiny_path, "places", "--network", missing)
    assert_clean_error(status, out, err, lines=2)
    assert "missing" in err


# -- usage errors -----------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    [],
    ["--bogus", "places"],
    ["fly", "alpha", "echo"],
    ["route"],
    ["route", "alpha"],
    ["route", "alpha", "echo", "--format", "xml"],
    ["route", "alpha", "echo", "--objective", "fun"],
    ["places", "--nope"],
    ["compare", "alpha", "echo", "--format", "geojson"],
    ["check-claim", "alpha", "echo", "--versus", "today"],
    ["check-claim", "alpha", "echo", "--corridor", "uap", "--versus", "today", "--days", "x"],
    ["check-claim", "alpha", "echo", "--corridor", "uap", "--versus", "today", "--days", "nan"],
    ["check-claim", "alpha", "echo", "--corridor", "uap", "--versus", "today",
     "--cost-pct", "inf"],
    ["check-claim", "alpha", "echo", "--corridor", "uap", "--versus", "today",
     "--table", "legs"],
    ["chart", "alpha", "echo"],
])
def test_usage_errors_are_one_line_with_status_2(capsys, args):
    status, out, err = run(capsys, *args)
    assert_clean_error(status, out, err, code=2)
    assert err.rstrip("\n").endswith("--help)")
    assert "usage:" not in err


def test_help_and_version_still_work_and_document_the_exit_statuses(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0 and "141 output pipe closed early" in out
    status, out, _ = run(capsys, "check-claim", "--help")
    assert status == 0 and "--network" in out and "--table" in out
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.startswith("corridor-router ")


# -- chart -o ---------------------------------------------------------------------------
def test_chart_refuses_an_extension_matplotlib_cannot_write(capsys, tiny_path, tmp_path):
    target = tmp_path / "x.txt"
    status, out, err = run(capsys, "--network", tiny_path, "chart", "alpha", "echo",
                           "-o", target)
    assert_clean_error(status, out, err)
    assert "'.txt'" in err and ".png" in err and ".pdf" in err and ".svg" in err
    assert not target.exists()
    status, out, err = run(capsys, "--network", tiny_path, "chart", "alpha", "echo",
                           "-o", tmp_path / "chart")
    assert_clean_error(status, out, err)
    assert "no extension" in err and not list(tmp_path.glob("chart*"))


def test_chart_refuses_a_folder(capsys, tiny_path, tmp_path):
    folder = tmp_path / "charts"
    folder.mkdir()
    status, out, err = run(capsys, "--network", tiny_path, "chart", "alpha", "echo",
                           "-o", folder)
    assert_clean_error(status, out, err)
    assert "is a folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charts", "tiny"]  # no charts.png
    assert not any(folder.iterdir())


def test_chart_refuses_a_missing_or_non_folder_parent(capsys, tiny_path, tmp_path):
    status, out, err = run(capsys, "--network", tiny_path, "chart", "alpha", "echo",
                           "-o", tmp_path / "missing" / "x.png")
    assert_clean_error(status, out, err)
    assert "does not exist" in err and "check the path" in err
    status, out, err = run(capsys, "--network", tiny_path, "chart", "alpha", "echo",
                           "-o", tiny_path / "places.csv" / "x.png")
    assert_clean_error(status, out, err)
    assert "is not a folder" in err


def test_chart_writes_the_format_its_extension_names(capsys, tiny_path, tmp_path):
    target = tmp_path / "chart.SVG"
    status, out, err = run(capsys, "--network", tiny_path, "chart", "alpha", "echo",
                           "-o", target)
    assert status == 0, err
    assert out.startswith(f"wrote {target} (today, uap)")
    assert b"<svg" in target.read_bytes()[:2000]


def test_chart_notes_the_alternatives_without_a_route(capsys, tiny_path, tmp_path):
    target = tmp_path / "x.png"
    status, out, err = run(capsys, "--network", tiny_path, "chart", "alpha", "echo",
                           "--corridor", "uap", "--scenario", "bravo_closed", "-o", target)
    assert status == 0, err
    assert out == f"wrote {target} (today, uap); no route for: bravo_closed\n"
    assert target.read_bytes()[:4] == b"\x89PNG"


def test_chart_without_any_route_is_a_clean_error(capsys, tmp_path):
    folder = write_tiny(tmp_path / "net")
    links = folder / "links.csv"        # alpha's links are only planned: no route today
    links.write_text(links.read_text().replace("UZ,100,operational", "UZ,100,planned")
                     .replace("UZ,110,operational", "UZ,110,planned"))
    target = tmp_path / "x.png"
    status, out, err = run(capsys, "--network", folder, "chart", "alpha", "echo", "-o", target)
    assert_clean_error(status, out, err)
    assert "No route from 'alpha' to 'echo'" in err and not target.exists()


# -- closed pipes ----------------------------------------------------------------------
class _ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly_in_process(monkeypatch, capsys, tiny_path):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    status = main(["--network", str(tiny_path), "places", "--format", "csv"])
    assert status == cli.EXIT_CLOSED_PIPE == 141
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["--version"]) == 141       # argparse's own output too


def _start(args, shell=False):
    cmd = args if shell else [sys.executable, "-m", "corridor_router", *map(str, args)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, shell=shell)


def _finish(proc, deadline):
    try:
        err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the command did not end within the time limit")
    return proc.returncode, err.decode()


def test_piping_into_head_ends_quietly(tiny_path):
    """`corridor-router ... | head -1`: one line, no BrokenPipeError, exit 141 or 0.

    Three ways, five commands run at once (bounded to a minute in all): the reader closes
    before the command writes (the write always fails: 141), the reader takes one line
    and closes (the write fails, or has finished if the output fits the pipe: 141 or 0),
    and the issue's own shell pipe into ``head -1``. The in-process test above covers
    the failing write itself.
    """
    deadline = time.monotonic() + 60
    compare = ["compare", "Tashkent", "Karachi", "--format", "csv"]
    places = ["--network", tiny_path, "places", "--format", "csv"]
    started = []
    try:
        closed_at_once = [_start(compare), _start(places)]
        started += closed_at_once
        for proc in closed_at_once:
            proc.stdout.close()
        one_line = [_start(places), _start(places)]
        started += one_line
        shell = []
        if shutil.which("head") and shutil.which("sh"):
            exe = f'"{sys.executable}" -m corridor_router'
            shell = [_start(f"{exe} {' '.join(compare)} | head -1", shell=True)]
            started += shell

        for proc in closed_at_once:
            status, err = _finish(proc, deadline)
            assert (status, err) == (141, "")
        for proc in one_line:
            first = proc.stdout.readline().decode()
            proc.stdout.close()
            status, err = _finish(proc, deadline)
            assert err == "" and status in (0, 141), err
            assert first.startswith(("alternative,kind,", "id,name,country"))
        for proc in shell:
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            assert err.decode() == "" and proc.returncode == 0
            assert out.decode().splitlines() == [out.decode().strip()]
            assert out.decode().startswith("alternative,kind,")
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


# -- --format json|csv|table and strict JSON --------------------------------------------
def test_json_helper_writes_null_for_nan_and_infinity():
    data = {"a": float("nan"), "b": [np.float64("inf"), -math.inf, np.int64(3)],
            "c": (np.bool_(True), pd.NA, None, np.float32(1.5)), 4: {"d": np.array([1.0, np.nan])}}
    text = to_json(data)
    assert strict_json(text) == {"a": None, "b": [None, None, 3],
                                 "c": [True, None, None, 1.5], "4": {"d": [1.0, None]}}


def test_compare_formats_and_strict_json_with_a_row_without_route(capsys, tiny_path):
    base = ["--network", tiny_path, "compare", "alpha", "echo", "--corridor", "uap",
            "--scenario", "bravo_closed"]
    status, out, err = run(capsys, *base, "--format", "json")
    assert status == 0, err
    rows = {r["alternative"]: r for r in strict_json(out)}
    assert rows["uap"]["cost_usd"] == pytest.approx(810)
    assert rows["bravo_closed"]["cost_usd"] is None and "closes bravo" in rows["bravo_closed"]["note"]
    status, out, err = run(capsys, *base, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and [r["alternative"] for r in table] == ["today", "uap", "bravo_closed"]
    assert table[2]["cost_usd"] == ""
    status, out, err = run(capsys, *base, "--format", "table")
    assert status == 0 and out.splitlines()[0].split()[:2] == ["kind", "scenario"]


def test_every_json_output_parses_strictly(capsys, tiny_path):
    net = ["--network", tiny_path]
    for args in (["route", "alpha", "foxtrot", "--format", "json"],
                 ["route", "alpha", "foxtrot", "--format", "geojson"],
                 ["places", "--format", "json"],
                 ["compare", "alpha", "foxtrot", "--format", "json"]):
        status, out, err = run(capsys, *net, *args)
        assert status == 0, (args, err)
        assert strict_json(out), args


@pytest.fixture(scope="module")
def claim(tmp_path_factory):
    """One check of the tiny network's claim (it takes seconds), and the network."""
    from corridor_router import load_network
    from corridor_router.claims import check_claim
    folder = write_tiny(tmp_path_factory.mktemp("claim") / "tiny")
    result = check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=2,
                         cost_saved_pct=10, network=load_network(folder))
    return folder, result


@pytest.fixture
def claim_cli(claim, monkeypatch, capsys):
    """Run check-claim through the command line with the claim computed once."""
    folder, result = claim
    calls = []

    def cached(*args, **kwargs):
        calls.append((args, kwargs))
        return result
    monkeypatch.setattr(sys.modules["corridor_router.claims"], "check_claim", cached)

    def run_claim(*extra):
        status, out, err = run(capsys, "--network", folder, "check-claim", "alpha", "echo",
                               "--corridor", "uap", "--versus", "today", "--days", "2",
                               "--cost-pct", "10", *extra)
        return status, out, err, calls[-1] if calls else None
    return run_claim


def test_check_claim_json_is_the_whole_result_and_strict(claim_cli):
    status, out, err, (args, kwargs) = claim_cli("--format", "json")
    assert status == 0, err
    assert args == ("alpha", "echo")
    assert kwargs["corridor"] == "uap" and kwargs["versus"] == "today"
    assert kwargs["days_saved"] == 2.0 and kwargs["cost_saved_pct"] == 10.0
    data = strict_json(out)
    assert data["verdict"].startswith("does not hold") and data["holds"] is False
    assert data["holds_cost"] is True and data["holds_days"] is False
    assert data["claim"] == {"days_saved": 2.0, "cost_saved_pct": 10.0}
    assert set(data["computed"]) == {"days_saved", "cost_saved_pct", "cost_saved_usd",
                                     "co2e_saved_kg", "co2e_saved_pct"}
    assert data["new"]["cost_usd"] == pytest.approx(810)
    assert data["breakdown"][-1]["component"] == "total"
    sens = {r["parameter"]: r for r in data["sensitivity"]}
    assert "gauge_break.1520-1676.hours" in sens
    fee = next(r for p, r in sens.items() if p.endswith("fee_usd_per_teu"))
    assert fee["low"] is None and fee["flips_within_range"] is None     # NaN -> null
    assert "Verdict: the claim does not hold" in data["summary"]


def test_check_claim_csv_tables(claim_cli):
    status, out, err, _ = claim_cli("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0, err
    assert list(rows[0])[:3] == ["component", "old_hours", "new_hours"]
    assert rows[-1]["component"] == "total"
    status, out, err, _ = claim_cli("--format", "csv", "--table", "sensitivity")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and list(rows[0])[:2] == ["parameter", "label"]
    assert "break_even" in rows[0]
    status, out, err, _ = claim_cli("--format", "csv", "--table", "legs")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and {r["route"] for r in rows} == {"old", "new"}


def test_check_claim_table_is_the_default(claim_cli):
    status, out, err, _ = claim_cli()
    assert status == 0, err
    assert "Verdict: the claim does not hold" in out and "Break-even values" in out
    assert claim_cli("--format", "table")[1] == out


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_an_output_that_cannot_be_written_is_a_user_error_not_a_bug(tiny_path):
    exe = shutil.which("corridor-router")
    cmd = [exe] if exe else [sys.executable, "-m", "corridor_router"]
    with open("/dev/full", "w") as full:
        done = subprocess.run([*cmd, "--network", str(tiny_path), "places"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "cannot write the output" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
