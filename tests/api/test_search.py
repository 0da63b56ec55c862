"""Address search: normalisation, typos, prefixes, numbers, boxes, ranking, the route."""

from __future__ import annotations

from dataclasses import astuple

import geopandas as gpd
import numpy as np
import pandas as pd
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
    assert astuple(parse_query("Kerkstr. 5 bus 2")) == ("kerkstraat", "5", "2", "", "")
    assert astuple(parse_query("molenstraat 12A/3")) == ("molenstraat", "12a", "3", "", "")
    assert astuple(parse_query("molenstraat 12 a")) == ("molenstraat", "12a", "", "", "")
    assert astuple(parse_query("molenstraat 12 b1")) == ("molenstraat", "12", "1", "", "")
    assert astuple(parse_query("kerkstraat 5, 2999")) == ("kerkstraat", "5", "", "2999", "")
    assert astuple(parse_query("kerkstraat")) == ("kerkstraat", "", "", "", "")


@pytest.mark.parametrize(("query", "expected"), [
    ("5 kerkstraat", ("kerkstraat", "5", "", "", "")),
    ("5 Kerkstr.", ("kerkstraat", "5", "", "", "")),
    ("12A Molenstraat", ("molenstraat", "12a", "", "", "")),
    ("12 bus 3 molenstraat", ("molenstraat", "12", "3", "", "")),
    ("12/3 molenstraat", ("molenstraat", "12", "3", "", "")),
    ("5 kerkstraat, 2999 Baarle-Hertog", ("kerkstraat", "5", "", "2999", "baarlehertog")),
    ("Kerkstraat 5, 2999 Baarle-Hertog", ("kerkstraat", "5", "", "2999", "baarlehertog")),
    ("kerkstraat 5 bus 2 baarle", ("kerkstraat", "5", "2", "", "baarle")),
])
def test_parse_number_first_postcode_and_place(query, expected):
    assert astuple(parse_query(query)) == expected


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
    assert set(s) == {"adres_id", "label", "lon", "lat", "street", "house_number",
                      "box_number", "postcode", "municipality", "nis_code", "gebouw_id",
                      "exact"}
    assert s["label"] == "Kerkstraat 5, 2999"
    assert s["exact"] is True and s["street"] == "Kerkstraat" and s["house_number"] == "5"
    assert 2.5 < s["lon"] < 6.4 and 49.5 < s["lat"] < 51.6  # Belgium, EPSG:4326


def test_number_first_finds_what_street_first_finds(index):
    pairs = [("5 kerkstraat", "kerkstraat 5"), ("5 Kerkstr.", "Kerkstr. 5"),
             ("12 bus 2 molenstraat", "molenstraat 12 bus 2"),
             ("101 grote stwg", "grote stwg 101"), ("12/2 molenstraat", "molenstraat 12/2")]
    for first, usual in pairs:
        assert ids(index, first)[:3] == ids(index, usual)[:3], first
    assert ids(index, "12/2 molenstraat")[0] == "7"


def test_missing_number_is_said_with_the_nearest(index):
    answer = index.lookup("kerkstraat 500")
    assert answer.exact is False
    assert answer.message_nl == "Kerkstraat heeft geen huisnummer 500; dichtstbij: 50, 7, 5."
    assert "no number 500" in answer.message_en
    assert not any(s["exact"] for s in answer.suggestions)
    assert answer.suggestions[0]["adres_id"] == "2"  # 50 is the nearest
    box = index.lookup("molenstraat 12 bus 9")
    assert not box.exact and box.message_nl == "Molenstraat 12 heeft geen bus 9; wel: bus 1, 2."
    found = index.lookup("kerkstraat 5")
    assert found.exact and found.message_nl == "" and found.suggestions[0]["exact"]
    assert [s["exact"] for s in found.suggestions[:2]] == [True, False]
    nothing = index.lookup("xyzstraat 5")
    assert nothing.suggestions == [] and not nothing.exact and "xyzstraat" in nothing.message_nl


def _city() -> gpd.GeoDataFrame:
    """Two deelgemeenten with a Kerkstraat each and an apartment building with three units."""
    rows = [  # adres_id, street, number, box, postcode, nis, gebouw
        ("k1", "Kerkstraat", "9", None, "2387", "13002", "g1"),
        ("k2", "Kerkstraat", "9", None, "2388", "13002", "g2"),
        ("k3", "Kerkstraat", "11", None, "2387", "13002", "g3"),
        ("m1", "Molenstraat", "4", "1", "2387", "13002", "g4"),
        ("m2", "Molenstraat", "4", "2", "2387", "13002", "g4"),
        ("m3", "Molenstraat", "4", "3", "2387", "13002", "g4"),
        ("s1", "Stationsstraat", "2", None, "2387", "13002", "g5"),
        ("s2", "Statiestraat", "2", None, "2387", "13002", "g6"),
    ]
    return gpd.GeoDataFrame(
        {"adres_id": [r[0] for r in rows], "dwelling_id": [r[0] for r in rows],
         "street": [r[1] for r in rows], "house_number": [r[2] for r in rows],
         "box_number": [r[3] for r in rows], "postcode": [r[4] for r in rows],
         "nis_code": [r[5] for r in rows], "gebouw_id": [r[6] for r in rows]},
        geometry=[Point(150000 + 10 * i, 200000) for i in range(len(rows))], crs=31370)


def test_labels_carry_the_municipality_name():
    index = build_address_index(_city(), {"13002": "Baarle-Hertog"})
    s = index.search("kerkstraat 11", 1)[0]
    assert s["label"] == "Kerkstraat 11, 2387 Baarle-Hertog"
    assert s["municipality"] == "Baarle-Hertog" and s["nis_code"] == "13002"
    named = _city().assign(municipality_name="Baarle")  # a column wins over the mapping
    assert build_address_index(named, {"13002": "X"}).search("kerkstraat 11", 1)[0][
        "label"].endswith("2387 Baarle")
    # a postcode or place typed after the number ranks that deelgemeente first
    assert [s["adres_id"] for s in index.search("kerkstraat 9, 2388", 2)] == ["k2", "k1"]
    assert index.search("kerkstraat 9 2387 baarle", 1)[0]["adres_id"] == "k1"


@pytest.mark.parametrize(("street", "number", "box", "postcode", "status", "expected"), [
    ("Kerkstraat", "11", "", "", "address", ("k3",)),
    ("kerkstr.", "11", "", "", "address", ("k3",)),
    ("Kerkstraat", "9", "", "2388", "address", ("k2",)),
    ("Molenstraat", "4", "2", "", "address", ("m2",)),
    ("Molenstraat", "4", "", "", "building", ("m1", "m2", "m3")),
    ("Kerkstraat", "9", "", "", "ambiguous", ()),
    ("Kerkstraat", "500", "", "", "not_found", ()),
    ("Molenstraat", "4", "7", "", "not_found", ()),
    ("Nergensstraat", "1", "", "", "not_found", ()),
    ("Kerkstraat", "9", "", "9999", "not_found", ()),
])
def test_resolve(street, number, box, postcode, status, expected):
    index = build_address_index(_city(), {"13002": "Baarle-Hertog"})
    match = index.resolve(street, number, box, postcode)
    assert match.status == status, match
    assert match.adres_ids == expected
    if status == "building":
        assert match.gebouw_id == "g4" and match.label == "Molenstraat 4, 2387 Baarle-Hertog"
    if status in ("ambiguous", "not_found"):
        assert match.reason_nl and not match.adres_ids


def test_resolve_names_the_candidates():
    index = build_address_index(_city(), {"13002": "Baarle-Hertog"})
    two = index.resolve("Kerkstraat", "9")
    assert two.candidates == ("Kerkstraat 9, 2387 Baarle-Hertog",
                              "Kerkstraat 9, 2388 Baarle-Hertog")
    assert "vul de postcode in" in two.reason_nl
    assert index.resolve("Kerkstraat", "500").candidates == ("Kerkstraat 11", "Kerkstraat 9")
    assert "bus 1, 2, 3" in index.resolve("Molenstraat", "4", "7").reason_nl
    # a typo is accepted when it leaves one street
    assert index.resolve("Statiosstraat", "2").status == "address"  # one edit from one street
    assert index.resolve("Kerkstraaat", "11").adres_ids == ("k3",)


def test_index_of_a_plain_table_resolves_without_positions():
    plain = pd.DataFrame(_city().drop(columns="geometry"))
    index = build_address_index(plain)
    assert index.resolve("Kerkstraat", "11").adres_ids == ("k3",)
    assert np.isnan(index.search("kerkstraat 11", 1)[0]["lon"])


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
    from wijkreno.twin.address_search import _codes

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


def test_route_number_first_missing_number_and_municipality(client):
    first = client.get("/api/search", params={"q": "kerkstraat 5"}).json()
    swapped = client.get("/api/search", params={"q": "5 kerkstraat"})
    assert swapped.status_code == 200  # was 400 ("Zoeken mislukt" on the map)
    assert swapped.json()["suggestions"][0]["adres_id"] == first["suggestions"][0]["adres_id"]
    top = first["suggestions"][0]
    assert first["exact"] is True and first["message"] is None
    assert top["municipality"] == "Demowijk" and top["label"].endswith(" Demowijk")
    missing = client.get("/api/search", params={"q": "kerkstraat 500"}).json()
    assert missing["exact"] is False
    assert missing["message"].startswith("Kerkstraat heeft geen huisnummer 500; dichtstbij: ")
    assert missing["message_en"].startswith("Kerkstraat has no number 500; nearest: ")


def test_index_is_built_once_and_waited_for(workspace_dir, monkeypatch):
    """A query that arrives while the background build runs waits for it, not builds again."""
    import threading
    import time

    import api.routes.search as route
    from api.workspace import get_workspace_for

    ws = get_workspace_for(workspace_dir)
    calls = []
    real = route._build

    def slow(w):
        calls.append(1)
        time.sleep(0.3)
        return real(w)

    monkeypatch.setattr(route, "_build", slow)
    monkeypatch.setattr(route, "_INDEXES", {})
    warm = threading.Thread(target=route.warm_address_index, args=(workspace_dir,))
    warm.start()
    time.sleep(0.05)
    index = route.address_index(ws)  # arrives during the build
    warm.join()
    assert len(calls) == 1 and route.address_index(ws) is index


def test_register_upload_by_street_number_and_building(login, workspace_dir):
    """The officer's upload resolves street and number with the map's search; a building's
    address without box is one VME row counting for every unit."""
    from wijkreno.io.twin_store import read_twin

    _, d = read_twin(workspace_dir / "twin")
    flat = d[d["box_number"].notna()].iloc[0]
    n_units = int((d["gebouw_id"] == flat["gebouw_id"]).sum())
    per_number = d.groupby(["street", "house_number"]).size()
    street, number = per_number[per_number == 1].index[0]
    text = ("straat;huisnummer;maatregel;datum_uitvoering;collectief_project\n"
            f"{street};{number};dakisolatie;2023-07-19;Buren\n"
            f"{flat['street']};{flat['house_number']};dakisolatie;2023-07-19;\n"
            f"{street};9999;dakisolatie;2023-07-19;\n")
    coach = login("coach99")
    r = coach.post("/api/register/99001/renovations/upload",
                   files={"file": ("adressen.csv", text.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["n_accepted"], body["n_rejected"]) == (2, 1), body
    assert "geen huisnummer 9999" in body["rejected"][0]["reason"]
    assert body["rejected"][0]["candidates"].startswith(f"{street} ")
    rows = coach.get("/api/register/99001/renovations", params={"page_size": 500}).json()
    vme = [row for row in rows["rows"] if row["gebouw_id"] == str(flat["gebouw_id"])]
    assert len(vme) == 1 and vme[0]["n_units"] == n_units and vme[0]["adres_id"] is None
    assert vme[0]["collective_project"].startswith(f"VME {flat['street']}")
