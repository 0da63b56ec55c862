"""``wijkreno aggregate``: per-area figures and the priority ranking of one level.

A thin caller of :func:`wijkreno.pipeline.run_aggregate`. Reads a twin folder, the simulation
results (``--results``, folder of ``wijkreno simulate``), optionally the trajectory summary
(``--plan``), the group membership (``--groups``) and the uncertainty ranges
(``--uncertainty``), joins them per dwelling and writes::

    <out>/dwelling_results.parquet       the per-dwelling table (GeoParquet, EPSG:31370)
    <out>/<level>/areas.parquet          one row per area (GeoParquet, EPSG:31370)
    <out>/<level>/areas.geojson          the same in EPSG:4326 (web edge)
    <out>/<level>/areas.csv              the same without geometry
    <out>/<level>/priority.csv           the ranking with every component and its weight
    <out>/<level>/priority_weights.csv   the weights used, with their rationale
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkreno.cli._common import ForceOption, handle_errors, out_console, print_stage
from wijkreno.cli._summaries import print_stage_summary
from wijkreno.errors import InputError
from wijkreno.pipeline import AggregateOptions, Workspace, run_aggregate

_LEVELS = ("sector", "wijk", "municipality")


def _stage_folder(path: Path | None, ws_probe: str, table: str, what: str) -> Path | None:
    """The stage folder of a ``--results``/``--plan``/… argument (a folder or its file)."""
    if path is None:
        return None
    folder = path.parent if path.is_file() else path
    if not Workspace(folders={ws_probe: folder}).exists(ws_probe, table):
        raise InputError(f"{path} holds no {what} of `wijkreno {ws_probe}`; pass the {what} "
                         "folder.")
    return folder


@handle_errors
def aggregate(
    twin: Annotated[Path, typer.Argument(help="Twin folder holding dwellings.parquet.")],
    results: Annotated[Path, typer.Option(
        "--results", help="Folder (or results.parquet) of `wijkreno simulate`.")],
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="Folder (or summary.parquet) of `wijkreno trajectories`.")] = None,
    groups: Annotated[Path | None, typer.Option(
        "--groups", help="Folder (or group_members.parquet/.csv) of `wijkreno groups`.")
    ] = None,
    areas: Annotated[Path | None, typer.Option(
        "--areas", help="Polygons of the level (GeoPackage/GeoParquet/GeoJSON, EPSG:31370): "
        "Statbel sectors (CD_SECTOR), ggw7 wijken (geoitem) or municipalities. Needed for "
        "--level wijk; otherwise areas are drawn as the hull of their dwellings.")] = None,
    level: Annotated[str, typer.Option(
        "--level", help="sector, wijk or municipality.")] = "sector",
    priority_params: Annotated[Path | None, typer.Option(
        "--priority-params", help="TOML laid out as wijkreno/params/priority.toml "
        "(weights of the priority score).")] = None,
    sector_income: Annotated[Path | None, typer.Option(
        "--sector-income", help="CSV with sector_code and income_eur per statistical sector "
        "(e.g. Statbel fiscal income): adds an income proxy of energy poverty.")] = None,
    uncertainty: Annotated[Path | None, typer.Option(
        "--uncertainty", help="Folder (or ensemble_sectors.parquet) of `wijkreno "
        "uncertainty` run with the same --by level: its p10/p50/p90 per area are added, and "
        "the map popups show the range.")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/aggregate"),
    force: ForceOption = False,
) -> None:
    """Aggregate dwellings to sectors, wijken or the municipality and rank them for action."""
    if level not in _LEVELS:
        raise InputError(f"--level must be one of {list(_LEVELS)}, got {level!r}.")
    ws = Workspace(folders={
        "twin": twin,
        "simulate": _stage_folder(results, "simulate", "results", "simulation results"),
        "trajectories": _stage_folder(plan, "trajectories", "summary", "trajectories"),
        "groups": _stage_folder(groups, "groups", "members", "groups"),
        "uncertainty": _stage_folder(uncertainty, "uncertainty", "areas",
                                     "uncertainty results"),
        "aggregate": out,
    })
    options = AggregateOptions.model_validate(
        {"level": level, "areas": areas, "priority_params": priority_params,
         "sector_income": sector_income})
    result = run_aggregate(ws, options, force=force)
    print_stage(result)
    print_stage_summary(result)
    folder = ws.path("aggregate", "areas", level=level).parent
    out_console.print(f"Geschreven naar / written to [bold]{folder}[/]")
