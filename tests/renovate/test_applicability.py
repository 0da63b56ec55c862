"""measure_options: applicability rules, costs, premiums and effects per dwelling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.renovate import hand_dwellings
from wijkreno.errors import InputError
from wijkreno.renovate.applicability import (
    design_heat_load_kw,
    heat_pump_investment_eur,
    measure_options,
    options_frame,
)
from wijkreno.renovate.catalogue import load_catalogue, premium_for
from wijkreno.renovate.options import DIMENSIONS, EFFECT_COLUMNS
from wijkreno.simulate.heat_balance import REQUIRED_COLUMNS, heating_need_arrays
from wijkreno.twin.schema import HEATING_SYSTEMS


def _col(opts, dim, name):
    return opts.option_names[dim].index(name)


def _get(opts, field, dim, name, row=0):
    return getattr(opts, field)[dim][row, _col(opts, dim, name)]


@pytest.fixture(scope="module")
def demo_dwellings(tmp_path_factory):
    from tests.demo_summary import build_demo_twin

    twin, _ = build_demo_twin(tmp_path_factory.mktemp("demo"))
    return twin.dwellings


# ---------------------------------------------------------------------------------------------
# hand-checked dwelling


def test_hand_checked_terraced_house_costs_premiums_effects():
    d = hand_dwellings({})
    o = measure_options(d, income_category=2)
    assert o.n_dwellings == 1
    # roof: 500 + 60 EUR/m2 x 80 m2; U after = 1 / (1/1.9 + 6.3)
    assert _get(o, "investment_eur", "roof", "roof_insulation") == pytest.approx(5300.0)
    k = _col(o, "roof", "roof_insulation")
    assert o.effect["roof"]["u_roof_w_per_m2k"][0, k] == pytest.approx(1 / (1 / 1.9 + 6.3))
    assert o.effect["roof"]["u_roof_w_per_m2k"][0, 0] == 1.9
    # premium category 2: 8 EUR/m2 x 80 = 640 (< 40 % of 5,300)
    assert _get(o, "premium_eur", "roof", "roof_insulation") == pytest.approx(640.0)
    # attic floor: pitched roof (80 > 1.05 x 60), 250 + 30 x 60; equivalent U on the roof area
    assert _get(o, "investment_eur", "roof", "attic_floor_insulation") == pytest.approx(2050.0)
    k = _col(o, "roof", "attic_floor_insulation")
    assert o.effect["roof"]["u_roof_w_per_m2k"][0, k] == pytest.approx(
        1 / (1 / 1.9 + 7.5) * 60 / 80)
    # walls 60 m2: cavity 300 + 21.5 x 60, ETICS 1,500 + 130 x 60, inside 500 + 90 x 60
    assert _get(o, "investment_eur", "wall", "cavity_fill") == pytest.approx(1590.0)
    assert _get(o, "premium_eur", "wall", "cavity_fill") == pytest.approx(300.0)
    assert _get(o, "investment_eur", "wall", "external_insulation") == pytest.approx(9300.0)
    assert _get(o, "investment_eur", "wall", "inside_insulation") == pytest.approx(5900.0)
    # floor 60 m2, half over a cellar: 300 + 60 x (0.5 x 27 + 0.5 x 75)
    assert _get(o, "investment_eur", "floor", "floor_insulation") == pytest.approx(3360.0)
    # windows 16 m2 x 700; premium 16 EUR/m2 x 16
    assert _get(o, "investment_eur", "glazing", "hr_glazing") == pytest.approx(11200.0)
    assert _get(o, "premium_eur", "glazing", "hr_glazing") == pytest.approx(256.0)
    k = _col(o, "glazing", "hr_glazing")
    assert o.effect["glazing"]["u_window_w_per_m2k"][0, k] == 1.1
    assert o.effect["glazing"]["g_window_frac"][0, k] == 0.55
    # ventilation: 2,500 + 10 x 120 m2; D 6,000 + 10 x 120
    assert _get(o, "investment_eur", "ventilation", "ventilation_c") == pytest.approx(3700.0)
    assert _get(o, "investment_eur", "ventilation", "ventilation_d") == pytest.approx(7200.0)
    k = _col(o, "ventilation", "ventilation_d")
    assert o.effect["ventilation"]["infiltration_ach"][0, k] == 0.15
    assert o.effect["ventilation"]["heat_recovery_frac"][0, k] == 0.75
    # PV: pitched, 0.4 x 80 m2 / 5 m2/kWp = 6.4 kWp x 1,400; yield 900 kWh/kWp
    k = _col(o, "pv", "pv")
    assert o.effect["pv"]["pv_kwp"][0, k] == pytest.approx(6.4)
    assert o.effect["pv"]["pv_yield_kwh"][0, k] == pytest.approx(5760.0)
    assert _get(o, "investment_eur", "pv", "pv") == pytest.approx(8960.0)
    # solar water heater
    assert _get(o, "investment_eur", "solar_water_heater", "solar_water_heater") == 5000.0
    k = _col(o, "solar_water_heater", "solar_water_heater")
    assert o.effect["solar_water_heater"]["dhw_solar_frac"][0, k] == 0.5
    # every option applies to this house, except the hybrid nobody asked for
    hybrid = _col(o, "heating", "hybrid_heat_pump")
    assert all(o.applicable[dim].all() for dim in DIMENSIONS if dim != "heating")
    assert all((o.reason[dim] == "").all() for dim in DIMENSIONS if dim != "heating")
    assert o.applicable["heating"][0].sum() == o.n_options("heating") - 1
    assert not o.applicable["heating"][0, hybrid]


def test_heat_pump_sized_on_the_design_load():
    d = hand_dwellings({})
    o = measure_options(d, income_category=4)
    hb = heating_need_arrays(d[list(REQUIRED_COLUMNS)], monthly=False)
    load = design_heat_load_kw(hb.h_tr_w_per_k, hb.h_ve_w_per_k)
    # (H_tr + H_ve) x (20 - (-8)) / 1000
    assert load[0] == pytest.approx((hb.h_tr_w_per_k[0] + hb.h_ve_w_per_k[0]) * 28 / 1000)
    assert 5.0 < load[0] < 30.0
    # the hybrid is not offered unasked; the options with new low-temperature emitters add
    # those per m2 of heated floor (120 m2)
    for name in ("heat_pump_air_water", "heat_pump_ground", "heat_pump_air_water_lt",
                 "heat_pump_ground_lt"):
        m = load_catalogue().measures[name]
        expected = m.fixed_cost_eur.value + m.unit_cost_eur.value * max(load[0], 4.0)
        if m.emitter_unit_cost_eur is not None:
            expected += m.emitter_unit_cost_eur.value * 120.0
        assert _get(o, "investment_eur", "heating", name) == pytest.approx(expected)
        assert heat_pump_investment_eur(name, load, heated_floor_area_m2=120.0)[0] == (
            pytest.approx(expected))
        rule = load_catalogue().measures[name].premium_rule or name
        assert _get(o, "premium_eur", "heating", name) == pytest.approx(
            float(premium_for(rule, 4, 1.0, expected)))
    k = _col(o, "heating", "heat_pump_air_water")
    assert o.effect["heating"]["heating_code"][0, k] == HEATING_SYSTEMS.index(
        "heat_pump_air_water")
    assert o.effect["heating"]["max_design_load_w_per_m2"][0, k] == 60.0
    assert o.effect["heating"]["emitter_temperature_degc"][0, k] == 50.0
    k = _col(o, "heating", "hybrid_heat_pump")
    assert np.isinf(o.effect["heating"]["max_design_load_w_per_m2"][0, k])
    # keep: current system, no limit, the default emitter temperature
    assert o.effect["heating"]["heating_code"][0, 0] == HEATING_SYSTEMS.index("gas_boiler")
    assert np.isinf(o.effect["heating"]["max_design_load_w_per_m2"][0, 0])
    assert o.effect["heating"]["emitter_temperature_degc"][0, 0] == 55.0


# ---------------------------------------------------------------------------------------------
# rules


def test_cavity_only_for_plausible_periods_and_unfilled_walls():
    d = hand_dwellings(
        {"tabula_period": "01", "construction_year": 1930, "u_wall_w_per_m2k": 2.2},
        {"tabula_period": "02", "construction_year": 1960},
        {"tabula_period": "03", "construction_year": 1980, "u_wall_w_per_m2k": 1.0},
        {"tabula_period": "04", "construction_year": 1995, "u_wall_w_per_m2k": 0.6},
        {"tabula_period": "06", "construction_year": 2015, "u_wall_w_per_m2k": 0.9},
    )
    o = measure_options(d)
    k = _col(o, "wall", "cavity_fill")
    assert o.applicable["wall"][:, k].tolist() == [False, True, True, False, False]
    assert o.reason["wall"][0, k] == "spouwmuur onwaarschijnlijk voor bouwjaar 1930"
    assert o.reason["wall"][3, k] == "spouw al (deels) gevuld (U 0,60)"
    assert o.reason["wall"][4, k] == "spouwmuur onwaarschijnlijk voor bouwjaar 2015"
    # ETICS applies to the solid 1930 wall and the partly filled 1995 wall
    e = _col(o, "wall", "external_insulation")
    assert o.applicable["wall"][:, e].all()
    assert o.investment_eur["wall"][0, k] == 0.0 and o.premium_eur["wall"][0, k] == 0.0


def test_nothing_for_already_good_elements():
    d = hand_dwellings({"u_roof_w_per_m2k": 0.24, "u_wall_w_per_m2k": 0.35,
                        "u_floor_w_per_m2k": 0.3, "u_window_w_per_m2k": 1.7,
                        "infiltration_ach": 0.1})
    o = measure_options(d)
    assert not o.applicable["roof"][0, 1:].any()
    assert o.reason["roof"][0, 1] == "dak al goed geïsoleerd (U 0,24)"
    assert not o.applicable["wall"][0, 1:].any()
    assert o.reason["wall"][0, _col(o, "wall", "external_insulation")] == (
        "muur al goed geïsoleerd (U 0,35)")
    assert o.reason["floor"][0, 1] == "vloer al goed geïsoleerd (U 0,30)"
    assert o.reason["glazing"][0, 1] == "ramen al hoogrendementsglas (U 1,70)"
    assert o.reason["ventilation"][0, 1] == "al luchtdicht (n 0,10/h)"
    assert o.applicable["ventilation"][0, 2]  # D still brings heat recovery
    # not applicable → no cost and the current value as effect
    assert (o.investment_eur["roof"][0] == 0).all()
    assert (o.effect["roof"]["u_roof_w_per_m2k"][0] == 0.24).all()


def test_apartments_without_roof_or_floor_share():
    d = hand_dwellings(
        {"typology": "apartment_building", "roof_area_m2": 0.0, "ground_floor_area_m2": 0.0},
        {"typology": "apartment_building", "roof_area_m2": 40.0, "ground_floor_area_m2": 40.0},
    )
    o = measure_options(d)
    assert not o.applicable["roof"][0, 1:].any()
    assert set(o.reason["roof"][0, 1:]) == {"appartement zonder dak"}
    assert o.reason["floor"][0, 1] == "appartement zonder vloer op de grond"
    assert o.reason["pv"][0, 1] == "appartement zonder dak"
    assert o.reason["solar_water_heater"][0, 1] == "appartement zonder dak"
    # the top-floor share: flat roof → roof insulation and PV, no attic floor
    assert o.applicable["roof"][1, _col(o, "roof", "roof_insulation")]
    assert o.reason["roof"][1, _col(o, "roof", "attic_floor_insulation")] == (
        "plat dak: geen zoldervloer")
    assert o.effect["pv"]["pv_kwp"][1, 1] == pytest.approx(0.6 * 40 / 5)
    # an apartment pays its floor share of the building job's fixed cost
    d2 = hand_dwellings({"typology": "apartment_building", "roof_area_m2": 40.0,
                         "ground_floor_area_m2": 40.0, "floor_share_frac": 0.25})
    o2 = measure_options(d2)
    assert _get(o2, "investment_eur", "roof", "roof_insulation") == pytest.approx(
        0.25 * 500 + 60 * 40)
    assert _get(o2, "investment_eur", "wall", "external_insulation") == pytest.approx(
        0.25 * 1500 + 130 * 60)
    assert _get(o2, "investment_eur", "ventilation", "ventilation_c") == pytest.approx(
        2500 + 10 * 120)


def test_existing_heat_pump_pv_solar_and_small_roofs():
    d = hand_dwellings(
        {"heating_system": "heat_pump_air_water", "pv_kwp": 4.0, "dhw_solar_frac": 0.5},
        {"heating_system": "hybrid_heat_pump"},
        {"roof_area_m2": 10.0, "ground_floor_area_m2": 10.0},
    )
    o = measure_options(d)
    assert not o.applicable["heating"][0, 1:].any()
    assert o.reason["heating"][0, _col(o, "heating", "heat_pump_air_water")] == (
        "heeft al deze warmtepomp")
    assert o.reason["heating"][0, _col(o, "heating", "heat_pump_ground")] == (
        "heeft al een warmtepomp")
    # a hybrid may become a monovalent heat pump, not a second hybrid
    assert o.applicable["heating"][1].tolist() == [True, True, True, False, True, True]
    assert o.reason["pv"][0, 1] == "heeft al zonnepanelen"
    assert o.effect["pv"]["pv_kwp"][0, 0] == 4.0
    assert o.effect["pv"]["pv_yield_kwh"][0, 0] == pytest.approx(3600.0)
    assert o.reason["solar_water_heater"][0, 1] == "heeft al een zonneboiler"
    # 10 m2 flat roof: 0.6 x 10 / 5 = 1.2 kWp ≥ 1 kWp; 6 m2 suitable ≥ 4 m2 collector
    assert o.applicable["pv"][2, 1] and o.applicable["solar_water_heater"][2, 1]
    d2 = hand_dwellings({"roof_area_m2": 8.0, "ground_floor_area_m2": 8.0})
    o2 = measure_options(d2)
    assert o2.reason["pv"][0, 1] == "te weinig geschikt dakoppervlak (0,96 kWp)"
    d3 = hand_dwellings({"roof_area_m2": 6.0, "ground_floor_area_m2": 6.0})
    o3 = measure_options(d3)
    assert o3.reason["pv"][0, 1] == "te weinig geschikt dakoppervlak (0,72 kWp)"
    assert o3.reason["solar_water_heater"][0, 1] == "te weinig geschikt dakoppervlak (3,6 m²)"


def test_income_category_argument_column_and_default():
    d = hand_dwellings({}, {}, {})
    k = _col(measure_options(d), "heating", "heat_pump_air_water")
    inv = measure_options(d).investment_eur["heating"][0, k]
    by_arg = measure_options(d, income_category=np.array([1, 3, 4])).premium_eur["heating"][:, k]
    assert by_arg.tolist() == pytest.approx(
        premium_for("heat_pump_air_water", [1, 3, 4], 1.0, inv).tolist())
    d["income_category"] = [4, np.nan, 1]
    by_col = measure_options(d).premium_eur["heating"][:, k]
    # missing → the default category 2 of renovation.toml
    assert by_col.tolist() == pytest.approx(
        premium_for("heat_pump_air_water", [4, 2, 1], 1.0, inv).tolist())
    with pytest.raises(InputError, match="1-4"):
        measure_options(d, income_category=5)


def test_missing_columns_and_unknown_heating_are_refused():
    d = hand_dwellings({})
    with pytest.raises(InputError, match="u_roof_w_per_m2k"):
        measure_options(d.drop(columns=["u_roof_w_per_m2k"]))
    with pytest.raises(InputError, match="district_heating"):
        measure_options(hand_dwellings({"heating_system": "district_heating"}))


def test_row_order_follows_the_frame_and_index_is_irrelevant():
    rows = ({"tabula_period": "01", "construction_year": 1920}, {},
            {"typology": "apartment_building", "roof_area_m2": 0.0})
    a = measure_options(hand_dwellings(*rows))
    b = measure_options(hand_dwellings(*rows[::-1], index=[10, 7, 3]))
    for dim in DIMENSIONS:
        assert (a.applicable[dim] == b.applicable[dim][::-1]).all()
        assert np.allclose(a.investment_eur[dim], b.investment_eur[dim][::-1])
        assert (a.reason[dim] == b.reason[dim][::-1]).all()


def test_empty_input():
    o = measure_options(hand_dwellings({}).iloc[:0])
    assert o.n_dwellings == 0
    assert o.applicable["roof"].shape == (0, 3)


# ---------------------------------------------------------------------------------------------
# demo twin


def test_demo_twin_shapes_and_invariants(demo_dwellings):
    d = demo_dwellings
    o = measure_options(d)
    n = len(d)
    assert o.n_dwellings == n
    o.check()
    for dim in DIMENSIONS:
        k = o.n_options(dim)
        assert o.applicable[dim].shape == (n, k)
        assert o.lifetime_years[dim][0] == np.inf
        assert np.all(o.lifetime_years[dim][1:] > 0)
        app = o.applicable[dim]
        # reasons exactly where not applicable, in Dutch words
        assert ((o.reason[dim] == "") == app).all()
        # costs only for applicable options, never negative; premium ≤ investment
        assert np.all(o.investment_eur[dim][~app] == 0)
        assert np.all(o.investment_eur[dim] >= 0)
        assert np.all(o.premium_eur[dim] <= o.investment_eur[dim] + 1e-9)
        assert np.all(np.isfinite(o.investment_eur[dim]))
        # an intermediate step (the hybrid next to a gas boiler) changes the dwelling as the
        # option does, applicable as an end state or not
        changes = app | o.interim_applicable if dim == "heating" else app
        for col in EFFECT_COLUMNS[dim]:
            e = o.effect[dim][col]
            assert e.shape == (n, k)
            # non-applicable options do not change the dwelling
            assert np.array_equal(np.where(changes, e, e[:, :1]), e, equal_nan=True)
    # insulation never makes an element worse
    for dim, col in (("roof", "u_roof_w_per_m2k"), ("wall", "u_wall_w_per_m2k"),
                     ("floor", "u_floor_w_per_m2k"), ("glazing", "u_window_w_per_m2k")):
        e = o.effect[dim][col]
        assert np.all(e <= e[:, :1] + 1e-12)
        assert np.array_equal(e[:, 0], d[col].to_numpy())
    # cavity filling never before 1946 (period 01) nor after 2005 in the demo
    k = _col(o, "wall", "cavity_fill")
    period = d["tabula_period"].astype(str).to_numpy()
    assert not o.applicable["wall"][np.isin(period, ["01", "05", "06"]), k].any()
    assert o.applicable["wall"][:, k].any()
    # dwellings with a heat pump get no new one of the same kind
    hp = d["heating_system"].astype(str).to_numpy() == "heat_pump_air_water"
    assert hp.any()
    assert not o.applicable["heating"][hp, _col(o, "heating", "heat_pump_air_water")].any()
    reasons = set(np.concatenate([o.reason[dim].ravel() for dim in DIMENSIONS])) - {""}
    assert any(r.startswith("spouwmuur onwaarschijnlijk voor bouwjaar") for r in reasons)
    frame = options_frame(o, d["dwelling_id"])
    assert len(frame) == n * sum(o.n_options(dim) for dim in DIMENSIONS)
    assert (frame["net_investment_eur"] >= 0).all()
    assert isinstance(frame, pd.DataFrame)
