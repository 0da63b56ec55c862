"""Address search: normalisation, typos, prefixes, numbers, boxes, ranking, the route."""

from __future__ import annotations

from dataclasses import astuple

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from api.search import (
    build_address_index,
    edit_distances,
    normalise_text,
    parse_query,
    street_key,
)
from wijkreno.errors import CRSError, InputError

ROWS = [  # adres_id, street, number, box
    ("1", "Kerkstraat", "5", None), ("2", "Kerkstraat", "50", None),
    ("3", "Kerkstraat", "7", None), ("4", "Kerkhofweg", "5", None),
    ("5", "Sint-Éloois-Plein", "3", None), ("6", "Molenstraat", "12", "1"),
    ("7", "Molenstraat", "12", "2"), ("8", "Molenstraat", "12A", None),
    ("9", "Dorpsstraat", "5", None), ("10", "Grote Steenweg", "101", None),
]


@pytest.fixture(scope="module")
def index():
    frame = gpd.GeoDataFrame(
        {"adres_id": [r[0] for r in ROWS], "street": [r[1] for r in ROWS],
         "house_number": [r[2] for r in ROWS], "box_number": [r[3] for r in ROWS],
         "postcode": "2999"},
        geometry=[Point(150000 + 10 * i, 200000) for i in range(len(ROWS))], crs=31370)
    frame.index = np.arange(100, 100 + len(ROWS))  # non-default index
    return build_address_index(frame)


def ids(index, query, limit=10):
    return [s["adres_id"] for s in index.search(query, limit)]


def test_normalise_and_keys():
    assert normalise_text("Sint-Éloois  Plein.") == "sint eloois plein"
    assert street_key("Kerkstr.") == street_key("KERK STRAAT") == "kerkstraat"
    assert street_key("Grote Stwg") == "grotesteenweg"
    assert street_key("St-Jansstr") == "sintjansstraat"


def test_parse_query():
    assert astuple(parse_query("Kerkstr. 5 bus 2")) == ("kerkstraat", "5", "2")
    assert astuple(parse_query("molenstraat 12A/3")) == ("molenstraat", "12a", "3")
    assert astuple(parse_query("molenstraat 12 a")) == ("molenstraat", "12a", "")
    assert astuple(parse_query("molenstraat 12 b1")) == ("molenstraat", "12", "1")
    assert astuple(parse_query("kerkstraat 5, 2999")) == ("kerkstraat", "5", "")
    assert astuple(parse_query("kerkstraat")) == ("kerkstraat", "", "")


def test_exact_accents_case_abbreviation(index):
    assert ids(index, "Kerkstraat 5")[0] == "1"
    assert ids(index, "KERKSTR. 5")[0] == "1"
    assert ids(index, "sint eloois plein 3")[0] == "5"
    assert ids(index, "St.-Eloois-Plein 3")[0] == "5"
    assert ids(index, "grote stwg 101")[0] == "10"


def test_typos(index):
    assert ids(index, "kerkstrat 5")[0] == "1"      # deletion
    assert ids(index, "kekrstraat 5")[0] == "1"     # transposition
    assert ids(index, "kerkstraaat 7")[0] == "3"    # insertion
    assert ids(index, "morenstraat 12")[0] in {"6", "7", "8"}  # substitution
    assert ids(index, "xyzstraat 5") == []          # too far: nothing


def test_prefix_and_ranking(index):
    # exact number before numbers that start with it, before other numbers
    assert ids(index, "kerkstraat 5")[:2] == ["1", "2"]
    # "kerk" is a prefix of two streets: exact house number 5 on both first
    assert set(ids(index, "kerk 5")[:2]) == {"1", "4"}
    # an exact street beats a street that only matches with a typo
    assert ids(index, "dorpsstraat 5")[0] == "9"
    # no number: the street's addresses in natural number order
    assert ids(index, "kerkstraat") == ["1", "3", "2"]


def test_box_numbers(index):
    assert ids(index, "molenstraat 12 bus 2")[0] == "7"
    assert ids(index, "molenstraat 12/1")[0] == "6"
    assert ids(index, "molenstraat 12a")[0] == "8"
    labels = [s["label"] for s in index.search("molenstraat 12", 3)]
    assert labels[0] == "Molenstraat 12 bus 1, 2999"


def test_suggestion_fields(index):
    s = index.search("kerkstraat 5", 1)[0]
    assert set(s) == {"adres_id", "label", "lon", "lat"}
    assert s["label"] == "Kerkstraat 5, 2999"
    assert 2.5 < s["lon"] < 6.4 and 49.5 < s["lat"] < 51.6  # Belgium, EPSG:4326


@pytest.mark.parametrize("query", ["", "   ", "12", "x" * 200])
def test_bad_queries(index, query):
    with pytest.raises(InputError):
        index.search(query)


def test_refuses_wrong_crs():
    frame = gpd.GeoDataFrame({"adres_id": ["1"], "street": ["a"], "house_number": ["1"]},
                             geometry=[Point(4.4, 51.0)], crs=4326)
    with pytest.raises(CRSError, match="to_crs"):
        build_address_index(frame)


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@settings(max_examples=60, deadline=None)
@given(st.text("abcde", min_size=1, max_size=8),
       st.lists(st.text("abcde", min_size=1, max_size=9), min_size=1, max_size=6))
def test_edit_distance_bounds_levenshtein(query, streets):
    """Vectorised distance ≤ plain Levenshtein (transpositions cost 1, not 2), ≥ half of it,
    and 0 exactly for equal strings; prefix distance ≤ full distance."""
    from api.search import _codes

    width = max(len(s) for s in streets)
    lengths = np.array([len(s) for s in streets])
    full, prefix = edit_distances(query, _codes(streets, width), lengths)
    for s, f, p in zip(streets, full, prefix, strict=True):
        lev = _levenshtein(query, s)
        assert lev / 2 <= f <= lev
        assert (f == 0) == (query == s)
        assert p <= f


def test_route(client):
    r = client.get("/api/search", params={"q": "kerkstrat 5"})
    assert r.status_code == 200
    first = r.json()["suggestions"][0]
    assert first["label"].startswith("Kerkstraat 5,")
    state = client.get(f"/api/addresses/{first['adres_id']}").json()
    assert state["address"].startswith("Kerkstraat 5")


@pytest.mark.parametrize("q", ["", "   ", "5"])
def test_route_empty_query_400(client, q):
    r = client.get("/api/search", params={"q": q})
    assert r.status_code == 400
    assert "straat" in r.json()["detail"].lower()


def test_route_limit(client):
    r = client.get("/api/search", params={"q": "kerkstraat", "limit": 3})
    assert len(r.json()["suggestions"]) == 3
    assert client.get("/api/search", params={"q": "kerk", "limit": 0}).status_code == 422
