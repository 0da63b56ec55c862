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
from wijkreno.renovate.options import DIMENSIONS
from wijkreno.renovate.packages import (
    evaluate_packages,
    evaluate_packages_reference,
    load_economics,
)
from wijkreno.renovate.trajectories import plan_trajectories
from wijkreno.simulate.expected import CARRIERS

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
    if summary["final_heating_system"].iloc[0] != "gas_boiler":
        assert summary["avoided_boiler_replacement_eur"].iloc[0] > 0
    assert summary["avoided_boiler_replacement_eur"].iloc[1] == 0


def test_heat_pump_resized_after_the_envelope_equals_reference():
    dw = hand_dwellings({}, {"heating_system": "electric_resistance"})
    o = measure_options(dw)
    assert o.heat_pump_sizing is not None
    # a small option space so that the per-package engine reference stays quick
    appl = {d: a.copy() for d, a in o.applicable.items()}
    for d in ("roof", "floor", "ventilation", "pv", "solar_water_heater"):
        appl[d][:, 1:] = False
    small = replace(o, applicable=appl)
    econ = load_economics()
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
