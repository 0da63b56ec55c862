"""Tests of the energy-systems stage: known answers, kernel = NumPy reference, properties."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkreno.errors import InputError
from wijkreno.simulate.params import default_system_params, load_system_params
from wijkreno.simulate.systems import (
    INVALID_REASONS,
    RESULT_COLUMNS,
    compute_energy_arrays,
    compute_energy_results,
    energy_results_reference,
    epc_label,
    run_systems_kernel,
    seasonal_cop,
    system_tables,
)
from wijkreno.twin.schema import HEATING_SYSTEMS

# Round numbers so the hand calculation below is readable; independent of the packaged defaults.
HAND_PARAMS = {
    "heating_systems": {
        "gas_condensing_boiler": {
            "generation_efficiency": 0.9,
            "distribution_efficiency": 1.0,
            "emission_efficiency": 0.9,
            "control_efficiency": 1.0,
            "auxiliary_electricity_frac": 0.01,
        }
    },
    "dhw_systems": {"gas_combi_boiler": {"efficiency": 0.75}},
    "primary_energy_factors": {"gas": 1.0, "electricity": 2.5},
    "prices_eur_per_kwh": {"gas": 0.10, "electricity": 0.30},
    "fixed_fee_eur_per_year": {"gas": 100.0, "electricity": 0.0},
    "co2_flemish": {"gas": 0.23, "electricity": 0.22},
    "co2_com": {"gas": 0.202, "electricity": 0.20},
}


def test_hand_worked_gas_condensing_boiler():
    p = load_system_params(overrides=HAND_PARAMS)
    dw = pd.DataFrame(
        {"heating_system": ["gas_condensing_boiler"], "heated_floor_area_m2": [120.0]},
        index=pd.Index(["adr-7"], name="dwelling"),
    )
    r = compute_energy_results(dw, np.array([13500.0]), np.array([1500.0]), params=p).iloc[0]
    # heat at the generator: 13500 / (0.9 emission x 1.0 x 1.0)       = 15000 kWh
    # gas for heating:       15000 / 0.9 generation                    = 16666.667 kWh
    # auxiliaries:           0.01 x 15000                              = 150 kWh electricity
    # gas for hot water:     1500 / 0.75                               = 2000 kWh
    gas = 15000 / 0.9 + 2000
    assert r.final_gas_kwh == pytest.approx(18666.6667, abs=1e-3)
    assert r.final_electricity_kwh == pytest.approx(150.0)
    assert r.auxiliary_electricity_kwh == pytest.approx(150.0)
    assert r.final_oil_kwh == 0.0 and r.final_wood_kwh == 0.0
    # primary, gas on GCV (EPB): 18666.667 x 1.108 x 1.0 + 150 x 2.5   = 21057.667 kWh
    assert r.primary_energy_kwh == pytest.approx(21057.6667, abs=1e-3)
    # score: 21057.667 / 120 m2                                          = 175.48 -> label B
    assert r.epc_score_kwh_per_m2 == pytest.approx(175.4806, abs=1e-3)
    assert r.epc_label == "B"
    # gas on gross calorific value (meters, bills): 18666.667 x 1.108     = 20682.667 kWh GCV
    assert r.final_gas_gcv_kwh == pytest.approx(20682.6667, abs=1e-3)
    # cost, gas billed per kWh GCV: 20682.667 x 0.10 + 150 x 0.30 + 100  = 2213.267 EUR
    assert r.energy_cost_eur == pytest.approx(2213.2667, abs=1e-3)
    # CO2 Flemish: 0.23 x 18666.667 + 0.22 x 150 = 4293.333 + 33         = 4326.333 kg
    assert r.co2_flemish_kg_co2 == pytest.approx(4326.3333, abs=1e-3)
    # CO2 CoM:     0.202 x 18666.667 + 0.20 x 150 = 3770.667 + 30        = 3800.667 kg
    assert r.co2_com_kg_co2 == pytest.approx(3800.6667, abs=1e-3)
    assert r.final_gas_kwh == pytest.approx(gas)
    assert r.heating_system == "gas_condensing_boiler" and r.dhw_system == "gas_combi_boiler"
    assert bool(r.valid) and r.invalid_reason == ""


def test_hand_worked_heat_pump_interpolates_scop():
    p = load_system_params(overrides={
        "heating_systems": {"heat_pump_air_water": {
            "distribution_efficiency": 1.0, "emission_efficiency": 1.0,
            "control_efficiency": 1.0, "auxiliary_electricity_frac": 0.0,
            "scop": {"supply_temperature_degc": [35.0, 55.0], "value": [4.0, 3.0]},
        }},
        "dhw_systems": {"heat_pump_boiler": {"efficiency": 2.5}},
    })
    dw = pd.DataFrame({"heating_system": ["heat_pump_air_water"] * 3,
                       "heated_floor_area_m2": [100.0] * 3})
    r = compute_energy_results(dw, np.full(3, 7000.0), np.full(3, 2500.0), params=p,
                               emitter_temperature_degc=np.array([30.0, 45.0, 70.0]))
    # 45 degC lies halfway: SCOP 3.5 -> 2000 kWh; beyond the ends the curve is flat.
    np.testing.assert_allclose(r.final_electricity_kwh, [7000 / 4 + 1000, 2000 + 1000,
                                                         7000 / 3 + 1000])
    assert (r.final_gas_kwh == 0).all()


@pytest.mark.parametrize(
    ("score", "label"),
    [(-0.001, "A+"), (-50.0, "A+"), (0.0, "A"), (99.99, "A"), (100.0, "A"), (100.001, "B"),
     (200.0, "B"), (200.5, "C"), (300.0, "C"), (400.0, "D"), (400.1, "E"), (500.0, "E"),
     (500.001, "F"), (1200.0, "F")],
)
def test_label_boundaries(score, label):
    assert epc_label(score)[0] == label


def test_label_is_ordered_categorical_with_nan():
    lab = epc_label(np.array([650.0, np.nan, 50.0]))
    assert lab.ordered and list(lab.categories) == ["A+", "A", "B", "C", "D", "E", "F"]
    assert lab[0] == "F" and pd.isna(lab[1]) and lab[2] == "A"
    assert lab[2] < lab[0]


def _random_inputs(data, n):
    floats = st.floats(0.0, 60000.0, allow_nan=False)
    need = np.array(data.draw(st.lists(floats, min_size=n, max_size=n)))
    dhw = np.array(data.draw(st.lists(st.floats(0.0, 8000.0), min_size=n, max_size=n)))
    area = np.array(data.draw(st.lists(st.floats(1.0, 800.0), min_size=n, max_size=n)))
    code = np.array(data.draw(st.lists(st.integers(0, len(HEATING_SYSTEMS) - 1), min_size=n,
                                       max_size=n)), dtype=np.int64)
    n_d = len(default_system_params().dhw_system_names)
    dcode = np.array(data.draw(st.lists(st.integers(0, n_d - 1), min_size=n, max_size=n)),
                     dtype=np.int64)
    temp = np.array(data.draw(st.lists(st.floats(20.0, 80.0), min_size=n, max_size=n)))
    solar = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    valid = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return need, dhw, area, code, dcode, temp, solar, valid


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(1, 40), parallel=st.booleans())
def test_kernel_equals_numpy_reference(data, n, parallel):
    t = system_tables()
    args = _random_inputs(data, n)
    got = run_systems_kernel(*args, t, parallel=parallel)
    want = energy_results_reference(*args, t)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9, equal_nan=True)
    assert np.isnan(got[~args[-1]]).all()
    assert np.isfinite(got[args[-1]]).all()


@settings(max_examples=40, deadline=None)
@given(
    system=st.sampled_from([s for s in HEATING_SYSTEMS]),
    eff=st.floats(0.5, 0.99),
    gain=st.floats(0.0, 0.3),
    need=st.floats(0.0, 50000.0),
)
def test_higher_efficiency_never_raises_final_energy(system, eff, gain, need):
    sysp = default_system_params().heating_systems[system]
    lo = load_system_params(overrides={"heating_systems": {system: {
        "generation_efficiency": eff, "emission_efficiency": eff}}})
    hi = load_system_params(overrides={"heating_systems": {system: {
        "generation_efficiency": min(eff + gain, 1.0),
        "emission_efficiency": min(eff + gain, 1.0)}}})
    args = (np.array([need]), np.array([2000.0]), np.array([100.0]),
            np.array([HEATING_SYSTEMS.index(system)]))
    a = compute_energy_arrays(*args, params=lo)
    b = compute_energy_arrays(*args, params=hi)
    for col in ("final_gas_kwh", "final_oil_kwh", "final_electricity_kwh", "primary_energy_kwh"):
        assert b[col][0] <= a[col][0] + 1e-9
    assert sysp.generation_efficiency.value > 0


@pytest.mark.parametrize("system", ["heat_pump_air_water", "heat_pump_ground", "hybrid_heat_pump"])
def test_heat_pump_cop_falls_with_emitter_temperature(system):
    temps = np.arange(25.0, 75.0, 2.5)
    cop = seasonal_cop(system, temps)
    assert (np.diff(cop) <= 0).all() and cop[0] > cop[-1]
    n = len(temps)
    r = compute_energy_arrays(np.full(n, 10000.0), np.full(n, 2000.0), np.full(n, 100.0),
                              np.full(n, HEATING_SYSTEMS.index(system)),
                              emitter_temperature_degc=temps)
    assert (np.diff(r["final_electricity_kwh"]) >= 0).all()
    assert r["final_electricity_kwh"][-1] > r["final_electricity_kwh"][0]


def test_ground_beats_air_and_heat_pump_beats_boiler():
    n = len(HEATING_SYSTEMS)
    r = compute_energy_arrays(np.full(n, 12000.0), np.full(n, 2000.0), np.full(n, 100.0),
                              np.arange(n), emitter_temperature_degc=45.0)
    score = dict(zip(HEATING_SYSTEMS, r["epc_score_kwh_per_m2"], strict=True))
    assert score["heat_pump_ground"] < score["heat_pump_air_water"] < score["gas_boiler"]
    assert score["gas_condensing_boiler"] < score["gas_boiler"]
    assert score["electric_resistance"] > score["gas_condensing_boiler"]  # PEF 2.5


def test_invalid_rows_reported_with_counts(caplog):
    dw = pd.DataFrame(
        {
            "heating_system": ["gas_boiler", "coal_stove", None, "heat_pump_ground",
                               "oil_boiler", "gas_boiler", "gas_boiler"],
            "heated_floor_area_m2": [100.0, 100.0, 100.0, 100.0, 0.0, 100.0, 100.0],
            "dhw_system": [None, None, None, None, None, "geyser", "electric_boiler"],
            "emitter_temperature_degc": [55.0, 55.0, 55.0, np.nan, 55.0, 55.0, np.nan],
        },
        index=[5, 3, 9, 1, 7, 2, 8],
    )
    need = np.array([9000.0, 9000.0, 9000.0, 9000.0, 9000.0, 9000.0, np.nan])
    with caplog.at_level(logging.WARNING, logger="wijkreno.simulate.systems"):
        r = compute_energy_results(dw, need, np.full(7, 1500.0))
    assert list(r.index) == [5, 3, 9, 1, 7, 2, 8]
    assert r.valid.tolist() == [True, False, False, False, False, False, False]
    assert r.invalid_reason.tolist() == [
        "", INVALID_REASONS[1], INVALID_REASONS[1], INVALID_REASONS[6], INVALID_REASONS[5],
        INVALID_REASONS[2], INVALID_REASONS[3],
    ]
    assert r.loc[~r.valid, list(RESULT_COLUMNS)].isna().all().all()
    assert r.loc[5, "final_gas_kwh"] > 0
    assert "6 of 7 dwellings not computed" in caplog.text
    assert "unknown or missing heating_system: 2" in caplog.text
    # A non-heat-pump dwelling does not need an emitter temperature (row 8 fails on its need).
    assert r.loc[8, "dhw_system"] == "electric_boiler"


def test_solar_water_heater_and_explicit_dhw_system():
    dw = pd.DataFrame({"heating_system": ["gas_boiler"] * 3,
                       "heated_floor_area_m2": [100.0] * 3,
                       "dhw_system": ["gas_combi_boiler", "electric_boiler", "gas_combi_boiler"],
                       "solar_water_heater": [False, False, True]})
    p = default_system_params()
    r = compute_energy_results(dw, np.zeros(3), np.full(3, 2000.0), params=p)
    eff_gas = p.dhw_systems["gas_combi_boiler"].efficiency.value
    eff_el = p.dhw_systems["electric_boiler"].efficiency.value
    f = p.settings.solar_water_heater_frac.value
    np.testing.assert_allclose(r.final_gas_kwh, [2000 / eff_gas, 0.0, 2000 * (1 - f) / eff_gas])
    np.testing.assert_allclose(r.final_electricity_kwh, [0.0, 2000 / eff_el, 0.0])


def test_input_errors():
    dw = pd.DataFrame({"heating_system": ["gas_boiler"]})
    with pytest.raises(InputError, match="heated_floor_area_m2"):
        compute_energy_results(dw, np.ones(1), np.ones(1))
    dw["heated_floor_area_m2"] = 100.0
    with pytest.raises(InputError, match="has shape"):
        compute_energy_results(dw, np.ones(2), np.ones(1))


def test_empty_frame():
    dw = pd.DataFrame({"heating_system": pd.Series([], dtype=object),
                       "heated_floor_area_m2": pd.Series([], dtype=float)})
    r = compute_energy_results(dw, np.zeros(0), np.zeros(0))
    assert len(r) == 0 and "epc_label" in r.columns


def test_params_overrides_and_validation(tmp_path):
    p = load_system_params(overrides={"primary_energy_factors": {"electricity": 1.8}})
    assert p.primary_energy_factors.electricity == 1.8
    user = tmp_path / "mine.toml"
    user.write_text('[heating_systems.gas_boiler]\ngeneration_efficiency = 0.85\n')
    q = load_system_params(user)
    assert q.heating_systems["gas_boiler"].generation_efficiency.value == 0.85
    assert q.heating_systems["gas_boiler"].generation_efficiency.source == "user override"
    with pytest.raises(InputError, match="must not rise"):
        load_system_params(overrides={"heating_systems": {"heat_pump_ground": {
            "scop": {"value": [3.0, 4.0, 5.0]}}}})
    with pytest.raises(InputError, match="typo_key"):
        load_system_params(overrides={"settings": {"typo_key": 1}})
    with pytest.raises(InputError, match="does not exist"):
        load_system_params(tmp_path / "absent.toml")


def test_every_packaged_value_has_a_source():
    p = default_system_params()
    for name, s in p.heating_systems.items():
        for field in ("generation_efficiency", "distribution_efficiency", "emission_efficiency",
                      "control_efficiency", "heat_pump_share", "auxiliary_electricity_frac"):
            v = getattr(s, field)
            assert v.source and v.date, (name, field)
    assert p.primary_energy_factors.electricity == 2.5
    assert (p.co2_flemish.gas, p.co2_flemish.oil, p.co2_flemish.electricity) == (0.23, 0.33, 0.22)
    assert (p.co2_com.gas, p.co2_com.oil) == (0.202, 0.267)
