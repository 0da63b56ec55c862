"""The public face of simulate's numba kernels, for the kernels and wrappers of later stages.

The kernels themselves stay in private modules (``_heat_balance_kernels``,
``_systems_kernels``); this module names what another package may rely on: the column layout
of the heat balance's packed input matrix (``X_*``) and of its annual outputs (``O_*``), the
carrier codes and factor-table rows of the systems stage (``N_CARRIERS``, ``ELECTRICITY``,
``F_*``), and :func:`carrier_accounts`, the per-carrier accounting (primary energy, cost, CO2)
that the systems stage and the renovation packages share. The names are the kernels' own
objects: ``carrier_accounts`` is the numba dispatcher, callable from other ``@njit`` code.
"""

from __future__ import annotations

from wijkreno.simulate._heat_balance_kernels import (
    N_FIELDS,
    O_H_TR,
    O_H_VE,
    O_Q_NEED,
    X_FLOOR,
    X_G,
    X_INF,
    X_U_FLOOR,
    X_U_ROOF,
    X_U_WALL,
    X_U_WINDOW,
)
from wijkreno.simulate._systems_kernels import (
    ELECTRICITY,
    F_CO2_COM,
    F_CO2_FLEMISH,
    F_FIXED_FEE,
    F_PEF,
    F_PRICE,
    N_CARRIERS,
    carrier_accounts,
)

__all__ = [
    "ELECTRICITY",
    "F_CO2_COM",
    "F_CO2_FLEMISH",
    "F_FIXED_FEE",
    "F_PEF",
    "F_PRICE",
    "N_CARRIERS",
    "N_FIELDS",
    "O_H_TR",
    "O_H_VE",
    "O_Q_NEED",
    "X_FLOOR",
    "X_G",
    "X_INF",
    "X_U_FLOOR",
    "X_U_ROOF",
    "X_U_WALL",
    "X_U_WINDOW",
    "carrier_accounts",
]
