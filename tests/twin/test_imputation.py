"""Imputation: exact allocation to Statbel counts, period and TABULA class boundaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import shared_data
from wijkreno.io.statbel import read_gebouwenpark
from wijkreno.twin import imputation as imp
from wijkreno.twin.params import load_twin_params


@given(st.integers(0, 5000), st.lists(st.floats(0, 1e6), min_size=1, max_size=12))
def test_allocation_sums_to_n_and_stays_within_one_of_the_quota(n, weights):
    counts = imp.allocate_counts(n, np.array(weights))
    assert counts.sum() == n
    assert (counts >= 0).all()
    w = np.array(weights)
    if w.sum() > 0:
        assert np.all(np.abs(counts - n * w / w.sum()) < 1.0 + 1e-9)


def test_period_draw_matches_statbel_counts_exactly_when_sizes_agree():
    params = load_twin_params()
    targets = imp.statbel_targets(None, "13002", params)
    weights = targets.period_counts.loc["R1"].to_numpy()
    n = 1000
    typology = pd.Series(["terraced"] * n)
    blocks = pd.Series(np.arange(n) // 4)
    out = imp.impute_construction_year(typology, blocks, targets, np.random.default_rng(0))
    got = out["statbel_period"].value_counts()
    expected = imp.allocate_counts(n, weights)
    for code, count in zip(imp.PERIOD_CODES, expected, strict=True):
        assert got.get(imp.PERIOD_LABELS[code], 0) == count
        lo, hi = imp.STATBEL_PERIODS[code]
        years = out.loc[out["statbel_period"] == imp.PERIOD_LABELS[code], "construction_year"]
        assert years.between(lo, hi).all()
    # a row of four shares a period more often than chance would give
    same = out.groupby(blocks)["statbel_period"].nunique().eq(1).mean()
    assert same > 0.5


def test_period_labels_and_tabula_boundaries():
    years = pd.Series([1899, 1900, 1945, 1946, 1970, 1971, 1990, 1991, 2005, 2006, 2011, 2012])
    assert list(imp.tabula_period(years)) == [
        "01", "01", "01", "02", "02", "03", "03", "04", "04", "05", "05", "06"]
    assert list(imp.statbel_period_label(years)) == [
        "<1900", "1900-1918", "1919-1945", "1946-1961", "1962-1970", "1971-1981",
        "1982-1991", "1982-1991", "2002-2011", "2002-2011", "2002-2011", ">2011"]


def test_statbel_targets_for_baarle_hertog():
    table = read_gebouwenpark(
        shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv"), nis_code="13002"
    )
    targets = imp.statbel_targets(table, "13002", load_twin_params())
    assert targets.origin == "statbel:13002"
    assert targets.building_counts.to_dict() == {
        "R1": 186, "R2": 394, "R3": 482, "R4": 58, "R5": 54, "R6": 215}
    assert targets.dwelling_counts["R4"] == 289
    assert targets.period_counts.loc["R1", "T3.7.4"] == 32
