"""Flanders-wide statistical stock: synthetic dwellings from Statbel's building-stock counts.

Before a municipality builds its own footprint twin, Statbel's "gebouwenpark" already says, per
municipality and building type (R1 terraced, R2 semi-detached, R3 detached, R4 apartment
buildings, R5 houses with a shop): how many buildings (T1) and dwellings (T8) there are, how
many buildings fall in each construction period (T3.x) and in each ground-floor-area class
(T4.1 <45, T4.2 45-64, T4.3 65-104, T4.4 >104 m²). :func:`build_statistical_stock` turns these
counts into one row per dwelling that the energy engine simulates like a twin's dwelling:

1. per municipality and type, the dwellings (T8) are split over construction period × footprint
   class in proportion to the product of the two Statbel marginals (the joint table is not
   published; the product is the maximum-entropy table with those marginals), whole dwellings by
   the largest-remainder rule;
2. a construction year is drawn uniformly within the Statbel period (as the twin does,
   :func:`wijkreno.twin.imputation.impute_construction_year`), which gives the TABULA period and
   the archetype (U-values, windows, infiltration) of ``archetypes_tabula_be.csv``;
3. the geometry follows from the footprint class (``statistical_stock.toml``): heated floor
   area = footprint × heated storeys × net-to-gross fraction, facades from the footprint's
   width and depth, party walls by type, a random front orientation; a house's floor area is
   shared by Statbel's dwellings per building (T8/T1), an apartment building holds T8/T1
   dwellings of the twin's mean apartment floor area;
4. each dwelling gets a statistical sector so that every sector's dwelling count follows its
   Fluvius residential electricity connections (one per household), largest remainder;
5. the heating system is drawn per dwelling as in the twin (shares per TABULA period of
   ``twin.toml``), then bounded per sector by Fluvius' residential gas connections with the
   twin's rule (:func:`wijkreno.twin.imputation.bound_gas_heating`): no gas-heated dwelling
   where a sector has no gas connection.

Every draw of a municipality comes from its own random stream seeded by ``(seed, nis_code)``:
a municipality's stock does not depend on which others are built with it.

Statbel R6 ("other buildings") is left out: its dwellings (about 3 % of Flanders') sit in
buildings the archetypes do not describe. Every value here is imputed; the columns say so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from wijkreno.errors import InputError
from wijkreno.params.models.statistical_stock import (
    StatisticalStockParams,
    load_statistical_stock_params,
)
from wijkreno.twin import imputation as imp
from wijkreno.twin.params import TwinParams, load_archetypes, load_twin_params
from wijkreno.twin.schema import ORIENTATIONS, STATBEL_PERIODS

log = logging.getLogger(__name__)

STOCK_TYPES: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5")
"""Statbel building types whose dwellings the statistical stock holds (R6 is left out)."""

FOOTPRINT_CLASSES: tuple[str, ...] = ("T4.1", "T4.2", "T4.3", "T4.4")
"""Statbel ground-floor-area classes (<45, 45-64, 65-104, >104 m²)."""

CONNECTION_COLUMNS: tuple[str, ...] = (
    "sector_code", "nis_code", "n_electricity_connections", "n_gas_connections",
)
"""Columns of the connections frame: one row per statistical sector, residential connections of
one year (Fluvius), ``nis_code`` the municipality in the gebouwenpark's code list."""

STOCK_COLUMNS: tuple[str, ...] = (
    "dwelling_id", "nis_code", "sector_code", "statbel_type", "typology",
    "footprint_class", "construction_year", "statbel_period", "tabula_period",
    "archetype_code", "floor_share_frac", "footprint_area_m2", "heated_floor_area_m2",
    "volume_m3", "n_floors", "roof_area_m2", "ground_floor_area_m2",
    *(f"wall_area_{o}_m2" for o in ORIENTATIONS),
    *(f"window_area_{o}_m2" for o in ORIENTATIONS),
    "party_wall_area_m2", "annex_wall_area_m2",
    "u_roof_w_per_m2k", "u_wall_w_per_m2k", "u_floor_w_per_m2k", "u_window_w_per_m2k",
    "u_party_wall_w_per_m2k", "g_window_frac", "thermal_bridge_w_per_m2k", "infiltration_ach",
    "cellar_frac", "heating_system", "heating_system_source",
)
"""Columns of :func:`build_statistical_stock`'s result, in order."""

_PERIOD_CODES = np.array(imp.PERIOD_CODES, dtype=object)
_PERIOD_LABELS = np.array([imp.PERIOD_LABELS[c] for c in imp.PERIOD_CODES], dtype=object)
_PERIOD_LO = np.array([STATBEL_PERIODS[c][0] for c in imp.PERIOD_CODES], dtype=np.int64)
_PERIOD_HI = np.array([STATBEL_PERIODS[c][1] for c in imp.PERIOD_CODES], dtype=np.int64)
_ARCHETYPE_FLOATS: tuple[str, ...] = (
    "u_roof_w_per_m2k", "u_wall_w_per_m2k", "u_floor_w_per_m2k", "u_window_w_per_m2k",
    "u_party_wall_w_per_m2k", "g_window_frac", "thermal_bridge_w_per_m2k", "infiltration_ach",
    "cellar_frac", "window_to_facade_frac",
)


def _typology_of(params: StatisticalStockParams) -> dict[str, str]:
    return {
        "R1": "terraced", "R2": "semi_detached", "R3": "detached",
        "R4": "apartment_building", "R5": params.commercial_houses_as.typology,
    }


def stock_counts(gebouwenpark: pd.DataFrame) -> pd.DataFrame:
    """Statbel counts per municipality and building type, wide (one row per nis_code × type).

    Parameters
    ----------
    gebouwenpark : DataFrame
        As :func:`wijkreno.io.statbel.read_gebouwenpark` returns (``nis_code``, ``stat_type``,
        ``building_type``, ``count``).

    Returns
    -------
    DataFrame
        Index (nis_code, building_type) for the types of :data:`STOCK_TYPES`; columns T1, T8,
        the periods T3.1 … T3.7.4 and the footprint classes T4.1 … T4.4 (NaN where Statbel
        gives none, as for R4's footprints).
    """
    missing = [c for c in ("nis_code", "stat_type", "building_type", "count")
               if c not in gebouwenpark.columns]
    if missing:
        raise InputError(
            f"the gebouwenpark frame lacks {missing} (columns: {list(gebouwenpark.columns)}); "
            "read it with wijkreno.io.statbel.read_gebouwenpark."
        )
    wanted = ["T1", "T8", *imp.PERIOD_CODES, *FOOTPRINT_CLASSES]
    rows = gebouwenpark[gebouwenpark["building_type"].isin(STOCK_TYPES)
                        & gebouwenpark["stat_type"].isin(wanted)]
    wide = rows.pivot_table(index=["nis_code", "building_type"], columns="stat_type",
                            values="count", aggfunc="sum")
    return wide.reindex(columns=wanted)


def _check_connections(connections: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in CONNECTION_COLUMNS if c not in connections.columns]
    if missing:
        raise InputError(
            f"the connections frame lacks {missing} (columns: {list(connections.columns)}); "
            f"it needs {list(CONNECTION_COLUMNS)}, one row per sector and one year "
            "(wijkreno.io.connections.read_residential_connections)."
        )
    out = connections[list(CONNECTION_COLUMNS)].copy()
    out["nis_code"] = out["nis_code"].astype(str).str.zfill(5)
    out["sector_code"] = out["sector_code"].astype(str)
    for col in ("n_electricity_connections", "n_gas_connections"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0.0).clip(lower=0.0)
    if out["sector_code"].duplicated().any():
        dup = out.loc[out["sector_code"].duplicated(), "sector_code"].head(3).tolist()
        raise InputError(f"the connections frame repeats sectors ({dup}); give one year only.")
    return out


def _dwelling_cells(
    counts: pd.DataFrame, nis_code: str, twin_params: TwinParams,
) -> tuple[list[np.ndarray], list[float]]:
    """Per type: dwellings per (period × footprint class) cell and dwellings per building."""
    fp_default = np.array([1.0, 1.0, 1.0, 1.0])
    flanders = twin_params.flanders_period_counts
    cells, per_building = [], []
    for stat in STOCK_TYPES:
        if (nis_code, stat) not in counts.index:
            cells.append(np.zeros((len(_PERIOD_CODES), 4), dtype=np.int64))
            per_building.append(1.0)
            continue
        row = counts.loc[(nis_code, stat)]
        t1 = float(np.nan_to_num(row["T1"]))
        t8 = float(np.nan_to_num(row["T8"]))
        n = int(round(t8 if t8 > 0 else t1))
        period_w = np.nan_to_num(row[list(imp.PERIOD_CODES)].to_numpy(dtype=float))
        if period_w.sum() <= 0:  # no period counts: Flanders' shares of that type
            period_w = np.asarray(getattr(flanders, stat), dtype=float)
        fp_w = np.nan_to_num(row[list(FOOTPRINT_CLASSES)].to_numpy(dtype=float))
        if stat == "R4" or fp_w.sum() <= 0:
            fp_w = fp_default if stat != "R4" else np.array([0.0, 0.0, 0.0, 1.0])
        joint = np.outer(period_w, fp_w).ravel()
        cells.append(imp.allocate_counts(n, joint).reshape(len(_PERIOD_CODES), 4))
        per_building.append(t8 / t1 if t1 > 0 and t8 > 0 else 1.0)
    return cells, per_building


TYPOLOGIES: tuple[str, ...] = ("terraced", "semi_detached", "detached", "apartment_building")
_TABULA_CODES: tuple[str, ...] = tuple(c for c, _ in imp.TABULA_PERIOD_BOUNDS)


class _Archetypes:
    """The archetype table as arrays indexed [typology code, TABULA period code]."""

    def __init__(self, archetypes: pd.DataFrame) -> None:
        table = archetypes.set_index(["typology", "tabula_period"])
        key = pd.MultiIndex.from_product([TYPOLOGIES, _TABULA_CODES])
        missing = ~key.isin(table.index)
        if missing.any():
            raise InputError(
                f"no archetype for {sorted(set(key[missing]))}; the archetype table must cover "
                "every residential typology × TABULA period."
            )
        rows = table.reindex(key)
        shape = (len(TYPOLOGIES), len(_TABULA_CODES))
        self.floats = {c: rows[c].to_numpy(dtype=float).reshape(shape) for c in _ARCHETYPE_FLOATS}
        self.codes = np.array(rows["archetype_code"].astype(str).tolist(), dtype=object)


def _draw_heating_codes(
    tab_code: np.ndarray, twin_params: TwinParams, rng: np.random.Generator
) -> np.ndarray:
    """Heating system (position in the twin's share table) per dwelling, by TABULA period.

    The same draw as :func:`wijkreno.twin.build.draw_heating_systems` (shares of the dwelling's
    TABULA period in ``twin.toml``), on integer codes.
    """
    shares = twin_params.heating_system_shares
    cum = np.array([np.cumsum(shares.shares(p)) for p in _TABULA_CODES])
    u = rng.random(len(tab_code)) * cum[tab_code, -1]
    out = np.empty(len(tab_code), dtype=np.int64)
    for j in range(len(_TABULA_CODES)):
        sel = tab_code == j
        out[sel] = np.searchsorted(cum[j], u[sel], side="right")
    return np.clip(out, 0, len(shares.systems) - 1)


def _build_municipality(
    nis_code: str,
    counts: pd.DataFrame,
    sectors: pd.DataFrame | None,
    archetypes: _Archetypes,
    twin_params: TwinParams,
    params: StatisticalStockParams,
    seed: int,
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([int(seed), int(nis_code)])
    typ_of = _typology_of(params)
    cells, per_building = _dwelling_cells(counts, nis_code, twin_params)
    n_per_type = np.array([c.sum() for c in cells])
    n = int(n_per_type.sum())
    type_idx = np.repeat(np.arange(len(STOCK_TYPES)), n_per_type)
    flat = np.concatenate([c.ravel() for c in cells])
    cell_of_row = np.repeat(np.tile(np.arange(flat.size // len(STOCK_TYPES)), len(STOCK_TYPES)),
                            flat)
    period_idx = cell_of_row // 4
    fp_idx = cell_of_row % 4

    typ_code = np.array([TYPOLOGIES.index(typ_of[s]) for s in STOCK_TYPES])[type_idx]
    year = rng.integers(_PERIOD_LO[period_idx], _PERIOD_HI[period_idx] + 1)
    bounds = np.array([b for _, b in imp.TABULA_PERIOD_BOUNDS])
    tab_code = np.clip(np.searchsorted(bounds, year, side="left"), 0, len(bounds) - 1)

    # geometry per building, then the dwelling's share
    storey_h = twin_params.storey_height_m.value
    ntg = twin_params.net_to_gross_floor_frac.value
    storeys = np.array([getattr(params.heated_storeys, t) for t in TYPOLOGIES])[typ_code]
    n_party = np.array([getattr(params.party_walls, t) for t in TYPOLOGIES])[typ_code]
    k = np.array(per_building)[type_idx]  # dwellings per building (Statbel T8/T1)
    is_apartment = typ_code == TYPOLOGIES.index("apartment_building")
    k = np.where(is_apartment, np.maximum(k, 2.0), np.maximum(k, 1.0))
    footprint = np.asarray(params.footprint_class_area_m2.values, dtype=float)[fp_idx]
    apt_area = twin_params.apartment_mean_floor_area_m2.value
    footprint = np.where(is_apartment, k * apt_area / (storeys * ntg), footprint)
    share = 1.0 / k
    row_house = typ_code <= TYPOLOGIES.index("semi_detached")
    depth = np.where(row_house, np.minimum(params.house_depth_m.value, np.sqrt(footprint)),
                     np.sqrt(footprint))
    width = footprint / depth
    wall_h = storeys * storey_h
    pitched = (~is_apartment) & (rng.random(n) < twin_params.pitched_roof_frac.value)
    roof = np.where(pitched, footprint / np.cos(np.deg2rad(twin_params.roof_pitch_deg.value)),
                    footprint)
    # facades: front and back (width), two sides (depth), of which n_party are shared
    front = rng.integers(0, 4, n)
    sides_exposed = 2.0 - n_party
    facade = np.zeros((4, n))
    rows = np.arange(n)
    facade[front, rows] += width * wall_h
    facade[(front + 2) % 4, rows] += width * wall_h
    facade[(front + 1) % 4, rows] += depth * wall_h * np.minimum(sides_exposed, 1.0)
    facade[(front + 3) % 4, rows] += depth * wall_h * np.clip(sides_exposed - 1.0, 0.0, 1.0)

    a = {c: v[typ_code, tab_code] for c, v in archetypes.floats.items()}
    wfrac = a.pop("window_to_facade_frac")
    out: dict[str, np.ndarray] = {
        "statbel_type": type_idx,
        "typology": typ_code,
        "footprint_class": fp_idx,
        "construction_year": year.astype(np.int64),
        "statbel_period": period_idx,
        "tabula_period": tab_code,
        "archetype_code": typ_code * len(_TABULA_CODES) + tab_code,
        "floor_share_frac": share,
        "footprint_area_m2": footprint,
        "heated_floor_area_m2": footprint * storeys * ntg * share,
        "volume_m3": footprint * storeys * storey_h * share,
        "n_floors": np.maximum(np.round(storeys), 1).astype(np.int64),
        "roof_area_m2": roof * share,
        "ground_floor_area_m2": footprint * share,
    }
    for j, o in enumerate(ORIENTATIONS):
        out[f"wall_area_{o}_m2"] = facade[j] * share * (1.0 - wfrac)
    for j, o in enumerate(ORIENTATIONS):
        out[f"window_area_{o}_m2"] = facade[j] * share * wfrac
    out["party_wall_area_m2"] = n_party * depth * wall_h * share
    out["annex_wall_area_m2"] = np.zeros(n)
    out.update(a)
    heating = _draw_heating_codes(tab_code, twin_params, rng)
    sector_row = _assign_sectors(n, sectors, rng)
    if sectors is not None and not sectors.empty and n:
        heating = _bound_by_gas_connections(heating, sector_row, tab_code, sectors,
                                            twin_params, rng)
    out["heating_system"] = heating
    out["sector_code"] = sector_row
    return out


def _bound_by_gas_connections(
    heating: np.ndarray, sector_row: np.ndarray, tab_code: np.ndarray, sectors: pd.DataFrame,
    twin_params: TwinParams, rng: np.random.Generator,
) -> np.ndarray:
    """The twin's rule (:func:`wijkreno.twin.imputation.bound_gas_heating`): each sector's
    gas-heated dwellings follow its Fluvius residential gas connections (none where none)."""
    systems = np.array(twin_params.heating_system_shares.systems, dtype=object)
    names = pd.Series(systems[heating])
    gas = pd.Series(sectors["n_gas_connections"].to_numpy(dtype=float),
                    index=sectors["row"].astype(str).to_numpy())
    bounded, _ = imp.bound_gas_heating(
        names, pd.Series("imputed", index=names.index), pd.Series(sector_row.astype(str)),
        pd.Series(np.array(_TABULA_CODES, dtype=object)[tab_code]), gas, twin_params, rng)
    lookup = {name: i for i, name in enumerate(systems)}
    return bounded.map(lookup).to_numpy(dtype=np.int64)


def _assign_sectors(
    n: int, sectors: pd.DataFrame | None, rng: np.random.Generator
) -> np.ndarray:
    """Row of ``sectors`` per dwelling (-1 none): counts ∝ residential electricity connections."""
    codes = np.full(n, -1, dtype=np.int64)
    if sectors is None or sectors.empty or n == 0:
        return codes
    weights = sectors["n_electricity_connections"].to_numpy(dtype=float)
    per_sector = imp.allocate_counts(n, weights)
    codes[rng.permutation(n)] = np.repeat(sectors["row"].to_numpy(dtype=np.int64), per_sector)
    return codes


def build_statistical_stock(
    gebouwenpark: pd.DataFrame,
    connections: pd.DataFrame | None,
    nis_codes: Iterable[str] | None = None,
    seed: int = 0,
    archetypes: pd.DataFrame | None = None,
    *,
    params: StatisticalStockParams | None = None,
    twin_params: TwinParams | None = None,
) -> pd.DataFrame:
    """Build the statistical stock: one row per dwelling of every municipality asked for.

    Pure: frames in, frame out (read the inputs with
    :func:`wijkreno.io.statbel.read_gebouwenpark` and
    :func:`wijkreno.io.connections.read_residential_connections`).

    Parameters
    ----------
    gebouwenpark : DataFrame
        Statbel building stock in long layout (``nis_code``, ``stat_type``, ``building_type``,
        ``count``).
    connections : DataFrame or None
        Residential connections per statistical sector of one year, columns
        :data:`CONNECTION_COLUMNS` (``nis_code`` in the gebouwenpark's code list). Dwellings
        are spread over a municipality's sectors in proportion to
        ``n_electricity_connections``. None: ``sector_code`` stays missing.
    nis_codes : iterable of str, optional
        Municipalities (NIS5) to build. Default: every municipality of ``connections`` that the
        gebouwenpark holds (all of Flanders for Fluvius' table); without ``connections``, every
        municipality (level-5 code) of the gebouwenpark.
    seed : int
        Seed; each municipality draws from the stream ``(seed, nis_code)``.
    archetypes : DataFrame, optional
        Typology × TABULA period → envelope (:func:`wijkreno.twin.params.load_archetypes`).
    params, twin_params : optional
        ``statistical_stock.toml`` and ``twin.toml`` models; the packaged files when None.

    Returns
    -------
    pandas.DataFrame
        One row per dwelling (RangeIndex), columns :data:`STOCK_COLUMNS`: the envelope and
        system columns the energy engine needs
        (:func:`wijkreno.simulate.engine.simulate_dwellings`), plus ``nis_code``,
        ``sector_code``, ``statbel_type``, ``typology``, ``footprint_class``, construction
        year and periods. ``attrs["n_dwellings_by_nis"]`` counts rows per municipality.

    Raises
    ------
    InputError
        When a frame lacks columns, or a requested municipality is not in the gebouwenpark.

    Examples
    --------
    >>> from wijkreno.io.statbel import read_gebouwenpark            # doctest: +SKIP
    >>> stock = build_statistical_stock(read_gebouwenpark(p), conn)  # doctest: +SKIP
    """
    params = params or load_statistical_stock_params()
    twin_params = twin_params or load_twin_params()
    archetypes = load_archetypes() if archetypes is None else archetypes
    counts = stock_counts(gebouwenpark)
    known = counts.index.get_level_values("nis_code").unique()
    conn = _check_connections(connections) if connections is not None else None
    if nis_codes is None:
        if conn is not None:
            wanted = pd.Index(conn["nis_code"].unique()).intersection(known)
            absent = pd.Index(conn["nis_code"].unique()).difference(known)
            if len(absent):
                log.warning("statistical stock: %d municipalities of the connections are not in "
                            "the gebouwenpark (left out): %s", len(absent), list(absent[:10]))
        else:
            wanted = known
        wanted_list = sorted(str(c) for c in wanted)
    else:
        wanted_list = [str(c).strip().zfill(5) for c in nis_codes]
        absent_list = [c for c in wanted_list if c not in known]
        if absent_list:
            raise InputError(
                f"the gebouwenpark has no building counts for NIS codes {absent_list[:10]}; "
                "check the codes (5 digits, 2025 municipalities) or the table."
            )
    sector_names = np.zeros(0, dtype=object)
    by_nis: dict[str, pd.DataFrame] = {}
    if conn is not None:
        conn = conn.reset_index(drop=True)
        conn["row"] = np.arange(len(conn))
        sector_names = conn["sector_code"].to_numpy(dtype=object)
        by_nis = dict(tuple(conn.groupby("nis_code", sort=False)))
    if not wanted_list:
        raise InputError(
            "no municipality to build: the connections and the gebouwenpark share no NIS code "
            "(or nis_codes is empty); check that both use the 2025 municipality codes."
        )
    table = _Archetypes(archetypes)
    parts = [
        _build_municipality(nis, counts, by_nis.get(nis), table, twin_params, params, seed)
        for nis in wanted_list
    ]
    n_by = {nis: len(p["typology"]) for nis, p in zip(wanted_list, parts, strict=True)}
    cols = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    n_total = sum(n_by.values())
    sizes = np.array(list(n_by.values()), dtype=np.int64)
    nis_idx = np.repeat(np.arange(len(wanted_list)), sizes)
    counter = np.arange(n_total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    cat = pd.Categorical.from_codes
    systems = list(twin_params.heating_system_shares.systems)
    codes = {
        "nis_code": cat(nis_idx, categories=wanted_list),
        "sector_code": cat(cols.pop("sector_code"), categories=list(sector_names)),
        "statbel_type": cat(cols.pop("statbel_type"), categories=list(STOCK_TYPES)),
        "typology": cat(cols.pop("typology"), categories=list(TYPOLOGIES)),
        "footprint_class": cat(cols.pop("footprint_class"), categories=list(FOOTPRINT_CLASSES)),
        "statbel_period": cat(cols.pop("statbel_period"), categories=list(_PERIOD_LABELS)),
        "tabula_period": cat(cols.pop("tabula_period"), categories=list(_TABULA_CODES)),
        "archetype_code": cat(cols.pop("archetype_code"), categories=list(table.codes)),
        "heating_system": cat(cols.pop("heating_system"), categories=systems),
    }
    nis_str = np.array(wanted_list, dtype=object)[nis_idx]
    ids = pd.Series(nis_str, dtype=object) + "-s" + pd.Series(counter).astype(str)
    stock = pd.DataFrame({"dwelling_id": ids.to_numpy(dtype=object), **codes, **cols})
    stock["heating_system_source"] = pd.Categorical.from_codes(
        np.zeros(n_total, dtype=np.int64), categories=["imputed"])
    stock = stock[list(STOCK_COLUMNS)]
    stock.attrs["n_dwellings_by_nis"] = n_by
    stock.attrs["seed"] = int(seed)
    log.info("statistical stock: %d dwellings in %d municipalities", len(stock), len(n_by))
    return stock


__all__ = [
    "CONNECTION_COLUMNS",
    "FOOTPRINT_CLASSES",
    "STOCK_COLUMNS",
    "STOCK_TYPES",
    "build_statistical_stock",
    "stock_counts",
]
