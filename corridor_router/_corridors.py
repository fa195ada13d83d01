"""Named corridors: the :class:`Corridor` record and reading ``corridors.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import _params
from ._toml import load_toml, toml_strings, toml_text, unknown_keys
from ._validate import NetworkFiles, Problems
from .errors import shown
from .modes import MODE_TRAITS
from .scenarios import Scenario

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Corridor", "load_corridors"]

_CORRIDOR_KEYS = ("name", "tags", "via", "modes", "access_modes", "scenario", "description",
                  "source")


@dataclass(frozen=True)
class Corridor:
    """A named corridor: the link tags and ordered places that define it.

    Attributes
    ----------
    id : str
        Key in ``corridors.toml``.
    name : str
        Display name.
    tags : tuple of str
        Link corridor tags that belong to the corridor.
    via : tuple of str
        Place ids the corridor passes, in order.
    modes : tuple of str
        Modes allowed on the corridor section, from its first via place to its last
        (empty: any).
    access_modes : tuple of str
        Modes allowed to reach the section from the origin and to leave it for the
        destination (empty: any).
    scenario : str or None
        Scenario in which the corridor exists.
    description : str
        One-line description.
    source : tuple of str
        Source ids.

    Examples
    --------
    >>> Corridor("uap", "Uzbekistan-Afghanistan-Pakistan", tags=("uap",)).via
    ()
    """

    id: str
    name: str
    tags: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    access_modes: tuple[str, ...] = ()
    scenario: str | None = None
    description: str = ""
    source: tuple[str, ...] = ()


def load_corridors(folder: NetworkFiles | Path, problems: Problems, known: set[str],
                   places: gpd.GeoDataFrame | None, links: gpd.GeoDataFrame | None,
                   scenarios: Mapping[str, Scenario] | None) -> dict[str, Corridor]:
    """The corridors of ``corridors.toml``, checked against the network's tables.

    ``known`` holds the source ids; ``places``, ``links`` or ``scenarios`` is None when
    its file could not be read (what refers to it is then not checked).
    """
    file = "corridors.toml"
    data = load_toml(folder, file, problems)
    if data is None:
        return {}
    table = problems.table(data, "corridors", file, "write [corridors.<id>] tables")
    tags = {t for ts in pd.unique(links["corridors"].to_numpy(dtype=object)) for t in ts} \
        if links is not None else set()
    out: dict[str, Corridor] = {}
    for cid, spec in table.items():
        key = f"corridors.{cid}"
        if not isinstance(spec, Mapping):
            problems.add(file, None, key, f"{shown(spec)} is not a table",
                         f"write [{key}] with name, tags, via")
            continue
        unknown_keys(spec, key, _CORRIDOR_KEYS, file, problems)
        via, ctags, modes, access_modes = (
            toml_strings(spec, k, f"{key}.{k}", file, problems)
            for k in ("via", "tags", "modes", "access_modes"))
        srcs = _params.check_sources(spec, key, problems, known, file)
        if "name" not in spec:
            problems.add(file, None, f"{key}.name", "name is missing", "give the corridor a name")
        name = toml_text(spec, "name", f"{key}.name", file, problems, default=cid)
        description = toml_text(spec, "description", f"{key}.description", file, problems)
        scenario = _scenario_of(spec, key, file, problems, scenarios)
        if not via and not ctags:
            problems.add(file, None, key, "neither tags nor via places",
                         "define the corridor by link tags, via places or both")
        for p in via:
            if places is not None and p not in places.index:
                problems.add(file, None, f"{key}.via", f"unknown place id {shown(p)}",
                             "use ids from places.csv")
        for t in ctags:
            if links is not None and t not in tags:
                problems.add(file, None, f"{key}.tags", f"no link carries the tag {shown(t)}",
                             "tag the corridor's links in links.csv (column 'corridors')")
        for field_name, ms in (("modes", modes), ("access_modes", access_modes)):
            for m in ms:
                if m not in MODE_TRAITS:
                    problems.add(file, None, f"{key}.{field_name}", f"unknown mode {shown(m)}",
                                 f"use {', '.join(tuple(MODE_TRAITS))}")
        out[cid] = Corridor(id=cid, name=name, tags=ctags, via=via, modes=modes,
                            access_modes=access_modes, scenario=scenario,
                            description=description, source=tuple(srcs))
    return out


def _scenario_of(spec: Mapping[str, object], key: str, file: str, problems: Problems,
                 scenarios: Mapping[str, Scenario] | None) -> str | None:
    """The corridor's ``scenario`` key: a scenario of scenarios.toml, or None if absent."""
    if "scenario" not in spec:
        return None
    scenario = toml_text(spec, "scenario", f"{key}.scenario", file, problems) or None
    if scenario is None:
        problems.add(file, None, f"{key}.scenario", "the scenario name is empty",
                     "name a scenario of scenarios.toml, or remove the key")
    elif scenarios is not None and scenario not in scenarios:
        problems.add(file, None, f"{key}.scenario",
                     f"scenario {shown(scenario)} is not in scenarios.toml",
                     f"use one of: {', '.join(sorted(scenarios)) or '(none)'}, "
                     "or add the scenario to scenarios.toml")
    return scenario
