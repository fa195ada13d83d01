"""The vectorised loader reads every file as the row-by-row reader does (issue 15).

``load_network`` splits plain CSV files with pyarrow and checks whole columns at once;
Python's ``csv`` module reads the others (quotes, CR line ends, blank or short rows), and
without pyarrow every column check runs on Python strings, each distinct cell once.
These tests load the same files each way ("fast", "exact", "python") and compare what
comes out: the same tables, or the same problems, message for message. The messages
themselves are pinned by tests/test_validation.py and tests/test_io.py.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import TINY_FILES, write_tiny
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import _write, make_case
from test_validation import CASES, CSV_CASES, rewrite

from corridor_router import (
    CorridorRouterError,
    NetworkDataError,
    _cells,
    _csv_tables,
    _link_rules,
    _validate,
    load_network,
)
from corridor_router._cells import NUMBER_PATTERN, SPACES, is_plain_number, number_values
from corridor_router._geometry import geodesic_line, geodesic_path, geodesic_paths
from corridor_router._places import match_key
from corridor_router.network import _bundled_root

READERS = ("fast", "exact", "python")
TABLES = ("places", "links", "crossings", "sources", "observations", "disruptions")


@contextlib.contextmanager
def reading(kind: str) -> Iterator[None]:
    """Load with one reader: pyarrow's split and Arrow checks ("fast", even for a small
    file), Python's csv module and checks on Python str ("exact"), or that without
    pyarrow at all ("python")."""
    saved = _validate._arrow_csv, list(_cells._ARROW), _validate.ARROW_FROM_BYTES
    _validate.ARROW_FROM_BYTES = 0              # every file, however small
    if kind in ("exact", "python"):
        _validate._arrow_csv = lambda data: None
    if kind == "python":
        _cells._ARROW[:] = [None]
    try:
        yield
    finally:
        _validate._arrow_csv, _cells._ARROW[:], _validate.ARROW_FROM_BYTES = saved


def outcome(folder: Path, kind: str) -> tuple:
    """What loading ``folder`` gives: its tables, or its problems."""
    with reading(kind):
        try:
            net = load_network(folder)
        except NetworkDataError as err:
            return ("problems", err.problems)
        except CorridorRouterError as err:
            return ("error", type(err).__name__, str(err))
    return ("network", tables(net), net.params, dict(net.corridors), dict(net.scenarios))


def tables(net) -> dict[str, pd.DataFrame]:
    """The network's tables, geometry as WKB (exact coordinates)."""
    out = {}
    for name in TABLES:
        frame = pd.DataFrame(getattr(net, name))
        if "geometry" in frame:
            frame["geometry"] = [None if g is None else shapely.to_wkb(g, hex=True)
                                 for g in frame["geometry"]]
        out[name] = frame
    return out


def assert_same(a: tuple, b: tuple, what: str) -> None:
    assert a[0] == b[0], (what, a[:1], b[:1], a if a[0] != "network" else b)
    if a[0] != "network":
        assert a == b, what
        return
    for name in TABLES:
        pd.testing.assert_frame_equal(a[1][name], b[1][name], check_exact=True,
                                      obj=f"{what}: {name}")
    assert a[2:] == b[2:], what


# -- every reader, the same result ----------------------------------------------------
def test_fuzzed_files_load_alike_by_every_reader(tmp_path):
    """The fuzz's mutations (tests/test_fuzz.py): broken rows, cells, encodings, files."""
    kinds = {"network": 0, "problems": 0, "error": 0}
    for number in range(60):
        case = make_case(number)
        _write(case, tmp_path / "case")
        results = [outcome(tmp_path / "case", kind) for kind in READERS]
        for kind, result in zip(READERS[1:], results[1:]):
            assert_same(results[0], result, f"case {number} ({kind}): {case.done}")
        kinds[results[0][0]] += 1
    assert kinds["network"] > 5 and kinds["problems"] > 15


@pytest.mark.parametrize("file,old,new,column,words", CASES + CSV_CASES,
                         ids=[f"{c[0]}:{c[3]}:{c[4][:24]}" for c in CASES + CSV_CASES])
def test_each_bad_value_gets_the_same_problems_every_way(tiny_path, file, old, new, column,
                                                         words):
    rewrite(tiny_path, file, old, new)
    results = [outcome(tiny_path, kind) for kind in READERS]
    assert results[0][0] == "problems"
    assert any(p.file == file and p.column == column and words in p.message
               for p in results[0][1])
    for kind, result in zip(READERS[1:], results[1:]):
        assert_same(results[0], result, kind)
    # the same file with CRLF line ends and every cell quoted: the same problems
    path = tiny_path / file
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    assert_same(results[0], outcome(tiny_path, "fast"), "quoted, CRLF")


@pytest.mark.parametrize("name,text", [
    ("a cell longer than the csv module reads",
     "id,name\nalpha," + "x" * (csv.field_size_limit() + 5) + "\n"),
    ("a NUL byte", "id,name\nal\0pha,Alpha\n"),
    ("a header only", "id,name,aliases,country,kind,lon,lat,modes,source\n"),
    ("a header without a line end", "id,name,aliases,country,kind,lon,lat,modes,source"),
    ("blank lines first", "\n\n" + TINY_FILES["places.csv"]),
    ("blank lines at the end", TINY_FILES["places.csv"] + "\n\n\n"),
    ("a row of spaces", TINY_FILES["places.csv"] + "   \n"),
    ("a row with cells missing", TINY_FILES["places.csv"] + "golf,Golf,,AE,port,60,30\n"),
    ("a row with a cell too many", TINY_FILES["places.csv"]
     + "golf,Golf,,AE,port,60,30,sea,,,tiny,,x\n"),
    ("spaces around cells", TINY_FILES["places.csv"].replace(",", " ,\t")),
    ("no-break and ideographic spaces", TINY_FILES["places.csv"].replace(",UZ,", ",\xa0UZ\u3000,")),
    ("a quote inside a cell", TINY_FILES["places.csv"].replace("Alpha City", 'Alpha "City"')),
    ("text after a closing quote", TINY_FILES["places.csv"].replace("Alpha City", '"Alpha"City')),
    ("a doubled quote", TINY_FILES["places.csv"].replace("Alpha City", '"Alpha ""City"""')),
    ("a quoted comma", TINY_FILES["places.csv"].replace("Alpha City", '"Alpha, City"')),
    ("a space before a quote", TINY_FILES["places.csv"].replace("Alpha City", ' "Alpha,City"')),
    ("an unclosed quote", TINY_FILES["places.csv"].replace("Alpha City", '"Alpha City')),
    ("a quoted header", TINY_FILES["places.csv"].replace("id,name", '"id","name"')),
    ("an empty quoted cell", TINY_FILES["places.csv"].replace(",,,tiny,", ',"",,tiny,')),
    ("a quoted line break", TINY_FILES["places.csv"].replace(
        "own terminal tariff", '"own terminal\ntariff"')),
    ("CR line ends", TINY_FILES["places.csv"].replace("\n", "\r")),
    ("a byte-order mark", "\ufeff" + TINY_FILES["places.csv"]),
    ("a header cell twice after stripping", TINY_FILES["places.csv"].replace(
        "source,notes", "source, name")),
])
def test_odd_files_read_alike_by_every_reader(tiny_path, name, text):
    (tiny_path / "places.csv").write_bytes(text.encode("utf-8"))
    results = [outcome(tiny_path, kind) for kind in READERS]
    for kind, result in zip(READERS[1:], results[1:]):
        assert_same(results[0], result, f"{name} ({kind})")


def _write_awkward(rows: list[list[str]], path: Path, *, quote: bool, crlf: bool,
                   pad: bool, bom: bool, blank: bool, short: bool) -> None:
    """``rows`` as CSV text that means the same cells, written as odd tools write it."""
    if short:       # drop trailing empty cells: a short row is padded with empty cells
        rows = [rows[0], *[r[:max((k + 1 for k, c in enumerate(r) if c), default=1)]
                           for r in rows[1:]]]
    if pad:         # spaces around every cell, outside any quotes (stripped when read)
        rows = [[f" {c}\t" if "," not in c and '"' not in c and "\n" not in c else c
                 for c in r] for r in rows]
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL if quote else csv.QUOTE_MINIMAL,
               lineterminator="\r\n" if crlf else "\n").writerows(rows)
    text = out.getvalue()
    if blank:
        end = "\r\n" if crlf else "\n"
        lines = text.split(end)
        text = end.join([lines[0], "", *lines[1:2], "", *lines[2:]]) + end
    path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8"))


_PLAIN: dict[str, tuple] = {}


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from(["tiny", "bundled"]), quote=st.booleans(), crlf=st.booleans(),
       pad=st.booleans(), bom=st.booleans(), blank=st.booleans(), short=st.booleans(),
       files=st.sets(st.sampled_from(["places.csv", "links.csv", "crossings.csv",
                                      "sources.csv"]), min_size=1))
def test_awkward_csv_loads_to_the_same_tables_as_plain_csv(tmp_path_factory, base, quote,
                                                           crlf, pad, bom, blank, short,
                                                           files):
    folder = tmp_path_factory.mktemp("awkward")
    if base == "tiny":
        write_tiny(folder)
    else:
        shutil.rmtree(folder)
        shutil.copytree(_bundled_root() / "central_asia", folder)
    if base not in _PLAIN:
        _PLAIN[base] = outcome(folder, "fast")
    for file in files:
        rows = list(csv.reader(io.StringIO((folder / file).read_text(encoding="utf-8"))))
        _write_awkward(rows, folder / file, quote=quote, crlf=crlf, pad=pad, bom=bom,
                       blank=blank, short=short)
    assert _PLAIN[base][0] == "network"
    assert_same(_PLAIN[base], outcome(folder, "fast"), "awkward")


def test_a_file_of_many_blocks_reads_alike_both_ways(tiny_path):
    """pyarrow splits a file in blocks on several threads: rows keep their order."""
    links = TINY_FILES["links.csv"].splitlines()
    extra = [f"x{k},alpha,bravo,road,,UZ,{110 + k % 50},operational,,,,,true,,,tiny,n{k}"
             for k in range(40_000)]
    (tiny_path / "links.csv").write_text("\n".join([*links, *extra]) + "\n", encoding="utf-8")
    assert (tiny_path / "links.csv").stat().st_size > 2_000_000
    fast, exact = outcome(tiny_path, "fast"), outcome(tiny_path, "exact")
    assert fast[0] == "network" and len(fast[1]["links"]) == 40_009
    assert_same(fast, exact, "many blocks")
    # and a problem far down the file has its line
    text = (tiny_path / "links.csv").read_text(encoding="utf-8")
    (tiny_path / "links.csv").write_text(text.replace("x39000,alpha", "x39000,alhpa"),
                                         encoding="utf-8")
    fast = outcome(tiny_path, "fast")
    assert [(p.row, p.column) for p in fast[1]] == [(39_000 + 11, "from")]
    assert_same(fast, outcome(tiny_path, "exact"), "a problem far down")


# -- column checks against the one-cell functions -----------------------------------------
_CELLS = st.one_of(st.from_regex(NUMBER_PATTERN, fullmatch=True),
                   st.text(alphabet=st.sampled_from("0123456789.eE+-_ ,xin١２"), max_size=12),
                   st.sampled_from(["", "inf", "nan", "1e999", "-0", ".5", "5.", "1e-400"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(_CELLS, max_size=30))
def test_a_column_of_numbers_parses_as_float_does(cells):
    for kind in ("fast", "python"):
        with reading(kind):
            plain, values = number_values(pd.Series(cells, dtype=str))
        assert plain.tolist() == [is_plain_number(c) for c in cells]
        expected = [float(c) if is_plain_number(c) else math.nan for c in cells]
        np.testing.assert_array_equal(values, np.array(expected, dtype=float))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(
    "aZ _-x\t\u3000\xa0\x1c.İK\u212a0"), max_size=10), max_size=20))
def test_column_checks_agree_with_the_one_cell_checks(cells):
    col = pd.Series(cells, dtype=str)
    for kind in ("fast", "python"):
        with reading(kind):
            assert _cells.strip_cells(col).tolist() == [c.strip() for c in cells]
            assert _cells.full_match(col, _cells.ID_PATTERN).tolist() == \
                [_cells.is_id(c) for c in cells]
            assert _cells.full_match(col, _cells.COUNTRY_PATTERN).tolist() == \
                [_cells.is_country(c) for c in cells]
            assert _cells.is_in(col, ["a", "x_a"]).tolist() == [c in ("a", "x_a") for c in cells]
            assert _csv_tables._match_keys(col).tolist() == [match_key(c) for c in cells]
            codes, uniques = _cells.factorize(col)
            assert [uniques[k] for k in codes] == cells
            assert uniques == list(dict.fromkeys(cells))
            assert _cells.split_cells(col).tolist() == [_cells.split_list(c) for c in cells]


def test_whitespace_is_what_python_strips():
    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == SPACES


# -- the rules' screens miss no row --------------------------------------------------------
_MODES = ["rail", "road", "sea", "ferry", "train", ""]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_the_link_rules_screens_mark_every_row_their_rule_reports(data):
    """A screened rule, run on every row, reports only rows its screen marked."""
    n = data.draw(st.integers(1, 25))
    places = ["alpha", "bravo", "charlie", "delta"]
    cell = lambda *choices: st.sampled_from(list(choices))  # noqa: E731
    rows = {
        "from": data.draw(st.lists(cell(*places, "zulu", ""), min_size=n, max_size=n)),
        "to": data.draw(st.lists(cell(*places, "zulu", ""), min_size=n, max_size=n)),
        "mode": data.draw(st.lists(cell(*_MODES), min_size=n, max_size=n)),
        "country": data.draw(st.lists(cell("UZ", "AF", "PK", "pk", ""), min_size=n,
                                      max_size=n)),
    }
    frame = pd.DataFrame({"country": ["UZ", "UZ", "AF", "PK"]}, index=pd.Index(places))
    crossings = _validate.Table({"place": pd.Series(["bravo", "delta"], dtype=str),
                                 "from_country": pd.Series(["UZ", "AF"], dtype=str),
                                 "to_country": pd.Series(["AF", "PK"], dtype=str)},
                                np.array([2, 3]))
    sides = _csv_tables.PlaceSides(frame, crossings)
    cols = {c: pd.Series(v, dtype=str) for c, v in rows.items()}
    ends = {e: _cells.positions(cols[e], frame.index) for e in ("from", "to")}
    ctx = _link_rules._LinkContext(frame.index, True, sides, {"tiny"}, ends)
    screened = [(c, r, s) for c, r, s in _link_rules._LINK_RULES if s is not None]
    assert len(screened) >= 5
    for columns, rule, screen in screened:
        marked = screen(ctx, cols)
        for i in range(n):
            if list(rule(ctx, *(rows[c][i] for c in columns))):
                assert marked[i], (rule, columns, {c: rows[c][i] for c in columns})
        assert sides.allowed(ends["to"], cols["country"]).tolist() == [
            e >= 0 and c in sides[places[e]] for e, c in zip(ends["to"], rows["country"])]


# -- geometry -------------------------------------------------------------------------------
def test_a_links_line_runs_through_its_places_and_waypoints_only():
    net = load_network()
    links, places = net.links, net.places
    xy = dict(zip(places.index, zip(places["lon"], places["lat"])))
    raw = pd.concat([pd.read_csv(net.path / f, dtype=str, keep_default_na=False)
                     for f in ("links.csv", "sea_links.csv")]).set_index("id")
    for lid, line in zip(links.index, links.geometry):
        points = [xy[links.at[lid, "from"]],
                  *[tuple(map(float, p.split())) for p in raw.at[lid, "waypoints"].split(";")
                    if p.strip()],
                  xy[links.at[lid, "to"]]]
        np.testing.assert_array_equal(shapely.get_coordinates(line), np.array(points))
    # drawn, each segment follows its geodesic: as one line at a time would be
    drawn = geodesic_paths(links.geometry.to_numpy())
    for line, path in zip(links.geometry, drawn):
        one = geodesic_line([tuple(p) for p in shapely.get_coordinates(line)])
        np.testing.assert_allclose(shapely.get_coordinates(path),
                                   shapely.get_coordinates(one), rtol=0, atol=1e-9)
    assert max(len(p.coords) for p in drawn) > max(len(g.coords) for g in links.geometry)


def test_drawing_leaves_what_is_not_a_line_as_it_is():
    point = shapely.Point(1.0, 2.0)
    assert geodesic_path(point) is point
    assert geodesic_path(None) is None
    short = shapely.LineString([(0, 0), (0.1, 0.1)])
    assert geodesic_path(short).equals(short)



@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True)
                | st.integers(-2**60, 2**60).map(float), max_size=20))
def test_a_float_column_becomes_the_cells_one_value_at_a_time_would(values):
    from corridor_router.io import _cell, _float_cells
    assert _float_cells(np.array(values, dtype=np.float64)) == [_cell(v) for v in values]


def test_a_large_frame_is_checked_as_arrow_columns_with_the_same_result(tiny, monkeypatch):
    """A table held in memory of many rows is checked on Arrow columns: the same network."""
    from corridor_router.network import Network
    frames = {"places": tiny.places, "links": tiny.links, "crossings": tiny.crossings,
              "sources": tiny.sources, "params": tiny.params, "corridors": tiny.corridors,
              "scenarios": tiny.scenarios}
    small = Network.from_frames(**frames)
    monkeypatch.setattr(_validate, "ARROW_FROM_ROWS", 1)
    large = Network.from_frames(**frames)
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(large, name)),
                                      pd.DataFrame(getattr(small, name)), check_exact=True)
    links = tiny.links
    links.loc["d_ab", "length_km"] = float("inf")
    bad = {**frames, "links": links}
    monkeypatch.setattr(_validate, "ARROW_FROM_ROWS", 10**9)
    with pytest.raises(NetworkDataError) as expected:
        Network.from_frames(**bad)
    monkeypatch.setattr(_validate, "ARROW_FROM_ROWS", 1)
    with pytest.raises(NetworkDataError) as got:
        Network.from_frames(**bad)
    assert got.value.problems == expected.value.problems
