"""Networks in and out of GeoPackage, GeoParquet, CSV folders and DataFrames (issue 14)."""

from __future__ import annotations

import copy
import importlib.util
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import TINY_FILES, write_tiny
from shapely.geometry import LineString, MultiLineString, Point

from corridor_router import (
    InputTypeError,
    InvalidInputError,
    NetworkDataError,
    NoRouteError,
    load_network,
    route,
)
from corridor_router._csv_tables import LINE_END_TOLERANCE_KM
from corridor_router._geometry import GEOD, geodesic_path
from corridor_router._toml import dump_toml
from corridor_router.network import Network

TABLE_FILES = ("places.csv", "links.csv", "crossings.csv", "sources.csv")
FRAME_ARGS = {"places.csv": "places", "links.csv": "links", "crossings.csv": "crossings",
              "sources.csv": "sources"}


@pytest.fixture(scope="module")
def bundled() -> Network:
    return load_network()


def _tables(net: Network) -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame(getattr(net, name)) for name in (
        "places", "links", "crossings", "sources", "observations", "disruptions")}


def _answer(net: Network, origin: str, destination: str, **kw: object) -> object:
    """Totals and legs of a route (or its error), without the network's name."""
    try:
        r = route(origin, destination, network=net, **kw)
    except NoRouteError as err:
        return ("no route", str(err))
    legs = pd.DataFrame(r.legs)
    legs["geometry"] = [g.wkb_hex if g is not None else None for g in r.legs.geometry]
    return dict(r.totals), legs.to_dict("list")


def _pairs(net: Network) -> list[tuple[str, str, dict[str, object]]]:
    """Every bundled corridor's ends (along it and freely) and a spread of place pairs."""
    out: list[tuple[str, str, dict[str, object]]] = []
    for cid, corridor in net.corridors.items():
        if len(corridor.via) >= 2:
            out.append((corridor.via[0], corridor.via[-1], {"corridor": cid}))
            out.append((corridor.via[0], corridor.via[-1], {}))
    ids = sorted(net.places.index)
    rng = np.random.default_rng(14)
    for a, b in rng.choice(len(ids), size=(12, 2), replace=True):
        if a != b:
            out.append((ids[a], ids[b], {"objective": "time"}))
    return out


# -- round trips ---------------------------------------------------------------------
@pytest.mark.parametrize("target,driver", [("net.gpkg", None), ("net_parquet", "parquet"),
                                           ("net_csv", None)])
def test_the_bundled_network_round_trips_and_routes_identically(bundled, tmp_path, target,
                                                                 driver):
    written = bundled.to_file(tmp_path / target, driver=driver)
    again = load_network(written)
    for name, table in _tables(bundled).items():
        pd.testing.assert_frame_equal(_tables(again)[name], table, obj=name)
    assert again.params == bundled.params
    assert dict(again.corridors) == dict(bundled.corridors)
    assert dict(again.scenarios) == dict(bundled.scenarios)
    pairs = _pairs(bundled)
    assert len(pairs) > 20
    for origin, destination, kw in pairs:
        assert _answer(again, origin, destination, **kw) == \
            _answer(bundled, origin, destination, **kw), (origin, destination, kw)


def test_the_toml_files_keep_their_comments_through_a_geopackage(bundled, tmp_path):
    gpkg = bundled.to_file(tmp_path / "net.gpkg")
    layer = pyogrio.read_dataframe(gpkg, layer="toml_files")
    assert sorted(layer["name"]) == ["corridors.toml", "params.toml", "scenarios.toml"]
    folder = load_network(gpkg).to_file(tmp_path / "again")
    for name in ("params.toml", "corridors.toml", "scenarios.toml"):
        assert (folder / name).read_text(encoding="utf-8") == \
            (bundled.path / name).read_text(encoding="utf-8")
    assert "# corridor_router bundled network" in (folder / "params.toml").read_text()


def test_the_csv_folder_gives_back_the_waypoints(bundled, tmp_path):
    folder = bundled.to_file(tmp_path / "net")
    original = pd.read_csv(bundled.path / "sea_links.csv", keep_default_na=False,
                           dtype=str).set_index("id")["waypoints"]
    written = pd.read_csv(folder / "sea_links.csv", keep_default_na=False,
                          dtype=str).set_index("id")["waypoints"]

    def points(cell: str) -> list[tuple[float, float]]:
        return [tuple(map(float, p.split())) for p in cell.split(";") if p.strip()]
    assert {k: points(v) for k, v in written.items()} == \
        {k: points(v) for k, v in original.items()}


def test_from_frames_of_a_network_is_the_same_network(bundled):
    again = Network.from_frames(
        places=bundled.places, links=bundled.links, crossings=bundled.crossings,
        params=bundled.params, sources=bundled.sources, corridors=bundled.corridors,
        scenarios=bundled.scenarios, observations=bundled.observations,
        disruptions=bundled.disruptions, name="copy")
    assert again.name == "copy"
    for name, table in _tables(bundled).items():
        pd.testing.assert_frame_equal(_tables(again)[name], table, obj=name)
    assert again.params == bundled.params
    assert dict(again.corridors) == dict(bundled.corridors)
    assert dict(again.scenarios) == dict(bundled.scenarios)
    assert _answer(again, "tashkent", "karachi") == _answer(bundled, "tashkent", "karachi")


def test_from_frames_changes_nothing_it_is_given(tiny):
    frames = {"places": tiny.places, "links": tiny.links, "crossings": tiny.crossings,
              "sources": tiny.sources}
    frames["places"] = frames["places"].to_crs("EPSG:3857")      # reprojected inside
    params = copy.deepcopy(tiny.params)
    corridors = {k: {"name": c.name, "tags": list(c.tags), "via": list(c.via),
                     "source": list(c.source)} for k, c in tiny.corridors.items()}
    before = {k: v.copy(deep=True) for k, v in frames.items()}
    before_params, before_corridors = copy.deepcopy(params), copy.deepcopy(corridors)
    Network.from_frames(**frames, params=params, corridors=corridors,
                        scenarios=dict(tiny.scenarios))
    for k, v in frames.items():
        pd.testing.assert_frame_equal(v, before[k])
    assert frames["places"].crs == "EPSG:3857"
    assert params == before_params and corridors == before_corridors


def test_plain_dataframes_with_typed_columns_load(tiny_path, tiny):
    frames = {arg: pd.read_csv(tiny_path / file) for file, arg in FRAME_ARGS.items()}
    assert frames["places"]["lon"].dtype == float             # numbers, not text
    net = Network.from_frames(**frames, params=copy.deepcopy(tiny.params))
    assert net.corridors == {} and net.scenarios == {}
    pd.testing.assert_frame_equal(pd.DataFrame(net.places), pd.DataFrame(tiny.places))
    assert _answer(net, "alpha", "echo") == _answer(tiny, "alpha", "echo")


# -- the same messages whatever the format ----------------------------------------------
CASES = [
    ("links.csv", "r_ab,alpha,bravo", "r_ab,alhpa,bravo"),
    ("links.csv", "d_ab,alpha", "r_ab,alpha"),
    ("links.csv", "rail,1520,UZ,100", "train,1000,UZ,100"),
    ("links.csv", "UZ,110,", "UZ,-110,"),
    ("links.csv", "AF,105,", "AF,50,"),
    ("links.csv", "200,operational,50", "200,operational,fast"),
    ("links.csv", "true,,,tiny,\nd_ab", "yes,,,tiny,\nd_ab"),
    ("places.csv", "68.0,41.0", "198.0,41.0"),
    ("places.csv", "AF,city", "Afghanistan,village"),
    ("places.csv", "rail;road,,,tiny,\nbravo", "rail;boat,,,,\nbravo"),
    ("crossings.csv", "6,4,8,100", "six,4,3,100"),
    ("crossings.csv", "b_rail_uz_af,bravo", "b_rail_uz_af,charlie"),
    ("sources.csv", "2026,,EST", "20266,,XX"),
]


def _frames_of(folder: Path, *, typed: bool) -> dict[str, pd.DataFrame]:
    if typed:
        return {arg: pd.read_csv(folder / file) for file, arg in FRAME_ARGS.items()}
    return {arg: pd.read_csv(folder / file, dtype=str, keep_default_na=False)
            for file, arg in FRAME_ARGS.items()}


def _write_gpkg(frames: dict[str, pd.DataFrame], texts: dict[str, str], path: Path) -> Path:
    for arg, frame in frames.items():
        pyogrio.write_dataframe(frame, path, layer=arg, driver="GPKG")
    pyogrio.write_dataframe(pd.DataFrame({"name": list(texts), "text": list(texts.values())}),
                            path, layer="toml_files", driver="GPKG")
    return path


def _problems(call) -> tuple:
    with pytest.raises(NetworkDataError) as err:
        call()
    return err.value.problems


@pytest.mark.parametrize("file,old,new", CASES, ids=[f"{c[0]}:{c[2][:18]}" for c in CASES])
def test_a_bad_value_gets_the_same_message_in_every_format(tmp_path, file, old, new):
    folder = write_tiny(tmp_path / "tiny")
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    expected = _problems(lambda: load_network(folder))
    assert expected
    texts = {n: TINY_FILES[n] for n in ("params.toml", "corridors.toml", "scenarios.toml")}
    params = tomllib.loads(texts["params.toml"])
    for typed in (False, True):
        frames = _frames_of(folder, typed=typed)
        got = _problems(lambda f=frames: Network.from_frames(**f, params=params))
        assert got == expected, typed
        gpkg = _write_gpkg(frames, texts, tmp_path / f"net_{typed}.gpkg")
        assert _problems(lambda g=gpkg: load_network(g)) == expected, typed
    if importlib.util.find_spec("pyarrow") is not None:
        for name, frame in _frames_of(folder, typed=True).items():
            (folder / f"{name}.csv").unlink()
            frame.to_parquet(folder / f"{name}.parquet")
        assert _problems(lambda: load_network(folder)) == expected


def test_a_problem_names_the_source_and_how_lines_map_to_rows(tmp_path, tiny):
    frames = {"places": tiny.places, "links": tiny.links, "crossings": tiny.crossings,
              "sources": tiny.sources}
    frames["links"] = frames["links"].assign(
        length_km=frames["links"]["length_km"].where(frames["links"].index != "d_bc", 5.0))
    with pytest.raises(NetworkDataError) as err:
        Network.from_frames(**frames, params=tiny.params, name="mine")
    text = str(err.value)
    assert text.startswith("Network.from_frames(name='mine') (tables named as their CSV "
                           "files; line N is row N-1) has 1 data problem")
    (problem,) = err.value.problems
    row = list(tiny.links.index).index("d_bc")
    assert (problem.file, problem.row, problem.column) == ("links.csv", row + 2, "length_km")


# -- user geometry ---------------------------------------------------------------------
def _tiny_frames(tiny: Network) -> dict[str, object]:
    return {"places": tiny.places, "links": tiny.links, "crossings": tiny.crossings,
            "sources": tiny.sources, "params": tiny.params,
            "corridors": tiny.corridors, "scenarios": tiny.scenarios}


def _with_line(tiny: Network, link: str, line: object, **columns: object) -> dict[str, object]:
    frames = _tiny_frames(tiny)
    links = tiny.links
    links.loc[link, "geometry"] = line
    for column, value in columns.items():
        links.loc[link, column] = value
    frames["links"] = links
    return frames


def _detour(tiny: Network) -> LineString:
    """alpha (68, 41) to bravo (68, 40.2), bent east through (68.8, 40.6): 159 km."""
    return LineString([(68.0, 41.0), (68.8, 40.6), (68.0, 40.2)])


def test_a_links_own_line_is_used_and_routed(tiny, tmp_path):
    line = _detour(tiny)
    km = GEOD.geometry_length(line) / 1000.0
    net = Network.from_frames(**_with_line(tiny, "d_ab", line, length_km=round(km + 1)))
    assert net.links.geometry["d_ab"].equals(line)
    assert net.links.at["d_ab", "geodesic_km"] == tiny.links.at["d_ab", "geodesic_km"]
    legs = route("alpha", "bravo", network=net, modes="road").legs
    # the leg is the link's own line, each segment drawn along its geodesic
    drawn = legs.geometry.iloc[0]
    assert drawn.equals(geodesic_path(line)) and len(drawn.coords) > len(line.coords)
    assert all(p in list(drawn.coords) for p in line.coords)
    # and the GeoPackage keeps it
    gpkg_path = net.to_file(tmp_path / "bent.gpkg")
    assert load_network(gpkg_path).links.geometry["d_ab"].equals(line)


def test_a_multilinestring_that_merges_into_one_line_is_a_line(tiny):
    parts = MultiLineString([[(68.0, 41.0), (68.8, 40.6)], [(68.8, 40.6), (68.0, 40.2)]])
    net = Network.from_frames(**_with_line(tiny, "d_ab", parts, length_km=170.0))
    assert net.links.geometry["d_ab"].equals(_detour(tiny))


def test_a_line_longer_than_the_link_is_reported(tiny):
    line = _detour(tiny)
    km = GEOD.geometry_length(line) / 1000.0
    (problem,) = _problems(lambda: Network.from_frames(**_with_line(tiny, "d_ab", line)))
    assert problem.file == "links.csv" and problem.column == "length_km"
    assert problem.message == (f"110 km is shorter than the geodesic length {km:.1f} km "
                               "of its line")
    assert problem.fix == "check the length and the line geometry"


def test_a_line_away_from_its_places_or_reversed_is_reported(tiny):
    far = LineString([(68.0, 41.0), (68.0, 40.0)])           # ends 22 km past bravo
    (problem,) = _problems(lambda: Network.from_frames(**_with_line(tiny, "d_ab", far,
                                                                      length_km=120.0)))
    assert problem.column == "geometry"
    assert "its end is 22.2 km from 'bravo'" in problem.message
    assert f"within {LINE_END_TOLERANCE_KM:g} km" in problem.fix
    reverse = LineString([(68.0, 40.2), (68.0, 41.0)])
    (problem,) = _problems(lambda: Network.from_frames(**_with_line(tiny, "d_ab", reverse)))
    assert problem.message == "the line runs from 'bravo' to 'alpha'"
    assert "shapely.reverse" in problem.fix
    near = LineString([(68.01, 41.01), (68.0, 40.21)])         # about 1.4 km off: fine
    Network.from_frames(**_with_line(tiny, "d_ab", near))


def test_a_link_geometry_that_is_not_a_line_is_reported(tiny):
    (problem,) = _problems(lambda: Network.from_frames(
        **_with_line(tiny, "d_ab", Point(68.0, 41.0))))
    assert (problem.column, problem.message) == ("geometry", "a Point is not a line")


def test_a_place_point_gives_lon_and_lat_and_must_be_a_point(tiny):
    places = tiny.places
    places.loc["foxtrot", "geometry"] = Point(61.0, 31.0)
    frames = _tiny_frames(tiny) | {"places": places.drop(columns=["lon", "lat"]),
                                   "links": pd.DataFrame(tiny.links).drop(columns="geometry")}
    net = Network.from_frames(**frames)
    assert tuple(net.places.loc["foxtrot", ["lon", "lat"]]) == (61.0, 31.0)
    places.loc["foxtrot", "geometry"] = LineString([(60, 30), (61, 31)])
    (problem,) = _problems(lambda: Network.from_frames(**(frames | {"places": places})))
    row = list(places.index).index("foxtrot") + 2
    assert (problem.file, problem.row, problem.column, problem.message) == (
        "places.csv", row, "geometry", "a LineString is not a point")


# -- CRS ------------------------------------------------------------------------------
def test_layers_in_another_crs_are_reprojected(tiny, tmp_path):
    frames = _tiny_frames(tiny)
    frames["places"] = tiny.places.to_crs("EPSG:3857")
    frames["links"] = tiny.links.to_crs("EPSG:32642")
    net = Network.from_frames(**frames)
    np.testing.assert_allclose(net.places[["lon", "lat"]], tiny.places[["lon", "lat"]],
                               atol=1e-9)
    assert net.places.crs == "EPSG:4326" and net.links.crs == "EPSG:4326"
    for a, b in zip(net.links.geometry, tiny.links.geometry):
        np.testing.assert_allclose(shapely.get_coordinates(a), shapely.get_coordinates(b),
                                   atol=1e-9)


def test_a_layer_without_crs_is_one_clear_error(tiny, tmp_path):
    frames = _tiny_frames(tiny)
    frames["links"] = tiny.links.set_crs(None, allow_override=True)
    with pytest.raises(NetworkDataError) as err:
        Network.from_frames(**frames)
    (problem,) = err.value.problems
    assert problem.file == "links (a frame without CRS)" and problem.column == "geometry"
    assert "has no CRS" in problem.message and "set_crs('EPSG:4326')" in problem.fix
    # in a GeoPackage
    gpkg = tiny.to_file(tmp_path / "t.gpkg")
    places = pyogrio.read_dataframe(gpkg, layer="places")
    with pytest.warns(UserWarning):
        pyogrio.write_dataframe(places.set_crs(None, allow_override=True), gpkg,
                                layer="places", driver="GPKG")
    with pytest.raises(NetworkDataError) as err:
        load_network(gpkg)
    (problem,) = err.value.problems
    assert problem.file == "layer 'places'" and "has no CRS" in problem.message


# -- files, drivers and errors -------------------------------------------------------------
def test_a_dataframe_for_a_name_is_a_short_type_error(bundled):
    for value in (bundled.places, pd.DataFrame(bundled.links)):
        with pytest.raises(InputTypeError) as err:
            load_network(value)  # type: ignore[arg-type]
        text = str(err.value)
        assert len(text) < 250 and "Network.from_frames" in text
        assert type(value).__name__ in text and "karachi" not in text


def test_from_frames_refuses_what_is_not_a_table(tiny):
    frames = _tiny_frames(tiny)
    with pytest.raises(InputTypeError, match="places must be a pandas DataFrame"):
        Network.from_frames(**(frames | {"places": [1, 2]}))
    with pytest.raises(InputTypeError, match="params must be a mapping"):
        Network.from_frames(**(frames | {"params": "params.toml"}))
    with pytest.raises(InputTypeError, match=r"corridors\['uap'\] must be a Corridor"):
        Network.from_frames(**(frames | {"corridors": {"uap": 3}}))


def test_a_value_toml_cannot_hold_is_a_problem(tiny):
    params = copy.deepcopy(tiny.params)
    params["modes"]["rail"]["speed_kmh"] = None
    problems = _problems(lambda: Network.from_frames(**(_tiny_frames(tiny)
                                                        | {"params": params})))
    first = problems[0]
    assert (first.file, first.column) == ("params.toml", "modes.rail.speed_kmh")
    assert first.message == "None (NoneType) is not a TOML value"


def test_a_missing_layer_or_toml_row_is_named(tiny, tmp_path):
    gpkg = tiny.to_file(tmp_path / "t.gpkg")
    rest = tmp_path / "rest.gpkg"
    for layer in ("places", "links", "sources"):
        pyogrio.write_dataframe(pyogrio.read_dataframe(gpkg, layer=layer), rest, layer=layer)
    toml = pyogrio.read_dataframe(gpkg, layer="toml_files")
    pyogrio.write_dataframe(toml[toml["name"] != "params.toml"], rest, layer="toml_files")
    messages = {(p.file, p.message, p.fix) for p in _problems(lambda: load_network(rest))}
    assert ("crossings.csv", "layer 'crossings' is missing",
            "add it to rest.gpkg (networks/README.md)") in messages
    assert ("params.toml", "no row 'params.toml' in layer 'toml_files'",
            "add a row name='params.toml', text=<its TOML text> to rest.gpkg") in messages


def test_a_broken_geopackage_is_a_data_error(tmp_path):
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(NetworkDataError, match="cannot be read as a GeoPackage"):
        load_network(bad)
    with pytest.raises(NetworkDataError, match="no such GeoPackage"):
        load_network(tmp_path / "absent.gpkg")


def test_a_table_in_csv_and_parquet_is_refused(tiny, tmp_path):
    folder = tiny.to_file(tmp_path / "t", driver="parquet")
    write_tiny(folder)
    with pytest.raises(NetworkDataError, match=r"places\.csv holds the same table"):
        load_network(folder)


def test_csv_and_parquet_tables_mix_in_a_folder(tiny, tmp_path):
    folder = write_tiny(tmp_path / "mixed")
    tiny.to_file(tmp_path / "pq", driver="parquet")
    (folder / "links.csv").unlink()
    (tmp_path / "pq" / "links.parquet").rename(folder / "links.parquet")
    net = load_network(folder)
    pd.testing.assert_frame_equal(pd.DataFrame(net.links), pd.DataFrame(tiny.links))


def test_parquet_without_pyarrow_says_how_to_install_it(tiny, tmp_path, monkeypatch):
    folder = tiny.to_file(tmp_path / "t", driver="parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(InvalidInputError, match=r"pip install 'corridor_router\[parquet\]'"):
        tiny.to_file(tmp_path / "u", driver="parquet")
    with pytest.raises(InvalidInputError, match=r"pip install 'corridor_router\[parquet\]'"):
        load_network(folder)
    assert not (tmp_path / "u").exists()


def test_to_file_refuses_to_overwrite_unless_told(tiny, tmp_path):
    gpkg = tiny.to_file(tmp_path / "t.gpkg")
    with pytest.raises(InvalidInputError, match="exists; pass overwrite=True"):
        tiny.to_file(gpkg)
    assert tiny.to_file(gpkg, overwrite=True) == gpkg
    folder = tiny.to_file(tmp_path / "f", driver="parquet")
    with pytest.raises(InvalidInputError, match="is not empty; pass overwrite=True"):
        tiny.to_file(folder)
    tiny.to_file(folder, overwrite=True)                      # CSV now, Parquet gone
    assert not list(folder.glob("*.parquet")) and (folder / "places.csv").is_file()
    load_network(folder)
    with pytest.raises(InvalidInputError, match="unknown driver 'shp'"):
        tiny.to_file(tmp_path / "x", driver="shp")
    with pytest.raises(InvalidInputError, match=r"ends with \.gpkg"):
        tiny.to_file(tmp_path / "x.sqlite", driver="gpkg")
    with pytest.raises(InvalidInputError, match="does not exist"):
        tiny.to_file(tmp_path / "no" / "x.gpkg")
    assert {p.name for p in tmp_path.iterdir()} <= {"f", "t.gpkg", "tiny"}  # no leftovers


def test_written_toml_of_a_network_built_in_python_reads_back(tiny, tmp_path):
    net = Network.from_frames(**_tiny_frames(tiny))
    folder = net.to_file(tmp_path / "f")
    again = load_network(folder)
    assert again.params == tiny.params and dict(again.scenarios) == dict(tiny.scenarios)
    assert dict(again.corridors) == dict(tiny.corridors)


def test_dump_toml_reads_back_the_bundled_parameters(bundled):
    plain = copy.deepcopy(bundled.params)
    assert tomllib.loads(dump_toml(plain)) == plain


def test_every_cell_type_becomes_the_text_of_a_csv_cell():
    from corridor_router.io import _cell
    values = [None, np.nan, pd.NA, pd.NaT, "x", True, np.bool_(False), 3, np.int64(4),
              1520.0, 0.1, 1e-05, 1e20, float("inf"), pd.Timestamp("2025-10-12"),
              ("a", "b"), ["c"]]
    assert [_cell(v) for v in values] == [
        "", "", "", "", "x", "true", "false", "3", "4", "1520", "0.1", "1e-05", "1e+20",
        "inf", "2025-10-12", "a;b", "c"]


def test_a_broken_parquet_file_is_a_data_error(tiny, tmp_path):
    folder = tiny.to_file(tmp_path / "t", driver="parquet")
    (folder / "crossings.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(NetworkDataError) as err:
        load_network(folder)
    (problem,) = err.value.problems
    assert problem.file == "crossings.parquet"
    assert problem.message.startswith("cannot be read as Parquet")


def test_route_and_sweep_take_a_network_from_a_geopackage_or_memory(tmp_path, monkeypatch):
    import geopandas as gpd
    import pytest

    import corridor_router as cr
    from corridor_router import InputTypeError, InvalidInputError, Network, load_network

    net = load_network()
    gpkg = load_network(net.to_file(tmp_path / "net.gpkg"))
    table = cr.sweep(["baseline"], [("Tashkent", "Karachi")], corridors=["uap"], workers=1,
                     progress=False, network=gpkg)
    assert (table["error"] == "").all() and len(table) == 2
    memory = Network.from_frames(places=net.places, links=net.links, crossings=net.crossings,
                                 params=dict(net.params), sources=net.sources,
                                 scenarios=dict(net.scenarios), name="mem")
    # a folder of the same name in the working directory is not the network in memory
    monkeypatch.chdir(tmp_path)
    net.to_file(tmp_path / "mem")
    with pytest.raises(InvalidInputError, match="built in memory"):
        cr.sweep(["baseline"], [("Tashkent", "Karachi"), ("Almaty", "Gwadar")], workers=2,
                 progress=False, network=memory)
    with pytest.raises(InputTypeError, match=r"Network\.from_frames") as err:
        cr.route("Tashkent", "Karachi", network=gpd.GeoDataFrame(net.places))
    assert len(str(err.value)) < 400


def test_writing_where_the_system_refuses_is_a_clear_error(tmp_path):
    import pytest

    from corridor_router import InvalidInputError, load_network

    net = load_network()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target in (blocker / "net.gpkg", blocker / "net", blocker / "net.parquet"):
        with pytest.raises(InvalidInputError, match=r"cannot write|does not exist"):
            net.to_file(target)
    with pytest.raises(InvalidInputError, match="cannot write"):
        net.to_file("/proc/corridor_router_net.gpkg")


def test_a_frame_with_a_column_twice_is_reported_like_a_csv_header():
    import pandas as pd
    import pytest

    from corridor_router import Network, NetworkDataError, load_network

    net = load_network()
    places = pd.DataFrame(net.places).drop(columns="geometry")
    places["name2"] = places["name"]
    places = places.rename(columns={"name2": "name"})
    with pytest.raises(NetworkDataError, match="the column name appears twice"):
        Network.from_frames(places=places, links=net.links, crossings=net.crossings,
                            params=dict(net.params), sources=net.sources)
