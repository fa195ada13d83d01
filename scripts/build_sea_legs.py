"""Build a network's sea_links.csv: container sea lanes between its ports.

Usage::

    python scripts/build_sea_legs.py [--network networks/central_asia] [--output PATH]

Each lane in `LANES` is computed with `corridor_router.sea.sea_leg` on the maritime
network that ships inside ``searoute`` (no network access). Ports are the places of the
network's ``places.csv`` whose ``modes`` include ``sea``. A lane whose port is missing
from ``places.csv`` is skipped and reported on stderr (``--strict`` makes that an
error). The output is deterministic: rerunning gives a byte-identical file.

Transshipment hubs (Salalah, Jebel Ali, Colombo, Port Said, Piraeus, Ambarli) are ports
like any other: a trip through a hub is two lanes, each with its own headway wait (the
router charges no handling for a sea-to-sea relay at a hub).
Lanes in `CAPE_LANES` are also written as Cape of Good Hope variants (id suffix
``_cape``), computed with Bab el-Mandeb and Suez closed, so that closing those passages
leaves Asia-Europe trade a (longer) sea route.

Rates are line-haul ocean freight only (port handling is added by the router). Every
lane rate in USD per TEU is divided by the lane's computed length; the arithmetic is
written into each row's ``notes``. Figures and their sources are documented next to
the constants below and in the network's ``sources.csv``, where every source id this
script writes must already have its row.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from pyproj import Geod
from shapely.geometry import LineString

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(REPO))

from corridor_router._validate import FIELD_BOUNDS  # noqa: E402
from corridor_router.sea import DEFAULT_RESTRICTIONS, SeaLeg, sea_leg  # noqa: E402

DEFAULT_NETWORK = REPO / "networks" / "central_asia"

#: Columns of links.csv / sea_links.csv, in order (networks/README.md).
COLUMNS = (
    "id", "from", "to", "mode", "gauge_mm", "country", "length_km", "status",
    "speed_kmh", "rate_usd_per_teu_km", "headway_h", "corridors", "bidirectional",
    "waypoints", "straits", "source", "notes",
)  # fmt: skip

#: Douglas-Peucker tolerance (degrees) for the drawn waypoints; length_km always comes
#: from the full, unsimplified path.
WAYPOINT_TOLERANCE_DEG = 0.05

#: Average container-ship sailing speed: 13.8 kn in Q1 2023 (BIMCO / Clarksons
#: Research), x 1.852 km/nmi = 25.56 km/h, rounded to 25.6. At-sea speed only:
#: intermediate port calls of a liner loop are not included.
SPEED_KMH = 25.6
SPEED_SOURCE = "sea_bimco_speed_2023"

#: Source of every length: searoute's maritime network, measured on WGS84.
LENGTH_SOURCE = "sea_searoute_1_6"

#: Weekly fixed-day liner services ("rule of 7"): one departure every 168 h.
WEEKLY_H = 168.0
WEEKLY_SOURCE = "sea_pemp_liner_weekly"


@dataclass(frozen=True)
class LaneRate:
    """An ocean freight rate for a whole lane, in USD per TEU.

    Attributes
    ----------
    usd_per_teu : float
        Rate per TEU, price year 2023 unless ``basis`` says otherwise.
    basis : str
        How the figure was obtained, for the row's notes.
    source : str
        Source id(s), ``;``-separated.
    """

    usd_per_teu: float
    basis: str
    source: str


# Drewry WCI Shanghai->Rotterdam, USD/FEU, 2023 weekly assessments: 23 Feb 1,633;
# 2 Mar 1,593; 16 Mar 1,553; 15 Jun 1,349; 17 Aug 1,768; 9 Nov 1,272; 16 Nov 1,227;
# 23 Nov 1,148; 14 Dec 1,442. Mean 12,985 / 9 = 1,442.8 USD/FEU; / 2 TEU per FEU.
ASIA_EUROPE = LaneRate(
    usd_per_teu=721.4,
    basis="Drewry WCI Shanghai-Rotterdam 2023, mean of 9 weekly spot assessments "
    "1,442.8 USD/FEU / 2 = 721.4 USD/TEU (headhaul westbound)",
    source="sea_drewry_wci_2023",
)
# SCFI Shanghai->Middle East Gulf (Dubai) spot, USD/TEU, 2023: week 21 1,276;
# week 31 809. Mean (1,276 + 809) / 2 = 1,042.5.
CHINA_GULF = LaneRate(
    usd_per_teu=1042.5,
    basis="SCFI Shanghai-Persian Gulf (Dubai) 2023, mean of weeks 21 and 31 "
    "(1,276 + 809) / 2 = 1,042.5 USD/TEU",
    source="sea_sse_scfi_gulf_2023",
)
# Container News, West India (Nhava Sheva/Mundra)->Rotterdam contract rates, USD per
# 20ft: Jan 2023 1,250; end-Nov 2023 450. Mean (1,250 + 450) / 2 = 850. Pakistan's
# Europe trade is priced in the same Indian Subcontinent-North Europe market.
SUBCONTINENT_EUROPE = LaneRate(
    usd_per_teu=850.0,
    basis="Container News West India-Rotterdam 20ft contract rate 2023, mean of "
    "Jan (1,250) and end-Nov (450) = 850 USD/TEU; used for Pakistan, same "
    "Indian Subcontinent-North Europe market",
    source="sea_containernews_india_europe_2023",
)
# Container News, West India->Jebel Ali, June 2024: 250 USD/TEU. No 2023 figure was
# found; this short-sea lane does not pass Bab el-Mandeb, so the Red Sea crisis of
# 2024 touched it far less than Europe lanes. Used for every Arabian Sea/Gulf lane.
ARABIAN_SEA = LaneRate(
    usd_per_teu=250.0,
    basis="Container News West India-Jebel Ali 250 USD/TEU (June 2024, no 2023 "
    "figure found); regional short-sea level for Arabian Sea/Gulf lanes",
    source="sea_containernews_india_gulf_2024",
)
# China->Pakistan 20ft: about 700 USD "in June 2020 and before" (PIFFA former chair,
# Express Tribune 2021). Drewry's WCI composite was back at 2019 level by late 2023
# (1,521 USD/FEU on 14 Dec 2023, 7% above the 2019 average), so the pre-pandemic level
# stands for 2023.
CHINA_PAKISTAN = LaneRate(
    usd_per_teu=700.0,
    basis="China-Pakistan 20ft about 700 USD pre-pandemic (June 2020 and before); "
    "2023 market back at 2019 level per Drewry WCI",
    source="sea_tribune_china_pakistan_2021;sea_drewry_wci_2023",
)

# Drewry WCI Shanghai->Genoa, USD/FEU, 2023: 9 Nov 1,470; 14 Dec 1,697 (the two 2023
# assessments found). Mean 1,583.5 / 2 TEU per FEU = 791.75. Used for Shanghai-Piraeus,
# the same Far East-Mediterranean market (Piraeus lies on the way to Genoa).
ASIA_MED = LaneRate(
    usd_per_teu=791.75,
    basis="Drewry WCI Shanghai-Genoa 2023, mean of the 9 Nov (1,470) and 14 Dec (1,697) "
    "assessments 1,583.5 USD/FEU / 2 = 791.75 USD/TEU; used for the same Far East-"
    "Mediterranean market",
    source="sea_drewry_wci_genoa_2023",
)
# Caucasus Business Week (about 2018): sea freight Poti-Mersin 450 USD per 20ft (free in
# Poti, free out Mersin). The only Black Sea-Turkey/East Mediterranean box rate found;
# used for every feeder lane between the Black Sea ports and Ambarli or Piraeus. Not
# re-based to 2023.
BLACK_SEA_FEEDER = LaneRate(
    usd_per_teu=450.0,
    basis="Poti-Mersin sea freight 450 USD per 20ft (Caucasus Business Week, about 2018, "
    "not re-based to 2023); Black Sea-Turkey/East Mediterranean feeder level",
    source="sea_cbw_poti_mersin",
)

#: Passages closed, on top of `DEFAULT_RESTRICTIONS`, to compute a Cape variant. Panama
#: too: with Suez shut, searoute's shortest Shanghai-Rotterdam path crosses the Pacific
#: and Panama, but the liner services diverted in 2023-24 went round the Cape.
CAPE_CLOSED = ("bab_el_mandeb", "suez", "panama")
#: Passage a Cape variant must pass.
CAPE_PASSAGE = "cape_of_good_hope"
#: Source of a Cape variant's rate: the Suez lane's USD/TEU-km over the Cape length.
CAPE_RATE_SOURCE = "sea_cape_rate_est"

#: Lanes whose USD/TEU-km rates are averaged into the long-haul default.
LONG_HAUL_REFERENCES = (
    ("shanghai", "rotterdam"),
    ("shanghai", "jebel_ali"),
    ("karachi", "rotterdam"),
)
LONG_HAUL_DEFAULT_SOURCE = "sea_longhaul_default_est"


@dataclass(frozen=True)
class Lane:
    """A port pair with a regular container service.

    Attributes
    ----------
    a, b : str
        Port place ids (order fixes the link's from/to; the link is bidirectional).
    rate : LaneRate or None
        Lane rate; None uses the long-haul default per TEU-km.
    why : str
        The service the lane stands for, for the row's notes.
    headway_h : float
        Hours between departures.
    headway_source : str
        Source id of ``headway_h``.
    extra_source : str
        Further source ids for what ``why`` says (``;``-separated).
    cape : bool
        Whether this is the Cape of Good Hope variant of the lane (see `cape_variant`).
    """

    a: str
    b: str
    rate: LaneRate | None
    why: str
    headway_h: float = WEEKLY_H
    headway_source: str = WEEKLY_SOURCE
    extra_source: str = ""
    cape: bool = False

    @property
    def key(self) -> tuple[str, str, bool]:
        """``(a, b, cape)``: what identifies a lane."""
        return self.a, self.b, self.cape

    @property
    def link_id(self) -> str:
        """The sea link's id, e.g. ``sea_karachi_rotterdam_cape``."""
        return f"sea_{self.a}_{self.b}" + ("_cape" if self.cape else "")

    @property
    def restrictions(self) -> tuple[str, ...]:
        """Passages closed when the lane is computed."""
        return (*DEFAULT_RESTRICTIONS, *CAPE_CLOSED) if self.cape else DEFAULT_RESTRICTIONS


#: The lanes, chosen as realistic 2023 container services for cargo to and from
#: Central Asia via Pakistan, Iran, the Gulf hub, India, the Black Sea and the Baltic.
#: India-Pakistan direct lanes are left out: bilateral trade was suspended in 2019.
LANES: tuple[Lane, ...] = (
    # Gulf hub feeders: Pakistan's and Iran's ports to Jebel Ali (Dubai).
    Lane("karachi", "jebel_ali", ARABIAN_SEA, "Pakistan-Gulf hub feeder"),
    Lane("port_qasim", "jebel_ali", ARABIAN_SEA, "Pakistan-Gulf hub feeder"),
    Lane("gwadar", "jebel_ali", ARABIAN_SEA, "Gwadar-Gulf hub feeder (irregular calls)"),
    Lane("bandar_abbas", "jebel_ali", ARABIAN_SEA, "Iran-Gulf hub feeder"),
    Lane("chabahar", "jebel_ali", ARABIAN_SEA, "Iran (Chabahar)-Gulf hub feeder"),
    Lane("karachi", "bandar_abbas", ARABIAN_SEA, "Pakistan-Iran short sea"),
    # India to the Gulf hub and to Iran (INSTC sea leg, Chabahar route to Afghanistan).
    Lane("nhava_sheva", "jebel_ali", ARABIAN_SEA, "India-Gulf"),
    Lane("mundra", "jebel_ali", ARABIAN_SEA, "India-Gulf"),
    Lane("nhava_sheva", "bandar_abbas", ARABIAN_SEA, "INSTC sea leg India-Iran"),
    Lane("mundra", "chabahar", ARABIAN_SEA, "India-Chabahar (Afghanistan trade)"),
    Lane("nhava_sheva", "chabahar", ARABIAN_SEA, "India-Chabahar (Afghanistan trade)"),
    # Far East.
    Lane("shanghai", "karachi", CHINA_PAKISTAN, "China-Pakistan direct"),
    Lane("shanghai", "port_qasim", CHINA_PAKISTAN, "China-Pakistan direct"),
    Lane("shanghai", "bandar_abbas", CHINA_GULF, "China-Iran (priced as China-Gulf)"),
    Lane("shanghai", "jebel_ali", CHINA_GULF, "China-Gulf hub"),
    # Europe via Suez (2023, before the Red Sea diversions of December 2023).
    Lane(
        "shanghai",
        "rotterdam",
        ASIA_EUROPE,
        "Asia-North Europe via Suez; length checks with PEMP's about 10,600 nmi",
        extra_source="sea_pemp_routing_options",
    ),
    Lane("karachi", "rotterdam", SUBCONTINENT_EUROPE, "Pakistan-North Europe"),
    Lane("port_qasim", "rotterdam", SUBCONTINENT_EUROPE, "Pakistan-North Europe"),
    Lane("jebel_ali", "rotterdam", None, "Gulf hub-North Europe"),
    # Black Sea and Baltic to North Europe; Baltic to China.
    Lane("poti", "rotterdam", None, "Georgia (Middle Corridor)-North Europe"),
    Lane("batumi", "rotterdam", None, "Georgia (Middle Corridor)-North Europe"),
    Lane(
        "novorossiysk",
        "rotterdam",
        None,
        "Russia Black Sea-North Europe; major carriers suspended Russia bookings from March 2022",
        extra_source="sea_carriers_russia_2022",
    ),
    Lane(
        "st_petersburg",
        "rotterdam",
        None,
        "Russia Baltic-North Europe; major carriers suspended Russia bookings from March 2022",
        extra_source="sea_carriers_russia_2022",
    ),
    Lane(
        "st_petersburg",
        "shanghai",
        None,
        "FESCO Baltorient Line China-St Petersburg via Suez (from March 2023)",
        headway_h=720.0,
        headway_source="sea_fesco_fbol_2023",
    ),
    # Transshipment hubs (2023 networks). Salalah (APM Terminals) and Colombo collect
    # Pakistan's, India's and the Gulf's boxes for the East-West mainline services.
    Lane(
        "karachi",
        "salalah",
        ARABIAN_SEA,
        "Pakistan-Salalah hub feeder (Maersk relays Karachi/Port Qasim boxes at Salalah)",
        extra_source="sea_brecorder_salalah_2004",
    ),
    Lane(
        "port_qasim",
        "salalah",
        ARABIAN_SEA,
        "Pakistan-Salalah hub feeder (Maersk relays Karachi/Port Qasim boxes at Salalah)",
        extra_source="sea_brecorder_salalah_2004",
    ),
    Lane("jebel_ali", "salalah", ARABIAN_SEA, "Gulf hub-Salalah hub relay"),
    Lane(
        "karachi",
        "colombo",
        ARABIAN_SEA,
        "Pakistan-Colombo (CWX: Shanghai-Singapore-Nhava Sheva-Karachi-Mundra-Colombo)",
        extra_source="sea_ictsi_cwx",
    ),
    Lane(
        "nhava_sheva",
        "colombo",
        ARABIAN_SEA,
        "India-Colombo hub feeder (CWX calls both)",
        extra_source="sea_ictsi_cwx",
    ),
    Lane(
        "mundra",
        "colombo",
        ARABIAN_SEA,
        "India-Colombo hub feeder (CWX calls both)",
        extra_source="sea_ictsi_cwx",
    ),
    # Hub to hub: Indian Ocean hubs to Port Said East (SCCT) at the canal's north end,
    # and Port Said to the East Mediterranean hubs.
    Lane("colombo", "salalah", None, "Indian Ocean hub relay (East-West mainline)"),
    Lane("salalah", "port_said", None, "Indian Ocean hub-Port Said via the Red Sea"),
    Lane("jebel_ali", "port_said", None, "Gulf hub-Port Said via the Red Sea"),
    Lane("colombo", "port_said", None, "Colombo-Port Said via the Red Sea (Asia-Med)"),
    Lane("port_said", "piraeus", None, "East Mediterranean hub relay"),
    Lane("port_said", "ambarli", None, "Port Said-Istanbul (Ambarli) relay"),
    Lane("piraeus", "ambarli", None, "Piraeus-Istanbul (Ambarli) feeder"),
    # Black Sea feeders from the Turkish and Greek hubs, e.g. Evergreen's TGR loop
    # Piraeus-Istanbul-Gebze-Poti-Novorossiysk-Gemlik-Piraeus.
    Lane(
        "ambarli",
        "poti",
        BLACK_SEA_FEEDER,
        "Istanbul-Georgia Black Sea feeder (Middle Corridor)",
        extra_source="sea_evergreen_tgr_2020",
    ),
    Lane(
        "ambarli",
        "batumi",
        BLACK_SEA_FEEDER,
        "Istanbul-Georgia Black Sea feeder (Middle Corridor)",
    ),
    Lane(
        "ambarli",
        "novorossiysk",
        BLACK_SEA_FEEDER,
        "Istanbul-Novorossiysk Black Sea feeder (Turkish lines kept calling after "
        "March 2022; major carriers suspended Russia bookings)",
        extra_source="sea_evergreen_tgr_2020;sea_carriers_russia_2022",
    ),
    Lane(
        "piraeus",
        "poti",
        BLACK_SEA_FEEDER,
        "Piraeus-Georgia Black Sea feeder",
        extra_source="sea_evergreen_tgr_2020",
    ),
    Lane(
        "piraeus",
        "novorossiysk",
        BLACK_SEA_FEEDER,
        "Piraeus-Novorossiysk Black Sea feeder; major carriers suspended Russia "
        "bookings from March 2022",
        extra_source="sea_evergreen_tgr_2020;sea_carriers_russia_2022",
    ),
    # Hubs to North Europe (Asia-Europe mainline calls) and the Far East.
    Lane("salalah", "rotterdam", None, "Salalah hub-North Europe via Suez (mainline call)"),
    Lane("colombo", "rotterdam", None, "Colombo hub-North Europe via Suez (mainline call)"),
    Lane("piraeus", "rotterdam", None, "East Mediterranean-North Europe via Gibraltar"),
    Lane(
        "shanghai",
        "colombo",
        None,
        "Far East-Colombo via Malacca (CWX and mainline calls)",
        extra_source="sea_ictsi_cwx",
    ),
    Lane("shanghai", "piraeus", ASIA_MED, "Far East-Mediterranean via Suez (COSCO's Piraeus)"),
    Lane("colombo", "piraeus", None, "Colombo hub-East Mediterranean via Suez (Asia-Med call)"),
    Lane("salalah", "piraeus", None, "Salalah hub-East Mediterranean via Suez (Asia-Med call)"),
)


#: Lanes also written as Cape of Good Hope variants: the Asia and Middle East-Europe
#: lanes through Bab el-Mandeb and Suez (as carriers rerouted from December 2023). Far
#: East lanes reach them through Colombo: a direct Shanghai-Rotterdam Cape lane is
#: 25,679 km, above the loader's 25,000 km bound on ``length_km``.
CAPE_LANES: tuple[tuple[str, str], ...] = (
    ("karachi", "rotterdam"),
    ("port_qasim", "rotterdam"),
    ("jebel_ali", "rotterdam"),
    ("salalah", "rotterdam"),
    ("colombo", "rotterdam"),
    ("salalah", "piraeus"),
    ("colombo", "piraeus"),
)


def cape_variant(lane: Lane) -> Lane:
    """The Cape of Good Hope variant of a lane: same ports, service and rate basis."""
    return replace(
        lane,
        why=f"{lane.why}; Cape of Good Hope variant of {lane.link_id} "
        f"({', '.join(CAPE_CLOSED)} closed)",
        cape=True,
    )


def all_lanes() -> tuple[Lane, ...]:
    """`LANES` followed by the Cape variants of the lanes in `CAPE_LANES`."""
    by_pair = {(ln.a, ln.b): ln for ln in LANES}
    return (*LANES, *(cape_variant(by_pair[pair]) for pair in CAPE_LANES))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the script; return the process exit code."""
    args = _parse_args(argv)
    network = Path(args.network)
    output = Path(args.output) if args.output else network / "sea_links.csv"
    ports = read_ports(network / "places.csv")
    lanes, missing = _available_lanes(all_lanes(), ports)
    if missing:
        message = "ports missing from places.csv (lanes skipped): " + ", ".join(missing)
        if args.strict:
            print(f"error: {message}", file=sys.stderr)
            return 1
        print(f"warning: {message}", file=sys.stderr)
    rows = build_rows(lanes, ports)
    problems = lane_problems(rows)
    if problems:
        print("error: " + "; ".join(problems), file=sys.stderr)
        return 1
    sources_csv = network / "sources.csv"
    unknown = _unknown_sources(rows, sources_csv)
    if unknown:
        print(f"error: source ids not in {sources_csv}: {', '.join(unknown)}", file=sys.stderr)
        return 1
    output.write_text(to_csv(rows), encoding="utf-8", newline="")
    print(f"wrote {len(rows)} sea links to {output}", file=sys.stderr)
    return 0


def _unknown_sources(rows: Iterable[Mapping[str, str]], sources_csv: Path) -> list[str]:
    """Source ids used in ``rows`` but missing from ``sources_csv``, sorted."""
    with sources_csv.open(encoding="utf-8", newline="") as f:
        known = {r["id"] for r in csv.DictReader(f)}
    used = {s for r in rows for s in r["source"].split(";") if s}
    return sorted(used - known)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default=str(DEFAULT_NETWORK), help="network folder")
    parser.add_argument("--output", help="output CSV (default: NETWORK/sea_links.csv)")
    parser.add_argument("--strict", action="store_true", help="fail if a lane's port is missing")
    return parser.parse_args(argv)


def read_ports(places_csv: Path) -> dict[str, tuple[float, float]]:
    """Read ``(lon, lat)`` of every place whose ``modes`` include ``sea``.

    Parameters
    ----------
    places_csv : Path
        A network's places.csv.

    Returns
    -------
    dict of str to (float, float)
        Port id to WGS84 ``(lon, lat)``.
    """
    with places_csv.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {
        r["id"].strip(): (float(r["lon"]), float(r["lat"]))
        for r in rows
        if "sea" in {m.strip() for m in (r.get("modes") or "").split(";")}
    }


def _available_lanes(
    lanes: Iterable[Lane], ports: Mapping[str, tuple[float, float]]
) -> tuple[list[Lane], list[str]]:
    """Split lanes into those whose ports exist and the sorted missing port ids."""
    kept, missing = [], set()
    for lane in lanes:
        absent = {p for p in (lane.a, lane.b) if p not in ports}
        missing |= absent
        if not absent:
            kept.append(lane)
    return kept, sorted(missing)


def build_rows(
    lanes: Sequence[Lane], ports: Mapping[str, tuple[float, float]]
) -> list[dict[str, str]]:
    """Compute every lane and return the CSV rows, sorted by id.

    Parameters
    ----------
    lanes : sequence of Lane
        Lanes whose ports are all in ``ports``.
    ports : mapping of str to (float, float)
        Port id to ``(lon, lat)``.

    Returns
    -------
    list of dict
        One row per lane, keyed by `COLUMNS`.
    """
    wanted = [*lanes, *(replace(ln, cape=False) for ln in lanes if ln.cape)]
    legs: dict[tuple[str, str, bool], SeaLeg] = {}
    for ln in wanted:
        if ln.key not in legs:
            legs[ln.key] = sea_leg(ports[ln.a], ports[ln.b], restrictions=ln.restrictions)
    lengths = {k: _length_km(leg, ports[k[0]], ports[k[1]]) for k, leg in legs.items()}
    default = _long_haul_default(lanes, lengths)
    rows = [_row(ln, legs[ln.key], lengths, default) for ln in lanes]
    return sorted(rows, key=lambda r: r["id"])


def lane_problems(rows: Iterable[Mapping[str, str]]) -> list[str]:
    """What is wrong with generated rows' passages (empty if nothing).

    A lane may not pass a `DEFAULT_RESTRICTIONS` passage; a Cape variant (id ending
    ``_cape``) must pass the Cape of Good Hope and none of `CAPE_CLOSED`. A lane longer
    than the loader's bound on ``length_km`` would make the network fail to load.
    """
    problems = []
    max_km = FIELD_BOUNDS["length_km"].high
    for row in rows:
        if float(row["length_km"]) > max_km:
            problems.append(f"{row['id']} is {row['length_km']} km, above {max_km:g} km")
        straits = row["straits"].split(";") if row["straits"] else []
        banned = [p for p in straits if p in DEFAULT_RESTRICTIONS]
        if banned:
            problems.append(f"{row['id']} passes {', '.join(banned)}")
        if row["id"].endswith("_cape"):
            closed = [p for p in straits if p in CAPE_CLOSED]
            if closed or CAPE_PASSAGE not in straits:
                problems.append(
                    f"{row['id']} is a Cape variant but passes {row['straits'] or 'nothing'}"
                )
    return problems


def _length_km(leg: SeaLeg, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Leg length rounded to 0.1 km, never below the geodesic between the ports."""
    metres: float = Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2]  # typed as Any
    geodesic_km = metres / 1000.0
    return max(round(leg.length_km, 1), math.ceil(geodesic_km * 10.0) / 10.0)


@dataclass(frozen=True)
class _Default:
    """The long-haul default rate and the text explaining it."""

    usd_per_teu_km: float
    basis: str
    source: str


def _long_haul_default(
    lanes: Sequence[Lane], lengths: Mapping[tuple[str, str, bool], float]
) -> _Default | None:
    """Mean USD/TEU-km of the long-haul reference lanes (None if any is absent)."""
    by_key = {(ln.a, ln.b): ln for ln in lanes if not ln.cape}
    if not all(k in by_key for k in LONG_HAUL_REFERENCES):
        return None
    parts = []
    for key in LONG_HAUL_REFERENCES:
        rate = by_key[key].rate
        assert rate is not None, f"reference lane {key} needs a lane rate"
        parts.append((key, rate, round(rate.usd_per_teu / lengths[(*key, False)], 4)))
    mean = round(sum(p[2] for p in parts) / len(parts), 4)
    terms = ", ".join(f"{a}-{b} {r:.4f}" for (a, b), _, r in parts)
    sources = sorted({s for _, rate, _ in parts for s in rate.source.split(";")})
    return _Default(
        usd_per_teu_km=mean,
        basis=f"long-haul default {mean:.4f} USD/TEU-km = mean of sourced lanes ({terms})",
        source=";".join([LONG_HAUL_DEFAULT_SOURCE, *sources]),
    )


@dataclass(frozen=True)
class LaneStatus:
    """A lane's status other than ``operational`` (see networks/README.md), and why."""

    status: str
    why: str
    source: str


#: Ports whose every lane is ``restricted``: in service, but the major carriers (Maersk,
#: MSC, CMA CGM) left Iran in 2018 under US secondary sanctions, while COSCO, IRISL and
#: feeders kept calling; for Chabahar the US sanctions exception was revoked effective
#: 2025-09-29 as well.
RESTRICTED_PORTS: Mapping[str, LaneStatus] = MappingProxyType({
    "bandar_abbas": LaneStatus(
        "restricted", "calls at Iranian ports: the major carriers left Iran in 2018 "
        "under US secondary sanctions; COSCO, IRISL and feeders still call",
        "seatrade_2018_iran_carriers"),
    "chabahar": LaneStatus(
        "restricted", "calls at Iranian ports: the major carriers left Iran in 2018; "
        "the US sanctions exception for Chabahar was revoked effective 2025-09-29",
        "seatrade_2018_iran_carriers;thenews_2025_09_chabahar"),
})

#: Lanes to Russian ports: the major carriers suspended Russia bookings from 2022-03-01
#: and the EU banned Russian-flagged ships from its ports from 2022-04-16. A lane from an
#: EU port is ``suspended``; FESCO's China line and the Turkish feeders still sail
#: (``restricted``: sanctions keep most carriers and many shippers off them).
RUSSIAN_PORTS = frozenset({"novorossiysk", "st_petersburg"})
EU_PORTS = frozenset({"rotterdam", "piraeus"})
EU_RUSSIA = LaneStatus(
    "suspended", "EU-Russia sailings: the major carriers suspended Russia bookings from "
    "2022-03-01 and the EU closed its ports to Russian-flagged ships from 2022-04-16",
    "sea_carriers_russia_2022;eu_2022_russia_port_ban")
RUSSIA = LaneStatus(
    "restricted", "calls at Russian ports: the major carriers suspended Russia bookings "
    "in March 2022; Russian and Turkish lines still sail",
    "sea_carriers_russia_2022")


def lane_status(lane: Lane) -> LaneStatus | None:
    """The lane's status if it is not ``operational`` (None when it is).

    Either end decides, whichever order the lane names its ports in.
    """
    ends = {lane.a, lane.b}
    if ends & RUSSIAN_PORTS:
        return EU_RUSSIA if ends & EU_PORTS else RUSSIA
    for port in (lane.a, lane.b):
        if port in RESTRICTED_PORTS:
            return RESTRICTED_PORTS[port]
    return None


def _row(
    lane: Lane,
    leg: SeaLeg,
    lengths: Mapping[tuple[str, str, bool], float],
    default: _Default | None,
) -> dict[str, str]:
    """One CSV row for a computed lane."""
    length_km = lengths[lane.key]
    suez_km = lengths[(lane.a, lane.b, False)]
    rate_text, rate_value, rate_source = _rate(lane, length_km, suez_km, default)
    straits = ";".join(leg.straits)
    status = lane_status(lane)
    sources = _merge_sources(
        LENGTH_SOURCE, rate_source, SPEED_SOURCE, lane.headway_source, lane.extra_source,
        status.source if status else "",
    )
    closed = ", ".join(lane.restrictions)
    notes = (
        f"{lane.why}. Length: searoute maritime network path port to port with "
        f"{closed} closed, {length_km:.1f} km on WGS84 (network snap "
        f"{leg.origin_snap_km:.1f} km at {lane.a}, {leg.destination_snap_km:.1f} km at "
        f"{lane.b}). Rate: {rate_text}. Speed: 13.8 kn x 1.852 = {SPEED_KMH} km/h at "
        f"sea, intermediate calls not included. Headway: {_headway_text(lane.headway_h)}."
        + (f" Status {status.status}: {status.why}." if status else "")
    )
    return {
        "id": lane.link_id,
        "from": lane.a,
        "to": lane.b,
        "mode": "sea",
        "gauge_mm": "",
        "country": "",
        "length_km": f"{length_km:.1f}",
        "status": status.status if status else "operational",
        "speed_kmh": f"{SPEED_KMH:.1f}",
        "rate_usd_per_teu_km": "" if rate_value is None else f"{rate_value:.4f}",
        "headway_h": f"{lane.headway_h:.0f}",
        "corridors": "",
        "bidirectional": "true",
        "waypoints": _waypoints(leg.geometry),
        "straits": straits,
        "source": sources,
        "notes": notes,
    }


def _rate(
    lane: Lane, length_km: float, suez_km: float, default: _Default | None
) -> tuple[str, float | None, str]:
    """Rate text for the notes, the USD/TEU-km value and its source ids.

    A Cape variant keeps its Suez lane's USD per TEU-km (the lane rate divided by the
    Suez length), so it costs more in proportion to its extra length.
    """
    if lane.rate is not None:
        value = round(lane.rate.usd_per_teu / suez_km, 4)
        if not lane.cape:
            text = (
                f"{lane.rate.basis}; {lane.rate.usd_per_teu:g} USD/TEU / "
                f"{length_km:.1f} km = {value:.4f} USD/TEU-km"
            )
            return text, value, lane.rate.source
        text = (
            f"EST, the Suez lane's USD/TEU-km over the Cape length: {lane.rate.basis}; "
            f"{lane.rate.usd_per_teu:g} USD/TEU / {suez_km:.1f} km (via Suez) = "
            f"{value:.4f} USD/TEU-km, x {length_km:.1f} km = {value * length_km:.0f} "
            "USD/TEU (no Cape-route rate sourced)"
        )
        return text, value, _merge_sources(CAPE_RATE_SOURCE, lane.rate.source)
    if default is None:
        return "no sourced rate (reference lanes absent); params.toml default", None, ""
    implied = default.usd_per_teu_km * length_km
    text = f"{default.basis}; x {length_km:.1f} km = {implied:.0f} USD/TEU"
    if lane.cape:
        text = f"EST, the same USD/TEU-km as the Suez lane: {text}"
        return text, default.usd_per_teu_km, _merge_sources(CAPE_RATE_SOURCE, default.source)
    return text, default.usd_per_teu_km, default.source


def _headway_text(headway_h: float) -> str:
    """Human text for a headway."""
    if headway_h == WEEKLY_H:
        return "weekly liner service, 168 h"
    return f"{headway_h:.0f} h between sailings (about {headway_h / 168.0:.1f} weeks)"


def _merge_sources(*groups: str) -> str:
    """``;``-joined unique source ids in first-seen order."""
    seen: list[str] = []
    for group in groups:
        for s in group.split(";"):
            if s and s not in seen:
                seen.append(s)
    return ";".join(seen)


def _waypoints(line: LineString) -> str:
    """Intermediate points of the simplified path as ``"lon lat;lon lat"``."""
    simple = line.simplify(WAYPOINT_TOLERANCE_DEG, preserve_topology=False)
    inner = list(simple.coords)[1:-1]
    return ";".join(f"{x:.3f} {y:.3f}" for x, y in inner)


def to_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """Render rows as CSV text with the `COLUMNS` header and ``\\n`` line ends."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


if __name__ == "__main__":
    sys.exit(main())
