"""Fluvius metered gas and electricity per statistical sector, and calibration files.

Source: Fluvius, "verbruiksgegevens per statistische sector", aggregated by Provincies in Cijfers
(``../shared/data/fluvius_verbruik_statsec``, see its PROVENANCE.md): residential and
non-residential offtake [kWh yr⁻¹] and connection counts per 2019 sector code, 2018–2021.
Source column names become house names here (:data:`FLUVIUS_FIELDS`).

Calibration files (:func:`write_calibration`, :func:`read_calibration`) are versioned JSON
documents written by :mod:`wijkreno.aggregate.calibration` (``format`` and
``format_version`` checked on reading).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.io._common import require_file
from wijkreno.io.atomic import write_text_atomic

FLUVIUS_FIELDS: dict[str, str] = {
    "geoitem": "sector_code",
    "period": "year",
    "v2506_gas_res_cons": "gas_residential_kwh",
    "v2506_gas_res_n": "gas_residential_connections",
    "v2506_gas_nietres_cons": "gas_nonresidential_kwh",
    "v2506_gas_nietres_n": "gas_nonresidential_connections",
    "v2506_elek_res_cons": "electricity_residential_kwh",
    "v2506_elek_res_n": "electricity_residential_connections",
    "v2506_elek_nietres_cons": "electricity_nonresidential_kwh",
    "v2506_elek_nietres_n": "electricity_nonresidential_connections",
    "v2506_elek_res_injectie": "electricity_injection_kwh",
}
"""Provincies in Cijfers column → house name (kWh per year, or number of connections)."""

FLUVIUS_FILE = "fluvius_verbruik_statsec2019_2018_2021.csv"
"""File name of the per-sector table inside the Fluvius folder."""

KEY_FILE = "statsec2019_to_statsec2024.csv"
"""File name of the 2019 → 2024 sector-code key inside the Fluvius folder."""

MISSING_VALUE = -99999
"""Value of every field outside Fluvius territory (Brussels)."""

CALIBRATION_FORMAT = "wijkreno-calibration"
CALIBRATION_FORMAT_VERSION = 1


def _resolve(path: str | Path, name: str) -> Path:
    p = Path(path)
    return p / name if p.is_dir() else p


def read_fluvius_sectors(
    path: str | Path, *, years: Sequence[int] | None = None, to_2024: bool = False,
) -> pd.DataFrame:
    """Read Fluvius' residential and non-residential offtake per statistical sector.

    Parameters
    ----------
    path : str or Path
        The CSV (``fluvius_verbruik_statsec2019_2018_2021.csv``) or the folder holding it.
    years : sequence of int, optional
        Consumption years to keep (2018–2021); all when None.
    to_2024 : bool
        Add ``sector_code_2024`` from ``statsec2019_to_statsec2024.csv`` beside the CSV.

    Returns
    -------
    pandas.DataFrame
        One row per sector (2019 code, ``sector_code``) and ``year``: ``nis_code`` (first five
        characters), ``is_unknown_area`` (``<NIS5>ZZZZ``: connections not attributable to a
        sector) and the :data:`FLUVIUS_FIELDS` columns [kWh yr⁻¹ or connections]. Brussels
        rows (every value -99999) are dropped. A 0 may mean "suppressed", not "none".

    Raises
    ------
    InputError
        When the file is missing, lacks a column, or no row is left for the years asked.
    """
    file = require_file(_resolve(path, FLUVIUS_FILE), "Fluvius per-sector consumption table")
    raw = pd.read_csv(file, dtype={"geoitem": str})
    missing = sorted(set(FLUVIUS_FIELDS) - set(raw.columns))
    if missing:
        raise InputError(
            f"{file} lacks the columns {missing}; expected the Provincies in Cijfers export "
            f"with {sorted(FLUVIUS_FIELDS)}."
        )
    frame = raw[list(FLUVIUS_FIELDS)].rename(columns=FLUVIUS_FIELDS)
    values = [c for c in frame.columns if c not in ("sector_code", "year")]
    frame = frame[~(frame[values] == MISSING_VALUE).any(axis=1)]
    if years is not None:
        frame = frame[frame["year"].isin([int(y) for y in years])]
        if frame.empty:
            raise InputError(
                f"{file} has no rows for the years {list(years)} (it holds 2018–2021)."
            )
    frame = frame.copy()
    frame["sector_code"] = frame["sector_code"].str.strip()
    frame["nis_code"] = frame["sector_code"].str[:5]
    frame["is_unknown_area"] = frame["sector_code"].str.upper().str.endswith("ZZZZ")
    for c in values:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(np.float64)
    if to_2024:
        key = read_sector_key(file.parent / KEY_FILE)
        frame = frame.merge(key, left_on="sector_code", right_on="sector_code_2019", how="left")
        frame = frame.drop(columns="sector_code_2019")
    return frame.reset_index(drop=True)


def read_sector_key(path: str | Path) -> pd.DataFrame:
    """Read the statsec2019 → statsec2024 key (``sector_code_2019``, ``sector_code_2024``)."""
    file = require_file(_resolve(path, KEY_FILE), "sector code key 2019 → 2024")
    key = pd.read_csv(file, dtype=str).rename(
        columns={"statsec2019": "sector_code_2019", "statsec2024": "sector_code_2024"})
    if not {"sector_code_2019", "sector_code_2024"} <= set(key.columns):
        raise InputError(f"{file} needs the columns statsec2019 and statsec2024.")
    key = key.dropna().apply(lambda s: s.str.strip())
    return key[key["sector_code_2019"] != ""].drop_duplicates("sector_code_2019")


def write_calibration(document: dict[str, Any], path: str | Path) -> Path:
    """Write a calibration document (a dict from ``Calibration.to_dict()``) as JSON.

    The document is stamped with :data:`CALIBRATION_FORMAT` and its version.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"format": CALIBRATION_FORMAT, "format_version": CALIBRATION_FORMAT_VERSION, **document}
    # atomic: later runs read it (``simulate --calibration``), a half-written file must not stay
    return write_text_atomic(out, json.dumps(doc, indent=2, sort_keys=False, allow_nan=False))


def read_calibration(path: str | Path) -> dict[str, Any]:
    """Read a calibration file written by :func:`write_calibration`.

    Raises
    ------
    InputError
        When the file is missing, not JSON, not a wijkreno calibration or of a newer format.
    """
    file = require_file(path, "calibration file")
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{file} is not JSON ({exc}); pass a file from `validate meters`."
        ) from exc
    if not isinstance(doc, dict) or doc.get("format") != CALIBRATION_FORMAT:
        raise InputError(
            f"{file} is not a wijkreno calibration file (format {CALIBRATION_FORMAT!r})."
        )
    if int(doc.get("format_version", 0)) > CALIBRATION_FORMAT_VERSION:
        raise InputError(
            f"{file} has calibration format version {doc.get('format_version')}; this wijkreno "
            f"reads up to {CALIBRATION_FORMAT_VERSION}. Update wijkreno."
        )
    return doc
