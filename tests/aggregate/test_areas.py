"""Aggregation to areas and the priority score: known answers, conservation, weights."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from wijkreno.aggregate.areas import (
    ADDITIVE_COLUMNS,
    aggregate_dwellings,
    assign_areas,
    assign_areas_by_name,
    normalise_name,
)
from wijkreno.aggregate.priority import load_priority_params, normalise, priority_score
from wijkreno.errors import CRSError, InputError

LABELS = ["A+", "A", "B", "C", "D", "E", "F"]


def _table(n: int = 6, index=None) -> gpd.GeoDataFrame:
    """Two sectors: S1 holds dwellings 0-3, S2 holds 4-5."""
    frame = pd.DataFrame({
        "dwelling_id": [f"d{i}" for i in range(n)],
        "sector_code": ["S1", "S1", "S1", "S1", "S2", "S2"][:n],
        "nis_code": "99001",
        "construction_year": [1930, 1960, 1985, 2015, 1950, 1969][:n],
        "construction_year_source": ["imputed", "observed", "imputed", "observed",
                                     "imputed", "imputed"][:n],
        "heating_system_source": ["imputed"] * n,
        "heated_floor_area_m2": [100.0, 120.0, 80.0, 150.0, 90.0, 110.0][:n],
        "epc_score_kwh_per_m2": [520.0, 450.0, 310.0, 90.0, 600.0, 480.0][:n],
        "epc_label": pd.Categorical(["F", "E", "D", "A", "F", "E"][:n], categories=LABELS),
        "primary_energy_kwh": [52000.0, 54000.0, 24800.0, 13500.0, 54000.0, 52800.0][:n],
        "co2_flemish_kg_co2": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0][:n],
        "co2_com_kg_co2": [9.0, 18.0, 27.0, 36.0, 45.0, 54.0][:n],
        "energy_cost_eur": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0][:n],
        "valid": [True] * n,
        "plan_investment_eur": [30000.0, 20000.0, np.nan, np.nan, 40000.0, 10000.0][:n],
        "plan_saving_co2_flemish_kg_co2": [5.0, 6.0, np.nan, np.nan, 7.0, 8.0][:n],
        "group_id": ["g1", "g1", "g2", "g3", "g4", "g4"][:n],
        "group_size": [12, 12, 3, 1, 10, 10][:n],
        "tenure": ["tenant", "owner", None, "owner", "social_tenant", None][:n],
    }, index=index)
    geom = [Point(10 + 10 * i, 10 + (i % 2) * 10) for i in range(4)] + [
        Point(210, 10), Point(220, 30)]
    return gpd.GeoDataFrame(frame, geometry=geom[:n], crs=31370)


def test_known_answers_per_sector():
    agg = aggregate_dwellings(_table(), by="sector_code").set_index("sector_code")
    s1, s2 = agg.loc["S1"], agg.loc["S2"]
    assert s1.n_dwellings == 4 and s2.n_dwellings == 2
    assert (s1.n_label_f, s1.n_label_e, s1.n_label_d, s1.n_label_a) == (1, 1, 1, 1)
    assert s1.label_ef_frac == pytest.approx(0.5)
    assert s2.label_ef_frac == pytest.approx(1.0)
    assert s1.epc_score_mean_kwh_per_m2 == pytest.approx((520 + 450 + 310 + 90) / 4)
    assert s1.epc_score_median_kwh_per_m2 == pytest.approx((450 + 310) / 2)  # pandas' median
    assert s2.epc_score_median_kwh_per_m2 == pytest.approx(540.0)
    assert s1.epc_score_area_weighted_kwh_per_m2 == pytest.approx(
        (52000 + 54000 + 24800 + 13500) / 450)
    # built before 1970 with label E/F: S1 dwellings 0 (1930 F) and 1 (1960 E); S2 both
    assert s1.n_old_ef == 2 and s1.old_ef_frac == pytest.approx(0.5)
    assert s2.old_ef_frac == pytest.approx(1.0)
    # groups of >= 10 (burenpremie): S1 dwellings 0, 1; S2 both
    assert s1.n_collective == 2 and s1.collective_potential_frac == pytest.approx(0.5)
    assert s1.n_collective_groups == 1 and s2.n_collective_groups == 1
    # tenure known for 3 of S1 (1 tenant), 1 of S2 (social tenant)
    assert s1.tenant_frac == pytest.approx(1 / 3) and s2.tenant_frac == pytest.approx(1.0)
    assert s1.plan_investment_eur == pytest.approx(50000.0) and s1.n_plan == 2
    assert s1.plan_saving_co2_flemish_per_dwelling_kg_co2 == pytest.approx(5.5)
    assert s1.co2_flemish_per_dwelling_kg_co2 == pytest.approx(25.0)
    assert s1.imputed_inputs_frac == pytest.approx(1.0)
    assert s1.construction_year_imputed_frac == pytest.approx(0.5)


def test_non_default_index_and_income():
    table = _table(index=pd.Index([50, 40, 30, 20, 10, 0], name="row"))
    income = {"S1": 20000.0, "S2": 30000.0}
    by_sector = aggregate_dwellings(table, by="sector_code", sector_income=income)
    assert by_sector.set_index("sector_code")["income_eur"].to_dict() == pytest.approx(income)
    muni = aggregate_dwellings(table, by="nis_code", sector_income=income)
    # dwelling-weighted: (4 * 20000 + 2 * 30000) / 6
    assert muni["income_eur"].iloc[0] == pytest.approx(140000 / 6)
    assert muni["n_dwellings"].iloc[0] == 6


def test_geometry_from_polygons_or_hull():
    table = _table()
    areas = gpd.GeoDataFrame({"CD_SECTOR": ["S1", "S2", "S3"], "naam": ["Een", "Twee", "Drie"]},
                             geometry=[box(0, 0, 100, 100), box(200, 0, 300, 100),
                                       box(400, 0, 500, 100)], crs=31370)
    agg = aggregate_dwellings(table, by="sector_code", areas=areas).set_index("sector_code")
    assert list(agg.index) == ["S1", "S2"]  # areas without dwellings are left out
    assert agg.loc["S1", "area_name"] == "Een"
    assert agg.loc["S1"].geometry.equals(box(0, 0, 100, 100))
    hull = aggregate_dwellings(table, by="sector_code").set_index("sector_code")
    assert hull.crs.to_epsg() == 31370
    assert hull.loc["S1"].geometry.geom_type == "Polygon"
    pts = table.geometry[table["sector_code"] == "S1"]
    assert hull.loc["S1"].geometry.contains(shapely.union_all(pts.to_numpy())) or all(
        hull.loc["S1"].geometry.intersects(p) for p in pts)
    # two points: a line, buffered into a polygon around both
    assert hull.loc["S2"].geometry.geom_type == "Polygon"
    assert hull.loc["S2"].geometry.contains(Point(210, 10))


def test_missing_key_kept_in_one_row():
    table = _table()
    table.loc[table.index[5], "sector_code"] = None
    agg = aggregate_dwellings(table, by="sector_code")
    assert agg["n_dwellings"].sum() == 6
    assert agg.attrs["n_unassigned"] == 1
    assert agg["sector_code"].isna().sum() == 1


def test_bad_inputs():
    table = _table()
    with pytest.raises(InputError, match="wijk_code"):
        aggregate_dwellings(table, by="wijk_code")
    with pytest.raises(InputError, match="by must be one of"):
        aggregate_dwellings(table, by="street")
    with pytest.raises(CRSError, match="to_crs"):
        aggregate_dwellings(table, by="sector_code", areas=gpd.GeoDataFrame(
            {"sector_code": ["S1"]}, geometry=[box(0, 0, 1, 1)], crs=4326))
    with pytest.raises(InputError, match="one value per dwelling"):
        aggregate_dwellings(table, by="sector_code", weights=[1.0, 2.0])


@st.composite
def _random_tables(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    ints = st.integers(min_value=0, max_value=10**6)
    seed = draw(ints)
    rng = np.random.default_rng(seed)
    codes = np.array(["A", "B", "C", None], dtype=object)[rng.integers(0, 4, n)]
    frame = pd.DataFrame({
        "sector_code": codes,
        "nis_code": "1",
        "construction_year": rng.integers(1900, 2024, n),
        "construction_year_source": rng.choice(["observed", "imputed"], n),
        "heating_system_source": rng.choice(["derived", "imputed"], n),
        "epc_label": rng.choice(LABELS + [None], n),
        "epc_score_kwh_per_m2": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(-20, 800, n)),
        "valid": rng.random(n) < 0.9,
        "tenure": rng.choice(["tenant", "owner", None], n),
        "income_category": rng.choice([1, 2, 3, 4, np.nan], n),
        "group_id": rng.integers(0, 5, n).astype(str),
        "group_size": rng.integers(1, 20, n),
        "plan_reached": rng.random(n) < 0.5,
    })
    for col in ("heated_floor_area_m2", "heating_need_kwh", "final_gas_kwh",
                "primary_energy_kwh", "energy_cost_eur", "co2_flemish_kg_co2",
                "co2_com_kg_co2", "plan_investment_eur", "plan_premium_eur",
                "plan_saving_co2_flemish_kg_co2"):
        values = rng.uniform(0, 1e5, n)
        values[rng.random(n) < 0.1] = np.nan
        frame[col] = values
    weights = rng.uniform(0, 5, n) if draw(st.booleans()) else None
    return frame, weights


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_random_tables())
def test_totals_conserved(case):
    frame, weights = case
    agg = aggregate_dwellings(frame, by="sector_code", weights=weights,
                              collective_min_dwellings=10)
    w = np.ones(len(frame)) if weights is None else weights
    present = [c for c in ADDITIVE_COLUMNS if c in agg.columns]
    assert {"n_dwellings", "n_simulated", "n_label_f", "n_old_ef", "n_tenant", "n_low_income",
            "n_collective", "co2_flemish_kg_co2", "plan_investment_eur"} <= set(present)
    for col in present:
        if col in frame.columns:
            expected = np.nansum(w * frame[col].to_numpy(dtype=float))
            assert agg[col].sum() == pytest.approx(expected, rel=1e-9, abs=1e-6), col
    assert agg["n_dwellings"].sum() == pytest.approx(w.sum())
    labels = sum(agg[f"n_label_{x}"] for x in ("a_plus", "a", "b", "c", "d", "e", "f"))
    assert (labels <= agg["n_simulated"] + 1e-9).all()
    muni = aggregate_dwellings(frame, by="nis_code", weights=weights,
                               collective_min_dwellings=10)
    for col in present:
        assert muni[col].sum() == pytest.approx(agg[col].sum(), rel=1e-9, abs=1e-6), col
    shares = agg[[c for c in agg.columns if c.endswith("_frac")]].to_numpy(dtype=float)
    assert np.nanmin(shares, initial=0) >= 0 and np.nanmax(shares, initial=0) <= 1 + 1e-12


def test_assign_areas_point_in_polygon_and_nearest():
    table = gpd.GeoDataFrame({"dwelling_id": ["a", "b", "c", "d"]},
                             geometry=[Point(50, 50), Point(150, 50), Point(120, 130),
                                       Point(500, 500)], crs=31370, index=[7, 8, 9, 10])
    wijken = gpd.GeoDataFrame({"geoitem": ["W1", "W2"], "naam": ["Noord", "Zuid"]},
                              geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=31370)
    out = assign_areas(table, wijken, "wijk_code", max_distance_m=50)
    assert list(out.index) == [7, 8, 9, 10]
    assert out["wijk_code"].tolist()[:3] == ["W1", "W2", "W2"]  # c is 30 m outside W2
    assert pd.isna(out["wijk_code"].iloc[3])
    assert out["wijk_name"].iloc[0] == "Noord"
    assert out.attrs["n_unassigned"] == 1


def test_name_join_normalises_and_reports():
    assert normalise_name("Oud-Winterslag (Genk)") == normalise_name("OudWinterslag")
    assert normalise_name("Sint-Jözef") == "sintjozef"
    table = pd.DataFrame({"neighbourhood": ["OudWinterslag", "OudWinterslag", "ZwartbergSouth",
                                            "Nowhere", "Winterslag"]})
    wijken = gpd.GeoDataFrame(
        {"geoitem": ["G01", "G02", "G03", "G04"],
         "naam": ["Oud-Winterslag (Genk)", "Zwartberg-Zuid (Genk)", "Winterslag 1 (Genk)",
                  "Winterslag 1"]},
        geometry=[box(0, 0, 1, 1)] * 4, crs=31370)
    out, report = assign_areas_by_name(
        table, wijken, aliases={"ZwartbergSouth": "Zwartberg-Zuid", "Winterslag": "Winterslag 1"})
    assert out["wijk_code"].tolist()[:3] == ["G01", "G01", "G02"]
    assert out["wijk_code"].isna().tolist()[3:] == [True, True]
    rep = report.set_index("source_name")
    assert rep.loc["OudWinterslag", "match"] == "name"
    assert rep.loc["OudWinterslag", "n_dwellings"] == 2
    assert rep.loc["ZwartbergSouth", "match"] == "alias"
    assert rep.loc["Nowhere", "match"] == "unmatched"
    assert rep.loc["Winterslag", "match"] == "ambiguous"  # two wijken normalise the same


# ---------------------------------------------------------------------------------------------
# priority


def _areas() -> pd.DataFrame:
    return pd.DataFrame({
        "sector_code": ["X", "Y", "Z"],
        "label_ef_frac": [0.9, 0.5, 0.1],
        "epc_score_mean_kwh_per_m2": [300.0, 400.0, 500.0],
        "old_ef_frac": [0.2, 0.6, 0.4],
        "collective_potential_frac": [0.0, 0.0, 0.0],
    }, index=[3, 1, 2])


def test_priority_components_normalised_minmax():
    prio = priority_score(_areas())
    assert prio.index.tolist() == [3, 1, 2]
    assert prio["priority_label_ef"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert prio["priority_epc_score"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert prio["priority_energy_poverty"].tolist() == pytest.approx([0.0, 1.0, 0.5])
    assert prio["priority_collective"].tolist() == pytest.approx([0.5, 0.5, 0.5])  # all equal
    assert prio["priority_co2_saving"].isna().all()  # no column: skipped
    assert prio.attrs["priority_skipped"] == ["co2_saving"]
    w = prio.attrs["priority_weights"]
    assert sum(w.values()) == pytest.approx(1.0)
    expected = (w["label_ef"] * np.array([1, 0.5, 0]) + w["epc_score"] * np.array([0, 0.5, 1])
                + w["energy_poverty"] * np.array([0, 1, 0.5]) + w["collective"] * 0.5)
    assert prio["priority_score"].to_numpy() == pytest.approx(expected)
    assert sorted(prio["priority_rank"].tolist()) == [1, 2, 3]


def test_changing_a_weight_changes_the_ranking():
    areas = _areas()
    by_label = priority_score(areas, weights={"label_ef": 1.0, "epc_score": 0.0,
                                              "energy_poverty": 0.0, "collective": 0.0})
    assert by_label["priority_rank"].tolist() == [1, 2, 3]  # X has most E/F
    by_score = priority_score(areas, weights={"label_ef": 0.0, "epc_score": 1.0,
                                              "energy_poverty": 0.0, "collective": 0.0})
    assert by_score["priority_rank"].tolist() == [3, 2, 1]  # Z has the worst mean score
    by_poverty = priority_score(areas, weights={"energy_poverty": 5.0})
    assert by_poverty["priority_rank"].loc[1] == 1  # Y has the most old E/F dwellings


def test_priority_rank_normalisation_and_direction():
    areas = _areas()
    areas["income_eur"] = [10000.0, 50000.0, 20000.0]
    prio = priority_score(areas, weights={"low_income": 1.0}, normalisation="rank")
    assert prio["priority_low_income"].tolist() == pytest.approx([1.0, 0.0, 0.5])  # lower first
    assert normalise(pd.Series([5.0, 5.0]), "rank").tolist() == [0.5, 0.5]


def test_priority_bad_weights():
    with pytest.raises(InputError, match="unknown priority components"):
        priority_score(_areas(), weights={"beauty": 1.0})
    with pytest.raises(InputError, match="all priority weights are 0"):
        priority_score(_areas(), weights={c.name: 0.0 for c in load_priority_params().components})


def test_priority_params_have_sources():
    params = load_priority_params()
    assert params.normalisation in ("minmax", "rank")
    assert all(c.rationale and c.source for c in params.components)
    assert params.proxies.old_before_year == 1970
