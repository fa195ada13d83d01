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

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._cache import Slot
from ._params import pair_key
from ._validate import FIELD_BOUNDS, finite_real
from .metrics import METRICS, Metric, objective_weights, term_fields
from .modes import EdgeKind, gauge_of, mode_of

if TYPE_CHECKING:
    from .graph import RoutingGraph
    from .network import Network
    from .scenarios import ResolvedScenario

__all__ = ["PARAMETER_COLUMNS", "Catalogue", "Ledger", "catalogue", "ledger_of"]

#: Columns of :meth:`Ledger.parameters_of`.
PARAMETER_COLUMNS = ["parameter", "label", "value", "unit", "low", "high", "metrics",
                     "source"]
#: Tables of the network whose rows carry parameters, with the edge kinds they feed.
_ROW_TABLES = {"links": (EdgeKind.LINK, EdgeKind.WAIT), "crossings": (EdgeKind.BORDER,),
               "places": (EdgeKind.TRANSFER, EdgeKind.PORT_CALL)}
_PAIR_SECTIONS = {EdgeKind.TRANSFER: "transfer", EdgeKind.PORT_CALL: "transfer",
                  EdgeKind.GAUGE_BREAK: "gauge_break", EdgeKind.START: "connector",
                  EdgeKind.END: "connector"}


@dataclass(frozen=True, eq=False)
class _RowBlock:
    """The parameters of one field of a table: one column per row (NaN: none)."""

    table: str
    field: str
    start: int                  # first parameter column
    ids: npt.NDArray[np.object_]
    values: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    sources: Sequence[tuple[str, ...]]


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Every parameter of a network, numbered: params.toml first, then row blocks.

    Built once per network (:func:`catalogue`). A scenario's own parameters (tag
    overrides, absent country figures) are numbered after these.
    """

    keys: tuple[str, ...]               # params.toml keys
    values: npt.NDArray[np.float64]     # every column's value (row blocks: NaN = none)
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    sources: tuple[tuple[str, ...], ...]    # params.toml keys only
    index: Mapping[str, int]            # params.toml key -> column
    blocks: Mapping[tuple[str, str], _RowBlock]

    @property
    def size(self) -> int:
        """Number of parameter columns."""
        return len(self.values)


#: The network's parameter catalogue.
CATALOGUE: Slot[Catalogue] = Slot("parameter_catalogue")


def catalogue(network: Network) -> Catalogue:
    """The network's parameters (built once per network)."""
    return network._cache.get_or_make(CATALOGUE, lambda: _make_catalogue(network))


def _term_fields(table: str) -> tuple[str, ...]:
    """Fields of the registered metrics that rows of ``table`` may carry."""
    return term_fields(_ROW_TABLES[table], place=table == "places")


def _range_columns(field: str) -> tuple[str, str]:
    """Columns of a row table holding a field's sourced low and high (``dwell_low_h``)."""
    stem, _, unit = field.partition("_")
    return (f"{stem}_low_{unit}", f"{stem}_high_{unit}") if unit else (f"{field}_low",
                                                                         f"{field}_high")


def _make_catalogue(network: Network) -> Catalogue:
    keys: list[str] = []
    values: list[float] = []
    low: list[float] = []
    high: list[float] = []
    sources: list[tuple[str, ...]] = []

    def walk(node: Mapping[str, Any], prefix: str, source: tuple[str, ...]) -> None:
        own = _sources(node.get("source"))
        source = own or source
        for k, v in node.items():
            if isinstance(v, Mapping):
                walk(v, f"{prefix}{k}.", source)
                continue
            number = finite_real(v)
            if number is None or not prefix or k.endswith(("_low", "_high")):
                continue
            keys.append(prefix + k)
            values.append(number)
            low.append(_number(node.get(f"{k}_low")))
            high.append(_number(node.get(f"{k}_high")))
            sources.append(source)

    walk(network.params, "", ())
    blocks: dict[tuple[str, str], _RowBlock] = {}
    all_values = [np.asarray(values, dtype=float)]
    all_low = [np.asarray(low, dtype=float)]
    all_high = [np.asarray(high, dtype=float)]
    start = len(keys)
    for table in _ROW_TABLES:
        frame = getattr(network, table)
        row_sources = [tuple(s) for s in frame["source"]]
        for name in _term_fields(table):
            if name not in frame.columns:
                continue
            block_values = frame[name].to_numpy(dtype=float, na_value=np.nan)
            lo, hi = (frame[c].to_numpy(dtype=float, na_value=np.nan) if c in frame.columns
                      else np.full(len(frame), np.nan) for c in _range_columns(name))
            blocks[(table, name)] = _RowBlock(
                table, name, start, frame.index.to_numpy(dtype=object), block_values, lo, hi,
                row_sources)
            all_values.append(block_values)
            all_low.append(lo)
            all_high.append(hi)
            start += len(frame)
    return Catalogue(
        keys=tuple(keys), values=_read_only(np.concatenate(all_values)),
        low=_read_only(np.concatenate(all_low)), high=_read_only(np.concatenate(all_high)),
        sources=tuple(sources), index={k: i for i, k in enumerate(keys)}, blocks=blocks)


def _sources(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(";") if s.strip())
    if isinstance(value, Sequence):
        return tuple(s for v in value if isinstance(v, str) for s in _sources(v))
    return ()


def _number(value: Any) -> float:
    number = finite_real(value)
    return float("nan") if number is None else number


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


# -- one scenario's ledger --------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Entries:
    """One metric's entries: edge ``edge[i]`` gets ``coef[i]`` x (or /) value of ``col[i]``."""

    edge: npt.NDArray[np.int64]
    col: npt.NDArray[np.int64]
    coef: npt.NDArray[np.float64]
    inverse: npt.NDArray[np.bool_]

    def __post_init__(self) -> None:
        order = np.argsort(self.col, kind="stable")
        object.__setattr__(self, "_by_col", order)
        object.__setattr__(self, "_cols", self.col[order])
        object.__setattr__(self, "single", len(np.unique(self.edge)) == len(self.edge))

    def of_column(self, col: int) -> npt.NDArray[np.int64]:
        """Indices of the entries of one parameter column."""
        cols: npt.NDArray[np.int64] = self._cols  # type: ignore[attr-defined]
        lo, hi = np.searchsorted(cols, [col, col + 1])
        found: npt.NDArray[np.int64] = self._by_col[lo:hi]  # type: ignore[attr-defined]
        return found


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
        self.values = _read_only(values)
        self.extra = tuple(extra)
        self._assign = assign           # (table, field) -> parameter column per row
        self._index = {**self.catalogue.index,
                       **{k: self.catalogue.size + i for i, k in enumerate(self.extra)}}
        self._entries: dict[Metric, _Entries] = {}
        self._metrics: dict[Metric, np.ndarray] = {}
        self.enabled = _read_only(_enabled(graph, resolved))

    # -- parameters -----------------------------------------------------------------
    def column(self, key: str) -> int:
        """Column of a parameter key (KeyError if the ledger has no such parameter)."""
        if key in self._index:
            return self._index[key]
        table, _, rest = key.partition(".")
        row_id, _, name = rest.rpartition(".")
        block = self.catalogue.blocks.get((table, name))
        if block is not None:
            rows = np.flatnonzero(block.ids == row_id)
            if len(rows) and np.isfinite(self.values[block.start + rows[0]]):
                return int(block.start + rows[0])
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

    def _block_of(self, col: int) -> _RowBlock:
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
    def entries(self, metric: str | Metric) -> _Entries:
        """The (edge, parameter, coefficient) entries of a metric (built on first use)."""
        spec = METRICS[metric] if isinstance(metric, str) else metric
        if spec not in self._entries:
            self._entries[spec] = _build_entries(self, spec)
        return self._entries[spec]

    def metric(self, name: str) -> np.ndarray:
        """Per-edge values of a metric (read-only; 0 where no parameter feeds an edge)."""
        spec = METRICS[name]
        if spec not in self._metrics:
            self._metrics[spec] = _read_only(_evaluate(self.entries(spec), self.values,
                                                       self.graph.n_edges))
        return self._metrics[spec]

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
                new[ent.edge[mine]] = _contributions(ent, theta, mine)
                out[name] = new
                continue
            touched = np.unique(ent.edge[mine])
            sel = np.isin(ent.edge, touched)
            new[touched] = 0.0
            np.add.at(new, ent.edge[sel], _contributions(ent, theta, sel))
            out[name] = new
        return out


def _contributions(ent: _Entries, theta: np.ndarray, sel: npt.NDArray[Any] | slice = slice(None)
                   ) -> np.ndarray:
    v = theta[ent.col[sel]]
    c = ent.coef[sel]
    return np.where(ent.inverse[sel], c / np.where(ent.inverse[sel], v, 1.0), c * v)


def _evaluate(ent: _Entries, theta: np.ndarray, n_edges: int) -> np.ndarray:
    if not len(ent.edge):
        return np.zeros(n_edges)
    return np.bincount(ent.edge, weights=_contributions(ent, theta), minlength=n_edges)


#: Words for parameter fields in labels.
_WORDS = {"speed_kmh": "speed", "rate_usd_per_teu_km": "rate", "dwell_h": "dwell",
          "fee_usd_per_teu": "fee", "hours": "time", "cost_usd_per_teu": "cost",
          "handling_h": "handling time", "handling_usd_per_teu": "handling cost",
          "headway_h": "headway", "length_km": "length", "usd_per_teu_h": "value"}
_SECTIONS = {"transfer": "transfer", "gauge_break": "gauge break",
             "connector": "loading/unloading", "crossings": "border", "places": "handling at",
             "links": "link"}


def label(key: str) -> str:
    """Words for a parameter key, for tables.

    >>> label("modes.rail.countries.UZ.speed_kmh"), label("crossings.farap_rail.dwell_h")
    ('rail speed in UZ', 'border farap_rail dwell')
    >>> label("tags.uap.speed_kmh"), label("gauge_break.1520-1676.hours")
    ('speed on uap links', 'gauge break 1520-1676 time')
    """
    parts = key.split(".")
    word = _WORDS.get(parts[-1], parts[-1])
    if parts[0] == "modes" and len(parts) == 5:
        return f"{parts[1]} {word} in {parts[3]}"
    if parts[0] == "modes" and len(parts) == 3:
        return f"{parts[1]} {word}"
    if parts[0] == "tags" and len(parts) == 3:
        return f"{word} on {parts[1]} links"
    if parts[0] == "value_of_time":
        return "value of time"
    if parts[0] == "places" and len(parts) == 3:
        return f"{word} at {parts[1]}"
    if len(parts) == 3:
        return f"{_SECTIONS.get(parts[0], parts[0])} {parts[1]} {word}"
    return key


# -- building a scenario's ledger ------------------------------------------------------
def ledger_of(network: Network, graph: RoutingGraph, resolved: ResolvedScenario) -> Ledger:
    """The ledger of a resolved scenario: parameter values and who feeds which edge."""
    cat = catalogue(network)
    values = cat.values.copy()
    extra: dict[str, float] = {}
    link_over: dict[tuple[str, str], float] = {}
    tag_over: dict[tuple[str, str], float] = {}
    for key, value in resolved.scenario.overrides.items():
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
        if block is not None and head in _ROW_TABLES:
            rows = np.flatnonzero(block.ids == row_id)
            values[block.start + rows[0]] = float(value)
            if head == "links":
                link_over[(row_id, name)] = float(value)
            continue
        extra[key] = float(value)     # a params.toml key the file lacks (a country figure)
    extra_keys = list(extra)
    all_values = np.concatenate([values, np.asarray(list(extra.values()), dtype=float)])
    index = {**cat.index, **{k: cat.size + i for i, k in enumerate(extra_keys)}}
    assign = {("links", name): _link_columns(network, cat, index, name, tag_over, link_over)
              for name in _term_fields("links")}
    return Ledger(network, graph, resolved, all_values, extra_keys, assign)


def _link_columns(network: Network, cat: Catalogue, index: Mapping[str, int], name: str,
                  tag_over: Mapping[tuple[str, str], float],
                  link_over: Mapping[tuple[str, str], float]) -> npt.NDArray[np.int64]:
    """The parameter column feeding each link row's ``name`` (-1: none), by precedence."""
    codes = _link_codes(network)
    pair_codes, pairs = codes["mode_country"]
    table = np.array([index.get(f"modes.{m}.countries.{c}.{name}",
                                index.get(f"modes.{m}.{name}", -1)) for m, c in pairs],
                     dtype=np.int64)
    out = table[pair_codes] if len(pair_codes) else np.zeros(0, dtype=np.int64)
    block = cat.blocks.get(("links", name))
    if block is not None:
        own = np.isfinite(block.values)
        out = np.where(own, block.start + np.arange(len(own)), out)
    tags = {t: index[f"tags.{t}.{name}"] for (t, k) in tag_over if k == name}
    if tags:
        tag_codes, tag_cells = codes["corridors"]
        first = np.array([next((tags[t] for t in ts if t in tags), -1) for ts in tag_cells],
                         dtype=np.int64)
        by_tag = first[tag_codes]
        out = np.where(by_tag >= 0, by_tag, out)
    if block is not None:
        for (lid, k) in link_over:
            if k == name:
                row = int(np.flatnonzero(block.ids == lid)[0])
                out[row] = block.start + row
    return out


def _link_codes(network: Network) -> dict[str, Any]:
    """Link columns as codes into their distinct values (mode and country, tags)."""
    def make() -> dict[str, Any]:
        links = network.links
        keys = list(zip(links["mode"].tolist(), links["country"].tolist()))
        pair_codes, pairs = pd.factorize(pd.Series(keys, dtype=object))
        return {"mode_country": (np.asarray(pair_codes, dtype=np.int64), list(pairs)),
                "corridors": pd.factorize(pd.Series(links["corridors"].tolist(),
                                                    dtype=object))}
    return network._cache.get_or_make(_LINK_CODES, make)


_LINK_CODES: Slot[dict[str, Any]] = Slot("ledger_link_codes")


def _pair_names(graph: RoutingGraph, kind: EdgeKind) -> tuple[npt.NDArray[np.intp], list[str]]:
    """Per edge, a code into the names of the pair (or mode) a place edge is priced by."""
    store = graph.cache.setdefault("pair_codes", {})
    if int(kind) in store:
        cached: tuple[npt.NDArray[np.intp], list[str]] = store[int(kind)]
        return cached
    on = np.flatnonzero(graph.kind == kind)
    # factorize the layer pairs first: few distinct ones, however many edges
    pair_codes, pairs = pd.factorize(pd.Series(
        list(zip(graph.layer_a[on].tolist(), graph.layer_b[on].tolist())), dtype=object))
    if kind in (EdgeKind.TRANSFER, EdgeKind.PORT_CALL):
        names = [pair_key(mode_of(a), mode_of(b)) for a, b in pairs]
    elif kind == EdgeKind.GAUGE_BREAK:
        names = [pair_key(gauge_of(a), gauge_of(b)) for a, b in pairs]
    else:
        names = [mode_of(b or a) for a, b in pairs]
    codes = np.full(graph.n_edges, -1, dtype=np.intp)
    codes[on] = pair_codes
    result = (codes, names)
    store[int(kind)] = result
    return result


def _build_entries(ledger: Ledger, metric: Metric) -> _Entries:
    graph = ledger.graph
    cat = ledger.catalogue
    kind, ref = graph.kind, graph.ref
    edges: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    coefs: list[np.ndarray] = []
    inverse: list[np.ndarray] = []
    length = cat.blocks[("links", "length_km")].values if ("links", "length_km") in \
        cat.blocks else None
    for term in metric.terms:
        for k in term.kinds:
            e = np.flatnonzero(kind == k)
            if not len(e):
                continue
            col = np.full(len(e), -1, dtype=np.int64)
            if k in (EdgeKind.LINK, EdgeKind.WAIT):
                assign = ledger._assign.get(("links", term.field))
                if assign is not None:
                    col = assign[ref[e]]
            elif k == EdgeKind.BORDER:
                block = cat.blocks.get(("crossings", term.field))
                if block is not None:
                    col = block.start + ref[e]
            if k in _PAIR_SECTIONS:
                codes, names = _pair_names(graph, k)
                section = _PAIR_SECTIONS[k]
                table = np.array([ledger._index.get(f"{section}.{n}.{term.field}", -1)
                                  for n in names], dtype=np.int64)
                col = table[codes[e]]
                if term.place_field is not None:
                    block = cat.blocks.get(("places", term.place_field))
                    if block is not None:
                        own = block.start + ref[e]
                        col = np.where(np.isfinite(ledger.values[own]), own, col)
            keep = col >= 0
            keep[keep] &= np.isfinite(ledger.values[col[keep]])
            e, col = e[keep], col[keep]
            scale = np.full(len(e), term.factor)
            if term.per_km:
                if length is None:
                    continue
                scale = term.factor * length[ref[e]]
            edges.append(e)
            cols.append(col)
            coefs.append(scale)
            inverse.append(np.full(len(e), term.inverse))
    if not edges:
        z = np.zeros(0, dtype=np.int64)
        return _Entries(z, z, np.zeros(0), np.zeros(0, dtype=bool))
    return _Entries(np.concatenate(edges).astype(np.int64), np.concatenate(cols),
                    np.concatenate(coefs).astype(float), np.concatenate(inverse))


def _enabled(graph: RoutingGraph, resolved: ResolvedScenario) -> np.ndarray:
    """Edges the scenario allows: link status and closures, crossings, closed places."""
    kind, ref = graph.kind, graph.ref
    enabled = np.ones(graph.n_edges, dtype=bool)
    linkish = (kind == EdgeKind.LINK) | (kind == EdgeKind.WAIT)
    enabled[linkish] = resolved.link_enabled[ref[linkish]]
    border = kind == EdgeKind.BORDER
    enabled[border] = resolved.crossing_open[ref[border]]
    if not resolved.place_open.all():
        enabled &= resolved.place_open[graph.node_place[graph.src]] \
            & resolved.place_open[graph.node_place[graph.dst]]
    return enabled


