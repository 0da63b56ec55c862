"""Models of the renovation files: ``measures.toml``, ``premiums.toml``, ``renovation.toml``.

``measures.toml`` → :class:`Catalogue`
    per measure: dimension, cost per unit of the element it touches plus a fixed cost, lifetime
    and what it changes (R added, U and g after, infiltration, heat recovery, heating system,
    PV yield, solar share of hot water).
``premiums.toml`` → :class:`Premiums`
    Mijn VerbouwPremie structure: per measure and income category an amount per unit and a cap
    as share of the invoice, in dated schemes (a scheme lists the rules that changed; the others
    carry over); the burenpremie as data.
``municipal/*.toml`` → :class:`MunicipalPremiums`
    a municipality's top-up premiums on top of Mijn VerbouwPremie (a template and an example).
``renovation.toml`` → :class:`RenovationParams`
    renovation obligation after purchase, the default 2050 target, economics defaults and the
    thresholds of the applicability rules.

In these files every value carries a date, and a value marked ``placeholder = true`` says what
should replace it (``replace_with``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from wijkreno.errors import InputError
from wijkreno.params.base import Frozen, Sourced, require_dated_placeholders
from wijkreno.params.names import (
    DIMENSIONS,
    EPC_LABELS,
    HEATING_SYSTEMS,
    TABULA_PERIODS,
    TYPOLOGIES,
)
from wijkreno.params.reader import load_model

MEASURES_FILE = "measures.toml"
PREMIUMS_FILE = "premiums.toml"
RENOVATION_FILE = "renovation.toml"
MUNICIPAL_TEMPLATE_FILE = "municipal/template.toml"
MUNICIPAL_EXAMPLE_FILE = "municipal/example_gent_2020.toml"

N_INCOME_CATEGORIES = 4
"""Mijn VerbouwPremie income categories since 2025 (1 = highest incomes, 4 = lowest)."""

QUANTITIES: tuple[str, ...] = (
    "roof_area_m2", "attic_floor_area_m2", "wall_area_m2", "ground_floor_area_m2",
    "window_area_m2", "heated_floor_area_m2", "design_load_kw", "pv_kwp", "installation",
)
"""Dwelling quantities a measure's unit cost can apply to (see ``measures.toml``)."""


# ---------------------------------------------------------------------------------------------
# measures.toml


class Measure(Frozen):
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
    # hot water: a measure that replaces the hot-water system (a heat-pump boiler) names the
    # DHW system of wijkreno/params/energy_systems.toml [dhw_systems] it installs; its
    # efficiency (COP) lives there, one number in one place
    dhw_system: str | None = None
    # heating: new low-temperature emitters (floor heating or LT radiators) priced per m2 of
    # heated floor on top of the generator; such an option needs no existing central heating
    emitter_unit_cost_eur: Sourced | None = None
    # the premium rule of another measure of premiums.toml that this measure falls under
    premium_rule: str | None = None

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
            "solar_water_heater": (("dhw_system",) if self.dhw_system is not None
                                   else ("dhw_solar_frac", "collector_area_m2")),
        }[self.dimension]
        missing = [f for f in needed if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.dimension} measure needs {missing}")
        if self.dhw_system is not None and self.dimension != "solar_water_heater":
            raise ValueError("dhw_system belongs to a hot-water measure (dimension "
                             "'solar_water_heater')")
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


class Catalogue(Frozen):
    """The measure catalogue (``measures.toml``).

    Attributes
    ----------
    measures : dict of str to Measure
        In file order; within a dimension that order is the option order of
        :class:`~wijkreno.renovate.options.MeasureOptions` (after ``keep``).
    price_year : int or None
        The year every cost is quoted in (set by
        :func:`wijkreno.renovate.catalogue.index_catalogue`); None: each cost at its own
        source's date, as in ``measures.toml``.
    """

    version: str
    date: dt.date
    vat_rate_frac: Sourced
    measures: dict[str, Measure]
    price_year: int | None = None

    @model_validator(mode="after")
    def _every_dimension(self) -> Catalogue:
        have = {m.dimension for m in self.measures.values()}
        missing = [d for d in DIMENSIONS if d not in have]
        if missing:
            raise ValueError(f"the catalogue has no measure for the dimensions {missing}")
        if "keep" in self.measures:
            raise ValueError("'keep' is the implicit option 0 of every dimension, not a measure")
        require_dated_placeholders(self)
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


PREMIUM_RULE_FIGURES: tuple[str, ...] = (
    "amount_eur_per_unit", "cap_share_frac", "cap_share_frac_replacing_electric", "max_eur",
)
"""The figures of a :class:`PremiumRule` a ``placeholder_keys`` list may name."""


class PremiumRule(Frozen):
    """Premium of one measure: per income category 1-4, an amount per unit and caps.

    ``premium = min(amount_eur_per_unit[c] * quantity, cap * invoice, max_eur[c])`` with
    ``cap = cap_share_frac_replacing_electric[c]`` where the works replace electric resistance
    heating (and that table is given), else ``cap_share_frac[c]``.

    ``placeholder = true`` marks every figure of the rule; ``placeholder_keys`` marks only the
    figures it names (e.g. the amounts, where the caps are published figures).
    """

    unit: Literal["m2", "installation", "kwp"]
    amount_eur_per_unit: tuple[float, ...]
    cap_share_frac: tuple[float, ...]
    cap_share_frac_replacing_electric: tuple[float, ...] | None = None
    max_eur: tuple[float, ...] | None = None
    source: str = Field(min_length=1)
    date: dt.date
    placeholder: bool = False
    placeholder_keys: tuple[str, ...] = ()
    replace_with: str | None = None

    @field_validator("amount_eur_per_unit")
    @classmethod
    def _amounts(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        return _four(v, "amount_eur_per_unit", 0.0, np.inf)

    @field_validator("cap_share_frac")
    @classmethod
    def _caps(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        return _four(v, "cap_share_frac", 0.0, 1.0)

    @field_validator("cap_share_frac_replacing_electric")
    @classmethod
    def _caps_electric(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        return None if v is None else _four(v, "cap_share_frac_replacing_electric", 0.0, 1.0)

    @field_validator("max_eur")
    @classmethod
    def _max(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        return None if v is None else _four(v, "max_eur", 0.0, np.inf)

    @field_validator("placeholder_keys")
    @classmethod
    def _keys(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [k for k in v if k not in PREMIUM_RULE_FIGURES]
        if bad:
            raise ValueError(f"placeholder_keys {bad} are not figures of a rule; use "
                             f"{list(PREMIUM_RULE_FIGURES)}")
        return v

    @model_validator(mode="after")
    def _placeholder_says_what(self) -> PremiumRule:
        marked = self.placeholder or bool(self.placeholder_keys)
        if marked and not (self.replace_with or "").strip():
            raise ValueError("a placeholder must say what would replace it (replace_with)")
        return self

    def max_share_frac(self) -> tuple[float, ...]:
        """The highest share of the invoice this rule can pay, per category [-]."""
        caps = self.cap_share_frac
        if self.cap_share_frac_replacing_electric is not None:
            caps = tuple(max(a, b) for a, b in zip(caps, self.cap_share_frac_replacing_electric,
                                                     strict=True))
        return caps


class PremiumScheme(Frozen):
    """One dated version of the premium table."""

    name: str
    valid_from: dt.date
    source: str = Field(min_length=1)
    measures: dict[str, PremiumRule]


class IncomeCategories(Frozen):
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


class Burenpremie(Frozen):
    """Renovation-guidance premium for collective projects (issue 5; data only)."""

    amount_eur_per_dwelling: float = Field(ge=0)
    min_dwellings: int = Field(ge=1)
    paid_to: str
    scope: str
    source: str = Field(min_length=1)
    date: dt.date


class Premiums(Frozen):
    """The premium tables (``premiums.toml``)."""

    version: str
    income_categories: IncomeCategories
    schemes: tuple[PremiumScheme, ...] = Field(min_length=1)
    burenpremie: Burenpremie

    def scheme(self, on: dt.date | None = None) -> PremiumScheme:
        """The scheme valid on ``on`` (latest ``valid_from`` on or before it); latest if None.

        A scheme lists the rules that changed on its ``valid_from``; every other rule carries
        over from the schemes before it. The returned scheme holds them all (its own rules
        over the older ones).

        Raises
        ------
        InputError
            When no scheme is valid yet on that date.
        """
        ordered = sorted(self.schemes, key=lambda s: s.valid_from)
        valid = ordered if on is None else [s for s in ordered if s.valid_from <= on]
        if not valid:
            raise InputError(
                f"no premium scheme is valid on {on}: the earliest starts "
                f"{ordered[0].valid_from}. Give a later date or add an older [[schemes]] table."
            )
        if len(valid) == 1:
            return valid[0]
        measures: dict[str, PremiumRule] = {}
        for s in valid:
            measures.update(s.measures)
        return valid[-1].model_copy(update={"measures": measures})

    def on(self, date: dt.date) -> Premiums:
        """The same tables with only the scheme valid on ``date`` (what a price year uses)."""
        return self.model_copy(update={"schemes": (self.scheme(date),)})

    def max_share_frac(self, on: dt.date | None = None) -> dict[str, tuple[float, ...]]:
        """Per rule of the scheme valid on ``on``, the highest share of the invoice it pays
        per income category [-] (the caps a premium never exceeds)."""
        return {name: r.max_share_frac() for name, r in self.scheme(on).measures.items()}


# ---------------------------------------------------------------------------------------------
# municipal top-up premiums (a file per municipality, see wijkreno/params/municipal/)


class MunicipalPremiums(Frozen):
    """A municipality's top-up premiums, paid on top of Mijn VerbouwPremie.

    Each rule has the layout of a Mijn VerbouwPremie rule (:class:`PremiumRule`, its own
    amounts per income category and caps); rules are keyed by the catalogue measure or by the
    premium rule it falls under (``hr_glazing`` covers ``hr_glass``). The regional and municipal
    premium of a measure together never exceed ``max_total_share_frac`` of its invoice.
    """

    version: str
    municipality: str = Field(min_length=1)
    nis_code: str | None = None
    valid_from: dt.date
    source: str = Field(min_length=1)
    date: dt.date
    max_total_share_frac: Sourced
    measures: dict[str, PremiumRule] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _total(self) -> MunicipalPremiums:
        if not 0.0 <= self.max_total_share_frac.value <= 1.0:
            raise ValueError("max_total_share_frac must lie in [0, 1]")
        return self


# ---------------------------------------------------------------------------------------------
# renovation.toml


class ObligationRule(Frozen):
    from_deed_year: int
    label_house: str
    label_apartment: str

    @field_validator("label_house", "label_apartment")
    @classmethod
    def _label(cls, v: str) -> str:
        if v not in EPC_LABELS:
            raise ValueError(f"label {v!r} is not one of {list(EPC_LABELS)}")
        return v


class Obligation(Frozen):
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


class Target(Frozen):
    label: str
    year: int
    source: str = Field(min_length=1)
    date: dt.date
    max_epc_score_kwh_per_m2: Sourced
    # the long-term strategy also wants heating without fossil fuels: an end state heated by one
    # of fossil_heating_systems never reaches it. Required: a file without the list would
    # silently accept gas boilers as fossil-free.
    fossil_free: bool = False
    fossil_heating_systems: tuple[str, ...]
    replace_heating_systems: tuple[str, ...] = ()

    @field_validator("fossil_heating_systems", "replace_heating_systems")
    @classmethod
    def _systems(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [s for s in v if s not in HEATING_SYSTEMS]
        if bad:
            raise ValueError(f"unknown heating systems {bad}")
        return v

    @field_validator("label")
    @classmethod
    def _label(cls, v: str) -> str:
        if v not in EPC_LABELS:
            raise ValueError(f"label {v!r} is not one of {list(EPC_LABELS)}")
        return v


class Economics(Frozen):
    horizon_years: Sourced
    discount_rate_frac: Sourced
    energy_price_escalation_frac: Sourced
    pv_self_consumption_frac: Sourced
    pv_injection_tariff_eur_per_kwh: Sourced
    default_income_category: Sourced
    # like-for-like replacement of the existing fossil boiler at the end of its life: a cost of
    # keeping it, not of the heat-pump decision
    boiler_replacement_eur: Sourced | None = None
    boiler_lifetime_years: Sourced | None = None
    boiler_remaining_life_frac: Sourced | None = None

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


class AlreadyGood(Frozen):
    """U-value at or below which an element is 'already good' [W m-2 K-1]."""

    roof: Sourced
    wall: Sourced
    floor: Sourced
    window: Sourced


class CavityRule(Frozen):
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


class RoofRule(Frozen):
    pitched_min_ratio: Sourced


class HeatPumpCondition(Frozen):
    max_design_load_w_per_m2: Sourced
    emitter_temperature_degc: Sourced


class HeatingRule(Frozen):
    design_outdoor_temperature_degc: Sourced
    heat_pump_systems: tuple[str, ...]
    options: dict[str, HeatPumpCondition]
    # heating systems offered only where the household asks (column hybrid_requested)
    request_only_systems: tuple[str, ...] = ()
    # heating systems a trajectory may pass through on its way to a full heat pump (a hybrid
    # as 'tussenstap'), never an end state under the fossil-free target
    intermediate_systems: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _known(self) -> HeatingRule:
        # options are keyed by heating system or by catalogue measure name (checked against the
        # catalogue by wijkreno.renovate.applicability.measure_options)
        bad = [s for s in (*self.heat_pump_systems, *self.request_only_systems,
                           *self.intermediate_systems) if s not in HEATING_SYSTEMS]
        if bad:
            raise ValueError(f"unknown heating systems {bad}")
        return self


class PvRule(Frozen):
    suitable_roof_frac_pitched: Sourced
    suitable_roof_frac_flat: Sourced
    min_kwp: Sourced
    max_kwp: Sourced


class Applicability(Frozen):
    already_good_u_w_per_m2k: AlreadyGood
    cavity: CavityRule
    roof: RoofRule
    heating: HeatingRule
    pv: PvRule


class InsulationEra(Frozen):
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


class ElementOverride(Frozen):
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


class OverrideRules(Frozen):
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


class TrajectoryRules(Frozen):
    """How a step-by-step trajectory is timed where timing decides a step (the tussenstap)."""

    # years from the first step to the heat-pump step of a trajectory whose heat pump needs
    # the envelope works first: a boiler worn out before then is replaced in between
    envelope_phase_years: Sourced

    @model_validator(mode="after")
    def _positive(self) -> TrajectoryRules:
        if not 0 < self.envelope_phase_years.value < np.inf:
            raise ValueError("envelope_phase_years must be a finite number of years > 0")
        return self


class RenovationParams(Frozen):
    """Policy, target, economics, applicability and override rules (``renovation.toml``)."""

    version: str
    date: dt.date
    obligation: Obligation
    target: Target
    economics: Economics
    applicability: Applicability
    overrides: OverrideRules
    trajectory: TrajectoryRules | None = None

    @model_validator(mode="after")
    def _dated_placeholders(self) -> RenovationParams:
        require_dated_placeholders(self)
        return self


# ---------------------------------------------------------------------------------------------
# loading (cached on the file's path and modification time)


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
    return load_model(Catalogue, MEASURES_FILE, path, what="measure catalogue")


def load_premiums(path: str | Path | None = None) -> Premiums:
    """Load the premium tables (``wijkreno/params/premiums.toml`` when ``path`` is None)."""
    return load_model(Premiums, PREMIUMS_FILE, path, what="premium file")


def load_municipal_premiums(path: str | Path | None = None) -> MunicipalPremiums:
    """Load a municipality's top-up premiums (the packaged empty template when None).

    Parameters
    ----------
    path : str, Path or None
        A TOML file laid out as ``wijkreno/params/municipal/template.toml``.
    """
    return load_model(MunicipalPremiums, MUNICIPAL_TEMPLATE_FILE, path,
                      what="municipal premium file")


def load_renovation_params(path: str | Path | None = None) -> RenovationParams:
    """Load the renovation policy and rules (``wijkreno/params/renovation.toml`` when None)."""
    return load_model(RenovationParams, RENOVATION_FILE, path, what="renovation parameter file")
