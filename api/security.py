"""HTTP hardening of the web service (OWASP ASVS level 1): security headers on every response,
a Content-Security-Policy on every HTML page, a request-body limit on every route, and helpers
that keep server paths out of responses and upload names harmless.

Both middlewares are plain ASGI (no body buffering): :class:`SecurityHeaders` adds headers as
the response starts, :class:`BodyLimit` refuses a declared ``Content-Length`` above the limit
before the route runs and stops a body that grows past it while streaming.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import PurePath
from typing import Any

Scope = dict[str, Any]

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
"""Headers every response carries (ASVS V14.4)."""

DEFAULT_HTML_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                    "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                    "form-action 'self'")
"""CSP of an HTML response that sets none itself (the per-address sheet, error pages): no
scripts at all."""

_CSP_TAIL = "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"


def _with_frame_ancestors(csp: str) -> str:
    if "frame-ancestors" in csp:
        return csp
    return csp.rstrip("; ") + "; " + _CSP_TAIL


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every response; on HTML responses a CSP
    (:data:`DEFAULT_HTML_CSP` unless the route set one, which gets ``frame-ancestors 'none'``
    added); ``Cache-Control: no-store`` on answers to logged-in requests that set none."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers", []))
        authenticated = (b"authorization" in request_headers
                         or b"wijkreno_session=" in request_headers.get(b"cookie", b""))

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                present = {k.decode("latin-1").lower(): i for i, (k, _) in enumerate(headers)}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower() not in present:
                        headers.append((name.encode("latin-1"), value.encode("latin-1")))
                if authenticated and "cache-control" not in present:
                    # municipal data must not stay in a shared browser's cache (ASVS V8.2.1)
                    headers.append((b"cache-control", b"no-store"))
                ctype = next((v.decode("latin-1") for k, v in headers
                              if k.lower() == b"content-type"), "")
                if ctype.startswith("text/html"):
                    idx = present.get("content-security-policy")
                    if idx is None:
                        headers.append((b"content-security-policy",
                                        DEFAULT_HTML_CSP.encode("latin-1")))
                    else:
                        csp = _with_frame_ancestors(headers[idx][1].decode("latin-1"))
                        headers[idx] = (headers[idx][0], csp.encode("latin-1"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """ASGI middleware: refuse request bodies above a limit with 413 (Dutch message).

    Parameters
    ----------
    app
        The ASGI application.
    max_body_bytes : int
        Limit of every route [bytes].
    max_upload_bytes : int
        Limit of the register's upload routes (``…/upload``), which carry files [bytes]; the
        multipart envelope gets 64 KiB on top.
    """

    def __init__(self, app: Any, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes + 64 * 1024

    def limit_for(self, path: str) -> int:
        """The body limit of a request path [bytes]."""
        return self.max_upload_bytes if path.endswith("/upload") else self.max_body_bytes

    async def _refuse(self, send: Any, limit: int) -> None:
        body = json.dumps({"detail": (
            f"Te groot: de aanvraag is groter dan {limit // 1024:,} kB; stuur minder gegevens "
            "of splits het bestand op.")}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            *[(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    await self._refuse(send, limit)
                    return
        received = 0
        exceeded = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # end the body here; whatever the route answers to the cut-off body is
                    # replaced by the 413 below (routes turn their own read errors into 400)
                    exceeded = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        refused = False

        async def replacing_send(message: dict[str, Any]) -> None:
            nonlocal refused
            if exceeded:
                if not refused:
                    refused = True
                    await self._refuse(send, limit)
                return
            await send(message)

        await self.app(scope, counting_receive, replacing_send)


_ABS_PATH = re.compile(r"(?<![\w:/])(/[^\s'\":,;()<>]+)+")


def scrub_paths(text: str) -> str:
    """Replace absolute server paths in a message by their last part (``/srv/x/a.csv`` →
    ``a.csv``); URL paths of the service itself (``/api/…``, ``/officer/…``) stay."""

    def repl(match: re.Match[str]) -> str:
        path = match.group(0)
        if path.startswith(("/api/", "/static/", "/officer/")) or path in ("/api", "/"):
            return path
        return PurePath(path).name or "…"

    return _ABS_PATH.sub(repl, text)


def safe_upload_name(name: str | None, *, default_suffix: str = ".csv",
                     max_chars: int = 100) -> str:
    """A harmless file name for an uploaded file: the last path part, letters, digits, ``.``,
    ``-``, ``_`` and spaces only, at most ``max_chars`` characters with its suffix kept."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .") or f"upload{default_suffix}"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix[:10]
    keep = max_chars - len(suffix) - 1
    return f"{stem[:keep] or 'upload'}.{suffix}" if suffix else base[:max_chars]


__all__ = ["BodyLimit", "DEFAULT_HTML_CSP", "SECURITY_HEADERS", "SecurityHeaders",
           "safe_upload_name", "scrub_paths"]
