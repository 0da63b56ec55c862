"""Entry point of the per-dwelling energy engine: heat balance + energy systems.

:func:`simulate_dwellings` runs the monthly heat balance
(:func:`wijkreno.simulate.heat_balance.compute_heating_need`) and the systems stage
(:func:`wijkreno.simulate.systems.compute_energy_results`) on the twin's ``dwellings`` table and
returns one row per dwelling, indexed like the input. :func:`simulate_arrays` is the same chain on
plain arrays (what the benchmark times), :func:`summarise_results` the figures a report or the CLI
shows. All figures are *standardised* (EPC-style boundary conditions), not calibrated to metered
use.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.simulate import _engine_kernels as _ek
from wijkreno.simulate.heat_balance import _HI as _HB_HI
from wijkreno.simulate.heat_balance import _LO as _HB_LO
from wijkreno.simulate.heat_balance import (
    REQUIRED_COLUMNS,
    HeatBalanceParams,
    check_inputs,
    compute_heating_need,
)
from wijkreno.simulate.heat_balance import _prepare as _prepare_balance
from wijkreno.simulate.params import CARRIERS, SystemParams, default_system_params
from wijkreno.simulate.systems import (
    RESULT_COLUMNS,
    compute_energy_results,
    gas_gross_kwh,
    system_tables,
)

if TYPE_CHECKING:
    from wijkreno.simulate.climate import MonthlyClimate

log = logging.getLogger(__name__)

KEY_COLUMNS: tuple[str, ...] = ("dwelling_id", "gebouw_id")
"""Keys copied from the dwellings table so results join back to the twin."""

HEAT_BALANCE_REASON = "heat balance: envelope input missing or out of range"

SUMMED_COLUMNS: tuple[str, ...] = (
    "heating_need_kwh",
    "dhw_need_kwh",
    "final_gas_kwh",
    "final_gas_gcv_kwh",
    "final_oil_kwh",
    "final_electricity_kwh",
    "final_wood_kwh",
    "primary_energy_kwh",
    "energy_cost_eur",
    "co2_flemish_kg_co2",
    "co2_com_kg_co2",
)
"""Columns :func:`summarise_results` totals over the valid dwellings."""


def _heat_balance_reasons(dwellings: pd.DataFrame, hb_valid: np.ndarray) -> np.ndarray:
    """Per-row reason for rows the heat balance rejected: the first input column at fault."""
    reasons = np.full(len(dwellings), "", dtype=object)
    bad = ~hb_valid
    if not bad.any():
        return reasons
    reasons[bad] = HEAT_BALANCE_REASON
    unexplained = bad.copy()
    # Loop over ~23 columns, not over dwellings.
    for col in REQUIRED_COLUMNS:
        values = pd.to_numeric(dwellings[col], errors="coerce").to_numpy(dtype=np.float64)
        fault = unexplained & ~(np.isfinite(values) & (values >= 0))
        if fault.any():
            reasons[fault] = f"heat balance: {col} missing, negative or not finite"
            unexplained &= ~fault
    return reasons


def simulate_dwellings(
    dwellings: pd.DataFrame,
    *,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
    parallel: bool = True,
) -> pd.DataFrame:
    """Simulate every dwelling: heating and hot-water need, final and primary energy, EPC.

    Parameters
    ----------
    dwellings : pandas.DataFrame or geopandas.GeoDataFrame
        The twin's ``dwellings`` table (the envelope columns of
        :data:`wijkreno.simulate.heat_balance.REQUIRED_COLUMNS`, ``heating_system``; optional
        ``dwelling_id``, ``gebouw_id``, ``dhw_system``, ``emitter_temperature_degc``,
        ``dhw_solar_frac``/``solar_water_heater``, ``typology``).
    climate : MonthlyClimate, optional
        Monthly climate; the packaged Uccle table when None.
    heat_params : HeatBalanceParams, optional
        Heat-balance parameters; packaged defaults when None.
    system_params : SystemParams, optional
        Energy-system parameters; packaged defaults when None.
    parallel : bool
        Run the numba kernels on all threads.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``: ``dwelling_id`` and ``gebouw_id`` when present,
        ``heated_floor_area_m2``, the heat
        balance's columns (``heating_need_kwh``, ``heating_need_kwh_per_m2``, ``dhw_need_kwh``,
        ``h_tr_w_per_k``, ``h_ve_w_per_k``, ``heat_loss_kwh``, ``solar_gain_kwh``,
        ``internal_gain_kwh``, ``utilisation_frac``), the systems stage's columns
        (``heating_system``, ``dhw_system``, ``emitter_temperature_degc``, ``final_*_kwh``,
        ``auxiliary_electricity_kwh``, ``primary_energy_kwh``, ``epc_score_kwh_per_m2``,
        ``epc_label``, ``energy_cost_eur``, ``co2_flemish_kg_co2``, ``co2_com_kg_co2``), then
        ``valid`` (bool) and ``invalid_reason`` ("" when valid). ``attrs["invalid_counts"]``
        holds ``{reason: rows}``, ``attrs["basis"]`` is ``"standardised"``.

    Raises
    ------
    InputError
        When required columns are missing.
    """
    missing = [c for c in (*REQUIRED_COLUMNS, "heating_system") if c not in dwellings.columns]
    if missing:
        raise InputError(
            f"the dwellings table lacks the columns {missing} the energy engine needs; build it "
            "with wijkreno.twin.build_twin (or wijkreno.io.genk.read_genk_teaser) or add them."
        )
    hb = compute_heating_need(dwellings, climate=climate, params=heat_params, parallel=parallel)
    hb_valid = hb["valid"].to_numpy(dtype=bool)
    # Rows the heat balance rejected reach the systems stage as NaN need; their reason is the
    # heat balance's, not "heating need missing".
    sysr = compute_energy_results(
        dwellings,
        hb["heating_need_kwh"].to_numpy(dtype=np.float64),
        hb["dhw_need_kwh"].to_numpy(dtype=np.float64),
        params=system_params,
        parallel=parallel,
    )
    out = pd.DataFrame(index=dwellings.index)
    for key in KEY_COLUMNS:
        if key in dwellings.columns:
            out[key] = dwellings[key].to_numpy()
    out["heated_floor_area_m2"] = dwellings["heated_floor_area_m2"].to_numpy(dtype=np.float64)
    for col in hb.columns:
        if col != "valid":
            out[col] = hb[col].to_numpy()
    for col in sysr.columns:
        if col not in ("valid", "invalid_reason"):
            out[col] = sysr[col].to_numpy() if col != "epc_label" else sysr[col]
    reasons = _heat_balance_reasons(dwellings, hb_valid)
    sys_reason = sysr["invalid_reason"].to_numpy(dtype=object)
    reasons = np.where(hb_valid, sys_reason, reasons)
    valid = hb_valid & sysr["valid"].to_numpy(dtype=bool)
    out["valid"] = valid
    out["invalid_reason"] = reasons
    counts = pd.Series(reasons[~valid]).value_counts()
    out.attrs["invalid_counts"] = {str(k): int(v) for k, v in counts.items()}
    out.attrs["basis"] = "standardised"
    if (~valid).any():
        log.warning(
            "energy engine: %d of %d dwellings not simulated (%s)",
            int((~valid).sum()), len(out),
            ", ".join(f"{k}: {v}" for k, v in out.attrs["invalid_counts"].items()),
        )
    return out


def _per_dwelling_or_one(values: Any, n: int, what: str) -> np.ndarray:
    """A float (n,) array, or a (1,) array for one value for all (the kernel broadcasts)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        return arr.reshape(1)
    if arr.shape != (n,):
        raise InputError(f"{what} has shape {arr.shape}, expected ({n},): one value per dwelling")
    return np.ascontiguousarray(arr)


def simulate_arrays(
    inputs: Mapping[str, Any] | pd.DataFrame | np.ndarray,
    heating_code: np.ndarray,
    *,
    dhw_code: np.ndarray | None = None,
    emitter_temperature_degc: float | np.ndarray | None = None,
    dhw_solar_frac: float | np.ndarray = 0.0,
    multi_unit: np.ndarray | None = None,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
    parallel: bool = True,
) -> dict[str, np.ndarray]:
    """Heat balance + systems on plain arrays (no pandas on the way): what the benchmark times.

    One fused numba kernel (:mod:`wijkreno.simulate._engine_kernels`) does, per block of
    dwellings, the monthly heat balance, the input checks of both stages, the hot-water need
    and the systems stage; the results equal those of
    :func:`~wijkreno.simulate.heat_balance.heating_need_arrays` followed by
    :func:`~wijkreno.simulate.systems.compute_energy_arrays`.

    Parameters
    ----------
    inputs : mapping, DataFrame or (n, 24) array
        Envelope inputs named as :data:`wijkreno.simulate.heat_balance.INPUT_COLUMNS`, or the
        matrix packed by :func:`wijkreno.simulate.heat_balance.pack_inputs` (used as is when
        C-contiguous float64: pack once, change columns in place, call again).
    heating_code : (n,) int array
        Position in :data:`wijkreno.twin.schema.HEATING_SYSTEMS` (-1 unknown).
    dhw_code, emitter_temperature_degc, dhw_solar_frac
        As in :func:`wijkreno.simulate.systems.compute_energy_arrays`.
    multi_unit : (n,) bool array, optional
        Dwellings in multi-unit buildings (DHW need per m² of EU.MUH; ``tabula`` convention
        only, the ``epb`` convention takes the hot water from the volume).
    climate, heat_params, system_params, parallel
        As in :func:`simulate_dwellings`.

    Returns
    -------
    dict of numpy.ndarray
        The systems stage's :data:`~wijkreno.simulate.systems.RESULT_COLUMNS` (``final_gas_kwh``,
        ``final_oil_kwh``, ``final_electricity_kwh``, ``final_wood_kwh``,
        ``auxiliary_electricity_kwh``, ``primary_energy_kwh``, ``epc_score_kwh_per_m2``,
        ``energy_cost_eur``, ``co2_flemish_kg_co2``, ``co2_com_kg_co2``), ``valid`` (both
        stages), ``invalid_reason_code`` of the systems stage (int8, index into
        :data:`~wijkreno.simulate.systems.INVALID_REASONS`; a row the heat balance rejects has
        no need: code 3 unless a system code is wrong), ``heating_need_kwh`` and
        ``dhw_need_kwh`` [kWh] (NaN where the heat balance rejected the row), then
        ``final_gas_gcv_kwh`` (gas on gross calorific value, as meters and bills count it).
        Invalid rows hold NaN results; a warning counts the heat balance's rejections by column.

    Raises
    ------
    InputError
        When columns are missing or arrays do not have one value per dwelling.
    """
    if multi_unit is not None and np.ndim(multi_unit) != 0:
        n_in = (inputs.shape[0] if isinstance(inputs, np.ndarray)
                else len(np.atleast_1d(np.asarray(inputs[REQUIRED_COLUMNS[0]]))))
        if np.shape(multi_unit) != (n_in,):
            raise InputError(
                f"multi_unit has shape {np.shape(multi_unit)}, expected ({n_in},)"
            )
    x, hparams, coef, dth, tk, isol, rate = _prepare_balance(
        inputs, climate, heat_params, multi_unit
    )
    n = x.shape[0]
    sp = system_params or default_system_params()
    t = system_tables(sp)
    h_code = np.asarray(heating_code)
    if h_code.shape != (n,) or not np.issubdtype(h_code.dtype, np.integer):
        raise InputError(
            f"heating_code must be an integer array of shape ({n},), got {h_code.dtype} "
            f"{h_code.shape}"
        )
    h_code = np.ascontiguousarray(h_code, dtype=np.int64)
    if dhw_code is None:
        d_code = np.empty(0, dtype=np.int64)  # the kernel takes each heating system's default
    else:
        d_code = np.asarray(dhw_code)
        if d_code.shape != (n,):
            raise InputError(f"dhw_code has shape {d_code.shape}, expected ({n},)")
        d_code = np.ascontiguousarray(d_code, dtype=np.int64)
    if emitter_temperature_degc is None:
        emitter_temperature_degc = sp.settings.default_emitter_temperature_degc.value
    temp = _per_dwelling_or_one(emitter_temperature_degc, n, "emitter_temperature_degc")
    solar = _per_dwelling_or_one(dhw_solar_frac, n, "dhw_solar_frac")
    rates = _per_dwelling_or_one(rate, n, "the hot-water rate")
    out = np.empty((_ek.N_EOUT, n), dtype=np.float64)
    valid = np.empty(n, dtype=np.bool_)
    reason = np.empty(n, dtype=np.int8)
    args = (
        x, coef, dth, tk, isol, _HB_LO, _HB_HI, h_code, d_code, rates, temp, solar,
        t.h_carrier, t.h_generation_eff, t.h_chain_eff, t.h_hp_share, t.h_aux_frac, t.scop_t,
        t.scop_v, t.scop_n, t.d_carrier, t.d_eff, t.factors, t.default_dhw_code, out, valid,
        reason,
    )
    if parallel:
        _ek.engine_parallel(*args, 8 * numba.get_num_threads())
    else:
        _ek.engine_serial(*args)
    if not valid.all():
        hb_valid, counts = check_inputs(x)  # detail of the heat balance's rejections, rare path
        if counts:
            log.warning(
                "heat balance: %d of %d rows rejected (%s)", int((~hb_valid).sum()), n,
                ", ".join(f"{k}: {v}" for k, v in counts.items()),
            )
    res = {col: out[_ek.E_SYS + j] for j, col in enumerate(RESULT_COLUMNS)}
    res["valid"] = valid
    res["invalid_reason_code"] = reason
    res["heating_need_kwh"] = out[_ek.E_HEATING_NEED]
    res["dhw_need_kwh"] = out[_ek.E_DHW_NEED]
    res["final_gas_gcv_kwh"] = gas_gross_kwh(res["final_gas_kwh"], sp)
    return res


def summarise_results(
    results: pd.DataFrame, *, params: SystemParams | None = None
) -> dict[str, Any]:
    """Summary figures of a simulation (JSON-serialisable).

    Parameters
    ----------
    results : pandas.DataFrame
        Output of :func:`simulate_dwellings` (or of the systems stage with the need columns).
    params : SystemParams, optional
        For the list of EPC labels.

    Returns
    -------
    dict
        ``basis`` ("standardised"), ``n_dwellings``, ``n_valid``, ``n_invalid``,
        ``invalid_reasons`` {reason: rows}, ``label_counts`` {label: rows} and
        ``label_shares_frac`` {label: share of valid rows} for every label A+ … F,
        ``epc_score_mean_kwh_per_m2``, ``epc_score_median_kwh_per_m2``,
        ``epc_score_floor_weighted_kwh_per_m2`` (total primary energy / total floor area when
        ``heated_floor_area_m2`` is given, else None), and ``totals`` over valid rows of
        :data:`SUMMED_COLUMNS` present in ``results`` (need, final energy per carrier, primary
        energy [kWh], cost [EUR], CO2 both sets [kg]).
    """
    p = params or default_system_params()
    labels = p.epc_labels.labels
    valid = (
        results["valid"].to_numpy(dtype=bool) if "valid" in results.columns
        else np.ones(len(results), dtype=bool)
    )
    ok = results.loc[valid]
    n_valid = int(valid.sum())
    counts = ok["epc_label"].astype("object").value_counts()
    label_counts = {lab: int(counts.get(lab, 0)) for lab in labels}
    shares = {lab: (c / n_valid if n_valid else 0.0) for lab, c in label_counts.items()}
    score = ok["epc_score_kwh_per_m2"].to_numpy(dtype=np.float64)
    reasons: dict[str, int] = {}
    if "invalid_reason" in results.columns:
        vc = results.loc[~valid, "invalid_reason"].value_counts()
        reasons = {str(k): int(v) for k, v in vc.items()}
    weighted = None
    if "heated_floor_area_m2" in ok.columns and n_valid:
        area = float(ok["heated_floor_area_m2"].sum())
        weighted = float(ok["primary_energy_kwh"].sum() / area) if area > 0 else None
    totals = {c: float(ok[c].sum()) for c in SUMMED_COLUMNS if c in ok.columns}
    return {
        "basis": "standardised",
        "n_dwellings": int(len(results)),
        "n_valid": n_valid,
        "n_invalid": int(len(results) - n_valid),
        "invalid_reasons": reasons,
        "label_counts": label_counts,
        "label_shares_frac": shares,
        "epc_score_mean_kwh_per_m2": float(np.mean(score)) if n_valid else None,
        "epc_score_median_kwh_per_m2": float(np.median(score)) if n_valid else None,
        "epc_score_floor_weighted_kwh_per_m2": weighted,
        "carriers": list(CARRIERS),
        "totals": totals,
    }


__all__ = [
    "KEY_COLUMNS",
    "RESULT_COLUMNS",
    "simulate_arrays",
    "simulate_dwellings",
    "summarise_results",
]
