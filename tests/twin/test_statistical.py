"""The Flanders-wide statistical stock: counts, sectors, seeding, geometry, simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_data
from wijkreno.errors import InputError
from wijkreno.params.models.statistical_stock import load_statistical_stock_params
from wijkreno.simulate.engine import simulate_dwellings
from wijkreno.simulate.stock import simulate_stock
from wijkreno.twin.imputation import PERIOD_CODES, PERIOD_LABELS
from wijkreno.twin.params import load_twin_params
from wijkreno.twin.statistical import (
    FOOTPRINT_CLASSES,
    STOCK_COLUMNS,
    build_statistical_stock,
    stock_counts,
)


def _gebouwenpark(nis: str, scale: int) -> pd.DataFrame:
    """A small Statbel table: R1 terraced and R4 apartments with known marginals."""
    rows = []

    def add(stat: str, typ: str, value: float) -> None:
        rows.append({"year": 2025, "nis_code": nis, "stat_type": stat, "building_type": typ,
                     "count": float(value)})

    add("T1", "R1", 100 * scale)
    add("T8", "R1", 100 * scale)
    periods = np.zeros(len(PERIOD_CODES))
    periods[0], periods[5] = 60 * scale, 40 * scale
    for code, v in zip(PERIOD_CODES, periods, strict=True):
        add(code, "R1", v)
    for code, v in zip(FOOTPRINT_CLASSES, [0, 50 * scale, 50 * scale, 0], strict=True):
        add(code, "R1", v)
    add("T1", "R4", 5 * scale)
    add("T8", "R4", 40 * scale)
    add("T3.7.4", "R4", 5 * scale)
    add("T1", "R6", 7)  # other buildings: left out of the stock
    add("T8", "R6", 3)
    return pd.DataFrame(rows)


@pytest.fixture
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    geb = pd.concat([_gebouwenpark("11001", 1), _gebouwenpark("44021", 3)], ignore_index=True)
    conn = pd.DataFrame({
        "sector_code": ["11001A00-", "11001B00-", "11001C00-", "44021A00-", "44021B00-"],
        "nis_code": ["11001", "11001", "11001", "44021", "44021"],
        "n_electricity_connections": [70, 30, 0, 200, 100],
        "n_gas_connections": [60, 0, 0, 150, 90],
    })
    return geb, conn


def test_counts_follow_statbel(tables):
    geb, conn = tables
    stock = build_statistical_stock(geb, conn, seed=3)
    assert list(stock.columns) == list(STOCK_COLUMNS)
    assert stock["dwelling_id"].is_unique
    n = stock.groupby(["nis_code", "statbel_type"], observed=True).size()
    assert n[("11001", "R1")] == 100 and n[("11001", "R4")] == 40
    assert n[("44021", "R1")] == 300 and n[("44021", "R4")] == 120
    assert "R6" not in set(stock["statbel_type"].astype(str))
    r1 = stock[(stock["nis_code"] == "11001") & (stock["statbel_type"] == "R1")]
    periods = r1["statbel_period"].astype(str).value_counts()
    assert periods[PERIOD_LABELS["T3.1"]] == 60 and periods[PERIOD_LABELS["T3.6"]] == 40
    assert set(r1["footprint_class"].astype(str)) == {"T4.2", "T4.3"}
    years = r1.loc[r1["statbel_period"] == PERIOD_LABELS["T3.6"], "construction_year"]
    assert years.between(1971, 1981).all()


def test_sectors_follow_electricity_connections(tables):
    geb, conn = tables
    stock = build_statistical_stock(geb, conn, seed=0)
    per_sector = stock["sector_code"].astype(str).value_counts()
    assert per_sector["11001A00-"] == 98 and per_sector["11001B00-"] == 42  # 140 × 0.7 / 0.3
    assert "11001C00-" not in per_sector.index  # no household connection, no dwelling
    assert per_sector["44021A00-"] == 280 and per_sector["44021B00-"] == 140
    # a sector of another municipality never receives this municipality's dwellings
    assert (stock["sector_code"].astype(str).str[:5] == stock["nis_code"].astype(str)).all()


def test_seeded_per_municipality(tables):
    geb, conn = tables
    both = build_statistical_stock(geb, conn, seed=5)
    again = build_statistical_stock(geb, conn, seed=5)
    pd.testing.assert_frame_equal(both, again)
    alone = build_statistical_stock(geb, conn, nis_codes=["44021"], seed=5)
    part = both[both["nis_code"] == "44021"].reset_index(drop=True)
    cols = [c for c in STOCK_COLUMNS if c not in ("nis_code", "sector_code")]
    pd.testing.assert_frame_equal(part[cols], alone[cols])
    other = build_statistical_stock(geb, conn, seed=6)
    assert not other["construction_year"].equals(both["construction_year"])


def test_geometry_from_footprint_class(tables):
    geb, conn = tables
    stock = build_statistical_stock(geb, conn, seed=1)
    p = load_statistical_stock_params()
    tp = load_twin_params()
    ntg = tp.net_to_gross_floor_frac.value
    r1 = stock[(stock["statbel_type"] == "R1") & (stock["footprint_class"] == "T4.2")]
    expected = p.footprint_class_area_m2.values[1] * p.heated_storeys.terraced * ntg
    np.testing.assert_allclose(r1["heated_floor_area_m2"], expected)
    assert (r1["party_wall_area_m2"] > 0).all()
    # an apartment holds the twin's mean apartment area; the building's roof is shared by 8
    apt = stock[stock["statbel_type"] == "R4"]
    np.testing.assert_allclose(apt["heated_floor_area_m2"], tp.apartment_mean_floor_area_m2.value)
    np.testing.assert_allclose(apt["floor_share_frac"], 5 / 40)
    np.testing.assert_allclose(apt["roof_area_m2"], apt["footprint_area_m2"] / 8)
    numeric = stock.select_dtypes("number")
    assert np.isfinite(numeric.to_numpy()).all() and (numeric.to_numpy() >= 0).all()
    # each dwelling's exposed facades: windows + walls equal width/depth × height × share
    assert (stock[[f"window_area_{o}_m2" for o in "nesw"]].sum(axis=1) > 0).all()
    assert stock["heating_system"].notna().all()


def test_simulates_and_partitions_do_not_change_results(tables):
    geb, conn = tables
    stock = build_statistical_stock(geb, conn, seed=2)
    stock.index = stock.index[::-1] + 100  # a non-default index survives
    whole = simulate_dwellings(stock, parallel=False)
    parts = simulate_stock(stock)
    assert parts.index.equals(stock.index)
    assert parts["valid"].all()
    for col in ("final_gas_kwh", "epc_score_kwh_per_m2", "energy_cost_eur"):
        np.testing.assert_allclose(parts[col].to_numpy(), whole[col].to_numpy(), rtol=1e-12)
    assert (parts["nis_code"].astype(str) == stock["nis_code"].astype(str)).all()
    assert parts.attrs["n_partitions"] == 2


def test_bad_inputs(tables):
    geb, conn = tables
    with pytest.raises(InputError, match="lacks"):
        build_statistical_stock(geb.drop(columns="count"), conn)
    with pytest.raises(InputError, match="n_electricity_connections"):
        build_statistical_stock(geb, conn.drop(columns="n_electricity_connections"))
    with pytest.raises(InputError, match="99999"):
        build_statistical_stock(geb, conn, nis_codes=["99999"])
    with pytest.raises(InputError, match="no municipality"):
        build_statistical_stock(geb, conn.assign(nis_code="12345"))


def test_without_connections_sector_is_missing(tables):
    geb, _ = tables
    stock = build_statistical_stock(geb, None, nis_codes=["11001"])
    assert len(stock) == 140 and stock["sector_code"].isna().all()


def test_stock_counts_wide(tables):
    geb, _ = tables
    wide = stock_counts(geb)
    assert wide.loc[("11001", "R4"), "T8"] == 40
    assert np.isnan(wide.loc[("11001", "R4"), "T4.1"])


def test_real_flanders_tables():
    from wijkreno.io.connections import read_residential_connections
    from wijkreno.io.statbel import read_gebouwenpark

    geb = read_gebouwenpark(shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv"))
    conn = read_residential_connections(
        shared_data("fluvius_verbruik_statsec", "fluvius_verbruik_statsec2019_2018_2021.csv"),
        shared_data("flanders_wijken_ggw7", "statsec_hierarchy_2025.csv"), year=2021)
    # every Flemish 2025 municipality of Fluvius' territory is found
    assert conn["nis_code"].nunique() == 285
    assert conn.attrs["unmapped"] == []
    # Beveren-Kruibeke-Zwijndrecht (2025 merger) holds the sectors of its three old codes
    assert {"46003", "46013", "11056"} <= set(conn.loc[conn["nis_code"] == "46030",
                                                        "nis_code_2019"])
    stock = build_statistical_stock(geb, conn, nis_codes=["13002", "46030"], seed=0)
    t8 = geb[(geb["nis_code"] == "13002") & (geb["stat_type"] == "T8")
             & geb["building_type"].isin(["R1", "R2", "R3", "R4", "R5"])]["count"].sum()
    assert (stock["nis_code"] == "13002").sum() == int(t8) == 1415
    baarle = conn[conn["nis_code"] == "13002"]
    assert set(stock.loc[stock["nis_code"] == "13002", "sector_code"].astype(str)) <= set(
        baarle["sector_code"])
    res = simulate_stock(stock)
    assert res["valid"].all()
    label_f = (res["epc_label"].astype(str) == "F").mean()
    assert 0.05 < label_f < 0.6  # about a third of Flemish houses are F (DOMAIN §3)


def test_cli_writes_sector_and_municipality_tables(tmp_path):
    from typer.testing import CliRunner

    from wijkreno.cli import app

    args = [
        "twin", "statistical",
        "--statbel", str(shared_data("statbel_gebouwenpark_2025", "gebouwenpark_2025_long.csv")),
        "--fluvius", str(shared_data("fluvius_verbruik_statsec",
                                     "fluvius_verbruik_statsec2019_2018_2021.csv")),
        "--hierarchy", str(shared_data("flanders_wijken_ggw7", "statsec_hierarchy_2025.csv")),
        "--nis", "13002", "-o", str(tmp_path),
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    sectors = pd.read_parquet(tmp_path / "per_sector.parquet")
    assert sectors["n_dwellings"].sum() == 1415
    assert (sectors["basis_nl"] == "verwacht werkelijk verbruik").all()
    assert (sectors["basis_epc_nl"] == "EPC-berekening (gestandaardiseerd)").all()
    # money on the expected basis next to the standardised one; totals conserved
    assert {"energy_cost_eur", "expected_energy_cost_eur", "priority_score"} <= set(
        sectors.columns)
    muni = pd.read_csv(tmp_path / "per_gemeente.csv", dtype={"nis_code": str})
    np.testing.assert_allclose(muni["expected_energy_cost_eur"].sum(),
                               sectors["expected_energy_cost_eur"].sum(), rtol=1e-9)
    bad = CliRunner().invoke(app, [*args[:-2], "--basis", "metered", "-o", str(tmp_path)])
    assert bad.exit_code == 2


def test_gas_heating_bounded_by_gas_connections(tables):
    geb, conn = tables
    stock = build_statistical_stock(geb, conn, seed=4)
    gas_systems = load_twin_params().heating_from_gas_connections.gas_systems
    gas = stock["heating_system"].astype(str).isin(gas_systems)
    per_sector = gas.groupby(stock["sector_code"].astype(str)).sum()
    # no gas connection, no gas-heated dwelling (11001B00-: 42 dwellings, 0 gas connections)
    assert per_sector["11001B00-"] == 0
    limits = conn.set_index("sector_code")["n_gas_connections"]
    assert (per_sector <= limits.reindex(per_sector.index) * 1.05).all()


def test_dask_partitions_equal_in_process(tables):
    """The Dask path (the pipeline's LocalCluster) gives the tables of the in-process path."""
    distributed = pytest.importorskip("wijkreno.pipeline.distributed",
                                      reason="the pipeline's Dask path is not on this branch")
    from wijkreno.cli.statistical import stock_tables

    geb, conn = tables
    local, s_local = stock_tables(geb, conn, seed=1)
    with distributed.dask_client(workers=2) as client:
        remote, s_remote = stock_tables(geb, conn, seed=1, client=client)
    for key in ("sectors", "municipalities"):
        pd.testing.assert_frame_equal(local[key], remote[key])
    assert s_remote["partitions_on"] == "dask" and s_remote["dwellings"] == s_local["dwellings"]
