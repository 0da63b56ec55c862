"""Coincident heat-pump peaks per area, diversity, scenario states and the peaks command."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from wijkreno.aggregate.peaks import (
    LEVELS,
    area_codes,
    baseline_diversity_frac,
    coincident_peaks,
    compare_monthly_hourly,
    hp_diversity_frac,
    peak_table,
    sum_by_area,
)
from wijkreno.errors import InputError

TIME = pd.date_range("2021-01-01", periods=24 * 14, freq="h")


def _dwellings(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sector = rng.choice(["S1", "S2", "S3"], n)
    street = np.array([f"straat{int(s[1]) * 10 + k}" for s, k in zip(sector, rng.integers(0, 3, n),
                                                                       strict=True)])
    return pd.DataFrame({"nis_code": "99001", "sector_code": sector, "street": street},
                        index=pd.Index(rng.permutation(n) + 1000, name="id"))


def test_diversity_monotone_in_group_size():
    n = np.arange(1, 2001)
    f = hp_diversity_frac(n)
    b = baseline_diversity_frac(n)
    assert f[0] == pytest.approx(1.0) and (np.diff(f) < 0).all() and (f > 0).all()
    assert b[0] > 1.0 and (np.diff(b) < 0).all() and (b >= 1.0).all()


@pytest.mark.parametrize("seed", range(5))
def test_coincident_peak_between_max_and_sum_of_individual_peaks(seed):
    rng = np.random.default_rng(seed)
    n = 40
    e = rng.gamma(1.0, 800.0, (n, len(TIME))) * (rng.random((n, 1)) < 0.7)
    codes = rng.integers(0, 4, n)
    t = coincident_peaks(e, codes, 4, TIME)
    raw = t["hp_peak_coincident_kw"].to_numpy()
    assert (raw <= t["hp_sum_individual_peaks_kw"].to_numpy() + 1e-9).all()
    assert (raw >= t["hp_max_individual_peak_kw"].to_numpy() - 1e-9).all()
    # after diversity: never above the coincident peak, never below the largest member
    assert (t["hp_peak_kw"] <= t["hp_peak_coincident_kw"] + 1e-9).all()
    assert (t["hp_peak_kw"] >= t["hp_max_individual_peak_kw"] - 1e-9).all()
    assert (t["combined_peak_kw"] >= t["baseline_peak_kw"] - 1e-9).all()
    assert (t["combined_peak_kw"] <= t["baseline_peak_kw"] + t["hp_peak_kw"] + 1e-9).all()


def test_energy_conserved_street_sector_municipality():
    d = _dwellings(60)
    rng = np.random.default_rng(3)
    e = rng.gamma(1.0, 500.0, (len(d), len(TIME)))
    totals = {}
    for lv in LEVELS:
        codes, areas = area_codes(d, lv)
        prof = sum_by_area(e, codes, len(areas))
        totals[lv] = prof.sum()
        t = coincident_peaks(e, codes, len(areas), TIME)
        assert t["n_dwellings"].sum() == len(d)
        assert t["hp_electricity_kwh"].sum() == pytest.approx(e.sum() / 1000.0)
    assert totals["street"] == pytest.approx(totals["sector"])
    assert totals["sector"] == pytest.approx(totals["municipality"])
    assert totals["municipality"] == pytest.approx(e.sum())
    # a street lies in one municipality; streets of the same name in two municipalities differ
    d2 = pd.concat([d, d.assign(nis_code="99002")])
    assert len(area_codes(d2, "street")[1]) == 2 * len(area_codes(d, "street")[1])


def test_no_heat_pumps_no_growth():
    t = peak_table(np.zeros((2, len(TIME))), [10, 1], [0, 0], [0, 0], [0, 0], TIME)
    assert (t["peak_growth_frac"] == 0).all()
    assert t["baseline_peak_kw"].iloc[0] > t["baseline_peak_kw"].iloc[1]
    with pytest.raises(InputError, match="hours"):
        peak_table(np.zeros((2, 5)), [1, 1], [0, 0], [0, 0], [0, 0], TIME)


def test_compare_monthly_hourly_summary():
    d = pd.DataFrame({"typology": ["terraced"] * 3 + ["detached"],
                      "tabula_period": ["01", "01", "01", "03"],
                      "heated_floor_area_m2": [100.0, 100.0, 100.0, 150.0]})
    per, summary = compare_monthly_hourly(d, [100.0, 200.0, 0.0, 300.0],
                                          [90.0, 220.0, 5.0, 330.0])
    assert np.isnan(per["ratio_hourly_monthly"].iloc[2])
    row = summary.set_index(["typology", "tabula_period"]).loc[("terraced", "01")]
    assert row["median_ratio"] == pytest.approx(1.0)  # median of 0.9 and 1.1
    assert row["ratio_of_sums"] == pytest.approx(315.0 / 300.0)
    assert summary.iloc[-1]["n_dwellings"] == 4


# ---------------------------------------------------------------------------------------------
# end to end on the demo twin


@pytest.fixture(scope="module")
def demo_twin(tmp_path_factory):
    from tests.demo_summary import build_demo_twin
    from wijkreno.io.twin_store import write_table
    from wijkreno.twin.schema import DWELLINGS

    folder = tmp_path_factory.mktemp("demo")
    twin, files = build_demo_twin(folder)
    (folder / "twin").mkdir()
    write_table(twin.dwellings, folder / "twin" / "dwellings.parquet", DWELLINGS)
    return folder, files


def test_peaks_command_on_the_demo(demo_twin, tmp_path):
    from wijkreno.cli import app

    folder, files = demo_twin
    out = tmp_path / "peaks"
    res = CliRunner().invoke(app, ["peaks", str(folder / "twin"), "-o", str(out), "-s",
                                   "ambitious", "--year", "2050", "--areas",
                                   str(files["sectors"])])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["climate"]["synthetic"] is True
    ratio = summary["compare"]["median_ratio_hourly_monthly"]
    assert 0.6 < ratio < 1.4  # the two methods agree on the order of the yearly need
    assert summary["states"]["2050"]["n_heat_pumps"] >= summary["states"]["today"]["n_heat_pumps"]
    street = pd.read_csv(out / "peaks_street.csv")
    sector = pd.read_csv(out / "peaks_sector.csv")
    muni = pd.read_csv(out / "peaks_municipality.csv")
    for state in ("today", "2050"):
        e = [t.loc[t["state"] == state, "hp_electricity_kwh"].sum() for t in (street, sector,
                                                                               muni)]
        assert e[0] == pytest.approx(e[2]) and e[1] == pytest.approx(e[2])
    layer = gpd.read_parquet(out / "map" / "sector" / "areas.parquet")
    assert {"hp_peak_kw_today", "hp_peak_kw_2050", "peak_growth_frac_2050"} <= set(layer.columns)
    assert layer.crs.to_epsg() == 31370 and layer.geometry.notna().all()
    assert (out / "map" / "street" / "areas.geojson").exists()
    prof = pd.read_parquet(out / "profiles" / "municipality_2050.parquet")
    assert len(prof) == 8760
    m = muni.set_index("state")
    assert prof["hp_electricity_kw"].max() == pytest.approx(m.loc["2050",
                                                               "hp_peak_coincident_kw"],
                                                            rel=1e-5)
    cmp_ = pd.read_csv(out / "compare" / "summary_by_typology_period.csv")
    assert {"median_ratio", "typology", "tabula_period"} <= set(cmp_.columns)
    why = pd.read_csv(out / "compare" / "explanation_by_typology_period.csv")
    shares = why[["d_loss_frac", "d_gain_used_frac", "d_opaque_sky_frac"]].sum(axis=1)
    assert shares.to_numpy() == pytest.approx(why["ratio_of_sums"].to_numpy() - 1.0)


def test_peaks_command_errors(demo_twin, tmp_path):
    from wijkreno.cli import app

    folder, _ = demo_twin
    runner = CliRunner()
    assert runner.invoke(app, ["peaks", "--help"]).exit_code == 0
    res = runner.invoke(app, ["peaks", str(tmp_path), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "dwellings.parquet" in res.output
    res = runner.invoke(app, ["peaks", str(folder / "twin"), "-o", str(tmp_path / "o"),
                              "--year", "2030"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["peaks", str(folder / "twin"), "-o", str(tmp_path / "o"),
                              "--climate-epw", str(tmp_path / "missing.epw")])
    assert res.exit_code == 2


def test_explanation_steady_state_losses():
    """In a constant climate without gains the hourly loss is the series-coupled steady state."""
    from wijkreno.aggregate.peaks import explain_monthly_hourly
    from wijkreno.simulate.climate import MonthlyClimate
    from wijkreno.simulate.heat_balance import INPUT_COLUMNS
    from wijkreno.simulate.hourly import SOLAR_CLASSES, HourlyClimate

    row = dict.fromkeys(INPUT_COLUMNS, 0.0)
    row.update(heated_floor_area_m2=100.0, volume_m3=250.0, roof_area_m2=60.0,
               ground_floor_area_m2=60.0, wall_area_n_m2=30.0, wall_area_s_m2=30.0,
               window_area_s_m2=10.0, u_roof_w_per_m2k=2.0, u_wall_w_per_m2k=1.5,
               u_floor_w_per_m2k=1.0, u_window_w_per_m2k=3.0, g_window_frac=0.6,
               infiltration_ach=0.5)
    d = pd.DataFrame([row, {**row, "u_roof_w_per_m2k": 0.2, "u_wall_w_per_m2k": 0.2,
                            "u_window_w_per_m2k": 1.0}])
    d["typology"], d["tabula_period"] = "detached", "02"
    t = pd.date_range("2021-01-01", periods=8760, freq="h", tz="Etc/GMT-1")
    hourly = HourlyClimate(time=t, temp_out_degc=np.zeros(len(t)),
                           irradiance_w_per_m2=np.zeros((len(SOLAR_CLASSES), len(t))),
                           latitude=50.8, longitude=4.36, source="constant 0 degC")
    monthly = MonthlyClimate(hours_h=np.full(12, 730.0), theta_e_degc=np.zeros(12),
                             ghi_kwh_per_m2=np.zeros(12),
                             i_sol_vertical_kwh_per_m2=np.zeros((4, 12)),
                             i_sol_roof_kwh_per_m2=np.zeros((4, 12)), roof_tilt_deg=37.5,
                             source="constant 0 degC")
    e = explain_monthly_hourly(d, hourly, monthly_climate=monthly)
    ratio = e["hourly_loss_kwh"] / e["monthly_loss_kwh"]
    assert ratio.to_numpy() == pytest.approx(e["steady_state_loss_frac"].to_numpy(), rel=1e-6)
    # the series coupling matters more for the leaky dwelling
    assert e["steady_state_loss_frac"].iloc[0] < e["steady_state_loss_frac"].iloc[1] < 1.0
    diff = e["heating_need_hourly_kwh"] - e["heating_need_monthly_kwh"]
    assert diff.to_numpy() == pytest.approx(
        (e["d_loss_kwh"] + e["d_gain_used_kwh"] + e["d_opaque_sky_kwh"]).to_numpy())


def test_dwellings_in_year_applies_only_the_steps_done():
    from types import SimpleNamespace

    from wijkreno.aggregate.peaks import dwellings_in_year
    from wijkreno.renovate.options import DIMENSIONS, EFFECT_COLUMNS
    from wijkreno.twin.schema import HEATING_SYSTEMS

    n = 3
    d = pd.DataFrame({"u_roof_w_per_m2k": [2.0] * n, "infiltration_ach": [1.0] * n,
                      "heating_system": pd.Categorical(["gas_boiler"] * n,
                                                       categories=list(HEATING_SYSTEMS))})
    names = {dim: ("keep", f"{dim}_measure") for dim in DIMENSIONS}
    effect = {dim: {c: np.zeros((n, 2)) for c in EFFECT_COLUMNS[dim]} for dim in DIMENSIONS}
    effect["roof"]["u_roof_w_per_m2k"][:] = [[2.0, 0.2]] * n
    effect["ventilation"]["infiltration_ach"][:] = [[1.0, 0.6]] * n
    effect["ventilation"]["heat_recovery_frac"][:] = [[0.0, 0.8]] * n
    hp = HEATING_SYSTEMS.index("heat_pump_air_water")
    effect["heating"]["heating_code"][:] = [[0.0, float(hp)]] * n
    effect["heating"]["emitter_temperature_degc"][:] = [[55.0, 50.0]] * n
    options = SimpleNamespace(option_names=names, effect=effect)
    steps = pd.DataFrame({"row": [0, 0, 0, 1, 1], "step": [1, 2, 3, 1, 2],
                          "dimension": ["roof", "ventilation", "heating", "roof", "heating"],
                          "measure": ["roof_measure", "ventilation_measure", "heating_measure",
                                      "roof_measure", "heating_measure"]})
    out = dwellings_in_year(d, np.array([3, 1, 0]), steps, options, n_air_use_ach=0.5)
    assert out["u_roof_w_per_m2k"].tolist() == [0.2, 0.2, 2.0]
    assert out["infiltration_ach"].tolist() == pytest.approx([0.2, 1.0, 1.0])  # 0.6 - 0.8 x 0.5
    assert out["heating_system"].astype(str).tolist() == ["heat_pump_air_water", "gas_boiler",
                                                          "gas_boiler"]
    assert out["emitter_temperature_degc"].iloc[0] == 50.0
    assert d["u_roof_w_per_m2k"].tolist() == [2.0] * n  # the input is not changed
