"""``wijkreno indicators``: LEKP targets and indicators over time for one municipality.

Reads the register (``--register``, an SQLAlchemy URL; default ``WIJKRENO_REGISTER_URL`` or the
SQLite file ``wijkreno_register.sqlite``), computes the municipality's targets from its
inhabitants, households and housing units (numbers, or the Statbel tables) and writes to ``-o``:

``targets.csv``
    one row per goal (:func:`wijkreno.indicators.municipality_targets`);
``indicators.csv`` / ``indicators.parquet``
    one row per goal and year (:func:`wijkreno.indicators.compute_indicators`);
``projection.csv``
    with ``--scenario``: planned collective renovations per year
    (:func:`wijkreno.indicators.campaign_projection`);
``savings_unmatched.csv``
    with ``--twin``: register rows the per-address model could not use, with the reason.

A thin caller of :func:`wijkreno.pipeline.run_indicators`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from wijkreno.cli._common import ForceOption, handle_errors, out_console
from wijkreno.errors import InputError
from wijkreno.pipeline import IndicatorOptions, Workspace, run_indicators


def _as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of must be a date YYYY-MM-DD, got {text!r}") from None


@handle_errors
def indicators(
    nis: Annotated[str, typer.Option("--nis", help="NIS5 code of the municipality.")],
    inhabitants: Annotated[int, typer.Option("--inhabitants", min=0,
                                             help="Number of inhabitants (Statbel).")],
    register_url: Annotated[str | None, typer.Option(
        "--register", help="SQLAlchemy URL of the register (default: WIJKRENO_REGISTER_URL or "
                           "sqlite:///wijkreno_register.sqlite).")] = None,
    households: Annotated[int | None, typer.Option(
        "--households", min=0, help="Number of private households.")] = None,
    statbel_households: Annotated[Path | None, typer.Option(
        "--statbel-households", help="Statbel huishoudens_gemeente.csv (instead of "
                                     "--households).")] = None,
    refnis: Annotated[Path | None, typer.Option(
        "--refnis", help="Statbel codebook_refnis.csv (names -> NIS) for "
                         "--statbel-households; default: beside the gebouwenpark extract.")] = None,
    housing_units: Annotated[int | None, typer.Option(
        "--housing-units", min=0, help="Number of housing units (woongelegenheden).")] = None,
    statbel: Annotated[Path | None, typer.Option(
        "--statbel", help="Statbel gebouwenpark CSV, long layout (T8 = housing units; instead "
                          "of --housing-units).")] = None,
    pact: Annotated[str, typer.Option("--pact", help="LEKP version: 1.0, 2.0 or 2.1.")] = "2.1",
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Report date YYYY-MM-DD (default: today).")] = None,
    twin: Annotated[Path | None, typer.Option(
        "--twin", help="Twin folder (dwellings.parquet): CO2 and energy saved, projection.")
    ] = None,
    scenario_file: Annotated[str | None, typer.Option(
        "--scenario", help="Scenario TOML or packaged name with campaigns: projection of "
                           "planned collective renovations (needs --twin).")] = None,
    counting_rule: Annotated[str | None, typer.Option(
        "--counting-rule", help="vvsg_measure (one per measure, default) or per_dwelling.")
    ] = None,
    goals_file: Annotated[Path | None, typer.Option(
        "--goals", help="LEKP goal file (default: the packaged lekp_goals.toml).")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Name of the municipality, for the report.")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/indicators"),
    force: ForceOption = False,
) -> None:
    """LEKP-doelen en indicatoren / LEKP targets and indicators over time, per municipality."""
    options = IndicatorOptions(
        nis_code=nis, inhabitants=inhabitants, register_url=register_url, households=households,
        statbel_households=statbel_households, refnis=refnis, housing_units=housing_units,
        statbel=statbel, pact=pact, as_of=_as_of(as_of), scenario=scenario_file,
        counting_rule=counting_rule, goals=goals_file, name=name)
    ws = Workspace(folders={"twin": twin, "indicators": out})
    with out_console.status("indicatoren berekenen / computing indicators"):
        result = run_indicators(ws, options, force=force)
    _print_table(result.tables["indicators"], options.as_of or dt.date.today(), out)


def _fmt(x: float, unit: str) -> str:
    if pd.isna(x):
        return "–"
    if unit == "fractie":
        return f"{100 * x:.1f} %"
    return f"{x:,.0f}".replace(",", ".") if abs(x) >= 10 or x == int(x) else f"{x:.1f}"


def _print_table(table: pd.DataFrame, as_of: dt.date, out: Path) -> None:
    t = Table(title=f"LEKP-indicatoren op {as_of.isoformat()} / LEKP indicators")
    for col in ("doel / goal", "termijn", "doel", "gerealiseerd", "% bereikt",
                "prognose termijn", "op schema"):
        t.add_column(col)
    for _, rows in table.groupby("goal_id", sort=False):
        past = rows[rows["is_past"]]
        r = past.iloc[-1] if not past.empty else rows.iloc[0]
        unit = str(r["unit"])
        share = r["share_achieved_frac"]
        on = "–" if not bool(r["computable"]) else ("ja" if bool(r["on_track"]) else "nee")
        t.add_row(str(r["title_nl"]), str(r["deadline"]), _fmt(r["target"], unit),
                  _fmt(r["realised_cumulative"], unit),
                  "–" if pd.isna(share) else f"{100 * share:.0f} %",
                  _fmt(r["projected_at_deadline"], unit), on)
    out_console.print(t)
    out_console.print(f"geschreven naar / written to {out}")
