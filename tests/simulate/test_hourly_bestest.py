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
    distance_outside,
    in_range_headline,
    layer_capacity_j_per_m2k,
    load_bestest_spec,
    range_check,
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


COMPARED: tuple[tuple[str, str], ...] = (
    ("600", "annual_heating_mwh"), ("600", "annual_cooling_mwh"), ("600", "peak_heating_kw"),
    ("600", "peak_cooling_kw"), ("900", "annual_heating_mwh"), ("900", "annual_cooling_mwh"),
    ("900", "peak_heating_kw"), ("900", "peak_cooling_kw"), ("600FF", "max_temp_degc"),
    ("600FF", "min_temp_degc"), ("600FF", "mean_temp_degc"), ("900FF", "max_temp_degc"),
    ("900FF", "min_temp_degc"), ("900FF", "mean_temp_degc"),
)
"""Every figure ASHRAE 140-2020 Annex B8 gives a reference-program range for (bestest.toml)."""

IN_RANGE: frozenset[tuple[str, str]] = frozenset({
    ("600", "peak_cooling_kw"), ("900", "annual_cooling_mwh"), ("900", "peak_cooling_kw"),
    ("600FF", "max_temp_degc"), ("600FF", "min_temp_degc"), ("600FF", "mean_temp_degc"),
    ("900FF", "max_temp_degc"), ("900FF", "mean_temp_degc"),
})
"""The figures that lie inside the published min-max, no tolerance. The others are known
limitations of the 5R1C method (bestest.toml [limitations], docs/hourly.md)."""


def test_distance_outside_the_range():
    assert distance_outside("annual_heating_mwh", 4.2, 4.0, 4.5) == 0.0
    assert distance_outside("annual_heating_mwh", 4.95, 4.0, 4.5) == pytest.approx(0.1)
    assert distance_outside("peak_heating_kw", 1.8, 2.0, 3.0) == pytest.approx(-0.1)
    # temperatures in kelvin: a ratio of Celsius temperatures means nothing
    assert distance_outside("min_temp_degc", -14.8, -13.8, -9.9) == pytest.approx(-1.0)
    assert distance_outside("max_temp_degc", 69.4, 62.4, 68.4) == pytest.approx(1.0)


def test_the_spec_has_no_tolerance_and_limitations_name_compared_figures(tmp_path):
    from wijkreno.errors import InputError
    from wijkreno.params.models.bestest import load_bestest_spec as load_model

    spec = load_bestest_spec()
    assert "tolerance" not in spec
    assert set(spec["limitations"]) == {f"{c}.{q}" for c, q in COMPARED
                                        if (c, q) not in IN_RANGE}
    assert all(len(lim["source"]) > 40 and lim["max_outside"] > 0
               for lim in spec["limitations"].values())
    from wijkreno.params import reader

    text = reader.resolve(None, "bestest.toml", what="x").read_text(encoding="utf-8")
    bad = tmp_path / "bestest.toml"
    why = "a reason long enough to pass the length check of the model, but no such figure"
    entry = f'"600.annual_lighting_mwh" = {{ max_outside = 0.1, source = "{why}" }}\n'
    bad.write_text(text + entry, encoding="utf-8")
    with pytest.raises(InputError, match="not a compared figure"):
        load_model(bad)
    # a limitation without its bound is refused: the bound is what the check enforces
    unbounded = text.replace("max_outside = 0.13, ", "", 1)
    assert unbounded != text
    bad.write_text(unbounded, encoding="utf-8")
    with pytest.raises(InputError, match="max_outside"):
        load_model(bad)


@pytest.mark.realdata
def test_bestest_figures_against_the_published_ranges(denver):
    table = run_bestest(denver)
    assert list(table.columns[: len(RESULT_COLUMNS)]) == list(RESULT_COLUMNS)
    assert list(table["case"]) == ["600", "900", "600FF", "900FF"]
    check = range_check(table)
    assert [(r.case, r.quantity) for r in check.itertuples()] == list(COMPARED)
    by_q = check.set_index(["case", "quantity"])
    # inside the reference programs' min-max, no tolerance
    for key in IN_RANGE:
        r = by_q.loc[key]
        assert r["ref_min"] <= r["value"] <= r["ref_max"], (key, r["value"])
        assert r["in_range"] and r["outside"] == 0.0
    # the others lie outside, each a documented limitation, with its distance
    for key in set(COMPARED) - IN_RANGE:
        r = by_q.loc[key]
        assert not r["in_range"], (key, r["value"], "now in range: update IN_RANGE, "
                                   "bestest.toml [limitations] and docs/hourly.md")
        assert r["known_limitation"], key
        above = r["value"] > r["ref_max"]
        assert (r["outside"] > 0) == above
        if r["outside_unit"] == "frac":
            bound = r["ref_max"] if above else r["ref_min"]
            assert r["outside"] == pytest.approx(r["value"] / bound - 1.0)
        # and no further out than documented in bestest.toml [limitations] (max_outside, its
        # distance rounded up): a regression that moves a known limitation further away fails
        assert abs(r["outside"]) <= r["known_max_outside"], (key, r["outside"])
    assert in_range_headline(check) == f"in range: {len(IN_RANGE)} of {len(COMPARED)}"
    by = table.set_index("case")
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
    assert f"in range: {len(IN_RANGE)} of 14" in md
    assert md.count("| 600 |") + md.count("| 900 |") + md.count("FF |") == 14
    assert "NOT A DOCUMENTED LIMITATION" not in md


@pytest.mark.realdata
def test_cli_validate_bestest_writes_csv_and_markdown(tmp_path):
    data = shared_data("bestest")
    result = CliRunner().invoke(app, ["validate", "bestest", "--data", str(data),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"in range: {len(IN_RANGE)} of 14" in result.output
    table = pd.read_csv(tmp_path / "bestest_check.csv")
    assert len(table) == 4
    assert "annual_heating_mwh_outside_frac" in table.columns
    assert "min_temp_degc_outside_k" in table.columns
    assert not any(c.endswith("_within_tolerance") for c in table.columns)
    assert "outside by" in (tmp_path / "bestest_check.md").read_text()


def test_cli_validate_bestest_without_data_is_an_input_error(tmp_path):
    result = CliRunner().invoke(app, ["validate", "bestest", "--data", str(tmp_path / "none"),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "725650TYCST.epw" in result.output


@pytest.mark.realdata
def test_cli_validate_bestest_fails_when_a_known_limitation_gets_worse(tmp_path, monkeypatch):
    """A known limitation further out than its bestest.toml max_outside fails the check."""
    import wijkreno.simulate.bestest as bt

    spec = bt.load_bestest_spec()
    tight = {**spec, "limitations": {k: {**v, "max_outside": 1e-4}
                                     for k, v in spec["limitations"].items()}}
    monkeypatch.setattr(bt, "load_bestest_spec", lambda path=None: tight)
    result = CliRunner().invoke(app, ["validate", "bestest", "--data",
                                      str(shared_data("bestest")), "-o", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "verder buiten bereik" in result.output
