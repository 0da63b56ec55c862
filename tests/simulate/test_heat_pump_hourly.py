"""Heat-pump electricity per hour: COP, heating curve, capacity and back-up, hot water."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wijkreno.errors import InputError
from wijkreno.simulate.heat_pump_hourly import (
    cop_carnot,
    defrost_factor,
    dhw_day_profile_frac,
    dhw_heat_w,
    flow_temperature_degc,
    heat_pump_capacity_w,
    heat_pump_cop,
    heat_pump_electricity,
    load_heat_pump_hourly_params,
    residential_profile_frac,
)

P = load_heat_pump_hourly_params()
TIME = pd.date_range("2021-01-01", periods=8760, freq="h")


@pytest.mark.parametrize("model", ["regression", "carnot"])
@pytest.mark.parametrize("source", ["air_water", "ground"])
def test_cop_decreases_with_lift_and_is_bounded(model, source):
    sink = np.linspace(25.0, 70.0, 46)[:, None]
    theta_e = np.linspace(-15.0, 20.0, 36)[None, :]
    cop = heat_pump_cop(sink, theta_e, source, model=model)
    c = P.cop.common
    assert (cop >= c.cop_min.value).all() and (cop <= c.cop_max.value).all()
    assert (np.diff(cop, axis=0) <= 1e-12).all()  # hotter sink, larger lift: never a better COP
    if source == "ground":  # the source does not follow the air: no dependence on theta_e
        assert np.allclose(cop, cop[:, :1])


def test_carnot_by_hand():
    # 35 degC sink from 5 degC: 308.15 / 30 x 0.5
    assert cop_carnot(35.0, 5.0, 0.5) == pytest.approx(0.5 * 308.15 / 30.0)


def test_defrost_only_in_its_window():
    src = P.cop.air_water
    f = defrost_factor([-20.0, src.defrost_low_degc.value, src.defrost_peak_degc.value,
                        src.defrost_high_degc.value, 15.0], src)
    assert f == pytest.approx([1.0, 1.0, 1.0 - src.defrost_penalty_frac.value, 1.0, 1.0])
    assert (defrost_factor(np.linspace(-20, 20, 41), P.cop.ground) == 1.0).all()


def test_heating_curve():
    hc = P.heating_curve
    t = np.array([hc.design_outdoor_temperature_degc.value, 0.0, 10.0, 25.0])
    flow = flow_temperature_degc(t, np.array([55.0, 35.0]))
    assert flow[:, 0] == pytest.approx([55.0, 35.0])
    assert (np.diff(flow, axis=1) <= 0).all()
    assert flow[:, -1] == pytest.approx(hc.min_flow_temperature_degc.value)


def test_capacity_sizing_and_hybrid():
    t_des = P.heating_curve.design_outdoor_temperature_degc.value
    cap = heat_pump_capacity_w([10_000.0, 10_000.0, 1_000.0], [t_des], hybrid=[False, True,
                                                                                False])
    assert cap[:, 0] == pytest.approx([10_000.0, 10_000.0 * P.capacity.sizing_frac_hybrid.value,
                                       P.capacity.min_capacity_kw.value * 1000.0])


def _run(space, dhw, theta_e, **kw):
    n = space.shape[0]
    return heat_pump_electricity(space, dhw, theta_e, design_flow_degc=np.full(n, 50.0),
                                 design_load_w=np.full(n, 6000.0), **kw)


def test_backup_only_when_capacity_is_short_and_energy_conserved():
    theta_e = np.array([-8.0, -8.0, 0.0, 5.0, 12.0])
    space = np.array([[1000.0, 9000.0, 3000.0, 2000.0, 500.0],
                      [0.0, 0.0, 0.0, 0.0, 0.0]])
    dhw = np.array([[0.0, 1000.0, 0.0, 500.0, 0.0], [200.0, 0.0, 0.0, 0.0, 300.0]])
    r = _run(space, dhw, theta_e)
    cap = heat_pump_capacity_w(np.full(2, 6000.0), theta_e)
    short = (space + dhw) > cap
    assert short.sum() == 1 and short[0, 1]
    assert (r.backup_heat_w[~short] == 0).all()
    assert r.backup_heat_w[0, 1] == pytest.approx(10_000.0 - cap[0, 1])
    # heat balance: heat pump + back-up = demand; back-up electricity at COP 1
    assert np.allclose(r.heat_pump_heat_w + r.backup_heat_w, space + dhw)
    assert np.allclose(r.backup_electricity_w, r.backup_heat_w)
    # hot water first: the dwelling's DHW is fully covered, space heat gets the rest
    flow = flow_temperature_degc(theta_e, np.full(2, 50.0))
    cop_sh = heat_pump_cop(flow, theta_e[None, :])
    cop_dhw = heat_pump_cop(np.full(theta_e.shape, P.dhw.temperature_degc.value), theta_e)
    hp_dhw = np.minimum(dhw, cap)
    hp_sh = r.heat_pump_heat_w - hp_dhw
    assert np.allclose(r.heat_pump_electricity_w, hp_sh / cop_sh + hp_dhw / cop_dhw[None, :])
    assert np.allclose(r.electricity_w, r.heat_pump_electricity_w + r.backup_electricity_w)


def test_hybrid_backup_draws_no_electricity():
    theta_e = np.array([-8.0])
    r = _run(np.array([[8000.0]]), np.zeros((1, 1)), theta_e, hybrid=True)
    assert r.backup_heat_w[0, 0] > 0
    assert r.backup_electricity_w[0, 0] == 0.0


def test_bad_inputs():
    with pytest.raises(InputError, match="must both have shape"):
        _run(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros(3))
    with pytest.raises(InputError, match=">= 0"):
        _run(-np.ones((1, 3)), np.zeros((1, 3)), np.zeros(3))
    with pytest.raises(InputError, match="source"):
        _run(np.ones((1, 3)), np.zeros((1, 3)), np.zeros(3), source="water")


def test_dhw_profile_and_yearly_total():
    assert dhw_day_profile_frac().sum() == pytest.approx(1.0)
    w = dhw_heat_w(np.array([2000.0, 0.0]), TIME)
    assert w[0].sum() / 1000.0 == pytest.approx(2000.0 / P.dhw.storage_efficiency_frac.value)
    assert (w[1] == 0).all()
    assert w[0, 21] > w[0, 3]  # evening draw, no draw at night


def test_residential_profile():
    f = residential_profile_frac(TIME)
    assert f.sum() == pytest.approx(1.0) and (f > 0).all()
    top = TIME[np.argmax(f)]
    assert top.month in (1, 2, 11, 12) and 17 <= top.hour <= 20  # winter evening peak


def test_synthetic_weather_keeps_monthly_means_and_is_seeded():
    from wijkreno.simulate.climate import load_climate
    from wijkreno.simulate.synthetic_weather import synthetic_weather

    m = load_climate()
    w, meta = synthetic_weather(m)
    assert meta["synthetic"] and "SYNTHETIC" in meta["source"]
    month = w.index.month
    assert np.allclose(w["theta_e_degc"].groupby(month).mean(), m.theta_e_degc)
    assert np.allclose(w["ghi_w_per_m2"].groupby(month).sum() / 1000.0, m.ghi_kwh_per_m2,
                       rtol=1e-9)
    w2, _ = synthetic_weather(m)
    w3, _ = synthetic_weather(m, seed=1)
    assert w.equals(w2) and not np.allclose(w["theta_e_degc"], w3["theta_e_degc"])
    assert (w[["ghi_w_per_m2", "dni_w_per_m2", "dhi_w_per_m2"]] >= 0).all().all()


def test_real_uccle_epw_winter_peak_and_plausible_spf():
    from tests.conftest import shared_data
    from wijkreno.io.epw import read_epw

    weather, _ = read_epw(shared_data("climate_uccle", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    theta_e = weather["theta_e_degc"].to_numpy()
    # a 150 W/K dwelling heated to 20 degC with 1,500 kWh of hot water, 55 and 35 degC emitters
    space = np.clip(150.0 * (20.0 - theta_e), 0.0, None)[None, :].repeat(2, axis=0)
    dhw = dhw_heat_w(np.full(2, 1500.0), weather.index)
    r = heat_pump_electricity(space, dhw, theta_e, design_flow_degc=np.array([55.0, 35.0]),
                              design_load_w=np.full(2, 150.0 * 28.0))
    spf = (space + dhw).sum(axis=1) / r.electricity_w.sum(axis=1)
    assert 1.8 < spf[0] < spf[1] < 4.5  # low-temperature emitters do better
    peak_month = weather.index[r.electricity_w.argmax(axis=1)].month
    assert set(peak_month) <= {12, 1, 2}


@pytest.mark.parametrize("model", ["regression", "carnot"])
@pytest.mark.parametrize("parallel", [True, False])
def test_kernel_equals_numpy_reference(model, parallel):
    from wijkreno.simulate.heat_pump_hourly import run_heat_pumps

    rng = np.random.default_rng(7)
    n, h = 37, 24 * 20
    theta_e = rng.uniform(-15.0, 25.0, h)
    space = rng.gamma(1.0, 3000.0, (n, h)) * (rng.random((n, h)) < 0.8)
    dhw = rng.gamma(0.5, 800.0, (n, h)) * (rng.random((n, h)) < 0.3)
    kw = dict(design_flow_degc=rng.uniform(30.0, 70.0, n),
              design_load_w=rng.uniform(0.0, 15_000.0, n),
              source=rng.choice(["air_water", "ground"], n), hybrid=rng.random(n) < 0.3,
              model=model)
    ref = heat_pump_electricity(space, dhw, theta_e, **kw)
    fast = run_heat_pumps(space, dhw, theta_e, parallel=parallel, **kw)
    assert np.allclose(fast.electricity_w, ref.electricity_w, rtol=1e-12, atol=1e-9)
    assert np.allclose(fast.heat_pump_heat_kwh, ref.heat_pump_heat_w.sum(axis=1) / 1e3)
    assert np.allclose(fast.backup_heat_kwh, ref.backup_heat_w.sum(axis=1) / 1e3)
    assert np.allclose(fast.heat_pump_electricity_kwh,
                       ref.heat_pump_electricity_w.sum(axis=1) / 1e3)
    assert np.allclose(fast.backup_electricity_kwh, ref.backup_electricity_w.sum(axis=1) / 1e3)
    assert np.allclose(fast.peak_w, ref.electricity_w.max(axis=1))
    assert (fast.peak_hour == ref.electricity_w.argmax(axis=1)).all()


def test_parameter_file_errors(tmp_path):
    from wijkreno.params.models.heat_pump_hourly import PARAMS_FILE

    text = (Path(__file__).resolve().parents[2] / "wijkreno" / "params" / PARAMS_FILE).read_text()
    bad = tmp_path / "hp.toml"
    bad.write_text(text.replace("[cop.common]", "[cop.common]\nunknown_key = 1.0"))
    with pytest.raises(InputError, match="not valid"):
        load_heat_pump_hourly_params(bad)
    bad.write_text(text.replace('placeholder = true, replace_with = "field-measured defrost '
                                'losses of Belgian installations"', "placeholder = true"))
    with pytest.raises(InputError, match="replace_with"):
        load_heat_pump_hourly_params(bad)
    with pytest.raises(InputError, match="cannot read"):
        load_heat_pump_hourly_params(tmp_path / "missing.toml")
