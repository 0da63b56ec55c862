"""Simulate a large stock partition by partition (the statistical stock of all of Flanders).

:func:`simulate_stock` runs :func:`wijkreno.simulate.engine.simulate_dwellings` on each
partition of a dwellings table (by default each municipality, ``nis_code``) and returns one
frame indexed like the input, with the partition and area keys copied from the stock so that the
results aggregate to sectors and municipalities. Memory stays bounded by the largest partition's
intermediate arrays; the engine's numba kernels run on all threads within a partition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.simulate.engine import simulate_dwellings

if TYPE_CHECKING:
    from wijkreno.params.models.heat_balance import HeatBalanceParams
    from wijkreno.simulate.climate import MonthlyClimate
    from wijkreno.simulate.params import SystemParams

log = logging.getLogger(__name__)

STOCK_KEYS: tuple[str, ...] = (
    "nis_code", "sector_code", "typology", "statbel_type", "tabula_period", "construction_year",
)
"""Columns of the stock copied to the results when present (area keys and strata)."""


def simulate_stock(
    stock: pd.DataFrame,
    *,
    by: str = "nis_code",
    keys: Sequence[str] = STOCK_KEYS,
    climate: MonthlyClimate | None = None,
    heat_params: HeatBalanceParams | None = None,
    system_params: SystemParams | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> pd.DataFrame:
    """Simulate every dwelling of ``stock``, one partition (municipality) at a time.

    Parameters
    ----------
    stock : DataFrame
        Dwellings with the engine's input columns
        (:func:`wijkreno.twin.statistical.build_statistical_stock` or a twin's dwellings).
    by : str
        Partition column (``nis_code``).
    keys : sequence of str
        Stock columns copied into the results (those present).
    climate, heat_params, system_params
        As in :func:`~wijkreno.simulate.engine.simulate_dwellings`.
    progress : callable, optional
        Called as ``progress(partition, n_rows)`` after each partition (for a CLI bar).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``stock``: the key columns, then the engine's columns. ``attrs`` holds
        ``basis`` ("standardised"), ``invalid_counts`` summed over partitions and
        ``n_partitions``.
    """
    if by not in stock.columns:
        raise InputError(f"the stock has no partition column {by!r} (columns: "
                         f"{list(stock.columns)[:12]}...)")
    codes, names = pd.factorize(stock[by], sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    parts = []
    invalid: dict[str, int] = {}
    for j, name in enumerate(names):
        rows = order[bounds[j]:bounds[j + 1]]
        part = stock.iloc[rows]
        res = simulate_dwellings(part, climate=climate, heat_params=heat_params,
                                 system_params=system_params)
        for k, v in res.attrs.get("invalid_counts", {}).items():
            invalid[k] = invalid.get(k, 0) + v
        parts.append(res)
        if progress is not None:
            progress(str(name), len(rows))
    if parts:
        results = pd.concat(parts)
        results = results.loc[stock.index]
    else:
        results = simulate_dwellings(stock)
    present = [k for k in keys if k in stock.columns and k not in results.columns]
    if present:
        results = pd.concat([stock[present], results], axis=1)
    results.attrs.update({"basis": "standardised", "invalid_counts": invalid,
                          "n_partitions": len(names)})
    return results


__all__ = ["STOCK_KEYS", "simulate_stock"]
