"""``wijkreno report``: the yearly LEKP progress report and the klimaattafel sheets.

``wijkreno report lekp`` renders the report from the folder that ``wijkreno indicators`` writes
(``indicators.csv``, ``targets.csv`` and, when present, ``municipality.json``) and the register's
renovations; ``wijkreno report sheets`` prints one page per dwelling from a twin and the output
of ``wijkreno trajectories``. The lead registers it as ``app.add_typer(report.app,
name="report")``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from wijkreno.cli._common import handle_errors, out_console
from wijkreno.errors import InputError

app = typer.Typer(help="Rapporten: LEKP-voortgangsrapport en klimaattafelbladen / reports.",
                  no_args_is_help=True)


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"{path} does not exist; run 'wijkreno indicators' first ({what}).")
    return pd.read_csv(path, dtype={"goal_id": str, "nis_code": str})


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
) -> None:
    """LEKP-voortgangsrapport (HTML + PDF) voor de gemeenteraad / yearly LEKP report."""
    from wijkreno.reports import render_lekp_report

    indicators = _read_csv(indicators_dir / "indicators.csv", "indicators")
    targets = _read_csv(indicators_dir / "targets.csv", "targets")
    meta_path = indicators_dir / "municipality.json"
    municipality = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() \
        else {}
    if nis_code:
        municipality["nis_code"] = nis_code
    if name:
        municipality["name"] = name
    if not municipality.get("nis_code"):
        raise InputError(f"no NIS code: give --nis-code or write {meta_path} "
                         "(wijkreno indicators does).")
    municipality.setdefault("name", municipality["nis_code"])
    year = year or dt.date.today().year - 1
    from wijkreno.register import open_register

    reg = open_register(register, create=False)
    renovations = reg.renovations(str(municipality["nis_code"]))
    dwellings = None
    sources = list(municipality.get("sources", []))
    if twin is not None:
        from wijkreno.io.twin_store import read_table
        from wijkreno.twin.schema import DWELLINGS

        dwellings = read_table(twin / "dwellings.parquet", DWELLINGS)
        sources.append({"name": f"Digitale tweeling wijkreno ({twin})",
                        "date": dt.date.fromtimestamp(
                            (twin / "dwellings.parquet").stat().st_mtime).isoformat(),
                        "licence": "afgeleid van open data (Digitaal Vlaanderen, Statbel)"})
    last = pd.to_datetime(renovations.get("completed_on"), errors="coerce")
    sources.append({"name": "Gemeentelijk renovatieregister (wijkreno)",
                    "date": (last.max().date().isoformat() if last is not None and len(last)
                             and pd.notna(last.max()) else "–"),
                    "licence": "gemeentelijke gegevens"})
    for goal_source in sorted(set(targets["source"].dropna().astype(str))):
        sources.append({"name": f"Doelstelling: {goal_source}", "date": "–",
                        "licence": "–"})
    paths = render_lekp_report(municipality=municipality, targets=targets,
                               indicators=indicators, renovations=renovations,
                               dwellings=dwellings, sources=sources, year=year, out_dir=out)
    out_console.print(f"Rapport / report: [bold]{paths['pdf']}[/] en {paths['html']}")


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
) -> None:
    """Klimaattafelbladen: één A4 per woning / one printable page per dwelling."""
    import numpy as np

    from wijkreno.cli.trajectories import _select_addresses, _select_streets
    from wijkreno.io.twin_store import read_table
    from wijkreno.reports import render_address_sheets
    from wijkreno.twin.schema import DWELLINGS

    dwellings = read_table(twin / "dwellings.parquet", DWELLINGS)
    for name in ("trajectories.parquet", "summary.parquet"):
        if not (trajectories / name).exists():
            raise InputError(f"{trajectories / name} does not exist; run 'wijkreno "
                             "trajectories' first.")
    steps = pd.read_parquet(trajectories / "trajectories.parquet")
    summary = pd.read_parquet(trajectories / "summary.parquet")
    keep = np.ones(len(dwellings), dtype=bool)
    if street:
        keep &= _select_streets(dwellings, [street])
    if addresses is not None:
        keep &= _select_addresses(dwellings, addresses)
    # only dwellings that have a trajectory (the trajectories may cover a selection)
    keep &= dwellings["dwelling_id"].astype(str).isin(
        set(summary["dwelling_id"].astype(str))).to_numpy()
    selected = dwellings.loc[keep]
    if selected.empty:
        raise InputError("no dwelling of the selection has a trajectory; check --street, "
                         "--addresses and the --trajectories folder.")
    paths = render_address_sheets(selected, steps, summary, out,
                                  bundle_name=street or "Klimaattafel")
    out_console.print(f"{len(selected):,} bladen / sheets: [bold]{paths['pdf']}[/]")
