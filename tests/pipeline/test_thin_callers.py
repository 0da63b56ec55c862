"""The CLI and the web service are thin callers of the pipeline: checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wijkreno.cli import app
from wijkreno.pipeline import LAYOUT

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "wijkreno" / "cli"
ALLOWED_CLI_IMPORTS = {"wijkreno.cli._common", "wijkreno.cli._summaries", "wijkreno.cli._stages"}
"""What a command module may import from the CLI package: the shared helpers, never another
command (``cli/__init__`` assembles the commands)."""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@pytest.mark.parametrize("path", sorted(p for p in CLI.glob("*.py") if p.name != "__init__.py"),
                         ids=lambda p: p.name)
def test_no_cli_module_calls_another_command(path):
    cli = {n for n in _imports(path) if n.startswith("wijkreno.cli")}
    # "from wijkreno.cli._common import x" also records "wijkreno.cli._common.x"
    bad = {n for n in cli if not any(n == a or n.startswith(a + ".")
                                     for a in ALLOWED_CLI_IMPORTS)}
    assert not bad, f"{path.name} imports other commands: {sorted(bad)}"


def test_nothing_in_the_library_imports_the_web_service():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "wijkreno").rglob("*.py")
                 if any(n == "api" or n.startswith("api.") for n in _imports(p))]
    assert not offenders


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


STAGE_FILES = {Path(f).name for tables in LAYOUT.values() for spec in tables.values()
               for f in spec.companions() if f and "{" not in f}


@pytest.mark.parametrize("folder", ["wijkreno/cli", "api"])
def test_stage_file_names_are_spelled_only_by_the_workspace(folder):
    """A stage's file name as a string literal outside the workspace is a second source of
    truth (docstrings and help texts may mention them)."""
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
                and n.body and isinstance(n.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docs and node.value in STAGE_FILES):
                found.setdefault(str(path.relative_to(ROOT)), []).append(node.value)
    assert not found


def test_cli_stage_rerun_skips_and_force_recomputes(demo_run, tmp_path):
    ws, _ = demo_run
    runner = CliRunner()
    out = tmp_path / "sim"
    args = ["simulate", str(ws.folder("twin")), "-o", str(out)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "computed" in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "skipped" in second.output
    assert "label distribution" in second.output  # the summary is printed from the files
    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0 and "forced" in forced.output


def test_cli_bad_option_exits_2(demo_run, tmp_path):
    ws, _ = demo_run
    result = CliRunner().invoke(app, ["trajectories", str(ws.folder("twin")), "-o",
                                      str(tmp_path), "--target", "label_B"])
    assert result.exit_code == 2 and "label_B" in result.output
