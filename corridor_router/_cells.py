"""What a cell of a network file may hold: vocabularies, ids, country codes, lists, numbers."""

from __future__ import annotations

import re

from .errors import shown

__all__ = [
    "CONFIDENCES",
    "IN_SERVICE",
    "KINDS",
    "NUMBER_PATTERN",
    "STATUSES",
    "is_country",
    "is_id",
    "is_plain_number",
    "number_problem",
    "split_list",
]

#: Link statuses. ``restricted``: in service, but sanctions or permits keep some
#: shippers off it (e.g. Iranian ports for carriers exposed to US sanctions);
#: ``suspended``: built, but no regular service runs (e.g. major carriers' sailings to
#: Russian ports since 2022). networks/README.md defines each.
STATUSES = ("operational", "restricted", "suspended", "under_construction", "planned",
            "proposed")
#: Statuses a scenario admits unless it says otherwise: what runs today.
IN_SERVICE = ("operational", "restricted")
KINDS = ("city", "port", "border", "junction", "terminal", "dry_port")
CONFIDENCES = ("H", "M", "L", "EST")

_ID = re.compile(r"[a-z0-9][a-z0-9_]*")
_CC = re.compile(r"[A-Z]{2}")

#: Plain ASCII decimal notation, the only text read as a number: float() would also take
#: "inf", "nan", "1_000", Arabic-Indic or full-width digits.
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN_NUMBER = re.compile(NUMBER_PATTERN)
_NON_FINITE_WORDS = frozenset({"inf", "infinity", "nan"})


def is_id(text: str) -> bool:
    """Whether ``text`` is a well-formed id (lower-case letters, digits, underscores).

    Examples
    --------
    >>> is_id("ml1_karachi_rohri"), is_id("ML1")
    (True, False)
    """
    return _ID.fullmatch(text) is not None


def is_country(text: str) -> bool:
    """Whether ``text`` looks like an ISO 3166-1 alpha-2 code.

    Examples
    --------
    >>> is_country("PK"), is_country("pk"), is_country("PAK")
    (True, False, False)
    """
    return _CC.fullmatch(text) is not None


def split_list(cell: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell into its stripped, non-empty items.

    Examples
    --------
    >>> split_list(" cpmm2022; ;est_rates ")
    ('cpmm2022', 'est_rates')
    """
    return tuple(item.strip() for item in str(cell).split(";") if item.strip())


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is a number in plain ASCII decimal notation (e.g. ``-12.5e3``).

    Examples
    --------
    >>> is_plain_number("-12.5e3"), is_plain_number("inf"), is_plain_number("1_000")
    (True, False, False)
    """
    return _PLAIN_NUMBER.fullmatch(text) is not None


def number_problem(text: str, unit: str = "") -> tuple[str, str]:
    """(message, fix) for a cell that is not a plain decimal number.

    Examples
    --------
    >>> number_problem("inf", "km")
    ("'inf' is not a finite number", 'enter a finite number (km)')
    """
    unit = f" ({unit})" if unit else ""
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return (f"{shown(text)} is written with digits other than ASCII 0-9",
                f"write the number with the digits 0-9{unit}, e.g. 123.4")
    if text.strip().lstrip("+-").lower() in _NON_FINITE_WORDS:
        return f"{shown(text)} is not a finite number", f"enter a finite number{unit}"
    return (f"{shown(text)} is not a number",
            f"write a plain decimal number{unit}, e.g. 123.4")
