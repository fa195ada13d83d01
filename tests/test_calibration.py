"""Calibration against published observations (issue 11): observed.csv, calibration(), CLI.

The tiny network's figures are checked by hand; the bundled observation set by its
integrity and by the calibration figures it reaches.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import write_tiny
from test_cli import run

from corridor_router import (
    InvalidInputError,
    NetworkDataError,
    NoRouteError,
    calibration,
    calibration_summary,
    load_network,
)
from corridor_router._observations import FAMILIES, MEASURES
from corridor_router.calibration import BANDS, CALIBRATION_COLUMNS

HEADER = ("id,origin,destination,via,avoid,modes,corridor,scenario,objective,measure,days,"
          "cost_usd_per_teu,km,year,family,confidence,source,notes\n")
# alpha -> echo by road, hand-priced: 110/50 + 10 (border) + 105/25 + 160/25 + 30 (border)
# + 210/50 = 57 h; 585 km; 220 + 50 + 210 + 320 + 300 + 420 = USD 1,520.
# echo -> foxtrot by sea: start 12 h, wait 84 h (half of 168), sailing 1500/30 = 50 h, end 12 h.
OBSERVED = HEADER + (
    "road_trip,alpha,echo,,,road,,,,door_to_door,2.375,1900,585,2024,road,M,tiny,exact days\n"
    "sea_quay,echo,foxtrot,,,sea,,,,quay_to_quay,2.5,,,2023,multimodal,H,tiny,\n"
    "sea_terminal,echo,foxtrot,,,sea,,,,terminal_to_terminal,5.5833333333,,,2023,multimodal,"
    "H,tiny,\n"
    "sea_door,echo,foxtrot,,,sea,,,,door_to_door,3.0,,1000,2023,multimodal,L,tiny,\n"
)


@pytest.fixture
def observed_path(tmp_path):
    folder = write_tiny(tmp_path / "obs")
    (folder / "observed.csv").write_text(OBSERVED, encoding="utf-8")
    return folder


def test_each_published_figure_is_set_beside_the_model(observed_path):
    table = calibration(load_network(observed_path))
    assert list(table.columns) == CALIBRATION_COLUMNS
    got = {(i, m): (o, v) for i, m, o, v in
           zip(table["id"], table["metric"], table["observed"], table["model"])}
    assert got[("road_trip", "days")] == pytest.approx((2.375, 57 / 24))
    assert got[("road_trip", "cost_usd")] == pytest.approx((1900, 1520))
    assert got[("road_trip", "km")] == pytest.approx((585, 585))
    # quay to quay: the sailing alone; terminal to terminal: with the wait for it;
    # door to door: loading and unloading too
    assert got[("sea_quay", "days")][1] == pytest.approx(50 / 24)
    assert got[("sea_terminal", "days")][1] == pytest.approx(134 / 24)
    assert got[("sea_door", "days")][1] == pytest.approx(158 / 24)
    assert got[("sea_door", "km")][1] == pytest.approx(1500)
    row = table.set_index(["id", "metric"])
    assert row.loc[("road_trip", "days"), "ratio"] == pytest.approx(1.0)
    assert row.loc[("road_trip", "cost_usd"), "ratio"] == pytest.approx(0.8)
    assert bool(row.loc[("road_trip", "cost_usd"), "in_band"])             # -20% of 30
    assert not bool(row.loc[("sea_door", "km"), "in_band"])               # +50% of 8
    assert row.loc[("sea_quay", "days"), "in_band"]                       # 50 h / 60 h
    assert set(table["band"]) == {BANDS["days"], BANDS["km"]}
    assert "Alpha" in row.loc[("road_trip", "days"), "route"]


def test_the_summary_counts_the_band_and_the_geometric_mean(observed_path):
    table = calibration(load_network(observed_path))
    summary = table.attrs["summary"]
    pd.testing.assert_frame_equal(summary, calibration_summary(table))
    s = summary.set_index(["metric", "family"])
    ratios = table.loc[table["metric"] == "days", "ratio"].to_numpy()
    assert s.loc[("days", "all"), "cases"] == 4
    assert s.loc[("days", "all"), "geomean_ratio"] == pytest.approx(
        math.exp(np.log(ratios).mean()))
    assert s.loc[("days", "multimodal"), "cases"] == 3
    within = (np.abs(table["ratio"] - 1) <= table["band"]).mean()
    assert s.loc[("all", "all"), "share_in_band"] == pytest.approx(within)
    assert s.loc[("all", "all"), "cases"] == len(table)


def test_a_network_without_observations_cannot_be_calibrated(tiny):
    assert tiny.observations.empty
    with pytest.raises(InvalidInputError, match=r"add observed\.csv"):
        calibration(tiny)


def test_an_observation_the_model_cannot_follow_is_named(tmp_path):
    folder = write_tiny(tmp_path / "obs")
    (folder / "observed.csv").write_text(
        HEADER + "by_sea,alpha,echo,,,sea,,,,door_to_door,3,,,2024,road,M,tiny,\n",
        encoding="utf-8")
    with pytest.raises(NoRouteError, match="observation 'by_sea'"):
        calibration(load_network(folder))
    (folder / "observed.csv").write_text(
        HEADER + "bad_avoid,alpha,echo,,zulu,,,,,door_to_door,3,,,2024,road,M,tiny,\n",
        encoding="utf-8")
    with pytest.raises(InvalidInputError, match="observation 'bad_avoid'"):
        calibration(load_network(folder))


def test_every_problem_of_observed_csv_is_reported_at_once(tmp_path):
    folder = write_tiny(tmp_path / "obs")
    rows = (
        "a,alpha,zulu,,,road,,,,door_to_door,3,,,2024,road,M,tiny,\n"
        "b,alpha,echo,yankee,,boat,,,,door_to_door,3,,,2024,road,M,tiny,\n"
        "c,alpha,echo,,,,nope,nada,,door_to_door,3,,,2024,road,M,tiny,\n"
        "d,alpha,echo,,,,,,,door_to_door,,,,2024,road,M,tiny,\n"
        "e,alpha,echo,,,,,,,door_to_door,3,,,2015,road,M,tiny,\n"
        "f,alpha,echo,,,,,,,on_foot,3,,,2024,ferry_only,EST,ghost,\n"
        "g,alpha,echo,,,,,,fastest,door_to_door,-3,,,2024,road,M,tiny,\n"
    )
    (folder / "observed.csv").write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(NetworkDataError) as err:
        load_network(folder)
    text = str(err.value)
    for needle in ("unknown place id 'zulu'", "unknown place id 'yankee'",
                   "unknown mode 'boat'", "unknown corridor 'nope'",
                   "unknown scenario 'nada'", "no published figure", "'2015' is not a year of",
                   "unknown value 'on_foot'", "unknown value 'ferry_only'",
                   "unknown value 'EST'", "'ghost' is not in sources.csv",
                   "unknown value 'fastest'", "'days'"):
        assert needle in text, needle


def test_observations_are_a_copy(observed_path):
    net = load_network(observed_path)
    obs = net.observations
    obs.loc["road_trip", "days"] = 99.0
    assert net.observations.loc["road_trip", "days"] == 2.375


def test_calibration_chart_draws_one_panel_per_metric(observed_path):
    from corridor_router.plot import calibration_chart
    fig = calibration_chart(calibration(load_network(observed_path)))
    assert len(fig.axes) == 3
    assert all(ax.get_xscale() == "log" for ax in fig.axes)
    with pytest.raises(InvalidInputError):
        calibration_chart(pd.DataFrame())


# -- the command ---------------------------------------------------------------------
def test_calibrate_prints_the_table_and_the_summary(observed_path, tmp_path):
    out = run("--network", str(observed_path), "calibrate")
    assert out.returncode == 0, out.stderr
    assert "road_trip" in out.stdout and "Summary" in out.stdout
    assert "geomean_ratio" in out.stdout
    j = run("--network", str(observed_path), "calibrate", "--format", "json")
    data = json.loads(j.stdout)
    assert {c["id"] for c in data["cases"]} == {"road_trip", "sea_quay", "sea_terminal",
                                                "sea_door"}
    assert data["summary"][-1]["metric"] == "all"
    chart = tmp_path / "cal.png"
    out = run("--network", str(observed_path), "calibrate", "-o", str(chart))
    assert out.returncode == 0, out.stderr
    assert chart.stat().st_size > 10_000


def test_calibrate_without_observations_is_one_error_line(tiny_path):
    out = run("--network", str(tiny_path), "calibrate")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "observed.csv" in out.stderr
    assert "Traceback" not in out.stderr


# -- the bundled observation set --------------------------------------------------------
@pytest.fixture(scope="module")
def bundled_table():
    return calibration()


def test_the_bundled_observation_set_is_published_sourced_and_followable(bundled_table):
    net = load_network()
    obs = net.observations
    assert len(obs) >= 30
    assert (obs["year"] >= 2019).all()
    assert set(obs["family"]) <= set(FAMILIES) and set(obs["measure"]) <= set(MEASURES)
    assert obs["confidence"].isin(["H", "M", "L"]).all()
    assert all(obs["source"].map(len) > 0) and all(obs["notes"].astype(bool))
    # every observation was routed (calibration raises otherwise) and gave its figures
    assert set(bundled_table["id"]) == set(obs.index)
    published = obs[["days", "cost_usd_per_teu", "km"]].notna().sum().sum()
    assert len(bundled_table) == published
    assert np.isfinite(bundled_table["model"]).all() and (bundled_table["model"] > 0).all()


def test_the_bundled_calibration_holds_its_figures(bundled_table):
    """The figures the data card states; a data change that worsens them fails here.

    These are floors and ceilings at today's figures (not the targets of issue 11,
    which the next test tracks).
    """
    s = bundled_table.attrs["summary"].set_index(["metric", "family"])
    assert s.loc[("all", "all"), "share_in_band"] >= 0.58
    assert s.loc[("km", "all"), "share_in_band"] >= 0.90
    assert 0.74 <= s.loc[("days", "all"), "geomean_ratio"] <= 1.15
    assert s.loc[("days", "road"), "geomean_ratio"] >= 0.85


@pytest.mark.xfail(strict=True, reason=(
    "issue 11's targets are not met: rail line haul runs at CPMM speeds without delay and "
    "the stops on the way are published (as operating speeds) for Kazakhstan, Russia and "
    "Azerbaijan only, so express and multi-border rail come out 1.3-1.7x too fast; see the "
    "data card"))
def test_the_bundled_calibration_meets_the_issue_targets(bundled_table):
    s = bundled_table.attrs["summary"].set_index(["metric", "family"])
    assert s.loc[("all", "all"), "share_in_band"] >= 0.80
    days = s.xs("days", level="metric")
    for family, row in days.iterrows():
        if family != "all" and row["cases"] >= 4:
            assert 0.85 <= row["geomean_ratio"] <= 1.15, family


def test_the_summary_refuses_what_is_not_a_calibration_table(observed_path):
    with pytest.raises(InvalidInputError, match="calibration"):
        calibration_summary(pd.DataFrame())
    with pytest.raises(InvalidInputError):
        calibration_summary("days")      # type: ignore[arg-type]
    table = calibration(load_network(observed_path))
    bad = table.assign(ratio=0.0)
    with pytest.raises(InvalidInputError, match="positive"):
        calibration_summary(bad)
    assert table["ratio"].iloc[0] > 0      # the table passed in is not changed


def test_a_trip_to_itself_and_a_bad_figure_are_each_reported_once(tmp_path):
    folder = write_tiny(tmp_path / "obs")
    (folder / "observed.csv").write_text(
        HEADER + "loop,alpha,alpha,,,,,,,door_to_door,3,,,2024,road,M,tiny,\n"
                 "typo,alpha,echo,,,,,,,door_to_door,three,,,2024,road,M,tiny,\n",
        encoding="utf-8")
    with pytest.raises(NetworkDataError) as err:
        load_network(folder)
    text = str(err.value)
    assert "the same place as the origin" in text
    assert "'three'" in text and "no published figure" not in text
