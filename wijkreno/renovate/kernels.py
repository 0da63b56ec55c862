"""The public face of renovate's package kernels, for the stages that read their results.

The kernels stay private (``_package_kernels``); this module names the layout another package
may rely on: the dimensions of a package (``N_DIM``, ``N_ENV``, ``D_*``), the most steps of a
trajectory (``N_STEPS``: every dimension and an intermediate heating step) and the metric
vector of a package or trajectory state (``N_M`` entries, indices ``M_*``; units in
``_package_kernels``' comments).
"""

from __future__ import annotations

from wijkreno.renovate._package_kernels import (
    D_HEAT,
    D_PV,
    D_SWH,
    M_CO2_COM,
    M_CO2_FL,
    M_COST,
    M_FINAL,
    M_FINAL_NET,
    M_INV,
    M_LIFE,
    M_LOAD,
    M_NEED,
    M_NET,
    M_NPV,
    M_PAYBACK,
    M_PREM,
    M_PRIMARY,
    M_PV,
    M_SAVE_CO2_COM,
    M_SAVE_CO2_FL,
    M_SAVE_EUR,
    M_SAVE_KWH,
    M_SCORE,
    M_SCORE_STD,
    N_DIM,
    N_ENV,
    N_M,
    N_STEPS,
)

__all__ = [
    "D_HEAT",
    "D_PV",
    "D_SWH",
    "M_CO2_COM",
    "M_CO2_FL",
    "M_COST",
    "M_FINAL",
    "M_FINAL_NET",
    "M_INV",
    "M_LIFE",
    "M_LOAD",
    "M_NEED",
    "M_NET",
    "M_NPV",
    "M_PAYBACK",
    "M_PREM",
    "M_PRIMARY",
    "M_PV",
    "M_SAVE_CO2_COM",
    "M_SAVE_CO2_FL",
    "M_SAVE_EUR",
    "M_SAVE_KWH",
    "M_SCORE",
    "M_SCORE_STD",
    "N_DIM",
    "N_ENV",
    "N_M",
    "N_STEPS",
]
