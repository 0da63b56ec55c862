"""LEKP indicators (public, aggregate) and the yearly LEKP report (login).

The municipality's inhabitants, households and housing units come from the Statbel tables of
the workspace or an admin's values (:mod:`api.municipal`); the query parameters only replace
them for one request."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from api.auth import CurrentUser, check_role, get_register
from api.lekp import COUNT_NAMES_NL, lekp_state, register_checklist, report_sources
from api.models import ERRORS, IndicatorTable
from api.workspace import Workspace, get_workspace, records
from wijkreno.register import Register

router = APIRouter(prefix="/api", tags=["indicatoren en rapporten"])

Count = Annotated[int | None, Query(ge=1, le=10_000_000, description=(
    "Replaces the municipality's Statbel count for this request only; default: the Statbel "
    "tables of the workspace or the value an admin entered (api.municipal)."))]


@router.get("/indicators/{nis}", response_model=IndicatorTable, responses=ERRORS,
            summary="LEKP-doelen en -indicatoren van een gemeente (publiek, geaggregeerd)")
def indicators(nis: str,
               ws: Annotated[Workspace, Depends(get_workspace)],
               register: Annotated[Register, Depends(get_register)],
               inhabitants: Count = None, households: Count = None,
               housing_units: Count = None,
               pact: Annotated[str, Query(pattern=r"^(1\.0|2\.0|2\.1)$")] = "2.1",
               as_of: dt.date | None = None) -> IndicatorTable:
    """Targets and indicators per goal and year, counted from the register (aggregate
    figures only)."""
    state = lekp_state(ws, register, nis, pact=pact, as_of=as_of, given={
        "inhabitants": inhabitants, "households": households, "housing_units": housing_units})
    return IndicatorTable(nis_code=nis, as_of=state.as_of.isoformat(),
                          with_register=True, targets=records(state.targets),
                          indicators=records(state.indicators))


@router.get("/reports/{nis}/lekp.{fmt}", responses={**ERRORS, 200: {
    "content": {"application/pdf": {}, "text/html": {}}}},
    summary="LEKP-voortgangsrapport (HTML of PDF; aanmelden vereist)")
def lekp_report(nis: str, fmt: str, user: CurrentUser,
                ws: Annotated[Workspace, Depends(get_workspace)],
                register: Annotated[Register, Depends(get_register)],
                inhabitants: Count = None, households: Count = None,
                housing_units: Count = None,
                pact: Annotated[str, Query(pattern=r"^(1\.0|2\.0|2\.1)$")] = "2.1",
                year: Annotated[int | None, Query(ge=2021, le=2100)] = None) -> Response:
    """The yearly LEKP report of ``nis`` (role ``viewer`` of that municipality)."""
    from wijkreno.reports import render_lekp_report

    if fmt not in ("html", "pdf"):
        raise HTTPException(status_code=404, detail=(
            f"Onbekend formaat '{fmt[:20]}': vraag lekp.html of lekp.pdf."))
    check_role(user, nis, "viewer")
    year = year or dt.date.today().year - 1
    state = lekp_state(ws, register, nis, pact=pact, given={
        "inhabitants": inhabitants, "households": households, "housing_units": housing_units})
    missing = state.missing_for_goals()
    if missing:
        raise HTTPException(status_code=409, detail=(
            f"Het rapport van {state.name} kan nog niet gemaakt worden: "
            + ", ".join(COUNT_NAMES_NL[k] for k in missing)
            + " ontbreekt (geen Statbel-tabel in de werkruimte). Een beheerder van de gemeente "
            f"vult het in op de LEKP-pagina /officer/{nis}/lekp."))
    with tempfile.TemporaryDirectory(prefix="wijkreno-lekp-") as tmp:
        paths = render_lekp_report(municipality=state.municipality(), targets=state.targets,
                                   indicators=state.indicators,
                                   renovations=register.renovations(nis),
                                   dwellings=state.dwellings,
                                   sources=report_sources(state, ws, register), year=year,
                                   out_dir=Path(tmp),
                                   checklist=register_checklist(state, register, year=year))
        content = Path(paths[fmt]).read_bytes()
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return Response(content=content, media_type=media, headers={
        "Content-Disposition": f'{"attachment" if fmt == "pdf" else "inline"}; '
                               f'filename="lekp-{nis}-{year}.{fmt}"'})
