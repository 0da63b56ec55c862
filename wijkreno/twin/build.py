"""Build the twin: footprints, addresses, heights and Statbel counts → buildings and dwellings.

:func:`build_twin` is a pure function of frames: the loaders in :mod:`wijkreno.io` read the
files, :mod:`wijkreno.pipeline` orchestrates reading, building and writing.

Steps (each a separate function so that it can be tested alone):

1. footprint metrics, adjacency and main building / annex roles (:mod:`wijkreno.twin.geometry`);
2. addresses linked to buildings: by the register's building link, else by the footprint that
   contains the address point, else by the nearest main building within a snapping distance;
   the rest is rejected with a reason;
3. party walls and exposed facades per orientation between main buildings;
4. typology from party walls and address counts, apartments and non-residential buildings
   imputed where geometry is ambiguous (calibrated to Statbel);
5. storeys and height (observed from a height raster or the register, else imputed);
6. construction year (observed, else imputed to match Statbel's period counts);
7. areas, volume, dwellings per building;
8. one dwelling row per address (or per imputed housing unit) with the envelope of its share
   of the building and the TABULA archetype's U-values.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError
from wijkreno.twin import geometry as geo
from wijkreno.twin import imputation as imp
from wijkreno.twin.params import TwinParams, load_archetypes, load_twin_params
from wijkreno.twin.schema import (
    BUILDINGS,
    DWELLINGS,
    ORIENTATIONS,
    REJECTED_COLUMNS,
    conform,
    validate_table,
)

log = logging.getLogger(__name__)

RETIRED_ADDRESS_STATUSES = frozenset({"gehistoreerd", "afgekeurd", "retired", "rejected"})
"""Adressenregister statuses of addresses that are no housing unit (any case)."""


@dataclass
class Twin:
    """The twin of a municipality or neighbourhood.

    Attributes
    ----------
    buildings, dwellings : GeoDataFrame
        The two twin tables (see :mod:`wijkreno.twin.schema`).
    rejected : DataFrame
        Rows of any input that could not be used, with a reason.
    quality : dict of DataFrame
        Data-quality tables: ``inputs`` (in = kept + rejected per input), ``attributes``
        (observed / derived / imputed counts per attribute), ``typology`` and ``periods``
        (twin counts next to Statbel's), ``address_links``.
    """

    buildings: gpd.GeoDataFrame
    dwellings: gpd.GeoDataFrame
    rejected: pd.DataFrame
    quality: dict[str, pd.DataFrame] = field(default_factory=dict)


def empty_rejected() -> pd.DataFrame:
    """An empty rejected table with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REJECTED_COLUMNS})


def _rejected_rows(
    input_name: str, rows: np.ndarray, ids: pd.Series, reasons: list[str] | np.ndarray,
    geoms: np.ndarray,
) -> pd.DataFrame:
    return pd.DataFrame({
        "input": input_name,
        "row": rows,
        "id": ids.astype(object).to_numpy(),
        "reason": reasons,
        "wkt": shapely.to_wkt(geoms, rounding_precision=2),
    })


# --------------------------------------------------------------------------------------------
# municipality boundary


def municipality_area(areas: gpd.GeoDataFrame, nis_code: str) -> shapely.Geometry:
    """Union of the polygons of one municipality in a sector, wijk or boundary layer.

    Features are selected by ``nis_code`` when the layer has it, else by ``sector_code`` or
    ``wijk_code`` starting with the NIS code (Statbel sectors ``13002A00-``, wijken
    ``13002W01``); a layer with none of these columns is taken whole.
    """
    for col in ("nis_code", "sector_code", "wijk_code"):
        if col in areas.columns:
            codes = areas[col].astype("string")
            sel = codes == nis_code if col == "nis_code" else codes.str.startswith(nis_code)
            if not sel.any():
                raise InputError(
                    f"the boundary layer has no feature of NIS code {nis_code} in its {col} "
                    "column; give a layer that covers the municipality."
                )
            return shapely.union_all(areas.geometry[sel.fillna(False).to_numpy()].to_numpy())
    return shapely.union_all(areas.geometry.to_numpy())


def clip_to_area(
    buildings: gpd.GeoDataFrame, area: shapely.Geometry, *, input_name: str = "buildings",
    what: str = "the municipality",
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Keep the buildings whose representative point lies in ``area``; reject the others.

    Register extracts are often cut by a bounding box and reach into the neighbouring
    municipality; the twin of one municipality keeps its own buildings only.
    """
    points = shapely.point_on_surface(buildings.geometry.to_numpy())
    shapely.prepare(area)
    inside = shapely.contains(area, points)
    outside = np.flatnonzero(~inside)
    rejected = _rejected_rows(
        input_name, buildings.index.to_numpy()[outside], buildings["gebouw_id"].iloc[outside],
        np.full(len(outside), f"outside {what} (its representative point is not within the "
                "boundary)", dtype=object),
        buildings.geometry.to_numpy()[outside],
    )
    return buildings[inside], rejected


# --------------------------------------------------------------------------------------------
# addresses


def link_addresses(
    addresses: gpd.GeoDataFrame,
    footprints: gpd.GeoSeries,
    gebouw_ids: pd.Series,
    is_main: np.ndarray,
    main_position: np.ndarray,
    snap_distance_m: float,
    footprint_area_m2: np.ndarray | None = None,
    min_house_area_m2: float = np.inf,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link each address to a building position.

    Parameters
    ----------
    addresses : GeoDataFrame
        Points in EPSG:31370 with ``adres_id``, ``address_status`` and optionally ``gebouw_id``.
    footprints : GeoSeries
        Building footprints, positional index = building position.
    gebouw_ids : Series
        Official ids of the footprints (same order).
    is_main : ndarray of bool
        Whether each footprint is a main building.
    main_position : ndarray of int
        For annexes the position of their main building (-1 if none).
    snap_distance_m : float
        Largest distance [m] from an address to a main building it may be snapped to.
    footprint_area_m2 : ndarray, optional
        Footprint areas [m²]; with ``min_house_area_m2``, an address inside an "annex" at
        least that large stays linked to it (the caller promotes it to a main building: the
        register puts a house's address inside the house, so geometry mistook it for an annex).
    min_house_area_m2 : float
        Smallest footprint [m²] of an annex that an address inside makes a house.

    Returns
    -------
    links : DataFrame
        One row per kept address: address row position ``address_pos``, building position
        ``building_pos`` and ``link`` ('register', 'inside', 'annex', 'snapped').
    rejected : DataFrame
        Addresses that are not housing units or fall in no building, with a reason.
    """
    n = len(addresses)
    building_pos = np.full(n, -1, dtype=np.int64)
    link = np.full(n, "", dtype=object)
    reasons = np.full(n, "", dtype=object)

    status = addresses.get("address_status")
    if status is not None:
        retired = status.astype("string").str.lower().isin(RETIRED_ADDRESS_STATUSES).to_numpy()
        reasons[retired] = [
            f"address status '{s}' is not an address in use" for s in status[retired]
        ]
    else:
        retired = np.zeros(n, dtype=bool)

    # 1. the register's own link (building unit → building)
    if "gebouw_id" in addresses.columns:
        pos_of_id = pd.Series(np.arange(len(gebouw_ids)), index=gebouw_ids.astype(str).to_numpy())
        linked = addresses["gebouw_id"].astype("string").map(pos_of_id)
        ok = linked.notna().to_numpy() & ~retired
        building_pos[ok] = linked[ok].astype(np.int64).to_numpy()
        link[ok] = "register"

    # 2. the footprint that contains the point (prefer a main building)
    todo = np.flatnonzero((building_pos < 0) & ~retired)
    points = addresses.geometry.to_numpy()
    tree = shapely.STRtree(footprints.to_numpy())
    if len(todo):
        pt_idx, poly_idx = tree.query(points[todo], predicate="within")
        if len(pt_idx):
            pairs = pd.DataFrame({"a": todo[pt_idx], "b": poly_idx, "main": is_main[poly_idx]})
            pairs = pairs.sort_values(["a", "main"], ascending=[True, False]).drop_duplicates("a")
            building_pos[pairs["a"].to_numpy()] = pairs["b"].to_numpy()
            link[pairs["a"].to_numpy()] = np.where(pairs["main"], "inside", "annex")

    # 3. nearest main building within the snapping distance
    todo = np.flatnonzero((building_pos < 0) & ~retired)
    main_idx = np.flatnonzero(is_main)
    if len(todo) and len(main_idx):
        main_tree = shapely.STRtree(footprints.to_numpy()[main_idx])
        pt_idx, near = main_tree.query_nearest(
            points[todo], max_distance=snap_distance_m, all_matches=False
        )
        building_pos[todo[pt_idx]] = main_idx[near]
        link[todo[pt_idx]] = "snapped"
    todo = np.flatnonzero((building_pos < 0) & ~retired)
    reasons[todo] = (
        f"address falls in no building and no main building lies within {snap_distance_m:g} m"
    )

    # an address inside a small annex (a garage with its own number) belongs to the annex's
    # main building when it has one; inside a house-sized "annex" it stays
    pos = np.clip(building_pos, 0, None)
    annex_hit = (building_pos >= 0) & ~is_main[pos]
    if footprint_area_m2 is not None:
        house_sized = (link == "annex") & (footprint_area_m2[pos] >= min_house_area_m2)
        annex_hit &= ~house_sized
        link[house_sized] = "inside"
    has_main = annex_hit & (main_position[np.clip(building_pos, 0, None)] >= 0)
    building_pos[has_main] = main_position[building_pos[has_main]]

    kept = building_pos >= 0
    links = pd.DataFrame({
        "address_pos": np.flatnonzero(kept),
        "building_pos": building_pos[kept],
        "link": link[kept],
    })
    bad = ~kept
    rejected = _rejected_rows(
        "addresses", np.flatnonzero(bad), addresses["adres_id"][bad], reasons[bad],
        points[bad],
    )
    return links, rejected


# --------------------------------------------------------------------------------------------
# typology, storeys, years


def geometric_typology(n_party_walls: np.ndarray) -> np.ndarray:
    """detached (no party wall), semi_detached (one), terraced (two or more)."""
    return np.select(
        [n_party_walls <= 0, n_party_walls == 1], ["detached", "semi_detached"], "terraced"
    ).astype(object)


def floors_from_height(height_m: np.ndarray, storey_height_m: float) -> np.ndarray:
    """Full storeys in a building of the given (eaves) height, at least one; NaN stays NaN."""
    floors = np.floor(height_m / storey_height_m + 0.5)
    return np.where(np.isnan(height_m), np.nan, np.clip(floors, 1, 60))


# --------------------------------------------------------------------------------------------
# the build


def build_twin(
    buildings: gpd.GeoDataFrame,
    *,
    nis_code: str,
    addresses: gpd.GeoDataFrame | None = None,
    heights: pd.DataFrame | None = None,
    sectors: gpd.GeoDataFrame | None = None,
    gebouwenpark: pd.DataFrame | None = None,
    params: TwinParams | None = None,
    geometry_params: geo.GeometryParams | None = None,
    archetypes: pd.DataFrame | None = None,
    gas_connections: pd.Series | None = None,
    gas_areas: gpd.GeoDataFrame | None = None,
    seed: int = 0,
) -> Twin:
    """Build the twin of one municipality (or part of one).

    Parameters
    ----------
    buildings : GeoDataFrame
        Footprints with ``gebouw_id`` (from :func:`wijkreno.io.sources.read_buildings`);
        an optional ``height_m`` column holds register heights [m] and an optional
        ``construction_year`` column observed years.
    nis_code : str
        NIS5 code of the municipality (Statbel calibration, ``nis_code`` column).
    addresses : GeoDataFrame, optional
        Address points (:func:`wijkreno.io.sources.read_addresses`). Without addresses,
        dwellings are imputed from floor area and typology.
    heights : DataFrame, optional
        Indexed like ``buildings``: ``height_m``, ``height_eaves_m``, ``roof_flat``,
        ``height_status`` (:func:`wijkreno.io.rasters.read_building_heights`).
    sectors : GeoDataFrame, optional
        Statistical sectors with ``sector_code`` (:func:`wijkreno.io.statbel.read_sectors`).
    gebouwenpark : DataFrame, optional
        Statbel building stock (:func:`wijkreno.io.statbel.read_gebouwenpark`); without it the
        twin is calibrated to Flanders' shares.
    params, geometry_params, archetypes : optional
        Parameter sets; the package defaults when omitted.
    gas_connections : Series, optional
        Fluvius residential gas connections per sector code (same vintage as ``sectors``;
        :func:`wijkreno.io.fluvius.read_fluvius_sectors`). They bound the gas-heated dwellings
        per sector, and per municipality for dwellings without a sector
        (:func:`wijkreno.twin.imputation.bound_gas_heating`); column ``heating_system_evidence``
        says where, ``quality["gas_heating"]`` compares.
    gas_areas : GeoDataFrame, optional
        Polygons with ``area_code`` whose codes key ``gas_connections`` instead of the sector
        codes (e.g. wijken when no sector layer is given): each dwelling is counted under the
        polygon it lies in.
    seed : int
        Seed of every random draw: same inputs and seed, same twin.

    Returns
    -------
    Twin
    """
    params = params or load_twin_params()
    gparams = geometry_params or geo.load_geometry_params()
    archetypes = load_archetypes() if archetypes is None else archetypes
    rng = np.random.default_rng(seed)
    nis_code = str(nis_code).strip().zfill(5)
    if not (nis_code.isdigit() and len(nis_code) == 5):
        raise InputError(f"NIS code {nis_code!r} is not a 5-digit code such as 13002")
    if "gebouw_id" not in buildings.columns:
        raise InputError(
            f"the buildings frame has no gebouw_id column (columns: {list(buildings.columns)}); "
            "read footprints with wijkreno.io.sources.read_buildings."
        )
    if buildings["gebouw_id"].duplicated().any():
        raise InputError(
            "the buildings frame has duplicate gebouw_id values; read it with "
            "wijkreno.io.sources.read_buildings, which rejects duplicates with a reason."
        )
    bld = require_lambert72(buildings, "the buildings frame", reproject=True).reset_index(drop=True)
    if heights is not None:
        heights = heights.reset_index(drop=True)
    geoms = bld.geometry
    n = len(bld)
    storey_h = params.storey_height_m.value

    # 1. geometry: metrics, adjacency, roles
    metrics = geo.footprint_metrics(geoms)
    adjacency = geo.find_adjacency(geoms, tolerance_m=gparams.tolerance_m)
    roles = geo.classify_roles(geoms, adjacency, gparams)
    role = roles["building_role"].to_numpy(dtype=object).copy()
    role_source = np.full(n, "derived", dtype=object)
    main_position = roles["main_position"].to_numpy(dtype=np.int64).copy()

    # 2. addresses
    rejected = [empty_rejected()]
    n_addresses = np.zeros(n, dtype=np.int64)
    has_box = np.zeros(n, dtype=bool)
    links = None
    if addresses is not None:
        addresses = require_lambert72(addresses, "the addresses frame", reproject=True)
        addresses = addresses.reset_index(drop=True)
        links, rej = link_addresses(
            addresses, geoms, bld["gebouw_id"], role == "main", main_position,
            params.address_snap_distance_m.value,
            metrics["footprint_area_m2"].to_numpy(dtype=float),
            params.min_dwelling_building_area_m2.value,
        )
        rejected.append(rej)
        # an "annex" that holds an address is a (small) main building: the register puts
        # addresses inside the building they number
        linked_annex = np.unique(links["building_pos"][role[links["building_pos"]] == "annex"])
        role[linked_annex] = "main"
        main_position[linked_annex] = linked_annex
        n_addresses = np.bincount(links["building_pos"], minlength=n).astype(np.int64)
        if "box_number" in addresses.columns:
            boxed = addresses["box_number"].astype("string").fillna("").str.strip() != ""
            box_pos = links["building_pos"][boxed.to_numpy()[links["address_pos"]]]
            has_box[np.unique(box_pos)] = True
    is_main = role == "main"

    # 3. party walls and facades between main buildings
    walls = geo.party_walls(geoms, adjacency, is_main)

    # 4-5. storeys and heights
    height = np.full(n, np.nan)
    height_source = np.full(n, "imputed", dtype=object)
    eaves = np.full(n, np.nan)
    roof_flat = np.full(n, np.nan)
    if "height_m" in bld.columns:
        reg = pd.to_numeric(bld["height_m"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(reg) & (reg > 0)
        height[ok], eaves[ok] = reg[ok], reg[ok]
        height_source[ok] = "observed"
    if heights is not None:
        hr = heights["height_m"].to_numpy(dtype=float)
        ok = np.isfinite(hr)
        height[ok] = hr[ok]
        height_source[ok] = "observed"
        if "height_eaves_m" in heights.columns:
            he = heights["height_eaves_m"].to_numpy(dtype=float)
            eaves[ok] = np.where(np.isfinite(he[ok]), he[ok], hr[ok])
        else:
            eaves[ok] = hr[ok]
        if "roof_flat" in heights.columns:
            roof_flat[ok] = heights["roof_flat"].to_numpy(dtype=float)[ok]
    floors_obs = floors_from_height(eaves, storey_h)

    # 4. typology
    footprint = metrics["footprint_area_m2"].to_numpy(dtype=float)
    typology = np.full(n, None, dtype=object)
    typology_source = np.full(n, None, dtype=object)
    typology[is_main] = geometric_typology(walls["n_party_walls"].to_numpy()[is_main])
    typology_source[is_main] = "derived"
    typology_reason = np.full(n, None, dtype=object)
    targets = imp.statbel_targets(gebouwenpark, nis_code, params)
    if addresses is not None:
        apt = is_main & (
            (n_addresses >= params.apartment_min_addresses.value) | has_box
        )
        typology[apt] = "apartment_building"
        nonres = is_main & (n_addresses == 0)
        typology[nonres] = "non_residential"
        typology_reason[nonres] = "no address / geen adres"
    else:
        main_idx = np.flatnonzero(is_main)
        floors_guess = np.where(
            np.isnan(floors_obs), params.default_floors.detached, floors_obs
        )
        said = None
        if "is_residential" in bld.columns:
            said = pd.Series(bld["is_residential"].to_numpy(dtype=object)[main_idx],
                             index=main_idx)
        t, s, why = imp.impute_special_typologies(
            pd.Series(typology[main_idx], index=main_idx),
            pd.Series(typology_source[main_idx], index=main_idx),
            pd.Series(footprint[main_idx], index=main_idx),
            pd.Series(footprint[main_idx] * floors_guess[main_idx], index=main_idx),
            pd.Series(floors_obs[main_idx], index=main_idx),
            targets, params, is_residential=said,
        )
        typology[main_idx] = t.to_numpy()
        typology_source[main_idx] = s.to_numpy()
        typology_reason[main_idx] = why.to_numpy()

    default_floors = params.default_floors.model_dump()
    floors_default = np.array(
        [default_floors[t] if t is not None else default_floors["annex"] for t in typology],
        dtype=float,
    )
    n_floors = np.where(np.isnan(floors_obs), floors_default, floors_obs).astype(np.int64)
    n_floors_source = np.where(np.isnan(floors_obs), "imputed", "derived").astype(object)
    imputed_height = np.isnan(height)
    height[imputed_height] = n_floors[imputed_height] * storey_h

    # 6. construction year
    year = np.full(n, -1, dtype=np.int64)
    year_source = np.full(n, "imputed", dtype=object)
    if "construction_year" in bld.columns:
        obs = pd.to_numeric(bld["construction_year"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(obs) & (obs >= 1000) & (obs <= 2100)
        year[ok] = obs[ok].astype(np.int64)
        year_source[ok] = "observed"
    todo = np.flatnonzero(is_main & (year < 0))
    drawn = imp.impute_construction_year(
        pd.Series(typology[todo], index=todo),
        pd.Series(walls["block_id"].to_numpy()[todo], index=todo),
        targets, rng,
    )
    year[todo] = drawn["construction_year"].to_numpy()
    # annexes take their main building's year; free-standing sheds stay unknown
    annex = np.flatnonzero(~is_main)
    mp = main_position[annex]
    year[annex[mp >= 0]] = year[mp[mp >= 0]]
    year_series = pd.Series(np.where(year >= 0, year, np.nan), dtype="Float64").astype("Int64")
    year_source = np.where(year >= 0, year_source, None)

    # 7. areas, volume
    pitched_draw = rng.random(n) < params.pitched_roof_frac.value
    is_house = np.isin(typology, ["detached", "semi_detached", "terraced"])
    flat = np.where(np.isnan(roof_flat), ~(pitched_draw & is_house), roof_flat.astype(bool))
    roof_source = np.where(np.isnan(roof_flat), "imputed", "derived").astype(object)
    pitch = np.deg2rad(params.roof_pitch_deg.value)
    roof_area = np.where(flat, footprint, footprint / np.cos(pitch))
    wall_height = n_floors * storey_h
    # annexes (garages, verandas, sheds) are unheated: no heated floor area or volume
    heated = np.where(is_main, footprint * n_floors * params.net_to_gross_floor_frac.value, 0.0)
    floor_area_source = np.where(
        (n_floors_source == "derived") | ~is_main, "derived", "imputed"
    ).astype(object)
    volume = np.where(is_main, footprint * n_floors * storey_h, 0.0)

    # dwellings per building
    n_dwellings = np.zeros(n, dtype=np.int64)
    n_dwellings_source = np.full(n, "imputed", dtype=object)
    residential = is_main & np.isin(
        typology, ["detached", "semi_detached", "terraced", "apartment_building"]
    )
    if addresses is not None:
        n_dwellings[residential] = n_addresses[residential]
        n_dwellings_source[residential & (n_addresses > 0)] = "observed"
    need = residential & (n_dwellings == 0) & (
        footprint >= params.min_dwelling_building_area_m2.value
    )
    houses = need & (typology != "apartment_building")
    n_dwellings[houses] = 1
    flats = np.flatnonzero(need & (typology == "apartment_building"))
    if len(flats):
        per_dwelling = imp.apartment_floor_area_per_dwelling(
            pd.Series(heated[flats]), targets, params
        )
        n_dwellings[flats] = np.maximum(2, np.round(heated[flats] / per_dwelling)).astype(
            np.int64
        )
    n_dwellings_source[~is_main] = "derived"  # annexes hold no dwelling by definition

    # sectors
    sector_code = pd.Series(pd.NA, index=range(n), dtype="string")
    rep_points = shapely.point_on_surface(geoms.to_numpy())
    if sectors is not None:
        sectors = require_lambert72(sectors, "the sector layer", reproject=True)
        if "sector_code" not in sectors.columns:
            raise InputError(
                "the sector layer has no sector_code column; read Statbel statistical sectors "
                "with wijkreno.io.statbel.read_sectors."
            )
        stree = shapely.STRtree(sectors.geometry.to_numpy())
        p_idx, s_idx = stree.query(rep_points, predicate="within")
        first = pd.DataFrame({"p": p_idx, "s": s_idx}).drop_duplicates("p")
        sector_code.iloc[first["p"].to_numpy()] = (
            sectors["sector_code"].astype("string").to_numpy()[first["s"].to_numpy()]
        )

    ids = bld["gebouw_id"].to_numpy(dtype=object)
    main_ids = np.where(main_position >= 0, ids[np.clip(main_position, 0, None)], None)
    out = pd.DataFrame({
        "gebouw_id": bld["gebouw_id"].astype("string").to_numpy(),
        "nis_code": nis_code,
        "sector_code": sector_code.to_numpy(),
        "footprint_area_m2": footprint,
        "perimeter_m": metrics["perimeter_m"].to_numpy(dtype=float),
        "building_role": role,
        "building_role_source": role_source,
        "main_gebouw_id": pd.array(main_ids, dtype="string"),
        "block_id": walls["block_id"].to_numpy(dtype=np.int64),
        "n_party_walls": walls["n_party_walls"].to_numpy(dtype=np.int64),
        "party_wall_length_m": walls["party_wall_length_m"].to_numpy(dtype=float),
        "annex_wall_length_m": walls["annex_wall_length_m"].to_numpy(dtype=float),
        **{f"exposed_wall_{o}_m": walls[f"exposed_wall_{o}_m"].to_numpy(dtype=float)
           for o in ORIENTATIONS},
        "typology": typology,
        "typology_source": typology_source,
        "typology_reason": pd.array(typology_reason, dtype="string"),
        "height_m": np.round(height, 2),
        "height_m_source": height_source,
        "n_floors": n_floors,
        "n_floors_source": n_floors_source,
        "construction_year": year_series.array,
        "construction_year_source": year_source,
        "statbel_period": imp.statbel_period_label(year_series.astype("Float64")).to_numpy(),
        "roof_area_m2": roof_area,
        "roof_area_m2_source": roof_source,
        "ground_floor_area_m2": footprint,
        "heated_floor_area_m2": heated,
        "heated_floor_area_m2_source": floor_area_source,
        "volume_m3": volume,
        "volume_m3_source": floor_area_source,
        **{f"facade_area_{o}_m2": walls[f"exposed_wall_{o}_m"].to_numpy(dtype=float)
           * wall_height for o in ORIENTATIONS},
        "party_wall_area_m2": walls["party_wall_length_m"].to_numpy(dtype=float) * wall_height,
        "annex_wall_area_m2": walls["annex_wall_length_m"].to_numpy(dtype=float) * storey_h,
        "n_addresses": n_addresses,
        "n_dwellings": n_dwellings,
        "n_dwellings_source": n_dwellings_source,
    })
    extra = [c for c in bld.columns if c not in out.columns and c != "geometry"]
    buildings_out = gpd.GeoDataFrame(
        pd.concat([out, bld[extra].reset_index(drop=True)], axis=1),
        geometry=geoms.to_numpy(), crs=bld.crs,
    )
    buildings_out = conform(buildings_out, BUILDINGS)
    validate_table(buildings_out, BUILDINGS)

    dwellings = build_dwellings(
        buildings_out, addresses, links, rep_points, archetypes, params, rng
    )
    gas_table = None
    if gas_connections is not None:
        area = dwellings["sector_code"]
        if gas_areas is not None:
            area = _area_of_points(dwellings, gas_areas)
        key, conns = imp.gas_connection_areas(area, nis_code, gas_connections)
        systems, evidence = imp.bound_gas_heating(
            dwellings["heating_system"], dwellings["heating_system_source"], key,
            dwellings["tabula_period"], conns, params, rng,
        )
        dwellings["heating_system"] = pd.Categorical(
            systems.to_numpy(), categories=dwellings["heating_system"].cat.categories)
        dwellings["heating_system_evidence"] = evidence.to_numpy()
        gas_table = gas_heating_table(dwellings, key, conns, params)
    validate_table(dwellings, DWELLINGS)
    rejected_all = pd.concat(rejected, ignore_index=True)
    quality = {
        "dwellings": dwelling_table(buildings_out, targets, params),
        "typology": typology_table(buildings_out, targets),
        "periods": period_table(buildings_out, targets),
        "attributes": attribute_table(buildings_out, dwellings),
        "address_links": link_table(links, rejected_all, addresses),
    }
    if gas_table is not None:
        quality["gas_heating"] = gas_table
    log.info("twin built: %d buildings, %d dwellings", len(buildings_out), len(dwellings))
    return Twin(buildings_out, dwellings, rejected_all, quality)


def _area_of_points(dwellings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.Series:
    """``area_code`` of the polygon of ``areas`` each dwelling's point lies in (NA outside)."""
    if "area_code" not in areas.columns:
        raise InputError(
            f"the gas areas need an area_code column (they have {list(areas.columns)})."
        )
    areas = require_lambert72(areas, "the gas areas", reproject=True)
    code = pd.Series(pd.NA, index=dwellings.index, dtype="string")
    pts = dwellings.geometry.representative_point().to_numpy()
    hit_pt, hit_area = areas.sindex.query(pts, predicate="within")
    first = pd.DataFrame({"p": hit_pt, "a": hit_area}).drop_duplicates("p")
    code.iloc[first["p"].to_numpy()] = (
        areas["area_code"].astype("string").to_numpy()[first["a"].to_numpy()]
    )
    return code


def draw_heating_systems(
    tabula_period: np.ndarray, params: TwinParams, rng: np.random.Generator
) -> np.ndarray:
    """Draw each dwelling's main heating system from the shares of its TABULA period."""
    shares = params.heating_system_shares
    systems = np.array(shares.systems, dtype=object)
    out = np.empty(len(tabula_period), dtype=object)
    u = rng.random(len(tabula_period))
    for period in np.unique(tabula_period):
        sel = tabula_period == period
        cum = np.cumsum(shares.shares(str(period)))
        idx = np.searchsorted(cum, u[sel] * cum[-1], side="right")
        out[sel] = systems[np.clip(idx, 0, len(systems) - 1)]
    return out


def build_dwellings(
    buildings: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame | None,
    links: pd.DataFrame | None,
    rep_points: np.ndarray,
    archetypes: pd.DataFrame,
    params: TwinParams,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """One row per dwelling with its share of the building's envelope and archetype defaults.

    A building's dwellings share its floor area, roof, ground floor and facades equally (the
    twin does not know which apartment lies on which floor); ``floor_share_frac`` says how much.
    """
    n_dw = buildings["n_dwellings"].to_numpy()
    gebouw_id = buildings["gebouw_id"].astype(str).to_numpy()
    parts = []
    observed_pos = np.zeros(0, dtype=np.int64)
    if links is not None and addresses is not None:
        counted = buildings["n_dwellings_source"].astype(str).to_numpy() == "observed"
        keep = counted[links["building_pos"].to_numpy()]
        lk = links[keep]
        a = addresses.iloc[lk["address_pos"].to_numpy()]
        observed_pos = lk["building_pos"].to_numpy()
        parts.append(pd.DataFrame({
            "building_pos": observed_pos,
            "dwelling_id": a["adres_id"].astype(str).to_numpy(),
            "adres_id": a["adres_id"].astype(str).to_numpy(),
            **{c: (a[c].astype("string").to_numpy() if c in a.columns else pd.NA)
               for c in ("street", "house_number", "box_number", "postcode")},
            "geometry": a.geometry.to_numpy(),
        }))
    imputed_n = n_dw - np.bincount(observed_pos, minlength=len(buildings))
    pos = np.repeat(np.arange(len(buildings)), np.clip(imputed_n, 0, None))
    if len(pos):
        k = np.arange(len(pos)) - np.repeat(np.cumsum(imputed_n) - imputed_n, imputed_n) + 1
        parts.append(pd.DataFrame({
            "building_pos": pos,
            "dwelling_id": pd.Series(gebouw_id[pos]) + "/w" + pd.Series(k).astype(str),
            "adres_id": pd.NA, "street": pd.NA, "house_number": pd.NA, "box_number": pd.NA,
            "postcode": pd.NA,
            "geometry": rep_points[pos],
        }))
    if parts:
        dw = pd.concat(parts, ignore_index=True)
    else:
        dw = pd.DataFrame({c: pd.Series(dtype=object) for c in (
            "building_pos", "dwelling_id", "adres_id", "street", "house_number", "box_number",
            "postcode", "geometry")})
        dw["building_pos"] = dw["building_pos"].astype(np.int64)
    bpos = dw["building_pos"].to_numpy(dtype=np.int64)
    b = buildings.iloc[bpos].reset_index(drop=True)
    share = 1.0 / np.maximum(b["n_dwellings"].to_numpy(dtype=float), 1.0)
    year = b["construction_year"].astype("Int64")
    tab = imp.tabula_period(year.astype(float)) if len(b) else pd.Series(dtype=object)
    arche = archetypes.set_index(["typology", "tabula_period"])
    key = pd.MultiIndex.from_arrays([b["typology"].astype(str).to_numpy(), tab.to_numpy()])
    missing = ~key.isin(arche.index)
    if missing.any():
        raise InputError(
            f"no archetype for {sorted(set(key[missing]))}; the archetype table must cover every "
            "residential typology × TABULA period."
        )
    arch = arche.reindex(key).reset_index(drop=True)
    wfrac = arch["window_to_facade_frac"].to_numpy(dtype=float)
    out = pd.DataFrame({
        "dwelling_id": dw["dwelling_id"].astype(str).to_numpy(),
        "adres_id": pd.array(dw["adres_id"], dtype="string"),
        "gebouw_id": b["gebouw_id"].astype("string").to_numpy(),
        "street": pd.array(dw["street"], dtype="string"),
        "house_number": pd.array(dw["house_number"], dtype="string"),
        "box_number": pd.array(dw["box_number"], dtype="string"),
        "postcode": pd.array(dw["postcode"], dtype="string"),
        "nis_code": b["nis_code"].to_numpy(),
        "sector_code": b["sector_code"].to_numpy(),
        "typology": b["typology"].astype(str).to_numpy(),
        "typology_source": b["typology_source"].astype(str).to_numpy(),
        "construction_year": year.to_numpy(dtype=np.int64),
        "construction_year_source": b["construction_year_source"].astype(str).to_numpy(),
        "tabula_period": tab.to_numpy(),
        "archetype_code": arch["archetype_code"].to_numpy(),
        "floor_share_frac": share,
        "heated_floor_area_m2": b["heated_floor_area_m2"].to_numpy() * share,
        "heated_floor_area_m2_source": b["heated_floor_area_m2_source"].astype(str).to_numpy(),
        "volume_m3": b["volume_m3"].to_numpy() * share,
        "n_floors": b["n_floors"].to_numpy(dtype=np.int64),
        "roof_area_m2": b["roof_area_m2"].to_numpy() * share,
        "ground_floor_area_m2": b["ground_floor_area_m2"].to_numpy() * share,
        **{f"wall_area_{o}_m2": b[f"facade_area_{o}_m2"].to_numpy() * share * (1 - wfrac)
           for o in ORIENTATIONS},
        **{f"window_area_{o}_m2": b[f"facade_area_{o}_m2"].to_numpy() * share * wfrac
           for o in ORIENTATIONS},
        "party_wall_area_m2": b["party_wall_area_m2"].to_numpy() * share,
        "annex_wall_area_m2": b["annex_wall_area_m2"].to_numpy() * share,
    })
    for col in ("u_roof_w_per_m2k", "u_wall_w_per_m2k", "u_floor_w_per_m2k",
                "u_window_w_per_m2k", "infiltration_ach"):
        out[col] = arch[col].to_numpy(dtype=float)
        out[f"{col}_source"] = "imputed"
    for col in ("u_party_wall_w_per_m2k", "g_window_frac", "thermal_bridge_w_per_m2k",
                "cellar_frac"):
        out[col] = arch[col].to_numpy(dtype=float)
    out["heating_system"] = draw_heating_systems(tab.to_numpy(), params, rng)
    out["heating_system_source"] = "imputed"
    frame = gpd.GeoDataFrame(out, geometry=dw["geometry"].to_numpy(), crs=buildings.crs)
    return conform(frame, DWELLINGS)


# --------------------------------------------------------------------------------------------
# data quality


def typology_table(buildings: pd.DataFrame, targets: imp.StockTargets) -> pd.DataFrame:
    """Main buildings per typology in the twin next to Statbel's counts and shares."""
    main = buildings[buildings["building_role"] == "main"]
    rows = []
    shares = targets.type_shares()
    for typ, stat in imp.TYPOLOGY_TO_STATBEL.items():
        statbel = targets.building_counts[stat]
        if stat == "R6":
            statbel = targets.building_counts[["R5", "R6"]].sum()
        rows.append({
            "typology": typ,
            "statbel_type": "R5+R6" if stat == "R6" else stat,
            "twin_buildings": int((main["typology"] == typ).sum()),
            "statbel_buildings": float(statbel),
            "twin_share_frac": float((main["typology"] == typ).mean()) if len(main) else 0.0,
            "statbel_share_frac": float(
                shares[["R5", "R6"]].sum() if stat == "R6" else shares[stat]
            ),
        })
    table = pd.DataFrame(rows)
    table.attrs["calibration"] = targets.origin
    return table


def dwelling_table(buildings: pd.DataFrame, targets: imp.StockTargets, params: TwinParams
                   ) -> pd.DataFrame:
    """Dwellings per Statbel type in the twin next to Statbel's T8, and where they disagree.

    ``ratio`` is twin / Statbel; ``disagrees`` is True where it lies outside
    ``1 ± dwelling_tolerance_frac`` (or Statbel has none and the twin some), and ``note`` says
    so in Dutch / English. ``attrs["calibration"]`` names the Statbel table.
    """
    main = buildings[buildings["building_role"] == "main"]
    tol = params.dwelling_tolerance_frac.value
    rows = []
    for typ, stat in imp.TYPOLOGY_TO_STATBEL.items():
        twin = float(main.loc[main["typology"] == typ, "n_dwellings"].sum())
        statbel = float(targets.dwelling_counts[["R5", "R6"]].sum() if stat == "R6"
                        else targets.dwelling_counts[stat])
        ratio = twin / statbel if statbel > 0 else (np.inf if twin > 0 else 1.0)
        rows.append({"typology": typ, "statbel_type": "R5+R6" if stat == "R6" else stat,
                     "twin_dwellings": twin, "statbel_dwellings": statbel, "ratio": ratio})
    twin_total = sum(r["twin_dwellings"] for r in rows)
    statbel_total = float(targets.dwelling_counts.sum())
    rows.append({"typology": "total", "statbel_type": "R1-R6", "twin_dwellings": twin_total,
                 "statbel_dwellings": statbel_total,
                 "ratio": twin_total / statbel_total if statbel_total > 0 else np.nan})
    table = pd.DataFrame(rows)
    table["disagrees"] = ~table["ratio"].between(1 - tol, 1 + tol)
    table["note"] = np.where(
        table["disagrees"],
        "twin en Statbel verschillen meer dan " + f"{tol:.0%}" + " / twin and Statbel differ by "
        "more than " + f"{tol:.0%}",
        "",
    )
    table.attrs["calibration"] = targets.origin
    return table


def gas_heating_table(dwellings: pd.DataFrame, area_key: pd.Series, connections: pd.Series,
                      params: TwinParams) -> pd.DataFrame:
    """Gas-heated dwellings per area next to Fluvius' residential gas connections."""
    gas = dwellings["heating_system"].astype(object).isin(
        params.heating_from_gas_connections.gas_systems)
    frame = pd.DataFrame({"area": area_key.to_numpy(), "gas": gas.to_numpy()})
    per = frame.groupby("area")["gas"].agg(["sum", "size"]).rename(
        columns={"sum": "gas_heated_dwellings", "size": "dwellings"})
    per["gas_connections"] = connections.reindex(per.index).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per["over_connections_frac"] = np.where(
            per["gas_connections"] > 0,
            per["gas_heated_dwellings"] / per["gas_connections"] - 1.0,
            np.where(per["gas_heated_dwellings"] > 0, np.inf, 0.0),
        )
    return per.reset_index()


def period_table(buildings: pd.DataFrame, targets: imp.StockTargets) -> pd.DataFrame:
    """Main buildings per typology and Statbel period, twin next to Statbel."""
    main = buildings[buildings["building_role"] == "main"]
    rows = []
    for typ, stat in imp.TYPOLOGY_TO_STATBEL.items():
        sel = main[main["typology"] == typ]
        counts = sel["statbel_period"].value_counts()
        for code in imp.PERIOD_CODES:
            label = imp.PERIOD_LABELS[code]
            rows.append({
                "typology": typ,
                "statbel_period": label,
                "twin_buildings": int(counts.get(label, 0)),
                "statbel_buildings": float(targets.period_counts.loc[stat, code]),
            })
    return pd.DataFrame(rows)


def attribute_table(buildings: pd.DataFrame, dwellings: pd.DataFrame) -> pd.DataFrame:
    """Per table and attribute: how many values are observed, derived, imputed."""
    rows = []
    for table_name, frame in (("buildings", buildings), ("dwellings", dwellings)):
        for col in frame.columns:
            if not col.endswith("_source"):
                continue
            counts = frame[col].astype("string").value_counts()
            rows.append({
                "table": table_name,
                "attribute": col.removesuffix("_source"),
                "observed": int(counts.get("observed", 0)),
                "derived": int(counts.get("derived", 0)),
                "imputed": int(counts.get("imputed", 0)),
                "missing": int(frame[col].isna().sum()),
            })
    return pd.DataFrame(rows)


def link_table(
    links: pd.DataFrame | None, rejected: pd.DataFrame, addresses: pd.DataFrame | None
) -> pd.DataFrame:
    """How addresses were linked to buildings (register link, inside, annex, snapped, rejected)."""
    if links is None or addresses is None:
        return pd.DataFrame({"link": pd.Series(dtype=object), "addresses": pd.Series(dtype=int)})
    counts = links["link"].value_counts()
    rows = [{"link": k, "addresses": int(counts.get(k, 0))}
            for k in ("register", "inside", "annex", "snapped")]
    rows.append({
        "link": "rejected",
        "addresses": int((rejected["input"] == "addresses").sum()),
    })
    return pd.DataFrame(rows)
