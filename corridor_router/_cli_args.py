"""The command line's arguments: its parser, and the checks of values argparse cannot make."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from . import __version__
from .disruption import KINDS
from .errors import InvalidInputError
from .metrics import OBJECTIVES
from .modes import MODE_TRAITS
from .network import bundled_networks

__all__ = ["CLAIM_TABLES", "EXIT_CLOSED_PIPE", "EXIT_ERROR", "EXIT_INTERNAL",
           "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "FORMATS", "PROG", "TABLE_FORMATS",
           "build_parser", "chart_output"]

PROG = "corridor-router"
FORMATS = ("table", "json", "csv", "geojson")
TABLE_FORMATS = ("table", "json", "csv")
#: The ClaimCheck tables that ``check-claim --format csv`` can write (``--table``).
CLAIM_TABLES = ("breakdown", "sensitivity", "legs")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
#: 128 + SIGPIPE: how a shell reports a tool stopped by a closed pipe.
EXIT_CLOSED_PIPE = 141

_EPILOG = ("exit status: 0 success; 1 error (bad place, no route, broken network, unwritable "
           "file); 2 usage error; 3 internal error (a bug: please report it); 130 interrupted; "
           "141 output pipe closed early (e.g. by head)")


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


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``corridor-router`` and its commands (modes as registered now).

    Examples
    --------
    >>> args = build_parser().parse_args(["route", "Tashkent", "Karachi", "--via", "Termez"])
    >>> args.command, args.origin, args.via, args.objective, args.network
    ('route', 'Tashkent', ['Termez'], 'cost', None)
    """
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
                   help="place, link id, crossing id, country code or sea passage (e.g. "
                        "suez) to avoid (repeatable)")
    r.add_argument("--modes", default=None,
                   help=f"allowed modes, comma-separated ({','.join(MODE_TRAITS)})")
    r.add_argument("--corridor", default=None, help="follow a named corridor, e.g. uap")
    _closures(r)
    r.add_argument("--format", choices=FORMATS, default="table")

    q = _trip(sub, common, "criticality", "what losing each border, crossing, link, sea "
              "passage or place of the best route costs the trip, worst first")
    q.add_argument("--scenario", default=None, help="scenario name (default: baseline)")
    _closures(q)
    q.add_argument("--kind", action="append", default=None, choices=KINDS,
                   help="rank only these kinds (repeatable; default: all)")
    q.add_argument("--top", type=_whole(1), default=None, help="show the first rows only")
    q.add_argument("--format", choices=TABLE_FORMATS, default="table")

    w = sub.add_parser("sweep", help="compare corridors for every scenario and trip of a spec "
                       "file (TOML), on local cores or a Dask cluster", parents=[common],
                       epilog=_EPILOG)
    w.add_argument("spec", metavar="SPEC.toml",
                   help="[sweep] pairs, scenarios, n, seed, corridors, objective; "
                        "[scenarios.<name>] tables of scenarios of its own")
    w.add_argument("--workers", type=_whole(1), default=None,
                   help="local worker processes (default: one per core)")
    w.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on this Dask scheduler, e.g. tcp://10.0.0.5:8786 (needs the "
                        "dask extra; workers need the package installed)")
    w.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="write the table to this .parquet or .csv file (default: print it)")
    w.add_argument("--format", choices=TABLE_FORMATS, default="table",
                   help="what to print without -o")
    w.add_argument("--no-progress", action="store_true", help="no progress bar")

    c = _trip(sub, common, "compare", "compare corridors (and scenarios) between two places")
    _alternatives(c, "compare")
    c.add_argument("--baseline", default=None,
                   help="row to measure savings against (default: today)")
    c.add_argument("--format", choices=TABLE_FORMATS, default="table",
                   help="table (default), json (one object per row) or csv")
    _draws(c, None)

    m = _trip(sub, common, "simulate", "days and cost of each corridor as ranges (P10/P50/P90) "
              "over Monte Carlo draws of the uncertain figures and closures")
    m.add_argument("--corridor", action="append", default=None, metavar="NAME",
                   help="corridor to simulate (repeatable; default: every corridor that "
                        "connects)")
    m.add_argument("--scenario", default=None, help="scenario for every alternative")
    _draws(m, 10_000)
    m.add_argument("--deadline-days", type=_finite_float, default=None,
                   help="report the share of draws delivered within this many days")
    m.add_argument("--budget-usd", type=_finite_float, default=None,
                   help="report the share of draws within this cost (USD per TEU)")
    m.add_argument("--spread", type=_finite_float, default=1.0,
                   help="share of the sourced spreads applied, 0 to 1 (default 1)")
    m.add_argument("--no-disruptions", action="store_true",
                   help="leave out the closures of the disruption log")
    m.add_argument("--format", choices=TABLE_FORMATS, default="table",
                   help="table (default), json (settings, summary, routes) or csv (summary)")
    m.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="also draw the distributions of days (ECDFs, deadline marked) to "
                        "this image file (.png, .pdf, .svg, ...)")

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
    _draws(k, None)

    h = _trip(sub, common, "chart", "Time/Cost-Distance chart of corridors, saved as an image")
    _alternatives(h, "draw")
    h.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="image file to write; its extension (.png, .pdf, .svg, ...) sets "
                        "the format")

    p = sub.add_parser("places", help="list the places of the network", parents=[common],
                       epilog=_EPILOG)
    p.add_argument("--country", default=None, help="only places in this ISO country code")
    p.add_argument("--format", choices=TABLE_FORMATS, default="table")

    cal = sub.add_parser("calibrate", help="the model against the network's published "
                         "end-to-end observations (observed.csv): table and summary",
                         parents=[common], epilog=_EPILOG)
    cal.add_argument("--format", choices=TABLE_FORMATS, default="table")
    cal.add_argument("-o", "--output", default=None, metavar="FILE",
                     help="also draw the predicted-vs-observed chart (log-log, with the "
                          "band) to this image file (.png, .pdf, .svg, ...)")

    b = sub.add_parser("bench", help="benchmark the routing core on the network against "
                       "baselines run alongside (scipy, networkx; the CCH index with the "
                       "[fast] extra)", parents=[common], epilog=_EPILOG)
    b.add_argument("--quick", action="store_true",
                   help="fewer queries and a smaller matrix (a smoke run)")
    b.add_argument("--format", choices=("table", "json"), default="table")
    b.add_argument("--baseline", default=None, metavar="FILE",
                   help="a --format json report saved earlier: exit 1 if a ratio (baseline "
                        "time / ours) fell by more than --threshold, or ours and a "
                        "baseline disagree")
    b.add_argument("--threshold", type=_fraction, default=None, metavar="F",
                   help="fall of a ratio allowed by --baseline, a fraction (default 0.3)")
    b.add_argument("--seed", type=_whole(0), default=0,
                   help="seed of the queries' place pairs (default 0)")

    init = sub.add_parser("init", help="write a small, valid, commented template network "
                          "folder to start a network from", epilog=_EPILOG)
    init.add_argument("folder", metavar="DIR",
                      help="the folder to create (it must not exist yet, or be empty)")

    for name, what in (("scenarios", "the named scenarios: what each opens or closes, "
                                     "its dates and sources"),
                       ("corridors", "the named corridors: their places, modes, "
                                     "scenario and sources")):
        lister = sub.add_parser(name, help=f"list {what}", parents=[common], epilog=_EPILOG)
        lister.add_argument("--format", choices=TABLE_FORMATS, default="table")
    return parser


def _trip(sub: argparse._SubParsersAction[_Parser],
          common: _Parser, name: str, help: str) -> argparse.ArgumentParser:
    """A sub-command about one trip: origin, destination and objective."""
    parser = sub.add_parser(name, help=help, parents=[common], epilog=_EPILOG)
    parser.add_argument("origin")
    parser.add_argument("destination")
    parser.add_argument("--objective", choices=tuple(OBJECTIVES), default="cost")
    return parser


def _alternatives(parser: argparse.ArgumentParser, verb: str) -> None:
    """Repeatable --corridor and --scenario options naming the alternatives to show."""
    parser.add_argument("--corridor", action="append", default=None, metavar="NAME",
                        help=f"corridor to {verb} (repeatable; default: every corridor "
                             "that connects)")
    parser.add_argument("--scenario", action="append", default=None, metavar="NAME",
                        help=f"scenario to {verb} as well (repeatable)")


def _item_days(value: str) -> tuple[str, float]:
    """An ``ITEM=DAYS`` pair of ``--close-days``."""
    item, sep, days = value.rpartition("=")
    if not sep or not item.strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not ITEM=DAYS, e.g. torkham=30")
    return item.strip(), _finite_float(days)


def _closures(parser: argparse.ArgumentParser) -> None:
    """--close and --close-days: what the scenario also shuts, for good or for some days."""
    parser.add_argument("--close", action="append", default=[], metavar="ITEM",
                        help="also shut this place, crossing, link, country, sea passage "
                             "or corridor:NAME (repeatable)")
    parser.add_argument("--close-days", action="append", default=[], type=_item_days,
                        metavar="ITEM=DAYS",
                        help="also shut an item for some days, e.g. torkham=30: the route "
                             "waits or goes round, and says which (repeatable)")


def _whole(least: int) -> Callable[[str], int]:
    """A parser of whole numbers of at least ``least`` (draws: 1; a seed: 0)."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if number < least:
            raise argparse.ArgumentTypeError(f"{value!r} is less than {least}")
        return number
    return parse


def _fraction(value: str) -> float:
    """A fraction in [0, 1) (``bench --threshold``)."""
    number = _finite_float(value)
    if not 0 <= number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a fraction in [0, 1), e.g. 0.3")
    return number


def _draws(parser: argparse.ArgumentParser, default: int | None) -> None:
    """--n and --seed: Monte Carlo draws of the uncertain figures."""
    parser.add_argument("--n", type=_whole(1), default=default, metavar="DRAWS",
                        help="draws of the uncertain figures and closures"
                             + (f" (default {default:,})" if default else
                                " (default: none; with it, probabilities and P10/P50/P90)"))
    parser.add_argument("--seed", type=_whole(0), default=None,
                        help="seed of the draws (same seed, same numbers; default: fresh)")


def _image_formats() -> list[str]:
    """File extensions matplotlib can write, e.g. ``png``, ``pdf``, ``svg``."""
    from matplotlib.backend_bases import FigureCanvasBase  # heavy: only when charting
    return sorted(FigureCanvasBase.get_supported_filetypes())


def chart_output(name: str) -> tuple[Path, str]:
    """The file ``chart -o`` writes and its format, checked before any route is computed.

    Raises
    ------
    InvalidInputError
        If the name is empty or a folder, its extension is no image format matplotlib
        writes, or its folder does not exist.
    """
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
