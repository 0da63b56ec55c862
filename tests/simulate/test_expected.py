"""Expected real use: the prebound/rebound relation, appliances, PV, gross calorific value."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from tests.simulate.test_engine import make_dwellings
from wijkreno.errors import InputError
from wijkreno.params.models.expected_use import PreboundPoint, load_expected_use_params
from wijkreno.simulate.engine import simulate_dwellings
from wijkreno.simulate.expected import (
    BASIS_LABELS_NL,
    EXPECTED_COLUMNS,
    basis_column,
    expected_use,
    fit_prebound_curve,
    prebound_curve,
    prebound_ratio,
)


def _results(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    score = rng.uniform(-50, 1200, n)
    area = rng.uniform(40, 300, n)
    calc = np.clip(score, 0, None) * area * rng.uniform(0.6, 1.0, n)
    gas = np.where(rng.random(n) < 0.6, calc, 0)
    return pd.DataFrame({
        "epc_score_kwh_per_m2": score,
        "final_gas_kwh": gas,
        "final_oil_kwh": np.where(gas == 0, rng.uniform(0, 30000, n), 0.0),
        "final_electricity_kwh": rng.uniform(0, 8000, n),
        "final_wood_kwh": 0.0,
    }, index=pd.Index(rng.permutation(n) + 100, name="idx"))


def test_fit_reproduces_the_published_points_within_the_band():
    p = load_expected_use_params()
    curve = prebound_curve(p)
    assert 0.0 <= curve.exponent < 1.0
    level = dict(curve.study_log_scales)
    assert curve.log_scale == level[p.prebound.level_study]
    for pt in p.prebound.points:  # each point against its own study's curve
        own = dataclasses.replace(curve, log_scale=level[pt.study])
        r = prebound_ratio([pt.score_kwh_per_m2], own)[0]
        assert abs(np.log(r / pt.ratio)) < p.band.sigma_level_log, pt
    # prebound: poor dwellings use less than calculated, the more so the poorer
    assert prebound_ratio([500.0], curve)[0] < 0.5 < prebound_ratio([100.0], curve)[0] < 1.0
    # the Flemish EPB calculation overestimates more than the German ratings (Delghust 2015)
    assert level["BE-VL"] < level["DE"]


def test_study_fixed_effects_share_one_elasticity():
    """Two studies on parallel lines: the common slope and each intercept are recovered."""
    b, a1, a2 = 0.4, 0.0, -0.3
    pts = [PreboundPoint(score_kwh_per_m2=q, ratio=float(np.exp(a - b * np.log(q / 100))),
                         source="synthetic", study=name)
           for name, a, qs in (("one", a1, (60, 150, 400)), ("two", a2, (90, 320)))
           for q in qs]
    kw = dict(reference_score_kwh_per_m2=100, ratio_min=0.01, ratio_max=5)
    fe = fit_prebound_curve(pts, level_study="two", **kw)
    assert fe.exponent == pytest.approx(b) and fe.log_scale == pytest.approx(a2)
    assert dict(fe.study_log_scales) == pytest.approx({"one": a1, "two": a2})
    assert fe.rms_log_residual == pytest.approx(0.0, abs=1e-12)
    pooled = fit_prebound_curve(pts, **kw)  # one intercept: between the two, with residuals
    assert a2 < pooled.log_scale < a1 and pooled.rms_log_residual > 0.05
    with pytest.raises(InputError, match="level_study"):
        fit_prebound_curve(pts, level_study="three", **kw)


def test_points_that_would_break_monotonicity_are_refused():
    pts = [PreboundPoint(score_kwh_per_m2=100, ratio=1.0, source="x"),
           PreboundPoint(score_kwh_per_m2=400, ratio=0.1, source="x")]  # b = 1.66
    with pytest.raises(InputError, match="exponent"):
        fit_prebound_curve(pts, reference_score_kwh_per_m2=100, ratio_min=0.01, ratio_max=2)


def test_expected_use_never_negative_and_index_kept():
    r = _results(500)
    e = expected_use(r)
    assert list(e.columns) == list(EXPECTED_COLUMNS)
    assert e.index.equals(r.index)
    assert (e.fillna(0).to_numpy() >= 0).all()
    assert (e["expected_final_gas_kwh_low"] <= e["expected_final_gas_kwh"]).all()
    assert (e["expected_final_gas_kwh"] <= e["expected_final_gas_kwh_high"]).all()


def test_lower_score_never_gives_higher_expected_use_synthetic():
    """Same dwelling and household, calculated use and score scaled down together."""
    r = _results(300, seed=1)
    base = expected_use(r)
    for s in (0.9, 0.5, 0.2):
        better = r.copy()
        for c in ("epc_score_kwh_per_m2", "final_gas_kwh", "final_oil_kwh",
                  "final_electricity_kwh"):
            better[c] = r[c] * s
        e = expected_use(better)
        for c in ("expected_final_gas_kwh", "expected_final_oil_kwh",
                  "expected_final_electricity_kwh"):
            assert (e[c] <= base[c] + 1e-9).all(), (s, c)


def test_lower_score_never_gives_higher_expected_use_engine():
    """The engine itself: better insulation lowers the score and the expected use."""
    dw = make_dwellings(12)
    dw["heating_system"] = "gas_condensing_boiler"
    better = dw.copy()
    for c in ("u_roof_w_per_m2k", "u_wall_w_per_m2k", "u_window_w_per_m2k"):
        better[c] = dw[c] * 0.4
    r0, r1 = simulate_dwellings(dw), simulate_dwellings(better)
    assert (r1["epc_score_kwh_per_m2"] < r0["epc_score_kwh_per_m2"]).all()
    e0, e1 = expected_use(r0), expected_use(r1)
    assert (e1["expected_final_gas_kwh"] <= e0["expected_final_gas_kwh"]).all()
    # expected use is below calculated for these unrenovated-style envelopes
    assert (e0["expected_final_gas_kwh"] < e0["final_gas_gross_kwh"]).all()


def test_gross_calorific_value_and_given_gross_column():
    r = _results(20, seed=2)
    p = load_expected_use_params()
    e = expected_use(r)
    hs_hi = p.gas_gross_over_net.value
    np.testing.assert_allclose(e["final_gas_gross_kwh"], r["final_gas_kwh"] * hs_hi)
    r2 = r.assign(final_gas_gcv_kwh=r["final_gas_kwh"] * 1.1)
    np.testing.assert_allclose(expected_use(r2)["final_gas_gross_kwh"], r["final_gas_kwh"] * 1.1)


def test_appliances_and_pv_self_consumption():
    r = _results(50, seed=3)
    p = load_expected_use_params()
    no_pv = expected_use(r)
    assert (no_pv["appliances_lighting_kwh"] == p.appliances_lighting_kwh_per_household.value).all()
    dw = pd.DataFrame({"pv_kwp": 4.0}, index=r.index)
    pv = expected_use(r, dw)
    sc = pv["pv_self_consumed_kwh"]
    assert (sc > 0).all()
    cap = p.pv_self_consumption_frac.value * 4.0 * p.pv_yield_kwh_per_kwp.value
    assert (sc <= cap + 1e-9).all()
    np.testing.assert_allclose(pv["expected_final_electricity_kwh"] + sc,
                               no_pv["expected_final_electricity_kwh"])
    huge = expected_use(r, pd.DataFrame({"pv_yield_kwh": 1e7}, index=r.index))
    assert (huge["expected_final_electricity_kwh"] >= 0).all()


def test_missing_score_gives_nan_and_missing_column_raises():
    r = _results(5)
    r.iloc[0, r.columns.get_loc("epc_score_kwh_per_m2")] = np.nan
    e = expected_use(r)
    assert np.isnan(e["expected_final_gas_kwh"].iloc[0])
    with pytest.raises(InputError, match="epc_score_kwh_per_m2"):
        expected_use(r.drop(columns="epc_score_kwh_per_m2"))


def test_basis_names_and_dutch_labels():
    assert basis_column("gas", "standardised") == "final_gas_kwh"
    assert basis_column("gas", "expected") == "expected_final_gas_kwh"
    assert basis_column("electricity", "calibrated") == "calibrated_final_electricity_kwh"
    assert BASIS_LABELS_NL["calibrated"] == "gekalibreerd op Fluvius-meters"
    with pytest.raises(InputError):
        basis_column("gas", "measured")
