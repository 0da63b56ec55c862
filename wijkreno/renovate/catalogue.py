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

A value marked ``placeholder = true`` is an order of magnitude, not a published figure; its
``replace_with`` says what should replace it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wijkreno.errors import InputError
from wijkreno.io.params import read_param_toml
from wijkreno.renovate.options import DIMENSIONS
from wijkreno.twin.schema import DWELLINGS, HEATING_SYSTEMS, TYPOLOGIES

PARAMS_PACKAGE = "wijkreno.params"
MEASURES_FILE = "measures.toml"
PREMIUMS_FILE = "premiums.toml"
RENOVATION_FILE = "renovation.toml"

EPC_LABELS: tuple[str, ...] = ("A+", "A", "B", "C", "D", "E", "F")
"""Flemish residential EPC labels from best to worst."""

N_INCOME_CATEGORIES = 4
"""Mijn VerbouwPremie income categories since 2025 (1 = highest incomes, 4 = lowest)."""

TABULA_PERIODS: tuple[str, ...] = DWELLINGS["tabula_period"].categories

QUANTITIES: tuple[str, ...] = (
    "roof_area_m2", "attic_floor_area_m2", "wall_area_m2", "ground_floor_area_m2",
    "window_area_m2", "heated_floor_area_m2", "design_load_kw", "pv_kwp", "installation",
)
"""Dwelling quantities a measure's unit cost can apply to (see ``measures.toml``)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(_Frozen):
    """A number with its unit, source and date; ``placeholder`` says it is not a published value.

    Attributes
    ----------
    value : float
        The number (``inf`` allowed where the file says so).
    unit : str
        Its unit, for the reader.
    source : str
        Where it comes from (non-empty).
    date : datetime.date
        Date of the source or of the estimate.
    placeholder : bool
        True for an order of magnitude that is not a published figure.
    replace_with : str or None
        What would replace a placeholder (required when ``placeholder``).
    """

    value: float
    unit: str = ""
    source: str = Field(min_length=1)
    date: dt.date
    placeholder: bool = False
    replace_with: str | None = None

    @model_validator(mode="after")
    def _placeholder_says_what(self) -> Sourced:
        if self.placeholder and not (self.replace_with or "").strip():
            raise ValueError("a placeholder must say what would replace it (replace_with)")
        if np.isnan(self.value):
            raise ValueError("value must not be NaN")
        return self


# ---------------------------------------------------------------------------------------------
# measures.toml


class Measure(_Frozen):
    """One renovation measure of the catalogue.

    ``investment = fixed_cost_eur + unit_cost_eur * quantity`` [EUR incl. VAT], with ``quantity``
    one of :data:`QUANTITIES`. Effect fields are required per dimension (see
    :meth:`_effects_present`).
    """

    dimension: Literal[
        "roof", "wall", "floor", "glazing", "ventilation", "heating", "pv", "solar_water_heater"
    ]
    label_nl: str = Field(min_length=1)
    quantity: Literal[
        "roof_area_m2", "attic_floor_area_m2", "wall_area_m2", "ground_floor_area_m2",
        "window_area_m2", "heated_floor_area_m2", "design_load_kw", "pv_kwp", "installation",
    ]
    unit_cost_eur: Sourced
    fixed_cost_eur: Sourced
    lifetime_years: Sourced
    # effects (which ones depends on the dimension)
    r_added_m2k_per_w: Sourced | None = None
    unit_cost_on_ground_eur: Sourced | None = None
    u_after_w_per_m2k: Sourced | None = None
    g_after_frac: Sourced | None = None
    infiltration_after_ach: Sourced | None = None
    heat_recovery_frac: Sourced | None = None
    heating_system: str | None = None
    min_size_kw: Sourced | None = None
    m2_per_kwp: Sourced | None = None
    yield_kwh_per_kwp: Sourced | None = None
    dhw_solar_frac: Sourced | None = None
    collector_area_m2: Sourced | None = None

    @model_validator(mode="after")
    def _effects_present(self) -> Measure:
        needed = {
            "roof": ("r_added_m2k_per_w",),
            "wall": ("r_added_m2k_per_w",),
            "floor": ("r_added_m2k_per_w",),
            "glazing": ("u_after_w_per_m2k", "g_after_frac"),
            "ventilation": ("infiltration_after_ach", "heat_recovery_frac"),
            "heating": ("heating_system", "min_size_kw"),
            "pv": ("m2_per_kwp", "yield_kwh_per_kwp"),
            "solar_water_heater": ("dhw_solar_frac", "collector_area_m2"),
        }[self.dimension]
        missing = [f for f in needed if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.dimension} measure needs {missing}")
        if self.heating_system is not None and self.heating_system not in HEATING_SYSTEMS:
            raise ValueError(
                f"heating_system {self.heating_system!r} is not one of {list(HEATING_SYSTEMS)}"
            )
        for name in ("unit_cost_eur", "fixed_cost_eur", "unit_cost_on_ground_eur"):
            v = getattr(self, name)
            if v is not None and not (0.0 <= v.value < np.inf):
                raise ValueError(f"{name} must be a finite cost >= 0, got {v.value}")
        if not self.lifetime_years.value > 0:
            raise ValueError("lifetime_years must be > 0")
        for name in ("g_after_frac", "heat_recovery_frac", "dhw_solar_frac"):
            v = getattr(self, name)
            if v is not None and not 0.0 <= v.value <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {v.value}")
        return self


class Catalogue(_Frozen):
    """The measure catalogue (``measures.toml``).

    Attributes
    ----------
    measures : dict of str to Measure
        In file order; within a dimension that order is the option order of
        :class:`~wijkreno.renovate.options.MeasureOptions` (after ``keep``).
    """

    version: str
    date: dt.date
    vat_rate_frac: Sourced
    measures: dict[str, Measure]

    @model_validator(mode="after")
    def _every_dimension(self) -> Catalogue:
        have = {m.dimension for m in self.measures.values()}
        missing = [d for d in DIMENSIONS if d not in have]
        if missing:
            raise ValueError(f"the catalogue has no measure for the dimensions {missing}")
        if "keep" in self.measures:
            raise ValueError("'keep' is the implicit option 0 of every dimension, not a measure")
        return self

    def option_names(self) -> dict[str, tuple[str, ...]]:
        """Per dimension, ``("keep", <measures of that dimension in file order>...)``."""
        return {
            d: ("keep",) + tuple(n for n, m in self.measures.items() if m.dimension == d)
            for d in DIMENSIONS
        }

    def sources(self) -> dict[str, str]:
        """``{"<measure>.<field>": source}`` for every sourced value (for reports)."""
        out: dict[str, str] = {"vat_rate_frac": self.vat_rate_frac.source}
        for name, m in self.measures.items():
            for field, v in m:
                if isinstance(v, Sourced):
                    out[f"{name}.{field}"] = v.source
        return out


# ---------------------------------------------------------------------------------------------
# premiums.toml


def _four(values: tuple[float, ...], what: str, lo: float, hi: float) -> tuple[float, ...]:
    if len(values) != N_INCOME_CATEGORIES:
        raise ValueError(f"{what} needs {N_INCOME_CATEGORIES} values (categories 1-4)")
    if not all(lo <= v <= hi for v in values):
        raise ValueError(f"{what} values must lie in [{lo}, {hi}], got {list(values)}")
    return values


class PremiumRule(_Frozen):
    """Premium of one measure: per income category 1-4, an amount per unit and caps.

    ``premium = min(amount_eur_per_unit[c] * quantity, cap_share_frac[c] * invoice, max_eur[c])``
    """

    unit: Literal["m2", "installation", "kwp"]
    amount_eur_per_unit: tuple[float, ...]
    cap_share_frac: tuple[float, ...]
    max_eur: tuple[float, ...] | None = None
    source: str = Field(min_length=1)
    date: dt.date
    placeholder: bool = False
    replace_with: str | None = None

    @field_validator("amount_eur_per_unit")
    @classmethod
    def _amounts(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        return _four(v, "amount_eur_per_unit", 0.0, np.inf)

    @field_validator("cap_share_frac")
    @classmethod
    def _caps(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        return _four(v, "cap_share_frac", 0.0, 1.0)

    @field_validator("max_eur")
    @classmethod
    def _max(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        return None if v is None else _four(v, "max_eur", 0.0, np.inf)

    @model_validator(mode="after")
    def _placeholder_says_what(self) -> PremiumRule:
        if self.placeholder and not (self.replace_with or "").strip():
            raise ValueError("a placeholder must say what would replace it (replace_with)")
        return self


class PremiumScheme(_Frozen):
    """One dated version of the premium table."""

    name: str
    valid_from: dt.date
    source: str = Field(min_length=1)
    measures: dict[str, PremiumRule]


class IncomeCategories(_Frozen):
    """Meaning of the income categories 1-4."""

    source: str = Field(min_length=1)
    date: dt.date
    labels_nl: tuple[str, ...]
    lowest_income_category: int = Field(ge=1, le=N_INCOME_CATEGORIES)

    @field_validator("labels_nl")
    @classmethod
    def _four_labels(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(v) != N_INCOME_CATEGORIES:
            raise ValueError(f"labels_nl needs {N_INCOME_CATEGORIES} labels")
        return v


class Burenpremie(_Frozen):
    """Renovation-guidance premium for collective projects (issue 5; data only)."""

    amount_eur_per_dwelling: float = Field(ge=0)
    min_dwellings: int = Field(ge=1)
    paid_to: str
    scope: str
    source: str = Field(min_length=1)
    date: dt.date


class Premiums(_Frozen):
    """The premium tables (``premiums.toml``)."""

    version: str
    income_categories: IncomeCategories
    schemes: tuple[PremiumScheme, ...] = Field(min_length=1)
    burenpremie: Burenpremie

    def scheme(self, on: dt.date | None = None) -> PremiumScheme:
        """The scheme valid on ``on`` (latest ``valid_from`` on or before it); latest if None.

        Raises
        ------
        InputError
            When no scheme is valid yet on that date.
        """
        ordered = sorted(self.schemes, key=lambda s: s.valid_from)
        if on is None:
            return ordered[-1]
        valid = [s for s in ordered if s.valid_from <= on]
        if not valid:
            raise InputError(
                f"no premium scheme is valid on {on}: the earliest starts "
                f"{ordered[0].valid_from}. Give a later date or add an older [[schemes]] table."
            )
        return valid[-1]


# ---------------------------------------------------------------------------------------------
# renovation.toml


class ObligationRule(_Frozen):
    from_deed_year: int
    label_house: str
    label_apartment: str

    @field_validator("label_house", "label_apartment")
    @classmethod
    def _label(cls, v: str) -> str:
        if v not in EPC_LABELS:
            raise ValueError(f"label {v!r} is not one of {list(EPC_LABELS)}")
        return v


class Obligation(_Frozen):
    """Renovation obligation after purchase: label to reach within ``deadline_years``."""

    deadline_years: int = Field(ge=1)
    source: str = Field(min_length=1)
    date: dt.date
    max_deed_year: int
    rules: tuple[ObligationRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _increasing(self) -> Obligation:
        years = [r.from_deed_year for r in self.rules]
        if years != sorted(set(years)):
            raise ValueError(f"rules must have strictly increasing from_deed_year, got {years}")
        if self.max_deed_year < years[-1]:
            raise ValueError("max_deed_year lies before the last rule")
        return self


class Target(_Frozen):
    label: str
    year: int
    source: str = Field(min_length=1)
    date: dt.date
    max_epc_score_kwh_per_m2: Sourced

    @field_validator("label")
    @classmethod
    def _label(cls, v: str) -> str:
        if v not in EPC_LABELS:
            raise ValueError(f"label {v!r} is not one of {list(EPC_LABELS)}")
        return v


class Economics(_Frozen):
    horizon_years: Sourced
    discount_rate_frac: Sourced
    energy_price_escalation_frac: Sourced
    pv_self_consumption_frac: Sourced
    pv_injection_tariff_eur_per_kwh: Sourced
    default_income_category: Sourced

    @model_validator(mode="after")
    def _ranges(self) -> Economics:
        c = self.default_income_category.value
        if c != int(c) or not 1 <= c <= N_INCOME_CATEGORIES:
            raise ValueError(f"default_income_category must be 1-4, got {c}")
        if not 0 <= self.pv_self_consumption_frac.value <= 1:
            raise ValueError("pv_self_consumption_frac must lie in [0, 1]")
        if not self.horizon_years.value > 0:
            raise ValueError("horizon_years must be > 0")
        return self


class AlreadyGood(_Frozen):
    """U-value at or below which an element is 'already good' [W m-2 K-1]."""

    roof: Sourced
    wall: Sourced
    floor: Sourced
    window: Sourced


class CavityRule(_Frozen):
    periods: tuple[str, ...]
    typologies: tuple[str, ...]
    source: str = Field(min_length=1)
    date: dt.date
    max_u_filled: Sourced

    @model_validator(mode="after")
    def _known(self) -> CavityRule:
        bad = [p for p in self.periods if p not in TABULA_PERIODS]
        bad += [t for t in self.typologies if t not in TYPOLOGIES]
        if bad:
            raise ValueError(f"unknown periods/typologies {bad}")
        return self


class RoofRule(_Frozen):
    pitched_min_ratio: Sourced


class HeatPumpCondition(_Frozen):
    max_design_load_w_per_m2: Sourced
    emitter_temperature_degc: Sourced


class HeatingRule(_Frozen):
    design_outdoor_temperature_degc: Sourced
    heat_pump_systems: tuple[str, ...]
    options: dict[str, HeatPumpCondition]

    @model_validator(mode="after")
    def _known(self) -> HeatingRule:
        bad = [s for s in (*self.heat_pump_systems, *self.options) if s not in HEATING_SYSTEMS]
        if bad:
            raise ValueError(f"unknown heating systems {bad}")
        return self


class PvRule(_Frozen):
    suitable_roof_frac_pitched: Sourced
    suitable_roof_frac_flat: Sourced
    min_kwp: Sourced
    max_kwp: Sourced


class Applicability(_Frozen):
    already_good_u_w_per_m2k: AlreadyGood
    cavity: CavityRule
    roof: RoofRule
    heating: HeatingRule
    pv: PvRule


class InsulationEra(_Frozen):
    """Insulation works of an era (from ``from_year``): an R added, a U and g, or a measure."""

    from_year: int
    r_added_m2k_per_w: float | None = Field(default=None, gt=0)
    u_w_per_m2k: float | None = Field(default=None, gt=0)
    g_frac: float | None = Field(default=None, ge=0, le=1)
    measure: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> InsulationEra:
        kinds = [self.r_added_m2k_per_w is not None, self.u_w_per_m2k is not None,
                 self.measure is not None]
        if sum(kinds) != 1:
            raise ValueError("an era gives exactly one of r_added_m2k_per_w, u_w_per_m2k "
                             "(with g_frac) or measure")
        if (self.u_w_per_m2k is None) != (self.g_frac is None):
            raise ValueError("u_w_per_m2k and g_frac go together")
        return self


class ElementOverride(_Frozen):
    """How a coach's 'insulated in year Y' sets an element's U-value (see renovation.toml)."""

    source: str = Field(min_length=1)
    date: dt.date
    placeholder: bool = False
    replace_with: str | None = None
    eras: tuple[InsulationEra, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ElementOverride:
        years = [e.from_year for e in self.eras]
        if years != sorted(set(years)):
            raise ValueError(f"eras must have strictly increasing from_year, got {years}")
        if self.placeholder and not (self.replace_with or "").strip():
            raise ValueError("a placeholder must say what would replace it (replace_with)")
        return self


class OverrideRules(_Frozen):
    roof: ElementOverride
    wall: ElementOverride
    floor: ElementOverride
    glazing: ElementOverride

    @model_validator(mode="after")
    def _kinds(self) -> OverrideRules:
        for name in ("roof", "wall", "floor"):
            if any(e.u_w_per_m2k is not None for e in getattr(self, name).eras):
                raise ValueError(f"{name} eras give r_added_m2k_per_w or a measure")
        if any(e.r_added_m2k_per_w is not None for e in self.glazing.eras):
            raise ValueError("glazing eras give u_w_per_m2k and g_frac or a measure")
        return self


class RenovationParams(_Frozen):
    """Policy, target, economics, applicability and override rules (``renovation.toml``)."""

    version: str
    date: dt.date
    obligation: Obligation
    target: Target
    economics: Economics
    applicability: Applicability
    overrides: OverrideRules


# ---------------------------------------------------------------------------------------------
# loading


def _read_toml(path: str | Path | None, default: str) -> tuple[dict[str, Any], str]:
    return read_param_toml(path, default)


def _validate(model: type[BaseModel], data: Mapping[str, Any], where: str, default: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            f"the parameter file {where} is not valid:\n{exc}\n"
            f"Start from wijkreno/params/{default} and change only the values."
        ) from None


@lru_cache(maxsize=8)
def _load_cached(model_name: str, path: str | None) -> Any:
    model, default = {
        "catalogue": (Catalogue, MEASURES_FILE),
        "premiums": (Premiums, PREMIUMS_FILE),
        "renovation": (RenovationParams, RENOVATION_FILE),
    }[model_name]
    data, where = _read_toml(path, default)
    return _validate(model, data, where, default)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load the measure catalogue.

    Parameters
    ----------
    path : str, Path or None
        A TOML file laid out as ``wijkreno/params/measures.toml``; None for that file.

    Returns
    -------
    Catalogue

    Raises
    ------
    InputError
        When the file cannot be read, a field is unknown or missing, or a value has no source.
    """
    return _load_cached("catalogue", None if path is None else str(path))


def load_premiums(path: str | Path | None = None) -> Premiums:
    """Load the premium tables (``wijkreno/params/premiums.toml`` when ``path`` is None)."""
    return _load_cached("premiums", None if path is None else str(path))


def load_renovation_params(path: str | Path | None = None) -> RenovationParams:
    """Load the renovation policy and rules (``wijkreno/params/renovation.toml`` when None)."""
    return _load_cached("renovation", None if path is None else str(path))


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
