"""Calibration to meters: the held-out protocol, totals preserved, the versioned file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wijkreno.aggregate.calibration import (
    Calibration,
    apply_calibration,
    area_features,
    constant_baseline,
    evaluate_out_of_sample,
    fit_calibration,
    predict_per_user,
    split_municipalities,
)
from wijkreno.errors import InputError
from wijkreno.io.fluvius import read_calibration, write_calibration
from wijkreno.params.models.expected_use import load_expected_use_params

NIS = [f"{11000 + i}" for i in range(60)]


def _dwellings(seed: int = 0) -> pd.DataFrame:
    """Synthetic stock: 60 municipalities × 4 sectors, gas use rising with old/detached shares."""
    rng = np.random.default_rng(seed)
    rows = []
    for nis in NIS:
        for s in range(4):
            n = int(rng.integers(40, 120))
            old = rng.uniform(0.1, 0.9)
            typ = rng.choice(["terraced", "detached", "apartment_building"], n, p=[0.4, 0.3, 0.3])
            per = np.where(rng.random(n) < old, "01", "05")
            area = np.where(typ == "apartment_building", 80.0, 140.0) * rng.uniform(0.8, 1.2, n)
            gas = np.where(rng.random(n) < 0.7, area * np.where(per == "01", 300.0, 150.0), 0.0)
            rows.append(pd.DataFrame({
                "nis_code": nis, "sector_code": f"{nis}A0{s}-", "typology": typ,
                "tabula_period": per, "heated_floor_area_m2": area,
                "expected_final_gas_kwh": gas, "final_gas_gross_kwh": gas * 1.6,
                "expected_final_electricity_kwh": 3000.0,
            }))
    return pd.concat(rows, ignore_index=True)


def _rows(seed: int = 0) -> pd.DataFrame:
    d = _dwellings(seed)
    f = area_features(d, "sector_code")
    f["nis_code"] = f.index.str[:5]
    rng = np.random.default_rng(seed + 1)
    # "truth": metered per connection = 0.7 * expected per user, with a detached effect + noise
    truth = 0.7 * f["expected_gas_kwh_per_user"] * (1 + 0.5 * f["share_typology_detached"])
    f["gas_connections"] = f["n_gas_users"].astype(float)
    f["metered_gas_kwh"] = truth * f["gas_connections"] * rng.lognormal(0, 0.05, len(f))
    f["electricity_connections"] = f["n_dwellings"].astype(float)
    f["metered_electricity_kwh"] = 2900.0 * f["electricity_connections"]
    return f


def _split():
    return split_municipalities(NIS, holdout_fraction=0.3, salt="test")


def test_split_is_deterministic_disjoint_and_local():
    train, held = _split()
    assert train.isdisjoint(held) and train | held == set(NIS)
    assert 0.1 < len(held) / len(NIS) < 0.5
    t2, h2 = split_municipalities(NIS[:20], holdout_fraction=0.3, salt="test")
    assert h2 == held & set(NIS[:20])  # a code's side does not depend on the others
    assert _split() == (train, held)


def test_calibration_preserves_totals_on_its_training_set():
    rows = _rows()
    train, held = _split()
    cal = fit_calibration(rows, train, held, min_connections=1)
    tr = rows[rows["nis_code"].isin(train) & (rows["gas_connections"] >= 1)]
    total = (predict_per_user(cal, tr) * tr["n_gas_users"]).sum()
    assert total == pytest.approx(tr["metered_gas_kwh"].sum(), rel=1e-9)


def test_evaluation_rows_never_reach_the_fit():
    """Fails if held-out rows leak into the fit: garbage in them must change nothing."""
    rows = _rows()
    train, held = _split()
    cal = fit_calibration(rows, train, held, min_connections=1)
    poisoned = rows.copy()
    out = poisoned["nis_code"].isin(held)
    poisoned.loc[out, "metered_gas_kwh"] *= 1000.0
    poisoned.loc[out, "share_typology_detached"] = 0.99
    poisoned.loc[out, "expected_gas_kwh_per_user"] *= 7.0
    cal2 = fit_calibration(poisoned, train, held, min_connections=1)
    assert cal2.coefs == cal.coefs
    assert cal2.intercept == cal.intercept
    assert cal2.scale_factor == cal.scale_factor
    assert cal2.means == cal.means and cal2.scales == cal.scales
    assert set(cal.training_nis) == set(train)


def test_in_sample_evaluation_is_refused():
    rows = _rows()
    train, held = _split()
    cal = fit_calibration(rows, train, held, min_connections=1)
    pred = {"calibrated": predict_per_user(cal, rows)}
    with pytest.raises(InputError, match="training municipalities"):
        evaluate_out_of_sample(rows, pred, cal.training_nis)
    with pytest.raises(InputError, match="overlap"):
        fit_calibration(rows, train, held | {next(iter(train))})


def test_calibrated_beats_constant_and_expected_out_of_sample():
    rows = _rows()
    train, held = _split()
    cal = fit_calibration(rows, train, held, min_connections=1)
    test = rows[rows["nis_code"].isin(held)]
    const = constant_baseline(rows, train, min_connections=1)
    m = evaluate_out_of_sample(test, {
        "calibrated": predict_per_user(cal, test),
        "constant": pd.Series(const, index=test.index),
        "expected": test["expected_gas_kwh_per_user"],
    }, cal.training_nis)
    assert m["calibrated"]["mae"] < m["constant"]["mae"]
    assert m["calibrated"]["mae"] < m["expected"]["mae"]
    assert m["calibrated"]["spearman"] > 0.6


def test_apply_and_file_round_trip(tmp_path):
    rows = _rows()
    train, held = _split()
    cal = fit_calibration(rows, train, held, min_connections=1, years=[2021])
    d = _dwellings()
    out = apply_calibration(d, [cal], "sector_code")
    assert out.index.equals(d.index)
    assert (out["calibrated_final_gas_kwh"] >= 0).all()
    assert (out.loc[d["expected_final_gas_kwh"] == 0, "calibrated_final_gas_kwh"] == 0).all()
    path = write_calibration({"carriers": {"gas": cal.to_dict()}}, tmp_path / "cal.json")
    doc = read_calibration(path)
    assert doc["format_version"] == 1
    back = Calibration.from_dict(doc["carriers"]["gas"])
    assert back == cal
    (tmp_path / "bad.json").write_text('{"format": "x"}')
    with pytest.raises(InputError, match="not a wijkreno calibration"):
        read_calibration(tmp_path / "bad.json")


def test_missing_columns_are_reported():
    with pytest.raises(InputError, match="lack"):
        fit_calibration(pd.DataFrame({"nis_code": ["1"]}), ["1"], [])


def _synthetic_meters() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulated-looking dwellings and Fluvius rows of the synthetic stock."""
    d = _dwellings(5)
    rng = np.random.default_rng(9)
    n = len(d)
    d["epc_score_kwh_per_m2"] = rng.uniform(100, 600, n)
    d["final_gas_kwh"] = d.pop("expected_final_gas_kwh") * 2.0
    d = d.drop(columns=["final_gas_gross_kwh", "expected_final_electricity_kwh"])
    d["final_oil_kwh"] = 0.0
    d["final_wood_kwh"] = 0.0
    d["final_electricity_kwh"] = 200.0
    per_sector = d.groupby("sector_code").agg(
        n=("final_gas_kwh", "size"), g=("final_gas_kwh", lambda s: int((s > 0).sum())),
        kwh=("final_gas_kwh", "sum"))
    fluvius = pd.DataFrame({
        "sector_code": per_sector.index, "year": 2021,
        "gas_residential_kwh": per_sector["kwh"] * 0.4,
        "gas_residential_connections": per_sector["g"].astype(float),
        "electricity_residential_kwh": per_sector["n"] * 3000.0,
        "electricity_residential_connections": per_sector["n"].astype(float),
    })
    return d, fluvius


def test_compare_with_meters_synthetic():
    """The validate-meters compute step on synthetic data: out-of-sample figures only."""
    from wijkreno.aggregate.meters import compare_with_meters

    d, fluvius = _synthetic_meters()
    gas_users = d["final_gas_kwh"] > 0
    cmp = compare_with_meters(d, fluvius)
    s = cmp.summary
    assert s["calibration"] == "fitted"
    for key in ("expected_level_ratio", "calibrated_mae_municipality", "baseline_mae_municipality",
                "calibrated_mae_sector", "baseline_mae_sector", "spearman_municipality",
                "gas_dwellings_over_connections_max_frac"):
        assert key in s, key
    assert s["n_heldout_municipalities"] == int(cmp.municipalities["held_out"].sum()) > 0
    assert s["gas_dwellings_over_connections_max_frac"] == pytest.approx(0.0)
    assert s["standardised_level_ratio"] > s["expected_level_ratio"] > 0
    assert s["calibrated_level_ratio"] == pytest.approx(1.0, abs=0.1)
    assert set(cmp.municipalities.loc[cmp.municipalities["held_out"], "nis_code"]).isdisjoint(
        cmp.calibrations[0].training_nis)
    assert "calibrated_final_gas_kwh" in cmp.dwellings
    assert (cmp.dwellings.loc[gas_users, "calibrated_final_gas_kwh"] > 0).all()
    assert not any(f.startswith("feature_") for f in cmp.calibrations[0].features)
    # the level decomposition multiplies back to the expected level ratio
    dec = s["level_decomposition"]
    assert dec["product_check"] == pytest.approx(s["expected_level_ratio"], rel=1e-3)
    assert dec["gas_users_over_connections"] == pytest.approx(1.0)
    assert dec["gas_gross_over_net"] == pytest.approx(
        load_expected_use_params().gas_gross_over_net.value)
    assert dec["floor_area_m2"] == pytest.approx(
        d.loc[gas_users, "heated_floor_area_m2"].mean(), rel=1e-3)

    p = load_expected_use_params()
    p = p.model_copy(update={"calibration": p.calibration.model_copy(
        update={"connection_count_features": True})})
    with_counts = compare_with_meters(d, fluvius, params=p)
    assert "feature_log_sector_connections" in with_counts.calibrations[0].features
    assert with_counts.summary["calibrated_mae_municipality"] is not None


def test_connection_features_use_counts_never_kwh_and_missing_is_neutral():
    from wijkreno.aggregate.calibration import connection_features

    fl = pd.DataFrame({"sector_code": ["A", "B", "C"], "year": 2021,
                       "electricity_residential_connections": [100.0, 1000.0, 0.0],
                       "gas_residential_connections": [50.0, 900.0, 0.0],
                       "gas_residential_kwh": [1e6, 1e7, 0.0]})
    f = connection_features(fl)
    g = connection_features(fl.assign(gas_residential_kwh=[5.0, 5.0, 5.0]))
    pd.testing.assert_frame_equal(f, g)
    size = f["feature_log_sector_connections"]
    assert size["B"] > size["A"]
    area = connection_features(fl, pd.Series({"A": "m", "B": "m"}))
    assert len(area) == 1 and np.isfinite(area.iloc[0]).all()

    rows = _rows()
    rows["feature_gas_connection_share"] = rows["gas_connections"] / rows["electricity_connections"]
    train, held = _split()
    cal = fit_calibration(rows, train, held, min_connections=1)
    assert "feature_gas_connection_share" in cal.features
    without = predict_per_user(cal, rows.drop(columns="feature_gas_connection_share"))
    assert np.isfinite(without).all()


def _with_location(rows: pd.DataFrame) -> pd.DataFrame:
    """A west-east gradient the stock does not know: metered use rises 0.3 % per km east."""
    from wijkreno.aggregate.calibration import location_features

    nis = sorted(rows["nis_code"].unique())
    locations = pd.DataFrame({"x_km": np.linspace(20.0, 240.0, len(nis)),
                              "y_km": np.linspace(160.0, 220.0, len(nis))[::-1]}, index=nis)
    out = rows.join(location_features(locations, rows["nis_code"]))
    out["metered_gas_kwh"] *= 1.0 + 0.003 * (out["feature_x_km"] - 130.0)
    return out


def test_cross_validation_reads_training_rows_only_and_finds_the_gradient():
    from wijkreno.aggregate.calibration import grouped_cross_validation

    rows = _with_location(_rows())
    train, held = _split()
    variants = {"basis": [], "locatie": ["feature_x_km", "feature_y_km"]}
    kw = {"folds": 5, "salt": "cv-test", "min_connections": 1}
    cv = grouped_cross_validation(rows, train, variants, **kw)
    assert cv["locatie"]["mae_municipality"] < cv["basis"]["mae_municipality"]
    assert cv["locatie"]["n_municipalities"] == len(train)
    poisoned = rows.copy()
    out = poisoned["nis_code"].isin(held)
    poisoned.loc[out, "metered_gas_kwh"] *= 1000.0
    poisoned.loc[out, "feature_x_km"] = -5000.0
    assert grouped_cross_validation(poisoned, train, variants, **kw) == cv
    with pytest.raises(InputError, match="needs columns"):
        grouped_cross_validation(rows, train, {"x": ["feature_nope"]}, **kw)
    with pytest.raises(InputError, match="folds"):
        grouped_cross_validation(rows, train, variants, **{**kw, "folds": 1})


def _boxes(nis_codes):
    """Wijk polygons: two 500 m boxes per municipality, municipality i at x = 10 i km."""
    import geopandas as gpd
    from shapely.geometry import box

    codes, geoms = [], []
    for i, n in enumerate(nis_codes):
        for k in range(2):
            codes.append(f"{n}W0{k}")
            geoms.append(box(10_000 * i + 500 * k, 0, 10_000 * i + 500 * (k + 1), 1000))
    return gpd.GeoDataFrame({"wijk_code": codes}, geometry=geoms, crs=31370)


def test_municipality_locations_and_missing_location_is_neutral():
    from wijkreno.aggregate.areas import municipality_polygons
    from wijkreno.aggregate.calibration import location_features, municipality_locations

    wijken = _boxes(["11001", "44001"])
    # the wijken of a municipality merged since (44001 -> 44084) go to the new municipality
    to_nis = pd.Series({"11001W00": "11001", "11001W01": "11001", "44001W00": "44084",
                        "44001W01": "44084"})
    polys = municipality_polygons(wijken, to_nis)
    assert sorted(polys.index) == ["11001", "44084"]
    loc = municipality_locations(polys)
    assert loc.loc["11001", "x_km"] == pytest.approx(0.5)
    assert loc.loc["44084", "x_km"] == pytest.approx(10.5)
    with pytest.raises(InputError):
        municipality_locations(polys.to_crs(4326))
    with pytest.raises(InputError, match="wijk_code"):
        municipality_polygons(wijken.rename(columns={"wijk_code": "geoitem"}), to_nis)
    feats = location_features(loc, pd.Series(["11001", "99999"], index=["a", "b"]))
    assert feats.loc["a", "feature_x_km"] == pytest.approx(0.5)
    assert np.isnan(feats.loc["b", "feature_y_km"])
    rows = _with_location(_rows())
    train, held = _split()
    cal = fit_calibration(rows, train, held, min_connections=1)
    assert "feature_x_km" in cal.features
    blind = rows.drop(columns=["feature_x_km", "feature_y_km"])
    p = predict_per_user(cal, blind)  # no location: neutral (training mean), still a figure
    assert np.isfinite(p).all()


def test_location_features_wired_through_compare_and_carried_by_the_file(tmp_path):
    """compare_with_meters with municipality polygons: the fit uses the location, the file
    carries it, and a municipality applying the file alone gets its location back."""
    from wijkreno.aggregate.areas import municipality_polygons
    from wijkreno.aggregate.meters import compare_with_meters

    d, fluvius = _synthetic_meters()
    # meters with a west-east gradient the stock does not know
    east = fluvius["sector_code"].str[:5].map({n: i for i, n in enumerate(NIS)})
    fluvius["gas_residential_kwh"] *= 1.0 + 0.02 * (east - 30)
    wijken = _boxes(NIS)
    polys = municipality_polygons(
        wijken, pd.Series(wijken["wijk_code"].str[:5].to_numpy(), index=wijken["wijk_code"]))
    cmp = compare_with_meters(d, fluvius, municipalities=polys, cross_validate=True)
    s = cmp.summary
    gas = cmp.calibrations[0]
    assert {"feature_x_km", "feature_y_km"} <= set(s["calibration_features"])
    cv = s["cross_validation_training"]
    assert set(cv) == {"stock", "counts", "location", "location_and_counts"}
    assert cv["location"]["mae_municipality"] < cv["stock"]["mae_municipality"]
    assert sorted(gas.locations) == sorted(NIS)
    # the file keeps the locations: applied without polygons (as `simulate --calibration`
    # does) the factors equal those applied with them
    path = tmp_path / "cal.json"
    write_calibration({"carriers": {c.carrier: c.to_dict() for c in cmp.calibrations}}, path)
    back = [Calibration.from_dict(c) for c in read_calibration(path)["carriers"].values()]
    held = sorted(set(NIS) - set(gas.training_nis))[0]
    one = d[d["nis_code"] == held].join(cmp.dwellings)
    alone = apply_calibration(one, back, "sector_code")
    assert alone["calibrated_final_gas_kwh"].to_numpy() == pytest.approx(
        cmp.dwellings.loc[one.index, "calibrated_final_gas_kwh"].to_numpy())
    blind = apply_calibration(one, [Calibration.from_dict({**back[0].to_dict(),
                                                           "locations": {}})], "sector_code")
    assert not np.allclose(blind["calibrated_final_gas_kwh"], alone["calibrated_final_gas_kwh"])
    few = d[d["nis_code"].isin(NIS[:5])]
    with pytest.raises(InputError, match="at least 10"):
        compare_with_meters(few, fluvius, municipalities=polys, cross_validate=True)
