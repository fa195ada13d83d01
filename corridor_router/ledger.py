"""The parameter ledger: every edge's metrics as sums of named, sourced parameters.

A network's parameters are its sourced figures: every number of ``params.toml`` (keyed
like ``modes.rail.countries.UZ.speed_kmh``), and every figure of a row of ``links.csv``,
``crossings.csv`` or ``places.csv`` that a metric uses (``links.<id>.speed_kmh``,
``crossings.<id>.dwell_h``, ``places.<id>.handling_h``). Their keys are the scenario
override keys. A scenario changes values and may add parameters of its own
(``tags.<tag>.speed_kmh``, a country figure the file lacks).

For each metric of :data:`~corridor_router.metrics.METRICS`, the ledger holds one entry
per (edge, parameter): the edge gets ``coefficient x value`` (or ``coefficient /
value`` for speeds). Which parameter feeds an edge follows one precedence rule,
most specific first:

* link and wait edges: the link's override, the first of its tags with an override,
  its own figure in links.csv, its mode's figure for its country, its mode's figure;
* border edges: the crossing's figure; transfers and port calls: the place's own
  handling figure, else the mode pair's; gauge breaks: the gauge pair's; start and end
  connectors: the mode's.

Provenance (which parameters, with which sources, priced a leg), the claim check's
sensitivity table and its trials all read the ledger; trials change parameter values
and patch only the edges those parameters feed (:meth:`Ledger.patched`), so the graph
and its CSR structure are built once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._cache import LRU, Slot
from ._catalogue import ROW_TABLES, Catalogue, RowBlock, catalogue, label, read_only, table_fields
from ._entries import (
    Entries,
    build_entries,
    contributions,
    enabled_edges,
    entry_pieces,
    evaluate,
    evaluate_pieces,
    link_columns,
)
from ._validate import FIELD_BOUNDS
from .metrics import METRICS, Metric, objective_weights

if TYPE_CHECKING:
    from .graph import RoutingGraph
    from .network import Network
    from .scenarios import ResolvedScenario

__all__ = ["PARAMETER_COLUMNS", "Catalogue", "Ledger", "catalogue", "label", "ledger_of"]

#: Metric entries and values per (metric name, scenario overrides), kept per network:
#: scenarios that differ only in statuses or closures price every edge alike.
PRICED: Slot[LRU[tuple[str, tuple[tuple[str, float], ...]], list[Any]]] = Slot("priced")
#: Entries kept in :data:`PRICED`.
PRICED_SIZE = 64
#: Fewest edges of a graph on which :meth:`Ledger.metric_at` prices a metric on the edges
#: asked for alone, rather than on every edge (then kept): pricing a large graph's every
#: edge costs far more than a route's edges.
PRICE_PART_MIN_EDGES = 100_000
#: Columns of :meth:`Ledger.parameters_of`.
PARAMETER_COLUMNS = ["parameter", "label", "value", "unit", "low", "high", "metrics",
                     "source"]


class Ledger:
    """Every edge's metrics under one scenario, as sums of named, sourced parameters.

    Build one with :func:`ledger_of`; it is immutable. Columns number the parameters:
    those of the network's :class:`Catalogue`, then the scenario's own (``extra``).

    Examples
    --------
    >>> from corridor_router.context import graph_of, scenario_values
    >>> from corridor_router.network import load_network
    >>> from corridor_router.scenarios import get_scenario
    >>> net = load_network()
    >>> ledger = scenario_values(net, get_scenario(net, None))[1].ledger
    >>> ledger.value("modes.rail.countries.UZ.speed_kmh")
    13.1
    """

    def __init__(self, network: Network, graph: RoutingGraph, resolved: ResolvedScenario,
                 values: npt.NDArray[np.float64], extra: Sequence[str],
                 assign: Mapping[tuple[str, str], npt.NDArray[np.int64]]) -> None:
        self.network = network
        self.graph = graph
        self.resolved = resolved
        self.catalogue = catalogue(network)
        self.values = read_only(values)
        self.extra = tuple(extra)
        self._assign = assign           # (table, field) -> parameter column per row
        self._index = {**self.catalogue.index,
                       **{k: self.catalogue.size + i for i, k in enumerate(self.extra)}}
        # entries and metric values depend on the overrides alone (not on statuses or
        # closures), so scenarios with the same overrides share them (see PRICED)
        self._overrides = tuple(sorted(resolved.scenario.overrides.items()))
        self.enabled = read_only(enabled_edges(graph, resolved))

    # -- parameters -----------------------------------------------------------------
    def column(self, key: str) -> int:
        """Column of a parameter key (KeyError if the ledger has no such parameter)."""
        if key in self._index:
            return self._index[key]
        table, _, rest = key.partition(".")
        row_id, _, name = rest.rpartition(".")
        block = self.catalogue.blocks.get((table, name))
        row = block.row(row_id) if block is not None else None
        if block is not None and row is not None and np.isfinite(self.values[block.start + row]):
            return block.start + row
        raise KeyError(key)

    def key(self, col: int) -> str:
        """The parameter key of a column."""
        cat = self.catalogue
        if col >= cat.size:
            return self.extra[col - cat.size]
        if col < len(cat.keys):
            return cat.keys[col]
        block = self._block_of(col)
        return f"{block.table}.{block.ids[col - block.start]}.{block.field}"

    def __contains__(self, key: object) -> bool:
        """Whether the scenario has a parameter of this key."""
        if not isinstance(key, str):
            return False
        try:
            self.column(key)
        except KeyError:
            return False
        return True

    def value(self, key: str) -> float:
        """The value of a parameter in this scenario."""
        return float(self.values[self.column(key)])

    def _block_of(self, col: int) -> RowBlock:
        for block in self.catalogue.blocks.values():
            if block.start <= col < block.start + len(block.ids):
                return block
        raise KeyError(col)

    def _describe(self, col: int) -> tuple[float, float, tuple[str, ...]]:
        """(low, high, sources) of a column; a scenario's own parameter has no range."""
        cat = self.catalogue
        if col >= cat.size:
            return math.nan, math.nan, tuple(self.resolved.scenario.source)
        if col < len(cat.keys):
            return float(cat.low[col]), float(cat.high[col]), cat.sources[col]
        block = self._block_of(col)
        return float(cat.low[col]), float(cat.high[col]), tuple(block.sources[col - block.start])

    # -- metrics --------------------------------------------------------------------
    def _priced(self, spec: Metric) -> list[Any]:
        """The network's cache entry ``[metric, entries, values]`` of a metric here."""
        store = self.network._cache.get_or_make(PRICED, lambda: LRU(PRICED_SIZE))
        entry = store.get_or_make((spec.name, self._overrides), lambda: [spec, None, None])
        if entry[0] is not spec:    # the name was registered again with another definition
            entry[:] = [spec, None, None]
        return entry

    def entries(self, metric: str | Metric) -> Entries:
        """The (edge, parameter, coefficient) entries of a metric (built on first use)."""
        spec = METRICS[metric] if isinstance(metric, str) else metric
        entry = self._priced(spec)
        if entry[1] is None:
            entry[1] = build_entries(self.graph, self.catalogue, self.values, self._index,
                                     self._assign, spec)
        entries: Entries = entry[1]
        return entries

    def _values(self, spec: Metric) -> np.ndarray:
        """Per-edge values of a metric, computed on first use and kept (read-only).

        Summed straight from the metric's entry pieces unless its entries were built
        already (the same numbers either way): routing needs the values, and only
        provenance and trials need the entries.
        """
        entry = self._priced(spec)
        if entry[2] is None:
            n = self.graph.n_edges
            entry[2] = read_only(
                evaluate(entry[1], self.values, n) if entry[1] is not None else
                evaluate_pieces(entry_pieces(self.graph, self.catalogue, self.values,
                                             self._index, self._assign, spec),
                                self.values, n))
        values: np.ndarray = entry[2]
        return values

    def metric(self, name: str) -> np.ndarray:
        """Per-edge values of a metric (read-only; 0 where no parameter feeds an edge)."""
        return self._values(METRICS[name])

    def metric_at(self, name: str, edges: Sequence[int] | npt.NDArray[np.integer]
                  ) -> npt.NDArray[np.float64]:
        """A metric's values on some edges: ``metric(name)[edges]``, the same numbers.

        On a graph of :data:`PRICE_PART_MIN_EDGES` edges or more, a metric not priced
        yet is priced on those edges alone (a route's totals need not price every edge of
        a large graph); on a smaller one it is priced whole and kept.
        """
        spec = METRICS[name]
        entry = self._priced(spec)
        e = np.asarray(edges, dtype=np.int64)
        if entry[2] is not None:
            return np.asarray(entry[2][e], dtype=float)
        if entry[1] is not None or self.graph.n_edges < PRICE_PART_MIN_EDGES:
            return np.asarray(self._values(spec)[e], dtype=float)
        only = np.unique(e)
        at = evaluate_pieces(entry_pieces(self.graph, self.catalogue, self.values,
                                          self._index, self._assign, spec, only=only),
                             self.values, self.graph.n_edges, edges=only)
        return np.asarray(at[np.searchsorted(only, e)], dtype=float)

    def leg_parts(self, name: str) -> dict[str, np.ndarray]:
        """Per-edge parts of a metric that results show as legs of their own.

        One array per :attr:`~corridor_router.metrics.Term.leg` kind of the metric's
        terms (``"service_wait"``, ``"delay"`` ...), in the order of the terms; each is
        the part of :meth:`metric` those terms feed (read-only).
        """
        return {kind: self._values(spec) for kind, spec in _leg_metrics(METRICS[name])}

    def leg_part_parameters(self, kind: str, edge: int) -> list[tuple[str, float, tuple[str, ...]]]:
        """(key, value, sources) of the parameters feeding one edge's ``kind`` leg part."""
        out: dict[str, tuple[str, float, tuple[str, ...]]] = {}
        for name in METRICS:
            for k, spec in _leg_metrics(METRICS[name]):
                if k != kind:
                    continue
                ent = self.entries(spec)
                for col in ent.col[ent.edge == edge].tolist():
                    key = self.key(col)
                    out[key] = (key, float(self.values[col]), self._describe(col)[2])
        return list(out.values())

    def weights(self, objective: str) -> np.ndarray:
        """Routing weights of an objective (``inf`` on disabled edges)."""
        return objective_weights(objective, self.metric, self.value, self.enabled)

    # -- provenance -----------------------------------------------------------------
    def columns_of(self, edges: Iterable[int], metrics: Iterable[str] | None = None
                   ) -> dict[int, list[str]]:
        """Parameter columns feeding the edges, each with the metrics it feeds.

        In order of first use along ``edges``, then of the metrics.
        """
        e = np.asarray(list(edges), dtype=np.int64)
        names = list(METRICS if metrics is None else metrics)
        hits: list[tuple[int, int, int]] = []     # (position along edges, metric, column)
        first = {int(x): i for i, x in reversed(list(enumerate(e.tolist())))}
        for m, name in enumerate(names):
            ent = self.entries(name)
            hit = np.flatnonzero(np.isin(ent.edge, e))
            hits.extend((first[int(ent.edge[h])], m, int(ent.col[h])) for h in hit)
        out: dict[int, list[str]] = {}
        for _, m, col in sorted(hits):
            used = out.setdefault(col, [])
            if names[m] not in used:
                used.append(names[m])
        return out

    def sources_of(self, edge: int) -> tuple[str, ...]:
        """Source ids of the parameters that priced one edge, in metric order."""
        out: dict[str, None] = {}
        for col in self.columns_of([edge]):
            for s in self._describe(col)[2]:
                out[s] = None
        return tuple(out)

    def parameters_of(self, edges: Iterable[int], metrics: Iterable[str] | None = None
                      ) -> pd.DataFrame:
        """The parameters feeding some edges: key, label, value, unit, range, sources.

        Indexed by parameter key, in order of first use along ``edges`` metric by metric.
        """
        rows = []
        for col, names in self.columns_of(edges, metrics).items():
            key = self.key(col)
            low, high, src = self._describe(col)
            name = key.rpartition(".")[2]
            bound = FIELD_BOUNDS.get(name)
            rows.append({"parameter": key, "label": label(key),
                         "value": float(self.values[col]),
                         "unit": bound.unit if bound is not None else "",
                         "low": low, "high": high, "metrics": tuple(names),
                         "source": ";".join(src)})
        return pd.DataFrame(rows, columns=PARAMETER_COLUMNS).set_index("parameter")

    # -- trials ---------------------------------------------------------------------
    def path_affine(self, key: str, edges: Sequence[int], metrics: Iterable[str]
                    ) -> dict[str, tuple[float, float, bool]]:
        """Each metric summed along edges as ``a + b x g(value)`` of one parameter.

        Returns ``(a, b, inverse)`` per metric, where ``g(v)`` is ``1 / v`` if
        ``inverse`` (a speed) else ``v``: the exact dependence of the path's total on
        the parameter, for trials that price a fixed path at many values.
        """
        col = self.column(key)
        e = np.asarray(edges, dtype=np.int64)
        theta = float(self.values[col])
        out = {}
        for name in metrics:
            ent = self.entries(name)
            total = float(self.metric(name)[e].sum())
            mine = ent.of_column(col)
            # each entry counts once per time its edge is on the path
            times = np.bincount(e, minlength=self.graph.n_edges)[ent.edge[mine]] \
                if len(mine) else np.zeros(0)
            b = float((ent.coef[mine] * times).sum()) if len(mine) else 0.0
            inverse = bool(ent.inverse[mine].any()) if len(mine) else False
            g = 1.0 / theta if inverse else theta
            out[name] = (total - b * g, b, inverse)
        return out

    def patched(self, key: str, value: float, metrics: Iterable[str]) -> dict[str, np.ndarray]:
        """The metrics with one parameter set to ``value``; only the edges it feeds change.

        The result is exact: each changed edge is summed again from its entries.
        """
        col = self.column(key)
        theta = self.values.copy()
        theta[col] = value
        out = {}
        for name in metrics:
            ent = self.entries(name)
            base = self.metric(name)
            mine = ent.of_column(col)
            if not len(mine):
                out[name] = base
                continue
            new = base.copy()
            if ent.single:      # one entry per edge: the edge's value is its entry's
                new[ent.edge[mine]] = contributions(ent, theta, mine)
                out[name] = new
                continue
            touched = np.unique(ent.edge[mine])
            sel = np.isin(ent.edge, touched)
            new[touched] = 0.0
            np.add.at(new, ent.edge[sel], contributions(ent, theta, sel))
            out[name] = new
        return out


@functools.lru_cache(maxsize=64)
def _leg_metrics(spec: Metric) -> tuple[tuple[str, Metric], ...]:
    """A metric's terms grouped by the leg kind results show them as (one metric each)."""
    kinds = dict.fromkeys(t.leg for t in spec.terms if t.leg is not None)
    return tuple((kind, Metric(f"{spec.name}/{kind}", spec.unit, spec.label,
                               tuple(t for t in spec.terms if t.leg == kind)))
                 for kind in kinds)


def ledger_of(network: Network, graph: RoutingGraph, resolved: ResolvedScenario) -> Ledger:
    """The ledger of a resolved scenario: parameter values and who feeds which edge."""
    cat = catalogue(network)
    values = cat.values.copy() if resolved.scenario.overrides else cat.values
    extra: dict[str, float] = {}
    link_over: dict[tuple[str, str], float] = {}
    tag_over: dict[tuple[str, str], float] = {}
    # in key order: the columns of a scenario's own parameters must not depend on the order
    # its overrides were written in (scenarios with the same overrides share entries)
    for key, value in sorted(resolved.scenario.overrides.items()):
        head, _, rest = key.partition(".")
        if head == "tags":
            tag, _, name = rest.rpartition(".")
            tag_over[(tag, name)] = float(value)
            extra[key] = float(value)
            continue
        if key in cat.index:
            values[cat.index[key]] = float(value)
            continue
        row_id, _, name = rest.rpartition(".")
        block = cat.blocks.get((head, name))
        row = block.row(row_id) if block is not None else None
        if block is not None and row is not None and head in ROW_TABLES:
            values[block.start + row] = float(value)
            if head == "links":
                link_over[(row_id, name)] = float(value)
            continue
        extra[key] = float(value)     # a params.toml key the file lacks (a country figure)
    extra_keys = list(extra)
    # without overrides, the catalogue's own read-only values (no copy per scenario)
    all_values = cat.values if not resolved.scenario.overrides else \
        np.concatenate([values, np.asarray(list(extra.values()), dtype=float)])
    index = {**cat.index, **{k: cat.size + i for i, k in enumerate(extra_keys)}}
    columns = np.int32 if len(all_values) < 2**31 else np.int64
    assign = MappingProxyType({
        ("links", name): read_only(link_columns(network, cat, index, name, tag_over,
                                                link_over).astype(columns))
        for name in table_fields("links")})
    return Ledger(network, graph, resolved, all_values, extra_keys, assign)
