"""The ``corridor-router`` command: routes and place lists from the shell.

The command never shows a Python traceback. Its exit status says how it ended:

====  ========================================================================
0     success
1     an error the user can fix: a place not found, no route, a broken network
      folder, an output file that cannot be written (one ``corridor-router:
      error: ...`` line on stderr; a broken network lists every problem below it)
2     a usage error: an unknown option, a missing or malformed argument (one line)
3     an internal error, i.e. a bug in corridor_router: one line asking to report
      it (set ``CORRIDOR_ROUTER_DEBUG=1`` to see the traceback)
130   interrupted (Ctrl-C)
141   the reader of the output went away early, as in ``... | head -1``: the
      command stops quietly with the status a Unix tool killed by SIGPIPE has
      (128 + 13), so ``set -o pipefail`` sees it as it sees ``cat file | head -1``
====  ========================================================================
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
import pandas as pd

from . import __version__
from .costs import OBJECTIVES
from .errors import CorridorRouterError, InvalidInputError, NoRouteError
from .network import Network, bundled_networks, load_network
from .routing import Route, route

if TYPE_CHECKING:
    from .compare import ClaimCheck

__all__ = ["main"]

PROG = "corridor-router"
FORMATS = ("table", "json", "csv", "geojson")
TABLE_FORMATS = ("table", "json", "csv")
#: The ClaimCheck tables that ``check-claim --format csv`` can write (``--table``).
CLAIM_TABLES = ("breakdown", "sensitivity", "legs")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
#: 128 + SIGPIPE: how a shell reports a tool stopped by a closed pipe.
EXIT_CLOSED_PIPE = 141

#: Set this environment variable (to anything but "" or "0") to see the traceback of an
#: internal error.
DEBUG_ENV = "CORRIDOR_ROUTER_DEBUG"

_EPILOG = ("exit status: 0 success; 1 error (bad place, no route, broken network, unwritable "
           "file); 2 usage error; 3 internal error (a bug: please report it); 130 interrupted; "
           "141 output pipe closed early (e.g. by head)")


# -- the parser -------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``corridor-router: error: <message> (see ... --help)`` and exit 2."""
        self.exit(EXIT_USAGE, f"{PROG}: error: {message} (see {self.prog} --help)\n")


def _network_arg(value: str) -> str:
    """The ``--network`` value: a bundled name or a folder; never empty."""
    if not value.strip():
        try:
            names = ", ".join(bundled_networks())
        except OSError:
            names = "central_asia"
        raise argparse.ArgumentTypeError(
            f"is empty; name a bundled network ({names}) or a network folder, or leave "
            "--network out for the default")
    return value


def _finite_float(value: str) -> float:
    """A finite number (``nan`` and ``inf`` are refused)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Multimodal freight routes between Central Asia, the Caspian and the "
                    "Arabian Sea. Costs are USD per TEU at the network's price year.",
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--network", type=_network_arg, default=None,
                        help="bundled network name or folder (default: central_asia); may "
                             "also follow the command")
    # Every command takes --network too, after its own arguments. SUPPRESS: when it is not
    # given there, the value given before the command (or the default) stands.
    common = _Parser(add_help=False)
    common.add_argument("--network", type=_network_arg, default=argparse.SUPPRESS,
                        help="bundled network name or folder (default: central_asia)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = _trip(sub, common, "route", "best route between two places")
    r.add_argument("--scenario", default=None, help="scenario name (default: baseline)")
    r.add_argument("--via", action="append", default=[], metavar="PLACE",
                   help="place to pass (repeatable, in order)")
    r.add_argument("--avoid", action="append", default=[], metavar="ITEM",
                   help="place, link id, crossing id or country code to avoid (repeatable)")
    r.add_argument("--modes", default=None,
                   help="allowed modes, comma-separated (rail,road,sea,ferry)")
    r.add_argument("--corridor", default=None, help="follow a named corridor, e.g. uap")
    r.add_argument("--format", choices=FORMATS, default="table")

    c = _trip(sub, common, "compare", "compare corridors (and scenarios) between two places")
    _alternatives(c, "compare")
    c.add_argument("--baseline", default=None,
                   help="row to measure savings against (default: today)")
    c.add_argument("--format", choices=TABLE_FORMATS, default="table",
                   help="table (default), json (one object per row) or csv")

    k = _trip(sub, common, "check-claim", "check a claimed saving of a corridor against another")
    k.add_argument("--corridor", required=True, help="corridor claimed to be better, e.g. uap")
    k.add_argument("--versus", required=True, help="corridor compared with, or 'today'")
    k.add_argument("--days", type=_finite_float, default=5.0,
                   help="days saved claimed (default 5)")
    k.add_argument("--cost-pct", type=_finite_float, default=40.0,
                   help="percent of cost saved claimed (default 40)")
    k.add_argument("--scenario", default=None, help="scenario for both routes")
    k.add_argument("--format", choices=TABLE_FORMATS, default="table",
                   help="table (default); json: claim, computed savings, verdict, both "
                        "routes, breakdown and sensitivity; csv: one table, see --table")
    k.add_argument("--table", choices=CLAIM_TABLES, default=None,
                   help="the table --format csv writes: breakdown (default; hours and USD "
                        "per component), sensitivity (break-even values) or legs")

    h = _trip(sub, common, "chart", "Time/Cost-Distance chart of corridors, saved as an image")
    _alternatives(h, "draw")
    h.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="image file to write; its extension (.png, .pdf, .svg, ...) sets "
                        "the format")

    p = sub.add_parser("places", help="list the places of the network", parents=[common],
                       epilog=_EPILOG)
    p.add_argument("--country", default=None, help="only places in this ISO country code")
    p.add_argument("--format", choices=TABLE_FORMATS, default="table")
    return parser


def _trip(sub: argparse._SubParsersAction[_Parser],
          common: _Parser, name: str, help: str) -> argparse.ArgumentParser:
    """A sub-command about one trip: origin, destination and objective."""
    parser = sub.add_parser(name, help=help, parents=[common], epilog=_EPILOG)
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


# -- output -----------------------------------------------------------------------------
def _jsonable(obj: object) -> object:
    """``obj`` with only JSON types: numpy scalars as Python ones, NaN and ±inf as None."""
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (bool, int, str)):
        return obj
    return str(obj)         # e.g. a timestamp or a path: its text


def _json(obj: object) -> str:
    """Strict JSON text of ``obj``: never ``NaN`` or ``Infinity`` (those become null)."""
    return json.dumps(_jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False)


def _records(df: pd.DataFrame) -> list[dict[Hashable, Any]]:
    """A table's rows, its index as the first column(s), for :func:`_json`."""
    return df.reset_index().to_dict(orient="records")


def _csv(df: pd.DataFrame, index: bool = True) -> str:
    return df.to_csv(index=index).rstrip("\n")


# -- the commands ----------------------------------------------------------------------
def _network(arg: str | None) -> Network | None:
    """The network ``--network`` names; None (the default network) when it is not given."""
    return None if arg is None else load_network(arg)


def _cmd_route(args: argparse.Namespace) -> str:
    r = route(args.origin, args.destination, objective=args.objective,
              network=_network(args.network), scenario=args.scenario, via=args.via,
              avoid=args.avoid, modes=args.modes, corridor=args.corridor)
    if args.format == "json":
        return _json(r.to_dict())
    if args.format == "csv":
        return _csv(pd.DataFrame(r.legs.drop(columns="geometry")), index=False)
    if args.format == "geojson":
        return _json(json.loads(r.legs.to_json(drop_id=True)))
    return r.summary()


def _cmd_places(args: argparse.Namespace) -> str:
    net = load_network(args.network)
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
        return _json(df.to_dict(orient="records"))
    if args.format == "csv":
        return _csv(df, index=False)
    return df.to_string(index=False)


def _cmd_compare(args: argparse.Namespace) -> str:
    from .compare import compare
    df = compare(args.origin, args.destination, corridors=args.corridor, scenarios=args.scenario,
                 baseline=args.baseline, objective=args.objective, network=_network(args.network))
    if args.format == "json":
        return _json(_records(df))
    if args.format == "csv":
        return _csv(df)
    shown = df.drop(columns=["hours", "is_baseline", "time_saved_pct", "cost_saved_usd"])
    if not shown["note"].astype(bool).any():
        shown = shown.drop(columns="note")
    base = df.index[df["is_baseline"]][0]
    text = shown.to_string(float_format=lambda v: f"{v:,.1f}", na_rep="-")
    return (f"{text}\n\nkm; days; cost_usd in USD per TEU; savings against '{base}' "
            "(positive = faster or cheaper).")


def _claim_dict(result: ClaimCheck) -> dict[str, Any]:
    """Everything a ClaimCheck holds, as a JSON-ready dict (see :func:`_json`)."""
    return {
        "origin": result.origin, "destination": result.destination,
        "corridor": result.corridor, "versus": result.versus,
        "claim": {"days_saved": result.claim_days, "cost_saved_pct": result.claim_cost_pct},
        "computed": {"days_saved": result.days_saved, "cost_saved_pct": result.cost_saved_pct,
                     "cost_saved_usd": result.cost_saved_usd},
        "holds": result.holds, "holds_days": result.holds_days,
        "holds_cost": result.holds_cost, "verdict": result.verdict,
        "required_old_days": result.required_old_days,
        "required_old_cost_usd": result.required_old_cost_usd,
        "summary": result.summary(),
        "new": result.new.to_dict(), "old": result.old.to_dict(),
        "breakdown": _records(result.breakdown),
        "sensitivity": _records(result.sensitivity),
    }


def _cmd_check_claim(args: argparse.Namespace) -> str:
    from .compare import check_claim
    result = check_claim(args.origin, args.destination, corridor=args.corridor,
                         versus=args.versus, days_saved=args.days, cost_saved_pct=args.cost_pct,
                         scenario=args.scenario, objective=args.objective,
                         network=_network(args.network))
    if args.format == "json":
        return _json(_claim_dict(result))
    if args.format == "csv":
        table = args.table or "breakdown"
        if table == "legs":
            return _csv(result.legs, index=False)
        return _csv(result.breakdown if table == "breakdown" else result.sensitivity)
    table = result.breakdown.to_string(float_format=lambda v: f"{v:,.1f}")
    sens = result.sensitivity[["label", "value", "low", "high", "break_even",
                               "flips_within_range"]]
    return "\n\n".join([result.summary(), "Where the difference comes from (hours, USD per TEU):\n"
                         + table, "Break-even values:\n"
                         + sens.to_string(float_format=lambda v: f"{v:,.4g}", na_rep="-")])


def _image_formats() -> list[str]:
    """File extensions matplotlib can write, e.g. ``png``, ``pdf``, ``svg``."""
    from matplotlib.backend_bases import FigureCanvasBase
    return sorted(FigureCanvasBase.get_supported_filetypes())


def _chart_output(name: str) -> tuple[Path, str]:
    """The file ``chart -o`` writes and its format, checked before any route is computed."""
    path = Path(name)
    if not name.strip():
        raise InvalidInputError("-o/--output is empty; name the image file to write, "
                                "e.g. chart.png.")
    if path.is_dir():
        raise InvalidInputError(f"-o/--output {name!r} is a folder; name the image file to "
                                f"write, e.g. {str(path / 'chart.png')!r}.")
    formats = _image_formats()
    fmt = path.suffix.removeprefix(".").lower()
    if fmt not in formats:
        what = f"extension {path.suffix!r}" if fmt else "no extension"
        raise InvalidInputError(
            f"-o/--output {name!r} has {what}; end the file name with one of: "
            f"{', '.join('.' + f for f in formats)}.")
    folder = path.parent
    if not folder.exists():
        raise InvalidInputError(f"cannot write {name!r}: folder {str(folder)!r} does not "
                                "exist — check the path, or create the folder first.")
    if not folder.is_dir():
        raise InvalidInputError(f"cannot write {name!r}: {str(folder)!r} is not a folder — "
                                "check the path.")
    return path, fmt


def _cmd_chart(args: argparse.Namespace) -> str:
    from .compare import compare_routes
    from .plot import tcd_chart
    path, fmt = _chart_output(args.output)
    routes = compare_routes(args.origin, args.destination, corridors=args.corridor,
                            scenarios=args.scenario, objective=args.objective,
                            network=_network(args.network))
    drawn = [k for k, v in routes.items() if isinstance(v, Route)]
    failed = {k: v for k, v in routes.items() if isinstance(v, NoRouteError)}
    if not drawn:
        raise next(iter(failed.values()), NoRouteError(args.origin, args.destination,
                                                       "no alternative has a route"))
    fig = tcd_chart(routes)
    fig.savefig(path, format=fmt, dpi=120)
    note = f"; no route for: {', '.join(failed)}" if failed else ""
    return f"wrote {args.output} ({', '.join(drawn)}){note}"


_COMMANDS: dict[str, Callable[[argparse.Namespace], str]] = {
    "route": _cmd_route, "places": _cmd_places, "compare": _cmd_compare,
    "check-claim": _cmd_check_claim, "chart": _cmd_chart}


# -- running ----------------------------------------------------------------------------
def _error(message: str) -> None:
    """Print an error: its first line after ``corridor-router: error:``, the rest below."""
    first, *rest = message.splitlines() or [""]
    print(f"{PROG}: error: {first}", *rest, sep="\n", file=sys.stderr)


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check-claim" and args.table is not None and args.format != "csv":
        parser.error("argument --table: applies to --format csv only")
    try:
        out = _COMMANDS[args.command](args)
    except CorridorRouterError as err:
        _error(str(err))
        return EXIT_ERROR
    except BrokenPipeError:
        raise
    except OSError as err:      # e.g. an unreadable network file, an unwritable output file
        _error(f"{err.strerror or err}: {err.filename or ''} — check the path and its "
               "permissions")
        return EXIT_ERROR
    try:
        sys.stdout.write(out + "\n")
    except UnicodeEncodeError as err:     # e.g. a place name on a terminal set to ASCII
        _error(f"the output holds {err.object[err.start:err.end]!r}, which the output "
               f"encoding ({err.encoding}) cannot write — set PYTHONIOENCODING=utf-8")
        return EXIT_ERROR
    sys.stdout.flush()
    return EXIT_OK


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush finds no closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError):   # no file descriptor (e.g. captured in tests): nothing to do
        pass


def _exit_status(code: object) -> int:
    """The exit status a ``SystemExit(code)`` stands for."""
    if code is None:
        return EXIT_OK
    return code if isinstance(code, int) else EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status; it never shows a traceback.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 for an error the user can fix, 2 for a usage error, 3 for an
        internal error (a bug), 130 when interrupted and 141 when the output pipe was
        closed early (see the module docstring). ``--help`` and ``--version`` return 0.
    """
    try:
        try:
            return _run(argv)
        except SystemExit as done:      # argparse: --help, --version and usage errors
            sys.stdout.flush()
            return _exit_status(done.code)
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_CLOSED_PIPE
    except OSError as err:      # the output cannot be written (a full disk, /dev/full)
        _stdout_to_devnull()
        print(f"{PROG}: error: cannot write the output: {err.strerror or err} — check where "
              "the output goes (disk space, permissions)", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:    # last resort: a bug, said in one line
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            traceback.print_exc()
        first = (str(err).splitlines() or [""])[0]
        print(f"{PROG}: internal error: {type(err).__name__}: {first} — this is a bug in "
              f"corridor_router {__version__}; please report it with the command you ran "
              f"(set {DEBUG_ENV}=1 to see the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
