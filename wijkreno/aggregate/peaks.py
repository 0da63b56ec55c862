"""Heat-pump electricity per hour and its coincident winter peak per street, sector, municipality.

The chain (every step a pure function; the CLI ``wijkreno peaks`` does the reading and writing):

1. :func:`dwellings_in_year`: the dwellings as they are at the end of a scenario year: the
   envelope and heating-system changes of the trajectory steps the scenario
   (:func:`wijkreno.scenario.run_scenario`) says are done by then, taken from the trajectory
   steps (:func:`wijkreno.renovate.trajectories.plan_trajectories`, same enumeration as the
   scenario's ``plan_states``) and the measure options' effects. Today = the twin itself.
2. :func:`heat_pump_loads`: for the dwellings that hold a heat pump in that state
   (:data:`wijkreno.simulate.heat_pump_hourly.HEAT_PUMP_SYSTEMS`), the hourly engine's heating
   need (:func:`wijkreno.simulate.hourly.simulate_hourly`), divided by the system's emission,
   distribution and control efficiencies; hot water from the monthly engine's yearly need and a
   daily profile; the heat pump sized on the design heat load
   (:func:`wijkreno.renovate.applicability.design_heat_load_kw`); then the electricity per hour
   (:func:`wijkreno.simulate.heat_pump_hourly.run_heat_pumps`, a numba kernel whose NumPy
   reference is ``heat_pump_electricity``). Processed in blocks of dwellings; the profiles are
   summed per area as they come.
3. :func:`peak_table`: per area the **coincident** peak ``max_t sum_i E_i(t)`` of the simulated
   profiles (the weather coincidence is in the profiles), scaled for behavioural diversity by
   ``f_hp(n) = f_inf + (1 - f_inf) n^(-3/4)`` (never below the largest member's peak), today's
   residential electricity (an after-diversity standard load profile x ``n`` households, scaled
   up for small groups by ``1 + (r_1 - 1) n^(-3/4)``) and the combined peak at the same hour;
   the growth ``combined / baseline - 1``.

:func:`compare_monthly_hourly` puts the monthly (regulatory, EPC) and hourly heating need side
by side per dwelling and summarises the ratio by typology and construction period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from wijkreno.errors import InputError
from wijkreno.simulate.heat_pump_hourly import (
    HEAT_PUMP_SYSTEMS,
    HeatPumpHourlyParams,
    dhw_heat_w,
    load_heat_pump_hourly_params,
    residential_baseline_w,
    run_heat_pumps,
)

if TYPE_CHECKING:
    from wijkreno.simulate.hourly import HourlyClimate

log = logging.getLogger(__name__)

LEVELS: dict[str, tuple[str, ...]] = {
    "street": ("nis_code", "street"),
    "sector": ("sector_code",),
    "municipality": ("nis_code",),
}
"""Area levels and the dwelling columns that key them (a street within its municipality)."""
UNKNOWN = "onbekend"
MAP_KEYS: dict[str, tuple[str, ...]] = {lv: cols for lv, cols in LEVELS.items()}
"""Key columns each level's map layer carries."""

PEAK_COLUMNS: tuple[str, ...] = (
    "n_dwellings", "n_heat_pumps", "hp_electricity_kwh", "hp_backup_electricity_kwh",
    "hp_peak_coincident_kw", "hp_peak_hour", "hp_sum_individual_peaks_kw",
    "hp_max_individual_peak_kw", "hp_diversity_frac", "hp_peak_kw", "baseline_electricity_kwh",
    "baseline_peak_kw", "baseline_diversity_frac", "combined_peak_kw", "combined_peak_hour",
    "peak_growth_frac",
)
"""Columns of :func:`peak_table` (kW, kWh per year; hours are indexes into the climate's time)."""

DWELLING_COLUMNS: tuple[str, ...] = (
    "has_heat_pump", "heating_system", "design_heat_load_kw", "heating_need_hourly_kwh",
    "dhw_heat_kwh", "hp_heat_kwh", "backup_heat_kwh", "hp_electricity_kwh",
    "backup_electricity_kwh", "electricity_kwh", "seasonal_performance_factor",
    "peak_electricity_kw", "peak_hour",
)
"""Per-dwelling columns of :attr:`HeatPumpLoads.dwellings` (zeros for dwellings without one)."""


# ---------------------------------------------------------------------------------------------
# diversity


def hp_diversity_frac(n_dwellings: Any, params: HeatPumpHourlyParams | None = None) -> np.ndarray:
    """Behavioural diversity of ``n`` heat pumps on top of the simulated coincidence [-].

    ``f(n) = f_inf + (1 - f_inf) n^(-exponent)`` (Kerber 2011 form): 1 for one dwelling,
    decreasing to ``hp_inf_frac`` for large groups; 1 for ``n <= 1``.
    """
    d = (params or load_heat_pump_hourly_params()).diversity
    n = np.maximum(np.asarray(n_dwellings, dtype=np.float64), 1.0)
    f_inf = d.hp_inf_frac.value
    return f_inf + (1.0 - f_inf) * n ** (-d.exponent.value)


def baseline_diversity_frac(
    n_dwellings: Any, params: HeatPumpHourlyParams | None = None
) -> np.ndarray:
    """Factor on the after-diversity residential profile for a group of ``n`` households [-].

    ``1 + (r_1 - 1) n^(-exponent)``: ``r_1`` (one household's hourly peak over the profile's)
    for one dwelling, decreasing to 1 for large groups.
    """
    d = (params or load_heat_pump_hourly_params()).diversity
    n = np.maximum(np.asarray(n_dwellings, dtype=np.float64), 1.0)
    return 1.0 + (d.baseline_single_ratio.value - 1.0) * n ** (-d.exponent.value)


# ---------------------------------------------------------------------------------------------
# areas


def area_codes(dwellings: pd.DataFrame, level: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Code of each dwelling's area at ``level`` and the table of areas.

    Returns
    -------
    codes : numpy.ndarray of int64, shape (n,)
    areas : pandas.DataFrame
        One row per code (in code order): the key columns of :data:`LEVELS` and ``area_id``
        (``<nis_code>|<street>`` for streets); missing keys read ``onbekend``.
    """
    if level not in LEVELS:
        raise InputError(f"level must be one of {list(LEVELS)}, got {level!r}")
    cols = LEVELS[level]
    missing = [c for c in cols if c not in dwellings.columns]
    if missing:
        raise InputError(f"the dwellings lack {missing}, needed to group them by {level}; the "
                         "twin's dwellings table has them.")
    keys = pd.DataFrame({c: dwellings[c].astype("string").fillna(UNKNOWN).to_numpy()
                         for c in cols})
    area_id = keys[cols[0]] if len(cols) == 1 else keys[cols[0]] + "|" + keys[cols[1]]
    codes, uniq = pd.factorize(area_id, sort=True)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    areas = keys.iloc[first].reset_index(drop=True)
    areas.insert(0, "area_id", np.asarray(uniq, dtype=object))
    return codes.astype(np.int64), areas


def sum_by_area(values: np.ndarray, codes: np.ndarray, n_areas: int) -> np.ndarray:
    """Sum rows of a (n, H) array per area code: (n_areas, H) (one sparse product)."""
    v = np.asarray(values, dtype=np.float64)
    m = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                          shape=(n_areas, len(codes)))
    return np.asarray(m @ v)


def area_layer(
    dwellings: pd.DataFrame,
    level: str,
    table: pd.DataFrame,
    *,
    polygons: Any = None,
    hull_buffer_m: float = 25.0,
) -> Any:
    """A GeoDataFrame (EPSG:31370) of one level's table for maps and the grid operator.

    Sectors take their polygon from ``polygons`` (sector polygons with the level's
    key or its official name, see :func:`wijkreno.aggregate.areas.standardise_areas`) and
    otherwise the convex hull of their dwellings (streets always), buffered when thin.

    Parameters
    ----------
    dwellings : GeoDataFrame
        The dwellings (points) the table was computed from.
    level : str
        A key of :data:`LEVELS`.
    table : pandas.DataFrame
        One row per area in :func:`area_codes` order with its ``area_id``.
    """
    import geopandas as gpd

    from wijkreno.aggregate.areas import _hulls, standardise_areas
    from wijkreno.twin.schema import CRS_EPSG

    codes, areas = area_codes(dwellings, level)
    if len(table) != len(areas) or not (table["area_id"].to_numpy() == areas["area_id"]
                                         .to_numpy()).all():
        raise InputError(f"the {level} table does not match the dwellings' areas.")
    geoms = np.full(len(areas), None, dtype=object)
    if level == "street":
        table = table.assign(area_name=areas["street"].to_numpy())
    if isinstance(dwellings, gpd.GeoDataFrame):
        geoms = _hulls(np.asarray(dwellings.geometry.array), codes, len(areas), hull_buffer_m)
    if polygons is not None and level == "sector":
        key = LEVELS[level][0]
        poly = standardise_areas(polygons, key).set_index(key)
        found = areas[key].map(poly.geometry).to_numpy()
        geoms = np.where(pd.isna(found), geoms, found)
        if "area_name" in poly.columns:
            table = table.assign(area_name=areas[key].map(poly["area_name"]).to_numpy())
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=list(geoms), crs=CRS_EPSG)


# ---------------------------------------------------------------------------------------------
# peaks


def peak_table(
    hp_profile_w: np.ndarray,
    n_dwellings: Any,
    n_heat_pumps: Any,
    sum_individual_peaks_w: Any,
    max_individual_peak_w: Any,
    time: pd.DatetimeIndex,
    *,
    backup_electricity_kwh: Any = 0.0,
    params: HeatPumpHourlyParams | None = None,
) -> pd.DataFrame:
    """Coincident heat-pump peak, today's residential peak and the combined peak per area.

    Parameters
    ----------
    hp_profile_w : numpy.ndarray, shape (G, H)
        Sum of the heat-pump electricity of each area's dwellings per hour [W].
    n_dwellings, n_heat_pumps : array-like, shape (G,)
        Dwellings (households) and heat pumps per area.
    sum_individual_peaks_w, max_individual_peak_w : array-like, shape (G,)
        Sum and maximum of the members' own peaks [W].
    time : pandas.DatetimeIndex, shape (H,)
    backup_electricity_kwh : array-like, shape (G,)
        The back-up heaters' part of the yearly electricity [kWh] (reported only).
    params : HeatPumpHourlyParams, optional

    Returns
    -------
    pandas.DataFrame
        One row per area, :data:`PEAK_COLUMNS`. ``hp_peak_coincident_kw`` lies between the
        largest member's peak and the sum of the members' peaks; ``hp_peak_kw`` is it times
        ``hp_diversity_frac`` (of the number of heat pumps), at least the largest member's;
        ``combined_peak_kw`` is the highest hour of baseline plus diversified heat-pump load.
    """
    p = params or load_heat_pump_hourly_params()
    prof = np.asarray(hp_profile_w, dtype=np.float64)
    n = np.asarray(n_dwellings, dtype=np.float64)
    n_hp = np.asarray(n_heat_pumps, dtype=np.float64)
    g = prof.shape[0]
    if prof.ndim != 2 or prof.shape[1] != len(time) or n.shape != (g,):
        raise InputError(f"hp_profile_w {prof.shape} must be (areas, {len(time)} hours) with "
                         f"one dwelling count per area (got {n.shape}).")
    raw_peak = prof.max(axis=1) if prof.shape[1] else np.zeros(g)
    raw_hour = prof.argmax(axis=1)
    f_hp = hp_diversity_frac(np.maximum(n_hp, 1.0), p)
    max_ind = np.asarray(max_individual_peak_w, dtype=np.float64)
    hp_peak = np.maximum(raw_peak * f_hp, max_ind)
    # the diversity may not cut the area's load below its largest member's peak in any hour:
    # scale the hourly profile by the factor that the peak hour got
    with np.errstate(divide="ignore", invalid="ignore"):
        f_eff = np.where(raw_peak > 0, hp_peak / raw_peak, 1.0)
    base = residential_baseline_w(n, time, params=p)  # (G, H) after diversity
    f_base = baseline_diversity_frac(n, p)
    base_div = base * f_base[:, None]
    combined = base_div + prof * f_eff[:, None]
    base_peak = base_div.max(axis=1)
    comb_peak = combined.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(base_peak > 0, comb_peak / base_peak - 1.0, np.nan)
    return pd.DataFrame({
        "n_dwellings": n.astype(np.int64),
        "n_heat_pumps": n_hp.astype(np.int64),
        "hp_electricity_kwh": prof.sum(axis=1) / 1000.0,
        "hp_backup_electricity_kwh": np.broadcast_to(
            np.asarray(backup_electricity_kwh, dtype=np.float64), (g,)).copy(),
        "hp_peak_coincident_kw": raw_peak / 1000.0,
        "hp_peak_hour": np.where(raw_peak > 0, raw_hour, -1).astype(np.int64),
        "hp_sum_individual_peaks_kw": np.asarray(sum_individual_peaks_w, np.float64) / 1000.0,
        "hp_max_individual_peak_kw": max_ind / 1000.0,
        "hp_diversity_frac": np.where(n_hp > 0, f_hp, np.nan),
        "hp_peak_kw": hp_peak / 1000.0,
        "baseline_electricity_kwh": base.sum(axis=1) / 1000.0,
        "baseline_peak_kw": base_peak / 1000.0,
        "baseline_diversity_frac": f_base,
        "combined_peak_kw": comb_peak / 1000.0,
        "combined_peak_hour": combined.argmax(axis=1).astype(np.int64),
        "peak_growth_frac": growth,
    })


def coincident_peaks(
    electricity_w: np.ndarray,
    codes: np.ndarray,
    n_areas: int,
    time: pd.DatetimeIndex,
    *,
    has_heat_pump: np.ndarray | None = None,
    params: HeatPumpHourlyParams | None = None,
) -> pd.DataFrame:
    """:func:`peak_table` from a full (n dwellings, H) electricity matrix [W] and area codes."""
    e = np.asarray(electricity_w, dtype=np.float64)
    codes = np.asarray(codes, dtype=np.int64)
    hp = (e.max(axis=1) > 0) if has_heat_pump is None else np.asarray(has_heat_pump, bool)
    ind = e.max(axis=1) if e.shape[1] else np.zeros(e.shape[0])
    max_ind = np.zeros(n_areas)
    np.maximum.at(max_ind, codes, ind)
    return peak_table(
        sum_by_area(e, codes, n_areas), np.bincount(codes, minlength=n_areas),
        np.bincount(codes, weights=hp, minlength=n_areas),
        np.bincount(codes, weights=ind, minlength=n_areas), max_ind, time, params=params,
    )


# ---------------------------------------------------------------------------------------------
# the dwellings in a scenario year


def dwellings_in_year(
    dwellings: pd.DataFrame,
    positions: np.ndarray,
    steps: pd.DataFrame,
    options: Any,
    *,
    n_air_use_ach: float | None = None,
) -> pd.DataFrame:
    """The dwellings with the trajectory steps done by a scenario year applied.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The twin's dwellings (today).
    positions : array of int, shape (n,)
        Steps done by each dwelling at the end of the year
        (:attr:`wijkreno.scenario.ScenarioResult.positions` ``[year - start_year]``).
    steps : pandas.DataFrame
        The steps table of :func:`wijkreno.renovate.trajectories.plan_trajectories` on the same
        dwellings and options (``row``, ``step``, ``dimension``, ``measure``).
    options : MeasureOptions
        The options both were planned with (their ``effect`` gives the values after a measure).
    n_air_use_ach : float, optional
        Hygienic air change rate [1/h] (heat-balance parameter) for heat recovery, which is
        applied as the package enumeration does: ``infiltration - eta_hr n_use``, at least 0.

    Returns
    -------
    pandas.DataFrame
        A copy of ``dwellings`` with U-values, g, infiltration, ``heating_system``,
        ``emitter_temperature_degc`` and ``dhw_solar_frac`` after the steps done.
    """
    from wijkreno.renovate.options import EFFECT_COLUMNS
    from wijkreno.simulate.heat_balance import load_heat_balance_params
    from wijkreno.simulate.params import default_system_params
    from wijkreno.twin.schema import HEATING_SYSTEMS

    n = len(dwellings)
    pos = np.asarray(positions, dtype=np.int64)
    if pos.shape != (n,):
        raise InputError(f"positions has shape {pos.shape}, expected ({n},)")
    out = dwellings.copy()
    if steps.empty:
        return out
    done = steps[steps["step"].to_numpy() <= pos[steps["row"].to_numpy()]]
    n_use = (load_heat_balance_params().n_air_use_ach if n_air_use_ach is None
             else n_air_use_ach)
    for dim, part in done.groupby("dimension", sort=False):
        names = {nm: k for k, nm in enumerate(options.option_names[str(dim)])}
        rows = part["row"].to_numpy(dtype=np.int64)
        k = part["measure"].map(names).to_numpy()
        if np.isnan(k.astype(np.float64)).any():
            raise InputError(f"trajectory measures of {dim} are not among the options; plan the "
                             "steps with the same options.")
        k = k.astype(np.int64)
        eff = {c: np.asarray(options.effect[str(dim)][c])[rows, k] for c in EFFECT_COLUMNS[dim]}
        if dim == "ventilation":
            inf = eff["infiltration_ach"] - eff["heat_recovery_frac"] * n_use
            col = out["infiltration_ach"].to_numpy(dtype=np.float64).copy()
            col[rows] = np.maximum(inf, 0.0)
            out["infiltration_ach"] = col
        elif dim == "heating":
            sys = out["heating_system"].astype("object").to_numpy().copy()
            sys[rows] = np.asarray(HEATING_SYSTEMS, dtype=object)[eff["heating_code"].astype(
                np.int64)]
            out["heating_system"] = pd.Categorical(sys, categories=list(HEATING_SYSTEMS))
            emit = (out["emitter_temperature_degc"].to_numpy(dtype=np.float64).copy()
                    if "emitter_temperature_degc" in out.columns else np.full(n, np.nan))
            emit[rows] = eff["emitter_temperature_degc"]
            out["emitter_temperature_degc"] = emit
        elif dim in ("pv",):
            continue
        elif dim == "solar_water_heater":
            solar = (out["dhw_solar_frac"].to_numpy(dtype=np.float64).copy()
                     if "dhw_solar_frac" in out.columns else np.zeros(n))
            solar[rows] = eff["dhw_solar_frac"]
            out["dhw_solar_frac"] = solar
            own = eff["dhw_system_code"]  # a heat-pump boiler installs its hot-water system
            if (own >= 0).any():
                dhw_names = np.asarray(default_system_params().dhw_system_names, dtype=object)
                dhw = (out["dhw_system"].astype("object").to_numpy(copy=True)
                       if "dhw_system" in out.columns else np.full(n, None, dtype=object))
                dhw[rows[own >= 0]] = dhw_names[own[own >= 0].astype(np.int64)]
                out["dhw_system"] = dhw
        else:
            for c, v in eff.items():
                base = (out[c].to_numpy(dtype=np.float64).copy() if c in out.columns
                        else np.zeros(n))
                base[rows] = v
                out[c] = base
    return out


# ---------------------------------------------------------------------------------------------
# loads


@dataclass
class HeatPumpLoads:
    """Result of :func:`heat_pump_loads`.

    Attributes
    ----------
    dwellings : pandas.DataFrame
        Indexed like the input, :data:`DWELLING_COLUMNS` (energy in kWh per year, power in kW).
    areas : dict of str to pandas.DataFrame
        Per level, the area table of :func:`area_codes`.
    area_profiles_w : dict of str to numpy.ndarray
        Per level, (areas, H) heat-pump electricity per hour [W].
    area_stats : dict of str to pandas.DataFrame
        Per level, ``n_dwellings``, ``n_heat_pumps``, ``sum_individual_peaks_w``,
        ``max_individual_peak_w``, ``backup_electricity_kwh``.
    time : pandas.DatetimeIndex
    dwelling_profiles_w : numpy.ndarray or None
        (heat-pump dwellings, H) electricity [W] when asked for, rows in the order of
        ``dwellings[dwellings.has_heat_pump]``.
    """

    dwellings: pd.DataFrame
    areas: dict[str, pd.DataFrame]
    area_profiles_w: dict[str, np.ndarray]
    area_stats: dict[str, pd.DataFrame]
    time: pd.DatetimeIndex
    dwelling_profiles_w: np.ndarray | None = field(default=None, repr=False)

    def peaks(self, level: str, params: HeatPumpHourlyParams | None = None) -> pd.DataFrame:
        """:func:`peak_table` of one level, with the area keys in front."""
        st = self.area_stats[level]
        t = peak_table(self.area_profiles_w[level], st["n_dwellings"], st["n_heat_pumps"],
                       st["sum_individual_peaks_w"], st["max_individual_peak_w"], self.time,
                       backup_electricity_kwh=st["backup_electricity_kwh"], params=params)
        return pd.concat([self.areas[level].reset_index(drop=True), t], axis=1)


def heat_pump_loads(
    dwellings: pd.DataFrame,
    climate: HourlyClimate,
    *,
    params: HeatPumpHourlyParams | None = None,
    system_params: Any = None,
    hourly_params: Any = None,
    setback: Any = None,
    block_size: int = 250,
    keep_dwelling_profiles: bool = False,
    backend: str = "cpu",
) -> HeatPumpLoads:
    """Hourly heat-pump electricity of every dwelling that has one, summed per area.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The twin's dwellings (or :func:`dwellings_in_year`); ``heating_system`` decides who has
        a heat pump; optional ``emitter_temperature_degc``, ``dhw_system``, ``dhw_solar_frac``.
    climate : HourlyClimate
        :func:`wijkreno.simulate.hourly.hourly_climate_from_epw` of an EPW or of
        :func:`wijkreno.simulate.synthetic_weather.synthetic_weather`.
    params : HeatPumpHourlyParams, optional
    system_params : SystemParams, optional
        Emission/distribution/control efficiencies, default emitter temperature, DHW pairing.
    hourly_params : HourlyParams, optional
        Parameters of the hourly engine.
    setback : None, "night" or tuple
        Passed to :func:`~wijkreno.simulate.hourly.simulate_hourly` (None: constant set-point,
        the usual operation of a heat pump).
    block_size : int
        Dwellings simulated at a time (memory ~ 15 arrays x 8 bytes x 8,760 per dwelling,
        ~260 MB for 250).
    keep_dwelling_profiles : bool
        Keep the (heat-pump dwellings, H) electricity matrix.
    backend : str
        Of the hourly engine.

    Returns
    -------
    HeatPumpLoads
    """
    from wijkreno.renovate.applicability import design_heat_load_kw
    from wijkreno.simulate.heat_balance import compute_heating_need
    from wijkreno.simulate.hourly import simulate_hourly
    from wijkreno.simulate.params import default_system_params

    p = params or load_heat_pump_hourly_params()
    sp = system_params or default_system_params()
    if block_size < 1:
        raise InputError(f"block_size must be >= 1, got {block_size}")
    if "heating_system" not in dwellings.columns:
        raise InputError("the dwellings lack 'heating_system'; the twin's dwellings have it.")
    n = len(dwellings)
    time = climate.time
    n_h = len(time)
    system = dwellings["heating_system"].astype("object").to_numpy()
    has_hp = np.isin(system, list(HEAT_PUMP_SYSTEMS))
    levels = {lv: area_codes(dwellings, lv) for lv in LEVELS}
    prof = {lv: np.zeros((len(a), n_h)) for lv, (_, a) in levels.items()}
    per = {c: np.zeros(n) for c in DWELLING_COLUMNS if c not in ("has_heat_pump",
                                                                 "heating_system")}
    per["peak_hour"] = np.full(n, -1.0)
    kept: list[np.ndarray] = []
    idx_hp = np.flatnonzero(has_hp)
    default_emit = sp.settings.default_emitter_temperature_degc.value
    # per heating system (a handful), mapped onto the dwellings
    chain_of = {s: h.chain_efficiency for s, h in sp.heating_systems.items()}
    default_dhw_of = {s: getattr(sp.default_dhw_system, s) for s in HEAT_PUMP_SYSTEMS}
    source_of = {s: v[0] for s, v in HEAT_PUMP_SYSTEMS.items()}
    hybrid_of = {s: v[1] for s, v in HEAT_PUMP_SYSTEMS.items()}
    for lo in range(0, len(idx_hp), block_size):
        rows = idx_hp[lo:lo + block_size]
        dw = dwellings.iloc[rows]
        res = simulate_hourly(dw, climate, hourly_params, setback=setback, return_hourly=True,
                              backend=backend)
        hb = compute_heating_need(dw)
        ok = res.valid & hb["valid"].to_numpy(dtype=bool)
        if (~ok).any():
            log.warning("heat-pump loads: %d of %d heat-pump dwellings not simulated (invalid "
                        "envelope inputs); they count as 0", int((~ok).sum()), len(rows))
        sysb = pd.Series(system[rows])
        chain = sysb.map(chain_of).to_numpy(dtype=np.float64)
        heat = np.where(ok[:, None], np.nan_to_num(np.asarray(res.heating_w)), 0.0)
        space = heat / chain[:, None]
        # hot water: the heat pump makes it when the DHW system is the heat-pump boiler
        if "dhw_system" in dw.columns:
            dhw_sys = dw["dhw_system"].astype("object").to_numpy()
            dhw_sys = np.where(pd.isna(dhw_sys), None, dhw_sys)
        else:
            dhw_sys = np.full(len(rows), None, dtype=object)
        default_dhw = sysb.map(default_dhw_of).to_numpy(dtype=object)
        dhw_sys = np.where(dhw_sys == None, default_dhw, dhw_sys)  # noqa: E711
        solar = (np.nan_to_num(dw["dhw_solar_frac"].to_numpy(dtype=np.float64))
                 if "dhw_solar_frac" in dw.columns else np.zeros(len(rows)))
        need_dhw = np.where(ok & (dhw_sys == "heat_pump_boiler"),
                            np.nan_to_num(hb["dhw_need_kwh"].to_numpy()) * (1.0 - solar), 0.0)
        dhw = dhw_heat_w(need_dhw, time, params=p)
        load_w = np.nan_to_num(design_heat_load_kw(hb["h_tr_w_per_k"], hb["h_ve_w_per_k"])) * 1e3
        emit = (dw["emitter_temperature_degc"].to_numpy(dtype=np.float64)
                if "emitter_temperature_degc" in dw.columns else np.full(len(rows), np.nan))
        emit = np.where(np.isfinite(emit), emit, default_emit)
        src = sysb.map(source_of).to_numpy(dtype=object)
        hyb = sysb.map(hybrid_of).to_numpy(dtype=bool)
        r = run_heat_pumps(space, dhw, climate.temp_out_degc, design_flow_degc=emit,
                           design_load_w=load_w, source=src, hybrid=hyb, params=p)
        e = r.electricity_w
        per["design_heat_load_kw"][rows] = load_w / 1e3
        per["heating_need_hourly_kwh"][rows] = heat.sum(axis=1) / 1e3
        per["dhw_heat_kwh"][rows] = dhw.sum(axis=1) / 1e3
        per["hp_heat_kwh"][rows] = r.heat_pump_heat_kwh
        per["backup_heat_kwh"][rows] = r.backup_heat_kwh
        per["hp_electricity_kwh"][rows] = r.heat_pump_electricity_kwh
        per["backup_electricity_kwh"][rows] = r.backup_electricity_kwh
        per["electricity_kwh"][rows] = r.heat_pump_electricity_kwh + r.backup_electricity_kwh
        per["peak_electricity_kw"][rows] = r.peak_w / 1e3
        per["peak_hour"][rows] = r.peak_hour
        for lv, (codes, areas) in levels.items():
            prof[lv] += sum_by_area(e, codes[rows], len(areas))
        if keep_dwelling_profiles:
            kept.append(e.astype(np.float32))
    with np.errstate(divide="ignore", invalid="ignore"):
        heat_total = per["hp_heat_kwh"] + per["backup_heat_kwh"]
        per["seasonal_performance_factor"] = np.where(per["electricity_kwh"] > 0,
                                                      heat_total / per["electricity_kwh"], np.nan)
    table = pd.DataFrame(index=dwellings.index)
    for key in ("dwelling_id", "street", "sector_code", "nis_code"):
        if key in dwellings.columns:
            table[key] = dwellings[key].to_numpy()
    table["has_heat_pump"] = has_hp
    table["heating_system"] = system
    for c in DWELLING_COLUMNS[2:]:
        table[c] = per[c]
    table["peak_hour"] = table["peak_hour"].astype(np.int64)
    stats = {}
    peak_w = per["peak_electricity_kw"] * 1e3
    for lv, (codes, areas) in levels.items():
        g = len(areas)
        mx = np.zeros(g)
        np.maximum.at(mx, codes, peak_w)
        stats[lv] = pd.DataFrame({
            "n_dwellings": np.bincount(codes, minlength=g),
            "n_heat_pumps": np.bincount(codes, weights=has_hp, minlength=g).astype(np.int64),
            "sum_individual_peaks_w": np.bincount(codes, weights=peak_w, minlength=g),
            "max_individual_peak_w": mx,
            "backup_electricity_kwh": np.bincount(codes, weights=per["backup_electricity_kwh"],
                                                  minlength=g),
        })
    return HeatPumpLoads(
        dwellings=table, areas={lv: a for lv, (_, a) in levels.items()}, area_profiles_w=prof,
        area_stats=stats, time=time,
        dwelling_profiles_w=(np.concatenate(kept) if kept else np.zeros((0, n_h), np.float32))
        if keep_dwelling_profiles else None,
    )


# ---------------------------------------------------------------------------------------------
# monthly and hourly side by side


def compare_monthly_hourly(
    dwellings: pd.DataFrame, monthly_kwh: Any, hourly_kwh: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The yearly heating need of the monthly and the hourly engine, per dwelling and summarised.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        With ``typology`` and ``tabula_period`` (and optionally ``dwelling_id``).
    monthly_kwh, hourly_kwh : array-like, shape (n,)
        Yearly heating need of each engine [kWh] (NaN where an engine rejected the row).

    Returns
    -------
    per_dwelling : pandas.DataFrame
        Indexed like ``dwellings``: keys, ``typology``, ``tabula_period``,
        ``heated_floor_area_m2``, ``heating_need_monthly_kwh``, ``heating_need_hourly_kwh``,
        their per-m2 values, ``ratio_hourly_monthly`` (NaN where the monthly need is 0).
    summary : pandas.DataFrame
        Per typology x period and an ``all`` row: ``n_dwellings``, sums of both needs,
        ``ratio_of_sums``, ``median_ratio``, ``p10_ratio``, ``p90_ratio``.
    """
    m = np.asarray(monthly_kwh, dtype=np.float64)
    h = np.asarray(hourly_kwh, dtype=np.float64)
    if m.shape != (len(dwellings),) or h.shape != m.shape:
        raise InputError(f"need one monthly and one hourly value per dwelling ({len(dwellings)}),"
                         f" got {m.shape} and {h.shape}")
    per = pd.DataFrame(index=dwellings.index)
    for key in ("dwelling_id", "street", "sector_code"):
        if key in dwellings.columns:
            per[key] = dwellings[key].to_numpy()
    per["typology"] = dwellings["typology"].astype("string").to_numpy()
    per["tabula_period"] = dwellings["tabula_period"].astype("string").to_numpy()
    area = dwellings["heated_floor_area_m2"].to_numpy(dtype=np.float64)
    per["heated_floor_area_m2"] = area
    per["heating_need_monthly_kwh"] = m
    per["heating_need_hourly_kwh"] = h
    with np.errstate(divide="ignore", invalid="ignore"):
        per["heating_need_monthly_kwh_per_m2"] = np.where(area > 0, m / area, np.nan)
        per["heating_need_hourly_kwh_per_m2"] = np.where(area > 0, h / area, np.nan)
        per["ratio_hourly_monthly"] = np.where(m > 0, h / m, np.nan)
    ok = per.dropna(subset=["heating_need_monthly_kwh", "heating_need_hourly_kwh"])

    def summarise(frame: pd.DataFrame) -> dict[str, float]:
        r = frame["ratio_hourly_monthly"].dropna()
        sm, sh = frame["heating_need_monthly_kwh"].sum(), frame["heating_need_hourly_kwh"].sum()
        return {
            "n_dwellings": len(frame),
            "heating_need_monthly_kwh": sm,
            "heating_need_hourly_kwh": sh,
            "ratio_of_sums": sh / sm if sm > 0 else np.nan,
            "median_ratio": float(r.median()) if len(r) else np.nan,
            "p10_ratio": float(r.quantile(0.1)) if len(r) else np.nan,
            "p90_ratio": float(r.quantile(0.9)) if len(r) else np.nan,
        }

    rows = [{"typology": t, "tabula_period": pr, **summarise(g)}
            for (t, pr), g in ok.groupby(["typology", "tabula_period"], sort=True)]
    rows.append({"typology": "all", "tabula_period": "all", **summarise(ok)})
    return per, pd.DataFrame(rows)


EXPLAIN_TERMS: tuple[str, ...] = ("loss_kwh", "gain_used_kwh", "opaque_sky_kwh")
"""Terms of :func:`explain_monthly_hourly`: need = loss - gain used (+ opaque solar/sky)."""


def explain_monthly_hourly(
    dwellings: pd.DataFrame,
    climate: HourlyClimate,
    *,
    monthly_climate: Any = None,
    heat_params: Any = None,
    hourly_params: Any = None,
) -> pd.DataFrame:
    """Split the difference between the monthly and the hourly yearly heating need into terms.

    Both engines at the monthly engine's constant set-point (``theta_int_epb_degc`` in the
    'epb' convention, ``theta_int_degc`` in 'tabula'), on the same ventilation volume. The hourly
    engine is run three times (yearly sums only): as is, without the solar gains through opaque
    elements and the radiation to the sky (which the monthly engine leaves out, as TABULA), and
    also without internal and window solar gains (its pure losses). Then, per dwelling,

    * monthly: ``need = loss - gain_used`` with ``loss = Q_ht`` and ``gain_used = eta Q_gn``;
    * hourly: ``need = loss - gain_used + opaque_sky``;

    and the columns ``d_<term>`` = hourly - monthly term (the sign as in the need), which add up
    to the difference of the needs. ``monthly_climate`` should be the same weather as
    ``climate`` aggregated to months (:func:`wijkreno.simulate.climate.climate_from_epw`; the
    packaged Uccle table, from the same TMYx file, when None). ``steady_state_loss_frac`` is the
    ratio the 5R1C network's steady-state loss takes of ``(H_tr + H_ve) dT``:
    ``(H_ve + H_tr,is H_tr / (H_tr,is + H_tr)) / (H_ve + H_tr)`` (the air-node set-point with a
    convective heater puts the internal surface coefficient in series with the envelope).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``: ``typology``, ``tabula_period``, ``monthly_<term>`` and
        ``hourly_<term>`` for :data:`EXPLAIN_TERMS` (monthly ``opaque_sky_kwh`` is 0),
        ``d_loss_kwh``, ``d_gain_used_kwh``, ``d_opaque_sky_kwh``,
        ``heating_need_monthly_kwh``, ``heating_need_hourly_kwh``, ``steady_state_loss_frac``.
    """
    from wijkreno.simulate.heat_balance import compute_heating_need, load_heat_balance_params
    from wijkreno.simulate.hourly import build_network, load_hourly_params, simulate_hourly

    hb = heat_params or load_heat_balance_params()
    theta = hb.theta_int_epb_degc if hb.convention == "epb" else hb.theta_int_degc
    hp = hourly_params or load_hourly_params(balance=hb)
    no_opaque = {"opaque_absorptance_frac": 0.0, "delta_theta_er_k": 0.0,
                 "sky_temperature_model": "constant"}
    hp0 = hp.model_copy(update=no_opaque)
    hp_loss = hp.model_copy(update={**no_opaque, "balance": hb.with_overrides(
        {"phi_int_w_per_m2": 0.0, "f_sh_vert_frac": 0.0})})

    def run(p: Any) -> np.ndarray:
        return simulate_hourly(dwellings, climate, p, heating_setpoint_degc=theta,
                               return_hourly=False).annual_heating_kwh

    need_h, need_h0, loss_h = run(hp), run(hp0), run(hp_loss)
    m = compute_heating_need(dwellings, climate=monthly_climate, params=hb)
    need_m = m["heating_need_kwh"].to_numpy()
    loss_m = m["heat_loss_kwh"].to_numpy()
    net = build_network(dwellings, hp)
    h_tr = net.h_tr_w_w_per_k + net.h_tr_op_w_per_k
    with np.errstate(divide="ignore", invalid="ignore"):
        series = net.h_tr_is_w_per_k * h_tr / (net.h_tr_is_w_per_k + h_tr)
        ss = (net.h_ve_w_per_k + series) / (net.h_ve_w_per_k + h_tr)
    out = pd.DataFrame(index=dwellings.index)
    if "dwelling_id" in dwellings.columns:
        out["dwelling_id"] = dwellings["dwelling_id"].to_numpy()
    out["typology"] = dwellings["typology"].astype("string").to_numpy()
    out["tabula_period"] = dwellings["tabula_period"].astype("string").to_numpy()
    out["monthly_loss_kwh"] = loss_m
    out["monthly_gain_used_kwh"] = loss_m - need_m
    out["monthly_opaque_sky_kwh"] = 0.0
    out["hourly_loss_kwh"] = loss_h
    out["hourly_gain_used_kwh"] = loss_h - need_h0
    out["hourly_opaque_sky_kwh"] = need_h - need_h0
    out["d_loss_kwh"] = loss_h - loss_m
    out["d_gain_used_kwh"] = -(out["hourly_gain_used_kwh"] - out["monthly_gain_used_kwh"])
    out["d_opaque_sky_kwh"] = out["hourly_opaque_sky_kwh"]
    out["heating_need_monthly_kwh"] = need_m
    out["heating_need_hourly_kwh"] = need_h
    out["steady_state_loss_frac"] = ss
    return out


def summarise_explanation(explained: pd.DataFrame) -> pd.DataFrame:
    """Sums of :func:`explain_monthly_hourly` per typology x period and overall, each term also
    as a share of the monthly need (``<term>_frac``); the shares add up to hourly/monthly - 1."""
    cols = ["heating_need_monthly_kwh", "heating_need_hourly_kwh", "d_loss_kwh",
            "d_gain_used_kwh", "d_opaque_sky_kwh"]
    ok = explained.dropna(subset=cols)
    g = ok.groupby(["typology", "tabula_period"], sort=True)[cols].sum().reset_index()
    allrow = pd.DataFrame([{"typology": "all", "tabula_period": "all", **ok[cols].sum()}])
    out = pd.concat([g, allrow], ignore_index=True)
    med = ok.groupby(["typology", "tabula_period"])["steady_state_loss_frac"].median()
    out["steady_state_loss_frac_median"] = [
        med.get((t, p), np.nan) if t != "all" else ok["steady_state_loss_frac"].median()
        for t, p in zip(out["typology"], out["tabula_period"], strict=True)]
    m = out["heating_need_monthly_kwh"].where(out["heating_need_monthly_kwh"] > 0)
    out["ratio_of_sums"] = out["heating_need_hourly_kwh"] / m
    for c in ("d_loss_kwh", "d_gain_used_kwh", "d_opaque_sky_kwh"):
        out[c.replace("_kwh", "_frac")] = out[c] / m
    return out


__all__ = [
    "DWELLING_COLUMNS", "LEVELS", "MAP_KEYS", "PEAK_COLUMNS", "HeatPumpLoads", "area_codes",
    "area_layer",
    "EXPLAIN_TERMS", "baseline_diversity_frac", "coincident_peaks", "compare_monthly_hourly",
    "dwellings_in_year", "explain_monthly_hourly", "summarise_explanation",
    "heat_pump_loads", "hp_diversity_frac", "peak_table", "sum_by_area",
]
