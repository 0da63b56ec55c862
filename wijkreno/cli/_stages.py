"""Running one stage from a command given a twin folder (shared by the stage commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wijkreno.cli._common import dwelling_folders, out_console, print_stage, simulate_folder
from wijkreno.cli._summaries import print_stage_summary
from wijkreno.pipeline import Workspace


def run_money_stage(stage: str, runner: Any, options: Any, twin: Path, out: Path, *,
                    renovated: Path | None, as_built: bool, register: Path | None,
                    simulate: Path | None, force: bool) -> None:
    """Run one money stage (``trajectories``, ``groups``) of a command given a twin folder:
    the dwellings' current state (:func:`~wijkreno.cli._common.dwelling_folders`), the
    simulation basis beside it, the stage into ``out``; then say what it did."""
    folders = dwelling_folders(twin, renovated=renovated, as_built=as_built, register=register,
                               force=force)
    ws = Workspace(folders={**folders, **simulate_folder(twin, simulate), stage: out})
    result = runner(ws, options, force=force)
    print_stage(result)
    print_stage_summary(result)
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")
