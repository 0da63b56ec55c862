"""Public routes: health, areas (sectors/wijken) with priority, buildings and dwellings in a
bounding box."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.models import (
    ERRORS,
    FeatureCollection,
    GroupDetail,
    GroupList,
    Health,
    StreetList,
    StreetSummary,
    StreetView,
)
from api.settings import Settings, get_settings
from api.workspace import (
    Workspace,
    background_lifespan,
    get_workspace,
    get_workspace_async,
    get_workspace_for,
    reads_prepared,
    request_settings,
    warm_reads,
)
from wijkreno.errors import InputError

router = APIRouter(prefix="/api", tags=["publiek"],
                   lifespan=background_lifespan(warm_reads, "wijkreno-warm-reads"))
"""Starts :func:`api.workspace.warm_reads` of the configured workspace in the background."""

GEOJSON = "application/geo+json"
MAX_STREET_OFFSET = 1_000_000
"""Largest ``offset`` of a street view page: a bound on the number a client may send, far
above any street (the longest of the 250,000-dwelling benchmark city holds a few thousand
addresses); an offset past a street's end answers an empty page, not an error."""


@router.get("/health", response_model=Health, summary="Status van de dienst")
def health(settings: Annotated[Settings, Depends(get_settings)]) -> Health:
    """Whether the service runs and which workspace it serves."""
    try:
        ws = get_workspace_for(settings.data_dir)
    except InputError:
        return Health(workspace=Path(settings.data_dir).name, workspace_loaded=False)
    # the folder's name only: a response never shows server paths
    return Health(workspace=Path(settings.data_dir).name, workspace_loaded=True,
                  n_buildings=len(ws.buildings), n_dwellings=len(ws.dwellings),
                  area_levels=sorted(ws.areas), nis_codes=sorted(ws.nis_codes),
                  reads_prepared=reads_prepared(ws))


def _accepts_gzip(request: Request) -> bool:
    """Whether the request's ``Accept-Encoding`` allows gzip (and does not give it q=0)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().lower().replace(" ", "")
            return not (q.startswith("q=") and q[2:] in ("0", "0.", "0.0", "0.00", "0.000"))
    return False


def _etag_matches(request: Request, tags: tuple[str, ...]) -> bool:
    """Whether ``If-None-Match`` names one of ``tags`` (weak comparison, ``*`` matches)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    sent = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in sent or any(t in sent for t in tags)


async def _areas_response(ws: Workspace, level: str, request: Request, full: bool) -> Response:
    """The pre-built GeoJSON of ``level``: gzip when the client accepts it, 304 on a matching
    ``If-None-Match``. Built in the threadpool on first use, then only sent."""
    if level not in ws.areas:
        known = ", ".join(sorted(ws.areas)) or "geen"
        raise HTTPException(status_code=404, detail=(
            f"Geen gebieden op niveau '{level}' in deze werkruimte (beschikbaar: {known}). "
            "Maak ze met `wijkreno aggregate --level …`."))
    body = ws.area_body_cached(level, full)
    if body is None:
        body = await run_in_threadpool(ws.area_body, level, full)
    zipped = _accepts_gzip(request)
    etag = body.etag_gzip if zipped else body.etag
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60", "Vary": "Accept-Encoding"}
    if _etag_matches(request, (body.etag, body.etag_gzip)):
        return Response(status_code=304, headers=headers)
    if zipped:
        headers["Content-Encoding"] = "gzip"
        return Response(content=body.gzipped, media_type=GEOJSON, headers=headers)
    return Response(content=body.raw, media_type=GEOJSON, headers=headers)


FULL_QUERY = Query(description=(
    "false (standaard): de kaartlaag, met de eigenschappen die de kaart toont (prioriteit en "
    "haar componenten, kleurlagen, zijbalk) en vereenvoudigde grenzen (2 m); true: alle "
    "geaggregeerde indicatoren en de exacte grenzen."))


@router.get("/sectors", response_model=FeatureCollection, responses=ERRORS,
            summary="Statistische sectoren met prioriteitsscore en indicatoren (GeoJSON)")
async def sectors(request: Request, ws: Annotated[Workspace, Depends(get_workspace_async)],
                  full: Annotated[bool, FULL_QUERY] = False) -> Response:
    """Statistical sectors as GeoJSON (EPSG:4326) with ``priority_score``, ``priority_rank``
    and the ``priority_*`` components; by default the map layer (the indicators the map shows,
    outlines simplified), with ``full=true`` every aggregate indicator of ``wijkreno
    aggregate`` and the exact outlines. Gzip-compressed when the client accepts it."""
    return await _areas_response(ws, "sector", request, full)


@router.get("/areas/{level}", response_model=FeatureCollection, responses=ERRORS,
            summary="Gebieden van een niveau (sector, wijk, …) met prioriteit (GeoJSON)")
async def areas(level: str, request: Request,
                ws: Annotated[Workspace, Depends(get_workspace_async)],
                full: Annotated[bool, FULL_QUERY] = False) -> Response:
    """Areas of ``level`` (a folder under ``aggregate/``) as GeoJSON (EPSG:4326), the map
    layer or (``full=true``) every indicator, as for ``/api/sectors``."""
    return await _areas_response(ws, level, request, full)


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
    # the area on the sphere first (exact for a lon/lat box, whatever the projection does far
    # from Belgium): a box across the whole globe or the antimeridian can never pass
    sphere_km2 = (6371.0088**2 * math.radians(x1 - x0)
                  * abs(math.sin(math.radians(y1)) - math.sin(math.radians(y0))))
    if sphere_km2 > settings.max_bbox_area_km2 * 1.5:
        raise HTTPException(status_code=400, detail=(
            f"Het gevraagde gebied is te groot ({sphere_km2:,.1f} km², maximum "
            f"{settings.max_bbox_area_km2:g} km²): zoom verder in."))
    # area in EPSG:31370 (metres) where it applies
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


async def _bbox_layer(layer: str, bbox: str, request: Request, ws: Workspace,
                      max_features: int | None = None) -> Response:
    """The features of ``layer`` in ``bbox``: serialised once per workspace (in the threadpool,
    seconds for a city), then a tree query and a join of bytes on the event loop; 413 when
    more than ``max_features`` (default ``settings.max_features``).

    Not gzipped here: each box is a new body, and gzip level 1 of a zoom-16 view of
    footprints (180 kB → 25 kB) costs 1.1 ms, twice the rest of the request (0.6 ms of
    service CPU, measured on the 250,000-dwelling city), for a saving that only a slow
    network sees. A reverse proxy in front of the service compresses for such a network
    (nginx: ``gzip on; gzip_types application/geo+json application/json;``).
    """
    settings = request_settings(request)
    box = parse_bbox(bbox, settings)
    if not ws.layer_prepared(layer):
        await run_in_threadpool(ws.prepare_layer, layer)
    cap = settings.max_features if max_features is None else max_features
    n, content = ws.bbox_bytes(layer, box, cap)
    if content is None:
        raise HTTPException(status_code=413, detail=(
            f"Te veel objecten in dit gebied ({n:,}, maximum {cap:,}): zoom verder in."))
    return Response(content=content, media_type=GEOJSON)


@router.get("/buildings", response_model=FeatureCollection, responses=ERRORS,
            summary="Gebouwen in een kader, met EPC-label (GeoJSON)")
async def buildings(bbox: str, request: Request,
                    ws: Annotated[Workspace, Depends(get_workspace_async)],
                    full: Annotated[bool, Query(description=(
                        "false (standaard): de kaartlaag, gebouw_id en epc_label; true: ook "
                        "rol, typologie, bouwjaar, woningen, hoogte, oppervlakte en "
                        "EPC-score."))] = False) -> Response:
    """Buildings whose bounding box meets ``bbox`` (``minlon,minlat,maxlon,maxlat``, EPSG:4326;
    an outline near a corner of the box may be included without touching it, see
    :meth:`api.workspace.Workspace.bbox_bytes`) with the
    worst EPC label of their dwellings (the map's footprints: ``gebouw_id`` and ``epc_label``;
    every property with ``full=true``). 400 when the box is larger than ``max_bbox_area_km2``,
    413 when it holds more than ``max_footprints`` buildings (the map says 'zoom in')."""
    return await _bbox_layer("buildings_full" if full else "buildings", bbox, request, ws,
                             request_settings(request).max_footprints)


@router.get("/dwellings", response_model=FeatureCollection, responses=ERRORS,
            summary="Woningen (adressen) in een kader, met EPC-label en plan (GeoJSON)")
async def dwellings(bbox: str, request: Request,
                    ws: Annotated[Workspace, Depends(get_workspace_async)]) -> Response:
    """Dwelling points in ``bbox`` (EPSG:4326; the tree's envelope test, exact for points)
    with label, score and the plan's outcome."""
    return await _bbox_layer("dwellings", bbox, request, ws)


@router.get("/street-lines", response_model=FeatureCollection, responses=ERRORS,
            summary="Straatlijnen en straatnamen in een kader, uit de adressen (GeoJSON)")
async def street_lines_in_bbox(bbox: str, request: Request,
                               ws: Annotated[Workspace, Depends(get_workspace_async)]
                               ) -> Response:
    """Approximate street centre lines (or one anchor point for a short street) drawn from the
    twin's address points, with ``street`` and ``postcode``: the offline map's street names
    (:func:`wijkreno.maps.streets.street_lines`). A sketch, not a road network."""
    return await _bbox_layer("streets", bbox, request, ws)


@router.get("/group-layer", response_model=FeatureCollection, responses=ERRORS,
            summary="Collectieve renovatiegroepen in een kader, met hun omtrek (GeoJSON)")
async def group_layer(bbox: str, request: Request,
                      ws: Annotated[Workspace, Depends(get_workspace_async)]) -> Response:
    """Groups of two or more dwellings (blocks, apartment buildings, street clusters) whose
    footprints intersect ``bbox``: the union of their footprints with the individual and
    collective cost and the burenpremie (``wijkreno groups``)."""
    if ws.groups is None:
        raise HTTPException(status_code=404, detail=(
            "Deze werkruimte heeft geen groepen; maak ze met `wijkreno groups`."))
    return await _bbox_layer("groups", bbox, request, ws)


@router.get("/streets", response_model=StreetList, responses=ERRORS,
            summary="Straten zoeken (naam, postcode, aantal woningen)")
async def streets(ws: Annotated[Workspace, Depends(get_workspace_async)],
                  q: Annotated[str, Query(max_length=100)] = "",
                  limit: Annotated[int, Query(ge=1, le=200)] = 20) -> StreetList:
    """Streets of the twin whose name contains ``q`` (case-insensitive; names that start with
    it first), one row per street and postcode; without ``q`` the first ``limit`` streets in
    alphabetical order."""
    if not ws.streets_prepared:
        await run_in_threadpool(ws.prepare_streets)
    table = ws.street_table
    key = " ".join(q.split()).casefold()
    if key:
        hit = table[table["key"].str.contains(key, regex=False).to_numpy()]
        starts = hit["key"].str.startswith(key).to_numpy()
        hit = pd.concat([hit[starts], hit[~starts]])
    else:
        hit = table
    rows = hit.head(limit)
    return StreetList(n_streets=len(hit), streets=[
        StreetSummary(street=r.street, postcode=r.postcode or None,
                      n_dwellings=int(r.n_dwellings), lon=_finite(r.lon), lat=_finite(r.lat))
        for r in rows.itertuples(index=False)])


def _finite(value: float) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def street_view(ws: Workspace, name: str, postcode: str | None) -> dict[str, Any]:
    """The street ``name`` (and ``postcode``) as the ``StreetView`` response; 404 with the
    nearest names when it does not exist, or with the postcodes when the name is ambiguous."""
    return ws.street_view(street_key(ws, name, postcode))


def street_key(ws: Workspace, name: str, postcode: str | None) -> tuple[str, str]:
    """The (street, postcode) key of ``name``; 404 as :func:`street_view` says."""
    keys = ws.find_street(name, postcode)
    if not keys:
        wanted = " ".join(name.split()).casefold()
        near = ws.street_table[ws.street_table["key"].str.startswith(wanted[:4])]["street"]
        hint = (" Bedoelde u: " + ", ".join(sorted(set(near))[:5]) + "?") if len(near) else ""
        raise HTTPException(status_code=404, detail=(
            f"Straat '{name[:80]}'" + (f" met postcode {postcode[:10]}" if postcode else "")
            + " staat niet in de tweeling." + hint + " Zoek straten met GET /api/streets?q=…"))
    if len(keys) > 1:
        raise HTTPException(status_code=404, detail=(
            f"Straat '{name[:80]}' ligt in meer dan één postcode ("
            + ", ".join(k[1] or "zonder" for k in keys) + "); geef ?postcode=… mee."))
    return keys[0]


@router.get("/streets/{name}", response_model=StreetView, responses=ERRORS,
            summary="Eén straat: woningen in huisnummervolgorde, groepen en totalen")
async def street(name: str, request: Request,
                 ws: Annotated[Workspace, Depends(get_workspace_async)],
                 postcode: Annotated[str | None, Query(max_length=10)] = None,
                 offset: Annotated[int, Query(ge=0, le=MAX_STREET_OFFSET, description=(
                     "Eerste woning van de pagina (0 = de eerste)."))] = 0,
                 limit: Annotated[int | None, Query(ge=1, description=(
                     "Aantal woningen van de pagina (standaard street_page_size, ten hoogste "
                     "max_street_page_size)."))] = None) -> Response:
    """One page of the dwellings of street ``name`` (house-number order, from ``offset``, at
    most ``limit``) with label, plan and group, and for the whole street the collective groups
    with a member on it (individual against collective cost, burenpremie) and the totals
    (``totals.n_dwellings``: how many pages there are); ``postcode`` when the name occurs in
    several postcodes. The head is built once per street, a page joins prepared rows (well
    under a millisecond), on the event loop."""
    if len(name) > 120:
        raise HTTPException(status_code=400, detail="Straatnaam te lang (max 120 tekens).")
    settings = request_settings(request)
    if limit is None:
        limit = settings.street_page_size
    elif limit > settings.max_street_page_size:
        raise HTTPException(status_code=400, detail=(
            f"limit={limit} is te groot: ten hoogste {settings.max_street_page_size} woningen "
            "per pagina; vraag de volgende pagina met ?offset=…"))
    if not ws.streets_prepared:
        await run_in_threadpool(ws.prepare_streets)
    return Response(content=ws.street_view_bytes(street_key(ws, name, postcode), offset, limit),
                    media_type="application/json")


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
