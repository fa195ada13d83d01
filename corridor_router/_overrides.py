"""Checking scenario overrides: what a key may name, and the bounds of a value.

Keys name parameters of the network (see ``networks/README.md``); the fields a key may
end in come from the metric registry (:mod:`corridor_router.metrics`). Values in
scenarios.toml keep the physical bounds of the data; values of a Scenario built in
Python, a what-if, keep the wider :data:`WHAT_IF_BOUNDS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._cache import Slot
from ._validate import FIELD_BOUNDS, MAX_LENGTH_KM, Bound, finite_real
from .errors import shown
from .metrics import term_fields
from .modes import EdgeKind

if TYPE_CHECKING:
    from .network import Network

__all__ = ["WHAT_IF_BOUNDS", "WHAT_IF_MAX", "WHAT_IF_MIN_SPEED_KMH", "check_override",
           "link_tags"]

def _link_fields(*, waits: bool = False) -> tuple[str, ...]:
    """Link figures an override may set (from the metric registry; lengths are fixed)."""
    kinds = (EdgeKind.LINK, EdgeKind.WAIT) if waits else (EdgeKind.LINK,)
    return tuple(f for f in term_fields(kinds) if f != "length_km")


def _pair_fields() -> tuple[str, ...]:
    """Figures of transfer, gauge-break and connector tables an override may set."""
    return tuple(sorted(term_fields((EdgeKind.TRANSFER, EdgeKind.GAUGE_BREAK,
                                     EdgeKind.START))))


#: Most a what-if override value may be, whatever its unit.
WHAT_IF_MAX = 1e9
#: Least speed of a what-if override, km/h.
WHAT_IF_MIN_SPEED_KMH = 1e-3
#: Bounds of the override values of a Scenario built in Python. What-if studies go
#: beyond plausible figures on purpose (check_claim's break-even search tries speeds
#: from 0.001 to 100,000 km/h), so these are wider than the physical bounds the data
#: (and scenarios.toml) must keep, but they still keep every route total finite: a leg
#: takes at most MAX_LENGTH_KM / WHAT_IF_MIN_SPEED_KMH = 2.5e7 hours and costs at most
#: MAX_LENGTH_KM * WHAT_IF_MAX = 2.5e13 USD per TEU.
WHAT_IF_BOUNDS: dict[str, Bound] = {
    name: Bound(WHAT_IF_MIN_SPEED_KMH if name == "speed_kmh" else bound.low,
                max(bound.high, WHAT_IF_MAX), bound.unit,
                why_low="it would make the hours of a leg of "
                        f"{MAX_LENGTH_KM:,.0f} km infinite" if name == "speed_kmh" else "",
                why_high="too large for a what-if to mean anything",
                positive=bound.positive)
    for name, bound in FIELD_BOUNDS.items()
}


def _transfer_reached(network: Network, pair: str, field_name: str) -> bool:
    """Whether some place serving both modes of a pair lacks its own handling figure."""
    own = {"hours": "handling_h", "cost_usd_per_teu": "handling_usd_per_teu"}.get(field_name)
    a, _, b = pair.partition("-")
    places = network.places
    both = [a in ms and b in ms for ms in places["modes"]]
    if own is None or own not in places.columns:
        return any(both)
    return bool((np.asarray(both) & places[own].isna().to_numpy()).any())


#: The corridor tags the network's links carry.
LINK_TAGS: Slot[frozenset[str]] = Slot("link_tags")


def link_tags(network: Network) -> set[str]:
    """The corridor tags the network's links carry (a new set; computed once per network)."""
    def make() -> frozenset[str]:
        cells = network.links["corridors"].to_numpy(dtype=object).tolist()
        return frozenset(t for ts in cells for t in ts)
    tags: frozenset[str] = network._cache.get_or_make(LINK_TAGS, make)
    return set(tags)


def _table(node: Any, key: str) -> Mapping[str, Any]:
    """``node[key]`` if both are tables, else an empty table (params may be malformed)."""
    value = node.get(key, {}) if isinstance(node, Mapping) else {}
    return value if isinstance(value, Mapping) else {}


def _bounded(field_name: str, value: float, bounds: Mapping[str, Bound]) -> str | None:
    """The bound an override value breaks, as a message (None if within it)."""
    bound = bounds.get(field_name)
    if bound is None:       # a field of a metric added to the registry: no known bound
        return None if value >= 0 else f"{value:g} is negative; give a value of at least 0"
    message = bound.problem(value)
    return f"{message}; {bound.fix}" if message else None


def check_override(network: Network, key: str, value: Any,
                    bounds: Mapping[str, Bound] = FIELD_BOUNDS) -> str | None:
    """What is wrong with one override against a network, or None.

    The key must name something the network has and change something; the value must
    be a number within the bound of its field in ``bounds`` (e.g. a speed of 1 to
    300 km/h in the physical bounds of ``FIELD_BOUNDS``).
    """
    number = finite_real(value)
    if number is None:     # a Scenario holds floats already; scenarios.toml may not
        return f"value {shown(value)} must be a finite number"
    parts = key.split(".")
    message = _check_override_key(network, network.params, parts)
    if message is not None:
        return message
    return _bounded(parts[-1], number, bounds)


def _check_override_key(network: Network, params: Mapping[str, Any],
                        parts: list[str]) -> str | None:
    """What is wrong with an override's dotted key (split at the dots), or None."""
    head = parts[0]
    if head == "modes":
        links = network.links
        modes = _table(params, "modes")
        fields = _link_fields()
        if len(parts) == 3 and _table(modes, parts[1]) and parts[2] in fields:
            mode, country, field_name = parts[1], None, parts[2]
        elif len(parts) == 5 and _table(modes, parts[1]) and parts[2] == "countries" \
                and parts[4] in fields:
            mode, country, field_name = parts[1], parts[3], parts[4]
            if country not in set(links.loc[links["mode"] == mode, "country"]):
                return f"no {mode} link lies in country {shown(country)}"
        else:
            return (f"use modes.<mode>.<{'|'.join(fields)}> or "
                    "modes.<mode>.countries.<CC>.<key>")
        # links with their own figure in links.csv keep it, and a mode's figure reaches
        # only links whose country has none of its own: the override must reach one
        reached = links["mode"] == mode
        if field_name in links.columns:
            reached &= links[field_name].isna()
        if country is not None:
            reached &= links["country"] == country
        else:
            countries = _table(_table(modes, mode), "countries")
            own = [c for c, t in countries.items() if isinstance(t, Mapping) and field_name in t]
            reached &= ~links["country"].isin(own)
        if not reached.any():
            return (f"every {mode} link{' in ' + country if country else ''} has its own "
                    f"{field_name} in links.csv or its country's in params.toml, so this "
                    f"changes nothing; override links.<id>.{field_name}, "
                    f"tags.<tag>.{field_name} or modes.{mode}.countries.<CC>.{field_name}")
        return None
    if head in ("transfer", "gauge_break", "connector"):
        section = _table(params, head)
        if len(parts) == 3 and isinstance(section.get(parts[1]), Mapping) \
                and parts[2] in _pair_fields():
            if head == "transfer" and not _transfer_reached(network, parts[1], parts[2]):
                return (f"every place serving both modes of {parts[1]} has its own handling "
                        "figure in places.csv, so this changes nothing; override "
                        "places.<id>.<field> instead")
            return None
        known = ", ".join(sorted(map(str, section)))
        return f"use {head}.<one of: {known}>.<{'|'.join(_pair_fields())}>"
    if head == "service":
        return _check_service_key(network, parts)
    if head == "value_of_time":
        return None if parts[1:] == ["usd_per_teu_h"] else "use value_of_time.usd_per_teu_h"
    if head == "crossings":
        fields = term_fields((EdgeKind.BORDER,))
        if len(parts) == 3 and parts[1] in network.crossings.index and parts[2] in fields:
            return None
        return (f"use crossings.<crossing id>.<{'|'.join(fields)}> with an id from "
                "crossings.csv")
    if head == "links":
        fields = _link_fields(waits=True)
        if len(parts) == 3 and parts[1] in network.links.index and parts[2] in fields:
            headway = network.links["headway_h"].to_numpy(dtype=float)[
                network.links.index.get_loc(parts[1])]
            if parts[2] == "headway_h" and not np.isfinite(headway):
                return (f"link {shown(parts[1])} has no service headway (only scheduled "
                        "links do), so this changes nothing")
            return None
        return f"use links.<link id>.<{'|'.join(fields)}> with an id from links.csv"
    if head == "tags":
        fields = _link_fields()
        if len(parts) == 3 and parts[1] in link_tags(network) and parts[2] in fields:
            return None
        return f"use tags.<corridor tag>.<{'|'.join(fields)}> with a tag from links.csv"
    if head == "places":
        fields = term_fields((EdgeKind.TRANSFER,), place=True)
        if len(parts) == 3 and parts[1] in network.places.index and parts[2] in fields:
            served = network.places["modes"].tolist()[network.place_row(parts[1])]
            if len(set(served)) < 2:
                return (f"place {shown(parts[1])} serves one mode, so no cargo changes mode "
                        "there and this changes nothing")
            return None
        return f"use places.<place id>.<{'|'.join(fields)}>"
    return ("unknown section; use modes, service, transfer, gauge_break, connector, "
            "value_of_time, crossings, links, tags or places")


def _check_service_key(network: Network, parts: list[str]) -> str | None:
    """``service.<mode>.headway_h`` or ``service.<mode>.countries.<CC>.headway_h``."""
    fields = term_fields((EdgeKind.START, EdgeKind.TRANSFER), section="service")
    usage = (f"use service.<mode>.<{'|'.join(fields)}> or "
             f"service.<mode>.countries.<CC>.<{'|'.join(fields)}>")
    if len(parts) not in (3, 5) or parts[-1] not in fields \
            or (len(parts) == 5 and parts[2] != "countries"):
        return usage
    mode = parts[1]
    links = network.links
    if links.loc[links["mode"] == mode, "headway_h"].notna().any():
        return (f"{shown(mode)} links carry their own headway_h (sailings wait half of it), "
                f"so a {mode} service headway would count the wait twice; override "
                "links.<link id>.headway_h instead")
    places = network.places
    serving = np.array([mode in ms for ms in places["modes"]], dtype=bool)
    if not serving.any():
        return f"no place serves {shown(mode)}, so no cargo boards it"
    if len(parts) == 5:
        # cargo boards on a place's side of a border: the place's or a crossing's countries
        countries = set(places.loc[serving, "country"])
        crossings = network.crossings
        at = crossings["place"].isin(places.index[serving])
        countries |= set(crossings.loc[at, "from_country"]) | set(crossings.loc[at, "to_country"])
        if parts[3] not in countries:
            return (f"no place in country {shown(parts[3])} serves {shown(mode)}, so no cargo "
                    "boards it there")
    return None
