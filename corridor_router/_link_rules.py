"""The per-row rules of links.csv, each written once for one row and screened for all rows.

Each rule is a function of the cells of one row, yielding ``(column, message, fix)``
for every problem it finds: that function alone decides what is wrong and says it.
:func:`check_link_rows` runs it only where it may find something. A rule on cells with
few distinct values (mode, status, gauge, source...) runs once per distinct combination
of its cells; a rule on the place ids, which differ on every row, has a screen too: a
vectorised test over the whole column that marks every row the rule could report
(a superset: the rule itself then decides, on those rows only; tests check that the
screen misses no row). Rules about modes ask for a mode's traits
(:data:`~corridor_router.modes.MODE_TRAITS`) when they run, so a mode added there is
checked like the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._cells import (
    COUNTRY_PATTERN,
    NUMBER_PATTERN,
    STATUSES,
    equal_cells,
    factorize,
    first_rows,
    full_match,
    is_country,
    is_in,
    positions,
    split_list,
)
from ._sea_passages import PASSAGES
from .errors import shown
from .modes import GAUGES, MODE_TRAITS

__all__ = ["LinkCells", "Sides", "check_link_rows", "parse_waypoints"]

_WAYPOINT = re.compile(rf"\s*({NUMBER_PATTERN})\s+({NUMBER_PATTERN})\s*")


def parse_waypoints(cell: str) -> list[tuple[float, float]]:
    """Parse ``"lon lat;lon lat"`` into a list of (lon, lat); raises ValueError.

    Examples
    --------
    >>> parse_waypoints("56.3 26.6; 58.1 23.9")
    [(56.3, 26.6), (58.1, 23.9)]
    """
    points = []
    for item in split_list(cell):
        match = _WAYPOINT.fullmatch(item)
        if match is None:
            raise ValueError(f"waypoint {shown(item)} is not 'lon lat' in plain decimal numbers")
        lon, lat = float(match[1]), float(match[2])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"waypoint {shown(item)} is out of range")
        points.append((lon, lat))
    return points


def _is_land(mode: str) -> bool:
    """Whether links of ``mode`` lie in one country (False for an unknown mode)."""
    known = MODE_TRAITS.get(mode)
    return known is not None and known.land


def _is_gauged(mode: str) -> bool:
    """Whether links of ``mode`` carry a track gauge (False for an unknown mode)."""
    known = MODE_TRAITS.get(mode)
    return known is not None and known.gauged


class Sides(Protocol):
    """Countries on whose side links may reach each place (``_csv_tables.PlaceSides``)."""

    def __contains__(self, pid: object) -> bool: ...

    def __getitem__(self, pid: str) -> set[str]: ...

    def allowed(self, at: npt.NDArray[np.intp],
                country: pd.Series) -> npt.NDArray[np.bool_]:
        """Whether ``country[i]`` is a side of the place in row ``at[i]`` (``at >= 0``)."""
        ...


@dataclass(frozen=True)
class _LinkContext:
    place_ids: pd.Index
    have_places: bool
    sides: Sides
    known: set[str]
    #: the row of each link's ``from`` and ``to`` place in ``place_ids`` (-1: unknown)
    ends: Mapping[str, npt.NDArray[np.intp]]
    #: what the screens compute once and share, by name
    shared: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed on first use by any screen and kept."""
        if name not in self.shared:
            self.shared[name] = make()
        return self.shared[name]


_Finding = tuple[str, str, str]
_Rule = Callable[..., Iterator[_Finding]]
_Columns = Mapping[str, Any]
_Screen = Callable[[_LinkContext, _Columns], npt.NDArray[np.bool_]]
_LINK_RULES: list[tuple[tuple[str, ...], _Rule, _Screen | None]] = []


def _link_rule(*columns: str, screen: _Screen | None = None) -> Callable[[_Rule], _Rule]:
    """Register a links.csv rule reading ``columns``; rules run in registration order.

    Without ``screen`` the rule runs once per distinct combination of its cells; with
    one, on the rows ``screen(ctx, cells)`` marks (which must include every row the rule
    reports).
    """
    def register(rule: _Rule) -> _Rule:
        _LINK_RULES.append((columns, rule, screen))
        return rule
    return register


def _unknown_end(end: str) -> _Screen:
    def screen(ctx: _LinkContext, cols: _Columns) -> npt.NDArray[np.bool_]:
        marked: npt.NDArray[np.bool_] = ctx.ends[end] < 0
        return marked if ctx.have_places else np.zeros(len(marked), dtype=bool)
    return screen


def _link_end_known(end: str) -> _Rule:
    def rule(ctx: _LinkContext, pid: str) -> Iterator[_Finding]:
        if pid not in ctx.place_ids and ctx.have_places:
            yield (end, f"unknown place id {shown(pid)}",
                   "use an id from places.csv or add the place there")
    return rule


_link_rule("from", screen=_unknown_end("from"))(_link_end_known("from"))
_link_rule("to", screen=_unknown_end("to"))(_link_end_known("to"))


def _same_ends(ctx: _LinkContext, cols: _Columns) -> npt.NDArray[np.bool_]:
    frm, to = cols["from"], cols["to"]
    same: npt.NDArray[np.bool_] = equal_cells(frm, to) & ~equal_cells(frm, "")
    return same


@_link_rule("from", "to", screen=_same_ends)
def _link_ends_differ(ctx: _LinkContext, frm: str, to: str) -> Iterator[_Finding]:
    if frm == to and frm:
        yield ("to", "link starts and ends at the same place", "check 'from' and 'to'")


@_link_rule("mode")
def _link_mode(ctx: _LinkContext, mode: str) -> Iterator[_Finding]:
    if mode not in MODE_TRAITS:
        yield ("mode", f"unknown mode {shown(mode)}",
               f"use one of: {', '.join(tuple(MODE_TRAITS))}")


@_link_rule("status")
def _link_status(ctx: _LinkContext, status: str) -> Iterator[_Finding]:
    if status not in STATUSES:
        yield ("status", f"unknown status {shown(status)}", f"use one of: {', '.join(STATUSES)}")


@_link_rule("mode", "gauge_mm", "gauge")
def _link_gauge(ctx: _LinkContext, mode: str, cell: str, gauge: float) -> Iterator[_Finding]:
    """``gauge`` is the parsed cell (NaN if empty or already reported as not a number)."""
    if _is_gauged(mode):
        if np.isnan(gauge):
            if cell == "":
                yield ("gauge_mm", f"{mode} link without gauge",
                       f"enter the track gauge in mm: {', '.join(map(str, GAUGES))}")
        elif gauge not in GAUGES:
            yield ("gauge_mm", f"unsupported gauge {shown(cell)}",
                   f"use one of: {', '.join(map(str, GAUGES))}")
    elif cell:
        gauged = "/".join(m for m in MODE_TRAITS if _is_gauged(m))
        yield ("gauge_mm", f"a {mode} link has a gauge",
               f"leave gauge_mm empty for non-{gauged} links")


@_link_rule("mode", "country")
def _link_country_code(ctx: _LinkContext, mode: str, country: str) -> Iterator[_Finding]:
    if _is_land(mode) and not is_country(country):
        yield ("country", f"{shown(country)} is not an ISO 3166-1 alpha-2 code",
               "give the two-letter code of the country the link lies in")


def _end_elsewhere(end: str) -> _Screen:
    """Rows of land links with a valid code whose ``end`` place lies on no side of it."""
    def screen(ctx: _LinkContext, cols: _Columns) -> npt.NDArray[np.bool_]:
        at = ctx.ends[end]
        land = ctx.once("land", lambda: is_in(cols["mode"], [m for m, t in MODE_TRAITS.items()
                                                            if t.land]))
        coded = ctx.once("coded", lambda: full_match(cols["country"], COUNTRY_PATTERN))
        candidate = land & coded & (at >= 0)
        marked: npt.NDArray[np.bool_] = candidate & ~ctx.sides.allowed(at, cols["country"])
        return marked
    return screen


def _link_end_country(ctx: _LinkContext, mode: str, country: str,
                      pid: str) -> Iterator[_Finding]:
    """A land link ends in its own country (checked once the code is valid)."""
    if _is_land(mode) and is_country(country) and pid in ctx.sides \
            and country not in ctx.sides[pid]:
        yield ("country",
               f"link in {country} ends at {shown(pid)}, which lies in "
               f"{'/'.join(sorted(ctx.sides[pid]))}",
               "split the link at a border place, or add the crossing to crossings.csv")


_link_rule("mode", "country", "from", screen=_end_elsewhere("from"))(_link_end_country)
_link_rule("mode", "country", "to", screen=_end_elsewhere("to"))(_link_end_country)


@_link_rule("bidirectional")
def _link_bidirectional(ctx: _LinkContext, cell: str) -> Iterator[_Finding]:
    if cell.lower() not in ("true", "false"):
        yield ("bidirectional", f"{shown(cell)} is not true or false", "write true or false")


@_link_rule("waypoints")
def _link_waypoints(ctx: _LinkContext, cell: str) -> Iterator[_Finding]:
    try:
        parse_waypoints(cell)
    except ValueError as err:
        yield ("waypoints", str(err), "write waypoints as 'lon lat;lon lat' in degrees")


@_link_rule("mode", "straits")
def _link_straits(ctx: _LinkContext, mode: str, cell: str) -> Iterator[_Finding]:
    names = split_list(cell)
    if names and mode not in ("sea", "ferry"):
        yield ("straits", f"a {mode} link passes no sea passage", "leave straits empty")
    for name in names:
        if name not in PASSAGES:
            yield ("straits", f"unknown sea passage {shown(name)}",
                   f"use the passage names of corridor_router.sea.PASSAGES: "
                   f"{', '.join(sorted(PASSAGES))}")


@_link_rule("source")
def _link_source(ctx: _LinkContext, cell: str) -> Iterator[_Finding]:
    for sid in split_list(cell) or ("",):
        if not sid:
            yield ("source", "no source id", "name the source of this link's figures")
        elif sid not in ctx.known:
            yield ("source", f"source id {shown(sid)} is not in sources.csv",
                   "add it to sources.csv or correct the id")


@dataclass(frozen=True)
class LinkCells:
    """The cells of links.csv the rules read, and each row's parsed waypoints.

    ``waypoints[codes[i]]`` are row ``i``'s (empty if none, or if its cell is wrong).
    """

    codes: npt.NDArray[np.intp]
    waypoints: list[tuple[tuple[float, float], ...]]

    def of(self, row: int) -> tuple[tuple[float, float], ...]:
        """The waypoints of one row."""
        return self.waypoints[int(self.codes[row])]


def _codes(values: Any) -> tuple[npt.NDArray[np.intp], int]:
    """(code of each cell, number of codes) of a text column or a float array."""
    if isinstance(values, pd.Series):
        codes, uniques = factorize(values)
        return codes, len(uniques)
    float_codes, float_uniques = pd.factorize(np.asarray(values), use_na_sentinel=False)
    return float_codes.astype(np.intp), len(float_uniques)


def _row(values: Any, rows: npt.NDArray[np.intp]) -> list[Any]:
    """The cells of ``rows`` as Python values."""
    if isinstance(values, pd.Series):
        return list(values.iloc[rows].tolist())
    return list(np.asarray(values)[rows].tolist())


def check_link_rows(cols: Mapping[str, pd.Series], gauge: npt.NDArray[np.float64],
                    place_ids: pd.Index, have_places: bool, sides: Sides,
                    known: set[str], add: Callable[[int, str, str, str], None],
                    ends: Mapping[str, npt.NDArray[np.intp]] | None = None) -> LinkCells:
    """Report every problem of the links.csv rows; return each row's parsed waypoints.

    ``cols`` holds the stripped cells of ``from, to, mode, status, gauge_mm, country,
    bidirectional, waypoints, straits, source``; ``gauge`` the parsed ``gauge_mm``;
    ``place_ids`` the (unique) place ids; ``sides`` the countries of each place;
    ``known`` the source ids; ``ends`` the row of
    each ``from`` and ``to`` in ``place_ids`` (found here if not given). Problems are
    reported row by row and, within a row, in rule order, through
    ``add(row, column, message, fix)``. Rows with a bad waypoints cell get no waypoints.
    """
    if ends is None:
        ends = {end: positions(cols[end], place_ids) for end in ("from", "to")}
    ctx = _LinkContext(place_ids, have_places, sides, known, ends)
    values: dict[str, Any] = {**cols, "gauge": np.asarray(gauge, dtype=float)}
    n = len(values["gauge"])
    codes: dict[str, tuple[npt.NDArray[np.intp], int]] = {}
    flagged = np.zeros(n, dtype=bool)
    runs: list[tuple[npt.NDArray[np.bool_] | None, list[tuple[_Finding, ...]],
                     npt.NDArray[np.intp]]] = []
    for columns, rule, screen in _LINK_RULES:
        if screen is not None:
            marked = screen(ctx, values)
            flagged |= marked
            runs.append((marked, [], np.zeros(0, dtype=np.intp)))
            continue
        for c in columns:
            if c not in codes:
                codes[c] = _codes(values[c])
        combo = codes[columns[0]][0]
        for c in columns[1:]:
            code, size = codes[c]
            combo = pd.factorize(combo.astype(np.int64) * size + code)[0].astype(np.intp)
        first = np.flatnonzero(first_rows(combo))
        found = [tuple(rule(ctx, *args))
                 for args in zip(*(_row(values[c], first) for c in columns))]
        bad = np.array([bool(f) for f in found], dtype=bool)
        if bad.any():
            flagged |= bad[combo]
        runs.append((None, found, combo))
    for i in np.flatnonzero(flagged):
        row = int(i)
        for (columns, rule, _), (screened, found, combo) in zip(_LINK_RULES, runs):
            if screened is None:
                findings: Any = found[combo[row]]
            elif screened[row]:
                findings = rule(ctx, *(_row(values[c], np.array([row]))[0] for c in columns))
            else:
                continue
            for column, message, fix in findings:
                add(row, column, message, fix)
    return _waypoints(cols["waypoints"])


def _waypoints(cells: pd.Series) -> LinkCells:
    """The parsed waypoints of each row, each distinct cell parsed once."""
    codes, uniques = factorize(cells)
    parsed: list[tuple[tuple[float, float], ...]] = []
    for cell in uniques:
        try:
            parsed.append(tuple(parse_waypoints(cell)))
        except ValueError:
            parsed.append(())
    return LinkCells(codes, parsed)
