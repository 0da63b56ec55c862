"""The demo as a pipeline run: Demowijk's sources, then every stage, then a Dutch summary."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from wijkreno.io import tables as io_tables
from wijkreno.pipeline.manifest import build_manifest, check_fresh, describe_outputs
from wijkreno.pipeline.stages import (
    AggregateOptions,
    GroupsOptions,
    RenovatedOptions,
    SimulateOptions,
    StageResult,
    TrajectoryOptions,
    TwinOptions,
    UncertaintyOptions,
    run_aggregate,
    run_groups,
    run_renovated,
    run_simulate,
    run_trajectories,
    run_twin,
    run_uncertainty,
)
from wijkreno.pipeline.workspace import MANIFEST_FILE, Workspace

log = logging.getLogger(__name__)

DEMO_SEED = 20240101
DEMO_DRAWS = 50
DEMO_MAP_TITLE = "Demowijk: prioriteit per sector"


class DemoOptions(BaseModel):
    """Options of the demo run: the seed of the neighbourhood, the imputation and the draws."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = DEMO_SEED
    draws: int = DEMO_DRAWS


def demo_sources(ws: Workspace, seed: int = DEMO_SEED, *, force: bool = False
                 ) -> dict[str, Path]:
    """Write Demowijk's source files under ``ws.sources_folder`` (skipped when the files of
    an earlier run with the same seed and version are intact) and return their paths."""
    from wijkreno.demo import generate_demo

    folder = ws.sources_folder
    manifest = build_manifest("sources", options={"seed": seed}, inputs={}, overrides={},
                              seed=seed)
    previous = None
    if (folder / MANIFEST_FILE).exists():
        previous = io_tables.read_json(folder / MANIFEST_FILE, "manifest")
    if not force and check_fresh(previous, manifest, folder).fresh:
        assert previous is not None
        return {k: folder / v for k, v in previous["metadata"]["files"].items()}
    files = generate_demo(folder, seed=seed)
    manifest["outputs"] = describe_outputs(folder, files.values())
    manifest["metadata"] = {"files": {k: str(p.relative_to(folder)) for k, p in files.items()}}
    io_tables.write_json(manifest, folder / MANIFEST_FILE)
    return files


def run_demo(ws: Workspace, options: DemoOptions | None = None, *, force: bool = False,
             on_stage: Callable[[StageResult], None] | None = None) -> dict[str, StageResult]:
    """Generate the demo neighbourhood and run the whole chain on it.

    Stages: twin, renovated (the demo register's realised measures applied), simulate,
    trajectories, groups, uncertainty (``draws`` draws), aggregate to sectors with both maps;
    then ``samenvatting.md``. A rerun skips every stage whose inputs
    did not change. ``on_stage`` is called after each stage (the CLI prints there).
    """
    from wijkreno.demo import DEMO_NIS_CODE

    options = options or DemoOptions()
    files = demo_sources(ws, options.seed, force=force)
    runs: list[tuple[str, Callable[[], StageResult]]] = [
        ("twin", lambda: run_twin(ws, TwinOptions(
            buildings=files["buildings"], nis_code=DEMO_NIS_CODE, addresses=files["addresses"],
            dsm=files["dsm"], dtm=files["dtm"], sectors=files["sectors"],
            gebouwenpark=files["gebouwenpark"], seed=options.seed), force=force)),
        ("renovated", lambda: run_renovated(ws, RenovatedOptions(register_export=files["register"]),
                                            force=force)),
        ("simulate", lambda: run_simulate(ws, SimulateOptions(), force=force)),
        ("trajectories", lambda: run_trajectories(ws, TrajectoryOptions(), force=force)),
        ("groups", lambda: run_groups(ws, GroupsOptions(), force=force)),
        ("uncertainty", lambda: run_uncertainty(ws, UncertaintyOptions(
            draws=options.draws, seed=options.seed), force=force)),
        ("aggregate", lambda: run_aggregate(ws, AggregateOptions(
            level="sector", areas=files["sectors"], maps="both", map_title=DEMO_MAP_TITLE),
            force=force)),
    ]
    results: dict[str, StageResult] = {}
    for stage, run in runs:
        results[stage] = run()
        if on_stage is not None:
            on_stage(results[stage])
    io_tables.write_text(demo_summary(ws), ws.summary_path)
    return results


def demo_summary(ws: Workspace) -> str:
    """The demo's figures in Dutch (``samenvatting.md``), with the files to open."""
    sim: dict[str, Any] = ws.read("simulate", "summary")
    plan = ws.read("trajectories", "summary")
    groups = pd.DataFrame(ws.read("groups", "groups"))
    prio = ws.read("aggregate", "priority", level="sector")
    labels = ", ".join(f"{k} {v}" for k, v in sim["label_counts"].items())
    applied = (ws.read("renovated", "applied") if ws.exists("renovated", "applied")
               else pd.DataFrame({"status": []}))
    n_applied = int((applied["status"] == "applied").sum())
    big = groups[groups["n_dwellings"] >= 10]
    key = "sector_code" if "sector_code" in prio.columns else prio.columns[0]
    top = prio.sort_values("priority_rank").head(3)
    rel = {name: _relative(ws, stage, name) for stage, name in (
        ("aggregate", "map_html"), ("aggregate", "map_png"), ("trajectories", "steps"),
        ("groups", "groups"), ("simulate", "results"))}
    steps_csv = Path(rel["steps"]).with_suffix(".csv").as_posix()
    groups_csv = Path(rel["groups"]).with_suffix(".csv").as_posix()
    lines = [
        "# Demowijk — samenvatting",
        "",
        f"- Woningen: {sim['n_dwellings']}; EPC-labels nu: {labels}.",
        f"- Gemiddelde EPC-score: {sim['epc_score_mean_kwh_per_m2']:.0f} kWh/m² "
        "(gestandaardiseerd, geen gemeten verbruik).",
        f"- Renovatietraject naar label A en fossielvrije verwarming (2050): "
        f"{int(plan['reached'].sum())} van {len(plan)} woningen halen het doel; mediane netto "
        f"kost € {plan['net_cost_eur'].median():,.0f} per woning na premies.",
        f"- Renovatieregister: {n_applied} uitgevoerde maatregelen toegepast op de "
        "tweeling (`renovated/`); die worden niet opnieuw voorgesteld.",
        f"- Collectieve renovatie: {len(big)} groepen van minstens 10 woningen "
        f"({int(big['n_dwellings'].sum())} woningen).",
        "- Prioritaire sectoren: "
        + "; ".join(f"{r[key]} (score {r['priority_score']:.2f})" for _, r in top.iterrows())
        + ".",
        "",
        f"Bestanden: `{rel['map_html']}` (interactieve kaart, werkt offline), "
        f"`{rel['map_png']}`, `{steps_csv}` "
        f"(stappen per woning), `{groups_csv}`, `twin/` (digitale tweeling), "
        f"`{rel['results']}`, `uncertainty/` (p10/p50/p90 over de geschatte "
        "invoer).",
        "",
    ]
    return "\n".join(lines)


def _relative(ws: Workspace, stage: str, table: str) -> str:
    path = ws.path(stage, table)
    try:
        return path.relative_to(ws.root).as_posix() if ws.root is not None else str(path)
    except ValueError:
        return str(path)
