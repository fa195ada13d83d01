"""Which edges a query segment may use: its avoid and modes mask, and its cached weights.

A segment of a route query (between two consecutive stops) may use the edges open in the
scenario, less those an ``avoid`` item names, of the modes it allows
(:func:`edge_mask`). :func:`segment_weights` pairs that mask with the objective's weights,
``inf`` outside it. Masks and weights of restricted segments (avoid, modes, corridor
sections) are kept per network in an LRU of :data:`MAX_RESTRICTED` entries
(:data:`RESTRICTED`), so that a repeated query reuses them and their CSR weightings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ._cache import LRU, Slot
from ._targets import corridor_links, links_through, resolve_target
from .context import base_weights
from .costs import EdgeValues
from .errors import InvalidInputError, ScenarioError
from .graph import EdgeKind, RoutingGraph
from .metrics import OBJECTIVES
from .network import Network
from .scenarios import Scenario, link_codes

__all__ = ["AVOID_TARGETS", "MAX_AVOID_NAMES", "MAX_RESTRICTED", "RESTRICTED", "Floats", "Mask",
           "Target", "avoid_target", "edge_mask", "intersect_modes", "segment_weights"]

#: Restricted segments (masks and weights) kept per network.
MAX_RESTRICTED = 32
#: Avoid items (as given) whose resolution a network keeps.
MAX_AVOID_NAMES = 256

#: One flag per edge of a routing graph.
Mask = npt.NDArray[np.bool_]
#: One weight per edge of a routing graph.
Floats = npt.NDArray[np.float64]
#: What an avoid item names: ("place" | "link" | "crossing" | "country" | "passage", id).
Target = tuple[str, str]

#: Per (scenario content, objective, avoid targets, allowed modes): a segment's edge mask
#: and its objective weights, both read-only.
RESTRICTED: Slot[LRU[tuple[Any, ...], tuple[Mask, Floats]]] = Slot("restricted")
#: An avoid item as given -> what it names: ("place" | "link" | "crossing" | "country" |
#: "passage", id).
AVOID_TARGETS: Slot[LRU[str, Target]] = Slot("avoid_targets")


def avoid_target(net: Network, item: str, visited: Sequence[str]) -> Target:
    """What an avoid item names, checked against the places a route must visit.

    Parameters
    ----------
    net : Network
        The network the item is looked up in (its resolution is kept there, in
        :data:`AVOID_TARGETS`).
    item : str
        A place name, id or alias, a link or crossing id, a two-letter country code or a
        sea passage (see :func:`corridor_router._targets.resolve_target`).
    visited : sequence of str
        Ids of the places the route must visit (origin, destination, via places).

    Returns
    -------
    tuple of (str, str)
        ``("place" | "link" | "crossing" | "country" | "passage", id)``.

    Raises
    ------
    InvalidInputError
        If the item matches nothing, or names a place to visit or the country of one.

    Examples
    --------
    >>> from corridor_router.context import default_network
    >>> net = default_network()
    >>> avoid_target(net, "Kabul", ("tashkent", "karachi"))
    ('place', 'kabul')
    >>> avoid_target(net, "AF", ("kabul", "karachi"))
    Traceback (most recent call last):
    ...
    corridor_router.errors.InvalidInputError: avoid names country AF, where 'Kabul' lies; ...
    """
    cache = net._cache.get_or_make(AVOID_TARGETS, lambda: LRU(MAX_AVOID_NAMES))
    try:
        target = cache.get_or_make(item, lambda: resolve_target(net, item))
    except ScenarioError as err:
        raise InvalidInputError(f"avoid: {err}") from err
    what, ident = target
    if what == "place" and ident in visited:
        raise InvalidInputError(
            f"avoid names {net.place_name(ident)!r}, which the route must visit; "
            "remove it from avoid or from origin/destination/via."
        )
    if what == "country":
        for p in visited:
            if net.place_country(p) == ident:
                raise InvalidInputError(
                    f"avoid names country {ident}, where {net.place_name(p)!r} lies; "
                    "a route cannot avoid the country of a place it must visit."
                )
    return target


def segment_weights(net: Network, graph: RoutingGraph, sc: Scenario, objective: str,
                    values: EdgeValues, targets: tuple[Target, ...],
                    modes: tuple[str, ...] | None) -> tuple[Mask, Floats]:
    """The read-only edge mask and objective weights of a segment under its restrictions.

    Parameters
    ----------
    net : Network
        The network (it keeps the restricted masks and weights, in :data:`RESTRICTED`).
    graph : RoutingGraph
        The network's routing graph.
    sc : Scenario
        The scenario the segment is routed under.
    objective : str
        What the query minimises.
    values : EdgeValues
        The scenario's edge values (``values.enabled``: the edges it leaves open).
    targets : tuple of (str, str)
        What the avoid items name (see :func:`avoid_target`).
    modes : tuple of str or None
        The modes the segment may use (None: all).

    Returns
    -------
    (mask, weights)
        Without restrictions, the scenario's open edges and the shared per-scenario
        weights of :func:`~corridor_router.context.base_weights`; otherwise
        :func:`edge_mask` and those weights with ``inf`` outside it, kept in
        :data:`RESTRICTED`.

    Examples
    --------
    >>> from corridor_router.context import default_network, graph_of, scenario_values
    >>> net = default_network()
    >>> sc = net.scenarios["baseline"]
    >>> values = scenario_values(net, sc)[1]
    >>> mask, weights = segment_weights(net, graph_of(net), sc, "cost", values, (), ("rail",))
    >>> bool(np.isinf(weights[~mask]).all()), mask.flags.writeable
    (True, False)
    >>> segment_weights(net, graph_of(net), sc, "cost", values, (), ("rail",))[1] is weights
    True
    """
    base = base_weights(net, sc, objective)
    if not targets and modes is None:
        mask = values.enabled.view()
        mask.flags.writeable = False
        return mask, base

    def make() -> tuple[Mask, Floats]:
        mask = edge_mask(graph, net, values.enabled, avoid=targets, modes=modes)
        weights = np.where(mask, base, np.inf)
        mask.flags.writeable = weights.flags.writeable = False
        return mask, weights

    store = net._cache.get_or_make(RESTRICTED, lambda: LRU(MAX_RESTRICTED))
    # the objective's registry entry and the scenario's sources are part of the key, as
    # for the base weights (an objective registered again is weighed again)
    return store.get_or_make((sc.key, sc.source, objective, OBJECTIVES[objective], targets,
                              modes), make)


def edge_mask(graph: RoutingGraph, network: Network, enabled: np.ndarray, *,
              avoid: Sequence[Target], modes: tuple[str, ...] | None) -> Mask:
    """Edges a query may use: scenario availability, avoided items and allowed modes.

    Parameters
    ----------
    graph : RoutingGraph
        The network's routing graph.
    network : Network
        The network.
    enabled : numpy.ndarray of bool
        Per edge, whether the scenario leaves it open; not changed.
    avoid : sequence of (str, str)
        What the avoid items name (see :func:`avoid_target`).
    modes : tuple of str or None
        The modes allowed (None: all).

    Returns
    -------
    numpy.ndarray of bool
        A new array, one flag per edge.

    Examples
    --------
    >>> from corridor_router.context import default_network, graph_of
    >>> net = default_network()
    >>> graph = graph_of(net)
    >>> enabled = np.ones(graph.n_edges, dtype=bool)
    >>> rail = edge_mask(graph, net, enabled, avoid=(), modes=("rail",))
    >>> no_kabul = edge_mask(graph, net, enabled, avoid=[("place", "kabul")], modes=None)
    >>> bool(rail.any() and not rail.all()), bool(no_kabul.any() and not no_kabul.all())
    (True, True)
    """
    ok: Mask = enabled.copy()
    kind, ref = graph.kind, graph.ref
    is_link = (kind == EdgeKind.LINK) | (kind == EdgeKind.WAIT)
    links, crossings = network.links, network.crossings      # each a copy: read once
    for what, ident in avoid:
        if what == "link":
            row = links.index.get_loc(ident)
            ok[is_link & (ref == row)] = False
        elif what == "crossing":
            row = crossings.index.get_loc(ident)
            ok[(kind == EdgeKind.BORDER) & (ref == row)] = False
        elif what == "place":
            row = network.place_row(ident)
            ok[(graph.node_place[graph.src] == row) | (graph.node_place[graph.dst] == row)] = False
        elif what == "passage":
            rows = np.flatnonzero(links_through(network, (ident,)))
            ok[is_link & np.isin(ref, rows)] = False
        elif what == "corridor":
            rows = np.flatnonzero(corridor_links(network, (ident,)))
            ok[is_link & np.isin(ref, rows)] = False
        elif what == "country":
            in_country = network.places["country"].to_numpy() == ident
            at = in_country[graph.node_place[graph.src]] | in_country[graph.node_place[graph.dst]]
            ok[at | (graph.side_code == graph.side_index(ident))] = False
            crossing_rows = np.flatnonzero((crossings["from_country"] == ident).to_numpy()
                                           | (crossings["to_country"] == ident).to_numpy())
            ok[(kind == EdgeKind.BORDER) & np.isin(ref, crossing_rows)] = False
    if modes is not None:
        link_mode, link_modes = link_codes(network)["mode"]
        mode_ok = np.isin(np.array([*link_modes, ""], dtype=object), modes)[link_mode]
        ok[is_link] &= mode_ok[ref[is_link]]
        ok &= np.isin(graph.edge_mode_code(),
                      [c for c, m in enumerate(graph.mode_names) if m in modes])
    return ok


def intersect_modes(a: tuple[str, ...] | None, b: tuple[str, ...]) -> tuple[str, ...] | None:
    """Modes allowed by both (None or empty: no restriction).

    Examples
    --------
    >>> intersect_modes(("rail", "road"), ("road", "sea")), intersect_modes(None, ("rail",))
    (('road',), ('rail',))
    >>> intersect_modes(("rail",), ()) is None, intersect_modes(None, ())
    (False, None)
    """
    if not b:
        return a
    if a is None:
        return tuple(b)
    return tuple(m for m in a if m in b)
