"""The Flemish EPW conventions of the monthly engine against hand-worked dwellings (issue 11).

The dwelling is the hand-worked house of ``test_heat_balance`` with a gross volume of 300 m³
(footprint × storeys × storey height) instead of the net 250 m³, built before 1946.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.simulate.test_heat_balance import flat_climate, house
from wijkreno.errors import InputError
from wijkreno.simulate.climate import (
    SUN_OFFSET_CANDIDATES_MIN,
    compute_solar_position,
    sun_position_offset_from_file,
)
from wijkreno.simulate.heat_balance import (
    capacity_class,
    compute_heating_need,
    dhw_need_epw_kwh,
    effective_capacity_wh_per_m2k,
    heating_need_arrays,
    load_heat_balance_params,
)
from wijkreno.simulate.params import default_system_params
from wijkreno.simulate.systems import gas_gross_kwh

EPB = load_heat_balance_params()
TABULA = load_heat_balance_params(overrides={"convention": "tabula"})


def epb_house(**changes) -> dict:
    row = house(**{"volume_m3": 300.0, **changes})
    del row["c_m_wh_per_m2k"]  # the engine derives it from the construction
    return row


def test_default_convention_is_epb() -> None:
    assert EPB.convention == "epb"
    assert EPB.theta_int_epb_degc == 18.0
    with pytest.raises(InputError, match="convention"):
        EPB.with_overrides({"convention": "passive"})


def test_hand_worked_epb_dwelling() -> None:
    # H_tr = 191 W/K as in test_heat_balance; ventilation on the NET volume 100 m2 * 2.5 m:
    #   H_ve = 0.34 * (0.4 + 0.6) * 250 = 85 W/K (not 0.34 * 1.0 * 300 = 102 on the gross volume)
    # set-point 18 degC (EPW, intermittency included), one month t = 720 h, theta_e = 5:
    #   Q_ht = 276 * 13 * 720 / 1000 = 2583.36 kWh; Q_gn = 113.4 + 216 = 329.4 kWh
    #   gamma = 0.1275084; heavy (period 01): C_m/A = 72.22 Wh/(m2 K) (ISO 13790 Table 12)
    #   tau = 72.22 * 100 / 276 = 26.16667 h; a = 1 + tau / 15 = 2.744444
    #   eta = (1 - gamma^a) / (1 - gamma^(a+1)) = 0.9969369
    #   Q_H,nd = 2583.36 - 0.9969369 * 329.4 = 2254.969 kWh per month -> 27059.63 kWh a year
    # hot water (EPW): V = 300 m3 -> (16 + 0.055*108) + (64 + 0.22*108) = 109.7 W
    #   * 8640 h = 947.808 kWh a year
    df = pd.DataFrame([epb_house()])
    df["tabula_period"] = "01"
    df["typology"] = "detached"
    r = compute_heating_need(df, climate=flat_climate(), params=EPB).iloc[0]
    assert r["h_ve_w_per_k"] == pytest.approx(85.0, rel=1e-12)
    assert r["heat_loss_kwh"] == pytest.approx(12 * 2583.36, rel=1e-12)
    assert r["heating_need_kwh"] == pytest.approx(27059.63, rel=1e-6)
    assert r["dhw_need_kwh"] == pytest.approx(947.808, rel=1e-12)


def test_tabula_mode_keeps_tabula_conventions() -> None:
    # the same house in TABULA terms: 20 degC, volume as given (300 m3), 10 kWh/m2 hot water
    df = pd.DataFrame([house(volume_m3=300.0)])
    r = compute_heating_need(df, climate=flat_climate(), params=TABULA).iloc[0]
    assert r["h_ve_w_per_k"] == pytest.approx(0.34 * 1.0 * 300.0, rel=1e-12)
    assert r["heat_loss_kwh"] == pytest.approx(12 * (191 + 102) * 15 * 720 / 1000, rel=1e-12)
    assert r["dhw_need_kwh"] == pytest.approx(1000.0, rel=1e-12)


def test_epb_need_below_tabula_for_the_same_dwelling() -> None:
    df = pd.DataFrame([epb_house(), epb_house(u_wall_w_per_m2k=0.3)])
    epb = compute_heating_need(df, climate=flat_climate(), params=EPB)["heating_need_kwh"]
    tab = compute_heating_need(df.assign(c_m_wh_per_m2k=45.0), climate=flat_climate(),
                               params=TABULA)["heating_need_kwh"]
    assert (epb.to_numpy() < tab.to_numpy()).all()


def test_dhw_per_epw_rule_not_per_m2() -> None:
    # below 192 m3 the EPW need is constant: (16 + 64) W a year; a 653 m2 'apartment' of
    # 2000 m3 gets (16 + 0.055*1808) + (64 + 0.22*1808) = 577.2 W = 5056.3 kWh, not 9.8 MWh
    assert dhw_need_epw_kwh([150.0, 192.0])[0] == pytest.approx(80 * 8.76, rel=1e-12)
    assert dhw_need_epw_kwh([2000.0])[0] == pytest.approx(577.2 * 8.76, rel=1e-12)
    big = pd.DataFrame([epb_house(heated_floor_area_m2=653.0, volume_m3=2000.0)])
    big["typology"] = "apartment_building"
    r = compute_heating_need(big, params=EPB).iloc[0]
    assert r["dhw_need_kwh"] == pytest.approx(577.2 * 8.76, rel=1e-9)
    assert r["dhw_need_kwh"] < 9800 * 0.6


def test_capacity_per_dwelling_from_construction() -> None:
    df = pd.DataFrame({
        "tabula_period": ["01", "02", "04", "06", "04", "04", None],
        "typology": ["terraced", "detached", "detached", "detached", "apartment_building",
                     "detached", "detached"],
        "thermal_capacity_class": [None, None, None, None, None, "light", None],
    }, index=[10, 11, 12, 13, 14, 15, 16])
    cls = capacity_class(df, EPB)
    assert cls.tolist() == ["heavy", "heavy", "medium", "medium", "heavy", "light", "medium"]
    c_m = effective_capacity_wh_per_m2k(df, EPB)
    assert c_m.index.tolist() == df.index.tolist()
    assert c_m.loc[10] == pytest.approx(260000 / 3600, rel=1e-3)
    assert c_m.loc[12] == pytest.approx(165000 / 3600, rel=1e-3)
    assert c_m.loc[15] == pytest.approx(110000 / 3600, rel=1e-3)
    given = effective_capacity_wh_per_m2k(df.assign(c_m_wh_per_m2k=[np.nan] * 6 + [99.0]), EPB)
    assert given.loc[16] == 99.0 and given.loc[10] == c_m.loc[10]


def test_heavier_dwelling_uses_more_gains() -> None:
    # the time constant is per dwelling: same envelope, heavy needs less than light
    df = pd.DataFrame([epb_house(), epb_house()])
    df["thermal_capacity_class"] = ["heavy", "light"]
    r = compute_heating_need(df, climate=flat_climate(i_south=200.0), params=EPB)
    assert r["heating_need_kwh"].iloc[0] < r["heating_need_kwh"].iloc[1]
    assert r["utilisation_frac"].iloc[0] > r["utilisation_frac"].iloc[1]


def test_packed_matrix_of_caller_not_changed() -> None:
    from wijkreno.simulate.heat_balance import pack_inputs

    x = pack_inputs(pd.DataFrame([epb_house()]), EPB)
    before = x.copy()
    heating_need_arrays(x, params=EPB)
    assert np.array_equal(x, before)


def test_gas_on_gross_calorific_value() -> None:
    p = default_system_params()
    ratio = p.settings.gas_gcv_per_ncv.value
    assert 1.10 <= ratio <= 1.12
    assert gas_gross_kwh([1000.0], p)[0] == pytest.approx(1000.0 * ratio)


def _synthetic_weather(offset_min: float) -> tuple[pd.DataFrame, dict]:
    idx = pd.date_range("2021-03-01", periods=24 * 40, freq="h", tz="Etc/GMT-1")
    meta = {"latitude": 50.8, "longitude": 4.35, "altitude": 100.0}
    w = pd.DataFrame({"theta_e_degc": 10.0}, index=idx)
    sp = compute_solar_position(w, meta, offset_min)
    cos_z = np.clip(np.cos(np.radians(sp["zenith"].to_numpy())), 0.0, None)
    up = cos_z > 0.05
    w["dni_w_per_m2"] = np.where(up, 600.0, 0.0)
    w["dhi_w_per_m2"] = np.where(up, 100.0, 0.0)
    w["ghi_w_per_m2"] = w["dni_w_per_m2"] * cos_z + w["dhi_w_per_m2"]
    return w, meta


@pytest.mark.parametrize("offset", [30.0, 60.0])
def test_sun_position_read_from_the_file(offset: float) -> None:
    assert offset in SUN_OFFSET_CANDIDATES_MIN
    w, meta = _synthetic_weather(offset)
    assert sun_position_offset_from_file(w, meta) == offset
    from wijkreno.params.models.heat_balance import load_climate_params

    fixed = load_climate_params().model_copy(update={"sun_position_convention": "fixed"})
    assert sun_position_offset_from_file(w, meta, fixed) == fixed.sun_position_offset_min
