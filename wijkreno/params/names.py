"""The names parameter files refer to: typologies, heating systems, renovation dimensions, ...

They live at the bottom of the stack so that the parameter models can check a file's keys
without importing a compute stage; :mod:`wijkreno.twin.schema` and
:mod:`wijkreno.renovate.options` re-export them.
"""

from __future__ import annotations

TYPOLOGIES: tuple[str, ...] = (
    "detached",
    "semi_detached",
    "terraced",
    "apartment_building",
    "non_residential",
)
"""Typology of a main building. Statbel's R3, R2, R1, R4 and R5+R6 in that order."""

HEATING_SYSTEMS: tuple[str, ...] = (
    "gas_boiler",
    "gas_condensing_boiler",
    "oil_boiler",
    "electric_resistance",
    "heat_pump_air_water",
    "heat_pump_ground",
    "hybrid_heat_pump",
)
"""Main space-heating systems, in the order of their integer codes."""

TABULA_PERIODS: tuple[str, ...] = ("01", "02", "03", "04", "05", "06")
"""TABULA BE construction periods: 01 ≤1945, 02 1946–70, 03 1971–90, 04 1991–2005, 05 2006–11,
06 ≥2012."""

DIMENSIONS: tuple[str, ...] = (
    "roof", "wall", "floor", "glazing", "ventilation", "heating", "pv", "solar_water_heater",
)
"""Renovation dimensions in the order trajectories consider them (envelope before systems)."""

CARRIERS: tuple[str, ...] = ("gas", "oil", "electricity", "wood")
"""Energy carriers, in the order of every per-carrier array of the systems stage."""

EPC_LABELS: tuple[str, ...] = ("A+", "A", "B", "C", "D", "E", "F")
"""Flemish residential EPC labels from best to worst."""
