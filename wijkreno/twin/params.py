"""Parameters of the twin build (``wijkreno/params/twin.toml``) and the archetype table.

Frozen pydantic models that reject unknown fields: a typo in a user's parameter file is an
error, not a silently ignored value.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wijkreno.errors import InputError
from wijkreno.io.params import read_param_toml
from wijkreno.twin.schema import HEATING_SYSTEMS

PARAMS_PACKAGE = "wijkreno.params"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(_Frozen):
    """A number with its source."""

    value: float
    source: str


class ApartmentCandidate(_Frozen):
    min_floors: int = Field(ge=1)
    min_footprint_m2: float = Field(gt=0)
    source: str


class NonResidentialCandidate(_Frozen):
    min_footprint_m2: float = Field(gt=0)
    source: str


class DefaultFloors(_Frozen):
    source: str
    detached: int = Field(ge=1)
    semi_detached: int = Field(ge=1)
    terraced: int = Field(ge=1)
    apartment_building: int = Field(ge=1)
    non_residential: int = Field(ge=1)
    annex: int = Field(ge=1)


class PeriodCounts(_Frozen):
    """Statbel counts of buildings per construction period (T3.1 … T3.7.4) per building type."""

    source: str
    R1: list[int]
    R2: list[int]
    R3: list[int]
    R4: list[int]
    R5: list[int]
    R6: list[int]


class BuildingCounts(_Frozen):
    """Statbel T1 buildings and T8 dwellings per building type R1 … R6."""

    source: str
    T1: list[int]
    T8: list[int]


class HeatingSystemShares(_Frozen):
    """Shares of main heating systems per TABULA period (each row sums to 1)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    source: str
    systems: list[str]
    p01: list[float] = Field(alias="01")
    p02: list[float] = Field(alias="02")
    p03: list[float] = Field(alias="03")
    p04: list[float] = Field(alias="04")
    p05: list[float] = Field(alias="05")
    p06: list[float] = Field(alias="06")

    @model_validator(mode="after")
    def _rows_are_shares(self) -> HeatingSystemShares:
        unknown = set(self.systems) - set(HEATING_SYSTEMS)
        if unknown:
            raise ValueError(f"unknown heating systems {sorted(unknown)}")
        for period in ("01", "02", "03", "04", "05", "06"):
            row = self.shares(period)
            if len(row) != len(self.systems) or min(row) < 0 or abs(sum(row) - 1) > 1e-6:
                raise ValueError(
                    f"heating system shares of period {period} must be {len(self.systems)} "
                    f"non-negative numbers summing to 1, got {row}"
                )
        return self

    def shares(self, period: str) -> list[float]:
        """Shares of :attr:`systems` for a TABULA period code ``01`` … ``06``."""
        return getattr(self, f"p{period}")


class TwinParams(_Frozen):
    """All assumptions of the twin build, each with its source."""

    version: str
    storey_height_m: Sourced
    net_to_gross_floor_frac: Sourced
    roof_pitch_deg: Sourced
    pitched_roof_frac: Sourced
    apartment_mean_floor_area_m2: Sourced
    address_snap_distance_m: Sourced
    min_dwelling_building_area_m2: Sourced
    apartment_candidate: ApartmentCandidate
    apartment_min_addresses: Sourced
    non_residential_candidate: NonResidentialCandidate
    default_floors: DefaultFloors
    flanders_period_counts: PeriodCounts
    flanders_building_counts: BuildingCounts
    heating_system_shares: HeatingSystemShares


def _read_toml(path: Path | None, default_name: str) -> dict[str, Any]:
    return read_param_toml(path, default_name, what="twin parameter file")[0]


def load_twin_params(path: str | Path | None = None) -> TwinParams:
    """Load the twin parameters: the package defaults, or a user's file of the same layout."""
    data = _read_toml(Path(path) if path else None, "twin.toml")
    try:
        return TwinParams.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"twin parameters {path or 'twin.toml'} are not valid:\n{exc}") from exc


@lru_cache(maxsize=1)
def _package_archetypes() -> pd.DataFrame:
    with resources.files(PARAMS_PACKAGE).joinpath("archetypes_tabula_be.csv").open("r") as fh:
        return pd.read_csv(fh, comment="#", dtype={"tabula_period": str})


def load_archetypes(path: str | Path | None = None) -> pd.DataFrame:
    """Archetype table: typology × TABULA period → envelope defaults (see the CSV's header)."""
    if path is None:
        return _package_archetypes().copy()
    return pd.read_csv(path, comment="#", dtype={"tabula_period": str})
