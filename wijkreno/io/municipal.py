"""Municipal counts the LEKP targets scale with: households, housing units, inhabitants.

``read_households``
    Statbel private households per municipality. The table names municipalities (Dutch name,
    no NIS code); names are joined to NIS codes through the REFNIS codebook of the gebouwenpark
    extract (upper-case names). Names are compared after normalisation (accents removed, case
    folded, punctuation and spaces dropped), so "Sint-Genesius-Rode" and "SINT-GENESIUS-RODE"
    or "Kortrijk" and "KORTRIJK " match.
``housing_units_from_gebouwenpark``
    Housing units (woongelegenheden, statistic T8) summed over the building types R1-R6.
``read_inhabitants``
    An optional two-column table ``nis_code, inhabitants`` (Statbel population per municipality
    is not among the shared extracts; give it as a CSV).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from wijkreno.errors import InputError
from wijkreno.io._common import require_file
from wijkreno.twin.schema import STATBEL_BUILDING_TYPES

# Statbel be.STAT "Particuliere huishoudens" per municipality (huishoudens_gemeente.csv).
HOUSEHOLD_FIELDS = {
    "Gemeente": "municipality_name",
    "Type particulier huishouden niveau 1": "household_type",
    "Grootte particulier huishouden niveau 1": "household_size",
    "Particuliere huishoudens": "households",
}

# Statbel REFNIS codebook (codebook_refnis.csv of the gebouwenpark extract).
REFNIS_FIELDS = {"CD_REFNIS": "nis_code", "CD_REFNIS_NL": "municipality_name",
                 "CD_REFNIS_LVL": "level"}

HOUSING_UNITS_STAT = "T8"
"""Statbel gebouwenpark statistic 'Aantal woongelegenheden' (housing units)."""


def normalise_name(name: str) -> str:
    """Municipality name reduced for comparison: no accents, case folded, letters/digits only."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def read_refnis(path: str | Path) -> pd.DataFrame:
    """Read the REFNIS codebook: ``nis_code`` (5 characters), ``municipality_name``, ``level``.

    Only municipalities (level 5) are returned.
    """
    path = require_file(path, "Statbel REFNIS codebook")
    table = pd.read_csv(path, dtype=str)
    missing = [c for c in REFNIS_FIELDS if c not in table.columns]
    if missing:
        raise InputError(f"{path} is not a Statbel REFNIS codebook: columns {missing} are "
                         f"missing (found {list(table.columns)}).")
    table = table.rename(columns=REFNIS_FIELDS)[list(REFNIS_FIELDS.values())]
    table["nis_code"] = table["nis_code"].str.strip().str.zfill(5)
    table = table[table["level"].str.strip() == "5"]
    return table.reset_index(drop=True)


def read_households(path: str | Path, nis_code: str, *,
                    refnis: str | Path | None = None) -> int:
    """Private households of one municipality (Statbel), found by name through its NIS code.

    Parameters
    ----------
    path : str or Path
        ``huishoudens_gemeente.csv`` (columns ``Gemeente``, ``Type particulier huishouden
        niveau 1``, ``Grootte particulier huishouden niveau 1``, ``Particuliere huishoudens``).
    nis_code : str
        NIS5 code of the municipality.
    refnis : str or Path, optional
        The REFNIS codebook; ``codebook_refnis.csv`` next to the households file's folder's
        sibling ``statbel_gebouwenpark_2025`` when None.

    Returns
    -------
    int
        The municipality's total of private households (the row without type and size; the
        sum of the detailed rows when the total row is absent).

    Raises
    ------
    InputError
        When a file is missing or malformed, the NIS code is not a municipality of the
        codebook, or its name is not in the households table.
    """
    path = require_file(path, "Statbel households table")
    if refnis is None:
        refnis = Path(path).parent.parent / "statbel_gebouwenpark_2025" / "codebook_refnis.csv"
    codes = read_refnis(refnis)
    nis = str(nis_code).strip().zfill(5)
    hit = codes[codes["nis_code"] == nis]
    if hit.empty:
        raise InputError(f"NIS code {nis} is not a municipality in the REFNIS codebook "
                         f"{refnis}; give a 5-digit municipality code (e.g. 12002 Berlaar).")
    name = hit["municipality_name"].iloc[0]
    table = pd.read_csv(path)
    missing = [c for c in HOUSEHOLD_FIELDS if c not in table.columns]
    if missing:
        raise InputError(f"{path} is not the Statbel households table: columns {missing} are "
                         f"missing (found {list(table.columns)}).")
    table = table.rename(columns=HOUSEHOLD_FIELDS)
    key = table["municipality_name"].map(normalise_name)
    rows = table[key == normalise_name(name)]
    if rows.empty:
        raise InputError(f"the households table {path} has no municipality named {name!r} "
                         f"(NIS {nis}); check the name in the table or give --households.")
    total = rows[rows["household_type"].isna() & rows["household_size"].isna()]
    if not total.empty:
        return int(round(float(total["households"].iloc[0])))
    return int(round(float(rows["households"].fillna(0).sum())))


def housing_units_from_gebouwenpark(table: pd.DataFrame, nis_code: str) -> int:
    """Housing units of one municipality: gebouwenpark T8 summed over R1-R6.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`wijkreno.io.statbel.read_gebouwenpark` (columns ``nis_code``,
        ``stat_type``, ``building_type``, ``count``).
    nis_code : str

    Returns
    -------
    int

    Raises
    ------
    InputError
        When the table has no T8 row for the municipality.
    """
    need = ["nis_code", "stat_type", "building_type", "count"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise InputError(f"the gebouwenpark table lacks {missing}; read it with "
                         "wijkreno.io.statbel.read_gebouwenpark.")
    nis = str(nis_code).strip().zfill(5)
    rows = table[(table["nis_code"].astype(str) == nis)
                 & (table["stat_type"] == HOUSING_UNITS_STAT)
                 & table["building_type"].isin(STATBEL_BUILDING_TYPES)]
    if rows.empty:
        raise InputError(f"the gebouwenpark table has no housing-unit counts ({HOUSING_UNITS_STAT})"
                         f" for NIS {nis}; give the table of that municipality or "
                         "--housing-units.")
    return int(round(float(rows["count"].fillna(0).sum())))


def read_inhabitants(path: str | Path, nis_code: str) -> int:
    """Inhabitants of one municipality from a CSV with columns ``nis_code, inhabitants``."""
    path = require_file(path, "inhabitants table")
    table = pd.read_csv(path, dtype={"nis_code": str})
    if not {"nis_code", "inhabitants"} <= set(table.columns):
        raise InputError(f"{path} needs columns nis_code, inhabitants; found "
                         f"{list(table.columns)}.")
    nis = str(nis_code).strip().zfill(5)
    rows = table[table["nis_code"].str.strip().str.zfill(5) == nis]
    if rows.empty:
        raise InputError(f"{path} has no row for NIS {nis}.")
    return int(rows["inhabitants"].iloc[0])


__all__ = [
    "housing_units_from_gebouwenpark",
    "normalise_name",
    "read_households",
    "read_inhabitants",
    "read_refnis",
]
