"""Roof shape and PV sizing, the one rule the renovation options and the as-renovated twin share.

:func:`wijkreno.renovate.applicability.measure_options` sizes the PV it offers and
:func:`wijkreno.twin.renovated.apply_register` sizes the PV the register says is installed with
these two functions, so that both give a dwelling the same ``pv_kwp`` (``renovation.toml
[applicability.roof]`` and ``[applicability.pv]``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkreno.params.models.renovation import PvRule, RoofRule


def roof_pitched(dwellings: pd.DataFrame, roof_area: np.ndarray, ground_area: np.ndarray,
                 rule: RoofRule) -> np.ndarray:
    """Whether each dwelling's roof is pitched: ``roof_flat`` where known, else the geometry
    (roof area above ``pitched_min_ratio`` times the ground floor area)."""
    pitched = (ground_area > 0) & (roof_area > rule.pitched_min_ratio.value * ground_area)
    if "roof_flat" in dwellings.columns:
        flat = dwellings["roof_flat"].astype("boolean")
        known = flat.notna().to_numpy(dtype=bool)
        pitched = np.where(known, ~flat.fillna(False).to_numpy(dtype=bool), pitched)
    return np.asarray(pitched, dtype=bool)


def suitable_roof_area(pitched: np.ndarray, roof_area: np.ndarray, rule: PvRule) -> np.ndarray:
    """Roof area [m²] suitable for solar panels or collectors: the pitched or flat share of the
    roof area; 0 without a roof."""
    share = np.where(pitched, rule.suitable_roof_frac_pitched.value,
                     rule.suitable_roof_frac_flat.value)
    return share * np.where(roof_area > 0, roof_area, 0.0)


def pv_kwp(pitched: np.ndarray, roof_area: np.ndarray, m2_per_kwp: float,
           rule: PvRule) -> np.ndarray:
    """PV power [kWp] on the :func:`suitable_roof_area`, capped at ``max_kwp``."""
    return np.minimum(suitable_roof_area(pitched, roof_area, rule) / m2_per_kwp,
                      rule.max_kwp.value)


__all__ = ["pv_kwp", "roof_pitched", "suitable_roof_area"]
