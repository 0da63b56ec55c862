"""Property-based fuzzing of the whole OpenAPI of the service with schemathesis.

Every operation of ``/openapi.json`` is called in-process (ASGI) with requests generated from
its schema, valid ones and deliberately malformed ones (wrong types, missing fields, values out
of range, unexpected query parameters), once as an anonymous client and once as a logged-in
coach of the demo municipality (bearer token), so that the protected routes run past their
access check. The property: **no response is a server error (5xx)**; a malformed request must
get a 4xx with a message a person can act on.

The service runs on a private copy of the demo workspace: fuzzed writes (coach overrides,
register rows, uploads, jobs) never reach the session's shared workspace that the route tests
read. Examples per operation are bounded (``FUZZ_EXAMPLES``) so the module stays well under two
minutes; raise it locally with ``WIJKRENO_FUZZ_EXAMPLES=200`` for a deeper run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from api.app import create_app
from api.settings import Settings
from wijkreno.register import REGISTER_KINDS
from wijkreno.users import UserStore

FUZZ_EXAMPLES = int(os.environ.get("WIJKRENO_FUZZ_EXAMPLES", "25"))
"""Generated requests per operation and per client kind."""
DEMO_NIS = "99001"
COACH = ("fuzz-coach", "fuzz-password-99001")


@pytest.fixture(scope="module")
def fuzz_settings(workspace_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings on a private copy of the demo workspace (own register and users database)."""
    data = tmp_path_factory.mktemp("fuzz") / "demo"
    shutil.copytree(workspace_dir, data,
                    ignore=shutil.ignore_patterns("*.sqlite", "*.sqlite-*", "register*"))
    return Settings(data_dir=data, secret_key="fuzz-secret-not-for-production",
                    cookie_secure=False,
                    login_free_failures=1_000_000,  # fuzzing the login is not guessing
                    register_url=f"sqlite:///{data / 'register.sqlite'}",
                    users_db=data / "users.sqlite")


@pytest.fixture(scope="module")
def fuzz_app(fuzz_settings: Settings):
    """The application on the private workspace, with one coach of the demo municipality."""
    store = UserStore(fuzz_settings.effective_users_db())
    try:
        store.add_user(*COACH, roles={DEMO_NIS: "coach"})
    finally:
        store.close()
    return create_app(fuzz_settings)


@pytest.fixture(scope="module")
def coach_token(fuzz_app) -> str:
    """A bearer token of the demo coach, obtained through the real login route."""
    with TestClient(fuzz_app) as client:
        r = client.post("/api/auth/login", json={"username": COACH[0], "password": COACH[1]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["roles"] == {DEMO_NIS: "coach"}
    return body["access_token"]


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    """The service's own OpenAPI document, called in-process over ASGI."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    schema.config.generation.update(modes=["positive", "negative"], max_examples=FUZZ_EXAMPLES)
    return schema


def _operation_labels() -> list[str]:
    """``METHOD /path`` of every operation, read at collection time from an app on an empty
    folder (the OpenAPI document does not depend on the workspace)."""
    app = create_app(Settings(data_dir=Path("/nonexistent-wijkreno-workspace"),
                              secret_key="collection-only"))
    doc = app.openapi()
    return [f"{method.upper()} {path}" for path, item in sorted(doc["paths"].items())
            for method in item if method in _METHODS]


_METHODS = ("get", "put", "post", "delete", "patch", "options", "head")
FUZZ_SETTINGS = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                         suppress_health_check=list(HealthCheck), database=None)


def test_openapi_lists_the_routes(fuzz_app):
    """The fuzzing below covers every route: the document is valid and lists the API."""
    with TestClient(fuzz_app) as client:
        doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    paths = set(doc["paths"])
    assert {"/api/health", "/api/sectors", "/api/auth/login"} <= paths
    assert len(paths) >= 5


@pytest.fixture(scope="module")
def known_path_values(fuzz_settings: Settings) -> dict[str, str]:
    """Path parameters that exist in the demo, so that fuzzed bodies and queries reach the
    code behind the 404s (a real address, the demo municipality, a real area level)."""
    dw = pd.read_parquet(fuzz_settings.data_dir / "twin" / "dwellings.parquet",
                         columns=["adres_id"])
    return {"adres_id": str(dw["adres_id"].iloc[0]), "nis": DEMO_NIS, "level": "sector",
            "fmt": "html", "kind": REGISTER_KINDS[0]}


def _fuzz(operation, headers: dict[str, str], known: dict[str, str]) -> None:
    """Call ``operation`` with valid and malformed generated requests (random path values,
    and path values that exist in the demo); fail on any 5xx."""
    names = re.findall(r"{(\w+)}", operation.path)
    fixed = {k: known[k] for k in names if k in known}
    strategies = [operation.as_strategy(GenerationMode.POSITIVE),
                  operation.as_strategy(GenerationMode.NEGATIVE)]
    if fixed:
        strategies += [operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
                       operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed)]
    strategy = st.one_of(*strategies)

    @FUZZ_SETTINGS
    @given(case=strategy)
    def run(case) -> None:
        sent = {**(case.headers or {}), **headers}
        case.call_and_validate(headers=sent, checks=[not_a_server_error])

    run()


# schemathesis' own pytest integration (``schemathesis.pytest.from_fixture(...).parametrize()``)
# fails under pytest 9.2 (it reads the removed ``Node._nodeid``); its documented Hypothesis
# strategies per operation (``APIOperation.as_strategy``) do the same work and give one test
# id per operation.
@pytest.mark.parametrize("label", _operation_labels())
def test_no_server_error_anonymous(api_schema, known_path_values, label: str):
    """No request of an anonymous client to ``label`` gets a 5xx."""
    _fuzz(api_schema.find_operation_by_label(label), {}, known_path_values)


@pytest.mark.parametrize("label", _operation_labels())
def test_no_server_error_coach(api_schema, coach_token: str, known_path_values, label: str):
    """No request of the demo coach (bearer token) to ``label`` gets a 5xx."""
    _fuzz(api_schema.find_operation_by_label(label), {"Authorization": f"Bearer {coach_token}"},
          known_path_values)
