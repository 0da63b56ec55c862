"""Tests of the monthly climate table and its derivation from the Uccle EPW with pvlib."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_data
from wijkreno.errors import InputError
from wijkreno.io.epw import read_epw
from wijkreno.simulate.climate import (
    TABLE_COLUMNS,
    MonthlyClimate,
    derive_monthly_climate,
    load_climate,
    load_climate_params,
)

EPW = ("climate_uccle", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
WINTER = [0, 1, 10, 11]  # Jan, Feb, Nov, Dec (0-based)
N, E, S, W = range(4)


@pytest.fixture(scope="module")
def packaged() -> MonthlyClimate:
    return load_climate()


def test_packaged_table_shape_and_read_only(packaged: MonthlyClimate) -> None:
    assert packaged.hours_h.sum() == 8760
    assert packaged.i_sol_vertical_kwh_per_m2.shape == (4, 12)
    assert packaged.roof_tilt_deg == load_climate_params().roof_tilt_deg
    assert "Uccle" in packaged.source
    with pytest.raises(ValueError):
        packaged.theta_e_degc[0] = 99.0
    assert list(packaged.to_frame().columns) == list(TABLE_COLUMNS)


def test_orientation_order_in_winter(packaged: MonthlyClimate) -> None:
    v = packaged.i_sol_vertical_kwh_per_m2
    for m in WINTER:
        assert v[S, m] > v[E, m] and v[S, m] > v[W, m]
        assert v[E, m] > v[N, m] and v[W, m] > v[N, m]
    # east ~ west over the heating half-year (Oct-Mar), within 15 %
    half = [0, 1, 2, 9, 10, 11]
    assert v[E, half].sum() == pytest.approx(v[W, half].sum(), rel=0.15)
    # south-facing roof gets more than north-facing roof all year
    r = packaged.i_sol_roof_kwh_per_m2
    assert np.all(r[S] > r[N])


def test_values_match_shipped_monthly_summary(packaged: MonthlyClimate) -> None:
    summary = pd.read_csv(shared_data("climate_uccle", "uccle_tmyx_monthly.csv"),
                          index_col="month")
    np.testing.assert_allclose(packaged.theta_e_degc, summary["T_mean_C"], atol=1e-3)
    np.testing.assert_allclose(packaged.ghi_kwh_per_m2, summary["GHI_kWh_m2"], atol=1e-3)
    np.testing.assert_allclose(packaged.hours_h, summary["hours"])


def test_annual_ghi_equals_epw(packaged: MonthlyClimate) -> None:
    weather, meta = read_epw(shared_data(*EPW))
    assert meta["latitude"] == pytest.approx(50.7969)
    assert len(weather) == 8760
    assert packaged.ghi_kwh_per_m2.sum() == pytest.approx(
        weather["ghi_w_per_m2"].sum() / 1000.0, abs=1e-3)
    # the EPW file's own GHI column, read without pvlib (col 13 = GHI, Wh/m2)
    raw = pd.read_csv(shared_data(*EPW), skiprows=8, header=None)
    assert packaged.ghi_kwh_per_m2.sum() == pytest.approx(raw[13].sum() / 1000.0, abs=1e-3)


def test_derivation_reproduces_packaged_table(packaged: MonthlyClimate) -> None:
    derived = derive_monthly_climate(*read_epw(shared_data(*EPW)))
    for name in ("hours_h", "theta_e_degc", "ghi_kwh_per_m2", "i_sol_vertical_kwh_per_m2",
                 "i_sol_roof_kwh_per_m2"):
        np.testing.assert_allclose(getattr(derived, name), getattr(packaged, name),
                                   atol=1e-4, err_msg=name)


def test_albedo_raises_vertical_irradiation() -> None:
    weather, meta = read_epw(shared_data(*EPW))
    lo = derive_monthly_climate(weather, meta, load_climate_params(overrides={"albedo_frac": 0.1}))
    hi = derive_monthly_climate(weather, meta, load_climate_params(overrides={"albedo_frac": 0.4}))
    # ground-reflected part on a vertical plane = GHI * albedo * (1 - cos 90)/2
    diff = hi.i_sol_vertical_kwh_per_m2 - lo.i_sol_vertical_kwh_per_m2
    np.testing.assert_allclose(diff, np.tile(lo.ghi_kwh_per_m2 * 0.3 / 2, (4, 1)), rtol=1e-6)


def test_bad_inputs() -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_epw("/no/such/file.epw")
    with pytest.raises(InputError, match="shape"):
        MonthlyClimate(hours_h=np.ones(11), theta_e_degc=np.ones(12), ghi_kwh_per_m2=np.ones(12),
                       i_sol_vertical_kwh_per_m2=np.ones((4, 12)),
                       i_sol_roof_kwh_per_m2=np.ones((4, 12)), roof_tilt_deg=30, source="x")
    with pytest.raises(InputError, match="albedo_frac"):
        load_climate_params(overrides={"albedo_frac": 2.0})
