"""The vectorised graph build, its integer helpers and the ledger's partial pricing.

The graph is checked against a plain Python builder written from the documented order
(:func:`corridor_router.graph.build_graph`): nodes numbered by first visit, link by
link, each direction's start, end and departure node; border crossings layer by layer;
then per place and side the gauge breaks, transfers and connectors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import make_network
from corridor_router import ledger as ledger_module
from corridor_router import load_network
from corridor_router._entries import evaluate
from corridor_router.context import graph_of, scenario_values
from corridor_router.engine import CSRGraph, first_seen, stable_argsort
from corridor_router.graph import build_graph
from corridor_router.metrics import METRICS
from corridor_router.modes import EdgeKind, layer_name, traits
from corridor_router.scenarios import get_scenario


def naive_graph(net):
    """Nodes (place, layer, side) and edges of the virtual graph, one row at a time."""
    places, links, crossings = net.places, net.links, net.crossings
    row = {pid: i for i, pid in enumerate(places.index)}
    country = list(places["country"])
    nodes: list[tuple[int, str, str]] = []
    index: dict[tuple[int, str, str], int] = {}
    edges: list[tuple[int, int, int, int, bool, str, str, str]] = []

    def node(p, layer, side, keyed=True):
        key = (p, layer, side)
        if keyed and key in index:
            return index[key]
        nodes.append(key)
        if keyed:
            index[key] = len(nodes) - 1
        return len(nodes) - 1

    columns = ("from", "to", "mode", "gauge_mm", "country", "bidirectional", "headway_h")
    for r, (frm, to, mode, gauge, land, bidi, headway) in enumerate(
            zip(*(links[c].tolist() for c in columns), strict=True)):
        gauged = traits(mode).gauged and not pd.isna(gauge)
        layer = layer_name(mode, int(gauge) if gauged else None)
        a, b = row[frm], row[to]
        sa, sb = land or country[a], land or country[b]
        for forward, (p, q, sp, sq) in ((True, (a, b, sa, sb)), (False, (b, a, sb, sa))):
            if not forward and not bidi:
                continue
            u, v = node(p, layer, sp), node(q, layer, sq)
            if pd.isna(headway):
                edges.append((u, v, EdgeKind.LINK, r, forward, layer, layer, land))
            else:
                dep = node(p, f"{layer}>departure", sp, keyed=False)
                edges.append((u, dep, EdgeKind.WAIT, r, forward, layer, layer, sp))
                edges.append((dep, v, EdgeKind.LINK, r, forward, layer, layer, land))
    layers_at: dict[int, set[str]] = {}
    for p, layer, _ in index:
        layers_at.setdefault(p, set()).add(layer)
    columns = ("place", "mode", "from_country", "to_country")
    for r, (at, mode, c_from, c_to) in enumerate(
            zip(*(crossings[c].tolist() for c in columns), strict=True)):
        p = row[at]
        for layer in sorted(layers_at.get(p, ())):
            if layer.split(":")[0] == mode:
                u, v = node(p, layer, c_from), node(p, layer, c_to)
                edges.append((u, v, EdgeKind.BORDER, r, True, layer, layer, c_to))
    keyed = list(index.items())
    first_od = len(nodes)
    for p in range(len(places)):
        node(p, "", country[p], keyed=False)
        node(p, "", country[p], keyed=False)
    serves = [set(ms) for ms in places["modes"]]
    by_place: dict[tuple[int, str], list[tuple[str, int]]] = {}
    for (p, layer, side), i in keyed:
        by_place.setdefault((p, side), []).append((layer, i))
    for (p, side) in sorted(by_place):
        here = sorted(by_place[(p, side)])
        for ia, (la, a) in enumerate(here):         # gauge breaks, pairs in sorted order
            for lb, b in here[ia + 1:]:
                mode = la.split(":")[0]
                if traits(mode).gauged and lb.split(":")[0] == mode:
                    edges.append((a, b, EdgeKind.GAUGE_BREAK, p, True, la, lb, side))
                    edges.append((b, a, EdgeKind.GAUGE_BREAK, p, True, lb, la, side))
        served = [(la, a) for la, a in here if la.split(":")[0] in serves[p]]
        for la, a in served:
            ma = la.split(":")[0]
            for lb, b in served:
                mb = lb.split(":")[0]
                if mb != ma:
                    kind = EdgeKind.PORT_CALL if traits(ma).port_call or traits(mb).port_call \
                        else EdgeKind.TRANSFER
                    edges.append((a, b, kind, p, True, la, lb, side))
            edges.append((first_od + 2 * p, a, EdgeKind.START, p, True, "", la, side))
            edges.append((a, first_od + 2 * p + 1, EdgeKind.END, p, True, la, "", side))
    return nodes, edges


@pytest.fixture(scope="module")
def small_nets(tmp_path_factory):
    root = tmp_path_factory.mktemp("graph_fast")
    return [load_network(), *(load_network(make_network(root / f"n{seed}", 40 + 30 * seed,
                                                          seed=seed)) for seed in range(3))]


def test_graph_equals_a_plain_python_build(small_nets, tiny):
    for net in [tiny, *small_nets]:
        g = build_graph(net)
        nodes, edges = naive_graph(net)
        assert g.n_nodes == len(nodes) and g.n_edges == len(edges)
        assert g.node_place.tolist() == [p for p, _, _ in nodes]
        assert g.node_layer.tolist() == [layer for _, layer, _ in nodes]
        assert g.node_side.tolist() == [side for _, _, side in nodes]
        got = list(zip(g.src.tolist(), g.dst.tolist(), g.kind.tolist(), g.ref.tolist(),
                       g.forward.tolist(), g.layer_a.tolist(), g.layer_b.tolist(),
                       g.side.tolist(), strict=True))
        assert got == [tuple(e) for e in edges]


def test_graph_arrays_are_small_and_read_only(small_nets):
    g = build_graph(small_nets[0])
    for name in ("src", "dst", "ref", "node_place", "origin_node", "dest_node"):
        a = getattr(g, name)
        assert a.dtype == np.int32 and not a.flags.writeable
    assert g.side_code.dtype == np.int16 and list(g.side_names) == sorted(g.side_names)
    assert not g.side.flags.writeable and not g.node_layer.flags.writeable
    assert [g.side_of(e) for e in range(g.n_edges)] == g.side.tolist()
    assert g.modes_of(np.arange(g.n_edges)) == g.edge_mode.tolist()
    assert g.side_index("no such country") == -1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 2**40), max_size=60))
def test_stable_argsort_and_first_seen_equal_numpy_and_pandas(values):
    key = np.array(values, dtype=np.int64)
    assert stable_argsort(key).tolist() == np.argsort(key, kind="stable").tolist()
    codes, uniques = first_seen(key)
    expect_codes, expect_uniques = pd.factorize(key)
    assert codes.tolist() == expect_codes.tolist()
    assert uniques.tolist() == list(expect_uniques)


def test_stable_argsort_of_keys_too_wide_to_pack():
    key = np.array([2**62, 3, 2**62, 0], dtype=np.int64)
    assert stable_argsort(key).tolist() == [3, 1, 0, 2]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                         max_size=40))), st.booleans())
def test_csr_slots_find_every_edge_both_ways(graph, keyed):
    from corridor_router import engine
    n, pairs = graph
    src = np.array([u for u, _ in pairs], dtype=np.int64)
    dst = np.array([v for _, v in pairs], dtype=np.int64)
    old = engine.SLOT_KEYS_MAX
    engine.SLOT_KEYS_MAX = 10**9 if keyed else 0     # the kept keys, or the row scan
    try:
        g = CSRGraph(n, src, dst)
        w = g.weigh(np.ones(len(src)))
        if len(src):
            slot = g.slots(src, dst)
            assert (g.indices[slot] == dst).all()
            assert (np.searchsorted(g.indptr, slot, side="right") - 1 == src).all()
            assert (src[w.best_edge[slot]] == src).all() and (dst[w.best_edge[slot]] == dst).all()
        missing = [(u, v) for u in range(n) for v in range(n) if (u, v) not in set(pairs)]
        if missing:
            with pytest.raises(KeyError):
                g.slots([missing[0][0]], [missing[0][1]])
    finally:
        engine.SLOT_KEYS_MAX = old


def test_metric_at_and_metric_from_pieces_equal_the_entries_sums(small_nets, monkeypatch):
    net = small_nets[1]
    ledger = scenario_values(net, get_scenario(net, None))[1].ledger
    edges = np.arange(0, graph_of(net).n_edges, 7)
    monkeypatch.setattr(ledger_module, "PRICE_PART_MIN_EDGES", 0)   # price the part only
    part = {name: ledger.metric_at(name, edges) for name in METRICS}
    assert all(ledger._priced(METRICS[name])[2] is None for name in METRICS)
    for name in METRICS:
        whole = ledger.metric(name)                # summed from the pieces, kept
        assert np.array_equal(whole, evaluate(ledger.entries(name), ledger.values,
                                              graph_of(net).n_edges))
        assert np.array_equal(part[name], whole[edges])
