"""Geometry of the twin: footprint metrics, adjacency, main building vs annex, party walls.

The Gebouwenregister stores every building part as its own polygon: a house, its attached
garage, its veranda and the shed at the back of the garden are four objects. Statbel counts one
building. This module turns the register's polygons into the geometric columns of the
``buildings`` table (see :mod:`wijkreno.twin.schema`) in four pure steps:

1. :func:`footprint_metrics` — area and perimeter of each footprint;
2. :func:`find_adjacency` — which footprints touch which, and over what length of wall, from one
   bulk spatial-index query and a compiled kernel over the candidate pairs;
3. :func:`classify_roles` — main building or annex, and the main building an annex belongs to,
   from area, relative size, shape, overlap and being free-standing (thresholds in
   ``wijkreno/params/geometry.toml``);
4. :func:`party_walls` — party walls between main buildings, terraced blocks, the wall shared
   with annexes, and the exposed wall length per compass orientation.

Conventions
-----------
Inputs are GeoSeries in EPSG:31370 (Belgian Lambert 72: x east, y north, metres) with any index;
outputs are indexed exactly like the input. Pairs in the adjacency table refer to *positions*
(0 … n−1), not index labels, so that the table stays valid whatever the index.

Only the exterior ring of a footprint is a wall: interior rings are ignored. In the register,
holes are almost always slivers left by digitising (4 of the 4,141 Baarle-Hertog footprints have
one), and the schema defines ``perimeter_m`` as the length of the exterior ring, so
``perimeter_m = party_wall_length_m + annex_wall_length_m + Σ exposed_wall_*_m`` holds for every
main building, up to rounding, unless two of its neighbours overlap each other along the same
wall (98 % of the Baarle-Hertog main buildings close within 1 cm).

The numba kernels live in this module (each beside its NumPy reference, which the tests hold
equal) until the package has a private kernel module for them.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numba import njit, prange

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError
from wijkreno.params.models.geometry import (
    DEFAULT_PARAMS_PATH,
    GeometryParams,
    load_geometry_params,
)
from wijkreno.twin.schema import BUILDING_ROLES, ORIENTATIONS

logger = logging.getLogger(__name__)

__all__ = [
    "ADJACENCY_COLUMNS",
    "DEFAULT_PARAMS_PATH",
    "GeometryParams",
    "METRIC_COLUMNS",
    "PARTY_WALL_COLUMNS",
    "ROLE_COLUMNS",
    "classify_roles",
    "find_adjacency",
    "footprint_metrics",
    "load_geometry_params",
    "party_walls",
]

METRIC_COLUMNS: tuple[str, ...] = ("footprint_area_m2", "perimeter_m")
ADJACENCY_COLUMNS: tuple[str, ...] = (
    "i",
    "j",
    "shared_length_m",
    *(f"shared_{o}_m" for o in ORIENTATIONS),
    "overlap_frac",
)
ROLE_COLUMNS: tuple[str, ...] = ("building_role", "main_position")
PARTY_WALL_COLUMNS: tuple[str, ...] = (
    "n_party_walls",
    "party_wall_length_m",
    "block_id",
    *(f"exposed_wall_{o}_m" for o in ORIENTATIONS),
    "annex_wall_length_m",
)


# --------------------------------------------------------------------------------------------
# Validation and edges
# --------------------------------------------------------------------------------------------


def _check_footprints(footprints: gpd.GeoSeries, what: str = "footprints") -> np.ndarray:
    """Validate a footprint GeoSeries and return its geometry array."""
    if isinstance(footprints, gpd.GeoDataFrame):
        footprints = footprints.geometry
    if not isinstance(footprints, gpd.GeoSeries):
        raise InputError(
            f"{what} must be a geopandas GeoSeries (or GeoDataFrame) of polygons, got "
            f"{type(footprints).__name__}."
        )
    require_lambert72(footprints, f"the {what}")
    geoms = np.asarray(footprints.values, dtype=object)
    if len(geoms):
        bad_null = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        if bad_null.any():
            pos = np.flatnonzero(bad_null)[:5].tolist()
            raise InputError(
                f"{what} hold {int(bad_null.sum())} missing or empty geometries (positions "
                f"{pos}…); drop them before computing geometry."
            )
        types = shapely.get_type_id(geoms)
        bad_type = ~np.isin(types, (3, 6))  # 3 Polygon, 6 MultiPolygon
        if bad_type.any():
            found = sorted(set(shapely.get_type_id(geoms[bad_type]).tolist()))
            raise InputError(
                f"{what} must be Polygon or MultiPolygon; found {int(bad_type.sum())} "
                f"geometries of shapely type id(s) {found}. Keep only polygonal footprints."
            )
    return geoms


class _Rings(NamedTuple):
    """Exterior rings of n footprints as plain arrays (what the kernels read).

    ``coords[ring_offsets[r]:ring_offsets[r + 1]]`` is ring r, closed (last = first vertex),
    counter-clockwise, so the footprint lies left of each edge and the outward normal of an edge
    with unit direction (ux, uy) is (uy, −ux). Footprint k owns rings
    ``bld_offsets[k]:bld_offsets[k + 1]`` (one per polygon part).
    """

    coords: np.ndarray  # (n_coords, 2) float64, C-contiguous
    ring_offsets: np.ndarray  # (n_rings + 1,) int64
    bld_offsets: np.ndarray  # (n + 1,) int64


def _exterior_rings(geoms: np.ndarray) -> _Rings:
    """Counter-clockwise exterior rings of the footprints (holes dropped)."""
    n = len(geoms)
    # A Polygon without holes is its own exterior ring: take its coordinates directly and keep
    # the costly GEOS part/ring extraction for the few MultiPolygons and polygons with holes.
    simple = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    if simple.all():
        ring_geoms = geoms
        bld_offsets = np.arange(n + 1, dtype=np.int64)
    else:
        complex_idx = np.flatnonzero(~simple)
        parts, owner = shapely.get_parts(geoms[complex_idx], return_index=True)
        counts = np.ones(n, dtype=np.int64)
        counts[complex_idx] = np.bincount(owner, minlength=len(complex_idx))
        bld_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=bld_offsets[1:])
        ring_geoms = np.empty(bld_offsets[-1], dtype=object)
        ring_geoms[bld_offsets[:-1][simple]] = geoms[simple]
        owner_pos = complex_idx[owner]
        rank = np.arange(len(owner)) - np.searchsorted(owner, owner)  # get_parts keeps order
        ring_geoms[bld_offsets[owner_pos] + rank] = shapely.get_exterior_ring(parts)
    coords = np.ascontiguousarray(shapely.get_coordinates(ring_geoms), dtype=np.float64)
    ring_offsets = np.zeros(len(ring_geoms) + 1, dtype=np.int64)
    np.cumsum(shapely.get_num_coordinates(ring_geoms), out=ring_offsets[1:])
    _orient_ccw_kernel(coords, ring_offsets)
    return _Rings(coords, ring_offsets, bld_offsets)


@njit(cache=True, parallel=True)
def _orient_ccw_kernel(coords, ring_offsets):
    # Reverse clockwise rings in place. Shoelace about the ring's first vertex to keep precision
    # with Lambert coordinates of ~10^5 m.
    for r in prange(ring_offsets.shape[0] - 1):
        s = ring_offsets[r]
        e = ring_offsets[r + 1]
        ox = coords[s, 0]
        oy = coords[s, 1]
        area2 = 0.0
        for k in range(s, e - 1):
            area2 += (coords[k, 0] - ox) * (coords[k + 1, 1] - oy) - (
                coords[k + 1, 0] - ox
            ) * (coords[k, 1] - oy)
        if area2 < 0.0:
            lo = s
            hi = e - 1
            while lo < hi:
                tx = coords[lo, 0]
                ty = coords[lo, 1]
                coords[lo, 0] = coords[hi, 0]
                coords[lo, 1] = coords[hi, 1]
                coords[hi, 0] = tx
                coords[hi, 1] = ty
                lo += 1
                hi -= 1


@njit(cache=True, inline="always")
def _compass_bin(ux, uy):
    # Compass bin (0 N, 1 E, 2 S, 3 W; ±45°) of the outward normal (uy, −ux) of an edge with
    # unit direction (ux, uy); bearing measured clockwise from north (+y).
    bearing = np.degrees(np.arctan2(uy, -ux))
    if bearing < 0.0:
        bearing += 360.0
    return int(((bearing + 45.0) % 360.0) // 90.0) % 4


def _edges_numpy(rings: _Rings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges of the rings as rows (x0, y0, x1, y1), per-footprint offsets and compass bins.

    NumPy reference helper: the kernels walk the rings directly instead.
    """
    coords, ring_offsets, bld_offsets = rings
    n_rings = len(ring_offsets) - 1
    ring_of_coord = np.repeat(np.arange(n_rings), np.diff(ring_offsets))
    is_edge = np.ones(len(coords), dtype=bool)
    is_edge[ring_offsets[1:] - 1] = False  # last vertex of a ring starts no edge
    start = np.flatnonzero(is_edge)
    xy = np.column_stack((coords[start], coords[start + 1]))
    nonzero = (xy[:, 0] != xy[:, 2]) | (xy[:, 1] != xy[:, 3])
    xy, start = xy[nonzero], start[nonzero]
    owner_of_ring = np.repeat(np.arange(len(bld_offsets) - 1), np.diff(bld_offsets))
    owner = owner_of_ring[ring_of_coord[start]]
    offsets = np.zeros(len(bld_offsets), dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=len(bld_offsets) - 1), out=offsets[1:])
    dx, dy = xy[:, 2] - xy[:, 0], xy[:, 3] - xy[:, 1]
    bearing = np.degrees(np.arctan2(dy, -dx)) % 360.0
    bins = np.floor(((bearing + 45.0) % 360.0) / 90.0).astype(np.int64) % 4
    return xy, offsets, bins


# --------------------------------------------------------------------------------------------
# Shared walls between pairs: compiled kernel and its NumPy reference
# --------------------------------------------------------------------------------------------
#
# Why a kernel of our own rather than momepy.shared_walls or a buffer/intersection in shapely:
# momepy.shared_walls measures the length of shapely.intersection(boundary_i, boundary_j), which
# is zero unless the two walls coincide exactly, while register footprints of neighbouring
# houses are routinely a few centimetres apart or overlap by a few centimetres. Buffering j by
# the tolerance and clipping i's boundary with it does survive gaps, but it also counts the two
# short perpendicular stubs at each end of the wall (≈ 2 × tolerance per pair), and a buffer
# plus an intersection costs ~20 µs per pair in GEOS (10 s for 200,000 buildings). The kernel
# works on the edges directly: a stretch of i's edge counts as shared with j where an edge of j
# runs anti-parallel to it (the two rings face each other) within max_wall_angle_deg and within
# tolerance_m of it on either side (gap or overlap); the stretches found on one edge of i are
# merged as intervals so that j's collinear vertices never count twice.


@njit(cache=True, parallel=True)
def _shared_walls_kernel(pi, pj, coords, ring_offsets, bld_offsets, bounds, tol, cos_max,
                         out_len, out_bins):
    for p in prange(pi.shape[0]):
        i = pi[p]
        j = pj[p]
        # edges of j near i's envelope, copied once per pair: (x0, y0, x1, y1, length)
        iminx = bounds[i, 0] - tol
        iminy = bounds[i, 1] - tol
        imaxx = bounds[i, 2] + tol
        imaxy = bounds[i, 3] + tol
        nb_max = ring_offsets[bld_offsets[j + 1]] - ring_offsets[bld_offsets[j]]
        near = np.empty((nb_max, 5))
        nb = 0
        for r in range(bld_offsets[j], bld_offsets[j + 1]):
            for k in range(ring_offsets[r], ring_offsets[r + 1] - 1):
                x0 = coords[k, 0]
                y0 = coords[k, 1]
                x1 = coords[k + 1, 0]
                y1 = coords[k + 1, 1]
                if (max(x0, x1) < iminx or min(x0, x1) > imaxx
                        or max(y0, y1) < iminy or min(y0, y1) > imaxy):
                    continue
                lb = np.hypot(x1 - x0, y1 - y0)
                if lb == 0.0:
                    continue
                near[nb, 0] = x0
                near[nb, 1] = y0
                near[nb, 2] = x1
                near[nb, 3] = y1
                near[nb, 4] = lb
                nb += 1
        if nb == 0:
            continue
        jminx = bounds[j, 0] - tol
        jminy = bounds[j, 1] - tol
        jmaxx = bounds[j, 2] + tol
        jmaxy = bounds[j, 3] + tol
        starts = np.empty(nb)
        ends = np.empty(nb)
        total = 0.0
        for r in range(bld_offsets[i], bld_offsets[i + 1]):
            for a in range(ring_offsets[r], ring_offsets[r + 1] - 1):
                ax0 = coords[a, 0]
                ay0 = coords[a, 1]
                ax1 = coords[a + 1, 0]
                ay1 = coords[a + 1, 1]
                if (max(ax0, ax1) < jminx or min(ax0, ax1) > jmaxx
                        or max(ay0, ay1) < jminy or min(ay0, ay1) > jmaxy):
                    continue
                la = np.hypot(ax1 - ax0, ay1 - ay0)
                if la == 0.0:
                    continue
                ux = (ax1 - ax0) / la
                uy = (ay1 - ay0) / la
                k = 0
                for b in range(nb):
                    bx0 = near[b, 0]
                    by0 = near[b, 1]
                    bx1 = near[b, 2]
                    by1 = near[b, 3]
                    if (max(bx0, bx1) < min(ax0, ax1) - tol
                            or min(bx0, bx1) > max(ax0, ax1) + tol
                            or max(by0, by1) < min(ay0, ay1) - tol
                            or min(by0, by1) > max(ay0, ay1) + tol):
                        continue
                    if (ux * (bx1 - bx0) + uy * (by1 - by0)) / near[b, 4] > -cos_max:
                        continue  # not anti-parallel: not the same wall seen from both sides
                    # signed distance along the outward normal (uy, −ux), position along u
                    d0 = (bx0 - ax0) * uy - (by0 - ay0) * ux
                    d1 = (bx1 - ax0) * uy - (by1 - ay0) * ux
                    t0 = (bx0 - ax0) * ux + (by0 - ay0) * uy
                    t1 = (bx1 - ax0) * ux + (by1 - ay0) * uy
                    dd = d1 - d0
                    if abs(dd) < 1e-12:
                        if abs(d0) > tol:
                            continue
                        s_lo = 0.0
                        s_hi = 1.0
                    else:
                        sa = (-tol - d0) / dd
                        sb = (tol - d0) / dd
                        s_lo = max(0.0, min(sa, sb))
                        s_hi = min(1.0, max(sa, sb))
                        if s_hi <= s_lo:
                            continue
                    ta = t0 + s_lo * (t1 - t0)
                    tb = t0 + s_hi * (t1 - t0)
                    lo = max(0.0, min(ta, tb))
                    hi = min(la, max(ta, tb))
                    if hi > lo:
                        # insertion sort by start; k stays small (edges of j facing edge a)
                        m = k
                        while m > 0 and starts[m - 1] > lo:
                            starts[m] = starts[m - 1]
                            ends[m] = ends[m - 1]
                            m -= 1
                        starts[m] = lo
                        ends[m] = hi
                        k += 1
                if k == 0:
                    continue
                covered = 0.0
                reach = -1.0
                for m in range(k):
                    s = max(starts[m], reach)
                    if ends[m] > s:
                        covered += ends[m] - s
                    if ends[m] > reach:
                        reach = ends[m]
                total += covered
                out_bins[p, _compass_bin(ux, uy)] += covered
        out_len[p] = total


def _shared_walls_numpy(pi, pj, rings, tol, cos_max):
    """Readable NumPy version of :func:`_shared_walls_kernel` (tests hold the two equal).

    Loops over pairs in Python and is vectorised over the edges of each pair; for tests only.
    """
    xy, offsets, bins = _edges_numpy(rings)
    out_len = np.zeros(len(pi))
    out_bins = np.zeros((len(pi), 4))
    for p, (i, j) in enumerate(zip(pi, pj, strict=True)):
        a = xy[offsets[i] : offsets[i + 1]]
        b = xy[offsets[j] : offsets[j + 1]]
        if len(a) == 0 or len(b) == 0:
            continue
        la = np.hypot(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1])[:, None]
        ux = (a[:, 2:3] - a[:, 0:1]) / la
        uy = (a[:, 3:4] - a[:, 1:2]) / la
        vx, vy = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
        anti = (ux * vx + uy * vy) / np.hypot(vx, vy) <= -cos_max
        rx0, ry0 = b[:, 0] - a[:, 0:1], b[:, 1] - a[:, 1:2]
        rx1, ry1 = b[:, 2] - a[:, 0:1], b[:, 3] - a[:, 1:2]
        d0, d1 = rx0 * uy - ry0 * ux, rx1 * uy - ry1 * ux
        t0, t1 = rx0 * ux + ry0 * uy, rx1 * ux + ry1 * uy
        dd = d1 - d0
        flat = np.abs(dd) < 1e-12
        with np.errstate(divide="ignore", invalid="ignore"):
            sa, sb = (-tol - d0) / dd, (tol - d0) / dd
        s_lo = np.where(flat, 0.0, np.maximum(0.0, np.minimum(sa, sb)))
        s_hi = np.where(flat, np.where(np.abs(d0) <= tol, 1.0, 0.0),
                        np.minimum(1.0, np.maximum(sa, sb)))
        ta, tb = t0 + s_lo * (t1 - t0), t0 + s_hi * (t1 - t0)
        lo = np.maximum(0.0, np.minimum(ta, tb))
        hi = np.minimum(la, np.maximum(ta, tb))
        ok = anti & (s_hi > s_lo) & (hi > lo)
        lo = np.where(ok, lo, np.inf)
        hi = np.where(ok, hi, -np.inf)
        # union of the intervals on each edge of i: sort by start, keep a running reach
        order = np.argsort(lo, axis=1, kind="stable")
        lo = np.take_along_axis(lo, order, axis=1)
        hi = np.take_along_axis(hi, order, axis=1)
        reach = np.maximum.accumulate(hi, axis=1)
        prev = np.concatenate([np.full((len(a), 1), -np.inf), reach[:, :-1]], axis=1)
        seg = np.where(np.isfinite(lo), np.maximum(0.0, hi - np.maximum(lo, prev)), 0.0)
        covered = seg.sum(axis=1)
        out_len[p] = covered.sum()
        out_bins[p] = np.bincount(bins[offsets[i] : offsets[i + 1]], weights=covered,
                                  minlength=4)
    return out_len, out_bins


# --------------------------------------------------------------------------------------------
# Overlap between pairs: compiled kernel and its NumPy reference
# --------------------------------------------------------------------------------------------
#
# The register keeps superseded versions of buildings next to the current ones, drawn over each
# other. A GEOS intersection per candidate pair would measure the overlap area exactly but costs
# ~20 µs on these vertex-heavy footprints; the share of i's boundary that lies inside j is
# enough to tell "drawn over" from "built against", and a point-in-polygon test per boundary
# sample is cheap. Each edge of i is sampled at the centres of its quarters, each sample moved
# tolerance_m into i (so that a wall shared with j, or overlapping it by less than the
# tolerance, counts as outside j) and tested against j's exterior rings (even-odd rule).

_N_SAMPLES = 4


@njit(cache=True, parallel=True)
def _inside_frac_kernel(pi, pj, coords, ring_offsets, bld_offsets, bounds, tol, out):
    for p in prange(pi.shape[0]):
        i = pi[p]
        j = pj[p]
        # edges of j that a rightward ray from a sample inside i's envelope can cross
        nb_max = ring_offsets[bld_offsets[j + 1]] - ring_offsets[bld_offsets[j]]
        near = np.empty((nb_max, 4))
        nb = 0
        for s in range(bld_offsets[j], bld_offsets[j + 1]):
            for b in range(ring_offsets[s], ring_offsets[s + 1] - 1):
                by0 = coords[b, 1]
                by1 = coords[b + 1, 1]
                if (by0 == by1 or max(by0, by1) < bounds[i, 1] or min(by0, by1) > bounds[i, 3]
                        or max(coords[b, 0], coords[b + 1, 0]) < bounds[i, 0]):
                    continue
                near[nb, 0] = coords[b, 0]
                near[nb, 1] = by0
                near[nb, 2] = coords[b + 1, 0]
                near[nb, 3] = by1
                nb += 1
        inside_len = 0.0
        total_len = 0.0
        for r in range(bld_offsets[i], bld_offsets[i + 1]):
            for a in range(ring_offsets[r], ring_offsets[r + 1] - 1):
                ax0 = coords[a, 0]
                ay0 = coords[a, 1]
                ax1 = coords[a + 1, 0]
                ay1 = coords[a + 1, 1]
                la = np.hypot(ax1 - ax0, ay1 - ay0)
                if la == 0.0:
                    continue
                total_len += la
                if nb == 0:
                    continue
                # inward normal (left of the direction of a counter-clockwise ring)
                nx = -(ay1 - ay0) / la * tol
                ny = (ax1 - ax0) / la * tol
                for q in range(_N_SAMPLES):
                    f = (q + 0.5) / _N_SAMPLES
                    px = ax0 + f * (ax1 - ax0) + nx
                    py = ay0 + f * (ay1 - ay0) + ny
                    if (px < bounds[j, 0] or px > bounds[j, 2]
                            or py < bounds[j, 1] or py > bounds[j, 3]):
                        continue
                    crossings = 0
                    for b in range(nb):
                        by0 = near[b, 1]
                        by1 = near[b, 3]
                        if (by0 > py) != (by1 > py):
                            x = near[b, 0] + (py - by0) * (near[b, 2] - near[b, 0]) / (by1 - by0)
                            if x > px:
                                crossings += 1
                    if crossings % 2 == 1:
                        inside_len += la / _N_SAMPLES
        out[p] = inside_len / total_len if total_len > 0.0 else 0.0


def _inside_frac_numpy(pi, pj, rings, tol):
    """Readable NumPy version of :func:`_inside_frac_kernel` (tests hold the two equal)."""
    xy, offsets, _ = _edges_numpy(rings)
    out = np.zeros(len(pi))
    f = (np.arange(_N_SAMPLES) + 0.5) / _N_SAMPLES
    for p, (i, j) in enumerate(zip(pi, pj, strict=True)):
        a = xy[offsets[i] : offsets[i + 1]]
        b = xy[offsets[j] : offsets[j + 1]]
        if len(a) == 0:
            continue
        dx, dy = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
        la = np.hypot(dx, dy)
        px = (a[:, 0:1] + f * dx[:, None] - dy[:, None] / la[:, None] * tol).ravel()
        py = (a[:, 1:2] + f * dy[:, None] + dx[:, None] / la[:, None] * tol).ravel()
        by0, by1 = b[:, 1], b[:, 3]
        spans = (by0[None, :] > py[:, None]) != (by1[None, :] > py[:, None])
        with np.errstate(divide="ignore", invalid="ignore"):
            x = b[:, 0] + (py[:, None] - by0) * (b[:, 2] - b[:, 0]) / (by1 - by0)
        inside = (np.sum(spans & (x > px[:, None]), axis=1) % 2) == 1
        out[p] = np.sum(np.repeat(la / _N_SAMPLES, _N_SAMPLES)[inside]) / la.sum()
    return out


# --------------------------------------------------------------------------------------------
# Wall length per compass bin: compiled kernel and its NumPy reference
# --------------------------------------------------------------------------------------------


@njit(cache=True, parallel=True)
def _perimeter_bins_kernel(coords, ring_offsets, bld_offsets, out):
    for i in prange(bld_offsets.shape[0] - 1):
        for r in range(bld_offsets[i], bld_offsets[i + 1]):
            for a in range(ring_offsets[r], ring_offsets[r + 1] - 1):
                dx = coords[a + 1, 0] - coords[a, 0]
                dy = coords[a + 1, 1] - coords[a, 1]
                la = np.hypot(dx, dy)
                if la > 0.0:
                    out[i, _compass_bin(dx / la, dy / la)] += la


def _perimeter_bins_numpy(rings: _Rings) -> np.ndarray:
    """Exterior wall length per footprint and compass bin, shape (n, 4) (reference)."""
    xy, offsets, bins = _edges_numpy(rings)
    n = len(offsets) - 1
    owner = np.repeat(np.arange(n), np.diff(offsets))
    length = np.hypot(xy[:, 2] - xy[:, 0], xy[:, 3] - xy[:, 1])
    return np.bincount(owner * 4 + bins, weights=length, minlength=4 * n).reshape(n, 4)


def _perimeter_bins(rings: _Rings) -> np.ndarray:
    out = np.zeros((len(rings.bld_offsets) - 1, 4))
    _perimeter_bins_kernel(rings.coords, rings.ring_offsets, rings.bld_offsets, out)
    return out


# --------------------------------------------------------------------------------------------
# Connected components: compiled kernel and its NumPy reference
# --------------------------------------------------------------------------------------------


@njit(cache=True)
def _components_kernel(n, ei, ej, out):
    # union-find with path halving; out[k] ends as the smallest position in k's component
    for k in range(n):
        out[k] = k
    for e in range(ei.shape[0]):
        a = ei[e]
        while out[a] != a:
            out[a] = out[out[a]]
            a = out[a]
        b = ej[e]
        while out[b] != b:
            out[b] = out[out[b]]
            b = out[b]
        if a < b:
            out[b] = a
        elif b < a:
            out[a] = b
    for k in range(n):
        r = k
        while out[r] != r:
            r = out[r]
        out[k] = r


def _components_numpy(n: int, ei: np.ndarray, ej: np.ndarray) -> np.ndarray:
    """Smallest position in each node's component, by min-label propagation (reference)."""
    label = np.arange(n, dtype=np.int64)
    while True:
        new = label.copy()
        np.minimum.at(new, ei, label[ej])
        np.minimum.at(new, ej, label[ei])
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def _components(n: int, ei: np.ndarray, ej: np.ndarray) -> np.ndarray:
    out = np.empty(n, dtype=np.int64)
    _components_kernel(n, np.ascontiguousarray(ei, dtype=np.int64),
                       np.ascontiguousarray(ej, dtype=np.int64), out)
    return out


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def footprint_metrics(footprints: gpd.GeoSeries) -> pd.DataFrame:
    """Area and perimeter of each footprint.

    Parameters
    ----------
    footprints : geopandas.GeoSeries
        Polygons or MultiPolygons in EPSG:31370, any index.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``footprints``, with ``footprint_area_m2`` [m²] (holes excluded) and
        ``perimeter_m`` [m], the length of the exterior ring(s).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> s = gpd.GeoSeries([shapely.box(0, 0, 6, 10)], crs=31370)
    >>> footprint_metrics(s).iloc[0].tolist()
    [60.0, 32.0]
    """
    geoms = _check_footprints(footprints)
    return pd.DataFrame(
        {"footprint_area_m2": shapely.area(geoms).astype(np.float64),
         "perimeter_m": _exterior_length(geoms)},
        index=footprints.index,
    )


def _exterior_length(geoms: np.ndarray) -> np.ndarray:
    """Length of the exterior ring(s) of each footprint [m]."""
    length = shapely.length(geoms).astype(np.float64)  # includes holes
    if len(geoms) == 0:
        return length
    not_simple = np.flatnonzero(
        (shapely.get_type_id(geoms) != 3) | (shapely.get_num_interior_rings(geoms) > 0)
    )
    if len(not_simple):
        parts, owner = shapely.get_parts(geoms[not_simple], return_index=True)
        length[not_simple] = np.bincount(
            owner, weights=shapely.length(shapely.get_exterior_ring(parts)),
            minlength=len(not_simple),
        )
    return length


def find_adjacency(
    footprints: gpd.GeoSeries,
    *,
    tolerance_m: float,
    min_shared_length_m: float | None = None,
    max_wall_angle_deg: float | None = None,
) -> pd.DataFrame:
    """Pairs of footprints that share a wall (within a tolerance) or are drawn over each other.

    One bulk STRtree query on the footprints' envelopes grown by ``tolerance_m`` gives the
    candidate pairs; a compiled kernel then measures, for every ordered pair (i, j), the length
    of i's exterior boundary that runs along j: edges facing each other (anti-parallel within
    ``max_wall_angle_deg``) and no further apart than ``tolerance_m`` on either side, so that
    small gaps and small overlaps between register polygons give the same answer as exact
    touching, and a corner touch gives ~0. For pairs whose envelopes overlap, a second kernel
    measures how much of i's boundary lies inside j (one building drawn over another).

    Parameters
    ----------
    footprints : geopandas.GeoSeries
        Polygons or MultiPolygons in EPSG:31370, any index.
    tolerance_m : float
        Largest gap or overlap between two walls that still counts as one shared wall [m].
    min_shared_length_m : float, optional
        Shared lengths below this are corner touches: set to 0, and the row dropped unless the
        footprints overlap [m]. Default from ``wijkreno/params/geometry.toml``.
    max_wall_angle_deg : float, optional
        Walls more than this from anti-parallel do not count as shared [deg]. Default from
        ``wijkreno/params/geometry.toml``.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair (both directions), RangeIndex, sorted by (i, j):

        - ``i``, ``j`` (int64): positions (0 … n−1) in ``footprints``;
        - ``shared_length_m`` [m]: length of i's boundary that runs along j;
        - ``shared_n_m``, ``shared_e_m``, ``shared_s_m``, ``shared_w_m`` [m]: the same length
          split by the compass bin of i's outward wall normal (north = +y, bins ±45°); they
          sum to ``shared_length_m``;
        - ``overlap_frac`` [-]: share of i's boundary lying more than ``tolerance_m`` inside
          j: 1 when i is drawn entirely inside j, 0 for neighbours that touch or overlap by
          less than the tolerance.

    Raises
    ------
    InputError
        For a non-positive tolerance or non-polygonal, missing or empty geometries.
    CRSError
        When the footprints are not in EPSG:31370.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> row = gpd.GeoSeries([shapely.box(0, 0, 6, 10), shapely.box(6.03, 0, 12, 10)], crs=31370)
    >>> find_adjacency(row, tolerance_m=0.2)[["i", "j", "shared_length_m"]].round(2).values.tolist()
    [[0.0, 1.0, 10.0], [1.0, 0.0, 10.0]]
    """
    geoms = _check_footprints(footprints)
    if not np.isfinite(tolerance_m) or tolerance_m <= 0:
        raise InputError(f"tolerance_m must be a positive number of metres, got {tolerance_m!r}.")
    if min_shared_length_m is None or max_wall_angle_deg is None:
        defaults = load_geometry_params()
        if min_shared_length_m is None:
            min_shared_length_m = defaults.min_shared_length_m
        if max_wall_angle_deg is None:
            max_wall_angle_deg = defaults.max_wall_angle_deg
    n = len(geoms)
    if n < 2:
        return _empty_adjacency()

    tol = float(tolerance_m)
    bounds = np.ascontiguousarray(shapely.bounds(geoms))
    grown = shapely.box(bounds[:, 0] - tol, bounds[:, 1] - tol, bounds[:, 2] + tol,
                        bounds[:, 3] + tol)
    # One bulk query: envelopes grown by the tolerance against the footprints' envelopes,
    # without a GEOS predicate. The kernel measures the shared length itself, and a dwithin
    # predicate would cost ~30x more on these vertex-heavy footprints.
    pi, pj = shapely.STRtree(geoms).query(grown)
    keep = pi != pj
    pi, pj = pi[keep].astype(np.int64), pj[keep].astype(np.int64)
    order = np.lexsort((pj, pi))
    pi, pj = pi[order], pj[order]
    if len(pi) == 0:
        return _empty_adjacency()

    rings = _exterior_rings(geoms)
    shared = np.zeros(len(pi))
    shared_bins = np.zeros((len(pi), 4))
    _shared_walls_kernel(pi, pj, rings.coords, rings.ring_offsets, rings.bld_offsets, bounds,
                         tol, float(np.cos(np.radians(max_wall_angle_deg))), shared,
                         shared_bins)

    # Overlap only where the envelopes overlap by more than the tolerance both ways (needed for
    # any boundary sample of i to lie inside j).
    ox = np.minimum(bounds[pi, 2], bounds[pj, 2]) - np.maximum(bounds[pi, 0], bounds[pj, 0])
    oy = np.minimum(bounds[pi, 3], bounds[pj, 3]) - np.maximum(bounds[pi, 1], bounds[pj, 1])
    deep = np.flatnonzero((ox > tol) & (oy > tol))
    overlap = np.zeros(len(pi))
    if len(deep):
        frac = np.zeros(len(deep))
        _inside_frac_kernel(pi[deep], pj[deep], rings.coords, rings.ring_offsets,
                            rings.bld_offsets, bounds, tol, frac)
        overlap[deep] = frac

    corner = shared < min_shared_length_m
    shared[corner] = 0.0
    shared_bins[corner] = 0.0
    keep = ~corner | (overlap > 0.0)
    logger.debug("find_adjacency: %d candidate pairs, %d overlap tests, %d rows kept",
                 len(pi), len(deep), int(keep.sum()))
    frame = pd.DataFrame({"i": pi[keep], "j": pj[keep], "shared_length_m": shared[keep]})
    for k, o in enumerate(ORIENTATIONS):
        frame[f"shared_{o}_m"] = shared_bins[keep, k]
    frame["overlap_frac"] = overlap[keep]
    return frame


def _empty_adjacency() -> pd.DataFrame:
    frame = pd.DataFrame({c: np.zeros(0, dtype=np.float64) for c in ADJACENCY_COLUMNS})
    return frame.astype({"i": np.int64, "j": np.int64})


def _check_adjacency(adjacency: pd.DataFrame, n: int) -> tuple[np.ndarray, ...]:
    missing = [c for c in ("i", "j", "shared_length_m") if c not in adjacency.columns]
    if missing:
        raise InputError(
            f"adjacency table lacks columns {missing} (has {list(adjacency.columns)}); build it "
            "with wijkreno.twin.geometry.find_adjacency on the same footprints."
        )
    ai = adjacency["i"].to_numpy(dtype=np.int64)
    aj = adjacency["j"].to_numpy(dtype=np.int64)
    if len(ai) and (min(ai.min(), aj.min()) < 0 or max(ai.max(), aj.max()) >= n):
        raise InputError(
            f"adjacency refers to positions outside 0…{n - 1}; it was built on other "
            "footprints than the ones given. Rebuild it with find_adjacency."
        )
    shared = adjacency["shared_length_m"].to_numpy(dtype=np.float64)
    overlap = (adjacency["overlap_frac"].to_numpy(dtype=np.float64)
               if "overlap_frac" in adjacency.columns else np.zeros(len(ai)))
    return ai, aj, shared, overlap


def classify_roles(
    footprints: gpd.GeoSeries, adjacency: pd.DataFrame, params: GeometryParams
) -> pd.DataFrame:
    """Tell main buildings from annexes, and link each annex to its main building.

    Rules (thresholds from :class:`GeometryParams`); a footprint is an annex when any holds:

    1. *drawn over*: more than ``contained_frac`` of its boundary lies inside a larger
       footprint (the register keeps superseded versions of a building) — one building drawn
       twice counts once;
    2. *too small*: area < ``min_main_area_m2``;
    3. *narrow*: the rectangle with its area and perimeter is narrower than
       ``narrow_max_width_m`` and the area is ≤ ``narrow_max_area_m2`` (carport, lean-to, row
       of garage boxes);
    4. *small and free-standing* (no wall shared with any footprint): area ≤
       ``freestanding_annex_max_area_m2`` (shed, detached garage);
    5. *small and attached*: area ≤ ``attached_annex_max_area_m2`` and ≤
       ``attached_annex_max_ratio_frac`` × the largest footprint it shares a wall with
       (garage, veranda, lean-to).

    Every other footprint is a main building. An attached annex belongs to the main building
    it shares the longest wall with; an annex touching only annexes inherits their main
    building (up to ``max_link_steps`` deep); a footprint drawn over another belongs to that
    one's main building. Free-standing annexes and annexes reaching no main building get -1.

    Parameters
    ----------
    footprints : geopandas.GeoSeries
        Polygons or MultiPolygons in EPSG:31370, any index.
    adjacency : pandas.DataFrame
        Output of :func:`find_adjacency` on the same footprints.
    params : GeometryParams
        Thresholds, see :func:`load_geometry_params`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``footprints``: ``building_role`` (categorical 'main' | 'annex') and
        ``main_position`` (int64): own position for a main building, the position of its main
        building for an annex, -1 for an annex that belongs to none.
    """
    geoms = _check_footprints(footprints)
    n = len(geoms)
    ai, aj, shared, overlap = _check_adjacency(adjacency, n)
    area = shapely.area(geoms).astype(np.float64)

    wall = shared >= params.min_shared_length_m
    # 1. drawn over a larger footprint (ties broken by position so that one copy survives)
    larger_j = (area[aj] > area[ai]) | ((area[aj] == area[ai]) & (aj < ai))
    inside = (overlap > params.contained_frac) & larger_j
    contained = np.zeros(n, dtype=bool)
    contained[ai[inside]] = True

    n_walls = np.bincount(ai[wall], minlength=n)
    max_nb_area = np.zeros(n)
    np.maximum.at(max_nb_area, ai[wall], area[aj[wall]])
    # shapely.length includes holes; they are rare slivers and only nudge this shape measure
    width = _equivalent_width(area, shapely.length(geoms))

    free = n_walls == 0
    annex = (
        contained
        | (area < params.min_main_area_m2)
        | ((width < params.narrow_max_width_m) & (area <= params.narrow_max_area_m2))
        | (free & (area <= params.freestanding_annex_max_area_m2))
        | (~free & (area <= params.attached_annex_max_area_m2)
           & (area <= params.attached_annex_max_ratio_frac * max_nb_area))
    )

    main_position = np.where(annex, -1, np.arange(n, dtype=np.int64))
    # drawn-over footprint → the largest footprint it lies in
    if inside.any():
        ci, cj = ai[inside], aj[inside]
        order = np.lexsort((-area[cj], ci))
        ci, cj = ci[order], cj[order]
        first = np.r_[True, ci[1:] != ci[:-1]]
        main_position[ci[first]] = cj[first]
    # attached annex → neighbour over the longest wall, main buildings first; annexes touching
    # only annexes inherit their main building, one round per step (vectorised per round)
    link = wall & annex[ai] & ~contained[ai]
    li, lj, ls, lmain = ai[link], aj[link], shared[link], ~annex[aj[link]]
    for _ in range(params.max_link_steps):
        target = main_position[lj]
        ok = (target >= 0) & (target != li) & (main_position[li] < 0)
        if not ok.any():
            break
        order = np.lexsort((-ls[ok], ~lmain[ok], li[ok]))
        si, st = li[ok][order], target[ok][order]
        first = np.r_[True, si[1:] != si[:-1]]
        main_position[si[first]] = st[first]
    # a link that ends on an annex (a copy drawn over a shed) follows that annex's link
    for _ in range(params.max_link_steps):
        hop = (main_position >= 0) & annex & annex[np.maximum(main_position, 0)]
        if not hop.any():
            break
        main_position[hop] = main_position[main_position[hop]]
    main_position[annex & (main_position >= 0) & annex[np.maximum(main_position, 0)]] = -1

    role = pd.Categorical(np.where(annex, "annex", "main"), categories=list(BUILDING_ROLES))
    logger.debug("classify_roles: %d main, %d annex (%d drawn over, %d without main)",
                 int((~annex).sum()), int(annex.sum()), int(contained.sum()),
                 int((annex & (main_position < 0)).sum()))
    return pd.DataFrame({"building_role": role, "main_position": main_position},
                        index=footprints.index)


def _equivalent_width(area: np.ndarray, perimeter: np.ndarray) -> np.ndarray:
    """Short side of the rectangle with the footprint's area and perimeter [m].

    Solves w·l = A, 2(w + l) = P for the short side w. A cheap, vectorised stand-in for the
    minimum rotated rectangle (a convex hull per footprint): exact for rectangles, and the arm
    width for L- and U-shapes, which is what the narrowness rule needs. Shapes rounder than a
    square get P/4.
    """
    half = perimeter / 2.0
    return (half - np.sqrt(np.clip(half**2 - 4.0 * area, 0.0, None))) / 2.0


def party_walls(
    footprints: gpd.GeoSeries, adjacency: pd.DataFrame, is_main: np.ndarray
) -> pd.DataFrame:
    """Party walls between main buildings, blocks, annex walls and exposed walls by orientation.

    Parameters
    ----------
    footprints : geopandas.GeoSeries
        Polygons or MultiPolygons in EPSG:31370, any index.
    adjacency : pandas.DataFrame
        Output of :func:`find_adjacency` on the same footprints.
    is_main : numpy.ndarray of bool, shape (n,)
        True for main buildings (``classify_roles(...)["building_role"] == "main"``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``footprints``; for a main building:

        - ``n_party_walls`` (int64): number of main buildings it shares a wall with;
        - ``party_wall_length_m`` [m]: boundary shared with other main buildings;
        - ``block_id`` (int64): connected component of the party-wall graph among main
          buildings, numbered 0, 1, … in order of each block's first position (a detached
          house is a block of its own);
        - ``exposed_wall_n_m``, ``exposed_wall_e_m``, ``exposed_wall_s_m``,
          ``exposed_wall_w_m`` [m]: exterior boundary shared with no other footprint, binned by
          the outward normal's compass direction (north = +y, bins ±45° around N, E, S, W);
        - ``annex_wall_length_m`` [m]: boundary shared with annexes (its own or a
          neighbour's): a wall to an unheated space, neither party wall nor exposed.

        ``perimeter_m = party_wall_length_m + annex_wall_length_m + Σ exposed_wall_*_m``
        (up to rounding; exposed lengths are clipped at 0 where two neighbours overlap each
        other along the same wall). For annexes all columns are 0 and ``block_id`` is -1.

    Notes
    -----
    Contacts shorter than the ``min_shared_length_m`` used by :func:`find_adjacency` carry a
    shared length of 0 and count as exposed wall.
    """
    geoms = _check_footprints(footprints)
    n = len(geoms)
    is_main = np.asarray(is_main)
    if is_main.shape != (n,) or is_main.dtype != bool:
        raise InputError(
            f"is_main must be a boolean array with one value per footprint ({n}), got dtype "
            f"{is_main.dtype} and shape {is_main.shape}; use "
            "roles['building_role'].to_numpy() == 'main'."
        )
    ai, aj, shared, _ = _check_adjacency(adjacency, n)
    shared_cols = [f"shared_{o}_m" for o in ORIENTATIONS]
    if not set(shared_cols) <= set(adjacency.columns):
        raise InputError(
            f"adjacency table lacks the per-orientation columns {shared_cols} (has "
            f"{list(adjacency.columns)}); build it with wijkreno.twin.geometry.find_adjacency."
        )
    shared_o = adjacency[shared_cols].to_numpy(dtype=np.float64).reshape(-1, 4)

    wall = is_main[ai] & (shared > 0.0)
    mm = wall & is_main[aj]
    ma = wall & ~is_main[aj]
    n_party = np.bincount(ai[mm], minlength=n).astype(np.int64)
    party_len = np.bincount(ai[mm], weights=shared[mm], minlength=n)
    annex_len = np.bincount(ai[ma], weights=shared[ma], minlength=n)

    exposed = _perimeter_bins(_exterior_rings(geoms)) if n else np.zeros((0, 4))
    for k in range(4):
        exposed[:, k] -= np.bincount(ai[wall], weights=shared_o[wall, k], minlength=n)
    np.clip(exposed, 0.0, None, out=exposed)
    exposed[~is_main] = 0.0

    block = np.full(n, -1, dtype=np.int64)
    if is_main.any():
        root = _components(n, ai[mm], aj[mm])
        block[is_main] = np.unique(root[is_main], return_inverse=True)[1]

    out = pd.DataFrame(
        {
            "n_party_walls": np.where(is_main, n_party, 0),
            "party_wall_length_m": np.where(is_main, party_len, 0.0),
            "block_id": block,
        },
        index=footprints.index,
    )
    for k, o in enumerate(ORIENTATIONS):
        out[f"exposed_wall_{o}_m"] = exposed[:, k]
    out["annex_wall_length_m"] = np.where(is_main, annex_len, 0.0)
    return out
