"""Modes, gauges, edge kinds and layers, declared as data.

Every trait the code needs of a mode lives in :data:`MODE_TRAITS`; code asks for a
trait (``traits("sea").port_call``) instead of naming modes. Adding a mode is one entry
here plus its figures in ``params.toml``; ``tests/test_modes.py`` fails if an entry
lacks a trait.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["GAUGES", "KIND_NAMES", "MODES", "MODE_TRAITS", "EdgeKind", "ModeTraits",
           "gauge_of", "layer_name", "mode_of", "traits"]


@dataclass(frozen=True)
class ModeTraits:
    """What the network and the graph need to know of one mode.

    Attributes
    ----------
    name : str
        The mode as written in the files (``links.csv`` ``mode``, ``params.toml``).
    gauged : bool
        Links carry a track gauge and the mode has one layer per gauge, joined by
        gauge breaks.
    land : bool
        Links lie in one country (``links.csv`` ``country`` is required) and cross
        borders only at the crossings of ``crossings.csv``.
    port_call : bool
        Moving to or from this mode at a place is a port call (not a transfer).
    """

    name: str
    gauged: bool
    land: bool
    port_call: bool


#: Every mode and its traits, in the order used in messages.
MODE_TRAITS: dict[str, ModeTraits] = {
    "rail": ModeTraits("rail", gauged=True, land=True, port_call=False),
    "road": ModeTraits("road", gauged=False, land=True, port_call=False),
    "sea": ModeTraits("sea", gauged=False, land=False, port_call=True),
    "ferry": ModeTraits("ferry", gauged=False, land=False, port_call=False),
}
MODES: tuple[str, ...] = tuple(MODE_TRAITS)
#: Track gauges in mm: 1435 standard, 1520 Russian, 1676 Indian broad gauge.
GAUGES: tuple[int, ...] = (1435, 1520, 1676)


def traits(mode: str) -> ModeTraits:
    """The traits of a mode (KeyError if unknown: modes are checked when data is read)."""
    return MODE_TRAITS[mode]


class EdgeKind(enum.IntEnum):
    """Kinds of virtual edges; the values are the codes stored in the graph's arrays."""

    LINK = 0
    TRANSFER = 1
    PORT_CALL = 2
    GAUGE_BREAK = 3
    BORDER = 4
    WAIT = 5
    START = 6
    END = 7

    @property
    def label(self) -> str:
        """The kind's name in results (``"gauge_break"``)."""
        return self.name.lower()


#: Result names of the edge kinds, indexed by code.
KIND_NAMES: tuple[str, ...] = tuple(k.label for k in EdgeKind)


def layer_name(mode: str, gauge: int | None = None) -> str:
    """The graph layer of a mode (and gauge): ``"road"``, ``"rail:1520"``.

    >>> layer_name("rail", 1520), layer_name("road")
    ('rail:1520', 'road')
    """
    return f"{mode}:{int(gauge)}" if gauge is not None and traits(mode).gauged else mode


def mode_of(layer: str) -> str:
    """Mode of a layer name (``"rail:1520"`` -> ``"rail"``)."""
    return layer.split(":", 1)[0]


def gauge_of(layer: str) -> int | None:
    """Gauge of a layer name in mm, or None for a layer without gauge."""
    _, _, gauge = layer.partition(":")
    return int(gauge) if gauge else None
