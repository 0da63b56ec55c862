"""Private numba kernel of the whole energy engine: heat balance + hot water + systems, fused.

One pass per block of dwellings: the monthly heat balance of the block
(:func:`wijkreno.simulate._heat_balance_kernels._block`, its annual results kept in a scratch
that stays in L1/L2), then, in the epilogue of the block, per dwelling: the input checks of both
stages, the hot-water need and the systems stage
(:func:`wijkreno.simulate._systems_kernels.dwelling_energy`, whose per-carrier sums are
:func:`~wijkreno.simulate._systems_kernels.carrier_accounts`, shared with the renovation
packages). No (8, n) annual table and no need arrays make a round trip through memory; only the
results are written. The equations are those of the two stage kernels, imported, not copied;
the public wrapper is :func:`wijkreno.simulate.engine.simulate_arrays` and the references are
:func:`wijkreno.simulate.heat_balance.reference_balance` and
:func:`wijkreno.simulate.systems.energy_results_reference` (the tests hold them equal).

Only plain arrays and scalars go in; results are written into preallocated arrays; nothing
raises (``error_model="numpy"``): a row that fails a check gets NaN and a reason code.

Layout
------
``x``, ``coef``, ``dth``, ``tk``, ``isol``   as in ``_heat_balance_kernels``.
``x_lo``, ``x_hi``  (N_FIELDS,) accepted range of each column of ``x`` (the heat balance's
          checks: finite and within the range, as ``_heat_balance_kernels.rows_valid``).
``heating_code``    (n,) int64, position in the heating-system tables (out of range: reason 1).
``dhw_code``        (n,) int64, or (0,) for "every dwelling the default of its heating system";
          -1 also means the default.
``dhw_rate``        (n,) or (1,) float64: DHW need per m2 of heated floor area [kWh m-2] of each
          dwelling, or one for all (the wrapper derives it from the convention).
``emitter_temperature_degc``, ``dhw_solar_frac``  (n,) or (1,) (one value for all).
tables      the arrays of :class:`wijkreno.simulate.systems.SystemTables` (see the systems
          kernel).
``out``     (N_EOUT, n) float64 output, field-major: rows ``E_*``; rows ``E_SYS + OUT_*``
          are the systems kernel's columns.
``valid``   (n,) bool output: both stages computed the row.
``reason``  (n,) int8 output: the systems stage's reason code
          (``wijkreno.simulate.systems.INVALID_REASONS``, 0 = valid); a row the heat balance
          rejects has no need, so reason 3 unless its codes are wrong (1, 2), as when the two
          stages run one after the other.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from wijkreno.simulate._heat_balance_kernels import (
    BLOCK,
    N_FIELDS,
    O_Q_NEED,
    PAD,
    X_FLOOR,
    _block,
)
from wijkreno.simulate._heat_balance_kernels import N_OUT as N_HB_OUT
from wijkreno.simulate._systems_kernels import N_OUT as N_SYS_OUT
from wijkreno.simulate._systems_kernels import (
    OUT_AUX,
    OUT_CO2_COM,
    OUT_CO2_FLEMISH,
    OUT_COST,
    OUT_FINAL,
    OUT_PRIMARY,
    OUT_SCORE,
    dwelling_energy,
    factor_tuple,
    heat_pump_cop,
)

# --- output rows -------------------------------------------------------------------------------
E_HEATING_NEED = 0  # annual space-heating need Q_H,nd [kWh] (NaN where the heat balance rejects)
E_DHW_NEED = 1  # annual hot-water need Q_W,nd [kWh] (idem)
E_SYS = 2  # first row of the systems results: row E_SYS + OUT_* of _systems_kernels
N_EOUT = E_SYS + N_SYS_OUT

# Reason codes (wijkreno.simulate.systems.INVALID_REASONS).
R_HEATING_SYSTEM = 1
R_DHW_SYSTEM = 2
R_HEATING_NEED = 3
R_DHW_NEED = 4
R_FLOOR_AREA = 5
R_EMITTER_TEMPERATURE = 6
R_SOLAR_FRAC = 7


# Rows of the epilogue's scratch ``g`` (one column per dwelling of the block): the dwelling's
# inputs and table entries gathered by the scalar pass, then the results of the vector pass.
S = BLOCK + PAD  # stride of a row of ``g`` (a compile-time constant: LLVM then sees that
# rows do not overlap, so the vector pass needs no run-time alias checks)
G_OK_X = 0  # heat balance's checks passed (1.0 / 0.0)
G_FLOOR = 1
G_RATE = 2  # DHW need per m2 [kWh m-2]
G_CHAIN = 3  # h_chain_eff[s]
G_SHARE = 4  # h_hp_share[s]
G_GEN = 5  # h_generation_eff[s]
G_AUX = 6  # h_aux_frac[s]
G_CARRIER = 7  # h_carrier[s]
G_COP = 8
G_SOLAR = 9
G_D_EFF = 10  # d_eff[d]
G_D_CARRIER = 11  # d_carrier[d]
G_REASON = 12  # 1 or 2 when a code is wrong, else the first data check that fails (6, 7) or 0
G_Q_ND = 13  # heating need of the balance (copy of ann[O_Q_NEED])
G_RESULT = 14  # rows G_RESULT + E_*: the block's results
G_RESULT_REASON = G_RESULT + N_EOUT  # final reason code
N_G = G_RESULT_REASON + 1


@njit(cache=True, error_model="numpy", inline="always")
def _epilogue(
    x, lo, nb, ann, g, x_lo, x_hi, heating_code, dhw_code, dhw_rate,
    emitter_temperature_degc, dhw_solar_frac, cop_uniform, h_carrier, h_generation_eff,
    h_chain_eff, h_hp_share, h_aux_frac, scop_t, scop_v, scop_n, d_carrier, d_eff, factors,
    default_dhw_code, out, valid, reason,
):
    """Checks, hot water and systems of dwellings lo..lo+nb-1, whose balance is in ``ann``.

    1. scalar, per dwelling: the heat balance's input checks (as
       ``_heat_balance_kernels.rows_valid``), the codes resolved and clamped to valid table
       rows, their table entries, the SCOP (from ``cop_uniform``, per heating system, when all
       dwellings share one emitter temperature), all into rows of ``g``;
    2. vector, per dwelling: need checks, reason code and the systems results
       (:func:`~wijkreno.simulate._systems_kernels.dwelling_energy`), branch-free and reading
       and writing only ``g`` and ``ann``, so that LLVM vectorises it across dwellings without
       gathers or alias checks;
    3. the results copied to ``out``, ``valid`` and ``reason``.
    No fastmath: the checks need NaN and inf as they are, and the results stay bit for bit
    those of the systems kernel.
    """
    n_h = h_carrier.shape[0]
    n_d = d_carrier.shape[0]
    per_dwelling_dhw = dhw_code.shape[0] != 0
    per_dwelling_rate = dhw_rate.shape[0] != 1
    per_dwelling_temp = emitter_temperature_degc.shape[0] != 1
    per_dwelling_solar = dhw_solar_frac.shape[0] != 1
    for b in range(nb):
        i = lo + b
        n_bad = 0
        for j in range(N_FIELDS):
            v = x[i, j]
            n_bad += not ((v >= x_lo[j]) & (v <= x_hi[j]) & (abs(v) < np.inf))
        g[G_OK_X * S + b] = 1.0 if n_bad == 0 else 0.0
        g[G_Q_ND * S + b] = ann[O_Q_NEED, b]
        g[G_FLOOR * S + b] = x[i, X_FLOOR]
        g[G_RATE * S + b] = dhw_rate[i] if per_dwelling_rate else dhw_rate[0]
        # systems checks on codes and data (systems._invalid_reason_codes)
        s = heating_code[i]
        bad_h = (s < 0) | (s >= n_h)
        s = 0 if bad_h else s
        d = dhw_code[i] if per_dwelling_dhw else -1
        d = (-1 if bad_h else default_dhw_code[s]) if d == -1 else d
        bad_d = (d < 0) | (d >= n_d)
        d = 0 if bad_d else d
        temp = emitter_temperature_degc[i if per_dwelling_temp else 0]
        solar = dhw_solar_frac[i if per_dwelling_solar else 0]
        r = R_SOLAR_FRAC if not ((solar >= 0.0) & (solar <= 1.0)) else 0
        r = R_EMITTER_TEMPERATURE if (h_hp_share[s] > 0.0) & ~(abs(temp) < np.inf) else r
        r = R_DHW_SYSTEM if bad_d else r
        r = R_HEATING_SYSTEM if bad_h else r
        g[G_REASON * S + b] = r
        g[G_CHAIN * S + b] = h_chain_eff[s]
        g[G_SHARE * S + b] = h_hp_share[s]
        g[G_GEN * S + b] = h_generation_eff[s]
        g[G_AUX * S + b] = h_aux_frac[s]
        g[G_CARRIER * S + b] = h_carrier[s]
        g[G_COP * S + b] = (
            heat_pump_cop(temp, s, h_hp_share, scop_t, scop_v, scop_n) if per_dwelling_temp
            else cop_uniform[s]
        )
        g[G_SOLAR * S + b] = solar
        g[G_D_EFF * S + b] = d_eff[d]
        g[G_D_CARRIER * S + b] = d_carrier[d]
    f = factor_tuple(factors)
    for b in range(nb):
        ok_x = g[G_OK_X * S + b] != 0.0
        floor = g[G_FLOOR * S + b]
        q_nd = g[G_Q_ND * S + b] if ok_x else np.nan
        q_dhw = g[G_RATE * S + b] * floor if ok_x else np.nan
        g[(G_RESULT + E_HEATING_NEED) * S + b] = q_nd
        g[(G_RESULT + E_DHW_NEED) * S + b] = q_dhw
        # the need checks rank between the code checks (1, 2) and the data checks (6, 7)
        r = g[G_REASON * S + b]
        code_bad = (r == R_HEATING_SYSTEM) | (r == R_DHW_SYSTEM)
        r_need = R_FLOOR_AREA if not ((abs(floor) < np.inf) & (floor > 0.0)) else r
        r_need = R_DHW_NEED if not ((abs(q_dhw) < np.inf) & (q_dhw >= 0.0)) else r_need
        r_need = R_HEATING_NEED if not ((abs(q_nd) < np.inf) & (q_nd >= 0.0)) else r_need
        r = r if code_bad else r_need
        g[G_RESULT_REASON * S + b] = r
        ok = r == 0.0
        f0, f1, f2, f3, aux, primary, score, cost, co2_fl, co2_com = dwelling_energy(
            q_nd, q_dhw, floor, g[G_CHAIN * S + b], g[G_SHARE * S + b], g[G_GEN * S + b],
            g[G_AUX * S + b], g[G_CARRIER * S + b], g[G_COP * S + b], g[G_SOLAR * S + b],
            g[G_D_EFF * S + b], g[G_D_CARRIER * S + b], f,
        )
        g[(G_RESULT + E_SYS + OUT_FINAL) * S + b] = f0 if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_FINAL + 1) * S + b] = f1 if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_FINAL + 2) * S + b] = f2 if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_FINAL + 3) * S + b] = f3 if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_AUX) * S + b] = aux if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_PRIMARY) * S + b] = primary if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_SCORE) * S + b] = score if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_COST) * S + b] = cost if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_CO2_FLEMISH) * S + b] = co2_fl if ok else np.nan
        g[(G_RESULT + E_SYS + OUT_CO2_COM) * S + b] = co2_com if ok else np.nan
    for k in range(N_EOUT):
        for b in range(nb):
            out[k, lo + b] = g[(G_RESULT + k) * S + b]
    for b in range(nb):
        r = g[G_RESULT_REASON * S + b]
        reason[lo + b] = np.int8(r)
        valid[lo + b] = r == 0.0


@njit(cache=True, error_model="numpy")
def _engine_blocks(
    first, last, x, coef, dth, tk, isol, x_lo, x_hi, heating_code, dhw_code,
    dhw_rate, emitter_temperature_degc, dhw_solar_frac, h_carrier, h_generation_eff,
    h_chain_eff, h_hp_share, h_aux_frac, scop_t, scop_v, scop_n, d_carrier, d_eff, factors,
    default_dhw_code, out, valid, reason,
):
    """Blocks first..last-1: balance of the block, then its epilogue; scratch allocated once."""
    n = x.shape[0]
    n_w = 10 + dth.shape[0]
    scratch = np.empty((n_w + N_HB_OUT, BLOCK + PAD), dtype=np.float64)
    w = scratch[:n_w]
    ann = scratch[n_w:]
    no_monthly = np.empty((0, dth.shape[0]), dtype=np.float64)
    g = np.empty(N_G * S, dtype=np.float64)
    cop_uniform = np.empty(h_carrier.shape[0], dtype=np.float64)  # per system, one temperature
    for s in range(h_carrier.shape[0]):
        cop_uniform[s] = heat_pump_cop(emitter_temperature_degc[0], s, h_hp_share, scop_t,
                                       scop_v, scop_n)
    for k in range(first, last):
        lo = k * BLOCK
        hi = min(n, lo + BLOCK)
        # the block's rows as their own matrix, so _block writes its annual results into the
        # scratch (column b = row lo + b) instead of an (8, n) table
        _block(x[lo:hi], 0, hi - lo, coef, dth, tk, isol, no_monthly, ann, False, w)
        _epilogue(
            x, lo, hi - lo, ann, g, x_lo, x_hi, heating_code, dhw_code,
            dhw_rate, emitter_temperature_degc, dhw_solar_frac, cop_uniform, h_carrier,
            h_generation_eff, h_chain_eff, h_hp_share, h_aux_frac, scop_t, scop_v, scop_n,
            d_carrier, d_eff, factors, default_dhw_code, out, valid, reason,
        )


@njit(parallel=True, cache=True, error_model="numpy")
def engine_parallel(
    x, coef, dth, tk, isol, x_lo, x_hi, heating_code, dhw_code, dhw_rate,
    emitter_temperature_degc, dhw_solar_frac, h_carrier, h_generation_eff, h_chain_eff,
    h_hp_share, h_aux_frac, scop_t, scop_v, scop_n, d_carrier, d_eff, factors,
    default_dhw_code, out, valid, reason, n_runs,
):
    """Full evaluation of every row of ``x``, threads over ``n_runs`` runs of blocks.

    As ``_heat_balance_kernels.balance_parallel``: several runs per thread, so a thread slowed
    by other load does not hold up the rest for long; each run allocates its scratch once.
    """
    n_blocks = (x.shape[0] + BLOCK - 1) // BLOCK
    n_runs = max(1, min(n_blocks, n_runs))
    for r in prange(n_runs):
        _engine_blocks(
            r * n_blocks // n_runs, (r + 1) * n_blocks // n_runs, x, coef, dth, tk, isol, x_lo,
            x_hi, heating_code, dhw_code, dhw_rate, emitter_temperature_degc,
            dhw_solar_frac, h_carrier, h_generation_eff, h_chain_eff, h_hp_share, h_aux_frac,
            scop_t, scop_v, scop_n, d_carrier, d_eff, factors, default_dhw_code, out, valid,
            reason,
        )


@njit(cache=True, error_model="numpy")
def engine_serial(
    x, coef, dth, tk, isol, x_lo, x_hi, heating_code, dhw_code, dhw_rate,
    emitter_temperature_degc, dhw_solar_frac, h_carrier, h_generation_eff, h_chain_eff,
    h_hp_share, h_aux_frac, scop_t, scop_v, scop_n, d_carrier, d_eff, factors,
    default_dhw_code, out, valid, reason,
):
    """As :func:`engine_parallel` on the calling thread."""
    _engine_blocks(
        0, (x.shape[0] + BLOCK - 1) // BLOCK, x, coef, dth, tk, isol, x_lo, x_hi, heating_code,
        dhw_code, dhw_rate, emitter_temperature_degc, dhw_solar_frac, h_carrier,
        h_generation_eff, h_chain_eff, h_hp_share, h_aux_frac, scop_t, scop_v, scop_n,
        d_carrier, d_eff, factors, default_dhw_code, out, valid, reason,
    )
