"""Fixtures of the pipeline tests: one demo workspace per session (``run_demo``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wijkreno.pipeline import StageResult, Workspace, run_demo


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, StageResult]]:
    """The demo chain run once into a fresh workspace, with each stage's result."""
    ws = Workspace(tmp_path_factory.mktemp("pipeline") / "demo")
    return ws, run_demo(ws)


@pytest.fixture
def demo_copy(demo_run, tmp_path: Path) -> Workspace:
    """A private copy of the demo workspace that a test may change."""
    ws, _ = demo_run
    assert ws.root is not None
    shutil.copytree(ws.root, tmp_path / "demo")
    return Workspace(tmp_path / "demo")
