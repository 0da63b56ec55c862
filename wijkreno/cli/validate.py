"""``wijkreno validate``: check the energy engine against published reference results."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wijkreno.cli._common import handle_errors

logger = logging.getLogger(__name__)
console = Console()

app = typer.Typer(
    help="Check the energy engines against published reference results (TABULA BE, ASHRAE 140).",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    """Check the energy engines against published reference results (TABULA BE, ASHRAE 140)."""


@app.command("tabula")
@handle_errors
def tabula(
    data: Annotated[Path, typer.Option(
        "--data", "-d",
        help="Folder with the TABULA BE extract (tabula_be_episcope.csv, "
        "tabula_BE_refurbishment_variant_inputs.csv, "
        "tabula_BE_climate_and_boundary_conditions.csv).",
    )] = Path("../shared/data/tabula_be"),
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for tabula_check.csv and tabula_check.parquet."
    )] = Path("out"),
) -> None:
    """Reproduce TABULA's published heating need q_h_nd of the Belgian types.

    Runs every existing-state and refurbishment variant through the engine's heat-balance
    kernel in TABULA's heating-season mode, writes the computed terms next to the published
    ones and exits 1 when an existing-state variant deviates more than 2 %.
    """
    from wijkreno.errors import InputError
    from wijkreno.io.tabula import (
        read_tabula_conditions,
        read_tabula_refurbishment,
        read_tabula_typology,
    )
    from wijkreno.simulate.tabula import TOLERANCE_FRAC, validate_tabula

    if not data.is_dir():
        raise InputError(
            f"TABULA data folder {data} does not exist. Pass --data with the folder holding "
            "the TABULA BE extract (e.g. ../shared/data/tabula_be)."
        )
    table = validate_tabula(
        read_tabula_typology(data), read_tabula_refurbishment(data), read_tabula_conditions(data)
    )
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "tabula_check.csv"
    parquet_path = out / "tabula_check.parquet"
    table.to_csv(csv_path, index=False)
    table.to_parquet(parquet_path, index=False)

    existing = table[table["variant_kind"] == "existing"]
    dev = existing["q_h_nd_deviation_frac"].abs()
    worst = existing.loc[dev.idxmax()] if len(existing) else None
    summary = Table(title="TABULA BE check (q_h_nd, kWh/m2 per heating season)")
    summary.add_column("variants")
    summary.add_column("count", justify="right")
    summary.add_column("max |deviation|", justify="right")
    summary.add_row("existing state (published)", str(len(existing)),
                    f"{100 * dev.max():.4f} %" if len(existing) else "-")
    for kind in ("usual_refurbishment", "advanced_refurbishment"):
        n = int((table["variant_kind"] == kind).sum())
        if n:
            summary.add_row(kind.replace("_", " "), str(n), "not published")
    synthetic = table[table["variant_kind"] == "synthetic_average"]
    if len(synthetic):
        summary.add_row(
            "synthetic average (not checked)", str(len(synthetic)),
            f"{100 * synthetic['q_h_nd_deviation_frac'].abs().max():.1f} %",
        )
    console.print(summary)
    if worst is not None:
        console.print(
            f"largest deviation: {worst['variant_code']} computed "
            f"{worst['q_h_nd_kwh_per_m2']:.2f}, published "
            f"{worst['published_q_h_nd_kwh_per_m2']:.2f} kWh/m2"
        )
    console.print(f"wrote {csv_path} and {parquet_path}")
    failed = int((dev > TOLERANCE_FRAC).sum())
    if failed:
        console.print(f"[bold red]{failed} existing-state variants deviate more than "
                      f"{100 * TOLERANCE_FRAC:g} %[/]")
        raise typer.Exit(code=1)


@app.command("bestest")
@handle_errors
def bestest(
    data: Annotated[Path, typer.Option(
        "--data", "-d",
        help="Map met de ASHRAE 140-weerfile 725650TYCST.epw / folder holding the ASHRAE 140 "
        "weather file 725650TYCST.epw.",
    )] = Path("../shared/data/bestest"),
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Map voor / folder for bestest_check.csv and bestest_check.md."
    )] = Path("out"),
) -> None:
    """ASHRAE 140 cases 600, 900, 600FF, 900FF met de uurlijkse motor / with the hourly engine.

    Writes one row per case (annual heating and cooling, peaks with their hour, monthly
    loads, free-float temperatures) and a Markdown table comparing each figure with the
    published reference-program range (ASHRAE 140-2020 Annex B8); exits 1 when a figure
    lies outside the range widened by the documented 5R1C tolerance (docs/bestest.md).
    """
    from wijkreno.errors import InputError
    from wijkreno.io.epw import read_epw
    from wijkreno.simulate.bestest import bestest_markdown, load_bestest_spec, run_bestest
    from wijkreno.simulate.hourly import hourly_climate_from_epw

    spec = load_bestest_spec()
    epw = data / spec["site"]["weather_file"]
    if not epw.is_file():
        raise InputError(
            f"ASHRAE 140 weather file {epw} does not exist. Pass --data with the folder holding "
            f"{spec['site']['weather_file']} (e.g. ../shared/data/bestest)."
        )
    climate = hourly_climate_from_epw(read_epw(epw))
    table = run_bestest(climate, spec=spec)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "bestest_check.csv"
    md_path = out / "bestest_check.md"
    table.to_csv(csv_path, index=False)
    md = bestest_markdown(table)
    md_path.write_text(
        "# ASHRAE 140 (2020) cases 600/900/600FF/900FF, wijkreno hourly 5R1C\n\n"
        f"Weather: {epw.name}. Ranges: ANSI/ASHRAE 140-2020 Annex B8 (six reference "
        "programs). See docs/bestest.md.\n\n" + md,
        encoding="utf-8",
    )
    summary = Table(title="ASHRAE 140: wijkreno 5R1C against the reference programs")
    for col in ("case", "quantity", "wijkreno", "min", "max", "in range", "within tolerance"):
        summary.add_column(col)
    outside = 0
    for _, row in table.iterrows():
        for col in table.columns:
            if not col.endswith("_in_range") or row[col] is None or row[col] != row[col]:
                continue
            q = col[: -len("_in_range")]
            tol_ok = bool(row[f"{q}_within_tolerance"])
            outside += not tol_ok
            summary.add_row(row["case"], q, f"{row[q]:.3f}", f"{row[f'{q}_ref_min']:.3f}",
                            f"{row[f'{q}_ref_max']:.3f}", "yes" if row[col] else "no",
                            "yes" if tol_ok else "[bold red]NO[/]")
    console.print(summary)
    console.print(f"wrote {csv_path} and {md_path}")
    if outside:
        console.print(f"[bold red]{outside} figures lie outside the documented tolerance[/]")
        raise typer.Exit(code=1)
