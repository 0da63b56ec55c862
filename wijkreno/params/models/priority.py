"""Model of ``wijkreno/params/priority.toml``: priority score components and proxy thresholds."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from wijkreno.errors import InputError
from wijkreno.params.base import Frozen
from wijkreno.params.reader import load_model

PRIORITY_FILE = "priority.toml"


class PriorityComponent(Frozen):
    """One component of the priority score."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    column: str = Field(min_length=1)
    fallback_column: str | None = None
    direction: Literal["higher", "lower"]
    weight: float = Field(ge=0)
    rationale: str = Field(min_length=1)
    source: str = Field(min_length=1)


class ProxyParams(Frozen):
    """Thresholds of the energy-poverty proxies computed by the aggregation."""

    old_before_year: int = Field(ge=1000, le=2100)
    old_before_year_source: str = Field(min_length=1)
    poor_labels: tuple[str, ...]
    poor_labels_source: str = Field(min_length=1)
    tenant_values: tuple[str, ...]
    tenant_values_source: str = Field(min_length=1)
    low_income_categories: tuple[int, ...]
    low_income_categories_source: str = Field(min_length=1)


class PriorityParams(Frozen):
    """The content of ``priority.toml``."""

    version: str
    date: str
    normalisation: Literal["minmax", "rank"]
    proxies: ProxyParams
    components: tuple[PriorityComponent, ...]

    @model_validator(mode="after")
    def _unique_names(self) -> PriorityParams:
        names = [c.name for c in self.components]
        if len(set(names)) != len(names):
            raise ValueError(f"component names must be unique, got {names}")
        if not any(c.weight > 0 for c in self.components):
            raise ValueError("at least one component needs a weight above 0")
        return self

    def with_weights(self, weights: Mapping[str, float]) -> PriorityParams:
        """Copy with some component weights replaced (``{name: weight}``)."""
        known = {c.name for c in self.components}
        unknown = sorted(set(weights) - known)
        if unknown:
            raise InputError(
                f"unknown priority components {unknown}; the components are {sorted(known)} "
                "(see wijkreno/params/priority.toml)."
            )
        bad = {k: v for k, v in weights.items() if not math.isfinite(v) or v < 0}
        if bad:
            raise InputError(f"priority weights must be finite and >= 0, got {bad}.")
        comps = tuple(
            c.model_copy(update={"weight": float(weights[c.name])}) if c.name in weights else c
            for c in self.components
        )
        if not any(c.weight > 0 for c in comps):
            raise InputError("all priority weights are 0; give at least one a positive weight.")
        return self.model_copy(update={"components": comps})


def load_priority_params(path: str | Path | None = None) -> PriorityParams:
    """Load the priority weights and proxy thresholds (cached).

    Parameters
    ----------
    path : str, Path or None
        A TOML file laid out as ``wijkreno/params/priority.toml``; None for that file.

    Returns
    -------
    PriorityParams
    """
    return load_model(PriorityParams, PRIORITY_FILE, path, what="priority parameter file")


