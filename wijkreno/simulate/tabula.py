"""Check the heat balance against TABULA's published Belgian results.

TABULA computes the heating need of each example building with the same quasi-steady-state
balance as :mod:`wijkreno.simulate.heat_balance`, over one heating season (BE: 210 days, mean
theta_e 6.2 degC, seasonal irradiation per orientation) with its own boundary conditions
(theta_i 20 degC, n_air_use 0.4 1/h, phi_int 3 W/m2, c_m 45 Wh/(m2 K), shading, frame and
incidence factors, a temperature-reduction factor F_red depending on h_tr, and the seasonal
utilisation parameters a_H,0 = 0.8, tau_H,0 = 30 h of EN ISO 13790 Table 5).

:func:`validate_tabula` maps every TABULA variant onto the engine's dwelling inputs, runs the
SAME numba kernel (:func:`wijkreno.simulate.heat_balance.run_balance`) with one period and
reports computed q_h_nd and intermediate terms next to TABULA's published values.

Mapping of a TABULA building onto the engine's inputs (exact, no approximation):

* U_actual = 1/(1/U + R_add,unheated) per element; the b-factors of the elements are folded into
  effective U-values per group (roof 1+2; wall 1+2+3 + door; floor 1+2), i.e.
  U_eff = sum(b U_actual A) / sum(A), and the engine's own b-factors are set to 1;
* windows: solar apertures from TABULA's areas per orientation, the window U-value scaled so
  that U_eff * sum(A_orientation) = sum(U A) of windows 1 and 2;
* thermal bridges: dU_tb scaled so that dU_eff * A_env(engine) = dU_tb * sum of all element
  areas (TABULA's envelope sum);
* volume = A_C_Ref * h_room (TABULA's ventilation reference), floor area = A_C_Ref.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.simulate import _heat_balance_kernels as _k
from wijkreno.simulate.heat_balance import (
    INPUT_COLUMNS,
    HeatBalanceParams,
    balance_coefficients,
    load_heat_balance_params,
    pack_inputs,
    period_constants,
    run_balance,
)

logger = logging.getLogger(__name__)

TOLERANCE_FRAC = 0.02
"""Largest accepted relative deviation of q_h_nd from TABULA's published value."""

RESULT_TERMS: tuple[str, ...] = (
    "h_tr_w_per_m2k",
    "h_ve_w_per_m2k",
    "f_red_frac",
    "q_ht_tr_kwh_per_m2",
    "q_ht_ve_kwh_per_m2",
    "q_ht_kwh_per_m2",
    "q_sol_kwh_per_m2",
    "q_int_kwh_per_m2",
    "tau_h",
    "a_h",
    "gamma",
    "eta_frac",
    "q_h_nd_kwh_per_m2",
)
"""Computed terms per reference floor area, each followed in the table by ``published_<term>``
(NaN where TABULA's value is not in the data, i.e. for the refurbishment variants)."""

_GROUPS = {
    "roof": ("roof_1", "roof_2"),
    "wall": ("wall_1", "wall_2", "wall_3"),
    "floor": ("floor_1", "floor_2"),
}


def _u_actual(u: pd.Series, r_add: pd.Series) -> pd.Series:
    """U with the resistance of an adjoining unheated space: 1/(1/U + R_add) (TABULA)."""
    u = u.astype("float64")
    with np.errstate(divide="ignore"):
        return pd.Series(np.where(u > 0, 1.0 / (1.0 / u + r_add.astype("float64")), 0.0),
                         index=u.index)


def _variants(typology: pd.DataFrame, refurbishment: pd.DataFrame) -> pd.DataFrame:
    """One row per variant: the existing states and the refurbished ones (measures applied)."""
    base = typology.copy()
    base["base_variant_code"] = base["variant_code"]
    base["variant_kind"] = np.where(
        base["variant_code"].str.contains(".SyAv.", regex=False), "synthetic_average", "existing"
    )
    for e in ("roof_1", "roof_2", "wall_1", "wall_2", "wall_3", "floor_1", "floor_2"):
        base[f"u_{e}_actual_w_per_m2k"] = _u_actual(base[f"u_{e}_w_per_m2k"],
                                                    base[f"r_add_{e}_m2k_per_w"])
    missing = sorted(set(refurbishment["base_variant_code"]) - set(base["variant_code"]))
    if missing:
        raise InputError(
            f"refurbishment variants refer to existing-state variants {missing[:5]} that the "
            "typology table lacks; read both from the same tabula_be folder."
        )
    ref = base.set_index("variant_code", drop=False).loc[refurbishment["base_variant_code"]].copy()
    ref.index = refurbishment.index
    ref["variant_code"] = refurbishment["variant_code"].to_numpy()
    ref["variant_kind"] = refurbishment["variant_name"].to_numpy()
    # measures on element 1 of roof, wall, floor and window 1 (see the file's notes column)
    for e in ("roof_1", "wall_1"):
        ref[f"u_{e}_actual_w_per_m2k"] = refurbishment[f"u_{e}_w_per_m2k"].to_numpy()
    ref["u_floor_1_actual_w_per_m2k"] = refurbishment["u_floor_1_actual_w_per_m2k"].to_numpy()
    for col in ("u_window_1_w_per_m2k", "thermal_bridge_w_per_m2k", "infiltration_ach",
                "g_window_1_frac"):
        ref[col] = refurbishment[col].to_numpy()
    for col in [c for c in ref.columns if c.startswith("published_")]:
        ref[col] = np.nan
    return pd.concat([base, ref], ignore_index=True)


def tabula_balance_inputs(variants: pd.DataFrame, room_height_m: pd.Series) -> pd.DataFrame:
    """Engine inputs (:data:`~wijkreno.simulate.heat_balance.INPUT_COLUMNS`) of TABULA variants.

    Parameters
    ----------
    variants : pandas.DataFrame
        Rows as built inside :func:`validate_tabula` (typology columns plus
        ``u_<element>_actual_w_per_m2k``).
    room_height_m : pandas.Series
        TABULA's h_room per row [m] (ventilation volume = A_C_Ref * h_room).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``variants``, columns of ``INPUT_COLUMNS``; b-factors folded into the
        U-values (run with all engine b-factors = 1).
    """
    v = variants
    out = pd.DataFrame(index=v.index)
    out["heated_floor_area_m2"] = v["reference_floor_area_m2"]
    out["volume_m3"] = v["reference_floor_area_m2"] * room_height_m
    a_env_tabula = 0.0
    h = {}
    area = {}
    for group, elements in _GROUPS.items():
        area[group] = sum(v[f"{e}_area_m2"] for e in elements)
        h[group] = sum(v[f"b_{e}_frac"] * v[f"u_{e}_actual_w_per_m2k"] * v[f"{e}_area_m2"]
                       for e in elements)
        a_env_tabula = a_env_tabula + area[group]
    # the door is an opaque wall element with b = 1
    area["wall"] = area["wall"] + v["door_1_area_m2"]
    h["wall"] = h["wall"] + v["u_door_1_w_per_m2k"] * v["door_1_area_m2"]
    a_win_tabula = v["window_1_area_m2"] + v["window_2_area_m2"]
    a_env_tabula = a_env_tabula + v["door_1_area_m2"] + a_win_tabula
    h_win = (v["u_window_1_w_per_m2k"] * v["window_1_area_m2"]
             + v["u_window_2_w_per_m2k"] * v["window_2_area_m2"])
    g = (v["g_window_1_frac"] * v["window_1_area_m2"]
         + v["g_window_2_frac"] * v["window_2_area_m2"])

    def ratio(num: pd.Series, den: pd.Series) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / den, 0.0)

    out["roof_area_m2"] = area["roof"]
    out["ground_floor_area_m2"] = area["floor"]
    out["wall_area_n_m2"] = area["wall"]
    for o in ("e", "s", "w"):
        out[f"wall_area_{o}_m2"] = 0.0
    win_sum = 0.0
    for o in ("n", "e", "s", "w"):
        out[f"window_area_{o}_m2"] = v[f"window_{o}_area_m2"]
        win_sum = win_sum + v[f"window_{o}_area_m2"]
    out["party_wall_area_m2"] = 0.0
    out["annex_wall_area_m2"] = 0.0
    out["u_roof_w_per_m2k"] = ratio(h["roof"], area["roof"])
    out["u_wall_w_per_m2k"] = ratio(h["wall"], area["wall"])
    out["u_floor_w_per_m2k"] = ratio(h["floor"], area["floor"])
    out["u_window_w_per_m2k"] = ratio(h_win, win_sum)
    out["u_party_wall_w_per_m2k"] = 0.0
    out["g_window_frac"] = ratio(g, a_win_tabula)
    a_env_engine = area["roof"] + area["floor"] + area["wall"] + win_sum
    out["thermal_bridge_w_per_m2k"] = ratio(v["thermal_bridge_w_per_m2k"] * a_env_tabula,
                                            a_env_engine)
    out["infiltration_ach"] = v["infiltration_ach"]
    out["cellar_frac"] = 0.0
    out["party_wall_b_frac"] = 0.0
    out["c_m_wh_per_m2k"] = np.nan  # TABULA's one c_m of the boundary conditions (params)
    return out[list(INPUT_COLUMNS)]


def tabula_params(conditions_row: pd.Series, base: HeatBalanceParams | None = None
                  ) -> HeatBalanceParams:
    """Heat-balance parameters for one TABULA boundary-condition set (EU.SUH or EU.MUH)."""
    base = base or load_heat_balance_params()
    c = conditions_row
    return base.with_overrides(
        {
            "convention": "tabula",
            "theta_int_degc": float(c["theta_int_degc"]),
            "n_air_use_ach": float(c["n_air_use_ach"]),
            "phi_int_w_per_m2": float(c["phi_int_w_per_m2"]),
            "c_m_wh_per_m2k": float(c["c_m_wh_per_m2k"]),
            "f_sh_vert_frac": float(c["f_sh_vert_frac"]),
            "f_frame_frac": float(c["f_frame_frac"]),
            "f_w_frac": float(c["f_w_frac"]),
            "f_red_at_h_tr_1_frac": float(c["f_red_at_h_tr_1_frac"]),
            "f_red_at_h_tr_4_frac": float(c["f_red_at_h_tr_4_frac"]),
            # b-factors and cellar resistances are folded into the effective U-values
            "b_roof_frac": 1.0,
            "b_floor_ground_frac": 1.0,
            "b_floor_cellar_frac": 1.0,
            "r_add_cellar_m2k_per_w": 0.0,
            "b_annex_wall_frac": 1.0,
            "b_party_wall_frac": 0.0,
        }
    )


def validate_tabula(
    typology: pd.DataFrame,
    refurbishment: pd.DataFrame,
    conditions: pd.DataFrame,
    *,
    params: HeatBalanceParams | None = None,
) -> pd.DataFrame:
    """Run TABULA's Belgian variants through the engine's kernel and compare with TABULA.

    Parameters
    ----------
    typology : pandas.DataFrame
        From :func:`wijkreno.io.tabula.read_tabula_typology` (existing states, published
        results).
    refurbishment : pandas.DataFrame
        From :func:`wijkreno.io.tabula.read_tabula_refurbishment` (may be empty).
    conditions : pandas.DataFrame
        From :func:`wijkreno.io.tabula.read_tabula_conditions` (climate and boundary
        conditions per ``boundary_condition_code``).
    params : HeatBalanceParams, optional
        Base parameters (for ``a_h0_seasonal`` and ``tau_h0_seasonal_h``); TABULA's boundary
        conditions replace the rest.

    Returns
    -------
    pandas.DataFrame
        One row per variant: ``variant_code``, ``base_variant_code``, ``variant_kind``
        (``existing``, ``usual_refurbishment``, ``advanced_refurbishment``,
        ``synthetic_average``), ``boundary_condition_code``, ``reference_floor_area_m2``, each
        term of :data:`RESULT_TERMS` next to ``published_<term>``, ``q_h_nd_deviation_frac``
        (computed / published - 1) and ``within_tolerance`` (|deviation| <= 2 %; NaN-safe
        False where nothing is published).
    """
    params = params or load_heat_balance_params()
    v = _variants(typology, refurbishment)
    unknown = sorted(set(v["boundary_condition_code"]) - set(conditions.index))
    if unknown:
        raise InputError(
            f"TABULA variants use boundary conditions {unknown} that the conditions table "
            f"lacks (it has {sorted(conditions.index)})."
        )
    if (v["window_hor_area_m2"].fillna(0) > 0).any():
        raise InputError("TABULA variants with horizontal windows are not supported by the "
                         "engine's inputs (windows face N, E, S or W).")
    rows = []
    for code, group in v.groupby("boundary_condition_code", sort=True):
        cond = conditions.loc[code]
        p = tabula_params(cond, params)
        inputs = tabula_balance_inputs(group, pd.Series(float(cond["room_height_m"]),
                                                        index=group.index))
        x = pack_inputs(inputs, p)
        hours = np.array([float(cond["heating_days"]) * 24.0])
        isol = np.array([[cond["i_sol_n_kwh_per_m2"]], [cond["i_sol_e_kwh_per_m2"]],
                         [cond["i_sol_s_kwh_per_m2"]], [cond["i_sol_w_kwh_per_m2"]]],
                        dtype=np.float64)
        dth, tk, isol = period_constants(hours, np.array([float(cond["theta_e_degc"])]), isol,
                                          p.theta_int_degc)
        coef = balance_coefficients(p, seasonal=True)
        _, annual = run_balance(x, coef, dth, tk, isol, parallel=False, monthly=False)
        a = group["reference_floor_area_m2"].to_numpy(dtype=np.float64)
        h_tr, h_ve = annual[_k.O_H_TR], annual[_k.O_H_VE]
        q_ht = annual[_k.O_Q_HT]
        q_gn = annual[_k.O_Q_SOL] + annual[_k.O_Q_INT]
        tau = coef[_k.C_C_M] * a / (h_tr + h_ve)
        res = pd.DataFrame(index=group.index)
        res["h_tr_w_per_m2k"] = h_tr / a
        res["h_ve_w_per_m2k"] = h_ve / a
        res["f_red_frac"] = q_ht / ((h_tr + h_ve) * dth[0])
        res["q_ht_tr_kwh_per_m2"] = q_ht * h_tr / (h_tr + h_ve) / a
        res["q_ht_ve_kwh_per_m2"] = q_ht * h_ve / (h_tr + h_ve) / a
        res["q_ht_kwh_per_m2"] = q_ht / a
        res["q_sol_kwh_per_m2"] = annual[_k.O_Q_SOL] / a
        res["q_int_kwh_per_m2"] = annual[_k.O_Q_INT] / a
        res["tau_h"] = tau
        res["a_h"] = coef[_k.C_A0] + tau / coef[_k.C_TAU0]
        res["gamma"] = q_gn / q_ht
        res["eta_frac"] = annual[_k.O_Q_USED] / q_gn
        res["q_h_nd_kwh_per_m2"] = annual[_k.O_Q_NEED] / a
        rows.append(res)
    computed = pd.concat(rows).loc[v.index]
    out = v[["variant_code", "base_variant_code", "variant_kind", "boundary_condition_code",
             "reference_floor_area_m2"]].copy()
    for term in RESULT_TERMS:
        out[term] = computed[term]
        pub = f"published_{term}"
        out[pub] = v[pub] if pub in v.columns else np.nan
    out["q_h_nd_deviation_frac"] = (
        out["q_h_nd_kwh_per_m2"] / out["published_q_h_nd_kwh_per_m2"] - 1.0
    )
    out["within_tolerance"] = (out["q_h_nd_deviation_frac"].abs() <= TOLERANCE_FRAC).fillna(False)
    existing = out[out["variant_kind"] == "existing"]
    if len(existing):
        logger.info(
            "TABULA check: %d existing variants, max |deviation| of q_h_nd %.4f %%",
            len(existing), 100 * existing["q_h_nd_deviation_frac"].abs().max(),
        )
    return out.reset_index(drop=True)
