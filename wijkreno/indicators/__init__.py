"""LEKP goals, municipal targets and indicators over time (issue 6, part 1).

- :func:`load_goals`, :func:`municipality_targets`: the versioned goal definitions
  (``wijkreno/params/lekp_goals.toml``) and one municipality's targets;
- :func:`compute_indicators`: realised against target per goal and year from a register, with
  trend, projection and (with the twin) CO2 and energy saved;
- :func:`campaign_projection`: planned collective renovations from a scenario's campaigns;
- :func:`realised_savings`: the per-address model of what the registered measures save;
- :func:`collective_projects`: the register's collective projects, one row each (a VME's
  works on an apartment building are one project counting for all its units).
"""

from wijkreno.indicators.goals import (
    COUNTING_RULES,
    TARGET_COLUMNS,
    Goal,
    Goals,
    load_goals,
    municipality_targets,
)
from wijkreno.indicators.indicators import (
    COLLECTIVE_PROJECT_COLUMNS,
    INDICATOR_COLUMNS,
    campaign_projection,
    collective_projects,
    compute_indicators,
    count_renovations,
    expand_buildings,
)
from wijkreno.indicators.savings import SAVING_COLUMNS, RealisedSavings, realised_savings

__all__ = [
    "COLLECTIVE_PROJECT_COLUMNS",
    "COUNTING_RULES",
    "INDICATOR_COLUMNS",
    "SAVING_COLUMNS",
    "TARGET_COLUMNS",
    "Goal",
    "Goals",
    "RealisedSavings",
    "campaign_projection",
    "collective_projects",
    "compute_indicators",
    "count_renovations",
    "expand_buildings",
    "load_goals",
    "municipality_targets",
    "realised_savings",
]
