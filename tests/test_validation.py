"""Every class of data problem is reported, all at once, with file, line, column and fix."""

from __future__ import annotations

import json
import math
import tomllib

import pandas as pd
import pytest

from corridor_router import NetworkDataError, load_network


def rewrite(folder, name, old, new):
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder):
    with pytest.raises(NetworkDataError) as err:
        load_network(folder)
    return err.value.problems, str(err.value)


CASES = [
    # (file, old text, new text, expected column, words in the message)
    ("links.csv", "r_ab,alpha,bravo", "r_ab,alhpa,bravo", "from", "unknown place id 'alhpa'"),
    ("links.csv", "d_ab,alpha", "r_ab,alpha", "id", "duplicate id 'r_ab'"),
    ("places.csv", "charlie,Charlie", "bravo,Charlie", "id", "duplicate id 'bravo'"),
    ("links.csv", "rail,1520,UZ,100", "train,1520,UZ,100", "mode", "unknown mode 'train'"),
    ("links.csv", "150,planned", "150,dreamt", "status", "unknown status 'dreamt'"),
    ("links.csv", "rail,1520,UZ,100", "rail,,UZ,100", "gauge_mm", "rail link without gauge"),
    ("links.csv", "rail,1520,UZ,100", "rail,1000,UZ,100", "gauge_mm", "unsupported gauge"),
    ("links.csv", "UZ,110,", "UZ,-110,", "length_km", "must be greater than zero"),
    ("links.csv", "UZ,110,", "UZ,0,", "length_km", "must be greater than zero"),
    ("links.csv", "AF,105,", "AF,50,", "length_km", "shorter than the geodesic distance"),
    ("places.csv", "68.0,41.0", "198.0,41.0", "lon", "above 180"),
    ("places.csv", "68.0,39.4", "68.0,-95", "lat", "below -90"),
    ("links.csv", "true,,,tiny,\nr_bc", "true,,,nosuch,\nr_bc", "source", "'nosuch' is not in sources.csv"),
    ("places.csv", "rail;road,,,tiny,\nbravo", "rail;road,,,,\nbravo", "source", "no source id"),
    ("crossings.csv", "6,4,8,100", "six,4,8,100", "dwell_h", "'six' is not a number"),
    ("links.csv", "200,operational,50", "200,operational,fast", "speed_kmh", "'fast' is not a number"),
    ("places.csv", "UZ,city", "Uzbekistan,city", "country", "not an ISO 3166-1 alpha-2"),
    ("places.csv", "AF,city", "AF,village", "kind", "unknown value 'village'"),
    ("links.csv", "d_bc,bravo,charlie,road,,AF", "d_bc,bravo,charlie,road,,PK", "country",
     "link in PK ends at 'charlie', which lies in AF"),
    ("crossings.csv", "b_rail_uz_af,bravo", "b_rail_uz_af,charlie", "place", "not of kind 'border'"),
    ("links.csv", "true,,,tiny,\nd_ab", "yes,,,tiny,\nd_ab", "bidirectional", "not true or false"),
]


@pytest.mark.parametrize("file,old,new,column,words", CASES,
                         ids=[f"{c[0]}:{c[3]}:{c[4][:20]}" for c in CASES])
def test_each_problem_is_reported_with_its_place_and_fix(tiny_path, file, old, new, column, words):
    rewrite(tiny_path, file, old, new)
    problems, text = problems_of(tiny_path)
    hits = [p for p in problems if p.file == file and p.column == column and words in p.message]
    assert hits, text
    assert all(p.fix for p in problems)
    assert hits[0].row is not None and hits[0].row >= 2


def test_a_malformed_links_file_lists_every_problem_in_one_error(tiny_path):
    rewrite(tiny_path, "links.csv", "r_ab,alpha,bravo", "r_ab,alhpa,bravo")
    rewrite(tiny_path, "links.csv", "rail,1520,AF,100", "rail,,AF,100")
    rewrite(tiny_path, "links.csv", "UZ,110,", "UZ,-110,")
    rewrite(tiny_path, "links.csv", "150,planned", "150,dreamt")
    rewrite(tiny_path, "links.csv", "true,,,tiny,\nd_ab", "true,,,nosuch,\nd_ab")
    problems, text = problems_of(tiny_path)
    columns = {(p.file, p.column) for p in problems}
    assert {("links.csv", c) for c in ("from", "gauge_mm", "length_km", "status", "source")} <= columns
    assert len(problems) >= 5
    assert text.count("links.csv line") >= 5


def test_params_must_cover_every_pair_the_network_needs(tiny_path):
    rewrite(tiny_path, "params.toml", '[gauge_break."1520-1676"]', '[gauge_break."1435-1676"]')
    rewrite(tiny_path, "params.toml", "source = \"tiny\"\n\n[modes.rail]", "\n[modes.rail]")
    problems, text = problems_of(tiny_path)
    keys = {p.column for p in problems if p.file == "params.toml"}
    assert 'gauge_break."1520-1676"' in keys, text
    assert "value_of_time.source" in keys, text


def test_missing_file_and_missing_column(tiny_path):
    (tiny_path / "crossings.csv").unlink()
    rewrite(tiny_path, "places.csv", "id,name,aliases", "ident,name,aliases")
    problems, _ = problems_of(tiny_path)
    assert any(p.file == "crossings.csv" and "missing" in p.message for p in problems)
    assert any(p.file == "places.csv" and p.column == "id" for p in problems)


def test_scenario_and_corridor_files_are_checked(tiny_path):
    rewrite(tiny_path, "scenarios.toml", 'close = ["bravo"]', 'close = ["brovo"]')
    rewrite(tiny_path, "corridors.toml", 'tags = ["uap"]', 'tags = ["uapp"]')
    problems, text = problems_of(tiny_path)
    assert any("brovo" in p.message and "Bravo Bridge" in p.message for p in problems), text
    assert any("uapp" in p.message for p in problems), text


def test_unknown_network_name_says_what_exists():
    with pytest.raises(NetworkDataError, match="central_asia"):
        load_network("no_such_network")


def test_an_estimate_source_must_say_how_it_was_derived(tiny_path):
    rewrite(tiny_path, "sources.csv", "round numbers chosen for hand calculation", "")
    problems, _ = problems_of(tiny_path)
    assert any(p.file == "sources.csv" and p.column == "notes" for p in problems)


def test_a_parameter_outside_its_sourced_range_is_reported(tiny_path):
    rewrite(tiny_path, "params.toml", "speed_kmh = 40.0\n", "speed_kmh = 40.0\nspeed_kmh_low = 45.0\n")
    problems, text = problems_of(tiny_path)
    assert any(p.column == "modes.rail.speed_kmh" and "outside its sourced range" in p.message
               for p in problems), text


def test_corridor_and_scenario_sources_must_resolve(tiny_path):
    rewrite(tiny_path, "corridors.toml", 'source = ["tiny"]', 'source = ["nosuch"]')
    rewrite(tiny_path, "scenarios.toml", 'source = ["tiny"]', 'source = []')
    problems, text = problems_of(tiny_path)
    assert any(p.file == "corridors.toml" and "'nosuch'" in p.message for p in problems), text
    assert any(p.file == "scenarios.toml" and p.message == "no source" for p in problems), text


# -- malformed input found by the fuzz (tests/test_fuzz.py): each is a NetworkDataError -------
def toml_value(value):
    """``value`` as TOML (inline tables and arrays), enough for these tests."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def set_toml(folder, name, path, value):
    """Set ``path`` (a tuple of keys) of a TOML file to ``value``; rewrite the file."""
    doc = tomllib.loads((folder / name).read_text(encoding="utf-8"))
    node = doc
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    (folder / name).write_text("".join(f"{json.dumps(k)} = {toml_value(v)}\n"
                                       for k, v in doc.items()), encoding="utf-8")


TOML_CASES = [
    # (file, key path, value, expected column, words in the message)
    # tables and lists used before their type was checked
    ("params.toml", ("modes",), 5, "modes", "is not a table"),
    ("params.toml", ("modes", "rail", "countries"), [], "modes.rail.countries", "is not a table"),
    ("params.toml", ("modes", "rail", "countries", "PK"), "x", "modes.rail.countries.PK",
     "not a table"),
    ("params.toml", ("modes", "ship"), {"speed_kmh": 5}, "modes.ship", "unknown mode"),
    ("params.toml", ("transfer", "x"), 3, 'transfer."x"', "unknown pair"),
    ("params.toml", ("transfer",), 3, "transfer", "is not a table"),
    ("params.toml", ("connector", "rail"), [1, 2], "connector.rail", "not a table"),
    ("params.toml", ("source",), 5, "(top level).source", "not a source id"),
    ("params.toml", ("modes", "rail", "source"), True, "modes.rail.source", "not a source id"),
    ("params.toml", ("value_of_time",), "fast", "value_of_time", "not a table"),
    # scalars: price year, currency, unit
    ("params.toml", ("price_year",), {}, "price_year", "is not a year"),
    ("params.toml", ("price_year",), "2023", "price_year", "is not a year"),
    ("params.toml", ("price_year",), 2023.0, "price_year", "is not a year"),
    ("params.toml", ("price_year",), 1800, "price_year", "not a plausible price year"),
    ("params.toml", ("currency",), 5, "currency", "is not supported"),
    ("params.toml", ("unit",), ["TEU"], "unit", "is not supported"),
    # numbers: too large for numpy, non-finite, beyond their physical bounds
    ("params.toml", ("modes", "rail", "speed_kmh"), 10**30, "modes.rail.speed_kmh",
     "is above 300 km/h"),
    ("params.toml", ("modes", "road", "speed_kmh"), 5e-324, "modes.road.speed_kmh",
     "is below 1 km/h"),
    ("params.toml", ("modes", "rail", "rate_usd_per_teu_km"), float("inf"),
     "modes.rail.rate_usd_per_teu_km", "not a finite number"),
    ("params.toml", ("connector", "road", "hours"), 1e308, "connector.road.hours",
     "is above 8,760 hours"),
    ("params.toml", ("transfer", "rail-road", "cost_usd_per_teu"), 2e6,
     'transfer."rail-road".cost_usd_per_teu', "is above 1,000,000 USD per TEU"),
    ("params.toml", ("value_of_time", "usd_per_teu_h"), 1e308, "value_of_time.usd_per_teu_h",
     "is above 100,000 USD per TEU-hour"),
    ("params.toml", ("gauge_break", "1520-1676", "hours"), float("nan"),
     'gauge_break."1520-1676".hours', "not a finite number"),
    ("params.toml", ("modes", "rail", "speed_kmh_low"), True, "modes.rail.speed_kmh_low",
     "not a finite number"),
    # corridors.toml
    ("corridors.toml", ("corridors",), 5, "corridors", "is not a table"),
    ("corridors.toml", ("corridors", "uap"), [1], "corridors.uap", "is not a table"),
    ("corridors.toml", ("corridors", "uap", "scenario"), "nosuch", "corridors.uap.scenario",
     "scenario 'nosuch' is not in scenarios.toml"),
    ("corridors.toml", ("corridors", "uap", "scenario"), 5, "corridors.uap.scenario",
     "is not a string"),
    ("corridors.toml", ("corridors", "uap", "source"), 5, "corridors.uap.source",
     "not a source id"),
    ("corridors.toml", ("corridors", "uap", "name"), ["x"], "corridors.uap.name",
     "is not a string"),
    ("corridors.toml", ("corridors", "uap", "via"), "charlie", "corridors.uap.via",
     "is not a list of strings"),
    ("corridors.toml", ("corridors", "uap", "speed"), 5, "corridors.uap.speed", "unknown key"),
    # scenarios.toml, and overrides with odd keys and values
    ("scenarios.toml", ("scenarios",), 5, "scenarios", "is not a table"),
    ("scenarios.toml", ("scenarios", "uap", "source"), 5, "scenarios.uap.source",
     "not a source id"),
    ("scenarios.toml", ("scenarios", "uap", "description"), 5, "scenarios.uap.description",
     "is not a string"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), 5, "scenarios.uap.overrides",
     "is not a table"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"links": {}}, "scenarios.uap",
     "must be a number"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"speed": 5}, "scenarios.uap",
     "unknown section"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"": 5}, "scenarios.uap",
     "unknown section"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"links.r_ab.speed_kmh": True},
     "scenarios.uap", "must be a number"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"links.r_ab.speed_kmh": "60"},
     "scenarios.uap", "must be a number"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"links.r_ab.speed_kmh": 1e308},
     "scenarios.uap", "is above 300 km/h"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"links.r_ab.speed_kmh": 301},
     "scenarios.uap", "is above 300 km/h"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"links.r_ab.speed_kmh": 0.5},
     "scenarios.uap", "is below 1 km/h"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"tags.uap.rate_usd_per_teu_km": 101},
     "scenarios.uap", "is above 100 USD per TEU-km"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"),
     {"places.echo.handling_usd_per_teu": 2e6}, "scenarios.uap",
     "is above 1,000,000 USD per TEU"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"connector.road.hours": 1e9},
     "scenarios.uap", "is above 8,760 hours"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"),
     {"value_of_time.usd_per_teu_h": float("inf")}, "scenarios.uap", "finite number"),
    ("scenarios.toml", ("scenarios", "uap", "overrides"), {"transfer.rail-road": 5},
     "scenarios.uap", "use transfer."),
]


@pytest.mark.parametrize("file,path,value,column,words", TOML_CASES,
                         ids=[f"{c[0]}:{'.'.join(c[1])}={str(c[2])[:12]}" for c in TOML_CASES])
def test_every_toml_value_is_type_checked(tiny_path, file, path, value, column, words):
    set_toml(tiny_path, file, path, value)
    problems, text = problems_of(tiny_path)
    assert any(p.file == file and p.column == column and words in p.message
               for p in problems), text
    assert all(p.fix and p.message for p in problems)


def test_overrides_as_nested_tables_mean_their_dotted_keys(tiny_path):
    # unquoted dotted keys in TOML make nested tables: they mean the same as quoted ones
    set_toml(tiny_path, "scenarios.toml", ("scenarios", "uap", "overrides"),
             {"links": {"r_ab": {"speed_kmh": 60}}})
    net = load_network(tiny_path)
    assert dict(net.scenarios["uap"].overrides) == {"links.r_ab.speed_kmh": 60.0}


CSV_CASES = [
    # (file, old text, new text, expected column, words in the message)
    ("links.csv", "UZ,110,", "UZ,١١٠,", "length_km", "digits other than ASCII 0-9"),
    ("links.csv", "UZ,110,", "UZ,１１０,", "length_km", "digits other than ASCII 0-9"),
    ("links.csv", "UZ,110,", "UZ,inf,", "length_km", "not a finite number"),
    ("links.csv", "UZ,110,", "UZ,NaN,", "length_km", "not a finite number"),
    ("links.csv", "UZ,110,", "UZ,1e999,", "length_km", "not finite"),
    ("links.csv", "UZ,110,", "UZ,1_100,", "length_km", "is not a number"),
    ("links.csv", "UZ,110,", "UZ,30000,", "length_km", "is above 25,000 km"),
    ("links.csv", "200,operational,50", "200,operational,301", "speed_kmh",
     "is above 300 km/h"),
    ("links.csv", "200,operational,50", "200,operational,0.5", "speed_kmh", "is below 1 km/h"),
    ("links.csv", "operational,,,168", "operational,,,9000", "headway_h",
     "is above 8,760 hours"),
    ("links.csv", "d_ab,alpha,bravo,road,,UZ,110,operational,,",
     "d_ab,alpha,bravo,road,,UZ,110,operational,,101", "rate_usd_per_teu_km",
     "is above 100 USD per TEU-km"),
    ("links.csv", "rail,1520,UZ,100", "rail,1e20,UZ,100", "gauge_mm", "is above 10,000 mm"),
    ("places.csv", "rail;road;sea,40,30", "rail;road;sea,2e6,30", "handling_usd_per_teu",
     "is above 1,000,000 USD per TEU"),
    ("places.csv", "68.0,41.0", "٦٨,41.0", "lon", "digits other than ASCII 0-9"),
    ("crossings.csv", "6,4,8,100", "1e308,4,8,100", "dwell_h", "is above 8,760 hours"),
    ("sources.csv", "tests,2026,", "tests,1850,", "year", "is not a publication year"),
    ("sources.csv", "tests,2026,", "tests,２０２０,", "year", "is not a publication year"),
    ("sources.csv", "tests,2026,", "tests,3000,", "year", "is not a publication year"),
    ("links.csv", "true,,,tiny,\nr_bc", "true,,,tiny,,extra\nr_bc", None, "has 18 cells"),
    ("links.csv", "r_ab,alpha,bravo,rail,1520,UZ,100,operational,,,,,true,,",
     "r_ab,alpha,bravo,rail,1520,UZ,100,operational,,,,,true,١ 2,", "waypoints",
     "plain decimal numbers"),
]


@pytest.mark.parametrize("file,old,new,column,words", CSV_CASES,
                         ids=[f"{c[0]}:{c[3]}:{c[4][:24]}" for c in CSV_CASES])
def test_only_plain_finite_numbers_within_bounds_are_read(tiny_path, file, old, new, column,
                                                          words):
    rewrite(tiny_path, file, old, new)
    problems, text = problems_of(tiny_path)
    hits = [p for p in problems if p.file == file and p.column == column and words in p.message]
    assert hits, text
    assert hits[0].row is not None and hits[0].row >= 2 and hits[0].fix


@pytest.mark.parametrize("header,words", [
    ("id,name,aliases,country,kind,lon,lat,modes,handling_usd_per_teu,handling_h,source,notes, id",
     "the column name appears twice (columns 1 and 13)"),
    ("id,name,aliases,country,kind,lon,lat,modes,handling_usd_per_teu,handling_h,source,notes,",
     "a column without a name"),
])
def test_headers_that_collide_after_stripping_or_are_empty(tiny_path, header, words):
    path = tiny_path / "places.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([header, *(f"{line}," for line in lines[1:] if line)]) + "\n",
                    encoding="utf-8")
    problems, text = problems_of(tiny_path)
    assert any(p.file == "places.csv" and p.row == 1 and words in p.message
               for p in problems), text


def test_header_spaces_a_bom_and_crlf_are_read_cleanly(tiny_path):
    before = load_network(tiny_path)
    for name in ("places.csv", "links.csv", "params.toml", "scenarios.toml"):
        path = tiny_path / name
        text = path.read_text(encoding="utf-8")
        if name.endswith(".csv"):
            header, rest = text.split("\n", 1)
            text = " , ".join(f" {h}" for h in header.split(",")) + "\n" + rest
        path.write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    after = load_network(tiny_path)
    pd.testing.assert_frame_equal(before.links.drop(columns="geometry"),
                                  after.links.drop(columns="geometry"))
    assert list(after.places.index) == list(before.places.index)
    assert after.params == before.params


@pytest.mark.parametrize("encoding,words", [("utf-16", "is UTF-16 text"),
                                            ("latin-1", "is not UTF-8 text")])
def test_other_encodings_are_reported(tiny_path, encoding, words):
    path = tiny_path / "places.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace("Alpha City", "Alphé")
                     .encode(encoding))
    problems, text = problems_of(tiny_path)
    assert any(p.file == "places.csv" and words in p.message and "UTF-8" in p.fix
               for p in problems), text


@pytest.mark.parametrize("name,words", [
    ("", "is an empty network name"),
    ("   ", "is an empty network name"),
    ("../tests", "a bundled network name is a plain name"),
    ("central_asia/../central_asia", "a bundled network name is a plain name"),
    ("..\\tests", "a bundled network name is a plain name"),
    ("/no/such/folder", "a bundled network name is a plain name"),
    ("no\x00pe", "control characters"),
    ("x" * 5000, "cannot be read as a folder"),
])
def test_network_names_never_escape_the_bundled_folder(name, words, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)       # nothing of these names exists here
    with pytest.raises(NetworkDataError) as err:
        load_network(name)
    assert words in str(err.value)
    assert err.value.problems[0].fix
    assert len(str(err.value)) < 600


def test_a_file_is_not_a_network_folder(tiny_path):
    with pytest.raises(NetworkDataError, match="is a file, not a network folder"):
        load_network(tiny_path / "places.csv")
    with pytest.raises(NetworkDataError, match="is a file, not a network folder"):
        load_network(str(tiny_path / "places.csv"))


def test_a_folder_given_by_its_path_still_loads(tiny_path, monkeypatch):
    monkeypatch.chdir(tiny_path.parent)
    assert len(load_network("tiny").places) == 6          # a relative folder
    assert len(load_network(str(tiny_path)).places) == 6  # an absolute one


def test_the_most_extreme_accepted_figures_still_give_finite_routes(tiny_path):
    # every figure at its bound: a route's totals stay finite (and sum its legs)
    from corridor_router import route
    from corridor_router._validate import FIELD_BOUNDS
    rewrite(tiny_path, "links.csv", "r_de,delta,echo,rail,1676,PK,200,operational,50",
            "r_de,delta,echo,rail,1676,PK,25000,operational,1")
    rewrite(tiny_path, "links.csv", "operational,,,168", "operational,,100,8760")
    for hours in ("hours = 4.0", "hours = 24.0"):        # a connector and two transfers
        text = (tiny_path / "params.toml").read_text(encoding="utf-8")
        (tiny_path / "params.toml").write_text(text.replace(hours, "hours = 8760.0"),
                                               encoding="utf-8")
    rewrite(tiny_path, "params.toml", "usd_per_teu_h = 2.0",
            f"usd_per_teu_h = {FIELD_BOUNDS['usd_per_teu_h'].high!r}")
    rewrite(tiny_path, "crossings.csv", "20,,,200", "8760,,,1000000")
    net = load_network(tiny_path)
    for objective in ("cost", "time", "generalized"):
        r = route("alpha", "foxtrot", network=net, objective=objective, scenario="uap")
        for total, column in ((r.km, "km"), (r.hours, "hours"), (r.cost_usd, "cost_usd")):
            assert math.isfinite(total)
            assert total == pytest.approx(r.legs[column].sum())
        assert math.isfinite(r.generalized_cost_usd)


def test_a_name_two_places_share_is_a_data_problem(tiny_path):
    from corridor_router import NetworkDataError, load_network
    places = tiny_path / "places.csv"
    text = places.read_text(encoding="utf-8")
    places.write_text(text.replace("charlie,Charlie,,", "charlie,Charlie,Bravo,", 1),
                      encoding="utf-8")
    with pytest.raises(NetworkDataError, match="'Bravo' also names place 'bravo'"):
        load_network(tiny_path)
