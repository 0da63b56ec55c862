"""The map page (``GET /``), the printable per-address sheet (``GET /print/{adres_id}``) and
the page's static files: MapLibre GL JS from the vendored npm files in
``wijkreno/maps/static/maplibre-gl/`` at ``/static/maplibre-gl/`` and the page's own script and
style at ``/static/app/`` — no CDN, the page works without internet.

Static files are served by two explicit routes over a fixed list of names rather than a
``StaticFiles`` mount: FastAPI's ``include_router`` does not carry mounts, and a whitelist
cannot be walked out of.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import jinja2
import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup

from api.auth import check_role, get_user_store, optional_user
from api.i18n import LANGUAGES, heating_names, measure_names, pick_language, strings
from api.routes.addresses import locate, rerun
from api.routes.public import street_view
from api.settings import Settings, get_settings
from api.workspace import Workspace, get_workspace, request_settings
from wijkreno.maps.static_map import EPC_COLOURS, NO_DATA_COLOUR, POINT_CLASS_COLOURS
from wijkreno.params.models.priority import load_priority_params
from wijkreno.params.models.renovation import load_renovation_params
from wijkreno.reports.sheets import cover_record, sheet_records
from wijkreno.users import UserStore

router = APIRouter(tags=["pagina"])

API_DIR = Path(__file__).resolve().parent.parent
MAPLIBRE_DIR = Path(str(resources.files("wijkreno.maps"))) / "static" / "maplibre-gl"
APP_STATIC_DIR = API_DIR / "static"
REPORT_TEMPLATES = Path(str(resources.files("wijkreno.reports"))) / "templates"

MAPLIBRE_FILES: dict[str, str] = {
    "maplibre-gl.js": "text/javascript; charset=utf-8",
    "maplibre-gl.css": "text/css; charset=utf-8",
    "LICENSE.txt": "text/plain; charset=utf-8",
}
APP_FILES: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
MAP_LAYERS: tuple[str, ...] = ("priority_score", "epc_score_mean_kwh_per_m2", "label_ef_frac",
                               "plan_saving_kwh_per_dwelling", "co2_abatement_cost_eur_per_t")
"""Sector columns offered in the layer switch, the first shown at opening (the last two are
derived by :func:`wijkreno.maps.indicators.add_map_indicators`)."""

LANG_COOKIE = "wijkreno_lang"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader([str(API_DIR / "templates"), str(REPORT_TEMPLATES)]),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` ('' when it is not an http(s) URL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def _html(page: str, language: str, set_cookie: bool, extra_origin: str = "") -> HTMLResponse:
    more = f" {extra_origin}" if extra_origin else ""
    response = HTMLResponse(page, headers={
        "Content-Language": language,
        # same-origin scripts, styles and images only (MapLibre needs blob: workers); the
        # background map's origin only when the settings switch it on
        "Content-Security-Policy": (f"default-src 'self'; img-src 'self' data: blob:{more}; "
                                    "worker-src 'self' blob:; child-src blob:; "
                                    "style-src 'self' 'unsafe-inline'; "
                                    f"script-src 'self'; connect-src 'self'{more}"),
    })
    if set_cookie:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _json_script(value: object) -> Markup:
    """JSON for a ``<script type="application/json">``: '</' escaped so nothing closes it."""
    return Markup(json.dumps(value, ensure_ascii=False).replace("</", "<\\/"))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def map_page(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    """The map page (Dutch by default; ``?lang=en`` switches and is remembered)."""
    language = pick_language(lang, request.cookies.get(LANG_COOKIE))
    text = strings(language)
    horizon = load_renovation_params().economics.horizon_years.value
    priority = load_priority_params()
    total_weight = sum(c.weight for c in priority.components) or 1.0
    background = None
    origin = _origin(settings.map_background_url) if settings.map_background else ""
    if origin:
        background = {"url": settings.map_background_url,
                      "attribution": settings.map_background_attribution}
    config = {
        "lang": language,
        "languages": list(LANGUAGES),
        "strings": text,
        "layers": [{"column": c, "caption": text[f"layer_{c}"],
                    "note": text.get(f"note_{c}", "").replace("{horizon}", f"{horizon:g}")}
                   for c in MAP_LAYERS],
        "components": [{"name": c.name, "column": c.column, "fallback": c.fallback_column,
                        "weight": c.weight / total_weight, "direction": c.direction}
                       for c in priority.components],
        "classColours": list(POINT_CLASS_COLOURS[1:6]),
        "noData": NO_DATA_COLOUR,
        "epcColours": EPC_COLOURS,
        "maxBboxAreaKm2": settings.max_bbox_area_km2,
        "dwellingMinZoom": settings.map_dwelling_min_zoom,
        "streetMinZoom": settings.map_street_min_zoom,
        "footprintMinZoom": settings.map_footprint_min_zoom,
        "measureNames": measure_names(language),
        "heatingNames": heating_names(language),
        "background": background,
    }
    page = _ENV.get_template("map.html.j2").render(
        lang=language, s=text, languages=LANGUAGES, config=_json_script(config))
    return _html(page, language, set_cookie=lang is not None and language == lang.lower(),
                 extra_origin=origin)


def _group_tables(ws: Workspace, dwelling_ids: list[str]
                  ) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The groups stage's members and groups of these dwellings only (the sheets' collective
    offer), or (None, None) when the workspace has no groups."""
    if ws.group_members is None or ws.groups is None:
        return None, None
    members = pd.DataFrame(ws.group_members)
    members = members[members["dwelling_id"].astype(str).isin(dwelling_ids)]
    groups = pd.DataFrame(ws.groups).drop(columns="geometry", errors="ignore")
    groups = groups[groups["group_id"].astype(str).isin(members["group_id"].astype(str))]
    return members, groups


def _sheets_body(ws: Workspace, positions: list[int], stored: dict[str, dict[str, Any]],
                 cover_title: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The klimaattafel sheets (the report's own template, body only) of the dwellings at row
    ``positions``, in that order, with their group's collective offer as the printed bundle
    has it; an address in ``stored`` (adres_id → a coach's corrections) is planned again with
    them, the others show the stored trajectory. With ``cover_title`` and more than one
    dwelling, the bundle opens with the street's cover page (its groups)."""
    if ws.plan is None or ws.steps is None:
        raise HTTPException(status_code=404, detail=(
            "Deze werkruimte heeft geen renovatietrajecten; draai `wijkreno trajectories`."))
    dws, steps, plans = [], [], []
    for pos in positions:
        adres_id = str(ws.dwellings["adres_id"].iloc[pos])
        did = str(ws.dwellings["dwelling_id"].iloc[pos])
        if adres_id in stored:
            dw, st, plan, _ = rerun(ws, pos, stored[adres_id])
        else:
            dw, st, plan = (ws.dwellings.iloc[[pos]], ws.rows_for("steps", did),
                            ws.rows_for("plan", did))
        if plan is None or plan.empty:
            continue
        dws.append(pd.DataFrame(dw).drop(columns="geometry", errors="ignore"))
        plans.append(pd.DataFrame(plan))
        if st is not None and len(st):
            steps.append(pd.DataFrame(st))
    if not dws:
        raise HTTPException(status_code=404, detail=(
            "Geen renovatietraject voor deze adressen; draai `wijkreno trajectories`."))
    step_frame = (pd.concat(steps, ignore_index=True) if steps
                  else pd.DataFrame(ws.steps).iloc[:0])
    dwellings = pd.concat(dws, ignore_index=True)
    summary = pd.concat(plans, ignore_index=True)
    members, groups = _group_tables(ws, dwellings["dwelling_id"].astype(str).tolist())
    records = sheet_records(dwellings, step_frame, summary, members=members, groups=groups)
    cover = (cover_record(dwellings, summary, members, groups, cover_title)
             if cover_title is not None and len(dwellings) > 1 else None)
    # the sheets exactly as the printed klimaattafel bundle: same template, body only
    page = _ENV.get_template("sheet.html.j2").render(
        css="", title="Klimaattafel", sheets=records, cover=cover,
        made_on=dt.date.today().strftime("%d-%m-%Y"))
    return page.split("<body>", 1)[-1].rsplit("</body>", 1)[0], records


def _stored_for(request: Request, store: UserStore, nis: str, adres_ids: list[str]
                ) -> dict[str, dict[str, Any]]:
    """The coach's stored corrections of ``adres_ids`` for a user of municipality ``nis``
    (401 when anonymous, 403 without a role there)."""
    settings = request_settings(request)
    user = optional_user(request, settings, store)
    if user is None:
        raise HTTPException(status_code=401, detail=(
            "Aanmelden vereist om de correcties van een coach af te drukken (gemeentelijke "
            "data); meld u aan op de kaart."))
    check_role(user, nis, "viewer")
    out = {}
    for adres_id in adres_ids:
        values = store.load_overrides(adres_id)
        if values:
            out[adres_id] = values
    return out


def _print_page(request: Request, lang: str | None, title: str, body: str,
                back: str) -> HTMLResponse:
    language = pick_language(lang, request.cookies.get(LANG_COOKIE))
    css = (REPORT_TEMPLATES / "print.css").read_text(encoding="utf-8")
    page = _ENV.get_template("print.html.j2").render(
        lang=language, s=strings(language), title=title, css=Markup(css),
        sheet=Markup(body), back=back)
    return _html(page, language, set_cookie=False)


@router.get("/print/street", response_class=HTMLResponse, include_in_schema=False)
def print_street(
    request: Request,
    ws: Annotated[Workspace, Depends(get_workspace)],
    store: Annotated[UserStore, Depends(get_user_store)],
    name: Annotated[str, Query(min_length=1, max_length=120)],
    postcode: Annotated[str | None, Query(max_length=10)] = None,
    overrides: bool = False,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    """The street bundle: one klimaattafel sheet per dwelling of the street, in house-number
    order (A4, one sheet per page); ``overrides=true`` (login) prints the coach's corrections."""
    view = street_view(ws, name, postcode)
    ids = [str(d["adres_id"]) for d in view["dwellings"]]
    positions = [locate(ws, a) for a in ids]
    stored: dict[str, dict[str, Any]] = {}
    if overrides and positions:
        stored = _stored_for(request, store, str(ws.dwellings["nis_code"].iloc[positions[0]]),
                             ids)
    title = view["street"] + (f", {view['postcode']}" if view["postcode"] else "")
    body, _ = _sheets_body(ws, positions, stored, cover_title=title)
    back = "#straat=" + quote(view["street"]) + (
        "&postcode=" + quote(view["postcode"]) if view["postcode"] else "")
    return _print_page(request, lang, title, body, back)


@router.get("/print/{adres_id}", response_class=HTMLResponse, include_in_schema=False)
def print_page(
    adres_id: str,
    request: Request,
    ws: Annotated[Workspace, Depends(get_workspace)],
    store: Annotated[UserStore, Depends(get_user_store)],
    overrides: bool = False,
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    """Printable per-address sheet (A4) with a screen-only toolbar (print, back to the map);
    ``overrides=true`` (login for the municipality) prints the coach's corrections."""
    if len(adres_id) > 64:
        raise HTTPException(status_code=400, detail="Adres-id te lang (max 64 tekens).")
    pos = ws.dwelling_pos.get(adres_id)
    if pos is None:
        raise HTTPException(status_code=404, detail=(
            f"Adres {adres_id!r} staat niet in de werkruimte; zoek het adres op de kaart."))
    pos = int(np.ravel(pos)[0])
    stored = (_stored_for(request, store, str(ws.dwellings["nis_code"].iloc[pos]), [adres_id])
              if overrides else {})
    body, records = _sheets_body(ws, [pos], stored)
    return _print_page(request, lang, records[0]["address"], body,
                       "#adres=" + quote(adres_id))


def _static(folder: Path, files: dict[str, str], name: str) -> Response:
    if name not in files:
        raise HTTPException(status_code=404, detail=f"Geen bestand {name!r} onder deze map.")
    path = folder / name
    if not path.is_file():
        raise HTTPException(status_code=404, detail=(
            f"{name} ontbreekt in {folder}; herstel het met scripts/vendor_maplibre.sh."))
    return FileResponse(path, media_type=files[name],
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/static/maplibre-gl/{name}", include_in_schema=False)
def maplibre_file(name: str) -> Response:
    """The vendored MapLibre GL JS files (BSD-3-Clause)."""
    return _static(MAPLIBRE_DIR, MAPLIBRE_FILES, name)


@router.get("/static/app/{name}", include_in_schema=False)
def app_file(name: str) -> Response:
    """The map page's script and style."""
    return _static(APP_STATIC_DIR, APP_FILES, name)
