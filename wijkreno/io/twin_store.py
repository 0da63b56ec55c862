"""Writing and reading a twin folder.

A twin folder holds::

    buildings.parquet     GeoParquet, EPSG:31370, one row per building
    dwellings.parquet     GeoParquet, EPSG:31370, one row per dwelling
    rejected.csv          every input row that could not be used, with the reason
    quality/*.csv         data-quality tables (inputs, attributes, typology, periods, links)
    quality.json          the same tables plus run metadata, for machines
    twin.gpkg             optional: both layers as a GeoPackage for older GIS software

Each Parquet file carries the twin schema (column, unit, description) in its key-value metadata
under ``wijkreno:schema``, so that a GIS analyst can see units without the docs.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from wijkreno.errors import InputError
from wijkreno.io.atomic import atomic_path, write_text_atomic
from wijkreno.twin.schema import BUILDINGS, DWELLINGS, TableSchema, validate_table

SCHEMA_KEY = b"wijkreno:schema"

TWIN_FILES: dict[str, str] = {
    "buildings": "buildings.parquet",
    "dwellings": "dwellings.parquet",
    "rejected": "rejected.csv",
    "quality": "quality.json",
    "quality_tables": "quality",
    "gpkg": "twin.gpkg",
}
"""File names of a twin folder (the layout above); :class:`wijkreno.pipeline.Workspace` uses
these for its ``twin`` stage."""


def _schema_json(schema: TableSchema) -> bytes:
    cols = [
        {"name": c.name, "dtype": c.dtype, "unit": c.unit, "description": c.description,
         "source_flag": f"{c.name}_source" if c.has_source else None}
        for c in schema.columns
    ]
    return json.dumps({"table": schema.name, "columns": cols}, ensure_ascii=False).encode()


def write_table(frame: gpd.GeoDataFrame, path: Path, schema: TableSchema) -> None:
    """Write a twin table as GeoParquet with its schema in the file's metadata, atomically
    (:func:`wijkreno.io.atomic.atomic_path`: a killed write leaves the old file)."""
    validate_table(frame, schema)
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    meta = dict(table.schema.metadata or {})
    meta[SCHEMA_KEY] = _schema_json(schema)
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata(meta), tmp)


def read_twin_file(twin_dir: str | Path, name: str) -> gpd.GeoDataFrame:
    """Read ``<twin_dir>/<name>`` (GeoParquet) without validating it; clear errors otherwise."""
    twin_dir = Path(twin_dir)
    if not twin_dir.is_dir():
        raise InputError(
            f"twin folder {twin_dir} does not exist; build one with `wijkreno twin build` or "
            "`wijkreno demo`, then pass its folder."
        )
    path = twin_dir / name
    if not path.exists():
        raise InputError(
            f"{path} does not exist: {twin_dir} is not a twin folder (it needs {name} written "
            "by `wijkreno twin build`)."
        )
    try:
        return gpd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - unreadable file is the user's input problem
        raise InputError(f"cannot read {path} as GeoParquet: {exc}") from exc


def read_table(path: str | Path, schema: TableSchema) -> gpd.GeoDataFrame:
    """Read and validate a twin table written by :func:`write_table`."""
    path = Path(path)
    frame = read_twin_file(path.parent, path.name)
    validate_table(frame, schema)
    return frame


def _jsonable(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def write_twin(
    out_dir: str | Path,
    buildings: gpd.GeoDataFrame,
    dwellings: gpd.GeoDataFrame,
    rejected: pd.DataFrame,
    quality: dict[str, pd.DataFrame],
    metadata: dict[str, Any] | None = None,
    *,
    gpkg: bool = False,
) -> dict[str, Path]:
    """Write a twin folder (see the module docstring) and return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / TWIN_FILES[name]
             for name in ("buildings", "dwellings", "rejected", "quality")}
    write_table(buildings, paths["buildings"], BUILDINGS)
    write_table(dwellings, paths["dwellings"], DWELLINGS)
    with atomic_path(paths["rejected"]) as tmp:
        rejected.to_csv(tmp, index=False)
    write_quality(out, quality, metadata)
    if gpkg:
        paths["gpkg"] = write_twin_gpkg(out / TWIN_FILES["gpkg"], buildings, dwellings)
    return paths


def write_quality(
    out_dir: str | Path, quality: dict[str, pd.DataFrame], metadata: dict[str, Any] | None = None
) -> Path:
    """Write the data-quality tables as ``quality/<name>.csv`` and, with the run metadata,
    ``quality.json``; return the path of ``quality.json``."""
    out = Path(out_dir)
    (out / TWIN_FILES["quality_tables"]).mkdir(parents=True, exist_ok=True)
    for name, table in quality.items():
        # atomic: a run killed mid-write leaves the previous file, never half of one
        with atomic_path(out / TWIN_FILES["quality_tables"] / f"{name}.csv") as tmp:
            table.to_csv(tmp, index=False)
    doc = {"metadata": metadata or {}, **{k: _jsonable(v) for k, v in quality.items()}}
    path = out / TWIN_FILES["quality"]
    write_text_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False))
    return path


def write_twin_gpkg(path: str | Path, buildings: gpd.GeoDataFrame,
                    dwellings: gpd.GeoDataFrame) -> Path:
    """Write both twin layers to one GeoPackage (for GIS software without GeoParquet)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    for name, frame in (("buildings", buildings), ("dwellings", dwellings)):
        plain = frame.copy()
        for col in plain.columns:
            if isinstance(plain[col].dtype, pd.CategoricalDtype):
                plain[col] = plain[col].astype("string")
        plain.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


def read_twin(twin_dir: str | Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read ``buildings`` and ``dwellings`` of a twin folder, validated against the schema."""
    twin_dir = Path(twin_dir)
    return (read_table(twin_dir / TWIN_FILES["buildings"], BUILDINGS),
            read_table(twin_dir / TWIN_FILES["dwellings"], DWELLINGS))


def read_quality(twin_dir: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Read the data-quality tables and the run metadata of a twin folder (``quality.json``)."""
    path = Path(twin_dir) / TWIN_FILES["quality"]
    if not path.exists():
        raise InputError(f"{path} does not exist: {twin_dir} is not a twin folder written by "
                         "`wijkreno twin build`.")
    doc = json.loads(path.read_text(encoding="utf-8"))
    metadata = doc.pop("metadata", {})
    return {name: pd.DataFrame(rows) for name, rows in doc.items()}, metadata
