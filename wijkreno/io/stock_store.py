"""Write the outputs of the Flanders-wide statistical stock (tables and a summary)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

STOCK_TABLES: dict[str, str] = {
    "sectors": "per_sector",
    "municipalities": "per_gemeente",
    "dwellings": "woningen",
}
"""Table key → file stem (Parquet, and CSV for the area tables) in the output folder."""

SUMMARY_FILE = "samenvatting.json"


def write_stock_outputs(out_dir: str | Path, tables: dict[str, pd.DataFrame],
                        summary: dict[str, Any]) -> dict[str, Path]:
    """Write each table as Parquet (area tables also as CSV) and the summary as JSON.

    Returns the paths written, by table key (``summary`` for the JSON).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for key, frame in tables.items():
        stem = STOCK_TABLES.get(key, key)
        plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
        path = out / f"{stem}.parquet"
        plain.to_parquet(path, index=False)
        written[key] = path
        if key != "dwellings":
            plain.to_csv(out / f"{stem}.csv", index=False)
    path = out / SUMMARY_FILE
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    written["summary"] = path
    return written
