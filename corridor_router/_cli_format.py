"""The command line's output: strict JSON, CSV and text tables of routes, places and claims."""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .claims import ClaimCheck
    from .network import Network
    from .route import Route
    from .simulate import Simulation

__all__ = ["claim_dict", "claim_output", "compare_output", "corridors_output",
           "criticality_output", "jsonable", "places_output", "records", "route_output",
           "scenarios_output", "simulation_output", "sweep_output", "to_csv", "to_json"]


def jsonable(obj: object) -> object:
    """``obj`` with only JSON types: numpy scalars as Python ones, NaN and ±inf as None.

    Examples
    --------
    >>> jsonable({"km": np.float64(3.5), "h": float("nan"), "ids": ("a", "b")})
    {'km': 3.5, 'h': None, 'ids': ['a', 'b']}
    """
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (bool, int, str)):
        return obj
    return str(obj)         # e.g. a timestamp or a path: its text


def to_json(obj: object) -> str:
    """Strict JSON text of ``obj``: never ``NaN`` or ``Infinity`` (those become null)."""
    return json.dumps(jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False)


def records(df: pd.DataFrame) -> list[dict[Hashable, Any]]:
    """A table's rows, its index as the first column(s), for :func:`to_json`."""
    return df.reset_index().to_dict(orient="records")


def to_csv(df: pd.DataFrame, index: bool = True) -> str:
    """CSV text of a table, without the last line end."""
    return df.to_csv(index=index).rstrip("\n")


def route_output(r: Route, fmt: str) -> str:
    """``route``'s output: the summary (table), the route (json), its legs (csv, geojson)."""
    if fmt == "json":
        return to_json(r.to_dict())
    if fmt == "csv":
        return to_csv(pd.DataFrame(r.legs.drop(columns="geometry")), index=False)
    if fmt == "geojson":
        return to_json(json.loads(r.legs.to_json(drop_id=True)))
    return r.summary()


def places_output(places: pd.DataFrame, fmt: str) -> str:
    """``places``'s output: id, name, country, kind, modes, lon, lat and aliases."""
    df = pd.DataFrame(places).reset_index()[["id", "name", "country", "kind", "modes", "lon",
                                             "lat", "aliases"]]
    df["modes"] = df["modes"].map(";".join)
    df["aliases"] = df["aliases"].map(";".join)
    if fmt == "json":
        return to_json(df.to_dict(orient="records"))
    if fmt == "csv":
        return to_csv(df, index=False)
    return df.to_string(index=False)


def _cited(net: Network, ids: Sequence[str]) -> str:
    """Source ids with their year, e.g. ``dawn_2025 (2025)``."""
    years = net.sources["year"]
    return "; ".join(f"{s} ({years[s]})" if s in years.index and years[s] else s
                     for s in ids)


def scenarios_output(net: Network, fmt: str) -> str:
    """``scenarios``'s output: each named scenario, what it changes, and its sources."""
    rows = [{"scenario": sid, "description": sc.description,
             "statuses": ";".join(sc.statuses), "build": ";".join(sc.build),
             "close": ";".join(sc.close),
             "overrides": ";".join(f"{k}={v:g}" for k, v in sc.overrides.items()),
             "sources": _cited(net, sc.source)} for sid, sc in net.scenarios.items()]
    return _listing(pd.DataFrame(rows), fmt, "scenarios")


def corridors_output(net: Network, fmt: str) -> str:
    """``corridors``'s output: each named corridor, its places, modes and sources."""
    rows = [{"corridor": cid, "name": c.name, "via": " -> ".join(c.via),
             "modes": ";".join(c.modes), "access_modes": ";".join(c.access_modes),
             "tags": ";".join(c.tags), "scenario": c.scenario or "",
             "description": c.description, "sources": _cited(net, c.source)}
            for cid, c in net.corridors.items()]
    return _listing(pd.DataFrame(rows), fmt, "corridors")


def _listing(df: pd.DataFrame, fmt: str, what: str) -> str:
    """A list of named things: every column (json, csv) or one block per row (table)."""
    if fmt == "json":
        return to_json(df.to_dict(orient="records"))
    if fmt == "csv":
        return to_csv(df, index=False)
    blocks = []
    for rec in df.to_dict(orient="records"):
        head, *rest = [c for c in df.columns if rec[c] != ""]
        lines = [f"{rec[head]}"] + [f"  {c}: {rec[c]}" for c in rest]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) if blocks else f"(the network has no named {what})"


def calibration_output(table: pd.DataFrame, fmt: str) -> str:
    """``calibrate``'s output: every case and the summary (JSON: both; CSV: the cases)."""
    summary = table.attrs["summary"]
    if fmt == "json":
        return to_json({"cases": table.to_dict(orient="records"),
                        "summary": summary.to_dict(orient="records")})
    if fmt == "csv":
        return to_csv(table, index=False)
    shown = table[["id", "metric", "family", "observed", "model", "ratio", "in_band",
                   "measure"]].copy()
    shown["in_band"] = shown["in_band"].map({True: "yes", False: "NO"})
    cases = shown.to_string(index=False, float_format=lambda v: f"{v:,.2f}")
    summ = summary.copy()
    summ["share_in_band"] = (100 * summ["share_in_band"]).map(lambda v: f"{v:.0f}%")
    text = summ.to_string(index=False, float_format=lambda v: f"{v:.2f}")
    return (f"{cases}\n\nratio = model / observed; band: days and cost +-30%, km +-8%; "
            f"days, cost_usd in USD per TEU, km.\n\nSummary (geomean_ratio below 1: the "
            f"model is faster, cheaper or shorter than observed):\n{text}")


def criticality_output(table: pd.DataFrame, fmt: str) -> str:
    """``criticality``'s output: every row (json, csv) or the columns a reader ranks by."""
    if fmt == "json":
        return to_json({**table.attrs, "items": table.to_dict(orient="records")})
    if fmt == "csv":
        return to_csv(table, index=False)
    shown = table[["rank", "kind", "name", "extra_days", "extra_cost_usd", "extra_objective",
                   "borders_after"]].copy()
    shown.loc[table["no_route"], "borders_after"] = "NO ROUTE"
    text = shown.to_string(index=False, float_format=lambda v: f"{v:,.1f}", na_rep="-")
    a = table.attrs
    return (f"Losing each item of the best route {a['origin']} -> {a['destination']} "
            f"({a['days']:.1f} days, USD {a['cost_usd']:,.0f}/TEU; objective {a['objective']}, "
            f"scenario {a['scenario']}), worst first:\n{text}\n\nextra days; extra USD per "
            f"TEU; extra {a['objective']} objective; borders_after: the crossings of the "
            "route round it.")


def sweep_output(table: pd.DataFrame, fmt: str) -> str:
    """``sweep``'s output without a file: the whole table (json, csv, or text)."""
    if fmt == "json":
        return to_json({**table.attrs, "rows": table.to_dict(orient="records")})
    if fmt == "csv":
        return to_csv(table, index=False)
    shown = table.drop(columns=["route_scenario", "seed"])
    return (shown.to_string(index=False, float_format=lambda v: f"{v:,.1f}", na_rep="-")
            + f"\n\nkm; days; cost_usd in USD per TEU; seed {table.attrs['seed']}.")


def compare_output(df: pd.DataFrame, fmt: str) -> str:
    """``compare``'s output: every row, or (table) the columns a reader compares.

    JSON and CSV end with one row per corridor left out, of kind ``left_out``, with no
    figures and the reason in ``note``.
    """
    if fmt in ("json", "csv"):
        left = pd.DataFrame([{"alternative": name, "kind": "left_out", "is_baseline": False,
                              "note": why} for name, why in
                             (df.attrs.get("left_out") or {}).items()],
                            columns=["alternative", "kind", "is_baseline", "note"])
        full = pd.concat([df, left.set_index("alternative")]) if len(left) else df
        return to_json(records(full)) if fmt == "json" else to_csv(full)
    shown = df.drop(columns=["hours", "is_baseline", "time_saved_pct", "cost_saved_usd",
                             "co2e_saved_kg"], errors="ignore")
    if not shown["note"].astype(bool).any():
        shown = shown.drop(columns="note")
    base = df.index[df["is_baseline"]][0]
    text = shown.to_string(float_format=lambda v: f"{v:,.1f}", na_rep="-")
    left_out = df.attrs.get("left_out") or {}
    omitted = "".join(f"\n  {name}: {why}" for name, why in left_out.items())
    return (f"{text}\n\nkm; days; cost_usd in USD per TEU; co2e_kg in kg CO2e per TEU "
            f"(well-to-wheel); savings against '{base}' (positive = faster, cheaper or "
            "less emitted)."
            + (f"\nCorridors left out:{omitted}" if omitted else ""))


def claim_dict(result: ClaimCheck) -> dict[str, Any]:
    """Everything a ClaimCheck holds, as a JSON-ready dict (see :func:`to_json`)."""
    return {
        "origin": result.origin, "destination": result.destination,
        "corridor": result.corridor, "versus": result.versus,
        "claim": {"days_saved": result.claim_days, "cost_saved_pct": result.claim_cost_pct},
        "computed": {"days_saved": result.days_saved, "cost_saved_pct": result.cost_saved_pct,
                     "cost_saved_usd": result.cost_saved_usd,
                     "co2e_saved_kg": result.co2e_saved_kg,
                     "co2e_saved_pct": result.co2e_saved_pct},
        "holds": result.holds, "holds_days": result.holds_days,
        "holds_cost": result.holds_cost, "verdict": result.verdict,
        "required_old_days": result.required_old_days,
        "required_old_cost_usd": result.required_old_cost_usd,
        "summary": result.summary(),
        "new": result.new.to_dict(), "old": result.old.to_dict(),
        "breakdown": records(result.breakdown),
        "sensitivity": records(result.sensitivity),
        "probability": (None if result.probability is None else
                        {"n": result.n, "seed": result.seed,
                         "parts": records(result.probability)}),
    }


def claim_output(result: ClaimCheck, fmt: str, table: str | None) -> str:
    """``check-claim``'s output; ``table`` is the one table ``--format csv`` writes."""
    if fmt == "json":
        return to_json(claim_dict(result))
    if fmt == "csv":
        table = table or "breakdown"
        if table == "legs":
            return to_csv(result.legs, index=False)
        return to_csv(result.breakdown if table == "breakdown" else result.sensitivity)
    text = result.breakdown.to_string(float_format=lambda v: f"{v:,.1f}")
    ranges = [] if result.probability is None else [
        f"Probability over {result.n:,} draws (seed {result.seed}); P10-P90 of the saving "
        "(days; percent of cost):\n"
        + result.probability.to_string(float_format=lambda v: f"{v:,.3g}", na_rep="-")]
    sens = result.sensitivity[["label", "value", "low", "high", "break_even",
                               "flips_within_range"]]
    return "\n\n".join([result.summary(), *ranges,
                         "Where the difference comes from (hours, USD per TEU):\n"
                         + text, "Break-even values:\n"
                         + sens.to_string(float_format=lambda v: f"{v:,.4g}", na_rep="-")])


def simulation_output(sim: Simulation, fmt: str) -> str:
    """``simulate``'s output: the summary (json: with the run's settings and routes)."""
    if fmt == "csv":
        return to_csv(sim.summary)
    if fmt == "json":
        return to_json({
            "origin": sim.origin, "destination": sim.destination, "n": sim.n,
            "seed": sim.seed, "spread": sim.spread, "objective": sim.objective,
            "deadline_days": sim.deadline_days, "budget_usd": sim.budget_usd,
            "summary": records(sim.summary), "routes": records(sim.routes),
            "parameters_drawn": len(sim.parameters),
            "draws_with_closures": len(sim.closures), "left_out": sim.left_out})
    cols = ["days", "days_p10", "days_p50", "days_p90", "cost_usd", "cost_usd_p10",
            "cost_usd_p50", "cost_usd_p90", "best_share", "p_route"]
    cols += [c for c, given in (("p_deadline", sim.deadline_days),
                                ("p_budget", sim.budget_usd)) if given is not None]
    text = sim.summary[cols].to_string(float_format=lambda v: f"{v:,.2f}", na_rep="-")
    shut = 100 * len(sim.closures) / sim.n
    lines = [
        f"{sim.n:,} draws, seed {sim.seed}, objective {sim.objective}: {len(sim.parameters)} "
        f"uncertain figures drawn; {shut:.1f}% of draws meet a closure of the disruption log.",
        text, "",
        "days and cost_usd (USD per TEU): the central route; _p10/_p50/_p90: over the draws; "
        "best_share: share of draws in which the alternative is best; p_route: share of draws "
        "with a route (a draw without one counts as never delivered: inf in the percentiles)"
        + ("; p_deadline: share delivered within "
           f"{sim.deadline_days:g} days" if sim.deadline_days is not None else "")
        + (f"; p_budget: share within USD {sim.budget_usd:,.0f}" if sim.budget_usd is not None
           else "") + "."]
    if sim.left_out:
        lines.append("Left out: " + "; ".join(f"{k}: {v}" for k, v in sim.left_out.items()))
    return "\n".join(lines)
