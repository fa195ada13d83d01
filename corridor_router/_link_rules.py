"""The per-row rules of links.csv, each written once and run once per distinct cell set.

Each rule is a function of the cells it reads, yielding ``(column, message, fix)`` for
every problem it finds. :func:`check_link_rows` evaluates each rule once per distinct
combination of its cells (few for most rules), so the rules are both the screen and the
report: a new rule cannot be skipped by a separate fast path. Rules about modes ask for
a mode's traits (:data:`~corridor_router.modes.MODE_TRAITS`) when they run, so a mode
added there is checked like the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._cells import NUMBER_PATTERN, STATUSES, is_country, split_list
from ._sea_passages import PASSAGES
from .errors import shown
from .modes import GAUGES, MODE_TRAITS

__all__ = ["check_link_rows", "parse_waypoints"]

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


@dataclass(frozen=True)
class _LinkContext:
    place_ids: set[str]
    have_places: bool
    sides: dict[str, set[str]]
    known: set[str]


_Finding = tuple[str, str, str]
_Rule = Callable[..., Iterator[_Finding]]
_LINK_RULES: list[tuple[tuple[str, ...], _Rule]] = []


def _link_rule(*columns: str) -> Callable[[_Rule], _Rule]:
    """Register a links.csv rule reading ``columns``; rules run in registration order."""
    def register(rule: _Rule) -> _Rule:
        _LINK_RULES.append((columns, rule))
        return rule
    return register


def _link_end_known(end: str) -> _Rule:
    def rule(ctx: _LinkContext, pid: str) -> Iterator[_Finding]:
        if pid not in ctx.place_ids and ctx.have_places:
            yield (end, f"unknown place id {shown(pid)}",
                   "use an id from places.csv or add the place there")
    return rule


_link_rule("from")(_link_end_known("from"))
_link_rule("to")(_link_end_known("to"))


@_link_rule("from", "to")
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


def _link_end_country(ctx: _LinkContext, mode: str, country: str,
                      pid: str) -> Iterator[_Finding]:
    """A land link ends in its own country (checked once the code is valid)."""
    if _is_land(mode) and is_country(country) and pid in ctx.sides \
            and country not in ctx.sides[pid]:
        yield ("country",
               f"link in {country} ends at {shown(pid)}, which lies in "
               f"{'/'.join(sorted(ctx.sides[pid]))}",
               "split the link at a border place, or add the crossing to crossings.csv")


_link_rule("mode", "country", "from")(_link_end_country)
_link_rule("mode", "country", "to")(_link_end_country)


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


def check_link_rows(cols: dict[str, list[str]], gauge: npt.NDArray[np.float64],
                    place_ids: set[str], have_places: bool, sides: dict[str, set[str]],
                    known: set[str], add: Callable[[int, str, str, str], None]
                    ) -> list[list[tuple[float, float]]]:
    """Report every problem of the links.csv rows; return each row's parsed waypoints.

    ``cols`` holds the stripped cells of ``from, to, mode, status, gauge_mm, country,
    bidirectional, waypoints, straits, source``; ``gauge`` the parsed ``gauge_mm``; ``sides`` the
    countries of each border place; ``known`` the source ids. Problems are reported row
    by row and, within a row, in rule order, through ``add(row, column, message, fix)``.
    Rows with a bad waypoints cell get no waypoints.
    """
    ctx = _LinkContext(place_ids, have_places, sides, known)
    values = {**{c: np.asarray(v, dtype=object) for c, v in cols.items()},
              "gauge": np.asarray(gauge, dtype=float)}
    n = len(values["gauge"])
    codes = {c: pd.factorize(v, use_na_sentinel=False) for c, v in values.items()}
    findings, row_codes = [], []
    flagged = np.zeros(n, dtype=bool)
    for columns, rule in _LINK_RULES:
        key = np.zeros(n, dtype=np.int64)
        for c in columns:
            code, uniques = codes[c]
            key = pd.factorize(key * len(uniques) + code)[0]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        found = [tuple(rule(ctx, *args))
                 for args in zip(*(values[c][first].tolist() for c in columns))]
        flagged |= np.array([bool(f) for f in found], dtype=bool)[inverse]
        findings.append(found)
        row_codes.append(inverse)
    for i in np.flatnonzero(flagged):
        for found, inverse in zip(findings, row_codes):
            for column, message, fix in found[inverse[i]]:
                add(int(i), column, message, fix)
    parsed = {}
    for cell in set(cols["waypoints"]):
        try:
            parsed[cell] = parse_waypoints(cell)
        except ValueError:
            parsed[cell] = []
    return [list(parsed[cell]) if parsed[cell] else [] for cell in cols["waypoints"]]
