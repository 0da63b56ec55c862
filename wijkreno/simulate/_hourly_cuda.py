"""Private CUDA kernel of the hourly 5R1C engine (numba.cuda): one thread per dwelling.

The same arithmetic as ``_hourly_kernels`` (same coefficient rows ``K_*``, outputs ``O_*``):
each thread keeps its dwelling's mass temperature and running sums in registers and loops
over the warm-up and the hours; the climate rows are read by all threads at once (broadcast
through the cache), the coefficients and outputs are dwelling-major so that neighbouring
threads touch neighbouring addresses. Public entry: ``simulate_hourly(..., backend="cuda")``.
Tested against the CPU kernel under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) and on
a real GPU when one is present.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from wijkreno.simulate import _hourly_kernels as _k

THREADS_PER_BLOCK = 128

K_AP, K_PHI_R = _k.K_AP, _k.K_PHI_R
K_TM_PREV, K_TM_E, K_TM_INT, K_TM_SOL, K_TM_HC = (
    _k.K_TM_PREV, _k.K_TM_E, _k.K_TM_INT, _k.K_TM_SOL, _k.K_TM_HC)
K_TA_PREV, K_TA_E, K_TA_INT, K_TA_SOL, K_TA_HC, K_TA_HC_INV = (
    _k.K_TA_PREV, _k.K_TA_E, _k.K_TA_INT, _k.K_TA_SOL, _k.K_TA_HC, _k.K_TA_HC_INV)
N_SOLAR = _k.N_SOLAR


@cuda.jit(device=True)
def _step(coef, i, tm_prev, irr, t, te, pint, der, th, tc):
    """One hour of dwelling i: (Phi_HC, theta_m,t, theta_air), as ``_hourly_kernels``."""
    sol = -coef[K_PHI_R, i] * der
    for k in range(N_SOLAR):
        sol += coef[K_AP + k, i] * irr[k, t]
    tm0 = (coef[K_TM_PREV, i] * tm_prev + coef[K_TM_E, i] * te
           + coef[K_TM_INT, i] * pint + coef[K_TM_SOL, i] * sol)
    ta0 = (coef[K_TA_PREV, i] * tm_prev + coef[K_TA_E, i] * te
           + coef[K_TA_INT, i] * pint + coef[K_TA_SOL, i] * sol)
    phi = (max(th - ta0, 0.0) + min(tc - ta0, 0.0)) * coef[K_TA_HC_INV, i]
    return phi, tm0 + coef[K_TM_HC, i] * phi, ta0 + coef[K_TA_HC, i] * phi


@cuda.jit
def _kernel(coef, irr, temp_e, phi_int, set_h, set_c, sky_dt, theta_m0, warmup, annual,
            heat_t, cool_t, temp_t, write):
    i = cuda.grid(1)
    n = coef.shape[1]
    if i >= n:
        return
    n_h = temp_e.shape[0]
    tm = theta_m0
    for t in range(n_h - warmup, n_h):
        _, tm, _ = _step(coef, i, tm, irr, t, temp_e[t], phi_int[t], sky_dt[t], set_h[t],
                         set_c[t])
    heat = 0.0
    cool = 0.0
    pk_h = 0.0
    pk_hh = -1.0
    pk_c = 0.0
    pk_ch = -1.0
    tmin = math.inf
    tmax = -math.inf
    tsum = 0.0
    for t in range(n_h):
        phi, tm, ta = _step(coef, i, tm, irr, t, temp_e[t], phi_int[t], sky_dt[t], set_h[t],
                            set_c[t])
        ph = max(phi, 0.0)
        pc = max(-phi, 0.0)
        heat += ph
        cool += pc
        if ph > pk_h:
            pk_h = ph
            pk_hh = float(t)
        if pc > pk_c:
            pk_c = pc
            pk_ch = float(t)
        tmin = min(tmin, ta)
        tmax = max(tmax, ta)
        tsum += ta
        if write:
            heat_t[t, i] = ph
            cool_t[t, i] = pc
            temp_t[t, i] = ta
    annual[_k.O_HEAT_WH, i] = heat
    annual[_k.O_COOL_WH, i] = cool
    annual[_k.O_PEAK_HEAT_W, i] = pk_h
    annual[_k.O_PEAK_HEAT_H, i] = pk_hh
    annual[_k.O_PEAK_COOL_W, i] = pk_c
    annual[_k.O_PEAK_COOL_H, i] = pk_ch
    annual[_k.O_TMIN, i] = tmin
    annual[_k.O_TMAX, i] = tmax
    annual[_k.O_TSUM, i] = tsum


def run_cuda(
    coef: np.ndarray, climate_arrays: tuple[np.ndarray, ...], theta_m0: float, warmup_h: int,
    *, return_hourly: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Run the kernel on the GPU; same arguments and results as ``hourly.run_kernel``.

    The hourly outputs come back as (n, n_h) Fortran-ordered views of the device's
    (n_h, n) arrays, like the CPU kernel's.
    """
    irr, temp_e, phi_int, set_h, set_c, sky_dt = climate_arrays
    n, n_h = coef.shape[1], temp_e.shape[0]
    d_coef = cuda.to_device(np.ascontiguousarray(coef))
    d_clim = [cuda.to_device(np.ascontiguousarray(a)) for a in (irr, temp_e, phi_int, set_h,
                                                              set_c, sky_dt)]
    d_annual = cuda.device_array((_k.N_OUT, n), dtype=np.float64)
    shape = (n_h, n) if return_hourly else (1, 1)
    d_heat = cuda.device_array(shape, dtype=np.float64)
    d_cool = cuda.device_array(shape, dtype=np.float64)
    d_temp = cuda.device_array(shape, dtype=np.float64)
    blocks = max(1, (n + THREADS_PER_BLOCK - 1) // THREADS_PER_BLOCK)
    _kernel[blocks, THREADS_PER_BLOCK](d_coef, *d_clim, float(theta_m0), int(warmup_h),
                                       d_annual, d_heat, d_cool, d_temp, bool(return_hourly))
    cuda.synchronize()
    annual = d_annual.copy_to_host()
    if not return_hourly:
        return annual, None, None, None
    return annual, d_heat.copy_to_host().T, d_cool.copy_to_host().T, d_temp.copy_to_host().T
