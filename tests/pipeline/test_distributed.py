"""``wijkreno run``: partitions per municipality, in this process and on a two-worker Dask
LocalCluster, with the same results; failures isolated; reruns resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.dataset as pads
import pytest
from typer.testing import CliRunner

from benchmarks.bench_flanders import write_flanders_sources
from wijkreno.cli import app
from wijkreno.errors import InputError
from wijkreno.pipeline.distributed import (
    RunOptions,
    dask_client,
    find_partitions,
    partition_seed,
    run_partitions,
    shared_sources,
)

runner = CliRunner()
NIS = ["90001", "90002", "90003"]


def _cli(*args: str):
    return runner.invoke(app, list(args))


def _options(sources: Path, out: Path, **kw) -> RunOptions:
    shared = shared_sources(sources)
    return RunOptions(out=out, sectors=shared["sectors"], wijken=shared["wijken"], seed=5, **kw)


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    """Three small municipalities (one demo village each, stretched differently)."""
    folder = tmp_path_factory.mktemp("run_sources")
    write_flanders_sources(folder, n_partitions=3, dwellings_per_partition=1, seed=3, n_base=2)
    return folder


@pytest.fixture(scope="module")
def in_process(sources, tmp_path_factory):
    out = tmp_path_factory.mktemp("run_in_process")
    result = run_partitions(find_partitions(sources), _options(sources, out))
    return out, result


def _dataset_files(out: Path, stages: bool = False) -> dict[str, bytes]:
    """Bytes of the published datasets (and, with ``stages``, of every stage's Parquet file in
    the partitions' workspaces)."""
    folders = ("dwellings", "areas", "partitions") if stages else ("dwellings", "areas")
    files = sorted(p for d in folders for p in (out / d).rglob("*.parquet"))
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


# ---------------------------------------------------------------------------------------------
# seeds and discovery


def test_partition_seed_depends_on_run_seed_and_nis_only():
    seeds = {partition_seed(0, nis) for nis in NIS}
    assert len(seeds) == 3
    assert partition_seed(0, "90001") == partition_seed(0, "90001")
    assert partition_seed(1, "90001") != partition_seed(0, "90001")


def test_find_partitions(sources, tmp_path):
    parts = find_partitions(sources)
    assert [p.nis_code for p in parts] == NIS
    assert all(p.buildings.name == "gebouwen.gpkg" and p.addresses.name == "adressen.csv"
               for p in parts)
    assert [p.nis_code for p in find_partitions(sources, ["90002"])] == ["90002"]
    with pytest.raises(InputError, match="99999"):
        find_partitions(sources, ["99999"])
    with pytest.raises(InputError, match="no municipality folder"):
        find_partitions(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        find_partitions(tmp_path / "missing")
    with pytest.raises(InputError, match="stages"):
        RunOptions(out=tmp_path, stages=("twin", "nonsense"))


# ---------------------------------------------------------------------------------------------
# outputs


def test_every_partition_finishes_and_reports(in_process):
    out, result = in_process
    assert [r.status for r in sorted(result.reports, key=lambda r: r.nis_code)] == ["done"] * 3
    report = pd.read_csv(out / "run_report.csv", dtype={"nis_code": str})
    assert report["nis_code"].tolist() == NIS
    assert (report["n_dwellings"] > 400).all()
    assert (report["peak_rss_mb"] > 0).all()
    doc = json.loads((out / "run_report.json").read_text())
    assert doc["n_failed"] == 0 and doc["n_dwellings"] == report["n_dwellings"].sum()


def test_dwellings_dataset_reads_in_pandas_geopandas_pyarrow(in_process):
    out, result = in_process
    n = sum(r.n_dwellings for r in result.reports)
    frame = pd.read_parquet(out / "dwellings")
    assert len(frame) == n
    assert sorted(frame["nis_code"].astype(str).unique()) == NIS
    geo = gpd.read_parquet(out / "dwellings")
    assert geo.crs.to_epsg() == 31370 and len(geo) == n
    assert (geo.geometry.geom_type == "Point").all()
    ds = pads.dataset(out / "dwellings", format="parquet", partitioning="hive")
    assert ds.count_rows() == n
    one = ds.to_table(filter=pads.field("nis_code") == 90002).num_rows
    assert one == next(r.n_dwellings for r in result.reports if r.nis_code == "90002")
    duckdb = pytest.importorskip("duckdb", reason="DuckDB is optional")
    got = duckdb.sql(f"select nis_code, count(*) from read_parquet("
                     f"'{out}/dwellings/*/*.parquet', hive_partitioning=true) group by nis_code "
                     "order by nis_code").fetchall()
    assert [(str(k), v) for k, v in got] == [
        (r.nis_code, r.n_dwellings) for r in sorted(result.reports, key=lambda r: r.nis_code)]


def test_area_totals_are_conserved_across_levels(in_process):
    out, result = in_process
    dwellings = pd.read_parquet(out / "dwellings")
    levels = {level: gpd.read_parquet(out / "aggregate" / level / "areas.parquet")
              for level in ("sector", "wijk", "municipality", "flanders")}
    assert len(levels["flanders"]) == 1 and len(levels["municipality"]) == 3
    assert levels["municipality"]["priority_rank"].notna().all()
    for col, total in (("n_dwellings", len(dwellings)),
                       ("heated_floor_area_m2", dwellings["heated_floor_area_m2"].sum()),
                       ("primary_energy_kwh", dwellings["primary_energy_kwh"].sum())):
        for level, frame in levels.items():
            assert frame[col].sum() == pytest.approx(total, rel=1e-9), (level, col)
    fl = levels["flanders"].iloc[0]
    assert fl["label_ef_frac"] == pytest.approx(
        (fl["n_label_e"] + fl["n_label_f"]) / fl["n_simulated"])
    # every sector lies in one municipality, whose polygon is the union of its sectors
    sectors = levels["sector"].dropna(subset=["sector_code"])
    assert (sectors["sector_code"].str[:5] == sectors["nis_code"].astype(str)).all()
    by_nis = sectors.geometry.area.groupby(sectors["nis_code"].astype(str)).sum()
    muni = levels["municipality"].set_index(levels["municipality"]["nis_code"].astype(str))
    np.testing.assert_allclose(muni.geometry.area.loc[by_nis.index], by_nis, rtol=1e-6)
    assert levels["flanders"].geometry.area.iloc[0] == pytest.approx(by_nis.sum(), rel=1e-6)


# ---------------------------------------------------------------------------------------------
# the same results on a cluster


def test_two_worker_local_cluster_gives_identical_files(sources, in_process, tmp_path):
    out, _ = in_process
    cluster_out = tmp_path / "cluster"
    with dask_client(workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        result = run_partitions(find_partitions(sources), _options(sources, cluster_out),
                                client=client)
    assert sorted(r.status for r in result.reports) == ["done"] * 3
    assert len({r.worker for r in result.reports}) >= 1
    mine, theirs = _dataset_files(out, stages=True), _dataset_files(cluster_out, stages=True)
    assert sorted(mine) == sorted(theirs)
    assert len(mine) >= 3 * 9  # 4 published + twin 2, simulate 1, trajectories 2, aggregate 2
    for name in mine:
        assert mine[name] == theirs[name], f"{name} differs between in-process and cluster"
    for level in ("sector", "municipality", "flanders"):
        pd.testing.assert_frame_equal(
            gpd.read_parquet(out / "aggregate" / level / "areas.parquet"),
            gpd.read_parquet(cluster_out / "aggregate" / level / "areas.parquet"))


# ---------------------------------------------------------------------------------------------
# failures and reruns


def test_a_broken_municipality_is_reported_and_the_others_finish(sources, tmp_path):
    broken = tmp_path / "sources"
    shutil.copytree(sources, broken)
    (broken / "90002" / "gebouwen.gpkg").write_bytes(b"not a geopackage")
    out = tmp_path / "out"
    res = _cli("run", str(broken), "-o", str(out))
    assert res.exit_code == 1, res.output
    report = pd.read_csv(out / "run_report.csv", dtype={"nis_code": str}).set_index("nis_code")
    assert report.loc["90002", "status"] == "failed"
    assert "gebouwen.gpkg" in report.loc["90002", "reason"]
    assert (report.loc[["90001", "90003"], "status"] == "done").all()
    assert sorted(pd.read_parquet(out / "dwellings")["nis_code"].astype(str).unique()) == [
        "90001", "90003"]
    assert len(gpd.read_parquet(out / "aggregate" / "municipality" / "areas.parquet")) == 2


def test_rerun_skips_unchanged_partitions_and_reruns_a_changed_one(sources, tmp_path):
    src = tmp_path / "sources"
    shutil.copytree(sources, src)
    out = tmp_path / "out"
    options = _options(src, out)
    first = {r.nis_code: r for r in run_partitions(find_partitions(src, NIS[:2]),
                                                   options).reports}
    assert [r.status for r in first.values()] == ["done", "done"]
    before = _dataset_files(out)
    again = run_partitions(find_partitions(src, NIS[:2]), options)
    assert [r.status for r in again.reports] == ["skipped", "skipped"]
    assert all(r.stages_skipped == ["twin", "simulate", "trajectories", "aggregate"]
               for r in again.reports)
    assert [r.n_dwellings for r in again.reports] == [r.n_dwellings for r in first.values()]
    addresses = src / "90002" / "adressen.csv"
    rows = addresses.read_text().splitlines()
    addresses.write_text("\n".join(rows[:-5]) + "\n")
    third = {r.nis_code: r for r in run_partitions(find_partitions(src, NIS[:2]),
                                                   options).reports}
    assert third["90001"].status == "skipped"
    assert third["90002"].status == "done" and "twin" in third["90002"].stages_run
    assert third["90002"].n_dwellings < first["90002"].n_dwellings
    after = _dataset_files(out)
    name = "dwellings/nis_code=90001/part-0.parquet"
    assert after[name] == before[name]
    name = "dwellings/nis_code=90002/part-0.parquet"
    assert after[name] != before[name]
    assert len(pd.read_parquet(out / name)) == third["90002"].n_dwellings
    # a municipality that fails on rerun leaves the datasets: its old rows no longer hold
    (src / "90002" / "gebouwen.gpkg").write_bytes(b"")
    fourth = {r.nis_code: r for r in run_partitions(find_partitions(src, NIS[:2]),
                                                    options).reports}
    assert fourth["90002"].status == "failed" and "empty" in fourth["90002"].reason
    assert fourth["90001"].status == "skipped"
    assert sorted(_dataset_files(out)) == sorted(k for k in after if "90001" in k)
    assert pd.read_parquet(out / "dwellings")["nis_code"].astype(str).unique().tolist() == [
        "90001"]


def test_cli_bad_input_exits_2(tmp_path):
    res = _cli("run", str(tmp_path / "missing"), "-o", str(tmp_path / "o"))
    assert res.exit_code == 2
    res = _cli("run", str(tmp_path), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert res.exit_code == 2

