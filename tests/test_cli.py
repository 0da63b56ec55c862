"""The command line: help, exit codes, outputs where -o says."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.twin.fixtures import street, street_addresses
from wijkreno.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sources")
    frame = street()
    bad = gpd.GeoDataFrame(
        {"gebouw_id": ["T0", "SLIVER"]},
        geometry=[frame.geometry.iloc[0], frame.geometry.iloc[0].buffer(-2.99)],
        crs=31370,
    )  # a duplicate id and a sliver under 1 m²
    pd.concat([frame, bad], ignore_index=True).to_file(folder / "gebouwen.gpkg")
    street_addresses().to_file(folder / "adressen.gpkg")
    return folder


@pytest.mark.parametrize("args", [["--help"], ["twin", "--help"], ["twin", "build", "--help"],
                                  ["twin", "schema", "--help"], ["demo", "--help"]])
def test_every_command_has_help(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_build_writes_twin_and_accounts_for_every_row(sources, tmp_path):
    out = tmp_path / "twin"
    result = runner.invoke(app, ["twin", "build", str(sources / "gebouwen.gpkg"), "--nis", "13002",
                                 "--addresses", str(sources / "adressen.gpkg"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("buildings.parquet", "dwellings.parquet", "rejected.csv", "quality.json",
                 "quality/inputs.csv", "quality/typology.csv", "quality/attributes.csv"):
        assert (out / name).exists(), name
    quality = json.loads((out / "quality.json").read_text())
    inputs = {row["input"]: row for row in quality["inputs"]}
    assert inputs["buildings"] == {"input": "buildings", "n_in": 13, "n_kept": 11,
                                   "n_rejected": 2, "n_imputed": 0, "layer": "gebouwen",
                                   "unmapped_columns": ""}
    assert inputs["addresses"]["n_in"] == 14 and inputs["addresses"]["n_rejected"] == 2
    rejected = pd.read_csv(out / "rejected.csv")
    assert len(rejected) == 4
    assert rejected["reason"].str.len().gt(10).all()
    dwellings = gpd.read_parquet(out / "dwellings.parquet")
    assert len(dwellings) == 12 and dwellings.crs.to_epsg() == 31370
    assert quality["metadata"]["n_dwellings"] == 12


def test_bad_input_exits_2_with_a_message(sources, tmp_path):
    result = runner.invoke(app, ["twin", "build", str(tmp_path / "none.gpkg"), "--nis", "13002",
                                 "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    result = runner.invoke(app, ["twin", "build", str(sources / "gebouwen.gpkg"), "--nis",
                                 "Baarle", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "NIS code" in result.output
    result = runner.invoke(app, ["twin", "build", str(sources / "gebouwen.gpkg"), "--nis",
                                 "13002", "--dsm", str(sources / "gebouwen.gpkg"),
                                 "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "DTM" in result.output


def test_schema_command_writes_markdown(tmp_path):
    out = tmp_path / "schema.md"
    result = runner.invoke(app, ["twin", "schema", "-o", str(out)])
    assert result.exit_code == 0
    assert "`party_wall_length_m`" in out.read_text()


def test_download_from_recorded_service_then_build(tmp_path):
    recorded = Path(__file__).parent / "io" / "recorded" / "proefdorp_99001"
    src = tmp_path / "src"
    result = runner.invoke(app, ["twin", "download", "--nis", "99001", "-o", str(src),
                                 "--replay", str(recorded), "--page-size", "3"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["twin", "build", str(src / "gebouwen.gpkg"), "--nis", "99001",
                                 "--addresses", str(src / "adressen.csv"),
                                 "-o", str(tmp_path / "twin")])
    assert result.exit_code == 0, result.output
    quality = json.loads((tmp_path / "twin" / "quality.json").read_text())
    inputs = {row["input"]: row for row in quality["inputs"]}
    assert inputs["buildings"]["n_in"] == 3
    # every address in use becomes a dwelling, linked by the register's own building link
    assert quality["metadata"]["n_dwellings"] == inputs["addresses"]["n_kept"]
    links = {row["link"]: row["addresses"] for row in quality["address_links"]}
    assert links["register"] == inputs["addresses"]["n_kept"]


def test_download_offline_without_recording_is_an_error(tmp_path):
    result = runner.invoke(app, ["twin", "download", "--nis", "99001", "-o", str(tmp_path),
                                 "--replay", str(tmp_path / "missing")])
    assert result.exit_code == 2


def test_demo_runs_the_whole_chain(tmp_path):
    result = runner.invoke(app, ["demo", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("sources/gebouwen.gpkg", "sources/adressen.csv", "twin/buildings.parquet",
                 "twin/dwellings.parquet", "simulate/results.parquet", "simulate/summary.json"):
        assert (tmp_path / name).exists(), name
    summary = json.loads((tmp_path / "simulate" / "summary.json").read_text())
    dwellings = gpd.read_parquet(tmp_path / "twin" / "dwellings.parquet")
    assert summary["n_valid"] == len(dwellings) > 400
    results = gpd.read_parquet(tmp_path / "simulate" / "results.parquet")
    assert set(results["dwelling_id"]) == set(dwellings["dwelling_id"])
    areas = gpd.read_parquet(tmp_path / "aggregate" / "sector" / "areas.parquet")
    assert areas["n_dwellings"].sum() == len(dwellings)
    # the uncertainty ranges reach the areas and the map popups
    assert (areas["co2_flemish_kg_co2_p10"] <= areas["co2_flemish_kg_co2_p90"]).all()
    page = (tmp_path / "aggregate" / "sector" / "kaart.html").read_text(encoding="utf-8")
    assert "bereik p10" in page
    assert (tmp_path / "aggregate" / "sector" / "kaart_priority_score.png").stat().st_size > 30_000
    assert "Prioritaire sectoren" in (tmp_path / "samenvatting.md").read_text(encoding="utf-8")
    # a per-sector income table adds the income proxy of energy poverty
    income = tmp_path / "inkomen.csv"
    codes = sorted(areas["sector_code"].dropna())
    income.write_text("sector_code,income_eur\n" + "".join(
        f"{c},{20_000 + 1_000 * i}\n" for i, c in enumerate(codes)))
    result = runner.invoke(app, ["aggregate", str(tmp_path / "twin"), "--results",
                                 str(tmp_path / "simulate"), "--sector-income", str(income),
                                 "-o", str(tmp_path / "agg_income")])
    assert result.exit_code == 0, result.output
    with_income = pd.read_csv(tmp_path / "agg_income" / "sector" / "areas.csv")
    assert with_income.set_index("sector_code").loc[codes[0], "income_eur"] == 20_000
    bad = tmp_path / "bad.csv"
    bad.write_text("code,inkomen\n")
    result = runner.invoke(app, ["aggregate", str(tmp_path / "twin"), "--results",
                                 str(tmp_path / "simulate"), "--sector-income", str(bad),
                                 "-o", str(tmp_path / "agg_bad")])
    assert result.exit_code == 2 and "income_eur" in result.output
