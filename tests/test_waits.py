"""Waits shown as legs of their own: service headways, en-route delays, escorts (issue 11).

Hand-drawn tiny network (see conftest.py) with waits added; every figure checked by hand
and by the independent pricer of tests/pricer.py.
"""

from __future__ import annotations

import pytest
from conftest import TINY_FILES, write_tiny
from pricer import Assumptions, Pricer
from test_pricer import assert_priced

from corridor_router import NetworkDataError, Scenario, ScenarioError, load_network, route
from corridor_router.claims import breakdown

WAIT_PARAMS = TINY_FILES["params.toml"] + """
[service.rail]
headway_h = 8.0
source = "tiny"
[service.rail.countries.UZ]
headway_h = 10.0
source = "tiny"
"""
DELAY_PARAMS = WAIT_PARAMS.replace(
    "[modes.road.countries.AF]\nspeed_kmh = 25.0",
    "[modes.road.countries.AF]\nspeed_kmh = 25.0\ndelay_h_per_km = 0.02")
ESCORT_CROSSINGS = TINY_FILES["crossings.csv"].replace(
    "dwell_high_h,fee_usd_per_teu,", "dwell_high_h,fee_usd_per_teu,escort_h,").replace(
    "b_road_uz_af,bravo,road,UZ,AF,10,,,50,", "b_road_uz_af,bravo,road,UZ,AF,10,,,50,3,")
for _line in TINY_FILES["crossings.csv"].splitlines()[1:]:
    if not _line.startswith("b_road_uz_af"):
        _cells = _line.split(",")
        ESCORT_CROSSINGS = ESCORT_CROSSINGS.replace(_line, ",".join([*_cells[:9], "", *_cells[9:]]))


@pytest.fixture
def waits_path(tmp_path):
    folder = write_tiny(tmp_path / "waits")
    (folder / "params.toml").write_text(DELAY_PARAMS, encoding="utf-8")
    (folder / "crossings.csv").write_text(ESCORT_CROSSINGS, encoding="utf-8")
    return folder


@pytest.fixture
def waits(waits_path):
    return load_network(waits_path)


def test_boarding_a_train_waits_half_the_headway_of_its_country(waits):
    r = route("alpha", "echo", network=waits, scenario="uap", modes=["rail"])
    legs = r.legs
    assert list(legs["kind"][:2]) == ["start", "service_wait"]
    wait = legs.iloc[1]
    # alpha is in UZ: half of UZ's 10 h headway, not half of the rail default's 8 h
    assert wait["hours"] == pytest.approx(5.0)
    assert (wait["km"], wait["cost_usd"]) == (0.0, 0.0)
    assert wait["from_id"] == wait["to_id"] == "alpha"
    assert "service.rail.countries.UZ.headway_h" in r.parameters.index
    assert "rail service headway in UZ" in wait["detail"]
    # start 4 h + wait 5 h + rail 350 km at 40 (alpha-delta) and 200 km at 50 + borders
    # 6 + 20 h + gauge break 10 h + end 4 h
    assert r.hours == pytest.approx(4 + 5 + 350 / 40 + 200 / 50 + 6 + 20 + 10 + 4)
    assert r.hours == pytest.approx(legs["hours"].sum())


def test_a_road_to_rail_change_boards_a_train_too(waits):
    # starting by road in AF and changing to rail at charlie: the rail default's 8 h headway
    r = route("charlie", "echo", network=waits, scenario="uap",
              via=["charlie"], avoid=["d_cd", "d_de"])
    kinds = list(r.legs["kind"])
    assert "service_wait" in kinds
    wait = r.legs[r.legs["kind"] == "service_wait"].iloc[0]
    assert wait["hours"] == pytest.approx(4.0)
    assert wait["country"] == "AF"


def test_en_route_delays_follow_each_link_and_leave_its_line_haul_alone(waits):
    r = route("alpha", "echo", network=waits, modes=["road"])
    legs = r.legs
    delays = legs[legs["kind"] == "delay"]
    # the two Afghan road links: 105 and 160 km at 0.02 h/km
    assert delays["ref"].tolist() == ["d_bc", "d_cd"]
    assert delays["hours"].tolist() == pytest.approx([2.1, 3.2])
    for _, d in delays.iterrows():
        host = legs[legs["seq"] == d["seq"] - 1].iloc[0]
        assert host["kind"] == "link" and host["ref"] == d["ref"]
        assert host["hours"] == pytest.approx(host["km"] / 25.0)   # line haul unchanged
        # shown on arrival at the link's end, so the legs stay a connected walk
        assert d["km"] == 0.0 and d["from_id"] == d["to_id"] == host["to_id"]
    assert r.hours == pytest.approx(legs["hours"].sum())


def test_an_escort_wait_follows_its_border(waits):
    r = route("alpha", "echo", network=waits, modes=["road"])
    legs = r.legs
    escort = legs[legs["kind"] == "escort"]
    assert escort["ref"].tolist() == ["b_road_uz_af"]
    assert escort["hours"].tolist() == [3.0]
    border = legs[legs["seq"] == escort["seq"].iloc[0] - 1].iloc[0]
    assert (border["kind"], border["hours"]) == ("border", 10.0)
    assert set(r.events["kind"]) >= {"border", "escort", "delay"}


def test_the_independent_pricer_agrees_on_every_wait(waits, waits_path):
    pricer = Pricer(waits_path)
    for kwargs in ({"modes": ["road"]}, {"scenario": "uap", "modes": ["rail"]},
                   {"scenario": "uap"}, {"objective": "time"}):
        for o, d in (("alpha", "echo"), ("echo", "alpha"), ("charlie", "foxtrot")):
            if d == "foxtrot" and "modes" in kwargs:
                continue        # foxtrot is reached by sea only
            r = route(o, d, network=waits, **kwargs)
            sc = kwargs.get("scenario")
            assumptions = pricer.named(sc) if sc else Assumptions(("operational",), (), (), {})
            assert_priced(pricer, r, assumptions)


def test_measures_and_breakdown_carry_the_wait_legs(waits):
    r = route("alpha", "echo", network=waits, scenario="uap", modes=["rail"])
    road = route("alpha", "echo", network=waits, modes=["road"])
    assert r.measures["kind"].tolist() == r.legs["kind"].tolist()
    assert r.kind_counts["service_wait"] == 1
    table = breakdown(road, r)
    assert table.loc["waiting for departures", "new_hours"] == pytest.approx(5.0)
    assert table.loc["en-route delays", "old_hours"] == pytest.approx(5.3)
    assert table.loc["convoys and escorts", "old_hours"] == pytest.approx(3.0)
    assert table.loc["total", "hours_saved"] == pytest.approx(road.hours - r.hours)


def test_a_scenario_can_change_a_service_headway(waits):
    base = route("alpha", "echo", network=waits, scenario="uap", modes=["rail"])
    faster = Scenario("trains_more_often", build=("uap",),
                      overrides={"service.rail.countries.UZ.headway_h": 2.0})
    r = route("alpha", "echo", network=waits, scenario=faster, modes=["rail"])
    assert base.hours - r.hours == pytest.approx(4.0)
    with pytest.raises(ScenarioError, match="no place in country 'KZ' serves 'rail'"):
        route("alpha", "echo", network=waits, scenario=Scenario(
            "x", overrides={"service.rail.countries.KZ.headway_h": 2.0}))
    with pytest.raises(ScenarioError, match="use service"):
        route("alpha", "echo", network=waits, scenario=Scenario(
            "x", overrides={"service.rail.speed_kmh": 2.0}))


def test_a_network_without_waits_routes_as_before(tiny, waits):
    r = route("alpha", "echo", network=tiny, modes=["road"])
    assert not set(r.legs["kind"]) & {"service_wait", "delay", "escort"}


@pytest.mark.parametrize(("text", "message"), [
    ('[service.ship]\nheadway_h = 5.0\nsource = "tiny"\n', "unknown mode 'ship'"),
    ('[service.rail]\nheadway_h = -5.0\nsource = "tiny"\n', "headway_h"),
    ('[service.rail]\nheadway_h = 5.0\nsource = "nowhere"\n', "'nowhere' is not in sources.csv"),
    ('[service.rail.countries.Uz]\nheadway_h = 5.0\nsource = "tiny"\n',
     "not an ISO 3166-1 alpha-2 code"),
    ('[service]\nrail = 3\n', "service.rail"),
])
def test_bad_service_tables_are_reported(tmp_path, text, message):
    folder = write_tiny(tmp_path / "bad")
    (folder / "params.toml").write_text(TINY_FILES["params.toml"] + "\n" + text,
                                        encoding="utf-8")
    with pytest.raises(NetworkDataError, match=message):
        load_network(folder)


def test_bad_delay_and_escort_figures_are_reported(tmp_path):
    folder = write_tiny(tmp_path / "bad")
    (folder / "params.toml").write_text(
        DELAY_PARAMS.replace("delay_h_per_km = 0.02", "delay_h_per_km = 3.0"), encoding="utf-8")
    (folder / "crossings.csv").write_text(ESCORT_CROSSINGS.replace(",50,3,", ",50,soon,"),
                                          encoding="utf-8")
    with pytest.raises(NetworkDataError) as err:
        load_network(folder)
    text = str(err.value)
    assert "delay_h_per_km" in text and "escort_h" in text


def test_uap_against_bandar_abbas_shows_its_waits_and_what_drives_the_difference():
    """Issue 11's acceptance on the bundled network."""
    from corridor_router import check_claim
    c = check_claim("Tashkent", "Karachi", corridor="uap", versus="bandar_abbas")
    new, old = c.new.legs, c.old.legs
    # both board a train in Tashkent (Uzbek trains three a week); the Bandar Abbas route
    # also waits for its sailing to Karachi
    for legs in (new, old):
        wait = legs[legs["kind"] == "service_wait"].iloc[0]
        assert wait["from_id"] == "tashkent" and wait["hours"] == pytest.approx(28.0)
        assert "service.rail.countries.UZ.headway_h" in c.new.parameters.index
    assert "wait" in set(old["kind"]) and "wait" not in set(new["kind"])
    line = next(x for x in c.summary().splitlines() if x.startswith("Stops and waits"))
    table = c.breakdown.drop(index="total")
    stops = table[~table.index.str.startswith(("line haul", "sea"))]
    stops = stops[(stops["hours_saved"] != 0) | (stops["old_hours"] != 0)]
    named = [part.split(" +")[0].split(" -")[0] for part in
             line.split("largest first: ")[1].rstrip(".").split("; ")]
    assert set(named) == set(stops.index)
    assert named == list(stops["hours_saved"].abs().sort_values(
        ascending=False, kind="stable").index)
    first = stops.loc[named[0], "hours_saved"] / 24
    assert f"{named[0]} {first:+.1f}" in line


def test_a_route_comes_back_equal_from_a_pickle_with_its_waits_split_out():
    import pickle
    for o, d in (("altynkol", "aktau"), ("karachi", "almaty"), ("tashkent", "karachi")):
        r = route(o, d)
        assert {"delay", "service_wait", "escort"} & set(r.legs["kind"]), (o, d)
        again = pickle.loads(pickle.dumps(r))
        assert again == r and again.totals == r.totals


def test_a_scheduled_mode_takes_no_service_headway(tmp_path, waits):
    folder = write_tiny(tmp_path / "bad")
    (folder / "params.toml").write_text(
        TINY_FILES["params.toml"] + '\n[service.sea]\nheadway_h = 24.0\nsource = "tiny"\n',
        encoding="utf-8")
    with pytest.raises(NetworkDataError, match="would count the wait twice"):
        load_network(folder)
    with pytest.raises(ScenarioError, match="would count the wait twice"):
        route("echo", "foxtrot", network=waits,
              scenario=Scenario("x", overrides={"service.sea.headway_h": 24.0}))


def test_a_figure_may_carry_its_own_sources(tmp_path):
    folder = write_tiny(tmp_path / "own")
    (folder / "sources.csv").write_text(
        TINY_FILES["sources.csv"] + "other,Another source,tests,2026,,M,\n", encoding="utf-8")
    (folder / "params.toml").write_text(DELAY_PARAMS.replace(
        "delay_h_per_km = 0.02", 'delay_h_per_km = 0.02\ndelay_h_per_km_source = ["other"]'),
        encoding="utf-8")
    net = load_network(folder)
    p = route("alpha", "echo", network=net, modes=["road"]).parameters
    assert p.loc["modes.road.countries.AF.delay_h_per_km", "source"] == "other"
    assert p.loc["modes.road.countries.AF.speed_kmh", "source"] == "tiny"
    (folder / "params.toml").write_text(DELAY_PARAMS.replace(
        "delay_h_per_km = 0.02", 'delay_h_per_km = 0.02\ndelay_h_per_km_source = ["ghost"]'),
        encoding="utf-8")
    with pytest.raises(NetworkDataError, match="delay_h_per_km_source"):
        load_network(folder)


def test_a_port_call_takes_the_port_figure_of_its_direction(tmp_path):
    folder = write_tiny(tmp_path / "ports")
    places = TINY_FILES["places.csv"].replace(
        "handling_usd_per_teu,handling_h,source",
        "handling_usd_per_teu,handling_h,handling_import_h,handling_export_h,"
        "handling_import_usd_per_teu,handling_export_usd_per_teu,source")
    lines = places.splitlines()
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        extra = ["50", "20", "70", ""] if cells[0] == "echo" else ["", "", "", ""]
        lines[i] = ",".join([*cells[:10], *extra, *cells[10:]])
    (folder / "places.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    net = load_network(folder)
    inbound = route("foxtrot", "alpha", network=net, modes=["sea", "road"])
    outbound = route("alpha", "foxtrot", network=net, modes=["sea", "road"])
    call_in = inbound.legs[inbound.legs["kind"] == "port_call"].iloc[0]
    call_out = outbound.legs[outbound.legs["kind"] == "port_call"].iloc[0]
    # leaving a ship: the import figures; boarding one: the export hours and, with no
    # export cost given, the place's both-ways cost (40)
    assert (call_in["hours"], call_in["cost_usd"]) == (50.0, 70.0)
    assert (call_out["hours"], call_out["cost_usd"]) == (20.0, 40.0)
    assert "places.echo.handling_import_h" in inbound.parameters.index
    pricer = Pricer(folder)
    for r in (inbound, outbound):
        assert_priced(pricer, r, Assumptions(("operational",), (), (), {}))
    faster = Scenario("x", overrides={"places.echo.handling_import_h": 5.0})
    again = route("foxtrot", "alpha", network=net, modes=["sea", "road"], scenario=faster)
    assert inbound.hours - again.hours == pytest.approx(45.0)
