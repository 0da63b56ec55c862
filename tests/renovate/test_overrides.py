"""Coach overrides: reading the CSV, applying on top of the twin, rejections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.renovate import hand_dwellings
from wijkreno.errors import InputError
from wijkreno.io.overrides import read_overrides
from wijkreno.renovate.applicability import measure_options
from wijkreno.renovate.catalogue import load_catalogue
from wijkreno.renovate.overrides import CHANGES_COLUMNS, apply_overrides, check_overrides

R_ROOF = load_catalogue().measures["roof_insulation"].r_added_m2k_per_w.value


def _street(n: int = 4) -> pd.DataFrame:
    d = hand_dwellings(*({} for _ in range(n)), index=[10 + 3 * k for k in range(n)])
    for c in ("heating_system", "u_roof_w_per_m2k_source", "heating_system_source"):
        d[c] = d[c].astype("category")
    return d


def _write(tmp_path, text: str, name: str = "overrides.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# reading


def test_read_dutch_headers_semicolons_decimal_comma_and_aliases(tmp_path):
    path = _write(tmp_path, (
        "\ufeffAdres_ID;Dak geïsoleerd jaar;Verwarming;inkomenscategorie;gasverbruik_kwh;"
        "eigenaar_of_huurder;aktejaar;opmerking\n"
        "adr-0;2015;;4;14500,5;huurder;2024;koude zolder\n"
        "adr-1;;bodemwarmtepomp;;;eigenaar;;\n"
        "adr-2;;;;;;;\n"
    ))
    o = read_overrides(path)
    assert o["row"].tolist() == [0, 1, 2]
    assert o["adres_id"].tolist() == ["adr-0", "adr-1", "adr-2"]
    assert o["roof_insulated_year"].tolist()[0] == 2015
    assert pd.isna(o["roof_insulated_year"].iloc[1])
    assert o["metered_gas_kwh"].iloc[0] == 14500.5
    assert o["heating_system"].iloc[1] == "heat_pump_ground"
    assert o["tenure"].tolist()[:2] == ["tenant", "owner"]
    assert o["deed_year"].iloc[0] == 2024
    assert o["note"].iloc[0] == "koude zolder"
    assert (o["reason"] == "").all()


def test_read_bad_values_are_rejected_rows_not_dropped(tmp_path):
    path = _write(tmp_path, (
        "woning_id,dak_geisoleerd_jaar,inkomenscategorie,verwarming,epc_score,gasverbruik_kwh\n"
        "D0,abc,,,,\n"
        "D1,,7,,,\n"
        "D2,,,pelletkachel,,\n"
        "D3,2015.5,,,,\n"
        "D4,,,,,-5\n"
        "D5,1850,,,,\n"
        "D6,2015,2,gasketel,250,\n"
    ))
    o = read_overrides(path)
    assert len(o) == 7
    r = o["reason"].tolist()
    assert "roof_insulated_year = 'abc' is not a number" == r[0]
    assert "income_category" in r[1] and "1, 2, 3 or 4" in r[1]
    assert "heating_system = 'pelletkachel'" in r[2]
    assert "whole number" in r[3]
    assert "metered_gas_kwh" in r[4]
    assert "roof_insulated_year" in r[5] and "1900" in r[5]
    assert r[6] == ""
    assert o["heating_system"].iloc[6] == "gas_boiler"


def test_read_unknown_header_names_it_and_the_allowed_ones(tmp_path):
    path = _write(tmp_path, "adres_id,dak_geisoleerd_jaar,zwembad\nadr-0,2015,ja\n")
    with pytest.raises(InputError, match="zwembad") as exc:
        read_overrides(path)
    assert "dak_geisoleerd_jaar" in str(exc.value)
    with pytest.raises(InputError, match="adres_id"):
        read_overrides(_write(tmp_path, "verwarming\ngasketel\n", "nokey.csv"))
    with pytest.raises(InputError, match="does not exist"):
        read_overrides(tmp_path / "missing.csv")


# ---------------------------------------------------------------------------------------------
# applying


def test_overrides_change_exactly_the_named_columns_and_leave_the_input_alone():
    d = _street()
    before = d.copy(deep=True)
    ov = pd.DataFrame({
        "adres_id": ["adr-1", "adr-3"],
        "roof_insulated_year": pd.array([2016, pd.NA], dtype="Int64"),
        "heating_system": pd.array([pd.NA, "heat_pump_air_water"], dtype="string"),
        "metered_gas_kwh": [12000.0, np.nan],
    })
    new, changes = apply_overrides(d, ov)
    pd.testing.assert_frame_equal(d, before)  # input untouched
    assert new is not d
    assert new.index.tolist() == d.index.tolist()
    # the roof of adr-1: U = 1 / (1/1.9 + R of today's catalogue), flagged observed
    assert new.loc[13, "u_roof_w_per_m2k"] == pytest.approx(1 / (1 / 1.9 + R_ROOF))
    assert new.loc[13, "u_roof_w_per_m2k_source"] == "observed"
    assert new.loc[13, "roof_insulated_year"] == 2016
    assert new.loc[19, "heating_system"] == "heat_pump_air_water"
    assert new.loc[19, "heating_system_source"] == "observed"
    assert new.loc[13, "metered_gas_kwh"] == 12000.0
    # nothing else moved: compare every original column cell by cell
    diff = {(i, c) for c in d.columns for i in d.index
            if not (pd.isna(d.at[i, c]) and pd.isna(new.at[i, c]))
            and d.at[i, c] != new.at[i, c]}
    assert diff == {(13, "u_roof_w_per_m2k"), (13, "u_roof_w_per_m2k_source"),
                    (19, "heating_system"), (19, "heating_system_source")}
    # new columns only for what the overrides carry, empty elsewhere
    assert set(new.columns) - set(d.columns) == {"roof_insulated_year", "metered_gas_kwh"}
    assert new["metered_gas_kwh"].isna().sum() == 3
    # the changes table lists exactly those changes
    assert list(changes.columns) == list(CHANGES_COLUMNS)
    applied = changes[changes["status"] == "applied"]
    assert set(zip(applied["dwelling_id"], applied["column"], strict=True)) == {
        ("D1", "u_roof_w_per_m2k"), ("D1", "u_roof_w_per_m2k_source"),
        ("D1", "roof_insulated_year"), ("D1", "metered_gas_kwh"),
        ("D3", "heating_system"), ("D3", "heating_system_source")}
    assert (applied["source"] == "coach").all()
    row = applied[applied["column"] == "heating_system"].iloc[0]
    assert (row["old"], row["new"]) == ("gas_boiler", "heat_pump_air_water")


def test_unknown_address_duplicates_and_early_years_are_rejected_with_a_reason():
    d = _street()
    ov = pd.DataFrame({
        "adres_id": ["adr-9", "adr-0", "adr-0", "adr-2", "adr-1"],
        "wall_insulated_year": pd.array([2010, 2010, 2012, 1940, 2005], dtype="Int64"),
    })
    new, changes = apply_overrides(d, ov)
    rej = changes[changes["status"] == "rejected"].set_index("row")
    assert rej.loc[0, "reason"] == "adres_id adr-9 is not in the twin"
    assert "several override rows" in rej.loc[1, "reason"]
    assert "several override rows" in rej.loc[2, "reason"]
    assert rej.loc[3, "reason"] == (
        "wall_insulated_year 1940 lies before the construction year 1955")
    assert set(rej.index) == {0, 1, 2, 3}
    # only adr-1 was applied: cavity era 1985-2014 adds R 1.2
    assert new.loc[new["adres_id"] == "adr-1", "u_wall_w_per_m2k"].item() == pytest.approx(
        1 / (1 / 1.7 + 1.2))
    assert (new.loc[new["adres_id"] != "adr-1", "u_wall_w_per_m2k"] == 1.7).all()


def test_rows_refused_by_the_reader_are_listed_and_not_applied(tmp_path):
    path = _write(tmp_path, "adres_id,inkomenscategorie\nadr-0,9\nadr-1,4\n")
    new, changes = apply_overrides(_street(), read_overrides(path))
    assert changes["status"].tolist() == ["applied", "rejected"]
    assert changes.iloc[1]["row"] == 0 and "1, 2, 3 or 4" in changes.iloc[1]["reason"]
    assert pd.isna(new["income_category"].iloc[0])
    assert new["income_category"].iloc[1] == 4


def test_glazing_and_floor_eras():
    d = _street()
    ov = pd.DataFrame({"dwelling_id": ["D0", "D1", "D2"],
                       "glazing_year": pd.array([1980, 1995, 2020], dtype="Int64"),
                       "floor_insulated_year": pd.array([pd.NA, 2000, 2020], dtype="Int64")})
    new, _ = apply_overrides(d, ov)
    assert new["u_window_w_per_m2k"].tolist() == [2.9, 1.8, 1.1, 4.8]
    assert new["g_window_frac"].tolist() == [0.75, 0.65, 0.55, 0.75]
    r_floor = load_catalogue().measures["floor_insulation"].r_added_m2k_per_w.value
    assert new["u_floor_w_per_m2k"].tolist() == pytest.approx(
        [0.85, 1 / (1 / 0.85 + 1.0), 1 / (1 / 0.85 + r_floor), 0.85])


def test_unknown_override_column_is_an_input_error():
    with pytest.raises(InputError, match="solar_panels"):
        apply_overrides(_street(), pd.DataFrame({"adres_id": ["adr-0"], "solar_panels": [1]}))
    with pytest.raises(InputError, match="key"):
        check_overrides(pd.DataFrame({"income_category": [1]}))


def test_overrides_feed_measure_options():
    d = _street()
    ov = pd.DataFrame({"adres_id": ["adr-0", "adr-1"],
                       "roof_insulated_year": pd.array([2016, pd.NA], dtype="Int64"),
                       "income_category": pd.array([pd.NA, 4], dtype="Int64"),
                       "heating_system": ["heat_pump_air_water", None]})
    new, _ = apply_overrides(d, ov)
    o = measure_options(new)
    assert o.reason["roof"][0, 1].startswith("dak al goed geïsoleerd (U 0,1")
    assert o.applicable["roof"][1, 1]
    assert not o.applicable["heating"][0, 1:].any()
    hp = o.option_names["heating"].index("heat_pump_air_water")
    # the income category column drives the premium: category 4 gets at least category 2's
    assert o.premium_eur["heating"][1, hp] > o.premium_eur["heating"][2, hp]


@settings(max_examples=40, deadline=None)
@given(
    which=st.lists(st.sampled_from(["roof_insulated_year", "wall_insulated_year",
                                    "floor_insulated_year", "glazing_year", "income_category",
                                    "metered_electricity_kwh", "tenure", "deed_year",
                                    "heating_system"]), min_size=1, max_size=4, unique=True),
    row=st.integers(0, 3),
)
def test_property_only_named_columns_change(which, row):
    values = {"roof_insulated_year": 2018, "wall_insulated_year": 2018,
              "floor_insulated_year": 2018, "glazing_year": 2018, "income_category": 3,
              "metered_electricity_kwh": 3100.0, "tenure": "tenant", "deed_year": 2026,
              "heating_system": "hybrid_heat_pump"}
    touches = {"roof_insulated_year": {"u_roof_w_per_m2k", "u_roof_w_per_m2k_source"},
               "wall_insulated_year": {"u_wall_w_per_m2k", "u_wall_w_per_m2k_source"},
               "floor_insulated_year": {"u_floor_w_per_m2k", "u_floor_w_per_m2k_source"},
               "glazing_year": {"u_window_w_per_m2k", "u_window_w_per_m2k_source",
                                "g_window_frac"},
               "heating_system": {"heating_system", "heating_system_source"}}
    d = _street()
    ov = pd.DataFrame({"dwelling_id": [f"D{row}"], **{c: [values[c]] for c in which}})
    new, changes = apply_overrides(d, ov)
    allowed = set().union(*(touches.get(c, set()) for c in which))
    for c in d.columns:
        same = (d[c].astype(object).to_numpy() == new[c].astype(object).to_numpy())
        if c in allowed:
            assert same[np.arange(4) != row].all()
        else:
            assert same.all(), c
    assert set(new.columns) - set(d.columns) == set(which) - {"heating_system"}
    assert set(changes["column"]) <= allowed | set(which)
    assert (changes["status"] == "applied").all()
