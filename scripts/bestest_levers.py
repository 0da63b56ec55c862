"""Measure how each modelling choice of the 5R1C engine moves the four ASHRAE 140 cases.

A diagnostic, not part of the engine: it re-implements one hour of the network of
EN ISO 13790 Annex C (``wijkreno.simulate.hourly.network_step``, eq. C.1-C.11) with the
choices below exposed, runs cases 600, 900, 600FF and 900FF on the Denver TMY3 weather, and
prints every compared figure against the published reference-program range (ASHRAE 140-2020
Annex B8, ``bestest.toml``). The last column is the engine itself (``simulate_hourly`` with
``bestest_params``); it must equal the variant that matches the packaged parameters (the
case's 40 % convective split and the weather-file sky), which checks this re-implementation.

Choices (each measured alone against the baseline, then combined):

* ``f_int_c``: convective share of the internal gains, to the air node (ISO 13790 eq. C.1:
  0.5; ASHRAE 140 case 600: 40 % convective, 60 % radiative);
* ``f_sol_c``: share of the window-transmitted solar gain put on the air node instead of the
  surface/mass split of eq. C.2-C.3 (ISO 13790: 0);
* ``sky``: the temperature difference to the sky in eq. (46): ``"constant"`` (ISO 13790
  section 11.4.6: 11 K) or ``"weather"`` (hourly, from the weather file's horizontal infrared
  radiation, theta_sky = (IR / sigma)^(1/4) - 273.15);
* ``control``: the temperature the ideal heater/cooler holds at the set-point: ``"air"``
  (ISO 13790 C.4.2 and ASHRAE 140 case 600's thermostat), ``"op_13790"`` (eq. C.12,
  0.3 theta_air + 0.7 theta_s), ``"op_52016"`` (EN ISO 52016-1, the mean of air and mean
  radiant temperature, here 0.5 theta_air + 0.5 theta_s).

Usage::

    WIJKRENO_SHARED_DATA=../shared/data python scripts/bestest_levers.py

Last line: one JSON object with every variant's figures.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

from wijkreno.io.epw import read_epw
from wijkreno.simulate.bestest import bestest_dwelling, bestest_params, load_bestest_spec
from wijkreno.simulate.hourly import (
    build_network,
    build_schedules,
    hourly_climate_from_epw,
    simulate_hourly,
)

VARIANTS: dict[str, dict] = {
    "baseline (ISO 13790 as shipped before)": {},
    "f_int_c = 0.4 (ASHRAE 140 40 % convective)": {"f_int_c": 0.4},
    "sky from the EPW infrared": {"sky": "weather"},
    "10 % of window solar to the air": {"f_sol_c": 0.1},
    "control on theta_op (13790 C.12)": {"control": "op_13790"},
    "control on theta_op (52016-1, 0.5/0.5)": {"control": "op_52016"},
    "f_int_c 0.4 + EPW sky": {"f_int_c": 0.4, "sky": "weather"},
}


def run_case(net, climate, sched, irr, sky_dt, *, f_int_c=0.5, f_sol_c=0.0, sky="constant",
             control="air", delta_theta_er_k=11.0, warmup=720, theta0=20.0):
    """One dwelling, hour by hour: (heat_w, cool_w, theta_air) arrays of the recorded hours."""
    h_ve, h_is, h_w = net.h_ve_w_per_k[0], net.h_tr_is_w_per_k[0], net.h_tr_w_w_per_k[0]
    h_ms, h_em = net.h_tr_ms_w_per_k[0], net.h_tr_em_w_per_k[0]
    a_m, a_t, a_f = net.a_m_m2[0], net.a_t_m2[0], net.floor_area_m2[0]
    ap = net.aperture_m2[:, 0]
    phi_r_per_k = net.phi_r_w_per_k[0]  # R_se h_r sum F_r U A [W/K] (eq. 46)
    cm = net.c_m_j_per_k[0] / 3600.0
    h_1 = 1.0 / (1.0 / h_ve + 1.0 / h_is)
    h_2 = h_1 + h_w
    h_3 = 1.0 / (1.0 / h_2 + 1.0 / h_ms)
    w_air = {"air": 1.0, "op_13790": 0.3, "op_52016": 0.5}[control]

    def step(tm_prev, te, sol_win, sol_rest, pint, phc):
        phi_ia = f_int_c * pint + f_sol_c * sol_win
        share = (1.0 - f_int_c) * pint + (1.0 - f_sol_c) * sol_win + sol_rest
        phi_m = a_m / a_t * share
        phi_st = (1.0 - a_m / a_t - h_w / (9.1 * a_t)) * share
        air = h_1 * te + (phi_ia + phc) * h_is / (h_ve + h_is)
        phi_mtot = phi_m + h_em * te + h_3 * (phi_st + h_w * te + air) / h_2
        tm = (tm_prev * (cm - 0.5 * (h_3 + h_em)) + phi_mtot) / (cm + 0.5 * (h_3 + h_em))
        th_m = 0.5 * (tm + tm_prev)
        ts = (h_ms * th_m + phi_st + h_w * te + air) / (h_ms + h_w + h_1)
        ta = (h_is * ts + h_ve * te + phi_ia + phc) / (h_is + h_ve)
        return tm, ta, w_air * ta + (1.0 - w_air) * ts

    n_h = climate.n_hours
    te_all = climate.temp_out_degc
    heat, cool, temp = np.zeros(n_h), np.zeros(n_h), np.zeros(n_h)
    tm = theta0
    order = list(range(n_h - warmup, n_h)) + list(range(n_h))
    for k, t in enumerate(order):
        te = te_all[t]
        dt_er = sky_dt[t] if sky == "weather" else delta_theta_er_k
        sol_win = float(ap[:4] @ irr[:4, t])
        sol_rest = float(ap[4:] @ irr[4:, t]) - phi_r_per_k * dt_er
        pint = sched.phi_int_w_per_m2[t] * a_f
        _, ta0, tc0 = step(tm, te, sol_win, sol_rest, pint, 0.0)
        set_h, set_c = sched.set_heating_degc[t], sched.set_cooling_degc[t]
        target = set_h if tc0 < set_h else (set_c if tc0 > set_c else tc0)
        phc = 0.0
        if target != tc0:
            _, _, tc10 = step(tm, te, sol_win, sol_rest, pint, 10.0 * a_f)
            phc = 10.0 * a_f * (target - tc0) / (tc10 - tc0)
        tm, ta, _ = step(tm, te, sol_win, sol_rest, pint, phc)
        if k >= warmup:
            heat[t], cool[t], temp[t] = max(phc, 0.0), max(-phc, 0.0), ta
    return heat, cool, temp


def figures(heat, cool, temp, ff):
    if ff:
        return {"min_temp_degc": temp.min(), "max_temp_degc": temp.max(),
                "mean_temp_degc": temp.mean()}
    return {"annual_heating_mwh": heat.sum() / 1e6, "annual_cooling_mwh": cool.sum() / 1e6,
            "peak_heating_kw": heat.max() / 1e3, "peak_cooling_kw": cool.max() / 1e3}


def main() -> int:
    shared = Path(os.environ.get("WIJKRENO_SHARED_DATA", "../shared/data"))
    epw = shared / "bestest" / "725650TYCST.epw"
    spec = load_bestest_spec()
    params = bestest_params(spec)
    frame, meta = read_epw(epw)
    climate = hourly_climate_from_epw((frame, meta), hourly_params=params)
    sky_dt = climate.temp_out_degc - climate.sky_temp_degc  # from the EPW's infrared
    irr = climate.engine_irradiance()
    op = spec["operation"]
    results: dict[str, dict] = {}
    for name, kw in VARIANTS.items():
        results[name] = {}
        for case in ("600", "900", "600FF", "900FF"):
            ff = case.endswith("FF")
            d = bestest_dwelling(case, spec)
            net = build_network(d, params)
            sched = build_schedules(climate, params, heating_setpoint_degc=op[
                "heating_setpoint_degc"], cooling_setpoint_degc=None if ff else op[
                "cooling_setpoint_degc"], setback=None, free_float=ff)
            h, c, t = run_case(net, climate, sched, irr, sky_dt,
                               delta_theta_er_k=params.delta_theta_er_k,
                               warmup=params.warmup_h, **kw)
            results[name][case] = figures(h, c, t, ff)
    # the engine itself, for the first variant's check
    engine = {}
    for case in ("600", "900", "600FF", "900FF"):
        ff = case.endswith("FF")
        r = simulate_hourly(bestest_dwelling(case, spec), climate, params,
                            heating_setpoint_degc=op["heating_setpoint_degc"],
                            cooling_setpoint_degc=None if ff else op["cooling_setpoint_degc"],
                            free_float=ff)
        engine[case] = figures(r.heating_w[0], r.cooling_w[0], r.indoor_temp_degc[0], ff)
    results["engine (simulate_hourly, packaged parameters)"] = engine
    night = climate.time.month.isin([10, 11, 12, 1, 2, 3, 4]) & (climate.time.hour < 6)
    print(f"Delta theta_er from the EPW: mean {sky_dt.mean():.1f} K, heating-season (Oct-Apr) "
          f"nights {sky_dt[night].mean():.1f} K")
    ref = spec["reference"]
    quantities = [(c, q) for c in ("600", "900", "600FF", "900FF") for q in ref[c]
                  if q != "source"]
    names = list(results)
    print("| case | quantity | min | max | " + " | ".join(f"({i})" for i in range(len(names)))
          + " |")
    for c, q in quantities:
        lo, hi = ref[c][q]
        cells = []
        for n in names:
            v = results[n][c][q]
            mark = "" if lo <= v <= hi else "*"
            cells.append(f"{v:.3f}{mark}")
        print(f"| {c} | {q} | {lo} | {hi} | " + " | ".join(cells) + " |")
    for i, n in enumerate(names):
        k = sum(ref[c][q][0] <= results[n][c][q] <= ref[c][q][1] for c, q in quantities)
        print(f"({i}) {n}: in range {k} of {len(quantities)}")
    print(json.dumps({n: {c: {q: round(float(v), 4) for q, v in f.items()}
                          for c, f in r.items()} for n, r in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
