"""The pre-built answers of the load-critical routes: the slim sector map layer (gzip, ETag)
and the standard trajectory served from prepared arrays, held equal to the library's frames."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest
import shapely

from api.routes.pages import MAP_LAYERS
from api.workspace import (
    AREA_MAP_SIMPLIFY_TOLERANCE_M,
    PRIORITY_COLUMNS,
    area_map_columns,
    get_workspace_for,
    records,
    simplify_outlines,
)
from wijkreno.maps.indicators import MAP_INDICATOR_COLUMNS


def test_map_layer_has_what_the_page_uses(client, workspace_dir):
    doc = client.get("/api/sectors").json()
    areas = pd.read_parquet(workspace_dir / "aggregate" / "sector" / "areas.parquet")
    props = doc["features"][0]["properties"]
    # the layer switch, the sidebar, the totals in view, every priority component and the raw
    # value behind it (explained in words); not the other indicators
    used = {"sector_code", "area_name", "n_dwellings", "epc_score_mean_kwh_per_m2",
            "label_ef_frac", "co2_flemish_kg_co2", "plan_net_cost_eur", "priority_score",
            "priority_rank", "plan_investment_eur", "plan_saving_kwh",
            "plan_saving_co2_flemish_kg_co2", *MAP_LAYERS, *PRIORITY_COLUMNS}
    used |= {c for c in areas.columns if c.startswith("priority_")}
    assert set(props) == used & (set(areas.columns) | set(MAP_INDICATOR_COLUMNS))
    assert set(MAP_INDICATOR_COLUMNS) <= set(props)
    assert "heating_need_kwh" in areas.columns and "heating_need_kwh" not in props
    by_code = {f["properties"]["sector_code"]: f["properties"] for f in doc["features"]}
    for row in areas.to_dict("records"):
        got = by_code[row["sector_code"]]
        for col in ("label_ef_frac", "co2_flemish_kg_co2", "epc_score_mean_kwh_per_m2"):
            assert got[col] == pytest.approx(row[col], rel=1e-9, abs=1e-9)


def test_full_layer_has_every_indicator(client, workspace_dir):
    areas = pd.read_parquet(workspace_dir / "aggregate" / "sector" / "areas.parquet")
    doc = client.get("/api/sectors", params={"full": True}).json()
    assert set(doc["features"][0]["properties"]) == set(areas.columns) - {"geometry"}
    assert client.get("/api/areas/sector", params={"full": True}).json() == doc


def test_gzip_and_etag(client):
    plain = client.get("/api/sectors", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    raw = client.get("/api/sectors", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["vary"] == "Accept-Encoding"
    assert json.loads(raw.content) == json.loads(plain.content)  # httpx decoded the gzip
    assert raw.headers["etag"] != plain.headers["etag"]
    # either tag revalidates either representation
    for tag in (plain.headers["etag"], raw.headers["etag"], "W/" + plain.headers["etag"]):
        r = client.get("/api/sectors", headers={"If-None-Match": tag})
        assert r.status_code == 304
    assert client.get("/api/sectors", headers={"If-None-Match": '"other"'}).status_code == 200
    q0 = client.get("/api/sectors", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in q0.headers


def test_gzip_copy_is_the_body(settings):
    body = get_workspace_for(settings.data_dir).area_body("sector")
    assert gzip.decompress(body.gzipped) == body.raw


def test_simplified_outlines_stay_close_and_valid():
    # a sawtooth edge: teeth of 1 m go, the 50 m square stays
    teeth = [(x, 0.0 if i % 2 == 0 else -1.0) for i, x in enumerate(np.arange(0, 51, 1.0))]
    poly = shapely.Polygon([*teeth, (50, 50), (0, 50)])
    out = simplify_outlines(np.array([poly]))[0]
    assert out.is_valid
    assert shapely.get_num_coordinates(out) < shapely.get_num_coordinates(poly) / 5
    assert shapely.hausdorff_distance(out, poly) <= AREA_MAP_SIMPLIFY_TOLERANCE_M + 1e-9


def test_area_map_columns_keep_frame_order():
    cols = ["geometry", "wijk_code", "heating_need_kwh", "priority_score", "n_dwellings",
            "priority_tenants"]
    assert area_map_columns(cols) == ["wijk_code", "priority_score", "n_dwellings",
                                      "priority_tenants"]


def test_trajectory_bytes_equal_records(client, settings):
    """Every address: the prepared answer equals records() of the stored steps and plan."""
    ws = get_workspace_for(settings.data_dir)
    ws.prepare_trajectories()
    ids = ws.dwellings["adres_id"].astype(str).to_numpy()
    dids = ws.dwellings["dwelling_id"].astype(str).to_numpy()
    checked = 0
    for pos in range(len(ids)):
        got = ws.trajectory_bytes(ids[pos], pos)
        plan = ws.rows_for("plan", dids[pos])
        if plan is None or plan.empty:
            assert got is None
            continue
        doc = json.loads(got)
        assert doc["steps"] == records(ws.rows_for("steps", dids[pos]))
        assert doc["summary"] == records(plan)[0]
        assert doc["basis"] == "standard" and doc["adres_id"] == ids[pos]
        checked += 1
    assert checked > 0
    # and over HTTP, for one address, the same document
    r = client.get(f"/api/addresses/{ids[0]}/trajectory")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["summary"] == json.loads(ws.trajectory_bytes(ids[0], 0))["summary"]


def test_read_routes_prepared_at_start_up(settings):
    """The service prepares the street views, trajectories and map layers in the background
    as it starts, so that the first street or footprint request does not wait seconds."""
    import threading

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.workspace import clear_cache

    clear_cache()
    with TestClient(create_app(settings)) as c:
        for thread in threading.enumerate():
            if thread.name == "wijkreno-warm-reads":
                thread.join(timeout=120)
        ws = get_workspace_for(settings.data_dir)
        assert c.get("/api/health").json()["reads_prepared"] is True
        assert ws.streets_prepared and ws.trajectories_prepared
        assert all(ws.layer_prepared(layer)
                   for layer in ("streets", "buildings", "dwellings", "groups"))
        assert not ws.layer_prepared("buildings_full")  # on request only
        assert c.get("/api/streets/Kerkstraat").status_code == 200


def test_street_page_is_a_slice_of_the_whole_street(client, settings):
    ws = get_workspace_for(settings.data_dir)
    key = ws.find_street("Kerkstraat", None)[0]
    whole = json.loads(ws.street_view_bytes(key))
    assert whole["limit"] is None and len(whole["dwellings"]) == whole["totals"]["n_dwellings"]
    for offset, limit in ((0, 1), (3, 7), (len(whole["dwellings"]) - 2, 50)):
        page = json.loads(ws.street_view_bytes(key, offset, limit))
        assert page["dwellings"] == whole["dwellings"][offset:offset + limit]
        assert {k: v for k, v in page.items() if k not in ("dwellings", "offset", "limit")} == {
            k: v for k, v in whole.items() if k not in ("dwellings", "offset", "limit")}


def test_background_lifespan_starts_the_target_on_the_apps_data_dir(tmp_path):
    import threading
    from types import SimpleNamespace

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from api.workspace import background_lifespan

    seen: list[tuple[object, str]] = []
    done = threading.Event()

    def target(data_dir):
        seen.append((data_dir, threading.current_thread().name))
        done.set()

    app = FastAPI(lifespan=background_lifespan(target, "test-warm"))
    app.state.settings = SimpleNamespace(data_dir=tmp_path)
    with TestClient(app):
        assert done.wait(5)
    assert seen == [(tmp_path, "test-warm")]

    bare = FastAPI(lifespan=background_lifespan(target, "test-warm"))  # no settings: nothing
    with TestClient(bare):
        pass
    assert len(seen) == 1


def test_nis_rows_select_what_a_scan_selects(workspace_dir):
    from api.lekp import municipal_dwellings

    ws = get_workspace_for(workspace_dir)
    codes = ws.dwellings["nis_code"].astype(str)
    assert ws.nis_codes == frozenset(codes.unique()) and ws.nis_codes
    assert sum(len(r) for r in ws.nis_rows.values()) == len(ws.dwellings)
    for nis in ws.nis_codes:
        pd.testing.assert_frame_equal(pd.DataFrame(municipal_dwellings(ws, nis)),
                                      pd.DataFrame(ws.dwellings[codes == nis]))
