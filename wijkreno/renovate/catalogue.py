"""Measure catalogue, premiums and renovation policy: the parameter files of issue 4.

Three versioned data files in ``wijkreno/params/``, each value with its source and date, read
into frozen pydantic models that reject unknown fields (a typo in a user's file is an error):

``measures.toml`` → :class:`Catalogue`
    per measure: dimension, cost per unit of the element it touches plus a fixed cost, lifetime
    and what it changes (R added, U and g after, infiltration, heat recovery, heating system,
    PV yield, solar share of hot water).
``premiums.toml`` → :class:`Premiums`
    Mijn VerbouwPremie structure: per measure and income category an amount per unit and a cap
    as share of the invoice, in dated schemes; the burenpremie as data.
``renovation.toml`` → :class:`RenovationParams`
    renovation obligation after purchase, the default 2050 target, economics defaults and the
    thresholds of the applicability rules.

The models and their cached loaders live in the parameter layer
(:mod:`wijkreno.params.models.renovation`); this module re-exports them and holds the policy and
premium functions. A value marked ``placeholder = true`` is an order of magnitude, not a
published figure; its ``replace_with`` says what should replace it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.base import Sourced
from wijkreno.params.models.price_sets import CostIndex, PriceSets, load_price_sets, year_of
from wijkreno.params.models.renovation import (
    MEASURES_FILE,
    MUNICIPAL_EXAMPLE_FILE,
    MUNICIPAL_TEMPLATE_FILE,
    N_INCOME_CATEGORIES,
    PREMIUMS_FILE,
    QUANTITIES,
    RENOVATION_FILE,
    AlreadyGood,
    Applicability,
    Burenpremie,
    Catalogue,
    CavityRule,
    Economics,
    ElementOverride,
    HeatingRule,
    HeatPumpCondition,
    IncomeCategories,
    InsulationEra,
    Measure,
    MunicipalPremiums,
    Obligation,
    ObligationRule,
    OverrideRules,
    PremiumRule,
    Premiums,
    PremiumScheme,
    PvRule,
    RenovationParams,
    RoofRule,
    Target,
    load_catalogue,
    load_municipal_premiums,
    load_premiums,
    load_renovation_params,
)
from wijkreno.params.names import EPC_LABELS, TABULA_PERIODS

if TYPE_CHECKING:
    from wijkreno.params.models.energy_systems import SystemParams

log = logging.getLogger(__name__)

__all__ = [
    "EPC_LABELS", "MEASURES_FILE", "N_INCOME_CATEGORIES", "PREMIUMS_FILE", "QUANTITIES",
    "RENOVATION_FILE", "TABULA_PERIODS", "AlreadyGood", "Applicability", "Burenpremie",
    "CavityRule", "Catalogue", "Economics", "ElementOverride", "HeatPumpCondition",
    "HeatingRule", "IncomeCategories", "InsulationEra", "Measure", "Obligation",
    "MUNICIPAL_EXAMPLE_FILE", "MUNICIPAL_TEMPLATE_FILE", "MoneyParams", "MunicipalPremiums",
    "ObligationRule", "OverrideRules", "PremiumRule", "PremiumScheme", "Premiums", "PvRule",
    "COST_FIELDS", "RenovationParams", "RoofRule", "Sourced", "Target", "index_catalogue",
    "load_catalogue", "load_premiums",
    "load_municipal_premiums", "load_renovation_params", "money_params",
    "municipal_premium_for", "obligation_label", "obligation_labels", "premium_for",
]


# ---------------------------------------------------------------------------------------------
# policy and premium functions


def obligation_label(
    deed_year: int, typology: str, *, renovation: RenovationParams | None = None
) -> tuple[str, int]:
    """Label a dwelling bought by a deed in ``deed_year`` must reach, and by when.

    Parameters
    ----------
    deed_year : int
        Year of the notarial deed of purchase.
    typology : str
        The building's typology; ``apartment_building`` uses the apartment label, the house
        typologies (``detached``, ``semi_detached``, ``terraced``) the house label.
    renovation : RenovationParams, optional
        The packaged ``renovation.toml`` when None.

    Returns
    -------
    label : str
        EPC label to reach (e.g. ``"C"``).
    deadline_year : int
        ``deed_year + deadline_years`` (5 years).

    Raises
    ------
    InputError
        When the deed year lies before the first rule (2023) or after ``max_deed_year``, or the
        typology is not residential.

    Examples
    --------
    >>> obligation_label(2036, "terraced")
    ('B', 2041)
    >>> obligation_label(2036, "apartment_building")
    ('C', 2041)
    """
    ob = (renovation or load_renovation_params()).obligation
    year = int(deed_year)
    first = ob.rules[0].from_deed_year
    if year < first or year > ob.max_deed_year:
        raise InputError(
            f"deed year {deed_year} lies outside the renovation obligation ({first}-"
            f"{ob.max_deed_year}): purchases before {first} carry no obligation to reach a label."
        )
    if typology == "apartment_building":
        apartment = True
    elif typology in ("detached", "semi_detached", "terraced"):
        apartment = False
    else:
        raise InputError(
            f"typology {typology!r} has no residential renovation obligation; give one of "
            "detached, semi_detached, terraced, apartment_building."
        )
    rule = [r for r in ob.rules if r.from_deed_year <= year][-1]
    return (rule.label_apartment if apartment else rule.label_house), year + ob.deadline_years


def obligation_labels(
    deed_year: Any, typology: Any, *, renovation: RenovationParams | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`obligation_label` for many dwellings.

    Parameters
    ----------
    deed_year : array-like of float or int, shape (n,)
        Deed years; NaN (or <NA>) where unknown.
    typology : array-like of str, shape (n,)
        Typologies.

    Returns
    -------
    labels : ndarray of object, shape (n,)
        Label to reach, ``""`` where no obligation applies (no deed year, a deed before the
        first rule, a non-residential building).
    deadline_year : ndarray of int64, shape (n,)
        Deadline, -1 where no obligation applies.
    """
    ob = (renovation or load_renovation_params()).obligation
    years = pd.to_numeric(pd.Series(np.asarray(deed_year, dtype=object).ravel()),
                          errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    typ = np.asarray(typology, dtype=object).astype(str)
    starts = np.array([r.from_deed_year for r in ob.rules], dtype=np.float64)
    house = np.array([r.label_house for r in ob.rules], dtype=object)
    flat = np.array([r.label_apartment for r in ob.rules], dtype=object)
    ok = np.isfinite(years) & (years >= starts[0]) & (years <= ob.max_deed_year)
    residential = np.isin(typ, ["detached", "semi_detached", "terraced", "apartment_building"])
    ok &= residential
    idx = np.clip(np.searchsorted(starts, np.where(ok, years, starts[0]), side="right") - 1,
                  0, len(starts) - 1)
    labels = np.where(typ == "apartment_building", flat[idx], house[idx])
    labels = np.where(ok, labels, "").astype(object)
    deadline = np.where(ok, np.where(ok, years, 0) + ob.deadline_years, -1).astype(np.int64)
    return labels, deadline


def premium_for(
    measure: str,
    income_category: Any,
    quantity: Any,
    invoice_eur: Any,
    *,
    premiums: Premiums | None = None,
    on: dt.date | None = None,
    replaces_electric: Any = False,
) -> np.ndarray:
    """Premium for one measure, capped per income category (vectorised).

    ``min(amount_per_unit[c] * quantity, cap_share[c] * invoice, max_eur[c])``, 0 where the
    quantity or the invoice is 0; ``cap_share`` is the rule's
    ``cap_share_frac_replacing_electric`` where ``replaces_electric`` (and the rule has one).

    Parameters
    ----------
    measure : str
        Measure name of the catalogue (e.g. ``"roof_insulation"``).
    income_category : int or array-like of int, shape (n,)
        Mijn VerbouwPremie category 1-4 (1 = highest incomes, 4 = lowest; see
        ``premiums.toml [income_categories]``).
    quantity : float or array-like, shape (n,)
        Units the premium counts, in the rule's ``unit``: m2 of insulated element or window,
        1 per installation, kWp.
    invoice_eur : float or array-like, shape (n,)
        Invoice incl. VAT [EUR].
    premiums : Premiums, optional
        The packaged ``premiums.toml`` when None.
    on : datetime.date, optional
        Date whose scheme applies; the latest scheme when None.
    replaces_electric : bool or array-like of bool, shape (n,)
        The works fully replace electric resistance heating (Mijn VerbouwPremie pays heat pumps
        up to 50 % of the invoice then, from 1 July 2025).

    Returns
    -------
    numpy.ndarray of float64, shape (n,) (0-d for scalar inputs)
        Premium [EUR].

    Raises
    ------
    InputError
        When the measure has no premium rule, a category is not 1-4, or a quantity or invoice
        is negative or not finite.

    Examples
    --------
    >>> float(premium_for("roof_insulation", 1, 100.0, 6500.0))
    800.0
    """
    scheme = (premiums or load_premiums()).scheme(on)
    if measure not in scheme.measures:
        raise InputError(
            f"the premium scheme {scheme.name!r} ({scheme.valid_from}) has no rule for measure "
            f"{measure!r}; it has {sorted(scheme.measures)}. Add it to premiums.toml."
        )
    rule = scheme.measures[measure]
    cat = np.asarray(income_category)
    qty = np.asarray(quantity, dtype=np.float64)
    inv = np.asarray(invoice_eur, dtype=np.float64)
    _check_premium_inputs(measure, cat, qty, inv)
    return _rule_premium(rule, cat, qty, inv, replaces_electric)


def _check_premium_inputs(what: str, cat: np.ndarray, qty: np.ndarray, inv: np.ndarray) -> None:
    if not np.issubdtype(cat.dtype, np.number) or np.any(~np.isin(cat, [1, 2, 3, 4])):
        bad = np.unique(cat[~np.isin(cat, [1, 2, 3, 4])])[:5].tolist() if cat.size else []
        raise InputError(f"income categories must be 1, 2, 3 or 4; got {bad}.")
    for name, arr in (("quantity", qty), ("invoice_eur", inv)):
        if np.any(~np.isfinite(arr)) or np.any(arr < 0):
            raise InputError(f"{name} must be finite and >= 0 for the premium of {what!r}.")


def _rule_premium(rule: PremiumRule, cat: np.ndarray, qty: np.ndarray, inv: np.ndarray,
                  replaces_electric: Any = False) -> np.ndarray:
    """``min(amount[c] * qty, cap[c] * invoice, max_eur[c])`` for checked inputs."""
    c = cat.astype(np.int64) - 1
    amount = np.asarray(rule.amount_eur_per_unit)[c] * qty
    share = np.asarray(rule.cap_share_frac)[c]
    if rule.cap_share_frac_replacing_electric is not None:
        share = np.where(np.asarray(replaces_electric, dtype=bool),
                         np.asarray(rule.cap_share_frac_replacing_electric)[c], share)
    out = np.minimum(amount, share * inv)
    if rule.max_eur is not None:
        out = np.minimum(out, np.asarray(rule.max_eur)[c])
    return np.asarray(out, dtype=np.float64)


def municipal_premium_for(
    measure: str,
    income_category: Any,
    quantity: Any,
    invoice_eur: Any,
    regional_premium_eur: Any,
    municipal: MunicipalPremiums,
) -> np.ndarray:
    """A municipality's top-up premium for one measure, on top of the regional premium.

    ``min(amount[c] * quantity, cap_share[c] * invoice, max_eur[c])`` of the municipality's
    rule, then lowered so that regional + municipal never exceed ``max_total_share_frac`` of
    the invoice (and never below 0). 0 where the municipality has no rule for ``measure``.

    Parameters
    ----------
    measure : str
        Catalogue measure, or the premium rule it falls under (``hr_glazing``).
    income_category, quantity, invoice_eur
        As :func:`premium_for`.
    regional_premium_eur : float or array-like, shape (n,)
        The Mijn VerbouwPremie of the same measure [EUR].
    municipal : MunicipalPremiums
        The municipality's file (:func:`load_municipal_premiums`).

    Returns
    -------
    numpy.ndarray of float64, shape (n,) (0-d for scalar inputs)
        Municipal premium [EUR].

    Examples
    --------
    >>> from wijkreno.params.reader import PARAMS_DIR
    >>> gent = load_municipal_premiums(PARAMS_DIR / MUNICIPAL_EXAMPLE_FILE)
    >>> float(municipal_premium_for("roof_insulation", 2, 100.0, 6500.0, 800.0, gent))
    500.0
    """
    cat = np.asarray(income_category)
    qty = np.asarray(quantity, dtype=np.float64)
    inv = np.asarray(invoice_eur, dtype=np.float64)
    regional = np.asarray(regional_premium_eur, dtype=np.float64)
    _check_premium_inputs(measure, cat, qty, inv)
    rule = municipal.measures.get(measure)
    if rule is None:
        return np.zeros(np.broadcast(cat, qty, inv, regional).shape)
    out = _rule_premium(rule, cat, qty, inv)
    room = np.maximum(municipal.max_total_share_frac.value * inv - regional, 0.0)
    return np.asarray(np.minimum(out, room), dtype=np.float64)



# ---------------------------------------------------------------------------------------------
# the money figures of a price year


COST_FIELDS: tuple[str, ...] = ("unit_cost_eur", "fixed_cost_eur", "unit_cost_on_ground_eur",
                                 "emitter_unit_cost_eur")
"""The cost fields of a catalogue measure: each is indexed from its own date to the price year."""


def index_catalogue(catalogue: Catalogue, index: CostIndex, price_year: int) -> Catalogue:
    """The catalogue with every cost indexed from its source's year to ``price_year``.

    Each cost of :data:`COST_FIELDS` is quoted at its own date (``measures.toml``: a Check je
    huis figure of 2020, a Livios price of 2023, an estimate of 2026); it becomes
    ``value * index.factor(year of its date, price_year)`` (``price_sets.toml
    [construction_cost_index]``: the ABEX level at 1 July of each year, the last published
    point for a year after the series). The source says so. Premiums are not touched: each
    year's scheme sets them.

    Parameters
    ----------
    catalogue : Catalogue
        Costs at their own dates (:func:`load_catalogue`).
    index : CostIndex
        The construction-cost index.
    price_year : int
        The year to price in.

    Returns
    -------
    Catalogue
        A new catalogue (``price_year`` set); quantities, lifetimes and effects unchanged;
        ``catalogue`` itself when it is already indexed to ``price_year`` (a cost keeps its
        source's date, so indexing it again would count the index twice).

    Raises
    ------
    InputError
        When ``catalogue`` is already indexed to another year.
    """
    if catalogue.price_year is not None:
        if catalogue.price_year == int(price_year):
            return catalogue
        raise InputError(
            f"the measure catalogue is already indexed to {catalogue.price_year}, not to "
            f"{price_year}; index the file's catalogue (load_catalogue()) to {price_year}, or "
            f"use money_params({price_year}).catalogue."
        )
    measures = {}
    for name, m in catalogue.measures.items():
        update = {}
        for field_name in COST_FIELDS:
            v = getattr(m, field_name)
            if v is None:
                continue
            update[field_name] = index.indexed(v, price_year)
        measures[name] = m.model_copy(update=update)
    return catalogue.model_copy(update={"measures": measures, "price_year": int(price_year)})


@dataclass(frozen=True)
class MoneyParams:
    """The money figures of one price year (``price_sets.toml``), ready for a run.

    Attributes
    ----------
    price_year : int
        The year whose set applies; costs are quoted in this year.
    premiums : Premiums
        Only the Mijn VerbouwPremie scheme valid on the year's ``premium_date``.
    system_params : SystemParams
        The energy-system parameters with the year's energy prices and fixed fees.
    cost_escalation_frac : float
        Real yearly rise of construction costs [-/yr] (ABEX over CPI).
    sources : dict
        Where each figure of the year comes from (``prices.<carrier>``, ``premium_scheme``,
        ``cost_escalation``, ``cost_index``: the line a coach sees).
    catalogue : Catalogue
        The measure catalogue with every cost indexed to the price year
        (:func:`index_catalogue`).
    cost_index : CostIndex
        The construction-cost index used.
    """

    price_year: int
    premiums: Premiums
    system_params: SystemParams
    cost_escalation_frac: float
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    catalogue: Catalogue | None = field(default=None, compare=False)
    cost_index: CostIndex | None = field(default=None, compare=False)

    def index_factor(self, value: Sourced) -> float:
        """Price-year cost per EUR of ``value`` quoted at its own date [-] (1 without an
        index)."""
        if self.cost_index is None:
            return 1.0
        return float(self.cost_index.factor(year_of(value), self.price_year))


def money_params(
    price_year: int | None = None,
    *,
    premiums: Premiums | None = None,
    system_params: SystemParams | None = None,
    price_sets: PriceSets | None = None,
    catalogue: Catalogue | None = None,
    today: dt.date | None = None,
) -> MoneyParams:
    """Premium scheme, energy prices, indexed costs and cost escalation of a price year.

    Parameters
    ----------
    price_year : int, optional
        A year of ``price_sets.toml``; the current year's set when None (the latest earlier
        set when the current year has none).
    premiums, system_params : optional
        The premium tables and energy-system parameters to start from (the packaged files
        when None); the year's scheme is selected from ``premiums`` and the year's prices
        replace those of ``system_params``.
    price_sets : PriceSets, optional
        The packaged ``price_sets.toml`` when None.
    catalogue : Catalogue, optional
        The measure catalogue to index to the price year (the packaged one when None); one
        already indexed to the price year is used as is.
    today : datetime.date, optional
        "Now", for the default year (tests).

    Returns
    -------
    MoneyParams

    Raises
    ------
    InputError
        When the year has no set, no premium scheme is valid on its premium date, or
        ``catalogue`` is indexed to another year.
    """
    from wijkreno.simulate.params import default_system_params

    ps = price_sets or load_price_sets()
    year = ps.resolve_year(price_year, today=today)
    chosen = ps.years[year]
    prem = (premiums or load_premiums()).on(chosen.premium_date)
    sp = system_params or default_system_params()
    prices, fees = ps.carried(year)
    sources = {f"prices.{c}": v.source for c, v in prices.items()}
    sources.update({f"fixed_fee.{c}": v.source for c, v in fees.items()})
    for attr, table in (("prices_eur_per_kwh", prices), ("fixed_fee_eur_per_year", fees)):
        if not table:
            continue
        old = getattr(sp, attr)
        new = old.model_copy(update={
            **{c: float(v.value) for c, v in table.items()},
            "placeholder_keys": [c for c in old.placeholder_keys if c not in table],
            "source": f"price set {year} (price_sets.toml) for {sorted(table)}; else {old.source}",
        })
        sp = sp.model_copy(update={attr: new})
    scheme = prem.scheme()
    sources["premium_scheme"] = f"{scheme.name} (valid from {scheme.valid_from}): {scheme.source}"
    index = ps.construction_cost_index
    g = index.real_escalation_frac()
    sources["cost_escalation"] = (
        f"ABEX {index.abex_from.value:g} ({index.abex_from.date}) to {index.abex_to.value:g} "
        f"({index.abex_to.date}) over CPI {index.cpi_from.value:g} to {index.cpi_to.value:g}: "
        f"{g:.4f}/yr real (price_sets.toml [construction_cost_index])")
    raw = catalogue or load_catalogue()
    cost_years = tuple(year_of(getattr(m, f)) for m in raw.measures.values()
                       for f in COST_FIELDS if getattr(m, f) is not None)
    sources["cost_index"] = index.describe(year, cost_years)
    if index.beyond(year):
        log.info("price year %d lies after the last %s point (%s): its level is used", year,
                 index.name, index.last.date)
    return MoneyParams(price_year=year, premiums=prem, system_params=sp,
                       cost_escalation_frac=g, sources=sources,
                       catalogue=index_catalogue(raw, index, year), cost_index=index)
