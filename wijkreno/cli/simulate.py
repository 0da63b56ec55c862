"""``wijkreno simulate``: energy need, final/primary energy and EPC label of every dwelling.

A thin caller of :func:`wijkreno.pipeline.run_simulate`: the twin folder's dwellings (as
renovated when there is that layer: ``--renovated``, by default ``renovated/`` beside the twin
folder; ``--register`` makes it from a register export; ``--as-built`` skips it) are
simulated in chunks (with a progress bar for large runs) and ``results.parquet`` (GeoParquet:
the dwellings' points, ``dwelling_id``, ``gebouw_id`` and the results) and ``summary.json`` are
written to ``-o``; the summary is printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wijkreno.cli._common import (
    AsBuiltOption,
    ForceOption,
    RegisterOption,
    RenovatedOption,
    dwelling_folders,
    handle_errors,
    out_console,
    print_stage,
)
from wijkreno.cli._summaries import print_stage_summary
from wijkreno.pipeline import SimulateOptions, Workspace, run_simulate

PROGRESS_MIN_ROWS = 20_000
"""Runs with at least this many dwellings show a progress bar."""


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
    renovated: RenovatedOption = None,
    register: RegisterOption = None,
    as_built: AsBuiltOption = False,
    force: ForceOption = False,
) -> None:
    """Simulate every dwelling of a twin: need, final and primary energy, EPC label, cost, CO2.

    Reads the twin as renovated (the register's realised measures applied) when there is that
    layer, as the pipeline does; --as-built for the twin as built.
    """
    options = SimulateOptions(heat_params=heat_params, system_params=system_params,
                              climate_epw=climate_epw, chunk_size=chunk_size,
                              calibration=calibration)
    folders = dwelling_folders(twin, renovated=renovated, as_built=as_built, register=register,
                               force=force)
    ws = Workspace(folders={**folders, "simulate": out})
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
    print_stage_summary(result)
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")
