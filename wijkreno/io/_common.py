"""Checks shared by the readers: files that must exist, frames that must be in Lambert 72."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from wijkreno.errors import CRSError, InputError

LAMBERT72 = 31370


def require_file(path: str | Path, what: str) -> Path:
    """Return ``path`` as a Path; raise :class:`InputError` when it is missing or empty."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"the {what} file {path} is empty.")
    return path


def ensure_lambert72(frame: gpd.GeoDataFrame, *, what: str) -> gpd.GeoDataFrame:
    """Return ``frame`` in EPSG:31370; refuse a frame without CRS, reproject a declared one."""
    if frame.crs is None:
        raise CRSError(
            f"{what} has no coordinate reference system. Declare it: add the .prj file of a "
            f"shapefile, or call .set_crs({LAMBERT72}) if the coordinates are Belgian Lambert 72 "
            "(or 3812 for Lambert 2008)."
        )
    if frame.crs.to_epsg() != LAMBERT72:
        return frame.to_crs(LAMBERT72)
    return frame
