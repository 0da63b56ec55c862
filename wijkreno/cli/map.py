"""``wijkreno map``: a PNG choropleth and/or an offline interactive HTML map of one level.

Input is the level folder written by ``wijkreno aggregate`` (``<out>/<level>/``, or its
``areas.parquet``). The dwellings shown as points come from ``--dwellings`` or, when absent,
from the ``dwelling_results.parquet`` that ``wijkreno aggregate`` wrote one folder up. Writes
``<out>/kaart_<column>.png`` and ``<out>/kaart.html``. The lead registers it as
``app.command("map")(map_)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import geopandas as gpd
import typer
from rich.console import Console

from wijkreno.aggregate.priority import load_priority_params, priority_score
from wijkreno.cli._common import handle_errors
from wijkreno.errors import InputError
from wijkreno.maps import render_html, render_png
from wijkreno.maps.static_map import SCHEMES

out_console = Console()

FORMATS = ("png", "html", "both")


def _read_geoparquet(path: Path, what: str) -> gpd.GeoDataFrame:
    if not path.exists():
        raise InputError(f"the {what} file {path} does not exist; run `wijkreno aggregate` "
                         "first and pass its level folder.")
    try:
        return gpd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read {path} as GeoParquet: {exc}") from exc


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
    path = aggregated / "areas.parquet" if aggregated.is_dir() else aggregated
    areas = _read_geoparquet(path, "aggregated areas")
    # the popup explains the score with the weights; recompute them from the components
    params = load_priority_params(priority_params)
    if "priority_score" in areas.columns:
        prio = priority_score(areas, weights=params)
        areas.attrs.update(prio.attrs)
    key = next((c for c in ("sector_code", "wijk_code", "nis_code") if c in areas.columns), None)
    areas.attrs["level_key"] = key
    if dwellings is None:
        default = path.parent.parent / "dwelling_results.parquet"
        dwellings = default if default.exists() else None
    points = _read_geoparquet(dwellings, "dwellings") if dwellings is not None else None
    out = out or path.parent
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if format_ in ("png", "both"):
        png = out / f"kaart_{column}.png"
        render_png(areas, column, png, title=title, scheme=scheme, k=k,
                   points=None if no_points else points)
        written.append(png)
    if format_ in ("html", "both"):
        html_path = out / "kaart.html"
        render_html(areas, html_path, dwellings=points,
                    title=title or "Prioriteitenkaart renovatie", k=k)
        written.append(html_path)
    for p in written:
        out_console.print(f"Geschreven naar / written to [bold]{p}[/]")
