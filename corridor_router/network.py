"""The Network: one validated network's tables, parameters, corridors and scenarios, read-only.

:func:`load_network` reads and checks a network folder (the files are read by
``_csv_tables``, ``_corridors`` and ``_scenario_file``; the folder is found by
``_folders``) and returns a :class:`Network`, which nothing changes afterwards.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NoReturn

import pandas as pd

from . import _params
from ._cache import Slot, Store
from ._corridors import Corridor, load_corridors
from ._csv_tables import (
    load_crossings,
    load_links,
    load_places,
    load_sources,
    place_sides,
    read_crossings,
)
from ._disruptions import empty_disruptions, load_disruptions
from ._folders import DEFAULT_NETWORK, bundled_networks, bundled_root, resolve_path
from ._frozen import FrozenTable, freeze
from ._geometry import CRS, paused_gc
from ._observations import empty_observations, load_observations
from ._places import PlaceIndex
from ._scenario_file import load_scenarios
from ._toml import load_toml
from ._validate import NetworkFiles, Problems
from .errors import InputTypeError, NetworkDataError, shown
from .scenarios import Scenario, validate_scenario

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["CRS", "DEFAULT_NETWORK", "Corridor", "Network", "build_network", "bundled_networks",
           "load_network"]

#: The bundled networks' folder (kept under its old name for the tests' fixtures).
_bundled_root = bundled_root


#: The network's place index, built on first use.
_PLACE_INDEX: Slot[PlaceIndex] = Slot("network_place_index")

_FIELDS = ("name", "path", "places", "links", "crossings", "params", "corridors",
           "scenarios", "sources", "observations", "disruptions", "texts")


class Network:
    """A validated multimodal freight network; nothing can change it once built.

    Build one with :func:`load_network` (a folder or a GeoPackage) or
    :meth:`from_frames` (DataFrames); write one with :meth:`to_file`. Routing never
    changes it, and neither can its
    user: every table it returns is a copy of its own (a pandas copy-on-write copy, so
    cheap), which the caller may edit freely; ``params`` is read-only at every depth
    (its tables raise ``TypeError`` on assignment, its lists are tuples) and so are
    ``corridors`` and ``scenarios``. (Writing through the buffer behind a column's
    ``.array`` bypasses pandas' copy-on-write and is not supported.)

    It pickles by value (for worker processes); its caches of compiled graphs are not
    pickled, and the unpickled network starts with empty ones. Two networks are equal
    only if they are the same object.

    Parameters
    ----------
    name : str
        Network name (folder name).
    path : pathlib.Path
        Folder (or GeoPackage) the files were read from; ``<memory>/<name>`` (no file)
        for a network built by :meth:`from_frames`.
    places, links, crossings, sources : pandas.DataFrame
        The tables, as :func:`load_network` builds them (copied: later changes to the
        frames passed do not show).
    params : Mapping
        The parameter tables of ``params.toml`` (copied read-only).
    corridors : Mapping[str, Corridor]
        Named corridors.
    scenarios : Mapping[str, Scenario]
        Named scenarios.
    observations, disruptions : pandas.DataFrame, optional
        The tables of ``observed.csv`` and ``disruptions.csv`` (default: none).
    texts : Mapping[str, str], optional
        The TOML texts the parameters, corridors and scenarios were read from, by file
        name; :meth:`to_file` writes them unchanged (comments included). A file not
        given is written from the parsed values.

    Attributes
    ----------
    name : str
        Network name (folder name).
    path : pathlib.Path
        Folder (or GeoPackage) the files were read from; ``<memory>/<name>`` (no file)
        for a network built by :meth:`from_frames`.
    places : geopandas.GeoDataFrame
        One row per place, indexed by id, Point geometry in EPSG:4326 (a copy).
    links : geopandas.GeoDataFrame
        One row per link, indexed by id, LineString geometry in EPSG:4326 (a copy):
        the link's own line, or the line from its ``from`` place through its
        ``waypoints`` to its ``to`` place, vertices only (maps draw each segment along
        its geodesic).
    crossings : pandas.DataFrame
        One row per border crossing point, mode and direction, indexed by id (a copy).
    params : Mapping
        Rates and defaults from ``params.toml``, read-only.
    corridors : Mapping[str, Corridor]
        Named corridors from ``corridors.toml``, read-only.
    scenarios : Mapping[str, Scenario]
        Named scenarios from ``scenarios.toml``, read-only.
    sources : pandas.DataFrame
        Provenance of every figure, indexed by source id (a copy).

    Examples
    --------
    >>> net = load_network()
    >>> links = net.links
    >>> links["length_km"] = 0.0            # the caller's copy only
    >>> float(net.links["length_km"].min()) > 0
    True
    >>> net.params["modes"]["rail"]["speed_kmh"] = 99.0
    Traceback (most recent call last):
    ...
    TypeError: 'FrozenTable' object does not support item assignment
    """

    __slots__ = ("__weakref__", "_cache", "_corridors", "_crossings", "_disruptions", "_links",
                 "_name", "_observations", "_params", "_path", "_places", "_scenarios", "_sources",
                 "_texts")

    _name: str
    _path: Path
    _places: gpd.GeoDataFrame
    _links: gpd.GeoDataFrame
    _crossings: pd.DataFrame
    _sources: pd.DataFrame
    _params: FrozenTable
    _corridors: Mapping[str, Corridor]
    _scenarios: Mapping[str, Scenario]
    _observations: pd.DataFrame
    _disruptions: pd.DataFrame
    _texts: Mapping[str, str]
    #: What routing computes once per network (compiled graph, bounded LRUs, the place
    #: index); never part of the network's identity, never pickled.
    _cache: Store

    def __init__(self, name: str, path: Path, places: gpd.GeoDataFrame,
                 links: gpd.GeoDataFrame, crossings: pd.DataFrame, params: Mapping[str, Any],
                 corridors: Mapping[str, Corridor], scenarios: Mapping[str, Scenario],
                 sources: pd.DataFrame, observations: pd.DataFrame | None = None,
                 disruptions: pd.DataFrame | None = None,
                 texts: Mapping[str, str] | None = None) -> None:
        own = object.__setattr__
        own(self, "_name", name)
        own(self, "_path", path)
        own(self, "_places", places.copy(deep=False))
        own(self, "_links", links.copy(deep=False))
        own(self, "_crossings", crossings.copy(deep=False))
        own(self, "_sources", sources.copy(deep=False))
        own(self, "_params", freeze(params))
        own(self, "_corridors", MappingProxyType(dict(corridors)))
        own(self, "_scenarios", MappingProxyType(dict(scenarios)))
        own(self, "_observations", (empty_observations() if observations is None
                                    else observations.copy(deep=False)))
        own(self, "_disruptions", (empty_disruptions() if disruptions is None
                                   else disruptions.copy(deep=False)))
        own(self, "_texts", MappingProxyType(dict(texts or {})))
        own(self, "_cache", Store())

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return (f"<Network {self._name!r}: {len(self._places)} places, {len(self._links)} "
                f"links, {len(self._crossings)} crossings, {len(self._scenarios)} scenarios>")

    def __getstate__(self) -> dict[str, Any]:
        # The data only: not _cache (compiled graphs, LRUs holding locks).
        state = {f: getattr(self, f"_{f}") for f in _FIELDS}
        state["corridors"], state["scenarios"] = dict(self._corridors), dict(self._scenarios)
        state["texts"] = dict(self._texts)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        Network.__init__(self, **{f: state[f] for f in _FIELDS if f in state})

    # -- other formats -------------------------------------------------------------
    @classmethod
    def from_frames(cls, places: pd.DataFrame, links: pd.DataFrame, crossings: pd.DataFrame,
                    params: Mapping[str, Any], sources: pd.DataFrame,
                    sea_links: pd.DataFrame | None = None,
                    corridors: Mapping[str, Any] | None = None,
                    scenarios: Mapping[str, Any] | None = None,
                    observations: pd.DataFrame | None = None,
                    disruptions: pd.DataFrame | None = None,
                    name: str = "frames") -> Network:
        """Build a network from (Geo)DataFrames and dicts, checked as a folder is.

        Each frame holds the columns of its CSV file (``networks/README.md``); the id
        may be the index, named ``id`` (as this class's tables have it). Numbers may be
        numbers or text, lists (``modes``, ``source``...) tuples, lists or
        ``;``-separated text, NaN or None an empty cell. A GeoDataFrame of places gives
        ``lon`` and ``lat`` by its Point geometry, one of links each link's line (see
        ``corridor_router.io``); either must have a CRS (it is reprojected to EPSG:4326).
        Nothing passed is changed.

        Parameters
        ----------
        places, links, crossings, sources : pandas.DataFrame or geopandas.GeoDataFrame
            The tables of ``places.csv``, ``links.csv``, ``crossings.csv`` and
            ``sources.csv``. ``links`` may hold the sea links too (a ``file`` column,
            as :attr:`links` has, sends rows marked ``sea_links.csv`` there).
        params : Mapping
            The tables of ``params.toml``, as :func:`tomllib.loads` gives them (or
            another network's :attr:`params`).
        sea_links : pandas.DataFrame, optional
            The table of ``sea_links.csv``.
        corridors : Mapping, optional
            Corridors by id: :class:`Corridor` objects or tables as in
            ``corridors.toml`` (``{"uap": {"name": ..., "tags": [...]}}``).
        scenarios : Mapping, optional
            Scenarios by name: :class:`~corridor_router.Scenario` objects or tables as
            in ``scenarios.toml``.
        observations, disruptions : pandas.DataFrame, optional
            The tables of ``observed.csv`` and ``disruptions.csv``.
        name : str, optional
            The network's name.

        Returns
        -------
        Network

        Raises
        ------
        NetworkDataError
            Listing every problem, as for a folder: the file names and lines are those
            of the CSV file each frame stands for (row ``k``, from 0, is line ``k + 2``).
        InputTypeError
            If a table is not a DataFrame or ``params`` not a mapping.

        Examples
        --------
        >>> net = load_network()
        >>> again = Network.from_frames(places=net.places, links=net.links,
        ...                             crossings=net.crossings, params=net.params,
        ...                             sources=net.sources, corridors=net.corridors,
        ...                             scenarios=net.scenarios, name="copy")
        >>> len(again.links) == len(net.links), again.name
        (True, 'copy')
        """
        from .io import network_from_frames
        return network_from_frames(
            places=places, links=links, crossings=crossings, params=params, sources=sources,
            sea_links=sea_links, corridors=corridors, scenarios=scenarios,
            observations=observations, disruptions=disruptions, name=name)

    def to_file(self, path: str | os.PathLike[str], *, driver: str | None = None,
                overwrite: bool = False) -> Path:
        """Write the network to a GeoPackage, a GeoParquet folder or a CSV/TOML folder.

        :func:`load_network` reads each back into a network that routes identically.

        Parameters
        ----------
        path : str or path-like
            A ``.gpkg`` file, or a folder (created if absent; its parent must exist).
        driver : {None, "gpkg", "parquet", "csv"}, optional
            The format. None: a GeoPackage for a ``.gpkg`` path, GeoParquet for a
            ``.parquet`` folder name, else CSV and TOML files.
        overwrite : bool, default False
            Replace an existing GeoPackage, or the network files of a folder that is not
            empty; without it either is an error.

        Returns
        -------
        pathlib.Path
            What was written: ``load_network(net.to_file(p))`` reads it back.

        Raises
        ------
        InvalidInputError
            For a path that exists (without ``overwrite``), an unknown driver, a missing
            parent folder, or GeoParquet without pyarrow (``pip install
            'corridor_router[parquet]'``).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> net = load_network()
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     again = load_network(net.to_file(pathlib.Path(tmp) / "net"))
        >>> len(again.places) == len(net.places)
        True
        """
        from .io import write_network
        return write_network(self, path, driver=driver, overwrite=overwrite)

    # -- the data ------------------------------------------------------------------
    @property
    def name(self) -> str:
        """Network name (folder name)."""
        return self._name

    @property
    def path(self) -> Path:
        """Folder (or GeoPackage) the files were read from (``<memory>/<name>``: from frames)."""
        return self._path

    @property
    def places(self) -> gpd.GeoDataFrame:
        """The places, indexed by id, Point geometry in EPSG:4326 (a copy)."""
        return self._places.copy(deep=False)

    @property
    def links(self) -> gpd.GeoDataFrame:
        """The links, indexed by id, LineString geometry in EPSG:4326 (a copy).

        Each link's line is its own (a GIS layer's) or the one from its ``from`` place
        through its ``waypoints`` to its ``to`` place: vertices only, not points along
        the geodesics between them (maps draw each segment along its geodesic).
        """
        return self._links.copy(deep=False)

    @property
    def crossings(self) -> pd.DataFrame:
        """The border crossings, one row per point, mode and direction (a copy)."""
        return self._crossings.copy(deep=False)

    @property
    def sources(self) -> pd.DataFrame:
        """Provenance of every figure, indexed by source id (a copy)."""
        return self._sources.copy(deep=False)

    @property
    def observations(self) -> pd.DataFrame:
        """Published end-to-end figures from ``observed.csv``, indexed by id (a copy).

        Empty for a network without the file. :func:`corridor_router.calibration`
        compares the model with them.
        """
        return self._observations.copy(deep=False)

    @property
    def disruptions(self) -> pd.DataFrame:
        """Documented closures from ``disruptions.csv``, indexed by id (a copy).

        One row per episode: ``targets`` (crossing places or link ids shut together),
        ``start`` and ``end`` (the first day shut and the day cargo passed again),
        ``end_known`` (False: ``end`` is the last day a source reports it still shut),
        ``days``, ``source``, ``notes``. Empty for a network without the file.
        :func:`corridor_router.simulate` draws closures from them.
        """
        return self._disruptions.copy(deep=False)

    @property
    def params(self) -> FrozenTable:
        """Rates and defaults from ``params.toml``, read-only at every depth."""
        return self._params

    @property
    def corridors(self) -> Mapping[str, Corridor]:
        """Named corridors from ``corridors.toml`` (read-only)."""
        return self._corridors

    @property
    def scenarios(self) -> Mapping[str, Scenario]:
        """Named scenarios from ``scenarios.toml`` (read-only)."""
        return self._scenarios

    @property
    def price_year(self) -> int:
        """Price year of every USD figure of the network."""
        return int(self._params["price_year"])

    @property
    def currency(self) -> str:
        """Currency of every cost figure (USD)."""
        return str(self._params["currency"])

    # -- places, fast ----------------------------------------------------------------
    def _places_index(self) -> PlaceIndex:
        places = self._places
        return self._cache.get_or_make(_PLACE_INDEX, lambda: PlaceIndex(places))

    def place_row(self, place_id: str) -> int:
        """Row position of a place id in :attr:`places`; copies no table.

        Parameters
        ----------
        place_id : str
            A place id (not a name or alias: see :meth:`find_place`).

        Returns
        -------
        int
            Its row: ``net.places.index[net.place_row(pid)] == pid``.

        Raises
        ------
        PlaceNotFoundError
            If no place has this id; it suggests the closest ids.

        Examples
        --------
        >>> net = load_network()
        >>> net.places.index[net.place_row("karachi")]
        'karachi'
        """
        return self._places_index().row(place_id)

    def place_name(self, place_id: str) -> str:
        """Display name of a place id; copies no table.

        Raises
        ------
        PlaceNotFoundError
            If no place has this id.

        Examples
        --------
        >>> load_network().place_name("karachi")
        'Karachi Port'
        """
        return self._places_index().name(place_id)

    def place_country(self, place_id: str) -> str:
        """ISO 3166-1 alpha-2 code of the country a place lies in; copies no table.

        Raises
        ------
        PlaceNotFoundError
            If no place has this id.

        Examples
        --------
        >>> load_network().place_country("karachi")
        'PK'
        """
        return self._places_index().country(place_id)

    def find_place(self, query: str) -> str:
        """Return the id of the place whose id, name or alias matches ``query``.

        Matching ignores case, surrounding spaces, hyphens and underscores.

        Parameters
        ----------
        query : str
            A place id, name or alias, e.g. ``"Karachi Port"`` or ``"karachi"``.

        Returns
        -------
        str
            The place id.

        Raises
        ------
        PlaceNotFoundError
            If nothing matches; it carries the closest names as suggestions.
        InputTypeError
            If ``query`` is not a str.

        Examples
        --------
        >>> load_network().find_place("  Karachi-Port ")
        'karachi'
        """
        return self._places_index().find(query)


def load_network(name_or_path: str | os.PathLike[str] | None = None) -> Network:
    """Load and validate a network.

    Parameters
    ----------
    name_or_path : str or pathlib.Path, optional
        A bundled network name (default ``"central_asia"``), a folder holding the
        files described in ``networks/README.md`` (each table a CSV or a (Geo)Parquet
        file), or a GeoPackage (``.gpkg``) holding them as layers. A name is a plain
        folder name; a path that is not an existing folder or file is an error.

    Returns
    -------
    Network
        A fresh object; routing never changes it.

    Raises
    ------
    NetworkDataError
        Listing every problem found in the files (file, line, column, what is wrong
        and how to fix it), or saying why the name or path is not a network.
    InputTypeError
        If ``name_or_path`` is neither a str nor a path-like object (for tables, see
        :meth:`Network.from_frames`).
    InvalidInputError
        If the network has Parquet files and pyarrow is not installed.

    Examples
    --------
    >>> net = load_network()
    >>> len(net.places) > 50, net.currency, net.price_year
    (True, 'USD', 2023)
    >>> load_network("../no_such_network")
    Traceback (most recent call last):
    ...
    corridor_router.errors.NetworkDataError: '../no_such_network' has 1 data problem:
      - ../no_such_network: is not an existing folder, and a bundled network name ...
    """
    if isinstance(name_or_path, os.PathLike) and not isinstance(name_or_path, Path):
        text = os.fspath(name_or_path)
        if isinstance(text, str):       # a bytes path stays and is refused below
            name_or_path = Path(text)
    if name_or_path is not None and not isinstance(name_or_path, str | Path):
        if isinstance(name_or_path, pd.DataFrame | pd.Series):
            raise InputTypeError(
                f"load_network takes a network name or a path, not a "
                f"{type(name_or_path).__name__}; build a network from tables with "
                "Network.from_frames(places=..., links=..., crossings=..., params=..., "
                "sources=...).")
        raise InputTypeError(
            f"load_network takes a network name or a folder path (str or path-like), not "
            f"{type(name_or_path).__name__} {shown(name_or_path)}; bundled networks: "
            f"{', '.join(bundled_networks())}; for tables, use Network.from_frames.")
    from .io import network_files
    path = resolve_path(name_or_path)
    return build_network(network_files(path), name=path.stem if path.is_file() else path.name,
                         path=path)


def build_network(files: NetworkFiles, name: str, path: Path) -> Network:
    """Read, check and build the network of ``files`` (a folder's, or held in memory).

    The problems ``files.found`` holds (found turning tables into text) and those of the
    checks are raised together, as one NetworkDataError naming ``files.where``. Python's
    garbage collector is held off meanwhile (the tables make few cycles and many objects).
    """
    with paused_gc():
        return _build_network(files, name, path)


def _build_network(files: NetworkFiles, name: str, path: Path) -> Network:
    problems = Problems()
    problems.items.extend(files.found)
    sources = load_sources(files, problems)
    known = set(sources.index) if sources is not None else set()
    params = load_toml(files, "params.toml", problems)
    places = load_places(files, problems, known)
    crossings_raw = read_crossings(files, problems)
    sides = place_sides(places, crossings_raw)
    links = load_links(files, problems, known, places, sides)
    crossings = load_crossings(crossings_raw, problems, known, places)
    if params is not None and places is not None and links is not None:
        _params.validate(params, problems, known, places, links)
    scenarios = load_scenarios(files, problems, known)
    corridors = load_corridors(files, problems, known, places, links, scenarios)
    observations = load_observations(files, problems, known, places, corridors,
                                     scenarios or {})
    targets = _disruption_targets(crossings, links) if files.has("disruptions.csv") else set()
    disruptions = load_disruptions(files, problems, known, targets)
    if places is None or links is None or crossings is None or sources is None \
            or params is None:
        raise NetworkDataError(problems.items, where=files.where)
    network = Network(
        name=name, path=path, places=places, links=links, crossings=crossings,
        params=params, corridors=corridors, scenarios=scenarios or {}, sources=sources,
        observations=observations, disruptions=disruptions, texts=files.read_texts,
    )
    # Scenarios name places, links, crossings and parameters: check them on the tables.
    for scenario in (scenarios or {}).values():
        validate_scenario(scenario, network, problems)
    if problems:
        raise NetworkDataError(problems.items, where=files.where)
    return network


def _disruption_targets(crossings: pd.DataFrame | None,
                        links: pd.DataFrame | None) -> set[str]:
    """What a row of disruptions.csv may shut: crossing places, crossing ids, link ids."""
    return (set(crossings["place"]) | set(crossings.index) if crossings is not None
            else set()) | (set(links.index) if links is not None else set())
