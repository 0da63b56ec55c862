"""``wijkreno groups``: collective renovation groups of a twin and what renovating together saves.

Reads ``<twin>/buildings.parquet`` and ``dwellings.parquet``, chooses each dwelling's package
(:func:`~wijkreno.renovate.packages.best_packages`), finds the groups
(:func:`~wijkreno.aggregate.groups.find_groups`), prices individual versus collective
(:func:`~wijkreno.aggregate.collective.collective_costs`) and writes to ``-o``:

``groups.parquet``
    GeoParquet, EPSG:31370, one row per group with the union of its buildings' footprints;
``groups.csv``
    the same without geometry;
``group_members.parquet`` / ``.csv``
    one row per dwelling: its group and its individual versus collective figures.

The lead registers it as ``app.command("groups")(groups)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer

from wijkreno.cli._common import handle_errors, out_console
from wijkreno.errors import InputError


def group_geometries(buildings: gpd.GeoDataFrame, members: pd.DataFrame) -> gpd.GeoSeries:
    """Union of the footprints of each group's buildings, indexed by ``group_id``."""
    pairs = pd.DataFrame({"group_id": members["group_id"].astype("string").to_numpy(),
                          "gebouw_id": members["gebouw_id"].astype("string").to_numpy()})
    pairs = pairs.drop_duplicates()
    foot = gpd.GeoDataFrame(
        {"gebouw_id": buildings["gebouw_id"].astype("string").to_numpy()},
        geometry=buildings.geometry.to_numpy(), crs=buildings.crs,
    ).drop_duplicates("gebouw_id")
    joined = foot.merge(pairs, on="gebouw_id", how="inner")
    return joined.dissolve(by="group_id").geometry


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype("string")
    return frame


@handle_errors
def groups(
    twin: Annotated[Path, typer.Argument(
        help="Twin folder (buildings.parquet, dwellings.parquet).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("out/groups"),
    min_size: Annotated[int | None, typer.Option(
        "--min-size", min=1,
        help="Participating dwellings a group needs to renovate collectively "
             "(default: collective.toml, 2).")] = None,
    params: Annotated[Path | None, typer.Option(
        "--params", help="Own collective.toml (laid out as wijkreno/params/collective.toml).")
    ] = None,
    target_score: Annotated[float, typer.Option(
        "--target-score", help="EPC score the packages must reach [kWh/m²] (100 = label A).")
    ] = 100.0,
    income_category: Annotated[int | None, typer.Option(
        "--income-category", min=1, max=4,
        help="Mijn VerbouwPremie category 1-4 for every dwelling without one.")] = None,
) -> None:
    """Collective renovation groups: individual versus collective cost, premiums and savings."""
    from wijkreno.aggregate.collective import collective_costs
    from wijkreno.aggregate.groups import find_groups, load_collective_params
    from wijkreno.io.twin_store import read_twin
    from wijkreno.renovate.applicability import measure_options
    from wijkreno.renovate.packages import best_packages

    cp = load_collective_params(params)
    if min_size is not None:
        rules = cp.collective.model_copy(update={
            "min_participants": cp.collective.min_participants.model_copy(
                update={"value": float(min_size),
                        "source": "wijkreno groups --min-size (command line)"})})
        cp = cp.model_copy(update={"collective": rules})
    buildings, dwellings = read_twin(twin)
    if dwellings.empty:
        raise InputError(f"the twin {twin} holds no dwellings; nothing to group.")
    options = measure_options(dwellings, income_category=income_category)
    plan = best_packages(dwellings, options, target_score_kwh_per_m2=target_score)
    members = find_groups(buildings, dwellings, params=cp)
    group_table, dwelling_table = collective_costs(dwellings, members, plan, options,
                                                   params=cp)
    dwelling_table.insert(1, "gebouw_id", dwellings["gebouw_id"].astype("string").to_numpy())
    geom = group_geometries(buildings, dwelling_table)
    gdf = gpd.GeoDataFrame(group_table, geometry=geom.reindex(group_table["group_id"]).values,
                           crs=buildings.crs)
    out.mkdir(parents=True, exist_ok=True)
    _plain(gdf).to_parquet(out / "groups.parquet", index=False)
    _plain(group_table).to_csv(out / "groups.csv", index=False)
    members_out = _plain(dwelling_table.reset_index(drop=True))
    members_out.to_parquet(out / "group_members.parquet", index=False)
    members_out.to_csv(out / "group_members.csv", index=False)
    _print_summary(group_table, dwelling_table)
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")


def _print_summary(group_table: pd.DataFrame, dwelling_table: pd.DataFrame) -> None:
    big = group_table[group_table["n_dwellings"] >= 10]
    kinds = group_table["group_kind"].value_counts()
    out_console.print(
        f"[bold]{len(group_table):,}[/] groepen / groups ("
        + ", ".join(f"{k}: {int(v)}" for k, v in kinds.items()) + ")"
    )
    out_console.print(
        f"[bold]{len(big):,}[/] groepen met minstens 10 woningen / groups of at least 10 "
        f"dwellings ({int(big['n_dwellings'].sum()):,} woningen / dwellings); "
        f"{int(group_table['burenpremie_eligible'].sum()):,} met burenpremie / with burenpremie"
    )
    coll = dwelling_table[dwelling_table["collective"]]
    if len(coll):
        gain = float(coll["collective_gain_eur"].mean())
        pw = float(coll["party_wall_saving_eur"].mean())
        out_console.print(
            f"gemiddelde collectieve winst / mean collective gain: [bold]€ {gain:,.0f}[/] "
            f"per woning / dwelling (eenmalig / one-off), + € {pw:,.0f} per jaar / year "
            f"door gemene muren / through party walls ({len(coll):,} woningen / dwellings)"
        )
    else:
        out_console.print("geen collectieve groepen / no collective groups")
    n_part = int(dwelling_table["participating"].sum())
    if n_part < len(dwelling_table):
        out_console.print(
            f"{len(dwelling_table) - n_part:,} woningen zonder pakket / dwellings without a "
            "package (target not reached, not computed or nothing to do)"
        )
