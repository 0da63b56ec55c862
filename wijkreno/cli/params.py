"""``wijkreno params``: the parameter files, every value with its source.

``wijkreno params list`` shows each value of ``wijkreno/params/*.toml`` with its unit, source and
date, and flags the placeholders (orders of magnitude waiting for a published Flemish figure);
``--placeholders`` keeps only those, ``-o`` writes the table as CSV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from wijkreno.cli._common import handle_errors, out_console
from wijkreno.errors import InputError

app = typer.Typer(help="Parameterbestanden / parameter files.", no_args_is_help=True,
                  add_completion=False)

_SOURCE_WIDTH = 60


@app.callback()
def _group() -> None:
    """Parameterbestanden / parameter files."""


@app.command("list")
@handle_errors
def list_(
    placeholders: Annotated[bool, typer.Option(
        "--placeholders", help="Alleen placeholders / only the placeholders (values that still "
        "need a Flemish figure).")] = False,
    file: Annotated[list[str] | None, typer.Option(
        "--file", "-f", help="Eén bestand, bv. energy_systems of scenarios/baseline "
        "(herhaalbaar) / one file (repeatable).")] = None,
    out: Annotated[Path | None, typer.Option(
        "-o", "--out", help="Schrijf de tabel als CSV / write the table as CSV.")] = None,
) -> None:
    """Toon elke parameterwaarde met haar bron / show every parameter value with its source."""
    from wijkreno.params.registry import list_parameters

    frame = list_parameters(file or None, placeholders_only=placeholders)
    if out is not None:
        if out.suffix.lower() != ".csv":
            raise InputError(f"-o {out}: give a file name ending in .csv.")
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=False)
    table = Table(title="Parameters (wijkreno/params)", show_lines=False)
    table.add_column("Bestand / File", no_wrap=True)
    table.add_column("Sleutel / Key", overflow="fold", min_width=24)
    table.add_column("Waarde / Value", overflow="fold", max_width=24)
    table.add_column("Eenheid / Unit", overflow="fold", max_width=12)
    table.add_column("Bron / Source", overflow="fold", min_width=20)
    table.add_column("Datum / Date", no_wrap=True)
    table.add_column("Placeholder", no_wrap=True)
    for r in frame.itertuples(index=False):
        source = str(r.source) if r.source else "—"
        if len(source) > _SOURCE_WIDTH:
            source = source[: _SOURCE_WIDTH - 1] + "…"
        table.add_row(
            escape(str(r.file)), escape(str(r.key)), escape(str(r.value)), escape(str(r.unit)),
            escape(" ".join(source.split())), escape(str(r.date)),
            "[bold yellow]ja / yes[/]" if r.placeholder else "",
        )
    out_console.print(table)
    n_placeholder = int(frame["placeholder"].sum())
    out_console.print(
        f"{len(frame)} waarden, waarvan {n_placeholder} placeholders / "
        f"{len(frame)} values, {n_placeholder} of them placeholders"
        + (f"; tabel geschreven naar / table written to {out}" if out is not None else "")
    )
