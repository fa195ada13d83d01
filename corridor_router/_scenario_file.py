"""Reading ``scenarios.toml``: the named scenarios a network ships with."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import _params
from ._cells import IN_SERVICE
from ._toml import load_toml, toml_strings, toml_text, unknown_keys
from ._validate import NetworkFiles, Problems
from .errors import CorridorRouterError, shown
from .scenarios import Scenario

__all__ = ["flat_overrides", "load_scenarios"]

_SCENARIO_KEYS = ("description", "statuses", "build", "close", "close_days", "overrides",
                  "source")


def flat_overrides(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Overrides with nested tables flattened to dotted keys.

    In TOML, ``modes.rail.speed_kmh = 160`` (unquoted) is a nested table: it means the
    same as the quoted ``"modes.rail.speed_kmh" = 160``.

    Examples
    --------
    >>> flat_overrides({"modes": {"rail": {"speed_kmh": 160}}, "links.a.speed_kmh": 9})
    {'modes.rail.speed_kmh': 160, 'links.a.speed_kmh': 9}
    """
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping) and v:
            out.update(flat_overrides(v, key))
        else:
            out[key] = v
    return out


def load_scenarios(folder: NetworkFiles | Path, problems: Problems, known: set[str]
                   ) -> dict[str, Scenario] | None:
    """The scenarios of scenarios.toml; None if the file cannot be read.

    ``known`` holds the source ids. What a scenario names (places, links, parameters) is
    checked later, against the loaded network (:func:`~.scenarios.validate_scenario`).
    """
    file = "scenarios.toml"
    data = load_toml(folder, file, problems)
    if data is None:
        return None
    table = problems.table(data, "scenarios", file, "write [scenarios.<id>] tables")
    out: dict[str, Scenario] = {}
    for sid, spec in table.items():
        key = f"scenarios.{sid}"
        if not isinstance(spec, Mapping):
            problems.add(file, None, key, f"{shown(spec)} is not a table", f"write [{key}]")
            continue
        unknown_keys(spec, key, _SCENARIO_KEYS, file, problems)
        srcs = _params.check_sources(spec, key, problems, known, file)
        lists = {k: toml_strings(spec, k, f"{key}.{k}", file, problems)
                 for k in ("statuses", "build", "close")}
        description = toml_text(spec, "description", f"{key}.description", file, problems)
        overrides = spec.get("overrides", {})
        if not isinstance(overrides, Mapping):
            problems.add(file, None, f"{key}.overrides", f"{shown(overrides)} is not a table",
                         f'write [{key}.overrides] with "dotted.keys" = numbers')
            overrides = {}
        close_days = spec.get("close_days", {})
        if not isinstance(close_days, Mapping):
            problems.add(file, None, f"{key}.close_days", f"{shown(close_days)} is not a table",
                         f'write [{key}.close_days] with item = days, e.g. torkham = 30')
            close_days = {}
        try:
            out[sid] = Scenario(
                name=sid, description=description,
                statuses=lists["statuses"] if "statuses" in spec else IN_SERVICE,
                build=lists["build"], close=lists["close"],
                overrides=flat_overrides(overrides), source=srcs, close_days=close_days,
            )
        except CorridorRouterError as err:
            problems.add(file, None, key, str(err),
                         "correct the scenario (see networks/README.md, scenarios.toml)")
    return out
