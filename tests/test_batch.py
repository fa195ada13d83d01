"""route_many, route_matrix and alternatives on the tiny hand-drawn network."""

from __future__ import annotations

import pandas as pd
import pytest

from corridor_router import (
    CorridorRouterError,
    InvalidInputError,
    PlaceNotFoundError,
    RouteBatch,
    alternatives,
    route,
    route_many,
    route_matrix,
)


def test_route_many_reports_failures_without_stopping(tiny):
    batch = route_many([("alpha", "echo"), ("alpha", "nowhere"), ("echo", "echo"),
                        ("alpha", "foxtrot")], network=tiny)
    assert isinstance(batch, RouteBatch)
    assert len(batch) == 2 and batch.index == (0, 3)
    assert batch[0].cost_usd == pytest.approx(route("alpha", "echo", network=tiny).cost_usd)
    assert list(batch.failures["index"]) == [1, 2]
    assert list(batch.failures["error"]) == ["PlaceNotFoundError", "InvalidInputError"]
    frame = batch.to_frame()
    assert list(frame["destination"]) == ["echo", "foxtrot"]


def test_route_many_returns_a_batch_even_when_empty_or_all_failing(tiny):
    assert len(route_many([], network=tiny)) == 0
    batch = route_many([("alpha", "echo")], network=tiny, scenario="bravo_closed")
    assert len(batch) == 0 and batch.failures["error"].tolist() == ["NoRouteError"]


def test_route_many_rejects_options_wrong_for_every_pair(tiny):
    with pytest.raises(InvalidInputError):
        route_many([("alpha", "echo")], network=tiny, objective="cheapest")


@pytest.mark.parametrize("objective", ["time", "co2e"])
def test_route_matrix_matches_single_routes(tiny, objective):
    places = ["alpha", "charlie", "echo", "foxtrot"]
    m = route_matrix(places, places, network=tiny, objective=objective)
    assert isinstance(m, pd.DataFrame) and len(m) == 16
    assert list(m.columns) == ["origin", "destination", "km", "hours", "cost_usd", "co2e_kg",
                               "reachable", "reason"]
    for row in m.itertuples(index=False):
        if row.origin == row.destination:
            assert not row.reachable and "same place" in row.reason
            continue
        r = route(row.origin, row.destination, network=tiny, objective=objective)
        assert row.reachable and row.reason == ""
        assert (row.km, row.hours, row.cost_usd, row.co2e_kg) == pytest.approx(
            (r.km, r.hours, r.cost_usd, r.co2e_kg))


def test_route_matrix_marks_unreachable_pairs(tiny):
    m = route_matrix(["alpha"], ["echo", "charlie"], network=tiny, scenario="bravo_closed")
    assert not m["reachable"].any() and m["km"].isna().all()


def test_route_matrix_unknown_place_raises(tiny):
    with pytest.raises(PlaceNotFoundError):
        route_matrix(["alpha"], ["nowhere"], network=tiny)


def test_alternatives_first_is_the_route_then_distinct_worse_ones(tiny):
    alts = alternatives("alpha", "echo", k=3, network=tiny)
    best = route("alpha", "echo", network=tiny)
    assert alts[0].cost_usd == pytest.approx(best.cost_usd)
    costs = [a.cost_usd for a in alts]
    assert costs == sorted(costs) and len(alts) == 3
    links = [tuple(a.legs.loc[a.legs["kind"] == "link", "ref"]) for a in alts]
    assert len(set(links)) == len(links)


def test_alternatives_checks_k(tiny):
    with pytest.raises(InvalidInputError):
        alternatives("alpha", "echo", k=0, network=tiny)


@pytest.mark.parametrize("option", [{"corridor": "zz"}, {"objective": "cheapest"},
                                    {"modes": "boat"}, {"scenario": "nope"},
                                    {"avoid": "atlantis"}, {"via": "atlantis"},
                                    {"avoid": "bravo", "via": "bravo"}])
def test_route_many_raises_once_for_an_option_wrong_for_every_pair(tiny, option):
    pairs = iter([("nowhere", "echo"), ("alpha", "echo")])
    with pytest.raises(CorridorRouterError):
        route_many(pairs, network=tiny, **option)
    assert next(pairs) == ("nowhere", "echo")       # raised before any pair was routed


def test_route_many_lists_an_avoided_end_as_a_failure(tiny):
    batch = route_many([("alpha", "echo"), ("alpha", "charlie")], network=tiny, avoid="echo")
    assert batch.index == (1,) and batch.failures["error"].tolist() == ["InvalidInputError"]


@pytest.mark.parametrize("bad", [None, 5, [], ["alpha", 3]])
def test_route_matrix_rejects_what_is_not_a_list_of_places(tiny, bad):
    with pytest.raises(InvalidInputError):
        route_matrix(bad, ["echo"], network=tiny)
    with pytest.raises(InvalidInputError):
        route_matrix(["alpha"], bad, network=tiny)


def test_route_matrix_keeps_duplicates_in_the_order_given(tiny):
    m = route_matrix(["alpha", "charlie", "alpha"], "echo", network=tiny)
    assert list(m["origin"]) == ["alpha", "charlie", "alpha"]
    assert m.iloc[0].drop("origin").equals(m.iloc[2].drop("origin"))


def test_route_matrix_marks_an_avoided_end_with_routes_reason(tiny):
    m = route_matrix(["alpha", "bravo"], ["echo"], network=tiny, avoid="bravo")
    assert not m["reachable"].any()
    with pytest.raises(InvalidInputError) as err:
        route("bravo", "echo", network=tiny, avoid="bravo")
    assert m["reason"].iloc[1] == str(err.value)


def test_alternatives_k1_is_the_route_and_leaves_the_weight_cache_alone(tiny):
    from corridor_router.context import graph_of
    best = route("alpha", "echo", network=tiny)
    cache = graph_of(tiny).cache.get("weighted")
    before = set(cache or ())
    (only,) = alternatives("alpha", "echo", k=1, network=tiny)
    assert only.cost_usd == pytest.approx(best.cost_usd)
    assert list(only.legs["ref"]) == list(best.legs["ref"])
    alternatives("alpha", "echo", k=4, network=tiny)
    assert set(graph_of(tiny).cache.get("weighted") or ()) == before


@pytest.mark.parametrize("k", [0, -1, 1.5, True, "2"])
def test_alternatives_rejects_k_that_is_not_a_positive_integer(tiny, k):
    with pytest.raises(InvalidInputError):
        alternatives("alpha", "echo", k=k, network=tiny)
