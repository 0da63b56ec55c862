"""What the coach knows beats the default: per-address overrides on top of the twin.

A renovation coach corrects what the twin had to guess (the roof was insulated in 2015, the
household has a heat pump, its real EPC score, its metered gas use, its income category) in an
overrides table (read from CSV with :func:`wijkreno.io.overrides.read_overrides`).
:func:`apply_overrides` returns a NEW dwellings table with those values applied, never editing
the twin, and a changes table saying what changed for whom; rows it cannot use are listed
there too with a reason (status ``rejected``), never dropped silently.

Overrides change only the columns they name:

``roof_insulated_year``, ``wall_insulated_year``, ``floor_insulated_year``
    the element's U-value becomes ``1 / (1/U_twin + R_added)`` with the R added by insulation
    works of that era (``renovation.toml [overrides.<element>]``; the latest era uses the
    catalogue measure's R), its ``<column>_source`` becomes ``observed``, and the year is kept
    in a column of the same name;
``glazing_year``
    ``u_window_w_per_m2k`` and ``g_window_frac`` of windows of that era (latest: the catalogue's
    ``hr_glazing``), ``u_window_w_per_m2k_source`` ``observed``, the year in ``glazing_year``;
``heating_system``
    the system and ``heating_system_source = observed``;
``measured_epc_score_kwh_per_m2``, ``metered_gas_kwh``, ``metered_electricity_kwh``,
``income_category``, ``tenure``, ``deed_year``
    kept as columns of those names (for calibration, premiums and the renovation obligation).

Overrides are applied to the twin as built (the twin's U-value is the state before the works
the coach reports); applying them to an already overridden table would insulate twice.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.renovate.catalogue import (
    Catalogue,
    ElementOverride,
    RenovationParams,
    load_catalogue,
    load_renovation_params,
)
from wijkreno.twin.schema import OVERRIDE_COLUMNS, OVERRIDE_NAMES, check_overrides
from wijkreno.twin.schema import OVERRIDE_KEY_COLUMNS as KEY_COLUMNS

CHANGES_COLUMNS: tuple[str, ...] = (
    "dwelling_id", "adres_id", "row", "column", "old", "new", "source", "status", "reason",
)
"""Columns of the changes table of :func:`apply_overrides`."""

_BY_NAME = {c.name: c for c in OVERRIDE_COLUMNS}

_ELEMENTS: dict[str, tuple[str, str]] = {
    # override column -> (element of renovation.toml [overrides], U column)
    "roof_insulated_year": ("roof", "u_roof_w_per_m2k"),
    "wall_insulated_year": ("wall", "u_wall_w_per_m2k"),
    "floor_insulated_year": ("floor", "u_floor_w_per_m2k"),
    "glazing_year": ("glazing", "u_window_w_per_m2k"),
}


def _locate(dwellings: pd.DataFrame, overrides: pd.DataFrame) -> np.ndarray:
    """Position in ``dwellings`` of each override row (-1 when unknown)."""
    pos = np.full(len(overrides), -1, dtype=np.int64)
    done = np.zeros(len(overrides), dtype=bool)
    for key in KEY_COLUMNS:
        if key not in overrides.columns or key not in dwellings.columns:
            continue
        ids = overrides[key].astype("string").str.strip()
        given = ids.fillna("").ne("").to_numpy() & ~done
        if not given.any():
            continue
        index = pd.Index(dwellings[key].astype("string"))
        if not index.is_unique:
            index = index.drop_duplicates(keep=False)
            found = pd.Index(dwellings[key].astype("string")).get_indexer_for(
                ids[given].to_numpy(dtype=object))
            found = np.where(np.isin(ids[given].to_numpy(dtype=object), index), found, -1)
        else:
            found = index.get_indexer(ids[given].to_numpy(dtype=object))
        pos[given] = found
        done |= given
    return pos


def _era_values(
    years: np.ndarray, rule: ElementOverride, catalogue: Catalogue, element: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per year: R added (roof/wall/floor) or U and g (glazing) of the era's works."""
    starts = np.array([e.from_year for e in rule.eras], dtype=np.float64)
    r = np.full(len(rule.eras), np.nan)
    u = np.full(len(rule.eras), np.nan)
    g = np.full(len(rule.eras), np.nan)
    for i, e in enumerate(rule.eras):
        if e.measure is not None:
            m = catalogue.measures.get(e.measure)
            if m is None:
                raise InputError(
                    f"renovation.toml [overrides.{element}] names measure {e.measure!r}, which "
                    f"is not in the catalogue ({sorted(catalogue.measures)})."
                )
            if element == "glazing":
                if m.u_after_w_per_m2k is None or m.g_after_frac is None:
                    raise InputError(f"measure {e.measure!r} gives no U and g of windows.")
                u[i], g[i] = m.u_after_w_per_m2k.value, m.g_after_frac.value
            else:
                if m.r_added_m2k_per_w is None:
                    raise InputError(f"measure {e.measure!r} adds no thermal resistance.")
                r[i] = m.r_added_m2k_per_w.value
        else:
            r[i] = np.nan if e.r_added_m2k_per_w is None else e.r_added_m2k_per_w
            u[i] = np.nan if e.u_w_per_m2k is None else e.u_w_per_m2k
            g[i] = np.nan if e.g_frac is None else e.g_frac
    idx = np.searchsorted(starts, years, side="right") - 1
    ok = idx >= 0
    idx = np.where(ok, idx, 0)
    nan = np.full(len(years), np.nan)
    return (np.where(ok, r[idx], nan), np.where(ok, u[idx], nan), np.where(ok, g[idx], nan))


def _as_column_values(series: pd.Series, kind: str) -> pd.Series:
    if kind in ("year", "int"):
        return pd.to_numeric(series, errors="coerce").round().astype("Int64")
    if kind == "float":
        return pd.to_numeric(series, errors="coerce").astype("float64")
    return series.astype("string").str.strip()


def apply_overrides(
    dwellings: pd.DataFrame,
    overrides: pd.DataFrame,
    *,
    catalogue: Catalogue | None = None,
    renovation: RenovationParams | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply a coach's overrides to a copy of the dwellings table.

    Parameters
    ----------
    dwellings : pandas.DataFrame or geopandas.GeoDataFrame
        The twin's ``dwellings`` table (not modified).
    overrides : pandas.DataFrame
        One row per dwelling: a key (:data:`KEY_COLUMNS`) and any of :data:`OVERRIDE_NAMES`
        (missing values = no override), e.g. from :func:`wijkreno.io.overrides.read_overrides`;
        an optional ``reason`` column marks rows already refused by the reader, an optional
        ``row`` column gives their position in the file.
    catalogue, renovation : optional
        Give the R added / U and g of insulation works per era; packaged files when None.

    Returns
    -------
    dwellings : same type as the input
        A new table, same index and row order; only the named columns (and the source flags
        of the U-values and heating system they set) differ; new columns for
        ``*_insulated_year``, ``glazing_year``, ``measured_epc_score_kwh_per_m2``,
        ``metered_gas_kwh``, ``metered_electricity_kwh``, ``income_category``, ``tenure``,
        ``deed_year`` when the overrides carry them (missing for dwellings without override).
    changes : pandas.DataFrame
        Columns :data:`CHANGES_COLUMNS`: one ``applied`` row per changed value (``old`` and
        ``new`` as objects, ``source = 'coach'``), one ``rejected`` row per override row that
        could not be used, with the reason (unknown dwelling, bad value, duplicate, year
        before construction).

    Raises
    ------
    InputError
        When an override column is unknown or there is no key column.
    """
    cat = catalogue or load_catalogue()
    ren = renovation or load_renovation_params()
    ov = overrides.reset_index(drop=True)
    reason = np.array(check_overrides(ov).to_numpy(dtype=object), dtype=object)
    if "reason" in ov.columns:
        earlier = ov["reason"].astype("string").fillna("").to_numpy(dtype=object)
        reason = np.where(earlier != "", earlier, reason).astype(object)
    rows = (pd.to_numeric(ov["row"], errors="coerce").to_numpy(dtype=np.float64)
            if "row" in ov.columns else np.arange(len(ov), dtype=np.float64))
    pos = _locate(dwellings, ov)
    ids = {k: (ov[k].astype("string").to_numpy(dtype=object) if k in ov.columns
               else np.full(len(ov), None, dtype=object)) for k in KEY_COLUMNS}
    unknown = (pos < 0) & (reason == "")
    if unknown.any():
        reason[unknown] = [
            (f"dwelling_id {d} is not in the twin" if _given(d) else
             f"adres_id {a} is not in the twin")
            for d, a in zip(ids["dwelling_id"][unknown], ids["adres_id"][unknown], strict=True)
        ]
    # several rows for one dwelling: refuse them all (the coach merges them)
    dup = (pos >= 0) & pd.Series(pos).duplicated(keep=False).to_numpy()
    if dup.any():
        reason[dup & (reason == "")] = "several override rows for this dwelling; merge them"
    present = [c for c in OVERRIDE_NAMES if c in ov.columns]
    values = {c: _as_column_values(ov[c], _BY_NAME[c].kind) for c in present}
    # insulated or glazed before the building was built
    if "construction_year" in dwellings.columns:
        built = pd.to_numeric(dwellings["construction_year"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan)
        b = np.where(pos >= 0, built[np.maximum(pos, 0)], np.nan)
        for c in _ELEMENTS:
            if c in values:
                y = values[c].to_numpy(dtype=np.float64, na_value=np.nan)
                early = (y < b) & (reason == "")
                if early.any():
                    reason[early] = [f"{c} {int(a)} lies before the construction year {int(e)}"
                                     for a, e in zip(y[early], b[early], strict=True)]
    ok = reason == ""
    target = pos[ok]

    out = dwellings.copy()
    applied: list[pd.DataFrame] = []
    target_ids = {
        k: (dwellings[k].iloc[target].to_numpy(dtype=object) if k in dwellings.columns
            else ids[k][ok]) for k in KEY_COLUMNS
    }

    def record(column: str, old: np.ndarray, new: np.ndarray, where: np.ndarray) -> None:
        """Log the changes at override rows ``where`` (positions into the ok rows)."""
        if not where.any():
            return
        o_idx = np.flatnonzero(ok)[where]
        applied.append(pd.DataFrame({
            "dwelling_id": target_ids["dwelling_id"][where],
            "adres_id": target_ids["adres_id"][where],
            "row": rows[o_idx],
            "column": column,
            "old": pd.Series(old[where], dtype=object).to_numpy(),
            "new": pd.Series(new[where], dtype=object).to_numpy(),
        }))

    def set_values(column: str, new: np.ndarray, where: np.ndarray, dtype: Any) -> None:
        """Set ``column`` at target rows ``where`` (bool over ok rows) to ``new[where]``."""
        if column in out.columns:
            current = out[column]
        elif dtype == "float64":
            current = pd.Series(np.nan, index=out.index, dtype="float64")
        else:
            current = pd.Series(pd.NA, index=out.index, dtype=dtype)
        old = current.iloc[target].to_numpy(dtype=object)
        changed = where & ~_same(old, new)
        if changed.any():
            rows_changed = target[changed]
            if isinstance(current.dtype, pd.CategoricalDtype):
                extra = [v for v in pd.unique(new[changed]) if v not in current.cat.categories]
                current = current.cat.add_categories(extra) if extra else current.copy()
                current.iloc[rows_changed] = list(new[changed])
            elif pd.api.types.is_float_dtype(current.dtype) and not isinstance(
                    current.dtype, pd.api.extensions.ExtensionDtype):
                current = current.copy()
                current.iloc[rows_changed] = np.asarray(new[changed], dtype=np.float64)
            else:
                try:
                    current = current.copy()
                    current.iloc[rows_changed] = pd.array(list(new[changed]),
                                                          dtype=current.dtype)
                except (TypeError, ValueError):
                    # a column of another dtype in the twin (e.g. int64 years): rebuild it
                    arr = current.to_numpy(dtype=object).copy()
                    arr[rows_changed] = new[changed]
                    current = pd.Series(arr, index=out.index).convert_dtypes()
        if changed.any() or column not in out.columns:
            out[column] = current
        record(column, old, new, changed)

    for c in present:
        v = values[c].iloc[np.flatnonzero(ok)]
        given = v.notna().to_numpy()
        if not given.any():
            continue
        col = _BY_NAME[c]
        if c in _ELEMENTS:
            element, u_col = _ELEMENTS[c]
            years = v.to_numpy(dtype=np.float64, na_value=np.nan)
            r_add, u_era, g_era = _era_values(years, getattr(ren.overrides, element), cat,
                                              element)
            u_now = pd.to_numeric(out[u_col], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan)[target]
            if element == "glazing":
                u_new = u_era
                set_values("g_window_frac", g_era, given, "float64")
            else:
                u_new = np.minimum(1.0 / (1.0 / np.maximum(u_now, 1e-9) + r_add), u_now)
            set_values(u_col, u_new, given, "float64")
            src = f"{u_col}_source"
            if src in out.columns:
                set_values(src, np.full(len(target), "observed", dtype=object), given, "string")
            set_values(c, v.to_numpy(dtype=object), given, "Int64")
        elif c == "heating_system":
            set_values(c, v.to_numpy(dtype=object), given, "string")
            if "heating_system_source" in out.columns:
                set_values("heating_system_source",
                           np.full(len(target), "observed", dtype=object), given, "string")
        else:
            dtype = {"year": "Int64", "int": "Int64", "float": "float64",
                     "text": "string"}[col.kind]
            set_values(c, v.to_numpy(dtype=object), given, dtype)

    changes = pd.concat(applied, ignore_index=True) if applied else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("dwelling_id", "adres_id", "row", "column",
                                              "old", "new")})
    changes["source"] = "coach"
    changes["status"] = "applied"
    changes["reason"] = ""
    bad = np.flatnonzero(~ok)
    if len(bad):
        rejected = pd.DataFrame({
            "dwelling_id": ids["dwelling_id"][bad],
            "adres_id": ids["adres_id"][bad],
            "row": rows[bad],
            "column": "",
            "old": None,
            "new": None,
            "source": "coach",
            "status": "rejected",
            "reason": reason[bad],
        })
        changes = pd.concat([changes, rejected], ignore_index=True)
    changes["row"] = pd.to_numeric(changes["row"], errors="coerce").astype("Int64")
    return out, changes[list(CHANGES_COLUMNS)]


def _given(value: Any) -> bool:
    return not (value is None or pd.isna(value) or str(value).strip() == "")


def _same(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Element-wise 'unchanged' for object arrays holding numbers, strings or missing values."""
    o = pd.Series(old, dtype=object)
    n = pd.Series(new, dtype=object)
    both_na = (o.isna() & n.isna()).to_numpy()
    eq = np.array([a == b if not (pd.isna(a) or pd.isna(b)) else False
                   for a, b in zip(o, n, strict=True)], dtype=bool) if len(o) else np.zeros(0, bool)
    return both_na | eq
