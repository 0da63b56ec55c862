"""Benchmark: build and simulate the Flanders-wide statistical stock.

Reads Statbel's gebouwenpark 2025 and Fluvius' residential connections per sector (one year),
builds one row per dwelling for every Flemish municipality
(:func:`wijkreno.twin.statistical.build_statistical_stock`) and simulates them municipality by
municipality (:func:`wijkreno.simulate.stock.simulate_stock`). Reading the files is timed apart
from building and simulating. The engine's numba kernels are compiled (or loaded from the cache)
on a small warm-up stock first, outside the timings.

Usage::

    python benchmarks/bench_statistical_stock.py [--data ../shared/data] [--year 2021]
        [--nis 13002,44021] [--seed 0]

Prints the figures; the last line is one JSON object with ``dwellings``, ``municipalities``,
``sectors``, ``seconds_read``, ``seconds_build``, ``seconds_simulate``, ``seconds_total``
(build + simulate) and ``cpu_count``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from wijkreno.io.connections import read_residential_connections
from wijkreno.io.statbel import read_gebouwenpark
from wijkreno.simulate.stock import simulate_stock
from wijkreno.twin.statistical import build_statistical_stock

_DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("WIJKRENO_SHARED_DATA", _DEFAULT_DATA)))
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--nis", default="", help="comma-separated NIS codes (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = args.data.resolve()

    t0 = time.perf_counter()
    gebouwenpark = read_gebouwenpark(
        data / "statbel_gebouwenpark_2025" / "gebouwenpark_2025_long.csv")
    connections = read_residential_connections(
        data / "fluvius_verbruik_statsec" / "fluvius_verbruik_statsec2019_2018_2021.csv",
        data / "flanders_wijken_ggw7" / "statsec_hierarchy_2025.csv", year=args.year)
    t_read = time.perf_counter() - t0
    nis = [c for c in args.nis.split(",") if c] or None

    # warm-up: compile or load the engine's kernels outside the timings
    simulate_stock(build_statistical_stock(gebouwenpark, connections, ["13002"], seed=1))

    t0 = time.perf_counter()
    stock = build_statistical_stock(gebouwenpark, connections, nis, seed=args.seed)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = simulate_stock(stock)
    t_sim = time.perf_counter() - t0

    valid = results["valid"].to_numpy(dtype=bool)
    gas = results.loc[valid & (results["final_gas_kwh"] > 0), "final_gas_kwh"]
    figures = {
        "dwellings": int(len(stock)),
        "municipalities": int(stock["nis_code"].nunique()),
        "sectors": int(stock["sector_code"].nunique()),
        "valid_frac": float(valid.mean()) if len(valid) else 0.0,
        "mean_standardised_gas_kwh_per_gas_dwelling": float(gas.mean()) if len(gas) else None,
        "seconds_read": round(t_read, 2),
        "seconds_build": round(t_build, 2),
        "seconds_simulate": round(t_sim, 2),
        "seconds_total": round(t_build + t_sim, 2),
        "cpu_count": os.cpu_count(),
    }
    print(f"statistical stock: {figures['dwellings']:,} dwellings in "
          f"{figures['municipalities']} municipalities, {figures['sectors']:,} sectors")
    print(f"read {t_read:.1f} s, build {t_build:.1f} s, simulate {t_sim:.1f} s "
          f"(total {t_build + t_sim:.1f} s; target < 300 s)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
