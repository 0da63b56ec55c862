"""Benchmark of the twin's geometry step on ≥ 200,000 real footprints.

Tiles the 4,141 Baarle-Hertog footprints (``../shared/data/baarle_hertog_buildings``) on a grid
of translated copies, then times ``find_adjacency`` + ``classify_roles`` + ``party_walls``
(``footprint_metrics`` is reported on its own). Numba kernels are compiled (or loaded from the
cache) on a small warm-up before timing.

Run from the repository root::

    python benchmarks/bench_geometry.py [--buildings 200000] [--repeat 3]

The last line printed is one JSON object, e.g.
``{"buildings": 207050, "buildings_per_s": 31000, "peak_rss_mb": 900}``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wijkreno.twin.geometry import (  # noqa: E402
    classify_roles,
    find_adjacency,
    footprint_metrics,
    load_geometry_params,
    party_walls,
)

SHARED_DATA = Path(os.environ.get("WIJKRENO_SHARED_DATA", ROOT.parent / "shared" / "data"))
SOURCE = SHARED_DATA / "baarle_hertog_buildings" / "baarle_hertog_gebouwen.gpkg"


def tile(footprints: gpd.GeoSeries, n_target: int) -> gpd.GeoSeries:
    """Copies of ``footprints`` translated on a square grid until ≥ ``n_target`` polygons."""
    minx, miny, maxx, maxy = footprints.total_bounds
    step_x, step_y = (maxx - minx) + 100.0, (maxy - miny) + 100.0
    copies = int(np.ceil(n_target / len(footprints)))
    side = int(np.ceil(np.sqrt(copies)))
    geoms = footprints.values
    out = []
    for k in range(copies):
        out.append(shapely.transform(geoms, lambda xy, k=k: xy + [(k % side) * step_x,
                                                                   (k // side) * step_y]))
    return gpd.GeoSeries(np.concatenate(out), crs=footprints.crs)


def peak_rss_mb() -> float:
    """Peak resident set size of this process [MiB] (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if not SOURCE.exists():
        print(f"skipped: real data not available at {SOURCE}")
        print(json.dumps({"buildings": 0, "buildings_per_s": None, "peak_rss_mb": None,
                          "skipped": "data absent"}))
        return 0

    params = load_geometry_params()
    base = gpd.read_file(SOURCE).geometry
    footprints = tile(base, args.buildings)
    n = len(footprints)

    # warm-up: compile or load the numba kernels
    warm = base.iloc[:500]
    adj = find_adjacency(warm, tolerance_m=params.tolerance_m)
    roles = classify_roles(warm, adj, params)
    party_walls(warm, adj, roles["building_role"].to_numpy() == "main")

    times: dict[str, list[float]] = {"metrics": [], "adjacency": [], "roles": [],
                                     "party_walls": []}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        footprint_metrics(footprints)
        t1 = time.perf_counter()
        adj = find_adjacency(footprints, tolerance_m=params.tolerance_m)
        t2 = time.perf_counter()
        roles = classify_roles(footprints, adj, params)
        t3 = time.perf_counter()
        walls = party_walls(footprints, adj, roles["building_role"].to_numpy() == "main")
        t4 = time.perf_counter()
        for key, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[key].append(dt)

    best = {k: min(v) for k, v in times.items()}
    timed = best["adjacency"] + best["roles"] + best["party_walls"]
    n_main = int((roles["building_role"] == "main").sum())
    for key, dt in best.items():
        print(f"{key:12s} {dt:8.3f} s  {n / dt:12,.0f} buildings/s")
    print(f"adjacency pairs {len(adj):,}; main buildings {n_main:,} of {n:,}; "
          f"blocks {walls.loc[walls['block_id'] >= 0, 'block_id'].nunique():,}; "
          f"threads {os.environ.get('NUMBA_NUM_THREADS', os.cpu_count())}")
    print(json.dumps({"buildings": n, "buildings_per_s": round(n / timed),
                      "peak_rss_mb": round(peak_rss_mb())}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
