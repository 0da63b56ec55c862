"""``wijkreno report``: the yearly LEKP progress report and the klimaattafel sheets.

``wijkreno report lekp`` renders the report from the folder that ``wijkreno indicators`` writes
(``indicators.csv``, ``targets.csv`` and, when present, ``municipality.json``) and the register's
renovations; ``wijkreno report sheets`` prints one page per dwelling from a twin and the output
of ``wijkreno trajectories``. Thin callers of :func:`wijkreno.pipeline.run_reports` and
:func:`wijkreno.pipeline.run_sheets`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkreno.cli._common import ForceOption, handle_errors, out_console
from wijkreno.errors import InputError
from wijkreno.pipeline import ReportOptions, SheetOptions, Workspace, run_reports, run_sheets

app = typer.Typer(help="Rapporten: LEKP-voortgangsrapport en klimaattafelbladen / reports.",
                  no_args_is_help=True)


@app.command("lekp")
@handle_errors
def lekp(
    indicators_dir: Annotated[Path, typer.Argument(
        help="Folder written by 'wijkreno indicators' (indicators.csv, targets.csv).")],
    register: Annotated[str | None, typer.Option(
        "--register", help="Register URL (SQLAlchemy); default WIJKRENO_REGISTER_URL.")] = None,
    twin: Annotated[Path | None, typer.Option(
        "--twin", help="Twin folder (dwellings.parquet) for the map.")] = None,
    year: Annotated[int | None, typer.Option(
        "--year", help="Report year (default: last year).")] = None,
    nis_code: Annotated[str | None, typer.Option("--nis-code")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Municipality name.")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/report"),
    force: ForceOption = False,
) -> None:
    """LEKP-voortgangsrapport (HTML + PDF) voor de gemeenteraad / yearly LEKP report."""
    ws = Workspace(folders={"indicators": indicators_dir, "twin": twin, "reports": out})
    for table in ("indicators", "targets"):
        if not ws.exists("indicators", table):
            raise InputError(f"{ws.path('indicators', table)} does not exist; run 'wijkreno "
                             f"indicators' first ({table}).")
    result = run_reports(ws, ReportOptions(register_url=register, year=year, nis_code=nis_code,
                                           name=name), force=force)
    meta = result.metadata
    out_console.print(f"Rapport / report: [bold]{meta['pdf']}[/] en {meta['html']}")


@app.command("sheets")
@handle_errors
def sheets(
    twin: Annotated[Path, typer.Option("--twin", help="Twin folder (dwellings.parquet).")],
    trajectories: Annotated[Path, typer.Option(
        "--trajectories", help="Folder written by 'wijkreno trajectories'.")],
    street: Annotated[str | None, typer.Option(
        "--street", help="Only this street (a street bundle).")] = None,
    addresses: Annotated[Path | None, typer.Option(
        "--addresses", help="CSV with a column adres_id or dwelling_id.")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/sheets"),
    groups: Annotated[Path | None, typer.Option(
        "--groups", help="Folder written by 'wijkreno groups': the collective offer on each "
        "sheet and a cover page per street.")] = None,
    renovated: Annotated[Path | None, typer.Option(
        "--renovated", help="Folder of the twin as renovated (the register's measures "
        "applied; a workspace's renovated/).")] = None,
    force: ForceOption = False,
) -> None:
    """Klimaattafelbladen: één A4 per woning / one printable page per dwelling."""
    ws = Workspace(folders={"twin": twin, "trajectories": trajectories, "reports": out,
                            "groups": groups, "renovated": renovated})
    result = run_sheets(ws, SheetOptions(street=street, addresses=addresses), force=force)
    meta = result.metadata
    out_console.print(f"{meta['n_sheets']:,} bladen / sheets: [bold]{meta['pdf']}[/]")
