"""Maps and map files of aggregated areas.

- :func:`write_area_files`: GeoParquet (EPSG:31370), GeoJSON (EPSG:4326, the web edge only) and
  CSV (no geometry) of one aggregation level;
- :func:`wijkreno.maps.static_map.render_png`: a static choropleth (matplotlib, mapclassify);
- :func:`wijkreno.maps.web_map.render_html`: a self-contained interactive map (MapLibre GL JS
  inlined from the vendored npm files; works offline from ``file://``).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from wijkreno.maps.static_map import ATTRIBUTION, classify_areas, render_png
from wijkreno.maps.web_map import render_html

__all__ = ["ATTRIBUTION", "classify_areas", "render_html", "render_png", "write_area_files"]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals and pandas string/nullable dtypes as plain columns that every format takes."""
    out = frame.copy()
    out.attrs = {}  # pandas writes attrs into Parquet metadata; they need not be JSON-able
    for col in out.columns:
        if col == getattr(out, "_geometry_column_name", None):
            continue
        dtype = out[col].dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
            out[col] = out[col].astype("object").where(out[col].notna(), None)
        elif isinstance(dtype, pd.BooleanDtype | pd.Int64Dtype):
            out[col] = out[col].astype("float64") if out[col].isna().any() else out[col].astype(
                "bool" if isinstance(dtype, pd.BooleanDtype) else "int64")
    return out


def write_area_files(
    frame: gpd.GeoDataFrame, folder: str | Path, stem: str = "areas"
) -> dict[str, Path]:
    """Write one aggregation level as GeoParquet, GeoJSON and CSV.

    Parameters
    ----------
    frame : GeoDataFrame
        Aggregated areas (EPSG:31370), e.g. ``aggregate_dwellings`` joined with
        ``priority_score``.
    folder : str or Path
        Output folder (created).
    stem : str
        File name without extension.

    Returns
    -------
    dict
        ``{"parquet": ..., "geojson": ..., "csv": ...}``. The GeoJSON is reprojected to
        EPSG:4326 (RFC 7946, 6 decimals) and holds only areas with a geometry; the CSV holds
        every row without geometry; the GeoParquet keeps EPSG:31370.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"parquet": folder / f"{stem}.parquet", "geojson": folder / f"{stem}.geojson",
             "csv": folder / f"{stem}.csv"}
    plain = _plain(frame)
    plain.to_parquet(paths["parquet"], index=False)
    pd.DataFrame(plain.drop(columns=plain.geometry.name)).to_csv(paths["csv"], index=False)
    web = plain[~(plain.geometry.isna() | plain.geometry.is_empty)].to_crs(4326)
    paths["geojson"].unlink(missing_ok=True)
    web.to_file(paths["geojson"], driver="GeoJSON", engine="pyogrio",
                layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "6"})
    return paths
