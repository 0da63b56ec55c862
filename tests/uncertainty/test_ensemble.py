"""Monte Carlo ensembles over imputed inputs (wijkreno.uncertainty)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from wijkreno.cli.uncertainty import uncertainty
from wijkreno.errors import InputError
from wijkreno.simulate.engine import simulate_dwellings
from wijkreno.twin.params import load_twin_params
from wijkreno.uncertainty import (
    METRICS,
    TOTAL_METRICS,
    EnsembleDraws,
    aggregate_ensemble,
    label_column,
    load_uncertainty_params,
    per_draw_totals,
    period_probabilities,
    simulate_ensemble,
    tabula_period_shares,
)
from wijkreno.uncertainty import ensemble as ens

LABELS = ("A+", "A", "B", "C", "D", "E", "F")
LABEL_COLUMNS = [label_column(lab) for lab in LABELS]
SOURCE_FLAGS = [
    "construction_year_source", "u_roof_w_per_m2k_source", "u_wall_w_per_m2k_source",
    "u_floor_w_per_m2k_source", "u_window_w_per_m2k_source", "infiltration_ach_source",
    "heating_system_source",
]


@pytest.fixture(scope="module")
def demo_twin(tmp_path_factory):
    from tests.demo_summary import build_demo_twin

    twin, _ = build_demo_twin(Path(tmp_path_factory.mktemp("demo")))
    return twin


@pytest.fixture(scope="module")
def demo(demo_twin) -> gpd.GeoDataFrame:
    d = demo_twin.dwellings
    # a non-default index: results must come back indexed like the input
    return d.set_axis(pd.Index(np.arange(len(d)) * 3 + 7, name="row"))


@pytest.fixture(scope="module")
def demo_ensemble(demo):
    return simulate_ensemble(demo, n_draws=100, seed=11, return_draws=True)


def _observed(frame: pd.DataFrame, rows: pd.Index | None = None) -> pd.DataFrame:
    out = frame.copy()
    rows = out.index if rows is None else rows
    for col in SOURCE_FLAGS:
        out[col] = out[col].astype(object)
        out.loc[rows, col] = "observed"
    return out


# --- parameters ---------------------------------------------------------------------------------


def test_packaged_parameters_load_with_sources():
    p = load_uncertainty_params()
    assert p.construction_period.window.value == 1
    np.testing.assert_allclose(p.insulation.roof.renovated_frac.as_array(),
                               [0.71, 0.71, 0.71, 0, 0, 0])
    np.testing.assert_allclose(p.insulation.wall.renovated_frac.as_array()[1:3], [0.60, 0.60])
    assert p.insulation.glazing.u_after_w_per_m2k.value == 1.8
    for element in ("roof", "wall", "floor", "glazing"):
        assert getattr(p.insulation, element).source


def test_parameter_file_with_unknown_key_is_refused(tmp_path):
    from importlib import resources

    text = resources.files("wijkreno.params").joinpath("uncertainty.toml").read_text("utf-8")
    bad = tmp_path / "u.toml"
    bad.write_text(text.replace('version = "1"', 'version = "1"\nrenovaton_rate = 0.1'),
                   encoding="utf-8")
    with pytest.raises(InputError, match="renovaton_rate"):
        load_uncertainty_params(bad)
    with pytest.raises(InputError, match="cannot read"):
        load_uncertainty_params(tmp_path / "none.toml")


# --- distributions ------------------------------------------------------------------------------


def test_statbel_periods_are_split_over_tabula_periods_by_years():
    counts = pd.DataFrame(0.0, index=["R1", "R2"], columns=list(ens.STATBEL_PERIODS))
    counts.loc["R1", "T3.7.3"] = 10.0  # 2002-2011: 4 years in 04 (to 2005), 6 in 05
    counts.loc["R1", "T3.7.1"] = 10.0  # 1982-1991: 9 years in 03 (to 1990), 1 in 04
    shares = tabula_period_shares(counts)
    np.testing.assert_allclose(shares.loc["R1"], [0, 0, 0.45, 0.25, 0.30, 0])
    np.testing.assert_allclose(shares.loc["R2"], np.full(6, 1 / 6))  # no buildings: even


def test_flanders_period_shares_are_plausible():
    fp = load_twin_params().flanders_period_counts
    counts = pd.DataFrame({t: getattr(fp, t) for t in ("R1", "R2", "R3", "R4")},
                          index=list(ens.STATBEL_PERIODS)).T
    shares = tabula_period_shares(counts)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert shares.loc["R1", "01"] > 0.5  # terraced houses are mostly pre-1946
    assert shares.loc["R3", "03"] == shares.loc["R3"].max()  # detached houses peak 1971-90


def test_period_probabilities_known_answers():
    prior = np.tile([0.5, 0.2, 0.1, 0.1, 0.05, 0.05], (4, 1))
    period = np.array([1, 1, -1, 5])
    imputed = np.array([True, False, True, True])
    p = period_probabilities(prior, period, imputed, window=1)
    np.testing.assert_allclose(p[0], [0.625, 0.25, 0.125, 0, 0, 0])  # 0.5,0.2,0.1 / 0.8
    np.testing.assert_allclose(p[1], [0, 1, 0, 0, 0, 0])  # observed: fixed
    np.testing.assert_allclose(p[2], prior[0])  # unknown: the whole prior
    np.testing.assert_allclose(p[3], [0, 0, 0, 0, 0.5, 0.5])
    wide = period_probabilities(prior, period, imputed, window=5)
    np.testing.assert_allclose(wide[0], prior[0])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=6, max_size=6),
    st.integers(-1, 5), st.booleans(), st.integers(0, 5),
)
def test_period_probabilities_are_distributions(raw, period, imputed, window):
    prior = np.array(raw)
    prior = prior / prior.sum() if prior.sum() > 0 else np.full(6, 1 / 6)
    p = period_probabilities(prior[None, :], np.array([period]), np.array([imputed]), window)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    if period >= 0:
        assert np.all(p[0, np.abs(np.arange(6) - period) > window] == 0)


def test_heating_systems_are_drawn_with_the_twin_shares(demo):
    d = _observed(demo.iloc[:40])
    d["heating_system_source"] = "imputed"
    d["tabula_period"] = "06"
    d["construction_year"] = 2015
    params = load_uncertainty_params()
    tp = load_twin_params()
    prep = ens._prepare(d, ens.load_archetypes(), tabula_period_shares(
        pd.DataFrame({t: getattr(tp.flanders_period_counts, t) for t in ("R1", "R2", "R3", "R4")},
                     index=list(ens.STATBEL_PERIODS)).T),
        params, ens.load_heat_balance_params(), ens.default_system_params())
    cum, codes = ens._heating_cumulative(tp)
    u = np.random.default_rng(0).random((40, 500, ens._N_UNIFORMS))
    _, h = ens._draw_chunk(prep, 0, 40, 500, u, params, cum, codes)
    freq = np.bincount(h, minlength=len(ens.HEATING_SYSTEMS)) / h.size
    shares = dict(zip(tp.heating_system_shares.systems,
                      tp.heating_system_shares.shares("06"), strict=True))
    for system, share in shares.items():
        assert freq[ens.HEATING_SYSTEMS.index(system)] == pytest.approx(share, abs=0.01)


# --- simulate_ensemble --------------------------------------------------------------------------


def test_output_is_indexed_like_input_and_ordered(demo, demo_ensemble):
    e, draws = demo_ensemble
    assert e.index.equals(demo.index)
    assert draws.index.equals(demo.index)
    assert (e["dwelling_id"].to_numpy() == demo["dwelling_id"].to_numpy()).all()
    assert (e["n_draws"] == 100).all()
    for metric in METRICS:
        lo, mid, hi = (e[f"{metric}_{q}"] for q in ("p10", "p50", "p90"))
        assert (lo <= mid).all() and (mid <= hi).all()
        assert draws.values[metric].shape == (len(demo), 100)
    np.testing.assert_allclose(e[LABEL_COLUMNS].sum(axis=1), 1.0)
    # every input of the demo twin is imputed, so every dwelling has a range
    assert e["has_imputed_inputs"].all()
    assert (e["epc_score_kwh_per_m2_p90"] > e["epc_score_kwh_per_m2_p10"]).mean() > 0.95


def test_seeded_reproducibility_and_chunking(demo):
    sub = demo.iloc[:60]
    a = simulate_ensemble(sub, n_draws=30, seed=5)
    b = simulate_ensemble(sub, n_draws=30, seed=5, chunk_rows=7, parallel=False)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_ensemble(sub, n_draws=30, seed=6)
    assert not np.allclose(a["epc_score_kwh_per_m2_p50"], c["epc_score_kwh_per_m2_p50"])


def test_observed_dwellings_are_fixed_and_equal_the_engine(demo):
    sub = demo.iloc[:50]
    fixed = sub.index[::2]
    d = _observed(sub, fixed)
    e = simulate_ensemble(d, n_draws=40, seed=3)
    point = simulate_dwellings(d)
    f = e.loc[fixed]
    assert not f["has_imputed_inputs"].any()
    assert e.loc[sub.index.difference(fixed), "has_imputed_inputs"].all()
    for metric in METRICS:
        assert (f[f"{metric}_p10"] == f[f"{metric}_p50"]).all()
        assert (f[f"{metric}_p50"] == f[f"{metric}_p90"]).all()
    np.testing.assert_allclose(f["epc_score_kwh_per_m2_p50"],
                               point.loc[fixed, "epc_score_kwh_per_m2"], rtol=1e-9)
    np.testing.assert_allclose(f["co2_com_kg_co2_p50"], point.loc[fixed, "co2_com_kg_co2"],
                               rtol=1e-9)
    final = point.loc[fixed, ["final_gas_kwh", "final_oil_kwh", "final_electricity_kwh",
                              "final_wood_kwh"]].sum(axis=1)
    np.testing.assert_allclose(f["final_energy_kwh_p50"], final, rtol=1e-9)
    # one label with certainty
    labels = point.loc[fixed, "epc_label"].astype(str)
    for row, label in labels.items():
        assert f.loc[row, label_column(label)] == 1.0
        assert f.loc[row, "epc_label_p50"] == label


def test_certain_roof_insulation_applies_the_r_value(demo):
    """All flags observed but the roof's; roof renovated with probability 1: a known answer."""
    p = load_uncertainty_params()
    roof = p.insulation.roof.model_copy(update={"renovated_frac": p.insulation.roof
                                                .renovated_frac.model_copy(update={"p01": 1.0})})
    params = p.model_copy(update={"insulation": p.insulation.model_copy(update={"roof": roof})})
    d = _observed(demo[demo["tabula_period"].astype(str) == "01"].iloc[:20])
    d["u_roof_w_per_m2k_source"] = "imputed"
    e = simulate_ensemble(d, n_draws=10, seed=0, params=params)
    assert (e["epc_score_kwh_per_m2_p10"] == e["epc_score_kwh_per_m2_p90"]).all()
    arch = ens.load_archetypes().set_index(["typology", "tabula_period"])
    u0 = arch.loc[list(zip(d["typology"].astype(str), ["01"] * len(d), strict=True)),
                  "u_roof_w_per_m2k"].to_numpy()
    expected = d.copy()
    expected["u_roof_w_per_m2k"] = 1 / (1 / u0 + p.insulation.roof.r_added_m2k_per_w.value)
    point = simulate_dwellings(expected)
    np.testing.assert_allclose(e["epc_score_kwh_per_m2_p50"], point["epc_score_kwh_per_m2"],
                               rtol=1e-9)
    assert (point["epc_score_kwh_per_m2"] < simulate_dwellings(d)["epc_score_kwh_per_m2"]).all()


def test_median_converges_and_more_draws_do_not_narrow(demo):
    sub = demo.iloc[:80]
    a = simulate_ensemble(sub, n_draws=600, seed=1)
    b = simulate_ensemble(sub, n_draws=600, seed=2)
    rel = (a["epc_score_kwh_per_m2_p50"] - b["epc_score_kwh_per_m2_p50"]).abs() / \
        b["epc_score_kwh_per_m2_p50"]
    assert rel.median() < 0.03
    assert abs(a["co2_flemish_kg_co2_p50"].sum() / b["co2_flemish_kg_co2_p50"].sum() - 1) < 0.02
    few = simulate_ensemble(sub, n_draws=40, seed=3)
    width_few = (few["epc_score_kwh_per_m2_p90"] - few["epc_score_kwh_per_m2_p10"]).mean()
    width_many = (a["epc_score_kwh_per_m2_p90"] - a["epc_score_kwh_per_m2_p10"]).mean()
    assert 0.8 < width_few / width_many < 1.25


def test_genk_like_table_without_construction_year(demo):
    d = demo.iloc[:30].drop(columns=["construction_year", "construction_year_source",
                                     "tabula_period"])
    for col in ("u_roof_w_per_m2k_source", "u_wall_w_per_m2k_source",
                "u_floor_w_per_m2k_source", "u_window_w_per_m2k_source"):
        d[col] = "derived"
    e = simulate_ensemble(d, n_draws=50, seed=0)
    assert e["has_imputed_inputs"].all()  # heating system and infiltration are drawn
    np.testing.assert_allclose(e[LABEL_COLUMNS].sum(axis=1), 1.0)


def test_bad_input_and_empty_table(demo):
    with pytest.raises(InputError, match="n_draws"):
        simulate_ensemble(demo.iloc[:3], n_draws=0)
    with pytest.raises(InputError, match="u_roof_w_per_m2k"):
        simulate_ensemble(demo.drop(columns=["u_roof_w_per_m2k"]))
    e, draws = simulate_ensemble(demo.iloc[:0], n_draws=5, return_draws=True)
    assert len(e) == 0 and "epc_score_kwh_per_m2_p50" in e.columns
    agg = aggregate_ensemble(demo.iloc[:0], draws)
    assert len(agg) == 0 and "co2_com_kg_co2_p90" in agg.columns


# --- aggregate_ensemble -------------------------------------------------------------------------


def test_sector_quantiles_are_of_per_draw_totals_not_sums_of_quantiles():
    """Two dwellings that move in opposite directions: their total never varies."""
    index = pd.Index(["a", "b", "c"])
    n_draws = 11
    up = np.linspace(0.0, 10.0, n_draws)
    values = {m: np.vstack([up, 10.0 - up, np.full(n_draws, 4.0)]) for m in METRICS}
    draws = EnsembleDraws(index, values, np.full((3, n_draws), 3, dtype=np.int8), LABELS,
                          n_draws, 0)
    dwellings = pd.DataFrame({"sector_code": ["S1", "S1", "S2"]}, index=index)
    agg = aggregate_ensemble(dwellings, draws)
    for metric in TOTAL_METRICS:
        assert agg.loc["S1", f"{metric}_p10"] == pytest.approx(10.0)
        assert agg.loc["S1", f"{metric}_p90"] == pytest.approx(10.0)
        assert agg.loc["S2", f"{metric}_p50"] == pytest.approx(4.0)
    # the sum of the dwellings' p90s would be 9 + 9 = 18
    assert np.quantile(up, 0.9) + np.quantile(10 - up, 0.9) == pytest.approx(18.0)
    assert agg.loc["S1", "epc_score_mean_kwh_per_m2_p50"] == pytest.approx(5.0)
    assert agg.loc["S1", "n_dwellings"] == 2 and agg.loc["S1", "n_uncertain_dwellings"] == 2
    assert agg.loc["S2", "n_uncertain_dwellings"] == 0


def test_demo_sector_totals_match_per_draw_sums(demo, demo_ensemble):
    e, draws = demo_ensemble
    agg = aggregate_ensemble(demo, draws)
    assert agg["n_dwellings"].sum() == len(demo)
    assert set(agg.index) == set(demo["sector_code"].dropna())
    totals = per_draw_totals(demo, draws)
    for metric in TOTAL_METRICS:
        per_draw = totals[metric].loc[agg.index]
        np.testing.assert_allclose(agg[f"{metric}_p50"], per_draw.median(axis=1), rtol=1e-12)
        np.testing.assert_allclose(agg[f"{metric}_p90"], per_draw.quantile(0.9, axis=1),
                                   rtol=1e-12)
        # the mean over draws of the sector total equals the sum of the dwellings' means
        dwelling_mean = pd.Series(draws.values[metric].mean(axis=1), index=demo.index)
        by_sector = dwelling_mean.groupby(demo["sector_code"]).sum()
        np.testing.assert_allclose(per_draw.mean(axis=1), by_sector.loc[agg.index], rtol=1e-9)
        # dwellings vary independently: the total's range is narrower than summed ranges
        summed = e.groupby(demo["sector_code"])[[f"{metric}_p10", f"{metric}_p90"]].sum()
        width_sum = summed[f"{metric}_p90"] - summed[f"{metric}_p10"]
        width_total = agg[f"{metric}_p90"] - agg[f"{metric}_p10"]
        assert (width_total < 0.5 * width_sum.loc[agg.index]).all()


def test_aggregate_refuses_mismatched_input(demo, demo_ensemble):
    _, draws = demo_ensemble
    with pytest.raises(InputError, match="no column 'wijk'"):
        aggregate_ensemble(demo, draws, by="wijk")
    with pytest.raises(InputError, match="do not match"):
        aggregate_ensemble(demo.iloc[:10], draws)


# --- CLI ----------------------------------------------------------------------------------------

app = typer.Typer()
app.command("uncertainty")(uncertainty)
app.command("noop")(lambda: None)  # keeps 'uncertainty' a sub-command
runner = CliRunner()


def test_cli_writes_dwelling_and_sector_files(demo_twin, tmp_path):
    from wijkreno.io.twin_store import write_twin

    twin_dir = tmp_path / "twin"
    t = demo_twin
    write_twin(twin_dir, t.buildings, t.dwellings, t.rejected, t.quality)
    d = t.dwellings
    out = tmp_path / "out"
    r = runner.invoke(app, ["uncertainty", str(twin_dir), "--draws", "20", "--seed", "2",
                            "-o", str(out)])
    assert r.exit_code == 0, r.output
    dw = gpd.read_parquet(out / "ensemble.parquet")
    assert len(dw) == len(d) and dw.crs.to_epsg() == 31370
    assert (dw["dwelling_id"].to_numpy() == d["dwelling_id"].to_numpy()).all()
    sectors = pd.read_csv(out / "ensemble_sectors.csv")
    assert sorted(sectors["sector_code"]) == sorted(d["sector_code"].dropna().unique())
    assert sectors["n_dwellings"].sum() == len(d)
    pq = pd.read_parquet(out / "ensemble_sectors.parquet")
    np.testing.assert_allclose(pq["co2_flemish_kg_co2_p50"], sectors["co2_flemish_kg_co2_p50"])
    r = runner.invoke(app, ["uncertainty", str(tmp_path / "none"), "-o", str(out)])
    assert r.exit_code == 2


def test_draw_kernel_equals_numpy_reference(demo):
    """The numba kernel that builds the draws' inputs equals its NumPy reference."""
    rng = np.random.default_rng(4)
    d = demo.iloc[:60].copy()
    for col in SOURCE_FLAGS:  # a mix of imputed and observed inputs
        d[col] = np.where(rng.random(len(d)) < 0.6, "imputed", "observed")
    d.loc[d.index[:5], "typology"] = "non_residential"  # no archetype: values kept
    d.loc[d.index[5:8], "tabula_period"] = None  # no period: the typology's whole prior
    params = load_uncertainty_params()
    tp = load_twin_params()
    prior = tabula_period_shares(pd.DataFrame(
        {t: getattr(tp.flanders_period_counts, t) for t in ("R1", "R2", "R3", "R4")},
        index=list(ens.STATBEL_PERIODS)).T)
    prep = ens._prepare(d, ens.load_archetypes(), prior, params,
                        ens.load_heat_balance_params(), ens.default_system_params())
    cum, codes = ens._heating_cumulative(tp)
    u = rng.random((40, 25, ens._N_UNIFORMS))
    x_ref, h_ref = ens._draw_chunk(prep, 10, 50, 25, u, params, cum, codes)
    x_k, h_k = ens._draw_chunk_kernel(prep, 10, 50, 25, u, params, cum, codes)
    np.testing.assert_allclose(x_k, x_ref, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(h_k, h_ref)
    assert not np.allclose(x_ref, np.repeat(prep.x[10:50], 25, axis=0))  # something was drawn
