"""Real data: the twin of Baarle-Hertog (NIS 13002) against Statbel's 2025 building stock."""

from __future__ import annotations

import pytest

from tests.conftest import shared_data
from wijkreno.pipeline import TwinInputs, build_twin_from_files

STATBEL_13002 = {"R1": 186, "R2": 394, "R3": 482, "R4": 58, "R5": 54, "R6": 215}


@pytest.fixture(scope="module")
def baarle():
    inputs = TwinInputs(
        buildings=shared_data("baarle_hertog_buildings", "baarle_hertog_gebouwen.gpkg"),
        nis_code="13002",
        gebouwenpark=shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv"),
        # the extract is a bounding-box cut of the register around the enclaves and reaches
        # into the neighbouring municipality: clip to Baarle-Hertog's wijken
        boundary=shared_data("flanders_wijken_ggw7", "ggw7_wijken.gpkg"),
        # residential gas connections bound gas heating per wijk (issue 11)
        fluvius=shared_data("fluvius_verbruik_statsec"),
        sector_hierarchy=shared_data("flanders_wijken_ggw7", "statsec_hierarchy_2025.csv"),
        seed=0,
    )
    return build_twin_from_files(inputs)


def test_every_footprint_accounted_for(baarle):
    row = baarle.quality["inputs"].set_index("input").loc["buildings"]
    assert row["n_in"] == 4141
    assert row["n_kept"] + row["n_rejected"] == 4141
    assert len(baarle.buildings) == row["n_kept"]
    reasons = baarle.rejected["reason"]
    assert len(baarle.rejected) == row["n_rejected"]
    assert reasons.str.contains("outside NIS 13002").sum() > 1000
    # every rejected row names a distinct row of the file
    assert baarle.rejected["row"].is_unique
    assert baarle.rejected["row"].between(0, 4140).all()


def test_main_buildings_versus_annexes(baarle):
    b = baarle.buildings
    main = b[b["building_role"] == "main"]
    total = sum(STATBEL_13002.values())
    # the register holds 4,141 objects for Statbel's 1,389 buildings
    assert abs(len(main) - total) / total < 0.15
    annexes = b[b["building_role"] == "annex"]
    # attached annexes are linked to their main building; free-standing sheds need parcel data
    linked = annexes["main_gebouw_id"].notna()
    assert linked.sum() > 200
    assert (main["annex_wall_length_m"] > 0).sum() >= linked.sum() * 0.5
    assert set(annexes.loc[annexes["main_gebouw_id"].notna(), "main_gebouw_id"]) <= set(
        main["gebouw_id"])


def test_house_typologies_not_doubled(baarle):
    t = baarle.quality["typology"].set_index("typology")["twin_buildings"]
    # geometric typologies against Statbel, with R5 (houses with a shop) spread over houses
    assert 0.6 * STATBEL_13002["R1"] <= t["terraced"] <= 1.6 * STATBEL_13002["R1"]
    assert 0.6 * STATBEL_13002["R2"] <= t["semi_detached"] <= 1.4 * STATBEL_13002["R2"]
    assert 0.6 * STATBEL_13002["R3"] <= t["detached"] <= 1.4 * STATBEL_13002["R3"]


def test_periods_follow_statbel(baarle):
    p = baarle.quality["periods"]
    for typ, group in p.groupby("typology"):
        twin = group["twin_buildings"].to_numpy()
        statbel = group["statbel_buildings"].to_numpy()
        if twin.sum() == 0:
            continue
        share_twin = twin / twin.sum()
        share_statbel = statbel / statbel.sum()
        # largest-remainder allocation: each period's share within one building of Statbel's
        assert (abs(share_twin - share_statbel) <= 1.0 / twin.sum() + 1e-9).all(), typ


def test_dwellings_plausible(baarle):
    d = baarle.dwellings
    statbel_dwellings = 192 + 396 + 485 + 289 + 53 + 17  # T8, 1 Jan 2025
    assert 0.75 * statbel_dwellings <= len(d) <= 1.35 * statbel_dwellings
    assert (d["heated_floor_area_m2"] > 20).mean() > 0.95
    assert d["construction_year_source"].eq("imputed").all()


def test_enclaves_get_no_gas_boilers(baarle):
    # Fluvius: zero residential gas connections in the wijk of the enclaves (13002W01:
    # sectors A000, A012, A023, A091) in 2018-2021; gas only in Zondereigen and Ginhoven-Gel
    d = baarle.dwellings
    gas = d["heating_system"].astype(str).isin(
        ["gas_boiler", "gas_condensing_boiler", "hybrid_heat_pump"])
    g = baarle.quality["gas_heating"].set_index("area")
    assert g.loc["13002W01", "gas_connections"] == 0
    assert g.loc["13002W01", "gas_heated_dwellings"] == 0
    assert g.loc["13002W01", "dwellings"] > 0.9 * len(d)
    assert not gas.any()
    assert (d["heating_system_evidence"] == "fluvius_gas_connections").all()
    assert (g["gas_heated_dwellings"] <= 1.05 * g["gas_connections"]).all()


def test_large_footprints_are_not_apartment_buildings(baarle):
    # without heights or addresses the 58 largest footprints (716-5,372 m2, farm buildings)
    # used to become the apartment buildings, holding 41 % of the heated floor area
    b = baarle.buildings
    main = b[b["building_role"] == "main"]
    limit = 500.0  # twin.toml large_footprint_without_addresses
    apartments = main[main["typology"] == "apartment_building"]
    assert len(apartments) > 0 and (apartments["footprint_area_m2"] <= limit).all()
    large = main[main["footprint_area_m2"] > limit]
    assert len(large) > 50
    assert (large["typology"] == "non_residential").all()
    assert large["typology_reason"].str.contains("zonder adressen").all()
    share = apartments["heated_floor_area_m2"].sum() / main.loc[
        main["typology"] != "non_residential", "heated_floor_area_m2"].sum()
    assert share < 0.25


def test_quality_report_compares_dwellings_with_statbel_t8(baarle):
    t = baarle.quality["dwellings"].set_index("typology")
    assert t.loc["total", "statbel_dwellings"] == 192 + 396 + 485 + 289 + 53 + 17
    assert t.loc["apartment_building", "statbel_dwellings"] == 289
    assert {"twin_dwellings", "ratio", "disagrees", "note"} <= set(t.columns)
    # the twin gives no dwellings to non-residential buildings, Statbel counts 70 in R5+R6
    assert t.loc["non_residential", "disagrees"]
    assert "verschillen" in t.loc["non_residential", "note"]
