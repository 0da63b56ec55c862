"""The TABULA BE check: the engine's kernel reproduces TABULA's published heating need."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_data
from wijkreno.errors import InputError
from wijkreno.io.tabula import (
    read_tabula_conditions,
    read_tabula_refurbishment,
    read_tabula_typology,
)
from wijkreno.simulate.tabula import RESULT_TERMS, TOLERANCE_FRAC, validate_tabula


@pytest.fixture(scope="module")
def folder():
    return shared_data("tabula_be")


@pytest.fixture(scope="module")
def table(folder) -> pd.DataFrame:
    return validate_tabula(read_tabula_typology(folder), read_tabula_refurbishment(folder),
                           read_tabula_conditions(folder))


def test_readers_rename_to_house_names(folder) -> None:
    t = read_tabula_typology(folder)
    assert len(t) == 36 and t.index.name == "variant_code"
    row = t.loc["BE.N.SFH.01.Gen.ReEx.001.001"]
    assert row["u_wall_1_w_per_m2k"] == 2.2 and row["u_window_1_w_per_m2k"] == 5.0
    assert row["published_q_h_nd_kwh_per_m2"] == pytest.approx(279.98, abs=0.01)
    r = read_tabula_refurbishment(folder)
    assert len(r) == 64
    assert set(r["variant_code"].str[-4:]) == {".002", ".003"}
    assert r["base_variant_code"].isin(t.index).all()
    c = read_tabula_conditions(folder)
    assert c.loc["EU.SUH", "f_red_at_h_tr_1_frac"] == 0.9
    assert c.loc["EU.MUH", "i_sol_s_kwh_per_m2"] == 340.0


def test_all_35_existing_variants_within_2_percent(table: pd.DataFrame) -> None:
    existing = table[table["variant_kind"] == "existing"]
    assert len(existing) == 35
    dev = existing["q_h_nd_deviation_frac"].abs()
    assert (dev <= TOLERANCE_FRAC).all(), existing.loc[dev > TOLERANCE_FRAC, "variant_code"]
    assert existing["within_tolerance"].all()
    # in fact the same equations give the published figures to rounding
    assert dev.max() < 1e-9


def test_intermediate_terms_match_published(table: pd.DataFrame) -> None:
    existing = table[table["variant_kind"] == "existing"]
    for term in RESULT_TERMS:
        np.testing.assert_allclose(existing[term], existing[f"published_{term}"], rtol=1e-9,
                                   err_msg=term)


def test_refurbished_variants_run_through_same_path(table: pd.DataFrame) -> None:
    ref = table[table["variant_kind"].isin(["usual_refurbishment", "advanced_refurbishment"])]
    assert len(ref) == 64
    assert ref["published_q_h_nd_kwh_per_m2"].isna().all()
    assert ref[list(RESULT_TERMS)].notna().all().all()
    base = table.set_index("variant_code")["q_h_nd_kwh_per_m2"]
    before = base.loc[ref["base_variant_code"]].to_numpy()
    assert np.all(ref["q_h_nd_kwh_per_m2"].to_numpy() < before)
    # advanced beats usual for every building that has both
    pivot = ref.pivot_table(index="base_variant_code", columns="variant_kind",
                            values="q_h_nd_kwh_per_m2").dropna()
    assert (pivot["advanced_refurbishment"] < pivot["usual_refurbishment"]).all()
    # hand check of one: BE.N.SFH.01 usual: h_ve = 0.34 * (0.4 + 0.2) * 2.5 = 0.51 W/(m2 K)
    row = ref.set_index("variant_code").loc["BE.N.SFH.01.Gen.ReEx.001.002"]
    assert row["h_ve_w_per_m2k"] == pytest.approx(0.51)


def test_missing_folder_raises(tmp_path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_tabula_typology(tmp_path / "nope")
    with pytest.raises(InputError, match="missing"):
        read_tabula_conditions(tmp_path)


def test_cli_writes_table_and_summary(folder, tmp_path) -> None:
    from wijkreno.cli.validate import app

    result = CliRunner().invoke(app, ["tabula", "--data", str(folder), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "35" in result.output and "0.0000 %" in result.output
    out = pd.read_parquet(tmp_path / "tabula_check.parquet")
    assert len(out) == 100
    assert len(pd.read_csv(tmp_path / "tabula_check.csv")) == 100


def test_cli_missing_folder_exits_2(tmp_path) -> None:
    from wijkreno.cli.validate import app

    result = CliRunner().invoke(app, ["tabula", "--data", str(tmp_path / "nope"),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "does not exist" in result.output
