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


# --------------------------------------------------------------------------------------------
# heating systems bounded by Fluvius gas connections (issue 11)

GAS = ("gas_boiler", "gas_condensing_boiler", "hybrid_heat_pump")


def _dwellings(n_per_sector: dict[str, int], system: str, period: str = "02") -> pd.DataFrame:
    rows = [(s, system) for s, k in n_per_sector.items() for _ in range(k)]
    return pd.DataFrame({
        "sector_code": [r[0] for r in rows], "heating_system": [r[1] for r in rows],
        "heating_system_source": "imputed", "tabula_period": period,
    }, index=pd.RangeIndex(100, 100 + len(rows)))


def _bound(d: pd.DataFrame, conns: pd.Series, seed: int = 0):
    key, c = imp.gas_connection_areas(d["sector_code"], "13002", conns)
    return imp.bound_gas_heating(d["heating_system"], d["heating_system_source"], key,
                                 d["tabula_period"], c, load_twin_params(),
                                 np.random.default_rng(seed))


def test_no_gas_heating_where_there_are_no_gas_connections():
    d = _dwellings({"13002A000": 40, "13002A10-": 30}, "gas_boiler")
    conns = pd.Series({"13002A000": 0.0, "13002A10-": 12.0})
    out, evidence = _bound(d, conns)
    assert out.index.equals(d.index)
    gas = out.isin(GAS)
    assert not gas[d["sector_code"] == "13002A000"].any()
    assert gas[d["sector_code"] == "13002A10-"].sum() == 12
    assert (evidence == "fluvius_gas_connections").all()
    # the others get a non-gas system of their period's shares
    assert out[~gas].isin(["oil_boiler", "electric_resistance", "heat_pump_air_water",
                           "heat_pump_ground"]).all()


def test_gas_heating_raised_to_the_connections_and_unknown_sectors_left_alone():
    d = _dwellings({"13002A000": 20, "99999X00-": 5}, "oil_boiler")
    conns = pd.Series({"13002A000": 15.0, "13002ZZZZ": 0.0})
    out, evidence = _bound(d, conns)
    assert out[d["sector_code"] == "13002A000"].isin(GAS).sum() == 15
    # a dwelling in a sector Fluvius does not list counts under the municipality's rest:
    # the total (15) minus the matched sectors (15) leaves 0 for it
    assert not out[d["sector_code"] == "99999X00-"].isin(GAS).any()


def test_a_coachs_or_observed_system_wins_over_the_bound():
    d = _dwellings({"13002A000": 10}, "gas_boiler")
    d.loc[d.index[:3], "heating_system_source"] = "observed"
    out, _ = _bound(d, pd.Series({"13002A000": 1.0}))
    assert (out.iloc[:3] == "gas_boiler").all()  # kept even though above the connections
    assert not out.iloc[3:].isin(GAS).any()


def test_gas_dwellings_never_above_connections_by_more_than_5_percent():
    rng = np.random.default_rng(3)
    n = {f"13002A{k:03d}": int(rng.integers(0, 60)) for k in range(30)}
    d = _dwellings(n, "gas_condensing_boiler")
    d["tabula_period"] = rng.choice(["01", "03", "05", "06"], len(d))
    conns = pd.Series({s: float(rng.integers(0, 70)) for s in n})
    out, _ = _bound(d, conns, seed=5)
    per = out.isin(GAS).groupby(d["sector_code"]).sum()
    assert (per <= conns.reindex(per.index) * 1.05).all()


def test_large_footprints_without_addresses_are_not_apartments():
    params = load_twin_params()
    targets = imp.statbel_targets(None, "13002", params)
    limit = params.large_footprint_without_addresses.max_residential_footprint_m2
    idx = pd.RangeIndex(50, 60)
    foot = pd.Series([80, 120, 160, 200, 300, 450, limit + 1, 900, 2000, 5000.0], index=idx)
    said = pd.Series([None] * 9 + [True], index=idx, dtype=object)  # a source: residential
    typ, src, why = imp.impute_special_typologies(
        pd.Series("detached", index=idx), pd.Series("derived", index=idx), foot, foot * 2,
        pd.Series(np.nan, index=idx), targets, params, is_residential=said,
    )
    big = (foot > limit) & ~said.eq(True)
    assert (typ[big] == "non_residential").all()
    assert why[big].str.contains("500 m²").all() and (src[big] == "imputed").all()
    assert typ.loc[59] == "detached" and pd.isna(why.loc[59])  # the source wins
    assert not (typ[foot > limit] == "apartment_building").any()
