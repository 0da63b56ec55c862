"""Indicators the web map derives from the aggregated areas: saving potential per dwelling and
the cost per tonne of CO2 avoided.

Both come from columns of :func:`wijkreno.aggregate.areas.aggregate_dwellings` (the sums of the
chosen renovation packages per area); nothing is recomputed from the dwellings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkreno.errors import InputError

MAP_INDICATOR_COLUMNS: tuple[str, ...] = (
    "plan_saving_kwh_per_dwelling", "plan_saving_co2_flemish_per_dwelling_kg_co2",
    "co2_abatement_cost_eur_per_t",
)
"""Columns :func:`add_map_indicators` adds (those its inputs allow)."""


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    n = pd.to_numeric(num, errors="coerce").astype("float64")
    d = pd.to_numeric(den, errors="coerce").astype("float64")
    return (n / d.where(d > 0)).where(np.isfinite(n))


def add_map_indicators(areas: pd.DataFrame, *, horizon_years: float) -> pd.DataFrame:
    """The areas with the web map's derived indicators added.

    Parameters
    ----------
    areas : pandas.DataFrame
        Aggregated areas with ``n_dwellings`` and the plan sums ``plan_saving_kwh``,
        ``plan_saving_co2_flemish_kg_co2`` [kg/yr] and ``plan_net_cost_eur`` (those present
        are used).
    horizon_years : float
        Years over which a renovation's yearly CO2 saving counts [yr] (the calculation period of
        ``renovation.toml [economics] horizon_years``).

    Returns
    -------
    pandas.DataFrame
        A copy, indexed like ``areas``, with (when the inputs are there)

        ``plan_saving_kwh_per_dwelling``
            the packages' yearly energy saving per dwelling [kWh/yr];
        ``plan_saving_co2_flemish_per_dwelling_kg_co2``
            their yearly CO2 saving per dwelling [kg/yr] (Flemish factors);
        ``co2_abatement_cost_eur_per_t``
            net cost after premiums per tonne of CO2 avoided over the horizon
            [EUR/t] = ``plan_net_cost_eur / (plan_saving_co2_flemish_kg_co2 / 1000 *
            horizon_years)``; missing where nothing is saved; negative where premiums exceed
            the cost.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"n_dwellings": [10], "plan_saving_kwh": [50_000.0],
    ...                   "plan_saving_co2_flemish_kg_co2": [10_000.0],
    ...                   "plan_net_cost_eur": [600_000.0]})
    >>> add_map_indicators(a, horizon_years=30)["co2_abatement_cost_eur_per_t"].item()
    2000.0
    """
    if not (np.isfinite(horizon_years) and horizon_years > 0):
        raise InputError(f"horizon_years must be a positive number of years, got "
                         f"{horizon_years!r}.")
    out = areas.copy()
    cols = set(areas.columns)
    if {"plan_saving_kwh", "n_dwellings"} <= cols:
        out["plan_saving_kwh_per_dwelling"] = _ratio(areas["plan_saving_kwh"],
                                                     areas["n_dwellings"])
    if ({"plan_saving_co2_flemish_kg_co2", "n_dwellings"} <= cols
            and "plan_saving_co2_flemish_per_dwelling_kg_co2" not in cols):
        out["plan_saving_co2_flemish_per_dwelling_kg_co2"] = _ratio(
            areas["plan_saving_co2_flemish_kg_co2"], areas["n_dwellings"])
    if {"plan_net_cost_eur", "plan_saving_co2_flemish_kg_co2"} <= cols:
        tonnes = (pd.to_numeric(areas["plan_saving_co2_flemish_kg_co2"], errors="coerce")
                  .astype("float64") / 1000.0 * horizon_years)
        out["co2_abatement_cost_eur_per_t"] = _ratio(areas["plan_net_cost_eur"], tonnes)
    return out


__all__ = ["MAP_INDICATOR_COLUMNS", "add_map_indicators"]
