"""Scenarios to 2050: a yearly simulation of the dwelling stock under configurable rules.

A scenario file (TOML, versioned, every value with a source or rationale; read into frozen
pydantic models that reject unknown fields) sets the yearly sales turnover, whether the
renovation obligation after purchase applies, the natural renovation rate, collective
campaigns in chosen sectors, a premium multiplier, an energy price path and an optional
fossil-boiler ban. :func:`run_scenario` then simulates the stock year by year:

1. **Trajectories, once.** Every dwelling's least-cost trajectory to the long-term target
   (label A by 2050, :mod:`wijkreno.renovate.trajectories`) is enumerated once, with every
   state along it (today, after step 1, 2, ...) evaluated by the package kernel: EPC score,
   CO2 (Flemish and Covenant of Mayors factors), final energy, energy bill, cumulative
   investment and premium. Dwellings whose planning inputs are identical share one trajectory
   (``deduplicate``): planning runs at about 17,000 dwellings per second, so for a
   3.3-million-dwelling stock built from archetypes only the distinct archetype rows are
   planned and mapped back; a twin of real, all-different dwellings plans each once. Planning
   *only the dwellings that renovate* would not save much: over 25 years most dwellings are sold
   or renovate at least once.
2. **Events per year.** From ``start_year + 1`` to ``end_year`` a seeded generator draws, for
   every dwelling, whether it is sold (a deed that year: the obligation's label within the
   deadline, works ``works_delay_years`` after the deed by a share ``compliance_frac`` of the
   buyers), whether it renovates naturally (one or two steps; the rate scaled by the energy
   price multiplier to the power of an elasticity), and whether it joins a campaign of its
   sector (the whole trajectory). A renovating dwelling moves along its trajectory
   (:mod:`wijkreno.scenario._kernels`): never to a state worse than today's.
3. **State per year**, from the trajectory states: per statistical sector, dwellings per label,
   mean EPC score, CO2 with both factor sets, final energy, energy bill at that year's price,
   investment and premiums (premiums x the scenario's multiplier, at most the investment) of
   the year and cumulated, and counts of renovations by cause. The row of ``start_year`` is
   today's stock (no events).

Random numbers are drawn for every dwelling every year whatever its state, so a run is
reproducible from the seed and one scenario's draws do not depend on another's outcomes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.scenario import (
    PACKAGED_SCENARIOS,
    Campaign,
    EnergyPrice,
    HeatingRules,
    NaturalRenovation,
    ObligationRules,
    SalesTurnover,
    Scenario,
    load_scenario,
)
from wijkreno.renovate import kernels as pk
from wijkreno.renovate.catalogue import load_renovation_params, obligation_labels
from wijkreno.scenario import _kernels
from wijkreno.simulate.params import SystemParams, default_system_params

log = logging.getLogger(__name__)

SCENARIO_TARGET = "label_A_2050"
"""Target of the trajectories the scenarios follow (label only; whether scenarios should plan on
the fossil-free default target of ``plan_trajectories`` is an open decision of issue 12)."""
ALL_SECTORS = "*"
"""A campaign whose ``sectors`` hold ``"*"`` runs in every sector."""
HOUSE_TYPOLOGIES: tuple[str, ...] = ("detached", "semi_detached", "terraced")
APARTMENT_TYPOLOGY = "apartment_building"
N_STATES = pk.N_STEPS + 1
"""States per trajectory: today and after each of at most 9 steps (8 dimensions and an
intermediate heating step)."""

STATE_METRICS: tuple[str, ...] = (
    "epc_score_kwh_per_m2", "co2_flemish_kg_co2", "co2_com_kg_co2", "final_energy_kwh",
    "energy_cost_eur", "investment_eur", "premium_eur",
)
"""Per-state figures of a trajectory (investment and premium cumulative from today)."""

# ---------------------------------------------------------------------------------------------
# scenario files


# ---------------------------------------------------------------------------------------------
# trajectory states


IDENTITY_COLUMNS: frozenset[str] = frozenset({
    "dwelling_id", "adres_id", "gebouw_id", "geometry", "street", "house_number", "box_number",
    "postcode", "nis_code", "sector_code", "wijk_code", "wijk_name", "deed_year", "tenure",
    "group_id", "group_kind", "group_size",
})
"""Columns that name or place a dwelling but do not enter its trajectory (ignored when
identical dwellings are grouped for planning)."""


@dataclass(frozen=True)
class TrajectoryStates:
    """Every dwelling's trajectory as a table of states (see :data:`STATE_METRICS`).

    Attributes
    ----------
    template : ndarray of int64, shape (n,)
        Row of the state tables that holds each dwelling's trajectory.
    n_steps : ndarray of int64, shape (m,)
        Steps of each trajectory (0 for an invalid dwelling).
    heat_step : ndarray of int64, shape (m,)
        0-based index of the heating change among the steps, -1 for none.
    valid : ndarray of bool, shape (m,)
    metrics : dict of str to ndarray of float64, shape (m, 9)
        Per state 0 (today) .. 8 (states past ``n_steps`` repeat the last); NaN when invalid.
    label_code : ndarray of int8, shape (m, 9)
        Index of the EPC label of each state in ``labels``; ``len(labels)`` when unknown.
    labels : tuple of str
    """

    template: np.ndarray
    n_steps: np.ndarray
    heat_step: np.ndarray
    valid: np.ndarray
    metrics: dict[str, np.ndarray]
    label_code: np.ndarray
    labels: tuple[str, ...]
    basis: np.ndarray | None = None
    """Basis of each trajectory's money, energy and CO2 (``expected``, ``calibrated``,
    ``metered``, ``standardised``; :mod:`wijkreno.simulate.basis`); the EPC score is always
    standardised."""
    price_year: int | None = None
    """Year the investments and premiums are quoted in (the options' ``price_year``); None:
    each cost at its source's date."""

    @property
    def n_dwellings(self) -> int:
        return int(len(self.template))


def _planning_keys(dwellings: pd.DataFrame) -> np.ndarray:
    """Row codes equal for dwellings with identical planning inputs."""
    cols = [c for c in dwellings.columns
            if c not in IDENTITY_COLUMNS and str(dwellings[c].dtype) != "geometry"]
    frame = pd.DataFrame({c: dwellings[c] for c in cols})
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    codes, _ = pd.factorize(hashed)
    return codes.astype(np.int64)


def plan_states(
    dwellings: pd.DataFrame,
    options: Any = None,
    *,
    deduplicate: bool = True,
    chunk_size: int | None = None,
    system_params: SystemParams | None = None,
    basis: str = "auto",
) -> TrajectoryStates:
    """Enumerate each dwelling's trajectory to the long-term target with all its states.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The twin's dwellings (overrides applied).
    options : MeasureOptions, optional
        Built with :func:`~wijkreno.renovate.applicability.measure_options` when None, priced
        in the current price year (:func:`wijkreno.renovate.catalogue.money_params`, as the
        economics); given options disable ``deduplicate`` (they hold one row per dwelling)
        and set the price year (they must have one: built with ``money=``).
    deduplicate : bool
        Plan dwellings with identical planning inputs (every column but those of
        :data:`IDENTITY_COLUMNS`) once.
    chunk_size : int, optional
        As in :func:`wijkreno.renovate.packages.best_packages`.
    system_params : SystemParams, optional
        Label bounds and system parameters.
    basis : {'auto', 'expected', 'calibrated', 'standardised'}
        Basis of bills, final energy and CO2 (EPC scores stay standardised); see
        :func:`wijkreno.renovate.packages.best_packages`.

    Returns
    -------
    TrajectoryStates

    Raises
    ------
    InputError
        When the options have no price year (costs at their sources' dates) or hold another
        number of dwellings.
    """
    from wijkreno.renovate.applicability import measure_options
    from wijkreno.renovate.catalogue import money_params
    from wijkreno.renovate.packages import check_price_year, enumerate_chunks, load_economics
    from wijkreno.renovate.trajectories import resolve_targets

    n = len(dwellings)
    if options is None and deduplicate and n:
        codes = _planning_keys(dwellings)
        _, first = np.unique(codes, return_index=True)
        templates = dwellings.iloc[first]
        template = codes  # factorize codes are in order of first appearance = order of first
        log.info("planning %d distinct trajectories for %d dwellings", len(first), n)
    else:
        templates = dwellings
        template = np.arange(n, dtype=np.int64)
    money = money_params(options.price_year if options is not None else None)
    if options is None:
        options = measure_options(templates, money=money)
    if options.n_dwellings != len(templates):
        raise InputError(f"the measure options hold {options.n_dwellings} dwellings but the "
                         f"dwellings table has {len(templates)} rows; build them with "
                         "measure_options(dwellings).")
    econ = load_economics(None, money=money)
    check_price_year(options, econ.start_year)
    targets = resolve_targets(templates, SCENARIO_TARGET, params=system_params)
    tscore = np.ascontiguousarray(targets["target_score_kwh_per_m2"].to_numpy(np.float64))
    m = len(templates)
    cols = {k: np.full((m, N_STATES), np.nan) for k in STATE_METRICS}
    n_steps = np.zeros(m, dtype=np.int64)
    heat_step = np.full(m, -1, dtype=np.int64)
    valid = np.zeros(m, dtype=bool)
    used = np.full(m, "standardised", dtype=object)
    for part in enumerate_chunks(templates, options, econ, tscore, "cost",
                                 system_params=system_params, chunk_size=chunk_size,
                                 with_steps=True, basis=basis):
        lo, hi = part["lo"], part["hi"]
        used[lo:hi] = part["basis"]
        ok = np.asarray(part["valid"], dtype=bool)
        sdim = part["step_dim"]
        ns = np.where(ok, (sdim >= 0).sum(axis=1), 0)
        # states (k, 9, N_M): today, then each step; past the last step the last state repeats
        st = np.concatenate([part["cur"][:, None, :], part["step_m"]], axis=1)
        idx = np.minimum(np.arange(N_STATES)[None, :], ns[:, None])
        st = np.take_along_axis(st, idx[:, :, None], axis=1)
        final = st[:, :, pk.M_FINAL_NET] + st[:, :, pk.M_PV]
        values = {
            "epc_score_kwh_per_m2": st[:, :, pk.M_SCORE],
            "co2_flemish_kg_co2": st[:, :, pk.M_CO2_FL],
            "co2_com_kg_co2": st[:, :, pk.M_CO2_COM],
            "final_energy_kwh": final,
            "energy_cost_eur": st[:, :, pk.M_COST],
            "investment_eur": st[:, :, pk.M_INV],
            "premium_eur": st[:, :, pk.M_PREM],
        }
        # today's state has no investment (the kernel's 'cur' row holds none, made explicit)
        values["investment_eur"][:, 0] = 0.0
        values["premium_eur"][:, 0] = 0.0
        for k, v in values.items():
            cols[k][lo:hi] = np.where(ok[:, None], v, np.nan)
        hs = np.where(sdim == pk.D_HEAT, np.arange(sdim.shape[1])[None, :], sdim.shape[1])
        h = hs.min(axis=1)
        heat_step[lo:hi] = np.where(ok & (h < sdim.shape[1]), h, -1)
        n_steps[lo:hi] = ns
        valid[lo:hi] = ok
    params = system_params or default_system_params()
    labels = tuple(params.epc_labels.labels)
    bounds = np.asarray(params.epc_labels.upper_bounds_kwh_per_m2, dtype=np.float64)
    score = cols["epc_score_kwh_per_m2"]
    # A+ strictly below its bound, every other label includes its upper bound (epc_label)
    code = np.searchsorted(bounds, score, side="left")
    code = np.where(score < bounds[0], 0, np.maximum(code, 1))
    code = np.where(np.isfinite(score), code, len(labels)).astype(np.int8)
    return TrajectoryStates(template=np.ascontiguousarray(template, dtype=np.int64),
                            n_steps=n_steps, heat_step=heat_step, valid=valid, metrics=cols,
                            label_code=code, labels=labels, basis=used,
                            price_year=options.price_year)


# ---------------------------------------------------------------------------------------------
# the yearly simulation


def _label_column(label: str) -> str:
    return "n_label_" + label.lower().replace("+", "plus")


SUM_COLUMNS: tuple[str, ...] = (
    "co2_flemish_kg_co2", "co2_com_kg_co2", "final_energy_kwh", "energy_cost_eur",
    "investment_eur", "premium_eur", "cumulative_investment_eur", "cumulative_premium_eur",
    "n_renovations", "n_obligation_renovations", "n_campaign_renovations",
    "n_natural_renovations", "n_sold",
)
"""Additive columns of the per-year tables (``investment_eur``/``premium_eur``: that year's)."""


@dataclass
class ScenarioResult:
    """Outcome of :func:`run_scenario`.

    Attributes
    ----------
    scenario : Scenario
    by_sector : pandas.DataFrame
        One row per year x sector: ``year``, ``sector_code``, ``n_dwellings``, one
        ``n_label_<label>`` per label (``n_label_aplus`` .. ``n_label_f``),
        ``n_label_unknown``, ``mean_epc_score_kwh_per_m2`` (over dwellings with a score), then
        :data:`SUM_COLUMNS`; CO2 [kg/yr], final energy [kWh/yr] and energy bill [EUR/yr] of the
        stock in that year's state, the bill at that year's real price.
    by_year : pandas.DataFrame
        The same summed over sectors, one row per year, plus ``energy_price_multiplier``.
        Both tables' ``attrs["price_year"]``: the year the investments and premiums are quoted
        in (``states.price_year``; not escalated over the scenario's years).
    dwellings : pandas.DataFrame
        Indexed like the input: ``sector_code``, ``typology``, ``start_epc_score_kwh_per_m2``,
        ``start_epc_label``, ``end_epc_score_kwh_per_m2``, ``end_epc_label``, ``position``
        (steps done), ``n_steps`` (steps of the trajectory), ``n_renovations``,
        ``investment_eur``, ``premium_eur`` (cumulative, premium scaled), ``last_sale_year``
        (<NA> when not sold), ``obligation_label``, ``obligation_deadline_year``,
        ``obligation_met`` (<NA> until works were due; False also for a buyer who did not
        comply).
    positions : ndarray of int8, shape (n_years, n)
        Each dwelling's position on its trajectory at the end of each year.
    states : TrajectoryStates
    """

    scenario: Scenario
    by_sector: pd.DataFrame
    by_year: pd.DataFrame
    dwellings: pd.DataFrame
    positions: np.ndarray
    states: TrajectoryStates = field(repr=False)

    def dwelling_metric(self, metric: str, year: int) -> np.ndarray:
        """Per-dwelling value of a :data:`STATE_METRICS` figure at the end of ``year``."""
        k = int(year) - self.scenario.start_year
        if not 0 <= k < self.positions.shape[0]:
            raise InputError(f"year {year} lies outside the scenario "
                             f"({self.scenario.start_year}-{self.scenario.end_year})")
        if metric not in STATE_METRICS:
            raise InputError(f"metric must be one of {list(STATE_METRICS)}, got {metric!r}")
        s = self.states
        return s.metrics[metric][s.template, self.positions[k].astype(np.int64)]


def _sector_codes(dwellings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "sector_code" not in dwellings.columns:
        raise InputError("run_scenario needs a 'sector_code' column (the twin's dwellings "
                         "have it); give the Statbel sector of each dwelling.")
    s = dwellings["sector_code"]
    codes, uniq = pd.factorize(s, sort=True)
    names = np.asarray(uniq, dtype=object).astype(str)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names = np.append(names, "onbekend")
    return codes.astype(np.int64), names


def run_scenario(
    dwellings: pd.DataFrame,
    scenario: Scenario | str | Path,
    *,
    states: TrajectoryStates | None = None,
    options: Any = None,
    deduplicate: bool = True,
    chunk_size: int | None = None,
    system_params: SystemParams | None = None,
    basis: str = "auto",
) -> ScenarioResult:
    """Simulate the stock year by year under a scenario.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The twin's dwellings; needs ``sector_code`` and ``typology`` (and what the renovation
        enumeration needs, unless ``states`` are given).
    scenario : Scenario, str or Path
        A scenario, a scenario file or a packaged scenario's name.
    states : TrajectoryStates, optional
        From :func:`plan_states` on the same dwellings (plan once, run many scenarios).
    options, deduplicate, chunk_size, system_params, basis
        Passed to :func:`plan_states` when ``states`` is None (``basis`` of bills, energy and
        CO2; the tables' ``attrs["basis_nl"]`` names it in Dutch).

    Returns
    -------
    ScenarioResult

    Raises
    ------
    InputError
        On an empty table, a missing column, a bad scenario or states of another length.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    n = len(dwellings)
    if n == 0:
        raise InputError("run_scenario received no dwellings; give the twin's dwellings table.")
    if "typology" not in dwellings.columns:
        raise InputError("run_scenario needs a 'typology' column (the twin's dwellings have it).")
    codes, sectors = _sector_codes(dwellings)
    if states is None:
        states = plan_states(dwellings, options, deduplicate=deduplicate,
                             chunk_size=chunk_size, system_params=system_params, basis=basis)
    if states.n_dwellings != n:
        raise InputError(f"the trajectory states hold {states.n_dwellings} dwellings but the "
                         f"table has {n}; plan them with plan_states(dwellings).")
    ren = load_renovation_params()
    typ = dwellings["typology"].astype("string").fillna("").to_numpy(dtype=object)
    is_house = np.isin(typ, HOUSE_TYPOLOGIES)
    is_flat = typ == APARTMENT_TYPOLOGY
    turnover = np.where(is_house, sc.sales_turnover.house_frac.value,
                        np.where(is_flat, sc.sales_turnover.apartment_frac.value, 0.0))
    from wijkreno.renovate.trajectories import label_upper_bounds

    bounds = label_upper_bounds(system_params)
    tmpl = states.template
    n_steps_d = states.n_steps[tmpl]
    score_t = np.ascontiguousarray(states.metrics["epc_score_kwh_per_m2"])
    inv_t = np.nan_to_num(states.metrics["investment_eur"])
    prem_t = np.nan_to_num(states.metrics["premium_eur"])
    n_sec = len(sectors)
    campaign_masks = []
    for c in sc.campaigns:
        if ALL_SECTORS in c.sectors:
            mask = np.ones(n, dtype=bool)
        else:
            unknown = sorted(set(c.sectors) - set(sectors))
            if unknown:
                log.warning("campaign %r: sectors %s hold no dwellings", c.name, unknown)
            mask = np.isin(codes, np.flatnonzero(np.isin(sectors, list(c.sectors))))
        campaign_masks.append(mask)

    rng = np.random.default_rng(sc.seed)
    years = sc.years
    pos = np.zeros(n, dtype=np.int64)
    new = np.empty(n, dtype=np.int64)
    positions = np.zeros((len(years), n), dtype=np.int8)
    n_ren = np.zeros(n, dtype=np.int32)
    inv_cum = np.zeros(n)
    prem_cum = np.zeros(n)
    last_sale = np.full(n, -1, dtype=np.int64)
    ob_label = np.full(n, "", dtype=object)
    ob_deadline = np.full(n, -1, dtype=np.int64)
    ob_due = np.full(n, -1, dtype=np.int64)
    ob_bound = np.full(n, np.inf)
    ob_met = np.full(n, -1, dtype=np.int8)  # -1 not due yet, 0 not met, 1 met
    delay = int(sc.obligation.works_delay_years.value)
    mult = float(sc.premium_multiplier.value)
    ban = sc.heating.fossil_ban_from_year
    rows: list[dict[str, np.ndarray]] = []
    zeros = np.zeros(n, dtype=np.int64)
    for k, year in enumerate(years):
        price = float(sc.energy_price_multiplier(year))
        counts = dict(n_renovations=zeros, n_obligation_renovations=zeros,
                      n_campaign_renovations=zeros, n_natural_renovations=zeros, n_sold=zeros)
        d_inv = np.zeros(n)
        d_prem = np.zeros(n)
        if k > 0:
            u_sale, u_comply, u_nat, u_two = (rng.random(n) for _ in range(4))
            u_camp = [rng.random(n) for _ in campaign_masks]
            sold = u_sale < turnover
            last_sale[sold] = year
            if sc.obligation.applies and sold.any():
                idx = np.flatnonzero(sold)
                labs, deadline = obligation_labels(np.full(len(idx), year), typ[idx],
                                                   renovation=ren)
                has = labs != ""
                idx, labs, deadline = idx[has], labs[has], deadline[has]
                ob_label[idx] = labs
                ob_deadline[idx] = deadline
                ob_bound[idx] = pd.Series(labs, dtype=object).map(bounds).to_numpy(
                    dtype=np.float64)
                comply = u_comply[idx] < sc.obligation.compliance_frac.value
                ob_due[idx] = np.where(comply, year + delay, -1)
                ob_met[idx] = np.where(comply, -1, 0)
            due = ob_due == year
            bound = np.where(due, ob_bound, np.inf)
            min_steps = np.zeros(n, dtype=np.int64)
            joined = np.zeros(n, dtype=bool)
            for c, mask, u in zip(sc.campaigns, campaign_masks, u_camp, strict=True):
                if c.start_year <= year <= c.end_year:
                    joined |= mask & (pos < n_steps_d) & (u < c.participation_frac.value)
            min_steps[joined] = N_STATES
            rate = sc.natural_renovation.rate_frac.value * price ** (
                sc.natural_renovation.energy_price_elasticity.value)
            nat = u_nat < min(rate, 1.0)
            nat_steps = np.where(u_two < sc.natural_renovation.two_steps_frac.value, 2, 1)
            min_steps = np.where(nat, np.maximum(min_steps, nat_steps), min_steps)
            need_heat = (ban is not None and year >= ban) & (nat | joined | due)
            _kernels.advance_positions(pos, states.n_steps, score_t, tmpl, min_steps, bound,
                                       states.heat_step, np.ascontiguousarray(need_heat), new)
            moved = new > pos
            d_inv = np.where(moved, inv_t[tmpl, new] - inv_t[tmpl, pos], 0.0)
            d_prem = np.minimum(np.where(moved, prem_t[tmpl, new] - prem_t[tmpl, pos], 0.0)
                                * mult, d_inv)
            inv_cum += d_inv
            prem_cum += d_prem
            n_ren += moved
            if due.any():
                met = score_t[tmpl[due], new[due]] <= ob_bound[due]
                ob_met[due] = met.astype(np.int8)
            counts = dict(n_renovations=moved, n_obligation_renovations=due & moved,
                          n_campaign_renovations=joined & moved,
                          n_natural_renovations=nat & moved, n_sold=sold)
            pos, new = new, pos
        positions[k] = pos
        rows.append(_aggregate(states, tmpl, pos, codes, n_sec, price, d_inv, d_prem, inv_cum,
                               prem_cum, counts))
    by_sector = _sector_frame(rows, years, sectors, states.labels)
    by_year = summarise_years(by_sector)
    if states.basis is not None:
        from wijkreno.simulate.basis import basis_summary_label

        label = basis_summary_label(states.basis[states.template])
        for table in (by_sector, by_year):
            table.attrs["basis_nl"] = label
            table.attrs["epc_basis_nl"] = "EPC-berekening (gestandaardiseerd)"
    by_year.insert(1, "energy_price_multiplier", sc.energy_price_multiplier(years))
    for table in (by_sector, by_year):  # investments and premiums in prices of this year
        table.attrs["price_year"] = states.price_year
    per = _dwelling_frame(dwellings, states, positions, n_ren, inv_cum, prem_cum, last_sale,
                          ob_label, ob_deadline, ob_met, sectors, codes)
    return ScenarioResult(scenario=sc, by_sector=by_sector, by_year=by_year, dwellings=per,
                          positions=positions, states=states)


def _aggregate(states: TrajectoryStates, tmpl: np.ndarray, pos: np.ndarray, codes: np.ndarray,
               n_sec: int, price: float, d_inv: np.ndarray, d_prem: np.ndarray,
               inv_cum: np.ndarray, prem_cum: np.ndarray,
               counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-sector sums of one year's state (bincount: one pass per figure)."""
    n_lab = len(states.labels) + 1

    def per_sector(w: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=np.nan_to_num(w), minlength=n_sec)

    m = states.metrics
    score = m["epc_score_kwh_per_m2"][tmpl, pos]
    lab = states.label_code[tmpl, pos].astype(np.int64)
    out = {
        "n_dwellings": np.bincount(codes, minlength=n_sec),
        "labels": np.bincount(codes * n_lab + lab, minlength=n_sec * n_lab).reshape(n_sec,
                                                                                    n_lab),
        "score_sum": per_sector(score),
        "n_scored": np.bincount(codes, weights=np.isfinite(score), minlength=n_sec),
        "co2_flemish_kg_co2": per_sector(m["co2_flemish_kg_co2"][tmpl, pos]),
        "co2_com_kg_co2": per_sector(m["co2_com_kg_co2"][tmpl, pos]),
        "final_energy_kwh": per_sector(m["final_energy_kwh"][tmpl, pos]),
        "energy_cost_eur": per_sector(m["energy_cost_eur"][tmpl, pos]) * price,
        "investment_eur": per_sector(d_inv),
        "premium_eur": per_sector(d_prem),
        "cumulative_investment_eur": per_sector(inv_cum),
        "cumulative_premium_eur": per_sector(prem_cum),
    }
    for name, flag in counts.items():
        out[name] = np.bincount(codes, weights=flag, minlength=n_sec)
    return out


def _sector_frame(rows: list[dict[str, np.ndarray]], years: np.ndarray, sectors: np.ndarray,
                  labels: tuple[str, ...]) -> pd.DataFrame:
    n_sec = len(sectors)
    data: dict[str, Any] = {
        "year": np.repeat(years, n_sec).astype(np.int64),
        "sector_code": np.tile(sectors, len(years)),
        "n_dwellings": np.concatenate([r["n_dwellings"] for r in rows]).astype(np.int64),
    }
    lab = np.concatenate([r["labels"] for r in rows])
    for j, name in enumerate(labels):
        data[_label_column(name)] = lab[:, j].astype(np.int64)
    data["n_label_unknown"] = lab[:, -1].astype(np.int64)
    s = np.concatenate([r["score_sum"] for r in rows])
    c = np.concatenate([r["n_scored"] for r in rows])
    with np.errstate(invalid="ignore", divide="ignore"):
        data["mean_epc_score_kwh_per_m2"] = np.where(c > 0, s / c, np.nan)
    for col in SUM_COLUMNS:
        v = np.concatenate([r[col] for r in rows])
        data[col] = v.astype(np.int64) if col.startswith("n_") else v
    return pd.DataFrame(data)


def summarise_years(by_sector: pd.DataFrame) -> pd.DataFrame:
    """Sum a per-year-per-sector table over sectors (the mean score weighted by dwellings
    with a score).

    Parameters
    ----------
    by_sector : pandas.DataFrame
        :attr:`ScenarioResult.by_sector` or a subset of its sectors.

    Returns
    -------
    pandas.DataFrame
        One row per year with the columns of ``by_sector`` but ``sector_code``.
    """
    counts = [c for c in by_sector.columns if c.startswith("n_label_")] + ["n_dwellings"]
    scored = by_sector["n_dwellings"] - by_sector["n_label_unknown"]
    tmp = by_sector.assign(_w=by_sector["mean_epc_score_kwh_per_m2"].fillna(0.0) * scored,
                           _n=scored)
    g = tmp.groupby("year", sort=True)
    out = g[counts + list(SUM_COLUMNS) + ["_w", "_n"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_epc_score_kwh_per_m2"] = np.where(out["_n"] > 0, out["_w"] / out["_n"],
                                                    np.nan)
    out = out.drop(columns=["_w", "_n"]).reset_index()
    order = ["year", "n_dwellings"] + [c for c in counts if c != "n_dwellings"] + [
        "mean_epc_score_kwh_per_m2"] + list(SUM_COLUMNS)
    return out[order]


def _dwelling_frame(dwellings: pd.DataFrame, states: TrajectoryStates, positions: np.ndarray,
                    n_ren: np.ndarray, inv_cum: np.ndarray, prem_cum: np.ndarray,
                    last_sale: np.ndarray, ob_label: np.ndarray, ob_deadline: np.ndarray,
                    ob_met: np.ndarray, sectors: np.ndarray,
                    codes: np.ndarray) -> pd.DataFrame:
    tmpl = states.template
    score = states.metrics["epc_score_kwh_per_m2"]
    cats = list(states.labels)
    end = positions[-1].astype(np.int64)

    def label(p: np.ndarray) -> pd.Categorical:
        c = states.label_code[tmpl, p].astype(np.int64)
        return pd.Categorical.from_codes(np.where(c < len(cats), c, -1), categories=cats,
                                         ordered=True)

    start = np.zeros(len(tmpl), dtype=np.int64)
    out = pd.DataFrame({
        "sector_code": pd.Categorical.from_codes(codes, categories=list(sectors)),
        "typology": dwellings["typology"].to_numpy(),
        "start_epc_score_kwh_per_m2": score[tmpl, 0],
        "start_epc_label": label(start),
        "end_epc_score_kwh_per_m2": score[tmpl, end],
        "end_epc_label": label(end),
        "position": end,
        "n_steps": states.n_steps[tmpl],
        "n_renovations": n_ren.astype(np.int64),
        "investment_eur": inv_cum,
        "premium_eur": prem_cum,
        "last_sale_year": pd.array(np.where(last_sale >= 0, last_sale, 0), dtype="Int64"),
        "obligation_label": pd.Categorical(np.where(ob_label == "", None, ob_label),
                                           categories=cats, ordered=True),
        "obligation_deadline_year": pd.array(np.where(ob_deadline >= 0, ob_deadline, 0),
                                             dtype="Int64"),
        "obligation_met": pd.array(ob_met == 1, dtype="boolean"),
    }, index=dwellings.index)
    out.loc[last_sale < 0, "last_sale_year"] = pd.NA
    out.loc[ob_deadline < 0, "obligation_deadline_year"] = pd.NA
    out.loc[ob_met < 0, "obligation_met"] = pd.NA
    return out


def compare_scenarios(a: ScenarioResult, b: ScenarioResult, *,
                      per_sector: bool = False) -> pd.DataFrame:
    """Side-by-side table of two scenario runs on the same stock.

    Parameters
    ----------
    a, b : ScenarioResult
        Two runs (usually the same dwellings, e.g. baseline and ambitious).
    per_sector : bool
        Compare per year and sector instead of per year.

    Returns
    -------
    pandas.DataFrame
        Keys ``year`` (and ``sector_code``), then for every figure ``<figure>_a``,
        ``<figure>_b`` and ``<figure>_diff`` (b minus a); ``attrs["scenario_a"]`` and
        ``attrs["scenario_b"]`` hold the names.
    """
    keys = ["year", "sector_code"] if per_sector else ["year"]
    ta = a.by_sector if per_sector else a.by_year
    tb = b.by_sector if per_sector else b.by_year
    if len(ta) != len(tb) or not (ta[keys].to_numpy() == tb[keys].to_numpy()).all():
        raise InputError(
            f"scenarios {a.scenario.name!r} and {b.scenario.name!r} cover different years or "
            "sectors; run both on the same dwellings with the same start and end year."
        )
    figures = [c for c in ta.columns if c not in keys]
    out = ta[keys].reset_index(drop=True).copy()
    for c in figures:
        va, vb = ta[c].to_numpy(), tb[c].to_numpy()
        out[f"{c}_a"], out[f"{c}_b"] = va, vb
        out[f"{c}_diff"] = vb - va
    out.attrs["scenario_a"] = a.scenario.name
    out.attrs["scenario_b"] = b.scenario.name
    return out


def label_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Share of each label per row of a per-year table [-] (``share_<label>_frac`` columns,
    over the dwellings with a label)."""
    cols = [c for c in table.columns if c.startswith("n_label_") and c != "n_label_unknown"]
    tot = table[cols].sum(axis=1).replace(0, np.nan)
    return pd.DataFrame({c.replace("n_label_", "share_") + "_frac": table[c] / tot
                         for c in cols}, index=table.index)


__all__ = [
    "ALL_SECTORS", "IDENTITY_COLUMNS", "PACKAGED_SCENARIOS", "STATE_METRICS", "SUM_COLUMNS",
    "Campaign", "EnergyPrice", "HeatingRules", "NaturalRenovation", "ObligationRules",
    "SalesTurnover", "Scenario", "ScenarioResult", "TrajectoryStates", "compare_scenarios",
    "label_shares", "load_scenario", "plan_states", "run_scenario", "summarise_years",
]
