"""Calibration: the model against published end-to-end figures (``observed.csv``).

:func:`calibration` routes every observation of a network the way the published trip
went (its via places, modes, corridor, scenario) and sets the model's days, USD per TEU
and km beside the published ones; :func:`calibration_summary` gives the figures a
reader judges the model by: the share of cases within the band (+-30% for days and
cost, +-8% for km) and the geometric-mean model/observed ratio, overall and by route
family.

What is compared depends on what the source measured: ``door_to_door`` is the whole
route; ``terminal_to_terminal`` leaves out loading at the origin and unloading at the
destination (the start and end legs); ``station_to_station`` and ``quay_to_quay``
also leave out the wait for the first departure (a sailing's or a train's headway
before the first link), as a timetable's transit time does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from os import PathLike
from types import MappingProxyType

import numpy as np
import pandas as pd

from ._observations import FAMILIES, FILE
from .context import as_network
from .errors import CorridorRouterError, InvalidInputError, NoRouteError
from .network import Network
from .route import Route
from .routing import route

__all__ = ["BANDS", "CALIBRATION_COLUMNS", "SUMMARY_COLUMNS", "calibration",
           "calibration_summary"]

#: Half-width of the band a model figure must fall in, as a share of the observed one.
BANDS: Mapping[str, float] = MappingProxyType({"days": 0.30, "cost_usd": 0.30, "km": 0.08})
#: Columns of :func:`calibration` (one row per observation and published metric).
CALIBRATION_COLUMNS = ["id", "metric", "family", "observed", "model", "ratio", "band",
                       "in_band", "measure", "origin", "destination", "route", "year",
                       "confidence", "source"]
#: Columns of :func:`calibration_summary`.
SUMMARY_COLUMNS = ["metric", "family", "cases", "in_band", "share_in_band",
                   "geomean_ratio", "min_ratio", "max_ratio"]
_OBSERVED = {"days": "days", "cost_usd": "cost_usd_per_teu", "km": "km"}
#: Leg kinds a measure leaves out at the ends of the route.
_TRIMMED = {
    "door_to_door": (),
    "terminal_to_terminal": ("start", "end"),
    "station_to_station": ("start", "end", "wait", "service_wait"),
    "quay_to_quay": ("start", "end", "wait", "service_wait"),
}


def _trimmed_totals(r: Route, measure: str) -> dict[str, float]:
    """Days, USD and km of a route as the measure counts them (see the module doc)."""
    legs = r.measures
    drop = _TRIMMED[measure]
    kinds = legs["kind"].tolist()
    lo, hi = 0, len(kinds)
    while lo < hi and kinds[lo] in drop:
        lo += 1
    if hi > lo and kinds[hi - 1] == "end" and "end" in drop:     # unloading, last
        hi -= 1
    kept = legs.iloc[lo:hi]
    return {"days": float(kept["hours"].sum()) / 24.0, "cost_usd": float(kept["cost_usd"].sum()),
            "km": float(kept["km"].sum())}


def _describe(r: Route) -> str:
    """The places a route passes where it changes link, in short: a -> b -> c."""
    legs = r.legs
    links = legs[legs["kind"] == "link"]
    stops = [r.origin_name, *links["to"].tolist()]
    return " -> ".join(dict.fromkeys(stops))


def calibration(network: Network | str | PathLike[str] | None = None) -> pd.DataFrame:
    """The model against every published observation of a network.

    Parameters
    ----------
    network : Network or str, optional
        Default: the bundled network. Its ``observed.csv`` lists the observations.

    Returns
    -------
    pandas.DataFrame
        One row per observation and published metric (``days``, ``cost_usd`` per TEU,
        ``km``), with columns ``id, metric, family, observed, model, ratio`` (model /
        observed), ``band`` (half-width, a share), ``in_band``, ``measure``, ``origin``,
        ``destination``, ``route`` (the places the model's route passes), ``year``,
        ``confidence`` and ``source``. ``attrs["summary"]`` holds
        :func:`calibration_summary` of it.

    Raises
    ------
    InvalidInputError
        If the network has no observations (no ``observed.csv``).
    NoRouteError
        If the model cannot follow an observation's route (the message names it).

    Examples
    --------
    >>> table = calibration()
    >>> sorted(set(table["metric"])) == ["cost_usd", "days", "km"]
    True
    >>> bool((table["ratio"] > 0).all())
    True
    """
    net = as_network(network)
    obs = net.observations
    if obs.empty:
        raise InvalidInputError(
            f"network {net.name!r} has no published observations to calibrate against; "
            f"add {FILE} to its folder (see networks/README.md)")
    rows = []
    for oid, o in obs.iterrows():
        kwargs = {"objective": o["objective"], "via": tuple(o["via"]),
                  "avoid": tuple(o["avoid"]),
                  "modes": list(o["modes"]) or None,
                  "corridor": o["corridor"] or None, "scenario": o["scenario"] or None}
        try:
            r = route(o["origin"], o["destination"], network=net, **kwargs)
        except NoRouteError as err:
            raise NoRouteError(err.origin, err.destination,
                               f"{err.reason} (observation {oid!r} of {FILE} cannot be "
                               "followed: check its via, avoid and modes)") from None
        except CorridorRouterError as err:
            raise InvalidInputError(f"observation {oid!r} of {FILE}: {err}") from None
        model = _trimmed_totals(r, o["measure"])
        path = _describe(r)
        for metric, column in _OBSERVED.items():
            observed = float(o[column])
            if not math.isfinite(observed):
                continue
            ratio = model[metric] / observed
            band = BANDS[metric]
            rows.append({
                "id": oid, "metric": metric, "family": o["family"], "observed": observed,
                "model": model[metric], "ratio": ratio, "band": band,
                "in_band": bool(abs(ratio - 1.0) <= band + 1e-12),
                "measure": o["measure"], "origin": o["origin"],
                "destination": o["destination"], "route": path, "year": int(o["year"]),
                "confidence": o["confidence"], "source": ";".join(o["source"])})
    table = pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)
    table.attrs["summary"] = calibration_summary(table)
    return table


def calibration_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Share within the band and geometric-mean ratio, by metric and route family.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`calibration` table (not changed).

    Raises
    ------
    InvalidInputError
        If ``table`` is not a calibration table or holds a ratio that is not positive.

    Returns
    -------
    pandas.DataFrame
        Rows for every metric over all families (``family == "all"``) and for each
        (metric, family) with cases, then one row ``metric == "all"`` over every case:
        ``cases``, ``in_band`` (count), ``share_in_band``, ``geomean_ratio``
        (exp of the mean log model/observed ratio: 1 is unbiased, below 1 the model is
        too fast or too cheap), ``min_ratio`` and ``max_ratio``.
    """
    needed = {"metric", "family", "ratio", "in_band"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        raise InvalidInputError("calibration_summary takes a calibration() table (columns "
                                f"{', '.join(sorted(needed))}), not {type(table).__name__}")
    ratios = pd.to_numeric(table["ratio"], errors="coerce")
    if not (ratios > 0).all():
        raise InvalidInputError("calibration_summary: every ratio must be a positive number "
                                "(model / observed)")
    rows = []

    def add(metric: str, family: str, part: pd.DataFrame) -> None:
        if part.empty:
            return
        ratio = part["ratio"].to_numpy(dtype=float)
        rows.append({"metric": metric, "family": family, "cases": len(part),
                     "in_band": int(part["in_band"].sum()),
                     "share_in_band": float(part["in_band"].mean()),
                     "geomean_ratio": float(np.exp(np.log(ratio).mean())),
                     "min_ratio": float(ratio.min()), "max_ratio": float(ratio.max())})

    for metric in BANDS:
        part = table[table["metric"] == metric]
        add(metric, "all", part)
        for family in FAMILIES:
            add(metric, family, part[part["family"] == family])
    add("all", "all", table)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
