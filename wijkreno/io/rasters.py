"""Building heights from a DSM/DTM raster pair (DHM Vlaanderen II).

The normalised surface model nDSM = DSM − DTM is the height of whatever stands on the ground.
:func:`read_building_heights` summarises it over each footprint with a few quantiles:

``height_m``
    median nDSM (:data:`height_quantile`): the roof level of a flat roof, the mean roof height
    of a gable or hipped roof, so that footprint area × ``height_m`` is the gross volume;
``height_max_m``
    a high quantile (ridge);
``height_eaves_m``
    eaves estimate: the quantile profile between the spread quantiles extrapolated down to
    quantile 0 (exact for a gable roof, whose nDSM is uniform between eaves and ridge); equal to
    ``height_m`` for a flat roof;
``roof_flat``
    spread between the spread quantiles at most ``flat_roof_max_spread_m``;
``n_height_cells``
    number of valid (not nodata) cells the statistics come from;
``height_status``
    one of :data:`HEIGHT_STATUSES`; all heights are missing unless it is ``'ok'``.

Every number lives in ``wijkreno/params/heights.toml`` (:func:`load_height_params`).

How cells are attributed to footprints
--------------------------------------
A cell belongs to a footprint when its centre lies inside it (``rasterio.features.rasterize``,
``all_touched=False``). Footprints that are big enough are first shrunk by half a cell, so that
cells straddling the facade (roof edge, gutter, ground, overhanging trees) are left out.

Overlapping footprints: one label raster holds one footprint per cell. Footprints are burnt
largest first, so a cell shared by two footprints goes to the *smaller* one (a small building
drawn inside or across a large one keeps its cells; the large one loses a few). Two overlapping
footprints that fall in different tiles (see below) both use the shared cells.

Large areas: footprints are grouped into tiles of ``tile_size_px`` × ``tile_size_px`` cells by
the centre of their bounding box; each tile reads from both rasters only the window covering its
footprints, so memory stays bounded by the tile size (plus the largest footprint), and raster
areas without footprints are never read.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.features
import shapely
from affine import Affine
from rasterio.errors import RasterioIOError
from rasterio.transform import array_bounds
from rasterio.windows import Window
from rasterio.windows import transform as window_transform

from wijkreno.crs import CRS_EPSG
from wijkreno.errors import CRSError, InputError
from wijkreno.io._common import require_file
from wijkreno.params.models.heights import HeightParams, load_height_params

logger = logging.getLogger(__name__)

HEIGHT_STATUSES: tuple[str, ...] = ("ok", "outside_raster", "too_few_cells", "nodata",
                                    "implausible")
"""Values of ``height_status``, in the order of their category codes."""

HEIGHT_COLUMNS: tuple[str, ...] = ("height_m", "height_max_m", "height_eaves_m", "roof_flat",
                                   "n_height_cells", "height_status")
"""Columns of the frame returned by :func:`read_building_heights`, in order."""

_OK, _OUTSIDE, _TOO_FEW, _NODATA, _IMPLAUSIBLE = range(len(HEIGHT_STATUSES))

# --------------------------------------------------------------------------------------------
# zonal statistics (pure numpy)
# --------------------------------------------------------------------------------------------


def _zonal_quantiles(
    labels: np.ndarray, values: np.ndarray, n_labels: int, quantiles: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of ``values`` per label, all labels at once.

    Parameters
    ----------
    labels : ndarray of int, shape (n,)
        Label of each value, 0 … ``n_labels`` − 1.
    values : ndarray of float, shape (n,)
        Finite values.
    n_labels : int
        Number of labels.
    quantiles : ndarray of float, shape (k,)
        Quantiles in 0–1.

    Returns
    -------
    counts : ndarray of int64, shape (n_labels,)
        Number of values per label.
    out : ndarray of float64, shape (n_labels, k)
        Quantiles per label, numpy's ``"linear"`` method; NaN for labels without values.
    """
    labels = np.asarray(labels, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    quantiles = np.asarray(quantiles, dtype=np.float64)
    counts = np.bincount(labels, minlength=n_labels).astype(np.int64)
    out = np.full((n_labels, quantiles.size), np.nan)
    if values.size == 0:
        return counts, out
    # One sort for all labels: the key label·span + (value − min) orders by label, then by
    # value, and one argsort of floats is ~3× faster than np.lexsort on two keys. span exceeds
    # the value range by at least 1, so rounding can never move a value into the next label;
    # within a label the sum is exact for label < 2**20 and float32-derived values over a range
    # < 2**9 m (46 significant bits), and beyond that a rounding tie only swaps values closer
    # than one ulp of the key, which leaves the quantiles unchanged to that precision.
    vmin = values.min()
    span = math.floor(values.max() - vmin) + 2.0
    order = np.argsort(labels * span + (values - vmin))
    sorted_values = values[order]
    starts = np.cumsum(counts) - counts
    has = counts > 0
    first = starts[has][:, None]
    last = (starts + counts - 1)[has][:, None]
    pos = first + quantiles[None, :] * (counts[has][:, None] - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, last)
    frac = pos - lo
    lo_v = sorted_values[lo]
    out[has] = lo_v + frac * (sorted_values[hi] - lo_v)
    return counts, out


def _heights_from_quantiles(
    quantile_values: np.ndarray, params: HeightParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Height, ridge, eaves and flatness from the four quantiles of :func:`_quantile_levels`.

    Returns ``height_m``, ``height_max_m``, ``height_eaves_m`` [m] and ``roof_flat`` (bool).
    """
    height, ridge, p_low, p_high = quantile_values.T
    spread = p_high - p_low
    flat = spread <= params.flat_roof_max_spread_m
    # Eaves: extrapolate the quantile profile between the spread quantiles to quantile 0. A
    # gable or mono-pitch roof has nDSM uniform between eaves and ridge, so its quantile
    # function is a straight line that reaches the eaves at 0; no library offers this
    # roof-specific estimate.
    slope = spread / (params.spread_high_quantile - params.spread_low_quantile)
    eaves_pitched = np.clip(p_low - params.spread_low_quantile * slope, 0.0, height)
    eaves = np.where(flat, height, eaves_pitched)
    return height, ridge, eaves, flat


def _quantile_levels(params: HeightParams) -> np.ndarray:
    return np.array([params.height_quantile, params.ridge_quantile,
                     params.spread_low_quantile, params.spread_high_quantile])


# --------------------------------------------------------------------------------------------
# raster checks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    transform: Affine
    width: int
    height: int
    crs: Any


def _open_raster(path: str | os.PathLike[str], what: str) -> rasterio.DatasetReader:
    path = require_file(path, what)
    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        raise InputError(f"the {what} file {path} cannot be read as a raster: {exc}") from exc


def _check_grids(dsm: rasterio.DatasetReader, dtm: rasterio.DatasetReader) -> _Grid:
    problems = []
    if dsm.crs != dtm.crs:
        problems.append(f"CRS {dsm.crs} vs {dtm.crs}")
    if not dsm.transform.almost_equals(dtm.transform, precision=1e-6):
        problems.append(f"transform {tuple(dsm.transform)[:6]} vs {tuple(dtm.transform)[:6]}")
    if (dsm.height, dsm.width) != (dtm.height, dtm.width):
        problems.append(f"shape (rows, cols) {(dsm.height, dsm.width)} vs "
                        f"{(dtm.height, dtm.width)}")
    if problems:
        raise InputError(
            f"the DSM {dsm.name} and DTM {dtm.name} are not on the same grid: "
            + "; ".join(problems)
            + ". Use the DSM and DTM of the same DHMV-II map sheet, or resample one onto the "
            "other's grid (e.g. gdalwarp -tr/-te) first."
        )
    t = dsm.transform
    if t.b != 0.0 or t.d != 0.0:
        raise InputError(
            f"the DSM {dsm.name} has a rotated geotransform {tuple(t)[:6]}; only north-up "
            "rasters are supported. Warp it to a north-up grid first (gdalwarp)."
        )
    if dsm.crs is None:
        raise CRSError(
            f"the DSM {dsm.name} declares no CRS; DHM Vlaanderen II is in EPSG:{CRS_EPSG}. Assign "
            f"it with gdal_edit.py -a_srs EPSG:{CRS_EPSG} (or rio edit-info --crs "
            f"EPSG:{CRS_EPSG})."
        )
    return _Grid(transform=t, width=dsm.width, height=dsm.height, crs=dsm.crs)


def _check_crs(footprint_crs: pyproj.CRS | None, raster_crs: Any, raster_name: str) -> None:
    r_crs = pyproj.CRS.from_user_input(raster_crs.to_wkt())
    if footprint_crs is None:
        raise CRSError(
            f"the footprints have no CRS; the rasters are in {_crs_name(r_crs)}. Declare the "
            f"footprints' CRS with .set_crs(...), e.g. .set_crs({r_crs.to_epsg() or CRS_EPSG})."
        )
    same = footprint_crs == r_crs
    if not same:
        e1, e2 = footprint_crs.to_epsg(), r_crs.to_epsg()
        same = e1 is not None and e1 == e2
    if not same:
        target = r_crs.to_epsg() or "the raster's CRS"
        raise CRSError(
            f"the footprints are in {_crs_name(footprint_crs)} but the raster {raster_name} is in "
            f"{_crs_name(r_crs)}; reproject the footprints with .to_crs({target})."
        )


def _crs_name(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


# --------------------------------------------------------------------------------------------
# footprints → label rasters
# --------------------------------------------------------------------------------------------


def _as_geometry_array(footprints: gpd.GeoSeries | gpd.GeoDataFrame) -> gpd.GeoSeries:
    if isinstance(footprints, gpd.GeoDataFrame):
        return footprints.geometry
    if isinstance(footprints, gpd.GeoSeries):
        return footprints
    raise InputError(
        f"footprints must be a GeoSeries (or GeoDataFrame) of polygons, got "
        f"{type(footprints).__name__}; wrap it with geopandas.GeoSeries(..., crs={CRS_EPSG})."
    )


def _geojson_shapes(geoms: np.ndarray) -> list[dict[str, Any]]:
    """GeoJSON-like mappings of polygonal geometries, built from one ragged coordinate array.

    ``rasterio.features.rasterize`` reads GeoJSON mappings. Handed shapely geometries it goes
    through ``__geo_interface__`` one geometry at a time: 0.31 s for 13,778 footprints against
    0.13 s for building these mappings from one coordinate list and rasterising them.
    """
    if geoms.size == 0:
        return []
    _, coords, (ring_off, poly_off, multi_off) = _ragged_multipolygons(geoms)
    xy = coords.tolist()
    ro = ring_off.tolist()
    po = poly_off.tolist()
    mo = multi_off.tolist()
    # Fast path for the usual footprint, one polygon without holes: one ring slice.
    first_ring = poly_off[multi_off[:-1]]
    n_rings = poly_off[multi_off[1:]] - first_ring
    simple = (n_rings == 1).tolist()
    ring_start = ring_off[first_ring].tolist()
    ring_end = ring_off[np.minimum(first_ring + 1, ring_off.size - 1)].tolist()
    return [
        {"type": "Polygon", "coordinates": [xy[a:b]]}
        if one
        else {
            "type": "MultiPolygon",
            "coordinates": [
                [xy[ro[r]:ro[r + 1]] for r in range(po[p], po[p + 1])]
                for p in range(mo[i], mo[i + 1])
            ],
        }
        for i, (one, a, b) in enumerate(zip(simple, ring_start, ring_end, strict=True))
    ]


def _ragged_multipolygons(geoms: np.ndarray) -> tuple[Any, np.ndarray, tuple[np.ndarray, ...]]:
    # Force a MultiPolygon layout (three offset arrays) whether or not the input mixes types.
    kind, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    if len(offsets) == 2:  # all Polygons: one polygon per geometry
        offsets = (*offsets, np.arange(len(geoms) + 1, dtype=offsets[1].dtype))
    return kind, coords, offsets


def _pixel_boxes(bounds: np.ndarray, grid: _Grid) -> np.ndarray:
    """Integer (row0, row1, col0, col1) windows covering each bounding box, clipped to the grid."""
    t = grid.transform  # north-up (checked): col = (x − c) / a, row = (y − f) / e
    cols_a, cols_b = (bounds[:, 0] - t.c) / t.a, (bounds[:, 2] - t.c) / t.a
    rows_a, rows_b = (bounds[:, 1] - t.f) / t.e, (bounds[:, 3] - t.f) / t.e
    row0 = np.floor(np.minimum(rows_a, rows_b))
    row1 = np.ceil(np.maximum(rows_a, rows_b))
    col0 = np.floor(np.minimum(cols_a, cols_b))
    col1 = np.ceil(np.maximum(cols_a, cols_b))
    box = np.stack([row0, row1, col0, col1], axis=1)
    box[:, :2] = np.clip(box[:, :2], 0, grid.height)
    box[:, 2:] = np.clip(box[:, 2:], 0, grid.width)
    return box.astype(np.int64)


def _read_cells(src: rasterio.DatasetReader, window: Window, cells: np.ndarray,
                fallback_nodata: float) -> np.ndarray:
    """Band 1 of ``src`` in ``window`` at flat positions ``cells``, nodata as NaN [float64]."""
    data = src.read(1, window=window).ravel()[cells].astype(np.float64)
    nodata = src.nodata if src.nodata is not None else fallback_nodata
    if not np.isnan(nodata):
        data[data == nodata] = np.nan
    data[~np.isfinite(data)] = np.nan
    return data


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------


def read_building_heights(
    footprints: gpd.GeoSeries,
    dsm_path: str | os.PathLike[str],
    dtm_path: str | os.PathLike[str],
    *,
    params: HeightParams | None = None,
) -> pd.DataFrame:
    """Building heights from the nDSM (DSM − DTM) over each footprint.

    Parameters
    ----------
    footprints : geopandas.GeoSeries or GeoDataFrame
        Footprint polygons in the rasters' CRS (EPSG:31370 for DHM Vlaanderen II). Missing or
        empty geometries get status ``'too_few_cells'``.
    dsm_path, dtm_path : str or path-like
        Digital surface and terrain models [m], single band, on the same grid (CRS, transform,
        shape), e.g. the DHMV-II 1 m GeoTIFFs (``DHMVIIDSMRAS1m_*.tif``, ``DHMVIIDTMRAS1m_*.tif``).
        Only the windows covering the footprints are read.
    params : HeightParams, optional
        Default: :func:`load_height_params` (the packaged ``heights.toml``).

    Returns
    -------
    pandas.DataFrame
        Indexed exactly like ``footprints``, columns :data:`HEIGHT_COLUMNS`:

        - ``height_m`` (float64) [m]: median nDSM, the mean roof height;
        - ``height_max_m`` (float64) [m]: ridge (``ridge_quantile`` of nDSM);
        - ``height_eaves_m`` (float64) [m]: eaves estimate (``height_m`` for a flat roof);
        - ``roof_flat`` (nullable boolean): spread of nDSM ≤ ``flat_roof_max_spread_m``;
        - ``n_height_cells`` (int64): valid cells used;
        - ``height_status`` (categorical, :data:`HEIGHT_STATUSES`): ``'ok'``,
          ``'outside_raster'`` (no part of the footprint on the raster), ``'too_few_cells'``
          (fewer than ``min_cells`` cell centres inside), ``'nodata'`` (fewer than
          ``min_cells`` valid cells, or a valid share below ``min_valid_frac``),
          ``'implausible'`` (``height_m`` below ``min_height_m`` or ``height_max_m`` above
          ``max_height_m``). The heights and ``roof_flat`` are missing unless ``'ok'``.

    Raises
    ------
    InputError
        When a raster is missing or unreadable, the DSM and DTM grids differ, or the footprints
        are not polygons.
    CRSError
        When the footprints have no CRS or another CRS than the rasters.

    Notes
    -----
    A footprint partly off the raster is summarised over the cells that are on it. For cell
    attribution, erosion, overlaps and tiling see the module docstring.

    Examples
    --------
    >>> heights = read_building_heights(buildings.geometry, "dsm.tif", "dtm.tif")  # doctest: +SKIP
    >>> heights.loc[heights.height_status == "ok", "height_m"].describe()  # doctest: +SKIP
    """
    params = params if params is not None else load_height_params()
    series = _as_geometry_array(footprints)
    geoms = np.asarray(series.array, dtype=object)
    n = geoms.size

    with _open_raster(dsm_path, "DSM") as dsm, _open_raster(dtm_path, "DTM") as dtm:
        grid = _check_grids(dsm, dtm)
        _check_crs(series.crs, grid.crs, str(dsm.name))
        status, n_valid, qvals = _footprint_stats(geoms, dsm, dtm, grid, params)

    height, ridge, eaves, flat = _heights_from_quantiles(qvals, params)
    scored = status == _OK
    implausible = scored & ~((height >= params.min_height_m) & (ridge <= params.max_height_m))
    status[implausible] = _IMPLAUSIBLE
    ok = status == _OK

    def masked(values: np.ndarray) -> np.ndarray:
        return np.where(ok, values, np.nan)

    roof_flat = pd.array(flat, dtype="boolean")
    roof_flat[~ok] = pd.NA
    out = pd.DataFrame(
        {
            "height_m": masked(height),
            "height_max_m": masked(ridge),
            "height_eaves_m": masked(eaves),
            "roof_flat": roof_flat,
            "n_height_cells": n_valid.astype(np.int64),
            "height_status": pd.Categorical.from_codes(status, categories=list(HEIGHT_STATUSES)),
        },
        index=series.index.copy(),
    )
    if n:
        counts = out["height_status"].value_counts()
        logger.info("building heights for %d footprints: %s", n,
                    ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return out


def _footprint_stats(
    geoms: np.ndarray,
    dsm: rasterio.DatasetReader,
    dtm: rasterio.DatasetReader,
    grid: _Grid,
    params: HeightParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Status code (before the plausibility test), valid-cell count and quantiles per footprint."""
    n = geoms.size
    quantiles = _quantile_levels(params)
    status = np.full(n, _TOO_FEW, dtype=np.int8)
    n_valid = np.zeros(n, dtype=np.int64)
    n_total = np.zeros(n, dtype=np.int64)
    qvals = np.full((n, quantiles.size), np.nan)
    if n == 0:
        return status, n_valid, qvals

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    present = ~missing
    types = set(shapely.get_type_id(geoms[present]).tolist()) - {3, 6}  # Polygon, MultiPolygon
    if types:
        names = sorted({g.geom_type for g in geoms[present]} - {"Polygon", "MultiPolygon"})
        raise InputError(
            f"footprints must be polygons, got {', '.join(names)} geometries; pass building "
            "footprints (GRB Gbg / Gebouwenregister), not addresses or outlines."
        )
    if missing.any():
        logger.warning("%d footprints are missing or empty: status 'too_few_cells'",
                       int(missing.sum()))

    polys = geoms.copy()
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        # "structure" without collapsed parts keeps both lobes of a bow-tie (buffer(0) keeps
        # one) and drops the lines and points of the default method, which rasterize would burn.
        polys[invalid] = shapely.make_valid(geoms[invalid], method="structure",
                                            keep_collapsed=False)
        logger.warning("%d invalid footprints were repaired (make_valid)", int(invalid.sum()))
        present &= ~shapely.is_empty(polys)

    extent = shapely.box(*array_bounds(grid.height, grid.width, grid.transform))
    on_raster = present & shapely.intersects(polys, extent)
    status[present & ~on_raster] = _OUTSIDE

    # Shrink by half a cell where the footprint stays big enough (mitre joins keep the corners
    # of rectangular buildings square).
    cell = max(abs(grid.transform.a), abs(grid.transform.e))
    cell_area = abs(grid.transform.a * grid.transform.e)
    burn = polys.copy()
    if params.erode_distance_cells > 0:
        idx = np.flatnonzero(on_raster)
        eroded = shapely.buffer(polys[idx], -params.erode_distance_cells * cell,
                                join_style="mitre")
        big = shapely.area(eroded) >= params.erode_min_cells * cell_area
        burn[idx[big]] = eroded[big]

    todo = np.flatnonzero(on_raster)
    if todo.size == 0:
        return status, n_valid, qvals
    # Largest first: a cell shared by overlapping footprints ends with the smallest one.
    todo = todo[np.argsort(-shapely.area(polys[todo]), kind="stable")]
    boxes = _pixel_boxes(shapely.bounds(burn[todo]), grid)
    centre_row = (boxes[:, 0] + boxes[:, 1]) // 2
    centre_col = (boxes[:, 2] + boxes[:, 3]) // 2
    n_tile_cols = grid.width // params.tile_size_px + 1
    tile = (centre_row // params.tile_size_px) * n_tile_cols + centre_col // params.tile_size_px
    by_tile = np.argsort(tile, kind="stable")  # keeps the largest-first order inside a tile
    tile_ids, starts = np.unique(tile[by_tile], return_index=True)
    bounds_of = np.append(starts, by_tile.size)
    shapes = _geojson_shapes(burn[todo])
    logger.debug("height extraction: %d footprints on the raster in %d tiles",
                 todo.size, tile_ids.size)

    for k in range(tile_ids.size):
        members = by_tile[bounds_of[k]:bounds_of[k + 1]]  # positions in `todo`
        row0, col0 = boxes[members, 0].min(), boxes[members, 2].min()
        row1, col1 = boxes[members, 1].max(), boxes[members, 3].max()
        if row1 <= row0 or col1 <= col0:
            continue
        window = Window(col0, row0, col1 - col0, row1 - row0)
        labels = rasterio.features.rasterize(
            ((shapes[m], j + 1) for j, m in enumerate(members)),
            out_shape=(row1 - row0, col1 - col0),
            transform=window_transform(window, grid.transform),
            fill=0,
            all_touched=False,
            dtype="int32",
        ).ravel()
        inside = np.flatnonzero(labels)
        lab = labels[inside]
        ndsm = (_read_cells(dsm, window, inside, params.nodata_value)
                - _read_cells(dtm, window, inside, params.nodata_value))
        good = np.isfinite(ndsm)
        total = np.bincount(lab, minlength=members.size + 1)[1:]
        counts, q = _zonal_quantiles(lab[good] - 1, ndsm[good], members.size, quantiles)
        target = todo[members]
        n_total[target] = total
        n_valid[target] = counts
        qvals[target] = q

    on = on_raster
    enough_cells = n_total >= params.min_cells
    enough_valid = (n_valid >= params.min_cells) & (
        n_valid >= params.min_valid_frac * np.maximum(n_total, 1))
    status[on & ~enough_cells] = _TOO_FEW
    status[on & enough_cells & ~enough_valid] = _NODATA
    status[on & enough_cells & enough_valid] = _OK
    return status, n_valid, qvals
