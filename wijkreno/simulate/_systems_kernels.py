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


@njit(cache=True, inline="always")
def _scop_at(temp_degc, scop_t, scop_v, row, n_points):
    """Seasonal COP of system ``row`` at ``temp_degc``: linear between points, constant beyond
    the ends (the row is indexed, not sliced: a slice would touch the tables' reference count
    once per dwelling, an atomic shared by all threads)."""
    if temp_degc <= scop_t[row, 0]:
        return scop_v[row, 0]
    last = n_points - 1
    if temp_degc >= scop_t[row, last]:
        return scop_v[row, last]
    for k in range(1, n_points):
        if temp_degc <= scop_t[row, k]:
            w = (temp_degc - scop_t[row, k - 1]) / (scop_t[row, k] - scop_t[row, k - 1])
            return scop_v[row, k - 1] + w * (scop_v[row, k] - scop_v[row, k - 1])
    return scop_v[row, last]


@njit(cache=True, error_model="numpy", inline="always")
def heat_pump_cop(emitter_temperature_degc, s, h_hp_share, scop_t, scop_v, scop_n):
    """SCOP of heating system ``s`` at the emitter temperature; 1 for a system without heat
    pump (its SCOP is never used)."""
    if h_hp_share[s] > 0.0:
        return _scop_at(emitter_temperature_degc, scop_t, scop_v, s, scop_n[s])
    return 1.0


@njit(cache=True)
def factor_tuple(factors):
    """The factor table as a tuple of rows (``F_*``) of per-carrier tuples: plain values that
    a kernel holds in registers (an array would be re-read after every store it might alias)."""
    return (
        (factors[0, 0], factors[0, 1], factors[0, 2], factors[0, 3]),
        (factors[1, 0], factors[1, 1], factors[1, 2], factors[1, 3]),
        (factors[2, 0], factors[2, 1], factors[2, 2], factors[2, 3]),
        (factors[3, 0], factors[3, 1], factors[3, 2], factors[3, 3]),
        (factors[4, 0], factors[4, 1], factors[4, 2], factors[4, 3]),
    )


@njit(cache=True, error_model="numpy", inline="always")
def carrier_accounts(f0, f1, f2, f3, pef, price, fee, co2_flemish, co2_com):
    """The per-carrier accounting of one state, the only copy in wijkreno.

    ``f0`` .. ``f3`` are the final energy of gas, oil, electricity and wood [kWh]; ``pef``,
    ``price``, ``fee``, ``co2_flemish`` and ``co2_com`` are the rows ``F_*`` of the factor
    table (four per-carrier values each, as a tuple or an array row): primary energy factor
    [kWh/kWh], price [EUR/kWh], fixed fee per year of a carrier in use [EUR], CO2 factors
    [kg/kWh]. Returns ``(primary [kWh], variable cost [EUR], fixed fees [EUR], CO2 Flemish
    [kg], CO2 CoM [kg])``; a carrier's fee counts when its final energy is above 0. The sums
    run in carrier order. Used by the systems stage (:func:`dwelling_energy`) and by the
    package kernels of ``wijkreno.renovate`` (through :mod:`wijkreno.simulate.kernels`), which
    add calibration and PV to the same sums.
    """
    primary = 0.0
    variable = 0.0
    fixed = 0.0
    co2_fl = 0.0
    co2_cm = 0.0
    for c in range(N_CARRIERS):
        e = f0 if c == 0 else (f1 if c == 1 else (f2 if c == 2 else f3))
        primary += e * pef[c]
        variable += e * price[c]
        fixed += fee[c] if e > 0.0 else 0.0
        co2_fl += e * co2_flemish[c]
        co2_cm += e * co2_com[c]
    return primary, variable, fixed, co2_fl, co2_cm


@njit(cache=True, error_model="numpy", inline="always")
def dwelling_energy(
    q_nd,
    q_dhw,
    floor_area_m2,
    chain_eff,
    hp_share,
    generation_eff,
    aux_frac,
    carrier,
    cop,
    solar_frac,
    dhw_eff,
    dhw_carrier,
    factors,
):
    """Systems stage of one valid dwelling: the :data:`N_OUT` results as a tuple.

    Takes the dwelling's table entries, not the tables: ``chain_eff``, ``hp_share``,
    ``generation_eff``, ``aux_frac``, ``carrier`` of its heating system (``h_*[s]``), ``cop``
    from :func:`heat_pump_cop`, ``dhw_eff``, ``dhw_carrier`` of its DHW system (``d_*[d]``)
    and ``factors`` from :func:`factor_tuple`. Shared by :func:`energy_results_kernel` and the
    fused engine kernel (``wijkreno.simulate._engine_kernels``). Order of the tuple: final
    gas, oil, electricity, wood, auxiliary electricity, primary, score, cost, CO2 Flemish,
    CO2 CoM (the ``OUT_*`` columns). Branch-free (selects; adding 0.0 changes nothing), so
    that a loop over dwellings that inlines it vectorises; the sums run in the order heat
    pump, fuel, auxiliaries, hot water.
    """
    # Space heating: heat the generator must deliver, then split heat pump / fuel part.
    q_gen = q_nd / chain_eff
    share = hp_share
    hp_el = share * q_gen / cop if share > 0.0 else 0.0
    fuel = (1.0 - share) * q_gen / generation_eff if share < 1.0 else 0.0
    aux = aux_frac * q_gen
    # Hot water.
    dhw_e = q_dhw * (1.0 - solar_frac) / dhw_eff
    hc = carrier
    dc = dhw_carrier
    f0 = 0.0
    f1 = 0.0
    f2 = hp_el
    f3 = 0.0
    f0 += fuel if hc == 0 else 0.0
    f1 += fuel if hc == 1 else 0.0
    f2 += fuel if hc == 2 else 0.0
    f3 += fuel if hc == 3 else 0.0
    f2 += aux
    f0 += dhw_e if dc == 0 else 0.0
    f1 += dhw_e if dc == 1 else 0.0
    f2 += dhw_e if dc == 2 else 0.0
    f3 += dhw_e if dc == 3 else 0.0
    primary, variable, fixed, co2_fl, co2_com = carrier_accounts(
        f0, f1, f2, f3, factors[F_PEF], factors[F_PRICE], factors[F_FIXED_FEE],
        factors[F_CO2_FLEMISH], factors[F_CO2_COM],
    )
    cost = variable + fixed
    return (f0, f1, f2, f3, aux, primary, primary / floor_area_m2, cost, co2_fl, co2_com)


@njit(cache=True, error_model="numpy")
def _fill_row(
    i, heating_need_kwh, dhw_need_kwh, floor_area_m2, heating_code, dhw_code,
    emitter_temperature_degc, dhw_solar_frac, valid, h_carrier, h_generation_eff, h_chain_eff,
    h_hp_share, h_aux_frac, scop_t, scop_v, scop_n, d_carrier, d_eff, factors, out,
):
    """Row ``i`` of :func:`energy_results_kernel` (a function of its own: parfors cannot take
    the factor tuple into the parallel loop's body)."""
    if not valid[i]:
        for j in range(N_OUT):
            out[i, j] = np.nan
        return
    s = heating_code[i]
    d = dhw_code[i]
    cop = heat_pump_cop(emitter_temperature_degc[i], s, h_hp_share, scop_t, scop_v, scop_n)
    r = dwelling_energy(
        heating_need_kwh[i], dhw_need_kwh[i], floor_area_m2[i], h_chain_eff[s], h_hp_share[s],
        h_generation_eff[s], h_aux_frac[s], h_carrier[s], cop, dhw_solar_frac[i], d_eff[d],
        d_carrier[d], factor_tuple(factors),
    )
    for j in range(N_OUT):
        out[i, j] = r[j]


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
    for i in prange(heating_need_kwh.shape[0]):
        _fill_row(
            i, heating_need_kwh, dhw_need_kwh, floor_area_m2, heating_code, dhw_code,
            emitter_temperature_degc, dhw_solar_frac, valid, h_carrier, h_generation_eff,
            h_chain_eff, h_hp_share, h_aux_frac, scop_t, scop_v, scop_n, d_carrier, d_eff,
            factors, out,
        )
