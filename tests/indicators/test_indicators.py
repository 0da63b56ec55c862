"""LEKP indicators from a register: counting rules, time rules, projection, savings.

Every register test runs twice: on a small in-memory stand-in with the interface's read methods
(kept here so the indicators are tested independently of the register's storage), and on the
real ``wijkreno.register`` on an in-memory SQLite database.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from tests.demo_summary import build_demo_twin
from wijkreno.errors import InputError
from wijkreno.indicators import (
    campaign_projection,
    compute_indicators,
    count_renovations,
    municipality_targets,
    realised_savings,
)
from wijkreno.indicators.indicators import linear_path
from wijkreno.indicators.savings import REASON_NOT_IN_TWIN, REASON_NOT_MODELLED

NIS = "12002"
AS_OF = dt.date(2024, 12, 31)

COLUMNS = {
    "renovations": ("renovation_id", "nis_code", "adres_id", "dwelling_id", "measure",
                    "completed_on", "collective_project", "fossil_free", "premium_eur",
                    "upload_id", "created_by"),
    "klimaattafels": ("klimaattafel_id", "nis_code", "held_on", "name",
                      "invited_housing_units", "street", "upload_id"),
    "trajectories": ("trajectory_id", "nis_code", "adres_id", "dwelling_id", "delivered_on",
                     "upload_id"),
    "participative_pv": ("pv_id", "nis_code", "project", "kwp", "commissioned_on",
                         "n_participants", "upload_id"),
    "wvc_milestones": ("milestone_id", "nis_code", "contract", "milestone", "reached_on",
                       "includes_collective_renovation", "upload_id"),
}
DEFAULTS = {"fossil_free": False, "includes_collective_renovation": False}


class StandInRegister:
    """In-memory stand-in with the read methods and ``add`` of ``wijkreno.register.Register``."""

    def __init__(self) -> None:
        self._tables = {k: pd.DataFrame(columns=list(c)) for k, c in COLUMNS.items()}
        self._ids = itertools.count(1)

    def add(self, kind, rows, *, user, upload_id=None):
        rows = rows.copy()
        cols = COLUMNS[kind]
        ids = [next(self._ids) for _ in range(len(rows))]
        rows[cols[0]] = ids
        rows["upload_id"] = upload_id
        if "created_by" in cols:
            rows["created_by"] = user
        for c in cols:
            if c not in rows.columns:
                rows[c] = DEFAULTS.get(c)
        for c in DEFAULTS:
            if c in rows.columns:
                rows[c] = rows[c].fillna(DEFAULTS[c]).astype(bool)
        frame = rows[list(cols)]
        old = self._tables[kind]
        self._tables[kind] = frame if old.empty else pd.concat([old, frame], ignore_index=True)
        return ids

    def _read(self, kind, nis_code):
        t = self._tables[kind]
        return t if nis_code is None else t[t["nis_code"] == nis_code].reset_index(drop=True)

    def renovations(self, nis_code=None):
        return self._read("renovations", nis_code)

    def klimaattafels(self, nis_code=None):
        return self._read("klimaattafels", nis_code)

    def trajectories_delivered(self, nis_code=None):
        return self._read("trajectories", nis_code)

    def participative_pv(self, nis_code=None):
        return self._read("participative_pv", nis_code)

    def wvc_milestones(self, nis_code=None):
        return self._read("wvc_milestones", nis_code)


@pytest.fixture(params=["stand-in", "real"])
def register(request):
    if request.param == "stand-in":
        return StandInRegister()
    store = pytest.importorskip("wijkreno.register")
    return store.open_register("sqlite:///:memory:")


def add(register, kind, rows: list[dict]) -> None:
    frame = pd.DataFrame([{"nis_code": NIS, **r} for r in rows])
    register.add(kind, frame, user="test", upload_id=None)


def renovation(adres, measure, date, project="Buren Kerkstraat", fossil_free=False):
    return {"adres_id": adres, "measure": measure, "completed_on": date,
            "collective_project": project, "fossil_free": fossil_free}


@pytest.fixture(scope="module")
def targets():
    return municipality_targets(nis_code=NIS, inhabitants=11949, households=4426,
                                housing_units=5440, pact="2.1")


def ind(register, targets, **kw):
    kw.setdefault("as_of", AS_OF)
    return compute_indicators(register, targets, nis_code=NIS, **kw).set_index(
        ["goal_id", "year"])


def realised(table, goal, year):
    return float(table.loc[(goal, year), "realised_cumulative"])


# --------------------------------------------------------------------------------------------
# counting rules


def test_empty_register_gives_zero(register, targets):
    t = ind(register, targets)
    assert realised(t, "collective_renovations", 2024) == 0
    assert np.isnan(realised(t, "collective_renovations", 2025))  # after as_of
    assert set(t.index.get_level_values("year")) == set(range(2021, 2031))
    # the register has a charging-point table (issue 13); the stand-in has none
    assert (t.loc["charging_points", "computable"] == hasattr(register, "charging_points")).all()
    assert t.loc["collective_renovations", "computable"].all()


@pytest.mark.parametrize(("rule", "expected"), [("vvsg_measure", 2), ("per_dwelling", 1)])
def test_collective_renovation_with_two_measures(register, targets, rule, expected):
    before = ind(register, targets, counting_rule=rule)
    add(register, "renovations", [renovation("A1", "roof_insulation", dt.date(2023, 5, 2)),
                                  renovation("A1", "hr_glazing", dt.date(2023, 6, 1))])
    after = ind(register, targets, counting_rule=rule)
    diff = (after["realised_cumulative"] - before["realised_cumulative"]).fillna(0)
    assert diff.loc[("collective_renovations", 2022)] == 0
    assert diff.loc[("collective_renovations", 2023)] == expected
    assert diff.loc[("collective_renovations", 2024)] == expected
    assert after.loc[("collective_renovations", 2023), "realised_in_year"] == expected
    # nothing else moved: exactly the collective goal changed
    others = diff.drop(index="collective_renovations", level="goal_id")
    assert (others == 0).all()


def test_non_collective_and_pv_do_not_count(register, targets):
    add(register, "renovations", [
        renovation("B1", "roof_insulation", dt.date(2022, 3, 1), project=None),
        renovation("B2", "pv", dt.date(2022, 3, 1)),
    ])
    t = ind(register, targets)
    assert realised(t, "collective_renovations", 2024) == 0
    assert realised(t, "collective_renovations_fossil_free", 2024) == 0


def test_fossil_free_share(register, targets):
    add(register, "renovations", [
        renovation("C1", "roof_insulation", dt.date(2022, 3, 1)),
        renovation("C1", "heat_pump_air_water", dt.date(2022, 9, 1), fossil_free=True),
        renovation("C2", "heat_pump_ground", dt.date(2023, 9, 1), fossil_free=True),
        renovation("C3", "cavity_fill", dt.date(2023, 9, 1)),
    ])
    t = ind(register, targets)
    total = realised(t, "collective_renovations", 2024)
    ff = realised(t, "collective_renovations_fossil_free", 2024)
    assert (total, ff) == (4, 2)
    assert ff / total == 0.5
    assert t.loc[("collective_renovations_fossil_free", 2024), "share_achieved_frac"] == (
        pytest.approx(2 / 136))
    t = ind(register, targets, counting_rule="per_dwelling")
    assert realised(t, "collective_renovations", 2024) == 3
    assert realised(t, "collective_renovations_fossil_free", 2024) == 2


def test_renovations_after_as_of_ignored(register, targets):
    add(register, "renovations", [renovation("D1", "floor_insulation", dt.date(2025, 2, 1))])
    t = ind(register, targets)
    assert realised(t, "collective_renovations", 2024) == 0
    t = ind(register, targets, as_of=dt.date(2025, 3, 1))
    assert realised(t, "collective_renovations", 2025) == 1


def test_other_goals_count(register, targets):
    add(register, "klimaattafels", [
        {"held_on": dt.date(2023, 3, 1), "name": "Kerkstraat", "invited_housing_units": 120},
        {"held_on": dt.date(2024, 3, 1), "name": "Dorp", "invited_housing_units": 80},
    ])
    add(register, "trajectories", [
        {"adres_id": "E1", "delivered_on": dt.date(2024, 1, 5)},
        {"adres_id": "E1", "delivered_on": dt.date(2024, 6, 5)},
        {"adres_id": "E2", "delivered_on": dt.date(2025, 6, 5)},
    ])
    add(register, "participative_pv", [
        {"project": "Zonnedak school", "kwp": 50.0, "commissioned_on": dt.date(2022, 5, 1),
         "n_participants": 40},
        {"project": "Zonnedak sporthal", "kwp": 120.5, "commissioned_on": dt.date(2024, 5, 1),
         "n_participants": 90},
    ])
    add(register, "wvc_milestones", [
        {"contract": "WVC Centrum", "milestone": "approved", "reached_on": dt.date(2024, 2, 1),
         "includes_collective_renovation": True},
        {"contract": "WVC Centrum", "milestone": "signed", "reached_on": dt.date(2024, 9, 1),
         "includes_collective_renovation": True},
        {"contract": "WVC Station", "milestone": "signed", "reached_on": dt.date(2024, 9, 1),
         "includes_collective_renovation": False},
    ])
    t = ind(register, targets)
    assert realised(t, "klimaattafels", 2023) == 120
    assert realised(t, "klimaattafels", 2024) == 200
    assert t.loc["klimaattafels"].index.max() == 2024  # deadline end 2024
    assert realised(t, "renovation_trajectories", 2024) == 1
    assert realised(t, "renovation_trajectories", 2025) != realised(  # 2025 is after as_of
        t, "renovation_trajectories", 2025)
    assert realised(t, "participative_pv_kwp", 2023) == 50
    assert realised(t, "participative_pv_kwp", 2024) == pytest.approx(170.5)
    assert realised(t, "wijkverbeteringscontract", 2023) == 0
    assert realised(t, "wijkverbeteringscontract", 2024) == 1
    assert bool(t.loc[("wijkverbeteringscontract", 2024), "on_track"])


def test_count_renovations_rules():
    r = pd.DataFrame([renovation("F1", "roof_insulation", "2022-01-01"),
                      renovation("F1", "hr_glazing", "2023-01-01"),
                      renovation("F2", "roof_insulation", "2023-01-01", project="")])
    r["dwelling_id"] = None
    v = count_renovations(r, rule="vvsg_measure")
    assert v.set_index("year")["count"].to_dict() == {2022: 1, 2023: 1}
    d = count_renovations(r, rule="per_dwelling")
    assert d.set_index("year")["count"].to_dict() == {2022: 1}
    with pytest.raises(InputError, match="counting rule"):
        count_renovations(r, rule="per_street")


# --------------------------------------------------------------------------------------------
# time rules: target path, trend, projection


def _three_years(register):
    rows = []
    for year, n in ((2022, 10), (2023, 20), (2024, 30)):
        rows += [renovation(f"G{year}-{i}", "roof_insulation", dt.date(year, 6, 1))
                 for i in range(n)]
    add(register, "renovations", rows)


def test_trend_and_projection_without_scenario(register, targets):
    _three_years(register)
    t = ind(register, targets).loc["collective_renovations"]
    assert t.loc[2024, "realised_cumulative"] == 60
    assert t["trend_per_year"].iloc[0] == 20  # mean of 10, 20, 30
    left = (dt.date(2030, 12, 31) - AS_OF).days / 365.25
    assert t["projected_at_deadline"].iloc[0] == pytest.approx(60 + 20 * left)
    assert t.loc[2030, "projected_cumulative"] == pytest.approx(60 + 20 * left)
    assert (t["projection_basis"] == "trend").all()
    # linear path from 2021-01-01 to 2030-12-31; 60 lies below the path at the end of 2024
    path = linear_path(272, dt.date(2021, 1, 1), dt.date(2030, 12, 31), AS_OF)
    assert t.loc[2024, "target_path"] == pytest.approx(272 * 1461 / 3652)
    assert t.loc[2024, "target_path"] == pytest.approx(path)
    assert not t.loc[2024, "on_track"]
    assert bool(t.loc[2022, "on_track"]) is (10 >= 272 * 730 / 3652)


def test_trend_ignores_incomplete_year(register, targets):
    _three_years(register)
    t = ind(register, targets, as_of=dt.date(2024, 6, 30)).loc["collective_renovations"]
    assert t["trend_per_year"].iloc[0] == pytest.approx((0 + 10 + 20) / 3)  # 2021-2023


def test_projection_with_planned_campaign(register, targets):
    _three_years(register)
    plan = pd.DataFrame({"year": np.arange(2024, 2031), "renovation_equivalents": 10.0,
                         "fossil_free_equivalents": 4.0})
    t = ind(register, targets, projection=plan)
    c = t.loc["collective_renovations"]
    assert c["projected_at_deadline"].iloc[0] == 60 + 6 * 10  # 2025-2030, not 2024
    assert c.loc[2026, "projected_cumulative"] == 80
    assert (c["projection_basis"] == "scenario").all()
    f = t.loc["collective_renovations_fossil_free"]
    assert f["projected_at_deadline"].iloc[0] == 0 + 6 * 4
    # the projection only concerns renovation goals
    assert (t.loc["participative_pv_kwp", "projection_basis"] == "trend").all()


def test_own_buildings_computable_when_given(register, targets):
    own = pd.DataFrame({"year": [2015, 2021, 2022, 2023, 2024],
                        "co2_kg_co2": [1000.0, 900.0, 800.0, 700.0, 600.0],
                        "primary_energy_kwh": [5e6, 4.9e6, 4.8e6, 4.5e6, 4.2e6]})
    t = ind(register, targets)
    assert not t.loc["own_buildings_co2", "computable"].any()
    t = ind(register, targets, own_buildings=own)
    co2 = t.loc["own_buildings_co2"]
    assert co2.loc[2024, "realised_cumulative"] == pytest.approx(0.4)
    assert co2.loc[2024, "share_achieved_frac"] == pytest.approx(0.4 / 0.55)
    assert co2["trend_per_year"].iloc[0] == pytest.approx(0.1)  # 2022-2024 steps of 0.1
    pe = t.loc["own_buildings_primary_energy"]  # base year 2023 (LEKP 2.1)
    assert pe.loc[2024, "realised_cumulative"] == pytest.approx(1 - 4.2 / 4.5)


def test_bad_arguments(register, targets):
    with pytest.raises(InputError, match="counting rule"):
        ind(register, targets, counting_rule="nope")
    with pytest.raises(InputError, match="targets lack"):
        compute_indicators(register, targets.drop(columns=["register_kind"]), nis_code=NIS,
                           as_of=AS_OF)


# --------------------------------------------------------------------------------------------
# the twin: savings and campaign projection


@pytest.fixture(scope="module")
def dwellings(tmp_path_factory):
    twin, _ = build_demo_twin(tmp_path_factory.mktemp("demo"))
    return twin.dwellings


@pytest.fixture(scope="module")
def roof_candidates(dwellings):
    from wijkreno.renovate.applicability import measure_options

    o = measure_options(dwellings)
    k = o.option_names["roof"].index("roof_insulation")
    idx = np.flatnonzero(o.applicable["roof"][:, k])
    return dwellings.iloc[idx[:3]]


def test_savings_positive_for_insulation(dwellings, roof_candidates):
    a, b = roof_candidates["adres_id"].iloc[0], roof_candidates["adres_id"].iloc[1]
    reg = pd.DataFrame([
        {"renovation_id": 1, "adres_id": a, "dwelling_id": None, "measure": "roof_insulation",
         "completed_on": dt.date(2022, 3, 1)},
        {"renovation_id": 2, "adres_id": a, "dwelling_id": None, "measure": "hr_glazing",
         "completed_on": dt.date(2023, 3, 1)},
        {"renovation_id": 3, "adres_id": "no-such-address", "dwelling_id": None,
         "measure": "roof_insulation", "completed_on": dt.date(2022, 1, 1)},
        # a measure outside the renovation catalogue (the heat-pump boiler joined it, issue 12)
        {"renovation_id": 4, "adres_id": b, "dwelling_id": None, "measure": "gutter_replacement",
         "completed_on": dt.date(2022, 1, 1)},
    ])
    s = realised_savings(reg, dwellings)
    rows = s.by_dwelling_year.set_index("year")
    assert list(rows.index) == [2022, 2023]
    assert rows.loc[2023, "measures"] == "roof_insulation,hr_glazing"
    for col in ("co2_saved_flemish_kg_co2", "co2_saved_com_kg_co2", "energy_saved_kwh",
                "primary_energy_saved_kwh"):
        assert rows.loc[2022, col] > 0
        assert rows.loc[2023, col] > rows.loc[2022, col]  # glazing adds to the roof
    # both factor sets differ (gas 0.23 vs 0.202 kg/kWh) where the dwelling burns gas
    assert rows.loc[2022, "co2_saved_flemish_kg_co2"] != rows.loc[2022, "co2_saved_com_kg_co2"]
    reasons = s.unmatched.set_index("renovation_id")["reason"]
    assert reasons[3] == REASON_NOT_IN_TWIN
    assert reasons[4] == REASON_NOT_MODELLED
    cum = s.cumulative_by_year([2021, 2022, 2023, 2024]).set_index("year")
    assert cum.loc[2021, "energy_saved_kwh"] == 0
    assert cum.loc[2024, "energy_saved_kwh"] == pytest.approx(rows.loc[2023, "energy_saved_kwh"])


def test_savings_match_engine_by_hand(dwellings, roof_candidates):
    """The saving equals a by-hand engine run with the option's U-value."""
    from wijkreno.renovate.applicability import measure_options
    from wijkreno.simulate.engine import simulate_dwellings

    one = roof_candidates.iloc[[2]]
    reg = pd.DataFrame([{"adres_id": one["adres_id"].iloc[0], "measure": "roof_insulation",
                         "completed_on": dt.date(2022, 3, 1)}])
    s = realised_savings(reg, dwellings, basis="standardised").by_dwelling_year
    o = measure_options(one)
    k = o.option_names["roof"].index("roof_insulation")
    after = one.copy()
    after["u_roof_w_per_m2k"] = o.effect["roof"]["u_roof_w_per_m2k"][0, k]
    b, a = simulate_dwellings(one), simulate_dwellings(after)
    expected = float(b["co2_com_kg_co2"].iloc[0] - a["co2_com_kg_co2"].iloc[0])
    assert s["co2_saved_com_kg_co2"].iloc[0] == pytest.approx(expected)
    assert (s["basis"] == "standardised").all()
    # default: expected real use before and after (each state with its own prebound ratio)
    from wijkreno.simulate.basis import accounts_on_basis
    from wijkreno.simulate.expected import expected_use

    e = realised_savings(reg, dwellings).by_dwelling_year
    acc = [accounts_on_basis(pd.concat([r, expected_use(r)], axis=1), "expected")
           for r in (b, a)]
    by_hand = float(acc[0]["co2_com_kg_co2"].iloc[0] - acc[1]["co2_com_kg_co2"].iloc[0])
    assert e["co2_saved_com_kg_co2"].iloc[0] == pytest.approx(by_hand)
    assert (e["basis"] == "expected").all()
    assert 0 < by_hand < expected  # the prebound effect: less to save than the EPC says
    with pytest.raises(InputError, match="calibrated"):
        realised_savings(reg, dwellings, basis="calibrated")


def test_indicators_carry_savings(register, targets, dwellings, roof_candidates):
    a = roof_candidates["adres_id"].iloc[0]
    add(register, "renovations", [renovation(a, "roof_insulation", dt.date(2023, 4, 1)),
                                  renovation("not-in-twin", "cavity_fill", dt.date(2023, 4, 1))])
    t = ind(register, targets, dwellings=dwellings).loc["collective_renovations"]
    assert t.loc[2022, "co2_saved_flemish_kg_co2"] == 0
    assert t.loc[2023, "co2_saved_flemish_kg_co2"] > 0
    assert t.loc[2023, "co2_saved_com_kg_co2"] > 0
    assert t.loc[2024, "energy_saved_kwh"] == t.loc[2023, "energy_saved_kwh"]
    assert np.isnan(t.loc[2025, "energy_saved_kwh"])
    assert t.loc[2024, "realised_cumulative"] == 2  # the unknown address still counts


def test_campaign_projection(dwellings):
    p = campaign_projection(dwellings, "ambitious")
    assert p["year"].min() == 2025 and p["year"].max() == 2050
    assert p.loc[p["year"] < 2027, "n_campaign_renovations"].sum() == 0  # campaign from 2027
    assert p["n_campaign_renovations"].sum() > 0
    eq = p["equivalents_per_renovation"].iloc[0]
    assert eq >= 1
    assert np.allclose(p["renovation_equivalents"], p["n_campaign_renovations"] * eq)
    assert (p["fossil_free_equivalents"] <= p["renovation_equivalents"] + 1e-9).all()
    d = campaign_projection(dwellings, "ambitious", counting_rule="per_dwelling")
    assert np.allclose(d["renovation_equivalents"], d["n_campaign_renovations"])
    # with trajectory steps: only countable measures count (PV does not)
    steps = pd.DataFrame({"dwelling_id": np.repeat(dwellings["dwelling_id"].to_numpy(), 2),
                          "measure": np.tile(["roof_insulation", "pv"], len(dwellings))})
    s = campaign_projection(dwellings, "ambitious", steps=steps)
    assert np.allclose(s["renovation_equivalents"], s["n_campaign_renovations"])
    assert (s["fossil_free_equivalents"] == 0).all()


def test_baseline_has_no_campaign(dwellings):
    p = campaign_projection(dwellings, "baseline")
    assert (p["renovation_equivalents"] == 0).all()


# --------------------------------------------------------------------------------------------
# CLI


def test_cli_indicators(tmp_path, dwellings, roof_candidates):
    import typer
    from typer.testing import CliRunner

    from wijkreno.cli.indicators import indicators
    from wijkreno.io.twin_store import write_table
    from wijkreno.twin.schema import DWELLINGS

    store = pytest.importorskip("wijkreno.register")
    nis = str(dwellings["nis_code"].iloc[0])
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    reg = store.open_register(url)
    a = roof_candidates["adres_id"].iloc[0]
    reg.add("renovations", pd.DataFrame([
        {"nis_code": nis, **renovation(a, "roof_insulation", dt.date(2023, 4, 1))},
        {"nis_code": nis, **renovation(a, "hr_glazing", dt.date(2023, 5, 1))},
        {"nis_code": nis, **renovation("elders", "cavity_fill", dt.date(2024, 5, 1))},
    ]), user="test")
    twin = tmp_path / "twin"
    twin.mkdir()
    write_table(dwellings, twin / "dwellings.parquet", DWELLINGS)
    app = typer.Typer()
    app.command()(indicators)
    out = tmp_path / "out"
    args = ["--nis", nis, "--inhabitants", "2000", "--households", "900", "--housing-units",
            "1000", "--register", url, "--as-of", "2024-12-31", "--twin", str(twin),
            "--scenario", "ambitious", "-o", str(out)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "LEKP-indicatoren op 2024-12-31" in res.output
    t = pd.read_csv(out / "targets.csv").set_index("goal_id")
    assert t.loc["collective_renovations", "target"] == 50
    i = pd.read_parquet(out / "indicators.parquet").set_index(["goal_id", "year"])
    assert i.loc[("collective_renovations", 2024), "realised_cumulative"] == 3
    assert i.loc[("collective_renovations", 2024), "co2_saved_flemish_kg_co2"] > 0
    assert (i.loc["collective_renovations", "projection_basis"] == "scenario").all()
    unmatched = pd.read_csv(out / "savings_unmatched.csv")
    assert unmatched["adres_id"].tolist() == ["elders"]
    assert (out / "projection.csv").exists()
    # bad input: exit 2 with a message
    res = CliRunner().invoke(app, [*args[:6], "--register", url, "-o", str(out)])
    assert res.exit_code == 2
    assert "--statbel" in res.output
