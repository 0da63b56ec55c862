"""Street lines and street-name anchors drawn from the twin's address points.

The web map works offline: without a background map the twin itself must tell a coach where
she is. :func:`street_lines` gives every street of the address list an approximate centre line
(or one anchor point for a short street), good enough to carry the street's name at high zoom
and to draw a light line between the building footprints. It is a cartographic sketch, never a
road network: a street that bends sharply is drawn as its principal direction.

Method, per street (``street`` and ``postcode``):

1. the address points are split into runs that lie within ``max_gap_m`` of each other (single
   linkage over one bulk STRtree query; connected components), so that two parts of a street
   interrupted by a park, or two streets of the same name in different villages, are drawn
   apart;
2. each run is projected on its principal axis (the first eigenvector of the points' 2 x 2
   covariance); the axis is cut into bins of ``bin_m`` and the mean point of each bin (both
   sides of the street average out to about the centre line) becomes a vertex;
3. a run with a single vertex is an anchor point (the mean of its addresses).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError

STREET_LINE_COLUMNS: tuple[str, ...] = ("street", "postcode", "n_dwellings", "length_m")
"""Columns of :func:`street_lines` besides ``geometry``."""


def _runs(xy: np.ndarray, key: np.ndarray, max_gap_m: float) -> np.ndarray:
    """Run label of each point: connected components of same-key pairs within the gap."""
    n = len(xy)
    points = shapely.points(xy)
    tree = shapely.STRtree(points)
    left, right = tree.query(points, predicate="dwithin", distance=max_gap_m)
    same = key[left] == key[right]
    left, right = left[same], right[same]
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _run_geometry(xy: np.ndarray, bin_m: float) -> tuple[shapely.Geometry, float]:
    """Centre line (or anchor point) of one run of address points and its length [m]."""
    centre = xy.mean(axis=0)
    if len(xy) < 2:
        return shapely.Point(centre), 0.0
    d = xy - centre
    cov = d.T @ d / len(xy)
    _, vecs = np.linalg.eigh(cov)
    axis = vecs[:, -1]
    t = d @ axis
    span = float(t.max() - t.min())
    if span < bin_m:
        return shapely.Point(centre), 0.0
    n_bins = int(np.ceil(span / bin_m))
    idx = np.minimum(((t - t.min()) / bin_m).astype(np.int64), n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    sx = np.bincount(idx, weights=xy[:, 0], minlength=n_bins)
    sy = np.bincount(idx, weights=xy[:, 1], minlength=n_bins)
    keep = counts > 0
    verts = np.column_stack([sx[keep] / counts[keep], sy[keep] / counts[keep]])
    if len(verts) < 2:
        return shapely.Point(centre), 0.0
    line = shapely.LineString(verts)
    return line, float(line.length)


def street_lines(dwellings: gpd.GeoDataFrame, *, max_gap_m: float = 150.0,
                 bin_m: float = 40.0) -> gpd.GeoDataFrame:
    """Approximate street centre lines (or anchor points) from the address points.

    Parameters
    ----------
    dwellings : geopandas.GeoDataFrame
        The twin's dwellings (address points, EPSG:31370) with ``street`` and, when known,
        ``postcode``; rows without a street or without a point are left out.
    max_gap_m : float
        Largest distance between neighbouring addresses of one run of a street [m]; farther
        apart, the street is drawn as two runs. A cartographic choice, not a measured figure.
    bin_m : float
        Length of the bins along a run's principal axis whose mean points become the line's
        vertices [m] (shorter: follows a bend better, wobbles more between the two sides).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per run (EPSG:31370): :data:`STREET_LINE_COLUMNS` (``n_dwellings`` the
        addresses of the run, ``length_m`` 0 for an anchor point) and a LineString or Point
        geometry; sorted by street, postcode and position.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> pts = [shapely.Point(x, 0) for x in range(0, 200, 10)]
    >>> dw = gpd.GeoDataFrame({"street": ["Kerkstraat"] * 20, "postcode": ["9999"] * 20},
    ...                       geometry=pts, crs="EPSG:31370")
    >>> lines = street_lines(dw)
    >>> lines[["street", "n_dwellings"]].values.tolist(), lines.geom_type.tolist()
    ([['Kerkstraat', 20]], ['LineString'])
    """
    if not isinstance(dwellings, gpd.GeoDataFrame):
        raise InputError(f"street_lines needs the dwellings as a GeoDataFrame (address points), "
                         f"got {type(dwellings).__name__}.")
    if "street" not in dwellings.columns:
        raise InputError("street_lines needs a 'street' column; pass the twin's dwellings "
                         f"(columns received: {list(dwellings.columns)[:12]}).")
    if not (max_gap_m > 0 and bin_m > 0):
        raise InputError(f"max_gap_m and bin_m must be > 0, got {max_gap_m} and {bin_m}.")
    require_lambert72(dwellings, "the dwellings")
    empty = gpd.GeoDataFrame({c: pd.Series(dtype="int64" if c == "n_dwellings" else
                                           "float64" if c == "length_m" else "string")
                              for c in STREET_LINE_COLUMNS},
                             geometry=gpd.GeoSeries([], crs=dwellings.crs), crs=dwellings.crs)
    geom = dwellings.geometry.values
    street = dwellings["street"].astype("string").str.strip()
    postcode = (dwellings["postcode"].astype("string").str.strip()
                if "postcode" in dwellings.columns
                else pd.Series(pd.NA, index=dwellings.index, dtype="string"))
    ok = (street.fillna("").ne("") & ~shapely.is_missing(geom) & ~shapely.is_empty(geom)
          & (shapely.get_type_id(geom) == 0)).to_numpy()
    if not ok.any():
        return empty
    street, postcode = street[ok].to_numpy(dtype=object), postcode[ok].fillna("").to_numpy(
        dtype=object)
    xy = shapely.get_coordinates(geom[ok])
    key = pd.factorize(pd.Series(street + "\x1f" + postcode))[0]
    runs = _runs(xy, key, max_gap_m)
    order = np.lexsort((runs, key))
    bounds = np.flatnonzero(np.diff(runs[order], prepend=-1, append=-1))
    rows: list[tuple[str, str, int, float]] = []
    geoms: list[shapely.Geometry] = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        members = order[lo:hi]
        g, length = _run_geometry(xy[members], bin_m)
        first = members[0]
        rows.append((street[first], postcode[first], len(members), length))
        geoms.append(g)
    out = gpd.GeoDataFrame(pd.DataFrame(rows, columns=list(STREET_LINE_COLUMNS)),
                           geometry=geoms, crs=dwellings.crs)
    out["street"] = out["street"].astype("string")
    out["postcode"] = out["postcode"].replace("", pd.NA).astype("string")
    out["n_dwellings"] = out["n_dwellings"].astype("int64")
    return out.sort_values(["street", "postcode", "length_m"], ascending=[True, True, False],
                           kind="stable").reset_index(drop=True)


__all__ = ["STREET_LINE_COLUMNS", "street_lines"]
