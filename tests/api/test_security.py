"""Web-service hardening (issue 14, OWASP ASVS level 1): headers and CSP, body limit, bbox,
upload names, server paths, scenario names, jobs per municipality and quota, login throttling
and audit, equal work for unknown users, password policy, session revocation, Secure cookies,
coach edits hidden from the public, formula-safe CSV exports."""

from __future__ import annotations

import hashlib
import threading

import pandas as pd
import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import DEFAULT_HTML_CSP, SECURITY_HEADERS, safe_upload_name, scrub_paths
from api.settings import Settings
from wijkreno.errors import InputError
from wijkreno.io.spreadsheet import neutralise_formulas
from wijkreno.users import UserStore, check_password_policy


def _house(workspace_dir) -> str:
    plan = pd.read_parquet(workspace_dir / "trajectories" / "summary.parquet")
    return str(plan[(plan["n_steps"] >= 2) & plan["valid"]].iloc[0]["adres_id"])


@pytest.fixture
def own_app(settings, users, tmp_path):
    """A fresh app on the demo workspace with its own users database and register (so that
    throttling and revocations here touch no other test)."""
    own = Settings(data_dir=settings.data_dir, secret_key="own-secret", cookie_secure=False,
                   users_db=tmp_path / "users.sqlite",
                   register_url=f"sqlite:///{tmp_path / 'register.sqlite'}",
                   max_jobs_per_user=1)
    store = UserStore(own.users_db)
    store.add_user("anna", "lange-zin-als-wachtwoord", {"99001": "coach"})
    store.add_user("nobody-role", "lange-zin-zonder-rol", {})
    store.close()
    app = create_app(own)
    yield app, own
    from api.auth import reset_resources

    reset_resources()


# -- headers, CSP, body limit ---------------------------------------------------------------

def test_security_headers_on_json_html_and_errors(client, login, workspace_dir):
    adres_id = _house(workspace_dir)
    for url in ("/api/health", "/", f"/api/addresses/{adres_id}/sheet.html", "/api/nope"):
        r = client.get(url)
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, (url, name)
        if r.headers.get("content-type", "").startswith("text/html"):
            csp = r.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp, url
    assert "cache-control" not in client.get("/api/health").headers
    assert login("viewer99").get("/api/register/99001/renovations").headers[
        "cache-control"] == "no-store"  # municipal data is not cached
    sheet = client.get(f"/api/addresses/{adres_id}/sheet.html")
    assert sheet.status_code == 200
    assert sheet.headers["content-security-policy"] == DEFAULT_HTML_CSP  # no scripts at all


def test_body_limit_on_every_route(client, settings):
    big = b'{"username": "' + b"a" * (settings.max_body_bytes + 10) + b'", "password": "x"}'
    r = client.post("/api/auth/login", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "Te groot" in r.json()["detail"]
    assert r.headers["x-content-type-options"] == "nosniff"

    def chunks():  # no Content-Length: the limit counts while streaming
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    r = client.post("/api/auth/login", content=chunks(),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize("bbox", ["-180,-1,180,1", "-180,-90,180,90", "179.9,0,-179.9,0.1",
                                  "0,0,0,0", "4.3,51.0,4.3,200"])
def test_bbox_must_be_a_small_lonlat_box(client, bbox):
    r = client.get("/api/dwellings", params={"bbox": bbox})
    assert r.status_code == 400, r.text


# -- uploads, paths ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a" * 300 + ".csv", "reno\x00.csv", "../../etc/x.csv",
                                  "C:\\\\temp\\\\x.csv", "é" * 200 + ".csv"])
def test_odd_upload_names_never_500(login, workspace_dir, name):
    c = login("coach99")
    body = f"adres_id;maatregel;datum_uitvoering\n{_house(workspace_dir)};dakisolatie;2024-01-02\n"
    r = c.post("/api/register/99001/renovations/upload",
               files={"file": (name, body.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    assert len(safe_upload_name(name)) <= 100 and "\x00" not in safe_upload_name(name)


def test_no_server_paths_in_responses(client, login, settings):
    body = client.get("/api/health").json()
    assert "/" not in body["workspace"]
    c = login("coach99")
    r = c.post("/api/register/99001/renovations/upload",
               files={"file": ("kapot.xlsx", b"PK\x03\x04 not a workbook", "application/zip")})
    assert r.status_code == 422
    assert "/tmp" not in r.text and str(settings.data_dir) not in r.text
    assert scrub_paths("cannot read /srv/data/x.csv: y; see /api/health") == \
        "cannot read x.csv: y; see /api/health"


# -- scenarios and jobs --------------------------------------------------------------------

def test_scenario_names_are_never_paths(login, tmp_path):
    c = login("coach99")
    secret = tmp_path / "secret.toml"
    secret.write_text('password = "hunter2"\n')
    for name in (str(secret), "../../pyproject", "pyproject.toml", "README", str(tmp_path)):
        r = c.post("/api/scenarios", json={"scenario": name, "nis_code": "99001"})
        assert r.status_code == 422, r.text
        assert "hunter2" not in r.text and "bestaat" not in r.text
        assert r.json()["detail"].startswith("Onbekend scenario; kies een van ambitious, baseline")


def test_admin_registered_scenario(own_app, settings):
    import shutil
    from importlib import resources

    app, own = own_app
    folder = own.data_dir / "scenarios"
    folder.mkdir(exist_ok=True)
    try:
        src = resources.files("wijkreno.params").joinpath("scenarios/baseline.toml")
        shutil.copyfile(str(src), folder / "gemeente_plan.toml")
        c = TestClient(app)
        c.post("/api/auth/login", json={"username": "anna",
                                         "password": "lange-zin-als-wachtwoord"})
        c.headers["X-CSRF-Token"] = c.cookies.get("wijkreno_csrf")
        r = c.post("/api/scenarios", json={"scenario": "gemeente_plan"})
        assert r.status_code == 202, r.text
        assert r.json()["nis_code"] == "99001"
    finally:
        shutil.rmtree(folder)


def test_jobs_need_a_role_and_stay_in_their_municipality(own_app, login, client):
    app, _ = own_app
    c = TestClient(app)
    c.post("/api/auth/login", json={"username": "nobody-role",
                                     "password": "lange-zin-zonder-rol"})
    c.headers["X-CSRF-Token"] = c.cookies.get("wijkreno_csrf")
    r = c.post("/api/scenarios", json={"scenario": "baseline", "nis_code": "99001"})
    assert r.status_code == 403
    coach = login("coach99")
    r = coach.post("/api/scenarios", json={"scenario": "baseline"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    assert client.get(f"/api/jobs/{job_id}").status_code == 401  # anonymous
    other = login("admin02")
    assert other.get(f"/api/jobs/{job_id}").status_code == 404  # other municipality
    assert login("viewer99").get(f"/api/jobs/{job_id}").status_code == 200
    # toml text is for admins: admin02 may, for its own municipality
    r = other.post("/api/scenarios", json={"toml": "not = [valid", "nis_code": "99002"})
    assert r.status_code == 422


def test_per_user_job_quota():
    from api.routes.jobs import JobQueue, _Job

    queue = JobQueue(workers=1, max_jobs=10)
    release = threading.Event()
    try:
        queue.submit(_Job("a", "scenario", "anna", "t", "99001"), release.wait, per_user=2)
        queue.submit(_Job("b", "scenario", "anna", "t", "99001"), release.wait, per_user=2)
        with pytest.raises(HTTPException) as info:
            queue.submit(_Job("c", "scenario", "anna", "t", "99001"), release.wait, per_user=2)
        assert info.value.status_code == 429
        queue.submit(_Job("d", "scenario", "bert", "t", "99001"), release.wait, per_user=2)
    finally:
        release.set()
        queue.pool.shutdown(wait=True)


# -- login --------------------------------------------------------------------------------

def test_login_throttled_with_backoff_and_failures_audited(own_app, monkeypatch):
    import api.ratelimit as rl
    from wijkreno.register import open_register

    now = [1000.0]
    monkeypatch.setattr(rl, "_clock", lambda: now[0])
    app, own = own_app
    c = TestClient(app)
    wrong = {"username": "anna", "password": "fout-wachtwoord-123"}
    right = {"username": "anna", "password": "lange-zin-als-wachtwoord"}
    codes = [c.post("/api/auth/login", json=wrong).status_code for _ in range(8)]
    assert codes == [401] * 5 + [429] * 3  # five free failures, then back-off
    r = c.post("/api/auth/login", json=right)  # the right password does not help now
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    now[0] += 1.5  # back-off after five failures: 1 s, doubling with each further failure
    assert c.post("/api/auth/login", json=right).status_code == 200
    with open_register(own.register_url) as reg:
        failed = reg.audit().query("action == 'login_failed'")
    assert len(failed) == 9 and set(failed["row_key"]) == {"anna"}  # 5 wrong + 4 throttled
    assert "lange-zin" not in failed.to_string() and "fout-wachtwoord" not in failed.to_string()


def test_unknown_users_cost_the_same_work(tmp_path, monkeypatch):
    store = UserStore(tmp_path / "u.sqlite")
    store.add_user("anna", "lange-zin-als-wachtwoord", {})
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(kwargs.get("n", 0))
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    assert store.authenticate("anna", "fout") is None
    known = list(calls)
    calls.clear()
    assert store.authenticate("niemand", "fout") is None
    assert calls == known and len(known) == 1  # one scrypt of the same cost either way
    store.close()


@pytest.mark.parametrize("password", ["12345678", "kort", "password1234", "Wachtwoord123!",
                                      "aaaaaaaaaaaaaaaa", "anna-anna-anna-1"])
def test_password_policy_refuses(password):
    with pytest.raises(InputError):
        check_password_policy(password, "anna")


def test_password_policy_accepts_a_long_sentence():
    check_password_policy("drie koeien op de dijk", "anna")


def test_logout_and_new_password_end_sessions(own_app):
    app, own = own_app
    c = TestClient(app)
    r = c.post("/api/auth/login", json={"username": "anna",
                                         "password": "lange-zin-als-wachtwoord"})
    token = r.json()["access_token"]
    bearer = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert bearer.get("/api/register/99001/renovations").status_code == 200
    assert c.get("/api/register/99001/renovations").status_code == 200
    cookie = c.cookies.get("wijkreno_session")
    c.post("/api/auth/logout")
    assert bearer.get("/api/register/99001/renovations").status_code == 401
    replay = TestClient(app, cookies={"wijkreno_session": cookie})
    assert replay.get("/api/register/99001/renovations").status_code == 401
    # a new password ends the other sessions too
    r = c.post("/api/auth/login", json={"username": "anna",
                                         "password": "lange-zin-als-wachtwoord"})
    bearer = TestClient(app, headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    store = UserStore(own.users_db)
    store.add_user("anna", "een-heel-nieuw-wachtwoord", {"99001": "coach"})
    store.close()
    assert bearer.get("/api/register/99001/renovations").status_code == 401


def test_cookies_secure_unless_disabled(settings, users):
    secure = Settings(data_dir=settings.data_dir, secret_key="s",
                      users_db=settings.effective_users_db(),
                      register_url=settings.effective_register_url())
    assert secure.cookie_secure is True
    c = TestClient(create_app(secure))
    r = c.post("/api/auth/login", json={"username": "viewer99",
                                         "password": users["viewer99"][0]})
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 2 and all("Secure" in x for x in cookies)


def test_users_add_is_atomic(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from wijkreno.cli import app

    monkeypatch.setenv("WIJKRENO_PASSWORD", "lange-zin-als-wachtwoord")
    db = tmp_path / "users.sqlite"
    r = CliRunner().invoke(app, ["users", "add", "--username", "bert", "--nis", "123",
                                 "--role", "coach", "--users-db", str(db)])
    assert r.exit_code == 2, r.output
    store = UserStore(db)
    assert store.get_user("bert") is None
    store.close()


# -- data exposure -------------------------------------------------------------------------

def test_public_address_says_nothing_about_coach_edits(client, login, workspace_dir):
    adres_id = _house(workspace_dir)
    coach = login("coach99")
    assert coach.post(f"/api/addresses/{adres_id}/trajectory",
                      json={"roof_insulated_year": 2015}).status_code == 200
    assert client.get(f"/api/addresses/{adres_id}").json()["has_overrides"] is False
    assert login("admin02").get(f"/api/addresses/{adres_id}").json()["has_overrides"] is False
    assert coach.get(f"/api/addresses/{adres_id}").json()["has_overrides"] is True


def test_csv_exports_neutralise_formulas(tmp_path):
    frame = pd.DataFrame({"note": ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "gewoon",
                                   None], "premium_eur": [-5.0, 1, 2, 3, 4, 5]})
    out = neutralise_formulas(frame)
    assert out["note"].tolist()[:5] == ["'=cmd|' /C calc'!A0", "'+1", "'-2+3", "'@SUM(A1)",
                                        "gewoon"]
    assert out["premium_eur"].tolist() == frame["premium_eur"].tolist()
