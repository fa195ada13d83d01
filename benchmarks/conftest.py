"""pytest setup of the benchmarks: they run only when asked for (``pytest benchmarks``)."""

from __future__ import annotations


def pytest_addoption(parser):
    """Accept ``--benchmark-only`` without pytest-benchmark, so the run skips, not fails."""
    try:
        import pytest_benchmark  # noqa: F401
    except ImportError:
        parser.addoption("--benchmark-only", action="store_true",
                         help="(pytest-benchmark is not installed: benchmarks are skipped)")
