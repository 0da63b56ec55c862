"""Small synthetic neighbourhoods with known answers, built from shapely boxes."""

from __future__ import annotations

import geopandas as gpd
import shapely


def street(index_offset: int = 0) -> gpd.GeoDataFrame:
    """A terraced row of 5, a semi-detached pair, a detached house with a veranda and a shed,
    and a 20 × 15 m apartment building, in EPSG:31370 around x=150 000, y=200 000."""
    x0, y0 = 150_000.0, 200_000.0
    boxes, ids = [], []
    for k in range(5):  # terraced row, 6 m frontage, 10 m deep, facades north and south
        boxes.append(shapely.box(x0 + k * 6, y0, x0 + (k + 1) * 6, y0 + 10))
        ids.append(f"T{k}")
    boxes += [shapely.box(x0 + 50, y0, x0 + 58, y0 + 10),
              shapely.box(x0 + 58, y0, x0 + 66, y0 + 10)]
    ids += ["S0", "S1"]
    boxes += [
        shapely.box(x0 + 100, y0, x0 + 112, y0 + 10),  # detached house
        shapely.box(x0 + 103, y0 + 10, x0 + 109, y0 + 14),  # veranda on its north facade
        shapely.box(x0 + 100, y0 + 30, x0 + 103, y0 + 33),  # garden shed, 9 m²
    ]
    ids += ["D0", "D0v", "D0s"]
    boxes.append(shapely.box(x0 + 150, y0, x0 + 170, y0 + 15))
    ids.append("A0")
    frame = gpd.GeoDataFrame({"gebouw_id": ids}, geometry=boxes, crs=31370)
    frame.index = frame.index + index_offset
    return frame


def street_addresses() -> gpd.GeoDataFrame:
    """Addresses for :func:`street`: one per house, four boxes in the apartment building, one
    retired address, one in an empty plot far from any building and one just in front of S1."""
    x0, y0 = 150_000.0, 200_000.0
    rows = []
    for k in range(5):
        rows.append((f"a-T{k}", "Kerkstraat", str(2 * k + 1), None, "inGebruik",
                     x0 + k * 6 + 3, y0 + 5))
    rows.append(("a-S0", "Kerkstraat", "21", None, "inGebruik", x0 + 54, y0 + 5))
    rows.append(("a-S1", "Kerkstraat", "23", None, "inGebruik", x0 + 62, y0 - 3))  # in front
    rows.append(("a-D0", "Kerkstraat", "31", None, "inGebruik", x0 + 106, y0 + 5))
    for b in range(1, 5):
        rows.append((f"a-A0-{b}", "Kerkstraat", "41", str(b), "inGebruik", x0 + 160, y0 + 7))
    rows.append(("a-old", "Kerkstraat", "43", None, "gehistoreerd", x0 + 160, y0 + 7))
    rows.append(("a-void", "Kerkstraat", "99", None, "voorgesteld", x0 + 400, y0 + 400))
    ids, street_, nr, box, status, xs, ys = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"adres_id": ids, "street": street_, "house_number": nr, "box_number": box,
         "postcode": "9999", "address_status": status},
        geometry=shapely.points(xs, ys), crs=31370,
    )
