"""``disruptions.csv``: the documented closures of crossings and links, as a log.

Each row is one closure episode: what it shut (the place of a crossing, for every mode
and direction there; a crossing id, for one of them; or a link id), the first day cargo
could not pass, the day it passed again, and its sources. Episodes that shut several
crossings at once (all Pakistan-Afghanistan crossings in October 2025) are one row, so
that they close together in a simulation.

The log covers whole calendar years: from 1 January of its first episode's year to
31 December of its last episode's start year. A simulation draw picks a moment in that
period, uniformly: cargo arriving while an episode is under way waits until it ends, or
goes another way, whichever is better in that draw. Over many draws a crossing is then
shut as often as it was in the log, and the wait left is drawn as the log's closures
are met by cargo arriving at random (a long closure is met more often, and part way
through). The file is optional; a network without it has no disruptions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ._cells import split_list
from ._validate import NetworkFiles, Problems
from .errors import shown

__all__ = ["DISRUPTION_COLUMNS", "FILE", "empty_disruptions", "load_disruptions",
           "log_period", "remaining_hours"]

FILE = "disruptions.csv"
_REQUIRED = ("id", "targets", "start", "end", "source")
_OPTIONAL = ("end_known", "notes")
#: Columns of :attr:`Network.disruptions` (indexed by id).
DISRUPTION_COLUMNS = ["targets", "start", "end", "end_known", "days", "source", "notes"]
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def empty_disruptions() -> pd.DataFrame:
    """The disruptions of a network without ``disruptions.csv``: none."""
    return pd.DataFrame({"targets": pd.Series(dtype=object),
                         "start": pd.Series(dtype="datetime64[ns]"),
                         "end": pd.Series(dtype="datetime64[ns]"),
                         "end_known": pd.Series(dtype=bool), "days": pd.Series(dtype=float),
                         "source": pd.Series(dtype=object), "notes": pd.Series(dtype=object)},
                        index=pd.Index([], name="id", dtype=object))


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def load_disruptions(folder: NetworkFiles | Path, problems: Problems, known: set[str],
                     targets: set[str]) -> pd.DataFrame:
    """``disruptions.csv`` of a network folder, checked; none if the file is absent.

    ``targets`` are the ids a row may shut: places with border crossings (every
    crossing there), crossing ids (one mode and direction) and link ids.
    """
    df = problems.optional_table(folder, FILE, _REQUIRED, _OPTIONAL, known)
    if df is None:
        return empty_disruptions()
    rows = []
    cells = {c: df[c].tolist() for c in ("targets", "start", "end", "end_known")}
    for i, line in enumerate(df.index.tolist()):
        names = split_list(cells["targets"][i])
        if not names:
            problems.add(FILE, line, "targets", "value is missing",
                         "list the crossing places or link ids shut, separated by ';'")
        for name in names:
            if name not in targets:
                problems.add(FILE, line, "targets", f"unknown crossing place, crossing or "
                             f"link {shown(name)}", "name a place or an id of crossings.csv, "
                             "or a link id of links.csv")
        start, end = _date(cells["start"][i]), _date(cells["end"][i])
        for column, value in (("start", start), ("end", end)):
            if value is None:
                problems.add(FILE, line, column, f"{shown(cells[column][i])} is not a date",
                             "write the day as YYYY-MM-DD")
        if start is not None and end is not None and end <= start:
            problems.add(FILE, line, "end", f"{end} is not after the start {start}",
                         "give the day cargo passed again (after the first day shut)")
        flag = cells["end_known"][i].lower()
        if flag not in (*_TRUE, *_FALSE, ""):
            problems.add(FILE, line, "end_known", f"{shown(cells['end_known'][i])} is not "
                         "true or false", "write true (the reopening is reported) or false "
                         "(the last day a source reports it still shut)")
        rows.append((names, start, end, flag not in _FALSE))
    frame = df.frame()
    out = pd.DataFrame({
        "targets": [r[0] for r in rows],
        "start": pd.to_datetime([str(r[1]) if r[1] else "NaT" for r in rows]),
        "end": pd.to_datetime([str(r[2]) if r[2] else "NaT" for r in rows]),
        "end_known": [r[3] for r in rows],
        "source": [split_list(c) for c in frame["source"]], "notes": frame["notes"],
    })
    out["days"] = (out["end"] - out["start"]).dt.days.astype(float)
    out.index = pd.Index(frame["id"], name="id")
    return out[~out.index.duplicated()].reindex(columns=DISRUPTION_COLUMNS)


def log_period(disruptions: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The period a disruption log covers: whole years, first start to last start.

    None for an empty log.

    >>> log = pd.DataFrame({"start": pd.to_datetime(["2023-09-06", "2025-10-12"])})
    >>> [str(t.date()) for t in log_period(log)]
    ['2023-01-01', '2026-01-01']
    """
    starts = disruptions["start"].dropna()
    if not len(starts):
        return None
    first, last = int(starts.min().year), int(starts.max().year)
    return pd.Timestamp(first, 1, 1), pd.Timestamp(last + 1, 1, 1)


def remaining_hours(disruptions: pd.DataFrame, moments: np.ndarray
                    ) -> dict[str, np.ndarray]:
    """Per target, the hours of closure left at each moment (0: open then).

    ``moments`` are in days from the start of the log's period; where episodes of one
    target overlap, the wait is until the last of them ends.
    """
    period = log_period(disruptions)
    out: dict[str, np.ndarray] = {}
    if period is None:
        return out
    origin = period[0]
    for targets, start, end in zip(disruptions["targets"], disruptions["start"],
                                   disruptions["end"]):
        a = (start - origin).total_seconds() / 86400.0
        b = (end - origin).total_seconds() / 86400.0
        left = np.where((moments >= a) & (moments < b), (b - moments) * 24.0, 0.0)
        for t in targets:
            out[t] = np.maximum(out[t], left) if t in out else left
    return out
