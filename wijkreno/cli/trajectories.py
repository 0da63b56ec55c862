"""``wijkreno trajectories``: step-by-step renovation trajectories for a twin, a street or
addresses.

Reads ``<twin>/dwellings.parquet``, keeps the dwellings of the given streets or address list,
applies a coach's overrides (on a copy: the twin is not edited), enumerates every applicable
package, and writes ``<out>/trajectories.parquet`` + ``.csv`` (one row per dwelling and step) and
``<out>/summary.parquet`` + ``.csv`` (one row per dwelling). The lead registers it as
``app.command("trajectories")(trajectories)``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from wijkreno.cli._common import handle_errors
from wijkreno.errors import InputError
from wijkreno.io.twin_store import read_table
from wijkreno.twin.schema import DWELLINGS

out_console = Console()


def _select_streets(dwellings: pd.DataFrame, streets: list[str]) -> np.ndarray:
    names = dwellings["street"].astype("string").fillna("")
    known = sorted(set(names) - {""})
    lower = names.str.lower().to_numpy(dtype=object)
    keep = np.zeros(len(dwellings), dtype=bool)
    for street in streets:
        hit = lower == street.strip().lower()
        if not hit.any():
            close = difflib.get_close_matches(street, known, n=5, cutoff=0.6)
            hint = f" Bedoelde u / did you mean: {', '.join(close)}?" if close else ""
            raise InputError(
                f"street {street!r} is not in the twin ({len(known)} streets).{hint}"
            )
        keep |= hit
    return keep


def _select_addresses(dwellings: pd.DataFrame, path: Path) -> np.ndarray:
    if not path.exists():
        raise InputError(f"the address list {path} does not exist; check the path.")
    try:
        table = pd.read_csv(path, dtype=str)
    except Exception as exc:  # noqa: BLE001 - an unreadable file is the user's input problem
        raise InputError(f"cannot read the address list {path} as CSV: {exc}") from None
    cols = [c for c in ("adres_id", "dwelling_id") if c in table.columns]
    if not cols:
        raise InputError(
            f"the address list {path} needs a column adres_id or dwelling_id; it has "
            f"{list(table.columns)}."
        )
    keep = np.zeros(len(dwellings), dtype=bool)
    missing: list[str] = []
    for col in cols:
        wanted = table[col].dropna().str.strip()
        have = dwellings[col].astype("string")
        keep |= have.isin(set(wanted)).fillna(False).to_numpy(dtype=bool)
        missing += sorted(set(wanted) - set(have.dropna()))
    if missing:
        raise InputError(
            f"{len(missing)} ids of {path} are not in the twin, e.g. {missing[:5]}; check them "
            "against the twin's dwellings (dwelling_id / adres_id)."
        )
    return keep


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
    basis: Annotated[str | None, typer.Option(
        help="Basis of bills and savings: calibrated (default; else expected, else "
             "standardised), expected or standardised.")] = None,
) -> None:
    """Renovation trajectories per dwelling: steps, cost, premium, saving and label."""
    from wijkreno.renovate.applicability import measure_options
    from wijkreno.renovate.packages import BASES
    from wijkreno.renovate.trajectories import TARGETS, plan_trajectories

    if target not in TARGETS:
        raise InputError(f"--target must be one of {list(TARGETS)}, got {target!r}")
    if basis is not None and basis not in BASES:
        raise InputError(f"--basis must be one of {list(BASES)}, got {basis!r}")
    if objective not in ("cost", "npv"):
        raise InputError(f"--objective must be cost or npv, got {objective!r}")
    dwellings = read_table(twin / "dwellings.parquet", DWELLINGS)
    keep = np.ones(len(dwellings), dtype=bool)
    if street:
        keep &= _select_streets(dwellings, street)
    if addresses is not None:
        keep &= _select_addresses(dwellings, addresses)
    selected = dwellings.loc[keep]
    if selected.empty:
        raise InputError("the selection holds no dwellings; check --street and --addresses.")
    changes = None
    if overrides is not None:
        from wijkreno.io.overrides import read_overrides
        from wijkreno.renovate.overrides import apply_overrides

        selected, changes = apply_overrides(selected, read_overrides(overrides))
    if income_category is not None and "income_category" in selected.columns:
        selected = selected.copy()
        cat = pd.to_numeric(selected["income_category"], errors="coerce")
        selected["income_category"] = cat.fillna(income_category)
        income_category = None
    options = measure_options(selected, income_category=income_category)
    steps, summary = plan_trajectories(
        selected, options, target=target, objective=objective, horizon_years=horizon_years,
        discount_rate_frac=discount_rate, basis=basis,
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("trajectories", steps), ("summary", summary.reset_index(drop=True))):
        frame = frame.copy()
        for col in frame.columns:  # categoricals and arrow strings as plain text in the CSV
            if isinstance(frame[col].dtype, pd.CategoricalDtype):
                frame[col] = frame[col].astype("string")
        frame.to_parquet(out / f"{name}.parquet", index=False)
        frame.to_csv(out / f"{name}.csv", index=False)
    if changes is not None and len(changes):
        pd.DataFrame(changes).to_csv(out / "overrides_applied.csv", index=False)
    _print_summary(summary)
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")


def _print_summary(summary: pd.DataFrame) -> None:
    valid = summary[summary["valid"]]
    n = len(valid)
    n_reached = int(valid["reached"].sum())
    median = float(valid.loc[valid["reached"], "net_cost_eur"].median()) if n_reached else np.nan
    out_console.print(
        f"[bold]{n_reached:,} van {n:,}[/] woningen halen het doel / dwellings reach the target"
        + (f"; mediane netto kost / median net cost [bold]€ {median:,.0f}[/]"
           if np.isfinite(median) else "")
    )
    before = valid["current_epc_label"].value_counts().sort_index()
    after = valid["final_epc_label"].value_counts().sort_index()
    labels = [str(lab) for lab in before.index]
    out_console.print("label  voor/before  na/after")
    for lab in labels:
        out_console.print(f"{lab:>5}  {int(before.get(lab, 0)):>11,}  {int(after.get(lab, 0)):>8,}")
    if "final_heating_system" in valid.columns:
        heat = valid["final_heating_system"].value_counts()
        out_console.print("verwarming na de werken / heating after the works: " + ", ".join(
            f"{k} {int(v):,}" for k, v in heat.items()))
    if "basis" in valid.columns:
        out_console.print("basis van facturen en besparing / basis of bills and savings: "
                          + ", ".join(f"{k} {int(v):,}"
                                      for k, v in valid["basis"].value_counts().items()))
    n_invalid = int((~summary["valid"]).sum())
    if n_invalid:
        out_console.print(f"[yellow]{n_invalid:,} woningen niet berekend / dwellings not "
                          "computed[/] (see invalid_reason in summary.csv)")
