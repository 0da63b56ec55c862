"""Tests of the Genk TEASER reader on the real extract (skipped when absent)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_data
from wijkreno.errors import InputError
from wijkreno.io.genk import read_genk_teaser
from wijkreno.simulate.heat_balance import REQUIRED_COLUMNS

NEIGHBOURHOODS = {  # PROVENANCE.md of genk_teaser_buildings
    "Boxbergheide": 1753, "WaterscheiGarden": 1491, "Winterslag": 1313, "ZwartbergSouth": 1079,
    "TermienEast": 519, "ZwartbergNEast": 500, "ZwartbergNWest": 410, "OudWinterslag": 360,
    "TermienWest": 350,
}


@pytest.fixture(scope="module")
def genk():
    return read_genk_teaser(shared_data("genk_teaser_buildings"))


@pytest.mark.realdata
def test_rows_keys_and_neighbourhoods(genk):
    assert len(genk) == 7775
    assert genk["dwelling_id"].is_unique
    assert genk["neighbourhood"].value_counts().to_dict() == NEIGHBOURHOODS
    assert genk["street"].nunique() == 320
    assert (genk["nis_code"] == "71016").all()
    assert set(REQUIRED_COLUMNS) | {"heating_system"} <= set(genk.columns)
    assert "geometry" not in genk.columns
    assert genk[list(REQUIRED_COLUMNS)].notna().all().all()


@pytest.mark.realdata
def test_first_row_by_hand(genk):
    # Bandstraat 8 (BuildingID Bandstraat_8_1566987), values from the CSV:
    # AExt [S, W, N, E] = [53.888, 70.022, 47.308, 64.533], RExt + RExtRem = 0.000169752 +
    # 0.003090831 K/W, alphaExt 2.7, alphaRad 5 -> R_si = 1/7.7; R_se 0.04.
    r = genk.iloc[0]
    assert r.dwelling_id == "genk/Bandstraat_8_1566987"
    assert (r.street, r.house_number, r.gebouw_id) == ("Bandstraat", "8", "1566987")
    assert r.wall_area_s_m2 == pytest.approx(53.888229404)
    assert r.wall_area_w_m2 == pytest.approx(70.021976008)
    assert r.wall_area_n_m2 == pytest.approx(47.308221464)
    assert r.wall_area_e_m2 == pytest.approx(64.532894609)
    assert r.window_area_e_m2 == pytest.approx(16.133223652)
    a_wall = 53.888229404 + 70.021976008 + 47.308221464 + 64.532894609
    u_wall = 1 / ((0.000169752165093 + 0.00309083072304) * a_wall + 1 / 7.7 + 0.04)
    assert r.u_wall_w_per_m2k == pytest.approx(u_wall, rel=1e-9)
    assert r.u_wall_w_per_m2k == pytest.approx(1.0655, abs=1e-4)
    a_win = 8.0612931087 + 10.8082566575 + 9.6679940962 + 16.1332236522
    assert r.u_window_w_per_m2k == pytest.approx(
        1 / (0.00312793805713 * a_win + 1 / 7.7 + 0.04), rel=1e-9)
    # Roof: RRoof + RRoofRem, alphaRoof 1.7 -> R_si = 1/6.7.
    assert r.u_roof_w_per_m2k == pytest.approx(
        1 / ((4.47427044301e-05 + 0.00859481922609) * 140.191190934 + 1 / 6.7 + 0.04), rel=1e-9)
    assert r.u_floor_w_per_m2k == pytest.approx(
        1 / ((0.000272630587638 + 0.00831686670143) * 126.677406311 + 1 / 6.7), rel=1e-9)
    assert r.volume_m3 == pytest.approx(740.322026248)
    assert r.heated_floor_area_m2 == pytest.approx(740.322026248 / 3.0)
    assert r.g_window_frac == 0.78
    assert r.heating_system == "gas_boiler" and r.heating_system_source == "imputed"
    assert r.u_wall_w_per_m2k_source == "derived"


@pytest.mark.realdata
def test_u_value_classes_are_plausible(genk):
    # Four construction classes, one per neighbourhood group: uninsulated pre-war walls
    # (~2.2) down to insulated walls (~0.6); single (~5.2) and double (~3.2) glazing.
    classes = np.unique(genk["u_wall_w_per_m2k"].round(3))
    assert len(classes) == 4
    assert classes.min() == pytest.approx(0.613, abs=0.01)
    assert classes.max() == pytest.approx(2.195, abs=0.01)
    assert set(np.unique(genk["u_window_w_per_m2k"].round(2))) == {3.23, 5.16}
    per_hood = genk.groupby("neighbourhood")["u_wall_w_per_m2k"].agg(
        lambda u: u.round(3).nunique())
    assert (per_hood == 1).all()


@pytest.mark.realdata
def test_typology_heuristic_counts(genk):
    counts = genk["typology"].value_counts()
    assert counts.sum() == 7775
    for t in ("detached", "semi_detached", "terraced"):
        assert counts[t] > 500
    assert counts["apartment_building"] == 0
    assert (genk["typology_source"] == "imputed").all()


def test_missing_file_and_wrong_columns(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_genk_teaser(tmp_path)
    bad = tmp_path / "genk_teaser_buildings.csv"
    pd.DataFrame({"street": ["A"], "housenumber": ["1"]}).to_csv(bad, index=False)
    with pytest.raises(InputError, match="lacks the TEASER columns"):
        read_genk_teaser(tmp_path)
