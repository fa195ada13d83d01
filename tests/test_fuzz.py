"""Seeded mutation fuzz of the network loader and of routing on what it accepts.

Each case copies a network's files, applies one to three random mutations (rows and
columns deleted, duplicated or shuffled; numbers corrupted; TOML values replaced by the
wrong type; unknown references; header whitespace; other encodings, a BOM, CRLF, a
truncated file...) and asserts that

* ``load_network(folder)`` either raises a :class:`CorridorRouterError` (normally a
  :class:`NetworkDataError`), or loads; and then
* ``route()`` between places of the loaded network either raises a
  :class:`CorridorRouterError` or returns a Route whose km, hours and cost are finite and
  equal the sums of its legs.

Any other exception, a warning (pytest turns them into errors), a case running longer
than :data:`CASE_SECONDS` or a non-finite total fails the test with the case number and
its mutations; replay one case with ``CORRIDOR_ROUTER_FUZZ_REPLAY=<case>``.

Split: loading the bundled network costs ~0.06 s and routing on it a little more, the
tiny hand-drawn network (tests/conftest.py) a third of that, so most cases mutate the
tiny network and :data:`BUNDLED_SHARE` of them the bundled ``central_asia`` (whose
TOML files have sourced ranges, corridors and overrides the tiny one lacks). The
default run has :data:`DEFAULT_CASES` cases; ``CORRIDOR_ROUTER_FUZZ_CASES=20000`` sets
another count (the ``slow`` test runs :data:`SLOW_CASES` unless told otherwise: 15,000,
split over the cores in spawned processes, about three minutes on CI's two). Same case
number, same files: the cases depend on nothing but their number.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import multiprocessing
import os
import random
import shutil
import signal
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import TINY_FILES

from corridor_router import CorridorRouterError, NetworkDataError, Scenario, load_network, route
from corridor_router._validate import FIELD_BOUNDS
from corridor_router.network import _bundled_root

SEED = "corridor_router-fuzz-1"
DEFAULT_CASES = 2000
SLOW_CASES = 15000
BUNDLED_SHARE = 0.15
#: A case (load plus a few routes) taking longer than this is reported as a hang.
CASE_SECONDS = 20.0

NUMERIC = {
    "places.csv": ("lon", "lat", "handling_usd_per_teu", "handling_h"),
    "links.csv": ("length_km", "speed_kmh", "rate_usd_per_teu_km", "headway_h", "gauge_mm"),
    "sea_links.csv": ("length_km", "speed_kmh", "rate_usd_per_teu_km", "headway_h"),
    "crossings.csv": ("dwell_h", "dwell_low_h", "dwell_high_h", "fee_usd_per_teu"),
    "sources.csv": ("year",),
}
REFERENCES = {
    "places.csv": ("id", "source", "modes", "country"),
    "links.csv": ("id", "from", "to", "source", "corridors", "mode", "country"),
    "sea_links.csv": ("id", "from", "to", "source"),
    "crossings.csv": ("id", "place", "source", "from_country", "to_country", "mode"),
    "sources.csv": ("id", "confidence"),
}
BAD_NUMBERS = [
    "1e308", "-1e308", "1e999", "nan", "NaN", "inf", "-inf", "Infinity", "١٢٣", "١٢٣.٥",
    "１２３", "", "abc", "-5", "0", "-0", "1e-320", "5e-324", "99999999999999999999999999",
    "1" + "0" * 400, " 7 ", "+3", ".5", "5.", "0x1A", "1_000", "1,5", "½", "²", "1e", "--1",
    "3e5", "25001", "301", "8761", "1000001", "101", "1520.0", "1520.5", "1435", "1676",
    "1000", "1e20", "-1e20", "9223372036854775808", "2023", "1899", "99999", "0.0001",
]
ODD_TOML = [
    5, -1, 0, 10**30, -(10**30), 1e308, -1e308, float("inf"), float("-inf"), float("nan"),
    True, False, "text", "", "١٢٣", "x" * 5000, [], [1, 2], ["a", "b"], [[1]], [{}], {},
    {"x": 3}, {"source": 5}, datetime.date(2020, 1, 1), 1e-320, 3.5, 99999, 2023, "USD",
]
OVERRIDE_KEYS = [
    "x", "", ".", "..", "modes", "modes.rail", "modes.rail.speed_kmh", "modes..speed_kmh",
    "modes.rail.countries.PK.speed_kmh", "modes.road.rate_usd_per_teu_km",
    "modes.rail.countries", "value_of_time.usd_per_teu_h", "value_of_time",
    "transfer.rail-road.hours", "transfer.road-rail.hours", "gauge_break.1520-1676.hours",
    "connector.road.cost_usd_per_teu", "a.b.c.d.e.f", "links.r_ab.speed_kmh",
    "links.ml1_karachi_rohri.speed_kmh", "tags.ml1.speed_kmh", "tags.uap.speed_kmh",
    "crossings.torkham_road_pk_af.dwell_h", "crossings.b_rail_uz_af.dwell_h",
    "places.echo.handling_h", "places.karachi.handling_usd_per_teu", "modes.rail.speed_kmh.x",
]


#: Values of what-if overrides: the edges of the what-if bounds, and beyond them.
WHAT_IF_VALUES = [1e-3, 1e-4, 1e9, 1.1e9, 1e300, 0.0, 1.0, 300.0, 8760.0, 1e5]


def _tags(net) -> list[str]:
    return sorted({t for ts in net.links["corridors"] for t in ts})


# -- TOML writing (enough for mutated documents: everything as inline values) ----------
def _toml_key(key: object) -> str:
    return json.dumps(str(key), ensure_ascii=False)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise TypeError(type(value))


def _toml_dump(doc: dict) -> str:
    return "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in doc.items())


# -- a case --------------------------------------------------------------------------
@dataclass
class Case:
    number: int
    rng: random.Random
    base: str
    text: dict[str, str]
    raw: dict[str, bytes] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.done.append(what)


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _csv_files(case: Case) -> list[str]:
    return sorted(f for f in case.text if f.endswith(".csv"))


def _toml_files(case: Case) -> list[str]:
    return sorted(f for f in case.text if f.endswith(".toml"))


def _known_ids(case: Case) -> list[str]:
    ids: list[str] = []
    for f in _csv_files(case):
        rows = _csv_rows(case.text[f])
        if rows and "id" in rows[0]:
            k = rows[0].index("id")
            ids += [r[k] for r in rows[1:] if len(r) > k]
    return ids or ["x"]


def _mutate_rows(case: Case) -> None:
    rng = case.rng
    f = rng.choice(_csv_files(case))
    rows = _csv_rows(case.text[f])
    if len(rows) < 2:
        return
    body = rows[1:]
    what = rng.choice(["delete", "duplicate", "shuffle", "blank", "short", "long"])
    i = rng.randrange(len(body))
    if what == "delete":
        del body[i]
    elif what == "duplicate":
        body.insert(rng.randrange(len(body) + 1), list(body[i]))
    elif what == "shuffle":
        rng.shuffle(body)
    elif what == "blank":
        body.insert(i, [""] * len(rows[0]))
    elif what == "short":
        body[i] = body[i][: rng.randrange(len(body[i]) + 1)]
    else:
        body[i] = [*body[i], "extra"]
    case.text[f] = _csv_text([rows[0], *body])
    case.note(f"{f}: {what} row {i + 2}")


def _mutate_columns(case: Case) -> None:
    rng = case.rng
    f = rng.choice(_csv_files(case))
    rows = _csv_rows(case.text[f])
    if not rows or not rows[0]:
        return
    width = len(rows[0])
    j = rng.randrange(width)
    what = rng.choice(["delete", "duplicate", "shuffle", "rename", "empty_name"])
    if what == "delete":
        rows = [[c for k, c in enumerate(r) if k != j] for r in rows]
    elif what == "duplicate":
        rows = [[*r, r[j]] if len(r) > j else r for r in rows]
    elif what == "shuffle":
        order = list(range(width))
        rng.shuffle(order)
        rows = [[r[k] for k in order if k < len(r)] for r in rows]
    elif what == "rename":
        rows[0][j] = rng.choice(["ID", "idd", "length", "x", rows[0][j].upper()])
    else:
        rows[0][j] = ""
    case.text[f] = _csv_text(rows)
    case.note(f"{f}: {what} column {j}")


def _mutate_header_space(case: Case) -> None:
    rng = case.rng
    f = rng.choice(_csv_files(case))
    rows = _csv_rows(case.text[f])
    if not rows or not rows[0]:
        return
    j = rng.randrange(len(rows[0]))
    what = rng.choice(["pad", "duplicate_padded", "tab"])
    if what == "pad":
        rows[0][j] = f"  {rows[0][j]} "
    elif what == "tab":
        rows[0][j] = f"\t{rows[0][j]}"
    else:
        rows = [[*r, f" {r[j]}" if n == 0 else r[j]] if len(r) > j else r
                for n, r in enumerate(rows)]
    case.text[f] = _csv_text(rows)
    case.note(f"{f}: header {what} column {j}")


def _set_cell(case: Case, columns: dict[str, tuple[str, ...]],
              choose: Callable[[random.Random], str]) -> None:
    """Set one random cell of one of ``columns`` (by file) to ``choose(rng)``."""
    rng = case.rng
    f = rng.choice([f for f in _csv_files(case) if f in columns])
    rows = _csv_rows(case.text[f])
    if len(rows) < 2:
        return
    cols = [c for c in columns[f] if c in rows[0]]
    if not cols:
        return
    col = rng.choice(cols)
    j = rows[0].index(col)
    i = rng.randrange(1, len(rows))
    if len(rows[i]) <= j:
        return
    value = choose(rng)
    rows[i][j] = value
    case.text[f] = _csv_text(rows)
    case.note(f"{f}: line {i + 1} {col} = {value[:40]!r}")


def _mutate_number(case: Case) -> None:
    _set_cell(case, NUMERIC, lambda rng: rng.choice(BAD_NUMBERS) if rng.random() < 0.8
              else f"{rng.uniform(-1, 1) * 10 ** rng.randint(-12, 14):g}")


def _edge(rng: random.Random, name: str) -> float:
    """A value at (or just inside) an edge of the bound of a field."""
    bound = FIELD_BOUNDS[name]
    low = bound.low * 1.0001 + 1e-9 if bound.positive else bound.low
    return rng.choice([low, bound.high, bound.high * 0.999, low + (bound.high - low) / 3])


def _mutate_extreme(case: Case) -> None:
    """Valid but extreme figures: the network must load and route with finite totals."""
    rng = case.rng
    what = rng.choice(["csv", "csv", "params", "override"])
    if what == "csv":
        f = rng.choice([f for f in _csv_files(case) if f in NUMERIC and f != "sources.csv"])
        rows = _csv_rows(case.text[f])
        if len(rows) < 2:
            return
        cols = [c for c in NUMERIC[f] if c in rows[0] and c not in ("lon", "lat", "gauge_mm")]
        if not cols:
            return
        col = rng.choice(cols)
        j = rows[0].index(col)
        value = _edge(rng, col)
        for i in rng.sample(range(1, len(rows)), k=rng.randint(1, len(rows) - 1)):
            if len(rows[i]) > j and (rows[i][j] or rng.random() < 0.5):
                rows[i][j] = repr(value)
        case.text[f] = _csv_text(rows)
        case.note(f"{f}: {col} = {value!r} on some rows")
        return
    if what == "params":
        try:
            doc = tomllib.loads(case.text["params.toml"])
        except (KeyError, tomllib.TOMLDecodeError):
            return
        paths = [p for p in _paths(doc) if isinstance(p[-1], str) and p[-1] in FIELD_BOUNDS]
        for path in rng.sample(paths, k=min(len(paths), rng.randint(1, 8))):
            parent = _get_parent(doc, path)
            if isinstance(parent, dict):
                for k in [k for k in parent if isinstance(k, str) and k.startswith(path[-1] + "_")]:
                    del parent[k]      # the sourced range would no longer hold
                parent[path[-1]] = _edge(rng, path[-1])
        case.text["params.toml"] = _toml_dump(doc)
        case.note("params.toml: extreme values")
        return
    try:
        doc = tomllib.loads(case.text["scenarios.toml"])
    except (KeyError, tomllib.TOMLDecodeError):
        return
    table = doc.get("scenarios")
    if not isinstance(table, dict) or not table:
        return
    sid = rng.choice(sorted(table))
    if not isinstance(table[sid], dict):
        return
    over = table[sid].setdefault("overrides", {})
    if not isinstance(over, dict):
        return
    key = rng.choice(OVERRIDE_KEYS)
    value = _edge(rng, key.split(".")[-1]) if key.split(".")[-1] in FIELD_BOUNDS else 1.0
    over[key] = value
    case.text["scenarios.toml"] = _toml_dump(doc)
    case.note(f"scenarios.toml: scenarios.{sid}.overrides[{key!r}] = {value!r}")


def _mutate_reference(case: Case) -> None:
    _set_cell(case, REFERENCES, lambda rng: rng.choice([
        "zz_unknown", "", "Bad Id", rng.choice(_known_ids(case)), "a;b;;c", "ZZ", "x" * 3000,
        "ــ", "rail;train", "１２"]))


def _mutate_cell_text(case: Case) -> None:
    rng = case.rng
    f = rng.choice(_csv_files(case))
    rows = _csv_rows(case.text[f])
    if len(rows) < 2:
        return
    i = rng.randrange(1, len(rows))
    if not rows[i]:
        return
    j = rng.randrange(len(rows[i]))
    value = rng.choice(['"', "a,b", "line\nbreak", "\x00", "🚂", "  ", "NA", "null", "None",
                        "true", "=1+1", "\u200b", "x" * 20000])
    rows[i][j] = value
    case.text[f] = _csv_text(rows)
    case.note(f"{f}: line {i + 1} column {j} = {value[:40]!r}")


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out: list[tuple] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    return out


def _get_parent(doc: dict, path: tuple) -> object:
    node: object = doc
    for p in path[:-1]:
        node = node[p]  # type: ignore[index]
    return node


def _mutate_toml(case: Case) -> None:
    rng = case.rng
    f = rng.choice(_toml_files(case))
    try:
        doc = tomllib.loads(case.text[f])
    except tomllib.TOMLDecodeError:
        return
    paths = _paths(doc)
    if not paths:
        return
    path = rng.choice(paths)
    parent = _get_parent(doc, path)
    what = rng.choice(["replace", "replace", "replace", "delete", "add", "rename"])
    if what == "replace":
        value = rng.choice(ODD_TOML)
        parent[path[-1]] = value  # type: ignore[index]
        desc = f"{'.'.join(map(str, path))} = {_toml_value(value)[:40]}"
    elif what == "delete":
        del parent[path[-1]]  # type: ignore[attr-defined,union-attr]
        desc = f"delete {'.'.join(map(str, path))}"
    elif what == "add" and isinstance(parent, dict):
        key = rng.choice(["x", "source", "hours", "speed_kmh", "countries", "overrides",
                          "scenario", "name", ""])
        value = rng.choice(ODD_TOML)
        parent[key] = value
        desc = f"add {'.'.join(map(str, path[:-1]))}.{key} = {_toml_value(value)[:40]}"
    elif what == "rename" and isinstance(parent, dict):
        new = rng.choice(["zz", "", "1520-1676", "rail", "PK", path[-1] + " "])
        parent[new] = parent.pop(path[-1])
        desc = f"rename {'.'.join(map(str, path))} -> {new!r}"
    else:
        return
    case.text[f] = _toml_dump(doc)
    case.note(f"{f}: {desc}")


def _mutate_toml_targeted(case: Case) -> None:
    """Mutations aimed at the cross-references and numbers of the TOML files."""
    rng = case.rng
    f = rng.choice(["params.toml", "corridors.toml", "scenarios.toml"])
    try:
        doc = tomllib.loads(case.text[f])
    except (KeyError, tomllib.TOMLDecodeError):
        return
    if f == "scenarios.toml" and isinstance(doc.get("scenarios"), dict) and doc["scenarios"]:
        sid = rng.choice(list(doc["scenarios"]))
        spec = doc["scenarios"][sid]
        if not isinstance(spec, dict):
            return
        over = spec.setdefault("overrides", {})
        if not isinstance(over, dict):
            return
        key = rng.choice(OVERRIDE_KEYS)
        value = rng.choice([*ODD_TOML, 1e6, 1e5, 300.5, 8761, 0.5, 160])
        if rng.random() < 0.2:        # a nested table, as unquoted dotted keys give
            parts = key.split(".")
            nested: object = value
            for p in reversed(parts[1:]):
                nested = {p: nested}
            over[parts[0]] = nested
        else:
            over[key] = value
        desc = f"scenarios.{sid}.overrides[{key!r}] = {_toml_value(value)[:40]}"
    elif f == "corridors.toml" and isinstance(doc.get("corridors"), dict) and doc["corridors"]:
        cid = rng.choice(list(doc["corridors"]))
        spec = doc["corridors"][cid]
        if not isinstance(spec, dict):
            return
        key = rng.choice(["scenario", "via", "tags", "modes", "access_modes", "name"])
        value = rng.choice(["nosuch", ["nosuch"], "uap", [], 5, ["rail", "train"],
                            {"a": 1}, ["karachi", "karachi"], ["alpha", "echo"]])
        spec[key] = value
        desc = f"corridors.{cid}.{key} = {_toml_value(value)[:40]}"
    elif f == "params.toml":
        numbers = [p for p in _paths(doc) if isinstance(_get_parent(doc, p), dict)
                   and isinstance(_get_parent(doc, p)[p[-1]], (int, float))]  # type: ignore[index]
        if not numbers:
            return
        path = rng.choice(numbers)
        value = rng.choice([1e308, -1.0, 0.0, 1e300, 10**25, 5e-324, 300.5, 8761.0, 1e6 + 1,
                            100.5, 1e5 + 1, 1989, 2101, float("nan"), float("inf"), True])
        _get_parent(doc, path)[path[-1]] = value  # type: ignore[index]
        desc = f"{'.'.join(map(str, path))} = {_toml_value(value)}"
    else:
        return
    case.text[f] = _toml_dump(doc)
    case.note(f"{f}: {desc}")


def _mutate_toml_text(case: Case) -> None:
    rng = case.rng
    f = rng.choice(_toml_files(case))
    lines = case.text[f].split("\n")
    i = rng.randrange(len(lines))
    what = rng.choice(["delete", "duplicate", "unquote"])
    if what == "delete":
        del lines[i]
    elif what == "duplicate":
        lines.insert(i, lines[i])
    else:
        lines[i] = lines[i].replace('"', "", 2)
    case.text[f] = "\n".join(lines)
    case.note(f"{f}: {what} line {i + 1}")


def _mutate_file(case: Case) -> None:
    rng = case.rng
    f = rng.choice(sorted(case.text))
    what = rng.choice(["remove", "empty", "header_only", "directory"])
    if what == "remove":
        del case.text[f]
    elif what == "empty":
        case.text[f] = ""
    elif what == "header_only":
        case.text[f] = case.text[f].split("\n", 1)[0] + "\n"
    else:
        case.text[f] = "\0directory"    # written as a folder of that name, see _write
    case.note(f"{f}: {what}")


TEXT_MUTATIONS: list[tuple[float, Callable[[Case], None]]] = [
    (3, _mutate_extreme), (3, _mutate_number), (2, _mutate_reference), (2, _mutate_toml),
    (2, _mutate_toml_targeted), (1, _mutate_rows), (1, _mutate_columns),
    (1, _mutate_header_space), (1, _mutate_cell_text), (0.5, _mutate_toml_text),
    (0.3, _mutate_file),
]


def _encode(case: Case) -> None:
    """Encode every file (UTF-8), sometimes with another encoding, a BOM, CRLF or a cut."""
    rng = case.rng
    for f, text in case.text.items():
        case.raw[f] = text.encode("utf-8", errors="surrogatepass")
    if rng.random() > 0.25:
        return
    f = rng.choice(sorted(case.raw))
    text = case.text[f]
    what = rng.choice(["latin-1", "utf-16", "bom", "crlf", "cr", "truncate", "nul", "garbage"])
    if what == "latin-1":
        case.raw[f] = ("café," + text).encode("latin-1", errors="replace")
    elif what == "utf-16":
        case.raw[f] = text.encode("utf-16")
    elif what == "bom":
        case.raw[f] = text.encode("utf-8-sig")
    elif what == "crlf":
        case.raw[f] = text.replace("\n", "\r\n").encode("utf-8")
    elif what == "cr":
        case.raw[f] = text.replace("\n", "\r").encode("utf-8")
    elif what == "truncate":
        data = case.raw[f]
        case.raw[f] = data[: rng.randrange(len(data) + 1)]
    elif what == "nul":
        data = case.raw[f]
        k = rng.randrange(len(data) + 1)
        case.raw[f] = data[:k] + b"\0" + data[k:]
    else:
        case.raw[f] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    case.note(f"{f}: encoding {what}")


def _base_files() -> dict[str, dict[str, str]]:
    bundled = _bundled_root() / "central_asia"
    return {
        "tiny": dict(TINY_FILES),
        "bundled": {p.name: p.read_text(encoding="utf-8")
                    for p in sorted(bundled.iterdir()) if p.suffix in (".csv", ".toml")},
    }


_BASES: dict[str, dict[str, str]] = {}


def make_case(number: int) -> Case:
    """The files of case ``number`` (a pure function of the number)."""
    if not _BASES:
        _BASES.update(_base_files())
    rng = random.Random(f"{SEED}:{number}")
    base = "bundled" if rng.random() < BUNDLED_SHARE else "tiny"
    case = Case(number, rng, base, dict(_BASES[base]))
    weights = [w for w, _ in TEXT_MUTATIONS]
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        mutation = rng.choices([m for _, m in TEXT_MUTATIONS], weights)[0]
        if case.text:
            try:
                mutation(case)
            except (IndexError, KeyError, ValueError):  # the file no longer has that shape
                case.note(f"({mutation.__name__} skipped)")
    if case.text:
        _encode(case)
    return case


def _write(case: Case, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for f, data in case.raw.items():
        if data == b"\0directory":
            (folder / f).mkdir()
        else:
            (folder / f).write_bytes(data)


# -- running -----------------------------------------------------------------------------
class CaseTimeout(Exception):
    """A case ran past CASE_SECONDS."""


@dataclass
class Outcome:
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest: tuple[float, int] = (0.0, -1)


def _check_route(case: Case, net) -> list[str]:
    """Route between a few places of the loaded network; return what went wrong."""
    rng = case.rng
    places = list(net.places.index)
    if len(places) < 2:
        return []
    problems = []
    for _ in range(2):
        a, b = rng.sample(places, 2)
        kw: dict = {"objective": rng.choice(["cost", "time", "distance", "generalized"])}
        r = rng.random()
        if r < 0.3 and net.scenarios:
            kw["scenario"] = rng.choice(sorted(net.scenarios))
        elif r < 0.45 and net.corridors:
            kw["corridor"] = rng.choice(sorted(net.corridors))
        elif r < 0.6:      # a what-if built in Python, extreme values included
            key = rng.choice(OVERRIDE_KEYS)
            value = rng.choice([*WHAT_IF_VALUES, *ODD_TOML])
            kw["scenario"] = ("what-if", key, value)
        try:
            if isinstance(kw.get("scenario"), tuple):
                _, key, value = kw["scenario"]
                kw["scenario"] = Scenario("what-if", build=tuple(_tags(net)[:2]),
                                          overrides={key: value})
            got = route(a, b, network=net, **kw)
        except CorridorRouterError as err:
            case.note(f"route {a}->{b} {kw}: {type(err).__name__}")
            yield_kind = "route_error"
            problems.append(yield_kind)
            continue
        legs = got.legs
        for col in ("km", "hours", "cost_usd"):
            total = getattr(got, col)
            if not math.isfinite(total):
                return [f"route {a}->{b} {kw}: {col} total is {total}"]
            if total != pytest.approx(float(legs[col].sum()), rel=1e-9, abs=1e-6):
                return [f"route {a}->{b} {kw}: {col} total {total} != legs {legs[col].sum()}"]
        if not math.isfinite(got.generalized_cost_usd):
            return [f"route {a}->{b} {kw}: generalized cost is not finite"]
        problems.append("route_ok")
    return problems


def _alarm(signum: int, frame: object) -> None:
    raise CaseTimeout()


def run_case(number: int, folder: Path, outcome: Outcome) -> None:
    case = make_case(number)
    _write(case, folder)
    start = time.perf_counter()
    use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal,
                                                                                  "setitimer")
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
    try:
        try:
            net = load_network(folder)
        except NetworkDataError as err:
            outcome.counts["data_error"] += 1
            if not err.problems or not all(p.fix and p.message for p in err.problems):
                outcome.failures.append(_describe(case, "a problem without message or fix"))
            return
        except CorridorRouterError:
            outcome.counts["other_error"] += 1
            return
        outcome.counts["load_ok"] += 1
        for what in _check_route(case, net):
            if what in ("route_ok", "route_error"):
                outcome.counts[what] += 1
            else:
                outcome.failures.append(_describe(case, what))
    except CaseTimeout:
        outcome.failures.append(_describe(case, f"ran longer than {CASE_SECONDS} s"))
    except Exception as err:
        outcome.failures.append(_describe(case, f"{type(err).__name__}: {err}"[:500]))
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        elapsed = time.perf_counter() - start
        if elapsed > CASE_SECONDS:
            outcome.failures.append(_describe(case, f"took {elapsed:.1f} s"))
        outcome.slowest = max(outcome.slowest, (elapsed, number))
        outcome.counts[case.base] += 1


def _describe(case: Case, what: str) -> str:
    return (f"case {case.number} ({case.base}; replay with CORRIDOR_ROUTER_FUZZ_REPLAY="
            f"{case.number}): {what}\n    mutations: " + "; ".join(case.done))


def run(cases: range, folder: Path) -> Outcome:
    outcome = Outcome()
    for number in cases:
        run_case(number, folder, outcome)
    return outcome


def _cases(default: int) -> range:
    replay = os.environ.get("CORRIDOR_ROUTER_FUZZ_REPLAY")
    if replay:
        return range(int(replay), int(replay) + 1)
    return range(int(os.environ.get("CORRIDOR_ROUTER_FUZZ_CASES", default)))


def _report(outcome: Outcome, cases: range, elapsed: float) -> None:
    c = outcome.counts
    print(f"\nfuzz: {len(cases)} cases ({c['tiny']} tiny, {c['bundled']} bundled) in "
          f"{elapsed:.1f} s: load ok {c['load_ok']}, data errors {c['data_error']}, "
          f"other library errors {c['other_error']}; routes ok {c['route_ok']}, "
          f"route errors {c['route_error']}; failures {len(outcome.failures)}; "
          f"slowest case {outcome.slowest[1]} ({outcome.slowest[0]:.2f} s)")
    assert not outcome.failures, "\n".join(outcome.failures[:20])
    if len(cases) >= 100:       # not a replay: a loader that refused everything must fail
        assert c["load_ok"] >= 0.05 * len(cases), "almost no mutated network loads"
        assert c["route_ok"] > 0, "no route on any mutated network that loaded"


def test_fuzz_loader_and_routing(tmp_path):
    cases = _cases(DEFAULT_CASES)
    start = time.perf_counter()
    outcome = run(cases, tmp_path / "case")
    _report(outcome, cases, time.perf_counter() - start)


def _run_part(cases: range, folder: str) -> Outcome:
    """One worker's share of the long run (a process of its own, its own case folder)."""
    return run(cases, Path(folder))


@pytest.mark.slow
def test_fuzz_long_run(tmp_path):
    """The long run, its cases split over the cores (each case depends on its number only)."""
    cases = _cases(SLOW_CASES)
    start = time.perf_counter()
    workers = min(len(cases), os.cpu_count() or 1)
    parts = [cases[k::workers] for k in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = list(pool.map(_run_part, parts, [str(tmp_path / f"case{k}")
                                                for k in range(workers)]))
    outcome = Outcome()
    for part in done:
        outcome.counts.update(part.counts)
        outcome.failures.extend(part.failures)
        outcome.slowest = max(outcome.slowest, part.slowest)
    _report(outcome, cases, time.perf_counter() - start)


def test_cases_are_deterministic():
    a, b = make_case(17), make_case(17)
    assert a.raw == b.raw and a.done == b.done
    assert make_case(18).raw != a.raw
