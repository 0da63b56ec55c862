"""Tests of the footprint and address loaders (wijkreno.io.sources).

Fixture files are written into tmp_path by each test; nothing binary is committed.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from tests.conftest import shared_data
from wijkreno.errors import CRSError, InputError
from wijkreno.io import sources
from wijkreno.io.sources import (
    LoadResult,
    clean_addresses,
    clean_buildings,
    read_addresses,
    read_buildings,
)
from wijkreno.twin.schema import REJECTED_COLUMNS

URI = "https://data.vlaanderen.be/id/gebouw/"


def square(x: float, y: float, size: float = 10.0) -> shapely.Polygon:
    return shapely.box(x, y, x + size, y + size)


def register_frame(geoms, ids=None, status=None, crs=31370) -> gpd.GeoDataFrame:
    """A frame in the Gebouwenregister download layout."""
    n = len(geoms)
    ids = list(range(5811158, 5811158 + n)) if ids is None else ids
    return gpd.GeoDataFrame(
        {
            "id": [URI + str(i) for i in ids],
            "gebouwid": np.asarray(ids, dtype=np.int64),
            "versieid": ["2023-05-12T14:33:10+02:00"] * n,
            "geommet": ["IngemetenGRB"] * n,
            "status": status or ["Gerealiseerd"] * n,
        },
        geometry=gpd.GeoSeries(geoms, crs=crs),
        crs=crs,
    )


def reason_keys(result: LoadResult) -> list[str]:
    return result.rejected["reason"].str.split(":", n=1).str[0].tolist()


def check_accounting(result: LoadResult) -> None:
    assert result.n_in == len(result.frame) + len(result.rejected)
    assert list(result.rejected.columns) == list(REJECTED_COLUMNS)
    assert isinstance(result.frame.index, pd.RangeIndex)
    assert result.frame.crs.to_epsg() == 31370
    rows = result.rejected["row"].to_numpy()
    assert len(set(rows)) == len(rows) and (rows >= 0).all() and (rows < result.n_in).all()


# ---------------------------------------------------------------------------------------------
# layouts and renaming


def test_gebouwenregister_gpkg_renamed_with_string_ids(tmp_path: Path) -> None:
    frame = register_frame([square(0, 0), square(20, 0), square(40, 0)],
                           status=["Gerealiseerd", "InAanbouw", "gerealiseerd"])
    path = tmp_path / "Gebouw.gpkg"
    frame.to_file(path, layer="Gebouw", engine="pyogrio")
    result = read_buildings(path)
    check_accounting(result)
    out = result.frame
    assert out.attrs["source_layout"] == "gebouwenregister"
    assert list(out.columns) == ["gebouw_id", "building_status", "geometry_method", "geometry"]
    assert out["gebouw_id"].tolist() == ["5811158", "5811159", "5811160"]
    assert pd.api.types.is_string_dtype(out["gebouw_id"])
    assert out["building_status"].tolist() == ["realized", "under_construction", "realized"]
    assert out["geometry_method"].tolist() == ["IngemetenGRB"] * 3
    assert out.geometry.area.tolist() == pytest.approx([100.0] * 3)


def test_grb_gbg_uppercase_fields(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"UIDN": [11, 12], "OIDN": [4711, 4712], "VERSIE": [1, 3], "TYPE": [1, 2],
         "LBLTYPE": ["hoofdgebouw", "bijgebouw"], "OPNDATUM": ["2019-03-01", "2019-03-01"]},
        geometry=[square(0, 0), square(10, 0, 3)], crs=31370,
    )
    path = tmp_path / "Gbg.shp"
    frame.to_file(path, engine="pyogrio")
    out = read_buildings(path).frame
    assert out.attrs["source_layout"] == "grb_gbg"
    assert out["gebouw_id"].tolist() == ["4711", "4712"]
    assert out["grb_type"].tolist() == ["1", "2"]
    assert out["grb_type_label"].tolist() == ["hoofdgebouw", "bijgebouw"]
    assert out["building_status"].isna().all()


def test_ids_kept_as_exact_strings() -> None:
    # int64 beyond float precision, floats that are whole numbers, leading zeros, URIs
    big = 2**53 + 1
    frame = gpd.GeoDataFrame(
        {"gebouw_id": [str(big), "007", URI + "16016358", " 42 "]},
        geometry=[square(0, 0), square(20, 0), square(40, 0), square(60, 0)], crs=31370,
    )
    assert clean_buildings(frame).frame["gebouw_id"].tolist() == [
        str(big), "007", "16016358", "42"]
    ints = register_frame([square(0, 0)], ids=[big])
    assert clean_buildings(ints).frame["gebouw_id"].tolist() == [str(big)]
    floats = gpd.GeoDataFrame({"gebouw_id": [5811158.0, 17.0]},
                              geometry=[square(0, 0), square(20, 0)], crs=31370)
    assert clean_buildings(floats).frame["gebouw_id"].tolist() == ["5811158", "17"]


def test_house_layout_with_heights_and_years() -> None:
    frame = gpd.GeoDataFrame(
        {"gebouw_id": ["a", "b", "c", "d", "e"], "height_m": [-1.0, 250.0, 10.0, np.nan, 200.0],
         "construction_year": [1930, 1960, 2015, None, 1990]},
        geometry=[square(20 * i, 0) for i in range(5)], crs=31370,
    )
    result = clean_buildings(frame)
    check_accounting(result)
    assert result.frame["gebouw_id"].tolist() == ["c", "d", "e"]
    assert result.frame["height_m"].tolist()[0] == 10.0
    assert np.isnan(result.frame["height_m"].tolist()[1])
    assert result.frame["construction_year"].astype("float").tolist()[::2] == [2015.0, 1990.0]
    assert reason_keys(result) == ["height_out_of_range"] * 2
    assert result.rejected["row"].tolist() == [0, 1]


def test_unknown_columns_list_found_and_expected(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"naam": ["x"], "hoogte": [3.0]}, geometry=[square(0, 0)],
                             crs=31370)
    path = tmp_path / "odd.gpkg"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(InputError) as exc:
        read_buildings(path)
    message = str(exc.value)
    assert "naam" in message and "hoogte" in message  # what was found
    assert "gebouwid" in message and "oidn" in message  # what was expected


def test_multilayer_gpkg_picks_the_layer_with_a_known_layout(tmp_path: Path) -> None:
    path = tmp_path / "extract.gpkg"
    gpd.GeoDataFrame({"remark": ["metadata"]}, geometry=[shapely.Point(0, 0)],
                     crs=31370).to_file(path, layer="Metadata", engine="pyogrio")
    register_frame([square(0, 0)]).to_file(path, layer="Gebouw", engine="pyogrio")
    assert read_buildings(path).frame["gebouw_id"].tolist() == ["5811158"]
    with pytest.raises(InputError, match="no layer 'Perceel'"):
        read_buildings(path, layer="Perceel")


def test_zipped_extract_with_several_shapefiles(tmp_path: Path) -> None:
    """The register downloads are zips of several shapefiles: each reader finds its layer."""
    register_frame([square(0, 0)]).to_file(tmp_path / "Gebouw.shp", engine="pyogrio")
    gpd.GeoDataFrame({"adresid": [300001], "huisnr": ["5"], "busnr": [None],
                      "postcode": ["2999"], "status": ["Voorgesteld"]},
                     geometry=[shapely.Point(5, 5)], crs=31370).to_file(
        tmp_path / "Adres.shp", engine="pyogrio")
    bundle = tmp_path / "extract.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for part in sorted(tmp_path.glob("*.*")):
            if part.stem in ("Gebouw", "Adres"):
                zf.write(part, part.name)
    assert read_buildings(bundle).frame["gebouw_id"].tolist() == ["5811158"]
    addresses = read_addresses(bundle).frame
    assert addresses["adres_id"].tolist() == ["300001"]
    assert addresses["address_status"].tolist() == ["proposed"]


# ---------------------------------------------------------------------------------------------
# file-level errors and CRS


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.gpkg"
    with pytest.raises(InputError, match=re.escape(str(path))):
        read_buildings(path)
    with pytest.raises(InputError, match="does not exist"):
        read_addresses(tmp_path / "nope.csv")


def test_empty_files(tmp_path: Path) -> None:
    zero = tmp_path / "zero.gpkg"
    zero.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_buildings(zero)
    no_rows = tmp_path / "no_rows.gpkg"
    register_frame([square(0, 0)]).iloc[:0].to_file(no_rows, layer="Gebouw", engine="pyogrio")
    with pytest.raises(InputError, match="no rows"):
        read_buildings(no_rows)
    header_only = tmp_path / "header.csv"
    header_only.write_text("address_id,house_number,postcode,streetname_nl,EPSG:31370_x,"
                           "EPSG:31370_y\n", encoding="utf-8")
    with pytest.raises(InputError, match="no rows"):
        read_addresses(header_only)


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"this is not a geopackage" * 20)
    with pytest.raises(InputError, match="cannot read"):
        read_buildings(path)
    csv = tmp_path / "gebouwen.csv"
    csv.write_text("gebouwid,status\n1,Gerealiseerd\n", encoding="utf-8")
    with pytest.raises(InputError, match="spatial file"):
        read_buildings(csv)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_raises_and_says_how_to_declare(tmp_path: Path) -> None:
    path = tmp_path / "Gebouw.shp"
    register_frame([square(150000, 200000)], crs=None).to_file(path, engine="pyogrio")
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(CRSError) as exc:
        read_buildings(path)
    assert "crs=" in str(exc.value) and ".prj" in str(exc.value)
    declared = read_buildings(path, crs=31370)
    assert declared.frame.crs.to_epsg() == 31370
    assert declared.frame.geometry.area.iloc[0] == pytest.approx(100.0)


def test_conflicting_crs_declaration(tmp_path: Path) -> None:
    path = tmp_path / "Gebouw.gpkg"
    register_frame([square(150000, 200000)]).to_file(path, engine="pyogrio")
    with pytest.raises(CRSError, match="3812"):
        read_buildings(path, crs=3812)


def test_lambert2008_is_reprojected(tmp_path: Path) -> None:
    lambert72 = register_frame([square(150000, 200000, 12), square(150012, 200000, 12)])
    path = tmp_path / "Gebouw_3812.gpkg"
    lambert72.to_crs(3812).to_file(path, engine="pyogrio")
    out = read_buildings(path).frame
    assert out.crs.to_epsg() == 31370
    # the same transformation back and forth: millimetres
    assert shapely.hausdorff_distance(out.geometry.to_numpy(),
                                      lambert72.geometry.to_numpy()).max() < 0.005
    assert out.geometry.area.tolist() == pytest.approx([144.0, 144.0], abs=0.01)


def test_wgs84_geojson_is_reprojected(tmp_path: Path) -> None:
    lambert72 = register_frame([square(150000, 200000, 12)])
    path = tmp_path / "gebouwen.geojson"
    lambert72.to_crs(4326).to_file(path, driver="GeoJSON", engine="pyogrio")
    out = read_buildings(path).frame
    assert out.crs.to_epsg() == 31370
    # GeoJSON keeps 7 decimals of a degree, about 1 cm
    assert shapely.hausdorff_distance(out.geometry.iloc[0], lambert72.geometry.iloc[0]) < 0.05


# ---------------------------------------------------------------------------------------------
# row-level problems


def test_invalid_and_empty_geometries() -> None:
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # repairable: 2 triangles
    spike = shapely.Polygon([(20, 0), (25, 0), (25, -3), (25, 0), (30, 0), (30, 10), (20, 10)])
    collapsed = shapely.Polygon([(40, 0), (45, 0), (50, 0), (40, 0)])  # no area at all
    geoms = [bowtie, spike, collapsed, None, shapely.Polygon(),
             shapely.LineString([(0, 0), (5, 5)]), square(60, 0)]
    assert not shapely.is_valid(bowtie) and not shapely.is_valid(spike)
    result = clean_buildings(register_frame(geoms))
    check_accounting(result)
    kept = result.frame
    assert kept["gebouw_id"].tolist() == ["5811158", "5811159", "5811164"]
    assert shapely.is_valid(kept.geometry.to_numpy()).all()
    assert kept.geometry.area.tolist() == pytest.approx([50.0, 100.0, 100.0])
    assert kept.geom_type.tolist() == ["MultiPolygon", "Polygon", "Polygon"]
    assert reason_keys(result) == ["invalid_geometry", "no_geometry", "no_geometry",
                                   "not_polygon"]
    assert result.rejected["row"].tolist() == [2, 3, 4, 5]
    assert "LineString" in result.rejected["reason"].iloc[3]
    assert result.rejected["wkt"].iloc[3].startswith("LINESTRING")
    assert pd.isna(result.rejected["wkt"].iloc[1])


def test_mixed_geometries_from_file(tmp_path: Path) -> None:
    geoms = [square(0, 0), None, shapely.Point(3, 3), square(20, 0, 0.5)]
    path = tmp_path / "mixed.gpkg"
    register_frame(geoms).to_file(path, engine="pyogrio")
    result = read_buildings(path)
    check_accounting(result)
    assert reason_keys(result) == ["no_geometry", "not_polygon", "small_area"]


def test_slivers_under_one_square_metre() -> None:
    geoms = [shapely.box(0, 0, 0.05, 10), shapely.box(10, 0, 11, 1), shapely.box(20, 0, 20.999, 1)]
    result = clean_buildings(register_frame(geoms))
    assert result.frame["gebouw_id"].tolist() == ["5811159"]  # exactly 1 m² is kept
    assert reason_keys(result) == ["small_area", "small_area"]
    assert "0.50 m²" in result.rejected["reason"].iloc[0]


def test_duplicates_keep_the_first_usable_row() -> None:
    geoms = [square(0, 0), square(20, 0), square(40, 0), None, square(60, 0), square(80, 0)]
    ids = [1, 2, 1, 3, 3, 2]
    result = clean_buildings(register_frame(geoms, ids=ids))
    check_accounting(result)
    assert result.frame["gebouw_id"].tolist() == ["1", "2", "3"]
    # the first row of id 3 has no geometry: the second one is the first usable and is kept
    assert result.frame.geometry.iloc[2].equals(square(60, 0))
    assert result.rejected["row"].tolist() == [2, 3, 5]
    assert reason_keys(result) == ["duplicate_id", "no_geometry", "duplicate_id"]
    assert "already at row 0" in result.rejected["reason"].iloc[0]
    assert "already at row 1" in result.rejected["reason"].iloc[2]
    assert result.rejected["id"].tolist() == ["1", "3", "2"]


def test_demolished_and_planned_buildings() -> None:
    frame = register_frame([square(0, 0), square(20, 0), square(40, 0), square(60, 0)],
                           status=["Gerealiseerd", "Gehistoreerd", "Gepland", "NietGerealiseerd"])
    result = clean_buildings(frame)
    assert result.frame["gebouw_id"].tolist() == ["5811158"]
    assert reason_keys(result) == ["not_existing"] * 3
    everything = clean_buildings(frame, existing_only=False)
    assert everything.frame["building_status"].tolist() == [
        "realized", "retired", "planned", "not_realized"]


def test_index_of_the_input_frame_is_irrelevant() -> None:
    geoms = [square(0, 0), None, square(20, 0), square(40, 0, 0.3), square(60, 0)]
    frame = register_frame(geoms, ids=[1, 2, 3, 4, 1])
    odd = frame.set_axis(pd.Index([40, 7, "x", 3, 40]))
    a, b = clean_buildings(frame), clean_buildings(odd)
    pd.testing.assert_frame_equal(a.rejected, b.rejected)
    assert a.frame["gebouw_id"].tolist() == b.frame["gebouw_id"].tolist() == ["1", "3"]
    assert isinstance(b.frame.index, pd.RangeIndex)
    assert b.rejected["row"].tolist() == [1, 3, 4]


def test_frame_without_crs_is_refused() -> None:
    with pytest.raises(CRSError, match="crs=31370"):
        clean_buildings(register_frame([square(0, 0)], crs=None))


_KINDS = st.sampled_from(["ok", "ok", "ok", "sliver", "none", "empty", "line", "bowtie"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_KINDS, st.integers(0, 8)), min_size=1, max_size=25))
def test_every_row_is_kept_or_rejected_once(rows: list[tuple[str, int]]) -> None:
    make = {
        "ok": lambda i: square(20 * i, 0),
        "sliver": lambda i: shapely.box(20 * i, 0, 20 * i + 0.1, 1),
        "none": lambda i: None,
        "empty": lambda i: shapely.Polygon(),
        "line": lambda i: shapely.LineString([(20 * i, 0), (20 * i + 5, 5)]),
        "bowtie": lambda i: shapely.Polygon([(20 * i, 0), (20 * i + 10, 10), (20 * i + 10, 0),
                                             (20 * i, 10)]),
    }
    geoms = [make[kind](i) for i, (kind, _) in enumerate(rows)]
    ids = [k for _, k in rows]
    result = clean_buildings(register_frame(geoms, ids=ids))
    check_accounting(result)
    kept = result.frame["gebouw_id"]
    assert not kept.duplicated().any()
    usable = [str(k) for kind, k in rows if kind in ("ok", "bowtie")]
    assert sorted(kept) == sorted(set(usable))
    assert shapely.is_valid(result.frame.geometry.to_numpy()).all()


# ---------------------------------------------------------------------------------------------
# addresses

BEST_HEADER = ("EPSG:31370_x,EPSG:31370_y,EPSG:4326_lat,EPSG:4326_lon,address_id,box_number,"
               "house_number,municipality_id,municipality_name_de,municipality_name_fr,"
               "municipality_name_nl,postcode,postname_fr,postname_nl,street_id,streetname_de,"
               "streetname_fr,streetname_nl,region_code,status")


def best_row(x: str, y: str, address_id: str, box: str, number: str, status: str) -> str:
    return (f"{x},{y},51.0,4.3,{address_id},{box},{number},11002,,Anvers,Antwerpen,2018,,"
            f"Antwerpen,12,,,Kerkstraat,BE-VLG,{status}")


def test_best_address_csv(tmp_path: Path) -> None:
    path = tmp_path / "openaddress-bevlg.csv"
    lines = [BEST_HEADER,
             best_row("152000.12300", "212000.45600", "2000001", "", "12A", "current"),
             best_row("152010.00000", "212000.00000", "2000002", "1.10", "14", "proposed"),
             best_row("0.00000", "0.00000", "2000003", "", "16", "current"),
             best_row("", "", "2000004", "", "18", "retired"),
             best_row("152030.00000", "212000.00000", "2000002", "2", "14", "current")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_addresses(path)
    check_accounting(result)
    out = result.frame
    assert out.attrs["source_layout"] == "best_address"
    assert out["adres_id"].tolist() == ["2000001", "2000002"]
    assert out["house_number"].tolist() == ["12A", "14"]
    # id 2000002 twice: the current row (box 2, last in the file) is kept, the proposed one
    # is reported (issue 14: never keep a retired or proposed row over the current one)
    assert out["box_number"].iloc[1] == "2" and pd.isna(out["box_number"].iloc[0])
    assert out["postcode"].tolist() == ["2018", "2018"]
    assert out["nis_code"].tolist() == ["11002", "11002"]
    assert out["street"].tolist() == ["Kerkstraat", "Kerkstraat"]
    assert out["address_status"].tolist() == ["current", "current"]
    dup = result.rejected[result.rejected["reason"].str.startswith("duplicate_id")]
    assert dup["row"].tolist() == [1] and "kept as the current one" in dup["reason"].iloc[0]
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == (152000.123, 212000.456)
    assert reason_keys(result) == ["duplicate_id", "no_coordinates", "no_coordinates"]


def test_best_csv_in_lambert2008_and_wgs84(tmp_path: Path) -> None:
    p72 = shapely.Point(152000.0, 212000.0)
    p08 = shapely.Point(Transformer.from_crs(31370, 3812, always_xy=True).transform(p72.x, p72.y))
    pll = shapely.Point(Transformer.from_crs(31370, 4326, always_xy=True).transform(p72.x, p72.y))
    a = tmp_path / "a.csv"
    a.write_text(f"EPSG:3812_x,EPSG:3812_y,address_id,house_number,postcode,streetname_nl\n"
                 f"{p08.x:.3f},{p08.y:.3f},1,1,2000,Lei\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text(f"address_id,house_number,postcode,streetname_nl,EPSG:4326_lat,EPSG:4326_lon\n"
                 f"1,1,2000,Lei,{pll.y:.8f},{pll.x:.8f}\n", encoding="utf-8")
    assert read_addresses(a).frame.geometry.iloc[0].distance(p72) < 0.01
    assert read_addresses(b).frame.geometry.iloc[0].distance(p72) < 0.01
    with pytest.raises(CRSError, match="contradicts"):
        read_addresses(a, crs=31370)


def test_csv_with_other_coordinate_columns_needs_columns_and_crs(tmp_path: Path) -> None:
    path = tmp_path / "adressen.csv"
    path.write_text("adresid;straatnm;huisnr;busnr;postcode;gemeenteid;status;x;y\n"
                    "300001;Dorpsstraat;5;;2999;99001;InGebruik;150000,25;200000,5\n"
                    "300002;Dorpsstraat;7;0.1;2999;99001;Gehistoreerd;150010;200000\n",
                    encoding="utf-8")
    # x/y (the Adressenregister CSV's names) are recognised; their CRS must be given, and the
    # message names the option the CLI has (issue 14)
    with pytest.raises(CRSError, match="--addresses-crs 31370"):
        read_addresses(path)
    assert len(read_addresses(path, crs=31370).frame) == 2
    with pytest.raises(CRSError, match="crs=31370"):
        read_addresses(path, x_column="x", y_column="y")
    with pytest.raises(InputError, match="both"):
        read_addresses(path, x_column="x")
    out = read_addresses(path, x_column="x", y_column="y", crs=31370).frame
    assert out.attrs["source_layout"] == "adressenregister"
    assert out["address_status"].tolist() == ["current", "retired"]
    assert out["box_number"].iloc[1] == "0.1"
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == (150000.25, 200000.5)


def test_adressenregister_extract_from_the_rest_sample(tmp_path: Path) -> None:
    """An Adres.shp row built from the real REST response of address 900746 (Gent)."""
    sample = json.loads(shared_data("basisregisters_api_samples", "rest_v2", "adres.json")
                        .read_text(encoding="utf-8"))
    gml = sample["adresPositie"]["geometrie"]["gml"]
    x, y = map(float, re.search(r"<gml:pos>(.*?)</gml:pos>", gml).group(1).split())
    frame = gpd.GeoDataFrame({
        "id": [sample["identificator"]["id"]],
        "adresid": [int(sample["identificator"]["objectId"])],
        "straatnmid": [sample["straatnaam"]["objectId"]],
        "straatnm": [sample["straatnaam"]["straatnaam"]["geografischeNaam"]["spelling"]],
        "huisnr": [sample["huisnummer"]],
        "busnr": [sample.get("busnummer")],
        "postcode": [sample["postinfo"]["objectId"]],
        "gemeenteid": [sample["gemeente"]["objectId"]],
        "status": [sample["adresStatus"]],
        "posspec": [sample["adresPositie"]["positieSpecificatie"]],
        "posgeommet": [sample["adresPositie"]["positieGeometrieMethode"]],
    }, geometry=[shapely.Point(x, y)], crs=31370)
    path = tmp_path / "Adres.shp"
    frame.to_file(path, engine="pyogrio")
    out = read_addresses(path).frame
    row = out.iloc[0]
    assert (row["adres_id"], row["street"], row["house_number"]) == ("900746", "Sint-Jansvest",
                                                                     "50")
    assert (row["postcode"], row["nis_code"], row["address_status"]) == ("9000", "44021",
                                                                         "current")
    assert pd.isna(row["box_number"])
    assert row["position_specification"] == "perceel"
    assert (row.geometry.x, row.geometry.y) == (105052.34, 193542.11)


def test_address_geometry_problems() -> None:
    frame = gpd.GeoDataFrame(
        {"adres_id": ["1", "2", "3", None, "5"], "address_status": ["current"] * 5},
        geometry=[shapely.Point(1, 1), shapely.LineString([(0, 0), (1, 1)]),
                  shapely.MultiPoint([(5, 5)]), shapely.Point(2, 2), shapely.Point()],
        crs=31370,
    ).set_axis(pd.Index([9, 8, 7, 6, 5]))
    result = clean_addresses(frame)
    check_accounting(result)
    assert result.frame["adres_id"].tolist() == ["1", "3"]
    assert result.frame.geom_type.tolist() == ["Point", "Point"]
    assert reason_keys(result) == ["not_point", "missing_id", "no_coordinates"]
    assert result.rejected["row"].tolist() == [1, 3, 4]


def test_layer_and_columns_arguments_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("adres_id,x,y\n1,1,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="CSV"):
        read_addresses(path, layer="Adres", x_column="x", y_column="y", crs=31370)
    gpkg = tmp_path / "a.gpkg"
    gpd.GeoDataFrame({"adres_id": ["1"]}, geometry=[shapely.Point(1, 1)],
                     crs=31370).to_file(gpkg, engine="pyogrio")
    with pytest.raises(InputError, match="CSV files"):
        read_addresses(gpkg, x_column="x", y_column="y")


# ---------------------------------------------------------------------------------------------
# real data


@pytest.mark.realdata
def test_baarle_hertog_footprints() -> None:
    path = shared_data("baarle_hertog_buildings", "baarle_hertog_gebouwen.gpkg")
    result = read_buildings(path)
    check_accounting(result)
    assert result.n_in == 4141
    assert result.frame.attrs["source_layout"] == "baarle_extract"
    assert len(result.rejected) == 6
    assert set(reason_keys(result)) == {"small_area"}
    ids = result.frame["gebouw_id"]
    assert ids.str.fullmatch(r"\d+").all() and not ids.duplicated().any()
    assert "16016358" in set(ids)
    assert shapely.is_valid(result.frame.geometry.to_numpy()).all()
    # footprints match the source's own area_m2 (median ≈ 74 m², PROVENANCE.md)
    assert result.frame.geometry.area.median() == pytest.approx(74.0, abs=1.0)


def test_reason_keys_are_documented() -> None:
    assert {"missing_id", "no_geometry", "not_polygon", "invalid_geometry", "small_area",
            "height_out_of_range", "not_existing", "no_coordinates", "not_point",
            "duplicate_id", "large_area"} == set(sources.REJECT_REASONS)
