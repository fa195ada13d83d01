"""The bundled central_asia network: integrity, coverage, published distances, acceptance routes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from corridor_router import (
    NetworkDataError,
    NoRouteError,
    PlaceNotFoundError,
    Scenario,
    load_network,
    route,
)
from corridor_router._params import source_ids


@pytest.fixture(scope="module")
def net():
    return load_network()


ISSUE_PLACES = ["karachi", "port_qasim", "gwadar", "rohri", "quetta", "multan", "lahore", "rawalpindi", "peshawar", "sost", "khunjerab", "taftan", "torkham", "kharlachi", "jalalabad", "kabul", "mazar_i_sharif", "hairatan", "naibabad", "aqina", "andkhoy", "sheberghan", "herat", "torghundi", "islam_qala", "kandahar", "spin_boldak", "tashkent", "samarkand", "karshi", "termez", "almaty", "shymkent", "saryagash", "aktau", "kuryk", "uzen", "bolashak", "dostyk", "altynkol", "atyrau", "ashgabat", "mary", "turkmenabat", "kerki", "serhetabat", "sarakhs", "serhetyaka", "incheh_borun", "turkmenbashi", "bandar_abbas", "chabahar", "zahedan", "mashhad", "gorgan", "khaf", "baku", "poti", "batumi", "astrakhan", "moscow", "st_petersburg", "novorossiysk", "kashgar", "urumqi", "jebel_ali", "mundra", "nhava_sheva", "rotterdam", "shanghai", "chaman"]


def test_every_place_the_corridors_need_is_there(net):
    missing = sorted(set(ISSUE_PLACES) - set(net.places.index))
    assert not missing


def test_every_row_and_parameter_cites_a_known_source(net):
    known = set(net.sources.index)
    for table in (net.places, net.links, net.crossings):
        for ids in table["source"]:
            assert ids and set(ids) <= known
    def walk(node, path=""):
        if isinstance(node, Mapping):
            numbers = [k for k, v in node.items() if isinstance(v, (int, float))
                       and not isinstance(v, bool) and k != "price_year"]
            if numbers:
                assert source_ids(node.get("source")), f"{path} has numbers but no source"
                assert set(source_ids(node["source"])) <= known, path
            for k, v in node.items():
                walk(v, f"{path}.{k}")
    walk(dict(net.params))
    for c in net.corridors.values():
        assert c.source and set(c.source) <= known
    for s in net.scenarios.values():
        assert s.source and set(s.source) <= known


def test_estimates_say_how_they_were_derived(net):
    est = net.sources[net.sources["confidence"] == "EST"]
    assert len(est) > 0 and (est["notes"].str.len() > 20).all()


def test_every_place_is_reachable_from_karachi_in_the_baseline(net):
    """Every place a link in service touches is reachable today; a place only a line
    being built or planned reaches (e.g. Makmal on the CKU railway) once it is built."""
    links = net.links
    in_service = links[links["status"].isin(["operational", "restricted"])]
    served = set(in_service["from"]) | set(in_service["to"])
    built = Scenario("all built", statuses=("operational", "restricted", "under_construction",
                                            "planned", "proposed"))
    unreachable = []
    for pid in net.places.index.drop("karachi"):
        try:
            route("karachi", pid, network=net, scenario=None if pid in served else built)
        except NoRouteError as err:
            unreachable.append((pid, err.reason))
    assert not unreachable
    assert len(served) > 0.9 * len(net.places)


PUBLISHED = [
    # (origin, destination, modes, published km, tolerance, source of the figure)
    ("karachi", "peshawar", "rail", 1726, 0.02, "ML-1, Ministry of Railways 2025/26 plan"),
    ("rohri", "chaman", "rail", 523, 0.02, "Rohri-Chaman line, Wikipedia"),
    ("hairatan", "naibabad", "rail", 75, 0.02, "Hairatan-Mazar-i-Sharif railway, UTY 2024"),
    ("karachi", "gwadar", "road", 653, 0.02, "N-10 Makran Coastal Highway, Wikipedia"),
    ("tashkent", "termez", "road", 708, 0.05, "Great Uzbek Tract, encyclopedic dictionary"),
    ("kabul", "kandahar", "road", 483, 0.03, "A01, Wikipedia / USAID"),
    # 2,830 km through the network (sourced Iranian sections force it; data card §11)
    ("bandar_abbas", "tashkent", "rail", 2673, 0.07, "Uztemiryulkonteyner via Kun.uz 2024"),
]


@pytest.mark.parametrize("o,d,modes,km,tol,what", PUBLISHED, ids=[p[5] for p in PUBLISHED])
def test_published_distances_are_reproduced_by_routing(net, o, d, modes, km, tol, what):
    r = route(o, d, network=net, modes=modes, objective="distance")
    assert r.km == pytest.approx(km, rel=tol), what


def test_uap_and_baseline_routes_differ_and_the_legs_say_why(net):
    base = route("Tashkent", "Karachi", network=net, modes=["rail"])
    uap = route("Tashkent", "Karachi", network=net, scenario="uap", modes=["rail"])
    assert list(base.legs["ref"]) != list(uap.legs["ref"])
    planned = uap.legs[uap.legs["detail"].str.startswith("planned")]
    assert len(planned) > 0
    assert all("uap" in net.links.at[ref, "corridors"] for ref in planned["ref"])
    assert not base.legs["detail"].str.startswith("planned").any()


def test_uap_rail_route_shows_gauge_break_and_both_borders_as_legs(net):
    r = route("Tashkent", "Karachi", network=net, scenario="uap", modes=["rail"])
    breaks = r.gauge_breaks
    assert breaks["detail"].tolist() == ["1520 -> 1676 mm"]
    assert r.borders["detail"].tolist() == ["UZ -> AF", "AF -> PK"]
    events = r.legs[r.legs["kind"].isin(["border", "gauge_break"])]
    assert (events["hours"] > 0).all() and (events["cost_usd"] > 0).all()
    assert (events["source"].str.len() > 0).all()


def test_legs_add_up_to_the_totals_in_wgs84(net):
    r = route("Tashkent", "Karachi", network=net)
    assert r.legs.crs.to_epsg() == 4326
    assert r.legs["km"].sum() == pytest.approx(r.km)
    assert r.legs["hours"].sum() == pytest.approx(r.hours)
    assert r.legs["cost_usd"].sum() == pytest.approx(r.cost_usd)
    assert r.days == pytest.approx(r.hours / 24)


def test_almaty_to_baku_crosses_the_caspian(net):
    r = route("Almaty", "Baku", network=net)
    assert "ferry" in set(r.legs["mode"])
    assert (r.legs["kind"] == "wait").any()


def test_a_misspelt_place_suggests_the_right_one(net):
    with pytest.raises(PlaceNotFoundError) as err:
        route("Tashkentt", "Karachi", network=net)
    assert "Tashkent" in err.value.suggestions


def test_every_rail_route_that_changes_gauge_shows_a_gauge_break(net):
    rng = np.random.default_rng(3)
    rail_places = sorted(set(net.links.loc[net.links["mode"] == "rail", "from"])
                         | set(net.links.loc[net.links["mode"] == "rail", "to"]))
    with_break = 0
    for _ in range(60):
        o, d = rng.choice(rail_places, 2, replace=False)
        try:
            r = route(o, d, network=net, modes="rail", scenario="both")
        except NoRouteError:
            continue
        gauge = None
        for leg in r.legs.to_dict("records"):
            if leg["kind"] == "gauge_break":
                assert gauge is not None
                gauge = leg["detail"].split(" -> ")[1].split()[0]
            elif leg["kind"] == "link":
                g = leg["detail"].split(", ")[1].split()[0]
                if gauge is not None and g != gauge:
                    pytest.fail(f"{o}->{d}: gauge {gauge} -> {g} without a gauge break")
                gauge = g
        with_break += len(r.gauge_breaks) > 0
    assert with_break > 0   # the sample does cross gauges


def test_any_two_places_give_a_route_or_a_reason(net):
    rng = np.random.default_rng(11)
    ids = list(net.places.index)
    pairs = [tuple(rng.choice(ids, 2, replace=False)) for _ in range(150)]
    for o, d in pairs:
        try:
            r = route(o, d, network=net)
            assert len(r.legs) > 0 and r.km > 0
        except NoRouteError as err:
            assert len(err.reason) > 20


@pytest.mark.parametrize("scenario", ["baseline", "uap", "western", "both", "torkham_closed",
                                      "chaman_closed", "ml1_upgraded", "border_reform"])
def test_named_scenarios_route_tashkent_karachi(net, scenario):
    r = route("Tashkent", "Karachi", network=net, scenario=scenario)
    assert r.scenario.name == scenario and r.cost_usd > 0


def test_scenario_changes_never_touch_the_network(net):
    before = net.crossings.copy()
    route("Tashkent", "Karachi", network=net, scenario="border_reform")
    assert before.equals(net.crossings)


def test_a_malformed_bundled_links_file_lists_every_problem(bundled_copy):
    links = bundled_copy / "links.csv"
    lines = links.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    broken = []
    for i, line in enumerate(lines[1:6], start=1):
        cells = line.split(",")
        if i == 1:
            cells[header.index("from")] = "atlantis"
        elif i == 2:
            cells[header.index("length_km")] = "-5"
        elif i == 3:
            cells[header.index("status")] = "imagined"
        elif i == 4:
            cells[header.index("mode")] = "camel"
        elif i == 5:
            cells[header.index("length_km")] = "abc"
        broken.append(",".join(cells))
    links.write_text("\n".join([lines[0], *broken, *lines[6:]]) + "\n", encoding="utf-8")
    with pytest.raises(NetworkDataError) as err:
        load_network(bundled_copy)
    rows = {p.row for p in err.value.problems if p.file == "links.csv"}
    assert {2, 3, 4, 5, 6} <= rows
