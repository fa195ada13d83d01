"""Modes, gauges, edge kinds and layers, declared as data.

Every trait the code needs of a mode lives in :data:`MODE_TRAITS`; code asks for a
trait (``traits("sea").port_call``) instead of naming modes, and looks it up when it
runs, so an entry added to :data:`MODE_TRAITS` (in a test, by ``monkeypatch.setitem``)
is seen everywhere. Adding a mode is one entry here plus its figures in
``params.toml``; ``tests/test_modes.py`` fails if an entry lacks a trait.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

__all__ = ["GAUGES", "KIND_NAMES", "MODES", "MODE_TRAITS", "EdgeKind", "ModeTraits",
           "gauge_of", "gauged_modes", "layer_name", "mode_names", "mode_of", "traits"]


@dataclass(frozen=True)
class ModeTraits:
    """What the network, the graph and the results need to know of one mode.

    Every trait is required: a ``ModeTraits`` built without one, or with a value of the
    wrong type, raises ``TypeError``.

    Attributes
    ----------
    name : str
        The mode as written in the files (``links.csv`` ``mode``, ``params.toml``).
    gauged : bool
        Links carry a track gauge (``links.csv`` ``gauge_mm``) and the mode has one layer
        per gauge (``"rail:1520"``), joined at a place by gauge breaks.
    land : bool
        Links lie in one country (``links.csv`` ``country`` is required) and cross
        borders only at the crossings of ``crossings.csv``.
    port_call : bool
        Moving to or from this mode at a place is a port call (not a transfer).
    component : str
        The component of a claim's cost breakdown that the mode's line haul falls in
        (``"line haul: rail"``).

    Examples
    --------
    >>> ModeTraits("river", gauged=False, land=True, port_call=False, component="river")
    ModeTraits(name='river', gauged=False, land=True, port_call=False, component='river')
    >>> ModeTraits("river", gauged=False, land=True, port_call=False)
    Traceback (most recent call last):
    ...
    TypeError: ModeTraits.__init__() missing 1 required positional argument: 'component'
    """

    name: str
    gauged: bool
    land: bool
    port_call: bool
    component: str

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            want = bool if f.type in ("bool", bool) else str
            if type(value) is not want or (want is str and not value):
                raise TypeError(f"mode trait {f.name} must be a {'non-empty ' * (want is str)}"
                                f"{want.__name__}, not {value!r}")
        if any(c in self.name for c in ":>/-"):
            # layers, node names and params pair keys ("rail-road") are built from it
            raise TypeError(f"a mode name holds no ':', '>', '/' or '-': {self.name!r}")


#: Every mode and its traits, in the order used in messages and by the graph's mode codes.
MODE_TRAITS: dict[str, ModeTraits] = {
    "rail": ModeTraits("rail", gauged=True, land=True, port_call=False,
                       component="line haul: rail"),
    "road": ModeTraits("road", gauged=False, land=True, port_call=False,
                       component="line haul: road"),
    "sea": ModeTraits("sea", gauged=False, land=False, port_call=True, component="sea"),
    "ferry": ModeTraits("ferry", gauged=False, land=False, port_call=False,
                        component="Caspian ferry"),
}
#: The modes when the package was imported; code that must see modes added later (a
#: test's ``monkeypatch.setitem(MODE_TRAITS, ...)``) calls :func:`mode_names` instead.
MODES: tuple[str, ...] = tuple(MODE_TRAITS)
#: Track gauges in mm: 1435 standard, 1520 Russian, 1676 Indian broad gauge.
GAUGES: tuple[int, ...] = (1435, 1520, 1676)


def traits(mode: str) -> ModeTraits:
    """The traits of a mode.

    Parameters
    ----------
    mode : str
        A mode name (a key of :data:`MODE_TRAITS`).

    Returns
    -------
    ModeTraits

    Raises
    ------
    KeyError
        For an unknown mode (modes are checked when data is read).

    Examples
    --------
    >>> traits("sea").port_call, traits("rail").gauged
    (True, True)
    """
    return MODE_TRAITS[mode]


def mode_names() -> tuple[str, ...]:
    """The modes of :data:`MODE_TRAITS` now, in order.

    Examples
    --------
    >>> mode_names()
    ('rail', 'road', 'sea', 'ferry')
    """
    return tuple(MODE_TRAITS)


def gauged_modes() -> tuple[str, ...]:
    """The modes whose links carry a gauge, in :data:`MODE_TRAITS` order.

    Examples
    --------
    >>> gauged_modes()
    ('rail',)
    """
    return tuple(m for m, t in MODE_TRAITS.items() if t.gauged)


class EdgeKind(enum.IntEnum):
    """Kinds of virtual edges; the values are the codes stored in the graph's arrays.

    Examples
    --------
    >>> EdgeKind.GAUGE_BREAK.label, int(EdgeKind.GAUGE_BREAK)
    ('gauge_break', 3)
    """

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
    """The graph layer of a mode and gauge: ``"road"``, ``"rail:1520"``.

    A gauged mode has one layer per gauge; the gauge of any other mode is ignored.

    Parameters
    ----------
    mode : str
        A mode of :data:`MODE_TRAITS`.
    gauge : int, optional
        Track gauge in mm.

    Returns
    -------
    str

    Examples
    --------
    >>> layer_name("rail", 1520), layer_name("road"), layer_name("road", 1520)
    ('rail:1520', 'road', 'road')
    """
    return f"{mode}:{int(gauge)}" if gauge is not None and traits(mode).gauged else mode


def mode_of(layer: str) -> str:
    """Mode of a layer name (the inverse of :func:`layer_name`, with :func:`gauge_of`).

    Examples
    --------
    >>> mode_of("rail:1520"), mode_of("sea")
    ('rail', 'sea')
    """
    return layer.split(":", 1)[0]


def gauge_of(layer: str) -> int | None:
    """Gauge of a layer name in mm, or None for a layer without gauge.

    Examples
    --------
    >>> gauge_of("rail:1520"), gauge_of("road")
    (1520, None)
    """
    _, _, gauge = layer.partition(":")
    return int(gauge) if gauge else None
