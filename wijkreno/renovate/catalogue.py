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
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.base import Sourced
from wijkreno.params.models.renovation import (
    MEASURES_FILE,
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
    load_premiums,
    load_renovation_params,
)
from wijkreno.params.names import EPC_LABELS, TABULA_PERIODS

__all__ = [
    "EPC_LABELS", "MEASURES_FILE", "N_INCOME_CATEGORIES", "PREMIUMS_FILE", "QUANTITIES",
    "RENOVATION_FILE", "TABULA_PERIODS", "AlreadyGood", "Applicability", "Burenpremie",
    "CavityRule", "Catalogue", "Economics", "ElementOverride", "HeatPumpCondition",
    "HeatingRule", "IncomeCategories", "InsulationEra", "Measure", "Obligation",
    "ObligationRule", "OverrideRules", "PremiumRule", "PremiumScheme", "Premiums", "PvRule",
    "RenovationParams", "RoofRule", "Sourced", "Target", "load_catalogue", "load_premiums",
    "load_renovation_params", "obligation_label", "obligation_labels", "premium_for",
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
) -> np.ndarray:
    """Premium for one measure, capped per income category (vectorised).

    ``min(amount_per_unit[c] * quantity, cap_share[c] * invoice, max_eur[c])``, 0 where the
    quantity or the invoice is 0.

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
    if not np.issubdtype(cat.dtype, np.number) or np.any(~np.isin(cat, [1, 2, 3, 4])):
        bad = np.unique(cat[~np.isin(cat, [1, 2, 3, 4])])[:5].tolist() if cat.size else []
        raise InputError(f"income categories must be 1, 2, 3 or 4; got {bad}.")
    for name, arr in (("quantity", qty), ("invoice_eur", inv)):
        if np.any(~np.isfinite(arr)) or np.any(arr < 0):
            raise InputError(f"{name} must be finite and >= 0 for the premium of {measure!r}.")
    c = cat.astype(np.int64) - 1
    amount = np.asarray(rule.amount_eur_per_unit)[c] * qty
    cap = np.asarray(rule.cap_share_frac)[c] * inv
    out = np.minimum(amount, cap)
    if rule.max_eur is not None:
        out = np.minimum(out, np.asarray(rule.max_eur)[c])
    return np.asarray(out, dtype=np.float64)
