"""What a route is measured in (metrics) and what routing minimises (objectives), as data.

A :class:`Metric` says how sourced parameters add up on the virtual edges: each of its
:class:`Term` s names the edge kinds it applies to and the parameter field that feeds
them (``speed_kmh``, ``dwell_h`` ...); the ledger (:mod:`corridor_router.ledger`) finds,
edge by edge, which parameter of the network or scenario supplies that field. An
:class:`Objective` is a named linear combination of metrics, with the tie-break rule of
:data:`TIE_BREAK`.

Adding a metric or an objective is one entry in :data:`METRICS` or :data:`OBJECTIVES`
plus its figures in the network's files; nothing else changes. A route's legs, its
``totals`` and ``to_dict()`` carry every registered metric (comparison tables and claim
breakdowns stay in km, hours and USD).

Examples
--------
>>> METRICS["hours"].unit
'h'
>>> OBJECTIVES["generalized"].weights["hours"]
'value_of_time.usd_per_teu_h'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .modes import EdgeKind

__all__ = ["METRICS", "OBJECTIVES", "TIE_BREAK", "WAIT_LEGS", "Metric", "Objective", "Term",
           "objective_weights", "term_fields"]

#: Ties in an objective are broken by its ``tie_break`` metric times this factor, so
#: that equal-cost routes prefer the faster one (and equal-length ones the faster one).
TIE_BREAK = 1e-6



@dataclass(frozen=True)
class Term:
    """One way a metric's parameters feed the edges of some kinds.

    The edge's contribution is ``factor x scale x value`` (or ``factor x scale /
    value`` when ``inverse``), where ``value`` is the parameter the ledger finds for
    the edge's field and ``scale`` is 1 or the link's length (``per_km``).

    Parameters
    ----------
    kinds : tuple of EdgeKind
        Edge kinds the term applies to.
    field : str
        The parameter field, as written in the files (``"speed_kmh"``).
    per_km : bool
        The value is per km of the link (rates, and speeds through ``inverse``).
    inverse : bool
        The contribution is ``scale / value`` (hours from a speed).
    factor : float
        A fixed multiplier (half the headway is the expected wait).
    place_field : str, optional
        For transfers and port calls: the places.csv column whose value, where given,
        replaces the mode pair's figure (``handling_h``).
    place_direction : tuple of str, optional
        For port calls: the places.csv columns of the place's figure for cargo leaving a
        ship (import) and boarding one (export), which, where given, replace
        ``place_field`` (``("handling_import_h", "handling_export_h")``).
    section : str, optional
        For edges where cargo boards a mode (start connectors, transfers, port calls):
        the ``params.toml`` section whose entry for the mode boarded, in the edge's
        country first, feeds the term (``service`` ->
        ``service.rail.countries.PK.headway_h``, else ``service.rail.headway_h``).
    leg : str, optional
        Results show this term's part of an edge as a leg of its own, of this kind, right
        after the edge's own leg (a wait for a train, en-route delays), so that a reader
        sees where the days go; the legs still add up to the totals.
    """

    kinds: tuple[EdgeKind, ...]
    field: str
    per_km: bool = False
    inverse: bool = False
    factor: float = 1.0
    place_field: str | None = None
    place_direction: tuple[str, str] | None = None
    section: str | None = None
    leg: str | None = None


@dataclass(frozen=True)
class Metric:
    """A quantity summed along routes.

    Parameters
    ----------
    name : str
        Column name in results (``"cost_usd"``).
    unit : str
        Its unit, as shown to users.
    label : str
        Words for charts and tables.
    terms : tuple of Term
        How parameters feed it, edge kind by edge kind. An edge none of the terms
        reaches, or whose parameter the network lacks, contributes 0.
    """

    name: str
    unit: str
    label: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Objective:
    """What routing minimises: a linear combination of metrics.

    Parameters
    ----------
    name : str
        The name users pass as ``objective``.
    weights : Mapping[str, float or str]
        Coefficient of each metric: a number, or the key of a scenario parameter
        (``"value_of_time.usd_per_teu_h"``), so that a scenario can change it.
    tie_break : str, optional
        A metric added with weight :data:`TIE_BREAK` so that ties go to the route that
        is better on it.
    description : str
        One line for help texts.
    """

    name: str
    weights: Mapping[str, float | str]
    tie_break: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))

    def __hash__(self) -> int:
        return hash((self.name, tuple(self.weights.items()), self.tie_break))


_LINK = (EdgeKind.LINK,)
_TRANSFER = (EdgeKind.TRANSFER, EdgeKind.PORT_CALL)
_CONNECTOR = (EdgeKind.START, EdgeKind.END)
_BOARD = (EdgeKind.START, EdgeKind.TRANSFER, EdgeKind.PORT_CALL)

#: Words for the legs of :attr:`Term.leg` kinds (``detail`` of a route's legs).
WAIT_LEGS: dict[str, str] = {
    "service_wait": "waiting for a departure",
    "delay": "en-route delays",
    "escort": "escort or convoy",
    "closure": "waiting out a closure",
}

#: The metrics every result carries, by name.
METRICS: dict[str, Metric] = {
    "km": Metric("km", "km", "distance", (Term(_LINK, "length_km"),)),
    "hours": Metric("hours", "h", "transit time", (
        Term(_LINK, "speed_kmh", per_km=True, inverse=True),
        Term((EdgeKind.WAIT,), "headway_h", factor=0.5),
        Term(_LINK, "delay_h_per_km", per_km=True, leg="delay"),
        Term(_BOARD, "headway_h", factor=0.5, section="service", leg="service_wait"),
        Term((EdgeKind.BORDER,), "dwell_h"),
        Term((EdgeKind.BORDER,), "escort_h", leg="escort"),
        Term(_TRANSFER, "hours", place_field="handling_h",
             place_direction=("handling_import_h", "handling_export_h")),
        Term((EdgeKind.GAUGE_BREAK,), "hours"),
        Term(_CONNECTOR, "hours"),
    )),
    "cost_usd": Metric("cost_usd", "USD/TEU", "cost", (
        Term(_LINK, "rate_usd_per_teu_km", per_km=True),
        Term((EdgeKind.BORDER,), "fee_usd_per_teu"),
        Term(_TRANSFER, "cost_usd_per_teu", place_field="handling_usd_per_teu",
             place_direction=("handling_import_usd_per_teu", "handling_export_usd_per_teu")),
        Term((EdgeKind.GAUGE_BREAK,), "cost_usd_per_teu"),
        Term(_CONNECTOR, "cost_usd_per_teu"),
    )),
    # Well-to-wheel greenhouse gases (ISO 14083): a mode's intensity per TEU-km on its
    # links (params.toml, by country where traction differs) and a hub's emissions per
    # TEU where cargo changes mode, ships or gauge. Borders, waits and connectors emit
    # nothing here: idling is not in the default intensities.
    "co2e_kg": Metric("co2e_kg", "kg CO2e/TEU", "emissions (CO2e, well-to-wheel)", (
        Term(_LINK, "co2e_kg_per_teu_km", per_km=True),
        Term(_TRANSFER, "co2e_kg_per_teu"),
        Term((EdgeKind.GAUGE_BREAK,), "co2e_kg_per_teu"),
    )),
}

#: The objectives users may name, by name.
OBJECTIVES: dict[str, Objective] = {
    "cost": Objective("cost", {"cost_usd": 1.0}, tie_break="hours",
                      description="USD per TEU"),
    "time": Objective("time", {"hours": 1.0}, tie_break="cost_usd", description="hours"),
    "distance": Objective("distance", {"km": 1.0}, tie_break="hours", description="km"),
    "co2e": Objective("co2e", {"co2e_kg": 1.0}, tie_break="hours",
                      description="kg CO2e per TEU, well-to-wheel"),
    "generalized": Objective(
        "generalized", {"cost_usd": 1.0, "hours": "value_of_time.usd_per_teu_h"},
        description="USD per TEU plus value of time x hours"),
}


def term_fields(kinds: tuple[EdgeKind, ...], *, place: bool = False,
                section: str | None = None) -> tuple[str, ...]:
    """Parameter fields the registered metrics read on edges of some kinds, in order.

    With ``place``, the places.csv fields of transfer terms instead; with ``section``,
    the fields of the terms looked up in that ``params.toml`` section (see
    :attr:`Term.section`) instead of the others.

    >>> term_fields((EdgeKind.BORDER,))
    ('dwell_h', 'escort_h', 'fee_usd_per_teu')
    >>> term_fields((EdgeKind.TRANSFER,), section="service")
    ('headway_h',)
    """
    out: dict[str, None] = {}
    for metric in METRICS.values():
        for term in metric.terms:
            if term.section != section:
                continue
            if set(term.kinds) & set(kinds):
                names = ((term.place_field, *(term.place_direction or ())) if place
                         else (term.field,))
                for name in names:
                    if name:
                        out[name] = None
    return tuple(out)


def objective_weights(objective: str, metric: Callable[[str], np.ndarray],
                      parameter: Callable[[str], float], enabled: np.ndarray) -> np.ndarray:
    """Routing weights of an objective: its combination of metrics, ``inf`` where disabled.

    Parameters
    ----------
    objective : str
        A name of :data:`OBJECTIVES`.
    metric : callable
        Per-edge values of a metric, by name.
    parameter : callable
        The value of a scenario parameter, by key (for coefficients given as keys).
    enabled : numpy.ndarray
        Edges the scenario allows.

    Examples
    --------
    >>> values = {"cost_usd": np.array([10.0, 20.0]), "hours": np.array([5.0, 1.0])}
    >>> objective_weights("time", values.__getitem__, float, np.array([True, False]))
    array([5.00001,     inf])
    """
    spec = OBJECTIVES[objective]
    total = np.zeros(len(enabled))
    for name, coefficient in spec.weights.items():
        c = parameter(coefficient) if isinstance(coefficient, str) else float(coefficient)
        total = total + c * metric(name)
    if spec.tie_break is not None:
        total = total + TIE_BREAK * metric(spec.tie_break)
    return np.where(enabled, total, np.inf)
