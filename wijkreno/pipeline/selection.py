"""Selecting dwellings of a twin by street or by an address list (trajectories, sheets)."""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.io.tables import read_csv


def select_streets(dwellings: pd.DataFrame, streets: list[str]) -> np.ndarray:
    """Boolean mask of the dwellings on any of ``streets`` (case-insensitive).

    A street that is not in the twin is an :class:`InputError` that suggests close names.
    """
    names = dwellings["street"].astype("string").fillna("")
    known = sorted(set(names) - {""})
    lower = names.str.lower().to_numpy(dtype=object)
    keep = np.zeros(len(dwellings), dtype=bool)
    for street in streets:
        hit = lower == street.strip().lower()
        if not hit.any():
            close = difflib.get_close_matches(street, known, n=5, cutoff=0.6)
            hint = f" Bedoelde u / did you mean: {', '.join(close)}?" if close else ""
            raise InputError(
                f"street {street!r} is not in the twin ({len(known)} streets).{hint}"
            )
        keep |= hit
    return keep


def select_addresses(dwellings: pd.DataFrame, path: Path) -> np.ndarray:
    """Boolean mask of the dwellings listed in the CSV ``path`` (``adres_id`` and/or
    ``dwelling_id`` column); ids not in the twin are an :class:`InputError`."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"the address list {path} does not exist; check the path.")
    table = read_csv(path, "address list", dtype=str)
    cols = [c for c in ("adres_id", "dwelling_id") if c in table.columns]
    if not cols:
        raise InputError(
            f"the address list {path} needs a column adres_id or dwelling_id; it has "
            f"{list(table.columns)}."
        )
    keep = np.zeros(len(dwellings), dtype=bool)
    missing: list[str] = []
    for col in cols:
        wanted = table[col].dropna().str.strip()
        have = dwellings[col].astype("string")
        keep |= have.isin(set(wanted)).fillna(False).to_numpy(dtype=bool)
        missing += sorted(set(wanted) - set(have.dropna()))
    if missing:
        raise InputError(
            f"{len(missing)} ids of {path} are not in the twin, e.g. {missing[:5]}; check them "
            "against the twin's dwellings (dwelling_id / adres_id)."
        )
    return keep
