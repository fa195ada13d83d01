"""Reading and checking ``params.toml``: rates, speeds, handling, gauge breaks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ._validate import MODES, Problems, split_list

__all__ = ["check_sources", "mode_value", "pair_key", "pair_value", "source_ids", "validate"]

FILE = "params.toml"
MODE_KEYS = ("speed_kmh", "rate_usd_per_teu_km")
PAIR_KEYS = ("cost_usd_per_teu", "hours")


def pair_key(a: object, b: object) -> str:
    """Key of an unordered pair in params: sorted and joined by ``-``."""
    x, y = sorted((str(a), str(b)), key=lambda s: (len(s), s) if s.isdigit() else (0, s))
    return f"{x}-{y}"


def mode_value(params: Mapping[str, Any], mode: str, country: str, key: str) -> float:
    """A per-mode value (``speed_kmh`` or ``rate_usd_per_teu_km``), country first."""
    table = params["modes"][mode]
    country_table = table.get("countries", {}).get(country, {})
    if key in country_table:
        return float(country_table[key])
    return float(table[key])


def pair_value(params: Mapping[str, Any], section: str, a: object, b: object) -> tuple[float, float]:
    """(cost_usd_per_teu, hours) of a transfer or gauge-break pair."""
    entry = params[section][pair_key(a, b)]
    return float(entry["cost_usd_per_teu"]), float(entry["hours"])


def source_ids(value: Any) -> tuple[str, ...]:
    """Source ids of a TOML ``source`` value: a list, or a string of ``;``-separated ids."""
    if isinstance(value, str):
        return split_list(value)
    return tuple(str(v) for v in (value or ()))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value) \
        and value >= 0


def check_sources(entry: Mapping, key: str, problems: Problems, known: set[str],
                  file: str = FILE) -> tuple[str, ...]:
    """A TOML table's ``source`` must name ids of sources.csv; returns the ids."""
    srcs = source_ids(entry.get("source"))
    if not srcs:
        problems.add(file, None, f"{key}.source", "no source", "name the source id of these values")
    for s in srcs:
        if s not in known:
            problems.add(file, None, f"{key}.source", f"source id {s!r} is not in sources.csv",
                         "add it to sources.csv or correct the id")
    return srcs


def _check_table(entry: Any, key: str, needed: tuple[str, ...], problems: Problems,
                 known: set[str], *, all_needed: bool = True) -> None:
    if not isinstance(entry, Mapping):
        problems.add(FILE, None, key, "is missing or not a table",
                     f"add [{key}] with {', '.join(needed)} and source")
        return
    for k in needed:
        if k in entry:
            if not _number(entry[k]):
                problems.add(FILE, None, f"{key}.{k}", f"{entry[k]!r} is not a non-negative number",
                             "write a plain non-negative number")
        elif all_needed:
            problems.add(FILE, None, f"{key}.{k}", "value is missing", f"add {k} = <number>")
        low, high = entry.get(f"{k}_low"), entry.get(f"{k}_high")
        for name, bound in ((f"{k}_low", low), (f"{k}_high", high)):
            if bound is not None and not _number(bound):
                problems.add(FILE, None, f"{key}.{name}", f"{bound!r} is not a non-negative number",
                             "write a plain non-negative number")
        value = entry.get(k)
        if _number(value) and ((low is not None and _number(low) and low > value)
                               or (high is not None and _number(high) and high < value)):
            problems.add(FILE, None, f"{key}.{k}", f"{value:g} lies outside its sourced range "
                         f"{low}..{high}", f"make {k}_low <= {k} <= {k}_high")
    check_sources(entry, key, problems, known)


def validate(params: dict, problems: Problems, known: set[str], places, links) -> None:
    """Check that params cover every mode, transfer, gauge pair and connector the network uses."""
    for key in ("currency", "price_year", "unit"):
        if key not in params:
            problems.add(FILE, None, key, "is missing", f"add {key} at the top of {FILE}")
    if params.get("currency", "USD") != "USD":
        problems.add(FILE, None, "currency", "only USD is supported", "convert figures to USD")
    if params.get("unit", "TEU") != "TEU":
        problems.add(FILE, None, "unit", "only TEU is supported", "express figures per TEU")
    check_sources(params, "(top level)", problems, known)
    _check_table(params.get("value_of_time"), "value_of_time", ("usd_per_teu_h",), problems, known)

    used_modes = set(links["mode"]) & set(MODES)
    modes = params.get("modes", {})
    for mode in sorted(used_modes):
        entry = modes.get(mode)
        _check_table(entry, f"modes.{mode}", MODE_KEYS, problems, known)
        if isinstance(entry, Mapping):
            for cc, sub in entry.get("countries", {}).items():
                _check_table(sub, f"modes.{mode}.countries.{cc}", MODE_KEYS, problems, known,
                             all_needed=False)
            speeds = entry.get("speed_kmh")
            if speeds == 0:
                problems.add(FILE, None, f"modes.{mode}.speed_kmh", "speed must be above zero",
                             "enter a positive speed")

    # Modes that can start or end a trip, and pairs that meet at a place.
    place_modes = {m for ms in places["modes"] for m in ms}
    for mode in sorted(place_modes & used_modes):
        _check_table(params.get("connector", {}).get(mode), f"connector.{mode}", PAIR_KEYS,
                     problems, known)
    pairs = set()
    for ms in places["modes"]:
        ms = sorted(set(ms) & used_modes)
        pairs.update(pair_key(a, b) for i, a in enumerate(ms) for b in ms[i + 1:])
    for pair in sorted(pairs):
        _check_table(params.get("transfer", {}).get(pair), f'transfer."{pair}"', PAIR_KEYS,
                     problems, known)
    rail = links[links["mode"] == "rail"]
    gauges_at: dict[str, set[int]] = {}
    for end in ("from", "to"):
        for pid, g in zip(rail[end], rail["gauge_mm"]):
            if g is not None and g is not np.nan and not _isna(g):
                gauges_at.setdefault(pid, set()).add(int(g))
    gpairs = set()
    for gs in gauges_at.values():
        gs = sorted(gs)
        gpairs.update(pair_key(a, b) for i, a in enumerate(gs) for b in gs[i + 1:])
    for pair in sorted(gpairs):
        _check_table(params.get("gauge_break", {}).get(pair), f'gauge_break."{pair}"', PAIR_KEYS,
                     problems, known)


def _isna(value: Any) -> bool:
    try:
        return bool(np.isnan(value))
    except TypeError:
        return value is None or str(value) == "<NA>"
