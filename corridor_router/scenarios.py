"""Scenarios: which links exist, what is closed, which parameters change."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._validate import STATUSES, Problems
from .errors import ScenarioError

if TYPE_CHECKING:
    from .network import Network

__all__ = ["ResolvedScenario", "Scenario", "get_scenario", "validate_scenario"]

_MODE_KEYS = ("speed_kmh", "rate_usd_per_teu_km")
_PAIR_KEYS = ("cost_usd_per_teu", "hours")


@dataclass(frozen=True)
class Scenario:
    """A what-if applied to a network without changing it.

    Parameters
    ----------
    name : str
        Name shown in results.
    statuses : tuple of str
        Link statuses that exist (default: operational only).
    build : tuple of str
        Corridor tags whose links exist whatever their status (e.g. ``("uap",)``).
    close : tuple of str
        Place, link or crossing ids (or place names) that are shut.
    overrides : Mapping[str, float]
        Parameter changes by dotted key, e.g. ``{"crossings.torkham_road_pk_af.dwell_h": 9.9}``
        or ``{"tags.ml1.speed_kmh": 120}``. See ``networks/README.md``.
    description : str
        One-line rationale.
    source : tuple of str
        Source ids behind the scenario's figures.
    """

    name: str = "custom"
    statuses: tuple[str, ...] = ("operational",)
    build: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    overrides: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    source: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ScenarioError(f"A scenario's name must be a non-empty string, not {self.name!r}.")
        for name in ("statuses", "build", "close", "source"):
            value = getattr(self, name)
            if value is None:
                value = ("operational",) if name == "statuses" else ()
            if isinstance(value, str):
                value = (value,)
            if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
                raise ScenarioError(
                    f"Scenario {self.name!r}: {name} must be a list of strings, got {value!r}.")
            object.__setattr__(self, name, tuple(value))
        overrides = {} if self.overrides is None else self.overrides
        if not isinstance(overrides, Mapping):
            raise ScenarioError(f"Scenario {self.name!r}: overrides must be a mapping of "
                                f"dotted keys to numbers, got {overrides!r}.")
        object.__setattr__(self, "overrides", MappingProxyType(dict(overrides)))

    @property
    def key(self) -> tuple:
        """A hashable identity of the scenario's content (for caching)."""
        return (self.statuses, self.build, self.close, tuple(sorted(self.overrides.items())))

    def __hash__(self) -> int:
        return hash((self.name, self.key))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and (self.name, self.key) == (other.name, other.key)


def get_scenario(network: Network, scenario: str | Scenario | None) -> Scenario:
    """The scenario object for a name, an object, or None (the network's baseline)."""
    if scenario is None:
        return network.scenarios.get("baseline", Scenario(name="baseline"))
    if isinstance(scenario, Scenario):
        checked = network._cache.setdefault("checked_scenarios", set())
        if scenario.key not in checked:
            validate_scenario(scenario, network)
            checked.add(scenario.key)
        return scenario
    if isinstance(scenario, str):
        if scenario in network.scenarios:
            return network.scenarios[scenario]
        known = ", ".join(sorted(network.scenarios)) or "(none)"
        raise ScenarioError(f"Unknown scenario {scenario!r}. Known scenarios: {known}.")
    raise ScenarioError(
        f"scenario must be a name or a Scenario, not {type(scenario).__name__}."
    )


def _close_targets(network: Network) -> dict[str, tuple[str, str]]:
    if "close_targets" not in network._cache:
        network._cache["close_targets"] = _build_close_targets(network)
    return network._cache["close_targets"]


def _build_close_targets(network: Network) -> dict[str, tuple[str, str]]:
    targets: dict[str, tuple[str, str]] = {}
    for pid in network.places.index:
        targets[pid] = ("place", pid)
    for lid in network.links.index:
        targets.setdefault(lid, ("link", lid))
    for cid in network.crossings.index:
        targets.setdefault(cid, ("crossing", cid))
    return targets


def resolve_target(network: Network, item: str) -> tuple[str, str]:
    """Map an id or place name to ("place"|"link"|"crossing"|"country", id); raise if unknown."""
    from .errors import PlaceNotFoundError
    targets = _close_targets(network)
    if item in targets:
        return targets[item]
    countries = set(network.places["country"])
    if isinstance(item, str) and item.upper() == item and item in countries:
        return ("country", item)
    try:
        return ("place", network.find_place(item))
    except PlaceNotFoundError as err:
        hint = f" Did you mean {', '.join(map(repr, err.suggestions))}?" if err.suggestions else ""
        raise ScenarioError(
            f"{item!r} matches no place, link, crossing or country of the network.{hint} "
            "Use a place name or id, a link or crossing id, or a two-letter country code."
        ) from err


def validate_scenario(scenario: Scenario, network: Network, problems: Problems | None = None) -> None:
    """Check a scenario against a network; raise ScenarioError (or add to ``problems``)."""
    errors: list[str] = []
    for s in scenario.statuses:
        if s not in STATUSES:
            errors.append(f"status {s!r} is unknown (use {', '.join(STATUSES)})")
    tags = _tags(network)
    for t in scenario.build:
        if t not in tags:
            errors.append(f"build tag {t!r} is carried by no link (known tags: {', '.join(sorted(tags))})")
    for item in scenario.close:
        try:
            resolve_target(network, item)
        except ScenarioError as err:
            errors.append(f"close: {err}")
    for key, value in scenario.overrides.items():
        message = _check_override(network, key, value)
        if message:
            errors.append(f"override {key!r}: {message}")
    if not errors:
        return
    if problems is not None:
        for e in errors:
            problems.add("scenarios.toml", None, f"scenarios.{scenario.name}", e,
                         "correct the scenario so that it names things the network has")
        return
    raise ScenarioError(f"Scenario {scenario.name!r} is invalid:\n  - " + "\n  - ".join(errors))


def _tags(network: Network) -> set[str]:
    return {t for ts in network.links["corridors"] for t in ts}


def _check_override(network: Network, key: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
            or value < 0:
        return f"value {value!r} must be a non-negative number"
    parts = key.split(".")
    head = parts[0]
    params = network.params
    if head == "modes":
        links = network.links
        if len(parts) == 3 and parts[1] in params.get("modes", {}) and parts[2] in _MODE_KEYS:
            mode, country, field = parts[1], None, parts[2]
        elif len(parts) == 5 and parts[1] in params.get("modes", {}) and parts[2] == "countries" \
                and parts[4] in _MODE_KEYS:
            mode, country, field = parts[1], parts[3], parts[4]
            if country not in set(links.loc[links["mode"] == mode, "country"]):
                return f"no {mode} link lies in country {country!r}"
        else:
            return ("use modes.<mode>.<speed_kmh|rate_usd_per_teu_km> or "
                    "modes.<mode>.countries.<CC>.<key>")
        # links with their own figure in links.csv keep it: the override must reach one
        reached = (links["mode"] == mode) & links[field].isna()
        if country is not None:
            reached &= links["country"] == country
        if not reached.any():
            return (f"every {mode} link{' in ' + country if country else ''} has its own "
                    f"{field} in links.csv, so this changes nothing; override "
                    f"links.<id>.{field} or tags.<tag>.{field} instead")
        return None if value > 0 or field != "speed_kmh" else "speed must be above zero"
    if head in ("transfer", "gauge_break", "connector"):
        section = params.get(head, {})
        if len(parts) == 3 and parts[1] in section and parts[2] in _PAIR_KEYS:
            return None
        known = ", ".join(sorted(section))
        return f"use {head}.<one of: {known}>.<cost_usd_per_teu|hours>"
    if head == "value_of_time":
        return None if parts[1:] == ["usd_per_teu_h"] else "use value_of_time.usd_per_teu_h"
    if head == "crossings":
        if len(parts) == 3 and parts[1] in network.crossings.index \
                and parts[2] in ("dwell_h", "fee_usd_per_teu"):
            return None
        return "use crossings.<crossing id>.<dwell_h|fee_usd_per_teu> with an id from crossings.csv"
    if head == "links":
        if len(parts) == 3 and parts[1] in network.links.index and parts[2] in _MODE_KEYS:
            return None if value > 0 or parts[2] != "speed_kmh" else "speed must be above zero"
        return "use links.<link id>.<speed_kmh|rate_usd_per_teu_km> with an id from links.csv"
    if head == "tags":
        if len(parts) == 3 and parts[1] in _tags(network) and parts[2] in _MODE_KEYS:
            return None if value > 0 or parts[2] != "speed_kmh" else "speed must be above zero"
        return "use tags.<corridor tag>.<speed_kmh|rate_usd_per_teu_km> with a tag from links.csv"
    if head == "places":
        if len(parts) == 3 and parts[1] in network.places.index \
                and parts[2] in ("handling_usd_per_teu", "handling_h"):
            return None
        return "use places.<place id>.<handling_usd_per_teu|handling_h>"
    return ("unknown section; use modes, transfer, gauge_break, connector, value_of_time, "
            "crossings, links, tags or places")


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario turned into arrays aligned with the network's tables."""

    scenario: Scenario
    params: Mapping[str, Any]
    link_enabled: np.ndarray          # bool per link row
    link_speed: np.ndarray            # km/h per link row
    link_rate: np.ndarray             # USD/TEU-km per link row
    crossing_open: np.ndarray         # bool per crossing row
    crossing_dwell_h: np.ndarray
    crossing_fee_usd: np.ndarray
    place_open: np.ndarray            # bool per place row
    place_handling_usd: np.ndarray    # NaN: use params
    place_handling_h: np.ndarray


def _freeze(value: Any) -> Any:
    """A read-only view, all the way down, of nested dicts and lists."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def resolve(network: Network, scenario: Scenario) -> ResolvedScenario:
    """Apply a scenario to copies of the network's values (the network is not changed)."""
    from ._params import mode_value
    params = copy.deepcopy(dict(network.params))
    link_over: dict[tuple[str, str], float] = {}
    tag_over: dict[tuple[str, str], float] = {}
    cross_over: dict[tuple[str, str], float] = {}
    place_over: dict[tuple[str, str], float] = {}
    for key, value in scenario.overrides.items():
        parts = key.split(".")
        if parts[0] == "links":
            link_over[(parts[1], parts[2])] = float(value)
        elif parts[0] == "tags":
            tag_over[(parts[1], parts[2])] = float(value)
        elif parts[0] == "crossings":
            cross_over[(parts[1], parts[2])] = float(value)
        elif parts[0] == "places":
            place_over[(parts[1], parts[2])] = float(value)
        else:
            node = params
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            node[parts[-1]] = float(value)

    links = network.links
    built = set(scenario.build)
    statuses = set(scenario.statuses)
    tags = _link_codes(network)["corridors"]
    status_codes, status_names = _link_codes(network)["status"]
    enabled = np.isin(np.asarray(status_names, dtype=object), list(statuses))[status_codes] \
        | _per_distinct(tags, lambda ts: bool(built.intersection(ts)), bool)
    closed = {"place": set(), "link": set(), "crossing": set(), "country": set()}
    for item in scenario.close:
        kind, ident = resolve_target(network, item)
        closed[kind].add(ident)
    if closed["link"]:
        enabled &= ~links.index.isin(list(closed["link"]))

    def per_link(key: str, column: str) -> np.ndarray:
        # Precedence: link override, then the first overridden tag of the link, then the
        # value in links.csv, then params by mode and country.
        out = links[column].to_numpy(dtype=float).copy()
        missing = ~np.isfinite(out)
        if missing.any():
            pair_codes, pairs = _link_codes(network)["mode_country"]
            codes = pair_codes[missing]
            used = np.bincount(codes, minlength=len(pairs)) > 0
            table = np.array([mode_value(params, *pair, key) if u else np.nan
                              for pair, u in zip(pairs, used)], dtype=float)
            out[missing] = table[codes]
        tag_values = {t: v for (t, k), v in tag_over.items() if k == key}
        if tag_values:
            first = _per_distinct(tags, lambda ts: next(
                (tag_values[t] for t in ts if t in tag_values), np.nan), float)
            out = np.where(np.isfinite(first), first, out)
        for (lid, k), value in link_over.items():
            if k == key:
                out[links.index.get_loc(lid)] = value
        return out

    crossings = network.crossings
    dwell = crossings["dwell_h"].to_numpy(dtype=float).copy()
    fee = crossings["fee_usd_per_teu"].to_numpy(dtype=float).copy()
    for (cid, key), value in cross_over.items():
        i = crossings.index.get_loc(cid)
        (dwell if key == "dwell_h" else fee)[i] = value
    places = network.places
    h_usd = places["handling_usd_per_teu"].to_numpy(dtype=float).copy()
    h_h = places["handling_h"].to_numpy(dtype=float).copy()
    for (pid, key), value in place_over.items():
        i = places.index.get_loc(pid)
        (h_usd if key == "handling_usd_per_teu" else h_h)[i] = value
    place_open = ~places.index.isin(list(closed["place"])) & \
        ~places["country"].isin(list(closed["country"])).to_numpy()
    crossing_open = ~crossings.index.isin(list(closed["crossing"])) & \
        ~crossings["place"].isin(list(closed["place"])).to_numpy() & \
        ~crossings["from_country"].isin(list(closed["country"])).to_numpy() & \
        ~crossings["to_country"].isin(list(closed["country"])).to_numpy()
    if closed["country"]:
        enabled &= ~links["country"].isin(list(closed["country"])).to_numpy()
    return ResolvedScenario(
        scenario=scenario, params=_freeze(params), link_enabled=enabled,
        link_speed=per_link("speed_kmh", "speed_kmh"),
        link_rate=per_link("rate_usd_per_teu_km", "rate_usd_per_teu_km"),
        crossing_open=np.asarray(crossing_open, bool), crossing_dwell_h=dwell,
        crossing_fee_usd=fee, place_open=np.asarray(place_open, bool),
        place_handling_usd=h_usd, place_handling_h=h_h,
    )


def _link_codes(network: Network) -> dict:
    """Link columns as codes into their distinct values, computed once per network."""
    cache = network._cache
    if "link_codes" not in cache:
        links = network.links
        m_codes, modes = pd.factorize(links["mode"].to_numpy(dtype=object))
        c_codes, countries = pd.factorize(links["country"].to_numpy(dtype=object))
        pair, inverse = np.unique(m_codes * max(len(countries), 1) + c_codes,
                                  return_inverse=True)
        pairs = [(modes[q // max(len(countries), 1)], countries[q % max(len(countries), 1)])
                 for q in pair]
        cache["link_codes"] = {
            "corridors": pd.factorize(pd.Series(links["corridors"].to_numpy(dtype=object),
                                                dtype=object)),
            "mode_country": (inverse.reshape(-1), pairs),
            "status": pd.factorize(links["status"].to_numpy(dtype=object)),
        }
    return cache["link_codes"]


def _per_distinct(factorized: tuple[np.ndarray, pd.Index], func, dtype) -> np.ndarray:
    """``func`` of every cell of a factorized column, computed once per distinct cell."""
    codes, uniques = factorized
    table = np.array([func(u) for u in uniques], dtype=dtype)
    return table[codes] if len(codes) else np.zeros(0, dtype=dtype)

