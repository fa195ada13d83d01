"""simulate(): ranges from draws, each draw routed exactly, with common random numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_tiny
from scipy import integrate

import corridor_router as cr
from corridor_router.errors import InputTypeError, InvalidInputError, NetworkDataError

TRIP = ("Tashkent", "Karachi")


@pytest.fixture(scope="module")
def sim() -> cr.Simulation:
    return cr.simulate(*TRIP, corridors=["uap", "western", "bandar_abbas", "china"], n=600,
                       seed=11, deadline_days=20, budget_usd=5000)


def _replay(s: cr.Simulation, alternative: str, draw: int, network: object = None) -> None:
    """The draw's figures as a scenario, routed by route(): the same route totals."""
    row = s.draws[(s.draws["alternative"] == alternative) & (s.draws["draw"] == draw)].iloc[0]
    corridor = None if alternative == "today" else alternative
    r = cr.route(s.origin, s.destination, corridor=corridor, objective=s.objective,
                 scenario=s.scenario_of(alternative, draw), network=network)
    assert r.hours == pytest.approx(row["hours"], rel=1e-9)
    assert r.cost_usd == pytest.approx(row["cost_usd"], rel=1e-9)
    assert r.km == pytest.approx(row["km"], rel=1e-9)


def test_every_draw_is_the_best_route_of_its_figures(sim: cr.Simulation) -> None:
    """Exact per draw: replayed with route(), a draw's figures give the draw's route.

    Draws with closures (waited out or routed round) and draws without are both checked.
    """
    closed = sim.closures.index[:6].tolist()
    assert closed, "the bundled disruption log closes something in 600 draws"
    for alternative in sim.summary.index:
        for draw in [*closed, 0, 1, 2, 3]:
            _replay(sim, alternative, draw)


def test_draws_of_a_two_way_corridor_on_the_tiny_network(tiny_path: Path) -> None:
    (tiny_path / "disruptions.csv").write_text(
        "id,targets,start,end,end_known,source,notes\n"
        "delta_2024,delta,2024-03-01,2024-09-01,true,tiny,half a year shut\n"
        "bravo_rail_2024,b_rail_uz_af,2024-10-01,2024-10-20,true,tiny,\n", encoding="utf-8")
    net = cr.load_network(tiny_path)
    for objective in ("time", "cost", "generalized"):
        s = cr.simulate("Alpha", "Echo", corridors=["uap"], n=300, seed=5, network=net,
                        objective=objective)
        assert len(s.closures), "the log shuts delta in about half the draws"
        for alternative in s.summary.index:
            for draw in [*s.closures.index[:5].tolist(), 0, 1]:
                _replay(s, alternative, draw, network=net)
        # a corridor's cargo cannot leave its crossing: it waits the closure out
        waits = s.draws[s.draws["alternative"] == "uap"].set_index("draw")["hours"]
        shut = s.closures["delta"] if "delta" in s.closures else pd.Series(dtype=float)
        assert (waits.loc[shut.index[shut > 0]] >= shut[shut > 0]).all()


def test_no_spread_gives_the_central_route_in_every_draw() -> None:
    s = cr.simulate(*TRIP, n=40, seed=2, spread=0)
    assert len(s.summary) >= 5
    for q in ("p10", "p50", "p90", "mean"):
        np.testing.assert_allclose(s.summary[f"days_{q}"], s.summary["days"], rtol=1e-12)
        np.testing.assert_allclose(s.summary[f"cost_usd_{q}"], s.summary["cost_usd"],
                                   rtol=1e-12)
    assert s.closures.empty
    assert (s.summary["routes"] == 1).all()


def test_same_seed_same_numbers_and_other_seeds_differ() -> None:
    a = cr.simulate(*TRIP, corridors=["uap"], n=200, seed=4)
    b = cr.simulate(*TRIP, corridors=["uap"], n=200, seed=4)
    c = cr.simulate(*TRIP, corridors=["uap"], n=200, seed=5)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert not np.allclose(a.draws["hours"], c.draws["hours"])
    g1 = cr.simulate(*TRIP, corridors=["uap"], n=50, seed=np.random.default_rng(9))
    g2 = cr.simulate(*TRIP, corridors=["uap"], n=50, seed=np.random.default_rng(9))
    assert g1.seed == g2.seed
    pd.testing.assert_frame_equal(g1.draws, g2.draws)
    fresh = cr.simulate(*TRIP, corridors=["uap"], n=50)
    again = cr.simulate(*TRIP, corridors=["uap"], n=50, seed=fresh.seed)
    pd.testing.assert_frame_equal(fresh.draws, again.draws)


def test_same_seed_same_numbers_across_processes() -> None:
    code = ("import corridor_router as cr, hashlib;"
            "s = cr.simulate('Tashkent', 'Karachi', corridors=['uap'], n=300, seed=21);"
            "print(hashlib.sha256(s.draws[['hours', 'cost_usd']].to_numpy().tobytes())"
            ".hexdigest())")
    here = cr.simulate(*TRIP, corridors=["uap"], n=300, seed=21)
    import hashlib
    digest = hashlib.sha256(here.draws[["hours", "cost_usd"]].to_numpy().tobytes()).hexdigest()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert out.stdout.strip() == digest


def test_common_random_numbers_whatever_is_simulated_alongside() -> None:
    """A parameter shared by alternatives takes the same value in each, in every run."""
    alone = cr.simulate(*TRIP, corridors=["uap"], n=300, seed=8)
    together = cr.simulate(*TRIP, corridors=["bandar_abbas", "uap", "china"], n=300, seed=8)
    for name in ("today", "uap"):
        pd.testing.assert_frame_equal(
            alone.draws[alone.draws["alternative"] == name].drop(columns=["alternative",
                                                                           "best"])
            .reset_index(drop=True),
            together.draws[together.draws["alternative"] == name].drop(
                columns=["alternative", "best"]).reset_index(drop=True))
    shared = alone.parameters.index.intersection(together.parameters.index)
    assert len(shared) > 20
    for key in shared[:30]:
        np.testing.assert_array_equal(alone._draws.values[key], together._draws.values[key])


DUO_PLACES = """id,name,aliases,country,kind,lon,lat,modes,handling_usd_per_teu,handling_h,source,notes
a,A,,UZ,city,68.0,41.0,rail;road,,,duo,
b,B,,UZ,city,69.0,41.0,rail;road,,,duo,
"""
DUO_LINKS = """id,from,to,mode,gauge_mm,country,length_km,status,speed_kmh,rate_usd_per_teu_km,headway_h,corridors,bidirectional,waypoints,straits,source,notes
rail_ab,a,b,rail,1520,UZ,100,operational,,,,,true,,,duo,
road_ab,a,b,road,,UZ,100,operational,,,,,true,,,duo,
"""
DUO_CROSSINGS = """id,place,mode,from_country,to_country,dwell_h,dwell_low_h,dwell_high_h,fee_usd_per_teu,source,notes
"""
DUO_PARAMS = """currency = "USD"
price_year = 2023
unit = "TEU"
source = "duo"

[value_of_time]
usd_per_teu_h = 2.0
source = "duo"

[modes.rail]
speed_kmh = 50.0
rate_usd_per_teu_km = 1.0
co2e_kg_per_teu_km = 0.2
source = "duo"

[modes.road]
speed_kmh = 25.0
rate_usd_per_teu_km = 1.0
co2e_kg_per_teu_km = 0.9
source = "duo"

[service.rail]
headway_h = 10.0
source = "duo"

[service.road]
headway_h = 4.0
source = "duo"

[transfer."rail-road"]
cost_usd_per_teu = 0.0
hours = 0.0
source = "duo"

[connector.rail]
cost_usd_per_teu = 0.0
hours = 0.0
source = "duo"
[connector.road]
cost_usd_per_teu = 0.0
hours = 0.0
source = "duo"
"""


def test_two_parallel_routes_with_uniform_waits_match_the_closed_form(tmp_path: Path) -> None:
    """Rail: 2 h + a wait uniform on 0..10 h; road: 4 h + a wait uniform on 0..4 h.

    Rail is the faster in P(10 U1 < 2 + 4 U2) = E[(2 + 4 U2) / 10] = 0.4 of draws, and the
    best route's mean time is the integral of min(2 + 10 u1, 4 + 4 u2) over the square.
    """
    folder = write_tiny(tmp_path / "duo")
    for name in list(folder.iterdir()):
        name.unlink()
    files = {"places.csv": DUO_PLACES, "links.csv": DUO_LINKS,
             "crossings.csv": DUO_CROSSINGS, "params.toml": DUO_PARAMS,
             "sources.csv": "id,title,publisher,year,url,confidence,notes\n"
                            "duo,Two parallel routes,corridor_router tests,2026,,EST,"
                            "round numbers chosen for the closed form\n",
             "scenarios.toml": '[scenarios.baseline]\ndescription = "as drawn"\n'
                               'statuses = ["operational"]\nsource = ["duo"]\n',
             "corridors.toml": ""}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    net = cr.load_network(folder)
    n = 40_000
    s = cr.simulate("A", "B", n=n, seed=3, objective="time", network=net)
    today = s.draws[s.draws["alternative"] == "today"]
    hours = today["hours"].to_numpy()
    mean, _ = integrate.dblquad(lambda u2, u1: min(2 + 10 * u1, 4 + 4 * u2), 0, 1, 0, 1)
    se = hours.std() / np.sqrt(n)
    assert abs(hours.mean() - mean) < 4 * se
    rail = np.isclose(hours, 2 + np.asarray(s._draws.values["service.rail.headway_h"]) / 2)
    assert abs(rail.mean() - 0.4) < 4 * np.sqrt(0.4 * 0.6 / n)
    assert s.summary.loc["today", "routes"] == 2
    # the wait of each draw is uniform: its deciles are where the closed form puts them
    rail_wait = np.asarray(s._draws.values["service.rail.headway_h"]) / 2
    np.testing.assert_allclose(np.quantile(rail_wait, [0.1, 0.5, 0.9]), [1, 5, 9], atol=0.15)


def test_closures_are_met_as_often_as_the_log_has_them() -> None:
    net = cr.load_network()
    log = net.disruptions
    from corridor_router._disruptions import log_period
    first, end = log_period(log)
    shut_days = set()
    for targets, a, b in zip(log["targets"], log["start"], log["end"]):
        if "torkham" in targets:
            for day in pd.date_range(a, min(b, end), inclusive="left"):
                shut_days.add(day)
    share = len(shut_days) / (end - first).days
    n = 20_000
    s = cr.simulate(*TRIP, corridors=["uap"], n=n, seed=1)
    met = float((s.closures.get("torkham", pd.Series(dtype=float)) > 0).sum()) / n
    assert abs(met - share) < 4 * np.sqrt(share * (1 - share) / n) + 1 / (end - first).days


def test_summary_and_draws_agree(sim: cr.Simulation) -> None:
    d, summary = sim.draws, sim.summary
    assert list(d.columns) == ["draw", "alternative", "days", "hours", "cost_usd", "km", "route",
                               "on_time", "within_budget", "best"]
    assert len(d) == sim.n * len(summary)
    by = d.groupby("alternative", observed=True)
    np.testing.assert_allclose(by["days"].quantile(0.5).loc[summary.index], summary["days_p50"])
    np.testing.assert_allclose(by["on_time"].mean().loc[summary.index], summary["p_deadline"])
    np.testing.assert_allclose((d["days"] <= 20) == d["on_time"], True)
    np.testing.assert_allclose((d["cost_usd"] <= 5000) == d["within_budget"], True)
    assert summary["best_share"].sum() == pytest.approx(1.0)
    assert (d.groupby("draw")["best"].sum() == 1).all()
    shares = sim.routes.groupby(level="alternative")["share"].sum()
    np.testing.assert_allclose(shares.loc[summary.index], 1.0)
    assert set(sim.parameters["family"]) <= {"pert", "arrival"}
    assert (sim.parameters["draw_min"] <= sim.parameters["value"]).all()
    assert (sim.parameters["value"] <= sim.parameters["draw_max"]).all()
    assert "600 draws, seed 11, 5 alternatives" in repr(sim)


def test_draws_stay_within_their_support(sim: cr.Simulation) -> None:
    for key, row in sim.parameters.iterrows():
        x = sim._draws.values[key]
        assert x.min() >= row["draw_min"] - 1e-9 and x.max() <= row["draw_max"] + 1e-9, key


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"n": 0}, InvalidInputError, "n"),
    ({"n": True}, InputTypeError, "n"),
    ({"n": 2.5}, InputTypeError, "n"),
    ({"seed": -1}, InvalidInputError, "seed"),
    ({"seed": "one"}, InputTypeError, "seed"),
    ({"seed": 1.5}, InputTypeError, "seed"),
    ({"spread": 1.5}, InvalidInputError, "spread"),
    ({"spread": "wide"}, InputTypeError, "spread"),
    ({"deadline_days": -2}, InvalidInputError, "deadline_days"),
    ({"budget_usd": 0}, InvalidInputError, "budget_usd"),
    ({"disruptions": "yes"}, InputTypeError, "disruptions"),
    ({"corridors": ["nowhere"]}, InvalidInputError, "nowhere"),
    ({"objective": "fastest"}, InvalidInputError, "fastest"),
    ({"colour": "red"}, InputTypeError, "colour"),
])
def test_bad_input_is_a_clear_error(kwargs: dict[str, object], error: type[Exception],
                                    words: str) -> None:
    with pytest.raises(error, match=words):
        cr.simulate(*TRIP, **{"n": 10, **kwargs})  # type: ignore[arg-type]


def test_unknown_place_and_replay_errors(sim: cr.Simulation) -> None:
    with pytest.raises(cr.PlaceNotFoundError):
        cr.simulate("Atlantis", "Karachi", n=10)
    with pytest.raises(InvalidInputError, match="alternative"):
        sim.scenario_of("nowhere", 0)
    with pytest.raises(InvalidInputError, match="draw"):
        sim.scenario_of("uap", sim.n)


def test_inputs_are_not_mutated() -> None:
    corridors = ["uap", "bandar_abbas"]
    opts = cr.RouteOptions(objective="time")
    cr.simulate(*TRIP, corridors=corridors, n=20, seed=1, options=opts)
    assert corridors == ["uap", "bandar_abbas"]
    assert opts == cr.RouteOptions(objective="time")


def test_a_bad_disruption_log_is_reported(tiny_path: Path) -> None:
    (tiny_path / "disruptions.csv").write_text(
        "id,targets,start,end,end_known,source,notes\n"
        "x,nowhere,2024-03-01,2024-02-01,maybe,unknown_source,\n", encoding="utf-8")
    with pytest.raises(NetworkDataError) as info:
        cr.load_network(tiny_path)
    text = str(info.value)
    for words in ("nowhere", "not after the start", "maybe", "unknown_source"):
        assert words in text


def test_claim_probabilities_follow_the_draws_of_both_routes() -> None:
    c = cr.check_claim(*TRIP, corridor="uap", versus="bandar_abbas", days_saved=5,
                       cost_saved_pct=40, n=3000, seed=1)
    p = c.probability
    assert p is not None and c.n == 3000 and c.seed == 1
    assert p.index.tolist() == ["days", "cost", "claim"]
    assert p.at["claim", "probability"] <= min(p.at["days", "probability"],
                                                 p.at["cost", "probability"])
    # the same draws through simulate(): the probability is the share of draws saving 5 days
    s = cr.simulate(*TRIP, corridors=["uap", "bandar_abbas"], n=3000, seed=1)
    d = s.draws.pivot(index="draw", columns="alternative", values="days")
    assert p.at["days", "probability"] == pytest.approx(
        float((d["bandar_abbas"] - d["uap"] >= 5).mean()))
    assert p.at["days", "p10"] <= p.at["days", "p50"] <= p.at["days", "p90"]
    assert "Over 3,000 draws" in c.summary()
    still = cr.check_claim(*TRIP, corridor="uap", versus="bandar_abbas", n=20, seed=1,
                           spread=0)
    assert still.probability is not None
    assert still.probability.at["days", "p10"] == pytest.approx(still.days_saved)
    assert still.probability.at["days", "probability"] == float(still.holds_days)
    assert cr.check_claim(*TRIP, corridor="uap", versus="bandar_abbas").probability is None
    with pytest.raises(InvalidInputError, match="n"):
        cr.check_claim(*TRIP, corridor="uap", versus="bandar_abbas", n=0)


def test_compare_adds_percentile_columns() -> None:
    t = cr.compare(*TRIP, corridors=["uap", "bandar_abbas"], n=500, seed=2)
    s = cr.simulate(*TRIP, corridors=["uap", "bandar_abbas"], n=500, seed=2)
    for col in ("days_p10", "days_p50", "days_p90", "cost_usd_p50", "best_share"):
        np.testing.assert_allclose(t[col], s.summary.loc[t.index, col])
    assert t.attrs["seed"] == 2
    assert "days_p50" not in cr.compare(*TRIP, corridors=["uap"]).columns


def test_charts_of_a_simulation(sim: cr.Simulation, tmp_path: Path) -> None:
    from corridor_router.plot import simulation_chart, tcd_chart
    fig = sim.chart()
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("uap:") for label in labels)
    assert any("deadline" in label for label in labels)
    simulation_chart(sim, "cost_usd").savefig(tmp_path / "cost.png")
    with pytest.raises(InvalidInputError, match="metric"):
        simulation_chart(sim, "km")
    fig = tcd_chart(sim.central, ranges=sim)
    bars = [c for c in fig.axes[1].containers if type(c).__name__ == "ErrorbarContainer"]
    assert len(bars) == len(sim.summary)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    import shutil
    exe = shutil.which("corridor-router")
    cmd = [exe] if exe else [sys.executable, "-m", "corridor_router"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300)


def test_the_simulate_command(tmp_path: Path) -> None:
    out = _cli("simulate", "Tashkent", "Karachi", "--n", "500", "--seed", "1",
               "--deadline-days", "12", "--corridor", "uap", "--corridor", "bandar_abbas",
               "-o", str(tmp_path / "days.png"))
    assert out.returncode == 0, out.stderr
    assert "500 draws, seed 1" in out.stdout and "p_deadline" in out.stdout
    assert (tmp_path / "days.png").stat().st_size > 0
    j = _cli("simulate", "Tashkent", "Karachi", "--n", "200", "--seed", "3", "--corridor",
             "uap", "--format", "json")
    data = __import__("json").loads(j.stdout)
    s = cr.simulate(*TRIP, corridors=["uap"], n=200, seed=3, objective="cost")
    assert [r["days_p50"] for r in data["summary"]] == pytest.approx(
        s.summary["days_p50"].tolist())
    csv = _cli("simulate", "Tashkent", "Karachi", "--n", "50", "--format", "csv", "--corridor",
               "uap", "--no-disruptions", "--spread", "0")
    assert csv.returncode == 0 and csv.stdout.startswith("alternative,")
    claim = _cli("check-claim", "Tashkent", "Karachi", "--corridor", "uap", "--versus",
                 "bandar_abbas", "--n", "300", "--seed", "1")
    assert claim.returncode == 0 and "Probability over 300 draws" in claim.stdout
    for bad, words in ((["--n", "0"], "less than 1"), (["--seed", "-3"], "less than 0"),
                       (["--spread", "2"], "spread")):
        out = _cli("simulate", "Tashkent", "Karachi", *bad)
        assert out.returncode in (1, 2) and words in out.stderr
        assert "Traceback" not in out.stderr


def test_a_fee_range_is_drawn_and_checked(tiny_path: Path) -> None:
    text = (tiny_path / "crossings.csv").read_text(encoding="utf-8").splitlines()
    head = text[0].replace("fee_usd_per_teu,", "fee_usd_per_teu,fee_low_usd_per_teu,"
                           "fee_high_usd_per_teu,")
    rows = [line.replace(",100,tiny", ",100,80,150,tiny") if line.startswith("b_rail_uz_af")
            else _blank_fee_range(line) for line in text[1:]]
    (tiny_path / "crossings.csv").write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    net = cr.load_network(tiny_path)
    s = cr.simulate("Alpha", "Charlie", n=2000, seed=1, modes=["rail"], network=net)
    row = s.parameters.loc["crossings.b_rail_uz_af.fee_usd_per_teu"]
    assert (row["family"], row["low"], row["value"], row["high"]) == ("pert", 80, 100, 150)
    fees = s._draws.values["crossings.b_rail_uz_af.fee_usd_per_teu"]
    assert fees.min() >= 80 and fees.max() <= 150
    assert np.mean(fees) == pytest.approx((80 + 4 * 100 + 150) / 6, rel=0.02)
    bad = (tiny_path / "crossings.csv").read_text(encoding="utf-8").replace(",100,80,150,",
                                                                            ",100,120,150,")
    (tiny_path / "crossings.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(NetworkDataError, match="fee_low_usd_per_teu"):
        cr.load_network(tiny_path)


def _blank_fee_range(line: str) -> str:
    """A crossings.csv row of the tiny network with empty fee range cells after its fee."""
    cells = line.split(",")
    return ",".join([*cells[:9], "", "", *cells[9:]])


def test_a_simulation_pickles(sim: cr.Simulation) -> None:
    import pickle
    back = pickle.loads(pickle.dumps(sim))
    pd.testing.assert_frame_equal(back.draws, sim.draws)
    assert back.scenario_of("uap", 5).overrides == sim.scenario_of("uap", 5).overrides


def test_draws_without_a_route_count_as_never_delivered() -> None:
    """A corridor that would double back round a closure has no route in that draw."""
    s = cr.simulate(*TRIP, n=300, seed=2, objective="time", corridors=["uap", "western"],
                    deadline_days=15)
    row = s.summary.loc["uap"]
    d = s.draws[s.draws["alternative"] == "uap"]
    missing = float(d["hours"].isna().mean())
    assert missing > 0, "the closure log leaves uap without a route in some draws"
    assert row["p_route"] == pytest.approx(1 - missing)
    assert row["p_deadline"] == pytest.approx(float((d["days"] <= 15).sum()) / s.n)
    if missing > 0.1:
        assert row["days_p90"] == np.inf
    assert row["days_mean"] == pytest.approx(float(d["days"].mean()))
    fig = s.chart()
    line = next(ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("uap"))
    assert max(line.get_ydata()) == pytest.approx(1 - missing)


def test_replaying_a_closure_keeps_the_scenarios_dwell() -> None:
    s = cr.simulate("Kabul", "Karachi", n=200, seed=5, corridors=[], scenario="border_reform",
                    objective="time", avoid=["chaman", "kharlachi"])
    shut = s.closures.index[s.closures.get("torkham", pd.Series(dtype=float)) > 0]
    assert len(shut)
    draw = int(shut[0])
    row = s.draws[(s.draws["alternative"] == "today") & (s.draws["draw"] == draw)].iloc[0]
    r = cr.route("Kabul", "Karachi", scenario=s.scenario_of("today", draw), objective="time",
                 avoid=["chaman", "kharlachi"])
    assert r.hours == pytest.approx(row["hours"], rel=1e-9)


def test_iterators_and_wrong_types_are_taken_or_refused_clearly(sim: cr.Simulation) -> None:
    s = cr.simulate(*TRIP, corridors=(c for c in ["uap"]), n=20, seed=1)
    assert s.summary.index.tolist() == ["today", "uap"]
    t = cr.compare(*TRIP, corridors=iter(["uap"]), n=20, seed=1)
    assert t.index.tolist() == ["today", "uap"]
    from corridor_router.plot import simulation_chart, tcd_chart
    with pytest.raises(InputTypeError, match="alternative"):
        sim.scenario_of(["uap"], 0)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match="Simulation"):
        simulation_chart(None)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match="Simulation"):
        tcd_chart(sim.central, ranges=5)  # type: ignore[arg-type]
    other = cr.simulate("Almaty", "Karachi", corridors=[], n=10, seed=1)
    with pytest.raises(InvalidInputError, match="same trip"):
        tcd_chart(sim.central, ranges=other)
    with pytest.raises(InvalidInputError, match="give n"):
        cr.check_claim(*TRIP, corridor="uap", versus="bandar_abbas", seed=3)
    with pytest.raises(InputTypeError, match="seed"):
        cr.check_claim(*TRIP, corridor="uap", versus="bandar_abbas", n=10, seed="x")
    with pytest.raises(InvalidInputError, match="give n"):
        cr.compare(*TRIP, corridors=["uap"], seed=3)
    s2 = cr.simulate(*TRIP, corridors=[], scenarios=["uap"], n=20, seed=1)
    assert s2.summary.index.tolist() == ["today", "uap"]
    assert s2.summary.loc["uap", "kind"] == "scenario"


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["time", "cost", "generalized", "distance"])
@pytest.mark.parametrize(("origin", "destination"), [
    ("Almaty", "Karachi"), ("Kabul", "Karachi"), ("Tashkent", "Bandar Abbas"),
    ("Karachi", "Moscow"), ("Aktau", "Poti")])
def test_replayed_draws_match_route_across_trips(origin: str, destination: str,
                                                 objective: str) -> None:
    """Exact per draw on many trips and objectives: replays agree with route()."""
    s = cr.simulate(origin, destination, n=80, seed=17, objective=objective)
    draws = [*s.closures.index[:2].tolist(), 5, 40]
    for alternative in s.summary.index:
        for draw in draws:
            row = s.draws[(s.draws["alternative"] == alternative)
                          & (s.draws["draw"] == draw)].iloc[0]
            corridor = None if alternative == "today" else alternative
            scenario = s.scenario_of(alternative, draw)
            if np.isnan(row["hours"]):
                with pytest.raises(cr.NoRouteError):
                    cr.route(origin, destination, corridor=corridor, objective=objective,
                             scenario=scenario)
                continue
            r = cr.route(origin, destination, corridor=corridor, objective=objective,
                         scenario=scenario)
            assert r.hours == pytest.approx(row["hours"], rel=1e-9), (alternative, draw)
            assert r.cost_usd == pytest.approx(row["cost_usd"], rel=1e-9), (alternative, draw)


def test_a_draw_is_exact_whatever_draws_share_its_block():
    """Regression: draw 66 (seed 4) of the Chabahar corridor was routed 104 USD too dear
    when solved with other draws: a node improved through a backward edge was not
    relaxed again after another improved node ahead of it fell (label correcting)."""
    sim = cr.simulate("Tashkent", "Karachi", n=150, seed=4, objective="cost",
                      corridors=["chabahar"])
    draws = sim.draws.set_index(["alternative", "draw"])
    for k in (66, 0, 149):
        r = cr.route("Tashkent", "Karachi", corridor="chabahar", objective="cost",
                     scenario=sim.scenario_of("chabahar", k))
        row = draws.loc[("chabahar", k)]
        assert r.cost_usd == pytest.approx(row["cost_usd"], rel=1e-9), k
        assert r.hours == pytest.approx(row["hours"], rel=1e-9), k
