"""Model of ``wijkreno/params/statistical_stock.toml``: geometry of the statistical stock."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from wijkreno.params.base import Frozen, Sourced
from wijkreno.params.reader import load_model

STATISTICAL_STOCK_FILE = "statistical_stock.toml"


class FootprintClasses(Frozen):
    """Representative ground-floor area [m²] of Statbel's classes T4.1 … T4.4."""

    source: str
    date: str | None = None
    placeholder: bool = False
    replace_with: str | None = None
    values: list[float] = Field(min_length=4, max_length=4)

    @field_validator("values")
    @classmethod
    def _positive(cls, v: list[float]) -> list[float]:
        if any(not x > 0 for x in v):
            raise ValueError(f"footprint areas must be positive, got {v}")
        return v


class PerTypology(Frozen):
    """One value per residential typology."""

    source: str
    date: str | None = None
    placeholder: bool = False
    replace_with: str | None = None
    terraced: float = Field(ge=0)
    semi_detached: float = Field(ge=0)
    detached: float = Field(ge=0)
    apartment_building: float = Field(ge=0)


class CommercialHouses(Frozen):
    typology: str = Field(pattern="^(terraced|semi_detached|detached)$")
    source: str


class StatisticalStockParams(Frozen):
    """The assumptions of :mod:`wijkreno.twin.statistical`."""

    version: str
    footprint_class_area_m2: FootprintClasses
    heated_storeys: PerTypology
    house_depth_m: Sourced
    party_walls: PerTypology
    commercial_houses_as: CommercialHouses


def load_statistical_stock_params(path: str | Path | None = None) -> StatisticalStockParams:
    """Load the statistical-stock parameters: package defaults, or a user's file."""
    return load_model(StatisticalStockParams, STATISTICAL_STOCK_FILE, path,
                      what="statistical-stock parameter file")
