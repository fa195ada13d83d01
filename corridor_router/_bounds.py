"""Physical bounds of every figure of a network, and which values are real numbers.

A figure outside its bound is a typo, a unit mix-up or a corrupted file, never data;
each bound is far from any real value so that no sourced figure comes near it. They also
keep every route total finite: a leg is at most ``MAX_LENGTH_KM / MIN_SPEED_KMH`` hours
and ``MAX_LENGTH_KM * MAX_RATE_USD_PER_TEU_KM`` dollars.
"""

from __future__ import annotations

import datetime
import math
import numbers
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np

__all__ = [
    "FIELD_BOUNDS",
    "FIRST_SOURCE_YEAR",
    "MAX_CO2E_KG_PER_TEU",
    "MAX_CO2E_KG_PER_TEU_KM",
    "MAX_GAUGE_MM",
    "MAX_HEADWAY_H",
    "MAX_HOURS",
    "MAX_LENGTH_KM",
    "MAX_RATE_USD_PER_TEU_KM",
    "MAX_SPEED_KMH",
    "MAX_USD_PER_TEU",
    "MAX_VALUE_OF_TIME",
    "MIN_SPEED_KMH",
    "PRICE_YEARS",
    "Bound",
    "finite_real",
    "is_real",
    "last_source_year",
]

#: Longer than any freight leg on Earth: half the equator is about 20,000 km.
MAX_LENGTH_KM = 25_000.0
#: Slower than walking pace: a typo (or hours typed as km/h). It also keeps
#: hours = km / speed finite, which a speed of 1e-320 km/h would not.
MIN_SPEED_KMH = 1.0
#: Faster than any freight service (the fastest freight trains run at about 250 km/h).
MAX_SPEED_KMH = 300.0
#: One year, for a single item: a dwell, handling, a connector, a transfer, a gauge break.
MAX_HOURS = 8_760.0
#: USD per TEU for a single item (fee, handling, transfer): more than a loaded
#: container is worth.
MAX_USD_PER_TEU = 1_000_000.0
#: USD per TEU-km: over 30 times the dearest rate of the bundled network (about 3).
MAX_RATE_USD_PER_TEU_KM = 100.0
#: A service that sails less often than once a year is no service.
MAX_HEADWAY_H = 8_760.0
#: USD per TEU-hour: thousands of times container detention (about 6 USD per TEU-hour).
MAX_VALUE_OF_TIME = 100_000.0
#: Wider than any railway: above this a gauge is a corrupted number, not a gauge.
MAX_GAUGE_MM = 10_000.0
#: Most en-route delay per km, hours: 1 / MIN_SPEED_KMH (a leg that slow is no leg).
MAX_DELAY_H_PER_KM = 1.0 / MIN_SPEED_KMH
#: kg CO2e per TEU-km: over 20 times a 10-tonne load on the least efficient mode (a
#: small ro-pax ferry, about 1.25 kg per TEU-km).
MAX_CO2E_KG_PER_TEU_KM = 25.0
#: kg CO2e per TEU at a single hub: the whole trip of a TEU across Eurasia by road.
MAX_CO2E_KG_PER_TEU = 10_000.0
#: Price years of the USD figures: the sources are from this century; 2100 is a typo.
PRICE_YEARS = (1990, 2100)
#: Publication years of sources: none is older than this.
FIRST_SOURCE_YEAR = 1900


def is_real(value: object) -> TypeGuard[numbers.Real]:
    """Whether ``value`` is a real number: Python's or numpy's, not a bool, not complex."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def finite_real(value: object) -> float | None:
    """``value`` as a finite float if it is a real number (see :func:`is_real`), else None.

    An integer too large for a float is not finite.

    Examples
    --------
    >>> finite_real(3), finite_real(True), finite_real(10**400), finite_real(float("nan"))
    (3.0, None, None, None)
    """
    if not is_real(value):
        return None
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def last_source_year() -> int:
    """The latest plausible publication year of a source (next year: preprints, plans)."""
    return datetime.date.today().year + 1


def _fmt(value: float) -> str:
    """A number for a message: ``25,000``, ``1.5``, ``1e+308``."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"


@dataclass(frozen=True)
class Bound:
    """The range a figure may take, its unit, and why the limits are where they are.

    Parameters
    ----------
    low, high : float
        Least and most allowed values.
    unit : str
        Unit said in messages, e.g. ``"km"``.
    why_low, why_high : str
        Why a value beyond the limit cannot be data (said in the message).
    positive : bool
        Whether ``low`` itself is excluded (the value must be greater than it).

    Examples
    --------
    >>> speed = Bound(1.0, 300.0, "km/h", why_high="faster than any freight service")
    >>> speed.problem(80.0) is None
    True
    >>> speed.problem(900.0)
    '900 is above 300 km/h, the most allowed: faster than any freight service'
    """

    low: float
    high: float
    unit: str
    why_low: str = ""
    why_high: str = ""
    positive: bool = False

    def problem(self, value: float) -> str | None:
        """What is wrong with ``value``, or None if it lies within the bound."""
        if not math.isfinite(value):
            return f"{_fmt(value)} is not a finite number"
        if self.positive and value <= self.low:
            return (f"{_fmt(value)} must be greater than "
                    f"{'zero' if self.low == 0 else _fmt(self.low) + ' ' + self.unit}")
        if value < self.low:
            return (f"{_fmt(value)} is below {_fmt(self.low)} {self.unit}, the least allowed"
                    + (f": {self.why_low}" if self.why_low else ""))
        if value > self.high:
            return (f"{_fmt(value)} is above {_fmt(self.high)} {self.unit}, the most allowed"
                    + (f": {self.why_high}" if self.why_high else ""))
        return None

    @property
    def fix(self) -> str:
        """How to fix a value outside the bound."""
        if self.positive:
            return (f"enter a value above {_fmt(self.low)} and at most {_fmt(self.high)} "
                    f"{self.unit}")
        return f"enter a value between {_fmt(self.low)} and {_fmt(self.high)} {self.unit}"


_HOURS = Bound(0.0, MAX_HOURS, "hours", why_high="a year for a single stop")
_USD = Bound(0.0, MAX_USD_PER_TEU, "USD per TEU",
             why_high="more than a loaded container is worth")
_SPEED = Bound(MIN_SPEED_KMH, MAX_SPEED_KMH, "km/h",
               why_low="slower than walking pace", why_high="faster than any freight service")
_RATE = Bound(0.0, MAX_RATE_USD_PER_TEU_KM, "USD per TEU-km",
              why_high="over 30 times the dearest rate of the bundled network")

#: The bound of every figure, by column name (CSV) or key (params.toml, overrides).
FIELD_BOUNDS: dict[str, Bound] = {
    "lon": Bound(-180.0, 180.0, "degrees", why_low="west of the antimeridian",
                 why_high="east of the antimeridian"),
    "lat": Bound(-90.0, 90.0, "degrees", why_low="south of the pole",
                 why_high="north of the pole"),
    "length_km": Bound(0.0, MAX_LENGTH_KM, "km", positive=True,
                       why_high="longer than any freight leg on Earth "
                                "(half the equator is about 20,000 km)"),
    "speed_kmh": _SPEED,
    "rate_usd_per_teu_km": _RATE,
    "headway_h": Bound(0.0, MAX_HEADWAY_H, "hours", positive=True,
                       why_high="a service less often than once a year is no service"),
    "gauge_mm": Bound(0.0, MAX_GAUGE_MM, "mm", positive=True,
                      why_high="wider than any railway"),
    "hours": _HOURS,
    "delay_h_per_km": Bound(0.0, MAX_DELAY_H_PER_KM, "hours per km",
                            why_high="slower than walking pace"),
    "escort_h": _HOURS,
    "dwell_h": _HOURS,
    "dwell_low_h": _HOURS,
    "dwell_high_h": _HOURS,
    "handling_h": _HOURS,
    "handling_import_h": _HOURS,
    "handling_export_h": _HOURS,
    "cost_usd_per_teu": _USD,
    "fee_usd_per_teu": _USD,
    "fee_low_usd_per_teu": _USD,
    "fee_high_usd_per_teu": _USD,
    "handling_usd_per_teu": _USD,
    "handling_import_usd_per_teu": _USD,
    "handling_export_usd_per_teu": _USD,
    "co2e_kg_per_teu_km": Bound(0.0, MAX_CO2E_KG_PER_TEU_KM, "kg CO2e per TEU-km",
                                why_high="over 20 times the least efficient freight mode"),
    "co2e_kg_per_teu": Bound(0.0, MAX_CO2E_KG_PER_TEU, "kg CO2e per TEU",
                             why_high="more than a road trip across Eurasia"),
    "usd_per_teu_h": Bound(0.0, MAX_VALUE_OF_TIME, "USD per TEU-hour",
                           why_high="thousands of times the cost of container detention"),
}
