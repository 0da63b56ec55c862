"""Aggregation of the per-dwelling results table to statistical sectors, wijken, municipalities.

Three steps, kept apart:

1. put the area key on each dwelling: the twin already holds ``sector_code`` and ``nis_code``;
   :func:`assign_areas` adds another level (``wijk_code``) by point-in-polygon, and
   :func:`assign_areas_by_name` joins sources without coordinates (Genk's ``neighbourhood``) to
   area names, reporting every name it could not match;
2. :func:`aggregate_dwellings` sums and counts per area (vectorised: one ``groupby`` over a
   numeric frame, no loop over areas) and derives shares and means from those sums, so that the
   additive columns (:data:`ADDITIVE_COLUMNS`) add up over areas to the dwelling totals;
3. :func:`wijkreno.aggregate.priority.priority_score` ranks the areas.

Dwellings without an area key are kept in one extra row with a missing key (and no geometry),
so totals are conserved; ``attrs["n_unassigned"]`` counts them.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from wijkreno.aggregate.priority import PriorityParams, load_priority_params
from wijkreno.crs import CRS_EPSG, require_lambert72
from wijkreno.errors import InputError

log = logging.getLogger(__name__)


LEVELS: dict[str, str] = {
    "sector": "sector_code",
    "wijk": "wijk_code",
    "municipality": "nis_code",
}
"""Aggregation levels and the dwelling column holding each level's key."""

AREA_KEY_ALIASES: dict[str, tuple[str, ...]] = {
    "sector_code": ("CD_SECTOR", "statsec", "cd_sector"),
    "wijk_code": ("geoitem", "ggw7"),
    "nis_code": ("CD_MUNTY_REFNIS", "CD_REFNIS", "gemeente", "niscode"),
}
"""Official key fields of area layers (Statbel sectors, ggw7 wijken, municipalities)."""

AREA_NAME_COLUMNS: tuple[str, ...] = (
    "area_name", "naam", "wijk_name", "TX_SECTOR_DESCR_NL", "statsec_naam",
    "TX_MUNTY_DESCR_NL", "gemeente_naam", "name",
)
"""Fields of an area layer that may hold its (Dutch) name, first found wins."""

EPC_LABELS: tuple[str, ...] = ("A+", "A", "B", "C", "D", "E", "F")

SUM_COLUMNS: tuple[str, ...] = (
    "heated_floor_area_m2", "heating_need_kwh", "final_gas_kwh", "final_oil_kwh",
    "final_electricity_kwh", "final_wood_kwh", "primary_energy_kwh", "energy_cost_eur",
    "co2_flemish_kg_co2", "co2_com_kg_co2",
    "plan_investment_eur", "plan_premium_eur", "plan_net_cost_eur", "plan_saving_eur",
    "plan_saving_kwh", "plan_saving_co2_flemish_kg_co2", "plan_saving_co2_com_kg_co2",
    "plan_npv_eur",
)
"""Per-dwelling columns summed per area (when present); missing values count as 0."""

IMPUTED_FLAG_COLUMNS: tuple[str, ...] = (
    "construction_year_source", "heating_system_source", "typology_source",
    "heated_floor_area_m2_source", "u_roof_w_per_m2k_source", "u_wall_w_per_m2k_source",
    "u_floor_w_per_m2k_source", "u_window_w_per_m2k_source", "infiltration_ach_source",
)
"""Source flags read for the share of dwellings with imputed inputs."""


def label_slug(label: str) -> str:
    """Column-safe form of an EPC label: ``'A+'`` → ``'a_plus'``, ``'E'`` → ``'e'``."""
    return label.lower().replace("+", "_plus")


def _count_columns() -> tuple[str, ...]:
    return (
        "n_dwellings", "n_simulated", *(f"n_label_{label_slug(x)}" for x in EPC_LABELS),
        "n_plan", "n_plan_reached", "n_collective", "n_old", "n_old_ef", "n_tenure_known",
        "n_tenant", "n_income_category_known", "n_low_income", "n_imputed_inputs",
        "n_construction_year_imputed", "n_heating_system_imputed",
    )


ADDITIVE_COLUMNS: tuple[str, ...] = (*_count_columns(), *SUM_COLUMNS)
"""Columns of the aggregated table whose sum over areas equals the sum over dwellings."""


# ---------------------------------------------------------------------------------------------
# area layers and keys


def _check_crs(frame: gpd.GeoDataFrame, what: str) -> None:
    require_lambert72(frame, f"the {what}")


def standardise_areas(areas: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    """Area layer with house column names: ``key``, ``area_name`` (when known), ``geometry``.

    Parameters
    ----------
    areas : GeoDataFrame
        Polygons of one level in EPSG:31370, with ``key`` or one of its official names
        (:data:`AREA_KEY_ALIASES`: Statbel ``CD_SECTOR``, ggw7 ``geoitem``, ...).
    key : str
        ``sector_code``, ``wijk_code`` or ``nis_code``.

    Returns
    -------
    GeoDataFrame
        One row per key (the first polygon of a duplicated key is kept), key as string.
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError(f"areas must be a GeoDataFrame of polygons, got {type(areas).__name__}.")
    _check_crs(areas, "area polygons")
    column = key if key in areas.columns else next(
        (c for c in AREA_KEY_ALIASES.get(key, ()) if c in areas.columns), None)
    if column is None:
        raise InputError(
            f"the area layer has no {key!r} column (nor {list(AREA_KEY_ALIASES.get(key, ()))}); "
            f"its columns are {list(areas.columns)}. Rename the key column to {key!r}."
        )
    name = next((c for c in AREA_NAME_COLUMNS if c in areas.columns and c != column), None)
    out = pd.DataFrame({key: areas[column].astype("string").to_numpy()})
    out["area_name"] = areas[name].astype("string").to_numpy() if name else pd.NA
    out = gpd.GeoDataFrame(out, geometry=areas.geometry.to_numpy(), crs=areas.crs)
    dup = out[key].duplicated()
    if dup.any():
        log.warning("area layer: %d duplicated %s values, first polygon kept", int(dup.sum()),
                    key)
        out = out[~dup]
    return out.reset_index(drop=True)


def merge_areas(
    areas: gpd.GeoDataFrame, merges: Mapping[str, Sequence[str]], *, key: str = "wijk_code"
) -> gpd.GeoDataFrame:
    """Replace groups of official areas by their union, for sources coarser than the areas.

    A neighbourhood of a source may span several official wijken (Genk's TEASER "Winterslag"
    is ggw7's "Winterslag 1" and "Winterslag 2 en 4"). Rather than guess which wijk each
    address lies in, aggregate to the union: the merged area's code joins the members' codes
    with ``+`` and its name joins their names with `` + ``.

    Parameters
    ----------
    areas : GeoDataFrame
        Area layer (see :func:`standardise_areas`).
    merges : mapping
        ``{label: [member codes]}``; the label is only used in error messages.
    key : str
        Key of the level (``wijk_code``, ...).

    Returns
    -------
    GeoDataFrame
        :func:`standardise_areas` of ``areas`` with each group of members replaced by one row.
    """
    std = standardise_areas(areas, key)
    codes = std[key].astype(str)
    used: set[str] = set()
    rows = []
    for label, members in merges.items():
        members = [str(m) for m in members]
        unknown = sorted(set(members) - set(codes))
        if unknown or not members:
            raise InputError(f"merge {label!r}: unknown area codes {unknown or members}.")
        twice = sorted(used & set(members))
        if twice:
            raise InputError(f"merge {label!r}: areas {twice} are already in another merge.")
        used |= set(members)
        part = std[codes.isin(members)]
        rows.append({key: "+".join(members),
                     "area_name": " + ".join(part["area_name"].astype(str)),
                     "geometry": shapely.union_all(part.geometry.to_numpy())})
    kept = std[~codes.isin(used)]
    merged = gpd.GeoDataFrame(rows, geometry="geometry", crs=std.crs) if rows else kept.iloc[:0]
    out = pd.concat([kept, merged], ignore_index=True)
    out[key] = out[key].astype("string")
    out["area_name"] = out["area_name"].astype("string")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=std.crs)


def municipality_polygons(wijken: gpd.GeoDataFrame, wijk_to_nis: pd.Series) -> gpd.GeoDataFrame:
    """Municipality polygons: the wijk polygons dissolved by their municipality.

    Parameters
    ----------
    wijken : GeoDataFrame
        :func:`wijkreno.io.statbel.read_sectors` of the ggw7 wijken (``wijk_code``, EPSG:31370).
    wijk_to_nis : pandas.Series
        Wijk code → NIS code (``read_sector_hierarchy``'s ``wijk_code``/``nis_code``).

    Returns
    -------
    GeoDataFrame
        Indexed by ``nis_code`` (str), one polygon per municipality with a wijk.
    """
    _check_crs(wijken, "wijk polygons")
    if "wijk_code" not in wijken:
        raise InputError("the wijk layer has no wijk_code; read it with "
                         "wijkreno.io.statbel.read_sectors.")
    mapping = wijk_to_nis[~wijk_to_nis.index.duplicated()]
    w = gpd.GeoDataFrame({"nis_code": wijken["wijk_code"].astype(str).map(mapping).to_numpy()},
                         geometry=wijken.geometry.to_numpy(), crs=wijken.crs).dropna()
    out = w.dissolve(by="nis_code")
    out.index = out.index.astype(str)
    return out


def _name_column(key: str) -> str:
    return key[:-5] + "_name" if key.endswith("_code") else f"{key}_name"


def assign_areas(
    table: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    key: str = "wijk_code",
    *,
    max_distance_m: float = 50.0,
) -> gpd.GeoDataFrame:
    """Put an area key on every dwelling by point-in-polygon.

    Parameters
    ----------
    table : GeoDataFrame
        Dwellings (points, EPSG:31370), e.g. from ``assemble_dwelling_results``.
    areas : GeoDataFrame
        Area polygons (EPSG:31370) with ``key`` or its official name (``geoitem`` for ggw7).
    key : str
        Column to write (``wijk_code`` by default); its name goes to ``<level>_name``
        (``wijk_name``) when the layer has names.
    max_distance_m : float
        A point inside no polygon goes to the nearest polygon within this distance [m]. The
        ggw7 wijk polygons are simplified for the web and can be off by tens of metres
        (their PROVENANCE.md), so a dwelling near a border may fall just outside; beyond the
        distance it stays unassigned.

    Returns
    -------
    GeoDataFrame
        A copy of ``table`` (same index) with ``key`` (string, missing when unassigned) and the
        name column. ``attrs["n_unassigned"]`` counts dwellings left without an area.
    """
    _check_crs(table, "dwellings")
    std = standardise_areas(areas, key)
    points = table.geometry.to_numpy()
    polys = std.geometry.to_numpy()
    tree = shapely.STRtree(polys)
    idx = np.full(len(points), -1, dtype=np.int64)
    pts, hits = tree.query(points, predicate="within")
    if len(pts):
        # a point in two overlapping (simplified) polygons takes the first one in layer order
        order = np.lexsort((hits, pts))
        pts, hits = pts[order], hits[order]
        first = np.r_[True, pts[1:] != pts[:-1]]
        idx[pts[first]] = hits[first]
    missing = np.flatnonzero((idx < 0) & ~shapely.is_missing(points))
    if len(missing) and max_distance_m > 0:
        near_pts, near_hits = tree.query_nearest(
            points[missing], max_distance=max_distance_m, all_matches=False)
        idx[missing[near_pts]] = near_hits
    out = table.copy()
    codes = std[key].to_numpy(dtype=object)
    names = std["area_name"].to_numpy(dtype=object)
    out[key] = pd.array(np.where(idx >= 0, codes[idx], None), dtype="string")
    out[_name_column(key)] = pd.array(np.where(idx >= 0, names[idx], None), dtype="string")
    n_unassigned = int((idx < 0).sum())
    if n_unassigned:
        log.warning("assign_areas: %d of %d dwellings lie in no area (beyond %.0f m)",
                    n_unassigned, len(out), max_distance_m)
    out.attrs["n_unassigned"] = n_unassigned
    return out


_PARENTHESES = re.compile(r"\([^)]*\)")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_name(name: object) -> str:
    """Comparable form of a place name: no accents, case, parentheses or punctuation.

    ``"Oud-Winterslag (Genk)"`` and ``"OudWinterslag"`` both give ``"oudwinterslag"``.
    """
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NOT_ALNUM.sub("", _PARENTHESES.sub(" ", text))


def assign_areas_by_name(
    table: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    name_column: str = "neighbourhood",
    key: str = "wijk_code",
    aliases: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join dwellings to areas by name, for sources without coordinates.

    Names are compared after :func:`normalise_name` (case, accents, punctuation and a
    parenthesised suffix such as ggw7's ``"(Genk)"`` ignored). A source name that is not an
    area name can be mapped explicitly with ``aliases`` (translations, old names); there is no
    fuzzy guessing, so every match can be checked in the returned report.

    Parameters
    ----------
    table : DataFrame
        Dwellings with ``name_column``.
    areas : GeoDataFrame
        Area layer (EPSG:31370) with ``key`` or its official name and a name field
        (:data:`AREA_NAME_COLUMNS`, e.g. ggw7 ``naam``). Restrict it to the municipality first:
        names repeat across municipalities.
    name_column : str
        Column of ``table`` holding the area name.
    key : str
        Column to write (``wijk_code``); the matched area name goes to ``wijk_name``.
    aliases : mapping, optional
        ``{source name: area name or area code}``, e.g. ``{"ZwartbergSouth": "Zwartberg-Zuid"}``.

    Returns
    -------
    table : DataFrame
        Copy of ``table`` (same index) with ``key`` and the name column (missing where
        unmatched).
    report : DataFrame
        One row per distinct source name: ``source_name``, ``n_dwellings``, ``match``
        (``name``, ``alias``, ``ambiguous`` or ``unmatched``), ``area_code``, ``area_name``.
    """
    if name_column not in table.columns:
        raise InputError(f"the table has no {name_column!r} column to join area names on.")
    std = standardise_areas(areas, key)
    if std["area_name"].isna().all():
        raise InputError(
            f"the area layer has no name field (looked for {list(AREA_NAME_COLUMNS)}).")
    norm = std["area_name"].map(normalise_name)
    by_norm: dict[str, list[int]] = {}
    for i, n in enumerate(norm):
        by_norm.setdefault(n, []).append(i)
    code_pos = {c: i for i, c in enumerate(std[key])}
    alias_norm = {normalise_name(k): v for k, v in (aliases or {}).items()}
    counts = table[name_column].value_counts(dropna=False)
    rows = []
    for source, n in counts.items():
        target, how = normalise_name(source), "name"
        if target in alias_norm:
            alias = alias_norm[target]
            how = "alias"
            if alias in code_pos:
                rows.append((source, int(n), how, std[key].iat[code_pos[alias]],
                             std["area_name"].iat[code_pos[alias]]))
                continue
            target = normalise_name(alias)
        hits = by_norm.get(target, []) if target else []
        if len(hits) == 1:
            rows.append((source, int(n), how, std[key].iat[hits[0]],
                         std["area_name"].iat[hits[0]]))
        else:
            rows.append((source, int(n), "ambiguous" if hits else "unmatched", None, None))
    report = pd.DataFrame(rows, columns=["source_name", "n_dwellings", "match", "area_code",
                                         "area_name"])
    lookup = report.set_index("source_name")
    out = table.copy()
    src = out[name_column]
    out[key] = pd.array(src.map(lookup["area_code"]).to_numpy(dtype=object), dtype="string")
    out[_name_column(key)] = pd.array(src.map(lookup["area_name"]).to_numpy(dtype=object),
                                      dtype="string")
    bad = report[report["match"].isin(["unmatched", "ambiguous"])]
    if len(bad):
        log.warning("area names not matched (%d dwellings): %s", int(bad["n_dwellings"].sum()),
                    ", ".join(f"{r.source_name!s} ({r.match})" for r in bad.itertuples()))
    return out, report


# ---------------------------------------------------------------------------------------------
# aggregation


def _dwelling_weights(table: pd.DataFrame, weights: str | Sequence[float] | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(table))
    if isinstance(weights, str):
        if weights not in table.columns:
            raise InputError(f"weight column {weights!r} is not in the table.")
        w = pd.to_numeric(table[weights], errors="coerce").to_numpy(dtype=np.float64)
    else:
        w = np.asarray(weights, dtype=np.float64)
    if w.shape != (len(table),):
        raise InputError(f"weights need one value per dwelling ({len(table)}), got {w.shape}.")
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError("dwelling weights must be finite and >= 0.")
    return w


def _flag(table: pd.DataFrame, column: str, values: Sequence[object]) -> np.ndarray:
    return table[column].astype("object").isin(list(values)).to_numpy(dtype=bool)


def _weighted_median(codes: np.ndarray, values: np.ndarray, w: np.ndarray,
                     n_groups: int) -> np.ndarray:
    """Weighted median per group; with unit weights it equals pandas' median."""
    out = np.full(n_groups, np.nan)
    ok = np.isfinite(values) & (w > 0)
    if not ok.any():
        return out
    c, v, ww = codes[ok], values[ok], w[ok]
    order = np.lexsort((v, c))
    c, v, ww = c[order], v[order], ww[order]
    cum = np.cumsum(ww)
    starts = np.r_[0, np.flatnonzero(c[1:] != c[:-1]) + 1]
    group_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(c)]))
    before = np.r_[0.0, cum][starts][group_of]
    total = np.add.reduceat(ww, starts)[group_of]
    reach = (cum - before) >= 0.5 * total - 1e-12 * total
    # first position per group where half the weight is reached
    pos = np.flatnonzero(reach)
    first = pos[np.r_[True, group_of[pos][1:] != group_of[pos][:-1]]]
    med = v[first].copy()
    # exactly half the weight below: average with the next value (pandas' median for w = 1)
    nxt = np.minimum(first + 1, len(v) - 1)
    half = (np.isclose(cum[first] - before[first], 0.5 * total[first], rtol=1e-12, atol=0)
            & (nxt > first) & (c[nxt] == c[first]))
    med[half] = 0.5 * (v[first][half] + v[nxt][half])
    out[c[first]] = med
    return out


def _dwelling_parts(table: pd.DataFrame, w: np.ndarray, p: PriorityParams,
                    min_group: int, sector_income: pd.Series | None) -> pd.DataFrame:
    """One numeric row per dwelling whose group sums give the area table."""
    n = len(table)
    parts: dict[str, np.ndarray] = {"n_dwellings": w}
    valid = (table["valid"].astype("boolean").fillna(False).to_numpy(dtype=bool, copy=True)
             if "valid" in table.columns else np.ones(n, dtype=bool))
    label = np.full(n, None, dtype=object)
    if "epc_label" in table.columns:
        lab = table["epc_label"].astype("object")
        label[lab.notna().to_numpy()] = lab[lab.notna()].astype(str).to_numpy()
    score = (pd.to_numeric(table["epc_score_kwh_per_m2"], errors="coerce").to_numpy(float)
             if "epc_score_kwh_per_m2" in table.columns else np.full(n, np.nan))
    valid = valid & (np.isfinite(score) | pd.notna(label))
    wv = w * valid
    parts["n_simulated"] = wv
    for x in EPC_LABELS:
        parts[f"n_label_{label_slug(x)}"] = wv * (label == x)
    ok_score = valid & np.isfinite(score)
    parts["_w_score"] = w * ok_score
    parts["_score_sum"] = w * np.where(ok_score, score, 0.0)
    for col in SUM_COLUMNS:
        if col in table.columns:
            x = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=np.float64)
            parts[col] = w * np.nan_to_num(x, nan=0.0)
    if "primary_energy_kwh" in table.columns and "heated_floor_area_m2" in table.columns:
        pe = pd.to_numeric(table["primary_energy_kwh"], errors="coerce").to_numpy(float)
        fa = pd.to_numeric(table["heated_floor_area_m2"], errors="coerce").to_numpy(float)
        both = valid & np.isfinite(pe) & np.isfinite(fa)
        parts["_pe_valid"] = w * np.where(both, pe, 0.0)
        parts["_fa_valid"] = w * np.where(both, fa, 0.0)
    if "plan_investment_eur" in table.columns:
        has_plan = table["plan_investment_eur"].notna().to_numpy(dtype=bool)
        parts["n_plan"] = w * has_plan
        if "plan_reached" in table.columns:
            parts["n_plan_reached"] = w * table["plan_reached"].astype("boolean").fillna(
                False).to_numpy(dtype=bool)
        if "plan_epc_score_kwh_per_m2" in table.columns:
            ps = pd.to_numeric(table["plan_epc_score_kwh_per_m2"], errors="coerce").to_numpy(
                float)
            parts["_w_plan_score"] = w * np.isfinite(ps)
            parts["_plan_score_sum"] = w * np.nan_to_num(ps, nan=0.0)
    if "group_size" in table.columns:
        size = pd.to_numeric(table["group_size"], errors="coerce").to_numpy(float)
        parts["n_collective"] = w * (np.nan_to_num(size, nan=0.0) >= min_group)
    if "construction_year" in table.columns:
        year = pd.to_numeric(table["construction_year"], errors="coerce").to_numpy(float)
        old = np.nan_to_num(year, nan=np.inf) < p.proxies.old_before_year
        parts["n_old"] = w * old
        parts["n_old_ef"] = wv * old * np.isin(label, list(p.proxies.poor_labels))
    if "tenure" in table.columns:
        known = table["tenure"].notna().to_numpy(dtype=bool)
        parts["n_tenure_known"] = w * known
        parts["n_tenant"] = w * _flag(table, "tenure", p.proxies.tenant_values)
    if "income_category" in table.columns:
        cat = pd.to_numeric(table["income_category"], errors="coerce")
        parts["n_income_category_known"] = w * cat.notna().to_numpy(dtype=bool)
        parts["n_low_income"] = w * cat.isin(list(p.proxies.low_income_categories)).to_numpy(
            dtype=bool)
    if sector_income is not None:
        if "sector_code" not in table.columns:
            raise InputError("sector_income needs a sector_code column on the dwellings.")
        inc = pd.to_numeric(
            table["sector_code"].astype("object").map(sector_income), errors="coerce"
        ).to_numpy(dtype=np.float64)
        parts["_w_income"] = w * np.isfinite(inc)
        parts["_income_sum"] = w * np.nan_to_num(inc, nan=0.0)
    flags = [c for c in IMPUTED_FLAG_COLUMNS if c in table.columns]
    if flags:
        imputed = np.zeros(n, dtype=bool)
        for c in flags:
            imputed |= _flag(table, c, ["imputed"])
        parts["n_imputed_inputs"] = w * imputed
        for c in ("construction_year", "heating_system"):
            if f"{c}_source" in table.columns:
                parts[f"n_{c}_imputed"] = w * _flag(table, f"{c}_source", ["imputed"])
    return pd.DataFrame(parts, index=pd.RangeIndex(n))


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (num / den).where(den > 0)


def _hulls(geoms: np.ndarray, codes: np.ndarray, n_groups: int, buffer_m: float) -> np.ndarray:
    """Convex hull of each group's points, buffered where it is a point or a line."""
    out = np.full(n_groups, None, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return out
    c = codes[ok]
    order = np.argsort(c, kind="stable")
    multi = shapely.multipoints(geoms[ok][order], indices=c[order])
    present = np.unique(c)
    hull = shapely.convex_hull(multi)
    thin = shapely.get_type_id(hull) != 3  # not a Polygon: one point or collinear points
    hull[thin] = shapely.buffer(hull[thin], buffer_m)
    out[present] = hull
    return out


def aggregate_dwellings(
    table: pd.DataFrame,
    *,
    by: str,
    areas: gpd.GeoDataFrame | None = None,
    weights: str | Sequence[float] | None = None,
    sector_income: pd.Series | Mapping[str, float] | None = None,
    params: PriorityParams | None = None,
    collective_min_dwellings: int | None = None,
    hull_buffer_m: float = 25.0,
) -> gpd.GeoDataFrame:
    """Aggregate the per-dwelling results table to areas.

    Parameters
    ----------
    table : DataFrame or GeoDataFrame
        One row per dwelling, as
        :func:`wijkreno.aggregate.dwelling_results.assemble_dwelling_results` returns (any of
        its optional column groups may be absent; what is absent is not computed).
    by : {'sector_code', 'wijk_code', 'nis_code'}
        The area key column of ``table`` (see :func:`assign_areas` for ``wijk_code``).
    areas : GeoDataFrame, optional
        Area polygons (EPSG:31370) of that level, with ``by`` or its official name
        (:data:`AREA_KEY_ALIASES`); they give each area's geometry and ``area_name``. Areas
        without dwellings are left out. Without a polygon, an area gets the convex hull of its
        dwellings.
    weights : str or array-like, optional
        Dwellings each row stands for (a column name or one value per row), for sampled or
        synthetic stocks; 1 when None. Counts are then weighted sums.
    sector_income : Series or mapping, optional
        Income per ``sector_code`` [EUR] (e.g. Statbel fiscal income per sector); gives
        ``income_eur``, the dwelling-weighted mean over the area's sectors.
    params : PriorityParams, optional
        Proxy thresholds (``[proxies]`` of ``priority.toml``); packaged file when None.
    collective_min_dwellings : int, optional
        Group size that counts as collective potential; the burenpremie's ``min_dwellings``
        (``premiums.toml``, 10) when None.
    hull_buffer_m : float
        Buffer [m] drawn around an area's hull when its dwellings are one point or collinear
        (cosmetic, for maps).

    Returns
    -------
    GeoDataFrame
        One row per area (sorted by key; a last row with a missing key holds dwellings without
        an area), EPSG:31370. Columns, where the inputs allow:

        - ``by``, ``area_name``;
        - counts (:data:`ADDITIVE_COLUMNS`): ``n_dwellings``, ``n_simulated`` (valid results),
          ``n_label_<a_plus|a|...|f>``, ``n_plan``, ``n_plan_reached``, ``n_collective``,
          ``n_old``, ``n_old_ef``, ``n_tenure_known``, ``n_tenant``, ``n_income_category_known``,
          ``n_low_income``, ``n_imputed_inputs``, ``n_construction_year_imputed``,
          ``n_heating_system_imputed``;
        - sums (:data:`SUM_COLUMNS`): ``heated_floor_area_m2``, ``heating_need_kwh``,
          ``final_*_kwh``, ``primary_energy_kwh``, ``energy_cost_eur``, ``co2_flemish_kg_co2``,
          ``co2_com_kg_co2``, ``plan_investment_eur``, ``plan_premium_eur``,
          ``plan_net_cost_eur``, ``plan_saving_eur``, ``plan_saving_kwh``,
          ``plan_saving_co2_flemish_kg_co2``, ``plan_saving_co2_com_kg_co2``, ``plan_npv_eur``;
        - shares [0-1] over simulated dwellings: ``label_<x>_frac``, ``label_ef_frac``,
          ``old_ef_frac`` (built before ``old_before_year`` with a poor label); over all
          dwellings: ``collective_potential_frac``, ``imputed_inputs_frac``,
          ``construction_year_imputed_frac``, ``heating_system_imputed_frac``, ``old_frac``;
          ``tenant_frac`` over dwellings with known tenure, ``low_income_frac`` over dwellings
          with a known income category;
        - ``epc_score_mean_kwh_per_m2``, ``epc_score_median_kwh_per_m2``,
          ``epc_score_area_weighted_kwh_per_m2`` (total primary energy / floor area),
          ``plan_epc_score_mean_kwh_per_m2``;
        - per dwelling: ``co2_flemish_per_dwelling_kg_co2``, ``co2_com_per_dwelling_kg_co2``,
          ``energy_cost_per_dwelling_eur`` (over simulated), ``plan_*_per_dwelling_*`` for
          investment, premium, net cost and CO2 savings (over dwellings with a plan);
        - ``n_collective_groups`` (distinct groups of the collective size touching the area:
          not additive, a group can span areas), ``income_eur``.

        ``attrs``: ``level_key``, ``n_unassigned``, ``collective_min_dwellings``,
        ``old_before_year``.
    """
    if by not in LEVELS.values():
        raise InputError(f"by must be one of {sorted(LEVELS.values())}, got {by!r}.")
    if by not in table.columns:
        raise InputError(
            f"the dwelling table has no {by!r} column; "
            + ("put wijk codes on it with assign_areas() or assign_areas_by_name()."
               if by == "wijk_code" else "pass the twin's dwellings (assemble_dwelling_results).")
        )
    p = params or load_priority_params()
    if collective_min_dwellings is None:
        from wijkreno.renovate.catalogue import load_premiums

        collective_min_dwellings = load_premiums().burenpremie.min_dwellings
    w = _dwelling_weights(table, weights)
    income = None if sector_income is None else pd.Series(sector_income, dtype="float64")
    if income is not None:
        income.index = income.index.astype(str)
    key = table[by].astype("string").to_numpy(dtype=object, na_value=None)
    codes, uniques = pd.factorize(pd.Series(key, dtype="object"), sort=True,
                                  use_na_sentinel=False)
    n_groups = len(uniques)
    parts = _dwelling_parts(table.reset_index(drop=True), w, p, collective_min_dwellings, income)
    sums = parts.groupby(codes, sort=True).sum().reindex(range(n_groups), fill_value=0.0)
    agg = pd.DataFrame({by: pd.array(list(uniques), dtype="string")})
    for col in parts.columns:
        if not col.startswith("_"):
            s = sums[col].to_numpy()
            agg[col] = s.round().astype(np.int64) if weights is None and col.startswith(
                "n_") else s
    sim = sums["n_simulated"]
    for x in EPC_LABELS:
        agg[f"label_{label_slug(x)}_frac"] = _ratio(sums[f"n_label_{label_slug(x)}"], sim)
    agg["label_ef_frac"] = _ratio(sums["n_label_e"] + sums["n_label_f"], sim)
    agg["epc_score_mean_kwh_per_m2"] = _ratio(sums["_score_sum"], sums["_w_score"])
    score = (pd.to_numeric(table["epc_score_kwh_per_m2"], errors="coerce").to_numpy(float)
             if "epc_score_kwh_per_m2" in table.columns else np.full(len(table), np.nan))
    agg["epc_score_median_kwh_per_m2"] = _weighted_median(
        codes, np.where(parts["_w_score"].to_numpy() > 0, score, np.nan), w, n_groups)
    if "_pe_valid" in sums:
        agg["epc_score_area_weighted_kwh_per_m2"] = _ratio(sums["_pe_valid"], sums["_fa_valid"])
    for col, out_col in (("co2_flemish_kg_co2", "co2_flemish_per_dwelling_kg_co2"),
                         ("co2_com_kg_co2", "co2_com_per_dwelling_kg_co2"),
                         ("energy_cost_eur", "energy_cost_per_dwelling_eur")):
        if col in sums:
            agg[out_col] = _ratio(sums[col], sim)
    if "n_plan" in sums:
        for col in ("plan_investment_eur", "plan_premium_eur", "plan_net_cost_eur",
                    "plan_saving_eur"):
            if col in sums:
                agg[col.replace("_eur", "_per_dwelling_eur")] = _ratio(sums[col], sums["n_plan"])
        for col in ("plan_saving_co2_flemish_kg_co2", "plan_saving_co2_com_kg_co2"):
            if col in sums:
                agg[col.replace("_kg_co2", "_per_dwelling_kg_co2")] = _ratio(sums[col],
                                                                             sums["n_plan"])
        if "_plan_score_sum" in sums:
            agg["plan_epc_score_mean_kwh_per_m2"] = _ratio(sums["_plan_score_sum"],
                                                           sums["_w_plan_score"])
    if "n_collective" in sums:
        agg["collective_potential_frac"] = _ratio(sums["n_collective"], sums["n_dwellings"])
        if "group_id" in table.columns:
            size = pd.to_numeric(table["group_size"], errors="coerce").to_numpy(float)
            big = np.nan_to_num(size, nan=0.0) >= collective_min_dwellings
            pairs = pd.DataFrame({"code": codes[big],
                                  "group": table["group_id"].to_numpy(dtype=object)[big]})
            agg["n_collective_groups"] = (
                pairs.drop_duplicates().groupby("code").size().reindex(range(n_groups),
                                                                        fill_value=0).to_numpy()
            )
    if "n_old" in sums:
        agg["old_frac"] = _ratio(sums["n_old"], sums["n_dwellings"])
        agg["old_ef_frac"] = _ratio(sums["n_old_ef"], sim)
    if "n_tenure_known" in sums:
        agg["tenant_frac"] = _ratio(sums["n_tenant"], sums["n_tenure_known"])
    if "n_income_category_known" in sums:
        agg["low_income_frac"] = _ratio(sums["n_low_income"], sums["n_income_category_known"])
    if "_w_income" in sums:
        agg["income_eur"] = _ratio(sums["_income_sum"], sums["_w_income"])
    if "n_imputed_inputs" in sums:
        for col in ("imputed_inputs", "construction_year_imputed", "heating_system_imputed"):
            if f"n_{col}" in sums:
                agg[f"{col}_frac"] = _ratio(sums[f"n_{col}"], sums["n_dwellings"])

    # geometry: area polygons, else the hull of the area's dwellings
    geometry = np.full(n_groups, None, dtype=object)
    agg.insert(1, "area_name", pd.array([None] * n_groups, dtype="string"))
    name_col = _name_column(by)
    if name_col in table.columns:
        names = pd.Series(table[name_col].astype("string").to_numpy()).groupby(codes).first()
        agg.loc[names.index, "area_name"] = names.to_numpy()
    crs = f"EPSG:{CRS_EPSG}"
    if areas is not None:
        std = standardise_areas(areas, by).set_index(by)
        keys = agg[by].astype(object)
        has = keys.isin(std.index).to_numpy()
        geometry[has] = std.geometry.reindex(keys[has]).to_numpy()
        named = has & agg["area_name"].isna().to_numpy()
        agg.loc[named, "area_name"] = std["area_name"].reindex(keys[named]).to_numpy()
    if isinstance(table, gpd.GeoDataFrame) and (geometry == None).any():  # noqa: E711
        _check_crs(table, "dwellings")
        hulls = _hulls(table.geometry.to_numpy(), codes, n_groups, hull_buffer_m)
        fill = (geometry == None) & agg[by].notna().to_numpy()  # noqa: E711
        geometry[fill] = hulls[fill]
    out = gpd.GeoDataFrame(agg, geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)
    n_unassigned = int(sums["n_dwellings"][agg[by].isna().to_numpy()].sum())
    if n_unassigned:
        log.warning("aggregate: %d dwellings without %s kept in a row with a missing key",
                    n_unassigned, by)
    out.attrs = {"level_key": by, "n_unassigned": n_unassigned,
                 "collective_min_dwellings": int(collective_min_dwellings),
                 "old_before_year": int(p.proxies.old_before_year)}
    return out
