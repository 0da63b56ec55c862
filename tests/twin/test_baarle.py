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
