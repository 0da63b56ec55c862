"""Map files, PNG choropleth and the offline HTML map; the aggregate and map commands."""

from __future__ import annotations

import json
import re
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import typer
from matplotlib.image import imread
from shapely.geometry import Point, box
from typer.testing import CliRunner

from wijkreno.aggregate.areas import aggregate_dwellings
from wijkreno.aggregate.priority import priority_score
from wijkreno.maps import classify_areas, render_html, render_png, write_area_files


def check_classes(frame: pd.DataFrame, column: str, classes) -> None:
    """Every area's value lies within its class's bounds."""
    values = frame[column].to_numpy(dtype=float)
    for v, c in zip(values, classes.classes.to_numpy(), strict=True):
        if not np.isfinite(v):
            assert c == -1
            continue
        assert 0 <= c < len(classes.bins)
        assert v <= classes.bins[c] + 1e-9
        assert v >= (classes.lower if c == 0 else classes.bins[c - 1]) - 1e-9


@pytest.fixture(scope="module")
def case() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(3)
    n = 240
    cells = [box(150_000 + x * 100, 200_000 + y * 100, 150_100 + x * 100, 200_100 + y * 100)
             for x in range(4) for y in range(3)]
    cell = rng.integers(0, len(cells), n)
    pts = [Point(cells[c].centroid.x + rng.uniform(-40, 40), cells[c].centroid.y
                 + rng.uniform(-40, 40)) for c in cell]
    labels = np.array(["A", "B", "C", "D", "E", "F"])[rng.integers(0, 6, n)]
    table = gpd.GeoDataFrame({
        "sector_code": [f"99001A{c:02d}-" for c in cell], "nis_code": "99001",
        "epc_label": labels, "epc_score_kwh_per_m2": rng.uniform(50, 700, n),
        "construction_year": rng.integers(1900, 2020, n), "valid": True,
        "co2_flemish_kg_co2": rng.uniform(1000, 9000, n), "street": "Teststraat",
        "house_number": [str(i) for i in range(n)],
    }, geometry=pts, crs=31370)
    polys = gpd.GeoDataFrame({"CD_SECTOR": [f"99001A{c:02d}-" for c in range(len(cells))],
                              "TX_SECTOR_DESCR_NL": [f"Sector {c}" for c in range(len(cells))]},
                             geometry=cells, crs=31370)
    agg = aggregate_dwellings(table, by="sector_code", areas=polys)
    prio = priority_score(agg)
    out = agg.join(prio)
    out.attrs = {**agg.attrs, **prio.attrs}
    out["epc_score_mean_kwh_per_m2_p10"] = out["epc_score_mean_kwh_per_m2"] - 20
    out["epc_score_mean_kwh_per_m2_p90"] = out["epc_score_mean_kwh_per_m2"] + 30
    return out, table


def test_area_files(case, tmp_path):
    areas, _ = case
    paths = write_area_files(areas, tmp_path)
    back = gpd.read_parquet(paths["parquet"])
    assert back.crs.to_epsg() == 31370 and len(back) == len(areas)
    geojson = json.loads(paths["geojson"].read_text(encoding="utf-8"))
    assert len(geojson["features"]) == len(areas)
    props = geojson["features"][0]["properties"]
    assert {"sector_code", "priority_score", "priority_rank", "label_ef_frac"} <= set(props)
    lon, lat = np.array(geojson["features"][0]["geometry"]["coordinates"][0]).T
    # Lambert 72 x = 150 km is the central meridian 4.367° E; Brussels (50.85° N) lies at
    # y ≈ 170 km, so y = 200 km is about 30 km (0.27°) further north
    assert (abs(lon - 4.37) < 0.01).all() and (abs(lat - 51.12) < 0.03).all()
    csv = pd.read_csv(paths["csv"], dtype={"sector_code": str})
    assert len(csv) == len(areas) and "geometry" not in csv.columns
    assert csv["n_dwellings"].sum() == 240


@pytest.mark.parametrize("scheme", ["NaturalBreaks", "Quantiles"])
def test_png_choropleth(case, tmp_path, scheme):
    areas, table = case
    path = tmp_path / "kaart.png"
    classes = render_png(areas, "priority_score", path, title="Test", scheme=scheme, k=5,
                         points=table)
    assert path.stat().st_size > 30_000
    image = imread(path)
    assert image.shape[0] == 1200 and image.shape[1] == 1500  # 10 x 8 in at 150 dpi
    assert image[..., :3].std() > 0.05  # not a blank canvas
    assert len(classes.bins) == 5
    check_classes(areas, "priority_score", classes)
    assert set(classes.classes) <= set(range(5))


def test_classes_with_few_values():
    frame = pd.DataFrame({"x": [3.0, 3.0, np.nan]})
    classes = classify_areas(frame, "x", k=5)
    assert classes.classes.tolist() == [0, 0, -1]
    check_classes(frame, "x", classes)


def test_html_is_self_contained(case, tmp_path):
    areas, table = case
    path = render_html(areas, tmp_path / "kaart.html", dwellings=table,
                       title="Prioriteiten <test>")
    page = path.read_text(encoding="utf-8")
    js = resources.files("wijkreno.maps").joinpath("static/maplibre-gl/maplibre-gl.js")
    assert js.read_text("utf-8")[:2000] in page  # MapLibre inlined verbatim
    assert "sourceMappingURL" not in page
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page)
    assert "Prioriteiten &lt;test&gt;" in page  # title escaped
    data = json.loads(re.search(r'<script id="wijkreno-data" type="application/json">(.*?)'
                                r"</script>", page, re.S).group(1))
    assert len(data["areas"]["features"]) == len(areas)
    assert len(data["dwellings"]["features"]) == 240
    assert [x["column"] for x in data["layers"]] == [
        "priority_score", "epc_score_mean_kwh_per_m2", "label_ef_frac"]
    popup = data["areas"]["features"][0]["properties"]["_popup"]
    assert "Prioriteitsscore" in popup and "bereik p10–p90" in popup
    assert "Waarom deze score" in popup
    for i, layer in enumerate(data["layers"]):
        cls = [f["properties"][f"_c{i}"] for f in data["areas"]["features"]]
        assert set(cls) <= set(range(len(layer["colours"])))


def test_cli_aggregate_and_map(tmp_path):
    from tests.demo_summary import build_demo_twin
    from wijkreno.cli.aggregate import aggregate
    from wijkreno.cli.map import map_
    from wijkreno.io.twin_store import write_twin
    from wijkreno.simulate.engine import simulate_dwellings

    twin, files = build_demo_twin(tmp_path)
    write_twin(tmp_path / "twin", twin.buildings, twin.dwellings, twin.rejected, twin.quality)
    results = simulate_dwellings(twin.dwellings)
    (tmp_path / "sim").mkdir()
    gpd.GeoDataFrame(results, geometry=twin.dwellings.geometry.to_numpy(),
                     crs=31370).to_parquet(tmp_path / "sim" / "results.parquet")
    app = typer.Typer()
    app.command("aggregate")(aggregate)
    app.command("map")(map_)
    runner = CliRunner()
    res = runner.invoke(app, ["aggregate", str(tmp_path / "twin"), "--results",
                              str(tmp_path / "sim"), "--areas", str(files["sectors"]),
                              "-o", str(tmp_path / "agg")])
    assert res.exit_code == 0, res.output
    level = tmp_path / "agg" / "sector"
    ranking = pd.read_csv(level / "priority.csv", dtype={"sector_code": str})
    assert ranking["priority_rank"].tolist() == sorted(ranking["priority_rank"].tolist())
    assert ranking["n_dwellings"].sum() == len(twin.dwellings)
    assert {"priority_label_ef", "priority_energy_poverty"} <= set(ranking.columns)
    res = runner.invoke(app, ["map", str(level), "--format", "both", "--k", "3"])
    assert res.exit_code == 0, res.output
    assert (level / "kaart_priority_score.png").stat().st_size > 30_000
    assert (level / "kaart.html").stat().st_size > 1_000_000
    bad = runner.invoke(app, ["aggregate", str(tmp_path / "twin"), "--results",
                              str(tmp_path / "sim"), "--level", "wijk", "-o",
                              str(tmp_path / "x")])
    assert bad.exit_code == 2
    assert "--areas" in bad.output
