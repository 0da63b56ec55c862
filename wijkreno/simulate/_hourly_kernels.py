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
``annual`` (N_OUT, n) output, rows ``O_*``.
``heat_w``, ``cool_w``, ``temp_air`` (n, n_h) Fortran-ordered outputs of the hourly kernel
           (``hour_major`` layout: element [i, h] at i + h*n, contiguous over dwellings).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# --- rows of coef --------------------------------------------------------------------------------
K_TM_PREV = 0  # d theta_m,t / d theta_m,t-1 [-]
K_TM_E = 1  # d theta_m,t / d theta_e [-]
K_TM_INT = 2  # d theta_m,t / d phi_int [K per W m-2]
K_TM_0 = 3  # constant part of theta_m,t (sky radiation) [K]
K_TM_HC = 4  # d theta_m,t / d Phi_HC [K/W]
K_TA_PREV = 5  # d theta_air / d theta_m,t-1 [-]
K_TA_E = 6
K_TA_INT = 7
K_TA_0 = 8
K_TA_HC_INV = 9  # 1 / (d theta_air / d Phi_HC) [W/K]
K_TA_HC = 10  # d theta_air / d Phi_HC [K/W]
K_AP = 11  # 11..15: solar aperture per class times d theta / d Phi_sol, for theta_m,t
K_AQ = 16  # 16..20: the same for theta_air
N_SOLAR = 5  # vertical N, E, S, W, horizontal
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

BLOCK = 256
"""Dwellings per block: the hour loop runs outside the loop over a block's dwellings."""


@njit(cache=True, inline="always")
def _hour(c, i, tm_prev, te, pint, s_m, s_a, th, tc):
    """One hour of one dwelling; returns (Phi_HC [W], theta_m,t, theta_air)."""
    tm0 = (c[K_TM_0, i] + c[K_TM_PREV, i] * tm_prev + c[K_TM_E, i] * te
           + c[K_TM_INT, i] * pint + s_m)
    ta0 = (c[K_TA_0, i] + c[K_TA_PREV, i] * tm_prev + c[K_TA_E, i] * te
           + c[K_TA_INT, i] * pint + s_a)
    # C.4.2 ideal heater: the power that brings theta_air to the violated set-point, else 0
    dh = th - ta0
    dc = tc - ta0
    q = (dh if dh > 0.0 else 0.0) + (dc if dc < 0.0 else 0.0)
    phi = q * c[K_TA_HC_INV, i]
    return phi, tm0 + c[K_TM_HC, i] * phi, ta0 + c[K_TA_HC, i] * phi


@njit(cache=True, inline="always")
def _solar(c, i, irr, h):
    s_m = (c[K_AP, i] * irr[0, h] + c[K_AP + 1, i] * irr[1, h] + c[K_AP + 2, i] * irr[2, h]
           + c[K_AP + 3, i] * irr[3, h] + c[K_AP + 4, i] * irr[4, h])
    s_a = (c[K_AQ, i] * irr[0, h] + c[K_AQ + 1, i] * irr[1, h] + c[K_AQ + 2, i] * irr[2, h]
           + c[K_AQ + 3, i] * irr[3, h] + c[K_AQ + 4, i] * irr[4, h])
    return s_m, s_a


@njit(cache=True)
def _block(coef, irr, temp_e, phi_int, set_h, set_c, theta_m0, warmup, i0, i1, annual,
           heat_w, cool_w, temp_air, write):
    n_h = temp_e.shape[0]
    m = i1 - i0
    tm = np.empty(m)
    heat = np.zeros(m)
    cool = np.zeros(m)
    pk_h = np.zeros(m)
    pk_hh = np.full(m, -1.0)
    pk_c = np.zeros(m)
    pk_ch = np.full(m, -1.0)
    tmin = np.full(m, np.inf)
    tmax = np.full(m, -np.inf)
    tsum = np.zeros(m)
    for j in range(m):
        tm[j] = theta_m0
    # warm-up over the last `warmup` hours of the year, nothing recorded
    for t in range(n_h - warmup, n_h):
        te, pint, th, tc = temp_e[t], phi_int[t], set_h[t], set_c[t]
        for j in range(m):
            i = i0 + j
            s_m, s_a = _solar(coef, i, irr, t)
            _, tm[j], _ = _hour(coef, i, tm[j], te, pint, s_m, s_a, th, tc)
    for t in range(n_h):
        te, pint, th, tc = temp_e[t], phi_int[t], set_h[t], set_c[t]
        tf = float(t)
        for j in range(m):
            i = i0 + j
            s_m, s_a = _solar(coef, i, irr, t)
            phi, tm[j], ta = _hour(coef, i, tm[j], te, pint, s_m, s_a, th, tc)
            ph = phi if phi > 0.0 else 0.0
            pc = -phi if phi < 0.0 else 0.0
            heat[j] += ph
            cool[j] += pc
            up = ph > pk_h[j]
            pk_hh[j] = tf if up else pk_hh[j]
            pk_h[j] = ph if up else pk_h[j]
            upc = pc > pk_c[j]
            pk_ch[j] = tf if upc else pk_ch[j]
            pk_c[j] = pc if upc else pk_c[j]
            tmin[j] = ta if ta < tmin[j] else tmin[j]
            tmax[j] = ta if ta > tmax[j] else tmax[j]
            tsum[j] += ta
            if write:
                heat_w[i, t] = ph
                cool_w[i, t] = pc
                temp_air[i, t] = ta
    for j in range(m):
        i = i0 + j
        annual[O_HEAT_WH, i] = heat[j]
        annual[O_COOL_WH, i] = cool[j]
        annual[O_PEAK_HEAT_W, i] = pk_h[j]
        annual[O_PEAK_HEAT_H, i] = pk_hh[j]
        annual[O_PEAK_COOL_W, i] = pk_c[j]
        annual[O_PEAK_COOL_H, i] = pk_ch[j]
        annual[O_TMIN, i] = tmin[j]
        annual[O_TMAX, i] = tmax[j]
        annual[O_TSUM, i] = tsum[j]


@njit(cache=True, parallel=True)
def run_parallel(coef, irr, temp_e, phi_int, set_h, set_c, theta_m0, warmup, annual,
                 heat_w, cool_w, temp_air, write):
    """All dwellings, blocks of :data:`BLOCK` spread over the numba threads."""
    n = coef.shape[1]
    nb = (n + BLOCK - 1) // BLOCK
    for b in prange(nb):
        i0 = b * BLOCK
        i1 = min(n, i0 + BLOCK)
        _block(coef, irr, temp_e, phi_int, set_h, set_c, theta_m0, warmup, i0, i1, annual,
               heat_w, cool_w, temp_air, write)


@njit(cache=True)
def run_serial(coef, irr, temp_e, phi_int, set_h, set_c, theta_m0, warmup, annual,
               heat_w, cool_w, temp_air, write):
    """As :func:`run_parallel` on one thread."""
    n = coef.shape[1]
    nb = (n + BLOCK - 1) // BLOCK
    for b in range(nb):
        i0 = b * BLOCK
        i1 = min(n, i0 + BLOCK)
        _block(coef, irr, temp_e, phi_int, set_h, set_c, theta_m0, warmup, i0, i1, annual,
               heat_w, cool_w, temp_air, write)
