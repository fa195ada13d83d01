"""RouteOptions: one frozen, checked options object shared by every routing entry point;
prepared queries keep their edge masks and can be re-solved with other weights."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import numpy as np
import pytest

import corridor_router as cr
from corridor_router import InputTypeError, InvalidInputError, Scenario, ScenarioTypeError
from corridor_router.context import weighted
from corridor_router.engine import shortest_through
from corridor_router.graph import EdgeKind
from corridor_router.options import (
    OPTION_NAMES,
    STOP_OPTIONS,
    OptionArgs,
    RouteOptions,
    SearchArgs,
    as_options,
)
from corridor_router.query import MAX_RESTRICTED, RESTRICTED, prepare, solve, solve_query

ENTRY_POINTS = [cr.route, cr.route_many, cr.route_matrix, cr.alternatives]


def _same(a: cr.Route, b: cr.Route) -> bool:
    return a == b and list(a.legs["ref"]) == list(b.legs["ref"])


# -- the object ----------------------------------------------------------------------------
def test_defaults_and_normalised_fields():
    opts = RouteOptions()
    assert (opts.objective, opts.scenario, opts.via, opts.avoid, opts.modes,
            opts.corridor) == ("cost", None, (), (), None, None)
    opts = RouteOptions(via="charlie", avoid=["d_ab", "d_bc"], modes="rail, road")
    assert opts.via == ("charlie",) and opts.avoid == ("d_ab", "d_bc")
    assert opts.modes == ("rail", "road")
    assert RouteOptions(via=None, avoid=None) == RouteOptions()


def test_options_are_frozen_hashable_and_pickle():
    opts = RouteOptions(objective="time", scenario=Scenario(name="s"), via=["charlie"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.objective = "cost"  # type: ignore[misc]
    assert hash(opts) == hash(RouteOptions(objective="time", scenario=Scenario(name="s"),
                                           via=("charlie",)))
    assert pickle.loads(pickle.dumps(opts)) == opts


def test_one_declaration_of_the_option_names():
    fields = tuple(f.name for f in dataclasses.fields(RouteOptions))
    assert fields == OPTION_NAMES
    assert set(OptionArgs.__annotations__) == set(OPTION_NAMES)
    assert set(SearchArgs.__annotations__) == set(OPTION_NAMES) - set(STOP_OPTIONS)
    assert RouteOptions(**RouteOptions(via="x", modes="rail").as_args()) == RouteOptions(
        via="x", modes="rail")


def test_replace_checks_and_keeps_the_rest():
    base = RouteOptions(corridor="uap", modes="rail")
    assert base.replace() is base
    changed = base.replace(objective="time")
    assert (changed.objective, changed.corridor, changed.modes) == ("time", "uap", ("rail",))
    with pytest.raises(InvalidInputError, match="Unknown objective"):
        base.replace(objective="cheapest")
    with pytest.raises(InputTypeError, match="Unknown option"):
        base.replace(colour="red")  # type: ignore[call-arg]


@pytest.mark.parametrize("kwargs, error", [
    ({"objective": 5}, InputTypeError), ({"objective": "cheapest"}, InvalidInputError),
    ({"modes": "boat"}, InvalidInputError), ({"modes": 5}, InputTypeError),
    ({"via": 123}, InputTypeError), ({"avoid": [7]}, InputTypeError),
    ({"corridor": 5}, InputTypeError), ({"scenario": 5}, ScenarioTypeError),
])
def test_bad_options_raise_at_construction(kwargs, error):
    with pytest.raises(error):
        RouteOptions(**kwargs)


def test_as_options_merges_and_refuses_other_types():
    assert as_options(RouteOptions(objective="time"), modes="rail") == RouteOptions(
        objective="time", modes="rail")
    with pytest.raises(InputTypeError, match="options must be a RouteOptions"):
        as_options({"objective": "time"})  # type: ignore[arg-type]


# -- the entry points ----------------------------------------------------------------------
@pytest.mark.parametrize("func", ENTRY_POINTS)
def test_no_entry_point_copies_the_option_keywords(func):
    params = inspect.signature(func).parameters
    assert "options" in params and "network" in params
    assert params["options"].kind is inspect.Parameter.KEYWORD_ONLY
    assert not set(params) & set(OPTION_NAMES)
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    assert "RouteOptions" in (func.__doc__ or "")


def test_keywords_and_an_options_object_give_the_same_route(tiny):
    opts = RouteOptions(objective="time", avoid="d_cd", scenario="uap")
    by_keywords = cr.route("alpha", "echo", network=tiny, objective="time", avoid="d_cd",
                           scenario="uap")
    assert _same(cr.route("alpha", "echo", network=tiny, options=opts), by_keywords)
    # reused for another pair, and with a keyword replacing one of its fields
    assert _same(cr.route("alpha", "charlie", network=tiny, options=opts),
                 cr.route("alpha", "charlie", network=tiny, **opts.as_args()))
    assert _same(cr.route("alpha", "echo", network=tiny, options=opts, objective="cost"),
                 cr.route("alpha", "echo", network=tiny, avoid="d_cd", scenario="uap"))


def test_batch_functions_take_the_options_object(tiny):
    opts = RouteOptions(objective="time", modes="rail,road")
    batch = cr.route_many([("alpha", "echo"), ("alpha", "charlie")], network=tiny,
                          options=opts)
    assert [_same(r, cr.route(*p, network=tiny, options=opts))
            for r, p in zip(batch, [("alpha", "echo"), ("alpha", "charlie")], strict=True)]
    m = cr.route_matrix(["alpha"], ["echo"], network=tiny, options=opts)
    assert m["hours"].iloc[0] == pytest.approx(cr.route("alpha", "echo", network=tiny,
                                                        options=opts).hours)
    alts = cr.alternatives("alpha", "echo", k=2, network=tiny, options=opts)
    assert _same(alts[0], cr.route("alpha", "echo", network=tiny, options=opts))


@pytest.mark.parametrize("func, args", [
    (cr.route, ("alpha", "echo")), (cr.route_many, ([("alpha", "echo")],)),
    (cr.route_matrix, (["alpha"], ["echo"])), (cr.alternatives, ("alpha", "echo")),
])
def test_an_unknown_keyword_names_the_known_ones(tiny, func, args):
    with pytest.raises(InputTypeError, match="objective, scenario, via, avoid, modes"):
        func(*args, network=tiny, objectiv="time")
    with pytest.raises(InputTypeError, match="options must be a RouteOptions"):
        func(*args, network=tiny, options="time")


@pytest.mark.parametrize("func, args", [
    (cr.route_matrix, (["alpha"], ["echo"])), (cr.alternatives, ("alpha", "echo")),
])
@pytest.mark.parametrize("stop", [{"via": "charlie"}, {"corridor": "uap"}])
def test_searches_without_stops_refuse_via_and_corridor(tiny, func, args, stop):
    with pytest.raises(InputTypeError, match="takes no"):
        func(*args, network=tiny, **stop)
    with pytest.raises(InputTypeError, match="takes no"):
        func(*args, network=tiny, options=RouteOptions(**stop))


def test_prepare_takes_the_options_object(tiny):
    q = prepare("alpha", "echo", RouteOptions(corridor="uap"), network=tiny)
    assert q.options.corridor == q.corridor == "uap" and q.scenario.name == "uap"
    assert prepare("alpha", "echo", network=tiny, corridor="uap").options == q.options


# -- masks and re-weighting ----------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"avoid": "d_bc"}, {"modes": "road"},
                                     {"corridor": "uap"}, {"via": "charlie"},
                                     {"objective": "time", "avoid": "AF", "via": None}])
def test_solve_query_with_its_own_weights_as_base_is_the_same(tiny, options):
    q = prepare("alpha", "echo", network=tiny, **options)
    own = q.plans[0].weights[0]
    base = np.where(q.plans[0].masks[0], own, 0.0)     # free where the scenario forbids
    free = np.where(np.isfinite(own), own, 0.0)
    for plan in q.plans:
        assert len(plan.masks) == len(plan.weights) == len(plan.stages) - 1
        for mask, w in zip(plan.masks, plan.weights, strict=True):
            assert not mask.flags.writeable and not w.flags.writeable
            assert mask.dtype == bool and (np.isfinite(w) <= mask).all()
    assert solve_query(q) == solve_query(q, base=base) == solve_query(q, base=free)
    # a scaled base gives the same edges at a scaled total (exact: a power of two)
    total, edges = solve_query(q)
    assert solve_query(q, base=4 * free) == (4 * total, edges)


def test_a_patched_base_re_routes_like_an_avoided_link(tiny):
    q = prepare("alpha", "charlie", network=tiny)
    used = cr.route("alpha", "charlie", network=tiny).legs.query("kind == 'link'")["ref"]
    link = str(used.iloc[-1])
    graph = q.graph
    on_link = (graph.ref == tiny.links.index.get_loc(link)) & np.isin(
        graph.kind, [EdgeKind.LINK, EdgeKind.WAIT])
    patched = np.where(on_link, np.inf, q.weights[0])
    avoided = prepare("alpha", "charlie", network=tiny, avoid=link)
    assert solve_query(q, base=patched) == solve_query(avoided)
    assert solve_query(q) != solve_query(avoided)


def test_solve_query_checks_the_base_shape(tiny):
    q = prepare("alpha", "echo", network=tiny)
    with pytest.raises(ValueError, match="one weight per edge"):
        solve_query(q, base=np.ones(3))


def test_restricted_weights_are_cached_read_only_and_bounded(tiny):
    first = prepare("alpha", "echo", network=tiny, avoid="d_bc", objective="time")
    again = prepare("alpha", "echo", network=tiny, avoid="d_bc", objective="time")
    assert again.weights[0] is first.weights[0] and again.plans[0].masks[0] is \
        first.plans[0].masks[0]
    for i in range(MAX_RESTRICTED + 10):
        prepare("alpha", "echo", network=tiny, modes="rail,road",
                scenario=Scenario(name=f"s{i}", overrides={"modes.rail.speed_kmh": 30.0 + i}))
    assert len(tiny._cache.get(RESTRICTED) or ()) <= MAX_RESTRICTED


def test_corridor_plans_share_their_masks_and_searches(tiny):
    q = prepare("alpha", "echo", network=tiny, corridor="uap", scenario="uap")
    masks = {id(m) for plan in q.plans for m in plan.masks}
    assert len(masks) <= 2                  # the corridor section and its access
    trees: dict = {}
    for plan in q.plans:
        alone = solve(q.graph, plan.weights, plan.stages)
        shared = shortest_through([weighted(q.graph, w) for w in plan.weights], plan.stages,
                                  trees=trees)
        assert shared == alone
    assert trees
