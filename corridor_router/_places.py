"""Finding places: row, name and country of a place id, and ids from names or aliases."""

from __future__ import annotations

import difflib
import functools

import pandas as pd

from .errors import InputTypeError, PlaceNotFoundError, shown

__all__ = ["PlaceIndex"]


class PlaceIndex:
    """What a network knows of its places as plain dicts and tuples: no table is copied.

    Parameters
    ----------
    places : pandas.DataFrame
        The network's places (indexed by id, with ``name``, ``country`` and ``aliases``);
        read once, never kept.

    Examples
    --------
    >>> places = pd.DataFrame({"name": ["Karachi Port"], "country": ["PK"],
    ...                        "aliases": [("Kiamari",)]}, index=pd.Index(["karachi"]))
    >>> index = PlaceIndex(places)
    >>> index.row("karachi"), index.country("karachi"), index.find(" KIAMARI ")
    (0, 'PK', 'karachi')
    """

    def __init__(self, places: pd.DataFrame) -> None:
        self.rows: dict[str, int] = {pid: i for i, pid in enumerate(places.index)}
        self.names: tuple[str, ...] = tuple(map(str, places["name"]))
        self.countries: tuple[str, ...] = tuple(map(str, places["country"]))
        self._aliases: tuple[tuple[str, ...], ...] = tuple(places["aliases"])

    @functools.cached_property
    def lookup(self) -> dict[str, str]:
        """Normalised place id, name or alias -> place id (the first place wins)."""
        table: dict[str, str] = {}
        for pid, name, aliases in zip(self.rows, self.names, self._aliases):
            for key in (pid, name, *aliases):
                table.setdefault(match_key(key), pid)
        return table

    def row(self, place_id: str) -> int:
        """Row of a place id; PlaceNotFoundError (suggesting the closest ids) if unknown."""
        try:
            return self.rows[place_id]
        except (KeyError, TypeError) as err:       # TypeError: an unhashable id
            raise self._unknown_id(place_id) from err

    def name(self, place_id: str) -> str:
        """Display name of a place id."""
        return self.names[self.row(place_id)]

    def country(self, place_id: str) -> str:
        """Country code of a place id."""
        return self.countries[self.row(place_id)]

    def _unknown_id(self, place_id: object) -> PlaceNotFoundError:
        """The error for an unknown id; the id of a place so named or aliased comes first."""
        query = place_id if isinstance(place_id, str) else shown(place_id)
        ids: list[str] = []
        if isinstance(place_id, str) and place_id.strip():
            named = self.lookup.get(match_key(place_id))
            ids = [named] if named else []
            ids += difflib.get_close_matches(place_id, list(self.rows), n=3, cutoff=0.6)
        return PlaceNotFoundError(query, list(dict.fromkeys(ids))[:3])

    def find(self, query: str) -> str:
        """The id of the place whose id, name or alias matches ``query`` (see find_place)."""
        if not isinstance(query, str):
            raise InputTypeError(f"a place is named by a str (name, id or alias), not "
                                 f"{type(query).__name__} {shown(query)}.")
        if not query.strip():
            raise PlaceNotFoundError(query, ())
        lookup = self.lookup
        key = match_key(query)
        if key in lookup:
            return lookup[key]
        close = difflib.get_close_matches(key, list(lookup), n=5, cutoff=0.6)
        names = dict.fromkeys(self.name(lookup[c]) for c in close)
        raise PlaceNotFoundError(query, list(names)[:3])


def match_key(text: str) -> str:
    """A name as matched: lower case, hyphens and underscores as spaces, spaces collapsed."""
    return " ".join(str(text).lower().replace("_", " ").replace("-", " ").split())
