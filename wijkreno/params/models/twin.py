"""Model of ``wijkreno/params/twin.toml``: the assumptions of the twin build."""

from __future__ import annotations

from pathlib import Path

from pydantic import ConfigDict, Field, model_validator

from wijkreno.params.base import Frozen, Sourced
from wijkreno.params.names import HEATING_SYSTEMS
from wijkreno.params.reader import load_model

TWIN_FILE = "twin.toml"


class ApartmentCandidate(Frozen):
    min_floors: int = Field(ge=1)
    min_footprint_m2: float = Field(gt=0)
    source: str


class NonResidentialCandidate(Frozen):
    min_footprint_m2: float = Field(gt=0)
    source: str


class LargeFootprintRule(Frozen):
    """Above this footprint a building without address evidence is non-residential."""

    max_residential_footprint_m2: float = Field(gt=0)
    placeholder: bool = False
    source: str


class GasConnectionRule(Frozen):
    """How Fluvius' residential gas connections bound the gas-heated dwellings of a sector."""

    gas_systems: list[str]
    gas_heated_per_connection_frac: float = Field(gt=0)
    placeholder: bool = False
    source: str

    @model_validator(mode="after")
    def _known_systems(self) -> GasConnectionRule:
        unknown = set(self.gas_systems) - set(HEATING_SYSTEMS)
        if unknown:
            raise ValueError(f"unknown heating systems {sorted(unknown)}")
        return self


class DefaultFloors(Frozen):
    source: str
    detached: int = Field(ge=1)
    semi_detached: int = Field(ge=1)
    terraced: int = Field(ge=1)
    apartment_building: int = Field(ge=1)
    non_residential: int = Field(ge=1)
    annex: int = Field(ge=1)


class PeriodCounts(Frozen):
    """Statbel counts of buildings per construction period (T3.1 … T3.7.4) per building type."""

    source: str
    R1: list[int]
    R2: list[int]
    R3: list[int]
    R4: list[int]
    R5: list[int]
    R6: list[int]


class BuildingCounts(Frozen):
    """Statbel T1 buildings and T8 dwellings per building type R1 … R6."""

    source: str
    T1: list[int]
    T8: list[int]


class HeatingSystemShares(Frozen):
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


class TwinParams(Frozen):
    """All assumptions of the twin build, each with its source."""

    version: str
    storey_height_m: Sourced
    net_to_gross_floor_frac: Sourced
    roof_pitch_deg: Sourced
    pitched_roof_frac: Sourced
    apartment_mean_floor_area_m2: Sourced
    address_snap_distance_m: Sourced
    min_dwelling_building_area_m2: Sourced
    dwelling_tolerance_frac: Sourced
    apartment_candidate: ApartmentCandidate
    apartment_min_addresses: Sourced
    non_residential_candidate: NonResidentialCandidate
    large_footprint_without_addresses: LargeFootprintRule
    heating_from_gas_connections: GasConnectionRule
    default_floors: DefaultFloors
    flanders_period_counts: PeriodCounts
    flanders_building_counts: BuildingCounts
    heating_system_shares: HeatingSystemShares


def load_twin_params(path: str | Path | None = None) -> TwinParams:
    """Load the twin parameters: the package defaults, or a user's file of the same layout."""
    return load_model(TwinParams, TWIN_FILE, path, what="twin parameter file")
