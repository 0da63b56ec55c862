"""The layer contracts of issue 10, checked on the source tree (ast, no import, no extra tool).

``io`` sits at the bottom beside ``errors``, ``params`` and ``crs`` (which use only each other
and the twin schema): it may use the twin schema and nothing else of the compute stages. The
compute stages (twin → simulate → renovate → aggregate → scenario / uncertainty → indicators)
import only the bottom, the schema and the public modules of stages upstream of them; they read
and write no files and never import ``io``, ``cli``, ``pipeline``, ``reports``, ``maps``,
``demo``, ``register`` or ``api``. No module imports another package's private (``_x``) module or
name, nothing under ``wijkreno/`` imports ``api``, only ``wijkreno/crs.py`` writes the EPSG code
of Lambert 72, and the imports form no cycle (imports inside functions count, so a cycle cannot
hide in a function; imports under ``TYPE_CHECKING`` do not).

``check_layers`` returns one line per violation (``file:line [rule] (function) what — how to
fix``); the test on the real tree asserts the list is empty, and the tests on tiny synthetic
trees show that each rule can fail.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "wijkreno"

# Data-flow rank of the compute stages: a stage may import a stage of lower rank, never one of
# higher or equal rank (scenario and uncertainty are siblings).
COMPUTE_RANK = {
    "twin": 0,
    "simulate": 1,
    "renovate": 2,
    "aggregate": 3,
    "scenario": 4,
    "uncertainty": 4,
    "indicators": 5,
}
# Importable by everyone: the package root (``__version__``), errors, the parameter layer and
# the CRS policy.
BOTTOM = {"wijkreno", "errors", "params", "crs"}
SCHEMA = "wijkreno.twin.schema"
LAMBERT72_EPSG = 31370  # written once, in wijkreno/crs.py; the "crs" rule finds any other

# Calls that read or write files (or services) when made in a compute stage.
IO_ATTRS = {
    "read_parquet", "to_parquet", "read_csv", "to_csv", "read_file", "to_file", "read_text",
    "write_text", "read_bytes", "write_bytes", "read_feather", "to_feather", "read_excel",
    "to_excel", "read_json", "read_table", "exists", "is_file", "is_dir", "mkdir", "unlink",
    "iterdir", "glob", "rglob", "savefig", "open", "loadtxt", "savetxt", "savez", "tofile",
    "fromfile", "read_dataframe", "write_dataframe",
}
IO_MODULES = {
    "tomllib", "resources", "rasterio", "fiona", "pyogrio", "shutil", "sqlite3", "gzip",
    "zipfile", "tarfile", "pickle", "urllib", "requests", "httpx", "duckdb",
}
IO_NAMES = {"open", "Path"}

# Violations tolerated for a stated reason: (file under wijkreno/, rule, function or "<module>",
# why). Each entry tolerates one rule in one function of one file; an entry that no longer
# matches anything fails the test, so the list cannot outlive its reason. Empty since the
# settings moved into the library (issue 10 item 2).
Allowed = tuple[str, str, str, str]

ALLOWED: list[Allowed] = []


@dataclass(frozen=True)
class _Import:
    line: int
    target: str  # the module imported (resolved, dotted)
    names: tuple[str, ...]  # names imported from it ("from x import a, b")
    runtime: bool  # executed when the module or its function runs (not under TYPE_CHECKING)
    where: str  # enclosing function ("<module>" at module level)


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _io_call(node: ast.Call) -> str | None:
    """The name of the call when it reads or writes a file, else None."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id if func.id in IO_NAMES else None
    if not isinstance(func, ast.Attribute):
        return None
    base = func.value
    base_name = base.id if isinstance(base, ast.Name) else (
        base.attr if isinstance(base, ast.Attribute) else "")
    if func.attr in ("to_csv", "to_json") and not node.args and not any(
            k.arg == "path_or_buf" for k in node.keywords):
        return None  # returns the text, touches no file
    first = node.args[0] if node.args else None
    if func.attr.startswith("read_") and isinstance(first, ast.Call) and ast.unparse(
            first.func).split(".")[-1] in ("StringIO", "BytesIO"):
        return None  # parses text already read, touches no file
    if func.attr in IO_ATTRS or base_name in IO_MODULES:
        return f"{base_name}.{func.attr}" if base_name else func.attr
    return None


def _scan(tree: ast.Module, module: str, is_package: bool):
    """Every import of ``tree`` and every file-I/O call, with where it sits."""
    imports: list[_Import] = []
    calls: list[tuple[int, str, str]] = []  # (line, call, enclosing function)

    def visit(node: ast.AST, runtime: bool, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                imports.extend(_Import(child.lineno, a.name, (), runtime, where)
                               for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                imports.append(_Import(child.lineno, _resolve(child, module, is_package),
                                       tuple(a.name for a in child.names), runtime, where))
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, False, where)
                continue
            if isinstance(child, ast.Call) and (call := _io_call(child)):
                calls.append((child.lineno, call, where))
            inner = child.name if isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else where
            visit(child, runtime, inner if where == "<module>" else where)

    visit(tree, True, "<module>")
    return imports, calls


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _check_import(target: str, names: tuple[str, ...], own: str, top: str, imp: _Import,
                  file: Path, report: Callable[..., None]) -> None:
    """Report what the import of ``names`` from module ``target`` breaks."""
    theirs = _package(target)
    if theirs == own:
        return
    parts = target.split(".")
    private = [q for q in parts[2:] if _is_private(q)]
    private += [n for n in names if _is_private(n)]
    if private:
        report(file, imp.line, "private", imp.where,
               f"imports {', '.join(private)} of {target}, private to {top}.{theirs}; "
               f"give it a public module or name in {top}.{theirs} (e.g. a kernels.py "
               f"that re-exports what other packages' kernels need)")
    if own in BOTTOM and theirs not in BOTTOM and target != SCHEMA:
        report(file, imp.line, "bottom", imp.where,
               f"{own} imports {target}; errors, crs and params sit at the bottom and may use "
               f"only each other and {SCHEMA} — move what they need down")
    if own == "io" and theirs not in BOTTOM | {"io"} and target != SCHEMA:
        report(file, imp.line, "io-bottom", imp.where,
               f"io imports {target}; io sits at the bottom and may use only errors, "
               f"params, crs and {SCHEMA} — move what io needs into io or the schema")
    if own in COMPUTE_RANK:
        if theirs in COMPUTE_RANK:
            if target != SCHEMA and COMPUTE_RANK[theirs] >= COMPUTE_RANK[own]:
                report(file, imp.line, "flow", imp.where,
                       f"{own} imports {target}, which is not upstream of it "
                       f"(twin → simulate → renovate → aggregate → scenario/uncertainty "
                       f"→ indicators); move what both need upstream")
        elif theirs not in BOTTOM:
            report(file, imp.line, "compute", imp.where,
                   f"compute stage {own} imports {target}; compute stages take "
                   f"frames and parameters and import only errors, params, crs and "
                   f"upstream stages — let the CLI/pipeline call {top}.{theirs} and "
                   f"pass the data in")


def check_layers(root: Path = ROOT, allowed: list[Allowed] | None = None) -> list[str]:
    """Check the layer contracts on the package at ``root``; one message per violation.

    ``allowed`` (default :data:`ALLOWED`) tolerates the violations of one rule in one function
    (or ``"<module>"``) of one file; an entry that matches nothing is itself reported.
    """
    allowed = ALLOWED if allowed is None else allowed
    top = root.name
    modules = {_module_name(f, root): f for f in sorted(root.rglob("*.py"))}
    problems: list[tuple[str, str, str, str]] = []  # (file, rule, where, message)
    graph: dict[str, dict[str, int]] = {m: {} for m in modules}
    where_of: dict[tuple[str, str], str] = {}

    def report(file: Path, line: int, rule: str, where: str, text: str) -> None:
        rel = file.relative_to(root).as_posix()
        problems.append((rel, rule, where, f"{top}/{rel}:{line} [{rule}] ({where}) {text}"))

    for module, file in modules.items():
        tree = ast.parse(file.read_text("utf-8"), filename=str(file))
        own = _package(module)
        imports, calls = _scan(tree, module, file.name == "__init__.py")
        for imp in imports:
            parts = imp.target.split(".")
            if parts[0] == "api":
                report(file, imp.line, "api", imp.where,
                       f"imports {imp.target}; nothing under {top}/ may import the web app (api/) "
                       f"— move what both need into {top}/")
                continue
            if parts[0] != top:
                continue
            # "from pkg import module" depends on the module, for the graph and for privacy.
            subs = [f"{imp.target}.{n}" for n in imp.names if f"{imp.target}.{n}" in modules]
            if imp.runtime:
                for t in subs or [imp.target]:
                    while t not in modules and "." in t:
                        t = t.rsplit(".", 1)[0]
                    if t in modules and t != module and t not in graph[module]:
                        graph[module][t] = imp.line
                        where_of[(module, t)] = imp.where
            # Rules apply to each module imported: "from wijkreno import io" imports wijkreno.io.
            rest = tuple(n for n in imp.names if f"{imp.target}.{n}" not in modules)
            targets = [(t, ()) for t in subs] + ([(imp.target, rest)] if rest or not subs else [])
            for target, names in targets:
                _check_import(target, names, own, top, imp, file, report)
        if module != f"{top}.crs":
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and type(node.value) is int \
                        and node.value == LAMBERT72_EPSG:
                    report(file, node.lineno, "crs", "-",
                           f"writes the EPSG code {LAMBERT72_EPSG} itself; use "
                           f"{top}.crs.CRS_EPSG and {top}.crs.require_lambert72")
        if own in COMPUTE_RANK:
            for line, call, where in calls:
                report(file, line, "file-io", where,
                       f"calls {call}(...) in compute stage {own}; compute does no file "
                       f"I/O — read or write the file in {top}/io and pass frames/arrays in")

    for cycle in _cycles(graph):
        nxt = cycle[1 % len(cycle)]
        chain = " → ".join(cycle + [cycle[0]])
        report(modules[cycle[0]], graph[cycle[0]][nxt], "cycle", where_of[(cycle[0], nxt)],
               f"import cycle {chain} (imports inside functions count); move what they share "
               f"into a module both import")

    used: set[Allowed] = set()
    messages = []
    for rel, rule, where, text in problems:
        match = [a for a in allowed if a[:3] == (rel, rule, where)]
        used.update(match)
        if not match:
            messages.append(text)
    for entry in allowed:
        if entry not in used:
            messages.append(f"{top}/{entry[0]} [allowlist] ({entry[1]} in {entry[2]}: "
                            f"{entry[3]}) matches nothing any more; delete it from ALLOWED")
    return messages


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    cycles = []
    for component in components:
        # Walk inside the component from its first module until a module repeats.
        members = set(component)
        path = [min(component)]
        while True:
            nxt = min(w for w in graph[path[-1]] if w in members)
            if nxt in path:
                cycles.append(path[path.index(nxt):])
                break
            path.append(nxt)
    return cycles


def test_wijkreno_keeps_its_layers() -> None:
    problems = check_layers()
    assert not problems, "layer contracts broken:\n" + "\n".join(problems)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A tiny package named ``wijkreno`` under ``tmp_path`` with the given modules."""
    root = tmp_path / "wijkreno"
    base = {"__init__.py": "", "errors.py": "", "io/__init__.py": "", "twin/__init__.py": "",
            "twin/schema.py": "", "simulate/__init__.py": "", "renovate/__init__.py": ""}
    for name, text in {**base, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


CLEAN = {
    "io/reader.py": "from wijkreno.errors import InputError\nfrom wijkreno.twin.schema import X\n",
    "simulate/_k.py": "from wijkreno.twin.schema import X\n",
    "simulate/kernels.py": "from wijkreno.simulate._k import f\n",
    "renovate/plan.py": (
        "import io\nimport pandas as pd\n"
        "from wijkreno.simulate import kernels\nfrom wijkreno.simulate.kernels import f\n"
        "def text(frame):\n    return frame.to_csv(index=False)\n"
        "def parse(text):\n    return pd.read_csv(io.StringIO(text))\n"),
}


def test_clean_tree_passes(tmp_path: Path) -> None:
    assert check_layers(_tree(tmp_path, CLEAN), allowed=[]) == []


@pytest.mark.parametrize(("files", "expected"), [
    ({"io/reader.py": "from wijkreno.renovate.plan import parse\n"},
     "wijkreno/io/reader.py:1 [io-bottom]"),
    ({"simulate/engine.py": "import numpy\n\ndef run():\n    from wijkreno.io import epw\n"},
     "wijkreno/simulate/engine.py:4 [compute] (run)"),
    ({"simulate/engine.py": "from wijkreno import io\n"},
     "wijkreno/simulate/engine.py:1 [compute] (<module>) compute stage simulate imports "
     "wijkreno.io;"),
    ({"renovate/plan.py": "from wijkreno.simulate import _k\n"},
     "wijkreno/renovate/plan.py:1 [private]"),
    ({"renovate/plan.py": "from wijkreno.simulate._k import f\n"},
     "wijkreno/renovate/plan.py:1 [private]"),
    ({"renovate/plan.py": "from wijkreno.simulate.kernels import _helper\n"},
     "wijkreno/renovate/plan.py:1 [private]"),
    ({"cli.py": "from api.settings import Settings\n"}, "wijkreno/cli.py:1 [api]"),
    ({"maps.py": "def check(frame):\n    return frame.crs.to_epsg() == 31370\n"},
     "wijkreno/maps.py:2 [crs]"),
    ({"params/__init__.py": "", "params/base.py": "from wijkreno.simulate import engine\n"},
     "wijkreno/params/base.py:1 [bottom]"),
    ({"twin/build.py": "from wijkreno.renovate import plan\n"}, "wijkreno/twin/build.py:1 [flow]"),
    ({"simulate/a.py": "from wijkreno.simulate import b\n",
      "simulate/b.py": "def g():\n    from wijkreno.simulate.a import x\n"},
     "[cycle] (<module>) import cycle wijkreno.simulate.a → wijkreno.simulate.b → "
     "wijkreno.simulate.a"),
    ({"twin/build.py": "import pandas as pd\n\ndef build(path):\n    return pd.read_csv(path)\n"},
     "wijkreno/twin/build.py:4 [file-io] (build) calls pd.read_csv"),
    ({"simulate/c.py": "def load(p):\n    with open(p) as fh:\n        return fh.read()\n"},
     "wijkreno/simulate/c.py:2 [file-io] (load) calls open"),
])
def test_each_rule_can_fail(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    problems = check_layers(_tree(tmp_path, {**CLEAN, **files}), allowed=[])
    assert any(expected in p for p in problems), problems


def test_type_checking_imports_make_no_cycle(tmp_path: Path) -> None:
    files = {"simulate/a.py": "from wijkreno.simulate import b\n",
             "simulate/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from wijkreno.simulate.a import x\n"}
    assert check_layers(_tree(tmp_path, {**CLEAN, **files}), allowed=[]) == []


def test_allowlist_tolerates_one_function_and_reports_stale_entries(tmp_path: Path) -> None:
    files = {"twin/params.py": "def load(p):\n    return open(p).read()\n"
                               "def other(p):\n    return open(p).read()\n"}
    root = _tree(tmp_path, {**CLEAN, **files})
    problems = check_layers(root, allowed=[("twin/params.py", "file-io", "load", "why")])
    assert [p.split(" [")[0] for p in problems] == ["wijkreno/twin/params.py:4"]
    stale = check_layers(_tree(tmp_path / "clean", CLEAN),
                         allowed=[("twin/params.py", "file-io", "load", "why")])
    assert len(stale) == 1 and "[allowlist]" in stale[0] and "delete it" in stale[0]
