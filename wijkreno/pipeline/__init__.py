"""One pipeline over one workspace: the stages that the CLI, the web service, the demo and
cluster runs all call.

- :class:`Workspace` owns the folder layout and every file name (:data:`LAYOUT`) and writes a
  manifest per stage (:mod:`wijkreno.pipeline.manifest`);
- ``run_<stage>(ws, options, force=False)`` runs one stage (or skips it when its manifest says
  nothing changed) and returns a :class:`StageResult` with the stage's tables;
- :func:`run_demo` is the whole chain on the built-in demo neighbourhood.

Examples
--------
>>> from pathlib import Path
>>> from wijkreno.pipeline import Workspace, SimulateOptions, run_simulate
>>> ws = Workspace(Path("out/demo"))                                    # doctest: +SKIP
>>> res = run_simulate(ws, SimulateOptions())                           # doctest: +SKIP
>>> res.skipped, res.tables["summary"]["n_dwellings"]                   # doctest: +SKIP
(True, 520)
"""

from wijkreno.pipeline.demo import DemoOptions, demo_sources, run_demo
from wijkreno.pipeline.sources import build_twin_from_files, run_metadata
from wijkreno.pipeline.stages import (
    AggregateOptions,
    GroupsOptions,
    IndicatorOptions,
    RenovatedOptions,
    ReportOptions,
    SheetOptions,
    SimulateOptions,
    StageResult,
    TrajectoryOptions,
    TwinOptions,
    UncertaintyOptions,
    draw_maps,
    dwellings_stage,
    load_dwelling_table,
    plan_dwellings,
    run_aggregate,
    run_groups,
    run_indicators,
    run_renovated,
    run_reports,
    run_sheets,
    run_simulate,
    run_trajectories,
    run_twin,
    run_uncertainty,
)
from wijkreno.pipeline.workspace import LAYOUT, STAGES, TableFile, Workspace

TwinInputs = TwinOptions
"""Former name of :class:`TwinOptions` (kept for scripts written against it)."""

__all__ = [
    "LAYOUT", "STAGES", "AggregateOptions", "DemoOptions", "GroupsOptions", "IndicatorOptions",
    "RenovatedOptions", "ReportOptions", "SheetOptions", "SimulateOptions", "StageResult",
    "TableFile", "TrajectoryOptions", "TwinInputs", "TwinOptions", "UncertaintyOptions",
    "Workspace", "build_twin_from_files", "demo_sources", "draw_maps", "dwellings_stage",
    "load_dwelling_table", "plan_dwellings", "run_aggregate", "run_demo", "run_groups",
    "run_indicators", "run_metadata", "run_renovated", "run_reports", "run_sheets", "run_simulate",
    "run_trajectories", "run_twin", "run_uncertainty",
]
