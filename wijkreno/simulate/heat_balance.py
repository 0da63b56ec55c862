"""Energy need for space heating: monthly quasi-steady-state heat balance per dwelling.

The method is the monthly method of EN ISO 13790:2008 (section 12.2.1), which EN ISO 52016-1
keeps for its monthly calculation and which TABULA and the Flemish EPB method follow. Per
dwelling and month m (equation numbers of EN ISO 13790:2008):

* transmission H_tr = sum_i b_i U_i A_i + dU_tb * A_env                  (eq. 17, 18)  [W/K]
  with b = 1 for roof, walls and windows, ``b_floor_ground_frac`` for the ground floor on soil,
  ``b_floor_cellar_frac`` with an added resistance ``r_add_cellar_m2k_per_w`` for the share
  ``cellar_frac`` above an unheated cellar, ``b_annex_wall_frac`` for walls to annexes and
  ``b_party_wall_frac`` (or the column ``party_wall_b_frac``) for party walls; A_env is the
  area of roof, ground floor, exterior walls, windows and annex walls (party walls excluded,
  as in TABULA);
* ventilation H_ve = rho_a c_a (n_use + n_inf) V                          (eq. 21)      [W/K]
* losses Q_ht,m = f_red (H_tr + H_ve)(theta_int - theta_e,m) t_m           (eq. 9-11)   [kWh]
  (f_red = 1 in the monthly engine; TABULA's temperature-reduction factor otherwise);
* gains Q_gn,m = phi_int A_floor t_m + sum_o F_sh (1 - F_F) F_w g A_w,o I_o,m (eq. 29, 43-44)
* utilisation: gamma = Q_gn/Q_ht, tau = C_m/(H_tr + H_ve) with C_m = c_m A_floor (eq. 55),
  a = a_H,0 + tau/tau_H,0 (eq. 54), eta = (1 - gamma^a)/(1 - gamma^(a+1)) (eq. 52),
  eta = a/(a+1) for gamma = 1 (eq. 53);
* need Q_H,nd,m = max(0, Q_ht,m - eta Q_gn,m)                                 (eq. 4)

Conventions (``params.convention``). ``"epb"`` (default) follows the Flemish EPW method for
dwellings where it differs from TABULA: set-point ``theta_int_epb_degc`` (18 degC, a
conventional value that includes intermittency and partial heating, so f_red = 1), ventilation
on the net volume A_floor * ``room_height_net_m`` instead of the gross ``volume_m3``, hot water
per the EPW rule from the protected volume (:func:`dhw_need_epw_kwh`), and the internal heat
capacity per dwelling from its construction (:func:`effective_capacity_wh_per_m2k`, so tau is
per dwelling). ``"tabula"`` reproduces TABULA: ``theta_int_degc``, the ``volume_m3`` column as
given, hot water per m2 (``dhw_need_*_kwh_per_m2``), one ``c_m_wh_per_m2k``; it is what
:mod:`wijkreno.simulate.tabula` uses. Solar gains through opaque elements are not counted (as in
TABULA and EPW).

The hot path is a numba kernel (``_heat_balance_kernels``); :func:`heating_need_reference`
is the same algorithm in plain NumPy, kept equal by the tests.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

import numba
import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.heat_balance import (
    HeatBalanceParams,
    load_heat_balance_params,
)
from wijkreno.simulate import _heat_balance_kernels as _k
from wijkreno.simulate.climate import MonthlyClimate, load_climate

logger = logging.getLogger(__name__)


INPUT_COLUMNS: tuple[str, ...] = (
    "heated_floor_area_m2",
    "volume_m3",
    "roof_area_m2",
    "ground_floor_area_m2",
    "wall_area_n_m2",
    "wall_area_e_m2",
    "wall_area_s_m2",
    "wall_area_w_m2",
    "window_area_n_m2",
    "window_area_e_m2",
    "window_area_s_m2",
    "window_area_w_m2",
    "party_wall_area_m2",
    "annex_wall_area_m2",
    "u_roof_w_per_m2k",
    "u_wall_w_per_m2k",
    "u_floor_w_per_m2k",
    "u_window_w_per_m2k",
    "u_party_wall_w_per_m2k",
    "g_window_frac",
    "thermal_bridge_w_per_m2k",
    "infiltration_ach",
    "cellar_frac",
    "party_wall_b_frac",
    "c_m_wh_per_m2k",
)
"""Columns of the packed input matrix, in kernel order. All but ``party_wall_b_frac`` and
``c_m_wh_per_m2k`` are required columns of the twin's ``dwellings`` table; those two are
optional (missing column or NaN: the parameters ``b_party_wall_frac`` and ``c_m_wh_per_m2k``;
:func:`compute_heating_need` fills ``c_m_wh_per_m2k`` per dwelling with
:func:`effective_capacity_wh_per_m2k` in the ``epb`` convention)."""

OPTIONAL_COLUMNS: tuple[str, ...] = ("party_wall_b_frac", "c_m_wh_per_m2k")
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in INPUT_COLUMNS if c not in OPTIONAL_COLUMNS)

# Accepted ranges per input [min, max] (inclusive). Upper bounds of U-values, infiltration and
# fractions follow the twin schema (wijkreno.twin.schema.DWELLINGS).
_U_MAX_W_PER_M2K = 10.0
_BOUNDS: dict[str, tuple[float, float]] = {c: (0.0, np.inf) for c in INPUT_COLUMNS}
_BOUNDS.update({c: (0.0, _U_MAX_W_PER_M2K) for c in INPUT_COLUMNS if c.startswith("u_")})
_BOUNDS.update(
    {
        "g_window_frac": (0.0, 1.0),
        "cellar_frac": (0.0, 1.0),
        "party_wall_b_frac": (0.0, 1.0),
        "infiltration_ach": (0.0, 5.0),
        "thermal_bridge_w_per_m2k": (0.0, _U_MAX_W_PER_M2K),
        "c_m_wh_per_m2k": (0.0, 1000.0),
    }
)

ANNUAL_COLUMNS: tuple[str, ...] = (
    "heating_need_kwh",
    "heating_need_kwh_per_m2",
    "dhw_need_kwh",
    "h_tr_w_per_k",
    "h_ve_w_per_k",
    "heat_loss_kwh",
    "solar_gain_kwh",
    "internal_gain_kwh",
    "utilisation_frac",
    "valid",
)
"""Columns returned by :func:`compute_heating_need` (in this order)."""


# ---------------------------------------------------------------------------------------------
# parameters


# (HeatBalanceParams and its loader live in wijkreno.params.models.heat_balance)


# ---------------------------------------------------------------------------------------------
# packing and validation


def pack_inputs(
    inputs: Mapping[str, Any] | pd.DataFrame, params: HeatBalanceParams | None = None
) -> np.ndarray:
    """Pack input columns into the kernel's C-contiguous (n, 24) float64 matrix.

    Parameters
    ----------
    inputs : mapping or DataFrame
        Arrays under the names of :data:`INPUT_COLUMNS` (areas [m2], volume [m3], U-values
        [W m-2 K-1], g [-], thermal bridges [W m-2 K-1], infiltration [1/h], fractions [-]).
        ``party_wall_b_frac`` may be missing or NaN (then ``params.b_party_wall_frac``), so may
        ``c_m_wh_per_m2k`` [Wh m-2 K-1] (then ``params.c_m_wh_per_m2k``).
    params : HeatBalanceParams, optional
        For the party-wall default; the packaged parameters when None.

    Returns
    -------
    numpy.ndarray
        Shape (n, len(INPUT_COLUMNS)); no values are checked here (see
        :func:`check_inputs`).

    Raises
    ------
    InputError
        When required columns are missing or have different lengths.
    """
    params = params or load_heat_balance_params()
    missing = [c for c in REQUIRED_COLUMNS if c not in inputs]
    if missing:
        raise InputError(
            f"heat balance needs the columns {missing}, which the input lacks (it has "
            f"{sorted(map(str, inputs.keys()))[:40]}). Build dwellings with the twin stage or add "
            "them."
        )
    arrays = [np.asarray(inputs[c], dtype=np.float64).ravel() for c in REQUIRED_COLUMNS]
    n = arrays[0].shape[0]
    if any(a.shape[0] != n for a in arrays):
        raise InputError(
            "heat-balance input columns differ in length: "
            + ", ".join(f"{c}={a.shape[0]}" for c, a in zip(REQUIRED_COLUMNS, arrays, strict=True))
        )
    x = np.empty((n, len(INPUT_COLUMNS)), dtype=np.float64)
    for j, a in enumerate(arrays):
        x[:, j] = a
    b = params.b_party_wall_frac
    if "party_wall_b_frac" in inputs:
        col = np.asarray(inputs["party_wall_b_frac"], dtype=np.float64).ravel()
        x[:, _k.X_B_PARTY] = np.where(np.isnan(col), b, col)
    else:
        x[:, _k.X_B_PARTY] = b
    c_m = params.c_m_wh_per_m2k
    if "c_m_wh_per_m2k" in inputs:
        col = np.asarray(inputs["c_m_wh_per_m2k"], dtype=np.float64).ravel()
        x[:, _k.X_C_M] = np.where(np.isnan(col), c_m, col)
    else:
        x[:, _k.X_C_M] = c_m
    return x


_LO = np.array([_BOUNDS[c][0] for c in INPUT_COLUMNS], dtype=np.float64)
_HI = np.array([_BOUNDS[c][1] for c in INPUT_COLUMNS], dtype=np.float64)


def check_inputs(x: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """Which packed rows the kernel may compute, and why the others may not.

    Parameters
    ----------
    x : numpy.ndarray
        Packed inputs from :func:`pack_inputs`.

    Returns
    -------
    valid : numpy.ndarray of bool
        True for rows with every input finite and within its range.
    counts : dict
        ``{"<reason>:<column>": rows}`` for ``missing`` (NaN), ``infinite``, ``negative`` and
        ``above_max`` (a row can count under several reasons).
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    valid = np.empty(x.shape[0], dtype=bool)
    _k.rows_valid(x, _LO, _HI, valid)  # one pass, threads; details only for rejected rows
    counts: dict[str, int] = {}
    if valid.all():
        return valid, counts
    bad_rows = x[~valid]
    for j, name in enumerate(INPUT_COLUMNS):
        col = bad_rows[:, j]
        lo, hi = _BOUNDS[name]
        for reason, bad in (
            ("missing", np.isnan(col)),
            ("infinite", np.isinf(col)),
            ("negative", col < lo),
            ("above_max", np.isfinite(col) & (col > hi)),
        ):
            k = int(np.count_nonzero(bad))
            if k:
                counts[f"{reason}:{name}"] = k
    return valid, counts


# ---------------------------------------------------------------------------------------------
# conventions per dwelling (Flemish EPW method)


def dhw_need_epw_kwh(
    volume_m3: Any, params: HeatBalanceParams | None = None, *, hours_h: float = 8760.0
) -> np.ndarray:
    """Net energy need for domestic hot water per the EPW rule [kWh per year].

    ``Q = [max(16; 16 + 0.055 (V - 192)) + max(64; 64 + 0.220 (V - 192))] t`` with the bracket
    a mean power [W], ``V`` the protected volume of the unit [m3] and ``t`` the length of the
    year; kitchen sink plus bath/shower, independent of the number of taps (EPW method; the
    coefficients and their source are in ``heat_balance.toml``, ``dhw_epw_*``).

    Parameters
    ----------
    volume_m3 : array-like
        Protected (gross heated) volume of each dwelling [m3].
    params : HeatBalanceParams, optional
        The packaged parameters when None.
    hours_h : float
        Hours in the year of the climate [h].

    Returns
    -------
    numpy.ndarray
        [kWh a-1]; NaN where the volume is NaN.

    Examples
    --------
    >>> round(float(dhw_need_epw_kwh([192.0])[0]), 1)  # (16 + 64) W * 8760 h
    700.8
    """
    p = params or load_heat_balance_params()
    v = np.asarray(volume_m3, dtype=np.float64) - p.dhw_epw_volume_ref_m3
    kitchen = np.maximum(p.dhw_epw_kitchen_base_w, p.dhw_epw_kitchen_base_w
                         + p.dhw_epw_kitchen_slope_w_per_m3 * v)
    bath = np.maximum(p.dhw_epw_bath_base_w, p.dhw_epw_bath_base_w
                      + p.dhw_epw_bath_slope_w_per_m3 * v)
    return (kitchen + bath) * hours_h / 1000.0


def capacity_class(dwellings: pd.DataFrame, params: HeatBalanceParams | None = None
                   ) -> pd.Series:
    """Thermal-capacity class of each dwelling: ``light``, ``medium`` or ``heavy``.

    Precedence: a column ``thermal_capacity_class`` where set; then dwellings of typology
    ``apartment_building`` get ``c_m_class_apartment_building``; then the class of the TABULA
    construction period (``tabula_period``, ``c_m_class_by_tabula_period``); else ``medium``.
    The rules and their (placeholder) sources are in ``heat_balance.toml``; the hourly engine
    (branch i-hourly, ``hourly.toml``) uses the same table.

    Returns
    -------
    pandas.Series of str
        Indexed like ``dwellings``.
    """
    p = params or load_heat_balance_params()
    by_period = {k.strip(): v.strip() for k, _, v in
                 (item.partition(":") for item in p.c_m_class_by_tabula_period.split(","))}
    cls = pd.Series("medium", index=dwellings.index, dtype=object)
    if "tabula_period" in dwellings.columns:
        per = dwellings["tabula_period"].astype("string").str.zfill(2).map(by_period)
        cls = per.astype(object).where(per.notna(), cls)
    if "typology" in dwellings.columns:
        apt = (dwellings["typology"].astype("string") == "apartment_building").fillna(False)
        cls = cls.where(~apt.to_numpy(dtype=bool), p.c_m_class_apartment_building)
    if "thermal_capacity_class" in dwellings.columns:
        given = dwellings["thermal_capacity_class"].astype("string")
        ok = given.isin(["light", "medium", "heavy"]).fillna(False).to_numpy(dtype=bool)
        cls = cls.where(~ok, given.astype(object))
    return cls.rename("thermal_capacity_class")


def effective_capacity_wh_per_m2k(
    dwellings: pd.DataFrame, params: HeatBalanceParams | None = None
) -> pd.Series:
    """Internal heat capacity per floor area of each dwelling, C_m / A_f [Wh m-2 K-1].

    ISO 13790 section 12.3.1, Table 12: the value of the dwelling's class
    (:func:`capacity_class`); a column ``c_m_wh_per_m2k`` wins where not NaN. With it the
    time constant tau = C_m / (H_tr + H_ve) (eq. 55) is per dwelling. To be unified with
    ``thermal_capacity_j_per_k`` of the hourly engine (branch i-hourly) after merge.
    """
    p = params or load_heat_balance_params()
    values = {"light": p.c_m_light_wh_per_m2k, "medium": p.c_m_medium_wh_per_m2k,
              "heavy": p.c_m_heavy_wh_per_m2k}
    c_m = capacity_class(dwellings, p).map(values).astype(float)
    if "c_m_wh_per_m2k" in dwellings.columns:
        given = pd.to_numeric(dwellings["c_m_wh_per_m2k"], errors="coerce")
        c_m = c_m.where(given.isna(), given)
    return c_m.rename("c_m_wh_per_m2k")


def with_capacity(dwellings: pd.DataFrame, params: HeatBalanceParams | None = None
                  ) -> pd.DataFrame:
    """``dwellings`` with ``c_m_wh_per_m2k`` per dwelling in the ``epb`` convention.

    What :func:`compute_heating_need` packs; callers that pack the dwellings themselves
    (:func:`pack_inputs`, e.g. the uncertainty ensemble) use it to see the same capacity.
    Unchanged in the ``tabula`` convention (one ``c_m_wh_per_m2k``).
    """
    p = params or load_heat_balance_params()
    if p.convention != "epb":
        return dwellings
    return dwellings.assign(c_m_wh_per_m2k=effective_capacity_wh_per_m2k(dwellings, p))


# ---------------------------------------------------------------------------------------------
# the balance on arrays


class HeatingNeedArrays(NamedTuple):
    """Results of :func:`heating_need_arrays`, one entry per dwelling (period axis last).

    Invalid rows hold NaN in every float array.
    """

    heating_need_kwh: np.ndarray
    """(n,) annual need for space heating Q_H,nd [kWh]."""
    heating_need_monthly_kwh: np.ndarray | None
    """(n, P) need per period [kWh], or None when not asked for."""
    dhw_need_kwh: np.ndarray
    """(n,) annual need for domestic hot water [kWh]."""
    h_tr_w_per_k: np.ndarray
    """(n,) transmission heat transfer coefficient [W/K]."""
    h_ve_w_per_k: np.ndarray
    """(n,) ventilation heat transfer coefficient [W/K]."""
    heat_loss_kwh: np.ndarray
    """(n,) sum of Q_ht over the periods [kWh]."""
    solar_gain_kwh: np.ndarray
    """(n,) sum of Q_sol [kWh]."""
    internal_gain_kwh: np.ndarray
    """(n,) sum of Q_int [kWh]."""
    utilisation_frac: np.ndarray
    """(n,) gain-weighted utilisation factor sum(eta Q_gn) / sum(Q_gn) [-] (NaN without gains)."""
    valid: np.ndarray
    """(n,) bool, False where the inputs were rejected."""
    invalid_counts: dict[str, int]
    """Rejected rows per reason (see :func:`check_inputs`)."""


def balance_coefficients(params: HeatBalanceParams, *, seasonal: bool = False) -> np.ndarray:
    """The kernel's scalar coefficients (``C_*`` of ``_heat_balance_kernels``) from parameters.

    Parameters
    ----------
    params : HeatBalanceParams
        The heat-balance parameters.
    seasonal : bool
        Use the seasonal utilisation parameters (a_H,0 = 0.8, tau_H,0 = 30 h, EN ISO 13790
        Table 5; TABULA) instead of the monthly ones.

    Returns
    -------
    numpy.ndarray
        Shape (N_COEF,), for :func:`run_balance` and :func:`reference_balance`.
    """
    coef = np.empty(_k.N_COEF, dtype=np.float64)
    coef[_k.C_RHO_C] = params.rho_c_air_wh_per_m3k
    coef[_k.C_N_USE] = params.n_air_use_ach
    coef[_k.C_PHI_INT] = params.phi_int_w_per_m2
    coef[_k.C_C_M] = params.c_m_wh_per_m2k
    coef[_k.C_SOL] = params.f_sh_vert_frac * (1.0 - params.f_frame_frac) * params.f_w_frac
    coef[_k.C_A0] = params.a_h0_seasonal if seasonal else params.a_h0
    coef[_k.C_TAU0] = params.tau_h0_seasonal_h if seasonal else params.tau_h0_h
    coef[_k.C_FRED1] = params.f_red_at_h_tr_1_frac
    coef[_k.C_FRED4] = params.f_red_at_h_tr_4_frac
    coef[_k.C_B_ROOF] = params.b_roof_frac
    coef[_k.C_B_GROUND] = params.b_floor_ground_frac
    coef[_k.C_B_CELLAR] = params.b_floor_cellar_frac
    coef[_k.C_R_CELLAR] = params.r_add_cellar_m2k_per_w
    coef[_k.C_B_ANNEX] = params.b_annex_wall_frac
    coef[_k.C_H_FRED0] = params.h_tr_f_red_one_w_per_m2k
    return coef


def period_constants(
    hours_h: np.ndarray, theta_e_degc: np.ndarray, i_sol_vertical_kwh_per_m2: np.ndarray,
    theta_int_degc: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Climate terms hoisted out of the kernel, one value per period.

    Parameters
    ----------
    hours_h : array of shape (P,)
        Length of each period [h].
    theta_e_degc : array of shape (P,)
        Mean outdoor temperature [degC].
    i_sol_vertical_kwh_per_m2 : array of shape (4, P)
        Irradiation on vertical planes facing N, E, S, W [kWh m-2].
    theta_int_degc : float
        Set-point [degC].

    Returns
    -------
    dth, tk, isol : numpy.ndarray
        (theta_int - theta_e) t / 1000 [kWh per W/K], t / 1000 [kWh per W] and the
        irradiation, C-contiguous float64.
    """
    hours = np.ascontiguousarray(hours_h, dtype=np.float64)
    dth = np.ascontiguousarray((theta_int_degc - np.asarray(theta_e_degc, np.float64)) * hours
                               / 1000.0)
    tk = np.ascontiguousarray(hours / 1000.0)
    isol = np.ascontiguousarray(i_sol_vertical_kwh_per_m2, dtype=np.float64)
    if isol.shape != (4, hours.shape[0]) or dth.shape != hours.shape:
        raise InputError(
            f"climate arrays do not fit: hours {hours.shape}, theta_e {dth.shape}, irradiation "
            f"{isol.shape} (expected (4, {hours.shape[0]}) for N, E, S, W)."
        )
    return dth, tk, isol


def run_balance(
    x: np.ndarray,
    coef: np.ndarray,
    dth: np.ndarray,
    tk: np.ndarray,
    isol: np.ndarray,
    *,
    parallel: bool = True,
    monthly: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Call the numba kernel on prepared arrays (no checks; for the wrapper and TABULA).

    Returns ``need`` ((n, P), or (0, P) when ``monthly`` is False) and ``annual`` ((8, n),
    rows ``O_*`` of ``_heat_balance_kernels``).
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    need, annual = _k.empty_outputs(x.shape[0], dth.shape[0], monthly)
    if parallel:
        _k.balance_parallel(x, coef, dth, tk, isol, need, annual, 8 * numba.get_num_threads())
    else:
        _k.balance_serial(x, coef, dth, tk, isol, need, annual)
    return need, annual


def reference_balance(
    x: np.ndarray, coef: np.ndarray, dth: np.ndarray, tk: np.ndarray, isol: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The same balance as the numba kernel in plain NumPy (readable reference).

    Same arguments and outputs as :func:`run_balance` (always monthly).
    """
    c = {name: coef[getattr(_k, name)] for name in dir(_k) if name.startswith("C_")}
    floor = x[:, _k.X_FLOOR]
    u_floor = x[:, _k.X_U_FLOOR]
    cellar = x[:, _k.X_CELLAR]
    walls = x[:, _k.X_WALL_N:_k.X_WALL_N + 4].sum(axis=1)
    win = x[:, _k.X_WIN_N:_k.X_WIN_N + 4]  # (n, 4) N, E, S, W
    wins = win.sum(axis=1)
    roof, ground, annex = x[:, _k.X_ROOF], x[:, _k.X_GROUND], x[:, _k.X_ANNEX]
    # EN ISO 13790 eq. (17)/(18): H_tr = sum b U A + dU_tb A_env
    b_u_floor = u_floor * ((1 - cellar) * c["C_B_GROUND"]
                           + cellar * c["C_B_CELLAR"] / (1 + u_floor * c["C_R_CELLAR"]))
    a_env = roof + ground + walls + wins + annex
    h_tr = (c["C_B_ROOF"] * x[:, _k.X_U_ROOF] * roof + b_u_floor * ground
            + x[:, _k.X_U_WALL] * (walls + c["C_B_ANNEX"] * annex)
            + x[:, _k.X_U_WINDOW] * wins
            + x[:, _k.X_B_PARTY] * x[:, _k.X_U_PARTY] * x[:, _k.X_PARTY]
            + x[:, _k.X_TB] * a_env)
    # eq. (21)
    h_ve = c["C_RHO_C"] * (c["C_N_USE"] + x[:, _k.X_INF]) * x[:, _k.X_VOLUME]
    h = h_tr + h_ve
    f1, f4, h0 = c["C_FRED1"], c["C_FRED4"], c["C_H_FRED0"]
    with np.errstate(divide="ignore", invalid="ignore"):
        h_spec = np.where(floor > 0, h_tr / floor, 4.0)
        # temperature-reduction factor: piecewise linear through (h0, 1), (1, f1), (4, f4)
        f_red = np.interp(h_spec, [h0, 1.0, 4.0], [1.0, f1, f4])
        if f1 == 1.0 and f4 == 1.0:
            f_red = np.ones_like(h)
        # eq. (54)/(55)
        tau = np.where(h > 0, x[:, _k.X_C_M] * floor / h, 0.0)
    a = (c["C_A0"] + tau / c["C_TAU0"])[:, None]
    q_ht = (h * f_red)[:, None] * dth[None, :]  # (n, P) [kWh]
    q_sol = (c["C_SOL"] * x[:, _k.X_G])[:, None] * (win @ isol)  # eq. (43)/(44)
    q_int = (c["C_PHI_INT"] * floor)[:, None] * tk[None, :]
    q_gn = q_sol + q_int
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gamma = q_gn / q_ht
        # eq. (52) rearranged to 1 - eta*gamma (see _heat_balance_kernels.need_fraction)
        low = (1 - gamma) / (1 - gamma ** (a + 1))
        xg = 1 / gamma
        p = xg ** a
        high = p * (1 - xg) / (1 - p * xg)
        near_one = np.abs(gamma - 1) < _k.GAMMA_ONE_TOL
        frac = np.where(near_one, 1 / (a + 1), np.where(gamma < 1, low, high))  # eq. (53)
        # utilised share eta*gamma, in the same cancellation-free forms
        used_frac = np.where(
            near_one, a / (a + 1),
            np.where(gamma < 1, (gamma - gamma ** (a + 1)) / (1 - gamma ** (a + 1)),
                     (1 - p) / (1 - p * xg)),
        )
    heating = q_ht > 0
    need = np.where(heating, np.where(q_gn > 0, q_ht * frac, q_ht), 0.0)  # eq. (4)
    used = np.where(heating & (q_gn > 0), q_ht * used_frac, 0.0)  # eta * Q_gn
    annual = np.empty((_k.N_OUT, x.shape[0]))
    annual[_k.O_H_TR] = h_tr
    annual[_k.O_H_VE] = h_ve
    annual[_k.O_Q_HT] = q_ht.sum(axis=1)
    annual[_k.O_Q_SOL] = q_sol.sum(axis=1)
    annual[_k.O_Q_INT] = q_int.sum(axis=1)
    annual[_k.O_Q_USED] = used.sum(axis=1)
    annual[_k.O_Q_NEED] = need.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gains = annual[_k.O_Q_SOL] + annual[_k.O_Q_INT]
        annual[_k.O_UTIL] = np.where(gains > 0, annual[_k.O_Q_USED] / gains, np.nan)
    return need, annual


def _assemble(
    x: np.ndarray,
    need: np.ndarray | None,
    annual: np.ndarray,
    valid: np.ndarray,
    counts: dict[str, int],
    dhw_rate: np.ndarray | float,
) -> HeatingNeedArrays:
    floor = x[:, _k.X_FLOOR]
    out = HeatingNeedArrays(
        heating_need_kwh=annual[_k.O_Q_NEED],
        heating_need_monthly_kwh=need,
        dhw_need_kwh=np.asarray(dhw_rate * floor, dtype=np.float64),
        h_tr_w_per_k=annual[_k.O_H_TR],
        h_ve_w_per_k=annual[_k.O_H_VE],
        heat_loss_kwh=annual[_k.O_Q_HT],
        solar_gain_kwh=annual[_k.O_Q_SOL],
        internal_gain_kwh=annual[_k.O_Q_INT],
        utilisation_frac=annual[_k.O_UTIL],
        valid=valid,
        invalid_counts=counts,
    )
    if not valid.all():
        bad = ~valid
        for arr in out:
            if isinstance(arr, np.ndarray) and arr.dtype == np.float64:
                arr[bad] = np.nan
    return out


def apply_convention(
    x: np.ndarray,
    params: HeatBalanceParams,
    climate: MonthlyClimate | None = None,
    multi_unit: Any = None,
    *,
    copy: bool = True,
) -> tuple[np.ndarray, float, Any]:
    """Apply ``params.convention`` to a packed input matrix: volume, set-point, hot water.

    For callers that pack inputs and call :func:`run_balance` themselves (renovation
    packages), so that they see the same conventions as :func:`heating_need_arrays`.

    Parameters
    ----------
    x : numpy.ndarray
        Packed inputs (:func:`pack_inputs`), ``volume_m3`` the gross protected volume.
    params : HeatBalanceParams
        ``convention`` ``"epb"`` or ``"tabula"`` (see the module docstring).
    climate : MonthlyClimate, optional
        For the length of the year of the hot-water rule (8760 h when None).
    multi_unit : array of bool, optional
        Dwellings in multi-unit buildings (TABULA's hot water per m2 only).
    copy : bool
        Work on a copy of ``x`` (False: change it in place).

    Returns
    -------
    x : numpy.ndarray
        ``epb``: ventilation volume replaced by the net volume A_floor * ``room_height_net_m``
        (rows with a bad gross volume keep it, so they are still rejected); ``tabula``: as given.
    theta_int_degc : float
        The set-point of the convention [degC].
    dhw_rate : float or numpy.ndarray
        Hot-water need per m2 of heated floor area [kWh m-2 a-1] (per dwelling for ``epb``).
    """
    if params.convention != "epb":
        if multi_unit is None:
            return x, params.theta_int_degc, params.dhw_need_single_unit_kwh_per_m2
        rate = np.where(np.asarray(multi_unit, dtype=bool),
                        params.dhw_need_multi_unit_kwh_per_m2,
                        params.dhw_need_single_unit_kwh_per_m2)
        return x, params.theta_int_degc, rate
    # EPW hot water from the protected (gross) volume, then ventilation on the net volume
    floor = x[:, _k.X_FLOOR]
    hours = 8760.0 if climate is None else float(np.sum(climate.hours_h))
    dhw = dhw_need_epw_kwh(x[:, _k.X_VOLUME], params, hours_h=hours)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(floor > 0, dhw / floor, 0.0)
    if copy:
        x = x.copy()
        floor = x[:, _k.X_FLOOR]
    gross = x[:, _k.X_VOLUME]
    x[:, _k.X_VOLUME] = np.where(np.isfinite(gross) & (gross >= 0),
                                 floor * params.room_height_net_m, gross)
    return x, params.theta_int_epb_degc, rate


def _prepare(
    inputs: Mapping[str, Any] | pd.DataFrame | np.ndarray,
    climate: MonthlyClimate | None,
    params: HeatBalanceParams | None,
    multi_unit: Any,
) -> tuple[np.ndarray, HeatBalanceParams, np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any]:
    params = params or load_heat_balance_params()
    if climate is None:
        climate = load_climate()
    if isinstance(inputs, np.ndarray):
        if inputs.ndim != 2 or inputs.shape[1] != len(INPUT_COLUMNS):
            raise InputError(
                f"a packed input matrix must have shape (n, {len(INPUT_COLUMNS)}), got "
                f"{inputs.shape}; build it with pack_inputs()."
            )
        x = np.ascontiguousarray(inputs, dtype=np.float64)
    else:
        x = pack_inputs(inputs, params)
    x, theta_int, rate = apply_convention(x, params, climate, multi_unit,
                                          copy=isinstance(inputs, np.ndarray))
    dth, tk, isol = period_constants(
        climate.hours_h, climate.theta_e_degc, climate.i_sol_vertical_kwh_per_m2, theta_int,
    )
    coef = balance_coefficients(params)
    return x, params, coef, dth, tk, isol, rate


def heating_need_arrays(
    inputs: Mapping[str, Any] | pd.DataFrame | np.ndarray,
    *,
    climate: MonthlyClimate | None = None,
    params: HeatBalanceParams | None = None,
    parallel: bool = True,
    monthly: bool = True,
    multi_unit: Any = None,
) -> HeatingNeedArrays:
    """Monthly heat balance on arrays (no pandas needed): the entry point for other stages.

    Parameters
    ----------
    inputs : mapping, DataFrame or numpy.ndarray
        Columns named as :data:`INPUT_COLUMNS` (see :func:`pack_inputs` for units), or an
        already packed (n, 24) matrix; packing once and changing columns in place is the fast
        way to evaluate many variants (renovation packages).
    climate : MonthlyClimate, optional
        Monthly climate; the packaged Uccle table (:func:`~wijkreno.simulate.climate.load_climate`)
        when None.
    params : HeatBalanceParams, optional
        The packaged parameters when None.
    parallel : bool
        Use all numba threads (True) or one.
    monthly : bool
        Also return the (n, 12) monthly need (costs memory on large runs).
    multi_unit : array of bool, optional
        True for dwellings in multi-unit buildings (DHW need per m2 of EU.MUH); else EU.SUH.

    Returns
    -------
    HeatingNeedArrays
        NaN results and ``valid = False`` for rejected rows; ``invalid_counts`` says why.

    Examples
    --------
    >>> from wijkreno.simulate.heat_balance import heating_need_arrays, INPUT_COLUMNS
    >>> row = dict.fromkeys(INPUT_COLUMNS, 0.0)
    >>> r = heating_need_arrays({k: [v] for k, v in row.items()})
    >>> float(r.heating_need_kwh[0])
    0.0
    """
    x, params, coef, dth, tk, isol, rate = _prepare(inputs, climate, params, multi_unit)
    valid, counts = check_inputs(x)
    if counts:
        logger.warning(
            "heat balance: %d of %d rows rejected (%s)", int((~valid).sum()), x.shape[0],
            ", ".join(f"{k}: {v}" for k, v in counts.items()),
        )
    need, annual = run_balance(x, coef, dth, tk, isol, parallel=parallel, monthly=monthly)
    return _assemble(x, need if monthly else None, annual, valid, counts, rate)


def heating_need_reference(
    inputs: Mapping[str, Any] | pd.DataFrame | np.ndarray,
    *,
    climate: MonthlyClimate | None = None,
    params: HeatBalanceParams | None = None,
    multi_unit: Any = None,
) -> HeatingNeedArrays:
    """Plain-NumPy reference of :func:`heating_need_arrays` (same inputs and outputs).

    Slow and memory-hungry (several (n, 12) temporaries); for tests and benchmarks.
    """
    x, params, coef, dth, tk, isol, rate = _prepare(inputs, climate, params, multi_unit)
    valid, counts = check_inputs(x)
    need, annual = reference_balance(x, coef, dth, tk, isol)
    return _assemble(x, need, annual, valid, counts, rate)


# ---------------------------------------------------------------------------------------------
# the balance on the dwellings table


def compute_heating_need(
    dwellings: pd.DataFrame,
    *,
    climate: MonthlyClimate | None = None,
    params: HeatBalanceParams | None = None,
    parallel: bool = True,
    monthly: bool = False,
) -> pd.DataFrame:
    """Energy need for space heating and hot water of every dwelling (monthly method).

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The twin's ``dwellings`` table (or any frame with the columns of
        :data:`REQUIRED_COLUMNS`; optional ``party_wall_b_frac`` [-] and ``typology``, whose
        value ``apartment_building`` selects the multi-unit DHW figure).
    climate : MonthlyClimate, optional
        Monthly climate; the packaged Uccle table when None.
    params : HeatBalanceParams, optional
        The packaged parameters when None.
    parallel : bool
        Use all numba threads.
    monthly : bool
        Add columns ``heating_need_m01_kwh`` ... ``heating_need_m12_kwh``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``, columns :data:`ANNUAL_COLUMNS`: ``heating_need_kwh``,
        ``heating_need_kwh_per_m2`` [kWh m-2] (NaN for zero floor area), ``dhw_need_kwh``,
        ``h_tr_w_per_k``, ``h_ve_w_per_k`` [W/K], ``heat_loss_kwh``, ``solar_gain_kwh``,
        ``internal_gain_kwh`` [kWh], ``utilisation_frac`` [-], ``valid`` (bool), then the
        monthly columns when asked. Rows with unusable inputs have ``valid = False`` and NaN
        results; ``result.attrs["invalid_counts"]`` holds ``{reason: rows}``.

    Raises
    ------
    InputError
        When required columns are missing.
    """
    p = params or load_heat_balance_params()
    dwellings = with_capacity(dwellings, p)
    multi = None
    if "typology" in dwellings.columns:
        multi = (dwellings["typology"].astype("string") == "apartment_building").fillna(False)
        multi = multi.to_numpy(dtype=bool)
    r = heating_need_arrays(
        dwellings, climate=climate, params=p, parallel=parallel, monthly=monthly,
        multi_unit=multi,
    )
    floor = np.asarray(dwellings["heated_floor_area_m2"], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_m2 = np.where(floor > 0, r.heating_need_kwh / floor, np.nan)
    out = pd.DataFrame(
        {
            "heating_need_kwh": r.heating_need_kwh,
            "heating_need_kwh_per_m2": per_m2,
            "dhw_need_kwh": r.dhw_need_kwh,
            "h_tr_w_per_k": r.h_tr_w_per_k,
            "h_ve_w_per_k": r.h_ve_w_per_k,
            "heat_loss_kwh": r.heat_loss_kwh,
            "solar_gain_kwh": r.solar_gain_kwh,
            "internal_gain_kwh": r.internal_gain_kwh,
            "utilisation_frac": r.utilisation_frac,
            "valid": r.valid,
        },
        index=dwellings.index,
    )
    if monthly and r.heating_need_monthly_kwh is not None:
        for m in range(r.heating_need_monthly_kwh.shape[1]):
            out[f"heating_need_m{m + 1:02d}_kwh"] = r.heating_need_monthly_kwh[:, m]
    out.attrs["invalid_counts"] = dict(r.invalid_counts)
    return out
