"""``wijkreno map``: a PNG choropleth and/or an offline interactive HTML map of one level.

Input is the level folder written by ``wijkreno aggregate`` (``<out>/<level>/``, or its
``areas.parquet``). The dwellings shown as points come from ``--dwellings`` or, when absent,
from the ``dwelling_results.parquet`` that ``wijkreno aggregate`` wrote one folder up. Writes
``kaart_<column>.png`` and ``kaart.html`` (:func:`wijkreno.pipeline.draw_maps`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkreno.cli._common import handle_errors, out_console
from wijkreno.errors import InputError
from wijkreno.io.tables import read_frame
from wijkreno.maps.static_map import SCHEMES
from wijkreno.pipeline import Workspace, draw_maps

FORMATS = ("png", "html", "both")


@handle_errors
def map_(
    aggregated: Annotated[Path, typer.Argument(
        help="Level folder of `wijkreno aggregate` (e.g. out/aggregate/sector) or its "
        "areas.parquet.")],
    out: Annotated[Path | None, typer.Option(
        "-o", "--out", help="Output folder (default: the level folder).")] = None,
    format_: Annotated[str, typer.Option("--format", help="png, html or both.")] = "both",
    column: Annotated[str, typer.Option(
        "--column", help="Column of the PNG choropleth.")] = "priority_score",
    scheme: Annotated[str, typer.Option(
        "--scheme", help="Classes: NaturalBreaks or Quantiles (also EqualInterval, "
        "FisherJenks).")] = "NaturalBreaks",
    k: Annotated[int, typer.Option("--k", min=1, max=7, help="Number of classes.")] = 5,
    dwellings: Annotated[Path | None, typer.Option(
        "--dwellings", help="Per-dwelling GeoParquet to draw as points (default: "
        "dwelling_results.parquet next to the level folder, when present).")] = None,
    no_points: Annotated[bool, typer.Option(
        "--no-points", help="Do not draw dwellings on the PNG.")] = False,
    title: Annotated[str | None, typer.Option("--title", help="Map title.")] = None,
    priority_params: Annotated[Path | None, typer.Option(
        "--priority-params", help="TOML laid out as wijkreno/params/priority.toml; the "
        "popup shows its weights.")] = None,
) -> None:
    """Draw the aggregated areas as a PNG choropleth and/or an offline interactive HTML map."""
    if format_ not in FORMATS:
        raise InputError(f"--format must be one of {list(FORMATS)}, got {format_!r}.")
    if scheme not in SCHEMES:
        raise InputError(f"--scheme must be one of {list(SCHEMES)}, got {scheme!r}.")
    level_dir = aggregated if aggregated.is_dir() else aggregated.parent
    ws = Workspace(folders={"aggregate": level_dir.parent})
    level = level_dir.name
    if not ws.exists("aggregate", "areas", level=level):
        raise InputError(f"the aggregated areas file {ws.path('aggregate', 'areas', level=level)}"
                         " does not exist; run `wijkreno aggregate` first and pass its level "
                         "folder.")
    areas = ws.read("aggregate", "areas", level=level)
    if dwellings is not None:
        points = read_frame(dwellings, "dwellings")
    elif ws.exists("aggregate", "dwelling_results"):
        points = ws.read("aggregate", "dwelling_results")
    else:
        points = None
    png = ws.path("aggregate", "map_png", level=level, column=column)
    html = ws.path("aggregate", "map_html", level=level)
    if out is not None:
        png, html = out / png.name, out / html.name
    written = draw_maps(
        areas, dwellings=points, column=column, title=title, scheme=scheme, k=k,
        no_points=no_points, priority_params=priority_params,
        png=png if format_ in ("png", "both") else None,
        html=html if format_ in ("html", "both") else None)
    for p in written:
        out_console.print(f"Geschreven naar / written to [bold]{p}[/]")
