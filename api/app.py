"""The application factory :func:`create_app`."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.routes import OPTIONAL_ROUTERS, ROUTERS
from api.security import BodyLimit, SecurityHeaders, scrub_paths
from api.settings import Settings, get_settings
from wijkreno.errors import InputError

log = logging.getLogger(__name__)

_STATUS_NL = {
    400: "Ongeldige aanvraag", 401: "Niet aangemeld", 403: "Geen toegang",
    404: "Niet gevonden", 405: "Methode niet toegestaan", 413: "Te groot",
    415: "Mediatype niet ondersteund", 422: "Ongeldige invoer", 503: "Niet beschikbaar",
}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        parts.append(f"{loc or 'aanvraag'}: {err.get('msg', 'ongeldig')}")
    return ("Ongeldige invoer — " + "; ".join(parts)
            + ". Pas de aangeduide velden aan en probeer opnieuw.")


def _include_routers(app: FastAPI) -> None:
    for name in ROUTERS + OPTIONAL_ROUTERS:
        module_name = f"api.routes.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the wijkreno web service.

    Parameters
    ----------
    settings : Settings, optional
        Settings to use instead of the environment's (tests); they replace the
        :func:`api.settings.get_settings` dependency of this app.

    Returns
    -------
    FastAPI
        The application; ``app.state.settings`` holds the settings in use.
    """
    app = FastAPI(
        title="wijkreno",
        version="0.1",
        description=("Wijkrenovatie: digitale tweeling van het gebouwenpark, renovatietrajecten "
                     "en LEKP-indicatoren. Publieke data (tweeling, kaarten, geaggregeerde "
                     "indicatoren) zijn open; gemeentelijke data (register, coachnotities, "
                     "overschrijvingen) vragen aanmelding met een rol per gemeente."),
    )
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    app.state.settings = settings or get_settings()

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _validation_message(exc)})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail: Any = exc.detail
        if not isinstance(detail, str) or detail in ("Not Found", "Method Not Allowed"):
            detail = _STATUS_NL.get(exc.status_code, "Fout") + f": {request.url.path}"
        detail = scrub_paths(detail)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail},
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(status_code=400,
                            content={"detail": scrub_paths(f"Ongeldige invoer: {exc}")})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={
            "detail": "Interne fout; probeer later opnieuw of meld het aan de beheerder."})

    _include_routers(app)
    # outermost last: the body limit runs before anything reads the body, and the headers
    # reach every response, the limit's 413 included
    app.add_middleware(BodyLimit, max_body_bytes=app.state.settings.max_body_bytes,
                       max_upload_bytes=app.state.settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    return app


__all__ = ["HTTPException", "create_app"]
