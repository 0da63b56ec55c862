"""Renovation packages: every combination of one applicable option per dimension, per dwelling.

A package is one option per :data:`~wijkreno.renovate.options.DIMENSIONS` (option 0 = keep).
The enumeration reuses the energy engine: for every applicable *envelope* combination (roof x
wall x floor x glazing x ventilation) of every dwelling, the packed heat-balance input row is
built and the engine's numba heat balance (:func:`wijkreno.simulate.heat_balance.run_balance`)
runs once; then a fused numba kernel (:mod:`wijkreno.renovate._package_kernels`) combines each
envelope row with every applicable heating x PV x solar-water-heater option (systems stage of
:mod:`wijkreno.simulate.systems`, linear in the needs) and computes the economics. Dwellings are
processed in chunks so that memory stays bounded; :func:`best_packages` keeps only the
per-dwelling reduction, :func:`evaluate_packages` the full table (small selections).

Rules (documented here once):

* **Heat recovery** (ventilation D): the engine has no heat-recovery input; H_ve = rho c (n_use
  + n_inf) V. With recovery efficiency eta on the mechanical (use) air change, H_ve = rho c
  (n_use (1 - eta) + n_inf) V, which the engine computes exactly when its infiltration input is
  n_inf - eta n_use (may be negative; the sum stays >= 0 for eta <= 1).
* **Heat-pump condition**: an option of the ``heating`` dimension other than ``keep`` counts only
  where the envelope combination's design heat load (H_tr + H_ve)(theta_int - theta_design) /
  A_floor [W m-2] is at or below the option's ``max_design_load_w_per_m2``.
* **PV**: its yield lowers primary energy (the EPC counts PV: yield x primary factor of
  electricity) and the bill (self-consumed share at the retail electricity price, the rest at
  the injection tariff); in CO2 it counts as avoided grid electricity (both factor sets).
* **Premium** of a package: the sum of the per-measure premiums (each already capped by the
  catalogue), never more than the investment.
* **Economics**: saving = current bill - package bill [EUR/yr]; NPV = -net cost + saving x
  sum_{t=1..H} ((1 + g)/(1 + r))^t - replacements within the horizon (invoice at each end of
  life, at that year's construction-cost level, ``price_sets.toml [construction_cost_index]``)
  + residual value at the horizon (linear), both discounted; simple payback = net cost /
  saving. Invoices are quoted in the price year (``Economics.start_year``): the run prices the
  catalogue there, each cost indexed from its source's year by the ABEX series
  (:func:`wijkreno.renovate.catalogue.index_catalogue`).
* **Basis of the money figures** (``basis``: ``"auto"`` (default), ``"calibrated"``,
  ``"expected"`` or ``"standardised"``; :mod:`wijkreno.simulate.basis`): the ratio of the
  current use of the heating system's carrier on that basis to its standardised final energy
  (:func:`~wijkreno.simulate.basis.heating_use_ratio`) scales every package's final energy,
  energy bill (variable part) and CO2 (PV yield and fixed fees are not scaled). A household's
  own meter (``metered_gas_kwh`` / ``metered_electricity_kwh``, for the heating carrier) wins
  over any basis (named ``metered``); ``auto`` is calibrated where a calibration covers the
  dwelling, else expected, else standardised. The ``basis`` column names, per dwelling, the
  basis actually used. EPC figures stay standardised.
* **End of life of the existing boiler**: keeping a gas or oil boiler costs its like-for-like
  replacement when it is worn out (``renovation.toml [economics] boiler_*``, remaining life
  from ``heating_install_year`` or half its lifetime), discounted, in the ``keep`` option's
  life-cycle cost; that replacement is avoided by a heat pump, not a cost of it.
* **Measured EPC score** (``measured_epc_score_kwh_per_m2``): every package's reported score is
  the standardised score times measured / modelled current score (the model's relative
  changes, the certificate's level); ``epc_score_standardised_kwh_per_m2`` keeps the model's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.renovate import _package_kernels as _pk
from wijkreno.renovate.options import (
    DIMENSIONS,
    EFFECT_COLUMNS,
    ENVELOPE_DIMENSIONS,
    MeasureOptions,
)
from wijkreno.simulate import kernels as sk
from wijkreno.simulate.basis import BASIS_CHOICES, MONEY_BASIS_DEFAULT, heating_use_ratio
from wijkreno.simulate.heat_balance import (
    REQUIRED_COLUMNS,
    HeatBalanceParams,
    apply_convention,
    balance_coefficients,
    check_inputs,
    load_heat_balance_params,
    pack_inputs,
    period_constants,
    run_balance,
    with_capacity,
)
from wijkreno.simulate.params import CARRIERS, SystemParams, default_system_params
from wijkreno.simulate.systems import (
    carrier_accounts_reference,
    compute_energy_arrays,
    epc_label,
    system_tables,
)
from wijkreno.twin.schema import HEATING_SYSTEMS

if TYPE_CHECKING:
    from wijkreno.simulate.climate import MonthlyClimate

log = logging.getLogger(__name__)

MAX_ROWS_PER_CHUNK = 1_000_000
"""Heat-balance rows (dwelling x applicable envelope combination) per chunk: about 300 MB of
work arrays (the 25 packed inputs and 8 outputs of each row)."""

METRIC_COLUMNS: dict[int, str] = {
    _pk.M_INV: "investment_eur",
    _pk.M_PREM: "premium_eur",
    _pk.M_NET: "net_cost_eur",
    _pk.M_LIFE: "life_cycle_cost_eur",
    _pk.M_NEED: "heating_need_kwh",
    _pk.M_LOAD: "design_heat_load_w_per_m2",
    _pk.M_FINAL + 0: "final_gas_kwh",
    _pk.M_FINAL + 1: "final_oil_kwh",
    _pk.M_FINAL + 2: "final_electricity_kwh",
    _pk.M_FINAL + 3: "final_wood_kwh",
    _pk.M_PV: "pv_yield_kwh",
    _pk.M_PRIMARY: "primary_energy_kwh",
    _pk.M_SCORE_STD: "epc_score_standardised_kwh_per_m2",
    _pk.M_SCORE: "epc_score_kwh_per_m2",
    _pk.M_COST: "energy_cost_eur",
    _pk.M_FINAL_NET: "final_energy_net_kwh",
    _pk.M_CO2_FL: "co2_flemish_kg_co2",
    _pk.M_CO2_COM: "co2_com_kg_co2",
    _pk.M_SAVE_EUR: "saving_eur",
    _pk.M_SAVE_KWH: "saving_kwh",
    _pk.M_SAVE_CO2_FL: "saving_co2_flemish_kg_co2",
    _pk.M_SAVE_CO2_COM: "saving_co2_com_kg_co2",
    _pk.M_NPV: "npv_eur",
    _pk.M_PAYBACK: "payback_years",
}
"""Names of the package metrics (kernel index -> column). Final energy per carrier is
standardised and excludes PV; ``final_energy_net_kwh``, ``energy_cost_eur``, CO2 and the savings
are calibrated where metered use is given and count PV; ``energy_cost_eur``, the savings and
CO2 are per year."""

OBJECTIVES: tuple[str, ...] = ("cost", "npv")

FOSSIL_HEATING: tuple[str, ...] = ("gas_boiler", "gas_condensing_boiler", "oil_boiler")
"""Heating systems whose boiler is replaced like for like at the end of its life, at
``renovation.toml [economics] boiler_replacement_eur`` (a condensing boiler's price).

Not ``[target] fossil_heating_systems`` (the end states that never reach the fossil-free
target): a hybrid heat pump is fossil but is not replaced at a boiler's price, so it is
not kept here; every system here is in that list (tested)."""

DIMENSION_NAMES_NL: dict[str, str] = {
    "roof": "dak",
    "wall": "muur",
    "floor": "vloer",
    "glazing": "beglazing",
    "ventilation": "ventilatie",
    "heating": "verwarming",
    "pv": "zonnepanelen",
    "solar_water_heater": "warm water",
}


@dataclass(frozen=True)
class Economics:
    """Economic and design settings of the package evaluation.

    Attributes
    ----------
    horizon_years : int
        Evaluation horizon of the NPV [yr].
    discount_rate_frac : float
        Real discount rate [-/yr].
    price_escalation_frac : float
        Yearly energy-price escalation above inflation [-/yr].
    pv_self_consumption_frac : float
        Share of the PV yield used in the dwelling [-].
    injection_tariff_eur_per_kwh : float
        Value of PV electricity fed into the grid [EUR kWh-1].
    design_outdoor_temperature_degc : float
        Design outdoor temperature of the heat-load check [degC].
    sources : dict
        Where each value comes from.
    boiler_replacement_eur, boiler_lifetime_years, boiler_remaining_life_frac : float
        Like-for-like replacement of an existing gas or oil boiler [EUR], its lifetime [yr]
        and the remaining share of it when the boiler's age is unknown [-].
    start_year : int
        The price year: invoices are quoted in it and the horizon starts in it [yr].
    cost_escalation_frac : float
        Real yearly rise of construction costs [-/yr] (``price_sets.toml
        [construction_cost_index]``): an invoice paid t years after ``start_year`` costs
        ``(1 + cost_escalation_frac) ** t`` times its price-year amount (replacements at the
        end of a lifetime, a step planned later: :meth:`cost_index_factor`).
    """

    horizon_years: int
    discount_rate_frac: float
    price_escalation_frac: float
    pv_self_consumption_frac: float
    injection_tariff_eur_per_kwh: float
    design_outdoor_temperature_degc: float
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    boiler_replacement_eur: float = 0.0
    boiler_lifetime_years: float = 20.0
    boiler_remaining_life_frac: float = 0.5
    start_year: int = 2026
    cost_escalation_frac: float = 0.0
    envelope_phase_years: float = 0.0
    """Years from a trajectory's first step to a heat pump that needs the envelope works first
    (``renovation.toml [trajectory]``; 0: no timed intermediate step)."""

    def cost_index_factor(self, year: Any) -> np.ndarray:
        """Invoice in ``year`` per EUR of price-year invoice: ``(1 + g) ** (year -
        start_year)`` with g the real construction-cost escalation [-] (a step planned later
        costs more; a year before the price year less)."""
        dy = np.asarray(year, dtype=np.float64) - float(self.start_year)
        return np.asarray((1.0 + self.cost_escalation_frac) ** dy, dtype=np.float64)

    def replacement_factor(self, remaining_years: np.ndarray) -> np.ndarray:
        """Discounted like-for-like replacements of an existing installation that is worn out
        after ``remaining_years`` [yr] (then every ``boiler_lifetime_years``) within the
        horizon, minus the residual value at the horizon, per EUR of price-year invoice; each
        replacement at its year's construction-cost level (:meth:`cost_index_factor`)."""
        h = float(self.horizon_years)
        r = self.discount_rate_frac
        g = self.cost_escalation_frac
        life = float(self.boiler_lifetime_years)
        t0 = np.clip(np.asarray(remaining_years, dtype=np.float64), 0.0, None)
        out = np.zeros(t0.shape)
        t = t0.copy()
        while True:
            due = t < h
            if not due.any():
                break
            paid = np.where(due, (1.0 + g) ** np.where(due, t, 0.0), 0.0)
            out += paid * np.where(due, (1.0 + r) ** (-np.where(due, t, 0.0)), 0.0)
            residual = np.where(due & (t + life > h), (t + life - h) / life, 0.0)
            out -= residual * paid * (1.0 + r) ** (-h)
            t = np.where(due, t + life, np.inf)
        return out

    def saving_factor(self, years: Any) -> np.ndarray:
        """``sum_{t=1..m} q^t`` with ``q = (1 + e)/(1 + r)`` (e the energy-price escalation,
        r the discount rate) and m = ``floor(years)`` whole years: present value of 1 EUR/yr
        of saving over the first m years [yr] (closed form ``q (1 - q^m) / (1 - q)``, m
        when q = 1). Vectorised."""
        q = (1.0 + self.price_escalation_frac) / (1.0 + self.discount_rate_frac)
        m = np.floor(np.asarray(years, dtype=np.float64) + 1e-9)
        if abs(q - 1.0) < 1e-12:
            return m
        return np.asarray(q * (1.0 - q ** m) / (1.0 - q), dtype=np.float64)

    def annuity_factor(self) -> float:
        """Present value of 1 EUR/yr of saving over the horizon H [yr]:
        :meth:`saving_factor` of H."""
        return float(self.saving_factor(self.horizon_years))

    def life_cycle_factor_at(self, lifetime_years: Any, offset_years: Any) -> np.ndarray:
        """:meth:`life_cycle_factor` of a measure installed ``offset_years`` [yr] after the
        price year (a step planned later), per EUR of price-year invoice: its replacements at
        ``offset + k L`` within the same horizon H (counted from the price year), each at its
        year's cost level, minus the residual value at H of the last installation (the first
        one itself when ``offset + L >= H``), discounted to the price year. The installation's
        own invoice is not included. Vectorised over both arguments (broadcast). Offsets are
        clipped to [0, H].
        """
        h = float(self.horizon_years)
        r = self.discount_rate_frac
        g = self.cost_escalation_frac
        life, t0 = np.broadcast_arrays(np.asarray(lifetime_years, dtype=np.float64),
                                       np.asarray(offset_years, dtype=np.float64))
        t0 = np.clip(t0, 0.0, h)
        ok = np.isfinite(life) & (life > 0)
        step = np.where(ok, life, np.inf)
        rho = (1.0 + g) / (1.0 + r)
        out = np.zeros(life.shape)
        last = t0.copy()  # year of the installation in place
        t = t0 + step
        due = ok & (t < h)
        while due.any():
            out += np.where(due, rho ** np.where(due, t, 0.0), 0.0)
            last = np.where(due, t, last)
            t = np.where(due, t + step, np.inf)
            due = t < h
        life_ok = np.where(ok, life, 1.0)
        residual = np.where(ok, (last + life_ok - h) / life_ok, 0.0)
        out -= residual * (1.0 + g) ** last * (1.0 + r) ** (-h)
        return out

    def life_cycle_factor(self, lifetime_years: np.ndarray) -> np.ndarray:
        """Discounted replacements within the horizon minus the discounted residual value, per
        EUR of invoice, for measures of the given lifetimes [yr] (0 for an infinite lifetime).

        A measure installed now is replaced every ``life`` years while within the horizon H,
        each replacement at its year's cost level ``(1 + g) ** t``; the last installation
        keeps a residual value at the horizon, linear in its remaining life (EU cost-optimal
        methodology, Delegated Regulation (EU) No 244/2012 Annex I: straight-line
        depreciation, discounted to the start):
        ``sum_k (1+g)^(k L) (1+r)^(-k L) - (last + L - H)/L (1+g)^last (1+r)^(-H)``:
        :meth:`life_cycle_factor_at` at offset 0.
        """
        return self.life_cycle_factor_at(lifetime_years, 0.0)


def load_economics(
    params: Any = None, *, horizon_years: int | None = None,
    discount_rate_frac: float | None = None, money: Any = None,
) -> Economics:
    """Economics from the renovation parameters, with optional overrides.

    Parameters
    ----------
    params : Economics or RenovationParams, optional
        An :class:`Economics` (used as is) or what
        :func:`wijkreno.renovate.catalogue.load_renovation_params` returns (read when None):
        its ``[economics]`` table and ``applicability.heating.design_outdoor_temperature_degc``.
    horizon_years : int, optional
        Override of the horizon [yr].
    discount_rate_frac : float, optional
        Override of the discount rate [-/yr].
    money : MoneyParams, optional
        The price year (:func:`wijkreno.renovate.catalogue.money_params`): sets
        ``start_year`` and ``cost_escalation_frac`` and indexes ``boiler_replacement_eur``
        from its source's year to the price year (not when ``params`` is an
        :class:`Economics`, taken as priced). When None and ``params`` is not an
        :class:`Economics`, the current year's price set is used.

    Returns
    -------
    Economics
    """
    if money is None and not isinstance(params, Economics):
        from wijkreno.renovate.catalogue import money_params

        money = money_params()
    if isinstance(params, Economics):
        econ = params
    else:
        if params is None:
            from wijkreno.renovate.catalogue import load_renovation_params

            params = load_renovation_params()
        e = params.economics
        t = params.applicability.heating.design_outdoor_temperature_degc
        boiler = {name: float(v.value) for name, v in (
            ("boiler_replacement_eur", e.boiler_replacement_eur),
            ("boiler_lifetime_years", e.boiler_lifetime_years),
            ("boiler_remaining_life_frac", e.boiler_remaining_life_frac)) if v is not None}
        if e.boiler_replacement_eur is not None and money is not None:
            # a cost quoted at its source's date, indexed to the price year as the catalogue
            boiler["boiler_replacement_eur"] *= money.index_factor(e.boiler_replacement_eur)
        if params.trajectory is not None:
            boiler["envelope_phase_years"] = float(params.trajectory.envelope_phase_years.value)
        pairs = {
            "horizon_years": e.horizon_years,
            "discount_rate_frac": e.discount_rate_frac,
            "price_escalation_frac": e.energy_price_escalation_frac,
            "pv_self_consumption_frac": e.pv_self_consumption_frac,
            "injection_tariff_eur_per_kwh": e.pv_injection_tariff_eur_per_kwh,
            "design_outdoor_temperature_degc": t,
        }
        econ = Economics(
            horizon_years=int(round(pairs.pop("horizon_years").value)),
            **{k: float(v.value) for k, v in pairs.items()},
            sources={"economics": "wijkreno/params/renovation.toml [economics]"},
            **boiler,
        )
    if money is not None:
        econ = replace(econ, start_year=int(money.price_year),
                       cost_escalation_frac=float(money.cost_escalation_frac),
                       sources={**econ.sources, "cost_escalation": money.sources.get(
                           "cost_escalation", "price_sets.toml"),
                           "cost_index": money.sources.get("cost_index", "")})
    if horizon_years is not None:
        if horizon_years < 1:
            raise InputError(f"horizon_years must be >= 1, got {horizon_years}")
        econ = replace(econ, horizon_years=int(horizon_years))
    if discount_rate_frac is not None:
        if not -0.5 < discount_rate_frac < 1.0:
            raise InputError(
                f"discount_rate_frac is a fraction per year (0.03 for 3 %), got "
                f"{discount_rate_frac}"
            )
        econ = replace(econ, discount_rate_frac=float(discount_rate_frac))
    return econ


# ---------------------------------------------------------------------------------------------
# preparation


@dataclass(frozen=True)
class _Setup:
    """Everything shared by the chunks of one run."""

    options: MeasureOptions
    k: tuple[int, ...]
    k_max: int
    env_opt: np.ndarray
    env_stride: np.ndarray
    economics: Economics
    heat_params: HeatBalanceParams
    system_params: SystemParams
    coef: np.ndarray
    dth: np.ndarray
    tk: np.ndarray
    isol: np.ndarray
    factors: np.ndarray
    h_carrier: np.ndarray
    life_factor: np.ndarray  # (8, k_max)
    pv_value: float
    annuity: float
    delta_theta_design: float
    fossil_codes: np.ndarray
    phase_years: float = 0.0  # renovation.toml [trajectory] envelope_phase_years (0: none)
    climate: Any = None  # MonthlyClimate: the hot-water rule of the convention needs its year
    basis: str = MONEY_BASIS_DEFAULT


def _setup(options: MeasureOptions, economics: Economics, heat_params: HeatBalanceParams | None,
           system_params: SystemParams | None, climate: MonthlyClimate | None,
           basis: str = MONEY_BASIS_DEFAULT) -> _Setup:
    if basis not in BASIS_CHOICES:
        raise InputError(f"unknown basis {basis!r}; choose from {BASIS_CHOICES}.")
    try:
        options.check()
    except ValueError as exc:
        raise InputError(f"the measure options are not consistent: {exc}") from None
    hp = heat_params or load_heat_balance_params()
    sp = system_params or default_system_params()
    if climate is None:
        from wijkreno.simulate.climate import load_climate

        climate = load_climate()
    # the engine's convention (EPW or TABULA): set-point, net volume, hot water, capacity
    theta_int = hp.theta_int_epb_degc if hp.convention == "epb" else hp.theta_int_degc
    dth, tk, isol = period_constants(climate.hours_h, climate.theta_e_degc,
                                     climate.i_sol_vertical_kwh_per_m2, theta_int)
    k = tuple(options.n_options(d) for d in DIMENSIONS)
    k_env = k[:len(ENVELOPE_DIMENSIONS)]
    n_env = int(np.prod(k_env))
    env_opt = np.ascontiguousarray(
        np.array(np.unravel_index(np.arange(n_env), k_env)).T.astype(np.int64)
    ).reshape(n_env, len(k_env))
    env_stride = np.array(
        [int(np.prod(k_env[j + 1:])) for j in range(len(k_env))], dtype=np.int64
    )
    k_max = max(k)
    life = np.zeros((len(DIMENSIONS), k_max))
    for j, d in enumerate(DIMENSIONS):
        life[j, :k[j]] = economics.life_cycle_factor(options.lifetime_years[d])
    t = system_tables(sp)
    price_el = float(t.factors[sk.F_PRICE, sk.ELECTRICITY])
    s = economics.pv_self_consumption_frac
    return _Setup(
        options=options, k=k, k_max=k_max, env_opt=env_opt, env_stride=env_stride,
        economics=economics, heat_params=hp, system_params=sp,
        coef=balance_coefficients(hp), dth=dth, tk=tk, isol=isol,
        factors=np.ascontiguousarray(t.factors), h_carrier=t.h_carrier, life_factor=life,
        pv_value=s * price_el + (1.0 - s) * economics.injection_tariff_eur_per_kwh,
        annuity=economics.annuity_factor(),
        delta_theta_design=hp.theta_int_degc - economics.design_outdoor_temperature_degc,
        fossil_codes=np.array([HEATING_SYSTEMS.index(x) for x in fossil_heating_systems()],
                              dtype=np.int64),
        phase_years=economics.envelope_phase_years, climate=climate, basis=basis,
    )


def fossil_heating_systems(renovation: Any = None) -> tuple[str, ...]:
    """Heating systems that never end a trajectory under the default target: fossil ones and
    those to be replaced by a heat pump (``renovation.toml [target]``)."""
    from wijkreno.renovate.catalogue import load_renovation_params

    ren = renovation or load_renovation_params()
    return tuple(ren.target.fossil_heating_systems) + tuple(ren.target.replace_heating_systems)


@dataclass
class _Chunk:
    """Arrays of one chunk of dwellings, ready for the kernels."""

    lo: int
    hi: int
    envrow: np.ndarray
    need: np.ndarray
    load: np.ndarray
    area: np.ndarray
    a_heat: np.ndarray
    b_dhw: np.ndarray
    heat_ok: np.ndarray
    max_load: np.ndarray
    pv_ok: np.ndarray
    pv_yield: np.ndarray
    swh_ok: np.ndarray
    inv: np.ndarray
    prem: np.ndarray
    life: np.ndarray
    calib: np.ndarray
    scale: np.ndarray
    valid: np.ndarray
    invalid_reason: np.ndarray
    basis: np.ndarray
    hsize: np.ndarray
    heat_code: np.ndarray
    emitter: np.ndarray
    swh_own: np.ndarray  # (n, Kw) hot-water option with a system of its own (keep heating only)
    fossil: np.ndarray  # (n, Kh, Kw) fossil end state (heating or hot water)
    heat_fossil: np.ndarray  # (n, Kh) fossil heating option
    dhw_code: np.ndarray  # (n, Kh, Kw) hot-water system of the end state (dhw_system_names)
    interim_h: np.ndarray  # (n,) heating option usable as an intermediate step, -1 none
    interim_inv: np.ndarray
    interim_prem: np.ndarray
    interim_asked: np.ndarray  # (n,) the household asked for it (an applicable option)
    boiler_years: np.ndarray  # (n,) years until the existing boiler is worn out (inf: none)

    def kernel_args(self, s: _Setup) -> tuple:
        return (s.env_opt, self.envrow, self.need, self.load, self.area, self.a_heat,
                self.b_dhw, self.heat_ok, self.max_load, self.pv_ok, self.pv_yield, self.swh_ok,
                self.swh_own, self.inv, self.prem, self.life, s.factors, s.pv_value, s.annuity,
                self.calib, self.scale, self.hsize)


def _c(a: Any, dtype: Any = np.float64) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a, dtype=dtype))


def _column(frame: pd.DataFrame, name: str) -> np.ndarray | None:
    if name not in frame.columns:
        return None
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64,
                                                                na_value=np.nan)


def _pack(dw: pd.DataFrame, s: _Setup) -> tuple[np.ndarray, np.ndarray]:
    """The engine's packed inputs of the dwellings in its convention (set-point, net volume,
    capacity) and the hot-water need per m2 [kWh m-2]: once per run, not per chunk."""
    hp = s.heat_params
    apartment = (dw["typology"].astype("string") == "apartment_building").fillna(False) \
        .to_numpy(dtype=bool) if "typology" in dw.columns else None
    base, _, dhw_rate = apply_convention(pack_inputs(with_capacity(dw, hp), hp), hp, s.climate,
                                         apartment, copy=False)
    return _c(base), _c(np.broadcast_to(dhw_rate, (len(dw),)))


def _prepare_chunk(dw: pd.DataFrame, s: _Setup, lo: int, hi: int,
                   packed: tuple[np.ndarray, np.ndarray] | None = None) -> _Chunk:
    """Heat balance of every applicable envelope combination and the kernels' lookup arrays
    (``packed``: :func:`_pack` of all dwellings, sliced here; of ``dw`` when None)."""
    o = s.options
    n = hi - lo
    sl = slice(lo, hi)
    hp = s.heat_params
    if packed is None:
        base, dhw_rate = _pack(dw, s)
    else:
        base, dhw_rate = packed[0][sl], packed[1][sl]
    base_ok, _ = check_inputs(base)
    # envelope combinations applicable to each dwelling
    env_ok = np.ones((n, s.env_opt.shape[0]), dtype=bool)
    for j, d in enumerate(ENVELOPE_DIMENSIONS):
        env_ok &= np.asarray(o.applicable[d][sl], dtype=bool)[:, s.env_opt[:, j]]
    env_ok &= base_ok[:, None]
    env_ok[:, 0] = True  # the current state is always a row (NaN results when invalid)
    ii, ee = np.nonzero(env_ok)
    envrow = np.full(env_ok.shape, -1, dtype=np.int64)
    envrow[ii, ee] = np.arange(ii.size)
    eff = o.effect
    x = np.empty((ii.size, base.shape[1]))
    # heat recovery re-expressed through the infiltration input (module docstring)
    inf_eff = (eff["ventilation"]["infiltration_ach"][sl]
               - eff["ventilation"]["heat_recovery_frac"][sl] * hp.n_air_use_ach)
    _pk.build_rows(_c(base), ii, ee, s.env_opt, _c(eff["roof"]["u_roof_w_per_m2k"][sl]),
                   _c(eff["wall"]["u_wall_w_per_m2k"][sl]),
                   _c(eff["floor"]["u_floor_w_per_m2k"][sl]),
                   _c(eff["glazing"]["u_window_w_per_m2k"][sl]),
                   _c(eff["glazing"]["g_window_frac"][sl]), _c(inf_eff), x)
    _, annual = run_balance(x, s.coef, s.dth, s.tk, s.isol, monthly=False)
    area = _c(base[:, sk.X_FLOOR])
    need = _c(annual[sk.O_Q_NEED])
    with np.errstate(divide="ignore", invalid="ignore"):
        load = _c((annual[sk.O_H_TR] + annual[sk.O_H_VE]) * s.delta_theta_design
                  / area[ii])
    # systems: final energy per carrier per kWh of heating need, per heating option
    kh, kw = s.k[5], s.k[7]
    h_ok = np.asarray(o.applicable["heating"][sl], dtype=bool)
    h_code_f = np.asarray(eff["heating"]["heating_code"][sl], dtype=np.float64)
    h_code = np.where(np.isfinite(h_code_f), h_code_f, -1).astype(np.int64)
    emit = np.asarray(eff["heating"]["emitter_temperature_degc"][sl], dtype=np.float64)
    emit = np.where(np.isfinite(emit), emit,
                    s.system_params.settings.default_emitter_temperature_degc.value)
    interim = (np.zeros_like(h_ok) if o.interim_applicable is None
               else np.asarray(o.interim_applicable[sl], dtype=bool))
    # a non-applicable option (and not an intermediate step) may carry no usable system:
    # compute code 0
    dummy = ~(h_ok | interim)
    dummy[:, 0] = False
    h_code_run = np.where(dummy, 0, h_code)
    ones = np.ones(n * kh)
    zeros = np.zeros(n * kh)
    area_h = np.repeat(area, kh)
    res = compute_energy_arrays(ones, zeros, np.where(area_h > 0, area_h, 1.0),
                                h_code_run.ravel(), None, emit.ravel(), 0.0,
                                params=s.system_params)
    a_heat = np.stack([res[f"final_{c}_kwh"] for c in CARRIERS], axis=1).reshape(n, kh, 4)
    # hot water per (heating option, solar water heater option)
    dhw_need = dhw_rate * area  # the convention's hot water
    dhw_code_keep = np.full(n, -1, dtype=np.int64)
    if "dhw_system" in dw.columns:
        names = {nm: j for j, nm in enumerate(s.system_params.dhw_system_names)}
        dhw_code_keep = dw["dhw_system"].astype("object").map(names).fillna(-1).to_numpy(
            dtype=np.int64)
    dhw_code = np.full((n, kh), -1, dtype=np.int64)
    dhw_code[:, 0] = dhw_code_keep
    solar = np.asarray(eff["solar_water_heater"]["dhw_solar_frac"][sl], dtype=np.float64)
    solar = np.where(np.isfinite(solar), solar, 0.0)
    # a hot-water option with a system of its own (heat-pump boiler) replaces the heating's
    w_code = np.asarray(eff["solar_water_heater"]["dhw_system_code"][sl], dtype=np.float64)
    w_code = np.where(np.isfinite(w_code), w_code, -1).astype(np.int64)
    swh_own = w_code >= 0
    dhw_hw = np.where(swh_own[:, None, :], w_code[:, None, :], dhw_code[:, :, None])
    m = n * kh * kw
    res_d = compute_energy_arrays(
        np.zeros(m), np.broadcast_to(dhw_need[:, None, None], (n, kh, kw)).ravel(),
        np.where(area_h > 0, area_h, 1.0).repeat(kw),
        np.broadcast_to(h_code_run[:, :, None], (n, kh, kw)).ravel(),
        dhw_hw.ravel(),
        np.broadcast_to(emit[:, :, None], (n, kh, kw)).ravel(),
        np.broadcast_to(np.clip(solar, 0, 1)[:, None, :], (n, kh, kw)).ravel(),
        params=s.system_params,
    )
    b_dhw = np.stack([res_d[f"final_{c}_kwh"] for c in CARRIERS], axis=1).reshape(n, kh, kw, 4)
    sys_ok = (res["valid"].reshape(n, kh)[:, 0] & res_d["valid"].reshape(n, kh, kw)[:, 0, 0])
    h_ok = h_ok & res["valid"].reshape(n, kh)
    max_load = np.asarray(eff["heating"]["max_design_load_w_per_m2"][sl], dtype=np.float64)
    max_load = np.where(np.isnan(max_load), np.inf, max_load)
    # costs per dimension and option, padded to k_max
    inv = np.zeros((n, len(DIMENSIONS), s.k_max))
    prem = np.zeros_like(inv)
    life = np.zeros_like(inv)
    for j, d in enumerate(DIMENSIONS):
        k = s.k[j]
        i_d = np.nan_to_num(np.asarray(o.investment_eur[d][sl], dtype=np.float64))
        inv[:, j, :k] = i_d
        prem[:, j, :k] = np.nan_to_num(np.asarray(o.premium_eur[d][sl], dtype=np.float64))
        life[:, j, :k] = i_d * s.life_factor[j, :k]
    valid = base_ok & sys_ok & (area > 0)
    reason = np.full(n, "", dtype=object)
    reason[~base_ok] = "heat balance: envelope input missing or out of range"
    reason[base_ok & ~sys_ok] = "systems: heating or hot-water system unknown"
    reason[base_ok & sys_ok & ~(area > 0)] = "heated floor area not positive"
    # calibration and measured score need the current state
    row0 = envrow[:, 0]
    final0 = need[row0, None] * a_heat[:, 0, :] + b_dhw[:, 0, 0, :]
    # fossil end states: a fossil heating option, or gas or oil for the hot water
    t = system_tables(s.system_params)
    dhw_end = np.where(dhw_hw >= 0, dhw_hw, t.default_dhw_code[h_code_run][:, :, None])
    dhw_carrier = t.d_carrier[dhw_end]
    heat_fossil = np.isin(h_code, s.fossil_codes)
    fossil = heat_fossil[:, :, None] | np.isin(
        dhw_carrier, [CARRIERS.index("gas"), CARRIERS.index("oil")])
    # the intermediate heating step (the hybrid next to a gas boiler), one option per dwelling
    has_int = interim[:, 1:].any(axis=1)
    interim_h = np.where(has_int, 1 + np.argmax(interim[:, 1:], axis=1), -1) if kh > 1 else \
        np.full(n, -1)
    rows_n = np.arange(n)
    k_int = np.maximum(interim_h, 0)
    if o.interim_investment_eur is not None and o.interim_premium_eur is not None:
        i_inv = np.asarray(o.interim_investment_eur[sl], dtype=np.float64)[rows_n, k_int]
        i_prem = np.asarray(o.interim_premium_eur[sl], dtype=np.float64)[rows_n, k_int]
    else:
        i_inv = i_prem = np.zeros(n)
    interim_h = np.where(h_ok[rows_n, k_int] | (i_inv > 0), interim_h, -1)
    calib = np.ones(n)
    calibrated = np.zeros(n, dtype=bool)
    metered = {"gas": _column(dw, "metered_gas_kwh"),
               "electricity": _column(dw, "metered_electricity_kwh")}
    carrier = s.h_carrier[np.clip(h_code[:, 0], 0, len(HEATING_SYSTEMS) - 1)]
    for c_name, values in metered.items():
        if values is None:
            continue
        c = CARRIERS.index(c_name)
        std = final0[:, c]
        use = (carrier == c) & np.isfinite(values) & (values >= 0) & (std > 0)
        calib = np.where(use, values / np.where(std > 0, std, 1.0), calib)
        calibrated |= use
    # the household's own meter wins; elsewhere the basis asked for (calibrated where a
    # calibration covers the dwelling, else expected): its heating-carrier use over the
    # standardised use scales bills, savings and CO2 of every package (EPC stays standardised)
    basis_name = np.where(calibrated, "metered", "standardised").astype(object)
    if s.basis != "standardised":
        has_std = all(f"final_{c}_kwh" in dw.columns for c in CARRIERS)
        ratio, used = heating_use_ratio(
            dw, np.where(h_code[:, 0] >= 0, carrier, -1), s.basis,
            standardised_kwh=None if has_std else final0,
            fallback_standardised=s.basis == MONEY_BASIS_DEFAULT)
        take = ~calibrated & (used != "standardised")
        calib = np.where(take, ratio, calib)
        basis_name[take] = used[take]
    boiler_years = _boiler_years(dw, s.economics)
    life[:, _pk.D_HEAT, 0] = _keep_replacement(boiler_years, s.economics)
    scale = np.ones(n)
    measured = _column(dw, "measured_epc_score_kwh_per_m2")
    if measured is not None:
        pv0 = np.asarray(eff["pv"]["pv_yield_kwh"][sl], dtype=np.float64)[:, 0]
        primary0 = carrier_accounts_reference(final0, s.factors)[0] - np.nan_to_num(
            pv0) * s.factors[sk.F_PEF, sk.ELECTRICITY]
        with np.errstate(divide="ignore", invalid="ignore"):
            score0 = primary0 / area
            use = np.isfinite(measured) & np.isfinite(score0) & (score0 > 0)
            scale = np.where(use, measured / np.where(use, score0, 1.0), 1.0)
    pv_yield = np.nan_to_num(np.asarray(eff["pv"]["pv_yield_kwh"][sl], dtype=np.float64))
    return _Chunk(
        lo=lo, hi=hi, envrow=envrow, need=need, load=load, area=area,
        a_heat=_c(a_heat), b_dhw=_c(b_dhw), heat_ok=_c(h_ok, np.bool_), max_load=_c(max_load),
        pv_ok=_c(o.applicable["pv"][sl], np.bool_), pv_yield=_c(pv_yield),
        swh_ok=_c(o.applicable["solar_water_heater"][sl], np.bool_),
        inv=_c(inv), prem=_c(prem), life=_c(life), calib=_c(calib), scale=_c(scale),
        valid=_c(valid, np.bool_), invalid_reason=reason, basis=basis_name,
        hsize=_c(_heat_pump_sizing(o, inv[:, _pk.D_HEAT, :kh], load[row0] * area / 1000.0)),
        heat_code=h_code, emitter=emit, swh_own=_c(swh_own, np.bool_), fossil=_c(fossil, np.bool_),
        heat_fossil=_c(heat_fossil, np.bool_), dhw_code=dhw_end,
        interim_h=_c(interim_h, np.int64), interim_inv=_c(np.where(interim_h > 0, i_inv, 0.0)),
        interim_prem=_c(np.where(interim_h > 0, i_prem, 0.0)),
        interim_asked=_c((interim_h > 0) & h_ok[rows_n, k_int], np.bool_),
        boiler_years=_c(boiler_years),
    )


def _heat_pump_sizing(options: MeasureOptions, inv_heat: np.ndarray,
                      load_kw: np.ndarray) -> np.ndarray:
    """(n, Kh, 3): invoice without its per-kW part at today's design load [kW], EUR per kW and
    the minimum size, so that the kernels re-price a heat pump on the load after the envelope
    measures (:func:`wijkreno.renovate._package_kernels.heat_cost`)."""
    n, kh = inv_heat.shape
    out = np.zeros((n, kh, 3))
    out[:, :, 0] = inv_heat
    if options.heat_pump_sizing is None:
        return out
    per_kw = options.heat_pump_sizing[:, 0][None, :]
    min_kw = options.heat_pump_sizing[:, 1][None, :]
    sized = (per_kw > 0) & (inv_heat > 0) & np.isfinite(load_kw)[:, None]
    today = np.maximum(np.nan_to_num(load_kw)[:, None], min_kw)
    out[:, :, 0] = np.where(sized, inv_heat - per_kw * today, inv_heat)
    out[:, :, 1] = np.where(sized, per_kw, 0.0)
    out[:, :, 2] = np.where(sized, min_kw, 0.0)
    return out


def _keep_replacement(remaining: np.ndarray, econ: Economics) -> np.ndarray:
    """Discounted like-for-like replacement of the existing gas or oil boiler at the end of its
    life (``remaining`` years from now, :func:`_boiler_years`), within the horizon, minus its
    residual value [EUR] (0 for other heating)."""
    return np.where(np.isfinite(remaining),
                    econ.boiler_replacement_eur * econ.replacement_factor(remaining), 0.0)


def _boiler_years(dw: pd.DataFrame, econ: Economics) -> np.ndarray:
    """Years until the existing gas or oil boiler is worn out (``heating_install_year`` plus
    its lifetime, else ``boiler_remaining_life_frac`` of the lifetime; negative when overdue);
    inf for other heating."""
    n = len(dw)
    fossil_now = dw["heating_system"].astype(str).isin(FOSSIL_HEATING).to_numpy(dtype=bool)
    remaining = np.full(n, econ.boiler_remaining_life_frac * econ.boiler_lifetime_years)
    installed = _column(dw, "heating_install_year")
    if installed is not None:
        remaining = np.where(np.isfinite(installed),
                             installed + econ.boiler_lifetime_years - econ.start_year, remaining)
    return np.where(fossil_now, remaining, np.inf)


def _chunks(n: int, n_env: int, chunk_size: int | None) -> Iterator[tuple[int, int]]:
    size = chunk_size or max(1, MAX_ROWS_PER_CHUNK // max(n_env, 1))
    for lo in range(0, n, size):
        yield lo, min(n, lo + size)


def _row_chunks(options: MeasureOptions, chunk_size: int | None) -> Iterator[tuple[int, int]]:
    """Chunks of about :data:`MAX_ROWS_PER_CHUNK` heat-balance rows, counted as the dwellings'
    applicable envelope combinations (most dwellings have far fewer than all of them), so that
    the per-chunk preparation runs on as many dwellings as memory allows."""
    n = options.n_dwellings
    if chunk_size:
        yield from _chunks(n, 1, chunk_size)
        return
    rows = np.ones(n, dtype=np.int64)
    for d in ENVELOPE_DIMENSIONS:
        rows *= np.asarray(options.applicable[d], dtype=bool).sum(axis=1)
    cum = np.cumsum(rows)
    lo = 0
    while lo < n:
        done = cum[lo - 1] if lo else 0
        hi = int(np.searchsorted(cum, done + MAX_ROWS_PER_CHUNK, side="right"))
        hi = min(n, max(hi, lo + 1))
        yield lo, hi
        lo = hi


def _check_dwellings(dwellings: pd.DataFrame, options: MeasureOptions | None) -> None:
    missing = [c for c in (*REQUIRED_COLUMNS, "heating_system") if c not in dwellings.columns]
    if missing:
        raise InputError(
            f"the dwellings table lacks the columns {missing} the package evaluation needs; "
            "build it with wijkreno.twin.build_twin."
        )
    if options is not None and options.n_dwellings != len(dwellings):
        raise InputError(
            f"the measure options hold {options.n_dwellings} dwellings but the dwellings table "
            f"has {len(dwellings)} rows; build them with measure_options(dwellings)."
        )


def _resolve(dwellings: pd.DataFrame, options: MeasureOptions | None,
             economics: Economics | None, horizon_years: int | None,
             discount_rate_frac: float | None) -> tuple[MeasureOptions, Economics]:
    """Options and economics of one price year: the missing one is made in the other's year
    (the current year's set when both are missing); given ones must agree.

    Options with costs at their sources' dates (``price_year`` None) are accepted only with
    default economics (the current year's set, logged): the tests' hand-made options.
    """
    from wijkreno.renovate.catalogue import money_params

    _check_dwellings(dwellings, options)
    given = economics is not None
    if not given and options is not None and options.price_year is not None:
        economics = load_economics(money=money_params(options.price_year))
    econ = load_economics(economics, horizon_years=horizon_years,
                          discount_rate_frac=discount_rate_frac)
    if options is None:  # priced in the economics' price year, as plan_dwellings does
        from wijkreno.renovate.applicability import measure_options

        options = measure_options(dwellings, money=money_params(econ.start_year))
        _check_dwellings(dwellings, options)
    elif given or options.price_year is not None:
        check_price_year(options, econ.start_year)
    else:
        log.warning("the measure options have no price year (each cost at its source's date); "
                    "the economics are those of the %d price set", econ.start_year)
    return options, econ


def check_price_year(options: MeasureOptions, start_year: int) -> None:
    """Refuse measure options quoted in another year than the economics' price year.

    Raises
    ------
    InputError
        When ``options.price_year`` (None: costs at their sources' dates) is not
        ``start_year``.
    """
    if options.price_year != int(start_year):
        quoted = ("at their sources' dates" if options.price_year is None
                  else f"in {options.price_year}")
        raise InputError(
            f"the measure options are priced {quoted} but the economics in {start_year}; "
            f"build the options in the economics' price year with "
            f"measure_options(dwellings, money=money_params({start_year})), or the economics "
            f"with load_economics(money=money_params(year)) of the options' year."
        )


def target_array(target_score_kwh_per_m2: float | np.ndarray, n: int) -> np.ndarray:
    """Per-dwelling upper bound of the EPC score [kWh m-2] (a scalar is broadcast)."""
    t = np.asarray(target_score_kwh_per_m2, dtype=np.float64)
    if t.ndim == 0:
        t = np.full(n, float(t))
    if t.shape != (n,):
        raise InputError(f"target score has shape {t.shape}, expected ({n},) or a scalar")
    return np.ascontiguousarray(t)


def _option_names(options: MeasureOptions, opt: np.ndarray) -> dict[str, np.ndarray]:
    """Per dimension, the option name of each row (``None`` where opt is -1)."""
    out = {}
    for j, d in enumerate(DIMENSIONS):
        names = np.array(list(options.option_names[d]) + [None], dtype=object)
        k = opt[:, j]
        out[d] = names[np.where(k >= 0, k, len(names) - 1)]
    return out


def _metrics_frame(m: np.ndarray, index: Any, prefix: str = "",
                   params: SystemParams | None = None) -> pd.DataFrame:
    cols = {f"{prefix}{name}": m[:, j] for j, name in METRIC_COLUMNS.items()}
    frame = pd.DataFrame(cols, index=index)
    frame.insert(frame.columns.get_loc(f"{prefix}epc_score_kwh_per_m2") + 1,
                 f"{prefix}epc_label", epc_label(m[:, _pk.M_SCORE], params=params))
    return frame


# ---------------------------------------------------------------------------------------------
# public API


def enumerate_chunks(
    dwellings: pd.DataFrame,
    options: MeasureOptions,
    economics: Economics,
    target: np.ndarray,
    objective: str,
    *,
    fossil_free: np.ndarray | None = None,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
    chunk_size: int | None = None,
    with_steps: bool = False,
    basis: str = MONEY_BASIS_DEFAULT,
) -> Iterator[dict[str, Any]]:
    """The bulk enumeration, chunk by chunk (shared by :func:`best_packages` and trajectories).

    Yields per chunk a dict of arrays: ``lo``, ``hi``, ``cur``, ``chosen``, ``chosen_opt``,
    ``best``, ``best_opt``, ``reached``, ``n_eval``, ``min_load``, ``valid``,
    ``invalid_reason``, ``basis``, ``calib`` (the basis's use over the standardised use),
    ``heat_code`` / ``emitter`` (per heating option),
    ``fossil`` and ``dhw_code`` (per heating x hot-water option), ``keep_replacement`` (the
    discounted boiler replacements of keeping the heating [EUR]), ``boiler_years`` and, with
    ``with_steps``,
    ``final_opt``, ``step_dim``, ``step_opt``, ``step_heat`` (the heating option after each
    step) and ``step_m`` (:func:`wijkreno.renovate._package_kernels.order_steps`) for the
    chosen package (the best reachable one where the target is not reached).
    """
    if objective not in OBJECTIVES:
        raise InputError(f"objective must be one of {list(OBJECTIVES)}, got {objective!r}")
    s = _setup(options, economics, heat_params, system_params, climate, basis)
    obj = _pk.OBJECTIVE_COST if objective == "cost" else _pk.OBJECTIVE_NPV
    packed = _pack(dwellings, s)
    for lo, hi in _row_chunks(options, chunk_size):
        ch = _prepare_chunk(dwellings.iloc[lo:hi], s, lo, hi, packed)
        n = hi - lo
        cur = np.empty((n, _pk.N_M))
        chosen = np.empty((n, _pk.N_M))
        best = np.empty((n, _pk.N_M))
        chosen_opt = np.empty((n, _pk.N_DIM), dtype=np.int64)
        best_opt = np.empty((n, _pk.N_DIM), dtype=np.int64)
        reached = np.empty(n, dtype=np.bool_)
        n_eval = np.empty(n, dtype=np.int64)
        min_load = np.empty(n)
        ff = (np.zeros(n, dtype=np.bool_) if fossil_free is None
              else _c(fossil_free[lo:hi], np.bool_))
        fossil = ch.fossil
        _pk.reduce_packages(*ch.kernel_args(s), target[lo:hi], fossil, ff, obj, ch.valid, cur,
                            chosen_opt, chosen, best_opt, best, reached, n_eval, min_load)
        out: dict[str, Any] = dict(
            lo=lo, hi=hi, cur=cur, chosen=chosen, chosen_opt=chosen_opt, best=best,
            best_opt=best_opt, reached=reached, n_eval=n_eval, min_load=min_load,
            valid=ch.valid, invalid_reason=ch.invalid_reason, basis=ch.basis, calib=ch.calib,
            heat_code=ch.heat_code, emitter=ch.emitter, fossil=fossil, dhw_code=ch.dhw_code,
            keep_replacement=ch.life[:, _pk.D_HEAT, 0].copy(), boiler_years=ch.boiler_years,
        )
        if with_steps:
            final_opt = np.ascontiguousarray(np.where(reached[:, None], chosen_opt, best_opt))
            step_dim = np.empty((n, _pk.N_STEPS), dtype=np.int64)
            step_opt = np.empty((n, _pk.N_STEPS), dtype=np.int64)
            step_heat = np.empty((n, _pk.N_STEPS), dtype=np.int64)
            step_m = np.empty((n, _pk.N_STEPS, _pk.N_M))
            e = s.economics
            _pk.order_steps(final_opt, s.env_stride, s.env_opt, ch.envrow, ch.need, ch.load,
                            ch.area, ch.a_heat, ch.b_dhw, ch.pv_yield, ch.inv, ch.prem, ch.life,
                            s.factors, s.pv_value, s.annuity, ch.calib, ch.scale, ch.hsize, cur,
                            ch.max_load, ch.heat_fossil, ch.interim_h, ch.interim_inv,
                            ch.interim_prem, ch.interim_asked, ch.boiler_years,
                            float(s.phase_years), float(e.boiler_replacement_eur),
                            float(e.discount_rate_frac), float(e.price_escalation_frac),
                            float(e.cost_escalation_frac), step_dim, step_opt, step_heat,
                            step_m)
            out.update(final_opt=final_opt, step_dim=step_dim, step_opt=step_opt,
                       step_heat=step_heat, step_m=step_m)
        yield out


def best_packages(
    dwellings: pd.DataFrame,
    options: MeasureOptions | None = None,
    *,
    target_score_kwh_per_m2: float | np.ndarray = 100.0,
    objective: str = "cost",
    economics: Economics | None = None,
    horizon_years: int | None = None,
    discount_rate_frac: float | None = None,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
    chunk_size: int | None = None,
    basis: str = MONEY_BASIS_DEFAULT,
) -> pd.DataFrame:
    """The bulk path: every applicable package of every dwelling, reduced per dwelling.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The twin's ``dwellings`` table (optionally with the override columns
        ``measured_epc_score_kwh_per_m2``, ``metered_gas_kwh``, ``metered_electricity_kwh``
        [kWh/yr]).
    options : MeasureOptions, optional
        Options per dimension for these dwellings; built with
        :func:`wijkreno.renovate.applicability.measure_options` when None.
    target_score_kwh_per_m2 : float or (n,) array
        Upper bound of the (reported) EPC score the package must reach [kWh m-2 yr-1].
    objective : {"cost", "npv"}
        Among the packages that reach the target: least net cost (ties: higher NPV) or highest
        NPV (ties: lower net cost).
    economics : Economics, optional
        Horizon, discount rate, price escalation, PV settings, design temperature; the
        renovation parameters when None.
    horizon_years, discount_rate_frac : optional
        Overrides of ``economics``.
    climate, heat_params, system_params : optional
        As in :func:`wijkreno.simulate.engine.simulate_dwellings`.
    chunk_size : int, optional
        Dwellings per chunk (default: about 300,000 heat-balance rows per chunk).
    basis : {'auto', 'standardised', 'expected', 'calibrated'}
        Basis of bills, savings, payback and CO2 (:mod:`wijkreno.simulate.basis`): ``auto``
        takes ``calibrated_final_<carrier>_kwh`` where the dwellings carry it, else
        ``expected_final_<carrier>_kwh``, else the standardised figures; a named basis whose
        columns are missing is an error. A dwelling's own meter (``metered_*``) wins. EPC
        scores and labels stay standardised.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``: ``dwelling_id`` (when present), ``valid``,
        ``invalid_reason``, ``basis`` of the money and CO2 figures ("metered", "calibrated",
        "expected" or "standardised"), ``basis_use_ratio`` (the factor by which that basis
        scales the standardised final energy, variable bill and CO2 of every package; 1 on
        the standardised basis), ``n_packages``,
        ``reached``, the option of each dimension in the chosen package (columns named after
        :data:`~wijkreno.renovate.options.DIMENSIONS`; None when the target is not reached),
        the chosen package's metrics (:data:`METRIC_COLUMNS` and ``epc_label``), the current
        state's (prefix ``current_``), the best reachable score and label
        (``best_epc_score_kwh_per_m2``, ``best_epc_label``, ``best_net_cost_eur``) and
        ``min_design_heat_load_w_per_m2``.
    """
    options, econ = _resolve(dwellings, options, economics, horizon_years, discount_rate_frac)
    target = target_array(target_score_kwh_per_m2, len(dwellings))
    parts = list(enumerate_chunks(dwellings, options, econ, target, objective, climate=climate,
                                  heat_params=heat_params, system_params=system_params,
                                  chunk_size=chunk_size, basis=basis))
    return _best_frame(dwellings, options, parts, system_params)


def _cat(parts: list[dict[str, Any]], key: str) -> np.ndarray:
    if not parts:
        return np.empty(0)
    return np.concatenate([p[key] for p in parts])


def _best_frame(dwellings: pd.DataFrame, options: MeasureOptions, parts: list[dict[str, Any]],
                system_params: SystemParams | None) -> pd.DataFrame:
    idx = dwellings.index
    n = len(dwellings)
    cur = _cat(parts, "cur").reshape(n, _pk.N_M)
    chosen = _cat(parts, "chosen").reshape(n, _pk.N_M)
    best = _cat(parts, "best").reshape(n, _pk.N_M)
    chosen_opt = _cat(parts, "chosen_opt").reshape(n, _pk.N_DIM).astype(np.int64)
    out = pd.DataFrame(index=idx)
    if "dwelling_id" in dwellings.columns:
        out["dwelling_id"] = dwellings["dwelling_id"].to_numpy()
    out["valid"] = _cat(parts, "valid").astype(bool)
    out["invalid_reason"] = _cat(parts, "invalid_reason").astype(object) if n else []
    out["basis"] = _cat(parts, "basis").astype(object) if n else []
    out["basis_use_ratio"] = _cat(parts, "calib").astype(np.float64) if n else []
    out["n_packages"] = _cat(parts, "n_eval").astype(np.int64)
    out["reached"] = _cat(parts, "reached").astype(bool)
    for d, names in _option_names(options, chosen_opt).items():
        out[d] = names
    out = pd.concat([out, _metrics_frame(chosen, idx, "", system_params),
                     _metrics_frame(cur, idx, "current_", system_params)], axis=1)
    out["best_epc_score_kwh_per_m2"] = best[:, _pk.M_SCORE]
    out["best_epc_label"] = epc_label(best[:, _pk.M_SCORE], params=system_params)
    out["best_net_cost_eur"] = best[:, _pk.M_NET]
    out["min_design_heat_load_w_per_m2"] = _cat(parts, "min_load")
    return out


def evaluate_packages(
    dwellings: pd.DataFrame,
    options: MeasureOptions | None = None,
    *,
    economics: Economics | None = None,
    horizon_years: int | None = None,
    discount_rate_frac: float | None = None,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
    basis: str = MONEY_BASIS_DEFAULT,
) -> pd.DataFrame:
    """The full table for a small selection: one row per dwelling x applicable package.

    Memory grows with dwellings x all combinations; meant for one address or a street (what a
    coach looks at). For a city use :func:`best_packages`.

    Parameters
    ----------
    dwellings, options, economics, horizon_years, discount_rate_frac, climate, heat_params,
    system_params
        As in :func:`best_packages`.

    Returns
    -------
    pandas.DataFrame
        One row per applicable package (the current state, all ``keep``, included), with
        ``dwelling_id`` (when present; else the position in ``row``), ``row`` (position of the
        dwelling in the input), ``basis``, the option of each dimension (columns named after
        :data:`~wijkreno.renovate.options.DIMENSIONS`), ``measures`` (the non-keep options
        joined with '+', '' for the current state), ``n_measures``, the metrics of
        :data:`METRIC_COLUMNS` and ``epc_label``. Invalid dwellings have no rows; the
        package table's ``attrs["invalid"]`` maps their position to the reason.
    """
    options, econ = _resolve(dwellings, options, economics, horizon_years, discount_rate_frac)
    s = _setup(options, econ, heat_params, system_params, climate, basis)
    n_env = s.env_opt.shape[0]
    frames = []
    invalid: dict[int, str] = {}
    kh, kp, kw = s.k[5], s.k[6], s.k[7]
    size = max(1, 2_000_000 // max(1, n_env * kh * kp * kw))
    for lo, hi in _chunks(len(dwellings), n_env, size):
        ch = _prepare_chunk(dwellings.iloc[lo:hi], s, lo, hi)
        n = hi - lo
        cur = np.empty((n, _pk.N_M))
        out = np.empty((n, n_env, kh, kp, kw, _pk.N_M))
        ok = np.empty((n, n_env, kh, kp, kw), dtype=np.bool_)
        _pk.all_packages(*ch.kernel_args(s), ch.valid, cur, out, ok)
        for j in np.nonzero(~ch.valid)[0]:
            invalid[lo + int(j)] = str(ch.invalid_reason[j])
        i, e, h, p, w = np.nonzero(ok)
        opt = np.column_stack([s.env_opt[e], h, p, w]).astype(np.int64)
        f = _metrics_frame(out[i, e, h, p, w], None, "", s.system_params)
        f.insert(0, "row", lo + i)
        if "dwelling_id" in dwellings.columns:
            f.insert(0, "dwelling_id", dwellings["dwelling_id"].to_numpy()[lo + i])
        f.insert(2 if "dwelling_id" in dwellings.columns else 1, "basis",
                 ch.basis[i])
        names = _option_names(options, opt)
        for j, d in enumerate(DIMENSIONS):
            f.insert(3 + j, d, names[d])
        measures = np.full(len(f), "", dtype=object)
        for d in DIMENSIONS:
            nm = names[d]
            add = nm != "keep"
            measures = np.where(add & (measures != ""), measures + "+" + nm.astype(str),
                                np.where(add, nm.astype(str), measures))
        f.insert(3 + len(DIMENSIONS), "measures", measures)
        f.insert(4 + len(DIMENSIONS), "n_measures", (opt > 0).sum(axis=1))
        frames.append(f)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    table.attrs["invalid"] = invalid
    return table


def interim_choice_reference(
    saving_eur: Any, boiler_years: Any, net_cost_eur: Any, boiler_eur: float,
    phase_years: float, rate: float, growth: float, cost_growth: float, asked: Any,
    blocked: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """NumPy reference of the intermediate-step decision of the step ordering
    (:func:`wijkreno.renovate._package_kernels.interim_choice`), on arrays.

    Parameters
    ----------
    saving_eur : array-like
        Yearly bill saving of the intermediate step against the boiler [EUR/yr].
    boiler_years : array-like
        Years until the boiler is worn out (negative: overdue, replaced now; inf: none) [yr].
    net_cost_eur : array-like
        Invoice minus premium of the intermediate step [EUR].
    boiler_eur : float
        Like-for-like boiler replacement [EUR].
    phase_years, rate, growth, cost_growth : float
        Years to the heat-pump step [yr]; discount rate, energy-price and real construction-
        cost escalation [-/yr].
    asked, blocked : array-like of bool
        The household asked for it; the heat pump does not fit today's envelope.

    Returns
    -------
    use : ndarray of bool
    npv_eur : ndarray
        ``-net_cost * df + gain`` where used (0 elsewhere), ``df = ((1 + cost_growth) / (1 +
        rate)) ** t_b`` and ``gain = sum_{t = floor(t_b) + 1}^{phase} saving ((1 + growth) /
        (1 + rate)) ** t``.
    """
    saving, t_b, net, asked_a, blocked_a = np.broadcast_arrays(
        np.asarray(saving_eur, dtype=np.float64), np.asarray(boiler_years, dtype=np.float64),
        np.asarray(net_cost_eur, dtype=np.float64), np.asarray(asked, dtype=bool),
        np.asarray(blocked, dtype=bool))
    t_b = np.maximum(t_b, 0.0)
    q = (1.0 + growth) / (1.0 + rate)
    years = np.arange(1.0, np.floor(max(phase_years, 0.0)) + 1.0)  # 1 .. floor(phase)
    after = years[None, :] >= np.floor(t_b).reshape(-1, 1) + 1.0
    gain = (saving.reshape(-1, 1) * np.where(after, q ** years[None, :], 0.0)).sum(
        axis=1).reshape(saving.shape)
    finite = np.isfinite(t_b)
    df = np.where(finite, ((1.0 + cost_growth) / (1.0 + rate)) ** np.where(finite, t_b, 0.0),
                  0.0)
    use = asked_a | (blocked_a & (t_b < phase_years) & (net * df - gain < boiler_eur * df))
    return use, np.where(use, -net * df + gain, 0.0)


def evaluate_packages_reference(
    dwellings: pd.DataFrame,
    options: MeasureOptions,
    economics: Economics,
    *,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
) -> pd.DataFrame:
    """Slow reference of :func:`evaluate_packages`: one engine call per package, in Python.

    Builds each package's envelope row with :func:`~wijkreno.simulate.heat_balance.pack_inputs`,
    runs the engine's NumPy heat balance
    (:func:`~wijkreno.simulate.heat_balance.reference_balance`) and systems stage
    (:func:`~wijkreno.simulate.systems.compute_energy_arrays`) and the economics written out.
    Returns the same columns for the dwellings' packages (no ``epc_label``/``basis``).
    For tests only.
    """
    from itertools import product

    from wijkreno.simulate.climate import load_climate
    from wijkreno.simulate.heat_balance import reference_balance

    hp = heat_params or load_heat_balance_params()
    sp = system_params or default_system_params()
    climate = load_climate()
    theta_int = hp.theta_int_epb_degc if hp.convention == "epb" else hp.theta_int_degc
    dth, tk, isol = period_constants(climate.hours_h, climate.theta_e_degc,
                                     climate.i_sol_vertical_kwh_per_m2, theta_int)
    coef = balance_coefficients(hp)
    t = system_tables(sp)
    f = t.factors
    o = options
    rows = []
    af = economics.annuity_factor()
    pv_value = (economics.pv_self_consumption_frac * f[sk.F_PRICE, sk.ELECTRICITY]
                + (1 - economics.pv_self_consumption_frac)
                * economics.injection_tariff_eur_per_kwh)
    for i in range(len(dwellings)):
        d_row = dwellings.iloc[[i]]
        multi = str(d_row["typology"].iloc[0]) == "apartment_building" \
            if "typology" in d_row.columns else False
        packed, _, rate = apply_convention(pack_inputs(with_capacity(d_row, hp), hp), hp,
                                           climate, np.array([multi]), copy=False)
        base = packed[0]
        area = base[sk.X_FLOOR]
        dhw_need = area * float(np.broadcast_to(rate, (1,))[0])
        results = {}
        load0 = None
        ranges = [range(o.n_options(d)) for d in DIMENSIONS]
        for combo in product(*ranges):
            if not all(o.applicable[d][i, k] for d, k in zip(DIMENSIONS, combo, strict=True)):
                continue
            x = base.copy()
            eff = {d: {c: o.effect[d][c][i, k] for c in EFFECT_COLUMNS[d]}
                   for d, k in zip(DIMENSIONS, combo, strict=True)}
            x[sk.X_U_ROOF] = eff["roof"]["u_roof_w_per_m2k"]
            x[sk.X_U_WALL] = eff["wall"]["u_wall_w_per_m2k"]
            x[sk.X_U_FLOOR] = eff["floor"]["u_floor_w_per_m2k"]
            x[sk.X_U_WINDOW] = eff["glazing"]["u_window_w_per_m2k"]
            x[sk.X_G] = eff["glazing"]["g_window_frac"]
            x[sk.X_INF] = (eff["ventilation"]["infiltration_ach"]
                            - eff["ventilation"]["heat_recovery_frac"] * hp.n_air_use_ach)
            _, annual = reference_balance(x[None, :], coef, dth, tk, isol)
            need = annual[sk.O_Q_NEED, 0]
            load = ((annual[sk.O_H_TR, 0] + annual[sk.O_H_VE, 0])
                    * (hp.theta_int_degc - economics.design_outdoor_temperature_degc) / area)
            h = combo[5]
            if h != 0 and not load <= o.effect["heating"]["max_design_load_w_per_m2"][i, h]:
                continue
            own = eff["solar_water_heater"]["dhw_system_code"]  # heat-pump boiler: keep heating
            if h != 0 and own >= 0:
                continue
            code = int(eff["heating"]["heating_code"])
            dhw_code = None
            if own >= 0:
                dhw_code = np.array([int(own)])
            elif h == 0 and "dhw_system" in d_row.columns and pd.notna(
                    d_row["dhw_system"].iloc[0]):
                dhw_code = np.array([sp.dhw_system_names.index(d_row["dhw_system"].iloc[0])])
            res = compute_energy_arrays(
                np.array([need]), np.array([dhw_need]), np.array([area]), np.array([code]),
                dhw_code, eff["heating"]["emitter_temperature_degc"],
                eff["solar_water_heater"]["dhw_solar_frac"], params=sp)
            final = np.array([res[f"final_{c}_kwh"][0] for c in CARRIERS])
            y = eff["pv"]["pv_yield_kwh"]
            if load0 is None:  # the first combination is the dwelling as it is
                load0 = load
            inv_m = {d: o.investment_eur[d][i, k] for d, k in zip(DIMENSIONS, combo, strict=True)}
            prem_m = {d: o.premium_eur[d][i, k] for d, k in zip(DIMENSIONS, combo, strict=True)}
            ratio = 1.0
            if (o.heat_pump_sizing is not None and o.heat_pump_sizing[h, 0] > 0
                    and inv_m["heating"] > 0):  # re-priced on the load after the envelope
                per_kw, min_kw = o.heat_pump_sizing[h]
                base_inv = inv_m["heating"] - per_kw * max(load0 * area / 1000.0, min_kw)
                sized = base_inv + per_kw * max(load * area / 1000.0, min_kw)
                ratio = sized / inv_m["heating"]
                inv_m["heating"] = sized
                prem_m["heating"] *= min(ratio, 1.0)
            invest = sum(inv_m.values())
            premium = min(invest, sum(prem_m.values()))
            life = sum(o.investment_eur[d][i, k]
                       * economics.life_cycle_factor(o.lifetime_years[d][[k]])[0]
                       * (ratio if d == "heating" else 1.0)
                       for d, k in zip(DIMENSIONS, combo, strict=True))
            if h == 0:  # keeping the boiler: its replacement at the end of its life
                life += float(_keep_replacement(_boiler_years(d_row, economics), economics)[0])
            primary, variable, fixed, co2_fl, co2_com = carrier_accounts_reference(final, f)
            primary = primary - y * f[sk.F_PEF, sk.ELECTRICITY]
            cost = variable + fixed - y * pv_value
            results[combo] = dict(
                investment_eur=invest, premium_eur=premium, net_cost_eur=invest - premium,
                life_cycle_cost_eur=life, heating_need_kwh=need, design_heat_load_w_per_m2=load,
                final_gas_kwh=final[0], final_oil_kwh=final[1], final_electricity_kwh=final[2],
                final_wood_kwh=final[3], pv_yield_kwh=y, primary_energy_kwh=primary,
                epc_score_kwh_per_m2=primary / area, energy_cost_eur=cost,
                final_energy_net_kwh=final.sum() - y,
                co2_flemish_kg_co2=co2_fl - y * f[sk.F_CO2_FLEMISH, sk.ELECTRICITY],
                co2_com_kg_co2=co2_com - y * f[sk.F_CO2_COM, sk.ELECTRICITY],
            )
        cur = results[(0,) * len(DIMENSIONS)]
        for combo, r in results.items():
            r["saving_eur"] = cur["energy_cost_eur"] - r["energy_cost_eur"]
            r["saving_kwh"] = cur["final_energy_net_kwh"] - r["final_energy_net_kwh"]
            r["npv_eur"] = -r["net_cost_eur"] + r["saving_eur"] * af - r["life_cycle_cost_eur"]
            r["row"] = i
            for d, k in zip(DIMENSIONS, combo, strict=True):
                r[d] = o.option_names[d][k]
            rows.append(r)
    return pd.DataFrame(rows)


__all__ = [
    "DIMENSION_NAMES_NL",
    "METRIC_COLUMNS",
    "OBJECTIVES",
    "Economics",
    "best_packages",
    "enumerate_chunks",
    "evaluate_packages",
    "evaluate_packages_reference",
    "interim_choice_reference",
    "load_economics",
    "target_array",
]

