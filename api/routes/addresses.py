"""One address: state, trajectory (standard or with the coach's overrides, rerun on the
spot) and the printable sheet."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth import (
    CurrentUser,
    OptionalUser,
    audit,
    check_role,
    get_register,
    get_user_store,
    optional_user,
)
from api.models import (
    ERRORS,
    AddressState,
    AuditEntry,
    AuditHistory,
    OverrideChange,
    Overrides,
    StoredOverrides,
    Trajectory,
)
from api.workspace import (
    Workspace,
    dumps,
    get_current_workspace,
    get_current_workspace_async,
    records,
    request_settings,
)
from wijkreno.pipeline import plan_dwellings
from wijkreno.register import Register
from wijkreno.simulate.basis import attach_basis_columns
from wijkreno.users import UserStore

router = APIRouter(prefix="/api/addresses", tags=["adres"])


def locate(ws: Workspace, adres_id: str) -> int:
    """Row position of ``adres_id`` in the twin's dwellings; 404 with a hint otherwise."""
    pos = ws.dwelling_pos.get(adres_id)
    if pos is None:
        raise HTTPException(status_code=404, detail=(
            f"Adres '{adres_id[:80]}' staat niet in de tweeling; zoek het adres op via de "
            "zoekfunctie of GET /api/dwellings?bbox=…"))
    return int(pos.iloc[0]) if isinstance(pos, pd.Series) else int(pos)


def _address_text(row: pd.Series) -> str:
    text = f"{row.get('street') or ''} {row.get('house_number') or ''}".strip()
    box = row.get("box_number")
    if box is not None and not pd.isna(box) and str(box):
        text += f" bus {box}"
    postcode = row.get("postcode")
    if postcode is not None and not pd.isna(postcode):
        text += f", {postcode}"
    return text


def _one(frame: pd.DataFrame | None) -> dict[str, Any] | None:
    if frame is None or frame.empty:
        return None
    return records(frame.iloc[[0]])[0]


@router.get("/{adres_id}", response_model=AddressState, responses=ERRORS,
            summary="Toestand van één adres")
def address_state(adres_id: str, ws: Annotated[Workspace, Depends(get_current_workspace)],
                  store: Annotated[UserStore, Depends(get_user_store)],
                  user: OptionalUser) -> AddressState:
    """Twin attributes (each imputed value flagged in its ``*_source`` column), the simulation
    results, the current EPC label and the standard plan of one address."""
    pos = locate(ws, adres_id)
    current = ws.current_dwelling(pos)
    row = current.iloc[0]
    did = str(row["dwelling_id"])
    twin = records(current)[0]
    results = _one(ws.rows_for("results", did))
    plan = _one(ws.rows_for("plan", did))
    members = _one(ws.rows_for("group_members", did))
    bpos = ws.building_pos.get(str(row["gebouw_id"]))
    building = None if bpos is None else records(ws.buildings.iloc[[int(np.ravel(bpos)[0])]])[0]
    point = ws.dwelling_layer.geometry.iloc[pos]
    return AddressState(
        adres_id=adres_id, dwelling_id=did, nis_code=str(row["nis_code"]),
        address=_address_text(row),
        lon=None if point is None or point.is_empty else float(point.x),
        lat=None if point is None or point.is_empty else float(point.y),
        epc_label=(results or {}).get("epc_label"),
        epc_score_kwh_per_m2=(results or {}).get("epc_score_kwh_per_m2"),
        twin=twin, building=building, results=results, plan=plan,
        group_id=(members or {}).get("group_id"),
        # whether a coach edited the address is municipal data: only its users learn it
        has_overrides=(user is not None and user.has_role(str(row["nis_code"]), "viewer")
                       and store.load_overrides(adres_id) is not None))


def rerun(ws: Workspace, pos: int, overrides: dict[str, Any]
          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[OverrideChange]]:
    """Apply ``overrides`` to one dwelling and plan its trajectory again.

    Returns the overridden dwelling row, steps, summary and the applied changes; 422 when
    :func:`~wijkreno.renovate.overrides.apply_overrides` refuses the row.
    """
    dwelling = ws.current_dwelling(pos)
    did = str(dwelling["dwelling_id"].iloc[0])
    results = ws.rows_for("results", did)
    if results is not None:
        # the simulation's expected (and calibrated) use: the money basis of the trajectories
        dwelling = attach_basis_columns(dwelling, results)
    # the note travels with the corrections but is no input of the calculation
    given = {k: v for k, v in overrides.items() if v is not None and k != "note"}
    ov = pd.DataFrame([{"dwelling_id": did, **given}]) if given else None
    # the same target, money basis and price year as the workspace's trajectories stage
    dwelling, steps, summary, changes = plan_dwellings(dwelling, ov, **ws.plan_options)
    changes_out: list[OverrideChange] = []
    if changes is not None:
        bad = changes[changes["status"] == "rejected"]
        if len(bad):
            raise HTTPException(status_code=422, detail=(
                "Correcties niet bruikbaar: " + "; ".join(bad["reason"].astype(str))
                + ". Pas ze aan en probeer opnieuw."))
        changes_out = [OverrideChange(column=str(r["column"]), old=r["old"], new=r["new"])
                       for r in records(changes[["column", "old", "new"]])]
    return dwelling, steps, summary, changes_out


def _stored_overrides(store: UserStore, user: Any, nis: str, adres_id: str,
                      ) -> dict[str, Any] | None:
    stored = store.load_overrides(adres_id)
    if stored is None:
        raise HTTPException(status_code=404, detail=(
            f"Voor adres {adres_id} zijn geen correcties van een coach opgeslagen; post ze met "
            f"POST /api/addresses/{adres_id}/trajectory."))
    if user is None:
        raise HTTPException(status_code=401, detail=(
            "Aanmelden vereist om de correcties van een coach te zien (gemeentelijke data)."))
    check_role(user, nis, "viewer")
    return stored


def _trajectory_with_stored(request: Request, ws: Workspace, adres_id: str, pos: int
                            ) -> Trajectory:
    """The trajectory with the coach's stored corrections (login for the address's
    municipality); sync: it reads the users database and reruns the plan."""
    settings = request_settings(request)
    store = get_user_store(settings)
    user = optional_user(request, settings, store)
    nis = str(ws.dwellings["nis_code"].iloc[pos])
    stored = _stored_overrides(store, user, nis, adres_id)
    _, steps, summary, changes = rerun(ws, pos, stored or {})
    return Trajectory(adres_id=adres_id, basis="overrides", steps=records(steps),
                      summary=records(summary)[0], changes=changes)


@router.get("/{adres_id}/trajectory", response_model=Trajectory, responses=ERRORS,
            summary="Renovatietraject van één adres")
async def trajectory(adres_id: str, request: Request,
                     ws: Annotated[Workspace, Depends(get_current_workspace_async)],
                     overrides: bool = False) -> Response:
    """The standard trajectory (steps and summary); with ``overrides=true`` (login for the
    address's municipality) the trajectory with the coach's stored corrections."""
    pos = locate(ws, adres_id)
    if overrides:
        result = await run_in_threadpool(_trajectory_with_stored, request, ws, adres_id, pos)
        return Response(content=dumps(result.model_dump(mode="json")),
                        media_type="application/json")
    # the standard answer is sliced from arrays prepared once (in the threadpool, seconds for
    # a city) and serialised here on the event loop: about 0.1 ms, no thread hop
    if not ws.trajectories_prepared:
        await run_in_threadpool(ws.prepare_trajectories)
    content = ws.trajectory_bytes(adres_id, pos)
    if content is None:
        raise HTTPException(status_code=404, detail=(
            "Deze werkruimte heeft geen trajecten; maak ze met `wijkreno trajectories`."))
    return Response(content=content, media_type="application/json")


@router.post("/{adres_id}/trajectory", response_model=Trajectory, responses=ERRORS,
             summary="Traject herberekenen met de correcties van een coach")
def trajectory_with_overrides(
    adres_id: str, body: Overrides, user: CurrentUser,
    ws: Annotated[Workspace, Depends(get_current_workspace)],
    store: Annotated[UserStore, Depends(get_user_store)],
    register: Annotated[Register, Depends(get_register)],
) -> Trajectory:
    """Apply the coach's corrections to this address, rerun its trajectory on the spot, keep
    the corrections (role ``coach`` for the address's municipality) and audit the write."""
    pos = locate(ws, adres_id)
    nis = str(ws.dwellings["nis_code"].iloc[pos])
    check_role(user, nis, "coach")
    values = body.model_dump(exclude_none=True)
    _, steps, summary, changes = rerun(ws, pos, values)
    old = store.load_overrides(adres_id)
    store.save_overrides(adres_id, nis, values, user.username)
    audit(register, who=user.username, action="override", table="coach_override",
          row_key=adres_id, nis_code=nis, old_values=old, new_values=values)
    return Trajectory(adres_id=adres_id, basis="overrides", steps=records(steps),
                      summary=records(summary)[0], changes=changes)


@router.get("/{adres_id}/overrides", response_model=StoredOverrides, responses=ERRORS,
            summary="Opgeslagen correcties van een coach voor één adres")
def stored_overrides(adres_id: str, user: CurrentUser,
                     ws: Annotated[Workspace, Depends(get_current_workspace)],
                     store: Annotated[UserStore, Depends(get_user_store)]) -> StoredOverrides:
    """The corrections a coach stored for this address (an empty object when none); login with
    a role for the address's municipality (municipal data)."""
    pos = locate(ws, adres_id)
    check_role(user, str(ws.dwellings["nis_code"].iloc[pos]), "viewer")
    return StoredOverrides(adres_id=adres_id, overrides=store.load_overrides(adres_id) or {})


@router.get("/{adres_id}/history", response_model=AuditHistory, responses=ERRORS,
            summary="Wie wijzigde de correcties van één adres, en wanneer")
def override_history(adres_id: str, user: CurrentUser,
                     ws: Annotated[Workspace, Depends(get_current_workspace)],
                     register: Annotated[Register, Depends(get_register)],
                     limit: int = 20) -> AuditHistory:
    """The audit trail of the coach's corrections of this address (newest first, at most
    ``limit``): who, when, the values before and after. Role viewer for its municipality."""
    from sqlalchemy import select

    from wijkreno.register.models import AuditLog

    pos = locate(ws, adres_id)
    check_role(user, str(ws.dwellings["nis_code"].iloc[pos]), "viewer")
    t = AuditLog.__table__
    stmt = (select(t.c.who, t.c.at, t.c.action, t.c.old_values, t.c.new_values)
            .where(t.c.table_name == "coach_override", t.c.row_key == adres_id[:64])
            .order_by(t.c.audit_id.desc()).limit(max(1, min(limit, 200))))
    with register.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return AuditHistory(adres_id=adres_id, entries=[
        AuditEntry(who=r.who, at=r.at.isoformat() if hasattr(r.at, "isoformat") else str(r.at),
                   action=r.action, old_values=r.old_values, new_values=r.new_values)
        for r in rows])


def _sheet(ws: Workspace, pos: int, fmt: str, stored: dict[str, Any] | None) -> Response:
    from wijkreno.reports import render_address_sheets

    did = str(ws.dwellings["dwelling_id"].iloc[pos])
    if stored is not None:
        dwelling, steps, summary, _ = rerun(ws, pos, stored)
    else:
        dwelling = ws.current_dwelling(pos)
        steps, summary = ws.rows_for("steps", did), ws.rows_for("plan", did)
        if steps is None or summary is None or summary.empty:
            raise HTTPException(status_code=404, detail=(
                "Deze werkruimte heeft geen trajecten; maak ze met `wijkreno trajectories`."))
    with tempfile.TemporaryDirectory(prefix="wijkreno-sheet-") as tmp:
        paths = render_address_sheets(dwelling, steps, summary, Path(tmp),
                                      bundle_name=f"adres-{did}")
        content = Path(paths[fmt]).read_bytes()
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    disposition = "attachment" if fmt == "pdf" else "inline"
    return Response(content=content, media_type=media, headers={
        "Content-Disposition": f'{disposition}; filename="adresblad-{did}.{fmt}"'})


@router.get("/{adres_id}/sheet.{fmt}", responses={**ERRORS, 200: {
    "content": {"application/pdf": {}, "text/html": {}}}},
    summary="Adresblad (HTML of PDF) om af te drukken")
def sheet(adres_id: str, fmt: str, ws: Annotated[Workspace, Depends(get_current_workspace)],
          store: Annotated[UserStore, Depends(get_user_store)], user: OptionalUser,
          overrides: bool = False) -> Response:
    """The one-page klimaattafel sheet of the address (``fmt`` = ``html`` or ``pdf``); public
    for the standard sheet, with ``overrides=true`` only for users of that municipality."""
    if fmt not in ("html", "pdf"):
        raise HTTPException(status_code=404, detail=(
            f"Onbekend formaat '{fmt[:20]}': vraag sheet.html of sheet.pdf."))
    pos = locate(ws, adres_id)
    stored = None
    if overrides:
        nis = str(ws.dwellings["nis_code"].iloc[pos])
        stored = _stored_overrides(store, user, nis, adres_id)
    return _sheet(ws, pos, fmt, stored)
