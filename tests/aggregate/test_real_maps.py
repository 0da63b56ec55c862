"""Real data: Genk's addresses aggregated to its wijken by name, the Baarle-Hertog twin to its
municipality and wijken; both maps rendered and checked (skipped when ../shared/data is absent)."""

from __future__ import annotations

import json
import logging
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_data
from tests.maps.test_maps import check_classes
from wijkreno.aggregate.areas import (
    aggregate_dwellings,
    assign_areas,
    assign_areas_by_name,
    merge_areas,
)
from wijkreno.aggregate.dwelling_results import assemble_dwelling_results
from wijkreno.aggregate.priority import priority_score
from wijkreno.io.genk import read_genk_teaser
from wijkreno.maps import render_html, render_png, write_area_files
from wijkreno.simulate.engine import simulate_dwellings

log = logging.getLogger(__name__)

# The TEASER set names neighbourhoods in English. Unambiguous translations are aliases; where
# a source neighbourhood spans several of Genk's wijken (Winterslag = "Winterslag 1" and
# "Winterslag 2 en 4"; Termien East/West = Oud- and Nieuw-Termien; Waterschei's garden city
# within Oud-Waterschei, Waterschei-Noord and -Zuid) the wijken are merged (merge_areas)
# instead of guessing which wijk each address lies in.
GENK_MERGES = {
    "Winterslag": ["71016W28", "71016W29"],
    "Termien": ["71016W18", "71016W22"],
    "Waterschei": ["71016W23", "71016W26", "71016W27"],
}
GENK_ALIASES = {
    "ZwartbergSouth": "Zwartberg-Zuid",
    "ZwartbergNEast": "Zwartberg-Noord",
    "ZwartbergNWest": "Zwartberg-Noord",
    "Winterslag": "71016W28+71016W29",
    "TermienEast": "71016W18+71016W22",
    "TermienWest": "71016W18+71016W22",
    "WaterscheiGarden": "71016W23+71016W26+71016W27",
}


def _wijken() -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data("flanders_wijken_ggw7", "ggw7_wijken.gpkg"))


def _with_priority(agg: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    prio = priority_score(agg)
    out = agg.join(prio)
    out.attrs = {**agg.attrs, **prio.attrs}
    return out


def _check_maps(frame, column, tmp_path, dwellings=None):
    classes = render_png(frame, column, tmp_path / "kaart.png", points=dwellings)
    assert (tmp_path / "kaart.png").stat().st_size > 30_000
    drawn = frame[frame.geometry.notna()]
    check_classes(drawn, column, classes)
    page = render_html(frame, tmp_path / "kaart.html", dwellings=dwellings).read_text("utf-8")
    data = json.loads(re.search(r'type="application/json">(.*?)</script>', page, re.S).group(1))
    assert len(data["areas"]["features"]) == len(drawn)
    paths = write_area_files(frame, tmp_path)
    geojson = json.loads(paths["geojson"].read_text(encoding="utf-8"))
    assert len(geojson["features"]) == len(drawn)
    return classes


@pytest.mark.realdata
def test_genk_by_wijk_name(tmp_path):
    genk = read_genk_teaser(shared_data("genk_teaser_buildings"))
    results = simulate_dwellings(genk)
    table = genk.join(results[["epc_score_kwh_per_m2", "epc_label", "primary_energy_kwh",
                               "co2_flemish_kg_co2", "co2_com_kg_co2", "energy_cost_eur",
                               "valid"]])
    wijken = _wijken()
    genk_wijken = wijken[wijken["geoitem"].str.startswith("71016")]
    assert len(genk_wijken) == 31
    genk_wijken = merge_areas(genk_wijken, GENK_MERGES)
    assert len(genk_wijken) == 31 - 7 + 3
    table, report = assign_areas_by_name(table, genk_wijken, name_column="neighbourhood",
                                         aliases=GENK_ALIASES)
    # every neighbourhood name is matched: by name or by an alias listed above
    assert set(report["source_name"]) == set(genk["neighbourhood"])
    assert report["match"].isin(["name", "alias"]).all(), report
    assert report.set_index("source_name").loc["Boxbergheide", "match"] == "name"
    assert report.set_index("source_name").loc["OudWinterslag", "match"] == "name"
    assert table["wijk_code"].notna().all()

    agg = aggregate_dwellings(table, by="wijk_code", areas=genk_wijken)
    assert agg["n_dwellings"].sum() == 7775
    assert agg.attrs["n_unassigned"] == 0
    named = agg.set_index("wijk_code")
    assert set(named.index) == {"71016W02", "71016W24", "71016W30", "71016W31",
                                "71016W28+71016W29", "71016W18+71016W22",
                                "71016W23+71016W26+71016W27"}
    assert named.loc["71016W30", "n_dwellings"] == 910  # Zwartberg-Noord: NEast + NWest
    assert named.loc["71016W18+71016W22", "n_dwellings"] == 519 + 350
    assert named.loc["71016W02", "area_name"] == "Boxbergheide (Genk)"
    assert (named["epc_score_mean_kwh_per_m2"].between(100, 900)).all()
    assert np.isclose(agg["co2_flemish_kg_co2"].sum(), table["co2_flemish_kg_co2"].sum())
    frame = _with_priority(agg)
    classes = _check_maps(frame, "epc_score_mean_kwh_per_m2", tmp_path)
    assert (classes.classes >= 0).sum() == 7


@pytest.mark.realdata
def test_baarle_hertog_municipality_and_wijken(tmp_path):
    from wijkreno.pipeline import TwinInputs, build_twin_from_files

    twin = build_twin_from_files(TwinInputs(
        buildings=shared_data("baarle_hertog_buildings", "baarle_hertog_gebouwen.gpkg"),
        nis_code="13002",
        gebouwenpark=shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv"),
        boundary=shared_data("flanders_wijken_ggw7", "ggw7_wijken.gpkg"),
        seed=0,
    ))
    results = simulate_dwellings(twin.dwellings)
    table = assemble_dwelling_results(twin.dwellings, results)
    wijken = _wijken()
    baarle = wijken[wijken["geoitem"].str.startswith("13002")]
    municipality = baarle.dissolve().assign(nis_code="13002", naam="Baarle-Hertog")[
        ["nis_code", "naam", "geometry"]]
    agg = aggregate_dwellings(table, by="nis_code", areas=municipality)
    assert len(agg) == 1 and agg["nis_code"].iloc[0] == "13002"
    assert agg["n_dwellings"].iloc[0] == len(twin.dwellings) > 1000
    assert agg["area_name"].iloc[0] == "Baarle-Hertog"
    # EPW conventions (issue 11): about a quarter below the TABULA-convention bounds of
    # tests/simulate/test_plausibility_baarle.py (296 kWh/m2 on 2026-12-06; see there)
    assert 250 <= agg["epc_score_mean_kwh_per_m2"].iloc[0] <= 520
    assert agg["imputed_inputs_frac"].iloc[0] == pytest.approx(1.0)
    frame = _with_priority(agg)
    assert frame["priority_rank"].iloc[0] == 1
    muni_dir = tmp_path / "gemeente"
    muni_dir.mkdir()
    _check_maps(frame, "label_ef_frac", muni_dir, dwellings=table)

    by_wijk = assign_areas(table, baarle, "wijk_code")
    wagg = aggregate_dwellings(by_wijk, by="wijk_code", areas=baarle)
    assert wagg["n_dwellings"].sum() == len(table)
    assert set(wagg["wijk_code"].dropna()) <= set(baarle["geoitem"])
    for col in ("co2_flemish_kg_co2", "co2_com_kg_co2", "primary_energy_kwh", "n_label_f"):
        assert wagg[col].sum() == pytest.approx(agg[col].sum(), rel=1e-9)
    wijk_dir = tmp_path / "wijken"
    wijk_dir.mkdir()
    classes = _check_maps(_with_priority(wagg), "priority_score", wijk_dir, dwellings=by_wijk)
    assert (classes.classes >= 0).sum() == wagg["wijk_code"].notna().sum()
    pd.testing.assert_index_equal(by_wijk.index, table.index)
