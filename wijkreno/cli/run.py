"""``wijkreno run``: the pipeline over many municipalities, one partition per NIS code.

Runs in this process by default, on a Dask LocalCluster with ``--workers N``, or on a running
cluster with ``--scheduler tcp://HOST:PORT`` (see ``docs/cluster.md``). The layout of the
sources and outputs is described in :mod:`wijkreno.pipeline.distributed`. Exit codes: 0 when
every partition finished, 1 when at least one failed (the others are finished and written;
``OUT/run_report.csv`` says which and why), 2 on bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wijkreno.cli._common import err_console, handle_errors, out_console
from wijkreno.errors import InputError


def _stages(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


@handle_errors
def run(
    sources: Annotated[Path, typer.Argument(
        help="Bronmap / sources folder: one sub-folder per NIS code with gebouwen.gpkg and "
        "optionally adressen.csv, dsm.tif, dtm.tif.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("out/run"),
    nis: Annotated[list[str] | None, typer.Option(
        "--nis", help="Only this municipality (NIS code; repeatable).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Run on a Dask LocalCluster with this many worker "
        "processes (one partition each at a time).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run on an existing Dask cluster: tcp://HOST:PORT.")] = None,
    stages: Annotated[str, typer.Option(
        "--stages", help="Stages to run, comma-separated.")] = "twin,simulate,trajectories,"
    "aggregate",
    seed: Annotated[int, typer.Option(
        help="Run seed; each municipality's seed is derived from it and its NIS code.")] = 0,
    sectors: Annotated[Path | None, typer.Option(
        help="Statbel statistical sectors (default: SOURCES/sectoren.gpkg when present).")
    ] = None,
    wijken: Annotated[Path | None, typer.Option(
        help="ggw7 wijk polygons for the wijk level (default: SOURCES/wijken.gpkg when "
        "present).")] = None,
    statbel: Annotated[Path | None, typer.Option(
        help="Statbel gebouwenpark table (long CSV) for calibration (default: "
        "SOURCES/gebouwenpark.csv when present).")] = None,
    params: Annotated[Path | None, typer.Option(
        help="Twin parameter file (TOML) overriding the defaults.")] = None,
    force: Annotated[bool, typer.Option(
        help="Rerun every stage, also those whose inputs did not change.")] = False,
    memory_per_worker: Annotated[str, typer.Option(
        "--memory-per-worker", help="Memory limit of each LocalCluster worker (e.g. 6GB).")
    ] = "auto",
) -> None:
    """Run twin → simulate → trajectories → aggregate per municipality, resumable.

    Outputs: OUT/dwellings/ (one GeoParquet dataset, a folder per NIS code),
    OUT/aggregate/<level>/ for sector, wijk, municipality and flanders,
    OUT/run_report.csv. A municipality that fails is listed with its reason
    and the others finish (exit code 1). A rerun skips the municipalities
    whose inputs did not change. See docs/cluster.md.
    """
    from wijkreno.pipeline.distributed import (
        RunOptions,
        dask_client,
        find_partitions,
        run_partitions,
        shared_sources,
        worker_peak_rss_mb,
    )

    if workers is not None and scheduler is not None:
        raise InputError("give --workers or --scheduler, not both.")
    partitions = find_partitions(sources, nis)
    shared = shared_sources(sources)
    options = RunOptions(
        out=out.resolve(), stages=_stages(stages), seed=seed,
        sectors=(sectors or shared.get("sectors")),
        wijken=(wijken or shared.get("wijken")),
        gebouwenpark=(statbel or shared.get("gebouwenpark")),
        params=params, force=force,
    )
    where = (f"Dask {scheduler}" if scheduler else
             f"LocalCluster, {workers} workers" if workers else "dit proces / this process")
    out_console.print(f"{len(partitions)} gemeenten / municipalities, {where}")
    with Progress(
        TextColumn("[bold]Gemeenten / municipalities"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} mislukt / failed"), TimeElapsedColumn(),
        console=out_console,
    ) as progress:
        task = progress.add_task("run", total=len(partitions), failed=0)
        n_failed = 0

        def on_done(report) -> None:
            nonlocal n_failed
            n_failed += report.status == "failed"
            progress.update(task, advance=1, failed=n_failed)

        if workers is None and scheduler is None:
            result = run_partitions(partitions, options, on_done=on_done)
            peaks = None
        else:
            with dask_client(workers, scheduler, memory_limit=memory_per_worker) as client:
                result = run_partitions(partitions, options, client=client, on_done=on_done)
                peaks = worker_peak_rss_mb(client)
    frame = result.frame()
    counts = frame["status"].value_counts()
    out_console.print(
        f"[bold]{int(frame['n_dwellings'].sum()):,}[/] woningen / dwellings; "
        + ", ".join(f"{k}: {v}" for k, v in counts.items())
        + f"; {result.seconds:,.0f} s"
        + (f"; piekgeheugen per worker / peak memory per worker: "
           f"{max(peaks.values()):,.0f} MB" if peaks else "")
    )
    if result.failed:
        table = Table(title="Mislukt / failed")
        table.add_column("NIS")
        table.add_column("reden / reason")
        for report in sorted(result.failed, key=lambda r: r.nis_code):
            table.add_row(report.nis_code, report.reason)
        err_console.print(table)
    out_console.print(f"Geschreven naar / written to [bold]{out}[/] (run_report.csv)")
    if result.failed:
        raise typer.Exit(code=1)
