"""LEKP goal definitions (``wijkreno/params/lekp_goals.toml``) and targets per municipality.

:func:`load_goals` reads and validates the versioned goal file; :func:`municipality_targets`
turns it into the targets of one municipality from its inhabitants, households and housing
units (Statbel, :mod:`wijkreno.io.municipal`).

Target rule: ``target = rate * base / per`` for the bases ``inhabitants``, ``households`` and
``housing_units``; ``rate`` itself for ``fixed``; for ``own_buildings`` a reduction fraction
(``rate``, or ``1 - (1 - annual_reduction_frac) ** (deadline year - base_year)``). Counts are
rounded to the nearest whole number, halves up (``rounding = "integer_half_up"``): Berlaar's
1.5 charging points per 100 of 11,949 inhabitants = 179.2 -> 179.
"""

from __future__ import annotations

import math

import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.lekp_goals import (
    PACTS,
    Counting,
    Goal,
    Goals,
    load_goals,
)

SCALING_BASES: tuple[str, ...] = (
    "inhabitants", "households", "housing_units", "fixed", "own_buildings",
)
REGISTER_KINDS_USED: tuple[str, ...] = (
    "renovations", "klimaattafels", "trajectories", "participative_pv", "wvc_milestones",
    "energy_communities", "charging_points", "own_buildings", "none",
)
COUNTING_RULES: tuple[str, ...] = ("vvsg_measure", "per_dwelling")

TARGET_COLUMNS: tuple[str, ...] = (
    "goal_id", "pact", "title_nl", "indicator", "unit", "scaling_base", "target", "deadline",
    "counting_rule", "source", "nis_code", "base_value", "register_kind", "start_date",
)
"""Columns of :func:`municipality_targets` (the interface's ten, then ``nis_code``,
``base_value`` (the inhabitants/households/housing units the target scales with),
``register_kind`` and ``start_date``)."""


def round_half_up(x: float) -> int:
    """Round to the nearest whole number, halves away from zero for positive values."""
    return int(math.floor(x + 0.5))


def goal_target(goal: Goal, *, inhabitants: int, households: int, housing_units: int) -> float:
    """Target of one goal for a municipality (see the module docstring for the rule).

    Returns
    -------
    float
        The target in the goal's unit (a count, kWp or a reduction fraction).
    """
    if goal.scaling_base == "own_buildings":
        if goal.annual_reduction_frac is not None:
            assert goal.base_year is not None
            years = goal.deadline.year - goal.base_year
            return 1.0 - (1.0 - goal.annual_reduction_frac) ** years
        return float(goal.rate)
    base = {"inhabitants": inhabitants, "households": households,
            "housing_units": housing_units, "fixed": goal.per}[goal.scaling_base]
    value = goal.rate * base / goal.per
    if goal.rounding == "integer_half_up":
        return float(round_half_up(value))
    return float(value)


def _check_count(name: str, value: int) -> int:
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a whole number, got {value!r}") from None
    if v < 0 or v != value:
        raise InputError(f"{name} must be a whole number >= 0, got {value!r}")
    return v


def municipality_targets(
    *,
    nis_code: str,
    inhabitants: int,
    households: int,
    housing_units: int,
    pact: str = "2.1",
    goals: Goals | None = None,
) -> pd.DataFrame:
    """LEKP targets of one municipality.

    Parameters
    ----------
    nis_code : str
        NIS5 code of the municipality.
    inhabitants, households, housing_units : int
        Statbel counts (:mod:`wijkreno.io.municipal`): inhabitants, private households and
        housing units (woongelegenheden, gebouwenpark T8).
    pact : {"1.0", "2.0", "2.1"}
        Pact version whose goals apply.
    goals : Goals, optional
        From :func:`load_goals`; the packaged goals when None.

    Returns
    -------
    pandas.DataFrame
        One row per goal, columns :data:`TARGET_COLUMNS` and ``title_en`` (the goal's English
        title, its Dutch one where the goal file has none); ``deadline`` and ``start_date`` are
        :class:`datetime.date`.

    Examples
    --------
    >>> t = municipality_targets(nis_code="12002", inhabitants=11949, households=4426,
    ...                          housing_units=5440, pact="2.0")
    >>> int(t.set_index("goal_id").loc["collective_renovations", "target"])
    272
    """
    g = goals or load_goals()
    counts = {
        "inhabitants": _check_count("inhabitants", inhabitants),
        "households": _check_count("households", households),
        "housing_units": _check_count("housing_units", housing_units),
    }
    rows = []
    for goal in g.for_pact(pact):
        base_value = (counts[goal.scaling_base] if goal.scaling_base in counts
                      else float("nan"))
        rule = goal.counting_rule
        if goal.register_kind == "renovations":
            rule = f"{rule} [{g.counting.default_rule}]"
        rows.append({
            "goal_id": goal.goal_id,
            "pact": pact,
            "title_nl": goal.title_nl,
            "title_en": goal.title_en or goal.title_nl,
            "indicator": goal.indicator,
            "unit": goal.unit,
            "scaling_base": goal.scaling_base,
            "target": goal_target(goal, **counts),
            "deadline": goal.deadline,
            "counting_rule": rule,
            "source": f"{goal.source} ({goal.date.isoformat()})",
            "nis_code": str(nis_code).zfill(5),
            "base_value": float(base_value),
            "register_kind": goal.register_kind,
            "start_date": goal.start_date or g.counting_start,
        })
    return pd.DataFrame(rows, columns=[*TARGET_COLUMNS, "title_en"])


__all__ = [
    "COUNTING_RULES",
    "Counting",
    "Goal",
    "Goals",
    "PACTS",
    "TARGET_COLUMNS",
    "goal_target",
    "load_goals",
    "municipality_targets",
    "round_half_up",
]
