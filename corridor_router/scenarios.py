"""Scenarios: which links exist, what is closed, which parameters change."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._cache import LRU, Slot
from ._cells import IN_SERVICE
from ._overrides import (
    WHAT_IF_BOUNDS,
    check_override,
    link_tags,
)
from ._targets import corridor_links, links_through, resolve_target
from ._validate import (
    FIELD_BOUNDS,
    STATUSES,
    Problems,
    finite_real,
    is_real,
)
from .errors import ScenarioError, ScenarioTypeError, shown

if TYPE_CHECKING:
    from .network import Network

__all__ = ["MAX_CLOSE_DAYS", "WHAT_IF_BOUNDS", "Factorized", "ResolvedScenario", "Scenario",
           "ScenarioTypeError", "compact", "factorized", "get_scenario", "joint_codes",
           "link_codes", "rows_in", "validate_scenario"]

#: Scenarios checked against a network, by content, kept per network (bounded).
CHECKED_SCENARIOS = 256
#: The network's LRU of checked scenarios (by content).
CHECKED: Slot[LRU[tuple[Any, ...], bool]] = Slot("checked_scenarios")
#: Link columns as codes into their distinct values.
LINK_CODES: Slot[dict[str, Any]] = Slot("link_codes")


def _override_value(key: str, value: Any, name: str) -> float:
    """An override value as a float: a finite real number, Python's or numpy's (not a bool)."""
    if not is_real(value):
        raise ScenarioTypeError(
            f"Scenario {shown(name)}: override {shown(key)} must be a number, got "
            f"{type(value).__name__} {shown(value)}.")
    number = finite_real(value)
    if number is None:
        raise ScenarioError(f"Scenario {shown(name)}: override {shown(key)} must be a finite "
                            f"number, got {shown(value)}.")
    return number


@dataclass(frozen=True)
class Scenario:
    """A what-if applied to a network without changing it.

    Parameters
    ----------
    name : str
        Name shown in results.
    statuses : tuple of str
        Link statuses that exist (default: ``("operational", "restricted")``, what runs
        today; see ``networks/README.md`` for the statuses).
    build : tuple of str
        Corridor tags whose links exist whatever their status (e.g. ``("uap",)``).
    close : tuple of str
        What is shut: place, link or crossing ids, place names, two-letter country codes
        or sea passages (``"suez"``, ``"red_sea"``; see :mod:`corridor_router._targets`).
    overrides : Mapping[str, float]
        Parameter changes by dotted key, e.g. ``{"crossings.torkham_road_pk_af.dwell_h": 9.9}``
        or ``{"tags.ml1.speed_kmh": 120}``. See ``networks/README.md``. Values are
        numbers (numpy numbers too, not bools), stored as floats.
    description : str
        One-line rationale.
    source : tuple of str
        Source ids behind the scenario's figures.
    close_days : Mapping[str, float]
        Closures with a duration, in days, by the same items as ``close`` (and
        ``"corridor:<name>"``): cargo that reaches the item finds it shut for that long
        and either waits it out, once (a ``closure`` leg of that many days), or goes
        round, whichever the objective prefers; :attr:`Route.closures
        <corridor_router.Route.closures>` says which and what each costs. A route meets
        the item if it uses anything closing the item for good would shut. Waiting
        costs time, not cash: its money (container detention) counts through the
        ``generalized`` objective's value of time. Items must not overlap (see
        :func:`corridor_router.query.prepare`).

    Raises
    ------
    ScenarioError
        For an argument of the wrong type (then also a :class:`TypeError`) or a
        non-finite override. Whether the keys name things a network has is checked
        when the scenario is used with that network.

    Examples
    --------
    >>> s = Scenario("fast ml1", overrides={"tags.ml1.speed_kmh": 120})
    >>> s.overrides["tags.ml1.speed_kmh"]
    120.0
    >>> import pickle
    >>> pickle.loads(pickle.dumps(s)) == s
    True
    >>> Scenario("x", overrides={"tags.ml1.speed_kmh": "fast"})
    Traceback (most recent call last):
    ...
    corridor_router.errors.ScenarioTypeError: Scenario 'x': override ... got str 'fast'.
    >>> Scenario("torkham shut", close_days={"torkham": 30}).close_days["torkham"]
    30.0
    >>> Scenario("x", close_days={"torkham": -1})
    Traceback (most recent call last):
    ...
    corridor_router.errors.ScenarioError: Scenario 'x': close_days['torkham'] must be ...
    """

    name: str = "custom"
    statuses: tuple[str, ...] = IN_SERVICE
    build: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    overrides: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    source: tuple[str, ...] = ()
    close_days: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ScenarioTypeError(f"A scenario's name must be a str, not "
                                    f"{type(self.name).__name__} {shown(self.name)}.")
        if not self.name:
            raise ScenarioError("A scenario's name must be a non-empty string.")
        if not isinstance(self.description, str):
            raise ScenarioTypeError(f"Scenario {shown(self.name)}: description must be a str, "
                                    f"not {type(self.description).__name__}.")
        for name in ("statuses", "build", "close", "source"):
            value = getattr(self, name)
            if value is None:
                value = IN_SERVICE if name == "statuses" else ()
            if isinstance(value, str):
                value = (value,)
            items = tuple(value) if isinstance(value, Iterable) and not isinstance(
                value, Mapping | bytes) else None
            if items is None or not all(isinstance(v, str) for v in items):
                raise ScenarioTypeError(f"Scenario {shown(self.name)}: {name} must be a list "
                                        f"of strings, got {shown(value)}.")
            object.__setattr__(self, name, items)
        overrides = {} if self.overrides is None else self.overrides
        if not isinstance(overrides, Mapping):
            raise ScenarioTypeError(f"Scenario {shown(self.name)}: overrides must be a mapping "
                                    f"of dotted keys to numbers, got {shown(overrides)}.")
        checked: dict[str, float] = {}
        for key, value in overrides.items():
            if not isinstance(key, str):
                raise ScenarioTypeError(
                    f"Scenario {shown(self.name)}: override keys must be dotted str keys such "
                    f"as 'tags.ml1.speed_kmh', got {type(key).__name__} {shown(key)}.")
            checked[key] = _override_value(key, value, self.name)
        object.__setattr__(self, "overrides", MappingProxyType(checked))
        object.__setattr__(self, "close_days", MappingProxyType(_close_days(self)))

    def __reduce__(self) -> tuple[type[Scenario], tuple[Any, ...]]:
        # overrides is a read-only MappingProxyType, which pickle cannot store: rebuild
        # the scenario from its arguments (checked again on the way in).
        return (Scenario, (self.name, self.statuses, self.build, self.close,
                           dict(self.overrides), self.description, self.source,
                           dict(self.close_days)))

    @property
    def key(self) -> tuple[Any, ...]:
        """A hashable identity of the scenario's content (for caching)."""
        return (self.statuses, self.build, self.close, tuple(sorted(self.overrides.items())),
                tuple(sorted(self.close_days.items())))

    def as_dict(self) -> dict[str, Any]:
        """The scenario as plain data (lists, dicts, numbers), e.g. to send to a worker.

        ``Scenario(**s.as_dict()) == s``.

        >>> s = Scenario("t", close_days={"torkham": 3})
        >>> Scenario(**s.as_dict()) == s
        True
        """
        return {"name": self.name, "statuses": list(self.statuses), "build": list(self.build),
                "close": list(self.close), "overrides": dict(self.overrides),
                "description": self.description, "source": list(self.source),
                "close_days": dict(self.close_days)}

    def __hash__(self) -> int:
        return hash((self.name, self.key))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and (self.name, self.key) == (other.name, other.key)


#: The longest closure ``close_days`` takes, in days (ten years).
MAX_CLOSE_DAYS = 3650.0


def _close_days(scenario: Scenario) -> dict[str, float]:
    """``close_days`` checked: str items to durations in days, each in (0, 3650]."""
    given = {} if scenario.close_days is None else scenario.close_days
    name = scenario.name
    if not isinstance(given, Mapping):
        raise ScenarioTypeError(f"Scenario {shown(name)}: close_days must be a mapping of "
                                f"items to days, e.g. {{'torkham': 30}}, got {shown(given)}.")
    out: dict[str, float] = {}
    for item, days in given.items():
        if not isinstance(item, str):
            raise ScenarioTypeError(f"Scenario {shown(name)}: close_days keys must be place, "
                                    f"crossing, link or passage names (str), got "
                                    f"{type(item).__name__} {shown(item)}.")
        if not is_real(days):
            raise ScenarioTypeError(f"Scenario {shown(name)}: close_days[{item!r}] must be a "
                                    f"number of days, got {type(days).__name__} {shown(days)}.")
        number = finite_real(days)
        if number is None or not 0 < number <= MAX_CLOSE_DAYS:
            raise ScenarioError(f"Scenario {shown(name)}: close_days[{item!r}] must be more "
                                f"than 0 and at most {MAX_CLOSE_DAYS:g} days, got "
                                f"{shown(days)}; use close for a closure without an end.")
        if item in scenario.close:
            raise ScenarioError(f"Scenario {shown(name)}: {item!r} is both in close and in "
                                "close_days; keep it in one of them.")
        out[item] = number
    return out


#: The baseline of a network whose scenarios.toml has none: the links in service
#: (operational and restricted).
_DEFAULT_BASELINE = Scenario(name="baseline")


def get_scenario(network: Network, scenario: str | Scenario | None) -> Scenario:
    """The scenario object for a name, an object, or None (the network's baseline).

    Parameters
    ----------
    network : Network
        The network the scenario applies to.
    scenario : str or Scenario or None
        A scenario name of the network, a :class:`Scenario`, or None for
        ``"baseline"``.

    Returns
    -------
    Scenario
        A :class:`Scenario` object is checked against the network once per content (the
        network keeps the last :data:`CHECKED_SCENARIOS` checked ones).

    Raises
    ------
    ScenarioError
        For an unknown name, a scenario naming things the network lacks, or another
        type (then a :class:`ScenarioTypeError`, also a TypeError).
    """
    if scenario is None:
        found = network.scenarios.get("baseline")
        return found if found is not None else _DEFAULT_BASELINE
    if isinstance(scenario, Scenario):
        checked = network._cache.get_or_make(
            CHECKED, lambda: LRU[tuple[Any, ...], bool](CHECKED_SCENARIOS))

        def check() -> bool:
            validate_scenario(scenario, network)
            return True

        checked.get_or_make(scenario.key, check)
        return scenario
    if isinstance(scenario, str):
        if scenario in network.scenarios:
            return network.scenarios[scenario]
        known = ", ".join(sorted(network.scenarios)) or "(none)"
        raise ScenarioError(f"Unknown scenario {shown(scenario)}. Known scenarios: {known}.")
    raise ScenarioTypeError(
        f"scenario must be a name or a Scenario, not {type(scenario).__name__}."
    )


def validate_scenario(scenario: Scenario, network: Network,
                      problems: Problems | None = None) -> None:
    """Check a scenario against a network; raise ScenarioError (or add to ``problems``).

    Parameters
    ----------
    scenario : Scenario
        The scenario to check: statuses, build tags, closures and overrides.
    network : Network
        The network it must match.
    problems : Problems, optional
        Collects the problems instead of raising (used by the loader).

    Raises
    ------
    ScenarioError
        Without ``problems``, listing every problem found.

    Notes
    -----
    With ``problems`` (the scenarios of scenarios.toml, which are data) override values
    must lie within the physical bounds of :data:`~corridor_router._validate.FIELD_BOUNDS`;
    without (a Scenario built in Python, a what-if) within :data:`WHAT_IF_BOUNDS`.
    """
    errors: list[str] = []
    for s in scenario.statuses:
        if s not in STATUSES:
            errors.append(f"status {shown(s)} is unknown (use {', '.join(STATUSES)})")
    tags = link_tags(network)
    for t in scenario.build:
        if t not in tags:
            errors.append(f"build tag {shown(t)} is carried by no link "
                          f"(known tags: {', '.join(sorted(tags))})")
    shut: dict[tuple[str, str], str] = {}
    for what, items in (("close", scenario.close), ("close_days", scenario.close_days)):
        for item in items:
            try:
                target = resolve_target(network, item)
            except ScenarioError as err:
                errors.append(f"{what}: {err}")
                continue
            if what == "close":
                shut[target] = item
            elif target in shut:
                errors.append(f"close_days: {item!r} names what close shuts for good "
                              f"({shut[target]!r}); keep it in one of them")
    for key, value in scenario.overrides.items():
        message = check_override(network, key, value,
                                  FIELD_BOUNDS if problems is not None else WHAT_IF_BOUNDS)
        if message:
            errors.append(f"override {shown(key)}: {message}")
    if not errors:
        return
    if problems is not None:
        for e in errors:
            problems.add("scenarios.toml", None, f"scenarios.{scenario.name}", e,
                         "correct the scenario so that it names things the network has")
        return
    raise ScenarioError(f"Scenario {shown(scenario.name)} is invalid:\n  - "
                        + "\n  - ".join(errors))


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario's statuses and closures as arrays aligned with the network's tables.

    Its parameter values (overrides included) live in the ledger
    (:func:`corridor_router.ledger.ledger_of`); ``params`` is params.toml with the
    scenario's overrides of it, as shown in results.
    """

    scenario: Scenario
    params: Mapping[str, Any]
    link_enabled: np.ndarray          # bool per link row
    crossing_open: np.ndarray         # bool per crossing row
    place_open: np.ndarray            # bool per place row
    #: The timed closures: (item as given, kind, id, hours), in the scenario's order.
    waits: tuple[tuple[str, str, str, float], ...] = ()


def freeze(value: Any) -> Any:
    """A read-only view, all the way down, of nested dicts and lists."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    """Nested mappings as plain dicts (to apply overrides to a copy)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


_ROW_SECTIONS = ("links", "tags", "crossings", "places")


def params_with(params: Mapping[str, Any], overrides: Mapping[str, float]) -> dict[str, Any]:
    """params.toml with the overrides of its own keys applied (a new nested dict)."""
    out: dict[str, Any] = _plain(params)
    for key, value in overrides.items():
        parts = key.split(".")
        if parts[0] in _ROW_SECTIONS:
            continue
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = float(value)
    return out


def resolve(network: Network, scenario: Scenario) -> ResolvedScenario:
    """Which links, crossings and places a scenario leaves open (the network is not changed)."""
    links = network.links
    built = set(scenario.build)
    statuses = set(scenario.statuses)
    tags = link_codes(network)["corridors"]
    status_codes, status_names = link_codes(network)["status"]
    enabled = np.isin(np.asarray(status_names, dtype=object), list(statuses))[status_codes] \
        | _per_distinct(tags, lambda ts: bool(built.intersection(ts)), bool)
    closed: dict[str, set[str]] = {"place": set(), "link": set(), "crossing": set(),
                                   "country": set(), "passage": set(), "corridor": set()}
    for item in scenario.close:
        kind, ident = resolve_target(network, item)
        closed[kind].add(ident)
    if closed["link"]:
        enabled &= ~links.index.isin(list(closed["link"]))
    if closed["corridor"]:
        enabled &= ~corridor_links(network, closed["corridor"])
    if closed["passage"]:
        enabled &= ~links_through(network, closed["passage"])
    crossings = network.crossings
    places = network.places
    place_open = ~places.index.isin(list(closed["place"])) & \
        ~places["country"].isin(list(closed["country"])).to_numpy()
    crossing_open = ~crossings.index.isin(list(closed["crossing"])) & \
        ~crossings["place"].isin(list(closed["place"])).to_numpy() & \
        ~crossings["from_country"].isin(list(closed["country"])).to_numpy() & \
        ~crossings["to_country"].isin(list(closed["country"])).to_numpy()
    if closed["country"]:
        enabled &= ~links["country"].isin(list(closed["country"])).to_numpy()
    crossing_open &= _served_both_sides(network, np.asarray(enabled, bool))
    return ResolvedScenario(
        scenario=scenario, params=freeze(params_with(network.params, scenario.overrides)),
        link_enabled=np.asarray(enabled, bool), crossing_open=np.asarray(crossing_open, bool),
        place_open=np.asarray(place_open, bool),
        waits=tuple((item, *resolve_target(network, item), 24.0 * days)
                    for item, days in scenario.close_days.items()),
    )


def _served_both_sides(network: Network, enabled: npt.NDArray[np.bool_]
                       ) -> npt.NDArray[np.bool_]:
    """Per crossing row, whether the scenario's links of its mode reach it on both sides.

    A rail crossing of a line not built (Chaman, Kharlachi, Torugart before their
    railways) cannot be used by cargo brought to the border by road.
    """
    ends = link_codes(network)["served_ends"]
    served = np.zeros(ends["size"], dtype=bool)
    served[ends["side"][enabled[ends["link"]]]] = True
    out: npt.NDArray[np.bool_] = served[ends["crossing_a"]] & served[ends["crossing_b"]]
    return out


def link_codes(network: Network) -> dict[str, Any]:
    """Link columns as codes into their distinct values, computed once per network.

    ``corridors`` and ``status``: ``pandas.factorize`` of the column; ``mode`` and
    ``country``: :func:`factorized` columns; ``mode_country``: codes into the distinct
    (mode, country) pairs, and the pairs; ``ends``: the place rows of each link's
    ``from`` and ``to`` (int64 arrays, -1: no such place); ``served_ends``: the two
    (place, mode, country) sides of each crossing as codes, and the links with an end on
    one of those sides, with its code (see :func:`_served_both_sides`).
    """
    return network._cache.get_or_make(LINK_CODES, lambda: _make_link_codes(network))


#: A column as codes (-1: missing) into its distinct values (str, in order of first
#: appearance).
Factorized = tuple[npt.NDArray[np.signedinteger[Any]], list[str]]


def compact(codes: npt.NDArray[np.integer]) -> npt.NDArray[np.signedinteger[Any]]:
    """Codes (at least -1) in the smallest signed integer dtype holding them, read-only.

    >>> compact(np.array([-1, 0, 300])).dtype
    dtype('int16')
    """
    top = int(codes.max(initial=0))
    dtype = np.int8 if top < 2**7 else np.int16 if top < 2**15 else \
        np.int32 if top < 2**31 else np.int64
    out: npt.NDArray[np.signedinteger[Any]] = codes.astype(dtype)
    out.flags.writeable = False
    return out


def factorized(column: pd.Series | pd.Index) -> Factorized:
    """A column of str as codes into its distinct values (a categorical one too)."""
    codes, uniques = pd.factorize(column)
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques.tolist()]


#: The word of a missing cell in :func:`joint_codes` (no column holds it as a value).
MISSING = "\x00missing"


def joint_codes(parts: list[Factorized], *, sort: bool = False
                ) -> tuple[list[str], list[npt.NDArray[np.int64]]]:
    """Factorized columns recoded into one vocabulary of their values (sorted if ``sort``)."""
    words = list(dict.fromkeys(w for _, ws in parts for w in ws))
    if sort:
        words.sort()
    # a missing cell (pandas' code -1) gets a word of its own, equal to no value
    if any(len(codes) and (codes < 0).any() for codes, _ in parts):
        words.append(MISSING)
    at = {w: i for i, w in enumerate(words)}
    out = []
    for codes, ws in parts:
        # the table's last entry is what code -1 reads: the missing word's code
        table = np.array([at[w] for w in ws] + [at.get(MISSING, 0)], dtype=np.int64)
        out.append(table[codes] if len(codes) else np.zeros(0, dtype=np.int64))
    return words, out


def rows_in(index: pd.Index, ids: pd.Series | pd.Index) -> npt.NDArray[np.int64]:
    """Row of each id of ``ids`` in ``index`` (-1: none), looked up once per distinct id."""
    codes, uniques = pd.factorize(ids)
    # a missing id (code -1) reads the appended -1: no row
    rows = np.append(np.asarray(index.get_indexer(uniques), dtype=np.int64), -1)
    return rows[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _make_link_codes(network: Network) -> dict[str, Any]:
    links = network.links
    mode = factorized(links["mode"])
    country = factorized(links["country"])
    n_c = max(len(country[1]), 1)
    pair_codes, pairs = pd.factorize(mode[0].astype(np.int64) * n_c + country[0])
    distinct = [(mode[1][k // n_c], country[1][k % n_c]) for k in pairs.tolist()]
    n = len(links)
    rows = compact(rows_in(network.places.index,
                           pd.concat([links["from"], links["to"]], ignore_index=True)))
    ends = (rows[:n], rows[n:])
    mode, country = (compact(mode[0]), mode[1]), (compact(country[0]), country[1])
    corridors = pd.factorize(pd.Series(links["corridors"].to_numpy(dtype=object),
                                       dtype=object))
    status = pd.factorize(links["status"])
    return {
        "corridors": (compact(corridors[0]), corridors[1]),
        "status": (compact(status[0]), status[1]),
        "mode": mode,
        "country": country,
        "mode_country": (compact(pair_codes), distinct),
        "ends": ends,
        "served_ends": _served_ends(network, ends, mode, country),
    }


def _served_ends(network: Network, ends: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
                 mode: Factorized, country: Factorized) -> dict[str, Any]:
    """Link ends and crossing sides as codes of their (place, mode, country) triples."""
    crossings = network.crossings
    at = rows_in(network.places.index, crossings["place"])
    modes, (link_mode, cross_mode) = joint_codes([mode, factorized(crossings["mode"])])
    countries, (link_country, cross_from, cross_to) = joint_codes(
        [country, factorized(crossings["from_country"]),
         factorized(crossings["to_country"])])
    n_m, n_c = len(modes) + 1, len(countries) + 1
    # the crossings' sides, numbered; then the link ends at one of them (few links)
    sides = np.concatenate([(at * n_m + cross_mode) * n_c + cross_from,
                            (at * n_m + cross_mode) * n_c + cross_to])
    known = np.unique(sides)
    side_code = np.searchsorted(known, sides)
    link_rows, link_sides = [], []
    for end in ends:
        key = (end.astype(np.int64) * n_m + link_mode) * n_c + link_country
        pos = np.minimum(np.searchsorted(known, key), max(len(known) - 1, 0))
        hit = np.flatnonzero(known[pos] == key) if len(known) else np.zeros(0, dtype=np.int64)
        link_rows.append(hit)
        link_sides.append(pos[hit])
    n = len(at)
    return {"size": len(known), "link": np.concatenate(link_rows),
            "side": np.concatenate(link_sides), "crossing_a": side_code[:n],
            "crossing_b": side_code[n:]}


def _per_distinct(factorized: tuple[npt.NDArray[np.intp], Any], func: Callable[[Any], Any],
                  dtype: type) -> npt.NDArray[Any]:
    """``func`` of every cell of a factorized column, computed once per distinct cell."""
    codes, uniques = factorized
    table: npt.NDArray[Any] = np.array([func(u) for u in uniques], dtype=dtype)
    return table[codes] if len(codes) else np.zeros(0, dtype=dtype)

