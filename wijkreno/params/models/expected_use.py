"""Model of ``wijkreno/params/expected_use.toml``: from standardised to expected use.

See :mod:`wijkreno.simulate.expected` for how the values are used and ``docs/meters.md`` for the
method and its sources.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from wijkreno.params.base import Fraction, Frozen, Sourced
from wijkreno.params.reader import load_model

EXPECTED_USE_FILE = "expected_use.toml"


class PreboundPoint(Frozen):
    """One published point: measured over calculated use at a calculated rating."""

    score_kwh_per_m2: float = Field(gt=0.0, le=2000.0)
    ratio: float = Field(gt=0.0, le=5.0)
    source: str = Field(min_length=1)
    study: str = Field(default="", description="Study (calculation method and country) the "
                       "point belongs to; points of one study share an intercept in the fit")
    placeholder: bool = False
    replace_with: str | None = None


class PreboundParams(Frozen):
    """The literature points and the bounds of the prebound/rebound relation."""

    reference_score_kwh_per_m2: float = Field(gt=0.0)
    reference_score_kwh_per_m2_source: str = Field(min_length=1)
    ratio_min: float = Field(gt=0.0, le=1.0)
    ratio_min_source: str = Field(min_length=1)
    ratio_max: float = Field(ge=1.0, le=5.0)
    ratio_max_source: str = Field(min_length=1)
    level_study: str | None = None
    level_study_source: str | None = None
    points: tuple[PreboundPoint, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _distinct_scores(self) -> PreboundParams:
        scores = [p.score_kwh_per_m2 for p in self.points]
        if len(set(scores)) < 2:
            raise ValueError(f"the prebound points need at least two distinct scores, got {scores}")
        if self.level_study is not None:
            studies = {p.study for p in self.points}
            if self.level_study not in studies:
                raise ValueError(f"level_study {self.level_study!r} is not the study of any "
                                 f"point (studies: {sorted(studies)})")
            if not self.level_study_source:
                raise ValueError("level_study needs level_study_source (why its level applies)")
        return self


class BandParams(Frozen):
    """The uncertainty band of the relation (log-normal around the mean ratio)."""

    sigma_level_log: float = Field(ge=0.0, le=2.0)
    sigma_level_log_source: str = Field(min_length=1)
    sigma_household_log: float = Field(ge=0.0, le=3.0)
    sigma_household_log_source: str = Field(min_length=1)
    quantile_low: float = Field(gt=0.0, lt=0.5)
    quantile_low_source: str = Field(min_length=1)
    quantile_high: float = Field(gt=0.5, lt=1.0)
    quantile_high_source: str = Field(min_length=1)


class CalibrationSettings(Frozen):
    """How the calibration to meters is fitted (method settings, not physics)."""

    holdout_fraction: float = Field(gt=0.0, lt=1.0)
    holdout_fraction_source: str = Field(min_length=1)
    split_salt: str = Field(min_length=1)
    ridge_alpha: float = Field(ge=0.0)
    ridge_alpha_source: str = Field(min_length=1)
    connection_count_features: bool
    connection_count_features_source: str = Field(min_length=1)
    location_features: bool
    location_features_source: str = Field(min_length=1)
    cv_folds: int = Field(ge=2)
    cv_salt: str = Field(min_length=1)
    cv_folds_source: str = Field(min_length=1)
    min_gas_connections: int = Field(ge=0)
    min_gas_connections_source: str = Field(min_length=1)


class ExpectedUseParams(Frozen):
    """The content of ``expected_use.toml``."""

    version: str
    date: str
    prebound: PreboundParams
    band: BandParams
    appliances_lighting_kwh_per_household: Sourced
    pv_self_consumption_frac: Fraction
    pv_yield_kwh_per_kwp: Sourced
    gas_gross_over_net: Sourced
    calibration: CalibrationSettings

    @model_validator(mode="after")
    def _positive(self) -> ExpectedUseParams:
        for name in ("appliances_lighting_kwh_per_household", "pv_yield_kwh_per_kwp"):
            if getattr(self, name).value < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name).value}")
        if not 1.0 <= self.gas_gross_over_net.value <= 1.3:
            raise ValueError(
                f"gas_gross_over_net must lie in [1, 1.3], got {self.gas_gross_over_net.value}"
            )
        return self


def load_expected_use_params(path: str | Path | None = None) -> ExpectedUseParams:
    """Load the expected-use parameters (cached).

    Parameters
    ----------
    path : str, Path or None
        A TOML file laid out as ``wijkreno/params/expected_use.toml``; None for that file.

    Returns
    -------
    ExpectedUseParams
    """
    return load_model(
        ExpectedUseParams, EXPECTED_USE_FILE, path, what="expected-use parameter file"
    )
