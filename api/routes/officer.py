"""The municipal officer's pages: login and logout, the register, the LEKP follow-up.

Pages (HTML, Dutch first, ``?lang=en`` switches and is remembered in the ``wijkreno_lang``
cookie that the map page uses too):

``GET /login``, ``GET /logout``
    Log in (the form posts to ``POST /api/auth/login``) and out (``POST /api/auth/logout``).
``GET /officer``
    The user's municipalities with their role.
``GET /officer/{nis}/register``
    Download the templates, upload a filled file and see the result per row (accepted,
    rejected with the reason, duplicates), correct a rejected row in a form that goes through
    the same import, list and filter the rows, edit a row (``PATCH /api/register/...``) and see
    its audit history.
``GET /officer/{nis}/lekp``
    The goals with target, realised, share, target path and projection; the municipality's
    name and counts with their source and date (editable by an admin); the checklist ticked
    from the register; the report (HTML, PDF) and the Pactportaal CSV.

Pages answer anonymous visitors with a redirect to ``/login?next=...``. The JSON routes under
``/api/officer`` need a login and the municipality's role (``viewer`` to read, ``coach`` to
write rows, ``admin`` to change the municipality's counts); every write is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from api.auth import (
    CSRF_COOKIE,
    CSRF_HEADER,
    CurrentUser,
    audit,
    check_role,
    get_register,
    get_user_store,
    optional_user,
)
from api.i18n import LANGUAGES, pick_language
from api.lekp import (
    PACTPORTAAL_COLUMNS,
    check_nis,
    goal_rows,
    lekp_state,
    pactportaal_csv,
    register_checklist,
)
from api.models import ERRORS, UploadResult
from api.municipal import FACT_KEYS, facts_json, municipality_facts, save_overrides
from api.officer_i18n import officer_strings
from api.routes.pages import LANG_COOKIE  # the map page's language cookie, shared
from api.security import scrub_paths
from api.settings import Settings, check_page_size, get_settings
from api.workspace import Workspace, get_workspace, records
from wijkreno.errors import InputError
from wijkreno.register import KIND_COLUMNS, REGISTER_KINDS, Register
from wijkreno.register.models import KIND_MODELS
from wijkreno.users import User, UserStore

router = APIRouter(tags=["gemeente"])

API_DIR = Path(__file__).resolve().parent.parent
STATIC_FILES: dict[str, str] = {
    "officer.js": "text/javascript; charset=utf-8",
    "officer.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; form-action 'self'")
"""The pages' own script and style only; the middleware adds ``frame-ancestors 'none'``."""
ROW_PAGE_SIZE = 50
"""Rows per page of the register listing on the page."""


def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(API_DIR / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )


_ENV = _env()


# -- helpers -----------------------------------------------------------------------------------
def _page_user(request: Request, settings: Settings, store: UserStore) -> User | None:
    """The logged-in user of a page request; None when anonymous or the session ended."""
    try:
        return optional_user(request, settings, store)
    except HTTPException:
        return None


def _safe_next(target: str | None) -> str:
    """A same-site path to go to after login (never another host)."""
    # control characters too: a browser drops tabs and newlines, so "/\t/evil" would become
    # "//evil" (another host) in the page's location.assign
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 0x20 or c == "\x7f" for c in target)):
        return "/officer"
    return target


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _json_script(value: object) -> Markup:
    """JSON for a ``<script type="application/json">``: '</' escaped so nothing closes it."""
    return Markup(json.dumps(value, ensure_ascii=False).replace("</", "<\\/"))


def _render(request: Request, template: str, lang: str | None, *, user: User | None,
            config: dict[str, Any] | None = None, status_code: int = 200,
            **context: Any) -> HTMLResponse:
    language = pick_language(lang, request.cookies.get(LANG_COOKIE))
    text = officer_strings(language)
    page = _ENV.get_template(template).render(
        lang=language, s=text, languages=LANGUAGES, user=user, path=request.url.path,
        config=_json_script({"lang": language, "strings": text, "csrfCookie": CSRF_COOKIE,
                             "csrfHeader": CSRF_HEADER, **(config or {})}),
        **context)
    response = HTMLResponse(page, status_code=status_code, headers={
        "Content-Language": language, "Cache-Control": "no-store",
        "Content-Security-Policy": PAGE_CSP})
    if lang is not None and language == lang.lower():
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _municipality_name(ws: Workspace | None, nis: str) -> str:
    if ws is None or nis not in ws.nis_codes:
        return nis
    n = len(ws.nis_rows.get(nis, ()))
    value = municipality_facts(ws.data_dir, nis, n)["name"].value
    return str(value) if value else nis


def _workspace_or_none(settings: Settings) -> Workspace | None:
    try:
        return get_workspace(settings)
    except HTTPException:
        return None


def upload_fields(kind: str) -> list[dict[str, Any]]:
    """The template's columns of ``kind`` for the page's form: header, register column, input
    kind, required, explanation and, for measures and milestones, the allowed codes with their
    Dutch labels."""
    from wijkreno.register import load_vocabulary
    from wijkreno.register.upload import UPLOAD_FIELDS

    vocabulary = load_vocabulary()
    out = []
    for f in UPLOAD_FIELDS[kind]:
        choices = None
        if f.kind == "measure":
            choices = [[c, t.label_nl] for c, t in vocabulary.measures.items()]
        elif f.kind == "milestone":
            choices = [[c, t.label_nl] for c, t in vocabulary.milestones.items()]
        out.append({"header": f.header, "column": f.column, "kind": f.kind,
                    "required": f.required, "help": f.help_nl, "choices": choices})
    return out


def _vocabulary_labels() -> dict[str, str]:
    """Dutch label of every measure and milestone code."""
    from wijkreno.register import load_vocabulary

    vocabulary = load_vocabulary()
    return {code: term.label_nl for terms in (vocabulary.measures, vocabulary.milestones)
            for code, term in terms.items()}


def _check_kind(nis: str, kind: str) -> None:
    check_nis(nis)
    if kind not in REGISTER_KINDS:
        raise HTTPException(status_code=404, detail=(
            f"Onbekend registerdeel '{kind[:40]}'; kies uit {', '.join(REGISTER_KINDS)}."))


_LABELS: dict[tuple[str, float, str], tuple[dict[str, str], dict[str, str]]] = {}
_LABELS_LOCK = threading.Lock()


def address_labels(ws: Workspace, nis: str) -> tuple[dict[str, str], dict[str, str]]:
    """``adres_id`` → "Kerkstraat 5 bus 1, 2999 Demowijk" and ``gebouw_id`` → "Kerkstraat 5,
    2999 Demowijk" (its doors) for the dwellings of ``nis``: the row list's address column, a
    VME row giving only the building; cached per workspace version."""
    key = (str(ws.data_dir), ws.version, nis)
    with _LABELS_LOCK:
        if key in _LABELS:
            return _LABELS[key]
    dw = ws.dwellings.iloc[ws.nis_rows.get(nis, [])]
    labels: dict[str, str] = {}
    buildings: dict[str, str] = {}
    if "street" in dw.columns and len(dw):
        def text(col: str) -> pd.Series:
            if col not in dw.columns:
                return pd.Series("", index=dw.index)
            return dw[col].astype("string").fillna("").str.strip()

        name = _municipality_name(ws, nis)
        place = (text("postcode") + " " + (name if name != nis else "")).str.strip()
        door = (text("street") + " " + text("house_number")).str.strip()
        box = text("box_number")
        label = (door + box.map(lambda b: f" bus {b}" if b else "") + ", " + place)
        labels = dict(zip(dw["adres_id"].astype(str), label.str.rstrip(", "), strict=True))
        if "gebouw_id" in dw.columns:
            frame = pd.DataFrame({"gebouw_id": text("gebouw_id"), "door": door,
                                  "place": place})
            frame = frame[frame["gebouw_id"] != ""]
            # each building's distinct doors in order, then its first dwelling's place
            doors = (frame[frame["door"] != ""].drop_duplicates(["gebouw_id", "door"])
                     .sort_values(["gebouw_id", "door"]).groupby("gebouw_id")["door"]
                     .agg(" / ".join))
            first_place = frame.groupby("gebouw_id", sort=False)["place"].first()
            label = (doors.reindex(first_place.index).fillna("") + ", "
                     + first_place).str.strip(", ")
            buildings = dict(zip(label.index.astype(str), label, strict=True))
    with _LABELS_LOCK:
        _LABELS.clear()
        _LABELS[key] = (labels, buildings)
    return labels, buildings


# -- pages -------------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, settings: Annotated[Settings, Depends(get_settings)],
               store: Annotated[UserStore, Depends(get_user_store)],
               next: Annotated[str | None, Query(max_length=500)] = None,  # noqa: A002
               lang: Annotated[str | None, Query(max_length=5)] = None) -> Response:
    """The login form; a logged-in user goes straight on."""
    target = _safe_next(next)
    if _page_user(request, settings, store) is not None:
        return RedirectResponse(target, status_code=303)
    return _render(request, "officer_login.html.j2", lang, user=None,
                   config={"next": target})


@router.get("/logout", response_class=HTMLResponse, include_in_schema=False)
def logout_page(request: Request,
                lang: Annotated[str | None, Query(max_length=5)] = None) -> HTMLResponse:
    """Ends the session (the page's script posts to ``/api/auth/logout``) and says so."""
    return _render(request, "officer_logout.html.j2", lang, user=None)


@router.get("/officer", response_class=HTMLResponse, include_in_schema=False)
def home_page(request: Request, settings: Annotated[Settings, Depends(get_settings)],
              store: Annotated[UserStore, Depends(get_user_store)],
              lang: Annotated[str | None, Query(max_length=5)] = None) -> Response:
    """The user's municipalities with links to their register and LEKP pages."""
    user = _page_user(request, settings, store)
    if user is None:
        return _to_login(request)
    ws = _workspace_or_none(settings)
    places = [{"nis": nis, "role": role, "name": _municipality_name(ws, nis),
               "in_workspace": ws is not None and nis in ws.nis_codes}
              for nis, role in sorted(user.roles.items())]
    return _render(request, "officer_home.html.j2", lang, user=user, places=places)


def _municipal_page(request: Request, settings: Settings, store: UserStore, nis: str,
                    lang: str | None, template: str, config: dict[str, Any],
                    **context: Any) -> Response:
    user = _page_user(request, settings, store)
    if user is None:
        return _to_login(request)
    check_nis(nis)
    if not user.has_role(nis, "viewer"):
        ws = _workspace_or_none(settings)
        places = [{"nis": n, "role": r, "name": _municipality_name(ws, n),
                   "in_workspace": ws is not None and n in ws.nis_codes}
                  for n, r in sorted(user.roles.items())]
        return _render(request, "officer_home.html.j2", lang, user=user, places=places,
                       status_code=403, error=(
                           f"Geen toegang tot gemeente {nis}: u hebt er geen rol. / No access "
                           f"to municipality {nis}."))
    ws = _workspace_or_none(settings)
    role = user.roles.get(nis, "viewer")
    return _render(request, template, lang, user=user, nis=nis,
                   name=_municipality_name(ws, nis),
                   config={"nis": nis, "role": role,
                           "canWrite": user.has_role(nis, "coach"),
                           "isAdmin": user.has_role(nis, "admin"), **config}, **context)


@router.get("/officer/{nis}/register", response_class=HTMLResponse, include_in_schema=False)
def register_page(nis: str, request: Request,
                  settings: Annotated[Settings, Depends(get_settings)],
                  store: Annotated[UserStore, Depends(get_user_store)],
                  kind: Annotated[str, Query(max_length=40)] = "renovations",
                  lang: Annotated[str | None, Query(max_length=5)] = None) -> Response:
    """The register page of one municipality (one register kind at a time)."""
    if kind not in REGISTER_KINDS:
        kind = REGISTER_KINDS[0]
    return _municipal_page(request, settings, store, nis, lang, "officer_register.html.j2", {
        "kind": kind, "kinds": list(REGISTER_KINDS), "fields": upload_fields(kind),
        "idColumn": KIND_COLUMNS[kind][0], "pageSize": ROW_PAGE_SIZE},
        kind=kind, config_kinds=list(REGISTER_KINDS))


def report_years(last_year: int) -> list[int]:
    """The years the LEKP page offers, newest first: from ``last_year + 1`` back to the year
    counting starts (``counting_start`` of ``wijkreno/params/lekp_goals.toml``)."""
    from wijkreno.params.models.lekp_goals import load_goals

    return list(range(last_year + 1, load_goals().counting_start.year - 1, -1))


@router.get("/officer/{nis}/lekp", response_class=HTMLResponse, include_in_schema=False)
def lekp_page(nis: str, request: Request,
              settings: Annotated[Settings, Depends(get_settings)],
              store: Annotated[UserStore, Depends(get_user_store)],
              lang: Annotated[str | None, Query(max_length=5)] = None) -> Response:
    """The LEKP follow-up page of one municipality."""
    last_year = dt.date.today().year - 1
    years = report_years(last_year)
    return _municipal_page(request, settings, store, nis, lang, "officer_lekp.html.j2",
                           {"years": years, "year": last_year}, config_years=years,
                           config_year=last_year, config_csv_columns=PACTPORTAAL_COLUMNS)


@router.get("/static/officer/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    """The officer pages' script and style."""
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404, detail=f"Geen bestand {name!r} onder deze map.")
    return FileResponse(API_DIR / "static" / name, media_type=STATIC_FILES[name],
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """The site's icon (``api/static/favicon.svg``) where browsers look for it without a
    ``<link rel="icon">`` (the pages link it), so that no request for it ends in a 404."""
    return FileResponse(API_DIR / "static" / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


# -- JSON: register ------------------------------------------------------------------------------
class NewRow(BaseModel):
    """One row typed in the form, by the template's Dutch headers (as in the file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    values: dict[str, str | int | float | bool | None] = Field(min_length=1, max_length=30)
    row: int | None = Field(None, ge=1, le=1_000_000, description=(
        "The file's row this corrects (shown in the form's file name)."))


class RowList(BaseModel):
    """A filtered page of register rows, newest first, with each address in words."""

    kind: str
    nis_code: str
    page: int
    page_size: int
    n_rows: int = Field(description="Rows matching the filter.")
    n_total: int = Field(description="Rows of this kind in the municipality's register.")
    rows: list[dict[str, Any]]


class AuditEntry(BaseModel):
    """One entry of a row's audit trail."""

    when: str
    who: str
    action: str
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    upload_id: str | None
    file_name: str | None


class AuditTrail(BaseModel):
    """The audit trail of one register row, oldest first."""

    kind: str
    row_id: int
    entries: list[AuditEntry]


@router.get("/api/officer/templates/{kind}.{fmt}", responses=ERRORS,
            summary="Leeg sjabloon van een registerdeel (CSV of XLSX)", tags=["register"])
def template_file(kind: str, fmt: str) -> Response:
    """The upload template of ``kind`` (as ``wijkreno register template``), with one example
    row and, in the XLSX, a sheet explaining every column."""
    from wijkreno.register.upload import write_template

    if kind not in REGISTER_KINDS:
        raise HTTPException(status_code=404, detail=(
            f"Onbekend registerdeel '{kind[:40]}'; kies uit {', '.join(REGISTER_KINDS)}."))
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail=(
            f"Onbekend formaat '{fmt[:10]}': vraag .csv of .xlsx."))
    with tempfile.TemporaryDirectory(prefix="wijkreno-template-") as tmp:
        path = write_template(kind, Path(tmp) / f"sjabloon_{kind}.{fmt}", fmt=fmt)
        content = path.read_bytes()
    media = ("text/csv; charset=utf-8" if fmt == "csv" else
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(content=content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="sjabloon_{kind}.{fmt}"'})


@router.get("/api/officer/{nis}/{kind}/rows", response_model=RowList, responses=ERRORS,
            summary="Registerrijen filteren (nieuwste eerst, met adres)", tags=["register"])
def list_rows(nis: str, kind: str, user: CurrentUser,
              register: Annotated[Register, Depends(get_register)],
              settings: Annotated[Settings, Depends(get_settings)],
              q: Annotated[str, Query(max_length=100, description=(
                  "Text that some column (or the address) must contain; case-insensitive."))]
              = "",
              page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
              page_size: Annotated[int, Query(ge=1)] = ROW_PAGE_SIZE) -> RowList:
    """Rows of one register kind of ``nis``, newest first, filtered by ``q``; ``page_size`` ≤
    ``max_page_size``."""
    _check_kind(nis, kind)
    check_role(user, nis, "viewer")
    check_page_size(page_size, settings)
    table = register.read(kind, nis)
    n_total = len(table)
    id_column = KIND_COLUMNS[kind][0]
    table = table.sort_values(id_column, ascending=False)
    if "adres_id" in table.columns:
        ws = _workspace_or_none(settings)
        labels, buildings = address_labels(ws, nis) if ws is not None else ({}, {})
        address = table["adres_id"].astype("string").map(labels)
        if "gebouw_id" in table.columns:  # a VME row: the building, for all its units
            address = address.fillna(table["gebouw_id"].astype("string").map(buildings))
        table.insert(1, "address", address)
    needle = q.strip().casefold()
    if needle and len(table):
        text = table.astype("string").fillna("").agg(" ".join, axis=1)
        for col in ("measure", "milestone"):  # the Dutch names the officer knows
            if col in table.columns:
                text = text + " " + table[col].map(_vocabulary_labels()).fillna("")
        table = table[text.str.casefold().str.contains(needle, regex=False).to_numpy()]
    start = (page - 1) * page_size
    return RowList(kind=kind, nis_code=nis, page=page, page_size=page_size,
                   n_rows=len(table), n_total=n_total,
                   rows=records(table.iloc[start:start + page_size]))


@router.post("/api/officer/{nis}/{kind}/rows", response_model=UploadResult, responses=ERRORS,
             summary="Eén rij toevoegen via het formulier (zelfde controles als opladen)",
             tags=["register"])
def add_row(nis: str, kind: str, body: NewRow, user: CurrentUser,
            register: Annotated[Register, Depends(get_register)],
            ws: Annotated[Workspace, Depends(get_workspace)]) -> UploadResult:
    """Add one row typed in the form: it is written as a one-row file with the template's
    headers and imported exactly as an upload (same checks, same Dutch reasons, same
    duplicate detection, an upload record and audit entries)."""
    from wijkreno.register.upload import UPLOAD_FIELDS, import_file

    _check_kind(nis, kind)
    check_role(user, nis, "coach")
    headers = [f.header for f in UPLOAD_FIELDS[kind]]
    unknown = [h for h in body.values if h not in headers]
    if unknown:
        raise HTTPException(status_code=422, detail=(
            f"Onbekende kolommen {unknown[:5]}; het sjabloon van '{kind}' heeft "
            f"{', '.join(headers)}."))
    if any(isinstance(v, str) and ("\x00" in v or "\r" in v or "\n" in v)
           for v in body.values.values()):
        raise HTTPException(status_code=422, detail=(
            "Een waarde bevat een regeleinde of een NUL-teken; een cel is één regel tekst."))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(headers)
    writer.writerow(["" if body.values.get(h) is None else str(body.values[h])
                     for h in headers])
    name = f"formulier_rij_{body.row}.csv" if body.row else "formulier.csv"
    from api.routes.register import IMPORT_COLUMNS, upload_result
    from api.routes.search import address_index

    # the address parts too: a form row may give street, number and box (or a building)
    dwellings = pd.DataFrame(ws.dwellings[[c for c in IMPORT_COLUMNS
                                           if c in ws.dwellings.columns]])
    with tempfile.TemporaryDirectory(prefix="wijkreno-form-") as tmp:
        path = Path(tmp) / name
        path.write_text(buf.getvalue(), encoding="utf-8")
        try:
            result = import_file(register, path, kind, nis_code=nis, dwellings=dwellings,
                                 user=user.username, address_index=address_index(ws))
        except InputError as exc:
            raise HTTPException(status_code=422, detail=scrub_paths(
                f"Rij niet ingelezen: {exc}")) from None
    return upload_result(result, kind)


def _parse_json(value: Any) -> dict[str, Any] | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return {"value": str(value)}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


@router.get("/api/officer/{nis}/{kind}/{row_id}/audit", response_model=AuditTrail,
            responses=ERRORS, summary="Geschiedenis van één registerrij", tags=["register"])
def row_audit(nis: str, kind: str, row_id: int, user: CurrentUser,
              register: Annotated[Register, Depends(get_register)]) -> AuditTrail:
    """Who added and changed the row, when, with the values before and after (and the
    upload it came from)."""
    _check_kind(nis, kind)
    check_role(user, nis, "viewer")
    table = register.read(kind, nis)
    if not (table[KIND_COLUMNS[kind][0]] == row_id).any():
        raise HTTPException(status_code=404, detail=(
            f"Rij {row_id} bestaat niet in het register '{kind}' van gemeente {nis}."))
    trail = register.audit(nis)
    name = KIND_MODELS[kind].__table__.name
    trail = trail[(trail["table"] == name) & (trail["row_key"].astype(str) == str(row_id))]
    uploads = register.uploads(nis)
    files = (dict(zip(uploads["upload_id"], uploads["file_name"], strict=True))
             if len(uploads) else {})
    entries = [AuditEntry(when=pd.Timestamp(r["when"]).isoformat(timespec="seconds"),
                          who=str(r["who"]), action=str(r["action"]),
                          old_values=_parse_json(r["old_values"]),
                          new_values=_parse_json(r["new_values"]),
                          upload_id=r["upload_id"] if isinstance(r["upload_id"], str) else None,
                          file_name=files.get(r["upload_id"]))
               for _, r in trail.iterrows()]
    return AuditTrail(kind=kind, row_id=row_id, entries=entries)


# -- JSON: LEKP --------------------------------------------------------------------------------
class MunicipalityChange(BaseModel):
    """Values an admin enters for the municipality; ``null`` goes back to the Statbel table,
    a field left out stays as it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(None, max_length=80)
    inhabitants: int | None = Field(None, ge=1, le=10_000_000)
    households: int | None = Field(None, ge=1, le=10_000_000)
    housing_units: int | None = Field(None, ge=1, le=10_000_000)


class LekpOverview(BaseModel):
    """The LEKP page's figures of one municipality."""

    nis_code: str
    name: str
    pact: str
    as_of: str
    facts: dict[str, dict[str, Any]] = Field(description=(
        "name, inhabitants, households, housing_units: value, origin (statbel, admin, "
        "estimate, missing), source and date."))
    missing: list[str]
    goals: list[dict[str, Any]]
    checklist: list[dict[str, Any]]


Pact = Annotated[str, Query(pattern=r"^(1\.0|2\.0|2\.1)$")]


@router.get("/api/officer/{nis}/lekp", response_model=LekpOverview, responses=ERRORS,
            summary="LEKP-opvolging van een gemeente (doelen, bronnen, checklist)",
            tags=["indicatoren en rapporten"])
def lekp_overview(nis: str, user: CurrentUser,
                  ws: Annotated[Workspace, Depends(get_workspace)],
                  register: Annotated[Register, Depends(get_register)],
                  pact: Pact = "2.1") -> LekpOverview:
    """Per goal: target, realised, share, target path now, projection and status; the counts
    with their sources; the checklist ticked from the register."""
    check_nis(nis)
    check_role(user, nis, "viewer")
    state = lekp_state(ws, register, nis, pact=pact)
    return LekpOverview(nis_code=nis, name=state.name, pact=pact,
                        as_of=state.as_of.isoformat(), facts=facts_json(state.facts),
                        missing=state.missing_for_goals(), goals=goal_rows(state),
                        checklist=register_checklist(state, register))


@router.put("/api/officer/{nis}/municipality", responses=ERRORS,
            summary="Naam en aantallen van de gemeente aanpassen (beheerder, geauditeerd)",
            tags=["indicatoren en rapporten"])
def change_municipality(nis: str, body: MunicipalityChange, user: CurrentUser,
                        ws: Annotated[Workspace, Depends(get_workspace)],
                        register: Annotated[Register, Depends(get_register)]
                        ) -> dict[str, dict[str, Any]]:
    """Store an admin's name or counts (they win over the Statbel tables); audited."""
    check_nis(nis)
    check_role(user, nis, "admin")
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(status_code=422, detail=(
            f"Geen wijziging: geef een of meer van {', '.join(FACT_KEYS)}."))
    try:
        old = save_overrides(ws.data_dir, nis, changes, user.username)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=f"Niet opgeslagen: {exc}") from None
    audit(register, who=user.username, action="update", table="municipality", row_key=nis,
          nis_code=nis, old_values={k: (v or {}).get("value") for k, v in old.items()},
          new_values=changes)
    n = len(ws.nis_rows.get(nis, ()))
    return facts_json(municipality_facts(ws.data_dir, nis, n))


@router.get("/api/officer/{nis}/lekp.csv", responses={**ERRORS, 200: {
    "content": {"text/csv": {}}}}, summary="LEKP-export voor het Pactportaal (CSV)",
    tags=["indicatoren en rapporten"])
def lekp_csv(nis: str, user: CurrentUser, ws: Annotated[Workspace, Depends(get_workspace)],
             register: Annotated[Register, Depends(get_register)],
             pact: Pact = "2.1") -> Response:
    """One row per goal with the figures to enter in the Pactportaal (columns:
    :data:`api.lekp.PACTPORTAAL_COLUMNS`, ``docs/pactportaal_export.md``)."""
    check_nis(nis)
    check_role(user, nis, "viewer")
    state = lekp_state(ws, register, nis, pact=pact)
    return Response(content=pactportaal_csv(state), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": (
                        f'attachment; filename="pactportaal-{nis}-'
                        f'{state.as_of.isoformat()}.csv"')})
