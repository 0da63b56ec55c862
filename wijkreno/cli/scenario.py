"""``wijkreno scenario``: the dwelling stock of a twin simulated year by year to 2050.

Reads ``<twin>/dwellings.parquet``, plans every dwelling's trajectory once, runs each
``--scenario`` (a TOML file or a packaged name: ``baseline``, ``ambitious``; repeat the option
for two, which adds a comparison) and writes to ``-o``:

``<name>_by_sector.parquet`` / ``.csv``
    one row per year x statistical sector (:attr:`wijkreno.scenario.ScenarioResult.by_sector`);
``<name>_by_year.csv``
    the same summed over the stock;
``<name>_dwellings.parquet``
    per dwelling: start and end label, renovations, investment, obligation;
``comparison.csv``
    with two scenarios: per year both and the difference (second minus first);
``scenario.png``
    label shares over time (one panel per scenario) and CO2 over time.

The lead registers it as ``app.command("scenario")(scenario)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from wijkreno.cli._common import handle_errors
from wijkreno.errors import InputError
from wijkreno.pipeline import Workspace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from wijkreno.scenario.model import ScenarioResult

out_console = Console()

LABEL_COLOURS = {"aplus": "#006837", "a": "#1a9850", "b": "#91cf60", "c": "#d9ef8b",
                 "d": "#fee08b", "e": "#fc8d59", "f": "#d73027"}
"""EPC label colours (the green-to-red scale of the Flemish EPC certificate)."""


def scenario_chart(results: list[ScenarioResult]) -> Figure:
    """Label shares over time (one panel per scenario) and CO2 over time (all scenarios).

    Parameters
    ----------
    results : list of ScenarioResult
        One or two scenario runs.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from wijkreno.scenario.model import label_shares

    fig, axes = plt.subplots(1, len(results) + 1, figsize=(5.2 * (len(results) + 1), 4.4),
                             constrained_layout=True)
    for ax, res in zip(axes[:-1], results, strict=True):
        t = res.by_year
        shares = label_shares(t)
        bottom = None
        for col in shares.columns:
            key = col.removeprefix("share_").removesuffix("_frac")
            lab = "A+" if key == "aplus" else key.upper()
            vals = shares[col].to_numpy() * 100
            ax.fill_between(t["year"], 0 if bottom is None else bottom,
                            vals if bottom is None else bottom + vals,
                            color=LABEL_COLOURS.get(key, "grey"), label=lab, linewidth=0)
            bottom = vals if bottom is None else bottom + vals
        ax.set_title(f"Labelverdeling / label shares: {res.scenario.name}")
        ax.set_xlabel("jaar / year")
        ax.set_ylabel("aandeel woningen / share of dwellings [%]")
        ax.set_ylim(0, 100)
        ax.set_xlim(t["year"].min(), t["year"].max())
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="EPC")
    ax = axes[-1]
    for res in results:
        t = res.by_year
        line = ax.plot(t["year"], t["co2_flemish_kg_co2"] / 1000, label=f"{res.scenario.name} "
                       "(Vlaamse factoren)")[0]
        ax.plot(t["year"], t["co2_com_kg_co2"] / 1000, linestyle="--", color=line.get_color(),
                label=f"{res.scenario.name} (Covenant of Mayors)")
    ax.set_title("CO2-uitstoot / CO2 emissions")
    ax.set_xlabel("jaar / year")
    ax.set_ylabel("t CO2 per jaar / per year")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    fig.suptitle(f"Scenario's tot {results[0].scenario.end_year} / scenarios to "
                 f"{results[0].scenario.end_year}")
    return fig


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:  # categoricals as plain text in Parquet and CSV
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype("string")
    return frame


@handle_errors
def scenario(
    twin: Annotated[Path, typer.Argument(help="Twin folder holding dwellings.parquet.")],
    scenario_file: Annotated[list[str] | None, typer.Option(
        "--scenario", "-s",
        help="Scenario TOML file or packaged name (baseline, ambitious); repeat for two "
             "(adds a comparison). Default: baseline.")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "out/scenario"),
) -> None:
    """Yearly simulation of the stock to 2050 per scenario: labels, CO2, investment, premiums."""
    from wijkreno.scenario.model import compare_scenarios, load_scenario, plan_states, run_scenario

    names = scenario_file or ["baseline"]
    if len(names) > 2:
        raise InputError(f"give one or two --scenario, got {len(names)}: {names}")
    scenarios = [load_scenario(n) for n in names]  # validate every file before any work
    ws = Workspace(folders={"twin": twin})
    if not ws.exists("twin", "dwellings"):
        raise InputError(f"{ws.path('twin', 'dwellings')} does not exist; give a twin folder "
                         "written by 'wijkreno twin' or 'wijkreno demo' (its twin/ subfolder).")
    dwellings = ws.read("twin", "dwellings")
    if dwellings.empty:
        raise InputError(f"the twin {twin} holds no dwellings.")
    with out_console.status("trajecten plannen / planning trajectories"):
        states = plan_states(dwellings)
    results = [run_scenario(dwellings, sc, states=states) for sc in scenarios]
    out.mkdir(parents=True, exist_ok=True)
    stems: list[str] = []
    for k, res in enumerate(results):
        stem = res.scenario.name if res.scenario.name not in stems else f"{res.scenario.name}_{k}"
        stems.append(stem)
        by_sector = _plain(res.by_sector)
        by_sector.to_parquet(out / f"{stem}_by_sector.parquet", index=False)
        by_sector.to_csv(out / f"{stem}_by_sector.csv", index=False)
        res.by_year.to_csv(out / f"{stem}_by_year.csv", index=False)
        per = _plain(res.dwellings)
        if "dwelling_id" in dwellings.columns:
            per.insert(0, "dwelling_id", dwellings["dwelling_id"].to_numpy())
        per.reset_index(drop=True).to_parquet(out / f"{stem}_dwellings.parquet", index=False)
    if len(results) == 2:
        compare_scenarios(results[0], results[1]).to_csv(out / "comparison.csv", index=False)
    fig = scenario_chart(results)
    fig.savefig(out / "scenario.png", dpi=110)
    _print_summary(results, out)


def _print_summary(results: list[ScenarioResult], out: Path) -> None:
    table = Table(title="Scenario's / scenarios")
    for col in ("scenario", "jaar", "woningen", "label A of beter", "gem. EPC [kWh/m²]",
                "CO2 [t/jaar]", "investering cum. [M€]", "premies cum. [M€]"):
        table.add_column(col)
    for res in results:
        for _, r in res.by_year.iloc[[0, -1]].iterrows():
            good = int(r["n_label_aplus"] + r["n_label_a"])
            table.add_row(res.scenario.name, str(int(r["year"])), str(int(r["n_dwellings"])),
                          str(good), f"{r['mean_epc_score_kwh_per_m2']:.0f}",
                          f"{r['co2_flemish_kg_co2'] / 1000:.0f}",
                          f"{r['cumulative_investment_eur'] / 1e6:.2f}",
                          f"{r['cumulative_premium_eur'] / 1e6:.2f}")
    out_console.print(table)
    out_console.print(f"geschreven naar / written to {out}")
