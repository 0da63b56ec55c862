"""Private numba kernels of the monthly quasi-steady-state heat balance.

Only plain arrays and scalars go in; outputs are written into preallocated arrays; nothing
raises (``error_model="numpy"``: a division by zero gives inf/NaN, which the public wrapper
never lets through because it validates the inputs first). The readable NumPy version of the
same equations is :func:`wijkreno.simulate.heat_balance.reference_balance`; the tests hold the
two equal (rtol 1e-9; in practice ~1e-14).

Speed (2-core AMD Zen 4 VM, 1M synthetic dwellings x 12 months, ``benchmarks/bench_engine.py``):
12.5-15 M dwelling-evaluations/s on one thread and 24-30 M/s on two (shared machine, best of
5), 50-110x the NumPy reference on the same problem (15-29x against a 50k-dwelling NumPy run
that stays in cache). What it took: blocks of 512 dwellings with the month loop
outside the dwelling loop (so LLVM vectorises the month body across dwellings, AVX-512), a
branch-free body, exp/log written out as polynomials (libm calls do not vectorise), period sums
that are linear in per-dwelling terms taken out of the month loop, scratch allocated once per
run of blocks and padded against 4K aliasing, and field-major annual outputs.

Layout
------
``x``     (n, N_FIELDS) float64, C-contiguous, one row per dwelling, columns in
          ``X_*`` order (``heat_balance.INPUT_COLUMNS`` gives the house names).
``coef``  (N_COEF,) float64 scalar parameters, indices ``C_*``.
``dth``   (P,) kWh per (W/K): (theta_int - theta_e,m) * t_m / 1000, one value per period.
``tk``    (P,) kWh per W: t_m / 1000.
``isol``  (4, P) kWh/m2: irradiation on vertical planes facing N, E, S, W.
``need``  (n, P) or (0, P) output: monthly need [kWh]; not written when it has 0 rows.
``annual`` (N_OUT, n) output, rows ``O_*`` (field-major: each result contiguous).
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, prange
from numba.core import types
from numba.extending import intrinsic

# --- input columns of x -----------------------------------------------------------------------
X_FLOOR = 0  # heated floor area [m2]
X_VOLUME = 1  # heated volume [m3]
X_ROOF = 2  # roof area [m2]
X_GROUND = 3  # ground-floor area [m2]
X_WALL_N = 4  # opaque wall areas per orientation [m2] (4..7: n, e, s, w)
X_WIN_N = 8  # window areas per orientation [m2] (8..11: n, e, s, w)
X_PARTY = 12  # party-wall area [m2]
X_ANNEX = 13  # wall area to annexes [m2]
X_U_ROOF = 14  # U-values [W m-2 K-1]
X_U_WALL = 15
X_U_FLOOR = 16
X_U_WINDOW = 17
X_U_PARTY = 18
X_G = 19  # total solar energy transmittance of glazing [-]
X_TB = 20  # thermal-bridge surcharge [W m-2 K-1]
X_INF = 21  # infiltration air change [1/h]
X_CELLAR = 22  # share of the ground floor above an unheated cellar [-]
X_B_PARTY = 23  # adjustment factor of the party wall [-]
X_C_M = 24  # internal heat capacity per floor area of this dwelling [Wh m-2 K-1]
N_FIELDS = 25

# --- scalar coefficients -----------------------------------------------------------------------
C_RHO_C = 0  # rho*c of air [Wh m-3 K-1]
C_N_USE = 1  # user air change [1/h]
C_PHI_INT = 2  # internal gains [W m-2]
C_C_M = 3  # default internal heat capacity [Wh m-2 K-1]; pack_inputs fills X_C_M with it
C_SOL = 4  # F_sh * (1 - F_F) * F_w [-]
C_A0 = 5  # a_H,0 [-]
C_TAU0 = 6  # tau_H,0 [h]
C_FRED1 = 7  # temperature-reduction factor at h_tr = 1 W/(m2 K)
C_FRED4 = 8  # temperature-reduction factor at h_tr = 4 W/(m2 K)
C_B_ROOF = 9
C_B_GROUND = 10
C_B_CELLAR = 11
C_R_CELLAR = 12  # additional resistance of the unheated cellar [m2 K W-1]
C_B_ANNEX = 13
C_H_FRED0 = 14  # h_tr [W m-2 K-1] at and below which the temperature-reduction factor is 1
N_COEF = 15

# --- annual output columns ---------------------------------------------------------------------
O_H_TR = 0  # transmission heat transfer coefficient [W/K]
O_H_VE = 1  # ventilation heat transfer coefficient [W/K]
O_Q_HT = 2  # total heat transfer (losses) [kWh]
O_Q_SOL = 3  # solar gains [kWh]
O_Q_INT = 4  # internal gains [kWh]
O_Q_USED = 5  # utilised gains sum(eta * Q_gn) [kWh]
O_Q_NEED = 6  # heating need [kWh]
O_UTIL = 7  # gain-weighted utilisation factor Q_USED / (Q_SOL + Q_INT) [-], NaN without gains
N_OUT = 8

GAMMA_ONE_TOL = 1e-6
"""|gamma - 1| below which ISO 13790 eq. (53) (eta = a/(a+1)) replaces eq. (52): eq. (52)
loses precision by cancellation near gamma = 1, and the two agree to O(1e-6) there. A numerical
constant, not a physical parameter."""

BLOCK = 512
"""Dwellings per block: the kernel works block by block so that the month loop runs over the
dwellings of a block held in cache (see :func:`_block`)."""
PAD = 8
"""Padding of the scratch rows: 512 doubles are 4096 bytes, and a dozen streams 4 KiB apart
fall into the same L1 sets (4K aliasing); 8 more doubles break that."""

# Floating-point flags: everything of fastmath except 'reassoc' (it would fold the two-part
# ln 2 of the range reduction in _exp into one constant and lose 6 digits) and 'nnan'/'ninf'
# (the selects below compute both branches; a NaN in the unused one must stay harmless).
_FLAGS = {"nsz", "arcp", "contract", "afn"}

# Why home-made exp/log: numba calls libm for math.exp/math.log one value at a time (no SVML
# here), which made them ~70 % of the kernel's time. These branch-free versions are plain
# arithmetic, so LLVM vectorises the month loop over a block of dwellings (4-8 lanes). Accuracy:
# ~1 ulp for log on (0, 1] and for exp on [-700, 0] (checked in the tests against NumPy).
_LN2_HI = 6.93147180369123816490e-01  # fdlibm's split of ln 2: k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_LOG2_E = 1.4426950408889634
_SQRT2 = 1.4142135623730951


@intrinsic
def _f64_bits(typingctx, x):
    """Reinterpret a float64 as int64 (bit cast, no conversion)."""
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _bits_f64(typingctx, x):
    """Reinterpret an int64 as float64 (bit cast, no conversion)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


# minimax coefficients of fdlibm's e_log.c (Sun Microsystems, 1993): |error| < 2^-58.45 for
# R(z) on |s| < 0.1716
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01


@njit(cache=True, fastmath=_FLAGS, error_model="numpy", inline="always")
def log_unit(x: float) -> float:
    """Natural logarithm of a normal number x > 0 (meant for 0 < x <= 1), vectorisable.

    fdlibm's algorithm without its special cases: x = (1 + f) 2^k with 1 + f in
    [sqrt(1/2), sqrt(2)), s = f/(2 + f), log(1 + f) = f - s (f - R(s^2)) evaluated as
    f - (hfsq - s (hfsq + R)) with hfsq = f^2/2; about 1 ulp.
    """
    bits = _f64_bits(x)
    e = ((bits >> 52) & 0x7FF) - 1023
    m = _bits_f64((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)  # mantissa in [1, 2)
    big = m > _SQRT2
    m = m * 0.5 if big else m
    e = e + 1 if big else e
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    hfsq = 0.5 * f * f
    k = float(e)
    return k * _LN2_HI - ((hfsq - (s * (hfsq + t1 + t2) + k * _LN2_LO)) - f)


@njit(cache=True, fastmath=_FLAGS, error_model="numpy", inline="always")
def exp_nonpositive(y: float) -> float:
    """exp(y) for y <= 0 (y below -700 treated as -700, exp ~ 1e-304), vectorisable.

    y = k ln 2 + r, |r| <= ln2/2, exp(r) as the Taylor polynomial to r^13 (truncation < 5e-18),
    times 2^k built from its bits.
    """
    y = y if y > -700.0 else -700.0
    k = math.floor(y * _LOG2_E + 0.5)
    r = (y - k * _LN2_HI) - k * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    return p * _bits_f64((np.int64(k) + 1023) << 52)


@njit(cache=True, fastmath=_FLAGS, error_model="numpy", inline="always")
def _shares(q_gn: float, q_ht: float, a: float, share_at_one: float) -> tuple[float, float]:
    """(1 - eta*gamma, eta*gamma) for q_ht > 0, q_gn >= 0, without branches.

    The need share (see :func:`need_fraction`) and the utilised share of the losses, each in a
    form free of cancellation: with r = min(gamma, 1/gamma) and p = gamma^(a+1) (gamma < 1) or
    (1/gamma)^a (gamma > 1), eta*gamma = (r - p)/(1 - p) or (1 - p)/(1 - p r). So the utilised
    gains stay exact relative to the gains even when they are many orders below the losses.
    ``share_at_one`` is 1/(a+1), the need share at gamma = 1 (eq. (53)), precomputed.
    """
    low = q_gn < q_ht  # gamma < 1
    r = (q_gn if low else q_ht) / (q_ht if low else q_gn)  # min(gamma, 1/gamma) in [0, 1]
    tiny = r < 1e-300  # log_unit needs a normal number; r^a is 0 to double precision there
    p = exp_nonpositive((a + 1.0 if low else a) * log_unit(1e-300 if tiny else r))
    p = 0.0 if tiny else p  # gamma^(a+1) or (1/gamma)^a
    inv_den = 1.0 / (1.0 - p * (1.0 if low else r))
    need_share = (1.0 - r) * (1.0 if low else p) * inv_den
    used_share = ((r - p) if low else (1.0 - p)) * inv_den
    one = abs(r - 1.0) < GAMMA_ONE_TOL
    return (share_at_one if one else need_share), ((1.0 - share_at_one) if one else used_share)


@njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def need_fraction(gamma: float, a: float) -> float:
    """1 - eta*gamma: the share of the losses Q_ht that the heating must supply, gamma >= 0.

    From ISO 13790 eq. (52), eta = (1 - gamma^a) / (1 - gamma^(a+1)), algebra gives
    1 - eta*gamma = (1 - gamma) / (1 - gamma^(a+1)) for gamma < 1 and, dividing through by
    gamma^(a+1) with x = 1/gamma, x^a (1 - x) / (1 - x^(a+1)) for gamma > 1. Both forms are
    free of the cancellation in Q_ht - eta*Q_gn, never overflow and are >= 0 by construction;
    eq. (53) (eta = a/(a+1), so 1/(a+1)) is used within GAMMA_ONE_TOL of gamma = 1.
    """
    return _shares(gamma, 1.0, a, 1.0 / (a + 1.0))[0]


@njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _block(x, lo, hi, coef, dth, tk, isol, need, annual, write_monthly, w):
    """Balance of dwellings lo..hi-1 in three passes over the block.

    1. per dwelling: H_tr, H_ve, reduction factor, a, window apertures, and the period sums
       that are linear in them (losses, solar and internal gains);
    2. per period with theta_e < theta_int, per dwelling: the need (eta from eq. (52)/(53));
       dwellings innermost, not periods, so that the body vectorises across dwellings with no
       reduction, and the block's per-dwelling terms stay in L1/L2;
    3. per dwelling: annual sums and the monthly rows.
    Passes 2 and 3 are branch-free (selects), which lets LLVM vectorise them. ``w``
    ((10 + P, BLOCK + PAD)) is the caller's scratch, allocated once per run of blocks.
    """
    nb = hi - lo
    n_p = dth.shape[0]
    h_red = w[0]
    a = w[1]
    s_n = w[2]
    s_e = w[3]
    s_s = w[4]
    s_w = w[5]
    phi = w[6]
    used_sum = w[7]  # utilised gains, sum of eta Q_gn [kWh]
    nd_sum = w[8]
    share_one = w[9]  # 1/(a+1), eq. (53)
    nd_m = w[10:]  # (n_p, nb) need per period
    # hoisted constants
    f1 = coef[C_FRED1]
    f4 = coef[C_FRED4]
    h0 = coef[C_H_FRED0]
    slope_hi = (f4 - f1) / 3.0
    slope_lo = (f1 - 1.0) / (1.0 - h0)
    reduce = f1 != 1.0 or f4 != 1.0
    inv_tau0 = 1.0 / coef[C_TAU0]
    b_roof = coef[C_B_ROOF]
    b_ground = coef[C_B_GROUND]
    b_cellar = coef[C_B_CELLAR]
    r_cellar = coef[C_R_CELLAR]
    b_annex = coef[C_B_ANNEX]
    rho_c = coef[C_RHO_C]
    n_use = coef[C_N_USE]
    a0 = coef[C_A0]
    c_sol = coef[C_SOL]
    phi_int = coef[C_PHI_INT]
    dth_sum = 0.0
    tk_sum = 0.0
    i_sum_n = 0.0
    i_sum_e = 0.0
    i_sum_s = 0.0
    i_sum_w = 0.0
    for m in range(n_p):
        dth_sum += dth[m]
        tk_sum += tk[m]
        i_sum_n += isol[0, m]
        i_sum_e += isol[1, m]
        i_sum_s += isol[2, m]
        i_sum_w += isol[3, m]
    for b in range(nb):
        i = lo + b
        # heat transfer coefficients (ISO 13790 eq. (17)-(18), (21)) [W/K]
        floor = x[i, X_FLOOR]
        u_floor = x[i, X_U_FLOOR]
        cellar = x[i, X_CELLAR]
        walls = x[i, X_WALL_N] + x[i, X_WALL_N + 1] + x[i, X_WALL_N + 2] + x[i, X_WALL_N + 3]
        win_n = x[i, X_WIN_N]
        win_e = x[i, X_WIN_N + 1]
        win_s = x[i, X_WIN_N + 2]
        win_w = x[i, X_WIN_N + 3]
        wins = win_n + win_e + win_s + win_w
        roof = x[i, X_ROOF]
        ground = x[i, X_GROUND]
        annex = x[i, X_ANNEX]
        # floor over cellar: b_cellar U_actual with U_actual = 1/(1/U + R_cellar) = U/(1 + U R)
        b_u_floor = u_floor * (
            (1.0 - cellar) * b_ground + cellar * b_cellar / (1.0 + u_floor * r_cellar)
        )
        a_env = roof + ground + walls + wins + annex
        h_tr = (
            b_roof * x[i, X_U_ROOF] * roof
            + b_u_floor * ground
            + x[i, X_U_WALL] * (walls + b_annex * annex)
            + x[i, X_U_WINDOW] * wins
            + x[i, X_B_PARTY] * x[i, X_U_PARTY] * x[i, X_PARTY]
            + x[i, X_TB] * a_env
        )
        h_ve = rho_c * (n_use + x[i, X_INF]) * x[i, X_VOLUME]
        h = h_tr + h_ve
        # temperature-reduction factor (TABULA; 1 for the monthly engine where f1 = f4 = 1):
        # piecewise linear in h_tr per m2 through (h0, 1), (1, f1), (4, f4), constant outside
        f_red = 1.0
        if reduce:  # loop-invariant: the monthly engine skips this division
            h_spec = h_tr / (floor if floor > 0.0 else 1.0)
            h_spec = h_spec if floor > 0.0 else 4.0
            f_hi = f1 + (min(max(h_spec, 1.0), 4.0) - 1.0) * slope_hi
            f_lo = 1.0 + (min(max(h_spec, h0), 1.0) - h0) * slope_lo
            f_red = f_hi if h_spec >= 1.0 else f_lo
        hr = h * f_red
        h_red[b] = hr
        # time constant and numerical parameter a (ISO 13790 eq. (54), (55))
        tau = x[i, X_C_M] * floor / (h if h > 0.0 else 1.0)
        tau = tau if h > 0.0 else 0.0
        aa = a0 + tau * inv_tau0
        a[b] = aa
        share_one[b] = 1.0 / (aa + 1.0)
        # effective collecting areas of the windows, F_sh (1 - F_F) F_w g A_w [m2]
        c = c_sol * x[i, X_G]
        s_n[b] = c * win_n
        s_e[b] = c * win_e
        s_s[b] = c * win_s
        s_w[b] = c * win_w
        phi[b] = phi_int * floor
        used_sum[b] = 0.0
        nd_sum[b] = 0.0
        annual[O_H_TR, i] = h_tr
        annual[O_H_VE, i] = h_ve
    for b in range(nb):
        i = lo + b
        annual[O_Q_HT, i] = h_red[b] * dth_sum
        annual[O_Q_SOL, i] = (s_n[b] * i_sum_n + s_e[b] * i_sum_e + s_s[b] * i_sum_s
                              + s_w[b] * i_sum_w)
        annual[O_Q_INT, i] = phi[b] * tk_sum
    for m in range(n_p):
        d_m = dth[m]
        nd = nd_m[m]
        if d_m <= 0.0:  # theta_e >= theta_int: no heating this period
            for b in range(nb):
                nd[b] = 0.0
            continue
        t_m = tk[m]
        i_n = isol[0, m]
        i_e = isol[1, m]
        i_s = isol[2, m]
        i_w = isol[3, m]
        for b in range(nb):
            q_ht = h_red[b] * d_m  # eq. (9)-(11) [kWh]
            q_gn = s_n[b] * i_n + s_e[b] * i_e + s_s[b] * i_s + s_w[b] * i_w + phi[b] * t_m
            heating = q_ht > 0.0
            need_share, used_share = _shares(q_gn, q_ht if heating else 1.0, a[b],
                                             share_one[b])
            q_nd = q_ht * need_share if heating else 0.0  # eq. (4) with (52)/(53)
            used_sum[b] += q_ht * used_share if (heating and q_gn > 0.0) else 0.0
            nd_sum[b] += q_nd
            nd[b] = q_nd
    for b in range(nb):
        i = lo + b
        used = used_sum[b]
        gains = annual[O_Q_SOL, i] + annual[O_Q_INT, i]
        annual[O_Q_USED, i] = used
        annual[O_Q_NEED, i] = nd_sum[b]
        annual[O_UTIL, i] = used / gains if gains > 0.0 else np.nan
    if write_monthly:
        for b in range(nb):
            for m in range(n_p):
                need[lo + b, m] = nd_m[m, b]


@njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def _blocks(x, first, last, coef, dth, tk, isol, need, annual):
    """Blocks first..last-1 with one scratch allocation (no allocation per block)."""
    n = x.shape[0]
    write_monthly = need.shape[0] == n
    w = np.empty((10 + dth.shape[0], BLOCK + PAD), dtype=np.float64)
    for k in range(first, last):
        _block(x, k * BLOCK, min(n, (k + 1) * BLOCK), coef, dth, tk, isol, need, annual,
               write_monthly, w)


@njit(parallel=True, cache=True, fastmath=_FLAGS, error_model="numpy")
def balance_parallel(x, coef, dth, tk, isol, need, annual, n_runs):
    """Monthly heat balance of every row of ``x``, threads over runs of blocks of dwellings.

    The blocks are cut into ``n_runs`` runs (8 per thread: a thread slowed by other load does
    not hold up the rest for long); each run allocates its scratch once.
    """
    n_blocks = (x.shape[0] + BLOCK - 1) // BLOCK
    n_runs = max(1, min(n_blocks, n_runs))
    for r in prange(n_runs):
        _blocks(x, r * n_blocks // n_runs, (r + 1) * n_blocks // n_runs, coef, dth, tk, isol,
                need, annual)


@njit(cache=True, fastmath=_FLAGS, error_model="numpy")
def balance_serial(x, coef, dth, tk, isol, need, annual):
    """As :func:`balance_parallel` on one thread."""
    _blocks(x, 0, (x.shape[0] + BLOCK - 1) // BLOCK, coef, dth, tk, isol, need, annual)


@njit(parallel=True, cache=True)
def rows_valid(x, lo, hi, out):
    """out[i] = every x[i, j] is finite and within [lo[j], hi[j]] (no fastmath: NaN matters)."""
    for i in prange(x.shape[0]):
        ok = True
        for j in range(x.shape[1]):
            v = x[i, j]
            ok = ok and math.isfinite(v) and v >= lo[j] and v <= hi[j]
        out[i] = ok


def empty_outputs(n: int, n_periods: int, monthly: bool) -> tuple[np.ndarray, np.ndarray]:
    """Allocate ``need`` ((n, P) or (0, P)) and ``annual`` ((N_OUT, n)) for the kernels."""
    need = np.empty((n if monthly else 0, n_periods), dtype=np.float64)
    annual = np.empty((N_OUT, n), dtype=np.float64)
    return need, annual
