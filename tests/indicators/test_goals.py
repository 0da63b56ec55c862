"""LEKP goal definitions, municipal targets and the Statbel counts they scale with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import shared_data
from wijkreno.errors import InputError
from wijkreno.indicators import TARGET_COLUMNS, load_goals, municipality_targets
from wijkreno.indicators.goals import round_half_up
from wijkreno.io.municipal import (
    housing_units_from_gebouwenpark,
    normalise_name,
    read_households,
)
from wijkreno.io.statbel import read_gebouwenpark

BERLAAR = dict(nis_code="12002", inhabitants=11949, households=4426, housing_units=5440)


def _targets(**kw) -> pd.Series:
    args = {**BERLAAR, **kw}
    return municipality_targets(**args).set_index("goal_id")["target"]


@pytest.mark.parametrize("pact", ["2.0", "2.1"])
def test_berlaar_worked_example(pact):
    """DOMAIN.md / berlaar2030.be: 272 collective renovations, 136 fossil-free, 179 points."""
    t = _targets(pact=pact)
    assert t["collective_renovations"] == 272
    assert t["collective_renovations_fossil_free"] == 136
    assert t["charging_points"] == 179


def test_targets_columns_and_dates():
    t = municipality_targets(**BERLAAR)
    assert list(t.columns) == [*TARGET_COLUMNS, "title_en"]
    row = t.set_index("goal_id").loc["klimaattafels"]
    assert row["deadline"] == dt.date(2024, 12, 31)
    assert row["target"] == 272  # 50 per 1,000 housing units invited
    assert row["start_date"] == dt.date(2021, 1, 1)
    assert "vvsg" in row["source"] and "2023-06-01" in row["source"]
    assert t["nis_code"].eq("12002").all()


def test_pact_21_goals_and_values():
    t = _targets(pact="2.1")
    assert t["renovation_trajectories"] == round_half_up(0.05 * 4426)  # 221.3 -> 221
    assert t["wijkverbeteringscontract"] == 1
    assert t["participative_pv_kwp"] == pytest.approx(36 * 11949 / 500)
    assert t["participative_pv_kwp_2025"] == pytest.approx(18 * 11949 / 500)
    assert t["energy_community_access"] == round_half_up(11949 / 500)
    assert t["own_buildings_co2"] == pytest.approx(0.55)
    assert t["own_buildings_primary_energy"] == pytest.approx(1 - 0.97 ** 7)
    assert "participative_projects" not in t.index


def test_pact_10_differs():
    t = _targets(pact="1.0")
    assert t["charging_points"] == 119  # 1 per 100 inhabitants
    assert t["own_buildings_co2"] == pytest.approx(0.40)
    assert t["own_buildings_primary_energy"] == pytest.approx(1 - (1 - 0.0209) ** 15)
    assert t["participative_projects"] == 24
    assert "collective_renovations_fossil_free" not in t.index
    assert "klimaattafels" not in t.index


@settings(max_examples=40, deadline=None)
@given(units=st.integers(0, 200_000), households=st.integers(0, 200_000),
       inhabitants=st.integers(0, 500_000))
def test_targets_scale_with_inputs(units, households, inhabitants):
    t = _targets(housing_units=units, households=households, inhabitants=inhabitants)
    assert t["collective_renovations"] == round_half_up(50 * units / 1000)
    assert t["collective_renovations_fossil_free"] == round_half_up(25 * units / 1000)
    assert t["renovation_trajectories"] == round_half_up(5 * households / 100)
    assert t["charging_points"] == round_half_up(1.5 * inhabitants / 100)
    assert t["participative_pv_kwp"] == pytest.approx(36 * inhabitants / 500)


def test_doubling_housing_units_doubles_collective_target():
    assert _targets(housing_units=10880)["collective_renovations"] == 2 * 272


def test_round_half_up():
    assert round_half_up(2.5) == 3
    assert round_half_up(179.235) == 179
    assert round_half_up(0.4999) == 0


def test_bad_inputs():
    with pytest.raises(InputError, match="LEKP version"):
        municipality_targets(**{**BERLAAR, "pact": "3.0"})
    with pytest.raises(InputError, match="inhabitants"):
        municipality_targets(**{**BERLAAR, "inhabitants": -5})


def test_counting_rule_is_documented_setting():
    g = load_goals()
    assert g.counting.default_rule == "vvsg_measure"
    assert set(g.counting.rules) == {"vvsg_measure", "per_dwelling"}
    assert "pv" not in g.counting.countable_measures
    assert "heat_pump_boiler" in g.counting.countable_measures


def test_goal_file_rejects_unknown_fields(tmp_path):
    from importlib import resources

    text = resources.files("wijkreno.params").joinpath("lekp_goals.toml").read_text("utf-8")
    bad = tmp_path / "goals.toml"
    bad.write_text(text.replace('version = "2"', 'version = "2"\nsurprise = 3'), "utf-8")
    with pytest.raises(InputError, match="surprise"):
        load_goals(bad)
    dup = tmp_path / "dup.toml"
    first = text.index("\n[[goals]]\n")
    block = text[first:text.index("\n[[goals]]\n", first + 1)]
    dup.write_text(text + "\n" + block, "utf-8")
    with pytest.raises(InputError, match="more than once"):
        load_goals(dup)
    with pytest.raises(InputError, match="does not exist"):
        load_goals(tmp_path / "absent.toml")


# --------------------------------------------------------------------------------------------
# Statbel counts


def test_normalise_name():
    assert normalise_name("Sint-Genesius-Rode") == normalise_name("SINT-GENESIUS-RODE ")
    assert normalise_name("Écaussinnes") == normalise_name("ECAUSSINNES")


def test_households_berlaar_real():
    path = shared_data("statbel_huishoudens_gemeente", "huishoudens_gemeente.csv")
    refnis = shared_data("statbel_gebouwenpark_2025", "codebook_refnis.csv")
    assert read_households(path, "12002", refnis=refnis) == 4426
    assert read_households(path, "12002") == 4426  # codebook found beside the extract
    with pytest.raises(InputError, match="not a municipality"):
        read_households(path, "99999", refnis=refnis)


def test_households_by_name_with_accents(tmp_path):
    refnis = tmp_path / "refnis.csv"
    refnis.write_text("CD_REFNIS,CD_REFNIS_NL,CD_REFNIS_LVL\n55050,ECAUSSINNES,5\n"
                      "11002,ANTWERPEN,5\n", "utf-8")
    hh = tmp_path / "hh.csv"
    hh.write_text(
        "Gemeente,Type particulier huishouden niveau 1,Grootte particulier huishouden niveau 1,"
        "Particuliere huishoudens\nÉcaussinnes,,,4321.0\nÉcaussinnes,A,1 persoon,100.0\n",
        "utf-8")
    assert read_households(hh, "55050", refnis=refnis) == 4321
    with pytest.raises(InputError, match="ANTWERPEN"):
        read_households(hh, "11002", refnis=refnis)


def test_housing_units_berlaar_real():
    path = shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv")
    table = read_gebouwenpark(path, "12002")
    # T8 of 2025: 669 + 1708 + 1860 + 1099 + 95 + 206 (R1-R6)
    assert housing_units_from_gebouwenpark(table, "12002") == 5637
    with pytest.raises(InputError, match="13002"):
        housing_units_from_gebouwenpark(table, "13002")


def test_every_goal_has_an_english_title(tmp_path):
    goals = load_goals()
    for goal in goals.goals:
        assert goal.title_en and goal.title_en != goal.title_nl, goal.goal_id
    t = municipality_targets(**BERLAAR).set_index("goal_id")
    assert t.loc["charging_points", "title_en"] == "Charging points"
    assert t.loc["klimaattafels", "title_en"] == "Climate tables: housing units invited"
    # a user's goal file without English titles shows the Dutch ones
    own = tmp_path / "goals.toml"
    packaged = Path(__file__).resolve().parents[2] / "wijkreno" / "params" / "lekp_goals.toml"
    own.write_text("\n".join(line for line in packaged.read_text("utf-8").splitlines()
                             if not line.startswith("title_en")), encoding="utf-8")
    bare = municipality_targets(**BERLAAR, goals=load_goals(own)).set_index("goal_id")
    assert bare.loc["charging_points", "title_en"] == "Laadpunten"


def test_register_checklist_ticks_what_the_register_holds():
    from wijkreno.indicators.checklist import register_checklist

    targets = municipality_targets(**BERLAAR).set_index("goal_id").loc[
        ["collective_renovations", "charging_points"]].reset_index()
    indicators = pd.DataFrame({
        "goal_id": ["collective_renovations", "collective_renovations", "charging_points"],
        "year": [2024, 2025, 2026], "computable": [False, True, True],
        "is_past": [True, True, False]})
    held = {"renovations": pd.DataFrame({"completed_on": ["2024-05-01", "2025-02-01"]}),
            "charging_points": pd.DataFrame({"in_service_on": pd.Series([], dtype=object)})}
    items = {i["key"]: i for i in register_checklist(
        held, targets, indicators, count_origins={"inhabitants": "statbel",
                                                  "households": "estimate",
                                                  "housing_units": "admin"})}
    assert list(items)[0] == "counts" and items["counts"]["done"] is False  # an estimate
    assert items["register:renovations"]["done"] and items["register:renovations"]["n_rows"] == 2
    assert items["register:renovations"]["last"] == "2025-02-01"
    assert not items["register:charging_points"]["done"]
    assert items["goal:collective_renovations"]["done"]
    assert items["goal:charging_points"]["title_en"] == "Charging points"
    assert not items["goal:charging_points"]["done"]  # nothing registered
    # in a report year the goal's state at the end of that year counts
    in_2024 = {i["key"]: i for i in register_checklist(held, targets, indicators, year=2024)}
    assert "counts" not in in_2024 and not in_2024["goal:collective_renovations"]["done"]
