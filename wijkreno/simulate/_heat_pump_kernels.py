"""Private numba kernel of the hourly heat-pump electricity (public wrapper:
:func:`wijkreno.simulate.heat_pump_hourly.run_heat_pumps`; NumPy reference:
:func:`wijkreno.simulate.heat_pump_hourly.heat_pump_electricity`; the tests hold them equal).

Only plain arrays and scalars; outputs preallocated; nothing raises.

Layout
------
``space``, ``dhw``  (n, H) heat to deliver [W], C-contiguous.
``theta_e``         (H,) outdoor temperature [degC].
``load_pow``        (H,) heating-curve load fraction to the power 1/n,
                    ``clip((room - theta_e) / (room - design), 0, 1) ** (1 / n)`` [-].
``design_flow``     (n,) flow temperature at the design temperature [degC].
``cap_w``           (n,) sizing x max(design load, minimum) [W].
``src``             (n,) int64: 0 air-water, 1 ground.
``hybrid``          (n,) bool: back-up is a gas boiler (no electricity).
``fac``             (2, H) field correction x defrost factor per source and hour [-].
``rel``             (2, H) capacity relative to the design point per source and hour [-].
``cop_dhw``         (2, H) COP of hot-water heating per source and hour [-].
``coef``            (2, 4) per source: c0, c1, c2, eta_carnot.
``p``               (N_P,) scalars (``P_*``).
``out``             (n, H) electricity [W]; ``annual`` (N_A, n) sums (``A_*``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

P_ROOM = 0  # heating-curve room temperature [degC]
P_DESIGN = 1  # design outdoor temperature [degC] (documents the table; unused inside)
P_MIN_FLOW = 2  # lowest flow temperature [degC]
P_T_GROUND = 3  # brine temperature [degC]
P_COP_MIN = 4
P_COP_MAX = 5
P_BACKUP_EFF = 6  # back-up heater efficiency [-]
P_CARNOT = 7  # 1.0: Carnot model, 0.0: regression
N_P = 8

A_HP_HEAT = 0  # heat delivered by the heat pump [Wh]
A_BACKUP_HEAT = 1  # heat of the back-up [Wh]
A_HP_EL = 2  # compressor electricity [Wh]
A_BACKUP_EL = 3  # back-up electricity [Wh]
A_PEAK = 4  # highest hourly electricity [W]
A_PEAK_H = 5  # its hour index (first on ties; -1 when no electricity)
N_A = 6

MIN_LIFT_K = 15.0
"""The regressions are fitted for lifts >= 15 K; smaller lifts take the value at 15 K."""


@njit(cache=True, inline="always")
def _cop_sh(flow, t_src, s, fac, coef, p):
    if p[P_CARNOT] > 0.5:
        tk = flow + 273.15
        lift = tk - (t_src + 273.15)
        raw = coef[s, 3] * tk / lift if lift > 1.0 else np.inf
    else:
        lift = max(flow - t_src, MIN_LIFT_K)
        raw = coef[s, 0] + lift * (coef[s, 1] + coef[s, 2] * lift)
    c = raw * fac
    return min(max(c, p[P_COP_MIN]), p[P_COP_MAX])


@njit(cache=True)
def _dwelling(i, space, dhw, theta_e, load_pow, design_flow, cap_w, src, hybrid, fac, rel,
              cop_dhw, coef, p, out, annual):
    s = src[i]
    room = p[P_ROOM]
    lift_des = design_flow[i] - room
    hp_heat = 0.0
    bu_heat = 0.0
    hp_el = 0.0
    bu_el = 0.0
    peak = 0.0
    peak_h = -1
    for t in range(theta_e.shape[0]):
        te = theta_e[t]
        flow = max(room + lift_des * load_pow[t], p[P_MIN_FLOW])
        t_src = te if s == 0 else p[P_T_GROUND]
        c_sh = _cop_sh(flow, t_src, s, fac[s, t], coef, p)
        q_max = cap_w[i] * rel[s, t]
        sh = space[i, t]
        hw = dhw[i, t]
        q_hw = min(hw, q_max)
        q_sh = min(sh, q_max - q_hw)
        backup = (sh - q_sh) + (hw - q_hw)
        e_hp = q_sh / c_sh + q_hw / cop_dhw[s, t]
        e_bu = 0.0 if hybrid[i] else backup / p[P_BACKUP_EFF]
        e = e_hp + e_bu
        out[i, t] = e
        hp_heat += q_sh + q_hw
        bu_heat += backup
        hp_el += e_hp
        bu_el += e_bu
        if e > peak:
            peak = e
            peak_h = t
    annual[A_HP_HEAT, i] = hp_heat
    annual[A_BACKUP_HEAT, i] = bu_heat
    annual[A_HP_EL, i] = hp_el
    annual[A_BACKUP_EL, i] = bu_el
    annual[A_PEAK, i] = peak
    annual[A_PEAK_H, i] = peak_h


@njit(cache=True, parallel=True)
def run_parallel(space, dhw, theta_e, load_pow, design_flow, cap_w, src, hybrid, fac, rel,
                 cop_dhw, coef, p, out, annual):
    for i in prange(space.shape[0]):
        _dwelling(i, space, dhw, theta_e, load_pow, design_flow, cap_w, src, hybrid, fac, rel,
                  cop_dhw, coef, p, out, annual)


@njit(cache=True)
def run_serial(space, dhw, theta_e, load_pow, design_flow, cap_w, src, hybrid, fac, rel,
               cop_dhw, coef, p, out, annual):
    for i in range(space.shape[0]):
        _dwelling(i, space, dhw, theta_e, load_pow, design_flow, cap_w, src, hybrid, fac, rel,
                  cop_dhw, coef, p, out, annual)
