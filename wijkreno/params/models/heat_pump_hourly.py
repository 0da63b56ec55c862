"""Model of ``wijkreno/params/heat_pump_hourly.toml``: heat-pump COP, heating curve, capacity,
hot-water tapping profile, diversity, residential baseline profile and synthetic weather.

Used by :mod:`wijkreno.simulate.heat_pump_hourly` and :mod:`wijkreno.aggregate.peaks`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from pydantic import Field, model_validator

from wijkreno.params.base import Frozen, Sourced
from wijkreno.params.reader import load_model

PARAMS_FILE = "heat_pump_hourly.toml"
SOURCES: tuple[str, ...] = ("air_water", "ground")
"""Heat sources of the COP tables: outdoor air, or brine from the ground."""
COP_MODELS: tuple[str, ...] = ("regression", "carnot")


class Value(Sourced):
    """A sourced number whose date is required; a ``placeholder`` says what would replace it."""

    date: dt.date

    @model_validator(mode="after")
    def _says_what(self) -> Value:
        if self.placeholder and not (self.replace_with or "").strip():
            raise ValueError("a placeholder must say what would replace it (replace_with)")
        if not np.isfinite(self.value):
            raise ValueError(f"value must be finite, got {self.value}")
        return self


class SourceCop(Frozen):
    """COP and capacity figures of one heat source (``[cop.air_water]``, ``[cop.ground]``)."""

    c0: Value
    c1: Value
    c2: Value
    eta_carnot_frac: Value
    defrost_penalty_frac: Value
    defrost_low_degc: Value
    defrost_peak_degc: Value
    defrost_high_degc: Value
    capacity_slope_per_k: Value

    @model_validator(mode="after")
    def _ranges(self) -> SourceCop:
        if not 0.0 <= self.defrost_penalty_frac.value < 1.0:
            raise ValueError("defrost_penalty_frac must lie in [0, 1)")
        if not (self.defrost_low_degc.value < self.defrost_peak_degc.value
                < self.defrost_high_degc.value):
            raise ValueError("need defrost_low_degc < defrost_peak_degc < defrost_high_degc")
        if not 0.0 < self.eta_carnot_frac.value <= 1.0:
            raise ValueError("eta_carnot_frac must lie in (0, 1]")
        return self


class CommonCop(Frozen):
    field_correction_frac: Value
    cop_min: Value
    cop_max: Value
    ground_source_temperature_degc: Value

    @model_validator(mode="after")
    def _ranges(self) -> CommonCop:
        if not 0.0 < self.field_correction_frac.value <= 1.0:
            raise ValueError("field_correction_frac must lie in (0, 1]")
        if not 0.0 < self.cop_min.value < self.cop_max.value:
            raise ValueError("need 0 < cop_min < cop_max")
        return self


class CopParams(Frozen):
    model: str
    air_water: SourceCop
    ground: SourceCop
    common: CommonCop

    @model_validator(mode="after")
    def _model(self) -> CopParams:
        if self.model not in COP_MODELS:
            raise ValueError(f"cop.model must be one of {list(COP_MODELS)}, got {self.model!r}")
        return self

    def source(self, name: str) -> SourceCop:
        return self.air_water if name == "air_water" else self.ground


class HeatingCurve(Frozen):
    room_temperature_degc: Value
    radiator_exponent: Value
    min_flow_temperature_degc: Value
    design_outdoor_temperature_degc: Value

    @model_validator(mode="after")
    def _ranges(self) -> HeatingCurve:
        if not self.radiator_exponent.value > 0:
            raise ValueError("radiator_exponent must be > 0")
        if not self.design_outdoor_temperature_degc.value < self.room_temperature_degc.value:
            raise ValueError("design_outdoor_temperature_degc must lie below the room temperature")
        return self


class Capacity(Frozen):
    sizing_frac_monovalent: Value
    sizing_frac_hybrid: Value
    min_capacity_kw: Value
    backup_efficiency_frac: Value

    @model_validator(mode="after")
    def _ranges(self) -> Capacity:
        for name in ("sizing_frac_monovalent", "sizing_frac_hybrid", "backup_efficiency_frac"):
            if not getattr(self, name).value > 0:
                raise ValueError(f"capacity.{name} must be > 0")
        return self


class TappingProfile(Frozen):
    values: tuple[float, ...] = Field(min_length=24, max_length=24)
    unit: str = ""
    source: str = Field(min_length=1)
    date: dt.date

    @model_validator(mode="after")
    def _positive(self) -> TappingProfile:
        v = np.asarray(self.values)
        if (v < 0).any() or not v.sum() > 0:
            raise ValueError("the tapping profile needs 24 values >= 0 with a positive sum")
        return self


class MonthlyProfile(Frozen):
    """Twelve sourced values, January first (``values``, ``unit``, ``source``, ``date``)."""

    values: tuple[float, ...] = Field(min_length=12, max_length=12)
    unit: str = ""
    source: str = Field(min_length=1)
    date: dt.date
    placeholder: bool = False
    replace_with: str | None = None


class DhwParams(Frozen):
    temperature_degc: Value
    storage_efficiency_frac: Value
    reheat_lag_h: Value
    tapping_profile_kwh: TappingProfile

    @model_validator(mode="after")
    def _ranges(self) -> DhwParams:
        if not 0.0 < self.storage_efficiency_frac.value <= 1.0:
            raise ValueError("dhw.storage_efficiency_frac must lie in (0, 1]")
        lag = self.reheat_lag_h.value
        if lag != int(lag) or not 0 <= lag < 24:
            raise ValueError("dhw.reheat_lag_h must be a whole number of hours in [0, 23]")
        return self


class DiversityParams(Frozen):
    hp_inf_frac: Value
    exponent: Value
    baseline_single_ratio: Value

    @model_validator(mode="after")
    def _ranges(self) -> DiversityParams:
        if not 0.0 < self.hp_inf_frac.value <= 1.0:
            raise ValueError("diversity.hp_inf_frac must lie in (0, 1]")
        if not self.exponent.value > 0:
            raise ValueError("diversity.exponent must be > 0")
        if not self.baseline_single_ratio.value >= 1.0:
            raise ValueError("diversity.baseline_single_ratio must be >= 1")
        return self


_DAY = tuple[float, ...]


class BaselineParams(Frozen):
    annual_kwh_per_dwelling: Value
    profile_name: str
    source: str = Field(min_length=1)
    date: dt.date
    placeholder: bool = False
    replace_with: str | None = None
    winter_start: tuple[int, int]
    winter_end: tuple[int, int]
    summer_start: tuple[int, int]
    summer_end: tuple[int, int]
    dynamisation: tuple[float, float, float, float, float]
    winter_workday: _DAY = Field(min_length=24, max_length=24)
    winter_saturday: _DAY = Field(min_length=24, max_length=24)
    winter_sunday: _DAY = Field(min_length=24, max_length=24)
    transition_workday: _DAY = Field(min_length=24, max_length=24)
    transition_saturday: _DAY = Field(min_length=24, max_length=24)
    transition_sunday: _DAY = Field(min_length=24, max_length=24)
    summer_workday: _DAY = Field(min_length=24, max_length=24)
    summer_saturday: _DAY = Field(min_length=24, max_length=24)
    summer_sunday: _DAY = Field(min_length=24, max_length=24)

    def shape_table(self) -> np.ndarray:
        """(3 seasons winter/transition/summer, 3 day types, 24 hours)."""
        return np.array([[getattr(self, f"{s}_{d}") for d in ("workday", "saturday", "sunday")]
                         for s in ("winter", "transition", "summer")], dtype=np.float64)


class SyntheticWeatherParams(Frozen):
    """``[synthetic_weather]``: the offline hourly year (``simulate.synthetic_weather``)."""

    seed: int = Field(ge=0)
    year: int
    latitude_deg: Value
    longitude_deg: Value
    altitude_m: Value
    utc_offset_h: Value
    peak_hour: Value
    daily_std_k: Value
    daily_autocorrelation: Value
    amplitude_k: MonthlyProfile

    @model_validator(mode="after")
    def _ranges(self) -> SyntheticWeatherParams:
        if not 0.0 <= self.daily_autocorrelation.value < 1.0:
            raise ValueError("daily_autocorrelation must lie in [0, 1)")
        if self.daily_std_k.value < 0 or min(self.amplitude_k.values) < 0:
            raise ValueError("daily_std_k and amplitude_k must be >= 0")
        return self


class HeatPumpHourlyParams(Frozen):
    """The parameters of ``wijkreno/params/heat_pump_hourly.toml`` (see its sources)."""

    version: str
    cop: CopParams
    heating_curve: HeatingCurve
    capacity: Capacity
    dhw: DhwParams
    diversity: DiversityParams
    baseline: BaselineParams
    synthetic_weather: SyntheticWeatherParams


def load_heat_pump_hourly_params(path: str | Path | None = None) -> HeatPumpHourlyParams:
    """Load and validate the heat-pump hourly parameters (the packaged file when None).

    Cached on the file's path, modification time and size
    (:func:`~wijkreno.params.reader.load_model`).

    Raises
    ------
    InputError
        When the file cannot be read or a value is missing, unknown or out of range (the
        message names the file, the key and the allowed range).
    """
    return load_model(HeatPumpHourlyParams, PARAMS_FILE, path,
                      what="heat-pump hourly parameter file")
