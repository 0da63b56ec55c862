"""GPU path of the hourly engine: the numba.cuda kernel equals the CPU kernel.

Without a GPU the kernel still runs, for real, under numba's CUDA simulator in a subprocess
(the simulator must be switched on before numba is imported); the test on a real GPU skips
with a reason when there is none.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.simulate.test_hourly import dwellings, synthetic_climate
from wijkreno.simulate.hourly import cuda_available, load_hourly_params, simulate_hourly

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = textwrap.dedent(
    """
    import json
    import numpy as np
    from numba import config
    assert config.ENABLE_CUDASIM, "the CUDA simulator is not on"
    from tests.simulate.test_hourly import dwellings, synthetic_climate
    from wijkreno.simulate.hourly import load_hourly_params, simulate_hourly

    # a cold spell, then a hot one: heating and cooling hours both
    climate = synthetic_climate(120, seed=4, temp=np.r_[np.full(60, 0.0), np.full(60, 28.0)])
    d = dwellings(6, seed=5)
    params = load_hourly_params(overrides={"warmup_h": 24})
    out = {}
    sky_climate = synthetic_climate(120, seed=4, sky=True,
                                    temp=np.r_[np.full(60, 0.0), np.full(60, 28.0)])
    sky_params = params.with_overrides({"sky_temperature_model": "weather",
                                        "internal_gain_convective_frac": 0.4})
    for name, kw in {"heat_cool_setback": {"cooling_setpoint_degc": 24.0, "setback": "night"},
                     "free_float": {"free_float": True},
                     "weather_sky": {"cooling_setpoint_degc": 24.0}}.items():
        if name == "weather_sky":
            climate, params = sky_climate, sky_params
        cpu = simulate_hourly(d, climate, params, backend="cpu", **kw)
        gpu = simulate_hourly(d, climate, params, backend="cuda", **kw)
        lean = simulate_hourly(d, climate, params, backend="cuda", return_hourly=False, **kw)
        def rel(a, b, floor):
            return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))
        out[name] = {
            "backend": gpu.backend,
            "heating_w": rel(gpu.heating_w, cpu.heating_w, 1.0),
            "cooling_w": rel(gpu.cooling_w, cpu.cooling_w, 1.0),
            "indoor_temp_degc": rel(gpu.indoor_temp_degc, cpu.indoor_temp_degc, 1.0),
            "annual_heating_kwh": rel(gpu.annual_heating_kwh, cpu.annual_heating_kwh, 1e-3),
            "annual_cooling_kwh": rel(gpu.annual_cooling_kwh, cpu.annual_cooling_kwh, 1e-3),
            "peak_heating_w": rel(gpu.peak_heating_w, cpu.peak_heating_w, 1.0),
            "mean_temp_degc": rel(gpu.mean_temp_degc, cpu.mean_temp_degc, 1.0),
            "lean_annual": rel(lean.annual_heating_kwh, cpu.annual_heating_kwh, 1e-3),
            "same_peak_hours": bool(np.array_equal(gpu.peak_heating_hour, cpu.peak_heating_hour)),
            "hourly_shape": list(gpu.heating_w.shape),
            "cooling_hours": int((cpu.cooling_w > 0).sum()),
            "heating_hours": int((cpu.heating_w > 0).sum()),
        }
    print("RESULT " + json.dumps(out))
    """
)


def test_cuda_kernel_equals_cpu_kernel_under_the_cuda_simulator():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line[len("RESULT "):])
    for mode, r in out.items():
        assert r["backend"] == "cuda", mode
        assert r["hourly_shape"] == [6, 120]
        assert r["same_peak_hours"], mode
        if mode != "free_float":  # the comparison covers heating and cooling hours
            assert r["cooling_hours"] > 20 and r["heating_hours"] > 20, r
        for key, value in r.items():
            if isinstance(value, float):
                assert value < 1e-6, (mode, key, value)


@pytest.mark.skipif(not cuda_available(), reason="no CUDA GPU here (numba.cuda.is_available() "
                    "is False); the simulator test covers the kernel")
def test_cuda_kernel_equals_cpu_kernel_on_a_real_gpu():
    climate = synthetic_climate(24 * 30, seed=2)
    d = dwellings(3000, seed=3)
    params = load_hourly_params(overrides={"warmup_h": 72})
    kw = {"cooling_setpoint_degc": 25.0, "setback": "night"}
    cpu = simulate_hourly(d, climate, params, backend="cpu", **kw)
    gpu = simulate_hourly(d, climate, params, backend="cuda", **kw)
    auto = simulate_hourly(d, climate, params, backend="auto", return_hourly=False, **kw)
    assert gpu.backend == "cuda" and auto.backend == "cuda"
    for a, b in ((gpu.heating_w, cpu.heating_w), (gpu.cooling_w, cpu.cooling_w),
                 (gpu.indoor_temp_degc, cpu.indoor_temp_degc)):
        assert np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)) < 1e-6
    np.testing.assert_allclose(auto.annual_heating_kwh, cpu.annual_heating_kwh, rtol=1e-6)
