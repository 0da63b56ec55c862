"""Private numba kernels of the hourly 5R1C engine (EN ISO 13790:2008 Annex C).

Only plain arrays and scalars go in; outputs are written into preallocated arrays; nothing
raises. The public wrapper is :func:`wijkreno.simulate.hourly.simulate_hourly`; the readable
NumPy version, which applies equations (C.1)-(C.11) and the 10 W/m2 probe of section C.4.2
literally each hour, is :func:`wijkreno.simulate.hourly.simulate_hourly_reference`; the tests
hold the two equal.

Why the kernel is short: the network of Annex C is linear in its inputs. One hour maps the
previous mass temperature theta_m,t-1, the outdoor temperature theta_e (= supply temperature
theta_sup), the solar gains, the internal gains and the heating/cooling power Phi_HC,nd to the
new mass temperature theta_m,t (eq. C.4) and the air temperature theta_air (eq. C.11) by
coefficients that depend only on the dwelling's conductances and capacity. The wrapper
derives those coefficients once per dwelling by evaluating (C.1)-(C.11) on unit inputs
(``hourly.step_coefficients``); the hour loop then costs two dot products of length 5. The
ideal-heater procedure of section C.4.2 is exact for a linear network: its 10 W/m2 probe
measures the slope d theta_air / d Phi_HC,nd, which is the coefficient ``K_TA_HC`` here.

Layout
------
``coef``   (N_COEF, n) float64, rows ``K_*``: dwelling-major per coefficient, so that the
           innermost loop over a block of dwellings reads contiguous memory and vectorises.
``irr``    (N_SOLAR, n_h) irradiance on the engine's solar classes [W m-2] (shared).
``temp_e`` (n_h,) outdoor air temperature [degC].
``phi_int`` (n_h,) internal gains per floor area [W m-2].
``set_h``, ``set_c`` (n_h,) heating and cooling set-points of the air temperature [degC]
           (``-BIG`` / ``+BIG`` where the system is off: free floating).
``sky_dt`` (n_h,) difference between the outdoor air and the apparent sky temperature
           Delta theta_er [K] of the hour (eq. 46; constant 11 K or from the weather file).
``annual`` (N_OUT, n) output, rows ``O_*``.
``heat_w``, ``cool_w``, ``temp_air`` (n, n_h) Fortran-ordered outputs of the hourly kernel
           (``hour_major`` layout: element [i, h] at i + h*n, contiguous over dwellings).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# --- rows of coef --------------------------------------------------------------------------------
K_AP = 0  # 0..8: solar aperture per engine class A_sol [m2] (windows and opaque, eq. 43-45)
N_SOLAR = 9  # glazing-transmitted N, E, S, W; vertical N, E, S, W; horizontal
K_PHI_R = 9  # Phi_r / Delta theta_er = sum F_r R_se U A h_r [W/K] (eq. 46), times sky_dt[t]
K_TM_PREV = 10  # d theta_m,t / d theta_m,t-1 [-]
K_TM_E = 11  # d theta_m,t / d theta_e [-]
K_TM_INT = 12  # d theta_m,t / d phi_int [K per W m-2]
K_TM_SOL = 13  # d theta_m,t / d Phi_sol [K/W]
K_TM_HC = 14  # d theta_m,t / d Phi_HC [K/W]
K_TA_PREV = 15  # the same for theta_air
K_TA_E = 16
K_TA_INT = 17
K_TA_SOL = 18
K_TA_HC = 19
K_TA_HC_INV = 20  # 1 / (d theta_air / d Phi_HC) [W/K]
N_COEF = 21

# --- rows of annual ------------------------------------------------------------------------------
O_HEAT_WH = 0  # sum of heating power over the hours [Wh]
O_COOL_WH = 1  # sum of cooling power (positive) [Wh]
O_PEAK_HEAT_W = 2
O_PEAK_HEAT_H = 3  # hour index of the peak (as float; -1 when no heating)
O_PEAK_COOL_W = 4
O_PEAK_COOL_H = 5
O_TMIN = 6  # air temperature statistics [degC]
O_TMAX = 7
O_TSUM = 8  # sum of hourly air temperatures [degC h]
N_OUT = 9

BIG = 1.0e30
"""Set-point value meaning 'no heating' (-BIG) or 'no cooling' (+BIG)."""

BLOCK = 64
"""Dwellings per block: the hour loop runs outside the loop over a block's dwellings."""


# --- rows of the per-block state ----------------------------------------------------------------
S_TM = 0  # theta_m,t of the last hour [degC]
S_HEAT = 1  # running sums and extremes, as O_*
S_COOL = 2
S_PK_H = 3
S_PK_HH = 4
S_PK_C = 5
S_PK_CH = 6
S_TMIN = 7
S_TMAX = 8
S_TSUM = 9
S_PHI = 10  # Phi_HC of the last hour [W]
S_TA = 11  # theta_air of the last hour [degC]
N_STATE = 12


_FM = {"contract"}  # allow fused multiply-add; nothing else of fastmath


@njit(cache=True, fastmath=_FM)
def _free(c, j, tm_prev, i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint, der):
    """theta_m,t and theta_air of dwelling j with Phi_HC = 0 (eq. C.4-C.11 as coefficients)."""
    b = BLOCK
    # section 11.3.2: Phi_sol = sum_k A_sol,k I_k - Phi_r
    sol = (c[K_AP * b + j] * i0 + c[(K_AP + 1) * b + j] * i1 + c[(K_AP + 2) * b + j] * i2
           + c[(K_AP + 3) * b + j] * i3 + c[(K_AP + 4) * b + j] * i4 + c[(K_AP + 5) * b + j] * i5
           + c[(K_AP + 6) * b + j] * i6 + c[(K_AP + 7) * b + j] * i7 + c[(K_AP + 8) * b + j] * i8
           - c[K_PHI_R * b + j] * der)
    tm0 = (c[K_TM_PREV * b + j] * tm_prev + c[K_TM_E * b + j] * te
           + c[K_TM_INT * b + j] * pint + c[K_TM_SOL * b + j] * sol)
    ta0 = (c[K_TA_PREV * b + j] * tm_prev + c[K_TA_E * b + j] * te
           + c[K_TA_INT * b + j] * pint + c[K_TA_SOL * b + j] * sol)
    return tm0, ta0


@njit(cache=True, fastmath=_FM)
def _need(c, j, ta0, th, tc):
    """Section C.4.2: the power that brings theta_air to the violated set-point, else 0 [W]."""
    return (max(th - ta0, 0.0) + min(tc - ta0, 0.0)) * c[K_TA_HC_INV * BLOCK + j]


@njit(cache=True, fastmath=_FM)
def _hour_warm(c, st, m, i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint, der, th, tc):
    """One warm-up hour for the m dwellings of a block: the mass temperature only."""
    b = BLOCK
    for j in range(m):
        tm0, ta0 = _free(c, j, st[S_TM * b + j], i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint,
                         der)
        st[S_TM * b + j] = tm0 + c[K_TM_HC * b + j] * _need(c, j, ta0, th, tc)


@njit(cache=True, fastmath=_FM)
def _hour(c, st, m, i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint, der, th, tc, tf):
    """One recorded hour for the m dwellings of a block (c: N_COEF rows of BLOCK, st: N_STATE
    rows of BLOCK). Two flat arrays with constant row distances and no conditional stores,
    so that LLVM vectorises the loop across dwellings."""
    b = BLOCK
    for j in range(m):
        tm0, ta0 = _free(c, j, st[S_TM * b + j], i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint,
                         der)
        phi = _need(c, j, ta0, th, tc)
        st[S_TM * b + j] = tm0 + c[K_TM_HC * b + j] * phi
        ta = ta0 + c[K_TA_HC * b + j] * phi  # eq. (C.11) with Phi_HC
        ph = max(phi, 0.0)
        pc = max(-phi, 0.0)
        st[S_HEAT * b + j] += ph
        st[S_COOL * b + j] += pc
        # peaks: no conditional store (the hour is blended), so the loop vectorises
        old = st[S_PK_H * b + j]
        up = 1.0 if ph > old else 0.0
        st[S_PK_H * b + j] = max(ph, old)
        st[S_PK_HH * b + j] += up * (tf - st[S_PK_HH * b + j])
        old = st[S_PK_C * b + j]
        up = 1.0 if pc > old else 0.0
        st[S_PK_C * b + j] = max(pc, old)
        st[S_PK_CH * b + j] += up * (tf - st[S_PK_CH * b + j])
        st[S_TMIN * b + j] = min(ta, st[S_TMIN * b + j])
        st[S_TMAX * b + j] = max(ta, st[S_TMAX * b + j])
        st[S_TSUM * b + j] += ta


@njit(cache=True, fastmath=_FM)
def _hour_heat(c, st, m, i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint, der, th, tc, tf):
    """As :func:`_hour` when no hour has a cooling set-point (``tc`` = +BIG): the cooling sum
    and peak stay 0 and are not tracked (a fifth fewer operations)."""
    b = BLOCK
    for j in range(m):
        tm0, ta0 = _free(c, j, st[S_TM * b + j], i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint,
                         der)
        phi = max(th - ta0, 0.0) * c[K_TA_HC_INV * b + j]
        st[S_TM * b + j] = tm0 + c[K_TM_HC * b + j] * phi
        ta = ta0 + c[K_TA_HC * b + j] * phi
        st[S_HEAT * b + j] += phi
        old = st[S_PK_H * b + j]
        up = 1.0 if phi > old else 0.0
        st[S_PK_H * b + j] = max(phi, old)
        st[S_PK_HH * b + j] += up * (tf - st[S_PK_HH * b + j])
        st[S_TMIN * b + j] = min(ta, st[S_TMIN * b + j])
        st[S_TMAX * b + j] = max(ta, st[S_TMAX * b + j])
        st[S_TSUM * b + j] += ta


@njit(cache=True, fastmath=_FM)
def _hour_out(c, st, m, i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint, der, th, tc, tf):
    """As :func:`_hour`, keeping Phi_HC and theta_air of the hour in ``st`` for the output.

    The body repeats :func:`_hour` on purpose: sharing it through an inlined per-dwelling helper
    was measured 15-30 % slower (with cooling 0.41 vs 0.48 G dwelling-hours/s, hourly output
    52 vs 72 M/s; bench_hourly.py --n 200000 --repeat 2 on the quiet 2-core machine)."""
    b = BLOCK
    for j in range(m):
        tm0, ta0 = _free(c, j, st[S_TM * b + j], i0, i1, i2, i3, i4, i5, i6, i7, i8, te, pint,
                         der)
        phi = _need(c, j, ta0, th, tc)
        st[S_TM * b + j] = tm0 + c[K_TM_HC * b + j] * phi
        ta = ta0 + c[K_TA_HC * b + j] * phi  # eq. (C.11) with Phi_HC
        ph = max(phi, 0.0)
        pc = max(-phi, 0.0)
        st[S_HEAT * b + j] += ph
        st[S_COOL * b + j] += pc
        # peaks: no conditional store (the hour is blended), so the loop vectorises
        old = st[S_PK_H * b + j]
        up = 1.0 if ph > old else 0.0
        st[S_PK_H * b + j] = max(ph, old)
        st[S_PK_HH * b + j] += up * (tf - st[S_PK_HH * b + j])
        old = st[S_PK_C * b + j]
        up = 1.0 if pc > old else 0.0
        st[S_PK_C * b + j] = max(pc, old)
        st[S_PK_CH * b + j] += up * (tf - st[S_PK_CH * b + j])
        st[S_TMIN * b + j] = min(ta, st[S_TMIN * b + j])
        st[S_TMAX * b + j] = max(ta, st[S_TMAX * b + j])
        st[S_TSUM * b + j] += ta
        st[S_PHI * b + j] = phi
        st[S_TA * b + j] = ta


@njit(cache=True)
def _block(coef, irr, temp_e, phi_int, set_h, set_c, sky_dt, theta_m0, warmup, i0, i1,
           annual, heat_w, cool_w, temp_air, write):
    n_h = temp_e.shape[0]
    cooling = False
    for t in range(n_h):
        cooling = cooling or set_c[t] < BIG
    m = i1 - i0
    # flat scratch with a compile-time row length: the rows' distance (BLOCK) is a constant,
    # so LLVM proves that they do not overlap and vectorises without run-time alias checks
    c = np.zeros(N_COEF * BLOCK)
    for k in range(N_COEF):
        for j in range(m):
            c[k * BLOCK + j] = coef[k, i0 + j]
    st = np.zeros(N_STATE * BLOCK)
    for j in range(m):
        st[S_TM * BLOCK + j] = theta_m0
        st[S_PK_HH * BLOCK + j] = -1.0
        st[S_PK_CH * BLOCK + j] = -1.0
        st[S_TMIN * BLOCK + j] = np.inf
        st[S_TMAX * BLOCK + j] = -np.inf
    # warm-up over the last `warmup` hours of the year, nothing recorded
    for t in range(n_h - warmup, n_h):
        _hour_warm(c, st, m, irr[0, t], irr[1, t], irr[2, t], irr[3, t], irr[4, t], irr[5, t],
                   irr[6, t], irr[7, t], irr[8, t], temp_e[t], phi_int[t], sky_dt[t], set_h[t],
                   set_c[t])
    for t in range(n_h):
        if not write and not cooling:
            _hour_heat(c, st, m, irr[0, t], irr[1, t], irr[2, t], irr[3, t], irr[4, t],
                       irr[5, t], irr[6, t], irr[7, t], irr[8, t], temp_e[t], phi_int[t],
                       sky_dt[t], set_h[t], set_c[t], float(t))
        elif not write:
            _hour(c, st, m, irr[0, t], irr[1, t], irr[2, t], irr[3, t], irr[4, t], irr[5, t],
                  irr[6, t], irr[7, t], irr[8, t], temp_e[t], phi_int[t], sky_dt[t], set_h[t],
                  set_c[t], float(t))
        else:
            _hour_out(c, st, m, irr[0, t], irr[1, t], irr[2, t], irr[3, t], irr[4, t],
                      irr[5, t], irr[6, t], irr[7, t], irr[8, t], temp_e[t], phi_int[t],
                      sky_dt[t], set_h[t], set_c[t], float(t))
            for j in range(m):
                phi = st[S_PHI * BLOCK + j]
                heat_w[i0 + j, t] = phi if phi > 0.0 else 0.0
                cool_w[i0 + j, t] = -phi if phi < 0.0 else 0.0
                temp_air[i0 + j, t] = st[S_TA * BLOCK + j]
    for j in range(m):
        i = i0 + j
        annual[O_HEAT_WH, i] = st[S_HEAT * BLOCK + j]
        annual[O_COOL_WH, i] = st[S_COOL * BLOCK + j]
        annual[O_PEAK_HEAT_W, i] = st[S_PK_H * BLOCK + j]
        annual[O_PEAK_HEAT_H, i] = st[S_PK_HH * BLOCK + j]
        annual[O_PEAK_COOL_W, i] = st[S_PK_C * BLOCK + j]
        annual[O_PEAK_COOL_H, i] = st[S_PK_CH * BLOCK + j]
        annual[O_TMIN, i] = st[S_TMIN * BLOCK + j]
        annual[O_TMAX, i] = st[S_TMAX * BLOCK + j]
        annual[O_TSUM, i] = st[S_TSUM * BLOCK + j]


@njit(cache=True, parallel=True)
def run_parallel(coef, irr, temp_e, phi_int, set_h, set_c, sky_dt, theta_m0, warmup, annual,
                 heat_w, cool_w, temp_air, write):
    """All dwellings, blocks of :data:`BLOCK` spread over the numba threads."""
    n = coef.shape[1]
    nb = (n + BLOCK - 1) // BLOCK
    for b in prange(nb):
        i0 = b * BLOCK
        i1 = min(n, i0 + BLOCK)
        _block(coef, irr, temp_e, phi_int, set_h, set_c, sky_dt, theta_m0, warmup, i0, i1,
               annual, heat_w, cool_w, temp_air, write)


@njit(cache=True)
def run_serial(coef, irr, temp_e, phi_int, set_h, set_c, sky_dt, theta_m0, warmup, annual,
               heat_w, cool_w, temp_air, write):
    """As :func:`run_parallel` on one thread."""
    n = coef.shape[1]
    nb = (n + BLOCK - 1) // BLOCK
    for b in range(nb):
        i0 = b * BLOCK
        i1 = min(n, i0 + BLOCK)
        _block(coef, irr, temp_e, phi_int, set_h, set_c, sky_dt, theta_m0, warmup, i0, i1,
               annual, heat_w, cool_w, temp_air, write)
