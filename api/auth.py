"""Sessions, bearer tokens, CSRF, role checks and the audit trail of the web service.

* Login (``POST /api/auth/login``) sets a signed session cookie (itsdangerous
  ``URLSafeTimedSerializer``, expiry ``Settings.session_max_age_s``) holding the user name and
  a random CSRF token, plus a readable ``wijkreno_csrf`` cookie with the same token; the
  response also carries a bearer token for scripts.
* CSRF (double submit): a state-changing request authenticated by the cookie must send the
  token in the ``X-CSRF-Token`` header; requests with ``Authorization: Bearer`` are exempt
  (browsers never add that header on their own).
* Roles are checked per NIS code (:meth:`api.users.User.has_role`); refusals are 401 (not
  logged in) or 403 (logged in, other municipality or too weak a role).
* Every write is recorded in the register's ``audit_log`` (:func:`audit`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
import time
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import insert

from api.settings import Settings, get_settings
from wijkreno.register import Register, open_register
from wijkreno.register.models import AuditLog
from wijkreno.users import User, UserStore

SESSION_COOKIE = "wijkreno_session"
CSRF_COOKIE = "wijkreno_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _clock() -> float:
    """Current time [s since epoch]; the one place tests move to make tokens expire."""
    return time.time()


class _Signer(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(_clock())


def _serializer(settings: Settings, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.effective_secret(), salt=salt, signer=_Signer)


def issue_session(settings: Settings, username: str, sid: str) -> tuple[str, str]:
    """A signed session value of session ``sid`` and its CSRF token for ``username``."""
    csrf = secrets.token_urlsafe(24)
    return (_serializer(settings, "session").dumps({"u": username, "c": csrf, "s": sid}),
            csrf)


def issue_token(settings: Settings, username: str, sid: str) -> str:
    """A signed bearer token of session ``sid`` (same lifetime; logout ends both)."""
    return _serializer(settings, "token").dumps({"u": username, "s": sid})


def _live_user(store: UserStore, data: dict[str, Any]) -> User:
    """The user of a signed session or token whose session is still open (not logged out,
    password not changed since)."""
    sid = data.get("s")
    if not isinstance(sid, str) or store.session_user(sid) != data["u"]:
        raise HTTPException(status_code=401, detail=(
            "Deze sessie is beëindigd (afgemeld of wachtwoord gewijzigd); meld u opnieuw aan "
            "(POST /api/auth/login)."), headers={"WWW-Authenticate": "Bearer"})
    user = store.get_user(data["u"])
    if user is None:
        raise HTTPException(status_code=401, detail="Deze gebruiker bestaat niet meer.")
    return user


def request_session_id(request: Request, settings: Settings) -> str | None:
    """The session id of the request's bearer token or session cookie (None if none)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        value, salt = header[7:].strip(), "token"
    else:
        value, salt = request.cookies.get(SESSION_COOKIE, ""), "session"
    if not value:
        return None
    try:
        data = _serializer(settings, salt).loads(value, max_age=settings.session_max_age_s)
    except BadSignature:
        return None
    sid = data.get("s") if isinstance(data, dict) else None
    return sid if isinstance(sid, str) else None


def _loads(settings: Settings, salt: str, value: str) -> dict[str, Any] | None:
    ser = _serializer(settings, salt)
    try:
        # max_age is checked against _clock() through the signer
        data = ser.loads(value, max_age=settings.session_max_age_s)
    except SignatureExpired:
        raise HTTPException(status_code=401, detail=(
            "Uw sessie is verlopen; meld u opnieuw aan (POST /api/auth/login).")) from None
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("u"), str) else None


# -- shared resources per settings (users database, register) -----------------------------
_RESOURCES: dict[tuple[str, str], Any] = {}
_RES_LOCK = threading.Lock()


def get_user_store(settings: Annotated[Settings, Depends(get_settings)]) -> UserStore:
    """FastAPI dependency: the users database of these settings (opened once)."""
    path = settings.effective_users_db().resolve()
    key = ("users", str(path))
    with _RES_LOCK:
        if key not in _RESOURCES:
            _RESOURCES[key] = UserStore(path)
        return _RESOURCES[key]


def get_register(settings: Annotated[Settings, Depends(get_settings)]) -> Register:
    """FastAPI dependency: the register of these settings (opened and migrated once)."""
    url = settings.effective_register_url()
    key = ("register", url)
    with _RES_LOCK:
        if key not in _RESOURCES:
            try:
                _RESOURCES[key] = open_register(url)
            except Exception as exc:  # noqa: BLE001 - any failure is a configuration problem
                raise HTTPException(status_code=503, detail=(
                    f"Het register is niet bereikbaar ({type(exc).__name__}); controleer "
                    "WIJKRENO_REGISTER_URL.")) from None
        return _RESOURCES[key]


# -- authentication ----------------------------------------------------------------------
def optional_user(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    store: Annotated[UserStore, Depends(get_user_store)],
) -> User | None:
    """The user of the request (bearer token or session cookie), None when anonymous.

    Cookie-authenticated state-changing requests must carry a matching ``X-CSRF-Token``.
    """
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        data = _loads(settings, "token", header[7:].strip())
        if data is None:
            raise HTTPException(status_code=401, detail=(
                "Ongeldig toegangstoken; vraag een nieuw aan via POST /api/auth/login."))
        return _live_user(store, data)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    data = _loads(settings, "session", cookie)
    if data is None:
        raise HTTPException(status_code=401, detail=(
            "Ongeldige sessie; meld u opnieuw aan (POST /api/auth/login)."))
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, str(data.get("c", ""))):
            raise HTTPException(status_code=403, detail=(
                "CSRF-controle mislukt: stuur de waarde van de cookie 'wijkreno_csrf' mee in "
                "de header X-CSRF-Token."))
    return _live_user(store, data)


def require_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    """The logged-in user; 401 for anonymous requests."""
    if user is None:
        raise HTTPException(status_code=401, detail=(
            "Aanmelden vereist: deze gegevens zijn gemeentelijk. Meld u aan via "
            "POST /api/auth/login."), headers={"WWW-Authenticate": "Bearer"})
    return user


def check_role(user: User, nis_code: str, role: str = "viewer") -> None:
    """403 unless ``user`` holds ``role`` for ``nis_code``."""
    if not user.has_role(nis_code, role):
        held = user.roles.get(str(nis_code))
        raise HTTPException(status_code=403, detail=(
            f"Geen toegang: gebruiker '{user.username}' heeft voor gemeente {nis_code} "
            + (f"enkel de rol '{held}'" if held else "geen rol")
            + f"; de rol '{role}' is nodig. Vraag het aan de beheerder van die gemeente."))


def audit(register: Register, *, who: str, action: str, table: str, row_key: str,
          nis_code: str | None, new_values: dict[str, Any] | None = None,
          old_values: dict[str, Any] | None = None) -> None:
    """Write one row of the register's audit trail (who, when, what)."""
    with register.engine.begin() as conn:
        conn.execute(insert(AuditLog.__table__), [{
            "who": who, "at": dt.datetime.now(dt.UTC), "action": action[:16],
            "table_name": table[:64], "row_key": str(row_key)[:64], "nis_code": nis_code,
            "upload_id": None, "old_values": old_values, "new_values": new_values}])


def reset_resources() -> None:
    """Close and forget the opened users databases and registers (tests)."""
    with _RES_LOCK:
        for value in _RESOURCES.values():
            value.close()
        _RESOURCES.clear()


CurrentUser = Annotated[User, Depends(require_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
