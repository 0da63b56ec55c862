"""CSV exports that a spreadsheet opens safely: no cell is read as a formula.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel and LibreOffice (CSV or formula injection, OWASP "CSV Injection"); a register
note ``=cmd|' /C calc'!A0`` would run when a municipality opens the export. Such cells get a
leading apostrophe, which spreadsheets show as text; numbers and dates are left alone.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula."""


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a formula (prefixed with ``'``)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v
                        for v in out[col]]
    return out


def write_safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with BOM (Excel shows accents) after
    :func:`neutralise_formulas`."""
    path = Path(path)
    neutralise_formulas(frame).to_csv(path, index=False, encoding="utf-8-sig")
    return path


__all__ = ["FORMULA_START", "neutralise_formulas", "write_safe_csv"]
