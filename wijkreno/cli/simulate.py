"""``wijkreno simulate``: energy need, final/primary energy and EPC label of every dwelling.

Reads ``<twin>/dwellings.parquet`` (written by ``wijkreno twin build``), simulates it in chunks
with a progress bar, writes ``<out>/results.parquet`` (GeoParquet: the dwellings' points,
``dwelling_id``, ``gebouw_id`` and the results) and ``<out>/summary.json``, and prints the
summary. The lead registers it as ``app.command("simulate")(simulate)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wijkreno.cli._common import handle_errors
from wijkreno.errors import InputError
from wijkreno.io.twin_store import read_twin_file
from wijkreno.simulate.engine import simulate_dwellings, summarise_results
from wijkreno.simulate.heat_balance import REQUIRED_COLUMNS, load_heat_balance_params
from wijkreno.simulate.params import load_system_params

out_console = Console()

PROGRESS_MIN_ROWS = 20_000
"""Runs with at least this many dwellings show a progress bar."""


def _read_dwellings(twin: Path) -> gpd.GeoDataFrame:
    # only the engine's columns are required, so partial twins (e.g. the Genk table) also run
    frame = read_twin_file(twin, "dwellings.parquet")
    path = twin / "dwellings.parquet"
    needed = ("dwelling_id", *REQUIRED_COLUMNS, "heating_system")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path} does not have the twin's dwellings schema: columns {missing} are missing. "
            "Rebuild the twin with the current `wijkreno twin build`."
        )
    return frame


def _simulate_in_chunks(
    dwellings: gpd.GeoDataFrame, chunk_size: int, **kwargs
) -> pd.DataFrame:
    n = len(dwellings)
    starts = list(range(0, n, chunk_size)) or [0]
    if n < PROGRESS_MIN_ROWS or len(starts) == 1:
        return simulate_dwellings(dwellings, **kwargs)
    parts = []
    with Progress(
        TextColumn("[bold]Simuleren / simulating"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=out_console,
    ) as progress:
        task = progress.add_task("simulate", total=n)
        for start in starts:
            chunk = dwellings.iloc[start:start + chunk_size]
            parts.append(simulate_dwellings(chunk, **kwargs))
            progress.advance(task, len(chunk))
    result = pd.concat(parts)
    counts: dict[str, int] = {}
    for part in parts:
        for reason, k in part.attrs.get("invalid_counts", {}).items():
            counts[reason] = counts.get(reason, 0) + k
    result.attrs = {"invalid_counts": counts, "basis": "standardised"}
    return result


def _summary_table(summary: dict) -> Table:
    table = Table(title="EPC-label / label distribution (standardised)")
    table.add_column("label")
    table.add_column("woningen / dwellings", justify="right")
    table.add_column("aandeel / share", justify="right")
    for label, count in summary["label_counts"].items():
        table.add_row(label, f"{count:,}", f"{summary['label_shares_frac'][label]:.1%}")
    return table


def _totals_table(summary: dict) -> Table:
    table = Table(title="Totalen / totals (valid dwellings)")
    table.add_column("grootheid / quantity")
    table.add_column("waarde / value", justify="right")
    mean = summary["epc_score_mean_kwh_per_m2"]
    median = summary["epc_score_median_kwh_per_m2"]
    table.add_row(escape("epc_score mean [kWh/m²]"), "-" if mean is None else f"{mean:,.0f}")
    table.add_row(escape("epc_score median [kWh/m²]"), "-" if median is None else f"{median:,.0f}")
    for key, value in summary["totals"].items():
        if key.endswith("_kwh"):
            table.add_row(escape(f"{key[:-4]} [MWh]"), f"{value / 1000:,.0f}")
        elif key.endswith("_kg_co2"):
            table.add_row(escape(f"{key[:-7]} [t CO2]"), f"{value / 1000:,.0f}")
        else:
            table.add_row(f"{key} ", f"{value:,.0f}")
    table.add_row("n valid / invalid", f"{summary['n_valid']:,} / {summary['n_invalid']:,}")
    return table


def _with_bases(results: pd.DataFrame, dwellings: pd.DataFrame,
                calibration: Path | None) -> pd.DataFrame:
    """Add the expected basis (and the calibrated one when a calibration file is given)."""
    from wijkreno.simulate.expected import expected_use

    results = results.join(expected_use(results, dwellings))
    if calibration is None:
        return results
    from wijkreno.aggregate.calibration import Calibration, apply_calibration
    from wijkreno.io.fluvius import read_calibration

    doc = read_calibration(calibration)
    cals = [Calibration.from_dict(c) for c in doc.get("carriers", {}).values()]
    keys = [c for c in ("nis_code", "sector_code", "typology", "tabula_period")
            if c in dwellings and c not in results]
    frame = results.join(pd.DataFrame(dwellings[keys]))
    area = "sector_code" if "sector_code" in frame and frame["sector_code"].notna().all() \
        else "nis_code"
    if area not in frame:
        raise InputError("the twin's dwellings have no nis_code or sector_code to calibrate by.")
    return results.join(apply_calibration(frame, cals, area))


@handle_errors
def simulate(
    twin: Annotated[Path, typer.Argument(help="Twin folder holding dwellings.parquet.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/simulate"),
    heat_params: Annotated[Path | None, typer.Option(
        "--heat-params", help="TOML overriding the heat-balance parameters.")] = None,
    system_params: Annotated[Path | None, typer.Option(
        "--system-params", help="TOML overriding the energy-system parameters "
        "(layout of wijkreno/params/energy_systems.toml).")] = None,
    climate_epw: Annotated[Path | None, typer.Option(
        "--climate-epw", help="Hourly EPW weather file instead of the packaged Uccle year.")
    ] = None,
    chunk_size: Annotated[int, typer.Option(
        min=1, help="Dwellings per chunk (progress bar for large runs).")] = 50_000,
    calibration: Annotated[Path | None, typer.Option(
        "--calibration", help="Calibration file of `wijkreno validate meters`: adds "
        "calibrated_final_<carrier>_kwh (gekalibreerd op Fluvius-meters).")] = None,
) -> None:
    """Simulate every dwelling of a twin: need, final and primary energy, EPC label, cost, CO2."""
    for path, what in ((heat_params, "heat-balance parameter"),
                       (system_params, "energy-system parameter"),
                       (climate_epw, "EPW weather")):
        if path is not None and not path.exists():
            raise InputError(f"the {what} file {path} does not exist; check the path.")
    dwellings = _read_dwellings(twin)
    hp = load_heat_balance_params(heat_params) if heat_params is not None else None
    sp = load_system_params(system_params) if system_params is not None else None
    climate = None
    if climate_epw is not None:
        from wijkreno.io.epw import read_epw
        from wijkreno.simulate.climate import derive_monthly_climate

        climate = derive_monthly_climate(*read_epw(climate_epw))
    results = _simulate_in_chunks(
        dwellings, chunk_size, climate=climate, heat_params=hp, system_params=sp,
    )
    summary = summarise_results(results, params=sp)
    results = _with_bases(results, dwellings, calibration)
    out.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(
        results, geometry=dwellings.geometry.to_numpy(), crs=dwellings.crs
    ).reset_index(drop=True)
    frame.to_parquet(out / "results.parquet", index=False)
    (out / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    out_console.print(_summary_table(summary))
    out_console.print(_totals_table(summary))
    if summary["n_invalid"]:
        out_console.print(
            f"[yellow]{summary['n_invalid']:,} woningen niet gesimuleerd / dwellings not "
            f"simulated:[/] {summary['invalid_reasons']}"
        )
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")
