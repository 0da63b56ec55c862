"""Issue 12, money: every caller that prices measures does so in the price year, with the
same indexed catalogue and premium scheme as ``plan_dwellings``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tests.renovate import hand_dwellings
from wijkreno.renovate import applicability
from wijkreno.renovate.catalogue import load_catalogue, money_params
from wijkreno.renovate.options import DIMENSIONS

YEAR = 2026


@pytest.fixture()
def this_year(monkeypatch):
    """The current price set is YEAR's whatever today's date (the callers that take the
    current set call money_params() without a year)."""
    import wijkreno.indicators.savings as savings
    from wijkreno.renovate import catalogue

    real = catalogue.money_params

    def in_year(price_year=None, **kwargs):
        kwargs.setdefault("today", dt.date(YEAR, 7, 1))
        return real(price_year, **kwargs)

    monkeypatch.setattr(catalogue, "money_params", in_year)
    monkeypatch.setattr(savings, "money_params", in_year)


@pytest.fixture()
def seen(monkeypatch):
    """The measure options each caller builds, in call order."""
    built = []
    real = applicability.measure_options

    def spy(*args, **kwargs):
        options = real(*args, **kwargs)
        built.append(options)
        return options

    monkeypatch.setattr(applicability, "measure_options", spy)
    import wijkreno.indicators.savings as savings

    monkeypatch.setattr(savings, "measure_options", spy)
    return built


def _same_costs(a, b) -> None:
    assert a.price_year == b.price_year == YEAR
    for d in DIMENSIONS:
        np.testing.assert_allclose(a.investment_eur[d], b.investment_eur[d], rtol=1e-12,
                                   err_msg=d)
        np.testing.assert_allclose(a.premium_eur[d], b.premium_eur[d], rtol=1e-12, err_msg=d)


def test_callers_price_measures_as_plan_dwellings(seen, this_year):
    from wijkreno.indicators.savings import realised_savings
    from wijkreno.pipeline import plan_dwellings
    from wijkreno.renovate.packages import load_economics
    from wijkreno.renovate.trajectories import plan_trajectories
    from wijkreno.scenario.model import plan_states

    dw = hand_dwellings({"heating_system": "oil_boiler"}, {"construction_year": 1985}, {})
    dw_ref, steps, summary, _ = plan_dwellings(dw, target="label_A_2050", price_year=YEAR)
    ref = seen[-1]
    raw = applicability.measure_options(dw, catalogue=load_catalogue())
    assert raw.price_year is None  # the catalogue at its sources' dates differs
    assert (ref.investment_eur["roof"][:, 1] > raw.investment_eur["roof"][:, 1]).all()  # 2020
    # each caller builds options of its own (the list grows), priced as plan_dwellings'
    # the trajectories without options (the economics' price year)
    before = len(seen)
    s2, sum2 = plan_trajectories(dw, target="label_A_2050",
                                 economics=load_economics(money=money_params(YEAR)),
                                 system_params=money_params(YEAR).system_params)
    assert len(seen) > before
    _same_costs(seen[-1], ref)
    np.testing.assert_allclose(s2["investment_eur"], steps["investment_eur"], rtol=1e-12)
    # the scenario's trajectory states (the current price set: YEAR's, this_year)
    before = len(seen)
    states = plan_states(dw, deduplicate=False)
    assert len(seen) > before
    _same_costs(seen[-1], ref)
    assert states.price_year == YEAR
    # realised savings: the register's measures, effects of the same options
    register = pd.DataFrame({"dwelling_id": dw["dwelling_id"], "measure": "cavity_fill",
                             "completed_on": pd.Timestamp("2024-05-01")})
    before = len(seen)
    realised_savings(register, dw)
    assert len(seen) > before
    assert seen[-1].price_year == YEAR
    assert sum2["price_year"].iloc[0] == summary["price_year"].iloc[0] == YEAR


def test_options_and_economics_of_different_price_years_are_refused():
    from wijkreno.errors import InputError
    from wijkreno.renovate.packages import evaluate_packages, load_economics
    from wijkreno.renovate.trajectories import plan_trajectories
    from wijkreno.scenario.model import plan_states

    dw = hand_dwellings({})
    m25, m26 = money_params(2025), money_params(2026)
    econ26 = load_economics(money=m26)
    raw = applicability.measure_options(dw)  # costs at their sources' dates
    hint = r"measure_options\(dwellings, money=money_params\(2026\)\)"
    with pytest.raises(InputError, match=f"sources' dates but the economics in 2026.*{hint}"):
        plan_trajectories(dw, raw, economics=econ26)
    o25 = applicability.measure_options(dw, money=m25)
    with pytest.raises(InputError, match=f"priced in 2025 but the economics in 2026.*{hint}"):
        evaluate_packages(dw, o25, economics=econ26)
    with pytest.raises(InputError, match="sources' dates"):
        plan_states(dw, raw)
    with pytest.raises(InputError, match="priced in 2025 but money is the 2026 price set"):
        applicability.measure_options(dw, catalogue=m25.catalogue, money=m26)
    with pytest.raises(InputError, match="sources' dates but money is the 2026 price set"):
        applicability.measure_options(dw, catalogue=load_catalogue(), money=m26)
    # options of a price year without economics: the economics of that year
    _, summary = plan_trajectories(dw, o25, target="label_A_2050")
    assert summary["price_year"].iloc[0] == 2025
