"""``wijkreno trajectories``: step-by-step renovation trajectories for a twin, a street or
addresses.

A thin caller of :func:`wijkreno.pipeline.run_trajectories`: keeps the dwellings of the given
streets or address list, applies a coach's overrides (on a copy: the twin is not edited),
enumerates every applicable package, and writes ``trajectories.parquet`` + ``.csv`` (one row
per dwelling and step) and ``summary.parquet`` + ``.csv`` (one row per dwelling) to ``-o``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from wijkreno.cli._common import ForceOption, handle_errors, out_console, print_stage
from wijkreno.errors import InputError
from wijkreno.pipeline import TrajectoryOptions, Workspace, run_trajectories


@handle_errors
def trajectories(
    twin: Annotated[Path, typer.Argument(help="Twin folder holding dwellings.parquet.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/trajectories"),
    street: Annotated[list[str] | None, typer.Option(
        "--street", help="Only this street (repeatable).")] = None,
    addresses: Annotated[Path | None, typer.Option(
        "--addresses", help="CSV with a column adres_id or dwelling_id.")] = None,
    overrides: Annotated[Path | None, typer.Option(
        "--overrides", help="CSV of the coach's per-address corrections.")] = None,
    target: Annotated[str, typer.Option(
        help="label_A_2050 (default) or obligation (needs deed years).")] = "label_A_2050",
    objective: Annotated[str, typer.Option(help="cost (least net cost) or npv.")] = "cost",
    income_category: Annotated[int | None, typer.Option(
        "--income-category", min=1, max=4,
        help="Mijn VerbouwPremie category 1-4 for every dwelling without one.")] = None,
    horizon_years: Annotated[int | None, typer.Option(
        "--horizon-years", min=1, help="NPV horizon [years].")] = None,
    discount_rate: Annotated[float | None, typer.Option(
        "--discount-rate", help="Real discount rate, a fraction (0.03 = 3 %).")] = None,
    force: ForceOption = False,
) -> None:
    """Renovation trajectories per dwelling: steps, cost, premium, saving and label."""
    if target not in ("label_A_2050", "obligation"):
        raise InputError(f"--target must be label_A_2050 or obligation, got {target!r}")
    if objective not in ("cost", "npv"):
        raise InputError(f"--objective must be cost or npv, got {objective!r}")
    options = TrajectoryOptions(
        streets=tuple(street or ()), addresses=addresses, overrides=overrides, target=target,
        objective=objective, income_category=income_category, horizon_years=horizon_years,
        discount_rate_frac=discount_rate)
    result = run_trajectories(Workspace(folders={"twin": twin, "trajectories": out}), options,
                              force=force)
    print_stage(result)
    _print_summary(result.tables["summary"])
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")


def _print_summary(summary: pd.DataFrame) -> None:
    valid = summary[summary["valid"]]
    n = len(valid)
    n_reached = int(valid["reached"].sum())
    median = float(valid.loc[valid["reached"], "net_cost_eur"].median()) if n_reached else np.nan
    out_console.print(
        f"[bold]{n_reached:,} van {n:,}[/] woningen halen het doel / dwellings reach the target"
        + (f"; mediane netto kost / median net cost [bold]€ {median:,.0f}[/]"
           if np.isfinite(median) else "")
    )
    before = valid["current_epc_label"].value_counts().sort_index()
    after = valid["final_epc_label"].value_counts().sort_index()
    labels = [str(lab) for lab in before.index]
    out_console.print("label  voor/before  na/after")
    for lab in labels:
        out_console.print(f"{lab:>5}  {int(before.get(lab, 0)):>11,}  {int(after.get(lab, 0)):>8,}")
    n_invalid = int((~summary["valid"]).sum())
    if n_invalid:
        out_console.print(f"[yellow]{n_invalid:,} woningen niet berekend / dwellings not "
                          "computed[/] (see invalid_reason in summary.csv)")
