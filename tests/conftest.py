"""Shared fixtures: a tiny hand-drawn network written to a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TINY_PLACES = """id,name,aliases,country,kind,lon,lat,modes,handling_usd_per_teu,handling_h,source,notes
alpha,Alpha,Alfa;Alpha City,UZ,city,68.0,41.0,rail;road,,,tiny,
bravo,Bravo Bridge,,UZ,border,68.0,40.2,rail;road,,,tiny,
charlie,Charlie,,AF,city,68.0,39.4,rail;road,,,tiny,
delta,Delta Pass,,PK,border,68.0,38.2,rail;road,,,tiny,
echo,Echo Port,,PK,port,68.0,36.6,rail;road;sea,40,30,tiny,own terminal tariff
foxtrot,Foxtrot Hub,,AE,port,60.0,30.0,sea,,,tiny,
"""

TINY_LINKS = """id,from,to,mode,gauge_mm,country,length_km,status,speed_kmh,rate_usd_per_teu_km,headway_h,corridors,bidirectional,waypoints,straits,source,notes
r_ab,alpha,bravo,rail,1520,UZ,100,operational,,,,,true,,,tiny,
r_bc,bravo,charlie,rail,1520,AF,100,operational,,,,,true,,,tiny,
r_cd,charlie,delta,rail,1520,AF,150,planned,,,,uap,true,,,tiny,
r_de,delta,echo,rail,1676,PK,200,operational,50,,,,true,,,tiny,
d_ab,alpha,bravo,road,,UZ,110,operational,,,,,true,,,tiny,
d_bc,bravo,charlie,road,,AF,105,operational,,,,,true,,,tiny,
d_cd,charlie,delta,road,,AF,160,operational,,,,,true,,,tiny,
d_de,delta,echo,road,,PK,210,operational,,,,,true,,,tiny,
s_ef,echo,foxtrot,sea,,,1500,operational,,,168,,true,,hormuz,tiny,
"""

TINY_CROSSINGS = """id,place,mode,from_country,to_country,dwell_h,dwell_low_h,dwell_high_h,fee_usd_per_teu,source,notes
b_rail_uz_af,bravo,rail,UZ,AF,6,4,8,100,tiny,
b_rail_af_uz,bravo,rail,AF,UZ,7,,,110,tiny,
b_road_uz_af,bravo,road,UZ,AF,10,,,50,tiny,
b_road_af_uz,bravo,road,AF,UZ,12,,,55,tiny,
d_rail_af_pk,delta,rail,AF,PK,20,,,200,tiny,
d_rail_pk_af,delta,rail,PK,AF,21,,,210,tiny,
d_road_af_pk,delta,road,AF,PK,30,,,300,tiny,
d_road_pk_af,delta,road,PK,AF,31,,,310,tiny,
"""

TINY_PARAMS = """currency = "USD"
price_year = 2023
unit = "TEU"
source = "tiny"

[value_of_time]
usd_per_teu_h = 2.0
source = "tiny"

[modes.rail]
speed_kmh = 40.0
rate_usd_per_teu_km = 1.0
co2e_kg_per_teu_km = 0.2
source = "tiny"
[modes.rail.countries.PK]
rate_usd_per_teu_km = 0.5
co2e_kg_per_teu_km = 0.3
source = "tiny"

[modes.road]
speed_kmh = 50.0
rate_usd_per_teu_km = 2.0
co2e_kg_per_teu_km = 0.9
source = "tiny"
[modes.road.countries.AF]
speed_kmh = 25.0
source = "tiny"

[modes.sea]
speed_kmh = 30.0
rate_usd_per_teu_km = 0.1
co2e_kg_per_teu_km = 0.07
source = "tiny"

[transfer."rail-road"]
cost_usd_per_teu = 20.0
hours = 5.0
co2e_kg_per_teu = 3.0
source = "tiny"
[transfer."rail-sea"]
cost_usd_per_teu = 60.0
hours = 24.0
source = "tiny"
[transfer."road-sea"]
cost_usd_per_teu = 70.0
hours = 24.0
source = "tiny"

[gauge_break."1520-1676"]
cost_usd_per_teu = 30.0
hours = 10.0
co2e_kg_per_teu = 1.5
method = "transload"
source = "tiny"

[connector.rail]
cost_usd_per_teu = 15.0
hours = 4.0
source = "tiny"
[connector.road]
cost_usd_per_teu = 0.0
hours = 0.0
source = "tiny"
[connector.sea]
cost_usd_per_teu = 30.0
hours = 12.0
source = "tiny"
"""

TINY_CORRIDORS = """[corridors.uap]
name = "Tiny UAP"
tags = ["uap"]
via = ["charlie", "delta"]
modes = ["rail"]
access_modes = ["rail"]
scenario = "uap"
description = "the planned rail link"
source = ["tiny"]
"""

TINY_SCENARIOS = """[scenarios.baseline]
description = "operational links only"
statuses = ["operational"]
source = ["tiny"]

[scenarios.uap]
description = "the planned rail link built"
statuses = ["operational"]
build = ["uap"]
source = ["tiny"]

[scenarios.bravo_closed]
description = "Bravo Bridge shut"
statuses = ["operational"]
close = ["bravo"]
source = ["tiny"]
"""

TINY_SOURCES = """id,title,publisher,year,url,confidence,notes
tiny,Hand-drawn test network,corridor_router tests,2026,,EST,round numbers chosen for hand calculation
"""

TINY_FILES = {
    "places.csv": TINY_PLACES,
    "links.csv": TINY_LINKS,
    "crossings.csv": TINY_CROSSINGS,
    "params.toml": TINY_PARAMS,
    "corridors.toml": TINY_CORRIDORS,
    "scenarios.toml": TINY_SCENARIOS,
    "sources.csv": TINY_SOURCES,
}


def write_tiny(folder: Path) -> Path:
    """Write the tiny network into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TINY_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_path(tmp_path: Path) -> Path:
    r"""A tiny network in a temporary folder::

        alpha(UZ) ==rail 1520== bravo|UZ/AF ==rail 1520== charlie(AF) ..planned 1520.. delta|AF/PK ==rail 1676== echo(PK port) ~~sea~~ foxtrot(AE)
             \--------road-------/     \-------road--------/    \-------road--------/     \------road-------/
    """
    return write_tiny(tmp_path / "tiny")


@pytest.fixture
def tiny(tiny_path: Path):
    from corridor_router import load_network
    return load_network(tiny_path)


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    """A copy of the bundled network that a test may change."""
    from corridor_router.network import _bundled_root
    dest = tmp_path / "central_asia"
    shutil.copytree(_bundled_root() / "central_asia", dest)
    return dest
