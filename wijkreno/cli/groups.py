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
    BasisOption,
    ForceOption,
    PriceYearOption,
    RegisterOption,
    RenovatedOption,
    SimulateFolderOption,
    check_money_options,
    handle_errors,
)
from wijkreno.cli._stages import run_money_stage
from wijkreno.pipeline import GroupsOptions, run_groups


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
    basis: BasisOption = "auto",
    price_year: PriceYearOption = None,
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
    check_money_options(basis, price_year)
    options = GroupsOptions(min_size=min_size, params=params,
                            target_score_kwh_per_m2=target_score, income_category=income_category,
                            basis=basis, price_year=price_year)
    run_money_stage("groups", run_groups, options, twin, out, renovated=renovated,
                    as_built=as_built, register=register, simulate=simulate, force=force)
