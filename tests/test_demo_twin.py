"""End to end: the demo neighbourhood through the real loaders into the twin, checked against
the demo's hidden ground truth and against stored summary figures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.demo_summary import build_demo_twin, twin_summary

STORED = Path(__file__).parent / "data" / "demo_twin_summary.json"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    twin, files = build_demo_twin(tmp_path_factory.mktemp("demo"))
    truth = pd.read_csv(files["truth"], dtype={"gebouw_id": str, "main_gebouw_id": str})
    merged = truth.merge(twin.buildings, on="gebouw_id", suffixes=("_true", ""))
    return twin, merged


def test_roles_match_truth(demo):
    _, m = demo
    assert (m["role"] == m["building_role"]).mean() >= 0.99


def test_typology_floors_heights_match_truth(demo):
    _, m = demo
    main = m[(m["role"] == "main") & (m["building_role"] == "main")]
    residential = main[main["typology_true"] != "non_residential"]
    assert (residential["typology_true"] == residential["typology"].astype(str)).mean() >= 0.98
    assert (main["n_floors_true"] == main["n_floors"]).mean() >= 0.95
    err = (main["height_m"] - main["height_m_true"]).abs()
    assert err.median() < 0.5
    assert (main["height_m_source"] == "observed").all()


def test_every_dwelling_is_an_address(demo):
    twin, _ = demo
    d = twin.dwellings
    assert d["adres_id"].notna().all()
    flats = d[d["typology"] == "apartment_building"]
    assert flats["box_number"].notna().all()
    assert d["sector_code"].notna().all()


def test_summary_matches_stored_figures(demo):
    twin, _ = demo
    stored = json.loads(STORED.read_text())
    got = twin_summary(twin)
    # regenerate with scripts/regenerate_demo_summary.py after a reviewed change
    assert got == stored
