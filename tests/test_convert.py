"""networkx views (to_networkx) and their GeoDataFrame inverse (graph_to_gdfs / graph_from_gdfs)."""

from __future__ import annotations

import copy
import itertools
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import TINY_FILES, write_tiny
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Point

from corridor_router import (
    InputTypeError,
    InvalidInputError,
    NoRouteError,
    ScenarioError,
    load_network,
    route,
)
from corridor_router.convert import graph_from_gdfs, graph_to_gdfs, to_networkx
from corridor_router.costs import TIE_BREAK
from corridor_router.graph import build_graph

OBJECTIVES = ("cost", "time", "distance", "generalized")
METRIC = {"cost": "cost_usd", "time": "hours", "distance": "km", "generalized": None}


@pytest.fixture(scope="module")
def bundled():
    return load_network()


def _exact_items(graph):
    """Nodes, edges and attributes in order, with each value's type (1 == 1.0 == True)."""
    def typed(d):
        return sorted((k, type(v).__name__, v) for k, v in d.items())
    return ([(n, typed(d)) for n, d in graph.nodes(data=True)],
            [(u, v, k, typed(d)) for u, v, k, d in graph.edges(keys=True, data=True)],
            graph.graph)


def assert_same_graph(g, h):
    assert nx.utils.graphs_equal(g, h)
    assert _exact_items(g) == _exact_items(h)


def assert_same_frames(a, b):
    for x, y in zip(a, b):
        assert_geodataframe_equal(x, y, check_less_precise=False)
        assert x.equals(y)
        assert x.attrs == y.attrs


# -- round trips ------------------------------------------------------------------------
def assert_round_trips(g):
    """graph -> frames -> graph and frames -> graph -> frames are both exact; the copy."""
    frames = graph_to_gdfs(g)
    h = graph_from_gdfs(*frames)
    assert_same_graph(g, h)
    assert_same_frames(graph_to_gdfs(h), frames)
    return h


@pytest.mark.parametrize(("scenario", "objective"),
                         [(None, None), ("uap", "cost"), ("bravo_closed", "generalized")])
def test_round_trips_on_the_tiny_network(tiny, scenario, objective):
    assert_round_trips(to_networkx(tiny, scenario=scenario, objective=objective))


@pytest.mark.parametrize(("scenario", "objective"), [(None, "time"), ("both", None)])
def test_round_trips_on_the_bundled_network(bundled, scenario, objective):
    h = assert_round_trips(to_networkx(bundled, scenario=scenario, objective=objective))
    # the bundled network has parallel road links: keys 0 and 1 survive the trip
    assert ("lahore/road/PK", "rawalpindi/road/PK", 1) in h.edges(keys=True)


def test_round_trip_of_a_general_graph_with_missing_values():
    g = nx.MultiDiGraph(crs="EPSG:4326", note={"nested": [1, 2]})
    g.add_node(1, x=0.0, y=1.0, label="a", count=3, flag=True, maybe=None)
    g.add_node(2, x=1.0, y=2.0, label=None, count=None, flag=None, maybe=None)
    g.add_edge(1, 2, w=1.5, geometry=LineString([(0, 1), (1, 2)]))
    g.add_edge(1, 2, w=2.5)                         # parallel, no geometry
    g.add_edge(2, 1, key=7, w=float("nan"), tag="x")
    nodes, edges = graph_to_gdfs(g)
    assert nodes["count"].dtype == "Int64" and nodes["flag"].dtype == "boolean"
    assert edges.geometry.isna().tolist() == [False, True, True]
    h = graph_from_gdfs(nodes, edges)
    assert list(h.nodes(data=True)) == list(g.nodes(data=True))
    assert h.graph == g.graph and h.graph["note"] is not g.graph["note"]
    # an attribute an edge lacked comes back None (or NaN in a float column); a missing
    # geometry is left out
    got = {(u, v, k): d for u, v, k, d in h.edges(keys=True, data=True)}
    assert got[1, 2, 0]["geometry"] == LineString([(0, 1), (1, 2)])
    assert "geometry" not in got[1, 2, 1] and got[1, 2, 1]["tag"] is None
    assert np.isnan(got[2, 1, 7]["w"]) and got[2, 1, 7]["tag"] == "x"
    assert_same_frames(graph_to_gdfs(h), (nodes, edges))


def test_round_trip_of_an_empty_graph():
    g = nx.MultiDiGraph(crs="EPSG:4326")
    nodes, edges = graph_to_gdfs(g)
    assert nodes.empty and edges.empty
    assert_same_graph(graph_from_gdfs(nodes, edges), g)


def test_frames_without_graph_attrs_or_xy_columns(tiny):
    g = to_networkx(tiny)
    nodes, edges = graph_to_gdfs(g)
    bare_nodes = nodes.drop(columns=["x", "y"])
    bare_nodes.attrs, edges.attrs = {}, {}
    h = graph_from_gdfs(bare_nodes, edges)
    assert h.graph == {"crs": "EPSG:4326"}
    assert dict(h.nodes(data=True)) == dict(g.nodes(data=True))  # x, y from the points
    h = graph_from_gdfs(nodes, edges, graph_attrs={"crs": "EPSG:4326", "network": "mine"})
    assert h.graph == {"crs": "EPSG:4326", "network": "mine"}


# -- the index contract and geometry ----------------------------------------------------
def test_index_contract_and_geometry(tiny):
    g = to_networkx(tiny)
    nodes, edges = graph_to_gdfs(g)
    assert nodes.index.name == "node" and nodes.index.tolist() == list(g.nodes)
    assert edges.index.names == ["u", "v", "key"]
    assert edges.index.tolist() == list(g.edges(keys=True))
    assert nodes.index.is_unique and edges.index.is_unique
    assert str(nodes.crs) == str(edges.crs) == "EPSG:4326" == g.graph["crs"]
    assert nodes.attrs["graph"] == edges.attrs["graph"] == g.graph
    assert (nodes.geometry.x == nodes["x"]).all() and (nodes.geometry.y == nodes["y"]).all()

    links = tiny.links.geometry
    for (u, v, _k), row in edges.iterrows():
        geom = row.geometry
        if row["kind"] == "link":       # the link's line, run in the direction of travel
            assert isinstance(geom, LineString)
            assert geom.coords[0] == (g.nodes[u]["x"], g.nodes[u]["y"])
            assert geom.coords[-1] == (g.nodes[v]["x"], g.nodes[v]["y"])
            line = links[row["ref"]]
            assert geom in (line, line.reverse())
        else:                           # a point at the place
            assert geom == Point(g.nodes[u]["x"], g.nodes[u]["y"])
    # the link r_ab runs alpha -> bravo forwards and back
    ab = edges.xs(("alpha/rail:1520/UZ", "bravo/rail:1520/UZ", 0))
    ba = edges.xs(("bravo/rail:1520/UZ", "alpha/rail:1520/UZ", 0))
    assert ab.geometry == links["r_ab"] and ba.geometry == links["r_ab"].reverse()


def test_attributes_of_nodes_edges_and_graph(tiny):
    g = to_networkx(tiny, objective="distance")
    assert g.graph == {"crs": "EPSG:4326", "network": "tiny", "scenario": "baseline",
                       "objective": "distance",
                       "units": {"km": "km", "hours": "h", "cost_usd": "USD per TEU, 2023 prices",
                                 "x": "degrees longitude", "y": "degrees latitude",
                                 "weight": "km"}}
    assert g.nodes["delta/rail:1676/PK"] == {
        "place": "delta", "place_name": "Delta Pass", "role": "layer", "layer": "rail:1676",
        "mode": "rail", "gauge": 1676, "side": "PK", "x": 68.0, "y": 38.2}
    assert g.nodes["echo/origin"]["role"] == "origin"
    assert g.nodes["echo/origin"]["layer"] is None and g.nodes["echo/origin"]["gauge"] is None
    assert g.nodes["echo/sea/PK/departure:s_ef"]["role"] == "departure"
    assert g.nodes["echo/road/PK"]["gauge"] is None
    edge = g.edges["alpha/rail:1520/UZ", "bravo/rail:1520/UZ", 0]
    assert {k: v for k, v in edge.items() if k != "geometry"} == {
        "kind": "link", "mode": "rail", "ref": "r_ab", "country": "UZ", "km": 100.0,
        "hours": 2.5, "cost_usd": 100.0, "enabled": True,
        "weight": pytest.approx(100.0 + TIE_BREAK * 2.5, abs=0)}
    border = g.edges["bravo/rail:1520/UZ", "bravo/rail:1520/AF", 0]
    assert (border["kind"], border["ref"], border["hours"], border["cost_usd"]) \
        == ("border", "b_rail_uz_af", 6.0, 100.0)
    wait = g.edges["echo/sea/PK", "echo/sea/PK/departure:s_ef", 0]
    assert (wait["kind"], wait["ref"], wait["hours"], wait["country"]) == ("wait", "s_ef", 84.0, "PK")
    sea = g.edges["echo/sea/PK/departure:s_ef", "foxtrot/sea/AE", 0]
    assert (sea["kind"], sea["country"], sea["km"]) == ("link", None, 1500.0)
    kinds = {d["kind"] for _, _, d in g.edges(data=True)}
    assert kinds == {"link", "wait", "border", "gauge_break", "transfer", "port_call",
                     "start", "end"}
    assert "weight" not in next(iter(to_networkx(tiny).edges(data=True)))[2]


# -- shortest paths on the view are routes ----------------------------------------------
def _path_totals(g, path):
    """km, hours and cost along a node path, taking the lightest of parallel edges."""
    total = dict.fromkeys(("km", "hours", "cost_usd"), 0.0)
    for u, v in itertools.pairwise(path):
        edge = min(g[u][v].values(), key=lambda d: d["weight"])
        for k in total:
            total[k] += edge[k]
    return total


def _check_paths(net, scenario, objective, pairs):
    g = to_networkx(net, scenario=scenario, objective=objective)
    usable = nx.subgraph_view(g, filter_edge=lambda u, v, k: g.edges[u, v, k]["enabled"])
    checked = 0
    for a, b in pairs:
        source, target = f"{a}/origin", f"{b}/destination"
        try:
            r = route(a, b, network=net, scenario=scenario, objective=objective)
        except NoRouteError:
            with pytest.raises(nx.NetworkXNoPath):
                nx.shortest_path_length(usable, source, target, weight="weight")
            assert not np.isfinite(nx.shortest_path_length(g, source, target, weight="weight"))
            continue
        length = nx.shortest_path_length(g, source, target, weight="weight")
        assert nx.shortest_path_length(usable, source, target, weight="weight") == length
        expected = {"cost": r.cost_usd + TIE_BREAK * r.hours,
                    "time": r.hours + TIE_BREAK * r.cost_usd,
                    "distance": r.km + TIE_BREAK * r.hours,
                    "generalized": r.generalized_cost_usd}[objective]
        assert length == pytest.approx(expected, rel=1e-9, abs=1e-9)
        # the objective's metric summed along the networkx path (ties differ by the
        # tie-break term at most)
        totals = _path_totals(g, nx.shortest_path(g, source, target, weight="weight"))
        metric = METRIC[objective]
        if metric is None:
            got = totals["cost_usd"] + r.value_of_time * totals["hours"]
            assert got == pytest.approx(r.generalized_cost_usd, rel=1e-9, abs=1e-9)
        else:
            other = totals["hours"] if metric != "hours" else totals["cost_usd"]
            slack = TIE_BREAK * max(other, r.hours if metric != "hours" else r.cost_usd)
            assert totals[metric] == pytest.approx(getattr(r, metric), rel=1e-9,
                                                   abs=slack + 1e-9)
        checked += 1
    return checked


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("scenario", ["baseline", "uap", "bravo_closed"])
def test_shortest_paths_equal_routes_on_the_tiny_network(tiny, scenario, objective):
    ids = list(tiny.places.index)
    pairs = [(a, b) for a in ids for b in ids if a != b]
    assert _check_paths(tiny, scenario, objective, pairs) >= 10


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_shortest_paths_equal_routes_on_the_bundled_network(bundled, objective):
    rng = np.random.default_rng(9)
    ids = list(bundled.places.index)
    pairs = [("tashkent", "karachi"), ("almaty", "gwadar")] + [
        tuple(ids[i] for i in rng.choice(len(ids), 2, replace=False)) for _ in range(6)]
    assert _check_paths(bundled, "baseline", objective, pairs) >= 6
    assert _check_paths(bundled, "uap", objective, pairs[:3]) >= 1


# -- names, scenarios, no mutation ------------------------------------------------------
def test_node_names_are_unique_readable_and_stable(tiny_path, tmp_path, bundled):
    g = to_networkx(load_network(tiny_path))
    assert len(set(g.nodes)) == g.number_of_nodes() == build_graph(load_network(tiny_path)).n_nodes
    assert list(to_networkx(load_network(tiny_path)).nodes) == list(g.nodes)
    assert list(to_networkx(load_network()).nodes) == list(to_networkx(bundled).nodes)
    assert list(to_networkx(tiny_path, scenario="uap").nodes) == list(g.nodes)
    for name, d in g.nodes(data=True):
        if d["role"] in ("origin", "destination"):
            assert name == f"{d['place']}/{d['role']}"
        elif d["role"] == "departure":
            assert name.startswith(f"{d['place']}/{d['layer']}/{d['side']}/departure:")
        else:
            assert name == f"{d['place']}/{d['layer']}/{d['side']}"
    # stable: a network with its links and crossings in another order has the same nodes
    # and the same edges (by name, kind and ref), though its nodes are numbered otherwise
    shuffled = write_tiny(tmp_path / "shuffled")
    for file in ("links.csv", "crossings.csv"):
        header, *rows = TINY_FILES[file].strip().splitlines()
        (shuffled / file).write_text("\n".join([header, *rows[::-1]]) + "\n", encoding="utf-8")
    s = to_networkx(load_network(shuffled))
    assert list(s.nodes) != list(g.nodes) and set(s.nodes) == set(g.nodes)

    def edge_set(h):
        return sorted((u, v, d["kind"], d["ref"], d["cost_usd"]) for u, v, d in h.edges(data=True))
    assert edge_set(s) == edge_set(g)


def test_disabled_edges_are_kept_and_marked(tiny):
    n_edges = build_graph(tiny).n_edges
    base = to_networkx(tiny, objective="cost")
    built = to_networkx(tiny, scenario="uap", objective="cost")
    closed = to_networkx(tiny, scenario="bravo_closed", objective="cost")
    assert base.number_of_edges() == built.number_of_edges() == closed.number_of_edges() \
        == n_edges
    off = [(u, v, d) for u, v, d in base.edges(data=True) if not d["enabled"]]
    # the unbuilt link, and the rail border at delta that no AF rail reaches without it
    unbuilt = ("r_cd", "d_rail_af_pk", "d_rail_pk_af")
    assert sorted(d["ref"] for _, _, d in off) == ["d_rail_af_pk", "d_rail_af_pk",
                                                   "d_rail_pk_af", "d_rail_pk_af",
                                                   "r_cd", "r_cd"]
    assert all(d["weight"] == np.inf for _, _, d in off)
    assert all(d["km"] == 150.0 for _, _, d in off if d["ref"] == "r_cd")
    assert all(d["enabled"] for _, _, d in built.edges(data=True))
    for u, v, d in closed.edges(data=True):
        shut = "bravo" in (closed.nodes[u]["place"], closed.nodes[v]["place"]) \
            or d["ref"] in unbuilt       # the closed place, and the unbuilt line
        assert d["enabled"] is not shut
        assert (d["weight"] == np.inf) is shut


def test_nothing_of_the_network_is_mutated(tiny):
    before = route("alpha", "foxtrot", network=tiny)      # fills the network's caches
    frames = {k: getattr(tiny, k).copy(deep=True) for k in ("places", "links", "crossings",
                                                             "sources")}
    params, scenarios = copy.deepcopy(dict(tiny.params)), dict(tiny.scenarios)
    g = to_networkx(tiny, scenario="uap", objective="cost")
    nodes, edges = graph_to_gdfs(g)
    h = graph_from_gdfs(nodes, edges)
    for graph in (g, h):                # changing the views leaves the network alone
        graph.graph["units"]["km"] = "miles"
        for _, _, d in graph.edges(data=True):
            d["km"] = -1.0
    for k, frame in frames.items():
        pd.testing.assert_frame_equal(getattr(tiny, k), frame)
    assert dict(tiny.params) == params and dict(tiny.scenarios) == scenarios
    assert route("alpha", "foxtrot", network=tiny) == before
    assert to_networkx(tiny, scenario="uap", objective="cost").graph["units"]["km"] == "km"
    assert nx.utils.graphs_equal(to_networkx(tiny, scenario="uap", objective="cost"),
                                 graph_from_gdfs(*graph_to_gdfs(
                                     to_networkx(tiny, scenario="uap", objective="cost"))))


# -- arguments --------------------------------------------------------------------------
def test_network_by_name_or_folder(tiny_path):
    assert list(to_networkx(tiny_path).nodes) == list(to_networkx(str(tiny_path)).nodes)
    assert to_networkx("central_asia").graph["network"] == "central_asia"


def test_bad_arguments_raise_the_package_errors(tiny):
    with pytest.raises(InvalidInputError, match="objective"):
        to_networkx(tiny, objective="fastest")
    with pytest.raises(InputTypeError, match="network"):
        to_networkx(42)  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="nowhere"):
        to_networkx(tiny, scenario="nowhere")
    with pytest.raises(InputTypeError, match="MultiDiGraph"):
        graph_to_gdfs(nx.DiGraph())
    g = nx.MultiDiGraph()
    g.add_node("a", x=1.0)
    with pytest.raises(InvalidInputError, match="'x' or 'y'"):
        graph_to_gdfs(g)

    nodes, edges = graph_to_gdfs(to_networkx(tiny))
    with pytest.raises(InputTypeError, match="nodes"):
        graph_from_gdfs([], edges)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"node name.*repeated"):
        graph_from_gdfs(pd.concat([nodes, nodes.iloc[:1]]), edges)
    with pytest.raises(InvalidInputError, match=r"\(u, v, key\) MultiIndex"):
        graph_from_gdfs(nodes, edges.reset_index(drop=True))
    with pytest.raises(InvalidInputError, match=r"\(u, v, key\) index must be unique"):
        graph_from_gdfs(nodes, pd.concat([edges, edges.iloc[:1]]))
    with pytest.raises(InvalidInputError, match="not in the nodes' index"):
        graph_from_gdfs(nodes.drop(index="alpha/origin"), edges)
    assert isinstance(nodes, gpd.GeoDataFrame)


def test_import_stays_lazy():
    # networkx is imported by the functions, never by `import corridor_router.convert`
    code = ("import sys, corridor_router, corridor_router.convert; "
            "print('networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent)
    assert out.stdout.strip() == "False"
