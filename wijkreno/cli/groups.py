"""``wijkreno groups``: collective renovation groups of a twin and what renovating together saves.

A thin caller of :func:`wijkreno.pipeline.run_groups`, which chooses each dwelling's package
(:func:`~wijkreno.renovate.packages.best_packages`), finds the groups
(:func:`~wijkreno.aggregate.groups.find_groups`), prices individual versus collective
(:func:`~wijkreno.aggregate.collective.collective_costs`) and writes to ``-o``:

``groups.parquet``
    GeoParquet, EPSG:31370, one row per group with the union of its buildings' footprints;
``groups.csv``
    the same without geometry;
``group_members.parquet`` / ``.csv``
    one row per dwelling: its group and its individual versus collective figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkreno.cli._common import (
    AsBuiltOption,
    ForceOption,
    RegisterOption,
    RenovatedOption,
    SimulateFolderOption,
    dwelling_folders,
    handle_errors,
    out_console,
    print_stage,
    simulate_folder,
)
from wijkreno.cli._summaries import print_stage_summary
from wijkreno.errors import InputError
from wijkreno.pipeline import GroupsOptions, Workspace, run_groups


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
    basis: Annotated[str, typer.Option(
        help="Basis van de besparingen, zoals bij de trajecten / basis of the savings, as for "
             "the trajectories: auto (gekalibreerd waar beschikbaar, anders verwacht / "
             "calibrated where available, else expected), calibrated, expected of/or "
             "standardised.")] = "auto",
    price_year: Annotated[int | None, typer.Option(
        "--price-year",
        help="Prijsjaar, zoals bij de trajecten / price year, as for the trajectories: "
             "premies, energieprijzen en kostenniveau van dat jaar (wijkreno/params/"
             "price_sets.toml; standaard het huidige jaar / default the current year).")
    ] = None,
    renovated: RenovatedOption = None,
    register: RegisterOption = None,
    as_built: AsBuiltOption = False,
    simulate: SimulateFolderOption = None,
    force: ForceOption = False,
) -> None:
    """Collective renovation groups: individual versus collective cost, premiums and savings.

    Reads the twin as renovated when there is that layer, as the pipeline does; --as-built
    for the twin as built.
    """
    from wijkreno.simulate.basis import BASIS_CHOICES

    if basis not in BASIS_CHOICES:
        raise InputError(f"--basis must be one of {list(BASIS_CHOICES)}, got {basis!r}")
    if price_year is not None:
        from wijkreno.params.models.price_sets import load_price_sets

        load_price_sets().resolve_year(price_year)  # an unknown year is bad input (exit 2)
    options = GroupsOptions(min_size=min_size, params=params,
                            target_score_kwh_per_m2=target_score, income_category=income_category,
                            basis=basis, price_year=price_year)
    folders = dwelling_folders(twin, renovated=renovated, as_built=as_built, register=register,
                               force=force)
    ws = Workspace(folders={**folders, **simulate_folder(twin, simulate), "groups": out})
    result = run_groups(ws, options, force=force)
    print_stage(result)
    print_stage_summary(result)
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")
