"""``wijkreno validate meters``: modelled use next to Fluvius meters, out-of-sample figures.

Real data (skipped without ../shared/data): a statistical stock of a dozen municipalities is
simulated, compared with the meters, calibrated on its training municipalities and evaluated on
the held-out ones; the calibration file is then applied to a single held-out municipality.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_data
from wijkreno.cli import app
from wijkreno.io.fluvius import read_calibration, read_fluvius_sectors
from wijkreno.simulate.engine import simulate_dwellings

runner = CliRunner()

NIS = ["11001", "11002", "12002", "13002", "13040", "23002", "24062", "31005", "35013",
       "41002", "44021", "46021", "71016", "72003"]
JSON_KEYS = ("expected_level_ratio", "calibrated_mae_municipality", "baseline_mae_municipality",
             "calibrated_mae_sector", "baseline_mae_sector", "spearman_municipality",
             "gas_dwellings_over_connections_max_frac")


@pytest.fixture(scope="module")
def stock_file(tmp_path_factory):
    from wijkreno.io.connections import read_residential_connections
    from wijkreno.io.statbel import read_gebouwenpark
    from wijkreno.twin.statistical import build_statistical_stock

    conn = read_residential_connections(
        shared_data("fluvius_verbruik_statsec", "fluvius_verbruik_statsec2019_2018_2021.csv"),
        shared_data("flanders_wijken_ggw7", "statsec_hierarchy_2025.csv"), year=2021)
    gp = read_gebouwenpark(shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv"))
    stock = build_statistical_stock(gp, conn, nis_codes=NIS)
    res = simulate_dwellings(stock)
    stock = stock[[c for c in stock.columns if c not in res.columns]].join(res)
    path = tmp_path_factory.mktemp("stock") / "stock.parquet"
    stock.drop(columns="geometry", errors="ignore").to_parquet(path)
    return path


@pytest.fixture(scope="module")
def fitted(stock_file, tmp_path_factory):
    """One `validate meters` run on the stock: (CLI result, output folder)."""
    out = tmp_path_factory.mktemp("meters")
    r = runner.invoke(app, ["validate", "meters", "--dwellings", str(stock_file),
                            "-d", str(shared_data()), "-o", str(out)])
    return r, out


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_fluvius_reader_real_totals():
    fl = read_fluvius_sectors(shared_data("fluvius_verbruik_statsec"), years=[2021])
    per_conn = fl["gas_residential_kwh"].sum() / fl["gas_residential_connections"].sum()
    assert 14_500 < per_conn < 15_700  # PROVENANCE.md: ~15,100 kWh per connection in 2021
    assert not fl["sector_code"].str.startswith("21").any()  # Brussels dropped
    assert fl["is_unknown_area"].any()


def test_validate_meters_on_a_statistical_stock(stock_file, fitted, tmp_path):
    data = shared_data()
    r, out = fitted
    assert r.exit_code == 0, r.output
    s = _last_json(r.output)
    for key in JSON_KEYS:
        assert key in s
    assert s["calibration"] == "fitted"
    assert s["n_heldout_municipalities"] >= 1
    # the level decomposition is printed and multiplies back to the expected level
    dec = s["level_decomposition"]
    assert dec["product_check"] == pytest.approx(s["expected_level_ratio"], rel=1e-3)
    assert dec["gas_users_over_connections"] <= 1.05
    assert "level decomposition" in r.output
    assert s["calibrated_mae_municipality"] is not None
    # the hard target on any stock: gas-heated dwellings never above a sector's gas
    # connections by more than 5 % (the level and the held-out errors are measured on all of
    # Flanders, `wijkreno validate meters --stock`, not on this handful of municipalities)
    assert 0.0 <= s["gas_dwellings_over_connections_max_frac"] <= 0.05
    # the location features (on by default) come from the wijk polygons of ../shared/data
    # and travel in the calibration file with every municipality's location
    assert {"feature_x_km", "feature_y_km"} <= set(s["calibration_features"])
    for name in ("meters_municipality.csv", "meters_sector.csv", "meters_scatter.png",
                 "meters_summary.json", "calibration_fluvius.json", "meters_columns.csv"):
        assert (out / name).exists(), name
    muni = pd.read_csv(out / "meters_municipality.csv", dtype={"nis_code": str})
    for col in ("standardised_gas_kwh", "expected_gas_kwh", "calibrated_gas_kwh",
                "metered_gas_kwh", "gas_connections", "n_gas_users", "metered_electricity_kwh",
                "electricity_connections", "held_out"):
        assert col in muni, col
    doc = read_calibration(out / "calibration_fluvius.json")
    gas = doc["carriers"]["gas"]
    assert doc["years"] == [2021] and gas["years"] == [2021]
    assert set(gas["training_nis"]).isdisjoint(gas["held_out_nis"])
    assert set(muni.loc[muni["held_out"], "nis_code"]) <= set(gas["held_out_nis"])
    assert gas["fit_statistics"]["n_rows"] > 10
    assert set(NIS) <= set(gas["locations"])

    # the calibration applied to one held-out municipality alone
    held = gas["held_out_nis"][0]
    one = pd.read_parquet(stock_file)
    one = one[one["nis_code"] == held]
    one_path = tmp_path / "one.parquet"
    one.to_parquet(one_path)
    r2 = runner.invoke(app, ["validate", "meters", "--dwellings", str(one_path), "-d", str(data),
                             "--calibration", str(out / "calibration_fluvius.json"),
                             "-o", str(tmp_path / "one")])
    assert r2.exit_code == 0, r2.output
    s2 = _last_json(r2.output)
    assert s2["calibration"] == "given" and s2["calibrated_mae_municipality"] is not None


def test_validate_meters_refuses_in_sample_application(stock_file, fitted, tmp_path):
    """Applying a calibration to one of its training municipalities gives no error figure."""
    data = shared_data()
    r, out = fitted
    assert r.exit_code == 0, r.output
    gas = read_calibration(out / "calibration_fluvius.json")["carriers"]["gas"]
    one = pd.read_parquet(stock_file)
    one = one[one["nis_code"] == gas["training_nis"][0]]
    path = tmp_path / "train_one.parquet"
    one.to_parquet(path)
    r2 = runner.invoke(app, ["validate", "meters", "--dwellings", str(path), "-d", str(data),
                             "--calibration", str(out / "calibration_fluvius.json"),
                             "-o", str(tmp_path / "t")])
    assert r2.exit_code == 0, r2.output
    s = _last_json(r2.output)
    assert s["n_heldout_municipalities"] == 0
    assert s["calibrated_mae_municipality"] is None


def test_bad_input_exits_2(tmp_path):
    r = runner.invoke(app, ["validate", "meters", "-o", str(tmp_path)])
    assert r.exit_code == 2
    r = runner.invoke(app, ["validate", "meters", "--stock", "--year", "2030",
                            "-o", str(tmp_path)])
    assert r.exit_code == 2
    assert "2018-2021" in r.output


def test_simulate_carries_every_basis(stock_file, fitted, tmp_path):
    """`wijkreno simulate --calibration` writes standardised, expected and calibrated columns."""
    import geopandas as gpd
    from shapely.geometry import Point

    r, out = fitted
    assert r.exit_code == 0, r.output
    gas = read_calibration(out / "calibration_fluvius.json")["carriers"]["gas"]
    stock = pd.read_parquet(stock_file)
    stock = stock[stock["nis_code"] == gas["held_out_nis"][0]].head(300).reset_index(drop=True)
    twin = tmp_path / "twin"
    twin.mkdir()
    gpd.GeoDataFrame(stock, geometry=[Point(200000 + i, 200000) for i in range(len(stock))],
                     crs=31370).to_parquet(twin / "dwellings.parquet")
    res = runner.invoke(app, ["simulate", str(twin), "-o", str(tmp_path / "sim"),
                              "--calibration", str(out / "calibration_fluvius.json")])
    assert res.exit_code == 0, res.output
    results = pd.read_parquet(tmp_path / "sim" / "results.parquet")
    for carrier in ("gas", "electricity"):
        for col in (f"final_{carrier}_kwh", f"expected_final_{carrier}_kwh",
                    f"calibrated_final_{carrier}_kwh"):
            assert col in results, col
            assert (results[col].dropna() >= 0).all()
    gas_users = results["expected_final_gas_kwh"] > 0
    assert gas_users.any()
    assert (results.loc[gas_users, "calibrated_final_gas_kwh"] > 0).all()
