"""Benchmark of the hourly 5R1C engine: dwelling-hours per second.

One dwelling-hour = one hour of the EN ISO 13790 Annex C network of one dwelling with the
ideal heater/cooler (heating, cooling, set-back, peaks, temperature statistics). The counted
hours are the recorded ones (8760 per dwelling); the warm-up hours (``warmup_h`` of
``hourly.toml``, 720) are run as well but not counted.

Timed on synthetic dwellings with the Uccle climate (``--climate-epw``, or a synthetic year
when the file is absent):

* ``all`` / ``1thread``: the numba kernel on prepared coefficients with annual sums and peaks
  only (``return_hourly=False``, the path for all of Flanders), on all numba threads and on one,
  with the heating set-point and its night set-back and no cooling (the defaults of the heat-pump
  peaks); ``all_with_cooling``: the same with a cooling set-point of 26 degC (the kernel then
  also tracks the cooling sum and peak);
* ``wrapper``: :func:`wijkreno.simulate.hourly.simulate_hourly` from the DataFrame (network,
  coefficients, checks and results included);
* ``hourly_output``: the kernel writing the (n, 8760) heating, cooling and temperature arrays;
* ``numpy``: :func:`~wijkreno.simulate.hourly.simulate_hourly_reference` (hours in a Python
  loop, NumPy over dwellings, equations C.1-C.13 literally) on ``--n-reference`` dwellings;
  ``speedup_vs_numpy`` is the kernel on all threads against it, per dwelling-hour;
* ``cuda``: the GPU kernel when numba finds a CUDA GPU.

Wall-clock and process CPU time are both reported: the machine is shared, and the CPU time
per dwelling-hour says what the kernel costs when it gets the cores.

Usage: ``python benchmarks/bench_hourly.py [--n 400000] [--repeat 3] [--climate-epw PATH]``.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd

from wijkreno.simulate.heat_balance import REQUIRED_COLUMNS
from wijkreno.simulate.hourly import (
    SOLAR_CLASSES,
    HourlyClimate,
    build_network,
    build_schedules,
    cuda_available,
    hourly_climate_from_epw,
    load_hourly_params,
    run_kernel,
    simulate_hourly,
    simulate_hourly_reference,
    step_coefficients,
)

SHARED_DATA = Path(os.environ.get("WIJKRENO_SHARED_DATA",
                                  Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
DEFAULT_EPW = SHARED_DATA / "climate_uccle" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def synthetic_dwellings(n: int, seed: int = 0) -> pd.DataFrame:
    """Plausible random Flemish dwellings of all ages, reproducible."""
    rng = np.random.default_rng(seed)
    floor = rng.uniform(50, 250, n)
    d = {c: np.zeros(n) for c in REQUIRED_COLUMNS}
    d.update(
        heated_floor_area_m2=floor, volume_m3=floor * 2.6,
        roof_area_m2=rng.uniform(30, 120, n), ground_floor_area_m2=rng.uniform(30, 120, n),
        party_wall_area_m2=rng.uniform(0, 60, n), annex_wall_area_m2=rng.uniform(0, 10, n),
        u_roof_w_per_m2k=rng.uniform(0.15, 2.5, n), u_wall_w_per_m2k=rng.uniform(0.2, 2.0, n),
        u_floor_w_per_m2k=rng.uniform(0.2, 1.5, n), u_window_w_per_m2k=rng.uniform(1.0, 5.0, n),
        u_party_wall_w_per_m2k=np.full(n, 1.5), g_window_frac=rng.uniform(0.5, 0.8, n),
        thermal_bridge_w_per_m2k=rng.uniform(0.0, 0.15, n),
        infiltration_ach=rng.uniform(0.1, 1.2, n), cellar_frac=rng.uniform(0, 1, n),
    )
    for o in "nesw":
        d[f"wall_area_{o}_m2"] = rng.uniform(5, 40, n)
        d[f"window_area_{o}_m2"] = rng.uniform(0.5, 8, n)
    frame = pd.DataFrame(d)
    frame["tabula_period"] = rng.choice(["01", "02", "03", "04", "05", "06"], n)
    frame["typology"] = rng.choice(["detached", "semi_detached", "terraced",
                                    "apartment_building"], n)
    return frame


def synthetic_climate() -> HourlyClimate:
    """A synthetic year (used only when the EPW file is absent)."""
    time_ = pd.date_range("2021-01-01", periods=8760, freq="h", tz="Etc/GMT-1")
    doy = np.asarray(time_.dayofyear)
    hour = np.asarray(time_.hour)
    day = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    temp = 10 - 7 * np.cos(2 * np.pi * (doy - 15) / 365) + 4 * day
    irr = np.outer(np.linspace(100, 600, len(SOLAR_CLASSES)), day)
    return HourlyClimate(time=time_, temp_out_degc=temp, irradiance_w_per_m2=irr,
                         latitude=50.8, longitude=4.35, source="synthetic")


def best(fn, repeat: int) -> tuple[float, float]:
    """Best wall time and the CPU time of that run [s]."""
    runs = []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - w0, time.process_time() - c0))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400_000, help="synthetic dwellings")
    parser.add_argument("--n-reference", type=int, default=20_000,
                        help="dwellings for the NumPy reference (full year)")
    parser.add_argument("--n-hourly", type=int, default=2_000,
                        help="dwellings for the run that writes the (n, 8760) arrays")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--climate-epw", type=Path, default=DEFAULT_EPW)
    args = parser.parse_args()

    load_before = os.getloadavg()
    if args.climate_epw.is_file():
        from wijkreno.io.epw import read_epw

        climate = hourly_climate_from_epw(read_epw(args.climate_epw))
        climate_name = args.climate_epw.name
    else:
        climate = synthetic_climate()
        climate_name = "synthetic (EPW absent)"
    params = load_hourly_params()
    n_h = climate.n_hours
    frame = synthetic_dwellings(args.n)
    net = build_network(frame, params)
    coef = step_coefficients(net)
    sched = build_schedules(climate, params, heating_setpoint_degc=None,
                            cooling_setpoint_degc=None, setback="night", free_float=False)
    arrays = (climate.engine_irradiance(), np.ascontiguousarray(climate.temp_out_degc),
              sched.phi_int_w_per_m2, sched.set_heating_degc, sched.set_cooling_degc,
              sched.sky_dt_k)
    cool_sched = build_schedules(climate, params, heating_setpoint_degc=None,
                                 cooling_setpoint_degc=26.0, setback="night", free_float=False)
    arrays_cool = arrays[:4] + (cool_sched.set_cooling_degc, sched.sky_dt_k)
    theta0, warm = params.theta_m_start_degc, params.warmup_h

    def kernel(c: np.ndarray, parallel: bool, hourly: bool = False, clim=arrays):
        return run_kernel(c, clim, theta0, warm, return_hourly=hourly, parallel=parallel)

    kernel(coef[:, :1000].copy(), True)  # compile / load the cache
    kernel(coef[:, :1000].copy(), False)
    kernel(coef[:, :100].copy(), True, True)
    kernel(coef[:, :1000].copy(), True, False, arrays_cool)
    dh = args.n * n_h
    threads = numba.get_num_threads()
    wall_all, cpu_all = best(lambda: kernel(coef, True), args.repeat)
    wall_1, cpu_1 = best(lambda: kernel(coef, False), args.repeat)
    wall_cool, cpu_cool = best(lambda: kernel(coef, True, False, arrays_cool), args.repeat)
    wall_wrap, _ = best(lambda: simulate_hourly(frame, climate, params, return_hourly=False,
                                                setback="night"), 1)
    small = np.ascontiguousarray(coef[:, : args.n_hourly])
    wall_out, _ = best(lambda: kernel(small, True, True), args.repeat)

    ref_frame = frame.iloc[: args.n_reference]
    w0, c0 = time.perf_counter(), time.process_time()
    ref = simulate_hourly_reference(ref_frame, climate, params, setback="night")
    wall_ref, cpu_ref = time.perf_counter() - w0, time.process_time() - c0
    fast = simulate_hourly(ref_frame, climate, params, return_hourly=False, setback="night")
    max_rel = float(np.max(np.abs(fast.annual_heating_kwh - ref.annual_heating_kwh)
                           / np.maximum(ref.annual_heating_kwh, 1e-3)))

    rate_all = dh / wall_all
    rate_1 = dh / wall_1
    rate_ref = args.n_reference * n_h / wall_ref
    result: dict[str, object] = {
        "n_dwellings": args.n,
        "hours": n_h,
        "warmup_h": warm,
        "climate": climate_name,
        "threads": threads,
        "dwelling_hours_per_s_all": rate_all,
        "dwelling_hours_per_s_1thread": rate_1,
        "ns_per_dwelling_hour_all_wall": 1e9 / rate_all,
        "ns_cpu_per_dwelling_hour_all": 1e9 * cpu_all / dh,
        "ns_cpu_per_dwelling_hour_1thread": 1e9 * cpu_1 / dh,
        "dwelling_hours_per_cpu_s": dh / cpu_all,
        "dwelling_hours_per_s_all_with_cooling": dh / wall_cool,
        "ns_cpu_per_dwelling_hour_all_with_cooling": 1e9 * cpu_cool / dh,
        "dwelling_hours_per_s_wrapper": dh / wall_wrap,
        "dwelling_hours_per_s_hourly_output": args.n_hourly * n_h / wall_out,
        "n_reference": args.n_reference,
        "dwelling_hours_per_s_numpy": rate_ref,
        "numpy_cpu_s": cpu_ref,
        "speedup_vs_numpy": rate_all / rate_ref,
        "speedup_vs_numpy_1thread": rate_1 / rate_ref,
        "reference_max_rel_diff_annual_heating": max_rel,
        "flanders_3_3m_dwellings_year_s": 3.3e6 * n_h / rate_all,
        "load_avg_1min_before": load_before[0],
        "load_avg_1min_after": os.getloadavg()[0],
        "cpu_count": os.cpu_count(),
    }
    if cuda_available():
        from wijkreno.simulate import _hourly_cuda  # benchmark of the private GPU kernel

        _hourly_cuda.run_cuda(coef[:, :1000].copy(), arrays, theta0, warm, return_hourly=False)
        wall_gpu, _ = best(lambda: _hourly_cuda.run_cuda(coef, arrays, theta0, warm,
                                                         return_hourly=False), args.repeat)
        result["dwelling_hours_per_s_cuda"] = dh / wall_gpu
    else:
        result["dwelling_hours_per_s_cuda"] = None
        result["cuda"] = "no CUDA GPU (numba.cuda.is_available() is False)"
    for key, value in result.items():
        if isinstance(value, float):
            print(f"{key:45s} {value:.4g}")
        else:
            print(f"{key:45s} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
