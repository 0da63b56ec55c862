"""The twin build on small synthetic neighbourhoods with known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.twin.fixtures import street, street_addresses
from wijkreno.errors import CRSError, InputError
from wijkreno.twin.build import build_twin
from wijkreno.twin.schema import BUILDINGS, DWELLINGS, validate_table


def _gebouwenpark(nis: str, t1: dict[str, float], t8: dict[str, float]) -> pd.DataFrame:
    rows = []
    for r, v in t1.items():
        rows.append((2025, nis, "T1", r, v))
        rows.append((2025, nis, "T8", r, t8.get(r, v)))
        # all buildings of the type in 1946-1961
        for code in ("T3.1", "T3.2", "T3.3", "T3.4", "T3.5", "T3.6",
                     "T3.7.1", "T3.7.2", "T3.7.3", "T3.7.4"):
            rows.append((2025, nis, code, r, v if code == "T3.4" else 0.0))
    return pd.DataFrame(rows, columns=["year", "nis_code", "stat_type", "building_type", "count"])


@pytest.fixture(scope="module")
def twin_no_addresses():
    return build_twin(street(), nis_code="13002", seed=1)


@pytest.fixture(scope="module")
def twin_with_addresses():
    return build_twin(street(), nis_code="13002", addresses=street_addresses(), seed=1)


def test_roles_and_typology_from_geometry(twin_no_addresses):
    b = twin_no_addresses.buildings.set_index("gebouw_id")
    assert b.loc["D0v", "building_role"] == "annex"
    assert b.loc["D0v", "main_gebouw_id"] == "D0"
    assert b.loc["D0s", "building_role"] == "annex"
    assert pd.isna(b.loc["D0s", "main_gebouw_id"])
    assert list(b.loc[["T1", "T2", "T3"], "typology"]) == ["terraced"] * 3
    # Statbel's R2 'halfopen': one side attached, so the ends of a row are semi-detached
    assert list(b.loc[["T0", "T4", "S0", "S1"], "typology"]) == ["semi_detached"] * 4
    assert b.loc["D0", "typology"] == "detached"
    assert (b.loc[["T0", "T1", "T2", "T3", "T4"], "block_id"].nunique()) == 1
    assert b.loc["T2", "party_wall_length_m"] == pytest.approx(20.0, abs=0.05)
    assert b.loc["D0", "annex_wall_length_m"] == pytest.approx(6.0, abs=0.05)
    # annexes are unheated and hold no dwelling
    assert b.loc["D0v", "heated_floor_area_m2"] == 0
    assert b.loc["D0v", "n_dwellings"] == 0


def test_without_addresses_every_house_gets_one_imputed_dwelling(twin_no_addresses):
    b = twin_no_addresses.buildings.set_index("gebouw_id")
    d = twin_no_addresses.dwellings
    houses = ["T0", "T1", "T2", "T3", "T4", "S0", "S1", "D0"]
    assert (b.loc[houses, "n_dwellings"] == 1).all()
    assert (b.loc[houses, "n_dwellings_source"] == "imputed").all()
    assert sorted(d["gebouw_id"]) == sorted(
        b.index[b["n_dwellings"] > 0].repeat(b.loc[b["n_dwellings"] > 0, "n_dwellings"])
    )
    assert d["dwelling_id"].str.endswith("/w1").all()
    assert d["adres_id"].isna().all()


def test_apartments_imputed_from_statbel_share_and_dwellings_calibrated():
    # a municipality where 1 building in 9 is an apartment building with 6 dwellings on average
    gp = _gebouwenpark("13002", {"R1": 3, "R2": 4, "R3": 1, "R4": 1, "R5": 0, "R6": 0},
                       {"R4": 6})
    twin = build_twin(street(), nis_code="13002", gebouwenpark=gp, seed=3)
    b = twin.buildings.set_index("gebouw_id")
    assert b.loc["A0", "typology"] == "apartment_building"
    assert b.loc["A0", "typology_source"] == "imputed"
    assert b.loc["A0", "n_dwellings"] == 6
    flats = twin.dwellings[twin.dwellings["gebouw_id"] == "A0"]
    assert len(flats) == 6
    assert flats["floor_share_frac"].sum() == pytest.approx(1.0)
    # every main building drawn in Statbel's only period
    main = b[b["building_role"] == "main"]
    assert main["construction_year"].between(1946, 1961).all()
    assert (twin.dwellings["tabula_period"] == "02").all()


def test_addresses_link_count_and_reject(twin_with_addresses):
    twin = twin_with_addresses
    b = twin.buildings.set_index("gebouw_id")
    assert b.loc["A0", "typology"] == "apartment_building"
    assert b.loc["A0", "typology_source"] == "derived"
    assert b.loc["A0", "n_dwellings"] == 4
    assert b.loc["A0", "n_dwellings_source"] == "observed"
    assert b.loc["S1", "n_addresses"] == 1  # snapped from 3 m in front of the facade
    d = twin.dwellings
    assert len(d) == 12
    assert set(d["adres_id"]) == {f"a-T{k}" for k in range(5)} | {"a-S0", "a-S1", "a-D0"} | {
        f"a-A0-{k}" for k in range(1, 5)}
    assert sorted(d.loc[d["gebouw_id"] == "A0", "box_number"]) == ["1", "2", "3", "4"]
    rej = twin.rejected.set_index("id")
    assert set(rej.index) == {"a-old", "a-void"}
    assert "gehistoreerd" in rej.loc["a-old", "reason"]
    assert "no building" in rej.loc["a-void", "reason"]
    # counts in = kept + rejected
    assert len(street_addresses()) == len(d) + len(rej)
    links = twin.quality["address_links"].set_index("link")["addresses"]
    assert links["snapped"] == 1 and links["rejected"] == 2
    # a building with addresses but no dwelling does not exist; every address is accounted for
    assert (b.loc[b["n_addresses"] > 0, "n_dwellings"] == b.loc[b["n_addresses"] > 0,
                                                                 "n_addresses"]).all()


def test_tables_match_schema_and_floor_area_is_conserved(twin_with_addresses):
    validate_table(twin_with_addresses.buildings, BUILDINGS)
    validate_table(twin_with_addresses.dwellings, DWELLINGS)
    b, d = twin_with_addresses.buildings, twin_with_addresses.dwellings
    with_dw = b[b["n_dwellings"] > 0]
    assert d["heated_floor_area_m2"].sum() == pytest.approx(with_dw["heated_floor_area_m2"].sum())
    facade = sum(with_dw[f"facade_area_{o}_m2"].sum() for o in "nesw")
    envelope = sum(d[f"wall_area_{o}_m2"].sum() + d[f"window_area_{o}_m2"].sum() for o in "nesw")
    assert envelope == pytest.approx(facade)


def test_same_seed_same_twin_other_seed_other_years():
    a = build_twin(street(), nis_code="13002", seed=7).buildings
    b = build_twin(street(), nis_code="13002", seed=7).buildings
    c = build_twin(street(), nis_code="13002", seed=8).buildings
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert not a["construction_year"].equals(c["construction_year"])


def test_index_of_input_does_not_matter():
    a = build_twin(street(), nis_code="13002", seed=1).buildings
    b = build_twin(street(index_offset=100), nis_code="13002", seed=1).buildings
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))


def test_crs_refused_or_reprojected():
    frame = street()
    with pytest.raises(CRSError, match="set_crs"):
        build_twin(frame.set_crs(None, allow_override=True), nis_code="13002")
    wgs = build_twin(frame.to_crs(4326), nis_code="13002", seed=1).buildings
    lam = build_twin(frame, nis_code="13002", seed=1).buildings
    np.testing.assert_allclose(wgs["footprint_area_m2"], lam["footprint_area_m2"], rtol=1e-6)


def test_bad_inputs_are_refused_with_a_reason():
    frame = street()
    dup = frame.copy()
    dup.loc[1, "gebouw_id"] = "T0"
    with pytest.raises(InputError, match="duplicate gebouw_id"):
        build_twin(dup, nis_code="13002")
    with pytest.raises(InputError, match="gebouw_id"):
        build_twin(frame.drop(columns="gebouw_id"), nis_code="13002")
    with pytest.raises(InputError, match="NIS code"):
        build_twin(frame, nis_code="Baarle")
    gp = _gebouwenpark("71016", {"R1": 1, "R2": 1, "R3": 1, "R4": 1, "R5": 0, "R6": 0}, {})
    with pytest.raises(InputError, match="no rows for NIS code 13002"):
        build_twin(frame, nis_code="13002", gebouwenpark=gp)


def test_empty_input_gives_empty_tables():
    empty = street().iloc[:0]
    twin = build_twin(empty, nis_code="13002")
    assert len(twin.buildings) == 0 and len(twin.dwellings) == 0
    # the schema's columns, then the imputation's reason (issue 11)
    assert list(twin.buildings.columns) == [*BUILDINGS.column_names(), "typology_reason"]


def test_heating_systems_drawn_from_period_shares():
    from wijkreno.twin.build import draw_heating_systems
    from wijkreno.twin.params import load_twin_params

    params = load_twin_params()
    periods = np.array(["01"] * 20_000 + ["06"] * 20_000, dtype=object)
    drawn = draw_heating_systems(periods, params, np.random.default_rng(0))
    shares = params.heating_system_shares
    for period, sel in (("01", slice(0, 20_000)), ("06", slice(20_000, None))):
        got = pd.Series(drawn[sel]).value_counts(normalize=True)
        for system, share in zip(shares.systems, shares.shares(period), strict=True):
            assert got.get(system, 0.0) == pytest.approx(share, abs=0.015)


def test_heating_system_shares_are_validated(tmp_path):
    from wijkreno.twin.params import load_twin_params

    text = (Path(__file__).resolve().parents[2] / "wijkreno" / "params" / "twin.toml").read_text()
    bad = tmp_path / "twin.toml"
    bad.write_text(text.replace('"06" = [0.00, 0.45, 0.00, 0.00, 0.45, 0.10]',
                                '"06" = [0.00, 0.45, 0.00, 0.00, 0.45, 0.20]'))
    with pytest.raises(InputError, match="summing to 1"):
        load_twin_params(bad)
    typo = tmp_path / "typo.toml"
    typo.write_text(text + "\n[storey_hieght_m]\nvalue = 3.0\nsource = 'x'\n")
    with pytest.raises(InputError, match="storey_hieght_m"):
        load_twin_params(typo)
