"""The ``corridor-router`` command: routes and place lists from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import pandas as pd

from . import __version__
from .costs import OBJECTIVES
from .errors import CorridorRouterError, InvalidInputError
from .network import Network, load_network
from .routing import route

__all__ = ["main"]

FORMATS = ("table", "json", "csv", "geojson")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor-router",
        description="Multimodal freight routes between Central Asia, the Caspian and the "
                    "Arabian Sea. Costs are USD per TEU at the network's price year.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--network", default=None,
                        help="bundled network name or folder (default: central_asia)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = _trip(sub, "route", "best route between two places")
    r.add_argument("--scenario", default=None, help="scenario name (default: baseline)")
    r.add_argument("--via", action="append", default=[], metavar="PLACE",
                   help="place to pass (repeatable, in order)")
    r.add_argument("--avoid", action="append", default=[], metavar="ITEM",
                   help="place, link id, crossing id or country code to avoid (repeatable)")
    r.add_argument("--modes", default=None, help="allowed modes, comma-separated (rail,road,sea,ferry)")
    r.add_argument("--corridor", default=None, help="follow a named corridor, e.g. uap")
    r.add_argument("--format", choices=FORMATS, default="table")

    c = _trip(sub, "compare", "compare corridors (and scenarios) between two places")
    _alternatives(c, "compare")
    c.add_argument("--baseline", default=None, help="row to measure savings against (default: today)")
    c.add_argument("--format", choices=("table", "json", "csv"), default="table")

    k = _trip(sub, "check-claim", "check a claimed saving of a corridor against another")
    k.add_argument("--corridor", required=True, help="corridor claimed to be better, e.g. uap")
    k.add_argument("--versus", required=True, help="corridor compared with, or 'today'")
    k.add_argument("--days", type=float, default=5.0, help="days saved claimed (default 5)")
    k.add_argument("--cost-pct", type=float, default=40.0, help="percent of cost saved claimed (default 40)")
    k.add_argument("--scenario", default=None, help="scenario for both routes")

    h = _trip(sub, "chart", "Time/Cost-Distance chart of corridors, saved as PNG")
    _alternatives(h, "draw")
    h.add_argument("-o", "--output", required=True, help="PNG file to write")

    p = sub.add_parser("places", help="list the places of the network")
    p.add_argument("--country", default=None, help="only places in this ISO country code")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    return parser


def _trip(sub, name: str, help: str) -> argparse.ArgumentParser:
    """A sub-command about one trip: origin, destination and objective."""
    parser = sub.add_parser(name, help=help)
    parser.add_argument("origin")
    parser.add_argument("destination")
    parser.add_argument("--objective", choices=OBJECTIVES, default="cost")
    return parser


def _alternatives(parser: argparse.ArgumentParser, verb: str) -> None:
    """Repeatable --corridor and --scenario options naming the alternatives to show."""
    parser.add_argument("--corridor", action="append", default=None, metavar="NAME",
                        help=f"corridor to {verb} (repeatable; default: every corridor "
                             "that connects)")
    parser.add_argument("--scenario", action="append", default=None, metavar="NAME",
                        help=f"scenario to {verb} as well (repeatable)")


def _network(arg: str | None) -> Network | None:
    return load_network(arg) if arg else None


def _cmd_route(args) -> str:
    r = route(args.origin, args.destination, objective=args.objective,
              network=_network(args.network), scenario=args.scenario, via=args.via,
              avoid=args.avoid, modes=args.modes, corridor=args.corridor)
    if args.format == "json":
        return json.dumps(r.to_dict(), indent=2, ensure_ascii=False)
    if args.format == "csv":
        return pd.DataFrame(r.legs.drop(columns="geometry")).to_csv(index=False).rstrip("\n")
    if args.format == "geojson":
        return r.legs.to_json(drop_id=True)
    return r.summary()


def _cmd_places(args) -> str:
    net = _network(args.network) or load_network()
    df = pd.DataFrame(net.places.drop(columns="geometry"))
    if args.country:
        known = sorted(set(df["country"]))
        if args.country.upper() not in known:
            raise InvalidInputError(f"No place lies in country {args.country!r}; the network "
                                    f"has: {', '.join(known)}.")
        df = df[df["country"] == args.country.upper()]
    df = df.reset_index()[["id", "name", "country", "kind", "modes", "lon", "lat", "aliases"]]
    df["modes"] = df["modes"].map(";".join)
    df["aliases"] = df["aliases"].map(";".join)
    if args.format == "json":
        return df.to_json(orient="records", indent=2, force_ascii=False)
    if args.format == "csv":
        return df.to_csv(index=False).rstrip("\n")
    return df.to_string(index=False)


def _cmd_compare(args) -> str:
    from .compare import compare
    df = compare(args.origin, args.destination, corridors=args.corridor, scenarios=args.scenario,
                 baseline=args.baseline, objective=args.objective, network=_network(args.network))
    if args.format == "json":
        return df.reset_index().to_json(orient="records", indent=2, force_ascii=False)
    if args.format == "csv":
        return df.to_csv().rstrip("\n")
    shown = df.drop(columns=["hours", "is_baseline", "time_saved_pct", "cost_saved_usd"])
    if not shown["note"].astype(bool).any():
        shown = shown.drop(columns="note")
    base = df.index[df["is_baseline"]][0]
    text = shown.to_string(float_format=lambda v: f"{v:,.1f}", na_rep="-")
    return (f"{text}\n\nkm; days; cost_usd in USD per TEU; savings against '{base}' "
            "(positive = faster or cheaper).")


def _cmd_check_claim(args) -> str:
    from .compare import check_claim
    result = check_claim(args.origin, args.destination, corridor=args.corridor,
                         versus=args.versus, days_saved=args.days, cost_saved_pct=args.cost_pct,
                         scenario=args.scenario, objective=args.objective,
                         network=_network(args.network))
    table = result.breakdown.to_string(float_format=lambda v: f"{v:,.1f}")
    sens = result.sensitivity[["label", "value", "low", "high", "break_even",
                               "flips_within_range"]]
    return "\n\n".join([result.summary(), "Where the difference comes from (hours, USD per TEU):\n"
                         + table, "Break-even values:\n"
                         + sens.to_string(float_format=lambda v: f"{v:,.4g}", na_rep="-")])


def _cmd_chart(args) -> str:
    from .compare import compare_routes
    from .plot import tcd_chart
    routes = compare_routes(args.origin, args.destination, corridors=args.corridor,
                            scenarios=args.scenario, objective=args.objective,
                            network=_network(args.network))
    fig = tcd_chart(routes)
    fig.savefig(args.output, dpi=120)
    drawn = [k for k, v in routes.items() if not isinstance(v, Exception)]
    return f"wrote {args.output} ({', '.join(drawn)})"


_COMMANDS = {"route": _cmd_route, "places": _cmd_places, "compare": _cmd_compare,
             "check-claim": _cmd_check_claim, "chart": _cmd_chart}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        out = _COMMANDS[args.command](args)
    except CorridorRouterError as err:
        first, *rest = str(err).splitlines()
        print(f"corridor-router: error: {first}", file=sys.stderr)
        for line in rest:
            print(line, file=sys.stderr)
        return 1
    except OSError as err:      # e.g. an output file that cannot be written
        print(f"corridor-router: error: {err.strerror or err}: "
              f"{err.filename or ''} — check the path and its permissions", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
