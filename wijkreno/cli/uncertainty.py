"""``wijkreno uncertainty``: Monte Carlo ranges for dwellings whose inputs are imputed.

A thin caller of :func:`wijkreno.pipeline.run_uncertainty`: draws the imputed inputs
``--draws`` times per dwelling (:func:`wijkreno.uncertainty.simulate_ensemble`) and writes to
``-o OUT``:

``ensemble.parquet``
    GeoParquet, one row per dwelling (the dwellings' points, ``dwelling_id`` to join on):
    p10/p50/p90 of EPC score, CO2 (both factor sets), energy cost and final energy, and the
    probability of each EPC label;
``ensemble_sectors.parquet`` and ``ensemble_sectors.csv``
    per area (``--by``, default ``sector_code``): p10/p50/p90 of the area's totals taken within
    each draw, and of its mean EPC score (:func:`wijkreno.uncertainty.aggregate_ensemble`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkreno.cli._common import ForceOption, handle_errors, out_console, print_stage
from wijkreno.cli._summaries import print_stage_summary
from wijkreno.pipeline import UncertaintyOptions, Workspace, run_uncertainty


@handle_errors
def uncertainty(
    twin: Annotated[Path, typer.Argument(help="Twin folder holding dwellings.parquet.")],
    draws: Annotated[int, typer.Option("--draws", min=1, help="Draws per dwelling.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws.")] = 0,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/uncertainty"),
    by: Annotated[str, typer.Option(
        "--by", help="Area column of the dwellings to aggregate to.")] = "sector_code",
    params: Annotated[Path | None, typer.Option(
        "--params", help="TOML overriding wijkreno/params/uncertainty.toml (same layout).")
    ] = None,
    force: ForceOption = False,
) -> None:
    """Monte Carlo ranges (p10/p50/p90) per dwelling and per area over the imputed inputs."""
    options = UncertaintyOptions(draws=draws, seed=seed, by=by, params=params)
    with out_console.status("Trekkingen simuleren / simulating draws"):
        result = run_uncertainty(Workspace(folders={"twin": twin, "uncertainty": out}), options,
                                 force=force)
    print_stage(result)
    print_stage_summary(result)
    if "areas" in result.tables:
        out_console.print(f"{len(result.tables['areas']):,} gebieden / areas ({by})")
    else:
        out_console.print(
            f"[yellow]Geen kolom / no column {by!r} with values in the dwellings: no per-area "
            "files written (choose another with --by).[/]"
        )
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")
