"""Route tests on the demo workspace (known answers)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(settings, tmp_path_factory) -> Iterator[TestClient]:
    """A service on the demo workspace with an empty register of its own: the known answers
    here are the files', which a measure another module registers in the shared register
    (test_access, test_officer …) would change, whatever order the modules run in."""
    from api.app import create_app

    reg = tmp_path_factory.mktemp("routes-register") / "register.sqlite"
    own = settings.model_copy(update={"register_url": f"sqlite:///{reg}"})
    with TestClient(create_app(own)) as c:
        yield c


def test_health(client, workspace_dir):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["workspace_loaded"] is True
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet", columns=["adres_id"])
    assert body["n_dwellings"] == len(dw)
    assert body["nis_codes"] == ["99001"]
    assert "sector" in body["area_levels"]


def test_sectors_geojson(client, workspace_dir):
    r = client.get("/api/sectors")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    assert doc["type"] == "FeatureCollection"
    codes = sorted(f["properties"]["sector_code"] for f in doc["features"])
    assert codes == ["99001A00-", "99001A01-", "99001A02-"]
    areas = pd.read_parquet(workspace_dir / "aggregate" / "sector" / "areas.parquet")
    by_code = {f["properties"]["sector_code"]: f["properties"] for f in doc["features"]}
    for row in areas.itertuples():
        props = by_code[row.sector_code]
        assert props["priority_rank"] == row.priority_rank
        assert abs(props["priority_score"] - row.priority_score) < 1e-9
        assert props["n_dwellings"] == row.n_dwellings
    # EPSG:4326 at the edge: the demo lies between Boom and Willebroek (≈ 4.3 °E, 51.1 °N)
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0][:2]
    assert 4.0 < lon < 4.6 and 50.9 < lat < 51.3
    etag = r.headers["etag"]
    assert client.get("/api/sectors", headers={"If-None-Match": etag}).status_code == 304


def test_areas_level(client):
    assert client.get("/api/areas/sector").json() == client.get("/api/sectors").json()
    r = client.get("/api/areas/wijk")
    assert r.status_code == 404
    assert "sector" in r.json()["detail"]


def _demo_frames(workspace_dir):
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet")
    res = pd.read_parquet(workspace_dir / "simulate" / "results.parquet")
    plan = pd.read_parquet(workspace_dir / "trajectories" / "summary.parquet")
    steps = pd.read_parquet(workspace_dir / "trajectories" / "trajectories.parquet")
    return dw, res, plan, steps


def _a_house(workspace_dir):
    """A single-family house with a multi-step plan (known answers come from the files)."""
    dw, res, plan, steps = _demo_frames(workspace_dir)
    multi = plan[(plan["n_steps"] >= 2) & plan["valid"]]
    row = multi.iloc[0]
    return str(row["adres_id"]), str(row["dwelling_id"]), res, plan, steps


def test_dwellings_bbox_counts_and_labels(client, workspace_dir):
    import geopandas as gpd

    dw = gpd.read_parquet(workspace_dir / "twin" / "dwellings.parquet").to_crs(4326)
    res = pd.read_parquet(workspace_dir / "simulate" / "results.parquet")
    x0, y0, x1, y1 = dw.total_bounds
    r = client.get("/api/dwellings", params={"bbox": f"{x0 - 1e-4},{y0 - 1e-4},"
                                             f"{x1 + 1e-4},{y1 + 1e-4}"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["n_features"] == len(dw) == len(doc["features"])
    labels = pd.Series([f["properties"]["epc_label"] for f in doc["features"]])
    expected = res["epc_label"].astype(str).value_counts().sort_index()
    assert labels.value_counts().sort_index().to_dict() == expected.to_dict()
    # the western half holds exactly the dwellings whose longitude is below the cut
    mid = (x0 + x1) / 2
    r = client.get("/api/dwellings", params={"bbox": f"{x0 - 1e-4},{y0 - 1e-4},{mid},"
                                             f"{y1 + 1e-4}"})
    assert r.json()["n_features"] == int((dw.geometry.x <= mid).sum())


def test_buildings_bbox(client, workspace_dir):
    import geopandas as gpd

    b = gpd.read_parquet(workspace_dir / "twin" / "buildings.parquet").to_crs(4326)
    x0, y0, x1, y1 = b.total_bounds
    r = client.get("/api/buildings", params={"bbox": f"{x0},{y0},{x1},{y1}"})
    assert r.status_code == 200
    feats = r.json()["features"]
    assert len(feats) == len(b)
    assert feats[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    labelled = [f for f in feats if f["properties"].get("epc_label")]
    assert labelled and {f["properties"]["epc_label"] for f in labelled} <= set(
        ["A+", "A", "B", "C", "D", "E", "F"])
    # the map layer carries what the map colours by and what a click looks up, no more
    assert all(set(f["properties"]) == {"gebouw_id", "epc_label"} for f in feats)
    assert {f["properties"]["gebouw_id"] for f in feats} == set(b["gebouw_id"].astype(str))
    # coordinates rounded to 1e-6 deg (0.1 m)
    ring = feats[0]["geometry"]["coordinates"][0]
    assert all(round(v, 6) == v for xy in ring for v in xy)
    full = client.get("/api/buildings", params={"bbox": f"{x0},{y0},{x1},{y1}", "full": True})
    props = full.json()["features"][0]["properties"]
    assert {"construction_year", "typology", "epc_score_kwh_per_m2", "epc_label"} <= set(props)


def test_bbox_limits(client):
    r = client.get("/api/dwellings", params={"bbox": "3.0,50.5,5.0,51.5"})
    assert r.status_code == 400 and "zoom" in r.json()["detail"]
    for bad in ("1,2,3", "a,b,c,d", "4.3,51.1,4.2,51.2", "nan,1,2,3", "4,91,5,92"):
        r = client.get("/api/buildings", params={"bbox": bad})
        assert r.status_code == 400, bad
        assert "bbox" in r.json()["detail"]
    assert client.get("/api/dwellings").status_code == 422


def test_max_features_413(workspace_dir, settings):
    import geopandas as gpd
    from fastapi.testclient import TestClient

    from api.app import create_app

    dw = gpd.read_parquet(workspace_dir / "twin" / "dwellings.parquet").to_crs(4326)
    x0, y0, x1, y1 = dw.total_bounds
    small = settings.model_copy(update={"max_features": 5})
    with TestClient(create_app(small)) as c:
        r = c.get("/api/dwellings", params={"bbox": f"{x0},{y0},{x1},{y1}"})
        assert r.status_code == 413
        assert "zoom" in r.json()["detail"] and str(len(dw)) in r.json()["detail"]
    # the footprints have their own cap (the map says 'zoom in' above it)
    b = gpd.read_parquet(workspace_dir / "twin" / "buildings.parquet").to_crs(4326)
    few = settings.model_copy(update={"max_footprints": len(b) - 1})
    with TestClient(create_app(few)) as c:
        r = c.get("/api/buildings", params={"bbox": ",".join(map(str, b.total_bounds))})
        assert r.status_code == 413
        assert "zoom" in r.json()["detail"] and f"{len(b) - 1:,}" in r.json()["detail"]
        assert c.get("/api/dwellings", params={"bbox": f"{x0},{y0},{x1},{y1}"}
                     ).status_code == 200


def test_address_state(client, workspace_dir):
    adres_id, did, res, plan, _ = _a_house(workspace_dir)
    r = client.get(f"/api/addresses/{adres_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    expected = res[res["dwelling_id"].astype(str) == did].iloc[0]
    assert body["dwelling_id"] == did and body["nis_code"] == "99001"
    assert body["epc_label"] == expected["epc_label"]
    assert abs(body["epc_score_kwh_per_m2"] - expected["epc_score_kwh_per_m2"]) < 1e-6
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet")
    mine = dw[dw["adres_id"].astype(str) == adres_id].iloc[0]
    assert body["twin"]["construction_year_source"] == str(mine["construction_year_source"])
    assert "u_wall_w_per_m2k_source" in body["twin"]
    assert body["building"]["gebouw_id"] == body["twin"]["gebouw_id"]
    assert 4.0 < body["lon"] < 4.6 and 50.9 < body["lat"] < 51.3
    assert client.get("/api/addresses/does-not-exist").status_code == 404


def test_address_trajectory_standard(client, workspace_dir):
    adres_id, did, _, plan, steps = _a_house(workspace_dir)
    r = client.get(f"/api/addresses/{adres_id}/trajectory")
    assert r.status_code == 200
    body = r.json()
    mine = steps[steps["dwelling_id"].astype(str) == did]
    assert body["basis"] == "standard"
    assert [s["measure"] for s in body["steps"]] == mine["measure"].astype(str).tolist()
    p = plan[plan["dwelling_id"].astype(str) == did].iloc[0]
    assert body["summary"]["n_steps"] == p["n_steps"] == len(mine)
    assert abs(body["summary"]["net_cost_eur"] - p["net_cost_eur"]) < 1e-6


def test_groups(client, workspace_dir):
    g = pd.read_parquet(workspace_dir / "groups" / "groups.parquet")
    r = client.get("/api/groups")
    assert r.status_code == 200 and r.json()["n_groups"] == len(g)
    r = client.get("/api/groups", params={"collective": True})
    assert r.json()["n_groups"] == int(g["collective"].sum())
    gid = str(g.sort_values("n_dwellings").iloc[-1]["group_id"])
    r = client.get(f"/api/groups/{gid}")
    assert r.status_code == 200
    assert len(r.json()["members"]) == int(g.set_index("group_id").loc[gid, "n_dwellings"])
    assert client.get("/api/groups/nope").status_code == 404


def test_sheet_html_public(client, workspace_dir):
    adres_id, *_ = _a_house(workspace_dir)
    r = client.get(f"/api/addresses/{adres_id}/sheet.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text.lower()
    assert client.get(f"/api/addresses/{adres_id}/sheet.doc").status_code == 404


def test_indicators_public(client):
    r = client.get("/api/indicators/99001", params={"inhabitants": 1200})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["nis_code"] == "99001" and body["targets"] and body["indicators"]
    # never a required query parameter: the counts come from the workspace (api.municipal)
    r = client.get("/api/indicators/99001")
    assert r.status_code == 200, r.text
    assert client.get("/api/indicators/12345", params={"inhabitants": 10}).status_code == 404


def test_openapi_documents_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/health", "/api/sectors", "/api/buildings", "/api/addresses/{adres_id}",
              "/api/addresses/{adres_id}/trajectory", "/api/scenarios", "/api/jobs/{job_id}",
              "/api/register/{nis}/{kind}", "/api/auth/login", "/api/indicators/{nis}"):
        assert p in paths, p
