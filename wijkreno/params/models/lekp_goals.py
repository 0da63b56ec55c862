"""Model of ``wijkreno/params/lekp_goals.toml``: LEKP goals, pact versions and counting rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from wijkreno.errors import InputError
from wijkreno.params.base import Frozen
from wijkreno.params.reader import load_model

GOALS_FILE = "lekp_goals.toml"

PACTS: tuple[str, ...] = ("1.0", "2.0", "2.1")


class Goal(Frozen):
    """One goal of one or more pact versions (a ``[[goals]]`` table)."""

    goal_id: str = Field(min_length=1)
    pacts: tuple[str, ...] = Field(min_length=1)
    title_nl: str = Field(min_length=1)
    title_en: str | None = Field(default=None, min_length=1,
                                 description="English title (the Dutch one when None)")
    indicator: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    scaling_base: Literal["inhabitants", "households", "housing_units", "fixed",
                          "own_buildings"]
    rate: float = Field(ge=0.0)
    per: float = Field(gt=0.0)
    annual_reduction_frac: float | None = Field(default=None, ge=0.0, lt=1.0)
    base_year: int | None = None
    rounding: Literal["integer_half_up", "none"]
    deadline: dt.date
    start_date: dt.date | None = None
    counting_rule: str = Field(min_length=1)
    register_kind: Literal["renovations", "klimaattafels", "trajectories", "participative_pv",
                           "wvc_milestones", "energy_communities", "charging_points",
                           "own_buildings", "none"]
    source: str = Field(min_length=1)
    date: dt.date

    @model_validator(mode="after")
    def _check(self) -> Goal:
        bad = [p for p in self.pacts if p not in PACTS]
        if bad:
            raise ValueError(f"goal {self.goal_id!r}: unknown pact versions {bad}; use {PACTS}")
        if self.scaling_base == "own_buildings" and self.base_year is None:
            raise ValueError(f"goal {self.goal_id!r}: own_buildings goals need base_year")
        return self


class Counting(Frozen):
    """How collective renovations are counted (``[counting]``)."""

    default_rule: Literal["vvsg_measure", "per_dwelling"]
    rules: tuple[str, ...]
    countable_measures: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)
    date: dt.date


class Goals(Frozen):
    """The goal file: version, counting rule and every goal definition."""

    version: str = Field(min_length=1)
    date: dt.date
    counting_start: dt.date
    counting: Counting
    goals: tuple[Goal, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Goals:
        for pact in PACTS:
            ids = [g.goal_id for g in self.goals if pact in g.pacts]
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"pact {pact}: goals {dup} are defined more than once")
        return self

    def for_pact(self, pact: str) -> tuple[Goal, ...]:
        """The goals of one pact version, in file order."""
        if pact not in PACTS:
            raise InputError(f"unknown LEKP version {pact!r}; use one of {list(PACTS)}.")
        return tuple(g for g in self.goals if pact in g.pacts)


def load_goals(path: str | Path | None = None) -> Goals:
    """Read and validate a LEKP goal file (cached).

    Parameters
    ----------
    path : str or Path, optional
        A TOML file laid out as ``wijkreno/params/lekp_goals.toml``; the packaged file when None.

    Returns
    -------
    Goals

    Raises
    ------
    InputError
        When the file is missing, not TOML, or does not validate (unknown fields included).
    """
    return load_model(Goals, GOALS_FILE, path, what="LEKP goal file")
