"""Tests of the sea lanes of scripts/build_sea_legs.py and of passage names (no network access)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sea import _load_script  # the script imported once, as test_sea does

from corridor_router.errors import InvalidInputError
from corridor_router.sea import (
    DEFAULT_RESTRICTIONS,
    PASSAGE_ALIASES,
    PASSAGES,
    canonical_passages,
    passage_keys,
    sea_leg,
)

REPO = Path(__file__).resolve().parent.parent
NETWORK = REPO / "networks" / "central_asia"

AMBARLI = (28.675, 40.945)  # pilot boarding point, Sea of Marmara
PIRAEUS = (23.636111, 37.941944)
POTI = (41.6719, 42.1461)




# --- the lane list -------------------------------------------------------------------


def test_lanes_are_unique_and_join_two_different_ports():
    lanes = _load_script().all_lanes()
    ids = [ln.link_id for ln in lanes]
    assert len(ids) == len(set(ids))
    pairs = [frozenset((ln.a, ln.b)) for ln in lanes if not ln.cape]
    assert len(pairs) == len(set(pairs)), "a port pair has two Suez-route lanes"
    assert all(ln.a != ln.b for ln in lanes)


def test_every_cape_lane_is_a_variant_of_a_lane_through_the_red_sea():
    script = _load_script()
    plain = {(ln.a, ln.b) for ln in script.LANES}
    assert set(script.CAPE_LANES) <= plain
    capes = [ln for ln in script.all_lanes() if ln.cape]
    assert {(ln.a, ln.b) for ln in capes} == set(script.CAPE_LANES)
    for lane in capes:
        assert lane.link_id.endswith("_cape")
        assert {"bab_el_mandeb", "suez"} <= set(lane.restrictions)
        assert set(DEFAULT_RESTRICTIONS) <= set(lane.restrictions)


def test_hub_lanes_reach_the_black_sea_ports_without_rotterdam():
    lanes = _load_script().LANES
    for port in ("poti", "batumi", "novorossiysk"):
        others = {ln.b if ln.a == port else ln.a for ln in lanes if port in (ln.a, ln.b)}
        assert others & {"ambarli", "piraeus"}, port


# --- computed lanes ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_rows():
    """Rows of the lanes (and Cape variants) whose ports are all in the bundled network."""
    script = _load_script()
    ports = script.read_ports(NETWORK / "places.csv")
    lanes, _ = script._available_lanes(script.all_lanes(), ports)
    return {r["id"]: r for r in script.build_rows(lanes, ports)}


def test_cape_variants_go_round_the_cape_and_avoid_the_red_sea(bundled_rows):
    capes = [r for i, r in bundled_rows.items() if i.endswith("_cape")]
    assert {r["id"] for r in capes} >= {"sea_karachi_rotterdam_cape", "sea_jebel_ali_rotterdam_cape"}
    for row in capes:
        straits = row["straits"].split(";")
        assert "cape_of_good_hope" in straits, row["id"]
        assert not {"bab_el_mandeb", "suez", "panama"} & set(straits), row["id"]
        suez = bundled_rows[row["id"].removesuffix("_cape")]
        assert {"bab_el_mandeb", "suez"} <= set(suez["straits"].split(";"))
        assert float(row["length_km"]) > float(suez["length_km"])


def test_a_cape_variant_keeps_its_suez_lane_rate_per_teu_km(bundled_rows):
    cape = bundled_rows["sea_karachi_rotterdam_cape"]
    suez = bundled_rows["sea_karachi_rotterdam"]
    assert cape["rate_usd_per_teu_km"] == suez["rate_usd_per_teu_km"]
    assert "sea_cape_rate_est" in cape["source"].split(";")
    assert "EST" in cape["notes"]


def test_no_generated_lane_passes_a_default_restriction(bundled_rows):
    assert _load_script().lane_problems(bundled_rows.values()) == []
    for row in bundled_rows.values():
        assert not set(row["straits"].split(";")) & set(DEFAULT_RESTRICTIONS), row["id"]


def test_lane_problems_name_each_bad_row():
    script = _load_script()
    rows = [
        {"id": "sea_a_b", "straits": "volga_don", "length_km": "100.0"},
        {"id": "sea_a_b_cape", "straits": "bab_el_mandeb;suez", "length_km": "100.0"},
        {"id": "sea_c_d_cape", "straits": "", "length_km": "100.0"},
        {"id": "sea_e_f", "straits": "", "length_km": "25679.0"},
        {"id": "sea_g_h_cape", "straits": "cape_of_good_hope;gibraltar", "length_km": "100.0"},
    ]
    problems = script.lane_problems(rows)
    assert len(problems) == 4
    for ident in ("sea_a_b ", "sea_a_b_cape", "sea_c_d_cape", "sea_e_f"):
        assert any(p.startswith(ident.strip()) for p in problems), ident


def test_marmara_ports_pass_only_the_strait_they_use():
    # searoute tags the whole Sea of Marmara as the Dardanelles; Ambarli lies inside it.
    assert sea_leg(AMBARLI, POTI).straits == ("bosporus",)
    assert sea_leg(PIRAEUS, AMBARLI).straits == ("dardanelles",)
    assert sea_leg(PIRAEUS, POTI).straits == ("dardanelles", "bosporus")


# --- passage names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("hormuz", ("hormuz",)),
        ("HORMUZ", ("hormuz",)),
        (" Bab el-Mandeb ", ("bab_el_mandeb",)),
        ("Cape", ("cape_of_good_hope",)),
        ("cape_of_good_hope", ("cape_of_good_hope",)),
        ("red_sea", ("bab_el_mandeb", "suez")),
        ("Red Sea", ("bab_el_mandeb", "suez")),
        ("turkish straits", ("bosporus", "dardanelles")),
    ],
)
def test_passage_names_normalise_to_passage_keys(name, keys):
    assert canonical_passages(name) == keys
    assert passage_keys(name) == keys


def test_issue_passage_names_are_all_known():
    for name in ("hormuz", "bab_el_mandeb", "suez", "bosporus", "gibraltar", "malacca", "cape"):
        assert set(canonical_passages(name)) <= set(PASSAGES)


def test_every_alias_names_known_passages_and_no_alias_shadows_a_passage():
    for alias, keys in PASSAGE_ALIASES.items():
        assert alias not in PASSAGES
        assert keys and set(keys) <= set(PASSAGES), alias


@pytest.mark.parametrize("name", ["ormuz", "karachi", "", "kiel canal"])
def test_unknown_passage_name_raises_listing_the_known_ones(name):
    assert passage_keys(name) == ()
    with pytest.raises(InvalidInputError, match="unknown sea passage") as info:
        canonical_passages(name)
    assert "bab_el_mandeb" in str(info.value) and "red_sea" in str(info.value)


def test_a_non_string_passage_name_raises():
    assert passage_keys(None) == ()  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        canonical_passages(3)  # type: ignore[arg-type]
