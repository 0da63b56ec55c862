"""The register through the web service holds under concurrent uploads, and corrections pass the
import's checks; on SQLite and PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

import threading
from collections import Counter

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from wijkreno.register import open_register

HEAD = "adres_id;maatregel;datum_uitvoering;premie_eur;opmerking"


@pytest.fixture
def web(register_url, settings, users):
    """An app on the demo workspace whose register is ``register_url``, and a login helper
    that returns bearer-token clients (one per thread)."""
    own = Settings(data_dir=settings.data_dir, secret_key=settings.secret_key, cookie_secure=False,
                   users_db=settings.effective_users_db(), register_url=register_url)
    app = create_app(own)
    clients: list[TestClient] = []

    def client(username: str = "coach99") -> TestClient:
        c = TestClient(app)
        clients.append(c)
        r = c.post("/api/auth/login", json={"username": username,
                                             "password": users[username][0]})
        assert r.status_code == 200, r.text
        c.cookies.clear()
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return c

    yield client, register_url
    for c in clients:
        c.close()
    from api.auth import reset_resources

    reset_resources()


def _addresses(workspace_dir, n: int) -> list[str]:
    dwellings = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet",
                                columns=["adres_id", "nis_code"])
    ids = dwellings.loc[dwellings["nis_code"] == "99001", "adres_id"].dropna().unique()
    return [str(a) for a in ids[:n]]


def _file(addresses: list[str]) -> bytes:
    rows = [f"{a};dakisolatie;2024-03-10;1.000,00;" for a in addresses]
    return ("\n".join([HEAD, *rows, "NOPE;dakisolatie;2024-03-10;;"]) + "\n").encode()


def test_concurrent_web_uploads_store_each_row_once(web, workspace_dir):
    client, url = web
    addresses = _addresses(workspace_dir, 30)
    a, b = _file(addresses[:20]), _file(addresses[10:])
    jobs = [a, a, a, b, b]  # a double (triple) click, and an overlapping file at once
    clients = [client() for _ in jobs]
    answers: list = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def post(k: int) -> None:
        barrier.wait()
        files = {"file": (f"f{k % 2}.csv", jobs[k], "text/csv")}
        answers[k] = clients[k].post("/api/register/99001/renovations/upload", files=files)

    threads = [threading.Thread(target=post, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    bodies = [r.json() for r in answers]
    assert [r.status_code for r in answers] == [200] * len(jobs), bodies
    for body in bodies:
        assert body["n_rows"] == body["n_accepted"] + body["n_rejected"] + body["n_duplicates"]
    assert sum(not body["already_imported"] for body in bodies) == 2
    assert sum(body["n_accepted"] for body in bodies) == 30
    with open_register(url) as reg:
        stored = reg.renovations("99001")
        assert len(stored) == 30
        assert max(Counter(zip(stored["adres_id"], stored["completed_on"],
                               strict=True)).values()) == 1
        assert len(reg.uploads("99001")) == 2


@pytest.mark.parametrize(("changes", "reason"), [
    ({"adres_id": "GEEN-ADRES"}, "does not exist in the twin"),
    ({"completed_on": "2099-01-01"}, "outside"),
    ({"premium_eur": 1e300}, "plausible maximum"),
    ({"premium_eur": 99_999_999_999}, "plausible maximum"),
    ({"note": "x" * 100_000}, "characters long"),
    ({"measure": "zwembad"}, "is not one of"),
])
def test_corrections_pass_the_import_checks(web, workspace_dir, changes, reason):
    client, url = web
    c = client()
    address = _addresses(workspace_dir, 1)[0]
    r = c.post("/api/register/99001/renovations/upload",
               files={"file": ("one.csv", _file([address]), "text/csv")})
    assert r.status_code == 200 and r.json()["n_accepted"] == 1, r.text
    with open_register(url) as reg:
        before = reg.renovations("99001")
    row_id = int(before["renovation_id"].iloc[0])
    r = c.patch(f"/api/register/99001/renovations/{row_id}", json={"changes": changes})
    assert r.status_code == 422, r.text
    assert reason in r.json()["detail"]
    with open_register(url) as reg:
        pd.testing.assert_frame_equal(reg.renovations("99001"), before)
    # a good correction still works, and a moved address gets its twin dwelling
    other = _addresses(workspace_dir, 2)[1]
    r = c.patch(f"/api/register/99001/renovations/{row_id}",
                json={"changes": {"adres_id": other, "premium_eur": "2.500,00"}})
    assert r.status_code == 200, r.text
    row = r.json()["rows"][0]
    assert row["adres_id"] == other and row["dwelling_id"] and row["premium_eur"] == 2500.0
