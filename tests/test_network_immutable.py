"""Nothing a Network returns can change it (issue #9, item 5), and its fast place accessors.

The tiny network of conftest (``tiny``, ``tiny_path``)::

    alpha(UZ) ==rail== bravo|UZ/AF ==rail== charlie(AF) ..planned.. delta|AF/PK ==rail== echo ~~sea~~ foxtrot
         \\----road----/      \\-----road-----/     \\------road------/     \\----road---/
"""

from __future__ import annotations

import copy
import pickle

import pandas as pd
import pytest

from corridor_router import Corridor, NetworkDataError, PlaceNotFoundError, load_network, route
from corridor_router.modes import MODE_TRAITS, ModeTraits

TABLES = ("places", "links", "crossings", "sources")
#: Trips whose answers must never change: a baseline route and a corridor scenario's.
TRIPS = (("alpha", "foxtrot", None), ("alpha", "echo", "uap"))


def answers(net):
    return [route(o, d, network=net, scenario=s) for o, d, s in TRIPS]


def snapshot(net):
    """Independent copies of everything the network holds."""
    return ({t: getattr(net, t).copy(deep=True) for t in TABLES}, copy.deepcopy(net.params),
            dict(net.corridors), dict(net.scenarios))


def assert_unchanged(net, before):
    tables, params, corridors, scenarios = before
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(net, t), tables[t])
    assert net.params == params
    assert dict(net.corridors) == corridors and dict(net.scenarios) == scenarios


def set_columns(frame):
    for column in [c for c in frame.columns if c != "geometry"]:
        frame[column] = frame[column].iloc[::-1].to_numpy()
    frame["added"] = 1


def drop_rows(frame):
    kept = frame.drop(index=frame.index[:1])        # pandas 3.1 deprecates inplace= here
    kept.loc[kept.index, kept.columns[0]] = kept.iloc[::-1, 0].to_numpy()
    del frame[frame.columns[0]]
    frame.pop(frame.columns[0])


def change_cells(frame):
    first, last = frame.index[0], frame.index[-1]
    for column in frame.columns:
        frame.at[first, column] = frame.at[last, column]
    frame.iloc[-1, 0] = frame.iloc[0, 0]


def rename_and_reorder(frame):
    frame.index.name = "renamed"
    frame.columns.name = "fields"
    frame.attrs["note"] = "mine"
    frame.insert(0, "first", 1)
    frame.fillna(0, inplace=True)
    if "geometry" in frame.columns:
        frame.set_crs("EPSG:3857", allow_override=True, inplace=True)


EDITS = [set_columns, drop_rows, change_cells, rename_and_reorder]


@pytest.mark.parametrize("edit", EDITS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("routed_first", [False, True], ids=["cold", "warm"])
def test_editing_a_returned_table_changes_nothing(tiny, tiny_path, edit, routed_first):
    expected = answers(load_network(tiny_path))         # a pristine twin
    before = snapshot(tiny)
    if routed_first:                                    # caches filled before the edits
        answers(tiny)
    for table in TABLES:
        edit(getattr(tiny, table))
    assert_unchanged(tiny, before)
    assert answers(tiny) == expected


def test_a_copy_is_the_callers_to_keep_and_to_edit(tiny):
    links = tiny.links
    assert links is not tiny.links
    links.loc["r_ab", "length_km"] = 1.0
    assert links.loc["r_ab", "length_km"] == 1.0                # the caller's edit stays
    assert tiny.links.loc["r_ab", "length_km"] == 100.0         # the network's does not move


def test_params_are_read_only_at_every_depth(tiny):
    params = tiny.params
    with pytest.raises(TypeError):
        params["currency"] = "EUR"
    with pytest.raises(TypeError):
        del params["modes"]
    with pytest.raises(TypeError):
        params["modes"]["rail"]["speed_kmh"] = 99.0
    with pytest.raises(TypeError):
        params["modes"]["rail"]["countries"]["PK"]["rate_usd_per_teu_km"] = 9.0
    with pytest.raises(TypeError):
        params["gauge_break"]["1520-1676"]["hours"] = 0.0
    with pytest.raises(AttributeError):
        params._data = {}
    assert params["modes"]["rail"]["speed_kmh"] == 40.0


def test_params_lists_are_tuples(tiny_path):
    params = tiny_path / "params.toml"
    params.write_text(params.read_text(encoding="utf-8").replace(
        '[modes.rail]\nspeed_kmh = 40.0\nrate_usd_per_teu_km = 1.0\nco2e_kg_per_teu_km = 0.2\n'
        'source = "tiny"',
        '[modes.rail]\nspeed_kmh = 40.0\nrate_usd_per_teu_km = 1.0\nco2e_kg_per_teu_km = 0.2\n'
        'source = ["tiny"]'),
        encoding="utf-8")
    net = load_network(tiny_path)
    assert net.params["modes"]["rail"]["source"] == ("tiny",)
    with pytest.raises(AttributeError):
        net.params["modes"]["rail"]["source"].append("x")


def test_a_deep_copy_of_params_is_plain_and_editable(tiny):
    before = answers(tiny)
    plain = copy.deepcopy(dict(tiny.params))
    assert type(plain["modes"]) is dict and type(plain["modes"]["rail"]) is dict
    plain["modes"]["rail"]["speed_kmh"] = 1.0
    assert tiny.params["modes"]["rail"]["speed_kmh"] == 40.0
    assert copy.deepcopy(tiny.params) == tiny.params
    assert answers(tiny) == before


def test_corridors_scenarios_and_attributes_are_read_only(tiny):
    with pytest.raises(TypeError):
        tiny.corridors["new"] = Corridor("new", "New", tags=("uap",))  # type: ignore[index]
    with pytest.raises(TypeError):
        del tiny.scenarios["uap"]  # type: ignore[attr-defined]
    for name in ("name", "links", "params", "corridors", "_places"):
        with pytest.raises(AttributeError):
            setattr(tiny, name, None)
    with pytest.raises(AttributeError):
        tiny.extra = 1  # type: ignore[attr-defined]


def test_the_tables_passed_to_a_network_are_copied(tiny):
    from corridor_router import Network
    places = tiny.places
    net = Network(tiny.name, tiny.path, places, tiny.links, tiny.crossings,
                  dict(tiny.params), dict(tiny.corridors), dict(tiny.scenarios), tiny.sources)
    places.loc["alpha", "name"] = "Changed"
    assert net.place_name("alpha") == net.places.at["alpha", "name"] == "Alpha"


def test_a_pickled_network_round_trips(tiny):
    before = answers(tiny)
    again = pickle.loads(pickle.dumps(tiny))
    assert again is not tiny and repr(again) == repr(tiny)
    assert_unchanged(again, snapshot(tiny))
    assert again._cache.names() == []                   # caches are not pickled
    with pytest.raises(TypeError):
        again.params["modes"]["rail"]["speed_kmh"] = 1.0
    with pytest.raises(TypeError):
        again.corridors["x"] = None  # type: ignore[index]
    assert answers(again) == before
    assert pickle.loads(pickle.dumps(tiny.params)) == tiny.params


def test_networks_are_equal_only_to_themselves(tiny, tiny_path):
    twin = load_network(tiny_path)
    assert tiny == tiny and tiny != twin and len({tiny, twin, tiny}) == 2


# -- fast accessors --------------------------------------------------------------------
@pytest.mark.parametrize("which", ["tiny", "bundled"])
def test_fast_accessors_agree_with_the_tables(tiny, which):
    net = tiny if which == "tiny" else load_network()
    places = net.places
    for pid in places.index:
        row = net.place_row(pid)
        assert places.index[row] == pid
        assert net.place_name(pid) == places.at[pid, "name"] == places["name"].iloc[row]
        assert net.place_country(pid) == places.at[pid, "country"]
        assert net.find_place(pid) == pid
    for name in places["name"]:
        assert places.at[net.find_place(name), "name"] == name


@pytest.mark.parametrize("bad", ["nowhere", "Alpha", "alpha ", "", None, 5, ["alpha"]])
@pytest.mark.parametrize("accessor", ["place_row", "place_name", "place_country"])
def test_an_unknown_place_id_is_a_place_not_found_error(tiny, bad, accessor):
    with pytest.raises(PlaceNotFoundError) as err:
        getattr(tiny, accessor)(bad)
    assert not isinstance(err.value, KeyError)


def test_an_unknown_id_suggests_the_id_of_a_place_so_named(tiny):
    with pytest.raises(PlaceNotFoundError) as err:
        tiny.place_row("Echo Port")
    assert err.value.suggestions[0] == "echo"
    with pytest.raises(PlaceNotFoundError) as err:
        tiny.place_row("alfa")
    assert "alpha" in err.value.suggestions


def test_accessors_work_on_a_fresh_unpickled_network(tiny):
    again = pickle.loads(pickle.dumps(tiny))
    assert again.place_row("echo") == tiny.place_row("echo")
    assert again.find_place("Alfa") == "alpha"


# -- the loader asks mode traits when it reads -----------------------------------------
def test_the_loader_sees_a_mode_added_to_the_registry(tiny_path, monkeypatch):
    """A land mode added at run time needs a country on its links and no gauge."""
    monkeypatch.setitem(MODE_TRAITS, "river", ModeTraits(
        "river", gauged=False, land=True, port_call=False, component="river"))
    places = tiny_path / "places.csv"
    places.write_text(places.read_text(encoding="utf-8").replace(
        "rail;road;sea,40,30", "rail;road;sea;river,40,30"), encoding="utf-8")
    with open(tiny_path / "links.csv", "a", encoding="utf-8") as f:
        f.write("w_de,delta,echo,river,1520,,180,operational,,,,,true,,,tiny,\n")
    with pytest.raises(NetworkDataError) as err:
        load_network(tiny_path)
    found = {(p.file, p.column, p.message) for p in err.value.problems}
    assert ("links.csv", "gauge_mm", "a river link has a gauge") in found
    assert ("links.csv", "country", "'' is not an ISO 3166-1 alpha-2 code") in found
    assert not [m for _, _, m in found if "unknown mode 'river'" in m]
