"""The coordinate reference system of wijkreno and the one policy for frames that are not in it.

Every geometry is computed in Belgian Lambert 72 (:data:`CRS_EPSG`, EPSG:31370); EPSG:4326 is
used only where GeoJSON leaves the API. :func:`require_lambert72` is the single policy for a
frame handed to wijkreno:

* no CRS: refused, always (a CRS is never guessed); the message says to declare it with
  ``.set_crs(31370)`` if the coordinates are Lambert 72;
* another CRS: reprojected where the caller reads sources and asks for it (``reproject=True``,
  the readers of :mod:`wijkreno.io` and the twin's entry point), refused elsewhere with a message
  that names both CRSs and ``.to_crs(31370)``.

This module sits at the bottom beside :mod:`wijkreno.errors`: the readers, the compute stages,
the maps and the web app all import it, and it imports nothing of wijkreno but the errors.
"""

from __future__ import annotations

from typing import TypeVar

import geopandas as gpd

from wijkreno.errors import CRSError

CRS_EPSG = 31370
"""EPSG code of Belgian Lambert 72, the CRS of every geometry wijkreno computes with."""

Geo = TypeVar("Geo", gpd.GeoDataFrame, gpd.GeoSeries)


def _name(crs: object) -> str:
    epsg = crs.to_epsg()  # type: ignore[attr-defined]
    name = crs.name  # type: ignore[attr-defined]
    return f"EPSG:{epsg} ({name})" if epsg else str(name)


def require_lambert72(frame: Geo, what: str, *, reproject: bool = False, hint: str = "") -> Geo:
    """Return ``frame`` in EPSG:31370, or refuse it with a message that says how to fix it.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or geopandas.GeoSeries
        The geometries handed in.
    what : str
        How to call them in messages (``"the dwellings"``, ``"the sector layer"``).
    reproject : bool
        Reproject a frame whose CRS is declared but another (readers); False refuses it.
    hint : str
        Extra advice for a frame without CRS (a reader adds how to declare it in its file).

    Returns
    -------
    GeoDataFrame or GeoSeries
        ``frame`` itself when it is in EPSG:31370, else its reprojection.

    Raises
    ------
    CRSError
        When ``frame`` has no CRS, or another CRS and ``reproject`` is False.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> s = gpd.GeoSeries([shapely.Point(4.35, 50.85)], crs=4326)
    >>> require_lambert72(s, "the points", reproject=True).crs.to_epsg()
    31370
    """
    if frame.crs is None:
        raise CRSError(
            f"{what}: no coordinate reference system (CRS); wijkreno computes in "
            f"EPSG:{CRS_EPSG} (Belgian Lambert 72). Declare it with .set_crs({CRS_EPSG}) if the "
            f"coordinates are Lambert 72, otherwise declare their CRS and reproject with "
            f".to_crs({CRS_EPSG}).{' ' + hint if hint else ''}"
        )
    if frame.crs.to_epsg() == CRS_EPSG:
        return frame
    if reproject:
        return frame.to_crs(CRS_EPSG)
    raise CRSError(
        f"{what}: in {_name(frame.crs)}, wijkreno computes in EPSG:{CRS_EPSG} (Belgian "
        f"Lambert 72); reproject with .to_crs({CRS_EPSG})."
    )


__all__ = ["CRS_EPSG", "require_lambert72"]
