"""Login, logout and the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response

from api.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    OptionalUser,
    get_user_store,
    issue_session,
    issue_token,
)
from api.models import ERRORS, LoginRequest, LoginResponse, Me
from api.settings import Settings, get_settings
from wijkreno.users import UserStore

router = APIRouter(prefix="/api/auth", tags=["aanmelden"])


@router.post("/login", response_model=LoginResponse, responses=ERRORS,
             summary="Aanmelden (sessiecookie + toegangstoken)")
def login(body: LoginRequest, response: Response,
          settings: Annotated[Settings, Depends(get_settings)],
          store: Annotated[UserStore, Depends(get_user_store)]) -> LoginResponse:
    """Check the password; set the session and CSRF cookies and return a bearer token."""
    user = store.authenticate(body.username, body.password)
    if user is None:
        raise HTTPException(status_code=401, detail=(
            "Gebruikersnaam of wachtwoord onjuist; controleer ze en probeer opnieuw."))
    session, csrf = issue_session(settings, user.username)
    age = settings.session_max_age_s
    response.set_cookie(SESSION_COOKIE, session, max_age=age, httponly=True, samesite="lax",
                        secure=settings.cookie_secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="strict",
                        secure=settings.cookie_secure)
    return LoginResponse(username=user.username, roles=user.roles, csrf_token=csrf,
                         access_token=issue_token(settings, user.username), expires_in_s=age)


@router.post("/logout", response_model=Me, summary="Afmelden")
def logout(response: Response) -> Me:
    """Remove the session cookies (bearer tokens simply expire)."""
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return Me(username=None)


@router.get("/me", response_model=Me, summary="Wie ben ik?")
def me(user: OptionalUser) -> Me:
    """The current user and their roles per municipality."""
    return Me(username=user.username if user else None, roles=dict(user.roles) if user else {})
