"""Reading and writing the pipeline's tables: (Geo)Parquet, CSV, GeoJSON and JSON documents.

The pipeline's :class:`~wijkreno.pipeline.Workspace` decides *where* a table goes; this module
decides *how* it is written, so that every stage writes its files the same way:

- GeoParquet keeps EPSG:31370; categoricals are written as plain text so that every reader
  (pandas, GeoPandas, DuckDB, QGIS) opens the file;
- a CSV companion holds the same rows without geometry;
- GeoJSON is written in EPSG:4326 (RFC 7946, 6 decimals), the web edge only.

:func:`file_sha256` hashes files for the stage manifests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.io.atomic import atomic_path, write_text_atomic

_HASH_BLOCK = 1 << 20


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex), read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(_HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def categoricals_as_text(frame: pd.DataFrame, dtype: str = "string") -> pd.DataFrame:
    """A copy of ``frame`` with its categorical columns as text (``dtype``).

    Categoricals would otherwise reach Parquet as dictionary columns that not every reader
    takes, and CSV as their labels only by accident.
    """
    out = frame.copy()
    geometry = getattr(out, "_geometry_column_name", None)
    for col in out.columns:
        if col != geometry and isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(dtype)
    return out


def plain_for_gis(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals and pandas string/nullable dtypes as plain columns that every format takes
    (GeoParquet, GeoJSON, CSV); no ``attrs`` (they need not be JSON-able)."""
    out = frame.copy()
    out.attrs = {}
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
    plain = plain_for_gis(frame)
    write_parquet(plain, paths["parquet"])
    write_csv(plain, paths["csv"])
    write_geojson(plain, paths["geojson"])
    return paths


def without_geometry(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a plain DataFrame without its geometry column (for CSV files)."""
    if isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return pd.DataFrame(frame)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as (Geo)Parquet without its index."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:  # a killed run leaves the old file, never half of one
        frame.to_parquet(tmp, index=False)
    return path


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` without geometry and index as UTF-8 CSV."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        without_geometry(frame).to_csv(tmp, index=False)
    return path


def write_json(document: Any, path: str | Path) -> Path:
    """Write a JSON document (UTF-8, indented, non-ASCII kept)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(document, indent=2, ensure_ascii=False))
    return path


def write_text(text: str, path: str | Path) -> Path:
    """Write UTF-8 text (Markdown summaries)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
    return path


def write_geojson(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write the rows with a geometry as GeoJSON in EPSG:4326 (RFC 7946, 6 decimals)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    web = frame[~(frame.geometry.isna() | frame.geometry.is_empty)].to_crs(4326)
    path.unlink(missing_ok=True)
    web.to_file(path, driver="GeoJSON", engine="pyogrio",
                layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "6"})
    return path


def read_json(path: str | Path, what: str = "JSON") -> Any:
    """Read a JSON document; :class:`InputError` naming the file when it is missing or broken."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the {what} file {path} as JSON: {exc}") from exc


def read_csv(path: str | Path, what: str = "table", dtype: Any = None) -> pd.DataFrame:
    """Read a CSV file whatever its suffix; :class:`InputError` naming it when unreadable."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    try:
        return pd.read_csv(path, dtype=dtype)
    except Exception as exc:  # noqa: BLE001 - an unreadable file is the user's input problem
        raise InputError(f"cannot read the {what} {path} as CSV: {exc}") from None


def read_frame(path: str | Path, what: str = "table",
               dtype: dict[str, Any] | None = None,
               columns: list[str] | None = None) -> pd.DataFrame:
    """Read a table by its suffix: GeoParquet (or plain Parquet), CSV, or a vector GIS file.

    Parameters
    ----------
    path : str or Path
        ``.parquet``, ``.csv`` or any file GDAL reads (``.gpkg``, ``.geojson``, ``.shp``).
    what : str
        What the file holds, for the error message.
    dtype : dict, optional
        Column types of a CSV (identifiers as ``str``).
    columns : list of str, optional
        Read only these columns of a Parquet file (a plain DataFrame, no geometry).

    Returns
    -------
    DataFrame or GeoDataFrame
        A GeoDataFrame when the file carries geometry.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    try:
        if path.suffix == ".csv":
            return pd.read_csv(path, dtype=dtype)
        if path.suffix == ".parquet" and columns is not None:
            return pd.read_parquet(path, columns=columns)
        if path.suffix == ".parquet":
            try:
                return gpd.read_parquet(path)
            except ValueError:  # plain Parquet without geometry metadata
                return pd.read_parquet(path)
        return gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - an unreadable file is the user's input problem
        raise InputError(f"cannot read the {what} file {path}: {exc}") from exc
