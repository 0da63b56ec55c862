"""``wijkreno register``: upload templates, bulk import, listing and corrections of the register
of realised renovations (issue 6). The lead registers it as
``app.add_typer(register.app, name="register")``.

The register is reached through ``--register URL`` (SQLAlchemy URL), else the
``WIJKRENO_REGISTER_URL`` environment variable, else ``sqlite:///wijkreno_register.sqlite``.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from wijkreno.cli._common import handle_errors
from wijkreno.errors import InputError
from wijkreno.io.spreadsheet import write_safe_csv
from wijkreno.pipeline import Workspace

out_console = Console()

app = typer.Typer(
    help="Register van gerealiseerde renovaties / register of realised renovations: templates, "
    "import, list, correct.",
    no_args_is_help=True,
    add_completion=False,
)

RegisterOpt = Annotated[str | None, typer.Option(
    "--register", help="SQLAlchemy URL of the register (default: $WIJKRENO_REGISTER_URL or "
    "sqlite:///wijkreno_register.sqlite).")]
KIND_HELP = ("renovations, klimaattafels, trajectories, participative_pv, wvc_milestones, "
             "energy_communities, charging_points or own_buildings")


IMPORT_COLUMNS = ("dwelling_id", "adres_id", "nis_code", "gebouw_id", "street", "house_number",
                  "box_number", "postcode")
"""The twin's dwelling columns an import reads."""


def _user(user: str | None) -> str:
    if user:
        return user
    try:
        return os.environ.get("WIJKRENO_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "onbekend"


@app.callback()
def _group() -> None:
    """Register van gerealiseerde renovaties / register of realised renovations."""


@app.command("template")
@handle_errors
def template(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    out: Annotated[Path, typer.Option("-o", "--out", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
) -> None:
    """Schrijf een invulsjabloon met Nederlandse kolommen / write an upload template."""
    from wijkreno.register.upload import write_template

    path = write_template(kind, out, fmt=fmt)
    out_console.print(f"Sjabloon geschreven / template written: {path}")


def _twin_addresses(twin: Path) -> pd.DataFrame:
    ws = Workspace(folders={"twin": twin})
    if not ws.exists("twin", "dwellings"):
        raise InputError(f"{ws.path('twin', 'dwellings')} does not exist; pass --twin with a "
                         "twin folder (built by `wijkreno twin build` or `wijkreno demo`).")
    import pyarrow.parquet as pq

    # ids, building and address parts (rows may give street, number and box, or a building),
    # those the twin has
    present = set(pq.read_schema(ws.path("twin", "dwellings")).names)
    return ws.read("twin", "dwellings", columns=[c for c in IMPORT_COLUMNS if c in present])


@app.command("import")
@handle_errors
def import_(
    path: Annotated[Path, typer.Argument(help="Filled template (.csv or .xlsx).")],
    kind: Annotated[str, typer.Option("--kind", help=KIND_HELP)],
    nis: Annotated[str, typer.Option("--nis", help="NIS5 code of the municipality.")],
    out: Annotated[Path, typer.Option(
        "-o", "--out", help="CSV file (or folder, then afgewezen.csv) for the rejected rows.")],
    twin: Annotated[Path | None, typer.Option(
        "--twin", help="Twin folder; addresses are checked against its dwellings (required "
        "for renovations and trajectories).")] = None,
    register: RegisterOpt = None,
    user: Annotated[str | None, typer.Option("--user", help="Who imports.")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Import nothing when any row is invalid.")] = False,
) -> None:
    """Importeer een ingevuld sjabloon / import a filled template, row by row validated."""
    from wijkreno.register import open_register
    from wijkreno.register.upload import UPLOAD_FIELDS, import_file

    if kind not in UPLOAD_FIELDS:
        raise InputError(f"unknown --kind {kind!r}; use {KIND_HELP}.")
    needs_twin = any(f.kind == "address" for f in UPLOAD_FIELDS[kind])
    if needs_twin and twin is None:
        raise InputError(f"--twin is required for {kind}: the addresses are checked against "
                         "the twin's dwellings.")
    dwellings = _twin_addresses(twin) if twin is not None else None
    target = out if out.suffix.lower() == ".csv" else out / "afgewezen.csv"
    if not target.parent.exists():
        target.parent.mkdir(parents=True)
    reg = open_register(register)
    try:
        result = import_file(reg, path, kind, nis_code=nis, dwellings=dwellings,
                             user=_user(user), strict=strict)
    finally:
        reg.close()
    report = pd.concat([result.rejected,
                        result.duplicate_rows.assign(column="", value="", candidates="")[list(
                            result.rejected.columns)]], ignore_index=True)
    write_safe_csv(report.sort_values("row"), target)
    table = Table(title=f"Import {path.name} ({kind}, {nis})")
    for col in ("rijen", "aanvaard", "geweigerd", "dubbel"):
        table.add_column(col, justify="right")
    table.add_row(str(result.n_rows), str(result.n_accepted), str(result.n_rejected),
                  str(result.duplicates))
    out_console.print(table)
    out_console.print(result.message)
    out_console.print(f"Geweigerde rijen met reden / rejected rows with reasons: {target}")


@app.command("list")
@handle_errors
def list_(
    kind: Annotated[str, typer.Argument(help=KIND_HELP + " or audit")],
    nis: Annotated[str | None, typer.Option("--nis", help="Only this municipality.")] = None,
    register: RegisterOpt = None,
    out: Annotated[Path | None, typer.Option(
        "-o", "--out", help="Also write the rows to this CSV.")] = None,
) -> None:
    """Toon de rijen van het register / list the register's rows."""
    from wijkreno.register import open_register

    reg = open_register(register, create=False)
    try:
        frame = reg.audit(nis) if kind == "audit" else reg.read(kind, nis)
    finally:
        reg.close()
    if out is not None:
        write_safe_csv(frame, out)  # no cell runs as a spreadsheet formula
    table = Table(title=f"{kind}: {len(frame)} rijen")
    for col in frame.columns:
        table.add_column(str(col))
    for row in frame.head(200).itertuples(index=False):
        table.add_row(*["" if v is None or (isinstance(v, float) and v != v) else str(v)
                        for v in row])
    out_console.print(table)
    if len(frame) > 200:
        out_console.print(f"... {len(frame) - 200} more rows; use -o to write them all.")


@app.command("correct")
@handle_errors
def correct(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    row_id: Annotated[int, typer.Argument(help="Row id (first column of `register list`).")],
    set_: Annotated[list[str], typer.Option(
        "--set", help="column=value (repeatable), e.g. --set fossil_free=ja.")],
    register: RegisterOpt = None,
    user: Annotated[str | None, typer.Option("--user", help="Who corrects.")] = None,
) -> None:
    """Verbeter een rij (met audit) / correct one row (audited)."""
    from wijkreno.register import open_register

    changes: dict[str, str] = {}
    for item in set_:
        if "=" not in item:
            raise InputError(f"--set {item!r} is not column=value (e.g. --set premium_eur=1250).")
        col, value = item.split("=", 1)
        changes[col.strip()] = value.strip()
    reg = open_register(register, create=False)
    try:
        reg.correct(kind, row_id, changes, user=_user(user))
    finally:
        reg.close()
    out_console.print(f"{kind} {row_id} verbeterd / corrected: "
                      + ", ".join(f"{k}={v}" for k, v in changes.items()))
