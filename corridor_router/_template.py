# ruff: noqa: E501  (the CSV files' rows are as long as their cells)
"""The template network ``corridor-router init DIR`` writes: small, valid and commented.

Three places on the Uzbekistan-Afghanistan border (Termez, the Friendship Bridge,
Mazar-i-Sharif), a rail and a road link on each side, the bridge's crossings, every
section ``params.toml`` needs and one source. The figures are placeholders (the source
says so): replace them, and the places, with your own.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InvalidInputError

__all__ = ["TEMPLATE_FILES", "write_template"]

_README = """\
# A template network

Written by `corridor-router init`. It loads and routes as it is:

    corridor-router places --network .
    corridor-router route Termez "Mazar-i-Sharif" --network .

Replace the places, links, crossings, parameters and sources with your own; the format
of every file is in networks/README.md of corridor_router. CSV files cannot hold
comments, so here is what each holds:

* `sources.csv`: where every figure comes from. Every row of the other files names
  source ids from here. `confidence` EST marks an estimate; its `notes` say how it was
  derived. The template's single source is a placeholder: cite real ones.
* `places.csv`: one row per city, port, terminal or border crossing point (`kind`),
  lon/lat in WGS84 degrees, and the modes cargo can be loaded or transferred in there.
* `links.csv`: one row per link; a link lies in one country (a border is a place of
  kind `border` between two links). Rail links give their gauge; `length_km` is never
  shorter than the straight (geodesic) distance between the two places.
* `crossings.csv`: one row per border place, mode and direction: hours and fees.
* `params.toml`: speeds, rates and emissions per mode, transfer and connector costs:
  the defaults of every link and place. Comments there say what each table is.
* `corridors.toml`, `scenarios.toml`: named corridors and what-if scenarios.

Optional files: `sea_links.csv` (sea lanes), `observed.csv` (published trips to
calibrate against), `disruptions.csv` (a log of closures).
"""

_SOURCES = """\
id,title,publisher,year,url,confidence,notes
template,Placeholder figures of the corridor-router template network,corridor_router,,,EST,"Round placeholder figures, not sourced: replace every figure that cites this source with a sourced one, and this row with the real sources."
"""

_PLACES = """\
id,name,aliases,country,kind,lon,lat,modes,handling_usd_per_teu,handling_h,source,notes
termez,Termez,Termiz,UZ,city,67.2783,37.2242,rail;road,,,template,Rail terminal and road hub on the Uzbek side.
friendship_bridge,Friendship Bridge,Hairatan;Termez-Hairatan bridge,UZ,border,67.4153,37.2313,rail;road,,,template,"Border crossing point over the Amu Darya: its country is either side, its two sides come from crossings.csv."
mazar,Mazar-i-Sharif,Mazar;Naibabad,AF,city,67.1109,36.7090,rail;road,,,template,Rail terminal (Naibabad) and road hub on the Afghan side.
"""

_LINKS = """\
id,from,to,mode,gauge_mm,country,length_km,status,speed_kmh,rate_usd_per_teu_km,headway_h,corridors,bidirectional,waypoints,straits,source,notes
rail_termez_bridge,termez,friendship_bridge,rail,1520,UZ,15,operational,,,,amu_darya,true,,,template,Speed and rate from params.toml (modes.rail).
rail_bridge_mazar,friendship_bridge,mazar,rail,1520,AF,75,operational,,,,amu_darya,true,,,template,"Hairatan-Naibabad line; an own speed_kmh or rate_usd_per_teu_km here would override params.toml."
road_termez_bridge,termez,friendship_bridge,road,,UZ,14,operational,,,,,true,,,template,
road_bridge_mazar,friendship_bridge,mazar,road,,AF,70,operational,,,,,true,,,template,
"""

_CROSSINGS = """\
id,place,mode,from_country,to_country,dwell_h,dwell_low_h,dwell_high_h,fee_usd_per_teu,source,notes
bridge_rail_uz_af,friendship_bridge,rail,UZ,AF,24,12,48,150,template,Both sides' clearance in this direction; low and high give the spread simulate() draws from.
bridge_rail_af_uz,friendship_bridge,rail,AF,UZ,24,,,150,template,
bridge_road_uz_af,friendship_bridge,road,UZ,AF,12,,,100,template,
bridge_road_af_uz,friendship_bridge,road,AF,UZ,12,,,100,template,
"""

_PARAMS = """\
# Defaults and rates of the template network (networks/README.md, params.toml).
# Every figure is a placeholder citing the source "template": replace them.
currency = "USD"            # every cost is USD per TEU ...
price_year = 2023           # ... of this year
unit = "TEU"
source = ["template"]

[value_of_time]             # objective="generalized": hours are worth this much
usd_per_teu_h = 6.0
source = ["template"]

# Line haul by mode: speed, rate and well-to-wheel emissions, for every country ...
[modes.rail]
speed_kmh = 30.0
rate_usd_per_teu_km = 0.5
co2e_kg_per_teu_km = 0.1
source = ["template"]
# ... or for one country (any key may be left out):
[modes.rail.countries.AF]
speed_kmh = 20.0
source = ["template"]

[modes.road]
speed_kmh = 40.0
speed_kmh_low = 30.0        # a sourced spread: simulate() draws between low and high
speed_kmh_high = 50.0
rate_usd_per_teu_km = 1.5
co2e_kg_per_teu_km = 0.8
source = ["template"]

# Changing mode at a place serving both (pair sorted alphabetically, joined by "-").
[transfer."rail-road"]
cost_usd_per_teu = 50.0
hours = 12.0
source = ["template"]

# Loading at the origin and unloading at the destination, by mode.
[connector.rail]
cost_usd_per_teu = 30.0
hours = 6.0
source = ["template"]

[connector.road]
cost_usd_per_teu = 0.0
hours = 0.0
source = ["template"]

# Needed once rail links of two gauges meet at a place, e.g.:
# [gauge_break."1435-1520"]
# cost_usd_per_teu = 150.0
# hours = 24.0
# method = "bogie exchange or transload"
# source = ["template"]
"""

_CORRIDORS = """\
# Named corridors: the links carrying a tag and the places passed, in order.
[corridors.amu_darya]
name = "Termez-Mazar rail"
tags = ["amu_darya"]                      # links.csv column 'corridors'
via = ["termez", "friendship_bridge", "mazar"]
modes = ["rail"]                          # modes between the first and last via place
description = "Rail across the Friendship Bridge"
source = ["template"]
"""

_SCENARIOS = """\
# Named what-if scenarios; route(..., scenario="baseline") is the default.
[scenarios.baseline]
description = "What runs today"
statuses = ["operational", "restricted"]  # link statuses that exist
source = ["template"]

[scenarios.bridge_slow]
description = "Border dwell doubled on the rail crossing into Afghanistan"
source = ["template"]

[scenarios.bridge_slow.overrides]
"crossings.bridge_rail_uz_af.dwell_h" = 48.0
"""

#: The files of the template network, by name.
TEMPLATE_FILES: dict[str, str] = {
    "README.md": _README,
    "sources.csv": _SOURCES,
    "places.csv": _PLACES,
    "links.csv": _LINKS,
    "crossings.csv": _CROSSINGS,
    "params.toml": _PARAMS,
    "corridors.toml": _CORRIDORS,
    "scenarios.toml": _SCENARIOS,
}


def write_template(folder: Path) -> list[Path]:
    """Write the template network into ``folder`` (created with its parents).

    Parameters
    ----------
    folder : pathlib.Path
        A folder that does not exist yet, or an empty one.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    InvalidInputError
        If ``folder`` is a file, or a folder that is not empty (nothing is overwritten).

    Examples
    --------
    >>> import tempfile
    >>> from corridor_router import load_network
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_template(Path(tmp) / "my_network")
    ...     net = load_network(Path(tmp) / "my_network")
    >>> len(net.places), sorted(net.scenarios)
    (3, ['baseline', 'bridge_slow'])
    """
    if folder.exists() and not folder.is_dir():
        raise InvalidInputError(f"{str(folder)!r} is a file; name a new or empty folder "
                                "for the network.")
    if folder.is_dir() and any(folder.iterdir()):
        raise InvalidInputError(f"folder {str(folder)!r} is not empty; name a new or empty "
                                "folder (nothing was written).")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in TEMPLATE_FILES.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
