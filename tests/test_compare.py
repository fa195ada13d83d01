"""compare(), check_claim() and the T/C-D chart on the tiny hand-drawn network."""

from __future__ import annotations

import numpy as np
import pytest

from corridor_router import (
    InvalidInputError,
    NoRouteError,
    check_claim,
    compare,
    compare_routes,
    load_network,
    route,
)
from corridor_router.compare import IMPLAUSIBLE_FACTOR
from corridor_router.plot import route_map, tcd_chart


def test_compare_rows_and_savings_against_today(tiny):
    df = compare("alpha", "echo", network=tiny)
    assert list(df.index) == ["today", "uap"]
    today, uap = route("alpha", "echo", network=tiny), route("alpha", "echo", network=tiny,
                                                             corridor="uap")
    assert df.at["today", "cost_usd"] == pytest.approx(today.cost_usd)
    assert df.at["uap", "cost_usd"] == pytest.approx(uap.cost_usd)
    assert df.at["uap", "days_saved"] == pytest.approx(today.days - uap.days)
    assert df.at["uap", "cost_saved_pct"] == pytest.approx(
        100 * (today.cost_usd - uap.cost_usd) / today.cost_usd)
    assert df.at["uap", "gauge_breaks"] == 1 and df.at["uap", "borders"] == 2
    assert bool(df.at["today", "is_baseline"]) and df.at["today", "days_saved"] == 0


def test_compare_scenarios_and_a_named_baseline(tiny):
    df = compare("alpha", "echo", corridors=["uap"], scenarios=["bravo_closed"],
                 baseline="uap", network=tiny)
    assert list(df.index) == ["today", "uap", "bravo_closed"]
    assert "closes" in df.at["bravo_closed", "note"] and np.isnan(df.at["bravo_closed", "km"])
    assert df.at["uap", "days_saved"] == 0
    with pytest.raises(InvalidInputError, match="Known corridors: uap"):
        compare("alpha", "echo", corridors=["middle"], network=tiny)
    with pytest.raises(InvalidInputError, match="baseline"):
        compare("alpha", "echo", baseline="nowhere", network=tiny)


def test_corridor_route_follows_its_via_places_and_modes(tiny):
    r = route("alpha", "echo", network=tiny, corridor="uap")
    assert set(r.modes_used) == {"rail"} and "r_cd" in set(r.legs["ref"])
    with pytest.raises(InvalidInputError, match="Unknown corridor"):
        route("alpha", "echo", network=tiny, corridor="nope")


def test_claim_check_numbers_breakdown_and_required_baseline(tiny):
    c = check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=2,
                    cost_saved_pct=10, network=tiny)
    assert c.days_saved == pytest.approx(c.old.days - c.new.days)
    assert c.cost_saved_usd == pytest.approx(270.0)          # 1080 - 810, by hand
    assert c.holds_cost and not c.holds_days and not c.holds
    assert "does not hold" in c.verdict
    total = c.breakdown.loc["total"]
    assert c.breakdown["hours_saved"].drop("total").sum() == pytest.approx(
        c.old.hours - c.new.hours)
    assert total["cost_saved_usd"] == pytest.approx(c.cost_saved_usd)
    assert c.required_old_days == pytest.approx(c.new.days + 2)
    assert c.required_old_cost_usd == pytest.approx(810 / 0.9)
    assert "would have to take at least" in c.summary()


def test_claim_sensitivity_break_even_really_flips_the_verdict(tiny):
    c = check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=1,
                    cost_saved_pct=10, network=tiny)
    s = c.sensitivity
    assert s["break_even"].notna().sum() >= 3
    # only the UAP route breaks gauge (10 h): the claim of one day, which holds by
    # (83.4 - 56.75) - 24 = 2.65 h, fails once the break is 2.65 h longer
    saved_h = c.old.hours - c.new.hours
    assert saved_h == pytest.approx(83.4 - 56.75)
    key = "gauge_break.1520-1676.hours"
    assert s.at[key, "break_even"] == pytest.approx(10 - (24 - saved_h), abs=1e-3)
    assert s.at[key, "flips_within_range"] is None      # no sourced range given
    # only today's route drives on Afghan roads (160 km at 25 km/h): faster roads hurt
    road = s.at["modes.road.countries.AF.speed_kmh", "break_even"]
    assert road == pytest.approx(160 / (160 / 25 + 24 - saved_h), rel=1e-3)
    # only the UAP route crosses AF->PK by rail (today's crosses by road: no AF rail
    # reaches delta before the planned line)
    rail = s.at["crossings.d_rail_af_pk.dwell_h", "break_even"]
    assert rail == pytest.approx(20 + saved_h - 24, abs=1e-3)
    # the UZ->AF rail crossing has a sourced spread 4..8 h that does not flip the verdict
    assert s.at["crossings.b_rail_uz_af.dwell_h", "flips_within_range"] is False


def test_tcd_chart_and_map_are_figures_that_save_to_png(tiny, tmp_path):
    routes = {"today": route("alpha", "echo", network=tiny),
              "uap": route("alpha", "echo", network=tiny, corridor="uap")}
    fig = tcd_chart(routes)
    axes = fig.get_axes()
    assert [a.get_title() for a in axes] == ["Cost–distance", "Time–distance"]
    # cumulative cost line of the UAP route ends at its total
    uap_line = axes[0].get_lines()[[ln.get_label() for ln in axes[0].get_lines()].index(
        "uap: USD 810")]
    assert uap_line.get_ydata()[-1] == pytest.approx(810)
    out = tmp_path / "tcd.png"
    fig.savefig(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    route_map(routes, network=tiny).savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 10_000


def test_compare_keeps_a_corridor_and_a_scenario_of_the_same_name_apart(tiny):
    df = compare("alpha", "echo", corridors="uap", scenarios=["uap"], network=tiny)
    assert list(df.index) == ["today", "uap", "uap (scenario)"]
    assert df.at["uap", "kind"] == "corridor" and df.at["uap (scenario)", "kind"] == "scenario"
    assert df.at["uap (scenario)", "cost_usd"] == pytest.approx(
        route("alpha", "echo", network=tiny, scenario="uap").cost_usd)


def test_a_claim_needs_two_different_alternatives_and_numbers(tiny):
    with pytest.raises(InvalidInputError, match="versus names the corridor itself"):
        check_claim("alpha", "echo", corridor="uap", versus="uap", network=tiny)
    with pytest.raises(InvalidInputError, match="days_saved must be a number"):
        check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=None,
                    network=tiny)


def test_a_corridor_that_starts_or_ends_the_trip_is_run_in_the_trips_direction():
    """A trip from a corridor's first place runs it forward; one ending at its last
    place comes along it; the reversed order (which runs none of it) is not taken."""
    gwadar = route("Gwadar", "Tashkent", corridor="gwadar_rail", objective="time")
    assert "gwadar_rail_gwadar_mastung" in set(gwadar.legs["ref"])
    moscow = route("Lahore", "Moscow", corridor="russia_black_sea")
    assert "novorossiysk" in set(moscow.legs["to_id"])


def test_a_corridor_the_trip_would_run_backwards_serves_it_not(tiny):
    # Tiny UAP runs charlie -> delta; from charlie back north to alpha it runs none of it
    with pytest.raises(NoRouteError, match=r"double back|corridor"):
        route("charlie", "alpha", network=tiny, corridor="uap")


def test_compare_leaves_out_corridors_that_are_no_way_for_the_trip_and_says_why():
    table = compare("Kabul", "Karachi")
    left_out = table.attrs["left_out"]
    assert left_out and not set(left_out) & set(table.index)
    assert set(left_out) | set(table.index) == {"today", *load_network().corridors}
    for why in left_out.values():
        assert why.startswith(("no route", "same route as", "not a plausible way",
                               "does not apply"))
    named = compare("Kabul", "Karachi", corridors=["lapis_lazuli"])   # named: always shown
    assert "lapis_lazuli" in named.index and named.attrs["left_out"] == {}


@pytest.mark.parametrize(("origin", "destination"), [
    ("Kabul", "Karachi"), ("Karachi", "Baku"), ("Tashkent", "Karachi"), ("Herat", "Kashgar"),
    ("Almaty", "Karachi"), ("Bandar Abbas", "Moscow")])
def test_a_corridor_left_out_as_implausible_is_beaten_on_time_and_cost_by_a_row_shown(
        origin, destination):
    table = compare(origin, destination)
    routes = compare_routes(origin, destination, corridors=list(table.attrs["left_out"]))
    for name, why in table.attrs["left_out"].items():
        r = routes[name]
        if not why.startswith("not a plausible way"):
            continue
        assert ((table["hours"] <= r.hours) & (table["cost_usd"] <= r.cost_usd)).any(), name
        far = r.hours > IMPLAUSIBLE_FACTOR * table["hours"].min() \
            and r.cost_usd > IMPLAUSIBLE_FACTOR * table["cost_usd"].min()
        detour = r.km > IMPLAUSIBLE_FACTOR * table.at["today", "km"]
        assert far or detour, name


def test_a_baseline_named_among_the_corridors_is_never_left_out():
    plain = compare("Karachi", "Baku")
    dropped = [k for k, why in plain.attrs["left_out"].items()
               if why.startswith("not a plausible way")]
    assert dropped
    table = compare("Karachi", "Baku", baseline=dropped[0])
    assert table.at[dropped[0], "is_baseline"] and table.at[dropped[0], "days_saved"] == 0.0


def test_an_avoid_that_rules_a_corridor_out_leaves_it_out_with_the_reason():
    table = compare("Tashkent", "Karachi", avoid=["chaman"])
    why = table.attrs["left_out"]["western"]
    assert why.startswith("does not apply") and "Chaman" in why
    with pytest.raises(InvalidInputError, match="Chaman"):     # named: the error stands
        compare("Tashkent", "Karachi", avoid=["chaman"], corridors=["western"])


def test_a_scenario_built_in_code_admits_what_runs_today():
    from corridor_router import Scenario
    assert Scenario("x").statuses == ("operational", "restricted")
