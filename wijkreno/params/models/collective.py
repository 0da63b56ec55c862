"""Model of ``wijkreno/params/collective.toml``: collective renovation groups and their costs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from wijkreno.params.base import Fraction, Frozen, Sourced, require_dated_placeholders
from wijkreno.params.names import DIMENSIONS, TABULA_PERIODS, TYPOLOGIES
from wijkreno.params.reader import load_model

if TYPE_CHECKING:
    from wijkreno.params.models.price_sets import CostIndex

PARAMS_FILE = "collective.toml"


class ClassMap(Frozen):
    """A mapping of twin categories to coarser classes, with its rationale."""

    source: str = Field(min_length=1)
    date: dt.date
    classes: dict[str, str]


class GroupRules(Frozen):
    """Thresholds of :func:`find_groups` (``[groups]``)."""

    apartment_min_dwellings: Sourced
    block_min_dwellings: Sourced
    street_max_gap_m: Sourced
    typology_class: ClassMap
    period_class: ClassMap

    @field_validator("typology_class")
    @classmethod
    def _all_typologies(cls, v: ClassMap) -> ClassMap:
        missing = set(TYPOLOGIES) - set(v.classes)
        if missing:
            raise ValueError(f"typology_class lacks {sorted(missing)}")
        return v

    @field_validator("period_class")
    @classmethod
    def _all_periods(cls, v: ClassMap) -> ClassMap:
        missing = set(TABULA_PERIODS) - set(v.classes)
        if missing:
            raise ValueError(f"period_class lacks the TABULA periods {sorted(missing)}")
        return v


class CollectiveRules(Frozen):
    """When a group counts as collective (``[collective]``)."""

    min_participants: Sourced


class FixedCostSharing(Frozen):
    """Sharing of the catalogue's fixed costs (``[fixed_costs]``)."""

    group_sets: Sourced
    per_dwelling_frac: dict[str, Fraction]

    @field_validator("per_dwelling_frac")
    @classmethod
    def _every_dimension(cls, v: dict[str, Fraction]) -> dict[str, Fraction]:
        if set(v) != set(DIMENSIONS):
            raise ValueError(f"per_dwelling_frac needs exactly the dimensions {list(DIMENSIONS)}")
        return v


class VolumeDiscount(Frozen):
    """Volume price curve (``[volume_discount]``)."""

    dimensions: tuple[str, ...]
    reference_count: Sourced
    discount_at_reference_frac: Sourced
    max_discount_frac: Sourced

    @field_validator("dimensions")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(v) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"unknown dimensions {sorted(unknown)}; use {list(DIMENSIONS)}")
        return v

    def discount_frac(self, n: np.ndarray) -> np.ndarray:
        """Discount on the variable part of the invoice for ``n`` identical measures [-]."""
        n = np.maximum(np.asarray(n, dtype=np.float64), 1.0)
        ref = max(self.reference_count.value, 1.0 + 1e-9)
        d = self.discount_at_reference_frac.value * np.log(n) / np.log(ref)
        return np.clip(d, 0.0, min(max(self.max_discount_frac.value, 0.0), 1.0))


class ProjectCost(Frozen):
    """A project cost item (design, permit, coaching) (``[project_costs.<name>]``)."""

    label_nl: str = Field(min_length=1)
    applies_to: Literal["any", "envelope"] | tuple[str, ...]
    individual_eur: Sourced
    group_eur: Sourced
    per_dwelling_eur: Sourced


class PartyWalls(Frozen):
    """Party-wall adjustment factors (``[party_walls]``)."""

    b_neighbour_alone_frac: Fraction
    b_neighbour_renovated_frac: Fraction


class CollectiveParams(Frozen):
    """The parameters of ``collective.toml`` (validated; unknown fields are refused)."""

    version: str
    date: dt.date
    groups: GroupRules
    collective: CollectiveRules
    fixed_costs: FixedCostSharing
    volume_discount: VolumeDiscount
    project_costs: dict[str, ProjectCost]
    party_walls: PartyWalls
    price_year: int | None = None
    """Year the project costs are quoted in (set by :meth:`indexed`); None: each at its own
    source's date, as in the file."""

    @model_validator(mode="after")
    def _dated_placeholders(self) -> CollectiveParams:
        require_dated_placeholders(self)
        return self

    def indexed(self, index: CostIndex, price_year: int) -> CollectiveParams:
        """These parameters with every shared project cost (``[project_costs]``: individual,
        group and per-dwelling EUR) indexed from its source's year to ``price_year`` by the
        construction-cost index, as the measure catalogue
        (:func:`wijkreno.renovate.catalogue.index_catalogue`); the source says so. Shares,
        counts and the volume discount are not money and stay.

        Raises
        ------
        ValueError
            When the parameters are already indexed to another year (index the file's).
        """
        if self.price_year is not None:
            if self.price_year == int(price_year):
                return self
            raise ValueError(f"the collective parameters are already indexed to "
                             f"{self.price_year}; index the file's parameters to {price_year}")
        items = {}
        for name, item in self.project_costs.items():
            update = {}
            for field_name in ("individual_eur", "group_eur", "per_dwelling_eur"):
                update[field_name] = index.indexed(getattr(item, field_name), price_year)
            items[name] = item.model_copy(update=update)
        return self.model_copy(update={"project_costs": items, "price_year": int(price_year)})


def load_collective_params(path: str | Path | None = None) -> CollectiveParams:
    """Load the collective-renovation parameters (cached).

    Parameters
    ----------
    path : str, Path or None
        A TOML file laid out as ``wijkreno/params/collective.toml``; that file when None.

    Returns
    -------
    CollectiveParams

    Raises
    ------
    InputError
        When the file cannot be read, a field is unknown or missing, or a value has no source.
    """
    return load_model(CollectiveParams, PARAMS_FILE, path, what="collective parameter file")
