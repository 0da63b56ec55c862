"""Issue 12, money: each trajectory step paid at the cost level of its planned year and
discounted from it (:func:`wijkreno.renovate.trajectories.time_steps`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.renovate import hand_dwellings
from wijkreno.renovate.catalogue import money_params
from wijkreno.renovate.packages import Economics, load_economics
from wijkreno.renovate.trajectories import plan_trajectories, time_steps

ECON = Economics(horizon_years=30, discount_rate_frac=0.03, price_escalation_frac=0.01,
                 pv_self_consumption_frac=0.35, injection_tariff_eur_per_kwh=0.04,
                 design_outdoor_temperature_degc=-8.0, boiler_replacement_eur=4000.0,
                 boiler_lifetime_years=20.0, start_year=2026, cost_escalation_frac=0.011,
                 envelope_phase_years=10.0)


def _cash_flows(econ: Economics, steps: list[dict], boiler_years: float | None,
                heat_pump_year: float | None) -> float:
    """NPV written out year by year: every invoice, premium, replacement, residual value and
    saving of a trajectory as a cash flow in its year, discounted to the price year."""
    h = econ.horizon_years
    r, g, e = econ.discount_rate_frac, econ.cost_escalation_frac, econ.price_escalation_frac
    flows = np.zeros(h + 1)
    for s in steps:
        t0, inv, life = s["tau"], s["inv"], s["life"]
        flows[t0] += -inv * (1 + g) ** t0 + s["prem"]
        for t in range(t0 + 1, h + 1):
            flows[t] += s["save"] * (1 + e) ** t
        last = t0
        while np.isfinite(life) and last + life < h:
            last += int(life)
            flows[last] -= inv * (1 + g) ** last
        if np.isfinite(life):
            flows[h] += inv * (1 + g) ** last * (last + life - h) / life
    if boiler_years is not None:  # replaced like for like while the boiler heats the house
        t = boiler_years
        while t < heat_pump_year:
            flows[int(t)] -= econ.boiler_replacement_eur * (1 + g) ** t
            t += econ.boiler_lifetime_years
    return float(sum(f * (1 + r) ** -t for t, f in enumerate(flows)))


def _frames(steps: list[dict], econ: Economics, npv_price_year: float):
    st = pd.DataFrame({
        "row": 0, "step": np.arange(1, len(steps) + 1),
        "dimension": [s["dim"] for s in steps], "intermediate": False,
        "investment_eur": [s["inv"] for s in steps], "premium_eur": [s["prem"] for s in steps],
        "saving_eur": [s["save"] for s in steps],
        "lifetime_years": [s["life"] for s in steps],
        "planned_year": [econ.start_year + s["tau"] for s in steps],
    })
    inv = sum(s["inv"] for s in steps)
    prem = sum(s["prem"] for s in steps)
    save = sum(s["save"] for s in steps)
    su = pd.DataFrame({"npv_eur": [npv_price_year], "investment_eur": [inv],
                       "premium_eur": [prem], "net_cost_eur": [inv - prem],
                       "saving_eur": [save],
                       "payback_years": [(inv - prem) / save if save > 0 else np.inf],
                       "avoided_boiler_replacement_eur": [0.0]})
    return st, su


STEPS = [
    dict(dim="roof", inv=6000.0, prem=800.0, save=500.0, life=40.0, tau=0),
    dict(dim="wall", inv=9000.0, prem=1000.0, save=400.0, life=40.0, tau=5),
    dict(dim="heating", inv=14000.0, prem=3000.0, save=900.0, life=20.0, tau=10),
]


@pytest.mark.parametrize("boiler_years", [None, 4.0, 12.0])
def test_timed_npv_equals_the_cash_flows_year_by_year(boiler_years):
    at_start = [{**s, "tau": 0} for s in STEPS]
    keep = (ECON.boiler_replacement_eur * ECON.replacement_factor(np.array([boiler_years]))
            if boiler_years is not None else np.zeros(1))
    # the price-year NPV (the enumeration's), checked against the cash flows with tau = 0
    npv0 = _cash_flows(ECON, at_start, None, None)
    st, su = _frames(STEPS, ECON, npv0)
    time_steps(st, su, ECON, keep_replacement=keep,
               boiler_years=np.array([np.inf if boiler_years is None else boiler_years]))
    expected = _cash_flows(ECON, STEPS, boiler_years, 10)
    assert su["npv_eur"].iloc[0] == pytest.approx(expected, rel=1e-9)
    assert su["npv_price_year_eur"].iloc[0] == pytest.approx(npv0)
    if boiler_years == 4.0:  # replaced in year 4, before the heat pump of year 10
        assert su["avoided_boiler_replacement_eur"].iloc[0] < 0.0


def test_a_step_planned_later_costs_more_and_weighs_less():
    econ = replace(ECON, price_escalation_frac=0.0)
    st, su = _frames(STEPS, econ, 0.0)
    time_steps(st, su, econ)
    c = (1 + econ.cost_escalation_frac) ** np.array([0, 5, 10])
    np.testing.assert_allclose(st["cost_index_factor"], c)
    np.testing.assert_allclose(st["investment_planned_eur"], st["investment_eur"] * c)
    assert su["investment_planned_eur"].iloc[0] == pytest.approx((st["investment_eur"] * c).sum())
    assert su["investment_planned_eur"].iloc[0] > su["investment_eur"].iloc[0]
    # a step with no saving and no replacement: later, it costs c times more but is
    # discounted by (1 + r)^-tau, so it weighs (1 + g)^tau / (1 + r)^tau of its invoice
    one = [dict(dim="roof", inv=10000.0, prem=0.0, save=0.0, life=np.inf, tau=tau)
           for tau in (0, 8)]
    npvs = []
    for s in one:
        st, su = _frames([s], econ, -10000.0)
        time_steps(st, su, econ)
        npvs.append(su["npv_eur"].iloc[0])
    assert npvs[0] == pytest.approx(-10000.0)
    assert npvs[1] == pytest.approx(-10000.0 * (1.011 / 1.03) ** 8)


@pytest.mark.parametrize("life, tau, expected", [
    (20.0, 5.0, 1.0 - 0.75),  # replaced at 25; 15 of 20 years left at 30
    (40.0, 5.0, -0.375),      # never replaced; 15 of 40 years left at 30
    (10.0, 5.0, 2.0 - 0.5),   # replaced at 15 and 25; 5 of 10 years left
    (np.inf, 5.0, 0.0),
])
def test_life_cycle_factor_from_a_later_year(life, tau, expected):
    econ = replace(ECON, discount_rate_frac=0.0, cost_escalation_frac=0.0)
    assert econ.life_cycle_factor_at(life, tau) == pytest.approx(expected)


def test_life_cycle_factor_at_the_price_year_by_hand():
    """At offset 0, a vector of lifetimes (H = 30, undiscounted): replacements within the
    horizon minus the residual share of the last unit; none for an infinite, zero or unknown
    lifetime."""
    econ = replace(ECON, discount_rate_frac=0.0, cost_escalation_frac=0.0)
    assert econ.horizon_years == 30
    lives = np.array([12.5, 20.0, 40.0, np.inf, 0.0, np.nan])
    expected = [2.0 - 0.6, 1.0 - 0.5, -0.25, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(econ.life_cycle_factor_at(lives, 0.0), expected, atol=1e-12)
    np.testing.assert_allclose(econ.life_cycle_factor(lives), expected, atol=1e-12)


def test_all_steps_in_the_price_year_keep_the_price_year_npv():
    """Regression: with every step planned in the price year the NPV, payback and invoices
    are those of the enumeration (the figures before the steps were timed)."""
    dw = hand_dwellings({"heating_system": "oil_boiler"}, {},
                        {"heating_system": "electric_resistance"})
    econ = load_economics(money=money_params(2026))
    now = replace(econ, envelope_phase_years=0.0)  # every step in the price year
    st0, su0 = plan_trajectories(dw, economics=now)
    assert (st0["planned_year"] == 2026).all()
    np.testing.assert_allclose(su0["npv_eur"], su0["npv_price_year_eur"], rtol=1e-12)
    np.testing.assert_allclose(su0["investment_planned_eur"], su0["investment_eur"])
    np.testing.assert_allclose(st0["investment_planned_eur"], st0["investment_eur"])
    # the price-year NPV is the chosen package's, evaluated alone
    from wijkreno.renovate.packages import evaluate_packages

    table = evaluate_packages(dw, economics=now)
    for i, m in enumerate(su0["measures"]):
        same = table["measures"].map(lambda x, m=m: set(x.split("+")) == set(m.split("+")))
        hit = table[(table["row"] == i) & same]
        assert su0["npv_price_year_eur"].iloc[i] == pytest.approx(hit["npv_eur"].iloc[0])
    # spread over ten years: the later steps cost more, the NPV moves
    st, su = plan_trajectories(dw, economics=econ)
    later = st["planned_year"] > 2026
    assert later.any()
    np.testing.assert_allclose(
        st.loc[later, "investment_planned_eur"],
        st.loc[later, "investment_eur"] * (1 + econ.cost_escalation_frac) ** (
            st.loc[later, "planned_year"] - 2026))
    assert (su["investment_planned_eur"] > su["investment_eur"]).all()
    assert not np.allclose(su["npv_eur"], su["npv_price_year_eur"])
    np.testing.assert_allclose(su["npv_price_year_eur"], su0["npv_price_year_eur"])


@pytest.mark.parametrize("rate, growth, horizon", [
    (0.03, 0.01, 30), (0.04, 0.0, 20), (0.0, 0.02, 15), (0.02, 0.02, 25)])
def test_annuity_factor_is_the_sum_of_discounted_escalated_years(rate, growth, horizon):
    econ = replace(ECON, discount_rate_frac=rate, price_escalation_frac=growth,
                   horizon_years=horizon)
    q = (1.0 + growth) / (1.0 + rate)
    expected = sum(q ** t for t in range(1, horizon + 1))
    assert econ.annuity_factor() == pytest.approx(expected, rel=1e-12)
    # the first years only: whole years (a fraction of a year saves nothing yet), none at 0
    got = econ.saving_factor(np.array([0.0, 0.5, 1.0, 3.7, float(horizon)]))
    np.testing.assert_allclose(
        got, [0.0, 0.0, q, q + q ** 2 + q ** 3, expected], rtol=1e-12, atol=1e-12)


def test_the_worked_example_of_docs_money():
    """The figures of docs/money.md "Totals and their basis": regenerate them with this
    plan_dwellings call and restate them there after a reviewed change."""
    from wijkreno.pipeline import plan_dwellings

    dw = hand_dwellings({"heating_system": "oil_boiler"}, {},
                        {"heating_system": "electric_resistance"})
    _, steps, summary, _ = plan_dwellings(dw, price_year=2026)
    assert sorted(set(steps.loc[steps["row"] == 0, "planned_year"])) == [2026, 2031, 2036]
    oil, electric = summary.iloc[0], summary.iloc[2]
    assert (oil["investment_eur"], oil["investment_planned_eur"]) == (
        pytest.approx(15_474, abs=0.5), pytest.approx(16_924, abs=0.5))
    assert (oil["npv_price_year_eur"], oil["npv_eur"]) == (
        pytest.approx(21_806, abs=0.5), pytest.approx(25_281, abs=0.5))
    assert (electric["npv_price_year_eur"], electric["npv_eur"]) == (
        pytest.approx(143_218, abs=0.5), pytest.approx(117_377, abs=0.5))
