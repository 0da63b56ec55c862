"""Model of ``wijkreno/params/uncertainty.toml``: what the Monte Carlo ensemble draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import ConfigDict, Field, field_validator

from wijkreno.params.base import Fraction, Frozen, Sourced
from wijkreno.params.names import TABULA_PERIODS
from wijkreno.params.reader import load_model

PARAMS_FILE = "uncertainty.toml"


class PeriodShares(Frozen):
    """A probability per TABULA period ``01`` … ``06``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    p01: float = Field(alias="01", ge=0.0, le=1.0)
    p02: float = Field(alias="02", ge=0.0, le=1.0)
    p03: float = Field(alias="03", ge=0.0, le=1.0)
    p04: float = Field(alias="04", ge=0.0, le=1.0)
    p05: float = Field(alias="05", ge=0.0, le=1.0)
    p06: float = Field(alias="06", ge=0.0, le=1.0)

    def as_array(self) -> np.ndarray:
        """Shares in period order 01 … 06."""
        return np.array([getattr(self, f"p{p}") for p in TABULA_PERIODS], dtype=np.float64)


class ElementInsulation(Frozen):
    """Probability that an opaque element was insulated after construction, and by how much."""

    source: str = Field(min_length=1)
    date: str
    placeholder: bool = False
    replace_with: str | None = None
    renovated_frac: PeriodShares
    r_added_m2k_per_w: Sourced

    @field_validator("r_added_m2k_per_w")
    @classmethod
    def _positive(cls, v: Sourced) -> Sourced:
        if not v.value > 0:
            raise ValueError(f"must be > 0 m2 K/W, got {v.value}")
        return v


class GlazingReplacement(Frozen):
    """Probability that windows were replaced by HR glazing after construction."""

    source: str = Field(min_length=1)
    date: str
    placeholder: bool = False
    replace_with: str | None = None
    renovated_frac: PeriodShares
    u_after_w_per_m2k: Sourced
    g_after_frac: Fraction

    @field_validator("u_after_w_per_m2k")
    @classmethod
    def _u_range(cls, v: Sourced) -> Sourced:
        if not 0 < v.value <= 10:
            raise ValueError(f"must lie in (0, 10] W/(m2 K), got {v.value}")
        return v


class Insulation(Frozen):
    roof: ElementInsulation
    wall: ElementInsulation
    floor: ElementInsulation
    glazing: GlazingReplacement


class ConstructionPeriod(Frozen):
    window: Sourced

    @field_validator("window")
    @classmethod
    def _whole(cls, v: Sourced) -> Sourced:
        if v.value < 0 or v.value != int(v.value):
            raise ValueError(f"must be a whole number of periods >= 0, got {v.value}")
        return v


class UncertaintyParams(Frozen):
    """What the ensemble draws; see ``wijkreno/params/uncertainty.toml`` for every source."""

    version: str
    date: str
    construction_period: ConstructionPeriod
    insulation: Insulation


def load_uncertainty_params(path: str | Path | None = None) -> UncertaintyParams:
    """Load the ensemble's parameters: the packaged ``uncertainty.toml`` or a user's file (cached).

    Raises
    ------
    InputError
        When the file is missing, not TOML, or does not validate (unknown keys included).
    """
    return load_model(UncertaintyParams, PARAMS_FILE, path, what="uncertainty parameter file")
