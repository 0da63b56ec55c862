"""Address search route: ``GET /api/search?q=kerkstraat 5`` → suggestions."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from api.search import MAX_QUERY_CHARS, AddressIndex, build_address_index
from api.workspace import Workspace, get_workspace
from wijkreno.errors import InputError

router = APIRouter(prefix="/api", tags=["publiek"])

_INDEXES: dict[tuple[str, float], AddressIndex] = {}
_LOCK = threading.Lock()


class Suggestion(BaseModel):
    """One address suggestion."""

    adres_id: str = Field(description="Official address id (Adressenregister).")
    label: str = Field(description="Street, house number, box and postcode.")
    lon: float = Field(description="Longitude, EPSG:4326 [degree].")
    lat: float = Field(description="Latitude, EPSG:4326 [degree].")


class SearchResult(BaseModel):
    """Suggestions for a query, best first."""

    query: str
    suggestions: list[Suggestion]


def address_index(ws: Workspace) -> AddressIndex:
    """The search index of a workspace version, built once (a few ms per 10,000 addresses)."""
    key = (str(ws.data_dir), ws.version)
    with _LOCK:
        index = _INDEXES.get(key)
        if index is None:
            _INDEXES.clear()  # one workspace version at a time
            index = _INDEXES[key] = build_address_index(ws.dwellings)
        return index


@router.get("/search", response_model=SearchResult, summary="Adres zoeken (suggesties)",
            responses={400: {"description": "Lege of ongeldige zoekopdracht"}})
def search(
    ws: Annotated[Workspace, Depends(get_workspace)],
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS,
                            description="Straat en huisnummer, bv. 'Kerkstraat 5 bus 2'. "
                                        "Ongevoelig voor accenten, hoofdletters en kleine "
                                        "tikfouten.")] = "",
    limit: Annotated[int, Query(ge=1, le=50, description="Meeste suggesties.")] = 10,
) -> SearchResult:
    """Addresses matching a street name (prefix or up to two typos) and house number."""
    try:
        found = address_index(ws).search(q, limit=limit)
    except InputError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return SearchResult(query=q, suggestions=[Suggestion(**s) for s in found])
