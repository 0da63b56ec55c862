"""Statbel readers: layouts, NIS filtering, clear errors."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from tests.conftest import shared_data
from wijkreno.errors import CRSError, InputError
from wijkreno.io.statbel import read_gebouwenpark, read_sector_hierarchy, read_sectors


def test_gebouwenpark_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_gebouwenpark(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_gebouwenpark(empty)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="CD_REFNIS"):
        read_gebouwenpark(wrong)
    ok = tmp_path / "ok.csv"
    ok.write_text("CD_YEAR,CD_REFNIS,CD_STAT_TYPE,CD_BUILDING_TYPE,MS_VALUE\n"
                  "2025,13002,T1,R1,186.0\n2025,1001,T1,R1,\n")
    table = read_gebouwenpark(ok)
    assert list(table["nis_code"]) == ["13002", "01001"]
    with pytest.raises(InputError, match="no rows for NIS code 71016"):
        read_gebouwenpark(ok, nis_code="71016")


def test_gebouwenpark_real_table():
    path = shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv")
    baarle = read_gebouwenpark(path, nis_code="13002")
    t1 = baarle[baarle["stat_type"] == "T1"].set_index("building_type")["count"]
    assert t1.sum() == 1389


def test_sectors_layouts_and_crs(tmp_path):
    frame = gpd.GeoDataFrame(
        {"CD_SECTOR": ["99001A00-"], "TX_SECTOR_DESCR_NL": ["Centrum"],
         "CD_MUNTY_REFNIS": ["99001"], "TX_MUNTY_DESCR_NL": ["Demowijk"]},
        geometry=[shapely.box(0, 0, 100, 100)], crs=31370,
    )
    path = tmp_path / "sectors.gpkg"
    frame.to_crs(3812).to_file(path)
    sectors = read_sectors(path)
    assert sectors.crs.to_epsg() == 31370
    assert list(sectors.columns) == ["sector_code", "sector_name", "nis_code",
                                     "municipality_name", "geometry"]
    assert sectors.geometry.iloc[0].area == pytest.approx(10_000, rel=1e-3)
    nocrs = tmp_path / "nocrs.shp"  # a shapefile without .prj (GeoJSON always means 4326)
    frame.set_crs(None, allow_override=True).to_file(nocrs)
    with pytest.raises(CRSError, match="31370"):
        read_sectors(nocrs)
    other = tmp_path / "other.gpkg"
    frame.rename(columns={"CD_SECTOR": "code"}).to_file(other)
    with pytest.raises(InputError, match="CD_SECTOR"):
        read_sectors(other)


def test_real_wijken_and_hierarchy():
    wijken = read_sectors(shared_data("flanders_wijken_ggw7", "ggw7_wijken.gpkg"))
    assert len(wijken) == 2767
    assert {"wijk_code", "wijk_name"} <= set(wijken.columns)
    hier = read_sector_hierarchy(shared_data("flanders_wijken_ggw7", "statsec_hierarchy_2025.csv"))
    assert hier["sector_code"].str.len().eq(9).all()
    assert (hier["nis_code"] == "13002").any()
