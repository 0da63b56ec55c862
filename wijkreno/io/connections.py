"""Fluvius residential connections per statistical sector, keyed to today's municipalities.

Reads Provincies in Cijfers' aggregation of Fluvius' open data "verbruiksgegevens per
statistische sector" (``fluvius_verbruik_statsec2019_2018_2021.csv``: 2019 sector codes, years
2018-2021) and returns, for one year, one row per sector with the residential connection counts
and offtake under house names (:data:`CONNECTION_FIELDS`), and the municipality (NIS5) of the
sector in the code list of Statbel's 2025 tables (after the 2025 mergers), so that the sectors
join Statbel's gebouwenpark.

The municipality is found from the sector code: its first five characters are the 2019-2024
NIS code (no merger between 2019 and 2024); the 2025 sector hierarchy keeps the old NIS prefix
in the sector codes of merged municipalities, which gives each old code its 2025 municipality.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wijkreno.errors import InputError
from wijkreno.io._common import require_file

CONNECTION_FIELDS = {
    "geoitem": "sector_code",
    "period": "year",
    "v2506_elek_res_n": "n_electricity_connections",
    "v2506_gas_res_n": "n_gas_connections",
    "v2506_elek_res_cons": "metered_electricity_kwh",
    "v2506_gas_res_cons": "metered_gas_kwh",
}
"""Source column → house name (residential = Fluvius sector HUISHOUDENS)."""


def municipality_2025_by_prefix(hierarchy_2025: pd.DataFrame) -> pd.Series:
    """Old NIS5 prefix of sector codes → 2025 municipality (from the 2025 sector hierarchy).

    Parameters
    ----------
    hierarchy_2025 : DataFrame
        ``statsec_hierarchy_2025.csv`` of Provincies in Cijfers (``statsec``, ``gemeente``).
    """
    for col in ("statsec", "gemeente"):
        if col not in hierarchy_2025.columns:
            raise InputError(
                f"the 2025 sector hierarchy lacks {col!r} (columns: "
                f"{list(hierarchy_2025.columns)}); give statsec_hierarchy_2025.csv."
            )
    frame = pd.DataFrame({
        "prefix": hierarchy_2025["statsec"].astype(str).str[:5],
        "nis_code": hierarchy_2025["gemeente"].astype(str).str.zfill(5),
    })
    # each old prefix lies in one 2025 municipality; take the most frequent in case of noise
    return (frame.groupby("prefix")["nis_code"]
            .agg(lambda s: s.value_counts().index[0]))


def read_residential_connections(
    path: str | Path,
    hierarchy_2025: str | Path,
    *,
    year: int = 2021,
) -> pd.DataFrame:
    """Read residential connections and offtake per statistical sector for one year.

    Parameters
    ----------
    path : str or Path
        ``fluvius_verbruik_statsec2019_2018_2021.csv`` (columns of :data:`CONNECTION_FIELDS`).
    hierarchy_2025 : str or Path
        ``statsec_hierarchy_2025.csv`` (Provincies in Cijfers), for the 2025 municipality.
    year : int
        Consumption year (2018-2021).

    Returns
    -------
    pandas.DataFrame
        One row per sector of Fluvius' territory (Brussels' ``-99999`` rows dropped):
        ``sector_code`` (2019 code, 9 characters; ``<NIS5>ZZZZ`` = connections not attributed to
        a sector), ``nis_code`` (2025 municipality), ``nis_code_2019``, ``year``,
        ``n_electricity_connections``, ``n_gas_connections``, ``metered_electricity_kwh``,
        ``metered_gas_kwh`` [kWh per year]. ``attrs["unmapped"]`` lists sector codes whose
        municipality the hierarchy does not know (left out).
    """
    path = require_file(path, "Fluvius consumption per sector")
    hpath = require_file(hierarchy_2025, "2025 sector hierarchy")
    try:
        table = pd.read_csv(path, dtype={"geoitem": str})
        hierarchy = pd.read_csv(hpath, dtype=str)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read {path} or {hpath}: {exc}") from exc
    missing = [c for c in CONNECTION_FIELDS if c not in table.columns]
    if missing:
        raise InputError(
            f"{path} is not Fluvius' consumption per sector (Provincies in Cijfers layout): "
            f"columns {missing} are missing (found {list(table.columns)})."
        )
    years = sorted(table["period"].dropna().astype(int).unique())
    if year not in years:
        raise InputError(f"{path} has no rows for year {year}; it holds {years}.")
    table = table[table["period"].astype(int) == year].rename(columns=CONNECTION_FIELDS)
    table = table[list(CONNECTION_FIELDS.values())]
    table = table[table["n_electricity_connections"] >= 0]  # Brussels: -99999
    table["sector_code"] = table["sector_code"].str.strip()
    table["nis_code_2019"] = table["sector_code"].str[:5]
    by_prefix = municipality_2025_by_prefix(hierarchy)
    table["nis_code"] = table["nis_code_2019"].map(by_prefix)
    unmapped = table.loc[table["nis_code"].isna(), "sector_code"].tolist()
    table = table.dropna(subset=["nis_code"]).reset_index(drop=True)
    table.attrs["unmapped"] = unmapped
    table.attrs["year"] = int(year)
    return table[["sector_code", "nis_code", "nis_code_2019", "year",
                  "n_electricity_connections", "n_gas_connections",
                  "metered_electricity_kwh", "metered_gas_kwh"]]
