"""Step-by-step renovation trajectories per dwelling.

:func:`plan_trajectories` picks, per dwelling, the package that reaches the target (EPC score at
or below the target label's upper bound) at least net cost (``objective="cost"``) or with the
best net present value (``"npv"``) among *all* applicable packages (full enumeration,
:mod:`wijkreno.renovate.packages`), so the trajectory reaches the target whenever any
applicable package does. Where none does, it takes the package with the lowest score and says
how close it gets and why. The package's measures are then ordered into steps:

1. envelope measures (roof, wall, floor, glazing, ventilation), greedily by the largest yearly
   bill saving per net euro of the measure given the steps before it;
2. the heating change (a heat pump comes after all envelope measures of the package, which are
   the ones that make its design-load condition hold);
3. PV, then the hot-water measure (solar water heater or heat-pump boiler).

Every step's state is a subset of the final package (no step locks in a worse end state), and
each state was evaluated by the same kernel as the packages. One exception, the intermediate
step ('tussenstap', ``intermediate`` in the steps table): next to a gas boiler a hybrid heat
pump may come first, before the envelope works that the final heat pump needs, where the boiler
is worn out before then and the hybrid costs less than a like-for-like boiler over that
interval, or where the household asked for a hybrid
(:func:`wijkreno.renovate._package_kernels.order_steps`); the full heat pump replaces it, so a
trajectory never ends on it under the fossil-free target.

Targets: ``"label_A_fossil_free_2050"`` (default; the long-term strategy of ``renovation.toml
[target]``: label A, EPC score <= 100 kWh m-2 yr-1, AND heating without fossil fuels by 2050:
an end state on a gas or oil boiler or a hybrid never reaches it, so PV cannot stand in for
replacing fossil heating), ``"label_A_2050"`` (the label only, an explicit choice) or
``"obligation"``: the renovation obligation after purchase, label and deadline from
:func:`wijkreno.renovate.catalogue.obligation_labels` for the deed year (column ``deed_year`` or
argument) and typology; dwellings without an obligation (no deed year, a deed before the rules)
fall back to the long-term target (their ``target`` column says so). Whatever the target, a
known deed year adds ``obligation_label`` / ``obligation_year`` and the step that first meets
the obligation's label (``obligation_step``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.renovate import _package_kernels as _pk
from wijkreno.renovate.options import DIMENSIONS, MeasureOptions
from wijkreno.renovate.packages import (
    DIMENSION_NAMES_NL,
    OBJECTIVES,
    Economics,
    _resolve,
    enumerate_chunks,
)
from wijkreno.simulate.basis import MONEY_BASIS_DEFAULT
from wijkreno.simulate.params import SystemParams, default_system_params
from wijkreno.simulate.systems import epc_label
from wijkreno.twin.schema import HEATING_SYSTEMS

if TYPE_CHECKING:
    from wijkreno.simulate.climate import MonthlyClimate
    from wijkreno.simulate.heat_balance import HeatBalanceParams

log = logging.getLogger(__name__)

TARGETS: tuple[str, ...] = ("label_A_fossil_free_2050", "label_A_2050", "obligation")
DEFAULT_TARGET = "label_A_fossil_free_2050"


KEY_COLUMNS: tuple[str, ...] = ("dwelling_id", "adres_id", "street", "house_number",
                                "box_number")

STEP_COLUMNS: tuple[str, ...] = (
    "dwelling_id", "step", "dimension", "measure", "investment_eur", "premium_eur",
    "net_cost_eur", "cumulative_investment_eur", "cumulative_premium_eur",
    "cumulative_net_cost_eur", "saving_eur", "saving_kwh", "cumulative_saving_eur",
    "cumulative_saving_kwh", "heating_need_kwh", "design_heat_load_w_per_m2",
    "epc_score_kwh_per_m2", "epc_label", "co2_flemish_kg_co2", "co2_com_kg_co2",
    "cumulative_saving_co2_flemish_kg_co2", "cumulative_saving_co2_com_kg_co2",
    "heating_system", "emitter_temperature_degc", "hot_water_system", "intermediate",
    "final_energy_kwh", "energy_cost_eur", "basis", "lifetime_years", "planned_year",
    "cost_index_factor", "investment_planned_eur",
)
"""Columns of the steps table (one row per dwelling x step); the savings are per year, the
cumulative ones against the current state, ``saving_*`` the step's own; ``heating_system`` and
``emitter_temperature_degc`` [degC] and ``hot_water_system`` (a name of the system parameters'
``dhw_systems``) describe the dwelling after the step, ``intermediate`` marks a step that a
later step replaces (the hybrid as 'tussenstap'), ``final_energy_kwh``
(use before PV) and ``energy_cost_eur`` (the bill, PV deducted) are per year on ``basis``
(calibrated, expected or standardised), next to the standardised ``epc_score_kwh_per_m2``;
``planned_year`` is the year the step is foreseen (:func:`planned_years`). The money columns
are in prices of the price year; ``investment_planned_eur`` is the invoice in the planned year
(``cost_index_factor`` times ``investment_eur``, :func:`time_steps`); ``lifetime_years`` the
measure's technical lifetime [yr]."""


def label_upper_bounds(params: SystemParams | None = None) -> dict[str, float]:
    """Upper bound of the EPC score of each label [kWh m-2] (A+: scores below its bound)."""
    p = params or default_system_params()
    bounds = list(p.epc_labels.upper_bounds_kwh_per_m2) + [np.inf]
    labels = list(p.epc_labels.labels)
    # A+ is strictly below its bound; the largest float below it stands for '<'.
    out = {lab: float(b) for lab, b in zip(labels, bounds, strict=True)}
    out[labels[0]] = float(np.nextafter(bounds[0], -np.inf))
    return out


def _deed_years(dwellings: pd.DataFrame, deed_year: Any) -> np.ndarray:
    n = len(dwellings)
    if deed_year is not None:
        years = np.asarray(deed_year, dtype=np.float64)
        if years.ndim == 0:
            years = np.full(n, float(years))
    elif "deed_year" in dwellings.columns:
        years = pd.to_numeric(dwellings["deed_year"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan)
    else:
        raise InputError(
            "target 'obligation' needs the deed year: give deed_year (an int or one per "
            "dwelling) or a 'deed_year' column (the coach's overrides file can carry it)."
        )
    if years.shape != (n,):
        raise InputError(f"deed_year has shape {years.shape}, expected ({n},) or a scalar")
    return years


def resolve_targets(
    dwellings: pd.DataFrame,
    target: str | float = DEFAULT_TARGET,
    *,
    deed_year: Any = None,
    params: SystemParams | None = None,
    renovation: Any = None,
) -> pd.DataFrame:
    """Per-dwelling target: name, label, upper bound of the score and deadline year.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        Needs ``typology`` for the obligation (houses and apartments differ from 2035).
    target : {"label_A_fossil_free_2050", "label_A_2050", "obligation"} or float
        A named target, or an EPC score bound [kWh m-2 yr-1] itself (label only).
    deed_year : int or (n,) array, optional
        Year of the deed of sale (obligation target); else the ``deed_year`` column.
    params : SystemParams, optional
        Holds the label bounds.
    renovation : RenovationParams, optional
        Long-term target and obligation rules; the packaged ``renovation.toml`` when None.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``: ``target``, ``target_label``, ``target_score_kwh_per_m2``,
        ``target_year`` (float, NaN when unknown), ``fossil_free`` (bool: the end state must
        not heat with gas or oil) and, when deed years are known, ``obligation_label`` and
        ``obligation_year`` ('' / NaN without an obligation).
    """
    n = len(dwellings)
    bounds = label_upper_bounds(params)
    out = pd.DataFrame(index=dwellings.index)
    if not isinstance(target, str):
        score = float(target)
        out["target"] = f"score_{score:g}"
        out["target_label"] = np.asarray(epc_label(np.full(n, score), params=params)).astype(
            object)
        out["target_score_kwh_per_m2"] = score
        out["target_year"] = np.nan
        out["fossil_free"] = False
        return out
    if target not in TARGETS:
        raise InputError(f"target must be one of {list(TARGETS)} or a score, got {target!r}")
    from wijkreno.renovate.catalogue import load_renovation_params, obligation_labels

    ren = renovation or load_renovation_params()
    long_label = ren.target.label
    fossil_free = target == "label_A_fossil_free_2050" and bool(ren.target.fossil_free)
    out["target"] = "label_A_fossil_free_2050" if fossil_free else "label_A_2050"
    out["target_label"] = long_label
    # the long-term target's own score bound (renovation.toml), not the label table's
    out["target_score_kwh_per_m2"] = float(ren.target.max_epc_score_kwh_per_m2.value)
    out["target_year"] = float(ren.target.year)
    out["fossil_free"] = fossil_free
    if target != "obligation" and deed_year is None and "deed_year" not in dwellings.columns:
        return out
    years = _deed_years(dwellings, deed_year)
    typ = (dwellings["typology"].astype("string").fillna("").to_numpy(dtype=object)
           if "typology" in dwellings.columns else np.full(n, "", dtype=object))
    labels, deadline = obligation_labels(years, typ, renovation=ren)
    known = labels != ""
    out["obligation_label"] = labels.astype(object)
    out["obligation_year"] = np.where(known, deadline, np.nan).astype(np.float64)
    if target != "obligation":
        return out
    if (~known).any():
        log.warning("obligation target: %d of %d dwellings have no obligation (no deed year, "
                    "deed before the rules, not residential): the long-term target is used",
                    int((~known).sum()), n)
    if not known.any():
        return out
    col_target = out["target"].to_numpy(dtype=object, copy=True)
    col_label = out["target_label"].to_numpy(dtype=object, copy=True)
    col_score = out["target_score_kwh_per_m2"].to_numpy(dtype=np.float64, copy=True)
    col_year = out["target_year"].to_numpy(dtype=np.float64, copy=True)
    col_target[known] = "obligation"
    col_label[known] = labels[known]
    ff = out["fossil_free"].to_numpy(dtype=bool, copy=True)
    ff[known] = False
    out["fossil_free"] = ff
    col_score[known] = [bounds[str(lab)] for lab in labels[known]]
    col_year[known] = deadline[known]
    out["target"], out["target_label"] = col_target, col_label
    out["target_score_kwh_per_m2"], out["target_year"] = col_score, col_year
    return out


def _explain(options: MeasureOptions, summary: pd.DataFrame, min_load: np.ndarray,
             lo_hi_positions: np.ndarray) -> np.ndarray:
    """Plain-Dutch explanation for dwellings that do not reach the target (vectorised per
    dimension, not per dwelling)."""
    n = len(summary)
    text = np.full(n, "", dtype=object)
    reached = summary["reached"].to_numpy(dtype=bool)
    valid = summary["valid"].to_numpy(dtype=bool)
    bad = valid & ~reached
    if not bad.any():
        return text
    best = summary["best_epc_score_kwh_per_m2"].to_numpy(dtype=np.float64)
    tgt = summary["target_score_kwh_per_m2"].to_numpy(dtype=np.float64)
    head = pd.Series(
        "doel label " + summary["target_label"].astype(str) + " (≤ "
        + pd.Series(tgt, index=summary.index).map("{:.0f}".format) + " kWh/m²) niet haalbaar: "
        + "beste haalbare score " + pd.Series(best, index=summary.index).map("{:.0f}".format)
        + " kWh/m² (label " + summary["best_epc_label"].astype(str) + "), nog "
        + pd.Series(best - tgt, index=summary.index).map("{:.0f}".format) + " kWh/m² te veel"
    ).to_numpy(dtype=object)
    text[bad] = head[bad]
    pos = lo_hi_positions
    for d in DIMENSIONS:
        appl = np.asarray(options.applicable[d], dtype=bool)[pos]
        if appl.shape[1] <= 1:
            continue
        none = bad & ~appl[:, 1:].any(axis=1)
        if not none.any():
            continue
        reasons = np.asarray(options.reason[d], dtype=object)[pos][:, 1:]
        first = np.full(n, "", dtype=object)
        for k in range(reasons.shape[1] - 1, -1, -1):  # first non-empty reason wins
            r = reasons[:, k].astype(str)
            first = np.where((r != "") & (r != "None"), reasons[:, k], first)
        msg = np.where(first != "", DIMENSION_NAMES_NL[d] + ": " + first.astype(str),
                       DIMENSION_NAMES_NL[d] + ": geen maatregel van toepassing")
        text[none] = text[none] + "; " + msg[none]
    # heat pumps blocked by the design heat load on every envelope combination
    h_appl = np.asarray(options.applicable["heating"], dtype=bool)[pos][:, 1:]
    h_max = np.asarray(options.effect["heating"]["max_design_load_w_per_m2"],
                       dtype=np.float64)[pos][:, 1:]
    limited = h_appl & np.isfinite(h_max)
    if limited.any():
        loosest = np.where(limited, h_max, -np.inf).max(axis=1)
        unlimited = (h_appl & ~np.isfinite(h_max)).any(axis=1)
        blocked = bad & limited.any(axis=1) & ~unlimited & (min_load > loosest)
        if blocked.any():
            msg = ("warmtepomp niet mogelijk: warmtevraag na isolatie nog "
                   + pd.Series(min_load).map("{:.0f}".format).to_numpy(dtype=object)
                   + " W/m² (max " + pd.Series(loosest).map("{:.0f}".format).to_numpy(
                       dtype=object) + " W/m²)")
            text[blocked] = text[blocked] + "; " + msg[blocked]
    return text


def plan_trajectories(
    dwellings: pd.DataFrame,
    options: MeasureOptions | None = None,
    *,
    target: str | float = DEFAULT_TARGET,
    objective: str = "cost",
    deed_year: Any = None,
    economics: Economics | None = None,
    horizon_years: int | None = None,
    discount_rate_frac: float | None = None,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
    chunk_size: int | None = None,
    basis: str = MONEY_BASIS_DEFAULT,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per dwelling, the ordered renovation steps that reach the target at least cost.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The twin's ``dwellings`` table, overrides applied (optional columns ``deed_year``,
        ``measured_epc_score_kwh_per_m2``, ``metered_gas_kwh``, ``metered_electricity_kwh``).
    options : MeasureOptions, optional
        Built with :func:`wijkreno.renovate.applicability.measure_options` when None.
    target : {"label_A_fossil_free_2050", "label_A_2050", "obligation"} or float
        See :func:`resolve_targets`.
    objective : {"cost", "npv"}
        Least net cost or best NPV among the packages that reach the target.
    deed_year : int or (n,) array, optional
        For ``target="obligation"`` when the dwellings have no ``deed_year`` column.
    economics, horizon_years, discount_rate_frac, climate, heat_params, system_params,
    chunk_size, basis
        As in :func:`wijkreno.renovate.packages.best_packages` (``basis``: of bills, savings,
        payback and CO2; the EPC score and label stay standardised).

    Returns
    -------
    steps : pandas.DataFrame
        One row per dwelling x step, columns :data:`STEP_COLUMNS` (plus the address columns of
        :data:`KEY_COLUMNS` present in ``dwellings``); ``dimension`` is a
        :data:`~wijkreno.renovate.options.DIMENSIONS` name, ``measure`` the option's name;
        money in EUR, savings per year, scores in kWh m-2 yr-1.
    summary : pandas.DataFrame
        Indexed like ``dwellings``: the key columns, ``valid``, ``invalid_reason``, ``basis``,
        ``target``, ``target_label``, ``target_score_kwh_per_m2``, ``target_year``,
        ``current_epc_score_kwh_per_m2``, ``current_epc_label``, ``reached``,
        ``final_epc_score_kwh_per_m2``, ``final_epc_label``, ``n_steps``, ``measures`` ('+'
        joined, in step order), ``investment_eur``, ``premium_eur`` (split into
        ``regional_premium_eur``, Mijn VerbouwPremie, and ``municipal_premium_eur``, a
        municipality's top-up), ``net_cost_eur``,
        ``saving_eur``, ``saving_kwh``, ``saving_co2_flemish_kg_co2``,
        ``saving_co2_com_kg_co2``, ``npv_eur`` and ``payback_years`` (each step paid and
        discounted from its planned year, :func:`time_steps`; ``npv_price_year_eur`` with
        every step in the price year), ``investment_planned_eur`` and
        ``net_cost_planned_eur`` (invoices in the planned years),
        ``best_epc_score_kwh_per_m2`` and ``best_epc_label`` (the lowest score any applicable
        package reaches), ``gap_kwh_per_m2`` (best score minus target, 0 when reached),
        ``n_packages`` (packages evaluated), ``explanation`` (plain Dutch, why the target is
        not reached; '' when it is).
    """
    if objective not in OBJECTIVES:
        raise InputError(f"objective must be one of {list(OBJECTIVES)}, got {objective!r}")
    options, econ = _resolve(dwellings, options, economics, horizon_years, discount_rate_frac)
    targets = resolve_targets(dwellings, target, deed_year=deed_year, params=system_params)
    tscore = np.ascontiguousarray(targets["target_score_kwh_per_m2"].to_numpy(np.float64))
    ffree = targets["fossil_free"].to_numpy(dtype=bool)
    parts = list(enumerate_chunks(dwellings, options, econ, tscore, objective,
                                  fossil_free=ffree, climate=climate,
                                  heat_params=heat_params, system_params=system_params,
                                  chunk_size=chunk_size, with_steps=True, basis=basis))
    n = len(dwellings)
    keys = [c for c in KEY_COLUMNS if c in dwellings.columns]
    if parts:
        cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if k not in ("lo", "hi")}
    else:
        cat = {}
    steps = _steps_frame(dwellings, options, cat, keys, system_params) if n else pd.DataFrame(
        columns=list(STEP_COLUMNS))
    summary = _summary_frame(dwellings, options, cat, targets, keys, steps, system_params)
    if len(steps):
        steps["planned_year"] = planned_years(steps, summary, econ.start_year,
                                              econ.envelope_phase_years,
                                              boiler_years=cat.get("boiler_years"))
    else:
        steps["planned_year"] = pd.Series(dtype=np.int64)
    time_steps(steps, summary, econ, keep_replacement=cat.get("keep_replacement"),
               boiler_years=cat.get("boiler_years"))
    return steps, summary


def time_steps(steps: pd.DataFrame, summary: pd.DataFrame, econ: Economics, *,
               keep_replacement: np.ndarray | None = None,
               boiler_years: np.ndarray | None = None) -> None:
    """Charge each step in its planned year: invoice at that year's cost level, its flows
    discounted from then; in place, vectorised over the steps.

    The package enumeration prices every measure as if bought in the price year
    (``Economics.start_year``). A step planned τ = ``planned_year - start_year`` years later
    [yr] is paid at the construction-cost level of its year, ``c = (1 + g) ** τ``
    (:meth:`Economics.cost_index_factor`, g the real escalation) and discounted, ``d = (1 +
    r) ** -τ``; its premium (each year's scheme, not indexed) is received then; its yearly
    saving counts from year τ + 1 (``sum_{t=τ+1..H} q^t``, q = (1 + e) / (1 + r)); its
    replacements and residual value follow from its installation year
    (:meth:`Economics.life_cycle_factor_at`). Per step, against the price-year NPV:

    ``Δ = (net - (inv c - prem) d) - saving sum_{t=1..τ} q^t - inv (LCF(L, τ) - LCF(L, 0))``

    The intermediate step (the hybrid, ``intermediate``) is already timed by the step
    ordering (bought when the boiler is worn out, saving until the heat pump,
    :func:`wijkreno.renovate._package_kernels.interim_choice`): no money change; its saving
    share of the end state counts from the heat-pump step's year. Without an intermediate
    step, a gas or oil boiler worn out before the heat-pump step is replaced like for like
    (``boiler_years``, ``Economics.boiler_replacement_eur``, at that year's cost level,
    discounted, no residual value when the heat pump replaces it): those replacements are no
    longer avoided (``avoided_boiler_replacement_eur`` drops by them). With every step in the
    price year nothing changes (tested).

    Adds to ``steps``: ``cost_index_factor`` (c) and ``investment_planned_eur`` (the invoice
    in the planned year, inv c [EUR]). Adds to ``summary``: ``price_year``,
    ``cost_escalation_frac`` (g [-/yr]), ``investment_planned_eur``,
    ``net_cost_planned_eur`` (sums of the steps' invoices in their planned years, less the
    premium [EUR]), ``npv_price_year_eur`` (every step in the price year, the enumeration's
    figure); replaces ``npv_eur`` (timed) and ``payback_years`` (net cost in the planned
    years over the yearly saving of the end state [yr], not discounted). ``investment_eur``,
    ``net_cost_eur`` and the steps' money columns stay in prices of the price year.
    """
    n = len(summary)
    summary["price_year"] = int(econ.start_year)
    summary["cost_escalation_frac"] = float(econ.cost_escalation_frac)
    npv0 = (summary["npv_eur"].to_numpy(dtype=np.float64, copy=True) if "npv_eur" in summary
            else np.full(n, np.nan))
    summary["npv_price_year_eur"] = npv0
    if not len(steps):
        steps["cost_index_factor"] = pd.Series(dtype=np.float64)
        steps["investment_planned_eur"] = pd.Series(dtype=np.float64)
        summary["investment_planned_eur"] = summary.get("investment_eur", np.nan)
        summary["net_cost_planned_eur"] = summary.get("net_cost_eur", np.nan)
        return
    row = steps["row"].to_numpy(dtype=np.int64)
    tau = np.clip(steps["planned_year"].to_numpy(dtype=np.float64) - econ.start_year, 0.0,
                  float(econ.horizon_years))
    inv = steps["investment_eur"].to_numpy(dtype=np.float64)
    prem = steps["premium_eur"].to_numpy(dtype=np.float64)
    save = steps["saving_eur"].to_numpy(dtype=np.float64)
    life = steps["lifetime_years"].to_numpy(dtype=np.float64)
    inter = steps["intermediate"].to_numpy(dtype=bool)
    heat = (steps["dimension"].to_numpy(dtype=object) == "heating") & ~inter
    c = econ.cost_index_factor(econ.start_year + tau)
    d = (1.0 + econ.discount_rate_frac) ** (-tau)
    # the heat-pump step's year per dwelling: the intermediate step's saving counts from it
    tau_h = np.zeros(n)
    tau_h[row[heat]] = tau[heat]
    tau_save = np.where(inter, tau_h[row], tau)
    lost_saving = save * econ.saving_factor(tau_save)  # sum_{t=1..τ} q^t, τ whole years
    money = np.where(inter, 0.0, (inv - prem) - (inv * c - prem) * d
                     - inv * (econ.life_cycle_factor_at(life, tau)
                              - econ.life_cycle_factor_at(life, 0.0)))
    delta = np.bincount(row, weights=money - lost_saving, minlength=n)
    # a boiler worn out before the heat-pump step (no intermediate step) is replaced anyway
    charged = np.zeros(n)
    if keep_replacement is not None and boiler_years is not None and heat.any():
        has_inter = np.zeros(n, dtype=bool)
        has_inter[row[inter]] = True
        t_h = np.full(n, -np.inf)
        t_h[row[heat]] = tau[heat]
        t = np.clip(np.asarray(boiler_years, dtype=np.float64), 0.0, None)
        t = np.where(np.isfinite(t) & ~has_inter & (np.asarray(keep_replacement) > 0), t,
                     np.inf)
        rho = (1.0 + econ.cost_escalation_frac) / (1.0 + econ.discount_rate_frac)
        life_b = max(float(econ.boiler_lifetime_years), 1e-9)
        due = t < t_h
        while due.any():
            charged += np.where(due, rho ** np.where(due, t, 0.0), 0.0)
            t = np.where(due, t + life_b, np.inf)
            due = t < t_h
        charged *= econ.boiler_replacement_eur
    summary["npv_eur"] = npv0 + delta - charged
    if "avoided_boiler_replacement_eur" in summary:
        summary["avoided_boiler_replacement_eur"] = (
            summary["avoided_boiler_replacement_eur"].to_numpy(dtype=np.float64) - charged)
    steps["cost_index_factor"] = c
    steps["investment_planned_eur"] = inv * c
    inv_planned = np.bincount(row, weights=inv * c, minlength=n)
    has_steps = np.bincount(row, minlength=n) > 0
    inv_planned = np.where(has_steps, inv_planned,
                           summary["investment_eur"].to_numpy(dtype=np.float64))
    net_planned = inv_planned - summary["premium_eur"].to_numpy(dtype=np.float64)
    summary["investment_planned_eur"] = inv_planned
    summary["net_cost_planned_eur"] = net_planned
    saving = summary["saving_eur"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        payback = np.where(saving > 0.0, np.maximum(net_planned, 0.0) / saving, np.inf)
    summary["payback_years"] = np.where(has_steps & (inv_planned > 0.0), payback,
                                        summary["payback_years"].to_numpy(dtype=np.float64))


def planned_years(steps: pd.DataFrame, summary: pd.DataFrame, start_year: int,
                  phase_years: float, boiler_years: np.ndarray | None = None) -> np.ndarray:
    """The year each step is foreseen [yr], non-decreasing with the step order.

    A trajectory starts in ``start_year`` (the price year) and runs to ``end = min(start_year
    + phase_years, target_year)`` (``renovation.toml [trajectory] envelope_phase_years``: the
    heat pump that needs the envelope works comes that long after the first step; the target's
    deadline, e.g. the renovation obligation's, comes first when it is earlier; a deadline
    already past gives ``end = start_year``). The envelope steps before the heating change
    (an intermediate hybrid included, at the start) are spread evenly over ``[start, end)``
    in step order, ``start + floor(span * k / h)`` for the k-th step (from 0) before the
    heating step at position h; the heating change and the steps after it (PV, hot water)
    come in ``end`` (in ``start_year`` when the heating change is the first step). Without a
    heating change the steps are spread over ``[start, end]``. Where the dwelling has a
    renovation obligation (``obligation_year``, ``obligation_step``), the steps up to the one
    that meets its label come no later than its deadline (or the start year when the deadline
    is past).

    An intermediate step (the hybrid next to the boiler, ``intermediate``) is bought when the
    boiler is worn out, as the step ordering decided it (``interim_choice``): with
    ``boiler_years`` it comes ``floor(boiler_years)`` years after the start (now when overdue
    or unknown, at most in the heat pump's year), and the envelope steps between it and the
    heat pump are spread over ``[its year, end)``; the years never decrease with the order.

    Parameters
    ----------
    steps : pandas.DataFrame
        The steps of :func:`plan_trajectories` (``row``, ``step``, ``dimension``,
        ``intermediate``), sorted by row and step.
    summary : pandas.DataFrame
        Its summary (``n_steps``, ``target_year``; optional ``obligation_year``,
        ``obligation_step``), one row per position ``row``.
    start_year : int
        First year of every trajectory [yr].
    phase_years : float
        Years from the first step to the heating change [yr] (>= 0).
    boiler_years : (n_dwellings,) array, optional
        Years until each dwelling's boiler is worn out (negative: overdue; inf: none), indexed
        by ``row``; without it an intermediate step comes at the start.

    Returns
    -------
    numpy.ndarray of int64, shape (len(steps),)
    """
    row = steps["row"].to_numpy(dtype=np.int64)
    k = steps["step"].to_numpy(dtype=np.int64) - 1
    n_dw = len(summary)
    n_steps = summary["n_steps"].to_numpy(dtype=np.int64)[row]
    start = float(start_year)
    target_year = summary["target_year"].to_numpy(dtype=np.float64)[row]
    end = start + max(float(phase_years), 0.0)
    end = np.where(np.isfinite(target_year), np.minimum(end, target_year), end)
    span = np.floor(np.maximum(end - start, 0.0))
    heat = ((steps["dimension"].to_numpy(dtype=object) == "heating")
            & ~steps["intermediate"].to_numpy(dtype=bool))
    h_pos = np.full(n_dw, -1, dtype=np.int64)
    h_pos[row[heat]] = k[heat]  # at most one heating change that stays per trajectory
    h = h_pos[row]
    has_h = h >= 0
    # a heat pump that needs no envelope step first comes now, with what follows it
    span_h = np.where(h > 0, span, 0.0)
    # the intermediate step waits for the boiler's end of life; the envelope steps after it
    # (and before the heat pump) follow from its year
    inter = steps["intermediate"].to_numpy(dtype=bool)
    wait = np.zeros(n_dw)
    k_int = np.full(n_dw, np.iinfo(np.int64).max)
    if boiler_years is not None and inter.any():
        t_b = np.asarray(boiler_years, dtype=np.float64)[row[inter]]
        t_b = np.where(np.isfinite(t_b), np.maximum(t_b, 0.0), 0.0)
        wait[row[inter]] = np.minimum(np.floor(t_b + 1e-9), span_h[inter])
        k_int[row[inter]] = k[inter]
    w = np.where(k >= k_int[row], wait[row], 0.0)
    k0 = np.where(k >= k_int[row], k_int[row], 0)
    before_h = w + (span_h - w) * (k - k0) / np.maximum(h - k0, 1)
    spread = np.where(has_h, np.where(k < h, before_h, span_h),
                      span * k / np.maximum(n_steps - 1, 1))
    year = start + np.floor(spread + 1e-9)
    if inter.any():  # an intermediate step after an envelope step: keep the order
        year = pd.Series(year).groupby(row).cummax().to_numpy()
    if "obligation_year" in summary.columns and "obligation_step" in summary.columns:
        cap = np.maximum(summary["obligation_year"].to_numpy(dtype=np.float64)[row], start)
        o_step = summary["obligation_step"].to_numpy(dtype=np.float64)[row]
        capped = np.isfinite(cap) & np.isfinite(o_step) & (k + 1 <= o_step)
        year = np.where(capped, np.minimum(year, cap), year)
    return year.astype(np.int64)


def _take_names(names: Any, codes: np.ndarray) -> Any:
    """``names[codes]`` as a pandas string array: one take on the few names, not a conversion
    of every row's Python string (the steps table has a row per dwelling and step)."""
    return pd.array(np.asarray(list(names), dtype=object), dtype="str").take(
        np.asarray(codes, dtype=np.int64))


def _steps_frame(dwellings: pd.DataFrame, options: MeasureOptions, cat: dict[str, np.ndarray],
                 keys: list[str], params: SystemParams | None) -> pd.DataFrame:
    step_dim = cat["step_dim"]
    has = step_dim >= 0
    pos, s = np.nonzero(has)
    m = cat["step_m"][pos, s]  # (rows, N_M) state after the step
    prev = np.where((s > 0)[:, None], cat["step_m"][pos, np.maximum(s - 1, 0)],
                    cat["cur"][pos])
    dim_of = step_dim[pos, s]
    dims = _take_names(DIMENSIONS, dim_of)
    opt = cat["step_opt"][pos, s]
    offset = np.cumsum([0] + [len(options.option_names[d]) for d in DIMENSIONS])
    measure = _take_names([nm for d in DIMENSIONS for nm in options.option_names[d]],
                          offset[dim_of] + opt)
    basis_names, basis_code = np.unique(cat["basis"].astype(str), return_inverse=True)
    basis = _take_names(basis_names, basis_code.ravel()[pos])
    # heating after the step (the kernel's record, an intermediate step included) and the hot
    # water: the package's hot-water option from its hot-water step on
    h_opt = np.maximum(cat["step_heat"][pos, s], 0)
    code = cat["heat_code"][pos, h_opt]
    emitter = cat["emitter"][pos, h_opt]
    final_opt = cat["final_opt"]
    n_slots = step_dim.shape[1]  # "no hot-water step": after every slot
    swh_at = np.where(step_dim == _pk.D_SWH, np.arange(n_slots), n_slots).min(1)
    w_opt = np.where(s >= swh_at[pos], np.maximum(final_opt[pos, _pk.D_SWH], 0), 0)
    dhw = _take_names((params or default_system_params()).dhw_system_names,
                      cat["dhw_code"][pos, h_opt, w_opt])
    intermediate = (dim_of == _pk.D_HEAT) & (opt != final_opt[pos, _pk.D_HEAT])
    out = pd.DataFrame({c: dwellings[c].array.take(pos) for c in keys})
    if "dwelling_id" not in out.columns:
        out["dwelling_id"] = dwellings.index.to_numpy()[pos]
    out["step"] = s + 1
    out["dimension"] = dims
    out["measure"] = measure
    out["investment_eur"] = m[:, _pk.M_INV] - prev[:, _pk.M_INV]
    out["premium_eur"] = m[:, _pk.M_PREM] - prev[:, _pk.M_PREM]
    out["net_cost_eur"] = m[:, _pk.M_NET] - prev[:, _pk.M_NET]
    out["cumulative_investment_eur"] = m[:, _pk.M_INV]
    out["cumulative_premium_eur"] = m[:, _pk.M_PREM]
    out["cumulative_net_cost_eur"] = m[:, _pk.M_NET]
    out["saving_eur"] = m[:, _pk.M_SAVE_EUR] - prev[:, _pk.M_SAVE_EUR]
    out["saving_kwh"] = m[:, _pk.M_SAVE_KWH] - prev[:, _pk.M_SAVE_KWH]
    out["cumulative_saving_eur"] = m[:, _pk.M_SAVE_EUR]
    out["cumulative_saving_kwh"] = m[:, _pk.M_SAVE_KWH]
    out["heating_need_kwh"] = m[:, _pk.M_NEED]
    out["design_heat_load_w_per_m2"] = m[:, _pk.M_LOAD]
    out["epc_score_kwh_per_m2"] = m[:, _pk.M_SCORE]
    out["epc_label"] = epc_label(m[:, _pk.M_SCORE], params=params)
    out["co2_flemish_kg_co2"] = m[:, _pk.M_CO2_FL]
    out["co2_com_kg_co2"] = m[:, _pk.M_CO2_COM]
    out["cumulative_saving_co2_flemish_kg_co2"] = m[:, _pk.M_SAVE_CO2_FL]
    out["cumulative_saving_co2_com_kg_co2"] = m[:, _pk.M_SAVE_CO2_COM]
    out["heating_system"] = _take_names(HEATING_SYSTEMS, np.clip(code, 0, None))
    out["emitter_temperature_degc"] = emitter
    out["hot_water_system"] = dhw
    out["intermediate"] = intermediate
    out["final_energy_kwh"] = m[:, _pk.M_FINAL_NET] + m[:, _pk.M_PV]
    out["energy_cost_eur"] = m[:, _pk.M_COST]
    out["basis"] = basis
    lifetimes = np.concatenate([np.asarray(options.lifetime_years[d], dtype=np.float64)
                                for d in DIMENSIONS])
    out["lifetime_years"] = lifetimes[offset[dim_of] + opt]
    out["row"] = pos  # position of the dwelling in the input, for joins
    return out


def _joined_measures(options: MeasureOptions, step_dim: np.ndarray,
                     step_opt: np.ndarray) -> np.ndarray:
    """'+'-joined measure names per dwelling in step order: joined once per distinct sequence
    of steps (a city has few), not per dwelling."""
    n = step_dim.shape[0]
    if n == 0:
        return np.empty(0, dtype=object)
    k_max = max(len(v) for v in options.option_names.values())
    code = np.where(step_dim >= 0, step_dim * k_max + step_opt, -1)
    uniq, inverse = np.unique(code, axis=0, return_inverse=True)
    texts = np.empty(len(uniq), dtype=object)
    for u, row in enumerate(uniq):
        texts[u] = "+".join(options.option_names[DIMENSIONS[c // k_max]][c % k_max]
                            for c in row if c >= 0)
    return texts[np.asarray(inverse).ravel()]


def _summary_frame(dwellings: pd.DataFrame, options: MeasureOptions, cat: dict[str, np.ndarray],
                   targets: pd.DataFrame, keys: list[str], steps: pd.DataFrame,
                   params: SystemParams | None) -> pd.DataFrame:
    n = len(dwellings)
    idx = dwellings.index
    out = pd.DataFrame({c: dwellings[c].to_numpy() for c in keys}, index=idx)
    if n == 0:
        return out
    cur, best = cat["cur"], cat["best"]
    reached = cat["reached"].astype(bool)
    n_steps = (cat["step_dim"] >= 0).sum(axis=1)
    # the state after the last step: the final package, plus an intermediate step's invoice,
    # premium and NPV where the trajectory has one (the chosen or best package with no step)
    final = np.where(reached[:, None], cat["chosen"], best)
    last = cat["step_m"][np.arange(n), np.maximum(n_steps - 1, 0)]
    final = np.where((n_steps > 0)[:, None], last, final)
    out["valid"] = cat["valid"].astype(bool)
    out["invalid_reason"] = cat["invalid_reason"].astype(object)
    out["basis"] = cat["basis"].astype(object)
    for c in targets.columns:
        out[c] = targets[c].to_numpy()
    out["current_epc_score_kwh_per_m2"] = cur[:, _pk.M_SCORE]
    out["current_epc_label"] = epc_label(cur[:, _pk.M_SCORE], params=params)
    out["current_energy_cost_eur"] = cur[:, _pk.M_COST]
    out["reached"] = reached
    out["final_epc_score_kwh_per_m2"] = final[:, _pk.M_SCORE]
    out["final_epc_label"] = epc_label(final[:, _pk.M_SCORE], params=params)
    names = np.array(HEATING_SYSTEMS, dtype=object)
    h_final = np.where(cat["final_opt"][:, _pk.D_HEAT] >= 0, cat["final_opt"][:, _pk.D_HEAT], 0)
    w_final = np.where(cat["final_opt"][:, _pk.D_SWH] >= 0, cat["final_opt"][:, _pk.D_SWH], 0)
    rows = np.arange(n)
    out["current_heating_system"] = names[np.clip(cat["heat_code"][:, 0], 0, None)]
    out["final_heating_system"] = names[np.clip(cat["heat_code"][rows, h_final], 0, None)]
    out["final_emitter_temperature_degc"] = cat["emitter"][rows, h_final]
    dhw_names = np.array((params or default_system_params()).dhw_system_names, dtype=object)
    out["final_hot_water_system"] = dhw_names[cat["dhw_code"][rows, h_final, w_final]]
    out["fossil_free_end"] = ~cat["fossil"][rows, h_final, w_final]
    out["intermediate_step"] = ((cat["step_dim"] == _pk.D_HEAT)
                                & (cat["step_opt"] != cat["final_opt"][:, [_pk.D_HEAT]])).any(1)
    out["final_energy_kwh"] = final[:, _pk.M_FINAL_NET] + final[:, _pk.M_PV]
    out["final_energy_cost_eur"] = final[:, _pk.M_COST]
    out["avoided_boiler_replacement_eur"] = np.where(h_final > 0, cat["keep_replacement"], 0.0)
    if "obligation_label" in out.columns and len(steps):
        ob = out["obligation_label"].to_numpy(dtype=object)
        bounds = label_upper_bounds(params)
        ob_score = np.array([bounds.get(str(x), np.nan) for x in ob])
        meets = steps["epc_score_kwh_per_m2"].to_numpy() <= ob_score[steps["row"].to_numpy()] + 1e-9
        first = pd.Series(np.where(meets, steps["step"].to_numpy(), 10**6)).groupby(
            steps["row"].to_numpy()).min()
        col = np.full(n, np.nan)
        col[first.index.to_numpy()] = np.where(first.to_numpy() < 10**6, first.to_numpy(), np.nan)
        now = out["current_epc_score_kwh_per_m2"].to_numpy() <= ob_score + 1e-9
        out["obligation_step"] = np.where(now, 0.0, col)
    out["n_steps"] = n_steps
    out["measures"] = _joined_measures(options, cat["step_dim"], cat["step_opt"])
    for j, name in ((_pk.M_INV, "investment_eur"), (_pk.M_PREM, "premium_eur"),
                    (_pk.M_NET, "net_cost_eur"), (_pk.M_SAVE_EUR, "saving_eur"),
                    (_pk.M_SAVE_KWH, "saving_kwh"),
                    (_pk.M_SAVE_CO2_FL, "saving_co2_flemish_kg_co2"),
                    (_pk.M_SAVE_CO2_COM, "saving_co2_com_kg_co2"), (_pk.M_NPV, "npv_eur"),
                    (_pk.M_PAYBACK, "payback_years")):
        out[name] = final[:, j]
    # the premium split: Mijn VerbouwPremie and a municipality's top-up on the end state's
    # measures (where the package premium is cut to the investment, the regional part absorbs
    # the cut)
    municipal = np.zeros(n)
    if options.municipal_premium_eur is not None:
        for j, d in enumerate(DIMENSIONS):
            k = np.maximum(cat["final_opt"][:, j], 0)
            municipal += options.municipal_premium_eur[d][rows, k]
    premium = out["premium_eur"].to_numpy(np.float64)
    municipal = np.clip(municipal, 0.0, np.where(np.isfinite(premium), premium, 0.0))
    out["regional_premium_eur"] = premium - municipal
    out["municipal_premium_eur"] = municipal
    out["best_epc_score_kwh_per_m2"] = best[:, _pk.M_SCORE]
    out["best_epc_label"] = epc_label(best[:, _pk.M_SCORE], params=params)
    gap = best[:, _pk.M_SCORE] - out["target_score_kwh_per_m2"].to_numpy(np.float64)
    out["gap_kwh_per_m2"] = np.where(reached, 0.0, np.maximum(gap, 0.0))
    out["n_packages"] = cat["n_eval"].astype(np.int64)
    out["explanation"] = _explain(options, out, cat["min_load"], np.arange(n))
    # fossil-free target: the best package still heats with gas or oil
    fossil_left = (out["valid"].to_numpy(bool) & ~reached & out["fossil_free"].to_numpy(bool)
                   & ~out["fossil_free_end"].to_numpy(bool))
    if fossil_left.any():
        text = out["explanation"].to_numpy(dtype=object, copy=True)
        msg = ("fossielvrij verwarmen met een warmtepomp niet haalbaar (zie hierboven); "
               "de woning blijft op " + out["final_heating_system"].astype(str)).to_numpy(
                   dtype=object)
        head = np.where(text == "", "doel label A en fossielvrij niet haalbaar", text)
        text[fossil_left] = head[fossil_left] + "; " + msg[fossil_left]
        out["explanation"] = text
    return out


__all__ = ["KEY_COLUMNS", "STEP_COLUMNS", "TARGETS", "label_upper_bounds", "plan_trajectories",
           "planned_years", "resolve_targets", "time_steps"]
