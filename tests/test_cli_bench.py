"""``corridor-router bench``: ratios against baselines, machine-readable, and a CI gate."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from corridor_router.bench import (
    BenchReport,
    BenchResult,
    compare_to_baseline,
    read_baseline,
    run_bench,
)
from corridor_router.cli import main
from corridor_router.errors import InvalidInputError


@pytest.fixture(scope="module")
def report() -> BenchReport:
    return run_bench(quick=True)


def test_every_measurement_agrees_with_its_baseline(report):
    names = [r.name for r in report.results]
    assert names[:5] == ["load", "single_pair", "single_pair_nx", "matrix", "route_warm"]
    assert all(r.agree for r in report.results)
    for r in report.results:
        assert r.ours_s > 0
        if r.baseline:
            assert r.baseline_s > 0 and r.ratio == pytest.approx(r.baseline_s / r.ours_s)
        else:
            assert math.isnan(r.ratio)
    assert report.network["name"] == "central_asia" and report.network["edges"] > 1000


def test_cch_rows_are_there_or_skipped_with_the_extra_named(report):
    names = {r.name for r in report.results}
    try:
        import routingkit_cch  # noqa: F401
    except ImportError:
        assert any("corridor_router[fast]" in s for s in report.skipped)
    else:
        assert {"cch_build", "cch_query", "cch_matrix"} <= names


def test_json_round_trips_and_is_its_own_baseline(report, tmp_path):
    data = json.loads(report.to_json())
    assert data["schema"] == 1 and data["quick"] is True
    assert {r["name"] for r in data["results"]} == {r.name for r in report.results}
    load = next(r for r in data["results"] if r["name"] == "load")
    assert load["ratio"] is None and load["baseline_s"] is None     # NaN written as null
    path = tmp_path / "base.json"
    path.write_text(report.to_json())
    ratios = read_baseline(path)
    assert "load" not in ratios and ratios["single_pair"] == pytest.approx(
        next(r.ratio for r in report.results if r.name == "single_pair"))
    assert compare_to_baseline(report, ratios) == []


def test_a_fallen_ratio_or_a_wrong_answer_is_a_regression():
    rep = BenchReport({}, {}, quick=True, results=[
        BenchResult("single_pair", 1.0, "scipy", 10.0, 10.0),
        BenchResult("matrix", 1.0, "scipy", 2.0, 2.0, agree=False),
        BenchResult("load", 1.0)])
    worse = compare_to_baseline(rep, {"single_pair": 13.0, "load": 5.0}, threshold=0.2)
    assert worse == ["single_pair: ratio 10.00x, baseline 13.00x (fell 23%, more than the "
                     "20% allowed)", "matrix: ours and scipy disagree (a wrong answer)"]
    assert compare_to_baseline(rep, {"single_pair": 13.0}, threshold=0.25) == [
        "matrix: ours and scipy disagree (a wrong answer)"]     # 23% is within 25%
    with pytest.raises(InvalidInputError, match="fraction"):
        compare_to_baseline(rep, {}, threshold=1.5)


@pytest.mark.parametrize("text, match", [
    ("not json", "is not JSON"),
    ('{"rows": []}', "not a benchmark report"),
    ('[1, 2]', "not a benchmark report"),
])
def test_bad_baseline_files_are_clear_errors(tmp_path, text, match):
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(InvalidInputError, match=match):
        read_baseline(path)
    with pytest.raises(InvalidInputError, match="cannot read the baseline file"):
        read_baseline(tmp_path / "missing.json")


def test_cli_table_json_and_baseline_gate(tmp_path, capsys):
    assert main(["bench", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "network central_asia" in out and "single_pair" in out and "ratio" in out
    assert main(["bench", "--quick", "--format", "json"]) == 0
    cap = capsys.readouterr()
    data = json.loads(cap.out)
    assert cap.err == ""                                 # json: no progress lines
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data))
    assert main(["bench", "--quick", "--baseline", str(good), "--threshold", "0.99"]) == 0
    assert "no ratio fell by more than 99%" in capsys.readouterr().out
    # a baseline far better than anything measurable: exit 1, the table still printed
    for r in data["results"]:
        if r["ratio"] is not None:
            r["ratio"] = 1e9
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["bench", "--quick", "--baseline", str(bad)]) == 1
    cap = capsys.readouterr()
    assert "single_pair" in cap.out
    assert "worse than the baseline" in cap.err and "fell 100%" in cap.err


def test_cli_usage_errors(tmp_path, capsys):
    assert main(["bench", "--threshold", "2"]) == 2
    assert "not a fraction" in capsys.readouterr().err
    assert main(["bench", "--threshold", "0.2"]) == 1
    assert "--threshold applies to --baseline" in capsys.readouterr().err
    assert main(["bench", "--baseline", str(tmp_path / "nope.json")]) == 1
    err = capsys.readouterr().err
    assert "cannot read the baseline file" in err and "Traceback" not in err


def test_the_command_runs_on_another_network_as_a_user_runs_it(tmp_path):
    folder = tmp_path / "net"
    assert main(["init", str(folder)]) == 0
    done = subprocess.run([sys.executable, "-m", "corridor_router", "bench", "--quick",
                           "--network", str(folder), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["network"]["places"] == 3 and data["network"]["links"] == 4
    assert all(r["agree"] for r in data["results"])
