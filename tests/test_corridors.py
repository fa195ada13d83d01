"""Every bundled corridor holds: a route along it passes its places in order, both ways.

For each corridor and each of its own stops, a trip from that stop to the corridor's far
end (and back) must pass every corridor place in between, in the order of travel, and
keep to the corridor's modes between its first and last place on the trip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from corridor_router import load_network, route
from corridor_router.compare import corridor_scenario

NET = load_network()


def _serves(place: str, modes: tuple[str, ...]) -> bool:
    """Whether cargo can start or end a trip at the place in one of the modes (any: all)."""
    own = set(NET.places.at[place, "modes"])
    return bool(own & set(modes)) if modes else bool(own)


def _trips() -> Iterator[tuple[str, str, str]]:
    """(corridor, origin, destination): from and to each stop, both directions.

    A stop is a via place where cargo can be loaded in one of the corridor's modes; a
    border point the line merely crosses (Torugart on the CKU) is passed, not a stop.
    """
    for cid, c in NET.corridors.items():
        via = c.via
        if len(via) < 2:
            continue
        stops = [p for p in via if _serves(p, c.modes)]
        trips = set()
        for stop in stops:
            for end in (stops[0], stops[-1]):
                if stop != end:
                    trips.add((stop, end))
                    trips.add((end, stop))
        for o, d in sorted(trips):
            yield cid, o, d


def _places_passed(r) -> list[str]:
    """Place ids the route's link legs touch, in order, each run once."""
    seq: list[str] = []
    for kind, a, b in zip(r.legs["kind"], r.legs["from_id"], r.legs["to_id"], strict=True):
        if kind != "link":
            continue
        for p in (a, b):
            if not seq or seq[-1] != p:
                seq.append(p)
    return seq


@pytest.mark.parametrize(("cid", "origin", "destination"), list(_trips()))
def test_a_corridor_route_passes_its_places_in_order_both_ways(cid, origin, destination):
    c = NET.corridors[cid]
    order = c.via if c.via.index(origin) < c.via.index(destination) else c.via[::-1]
    wanted = list(order[order.index(origin):order.index(destination) + 1])
    r = route(origin, destination, corridor=cid, network=NET,
              scenario=corridor_scenario(NET, cid, None))
    passed = _places_passed(r)
    it = iter(passed)
    assert all(p in it for p in wanted), (cid, wanted, passed)
    # between the corridor's first and last place on this trip: only its modes
    if c.modes:
        i, j = passed.index(wanted[0]), len(passed) - 1 - passed[::-1].index(wanted[-1])
        inside = set(passed[i:j + 1])
        links = r.legs[(r.legs["kind"] == "link") & r.legs["from_id"].isin(inside)
                       & r.legs["to_id"].isin(inside)]
        assert set(links["mode"]) <= set(c.modes), (cid, set(links["mode"]))


def test_every_corridor_with_places_is_exercised():
    corridors = {cid for cid, _, _ in _trips()}
    assert corridors == {cid for cid, c in NET.corridors.items() if len(c.via) >= 2}
    assert len(corridors) >= 10
