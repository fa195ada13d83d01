"""Where networks live: the bundled networks and the folder (or GeoPackage) a name stands for."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from .errors import DataProblem, NetworkDataError, shown

__all__ = ["DEFAULT_NETWORK", "GPKG_SUFFIX", "bundled_networks", "bundled_root", "resolve_path"]

DEFAULT_NETWORK = "central_asia"
#: The file name suffix of a network in a GeoPackage.
GPKG_SUFFIX = ".gpkg"

#: A bundled network's name: a single folder name, no path separators, no "..".
_NETWORK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


def bundled_networks() -> list[str]:
    """Names of the networks shipped with the package.

    Returns
    -------
    list of str
        Sorted names, each a valid argument of :func:`load_network`.

    Examples
    --------
    >>> "central_asia" in bundled_networks()
    True
    """
    root = bundled_root()
    return sorted(p.name for p in root.iterdir() if (p / "places.csv").is_file())


def bundled_root() -> Path:
    """The folder holding the bundled networks (installed, or in a source checkout).

    Raises
    ------
    FileNotFoundError
        If the installation lacks them.
    """
    installed = Path(str(resources.files("corridor_router"))) / "networks"
    if installed.is_dir():
        return installed
    source_tree = Path(__file__).resolve().parent.parent / "networks"
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError(
        "The bundled networks are missing from this installation; reinstall corridor_router."
    )


def resolve_path(name_or_path: str | Path | None) -> Path:
    """The folder of a network name or path; a NetworkDataError says what is wrong.

    A path (a ``Path``, or a str that names an existing folder or ``.gpkg`` file) is
    used as it is. Any other str must be the name of a bundled network: a plain folder
    name, never a path that would reach outside the bundled folder (``"../tests"``).
    """
    if name_or_path is None:
        name_or_path = DEFAULT_NETWORK
    text = str(name_or_path)
    if isinstance(name_or_path, str) and not name_or_path.strip():
        raise _folder_error(text, "is an empty network name")
    if any(ord(ch) < 32 for ch in text):
        raise _folder_error(text, "contains control characters")
    candidate = Path(name_or_path)
    try:
        if candidate.is_dir():
            return candidate
        if candidate.exists():
            if candidate.suffix.lower() == GPKG_SUFFIX:
                return candidate
            raise _folder_error(text, "is a file, not a network folder or GeoPackage",
                                "pass the folder that holds places.csv, links.csv and the "
                                "other files of the network, or a .gpkg file")
        if candidate.suffix.lower() == GPKG_SUFFIX:
            raise _folder_error(text, "no such GeoPackage file",
                                "check the path (write one with Network.to_file)")
    except OSError as err:
        raise _folder_error(text, f"cannot be read as a folder ({err.strerror})") from err
    if isinstance(name_or_path, str) and _NETWORK_NAME.fullmatch(name_or_path) \
            and ".." not in name_or_path:
        root = bundled_root()
        if (root / name_or_path).is_dir():
            return root / name_or_path
    if isinstance(name_or_path, str) and not _NETWORK_NAME.fullmatch(name_or_path):
        raise _folder_error(text, "is not an existing folder, and a bundled network name "
                                  "is a plain name (no path separators or '..')")
    raise _folder_error(text, "is neither a folder nor a bundled network name")


def _folder_error(name: str, message: str, fix: str | None = None) -> NetworkDataError:
    fix = fix or f"pass a folder path or one of: {', '.join(bundled_networks())}"
    short = shown(name).strip("'\"") if len(name) > 80 else name
    return NetworkDataError([DataProblem(short, None, None, message, fix)], where=shown(name))
