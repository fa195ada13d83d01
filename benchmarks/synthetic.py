"""Seeded synthetic multimodal networks, written in the bundled network's file format.

Countries are cells of a grid, each with its own rail gauge; places are scattered in
each cell and joined to their nearest neighbours by road and (mostly) rail; border
places on shared cell edges carry rail and road crossings; ports on the western coast
are joined by scheduled sea links. Lengths are geodesic distance times a circuity
factor, so the files pass the same validation as real data. Sizes run from a few
dozen places to more than a million directed virtual edges.

Run ``python -m benchmarks.synthetic OUT_DIR --places 1000 --seed 1`` to write one.
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

__all__ = ["make_network"]

_GEOD = Geod(ellps="WGS84")
_GAUGES = (1435, 1520, 1676)
_CELL_DEG = 4.0      # degrees per country cell, shrunk for big grids to stay within 20-80 N
_MAX_GRID = 25


def _codes(n: int) -> list[str]:
    letters = string.ascii_uppercase
    return [a + b for a in letters for b in letters if a != b][:n]


def make_network(folder: str | Path, n_places: int, *, seed: int = 0, grid: int | None = None,
                 neighbours: int = 3, rail_share: float = 0.7, planned_share: float = 0.1,
                 ports: int | None = None) -> Path:
    """Write a synthetic network to ``folder`` and return the folder.

    Parameters
    ----------
    folder : str or Path
        Output folder (created).
    n_places : int
        Number of ordinary places (border places and ports come on top).
    seed : int
        Random seed: the same arguments give the same files.
    grid : int, optional
        Countries form a ``grid x grid`` square (default grows with ``n_places``).
    neighbours : int
        Each place links to this many nearest places of its country.
    rail_share : float
        Share of neighbour pairs that also get a rail link.
    planned_share : float
        Share of links with status ``planned`` (tagged ``new``).
    ports : int, optional
        Number of sea ports on the western coast (default: one per grid row).
    """
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # Two-letter country codes run out at 650: bigger networks get bigger countries.
    grid = grid or min(_MAX_GRID, max(2, round(np.sqrt(max(n_places, 4) / 40))))
    if grid > _MAX_GRID:
        raise ValueError(f"grid must be at most {_MAX_GRID} (two-letter country codes)")
    codes = _codes(grid * grid)
    cell_deg = min(_CELL_DEG, 60.0 / grid)
    gauge = {c: _GAUGES[i % 3] for i, c in enumerate(codes)}

    # Places: uniform in each country's cell.
    per = np.full(grid * grid, n_places // (grid * grid))
    per[: n_places % (grid * grid)] += 1
    cell = np.repeat(np.arange(grid * grid), per)
    gx, gy = cell % grid, cell // grid
    lon = 40.0 + (gx + rng.uniform(0.05, 0.95, len(cell))) * cell_deg
    lat = 20.0 + (gy + rng.uniform(0.05, 0.95, len(cell))) * cell_deg
    country = np.array(codes)[cell]
    ids = [f"p{i}" for i in range(len(cell))]
    places = pd.DataFrame({"id": ids, "name": [f"Place {i}" for i in range(len(cell))],
                           "aliases": "", "country": country, "kind": "city",
                           "lon": lon.round(5), "lat": lat.round(5), "modes": "rail;road",
                           "handling_usd_per_teu": "", "handling_h": "", "source": "syn",
                           "notes": ""})

    links: list[dict] = []

    def add_link(a, b, mode, cc, km, status="operational", tags="", headway=""):
        links.append({"id": f"l{len(links)}", "from": a, "to": b, "mode": mode,
                      "gauge_mm": gauge[cc] if mode == "rail" else "",
                      "country": cc if mode in ("rail", "road") else "",
                      "length_km": round(km, 3), "status": status, "speed_kmh": "",
                      "rate_usd_per_teu_km": "", "headway_h": headway, "corridors": tags,
                      "bidirectional": "true", "waypoints": "", "straits": "", "source": "syn",
                      "notes": ""})

    def circuity(n):
        return rng.uniform(1.05, 1.6, n)

    # Nearest neighbours inside each country (planar approximation for the choice only).
    for c in range(grid * grid):
        members = np.flatnonzero(cell == c)
        if len(members) < 2:
            continue
        xy = np.c_[lon[members], lat[members]]
        k = min(neighbours, len(members) - 1)
        order = np.argsort(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1), axis=1)[:, 1:k + 1]
        pairs = {(min(i, j), max(i, j)) for i in range(len(members)) for j in order[i]}
        pairs |= {(i, i + 1) for i in range(len(members) - 1)}   # keep the country connected
        pairs = sorted(pairs)
        a = members[[p[0] for p in pairs]]
        b = members[[p[1] for p in pairs]]
        _, _, m = _GEOD.inv(lon[a], lat[a], lon[b], lat[b])
        km = m / 1000 * circuity(len(pairs))
        planned = rng.random(len(pairs)) < planned_share
        rail = rng.random(len(pairs)) < rail_share
        for i in range(len(pairs)):
            status, tags = ("planned", "new") if planned[i] else ("operational", "")
            add_link(ids[a[i]], ids[b[i]], "road", codes[c], km[i])
            if rail[i]:
                add_link(ids[a[i]], ids[b[i]], "rail", codes[c], km[i] * 1.02, status, tags)

    # Border places on the edges between neighbouring cells, joined to the nearest place
    # of each side by rail and road.
    border_rows, crossings = [], []
    for c in range(grid * grid):
        x, y = c % grid, c // grid
        for nx_, ny_ in ((x + 1, y), (x, y + 1)):
            if nx_ >= grid or ny_ >= grid:
                continue
            d = ny_ * grid + nx_
            if nx_ > x:
                blon = 40.0 + nx_ * cell_deg
                blat = 20.0 + (y + rng.uniform(0.2, 0.8)) * cell_deg
            else:
                blon = 40.0 + (x + rng.uniform(0.2, 0.8)) * cell_deg
                blat = 20.0 + ny_ * cell_deg
            bid = f"b{len(border_rows)}"
            border_rows.append({"id": bid, "name": f"Border {len(border_rows)}", "aliases": "",
                                "country": codes[c], "kind": "border", "lon": round(blon, 5),
                                "lat": round(blat, 5), "modes": "rail;road",
                                "handling_usd_per_teu": "", "handling_h": "",
                                "source": "syn", "notes": ""})
            for side in (c, d):
                members = np.flatnonzero(cell == side)
                if not len(members):
                    continue
                near = members[np.argmin((lon[members] - blon) ** 2 + (lat[members] - blat) ** 2)]
                _, _, m = _GEOD.inv(blon, blat, lon[near], lat[near])
                km = m / 1000 * circuity(1)[0] + 1.0
                add_link(bid, ids[near], "road", codes[side], km)
                add_link(bid, ids[near], "rail", codes[side], km * 1.02)
            for mode in ("rail", "road"):
                for a_, b_ in ((c, d), (d, c)):
                    crossings.append({
                        "id": f"x{len(crossings)}", "place": bid, "mode": mode,
                        "from_country": codes[a_], "to_country": codes[b_],
                        "dwell_h": round(float(rng.uniform(2, 60)), 2), "dwell_low_h": "",
                        "dwell_high_h": "",
                        "fee_usd_per_teu": round(float(rng.uniform(20, 400)), 2),
                        "source": "syn", "notes": ""})

    # Ports: the westernmost place of the first cell of each row, plus sea links between them.
    n_ports = ports if ports is not None else grid
    port_rows = []
    for r in range(min(n_ports, grid)):
        members = np.flatnonzero(cell == r * grid)
        if len(members):
            p = members[np.argmin(lon[members])]
            places.loc[p, ["kind", "modes"]] = ["port", "rail;road;sea"]
            port_rows.append(p)
    for i, p in enumerate(port_rows):
        for q in port_rows[i + 1:]:
            _, _, m = _GEOD.inv(lon[p], lat[p], lon[q], lat[q])
            add_link(ids[p], ids[q], "sea", "", m / 1000 * 1.3 + 5, headway=168.0)

    places = pd.concat([places, pd.DataFrame(border_rows)], ignore_index=True)
    places.to_csv(folder / "places.csv", index=False)
    pd.DataFrame(links).to_csv(folder / "links.csv", index=False)
    pd.DataFrame(crossings).to_csv(folder / "crossings.csv", index=False)
    (folder / "sources.csv").write_text(
        "id,title,publisher,year,url,confidence,notes\n"
        f"syn,Synthetic network (seed {seed}),corridor_router benchmarks,2026,,EST,"
        "random places; lengths = geodesic x U(1.05 1.6) circuity; "
        "parameters chosen as round numbers\n",
        encoding="utf-8")
    (folder / "params.toml").write_text(_PARAMS, encoding="utf-8")
    (folder / "scenarios.toml").write_text(_SCENARIOS, encoding="utf-8")
    has_new = any(link["corridors"] == "new" for link in links)
    (folder / "corridors.toml").write_text(_CORRIDORS if has_new else "", encoding="utf-8")
    return folder


_PARAMS = """currency = "USD"
price_year = 2023
unit = "TEU"
source = "syn"

[value_of_time]
usd_per_teu_h = 1.5
source = "syn"

[modes.rail]
speed_kmh = 35.0
rate_usd_per_teu_km = 0.6
co2e_kg_per_teu_km = 0.25
source = "syn"
[modes.road]
speed_kmh = 45.0
rate_usd_per_teu_km = 1.3
co2e_kg_per_teu_km = 0.9
source = "syn"
[modes.sea]
speed_kmh = 28.0
rate_usd_per_teu_km = 0.08
co2e_kg_per_teu_km = 0.08
source = "syn"

[transfer."rail-road"]
cost_usd_per_teu = 45.0
hours = 8.0
co2e_kg_per_teu = 5.0
source = "syn"
[transfer."rail-sea"]
cost_usd_per_teu = 110.0
hours = 36.0
source = "syn"
[transfer."road-sea"]
cost_usd_per_teu = 120.0
hours = 30.0
source = "syn"

[gauge_break."1435-1520"]
cost_usd_per_teu = 90.0
hours = 12.0
co2e_kg_per_teu = 2.0
source = "syn"
[gauge_break."1520-1676"]
cost_usd_per_teu = 100.0
hours = 14.0
source = "syn"
[gauge_break."1435-1676"]
cost_usd_per_teu = 95.0
hours = 13.0
source = "syn"

[connector.rail]
cost_usd_per_teu = 30.0
hours = 6.0
source = "syn"
[connector.road]
cost_usd_per_teu = 0.0
hours = 0.0
source = "syn"
[connector.sea]
cost_usd_per_teu = 60.0
hours = 12.0
source = "syn"
"""

_SCENARIOS = """[scenarios.baseline]
description = "operational links only"
statuses = ["operational"]
source = ["syn"]

[scenarios.all_built]
description = "every link, planned ones included"
statuses = ["operational", "under_construction", "planned", "proposed"]
source = ["syn"]
"""

_CORRIDORS = """[corridors.new]
name = "New links"
tags = ["new"]
scenario = "all_built"
description = "every planned link"
source = ["syn"]
"""


def main() -> None:
    """Command line: write one synthetic network."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--places", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    make_network(args.folder, args.places, seed=args.seed)


if __name__ == "__main__":
    main()
