"""Tests of the demo neighbourhood generator (wijkreno.demo)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from tests.conftest import shared_data
from wijkreno.demo import DEMO_NIS_CODE, generate_demo
from wijkreno.io.sources import read_addresses, read_buildings

CSV_FILES = ("addresses", "gebouwenpark", "truth", "truth_addresses")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def truth(demo: dict[str, Path]) -> pd.DataFrame:
    return pd.read_csv(demo["truth"], dtype={"gebouw_id": str, "main_gebouw_id": str})


def test_all_files_written(demo: dict[str, Path]) -> None:
    assert set(demo) == {"buildings", "addresses", "dsm", "dtm", "sectors", "gebouwenpark",
                         "truth", "truth_addresses", "register"}
    assert all(p.exists() and p.stat().st_size > 0 for p in demo.values())
    # the register export: one realised measure on each of Kerkstraat 1-3, at real addresses
    register = pd.read_csv(demo["register"], dtype={"adres_id": str})
    addresses = pd.read_csv(demo["addresses"], dtype={"address_id": str, "house_number": str})
    kerk = addresses[addresses["streetname_nl"] == "Kerkstraat"].set_index("address_id")
    assert list(kerk.loc[register["adres_id"], "house_number"]) == ["1", "2", "3"]
    assert list(register["measure"]) == ["roof_insulation", "cavity_fill",
                                         "heat_pump_air_water_lt"]


def test_buildings_read_back_through_the_loader(demo: dict[str, Path],
                                                truth: pd.DataFrame) -> None:
    loaded = read_buildings(demo["buildings"])
    assert loaded.frame.attrs["source_layout"] == "gebouwenregister"
    # the deliberately bad register rows, and nothing else, are refused
    keys = sorted(loaded.rejected["reason"].str.split(":").str[0])
    assert keys == ["duplicate_id", "not_existing", "small_area"]
    assert loaded.n_in == len(truth) + 3
    assert sorted(loaded.frame["gebouw_id"]) == sorted(truth["gebouw_id"])
    assert shapely.is_valid(loaded.frame.geometry.to_numpy()).all()
    # one annex is stored with a spike (invalid) and repaired on reading
    raw = gpd.read_file(demo["buildings"], engine="pyogrio")
    assert (~shapely.is_valid(raw.geometry.to_numpy())).sum() == 1
    assert set(raw.columns) == {"id", "gebouwid", "versieid", "geommet", "status", "geometry"}
    area = loaded.frame.set_index("gebouw_id").geometry.area
    assert np.allclose(area.loc[truth["gebouw_id"]].to_numpy(),
                       truth["footprint_area_m2"].to_numpy(), atol=0.01)


def test_addresses_read_back_through_the_loader(demo: dict[str, Path],
                                                truth: pd.DataFrame) -> None:
    loaded = read_addresses(demo["addresses"])
    addr_truth = pd.read_csv(demo["truth_addresses"], dtype={"adres_id": str, "gebouw_id": str})
    assert loaded.frame.attrs["source_layout"] == "best_address"
    assert len(loaded.rejected) == 0 and len(loaded.frame) == len(addr_truth)
    frame = loaded.frame.set_index("adres_id").loc[addr_truth["adres_id"]]
    # one address per dwelling (plus a school, a retired address and two proposed lots)
    dwellings = addr_truth[addr_truth["is_dwelling"]]
    mains = truth[truth["role"] == "main"]
    assert len(dwellings) == mains["n_dwellings"].sum()
    assert dwellings.groupby("gebouw_id").size().to_dict() == (
        mains[mains["n_dwellings"] > 0].set_index("gebouw_id")["n_dwellings"].to_dict())
    assert set(frame["nis_code"]) == {DEMO_NIS_CODE}
    assert frame["address_status"].value_counts().to_dict() == {
        "current": len(addr_truth) - 3, "proposed": 2, "retired": 1}
    boxes = set(frame["box_number"].dropna())
    assert {"1", "8", "0.1", "1.1", "4.1"} <= boxes
    # addresses that lie in no building are exactly the ones the truth says
    footprints = read_buildings(demo["buildings"]).frame
    inside = footprints.sindex.query(frame.geometry.to_numpy(), predicate="within")[0]
    outside = set(np.setdiff1d(np.arange(len(frame)), inside))
    expected = set(np.flatnonzero(addr_truth["position"].isin(["front_yard", "no_building"])))
    assert outside == expected


def test_ground_truth_is_a_plausible_village(truth: pd.DataFrame) -> None:
    mains = truth[truth["role"] == "main"]
    assert 400 <= len(mains) <= 700
    assert set(mains["typology"]) == {"terraced", "semi_detached", "detached",
                                      "apartment_building", "non_residential"}
    assert (mains["construction_year"] >= 2012).sum() >= 3
    assert mains.loc[mains["kind"] == "apartment_block", "n_dwellings"].tolist() in (
        [8, 12], [12, 8])
    sheds = truth[truth["kind"] == "shed"]
    assert sheds["footprint_area_m2"].between(6.0, 30.0).all()
    houses = mains[mains["kind"].str.endswith("house")]
    assert houses["ridge_height_m"].between(6.0, 10.5).all()
    apartments = mains[mains["kind"] == "apartment_block"]
    assert apartments["height_m"].between(12.0, 16.0).all()
    annex_of = truth.loc[truth["role"] == "annex", "main_gebouw_id"]
    assert annex_of.isin(mains["gebouw_id"]).all()


def test_party_walls_are_shared_boundaries(demo: dict[str, Path],
                                           truth: pd.DataFrame) -> None:
    frame = read_buildings(demo["buildings"]).frame
    roles = truth.set_index("gebouw_id").loc[frame["gebouw_id"], "role"].to_numpy()
    mains = frame.geometry.to_numpy()[roles == "main"]
    left, right = shapely.STRtree(mains).query(mains, predicate="dwithin", distance=0.1)
    pair = left < right
    a, b = mains[left[pair]], mains[right[pair]]
    shared = shapely.length(shapely.intersection(shapely.boundary(a), shapely.boundary(b)))
    gap = shapely.distance(a, b)
    overlap = shapely.area(shapely.intersection(a, b))
    n_walls = truth.loc[truth["role"] == "main", "n_party_walls"].sum() // 2
    exact = (shared > 1.0) & (overlap == 0.0)
    imperfect = (gap > 0.0) | (overlap > 1e-9)
    assert exact.sum() + imperfect.sum() == n_walls == pair.sum()
    assert 1 <= (gap > 0.0).sum() <= 6 and gap.max() <= 0.05
    assert 1 <= (overlap > 1e-9).sum() <= 4
    assert exact.sum() >= 0.95 * n_walls


def test_gebouwenpark_counts_equal_the_truth(demo: dict[str, Path],
                                             truth: pd.DataFrame) -> None:
    park = pd.read_csv(demo["gebouwenpark"], dtype={"CD_REFNIS": str})
    value = park.set_index(["CD_STAT_TYPE", "CD_BUILDING_TYPE"])["MS_VALUE"]
    mains = truth[truth["role"] == "main"]
    by_type = mains.groupby("statbel_type")
    for rtype in ("R1", "R2", "R3", "R4", "R5", "R6"):
        n = int(by_type.size().get(rtype, 0))
        assert value[("T1", rtype)] == n
        assert value[("T8", rtype)] == int(by_type["n_dwellings"].sum().get(rtype, 0))
        periods = ["T3.1", "T3.2", "T3.3", "T3.4", "T3.5", "T3.6", "T3.7", "T3.9"]
        assert sum(value[(p, rtype)] for p in periods) == n
        assert value[("T3.7", rtype)] == sum(value[(f"T3.7.{i}", rtype)] for i in range(1, 5))
    years = mains.loc[mains["statbel_type"] == "R1", "construction_year"]
    assert value[("T3.4", "R1")] == years.between(1946, 1961).sum()
    assert value[("T3.7.4", "R3")] == (
        mains.loc[mains["statbel_type"] == "R3", "construction_year"] >= 2012).sum()
    assert value[("T1", "R1")] == (mains["typology"] == "terraced").sum()
    assert value[("T1", "R4")] == 2 and value[("T8", "R4")] == 20
    assert set(park["CD_REFNIS"]) == {DEMO_NIS_CODE}


@pytest.mark.realdata
def test_gebouwenpark_has_the_layout_of_the_statbel_file(demo: dict[str, Path]) -> None:
    real = pd.read_csv(shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv"),
                       dtype={"CD_REFNIS": str})
    park = pd.read_csv(demo["gebouwenpark"], dtype={"CD_REFNIS": str})
    assert list(park.columns) == list(real.columns)
    one = real[real["CD_REFNIS"] == "13002"]
    assert list(zip(park["CD_STAT_TYPE"], park["CD_BUILDING_TYPE"], strict=True)) == list(
        zip(one["CD_STAT_TYPE"], one["CD_BUILDING_TYPE"], strict=True))
    assert (park["MS_VALUE"].isna().to_numpy() == one["MS_VALUE"].isna().to_numpy()).all()
    assert demo["gebouwenpark"].read_text().splitlines()[1] == "2025,99001,T1,R1," + (
        f"{park['MS_VALUE'].iloc[0]:.1f}")


def test_rasters_are_a_dhm_pair(demo: dict[str, Path], truth: pd.DataFrame) -> None:
    with rasterio.open(demo["dsm"]) as dsm, rasterio.open(demo["dtm"]) as dtm:
        assert dsm.crs.to_epsg() == dtm.crs.to_epsg() == 31370
        assert dsm.transform == dtm.transform and dsm.shape == dtm.shape
        assert dsm.res == (1.0, 1.0) and dsm.nodata == dtm.nodata == -9999.0
        assert dsm.dtypes[0] == dtm.dtypes[0] == "float32"
        surface, terrain = dsm.read(1), dtm.read(1)
        transform = dsm.transform
    valid = terrain != -9999.0
    assert 0 < (~valid).sum() < 100  # a small pond of nodata
    assert (surface[~valid] == -9999.0).all()
    assert 5.0 < terrain[valid].min() and terrain[valid].max() < 25.0
    ndsm = surface - terrain
    assert np.abs(ndsm[valid]).min() < 0.2 and ndsm[valid].max() < 20.0
    # at the centre of each flat-roofed main building, nDSM is its height
    frame = read_buildings(demo["buildings"]).frame.set_index("gebouw_id")
    flat = truth[(truth["role"] == "main") & (truth["roof_shape"] == "flat")]
    centre = shapely.centroid(frame.loc[flat["gebouw_id"]].geometry.to_numpy())
    rows, cols = rasterio.transform.rowcol(transform, shapely.get_x(centre),
                                           shapely.get_y(centre))
    measured = ndsm[np.asarray(rows), np.asarray(cols)]
    assert np.allclose(measured, flat["height_m"].to_numpy(), atol=0.2)


def test_sectors_cover_the_village(demo: dict[str, Path]) -> None:
    sectors = gpd.read_file(demo["sectors"], engine="pyogrio")
    assert {"CD_SECTOR", "TX_SECTOR_DESCR_NL", "CD_MUNTY_REFNIS",
            "TX_MUNTY_DESCR_NL"} <= set(sectors.columns)
    assert 2 <= len(sectors) <= 4 and sectors.crs.to_epsg() == 31370
    assert sectors["CD_SECTOR"].str.fullmatch(r"99001[A-Z]\d\d-").all()
    assert set(sectors["CD_MUNTY_REFNIS"]) == {DEMO_NIS_CODE}
    union = shapely.union_all(sectors.geometry.to_numpy())
    footprints = read_buildings(demo["buildings"]).frame
    assert shapely.contains(union, footprints.geometry.to_numpy()).all()
    assert shapely.area(shapely.intersection(sectors.geometry.iloc[0],
                                             sectors.geometry.iloc[1])) < 1e-6


def test_same_seed_same_files_other_seed_other_village(tmp_path: Path,
                                                       demo: dict[str, Path]) -> None:
    again = generate_demo(tmp_path / "again")
    for key in CSV_FILES:
        assert again[key].read_bytes() == demo[key].read_bytes(), key
    a = gpd.read_file(demo["buildings"], engine="pyogrio")
    b = gpd.read_file(again["buildings"], engine="pyogrio")
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert (shapely.to_wkb(a.geometry.to_numpy()) == shapely.to_wkb(b.geometry.to_numpy())).all()
    with rasterio.open(demo["dsm"]) as x, rasterio.open(again["dsm"]) as y:
        assert np.array_equal(x.read(1), y.read(1))
    other = generate_demo(tmp_path / "other", seed=7)
    assert other["truth"].read_bytes() != demo["truth"].read_bytes()
