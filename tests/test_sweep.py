"""Sweeps: the table equals compare() task by task, whatever runs it.

Oracles: each (scenario, pair) block equals :func:`compare` called directly with the
pair's spawned seed; the serial run equals a process pool, a thread pool and a Dask
``LocalCluster`` run exactly; 1 worker equals 2.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import corridor_router as cr
from corridor_router.sweep import RANGE_COLUMNS, SWEEP_COLUMNS, read_spec

PAIRS = [("Tashkent", "Karachi"), ("Almaty", "Gwadar")]
SCENARIOS = ["baseline", "pk_af_closed_2025",
             cr.Scenario("torkham_30d", close_days={"torkham": 30})]


def small(**kwargs):
    args = {"corridors": ["uap", "western"], "objective": "generalized", "progress": False}
    args.update(kwargs)
    return cr.sweep(SCENARIOS, PAIRS, **args)


@pytest.fixture(scope="module")
def serial():
    return small(n=300, seed=11, workers=1)


def test_the_table_is_compare_task_by_task(serial):
    assert list(serial.columns) == SWEEP_COLUMNS[:9] + RANGE_COLUMNS + SWEEP_COLUMNS[9:]
    seeds = serial.groupby(["origin", "destination"], sort=False)["seed"].unique()
    # common random numbers: one seed per pair, the same under every scenario
    assert all(len(s) == 1 for s in seeds) and seeds.map(lambda s: s[0]).nunique() == 2
    root = np.random.SeedSequence(11).spawn(2)
    for j, (o, d) in enumerate(PAIRS):
        words = root[j].generate_state(2, np.uint32)
        seed = (int(words[0]) << 31) ^ int(words[1])
        for sc in SCENARIOS:
            name = sc if isinstance(sc, str) else sc.name
            block = serial[(serial["scenario"] == name)
                           & (serial["origin"] == cr.load_network().find_place(o))]
            assert (block["seed"] == seed).all()
            direct = cr.compare(o, d, scenario=sc, corridors=["uap", "western"],
                                objective="generalized", n=300, seed=seed)
            assert block["alternative"].tolist() == direct.index.tolist()
            for col in ("days", "cost_usd", "km", *RANGE_COLUMNS):
                np.testing.assert_array_equal(block[col].to_numpy(dtype=float),
                                              direct[col].to_numpy(dtype=float), err_msg=col)
    assert serial.attrs["seed"] == 11 and serial.attrs["n"] == 300


def test_the_closure_moves_tashkent_karachi_in_the_sweep(serial):
    today = serial[(serial["alternative"] == "today") & (serial["origin"] == "tashkent")]
    by = today.set_index("scenario")
    assert by.loc["pk_af_closed_2025", "days"] > by.loc["baseline", "days"] + 5
    # rows with no route say why
    closed = serial[(serial["scenario"] == "pk_af_closed_2025")
                    & (serial["alternative"] == "western")]
    assert closed["cost_usd"].isna().all() and closed["error"].str.len().gt(0).all()


def test_one_worker_equals_two_processes_and_threads(serial):
    pd.testing.assert_frame_equal(small(n=300, seed=11, workers=2), serial)
    with ThreadPoolExecutor(3) as pool:
        pd.testing.assert_frame_equal(small(n=300, seed=11, executor=pool), serial)


def test_a_user_process_pool_is_used_and_left_open(serial):
    with ProcessPoolExecutor(2) as pool:
        pd.testing.assert_frame_equal(small(n=300, seed=11, executor=pool), serial)
        assert pool.submit(int, "7").result() == 7        # still open


def test_a_dask_local_cluster_gives_the_same_table(serial):
    """Acceptance: LocalCluster(n_workers=2, processes=True) equals the serial run."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pd.testing.assert_frame_equal(small(n=300, seed=11, client=client), serial)
        pd.testing.assert_frame_equal(small(n=300, seed=11, executor=client.get_executor()),
                                      serial)


def test_without_draws_the_table_has_central_figures_only():
    t = cr.sweep(["baseline"], [("Tashkent", "Karachi")], corridors=["uap"], workers=1,
                 progress=False)
    assert not set(RANGE_COLUMNS) & set(t.columns)
    assert t["seed"].isna().all()
    direct = cr.compare("Tashkent", "Karachi", corridors=["uap"])
    np.testing.assert_array_equal(t["cost_usd"].to_numpy(), direct["cost_usd"].to_numpy())


def test_a_fresh_seed_is_reported_and_replays():
    a = cr.sweep(None, [("Tashkent", "Karachi")], n=50, corridors=["uap"], workers=1,
                 progress=False)
    b = cr.sweep(None, [("Tashkent", "Karachi")], n=50, corridors=["uap"], workers=1,
                 progress=False, seed=a.attrs["seed"])
    pd.testing.assert_frame_equal(a, b)


def test_a_failing_task_is_a_row_not_an_exception():
    shut = cr.Scenario("karachi shut", close=["karachi"])
    t = cr.sweep(["baseline", shut], [("Tashkent", "Karachi")], corridors=["uap"],
                 workers=1, progress=False)
    failed = t[t["scenario"] == "karachi shut"]
    assert len(failed) == 1 and failed["error"].iloc[0].startswith("NoRouteError")
    assert (t[t["scenario"] == "baseline"]["error"] == "").all()


def test_scenarios_as_dicts_and_the_input_is_not_changed():
    given = [{"name": "t3", "close_days": {"torkham": 3}}]
    pairs = [["Peshawar", "Jalalabad"]]
    t = cr.sweep(given, pairs, workers=1, progress=False, corridors=[])
    assert t["scenario"].tolist() == ["t3"]
    assert given == [{"name": "t3", "close_days": {"torkham": 3}}]
    assert pairs == [["Peshawar", "Jalalabad"]]


def test_parquet_round_trip(tmp_path, serial):
    pytest.importorskip("pyarrow")
    path = tmp_path / "sweep.parquet"
    t = small(n=300, seed=11, workers=1, parquet=path)
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, t.reset_index(drop=True), check_dtype=False)


def test_a_progress_bar_on_a_pool(capsys):
    pytest.importorskip("tqdm")
    with ThreadPoolExecutor(2) as pool:
        cr.sweep(["baseline"], PAIRS, corridors=[], executor=pool, progress=True)
    assert "sweep" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n": -1}, cr.InvalidInputError, "n must be"),
    ({"n": True}, cr.InvalidInputError, "n must be"),
    ({"seed": -3}, cr.InvalidInputError, "seed must be"),
    ({"seed": 1.5}, cr.InvalidInputError, "seed must be"),
    ({"workers": 0}, cr.InvalidInputError, "workers must be"),
    ({"executor": "pool"}, cr.InputTypeError, "executor must be"),
    ({"client": object()}, cr.InputTypeError, "client must be"),
    ({"objective": "fastest"}, cr.InvalidInputError, "objective must be"),
    ({"corridors": ["nowhere"]}, cr.InvalidInputError, "Unknown corridor 'nowhere'"),
    ({"corridors": "uap"}, cr.InputTypeError, "corridors must be"),
    ({"corridors": [["uap"]]}, cr.InputTypeError, "corridors must be"),
    ({"parquet": 5}, cr.InputTypeError, "parquet must be a file path"),
    ({"progress": "yes"}, cr.InputTypeError, "progress must be"),
])
def test_sweep_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        cr.sweep(["baseline"], [("Tashkent", "Karachi")], **kwargs)


@pytest.mark.parametrize("scenarios, pairs, error, match", [
    (["baseline"], [], cr.InvalidInputError, "pairs is empty"),
    (["baseline"], "Tashkent", cr.InputTypeError, "pairs must be"),
    (["baseline"], [("Tashkent", 3)], cr.InputTypeError, r"pairs\[0\]"),
    (["baseline"], [("Tashkent", "Atlantis")], cr.PlaceNotFoundError, "Atlantis"),
    (["baseline", "baseline"], [("Tashkent", "Karachi")], cr.InvalidInputError,
     "given twice"),
    ([], [("Tashkent", "Karachi")], cr.InvalidInputError, "scenarios is empty"),
    (["nope"], [("Tashkent", "Karachi")], cr.ScenarioError, "Unknown scenario 'nope'"),
    ([{"name": "x", "colse": ["a"]}], [("Tashkent", "Karachi")], cr.InputTypeError,
     "fields of Scenario"),
])
def test_sweep_refuses_bad_scenarios_and_pairs(scenarios, pairs, error, match):
    with pytest.raises(error, match=match):
        cr.sweep(scenarios, pairs)


def test_both_an_executor_and_a_client_are_refused():
    with ThreadPoolExecutor(1) as pool, pytest.raises(cr.InvalidInputError, match="not both"):
        cr.sweep(["baseline"], PAIRS, executor=pool, client=object())


SPEC = """[sweep]
pairs = [["Tashkent", "Karachi"]]
scenarios = ["baseline", "torkham_30d"]
n = 20
seed = 3
corridors = ["uap"]
objective = "generalized"

[scenarios.torkham_30d]
close_days = { torkham = 30 }
"""


def test_a_spec_file_gives_the_sweep_arguments(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC, encoding="utf-8")
    spec = read_spec(path)
    assert spec["scenarios"] == ["baseline", {"name": "torkham_30d",
                                              "close_days": {"torkham": 30}}]
    assert (spec["n"], spec["seed"], spec["objective"]) == (20, 3, "generalized")
    t = cr.sweep(progress=False, workers=1, **spec)
    assert t["scenario"].unique().tolist() == ["baseline", "torkham_30d"]


@pytest.mark.parametrize("text, match", [
    ("[sweep\n", "not valid TOML"),
    ("x = 1\n", "no \\[sweep\\] table"),
    ("[sweep]\npairs = [['a', 'b']]\nspeed = 3\n", "unknown key"),
    ("[sweep]\nscenarios = ['baseline']\n", "needs pairs"),
    ("[sweep]\npairs = [['a', 'b']]\nscenarios = 'baseline'\n", "list of names"),
    ("[sweep]\npairs = [['a', 'b']]\n[other]\nx = 1\n", "unknown table"),
])
def test_bad_spec_files_are_refused(tmp_path, text, match):
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cr.InvalidInputError, match=match):
        read_spec(path)
    with pytest.raises(cr.InvalidInputError, match="cannot read"):
        read_spec(tmp_path / "missing.toml")


def test_the_spec_network_is_found_beside_the_spec(tmp_path, tiny_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(f"[sweep]\npairs = [['alpha', 'echo']]\nnetwork = '{tiny_path.name}'\n",
                    encoding="utf-8")
    assert tiny_path.parent == tmp_path
    args = read_spec(spec)
    t = cr.sweep(progress=False, workers=1, **args)
    assert t.attrs["network"] == "tiny" and t["origin"].tolist()[0] == "alpha"


def test_the_parquet_error_names_the_extra(monkeypatch, tmp_path):
    # pyarrow hidden from the writer alone: pandas itself uses it, when installed
    import importlib

    sweep_module = importlib.import_module("corridor_router.sweep")
    real = sweep_module.importlib.import_module

    def without_pyarrow(name, *args):
        if name == "pyarrow":
            raise ImportError("No module named 'pyarrow'")
        return real(name, *args)

    net = cr.load_network()
    monkeypatch.setattr(sweep_module.importlib, "import_module", without_pyarrow)
    with pytest.raises(cr.InvalidInputError, match=r"corridor_router\[parquet\]"):
        cr.sweep(["baseline"], [("Tashkent", "Karachi")], corridors=[], workers=1,
                 progress=False, parquet=tmp_path / "x.parquet", network=net)


def test_a_shut_down_executor_is_a_clear_error():
    pool = ThreadPoolExecutor(1)
    pool.shutdown()
    with pytest.raises(cr.InvalidInputError, match="cannot take tasks"):
        cr.sweep(["baseline"], PAIRS, corridors=[], executor=pool, progress=False)


def test_a_network_edited_on_disk_is_loaded_again(bundled_copy):
    """Workers key the network by its files: an edited folder is not routed stale."""
    net = cr.load_network(bundled_copy)
    args = {"corridors": [], "progress": False}
    before = cr.sweep(["baseline"], [("Peshawar", "Jalalabad")], network=net, workers=1, **args)
    crossings = bundled_copy / "crossings.csv"
    text = crossings.read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in text]
    head = rows[0]
    dwell, high, ident = head.index("dwell_h"), head.index("dwell_high_h"), head.index("id")
    for r in rows[1:]:
        if r[ident].startswith("torkham_road"):
            r[dwell] = r[high] = "999"
    crossings.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    edited = cr.load_network(bundled_copy)
    one = cr.sweep(["baseline"], [("Peshawar", "Jalalabad")], network=edited, workers=1, **args)
    two = cr.sweep(["baseline"], [("Peshawar", "Jalalabad")], network=str(bundled_copy),
                   workers=2, **args)
    with ThreadPoolExecutor(1) as pool:
        three = cr.sweep(["baseline"], [("Peshawar", "Jalalabad")], network=str(bundled_copy),
                         executor=pool, **args)
    expected = cr.route("Peshawar", "Jalalabad", network=edited).days
    assert before["days"].iloc[0] != pytest.approx(expected)
    for t in (one, two, three):
        assert t["days"].iloc[0] == pytest.approx(expected)
