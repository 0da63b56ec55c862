"""``wijkreno trajectories``: step-by-step renovation trajectories for a twin, a street or
addresses.

A thin caller of :func:`wijkreno.pipeline.run_trajectories`: reads the twin as renovated when
there is that layer (``--renovated``, by default ``renovated/`` beside the twin folder;
``--register`` makes it from a register export; ``--as-built`` skips it) and the simulation's
expected use for the money (``--simulate``, by default ``simulate/`` beside the twin folder),
keeps the dwellings of the given streets or address list, applies a coach's overrides (on a
copy: the twin is not edited), enumerates every applicable package, and writes
``trajectories.parquet`` + ``.csv`` (one row per dwelling and step) and ``summary.parquet`` +
``.csv`` (one row per dwelling) to ``-o``.
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
from wijkreno.errors import InputError
from wijkreno.pipeline import TrajectoryOptions, run_trajectories


@handle_errors
def trajectories(
    twin: Annotated[Path, typer.Argument(help="Twin folder holding dwellings.parquet.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/trajectories"),
    street: Annotated[list[str] | None, typer.Option(
        "--street", help="Only this street (repeatable).")] = None,
    addresses: Annotated[Path | None, typer.Option(
        "--addresses", help="CSV with a column adres_id or dwelling_id.")] = None,
    overrides: Annotated[Path | None, typer.Option(
        "--overrides", help="CSV of the coach's per-address corrections.")] = None,
    target: Annotated[str, typer.Option(
        help="label_A_fossil_free_2050 (default: label A en fossielvrij verwarmen / label A "
             "and fossil-free heating), label_A_2050 (label only) or obligation (needs deed "
             "years).")] = "label_A_fossil_free_2050",
    objective: Annotated[str, typer.Option(help="cost (least net cost) or npv.")] = "cost",
    income_category: Annotated[int | None, typer.Option(
        "--income-category", min=1, max=4,
        help="Mijn VerbouwPremie category 1-4 for every dwelling without one.")] = None,
    horizon_years: Annotated[int | None, typer.Option(
        "--horizon-years", min=1, help="NPV horizon [years].")] = None,
    discount_rate: Annotated[float | None, typer.Option(
        "--discount-rate", help="Real discount rate, a fraction (0.03 = 3 %).")] = None,
    basis: BasisOption = "auto",
    price_year: PriceYearOption = None,
    municipal_premiums: Annotated[Path | None, typer.Option(
        "--municipal-premiums",
        help="Gemeentelijke premies bovenop Mijn VerbouwPremie / a municipality's top-up "
             "premiums: TOML laid out as wijkreno/params/municipal/template.toml.")] = None,
    renovated: RenovatedOption = None,
    register: RegisterOption = None,
    as_built: AsBuiltOption = False,
    simulate: SimulateFolderOption = None,
    force: ForceOption = False,
) -> None:
    """Renovation trajectories per dwelling: steps, cost, premium, saving and label.

    Plans the twin as renovated (the register's realised measures are never proposed again)
    when there is that layer, as the pipeline does; --as-built for the twin as built.
    """
    from wijkreno.renovate.trajectories import TARGETS

    if target not in TARGETS:
        raise InputError(f"--target must be one of {list(TARGETS)}, got {target!r}")
    check_money_options(basis, price_year)
    if objective not in ("cost", "npv"):
        raise InputError(f"--objective must be cost or npv, got {objective!r}")
    options = TrajectoryOptions(
        streets=tuple(street or ()), addresses=addresses, overrides=overrides, target=target,
        objective=objective, income_category=income_category, horizon_years=horizon_years,
        discount_rate_frac=discount_rate, basis=basis, price_year=price_year,
        municipal_premiums=municipal_premiums)
    run_money_stage("trajectories", run_trajectories, options, twin, out, renovated=renovated,
                    as_built=as_built, register=register, simulate=simulate, force=force)
