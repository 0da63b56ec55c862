"""Benchmark: a Flanders-size stock through ``wijkreno run`` (twin → simulate → trajectories →
aggregate), one partition per municipality, on a Dask LocalCluster.

The stock is synthetic, written as source files in the layout ``wijkreno run`` reads (one
folder per NIS code with ``gebouwen.gpkg`` and ``adressen.csv``, plus a shared
``sectoren.gpkg`` and ``wijken.gpkg``): every municipality is a grid of copies of the demo
village (:func:`wijkreno.demo.generate_demo`, drawn with a few seeds), each copy stretched by
its own random factor in x and y (0.85-1.2, about the copy's origin, so attached rows keep their
shared walls) and given its own building, address and street ids. Footprints, floor areas,
volumes and walls of every copy therefore differ, and the twin imputes construction years and
U-values per partition with the partition's own seed: the dwellings are genuinely distinct
(no archetype de-duplication). The distinct count is measured, not assumed: unique rows of the
simulation's inputs (the envelope, U-values and system columns of the twin's dwellings).

Writing the sources is timed separately and not counted as a stage. The speed-up from 1 to 2
workers is measured on the first ``--speedup-partitions`` partitions (two short runs into fresh
folders; with 2 cores, running all of Flanders twice would double the benchmark), then the
whole stock runs once on ``--workers`` workers. Each worker runs one partition at a time with
one numba thread (``NUMBA_NUM_THREADS=1``), so the workers do not compete for the cores.

Usage::

    python benchmarks/bench_flanders.py                      # 300 x 11,000 = 3.3 M dwellings
    python benchmarks/bench_flanders.py --partitions 6 --dwellings-per-partition 2000  # quick

Prints wall time per stage (summed over partitions, and the wall time of the run), the peak
memory (RSS) of the driver and of each worker process, and the speed-up; the last line is one
JSON object. Targets on a 2-core, 24 GB machine: all of Flanders end to end in under 30 minutes,
under 6 GB per worker.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BASE_SEEDS = (20240101, 7, 11, 13)
"""Seeds of the demo villages the copies are drawn from."""
SCALE_RANGE = (0.85, 1.2)
"""Range of the per-copy stretch in x and y."""
MUNICIPALITY_STEP_M = 30_000.0
"""Spacing of the municipalities' origins [m] (a 20 x 15 grid covers 600 x 450 km)."""
FIRST_NIS = 90001
"""Synthetic NIS codes 90001, 90002, ... (no real municipality has a code starting with 9)."""
SIMULATE_INPUT_COLUMNS = (
    "heated_floor_area_m2", "volume_m3", "roof_area_m2", "ground_floor_area_m2",
    "wall_area_n_m2", "wall_area_e_m2", "wall_area_s_m2", "wall_area_w_m2",
    "window_area_n_m2", "window_area_e_m2", "window_area_s_m2", "window_area_w_m2",
    "party_wall_area_m2", "annex_wall_area_m2", "u_roof_w_per_m2k", "u_wall_w_per_m2k",
    "u_floor_w_per_m2k", "u_window_w_per_m2k", "u_party_wall_w_per_m2k", "g_window_frac",
    "thermal_bridge_w_per_m2k", "infiltration_ach", "heating_system", "construction_year",
    "typology",
)
"""Columns of the twin's dwellings that set a dwelling's simulation and plan."""


def peak_rss_mb() -> float:
    """Peak resident memory of this process [MB]."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---------------------------------------------------------------------------------------------
# the synthetic stock


class _Village:
    """One demo village's source rows and the corner its copies are stretched about."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.buildings = gpd.read_file(paths["buildings"], engine="pyogrio")
        self.addresses = pd.read_csv(paths["addresses"], dtype={"house_number": str})
        self.sectors = gpd.read_file(paths["sectors"], engine="pyogrio")
        x0, y0, x1, y1 = self.sectors.total_bounds
        self.origin = np.array([x0, y0])
        self.size = np.array([x1 - x0, y1 - y0])
        # dwellings of one copy: an address is a dwelling (boxes are the flats)
        self.n_dwellings = len(self.addresses)


def _village_paths(folder: Path, n_base: int) -> list[dict[str, Path]]:
    from wijkreno.demo import generate_demo

    return [generate_demo(folder / str(s), seed=s) for s in BASE_SEEDS[:n_base]]


def _place(xy: np.ndarray, origin: np.ndarray, scale: np.ndarray, at: np.ndarray) -> np.ndarray:
    return (xy - origin) * scale + at


def _write_municipalities(
    out: Path, village_paths: list[dict[str, Path]], ms: list[int], copies: int, seed: int
) -> tuple[int, int, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Write the sources of municipalities ``ms`` (a worker of :func:`write_flanders_sources`)."""
    villages = [_Village(p) for p in village_paths]
    to_wgs = pyproj.Transformer.from_crs(31370, 4326, always_xy=True)
    side = math.ceil(math.sqrt(copies))
    cell = max(float(v.size.max()) for v in villages) * SCALE_RANGE[1] + 200.0
    per_copy = max(len(v.buildings) for v in villages)
    per_copy_a = max(len(v.addresses) for v in villages)
    sector_rows: list[gpd.GeoDataFrame] = []
    wijk_rows: list[dict[str, object]] = []
    n_buildings = n_addresses = 0
    for m in ms:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(m,)))
        nis = str(FIRST_NIS + m)
        base = np.array([150_000.0 + (m % 20) * MUNICIPALITY_STEP_M,
                         150_000.0 + (m // 20) * MUNICIPALITY_STEP_M])
        b_parts, a_parts = [], []
        for c in range(copies):
            v = villages[int(rng.integers(len(villages)))]
            scale = rng.uniform(*SCALE_RANGE, size=2)
            at = base + np.array([(c % side) * cell, (c // side) * cell])

            def move(xy: np.ndarray, v: _Village = v, s: np.ndarray = scale,
                     a: np.ndarray = at) -> np.ndarray:
                return _place(xy, v.origin, s, a)

            b = v.buildings.copy()
            b["geometry"] = shapely.transform(b.geometry.to_numpy(), move)
            first = 10_000_000 + (m * copies + c) * per_copy
            ids = np.arange(first, first + len(b))
            b["gebouwid"] = ids.astype(np.int32)
            b["id"] = [f"https://data.vlaanderen.be/id/gebouw/{i}" for i in ids]
            b_parts.append(b)
            a = v.addresses.copy()
            xy = move(a[["EPSG:31370_x", "EPSG:31370_y"]].to_numpy())
            a["EPSG:31370_x"], a["EPSG:31370_y"] = xy[:, 0].round(3), xy[:, 1].round(3)
            lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
            a["EPSG:4326_lon"], a["EPSG:4326_lat"] = np.round(lon, 6), np.round(lat, 6)
            first = 1_000_000 + (m * copies + c) * per_copy_a
            a["address_id"] = np.arange(first, first + len(a))
            a["municipality_id"] = int(nis)
            a["municipality_name_nl"] = f"Synthetisch {nis}"
            a["postname_nl"] = f"Synthetisch {nis}"
            a["street_id"] = a["street_id"] * 1000 + c
            a["streetname_nl"] = a["streetname_nl"] + f" {c + 1}"
            a_parts.append(a)
            sec = v.sectors.copy()
            sec["geometry"] = shapely.transform(sec.geometry.to_numpy(), move)
            sec["CD_SECTOR"] = [f"{nis}{chr(65 + k)}{c:02d}-" if c < 100
                                else f"{nis}{chr(65 + k)}{c:03d}" for k in range(len(sec))]
            sec["TX_SECTOR_DESCR_NL"] = sec["TX_SECTOR_DESCR_NL"] + f" {c + 1}"
            sec["CD_MUNTY_REFNIS"] = nis
            sec["TX_MUNTY_DESCR_NL"] = f"Synthetisch {nis}"
            sector_rows.append(sec)
            wijk_rows.append({"geoitem": f"{nis}-{c + 1:03d}",
                              "naam": f"Synthetisch {nis} wijk {c + 1}",
                              "geometry": shapely.union_all(sec.geometry.to_numpy())})
        folder = out / nis
        folder.mkdir(exist_ok=True)
        buildings = gpd.GeoDataFrame(pd.concat(b_parts, ignore_index=True), crs=31370)
        buildings.to_file(folder / "gebouwen.gpkg", engine="pyogrio")
        addresses = pd.concat(a_parts, ignore_index=True)
        addresses.to_csv(folder / "adressen.csv", index=False, lineterminator="\n")
        n_buildings += len(buildings)
        n_addresses += len(addresses)
    sectors = gpd.GeoDataFrame(pd.concat(sector_rows, ignore_index=True), crs=31370)
    wijken = gpd.GeoDataFrame(wijk_rows, geometry="geometry", crs=31370)
    return n_buildings, n_addresses, sectors, wijken


def write_flanders_sources(
    out: Path, n_partitions: int, dwellings_per_partition: int, *, seed: int = 0,
    n_base: int = len(BASE_SEEDS), jobs: int = 1,
) -> dict[str, object]:
    """Write a synthetic stock of ``n_partitions`` municipalities as ``wijkreno run`` sources.

    Layout: ``out/<nis>/gebouwen.gpkg`` and ``out/<nis>/adressen.csv`` per municipality,
    ``out/sectoren.gpkg`` (Statbel-style sectors, three per village copy) and
    ``out/wijken.gpkg`` (one wijk per copy, ggw7-style ``geoitem``). Municipality ``m`` draws
    from its own random stream (``seed``, ``m``), so the files do not depend on ``jobs``
    (processes writing municipalities side by side). Returns the paths of the shared files
    and the counts written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = _village_paths(Path(tmp), n_base)
        per_village = float(np.mean([_Village(p).n_dwellings for p in paths]))
        copies = max(1, math.ceil(dwellings_per_partition / per_village))
        chunks = [list(range(n_partitions))[k::jobs] for k in range(jobs)]
        if jobs == 1:
            parts = [_write_municipalities(out, paths, chunks[0], copies, seed)]
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(jobs) as pool:
                parts = list(pool.map(_write_municipalities, [out] * jobs, [paths] * jobs,
                                      chunks, [copies] * jobs, [seed] * jobs))
    sectors = gpd.GeoDataFrame(pd.concat([p[2] for p in parts], ignore_index=True), crs=31370)
    sectors = sectors.sort_values("CD_SECTOR", ignore_index=True)
    sectors.to_file(out / "sectoren.gpkg", engine="pyogrio")
    wijken = gpd.GeoDataFrame(pd.concat([p[3] for p in parts], ignore_index=True), crs=31370)
    wijken = wijken.sort_values("geoitem", ignore_index=True)
    wijken.to_file(out / "wijken.gpkg", engine="pyogrio")
    return {"sectors": out / "sectoren.gpkg", "wijken": out / "wijken.gpkg",
            "nis_codes": [str(FIRST_NIS + m) for m in range(n_partitions)],
            "n_buildings": sum(p[0] for p in parts), "n_addresses": sum(p[1] for p in parts),
            "copies_per_partition": copies}


# ---------------------------------------------------------------------------------------------
# the run


def _distinct_hashes(out: str, nis_code: str) -> np.ndarray:
    """Row hashes of the simulation inputs of one partition's twin (runs on a worker)."""
    from wijkreno.pipeline import Workspace
    from wijkreno.pipeline.distributed import partition_folder

    ws = Workspace(partition_folder(out, nis_code))
    dwellings = ws.read("twin", "dwellings", validate=False)
    cols = [c for c in SIMULATE_INPUT_COLUMNS if c in dwellings.columns]
    return pd.util.hash_pandas_object(pd.DataFrame(dwellings[cols]), index=False).to_numpy()


def _run(sources: Path, out: Path, nis_codes: list[str], workers: int, seed: int,
         memory_limit: str, distinct: bool = False) -> dict[str, object]:
    from wijkreno.pipeline.distributed import (
        RunOptions,
        dask_client,
        find_partitions,
        run_partitions,
        worker_peak_rss_mb,
    )

    options = RunOptions(out=out, seed=seed, sectors=sources / "sectoren.gpkg",
                         wijken=sources / "wijken.gpkg")
    partitions = find_partitions(sources, nis_codes)
    last = {"t": 0.0, "n": 0}
    t0 = time.perf_counter()

    def on_done(report) -> None:
        last["n"] += 1
        last["t"] = time.perf_counter() - t0
        if last["n"] % 25 == 0 or last["n"] == len(partitions):
            print(f"  {last['n']}/{len(partitions)} partitions, {last['t']:.0f} s", flush=True)

    with dask_client(workers=workers, memory_limit=memory_limit) as client:
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        result = run_partitions(partitions, options, client=client, on_done=on_done)
        wall = time.perf_counter() - t0
        load1 = os.getloadavg()[0]
        peaks = worker_peak_rss_mb(client)
        n_distinct = None
        if distinct:
            futures = client.map(_distinct_hashes, [str(out)] * len(nis_codes), nis_codes,
                                 pure=False)
            hashes = np.concatenate(client.gather(futures))
            n_distinct = int(len(np.unique(hashes)))
    frame = result.frame()
    return {"wall": wall, "combine": wall - last["t"], "frame": frame, "peaks": peaks,
            "distinct": n_distinct, "cpu": float(frame["cpu_seconds"].sum()),
            "load": (load0, load1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partitions", type=int, default=300)
    ap.add_argument("--dwellings-per-partition", type=int, default=11_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--speedup-partitions", type=int, default=16,
                    help="partitions of the 1-vs-2-worker comparison (0: skip it)")
    ap.add_argument("--memory-per-worker", default="8GB")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None,
                    help="working folder (default: a temporary one, removed afterwards)")
    ap.add_argument("--reuse-sources", action="store_true",
                    help="use the sources already in OUT/sources (written by an earlier run "
                    "with the same --partitions and --dwellings-per-partition)")
    args = ap.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # the driver itself computes nothing
    work = args.out or Path(tempfile.mkdtemp(prefix="bench_flanders_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        if args.reuse_sources:
            from wijkreno.pipeline.distributed import find_partitions

            nis = [p.nis_code for p in find_partitions(work / "sources")]
            if len(nis) != args.partitions:
                raise SystemExit(f"{work / 'sources'} holds {len(nis)} municipalities, not "
                                 f"{args.partitions}")
            t_sources = None
            print(f"sources: {len(nis)} municipalities reused from {work / 'sources'}")
        else:
            # written by child processes, so that the driver's peak memory is the run's
            written = write_flanders_sources(work / "sources", args.partitions,
                                             args.dwellings_per_partition, seed=args.seed,
                                             jobs=max(2, args.workers))
            t_sources = round(time.perf_counter() - t0, 1)
            nis = list(written["nis_codes"])
            print(f"sources: {args.partitions} municipalities, {written['n_buildings']:,} "
                  f"buildings, {written['n_addresses']:,} addresses "
                  f"({written['copies_per_partition']} village copies each), written in "
                  f"{t_sources:.0f} s (not counted)", flush=True)

        speedup = None
        k = min(args.speedup_partitions, len(nis))
        if k:
            one = _run(work / "sources", work / "speedup_1", nis[:k], 1, args.seed,
                       args.memory_per_worker)
            two = _run(work / "sources", work / "speedup_2", nis[:k], 2, args.seed,
                       args.memory_per_worker)
            speedup = one["wall"] / two["wall"]
            print(f"speed-up on the first {k} partitions: 1 worker {one['wall']:.1f} s, "
                  f"2 workers {two['wall']:.1f} s -> {speedup:.2f}x (CPU seconds "
                  f"{one['cpu']:.0f} and {two['cpu']:.0f}; load average "
                  f"{one['load'][0]:.1f}-{two['load'][1]:.1f})", flush=True)
            for d in ("speedup_1", "speedup_2"):
                shutil.rmtree(work / d, ignore_errors=True)

        print(f"full run on {args.workers} workers ...", flush=True)
        full = _run(work / "sources", work / "full", nis, args.workers, args.seed,
                    args.memory_per_worker, distinct=True)
        frame = full["frame"]
        failed = frame[frame["status"] == "failed"]
        n = int(frame["n_dwellings"].sum())
        stage_s = {s: float(frame[f"seconds_{s}"].sum()) for s in
                   ("twin", "simulate", "trajectories", "aggregate")}
        publish_s = float(frame["seconds"].sum()) - sum(stage_s.values())
        worker_peak = max(full["peaks"].values())
        driver_peak = peak_rss_mb()
        print(f"dwellings: {n:,} in {len(frame)} partitions ({len(failed)} failed); "
              f"distinct dwellings (unique rows of the simulation inputs): "
              f"{full['distinct']:,}")
        print("stage seconds, summed over partitions (each partition on one core):")
        for s, v in stage_s.items():
            print(f"  {s:<13}{v:9.1f} s")
        print(f"  {'publish':<13}{publish_s:9.1f} s  (per-partition datasets and areas)")
        projected = full["cpu"] / args.workers + full["combine"]
        print(f"wall time on {args.workers} workers: {full['wall']:.1f} s (of which combining "
              f"the areas of all partitions: {full['combine']:.1f} s); machine load average "
              f"{full['load'][0]:.1f} at the start, {full['load'][1]:.1f} at the end")
        print(f"CPU time of the partitions: {full['cpu']:.0f} s, i.e. "
              f"{full['cpu'] / max(n, 1) * 1e6:.0f} s per million dwellings; on "
              f"{args.workers} cores of its own the run would take about {projected:.0f} s")
        print(f"peak memory (RSS): driver {driver_peak:,.0f} MB; workers "
              + ", ".join(f"{v:,.0f}" for v in full["peaks"].values()) + " MB; largest "
              f"partition report {frame['peak_rss_mb'].max():,.0f} MB")
        if len(failed):
            print(failed[["nis_code", "reason"]].to_string(index=False))
        result = {
            "dwellings": n,
            "partitions": int(len(frame)),
            "distinct_dwellings": full["distinct"],
            "failed": int(len(failed)),
            "workers": args.workers,
            "seconds_sources_not_counted": t_sources,
            **{f"seconds_{s}_summed": round(v, 1) for s, v in stage_s.items()},
            "seconds_publish_summed": round(publish_s, 1),
            "seconds_combine": round(full["combine"], 1),
            "seconds_total": round(full["wall"], 1),
            "cpu_seconds_partitions": round(full["cpu"], 1),
            "seconds_projected_uncontended": round(projected, 1),
            "load_average_start_end": [round(v, 1) for v in full["load"]],
            "peak_rss_mb_worker": round(worker_peak, 1),
            "peak_rss_mb_workers": [round(v, 1) for v in full["peaks"].values()],
            "peak_rss_mb_driver": round(driver_peak, 1),
            "speedup_2_workers": None if speedup is None else round(speedup, 3),
            "speedup_partitions": k,
        }
        print(json.dumps(result))
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
