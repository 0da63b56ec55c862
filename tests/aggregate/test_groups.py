"""Collective renovation groups: known synthetic neighbourhood, partition, ids, errors."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.twin.fixtures import street, street_addresses
from wijkreno.aggregate.groups import GROUP_KINDS, find_groups, load_collective_params
from wijkreno.errors import CRSError, InputError
from wijkreno.twin.build import build_twin


def _neighbourhood() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Hand-made twin tables with a known answer (x in metres along one street, y = 0).

    - building A (apartment, 4 dwellings) at x=0;
    - block 1: terraced row of 4 houses at x=100..118, all period 02;
    - block 2: semi-detached pair at x=200, 206 (period 02) and block 3: another pair at
      x=240, 246 (period 02): same street, class 'attached', within 50 m -> one street cluster;
    - block 4: a pair at x=260, 266 but period 04 -> not in that cluster: a 'block' alone;
    - detached houses (own block each) at x=400, 430, 460 (period 01 and 02 -> both
      'before_1971') -> a cluster; one at 600 (far) -> single;
    - a detached house at x=430, y=10 on another street -> single;
    - a house without street next to the row's pair -> single.
    """
    rows = []  # dwelling_id, gebouw_id, block, x, street, typology, period

    def add(did, geb, block, x, street_="Dorpsstraat", typ="terraced", per="02", y=0.0):
        rows.append((did, geb, block, x, y, street_, typ, per))

    for k in range(4):
        add(f"A-{k}", "A", 10, 0.0, typ="apartment_building", per="03")
    for k in range(4):
        add(f"T{k}", f"T{k}", 1, 100.0 + 6 * k)
    add("S0", "S0", 2, 200.0, typ="semi_detached")
    add("S1", "S1", 2, 206.0, typ="semi_detached")
    add("S2", "S2", 3, 240.0, typ="semi_detached")
    add("S3", "S3", 3, 246.0, typ="semi_detached")
    add("P0", "P0", 4, 260.0, typ="semi_detached", per="04")
    add("P1", "P1", 4, 266.0, typ="semi_detached", per="04")
    add("D0", "D0", 20, 400.0, typ="detached", per="01")
    add("D1", "D1", 21, 430.0, typ="detached", per="02")
    add("D2", "D2", 22, 460.0, typ="detached", per="02")
    add("D3", "D3", 23, 600.0, typ="detached", per="02")
    add("E0", "E0", 24, 430.0, street_="Kerkweg", typ="detached", per="02", y=10.0)
    add("N0", "N0", 25, 210.0, street_=None, typ="detached", per="02", y=5.0)
    did, geb, block, xs, ys, streets, typ, per = zip(*rows, strict=True)
    dwellings = gpd.GeoDataFrame(
        {"dwelling_id": did, "gebouw_id": geb, "street": pd.array(streets, dtype="string"),
         "typology": typ, "tabula_period": per},
        geometry=shapely.points(xs, ys), crs=31370,
    )
    b = pd.DataFrame({"gebouw_id": geb, "block_id": block}).drop_duplicates("gebouw_id")
    return b, dwellings


EXPECTED = {
    "A-0": ("apartment-A", "apartment_building", 4),
    "T0": ("block-1", "block", 4),
    "S0": ("street-S0", "street_cluster", 4),
    "S3": ("street-S0", "street_cluster", 4),
    "P0": ("block-4", "block", 2),
    "D0": ("street-D0", "street_cluster", 3),
    "D2": ("street-D0", "street_cluster", 3),
    "D3": ("single-D3", "single", 1),
    "E0": ("single-E0", "single", 1),
    "N0": ("single-N0", "single", 1),
}


def test_known_neighbourhood_gives_expected_groups():
    buildings, dwellings = _neighbourhood()
    g = find_groups(buildings, dwellings).set_index("dwelling_id")
    for did, (gid, kind, size) in EXPECTED.items():
        assert (g.loc[did, "group_id"], g.loc[did, "group_kind"], g.loc[did, "group_size"]) \
            == (gid, kind, size), did
    assert set(g["group_kind"]) <= set(GROUP_KINDS)


def test_groups_are_a_partition_and_sizes_add_up():
    buildings, dwellings = _neighbourhood()
    g = find_groups(buildings, dwellings)
    assert g.index.equals(dwellings.index)
    assert g["group_id"].notna().all()
    assert len(g) == len(dwellings) and g["dwelling_id"].is_unique
    sizes = g.groupby("group_id")["group_size"].agg(["first", "size"])
    assert (sizes["first"] == sizes["size"]).all()
    assert sizes["size"].sum() == len(dwellings)


def test_gap_threshold_is_a_parameter():
    buildings, dwellings = _neighbourhood()
    p = load_collective_params()
    tight = p.model_copy(update={"groups": p.groups.model_copy(update={
        "street_max_gap_m": p.groups.street_max_gap_m.model_copy(update={"value": 20.0})})})
    g = find_groups(buildings, dwellings, params=tight).set_index("dwelling_id")
    # the two pairs 34 m apart are now separate blocks; detached houses 30 m apart: singles
    assert g.loc["S0", "group_id"] == "block-2" and g.loc["S2", "group_id"] == "block-3"
    assert g.loc["D0", "group_kind"] == "single"


def test_ids_survive_row_permutation_and_index():
    buildings, dwellings = _neighbourhood()
    a = find_groups(buildings, dwellings).set_index("dwelling_id")
    perm = dwellings.sample(frac=1.0, random_state=3)
    perm.index = perm.index + 1000
    b = find_groups(buildings, perm)
    assert b.index.equals(perm.index)
    b = b.set_index("dwelling_id").loc[a.index]
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 500), st.integers(0, 2), st.integers(0, 5),
                          st.sampled_from(["terraced", "detached", "semi_detached"]),
                          st.sampled_from(["01", "03", "06"])), min_size=1, max_size=40))
def test_partition_property(rows):
    xs, street_i, block, typ, per = zip(*rows, strict=True)
    n = len(rows)
    dw = gpd.GeoDataFrame(
        {"dwelling_id": [f"d{i}" for i in range(n)], "gebouw_id": [f"b{i}" for i in range(n)],
         "street": [f"s{s}" for s in street_i], "typology": typ, "tabula_period": per},
        geometry=shapely.points(np.array(xs), np.zeros(n)), crs=31370)
    b = pd.DataFrame({"gebouw_id": dw["gebouw_id"], "block_id": np.array(block) - 1})
    g = find_groups(b, dw)
    assert len(g) == n and g["group_id"].notna().all()
    counts = g["group_id"].value_counts()
    assert (g["group_size"].to_numpy() == counts.reindex(g["group_id"]).to_numpy()).all()
    # every block (block_id >= 0) lies within one group
    blocks = pd.DataFrame({"block": b["block_id"].to_numpy(), "g": g["group_id"].to_numpy()})
    assert (blocks[blocks["block"] >= 0].groupby("block")["g"].nunique() == 1).all()


def test_twin_fixture_street():
    twin = build_twin(street(), nis_code="13002", addresses=street_addresses(), seed=1)
    g = find_groups(twin.buildings, twin.dwellings).set_index("dwelling_id")
    assert (g.loc[[f"a-T{k}" for k in range(5)], "group_id"] == g.loc["a-T0", "group_id"]).all()
    assert g.loc["a-T0", "group_kind"] == "block" and g.loc["a-T0", "group_size"] == 5
    assert set(g.loc[[f"a-A0-{b}" for b in range(1, 5)], "group_kind"]) == {
        "apartment_building"}
    assert g.loc["a-S0", "group_id"] == g.loc["a-S1", "group_id"]
    assert g.loc["a-D0", "group_kind"] == "single"


def test_empty_and_bad_inputs():
    buildings, dwellings = _neighbourhood()
    empty = find_groups(buildings, dwellings.iloc[:0])
    assert len(empty) == 0 and "group_id" in empty.columns
    with pytest.raises(CRSError, match="to_crs"):
        find_groups(buildings, dwellings.to_crs(4326))
    with pytest.raises(InputError, match="street"):
        find_groups(buildings, dwellings.drop(columns="street"))
    with pytest.raises(InputError, match="block_id"):
        find_groups(buildings.drop(columns="block_id"), dwellings)


def test_parameter_file_is_validated(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text('version = "1"\n', encoding="utf-8")
    with pytest.raises(InputError, match="collective.toml"):
        load_collective_params(bad)
    p = load_collective_params()
    assert p.volume_discount.discount_frac(np.array([1, 10, 10_000])) == pytest.approx(
        [0.0, 0.10, 0.15])
