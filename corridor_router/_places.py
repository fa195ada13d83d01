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
        The network's places (indexed by id, with ``name``, ``country`` and ``aliases``).
        Their ids are read at once; the other columns are kept (shared, not copied) and
        read out on first use: an id needs no name index.

    Examples
    --------
    >>> places = pd.DataFrame({"name": ["Karachi Port"], "country": ["PK"],
    ...                        "aliases": [("Kiamari",)]}, index=pd.Index(["karachi"]))
    >>> index = PlaceIndex(places)
    >>> index.row("karachi"), index.country("karachi"), index.find(" KIAMARI ")
    (0, 'PK', 'karachi')
    """

    def __init__(self, places: pd.DataFrame) -> None:
        ids: list[str] = places.index.tolist()
        self.rows: dict[str, int] = dict(zip(ids, range(len(ids))))
        # the columns (shared with the network, not copied), read out on first use
        self._columns = (places["name"], places["country"], places["aliases"])

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        """Display name of each place row."""
        return tuple(map(str, self._columns[0].tolist()))

    @functools.cached_property
    def countries(self) -> tuple[str, ...]:
        """Country code of each place row."""
        return tuple(map(str, self._columns[1].tolist()))

    @functools.cached_property
    def _aliases(self) -> tuple[tuple[str, ...], ...]:
        return tuple(self._columns[2].tolist())

    @functools.cached_property
    def lookup(self) -> dict[str, str]:
        """Normalised place id, name or alias -> place id (the first place wins).

        Built on the first query that is not a place id.
        """
        # the places in reverse, so that the first place's entry is written last and kept
        return {match_key(key): pid
                for pid, name, aliases in zip(reversed(self.rows), reversed(self.names),
                                              reversed(self._aliases))
                for key in (*aliases, name, pid)}

    def row(self, place_id: str) -> int:
        """Row of a place id; PlaceNotFoundError (suggesting the closest ids) if unknown."""
        try:
            return self.rows[place_id]
        except (KeyError, TypeError) as err:       # TypeError: an unhashable id
            raise self._unknown_id(place_id) from err

    def name(self, place_id: str) -> str:
        """Display name of a place id."""
        row = self.row(place_id)
        return self.names[row] if "names" in self.__dict__ else str(self._columns[0].iat[row])

    def country(self, place_id: str) -> str:
        """Country code of a place id."""
        row = self.row(place_id)
        return self.countries[row] if "countries" in self.__dict__ \
            else str(self._columns[1].iat[row])

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
        if query in self.rows:          # an id, exactly: no need of the name index
            return query
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
