"""``wijkreno aggregate``: per-area figures and the priority ranking of one level.

Reads a twin folder (``dwellings.parquet``), the simulation results (``--results``, folder of
``wijkreno simulate``), optionally the trajectory summary (``--plan``, folder of ``wijkreno
trajectories``) and the group membership (``--groups``, folder of ``wijkreno groups``), joins
them per dwelling and writes::

    <out>/dwelling_results.parquet       the per-dwelling table (GeoParquet, EPSG:31370)
    <out>/<level>/areas.parquet          one row per area (GeoParquet, EPSG:31370)
    <out>/<level>/areas.geojson          the same in EPSG:4326 (web edge)
    <out>/<level>/areas.csv              the same without geometry
    <out>/<level>/priority.csv           the ranking with every component and its weight
    <out>/<level>/priority_weights.csv   the weights used, with their rationale

The lead registers it as ``app.command("aggregate")(aggregate)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from wijkreno.aggregate.areas import LEVELS, aggregate_dwellings, assign_areas
from wijkreno.aggregate.dwelling_results import assemble_dwelling_results
from wijkreno.aggregate.priority import load_priority_params, priority_explanation, priority_score
from wijkreno.cli._common import handle_errors
from wijkreno.errors import InputError
from wijkreno.io.twin_store import read_twin_file
from wijkreno.maps import write_area_files

out_console = Console()

GROUP_FILES: tuple[str, ...] = ("group_members.parquet", "group_members.csv")
"""Files of a ``wijkreno groups`` folder holding the dwelling → group membership."""


def _read_frame(path: Path, what: str) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    try:
        if path.suffix == ".csv":
            return pd.read_csv(path, dtype={"dwelling_id": str, "group_id": str})
        try:
            return gpd.read_parquet(path)
        except ValueError:  # plain Parquet without geometry metadata
            return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - unreadable file is the user's input problem
        raise InputError(f"cannot read the {what} file {path}: {exc}") from exc


def _in_folder(folder: Path, names: tuple[str, ...], what: str) -> Path:
    if folder.is_file():
        return folder
    for name in names:
        if (folder / name).exists():
            return folder / name
    raise InputError(f"{folder} holds none of {list(names)}; pass the {what} folder.")


def _read_areas(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise InputError(f"the area file {path} does not exist; check the path.")
    try:
        if path.suffix == ".parquet":
            return gpd.read_parquet(path)
        return gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read the area polygons {path}: {exc}") from exc


def load_dwelling_table(
    twin: Path, results: Path, plan: Path | None = None, groups: Path | None = None
) -> gpd.GeoDataFrame:
    """Read the stage outputs and join them per dwelling (shared with ``wijkreno map``)."""
    dwellings = read_twin_file(twin, "dwellings.parquet")
    res = _read_frame(_in_folder(results, ("results.parquet",), "simulation results"),
                      "simulation results")
    summary = None
    if plan is not None:
        summary = _read_frame(_in_folder(plan, ("summary.parquet",), "trajectories"),
                              "trajectory summary")
    members = None
    if groups is not None:
        members = _read_frame(_in_folder(groups, GROUP_FILES, "groups"), "group membership")
    return assemble_dwelling_results(dwellings, pd.DataFrame(res), summary,
                                     None if members is None else pd.DataFrame(members))


def _ranking(frame: gpd.GeoDataFrame, key: str) -> pd.DataFrame:
    cols = [key, "area_name", "priority_rank", "priority_score",
            *[c for c in frame.columns if c.startswith("priority_")
              and c not in ("priority_rank", "priority_score")],
            "n_dwellings", "label_ef_frac", "epc_score_mean_kwh_per_m2"]
    cols = list(dict.fromkeys(c for c in cols if c in frame.columns))
    return pd.DataFrame(frame[cols]).sort_values(["priority_rank", key], na_position="last")


def _read_sector_income(path: Path) -> pd.Series:
    """``sector_code`` → income [EUR] from a CSV with columns sector_code and income_eur."""
    table = _read_frame(path, "sector income")
    missing = [c for c in ("sector_code", "income_eur") if c not in table.columns]
    if missing:
        raise InputError(f"{path} lacks the columns {missing}; give sector_code and income_eur.")
    codes = table["sector_code"].astype(str).str.strip()
    return pd.Series(pd.to_numeric(table["income_eur"], errors="coerce").to_numpy(),
                     index=codes.to_numpy())


def _join_uncertainty(frame: gpd.GeoDataFrame, path: Path, key: str) -> gpd.GeoDataFrame:
    """Add the per-area p10/p50/p90 of ``wijkreno uncertainty`` to the aggregated areas."""
    path = _in_folder(path, ("ensemble_sectors.parquet",), "uncertainty results")
    ranges = _read_frame(path, "uncertainty results")
    if key not in ranges.columns:
        raise InputError(
            f"{path} has no {key!r} column: run `wijkreno uncertainty --by {key}` for this level."
        )
    cols = [c for c in ranges.columns if c.endswith(("_p10", "_p50", "_p90"))]
    attrs = frame.attrs
    joined = frame.merge(pd.DataFrame(ranges[[key, *cols]]), on=key, how="left",
                         validate="one_to_one")
    joined.attrs = attrs
    return joined


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
) -> None:
    """Aggregate dwellings to sectors, wijken or the municipality and rank them for action."""
    if level not in LEVELS:
        raise InputError(f"--level must be one of {list(LEVELS)}, got {level!r}.")
    key = LEVELS[level]
    table = load_dwelling_table(twin, results, plan, groups)
    polygons = _read_areas(areas) if areas is not None else None
    if key == "wijk_code" and "wijk_code" not in table.columns:
        if polygons is None:
            raise InputError(
                "--level wijk needs --areas with the wijk polygons (e.g. ggw7_wijken.gpkg) to "
                "put each dwelling in its wijk.")
        table = assign_areas(table, polygons, "wijk_code")
    params = load_priority_params(priority_params)
    income = _read_sector_income(sector_income) if sector_income is not None else None
    agg = aggregate_dwellings(table, by=key, areas=polygons, params=params, sector_income=income)
    prio = priority_score(agg, weights=params)
    frame = agg.join(prio)
    frame.attrs = {**agg.attrs, **prio.attrs}
    if uncertainty is not None:
        frame = _join_uncertainty(frame, uncertainty, key)
    out.mkdir(parents=True, exist_ok=True)
    plain = table.copy()
    for col in plain.columns:
        if col != plain.geometry.name and isinstance(plain[col].dtype, pd.CategoricalDtype):
            plain[col] = plain[col].astype("object")
    plain.to_parquet(out / "dwelling_results.parquet", index=False)
    paths = write_area_files(frame, out / level)
    ranking = _ranking(frame, key)
    ranking.to_csv(out / level / "priority.csv", index=False)
    explanation = priority_explanation(params)
    explanation["weight_used_frac"] = explanation["name"].map(prio.attrs["priority_weights"])
    explanation.to_csv(out / level / "priority_weights.csv", index=False)

    table_out = Table(title=f"Prioriteit per {level} / priority per {level}")
    for col in ("rang", key, "naam", "woningen", "E/F", "score"):
        table_out.add_column(col, justify="right" if col in ("rang", "woningen", "E/F",
                                                              "score") else "left")
    for row in ranking.head(15).itertuples(index=False):
        r = row._asdict()
        table_out.add_row(
            "-" if pd.isna(r.get("priority_rank")) else str(int(r["priority_rank"])),
            str(r[key]), "" if pd.isna(r.get("area_name")) else str(r["area_name"]),
            f"{int(r['n_dwellings']):,}",
            "-" if pd.isna(r.get("label_ef_frac")) else f"{r['label_ef_frac']:.0%}",
            "-" if pd.isna(r.get("priority_score")) else f"{r['priority_score']:.2f}",
        )
    out_console.print(table_out)
    if agg.attrs.get("n_unassigned"):
        out_console.print(f"[yellow]{agg.attrs['n_unassigned']:,} woningen zonder gebied / "
                          "dwellings without an area[/]")
    skipped = prio.attrs.get("priority_skipped")
    if skipped:
        out_console.print(f"Componenten zonder gegevens / components without data: {skipped}")
    out_console.print(f"Geschreven naar / written to [bold]{paths['parquet'].parent}[/]")
