"""The criticality and sweep commands, and route's timed closures, as a user runs them."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_cli import run


def test_route_with_a_timed_closure_says_wait_or_go_round():
    short = run("route", "Peshawar", "Jalalabad", "--objective", "generalized",
                "--close-days", "torkham=3")
    assert short.returncode == 0, short.stderr
    assert "Closure of torkham for 3 days: wait" in short.stdout
    long = run("route", "Peshawar", "Jalalabad", "--objective", "generalized",
               "--close-days", "torkham=60", "--format", "json")
    assert json.loads(long.stdout)["closures"][0]["choice"] == "reroute"
    shut = run("route", "Peshawar", "Jalalabad", "--close", "torkham")
    assert shut.returncode == 0 and "Kharlachi" in shut.stdout


@pytest.mark.parametrize("args, message", [
    (["--close-days", "torkham"], "is not ITEM=DAYS"),
    (["--close-days", "torkham=soon"], "is not a number"),
])
def test_bad_closures_are_usage_errors(args, message):
    out = run("route", "Peshawar", "Jalalabad", *args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_closures_keep_a_corridor_s_own_scenario():
    out = run("route", "Tashkent", "Karachi", "--corridor", "uap", "--close-days", "hormuz=1")
    assert out.returncode == 0, out.stderr
    assert "scenario: uap (with closures)" in out.stdout
    assert "Closure of hormuz for 1 days: not on the way." in out.stdout


def test_a_bad_closure_item_is_one_error_line():
    out = run("route", "Peshawar", "Jalalabad", "--close-days", "atlantis=3")
    assert out.returncode == 1 and "atlantis" in out.stderr and "Traceback" not in out.stderr


def test_criticality_table_json_and_csv():
    out = run("criticality", "Tashkent", "Karachi", "--objective", "generalized", "--top", "3")
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[2]
    assert "AF–PK border" in first
    j = json.loads(run("criticality", "Tashkent", "Karachi", "--objective", "generalized",
                       "--kind", "crossing", "--format", "json").stdout)
    assert {i["kind"] for i in j["items"]} == {"crossing"}
    assert j["objective"] == "generalized"
    c = run("criticality", "Tashkent", "Karachi", "--format", "csv")
    assert c.stdout.splitlines()[0].startswith("rank,kind,item,name,avoid,no_route")
    bad = run("criticality", "Tashkent", "Karachi", "--kind", "bridge")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


SPEC = """[sweep]
pairs = [["Tashkent", "Karachi"], ["Peshawar", "Jalalabad"]]
scenarios = ["baseline", "torkham_30d"]
n = 30
seed = 5
corridors = []
objective = "generalized"

[scenarios.torkham_30d]
close_days = { torkham = 30 }
"""


def test_sweep_writes_parquet_and_csv(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = run("sweep", str(spec), "--workers", "1", "-o", str(tmp_path / "r.parquet"))
    assert out.returncode == 0, out.stderr
    assert "wrote" in out.stdout and "(4 rows)" in out.stdout
    table = pd.read_parquet(tmp_path / "r.parquet")
    assert table["scenario"].tolist() == ["baseline", "baseline", "torkham_30d", "torkham_30d"]
    csv = run("sweep", str(spec), "--workers", "2", "--no-progress", "-o",
              str(tmp_path / "r.csv"))
    assert csv.returncode == 0, csv.stderr
    again = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    assert again["days_p50"].astype(float).tolist() == pytest.approx(
        table["days_p50"].tolist(), rel=1e-12)
    shown = run("sweep", str(spec), "--workers", "1", "--no-progress")
    assert shown.returncode == 0 and "torkham_30d" in shown.stdout


@pytest.mark.parametrize("spec_text, extra, message", [
    ("x = 1\n", [], "no [sweep] table"),
    (SPEC, ["-o", "r.xlsx"], "end the file name with .parquet or .csv"),
    (SPEC, ["-o", "missing/r.csv"], "does not exist"),
])
def test_sweep_errors_are_one_line(tmp_path, spec_text, extra, message):
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_text, encoding="utf-8")
    out = run("sweep", str(spec), *extra, cwd=tmp_path)
    assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr
