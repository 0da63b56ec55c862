"""Tests of wijkreno.io.rasters: building heights from a DSM/DTM pair."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from geopandas import GeoDataFrame, GeoSeries
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pydantic import ValidationError
from rasterio.transform import from_origin

from tests.conftest import shared_data
from wijkreno.errors import CRSError, InputError
from wijkreno.io import rasters
from wijkreno.io.rasters import (
    HEIGHT_COLUMNS,
    HEIGHT_STATUSES,
    HeightParams,
    load_height_params,
    read_building_heights,
)

# ---------------------------------------------------------------------------------------------
# synthetic scene: 100 × 100 cells of 1 m, flat terrain at 10 m TAW
# ---------------------------------------------------------------------------------------------

X0, Y0, SIZE = 150_000.0, 200_100.0, 100  # top-left corner, cells per side
GROUND_M = 10.0
NODATA = -9999.0

# Footprint edges sit 0.2 m off the cell edges so that no cell centre lies exactly on an outline
# (shrunk by 0.5 m: 0.7 m off), which keeps the expected cell sets unambiguous.
FOOTPRINTS = {
    "flat": shapely.box(150_010.2, 200_010.2, 150_022.2, 200_020.2),  # 12 × 10 m, roof 8 m
    "pitched": shapely.box(150_040.2, 200_010.2, 150_050.2, 200_022.2),  # ridge 9 m, eaves 5 m
    "shed": shapely.box(150_060.2, 200_060.2, 150_063.2, 200_063.2),  # 3 × 3 m, 2.5 m
    "spike": shapely.box(150_030.2, 200_060.2, 150_034.2, 200_064.2),  # 250 m: artefact
    "open": shapely.box(150_080.2, 200_010.2, 150_090.2, 200_020.2),  # nothing built
    "nodata": shapely.box(150_072.2, 200_072.2, 150_082.2, 200_082.2),  # all DSM nodata
    "tiny": shapely.box(150_050.2, 200_050.2, 150_051.2, 200_051.2),  # one cell
    "outside": shapely.box(160_000.0, 210_000.0, 160_010.0, 210_010.0),
}
RIDGE_X = 150_045.2  # ridge line of the pitched roof, along y


def _cell_centres() -> tuple[np.ndarray, np.ndarray]:
    xc = X0 + 0.5 + np.arange(SIZE)
    yc = Y0 - 0.5 - np.arange(SIZE)
    return np.meshgrid(xc, yc)


def _inside(box: shapely.Polygon, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = box.bounds
    return (x > x0) & (x < x1) & (y > y0) & (y < y1)


def _scene() -> tuple[np.ndarray, np.ndarray]:
    """DSM and DTM [m]: roof heights at cell centres, DSM nodata in a 20 × 20 m patch."""
    x, y = _cell_centres()
    dtm = np.full((SIZE, SIZE), GROUND_M)
    ndsm = np.zeros((SIZE, SIZE))
    ndsm[_inside(FOOTPRINTS["flat"], x, y)] = 8.0
    pitched = _inside(FOOTPRINTS["pitched"], x, y)
    ndsm[pitched] = 5.0 + 4.0 * (1.0 - np.abs(x[pitched] - RIDGE_X) / 5.0)
    ndsm[_inside(FOOTPRINTS["shed"], x, y)] = 2.5
    ndsm[_inside(FOOTPRINTS["spike"], x, y)] = 250.0
    dsm = dtm + ndsm
    dsm[(x > 150_070) & (x < 150_090) & (y > 200_070) & (y < 200_090)] = NODATA
    return dsm, dtm


def _write(path, array, *, transform=None, crs="EPSG:31370", nodata=NODATA):
    transform = transform if transform is not None else from_origin(X0, Y0, 1.0, 1.0)
    with rasterio.open(
        path, "w", driver="GTiff", height=array.shape[0], width=array.shape[1], count=1,
        dtype="float32", crs=crs, transform=transform, nodata=nodata,
    ) as dst:
        dst.write(array.astype("float32"), 1)
    return path


@pytest.fixture
def scene(tmp_path):
    dsm, dtm = _scene()
    return _write(tmp_path / "dsm.tif", dsm), _write(tmp_path / "dtm.tif", dtm)


def _params(**changes) -> HeightParams:
    """The packaged parameters with some values changed (validated)."""
    return HeightParams(**{**load_height_params().model_dump(), **changes})


def _footprints(names=tuple(FOOTPRINTS), index=None) -> GeoSeries:
    return GeoSeries([FOOTPRINTS[n] for n in names], index=index if index is not None else
                     list(names), crs=31370)


# ---------------------------------------------------------------------------------------------
# synthetic known answers
# ---------------------------------------------------------------------------------------------


def test_flat_roof_box(scene):
    out = read_building_heights(_footprints(["flat"]), *scene)
    row = out.loc["flat"]
    assert row.height_status == "ok"
    assert row.height_m == 8.0 and row.height_max_m == 8.0 and row.height_eaves_m == 8.0
    assert bool(row.roof_flat)
    # shrunk by 0.5 m: 11 × 9 cell centres inside
    assert row.n_height_cells == 99


def test_pitched_roof_house(scene):
    out = read_building_heights(_footprints(["pitched"]), *scene)
    row = out.loc["pitched"]
    assert row.height_status == "ok"
    assert not bool(row.roof_flat)
    # Shrunk footprint: cell centres x = 150041.5 … 150049.5 (9), y: 11 rows.
    dx = 150_041.5 + np.arange(9) - RIDGE_X
    cells = np.repeat(9.0 - 0.8 * np.abs(dx), 11)
    assert row.n_height_cells == cells.size == 99
    assert row.height_m == pytest.approx(np.quantile(cells, 0.5), abs=1e-5)
    assert row.height_max_m == pytest.approx(np.quantile(cells, 0.95), abs=1e-5)
    # physical answers: mean roof height 7 m, ridge 9 m, eaves 5 m
    assert row.height_m == pytest.approx(7.0, abs=0.3)
    assert row.height_max_m == pytest.approx(9.0, abs=0.3)
    assert row.height_eaves_m == pytest.approx(5.0, abs=0.3)
    p10, p90 = np.quantile(cells, [0.1, 0.9])
    assert row.height_eaves_m == pytest.approx(p10 - 0.1 / 0.8 * (p90 - p10), abs=1e-5)


def test_statuses_and_missing_heights(scene):
    out = read_building_heights(_footprints(), *scene)
    expected = {
        "flat": "ok", "pitched": "ok", "shed": "ok", "spike": "implausible",
        "open": "implausible", "nodata": "nodata", "tiny": "too_few_cells",
        "outside": "outside_raster",
    }
    assert out["height_status"].astype(str).to_dict() == expected
    bad = out["height_status"] != "ok"
    assert out.loc[bad, ["height_m", "height_max_m", "height_eaves_m"]].isna().all().all()
    assert out.loc[bad, "roof_flat"].isna().all()
    assert out.loc[~bad, ["height_m", "height_max_m", "height_eaves_m"]].notna().all().all()
    assert out.loc["outside", "n_height_cells"] == 0
    assert out.loc["nodata", "n_height_cells"] == 0
    assert out.loc["tiny", "n_height_cells"] == 1
    assert out.loc["open", "n_height_cells"] == 9 * 9  # counted, though implausible


def test_small_footprint_is_not_eroded(scene):
    out = read_building_heights(_footprints(["shed"]), *scene)
    # 3 × 3 m: shrunk it would keep 2 × 2 cells (< erode_min_cells), so all 9 are used
    assert out.loc["shed", "n_height_cells"] == 9
    assert out.loc["shed", "height_m"] == 2.5


def test_output_columns_and_dtypes(scene):
    out = read_building_heights(_footprints(), *scene)
    assert tuple(out.columns) == HEIGHT_COLUMNS
    assert out["height_m"].dtype == "float64"
    assert out["roof_flat"].dtype == "boolean"
    assert out["n_height_cells"].dtype == "int64"
    assert list(out["height_status"].cat.categories) == list(HEIGHT_STATUSES)


def test_non_default_index_preserved_and_permutation(scene):
    names = list(FOOTPRINTS)
    index = pd.Index([70, 3, 12, 5, 99, 41, 8, 0], name="gebouw_nr")
    base = read_building_heights(_footprints(names, index=index), *scene)
    assert base.index.equals(index)
    perm = np.random.default_rng(0).permutation(len(names))
    shuffled = read_building_heights(
        _footprints([names[i] for i in perm], index=index[perm]), *scene)
    assert shuffled.index.equals(index[perm])
    pd.testing.assert_frame_equal(shuffled.loc[index], base)


def test_geodataframe_and_missing_geometry(scene):
    frame = GeoDataFrame({"gebouw_id": ["a", "b", "c"]},
                         geometry=[FOOTPRINTS["flat"], None, shapely.Polygon()], crs=31370)
    out = read_building_heights(frame, *scene)
    assert out["height_status"].astype(str).tolist() == ["ok", "too_few_cells", "too_few_cells"]
    assert out["n_height_cells"].tolist() == [99, 0, 0]


def test_invalid_footprint_is_repaired(scene):
    x0, y0, x1, y1 = FOOTPRINTS["flat"].bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])  # self-intersecting
    assert not bowtie.is_valid
    out = read_building_heights(GeoSeries([bowtie], crs=31370), *scene)
    assert out["height_status"].iloc[0] == "ok" and out["height_m"].iloc[0] == 8.0
    # both 30 m² triangles count (shrunk: 37 cells); buffer(0) would keep one (under 20)
    assert 30 <= out["n_height_cells"].iloc[0] <= 60


def test_empty_input(scene):
    out = read_building_heights(GeoSeries([], crs=31370), *scene)
    assert len(out) == 0 and tuple(out.columns) == HEIGHT_COLUMNS


def test_overlap_goes_to_smaller_footprint(scene):
    big = FOOTPRINTS["flat"]
    small = shapely.box(150_013.2, 200_013.2, 150_019.2, 200_017.2)  # inside `big`
    alone = read_building_heights(GeoSeries([big, small], crs=31370).iloc[[0]], *scene)
    for order in ([big, small], [small, big]):
        out = read_building_heights(GeoSeries(order, crs=31370), *scene)
        n = dict(zip([o.area for o in order], out["n_height_cells"], strict=True))
        # 6 × 4 m is too small to shrink (5 × 3 < erode_min_cells): it keeps all 24 cells
        assert n[small.area] == 6 * 4
        assert n[big.area] == alone["n_height_cells"].iloc[0] - 6 * 4


def test_partial_nodata(scene, tmp_path):
    dsm_path, dtm_path = scene
    # straddles the nodata patch's west edge (x = 150070): 1 of 9 shrunk columns is valid
    fp = GeoSeries([shapely.box(150_068.2, 200_072.2, 150_078.2, 200_082.2)], crs=31370)
    out = read_building_heights(fp, dsm_path, dtm_path)
    assert out["height_status"].iloc[0] == "nodata"
    assert out["n_height_cells"].iloc[0] == 1 * 9
    lenient = _params(min_valid_frac=0.1)
    out = read_building_heights(fp, dsm_path, dtm_path, params=lenient)
    assert out["height_status"].iloc[0] == "implausible"  # valid cells are open ground


def test_tiles_give_same_answer_and_read_small_windows(scene, monkeypatch):
    windows = []
    real = rasters._read_cells

    def spy(src, window, cells, fallback):
        windows.append(window)
        return real(src, window, cells, fallback)

    monkeypatch.setattr(rasters, "_read_cells", spy)
    base = read_building_heights(_footprints(), *scene)
    assert all(w.width * w.height < SIZE * SIZE for w in windows)
    windows.clear()
    read_building_heights(_footprints(["flat"]), *scene)
    assert {(w.width, w.height) for w in windows} == {(12, 10)}  # only the box's window

    windows.clear()
    tiled = read_building_heights(
        _footprints(), *scene, params=_params(tile_size_px=16))
    assert len(windows) > 2 * 2  # several tiles, each read from DSM and DTM
    pd.testing.assert_frame_equal(tiled, base)


# ---------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtm_kwargs, shape, fragment",
    [
        ({"transform": from_origin(X0 + 1.0, Y0, 1.0, 1.0)}, (SIZE, SIZE), "transform"),
        ({}, (SIZE, SIZE - 1), "shape"),
        ({"crs": "EPSG:3812"}, (SIZE, SIZE), "CRS"),
    ],
)
def test_mismatched_grids(tmp_path, dtm_kwargs, shape, fragment):
    dsm, _ = _scene()
    dsm_path = _write(tmp_path / "dsm.tif", dsm)
    dtm_path = _write(tmp_path / "dtm.tif", np.full(shape, GROUND_M), **dtm_kwargs)
    with pytest.raises(InputError, match=f"not on the same grid.*{fragment}"):
        read_building_heights(_footprints(["flat"]), dsm_path, dtm_path)


def test_crs_mismatch(scene):
    fp = _footprints(["flat"]).to_crs(3812)
    with pytest.raises(CRSError, match=r"EPSG:3812.*EPSG:31370.*to_crs\(31370\)"):
        read_building_heights(fp, *scene)


def test_no_crs(scene):
    with pytest.raises(CRSError, match="no CRS"):
        read_building_heights(GeoSeries([FOOTPRINTS["flat"]]), *scene)


def test_missing_raster_and_bad_geometries(scene, tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_building_heights(_footprints(["flat"]), tmp_path / "nope.tif", scene[1])
    points = GeoSeries([shapely.Point(150_015, 200_015)], crs=31370)
    with pytest.raises(InputError, match="Point"):
        read_building_heights(points, *scene)
    with pytest.raises(InputError, match="GeoSeries"):
        read_building_heights([FOOTPRINTS["flat"]], *scene)


# ---------------------------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------------------------


def test_default_params():
    p = load_height_params()
    assert p.height_quantile == 0.5 and p.min_height_m == 1.5 and p.max_height_m == 200.0
    assert p.nodata_value == -9999.0
    with pytest.raises(ValidationError, match="frozen"):
        p.min_cells = 1  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        _params(colour=1)
    with pytest.raises(ValidationError, match="ridge_quantile"):
        _params(ridge_quantile=0.4)


def _toml(tmp_path, text):
    path = tmp_path / "heights.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_params_file_errors(tmp_path):
    default = (resources.files("wijkreno") / "params" / "heights.toml").read_text("utf-8")
    unknown = default + '\n[colour]\nvalue = 1\nunit = "-"\nsource = "x"\n'
    with pytest.raises(InputError, match="colour"):
        load_height_params(_toml(tmp_path, unknown))
    no_source = default.replace('[min_cells]\nvalue = 4\nunit = "cells"\nsource = ',
                                '[min_cells]\nvalue = 4\nunit = "cells"\nnote = ')
    assert no_source != default
    with pytest.raises(InputError, match="min_cells"):
        load_height_params(_toml(tmp_path, no_source))
    swapped = default.replace("[spread_low_quantile]\nvalue = 0.1",
                              "[spread_low_quantile]\nvalue = 0.95")
    with pytest.raises(InputError, match="spread_low_quantile"):
        load_height_params(_toml(tmp_path, swapped))
    with pytest.raises(InputError, match="not valid TOML"):
        load_height_params(_toml(tmp_path, "value = = 1"))
    assert load_height_params(_toml(tmp_path, default)) == load_height_params()


# ---------------------------------------------------------------------------------------------
# zonal quantiles against numpy
# ---------------------------------------------------------------------------------------------


def _reference_quantiles(labels, values, n_labels, quantiles):
    out = np.full((n_labels, len(quantiles)), np.nan)
    for k in range(n_labels):
        v = values[labels == k]
        if v.size:
            out[k] = np.quantile(v, quantiles)
    return np.bincount(labels, minlength=n_labels), out


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(0, 300),
    n_labels=st.integers(1, 12),
)
def test_zonal_quantiles_match_numpy(data, n, n_labels):
    labels = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_labels - 1)))
    values = data.draw(hnp.arrays(np.float32, n, elements=st.floats(
        -50, 300, width=32, allow_nan=False))).astype(np.float64)
    q = np.array([0.0, 0.1, 0.5, 0.9, 0.95, 1.0])
    counts, out = rasters._zonal_quantiles(labels, values, n_labels, q)
    ref_counts, ref = _reference_quantiles(labels, values, n_labels, q)
    np.testing.assert_array_equal(counts, ref_counts)
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-9)


def test_heights_from_quantiles_flat_and_gable():
    p = load_height_params()
    # columns: height, ridge, p10, p90
    q = np.array([[6.0, 6.1, 5.9, 6.05], [7.0, 8.8, 5.4, 8.6]])
    height, ridge, eaves, flat = rasters._heights_from_quantiles(q, p)
    assert flat.tolist() == [True, False]
    assert eaves[0] == 6.0
    assert eaves[1] == pytest.approx(5.4 - 0.125 * 3.2)  # uniform 5 … 9 m profile → 5.0
    assert ridge.tolist() == [6.1, 8.8]


# ---------------------------------------------------------------------------------------------
# real data: DHM Vlaanderen II, Essen centre
# ---------------------------------------------------------------------------------------------

# Footprints drawn on the Essen nDSM (inspected cell by cell): EPSG:31370.
ESSEN_FOOTPRINTS = {
    "gable_small": shapely.box(156_264, 239_765, 156_274, 239_777),  # eaves ≈ 3.1, ridge ≈ 5.3
    "gable_large": shapely.box(157_854, 239_667, 157_876, 239_681),  # ridge ≈ 8
    "flat_12m": shapely.box(156_806, 239_550, 156_820, 239_564),  # flat at 11.7–11.8 m
    "flat_4m": shapely.box(157_027, 239_716, 157_038, 239_727),  # flat at ≈ 3.7 m
    "church_tower": shapely.Point(156_953.5, 239_816.5).buffer(2.5),  # raster max 38.86 m
    "open_field": shapely.box(157_630, 239_215, 157_660, 239_245),  # bare ground
}


def _essen():
    folder = "dhmv2_essen_dsm_dtm"
    return shared_data(folder, "essen_dsm_1m.tif"), shared_data(folder, "essen_dtm_1m.tif")


@pytest.mark.realdata
def test_essen_known_buildings():
    dsm, dtm = _essen()
    fp = GeoSeries(list(ESSEN_FOOTPRINTS.values()), index=list(ESSEN_FOOTPRINTS), crs=31370)
    out = read_building_heights(fp, dsm, dtm)
    status = out["height_status"].astype(str)
    assert (status.drop("open_field") == "ok").all()
    assert status["open_field"] == "implausible"
    assert out.loc["open_field", "n_height_cells"] > 800

    flat = out.loc[["flat_12m", "flat_4m"]]
    assert flat["roof_flat"].all()
    assert flat["height_m"].tolist() == pytest.approx([11.75, 3.72], abs=0.1)
    assert (flat["height_eaves_m"] == flat["height_m"]).all()

    small = out.loc["gable_small"]
    assert not small.roof_flat
    assert small.height_m == pytest.approx(4.3, abs=0.2)
    assert small.height_max_m == pytest.approx(5.3, abs=0.2)
    assert 2.9 <= small.height_eaves_m <= 3.5

    large = out.loc["gable_large"]
    assert not large.roof_flat
    assert large.height_max_m == pytest.approx(8.0, abs=0.3)

    tower = out.loc["church_tower"]
    assert 36.0 <= tower.height_max_m <= 38.9
    assert tower.height_m > 30.0


@pytest.mark.realdata
def test_essen_grid_of_footprints_is_consistent():
    dsm, dtm = _essen()
    xs, ys = np.meshgrid(np.arange(156_002.0, 157_990.0, 24.0),
                         np.arange(239_002.0, 239_990.0, 24.0))
    xs, ys = xs.ravel(), ys.ravel()
    fp = GeoSeries(shapely.box(xs, ys, xs + 8.0, ys + 10.0), crs=31370)
    out = read_building_heights(fp, dsm, dtm)
    assert out.index.equals(fp.index)
    assert set(out["height_status"].astype(str)) <= {"ok", "implausible"}
    ok = out[out["height_status"] == "ok"]
    assert len(ok) > 0.15 * len(out)  # 26 % of the crop's cells are above 2.5 m
    assert (ok["height_m"] >= 1.5).all() and (ok["height_max_m"] <= 38.9).all()
    assert (ok["height_eaves_m"] <= ok["height_m"]).all()
    assert (ok["height_m"] <= ok["height_max_m"]).all()
    # identical boxes on the 1 m grid cover identical cell counts (≥ the 7 × 9 shrunk core)
    assert out["n_height_cells"].nunique() == 1 and out["n_height_cells"].iloc[0] >= 7 * 9


def test_geojson_shapes_round_trip():
    geoms = np.array([
        shapely.box(0, 0, 5, 5),
        shapely.MultiPolygon([shapely.box(6, 6, 8, 8), shapely.box(10, 10, 12, 12)]),
        shapely.box(0, 10, 6, 16).difference(shapely.box(2, 12, 4, 14)),  # with a hole
        shapely.Polygon([(0, 0, 1), (3, 0, 1), (3, 3, 1)]),  # 3D
    ])
    shapes = rasters._geojson_shapes(geoms)
    assert [s["type"] for s in shapes] == ["Polygon", "MultiPolygon", "MultiPolygon", "Polygon"]
    for mapping, geom in zip(shapes, geoms, strict=True):
        assert shapely.geometry.shape(mapping).equals(shapely.force_2d(geom))
    assert rasters._geojson_shapes(np.array([], dtype=object)) == []
