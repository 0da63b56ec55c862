"""The as-renovated layer (issue 12 item 5): the register's realised measures applied to the
twin, never proposed again, and the register against a coach's overrides."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tests.renovate import hand_dwellings
from wijkreno.errors import InputError
from wijkreno.params.models.renovation import load_catalogue, load_renovation_params
from wijkreno.renovate.applicability import measure_options
from wijkreno.renovate.overrides import apply_overrides
from wijkreno.renovate.trajectories import plan_trajectories
from wijkreno.twin.renovated import APPLIED_COLUMNS, apply_register, register_conflicts


def _register(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"renovation_id": i + 1, "nis_code": "99001", "adres_id": a,
                          "dwelling_id": None, "measure": m, "completed_on": d,
                          "upload_id": "u1"} for i, (a, m, d) in enumerate(rows)])


def test_register_measures_set_the_state_after_the_works():
    dw = hand_dwellings({}, {}, {"heating_system": "oil_boiler"}, {},
                        index=pd.Index([7, 3, 11, 5]))  # non-default index survives
    dw["nis_code"] = "99001"
    reg = _register(("adr-0", "roof_insulation", "2023-04-18"),
                    ("adr-1", "cavity_fill", "2023-09-12"),
                    ("adr-2", "heat_pump_air_water_lt", "2024-02-20"),
                    ("adr-3", "heat_pump_boiler", "2022-01-05"))
    out, applied = apply_register(dw, reg)
    assert list(out.index) == [7, 3, 11, 5] and dw["u_roof_w_per_m2k"].eq(1.9).all()
    cat, ren = load_catalogue(), load_renovation_params()
    r_roof = cat.measures["roof_insulation"].r_added_m2k_per_w.value
    assert out.loc[7, "u_roof_w_per_m2k"] == pytest.approx(1 / (1 / 1.9 + r_roof))
    assert out.loc[7, "u_roof_w_per_m2k_source"] == "observed"
    assert out.loc[7, "done_roof_year"] == 2023 and np.isnan(out.loc[3, "done_roof_year"])
    assert out.loc[7, "done_roof_date"] == "2023-04-18"
    assert out.loc[7, "done_roof_origin"] == "register"
    r_wall = cat.measures["cavity_fill"].r_added_m2k_per_w.value
    assert out.loc[3, "u_wall_w_per_m2k"] == pytest.approx(1 / (1 / 1.7 + r_wall))
    assert out.loc[11, "heating_system"] == "heat_pump_air_water"
    assert out.loc[11, "heating_system_source"] == "observed"
    lt = ren.applicability.heating.options["heat_pump_air_water_lt"]
    assert out.loc[11, "emitter_temperature_degc"] == lt.emitter_temperature_degc.value
    assert out.loc[11, "done_heating_year"] == 2024
    assert out.loc[5, "dhw_system"] == "heat_pump_boiler"
    assert out.loc[5, "done_solar_water_heater_year"] == 2022  # the hot-water dimension
    # untouched values stay the twin's
    assert out.loc[3, "u_roof_w_per_m2k"] == 1.9 and out.loc[7, "heating_system"] == "gas_boiler"
    assert list(applied.columns) == list(APPLIED_COLUMNS)
    assert (applied["status"] == "applied").all()
    assert list(applied["dwelling_id"]) == ["D0", "D1", "D2", "D3"]


def test_a_registered_measure_is_never_proposed_again():
    dw = hand_dwellings({}, {}, {"heating_system": "oil_boiler"})
    reg = _register(("adr-0", "roof_insulation", "2023-04-18"),
                    ("adr-1", "external_insulation", "2023-09-12"),
                    ("adr-2", "heat_pump_air_water", "2024-02-20"))
    out, _ = apply_register(dw, reg)
    options = measure_options(out)
    assert not options.applicable["roof"][0, 1:].any()
    assert not options.applicable["wall"][1, 1:].any()
    assert not options.applicable["heating"][2, 1:].any()
    steps, summary = plan_trajectories(out, options)
    dims = steps.groupby("row")["dimension"].agg(set)
    assert "roof" not in dims.get(0, set())
    assert "wall" not in dims.get(1, set())
    assert "heating" not in dims.get(2, set())
    # the same dwellings without the register would get those measures
    base_steps, _ = plan_trajectories(dw)
    base = base_steps.groupby("row")["dimension"].agg(set)
    assert "roof" in base[0] and "heating" in base[2]
    # the heat pump is the heating there now: a fossil-free end state
    assert summary["final_heating_system"].iloc[2] == "heat_pump_air_water"


def test_latest_measure_wins_and_every_row_has_a_status():
    dw = hand_dwellings({}, {})
    dw["nis_code"] = "99001"
    reg = _register(("adr-0", "hybrid_heat_pump", "2022-03-01"),
                    ("adr-0", "heat_pump_air_water", "2024-05-01"),
                    ("adr-9", "roof_insulation", "2023-01-01"),
                    ("adr-1", "solar_panels_on_the_moon", "2023-01-01"),
                    ("adr-1", "floor_insulation", "2026-01-01"))
    reg.loc[4, "nis_code"] = "99001"
    out, applied = apply_register(dw, reg, as_of=dt.date(2025, 12, 31))
    assert out.loc[0, "heating_system"] == "heat_pump_air_water"
    assert out.loc[0, "done_heating_measure"] == "heat_pump_air_water"
    assert list(applied["status"]) == ["superseded", "applied", "unmatched", "unknown_measure",
                                       "later"]
    assert "later" in applied.loc[0, "reason"]
    assert applied.loc[2, "reason"] == "address not in the twin"
    assert "done_floor_year" not in out.columns  # the later measure does not count yet
    other = reg.iloc[[1]].assign(nis_code="12345")
    _, a = apply_register(dw, other)
    assert a["status"].iloc[0] == "unmatched" and "municipality" in a["reason"].iloc[0]
    with pytest.raises(InputError, match="register list renovations"):
        apply_register(dw, reg.drop(columns="completed_on"))


def test_coach_and_register_agree_or_conflict_and_the_register_wins():
    dw = hand_dwellings({}, {}, {})
    reg = _register(("adr-0", "heat_pump_air_water", "2024-02-20"),
                    ("adr-1", "roof_insulation", "2023-04-18"),
                    ("adr-2", "roof_insulation", "2023-04-18"))
    out, _ = apply_register(dw, reg)
    coach = pd.DataFrame({"adres_id": ["adr-0", "adr-1", "adr-2"],
                          "heating_system": ["gas_boiler", None, None],
                          "roof_insulated_year": [None, 2015, 2023],
                          "income_category": [2, 2, 2]})
    kept, conflicts = register_conflicts(out, coach)
    assert list(conflicts["status"]) == ["conflict", "conflict", "agrees"]
    first = conflicts.iloc[0]
    assert (first["register_value"], first["coach_value"]) == ("heat_pump_air_water",
                                                               "gas_boiler")
    assert first["register_measure"] == "heat_pump_air_water"
    assert first["register_date"] == "2024-02-20" and first["resolution"] == "register"
    # the register's dimensions leave the overrides; the rest stays
    assert kept["heating_system"].isna().all() and kept["roof_insulated_year"].isna().all()
    assert list(kept["income_category"]) == [2, 2, 2]
    planned, changes = apply_overrides(out, kept)
    assert planned.loc[0, "heating_system"] == "heat_pump_air_water"
    # no double insulation: the roof stays at the register's U
    assert planned.loc[2, "u_roof_w_per_m2k"] == out.loc[2, "u_roof_w_per_m2k"]
    # without the register's layer nothing is a conflict
    same, none = register_conflicts(dw, coach)
    assert none.empty and same["heating_system"].iloc[0] == "gas_boiler"


def test_a_building_wide_measure_counts_for_every_dwelling_of_the_building():
    dw = hand_dwellings({"gebouw_id": "A1"}, {"gebouw_id": "A1"}, {"gebouw_id": "B2"})
    reg = pd.DataFrame({"renovation_id": [7, 8], "adres_id": [None, None],
                        "gebouw_id": ["A1", "Z9"], "measure": ["roof_insulation"] * 2,
                        "completed_on": ["2023-06-01"] * 2, "n_units": [2, 4]})
    out, applied = apply_register(dw, reg)
    assert list(out["done_roof_year"].fillna(0)) == [2023, 2023, 0]
    assert list(applied["status"]) == ["applied", "applied", "unmatched"]
    assert list(applied["renovation_id"]) == [7, 7, 8]
    assert applied["reason"].iloc[2] == "gebouw_id Z9 is not in the twin"


def test_registered_pv_is_sized_as_the_options_size_it():
    """The register's PV gets the kWp the options would have offered, whatever tells the roof
    shape: ``roof_flat`` (True, False, missing) or, where that is unknown, the geometry (a roof
    no larger than the ground floor is flat)."""
    cat, ren = load_catalogue(), load_renovation_params()
    rule = ren.applicability.pv
    assert rule.suitable_roof_frac_flat.value != rule.suitable_roof_frac_pitched.value
    pv = next(name for name, m in cat.measures.items() if m.dimension == "pv")
    shapes = ({"roof_area_m2": 60.0}, {}, {"roof_flat": True}, {"roof_flat": False},
              {"roof_area_m2": 60.0, "roof_flat": None})
    for with_flag in (False, True):
        rows = [dict(s) for s in shapes if with_flag or "roof_flat" not in s]
        dw = hand_dwellings(*rows)
        if with_flag:
            dw["roof_flat"] = dw["roof_flat"].astype("boolean")
        reg = _register(*((f"adr-{k}", pv, "2024-05-01") for k in range(len(dw))))
        options = measure_options(dw)
        k = options.option_names["pv"].index(pv)
        offered = options.effect["pv"]["pv_kwp"][:, k]
        out, _ = apply_register(dw, reg)
        np.testing.assert_allclose(out["pv_kwp"].to_numpy(dtype=float), offered)
        assert offered[0] != offered[1]  # a flat and a pitched roof of the twin differ


def test_an_address_of_several_dwellings_is_not_guessed():
    """A register row whose adres_id two dwellings of the twin share stays unmatched, with
    why; its dwelling_id, where given, still finds the dwelling."""
    dw = hand_dwellings({}, {}, {})
    dw.loc[1, "adres_id"] = "adr-0"
    reg = _register(("adr-0", "roof_insulation", "2023-04-18"),
                    ("adr-2", "roof_insulation", "2023-04-18"),
                    ("adr-0", "cavity_fill", "2023-04-18"),
                    ("adr-9", "roof_insulation", "2023-04-18"))
    reg.loc[2, "dwelling_id"] = "D1"
    out, applied = apply_register(dw, reg)
    assert list(applied["status"]) == ["unmatched", "applied", "applied", "unmatched"]
    assert applied.loc[0, "reason"] == "adres_id adr-0 matches 2 dwellings of the twin"
    assert applied.loc[3, "reason"] == "address not in the twin"
    assert list(applied["dwelling_id"])[1:3] == ["D2", "D1"]
    assert np.isnan(out.loc[0, "done_roof_year"]) and out.loc[2, "done_roof_year"] == 2023
    assert out.loc[1, "done_wall_year"] == 2023
