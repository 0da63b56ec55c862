"""Address search route: ``GET /api/search?q=kerkstraat 5`` → suggestions.

The index of a workspace is built once per workspace version, in a background thread started
when the service starts (and again when the workspace's files change), so that the first
search does not pay for it; a query that arrives while the build runs waits for that build
instead of starting a second one.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from api.search import MAX_QUERY_CHARS, AddressIndex, build_address_index
from api.workspace import Workspace, background_lifespan, get_workspace, get_workspace_for
from wijkreno.errors import InputError, WijkrenoError

log = logging.getLogger(__name__)

_INDEXES: dict[tuple[str, float], AddressIndex] = {}
_BUILDING: dict[tuple[str, float], threading.Event] = {}
_LOCK = threading.Lock()

REFNIS_FILES: tuple[str, ...] = ("codebook_refnis.csv", "sources/codebook_refnis.csv",
                                 "statbel/codebook_refnis.csv")
"""Where in a workspace folder a Statbel REFNIS codebook (NIS code → municipality name) is
looked for, first found wins."""


class Suggestion(BaseModel):
    """One address suggestion."""

    adres_id: str = Field(description="Official address id (Adressenregister).")
    label: str = Field(description="Street, house number, box, postcode and municipality.")
    lon: float = Field(description="Longitude, EPSG:4326 [degree].")
    lat: float = Field(description="Latitude, EPSG:4326 [degree].")
    street: str | None = Field(default=None, description="Street name.")
    house_number: str | None = Field(default=None, description="House number.")
    box_number: str | None = Field(default=None, description="Box number (busnummer).")
    postcode: str | None = Field(default=None, description="Postcode.")
    municipality: str | None = Field(default=None, description=(
        "Name of the municipality (when the workspace knows it)."))
    nis_code: str | None = Field(default=None, description="NIS5 code of the municipality.")
    gebouw_id: str | None = Field(default=None, description="Building of the address.")
    exact: bool = Field(default=False, description=(
        "This is the number (and box) asked for, on the best-matching street."))


class SearchResult(BaseModel):
    """Suggestions for a query, best first, and what to tell the user."""

    query: str
    suggestions: list[Suggestion]
    exact: bool = Field(default=True, description=(
        "False when the number or box asked for does not exist (or no street matched); the "
        "message then names the nearest ones."))
    message: str | None = Field(default=None, description=(
        "Dutch sentence when the address was not found as typed, e.g. 'Kerkstraat heeft "
        "geen huisnummer 500; dichtstbij: 48, 50.'"))
    message_en: str | None = Field(default=None, description="The message in English.")


def municipality_names(ws: Workspace) -> dict[str, str]:
    """NIS5 code → municipality name for the workspace's municipalities.

    From a Statbel REFNIS codebook in the workspace folder (:data:`REFNIS_FILES`), the
    ``indicators`` stage's municipality record (``--name`` of ``wijkreno indicators``) and the
    demo's name; codes without a name are left out (their labels show the postcode only).
    """
    from wijkreno.demo import DEMO_NAME, DEMO_NIS_CODE
    from wijkreno.io.municipal import read_refnis
    from wijkreno.pipeline import Workspace as PipelineWorkspace

    wanted = {str(c).zfill(5) for c in ws.dwellings["nis_code"].dropna().astype(str).unique()} \
        if "nis_code" in ws.dwellings.columns else set()
    names: dict[str, str] = {}
    if DEMO_NIS_CODE in wanted:
        names[DEMO_NIS_CODE] = DEMO_NAME
    for rel in REFNIS_FILES:
        path = Path(ws.data_dir) / rel
        if path.is_file():
            try:
                table = read_refnis(path)
            except WijkrenoError as exc:
                log.warning("municipality names not read from %s: %s", path, exc)
                continue
            for code, name in zip(table["nis_code"], table["municipality_name"], strict=True):
                if code in wanted:
                    names[code] = str(name).strip().title() if str(name).isupper() else str(name)
            break
    pws = PipelineWorkspace(Path(ws.data_dir))
    try:
        if pws.exists("indicators", "municipality"):
            meta: dict[str, Any] = dict(pws.read("indicators", "municipality"))
            code, name = str(meta.get("nis_code", "")).zfill(5), meta.get("name")
            if name and str(name) != code:
                names[code] = str(name)
    except (OSError, ValueError, WijkrenoError) as exc:
        log.warning("municipality name not read from the indicators stage: %s", exc)
    return names


def _build(ws: Workspace) -> AddressIndex:
    return build_address_index(ws.dwellings, municipality_names(ws))


def address_index(ws: Workspace) -> AddressIndex:
    """The search index of a workspace version, built once; waits for a build under way."""
    key = (str(ws.data_dir), ws.version)
    while True:
        with _LOCK:
            index = _INDEXES.get(key)
            if index is not None:
                return index
            running = _BUILDING.get(key)
            if running is None:
                running = _BUILDING[key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            running.wait()
            continue  # built (or failed: then this caller builds)
        try:
            index = _build(ws)
            with _LOCK:
                _INDEXES.clear()  # one workspace version at a time
                _INDEXES[key] = index
            return index
        finally:
            with _LOCK:
                _BUILDING.pop(key, None)
            running.set()


def warm_address_index(data_dir: str | Path) -> None:
    """Load the workspace of ``data_dir`` and build its search index (background start-up);
    a missing workspace is logged, not raised."""
    try:
        address_index(get_workspace_for(data_dir))
    except WijkrenoError as exc:
        log.warning("search index not built at start-up: %s", exc)
    except Exception:  # noqa: BLE001 - a background thread must log, not die silently
        log.exception("search index not built at start-up")


router = APIRouter(prefix="/api", tags=["publiek"], lifespan=background_lifespan(
    warm_address_index, "wijkreno-search-index"))
"""Starts building the search index of the configured workspace in the background."""


@router.get("/search", response_model=SearchResult, summary="Adres zoeken (suggesties)",
            responses={400: {"description": "Lege of ongeldige zoekopdracht"}})
def search(
    ws: Annotated[Workspace, Depends(get_workspace)],
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS,
                            description="Straat en huisnummer, bv. 'Kerkstraat 5 bus 2' of "
                                        "'5 Kerkstraat, 2387'. Ongevoelig voor accenten, "
                                        "hoofdletters en kleine tikfouten.")] = "",
    limit: Annotated[int, Query(ge=1, le=50, description="Meeste suggesties.")] = 10,
) -> SearchResult:
    """Addresses matching a street name (prefix or up to two typos) and house number; when
    the number or box does not exist, ``exact`` is false and ``message`` names the nearest."""
    try:
        answer = address_index(ws).lookup(q, limit=limit)
    except InputError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return SearchResult(query=q, suggestions=[Suggestion(**s) for s in answer.suggestions],
                        exact=answer.exact, message=answer.message_nl or None,
                        message_en=answer.message_en or None)
