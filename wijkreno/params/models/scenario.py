"""Model of the scenario files ``wijkreno/params/scenarios/*.toml``: yearly scenarios to 2050."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from pydantic import Field, model_validator

from wijkreno.params.base import Frozen, Sourced, require_dated_placeholders
from wijkreno.params.models.renovation import load_renovation_params
from wijkreno.params.reader import load_model

PACKAGED_SCENARIOS: tuple[str, ...] = ("baseline", "ambitious")
"""Scenarios shipped in ``wijkreno/params/scenarios/`` (``baseline``, ``ambitious``)."""
TEMPLATE_SCENARIO = "scenarios/baseline.toml"


def _frac(v: Sourced, name: str) -> None:
    if not 0.0 <= v.value <= 1.0:
        raise ValueError(f"{name} must be a fraction in [0, 1] (0.02 = 2 %), got {v.value}")


class SalesTurnover(Frozen):
    """Share of the dwellings sold per year (a notarial deed) [yr-1]."""

    house_frac: Sourced
    apartment_frac: Sourced

    @model_validator(mode="after")
    def _fractions(self) -> SalesTurnover:
        _frac(self.house_frac, "sales_turnover.house_frac")
        _frac(self.apartment_frac, "sales_turnover.apartment_frac")
        return self


class ObligationRules(Frozen):
    """The renovation obligation after purchase (labels and deadline: ``renovation.toml``)."""

    applies: bool
    compliance_frac: Sourced
    works_delay_years: Sourced
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ranges(self) -> ObligationRules:
        _frac(self.compliance_frac, "obligation.compliance_frac")
        d = self.works_delay_years.value
        deadline = load_renovation_params().obligation.deadline_years
        if d != int(d) or not 0 <= d <= deadline:
            raise ValueError(f"obligation.works_delay_years must be a whole number of years in "
                             f"[0, {deadline}] (the deadline), got {d}")
        return self


class NaturalRenovation(Frozen):
    """Renovations without obligation or campaign: a share per year, one or two steps."""

    rate_frac: Sourced
    two_steps_frac: Sourced
    energy_price_elasticity: Sourced

    @model_validator(mode="after")
    def _ranges(self) -> NaturalRenovation:
        _frac(self.rate_frac, "natural_renovation.rate_frac")
        _frac(self.two_steps_frac, "natural_renovation.two_steps_frac")
        return self


class Campaign(Frozen):
    """A collective campaign: each year a share of the sectors' dwellings not yet at the end of
    their trajectory carries out the whole trajectory."""

    name: str = Field(min_length=1)
    sectors: tuple[str, ...] = Field(min_length=1)
    start_year: int
    end_year: int
    participation_frac: Sourced
    rationale: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ranges(self) -> Campaign:
        _frac(self.participation_frac, f"campaign {self.name!r} participation_frac")
        if self.end_year < self.start_year:
            raise ValueError(f"campaign {self.name!r}: end_year {self.end_year} lies before "
                             f"start_year {self.start_year}")
        return self


class EnergyPrice(Frozen):
    """Real energy price path: a yearly growth rate or multipliers per year (exactly one).

    ``multipliers`` are interpolated linearly between the years given and held flat outside
    them; ``growth_frac`` gives ``(1 + g) ** (year - start_year)``.
    """

    growth_frac: Sourced | None = None
    multipliers: dict[int, float] | None = None
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one(self) -> EnergyPrice:
        if (self.growth_frac is None) == (self.multipliers is None):
            raise ValueError("energy_price gives exactly one of growth_frac or multipliers")
        if self.growth_frac is not None and not -1.0 < self.growth_frac.value < 1.0:
            raise ValueError(f"energy_price.growth_frac must lie in (-1, 1), got "
                             f"{self.growth_frac.value}")
        if self.multipliers is not None:
            bad = {k: v for k, v in self.multipliers.items() if not 0.0 < v < np.inf}
            if bad or not self.multipliers:
                raise ValueError(f"energy_price.multipliers must be > 0, got {bad or 'none'}")
        return self


class HeatingRules(Frozen):
    """Optional heating rules: from ``fossil_ban_from_year`` every renovation includes the
    trajectory's heating change (no new fossil boiler)."""

    fossil_ban_from_year: int | None = None
    source: str = Field(min_length=1)


class Scenario(Frozen):
    """A scenario to 2050 (a ``wijkreno/params/scenarios/*.toml`` file)."""

    version: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = ""
    date: dt.date
    start_year: int
    end_year: int
    seed: int = Field(ge=0)
    sales_turnover: SalesTurnover
    obligation: ObligationRules
    natural_renovation: NaturalRenovation
    campaigns: tuple[Campaign, ...] = ()
    premium_multiplier: Sourced
    energy_price: EnergyPrice
    heating: HeatingRules

    @model_validator(mode="after")
    def _years(self) -> Scenario:
        if not 2000 <= self.start_year < self.end_year <= 2100:
            raise ValueError(f"need 2000 <= start_year < end_year <= 2100, got "
                             f"{self.start_year}-{self.end_year}")
        for c in self.campaigns:
            if c.start_year < self.start_year or c.end_year > self.end_year:
                raise ValueError(f"campaign {c.name!r} ({c.start_year}-{c.end_year}) lies "
                                 f"outside the scenario ({self.start_year}-{self.end_year})")
        if not 0.0 <= self.premium_multiplier.value < np.inf:
            raise ValueError(f"premium_multiplier must be >= 0, got "
                             f"{self.premium_multiplier.value}")
        require_dated_placeholders(self)
        return self

    @property
    def years(self) -> np.ndarray:
        """Years reported, ``start_year`` (today) to ``end_year``."""
        return np.arange(self.start_year, self.end_year + 1)

    def energy_price_multiplier(self, year: int | np.ndarray) -> np.ndarray:
        """Real energy price relative to ``start_year`` [-]."""
        y = np.asarray(year, dtype=np.float64)
        ep = self.energy_price
        if ep.growth_frac is not None:
            return (1.0 + ep.growth_frac.value) ** (y - self.start_year)
        pts = sorted((self.energy_price.multipliers or {}).items())
        return np.interp(y, [p[0] for p in pts], [p[1] for p in pts])


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (cached).

    Parameters
    ----------
    path : str or Path
        A TOML file laid out as ``wijkreno/params/scenarios/baseline.toml``, or the name of a
        packaged scenario (``"baseline"``, ``"ambitious"``).

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        When the file cannot be read, a field is unknown or missing, or a value is out of range;
        the message names the file, each key and its allowed range.
    """
    name = str(path)
    if name in PACKAGED_SCENARIOS:
        return load_model(Scenario, f"scenarios/{name}.toml", what="scenario file")
    return load_model(Scenario, TEMPLATE_SCENARIO, path, what="scenario file")
