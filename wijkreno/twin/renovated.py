"""The "as renovated" layer: the twin with the measures the register says are done.

The twin describes the building stock as the public sources (and the imputation) see it. The
municipality's register of realised renovations (:mod:`wijkreno.register`) knows better for the
dwellings where a measure was carried out: the roof insulated in 2023, a heat pump installed in
2024. :func:`apply_register` returns a NEW dwellings table, the twin as renovated, so that the
simulation, the trajectories, the maps and the sheets start from the state that is there now
and never propose again what is done. It never edits the twin itself.

What a register row changes (the catalogue's figures, ``measures.toml``, as the renovation
options use them in :mod:`wijkreno.renovate.applicability`):

roof, wall, floor
    ``u_<element>_w_per_m2k = 1 / (1/U_twin + R_added)`` with the measure's ``R_added``; attic
    floor insulation as the equivalent U on the roof area (``* A_attic / A_roof``,
    ``A_attic = min(A_ground_floor, A_roof)``).
glazing
    ``u_window_w_per_m2k`` and ``g_window_frac`` of the measure.
ventilation
    ``infiltration_ach`` (at most the measure's) and ``heat_recovery_frac`` (at least the
    measure's).
heating
    ``heating_system`` of the measure and the emitter temperature of its heat-pump condition
    (``renovation.toml [applicability.heating.options]``).
pv
    ``pv_kwp`` sized as the options size it (suitable roof share, capped), ``pv_yield_kwh``.
solar_water_heater
    ``dhw_solar_frac`` of the measure.
heat_pump_boiler
    ``dhw_system = "heat_pump_boiler"`` (the catalogue's hot-water dimension, shared with the
    solar water heater; register-only where a catalogue lacks it).

Every changed value's ``<column>_source`` becomes ``observed``, and per dimension the dwelling
gets ``done_<dimension>_year`` (what :func:`wijkreno.renovate.applicability.measure_options`
reads to never offer the dimension again), ``done_<dimension>_measure``,
``done_<dimension>_date`` (ISO date) and ``done_<dimension>_origin`` (``register``). Per dwelling
and dimension the latest realisation counts; earlier ones of the same dimension are listed as
``superseded``. Every register row ends in the ``applied`` table with its status and reason,
none is dropped silently.

Precedence with a coach's overrides (:func:`register_conflicts`): for a dimension the register
records, **the register wins**. It is a dated realisation the municipality registered (mostly
with the premium file behind it); the coach's value for that dimension is not applied (it would
also insulate twice: the coach's ``*_insulated_year`` is applied to the twin as built), and
where it says something else (another heating system, another year) the disagreement is
reported as a conflict for the coach and the municipality to settle in the register or in the
overrides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.energy_systems import load_system_params
from wijkreno.params.models.renovation import (
    Catalogue,
    RenovationParams,
    load_catalogue,
    load_renovation_params,
)
from wijkreno.params.names import DIMENSIONS
from wijkreno.twin.roof import pv_kwp, roof_pitched
from wijkreno.twin.schema import OVERRIDE_KEY_COLUMNS

REGISTER_ONLY_MEASURES: dict[str, str] = {"heat_pump_boiler": "dhw"}
"""Register measures outside the renovation catalogue → the dimension they are recorded in."""

DONE_DIMENSIONS: tuple[str, ...] = (*DIMENSIONS, "dhw")
"""Dimensions a register row can mark as done (the catalogue's and hot water)."""

APPLIED_COLUMNS: tuple[str, ...] = (
    "renovation_id", "dwelling_id", "adres_id", "measure", "dimension", "completed_on",
    "upload_id", "status", "reason",
)
"""Columns of the ``applied`` table of :func:`apply_register`; ``status`` is ``applied``,
``superseded`` (a later measure of the same dimension counts), ``unmatched`` (no dwelling of
the twin), ``later`` (completed after ``as_of``) or ``unknown_measure``."""

CONFLICT_COLUMNS: tuple[str, ...] = (
    "dwelling_id", "adres_id", "dimension", "register_measure", "register_date",
    "register_value", "coach_column", "coach_value", "status", "resolution",
)
"""Columns of the table of :func:`register_conflicts`; ``status`` is ``conflict`` or
``agrees``, ``resolution`` says which value is used."""

COACH_COLUMNS: dict[str, str] = {
    "roof_insulated_year": "roof", "wall_insulated_year": "wall",
    "floor_insulated_year": "floor", "glazing_year": "glazing", "heating_system": "heating",
}
"""Coach override column → the register dimension it describes."""

RESOLUTION = "register"
"""Which source wins when the register and a coach's override describe the same dimension."""

_NEW_COLUMN_DEFAULTS: dict[str, float] = {"pv_kwp": 0.0, "dhw_solar_frac": 0.0,
                                           "heat_recovery_frac": 0.0}
"""Value of the other dwellings when a register measure adds a column the twin lacks (what the
engine and the options assume without the column); the emitter temperature takes the energy
systems' default."""

_U_COLUMN = {"roof": "u_roof_w_per_m2k", "wall": "u_wall_w_per_m2k",
             "floor": "u_floor_w_per_m2k"}


def _numbers(frame: pd.DataFrame, column: str, default: float) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default, dtype=np.float64)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64,
                                                                    na_value=np.nan)
    return np.where(np.isnan(values), default, values)


def _keys(series: pd.Series) -> np.ndarray:
    return series.astype("string").str.strip().fillna("").to_numpy(dtype=object)


def _locate(dwellings: pd.DataFrame, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Position in ``dwellings`` of each row (dwelling_id first, then adres_id; -1 when none or
    ambiguous) and the reason when not found."""
    pos = np.full(len(rows), -1, dtype=np.int64)
    reason = np.full(len(rows), "", dtype=object)
    tried = np.zeros(len(rows), dtype=bool)
    for key in OVERRIDE_KEY_COLUMNS:
        if key not in rows.columns or key not in dwellings.columns:
            continue
        given = _keys(rows[key])
        own = pd.Series(np.arange(len(dwellings)), index=_keys(dwellings[key]))
        counts = own.index.value_counts()
        single = own[~own.index.duplicated(keep=False)]
        todo = np.flatnonzero((pos < 0) & (given != ""))
        tried[todo] = True
        n = pd.Series(given[todo]).map(counts).fillna(0).to_numpy(dtype=np.int64)
        one = todo[n == 1]
        pos[one] = single.reindex(given[one]).to_numpy(dtype=np.int64)
        ambiguous = (n > 1) & (reason[todo] == "")
        many = todo[ambiguous]
        reason[many] = [f"{key} {g} matches {k} dwellings of the twin"
                        for g, k in zip(given[many], n[ambiguous], strict=True)]
    none = (pos < 0) & (reason == "")
    reason[none & tried] = "address not in the twin"
    reason[none & ~tried] = "no adres_id or dwelling_id"
    return pos, np.where(pos >= 0, "", reason).astype(object)


def _dates(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values, errors="coerce").dt.date.to_numpy(dtype=object)


def _per_dwelling(reg: pd.DataFrame, dwellings: pd.DataFrame) -> pd.DataFrame:
    """A building-wide register row (``gebouw_id`` without an address: the roof of an apartment
    building) as one row per dwelling of that building of the twin."""
    if "gebouw_id" not in reg.columns or "gebouw_id" not in dwellings.columns:
        return reg
    no_address = np.ones(len(reg), dtype=bool)
    for key in OVERRIDE_KEY_COLUMNS:
        if key in reg.columns:
            no_address &= _keys(reg[key]) == ""
    building = no_address & (_keys(reg["gebouw_id"]) != "")
    if not building.any():
        return reg
    own = pd.DataFrame({"gebouw_id": _keys(dwellings["gebouw_id"]),
                        "dwelling_id": _keys(dwellings["dwelling_id"])})
    rows = reg.loc[building].assign(gebouw_id=_keys(reg.loc[building, "gebouw_id"]))
    rows = rows.drop(columns=["dwelling_id"], errors="ignore").merge(
        own, on="gebouw_id", how="left")  # a building not in the twin keeps one unmatched row
    rows["dwelling_id"] = rows["dwelling_id"].fillna("")
    return pd.concat([reg.loc[~building], rows], ignore_index=True)


def apply_register(
    dwellings: pd.DataFrame,
    renovations: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    catalogue: Catalogue | None = None,
    renovation: RenovationParams | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The twin as renovated: the register's realised measures applied to a copy.

    Parameters
    ----------
    dwellings : pandas.DataFrame or geopandas.GeoDataFrame
        The twin's ``dwellings`` table (not modified): ``dwelling_id``, ``adres_id``, the
        envelope columns, ``heating_system``; optional ``nis_code``, ``heat_recovery_frac``,
        ``roof_flat``.
    renovations : pandas.DataFrame
        The register's renovations (:meth:`wijkreno.register.Register.renovations` layout, or
        its export ``wijkreno register list renovations -o FILE.csv``): ``measure``,
        ``completed_on`` and ``adres_id``, ``dwelling_id`` or ``gebouw_id``; optional
        ``renovation_id``, ``nis_code``, ``upload_id``.
    as_of : datetime.date, optional
        Only measures completed on or before this date count (the state at that date); all
        when None.
    catalogue, renovation : optional
        ``measures.toml`` and ``renovation.toml``; the packaged files when None.

    Returns
    -------
    dwellings : same type as the input
        Same index, rows and order; changed values as described in the module docstring,
        plus ``done_<dimension>_year`` (float, NaN when not done), ``done_<dimension>_measure``,
        ``done_<dimension>_date`` and ``done_<dimension>_origin`` for every dimension of
        :data:`DONE_DIMENSIONS` that a register row touches.
    applied : pandas.DataFrame
        One row per register row, columns :data:`APPLIED_COLUMNS`; a building-wide row
        (``gebouw_id`` without an address, e.g. the roof of an apartment building) counts for
        every dwelling of that building and gives one row per dwelling, after the others.

    Raises
    ------
    InputError
        When ``renovations`` lacks ``measure`` or ``completed_on``, or has neither
        ``adres_id`` nor ``dwelling_id``.
    """
    missing = [c for c in ("measure", "completed_on") if c not in renovations.columns]
    if missing or not set(OVERRIDE_KEY_COLUMNS) & set(renovations.columns):
        raise InputError(
            f"the register's renovations lack the columns {missing or ['adres_id/dwelling_id']}"
            f"; they have {list(renovations.columns)}. Export them with `wijkreno register "
            "list renovations --nis NIS -o renovaties.csv`.")
    cat = catalogue or load_catalogue()
    ren = renovation or load_renovation_params()
    reg = _per_dwelling(renovations.reset_index(drop=True), dwellings)
    n_rows = len(reg)
    measure = reg["measure"].astype("string").str.strip().fillna("").to_numpy(dtype=object)
    dimension = np.array([
        cat.measures[m].dimension if m in cat.measures else REGISTER_ONLY_MEASURES.get(m, "")
        for m in measure], dtype=object)
    completed = _dates(reg["completed_on"])
    pos, reason = _locate(dwellings, reg)
    if "gebouw_id" in reg.columns:
        building = _keys(reg["gebouw_id"])
        lost = (pos < 0) & (reason == "no adres_id or dwelling_id") & (building != "")
        reason[lost] = [f"gebouw_id {b} is not in the twin" for b in building[lost]]
    status = np.where(pos >= 0, "applied", "unmatched").astype(object)
    if "nis_code" in reg.columns and "nis_code" in dwellings.columns:
        own_nis = _keys(dwellings["nis_code"])
        row_nis = _keys(reg["nis_code"])
        other = (pos >= 0) & (row_nis != "") & (row_nis != own_nis[np.maximum(pos, 0)])
        status[other] = "unmatched"
        reason[other] = [f"municipality {a} is not the dwelling's {b}" for a, b in
                         zip(row_nis[other], own_nis[pos[other]], strict=True)]
    unknown = dimension == ""
    status[unknown] = "unknown_measure"
    reason[unknown] = [f"measure {m!r} is neither in the catalogue nor register-only"
                       for m in measure[unknown]]
    no_date = np.array([d is None or pd.isna(d) for d in completed], dtype=bool)
    status[no_date & (status == "applied")] = "unmatched"
    reason[no_date & (reason == "")] = "no completion date"
    if as_of is not None:
        later = (status == "applied") & np.array(
            [d is not None and not pd.isna(d) and d > as_of for d in completed], dtype=bool)
        status[later] = "later"
        reason[later] = f"completed after {as_of.isoformat()}"
    # per dwelling and dimension the latest realisation counts
    live = np.flatnonzero(status == "applied")
    ranked = pd.DataFrame({"pos": pos[live], "dim": dimension[live], "done": completed[live],
                           "row": live}).sort_values(["pos", "dim", "done", "row"])
    later_one = ranked.duplicated(["pos", "dim"], keep="last").to_numpy(dtype=bool)
    row_sorted = ranked["row"].to_numpy(dtype=np.int64)
    lost, by = row_sorted[:-1][later_one[:-1]], row_sorted[1:][later_one[:-1]]
    status[lost] = "superseded"
    reason[lost] = [f"{measure[j]} of {completed[j].isoformat()} (register row {j}) is later"
                    for j in by]
    winners = row_sorted[~later_one]

    out = dwellings.copy()
    n = len(out)
    state = {c: _numbers(out, c, np.nan) for c in (
        "u_roof_w_per_m2k", "u_wall_w_per_m2k", "u_floor_w_per_m2k", "u_window_w_per_m2k",
        "g_window_frac", "infiltration_ach")}
    roof_area = _numbers(out, "roof_area_m2", 0.0)
    attic_area = np.minimum(_numbers(out, "ground_floor_area_m2", 0.0), roof_area)
    puts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}

    def put(column: str, p: np.ndarray, value: Any) -> None:
        values = np.asarray(value)
        if values.dtype.kind != "f":
            values = values.astype(object)
        values = np.broadcast_to(values, p.shape)
        puts.setdefault(column, []).append((p, values))

    pv_rule = ren.applicability.pv
    pitched = roof_pitched(out, roof_area, _numbers(out, "ground_floor_area_m2", 0.0),
                           ren.applicability.roof)
    hr_now = _numbers(out, "heat_recovery_frac", 0.0)
    w_measure = measure[winners]
    dim_of = dict(zip(w_measure, dimension[winners], strict=True))  # a measure has one dimension
    # dimensions in sorted order: where two write dhw_system, the later dimension wins
    for name in sorted(dim_of, key=lambda x: (dim_of[x], x)):
        rows_i = winners[w_measure == name]
        p = pos[rows_i]
        dim = str(dimension[rows_i[0]])
        if dim == "dhw":
            put("dhw_system", p, "heat_pump_boiler")
        else:
            m = cat.measures[name]
            if dim in _U_COLUMN:
                col = _U_COLUMN[dim]
                u = state[col][p]
                r_add = m.r_added_m2k_per_w.value if m.r_added_m2k_per_w is not None else 0.0
                new = 1.0 / (1.0 / np.maximum(u, 1e-9) + r_add)
                if m.quantity == "attic_floor_area_m2":
                    ratio = np.divide(attic_area[p], roof_area[p], out=np.ones(p.size),
                                      where=roof_area[p] > 0)
                    new = new * ratio
                put(col, p, np.minimum(new, u))
            elif dim == "glazing":
                assert m.u_after_w_per_m2k is not None and m.g_after_frac is not None
                put("u_window_w_per_m2k", p,
                    np.fmin(m.u_after_w_per_m2k.value, state["u_window_w_per_m2k"][p]))
                put("g_window_frac", p, float(m.g_after_frac.value))
            elif dim == "ventilation":
                assert m.infiltration_after_ach is not None and m.heat_recovery_frac is not None
                put("infiltration_ach", p,
                    np.fmin(m.infiltration_after_ach.value, state["infiltration_ach"][p]))
                put("heat_recovery_frac", p, np.fmax(m.heat_recovery_frac.value, hr_now[p]))
            elif dim == "heating":
                heating = ren.applicability.heating
                cond = heating.options.get(name) or heating.options.get(str(m.heating_system))
                put("heating_system", p, m.heating_system)
                if cond is not None:
                    put("emitter_temperature_degc", p, float(cond.emitter_temperature_degc.value))
            elif dim == "pv":
                assert m.m2_per_kwp is not None and m.yield_kwh_per_kwp is not None
                kwp = pv_kwp(pitched[p], roof_area[p], m.m2_per_kwp.value, pv_rule)
                put("pv_kwp", p, kwp)
                put("pv_yield_kwh", p, kwp * m.yield_kwh_per_kwp.value)
            elif dim == "solar_water_heater":  # solar water heater or heat-pump boiler
                if m.dhw_solar_frac is not None:
                    put("dhw_solar_frac", p, float(m.dhw_solar_frac.value))
                if getattr(m, "dhw_system", None):
                    put("dhw_system", p, str(m.dhw_system))
        done = pd.to_datetime(pd.Series(completed[rows_i]))
        put(f"done_{dim}_year", p, done.dt.year.to_numpy(dtype=float))
        put(f"done_{dim}_measure", p, name)
        put(f"done_{dim}_date", p, done.dt.strftime("%Y-%m-%d").to_numpy(dtype=object))
        put(f"done_{dim}_origin", p, "register")
    changed: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for column, parts in puts.items():
        rows_c = np.concatenate([r for r, _ in parts])
        values_c = np.concatenate([v for _, v in parts])
        keep = ~pd.Series(rows_c).duplicated(keep="last").to_numpy(dtype=bool)
        changed[column] = (rows_c[keep], values_c[keep])

    for column, (rows, new) in sorted(changed.items()):  # new columns in name order
        numeric = new.dtype.kind == "f"
        if column in out.columns and isinstance(out[column].dtype, pd.CategoricalDtype):
            current = out[column]
            extra = [v for v in dict.fromkeys(new) if v not in current.cat.categories]
            current = current.cat.add_categories(extra) if extra else current.copy()
        elif column in out.columns:
            current = out[column].copy()
            if numeric:
                current = pd.to_numeric(current, errors="coerce").astype("float64")
            else:
                current = current.astype("object")
        else:
            fill = _NEW_COLUMN_DEFAULTS.get(column, np.nan)
            if column == "emitter_temperature_degc":
                fill = load_system_params().settings.default_emitter_temperature_degc.value
            current = pd.Series(fill if numeric else None, index=out.index,
                                dtype="float64" if numeric else "object")
        current.iloc[rows] = new
        out[column] = current
        src = f"{column}_source"
        if src in out.columns and not column.startswith("done_"):
            source = out[src]
            if isinstance(source.dtype, pd.CategoricalDtype) and \
                    "observed" not in source.cat.categories:
                source = source.cat.add_categories(["observed"])
            source = source.copy()
            source.iloc[rows] = "observed"
            out[src] = source
    for dim in DONE_DIMENSIONS:  # object columns of strings as text for Parquet
        for suffix in ("measure", "date", "origin"):
            col = f"done_{dim}_{suffix}"
            if col in out.columns:
                out[col] = out[col].astype("string")

    ids = {k: (_keys(reg[k]) if k in reg.columns else np.full(n_rows, "", dtype=object))
           for k in OVERRIDE_KEY_COLUMNS}
    twin_ids = (_keys(dwellings["dwelling_id"]) if "dwelling_id" in dwellings.columns
                else np.full(n, "", dtype=object))
    applied = pd.DataFrame({
        "renovation_id": (pd.to_numeric(reg["renovation_id"], errors="coerce").astype("Int64")
                          if "renovation_id" in reg.columns
                          else pd.array(np.arange(n_rows), dtype="Int64")),
        "dwelling_id": np.where(pos >= 0, twin_ids[np.maximum(pos, 0)] if n else "",
                                ids["dwelling_id"]),
        "adres_id": ids["adres_id"],
        "measure": measure,
        "dimension": dimension,
        "completed_on": [None if d is None or pd.isna(d) else d.isoformat() for d in completed],
        "upload_id": (_keys(reg["upload_id"]) if "upload_id" in reg.columns
                      else np.full(n_rows, "", dtype=object)),
        "status": status,
        "reason": reason,
    })
    for col in ("dwelling_id", "adres_id", "measure", "dimension", "completed_on", "upload_id",
                "status", "reason"):
        applied[col] = applied[col].astype("string")
    return out, applied[list(APPLIED_COLUMNS)]


def register_conflicts(
    dwellings: pd.DataFrame, overrides: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where a coach's overrides and the register describe the same dimension of a dwelling.

    For every override row and column of :data:`COACH_COLUMNS` whose dwelling has the
    dimension done in the as-renovated ``dwellings`` (``done_<dimension>_origin ==
    'register'``): the coach's value agrees (same year, same heating system) or conflicts. In
    both cases the register wins (:data:`RESOLUTION`) and the coach's value of that column is
    removed from the returned overrides, so that :func:`wijkreno.renovate.overrides.
    apply_overrides` does not apply it on top of the register's measure.

    Parameters
    ----------
    dwellings : pandas.DataFrame
        The as-renovated dwellings of :func:`apply_register`.
    overrides : pandas.DataFrame
        A coach's overrides (:func:`wijkreno.io.overrides.read_overrides` layout).

    Returns
    -------
    overrides : pandas.DataFrame
        A copy without the values the register decides (missing instead).
    conflicts : pandas.DataFrame
        Columns :data:`CONFLICT_COLUMNS`, one row per overridden value the register decides.
    """
    out = overrides.copy()
    rows: list[dict[str, Any]] = []
    present = [c for c in COACH_COLUMNS if c in out.columns]
    done_cols = [f"done_{COACH_COLUMNS[c]}_origin" for c in present]
    if not present or not any(c in dwellings.columns for c in done_cols) or out.empty:
        return out, pd.DataFrame({c: pd.Series(dtype="object") for c in CONFLICT_COLUMNS})
    pos, _ = _locate(dwellings, out.reset_index(drop=True))
    twin_ids = _keys(dwellings["dwelling_id"])
    adres = (_keys(dwellings["adres_id"]) if "adres_id" in dwellings.columns
             else np.full(len(dwellings), "", dtype=object))
    for column in present:
        dim = COACH_COLUMNS[column]
        origin_col = f"done_{dim}_origin"
        if origin_col not in dwellings.columns:
            continue
        origin = _keys(dwellings[origin_col])
        out[column] = out[column].astype("object")
        coach = out[column]
        for i in np.flatnonzero(pos >= 0):
            p = pos[i]
            value = coach.iloc[i]
            if origin[p] != "register" or value is None or pd.isna(value) or \
                    str(value).strip() == "":
                continue
            reg_measure = str(dwellings[f"done_{dim}_measure"].iloc[p])
            reg_date = str(dwellings[f"done_{dim}_date"].iloc[p])
            if dim == "heating":
                reg_value = str(dwellings["heating_system"].iloc[p])
                coach_value = str(value).strip()
            else:
                reg_value = str(int(float(dwellings[f"done_{dim}_year"].iloc[p])))
                coach_value = str(int(float(value)))
            rows.append({
                "_order": (int(p), list(COACH_COLUMNS).index(column)),
                "dwelling_id": twin_ids[p], "adres_id": adres[p], "dimension": dim,
                "register_measure": reg_measure, "register_date": reg_date,
                "register_value": reg_value, "coach_column": column, "coach_value": coach_value,
                "status": "agrees" if reg_value == coach_value else "conflict",
                "resolution": RESOLUTION,
            })
            out.iloc[i, out.columns.get_loc(column)] = None
    rows.sort(key=lambda r: r.pop("_order"))  # dwellings in table order
    conflicts = pd.DataFrame(rows, columns=list(CONFLICT_COLUMNS))
    return out, conflicts.astype("string")


__all__ = ["APPLIED_COLUMNS", "COACH_COLUMNS", "CONFLICT_COLUMNS", "DONE_DIMENSIONS",
           "REGISTER_ONLY_MEASURES", "RESOLUTION", "apply_register", "register_conflicts"]
