"""LEKP indicators (public, aggregate) and the yearly LEKP report (login)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Response

from api.auth import CurrentUser, check_role, get_register
from api.models import ERRORS, IndicatorTable
from api.workspace import Workspace, get_workspace, records
from wijkreno.errors import InputError
from wijkreno.register import Register

router = APIRouter(prefix="/api", tags=["indicatoren en rapporten"])

Inhabitants = Annotated[int, Query(ge=1, le=10_000_000, description="Inhabitants (Statbel).")]
Count = Annotated[int | None, Query(ge=1, le=10_000_000, description=(
    "Statbel count; default: the number of dwellings of the municipality in the twin."))]


def _inputs(ws: Workspace, register: Register, nis: str, inhabitants: int,
            households: int | None, housing_units: int | None, pact: str,
            as_of: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    from wijkreno.indicators import compute_indicators, municipality_targets

    if not (len(nis) == 5 and nis.isdigit()):
        raise HTTPException(status_code=400, detail=(
            f"'{nis[:20]}' is geen NIS-code: geef de vijf cijfers van de gemeente (bv. 13002)."))
    dwellings = ws.dwellings[ws.dwellings["nis_code"].astype(str) == nis]
    if dwellings.empty:
        raise HTTPException(status_code=404, detail=(
            f"Gemeente {nis} zit niet in deze werkruimte (wel: "
            f"{', '.join(sorted(ws.nis_codes))})."))
    n = len(dwellings)
    meta = {"nis_code": nis, "name": nis, "inhabitants": inhabitants,
            "households": households or n, "housing_units": housing_units or n, "pact": pact}
    try:
        targets = municipality_targets(nis_code=nis, inhabitants=inhabitants,
                                       households=meta["households"],
                                       housing_units=meta["housing_units"], pact=pact)
        table = compute_indicators(register, targets, nis_code=nis,
                                   as_of=as_of or dt.date.today(), dwellings=dwellings)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=f"Indicatoren niet berekend: {exc}") from None
    return targets, table, dwellings, meta


@router.get("/indicators/{nis}", response_model=IndicatorTable, responses=ERRORS,
            summary="LEKP-doelen en -indicatoren van een gemeente (publiek, geaggregeerd)")
def indicators(nis: str, inhabitants: Inhabitants,
               ws: Annotated[Workspace, Depends(get_workspace)],
               register: Annotated[Register, Depends(get_register)],
               households: Count = None, housing_units: Count = None,
               pact: Annotated[str, Query(pattern=r"^(1\.0|2\.0|2\.1)$")] = "2.1",
               as_of: dt.date | None = None) -> IndicatorTable:
    """Targets and indicators per goal and year, counted from the register (aggregate
    figures only)."""
    targets, table, _, _ = _inputs(ws, register, nis, inhabitants, households, housing_units,
                                   pact, as_of)
    return IndicatorTable(nis_code=nis, as_of=(as_of or dt.date.today()).isoformat(),
                          with_register=True, targets=records(targets),
                          indicators=records(table))


@router.get("/reports/{nis}/lekp.{fmt}", responses={**ERRORS, 200: {
    "content": {"application/pdf": {}, "text/html": {}}}},
    summary="LEKP-voortgangsrapport (HTML of PDF; aanmelden vereist)")
def lekp_report(nis: str, fmt: str, inhabitants: Inhabitants, user: CurrentUser,
                ws: Annotated[Workspace, Depends(get_workspace)],
                register: Annotated[Register, Depends(get_register)],
                households: Count = None, housing_units: Count = None,
                pact: Annotated[str, Query(pattern=r"^(1\.0|2\.0|2\.1)$")] = "2.1",
                year: Annotated[int | None, Query(ge=2021, le=2100)] = None) -> Response:
    """The yearly LEKP report of ``nis`` (role ``viewer`` of that municipality)."""
    from wijkreno.reports import render_lekp_report

    if fmt not in ("html", "pdf"):
        raise HTTPException(status_code=404, detail=(
            f"Onbekend formaat '{fmt[:20]}': vraag lekp.html of lekp.pdf."))
    check_role(user, nis, "viewer")
    year = year or dt.date.today().year - 1
    targets, table, dwellings, meta = _inputs(ws, register, nis, inhabitants, households,
                                              housing_units, pact, None)
    sources = [{"name": "Digitale tweeling wijkreno", "date": "–",
                "licence": "afgeleid van open data (Digitaal Vlaanderen, Statbel)"},
               {"name": "Gemeentelijk renovatieregister (wijkreno)", "date": "–",
                "licence": "gemeentelijke gegevens"}]
    with tempfile.TemporaryDirectory(prefix="wijkreno-lekp-") as tmp:
        paths = render_lekp_report(municipality=meta, targets=targets, indicators=table,
                                   renovations=register.renovations(nis), dwellings=dwellings,
                                   sources=sources, year=year, out_dir=Path(tmp))
        content = Path(paths[fmt]).read_bytes()
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return Response(content=content, media_type=media, headers={
        "Content-Disposition": f'{"attachment" if fmt == "pdf" else "inline"}; '
                               f'filename="lekp-{nis}-{year}.{fmt}"'})
