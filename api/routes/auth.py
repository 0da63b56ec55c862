"""Login, logout and the current user.

Login is throttled (:mod:`api.ratelimit`): after a few failures per user name or client each
further attempt waits longer (429 with ``Retry-After``), and every failure is written to the
register's audit trail (action ``login_failed``: the name tried and the client address, no
password). Logout ends the session on the server, so its cookie and bearer token stop working
at once.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from api.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    OptionalUser,
    audit,
    get_register,
    get_user_store,
    issue_session,
    issue_token,
    request_session_id,
)
from api.models import ERRORS, LoginRequest, LoginResponse, Me
from api.ratelimit import LoginThrottle, retry_after
from api.settings import Settings, get_settings
from wijkreno.users import UserStore

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/auth", tags=["aanmelden"])

_THROTTLES: dict[int, LoginThrottle] = {}
_THROTTLES_LOCK = threading.Lock()


def get_throttle(settings: Annotated[Settings, Depends(get_settings)]) -> LoginThrottle:
    """FastAPI dependency: the login throttle of these settings (one per process)."""
    with _THROTTLES_LOCK:
        key = id(settings)
        if key not in _THROTTLES:
            _THROTTLES[key] = LoginThrottle(settings.login_free_failures,
                                            settings.login_max_backoff_s)
        return _THROTTLES[key]


def _audit_failure(request: Request, settings: Settings, username: str, reason: str) -> None:
    try:
        register = get_register(settings)
        audit(register, who=username[:255] or "?", action="login_failed", table="api_user",
              row_key=username[:64] or "?", nis_code=None,
              new_values={"client": request.client.host if request.client else None,
                          "reason": reason})
    except Exception:  # noqa: BLE001 - an unreachable register must not open the door
        log.exception("could not audit a failed login of %r", username[:64])


@router.post("/login", response_model=LoginResponse, responses=ERRORS,
             summary="Aanmelden (sessiecookie + toegangstoken)")
def login(body: LoginRequest, request: Request, response: Response,
          settings: Annotated[Settings, Depends(get_settings)],
          store: Annotated[UserStore, Depends(get_user_store)],
          throttle: Annotated[LoginThrottle, Depends(get_throttle)]) -> LoginResponse:
    """Check the password; set the session and CSRF cookies and return a bearer token."""
    keys = (f"user:{body.username.casefold()}",
            f"client:{request.client.host if request.client else '?'}")
    wait = throttle.wait_s(*keys)
    if wait > 0:
        _audit_failure(request, settings, body.username, "throttled")
        raise HTTPException(status_code=429, detail=(
            f"Te veel mislukte aanmeldpogingen; probeer opnieuw over {retry_after(wait)} s."),
            headers={"Retry-After": retry_after(wait)})
    user = store.authenticate(body.username, body.password)
    if user is None:
        throttle.failed(*keys)
        _audit_failure(request, settings, body.username, "wrong user name or password")
        raise HTTPException(status_code=401, detail=(
            "Gebruikersnaam of wachtwoord onjuist; controleer ze en probeer opnieuw."))
    throttle.succeeded(keys[0])
    sid = store.open_session(user.username, max_age_s=settings.session_max_age_s)
    session, csrf = issue_session(settings, user.username, sid)
    age = settings.session_max_age_s
    response.set_cookie(SESSION_COOKIE, session, max_age=age, httponly=True, samesite="lax",
                        secure=settings.cookie_secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="strict",
                        secure=settings.cookie_secure)
    response.headers["Cache-Control"] = "no-store"
    return LoginResponse(username=user.username, roles=user.roles, csrf_token=csrf,
                         access_token=issue_token(settings, user.username, sid),
                         expires_in_s=age)


@router.post("/logout", response_model=Me, summary="Afmelden")
def logout(request: Request, response: Response,
           settings: Annotated[Settings, Depends(get_settings)],
           store: Annotated[UserStore, Depends(get_user_store)]) -> Me:
    """End the session on the server (its cookie and bearer token stop working) and remove
    the cookies."""
    sid = request_session_id(request, settings)
    if sid is not None:
        store.close_session(sid)
    response.delete_cookie(SESSION_COOKIE, secure=settings.cookie_secure, httponly=True,
                           samesite="lax")
    response.delete_cookie(CSRF_COOKIE, secure=settings.cookie_secure, samesite="strict")
    return Me(username=None)


@router.get("/me", response_model=Me, summary="Wie ben ik?")
def me(user: OptionalUser) -> Me:
    """The current user and their roles per municipality."""
    return Me(username=user.username if user else None, roles=dict(user.roles) if user else {})
