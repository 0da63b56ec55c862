"""Speed of the hourly heat-pump electricity: numba kernel (all threads, one) vs NumPy reference.

Synthetic year (a seeded sine plus noise for the outdoor temperature), ``--dwellings``
heat-pump dwellings with a degree-hour space-heat profile and the packaged hot-water profile;
times :func:`wijkreno.simulate.heat_pump_hourly.run_heat_pumps` after a warm-up call (numba
compilation excluded) and :func:`~wijkreno.simulate.heat_pump_hourly.heat_pump_electricity`
on a quarter of the dwellings. Prints the figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time

import numba
import numpy as np
import pandas as pd

from wijkreno.simulate.heat_pump_hourly import (
    dhw_heat_w,
    heat_pump_electricity,
    run_heat_pumps,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dwellings", type=int, default=1000)
    args = ap.parse_args()
    n, h = args.dwellings, 8760
    rng = np.random.default_rng(0)
    theta_e = 10.0 + 8.0 * np.sin(np.arange(h) / h * 2 * np.pi - 2.0) + rng.normal(0, 3, h)
    space = np.clip(150.0 * (20.0 - theta_e), 0.0, None)[None, :] * rng.uniform(0.5, 2.0, (n, 1))
    dhw = dhw_heat_w(np.full(n, 1500.0), pd.date_range("2021-01-01", periods=h, freq="h"))
    kw = dict(design_flow_degc=rng.uniform(35.0, 55.0, n), design_load_w=np.full(n, 6000.0),
              source=rng.choice(["air_water", "ground"], n))
    small = {k: v[:2] for k, v in kw.items()}
    for parallel in (True, False):  # compile outside the timing
        run_heat_pumps(space[:2], dhw[:2], theta_e, parallel=parallel, **small)
    timings = {}
    for name, parallel in (("all", True), ("1thread", False)):
        t0 = time.perf_counter()
        run_heat_pumps(space, dhw, theta_e, parallel=parallel, **kw)
        timings[name] = time.perf_counter() - t0
    q = max(n // 4, 1)
    t0 = time.perf_counter()
    heat_pump_electricity(space[:q], dhw[:q], theta_e, **{k: v[:q] for k, v in kw.items()})
    t_np = (time.perf_counter() - t0) * n / q
    res = {
        "dwellings": n,
        "hours": h,
        "threads": numba.get_num_threads(),
        "dwelling_hours_per_s_all": n * h / timings["all"],
        "dwelling_hours_per_s_1thread": n * h / timings["1thread"],
        "dwelling_hours_per_s_numpy": n * h / t_np,
        "speedup_vs_numpy": t_np / timings["all"],
    }
    for k, v in res.items():
        print(f"{k}: {v:,.1f}" if isinstance(v, float) else f"{k}: {v}")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
