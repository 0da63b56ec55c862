"""Statbel tables: the building stock ("gebouwenpark"), statistical sectors and wijken.

Official field names become house names here (see :data:`GEBOUWENPARK_FIELDS`,
:data:`SECTOR_FIELDS`, :data:`WIJK_FIELDS`, :data:`HIERARCHY_FIELDS`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError
from wijkreno.io._common import require_file

# Statbel open data "Gebouwenpark" in long layout (one count per row).
# Source: Statbel, building stock 1 January 2025; layout as in
# ../shared/data/statbel_gebouwenpark_2025/gebouwenpark_2025_long.csv.
GEBOUWENPARK_FIELDS = {
    "CD_YEAR": "year",
    "CD_REFNIS": "nis_code",
    "CD_STAT_TYPE": "stat_type",
    "CD_BUILDING_TYPE": "building_type",
    "MS_VALUE": "count",
}

# Statbel statistical sectors (sh_statbel_statistical_sectors_31370_*.shp).
SECTOR_FIELDS = {
    "CD_SECTOR": "sector_code",
    "TX_SECTOR_DESCR_NL": "sector_name",
    "CD_MUNTY_REFNIS": "nis_code",
    "TX_MUNTY_DESCR_NL": "municipality_name",
}

# Provincies in Cijfers "gemeentegedragen wijken" (ggw7.shp).
WIJK_FIELDS = {"geoitem": "wijk_code", "naam": "wijk_name"}

# Provincies in Cijfers statsec_als_basis.xlsx (statsec_hierarchy_2025.csv).
HIERARCHY_FIELDS = {
    "statsec": "sector_code",
    "statsec_naam": "sector_name",
    "gemeente": "nis_code",
    "gemeente_naam": "municipality_name",
    "ggw7": "wijk_code",
}


def read_gebouwenpark(path: str | Path, nis_code: str | None = None) -> pd.DataFrame:
    """Read a Statbel building-stock table ("gebouwenpark", long layout).

    Parameters
    ----------
    path : str or Path
        CSV with columns CD_YEAR, CD_REFNIS, CD_STAT_TYPE, CD_BUILDING_TYPE, MS_VALUE.
    nis_code : str, optional
        Keep only this municipality (NIS5). Raises when the table has no row for it.

    Returns
    -------
    pandas.DataFrame
        Columns year, nis_code (str), stat_type, building_type, count (float, NaN where Statbel
        suppressed the value).
    """
    path = require_file(path, "Statbel building-stock table")
    try:
        table = pd.read_csv(path, dtype={"CD_REFNIS": str, "CD_STAT_TYPE": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read the Statbel table {path}: {exc}") from exc
    missing = [c for c in GEBOUWENPARK_FIELDS if c not in table.columns]
    if missing:
        raise InputError(
            f"{path} is not a Statbel gebouwenpark table in long layout: columns {missing} are "
            f"missing (found {list(table.columns)}). Expected {list(GEBOUWENPARK_FIELDS)}."
        )
    table = table.rename(columns=GEBOUWENPARK_FIELDS)[list(GEBOUWENPARK_FIELDS.values())]
    table["nis_code"] = table["nis_code"].str.strip().str.zfill(5)
    if nis_code is not None:
        nis_code = str(nis_code).zfill(5)
        table = table[table["nis_code"] == nis_code]
        if table.empty:
            raise InputError(
                f"the Statbel table {path} has no rows for NIS code {nis_code}; check the code "
                "(5 digits, e.g. 13002 for Baarle-Hertog) or give the table of that municipality."
            )
    return table.reset_index(drop=True)


def read_sectors(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read statistical sectors (Statbel layout) or wijken (Provincies in Cijfers ggw7 layout).

    Returns a GeoDataFrame in EPSG:31370 with ``sector_code`` (and ``sector_name``,
    ``nis_code`` when present) for sectors, or ``wijk_code``/``wijk_name`` for wijken.
    """
    path = require_file(path, "sector or wijk layer")
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - any driver error is a bad file for the user
        raise InputError(f"cannot read the sector/wijk layer {path}: {exc}") from exc
    if frame.empty:
        raise InputError(f"the sector/wijk layer {path} has no features")
    if "CD_SECTOR" in frame.columns:
        mapping = SECTOR_FIELDS
    elif "geoitem" in frame.columns:
        mapping = WIJK_FIELDS
    else:
        raise InputError(
            f"{path} has neither Statbel sector fields ({list(SECTOR_FIELDS)}) nor wijk fields "
            f"({list(WIJK_FIELDS)}); found {list(frame.columns)}."
        )
    frame = frame.rename(columns={k: v for k, v in mapping.items() if k in frame.columns})
    keep = [v for v in mapping.values() if v in frame.columns] + ["geometry"]
    frame = require_lambert72(frame[keep], str(path), reproject=True,
                              hint="Or add the .prj file of the shapefile.")
    for col in keep[:-1]:
        frame[col] = frame[col].astype("string")
    return frame


def read_sector_hierarchy(path: str | Path) -> pd.DataFrame:
    """Read the sector → wijk → municipality hierarchy (``statsec_hierarchy_2025.csv``)."""
    path = require_file(path, "sector hierarchy")
    table = pd.read_csv(path, dtype=str)
    missing = [c for c in HIERARCHY_FIELDS if c not in table.columns]
    if missing:
        raise InputError(
            f"{path} lacks hierarchy columns {missing}; expected the Provincies in Cijfers "
            "statsec_als_basis layout."
        )
    return table.rename(columns=HIERARCHY_FIELDS)[list(HIERARCHY_FIELDS.values())]
