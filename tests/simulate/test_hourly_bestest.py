"""ASHRAE Standard 140 cases 600, 900, 600FF and 900FF through the hourly engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_data
from wijkreno.cli import app
from wijkreno.simulate.bestest import (
    RESULT_COLUMNS,
    bestest_dwelling,
    bestest_markdown,
    layer_capacity_j_per_m2k,
    load_bestest_spec,
    run_bestest,
)
from wijkreno.simulate.hourly import build_network


def test_layer_capacity_follows_the_ten_centimetre_rule():
    # concrete block 100 mm inside the foam: all of it
    assert layer_capacity_j_per_m2k([[0.1, 0.51, 1400, 1000], [0.06, 0.04, 10, 1400]],
                                    0.10, 0.1) == pytest.approx(140_000)
    # 150 mm of concrete: only the inner 100 mm count
    assert layer_capacity_j_per_m2k([[0.15, 1.13, 2000, 1000]], 0.10, 0.1) == pytest.approx(
        200_000)
    # plasterboard, then insulation: stops at the insulation
    assert layer_capacity_j_per_m2k([[0.012, 0.16, 950, 840], [0.066, 0.04, 12, 840],
                                     [0.009, 0.14, 530, 900]], 0.10, 0.1) == pytest.approx(
        0.012 * 950 * 840)


def test_case_inputs_by_hand():
    """Case 900: C_m = 63.6 m2 * 140 kJ/(m2 K) (block) + 48 * 112 (slab) + 48 * 7.98
    (plasterboard) = 14.663 MJ/K; H_tr = 63.6 * 0.512 + 48 * 0.318 + 48 * 0.039 + 12 * 3.0;
    H_ve = 0.2754 * 0.5 * 129.6 (altitude-corrected rho c)."""
    from wijkreno.simulate.bestest import bestest_params

    d = bestest_dwelling("900")
    assert d["thermal_capacity_j_per_k"].iloc[0] == pytest.approx(14_663_040)
    net = build_network(d, bestest_params())
    assert net.h_tr_w_w_per_k[0] + net.h_tr_op_w_per_k[0] == pytest.approx(
        63.6 * 0.512 + 48 * 0.318 + 48 * 0.039 + 12 * 3.0)
    assert net.h_ve_w_per_k[0] == pytest.approx(0.2754 * 0.5 * 129.6)
    assert net.a_t_m2[0] == pytest.approx(171.6)
    assert 0 < net.a_m_m2[0] < net.a_t_m2[0]
    d600 = bestest_dwelling("600FF")
    assert d600["thermal_capacity_j_per_k"].iloc[0] < d["thermal_capacity_j_per_k"].iloc[0] / 5


@pytest.fixture(scope="module")
def denver():
    from wijkreno.io.epw import read_epw
    from wijkreno.simulate.hourly import hourly_climate_from_epw

    return hourly_climate_from_epw(read_epw(shared_data("bestest", "725650TYCST.epw")))


@pytest.mark.realdata
def test_bestest_results_lie_within_the_published_ranges_or_the_documented_tolerance(denver):
    table = run_bestest(denver)
    assert list(table.columns[: len(RESULT_COLUMNS)]) == list(RESULT_COLUMNS)
    assert list(table["case"]) == ["600", "900", "600FF", "900FF"]
    spec = load_bestest_spec()
    checked = 0
    for _, row in table.iterrows():
        for q in spec["reference"][row["case"]]:
            if q == "source":
                continue
            checked += 1
            assert row[f"{q}_within_tolerance"], (row["case"], q, row[q])
    assert checked == 14
    ff = table[table["case"].str.endswith("FF")]
    # the free-float temperatures lie within the published ranges themselves
    for q in ("min_temp_degc", "max_temp_degc", "mean_temp_degc"):
        assert ff[f"{q}_in_range"].all(), q
    # cooling loads and cooling peaks of 900 lie in range, so do both cooling peaks
    by = table.set_index("case")
    assert by.loc["900", "annual_cooling_mwh_in_range"]
    assert by.loc["600", "peak_cooling_kw_in_range"] and by.loc["900", "peak_cooling_kw_in_range"]
    # the peaks fall on the reference programs' days: heating 600 on the night of Dec 31 /
    # Jan 1, 900 on Feb 9 early morning; cooling 600 on Jan 22 early afternoon
    assert by.loc["600", "peak_heating_hour"] in ("Dec 31-24", "Jan 01-01", "Jan 01-02")
    assert by.loc["900", "peak_heating_hour"].startswith("Feb 09")
    assert by.loc["600", "peak_cooling_hour"].startswith("Jan 22")
    # monthly loads add up to the annual ones
    heat = table[[f"heating_{m}_kwh" for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul",
                                               "aug", "sep", "oct", "nov", "dec")]].sum(axis=1)
    np.testing.assert_allclose(heat[:2] / 1000, table["annual_heating_mwh"][:2], rtol=1e-9)
    # the heavy building needs less heating and cooling, and swings less
    assert by.loc["900", "annual_heating_mwh"] < by.loc["600", "annual_heating_mwh"]
    assert by.loc["900FF", "max_temp_degc"] < by.loc["600FF", "max_temp_degc"]
    md = bestest_markdown(table)
    assert md.count("\n") == 2 + 14


@pytest.mark.realdata
def test_cli_validate_bestest_writes_csv_and_markdown(tmp_path):
    data = shared_data("bestest")
    result = CliRunner().invoke(app, ["validate", "bestest", "--data", str(data),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "bestest_check.csv")
    assert len(table) == 4
    assert "within tolerance" in (tmp_path / "bestest_check.md").read_text()


def test_cli_validate_bestest_without_data_is_an_input_error(tmp_path):
    result = CliRunner().invoke(app, ["validate", "bestest", "--data", str(tmp_path / "none"),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "725650TYCST.epw" in result.output
