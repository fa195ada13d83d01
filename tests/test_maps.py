"""Maps: the interactive explore() (folium), the static route_map and the T/C-D chart's colours.

The drawing functions build matplotlib Figures without pyplot, so no backend is chosen
or needed; explore() builds the page without fetching anything.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

import corridor_router as cr
from corridor_router.errors import InputTypeError, InvalidInputError, NoRouteError
from corridor_router.plot import (
    PALETTE,
    _lanes,
    _shift,
    boundaries,
    route_colors,
    route_map,
    tcd_chart,
)

folium = pytest.importorskip("folium")

TRIP = ("Tashkent", "Karachi")


@pytest.fixture(scope="module")
def every_corridor() -> dict[str, cr.Route | NoRouteError]:
    """Today's route and every corridor of the bundled network, for one trip (routed once)."""
    net = cr.load_network()
    return cr.compare_routes(*TRIP, corridors=list(net.corridors), network=net)


@pytest.fixture(scope="module")
def routes(every_corridor) -> dict[str, cr.Route]:
    return {k: v for k, v in every_corridor.items() if isinstance(v, cr.Route)}


@pytest.fixture(scope="module")
def figures(every_corridor):
    """The T/C-D chart and the map of every corridor, drawn once."""
    return tcd_chart(every_corridor), route_map(every_corridor)


def _png_size(path: Path) -> tuple[int, int]:
    from matplotlib.image import imread
    h, w = imread(path).shape[:2]
    return w, h


# --- the palette ----------------------------------------------------------------------

def test_the_palette_has_distinct_colours_and_routes_take_them_in_order():
    assert len(set(PALETTE)) == len(PALETTE) >= 24
    names = [f"r{i}" for i in range(30)]
    colours = route_colors(names)
    assert list(colours.values())[:24] == list(PALETTE)
    assert colours["r24"] == PALETTE[0]         # wraps round (drawn dashed)


def test_every_corridor_gets_its_own_colour_in_chart_and_map(routes, figures):
    assert len(routes) > 12        # more than one dozen: the palette must not repeat
    chart, mapped = figures
    cost_axes = chart.axes[0]
    chart_colour = {ln.get_label().split(":")[0]: ln.get_color()
                    for ln in cost_axes.get_lines() if not ln.get_label().startswith("_")}
    assert set(chart_colour) == set(routes)
    assert len(set(chart_colour.values())) == len(routes)
    map_colour: dict[str, set[str]] = {}
    for ln in mapped.axes[0].get_lines():
        if ln.get_gid():
            map_colour.setdefault(ln.get_gid(), set()).add(ln.get_color())
    assert set(map_colour) == set(routes)
    assert all(len(c) == 1 for c in map_colour.values())
    assert {k: c.pop() for k, c in map_colour.items()} == chart_colour
    assert chart_colour == route_colors(routes)


def test_the_chart_names_each_line_at_its_end(routes, figures):
    chart, _ = figures
    for ax in chart.axes:
        labels = {t.get_text() for t in ax.texts}
        assert set(routes) <= labels
    two = {k: routes[k] for k in ("today", "uap")}
    assert not tcd_chart(two, labels=False).axes[0].texts


# --- static map -----------------------------------------------------------------------

def test_route_map_and_chart_save_to_pngs_of_the_expected_size(figures, tmp_path):
    chart, mapped = figures
    chart.savefig(tmp_path / "tcd.png", dpi=50)
    mapped.savefig(tmp_path / "map.png", dpi=50)
    w, h = _png_size(tmp_path / "tcd.png")
    assert w == 700 and 325 < h < 450                        # 14 in wide, 6.5 in + the legend
    w, h = _png_size(tmp_path / "map.png")
    assert w == 625 and 250 <= h <= 550                       # 12.5 in wide, height by extent


def test_route_map_draws_borders_sea_labels_and_a_legend(routes, figures):
    _, mapped = figures
    ax = mapped.axes[0]
    assert ax.get_facecolor()[:3] == pytest.approx((0xDC / 255, 0xEB / 255, 0xF7 / 255))
    assert ax.collections                                     # the countries
    countries = set(boundaries()["name"].str.upper())
    assert {t.get_text() for t in ax.texts} & countries       # some named
    legend = mapped.legends[0]
    entries = [t.get_text() for t in legend.get_texts()]
    assert any(e.startswith("uap: ") and "days" in e for e in entries)
    assert "border crossing" in entries
    # the map shows every route, with a margin
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for r in routes.values():
        w, s, e, n = r.legs.total_bounds
        assert x0 < w and e < x1 and y0 < s and n < y1


def test_route_map_names_the_trips_ends_and_border_crossings_only(routes):
    three = {k: routes[k] for k in ("today", "uap", "bandar_abbas")}
    ax = route_map(three).axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"Tashkent", "Karachi Port"} <= texts              # the trip's ends
    assert "Hairatan / Termez Friendship Bridge" in texts     # a border crossing
    assert "UZBEKISTAN" in texts                              # a country
    assert "Samarkand" not in texts                           # not every place


def test_routes_sharing_links_are_drawn_side_by_side(routes):
    two = {"today": routes["today"], "uap": routes["uap"]}
    fig = route_map(two)
    fig.canvas.draw()      # the sideways shifts are applied at draw time, without error
    # lanes: a segment two routes share gets one lane each side; one route's own stays
    a = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    b = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    la, lb = _lanes([[a], [b]])
    # the shared segment keeps its lane to both its ends; the own one bends back
    assert la[0].tolist() == [-0.5, -0.5, 0.0] and lb[0].tolist() == [0.5, 0.5, 0.0]
    alone = _lanes([[a], [np.array([[5.0, 5.0], [6.0, 6.0]])]])
    assert alone[0][0].tolist() == [0.0, 0.0, 0.0]
    # a shifted line keeps its distance, the corner mitred
    out = _shift(np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]), np.full(3, 2.0))
    np.testing.assert_allclose(out, [[0, 2], [8, 2], [8, 10]])


def test_route_map_without_background_and_with_the_network(routes):
    net = cr.load_network()
    fig = route_map(routes["uap"], network=net, background=False, labels=False)
    ax = fig.axes[0]
    assert ax.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert not ax.texts


def test_drawing_refuses_what_holds_no_routes():
    table = cr.compare(*TRIP, corridors=["uap"])
    with pytest.raises(InputTypeError, match="compare_routes"):
        route_map(table)
    with pytest.raises(InputTypeError):
        tcd_chart("uap")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="at least one"):
        route_map({"x": NoRouteError("a", "b", "none")})


# --- the bundled boundaries -----------------------------------------------------------

def test_bundled_boundaries_are_small_sourced_and_leave_the_caspian_as_water():
    data = Path(cr.__file__).parent / "_data"
    assert (data / "boundaries.geojson").stat().st_size < 300_000
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "Natural Earth" in readme and "public domain" in readme
    assert "naturalearthdata.com" in json.loads(
        (data / "boundaries.geojson").read_text(encoding="utf-8"))["source"]
    land = boundaries()
    assert {"name", "iso_a3"} <= set(land.columns) and land.crs.to_epsg() == 4326
    assert land.is_valid.all()
    assert not land.contains(Point(51.0, 42.0)).any()        # the Caspian Sea
    assert not land.contains(Point(64.0, 22.0)).any()        # the Arabian Sea
    holder = land[land.contains(Point(69.24, 41.30))]        # Tashkent
    assert holder["iso_a3"].tolist() == ["UZB"]
    land.loc[:, "name"] = "changed"                          # a copy: the cache is kept
    assert boundaries()["name"].iloc[0] != "changed"


def test_make_boundaries_script_reproduces_the_bundled_file():
    import importlib.util
    path = Path(__file__).resolve().parent.parent / "scripts" / "make_boundaries.py"
    spec = importlib.util.spec_from_file_location("make_boundaries", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


# --- interactive map ------------------------------------------------------------------

def test_explore_returns_a_folium_map_with_every_route_coloured(every_corridor, routes):
    m = cr.explore(every_corridor)
    assert isinstance(m, folium.Map)
    html = m.get_root().render()
    colours = route_colors(routes)
    for name, colour in colours.items():
        assert f">{name}: " in html           # the legend: name, days, USD
        assert f'"color": "{colour}"' in html
    assert "lapis_lazuli" not in html          # no route: skipped
    assert "L.control.layers" in html
    assert "border crossing" in html and "gauge break" in html
    assert "tile.openstreetmap.org" in html    # tiles named for the browser, not fetched


def test_explore_tooltips_give_the_figures_of_each_leg(routes):
    r = routes["uap"]
    html = r.explore().get_root().render()
    assert "rail: Tashkent → Samarkand" in html
    row = r.legs[r.legs["kind"] == "link"].iloc[0]
    assert f"{row['km']:,.0f} km" in html and f"USD {row['cost_usd']:,.0f}" in html
    assert f"{row['co2e_kg']:,.0f} kg CO2e" in html
    assert "source: " in html


def test_explore_without_tiles_draws_the_bundled_borders(routes):
    m = cr.explore([routes["uap"], routes["bandar_abbas"]], tiles=None,
                   network=cr.load_network())
    html = m.get_root().render()
    assert "tile.openstreetmap.org" not in html
    assert "Afghanistan" in html and "countries (Natural Earth 1:110m)" in html
    assert "network" in html


def test_explore_without_folium_says_how_to_install_it(monkeypatch, routes):
    monkeypatch.setitem(sys.modules, "folium", None)      # import folium fails
    with pytest.raises(InvalidInputError, match=r'pip install "corridor_router\[maps\]"'):
        cr.explore(routes["uap"])
    with pytest.raises(InvalidInputError, match="folium"):
        routes["uap"].explore()


def test_explore_refuses_a_comparison_table():
    with pytest.raises(InputTypeError, match="compare_routes"):
        cr.explore(cr.compare(*TRIP, corridors=["uap"]))


def test_explore_refuses_bad_tiles_and_sizes_clearly():
    import corridor_router as cr

    r = cr.route("Tashkent", "Karachi")
    for kwargs in ({"tiles": "https://{s}.example/{z}/{x}/{y}.png"}, {"width": None}):
        with pytest.raises(cr.InvalidInputError, match="explore cannot make the map"):
            cr.explore(r, **kwargs)
