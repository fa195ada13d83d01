"""Tests of corridor_router.sea and scripts/build_sea_legs.py (no network access)."""

from __future__ import annotations

import csv
import importlib.util
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyproj import Geod

from corridor_router.errors import InvalidInputError, NoRouteError
from corridor_router.sea import DEFAULT_RESTRICTIONS, PASSAGES, SeaLeg, sea_leg

REPO = Path(__file__).resolve().parent.parent
NETWORK = REPO / "networks" / "central_asia"
NMI_KM = 1.852

SHANGHAI = (122.06, 30.62)  # Yangshan
ROTTERDAM = (4.03, 51.96)  # Maasvlakte
KARACHI = (66.975, 24.835)
JEBEL_ALI = (55.03, 25.01)
POTI = (41.65, 42.155)
BAKU = (49.87, 40.35)
TURKMENBASHI = (52.97, 40.0)


def _geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def _load_script():
    """Import scripts/build_sea_legs.py as a module (once)."""
    name = "build_sea_legs"
    if name not in sys.modules:
        path = REPO / "scripts" / "build_sea_legs.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while defined
        spec.loader.exec_module(module)
    return sys.modules[name]


# --- distances against published figures -------------------------------------------


def test_shanghai_rotterdam_via_suez_matches_published_distance():
    # Notteboom, Pallis & Rodrigue, "Port Economics, Management and Policy",
    # "Routing Options between Shanghai, Rotterdam and New York": the Suez route
    # covers "about 10,600 nautical miles".
    leg = sea_leg(SHANGHAI, ROTTERDAM)
    assert leg.length_km == pytest.approx(10_600 * NMI_KM, rel=0.02)
    assert leg.straits == ("malacca", "bab_el_mandeb", "suez", "gibraltar")


def test_cape_route_matches_published_distance_when_suez_and_panama_closed():
    # Same source: the Cape Route "involves a distance of 13,800 nautical miles".
    leg = sea_leg(SHANGHAI, ROTTERDAM, restrictions=(*DEFAULT_RESTRICTIONS, "suez", "panama"))
    assert leg.length_km == pytest.approx(13_800 * NMI_KM, rel=0.02)
    assert "cape_of_good_hope" in leg.straits
    assert "suez" not in leg.straits


# --- the leg itself ------------------------------------------------------------------


def test_leg_runs_port_to_port_and_is_never_shorter_than_the_geodesic():
    leg = sea_leg(KARACHI, JEBEL_ALI)
    assert isinstance(leg, SeaLeg)
    coords = list(leg.geometry.coords)
    assert coords[0] == KARACHI and coords[-1] == JEBEL_ALI
    assert leg.length_km >= _geodesic_km(KARACHI, JEBEL_ALI)
    assert leg.straits == ("hormuz",)
    assert 0 <= leg.origin_snap_km < 50 and 0 <= leg.destination_snap_km < 50


def test_straits_are_in_travel_order_and_include_dardanelles():
    leg = sea_leg(POTI, ROTTERDAM)
    assert leg.straits == ("bosporus", "dardanelles", "gibraltar")
    back = sea_leg(ROTTERDAM, POTI)
    assert back.straits == tuple(reversed(leg.straits))


def test_corinth_canal_is_closed_by_default_and_can_be_opened():
    assert "corinth" not in sea_leg(POTI, ROTTERDAM).straits
    opened = sea_leg(POTI, ROTTERDAM, restrictions=())
    assert "corinth" in opened.straits


def test_caspian_is_covered_but_sealed_off_by_default():
    # searoute's network covers the Caspian (Baku-Turkmenbashi)...
    leg = sea_leg(BAKU, TURKMENBASHI)
    assert leg.straits == ()
    assert leg.length_km >= _geodesic_km(BAKU, TURKMENBASHI)
    # ...and joins it to the Sea of Azov by the Volga-Don, closed by default.
    with pytest.raises(NoRouteError, match="volga_don"):
        sea_leg(BAKU, ROTTERDAM)
    inland = sea_leg(BAKU, ROTTERDAM, restrictions=("arctic",))
    assert inland.straits[0] == "volga_don"


def test_restrictions_do_not_leak_between_calls():
    before = sea_leg(SHANGHAI, ROTTERDAM)
    sea_leg(SHANGHAI, ROTTERDAM, restrictions=(*DEFAULT_RESTRICTIONS, "suez"))
    assert sea_leg(SHANGHAI, ROTTERDAM) == before


def test_every_passage_name_is_accepted():
    others = tuple(p for p in PASSAGES if p != "hormuz")
    leg = sea_leg(KARACHI, JEBEL_ALI, restrictions=others)
    assert leg.straits == ("hormuz",)


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        (200.0, 10.0),
        (10.0, -91.0),
        (float("nan"), 10.0),
        (True, 10.0),
        ("66.9", "24.8"),
        (66.9,),
        None,
    ],
)
def test_bad_coordinates_raise(origin):
    with pytest.raises(InvalidInputError, match="origin_lonlat"):
        sea_leg(origin, JEBEL_ALI)


def test_same_port_twice_raises():
    with pytest.raises(InvalidInputError, match="same point"):
        sea_leg(KARACHI, list(KARACHI))


def test_unknown_restriction_raises():
    with pytest.raises(InvalidInputError, match="unknown passage"):
        sea_leg(KARACHI, JEBEL_ALI, restrictions=("ormuz",))


def test_restriction_given_as_a_bare_string_raises():
    with pytest.raises(InvalidInputError, match="collection"):
        sea_leg(KARACHI, JEBEL_ALI, restrictions="suez")


def test_importing_the_module_does_not_import_searoute():
    code = "import sys, corridor_router.sea; print('searoute' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# --- the build script ----------------------------------------------------------------


def test_script_writes_links_csv_columns_for_a_small_network(tmp_path):
    script = _load_script()
    places = tmp_path / "places.csv"
    places.write_text(
        "id,name,aliases,country,kind,lon,lat,modes,handling_usd_per_teu,handling_h,"
        "source,notes\n"
        f"karachi,Karachi,,PK,port,{KARACHI[0]},{KARACHI[1]},sea;rail,,,s,\n"
        f"jebel_ali,Jebel Ali,,AE,port,{JEBEL_ALI[0]},{JEBEL_ALI[1]},sea,,,s,\n"
        "tashkent,Tashkent,,UZ,city,69.24,41.3,rail;road,,,s,\n",
        encoding="utf-8",
    )
    shutil.copy(script.DEFAULT_NETWORK / "sources.csv", tmp_path / "sources.csv")
    out = tmp_path / "sea_links.csv"
    assert script.main(["--network", str(tmp_path), "--output", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert tuple(reader.fieldnames) == script.COLUMNS
    assert [r["id"] for r in rows] == ["sea_karachi_jebel_ali"]
    row = rows[0]
    assert (row["mode"], row["bidirectional"]) == ("sea", "true")
    assert row["status"] == "operational"
    assert float(row["length_km"]) >= _geodesic_km(KARACHI, JEBEL_ALI)
    assert math.isclose(
        float(row["rate_usd_per_teu_km"]) * float(row["length_km"]), 250.0, rel_tol=1e-3
    )
    first = out.read_bytes()
    script.main(["--network", str(tmp_path), "--output", str(out)])
    assert out.read_bytes() == first


def test_strict_run_fails_when_a_lane_port_is_missing(tmp_path):
    script = _load_script()
    (tmp_path / "places.csv").write_text(
        "id,name,aliases,country,kind,lon,lat,modes,handling_usd_per_teu,handling_h,"
        "source,notes\n"
        f"karachi,Karachi,,PK,port,{KARACHI[0]},{KARACHI[1]},sea,,,s,\n",
        encoding="utf-8",
    )
    out = tmp_path / "sea_links.csv"
    args = ["--network", str(tmp_path), "--output", str(out), "--strict"]
    assert script.main(args) == 1
    assert not out.exists()


def test_bundled_sea_links_csv_is_what_the_script_generates(tmp_path):
    bundled = NETWORK / "sea_links.csv"
    if not bundled.exists():
        pytest.skip("networks/central_asia/sea_links.csv not generated yet")
    script = _load_script()
    _, missing = script._available_lanes(script.all_lanes(), script.read_ports(NETWORK / "places.csv"))
    if missing:
        pytest.skip(
            f"bundled places.csv lacks lane ports {', '.join(missing)}: add them and "
            "regenerate sea_links.csv with --strict"
        )
    out = tmp_path / "sea_links.csv"
    assert script.main(["--network", str(NETWORK), "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == bundled.read_text(encoding="utf-8")
    with bundled.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            assert row["source"], row["id"]
