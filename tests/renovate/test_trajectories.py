"""Trajectories: reach the target whenever a package does, step order, explanations."""

from __future__ import annotations

import numpy as np
import pytest

from tests.renovate.test_packages import ECON, demo_dwellings, make_options  # noqa: F401
from wijkreno.renovate.options import ENVELOPE_DIMENSIONS
from wijkreno.renovate.packages import evaluate_packages
from wijkreno.renovate.trajectories import plan_trajectories


@pytest.mark.parametrize("target", [100.0, 180.0, 40.0])
def test_target_reached_whenever_a_package_reaches_it(demo_dwellings, target):  # noqa: F811
    dw = demo_dwellings.iloc[:12]
    o = make_options(dw, max_load_air=45.0, max_load_ground=35.0)
    table = evaluate_packages(dw, o, economics=ECON)
    steps, summary = plan_trajectories(dw, o, target=target, economics=ECON)
    for i in range(len(dw)):
        ok = table[(table["row"] == i) & (table["epc_score_kwh_per_m2"] <= target)]
        assert bool(summary["reached"].iloc[i]) == (len(ok) > 0)
        if len(ok):
            assert summary["net_cost_eur"].iloc[i] == pytest.approx(ok["net_cost_eur"].min())
            assert summary["final_epc_score_kwh_per_m2"].iloc[i] <= target + 1e-9
        s = steps[steps["row"] == i]
        if len(s):  # the last step's state is the final package
            assert s["epc_score_kwh_per_m2"].iloc[-1] == pytest.approx(
                summary["final_epc_score_kwh_per_m2"].iloc[i])
            assert s["cumulative_net_cost_eur"].iloc[-1] == pytest.approx(
                summary["net_cost_eur"].iloc[i])


def test_steps_are_nested_and_heat_pump_comes_after_the_envelope(demo_dwellings):  # noqa: F811
    dw = demo_dwellings.iloc[:40]
    o = make_options(dw, max_load_air=45.0, max_load_ground=35.0)
    steps, summary = plan_trajectories(dw, o, economics=ECON)
    assert len(steps) > 0
    env = set(ENVELOPE_DIMENSIONS)
    for _, s in steps.groupby("row"):
        dims = list(s["dimension"])
        assert len(set(dims)) == len(dims)  # each step adds one new measure: nested subsets
        assert list(s["step"]) == list(range(1, len(s) + 1))
        assert (np.diff(s["cumulative_investment_eur"]) >= -1e-9).all()
        if "heating" in dims:
            k = dims.index("heating")
            assert not env & set(dims[k:])  # no envelope step after the heating change
            row = s.iloc[k]
            limit = {"heat_pump_air_water": 45.0, "heat_pump_ground": 35.0}.get(row["measure"],
                                                                            np.inf)
            assert row["design_heat_load_w_per_m2"] <= limit + 1e-9
        for later in ("pv", "solar_water_heater"):
            if later in dims and "heating" in dims:
                assert dims.index(later) > dims.index("heating")
    # step savings add up to the cumulative ones
    for _, s in steps.groupby("row"):
        assert s["saving_eur"].sum() == pytest.approx(s["cumulative_saving_eur"].iloc[-1])
        assert s["premium_eur"].sum() == pytest.approx(s["cumulative_premium_eur"].iloc[-1])
    assert (summary["n_steps"] == steps.groupby("row").size().reindex(
        range(len(dw)), fill_value=0).to_numpy()).all()


def test_unreachable_target_is_explained(demo_dwellings):  # noqa: F811
    dw = demo_dwellings.iloc[:5]
    o = make_options(dw, max_load_air=1.0, max_load_ground=1.0)
    o.applicable["heating"][:, 2] = False  # no hybrid either
    o.applicable["pv"][:, 1:] = False
    o.reason["pv"][:, 1:] = "geen geschikt dak"
    _, summary = plan_trajectories(dw, o, target=-50.0, economics=ECON)
    assert not summary["reached"].any()
    gap = summary["best_epc_score_kwh_per_m2"] + 50.0
    np.testing.assert_allclose(summary["gap_kwh_per_m2"], gap)
    for text in summary["explanation"]:
        assert "niet haalbaar" in text
        assert "zonnepanelen: geen geschikt dak" in text
        assert "warmtepomp niet mogelijk: warmtevraag na isolatie nog" in text


def test_already_good_dwelling_has_no_steps(demo_dwellings):  # noqa: F811
    dw = demo_dwellings.iloc[:3]
    steps, summary = plan_trajectories(dw, make_options(dw), target=1e6, economics=ECON)
    assert summary["reached"].all() and (summary["n_steps"] == 0).all()
    assert steps.empty
    assert (summary["explanation"] == "").all()


def test_obligation_target_uses_deed_year_and_typology(demo_dwellings):  # noqa: F811
    pytest.importorskip("wijkreno.renovate.catalogue")
    dw = demo_dwellings.iloc[:4].copy()
    dw["typology"] = ["terraced", "apartment_building", "detached", "terraced"]
    dw["deed_year"] = [2036, 2036, np.nan, 2024]
    _, summary = plan_trajectories(dw, make_options(dw), target="obligation", economics=ECON)
    assert list(summary["target_label"]) == ["B", "C", "A", "D"]
    assert list(summary["target"]) == ["obligation", "obligation", "label_A_2050", "obligation"]
    assert list(summary["target_year"]) == [2041.0, 2041.0, 2050.0, 2029.0]
    assert list(summary["target_score_kwh_per_m2"]) == [200.0, 300.0, 100.0, 400.0]
