"""Model of ``wijkreno/params/heat_balance.toml``: the heat balance and the climate derivation.

The file holds two sections of ``{value, unit, source}`` tables: ``[balance]`` read into
:class:`HeatBalanceParams`, ``[climate]`` into :class:`ClimateParams`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from wijkreno.params.reader import load_flat, validate

PARAMS_FILE = "heat_balance.toml"


class HeatBalanceParams(BaseModel):
    """Parameters of the heat balance; see ``wijkreno/params/heat_balance.toml`` for sources.

    Build with :func:`load_heat_balance_params`; change for one run with :meth:`with_overrides`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    convention: str = "epb"
    theta_int_degc: float
    theta_int_epb_degc: float
    room_height_net_m: float
    rho_c_air_wh_per_m3k: float
    n_air_use_ach: float
    phi_int_w_per_m2: float
    c_m_wh_per_m2k: float
    c_m_light_wh_per_m2k: float
    c_m_medium_wh_per_m2k: float
    c_m_heavy_wh_per_m2k: float
    c_m_class_by_tabula_period: str
    c_m_class_apartment_building: str
    f_sh_vert_frac: float
    f_frame_frac: float
    f_w_frac: float
    a_h0: float
    tau_h0_h: float
    a_h0_seasonal: float
    tau_h0_seasonal_h: float
    f_red_at_h_tr_1_frac: float
    f_red_at_h_tr_4_frac: float
    h_tr_f_red_one_w_per_m2k: float
    b_roof_frac: float
    b_floor_ground_frac: float
    b_floor_cellar_frac: float
    r_add_cellar_m2k_per_w: float
    b_annex_wall_frac: float
    b_party_wall_frac: float
    dhw_need_single_unit_kwh_per_m2: float
    dhw_need_multi_unit_kwh_per_m2: float
    dhw_epw_kitchen_base_w: float
    dhw_epw_kitchen_slope_w_per_m3: float
    dhw_epw_bath_base_w: float
    dhw_epw_bath_slope_w_per_m3: float
    dhw_epw_volume_ref_m3: float
    sources: dict[str, str] = {}

    @field_validator(
        "f_sh_vert_frac", "f_frame_frac", "f_w_frac", "f_red_at_h_tr_1_frac",
        "f_red_at_h_tr_4_frac", "b_roof_frac", "b_floor_ground_frac", "b_floor_cellar_frac",
        "b_annex_wall_frac", "b_party_wall_frac",
    )
    @classmethod
    def _fraction(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"must lie in [0, 1], got {v}")
        return v

    @field_validator("convention")
    @classmethod
    def _convention(cls, v: str) -> str:
        if v not in ("epb", "tabula"):
            raise ValueError(f"must be 'epb' or 'tabula', got {v!r}")
        return v

    @field_validator("c_m_class_apartment_building")
    @classmethod
    def _capacity_class(cls, v: str) -> str:
        if v not in ("light", "medium", "heavy"):
            raise ValueError(f"must be 'light', 'medium' or 'heavy', got {v!r}")
        return v

    @field_validator("c_m_class_by_tabula_period")
    @classmethod
    def _class_table(cls, v: str) -> str:
        for item in v.split(","):
            period, _, klass = item.partition(":")
            if not period.strip() or klass.strip() not in ("light", "medium", "heavy"):
                raise ValueError(
                    f"must read 'period:class,...' with classes light/medium/heavy, got {v!r}"
                )
        return v

    @field_validator(
        "rho_c_air_wh_per_m3k", "c_m_wh_per_m2k", "c_m_light_wh_per_m2k",
        "c_m_medium_wh_per_m2k", "c_m_heavy_wh_per_m2k", "room_height_net_m", "tau_h0_h",
        "tau_h0_seasonal_h",
    )
    @classmethod
    def _positive(cls, v: float) -> float:
        if not v > 0.0:
            raise ValueError(f"must be > 0, got {v}")
        return v

    @field_validator(
        "n_air_use_ach", "phi_int_w_per_m2", "a_h0", "a_h0_seasonal", "r_add_cellar_m2k_per_w",
        "dhw_need_single_unit_kwh_per_m2", "dhw_need_multi_unit_kwh_per_m2",
        "dhw_epw_kitchen_base_w", "dhw_epw_kitchen_slope_w_per_m3", "dhw_epw_bath_base_w",
        "dhw_epw_bath_slope_w_per_m3", "dhw_epw_volume_ref_m3",
    )
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if not v >= 0.0:
            raise ValueError(f"must be >= 0, got {v}")
        return v

    @field_validator("h_tr_f_red_one_w_per_m2k")
    @classmethod
    def _below_one(cls, v: float) -> float:
        if not 0.0 <= v < 1.0:
            raise ValueError(f"must lie in [0, 1) W/(m2 K), got {v}")
        return v

    def with_overrides(self, overrides: Mapping[str, Any]) -> HeatBalanceParams:
        """A validated copy with some values replaced, e.g. ``{"theta_int_degc": 18.0}``."""
        return _validate_params({**self.model_dump(), **dict(overrides)}, "overrides")


def _validate_params(values: dict[str, Any], where: str) -> HeatBalanceParams:
    return validate(HeatBalanceParams, values, where, PARAMS_FILE)


def load_heat_balance_params(
    path: str | Path | None = None, overrides: Mapping[str, float] | None = None
) -> HeatBalanceParams:
    """Load the heat-balance parameters (packaged file by default, cached) and apply overrides.

    Parameters
    ----------
    path : str, Path or None
        A TOML file laid out as ``wijkreno/params/heat_balance.toml``; None for that file.
    overrides : mapping, optional
        ``{name: value}`` replacing values of the file, e.g. ``{"theta_int_degc": 18.0}``.

    Returns
    -------
    HeatBalanceParams

    Raises
    ------
    InputError
        When the file cannot be read, a value has no source, a name is unknown or a value is
        out of range.
    """
    params = load_flat(
        HeatBalanceParams, PARAMS_FILE, path, sections=("balance",), with_sources=True,
        what="heat-balance parameter file",
    )
    return params.with_overrides(overrides) if overrides else params


class ClimateParams(BaseModel):
    """Parameters of the climate derivation (``[climate]`` in ``heat_balance.toml``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    albedo_frac: float
    roof_tilt_deg: float
    sun_position_offset_min: float
    sun_position_convention: str = "from_file"
    sun_position_min_ghi_w_per_m2: float = 50.0
    transposition_model: str
    sources: dict[str, str] = {}

    @field_validator("sun_position_convention")
    @classmethod
    def _sun_convention(cls, v: str) -> str:
        if v not in ("from_file", "fixed"):
            raise ValueError(f"must be 'from_file' or 'fixed', got {v!r}")
        return v

    @field_validator("albedo_frac")
    @classmethod
    def _albedo(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"must lie in [0, 1], got {v}")
        return v

    @field_validator("sun_position_offset_min")
    @classmethod
    def _offset(cls, v: float) -> float:
        if not 0.0 <= v <= 60.0:
            raise ValueError(f"must lie in [0, 60] minutes, got {v}")
        return v

    @field_validator("roof_tilt_deg")
    @classmethod
    def _tilt(cls, v: float) -> float:
        if not 0.0 < v < 90.0:
            raise ValueError(f"must lie in (0, 90) degrees, got {v}")
        return v

    @field_validator("transposition_model")
    @classmethod
    def _model(cls, v: str) -> str:
        allowed = ("isotropic", "klucher", "haydavies", "reindl", "king", "perez")
        if v not in allowed:
            raise ValueError(f"must be one of {allowed}, got {v!r}")
        return v


def load_climate_params(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> ClimateParams:
    """Read the ``[climate]`` table of a heat-balance parameter file (packaged by default)."""
    params = load_flat(
        ClimateParams, PARAMS_FILE, path, sections=("climate",), with_sources=True,
        what="heat-balance parameter file",
    )
    if not overrides:
        return params
    return validate(
        ClimateParams, {**params.model_dump(), **dict(overrides)}, "overrides", PARAMS_FILE
    )
