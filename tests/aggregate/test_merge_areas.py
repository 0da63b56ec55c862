"""Merging official areas for sources that name coarser neighbourhoods."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from wijkreno.aggregate.areas import merge_areas
from wijkreno.errors import InputError


def _wijken() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"geoitem": ["W1", "W2", "W3"], "naam": ["Noord", "Zuid", "Oost"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(0, 1, 1, 2), shapely.box(1, 0, 2, 2)],
        crs=31370,
    )


def test_members_replaced_by_their_union():
    out = merge_areas(_wijken(), {"Centrum": ["W1", "W2"]}).set_index("wijk_code")
    assert list(out.index) == ["W3", "W1+W2"]
    assert out.loc["W1+W2", "area_name"] == "Noord + Zuid"
    assert out.loc["W1+W2", "geometry"].area == pytest.approx(2.0)
    assert out.crs.to_epsg() == 31370


def test_unknown_or_repeated_members_refused():
    with pytest.raises(InputError, match="unknown area codes"):
        merge_areas(_wijken(), {"x": ["W1", "W9"]})
    with pytest.raises(InputError, match="already in another merge"):
        merge_areas(_wijken(), {"a": ["W1", "W2"], "b": ["W2", "W3"]})
