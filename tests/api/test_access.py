"""Access control, CSRF, sessions, audit trail, limits and malformed requests."""

from __future__ import annotations

import io

import pandas as pd
import pytest


def _house(workspace_dir) -> str:
    plan = pd.read_parquet(workspace_dir / "trajectories" / "summary.parquet")
    return str(plan[(plan["n_steps"] >= 2) & plan["valid"]].iloc[0]["adres_id"])


def _csv(adres_id: str, n: int = 1) -> bytes:
    head = "adres_id;maatregel;datum_uitvoering;collectief_project;fossielvrij;premie_eur;opmerking"
    rows = [f"{adres_id};dakisolatie;2024-03-{10 + i:02d};Burenpremie test;nee;1.250,00;rij {i}"
            for i in range(n)]
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


PROTECTED = [
    ("get", "/api/register/99001/renovations", None),
    ("patch", "/api/register/99001/renovations/1", {"changes": {"note": "x"}}),
    ("post", "/api/scenarios", {"scenario": "baseline"}),
    ("get", "/api/reports/99001/lekp.html?inhabitants=1000", None),
]


@pytest.mark.parametrize(("method", "url", "body"), PROTECTED)
def test_anonymous_refused(client, users, method, url, body):
    r = client.request(method.upper(), url, json=body)
    assert r.status_code == 401, r.text
    assert "aanmeld" in r.json()["detail"].lower()


def test_override_post_needs_login(client, users, workspace_dir):
    adres_id = _house(workspace_dir)
    r = client.post(f"/api/addresses/{adres_id}/trajectory", json={"roof_insulated_year": 2015})
    assert r.status_code == 401


def test_password_hash_not_plain(settings, users):
    from wijkreno.users import UserStore, verify_password

    store = UserStore(settings.effective_users_db())
    try:
        for name, (password, _) in users.items():
            stored = store.password_hash(name)
            assert stored is not None and password not in stored
            assert stored.startswith("scrypt$")
            assert verify_password(password, stored)
            assert not verify_password(password + "x", stored)
        # per-user salt: same password, different hashes
        from wijkreno.users import hash_password

        assert hash_password("same-password") != hash_password("same-password")
    finally:
        store.close()


def test_login_wrong_password(client, users):
    r = client.post("/api/auth/login", json={"username": "coach99", "password": "wrong"})
    assert r.status_code == 401
    r = client.post("/api/auth/login", json={"username": "nobody", "password": "wrong"})
    assert r.status_code == 401


def test_override_rerun_audited(login, workspace_dir, settings):
    from wijkreno.register import open_register

    adres_id = _house(workspace_dir)
    c = login("coach99")
    standard = c.get(f"/api/addresses/{adres_id}/trajectory").json()
    r = c.post(f"/api/addresses/{adres_id}/trajectory",
               json={"roof_insulated_year": 2015, "wall_insulated_year": 2016,
                     "glazing_year": 2018})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["basis"] == "overrides"
    changed = {ch["column"] for ch in body["changes"]}
    assert {"u_roof_w_per_m2k", "u_wall_w_per_m2k", "u_window_w_per_m2k"} <= changed
    # an insulated house starts better: its current score is lower than the standard one
    assert (body["summary"]["current_epc_score_kwh_per_m2"]
            < standard["summary"]["current_epc_score_kwh_per_m2"])
    # stored: the GET with overrides=true gives the same rerun, anonymous may not see it
    again = c.get(f"/api/addresses/{adres_id}/trajectory", params={"overrides": True}).json()
    assert again["summary"]["current_epc_score_kwh_per_m2"] == pytest.approx(
        body["summary"]["current_epc_score_kwh_per_m2"])
    reg = open_register(settings.effective_register_url())
    try:
        log = reg.audit("99001")
    finally:
        reg.close()
    mine = log[(log["table"] == "coach_override") & (log["row_key"] == adres_id)]
    assert len(mine) >= 1 and mine.iloc[-1]["who"] == "coach99"
    assert '"roof_insulated_year": 2015' in mine.iloc[-1]["new_values"]
    # a bad value is refused with 422, never 500
    r = c.post(f"/api/addresses/{adres_id}/trajectory", json={"heating_system": "warp_core"})
    assert r.status_code == 422
    r = c.post(f"/api/addresses/{adres_id}/trajectory", json={"roof_insulated_year": 1800})
    assert r.status_code == 422


def test_overrides_hidden_from_anonymous_and_other_municipality(client, login, workspace_dir):
    adres_id = _house(workspace_dir)
    coach = login("coach99")
    assert coach.post(f"/api/addresses/{adres_id}/trajectory",
                      json={"roof_insulated_year": 2015}).status_code == 200
    r = client.get(f"/api/addresses/{adres_id}/trajectory", params={"overrides": True})
    assert r.status_code == 401
    other = login("admin02")
    r = other.get(f"/api/addresses/{adres_id}/trajectory", params={"overrides": True})
    assert r.status_code == 403 and "99001" in r.json()["detail"]
    r = other.get(f"/api/addresses/{adres_id}/sheet.html", params={"overrides": True})
    assert r.status_code == 403


def test_viewer_cannot_write(login, workspace_dir):
    adres_id = _house(workspace_dir)
    viewer = login("viewer99")
    r = viewer.post(f"/api/addresses/{adres_id}/trajectory", json={"roof_insulated_year": 2015})
    assert r.status_code == 403 and "coach" in r.json()["detail"]
    files = {"file": ("reno.csv", _csv(adres_id), "text/csv")}
    assert viewer.post("/api/register/99001/renovations/upload", files=files).status_code == 403
    assert viewer.get("/api/register/99001/renovations").status_code == 200


def test_register_upload_list_correct_audited(login, workspace_dir, settings):
    from wijkreno.register import open_register

    adres_id = _house(workspace_dir)
    coach = login("coach99")
    files = {"file": ("reno.csv", _csv(adres_id, 3), "text/csv")}
    r = coach.post("/api/register/99001/renovations/upload", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["n_accepted"] == 3 and r.json()["n_rejected"] == 0
    r = coach.get("/api/register/99001/renovations", params={"page_size": 2})
    body = r.json()
    assert body["n_rows"] >= 3 and len(body["rows"]) == 2
    row_id = body["rows"][0]["renovation_id"]
    r = coach.patch(f"/api/register/99001/renovations/{row_id}",
                    json={"changes": {"note": "gecorrigeerd door coach"}})
    assert r.status_code == 200, r.text
    assert r.json()["rows"][0]["note"] == "gecorrigeerd door coach"
    reg = open_register(settings.effective_register_url())
    try:
        log = reg.audit("99001")
    finally:
        reg.close()
    assert ((log["action"] == "insert") & (log["who"] == "coach99")).sum() >= 3
    upd = log[(log["action"] == "update") & (log["row_key"] == str(row_id))]
    assert len(upd) == 1 and upd.iloc[0]["who"] == "coach99"


def test_cross_municipality_refused(login, workspace_dir):
    adres_id = _house(workspace_dir)
    other = login("admin02")
    assert other.get("/api/register/99001/renovations").status_code == 403
    files = {"file": ("reno.csv", _csv(adres_id), "text/csv")}
    r = other.post("/api/register/99001/renovations/upload", files=files)
    assert r.status_code == 403
    r = other.patch("/api/register/99001/renovations/1", json={"changes": {"note": "x"}})
    assert r.status_code == 403
    r = other.post(f"/api/addresses/{adres_id}/trajectory", json={"roof_insulated_year": 2015})
    assert r.status_code == 403
    assert other.get("/api/reports/99001/lekp.html",
                     params={"inhabitants": 1000}).status_code == 403
    # and the coach of 99001 cannot read 99002's register
    coach = login("coach99")
    r = coach.get("/api/register/99002/renovations")
    assert r.status_code == 403 and "99002" in r.json()["detail"]


def test_csrf_missing_or_wrong(login, workspace_dir):
    adres_id = _house(workspace_dir)
    c = login("coach99", csrf=False)
    url = f"/api/addresses/{adres_id}/trajectory"
    r = c.post(url, json={"roof_insulated_year": 2015})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = c.post(url, json={"roof_insulated_year": 2015}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    # reads need no token; bearer tokens are exempt (no cookie involved)
    assert c.get("/api/register/99001/renovations").status_code == 200
    token = c.token
    c.cookies.clear()
    r = c.post(url, json={"roof_insulated_year": 2015},
               headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_expired_session_refused(login, monkeypatch, settings):
    import time

    import api.auth

    c = login("viewer99")
    assert c.get("/api/register/99001/renovations").status_code == 200
    later = time.time() + settings.session_max_age_s + 60
    monkeypatch.setattr(api.auth, "_clock", lambda: later)
    r = c.get("/api/register/99001/renovations")
    assert r.status_code == 401 and "verlopen" in r.json()["detail"]
    r = c.get("/api/register/99001/renovations",
              headers={"Authorization": f"Bearer {c.token}"})
    assert r.status_code == 401


def test_tampered_session_refused(client, users):
    r = client.get("/api/register/99001/renovations",
                   cookies={"wijkreno_session": "eyJ1IjoiY29hY2g5OSJ9.forged.sig"})
    assert r.status_code == 401


def test_limits_page_and_upload(login, settings, workspace_dir):
    c = login("coach99")
    r = c.get("/api/register/99001/renovations", params={"page_size": settings.max_page_size + 1})
    assert r.status_code == 400 and "page_size" in r.json()["detail"]
    big = b"x" * (settings.max_upload_bytes + 10)
    r = c.post("/api/register/99001/renovations/upload",
               files={"file": ("big.csv", io.BytesIO(big), "text/csv")})
    assert r.status_code == 413 and "groot" in r.json()["detail"]
    r = c.post("/api/register/99001/renovations/upload",
               files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 415


def test_scenario_job(login):
    import time

    c = login("coach99")
    r = c.post("/api/scenarios", json={"scenario": "baseline"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    body = r.json()
    for _ in range(600):  # poll (bounded), not a timing assertion
        body = c.get(f"/api/jobs/{job_id}").json()
        if body["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert body["status"] == "done", body["message"]
    assert body["progress_frac"] == 1.0
    years = [row["year"] for row in body["result"]["by_year"]]
    assert years == sorted(years) and len(years) > 1
    assert c.post("/api/scenarios", json={"scenario": "../../etc/passwd"}).status_code == 422
    assert c.post("/api/scenarios", json={"toml": "not = [valid"}).status_code == 403  # admins
    assert c.post("/api/scenarios", json={}).status_code == 422
    assert c.get("/api/jobs/unknown").status_code == 404


MALFORMED = [
    ("GET", "/api/dwellings?bbox=", None, None),
    ("GET", "/api/dwellings?bbox=1e400,1,2,3", None, None),
    ("GET", "/api/buildings?bbox=%00", None, None),
    ("GET", "/api/areas/%2e%2e", None, None),
    ("GET", "/api/addresses/%00/trajectory", None, None),
    ("GET", "/api/addresses/x/sheet.pdf", None, None),
    ("GET", "/api/groups?collective=maybe", None, None),
    ("GET", "/api/indicators/abc?inhabitants=-5", None, None),
    ("GET", "/api/indicators/99001?inhabitants=10&pact=9.9", None, None),
    ("GET", "/api/indicators/99001?inhabitants=10&as_of=gisteren", None, None),
    ("POST", "/api/auth/login", b"{not json", {"content-type": "application/json"}),
    ("POST", "/api/auth/login", b"[]", {"content-type": "application/json"}),
    ("POST", "/api/auth/login", b"username=a", {"content-type": "text/plain"}),
    ("POST", "/api/scenarios", b"{", {"content-type": "application/json"}),
    ("GET", "/api/jobs/" + "x" * 5000, None, None),
    ("DELETE", "/api/sectors", None, None),
    ("GET", "/api/register/99001/renovations?page=0", None, None),
]


@pytest.mark.parametrize(("method", "url", "body", "headers"), MALFORMED)
def test_malformed_never_500(client, method, url, body, headers):
    r = client.request(method, url, content=body, headers=headers)
    assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:200])
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_malformed_authenticated_never_500(login, workspace_dir):
    adres_id = _house(workspace_dir)
    c = login("coach99")
    cases = [
        ("POST", f"/api/addresses/{adres_id}/trajectory", {"roof_insulated_year": "nooit"}),
        ("POST", f"/api/addresses/{adres_id}/trajectory", {"unknown_field": 1}),
        ("POST", f"/api/addresses/{adres_id}/trajectory", {"income_category": 7}),
        ("PATCH", "/api/register/99001/renovations/999999", {"changes": {"note": "x"}}),
        ("PATCH", "/api/register/99001/renovations/abc", {"changes": {"note": "x"}}),
        ("PATCH", "/api/register/99001/renovations/1", {"changes": {}}),
        ("PATCH", "/api/register/99001/nonsense/1", {"changes": {"note": "x"}}),
        ("GET", "/api/register/9900/renovations", None),
        ("POST", "/api/register/99001/renovations/upload", None),
    ]
    for method, url, body in cases:
        r = c.request(method, url, json=body)
        assert 400 <= r.status_code < 500, (method, url, r.status_code, r.text[:200])
    r = c.post("/api/register/99001/renovations/upload",
               files={"file": ("leeg.csv", b"\xff\xfe\x00garbage;;\n", "text/csv")})
    assert 400 <= r.status_code < 500, r.text[:200]


def test_reports_for_logged_in_viewer(login, workspace_dir):
    adres_id = _house(workspace_dir)
    c = login("viewer99")
    r = c.get("/api/reports/99001/lekp.html", params={"inhabitants": 1200})
    assert r.status_code == 200, r.text[:300]
    assert "99001" in r.text
    r = c.get(f"/api/addresses/{adres_id}/sheet.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
