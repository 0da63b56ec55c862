"""Private numba kernels of the package enumeration and of the trajectory steps.

Only plain arrays and scalars go in; results are written into preallocated outputs; nothing
raises. The public wrappers are :func:`wijkreno.renovate.packages.best_packages`,
:func:`wijkreno.renovate.packages.evaluate_packages` and
:func:`wijkreno.renovate.trajectories.plan_trajectories`; the readable reference of the same
algorithm is :func:`wijkreno.renovate.packages.evaluate_packages_reference` (one engine call per
package), and the tests hold the two equal.

A package is one option per dimension: envelope combination ``e`` (roof, wall, floor, glazing,
ventilation; mixed radix, see ``env_opt``) and system options ``h`` (heating), ``p`` (PV),
``w`` (solar water heater). The heat balance has already been run once per applicable
(dwelling, envelope combination) row (``envrow`` maps to the row, -1 = not applicable), giving
the heating need and the design heat load of that row. The systems stage is linear in the
heating need and in the hot-water need (``wijkreno.simulate.systems``: every term is need times
a factor), so the wrapper precomputes, with the engine itself, the final energy per carrier per
kWh of heating need of each heating option (``a_heat``) and the hot-water final energy of each
(heating, solar water heater) pair (``b_dhw``); a package's final energy is then
``need * a_heat + b_dhw`` per carrier, which is exactly what the engine would return.

Layout
------
``env_opt``  (E, 5) int64: option of each envelope dimension in envelope combination e.
``envrow``   (n, E) int64: row of the heat-balance outputs, -1 when not applicable.
``need``     (R,) heating need [kWh]; ``load`` (R,) design heat load [W m-2].
``a_heat``   (n, Kh, 4) final energy per carrier per kWh of heating need [kWh/kWh].
``b_dhw``    (n, Kh, Kw, 4) hot-water final energy per carrier [kWh].
``inv``, ``prem``, ``life`` (n, 8, KMAX): invoice, premium and life-cycle cost (replacements
            within the horizon minus residual value, discounted) of option k of dimension d.
``swh_own``  (n, Kw) bool: hot-water option w installs a hot-water system of its own (the
            heat-pump boiler); it goes only with heating option 0 (keep).
``fossil``   (n, Kh, Kw) bool: the end state (h, w) heats or makes hot water with gas or oil (or
            keeps a heating system the target replaces); never 'reached' under a fossil-free
            target.
``hsize``    (n, Kh, 3): heat-pump sizing of heating option h: invoice without the per-kW part,
            EUR per kW, minimum size [kW]; the invoice is re-priced on the design load of the
            envelope combination (:func:`heat_cost`); EUR per kW 0 = not sized.
``factors``  (5, 4): primary energy factor, price, CO2 Flemish, CO2 CoM, fixed fee per carrier
            (rows ``F_*`` of :mod:`wijkreno.simulate.kernels`).
Metric vectors have length :data:`N_M`, indices ``M_*``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from wijkreno.simulate.kernels import (
    ELECTRICITY,
    F_CO2_COM,
    F_CO2_FLEMISH,
    F_FIXED_FEE,
    F_PEF,
    F_PRICE,
    N_CARRIERS,
    X_G,
    X_INF,
    X_U_FLOOR,
    X_U_ROOF,
    X_U_WALL,
    X_U_WINDOW,
    carrier_accounts,
)

N_DIM = 8
N_STEPS = N_DIM + 1  # every dimension once, plus an intermediate heating step (tussenstap)
N_ENV = 5
D_HEAT = 5
D_PV = 6
D_SWH = 7

# --- metrics of one package (state) ---------------------------------------------------------
M_INV = 0  # investment (invoice incl. VAT) [EUR]
M_PREM = 1  # premium, sum of per-measure premiums, at most the investment [EUR]
M_NET = 2  # net cost = investment - premium [EUR]
M_LIFE = 3  # discounted replacements within the horizon minus residual value [EUR]
M_NEED = 4  # heating need [kWh]
M_LOAD = 5  # design heat load [W m-2]
M_FINAL = 6  # 6..9 standardised final energy gas, oil, electricity, wood [kWh] (no PV)
M_PV = 10  # PV yield [kWh]
M_PRIMARY = 11  # primary energy, PV deducted [kWh]
M_SCORE_STD = 12  # standardised EPC score [kWh m-2]
M_SCORE = 13  # reported EPC score: standardised x measured/modelled [kWh m-2]
M_COST = 14  # energy bill: calib * variable + fixed fees - PV value [EUR/yr]
M_FINAL_NET = 15  # calib * final energy - PV yield [kWh]
M_CO2_FL = 16  # CO2 Flemish factors, PV as avoided grid electricity [kg]
M_CO2_COM = 17  # CO2 Covenant of Mayors factors [kg]
M_SAVE_EUR = 18  # bill saving against the current state [EUR/yr]
M_SAVE_KWH = 19  # final energy saving [kWh/yr]
M_SAVE_CO2_FL = 20  # [kg/yr]
M_SAVE_CO2_COM = 21  # [kg/yr]
M_NPV = 22  # net present value [EUR]
M_PAYBACK = 23  # simple payback net cost / saving [yr]; inf without saving, NaN for no measure
N_M = 24

OBJECTIVE_COST = 0
OBJECTIVE_NPV = 1
SCORE_TOL = 1e-9
"""Tolerance of 'score <= target' [kWh m-2]: absorbs rounding, not a physical figure."""


@njit(parallel=True, cache=True)
def build_rows(base, ii, ee, env_opt, u_roof, u_wall, u_floor, u_window, g_window, inf_eff, x):
    """Heat-balance input rows of the applicable envelope combinations: row r is dwelling
    ``ii[r]``'s packed input ``base`` with the U-values, g-value and effective infiltration of
    envelope combination ``ee[r]`` (effect tables (n, K_d) per dimension; ``inf_eff`` is the
    infiltration less heat recovery, see :mod:`wijkreno.renovate.packages`). One pass instead
    of a gather per column."""
    n_cols = base.shape[1]
    for r in prange(ii.shape[0]):
        i = ii[r]
        e = ee[r]
        for j in range(n_cols):
            x[r, j] = base[i, j]
        x[r, X_U_ROOF] = u_roof[i, env_opt[e, 0]]
        x[r, X_U_WALL] = u_wall[i, env_opt[e, 1]]
        x[r, X_U_FLOOR] = u_floor[i, env_opt[e, 2]]
        kg = env_opt[e, 3]
        x[r, X_U_WINDOW] = u_window[i, kg]
        x[r, X_G] = g_window[i, kg]
        x[r, X_INF] = inf_eff[i, env_opt[e, 4]]


@njit(cache=True, inline="always")
def heat_cost(i, h, ld, area, inv, prem, life, hsize):
    """Invoice, premium and life-cycle cost of heating option h of dwelling i sized on the
    design load ``ld`` [W m-2] after the envelope measures: ``base + EUR/kW * max(kW, min)``;
    premium and life-cycle cost scale with the invoice (the premium never rises above the one
    of the unrenovated sizing, a conservative reading of per-invoice caps)."""
    inv0 = inv[i, D_HEAT, h]
    per_kw = hsize[i, h, 1]
    if per_kw <= 0.0 or inv0 <= 0.0 or not np.isfinite(ld):
        return inv0, prem[i, D_HEAT, h], life[i, D_HEAT, h]
    x = hsize[i, h, 0] + per_kw * max(ld * area[i] / 1000.0, hsize[i, h, 2])
    ratio = x / inv0
    return x, prem[i, D_HEAT, h] * min(ratio, 1.0), life[i, D_HEAT, h] * ratio


@njit(cache=True)
def evaluate_package(i, e, h, p, w, need, load, env_opt, area, a_heat, b_dhw, pv_yield, inv,
                     prem, life, factors, pv_value, annuity, calib, scale, hsize, cur, m):
    """Fill ``m`` with the metrics of package (e, h, p, w) of dwelling i (heating need ``need``
    [kWh], design load ``load`` [W m-2]); savings against ``cur`` (the current state)."""
    invest = 0.0
    premium = 0.0
    lifecycle = 0.0
    for d in range(N_ENV):
        k = env_opt[e, d]
        invest += inv[i, d, k]
        premium += prem[i, d, k]
        lifecycle += life[i, d, k]
    hi_, hp_, hl_ = heat_cost(i, h, load, area, inv, prem, life, hsize)
    invest += hi_ + inv[i, D_PV, p] + inv[i, D_SWH, w]
    premium += hp_ + prem[i, D_PV, p] + prem[i, D_SWH, w]
    lifecycle += hl_ + life[i, D_PV, p] + life[i, D_SWH, w]
    premium = min(premium, invest)
    net = invest - premium
    m[M_INV] = invest
    m[M_PREM] = premium
    m[M_NET] = net
    m[M_LIFE] = lifecycle
    m[M_NEED] = need
    m[M_LOAD] = load
    f0 = need * a_heat[i, h, 0] + b_dhw[i, h, w, 0]
    f1 = need * a_heat[i, h, 1] + b_dhw[i, h, w, 1]
    f2 = need * a_heat[i, h, 2] + b_dhw[i, h, w, 2]
    f3 = need * a_heat[i, h, 3] + b_dhw[i, h, w, 3]
    m[M_FINAL + 0] = f0
    m[M_FINAL + 1] = f1
    m[M_FINAL + 2] = f2
    m[M_FINAL + 3] = f3
    total = f0 + f1 + f2 + f3
    primary, variable, fixed, co2_fl, co2_com = carrier_accounts(
        f0, f1, f2, f3, factors[F_PEF], factors[F_PRICE], factors[F_FIXED_FEE],
        factors[F_CO2_FLEMISH], factors[F_CO2_COM])
    y = pv_yield[i, p]
    r = calib[i]
    m[M_PV] = y
    primary -= y * factors[F_PEF, ELECTRICITY]
    m[M_PRIMARY] = primary
    score = primary / area[i]
    m[M_SCORE_STD] = score
    m[M_SCORE] = score * scale[i]
    cost = r * variable + fixed - y * pv_value
    m[M_COST] = cost
    m[M_FINAL_NET] = r * total - y
    m[M_CO2_FL] = r * co2_fl - y * factors[F_CO2_FLEMISH, ELECTRICITY]
    m[M_CO2_COM] = r * co2_com - y * factors[F_CO2_COM, ELECTRICITY]
    save = cur[M_COST] - cost
    m[M_SAVE_EUR] = save
    m[M_SAVE_KWH] = cur[M_FINAL_NET] - m[M_FINAL_NET]
    m[M_SAVE_CO2_FL] = cur[M_CO2_FL] - m[M_CO2_FL]
    m[M_SAVE_CO2_COM] = cur[M_CO2_COM] - m[M_CO2_COM]
    m[M_NPV] = -net + save * annuity - lifecycle
    if invest <= 0.0:
        m[M_PAYBACK] = np.nan
    elif save > 0.0:
        m[M_PAYBACK] = max(net, 0.0) / save
    else:
        m[M_PAYBACK] = np.inf


@njit(cache=True)
def current_state(i, need, load, env_opt, area, a_heat, b_dhw, pv_yield, inv, prem, life,
                  factors, pv_value, annuity, calib, scale, hsize, cur):
    """Metrics of the all-``keep`` package (the dwelling as it is) into ``cur``."""
    evaluate_package(i, 0, 0, 0, 0, need, load, env_opt, area, a_heat, b_dhw, pv_yield, inv,
                     prem, life, factors, pv_value, annuity, calib, scale, hsize, cur, cur)
    cur[M_SAVE_EUR] = 0.0
    cur[M_SAVE_KWH] = 0.0
    cur[M_SAVE_CO2_FL] = 0.0
    cur[M_SAVE_CO2_COM] = 0.0
    cur[M_NPV] = -cur[M_NET] - cur[M_LIFE]


@njit(parallel=True, cache=True)
def reduce_packages(env_opt, envrow, need, load, area, a_heat, b_dhw, heat_ok, max_load, pv_ok,
                    pv_yield, swh_ok, swh_own, inv, prem, life, factors, pv_value, annuity, calib,
                    scale, hsize, target, fossil, fossil_free, objective, valid, cur,
                    chosen_opt, chosen, best_opt, best, reached, n_eval, min_load):
    """Enumerate every applicable package of every dwelling and keep only the reduction.

    Per dwelling: ``cur`` (current state), ``chosen`` / ``chosen_opt`` (the package with
    reported score <= ``target`` that is best for ``objective``; the current state when it
    already meets the target), ``best`` / ``best_opt`` (lowest reported score; fossil-free
    end states first where the target is fossil-free), ``reached``,
    ``n_eval`` (packages evaluated) and ``min_load`` (lowest design heat load over the
    applicable envelope combinations [W m-2]). Invalid dwellings get NaN / -1 / 0.

    A package reaches the target when its score is at or below ``target`` and, where
    ``fossil_free[i]``, its heating and hot-water options do not leave a fossil end state
    (``fossil[i, h, w]``): PV cannot stand in for replacing a gas or oil boiler, and a gas
    boiler kept for the hot water is not fossil-free. A hot-water option with a system of its
    own (``swh_own``) goes only with the kept heating. The cost
    objective compares the net cost plus, for packages that keep the heating, the discounted
    replacement of the existing boiler at the end of its life (``life[i, D_HEAT, 0]``): a
    boiler that must be replaced anyway is not a cost of the heat-pump decision.

    The inner loop computes only net cost, reported score and NPV, from per-dwelling tables
    of the systems stage's linear coefficients (the same sums as :func:`evaluate_package`, in
    another order: equal to rounding); the full metrics of a package
    (:func:`evaluate_package`) are computed when it is kept.
    """
    n = envrow.shape[0]
    n_env = env_opt.shape[0]
    kh = heat_ok.shape[1]
    kp = pv_ok.shape[1]
    kw = swh_ok.shape[1]
    price = factors[F_PRICE]
    pef = factors[F_PEF]
    fee = factors[F_FIXED_FEE]
    pef_el = factors[F_PEF, ELECTRICITY]
    for i in prange(n):
        # the systems stage is linear in the need q: per heating option the primary energy and
        # variable cost per kWh of need, per (heating, hot water) the hot-water part and the
        # fees of the carriers in use (with q > 0: those of a_heat or b_dhw; with q = 0: b_dhw)
        pa = np.empty(kh)
        va = np.empty(kh)
        pb = np.empty((kh, kw))
        vb = np.empty((kh, kw))
        fee_q = np.empty((kh, kw))
        fee_0 = np.empty((kh, kw))
        for h in range(kh):
            sp_ = 0.0
            sv_ = 0.0
            for cc in range(N_CARRIERS):
                sp_ += a_heat[i, h, cc] * pef[cc]
                sv_ += a_heat[i, h, cc] * price[cc]
            pa[h] = sp_
            va[h] = sv_
            for w in range(kw):
                sp_ = 0.0
                sv_ = 0.0
                fq = 0.0
                f0 = 0.0
                for cc in range(N_CARRIERS):
                    b = b_dhw[i, h, w, cc]
                    sp_ += b * pef[cc]
                    sv_ += b * price[cc]
                    if b > 0.0:
                        f0 += fee[cc]
                    if b > 0.0 or a_heat[i, h, cc] > 0.0:
                        fq += fee[cc]
                pb[h, w] = sp_
                vb[h, w] = sv_
                fee_q[h, w] = fq
                fee_0[h, w] = f0
        # PV x hot-water pairs: their invoice, premium and life-cycle cost, and whether they
        # apply with the kept heating (ok_keep) and with a new heat generator (ok_new)
        pw_inv = np.empty((kp, kw))
        pw_prem = np.empty((kp, kw))
        pw_life = np.empty((kp, kw))
        ok_keep = np.zeros((kp, kw), dtype=np.bool_)
        ok_new = np.zeros((kp, kw), dtype=np.bool_)
        for p in range(kp):
            for w in range(kw):
                pw_inv[p, w] = inv[i, D_PV, p] + inv[i, D_SWH, w]
                pw_prem[p, w] = prem[i, D_PV, p] + prem[i, D_SWH, w]
                pw_life[p, w] = life[i, D_PV, p] + life[i, D_SWH, w]
                ok_keep[p, w] = pv_ok[i, p] and swh_ok[i, w]
                ok_new[p, w] = ok_keep[p, w] and not swh_own[i, w]
        c = cur[i]
        if not valid[i]:
            for j in range(N_M):
                c[j] = np.nan
                chosen[i, j] = np.nan
                best[i, j] = np.nan
            for d in range(N_DIM):
                chosen_opt[i, d] = -1
                best_opt[i, d] = -1
            reached[i] = False
            n_eval[i] = 0
            min_load[i] = np.nan
            continue
        row0 = envrow[i, 0]
        current_state(i, need[row0], load[row0], env_opt, area, a_heat, b_dhw, pv_yield, inv,
                      prem, life, factors, pv_value, annuity, calib, scale, hsize, c)
        cost0 = c[M_COST]
        a_i = area[i]
        sc_i = scale[i]
        r_i = calib[i]
        tgt = target[i] + SCORE_TOL
        ff = fossil_free[i]
        keep_repl = life[i, D_HEAT, 0]
        have = False
        c_net = np.inf
        c_npv = -np.inf
        b_score = c[M_SCORE]
        b_net = c[M_NET] + keep_repl
        b_viol = ff and fossil[i, 0, 0]
        lowest = np.inf
        count = 0
        ce = 0
        ch = 0
        cp = 0
        cw = 0
        be = 0
        bh = 0
        bp = 0
        bw = 0
        for e in range(n_env):
            row = envrow[i, e]
            if row < 0:
                continue
            q = need[row]
            ld = load[row]
            lowest = min(lowest, ld)
            e_inv = 0.0
            e_prem = 0.0
            e_life = 0.0
            for d in range(N_ENV):
                k = env_opt[e, d]
                e_inv += inv[i, d, k]
                e_prem += prem[i, d, k]
                e_life += life[i, d, k]
            for h in range(kh):
                if not heat_ok[i, h]:
                    continue
                if h != 0 and not ld <= max_load[i, h]:
                    continue
                h_extra = keep_repl if h == 0 else 0.0
                hi_, hp_, hl_ = heat_cost(i, h, ld, area, inv, prem, life, hsize)
                h_inv = e_inv + hi_
                h_prem = e_prem + hp_
                h_life = e_life + hl_
                q_pa = q * pa[h]
                q_va = q * va[h]
                pw_ok = ok_keep if h == 0 else ok_new
                fees = fee_q if q > 0.0 else fee_0
                for p in range(kp):
                    y = pv_yield[i, p]
                    for w in range(kw):
                        if not pw_ok[p, w]:
                            continue
                        count += 1
                        viol = ff and fossil[i, h, w]
                        invest = h_inv + pw_inv[p, w]
                        net = invest - min(h_prem + pw_prem[p, w], invest) + h_extra
                        score = (q_pa + pb[h, w] - y * pef_el) / a_i * sc_i
                        cost = r_i * (q_va + vb[h, w]) + fees[h, w] - y * pv_value
                        npv = (-(net - h_extra) + (cost0 - cost) * annuity
                               - (h_life + pw_life[p, w]))
                        if score <= tgt and not viol:
                            if objective == OBJECTIVE_COST:
                                better = net < c_net or (net == c_net and npv > c_npv)
                            else:
                                better = npv > c_npv or (npv == c_npv and net < c_net)
                            if not have or better:
                                have = True
                                c_net = net
                                c_npv = npv
                                ce, ch, cp, cw = e, h, p, w
                        if (b_viol and not viol) or (viol == b_viol and (
                                score < b_score or (score == b_score and net < b_net))):
                            b_viol = viol
                            b_score = score
                            b_net = net
                            be, bh, bp, bw = e, h, p, w
        rb = envrow[i, be]
        evaluate_package(i, be, bh, bp, bw, need[rb], load[rb], env_opt, area, a_heat, b_dhw,
                         pv_yield, inv, prem, life, factors, pv_value, annuity, calib, scale, hsize,
                         c,
                         best[i])
        for d in range(N_ENV):
            best_opt[i, d] = env_opt[be, d]
        best_opt[i, D_HEAT] = bh
        best_opt[i, D_PV] = bp
        best_opt[i, D_SWH] = bw
        if have:
            rc = envrow[i, ce]
            evaluate_package(i, ce, ch, cp, cw, need[rc], load[rc], env_opt, area, a_heat,
                             b_dhw, pv_yield, inv, prem, life, factors, pv_value, annuity, calib,
                             scale, hsize, c, chosen[i])
            for d in range(N_ENV):
                chosen_opt[i, d] = env_opt[ce, d]
            chosen_opt[i, D_HEAT] = ch
            chosen_opt[i, D_PV] = cp
            chosen_opt[i, D_SWH] = cw
        else:
            for d in range(N_DIM):
                chosen_opt[i, d] = -1
            for j in range(N_M):
                chosen[i, j] = np.nan
        reached[i] = have
        n_eval[i] = count
        min_load[i] = lowest


@njit(parallel=True, cache=True)
def all_packages(env_opt, envrow, need, load, area, a_heat, b_dhw, heat_ok, max_load, pv_ok,
                 pv_yield, swh_ok, swh_own, inv, prem, life, factors, pv_value, annuity, calib,
                 scale, hsize, valid, cur, out, ok):
    """Every package of every dwelling: ``out[i, e, h, p, w]`` metrics, ``ok`` applicability.

    For small selections only (the full table a coach looks at): memory n x E x Kh x Kp x Kw.
    """
    n = envrow.shape[0]
    n_env = env_opt.shape[0]
    kh = heat_ok.shape[1]
    kp = pv_ok.shape[1]
    kw = swh_ok.shape[1]
    for i in prange(n):
        for e in range(n_env):
            for h in range(kh):
                for p in range(kp):
                    for w in range(kw):
                        ok[i, e, h, p, w] = False
        if not valid[i]:
            for j in range(N_M):
                cur[i, j] = np.nan
            continue
        row0 = envrow[i, 0]
        current_state(i, need[row0], load[row0], env_opt, area, a_heat, b_dhw, pv_yield, inv,
                      prem, life, factors, pv_value, annuity, calib, scale, hsize, cur[i])
        for e in range(n_env):
            row = envrow[i, e]
            if row < 0:
                continue
            ld = load[row]
            for h in range(kh):
                if not heat_ok[i, h] or (h != 0 and not ld <= max_load[i, h]):
                    continue
                for p in range(kp):
                    if not pv_ok[i, p]:
                        continue
                    for w in range(kw):
                        if not swh_ok[i, w] or (h != 0 and swh_own[i, w]):
                            continue
                        ok[i, e, h, p, w] = True
                        evaluate_package(i, e, h, p, w, need[row], ld, env_opt, area, a_heat,
                                         b_dhw, pv_yield, inv, prem, life, factors, pv_value,
                                         annuity, calib, scale, hsize, cur[i],
                                         out[i, e, h, p, w])


@njit(cache=True, inline="always")
def _add_interim(m, add_inv, add_prem, add_npv):
    """Add an intermediate step's invoice, premium and NPV effect to a state's metrics."""
    m[M_INV] += add_inv
    m[M_PREM] += add_prem
    m[M_NET] += add_inv - add_prem
    m[M_NPV] += add_npv
    save = m[M_SAVE_EUR]
    if m[M_INV] <= 0.0:
        m[M_PAYBACK] = np.nan
    elif save > 0.0:
        m[M_PAYBACK] = max(m[M_NET], 0.0) / save
    else:
        m[M_PAYBACK] = np.inf


@njit(cache=True)
def _interim_state(i, e, k, need, load, env_opt, area, a_heat, b_dhw, pv_yield, inv, prem, life,
                   factors, pv_value, annuity, calib, scale, hsize, c, keep, out, add_inv,
                   add_prem, add_npv):
    """State with envelope combination ``e`` heated by the intermediate option ``k``: energy of
    (e, k), money of the envelope measures (``keep``, evaluated with the kept heating, less the
    boiler replacement the intermediate step takes over) plus the intermediate step's own."""
    evaluate_package(i, e, 0, 0, 0, need, load, env_opt, area, a_heat, b_dhw, pv_yield, inv,
                     prem, life, factors, pv_value, annuity, calib, scale, hsize, c, keep)
    evaluate_package(i, e, k, 0, 0, need, load, env_opt, area, a_heat, b_dhw, pv_yield, inv,
                     prem, life, factors, pv_value, annuity, calib, scale, hsize, c, out)
    out[M_INV] = keep[M_INV]
    out[M_PREM] = keep[M_PREM]
    out[M_NET] = keep[M_NET]
    out[M_LIFE] = keep[M_LIFE] - life[i, D_HEAT, 0]
    out[M_NPV] = -out[M_NET] + out[M_SAVE_EUR] * annuity - out[M_LIFE]
    _add_interim(out, add_inv, add_prem, add_npv)


@njit(cache=True)
def interim_choice(saving, t_b, net_int, boiler_eur, phase_years, rate, growth, cost_growth,
                   asked, blocked):
    """Whether the intermediate step is taken, and its NPV effect [EUR].

    The boiler is worn out ``t_b`` [yr] from now (an overdue one now; inf: none). Both the
    like-for-like boiler (``boiler_eur``) and the intermediate step (its net invoice
    ``net_int``) would be bought then, at that year's construction-cost level ``(1 +
    cost_growth) ** t_b`` (real escalation, ``Economics.cost_escalation_frac``), discounted at
    ``rate``; from the year after, until the heat-pump step ``phase_years`` after the first
    step, the step saves ``saving`` [EUR/yr] on the bill (energy prices growing at
    ``growth``). Taken when ``asked``, or when the heat pump is ``blocked`` today, the boiler
    is worn out before the heat-pump step and ``net_int * df - gain < boiler_eur * df``. The
    NPV effect is ``-net_int * df + gain`` (0 when not taken). NumPy reference:
    :func:`wijkreno.renovate.packages.interim_choice_reference`.
    """
    t_b = max(t_b, 0.0)
    q = (1.0 + growth) / (1.0 + rate)
    gain = 0.0
    t = np.floor(t_b) + 1.0
    while t <= phase_years:
        gain += saving * q ** t
        t += 1.0
    df = ((1.0 + cost_growth) / (1.0 + rate)) ** t_b if np.isfinite(t_b) else 0.0
    use = asked
    if not use and blocked and t_b < phase_years:
        use = net_int * df - gain < boiler_eur * df
    return use, (-net_int * df + gain) if use else 0.0


@njit(parallel=True, cache=True)
def order_steps(final_opt, env_stride, env_opt, envrow, need, load, area, a_heat, b_dhw,
                pv_yield, inv, prem, life, factors, pv_value, annuity, calib, scale, hsize,
                cur, max_load, heat_fossil, interim_h, interim_inv, interim_prem, interim_asked,
                boiler_years, phase_years, boiler_eur, rate, growth, cost_growth,
                step_dim, step_opt, step_heat, step_m):
    """Order the measures of each dwelling's final package into steps.

    Envelope measures first, greedily by the largest bill saving per net euro of the measure
    (each candidate state is the heating in place with the envelope measures so far plus the
    candidate); then the heating change (its load condition holds because the whole envelope
    of the final package is in place), then PV, then the hot-water measure. Every step's
    state is a subset of the final package, except an intermediate heating step.

    Intermediate step ('tussenstap', ``interim_h[i]`` > 0, the hybrid next to a gas boiler):
    where the final package ends on a full heat pump (heating option not in ``heat_fossil``)
    after at least one envelope measure, the hybrid comes first when the household asked for
    it (``interim_asked``) or when (a) the heat pump does not fit today's envelope (design
    load above its ``max_load``), (b) the boiler is worn out (``boiler_years`` [yr] from now)
    before the heat-pump step (``phase_years`` after the first step) and (c) over that
    interval the hybrid costs less than a like-for-like boiler (``boiler_eur``): its net
    invoice, at the construction-cost level of the boiler's end of life (real escalation
    ``cost_growth``) discounted at ``rate`` to now, less its bill saving against the boiler
    (mean of today's and the final envelope) over the years to the heat-pump step (prices
    growing at ``growth``) (:func:`interim_choice`). The trajectory then never ends on it: the
    heat pump
    replaces it. The hybrid's invoice and premium are added to every later state, its
    discounted net cost and interval saving to their NPV.

    ``step_dim`` / ``step_opt`` / ``step_heat`` (n, N_STEPS) hold the dimension, option and
    the heating option in force after step s (-1 after the last step), ``step_m``
    (n, N_STEPS, N_M) the metrics of the state after the step.
    """
    n = final_opt.shape[0]
    for i in prange(n):
        m = np.empty(N_M)
        keep = np.empty(N_M)
        for s in range(step_dim.shape[1]):
            step_dim[i, s] = -1
            step_opt[i, s] = -1
            step_heat[i, s] = -1
        if final_opt[i, 0] < 0:
            continue
        c = cur[i]
        hf = final_opt[i, D_HEAT]
        k_int = interim_h[i]
        use = False
        add_inv = 0.0
        add_prem = 0.0
        add_npv = 0.0
        if k_int > 0 and hf > 0 and hf != k_int and not heat_fossil[i, hf]:
            e_fin = 0
            for d in range(N_ENV):
                e_fin += final_opt[i, d] * env_stride[d]
            if e_fin > 0:
                row0 = envrow[i, 0]
                rowf = envrow[i, e_fin]
                evaluate_package(i, 0, k_int, 0, 0, need[row0], load[row0], env_opt, area,
                                 a_heat, b_dhw, pv_yield, inv, prem, life, factors, pv_value,
                                 annuity, calib, scale, hsize, c, m)
                gain_now = c[M_COST] - m[M_COST]
                evaluate_package(i, e_fin, 0, 0, 0, need[rowf], load[rowf], env_opt, area,
                                 a_heat, b_dhw, pv_yield, inv, prem, life, factors, pv_value,
                                 annuity, calib, scale, hsize, c, keep)
                evaluate_package(i, e_fin, k_int, 0, 0, need[rowf], load[rowf], env_opt, area,
                                 a_heat, b_dhw, pv_yield, inv, prem, life, factors, pv_value,
                                 annuity, calib, scale, hsize, c, m)
                saving = 0.5 * (gain_now + keep[M_COST] - m[M_COST])
                use, add_npv = interim_choice(saving, boiler_years[i],
                                              interim_inv[i] - interim_prem[i], boiler_eur,
                                              phase_years, rate, growth, cost_growth,
                                              interim_asked[i], load[row0] > max_load[i, hf])
                if use:
                    add_inv = interim_inv[i]
                    add_prem = interim_prem[i]
        h_now = 0
        s = 0
        e_state = 0
        if use:
            h_now = k_int
            _interim_state(i, 0, k_int, need[envrow[i, 0]], load[envrow[i, 0]], env_opt, area,
                           a_heat, b_dhw, pv_yield, inv, prem, life, factors, pv_value, annuity,
                           calib, scale, hsize, c, keep, step_m[i, 0], add_inv, add_prem,
                           add_npv)
            step_dim[i, 0] = D_HEAT
            step_opt[i, 0] = k_int
            step_heat[i, 0] = k_int
            s = 1
        save_state = step_m[i, 0, M_SAVE_EUR] if use else 0.0
        done = np.zeros(N_ENV, dtype=np.bool_)
        while True:
            pick = -1
            pick_ratio = -np.inf
            pick_gain = -np.inf
            for d in range(N_ENV):
                k = final_opt[i, d]
                if k == 0 or done[d]:
                    continue
                e = e_state + k * env_stride[d]
                row = envrow[i, e]
                evaluate_package(i, e, h_now, 0, 0, need[row], load[row], env_opt, area, a_heat,
                                 b_dhw, pv_yield, inv, prem, life, factors, pv_value, annuity,
                                 calib, scale, hsize, c, m)
                gain = m[M_SAVE_EUR] - save_state
                cost = inv[i, d, k] - prem[i, d, k]
                ratio = gain / cost if cost > 0.0 else np.inf
                if pick < 0 or ratio > pick_ratio or (ratio == pick_ratio and gain > pick_gain):
                    pick = d
                    pick_ratio = ratio
                    pick_gain = gain
            if pick < 0:
                break
            done[pick] = True
            e_state += final_opt[i, pick] * env_stride[pick]
            row = envrow[i, e_state]
            if use:
                _interim_state(i, e_state, k_int, need[row], load[row], env_opt, area, a_heat,
                               b_dhw, pv_yield, inv, prem, life, factors, pv_value, annuity,
                               calib, scale, hsize, c, keep, step_m[i, s], add_inv, add_prem,
                               add_npv)
            else:
                evaluate_package(i, e_state, 0, 0, 0, need[row], load[row], env_opt, area,
                                 a_heat, b_dhw, pv_yield, inv, prem, life, factors, pv_value,
                                 annuity, calib, scale, hsize, c, step_m[i, s])
            save_state = step_m[i, s, M_SAVE_EUR]
            step_dim[i, s] = pick
            step_opt[i, s] = final_opt[i, pick]
            step_heat[i, s] = h_now
            s += 1
        row = envrow[i, e_state]
        h = 0
        p = 0
        w = 0
        for d in range(D_HEAT, N_DIM):
            k = final_opt[i, d]
            if k == 0:
                continue
            if d == D_HEAT:
                h = k
                h_now = k
            elif d == D_PV:
                p = k
            else:
                w = k
            # with an intermediate step the heat pump comes first here (use needs hf > 0)
            evaluate_package(i, e_state, h, p, w, need[row], load[row], env_opt, area, a_heat,
                             b_dhw, pv_yield, inv, prem, life, factors, pv_value, annuity,
                             calib, scale, hsize, c, step_m[i, s])
            if use:
                _add_interim(step_m[i, s], add_inv, add_prem, add_npv)
            step_dim[i, s] = d
            step_opt[i, s] = k
            step_heat[i, s] = h_now
            s += 1
