"""The fused engine kernel (heat balance + hot water + systems in one pass) against the NumPy
references of both stages, the two-stage kernel path, its checks and its threads."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.simulate.test_heat_balance import random_inputs
from wijkreno.errors import InputError
from wijkreno.simulate import _engine_kernels as ek
from wijkreno.simulate.climate import load_climate
from wijkreno.simulate.engine import simulate_arrays
from wijkreno.simulate.heat_balance import (
    INPUT_COLUMNS,
    dhw_need_epw_kwh,
    heating_need_arrays,
    heating_need_reference,
    load_heat_balance_params,
    pack_inputs,
)
from wijkreno.simulate.params import default_system_params
from wijkreno.simulate.systems import (
    RESULT_COLUMNS,
    _default_dhw_codes,
    _invalid_reason_codes,
    compute_energy_arrays,
    energy_results_reference,
    system_tables,
)
from wijkreno.twin.schema import HEATING_SYSTEMS

PARAMS = load_heat_balance_params()
SYSTEMS = default_system_params()
TABLES = system_tables(SYSTEMS)
N_H = len(HEATING_SYSTEMS)
N_D = len(SYSTEMS.dhw_system_names)
FLOOR = INPUT_COLUMNS.index("heated_floor_area_m2")
VOLUME = INPUT_COLUMNS.index("volume_m3")
HYP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def spoil(x: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """Put NaN, inf, negative and too-large values into a share of the rows."""
    x = x.copy()
    for i in np.flatnonzero(rng.random(x.shape[0]) < share):
        j = rng.integers(0, x.shape[1])
        x[i, j] = rng.choice([np.nan, np.inf, -np.inf, -1.0, 1e3 if j >= 14 else -5.0])
    return x


def case(n: int, seed: int, bad_share: float = 0.15) -> dict:
    """Packed envelopes and per-dwelling system inputs, a share of them unusable."""
    rng = np.random.default_rng(seed)
    x = pack_inputs(random_inputs(n, seed), PARAMS)
    x[rng.random(n) < 0.05, FLOOR] = 0.0  # valid for the balance, not for the systems
    x = spoil(x, rng, bad_share)
    h_code = rng.integers(0, N_H, n)
    h_code[rng.random(n) < bad_share / 3] = rng.choice([-1, N_H])
    d_code = rng.integers(0, N_D, n)
    d_code[rng.random(n) < 0.3] = -1  # the heating system's default
    d_code[rng.random(n) < bad_share / 3] = rng.choice([-2, N_D])
    temp = rng.uniform(30.0, 70.0, n)
    temp[rng.random(n) < bad_share / 3] = np.nan
    solar = rng.uniform(0.0, 1.0, n)
    solar[rng.random(n) < bad_share / 3] = rng.choice([-0.1, 1.5, np.nan])
    multi = rng.random(n) < 0.4
    return {"x": x, "heating_code": h_code, "dhw_code": d_code, "emitter": temp,
            "solar": solar, "multi_unit": multi}


def references(c: dict) -> dict[str, np.ndarray]:
    """The NumPy references of both stages chained as the two-stage engine chains them."""
    x = c["x"]
    n = x.shape[0]
    with np.errstate(all="ignore"):  # the reference computes the rejected rows too
        hb = heating_need_reference(x, params=PARAMS, multi_unit=c["multi_unit"])
    h_code = c["heating_code"].astype(np.int64)
    d_code = c["dhw_code"]
    d_code = np.where(d_code == -1, _default_dhw_codes(h_code, TABLES), d_code)
    temp = np.broadcast_to(np.asarray(c["emitter"], dtype=np.float64), (n,))
    solar = np.broadcast_to(np.asarray(c["solar"], dtype=np.float64), (n,))
    floor = x[:, FLOOR]
    reason = _invalid_reason_codes(TABLES, hb.heating_need_kwh, hb.dhw_need_kwh, floor, h_code,
                                   d_code, temp, solar)
    ok = reason == 0
    table = energy_results_reference(hb.heating_need_kwh, hb.dhw_need_kwh, floor, h_code,
                                     d_code, temp, solar, ok, TABLES)
    ref = {col: table[:, j] for j, col in enumerate(RESULT_COLUMNS)}
    ref.update(valid=ok & hb.valid, invalid_reason_code=reason,
               heating_need_kwh=hb.heating_need_kwh, dhw_need_kwh=hb.dhw_need_kwh)
    ref["final_gas_gcv_kwh"] = ref["final_gas_kwh"] * SYSTEMS.settings.gas_gcv_per_ncv.value
    return ref


def fused(c: dict, **kw) -> dict[str, np.ndarray]:
    return simulate_arrays(c["x"], c["heating_code"], dhw_code=c["dhw_code"],
                           emitter_temperature_degc=c["emitter"], dhw_solar_frac=c["solar"],
                           multi_unit=c["multi_unit"], heat_params=PARAMS,
                           system_params=SYSTEMS, **kw)


def assert_same(got: dict, want: dict, rtol: float) -> None:
    assert list(got) == list(want)
    np.testing.assert_array_equal(got["valid"], want["valid"])
    np.testing.assert_array_equal(got["invalid_reason_code"], want["invalid_reason_code"])
    assert got["invalid_reason_code"].dtype == np.int8
    for col in (*RESULT_COLUMNS, "heating_need_kwh", "dhw_need_kwh"):
        np.testing.assert_allclose(got[col], want[col], rtol=rtol, atol=1e-9, equal_nan=True,
                                   err_msg=col)
    bad = ~got["valid"]
    for col in RESULT_COLUMNS:
        assert np.isnan(got[col][bad]).all() and np.isfinite(got[col][~bad]).all(), col


@HYP
@given(n=st.integers(1, 1200), seed=st.integers(0, 2**32 - 1),
       bad=st.sampled_from([0.0, 0.2, 0.8]), uniform=st.booleans())
def test_fused_equals_both_numpy_references(n, seed, bad, uniform):
    """All rows, valid or not, across block boundaries (BLOCK = 512), one or many emitter
    temperatures and solar fractions."""
    c = case(n, seed, bad)
    if uniform:
        c["emitter"], c["solar"] = 45.0, 0.25
    got = fused(c)
    assert_same(got, references(c), rtol=1e-9)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 1500), seed=st.integers(0, 2**32 - 1))
def test_fused_equals_two_stage_kernels(n, seed):
    """Same figures as heating_need_arrays followed by compute_energy_arrays (the two-stage
    numba path): bit for bit but for the order of the heat balance's month sums (none)."""
    c = case(n, seed)
    hb = heating_need_arrays(c["x"], params=PARAMS, monthly=False, multi_unit=c["multi_unit"])
    two = compute_energy_arrays(hb.heating_need_kwh, hb.dhw_need_kwh, c["x"][:, FLOOR],
                                c["heating_code"], c["dhw_code"], c["emitter"], c["solar"],
                                params=SYSTEMS)
    two["heating_need_kwh"] = hb.heating_need_kwh
    two["dhw_need_kwh"] = hb.dhw_need_kwh
    two["valid"] = two["valid"] & hb.valid
    two["final_gas_gcv_kwh"] = two["final_gas_kwh"] * SYSTEMS.settings.gas_gcv_per_ncv.value
    assert_same(fused(c), two, rtol=1e-15)


def test_serial_equals_parallel_bit_for_bit():
    c = case(5000, 11)
    a = fused(c, parallel=True)
    b = fused(c, parallel=False)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_invalid_rows_propagate_with_reasons(caplog):
    c = case(6, 5, bad_share=0.0)
    x, h, d = c["x"], c["heating_code"], c["dhw_code"]
    h[:] = HEATING_SYSTEMS.index("heat_pump_air_water")
    d[:] = -1
    x[1, INPUT_COLUMNS.index("u_wall_w_per_m2k")] = np.nan  # balance rejects: no need
    h[2] = -1  # unknown heating system, need still computed
    x[3, FLOOR] = 0.0  # balance fine, systems: no floor area
    c["emitter"] = np.array([55.0, 55.0, 55.0, 55.0, np.nan, 55.0])  # heat pump without one
    c["solar"] = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 2.0])
    with caplog.at_level(logging.WARNING):
        r = fused(c)
    assert r["valid"].tolist() == [True, False, False, False, False, False]
    assert r["invalid_reason_code"].tolist() == [0, 3, 1, 5, 6, 7]
    assert np.isnan(r["heating_need_kwh"][1]) and np.isnan(r["dhw_need_kwh"][1])
    assert np.isfinite(r["heating_need_kwh"][[0, 2, 3, 4, 5]]).all()
    assert r["heating_need_kwh"][3] >= 0.0 and r["dhw_need_kwh"][3] == 0.0
    assert np.isnan(r["primary_energy_kwh"][1:]).all() and r["primary_energy_kwh"][0] > 0
    assert "1 of 6 rows rejected" in caplog.text and "u_wall_w_per_m2k" in caplog.text


def test_known_answer_electric_resistance():
    """Electric resistance with an electric boiler: final electricity = need / chain + DHW
    need / eff, primary = 2.5 x that, no fixed fee (hand-checkable chain)."""
    c = case(1, 2, bad_share=0.0)
    c["heating_code"][:] = HEATING_SYSTEMS.index("electric_resistance")
    c["dhw_code"][:] = SYSTEMS.dhw_system_names.index("electric_boiler")
    c["solar"], c["multi_unit"] = 0.0, np.array([False])
    r = fused(c)
    floor = c["x"][0, FLOOR]
    need = heating_need_reference(c["x"], params=PARAMS).heating_need_kwh[0]
    s = SYSTEMS.heating_systems["electric_resistance"]
    # EPW hot water from the (gross) protected volume, PARAMS being the 'epb' convention
    dhw = dhw_need_epw_kwh([c["x"][0, VOLUME]], PARAMS,
                           hours_h=float(load_climate().hours_h.sum()))[0]
    el = need / s.chain_efficiency / s.generation_efficiency.value + dhw / 0.85
    assert r["final_electricity_kwh"][0] == pytest.approx(el, rel=1e-12)
    assert r["primary_energy_kwh"][0] == pytest.approx(2.5 * el, rel=1e-12)
    assert r["epc_score_kwh_per_m2"][0] == pytest.approx(2.5 * el / floor, rel=1e-12)
    assert r["final_gas_kwh"][0] == 0.0 and r["energy_cost_eur"][0] == pytest.approx(0.32 * el)


def test_empty_input():
    r = simulate_arrays(np.empty((0, len(INPUT_COLUMNS))), np.empty(0, dtype=np.int64))
    assert all(v.shape == (0,) for v in r.values())


def test_bad_shapes_are_input_errors():
    c = case(4, 1, bad_share=0.0)
    with pytest.raises(InputError, match="heating_code"):
        simulate_arrays(c["x"], c["heating_code"][:3])
    with pytest.raises(InputError, match="heating_code"):
        simulate_arrays(c["x"], c["heating_code"].astype(float))
    with pytest.raises(InputError, match="emitter_temperature_degc"):
        simulate_arrays(c["x"], c["heating_code"], emitter_temperature_degc=np.ones(3))
    with pytest.raises(InputError, match="dhw_code"):
        simulate_arrays(c["x"], c["heating_code"], dhw_code=np.zeros(5, dtype=int))
    with pytest.raises(InputError, match="multi_unit"):
        simulate_arrays(c["x"], c["heating_code"], multi_unit=np.zeros(2, dtype=bool))
    with pytest.raises(InputError, match=r"\(n, 25\)"):
        simulate_arrays(c["x"][:, :5], c["heating_code"])


def test_output_rows_match_systems_columns():
    """The kernel's field-major output rows follow the systems kernel's OUT_* columns."""
    from wijkreno.simulate import _systems_kernels as sk

    assert ek.N_EOUT == ek.E_SYS + sk.N_OUT
    assert ek.E_SYS + sk.OUT_SCORE == ek.E_SYS + RESULT_COLUMNS.index("epc_score_kwh_per_m2")
