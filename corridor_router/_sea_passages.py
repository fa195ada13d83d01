"""Sea passages (chokepoints): their names, searoute's edge tags, and which a path passes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from .errors import InvalidInputError

__all__ = ["DEFAULT_RESTRICTIONS", "PASSAGES", "PASSAGE_ALIASES", "PASSAGE_BY_TAG",
           "canonical_passages", "extra_tags", "passage_keys", "passages_along", "searoute_tags"]

#: Chokepoints this module reports and accepts in ``restrictions``, mapped to the
#: tag ``searoute`` 1.6 puts on the edges of its maritime graph.
PASSAGES: Mapping[str, str] = MappingProxyType(
    {
        "arctic": "northwest",  # searoute's tag for its Arctic (Northwest Passage) edges
        "bab_el_mandeb": "babalmandab",
        "bering": "bering",
        "bosporus": "bosporus",
        "cape_horn": "chili",
        "cape_of_good_hope": "south_africa",
        "corinth": "corinth",  # tagged by this module, see extra_tags
        "dardanelles": "dardanelles",
        "gibraltar": "gibraltar",
        "hormuz": "ormuz",
        "malacca": "malacca",
        "panama": "panama",
        "suez": "suez",
        "sunda": "sunda",
        "volga_don": "volga_don",  # tagged by this module, see extra_tags
    }
)

#: Passage name of each searoute edge tag.
PASSAGE_BY_TAG: Mapping[str, str] = MappingProxyType({v: k for k, v in PASSAGES.items()})

#: Other names of passages (or groups of passages), mapped to keys of `PASSAGES`.
#: ``red_sea`` closes both ends of the Red Sea route (as in the 2024 diversions) and
#: ``turkish_straits`` both straits between the Aegean and the Black Sea.
PASSAGE_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "cape": ("cape_of_good_hope",),
        "good_hope": ("cape_of_good_hope",),
        "red_sea": ("bab_el_mandeb", "suez"),
        "turkish_straits": ("bosporus", "dardanelles"),
        # the names in common use
        "strait_of_hormuz": ("hormuz",),
        "bab_al_mandab": ("bab_el_mandeb",),
        "suez_canal": ("suez",),
        "bosphorus": ("bosporus",),
        "strait_of_gibraltar": ("gibraltar",),
        "strait_of_malacca": ("malacca",),
        "panama_canal": ("panama",),
    }
)

#: Passages closed unless the caller says otherwise: those no container service to or
#: from this region uses. ``arctic`` is searoute's own default restriction
#: (``['northwest']``), restated so that the choice is visible. ``corinth`` (the Corinth
#: Canal, 21 m wide) and ``volga_don`` (the Volga and the Volga-Don canal, for river-sea
#: ships of about 5,000 t) are open shortcuts in searoute's network that container
#: ships cannot use; this module tags their edges so that they can be closed.
DEFAULT_RESTRICTIONS: tuple[str, ...] = ("arctic", "corinth", "volga_don")

#: The Corinth Canal edge of searoute 1.6's maritime network (Gulf of Corinth end,
#: Saronic Gulf end).
_CORINTH_CANAL = ((22.947178, 37.960508), (23.020113, 37.909026))

#: searoute 1.6 tags the whole Sea of Marmara ``dardanelles``, so a leg from a Marmara
#: port (Ambarli) to the Black Sea would be reported as passing the Dardanelles. The
#: strait runs from the Aegean to Gelibolu (about 26.67 E); a ``dardanelles`` edge with
#: both ends east of this longitude lies in the Sea of Marmara and loses its tag.
_DARDANELLES_EAST_END_LON = 26.7

#: lon_min, lat_min, lon_max, lat_max of the Volga-Don inland waterway between the Don
#: at Rostov and the Volga-Caspian canal: an edge with both ends inside is tagged.
_VOLGA_DON_BOX = (39.6, 45.6, 48.1, 49.0)


def searoute_tags(restrictions: Iterable[str]) -> tuple[str, ...]:
    """Translate passage names to ``searoute`` edge tags, rejecting unknown names.

    Examples
    --------
    >>> searoute_tags(("suez", "hormuz", "suez"))
    ('ormuz', 'suez')
    """
    if isinstance(restrictions, str):
        raise InvalidInputError(
            f"restrictions must be a collection of passage names, got the string "
            f"{restrictions!r}; write ({restrictions!r},) instead."
        )
    names = tuple(restrictions)
    unknown = sorted(n for n in names if n not in PASSAGES)
    if unknown:
        raise InvalidInputError(
            f"unknown passage(s) in restrictions: {', '.join(map(repr, unknown))}. "
            f"Known passages: {', '.join(sorted(PASSAGES))}."
        )
    return tuple(sorted({PASSAGES[n] for n in names}))


def passage_keys(name: str) -> tuple[str, ...]:
    """The `PASSAGES` keys a passage name or alias stands for; ``()`` if it names none.

    Matching ignores case and surrounding spaces, and reads spaces and hyphens as
    underscores (``"Bab el-Mandeb"`` is ``bab_el_mandeb``). Use it where a name may
    also be a place or link id; `canonical_passages` raises instead.

    Examples
    --------
    >>> passage_keys("Cape")
    ('cape_of_good_hope',)
    >>> passage_keys("Red Sea")
    ('bab_el_mandeb', 'suez')
    >>> passage_keys("karachi")
    ()
    """
    if not isinstance(name, str):
        return ()
    key = "_".join(name.strip().lower().replace("-", " ").split())
    if key in PASSAGES:
        return (key,)
    return PASSAGE_ALIASES.get(key, ())


def canonical_passages(name: str) -> tuple[str, ...]:
    """The `PASSAGES` keys a passage name or alias stands for, or raise.

    Parameters
    ----------
    name : str
        A key of `PASSAGES` or `PASSAGE_ALIASES`, in any case (see `passage_keys`).

    Returns
    -------
    tuple of str
        One key, or several for a group alias such as ``red_sea``.

    Raises
    ------
    InvalidInputError
        If ``name`` is not a string or names no known passage; the message lists the
        known names.

    Examples
    --------
    >>> canonical_passages("HORMUZ")
    ('hormuz',)
    >>> canonical_passages("kiel canal")
    Traceback (most recent call last):
    ...
    corridor_router.errors.InvalidInputError: unknown sea passage 'kiel canal'. Known ...
    """
    keys = passage_keys(name)
    if not keys:
        known = ", ".join(sorted(PASSAGES))
        aliases = ", ".join(
            f"{alias} ({'+'.join(group)})" for alias, group in sorted(PASSAGE_ALIASES.items())
        )
        raise InvalidInputError(
            f"unknown sea passage {name!r}. Known passages: {known}; aliases: {aliases}."
        )
    return keys


def extra_tags(
    adjacency: Mapping[tuple[float, float], Mapping[tuple[float, float], Any]],
) -> list[tuple[tuple[float, float], tuple[float, float], str | None]]:
    """Edge tags to change, as ``(u, v, tag)`` in both directions.

    Untagged edges of the Corinth Canal and the Volga-Don get their tag; the Sea of
    Marmara edges searoute tags ``dardanelles`` get ``None`` (the tag is removed).
    """
    lon0, lat0, lon1, lat1 = _VOLGA_DON_BOX

    def inside(p: tuple[float, float]) -> bool:
        return lon0 <= p[0] <= lon1 and lat0 <= p[1] <= lat1

    found: list[tuple[tuple[float, float], tuple[float, float], str | None]] = []
    for u, nbrs in adjacency.items():
        for v, data in nbrs.items():
            tag = data.get("passage")
            if tag == PASSAGES["dardanelles"] and min(u[0], v[0]) > _DARDANELLES_EAST_END_LON:
                found.append((u, v, None))
            if tag:
                continue
            if {u, v} == set(_CORINTH_CANAL):
                found.append((u, v, "corinth"))
            elif inside(u) and inside(v):
                found.append((u, v, "volga_don"))
    return found


def passages_along(
    path: Sequence[tuple[float, float]], graph: Any, reported: Iterable[str]
) -> tuple[str, ...]:
    """Chokepoints along ``path`` in travel order, each listed once.

    ``searoute``'s own ``traversed_passages`` is an unordered list (built from a set,
    so its order changes between interpreter runs) and drops tags its ``Passage``
    class does not know, such as ``dardanelles``. The edge tags are therefore read
    from the graph along the path; any reported passage not found that way is
    appended in alphabetical order.
    """
    found: list[str] = []
    for a, b in pairwise(path):
        tag = _edge_tag(graph, a, b)
        name = PASSAGE_BY_TAG.get(tag) if tag else None
        if name and name not in found:
            found.append(name)
    extra = sorted({PASSAGE_BY_TAG[t] for t in reported if t in PASSAGE_BY_TAG})
    return tuple(found + [n for n in extra if n not in found])


def _edge_tag(graph: Any, a: tuple[float, float], b: tuple[float, float]) -> str | None:
    """The passage tag of the graph edge between two path points, if any.

    ``searoute`` shifts longitudes by 360 degrees to draw a path across the
    antimeridian, so the shifted variants of each point are tried too.
    """
    for da in (0.0, -360.0, 360.0):
        for db in (0.0, -360.0, 360.0):
            data = graph.get_edge_data((a[0] + da, a[1]), (b[0] + db, b[1]))
            if data is not None:
                tag: str | None = data.get("passage")
                return tag
    return None
