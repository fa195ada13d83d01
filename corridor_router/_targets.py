"""What an item of a scenario's ``close`` or a route's ``avoid`` names.

An item is a place, link or crossing id, a two-letter country code, a place name or
alias, a sea passage (``"suez"``, ``"cape"``, ``"red_sea"``; see
:data:`corridor_router.sea.PASSAGES`) or a corridor of ``corridors.toml``
(``"corridor:uap"``: the links carrying its tags). Ids are matched first, exactly. A name
that is both a place's name and a passage's is refused as ambiguous;
``"passage:<name>"`` always means the passage.

:func:`held_edges` says where on a route cargo waits out a closure with a duration
(``Scenario.close_days``, the disruption log's closures).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ._sea_passages import PASSAGE_ALIASES, PASSAGES, canonical_passages, passage_keys
from .errors import (
    InvalidInputError,
    PlaceNotFoundError,
    ScenarioError,
    ScenarioTypeError,
    shown,
)
from .modes import EdgeKind

if TYPE_CHECKING:
    from .graph import RoutingGraph
    from .network import Network

__all__ = ["CORRIDOR_PREFIX", "PASSAGE_PREFIX", "corridor_links",
           "held_edges", "links_through", "resolve_target", "through_passages"]

#: Prefix that makes an item name a sea passage only, e.g. ``"passage:malacca"``.
PASSAGE_PREFIX = "passage:"
#: Prefix of an item naming a corridor of corridors.toml, e.g. ``"corridor:uap"``.
CORRIDOR_PREFIX = "corridor:"


def _id_kind(network: Network, item: str) -> str | None:
    """Which table has ``item`` as an id: "place", else "link", else "crossing" (or None).

    Looked up in the tables' indexes (each hashed once, by pandas), not in a copy of them.
    """
    for kind, table in (("place", network.places), ("link", network.links),
                        ("crossing", network.crossings)):
        if item in table.index:
            return kind
    return None


def _known_passages() -> str:
    return ", ".join(sorted({*PASSAGES, *PASSAGE_ALIASES}))


def resolve_target(network: Network, item: str) -> tuple[str, str]:
    """Map an id, passage or place name to (kind, id); raise if it names nothing.

    The kind is "place", "link", "crossing", "country" or "passage": every sea link
    through the passage; a group such as ``"red_sea"`` names its passages joined by
    ``;``. A passage that no link of the network passes names nothing.

    Examples
    --------
    >>> from corridor_router.context import default_network
    >>> net = default_network()
    >>> resolve_target(net, "Red Sea"), resolve_target(net, "torkham")
    (('passage', 'bab_el_mandeb;suez'), ('place', 'torkham'))
    >>> resolve_target(net, "panama")
    Traceback (most recent call last):
    ...
    corridor_router.errors.ScenarioError: sea passage 'panama' is passed by no link ...
    """
    if not isinstance(item, str):
        raise ScenarioTypeError(f"a place, link, crossing or country must be named by a str, "
                                f"not {type(item).__name__} {shown(item)}.")
    kind = _id_kind(network, item)
    if kind is not None:
        return (kind, item)
    if item.strip().lower().startswith(CORRIDOR_PREFIX):
        return ("corridor", _corridor_target(network, item.strip()[len(CORRIDOR_PREFIX):]))
    forced = item.strip().lower().startswith(PASSAGE_PREFIX)
    name = item.strip()[len(PASSAGE_PREFIX):] if forced else item
    try:
        passages = canonical_passages(name) if forced else passage_keys(name)
    except InvalidInputError as err:
        raise ScenarioError(str(err)) from err
    if passages:
        if not forced:
            _refuse_if_a_place_is_so_named(network, item, passages)
        if not through_passages(network, passages).any():
            raise ScenarioError(
                f"sea passage {shown(name)} is passed by no link of the network (passages "
                f"on its sea links: {', '.join(network_passages(network)) or 'none'}); "
                "remove it.")
        return ("passage", ";".join(passages))
    if item.upper() == item and bool((network.places["country"] == item).any()):
        return ("country", item)
    try:
        return ("place", network.find_place(item))
    except PlaceNotFoundError as err:
        hint = f" Did you mean {', '.join(map(repr, err.suggestions))}?" if err.suggestions else ""
        raise ScenarioError(
            f"{shown(item)} matches no place, link, crossing or country of the network.{hint} "
            "Use a place name or id, a link or crossing id, a two-letter country code or a "
            f"sea passage ({_known_passages()})."
        ) from err


def _corridor_target(network: Network, name: str) -> str:
    """The id of a corridor named after ``corridor:``, which must have tagged links."""
    known = ", ".join(sorted(network.corridors)) or "(none)"
    if name not in network.corridors:
        raise ScenarioError(f"corridor {shown(name)} is not in corridors.toml (known: {known}).")
    if not corridor_links(network, [name]).any():
        raise ScenarioError(f"corridor {shown(name)} has no links carrying its tags "
                            f"({', '.join(network.corridors[name].tags) or 'none'}); close its "
                            "places or links instead.")
    return name


def corridor_links(network: Network, names: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Per link row, whether the link carries a tag of one of the named corridors."""
    tags = {t for n in names for t in network.corridors[n].tags}
    carried = network.links["corridors"].to_numpy(dtype=object)
    return np.fromiter((bool(tags.intersection(c)) for c in carried), dtype=bool,
                       count=len(carried))


def held_edges(network: Network, graph: RoutingGraph, kind: str, ident: str
               ) -> npt.NDArray[np.int64]:
    """The edges where cargo held up by a closure waits, ascending.

    A closure with a duration is met by a route that uses anything its closing for good
    would shut, and waited out once, before the first of these edges the route passes
    (or, if it passes none, before the first edge that meets it):

    * a crossing id: its border edges; a place with crossings: the border edges of all
      of them (a border town's closure is its border's); a country: the border edges of
      every crossing into or out of it;
    * a link, a sea passage, a corridor: the link edges of their links;
    * another place: the edges that arrive there from elsewhere (and the start, when a
      route begins there).

    Examples
    --------
    >>> from corridor_router.context import default_network, graph_of
    >>> net = default_network()
    >>> graph = graph_of(net)
    >>> edges = held_edges(net, graph, "place", "torkham")
    >>> sorted(set(net.crossings.index[graph.ref[edges]]))
    ['torkham_road_af_pk', 'torkham_road_pk_af']
    """
    kinds, ref = graph.kind, graph.ref
    border = kinds == EdgeKind.BORDER
    link = kinds == EdgeKind.LINK
    crossings = network.crossings
    if kind == "crossing":
        return np.flatnonzero(border & (ref == crossings.index.get_loc(ident)))
    if kind == "place" and (crossings["place"] == ident).any():
        rows = np.flatnonzero((crossings["place"] == ident).to_numpy())
        return np.flatnonzero(border & np.isin(ref, rows))
    if kind == "country":
        rows = np.flatnonzero((crossings["from_country"] == ident).to_numpy()
                              | (crossings["to_country"] == ident).to_numpy())
        return np.flatnonzero(border & np.isin(ref, rows))
    if kind == "link":
        return np.flatnonzero(link & (ref == network.links.index.get_loc(ident)))
    if kind == "passage":
        return np.flatnonzero(link & np.isin(ref, np.flatnonzero(links_through(network,
                                                                               [ident]))))
    if kind == "corridor":
        return np.flatnonzero(link & np.isin(ref, np.flatnonzero(corridor_links(network,
                                                                                [ident]))))
    row = network.place_row(ident)
    at_src, at_dst = graph.node_place[graph.src] == row, graph.node_place[graph.dst] == row
    return np.flatnonzero(at_dst & (~at_src | (kinds == EdgeKind.START)))


def _refuse_if_a_place_is_so_named(network: Network, item: str,
                                   passages: tuple[str, ...]) -> None:
    """Raise if ``item`` is also a place's name or alias (say how to mean either)."""
    try:
        pid = network.find_place(item)
    except PlaceNotFoundError:
        return
    raise ScenarioError(
        f"{shown(item)} names both the place {network.place_name(pid)!r} and the sea "
        f"passage {', '.join(passages)}; write the place id {pid!r} for the place, or "
        f"{PASSAGE_PREFIX + item.strip()!r} for the passage.")


def network_passages(network: Network) -> list[str]:
    """The passages the network's sea links go through, sorted."""
    return sorted({p for s in network.links["straits"] for p in s})


def links_through(network: Network, targets: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Per link row, whether the link passes a passage of the ``"passage"`` targets.

    ``targets`` are the ids :func:`resolve_target` returned; a group's passages are
    joined by ``;`` there and split here, the one place that reads that form.
    """
    return through_passages(network, {p for ident in targets for p in ident.split(";")})


def through_passages(network: Network, passages: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Per link row, whether the link passes one of the sea passages (canonical names).

    Examples
    --------
    >>> from corridor_router.context import default_network
    >>> net = default_network()
    >>> hormuz = through_passages(net, ["hormuz"])
    >>> bool(hormuz[net.links.index.get_loc("sea_karachi_jebel_ali")])
    True
    """
    wanted = set(passages)
    straits = network.links["straits"].to_numpy(dtype=object)
    return np.fromiter((bool(wanted.intersection(s)) for s in straits), dtype=bool,
                       count=len(straits))
