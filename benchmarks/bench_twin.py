"""Benchmark: build a twin from a large footprint set, end to end including party walls.

Tiles the 4,141 real Baarle-Hertog footprints (../shared/data/baarle_hertog_buildings) on a grid
of translated copies until there are at least ``--buildings`` of them, then times
``build_twin`` (geometry, roles, party walls, imputation calibrated to Statbel, dwellings,
schema validation) and writing the twin folder.

Target (issue 2): all ~3.5 million Flemish buildings in under 10 minutes on a 2-core machine,
i.e. at least 6,000 buildings/s end to end.

Usage::

    python benchmarks/bench_twin.py [--buildings 200000] [--data ../shared/data]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def tiled_footprints(path: Path, n_target: int) -> gpd.GeoDataFrame:
    from wijkreno.io.sources import read_buildings

    base = read_buildings(path).frame
    minx, miny, maxx, maxy = base.total_bounds
    step = max(maxx - minx, maxy - miny) + 500.0
    copies = math.ceil(n_target / len(base))
    side = math.ceil(math.sqrt(copies))
    geoms = base.geometry.to_numpy()
    parts, ids = [], []
    for k in range(copies):
        dx, dy = (k % side) * step, (k // side) * step
        parts.append(shapely.transform(geoms, lambda xy, dx=dx, dy=dy: xy + [dx, dy]))
        ids.append(base["gebouw_id"].astype(str).to_numpy() + f"-{k}")
    return gpd.GeoDataFrame(
        {"gebouw_id": np.concatenate(ids)}, geometry=np.concatenate(parts), crs=31370
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=200_000)
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
    args = parser.parse_args()
    src = args.data / "baarle_hertog_buildings" / "baarle_hertog_gebouwen.gpkg"
    statbel_csv = args.data / "statbel_gebouwenpark_2025" / "gebouwenpark_2025_long.csv"
    if not src.exists():
        print(json.dumps({"skipped": f"real data not found at {src}"}))
        sys.exit(0)

    from wijkreno.io.statbel import read_gebouwenpark
    from wijkreno.io.twin_store import write_twin
    from wijkreno.twin.build import build_twin

    frame = tiled_footprints(src, args.buildings)
    gebouwenpark = read_gebouwenpark(statbel_csv, nis_code="13002")
    # warm-up on a small part so that numba compilation (cached on disk after the first run)
    # is not counted
    build_twin(frame.iloc[:2000], nis_code="13002", gebouwenpark=gebouwenpark)

    t0 = time.perf_counter()
    twin = build_twin(frame, nis_code="13002", gebouwenpark=gebouwenpark, seed=0)
    t_build = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        write_twin(tmp, twin.buildings, twin.dwellings, twin.rejected, twin.quality)
        t_write = time.perf_counter() - t1
    n = len(frame)
    main_share = float((twin.buildings["building_role"] == "main").mean())
    print(pd.Series({"buildings": n, "dwellings": len(twin.dwellings),
                     "build_s": t_build, "write_s": t_write}).to_string())
    print(json.dumps({
        "buildings": n,
        "dwellings": len(twin.dwellings),
        "main_share_frac": round(main_share, 3),
        "build_s": round(t_build, 2),
        "write_s": round(t_write, 2),
        "buildings_per_s": round(n / t_build),
        "buildings_per_s_with_write": round(n / (t_build + t_write)),
        "peak_rss_mb": round(peak_rss_mb()),
    }))


if __name__ == "__main__":
    main()
