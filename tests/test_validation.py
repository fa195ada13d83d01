"""Every class of data problem is reported, all at once, with file, line, column and fix."""

from __future__ import annotations

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
