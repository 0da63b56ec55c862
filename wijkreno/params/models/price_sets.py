"""Model of ``wijkreno/params/price_sets.toml``: dated price sets per year and the cost index.

A *price year* fixes the money figures of a run (``--price-year``; the current year's set by
default): the energy prices per carrier (on gross calorific value for gas, as billed) and fixed
fees that changed that year, the date whose Mijn VerbouwPremie scheme applies
(``premiums.toml``), and the year costs are quoted in. A year lists only what changed: every
other price carries over from the years before it, then from ``energy_systems.toml``.

``[construction_cost_index]`` holds the published half-yearly points of the ABEX construction-cost
index (``abex_series``) and two points of the consumer price index. :meth:`CostIndex.level` and
:meth:`CostIndex.factor` index a cost quoted in one year to another (the catalogue's costs to the
price year); :meth:`CostIndex.real_escalation_frac` derives the yearly rise of construction
costs above general inflation, which makes a renovation step (or a replacement at the end of a
lifetime) planned in a later year cost more in real terms.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from wijkreno.errors import InputError
from wijkreno.params.base import Frozen, Sourced, require_dated_placeholders
from wijkreno.params.reader import load_model

log = logging.getLogger(__name__)

PRICE_SETS_FILE = "price_sets.toml"

Carrier = Literal["gas", "oil", "electricity", "wood"]


def _as_date(v: Sourced, name: str) -> dt.date:
    if isinstance(v.date, dt.date):
        return v.date
    try:
        return dt.date.fromisoformat(str(v.date))
    except ValueError:
        pass
    raise ValueError(f"{name} needs a date (YYYY-MM-DD) to derive a yearly rate, got {v.date!r}")


def year_of(value: Sourced) -> int:
    """The year a sourced value is quoted in: the year of its ``date`` (its source's price
    year; a Check je huis figure of 2020-09-08 is a 2020 price)."""
    return _as_date(value, "a cost").year


INDEX_DAY = (7, 1)
"""Day of the year at which :meth:`CostIndex.level` reads the series (1 July: the middle)."""


class CostIndex(Frozen):
    """The ABEX series and the two named points of ABEX and CPI of the real escalation.

    ``abex_series`` holds the published half-yearly points, dated as the index is named,
    strictly increasing in date; ``abex_from`` / ``abex_to`` must equal its points of their
    dates where it has them.
    """

    name: str = "ABEX"
    abex_from: Sourced
    abex_to: Sourced
    cpi_from: Sourced
    cpi_to: Sourced
    abex_series: tuple[Sourced, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _points(self) -> CostIndex:
        for a, b, name in ((self.abex_from, self.abex_to, "abex"),
                           (self.cpi_from, self.cpi_to, "cpi")):
            if not (a.value > 0 and b.value > 0):
                raise ValueError(f"{name} index points must be > 0")
            if not _as_date(a, f"{name}_from") < _as_date(b, f"{name}_to"):
                raise ValueError(f"{name}_from must be dated before {name}_to")
        dates = [_as_date(v, f"abex_series[{i}]") for i, v in enumerate(self.abex_series)]
        if any(not b > a for a, b in zip(dates, dates[1:], strict=False)):
            raise ValueError(f"abex_series must be strictly increasing in date, got {dates}")
        if any(not (0 < v.value < float("inf")) for v in self.abex_series):
            raise ValueError("abex_series points must be finite and > 0")
        by_date = dict(zip(dates, (v.value for v in self.abex_series), strict=True))
        for v, name in ((self.abex_from, "abex_from"), (self.abex_to, "abex_to")):
            d = _as_date(v, name)
            if d in by_date and by_date[d] != v.value:
                raise ValueError(f"{name} ({v.value:g} on {d}) differs from abex_series' point "
                                 f"of that date ({by_date[d]:g})")
        return self

    @property
    def first_year(self) -> int:
        """Year of the first point of the series."""
        return _as_date(self.abex_series[0], "abex_series[0]").year

    @property
    def last(self) -> Sourced:
        """The latest published point: the level of every year after it."""
        return self.abex_series[-1]

    def level(self, year: float | np.ndarray) -> np.ndarray:
        """Index level of ``year``: the series linearly interpolated at 1 July of that year;
        the first point before the series, the LAST point after it (no extrapolation) [-]."""
        ords = np.array([_as_date(v, "abex_series").toordinal() for v in self.abex_series],
                        dtype=np.float64)
        vals = np.array([v.value for v in self.abex_series], dtype=np.float64)
        y = np.asarray(year, dtype=np.float64)
        when = np.vectorize(
            lambda t: float(dt.date(int(t), *INDEX_DAY).toordinal()), otypes=[np.float64])(y)
        return np.asarray(np.interp(when, ords, vals), dtype=np.float64)

    def factor(self, from_year: float | np.ndarray, to_year: float | np.ndarray) -> np.ndarray:
        """Cost in ``to_year`` per EUR of a cost quoted in ``from_year``:
        ``level(to_year) / level(from_year)`` [-]."""
        return np.asarray(self.level(to_year) / self.level(from_year), dtype=np.float64)

    def indexed(self, value: Sourced, price_year: int) -> Sourced:
        """``value`` (quoted at its date) in ``price_year``: multiplied by
        :meth:`factor` from the year of its date, the source saying so."""
        year = year_of(value)
        f = float(self.factor(year, price_year))
        return value.model_copy(update={
            "value": value.value * f,
            "source": f"{value.source} [x{f:.3f}: {self.name} {year} -> {price_year}, "
                      "price_sets.toml]",
        })

    def beyond(self, year: int) -> bool:
        """Whether ``year``'s level is the last published point (the series ends before its
        1 July)."""
        return dt.date(int(year), *INDEX_DAY) > _as_date(self.last, "abex_series[-1]")

    def describe(self, price_year: int, from_years: tuple[int, ...] = ()) -> str:
        """One line for the assumptions shown to a coach (Dutch): the index and the price
        year's level, that the last point stands in for a year after the series, and the
        factor applied to costs quoted in each of ``from_years``."""
        lev = float(self.level(price_year))
        last = _as_date(self.last, "abex_series[-1]")
        text = (f"prijzen geïndexeerd naar {price_year} met de {self.name}-bouwkostenindex "
                f"({lev:.0f}")
        if self.beyond(price_year):
            text += f"; laatst gepubliceerde index, {last:%d/%m/%Y}"
        text += ")"
        years = sorted({int(y) for y in from_years if int(y) != int(price_year)})
        if years:
            text += "; kosten uit " + ", ".join(
                f"{y} × {float(self.factor(y, price_year)):.2f}".replace(".", ",")
                for y in years)
        return text

    @staticmethod
    def _rate(a: Sourced, b: Sourced) -> float:
        years = (_as_date(b, "to") - _as_date(a, "from")).days / 365.25
        return float((b.value / a.value) ** (1.0 / years) - 1.0)

    def nominal_escalation_frac(self) -> float:
        """Yearly rise of the ABEX index between its two points [-/yr]."""
        return self._rate(self.abex_from, self.abex_to)

    def inflation_frac(self) -> float:
        """Yearly rise of the consumer price index between its two points [-/yr]."""
        return self._rate(self.cpi_from, self.cpi_to)

    def real_escalation_frac(self) -> float:
        """Yearly rise of construction costs above inflation [-/yr]:
        ``(1 + g_abex) / (1 + g_cpi) - 1``, each rate over its own pair of points. The
        economics are in real terms (a real discount rate), so this is the rate they use."""
        return float((1.0 + self.nominal_escalation_frac()) / (1.0 + self.inflation_frac()) - 1.0)


class PriceYear(Frozen):
    """What changed in one price year (anything not listed carries over)."""

    source: str = Field(min_length=1)
    date: dt.date
    premium_date: dt.date
    prices_eur_per_kwh: dict[Carrier, Sourced] = Field(default_factory=dict)
    fixed_fee_eur_per_year: dict[Carrier, Sourced] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _non_negative(self) -> PriceYear:
        for table in (self.prices_eur_per_kwh, self.fixed_fee_eur_per_year):
            bad = [c for c, v in table.items() if not 0.0 <= v.value < float("inf")]
            if bad:
                raise ValueError(f"prices and fees must be finite and >= 0; check {bad}")
        return self


class PriceSets(Frozen):
    """The dated price sets (``price_sets.toml``)."""

    version: str
    date: dt.date
    construction_cost_index: CostIndex
    years: dict[int, PriceYear] = Field(min_length=1)

    @model_validator(mode="after")
    def _dated(self) -> PriceSets:
        require_dated_placeholders(self)
        return self

    def resolve_year(self, year: int | None = None, *, today: dt.date | None = None) -> int:
        """The price year a run uses: ``year`` itself, or the current year's set when None.

        Without a set for the current year the latest earlier set is used (logged).

        Raises
        ------
        InputError
            When ``year`` has no set, or no set starts on or before the current year.
        """
        known = sorted(self.years)
        if year is not None:
            if int(year) not in self.years:
                raise InputError(
                    f"no price set for {year}: price_sets.toml has the years {known}. Choose "
                    "one of them (price_year= in Python, --price-year on the command line), "
                    "or add a [years.JJJJ] table for that year."
                )
            return int(year)
        now = (today or dt.date.today()).year
        earlier = [y for y in known if y <= now]
        if not earlier:
            raise InputError(
                f"no price set starts on or before {now}: price_sets.toml has {known}. Give "
                "one of them (price_year= in Python, --price-year on the command line)."
            )
        if earlier[-1] != now:
            log.warning("no price set for %d: the %d set is used", now, earlier[-1])
        return earlier[-1]

    def carried(self, year: int) -> tuple[dict[str, Sourced], dict[str, Sourced]]:
        """Energy prices and fixed fees valid in ``year``: each carrier's latest value listed
        in that year or before (carriers never listed are absent: ``energy_systems.toml``)."""
        prices: dict[str, Sourced] = {}
        fees: dict[str, Sourced] = {}
        for y in sorted(self.years):
            if y > year:
                break
            prices.update(self.years[y].prices_eur_per_kwh)
            fees.update(self.years[y].fixed_fee_eur_per_year)
        return prices, fees


def load_price_sets(path: str | Path | None = None) -> PriceSets:
    """Load the dated price sets (``wijkreno/params/price_sets.toml`` when ``path`` is None)."""
    return load_model(PriceSets, PRICE_SETS_FILE, path, what="price-set file")


__all__ = ["PRICE_SETS_FILE", "CostIndex", "PriceSets", "PriceYear", "load_price_sets", "year_of"]
