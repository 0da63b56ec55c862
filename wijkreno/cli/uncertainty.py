"""``wijkreno uncertainty``: Monte Carlo ranges for dwellings whose inputs are imputed.

Reads ``<twin>/dwellings.parquet``, draws the imputed inputs ``--draws`` times per dwelling
(:func:`wijkreno.uncertainty.simulate_ensemble`), and writes to ``-o OUT``:

``ensemble.parquet``
    GeoParquet, one row per dwelling (the dwellings' points, ``dwelling_id`` to join on):
    p10/p50/p90 of EPC score, CO2 (both factor sets), energy cost and final energy, and the
    probability of each EPC label;
``ensemble_sectors.parquet`` and ``ensemble_sectors.csv``
    per area (``--by``, default ``sector_code``): p10/p50/p90 of the area's totals taken within
    each draw, and of its mean EPC score (:func:`wijkreno.uncertainty.aggregate_ensemble`).

The lead registers it as ``app.command("uncertainty")(uncertainty)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import geopandas as gpd
import typer
from rich.table import Table

from wijkreno.cli._common import handle_errors, out_console
from wijkreno.errors import InputError
from wijkreno.io.twin_store import read_twin_file
from wijkreno.simulate.heat_balance import REQUIRED_COLUMNS
from wijkreno.uncertainty.ensemble import (
    aggregate_ensemble,
    load_uncertainty_params,
    simulate_ensemble,
)


def _read_dwellings(twin: Path) -> gpd.GeoDataFrame:
    frame = read_twin_file(twin, "dwellings.parquet")
    needed = ("dwelling_id", *REQUIRED_COLUMNS, "heating_system")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(
            f"{twin / 'dwellings.parquet'} does not have the twin's dwellings schema: columns "
            f"{missing} are missing. Rebuild the twin with the current `wijkreno twin build`."
        )
    return frame


def _range_table(ensemble, n_draws: int) -> Table:
    table = Table(title=f"Onzekerheid / uncertainty ({n_draws} trekkingen / draws, standardised)")
    table.add_column("grootheid / quantity")
    for q in ("p10", "p50", "p90"):
        table.add_column(f"mediaan {q} / median of {q}", justify="right")
    for metric, unit in (("epc_score_kwh_per_m2", "kWh/m²"), ("co2_flemish_kg_co2", "kg CO2"),
                         ("energy_cost_eur", "EUR")):
        table.add_row(f"{metric} [{unit}]", *(
            f"{ensemble[f'{metric}_{q}'].median():,.0f}" for q in ("p10", "p50", "p90")))
    return table


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
) -> None:
    """Monte Carlo ranges (p10/p50/p90) per dwelling and per area over the imputed inputs."""
    if params is not None and not params.exists():
        raise InputError(f"the uncertainty parameter file {params} does not exist; check the path.")
    up = load_uncertainty_params(params) if params is not None else None
    dwellings = _read_dwellings(twin)
    with out_console.status("Trekkingen simuleren / simulating draws"):
        ensemble, per_draw = simulate_ensemble(
            dwellings, n_draws=draws, seed=seed, params=up, return_draws=True
        )
    out.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(
        ensemble, geometry=dwellings.geometry.to_numpy(), crs=dwellings.crs
    ).reset_index(drop=True)
    frame.to_parquet(out / "ensemble.parquet", index=False)
    out_console.print(_range_table(ensemble, draws))
    if by in dwellings.columns and dwellings[by].notna().any():
        sectors = aggregate_ensemble(dwellings, per_draw, by=by).reset_index()
        sectors.to_parquet(out / "ensemble_sectors.parquet", index=False)
        sectors.to_csv(out / "ensemble_sectors.csv", index=False)
        out_console.print(f"{len(sectors):,} gebieden / areas ({by})")
    else:
        out_console.print(
            f"[yellow]Geen kolom / no column {by!r} with values in the dwellings: no per-area "
            "files written (choose another with --by).[/]"
        )
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")
