"""Street lines and anchors drawn from address points; the web map's derived indicators."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from wijkreno.errors import InputError
from wijkreno.maps.indicators import add_map_indicators
from wijkreno.maps.streets import STREET_LINE_COLUMNS, street_lines

X0, Y0 = 150_000.0, 200_000.0


def _street(name: str, xs, y_sides=(-9.0, 9.0), postcode: str = "9999") -> gpd.GeoDataFrame:
    """Address points on both sides of a straight east-west street at ``Y0``."""
    pts = [shapely.Point(X0 + x, Y0 + y_sides[i % 2]) for i, x in enumerate(xs)]
    return gpd.GeoDataFrame({"street": [name] * len(pts), "postcode": [postcode] * len(pts)},
                            geometry=pts, crs="EPSG:31370")


def test_straight_street_is_one_line_on_its_centre():
    dw = _street("Kerkstraat", np.arange(0, 400, 8.0))
    out = street_lines(dw)
    assert list(out.columns) == [*STREET_LINE_COLUMNS, "geometry"]
    assert len(out) == 1 and out.geom_type.iloc[0] == "LineString"
    row = out.iloc[0]
    assert row["street"] == "Kerkstraat" and row["postcode"] == "9999"
    assert row["n_dwellings"] == len(dw)
    ys = shapely.get_coordinates(row.geometry)[:, 1]
    # both sides average out: the line runs along the street's axis, not along one side
    assert np.all(np.abs(ys - Y0) < 3.0)
    assert 330 < row["length_m"] <= 400 and row["length_m"] == pytest.approx(row.geometry.length)


def test_gap_splits_a_street_and_names_stay_apart():
    a = _street("Kerkstraat", np.arange(0, 100, 10.0))
    b = _street("Kerkstraat", np.arange(1000, 1100, 10.0))
    c = _street("Molenstraat", np.arange(0, 100, 10.0), y_sides=(40.0, 60.0))
    out = street_lines(pd.concat([a, b, c], ignore_index=True))
    assert out["street"].tolist() == ["Kerkstraat", "Kerkstraat", "Molenstraat"]
    assert out["n_dwellings"].tolist() == [10, 10, 10]
    assert out["n_dwellings"].sum() == 30  # every address in exactly one run


def test_same_name_in_another_postcode_is_another_street():
    a = _street("Kerkstraat", np.arange(0, 100, 10.0), postcode="9999")
    b = _street("Kerkstraat", np.arange(100, 200, 10.0), postcode="9998")
    out = street_lines(pd.concat([a, b], ignore_index=True))
    assert sorted(out["postcode"]) == ["9998", "9999"]


def test_short_street_is_an_anchor_point():
    dw = _street("Hofje", [0.0, 10.0, 20.0])
    out = street_lines(dw, bin_m=40.0)
    assert out.geom_type.tolist() == ["Point"] and out["length_m"].tolist() == [0.0]
    assert out.geometry.iloc[0].distance(shapely.Point(X0 + 10, Y0)) < 5


def test_rows_without_street_or_point_are_left_out_and_order_does_not_matter():
    dw = _street("Kerkstraat", np.arange(0, 200, 10.0))
    extra = gpd.GeoDataFrame({"street": [None, "Leeg"], "postcode": ["9999", "9999"]},
                             geometry=[shapely.Point(X0, Y0), None], crs="EPSG:31370")
    frame = pd.concat([dw, extra], ignore_index=True)
    frame.index = frame.index * 7 + 3  # a non-default index
    out = street_lines(frame)
    shuffled = street_lines(frame.sample(frac=1.0, random_state=1))
    assert out["street"].tolist() == ["Kerkstraat"]
    assert shapely.equals_exact(out.geometry.iloc[0], shuffled.geometry.iloc[0], 1e-6) or \
        shapely.equals_exact(out.geometry.iloc[0].reverse(), shuffled.geometry.iloc[0], 1e-6)


def test_empty_and_bad_input():
    dw = _street("Kerkstraat", np.arange(0, 100, 10.0))
    empty = street_lines(dw.iloc[:0])
    assert empty.empty and list(empty.columns) == [*STREET_LINE_COLUMNS, "geometry"]
    with pytest.raises(InputError, match="street"):
        street_lines(dw.drop(columns="street"))
    with pytest.raises(InputError, match="EPSG:31370|31370"):
        street_lines(dw.to_crs(4326))
    with pytest.raises(InputError, match="GeoDataFrame"):
        street_lines(pd.DataFrame(dw.drop(columns="geometry")))
    with pytest.raises(InputError, match="> 0"):
        street_lines(dw, bin_m=0)


def test_map_indicators():
    areas = pd.DataFrame({"n_dwellings": [10, 4, 5, 0],
                          "plan_saving_kwh": [50_000.0, 8_000.0, 0.0, 0.0],
                          "plan_saving_co2_flemish_kg_co2": [10_000.0, 2_000.0, 0.0, 0.0],
                          "plan_net_cost_eur": [600_000.0, -3_000.0, 1_000.0, 0.0]},
                         index=[5, 6, 7, 8])
    out = add_map_indicators(areas, horizon_years=30.0)
    assert out.index.tolist() == [5, 6, 7, 8]
    assert out["plan_saving_kwh_per_dwelling"].tolist()[:3] == [5000.0, 2000.0, 0.0]
    assert np.isnan(out["plan_saving_kwh_per_dwelling"].iloc[3])  # no dwellings
    cost = out["co2_abatement_cost_eur_per_t"]
    assert cost.iloc[0] == pytest.approx(600_000 / (10 * 30))
    assert cost.iloc[1] < 0  # premiums exceed the cost: avoiding CO2 pays
    assert np.isnan(cost.iloc[2]) and np.isnan(cost.iloc[3])  # nothing saved: no figure
    assert out["plan_saving_co2_flemish_per_dwelling_kg_co2"].iloc[0] == 1000.0
    assert "co2_abatement_cost_eur_per_t" not in add_map_indicators(
        areas[["n_dwellings"]], horizon_years=30.0).columns
    with pytest.raises(InputError, match="horizon"):
        add_map_indicators(areas, horizon_years=0.0)
