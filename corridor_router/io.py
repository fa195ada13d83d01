"""Networks in and out of GIS formats: GeoPackage, GeoParquet and (Geo)DataFrames.

Every format is turned into the same thing a network folder gives the loaders — rows of
text cells per table and the TOML texts (a :class:`~._validate.MemoryFiles`) — and then
goes through the same checks, so a bad value gets the same message whatever the format.
Problems are named after the CSV file a table stands for and its line there: row ``k``
(from 0) of the places layer is ``places.csv line k + 2`` (the header is line 1; in a
GeoPackage written by :meth:`Network.to_file` the feature with fid ``k + 1``).

The layouts (``networks/README.md`` has them in full):

GeoPackage (``net.gpkg``)
    Layers named after the CSV files: ``places`` (Point), ``links`` and ``sea_links``
    (LineString), ``crossings``, ``sources``, ``observed`` and ``disruptions``
    (attribute tables), and ``toml_files`` (``name``, ``text``: one row per TOML file,
    ``params.toml``, ``corridors.toml``, ``scenarios.toml``, its text verbatim). Other
    layers are ignored.
GeoParquet folder
    A network folder in which any table may be a Parquet file instead of a CSV file
    (``places.parquet``; GeoParquet for places and links), the TOML files beside them.
    Reading or writing Parquet needs pyarrow: ``pip install 'corridor_router[parquet]'``.

A place's Point geometry gives its ``lon`` and ``lat`` (the columns, if any, are
ignored where there is a point). A link's own line geometry is used as it is, checked:
its ends within :data:`~._csv_tables.LINE_END_TOLERANCE_KM` km of its places, its
``length_km`` not shorter than the line's geodesic length (less 1 %); a link without one
is drawn from its places and ``waypoints`` as in a folder. Layers in another CRS are
reprojected to EPSG:4326; a places or links layer without a CRS is an error.

Examples
--------
>>> import tempfile, pathlib
>>> from corridor_router import load_network
>>> net = load_network()
>>> with tempfile.TemporaryDirectory() as tmp:
...     again = load_network(net.to_file(pathlib.Path(tmp) / "net.gpkg"))
>>> again.name, len(again.links) == len(net.links)
('net', True)
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import importlib
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from ._corridors import Corridor
from ._folders import GPKG_SUFFIX
from ._geometry import CRS
from ._toml import TomlValueError, dump_toml
from ._validate import Layer, MemoryFiles, NetworkFiles, Problems
from .errors import DataProblem, InputTypeError, InvalidInputError, NetworkDataError, cut, shown
from .network import Network, build_network
from .scenarios import Scenario

__all__ = ["DRIVERS", "PARQUET_HINT", "TABLES", "TOML_FILES", "TOML_LAYER", "frame_layer",
           "network_files", "network_from_frames", "write_network"]

#: The ``path`` of a network built in memory (:meth:`Network.from_frames`): never an
#: existing folder, so nothing mistakes it for files on disk (a folder of the same name
#: in the working directory, say).
MEMORY_ROOT = Path("<memory>")

#: The tables of a network, by CSV file name: "point" and "line" tables may carry
#: geometry (places, links), the others are attribute tables.
TABLES: dict[str, str | None] = {
    "places.csv": "point", "links.csv": "line", "sea_links.csv": "line",
    "crossings.csv": None, "sources.csv": None, "observed.csv": None,
    "disruptions.csv": None,
}
#: The TOML files of a network.
TOML_FILES = ("params.toml", "corridors.toml", "scenarios.toml")
#: The GeoPackage layer holding the TOML files: one row (name, text) per file.
TOML_LAYER = "toml_files"
#: What :meth:`Network.to_file` writes: GeoPackage, GeoParquet folder, CSV folder.
DRIVERS = ("gpkg", "parquet", "csv")
PARQUET_HINT = "pip install 'corridor_router[parquet]'"
#: Where problems of a table held in memory are: its CSV file's name and line.
_LINES = "tables named as their CSV files; line N is row N-1"
#: Columns a network's tables derive from the others: not written.
_DERIVED = {"links.csv": ("geodesic_km", "file"), "sea_links.csv": ("geodesic_km", "file"),
            "disruptions.csv": ("days",)}


# -- any table to rows of text ----------------------------------------------------------
def _cell(value: Any) -> str:
    """One value as the text a CSV cell would hold (NaN and None: empty)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 2.0 ** 53:
            return str(int(number))
        return repr(number)
    if isinstance(value, dt.datetime):
        midnight = value.time() == dt.time() and value.tzinfo is None
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | np.ndarray):
        return ";".join(_cell(v) for v in value)
    return str(value)


def _active_geometry(frame: pd.DataFrame) -> gpd.GeoSeries | None:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.active_geometry_name is None:
        return None
    return frame.geometry


def frame_layer(frame: pd.DataFrame, file: str, label: str, problems: Problems,
                found: list[DataProblem]) -> Layer:
    """A (Geo)DataFrame as the :class:`~._validate.Layer` of the CSV file ``file``.

    Values become the text of a CSV cell (:func:`_cell`); a named index (``id``) becomes
    the first column. The active geometry of a places table gives ``lon`` and ``lat``,
    that of a links table each row's line; other tables' geometry is dropped. A places
    or links geometry without CRS is recorded in ``found`` (``label`` names the table);
    one in another CRS is reprojected. Nothing in ``frame`` is changed.
    """
    kind = TABLES.get(file)
    geometry = _active_geometry(frame) if kind is not None else None
    if geometry is not None and geometry.notna().any():
        if geometry.crs is None:
            found.append(DataProblem(
                label, None, "geometry", "has no CRS (coordinate reference system), so its "
                "coordinates cannot be placed",
                "set the CRS the coordinates are in, e.g. gdf = gdf.set_crs('EPSG:4326') "
                "for lon/lat degrees (in a GIS: assign the layer's CRS)"))
            geometry = None
        elif not geometry.crs.equals(CRS):
            geometry = geometry.to_crs(CRS)
    # by position: a label used twice (reported below as a repeated header) is no one column
    keep = [k for k, dtype in enumerate(frame.dtypes)
            if not isinstance(dtype, gpd.array.GeometryDtype)]
    data = pd.DataFrame(frame.iloc[:, keep])
    named = [n for n in data.index.names if n is not None and n not in data.columns]
    if named:
        data = data.reset_index(level=named)
    header = [str(c) for c in data.columns]
    columns = [_column_cells(data.iloc[:, k]) for k in range(len(header))]
    shapes = list(geometry.to_numpy()) if geometry is not None else None
    if kind == "point" and shapes is not None:
        _point_cells(header, columns, shapes, file, problems)
        shapes = None
    return Layer(header, columns, shapes if kind == "line" else None)


def _column_cells(values: pd.Series) -> list[str] | pd.Series:
    """:func:`_cell` of every value of a column, each distinct value (or object) once.

    A column of pandas' str dtype without missing values is its own cells (a Series).
    """
    if values.dtype == np.float64:
        return _float_cells(values.to_numpy())
    if isinstance(values.dtype, pd.StringDtype) and not values.isna().any():
        return pd.Series(values.array)
    if len(values) and values.dtype != object:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        texts = [_cell(u) for u in uniques.tolist()] if len(uniques) else []
        return [texts[c] for c in codes.tolist()]
    # objects: equal values of different types (True and 1) are written differently
    memo: dict[Any, str] = {}
    out: list[str] = []
    for v in values.tolist():
        key = (type(v), v) if isinstance(v, str | int | float) else id(v)
        text = memo.get(key)
        if text is None:
            text = memo[key] = _cell(v)
        out.append(text)
    return out


def _float_cells(values: npt.NDArray[np.float64]) -> list[str]:
    """:func:`_cell` of every float: empty for NaN, whole numbers without a point."""
    whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2.0 ** 53)
    out = np.empty(len(values), dtype=object)
    out[np.isnan(values)] = ""
    out[whole] = [str(v) for v in values[whole].astype(np.int64).tolist()]
    rest = ~whole & ~np.isnan(values)
    out[rest] = [repr(v) for v in values[rest].tolist()]
    cells: list[str] = out.tolist()
    return cells


def _point_cells(header: list[str], columns: list[Any], shapes: list[Any], file: str,
                 problems: Problems) -> None:
    """Put each place's Point coordinates in its lon and lat cells (added if absent)."""
    n = len(shapes)
    for name in ("lon", "lat"):
        if name not in header:
            header.append(name)
            columns.append([""] * n)
    for name in ("lon", "lat"):
        k = header.index(name)
        columns[k] = list(columns[k])
    lon, lat = columns[header.index("lon")], columns[header.index("lat")]
    for k, shape in enumerate(shapes):
        if shape is None or shapely.is_empty(shape):
            continue
        point = shape
        if isinstance(point, shapely.MultiPoint) and len(point.geoms) == 1:
            point = point.geoms[0]
        if not isinstance(point, shapely.Point):
            problems.add(file, k + 2, "geometry", f"a {shape.geom_type} is not a point",
                         "give the place a Point geometry (or none, and its lon and lat)")
            continue
        lon[k], lat[k] = _cell(point.x), _cell(point.y)


def _layers(frames: Mapping[str, pd.DataFrame], labels: Callable[[str], str],
            where: str, problems: Problems) -> dict[str, Layer]:
    """The layers of frames by CSV file; a places or links frame without CRS is raised."""
    found: list[DataProblem] = []
    layers = {file: frame_layer(frame, file, labels(file), problems, found)
              for file, frame in frames.items()}
    if found:
        raise NetworkDataError(found, where=where)
    return layers


# -- reading ----------------------------------------------------------------------------
def network_files(path: Path) -> NetworkFiles:
    """The files of the network at ``path``: a folder (CSV and Parquet) or a GeoPackage.

    Raises
    ------
    NetworkDataError
        If a file cannot be read as its format, a table is in a folder twice (CSV and
        Parquet), or a places or links layer has no CRS.
    InvalidInputError
        If the folder has Parquet files and pyarrow is not installed.
    """
    if path.is_file():
        return _gpkg_files(path)
    stems = {file: file.removesuffix(".csv") for file in TABLES}
    parquet = {f: path / f"{s}.parquet" for f, s in stems.items() if (path / f"{s}.parquet")
               .is_file()}
    if not parquet:
        return NetworkFiles(path)
    twice = [DataProblem(f"{stems[f]}.parquet", None, None, f"{f} holds the same table",
                         "keep one of the two files") for f in parquet if (path / f).exists()]
    if twice:
        raise NetworkDataError(twice, where=str(path))
    _need_pyarrow("reading Parquet files")
    frames: dict[str, pd.DataFrame] = {}
    unreadable: list[DataProblem] = []
    for file, source in parquet.items():
        try:
            frames[file] = _read_parquet(source)
        except (OSError, ValueError, _arrow_error()) as err:
            unreadable.append(DataProblem(source.name, None, None, f"cannot be read as "
                                          f"Parquet ({cut(str(err), 160)})",
                                          "write it again (e.g. with Network.to_file)"))
    where = f"{path} ({_LINES})"
    if unreadable:
        raise NetworkDataError(unreadable, where=where)
    problems = Problems()
    layers = _layers(frames, lambda f: f"{f.removesuffix('.csv')}.parquet", where, problems)
    files = MemoryFiles(where, layers, {}, lambda f: ("file is missing", f"create {path / f}"),
                        folder=path)
    files.found.extend(problems.items)
    return files


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file: a GeoDataFrame if it is GeoParquet, else a DataFrame."""
    schema = importlib.import_module("pyarrow.parquet").read_schema(path)
    if b"geo" in (schema.metadata or {}):
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def _arrow_error() -> type[Exception]:
    error: type[Exception] = importlib.import_module("pyarrow").ArrowException
    return error


def _need_pyarrow(what: str) -> None:
    try:
        importlib.import_module("pyarrow")
    except ImportError:
        raise InvalidInputError(f"{what} needs pyarrow, which is not installed: "
                                f"{PARQUET_HINT}") from None


def _pyogrio() -> Any:
    """The module pyogrio (geopandas' GeoPackage engine), imported when it is needed."""
    return importlib.import_module("pyogrio")


def _gdal_errors() -> tuple[type[Exception], ...]:
    """What pyogrio raises for a file or layer it cannot read."""
    errors = importlib.import_module("pyogrio.errors")
    return (errors.DataSourceError, errors.DataLayerError, errors.FieldError,
            errors.GeometryError, errors.CRSError, errors.FeatureError)


def _gpkg_files(path: Path) -> MemoryFiles:
    """The layers and TOML texts of a GeoPackage."""
    pyogrio = _pyogrio()
    where = f"{path} ({_LINES})"
    unreadable: tuple[type[Exception], ...] = (OSError, ValueError, *_gdal_errors())
    try:
        listed = {str(row[0]) for row in pyogrio.list_layers(path)}
        frames = {file: pyogrio.read_dataframe(path, layer=file.removesuffix(".csv"))
                  for file in TABLES if file.removesuffix(".csv") in listed}
        toml = pyogrio.read_dataframe(path, layer=TOML_LAYER, read_geometry=False) \
            if TOML_LAYER in listed else None
    except unreadable as err:
        raise NetworkDataError([DataProblem(path.name, None, None, f"cannot be read as a "
                                            f"GeoPackage ({cut(str(err), 160)})",
                                            "check the file (write one with Network.to_file)")],
                               where=str(path)) from None
    texts: dict[str, str] = {}
    if toml is not None:
        if not {"name", "text"} <= set(toml.columns):
            raise NetworkDataError([DataProblem(
                f"layer {TOML_LAYER!r}", None, None, "has no 'name' and 'text' columns",
                "give it one row per TOML file: name (e.g. 'params.toml') and text")],
                where=where)
        for name, text in zip(toml["name"].tolist(), toml["text"].tolist()):
            texts[_cell(name).strip()] = _cell(text)
    problems = Problems()
    layers = _layers(frames, lambda f: f"layer {f.removesuffix('.csv')!r}", where, problems)

    def missing(file: str) -> tuple[str, str]:
        if file in TOML_FILES:
            return (f"no row {file!r} in layer {TOML_LAYER!r}",
                    f"add a row name={file!r}, text=<its TOML text> to {path.name}")
        layer = file.removesuffix(".csv")
        return f"layer {layer!r} is missing", f"add it to {path.name} (networks/README.md)"

    files = MemoryFiles(where, layers, texts, missing)
    files.found.extend(problems.items)
    return files


# -- frames -----------------------------------------------------------------------------
def network_from_frames(*, places: Any, links: Any, crossings: Any, params: Any, sources: Any,
                        sea_links: Any = None, corridors: Any = None, scenarios: Any = None,
                        observations: Any = None, disruptions: Any = None,
                        name: str = "frames") -> Network:
    """:meth:`Network.from_frames` (see there)."""
    if not isinstance(name, str) or not name.strip():
        raise InputTypeError(f"name must be a non-empty str, not {shown(name)}.")
    given = {"places.csv": places, "links.csv": links, "sea_links.csv": sea_links,
             "crossings.csv": crossings, "sources.csv": sources,
             "observed.csv": observations, "disruptions.csv": disruptions}
    frames: dict[str, pd.DataFrame] = {}
    for file, frame in given.items():
        if frame is None and file not in ("places.csv", "links.csv", "crossings.csv",
                                          "sources.csv"):
            continue
        if not isinstance(frame, pd.DataFrame):
            raise InputTypeError(
                f"{_argument(file)} must be a pandas DataFrame or geopandas GeoDataFrame, "
                f"not {type(frame).__name__}{'' if frame is None else ' ' + shown(frame)}.")
        frames[file] = frame
    if sea_links is None and "file" in frames["links.csv"].columns:
        both = frames["links.csv"]
        sea = both["file"].astype(str).eq("sea_links.csv").to_numpy()
        if sea.any():
            frames["links.csv"], frames["sea_links.csv"] = both[~sea], both[sea]
    where = f"Network.from_frames(name={name!r}) ({_LINES})"
    problems = Problems()
    texts = {
        "params.toml": _toml(_params_table(params), "params.toml", problems),
        "corridors.toml": _toml({"corridors": _specs(corridors, "corridors", Corridor,
                                                     _corridor_spec)},
                                "corridors.toml", problems),
        "scenarios.toml": _toml({"scenarios": _specs(scenarios, "scenarios", Scenario,
                                                     _scenario_spec)},
                                "scenarios.toml", problems),
    }
    layers = _layers(frames, lambda f: f"{_argument(f)} (a frame without CRS)", where,
                     problems)

    def missing(file: str) -> tuple[str, str]:
        return (f"no {_argument(file)} table",
                f"pass {_argument(file)}= to Network.from_frames")

    files = MemoryFiles(where, layers, texts, missing)
    files.found.extend(problems.items)
    return build_network(files, name=name, path=MEMORY_ROOT / name)


def _argument(file: str) -> str:
    """The from_frames argument of a CSV file."""
    stem = file.removesuffix(".csv")
    return "observations" if stem == "observed" else stem


def _plain(value: Any) -> Any:
    """Mappings as dicts and tuples as lists, all the way down (TOML's types)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _params_table(params: Any) -> dict[str, Any]:
    if not isinstance(params, Mapping):
        raise InputTypeError(f"params must be a mapping of the tables of params.toml (as "
                             f"tomllib.loads gives them), not {type(params).__name__}.")
    plain: dict[str, Any] = _plain(params)
    return plain


def _specs(given: Any, what: str, kind: type[Any],
           spec: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """Corridors or scenarios by name as TOML tables (objects turned into tables)."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise InputTypeError(f"{what} must be a mapping of names to {kind.__name__} objects "
                             f"or tables, not {type(given).__name__}.")
    out: dict[str, Any] = {}
    for key, value in given.items():
        if isinstance(value, kind):
            out[str(key)] = spec(value)
        elif isinstance(value, Mapping):
            out[str(key)] = _plain(value)
        else:
            raise InputTypeError(f"{what}[{shown(key)}] must be a {kind.__name__} or a "
                                 f"table (dict), not {type(value).__name__}.")
    return out


def _corridor_spec(corridor: Corridor) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": corridor.name, "tags": list(corridor.tags),
                            "via": list(corridor.via), "modes": list(corridor.modes),
                            "access_modes": list(corridor.access_modes)}
    if corridor.scenario is not None:
        spec["scenario"] = corridor.scenario
    spec["description"] = corridor.description
    spec["source"] = list(corridor.source)
    return spec


def _scenario_spec(scenario: Scenario) -> dict[str, Any]:
    return {"description": scenario.description, "statuses": list(scenario.statuses),
            "build": list(scenario.build), "close": list(scenario.close),
            "source": list(scenario.source), "overrides": _plain(scenario.overrides),
            "close_days": _plain(scenario.close_days)}


def _toml(data: dict[str, Any], file: str, problems: Problems) -> str:
    """TOML text of ``data``; a value TOML cannot hold is a problem (and left out)."""
    while True:
        try:
            return dump_toml(data)
        except TomlValueError as err:
            problems.add(file, None, err.key, str(err),
                         "give a number, string, boolean, date, list or table")
            # Drop the value at the deepest table on its path (a list holding it, whole).
            parent, key, node = data, err.path[0], data
            for k in err.path:
                if not isinstance(node, dict) or k not in node:
                    break
                parent, key, node = node, k, node[k]
            del parent[key]


# -- writing ----------------------------------------------------------------------------
def write_network(net: Network, path: str | os.PathLike[str], *, driver: str | None = None,
                  overwrite: bool = False) -> Path:
    """:meth:`Network.to_file` (see there)."""
    if not isinstance(path, str | os.PathLike) or isinstance(os.fspath(path), bytes):
        raise InputTypeError(f"path must be a str or path-like, not {type(path).__name__}.")
    target = Path(os.fspath(path))
    fmt = _driver(target, driver)
    if not target.parent.is_dir():
        raise InvalidInputError(f"cannot write {str(target)!r}: folder "
                                f"{str(target.parent)!r} does not exist.")
    if fmt == "parquet":
        _need_pyarrow("writing GeoParquet")
    if not isinstance(overwrite, bool):
        raise InputTypeError(f"overwrite must be True or False, not {shown(overwrite)}.")
    tables = _export_tables(net)
    texts = _texts(net)
    if fmt == "gpkg":
        if target.is_dir():
            raise InvalidInputError(f"{str(target)!r} is a folder, not a .gpkg file.")
        if target.exists() and not overwrite:
            raise InvalidInputError(f"{str(target)!r} exists; pass overwrite=True to replace "
                                    "it.")
    refused: tuple[type[Exception], ...] = (OSError, *_gdal_errors())
    try:
        if fmt == "gpkg":
            _write_gpkg(tables, texts, target)
            return target
        _prepare_folder(target, overwrite)
        for file, text in texts.items():
            (target / file).write_text(text, encoding="utf-8")
        for file, table in tables.items():
            if fmt == "csv":
                _write_csv(table, file, target / file, net)
            else:
                table.to_parquet(target / file.replace(".csv", ".parquet"), index=False)
    except refused as err:      # the OS or GDAL refusing to write
        raise InvalidInputError(f"cannot write {str(target)!r}: {type(err).__name__}: "
                                f"{err}") from err
    return target


def _driver(target: Path, driver: str | None) -> str:
    if driver is None:
        suffix = target.suffix.lower()
        return "gpkg" if suffix == GPKG_SUFFIX else "parquet" if suffix == ".parquet" \
            else "csv"
    if not isinstance(driver, str):
        raise InputTypeError(f"driver must be a str, not {type(driver).__name__}.")
    fmt = {"geoparquet": "parquet", "folder": "csv"}.get(driver.lower(), driver.lower())
    if fmt not in DRIVERS:
        raise InvalidInputError(f"unknown driver {driver!r}; use one of: "
                                f"{', '.join(DRIVERS)} (or None, from the path).")
    if fmt == "gpkg" and target.suffix.lower() != GPKG_SUFFIX:
        raise InvalidInputError(f"a GeoPackage's name ends with .gpkg, not {target.name!r}.")
    return fmt


def _prepare_folder(target: Path, overwrite: bool) -> None:
    """Create the folder; an existing one must be empty, or its network files go."""
    if target.exists() and not target.is_dir():
        raise InvalidInputError(f"{str(target)!r} is a file, not a folder; pass a folder "
                                "path (or a .gpkg file name for a GeoPackage).")
    if target.is_dir() and any(target.iterdir()):
        if not overwrite:
            raise InvalidInputError(f"folder {str(target)!r} is not empty; pass "
                                    "overwrite=True to replace the network files in it.")
        for file in TABLES:
            for name in (file, file.replace(".csv", ".parquet")):
                (target / name).unlink(missing_ok=True)
    target.mkdir(exist_ok=True)


def _texts(net: Network) -> dict[str, str]:
    """The network's TOML texts: as read, or written from its values."""
    held: Mapping[str, str] = net._texts
    values = {
        "params.toml": lambda: dump_toml(copy.deepcopy(net.params)),
        "corridors.toml": lambda: dump_toml({"corridors": {
            k: _corridor_spec(c) for k, c in net.corridors.items()}}),
        "scenarios.toml": lambda: dump_toml({"scenarios": {
            k: _scenario_spec(s) for k, s in net.scenarios.items()}}),
    }
    return {file: held[file] if file in held else values[file]() for file in TOML_FILES}


def _export_tables(net: Network) -> dict[str, pd.DataFrame]:
    """The network's tables by CSV file, as written: id first, lists as ``a;b`` text."""
    links = net.links
    sea = (links["file"] == "sea_links.csv").to_numpy() if "file" in links.columns \
        else np.zeros(len(links), dtype=bool)
    tables: dict[str, pd.DataFrame] = {
        "places.csv": net.places, "links.csv": links[~sea], "sea_links.csv": links[sea],
        "crossings.csv": net.crossings, "sources.csv": net.sources,
        "observed.csv": net.observations, "disruptions.csv": net.disruptions}
    out: dict[str, pd.DataFrame] = {}
    for file, table in tables.items():
        if not len(table) and file in ("sea_links.csv", "observed.csv", "disruptions.csv"):
            continue
        out[file] = _export_table(table, file)
    return out


def _export_table(table: pd.DataFrame, file: str) -> pd.DataFrame:
    geometry = _active_geometry(table)
    data = pd.DataFrame(table.drop(columns=[geometry.name] if geometry is not None else []))
    data = data.drop(columns=[c for c in _DERIVED.get(file, ()) if c in data.columns])
    data = data.reset_index()
    for column in data.columns:
        values = data[column].tolist()
        if any(isinstance(v, list | tuple | np.ndarray | dt.date) for v in values):
            data[column] = [_cell(v) for v in values]
    if geometry is None or TABLES[file] is None:
        return data
    return gpd.GeoDataFrame(data, geometry=geometry.to_numpy(), crs=CRS)


def _write_gpkg(tables: Mapping[str, pd.DataFrame], texts: Mapping[str, str],
                target: Path) -> None:
    """Write the layers to a new file beside ``target``, then put it in its place."""
    pyogrio = _pyogrio()
    temporary = target.with_name(f".{target.stem}.{os.getpid()}.tmp{GPKG_SUFFIX}")
    temporary.unlink(missing_ok=True)
    try:
        for file, table in tables.items():
            pyogrio.write_dataframe(_gpkg_types(table), temporary,
                                    layer=file.removesuffix(".csv"), driver="GPKG")
        toml = pd.DataFrame({"name": list(texts), "text": list(texts.values())})
        pyogrio.write_dataframe(toml, temporary, layer=TOML_LAYER, driver="GPKG")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _gpkg_types(table: pd.DataFrame) -> pd.DataFrame:
    """Nullable integer columns as float (NULL where missing), which GeoPackage takes."""
    changed = {c: table[c].astype("float64") for c in table.columns
               if isinstance(table[c].dtype, pd.Int64Dtype | pd.BooleanDtype)}
    return table.assign(**changed) if changed else table


def _write_csv(table: pd.DataFrame, file: str, path: Path, net: Network) -> None:
    """One table as CSV; a links table's lines as the waypoints that redraw them."""
    geometry = _active_geometry(table)
    data = pd.DataFrame(table.drop(columns=[geometry.name] if geometry is not None else []))
    if TABLES[file] == "line" and geometry is not None:
        places = net.places
        xy = dict(zip(places.index, zip(places["lon"].to_numpy(dtype=float).tolist(),
                                        places["lat"].to_numpy(dtype=float).tolist())))
        data["waypoints"] = [_waypoints(line, xy.get(a), xy.get(b)) for line, a, b in zip(
            geometry.to_numpy(), data["from"].tolist(), data["to"].tolist())]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([str(c) for c in data.columns])
        for row in data.itertuples(index=False, name=None):
            writer.writerow([_cell(v) for v in row])


def _waypoints(line: Any, a: tuple[float, float] | None,
               b: tuple[float, float] | None) -> str:
    """The waypoints from which a link's line is drawn again, as ``lon lat;lon lat``.

    A link's line runs from its ``from`` place through its waypoints to its ``to`` place,
    so its inner vertices are its waypoints: a line read back from them is the same line.
    """
    if line is None or shapely.is_empty(line) or a is None or b is None:
        return ""
    inner = shapely.get_coordinates(line)[1:-1]
    return ";".join(f"{_cell(float(x))} {_cell(float(y))}" for x, y in inner)
