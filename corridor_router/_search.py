"""The break-even search of claim trials: stepping out from a value, then bisecting.

A plain search over a function of one number; :mod:`corridor_router._trials` gives it
the claim's savings at trial values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["SEARCH_MAX", "STEPS", "bisect_root", "step_ends"]


#: Largest value tried for a break-even (hours, USD, km/h or USD per TEU-km alike).
SEARCH_MAX = 1e5


STEPS = 12


def _step_down(lo: float, x: float) -> float:
    return lo + (x - lo) / 2


def _step_up(hi: float, x: float) -> float:
    return min(hi, 2 * x + 1)


def step_ends(lo: float, hi: float, start: float) -> tuple[float, float]:
    """The farthest values :func:`_bisect` steps to below and above ``start``."""
    down = up = start
    for _ in range(STEPS):
        down, up = _step_down(lo, down), _step_up(hi, up)
    return down, up


def bisect_root(f: Callable[[float], float], lo: float, hi: float, start: float,
            iterations: int = 32) -> float:
    """A root of ``f`` in [lo, hi], by stepping out from ``start``, then bisecting.

    The steps go downwards first, halving the distance to ``lo``; then upwards,
    doubling; the first bracket found is bisected. ``f`` may return NaN where it is
    undefined (a route disappears): the search on that side stops there. Returns NaN
    when no sign change is found.
    """
    f_start = f(start)
    if f_start == 0:
        return start
    if not np.isfinite(f_start):
        return float("nan")
    steps: tuple[Callable[[float], float], ...] = (lambda x: _step_down(lo, x),
                                                   lambda x: _step_up(hi, x))
    for step in steps:
        a, fa = start, f_start
        for _ in range(STEPS):
            b = step(a)
            if b == a:
                break
            fb = f(b)
            if not np.isfinite(fb):
                break
            if np.sign(fb) != np.sign(fa):
                return _bisect_bracket(f, a, fa, b, iterations)
            a, fa = b, fb
    return float("nan")


def _bisect_bracket(f: Callable[[float], float], a: float, fa: float, b: float,
                    iterations: int) -> float:
    for _ in range(iterations):
        m = 0.5 * (a + b)
        fm = f(m)
        if not np.isfinite(fm):
            return float("nan")
        if np.sign(fm) == np.sign(fa):
            a, fa = m, fm
        else:
            b = m
        if abs(b - a) <= 1e-5 * max(1.0, abs(m)):
            break
    return 0.5 * (a + b)
