"""Public routes: health, areas (sectors/wijken) with priority, buildings and dwellings in a
bounding box."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request, Response

from api.models import ERRORS, FeatureCollection, GroupDetail, GroupList, Health
from api.settings import Settings, get_settings
from api.workspace import Workspace, get_workspace, get_workspace_for
from wijkreno.errors import InputError

router = APIRouter(prefix="/api", tags=["publiek"])

GEOJSON = "application/geo+json"


@router.get("/health", response_model=Health, summary="Status van de dienst")
def health(settings: Annotated[Settings, Depends(get_settings)]) -> Health:
    """Whether the service runs and which workspace it serves."""
    try:
        ws = get_workspace_for(settings.data_dir)
    except InputError:
        return Health(workspace=str(settings.data_dir), workspace_loaded=False)
    return Health(workspace=str(settings.data_dir), workspace_loaded=True,
                  n_buildings=len(ws.buildings), n_dwellings=len(ws.dwellings),
                  area_levels=sorted(ws.areas), nis_codes=sorted(ws.nis_codes))


def _areas_response(ws: Workspace, level: str, request: Request) -> Response:
    if level not in ws.areas:
        known = ", ".join(sorted(ws.areas)) or "geen"
        raise HTTPException(status_code=404, detail=(
            f"Geen gebieden op niveau '{level}' in deze werkruimte (beschikbaar: {known}). "
            "Maak ze met `wijkreno aggregate --level …`."))
    etag = f'"{level}-{ws.version}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(content=ws.area_geojson(level), media_type=GEOJSON,
                    headers={"ETag": etag, "Cache-Control": "public, max-age=60"})


@router.get("/sectors", response_model=FeatureCollection, responses=ERRORS,
            summary="Statistische sectoren met prioriteitsscore en indicatoren (GeoJSON)")
def sectors(request: Request, ws: Annotated[Workspace, Depends(get_workspace)]) -> Response:
    """Statistical sectors as GeoJSON (EPSG:4326) with ``priority_score``, ``priority_rank``,
    the ``priority_*`` components and the aggregate indicators of ``wijkreno aggregate``."""
    return _areas_response(ws, "sector", request)


@router.get("/areas/{level}", response_model=FeatureCollection, responses=ERRORS,
            summary="Gebieden van een niveau (sector, wijk, …) met prioriteit (GeoJSON)")
def areas(level: str, request: Request,
          ws: Annotated[Workspace, Depends(get_workspace)]) -> Response:
    """Areas of ``level`` (a folder under ``aggregate/``) as GeoJSON (EPSG:4326)."""
    return _areas_response(ws, level, request)


@functools.lru_cache(maxsize=1)
def _to_lambert72() -> Any:
    """The EPSG:4326 → EPSG:31370 transformer (built once: it costs milliseconds)."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)


def parse_bbox(bbox: str, settings: Settings) -> tuple[float, float, float, float]:
    """Parse ``minlon,minlat,maxlon,maxlat`` (EPSG:4326) and check its size."""
    import math

    parts = bbox.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise HTTPException(status_code=400, detail=(
            f"bbox '{bbox[:80]}' is ongeldig: geef vier getallen minlon,minlat,maxlon,maxlat "
            "in graden (EPSG:4326), bv. bbox=4.30,51.08,4.32,51.09."))
    x0, y0, x1, y1 = values
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise HTTPException(status_code=400, detail=(
            "bbox is ongeldig: nodig is minlon < maxlon en minlat < maxlat, lengte tussen "
            "-180 en 180, breedte tussen -90 en 90 (EPSG:4326)."))
    # area in EPSG:31370 (metres) where it applies; outside Belgium an equal-angle estimate
    tr = _to_lambert72()
    xs, ys = tr.transform([x0, x1, x1, x0], [y0, y0, y1, y1])
    if all(math.isfinite(v) for v in (*xs, *ys)):
        area_km2 = abs(0.5 * sum(xs[i] * ys[(i + 1) % 4] - xs[(i + 1) % 4] * ys[i]
                                 for i in range(4))) / 1e6
    else:
        area_km2 = math.inf
    if area_km2 > settings.max_bbox_area_km2:
        raise HTTPException(status_code=400, detail=(
            f"Het gevraagde gebied is te groot ({area_km2:,.1f} km², maximum "
            f"{settings.max_bbox_area_km2:g} km²): zoom verder in."))
    return x0, y0, x1, y1


def _bbox_layer(layer: str, bbox: str, settings: Settings, ws: Workspace) -> Response:
    from api.workspace import BUILDING_MAP_COLUMNS, DWELLING_MAP_COLUMNS, feature_collection_bytes

    box = parse_bbox(bbox, settings)
    hits = ws.in_bbox(layer, box)
    if len(hits) > settings.max_features:
        raise HTTPException(status_code=413, detail=(
            f"Te veel objecten in dit gebied ({len(hits):,}, maximum "
            f"{settings.max_features:,}): zoom verder in."))
    cols = BUILDING_MAP_COLUMNS if layer == "buildings" else DWELLING_MAP_COLUMNS
    extra = ("epc_label", "epc_score_kwh_per_m2") if layer == "buildings" else ()
    content = feature_collection_bytes(hits, list(cols) + list(extra),
                                       extra={"n_features": len(hits)})
    return Response(content=content, media_type=GEOJSON)


@router.get("/buildings", response_model=FeatureCollection, responses=ERRORS,
            summary="Gebouwen in een kader, met EPC-label (GeoJSON)")
def buildings(bbox: str, settings: Annotated[Settings, Depends(get_settings)],
              ws: Annotated[Workspace, Depends(get_workspace)]) -> Response:
    """Buildings intersecting ``bbox`` (``minlon,minlat,maxlon,maxlat``, EPSG:4326) with the
    worst EPC label of their dwellings. 400 when the box is larger than
    ``max_bbox_area_km2``, 413 when it holds more than ``max_features`` buildings."""
    return _bbox_layer("buildings", bbox, settings, ws)


@router.get("/dwellings", response_model=FeatureCollection, responses=ERRORS,
            summary="Woningen (adressen) in een kader, met EPC-label en plan (GeoJSON)")
def dwellings(bbox: str, settings: Annotated[Settings, Depends(get_settings)],
              ws: Annotated[Workspace, Depends(get_workspace)]) -> Response:
    """Dwelling points in ``bbox`` (EPSG:4326) with label, score and the plan's outcome."""
    return _bbox_layer("dwellings", bbox, settings, ws)


@router.get("/groups", response_model=GroupList, responses=ERRORS,
            summary="Collectieve renovatiegroepen")
def groups(ws: Annotated[Workspace, Depends(get_workspace)],
           sector_code: str | None = None, street: str | None = None,
           collective: bool | None = None) -> GroupList:
    """Groups of ``wijkreno groups`` (without geometry), optionally filtered."""
    from api.workspace import records

    if ws.groups is None:
        raise HTTPException(status_code=404, detail=(
            "Deze werkruimte heeft geen groepen; maak ze met `wijkreno groups`."))
    g = ws.groups
    if sector_code is not None:
        g = g[g["sector_code"].astype(str) == sector_code]
    if street is not None:
        g = g[g["street"].astype(str).str.casefold() == street.casefold()]
    if collective is not None:
        g = g[g["collective"].astype(bool) == collective]
    return GroupList(n_groups=len(g), groups=records(g))


@router.get("/groups/{group_id}", response_model=GroupDetail, responses=ERRORS,
            summary="Eén groep met haar leden")
def group(group_id: str, ws: Annotated[Workspace, Depends(get_workspace)]) -> GroupDetail:
    """One group and its member dwellings (with addresses)."""
    from api.workspace import records

    if ws.groups is None or ws.group_members is None:
        raise HTTPException(status_code=404, detail=(
            "Deze werkruimte heeft geen groepen; maak ze met `wijkreno groups`."))
    g = ws.groups[ws.groups["group_id"].astype(str) == group_id]
    if g.empty:
        raise HTTPException(status_code=404, detail=(
            f"Groep '{group_id[:80]}' bestaat niet; zie GET /api/groups voor de lijst."))
    m = ws.group_members[ws.group_members["group_id"].astype(str) == group_id]
    addr = ws.dwellings[["dwelling_id", "adres_id", "street", "house_number", "box_number"]]
    m = pd.DataFrame(m).merge(pd.DataFrame(addr), on="dwelling_id", how="left")
    return GroupDetail(group=records(g)[0], members=records(m))
