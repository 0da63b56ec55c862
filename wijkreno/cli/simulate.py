"""``wijkreno simulate``: energy need, final/primary energy and EPC label of every dwelling.

A thin caller of :func:`wijkreno.pipeline.run_simulate`: the twin folder's dwellings are
simulated in chunks (with a progress bar for large runs) and ``results.parquet`` (GeoParquet:
the dwellings' points, ``dwelling_id``, ``gebouw_id`` and the results) and ``summary.json`` are
written to ``-o``; the summary is printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wijkreno.cli._common import ForceOption, handle_errors, out_console, print_stage
from wijkreno.pipeline import SimulateOptions, Workspace, run_simulate

PROGRESS_MIN_ROWS = 20_000
"""Runs with at least this many dwellings show a progress bar."""


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
    force: ForceOption = False,
) -> None:
    """Simulate every dwelling of a twin: need, final and primary energy, EPC label, cost, CO2."""
    options = SimulateOptions(heat_params=heat_params, system_params=system_params,
                              climate_epw=climate_epw, chunk_size=chunk_size)
    ws = Workspace(folders={"twin": twin, "simulate": out})
    with Progress(
        TextColumn("[bold]Simuleren / simulating"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=out_console, transient=True,
    ) as progress:
        task = progress.add_task("simulate", total=None, visible=False)

        def advance(done: int, total: int) -> None:
            if total >= PROGRESS_MIN_ROWS:
                progress.update(task, completed=done, total=total, visible=True)

        result = run_simulate(ws, options, force=force, progress=advance)
    print_stage(result)
    summary = result.tables["summary"]
    out_console.print(_summary_table(summary))
    out_console.print(_totals_table(summary))
    if summary["n_invalid"]:
        out_console.print(
            f"[yellow]{summary['n_invalid']:,} woningen niet gesimuleerd / dwellings not "
            f"simulated:[/] {summary['invalid_reasons']}"
        )
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")
