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


def _roof_house(workspace_dir, which: int = 0) -> tuple[str, str]:
    """(adres_id, dwelling_id) of a Kerkstraat house whose trajectory insulates the roof and
    that the demo register left alone (the ``which``-th)."""
    dw = pd.read_parquet(workspace_dir / "renovated" / "dwellings.parquet")
    done = dw.filter(regex=r"^done_.*_year$").notna().any(axis=1)
    steps = pd.read_parquet(workspace_dir / "trajectories" / "trajectories.parquet",
                            columns=["dwelling_id", "dimension"])
    roof = set(steps.loc[steps["dimension"] == "roof", "dwelling_id"].astype(str))
    rows = dw[(dw["street"] == "Kerkstraat") & ~done & dw["dwelling_id"].astype(str).isin(roof)
              & dw["box_number"].isna()]
    row = rows.iloc[which]
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
    # and back on this one: the workspace both services share reads this register again
    # rather than serving the other's answer
    assert all(s["dimension"] != "roof" for s in coach.get(url).json()["steps"])


def _register_roof(client: TestClient, adres_id: str) -> None:
    r = client.post("/api/officer/99001/renovations/rows", json={"values": {
        "adres_id": adres_id, "maatregel": "dakisolatie", "datum_uitvoering": "2024-06-03",
        "fossielvrij": "ja", "opmerking": "dak 2024 (test replan)"}})
    assert r.status_code == 200 and r.json()["n_accepted"] == 1, r.text


def test_only_dwellings_whose_register_rows_changed_are_planned_again(own, users,
                                                                      workspace_dir):
    from api.workspace import get_workspace_for

    (first, first_id), (second, second_id) = (_roof_house(workspace_dir, 1),
                                              _roof_house(workspace_dir, 2))
    _login(own, "coach99", users["coach99"][0])
    _register_roof(own, first)
    assert all(s["dimension"] != "roof"
               for s in own.get(f"/api/addresses/{first}/trajectory").json()["steps"])
    ws = get_workspace_for(workspace_dir)
    planned = ws.registered(first_id)
    assert planned is not None

    _register_roof(own, second)
    assert all(s["dimension"] != "roof"
               for s in own.get(f"/api/addresses/{second}/trajectory").json()["steps"])
    assert ws.registered(second_id) is not None
    assert ws.registered(first_id) is planned  # its rows did not change: not planned again

    # a correction of the first house's row plans it again
    rows = own.get("/api/register/99001/renovations", params={"page_size": 500}).json()["rows"]
    row_id = next(r["renovation_id"] for r in rows if str(r["adres_id"]) == first)
    r = own.patch(f"/api/register/99001/renovations/{row_id}",
                  json={"changes": {"note": "dak 2024, gecorrigeerd"}})
    assert r.status_code == 200, r.text
    own.get(f"/api/addresses/{first}/trajectory")
    again = ws.registered(first_id)
    assert again is not None and again is not planned
    assert again[2]["investment_eur"].tolist() == planned[2]["investment_eur"].tolist()
    assert ws.registered(second_id) is not None
