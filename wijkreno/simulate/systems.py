"""Energy systems: from heating and hot-water need to final and primary energy, EPC score and
label, energy cost and CO2 (two factor sets side by side).

Per dwelling (parameters in ``wijkreno/params/energy_systems.toml``, carriers gas, oil,
electricity, wood):

- heat the generator delivers  Q_gen = Q_H,nd / (η_em · η_dist · η_ctrl)
- heat-pump part               E_el  = s_hp · Q_gen / SCOP(θ_supply)   (SCOP linear in θ_supply)
- fuel / direct part           E_c   = (1 − s_hp) · Q_gen / η_gen       (carrier of the system)
- auxiliary electricity        E_aux = f_aux · Q_gen
- hot water                    E_dhw = Q_W,nd · (1 − f_sol) / η_dhw     (carrier of the DHW system)
- primary energy               E_p   = Σ_c f_p,c · E_c
- EPC score                    E_p / A_heated  [kWh m⁻² yr⁻¹]  (heating + DHW + auxiliaries; no
  PV, cooling or overheating penalty in this version)
- cost                         Σ_c price_c · E_c + fixed fee of every carrier the dwelling uses
- CO2                          Σ_c k_c · E_c for the Flemish and the Covenant-of-Mayors factors

The structure is the QuantEcon numba pattern: :func:`compute_energy_arrays` checks and coerces the
inputs and calls the private kernel in :mod:`wijkreno.simulate._systems_kernels`;
:func:`energy_results_reference` is the readable NumPy version of the same algorithm.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.simulate import _systems_kernels as _k
from wijkreno.simulate.params import CARRIERS, SystemParams, default_system_params
from wijkreno.twin.schema import HEATING_SYSTEMS

log = logging.getLogger(__name__)

INVALID_REASONS: tuple[str, ...] = (
    "",
    "unknown or missing heating_system",
    "unknown dhw_system",
    "heating need missing, negative or not finite",
    "hot-water need missing, negative or not finite",
    "heated_floor_area_m2 missing or not positive",
    "emitter temperature missing for a heat pump",
    "dhw solar fraction outside 0-1",
)
"""Reason codes of rows the systems stage cannot compute (code 0 = valid); the first that applies
is reported."""

RESULT_COLUMNS: tuple[str, ...] = (
    "final_gas_kwh",
    "final_oil_kwh",
    "final_electricity_kwh",
    "final_wood_kwh",
    "auxiliary_electricity_kwh",
    "primary_energy_kwh",
    "epc_score_kwh_per_m2",
    "energy_cost_eur",
    "co2_flemish_kg_co2",
    "co2_com_kg_co2",
)
"""Numeric result columns, in the order of the kernel's output table (minus nothing)."""

_OUT_TO_COLUMN = {
    _k.OUT_FINAL + 0: "final_gas_kwh",
    _k.OUT_FINAL + 1: "final_oil_kwh",
    _k.OUT_FINAL + 2: "final_electricity_kwh",
    _k.OUT_FINAL + 3: "final_wood_kwh",
    _k.OUT_AUX: "auxiliary_electricity_kwh",
    _k.OUT_PRIMARY: "primary_energy_kwh",
    _k.OUT_SCORE: "epc_score_kwh_per_m2",
    _k.OUT_COST: "energy_cost_eur",
    _k.OUT_CO2_FLEMISH: "co2_flemish_kg_co2",
    _k.OUT_CO2_COM: "co2_com_kg_co2",
}


@dataclass(frozen=True)
class SystemTables:
    """Plain-array lookup tables built once from :class:`SystemParams` (codes = positions)."""

    h_carrier: np.ndarray
    h_generation_eff: np.ndarray
    h_chain_eff: np.ndarray
    h_hp_share: np.ndarray
    h_aux_frac: np.ndarray
    scop_t: np.ndarray
    scop_v: np.ndarray
    scop_n: np.ndarray
    d_carrier: np.ndarray
    d_eff: np.ndarray
    factors: np.ndarray
    heating_names: tuple[str, ...]
    dhw_names: tuple[str, ...]
    default_dhw_code: np.ndarray


def system_tables(params: SystemParams | None = None) -> SystemTables:
    """Lookup tables of the kernel: one row per heating / DHW system, one column per carrier.

    Parameters
    ----------
    params : SystemParams, optional
        Defaults to the packaged parameters.

    Returns
    -------
    SystemTables
    """
    p = params or default_system_params()
    names = HEATING_SYSTEMS
    systems = [p.heating_systems[s] for s in names]
    n_pts = max(len(s.scop.value) for s in systems)
    scop_t = np.zeros((len(names), n_pts))
    scop_v = np.ones((len(names), n_pts))
    for i, s in enumerate(systems):
        k = len(s.scop.value)
        scop_t[i, :k] = s.scop.supply_temperature_degc
        scop_v[i, :k] = s.scop.value
        scop_t[i, k:] = s.scop.supply_temperature_degc[-1]
        scop_v[i, k:] = s.scop.value[-1]
    dhw_names = p.dhw_system_names
    dhw_index = {n: i for i, n in enumerate(dhw_names)}
    defaults = p.default_dhw_system.model_dump(exclude={"source", "date"})
    # gas is billed, metered and counted by the EPB on gross calorific value (GCV); the
    # engine's gas use is on net (NCV): price and primary factor apply to the GCV figure
    gcv = p.settings.gas_gcv_per_ncv.value
    pef, price = p.primary_energy_factors.as_tuple(), p.prices_eur_per_kwh.as_tuple()
    factors = np.array(
        [
            (pef[0] * gcv, *pef[1:]),
            (price[0] * gcv, *price[1:]),
            p.co2_flemish.as_tuple(),
            p.co2_com.as_tuple(),
            p.fixed_fee_eur_per_year.as_tuple(),
        ],
        dtype=np.float64,
    )
    return SystemTables(
        h_carrier=np.array([CARRIERS.index(s.carrier) for s in systems], dtype=np.int64),
        h_generation_eff=np.array([s.generation_efficiency.value for s in systems]),
        h_chain_eff=np.array([s.chain_efficiency for s in systems]),
        h_hp_share=np.array([s.heat_pump_share.value for s in systems]),
        h_aux_frac=np.array([s.auxiliary_electricity_frac.value for s in systems]),
        scop_t=np.ascontiguousarray(scop_t),
        scop_v=np.ascontiguousarray(scop_v),
        scop_n=np.array([len(s.scop.value) for s in systems], dtype=np.int64),
        d_carrier=np.array(
            [CARRIERS.index(p.dhw_systems[d].carrier) for d in dhw_names], dtype=np.int64
        ),
        d_eff=np.array([p.dhw_systems[d].efficiency.value for d in dhw_names]),
        factors=factors,
        heating_names=names,
        dhw_names=dhw_names,
        default_dhw_code=np.array([dhw_index[defaults[s]] for s in names], dtype=np.int64),
    )


def seasonal_cop(
    heating_system: str,
    supply_temperature_degc: float | Sequence[float] | np.ndarray,
    *,
    params: SystemParams | None = None,
) -> np.ndarray:
    """Seasonal COP of a heating system's heat pump at a supply (emitter) temperature.

    Parameters
    ----------
    heating_system : str
        One of :data:`wijkreno.twin.schema.HEATING_SYSTEMS`.
    supply_temperature_degc : float or array_like
        Design supply temperature of the emitters [°C].
    params : SystemParams, optional

    Returns
    -------
    numpy.ndarray
        SCOP [-], linear between the parameter file's points, constant beyond them.
    """
    p = params or default_system_params()
    if heating_system not in p.heating_systems:
        raise InputError(
            f"unknown heating system {heating_system!r}; use one of {list(HEATING_SYSTEMS)}"
        )
    curve = p.heating_systems[heating_system].scop
    return np.interp(
        np.asarray(supply_temperature_degc, dtype=np.float64),
        curve.supply_temperature_degc,
        curve.value,
    )


def epc_label(
    score_kwh_per_m2: float | Sequence[float] | np.ndarray | pd.Series,
    *,
    params: SystemParams | None = None,
) -> pd.Categorical:
    """EPC label of an EPC score (Flemish residential classes, epcattest.be).

    A+ is a score strictly below 0; every other class includes its upper bound: 0 and 100 are
    A, 100.01 is B, 500 is E, above 500 is F.

    Parameters
    ----------
    score_kwh_per_m2 : float or array_like
        EPC score: primary energy per m² heated floor area per year [kWh m⁻² yr⁻¹].
    params : SystemParams, optional
        Holds the class bounds (``epc_labels``).

    Returns
    -------
    pandas.Categorical
        Ordered categorical A+ < A < … < F (better labels compare smaller); NaN for a missing
        score.

    Examples
    --------
    >>> list(epc_label([-5.0, 0.0, 100.0, 100.5, 501.0]))
    ['A+', 'A', 'A', 'B', 'F']
    """
    p = params or default_system_params()
    labels = p.epc_labels.labels
    bounds = np.asarray(p.epc_labels.upper_bounds_kwh_per_m2, dtype=np.float64)
    score = np.atleast_1d(np.asarray(score_kwh_per_m2, dtype=np.float64))
    # side="left": a score equal to a bound falls in the class below it (upper bound inclusive);
    # the first bound is the exception (A+ strictly below it), handled by the where.
    codes = np.where(score < bounds[0], 0, np.searchsorted(bounds[1:], score, side="left") + 1)
    codes = np.where(np.isnan(score), -1, codes)
    return pd.Categorical.from_codes(codes, categories=list(labels), ordered=True)


def _as_float_array(values, n: int, what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise InputError(f"{what} has shape {arr.shape}, expected ({n},): one value per dwelling")
    return np.ascontiguousarray(arr)


def _invalid_reason_codes(
    t: SystemTables,
    heating_need_kwh: np.ndarray,
    dhw_need_kwh: np.ndarray,
    floor_area_m2: np.ndarray,
    heating_code: np.ndarray,
    dhw_code: np.ndarray,
    emitter_temperature_degc: np.ndarray,
    dhw_solar_frac: np.ndarray,
) -> np.ndarray:
    n_h, n_d = len(t.heating_names), len(t.dhw_names)
    bad_h = (heating_code < 0) | (heating_code >= n_h)
    safe_h = np.where(bad_h, 0, heating_code)
    checks = [
        bad_h,
        (dhw_code < 0) | (dhw_code >= n_d),
        ~(np.isfinite(heating_need_kwh) & (heating_need_kwh >= 0)),
        ~(np.isfinite(dhw_need_kwh) & (dhw_need_kwh >= 0)),
        ~(np.isfinite(floor_area_m2) & (floor_area_m2 > 0)),
        (t.h_hp_share[safe_h] > 0) & ~np.isfinite(emitter_temperature_degc),
        ~((dhw_solar_frac >= 0) & (dhw_solar_frac <= 1)),
    ]
    reason = np.zeros(heating_need_kwh.shape[0], dtype=np.int8)
    # Reverse order so that the first check that applies wins.
    for code in range(len(checks), 0, -1):
        reason[checks[code - 1]] = code
    return reason


def carrier_accounts_reference(
    final_kwh: np.ndarray, factors: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NumPy reference of the per-carrier accounting (the kernel ``carrier_accounts``).

    Parameters
    ----------
    final_kwh : numpy.ndarray
        (..., 4) final energy of gas, oil, electricity and wood [kWh].
    factors : numpy.ndarray
        (5, 4) factor table of :class:`SystemTables` (rows primary energy factor [kWh/kWh],
        price [EUR/kWh], CO2 Flemish and CoM [kg/kWh], fixed fee of a carrier in use [EUR]).

    Returns
    -------
    primary, variable, fixed, co2_flemish, co2_com : numpy.ndarray
        Primary energy [kWh], variable cost [EUR], fixed fees [EUR] (a carrier's fee counts
        when its final energy is above 0), CO2 with Flemish and CoM factors [kg].
    """
    return (
        final_kwh @ factors[_k.F_PEF],
        final_kwh @ factors[_k.F_PRICE],
        (final_kwh > 0) @ factors[_k.F_FIXED_FEE],
        final_kwh @ factors[_k.F_CO2_FLEMISH],
        final_kwh @ factors[_k.F_CO2_COM],
    )


def energy_results_reference(
    heating_need_kwh: np.ndarray,
    dhw_need_kwh: np.ndarray,
    floor_area_m2: np.ndarray,
    heating_code: np.ndarray,
    dhw_code: np.ndarray,
    emitter_temperature_degc: np.ndarray,
    dhw_solar_frac: np.ndarray,
    valid: np.ndarray,
    tables: SystemTables,
) -> np.ndarray:
    """NumPy reference of the systems kernel: the same table (n × 10) the kernel writes.

    Columns: final gas, oil, electricity, wood [kWh], auxiliary electricity [kWh], primary
    energy [kWh], EPC score [kWh m⁻²], cost [EUR], CO2 Flemish and CoM [kg]. NaN rows where
    ``valid`` is false.
    """
    t = tables
    n = heating_need_kwh.shape[0]
    s = np.where(valid, heating_code, 0)
    d = np.where(valid, dhw_code, 0)
    q_gen = heating_need_kwh / t.h_chain_eff[s]
    share = t.h_hp_share[s]
    cop = np.ones(n)
    for code in range(len(t.heating_names)):
        rows = s == code
        k = t.scop_n[code]
        cop[rows] = np.interp(
            emitter_temperature_degc[rows], t.scop_t[code, :k], t.scop_v[code, :k]
        )
    final = np.zeros((n, _k.N_CARRIERS))
    rows = np.arange(n)
    hp_el = np.where(share > 0, share * q_gen / np.where(share > 0, cop, 1.0), 0.0)
    fuel = np.where(share < 1, (1 - share) * q_gen / t.h_generation_eff[s], 0.0)
    aux = t.h_aux_frac[s] * q_gen
    np.add.at(final, (rows, t.h_carrier[s]), fuel)
    final[:, _k.ELECTRICITY] += hp_el + aux
    np.add.at(final, (rows, t.d_carrier[d]), dhw_need_kwh * (1 - dhw_solar_frac) / t.d_eff[d])
    primary, variable, fixed, co2_fl, co2_com = carrier_accounts_reference(final, t.factors)
    out = np.empty((n, _k.N_OUT))
    out[:, _k.OUT_FINAL:_k.OUT_FINAL + _k.N_CARRIERS] = final
    out[:, _k.OUT_AUX] = aux
    out[:, _k.OUT_PRIMARY] = primary
    out[:, _k.OUT_SCORE] = primary / floor_area_m2
    out[:, _k.OUT_COST] = variable + fixed
    out[:, _k.OUT_CO2_FLEMISH] = co2_fl
    out[:, _k.OUT_CO2_COM] = co2_com
    out[~valid] = np.nan
    return out


def run_systems_kernel(
    heating_need_kwh: np.ndarray,
    dhw_need_kwh: np.ndarray,
    floor_area_m2: np.ndarray,
    heating_code: np.ndarray,
    dhw_code: np.ndarray,
    emitter_temperature_degc: np.ndarray,
    dhw_solar_frac: np.ndarray,
    valid: np.ndarray,
    tables: SystemTables,
    *,
    parallel: bool = True,
) -> np.ndarray:
    """Call the numba kernel on prepared arrays (same arguments as the NumPy reference)."""
    t = tables
    out = np.empty((heating_need_kwh.shape[0], _k.N_OUT), dtype=np.float64)
    args = (
        np.ascontiguousarray(heating_need_kwh, dtype=np.float64),
        np.ascontiguousarray(dhw_need_kwh, dtype=np.float64),
        np.ascontiguousarray(floor_area_m2, dtype=np.float64),
        np.ascontiguousarray(heating_code, dtype=np.int64),
        np.ascontiguousarray(dhw_code, dtype=np.int64),
        np.ascontiguousarray(emitter_temperature_degc, dtype=np.float64),
        np.ascontiguousarray(dhw_solar_frac, dtype=np.float64),
        np.ascontiguousarray(valid, dtype=np.bool_),
        t.h_carrier, t.h_generation_eff, t.h_chain_eff, t.h_hp_share, t.h_aux_frac,
        t.scop_t, t.scop_v, t.scop_n, t.d_carrier, t.d_eff, t.factors, out,
    )
    if parallel:
        _k.energy_results_kernel(*args)
    else:
        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            _k.energy_results_kernel(*args)
        finally:
            numba.set_num_threads(threads)
    return out


def compute_energy_arrays(
    heating_need_kwh: np.ndarray,
    dhw_need_kwh: np.ndarray,
    floor_area_m2: np.ndarray,
    heating_code: np.ndarray,
    dhw_code: np.ndarray | None = None,
    emitter_temperature_degc: float | np.ndarray | None = None,
    dhw_solar_frac: float | np.ndarray = 0.0,
    *,
    params: SystemParams | None = None,
    parallel: bool = True,
) -> dict[str, np.ndarray]:
    """Array-level systems stage: need → final, primary, score, cost, CO2 for n dwellings.

    Parameters
    ----------
    heating_need_kwh : (n,) array
        Yearly space-heating need Q_H,nd [kWh].
    dhw_need_kwh : (n,) array
        Yearly domestic-hot-water need Q_W,nd [kWh].
    floor_area_m2 : (n,) array
        Heated floor area [m²].
    heating_code : (n,) int array
        Position of the heating system in :data:`wijkreno.twin.schema.HEATING_SYSTEMS`; -1 for
        unknown.
    dhw_code : (n,) int array, optional
        Position in ``params.dhw_system_names``; -1 (or None for all) uses the default DHW
        system of the heating system.
    emitter_temperature_degc : float or (n,) array, optional
        Supply temperature of the emitters [°C]; default the parameter file's setting.
    dhw_solar_frac : float or (n,) array
        Share of the DHW need covered by a solar water heater [-].
    params : SystemParams, optional
    parallel : bool
        Run the kernel on all numba threads.

    Returns
    -------
    dict of numpy.ndarray
        One array per name in :data:`RESULT_COLUMNS`, plus ``valid`` (bool) and
        ``invalid_reason_code`` (int8, index into :data:`INVALID_REASONS`).
    """
    p = params or default_system_params()
    t = system_tables(p)
    need = np.ascontiguousarray(np.asarray(heating_need_kwh, dtype=np.float64))
    if need.ndim != 1:
        raise InputError(f"heating_need_kwh must be one-dimensional, got shape {need.shape}")
    n = need.shape[0]
    dhw = _as_float_array(dhw_need_kwh, n, "dhw_need_kwh")
    area = _as_float_array(floor_area_m2, n, "floor_area_m2")
    h_code = np.asarray(heating_code)
    if h_code.shape != (n,) or not np.issubdtype(h_code.dtype, np.integer):
        raise InputError(
            f"heating_code must be an integer array of shape ({n},), got {h_code.dtype} "
            f"{h_code.shape}"
        )
    h_code = h_code.astype(np.int64)
    default_d = _default_dhw_codes(h_code, t)
    if dhw_code is None:
        d_code = default_d
    else:
        d_code = np.asarray(dhw_code).astype(np.int64)
        if d_code.shape != (n,):
            raise InputError(f"dhw_code has shape {d_code.shape}, expected ({n},)")
        d_code = np.where(d_code == -1, default_d, d_code)
    if emitter_temperature_degc is None:
        emitter_temperature_degc = p.settings.default_emitter_temperature_degc.value
    temp = _as_float_array(emitter_temperature_degc, n, "emitter_temperature_degc")
    solar = _as_float_array(dhw_solar_frac, n, "dhw_solar_frac")
    reason = _invalid_reason_codes(t, need, dhw, area, h_code, d_code, temp, solar)
    valid = reason == 0
    out = run_systems_kernel(need, dhw, area, h_code, d_code, temp, solar, valid, t,
                             parallel=parallel)
    result = {_OUT_TO_COLUMN[j]: out[:, j] for j in range(_k.N_OUT)}
    result["valid"] = valid
    result["invalid_reason_code"] = reason
    return result


def _codes_from_column(values: pd.Series, names: Sequence[str]) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(names)}
    return values.astype("object").map(lookup).fillna(-1).to_numpy(dtype=np.int64)


def compute_energy_results(
    dwellings: pd.DataFrame,
    heating_need_kwh: np.ndarray,
    dhw_need_kwh: np.ndarray,
    *,
    params: SystemParams | None = None,
    emitter_temperature_degc: float | np.ndarray | None = None,
    parallel: bool = True,
) -> pd.DataFrame:
    """Final energy per carrier, primary energy, EPC score and label, cost and CO2 per dwelling.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        Needs ``heating_system`` (one of :data:`~wijkreno.twin.schema.HEATING_SYSTEMS`) and
        ``heated_floor_area_m2`` [m²]. Optional: ``dhw_system`` (a name of
        ``params.dhw_systems``; missing → the heating system's default), ``dhw_solar_frac``
        [-] or ``solar_water_heater`` (bool → the parameter file's solar fraction),
        ``emitter_temperature_degc`` [°C].
    heating_need_kwh : (n,) array
        Yearly space-heating need per dwelling, in the order of ``dwellings`` [kWh].
    dhw_need_kwh : (n,) array
        Yearly hot-water need per dwelling [kWh].
    params : SystemParams, optional
        Defaults to the packaged ``energy_systems.toml``.
    emitter_temperature_degc : float or (n,) array, optional
        Supply temperature [°C]; overrides a column of the same name; default the setting.
    parallel : bool

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``: ``heating_system``, ``dhw_system``,
        ``emitter_temperature_degc``, the :data:`RESULT_COLUMNS` (``final_gas_kwh``,
        ``final_oil_kwh``, ``final_electricity_kwh`` (auxiliaries included),
        ``final_wood_kwh``, ``auxiliary_electricity_kwh``, ``primary_energy_kwh``,
        ``epc_score_kwh_per_m2``, ``energy_cost_eur``, ``co2_flemish_kg_co2``,
        ``co2_com_kg_co2``), ``final_gas_gcv_kwh`` (gas on gross calorific value, as meters and
        bills count it; ``final_gas_kwh`` is on net calorific value, as the physics uses;
        ``energy_cost_eur`` prices the gross figure), ``epc_label`` (ordered categorical),
        ``valid`` and ``invalid_reason`` ("" when valid). Invalid rows hold NaN and are counted
        in a warning.

    Raises
    ------
    InputError
        When a required column is missing or the need arrays do not match the rows.
    """
    p = params or default_system_params()
    missing = [c for c in ("heating_system", "heated_floor_area_m2") if c not in dwellings.columns]
    if missing:
        raise InputError(
            f"the dwellings frame lacks the columns {missing} needed by the systems stage; "
            "build it with wijkreno.twin.build_twin or add them"
        )
    n = len(dwellings)
    need = np.asarray(heating_need_kwh, dtype=np.float64)
    dhw = np.asarray(dhw_need_kwh, dtype=np.float64)
    for name, arr in (("heating_need_kwh", need), ("dhw_need_kwh", dhw)):
        if arr.shape != (n,):
            raise InputError(
                f"{name} has shape {arr.shape} but the dwellings frame has {n} rows; pass one "
                "value per dwelling in the frame's order"
            )
    heating_code = _codes_from_column(dwellings["heating_system"], HEATING_SYSTEMS)
    if "dhw_system" in dwellings.columns:
        dhw_col = dwellings["dhw_system"]
        dhw_code = _codes_from_column(dhw_col, p.dhw_system_names)
        # A named but unknown DHW system is an error of the row (-2), a missing one takes the
        # heating system's default (-1).
        dhw_code = np.where((dhw_code == -1) & dhw_col.notna().to_numpy(), -2, dhw_code)
    else:
        dhw_code = np.full(n, -1, dtype=np.int64)
    if emitter_temperature_degc is None and "emitter_temperature_degc" in dwellings.columns:
        emitter_temperature_degc = dwellings["emitter_temperature_degc"].to_numpy(
            dtype=np.float64, na_value=np.nan
        )
    if "dhw_solar_frac" in dwellings.columns:
        solar = dwellings["dhw_solar_frac"].to_numpy(dtype=np.float64, na_value=0.0)
    elif "solar_water_heater" in dwellings.columns:
        has = dwellings["solar_water_heater"].fillna(False).to_numpy(dtype=bool)
        solar = np.where(has, p.settings.solar_water_heater_frac.value, 0.0)
    else:
        solar = 0.0
    area = dwellings["heated_floor_area_m2"].to_numpy(dtype=np.float64, na_value=np.nan)
    res = compute_energy_arrays(
        need, dhw, area, heating_code, dhw_code, emitter_temperature_degc, solar,
        params=p, parallel=parallel,
    )
    t_default = p.settings.default_emitter_temperature_degc.value
    temp = _as_float_array(
        t_default if emitter_temperature_degc is None else emitter_temperature_degc, n,
        "emitter_temperature_degc",
    )
    d_used = np.where(dhw_code == -1, _default_dhw_codes(heating_code, system_tables(p)), dhw_code)
    dhw_names = np.array(p.dhw_system_names + (None,), dtype=object)
    out = pd.DataFrame(index=dwellings.index)
    out["heating_system"] = pd.Categorical.from_codes(
        np.where(heating_code >= 0, heating_code, -1), categories=list(HEATING_SYSTEMS)
    )
    out["dhw_system"] = pd.Categorical(
        dhw_names[np.where(d_used >= 0, d_used, len(p.dhw_system_names))],
        categories=list(p.dhw_system_names),
    )
    out["emitter_temperature_degc"] = temp
    for col in RESULT_COLUMNS:
        out[col] = res[col]
    out["final_gas_gcv_kwh"] = gas_gross_kwh(res["final_gas_kwh"], p)
    out["epc_label"] = epc_label(res["epc_score_kwh_per_m2"], params=p)
    out["valid"] = res["valid"]
    out["invalid_reason"] = np.array(INVALID_REASONS, dtype=object)[res["invalid_reason_code"]]
    _log_invalid(res["invalid_reason_code"])
    return out


def gas_gross_kwh(final_gas_kwh: Any, params: SystemParams | None = None) -> np.ndarray:
    """Gas use on gross calorific value [kWh GCV] from the engine's net figure [kWh NCV].

    Meters (Fluvius) and bills count gas in kWh on the gross (upper) calorific value; the
    engine's efficiencies and ``final_gas_kwh`` are on the net (lower) value.
    ``settings.gas_gcv_per_ncv`` of ``energy_systems.toml`` holds the ratio and its source.
    """
    p = params or default_system_params()
    return np.asarray(final_gas_kwh, dtype=np.float64) * p.settings.gas_gcv_per_ncv.value


def _default_dhw_codes(heating_code: np.ndarray, t: SystemTables) -> np.ndarray:
    """DHW code of each heating system's default DHW system; -1 for an unknown heating system."""
    n_h = len(t.heating_names)
    ok = (heating_code >= 0) & (heating_code < n_h)
    return np.where(ok, t.default_dhw_code[np.clip(heating_code, 0, n_h - 1)], -1)


def _log_invalid(reason_code: np.ndarray) -> None:
    counts = np.bincount(reason_code.astype(np.int64), minlength=len(INVALID_REASONS))
    if counts[1:].sum():
        detail = ", ".join(
            f"{INVALID_REASONS[i]}: {int(c)}" for i, c in enumerate(counts) if i and c
        )
        log.warning(
            "systems stage: %d of %d dwellings not computed (%s)",
            int(counts[1:].sum()), len(reason_code), detail,
        )
