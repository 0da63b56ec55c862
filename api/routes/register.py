"""The register of realised renovations per municipality: upload, list (paged), correct.

Municipality data: reading needs the role ``viewer`` for that NIS code, writing ``coach``.
Every write is audited by the register itself (who = the logged-in user).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile

from api.auth import CurrentUser, check_role, get_register
from api.models import ERRORS, Correction, RegisterPage, UploadResult
from api.routes.search import address_index
from api.security import safe_upload_name, scrub_paths
from api.settings import Settings, check_page_size, get_settings
from api.workspace import Workspace, get_workspace, records
from wijkreno.errors import InputError
from wijkreno.register import KIND_COLUMNS, REGISTER_KINDS, Register

router = APIRouter(prefix="/api/register", tags=["register"])
UPLOAD_SUFFIXES = (".csv", ".xlsx")
IMPORT_COLUMNS = ("dwelling_id", "adres_id", "nis_code", "gebouw_id", "street", "house_number",
                  "box_number", "postcode")
"""The twin's dwelling columns an import needs: ids, building and address parts (rows may
give street, number and box instead of ``adres_id``, or a building's ``gebouw_id``)."""


def _check(nis: str, kind: str) -> None:
    if not (len(nis) == 5 and nis.isdigit()):
        raise HTTPException(status_code=400, detail=(
            f"'{nis[:20]}' is geen NIS-code: geef de vijf cijfers van de gemeente (bv. 13002)."))
    if kind not in REGISTER_KINDS:
        raise HTTPException(status_code=404, detail=(
            f"Onbekend registerdeel '{kind[:40]}'; kies uit {', '.join(REGISTER_KINDS)}."))


def rejected_values(raw: pd.DataFrame | None, rejected: pd.DataFrame
                    ) -> dict[str, dict[str, Any]]:
    """The file's values of the rejected rows (row number → header → value), JSON-ready."""
    if raw is None or rejected.empty:
        return {}
    rows = [int(r) for r in rejected["row"] if int(r) in raw.index]
    return {str(r): values for r, values in zip(rows, records(raw.loc[rows]), strict=True)}


@router.post("/{nis}/{kind}/upload", response_model=UploadResult, responses=ERRORS,
             summary="Ingevuld sjabloon opladen (CSV of XLSX)")
async def upload(nis: str, kind: str, file: UploadFile, request: Request, user: CurrentUser,
                 settings: Annotated[Settings, Depends(get_settings)],
                 register: Annotated[Register, Depends(get_register)],
                 ws: Annotated[Workspace, Depends(get_workspace)],
                 strict: bool = False) -> UploadResult:
    """Import a filled template (``wijkreno register template``) into the register of ``nis``;
    each row is validated, refused rows come back with the reason (and, for an ambiguous or
    unknown address, its ``candidates``). Rows may give street, number and box instead of
    ``adres_id``; a renovation for an apartment building (address without box, or
    ``gebouw_id``) is stored once and counts for every unit. Larger than ``max_upload_bytes``
    → 413."""
    _check(nis, kind)
    check_role(user, nis, "coach")
    declared = request.headers.get("content-length")
    limit = settings.max_upload_bytes
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise HTTPException(status_code=413, detail=(
            f"Bestand te groot (maximum {limit // 1024:,} kB); splits het op in kleinere "
            "bestanden."))
    name = safe_upload_name(file.filename)  # 300 characters or a NUL byte stay harmless
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise HTTPException(status_code=415, detail=(
            f"Bestandstype '{suffix or 'geen'}' niet ondersteund: laad een .csv of .xlsx op "
            "(het sjabloon van `wijkreno register template`)."))
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(status_code=413, detail=(
            f"Bestand te groot (maximum {limit // 1024:,} kB); splits het op in kleinere "
            "bestanden."))
    from starlette.concurrency import run_in_threadpool

    from wijkreno.register.upload import import_file, read_upload

    dwellings = pd.DataFrame(ws.dwellings[[c for c in IMPORT_COLUMNS
                                           if c in ws.dwellings.columns]])

    def work() -> UploadResult:
        index = address_index(ws)  # the map's search, built once per workspace version
        with tempfile.TemporaryDirectory(prefix="wijkreno-upload-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(content)
            try:
                result = import_file(register, path, kind, nis_code=nis, dwellings=dwellings,
                                     user=user.username, strict=strict, address_index=index)
            except InputError as exc:
                raise HTTPException(status_code=422, detail=scrub_paths(
                    f"Bestand niet ingelezen: {exc}")) from None
            raw = read_upload(path)[0] if result.n_rejected else None
        return upload_result(result, kind, rejected_values(raw, result.rejected))

    return await run_in_threadpool(work)


@router.get("/{nis}/{kind}", response_model=RegisterPage, responses=ERRORS,
            summary="Registerrijen van een gemeente (per pagina)")
def list_rows(nis: str, kind: str, user: CurrentUser,
              settings: Annotated[Settings, Depends(get_settings)],
              register: Annotated[Register, Depends(get_register)],
              page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
              page_size: Annotated[int, Query(ge=1)] = 100) -> RegisterPage:
    """Rows of one register kind of ``nis``, oldest first, ``page_size`` ≤
    ``max_page_size``."""
    _check(nis, kind)
    check_role(user, nis, "viewer")
    check_page_size(page_size, settings)
    table = register.read(kind, nis)
    start = (page - 1) * page_size
    return RegisterPage(kind=kind, nis_code=nis, page=page, page_size=page_size,
                        n_rows=len(table), rows=records(table.iloc[start:start + page_size]))


@router.patch("/{nis}/{kind}/{row_id}", response_model=RegisterPage, responses=ERRORS,
              summary="Een registerrij corrigeren (geauditeerd)")
def correct_row(nis: str, kind: str, row_id: int, body: Correction, user: CurrentUser,
                register: Annotated[Register, Depends(get_register)],
                ws: Annotated[Workspace, Depends(get_workspace)]) -> RegisterPage:
    """Change values of one row of ``nis``; the audit trail keeps old and new values. The row
    passes the import's checks again (address in the twin, dates, bounds, no duplicate)."""
    _check(nis, kind)
    check_role(user, nis, "coach")
    table = register.read(kind, nis)
    key = table.columns[0]
    row = table[table[key] == row_id]
    if row.empty:
        raise HTTPException(status_code=404, detail=(
            f"Rij {row_id} bestaat niet in het register '{kind}' van gemeente {nis}; zie "
            f"GET /api/register/{nis}/{kind}."))
    if "nis_code" in body.changes and str(body.changes["nis_code"]) != nis:
        raise HTTPException(status_code=403, detail=(
            "Een rij kan niet naar een andere gemeente verplaatst worden."))
    try:
        register.correct(kind, row_id, dict(body.changes), user=user.username,
                         dwellings=pd.DataFrame(ws.dwellings[["dwelling_id", "adres_id",
                                                              "nis_code"]]))
    except InputError as exc:
        raise HTTPException(status_code=422, detail=f"Correctie niet aanvaard: {exc}") from None
    table = register.read(kind, nis)
    return RegisterPage(kind=kind, nis_code=nis, page=1, page_size=1, n_rows=1,
                        rows=records(table[table[key] == row_id]))


def upload_result(result: Any, kind: str,
                  values: dict[str, dict[str, Any]] | None = None) -> UploadResult:
    """The response of an import (:func:`wijkreno.register.upload.import_file`'s result):
    counts, the rejected rows with their reasons, the accepted rows' ids and the duplicates
    (the upload route and the officer's one-row form share it)."""
    id_column = KIND_COLUMNS[kind][0]
    return UploadResult(upload_id=result.upload_id, n_rows=result.n_rows,
                        n_accepted=result.n_accepted, n_rejected=result.n_rejected,
                        n_duplicates=result.duplicates,
                        already_imported=result.already_imported, message=result.message,
                        rejected=records(result.rejected),
                        accepted=records(result.accepted[[c for c in ("row", id_column)
                                                          if c in result.accepted]]),
                        duplicates=records(result.duplicate_rows),
                        rejected_values=values or {})
