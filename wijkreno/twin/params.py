"""Parameters of the twin build (``wijkreno/params/twin.toml``) and the archetype table.

The models and the cached loader live in the parameter layer (:mod:`wijkreno.params.models.twin`);
this module re-exports them and reads the archetype table into a DataFrame.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pandas as pd

from wijkreno.params.base import Sourced
from wijkreno.params.models.twin import (
    ApartmentCandidate,
    BuildingCounts,
    DefaultFloors,
    HeatingSystemShares,
    NonResidentialCandidate,
    PeriodCounts,
    TwinParams,
    load_twin_params,
)
from wijkreno.params.reader import read_text

ARCHETYPES_FILE = "archetypes_tabula_be.csv"

__all__ = [
    "ARCHETYPES_FILE", "ApartmentCandidate", "BuildingCounts", "DefaultFloors",
    "HeatingSystemShares", "NonResidentialCandidate", "PeriodCounts", "Sourced", "TwinParams",
    "load_archetypes", "load_twin_params",
]


def _parse_archetypes(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), comment="#", dtype={"tabula_period": str})


@lru_cache(maxsize=1)
def _package_archetypes() -> pd.DataFrame:
    return _parse_archetypes(read_text(None, ARCHETYPES_FILE, what="archetype table"))


def load_archetypes(path: str | Path | None = None) -> pd.DataFrame:
    """Archetype table: typology × TABULA period → envelope defaults (see the CSV's header)."""
    if path is None:
        return _package_archetypes().copy()
    return _parse_archetypes(read_text(path, ARCHETYPES_FILE, what="archetype table"))
