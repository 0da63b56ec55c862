"""The workspace: one place for the folder layout and the file names."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from wijkreno.errors import InputError
from wijkreno.pipeline import LAYOUT, STAGES, Workspace


def test_every_stage_has_a_layout_and_unique_file_names():
    assert set(LAYOUT) == set(STAGES)
    for stage, tables in LAYOUT.items():
        files = [f for spec in tables.values() for f in spec.companions() if f]
        assert len(files) == len(set(files)), stage
        assert "manifest.json" not in files


def test_paths_under_the_root_and_per_stage_folders(tmp_path):
    ws = Workspace(tmp_path / "ws")
    assert ws.path("simulate", "results") == tmp_path / "ws" / "simulate" / "results.parquet"
    assert ws.path("aggregate", "areas", level="wijk") == (
        tmp_path / "ws" / "aggregate" / "wijk" / "areas.parquet")
    assert ws.files("trajectories", "steps") == [
        tmp_path / "ws" / "trajectories" / "trajectories.parquet",
        tmp_path / "ws" / "trajectories" / "trajectories.csv"]
    assert ws.manifest_path("twin") == tmp_path / "ws" / "twin" / "manifest.json"
    # the CLI's explicit folders
    cli = Workspace(folders={"twin": tmp_path / "a", "simulate": tmp_path / "b"})
    assert cli.path("twin", "dwellings") == tmp_path / "a" / "dwellings.parquet"
    assert cli.path("simulate", "summary") == tmp_path / "b" / "summary.json"
    assert not cli.has_folder("groups") and not cli.exists("groups", "members")
    with pytest.raises(InputError, match="no folder for the groups stage"):
        cli.folder("groups")


def test_unknown_stage_or_table_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown stages"):
        Workspace(folders={"simulation": tmp_path})
    with pytest.raises(ValueError, match="has no table 'result'"):
        Workspace(tmp_path).path("simulate", "result")


def test_reading_a_missing_table_says_which_command_writes_it(tmp_path):
    ws = Workspace(tmp_path)
    with pytest.raises(InputError, match="wijkreno simulate"):
        ws.read("simulate", "results")
    with pytest.raises(InputError, match="twin folder"):
        ws.read("twin", "dwellings")


def test_write_read_round_trip_with_companions_and_stale_files_removed(tmp_path):
    ws = Workspace(tmp_path)
    steps = pd.DataFrame({"dwelling_id": ["001", "002"], "step": [1, 1],
                          "label": pd.Categorical(["A", "B"])})
    summary = pd.DataFrame({"dwelling_id": ["001", "002"], "reached": [True, False]})
    old = ws.path("trajectories", "overrides_applied")
    old.parent.mkdir(parents=True)
    old.write_text("column,old,new\n")
    written = ws.write("trajectories", {"steps": steps, "summary": summary})
    assert {p.name for p in written} == {"trajectories.parquet", "trajectories.csv",
                                         "summary.parquet", "summary.csv"}
    assert not old.exists()  # an earlier run's file that this run does not produce
    back = ws.read("trajectories", "steps")
    assert back["dwelling_id"].tolist() == ["001", "002"]
    # a table whose Parquet file is gone is read from its CSV companion (ids kept as text)
    ws.path("trajectories", "steps").unlink()
    assert ws.read("trajectories", "steps")["dwelling_id"].tolist() == ["001", "002"]


def test_geoparquet_and_json_round_trip(tmp_path):
    ws = Workspace(tmp_path)
    frame = gpd.GeoDataFrame({"dwelling_id": ["1"], "epc_score_kwh_per_m2": [250.0]},
                             geometry=[shapely.Point(150_000, 200_000)], crs=31370)
    ws.write("simulate", {"results": frame, "summary": {"n_dwellings": 1, "label": "ë"}})
    back = ws.read("simulate", "results")
    assert isinstance(back, gpd.GeoDataFrame) and back.crs.to_epsg() == 31370
    assert ws.read("simulate", "summary") == {"n_dwellings": 1, "label": "ë"}
    assert Path(ws.path("simulate", "summary")).read_text(encoding="utf-8").count("ë") == 1
