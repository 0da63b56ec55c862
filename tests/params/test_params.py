"""The parameter layer: every file through its model, sources, override errors, cache, CLI."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from wijkreno.cli import app
from wijkreno.errors import InputError
from wijkreno.params import Sourced, load_model
from wijkreno.params.base import Fraction, iter_sourced
from wijkreno.params.models.energy_systems import SystemParams, load_system_params
from wijkreno.params.models.geometry import load_geometry_params
from wijkreno.params.models.priority import PriorityParams
from wijkreno.params.models.scenario import load_scenario
from wijkreno.params.reader import PARAMS_DIR, clear_cache, validate
from wijkreno.params.registry import (
    LIST_COLUMNS,
    PARAMETER_FILES,
    TABLE_FILES,
    list_parameters,
    packaged_files,
)

# run settings, not figures: the scenarios' years and seed, the synthetic weather's seed and year
RUN_SETTINGS = {"start_year", "end_year", "seed", "year"}


# ---------------------------------------------------------------------------------------------
# registry and packaged files


def test_registry_covers_every_parameter_file():
    """A new file under wijkreno/params needs a model in the registry (or a TABLE_FILES line)."""
    known = {e.file for e in PARAMETER_FILES.values()} | set(TABLE_FILES)
    files = set(packaged_files())
    assert files - known == set(), "parameter files without a model in wijkreno.params.registry"
    assert known - files == set(), "registry entries without a file"
    assert {f for f in files if f.endswith(".toml")} == {e.file for e in PARAMETER_FILES.values()}


@pytest.mark.parametrize("name", list(PARAMETER_FILES))
def test_every_packaged_file_loads_through_its_model(name):
    entry = PARAMETER_FILES[name]
    loaded = entry.load(None)
    loaded = loaded if isinstance(loaded, tuple) else (loaded,)
    assert [type(x) for x in loaded] == list(entry.models)
    assert entry.load(None)[0] is loaded[0] if len(loaded) > 1 else entry.load(None) is loaded[0]


@pytest.mark.parametrize("name", list(PARAMETER_FILES))
def test_every_sourced_value_has_a_source(name):
    loaded = PARAMETER_FILES[name].load(None)
    for model in loaded if isinstance(loaded, tuple) else (loaded,):
        for key, value in iter_sourced(model):
            assert value.source.strip(), f"{name}: {key} has no source"


def test_list_has_one_row_per_value_with_its_source():
    frame = list_parameters()
    assert tuple(frame.columns) == LIST_COLUMNS
    assert set(frame["file"]) == {e.file for e in PARAMETER_FILES.values()}
    assert not frame.duplicated(["file", "key"]).any()
    # only run settings (years, seeds) carry no source
    unsourced = frame.loc[frame["source"] == "", "key"].str.rsplit(".", n=1).str[-1]
    assert set(unsourced) <= RUN_SETTINGS
    row = frame.set_index(["file", "key"]).loc[
        ("energy_systems.toml", "heating_systems.gas_boiler.generation_efficiency")]
    raw = tomllib.loads((PARAMS_DIR / "energy_systems.toml").read_text("utf-8"))
    assert row["value"] == raw["heating_systems"]["gas_boiler"]["generation_efficiency"]["value"]


def test_every_marked_placeholder_is_flagged():
    frame = list_parameters().set_index(["file", "key"])
    n_marked = 0
    for entry in PARAMETER_FILES.values():
        raw = tomllib.loads((PARAMS_DIR / entry.file).read_text("utf-8"))

        def walk(node, path, file=entry.file):
            nonlocal n_marked
            if isinstance(node, dict):
                if node.get("placeholder") is True and "value" in node:
                    n_marked += 1
                    assert frame.loc[(file, path), "placeholder"], f"{file}: {path}"
                for k, v in node.items():
                    walk(v, f"{path}.{k}" if path else k)
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, f"{path}[{i}]")

        walk(raw, "")
    assert n_marked > 0
    placeholders = list_parameters(placeholders_only=True)
    assert placeholders["placeholder"].all() and len(placeholders) >= n_marked
    assert (placeholders["replace_with"] != "").any()


def test_unknown_file_name_is_refused():
    with pytest.raises(InputError, match="unknown parameter files"):
        list_parameters(["energy"])


# ---------------------------------------------------------------------------------------------
# user override files: errors name the file, the key and the allowed range


def test_override_out_of_range_names_file_key_and_range(tmp_path):
    user = tmp_path / "my_systems.toml"
    user.write_text("[heating_systems.gas_boiler.distribution_efficiency]\nvalue = 1.5\n")
    with pytest.raises(InputError) as exc:
        load_system_params(user)
    msg = str(exc.value)
    assert str(user) in msg
    assert "heating_systems.gas_boiler.distribution_efficiency.value = 1.5" in msg
    assert "0 ≤ value ≤ 1" in msg
    assert "wijkreno/params/energy_systems.toml" in msg  # how to fix it


def test_override_of_a_flat_file_names_the_section(tmp_path):
    text = (PARAMS_DIR / "geometry.toml").read_text("utf-8")
    user = tmp_path / "geometry.toml"
    user.write_text(text.replace("[adjacency.tolerance_m]\nvalue = 0.2",
                                 "[adjacency.tolerance_m]\nvalue = -1.0"))
    with pytest.raises(InputError) as exc:
        load_geometry_params(user)
    msg = str(exc.value)
    assert str(user) in msg and "adjacency.tolerance_m.value = -1.0" in msg
    assert "0 < tolerance_m" in msg


def test_unknown_key_and_wrong_type_are_named(tmp_path):
    text = (PARAMS_DIR / "scenarios" / "baseline.toml").read_text("utf-8")
    user = tmp_path / "scen.toml"
    user.write_text(text.replace("seed = 20250101", 'seed = "twelve"\nsede = 3'))
    with pytest.raises(InputError) as exc:
        load_scenario(user)
    msg = str(exc.value)
    assert "2 errors" in msg and str(user) in msg
    assert "sede = 3: Extra inputs are not permitted" in msg
    assert "seed = 'twelve'" in msg and "allowed: int" in msg


def test_literal_choice_is_listed():
    data = tomllib.loads((PARAMS_DIR / "priority.toml").read_text("utf-8"))
    data["normalisation"] = "zscore"
    with pytest.raises(InputError, match=r"normalisation = 'zscore'.*'minmax', 'rank'"):
        validate(PriorityParams, data, "my_priority.toml", "priority.toml")


def test_missing_and_broken_files_name_the_file(tmp_path):
    with pytest.raises(InputError, match=r"cannot read the .*absent\.toml.*not found"):
        load_system_params(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("value = = 1")
    with pytest.raises(InputError, match=r"broken\.toml: it is not valid TOML"):
        load_scenario(broken)


def test_fraction_states_its_range():
    assert Fraction(value=0.5, source="x").value == 0.5
    with pytest.raises(ValueError, match="less than or equal to 1"):
        Fraction(value=1.5, source="x")
    with pytest.raises(ValueError, match="NaN"):
        Sourced(value=float("nan"), source="x")
    with pytest.raises(ValueError):
        Sourced(value=1.0, source="")


# ---------------------------------------------------------------------------------------------
# cache


def test_packaged_load_is_cached():
    a = load_model(SystemParams, "energy_systems.toml")
    assert load_model(SystemParams, "energy_systems.toml") is a
    assert load_system_params() is a


def test_user_file_is_reloaded_when_it_changes(tmp_path):
    text = (PARAMS_DIR / "priority.toml").read_text("utf-8")
    user = tmp_path / "priority.toml"
    user.write_text(text)
    first = load_model(PriorityParams, "priority.toml", user)
    assert load_model(PriorityParams, "priority.toml", user) is first
    assert first == load_model(PriorityParams, "priority.toml")
    user.write_text(text.replace('normalisation = "minmax"', 'normalisation = "rank"'))
    st = user.stat()
    os.utime(user, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    second = load_model(PriorityParams, "priority.toml", user)
    assert second is not first and second.normalisation == "rank"
    clear_cache()
    assert load_model(PriorityParams, "priority.toml", user) == second


# ---------------------------------------------------------------------------------------------
# CLI


def test_cli_params_list_placeholders(tmp_path):
    out = tmp_path / "ph.csv"
    result = CliRunner().invoke(
        app, ["params", "list", "--placeholders", "-o", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False)
    assert len(table) > 0 and table["placeholder"].all()
    expected = list_parameters(placeholders_only=True)
    assert len(table) == len(expected)
    assert f"{len(expected)} values, {len(expected)} of them placeholders" in result.output
    assert "Bron / Source" in result.output


def test_cli_params_list_one_file_and_bad_input(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["params", "list", "-f", "heights"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "heights.toml" in result.output and "0 of them placeholders" in result.output
    bad = runner.invoke(app, ["params", "list", "-f", "nope"])
    assert bad.exit_code == 2
    bad = runner.invoke(app, ["params", "list", "-o", str(tmp_path / "x.txt")])
    assert bad.exit_code == 2
    assert runner.invoke(app, ["params", "list", "--help"]).exit_code == 0


def test_parameter_layer_imports_no_upper_layer():
    """wijkreno/params imports only wijkreno.errors and itself (plus third-party packages)."""
    import ast

    for path in Path(PARAMS_DIR).rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("wijkreno"):
                    assert name == "wijkreno.errors" or name.startswith("wijkreno.params"), (
                        f"{path.name} imports {name}")


def test_cli_override_file_error_names_key_and_range(tmp_path):
    """A command's --params file is validated by the same model; exit 2 with file/key/range."""
    text = (PARAMS_DIR / "uncertainty.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    assert raw["insulation"]["roof"]["renovated_frac"]["01"] != 1.7
    user = tmp_path / "unc.toml"
    head, sep, tail = text.partition("[insulation.roof]")
    user.write_text(head + sep + tail.replace('"01" = 0.71', '"01" = 1.7', 1))
    assert tomllib.loads(user.read_text())["insulation"]["roof"]["renovated_frac"]["01"] == 1.7
    result = CliRunner().invoke(
        app, ["uncertainty", str(tmp_path / "no_twin"), "--params", str(user)],
        env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert "unc.toml" in flat and "insulation.roof.renovated_frac.01 = 1.7" in flat
    assert "0 ≤ 01 ≤ 1" in flat
