"""Tests of the monthly heat balance: hand-worked case, kernel = NumPy reference, properties."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from wijkreno.errors import InputError
from wijkreno.simulate import _heat_balance_kernels as k
from wijkreno.simulate.climate import MonthlyClimate, load_climate
from wijkreno.simulate.heat_balance import (
    ANNUAL_COLUMNS,
    INPUT_COLUMNS,
    HeatBalanceParams,
    balance_coefficients,
    check_inputs,
    compute_heating_need,
    heating_need_arrays,
    heating_need_reference,
    load_heat_balance_params,
    pack_inputs,
    period_constants,
    reference_balance,
    run_balance,
)

PARAMS = load_heat_balance_params(overrides={"convention": "tabula"})  # hand-worked in TABULA terms
CLIMATE = load_climate()
AREA_COLUMNS = [c for c in INPUT_COLUMNS if c.endswith("_m2") or c.endswith("_m3")]
U_COLUMNS = [c for c in INPUT_COLUMNS if c.startswith("u_")] + ["thermal_bridge_w_per_m2k"]
HYP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def flat_climate(theta_e: float = 5.0, i_south: float = 50.0, hours: float = 720.0
                 ) -> MonthlyClimate:
    """Twelve identical months: easy to work out by hand."""
    vert = np.zeros((4, 12))
    vert[2] = i_south
    return MonthlyClimate(
        hours_h=np.full(12, hours), theta_e_degc=np.full(12, theta_e),
        ghi_kwh_per_m2=np.full(12, 30.0), i_sol_vertical_kwh_per_m2=vert,
        i_sol_roof_kwh_per_m2=np.zeros((4, 12)), roof_tilt_deg=37.5, source="test",
    )


def house(**changes: float) -> dict[str, float]:
    """The hand-worked dwelling (see test_hand_worked_dwelling)."""
    row = dict.fromkeys(INPUT_COLUMNS, 0.0)
    row.update(
        heated_floor_area_m2=100.0, volume_m3=250.0, roof_area_m2=60.0,
        ground_floor_area_m2=60.0, wall_area_n_m2=20.0, wall_area_e_m2=20.0,
        wall_area_s_m2=20.0, wall_area_w_m2=20.0, window_area_s_m2=10.0,
        u_roof_w_per_m2k=0.5, u_wall_w_per_m2k=1.0, u_floor_w_per_m2k=1.0,
        u_window_w_per_m2k=3.0, u_party_wall_w_per_m2k=1.5, g_window_frac=0.6,
        thermal_bridge_w_per_m2k=0.1, infiltration_ach=0.6, cellar_frac=0.0, c_m_wh_per_m2k=45.0,
    )
    row.update(changes)
    return row


def frame(rows: list[dict[str, float]], index=None) -> pd.DataFrame:
    return pd.DataFrame(rows, index=index)


def random_inputs(n: int, seed: int, zero_share: float = 0.1) -> pd.DataFrame:
    """Plausible random dwellings; some inputs set to exactly 0 to reach the edge branches."""
    rng = np.random.default_rng(seed)
    fa = rng.uniform(20, 400, n)
    d = {
        "heated_floor_area_m2": fa,
        "volume_m3": fa * rng.uniform(2.3, 3.2, n),
        "roof_area_m2": fa * rng.uniform(0.2, 0.9, n),
        "ground_floor_area_m2": fa * rng.uniform(0.2, 0.7, n),
        "party_wall_area_m2": rng.uniform(0, 120, n),
        "annex_wall_area_m2": rng.uniform(0, 30, n),
        "u_roof_w_per_m2k": rng.uniform(0.1, 4.0, n),
        "u_wall_w_per_m2k": rng.uniform(0.1, 2.5, n),
        "u_floor_w_per_m2k": rng.uniform(0.1, 1.5, n),
        "u_window_w_per_m2k": rng.uniform(0.5, 6.0, n),
        "u_party_wall_w_per_m2k": rng.uniform(0.3, 3.0, n),
        "g_window_frac": rng.uniform(0.2, 0.9, n),
        "thermal_bridge_w_per_m2k": rng.uniform(0.0, 0.2, n),
        "infiltration_ach": rng.uniform(0.05, 1.5, n),
        "cellar_frac": rng.uniform(0, 1, n),
        "party_wall_b_frac": rng.uniform(0, 1, n),
        "c_m_wh_per_m2k": rng.uniform(30.0, 75.0, n),
    }
    for o in "nesw":
        d[f"wall_area_{o}_m2"] = rng.uniform(0, 80, n)
        d[f"window_area_{o}_m2"] = rng.uniform(0, 40, n)
    df = pd.DataFrame(d)[list(INPUT_COLUMNS)]
    mask = rng.random(df.shape) < zero_share
    mask[:, [INPUT_COLUMNS.index("heated_floor_area_m2")]] &= rng.random((n, 1)) < 0.3
    return df.mask(mask, 0.0)


# --------------------------------------------------------------------------------------------
# hand-worked example


def test_hand_worked_dwelling() -> None:
    # H_tr = b U A summed + dU_tb A_env (EN ISO 13790 eq. 17/18):
    #   roof 1 * 0.5 * 60 = 30; floor on soil 0.5 * 1.0 * 60 = 30; walls 1.0 * 80 = 80;
    #   window 3.0 * 10 = 30; thermal bridges 0.1 * (60 + 60 + 80 + 10) = 21  -> 191 W/K
    # H_ve = 0.34 * (0.4 + 0.6) * 250 = 85 W/K                                  (eq. 21)
    # one month: t = 720 h, theta_e = 5, theta_i = 20:
    #   Q_ht = 276 * 15 * 720 / 1000 = 2980.8 kWh
    #   Q_sol = 0.6 * (1 - 0.3) * 0.9 * 0.6 * 10 m2 * 50 kWh/m2 = 113.4 kWh
    #   Q_int = 3 W/m2 * 100 m2 * 720 h / 1000 = 216 kWh; Q_gn = 329.4 kWh
    #   gamma = 329.4 / 2980.8 = 0.1105072; tau = 45 * 100 / 276 = 16.30435 h
    #   a = 1 + 16.30435 / 15 = 2.086957                                       (eq. 54)
    #   eta = (1 - gamma^a) / (1 - gamma^(a+1)) = 0.9910211                       (eq. 52)
    #   Q_H,nd = 2980.8 - 0.9910211 * 329.4 = 2654.358 kWh per month -> 31852.29 kWh a year
    r = compute_heating_need(frame([house()]), climate=flat_climate(), params=PARAMS,
                             monthly=True)
    row = r.iloc[0]
    assert row["h_tr_w_per_k"] == pytest.approx(191.0, rel=1e-12)
    assert row["h_ve_w_per_k"] == pytest.approx(85.0, rel=1e-12)
    assert row["heat_loss_kwh"] == pytest.approx(12 * 2980.8, rel=1e-12)
    assert row["solar_gain_kwh"] == pytest.approx(12 * 113.4, rel=1e-12)
    assert row["internal_gain_kwh"] == pytest.approx(12 * 216.0, rel=1e-12)
    assert row["utilisation_frac"] == pytest.approx(0.9910211, rel=1e-6)
    assert row["heating_need_m01_kwh"] == pytest.approx(2654.358, rel=1e-6)
    assert row["heating_need_kwh"] == pytest.approx(31852.29, rel=1e-6)
    assert row["heating_need_kwh_per_m2"] == pytest.approx(318.5229, rel=1e-6)
    assert row["dhw_need_kwh"] == pytest.approx(10.0 * 100, rel=1e-12)
    assert bool(row["valid"])


def test_adjustment_factors_by_hand() -> None:
    clim = flat_climate()
    base = compute_heating_need(frame([house()]), climate=clim).iloc[0]["h_tr_w_per_k"]
    # party wall 40 m2, U 1.5: heated neighbour (b = 0) adds nothing, b = 0.5 adds 30 W/K
    r = compute_heating_need(
        frame([house(party_wall_area_m2=40.0), house(party_wall_area_m2=40.0,
                                                     party_wall_b_frac=0.5),
               house(party_wall_area_m2=40.0, party_wall_b_frac=np.nan)]), climate=clim)
    assert r["h_tr_w_per_k"].tolist() == pytest.approx([base, base + 30.0, base])
    # annex wall 10 m2 (U_wall 1.0, b 0.5): + 5 W/K plus thermal bridges 0.1 * 10
    r = compute_heating_need(frame([house(annex_wall_area_m2=10.0)]), climate=clim)
    assert r["h_tr_w_per_k"].iloc[0] == pytest.approx(base + 5.0 + 1.0)
    # floor fully over a cellar: 0.5 * 1/(1/1.0 + 0.3) * 60 = 23.0769 instead of 30
    r = compute_heating_need(frame([house(cellar_frac=1.0)]), climate=clim)
    assert r["h_tr_w_per_k"].iloc[0] == pytest.approx(base - 30.0 + 0.5 * 60 / 1.3)


def test_dhw_multi_unit_uses_muh_figure() -> None:
    df = frame([house(), house()])
    df["typology"] = ["terraced", "apartment_building"]
    r = compute_heating_need(df, climate=flat_climate(), params=PARAMS)
    assert r["dhw_need_kwh"].tolist() == pytest.approx([1000.0, 1500.0])


# --------------------------------------------------------------------------------------------
# kernel = NumPy reference


@HYP
@given(n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1),
       zero_share=st.sampled_from([0.0, 0.1, 0.5]))
def test_kernel_equals_reference_random(n: int, seed: int, zero_share: float) -> None:
    df = random_inputs(n, seed, zero_share)
    fast = heating_need_arrays(df, climate=CLIMATE, params=PARAMS)
    slow = heating_need_reference(df, climate=CLIMATE, params=PARAMS)
    scale = np.nanmax(np.abs(slow.heat_loss_kwh)) + 1.0
    for name in ("heating_need_kwh", "h_tr_w_per_k", "h_ve_w_per_k", "heat_loss_kwh",
                 "solar_gain_kwh", "internal_gain_kwh", "dhw_need_kwh"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-9,
                                   atol=1e-12 * scale, err_msg=name)
    np.testing.assert_allclose(fast.heating_need_monthly_kwh, slow.heating_need_monthly_kwh,
                               rtol=1e-9, atol=1e-12 * scale)
    np.testing.assert_allclose(fast.utilisation_frac, slow.utilisation_frac, rtol=1e-9,
                               atol=1e-12)


@HYP
@given(seed=st.integers(0, 2**32 - 1), theta_e=st.floats(-10, 25),
       f1=st.floats(0.5, 1.0), f4=st.floats(0.5, 1.0), seasonal=st.booleans(),
       i_sol=st.floats(0, 500))
def test_kernel_equals_reference_any_coefficients(seed, theta_e, f1, f4, seasonal, i_sol) -> None:
    """Both engines on TABULA-like settings too: reduction factor, seasonal a/tau, one period."""
    x = pack_inputs(random_inputs(25, seed), PARAMS)
    p = PARAMS.with_overrides({"f_red_at_h_tr_1_frac": f1, "f_red_at_h_tr_4_frac": f4})
    coef = balance_coefficients(p, seasonal=seasonal)
    hours = np.array([5040.0, 744.0])
    isol = np.array([[0.3], [0.6], [1.0], [0.6]]) * np.array([[i_sol, i_sol / 7]])
    dth, tk, isol = period_constants(hours, np.array([theta_e, theta_e + 10]), isol, 20.0)
    for parallel in (True, False):
        need, annual = run_balance(x, coef, dth, tk, isol, parallel=parallel)
        need_ref, annual_ref = reference_balance(x, coef, dth, tk, isol)
        scale = np.abs(annual_ref[k.O_Q_HT]).max() + 1.0
        np.testing.assert_allclose(need, need_ref, rtol=1e-9, atol=1e-12 * scale)
        np.testing.assert_allclose(annual, annual_ref, rtol=1e-9, atol=1e-12 * scale)


def test_gamma_near_one_and_large_gamma_agree() -> None:
    """eta branches (gamma < 1, ~1, > 1) are continuous: no jump around gamma = 1."""
    a = 2.3
    gammas = np.array([0.5, 1 - 2e-6, 1 - 5e-7, 1.0, 1 + 5e-7, 1 + 2e-6, 2.0, 1e6])
    frac = np.array([k.need_fraction(g, a) for g in gammas])
    assert frac[1:6] == pytest.approx(1 / (a + 1), rel=1e-5)
    assert np.all(frac >= 0) and np.all(np.diff(frac) <= 1e-12)
    assert frac[-1] == pytest.approx(0.0, abs=1e-12)
    # eq. (52) directly for gamma = 0.5
    eta = (1 - 0.5 ** a) / (1 - 0.5 ** (a + 1))
    assert frac[0] == pytest.approx(1 - eta * 0.5, rel=1e-12)


def test_vectorised_log_and_exp_match_numpy() -> None:
    """The kernel's own log/exp (vectorisable) are as accurate as libm to a few ulp."""
    from numba import njit

    @njit(error_model="numpy")
    def apply(xs, ys, out_log, out_exp):
        for i in range(xs.shape[0]):
            out_log[i] = k.log_unit(xs[i])
            out_exp[i] = k.exp_nonpositive(ys[i])

    rng = np.random.default_rng(0)
    xs = np.concatenate([np.exp(rng.uniform(-690, 0, 20000)), rng.uniform(0.5, 1.0, 20000),
                         [1.0, 0.5, 1e-300, np.nextafter(1.0, 0.0)]])
    ys = np.concatenate([rng.uniform(-700, 0, 20000), rng.uniform(-1, 0, 20000),
                         [0.0, -1e-300, -700.0, -1.0]])
    out_log, out_exp = np.empty_like(xs), np.empty_like(ys)
    apply(xs, ys, out_log, out_exp)
    ref_log = np.log(xs)
    np.testing.assert_allclose(out_log, ref_log, rtol=2e-15, atol=1e-300)
    assert np.max(np.abs(out_log - ref_log)) < 1e-12
    np.testing.assert_allclose(out_exp, np.exp(ys), rtol=1e-15)


# --------------------------------------------------------------------------------------------
# properties


@HYP
@given(seed=st.integers(0, 2**32 - 1))
def test_need_is_non_negative(seed: int) -> None:
    r = heating_need_arrays(random_inputs(30, seed), climate=CLIMATE)
    assert np.all(r.heating_need_monthly_kwh >= 0.0)
    assert np.all(r.heating_need_kwh >= 0.0)
    assert np.all(r.utilisation_frac[np.isfinite(r.utilisation_frac)] <= 1.0 + 1e-12)


@HYP
@given(seed=st.integers(0, 2**32 - 1), column=st.sampled_from(U_COLUMNS + ["infiltration_ach"]),
       factor=st.floats(0.0, 1.0))
def test_lower_u_never_raises_need(seed: int, column: str, factor: float) -> None:
    df = random_inputs(20, seed)
    before = heating_need_arrays(df, climate=CLIMATE).heating_need_monthly_kwh
    df[column] = df[column] * factor
    after = heating_need_arrays(df, climate=CLIMATE).heating_need_monthly_kwh
    assert np.all(after <= before * (1 + 1e-12) + 1e-9)


@HYP
@given(seed=st.integers(0, 2**32 - 1), g_factor=st.floats(1.0, 3.0),
       phi=st.floats(3.0, 10.0), sun=st.floats(1.0, 3.0))
def test_more_gains_never_raise_need(seed: int, g_factor: float, phi: float, sun: float) -> None:
    df = random_inputs(20, seed)
    before = heating_need_arrays(df, climate=CLIMATE, params=PARAMS).heating_need_monthly_kwh
    df["g_window_frac"] = np.minimum(df["g_window_frac"] * g_factor, 1.0)
    sunny = MonthlyClimate(
        hours_h=CLIMATE.hours_h, theta_e_degc=CLIMATE.theta_e_degc,
        ghi_kwh_per_m2=CLIMATE.ghi_kwh_per_m2,
        i_sol_vertical_kwh_per_m2=CLIMATE.i_sol_vertical_kwh_per_m2 * sun,
        i_sol_roof_kwh_per_m2=CLIMATE.i_sol_roof_kwh_per_m2, roof_tilt_deg=37.5, source="x",
    )
    p = PARAMS.with_overrides({"phi_int_w_per_m2": phi})
    after = heating_need_arrays(df, climate=sunny, params=p).heating_need_monthly_kwh
    assert np.all(after <= before * (1 + 1e-12) + 1e-9)


def test_zero_area_gives_zero_need() -> None:
    row = house(**dict.fromkeys(AREA_COLUMNS, 0.0))
    r = compute_heating_need(frame([row]), climate=CLIMATE, monthly=True)
    assert bool(r["valid"].iloc[0])
    assert r["heating_need_kwh"].iloc[0] == 0.0
    assert (r.filter(like="heating_need_m").to_numpy() == 0.0).all()
    assert np.isnan(r["heating_need_kwh_per_m2"].iloc[0])


@HYP
@given(seed=st.integers(0, 2**32 - 1))
def test_permuting_rows_permutes_results(seed: int) -> None:
    df = random_inputs(15, seed)
    perm = np.random.default_rng(seed).permutation(len(df))
    a = compute_heating_need(df, climate=CLIMATE)
    b = compute_heating_need(df.iloc[perm], climate=CLIMATE)
    pd.testing.assert_frame_equal(a.iloc[perm], b)


def test_index_kept_and_columns() -> None:
    df = random_inputs(4, 1)
    df.index = pd.Index(["a", "b", "c", "d"], name="dwelling_id")
    r = compute_heating_need(df, climate=CLIMATE, monthly=True)
    assert r.index.equals(df.index)
    assert list(r.columns[: len(ANNUAL_COLUMNS)]) == list(ANNUAL_COLUMNS)
    monthly = r[[f"heating_need_m{m:02d}_kwh" for m in range(1, 13)]].sum(axis=1)
    np.testing.assert_allclose(monthly, r["heating_need_kwh"], rtol=1e-12)


def test_empty_input() -> None:
    r = compute_heating_need(random_inputs(3, 0).iloc[:0], climate=CLIMATE)
    assert len(r) == 0 and list(r.columns) == list(ANNUAL_COLUMNS)


def test_serial_equals_parallel() -> None:
    df = random_inputs(500, 7)
    a = heating_need_arrays(df, climate=CLIMATE, parallel=True)
    b = heating_need_arrays(df, climate=CLIMATE, parallel=False)
    np.testing.assert_allclose(a.heating_need_monthly_kwh, b.heating_need_monthly_kwh, rtol=1e-12)


def test_real_climate_summer_months_small() -> None:
    r = compute_heating_need(frame([house()]), climate=CLIMATE, monthly=True).iloc[0]
    jan, jul = r["heating_need_m01_kwh"], r["heating_need_m07_kwh"]
    assert jan > 10 * jul and jan > 0


# --------------------------------------------------------------------------------------------
# invalid inputs


def test_invalid_rows_reported_with_counts(caplog: pytest.LogCaptureFixture) -> None:
    rows = [
        house(),
        house(u_wall_w_per_m2k=np.nan),
        house(roof_area_m2=-5.0),
        house(u_window_w_per_m2k=12.0, g_window_frac=1.5),
        house(volume_m3=np.inf),
        house(),
    ]
    with caplog.at_level(logging.WARNING):
        r = compute_heating_need(frame(rows), climate=CLIMATE)
    assert r["valid"].tolist() == [True, False, False, False, False, True]
    assert r.loc[~r["valid"], "heating_need_kwh"].isna().all()
    assert r.loc[~r["valid"], "h_tr_w_per_k"].isna().all()
    assert r.loc[r["valid"], "heating_need_kwh"].notna().all()
    assert r.attrs["invalid_counts"] == {
        "missing:u_wall_w_per_m2k": 1,
        "negative:roof_area_m2": 1,
        "above_max:u_window_w_per_m2k": 1,
        "above_max:g_window_frac": 1,
        "infinite:volume_m3": 1,
    }
    assert "4 of 6 rows rejected" in caplog.text


def test_check_inputs_counts_each_reason() -> None:
    x = pack_inputs(frame([house(cellar_frac=2.0), house(cellar_frac=-1.0), house()]))
    valid, counts = check_inputs(x)
    assert valid.tolist() == [False, False, True]
    assert counts == {"negative:cellar_frac": 1, "above_max:cellar_frac": 1}


def test_missing_column_raises() -> None:
    df = frame([house()]).drop(columns=["u_roof_w_per_m2k"])
    with pytest.raises(InputError, match="u_roof_w_per_m2k"):
        compute_heating_need(df)


def test_packed_matrix_shape_checked() -> None:
    with pytest.raises(InputError, match="shape"):
        heating_need_arrays(np.zeros((3, 5)))


# --------------------------------------------------------------------------------------------
# parameters


def test_params_have_sources_and_reject_unknown(tmp_path) -> None:
    p = load_heat_balance_params()
    fields = set(HeatBalanceParams.model_fields) - {"sources"}
    assert set(p.sources) == fields
    assert all(len(s) > 10 for s in p.sources.values())
    with pytest.raises(InputError, match="not_a_parameter"):
        load_heat_balance_params(overrides={"not_a_parameter": 1.0})
    with pytest.raises(InputError, match="f_frame_frac"):
        p.with_overrides({"f_frame_frac": 1.5})
    assert p.with_overrides({"theta_int_degc": 18.0}).theta_int_degc == 18.0
    with pytest.raises(ValidationError):  # frozen
        p.theta_int_degc = 1.0  # type: ignore[misc]
    bad = tmp_path / "p.toml"
    bad.write_text("[balance.theta_int_degc]\nvalue = 20.0\n")
    with pytest.raises(InputError, match="source"):
        load_heat_balance_params(bad)


def test_lower_setpoint_lowers_need() -> None:
    df = random_inputs(10, 3)
    a = heating_need_arrays(df, climate=CLIMATE, params=PARAMS).heating_need_kwh
    b = heating_need_arrays(df, climate=CLIMATE,
                            params=PARAMS.with_overrides({"theta_int_degc": 18.0}))
    assert np.all(b.heating_need_kwh <= a + 1e-9)
