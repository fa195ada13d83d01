"""The ``corridor-router`` command: routes and place lists from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import pandas as pd

from . import __version__
from .costs import OBJECTIVES
from .errors import CorridorRouterError
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

    r = sub.add_parser("route", help="best route between two places")
    r.add_argument("origin")
    r.add_argument("destination")
    r.add_argument("--objective", choices=OBJECTIVES, default="cost")
    r.add_argument("--scenario", default=None, help="scenario name (default: baseline)")
    r.add_argument("--via", action="append", default=[], metavar="PLACE",
                   help="place to pass (repeatable, in order)")
    r.add_argument("--avoid", action="append", default=[], metavar="ITEM",
                   help="place, link id, crossing id or country code to avoid (repeatable)")
    r.add_argument("--modes", default=None, help="allowed modes, comma-separated (rail,road,sea,ferry)")
    r.add_argument("--format", choices=FORMATS, default="table")

    p = sub.add_parser("places", help="list the places of the network")
    p.add_argument("--country", default=None, help="only places in this ISO country code")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    return parser


def _network(arg: str | None) -> Network | None:
    return load_network(arg) if arg else None


def _cmd_route(args) -> str:
    r = route(args.origin, args.destination, objective=args.objective,
              network=_network(args.network), scenario=args.scenario, via=args.via,
              avoid=args.avoid, modes=args.modes)
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
        df = df[df["country"] == args.country.upper()]
    df = df.reset_index()[["id", "name", "country", "kind", "modes", "lon", "lat", "aliases"]]
    df["modes"] = df["modes"].map(";".join)
    df["aliases"] = df["aliases"].map(";".join)
    if args.format == "json":
        return df.to_json(orient="records", indent=2, force_ascii=False)
    if args.format == "csv":
        return df.to_csv(index=False).rstrip("\n")
    return df.to_string(index=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        out = _cmd_route(args) if args.command == "route" else _cmd_places(args)
    except CorridorRouterError as err:
        first, *rest = str(err).splitlines()
        print(f"corridor-router: error: {first}", file=sys.stderr)
        for line in rest:
            print(line, file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
