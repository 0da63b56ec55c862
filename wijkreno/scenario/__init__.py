"""Scenarios to 2050: yearly simulation of the dwelling stock under configurable rules."""

from wijkreno.scenario.model import (
    Scenario,
    ScenarioResult,
    TrajectoryStates,
    compare_scenarios,
    label_shares,
    load_scenario,
    plan_states,
    run_scenario,
    summarise_years,
)

__all__ = [
    "Scenario", "ScenarioResult", "TrajectoryStates", "compare_scenarios", "label_shares",
    "load_scenario", "plan_states", "run_scenario", "summarise_years",
]
