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
from typing import Annotated

import jinja2
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup

from api.i18n import LANGUAGES, measure_names, pick_language, strings
from api.settings import Settings, get_settings
from api.workspace import Workspace, get_workspace
from wijkreno.maps.static_map import EPC_COLOURS, NO_DATA_COLOUR, POINT_CLASS_COLOURS
from wijkreno.reports.sheets import sheet_records

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
MAP_LAYERS: tuple[str, ...] = ("priority_score", "epc_score_mean_kwh_per_m2", "label_ef_frac")
"""Sector columns offered in the layer switch, the first shown at opening."""

LANG_COOKIE = "wijkreno_lang"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader([str(API_DIR / "templates"), str(REPORT_TEMPLATES)]),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)


def _html(page: str, language: str, set_cookie: bool) -> HTMLResponse:
    response = HTMLResponse(page, headers={
        "Content-Language": language,
        # same-origin scripts, styles and images only (MapLibre needs blob: workers)
        "Content-Security-Policy": ("default-src 'self'; img-src 'self' data: blob:; "
                                    "worker-src 'self' blob:; child-src blob:; "
                                    "style-src 'self' 'unsafe-inline'; "
                                    "script-src 'self'; connect-src 'self'"),
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
    config = {
        "lang": language,
        "languages": list(LANGUAGES),
        "strings": text,
        "layers": [{"column": c, "caption": text[f"layer_{c}"]} for c in MAP_LAYERS],
        "classColours": list(POINT_CLASS_COLOURS[1:6]),
        "noData": NO_DATA_COLOUR,
        "epcColours": EPC_COLOURS,
        "maxBboxAreaKm2": settings.max_bbox_area_km2,
        "dwellingMinZoom": 15,
        "measureNames": measure_names(language),
    }
    page = _ENV.get_template("map.html.j2").render(
        lang=language, s=text, languages=LANGUAGES, config=_json_script(config))
    return _html(page, language, set_cookie=lang is not None and language == lang.lower())


def _sheet_body(ws: Workspace, adres_id: str) -> tuple[str, str]:
    """The address's klimaattafel sheet (the report's own template) and its address."""
    dw = ws.dwellings[ws.dwellings["adres_id"].astype(str) == adres_id]
    if dw.empty:
        raise HTTPException(status_code=404, detail=(
            f"Adres {adres_id!r} staat niet in de werkruimte; zoek het adres op de kaart."))
    if ws.plan is None or ws.steps is None:
        raise HTTPException(status_code=404, detail=(
            "Deze werkruimte heeft geen renovatietrajecten; draai `wijkreno trajectories`."))
    ids = set(dw["dwelling_id"].astype(str))
    plan = pd.DataFrame(ws.plan)
    plan = plan[plan["dwelling_id"].astype(str).isin(ids)]
    if plan.empty:
        raise HTTPException(status_code=404, detail=(
            f"Geen renovatietraject voor adres {adres_id!r}; draai `wijkreno trajectories`."))
    dw = dw[dw["dwelling_id"].astype(str).isin(set(plan["dwelling_id"].astype(str)))]
    steps = pd.DataFrame(ws.steps)
    steps = steps[steps["dwelling_id"].astype(str).isin(ids)]
    records = sheet_records(pd.DataFrame(dw.drop(columns="geometry")), steps, plan)
    # the sheet exactly as the printed klimaattafel bundle: same template, body only
    page = _ENV.get_template("sheet.html.j2").render(
        css="", title="Klimaattafel", sheets=records,
        made_on=dt.date.today().strftime("%d-%m-%Y"))
    body = page.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
    return body, records[0]["address"]


@router.get("/print/{adres_id}", response_class=HTMLResponse, include_in_schema=False)
def print_page(
    adres_id: str,
    request: Request,
    ws: Annotated[Workspace, Depends(get_workspace)],
    lang: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    """Printable per-address sheet (A4) with a screen-only toolbar (print, back to the map)."""
    if len(adres_id) > 64:
        raise HTTPException(status_code=400, detail="Adres-id te lang (max 64 tekens).")
    language = pick_language(lang, request.cookies.get(LANG_COOKIE))
    body, address = _sheet_body(ws, adres_id)
    css = (REPORT_TEMPLATES / "print.css").read_text(encoding="utf-8")
    page = _ENV.get_template("print.html.j2").render(
        lang=language, s=strings(language), address=address, css=Markup(css),
        sheet=Markup(body), adres_id=adres_id)
    return _html(page, language, set_cookie=False)


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
