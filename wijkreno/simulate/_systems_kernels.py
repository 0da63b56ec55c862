"""Numba kernel of the energy-systems stage: need → final → primary, score, cost, CO2.

Private: the public wrapper :func:`wijkreno.simulate.systems.compute_energy_arrays` validates and
coerces the inputs, builds the lookup tables from the parameters and allocates ``out``. The kernel
only loops over plain C-contiguous arrays, writes into ``out`` and never raises; an invalid row
(``valid`` false) gets NaN everywhere. The NumPy reference of the same algorithm is
:func:`wijkreno.simulate.systems.energy_results_reference`; the tests hold the two equal.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

N_CARRIERS = 4
ELECTRICITY = 2
"""Carrier codes: 0 gas, 1 oil, 2 electricity, 3 wood (``wijkreno.simulate.params.CARRIERS``)."""

# Rows of the factor table.
F_PEF, F_PRICE, F_CO2_FLEMISH, F_CO2_COM, F_FIXED_FEE = 0, 1, 2, 3, 4

# Columns of the output table.
OUT_FINAL = 0  # 0..3: final energy per carrier [kWh]
OUT_AUX = 4  # auxiliary electricity (included in final electricity) [kWh]
OUT_PRIMARY = 5  # [kWh]
OUT_SCORE = 6  # [kWh m-2]
OUT_COST = 7  # [EUR]
OUT_CO2_FLEMISH = 8  # [kg CO2]
OUT_CO2_COM = 9  # [kg CO2]
N_OUT = 10


@njit(cache=True)
def _scop_at(temp_degc, scop_t, scop_v, n_points):
    """Seasonal COP at ``temp_degc``: linear between points, constant beyond the ends."""
    if temp_degc <= scop_t[0]:
        return scop_v[0]
    last = n_points - 1
    if temp_degc >= scop_t[last]:
        return scop_v[last]
    for k in range(1, n_points):
        if temp_degc <= scop_t[k]:
            w = (temp_degc - scop_t[k - 1]) / (scop_t[k] - scop_t[k - 1])
            return scop_v[k - 1] + w * (scop_v[k] - scop_v[k - 1])
    return scop_v[last]


@njit(parallel=True, cache=True)
def energy_results_kernel(
    heating_need_kwh,
    dhw_need_kwh,
    floor_area_m2,
    heating_code,
    dhw_code,
    emitter_temperature_degc,
    dhw_solar_frac,
    valid,
    h_carrier,
    h_generation_eff,
    h_chain_eff,
    h_hp_share,
    h_aux_frac,
    scop_t,
    scop_v,
    scop_n,
    d_carrier,
    d_eff,
    factors,
    out,
):
    """Fill ``out`` (n × :data:`N_OUT`) row by row; see the module docstring for the layout."""
    n = heating_need_kwh.shape[0]
    for i in prange(n):
        if not valid[i]:
            for j in range(N_OUT):
                out[i, j] = np.nan
            continue
        s = heating_code[i]
        d = dhw_code[i]
        for j in range(N_OUT):
            out[i, j] = 0.0
        # Space heating: heat the generator must deliver, then split heat pump / fuel part.
        q_gen = heating_need_kwh[i] / h_chain_eff[s]
        share = h_hp_share[s]
        if share > 0.0:
            cop = _scop_at(emitter_temperature_degc[i], scop_t[s], scop_v[s], scop_n[s])
            out[i, OUT_FINAL + ELECTRICITY] += share * q_gen / cop
        if share < 1.0:
            out[i, OUT_FINAL + h_carrier[s]] += (1.0 - share) * q_gen / h_generation_eff[s]
        aux = h_aux_frac[s] * q_gen
        out[i, OUT_AUX] = aux
        out[i, OUT_FINAL + ELECTRICITY] += aux
        # Hot water.
        out[i, OUT_FINAL + d_carrier[d]] += dhw_need_kwh[i] * (1.0 - dhw_solar_frac[i]) / d_eff[d]
        # Per-carrier sums.
        primary = 0.0
        cost = 0.0
        co2_fl = 0.0
        co2_com = 0.0
        for c in range(N_CARRIERS):
            e = out[i, OUT_FINAL + c]
            primary += e * factors[F_PEF, c]
            cost += e * factors[F_PRICE, c]
            if e > 0.0:
                cost += factors[F_FIXED_FEE, c]
            co2_fl += e * factors[F_CO2_FLEMISH, c]
            co2_com += e * factors[F_CO2_COM, c]
        out[i, OUT_PRIMARY] = primary
        out[i, OUT_SCORE] = primary / floor_area_m2[i]
        out[i, OUT_COST] = cost
        out[i, OUT_CO2_FLEMISH] = co2_fl
        out[i, OUT_CO2_COM] = co2_com
