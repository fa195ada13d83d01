"""Modes and edge kinds as data (corridor_router.modes) and the graph's structured layers."""

from __future__ import annotations

import dataclasses
import tomllib

import numpy as np
import pytest
from conftest import write_tiny

from corridor_router import load_network, route
from corridor_router.graph import EdgeKind, build_graph, gauge_pair
from corridor_router.modes import (
    GAUGES,
    KIND_NAMES,
    MODE_TRAITS,
    ModeTraits,
    gauge_of,
    gauged_modes,
    layer_name,
    mode_names,
    mode_of,
    traits,
)
from corridor_router.network import _bundled_root

TRAITS = [f.name for f in dataclasses.fields(ModeTraits)]
#: A full set of valid trait values, to leave one out of.
RIVER = {"name": "river", "gauged": False, "land": True, "port_call": False,
         "component": "inland waterway"}


@pytest.fixture(scope="module")
def bundled():
    return load_network()


# -- the registry ---------------------------------------------------------------------
@pytest.mark.parametrize("mode", list(MODE_TRAITS))
def test_every_mode_has_every_trait(mode):
    t = MODE_TRAITS[mode]
    assert isinstance(t, ModeTraits) and t.name == mode and traits(mode) is t
    for name in TRAITS:
        value = getattr(t, name)
        assert type(value) is (str if name in ("name", "component") else bool), name
        if isinstance(value, str):
            assert value


@pytest.mark.parametrize("missing", TRAITS)
def test_a_mode_without_a_trait_fails(missing):
    ModeTraits(**RIVER)
    with pytest.raises(TypeError, match=missing):
        ModeTraits(**{k: v for k, v in RIVER.items() if k != missing})


@pytest.mark.parametrize(("trait", "value"), [("gauged", 1), ("land", "yes"),
                                              ("port_call", None), ("component", ""),
                                              ("name", "rail:1520"), ("name", "a-b")])
def test_a_trait_of_the_wrong_kind_fails(trait, value):
    with pytest.raises(TypeError):
        ModeTraits(**{**RIVER, trait: value})


def test_modes_are_read_when_called(monkeypatch):
    assert mode_names() == tuple(MODE_TRAITS) == ("rail", "road", "sea", "ferry")
    assert gauged_modes() == ("rail",)
    monkeypatch.setitem(MODE_TRAITS, "tram", ModeTraits(**{**RIVER, "name": "tram",
                                                            "gauged": True}))
    assert mode_names()[-1] == "tram" and gauged_modes() == ("rail", "tram")
    assert layer_name("tram", 1435) == "tram:1435" and traits("tram").gauged


def test_every_bundled_mode_has_its_figures_in_the_bundled_params():
    with open(_bundled_root() / "central_asia" / "params.toml", "rb") as f:
        params = tomllib.load(f)
    for mode in MODE_TRAITS:
        assert {"speed_kmh", "rate_usd_per_teu_km", "source"} <= set(params["modes"][mode])
        assert {"cost_usd_per_teu", "hours", "source"} <= set(params["connector"][mode])
    pairs = {tuple(k.split("-")) for k in params["gauge_break"]}
    assert {int(g) for pair in pairs for g in pair} == set(GAUGES)


def test_edge_kind_codes_and_labels_are_stable():
    assert {k.label: int(k) for k in EdgeKind} == {
        "link": 0, "transfer": 1, "port_call": 2, "gauge_break": 3, "border": 4, "wait": 5,
        "start": 6, "end": 7}
    assert KIND_NAMES == ("link", "transfer", "port_call", "gauge_break", "border", "wait",
                          "start", "end")


def test_layer_names_round_trip():
    for mode in MODE_TRAITS:
        for gauge in (None, *GAUGES):
            name = layer_name(mode, gauge)
            assert mode_of(name) == mode
            assert gauge_of(name) == (gauge if traits(mode).gauged else None)
    assert gauge_pair("rail:1676", "rail:1435") == gauge_pair("rail:1435", "rail:1676") \
        == "1435-1676"


# -- structured layer columns ---------------------------------------------------------
def assert_columns_match_layers(g):
    """mode_*/gauge_* and node_mode/node_gauge say what the layer strings say."""
    assert g.mode_names == mode_names()
    for codes, gauges, layers in ((g.mode_a, g.gauge_a, g.layer_a),
                                  (g.mode_b, g.gauge_b, g.layer_b),
                                  (g.node_mode, g.node_gauge, g.node_layer)):
        assert codes.dtype == np.int8 and gauges.dtype == np.int16
        assert len(codes) == len(gauges) == len(layers)
        assert not codes.flags.writeable and not gauges.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            codes[:1] = 0
        for m, gauge, layer in zip(codes.tolist(), gauges.tolist(), layers.tolist()):
            base = layer.split(">")[0]          # departure nodes: "<layer>>departure"
            if base:
                assert g.mode_names[m] == mode_of(base)
                assert gauge == (gauge_of(base) or 0)
            else:
                assert (m, gauge) == (-1, 0)
    assert (g.gauge_a > 0).sum() > 0 and set(np.unique(g.gauge_a)) <= {0, *GAUGES}
    assert g.node_departure.dtype == bool and not g.node_departure.flags.writeable
    assert (g.node_departure == np.char.endswith(g.node_layer.astype(str), ">departure")).all()
    assert g.node_departure.sum() == (g.kind == EdgeKind.WAIT).sum() > 0
    origins = np.concatenate([g.origin_node, g.dest_node])
    assert (g.node_mode[origins] == -1).all() and (g.node_mode >= 0).sum() == \
        g.n_nodes - len(origins)
    kind = g.kind
    assert (g.mode_a[kind == EdgeKind.START] == -1).all()
    assert (g.mode_b[kind == EdgeKind.END] == -1).all()
    gb = kind == EdgeKind.GAUGE_BREAK
    assert (g.mode_a[gb] == g.mode_b[gb]).all() and (g.gauge_a[gb] != g.gauge_b[gb]).all()
    assert (g.edge_mode == np.array([*g.mode_names, ""])[
        np.where(g.mode_b >= 0, g.mode_b, g.mode_a)]).all()


def test_structured_columns_agree_with_the_layers_on_the_bundled_network(bundled):
    assert_columns_match_layers(build_graph(bundled))


def test_structured_columns_agree_with_the_layers_on_the_tiny_network(tiny):
    assert_columns_match_layers(build_graph(tiny))


def test_traits_are_read_when_the_graph_is_built(tiny, monkeypatch):
    # road <-> rail transfers become port calls once road is said to call at ports
    before = build_graph(tiny)
    rail_road = (before.kind == EdgeKind.TRANSFER) & np.isin(before.mode_a, [0, 1]) \
        & np.isin(before.mode_b, [0, 1])
    assert rail_road.any()
    monkeypatch.setitem(MODE_TRAITS, "road", dataclasses.replace(MODE_TRAITS["road"],
                                                                 port_call=True))
    after = build_graph(tiny)
    assert (after.kind[rail_road] == EdgeKind.PORT_CALL).all()
    assert np.array_equal(after.src, before.src) and np.array_equal(after.dst, before.dst)


# -- a new mode is one entry plus data --------------------------------------------------
RIVER_PARAMS = """
[modes.river]
speed_kmh = 10.0
rate_usd_per_teu_km = 0.05
co2e_kg_per_teu_km = 0.3
source = "tiny"

[connector.river]
cost_usd_per_teu = 10.0
hours = 2.0
source = "tiny"

[transfer."rail-river"]
cost_usd_per_teu = 25.0
hours = 6.0
source = "tiny"
[transfer."river-road"]
cost_usd_per_teu = 25.0
hours = 6.0
source = "tiny"
[transfer."river-sea"]
cost_usd_per_teu = 40.0
hours = 12.0
source = "tiny"
"""


@pytest.fixture
def river_path(tmp_path, monkeypatch):
    r"""The tiny network with a river from Delta to Echo (both served by boats)::

        ... delta|AF/PK ==rail 1676== echo(PK port) ~~sea~~ foxtrot(AE)
                 \------road------/
                 \_____river______/   180 km, USD 0.05 per TEU-km, 10 km/h
    """
    monkeypatch.setitem(MODE_TRAITS, "river", ModeTraits(**RIVER))
    folder = write_tiny(tmp_path / "river")
    places = (folder / "places.csv").read_text(encoding="utf-8")
    places = places.replace("PK,border,68.0,38.2,rail;road,", "PK,border,68.0,38.2,rail;road;river,")
    places = places.replace("rail;road;sea,40,30", "rail;road;sea;river,40,30")
    (folder / "places.csv").write_text(places, encoding="utf-8")
    with open(folder / "links.csv", "a", encoding="utf-8") as f:
        f.write("w_de,delta,echo,river,,PK,180,operational,,,,,true,,,tiny,\n")
    with open(folder / "params.toml", "a", encoding="utf-8") as f:
        f.write(RIVER_PARAMS)
    return folder


def test_a_river_mode_is_one_entry_plus_data(river_path):
    net = load_network(river_path)
    g = build_graph(net)
    river = g.mode_names.index("river")
    assert g.mode_names[-1] == "river"
    link = (g.kind == EdgeKind.LINK) & (g.mode_a == river)
    assert link.sum() == 2 and (g.gauge_a[link] == 0).all()
    assert_columns_match_layers(g)
    # river <-> sea at Echo is a port call (sea calls at ports); river <-> rail a transfer
    meets = (g.mode_a == river) | (g.mode_b == river)
    sea = g.mode_names.index("sea")
    calls = meets & ((g.mode_a == sea) | (g.mode_b == sea))
    assert calls.any() and (g.kind[calls] == EdgeKind.PORT_CALL).all()
    assert (g.kind[meets & ~calls & (g.mode_a >= 0) & (g.mode_b >= 0)
                   & (g.mode_a != g.mode_b)] == EdgeKind.TRANSFER).all()

    r = route("delta", "echo", network=net)        # the river is the cheapest way
    assert r.legs["kind"].tolist() == ["start", "link", "end"]
    assert r.legs["mode"].tolist() == ["river"] * 3 and r.legs["ref"].iloc[1] == "w_de"
    assert r.cost_usd == pytest.approx(10 + 180 * 0.05 + 10)
    assert r.hours == pytest.approx(2 + 180 / 10 + 2)
    # the cheapest trip from Alpha to Foxtrot now leaves the rail at Delta for the river
    # and calls at Echo's port from it
    legs = route("alpha", "foxtrot", network=net).legs
    assert "w_de" in set(legs["ref"])
    assert ((legs["kind"] == "port_call") & (legs["detail"] == "river -> sea")).any()


def test_a_river_mode_can_be_chosen_in_modes(river_path):
    r = route("alpha", "echo", network=load_network(river_path), modes=["river", "road"])
    assert set(r.legs["mode"]) == {"river", "road"}
