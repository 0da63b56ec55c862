"""The coach's page follows the register: a measure an officer registers in the browser is
applied to its dwelling and replanned by the service at once, without a terminal run of the
``renovated`` stage (issue 13 audit)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="module")
def own(workspace_dir, users, tmp_path_factory) -> Iterator[TestClient]:
    """A service on the demo workspace with a register of its own (the row this module adds
    must not reach the other modules' register and trajectories)."""
    reg = tmp_path_factory.mktemp("register") / "register.sqlite"
    settings = Settings(data_dir=workspace_dir, secret_key="test-secret-not-for-production",
                        cookie_secure=False, register_url=f"sqlite:///{reg}")
    with TestClient(create_app(settings)) as c:
        yield c


def _login(client: TestClient, username: str, password: str) -> None:
    r = client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]


def _roof_house(workspace_dir) -> tuple[str, str]:
    """(adres_id, dwelling_id) of a Kerkstraat house whose trajectory insulates the roof and
    that the demo register left alone."""
    dw = pd.read_parquet(workspace_dir / "renovated" / "dwellings.parquet")
    done = dw.filter(regex=r"^done_.*_year$").notna().any(axis=1)
    steps = pd.read_parquet(workspace_dir / "trajectories" / "trajectories.parquet",
                            columns=["dwelling_id", "dimension"])
    roof = set(steps.loc[steps["dimension"] == "roof", "dwelling_id"].astype(str))
    rows = dw[(dw["street"] == "Kerkstraat") & ~done & dw["dwelling_id"].astype(str).isin(roof)
              & dw["box_number"].isna()]
    row = rows.iloc[0]
    return str(row["adres_id"]), str(row["dwelling_id"])


def test_a_measure_registered_in_the_browser_reaches_the_coach_at_once(own, client, users,
                                                                       workspace_dir):
    adres_id, _ = _roof_house(workspace_dir)
    url = f"/api/addresses/{adres_id}/trajectory"
    before = own.get(url).json()
    assert any(s["dimension"] == "roof" for s in before["steps"])

    coach = own
    _login(coach, "coach99", users["coach99"][0])
    r = coach.post("/api/officer/99001/renovations/rows", json={"values": {
        "adres_id": adres_id, "maatregel": "dakisolatie", "datum_uitvoering": "2024-05-02",
        "fossielvrij": "ja", "opmerking": "dak 2024 (test coach)"}})
    assert r.status_code == 200, r.text
    assert r.json()["n_accepted"] == 1, r.json()

    after = coach.get(url).json()
    assert all(s["dimension"] != "roof" for s in after["steps"]), after["steps"]
    assert after["summary"]["investment_eur"] < before["summary"]["investment_eur"]
    state = coach.get(f"/api/addresses/{adres_id}").json()
    assert state["twin"]["done_roof_year"] == 2024
    assert state["twin"]["done_roof_origin"] == "register"
    assert state["plan"]["investment_eur"] == after["summary"]["investment_eur"]
    # a coach's rerun plans from the roof as registered too
    r = coach.post(url, json={"note": "dak staat in het register"})
    assert r.status_code == 200, r.text
    assert all(s["dimension"] != "roof" for s in r.json()["steps"])
    sheet = coach.get(f"/api/addresses/{adres_id}/sheet.html")
    assert sheet.status_code == 200
    # the service on the other register still plans the roof (no row there)
    assert any(s["dimension"] == "roof" for s in client.get(url).json()["steps"])
    assert any(s["dimension"] == "roof" for s in coach.get(url).json()["steps"]) is False
