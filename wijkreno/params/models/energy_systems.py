"""Model of ``wijkreno/params/energy_systems.toml``: heating and hot-water systems, carrier factors.

Every number carries its source and date. A user overrides a run's parameters with a partial
TOML file or a nested mapping holding only the keys that change (:func:`load_system_params`); a
bare number given for a sourced value is recorded with the source ``"user override"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from wijkreno.params.base import Efficiency, Fraction, Frozen, Sourced
from wijkreno.params.names import CARRIERS, HEATING_SYSTEMS
from wijkreno.params.reader import deep_merge, load_model, read_toml, validate

SYSTEM_PARAMS_FILE = "energy_systems.toml"

__all__ = [
    "CARRIERS", "Carrier", "CarrierFactors", "DefaultDhwSystem", "DhwSystem", "EpcLabels",
    "HeatingSystem", "SYSTEM_PARAMS_FILE", "ScopCurve", "Settings", "SystemParams",
    "default_system_params", "load_system_params",
]

Carrier = Literal["gas", "oil", "electricity", "wood"]


class ScopCurve(Frozen):
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


class HeatingSystem(Frozen):
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


class DhwSystem(Frozen):
    """One domestic-hot-water system."""

    carrier: Carrier
    efficiency: Efficiency


class CarrierFactors(Frozen):
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


class Settings(Frozen):
    default_emitter_temperature_degc: Sourced
    solar_water_heater_frac: Fraction
    gas_gcv_per_ncv: Sourced


class DefaultDhwSystem(Frozen):
    source: str
    date: str
    gas_boiler: str
    gas_condensing_boiler: str
    oil_boiler: str
    electric_resistance: str
    heat_pump_air_water: str
    heat_pump_ground: str
    hybrid_heat_pump: str


class EpcLabels(Frozen):
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


class SystemParams(Frozen):
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
        The cached packaged parameters when neither ``path`` nor ``overrides`` is given.

    Raises
    ------
    InputError
        When the file is missing or not TOML, or when the merged parameters are invalid (unknown
        keys, efficiencies out of range, a COP rising with temperature, ...); the message names
        the file, the key and the allowed range.
    """
    if path is None and not overrides:
        return default_system_params()
    raw, where = read_toml(None, SYSTEM_PARAMS_FILE)
    if path is not None:
        user, where = read_toml(path, SYSTEM_PARAMS_FILE, what="system parameter file")
        raw = deep_merge(raw, user)
        where = f"{where} (merged over wijkreno/params/{SYSTEM_PARAMS_FILE})"
    if overrides:
        raw = deep_merge(raw, overrides)
        where = f"{where} with the run's overrides"
    return validate(
        SystemParams, raw, where, SYSTEM_PARAMS_FILE, what="energy-system parameter file"
    )


def default_system_params() -> SystemParams:
    """The packaged parameters (cached)."""
    return load_model(SystemParams, SYSTEM_PARAMS_FILE)
