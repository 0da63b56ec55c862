"""Priority score of areas with transparent, configurable weights (``params/priority.toml``).

A municipal officer must see *why* an area ranks high. :func:`priority_score` therefore returns
every component next to the score: ``priority_<component>`` is the component normalised to 0-1
over the areas compared (1 = most priority), ``priority_score`` the weighted mean of the
components and ``priority_rank`` the rank (1 = first to act).

Normalisation (``normalisation`` in the parameter file, or the argument):

``minmax``
    ``c = (x - min) / (max - min)`` over the areas; every area gets 0.5 when all values are
    equal (the component then does not discriminate).
``rank``
    ``c = (rank - 1) / (n - 1)`` with average ranks for ties (0.5 for a single area): robust to
    outliers, but hides how far apart areas are.

A component with ``direction = "lower"`` uses ``1 - c``. A component whose column is absent from
the aggregated frame is skipped (its column is all missing and it is listed in
``attrs["priority_skipped"]``); an area with a missing value for a component is scored on its
other components (weighted mean over what it has).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.priority import (
    PriorityParams,
    load_priority_params,
)

log = logging.getLogger(__name__)


def normalise(values: pd.Series, method: str = "minmax") -> pd.Series:
    """Scale a component to 0-1 over the areas (see the module docstring); NaN stays NaN."""
    x = pd.to_numeric(values, errors="coerce").astype("float64")
    ok = x.notna()
    out = pd.Series(np.nan, index=x.index, dtype="float64")
    if not ok.any():
        return out
    if method == "minmax":
        lo, hi = x[ok].min(), x[ok].max()
        out[ok] = 0.5 if hi == lo else (x[ok] - lo) / (hi - lo)
    elif method == "rank":
        n = int(ok.sum())
        out[ok] = 0.5 if n == 1 else (x[ok].rank(method="average") - 1.0) / (n - 1.0)
    else:
        raise InputError(f"normalisation must be 'minmax' or 'rank', got {method!r}.")
    return out


def priority_score(
    aggregated: pd.DataFrame,
    *,
    weights: Mapping[str, float] | PriorityParams | None = None,
    normalisation: str | None = None,
) -> pd.DataFrame:
    """Score and rank areas for action, with every component visible.

    Parameters
    ----------
    aggregated : DataFrame
        One row per area, as :func:`wijkreno.aggregate.areas.aggregate_dwellings` returns.
    weights : mapping or PriorityParams, optional
        ``{component: weight}`` overriding the packaged weights of ``priority.toml`` (weights
        are relative: they are divided by their sum), or a whole :class:`PriorityParams`.
    normalisation : {'minmax', 'rank'}, optional
        Overrides the parameter file's normalisation.

    Returns
    -------
    DataFrame
        Indexed like ``aggregated``: ``priority_<component>`` for each component [0-1, 1 = most
        priority], ``priority_score`` [0-1] and ``priority_rank`` (1 = highest score; ties share
        the best rank; areas without any component get no rank). ``attrs`` holds
        ``priority_weights`` (the effective weights, summing to 1 over the components used),
        ``priority_columns`` (component → column used), ``priority_skipped`` and
        ``normalisation``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"label_ef_frac": [0.2, 0.6], "epc_score_mean_kwh_per_m2": [300, 420]})
    >>> priority_score(frame)["priority_rank"].tolist()
    [2, 1]
    """
    if isinstance(weights, PriorityParams):
        params = weights
    else:
        params = load_priority_params()
        if weights:
            params = params.with_weights(weights)
    method = normalisation or params.normalisation
    out = pd.DataFrame(index=aggregated.index)
    used: dict[str, str] = {}
    skipped: list[str] = []
    for comp in params.components:
        column = comp.column
        if column not in aggregated.columns and comp.fallback_column in aggregated.columns:
            column = comp.fallback_column
        if column not in aggregated.columns:
            out[f"priority_{comp.name}"] = np.nan
            if comp.weight > 0:
                skipped.append(comp.name)
            continue
        c = normalise(aggregated[column], method)
        out[f"priority_{comp.name}"] = 1.0 - c if comp.direction == "lower" else c
        if comp.weight > 0:
            used[comp.name] = column
    if skipped:
        log.info("priority score: components without data skipped: %s", ", ".join(skipped))
    if not used:
        raise InputError(
            "none of the weighted priority components has a column in the aggregated table "
            f"(looked for {[c.column for c in params.components if c.weight > 0]}); aggregate "
            "with wijkreno.aggregate.areas.aggregate_dwellings first."
        )
    w = pd.Series({c.name: c.weight for c in params.components if c.name in used})
    comps = out[[f"priority_{n}" for n in w.index]].to_numpy(dtype=np.float64)
    wv = w.to_numpy(dtype=np.float64)
    have = np.isfinite(comps)
    wsum = (have * wv).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(have, comps, 0.0) @ wv / wsum
    score = np.where(wsum > 0, score, np.nan)
    # round away float noise so equal component sets tie exactly in the rank
    out["priority_score"] = np.round(score, 12)
    out["priority_rank"] = (
        out["priority_score"].rank(ascending=False, method="min").astype("Int64")
    )
    out.attrs = {
        "priority_weights": {k: float(v) for k, v in (w / w.sum()).items()},
        "priority_columns": used,
        "priority_skipped": skipped,
        "normalisation": method,
    }
    return out


def priority_explanation(params: PriorityParams | None = None) -> pd.DataFrame:
    """The weights table for reports: component, column, direction, weight, rationale, source."""
    params = params or load_priority_params()
    rows: list[dict[str, Any]] = [c.model_dump() for c in params.components]
    return pd.DataFrame(rows)
