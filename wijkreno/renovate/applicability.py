"""Which measures apply to which dwelling, what they cost and what they change.

:func:`measure_options` turns the twin's ``dwellings`` table (optionally with a coach's
overrides applied, :func:`wijkreno.renovate.overrides.apply_overrides`) into the
:class:`~wijkreno.renovate.options.MeasureOptions` that the package enumeration
(:mod:`wijkreno.renovate.packages`) combines. Everything is vectorised over dwellings; the
rules are data in ``wijkreno/params/renovation.toml``:

roof
    no roof area (an apartment without roof share) → nothing; U at or below the 'already good'
    threshold → nothing; ``attic_floor_insulation`` only under a pitched roof (the twin counts
    heated floor area over full storeys, so the space under a pitched roof is an unheated
    attic). Attic-floor insulation is expressed as an equivalent U on the roof area (the engine
    knows one roof element): ``U_eq = U_attic_floor_after * A_attic_floor / A_roof`` with
    ``U_attic_floor_after = 1 / (1/U_roof + R_added)``: the attic floor before insulation is
    taken as the roof element of TABULA (which is the ceiling to the attic for such houses).
wall
    ``cavity_fill`` only where a cavity wall is plausible (TABULA period and typology lists) and
    the cavity is not already (partly) filled (U above ``max_u_filled``); ETICS and inside
    insulation wherever the wall is not already good.
floor
    no ground-floor share → nothing; the part above a cellar (``cellar_frac``) is priced as
    cellar-ceiling insulation, the rest as floor on soil.
glazing, ventilation
    already good → nothing; ventilation C not where a system D exists (``heat_recovery_frac``).
heating
    a dwelling that already has a heat pump gets none of the same kind; one with a monovalent
    heat pump gets none at all; a hybrid may move to a monovalent heat pump. The heat-load
    condition of each heat pump (``max_design_load_w_per_m2``) is NOT decided here: it depends
    on the envelope measures of the package and is evaluated by the enumeration. Heat pumps are
    priced on today's design heat load (:func:`design_heat_load_kw`); the enumeration may
    re-price them after envelope measures with :func:`heat_pump_investment_eur`.
apartments
    carry their share of roof, floor and facade in the twin and pay their ``floor_share_frac``
    of the fixed cost of roof, wall and floor works (a building-wide job).
pv, solar_water_heater
    sized on the suitable share of the roof area (pitched or flat); too little area → not
    offered; an existing installation (``pv_kwp`` > 0, ``dhw_solar_frac`` > 0) → not offered.
hot water (the ``solar_water_heater`` dimension's heat-pump boiler)
    offered where today's hot water comes from a gas or oil boiler or an electric resistance
    boiler (``dhw_system``, else the heating system's default of the system parameters); it
    installs its ``dhw_system`` (``dhw_system_code``) and goes only with the kept heating (the
    enumeration's rule: a new heat pump makes the hot water itself).

Heat pumps on the existing emitters are not offered without central heating (electric
resistance heaters); the options with new low-temperature emitters (``emitter_unit_cost_eur`` in
the catalogue, priced per m2 of heated floor) are. A hybrid (``request_only_systems`` of
``renovation.toml``) is offered only where the household asks (``hybrid_requested``) and a gas
boiler exists; next to a gas boiler it is always available as an intermediate step
(``intermediate_systems``; ``MeasureOptions.interim_*``), which the trajectory takes where it
pays (:func:`wijkreno.renovate.trajectories.plan_trajectories`).
A measure already done (``done_<dimension>_year``, e.g. from the register) is never offered
again in that dimension.

Optional dwelling columns read when present: ``income_category`` (1-4), ``floor_share_frac``,
``hybrid_requested``, ``done_<dimension>_year``, ``dhw_system``,
``cellar_frac``, ``heat_recovery_frac``,
``emitter_temperature_degc``, ``pv_kwp``, ``pv_yield_kwh``, ``dhw_solar_frac``, ``roof_flat``,
``party_wall_b_frac``.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.renovate.catalogue import (
    Catalogue,
    Measure,
    MoneyParams,
    MunicipalPremiums,
    Premiums,
    RenovationParams,
    load_catalogue,
    load_premiums,
    load_renovation_params,
    municipal_premium_for,
    premium_for,
)
from wijkreno.renovate.options import DIMENSIONS, EFFECT_COLUMNS, MeasureOptions
from wijkreno.simulate.heat_balance import (
    REQUIRED_COLUMNS,
    heating_need_arrays,
    load_heat_balance_params,
)
from wijkreno.simulate.params import load_system_params
from wijkreno.twin.roof import pv_kwp, roof_pitched, suitable_roof_area
from wijkreno.twin.schema import HEATING_SYSTEMS, ORIENTATIONS

logger = logging.getLogger(__name__)

_SHARED = ("roof", "wall", "floor")
"""Dimensions whose works are building-wide in an apartment building: each apartment pays its
``floor_share_frac`` of the fixed cost (and the unit cost on its own share of the area)."""

NEEDED_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(
        (*REQUIRED_COLUMNS, "typology", "tabula_period", "construction_year", "heating_system")
    )
)
"""Columns of the ``dwellings`` table :func:`measure_options` needs."""


# ---------------------------------------------------------------------------------------------
# public helpers (also used by the package enumeration)


def design_heat_load_kw(
    h_tr_w_per_k: Any,
    h_ve_w_per_k: Any,
    *,
    renovation: RenovationParams | None = None,
    theta_int_degc: float | None = None,
) -> np.ndarray:
    """Design heat load ``(H_tr + H_ve) * (theta_int - theta_design) / 1000`` [kW].

    Parameters
    ----------
    h_tr_w_per_k, h_ve_w_per_k : array-like, shape (n,)
        Transmission and ventilation heat transfer coefficients [W K-1] (from
        :func:`wijkreno.simulate.heat_balance.heating_need_arrays`).
    renovation : RenovationParams, optional
        Gives ``applicability.heating.design_outdoor_temperature_degc`` (packaged file if None).
    theta_int_degc : float, optional
        Indoor set-point [degC]; the heat-balance parameter ``theta_int_degc`` when None.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Design heat load [kW]. Divide by the heated floor area [m2] and multiply by 1000 for
        the W m-2 compared with ``max_design_load_w_per_m2``.
    """
    ren = renovation or load_renovation_params()
    t_int = load_heat_balance_params().theta_int_degc if theta_int_degc is None else theta_int_degc
    dt_k = t_int - ren.applicability.heating.design_outdoor_temperature_degc.value
    h = np.asarray(h_tr_w_per_k, dtype=np.float64) + np.asarray(h_ve_w_per_k, dtype=np.float64)
    return h * dt_k / 1000.0


def heat_pump_investment_eur(
    measure: str, design_load_kw: Any, *, catalogue: Catalogue | None = None,
    heated_floor_area_m2: Any = 0.0,
) -> np.ndarray:
    """Invoice of a heat pump sized on a design load: ``fixed + per_kW * max(load, min_size)``,
    plus ``emitter_unit_cost_eur * heated_floor_area_m2`` for an option with new
    low-temperature emitters.

    Parameters
    ----------
    measure : str
        A heating measure of the catalogue (``heat_pump_air_water``, ...).
    design_load_kw : array-like, shape (n,)
        Design heat load [kW] (:func:`design_heat_load_kw`).
    catalogue : Catalogue, optional
        The packaged catalogue when None.
    heated_floor_area_m2 : float or array-like, shape (n,)
        Heated floor area [m2] the new emitters serve (options with emitters only).

    Returns
    -------
    numpy.ndarray, shape (n,)
        Investment incl. VAT [EUR] (NaN where the load is NaN).
    """
    m = _measure(catalogue or load_catalogue(), measure)
    if m.quantity != "design_load_kw" or m.min_size_kw is None:
        raise InputError(f"measure {measure!r} is not sized on the design load.")
    load = np.maximum(np.asarray(design_load_kw, dtype=np.float64), m.min_size_kw.value)
    out = m.fixed_cost_eur.value + m.unit_cost_eur.value * load
    if m.emitter_unit_cost_eur is not None:
        out = out + m.emitter_unit_cost_eur.value * np.asarray(heated_floor_area_m2,
                                                               dtype=np.float64)
    return out


# ---------------------------------------------------------------------------------------------
# helpers


def _measure(catalogue: Catalogue, name: str) -> Measure:
    try:
        return catalogue.measures[name]
    except KeyError:
        raise InputError(
            f"measure {name!r} is not in the catalogue; it has {sorted(catalogue.measures)}."
        ) from None


class _Reasons:
    """Reasons as small integer codes into a table of texts (0 = applicable, text '').

    Kept as codes until the end so that the rules compare integers, not strings; texts with a
    number (a U-value, a year) are formatted once per distinct value among the rows that need
    them (the twin holds few distinct U-values and years), which keeps this vectorised.
    """

    def __init__(self) -> None:
        self.texts: list[str] = [""]
        self._index: dict[str, int] = {"": 0}

    def code(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.texts)
            self.texts.append(text)
        return self._index[text]

    def set(self, codes: np.ndarray, mask: np.ndarray, text: Any) -> None:
        """Give rows where ``mask`` holds and no reason is set yet the reason ``text``.

        ``text`` is a str, a per-row array of str, or ``(head, values, decimals, tail)`` for
        ``head + <value with a decimal comma> + tail``.
        """
        todo = mask & (codes == 0)
        if not todo.any():
            return
        if isinstance(text, str):
            codes[todo] = self.code(text)
        elif isinstance(text, np.ndarray):
            uniq, inv = np.unique(text[todo].astype(str), return_inverse=True)
            table = np.array([self.code(str(u)) for u in uniq], dtype=codes.dtype)
            codes[todo] = table[inv.ravel()]
        else:
            head, values, decimals, tail = text
            rounded = np.round(np.asarray(values, dtype=np.float64)[todo], decimals)
            uniq, inv = np.unique(rounded, return_inverse=True)
            table = np.array(
                [self.code(head + (f"{u:.{decimals}f}".replace(".", ",")
                                   if np.isfinite(u) else "?") + tail) for u in uniq],
                dtype=codes.dtype,
            )
            codes[todo] = table[inv.ravel()]

    def texts_of(self, codes: np.ndarray) -> np.ndarray:
        return np.asarray(self.texts, dtype=object)[codes]


def _column(df: pd.DataFrame, name: str, default: float, n: int) -> np.ndarray:
    if name not in df.columns:
        return np.full(n, default, dtype=np.float64)
    v = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isnan(v), default, v)


def _income_categories(
    df: pd.DataFrame, income_category: int | np.ndarray | None, default: int, n: int
) -> np.ndarray:
    if income_category is not None:
        cat = np.broadcast_to(np.asarray(income_category), (n,)).astype(np.float64)
        where = "the income_category argument"
    elif "income_category" in df.columns:
        cat = pd.to_numeric(df["income_category"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        cat = np.where(np.isnan(cat), default, cat)
        where = "the income_category column"
    else:
        return np.full(n, default, dtype=np.int64)
    bad = ~np.isin(cat, [1.0, 2.0, 3.0, 4.0])
    if bad.any():
        raise InputError(
            f"{where} must hold Mijn VerbouwPremie categories 1-4 (1 = highest incomes, "
            f"4 = lowest); got {np.unique(cat[bad])[:5].tolist()}."
        )
    return cat.astype(np.int64)


class _Dims:
    """Per-dimension output arrays, filled option by option."""

    def __init__(self, names: tuple[str, ...], n: int, current: dict[str, np.ndarray]):
        k = len(names)
        self.names = names
        self.applicable = np.zeros((n, k), dtype=bool)
        self.applicable[:, 0] = True
        self.investment = np.zeros((n, k))
        self.premium = np.zeros((n, k))
        self.lifetime = np.full(k, np.inf)
        self.reason = np.zeros((n, k), dtype=np.int32)
        # every option starts as "no change"; applicable options overwrite their column
        self.effect = {c: np.repeat(v[:, None], k, axis=1) for c, v in current.items()}

    def column(self, name: str) -> int:
        return self.names.index(name)


# ---------------------------------------------------------------------------------------------
# the main function


def measure_options(
    dwellings: pd.DataFrame,
    *,
    catalogue: Catalogue | None = None,
    premiums: Premiums | None = None,
    renovation: RenovationParams | None = None,
    income_category: int | np.ndarray | None = None,
    municipal_premiums: MunicipalPremiums | None = None,
    money: MoneyParams | None = None,
) -> MeasureOptions:
    """Applicable measures per dwelling with investment, premium, lifetime and effect.

    Parameters
    ----------
    dwellings : pandas.DataFrame or geopandas.GeoDataFrame
        The twin's ``dwellings`` table (columns :data:`NEEDED_COLUMNS`; optional columns listed
        in the module docstring), possibly with overrides applied.
    catalogue, premiums, renovation : optional
        Parameter sets; the packaged ``measures.toml``, ``premiums.toml`` and
        ``renovation.toml`` when None.
    income_category : int or array of int, shape (n,), optional
        Mijn VerbouwPremie category 1-4 (1 = highest incomes, 4 = lowest). When None, the
        ``income_category`` column (missing values → default), else the default of
        ``renovation.toml [economics] default_income_category``.
    municipal_premiums : MunicipalPremiums, optional
        A municipality's top-up premiums
        (:func:`wijkreno.renovate.catalogue.load_municipal_premiums`): added to
        ``premium_eur`` and kept apart in ``municipal_premium_eur``.
    money : MoneyParams, optional
        A price year (:func:`wijkreno.renovate.catalogue.money_params`): its indexed catalogue
        and premium scheme stand in for ``catalogue`` and ``premiums`` when those are None
        (a given ``catalogue`` must be indexed to its year), and the options carry its
        ``price_year``. Without it and without an indexed
        ``catalogue``, costs stay at their sources' dates (``price_year`` None).

    Returns
    -------
    MeasureOptions
        Checked (:meth:`MeasureOptions.check`). Rows follow ``dwellings``' row order. Options
        that do not apply carry investment 0, premium 0, the dwelling's current values in
        ``effect`` (an intermediate step's own, ``interim_applicable``) and a Dutch reason.
        Effects: ``u_*`` [W m-2 K-1], ``g_window_frac``,
        ``infiltration_ach`` [h-1], ``heat_recovery_frac``, ``heating_code`` (index in
        :data:`~wijkreno.twin.schema.HEATING_SYSTEMS`), ``max_design_load_w_per_m2`` [W m-2]
        (inf = no limit), ``emitter_temperature_degc`` [degC], ``pv_kwp`` [kWp],
        ``pv_yield_kwh`` [kWh a-1], ``dhw_solar_frac``.

    Raises
    ------
    InputError
        When columns are missing, a heating system or income category is unknown, the
        premium table or renovation rules do not cover a catalogue measure, or ``catalogue``
        and ``money`` are of different price years.
    """
    if money is not None:
        if catalogue is not None and catalogue.price_year != money.price_year:
            quoted = ("at its sources' dates" if catalogue.price_year is None
                      else f"in {catalogue.price_year}")
            raise InputError(
                f"the catalogue is priced {quoted} but money is the {money.price_year} price "
                f"set; give one of them, or the catalogue of that price set "
                f"(money_params({money.price_year}).catalogue)."
            )
        catalogue = catalogue or money.catalogue
        premiums = premiums or money.premiums
    cat = catalogue or load_catalogue()
    prem = premiums or load_premiums()
    ren = renovation or load_renovation_params()
    missing = [c for c in NEEDED_COLUMNS if c not in dwellings.columns]
    if missing:
        raise InputError(
            f"measure_options needs the dwellings columns {missing}; build the table with "
            "wijkreno.twin.build_twin (see wijkreno.twin.schema.DWELLINGS)."
        )
    scheme = prem.scheme()
    rule_of = {name: (m.premium_rule or name) for name, m in cat.measures.items()}
    uncovered = [m for m in cat.measures if rule_of[m] not in scheme.measures]
    if uncovered:
        raise InputError(
            f"the premium scheme {scheme.name!r} ({scheme.valid_from}) has no rule for the "
            f"measures {uncovered}; add them to premiums.toml (amount 0 where none is paid)."
        )
    heating_rules = ren.applicability.heating
    no_rule = [n for n, m in cat.measures.items()
               if m.dimension == "heating" and n not in heating_rules.options
               and m.heating_system not in heating_rules.options]
    if no_rule:
        raise InputError(
            f"renovation.toml [applicability.heating.options] has no condition for {no_rule}."
        )

    df = dwellings
    n = len(df)
    f = {c: df[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in REQUIRED_COLUMNS}
    typology = df["typology"].astype(str).to_numpy(dtype=object)
    period = df["tabula_period"].astype(str).to_numpy(dtype=object)
    year = pd.to_numeric(df["construction_year"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    heating = df["heating_system"].astype(str).to_numpy(dtype=object)
    heating_code = np.full(n, -1, dtype=np.int64)
    for code, name in enumerate(HEATING_SYSTEMS):
        heating_code[heating == name] = code
    if (heating_code < 0).any():
        raise InputError(
            f"unknown heating systems {sorted(set(heating[heating_code < 0]))[:5]}; use one of "
            f"{list(HEATING_SYSTEMS)}."
        )
    apartment = typology == "apartment_building"
    income = _income_categories(
        df, income_category, int(ren.economics.default_income_category.value), n
    )

    roof_area = f["roof_area_m2"]
    ground_area = f["ground_floor_area_m2"]
    wall_area = sum(f[f"wall_area_{o}_m2"] for o in ORIENTATIONS)
    window_area = sum(f[f"window_area_{o}_m2"] for o in ORIENTATIONS)
    heated_area = f["heated_floor_area_m2"]
    pitched = roof_pitched(df, roof_area, ground_area, ren.applicability.roof)

    heat_recovery = _column(df, "heat_recovery_frac", 0.0, n)
    default_emitter = load_system_params().settings.default_emitter_temperature_degc.value
    emitter = _column(df, "emitter_temperature_degc", default_emitter, n)
    pv_now = _column(df, "pv_kwp", 0.0, n)
    pv_yield_now = _column(df, "pv_yield_kwh", np.nan, n)
    pv_m = next(m for m in cat.measures.values() if m.dimension == "pv")
    pv_yield_now = np.where(np.isnan(pv_yield_now), pv_now * pv_m.yield_kwh_per_kwp.value,
                            pv_yield_now)
    solar_now = _column(df, "dhw_solar_frac", 0.0, n)
    sys_params = load_system_params()
    dhw_names = sys_params.dhw_system_names
    unknown_dhw = [f"{n_}: {m_.dhw_system}" for n_, m_ in cat.measures.items()
                   if m_.dhw_system is not None and m_.dhw_system not in dhw_names]
    if unknown_dhw:
        raise InputError(
            f"hot-water measures name unknown dhw_system {unknown_dhw}; use one of "
            f"{list(dhw_names)} (wijkreno/params/energy_systems.toml [dhw_systems])."
        )
    # today's hot-water system: the dhw_system column, else the heating system's default
    defaults = sys_params.default_dhw_system.model_dump(exclude={"source", "date"})
    dhw_now = np.array([dhw_names.index(defaults[h]) for h in HEATING_SYSTEMS],
                       dtype=np.int64)[heating_code]
    if "dhw_system" in df.columns:
        given = df["dhw_system"].astype("object").map(
            {nm: j for j, nm in enumerate(dhw_names)}).to_numpy(dtype=np.float64,
                                                                na_value=np.nan)
        dhw_now = np.where(np.isfinite(given), given, dhw_now).astype(np.int64)
    dhw_carrier = np.array([sys_params.dhw_systems[d].carrier for d in dhw_names],
                           dtype=object)[dhw_now]
    dhw_eff = np.array([sys_params.dhw_systems[d].efficiency.value for d in dhw_names])[dhw_now]
    dhw_replaceable = np.isin(dhw_carrier, ["gas", "oil"]) | (
        (dhw_carrier == "electricity") & (dhw_eff <= 1.0))
    requested = (df["hybrid_requested"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                 if "hybrid_requested" in df.columns else np.zeros(n, dtype=bool))

    current = {
        "u_roof_w_per_m2k": f["u_roof_w_per_m2k"],
        "u_wall_w_per_m2k": f["u_wall_w_per_m2k"],
        "u_floor_w_per_m2k": f["u_floor_w_per_m2k"],
        "u_window_w_per_m2k": f["u_window_w_per_m2k"],
        "g_window_frac": f["g_window_frac"],
        "infiltration_ach": f["infiltration_ach"],
        "heat_recovery_frac": heat_recovery,
        "heating_code": heating_code.astype(np.float64),
        "max_design_load_w_per_m2": np.full(n, np.inf),
        "emitter_temperature_degc": emitter,
        "pv_kwp": pv_now,
        "pv_yield_kwh": pv_yield_now,
        "dhw_solar_frac": solar_now,
        "dhw_system_code": np.full(n, -1.0),
    }
    names = cat.option_names()
    dims = {d: _Dims(names[d], n, {c: current[c] for c in EFFECT_COLUMNS[d]}) for d in DIMENSIONS}
    reasons = _Reasons()

    good = ren.applicability.already_good_u_w_per_m2k
    no_roof = ~(roof_area > 0)
    no_roof_text = np.where(apartment, "appartement zonder dak", "geen dak")
    no_floor_text = np.where(apartment, "appartement zonder vloer op de grond",
                             "geen vloer op de grond")

    # design load today, for sizing heat pumps
    needs_load = any(m.quantity == "design_load_kw" for m in cat.measures.values())
    design_load = np.full(n, np.nan)
    if needs_load and n:
        inputs = dict(f)
        if "party_wall_b_frac" in df.columns:
            inputs["party_wall_b_frac"] = _column(df, "party_wall_b_frac", np.nan, n)
        hb = heating_need_arrays(inputs, monthly=False, multi_unit=apartment)
        design_load = design_heat_load_kw(hb.h_tr_w_per_k, hb.h_ve_w_per_k, renovation=ren)

    fixed_share = np.where(apartment, np.clip(_column(df, "floor_share_frac", 1.0, n), 0, 1),
                           1.0)
    attic_area = np.minimum(ground_area, roof_area)
    quantities: dict[str, np.ndarray] = {
        "roof_area_m2": roof_area,
        "attic_floor_area_m2": attic_area,
        "wall_area_m2": wall_area,
        "ground_floor_area_m2": ground_area,
        "window_area_m2": window_area,
        "heated_floor_area_m2": heated_area,
        "installation": np.ones(n),
    }

    # pv sizing
    pv_rule = ren.applicability.pv
    suitable_area = suitable_roof_area(pitched, roof_area, pv_rule)
    kwp = pv_kwp(pitched, roof_area, pv_m.m2_per_kwp.value, pv_rule)
    quantities["pv_kwp"] = kwp

    sizing = np.zeros((len(names["heating"]), 2))
    kh = len(names["heating"])
    interim_ok = np.zeros((n, kh), dtype=bool)
    interim_inv = np.zeros((n, kh))
    interim_prem = np.zeros((n, kh))
    municipal = {d: np.zeros((n, len(names[d]))) for d in DIMENSIONS}
    for name, m in cat.measures.items():
        dim = dims[m.dimension]
        if m.quantity == "design_load_kw" and m.min_size_kw is not None:
            sizing[names["heating"].index(name)] = (m.unit_cost_eur.value, m.min_size_kw.value)
        k = dim.column(name)
        reason = dim.reason[:, k]
        dim.lifetime[k] = m.lifetime_years.value
        after: dict[str, np.ndarray] = {}
        done = _column(df, f"done_{m.dimension}_year", np.nan, n)
        reasons.set(reason, np.isfinite(done), ("al uitgevoerd in ", done, 0, " (register)"))

        if m.dimension == "roof":
            r_add = m.r_added_m2k_per_w.value  # type: ignore[union-attr]
            u_now = f["u_roof_w_per_m2k"]
            reasons.set(reason, no_roof, no_roof_text)
            reasons.set(reason, u_now <= good.roof.value,
                        ("dak al goed geïsoleerd (U ", u_now, 2, ")"))
            u_new = 1.0 / (1.0 / np.maximum(u_now, 1e-9) + r_add)
            if m.quantity == "attic_floor_area_m2":
                reasons.set(reason, ~pitched, "plat dak: geen zoldervloer")
                reasons.set(reason, ~(attic_area > 0), "geen zoldervloer")
                u_new = u_new * np.divide(attic_area, roof_area, out=np.zeros(n),
                                          where=roof_area > 0)
            after["u_roof_w_per_m2k"] = np.minimum(u_new, u_now)
        elif m.dimension == "wall":
            r_add = m.r_added_m2k_per_w.value  # type: ignore[union-attr]
            u_now = f["u_wall_w_per_m2k"]
            reasons.set(reason, ~(wall_area > 0), "geen buitenmuur")
            reasons.set(reason, u_now <= good.wall.value,
                        ("muur al goed geïsoleerd (U ", u_now, 2, ")"))
            if name == "cavity_fill":
                rule = ren.applicability.cavity
                plausible = np.isin(period, list(rule.periods)) & np.isin(
                    typology, list(rule.typologies))
                reasons.set(reason, ~plausible,
                            ("spouwmuur onwaarschijnlijk voor bouwjaar ", year, 0, ""))
                reasons.set(reason, u_now <= rule.max_u_filled.value,
                            ("spouw al (deels) gevuld (U ", u_now, 2, ")"))
            after["u_wall_w_per_m2k"] = np.minimum(
                1.0 / (1.0 / np.maximum(u_now, 1e-9) + r_add), u_now)
        elif m.dimension == "floor":
            r_add = m.r_added_m2k_per_w.value  # type: ignore[union-attr]
            u_now = f["u_floor_w_per_m2k"]
            reasons.set(reason, ~(ground_area > 0), no_floor_text)
            reasons.set(reason, u_now <= good.floor.value,
                        ("vloer al goed geïsoleerd (U ", u_now, 2, ")"))
            after["u_floor_w_per_m2k"] = np.minimum(
                1.0 / (1.0 / np.maximum(u_now, 1e-9) + r_add), u_now)
        elif m.dimension == "glazing":
            u_now = f["u_window_w_per_m2k"]
            reasons.set(reason, ~(window_area > 0), "geen ramen")
            reasons.set(reason, u_now <= good.window.value,
                        ("ramen al hoogrendementsglas (U ", u_now, 2, ")"))
            after["u_window_w_per_m2k"] = np.minimum(m.u_after_w_per_m2k.value, u_now)  # type: ignore[union-attr]
            after["g_window_frac"] = np.full(n, m.g_after_frac.value)  # type: ignore[union-attr]
        elif m.dimension == "ventilation":
            target = m.infiltration_after_ach.value  # type: ignore[union-attr]
            recovery = m.heat_recovery_frac.value  # type: ignore[union-attr]
            inf_now = f["infiltration_ach"]
            if recovery > 0:
                reasons.set(reason, heat_recovery >= recovery, "heeft al ventilatie D")
            else:
                reasons.set(reason, heat_recovery > 0, "heeft al ventilatie D")
                reasons.set(reason, inf_now <= target,
                            ("al luchtdicht (n ", inf_now, 2, "/h)"))
            after["infiltration_ach"] = np.minimum(inf_now, target)
            after["heat_recovery_frac"] = np.maximum(heat_recovery, recovery)
        elif m.dimension == "heating":
            system = m.heating_system
            code = HEATING_SYSTEMS.index(system)  # type: ignore[arg-type]
            monovalent = [s for s in heating_rules.heat_pump_systems if s != "hybrid_heat_pump"]
            reasons.set(reason, heating == system, "heeft al deze warmtepomp")
            reasons.set(reason, np.isin(heating, monovalent), "heeft al een warmtepomp")
            reasons.set(reason, ~np.isfinite(design_load),
                        "warmtevraag niet te berekenen (onvolledige gegevens)")
            if m.emitter_unit_cost_eur is None:
                # the heat pump works on the existing hydronic emitters: none without them
                reasons.set(reason, heating == "electric_resistance",
                            "geen centrale verwarming: warmtepomp met nieuwe lagetemperatuur"
                            "afgifte nodig")
            next_to_gas = np.isin(heating, ["gas_boiler", "gas_condensing_boiler"])
            if system in heating_rules.intermediate_systems:
                # as a step on the way to a full heat pump, whether or not the household asks
                interim_ok[:, k] = (reason == 0) & next_to_gas
            if system in heating_rules.request_only_systems:
                reasons.set(reason, ~requested,
                            "hybride enkel op vraag van het gezin (houdt de gasketel)")
                reasons.set(reason, ~next_to_gas, "hybride enkel naast een bestaande gasketel")
            cond = heating_rules.options.get(name) or heating_rules.options[system]  # type: ignore[index]
            after["heating_code"] = np.full(n, float(code))
            after["max_design_load_w_per_m2"] = np.full(n, cond.max_design_load_w_per_m2.value)
            after["emitter_temperature_degc"] = np.full(n, cond.emitter_temperature_degc.value)
        elif m.dimension == "pv":
            reasons.set(reason, pv_now > 0, "heeft al zonnepanelen")
            reasons.set(reason, no_roof, no_roof_text)
            reasons.set(reason, kwp < pv_rule.min_kwp.value,
                        ("te weinig geschikt dakoppervlak (", kwp, 2, " kWp)"))
            after["pv_kwp"] = kwp
            after["pv_yield_kwh"] = kwp * m.yield_kwh_per_kwp.value  # type: ignore[union-attr]
        elif m.dimension == "solar_water_heater" and m.dhw_system is not None:
            reasons.set(reason, ~dhw_replaceable,
                        "warm water al met een warmtepomp (geen gas, stookolie of "
                        "elektrische weerstand)")
            after["dhw_system_code"] = np.full(n, float(dhw_names.index(m.dhw_system)))
        elif m.dimension == "solar_water_heater":
            need = m.collector_area_m2.value  # type: ignore[union-attr]
            reasons.set(reason, solar_now > 0, "heeft al een zonneboiler")
            reasons.set(reason, no_roof, no_roof_text)
            reasons.set(reason, suitable_area < need,
                        ("te weinig geschikt dakoppervlak (", suitable_area, 1, " m²)"))
            after["dhw_solar_frac"] = np.full(n, m.dhw_solar_frac.value)  # type: ignore[union-attr]

        ok = reason == 0
        dim.applicable[:, k] = ok
        # an apartment pays its share of a building-wide job's fixed cost (roof, facade, floor)
        fixed = m.fixed_cost_eur.value * (fixed_share if m.dimension in _SHARED else 1.0)
        if m.quantity == "design_load_kw":
            invest = heat_pump_investment_eur(name, design_load, catalogue=cat,
                                              heated_floor_area_m2=heated_area)
        elif m.quantity == "ground_floor_area_m2" and m.unit_cost_on_ground_eur is not None:
            cellar = np.clip(_column(df, "cellar_frac", 0.0, n), 0.0, 1.0)
            invest = fixed + ground_area * (
                cellar * m.unit_cost_eur.value
                + (1.0 - cellar) * m.unit_cost_on_ground_eur.value)
        else:
            invest = fixed + m.unit_cost_eur.value * quantities[m.quantity]
        if m.dimension == "heating" and interim_ok[:, k].any():
            interim_inv[:, k] = np.where(interim_ok[:, k], invest, 0.0)
            interim_prem[:, k] = premium_for(rule_of[name], income,
                                             interim_ok[:, k].astype(np.float64),
                                             interim_inv[:, k], premiums=prem)
        invest = np.where(ok, invest, 0.0)
        dim.investment[:, k] = invest
        unit = scheme.measures[rule_of[name]].unit
        if unit == "installation":
            pq = np.ones(n)
        elif unit == "kwp":
            pq = kwp
        else:  # m2 of the element the measure touches
            pq = quantities.get(m.quantity, np.zeros(n))
        pq = np.where(ok, pq, 0.0)
        regional = premium_for(rule_of[name], income, pq, invest, premiums=prem,
                               replaces_electric=heating == "electric_resistance")
        dim.premium[:, k] = regional
        if municipal_premiums is not None:
            key = name if name in municipal_premiums.measures else rule_of[name]
            extra = municipal_premium_for(key, income, pq, invest, regional, municipal_premiums)
            municipal[m.dimension][:, k] = extra
            dim.premium[:, k] = regional + extra
        # an intermediate step changes the dwelling as the option does
        changes = ok | interim_ok[:, k] if m.dimension == "heating" else ok
        for col, values in after.items():
            dim.effect[col][:, k] = np.where(changes, values, dim.effect[col][:, 0])

    options = MeasureOptions(
        option_names=names,
        applicable={d: dims[d].applicable for d in DIMENSIONS},
        investment_eur={d: dims[d].investment for d in DIMENSIONS},
        premium_eur={d: dims[d].premium for d in DIMENSIONS},
        lifetime_years={d: dims[d].lifetime for d in DIMENSIONS},
        effect={d: dims[d].effect for d in DIMENSIONS},
        reason={d: reasons.texts_of(dims[d].reason) for d in DIMENSIONS},
        heat_pump_sizing=sizing,
        interim_applicable=interim_ok,
        interim_investment_eur=interim_inv,
        interim_premium_eur=interim_prem,
        municipal_premium_eur=municipal if municipal_premiums is not None else None,
        price_year=cat.price_year,
    )
    options.check()
    return options


def options_frame(options: MeasureOptions, index: Any = None) -> pd.DataFrame:
    """Long table of the options, one row per dwelling × option (for reports and the coach).

    Parameters
    ----------
    options : MeasureOptions
    index : array-like, optional
        Dwelling labels (e.g. the ``dwelling_id`` column); positions 0..n-1 when None.

    Returns
    -------
    pandas.DataFrame
        Columns ``dwelling``, ``dimension``, ``option``, ``applicable``, ``investment_eur``,
        ``premium_eur``, ``net_investment_eur``, ``lifetime_years``, ``reason``.
    """
    n = options.n_dwellings
    labels = np.arange(n) if index is None else np.asarray(index)
    parts = []
    for d in DIMENSIONS:
        k = options.n_options(d)
        parts.append(pd.DataFrame({
            "dwelling": np.repeat(labels, k),
            "dimension": d,
            "option": np.tile(np.asarray(options.option_names[d], dtype=object), n),
            "applicable": options.applicable[d].ravel(),
            "investment_eur": options.investment_eur[d].ravel(),
            "premium_eur": options.premium_eur[d].ravel(),
            "net_investment_eur": (options.investment_eur[d] - options.premium_eur[d]).ravel(),
            "lifetime_years": np.tile(options.lifetime_years[d], n),
            "reason": options.reason[d].ravel(),
        }))
    return pd.concat(parts, ignore_index=True)

