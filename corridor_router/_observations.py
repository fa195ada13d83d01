"""``observed.csv``: published end-to-end figures a network is calibrated against.

Each row is one published trip or service: its origin and destination (place ids), how
the model should follow it (via places, what it avoided, modes, a corridor, a scenario,
the objective),
what was measured (door to door, terminal to terminal, quay to quay, station to
station) and the figures published: days, USD per TEU, km. The file is optional; a
network without it has no observations and cannot be calibrated.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ._cells import CONFIDENCES, split_list
from ._validate import FIELD_BOUNDS, Bound, NetworkFiles, Problems, last_source_year
from .errors import shown
from .metrics import OBJECTIVES
from .modes import mode_names

__all__ = ["FAMILIES", "FILE", "FIRST_OBSERVATION_YEAR", "MEASURES", "OBSERVATION_COLUMNS",
           "empty_observations", "load_observations"]

FILE = "observed.csv"
#: What a published figure measures.
MEASURES = ("door_to_door", "terminal_to_terminal", "quay_to_quay", "station_to_station")
#: Route families calibration reports separately.
FAMILIES = {
    "express_rail": "single-operator scheduled block or container trains",
    "multi_border_rail": "rail across several operators and borders",
    "road": "trucks all the way",
    "multimodal": "trips with sea or Caspian ferry legs, or mixing modes",
}
_REQUIRED = ("id", "origin", "destination", "measure", "year", "family", "confidence",
             "source")
_OPTIONAL = ("via", "avoid", "modes", "corridor", "scenario", "objective", "days",
             "cost_usd_per_teu", "km", "notes")
#: Columns of :attr:`Network.observations` (indexed by id).
OBSERVATION_COLUMNS = ["origin", "destination", "via", "avoid", "modes", "corridor", "scenario",
                       "objective", "measure", "days", "cost_usd_per_teu", "km", "year",
                       "family", "confidence", "source", "notes"]
#: Observations are of the corridors as they run now: published trips of this year or later.
FIRST_OBSERVATION_YEAR = 2019
_DAYS = Bound(0.0, 365.0, "days", positive=True, why_high="a year for one trip")


def empty_observations() -> pd.DataFrame:
    """The observations of a network without ``observed.csv``: none."""
    return pd.DataFrame({c: pd.Series(dtype=float if c in ("days", "cost_usd_per_teu", "km")
                                      else object) for c in OBSERVATION_COLUMNS},
                        index=pd.Index([], name="id", dtype=object))


def load_observations(folder: NetworkFiles | Path, problems: Problems, known: set[str],
                      places: pd.DataFrame | None, corridors: Mapping[str, object],
                      scenarios: Mapping[str, object]) -> pd.DataFrame:
    """``observed.csv`` of a network folder, checked; none if the file is absent."""
    df = problems.optional_table(folder, FILE, _REQUIRED, _OPTIONAL, known)
    if df is None:
        return empty_observations()
    problems.choice(df, FILE, "measure", MEASURES)
    problems.choice(df, FILE, "family", tuple(FAMILIES))
    problems.choice(df, FILE, "confidence", tuple(c for c in CONFIDENCES if c != "EST"))
    problems.choice(df, FILE, "objective", tuple(OBJECTIVES), required=False)
    days = problems.numbers(df, FILE, "days", required=False, bound=_DAYS)
    cost = problems.numbers(df, FILE, "cost_usd_per_teu", required=False,
                            bound=FIELD_BOUNDS["cost_usd_per_teu"])
    km = problems.numbers(df, FILE, "km", required=False, bound=FIELD_BOUNDS["length_km"])
    place_ids = set(places.index) if places is not None else None
    modes = mode_names()
    last = last_source_year()
    cells = {c: df[c].tolist() for c in ("origin", "destination", "via", "modes", "corridor",
                                         "scenario", "days", "cost_usd_per_teu", "km", "year")}
    for i, line in enumerate(df.index.tolist()):
        for column in ("origin", "destination"):
            pid = cells[column][i]
            if not pid:
                problems.add(FILE, line, column, "value is missing",
                             "give a place id from places.csv")
            elif place_ids is not None and pid not in place_ids:
                problems.add(FILE, line, column, f"unknown place id {shown(pid)}",
                             "use a place id from places.csv")
        for pid in split_list(cells["via"][i]):
            if place_ids is not None and pid not in place_ids:
                problems.add(FILE, line, "via", f"unknown place id {shown(pid)}",
                             "list place ids from places.csv, separated by ';'")
        for mode in split_list(cells["modes"][i]):
            if mode not in modes:
                problems.add(FILE, line, "modes", f"unknown mode {shown(mode)}",
                             f"list modes from: {', '.join(modes)}, separated by ';'")
        corridor, scenario = cells["corridor"][i], cells["scenario"][i]
        if corridor and corridor not in corridors:
            problems.add(FILE, line, "corridor", f"unknown corridor {shown(corridor)}",
                         "use a corridor of corridors.toml, or leave it empty")
        if scenario and scenario not in scenarios:
            problems.add(FILE, line, "scenario", f"unknown scenario {shown(scenario)}",
                         "use a scenario of scenarios.toml, or leave it empty")
        if cells["origin"][i] and cells["origin"][i] == cells["destination"][i]:
            problems.add(FILE, line, "destination", "the same place as the origin",
                         "give the trip's two ends")
        if not (cells["days"][i] or cells["cost_usd_per_teu"][i] or cells["km"][i]):
            problems.add(FILE, line, None, "no published figure",
                         "give at least one of days, cost_usd_per_teu and km")
        year = cells["year"][i]
        if not (year.isdigit() and len(year) == 4
                and FIRST_OBSERVATION_YEAR <= int(year) <= last):
            problems.add(FILE, line, "year", f"{shown(year)} is not a year of observation "
                         f"({FIRST_OBSERVATION_YEAR}..{last})",
                         "write the four-digit year of the trip, service or quote "
                         f"(observations before {FIRST_OBSERVATION_YEAR} are not used)")
    frame = df.frame()
    out = pd.DataFrame({
        "origin": frame["origin"], "destination": frame["destination"],
        "via": [split_list(c) for c in frame["via"]],
        "avoid": [split_list(c) for c in frame["avoid"]],
        "modes": [split_list(c) for c in frame["modes"]],
        "corridor": frame["corridor"], "scenario": frame["scenario"],
        "objective": [c or "time" for c in frame["objective"]],
        "measure": frame["measure"], "days": days, "cost_usd_per_teu": cost, "km": km,
        "year": [int(y) if y.isdigit() else 0 for y in frame["year"]],
        "family": frame["family"], "confidence": frame["confidence"],
        "source": [split_list(c) for c in frame["source"]], "notes": frame["notes"],
    })
    out.index = pd.Index(frame["id"], name="id")
    return out[~out.index.duplicated()]
