"""An independent reference pricer of routes, for tests (project issue #9, item 7).

It re-prices a route's legs straight from a network folder's files, read with the
standard ``csv`` and ``tomllib`` modules, following the rules of ``networks/README.md``.
It never imports the library's cost code (``corridor_router.costs``, ``graph``,
``scenarios.resolve``, ``_params``): a disagreement between the two is a bug in one
of them. From the legs it reads only their identity (``kind``, ``mode``, ``from_id``,
``to_id``, ``country``, ``ref``, ``detail``), never their ``km``, ``hours`` or
``cost_usd``.

Besides pricing, :meth:`Pricer.check_walk` checks that the legs form a trip the network
allows: a connected walk from origin to destination, links travelled in a direction they
run and enabled in the scenario, each mode or gauge changed only by a transfer or a gauge
break at a place serving it, each border crossed from the side the trip is on, and a
wait before every scheduled departure.
"""

from __future__ import annotations

import copy
import csv
import itertools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LINK_KEYS = ("speed_kmh", "rate_usd_per_teu_km")


def read_rows(path: Path) -> dict[str, dict[str, str]]:
    """Rows of a CSV file by id: every cell stripped; an empty cell is ``""``."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        rows = {}
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
            rows[row["id"]] = row
    return rows


def split(cell: str) -> list[str]:
    """A ``;``-separated cell as its non-empty items."""
    return [x.strip() for x in cell.split(";") if x.strip()]


def pair_name(a: str, b: str) -> str:
    """Key of a mode pair (alphabetical) or a gauge pair (ascending number) in params."""
    if a.isdigit() and b.isdigit():
        x, y = sorted((a, b), key=int)
    else:
        x, y = sorted((a, b))
    return f"{x}-{y}"


@dataclass(frozen=True)
class Assumptions:
    """What a scenario says: statuses and built tags that exist, closures, overrides."""

    statuses: tuple[str, ...] = ("operational",)
    build: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    overrides: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Priced:
    """One leg as the pricer prices it."""

    kind: str
    ref: str
    km: float
    hours: float
    cost_usd: float
    co2e_kg: float = 0.0


class Pricer:
    """Prices legs of routes on the network stored in ``folder``."""

    def __init__(self, folder: Path | str) -> None:
        folder = Path(folder)
        self.folder = folder
        self.places = read_rows(folder / "places.csv")
        self.links = read_rows(folder / "links.csv")
        if (folder / "sea_links.csv").exists():
            self.links.update(read_rows(folder / "sea_links.csv"))
        self.crossings = read_rows(folder / "crossings.csv")
        self.params = tomllib.loads((folder / "params.toml").read_text(encoding="utf-8-sig"))
        self.scenarios = tomllib.loads(
            (folder / "scenarios.toml").read_text(encoding="utf-8-sig")).get("scenarios", {})
        self._params_cache: dict[tuple[tuple[str, float], ...], dict[str, Any]] = {}
        corridors_file = folder / "corridors.toml"
        self.corridors = tomllib.loads(corridors_file.read_text(encoding="utf-8-sig")).get(
            "corridors", {}) if corridors_file.exists() else {}

    # -- scenarios ---------------------------------------------------------------------
    def named(self, name: str | None = None, corridor: str | None = None) -> Assumptions:
        """The assumptions of a scenario of scenarios.toml (default: a corridor's, else baseline)."""
        if name is None:
            name = self.corridors[corridor].get("scenario") if corridor else None
        name = name or "baseline"
        entry = self.scenarios.get(name, {})
        return Assumptions(tuple(entry.get("statuses", ("operational",))),
                           tuple(entry.get("build", ())), tuple(entry.get("close", ())),
                           {k: float(v) for k, v in entry.get("overrides", {}).items()})

    def tags(self, link_id: str) -> list[str]:
        """Corridor tags of a link, in the order of its ``corridors`` cell."""
        return split(self.links[link_id]["corridors"])

    def params_under(self, overrides: Mapping[str, float]) -> dict[str, Any]:
        """params.toml with the overrides of modes, transfer, gauge_break, connector applied.

        The result is shared between calls with the same overrides: do not change it.
        """
        own = tuple(sorted((k, float(v)) for k, v in overrides.items()
                           if k.split(".", 1)[0] not in ("links", "tags", "crossings", "places")))
        if own not in self._params_cache:
            self._params_cache[own] = self._apply(own)
        return self._params_cache[own]

    def _apply(self, overrides: Iterable[tuple[str, float]]) -> dict[str, Any]:
        params = copy.deepcopy(self.params)
        for key, value in overrides:
            parts = key.split(".")
            node = params
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            node[parts[-1]] = float(value)
        return params

    # -- values --------------------------------------------------------------------------
    def link_value(self, link_id: str, key: str, overrides: Mapping[str, float],
                   default: float | None = None) -> float:
        """A link figure: link override, first overridden tag, links.csv, params.

        ``default`` where neither the link nor params give one (else a KeyError).
        """
        if f"links.{link_id}.{key}" in overrides:
            return float(overrides[f"links.{link_id}.{key}"])
        for tag in self.tags(link_id):
            if f"tags.{tag}.{key}" in overrides:
                return float(overrides[f"tags.{tag}.{key}"])
        link = self.links[link_id]
        if link.get(key, ""):
            return float(link[key])
        return self.mode_default(link["mode"], link["country"], key, overrides, default)

    def mode_default(self, mode: str, country: str, key: str,
                     overrides: Mapping[str, float], default: float | None = None) -> float:
        """The params value of a mode in a country (the country's table first)."""
        table = self.params_under(overrides)["modes"][mode]
        country_table = table.get("countries", {}).get(country, {})
        if key in country_table:
            return float(country_table[key])
        if key not in table and default is not None:
            return default
        return float(table[key])

    def handling(self, place_id: str, a: str, b: str,
                 overrides: Mapping[str, float]) -> tuple[float, float]:
        """(hours, USD) of a change from mode ``a`` to mode ``b`` at a place."""
        entry = self.params_under(overrides)["transfer"][pair_name(a, b)]
        # a port call uses the place's figure for its direction first: leaving a ship
        # (import) or boarding one (export)
        way = "import" if a == "sea" else "export" if b == "sea" else None
        out = []
        for own, generic in (("handling_h", "hours"), ("handling_usd_per_teu", "cost_usd_per_teu")):
            row = self.places[place_id]
            found = None
            names = ([own.replace("handling_", f"handling_{way}_")] if way else []) + [own]
            for name in names:
                key = f"places.{place_id}.{name}"
                if key in overrides:
                    found = float(overrides[key])
                elif row.get(name, ""):
                    found = float(row[name])
                if found is not None:
                    break
            out.append(found if found is not None else float(entry[generic]))
        return out[0], out[1]

    def crossing(self, crossing_id: str, overrides: Mapping[str, float]) -> tuple[float, float]:
        """(hours, USD) of a border crossing in its direction."""
        row = self.crossings[crossing_id]
        dwell, fee = (float(overrides.get(f"crossings.{crossing_id}.{k}", row[k]))
                      for k in ("dwell_h", "fee_usd_per_teu"))
        return dwell, fee

    def pair_entry(self, section: str, a: str, b: str,
                   overrides: Mapping[str, float]) -> tuple[float, float]:
        """(hours, USD) of a gauge_break or transfer pair of params."""
        entry = self.params_under(overrides)[section][pair_name(a, b)]
        return float(entry["hours"]), float(entry["cost_usd_per_teu"])

    def hub_co2e(self, section: str, a: str, b: str, overrides: Mapping[str, float]) -> float:
        """kg CO2e per TEU of a transfer or gauge break (0 where params give none)."""
        entry = self.params_under(overrides)[section][pair_name(a, b)]
        return float(entry.get("co2e_kg_per_teu", 0.0))

    def delay_per_km(self, link_id: str, overrides: Mapping[str, float]) -> float:
        """En-route delay of a link, h/km, by the speed's precedence; 0 where none is given."""
        return self.link_value(link_id, "delay_h_per_km", overrides, default=0.0)

    def service_headway(self, mode: str, country: str, overrides: Mapping[str, float]) -> float:
        """Headway of the services of a mode boarded in a country (params ``[service]``)."""
        table = self.params_under(overrides).get("service", {}).get(mode, {})
        country_table = table.get("countries", {}).get(country, {})
        return float(country_table.get("headway_h", table.get("headway_h", 0.0)))

    def connector(self, mode: str, overrides: Mapping[str, float]) -> tuple[float, float]:
        """(hours, USD) of loading or unloading in a mode."""
        entry = self.params_under(overrides)["connector"][mode]
        return float(entry["hours"]), float(entry["cost_usd_per_teu"])

    # -- pricing -------------------------------------------------------------------------
    def price_leg(self, leg: Mapping[str, Any], overrides: Mapping[str, float]) -> Priced:
        """km, hours, USD and kg CO2e per TEU of one leg (a row of ``Route.legs``)."""
        kind, ref, detail, mode = leg["kind"], str(leg["ref"]), str(leg["detail"]), leg["mode"]
        km = hours = cost = co2e = 0.0
        if kind == "link":
            length = float(self.links[ref]["length_km"])
            km = length
            hours = length / self.link_value(ref, "speed_kmh", overrides)
            cost = length * self.link_value(ref, "rate_usd_per_teu_km", overrides)
            co2e = length * self.link_value(ref, "co2e_kg_per_teu_km", overrides)
        elif kind == "wait":
            hours = float(self.links[ref]["headway_h"]) / 2.0
        elif kind == "delay":
            # en-route delays of a link: its length x the delay per km (none: no leg)
            hours = float(self.links[ref]["length_km"]) * self.delay_per_km(ref, overrides)
        elif kind == "service_wait":
            hours = self.service_headway(mode, str(leg["country"]), overrides) / 2.0
        elif kind == "escort":
            hours = float(overrides.get(f"crossings.{ref}.escort_h",
                                        self.crossings[ref].get("escort_h") or 0.0))
        elif kind == "border":
            hours, cost = self.crossing(ref, overrides)
        elif kind in ("transfer", "port_call"):
            a, b = modes_of(detail)
            hours, cost = self.handling(ref, a, b, overrides)
            co2e = self.hub_co2e("transfer", a, b, overrides)
        elif kind == "gauge_break":
            g1, g2 = gauges_of(detail)
            hours, cost = self.pair_entry("gauge_break", g1, g2, overrides)
            co2e = self.hub_co2e("gauge_break", g1, g2, overrides)
        elif kind in ("start", "end"):
            hours, cost = self.connector(mode, overrides)
        else:
            raise AssertionError(f"unknown leg kind {kind!r}")
        return Priced(kind, ref, km, hours, cost, co2e)

    def price(self, legs: Iterable[Mapping[str, Any]], overrides: Mapping[str, float]
              ) -> list[Priced]:
        """Every leg priced."""
        return [self.price_leg(leg, overrides) for leg in legs]

    # -- the walk ------------------------------------------------------------------------
    def check_walk(self, legs: list[Mapping[str, Any]], origin: str, destination: str,
                   assumptions: Assumptions) -> None:
        """Assert that the legs are a trip the network allows (see the module docstring)."""
        assert legs, "a route has legs"
        overrides = assumptions.overrides
        closed = set(assumptions.close)
        assert legs[0]["from_id"] == origin, (legs[0], origin)
        assert legs[-1]["to_id"] == destination, (legs[-1], destination)
        for prev, nxt in itertools.pairwise(legs):
            assert prev["to_id"] == nxt["from_id"], f"walk breaks between {prev} and {nxt}"
        mode: str | None = None       # mode the trip is in, once known
        gauge: str | None = None      # rail gauge, once known
        side: str | None = None       # country side of the place the trip is at
        waited: str | None = None     # scheduled link whose wait leg came just before
        hosts = {"delay": ("link",), "service_wait": ("start", "transfer", "port_call"),
                 "escort": ("border",)}
        for i, leg in enumerate(legs):
            kind, ref, m = leg["kind"], str(leg["ref"]), leg["mode"]
            where = f"leg {i + 1} ({kind} {ref})"
            if kind in hosts:
                # a part of the leg before it, shown as a leg at the place where that leg
                # ends: nothing about the trip changes
                host = legs[i - 1] if i else None
                assert host is not None and host["kind"] in hosts[kind], \
                    f"{where}: follows {host and host['kind']}"
                assert (str(host["ref"]), host["to_id"], host["to_id"], host["mode"]) == \
                    (ref, leg["from_id"], leg["to_id"], m), f"{where}: not its host's part"
                continue
            if kind != "link":
                assert waited is None, f"{where}: a wait must be followed by its link"
            if kind == "start":
                assert i == 0, f"{where}: start is the first leg"
                assert m in split(self.places[origin]["modes"]), f"{where}: origin does not serve {m}"
                side = leg["country"]
            elif kind == "end":
                assert i == len(legs) - 1, f"{where}: end is the last leg"
                assert mode in (None, m), f"{where}: unloads {m} but the trip is in {mode}"
                assert side in (None, leg["country"]), where
            elif kind == "wait":
                link = self.links[ref]
                assert link["headway_h"] != "", f"{where}: link {ref} has no schedule"
                assert mode in (None, link["mode"]), where
                assert side in (None, leg["country"]), where
                waited = ref
            elif kind == "link":
                link = self.links[ref]
                ends = (leg["from_id"], leg["to_id"])
                assert ends == (link["from"], link["to"]) or (
                    ends == (link["to"], link["from"]) and link["bidirectional"].lower() == "true"
                ), f"{where}: link {ref} does not run {ends}"
                assert m == link["mode"] and mode in (None, m), f"{where}: mode {m} after {mode}"
                assert (link["headway_h"] != "") == (waited == ref), \
                    f"{where}: a scheduled link is entered by its wait leg, only it"
                status_ok = link["status"] in assumptions.statuses or bool(
                    set(self.tags(ref)) & set(assumptions.build))
                assert status_ok, f"{where}: {link['status']} link not built in the scenario"
                assert not closed & {ref, link["from"], link["to"]}, f"{where}: closed"
                if m == "rail":
                    assert gauge in (None, link["gauge_mm"]), \
                        f"{where}: {link['gauge_mm']} mm after {gauge} mm without a gauge break"
                    gauge = link["gauge_mm"]
                assert leg["country"] == link["country"], where
                assert side in (None, link["country"] or self.places[leg["from_id"]]["country"]), \
                    f"{where}: enters link {ref} from side {side}"
                side = link["country"] or self.places[leg["to_id"]]["country"]
                waited = None
            elif kind == "border":
                row = self.crossings[ref]
                assert row["place"] == leg["from_id"] and row["mode"] == m, where
                assert mode in (None, m) and side in (None, row["from_country"]), \
                    f"{where}: crossing {row['from_country']}->{row['to_country']} from side {side}"
                assert ref not in closed and row["place"] not in closed, f"{where}: closed"
                assert leg["country"] == row["to_country"], where
                side = row["to_country"]
            elif kind in ("transfer", "port_call"):
                a, b = modes_of(str(leg["detail"]))
                served = split(self.places[ref]["modes"])
                assert a != b and a in served and b in served, f"{where}: {a}->{b} at {served}"
                assert mode in (None, a) and m == b, f"{where}: {a}->{b} while in {mode}"
                assert (kind == "port_call") == ("sea" in (a, b)), where
                assert side in (None, leg["country"]), where
                side = leg["country"]
                gauge = None
            elif kind == "gauge_break":
                g1, g2 = gauges_of(str(leg["detail"]))
                assert m == "rail" and mode in (None, "rail") and g1 != g2, where
                assert gauge in (None, g1), f"{where}: breaks {g1}->{g2} while on {gauge}"
                assert side in (None, leg["country"]), where
                gauge = g2
            else:
                raise AssertionError(f"{where}: unknown kind")
            if kind not in ("start", "end"):
                assert ref not in closed and leg["from_id"] not in closed, f"{where}: closed"
            mode = m
        # a start or end leg is left out only when it is free
        first, last = legs[0], legs[-1]
        if first["kind"] != "start":
            start_mode = modes_of(str(first["detail"]))[0] if first["kind"] in (
                "transfer", "port_call") else first["mode"]
            assert self.connector(start_mode, overrides) == (0.0, 0.0), \
                f"a {start_mode} start with a cost or time is missing"
        if last["kind"] != "end":
            assert self.connector(last["mode"], overrides) == (0.0, 0.0), \
                f"a {last['mode']} end with a cost or time is missing"


def modes_of(detail: str) -> tuple[str, str]:
    """The two modes of a transfer's detail, e.g. ``"rail -> road"``."""
    a, b = (x.strip() for x in detail.split("->"))
    return a, b


def gauges_of(detail: str) -> tuple[str, str]:
    """The two gauges of a gauge break's detail, e.g. ``"1520 -> 1676 mm"``."""
    a, b = (x.strip() for x in detail.removesuffix("mm").split("->"))
    assert a.isdigit() and b.isdigit(), detail
    return a, b
