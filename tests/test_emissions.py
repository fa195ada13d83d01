"""Emissions per leg and route (kg CO2e per TEU, well-to-wheel), the co2e objective, and
their place in comparisons, claims, the CLI and the data checks."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import corridor_router as cr
from corridor_router import NetworkDataError, load_network, route
from corridor_router.network import _bundled_root

PARAMS = tomllib.loads((_bundled_root() / "central_asia" / "params.toml").read_text("utf-8"))


def intensity(mode: str, country: str) -> float:
    """kg CO2e per TEU-km of a mode in a country, read from params.toml directly."""
    table = PARAMS["modes"][mode]
    return float(table.get("countries", {}).get(country, {}).get(
        "co2e_kg_per_teu_km", table["co2e_kg_per_teu_km"]))


@pytest.fixture(scope="module")
def net():
    return load_network()


def test_route_emissions_are_positive_and_the_sum_of_the_legs(net):
    r = route("Tashkent", "Karachi", network=net)
    legs = r.legs
    assert r.co2e_kg > 0
    assert r.co2e_kg == pytest.approx(legs["co2e_kg"].sum(), rel=1e-12)
    assert r.totals["co2e_kg"] == r.co2e_kg
    assert (legs["co2e_kg"] >= 0).all()
    # every link leg emits its length times its mode's intensity (GLEC default x 10 t/TEU)
    links = legs[legs["kind"] == "link"]
    for leg in links.to_dict("records"):
        want = leg["km"] * intensity(leg["mode"], leg["country"])
        assert leg["co2e_kg"] == pytest.approx(want, rel=1e-9), leg["ref"]
    assert r.to_dict()["units"]["co2e_kg"] == "kg CO2e/TEU"
    assert "kg CO2e per TEU" in r.summary()


def test_rail_heavy_uap_emits_less_per_teu_than_the_road_route(net):
    uap = route("Tashkent", "Karachi", corridor="uap", network=net)
    road = route("Tashkent", "Karachi", modes=["road"], network=net)
    rail_km = uap.legs.loc[uap.legs["mode"] == "rail", "km"].sum()
    assert rail_km > 0.8 * uap.km
    assert uap.co2e_kg < 0.5 * road.co2e_kg
    # by the factors: road is 0.89 kg per TEU-km, rail 0.184; the road route is all road
    assert road.co2e_kg == pytest.approx(0.89 * road.km, rel=1e-9)
    assert intensity("rail", "UZ") < intensity("road", "UZ")


def test_the_co2e_objective_emits_least(net):
    best = route("Tashkent", "Karachi", objective="co2e", network=net)
    assert best.objective == "co2e"
    for objective in ("cost", "time", "distance", "generalized"):
        other = route("Tashkent", "Karachi", objective=objective, network=net)
        assert best.co2e_kg <= other.co2e_kg + 1e-6 * other.hours + 1e-9, objective
    for corridor in ("uap", "bandar_abbas", "afghan_road"):
        # a corridor's route is one walk of its own scenario (uap: with the line built)
        other = route("Tashkent", "Karachi", corridor=corridor, network=net)
        least = route("Tashkent", "Karachi", objective="co2e", scenario=other.scenario,
                      network=net)
        assert least.co2e_kg <= other.co2e_kg + 1e-6 * other.hours + 1e-9, corridor


def test_hubs_count_where_params_give_a_figure(tiny):
    # the tiny network gives the rail-road transfer 3 kg and the gauge break 1.5 kg;
    # the rail-sea transfer gives none, and borders never emit
    r = route("alpha", "foxtrot", network=tiny, scenario="uap")
    legs = r.legs.set_index("kind")
    assert set(legs.loc[["transfer"], "co2e_kg"]) == {3.0}
    assert float(legs.loc["gauge_break", "co2e_kg"]) == 1.5
    assert float(legs.loc["port_call", "co2e_kg"]) == 0.0
    assert (legs.loc[["border"], "co2e_kg"] == 0).all()


def test_compare_and_check_claim_report_emissions(net):
    table = cr.compare("Tashkent", "Karachi", corridors=["uap", "bandar_abbas"], network=net)
    assert table["co2e_kg"].gt(0).all()
    base = table.loc["today", "co2e_kg"]
    for name in table.index:
        row = table.loc[name]
        assert row["co2e_saved_kg"] == pytest.approx(base - row["co2e_kg"])
        assert row["co2e_saved_pct"] == pytest.approx(100 * (base - row["co2e_kg"]) / base)
    c = cr.check_claim("Tashkent", "Karachi", corridor="uap", versus="bandar_abbas",
                       network=net)
    assert c.co2e_saved_kg == pytest.approx(c.old.co2e_kg - c.new.co2e_kg)
    assert math.isfinite(c.co2e_saved_pct)
    assert "kg CO2e/TEU" in c.summary()


def test_a_mode_without_an_intensity_is_reported(tiny_path):
    params = tiny_path / "params.toml"
    text = params.read_text("utf-8")
    params.write_text(text.replace("co2e_kg_per_teu_km = 0.9\n", ""), "utf-8")
    with pytest.raises(NetworkDataError) as err:
        load_network(tiny_path)
    assert "modes.road.co2e_kg_per_teu_km" in str(err.value)
    assert "add co2e_kg_per_teu_km" in str(err.value)
    params.write_text(text.replace("co2e_kg_per_teu_km = 0.9\n",
                                   "co2e_kg_per_teu_km = -1\n"), "utf-8")
    with pytest.raises(NetworkDataError, match="below 0 kg CO2e per TEU-km"):
        load_network(tiny_path)
    params.write_text(text.replace("co2e_kg_per_teu = 3.0\n", "co2e_kg_per_teu = 1e9\n"),
                      "utf-8")
    with pytest.raises(NetworkDataError, match="above 10,000 kg CO2e per TEU"):
        load_network(tiny_path)


def test_a_scenario_can_override_an_intensity(net):
    base = route("Tashkent", "Karachi", modes=["road"], network=net)
    clean = cr.Scenario("clean_trucks", overrides={"modes.road.co2e_kg_per_teu_km": 0.445})
    r = route("Tashkent", "Karachi", modes=["road"], scenario=clean, network=net)
    assert r.co2e_kg == pytest.approx(base.co2e_kg / 2, rel=1e-9)
    assert r.parameters.at["modes.road.co2e_kg_per_teu_km", "value"] == 0.445


def test_every_bundled_intensity_cites_known_sources(net):
    known = set(net.sources.index)
    for mode, table in PARAMS["modes"].items():
        assert "co2e_kg_per_teu_km" in table, mode
        cited = table.get("co2e_kg_per_teu_km_source", table.get("source"))
        assert cited and set(cited) <= known, mode


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corridor_router", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_shows_emissions_and_routes_by_them():
    out = _cli("route", "Tashkent", "Karachi", "--objective", "co2e")
    assert out.returncode == 0, out.stderr
    assert "kg CO2e per TEU" in out.stdout and "kgCO2e" in out.stdout
    data = json.loads(_cli("route", "Tashkent", "Karachi", "--format", "json").stdout)
    assert data["co2e_kg"] > 0 and data["units"]["co2e_kg"] == "kg CO2e/TEU"
    table = _cli("compare", "Tashkent", "Karachi", "--corridor", "uap")
    assert table.returncode == 0, table.stderr
    assert "co2e_kg" in table.stdout and "kg CO2e per TEU" in table.stdout


def test_the_template_networks_of_tests_carry_intensities():
    # the frozen 2025 network of the regression tests loads with the same figures
    old = load_network(Path(__file__).parent / "data" / "central_asia_2025")
    assert old.params["modes"]["rail"]["co2e_kg_per_teu_km"] == \
        PARAMS["modes"]["rail"]["co2e_kg_per_teu_km"]


def test_rail_intensity_follows_each_countrys_traction():
    # diesel-hauled lines: 5.6 g diesel per tonne-km x 3.80 kg CO2e/kg x 10 t per TEU
    diesel = 5.6 * 3.80 * 10 / 1000
    for cc in ("AF", "PK", "TM"):
        assert intensity("rail", cc) == pytest.approx(diesel, abs=5e-5), cc
    # electrified networks on cleaner grids emit less than diesel; a coal-heavy grid not
    assert intensity("rail", "RU") < intensity("rail", "CN") < diesel
    assert intensity("rail", "KZ") > diesel
    # countries without a traction split keep the mode's default
    assert intensity("rail", "UZ") == PARAMS["modes"]["rail"]["co2e_kg_per_teu_km"]


def test_batch_tables_carry_emissions(net):
    pairs = [("Tashkent", "Karachi"), ("Almaty", "Gwadar")]
    batch = cr.route_many(pairs, objective="co2e", network=net)
    frame = batch.to_frame()
    assert frame["co2e_kg"].tolist() == pytest.approx([r.co2e_kg for r in batch.routes])
    crit = cr.criticality("Tashkent", "Karachi", network=net)
    base = route("Tashkent", "Karachi", network=net)
    row = crit[~crit["no_route"]].iloc[0]
    lost = route("Tashkent", "Karachi", avoid=row["avoid"].split(";"), network=net)
    assert row["extra_co2e_kg"] == pytest.approx(lost.co2e_kg - base.co2e_kg)
    swept = cr.sweep(["baseline"], pairs[:1], corridors=["uap"], workers=1, progress=False,
                     network=net)
    uap = swept.set_index("alternative").loc["uap"]
    assert uap["co2e_kg"] == pytest.approx(route("Tashkent", "Karachi", corridor="uap",
                                                 network=net).co2e_kg)
    today = swept.set_index("alternative").loc["today", "co2e_kg"]
    assert uap["co2e_saved_kg"] == pytest.approx(today - uap["co2e_kg"])
