"""Run the pipeline over many municipalities: one partition per NIS code, in this process or
on a Dask cluster.

A **run** reads a sources folder with one sub-folder per municipality, named by its NIS code,
holding that municipality's files under the names ``wijkreno twin download`` and the demo
write::

    SOURCES/
        13002/gebouwen.gpkg   (required; .parquet, .geojson or .shp also read)
        13002/adressen.csv    (optional; .gpkg or .geojson also read)
        13002/dsm.tif, 13002/dtm.tif   (optional, both or neither)
        44021/...
        sectoren.gpkg, wijken.gpkg, gebouwenpark.csv   (shared, optional; see RunOptions)

Each partition runs the pipeline's stage functions (:func:`wijkreno.pipeline.run_twin`, ...)
in its own :class:`~wijkreno.pipeline.Workspace` under ``OUT/partitions/nis_code=XXXXX/``, so
the stage manifests make a rerun skip every stage whose inputs did not change. The partition
task returns a small :class:`PartitionReport` (status, reason, counts, seconds per stage, peak
memory of the process that ran it); a failing municipality is reported with its reason, its
rows of an earlier run leave the published datasets, and the others go on. The results are
published as hive-partitioned GeoParquet datasets that pandas, GeoPandas, pyarrow, DuckDB and
QGIS read as one table::

    OUT/dwellings/nis_code=XXXXX/part-0.parquet        one row per dwelling (twin + results
                                                        + trajectory summary)
    OUT/areas/<level>/nis_code=XXXXX/part-0.parquet     per-partition area aggregates
    OUT/aggregate/<level>/areas.{parquet,geojson,csv}   all partitions, with the priority score
    OUT/run_report.csv, OUT/run_report.json             one row per partition

for ``level`` in sector, wijk (when wijk polygons are given), municipality and flanders. A
statistical sector, a wijk and a municipality each lie in one municipality, so their
aggregates are computed per partition from its dwellings and are exact; the Flanders row sums
the municipalities' additive columns (counts and totals, :data:`ADDITIVE_COLUMNS`) and derives
the shares from those sums. Means and medians over dwellings are not additive and are left out
of the Flanders row.

Seeds: the twin's imputation of partition ``n`` uses :func:`partition_seed` (run seed, NIS
code), the same in this process and on any cluster, so the results do not depend on where or
in which order a partition runs. Simulation, trajectories and aggregation are deterministic.
"""

from __future__ import annotations

import json
import logging
import os
import re
import resource
import socket
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from wijkreno.aggregate.areas import (
    ADDITIVE_COLUMNS,
    EPC_LABELS,
    LEVELS,
    aggregate_dwellings,
    assign_areas,
    label_slug,
    standardise_areas,
)
from wijkreno.errors import InputError

log = logging.getLogger(__name__)

STAGES: tuple[str, ...] = ("twin", "simulate", "trajectories", "aggregate")
"""Stages ``wijkreno run`` runs per partition, in this order."""

SOURCE_NAMES: dict[str, tuple[str, ...]] = {
    "buildings": ("gebouwen.gpkg", "gebouwen.parquet", "gebouwen.geojson", "gebouwen.shp"),
    "addresses": ("adressen.csv", "adressen.gpkg", "adressen.geojson"),
    "dsm": ("dsm.tif",),
    "dtm": ("dtm.tif",),
}
"""Conventional file names of a municipality's sources, first found wins."""

SHARED_NAMES: dict[str, tuple[str, ...]] = {
    "sectors": ("sectoren.gpkg", "sectoren.parquet", "sectors.gpkg"),
    "wijken": ("wijken.gpkg", "ggw7_wijken.gpkg", "wijken.parquet"),
    "gebouwenpark": ("gebouwenpark.csv", "gebouwenpark_2025_long.csv"),
}
"""Conventional names of the shared files in the sources folder (used when not given)."""

AREA_LEVELS: tuple[str, ...] = ("sector", "wijk", "municipality")
"""Area levels aggregated per partition (wijk only with wijk polygons)."""

_NIS = re.compile(r"^\d{5}$")
_FRACTIONS: dict[str, tuple[str, str]] = {
    **{f"label_{label_slug(x)}_frac": (f"n_label_{label_slug(x)}", "n_simulated")
       for x in EPC_LABELS},
    "old_frac": ("n_old", "n_dwellings"),
    "old_ef_frac": ("n_old_ef", "n_simulated"),
    "tenant_frac": ("n_tenant", "n_tenure_known"),
    "low_income_frac": ("n_low_income", "n_income_category_known"),
    "collective_potential_frac": ("n_collective", "n_dwellings"),
    "imputed_inputs_frac": ("n_imputed_inputs", "n_dwellings"),
    "construction_year_imputed_frac": ("n_construction_year_imputed", "n_dwellings"),
    "heating_system_imputed_frac": ("n_heating_system_imputed", "n_dwellings"),
}
"""Shares of the Flanders row and the counts they are derived from."""


# ---------------------------------------------------------------------------------------------
# the run's inputs


@dataclass(frozen=True)
class PartitionSources:
    """The source files of one municipality (``buildings`` is None when the folder has none)."""

    nis_code: str
    folder: Path
    buildings: Path | None = None
    addresses: Path | None = None
    dsm: Path | None = None
    dtm: Path | None = None

    @property
    def size_bytes(self) -> int:
        """Size of the buildings file, to start the largest partitions first."""
        return self.buildings.stat().st_size if self.buildings is not None else 0


@dataclass(frozen=True)
class RunOptions:
    """What every partition of a run shares.

    Attributes
    ----------
    out : Path
        Output folder of the run.
    stages : tuple of str
        Stages to run per partition, a subset of :data:`STAGES` (kept in pipeline order).
    seed : int
        Run seed; each partition's twin uses :func:`partition_seed` of it.
    sectors, wijken, gebouwenpark : Path, optional
        Shared files: Statbel statistical sectors (puts ``sector_code`` on the dwellings), ggw7
        wijk polygons (adds the wijk level), Statbel gebouwenpark (long CSV; the twin of each
        municipality is calibrated to its rows).
    params, archetypes : Path, optional
        Twin parameter and archetype files overriding the packaged ones.
    force : bool
        Rerun every stage even where its manifest says it is up to date.
    """

    out: Path
    stages: tuple[str, ...] = STAGES
    seed: int = 0
    sectors: Path | None = None
    wijken: Path | None = None
    gebouwenpark: Path | None = None
    params: Path | None = None
    archetypes: Path | None = None
    force: bool = False

    def __post_init__(self) -> None:
        unknown = [s for s in self.stages if s not in STAGES]
        if unknown or not self.stages:
            raise InputError(
                f"stages {list(self.stages)} are not all known; choose from {list(STAGES)}."
            )
        object.__setattr__(self, "stages", tuple(s for s in STAGES if s in self.stages))
        for name in ("sectors", "wijken", "gebouwenpark", "params", "archetypes"):
            path = getattr(self, name)
            if path is not None and not Path(path).exists():
                raise InputError(f"the {name} file {path} does not exist; check the path.")


def _first(folder: Path, names: Sequence[str]) -> Path | None:
    for name in names:
        if (folder / name).is_file():
            return folder / name
    return None


def shared_sources(sources: str | Path) -> dict[str, Path]:
    """The shared files found under their conventional names (:data:`SHARED_NAMES`)."""
    folder = Path(sources)
    found = {key: _first(folder, names) for key, names in SHARED_NAMES.items()}
    return {k: v for k, v in found.items() if v is not None}


def find_partitions(
    sources: str | Path, nis_codes: Iterable[str] | None = None
) -> list[PartitionSources]:
    """The municipalities of a sources folder: its sub-folders named by a 5-digit NIS code.

    Parameters
    ----------
    sources : str or Path
        The sources folder.
    nis_codes : iterable of str, optional
        Only these municipalities (each must have a folder).

    Returns
    -------
    list of PartitionSources
        Sorted by NIS code. A folder without a buildings file is listed with
        ``buildings=None``: running it fails with that reason, the others run.

    Raises
    ------
    InputError
        When the folder does not exist, holds no NIS folder, or lacks a requested code.
    """
    folder = Path(sources)
    if not folder.is_dir():
        raise InputError(f"the sources folder {folder} does not exist or is not a folder.")
    found = {p.name: p for p in folder.iterdir() if p.is_dir() and _NIS.match(p.name)}
    if nis_codes is not None:
        wanted = [str(c).strip() for c in nis_codes]
        missing = sorted(set(wanted) - set(found))
        if missing:
            raise InputError(
                f"no folder for NIS codes {missing} in {folder}; it has {len(found)} "
                f"municipalities, e.g. {sorted(found)[:5]}."
            )
        found = {c: found[c] for c in wanted}
    if not found:
        raise InputError(
            f"{folder} holds no municipality folder: expected sub-folders named by their 5-digit "
            "NIS code (e.g. 13002/) with gebouwen.gpkg and optionally adressen.csv."
        )
    return [
        PartitionSources(
            nis_code=nis, folder=path,
            **{key: _first(path, names) for key, names in SOURCE_NAMES.items()},
        )
        for nis, path in sorted(found.items())
    ]


def partition_seed(run_seed: int, nis_code: str) -> int:
    """The seed of one partition: a NumPy ``SeedSequence`` of the run seed with the NIS code
    as spawn key, so each municipality gets its own independent stream wherever it runs.

    Examples
    --------
    >>> partition_seed(0, "13002") == partition_seed(0, "13002") != partition_seed(0, "13003")
    True
    """
    seq = np.random.SeedSequence(int(run_seed), spawn_key=(int(nis_code),))
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def partition_folder(out: str | Path, nis_code: str) -> Path:
    """The workspace folder of one partition."""
    return Path(out) / "partitions" / f"nis_code={nis_code}"


def dataset_file(out: str | Path, dataset: str, nis_code: str) -> Path:
    """The file of one partition in a published dataset (``dwellings`` or ``areas/<level>``)."""
    return Path(out) / dataset / f"nis_code={nis_code}" / "part-0.parquet"


# ---------------------------------------------------------------------------------------------
# one partition


@dataclass
class PartitionReport:
    """What a partition task returns: small, so that a cluster ships only this back."""

    nis_code: str
    status: str = "done"
    """``done`` (at least one stage ran), ``skipped`` (all up to date) or ``failed``."""
    reason: str = ""
    n_dwellings: int = 0
    seconds: float = 0.0
    """Wall time of the partition [s]."""
    cpu_seconds: float = 0.0
    """CPU time of the process while it ran the partition (user + system, all threads) [s]."""
    stage_seconds: dict[str, float] = field(default_factory=dict)
    stages_run: list[str] = field(default_factory=list)
    stages_skipped: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    worker: str = ""

    def as_row(self) -> dict[str, Any]:
        """A flat row of the run report."""
        row = asdict(self)
        stage_seconds = row.pop("stage_seconds")
        row["stages_run"] = ",".join(self.stages_run)
        row["stages_skipped"] = ",".join(self.stages_skipped)
        for stage in STAGES:
            row[f"seconds_{stage}"] = stage_seconds.get(stage, 0.0)
        return row


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far [MB] (``ru_maxrss``, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _stage_calls(part: PartitionSources, options: RunOptions) -> dict[str, Callable[..., Any]]:
    from wijkreno import pipeline as pl

    twin = pl.TwinOptions(
        buildings=part.buildings, nis_code=part.nis_code, addresses=part.addresses,
        dsm=part.dsm, dtm=part.dtm, sectors=options.sectors,
        gebouwenpark=options.gebouwenpark, params=options.params,
        archetypes=options.archetypes, seed=partition_seed(options.seed, part.nis_code),
    )
    return {
        "twin": lambda ws: pl.run_twin(ws, twin, force=options.force),
        "simulate": lambda ws: pl.run_simulate(ws, pl.SimulateOptions(), force=options.force),
        "trajectories": lambda ws: pl.run_trajectories(ws, pl.TrajectoryOptions(),
                                                       force=options.force),
        "aggregate": lambda ws: pl.run_aggregate(
            ws, pl.AggregateOptions(level="sector", areas=options.sectors),
            force=options.force),
    }


def _around(path: Path | None, dwellings: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The polygons of a shared layer that intersect the dwellings' bounding box (the layer
    covers all of Flanders; one municipality needs a few of them)."""
    if path is None or not len(dwellings):
        return None
    bbox = tuple(float(v) for v in dwellings.total_bounds)
    return gpd.read_file(path, engine="pyogrio", bbox=bbox)


def _municipality_area(sectors: gpd.GeoDataFrame | None, nis_code: str
                       ) -> gpd.GeoDataFrame | None:
    """The municipality's polygon as the union of its statistical sectors (a Statbel sector
    code starts with the NIS code)."""
    if sectors is None or not len(sectors):
        return None
    std = standardise_areas(sectors, "sector_code")
    mine = std[std["sector_code"].astype(str).str[:5] == nis_code]
    if mine.empty:
        return None
    return gpd.GeoDataFrame({"nis_code": [nis_code]},
                            geometry=[shapely.union_all(mine.geometry.to_numpy())], crs=std.crs)


def _area_tables(
    dwellings: gpd.GeoDataFrame, polygons: dict[str, gpd.GeoDataFrame | None]
) -> dict[str, gpd.GeoDataFrame]:
    """Per-partition aggregates of every level (without priority: that is ranked over all).

    An area gets its polygon from ``polygons[level]`` and the hull of its dwellings without.
    """
    levels: dict[str, gpd.GeoDataFrame] = {}
    for level in AREA_LEVELS:
        key = LEVELS[level]
        if key not in dwellings.columns:
            continue
        levels[level] = aggregate_dwellings(dwellings, by=key, areas=polygons.get(level))
    return levels


def _publish(dwellings: gpd.GeoDataFrame, part: PartitionSources, options: RunOptions) -> int:
    """Write the partition's rows of the published datasets; returns its dwelling count."""
    from wijkreno.io.tables import plain_for_gis, write_parquet

    sectors = _around(options.sectors, dwellings)
    polygons = {"sector": sectors, "wijk": _around(options.wijken, dwellings),
                "municipality": _municipality_area(sectors, part.nis_code)}
    if polygons["wijk"] is not None:
        dwellings = assign_areas(dwellings, polygons["wijk"], "wijk_code")
    # the dwellings file is written last: it exists only when the whole publication does
    _unpublish(options.out, part.nis_code)
    # the NIS code lives in the folder name (hive partitioning), not in the files
    for level, frame in _area_tables(dwellings, polygons).items():
        write_parquet(plain_for_gis(frame.drop(columns="nis_code", errors="ignore")),
                      dataset_file(options.out, f"areas/{level}", part.nis_code))
    write_parquet(plain_for_gis(dwellings.drop(columns="nis_code", errors="ignore")),
                  dataset_file(options.out, "dwellings", part.nis_code))
    return len(dwellings)


def _unpublish(out: Path, nis_code: str) -> None:
    """Remove a partition's rows from the published datasets (before writing them again, and
    when it fails: rows of an earlier run would no longer match its inputs)."""
    for dataset in ("dwellings", *(f"areas/{level}" for level in AREA_LEVELS)):
        dataset_file(out, dataset, nis_code).unlink(missing_ok=True)


def _published(options: RunOptions, nis_code: str) -> bool:
    return dataset_file(options.out, "dwellings", nis_code).exists()


def run_partition(part: PartitionSources, options: RunOptions) -> PartitionReport:
    """Run the stages of one municipality in its workspace and publish its rows.

    Never raises: a failure is reported in the returned report (``status="failed"``, the
    exception's type and message in ``reason``; the traceback goes to the log), so that one
    municipality does not stop the others.
    """
    from wijkreno.pipeline import Workspace

    report = PartitionReport(nis_code=part.nis_code,
                             worker=f"{socket.gethostname()}:{os.getpid()}")
    t0, cpu0 = time.perf_counter(), time.process_time()
    try:
        if part.buildings is None:
            raise InputError(
                f"{part.folder} holds no buildings file (one of "
                f"{list(SOURCE_NAMES['buildings'])}); add the municipality's footprints."
            )
        ws = Workspace(partition_folder(options.out, part.nis_code))
        calls = _stage_calls(part, options)
        results = {}
        for stage in options.stages:
            t = time.perf_counter()
            results[stage] = calls[stage](ws)
            report.stage_seconds[stage] = round(time.perf_counter() - t, 3)
            (report.stages_skipped if results[stage].skipped
             else report.stages_run).append(stage)
        if "aggregate" in options.stages and (report.stages_run
                                              or not _published(options, part.nis_code)):
            # the aggregate stage's per-dwelling table: in memory when it ran, else read
            dwellings = results["aggregate"].tables["dwelling_results"]
            report.n_dwellings = _publish(dwellings, part, options)
        elif "aggregate" in options.stages:
            report.n_dwellings = _count_rows(dataset_file(options.out, "dwellings",
                                                          part.nis_code))
        report.status = "done" if report.stages_run else "skipped"
    except Exception as exc:  # noqa: BLE001 - one municipality must not stop the run
        log.warning("partition %s failed: %s", part.nis_code, traceback.format_exc())
        _unpublish(options.out, part.nis_code)
        report.status = "failed"
        report.reason = f"{type(exc).__name__}: {exc}"
    report.seconds = round(time.perf_counter() - t0, 3)
    report.cpu_seconds = round(time.process_time() - cpu0, 3)
    report.peak_rss_mb = round(peak_rss_mb(), 1)
    return report


def _count_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


# ---------------------------------------------------------------------------------------------
# many partitions


@dataclass
class RunResult:
    """The reports of every partition and the files of the combined aggregates."""

    reports: list[PartitionReport]
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failed(self) -> list[PartitionReport]:
        """Reports of the partitions that failed."""
        return [r for r in self.reports if r.status == "failed"]

    def frame(self) -> pd.DataFrame:
        """The run report as a table, one row per partition, sorted by NIS code."""
        rows = [r.as_row() for r in sorted(self.reports, key=lambda r: r.nis_code)]
        return pd.DataFrame(rows)


def run_partitions(
    partitions: Sequence[PartitionSources],
    options: RunOptions,
    *,
    client: Any = None,
    on_done: Callable[[PartitionReport], None] | None = None,
) -> RunResult:
    """Run every partition, in this process (``client=None``) or on a Dask cluster.

    Parameters
    ----------
    partitions : sequence of PartitionSources
        From :func:`find_partitions`.
    options : RunOptions
        Shared options of the run.
    client : distributed.Client, optional
        A Dask client; each partition is one task (largest buildings file first). Without it
        the partitions run one after the other in this process.
    on_done : callable, optional
        Called with each report as its partition finishes (progress bars).

    Returns
    -------
    RunResult
        The reports (a lost worker is reported as that partition's failure), the combined
        area files (:func:`combine_areas`) and the wall time. The run report is written to
        ``OUT/run_report.csv`` and ``.json``.
    """
    t0 = time.perf_counter()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    reports: list[PartitionReport] = []

    def done(report: PartitionReport) -> None:
        reports.append(report)
        if on_done is not None:
            on_done(report)

    if client is None:
        for part in partitions:
            done(run_partition(part, options))
    else:
        from distributed import as_completed

        order = sorted(partitions, key=lambda p: (-p.size_bytes, p.nis_code))
        futures = {
            client.submit(run_partition, part, options, key=f"wijkreno-run-{part.nis_code}-"
                          f"{time.time_ns()}", pure=False): part
            for part in order
        }
        for future in as_completed(futures):
            part = futures[future]
            try:
                done(future.result())
            except Exception as exc:  # noqa: BLE001 - a killed worker fails its partition only
                done(PartitionReport(nis_code=part.nis_code, status="failed",
                                     reason=f"{type(exc).__name__}: {exc}"))
            future.release()
    result = RunResult(reports=reports)
    if "aggregate" in options.stages:
        ok = sorted(r.nis_code for r in reports if r.status != "failed")
        result.files = combine_areas(out, ok)
    result.seconds = round(time.perf_counter() - t0, 3)
    write_run_report(result, out)
    return result


def write_run_report(result: RunResult, out: Path) -> dict[str, Path]:
    """Write ``run_report.csv`` (one row per partition) and ``run_report.json`` (with totals)."""
    frame = result.frame()
    paths = {"csv": out / "run_report.csv", "json": out / "run_report.json"}
    frame.to_csv(paths["csv"], index=False)
    doc = {
        "n_partitions": len(result.reports),
        "n_failed": len(result.failed),
        "n_dwellings": int(frame["n_dwellings"].sum()) if len(frame) else 0,
        "seconds": result.seconds,
        "partitions": frame.to_dict(orient="records"),
    }
    paths["json"].write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return paths


# ---------------------------------------------------------------------------------------------
# combining the partitions


def flanders_row(municipalities: pd.DataFrame) -> gpd.GeoDataFrame:
    """One row for all municipalities: the additive columns summed, shares from the sums.

    Means and medians over dwellings cannot be rebuilt from area rows and are left out; the
    geometry is the union of the municipalities' geometries.
    """
    cols = [c for c in ADDITIVE_COLUMNS if c in municipalities.columns]
    row: dict[str, Any] = {"region_code": "BE-VLG", "area_name": "Vlaanderen"}
    for col in cols:
        row[col] = municipalities[col].sum()
    for frac, (num, den) in _FRACTIONS.items():
        if num in row and den in row:
            row[frac] = row[num] / row[den] if row[den] else np.nan
    if "n_label_e" in row and "n_simulated" in row:
        row["label_ef_frac"] = ((row["n_label_e"] + row["n_label_f"]) / row["n_simulated"]
                                if row["n_simulated"] else np.nan)
    row["n_municipalities"] = int(municipalities["nis_code"].nunique())
    geometry = None
    if isinstance(municipalities, gpd.GeoDataFrame) and municipalities.geometry.notna().any():
        geometry = shapely.union_all(municipalities.geometry.dropna().to_numpy())
    crs = municipalities.crs if isinstance(municipalities, gpd.GeoDataFrame) else None
    return gpd.GeoDataFrame([row], geometry=[geometry], crs=crs)


def combine_areas(out: str | Path, nis_codes: Sequence[str]) -> dict[str, Path]:
    """Gather the per-partition area aggregates of ``nis_codes``, rank them, and write
    ``OUT/aggregate/<level>/`` (GeoParquet, GeoJSON, CSV) plus ``OUT/aggregate/flanders/``.

    The priority score and rank of each level are computed over all the run's areas of that
    level (a rank is relative to the others).
    """
    from wijkreno.aggregate.priority import priority_score
    from wijkreno.io.tables import write_area_files

    out = Path(out)
    files: dict[str, Path] = {}
    for level in AREA_LEVELS:
        parts = [dataset_file(out, f"areas/{level}", nis) for nis in nis_codes]
        parts = [p for p in parts if p.exists()]
        if not parts:
            continue
        frames = []
        for path in parts:
            frame = gpd.read_parquet(path)
            frame.insert(0, "nis_code", path.parent.name.split("=", 1)[1])
            frames.append(frame)
        table = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
        prio = priority_score(table)
        ranked = table.join(prio)
        files[level] = write_area_files(ranked, out / "aggregate" / level)["parquet"]
        if level == "municipality":
            files["flanders"] = write_area_files(
                flanders_row(table), out / "aggregate" / "flanders")["parquet"]
    return files


# ---------------------------------------------------------------------------------------------
# where the partitions run


WORKER_ENV: dict[str, str] = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                              "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Environment of LocalCluster workers: one partition per worker, one thread each, so that N
workers use N cores instead of each spreading numba threads over all of them."""


@contextmanager
def dask_client(
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    memory_limit: str | float = "auto",
    local_directory: str | Path | None = None,
) -> Iterator[Any]:
    """A Dask client on a new LocalCluster (``workers``) or an existing cluster (``scheduler``).

    Parameters
    ----------
    workers : int, optional
        Worker processes of a new LocalCluster (one thread each, :data:`WORKER_ENV`, no
        dashboard).
    scheduler : str, optional
        Address of a running scheduler, ``tcp://HOST:PORT`` (a SLURM or Kubernetes cluster,
        see ``docs/cluster.md``). Its workers need wijkreno installed and must see the sources
        and output folders at the same paths.
    memory_limit : str or float
        Memory per LocalCluster worker (Dask's ``memory_limit``; ``"auto"`` splits the
        machine's memory over the workers).
    local_directory : Path, optional
        Scratch folder of the LocalCluster's workers.

    Yields
    ------
    distributed.Client
        Closed, with its LocalCluster, on exit.
    """
    if (workers is None) == (scheduler is None):
        raise InputError("give either a number of workers or a scheduler address, not both.")
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if not re.match(r"^(tcp|tls|inproc|ucx)://", scheduler):
            raise InputError(f"the scheduler address {scheduler!r} is not a Dask address; give "
                             "it as tcp://HOST:PORT.")
        client = Client(scheduler, timeout="30s")
        try:
            yield client
        finally:
            client.close()
        return
    if workers is None or workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}.")
    # the scheduler and nannies of a LocalCluster live in this process: their start-up and
    # shut-down messages (a worker killed at close, ...) are not the run's news
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with dask.config.set({"distributed.worker.daemon": False,
                              "distributed.scheduler.work-stealing": True}):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                # no dashboard; the scheduler's health routes on a free local port
                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                memory_limit=memory_limit,
                silence_logs=logging.CRITICAL, env=dict(WORKER_ENV),
                local_directory=None if local_directory is None else str(local_directory),
            )
            client = Client(cluster)
            try:
                yield client
            finally:
                client.close()
                cluster.close()
    finally:
        quiet.setLevel(level)


def worker_peak_rss_mb(client: Any) -> dict[str, float]:
    """Peak resident memory [MB] of every worker process of ``client``'s cluster."""
    return {addr: round(float(mb), 1) for addr, mb in client.run(peak_rss_mb).items()}
