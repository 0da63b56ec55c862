"""Parameters of the energy-systems stage (``wijkreno/params/energy_systems.toml``).

The models and the cached loader live in the parameter layer,
:mod:`wijkreno.params.models.energy_systems`; this module re-exports them for the stage.
"""

from __future__ import annotations

from wijkreno.params.base import Efficiency, Fraction, Sourced
from wijkreno.params.models.energy_systems import (
    CARRIERS,
    SYSTEM_PARAMS_FILE,
    Carrier,
    CarrierFactors,
    DefaultDhwSystem,
    DhwSystem,
    EpcLabels,
    HeatingSystem,
    ScopCurve,
    Settings,
    SystemParams,
    default_system_params,
    load_system_params,
)

__all__ = [
    "CARRIERS", "SYSTEM_PARAMS_FILE", "Carrier", "CarrierFactors", "DefaultDhwSystem",
    "DhwSystem", "Efficiency", "EpcLabels", "Fraction", "HeatingSystem", "ScopCurve", "Settings",
    "Sourced", "SystemParams", "default_system_params", "load_system_params",
]
