"""The corridor-router command, run as a user runs it: a subprocess, output and exit code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest


def run(*args, cwd=None):
    exe = shutil.which("corridor-router")
    cmd = [exe] if exe else [sys.executable, "-m", "corridor_router"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_route_table_on_a_network_folder(tiny_path):
    out = run("--network", str(tiny_path), "route", "Alpha", "Echo Port", "--scenario", "uap",
              "--modes", "rail")
    assert out.returncode == 0, out.stderr
    assert "gauge_break" in out.stdout and "1520 -> 1676 mm" in out.stdout
    assert "Total: 550 km" in out.stdout and "USD 810 per TEU" in out.stdout


def test_route_json_csv_geojson(tiny_path):
    j = run("--network", str(tiny_path), "route", "alpha", "foxtrot", "--format", "json")
    assert j.returncode == 0, j.stderr
    data = json.loads(j.stdout)
    assert data["cost_usd"] == pytest.approx(sum(leg["cost_usd"] for leg in data["legs"]), abs=0.01)
    c = run("--network", str(tiny_path), "route", "alpha", "foxtrot", "--format", "csv")
    assert c.stdout.splitlines()[0].startswith("seq,kind,mode,from,to")
    g = run("--network", str(tiny_path), "route", "alpha", "foxtrot", "--format", "geojson")
    features = json.loads(g.stdout)["features"]
    assert len(features) == len(data["legs"])


def test_errors_are_one_clear_line_and_a_non_zero_exit(tiny_path):
    out = run("--network", str(tiny_path), "route", "Alpah", "Echo")
    assert out.returncode == 1
    assert out.stderr.startswith("corridor-router: error: No place matches 'Alpah'")
    assert "Did you mean 'Alpha'" in out.stderr and "Traceback" not in out.stderr
    out = run("--network", str(tiny_path), "route", "alpha", "echo", "--modes", "rail")
    assert out.returncode == 1 and "planned" in out.stderr and "Traceback" not in out.stderr
    out = run("--network", str(tiny_path), "route", "alpha", "echo", "--avoid", "atlantis")
    assert out.returncode == 1 and "atlantis" in out.stderr


def test_broken_network_lists_every_problem_without_traceback(tiny_path):
    links = tiny_path / "links.csv"
    links.write_text(links.read_text().replace("r_ab,alpha", "r_ab,alhpa")
                     .replace("1520,AF,100", "1520,AF,-1"))
    out = run("--network", str(tiny_path), "places")
    assert out.returncode == 1
    assert "alhpa" in out.stderr and "greater than zero" in out.stderr
    assert "Traceback" not in out.stderr


def test_places_lists_the_network(tiny_path):
    out = run("--network", str(tiny_path), "places", "--country", "PK")
    assert out.returncode == 0
    assert "Echo Port" in out.stdout and "Alpha" not in out.stdout


def test_compare_check_claim_and_chart_commands(tiny_path, tmp_path):
    out = run("--network", str(tiny_path), "compare", "alpha", "echo")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["kind", "scenario", "km"]
    assert any(line.startswith("uap") for line in lines) and "savings against 'today'" in out.stdout
    j = run("--network", str(tiny_path), "compare", "alpha", "echo", "--format", "json")
    rows = {r["alternative"]: r for r in json.loads(j.stdout)}
    assert rows["uap"]["cost_usd"] == pytest.approx(810)
    claim = run("--network", str(tiny_path), "check-claim", "alpha", "echo", "--corridor", "uap",
                "--versus", "today", "--days", "2", "--cost-pct", "10")
    assert claim.returncode == 0, claim.stderr
    assert "Verdict: the claim does not hold" in claim.stdout
    assert "Break-even values" in claim.stdout and "gauge_break.1520-1676.hours" in claim.stdout
    png = tmp_path / "chart.png"
    chart = run("--network", str(tiny_path), "chart", "alpha", "echo", "-o", str(png))
    assert chart.returncode == 0, chart.stderr
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000
    bad = run("--network", str(tiny_path), "compare", "alpha", "echo", "--corridor", "nope")
    assert bad.returncode == 1 and "Known corridors: uap" in bad.stderr


def test_cli_input_errors_say_what_to_do(tiny_path, tmp_path):
    out = run("--network", str(tiny_path), "places", "--country", "zz")
    assert out.returncode == 1 and "the network has: AE, AF, PK, UZ" in out.stderr
    out = run("--network", str(tiny_path), "chart", "alpha", "echo", "-o",
              str(tmp_path / "missing" / "x.png"))
    assert out.returncode == 1 and "check the path" in out.stderr
    assert "Traceback" not in out.stderr


def test_scenarios_and_corridors_list_what_the_network_names(tiny_path):
    net = ["--network", str(tiny_path)]
    s = run(*net, "scenarios")
    assert s.returncode == 0, s.stderr
    assert "uap\n" in s.stdout and "build: uap" in s.stdout
    c = run(*net, "corridors", "--format", "json")
    assert c.returncode == 0, c.stderr
    rows = json.loads(c.stdout)
    assert [r["corridor"] for r in rows] == ["uap"]
    assert rows[0]["via"] and rows[0]["sources"]
    b = run("scenarios", "--format", "csv")
    assert b.returncode == 0 and b.stdout.startswith("scenario,description,statuses")
    assert "baseline" in b.stdout


def test_compare_json_and_csv_name_the_corridors_left_out_and_why():
    j = run("compare", "Kabul", "Karachi", "--format", "json")
    assert j.returncode == 0, j.stderr
    rows = json.loads(j.stdout)
    left = [r for r in rows if r["kind"] == "left_out"]
    assert left and all(r["note"] and r["km"] is None for r in left)
    shown = {r["alternative"] for r in rows if r["kind"] != "left_out"}
    assert "today" in shown and not shown & {r["alternative"] for r in left}
    c = run("compare", "Kabul", "Karachi", "--format", "csv")
    assert c.returncode == 0 and c.stdout.count(",left_out,") == len(left)
