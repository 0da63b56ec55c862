"""Model of ``wijkreno/params/bestest.toml``: ASHRAE 140 cases 600/900/600FF/900FF for the
hourly engine and the published reference-program ranges (``wijkreno validate bestest``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wijkreno.params.reader import load_model

PARAMS_FILE = "bestest.toml"

Layer = tuple[float, float, float, float]
"""[thickness_m, lambda_w_per_mk, rho_kg_per_m3, c_j_per_kgk], inside to outside."""
Range = tuple[float, float]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Meta(_Frozen):
    title: str
    version: str
    date: str


class Site(_Frozen):
    weather_file: str
    weather_file_source: str
    rho_c_air_wh_per_m3k: float = Field(gt=0.0)
    rho_c_air_wh_per_m3k_source: str
    ground_reflectance_frac: float = Field(ge=0.0, le=1.0)
    ground_reflectance_frac_source: str
    sky_temperature_model: Literal["constant", "weather"]
    sky_temperature_model_source: str


class Geometry(_Frozen):
    floor_area_m2: float = Field(gt=0.0)
    volume_m3: float = Field(gt=0.0)
    roof_area_m2: float = Field(ge=0.0)
    wall_area_n_m2: float = Field(ge=0.0)
    wall_area_e_m2: float = Field(ge=0.0)
    wall_area_s_m2: float = Field(ge=0.0)
    wall_area_w_m2: float = Field(ge=0.0)
    window_area_s_m2: float = Field(ge=0.0)
    internal_surface_area_m2: float = Field(gt=0.0)
    source: str


class Operation(_Frozen):
    internal_gains_w: float = Field(ge=0.0)
    internal_gains_radiative_frac: float = Field(ge=0.0, le=1.0)
    infiltration_ach: float = Field(ge=0.0)
    heating_setpoint_degc: float
    cooling_setpoint_degc: float
    source: str


class Window(_Frozen):
    u_w_per_m2k: float = Field(gt=0.0)
    g_frac: float = Field(ge=0.0, le=1.0)
    frame_frac: float = Field(ge=0.0, le=1.0)
    shading_frac: float = Field(ge=0.0, le=1.0)
    source: str


class Opaque(_Frozen):
    absorptance_frac: float = Field(ge=0.0, le=1.0)
    r_se_m2k_per_w: float = Field(gt=0.0)
    source: str


class MassRule(_Frozen):
    max_depth_m: float = Field(gt=0.0)
    insulating_lambda_w_per_mk: float = Field(gt=0.0)
    source: str


class Case(_Frozen):
    """One case; a free-float case names its ``base`` and inherits its construction."""

    free_float: bool
    base: str | None = None
    u_wall_w_per_m2k: float | None = Field(default=None, gt=0.0)
    u_roof_w_per_m2k: float | None = Field(default=None, gt=0.0)
    u_floor_w_per_m2k: float | None = Field(default=None, gt=0.0)
    wall_layers: list[Layer] | None = None
    roof_layers: list[Layer] | None = None
    floor_layers: list[Layer] | None = None
    source: str


class Reference(_Frozen):
    """Published [min, max] of the reference programs for one case."""

    annual_heating_mwh: Range | None = None
    annual_cooling_mwh: Range | None = None
    peak_heating_kw: Range | None = None
    peak_cooling_kw: Range | None = None
    max_temp_degc: Range | None = None
    min_temp_degc: Range | None = None
    mean_temp_degc: Range | None = None
    source: str


class Limitation(_Frozen):
    """A figure known to lie outside its published range: why, and how far at most."""

    source: str = Field(min_length=40)
    """Why the figure lies outside (docs/hourly.md, 'ASHRAE 140: known limitations')."""
    max_outside: float = Field(gt=0.0)
    """Furthest the figure may lie outside [fraction of the crossed bound; K for temperatures]:
    ``validate bestest`` fails beyond it (a regression of a known limitation)."""


class BestestSpec(_Frozen):
    """The whole file."""

    meta: Meta
    site: Site
    geometry: Geometry
    operation: Operation
    window: Window
    opaque: Opaque
    mass_rule: MassRule
    cases: dict[str, Case]
    reference: dict[str, Reference]
    limitations: dict[str, Limitation] = {}
    """``"<case>.<quantity>"`` -> why the 5R1C figure lies outside the published range, and
    how far it may."""

    @model_validator(mode="after")
    def _limitations_name_compared_figures(self) -> BestestSpec:
        for key in self.limitations:
            case, _, quantity = key.partition(".")
            ref = self.reference.get(case)
            if ref is None or quantity == "source" or getattr(ref, quantity, None) is None:
                raise ValueError(
                    f"[limitations] names {key!r}, which is not a compared figure; use "
                    f"'<case>.<quantity>' of a [reference.<case>] range"
                )
        return self


def load_bestest_spec(path: str | Path | None = None) -> BestestSpec:
    """Read and validate ``bestest.toml`` (the packaged file by default; cached)."""
    return load_model(BestestSpec, PARAMS_FILE, path, what="ASHRAE 140 case file")
