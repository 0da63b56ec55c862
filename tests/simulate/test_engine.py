"""Tests of the engine entry point, the summary and the ``wijkreno simulate`` command."""

from __future__ import annotations

import json
import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import typer
from shapely import points
from typer.testing import CliRunner

from tests.conftest import shared_data
from wijkreno.simulate.engine import simulate_arrays, simulate_dwellings, summarise_results
from wijkreno.simulate.heat_balance import (
    INPUT_COLUMNS,
    compute_heating_need,
    effective_capacity_wh_per_m2k,
)
from wijkreno.simulate.systems import compute_energy_results
from wijkreno.twin.schema import HEATING_SYSTEMS


def make_dwellings(n: int = 6, index=None) -> pd.DataFrame:
    """Small terraced and detached houses with TABULA-like envelopes (no real data)."""
    rng = np.random.default_rng(3)
    floor = rng.uniform(90.0, 200.0, n)
    d = pd.DataFrame(
        {
            "dwelling_id": [f"d{i}" for i in range(n)],
            "gebouw_id": [f"g{i // 2}" for i in range(n)],
            "heated_floor_area_m2": floor,
            "volume_m3": floor * 2.6,
            "roof_area_m2": floor * 0.6,
            "ground_floor_area_m2": floor * 0.5,
            "wall_area_n_m2": rng.uniform(20, 50, n),
            "wall_area_e_m2": rng.uniform(0, 40, n),
            "wall_area_s_m2": rng.uniform(20, 50, n),
            "wall_area_w_m2": rng.uniform(0, 40, n),
            "window_area_n_m2": rng.uniform(3, 10, n),
            "window_area_e_m2": rng.uniform(0, 5, n),
            "window_area_s_m2": rng.uniform(3, 12, n),
            "window_area_w_m2": rng.uniform(0, 5, n),
            "party_wall_area_m2": rng.uniform(0, 60, n),
            "annex_wall_area_m2": 0.0,
            "u_roof_w_per_m2k": rng.uniform(0.3, 2.5, n),
            "u_wall_w_per_m2k": rng.uniform(0.4, 2.2, n),
            "u_floor_w_per_m2k": rng.uniform(0.5, 1.2, n),
            "u_window_w_per_m2k": rng.uniform(1.5, 5.0, n),
            "u_party_wall_w_per_m2k": 1.0,
            "g_window_frac": 0.7,
            "thermal_bridge_w_per_m2k": 0.1,
            "infiltration_ach": 0.4,
            "cellar_frac": 0.0,
            "heating_system": [HEATING_SYSTEMS[i % len(HEATING_SYSTEMS)] for i in range(n)],
        }
    )
    if index is not None:
        d.index = index
    return d


def test_engine_is_heat_balance_then_systems_with_index_and_keys():
    idx = pd.Index([40, 7, 19, 3, 88, 12], name="my_index")
    dw = make_dwellings(index=idx)
    r = simulate_dwellings(dw)
    assert r.index.equals(idx)
    assert r["dwelling_id"].tolist() == dw["dwelling_id"].tolist()
    assert r["gebouw_id"].tolist() == dw["gebouw_id"].tolist()
    hb = compute_heating_need(dw)
    sysr = compute_energy_results(dw, hb["heating_need_kwh"].to_numpy(),
                                  hb["dhw_need_kwh"].to_numpy())
    np.testing.assert_allclose(r["heating_need_kwh"], hb["heating_need_kwh"])
    for col in ("final_gas_kwh", "final_electricity_kwh", "primary_energy_kwh",
                "epc_score_kwh_per_m2", "co2_com_kg_co2"):
        np.testing.assert_allclose(r[col], sysr[col])
    assert r["valid"].all() and (r["invalid_reason"] == "").all()
    assert r.attrs["invalid_counts"] == {} and r.attrs["basis"] == "standardised"
    assert (r["heating_need_kwh"] > 0).all()
    assert str(r["epc_label"].dtype) == "category" and r["epc_label"].cat.ordered


def test_permuting_rows_permutes_results():
    dw = make_dwellings(8)
    perm = np.random.default_rng(0).permutation(8)
    a = simulate_dwellings(dw)
    b = simulate_dwellings(dw.iloc[perm])
    pd.testing.assert_frame_equal(a.iloc[perm], b)


def test_invalid_rows_marked_and_counted(caplog):
    dw = make_dwellings(5)
    dw.loc[1, "u_wall_w_per_m2k"] = np.nan
    dw.loc[2, "heating_system"] = "coal_stove"
    dw.loc[3, "heated_floor_area_m2"] = -1.0
    with caplog.at_level(logging.WARNING):
        r = simulate_dwellings(dw)
    assert r["valid"].tolist() == [True, False, False, False, True]
    assert r.loc[1, "invalid_reason"] == "heat balance: u_wall_w_per_m2k missing, negative or " \
                                         "not finite"
    assert r.loc[2, "invalid_reason"] == "unknown or missing heating_system"
    assert r.loc[3, "invalid_reason"].startswith("heat balance: heated_floor_area_m2")
    assert sum(r.attrs["invalid_counts"].values()) == 3
    assert np.isnan(r.loc[1, "primary_energy_kwh"]) and pd.isna(r.loc[1, "epc_label"])
    assert "3 of 5 dwellings not simulated" in caplog.text
    s = summarise_results(r)
    assert s["n_valid"] == 2 and s["n_invalid"] == 3
    assert s["invalid_reasons"]["unknown or missing heating_system"] == 1


def test_missing_columns_is_input_error():
    from wijkreno.errors import InputError

    with pytest.raises(InputError, match="u_roof_w_per_m2k"):
        simulate_dwellings(make_dwellings().drop(columns="u_roof_w_per_m2k"))


def test_array_entry_equals_frame_entry():
    dw = make_dwellings(7)
    r = simulate_dwellings(dw, parallel=False)
    codes = np.array([HEATING_SYSTEMS.index(s) for s in dw["heating_system"]])
    inputs = {c: dw[c].to_numpy() for c in INPUT_COLUMNS if c in dw}
    # the frame entry derives the capacity per dwelling from its construction; arrays take it
    inputs["c_m_wh_per_m2k"] = effective_capacity_wh_per_m2k(dw).to_numpy()
    a = simulate_arrays(inputs, codes)
    for col in ("heating_need_kwh", "dhw_need_kwh", "final_gas_kwh", "final_gas_gcv_kwh",
                "primary_energy_kwh",
                "epc_score_kwh_per_m2", "energy_cost_eur"):
        np.testing.assert_allclose(a[col], r[col].to_numpy(), rtol=1e-12)
    assert a["valid"].all()


def test_summary_known_answer():
    res = pd.DataFrame(
        {
            "epc_score_kwh_per_m2": [50.0, 150.0, 250.0, 650.0, np.nan],
            "epc_label": pd.Categorical(["A", "B", "C", "F", None],
                                        categories=["A+", "A", "B", "C", "D", "E", "F"],
                                        ordered=True),
            "heated_floor_area_m2": [100.0, 100.0, 200.0, 100.0, 80.0],
            "primary_energy_kwh": [5000.0, 15000.0, 50000.0, 65000.0, np.nan],
            "final_gas_kwh": [0.0, 10000.0, 40000.0, 60000.0, np.nan],
            "energy_cost_eur": [500.0, 1000.0, 4000.0, 6000.0, np.nan],
            "co2_flemish_kg_co2": [1.0, 2.0, 3.0, 4.0, np.nan],
            "valid": [True, True, True, True, False],
            "invalid_reason": ["", "", "", "", "unknown or missing heating_system"],
        }
    )
    s = summarise_results(res)
    assert s["n_dwellings"] == 5 and s["n_valid"] == 4 and s["n_invalid"] == 1
    assert s["label_counts"] == {"A+": 0, "A": 1, "B": 1, "C": 1, "D": 0, "E": 0, "F": 1}
    assert s["label_shares_frac"]["F"] == 0.25
    assert s["epc_score_mean_kwh_per_m2"] == pytest.approx(275.0)
    assert s["epc_score_median_kwh_per_m2"] == pytest.approx(200.0)
    assert s["epc_score_floor_weighted_kwh_per_m2"] == pytest.approx(135000.0 / 500.0)
    assert s["totals"]["final_gas_kwh"] == 110000.0
    assert s["totals"]["co2_flemish_kg_co2"] == 10.0
    json.dumps(s)  # serialisable


def _cli_app() -> typer.Typer:
    from wijkreno.cli.simulate import simulate

    app = typer.Typer()
    app.command("simulate")(simulate)
    app.command("noop")(lambda: None)  # keep typer in multi-command mode
    return app


def test_cli_writes_results_and_summary(tmp_path):
    dw = make_dwellings(6)
    twin = tmp_path / "twin"
    twin.mkdir()
    gdf = gpd.GeoDataFrame(dw, geometry=points(np.arange(6) * 10.0 + 200000, 180000.0),
                           crs=31370)
    gdf.to_parquet(twin / "dwellings.parquet")
    out = tmp_path / "out"
    res = CliRunner().invoke(_cli_app(), ["simulate", str(twin), "-o", str(out)])
    assert res.exit_code == 0, res.output
    r = gpd.read_parquet(out / "results.parquet")
    assert r.crs.to_epsg() == 31370 and len(r) == 6
    assert r["dwelling_id"].tolist() == dw["dwelling_id"].tolist()
    assert r.geometry.x.tolist() == (np.arange(6) * 10.0 + 200000).tolist()
    s = json.loads((out / "summary.json").read_text())
    assert s["n_valid"] == 6 and sum(s["label_counts"].values()) == 6
    expected = simulate_dwellings(dw)
    np.testing.assert_allclose(r["epc_score_kwh_per_m2"], expected["epc_score_kwh_per_m2"])
    assert "label" in res.output


def test_cli_chunks_match_single_run(tmp_path, monkeypatch):
    import wijkreno.cli.simulate as cli

    monkeypatch.setattr(cli, "PROGRESS_MIN_ROWS", 1)
    dw = make_dwellings(9)
    dw.loc[4, "heating_system"] = "coal_stove"
    twin = tmp_path / "twin"
    twin.mkdir()
    gpd.GeoDataFrame(dw, geometry=points(np.arange(9.0), 0.0), crs=31370).to_parquet(
        twin / "dwellings.parquet")
    res = CliRunner().invoke(_cli_app(), ["simulate", str(twin), "-o", str(tmp_path / "o"),
                                          "--chunk-size", "4"])
    assert res.exit_code == 0, res.output
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert s["n_invalid"] == 1
    assert s == summarise_results(simulate_dwellings(dw))


def test_cli_bad_input_exit_2(tmp_path):
    app = _cli_app()
    res = CliRunner().invoke(app, ["simulate", str(tmp_path / "absent"), "-o", str(tmp_path)])
    assert res.exit_code == 2
    twin = tmp_path / "twin"
    twin.mkdir()
    res = CliRunner().invoke(app, ["simulate", str(twin), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2
    gpd.GeoDataFrame(make_dwellings(2).drop(columns="u_wall_w_per_m2k"),
                     geometry=points([0.0, 1.0], 0.0), crs=31370).to_parquet(
        twin / "dwellings.parquet")
    res = CliRunner().invoke(app, ["simulate", str(twin), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "u_wall_w_per_m2k" in res.output
    res = CliRunner().invoke(app, ["simulate", str(twin), "--system-params",
                                   str(tmp_path / "nope.toml")])
    assert res.exit_code == 2


@pytest.mark.realdata
def test_genk_epc_distribution_is_plausible_for_flanders():
    from wijkreno.io.genk import read_genk_teaser

    dw = read_genk_teaser(shared_data("genk_teaser_buildings"))
    r = simulate_dwellings(dw)
    s = summarise_results(r)
    assert s["n_dwellings"] == 7775 and s["n_invalid"] == 0
    # Flanders (DOMAIN.md section 3): mean EPC score of dwellings with an EPC ~372 kWh/m2,
    # detached ~496; a third of houses label F; 5-7 % label A. Genk's set is old unrenovated
    # houses (mining garden cities) with imputed non-condensing gas boilers, so it should sit
    # at or above the Flemish mean, with few A/B labels and many F.
    assert 300.0 <= s["epc_score_mean_kwh_per_m2"] <= 550.0
    assert 250.0 <= s["epc_score_median_kwh_per_m2"] <= 500.0
    shares = s["label_shares_frac"]
    assert 0.2 <= shares["F"] <= 0.6
    assert shares["A+"] + shares["A"] <= 0.07
    assert shares["C"] + shares["D"] + shares["E"] >= 0.3
    # Detached houses score worse than terraced ones (more exposed envelope per m2).
    by_type = r.groupby(dw["typology"], observed=True)["epc_score_kwh_per_m2"].mean()
    assert by_type["detached"] > by_type["terraced"]
    # Need per m2 in the TABULA BE range of existing houses (~90-400 kWh/m2).
    assert 120.0 <= r["heating_need_kwh_per_m2"].median() <= 400.0
