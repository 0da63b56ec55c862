"""Fixtures of the web-service tests: one demo workspace per session and a client on it.

``workspace_dir`` runs the whole demo chain (``wijkreno demo``) once in a temporary folder
(about 10 s); ``settings`` points the service at it with a fixed test secret and a register in
the same folder; ``app`` and ``client`` are built from those settings. Other test modules reuse
``workspace_dir`` and ``client``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="session")
def workspace_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete demo workspace (``wijkreno demo``), built once per test session."""
    from wijkreno.cli.twin import demo

    out = tmp_path_factory.mktemp("workspace") / "demo"
    demo(out=out, seed=20240101)
    return out


@pytest.fixture(scope="session")
def settings(workspace_dir: Path) -> Settings:
    """Settings of the test service: the demo workspace, a test secret, its own register."""
    return Settings(data_dir=workspace_dir, secret_key="test-secret-not-for-production",
                    cookie_secure=False,  # TestClient speaks plain http://testserver
                    register_url=f"sqlite:///{workspace_dir / 'register.sqlite'}")


@pytest.fixture(scope="session")
def app(settings: Settings):
    """The application on the demo workspace."""
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    """A test client of :func:`app` (session-wide; do not leave it logged in)."""
    with TestClient(app) as c:
        yield c


USERS = {
    # username: (password, {nis: role})
    "coach99": ("coach-99001-pass", {"99001": "coach"}),
    "viewer99": ("viewer-99001-pass", {"99001": "viewer"}),
    "admin02": ("admin-99002-pass", {"99002": "admin"}),
}
"""Test accounts: a coach and a viewer of the demo municipality 99001 and an admin of a
second municipality 99002 (which must never reach 99001's data)."""


@pytest.fixture(scope="session")
def users(settings: Settings) -> dict[str, tuple[str, dict[str, str]]]:
    """Create the test accounts in the service's users database."""
    from wijkreno.users import UserStore

    store = UserStore(settings.effective_users_db())
    try:
        for name, (password, roles) in USERS.items():
            store.add_user(name, password, roles)
    finally:
        store.close()
    return USERS


@pytest.fixture()
def login(app, users):
    """``login(username)`` → a fresh TestClient with that user's session cookie and its
    ``X-CSRF-Token`` header set (``login(name, csrf=False)`` leaves the header out)."""
    clients: list[TestClient] = []

    def make(username: str, *, csrf: bool = True) -> TestClient:
        c = TestClient(app)
        clients.append(c)
        r = c.post("/api/auth/login", json={"username": username,
                                             "password": users[username][0]})
        assert r.status_code == 200, r.text
        if csrf:
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        c.token = r.json()["access_token"]  # type: ignore[attr-defined]
        return c

    yield make
    for c in clients:
        c.close()
