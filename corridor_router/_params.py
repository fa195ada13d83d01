"""Reading and checking ``params.toml``: rates, speeds, handling, gauge breaks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._cells import codes_of, is_in
from ._validate import (
    FIELD_BOUNDS,
    PRICE_YEARS,
    Bound,
    Problems,
    finite_real,
    is_country,
    split_list,
)
from .errors import shown
from .modes import GAUGES, gauged_modes, mode_names

__all__ = [
    "as_number",
    "check_sources",
    "mode_value",
    "pair_key",
    "pair_value",
    "source_ids",
    "validate",
]

FILE = "params.toml"
#: Figures every mode the network's links use must give: line-haul speed, rate, and
#: well-to-wheel emissions per TEU-km (ISO 14083; see networks/README.md).
MODE_KEYS = ("speed_kmh", "rate_usd_per_teu_km", "co2e_kg_per_teu_km")
#: Figures a mode table may give (checked where given): en-route delays beyond line haul.
OPTIONAL_MODE_KEYS = ("delay_h_per_km",)
#: Figures of a ``[service.<mode>]`` table: the headway of the services cargo boards.
SERVICE_KEYS = ("headway_h",)
PAIR_KEYS = ("cost_usd_per_teu", "hours")
#: Figures a transfer or gauge-break table may give: the hub's emissions per TEU handled
#: (none given: the hub is counted as emitting nothing, which understates).
OPTIONAL_HUB_KEYS = ("co2e_kg_per_teu",)
#: Tables of params.toml whose entries are keyed by a mode or by a pair of modes/gauges.
SECTIONS = ("modes", "transfer", "gauge_break", "connector")


def pair_key(a: object, b: object) -> str:
    """Key of an unordered pair in params: sorted and joined by ``-``."""
    x, y = sorted((str(a), str(b)), key=lambda s: (len(s), s) if s.isdigit() else (0, s))
    return f"{x}-{y}"


def mode_value(params: Mapping[str, Any], mode: str, country: str, key: str) -> float:
    """A per-mode value (``speed_kmh`` or ``rate_usd_per_teu_km``), country first."""
    table = params["modes"][mode]
    countries = table.get("countries", {})
    country_table = countries.get(country, {}) if isinstance(countries, Mapping) else {}
    if isinstance(country_table, Mapping) and key in country_table:
        return float(country_table[key])
    return float(table[key])


def pair_value(params: Mapping[str, Any], section: str, a: object, b: object
               ) -> tuple[float, float]:
    """(cost_usd_per_teu, hours) of a transfer or gauge-break pair."""
    entry = params[section][pair_key(a, b)]
    return float(entry["cost_usd_per_teu"]), float(entry["hours"])


def source_ids(value: Any) -> tuple[str, ...]:
    """Source ids of a TOML ``source`` value: a list, or a string of ``;``-separated ids.

    Anything else (a number, a table...) has no source ids; :func:`check_sources`
    reports it.
    """
    if isinstance(value, str):
        return split_list(value)
    if isinstance(value, list | tuple):    # a tuple: a network's read-only params
        return tuple(s for v in value if isinstance(v, str) for s in split_list(v))
    return ()


def as_number(value: Any) -> float | None:
    """``value`` as a finite float if it is a TOML (or numpy) number, else None.

    Booleans are not numbers; integers too large for a float are not finite.
    """
    return finite_real(value)


def check_sources(entry: Mapping[str, Any], key: str, problems: Problems, known: set[str],
                  file: str = FILE, field: str = "source") -> tuple[str, ...]:
    """A TOML table's ``source`` (or ``field``) must name ids of sources.csv; returns them."""
    value = entry.get(field)
    where = f"{key}.{field}"
    if value is not None and not isinstance(value, str) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)):
        problems.add(file, None, where, f"{shown(value)} is not a source id or a list of them",
                     'write source = ["<id>", ...] with ids from sources.csv')
        return ()
    srcs = source_ids(value)
    if not srcs:
        problems.add(file, None, where, "no source", "name the source id of these values")
    for s in srcs:
        if s not in known:
            problems.add(file, None, where, f"source id {shown(s)} is not in sources.csv",
                         "add it to sources.csv or correct the id")
    return srcs


def check_value(value: Any, bound: Bound, where: str, problems: Problems,
                file: str = FILE) -> float | None:
    """A TOML value that must be a number within ``bound``; the number, or None."""
    number = as_number(value)
    if number is None:
        problems.add(file, None, where, f"{shown(value)} is not a finite number",
                     f"write a plain number ({bound.unit})")
        return None
    message = bound.problem(number)
    if message:
        problems.add(file, None, where, message, bound.fix)
        return None
    return number


def _check_table(entry: Any, key: str, needed: tuple[str, ...], problems: Problems,
                 known: set[str], *, all_needed: bool = True,
                 optional: tuple[str, ...] = ()) -> None:
    if not isinstance(entry, Mapping):
        problems.add(FILE, None, key, "is missing or not a table",
                     f"add [{key}] with {', '.join(needed)} and source")
        return
    for k in (*needed, *optional):
        bound = FIELD_BOUNDS[k]
        value = None
        if k in entry:
            value = check_value(entry[k], bound, f"{key}.{k}", problems)
        elif all_needed and k in needed:
            problems.add(FILE, None, f"{key}.{k}", "value is missing", f"add {k} = <number>")
        low, high = None, None
        if f"{k}_low" in entry:
            low = check_value(entry[f"{k}_low"], bound, f"{key}.{k}_low", problems)
        if f"{k}_high" in entry:
            high = check_value(entry[f"{k}_high"], bound, f"{key}.{k}_high", problems)
        if value is not None and ((low is not None and low > value)
                                  or (high is not None and high < value)):
            problems.add(FILE, None, f"{key}.{k}", f"{value:g} lies outside its sourced range "
                         f"{_range(low)}..{_range(high)}", f"make {k}_low <= {k} <= {k}_high")
        if f"{k}_source" in entry:      # a figure's own sources, instead of the table's
            check_sources(entry, key, problems, known, field=f"{k}_source")
    check_sources(entry, key, problems, known)


def _range(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _section(params: Mapping[str, Any], name: str, problems: Problems) -> Mapping[str, Any]:
    """A table of params.toml (empty if absent; reported and empty if not a table)."""
    return problems.table(params, name, FILE,
                          f"write [{name}.<key>] tables (see networks/README.md)")


def _valid_pair(key: str, names: tuple[str, ...]) -> bool:
    parts = key.split("-")
    return len(parts) == 2 and all(p in names for p in parts) and parts[0] != parts[1] \
        and pair_key(*parts) == key


def validate(params: Mapping[str, Any], problems: Problems, known: set[str],
             places: pd.DataFrame, links: pd.DataFrame) -> None:
    """Check types, bounds and sources of params, and that they cover the network.

    Every mode, transfer, gauge pair and connector the network uses must have figures.
    """
    _check_header(params, problems, known)
    _check_table(params.get("value_of_time"), "value_of_time", ("usd_per_teu_h",), problems,
                 known)
    sections = {name: _section(params, name, problems) for name in SECTIONS}
    scheduled = set(pd.unique(links["mode"][links["headway_h"].notna().to_numpy()]).tolist()) \
        if "headway_h" in links.columns else set()
    _check_service(params, problems, known, scheduled)

    modes = mode_names()
    used_modes = set(pd.unique(links["mode"]).tolist()) & set(modes)
    for mode, entry in sections["modes"].items():
        if mode not in modes:
            problems.add(FILE, None, f"modes.{mode}", f"unknown mode {shown(mode)}",
                         f"use one of: {', '.join(modes)}")
            continue
        _check_mode(entry, mode, problems, known, needed=mode in used_modes)
    for mode in sorted(used_modes - set(sections["modes"])):
        _check_table(None, f"modes.{mode}", MODE_KEYS, problems, known)

    # Modes that can start or end a trip, and pairs that meet at a place (each distinct
    # list of a place's modes once).
    mode_lists = [tuple(ms) for ms in pd.unique(places["modes"].to_numpy(dtype=object))]
    place_modes = {m for ms in mode_lists for m in ms}
    pairs: set[str] = set()
    for listed in mode_lists:
        ms = sorted(set(listed) & used_modes)
        pairs.update(pair_key(a, b) for i, a in enumerate(ms) for b in ms[i + 1:])
    gpairs = _gauge_pairs(links)
    needed = {
        "connector": place_modes & used_modes,
        "transfer": pairs,
        "gauge_break": gpairs,
    }
    names = {"connector": modes, "transfer": modes, "gauge_break": tuple(map(str, GAUGES))}
    for section, required in needed.items():
        table = sections[section]
        for key in sorted(set(table) | required):
            shown_key = f'{section}."{key}"' if section != "connector" else f"{section}.{key}"
            ok = key in names[section] if section == "connector" \
                else _valid_pair(key, names[section])
            if not ok:
                what = "mode" if section == "connector" else "pair"
                problems.add(FILE, None, shown_key, f"unknown {what} {shown(key)}",
                             _key_fix(section))
                continue
            _check_table(table.get(key), shown_key, PAIR_KEYS, problems, known,
                         optional=OPTIONAL_HUB_KEYS if section != "connector" else ())


def _gauge_pairs(links: pd.DataFrame) -> set[str]:
    """Gauge pairs that meet at a place: the gauges of its gauged links (keyed by gauge)."""
    gauged = is_in(links["mode"], gauged_modes())
    gauge = links["gauge_mm"].to_numpy(dtype=float, na_value=np.nan)
    known = gauged & np.isin(gauge, GAUGES)
    if not known.any():
        return set()
    ends = pd.concat([links["from"][known], links["to"][known]], ignore_index=True)
    place = codes_of(ends)
    sizes = np.array(sorted(GAUGES))
    which = np.searchsorted(sizes, np.concatenate([gauge[known], gauge[known]]))
    met = np.sort(place.astype(np.int64) * len(sizes) + which)
    met = met[np.r_[True, met[1:] != met[:-1]]]
    at, g = met // len(sizes), met % len(sizes)
    several = np.flatnonzero(np.r_[False, at[1:] == at[:-1]] | np.r_[at[:-1] == at[1:], False])
    gauges_at: dict[int, set[int]] = {}
    for k in several:
        gauges_at.setdefault(int(at[k]), set()).add(int(sizes[g[k]]))
    gpairs: set[str] = set()
    for gset in gauges_at.values():
        gs = sorted(gset)
        gpairs.update(pair_key(a, b) for i, a in enumerate(gs) for b in gs[i + 1:])
    return gpairs


def _key_fix(section: str) -> str:
    if section == "connector":
        return f"use one of: {', '.join(mode_names())}"
    if section == "transfer":
        return 'name two different modes, sorted and joined by "-", e.g. "rail-road"'
    return ('name two different gauges in mm, ascending and joined by "-", e.g. "1520-1676", '
            f"from {', '.join(map(str, GAUGES))}")


def _check_header(params: Mapping[str, Any], problems: Problems, known: set[str]) -> None:
    """The top-level keys: currency, unit, price_year and source."""
    for key, want in (("currency", "USD"), ("unit", "TEU")):
        if key not in params:
            problems.add(FILE, None, key, "is missing",
                         f'add {key} = "{want}" at the top of {FILE}')
        elif params[key] != want:
            problems.add(FILE, None, key, f"{shown(params[key])} is not supported",
                         f'write {key} = "{want}" (convert figures to {want})')
    year = params.get("price_year")
    if "price_year" not in params:
        problems.add(FILE, None, "price_year", "is missing",
                     f"add price_year = <year> at the top of {FILE}")
    elif isinstance(year, bool) or not isinstance(year, int):
        problems.add(FILE, None, "price_year", f"{shown(year)} is not a year",
                     "write the year of the prices as a whole number, e.g. price_year = 2023")
    elif not PRICE_YEARS[0] <= year <= PRICE_YEARS[1]:
        problems.add(FILE, None, "price_year",
                     f"{shown(year)} is not a plausible price year "
                     f"({PRICE_YEARS[0]}..{PRICE_YEARS[1]})",
                     "write the year of the prices, e.g. price_year = 2023")
    check_sources(params, "(top level)", problems, known)


def _check_mode(entry: Any, mode: str, problems: Problems, known: set[str], *,
                needed: bool) -> None:
    key = f"modes.{mode}"
    if not isinstance(entry, Mapping):
        _check_table(entry, key, MODE_KEYS, problems, known)
        return
    _check_table(entry, key, MODE_KEYS, problems, known, all_needed=needed,
                 optional=OPTIONAL_MODE_KEYS)
    _check_countries(entry, key, MODE_KEYS, problems, known)


def _check_service(params: Mapping[str, Any], problems: Problems, known: set[str],
                   scheduled: set[str]) -> None:
    """``[service.<mode>]`` tables: headways of the services cargo boards (optional).

    A mode whose links carry their own ``headway_h`` (sailings) waits for them already.
    """
    if "service" not in params:
        return
    modes = mode_names()
    for mode, entry in _section(params, "service", problems).items():
        key = f"service.{mode}"
        if mode not in modes:
            problems.add(FILE, None, key, f"unknown mode {shown(mode)}",
                         f"use one of: {', '.join(modes)}")
            continue
        if mode in scheduled:
            problems.add(FILE, None, key,
                         f"{mode} links carry their own headway_h (cargo waits half of it), so "
                         "a service headway would count the wait twice",
                         f"remove [{key}]; give the links' headway_h in links.csv")
            continue
        if not isinstance(entry, Mapping):
            _check_table(entry, key, SERVICE_KEYS, problems, known)
            continue
        if set(entry) - {"countries"}:    # figures of its own (not only per country)
            _check_table(entry, key, SERVICE_KEYS, problems, known, all_needed=False)
        _check_countries(entry, key, SERVICE_KEYS, problems, known)


def _check_countries(entry: Mapping[str, Any], key: str, keys: tuple[str, ...],
                     problems: Problems, known: set[str]) -> None:
    countries = entry.get("countries", {})
    if not isinstance(countries, Mapping):
        problems.add(FILE, None, f"{key}.countries", f"{shown(countries)} is not a table",
                     f"write [{key}.countries.<CC>] tables")
        return
    for cc, sub in countries.items():
        if not is_country(cc):
            problems.add(FILE, None, f"{key}.countries.{cc}",
                         f"{shown(cc)} is not an ISO 3166-1 alpha-2 code",
                         "use a two-letter upper-case code such as PK, AF, UZ")
            continue
        _check_table(sub, f"{key}.countries.{cc}", keys, problems, known,
                     all_needed=False,
                     optional=OPTIONAL_MODE_KEYS if keys == MODE_KEYS else ())

