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
import dataclasses
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import pandas as pd

from . import __version__
from ._cli_args import (
    EXIT_CLOSED_PIPE,
    EXIT_ERROR,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    PROG,
    build_parser,
    chart_output,
)
from ._cli_format import (
    calibration_output,
    claim_output,
    compare_output,
    corridors_output,
    criticality_output,
    places_output,
    route_output,
    scenarios_output,
    simulation_output,
    sweep_output,
)
from .context import default_network
from .errors import CorridorRouterError, InvalidInputError, NoRouteError
from .network import Network, load_network
from .query import get_corridor
from .routing import Route, route
from .scenarios import Scenario, get_scenario

__all__ = ["main"]

#: Set this environment variable (to anything but "" or "0") to see the traceback of an
#: internal error.
DEBUG_ENV = "CORRIDOR_ROUTER_DEBUG"


# -- the commands ----------------------------------------------------------------------
# compare, claims and plot (matplotlib) are imported when their command runs, so that
# ``route`` and ``places`` start fast; nothing imports this module, so there is no cycle.
def _network(arg: str | None) -> Network | None:
    """The network ``--network`` names; None (the default network) when it is not given."""
    return None if arg is None else load_network(arg)


def _scenario(args: argparse.Namespace, net: Network | None) -> str | Scenario | None:
    """``--scenario`` with what ``--close`` and ``--close-days`` add to it."""
    if not args.close and not args.close_days:
        return cast(str | None, args.scenario)
    network = net if net is not None else default_network()
    name = args.scenario
    corridor = getattr(args, "corridor", None)
    if name is None and corridor is not None:      # the corridor's own scenario, as route()
        name = get_corridor(network, corridor).scenario or None
    base = get_scenario(network, name)
    days = dict(base.close_days)
    days.update(dict(args.close_days))
    return dataclasses.replace(base, name=f"{base.name} (with closures)",
                               close=(*base.close, *args.close), close_days=days)


def _cmd_route(args: argparse.Namespace) -> str:
    net = _network(args.network)
    r = route(args.origin, args.destination, objective=args.objective, network=net,
              scenario=_scenario(args, net), via=args.via, avoid=args.avoid, modes=args.modes,
              corridor=args.corridor)
    return route_output(r, args.format)


def _cmd_criticality(args: argparse.Namespace) -> str:
    from .disruption import criticality
    net = _network(args.network)
    table = criticality(args.origin, args.destination, kinds=args.kind, top=args.top,
                        objective=args.objective, scenario=_scenario(args, net), network=net)
    return criticality_output(table, args.format)


def _cmd_sweep(args: argparse.Namespace) -> str:
    from .sweep import read_spec, sweep, write_parquet
    spec = read_spec(args.spec)
    if args.network is not None:
        spec["network"] = args.network
    out = Path(args.output) if args.output is not None else None
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise InvalidInputError(f"-o/--output {args.output!r}: end the file name with .parquet "
                                "or .csv.")
    if out is not None and not out.parent.is_dir():
        raise InvalidInputError(f"cannot write {args.output!r}: folder {str(out.parent)!r} "
                                "does not exist.")
    progress = not args.no_progress
    if args.scheduler is not None:
        client = _dask_client(args.scheduler)
        try:
            table = sweep(client=client, progress=progress, **spec)
        finally:
            client.close()
    else:
        table = sweep(workers=args.workers, progress=progress, **spec)
    if out is None:
        return sweep_output(table, args.format)
    if out.suffix.lower() == ".parquet":
        write_parquet(table, out)
    else:
        table.to_csv(out, index=False)
    return f"wrote {args.output} ({len(table)} rows)"


def _dask_client(address: str) -> Any:
    """A Dask client of the scheduler at ``address``, or a clear error."""
    try:
        client_class = importlib.import_module("dask.distributed").Client
    except ImportError as err:
        raise InvalidInputError("--scheduler needs Dask: pip install "
                                "'corridor_router[dask]'") from err
    try:
        return client_class(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise InvalidInputError(f"cannot reach the Dask scheduler at {address!r}: {err}") \
            from err


def _cmd_places(args: argparse.Namespace) -> str:
    net = load_network(args.network)
    df = pd.DataFrame(net.places.drop(columns="geometry"))
    if args.country:
        known = sorted(set(df["country"]))
        if args.country.upper() not in known:
            raise InvalidInputError(f"No place lies in country {args.country!r}; the network "
                                    f"has: {', '.join(known)}.")
        df = df[df["country"] == args.country.upper()]
    return places_output(df, args.format)


def _cmd_scenarios(args: argparse.Namespace) -> str:
    return scenarios_output(load_network(args.network), args.format)


def _cmd_corridors(args: argparse.Namespace) -> str:
    return corridors_output(load_network(args.network), args.format)


def _cmd_compare(args: argparse.Namespace) -> str:
    from .compare import compare
    df = compare(args.origin, args.destination, corridors=args.corridor, scenarios=args.scenario,
                 baseline=args.baseline, objective=args.objective, network=_network(args.network),
                 n=args.n, seed=args.seed)
    return compare_output(df, args.format)


def _cmd_simulate(args: argparse.Namespace) -> str:
    from .simulate import simulate
    path, fmt = chart_output(args.output) if args.output is not None else (None, "")
    sim = simulate(args.origin, args.destination, n=args.n, seed=args.seed,
                   corridors=args.corridor, deadline_days=args.deadline_days,
                   budget_usd=args.budget_usd, spread=args.spread,
                   disruptions=not args.no_disruptions, objective=args.objective,
                   scenario=args.scenario, network=_network(args.network))
    out = simulation_output(sim, args.format)
    if path is not None:
        sim.chart().savefig(path, format=fmt, dpi=120)
        if args.format == "table":
            out += f"\nwrote {args.output}"
    return out


def _cmd_check_claim(args: argparse.Namespace) -> str:
    from .claims import check_claim
    result = check_claim(args.origin, args.destination, corridor=args.corridor,
                         versus=args.versus, days_saved=args.days, cost_saved_pct=args.cost_pct,
                         scenario=args.scenario, objective=args.objective,
                         network=_network(args.network), n=args.n, seed=args.seed)
    return claim_output(result, args.format, args.table)


def _cmd_chart(args: argparse.Namespace) -> str:
    from .compare import compare_routes
    from .plot import tcd_chart
    path, fmt = chart_output(args.output)
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


def _cmd_calibrate(args: argparse.Namespace) -> str:
    from .calibration import calibration
    path, fmt = chart_output(args.output) if args.output is not None else (None, "")
    table = calibration(_network(args.network))
    out = calibration_output(table, args.format)
    if path is not None:
        from .plot import calibration_chart
        calibration_chart(table).savefig(path, format=fmt, dpi=120)
        if args.format == "table":
            out += f"\nwrote {args.output}"
    return out


def _cmd_bench(args: argparse.Namespace) -> str:
    from .bench import THRESHOLD, compare_to_baseline, read_baseline, run_bench
    if args.threshold is not None and args.baseline is None:
        raise InvalidInputError("--threshold applies to --baseline; give the baseline "
                                "report too, e.g. --baseline baseline.json.")
    baseline = read_baseline(args.baseline) if args.baseline is not None else None
    network = args.network if args.network is not None else None
    quiet = args.format == "json"
    report = run_bench(network, quick=args.quick, seed=args.seed,
                       progress=None if quiet else lambda line: print(
                           f"{PROG} bench: {line}", file=sys.stderr, flush=True))
    out = report.to_json() if args.format == "json" else report.table()
    if baseline is not None:
        threshold = THRESHOLD if args.threshold is None else args.threshold
        worse = compare_to_baseline(report, baseline, threshold)
        if worse:
            sys.stdout.write(out + "\n")
            raise BenchRegression(
                f"{len(worse)} measurement(s) worse than the baseline {args.baseline}:\n"
                + "\n".join(worse))
        if not quiet:
            out += (f"\nno ratio fell by more than {threshold:.0%} against "
                    f"{args.baseline}")
    return out


class BenchRegression(CorridorRouterError):
    """``bench --baseline``: a ratio fell beyond the threshold (exit status 1)."""


def _cmd_init(args: argparse.Namespace) -> str:
    from ._template import write_template
    if not args.folder.strip():
        raise InvalidInputError("DIR is empty; name the folder to create, e.g. my_network.")
    folder = Path(args.folder)
    written = write_template(folder)
    return (f"wrote a template network to {args.folder} ({', '.join(p.name for p in written)})"
            f"\ntry it: {PROG} route Termez Mazar --network {args.folder}"
            "\nthen replace its places, links, figures and sources with yours "
            "(the format: networks/README.md)")


_COMMANDS: dict[str, Callable[[argparse.Namespace], str]] = {
    "route": _cmd_route, "places": _cmd_places, "compare": _cmd_compare,
    "check-claim": _cmd_check_claim, "chart": _cmd_chart, "scenarios": _cmd_scenarios,
    "corridors": _cmd_corridors, "calibrate": _cmd_calibrate, "simulate": _cmd_simulate,
    "criticality": _cmd_criticality, "sweep": _cmd_sweep, "init": _cmd_init,
    "bench": _cmd_bench}


# -- running ----------------------------------------------------------------------------
def _error(message: str) -> None:
    """Print an error: its first line after ``corridor-router: error:``, the rest below."""
    first, *rest = message.splitlines() or [""]
    print(f"{PROG}: error: {first}", *rest, sep="\n", file=sys.stderr)


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
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
