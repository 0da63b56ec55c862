"""Expected real use: from the standardised (EPC-style) calculation to what a household uses.

The standardised calculation assumes the same comfort everywhere; households in poor dwellings
heat fewer rooms, for fewer hours, to a lower temperature (the *prebound* effect), and households
in very efficient dwellings sometimes use more than calculated (*rebound*). Published studies of
labelled dwellings relate the ratio measured/calculated to the calculated rating (Sunikka-Blank
& Galvin 2012, Germany; Majcen, Itard & Visscher 2013, the Netherlands; Cozza et al. 2020,
Switzerland; Delghust et al. 2015, Flanders). :func:`fit_prebound_curve` fits a power law to
those published points (``wijkreno/params/expected_use.toml``; never to meters), and
:func:`expected_use` applies it per dwelling, adds electricity for appliances and lighting per
household and takes PV self-consumption off the metered electricity.

Three bases name every energy figure of wijkreno (:data:`BASES`, Dutch labels in
:data:`BASIS_LABELS_NL`): ``standardised`` (``final_gas_kwh``, the EPC calculation),
``expected`` (``expected_final_gas_kwh``) and ``calibrated`` (``calibrated_final_gas_kwh``,
:mod:`wijkreno.aggregate.calibration`). Gas on the expected and calibrated bases is on gross
calorific value, as meters and bills are. Method and sources: ``docs/meters.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.expected_use import (
    ExpectedUseParams,
    PreboundPoint,
    load_expected_use_params,
)

BASES: tuple[str, ...] = ("standardised", "expected", "calibrated")
"""The bases of an energy figure, in order of increasing fit to meters."""

BASIS_LABELS_NL: dict[str, str] = {
    "standardised": "EPC-berekening (gestandaardiseerd)",
    "expected": "verwacht werkelijk verbruik",
    "calibrated": "gekalibreerd op Fluvius-meters",
}
"""Plain-Dutch name of each basis, for column headers, legends, sheets and reports."""

CARRIERS: tuple[str, ...] = ("gas", "oil", "electricity", "wood")
"""Final-energy carriers of the engine's results (``final_<carrier>_kwh``)."""

GAS_GROSS_COLUMNS: tuple[str, ...] = ("final_gas_gcv_kwh", "final_gas_gross_kwh")
"""Column names under which the engine may already give standardised gas on gross value."""

EXPECTED_COLUMNS: tuple[str, ...] = (
    "prebound_ratio",
    "prebound_ratio_low",
    "prebound_ratio_high",
    "final_gas_gross_kwh",
    "expected_final_gas_kwh",
    "expected_final_gas_kwh_low",
    "expected_final_gas_kwh_high",
    "expected_final_oil_kwh",
    "expected_final_electricity_kwh",
    "expected_final_wood_kwh",
    "appliances_lighting_kwh",
    "pv_self_consumed_kwh",
)
"""Columns of :func:`expected_use` (gas on gross calorific value; ``_low``/``_high``: the band)."""


def basis_column(carrier: str, basis: str) -> str:
    """Name of the final-energy column of a carrier on a basis (``final_gas_kwh``, ...)."""
    if carrier not in CARRIERS:
        raise InputError(f"unknown carrier {carrier!r}; choose from {CARRIERS}.")
    if basis not in BASES:
        raise InputError(f"unknown basis {basis!r}; choose from {BASES}.")
    return f"final_{carrier}_kwh" if basis == "standardised" else f"{basis}_final_{carrier}_kwh"


@dataclass(frozen=True)
class PreboundCurve:
    """``r(q) = clip(exp(log_scale) * (q / reference) ** -exponent, ratio_min, ratio_max)``.

    Attributes
    ----------
    log_scale : float
        Natural log of the ratio at the reference score [-].
    exponent : float
        Elasticity b of the ratio with the score, 0 <= b < 1 [-].
    reference_score_kwh_per_m2 : float
        Score at which the ratio equals ``exp(log_scale)`` [kWh m⁻² yr⁻¹].
    ratio_min, ratio_max : float
        Bounds of the ratio [-].
    rms_log_residual : float
        Root-mean-square residual of the fit in log units [-].
    study_log_scales : tuple of (str, float)
        With study fixed effects: each study's own ``log_scale`` (the curve uses the level
        study's); empty for a pooled fit.
    """

    log_scale: float
    exponent: float
    reference_score_kwh_per_m2: float
    ratio_min: float
    ratio_max: float
    rms_log_residual: float
    study_log_scales: tuple[tuple[str, float], ...] = ()


def fit_prebound_curve(
    points: Sequence[PreboundPoint], *, reference_score_kwh_per_m2: float,
    ratio_min: float, ratio_max: float, level_study: str | None = None,
) -> PreboundCurve:
    """Fit the power law ``log r = a - b log(q / q_ref)`` to published points (least squares).

    With ``level_study`` the fit has one intercept per study (``PreboundPoint.study``) and one
    common elasticity ``b`` (a fixed-effects meta-regression: each study's calculation method
    sets its own level of calculated over measured use, the shape is shared), and the curve
    takes the intercept of ``level_study``: the study whose calculation method is the one the
    score comes from (the Flemish EPB method for the EPC score). Without it, one pooled
    intercept.

    Parameters
    ----------
    points : sequence of PreboundPoint
        Published (score [kWh m⁻² yr⁻¹], measured/calculated ratio [-]) pairs.
    reference_score_kwh_per_m2 : float
        q_ref [kWh m⁻² yr⁻¹].
    ratio_min, ratio_max : float
        Bounds of the ratio [-].
    level_study : str, optional
        Study whose intercept the curve uses (study fixed effects); None: pooled fit.

    Returns
    -------
    PreboundCurve

    Raises
    ------
    InputError
        When the fitted exponent is outside [0, 1): then a better dwelling could be expected
        to use more energy (b >= 1) or the prebound effect would grow with efficiency (b < 0).
    """
    q = np.array([p.score_kwh_per_m2 for p in points], dtype=np.float64)
    r = np.array([p.ratio for p in points], dtype=np.float64)
    x = np.log(q / reference_score_kwh_per_m2)
    y = np.log(r)
    studies = sorted({p.study for p in points}) if level_study is not None else [""]
    if level_study is not None and level_study not in studies:
        raise InputError(f"level_study {level_study!r} has no points (studies: {studies}).")
    group = np.array([studies.index(p.study) if level_study is not None else 0 for p in points])
    design = np.column_stack([(group == k).astype(np.float64) for k in range(len(studies))]
                             + [-x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    b = float(coef[-1])
    a = float(coef[studies.index(level_study)]) if level_study is not None else float(coef[0])
    rms = float(np.sqrt(np.mean((y - design @ coef) ** 2)))
    per_study = tuple((name, float(coef[k])) for k, name in enumerate(studies)) \
        if level_study is not None else ()
    if not 0.0 <= b < 1.0:
        raise InputError(
            f"the prebound points give an exponent b = {b:.3f}; it must lie in [0, 1) so that "
            "expected use rises with calculated use. Check the points in expected_use.toml."
        )
    return PreboundCurve(a, b, float(reference_score_kwh_per_m2),
                         float(ratio_min), float(ratio_max), rms, per_study)


def prebound_curve(params: ExpectedUseParams | None = None) -> PreboundCurve:
    """The curve fitted to the packaged (or given) literature points."""
    p = (params or load_expected_use_params()).prebound
    return fit_prebound_curve(p.points, reference_score_kwh_per_m2=p.reference_score_kwh_per_m2,
                              ratio_min=p.ratio_min, ratio_max=p.ratio_max,
                              level_study=p.level_study)


def prebound_ratio(score_kwh_per_m2, curve: PreboundCurve, *, shift_log: float = 0.0) -> np.ndarray:
    """Measured over calculated use at an EPC score (NumPy, vectorised).

    Parameters
    ----------
    score_kwh_per_m2 : array-like
        EPC score [kWh m⁻² yr⁻¹]; a score <= 0 (label A+) gets ``ratio_max``; NaN stays NaN.
    curve : PreboundCurve
    shift_log : float
        Shift of the mean relation in log units (the band: ``z * sigma_level_log``) [-].

    Returns
    -------
    numpy.ndarray
        The ratio [-], within ``[ratio_min, ratio_max] * exp(shift_log)``.
    """
    q = np.asarray(score_kwh_per_m2, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.exp(curve.log_scale) * np.power(
            np.where(q > 0, q, np.nan) / curve.reference_score_kwh_per_m2, -curve.exponent)
    r = np.where(q <= 0, curve.ratio_max, r)
    r = np.clip(r, curve.ratio_min, curve.ratio_max)
    return r * math.exp(shift_log)


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        raise InputError(
            f"expected_use needs the column {name!r}; the results have {list(frame.columns)}. "
            "Pass the output of wijkreno.simulate.engine.simulate_dwellings."
        )
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64)


def expected_use(
    results: pd.DataFrame,
    dwellings: pd.DataFrame | None = None,
    *,
    params: ExpectedUseParams | None = None,
    households_per_dwelling: float = 1.0,
) -> pd.DataFrame:
    """Expected real use per dwelling, next to the standardised results.

    Heating and hot-water carriers (gas, oil, wood and the heating system's electricity) are
    multiplied by the prebound ratio at the dwelling's EPC score. Electricity adds appliances
    and lighting per household and subtracts the PV yield used behind the meter (self-
    consumption never exceeds the dwelling's electricity). Gas is converted to gross
    calorific value (meters and bills) unless the results already carry it.

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`~wijkreno.simulate.engine.simulate_dwellings` output: ``epc_score_kwh_per_m2``
        and ``final_<carrier>_kwh`` [kWh yr⁻¹, gas on net value]; optional
        ``final_gas_gcv_kwh``/``final_gas_gross_kwh`` [kWh yr⁻¹, gross].
    dwellings : pandas.DataFrame, optional
        Indexed like ``results``; optional ``pv_yield_kwh`` [kWh yr⁻¹] or ``pv_kwp`` [kWp].
    params : ExpectedUseParams, optional
        Packaged ``expected_use.toml`` when None.
    households_per_dwelling : float
        Households per dwelling for appliances and lighting [-] (1: every dwelling occupied).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``results``, columns :data:`EXPECTED_COLUMNS` [kWh yr⁻¹; ratios -]. Rows
        without a score give NaN. No value is negative.
    """
    if households_per_dwelling < 0 or not math.isfinite(households_per_dwelling):
        raise InputError(
            f"households_per_dwelling must be finite and >= 0, got {households_per_dwelling}."
        )
    p = params or load_expected_use_params()
    curve = prebound_curve(p)
    nd = NormalDist()
    z_low = nd.inv_cdf(p.band.quantile_low)
    z_high = nd.inv_cdf(p.band.quantile_high)
    sigma = p.band.sigma_level_log

    score = _column(results, "epc_score_kwh_per_m2")
    ratio = prebound_ratio(score, curve)
    low = prebound_ratio(score, curve, shift_log=z_low * sigma)
    high = prebound_ratio(score, curve, shift_log=z_high * sigma)

    gross = next((c for c in GAS_GROSS_COLUMNS if c in results), None)
    gas_gross = (_column(results, gross) if gross is not None
                 else _column(results, "final_gas_kwh") * p.gas_gross_over_net.value)
    oil = _column(results, "final_oil_kwh")
    wood = _column(results, "final_wood_kwh")
    elec_heating = _column(results, "final_electricity_kwh")

    n = len(results)
    appliances = np.full(n, p.appliances_lighting_kwh_per_household.value * households_per_dwelling)
    pv_yield = np.zeros(n)
    if dwellings is not None:
        d = dwellings.reindex(results.index)
        if "pv_yield_kwh" in d:
            pv_yield = pd.to_numeric(d["pv_yield_kwh"], errors="coerce").fillna(0).to_numpy(float)
        elif "pv_kwp" in d:
            pv_yield = (pd.to_numeric(d["pv_kwp"], errors="coerce").fillna(0).to_numpy(float)
                        * p.pv_yield_kwh_per_kwp.value)
    pv_yield = np.clip(pv_yield, 0.0, None)
    elec_demand = np.clip(ratio * elec_heating, 0.0, None) + appliances
    self_consumed = np.minimum(p.pv_self_consumption_frac.value * pv_yield, elec_demand)

    out = pd.DataFrame({
        "prebound_ratio": ratio,
        "prebound_ratio_low": low,
        "prebound_ratio_high": high,
        "final_gas_gross_kwh": gas_gross,
        "expected_final_gas_kwh": ratio * gas_gross,
        "expected_final_gas_kwh_low": low * gas_gross,
        "expected_final_gas_kwh_high": high * gas_gross,
        "expected_final_oil_kwh": ratio * oil,
        "expected_final_electricity_kwh": elec_demand - self_consumed,
        "expected_final_wood_kwh": ratio * wood,
        "appliances_lighting_kwh": appliances,
        "pv_self_consumed_kwh": self_consumed,
    }, index=results.index)
    no_score = ~np.isfinite(score)
    out.loc[no_score, [c for c in EXPECTED_COLUMNS if c not in (
        "final_gas_gross_kwh", "appliances_lighting_kwh")]] = np.nan
    num = out.select_dtypes("number")
    out[num.columns] = num.clip(lower=0.0)
    return out
