"""Derive the bundled country boundaries, ``corridor_router/_data/boundaries.geojson``.

Usage::

    python scripts/make_boundaries.py [--source PATH] [--out PATH] [--check]

The source is Natural Earth's 1:110m "Admin 0 – Countries" layer (public domain,
https://www.naturalearthdata.com), as shipped in the pyogrio wheel
(``pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp``, a copy of the
``naturalearth_lowres`` dataset geopandas once bundled); ``--source`` takes another copy
of the same layer (a Natural Earth download has ``NAME`` and ``ISO_A3`` columns, which
are read as well).

What is kept: the countries that reach into the box the bundled network's places and
sea lanes span (:data:`BOX`), clipped to it; the columns ``name`` and ``iso_a3``; each
polygon simplified by :data:`TOLERANCE_DEG` (topology kept) and its coordinates rounded
to :data:`DECIMALS` places (about 1 km). Seas, the Caspian included, are the space no
country polygon covers. ``--check`` writes nothing and exits 1 if the file would change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import box, mapping

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "corridor_router" / "_data" / "boundaries.geojson"

#: (west, south, east, north) in degrees: the bundled network's places (Rotterdam to
#: Shanghai, Colombo to St Petersburg) and its sea lanes round the Cape, with a margin.
BOX = (-25.0, -40.0, 150.0, 72.0)
#: Douglas-Peucker tolerance, degrees: below the 1:110m source's own vertex spacing.
TOLERANCE_DEG = 0.05
#: Decimal places of the coordinates written (0.01 degree is about 1 km).
DECIMALS = 2


def default_source() -> Path:
    """The Natural Earth 1:110m countries shipped in the installed pyogrio wheel."""
    import pyogrio

    return (Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres"
            / "naturalearth_lowres.shp")


def boundaries(source: Path) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of the clipped, simplified, rounded countries."""
    gdf = gpd.read_file(source)
    gdf.columns = [c.lower() if c != "geometry" else c for c in gdf.columns]
    gdf = gdf.set_geometry("geometry").to_crs("EPSG:4326")
    frame = box(*BOX)
    features = []
    for name, iso, geom in sorted(zip(gdf["name"], gdf["iso_a3"], gdf.geometry),
                                  key=lambda t: str(t[0])):
        if geom is None or not geom.intersects(frame):
            continue
        part = shapely.simplify(geom.intersection(frame), TOLERANCE_DEG,
                                preserve_topology=True)
        part = shapely.set_precision(part, 10.0 ** -DECIMALS)
        polys = [g for g in getattr(part, "geoms", [part]) if g.geom_type == "Polygon"
                 and not g.is_empty]
        if not polys:
            continue
        shape = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
        features.append({"type": "Feature",
                         "properties": {"name": str(name), "iso_a3": str(iso)},
                         "geometry": _rounded(mapping(shape))})
    return {"type": "FeatureCollection",
            "name": "boundaries",
            "crs": {"type": "name",
                    "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "source": "Natural Earth 1:110m Admin 0 - Countries (public domain, "
                      "naturalearthdata.com); see corridor_router/_data/README.md",
            "features": features}


def _rounded(obj: Any) -> Any:
    """GeoJSON coordinates rounded to :data:`DECIMALS` (tuples become lists)."""
    if isinstance(obj, float):
        return round(obj, DECIMALS)
    if isinstance(obj, (list, tuple)):
        return [_rounded(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    return obj


def dumps(collection: dict[str, Any]) -> str:
    """Compact JSON, one feature a line (diffs stay readable)."""
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(f, separators=(",", ":")) for f in collection["features"]]
    text = json.dumps(head, separators=(",", ":"))[:-1]
    return text + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the boundary file; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None,
                        help="Natural Earth 1:110m Admin 0 countries (default: pyogrio's copy)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the file would change")
    args = parser.parse_args(argv)
    text = dumps(boundaries(args.source or default_source()))
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'would change'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    n = text.count('"type":"Feature"')
    print(f"wrote {args.out} ({n} countries, {len(text.encode()) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
