"""Printing each stage's summary (shared by the stage commands and ``wijkreno demo``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wijkreno.cli._common import out_console
from wijkreno.params.names import EPC_LABELS
from wijkreno.pipeline import StageResult


def _table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if frame[col].dtype.kind in "if" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row])
    return table


def print_twin_summary(result: StageResult, console: Console = out_console) -> None:
    """Print the data-quality summary of a twin stage run as rich tables."""
    q, metadata = result.tables["quality"]
    console.print(_table(q["inputs"], "Invoer / inputs (in = kept + rejected)"))
    typ = q["typology"]
    shown = pd.DataFrame({
        "typologie": typ["typology"],
        "Statbel": typ["statbel_type"],
        "tweeling": typ["twin_buildings"],
        "Statbel n": typ["statbel_buildings"].round().astype(int),
        "tweeling %": (100 * typ["twin_share_frac"]).round(1),
        "Statbel %": (100 * typ["statbel_share_frac"]).round(1),
    })
    console.print(_table(shown, "Hoofdgebouwen per typologie / main buildings by typology "
                         f"(kalibratie: {metadata.get('calibration', '')})"))
    periods = q["periods"].groupby("statbel_period", sort=False)[
        ["twin_buildings", "statbel_buildings"]].sum().reset_index()
    console.print(_table(periods, "Bouwperiode / construction period (main buildings)"))
    attrs = q["attributes"]
    console.print(_table(attrs, "Herkomst / provenance of attributes"))
    if "dwellings" in q:
        console.print(_table(q["dwellings"], "Woningen tegenover Statbel T8 / dwellings "
                             "against Statbel T8"))
    if "gas_heating" in q:
        console.print(_table(q["gas_heating"], "Gasverwarmde woningen tegenover "
                             "Fluvius-gasaansluitingen / gas-heated dwellings against gas "
                             "connections"))
    if len(q.get("address_links", [])):
        console.print(_table(q["address_links"], "Adressen / address links"))
    console.print(
        f"[bold]{metadata['n_buildings']:,}[/] gebouwen/buildings "
        f"({metadata['n_main_buildings']:,} hoofdgebouwen/main), "
        f"[bold]{metadata['n_dwellings']:,}[/] woningen/dwellings, "
        f"[bold]{metadata['n_rejected']:,}[/] geweigerde rijen/rejected rows."
    )


def label_table(summary: dict) -> Table:
    """The EPC label distribution of a simulation summary."""
    table = Table(title="EPC-label / label distribution (standardised)")
    table.add_column("label")
    table.add_column("woningen / dwellings", justify="right")
    table.add_column("aandeel / share", justify="right")
    for label, count in summary["label_counts"].items():
        table.add_row(label, f"{count:,}", f"{summary['label_shares_frac'][label]:.1%}")
    return table


def totals_table(summary: dict) -> Table:
    """EPC score and energy, CO2 and cost totals of a simulation summary."""
    table = Table(title="Totalen / totals (valid dwellings)")
    table.add_column("grootheid / quantity")
    table.add_column("waarde / value", justify="right")
    mean = summary["epc_score_mean_kwh_per_m2"]
    median = summary["epc_score_median_kwh_per_m2"]
    table.add_row(escape("epc_score mean [kWh/m²]"), "-" if mean is None else f"{mean:,.0f}")
    table.add_row(escape("epc_score median [kWh/m²]"), "-" if median is None else f"{median:,.0f}")
    for key, value in summary["totals"].items():
        if key.endswith("_kwh"):
            table.add_row(escape(f"{key[:-4]} [MWh]"), f"{value / 1000:,.0f}")
        elif key.endswith("_kg_co2"):
            table.add_row(escape(f"{key[:-7]} [t CO2]"), f"{value / 1000:,.0f}")
        else:
            table.add_row(f"{key} ", f"{value:,.0f}")
    table.add_row("n valid / invalid", f"{summary['n_valid']:,} / {summary['n_invalid']:,}")
    return table


def print_simulation_summary(summary: dict[str, Any]) -> None:
    """Label distribution, totals and the dwellings that could not be simulated."""
    out_console.print(label_table(summary))
    out_console.print(totals_table(summary))
    if summary["n_invalid"]:
        out_console.print(
            f"[yellow]{summary['n_invalid']:,} woningen niet gesimuleerd / dwellings not "
            f"simulated:[/] {summary['invalid_reasons']}"
        )


def print_trajectory_summary(summary: pd.DataFrame) -> None:
    """Dwellings that reach the target, median net cost, labels before and after."""
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
    # every label held before or after, in EPC order (the after-only A / A+ rows included)
    present = {str(lab) for lab in before.index} | {str(lab) for lab in after.index}
    labels = [lab for lab in EPC_LABELS if lab in present] + sorted(present - set(EPC_LABELS))
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


def print_group_summary(group_table: pd.DataFrame, dwelling_table: pd.DataFrame) -> None:
    """Groups by kind, large groups, burenpremie, mean collective gain."""
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


def range_table(ensemble: pd.DataFrame, n_draws: int) -> Table:
    """Median p10/p50/p90 over the dwellings of EPC score, CO2 and energy cost."""
    table = Table(title=f"Onzekerheid / uncertainty ({n_draws} trekkingen / draws, standardised)")
    table.add_column("grootheid / quantity")
    for q in ("p10", "p50", "p90"):
        table.add_column(f"mediaan {q} / median of {q}", justify="right")
    for metric, unit in (("epc_score_kwh_per_m2", "kWh/m²"), ("co2_flemish_kg_co2", "kg CO2"),
                         ("energy_cost_eur", "EUR")):
        table.add_row(f"{metric} [{unit}]", *(
            f"{ensemble[f'{metric}_{q}'].median():,.0f}" for q in ("p10", "p50", "p90")))
    return table


def print_aggregate_summary(result: StageResult) -> None:
    """The top of the priority ranking, unassigned dwellings and components without data."""
    meta = result.metadata
    level, key = meta["level"], meta["key"]
    ranking = result.tables["priority"]
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
    if meta.get("n_unassigned"):
        out_console.print(f"[yellow]{meta['n_unassigned']:,} woningen zonder gebied / "
                          "dwellings without an area[/]")
    if meta.get("priority_skipped"):
        out_console.print("Componenten zonder gegevens / components without data: "
                          f"{meta['priority_skipped']}")


def print_stage_summary(result: StageResult) -> None:
    """Print the summary of any stage of the demo chain."""
    tables = result.tables
    if result.stage == "twin":
        print_twin_summary(result)
    elif result.stage == "renovated":
        counts = result.metadata.get("status_counts") or {}
        out_console.print("Renovatieregister / register: " + (", ".join(
            f"{v} {k}" for k, v in sorted(counts.items())) or "geen rijen / no rows"))
    elif result.stage == "simulate":
        print_simulation_summary(tables["summary"])
    elif result.stage == "trajectories":
        print_trajectory_summary(tables["summary"])
    elif result.stage == "groups":
        print_group_summary(pd.DataFrame(tables["groups"]), tables["members"])
    elif result.stage == "uncertainty":
        out_console.print(range_table(tables["ensemble"], result.manifest["options"]["draws"]))
    elif result.stage == "aggregate":
        print_aggregate_summary(result)
