"""Hourly 5R1C engine: kernel against the NumPy reference, a hand-worked steady state,
properties, capacity classes and error paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import shared_data
from wijkreno.errors import InputError
from wijkreno.simulate.heat_balance import REQUIRED_COLUMNS, compute_heating_need
from wijkreno.simulate.hourly import (
    SOLAR_CLASSES,
    HourlyClimate,
    build_network,
    cuda_available,
    load_hourly_params,
    simulate_hourly,
    simulate_hourly_reference,
    thermal_capacity_class,
    thermal_capacity_j_per_k,
)


def synthetic_climate(n_h: int = 240, seed: int = 0, *, temp=None, sun: float = 1.0,
                      sky: bool = False):
    """A small hourly climate: a daily cycle of temperature and sun, tz-aware; with ``sky`` an
    apparent sky temperature 5-25 K below the air (clear nights colder)."""
    rng = np.random.default_rng(seed)
    time = pd.date_range("2021-01-01", periods=n_h, freq="h", tz="Etc/GMT-1")
    hour = np.asarray(time.hour)
    day = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    if temp is None:
        temp = 5 + 6 * day + rng.normal(0, 2, n_h)
    irr = sun * np.outer(rng.uniform(50, 600, len(SOLAR_CLASSES)), day)
    temp = np.broadcast_to(temp, (n_h,)).copy()
    sky_temp = temp - rng.uniform(5.0, 25.0, n_h) if sky else None
    return HourlyClimate(time=time, temp_out_degc=temp, irradiance_w_per_m2=irr, latitude=50.8,
                         longitude=4.35, source="synthetic", sky_temp_degc=sky_temp)


def dwellings(n: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({c: rng.uniform(0.0, 1.0, n) for c in REQUIRED_COLUMNS})
    d["heated_floor_area_m2"] = rng.uniform(50, 250, n)
    d["volume_m3"] = d["heated_floor_area_m2"] * 2.6
    d["roof_area_m2"] = rng.uniform(30, 120, n)
    d["ground_floor_area_m2"] = rng.uniform(30, 120, n)
    for o in "nesw":
        d[f"wall_area_{o}_m2"] = rng.uniform(5, 40, n)
        d[f"window_area_{o}_m2"] = rng.uniform(0.5, 8, n)
    d["party_wall_area_m2"] = rng.uniform(0, 40, n)
    d["annex_wall_area_m2"] = rng.uniform(0, 10, n)
    d["u_wall_w_per_m2k"] = rng.uniform(0.2, 2.0, n)
    d["u_roof_w_per_m2k"] = rng.uniform(0.15, 2.5, n)
    d["u_floor_w_per_m2k"] = rng.uniform(0.2, 1.5, n)
    d["u_window_w_per_m2k"] = rng.uniform(1.0, 5.0, n)
    d["thermal_bridge_w_per_m2k"] = rng.uniform(0.0, 0.15, n)
    d["infiltration_ach"] = rng.uniform(0.1, 1.2, n)
    d["tabula_period"] = rng.choice(["01", "02", "03", "04", "05", "06"], n)
    d["typology"] = rng.choice(["detached", "terraced", "apartment_building"], n)
    d.index = pd.Index([f"w{i:03d}" for i in range(n)], name="dwelling_id")
    return d


FAST = {"warmup_h": 48}


def _kernels_and_reference(d, climate, params, **kwargs):
    """The parallel and the serial kernel, each checked hour by hour against the NumPy
    reference (heating, cooling, indoor temperature); returns (parallel, serial, reference)."""
    fast = simulate_hourly(d, climate, params, **kwargs)
    one = simulate_hourly(d, climate, params, parallel=False, **kwargs)
    ref = simulate_hourly_reference(d, climate, params, **kwargs)
    scale = np.abs(ref.heating_w).max() + np.abs(ref.cooling_w).max() + 1.0
    for r in (fast, one):
        np.testing.assert_allclose(r.heating_w, ref.heating_w, rtol=1e-9, atol=1e-9 * scale)
        np.testing.assert_allclose(r.cooling_w, ref.cooling_w, rtol=1e-9, atol=1e-9 * scale)
        np.testing.assert_allclose(r.indoor_temp_degc, ref.indoor_temp_degc, rtol=1e-9,
                                   atol=1e-9)
    return fast, one, ref


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"cooling_setpoint_degc": 24.0},
        {"setback": "night", "cooling_setpoint_degc": 26.0},
        {"setback": (15.0, 22, 6), "heating_setpoint_degc": 21.0},
        {"free_float": True},
    ],
)
def test_kernel_equals_numpy_reference(kwargs):
    climate = synthetic_climate()
    d = dwellings()
    params = load_hourly_params(overrides=FAST)
    fast, one, ref = _kernels_and_reference(d, climate, params, **kwargs)
    for r in (fast, one):
        np.testing.assert_allclose(r.annual_heating_kwh, ref.annual_heating_kwh, rtol=1e-9,
                                   atol=1e-9)
        np.testing.assert_allclose(r.peak_heating_w, ref.peak_heating_w, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(r.mean_temp_degc, ref.mean_temp_degc, rtol=1e-9)
        np.testing.assert_allclose(r.min_temp_degc, ref.min_temp_degc, rtol=1e-9)
        np.testing.assert_allclose(r.max_temp_degc, ref.max_temp_degc, rtol=1e-9)
    # the reported peak hour holds the peak (ties between equal hours aside)
    rows = np.arange(len(d))
    has = fast.peak_heating_hour >= 0
    np.testing.assert_allclose(fast.heating_w[rows[has], fast.peak_heating_hour[has]],
                               fast.peak_heating_w[has], rtol=1e-12)
    if kwargs.get("free_float"):
        assert np.all(fast.annual_heating_kwh == 0) and np.all(fast.annual_cooling_kwh == 0)
        assert np.all(fast.peak_heating_hour == -1)


@pytest.mark.parametrize(
    "kwargs", [{}, {"cooling_setpoint_degc": 24.0, "setback": "night"}, {"free_float": True}])
def test_kernel_equals_reference_with_the_weather_sky_and_a_case_convective_share(kwargs):
    """Delta theta_er hour by hour from the climate's sky temperature, and 40 % of the internal
    gains to the air node (ASHRAE 140's split) instead of eq. (C.1)'s 50 %."""
    climate = synthetic_climate(sky=True)
    d = dwellings(20, seed=7)
    params = load_hourly_params(overrides={**FAST, "sky_temperature_model": "weather",
                                           "internal_gain_convective_frac": 0.4})
    fast, _, _ = _kernels_and_reference(d, climate, params, **kwargs)
    # both choices act: the constant 11 K and eq. (C.1)'s 0.5 give other temperatures
    base = simulate_hourly(d, climate, load_hourly_params(overrides=FAST), **kwargs)
    assert (np.abs(base.heating_w - fast.heating_w).max()
            + np.abs(base.indoor_temp_degc - fast.indoor_temp_degc).max()) > 0.01


def test_weather_sky_at_a_constant_difference_equals_the_constant_model():
    climate = synthetic_climate(120, seed=3)
    params = load_hourly_params(overrides=FAST)
    k = params.delta_theta_er_k
    sky = HourlyClimate(time=climate.time, temp_out_degc=climate.temp_out_degc,
                        irradiance_w_per_m2=climate.irradiance_w_per_m2, latitude=50.8,
                        longitude=4.35, source="synthetic",
                        sky_temp_degc=climate.temp_out_degc - k)
    d = dwellings(8)
    a = simulate_hourly(d, climate, params)
    b = simulate_hourly(d, sky, params.with_overrides({"sky_temperature_model": "weather"}))
    np.testing.assert_allclose(a.heating_w, b.heating_w, rtol=1e-12, atol=1e-9)
    # a colder sky raises the need, never lowers it
    colder = HourlyClimate(time=climate.time, temp_out_degc=climate.temp_out_degc,
                           irradiance_w_per_m2=climate.irradiance_w_per_m2, latitude=50.8,
                           longitude=4.35, source="synthetic",
                           sky_temp_degc=climate.temp_out_degc - 2 * k)
    c = simulate_hourly(d, colder, params.with_overrides({"sky_temperature_model": "weather"}))
    assert np.all(c.annual_heating_kwh > a.annual_heating_kwh)


def test_sky_temperature_from_the_horizontal_infrared_radiation():
    from wijkreno.simulate.hourly import STEFAN_BOLTZMANN_W_PER_M2K4, sky_temperature_degc

    ir = STEFAN_BOLTZMANN_W_PER_M2K4 * (273.15 - 10.0) ** 4
    weather = pd.DataFrame({"theta_e_degc": [0.0, 5.0, 5.0],
                            "ir_horizontal_w_per_m2": [ir, 9999.0, 0.0]})
    np.testing.assert_allclose(sky_temperature_degc(weather, 11.0), [-10.0, -6.0, -6.0])
    assert sky_temperature_degc(weather[["theta_e_degc"]], 11.0) is None
    with pytest.raises(InputError, match="sky_temp_degc"):
        HourlyClimate(time=pd.date_range("2021-01-01", periods=3, freq="h", tz="Etc/GMT-1"),
                      temp_out_degc=np.zeros(3), irradiance_w_per_m2=np.zeros((13, 3)),
                      latitude=50.8, longitude=4.35, source="x",
                      sky_temp_degc=np.array([0.0, np.nan, 0.0]))


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(1, 9),
    n_h=st.integers(30, 90),
    warmup=st.integers(0, 30),
    cooling=st.sampled_from([None, 22.0, 30.0]),
    setback=st.sampled_from([None, "night", (12.0, 1, 5)]),
)
def test_kernel_equals_reference_on_random_inputs(seed, n, n_h, warmup, cooling, setback):
    climate = synthetic_climate(n_h, seed=seed % 97)
    d = dwellings(n, seed=seed)
    params = load_hourly_params(overrides={"warmup_h": warmup})
    kw = {"cooling_setpoint_degc": cooling, "setback": setback}
    fast = simulate_hourly(d, climate, params, **kw)
    ref = simulate_hourly_reference(d, climate, params, **kw)
    scale = np.abs(ref.heating_w).max() + np.abs(ref.cooling_w).max() + 1.0
    np.testing.assert_allclose(fast.heating_w, ref.heating_w, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(fast.cooling_w, ref.cooling_w, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(fast.indoor_temp_degc, ref.indoor_temp_degc, rtol=1e-9,
                               atol=1e-9)
    lean = simulate_hourly(d, climate, params, return_hourly=False, **kw)
    np.testing.assert_allclose(lean.annual_heating_kwh, ref.annual_heating_kwh, rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(lean.peak_cooling_w, ref.peak_cooling_w, rtol=1e-9, atol=1e-6)


def test_return_hourly_false_gives_the_same_annual_figures():
    climate = synthetic_climate()
    d = dwellings()
    params = load_hourly_params(overrides=FAST)
    full = simulate_hourly(d, climate, params, cooling_setpoint_degc=25.0)
    lean = simulate_hourly(d, climate, params, cooling_setpoint_degc=25.0, return_hourly=False)
    assert lean.heating_w is None and lean.indoor_temp_degc is None
    np.testing.assert_array_equal(lean.annual_heating_kwh, full.annual_heating_kwh)
    np.testing.assert_array_equal(lean.peak_cooling_hour, full.peak_cooling_hour)
    np.testing.assert_allclose(full.heating_w.sum(axis=1) / 1000, full.annual_heating_kwh)


# --- a hand-worked steady state ---------------------------------------------------------------


def _box() -> pd.DataFrame:
    """A 10 x 10 m single-storey box: walls 4 x 27 m2 of which 3 m2 window per side."""
    row = dict.fromkeys(REQUIRED_COLUMNS, 0.0)
    row.update(
        heated_floor_area_m2=100.0, volume_m3=270.0, roof_area_m2=100.0,
        ground_floor_area_m2=100.0, u_roof_w_per_m2k=0.2, u_wall_w_per_m2k=0.5,
        u_floor_w_per_m2k=0.4, u_window_w_per_m2k=2.0, g_window_frac=0.6,
        infiltration_ach=0.3, thermal_bridge_w_per_m2k=0.0, cellar_frac=0.0,
    )
    for o in "nesw":
        row[f"wall_area_{o}_m2"] = 24.0
        row[f"window_area_{o}_m2"] = 3.0
    return pd.DataFrame([row], index=pd.Index(["box"]))


def test_hand_worked_steady_state():
    """Constant 0 degC outside, no sun, air held at 20 degC: after the warm-up every hour is the
    network's steady state, worked out by hand from the three node balances.

    Conductances (ISO 13790):
      H_tr,w  = 2.0 * 12 = 24 W/K; H_tr,op = roof 0.2*100 + floor 0.5 (b) * 0.4 * 100
              + walls 0.5 * 96 = 88 W/K (eq. 17-18);
      H_ve    = 0.34 Wh/(m3 K) * (0.4 + 0.3) 1/h * 250 m3 = 59.5 W/K (eq. 21), on the net
              volume 100 m2 * 2.5 m of the default 'epb' convention (not the gross 270 m3);
      A_t     = 4.5 * 100 = 450 m2, H_tr,is = 3.45 * 450 = 1552.5 W/K (eq. 9);
      medium class: A_m = 2.5 * 100 = 250 m2, H_tr,ms = 9.1 * 250 = 2275 W/K (eq. 64);
      H_tr,em = 1 / (1/88 - 1/2275) (eq. 63), so H_tr,ms and H_tr,em in series are 88 W/K.
    Gains: Phi_int = 3 W/m2 * 100 = 300 W (flat profile); sky radiation (eq. 46)
      Phi_r = 0.04 * 4.5 * 11 * (0.5 * (48 + 24) + 1.0 * 20) = 110.88 W, Phi_sol = -Phi_r;
      Phi_ia = 150 W; Phi_m = 250/450 * (150 - 110.88) (C.2);
      Phi_st = (1 - 250/450 - 24 / (9.1 * 450)) * (150 - 110.88) (C.3).
    Steady state: mass node theta_m = (H_ms theta_s + Phi_m) / (H_ms + H_em); surface node
      H_is (20 - theta_s) + Phi_st + (1 - 88/2275) Phi_m - (88 + 24) theta_s = 0;
      air node Phi_HC = H_ve 20 + H_is (20 - theta_s) - Phi_ia.
    """
    n_h = 24 * 40
    climate = synthetic_climate(n_h, temp=0.0, sun=0.0)
    params = load_hourly_params(overrides={"internal_gain_profile_frac": (1.0,) * 24,
                                           "warmup_h": 24 * 30})
    r = simulate_hourly(_box(), climate, params, heating_setpoint_degc=20.0)
    h_is, h_ms, h_op, h_w, h_ve = 1552.5, 2275.0, 88.0, 24.0, 59.5
    phi_r = 110.88
    share = 150.0 - phi_r
    phi_m = 250.0 / 450.0 * share
    phi_st = (1 - 250.0 / 450.0 - 24.0 / (9.1 * 450.0)) * share
    theta_s = (20.0 * h_is + phi_st + (1 - h_op / h_ms) * phi_m) / (h_is + h_op + h_w)
    expected = h_ve * 20.0 + h_is * (20.0 - theta_s) - 150.0
    # 3188.99 W with the gross 270 m3; the net volume takes (64.26 - 59.5) * 20 = 95.2 W off
    assert expected == pytest.approx(3093.79, abs=0.01)
    np.testing.assert_allclose(r.heating_w[0, -48:], expected, rtol=1e-9)
    np.testing.assert_allclose(r.indoor_temp_degc[0, -48:], 20.0, atol=1e-9)
    np.testing.assert_allclose(r.annual_cooling_kwh, 0.0)
    # energy balance: what the nodes receive leaves through ventilation, windows and the
    # mass path. Note the split (C.1)-(C.3) hands on only Phi_ia + Phi_m + Phi_st, i.e. it
    # drops the share H_tr,w / (9.1 A_t) of the non-convective gains, as the standard writes it
    h_em = 1.0 / (1.0 / h_op - 1.0 / h_ms)
    theta_m = (h_ms * theta_s + phi_m) / (h_ms + h_em)
    lost = h_ve * 20.0 + h_w * theta_s + h_em * theta_m
    received = r.heating_w[0, -1] + 150.0 + phi_m + phi_st
    assert received == pytest.approx(lost, rel=1e-9)
    net = build_network(_box(), params)
    assert net.h_tr_w_w_per_k[0] == pytest.approx(h_w)
    assert net.h_tr_op_w_per_k[0] == pytest.approx(h_op)
    assert net.h_ve_w_per_k[0] == pytest.approx(h_ve)
    assert net.h_tr_is_w_per_k[0] == pytest.approx(h_is)
    assert net.h_tr_ms_w_per_k[0] == pytest.approx(h_ms)
    assert net.phi_r_w_per_k[0] * params.delta_theta_er_k == pytest.approx(phi_r)


def test_constant_outdoor_temperature_converges_to_the_steady_state():
    """Free floating under a constant outdoor temperature and constant gains, from a warm
    start: the air temperature settles at the solution of the three node balances."""
    climate = synthetic_climate(24 * 80, temp=-3.0, sun=0.0)
    params = load_hourly_params(overrides={
        "warmup_h": 0, "theta_m_start_degc": 25.0, "internal_gain_profile_frac": (1.0,) * 24})
    d = dwellings(12)
    d["thermal_capacity_class"] = ["very_heavy", "very_light"] * 6
    r = simulate_hourly(d, climate, params, free_float=True)
    net = build_network(d, params)
    te = -3.0
    phi_int = params.balance.phi_int_w_per_m2 * net.floor_area_m2
    share = 0.5 * phi_int - net.phi_r_w_per_k * params.delta_theta_er_k
    phi_m = net.a_m_m2 / net.a_t_m2 * share
    phi_st = (1 - net.a_m_m2 / net.a_t_m2
              - net.h_tr_w_w_per_k / (9.1 * net.a_t_m2)) * share
    for i in range(len(d)):
        h_ve, h_is, h_w = net.h_ve_w_per_k[i], net.h_tr_is_w_per_k[i], net.h_tr_w_w_per_k[i]
        h_ms, h_em = net.h_tr_ms_w_per_k[i], net.h_tr_em_w_per_k[i]
        a = np.array([[h_ve + h_is, -h_is, 0.0],
                      [-h_is, h_is + h_w + h_ms, -h_ms],
                      [0.0, -h_ms, h_ms + h_em]])
        rhs = np.array([h_ve * te + 0.5 * phi_int[i], h_w * te + phi_st[i],
                        h_em * te + phi_m[i]])
        theta_air = np.linalg.solve(a, rhs)[0]
        assert r.indoor_temp_degc[i, -1] == pytest.approx(theta_air, abs=1e-6)
    # the heavy ones cool down more slowly from the warm start
    assert np.all(r.indoor_temp_degc[0::2, 24] > r.indoor_temp_degc[1::2, 24])


def test_hourly_and_monthly_engines_share_the_transmission_coefficient():
    d = dwellings(25)
    net = build_network(d)
    monthly = compute_heating_need(d)
    np.testing.assert_allclose(net.h_tr_w_w_per_k + net.h_tr_op_w_per_k,
                               monthly["h_tr_w_per_k"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(net.h_ve_w_per_k, monthly["h_ve_w_per_k"].to_numpy(),
                               rtol=1e-12)


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    factor=st.floats(0.05, 1.0),
    column=st.sampled_from(["u_wall_w_per_m2k", "u_roof_w_per_m2k", "u_window_w_per_m2k",
                            "u_floor_w_per_m2k"]),
)
def test_more_insulation_never_raises_the_heating_need(seed, factor, column):
    climate = synthetic_climate(24 * 6, seed=seed % 7)
    params = load_hourly_params(overrides={"warmup_h": 48})
    d = dwellings(16, seed=seed)
    better = d.copy()
    better[column] = d[column] * factor
    a = simulate_hourly(d, climate, params, return_hourly=False, setback="night")
    b = simulate_hourly(better, climate, params, return_hourly=False, setback="night")
    assert np.all(b.annual_heating_kwh <= a.annual_heating_kwh * (1 + 1e-12) + 1e-9)


def test_permuting_rows_permutes_results_and_keeps_the_index():
    climate = synthetic_climate()
    params = load_hourly_params(overrides=FAST)
    d = dwellings(30)
    perm = np.random.default_rng(3).permutation(len(d))
    a = simulate_hourly(d, climate, params, cooling_setpoint_degc=25.0)
    b = simulate_hourly(d.iloc[perm], climate, params, cooling_setpoint_degc=25.0)
    assert list(b.index) == list(d.index[perm])
    np.testing.assert_array_equal(b.annual_heating_kwh, a.annual_heating_kwh[perm])
    np.testing.assert_array_equal(b.heating_w, a.heating_w[perm])
    frame = b.annual_frame()
    assert frame.index.equals(d.index[perm])


def test_heavier_construction_lowers_the_peak_after_a_setback():
    climate = synthetic_climate(24 * 20, temp=-5.0, sun=0.0)
    params = load_hourly_params(overrides=FAST)
    d = pd.concat([_box(), _box()])
    d.index = pd.Index(["light", "heavy"])
    d["thermal_capacity_class"] = ["very_light", "very_heavy"]
    r = simulate_hourly(d, climate, params, setback="night")
    assert r.peak_heating_w[1] < r.peak_heating_w[0]


# --- thermal capacity ---------------------------------------------------------------------------


def test_thermal_capacity_classes_and_precedence():
    params = load_hourly_params()
    d = pd.DataFrame({
        "heated_floor_area_m2": [100.0, 100.0, 100.0, 100.0, 100.0],
        "tabula_period": ["01", "04", "04", None, "06"],
        "typology": ["detached", "detached", "apartment_building", "terraced", "terraced"],
        "thermal_capacity_class": [None, None, None, None, "very_light"],
    }, index=pd.Index(list("abcde")))
    cls = thermal_capacity_class(d, params)
    assert list(cls) == ["heavy", "medium", "heavy", "medium", "very_light"]
    c_m = thermal_capacity_j_per_k(d, params)
    assert c_m.index.equals(d.index)
    # ISO 13790 Table 12: 260 000 / 165 000 / 80 000 J/(m2 K) times 100 m2
    assert c_m.tolist() == [2.6e7, 1.65e7, 2.6e7, 1.65e7, 8.0e6]
    by_year = pd.DataFrame({"heated_floor_area_m2": [50.0, 50.0],
                            "construction_year": [1930, 1999]})
    assert list(thermal_capacity_class(by_year, params)) == ["heavy", "medium"]
    given_c = d.assign(thermal_capacity_j_per_k=[1.0e6, np.nan, np.nan, np.nan, np.nan])
    assert thermal_capacity_j_per_k(given_c, params).iloc[0] == 1.0e6


def test_unknown_capacity_class_is_refused():
    d = pd.DataFrame({"heated_floor_area_m2": [80.0], "thermal_capacity_class": ["granite"]})
    with pytest.raises(InputError, match="granite"):
        thermal_capacity_class(d)


# --- errors and rejected rows ---------------------------------------------------------------


def test_rejected_rows_are_nan_and_counted():
    d = dwellings(6)
    d.loc[d.index[1], "u_wall_w_per_m2k"] = np.nan
    d.loc[d.index[3], "heated_floor_area_m2"] = 0.0
    r = simulate_hourly(d, synthetic_climate(), load_hourly_params(overrides=FAST))
    assert list(r.valid) == [True, False, True, False, True, True]
    assert np.isnan(r.annual_heating_kwh[[1, 3]]).all()
    assert np.isnan(r.heating_w[1]).all()
    assert np.isfinite(r.annual_heating_kwh[[0, 2, 4, 5]]).all()
    assert r.invalid_counts["missing:u_wall_w_per_m2k"] == 1
    assert r.invalid_counts["not_positive:heated_floor_area_m2"] == 1


def test_error_paths():
    climate = synthetic_climate()
    d = dwellings(3)
    with pytest.raises(InputError, match="columns"):
        simulate_hourly(d.drop(columns=["u_wall_w_per_m2k"]), climate)
    with pytest.raises(InputError, match="cooling set-point"):
        simulate_hourly(d, climate, cooling_setpoint_degc=18.0)
    with pytest.raises(InputError, match="setback"):
        simulate_hourly(d, climate, setback="weekend")
    with pytest.raises(InputError, match="backend"):
        simulate_hourly(d, climate, backend="tpu")
    with pytest.raises(InputError, match="HourlyClimate"):
        simulate_hourly(d, {"temp": [1, 2]})
    with pytest.raises(InputError, match="UTC offset"):
        HourlyClimate(time=pd.date_range("2021-01-01", periods=3, freq="h"),
                      temp_out_degc=np.zeros(3), irradiance_w_per_m2=np.zeros((13, 3)),
                      latitude=0.0, longitude=0.0, source="x")
    with pytest.raises(InputError, match="warmup"):
        simulate_hourly(d, synthetic_climate(24), load_hourly_params(overrides={"warmup_h": 48}))
    with pytest.raises(InputError, match="average 1"):
        load_hourly_params(overrides={"internal_gain_profile_frac": (2.0,) * 24})
    if not cuda_available():
        with pytest.raises(InputError, match="CUDA"):
            simulate_hourly(d, climate, backend="cuda")


def test_auto_backend_uses_the_cpu_without_a_gpu():
    if cuda_available():
        pytest.skip("a CUDA GPU is present; 'auto' picks it (covered by test_hourly_cuda)")
    r = simulate_hourly(dwellings(3), synthetic_climate(), load_hourly_params(overrides=FAST),
                        backend="auto")
    assert r.backend == "cpu"


# --- real climate ----------------------------------------------------------------------------


@pytest.mark.realdata
def test_uccle_epw_gives_a_plausible_hourly_climate_and_need():
    from wijkreno.io.epw import read_epw
    from wijkreno.simulate.hourly import hourly_climate_from_epw

    path = shared_data("climate_uccle", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
    climate = hourly_climate_from_epw(read_epw(path))
    assert climate.n_hours == 8760
    assert climate.time.tz is not None
    assert climate.time[0].utcoffset() == pd.Timedelta(hours=1)
    annual = dict(zip(climate.classes, climate.irradiance_w_per_m2.sum(axis=1) / 1000,
                      strict=True))
    # Uccle: about 1000-1150 kWh/m2 on the horizontal; south facade > east/west > north;
    # the glazing passes less than the plane receives
    assert 950 < annual["horizontal"] < 1200
    assert annual["vertical_s"] > annual["vertical_e"] > annual["vertical_n"]
    assert 0.8 < annual["window_s"] / annual["vertical_s"] < 0.95
    d = dwellings(20)
    r = simulate_hourly(d, climate, return_hourly=False)
    # the coldest hours of the TMYx year fall in winter, and the peaks with them
    months = climate.time.month[r.peak_heating_hour]
    assert set(months) <= {1, 2, 3, 11, 12}
    monthly = compute_heating_need(d)["heating_need_kwh"].to_numpy()
    ratio = r.annual_heating_kwh / monthly
    assert np.all((ratio > 0.6) & (ratio < 1.3))
