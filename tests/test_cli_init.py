"""``corridor-router init DIR``: a template network that loads and routes, never overwritten."""

from __future__ import annotations

import tomllib

import pytest

from corridor_router import load_network, route
from corridor_router._params import MODE_KEYS
from corridor_router._template import TEMPLATE_FILES, write_template
from corridor_router.cli import main
from corridor_router.errors import InvalidInputError


def test_init_writes_a_network_that_loads_and_routes(tmp_path, capsys):
    folder = tmp_path / "new" / "my_network"            # parents are created
    assert main(["init", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"wrote a template network to {folder}" in out
    assert sorted(p.name for p in folder.iterdir()) == sorted(TEMPLATE_FILES)
    net = load_network(folder)
    assert (len(net.places), len(net.links), len(net.crossings)) == (3, 4, 4)
    assert set(net.links["mode"]) == {"rail", "road"}
    assert set(net.places["kind"]) >= {"border", "city"}
    assert list(net.sources.index) == ["template"]
    r = route("Termez", "Mazar-i-Sharif", network=net)
    assert r.cost_usd > 0 and "border" in set(r.legs["kind"])
    rail = route("termez", "mazar", network=net, corridor="amu_darya")
    assert set(rail.legs.loc[rail.legs["kind"] == "link", "mode"]) == {"rail"}
    assert route("termez", "mazar", network=net, scenario="bridge_slow").hours >= r.hours
    # the command the output suggests works
    assert main(["route", "Termez", "Mazar", "--network", str(folder)]) == 0
    assert "Mazar-i-Sharif" in capsys.readouterr().out


def test_the_template_is_commented_and_gives_every_mode_figure():
    params = TEMPLATE_FILES["params.toml"]
    assert params.count("#") >= 10
    data = tomllib.loads(params)
    for mode in ("rail", "road"):
        assert set(MODE_KEYS) <= set(data["modes"][mode])
    for section in ("value_of_time", "modes", "transfer", "connector"):
        assert section in data
    assert "networks/README.md" in TEMPLATE_FILES["README.md"]


@pytest.mark.parametrize("existing", ["file", "folder"])
def test_init_never_overwrites(tmp_path, capsys, existing):
    target = tmp_path / "taken"
    if existing == "file":
        target.write_text("keep me")
    else:
        target.mkdir()
        (target / "places.csv").write_text("keep me")
    assert main(["init", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("corridor-router: error: ") and "Traceback" not in err
    assert ("is a file" if existing == "file" else "is not empty") in err
    kept = target if existing == "file" else target / "places.csv"
    assert kept.read_text() == "keep me"
    if existing == "folder":
        assert [p.name for p in target.iterdir()] == ["places.csv"]


def test_init_into_an_empty_folder_and_usage_errors(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["init", str(empty)]) == 0
    assert main(["init", ""]) == 1
    assert "DIR is empty" in capsys.readouterr().err
    assert main(["init"]) == 2                            # argparse: DIR is required
    assert "the following arguments are required: DIR" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "empty" / "places.csv" / "x")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_write_template_refuses_a_non_empty_folder(tmp_path):
    write_template(tmp_path / "a")
    with pytest.raises(InvalidInputError, match="is not empty"):
        write_template(tmp_path / "a")
