"""Issue 12: targets a coach can sign (label A and fossil-free, the renovation obligation), the
whole option space (glazing, heat pumps with new emitters, hybrid on request, measures already
done) and the basis of the money figures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.renovate import hand_dwellings
from wijkreno.errors import InputError
from wijkreno.renovate.applicability import measure_options
from wijkreno.renovate.catalogue import money_params
from wijkreno.renovate.options import DIMENSIONS
from wijkreno.renovate.packages import (
    evaluate_packages,
    evaluate_packages_reference,
    load_economics,
)
from wijkreno.renovate.trajectories import plan_trajectories
from wijkreno.simulate.expected import CARRIERS

YEAR = 2026
"""The price year of the tests that give their own economics (options and economics agree)."""
FOSSIL = {"gas_boiler", "gas_condensing_boiler", "oil_boiler", "hybrid_heat_pump"}


def test_fossil_free_target_never_ends_on_gas_or_oil():
    dw = hand_dwellings(
        {"heating_system": "gas_boiler"}, {"heating_system": "oil_boiler"},
        {"heating_system": "gas_condensing_boiler", "u_roof_w_per_m2k": 0.25},
        {"heating_system": "oil_boiler", "hybrid_requested": True},
    )
    steps, summary = plan_trajectories(dw)
    assert (summary["target"] == "label_A_fossil_free_2050").all()
    reached = summary["reached"].to_numpy(bool)
    assert reached.any()
    assert not set(summary.loc[reached, "final_heating_system"]) & FOSSIL
    assert summary.loc[reached, "fossil_free_end"].all()
    # every step records the heating after it; the last one is the end state
    last = steps.groupby("row").tail(1)
    assert not set(last.loc[last["row"].isin(np.flatnonzero(reached)), "heating_system"]) & FOSSIL
    # where it is not reached, the plain-Dutch explanation says why
    assert (summary.loc[~reached, "explanation"].str.len() > 0).all()


def test_label_only_is_an_explicit_choice_and_can_keep_the_boiler():
    dw = hand_dwellings({"heating_system": "oil_boiler"})
    _, label_only = plan_trajectories(dw, target="label_A_2050")
    _, strategy = plan_trajectories(dw)
    assert label_only["target"].iloc[0] == "label_A_2050"
    assert not label_only["fossil_free"].iloc[0]
    assert strategy["fossil_free"].iloc[0]
    assert strategy["final_heating_system"].iloc[0] not in FOSSIL


def test_deed_year_gives_obligation_label_and_deadline():
    dw = hand_dwellings({"deed_year": 2024}, {"deed_year": 2036, "typology": "terraced"},
                        {"deed_year": np.nan})
    _, ob = plan_trajectories(dw, target="obligation")
    assert list(ob["target"]) == ["obligation", "obligation", "label_A_fossil_free_2050"][:2] + [
        "label_A_2050"]
    assert list(ob["target_label"][:2]) == ["D", "B"]
    assert list(ob["target_year"][:2]) == [2029.0, 2041.0]
    # the default target keeps the strategy and names the obligation and the step meeting it
    _, default = plan_trajectories(dw)
    assert default["obligation_label"].iloc[0] == "D"
    assert default["obligation_year"].iloc[0] == 2029.0
    # the 1955 house is label D on the EPB conventions: it meets D now (step 0), not B
    assert default["current_epc_label"].iloc[0] == "D"
    assert default["obligation_step"].iloc[0] == 0
    assert default["obligation_step"].iloc[1] >= 1
    assert np.isnan(default["obligation_year"].iloc[2])


def test_glazing_is_proposed_where_the_glazing_is_poor_and_it_pays():
    poor = {"u_window_w_per_m2k": 5.8, "g_window_frac": 0.85}
    dw = hand_dwellings(poor, {"u_window_w_per_m2k": 1.6})
    o = measure_options(dw)
    assert o.applicable["glazing"][0, 1:].all()
    assert not o.applicable["glazing"][1, 1:].any()
    steps, _ = plan_trajectories(dw, o, objective="npv")
    assert (steps.loc[steps["row"] == 0, "dimension"] == "glazing").any()
    assert not (steps.loc[steps["row"] == 1, "dimension"] == "glazing").any()


def test_electric_resistance_gets_a_heat_pump_not_a_hybrid():
    dw = hand_dwellings({"heating_system": "electric_resistance", "hybrid_requested": True})
    o = measure_options(dw)
    names = o.option_names["heating"]
    ok = dict(zip(names, o.applicable["heating"][0], strict=True))
    assert not ok["hybrid_heat_pump"] and not ok["heat_pump_air_water"]  # no radiators, no gas
    assert ok["heat_pump_air_water_lt"] and ok["heat_pump_ground_lt"]
    steps, summary = plan_trajectories(dw, o)
    assert summary["final_heating_system"].iloc[0] in ("heat_pump_air_water", "heat_pump_ground")
    heat = steps[steps["dimension"] == "heating"]
    assert list(heat["measure"]) in (["heat_pump_air_water_lt"], ["heat_pump_ground_lt"])
    assert heat["emitter_temperature_degc"].iloc[0] <= 45.0
    # the new emitters are costed: more than the same heat pump on existing radiators
    gas = measure_options(hand_dwellings({}))
    k_lt, k = names.index("heat_pump_air_water_lt"), names.index("heat_pump_air_water")
    assert gas.investment_eur["heating"][0, k_lt] > gas.investment_eur["heating"][0, k]


def test_hybrid_only_where_the_household_asks():
    dw = hand_dwellings({}, {"hybrid_requested": True})
    o = measure_options(dw)
    k = o.option_names["heating"].index("hybrid_heat_pump")
    assert list(o.applicable["heating"][:, k]) == [False, True]
    assert "vraag" in o.reason["heating"][0, k]


def test_a_measure_already_done_is_never_proposed():
    dw = hand_dwellings({"done_wall_year": 2023, "done_roof_year": 2023}, {})
    o = measure_options(dw)
    assert not o.applicable["wall"][0, 1:].any()
    assert "al uitgevoerd in 2023" in o.reason["wall"][0, 1]
    steps, _ = plan_trajectories(dw, o)
    assert not steps.loc[steps["row"] == 0, "dimension"].isin(["wall", "roof"]).any()
    assert steps.loc[steps["row"] == 1, "dimension"].isin(["wall", "roof"]).any()


def test_basis_expected_scales_use_and_bills_and_a_missing_basis_is_refused():
    dw = hand_dwellings({})
    o = measure_options(dw)
    table = evaluate_packages(dw, o)
    keep = table[(table[list(DIMENSIONS)] == "keep").all(axis=1)]
    std_gas = float(keep["final_gas_kwh"].iloc[0])
    _, std = plan_trajectories(dw, o, basis="standardised", target="label_A_2050")
    assert std["basis"].iloc[0] == "standardised"
    # a named basis without its columns is refused, never silently replaced
    with pytest.raises(InputError, match="expected"):
        plan_trajectories(dw, o, basis="expected", target="label_A_2050")
    # auto without expected or calibrated columns: standardised, and named so
    _, auto = plan_trajectories(dw, o, target="label_A_2050")
    assert auto["basis"].iloc[0] == "standardised"
    # expected use (the meter issue's columns) at 60 % of the standardised heating use
    for c in CARRIERS:
        dw[f"expected_final_{c}_kwh"] = 0.0
    dw["expected_final_gas_kwh"] = 0.6 * std_gas
    _, exp = plan_trajectories(dw, o, basis="expected", target="label_A_2050")
    assert exp["basis"].iloc[0] == "expected"
    assert exp["current_energy_cost_eur"].iloc[0] < std["current_energy_cost_eur"].iloc[0]
    # the EPC figure stays standardised
    assert exp["current_epc_score_kwh_per_m2"].iloc[0] == pytest.approx(
        std["current_epc_score_kwh_per_m2"].iloc[0])
    _, auto = plan_trajectories(dw, o, target="label_A_2050")
    assert auto["basis"].iloc[0] == "expected"
    # the household's own meter wins over any basis
    dw["metered_gas_kwh"] = 0.5 * std_gas
    _, met = plan_trajectories(dw, o, target="label_A_2050")
    assert met["basis"].iloc[0] == "metered"
    assert met["current_energy_cost_eur"].iloc[0] < exp["current_energy_cost_eur"].iloc[0]


def test_boiler_end_of_life_is_not_a_cost_of_the_heat_pump():
    econ = load_economics()
    assert econ.boiler_replacement_eur > 0
    f = econ.replacement_factor(np.array([0.0, 10.0, 40.0]))
    assert f[0] > f[1] > 0 and f[2] == 0.0
    dw = hand_dwellings({}, {"heating_system": "heat_pump_air_water"})
    _, summary = plan_trajectories(dw)
    # under the default fossil-free target the gas boiler goes, and its replacement is avoided
    assert summary["final_heating_system"].iloc[0] != "gas_boiler"
    assert summary["avoided_boiler_replacement_eur"].iloc[0] > 0
    assert summary["avoided_boiler_replacement_eur"].iloc[1] == 0


def test_heat_pump_resized_after_the_envelope_equals_reference():
    dw = hand_dwellings({}, {"heating_system": "electric_resistance"})
    o = measure_options(dw, money=money_params(YEAR))
    assert o.heat_pump_sizing is not None
    # a small option space so that the per-package engine reference stays quick
    appl = {d: a.copy() for d, a in o.applicable.items()}
    for d in ("roof", "floor", "ventilation", "pv", "solar_water_heater"):
        appl[d][:, 1:] = False
    small = replace(o, applicable=appl)
    econ = load_economics(money=money_params(YEAR))
    fast = evaluate_packages(dw, small, economics=econ)
    ref = evaluate_packages_reference(dw, small, econ)
    key = ["row", *DIMENSIONS]
    fast = fast.sort_values(key).reset_index(drop=True)
    ref = ref.sort_values(key).reset_index(drop=True)
    assert (fast[key].to_numpy() == ref[key].to_numpy()).all()
    for col in ("investment_eur", "premium_eur", "life_cycle_cost_eur", "npv_eur",
                "epc_score_kwh_per_m2"):
        np.testing.assert_allclose(fast[col].to_numpy(float), ref[col].to_numpy(float),
                                   rtol=1e-8, atol=1e-6, err_msg=col)
    # after envelope measures the heat pump is smaller and cheaper than sized on today's load
    hp = fast[(fast["row"] == 0) & (fast["heating"] == "heat_pump_air_water_lt")]
    assert len(hp) > 0
    k = o.option_names["heating"].index("heat_pump_air_water_lt")
    envelope = sum(o.investment_eur[d][0, [o.option_names[d].index(v) for v in hp[d]]]
                   for d in ("wall", "glazing"))
    heat_part = hp["investment_eur"].to_numpy() - envelope
    assert (heat_part <= o.investment_eur["heating"][0, k] + 1e-6).all()
    assert (heat_part[(hp["wall"] != "keep").to_numpy()]
            < o.investment_eur["heating"][0, k] - 1.0).all()


# ---------------------------------------------------------------------------------------------
# hot water, the hybrid as an intermediate step, ventilation with airtightness

GOOD_ENVELOPE = {"u_roof_w_per_m2k": 0.2, "u_wall_w_per_m2k": 0.3, "u_floor_w_per_m2k": 0.3,
                 "u_window_w_per_m2k": 1.1, "g_window_frac": 0.55, "infiltration_ach": 0.15}


def _hot_water(o, name="heat_pump_boiler"):
    return o.option_names["solar_water_heater"].index(name)


def test_heat_pump_boiler_is_proposed_where_hot_water_is_fossil_or_resistance():
    dw = hand_dwellings(
        {},  # gas boiler, hot water from the gas combi boiler (the default)
        {"heating_system": "heat_pump_air_water", "dhw_system": "gas_combi_boiler"},
        {"heating_system": "heat_pump_air_water"},  # hot water from the heat pump already
        {"heating_system": "electric_resistance"},  # electric boiler
        {"heating_system": "oil_boiler"},
    )
    o = measure_options(dw)
    k = _hot_water(o)
    assert list(o.applicable["solar_water_heater"][:, k]) == [True, True, False, True, True]
    assert "warmtepomp" in o.reason["solar_water_heater"][2, k]
    assert o.investment_eur["solar_water_heater"][0, k] > 0
    assert 0 < o.premium_eur["solar_water_heater"][0, k] < o.investment_eur[
        "solar_water_heater"][0, k]
    # the hot-water final energy moves from gas to electricity at the heat-pump boiler's COP
    table = evaluate_packages(dw.iloc[[0]], measure_options(dw.iloc[[0]]))
    keep = table[(table[list(DIMENSIONS)] == "keep").all(axis=1)].iloc[0]
    only = table[(table["solar_water_heater"] == "heat_pump_boiler")
                 & (table[[d for d in DIMENSIONS if d != "solar_water_heater"]] == "keep").all(
                     axis=1)].iloc[0]
    d_gas = keep["final_gas_kwh"] - only["final_gas_kwh"]
    d_el = only["final_electricity_kwh"] - keep["final_electricity_kwh"]
    assert d_gas > 0 and d_el > 0
    assert d_gas * 0.70 == pytest.approx(d_el * 2.5)  # the same hot-water need (COP 2.5)
    # a new space-heating heat pump makes the hot water itself: never both in one package
    pair = table[(table["solar_water_heater"] == "heat_pump_boiler")
                 & (table["heating"] != "keep")]
    assert pair.empty


def test_a_gas_boiler_kept_for_hot_water_is_not_fossil_free():
    # an insulated house on an air-water heat pump that still makes hot water with gas
    dw = hand_dwellings({**GOOD_ENVELOPE, "heating_system": "heat_pump_air_water",
                         "dhw_system": "gas_combi_boiler"})
    o = measure_options(dw)
    steps, summary = plan_trajectories(dw, o)
    assert summary["reached"].iloc[0]
    assert "heat_pump_boiler" in list(steps["measure"])
    assert summary["final_hot_water_system"].iloc[0] == "heat_pump_boiler"
    assert summary["fossil_free_end"].iloc[0]
    assert steps["hot_water_system"].iloc[-1] == "heat_pump_boiler"
    # without the heat-pump boiler the gas for hot water keeps it from the fossil-free target
    appl = {d: a.copy() for d, a in o.applicable.items()}
    appl["solar_water_heater"][:, _hot_water(o)] = False
    _, without = plan_trajectories(dw, replace(o, applicable=appl))
    assert not without["reached"].iloc[0]
    assert not without["fossil_free_end"].iloc[0]
    assert without["final_hot_water_system"].iloc[0] == "gas_combi_boiler"
    # the label-only target does not ask for it
    _, label = plan_trajectories(dw, replace(o, applicable=appl), target="label_A_2050")
    assert label["reached"].iloc[0]


def test_hybrid_is_a_tussenstap_never_the_end_under_the_fossil_free_target():
    from wijkreno.reports.sheets import sheet_records

    # a worn-out gas boiler (2000) in a house whose heat pump needs the envelope works first;
    # a like-for-like boiler priced high enough that the hybrid is the cheaper way through
    dw = hand_dwellings({"heating_install_year": 2000}, {"hybrid_requested": True}, {})
    o = measure_options(dw, money=money_params(YEAR))
    k = o.option_names["heating"].index("hybrid_heat_pump")
    assert o.interim_applicable is not None
    assert list(o.interim_applicable[:, k]) == [True, True, True]
    assert list(o.applicable["heating"][:, k]) == [False, True, False]  # end state on request
    econ = replace(load_economics(money=money_params(YEAR)), boiler_replacement_eur=40_000.0)
    steps, summary = plan_trajectories(dw, o, economics=econ)
    assert summary["reached"].all()
    assert not set(summary["final_heating_system"]) & FOSSIL
    # dwellings 0 (worn-out boiler, cheaper) and 1 (asked) pass through the hybrid first
    assert list(summary["intermediate_step"]) == [True, True, False]
    for row in (0, 1):
        st = steps[steps["row"] == row]
        assert st["measure"].iloc[0] == "hybrid_heat_pump"
        assert st["intermediate"].iloc[0] and not st["intermediate"].iloc[1:].any()
        assert st["heating_system"].iloc[0] == "hybrid_heat_pump"
        assert st["heating_system"].iloc[-1] in ("heat_pump_air_water", "heat_pump_ground")
        # the hybrid heats during the envelope steps, then the heat pump replaces it
        heat = st[st["dimension"] == "heating"]
        assert len(heat) == 2 and heat["measure"].iloc[1] != "hybrid_heat_pump"
        # its invoice is part of the trajectory's
        assert st["investment_eur"].sum() == pytest.approx(summary["investment_eur"].iloc[row])
        assert st["investment_eur"].iloc[0] == pytest.approx(o.interim_investment_eur[row, k])
    assert "hybrid_heat_pump" not in set(steps.loc[steps["row"] == 2, "measure"])
    # the sheet names it a tussenstap
    rec = sheet_records(dw, steps, summary)
    assert rec[0]["steps"][0]["measure"].endswith("(tussenstap)")
    assert not any(r["measure"].endswith("(tussenstap)") for r in rec[2]["steps"])
    # at the catalogue's boiler price and an unknown boiler age, no tussenstap
    _, default = plan_trajectories(dw.iloc[[2]], measure_options(dw.iloc[[2]]))
    assert not default["intermediate_step"].iloc[0]
    # label only and asked: the household may end on the hybrid
    _, label = plan_trajectories(dw.iloc[[1]], measure_options(dw.iloc[[1]]),
                                 target="label_A_2050")
    assert not label["fossil_free"].iloc[0]


def test_ventilation_includes_airtightness():
    dw = hand_dwellings({"infiltration_ach": 0.6})
    o = measure_options(dw)
    inf = o.effect["ventilation"]["infiltration_ach"][0]
    names = o.option_names["ventilation"]
    for name in ("ventilation_c", "ventilation_d"):
        assert inf[names.index(name)] < 0.6  # the airtightness works lower the infiltration
    table = evaluate_packages(dw, o)
    only = table[(table[[d for d in DIMENSIONS if d != "ventilation"]] == "keep").all(axis=1)]
    need = only.set_index("ventilation")["heating_need_kwh"]
    assert need["ventilation_c"] < need["keep"]


def test_kernels_equal_reference_with_the_hot_water_options():
    dw = hand_dwellings({}, {"heating_system": "heat_pump_air_water",
                             "dhw_system": "gas_combi_boiler"},
                        {"heating_system": "electric_resistance"})
    o = measure_options(dw, money=money_params(YEAR))
    appl = {d: a.copy() for d, a in o.applicable.items()}
    for d in ("roof", "floor", "glazing", "ventilation", "pv"):
        appl[d][:, 1:] = False
    small = replace(o, applicable=appl)
    assert small.applicable["solar_water_heater"][:, _hot_water(o)].any()
    econ = load_economics(money=money_params(YEAR))
    fast = evaluate_packages(dw, small, economics=econ)
    ref = evaluate_packages_reference(dw, small, econ)
    key = ["row", *DIMENSIONS]
    fast = fast.sort_values(key).reset_index(drop=True)
    ref = ref.sort_values(key).reset_index(drop=True)
    assert (fast[key].to_numpy() == ref[key].to_numpy()).all()
    assert (fast["solar_water_heater"] == "heat_pump_boiler").any()
    for col in ("investment_eur", "premium_eur", "final_gas_kwh", "final_electricity_kwh",
                "energy_cost_eur", "npv_eur", "epc_score_kwh_per_m2"):
        np.testing.assert_allclose(fast[col].to_numpy(float), ref[col].to_numpy(float),
                                   rtol=1e-8, atol=1e-6, err_msg=col)
