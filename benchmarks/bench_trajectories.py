"""Benchmark of full package enumeration + trajectory search: dwellings per second.

The dwellings are the demo twin's (``wijkreno.demo``, built once in a temporary folder),
resampled with replacement to ``--n`` rows with their areas scaled by a random factor
(0.8-1.25) so that no two rows are identical; the options come from the real catalogue,
premiums and applicability rules (:func:`wijkreno.renovate.applicability.measure_options`),
priced in the current price year (``money_params()``; the timed run includes the steps'
planned-year economics).
Timed: :func:`wijkreno.renovate.trajectories.plan_trajectories` (every applicable package of
every dwelling with the numba engine, the choice per dwelling, the step ordering, the steps and
summary tables), after one warm-up run on a small slice (numba compilation / cache load).

Usage: ``python benchmarks/bench_trajectories.py [--n 250000] [--repeat 1]``. Prints dwellings
per second, packages evaluated per second, peak memory, the projected time for 250,000
dwellings, the process CPU time of the timed run and the machine's load average before and
after it (the machine is shared: wall time under load says little on its own); the last line
is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.demo_summary import build_demo_twin  # noqa: E402
from wijkreno.renovate.applicability import measure_options  # noqa: E402
from wijkreno.renovate.catalogue import money_params  # noqa: E402
from wijkreno.renovate.trajectories import plan_trajectories  # noqa: E402

AREA_COLUMNS = (
    "heated_floor_area_m2", "volume_m3", "roof_area_m2", "ground_floor_area_m2",
    "wall_area_n_m2", "wall_area_e_m2", "wall_area_s_m2", "wall_area_w_m2",
    "window_area_n_m2", "window_area_e_m2", "window_area_s_m2", "window_area_w_m2",
    "party_wall_area_m2", "annex_wall_area_m2",
)


def city_dwellings(n: int, seed: int = 0) -> pd.DataFrame:
    """The demo twin's dwellings resampled to n rows, areas scaled per row."""
    with tempfile.TemporaryDirectory() as tmp:
        twin, _ = build_demo_twin(Path(tmp))
    base = pd.DataFrame(twin.dwellings.drop(columns="geometry"))
    rng = np.random.default_rng(seed)
    out = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
    scale = rng.uniform(0.8, 1.25, n)
    for c in AREA_COLUMNS:
        out[c] = out[c].to_numpy(dtype=float) * scale
    out["dwelling_id"] = [f"bench/{i}" for i in range(n)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=250_000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    dwellings = city_dwellings(args.n)
    plan_trajectories(dwellings.iloc[:200], measure_options(dwellings.iloc[:200]))  # warm-up
    load_start = os.getloadavg()[0]
    t0 = time.perf_counter()
    options = measure_options(dwellings, money=money_params())  # the run's price year
    t_options = time.perf_counter() - t0
    times = []
    cpu = []
    for _ in range(args.repeat):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        steps, summary = plan_trajectories(dwellings, options)
        times.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    load_end = os.getloadavg()[0]
    t = min(times)
    n_packages = int(summary["n_packages"].sum())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "n_dwellings": args.n,
        "threads": numba.get_num_threads(),
        "seconds_options": round(t_options, 3),
        "seconds_plan": round(t, 3),
        "dwellings_per_s": round(args.n / t, 1),
        "packages_evaluated": n_packages,
        "packages_per_dwelling_mean": round(n_packages / args.n, 1),
        "packages_per_s": round(n_packages / t, 1),
        "n_steps": int(len(steps)),
        "reached_frac": round(float(summary["reached"].mean()), 4),
        "intermediate_step_frac": round(float(summary["intermediate_step"].mean()), 4),
        "heat_pump_boiler_measure_frac": round(float(
            summary["measures"].str.contains("heat_pump_boiler").mean()), 4),
        "fossil_free_end_frac": round(float(summary["fossil_free_end"].mean()), 4),
        "cpu_seconds_plan": round(min(cpu), 2),
        "load_avg_1min_start": round(load_start, 2),
        "load_avg_1min_end": round(load_end, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "projected_s_250k_options_plus_plan": round((t + t_options) * 250_000 / args.n, 2),
    }
    print(f"dwellings: {args.n:,} on {result['threads']} threads")
    print(f"measure options: {t_options:.2f} s")
    print(f"enumeration + trajectories: {t:.2f} s = {result['dwellings_per_s']:,.0f} "
          f"dwellings/s, {result['packages_per_s'] / 1e6:,.1f} M packages/s "
          f"({result['packages_per_dwelling_mean']:.0f} packages per dwelling)")
    print(f"peak memory (RSS): {peak_mb:,.0f} MB")
    print(f"CPU time of the timed run: {result['cpu_seconds_plan']:.1f} s on "
          f"{result['threads']} threads; load average {load_start:.1f} before, "
          f"{load_end:.1f} after")
    print(f"projected for 250,000 dwellings (options + plan): "
          f"{result['projected_s_250k_options_plus_plan']:.1f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
