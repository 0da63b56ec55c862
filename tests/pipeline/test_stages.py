"""Each stage function on the demo, the manifests, and what a rerun skips."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest

from wijkreno import __version__
from wijkreno.pipeline import (
    STAGES,
    AggregateOptions,
    IndicatorOptions,
    ReportOptions,
    SheetOptions,
    SimulateOptions,
    TrajectoryOptions,
    Workspace,
    plan_dwellings,
    run_aggregate,
    run_demo,
    run_groups,
    run_indicators,
    run_reports,
    run_sheets,
    run_simulate,
    run_trajectories,
    run_uncertainty,
)
from wijkreno.pipeline.manifest import packaged_parameter_files

DEMO_STAGES = ("twin", "renovated", "simulate", "trajectories", "groups", "uncertainty",
               "aggregate")
PARAMS = Path(__file__).resolve().parents[2] / "wijkreno" / "params"


def test_demo_runs_every_stage_and_returns_its_tables(demo_run):
    ws, results = demo_run
    assert tuple(results) == DEMO_STAGES
    assert not any(r.skipped for r in results.values())
    twin, sim = results["twin"].tables, results["simulate"].tables
    n = len(twin["dwellings"])
    assert n > 400 and len(sim["results"]) == n == sim["summary"]["n_dwellings"]
    assert set(results["trajectories"].tables) == {"steps", "summary"}
    assert len(results["trajectories"].tables["summary"]) == n
    assert len(results["groups"].tables["members"]) == n
    assert len(results["uncertainty"].tables["ensemble"]) == n
    areas = results["aggregate"].tables["areas"]
    assert areas["n_dwellings"].sum() == n
    assert (areas["co2_flemish_kg_co2_p10"] <= areas["co2_flemish_kg_co2_p90"]).all()
    for name in ("map_png", "map_html"):
        assert ws.path("aggregate", name, level="sector").stat().st_size > 10_000
    assert "Prioritaire sectoren" in ws.summary_path.read_text(encoding="utf-8")


def test_manifest_records_inputs_parameters_options_and_outputs(demo_run):
    ws, results = demo_run
    sim = json.loads(ws.manifest_path("simulate").read_text(encoding="utf-8"))
    assert sim == results["simulate"].manifest
    assert sim["stage"] == "simulate" and sim["wijkreno_version"] == __version__
    assert sim["created"] and sim["fingerprint"]
    # the simulation reads the twin as renovated (the register's measures applied)
    assert set(sim["inputs"]) == {"renovated/dwellings.parquet"}
    assert len(sim["inputs"]["renovated/dwellings.parquet"]["sha256"]) == 64
    renovated = results["renovated"].manifest
    assert {"twin/dwellings.parquet", "register_export"} == set(renovated["inputs"])
    assert {"heat_balance.toml", "energy_systems.toml"} <= set(sim["parameter_files"])
    assert all(e["packaged"] == "true" for e in sim["parameter_files"].values())
    assert sim["options"] == SimulateOptions().model_dump(mode="json")
    assert set(sim["outputs"]) == {"results.parquet", "summary.json"}
    twin = results["twin"].manifest
    assert twin["seed"] == 20240101 and twin["options"]["nis_code"] == "99001"
    assert {"buildings", "addresses", "dsm", "dtm", "sectors", "gebouwenpark"} == set(
        twin["inputs"])
    # the twin's run metadata lives in its manifest (and quality.json), not in frame attrs
    assert twin["metadata"]["n_dwellings"] == len(results["twin"].tables["dwellings"])
    assert twin["metadata"]["calibration"]
    unc = results["uncertainty"].manifest
    assert unc["seed"] == 20240101 and unc["options"]["draws"] == 50
    agg = results["aggregate"].manifest
    assert {"renovated/dwellings.parquet", "simulate/results.parquet",
            "trajectories/summary.parquet",
            "groups/group_members.parquet", "uncertainty/ensemble_sectors.parquet"} <= set(
                agg["inputs"])
    assert {"sector/areas.parquet", "sector/kaart.html", "sector/kaart_priority_score.png",
            "dwelling_results.parquet"} <= set(agg["outputs"])
    for stage in DEMO_STAGES:
        assert ws.manifest_path(stage).exists()


def test_rerun_of_the_demo_skips_every_stage(demo_copy):
    results = run_demo(demo_copy)
    assert all(r.skipped for r in results.values()), {k: r.reason for k, r in results.items()}
    # skipped stages still hand out their tables (read from the stored files)
    assert len(results["simulate"].tables["results"]) == len(
        results["twin"].tables["dwellings"])
    assert isinstance(results["simulate"].tables["results"], gpd.GeoDataFrame)


def test_an_option_change_reruns_that_stage_and_downstream_only(demo_copy):
    ws = demo_copy
    before = ws.read_manifest("trajectories")["outputs"]["summary.parquet"]
    first = run_trajectories(ws, TrajectoryOptions(objective="npv"))
    assert not first.skipped and first.reason == "changed: options"
    assert first.manifest["outputs"]["summary.parquet"] != before
    assert run_simulate(ws).skipped and run_groups(ws).skipped and run_uncertainty(
        ws, _demo_uncertainty()).skipped
    agg = run_aggregate(ws, _demo_aggregate(ws))
    assert not agg.skipped and agg.reason == "changed: inputs"
    # the same options again: current
    same = run_trajectories(ws, TrajectoryOptions(objective="npv", horizon_years=None,
                                                  income_category=None, streets=()))
    assert same.skipped


def test_a_parameter_file_reruns_simulate_and_downstream(demo_copy, tmp_path):
    ws = demo_copy
    own = tmp_path / "heat_balance.toml"
    shutil.copy(PARAMS / "heat_balance.toml", own)
    result = run_simulate(ws, SimulateOptions(heat_params=own))
    assert not result.skipped
    assert result.manifest["overrides"]["heat_params"]["path"] == str(own)
    assert result.reason == "changed: options, overrides"
    assert run_simulate(ws, SimulateOptions(heat_params=own)).skipped
    # the same values in the user's file give the same results: downstream stays current
    assert run_aggregate(ws, _demo_aggregate(ws)).skipped
    # a warmer set-point in the user's file makes the stage and the ones after it stale (the
    # default 'epb' convention heats to theta_int_epb_degc = 18 degC, not theta_int_degc)
    text = own.read_text(encoding="utf-8")
    assert text.count("value = 18.0") == 1
    own.write_text(text.replace("value = 18.0", "value = 19.0"), encoding="utf-8")
    warmer = run_simulate(ws, SimulateOptions(heat_params=own))
    assert not warmer.skipped and warmer.reason == "changed: overrides"
    # the trajectories plan on the simulation's expected use: they rerun too
    assert run_trajectories(ws).reason == "changed: inputs"
    assert run_aggregate(ws, _demo_aggregate(ws)).reason == "changed: inputs"


def test_a_changed_packaged_parameter_file_makes_its_stages_stale(demo_copy, tmp_path,
                                                                 monkeypatch):
    from wijkreno.pipeline import manifest

    edited = tmp_path / "energy_systems.toml"
    edited.write_text(Path(packaged_parameter_files("simulate")["energy_systems.toml"])
                      .read_text(encoding="utf-8") + "\n# a new price\n", encoding="utf-8")
    real = manifest.packaged_parameter_files

    def patched(stage: str) -> dict[str, Path]:
        files = real(stage)
        if "energy_systems.toml" in files:
            files["energy_systems.toml"] = edited
        return files

    monkeypatch.setattr(manifest, "packaged_parameter_files", patched)
    result = run_simulate(demo_copy)
    assert not result.skipped and result.reason == "changed: parameter_files"


def test_a_changed_or_missing_output_and_force_rerun(demo_copy):
    ws = demo_copy
    summary = ws.path("simulate", "summary")
    summary.write_text(summary.read_text(encoding="utf-8") + " ", encoding="utf-8")
    result = run_simulate(ws)
    assert not result.skipped and "summary.json was changed" in result.reason
    ws.path("simulate", "results").unlink()
    assert "results.parquet is missing" in run_simulate(ws).reason
    assert run_simulate(ws).skipped
    forced = run_simulate(ws, force=True)
    assert not forced.skipped and forced.reason == "forced"


def test_indicators_reports_and_sheets_on_the_demo(demo_copy):
    from wijkreno.register import open_register

    ws = demo_copy
    url = f"sqlite:///{ws.root / 'register.sqlite'}"
    open_register(url).close()
    n = len(ws.read("twin", "dwellings"))
    ind = run_indicators(ws, IndicatorOptions(nis_code="99001", inhabitants=1200,
                                              households=n, housing_units=n, register_url=url,
                                              name="Demowijk"))
    assert not ind.skipped and {"targets", "indicators", "municipality"} <= set(ind.tables)
    assert ws.read("indicators", "municipality")["name"] == "Demowijk"
    # the register is a database: the stage never counts as current
    again = run_indicators(ws, IndicatorOptions(nis_code="99001", inhabitants=1200,
                                                households=n, housing_units=n,
                                                register_url=url, name="Demowijk"))
    assert not again.skipped and "register" in again.reason
    rep = run_reports(ws, ReportOptions(register_url=url, year=2025))
    assert Path(rep.metadata["pdf"]).stat().st_size > 1000
    html = Path(rep.metadata["html"]).read_text("utf-8")
    assert str(ws.root) not in html and "basisregisters.vlaanderen.be" in html  # no local path
    street = str(ws.read("twin", "dwellings")["street"].value_counts().index[-1])
    sheets = run_sheets(ws, SheetOptions(street=street))
    assert sheets.metadata["n_sheets"] >= 1 and Path(sheets.metadata["html"]).exists()


def test_plan_dwellings_applies_overrides_on_a_copy(demo_run):
    import pandas as pd

    ws, _ = demo_run
    dwellings = ws.read("twin", "dwellings").iloc[:3]
    did = str(dwellings["dwelling_id"].iloc[0])
    planned, steps, summary, changes = plan_dwellings(
        dwellings, pd.DataFrame([{"dwelling_id": did, "roof_insulated_year": 2015}]))
    assert len(summary) == 3 and changes is not None and len(changes)
    assert planned is not dwellings
    _, _, plain, none = plan_dwellings(dwellings)
    assert none is None and len(plain) == 3


def test_plan_dwellings_records_the_income_category_its_premiums_assumed(demo_run):
    import numpy as np

    ws, _ = demo_run
    dwellings = ws.read("twin", "dwellings").iloc[:3].drop(columns="income_category",
                                                           errors="ignore")
    # unknown: NaN, the sheet then says the default is assumed
    assert plan_dwellings(dwellings)[2]["income_category"].isna().all()
    # given to the command: every dwelling
    assert (plan_dwellings(dwellings, income_category=4)[2]["income_category"] == 4).all()
    # the household's own category wins over the command's
    dwellings = dwellings.assign(income_category=[1.0, np.nan, 3.0])
    got = plan_dwellings(dwellings, income_category=4)[2]["income_category"].tolist()
    assert got == [1.0, 4.0, 3.0]


def _demo_uncertainty():
    from wijkreno.pipeline import UncertaintyOptions

    return UncertaintyOptions(draws=50, seed=20240101)


def _demo_aggregate(ws: Workspace) -> AggregateOptions:
    sources = ws.sources_folder
    return AggregateOptions(level="sector", areas=sources / "sectoren.gpkg", maps="both",
                            map_title="Demowijk: prioriteit per sector")


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_a_run_function(stage):
    import wijkreno.pipeline as pipeline

    assert callable(getattr(pipeline, f"run_{stage}"))


def test_plan_kwargs_are_every_planning_option_of_the_stage(monkeypatch, tmp_path):
    """The stage and the web service's rerun plan through ``plan_kwargs``: every option of
    ``TrajectoryOptions`` but the selection reaches ``plan_dwellings``, and nothing else."""
    import inspect

    from wijkreno.pipeline.stages import plan_kwargs

    kwargs = plan_kwargs(TrajectoryOptions())
    selection = {"streets", "addresses", "overrides"}
    assert set(kwargs) == set(TrajectoryOptions.model_fields) - selection
    keyword_only = {name for name, p in inspect.signature(plan_dwellings).parameters.items()
                    if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert set(kwargs) == keyword_only
    # the defaults of the options are plan_dwellings' own
    assert all(inspect.signature(plan_dwellings).parameters[k].default == v
               for k, v in kwargs.items())
    # the municipal premiums read from their file
    premiums = plan_kwargs(TrajectoryOptions(
        municipal_premiums=PARAMS / "municipal" / "example_gent_2020.toml"))
    assert premiums["municipal_premiums"] is not None
    # a relative path is kept absolute (the manifest's copy is read by the web service)
    shutil.copy(PARAMS / "municipal" / "example_gent_2020.toml", tmp_path / "gent.toml")
    monkeypatch.chdir(tmp_path)
    options = TrajectoryOptions(municipal_premiums=Path("gent.toml"))
    assert options.municipal_premiums == tmp_path.resolve() / "gent.toml"
    assert Path(options.model_dump(mode="json")["municipal_premiums"]).is_absolute()
