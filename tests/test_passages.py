"""Sea passages by name: avoided, closed by a scenario, and reported on each sea leg."""

from __future__ import annotations

import pytest

from corridor_router import InvalidInputError, NoRouteError, Scenario, load_network, route
from corridor_router.scenarios import resolve_target, through_passages

NET = load_network()


def test_each_sea_leg_lists_its_passages_in_the_order_of_travel():
    out = route("Karachi", "Rotterdam", network=NET)
    back = route("Rotterdam", "Karachi", network=NET)
    assert out.passages and back.passages == tuple(reversed(out.passages))
    sea = out.legs[(out.legs["kind"] == "link") & (out.legs["mode"] == "sea")]
    assert all(sea["passages"].astype(bool))
    land = out.legs[out.legs["mode"] != "sea"]
    assert not land["passages"].astype(bool).any()


@pytest.mark.parametrize("name", ["suez", "Suez", "bab_el_mandeb"])
def test_an_avoided_passage_is_passed_by_no_leg(name):
    r = route("Karachi", "Rotterdam", avoid=[name], network=NET)
    canonical = name.lower()
    assert canonical not in r.passages
    assert canonical not in ";".join(r.legs["passages"])


def test_a_passage_closes_exactly_the_sea_links_through_it():
    hormuz = through_passages(NET, ["hormuz"])
    straits = NET.links["straits"]
    assert hormuz.tolist() == ["hormuz" in s for s in straits]
    assert hormuz.any() and not hormuz.all()


def test_closing_a_passage_in_a_scenario_equals_avoiding_it():
    closed = route("Karachi", "Rotterdam", network=NET,
                   scenario=Scenario("red sea", close=["bab_el_mandeb"]))
    avoided = route("Karachi", "Rotterdam", network=NET, avoid=["bab_el_mandeb"])
    assert closed.km == pytest.approx(avoided.km) and closed.passages == avoided.passages
    assert "bab_el_mandeb" not in closed.passages


def test_the_cape_alias_names_the_cape_of_good_hope():
    assert resolve_target(NET, "Cape") == ("passage", "cape_of_good_hope")
    assert resolve_target(NET, "suez") == ("passage", "suez")
    r = route("Karachi", "Rotterdam", network=NET, avoid=["cape"])
    assert "cape_of_good_hope" not in r.passages


def test_a_passage_closed_on_every_way_is_a_no_route_error_and_a_typo_is_an_input_error():
    with pytest.raises(NoRouteError):
        route("Shanghai", "Karachi", network=NET, avoid=["malacca"], modes=["sea"])
    with pytest.raises(InvalidInputError, match="passage"):
        route("Karachi", "Rotterdam", network=NET, avoid=["suezz"])
