"""Model of ``wijkreno/params/hourly.toml``: the hourly 5R1C engine (EN ISO 13790 Annex C).

Sections ``[network]``, ``[solar]`` and ``[schedule]`` of ``{value, unit, source}`` tables, the
capacity classes of ISO 13790 Table 12 and the rules that assign them. The monthly engine's
parameters (:class:`~wijkreno.params.models.heat_balance.HeatBalanceParams`) ride along as
``balance``, so that both engines see the same dwelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from wijkreno.errors import InputError
from wijkreno.params.models.heat_balance import HeatBalanceParams, load_heat_balance_params
from wijkreno.params.reader import read_toml, validate

PARAMS_FILE = "hourly.toml"
HOURS_PER_YEAR = 8760
CAPACITY_CLASSES: tuple[str, ...] = ("very_light", "light", "medium", "heavy", "very_heavy")


class CapacityClass(BaseModel):
    """One thermal-capacity class of ISO 13790 Table 12."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kappa_j_per_m2k: float
    lambda_m_frac: float
    source: str


class HourlyParams(BaseModel):
    """Parameters of the hourly engine; see ``wijkreno/params/hourly.toml`` for sources.

    ``balance`` holds the monthly engine's parameters (envelope adjustment factors, air
    change, internal-gain level, window factors), shared by both engines.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    h_is_w_per_m2k: float
    lambda_at_frac: float
    h_ms_w_per_m2k: float
    internal_gain_convective_frac: float
    warmup_h: int
    theta_m_start_degc: float
    opaque_absorptance_frac: float
    r_se_m2k_per_w: float
    h_r_w_per_m2k: float
    delta_theta_er_k: float
    f_r_wall_frac: float
    f_r_roof_frac: float
    sky_temperature_model: Literal["constant", "weather"]
    window_incidence_model: Literal["physical", "constant"]
    glass_refractive_index: float
    glass_extinction_per_m: float
    glass_pane_thickness_m: float
    glass_panes: int
    internal_gain_profile_frac: tuple[float, ...]
    heating_setpoint_degc: float
    setback_setpoint_degc: float
    setback_start_h: int
    setback_end_h: int
    cooling_setpoint_degc: float
    capacity_classes: dict[str, CapacityClass]
    capacity_default: str
    capacity_by_typology: dict[str, str]
    capacity_by_tabula_period: dict[str, str]
    period_upper_years: tuple[int, ...]
    balance: HeatBalanceParams
    sources: dict[str, str] = {}

    @field_validator("h_is_w_per_m2k", "lambda_at_frac", "h_ms_w_per_m2k", "r_se_m2k_per_w")
    @classmethod
    def _positive(cls, v: float) -> float:
        if not v > 0.0:
            raise ValueError(f"must be > 0, got {v}")
        return v

    @field_validator("opaque_absorptance_frac", "f_r_wall_frac", "f_r_roof_frac",
                     "internal_gain_convective_frac")
    @classmethod
    def _fraction(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"must lie in [0, 1], got {v}")
        return v

    @field_validator("warmup_h")
    @classmethod
    def _warmup(cls, v: int) -> int:
        if not 0 <= v <= HOURS_PER_YEAR:
            raise ValueError(f"must lie in [0, {HOURS_PER_YEAR}] h, got {v}")
        return v

    @field_validator("setback_start_h", "setback_end_h")
    @classmethod
    def _hour(cls, v: int) -> int:
        if not 0 <= v <= 23:
            raise ValueError(f"must be an hour of the day 0..23, got {v}")
        return v

    @field_validator("internal_gain_profile_frac")
    @classmethod
    def _profile(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != 24 or min(v) < 0.0:
            raise ValueError(f"must hold 24 non-negative values (hours 0..23), got {v}")
        if abs(sum(v) / 24.0 - 1.0) > 0.01:
            raise ValueError(
                f"must average 1 over the day (the level is phi_int_w_per_m2), got mean "
                f"{sum(v) / 24.0:.4f}"
            )
        return v

    @field_validator("capacity_classes")
    @classmethod
    def _classes(cls, v: dict[str, CapacityClass]) -> dict[str, CapacityClass]:
        if sorted(v) != sorted(CAPACITY_CLASSES):
            raise ValueError(f"must define exactly the classes {CAPACITY_CLASSES}, got {sorted(v)}")
        return v

    def with_overrides(self, overrides: Mapping[str, Any]) -> HourlyParams:
        """A validated copy with some values replaced, e.g. ``{"warmup_h": 168}``."""
        return _validate({**self.model_dump(), **dict(overrides)}, "overrides")


def _validate(values: dict[str, Any], where: str) -> HourlyParams:
    p = validate(HourlyParams, values, where, PARAMS_FILE, what="hourly-engine parameter file")
    names = set(p.capacity_classes)
    used = {p.capacity_default, *p.capacity_by_typology.values(),
            *p.capacity_by_tabula_period.values()}
    if not used <= names:
        raise InputError(
            f"hourly parameters from {where} assign unknown capacity classes "
            f"{sorted(used - names)}; use one of {CAPACITY_CLASSES}."
        )
    return p


def load_hourly_params(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    balance: HeatBalanceParams | None = None,
) -> HourlyParams:
    """Load the hourly-engine parameters (packaged ``hourly.toml`` by default).

    Parameters
    ----------
    path : str, Path or None
        A TOML file laid out as ``wijkreno/params/hourly.toml``; None for that file.
    overrides : mapping, optional
        ``{name: value}`` replacing values, e.g. ``{"warmup_h": 168}``.
    balance : HeatBalanceParams, optional
        The monthly engine's parameters to share; the packaged ones when None.

    Returns
    -------
    HourlyParams

    Raises
    ------
    InputError
        When the file cannot be read, a value lacks a source, or a value is out of range.
    """
    if path is None and not overrides and balance is None:
        return _packaged()
    data, where = read_toml(path, PARAMS_FILE, what="hourly-engine parameter file")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for section in ("network", "solar", "schedule"):
        table = data.get(section)
        if not isinstance(table, dict):
            raise InputError(f"parameter file {where} has no [{section}] table.")
        for name, entry in table.items():
            if not isinstance(entry, dict) or "value" not in entry or not entry.get("source"):
                raise InputError(
                    f"parameter {section}.{name} in {where} must be a table with 'value' and a "
                    f"non-empty 'source' (got {entry!r})."
                )
            values[name] = entry["value"]
            sources[name] = str(entry["source"])
    try:
        assign = data["capacity_assignment"]
        values["capacity_classes"] = data["capacity_classes"]
        values["capacity_default"] = assign["default"]
        values["capacity_by_typology"] = assign["by_typology"]
        values["capacity_by_tabula_period"] = assign["by_tabula_period"]
        values["period_upper_years"] = assign["period_upper_years"]
    except KeyError as exc:
        raise InputError(f"parameter file {where} lacks {exc} (see hourly.toml).") from None
    values["balance"] = balance or load_heat_balance_params()
    values["sources"] = sources
    if overrides:
        values.update(dict(overrides))
    return _validate(values, where)


@lru_cache(maxsize=1)
def _packaged() -> HourlyParams:
    """The packaged parameters with the packaged monthly ones (cached: one object per process)."""
    return load_hourly_params(None, None, balance=load_heat_balance_params())
