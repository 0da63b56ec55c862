"""Parameters of the energy-systems stage (``wijkreno/params/energy_systems.toml``).

Frozen pydantic models that reject unknown fields: a typo in a user's parameter file is an error,
not a silently ignored value. Every number carries its source and date. A user overrides a run's
parameters with a partial TOML file or a nested mapping holding only the keys that change
(:func:`load_system_params`); a bare number given for a sourced value is recorded with the source
``"user override"``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wijkreno.errors import InputError
from wijkreno.twin.schema import HEATING_SYSTEMS

PARAMS_PACKAGE = "wijkreno.params"
SYSTEM_PARAMS_FILE = "energy_systems.toml"

CARRIERS: tuple[str, ...] = ("gas", "oil", "electricity", "wood")
"""Energy carriers, in the order of every per-carrier array of the systems stage."""

Carrier = Literal["gas", "oil", "electricity", "wood"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(_Frozen):
    """A number with its source and the date of that source."""

    value: float
    source: str
    date: str
    unit: str = "-"
    placeholder: bool = False


class Fraction(Sourced):
    """A sourced number between 0 and 1."""

    value: float = Field(ge=0.0, le=1.0)


class Efficiency(Sourced):
    """A sourced efficiency (useful over final energy); a COP may exceed 1."""

    value: float = Field(gt=0.0, le=10.0)


class ScopCurve(_Frozen):
    """Seasonal COP as a function of the supply (emitter) temperature.

    Linear between the points, constant beyond the first and last point. The COP must not rise
    with the supply temperature (a heat pump lifting heat to a higher temperature works harder).
    """

    supply_temperature_degc: list[float] = Field(min_length=1)
    value: list[float] = Field(min_length=1)
    source: str
    date: str
    placeholder: bool = False

    @model_validator(mode="after")
    def _check_curve(self) -> ScopCurve:
        t, v = self.supply_temperature_degc, self.value
        if len(t) != len(v):
            raise ValueError(
                f"scop has {len(t)} supply temperatures and {len(v)} values; give one value per "
                "temperature"
            )
        if any(b <= a for a, b in zip(t, t[1:], strict=False)):
            raise ValueError(f"scop supply temperatures must increase strictly, got {t}")
        if any(x <= 0 for x in v):
            raise ValueError(f"scop values must be positive, got {v}")
        if any(b > a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError(
                f"scop values must not rise with the supply temperature, got {v} at {t}"
            )
        return self


class HeatingSystem(_Frozen):
    """One space-heating system: a heat-pump part and a fuel / direct part."""

    carrier: Carrier
    generation_efficiency: Efficiency
    distribution_efficiency: Fraction
    emission_efficiency: Fraction
    control_efficiency: Fraction
    heat_pump_share: Fraction
    auxiliary_electricity_frac: Fraction
    scop: ScopCurve

    @property
    def chain_efficiency(self) -> float:
        """Product of emission, distribution and control efficiencies [-]."""
        return (
            self.emission_efficiency.value
            * self.distribution_efficiency.value
            * self.control_efficiency.value
        )


class DhwSystem(_Frozen):
    """One domestic-hot-water system."""

    carrier: Carrier
    efficiency: Efficiency


class CarrierFactors(_Frozen):
    """One factor per carrier (primary energy, CO2, price), with a source for the set."""

    source: str
    date: str
    gas: float = Field(ge=0.0)
    oil: float = Field(ge=0.0)
    electricity: float = Field(ge=0.0)
    wood: float = Field(ge=0.0)
    placeholder_keys: list[Carrier] = Field(default_factory=list)
    note: str | None = None

    def as_tuple(self) -> tuple[float, float, float, float]:
        """The four factors in :data:`CARRIERS` order."""
        return (self.gas, self.oil, self.electricity, self.wood)


class Settings(_Frozen):
    default_emitter_temperature_degc: Sourced
    solar_water_heater_frac: Fraction


class DefaultDhwSystem(_Frozen):
    source: str
    date: str
    gas_boiler: str
    gas_condensing_boiler: str
    oil_boiler: str
    electric_resistance: str
    heat_pump_air_water: str
    heat_pump_ground: str
    hybrid_heat_pump: str


class EpcLabels(_Frozen):
    """EPC label classes: the first bound separates A+ (strictly below) from A; every other class
    includes its upper bound."""

    source: str
    date: str
    labels: list[str]
    upper_bounds_kwh_per_m2: list[float]

    @model_validator(mode="after")
    def _check_bounds(self) -> EpcLabels:
        b = self.upper_bounds_kwh_per_m2
        if len(self.labels) != len(b) + 1:
            raise ValueError(
                f"epc_labels has {len(self.labels)} labels and {len(b)} bounds; give one bound "
                "fewer than labels"
            )
        if any(y <= x for x, y in zip(b, b[1:], strict=False)):
            raise ValueError(f"epc_labels bounds must increase strictly, got {b}")
        return self


class SystemParams(_Frozen):
    """All parameters of the systems stage, each with its source."""

    version: str
    settings: Settings
    primary_energy_factors: CarrierFactors
    co2_flemish: CarrierFactors
    co2_com: CarrierFactors
    prices_eur_per_kwh: CarrierFactors
    fixed_fee_eur_per_year: CarrierFactors
    heating_systems: dict[str, HeatingSystem]
    dhw_systems: dict[str, DhwSystem]
    default_dhw_system: DefaultDhwSystem
    epc_labels: EpcLabels

    @model_validator(mode="after")
    def _check_systems(self) -> SystemParams:
        names = set(self.heating_systems)
        missing = [s for s in HEATING_SYSTEMS if s not in names]
        extra = sorted(names - set(HEATING_SYSTEMS))
        if missing or extra:
            raise ValueError(
                f"heating_systems must list exactly the twin's systems {list(HEATING_SYSTEMS)}; "
                f"missing {missing}, unknown {extra}"
            )
        for heating, dhw in self.default_dhw_system.model_dump(
            exclude={"source", "date"}
        ).items():
            if dhw not in self.dhw_systems:
                raise ValueError(
                    f"default_dhw_system.{heating} = {dhw!r} is not one of the dhw_systems "
                    f"{sorted(self.dhw_systems)}"
                )
        return self

    @property
    def heating_system_names(self) -> tuple[str, ...]:
        """Heating systems in the order of their integer codes (the schema's order)."""
        return HEATING_SYSTEMS

    @property
    def dhw_system_names(self) -> tuple[str, ...]:
        """DHW systems in the order of their integer codes (the file's order)."""
        return tuple(self.dhw_systems)


def _deep_merge(
    base: dict[str, Any], override: Mapping[str, Any], path: str = ""
) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``; a bare number replacing a sourced table keeps
    the table's layout and records the source ``"user override"``."""
    out = dict(base)
    for key, new in override.items():
        where = f"{path}{key}"
        old = out.get(key)
        if isinstance(old, dict) and isinstance(new, Mapping):
            out[key] = _deep_merge(old, new, where + ".")
        elif isinstance(old, dict) and "value" in old and isinstance(new, int | float):
            out[key] = {**old, "value": float(new), "source": "user override",
                        "date": "run", "placeholder": False}
        else:
            out[key] = new
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(
            f"the system parameter file {path} does not exist; give the path of a TOML file with "
            "the layout of wijkreno/params/energy_systems.toml"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the system parameter file {path} is not valid TOML: {exc}") from None


@lru_cache(maxsize=1)
def _default_raw() -> dict[str, Any]:
    text = resources.files(PARAMS_PACKAGE).joinpath(SYSTEM_PARAMS_FILE).read_text("utf-8")
    return tomllib.loads(text)


def load_system_params(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> SystemParams:
    """Read the packaged energy-system parameters, with a user's partial file and overrides.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file with the layout of ``energy_systems.toml`` holding only the keys to change.
    overrides : mapping, optional
        Nested mapping applied last, e.g. ``{"primary_energy_factors": {"electricity": 1.8}}``
        or ``{"heating_systems": {"gas_boiler": {"generation_efficiency": 0.85}}}``.

    Returns
    -------
    SystemParams

    Raises
    ------
    InputError
        When the file is missing or not TOML, or when the merged parameters are invalid (unknown
        keys, efficiencies out of range, a COP rising with temperature, ...).
    """
    raw = _default_raw()
    if path is not None:
        raw = _deep_merge(raw, _read_toml(Path(path)))
    if overrides:
        raw = _deep_merge(raw, overrides)
    try:
        return SystemParams.model_validate(raw)
    except ValidationError as exc:
        where = f" (after merging {path})" if path is not None else ""
        raise InputError(
            f"the energy-system parameters{where} are not valid:\n{exc}\n"
            "Keep the layout of wijkreno/params/energy_systems.toml."
        ) from None


@lru_cache(maxsize=1)
def default_system_params() -> SystemParams:
    """The packaged parameters (cached)."""
    return load_system_params()
