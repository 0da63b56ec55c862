"""ASHRAE Standard 140 cases 600, 900, 600FF and 900FF through the hourly 5R1C engine.

The case inputs and the published reference ranges are in ``wijkreno/params/bestest.toml``;
docs/bestest.md explains how each input maps onto the network and what the method cannot
represent. Pure functions: the CLI (``wijkreno validate bestest``) reads the weather file and
writes the outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.bestest import load_bestest_spec as _load_model
from wijkreno.simulate.heat_balance import INPUT_COLUMNS, load_heat_balance_params
from wijkreno.simulate.hourly import (
    HourlyClimate,
    HourlyParams,
    load_hourly_params,
    monthly_sums_kwh,
    simulate_hourly,
)

CASES: tuple[str, ...] = ("600", "900", "600FF", "900FF")

RESULT_COLUMNS: tuple[str, ...] = (
    "case", "annual_heating_mwh", "annual_cooling_mwh", "peak_heating_kw", "peak_heating_hour",
    "peak_cooling_kw", "peak_cooling_hour", "min_temp_degc", "max_temp_degc", "mean_temp_degc",
)
"""Leading columns of :func:`run_bestest` (monthly loads and range checks follow)."""

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def load_bestest_spec(path: str | Path | None = None) -> dict[str, Any]:
    """``bestest.toml`` validated by its model (:class:`~wijkreno.params.models.bestest.
    BestestSpec`), as a plain mapping without the absent optional entries."""
    return _load_model(path).model_dump(exclude_none=True)


def _case(spec: Mapping[str, Any], name: str) -> dict[str, Any]:
    cases = spec["cases"]
    if name not in cases:
        raise InputError(f"unknown BESTEST case {name!r}; known: {sorted(cases)}.")
    case = dict(cases[name])
    if "base" in case:
        case = {**cases[case["base"]], **case}
    return case


def layer_capacity_j_per_m2k(
    layers: list[list[float]], max_depth_m: float, insulating_lambda_w_per_mk: float
) -> float:
    """Internal heat capacity per area of one element, inside layers first [J m-2 K-1].

    ISO 13790 section 12.3.1.2 / ISO 13786 Annex A: sum of rho c d over the layers from the
    inside up to the first insulating layer or ``max_depth_m``, whichever comes first.

    Parameters
    ----------
    layers : list of [thickness_m, lambda_w_per_mk, rho_kg_per_m3, c_j_per_kgk]
        Inside to outside.
    """
    kappa, depth = 0.0, 0.0
    for d, lam, rho, c in layers:
        if lam <= insulating_lambda_w_per_mk:
            break
        take = min(d, max_depth_m - depth)
        kappa += rho * c * take
        depth += take
        if depth >= max_depth_m:
            break
    return kappa


def bestest_dwelling(case: str, spec: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One-row dwelling frame of a BESTEST case with the engine's input columns.

    Effective capacity and mass area from the layers (:func:`layer_capacity_j_per_m2k`,
    ISO 13790 eq. 65), the internal surface area of the zone, the floor as an element to
    outdoor air (adjustment factor 1 is set in :func:`bestest_params`).
    """
    spec = spec or load_bestest_spec()
    c = _case(spec, case)
    g, w, rule = spec["geometry"], spec["window"], spec["mass_rule"]
    row: dict[str, Any] = dict.fromkeys(INPUT_COLUMNS, 0.0)
    row.update(
        heated_floor_area_m2=g["floor_area_m2"], volume_m3=g["volume_m3"],
        roof_area_m2=g["roof_area_m2"], ground_floor_area_m2=g["floor_area_m2"],
        wall_area_n_m2=g["wall_area_n_m2"], wall_area_e_m2=g["wall_area_e_m2"],
        wall_area_s_m2=g["wall_area_s_m2"], wall_area_w_m2=g["wall_area_w_m2"],
        window_area_s_m2=g["window_area_s_m2"],
        u_roof_w_per_m2k=c["u_roof_w_per_m2k"], u_wall_w_per_m2k=c["u_wall_w_per_m2k"],
        u_floor_w_per_m2k=c["u_floor_w_per_m2k"], u_window_w_per_m2k=w["u_w_per_m2k"],
        g_window_frac=w["g_frac"], infiltration_ach=spec["operation"]["infiltration_ach"],
        party_wall_b_frac=0.0,
    )
    walls = sum(g[f"wall_area_{o}_m2"] for o in "nesw")
    areas = {"wall": walls, "roof": g["roof_area_m2"], "floor": g["floor_area_m2"]}
    kappa = {
        k: layer_capacity_j_per_m2k(c[f"{k}_layers"], rule["max_depth_m"],
                                    rule["insulating_lambda_w_per_mk"])
        for k in areas
    }
    c_m = sum(areas[k] * kappa[k] for k in areas)
    a_m = c_m**2 / sum(areas[k] * kappa[k] ** 2 for k in areas)  # ISO 13790 eq. (65)
    row["thermal_capacity_j_per_k"] = c_m
    row["effective_mass_area_m2"] = a_m
    row["internal_surface_area_m2"] = g["internal_surface_area_m2"]
    return pd.DataFrame([row], index=pd.Index([case], name="case"))


def bestest_params(spec: Mapping[str, Any] | None = None) -> HourlyParams:
    """The hourly parameters with the BESTEST boundary conditions.

    Constant internal gains (flat profile at 200 W / 48 m2) of which the case's convective
    share goes to the air node (40 %, instead of eq. C.1's 50 %), no user air change
    (infiltration only) with altitude-corrected rho c, windows without frame or shading, the
    floor to outdoor air (b = 1), R_se of h_e = 29.3 W/(m2 K), absorptance 0.6, and the sky
    temperature of the weather file (``sky_temperature_model = "weather"``: the case's
    boundary condition is the weather file, whose horizontal infrared radiation the reference
    programs read).
    """
    spec = spec or load_bestest_spec()
    g, op, w = spec["geometry"], spec["operation"], spec["window"]
    # the 'tabula' convention ventilates the volume as given: ASHRAE 140's 8 x 6 x 2.7 m
    balance = load_heat_balance_params(overrides={
        "convention": "tabula",
        "rho_c_air_wh_per_m3k": spec["site"]["rho_c_air_wh_per_m3k"],
        "n_air_use_ach": 0.0,
        "phi_int_w_per_m2": op["internal_gains_w"] / g["floor_area_m2"],
        "f_sh_vert_frac": w["shading_frac"],
        "f_frame_frac": w["frame_frac"],
        "b_floor_ground_frac": 1.0,
        "b_roof_frac": 1.0,
    })
    return load_hourly_params(balance=balance, overrides={
        "internal_gain_profile_frac": (1.0,) * 24,
        "internal_gain_convective_frac": 1.0 - op["internal_gains_radiative_frac"],
        "sky_temperature_model": spec["site"]["sky_temperature_model"],
        "opaque_absorptance_frac": spec["opaque"]["absorptance_frac"],
        "r_se_m2k_per_w": spec["opaque"]["r_se_m2k_per_w"],
    })


def _hour_label(time: pd.DatetimeIndex, k: int) -> str:
    """The standard's 'Mon DD-HH' stamp: hour ENDING at HH, local standard time (1..24)."""
    if k < 0:
        return ""
    start = time[k]
    return f"{start.strftime('%b')} {start.day:02d}-{start.hour + 1:02d}"


def run_bestest(
    climate: HourlyClimate,
    cases: tuple[str, ...] = CASES,
    spec: Mapping[str, Any] | None = None,
    params: HourlyParams | None = None,
) -> pd.DataFrame:
    """Run the cases and compare with the published ranges.

    Parameters
    ----------
    climate : HourlyClimate
        Built from ``725650TYCST.epw`` (:func:`~wijkreno.simulate.hourly.hourly_climate_from_epw`).
    cases : tuple of str
        Subset of :data:`CASES`.
    spec : mapping, optional
        Parsed ``bestest.toml``; the packaged file when None.
    params : HourlyParams, optional
        :func:`bestest_params` when None.

    Returns
    -------
    pandas.DataFrame
        One row per case: :data:`RESULT_COLUMNS` (peaks' hours as the standard's
        'Mon DD-HH' hour-ending stamps, temperatures only for the FF cases), then
        ``peak_heating_hour_index`` / ``peak_cooling_hour_index`` (0-based hour of the year),
        ``heating_<mon>_kwh`` / ``cooling_<mon>_kwh`` and, per compared quantity,
        ``<quantity>_ref_min``, ``<quantity>_ref_max``, ``<quantity>_in_range`` and how far
        outside the range it lies (:func:`distance_outside`): ``<quantity>_outside_frac``
        for energies and powers, ``<quantity>_outside_k`` for temperatures.
    """
    spec = spec or load_bestest_spec()
    params = params or bestest_params(spec)
    op = spec["operation"]
    rows = []
    for name in cases:
        c = _case(spec, name)
        d = bestest_dwelling(name, spec)
        ff = bool(c.get("free_float", False))
        r = simulate_hourly(
            d, climate, params, heating_setpoint_degc=op["heating_setpoint_degc"],
            cooling_setpoint_degc=None if ff else op["cooling_setpoint_degc"],
            free_float=ff, return_hourly=True,
        )
        if not r.valid[0]:
            raise InputError(f"BESTEST case {name} was rejected by the engine: {r.invalid_counts}")
        row: dict[str, Any] = {"case": name}
        if ff:
            row.update(annual_heating_mwh=np.nan, annual_cooling_mwh=np.nan,
                       peak_heating_kw=np.nan, peak_heating_hour="",
                       peak_cooling_kw=np.nan, peak_cooling_hour="",
                       min_temp_degc=float(r.min_temp_degc[0]),
                       max_temp_degc=float(r.max_temp_degc[0]),
                       mean_temp_degc=float(r.mean_temp_degc[0]))
        else:
            row.update(
                annual_heating_mwh=float(r.annual_heating_kwh[0]) / 1000.0,
                annual_cooling_mwh=float(r.annual_cooling_kwh[0]) / 1000.0,
                peak_heating_kw=float(r.peak_heating_w[0]) / 1000.0,
                peak_heating_hour=_hour_label(r.time, int(r.peak_heating_hour[0])),
                peak_cooling_kw=float(r.peak_cooling_w[0]) / 1000.0,
                peak_cooling_hour=_hour_label(r.time, int(r.peak_cooling_hour[0])),
                min_temp_degc=np.nan, max_temp_degc=np.nan, mean_temp_degc=np.nan,
            )
        row["peak_heating_hour_index"] = -1 if ff else int(r.peak_heating_hour[0])
        row["peak_cooling_hour_index"] = -1 if ff else int(r.peak_cooling_hour[0])
        assert r.heating_w is not None and r.cooling_w is not None
        heat_m = monthly_sums_kwh(np.asarray(r.heating_w), r.time)[0]
        cool_m = monthly_sums_kwh(np.asarray(r.cooling_w), r.time)[0]
        for m, mon in enumerate(_MONTHS):
            row[f"heating_{mon}_kwh"] = np.nan if ff else heat_m[m]
        for m, mon in enumerate(_MONTHS):
            row[f"cooling_{mon}_kwh"] = np.nan if ff else cool_m[m]
        for q, bounds in spec["reference"][name].items():
            if q == "source":
                continue
            lo, hi = bounds
            v = row[q]
            row[f"{q}_ref_min"] = lo
            row[f"{q}_ref_max"] = hi
            row[f"{q}_in_range"] = bool(lo <= v <= hi)
            row[f"{q}_{_outside_suffix(q)}"] = distance_outside(q, v, lo, hi)
        rows.append(row)
    return pd.DataFrame(rows)


def _outside_suffix(quantity: str) -> str:
    return "outside_k" if quantity.endswith("_degc") else "outside_frac"


def distance_outside(quantity: str, value: float, lo: float, hi: float) -> float:
    """How far ``value`` lies outside the published range [lo, hi]; 0 inside.

    Energies (``_mwh``) and powers (``_kw``): relative to the bound it crosses,
    (value - hi) / hi above, (value - lo) / lo below [-]. Temperatures (``_degc``): in kelvin,
    value - hi above, value - lo below (a ratio of Celsius temperatures means nothing).
    Positive above the range, negative below.
    """
    if lo <= value <= hi:
        return 0.0
    bound = hi if value > hi else lo
    if quantity.endswith("_degc"):
        return float(value - bound)
    return float((value - bound) / abs(bound))


def range_check(table: pd.DataFrame, spec: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One row per compared figure of :func:`run_bestest`'s table against its published range.

    Returns
    -------
    pandas.DataFrame
        ``case``, ``quantity``, ``value``, ``ref_min``, ``ref_max``, ``in_range``,
        ``outside`` (:func:`distance_outside`), ``outside_unit`` ("frac" or "K"), ``hour``
        (the peak's 'Mon DD-HH' stamp, else ""), ``known_limitation`` (the reason recorded
        in ``bestest.toml [limitations]`` for a figure known to lie outside, else "") and
        ``known_max_outside`` (how far outside it may lie, else NaN).
    """
    spec = spec or load_bestest_spec()
    known = spec.get("limitations", {})
    rows = []
    for _, row in table.iterrows():
        for col in table.columns:
            if not col.endswith("_in_range") or pd.isna(row[col]):
                continue
            q = col[: -len("_in_range")]
            suffix = _outside_suffix(q)
            hour = row.get(q.replace("_kw", "_hour"), "") if q.startswith("peak_") else ""
            rows.append({
                "case": row["case"], "quantity": q, "value": float(row[q]),
                "ref_min": float(row[f"{q}_ref_min"]), "ref_max": float(row[f"{q}_ref_max"]),
                "in_range": bool(row[col]), "outside": float(row[f"{q}_{suffix}"]),
                "outside_unit": "K" if suffix == "outside_k" else "frac",
                "hour": hour if isinstance(hour, str) else "",
                "known_limitation": known.get(f"{row['case']}.{q}", {}).get("source", ""),
                "known_max_outside": known.get(f"{row['case']}.{q}", {}).get(
                    "max_outside", np.nan),
            })
    return pd.DataFrame(rows)


def in_range_headline(check: pd.DataFrame) -> str:
    """'in range: k of n' over the rows of :func:`range_check`."""
    return f"in range: {int(check['in_range'].sum())} of {len(check)}"


def _outside_text(r: Mapping[str, Any]) -> str:
    if r["in_range"]:
        return ""
    if r["outside_unit"] == "K":
        return f"{r['outside']:+.2f} K"
    return f"{100 * r['outside']:+.1f} %"


def bestest_markdown(table: pd.DataFrame, spec: Mapping[str, Any] | None = None) -> str:
    """Markdown: the 'in range: k of n' headline, each compared figure with the published
    range, and how far outside it lies; then the documented reason of each figure outside."""
    check = range_check(table, spec)
    lines = [f"**{in_range_headline(check)}** (ANSI/ASHRAE 140-2020 Annex B8 reference-program "
             "min-max; no tolerance)", "",
             "| case | quantity | wijkreno 5R1C | reference min | reference max | in range | "
             "outside by |",
             "|---|---|---:|---:|---:|:---:|---:|"]
    for _, r in check.iterrows():
        hour = f" ({r['hour']})" if r["hour"] else ""
        lines.append(
            f"| {r['case']} | {r['quantity']} | {r['value']:.3f}{hour} | {r['ref_min']:.3f} | "
            f"{r['ref_max']:.3f} | {'yes' if r['in_range'] else 'no'} | {_outside_text(r)} |"
        )
    out = check[~check["in_range"]]
    if len(out):
        lines += ["", "Outside the range (known limitations of the 5R1C method, "
                  "docs/hourly.md):", ""]
        for _, r in out.iterrows():
            why = r["known_limitation"] or "NOT A DOCUMENTED LIMITATION"
            lines.append(f"* {r['case']} {r['quantity']} ({_outside_text(r)}): {why}")
    return "\n".join(lines) + "\n"
