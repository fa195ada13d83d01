"""Scenarios: which links exist, what is closed, which parameters change."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validate import MODES, STATUSES, Problems
from .errors import ScenarioError

if TYPE_CHECKING:
    from .network import Network

__all__ = ["Scenario", "ResolvedScenario", "get_scenario", "validate_scenario"]

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
        for name in ("statuses", "build", "close", "source"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

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
        validate_scenario(scenario, network)
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
    return network._cache.setdefault("close_targets", _build_close_targets(network))


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
        if len(parts) == 3 and parts[1] in params.get("modes", {}) and parts[2] in _MODE_KEYS:
            return None if value > 0 or parts[2] != "speed_kmh" else "speed must be above zero"
        if len(parts) == 5 and parts[1] in params.get("modes", {}) and parts[2] == "countries" \
                and parts[4] in _MODE_KEYS:
            links = network.links
            if parts[3] in set(links.loc[links["mode"] == parts[1], "country"]):
                return None if value > 0 or parts[4] != "speed_kmh" else "speed must be above zero"
            return f"no {parts[1]} link lies in country {parts[3]!r}"
        return "use modes.<mode>.<speed_kmh|rate_usd_per_teu_km> or modes.<mode>.countries.<CC>.<key>"
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
    enabled = np.array([s in statuses or bool(built.intersection(tags))
                        for s, tags in zip(links["status"], links["corridors"])], dtype=bool)
    closed = {"place": set(), "link": set(), "crossing": set(), "country": set()}
    for item in scenario.close:
        kind, ident = resolve_target(network, item)
        closed[kind].add(ident)
    enabled &= ~links.index.isin(list(closed["link"]))

    def per_link(key: str, column: str) -> np.ndarray:
        cache: dict[tuple[str, str], float] = {}
        out = np.empty(len(links))
        csv = links[column].to_numpy(dtype=float)
        for i, (lid, mode, country, tags) in enumerate(
                zip(links.index, links["mode"], links["country"], links["corridors"])):
            if (lid, key) in link_over:
                out[i] = link_over[(lid, key)]
                continue
            tagged = [tag_over[(t, key)] for t in tags if (t, key) in tag_over]
            if tagged:
                out[i] = tagged[0]
            elif np.isfinite(csv[i]):
                out[i] = csv[i]
            else:
                k = (mode, country)
                if k not in cache:
                    cache[k] = mode_value(params, mode, country, key)
                out[i] = cache[k]
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
    enabled &= ~links["country"].isin(list(closed["country"])).to_numpy()
    return ResolvedScenario(
        scenario=scenario, params=MappingProxyType(params), link_enabled=enabled,
        link_speed=per_link("speed_kmh", "speed_kmh"),
        link_rate=per_link("rate_usd_per_teu_km", "rate_usd_per_teu_km"),
        crossing_open=np.asarray(crossing_open, bool), crossing_dwell_h=dwell,
        crossing_fee_usd=fee, place_open=np.asarray(place_open, bool),
        place_handling_usd=h_usd, place_handling_h=h_h,
    )


def _as_tuple(value: Iterable[str] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)
