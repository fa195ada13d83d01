"""The parameters of a network: every sourced figure a metric can use, numbered once.

``params.toml`` numbers come first (keyed like ``modes.rail.countries.UZ.speed_kmh``),
then one block per (table, field) of the rows of ``links.csv``, ``crossings.csv`` and
``places.csv`` that the registered metrics read (``links.<id>.speed_kmh``); a row
without the figure has NaN there. Keys are the scenario override keys.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ._cache import Slot
from ._validate import finite_real
from .metrics import term_fields
from .modes import EdgeKind

if TYPE_CHECKING:
    import pandas as pd

    from .network import Network

__all__ = ["CATALOGUE", "ROW_TABLES", "Catalogue", "RowBlock", "catalogue", "label",
           "read_only", "table_fields"]

#: Tables of the network whose rows carry parameters, with the edge kinds they feed.
ROW_TABLES = {"links": (EdgeKind.LINK, EdgeKind.WAIT), "crossings": (EdgeKind.BORDER,),
              "places": (EdgeKind.TRANSFER, EdgeKind.PORT_CALL)}


@dataclass(frozen=True, eq=False)
class RowBlock:
    """The parameters of one field of a table: one column per row (NaN: none)."""

    table: str
    field: str
    start: int                  # first parameter column
    ids: pd.Index                # the table's ids (its index, shared)
    values: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    sources: Sequence[tuple[str, ...]]

    @functools.cached_property
    def rows(self) -> Mapping[str, int]:
        """Row position of each id."""
        return MappingProxyType({str(i): r for r, i in enumerate(self.ids.tolist())})

    def row(self, row_id: str) -> int | None:
        """Row position of an id (None: not a row of the table)."""
        return self.rows.get(row_id)


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
    blocks: Mapping[tuple[str, str], RowBlock]

    @property
    def size(self) -> int:
        """Number of parameter columns."""
        return len(self.values)


#: The network's parameter catalogue.
CATALOGUE: Slot[Catalogue] = Slot("parameter_catalogue")


def catalogue(network: Network) -> Catalogue:
    """The network's parameters (built once per network)."""
    return network._cache.get_or_make(CATALOGUE, lambda: _make_catalogue(network))


def table_fields(table: str) -> tuple[str, ...]:
    """Fields of the registered metrics that rows of ``table`` may carry."""
    return term_fields(ROW_TABLES[table], place=table == "places")


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
            sources.append(_sources(node.get(f"{k}_source")) or source)   # its own, if given

    walk(network.params, "", ())
    specs: list[tuple[str, str, int, pd.Index, tuple[tuple[str, ...], ...]]] = []
    all_values = [np.asarray(values, dtype=float)]
    all_low = [np.asarray(low, dtype=float)]
    all_high = [np.asarray(high, dtype=float)]
    start = len(keys)
    for table in ROW_TABLES:
        frame = getattr(network, table)
        row_sources: tuple[tuple[str, ...], ...] | None = None
        ids: pd.Index | None = None
        for name in table_fields(table):
            if name not in frame.columns:
                continue
            if row_sources is None or ids is None:      # once per table, shared by its blocks
                row_sources = tuple(frame["source"].tolist())   # tuples, from the loader
                ids = frame.index          # the table's own (immutable), not a copy
            block_values = frame[name].to_numpy(dtype=float, na_value=np.nan)
            lo, hi = (frame[c].to_numpy(dtype=float, na_value=np.nan) if c in frame.columns
                      else np.full(len(frame), np.nan) for c in _range_columns(name))
            specs.append((table, name, start, ids, row_sources))
            all_values.append(block_values)
            all_low.append(lo)
            all_high.append(hi)
            start += len(frame)
    cat_values = read_only(np.concatenate(all_values))
    cat_low = read_only(np.concatenate(all_low))
    cat_high = read_only(np.concatenate(all_high))
    # each block's arrays are views of the catalogue's (one copy of every figure)
    blocks = {(table, name): RowBlock(table, name, at, ids, cat_values[at:at + len(ids)],
                                      cat_low[at:at + len(ids)], cat_high[at:at + len(ids)],
                                      row_sources)
              for table, name, at, ids, row_sources in specs}
    return Catalogue(
        keys=tuple(keys), values=cat_values, low=cat_low, high=cat_high,
        sources=tuple(sources), index=MappingProxyType({k: i for i, k in enumerate(keys)}),
        blocks=MappingProxyType(blocks))


def _sources(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(";") if s.strip())
    if isinstance(value, Sequence):
        return tuple(s for v in value if isinstance(v, str) for s in _sources(v))
    return ()


def _number(value: Any) -> float:
    number = finite_real(value)
    return float("nan") if number is None else number


def read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


#: Words for parameter fields in labels.
_WORDS = {"speed_kmh": "speed", "rate_usd_per_teu_km": "rate", "dwell_h": "dwell",
          "fee_usd_per_teu": "fee", "hours": "time", "cost_usd_per_teu": "cost",
          "handling_h": "handling time", "handling_usd_per_teu": "handling cost",
          "headway_h": "headway", "length_km": "length", "usd_per_teu_h": "value",
          "delay_h_per_km": "en-route delay", "escort_h": "escort wait",
          "handling_import_h": "import handling time",
          "handling_export_h": "export handling time",
          "handling_import_usd_per_teu": "import handling cost",
          "handling_export_usd_per_teu": "export handling cost"}
_SECTIONS = {"transfer": "transfer", "gauge_break": "gauge break",
             "connector": "loading/unloading", "crossings": "border", "places": "handling at",
             "links": "link"}


def label(key: str) -> str:
    """Words for a parameter key, for tables.

    >>> label("modes.rail.countries.UZ.speed_kmh"), label("crossings.farap_rail.dwell_h")
    ('rail speed in UZ', 'border farap_rail dwell')
    >>> label("tags.uap.speed_kmh"), label("gauge_break.1520-1676.hours")
    ('speed on uap links', 'gauge break 1520-1676 time')
    >>> label("service.rail.countries.PK.headway_h")
    'rail service headway in PK'

    """
    parts = key.split(".")
    word = _WORDS.get(parts[-1], parts[-1])
    if parts[0] == "modes" and len(parts) == 5:
        return f"{parts[1]} {word} in {parts[3]}"
    if parts[0] == "service" and len(parts) == 5:
        return f"{parts[1]} service {word} in {parts[3]}"
    if parts[0] == "service" and len(parts) == 3:
        return f"{parts[1]} service {word}"
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
