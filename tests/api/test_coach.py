"""The coach's routes: streets, the map's footprint, street and group layers, stored
corrections with their audit trail, the printed sheet and street bundle, the map page's
configuration (background map off by default)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

ALL = "3.0,50.0,6.0,52.0"  # larger than the service allows: only for tiny test settings


def _bbox(workspace_dir) -> str:
    import geopandas as gpd

    dw = gpd.read_parquet(workspace_dir / "twin" / "dwellings.parquet").to_crs(4326)
    x0, y0, x1, y1 = dw.total_bounds
    return f"{x0 - 0.001},{y0 - 0.001},{x1 + 0.001},{y1 + 0.001}"


def _street_house(workspace_dir, street: str = "Kerkstraat", nth: int = 2) -> str:
    """An address on ``street`` with a trajectory of two or more steps (the nth such; the
    browser tests correct the street's 5th and 6th houses, so these tests count from the end)."""
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet",
                         columns=["dwelling_id", "adres_id", "street"])
    plan = pd.read_parquet(workspace_dir / "trajectories" / "summary.parquet",
                           columns=["dwelling_id", "n_steps", "valid"])
    both = dw.merge(plan, on="dwelling_id")
    # not the demo register's renovated houses (the register wins over a coach's correction)
    now = pd.read_parquet(workspace_dir / "renovated" / "dwellings.parquet")
    done = now.filter(regex=r"^done_.*_year$").notna().any(axis=1)
    both = both[~both["dwelling_id"].isin(now.loc[done, "dwelling_id"])]
    rows = both[(both["street"] == street) & (both["n_steps"] >= 2) & both["valid"]]
    return str(rows.iloc[nth]["adres_id"])


def test_area_layer_has_ids_names_and_derived_indicators(client):
    fc = client.get("/api/sectors").json()
    ids = [f["id"] for f in fc["features"]]
    assert ids == list(range(len(ids)))  # integers: MapLibre's feature state highlights one
    props = fc["features"][0]["properties"]
    for col in ("area_name", "plan_investment_eur", "plan_saving_kwh_per_dwelling",
                "co2_abatement_cost_eur_per_t", "label_ef_frac", "old_ef_frac"):
        assert col in props, col
    for f in fc["features"]:
        p = f["properties"]
        if p["plan_saving_kwh"] and p["n_dwellings"]:
            assert p["plan_saving_kwh_per_dwelling"] == pytest.approx(
                p["plan_saving_kwh"] / p["n_dwellings"])
        if p["co2_abatement_cost_eur_per_t"] is not None:
            assert p["co2_abatement_cost_eur_per_t"] == pytest.approx(
                p["plan_net_cost_eur"] / (p["plan_saving_co2_flemish_kg_co2"] / 1000 * 30))


def test_streets_list(client, workspace_dir):
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet",
                         columns=["street", "postcode"])
    r = client.get("/api/streets", params={"q": "kerk"})
    assert r.status_code == 200, r.text
    body = r.json()
    names = [s["street"] for s in body["streets"]]
    assert names and all("kerk" in n.lower() for n in names)
    assert names[0].lower().startswith("kerk")  # prefix matches first
    first = body["streets"][0]
    assert first["n_dwellings"] == int(((dw["street"] == first["street"])
                                        & (dw["postcode"].astype(str) == first["postcode"])).sum())
    everything = client.get("/api/streets", params={"limit": 200}).json()
    assert everything["n_streets"] == dw.dropna(subset=["street"]).groupby(
        ["street", "postcode"]).ngroups
    assert sum(s["n_dwellings"] for s in everything["streets"]) == dw["street"].notna().sum()
    assert client.get("/api/streets", params={"q": "zzzz-geen"}).json()["n_streets"] == 0
    assert client.get("/api/streets", params={"limit": 0}).status_code == 422


def test_street_view(client, workspace_dir, settings):
    r = client.get("/api/streets/Kerkstraat")
    assert r.status_code == 200, r.text
    v = r.json()
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet")
    mine = dw[dw["street"] == "Kerkstraat"]
    assert v["totals"]["n_dwellings"] == len(mine)
    # the first page, then the next ones until the street is done: every dwelling once
    size = settings.street_page_size
    assert len(mine) > size, "the demo's Kerkstraat should span pages"
    assert (v["offset"], v["limit"], len(v["dwellings"])) == (0, size, size)
    pages = [v]
    while pages[-1]["offset"] + len(pages[-1]["dwellings"]) < len(mine):
        nxt = client.get("/api/streets/Kerkstraat",
                         params={"offset": pages[-1]["offset"] + size}).json()
        assert nxt["totals"] == v["totals"] and nxt["groups"] == v["groups"]
        pages.append(nxt)
    rows = [d for page in pages for d in page["dwellings"]]
    assert len(rows) == len(mine)
    assert {d["adres_id"] for d in rows} == set(mine["adres_id"].astype(str))
    everything = client.get("/api/streets/Kerkstraat",
                            params={"limit": settings.max_street_page_size}).json()
    assert everything["dwellings"] == rows
    past = client.get("/api/streets/Kerkstraat", params={"offset": len(mine)}).json()
    assert past["dwellings"] == [] and past["totals"] == v["totals"]
    for bad in ({"limit": 0}, {"offset": -1}, {"limit": "x"}):
        assert client.get("/api/streets/Kerkstraat", params=bad).status_code == 422, bad
    r = client.get("/api/streets/Kerkstraat", params={"limit": settings.max_street_page_size + 1})
    assert r.status_code == 400 and "offset" in r.json()["detail"]
    numbers = [int(re.match(r"\d+", d["house_number"]).group()) for d in rows]
    assert numbers == sorted(numbers)  # house-number order, not text order (2 < 10)
    res = pd.read_parquet(workspace_dir / "simulate" / "results.parquet",
                          columns=["dwelling_id", "epc_label", "co2_flemish_kg_co2"])
    res = res[res["dwelling_id"].isin(mine["dwelling_id"])]
    assert v["totals"]["label_ef_frac"] == pytest.approx(res["epc_label"].isin(["E", "F"]).mean())
    assert v["totals"]["co2_flemish_kg_co2"] == pytest.approx(res["co2_flemish_kg_co2"].sum())
    plan = pd.read_parquet(workspace_dir / "trajectories" / "summary.parquet",
                           columns=["dwelling_id", "investment_eur"])
    assert v["totals"]["plan_investment_eur"] == pytest.approx(
        plan[plan["dwelling_id"].isin(mine["dwelling_id"])]["investment_eur"].sum())
    # the groups: two or more dwellings, each with members on this street
    members = pd.read_parquet(workspace_dir / "groups" / "group_members.parquet",
                              columns=["dwelling_id", "group_id"])
    on_street = members[members["dwelling_id"].isin(mine["dwelling_id"])]
    for g in v["groups"]:
        assert g["n_dwellings"] >= 2
        assert g["n_on_street"] == int((on_street["group_id"] == g["group_id"]).sum()) >= 1
        for col in ("net_cost_individual_eur", "net_cost_collective_eur", "burenpremie_eur"):
            assert col in g
    x0, y0, x1, y1 = v["bbox"]
    assert 4.0 < x0 <= x1 < 4.6 and 50.9 < y0 <= y1 < 51.3
    # case and spaces do not matter; an unknown street names the nearest ones
    assert client.get("/api/streets/ kerkSTRAAT ").json()["totals"]["n_dwellings"] == len(mine)
    r = client.get("/api/streets/Kerkstraatje")
    assert r.status_code == 404 and "Kerkstraat" in r.json()["detail"]
    r = client.get("/api/streets/Kerkstraat", params={"postcode": "0000"})
    assert r.status_code == 404


def test_street_lines_and_group_layer(client, workspace_dir):
    box = _bbox(workspace_dir)
    fc = client.get("/api/street-lines", params={"bbox": box}).json()
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet", columns=["street"])
    assert {f["properties"]["street"] for f in fc["features"]} == set(dw["street"].dropna())
    assert sum(f["properties"]["n_dwellings"] for f in fc["features"]) == dw["street"].notna().sum()
    assert {f["geometry"]["type"] for f in fc["features"]} <= {"LineString", "Point"}

    groups = client.get("/api/group-layer", params={"bbox": box}).json()
    table = pd.read_parquet(workspace_dir / "groups" / "groups.parquet",
                            columns=["group_id", "n_dwellings", "net_cost_collective_eur"])
    big = table[table["n_dwellings"] >= 2]
    assert {f["properties"]["group_id"] for f in groups["features"]} == set(big["group_id"])
    f = groups["features"][0]
    assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # what the popup shows (groupPopup in app.js), not every figure of the group
    assert set(f["properties"]) == {"group_id", "group_kind", "n_dwellings",
                                    "burenpremie_eligible", "street", "net_cost_individual_eur",
                                    "net_cost_collective_eur", "burenpremie_eur",
                                    "collective_gain_eur"}
    want = big.set_index("group_id").loc[f["properties"]["group_id"], "net_cost_collective_eur"]
    assert f["properties"]["net_cost_collective_eur"] == pytest.approx(want)
    # footprints in a box carry their label (the map colours them)
    b = client.get("/api/buildings", params={"bbox": box}).json()
    assert any(x["properties"]["epc_label"] for x in b["features"])
    assert client.get("/api/group-layer", params={"bbox": "a,b,c,d"}).status_code == 400


def test_stored_overrides_history_and_note(client, login, users, workspace_dir):
    adres_id = _street_house(workspace_dir, nth=-1)
    assert client.get(f"/api/addresses/{adres_id}/overrides").status_code == 401
    assert client.get(f"/api/addresses/{adres_id}/history").status_code == 401
    other = login("admin02")
    assert other.get(f"/api/addresses/{adres_id}/overrides").status_code == 403
    coach = login("coach99")
    assert coach.get(f"/api/addresses/{adres_id}/overrides").json()["overrides"] == {}
    before = len(coach.get(f"/api/addresses/{adres_id}/history").json()["entries"])

    # a note alone changes nothing in the calculation but is kept and audited
    r = coach.post(f"/api/addresses/{adres_id}/trajectory",
                   json={"note": "Bewoner vraagt offerte dak"})
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == []
    r = coach.post(f"/api/addresses/{adres_id}/trajectory",
                   json={"roof_insulated_year": 2012, "heating_system": "heat_pump_air_water",
                         "tenure": "tenant", "note": "Dak in 2012 geïsoleerd (factuur gezien)"})
    assert r.status_code == 200, r.text
    assert {"u_roof_w_per_m2k", "heating_system"} <= {c["column"] for c in r.json()["changes"]}
    stored = coach.get(f"/api/addresses/{adres_id}/overrides").json()["overrides"]
    assert stored == {"roof_insulated_year": 2012, "heating_system": "heat_pump_air_water",
                      "tenure": "tenant", "note": "Dak in 2012 geïsoleerd (factuur gezien)"}
    viewer = login("viewer99")
    assert viewer.get(f"/api/addresses/{adres_id}/overrides").json()["overrides"] == stored
    hist = viewer.get(f"/api/addresses/{adres_id}/history").json()["entries"]
    assert len(hist) == before + 2
    assert hist[0]["who"] == "coach99" and hist[0]["new_values"] == stored  # newest first
    assert hist[0]["old_values"] == {"note": "Bewoner vraagt offerte dak"}
    state = coach.get(f"/api/addresses/{adres_id}").json()
    assert state["has_overrides"] is True
    r = coach.post(f"/api/addresses/{adres_id}/trajectory", json={"note": "x" * 2001})
    assert r.status_code == 422


def test_print_sheet_with_corrections_and_street_bundle(client, login, users, workspace_dir):
    adres_id = _street_house(workspace_dir, nth=-2)
    standard = client.get(f"/print/{adres_id}")
    assert standard.status_code == 200
    assert client.get(f"/print/{adres_id}", params={"overrides": True}).status_code == 401
    coach = login("coach99")
    r = coach.post(f"/api/addresses/{adres_id}/trajectory",
                   json={"roof_insulated_year": 2016, "wall_insulated_year": 2016,
                         "floor_insulated_year": 2016, "glazing_year": 2016})
    assert r.status_code == 200, r.text
    corrected = coach.get(f"/print/{adres_id}", params={"overrides": True})
    assert corrected.status_code == 200
    assert corrected.text.count('class="page sheet"') == 1
    assert corrected.text != standard.text  # the printed trajectory follows the corrections
    assert f"#adres={adres_id}" in corrected.text  # back to the address on the map

    bundle = client.get("/print/street", params={"name": "Kerkstraat"})
    assert bundle.status_code == 200, bundle.text
    n = client.get("/api/streets/Kerkstraat").json()["totals"]["n_dwellings"]
    assert bundle.text.count('class="page sheet"') == n
    assert "<title>Kerkstraat" in bundle.text and "#straat=Kerkstraat" in bundle.text
    heads = re.findall(r"<h1>Kerkstraat (\d+)", bundle.text)
    assert [int(h) for h in heads] == sorted(int(h) for h in heads)
    # as the printed bundle of the CLI: a cover page with the street's groups, and each
    # grouped dwelling's collective offer on its sheet (the web print had neither)
    assert bundle.text.count('class="page cover"') == 1
    assert "Samen met de buren" in bundle.text and "block-" not in bundle.text
    assert client.get("/print/street", params={"name": "Geenstraat"}).status_code == 404
    assert client.get("/print/street", params={"name": "Kerkstraat",
                                               "overrides": True}).status_code == 401
    mine = coach.get("/print/street", params={"name": "Kerkstraat", "overrides": True})
    assert mine.status_code == 200 and mine.text != bundle.text


def _config(html: str) -> dict:
    return json.loads(re.search(r'id="wijkreno-config"[^>]*>(.*?)</script>', html, re.S).group(1))


def test_map_page_config_and_background_off_by_default(client, app, settings):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.i18n import STRINGS

    r = client.get("/")
    config = _config(r.text)
    assert config["background"] is None
    assert "geo.api.vlaanderen.be" not in r.text
    assert "https:" not in r.headers["content-security-policy"]
    columns = [layer["column"] for layer in config["layers"]]
    assert {"plan_saving_kwh_per_dwelling", "co2_abatement_cost_eur_per_t"} <= set(columns)
    assert all(layer["caption"] for layer in config["layers"])
    assert "30" in next(la["note"] for la in config["layers"]
                        if la["column"] == "co2_abatement_cost_eur_per_t")
    assert sum(c["weight"] for c in config["components"]) == pytest.approx(1.0)
    for c in config["components"]:
        assert f"comp_value_{c['name']}" in STRINGS["nl"]
    assert config["heatingNames"]["heat_pump_air_water"] == "lucht-water warmtepomp"
    assert (config["dwellingMinZoom"], config["streetMinZoom"], config["footprintMinZoom"]) == (
        settings.map_dwelling_min_zoom, settings.map_street_min_zoom,
        settings.map_footprint_min_zoom)

    online = settings.model_copy(update={"map_background": True, "map_dwelling_min_zoom": 14.0,
                                         "map_street_min_zoom": 13.5})
    with TestClient(create_app(online)) as c:
        page = c.get("/")
    cfg = _config(page.text)
    assert cfg["dwellingMinZoom"] == 14.0 and cfg["streetMinZoom"] == 13.5
    assert cfg["background"]["url"].startswith("https://geo.api.vlaanderen.be/")
    assert "{z}" in cfg["background"]["url"] and "Digitaal Vlaanderen" in cfg["background"][
        "attribution"]
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://geo.api.vlaanderen.be" in csp
    assert "connect-src 'self' https://geo.api.vlaanderen.be" in csp
    assert "script-src 'self';" in csp  # the background never widens what may run


def test_dwelling_layer_carries_investment_and_co2(client, workspace_dir):
    fc = client.get("/api/dwellings", params={"bbox": _bbox(workspace_dir)}).json()
    props = pd.DataFrame([f["properties"] for f in fc["features"]])
    plan = pd.read_parquet(workspace_dir / "trajectories" / "summary.parquet",
                           columns=["dwelling_id", "investment_eur"])
    merged = props.merge(plan, on="dwelling_id")
    assert np.allclose(merged["plan_investment_eur"], merged["investment_eur"], equal_nan=True)
    assert props["co2_flemish_kg_co2"].notna().any()


def test_the_service_describes_and_replans_the_dwelling_as_renovated(client, login,
                                                                      workspace_dir):
    # the demo's register: an air-water heat pump in 2024 at Kerkstraat 3 (issue 12)
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet",
                         columns=["adres_id", "street", "house_number", "heating_system"])
    row = dw[(dw["street"] == "Kerkstraat") & (dw["house_number"].astype(str) == "3")].iloc[0]
    assert row["heating_system"] != "heat_pump_air_water"  # the twin as built
    adres_id = str(row["adres_id"])
    state = client.get(f"/api/addresses/{adres_id}").json()
    assert state["twin"]["heating_system"] == "heat_pump_air_water"
    assert state["twin"]["done_heating_year"] == 2024
    # a coach's rerun plans from the state after the works: no heating step again
    coach = login("coach99")
    r = coach.post(f"/api/addresses/{adres_id}/trajectory",
                   json={"note": "warmtepomp 2024 staat in het register"})
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["final_heating_system"] == "heat_pump_air_water"
    assert all(s["dimension"] != "heating" for s in r.json()["steps"])


def test_a_correction_without_a_meter_keeps_the_workspace_basis(client, login, workspace_dir):
    # issue 13 audit: a rerun planned on the standardised EPC basis (bill doubled, heat pump
    # step negative) where the workspace's trajectories plan on the expected use
    adres_id = _street_house(workspace_dir, nth=-3)
    standard = client.get(f"/api/addresses/{adres_id}/trajectory").json()
    assert standard["summary"]["basis"] == "expected"
    coach = login("coach99")
    # a correction that changes nothing the calculation reads: the same plan, the same bill
    r = coach.post(f"/api/addresses/{adres_id}/trajectory",
                   json={"tenure": "owner", "note": "geen meterstand"})
    assert r.status_code == 200, r.text
    mine = r.json()
    assert mine["summary"]["basis"] == "expected"
    assert mine["summary"]["price_year"] == standard["summary"]["price_year"]
    for col in ("current_energy_cost_eur", "final_energy_cost_eur", "saving_eur",
                "investment_eur"):
        assert mine["summary"][col] == pytest.approx(standard["summary"][col], rel=1e-9), col
    assert [s["measure"] for s in mine["steps"]] == [s["measure"] for s in standard["steps"]]
    assert all(s["basis"] == "expected" for s in mine["steps"] if "basis" in s)
    # a real correction replans but stays on the workspace's basis
    r = coach.post(f"/api/addresses/{adres_id}/trajectory", json={"roof_insulated_year": 2015})
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["basis"] == "expected"
