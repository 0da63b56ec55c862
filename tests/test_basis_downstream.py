"""Money and CO2 on the expected or calibrated basis; the EPC score and label stay standardised."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.renovate.test_packages import ECON, make_options
from wijkreno.errors import InputError
from wijkreno.renovate.packages import best_packages, evaluate_packages
from wijkreno.renovate.trajectories import plan_trajectories
from wijkreno.simulate.basis import (
    accounts_on_basis,
    basis_label,
    basis_summary_label,
    heating_use_ratio,
    labelled,
    resolve_basis,
)
from wijkreno.simulate.engine import simulate_dwellings
from wijkreno.simulate.expected import CARRIERS
from wijkreno.twin.statistical import build_statistical_stock


def _results(n: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"final_{c}_kwh": rng.uniform(0, 20000, n) for c in CARRIERS},
                         index=pd.Index(np.arange(n) * 7 + 3))
    frame["final_oil_kwh"] = 0.0
    for c in CARRIERS:
        frame[f"expected_final_{c}_kwh"] = 0.5 * frame[f"final_{c}_kwh"]
    frame["calibrated_final_gas_kwh"] = np.nan
    for c in CARRIERS:
        frame[f"calibrated_final_{c}_kwh"] = np.where(
            np.arange(n) % 2 == 0, 0.4 * frame[f"final_{c}_kwh"], np.nan)
    return frame


def test_labels_are_plain_dutch():
    assert basis_label("standardised") == "EPC-berekening (gestandaardiseerd)"
    assert basis_label("expected") == "verwacht werkelijk verbruik"
    assert basis_label("calibrated") == "gekalibreerd op Fluvius-meters"
    assert labelled("Energiefactuur", "expected") == (
        "Energiefactuur (verwacht werkelijk verbruik)")
    assert basis_summary_label(["expected", "calibrated"]) == (
        "gekalibreerd op Fluvius-meters waar beschikbaar, anders verwacht werkelijk verbruik")
    with pytest.raises(InputError, match="unknown basis"):
        basis_label("metered-ish")


def test_auto_takes_calibrated_where_covered_else_expected():
    r = _results()
    assert list(resolve_basis(r)) == ["calibrated", "expected", "calibrated", "expected"]
    assert list(resolve_basis(r, "standardised")) == ["standardised"] * 4
    with pytest.raises(InputError, match="calibrated"):
        resolve_basis(r, "calibrated")  # two rows not covered: a clear error
    bare = r[[f"final_{c}_kwh" for c in CARRIERS]]
    with pytest.raises(InputError, match="expected-use model"):
        resolve_basis(bare)
    with pytest.raises(InputError, match="expected-use model"):
        resolve_basis(bare, "expected")
    assert list(resolve_basis(bare, fallback_standardised=True)) == ["standardised"] * 4


def test_accounts_and_ratio_on_basis():
    r = _results()
    std = accounts_on_basis(r, "standardised")
    auto = accounts_on_basis(r)
    assert auto.index.equals(r.index)
    # CO2 is linear in final energy: 0.4 where calibrated, 0.5 where expected
    np.testing.assert_allclose(auto["co2_flemish_kg_co2"],
                               std["co2_flemish_kg_co2"] * np.array([0.4, 0.5, 0.4, 0.5]))
    assert (auto["energy_cost_eur"] < std["energy_cost_eur"]).all()
    gas = np.zeros(len(r), dtype=np.int64)
    ratio, used = heating_use_ratio(r, gas)
    np.testing.assert_allclose(ratio, [0.4, 0.5, 0.4, 0.5])
    ratio, _ = heating_use_ratio(r, gas, "standardised")
    np.testing.assert_allclose(ratio, 1.0)
    ratio, _ = heating_use_ratio(r, np.full(len(r), -1))  # unknown carrier: unchanged
    np.testing.assert_allclose(ratio, 1.0)


@pytest.fixture(scope="module")
def stock() -> pd.DataFrame:
    """Five gas-heated dwellings of a small synthetic municipality, simulated."""
    rows = []
    for stat, t1, t8 in (("R1", 3, 3), ("R3", 2, 2)):
        rows += [{"year": 2025, "nis_code": "11001", "stat_type": "T1", "building_type": stat,
                  "count": t1},
                 {"year": 2025, "nis_code": "11001", "stat_type": "T8", "building_type": stat,
                  "count": t8},
                 {"year": 2025, "nis_code": "11001", "stat_type": "T3.4", "building_type": stat,
                  "count": t1},
                 {"year": 2025, "nis_code": "11001", "stat_type": "T4.3", "building_type": stat,
                  "count": t1}]
    dw = build_statistical_stock(pd.DataFrame(rows), None, seed=0)
    dw["heating_system"] = "gas_condensing_boiler"
    dw["tabula_period"] = dw["tabula_period"].astype(str)
    res = simulate_dwellings(dw, parallel=False)
    for c in CARRIERS:
        dw[f"final_{c}_kwh"] = res[f"final_{c}_kwh"].to_numpy()
        dw[f"expected_final_{c}_kwh"] = 0.5 * res[f"final_{c}_kwh"].to_numpy()
    return dw


def test_packages_on_expected_basis(stock):
    o = make_options(stock)
    std = best_packages(stock, o, economics=ECON, basis="standardised")
    exp = best_packages(stock, o, economics=ECON)  # default: auto -> expected here
    assert set(std["basis"]) == {"standardised"} and set(exp["basis"]) == {"expected"}
    # the EPC score and label stay standardised
    pd.testing.assert_series_equal(exp["current_epc_score_kwh_per_m2"],
                                   std["current_epc_score_kwh_per_m2"])
    assert (exp["current_epc_label"] == std["current_epc_label"]).all()
    # bills, savings and CO2 of a gas-only package scale with the expected/standardised ratio
    one = evaluate_packages(stock.iloc[:1], _subset(o, 0), economics=ECON,
                            basis="standardised")
    one_exp = evaluate_packages(stock.iloc[:1], _subset(o, 0), economics=ECON)
    sel = ((one["roof"] != "keep") & (one["n_measures"] == 1)).to_numpy()
    assert sel.any()
    np.testing.assert_allclose(one_exp.loc[sel, "saving_kwh"], 0.5 * one.loc[sel, "saving_kwh"],
                               rtol=1e-9)
    np.testing.assert_allclose(one_exp.loc[sel, "saving_co2_flemish_kg_co2"],
                               0.5 * one.loc[sel, "saving_co2_flemish_kg_co2"], rtol=1e-9)
    assert (one_exp.loc[sel, "payback_years"] > one.loc[sel, "payback_years"]).all()
    np.testing.assert_allclose(one_exp["epc_score_kwh_per_m2"], one["epc_score_kwh_per_m2"])
    with pytest.raises(InputError, match="calibrated"):
        best_packages(stock, o, economics=ECON, basis="calibrated")


def test_trajectories_name_their_basis(stock):
    o = make_options(stock)
    steps, summary = plan_trajectories(stock, o, economics=ECON)
    assert set(summary["basis"]) == {"expected"}
    assert set(steps["basis"]) <= {"expected"}
    _, std = plan_trajectories(stock, o, economics=ECON, basis="standardised")
    ok = summary["reached"] & std["reached"] & (std["saving_eur"] > 0)
    assert (summary.loc[ok, "saving_eur"] < std.loc[ok, "saving_eur"]).all()


def _subset(options, i):
    from tests.renovate.test_packages import subset_options

    return subset_options(options, [i])


def test_sheet_shows_expected_bill_next_to_epc(stock):
    from wijkreno.reports.sheets import sheet_records

    o = make_options(stock)
    dw = stock.copy()
    dw["energy_cost_eur"] = 2500.0  # the standardised bill of the engine
    steps, summary = plan_trajectories(dw, o, economics=ECON)
    recs = sheet_records(dw, steps, summary)
    r = recs[0]
    assert r["basis_nl"] == "verwacht werkelijk verbruik"
    assert r["energy_cost_standardised"] != ""  # both bills on the sheet
    assert r["use_lines"] and r["use_lines"][0]["carrier"] == "aardgas"
    # the template names both bases
    from pathlib import Path

    import wijkreno.reports as reports

    template = (Path(reports.__file__).parent / "templates" / "sheet.html.j2").read_text()
    assert "EPC-berekening (gestandaardiseerd)" in template
    assert "verwacht werkelijk verbruik" in template
    _, std = plan_trajectories(dw, o, economics=ECON, basis="standardised")
    r_std = sheet_records(dw, steps, std)[0]
    assert r_std["basis_nl"] == "EPC-berekening (gestandaardiseerd)"
    assert r_std["energy_cost_standardised"] == ""


def test_web_page_names_the_basis():
    from pathlib import Path

    from api.i18n import STRINGS
    from wijkreno.simulate.expected import BASIS_LABELS_NL

    for basis, label in BASIS_LABELS_NL.items():
        assert STRINGS["nl"][f"basis_{basis}"] == label
    assert STRINGS["nl"]["epc_basis"] == BASIS_LABELS_NL["standardised"]
    js = (Path(__file__).resolve().parents[1] / "api" / "static" / "app.js").read_text()
    assert 'T["basis_" + (sum.basis || "standardised")]' in js
    assert "esc(T.epc_basis)" in js


def test_standardised_accounts_reproduce_the_engine(stock):
    from wijkreno.simulate.expected import expected_use

    res = simulate_dwellings(stock, parallel=False)
    std = accounts_on_basis(res, "standardised")
    np.testing.assert_allclose(std["energy_cost_eur"], res["energy_cost_eur"], rtol=1e-9)
    np.testing.assert_allclose(std["co2_flemish_kg_co2"], res["co2_flemish_kg_co2"], rtol=1e-9)
    full = pd.concat([res, expected_use(res)], axis=1)
    exp = accounts_on_basis(full, "expected")
    # poor dwellings (prebound ratio well below 1) emit less on the expected basis, even with
    # appliances and lighting added to their electricity
    low = (full["prebound_ratio"] < 0.7).to_numpy()
    assert low.any()
    e, d = exp["co2_flemish_kg_co2"].to_numpy(), std["co2_flemish_kg_co2"].to_numpy()
    assert (e[low] < d[low]).all()
    assert set(exp["basis"]) == {"expected"}
    # the heating carrier's ratio is the prebound ratio (gas compared on one calorific value)
    ratio, _ = heating_use_ratio(full, np.zeros(len(full), dtype=np.int64))
    gas = (res["final_gas_kwh"] > 0).to_numpy()
    np.testing.assert_allclose(ratio[gas], full["prebound_ratio"].to_numpy()[gas], rtol=1e-9)


def test_lekp_report_names_the_savings_basis():
    from pathlib import Path

    import wijkreno.reports as reports
    from wijkreno.reports.lekp import SAVING_COLUMNS, SAVINGS_BASIS_NL

    assert SAVINGS_BASIS_NL == "verwacht werkelijk verbruik"
    assert set(SAVING_COLUMNS) == {"co2_saved_flemish_kg_co2", "co2_saved_com_kg_co2",
                                   "energy_saved_kwh"}
    # the basis is named in the savings table's heading (narrow columns, issue 13)
    text = (Path(reports.__file__).parent / "templates" / "lekp.html.j2").read_text()
    heading = next(line for line in text.splitlines() if "Besparing door" in line)
    assert "{{ savings_basis }}" in heading and "gestandaardiseerde berekeningen" not in text


def test_scenario_states_carry_the_basis(stock):
    from wijkreno.scenario.model import plan_states

    o = make_options(stock)
    exp = plan_states(stock, o, deduplicate=False)
    std = plan_states(stock, o, deduplicate=False, basis="standardised")
    assert set(exp.basis) == {"expected"} and set(std.basis) == {"standardised"}
    np.testing.assert_allclose(exp.metrics["epc_score_kwh_per_m2"],
                               std.metrics["epc_score_kwh_per_m2"])
    assert (exp.metrics["energy_cost_eur"][:, 0] < std.metrics["energy_cost_eur"][:, 0]).all()
    np.testing.assert_allclose(exp.metrics["co2_flemish_kg_co2"][:, 0],
                               0.5 * std.metrics["co2_flemish_kg_co2"][:, 0], rtol=1e-9)


def test_map_legends_name_the_basis():
    from wijkreno.maps.static_map import caption

    assert caption("energy_cost_per_dwelling_eur").endswith(
        "(EPC-berekening, gestandaardiseerd)")
    assert caption("expected_energy_cost_per_dwelling_eur") == (
        "Energiekost per woning [EUR/jaar] (verwacht werkelijk verbruik)")
    assert caption("calibrated_co2_flemish_kg_co2").endswith("(gekalibreerd op Fluvius-meters)")
    assert "gestandaardiseerd" not in caption("label_ef_frac")  # a label share has no basis


def test_attach_basis_columns_joins_on_dwelling_id(stock):
    from wijkreno.simulate.basis import attach_basis_columns

    bare = stock.drop(columns=[c for c in stock.columns if "final_" in c])
    results = stock[["dwelling_id", *[c for c in stock.columns if "final_" in c]]].iloc[::-1]
    joined = attach_basis_columns(bare.iloc[1:], results)
    assert joined.index.equals(bare.index[1:])
    np.testing.assert_allclose(joined["expected_final_gas_kwh"],
                               stock["expected_final_gas_kwh"].iloc[1:])
    assert list(resolve_basis(joined)) == ["expected"] * len(joined)
