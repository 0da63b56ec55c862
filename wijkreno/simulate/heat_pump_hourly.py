"""Heat-pump electricity per hour: COP, capacity limit, back-up heater and hot water.

Takes the hourly heat a dwelling needs (space heating from the hourly engine,
:func:`wijkreno.simulate.hourly.simulate_hourly`, hot water from the monthly engine's yearly
need spread by a daily tapping profile) and returns the electricity its heat pump draws each
hour. Per dwelling ``i`` and hour ``t`` (parameters in ``wijkreno/params/heat_pump_hourly.toml``):

* flow temperature of the emitters (heating curve, EN 442 radiator law inverted)
  ``theta_flow = theta_room + (theta_flow,des - theta_room) x^(1/n)``,
  ``x = clip((theta_room - theta_e) / (theta_room - theta_design), 0, 1)``, at least
  ``min_flow``;
* COP from the temperature lift ``dT = T_sink - T_source`` (:func:`cop_regression`, Staffell et
  al. 2012, or :func:`cop_carnot`), times a field correction and, for air-source units, a
  defrost penalty around 0-7 degC (:func:`defrost_factor`), clipped to ``[cop_min, cop_max]``;
  the source is the outdoor air (air-water, hybrid) or the brine (ground);
* capacity ``Q_max = sizing x max(design load, min) x (1 + s (theta_e - theta_design))``
  (:func:`heat_pump_capacity_w`);
* hot water first: ``Q_hp,dhw = min(Q_dhw, Q_max)``; space heat gets the rest,
  ``Q_hp,sh = min(Q_sh, Q_max - Q_hp,dhw)``; the shortfall ``Q_backup`` goes to the back-up
  heater: electric resistance at ``backup_efficiency`` for monovalent units, the gas boiler of a
  hybrid (no electricity);
* electricity ``E = Q_hp,sh / COP_sh + Q_hp,dhw / COP_dhw + E_backup`` [W].

Everything is vectorised over (dwellings, hours) with NumPy; the caller processes large stocks
in blocks of dwellings (memory ~ 8 bytes x dwellings x 8,760 per array).
:func:`residential_baseline_w` gives today's residential electricity per hour (an
after-diversity standard load profile scaled to the yearly use of a household).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.heat_pump_hourly import (
    COP_MODELS,
    SOURCES,
    HeatPumpHourlyParams,
    SourceCop,
    SyntheticWeatherParams,
    load_heat_pump_hourly_params,
)

HEAT_PUMP_SYSTEMS: dict[str, tuple[str, bool]] = {
    "heat_pump_air_water": ("air_water", False),
    "heat_pump_ground": ("ground", False),
    "hybrid_heat_pump": ("air_water", True),
}
"""Heating systems of :data:`wijkreno.twin.schema.HEATING_SYSTEMS` that hold a heat pump:
``name -> (source, hybrid)``. A hybrid's back-up is its gas boiler."""

# ---------------------------------------------------------------------------------------------
# COP


def cop_regression(delta_t_k: Any, c0: float, c1: float, c2: float) -> np.ndarray:
    """Manufacturer-style COP regression ``c0 + c1 dT + c2 dT^2`` [-] (Staffell et al. 2012).

    Parameters
    ----------
    delta_t_k : array-like
        Temperature lift ``T_sink - T_source`` [K].
    c0, c1, c2 : float
        Coefficients [-], [K-1], [K-2].
    """
    d = np.asarray(delta_t_k, dtype=np.float64)
    return c0 + d * (c1 + c2 * d)


def cop_carnot(t_sink_degc: Any, t_source_degc: Any, eta_carnot_frac: float) -> np.ndarray:
    """Carnot-fraction COP ``eta T_sink / (T_sink - T_source)`` [-] (temperatures in K inside).

    A lift at or below 1 K returns ``inf`` (the caller clips to ``cop_max``).
    """
    t_sink = np.asarray(t_sink_degc, dtype=np.float64) + 273.15
    lift = t_sink - (np.asarray(t_source_degc, dtype=np.float64) + 273.15)
    with np.errstate(divide="ignore"):
        return np.where(lift > 1.0, eta_carnot_frac * t_sink / np.maximum(lift, 1.0), np.inf)


def defrost_factor(theta_e_degc: Any, src: SourceCop) -> np.ndarray:
    """COP multiplier for defrosting: ``1 - penalty x triangle(theta_e)`` [-].

    The triangle is 0 at ``defrost_low_degc`` and ``defrost_high_degc`` and 1 at
    ``defrost_peak_degc``; 1 everywhere for a source without penalty (ground).
    """
    t = np.asarray(theta_e_degc, dtype=np.float64)
    lo, pk = src.defrost_low_degc.value, src.defrost_peak_degc.value
    hi = src.defrost_high_degc.value
    tri = np.where(t <= pk, (t - lo) / (pk - lo), (hi - t) / (hi - pk))
    return 1.0 - src.defrost_penalty_frac.value * np.clip(tri, 0.0, 1.0)


def heat_pump_cop(
    t_sink_degc: Any,
    theta_e_degc: Any,
    source: str = "air_water",
    *,
    model: str | None = None,
    params: HeatPumpHourlyParams | None = None,
) -> np.ndarray:
    """COP of a heat pump delivering heat at ``t_sink_degc`` while it is ``theta_e_degc`` outside.

    Parameters
    ----------
    t_sink_degc : array-like
        Sink (flow or hot-water) temperature [degC].
    theta_e_degc : array-like
        Outdoor air temperature [degC] (broadcast against ``t_sink_degc``); the source of an
        air-water unit, and what decides defrosting.
    source : {"air_water", "ground"}
        Heat source; ground units take ``ground_source_temperature_degc`` as source.
    model : {"regression", "carnot"}, optional
        The file's ``cop.model`` when None.
    params : HeatPumpHourlyParams, optional
        The packaged parameters when None.

    Returns
    -------
    numpy.ndarray
        COP [-] in ``[cop_min, cop_max]``, broadcast shape of the inputs.
    """
    p = params or load_heat_pump_hourly_params()
    if source not in SOURCES:
        raise InputError(f"source must be one of {list(SOURCES)}, got {source!r}")
    model = model or p.cop.model
    if model not in COP_MODELS:
        raise InputError(f"model must be one of {list(COP_MODELS)}, got {model!r}")
    src = p.cop.source(source)
    c = p.cop.common
    t_sink = np.asarray(t_sink_degc, dtype=np.float64)
    t_e = np.asarray(theta_e_degc, dtype=np.float64)
    t_src = t_e if source == "air_water" else np.full_like(
        t_e, c.ground_source_temperature_degc.value)
    if model == "regression":
        # the fit is valid for dT >= 15 K; smaller lifts are held at the fit's value at 15 K
        lift = np.maximum(t_sink - t_src, 15.0)
        raw = cop_regression(lift, src.c0.value, src.c1.value, src.c2.value)
    else:
        raw = cop_carnot(t_sink, t_src, src.eta_carnot_frac.value)
    cop = raw * c.field_correction_frac.value * defrost_factor(t_e, src)
    return np.clip(cop, c.cop_min.value, c.cop_max.value)


# ---------------------------------------------------------------------------------------------
# heating curve, capacity, hot-water profile


def flow_temperature_degc(
    theta_e_degc: Any, design_flow_degc: Any, *, params: HeatPumpHourlyParams | None = None
) -> np.ndarray:
    """Flow temperature of the emitters on a weather-compensated heating curve [degC].

    Parameters
    ----------
    theta_e_degc : array-like, shape (H,)
        Outdoor temperature [degC].
    design_flow_degc : array-like, shape (n,) or scalar
        Flow temperature at the design outdoor temperature [degC] (``emitter_temperature_degc``).

    Returns
    -------
    numpy.ndarray
        Shape (n, H) (or (H,) for a scalar design temperature).
    """
    p = params or load_heat_pump_hourly_params()
    hc = p.heating_curve
    room = hc.room_temperature_degc.value
    x = np.clip((room - np.asarray(theta_e_degc, dtype=np.float64))
                / (room - hc.design_outdoor_temperature_degc.value), 0.0, 1.0)
    des = np.asarray(design_flow_degc, dtype=np.float64)
    if des.ndim == 1:
        des = des[:, None]
    flow = room + (des - room) * x ** (1.0 / hc.radiator_exponent.value)
    return np.maximum(flow, hc.min_flow_temperature_degc.value)


def heat_pump_capacity_w(
    design_load_w: Any,
    theta_e_degc: Any,
    source: str = "air_water",
    *,
    hybrid: Any = False,
    params: HeatPumpHourlyParams | None = None,
) -> np.ndarray:
    """Heating capacity of a heat pump sized on the design load, at each outdoor temperature [W].

    Parameters
    ----------
    design_load_w : array-like, shape (n,)
        Design heat load [W] (``(H_tr + H_ve)(theta_int - theta_design)``,
        :func:`wijkreno.renovate.applicability.design_heat_load_kw` x 1000).
    theta_e_degc : array-like, shape (H,)
    source : {"air_water", "ground"}
    hybrid : bool or array of bool, shape (n,)
        Sized with ``sizing_frac_hybrid`` instead of ``sizing_frac_monovalent``.

    Returns
    -------
    numpy.ndarray, shape (n, H)
    """
    p = params or load_heat_pump_hourly_params()
    cap = p.capacity
    load = np.maximum(np.asarray(design_load_w, dtype=np.float64).reshape(-1),
                      cap.min_capacity_kw.value * 1000.0)
    sizing = np.where(np.asarray(hybrid, dtype=bool), cap.sizing_frac_hybrid.value,
                      cap.sizing_frac_monovalent.value)
    slope = p.cop.source(source).capacity_slope_per_k.value
    t = np.asarray(theta_e_degc, dtype=np.float64)
    rel = np.maximum(1.0 + slope * (t - p.heating_curve.design_outdoor_temperature_degc.value),
                     0.0)
    return (sizing * load)[:, None] * rel[None, :]


def dhw_day_profile_frac(params: HeatPumpHourlyParams | None = None) -> np.ndarray:
    """Share of the day's hot-water heat in each clock hour 0..23 (sums to 1), lag applied."""
    p = params or load_heat_pump_hourly_params()
    v = np.asarray(p.dhw.tapping_profile_kwh.values, dtype=np.float64)
    return np.roll(v / v.sum(), int(p.dhw.reheat_lag_h.value))


def dhw_heat_w(
    dhw_need_kwh: Any, time: pd.DatetimeIndex, *, params: HeatPumpHourlyParams | None = None
) -> np.ndarray:
    """Hot-water heat to deliver into the tank each hour [W] (losses included).

    Parameters
    ----------
    dhw_need_kwh : array-like, shape (n,)
        Yearly hot-water need [kWh] (the monthly engine's ``dhw_need_kwh``, solar share removed).
    time : pandas.DatetimeIndex, shape (H,)
        Start of each hour (one value per hour).

    Returns
    -------
    numpy.ndarray, shape (n, H)
        ``need / storage_efficiency / days x profile(hour of day)`` in W (= Wh per hour); the
        sum over a whole number of days equals ``need / storage_efficiency`` x days / 365.
    """
    p = params or load_heat_pump_hourly_params()
    frac = dhw_day_profile_frac(p)[np.asarray(time.hour)]
    daily_kwh = np.asarray(dhw_need_kwh, dtype=np.float64).reshape(-1) / 365.0
    return (daily_kwh / p.dhw.storage_efficiency_frac.value * 1000.0)[:, None] * frac[None, :]


# ---------------------------------------------------------------------------------------------
# electricity


class HeatPumpHourly(NamedTuple):
    """Result of :func:`heat_pump_electricity`; arrays of shape (n, H) in W (= Wh per hour)."""

    electricity_w: np.ndarray
    """Total electricity of heating and hot water: heat pump plus electric back-up [W]."""
    heat_pump_heat_w: np.ndarray
    """Heat delivered by the heat pump (space heating and hot water) [W]."""
    heat_pump_electricity_w: np.ndarray
    """Electricity of the compressor [W]."""
    backup_heat_w: np.ndarray
    """Heat the back-up delivers where the heat pump's capacity falls short [W]."""
    backup_electricity_w: np.ndarray
    """Electricity of the back-up heater (0 for a hybrid's gas boiler) [W]."""


def heat_pump_electricity(
    space_heat_w: Any,
    dhw_heat_w_: Any,
    theta_e_degc: Any,
    *,
    design_flow_degc: Any,
    design_load_w: Any,
    source: Any = "air_water",
    hybrid: Any = False,
    params: HeatPumpHourlyParams | None = None,
    model: str | None = None,
) -> HeatPumpHourly:
    """Electricity a heat pump draws each hour for space heating and hot water (NumPy).

    The readable reference of the method; :func:`run_heat_pumps` is the same in a numba kernel
    (what :func:`wijkreno.aggregate.peaks.heat_pump_loads` uses), held equal by the tests.

    Parameters
    ----------
    space_heat_w : array-like, shape (n, H)
        Space heat to deliver at the generator [W] (the hourly need divided by the emission,
        distribution and control efficiencies).
    dhw_heat_w_ : array-like, shape (n, H)
        Hot-water heat into the tank [W] (:func:`dhw_heat_w`); zeros when the heat pump does
        not make the hot water.
    theta_e_degc : array-like, shape (H,)
        Outdoor temperature [degC].
    design_flow_degc : array-like, shape (n,)
        Flow temperature of the emitters at the design outdoor temperature [degC].
    design_load_w : array-like, shape (n,)
        Design heat load the heat pump is sized on [W].
    source : str or array of str, shape (n,)
        ``"air_water"`` or ``"ground"`` per dwelling.
    hybrid : bool or array of bool, shape (n,)
        Hybrid heat pump (sized smaller; back-up is the gas boiler, no electricity).
    params : HeatPumpHourlyParams, optional
    model : {"regression", "carnot"}, optional

    Returns
    -------
    HeatPumpHourly
        Energy is conserved: ``heat_pump_heat = sum over the two uses of E_hp,use x COP_use``
        and ``heat_pump_heat + backup_heat = space_heat + dhw_heat``.

    Raises
    ------
    InputError
        On shapes that do not fit, negative or non-finite heat.
    """
    p = params or load_heat_pump_hourly_params()
    sh, dhw, t_e, des, load, src, hyb = _checked(space_heat_w, dhw_heat_w_, theta_e_degc,
                                                 design_flow_degc, design_load_w, source, hybrid)
    flow = flow_temperature_degc(t_e, des, params=p)
    cop_sh = np.empty_like(sh)
    cop_dhw = np.empty_like(sh)
    q_max = np.empty_like(sh)
    t_dhw = p.dhw.temperature_degc.value
    for s in SOURCES:  # two sources: a loop over kinds, not over dwellings
        m = src == s
        if not m.any():
            continue
        cop_sh[m] = heat_pump_cop(flow[m], t_e[None, :], s, model=model, params=p)
        cop_dhw[m] = heat_pump_cop(np.full(t_e.shape, t_dhw), t_e, s, model=model,
                                   params=p)[None, :]
        q_max[m] = heat_pump_capacity_w(load[m], t_e, s, hybrid=hyb[m], params=p)
    hp_dhw = np.minimum(dhw, q_max)
    hp_sh = np.minimum(sh, q_max - hp_dhw)
    backup = (sh - hp_sh) + (dhw - hp_dhw)
    hp_el = hp_sh / cop_sh + hp_dhw / cop_dhw
    backup_el = np.where(hyb[:, None], 0.0, backup / p.capacity.backup_efficiency_frac.value)
    return HeatPumpHourly(
        electricity_w=hp_el + backup_el,
        heat_pump_heat_w=hp_sh + hp_dhw,
        heat_pump_electricity_w=hp_el,
        backup_heat_w=backup,
        backup_electricity_w=backup_el,
    )


class HeatPumpRun(NamedTuple):
    """Result of :func:`run_heat_pumps`: the hourly electricity and per-dwelling yearly sums."""

    electricity_w: np.ndarray
    """(n, H) electricity of heating and hot water, heat pump plus electric back-up [W]."""
    heat_pump_heat_kwh: np.ndarray
    """(n,) heat delivered by the heat pump [kWh]."""
    backup_heat_kwh: np.ndarray
    """(n,) heat delivered by the back-up [kWh]."""
    heat_pump_electricity_kwh: np.ndarray
    """(n,) compressor electricity [kWh]."""
    backup_electricity_kwh: np.ndarray
    """(n,) back-up electricity [kWh] (0 for hybrids)."""
    peak_w: np.ndarray
    """(n,) highest hourly electricity [W]."""
    peak_hour: np.ndarray
    """(n,) int64 index of that hour (first on ties; -1 without electricity)."""


def _checked(space_heat_w: Any, dhw_heat_w_: Any, theta_e_degc: Any, design_flow_degc: Any,
             design_load_w: Any, source: Any, hybrid: Any) -> tuple[np.ndarray, ...]:
    sh = np.asarray(space_heat_w, dtype=np.float64)
    dhw = np.asarray(dhw_heat_w_, dtype=np.float64)
    t_e = np.asarray(theta_e_degc, dtype=np.float64).reshape(-1)
    if sh.ndim != 2 or sh.shape != dhw.shape or sh.shape[1] != t_e.shape[0]:
        raise InputError(
            f"space heat {sh.shape} and hot-water heat {dhw.shape} must both have shape "
            f"(n dwellings, {t_e.shape[0]} hours) like the outdoor temperature."
        )
    for name, arr in (("space_heat_w", sh), ("dhw_heat_w", dhw)):
        if not np.isfinite(arr).all() or (arr < 0).any():
            raise InputError(f"{name} must be finite and >= 0 W; got "
                             f"{int((~np.isfinite(arr)).sum())} non-finite and "
                             f"{int((arr < 0).sum())} negative values.")
    if not np.isfinite(t_e).all():
        raise InputError("the outdoor temperature has missing or infinite hours.")
    n = sh.shape[0]
    src = np.broadcast_to(np.asarray(source, dtype=object), (n,))
    bad = sorted({str(s) for s in src} - set(SOURCES))
    if bad:
        raise InputError(f"heat-pump source must be one of {list(SOURCES)}, got {bad}")
    hyb = np.broadcast_to(np.asarray(hybrid, dtype=bool), (n,))
    des = np.broadcast_to(np.asarray(design_flow_degc, dtype=np.float64), (n,))
    load = np.broadcast_to(np.asarray(design_load_w, dtype=np.float64), (n,))
    if not (np.isfinite(des).all() and np.isfinite(load).all() and (load >= 0).all()):
        raise InputError("design_flow_degc and design_load_w must be finite (load >= 0) for "
                         "every heat-pump dwelling.")
    return sh, dhw, t_e, des, load, src, hyb


def run_heat_pumps(
    space_heat_w: Any,
    dhw_heat_w_: Any,
    theta_e_degc: Any,
    *,
    design_flow_degc: Any,
    design_load_w: Any,
    source: Any = "air_water",
    hybrid: Any = False,
    params: HeatPumpHourlyParams | None = None,
    model: str | None = None,
    parallel: bool = True,
) -> HeatPumpRun:
    """The hourly electricity of :func:`heat_pump_electricity`, fast (numba kernel).

    Same arguments and method as :func:`heat_pump_electricity` (its plain-NumPy reference,
    which the tests hold equal); returns only the electricity per hour and the yearly sums,
    not the intermediate (n, H) arrays. ``parallel`` runs the dwellings on all numba threads.

    Returns
    -------
    HeatPumpRun
    """
    from wijkreno.simulate import _heat_pump_kernels as _k

    p = params or load_heat_pump_hourly_params()
    model = model or p.cop.model
    if model not in COP_MODELS:
        raise InputError(f"model must be one of {list(COP_MODELS)}, got {model!r}")
    sh, dhw, t_e, des, load, src, hyb = _checked(space_heat_w, dhw_heat_w_, theta_e_degc,
                                                 design_flow_degc, design_load_w, source, hybrid)
    n, n_h = sh.shape
    c = p.cop.common
    hc = p.heating_curve
    cap = p.capacity
    fac = np.empty((2, n_h))
    rel = np.empty((2, n_h))
    cop_dhw = np.empty((2, n_h))
    coef = np.empty((2, 4))
    for k, s in enumerate(SOURCES):  # per-source tables shared by all dwellings
        sc = p.cop.source(s)
        fac[k] = c.field_correction_frac.value * defrost_factor(t_e, sc)
        rel[k] = np.maximum(1.0 + sc.capacity_slope_per_k.value
                            * (t_e - hc.design_outdoor_temperature_degc.value), 0.0)
        cop_dhw[k] = heat_pump_cop(np.full(n_h, p.dhw.temperature_degc.value), t_e, s,
                                   model=model, params=p)
        coef[k] = (sc.c0.value, sc.c1.value, sc.c2.value, sc.eta_carnot_frac.value)
    scal = np.empty(_k.N_P)
    scal[_k.P_ROOM] = hc.room_temperature_degc.value
    scal[_k.P_DESIGN] = hc.design_outdoor_temperature_degc.value
    scal[_k.P_MIN_FLOW] = hc.min_flow_temperature_degc.value
    scal[_k.P_T_GROUND] = c.ground_source_temperature_degc.value
    scal[_k.P_COP_MIN] = c.cop_min.value
    scal[_k.P_COP_MAX] = c.cop_max.value
    scal[_k.P_BACKUP_EFF] = cap.backup_efficiency_frac.value
    scal[_k.P_CARNOT] = 1.0 if model == "carnot" else 0.0
    sizing = np.where(hyb, cap.sizing_frac_hybrid.value, cap.sizing_frac_monovalent.value)
    cap_w = np.ascontiguousarray(sizing * np.maximum(load, cap.min_capacity_kw.value * 1000.0))
    src_code = np.ascontiguousarray((src == "ground").astype(np.int64))
    out = np.empty((n, n_h))
    annual = np.empty((_k.N_A, n))
    fn = _k.run_parallel if parallel else _k.run_serial
    room = hc.room_temperature_degc.value
    load_pow = np.clip((room - t_e) / (room - hc.design_outdoor_temperature_degc.value), 0.0,
                       1.0) ** (1.0 / hc.radiator_exponent.value)
    fn(np.ascontiguousarray(sh), np.ascontiguousarray(dhw), np.ascontiguousarray(t_e),
       np.ascontiguousarray(load_pow),
       np.ascontiguousarray(des, dtype=np.float64), cap_w, src_code,
       np.ascontiguousarray(hyb, dtype=np.bool_), fac, rel, cop_dhw, coef, scal, out, annual)
    return HeatPumpRun(
        electricity_w=out,
        heat_pump_heat_kwh=annual[_k.A_HP_HEAT] / 1000.0,
        backup_heat_kwh=annual[_k.A_BACKUP_HEAT] / 1000.0,
        heat_pump_electricity_kwh=annual[_k.A_HP_EL] / 1000.0,
        backup_electricity_kwh=annual[_k.A_BACKUP_EL] / 1000.0,
        peak_w=annual[_k.A_PEAK],
        peak_hour=annual[_k.A_PEAK_H].astype(np.int64),
    )


# ---------------------------------------------------------------------------------------------
# today's residential electricity


def residential_profile_frac(
    time: pd.DatetimeIndex, *, params: HeatPumpHourlyParams | None = None
) -> np.ndarray:
    """After-diversity residential load profile: share of the yearly use in each hour [-].

    The BDEW H0 shape per season (winter / transition / summer) and day type (workday,
    Saturday, Sunday) times the H0 dynamisation polynomial of the day of the year, normalised to
    sum to 1 over ``time`` (one year of hours). Public holidays are not treated as Sundays.

    Parameters
    ----------
    time : pandas.DatetimeIndex, shape (H,)
        Start of each hour of one year.

    Returns
    -------
    numpy.ndarray, shape (H,)
    """
    p = params or load_heat_pump_hourly_params()
    b = p.baseline
    if len(time) == 0:
        raise InputError("the time index of the residential profile is empty.")
    md = np.asarray(time.month) * 100 + np.asarray(time.day)

    def key(t: tuple[int, int]) -> int:
        return t[0] * 100 + t[1]

    winter = (md >= key(b.winter_start)) | (md <= key(b.winter_end))
    summer = (md >= key(b.summer_start)) & (md <= key(b.summer_end))
    season = np.where(winter, 0, np.where(summer, 2, 1))
    dow = np.asarray(time.day_of_week)
    daytype = np.where(dow == 5, 1, np.where(dow == 6, 2, 0))
    shape = b.shape_table()[season, daytype, np.asarray(time.hour)]
    t = np.asarray(time.day_of_year, dtype=np.float64)
    a4, a3, a2, a1, a0 = b.dynamisation
    dyn = (((a4 * t + a3) * t + a2) * t + a1) * t + a0
    w = shape * dyn
    return w / w.sum()


def residential_baseline_w(
    n_dwellings: Any, time: pd.DatetimeIndex, *, params: HeatPumpHourlyParams | None = None
) -> np.ndarray:
    """Today's residential electricity of ``n_dwellings`` households per hour [W], after diversity.

    ``n x annual_kwh_per_dwelling x profile(h)`` (in Wh per hour = W); ``n_dwellings`` may be an
    array (one value per group) and the result then has shape (groups, H).
    """
    p = params or load_heat_pump_hourly_params()
    frac = residential_profile_frac(time, params=p)
    n = np.asarray(n_dwellings, dtype=np.float64)
    kwh = p.baseline.annual_kwh_per_dwelling.value * 1000.0
    return (n[..., None] * kwh) * frac if n.ndim else float(n) * kwh * frac


__all__ = [
    "COP_MODELS", "HEAT_PUMP_SYSTEMS", "SOURCES", "HeatPumpHourly", "HeatPumpHourlyParams",
    "HeatPumpRun", "run_heat_pumps",
    "cop_carnot", "cop_regression", "defrost_factor", "dhw_day_profile_frac", "dhw_heat_w",
    "flow_temperature_degc", "heat_pump_capacity_w", "heat_pump_cop", "heat_pump_electricity",
    "SyntheticWeatherParams", "load_heat_pump_hourly_params", "residential_baseline_w",
    "residential_profile_frac",
]
