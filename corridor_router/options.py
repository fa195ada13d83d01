"""Query options: one frozen, validated object that every routing entry point shares.

:class:`RouteOptions` holds what a query asks for besides its places and its network
(objective, scenario, via, avoid, modes, corridor), checked once and documented once.
:func:`~corridor_router.route`, :func:`~corridor_router.route_many`,
:func:`~corridor_router.route_matrix` and :func:`~corridor_router.alternatives` take
either a ``RouteOptions`` (``options=``) or the same options as keywords, declared once
in :class:`OptionArgs`; keywords given with ``options=`` replace its fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict, Unpack

from ._args import as_names, check_modes, check_objective
from .errors import InputTypeError, ScenarioTypeError, shown
from .scenarios import Scenario

__all__ = ["OPTION_NAMES", "STOP_OPTIONS", "OptionArgs", "RouteOptions", "SearchArgs",
           "as_options", "without_stops"]


class SearchArgs(TypedDict, total=False):
    """The options of one search between two places, as keywords (see :class:`RouteOptions`)."""

    objective: str
    scenario: str | Scenario | None
    avoid: Iterable[str] | str | None
    modes: Iterable[str] | str | None


class OptionArgs(SearchArgs, total=False):
    """Every option of a route query, as keywords (see :class:`RouteOptions`)."""

    via: Iterable[str] | str | None
    corridor: str | None


#: The option names, in the order :class:`RouteOptions` shows them.
OPTION_NAMES = ("objective", "scenario", "via", "avoid", "modes", "corridor")
#: Options that add stops to a route; a single search (matrix, alternatives) has none.
STOP_OPTIONS = tuple(name for name in OPTION_NAMES if name not in SearchArgs.__annotations__)


@dataclass(frozen=True, init=False)
class RouteOptions:
    """What a route query asks for besides its places and network: checked once, frozen.

    Every routing function takes these options, as keywords or as one ``RouteOptions``
    passed with ``options=`` (then keywords given too replace its fields). This is the
    one place they are documented.

    Parameters
    ----------
    objective : {"cost", "time", "distance", "generalized", "co2e"}, default "cost"
        What to minimise: USD per TEU, hours, km, or cost + value of time x hours.
    scenario : str or Scenario, optional
        A scenario name of the network or a :class:`~corridor_router.Scenario`; default
        the network's ``"baseline"`` (or, with ``corridor``, the corridor's scenario).
    via : str or iterable of str, optional
        Places the route must pass, in order (names, ids or aliases).
    avoid : str or iterable of str, optional
        Places, link ids, crossing ids or two-letter country codes the route must not
        use; an item that matches nothing is an error.
    modes : str or iterable of str, optional
        Modes allowed (``rail``, ``road``, ``sea``, ``ferry``; a str may list several,
        comma-separated); default all.
    corridor : str, optional
        A corridor of the network's ``corridors.toml``: the route passes its via places
        (after any ``via`` given), keeps to the corridor's modes between them, and is
        priced in the corridor's scenario unless ``scenario`` is given.

    Attributes
    ----------
    objective : str
    scenario : str, Scenario or None
        As given; the network resolves it when a query is prepared.
    via, avoid : tuple of str
        As given (names, not yet matched against a network).
    modes : tuple of str or None
        None: every mode.
    corridor : str or None

    Raises
    ------
    InputTypeError
        For an option of the wrong type, or an unknown option name (the message lists
        the known ones). A wrong scenario type is a
        :class:`~corridor_router.ScenarioTypeError`.
    InvalidInputError
        For an unknown objective or mode.

    Notes
    -----
    What needs a network (place names, the scenario's name, the corridor's name, the
    avoid items) is checked when a query is prepared on one.

    Examples
    --------
    >>> from corridor_router import route
    >>> fast = RouteOptions(objective="time", modes="rail,road")
    >>> fast.modes
    ('rail', 'road')
    >>> route("Tashkent", "Almaty", options=fast) == route("Tashkent", "Almaty",
    ...                                                     objective="time", modes="rail,road")
    True
    >>> fast.replace(avoid="KZ").avoid
    ('KZ',)
    >>> RouteOptions(objectve="time")
    Traceback (most recent call last):
    ...
    corridor_router.errors.InputTypeError: Unknown option 'objectve'; the options are: ...
    """

    objective: str
    scenario: str | Scenario | None
    via: tuple[str, ...]
    avoid: tuple[str, ...]
    modes: tuple[str, ...] | None
    corridor: str | None

    def __init__(self, **options: Unpack[OptionArgs]) -> None:
        unknown = [name for name in options if name not in OPTION_NAMES]
        if unknown:
            raise InputTypeError(f"Unknown option {', '.join(map(shown, unknown))}; the "
                                 f"options are: {', '.join(OPTION_NAMES)}.")
        checked = {
            "objective": check_objective(options.get("objective", "cost")),
            "scenario": _check_scenario(options.get("scenario")),
            "via": as_names(options.get("via"), "via"),
            "avoid": as_names(options.get("avoid"), "avoid"),
            "modes": check_modes(options.get("modes")),
            "corridor": _check_corridor(options.get("corridor")),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def as_args(self) -> OptionArgs:
        """The options as keywords: ``RouteOptions(**opts.as_args()) == opts``.

        Examples
        --------
        >>> RouteOptions(via="Kabul").as_args()["via"]
        ('Kabul',)
        """
        return OptionArgs(objective=self.objective, scenario=self.scenario, via=self.via,
                          avoid=self.avoid, modes=self.modes, corridor=self.corridor)

    def replace(self, **changes: Unpack[OptionArgs]) -> RouteOptions:
        """A copy with some options changed (checked as in the constructor).

        Examples
        --------
        >>> base = RouteOptions(corridor="uap")
        >>> base.replace(objective="time")  # doctest: +NORMALIZE_WHITESPACE
        RouteOptions(objective='time', scenario=None, via=(), avoid=(), modes=None,
                     corridor='uap')
        >>> base.replace(corridor=None) == RouteOptions()
        True
        """
        if not changes:
            return self
        merged = self.as_args()
        merged.update(changes)
        return RouteOptions(**merged)


def as_options(options: RouteOptions | None = None, /, **args: Unpack[OptionArgs]
               ) -> RouteOptions:
    """The options of a call: ``options`` (default all defaults) with ``args`` replacing fields.

    Parameters
    ----------
    options : RouteOptions, optional
        Options given as one object.
    **args
        Options given as keywords (see :class:`RouteOptions`).

    Returns
    -------
    RouteOptions

    Raises
    ------
    InputTypeError
        If ``options`` is not a RouteOptions, or as :class:`RouteOptions` does.

    Examples
    --------
    >>> as_options(RouteOptions(objective="time"), modes="rail").modes
    ('rail',)
    >>> as_options(objective="distance").objective
    'distance'
    """
    if options is None:
        return RouteOptions(**args)
    if not isinstance(options, RouteOptions):
        raise InputTypeError(f"options must be a RouteOptions, got {type(options).__name__} "
                             f"{shown(options)}.")
    return options.replace(**args)


def without_stops(options: RouteOptions, caller: str) -> RouteOptions:
    """``options`` for a search without stops (a matrix, alternatives), checked.

    ``caller`` names the function in the message; an :class:`InputTypeError` says that
    ``via`` or ``corridor`` (:data:`STOP_OPTIONS`) is set.

    Examples
    --------
    >>> without_stops(RouteOptions(via="Kabul"), "route_matrix")
    Traceback (most recent call last):
    ...
    corridor_router.errors.InputTypeError: route_matrix takes no via option (it searches ...
    """
    given = [name for name in STOP_OPTIONS if getattr(options, name)]
    if given:
        searched = ", ".join(name for name in OPTION_NAMES if name not in STOP_OPTIONS)
        raise InputTypeError(f"{caller} takes no {' or '.join(given)} option (it searches "
                             f"without stops); its options are: {searched}.")
    return options


def _check_scenario(scenario: object) -> str | Scenario | None:
    """A scenario argument of a right type (its name is checked on a network)."""
    if scenario is None or isinstance(scenario, (str, Scenario)):
        return scenario
    raise ScenarioTypeError(f"scenario must be a name or a Scenario, not "
                            f"{type(scenario).__name__}.")


def _check_corridor(corridor: object) -> str | None:
    """A corridor argument of a right type (its name is checked on a network)."""
    if corridor is None or isinstance(corridor, str):
        return corridor
    raise InputTypeError(f"corridor must be a corridor name (str), got "
                         f"{type(corridor).__name__} {shown(corridor)}.")
