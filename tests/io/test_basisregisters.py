"""Tests of the base-register client: all offline (recorded responses, fake urlopen)."""

from __future__ import annotations

import io
import json
import random
import urllib.error
import warnings
from email.message import Message
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon

from tests.conftest import shared_data
from wijkreno.errors import CRSError, InputError, WijkrenoError
from wijkreno.io import basisregisters as br
from wijkreno.io.basisregisters import (
    ADDRESS_COLUMNS,
    BUILDING_COLUMNS,
    BUILDING_UNIT_COLUMNS,
    FeedState,
    HttpTransport,
    RecordedTransport,
    ServiceError,
    apply_feed,
    canonical_url,
    download_sources,
    get_addresses,
    get_building_units,
    get_buildings,
    get_feed_page,
    get_parcels,
    link_addresses_to_buildings,
    parse_address,
    parse_building,
    parse_building_unit,
    parse_gml_point,
    parse_gml_polygon,
    parse_parcel,
)
from wijkreno.twin.schema import REJECTED_COLUMNS

B = "https://api.basisregisters.vlaanderen.be/v2"
RECORDED = Path(__file__).parent / "recorded" / "proefdorp_99001"
GML_NS = 'xmlns:gml="http://www.opengis.net/gml/3.2"'
EXPECTED_LINKS = {"1001": "3001", "1002": "3002", "1003": "3003", "1004": "3003",
                  "1005": None, "1006": "3003"}


def gml_point(x, y, srs="https://www.opengis.net/def/crs/EPSG/0/31370"):
    srs_attr = f' srsName="{srs}"' if srs else ""
    return f"<gml:Point{srs_attr} {GML_NS}><gml:pos>{x} {y}</gml:pos></gml:Point>"


def gml_polygon(shell, holes=(), srs="http://www.opengis.net/def/crs/EPSG/0/31370"):
    def ring(tag, pts):
        pos = " ".join(f"{x!r} {y!r}" for x, y in pts)
        return (f"<gml:{tag}><gml:LinearRing><gml:posList>{pos}</gml:posList>"
                f"</gml:LinearRing></gml:{tag}>")
    inner = "".join(ring("interior", h) for h in holes)
    return f'<gml:Polygon srsName="{srs}" {GML_NS}>{ring("exterior", shell)}{inner}</gml:Polygon>'


@pytest.fixture
def proefdorp():
    return RecordedTransport.from_directory(RECORDED)


def real_json(*parts):
    return json.loads(shared_data("basisregisters_api_samples", *parts).read_text("utf-8"))


def real_feed(*names):
    events = []
    for name in names:
        events += real_json("feeds_v2", name)
    return events


def all_real_events():
    folder = shared_data("basisregisters_api_samples", "feeds_v2")
    events = []
    for file in sorted(folder.glob("*.json")):
        events += json.loads(file.read_text("utf-8"))
    return events


# ---------------------------------------------------------------------------------- GML


def test_parse_gml_point_lambert72_known_coordinates():
    point = parse_gml_point(gml_point(105052.34, 193542.11))
    assert (point.x, point.y) == (105052.34, 193542.11)


@pytest.mark.parametrize("srs", [
    "https://www.opengis.net/def/crs/EPSG/0/31370",
    "http://www.opengis.net/def/crs/EPSG/0/31370",
    "EPSG:31370",
    "urn:ogc:def:crs:EPSG::31370",
])
def test_parse_gml_point_reads_every_spelling_of_the_srs(srs):
    assert parse_gml_point(gml_point(1.5, 2.5, srs)).equals(Point(1.5, 2.5))


def test_parse_gml_point_lambert2008_is_reprojected():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        to_3812 = Transformer.from_crs(31370, 3812, always_xy=True)
    x, y = to_3812.transform(150000.0, 200000.0)
    # Lambert 2008 differs from Lambert 72 by about +500 km in x and y
    assert 649_000 < x < 651_000 and 699_000 < y < 701_000
    point = parse_gml_point(gml_point(x, y, "http://www.opengis.net/def/crs/EPSG/0/3812"))
    assert point.distance(Point(150000.0, 200000.0)) < 1e-3


def test_parse_gml_point_without_srs_needs_a_default():
    with pytest.raises(CRSError, match="default_epsg"):
        parse_gml_point(gml_point(1, 2, srs=None))
    assert parse_gml_point(gml_point(1, 2, srs=None), default_epsg=31370).equals(Point(1, 2))


def test_parse_gml_refuses_other_crs_naming_it():
    with pytest.raises(CRSError, match="4326"):
        parse_gml_point(gml_point(4.4, 51.2, "EPSG:4326"))


@pytest.mark.parametrize("text, message", [
    ("<gml:Point", "not valid GML"),
    ("", "expected a GML string"),
    (gml_polygon([(0, 0), (0, 1), (1, 1), (0, 0)]), "expected a gml:Point"),
    (f'<gml:Point srsName="EPSG:31370" {GML_NS}><gml:pos>1 2 3</gml:pos></gml:Point>',
     "does not split"),
    (f'<gml:Point srsName="EPSG:31370" {GML_NS}><gml:pos>1 x</gml:pos></gml:Point>',
     "non-numeric"),
    (f'<gml:Point srsName="EPSG:31370" {GML_NS}></gml:Point>', "without gml:pos"),
])
def test_parse_gml_point_rejects_malformed_input(text, message):
    with pytest.raises(InputError, match=message):
        parse_gml_point(text)


def test_parse_gml_polygon_area_hole_and_open_ring():
    shell = [(0.0, 0.0), (0.0, 10.0), (20.0, 10.0), (20.0, 0.0)]  # open: closed by the parser
    hole = [(5.0, 2.0), (5.0, 4.0), (7.0, 4.0), (7.0, 2.0), (5.0, 2.0)]
    polygon = parse_gml_polygon(gml_polygon(shell, [hole]))
    assert isinstance(polygon, Polygon)
    assert polygon.area == pytest.approx(200.0 - 4.0)
    assert len(polygon.interiors) == 1


def test_parse_gml_multisurface():
    gml = (f'<gml:MultiSurface srsName="EPSG:31370" {GML_NS}>'
           '<gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>'
           '0 0 0 1 1 1 1 0 0 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>'
           '</gml:surfaceMember><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>'
           '<gml:posList>5 5 5 7 7 7 7 5 5 5</gml:posList></gml:LinearRing></gml:exterior>'
           '</gml:Polygon></gml:surfaceMember></gml:MultiSurface>')
    geom = parse_gml_polygon(gml)
    assert isinstance(geom, MultiPolygon) and geom.area == pytest.approx(5.0)


def test_parse_gml_polygon_rejects_degenerate_ring_and_wrong_element():
    with pytest.raises(InputError, match="fewer than 3"):
        parse_gml_polygon(gml_polygon([(0, 0), (1, 1)]))
    with pytest.raises(InputError, match="expected a gml:Polygon"):
        parse_gml_polygon(gml_point(1, 2))


coordinate = st.floats(min_value=20_000, max_value=260_000, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(x0=coordinate, y0=coordinate, w=st.floats(0.5, 100), h=st.floats(0.5, 100))
def test_parse_gml_polygon_round_trips_coordinates(x0, y0, w, h):
    shell = [(x0, y0), (x0, y0 + h), (x0 + w, y0 + h), (x0 + w, y0), (x0, y0)]
    polygon = parse_gml_polygon(gml_polygon(shell))
    assert np.array_equal(np.asarray(polygon.exterior.coords), np.asarray(shell))


def test_both_crs_variants_of_real_feed_geometries_agree():
    """Every feed geometry is given in EPSG:31370 and EPSG:3812: after reprojection they must
    describe the same place (PROJ without the Belgian grid: within 0.25 m)."""
    n = 0
    for event in all_real_events():
        for attribute in event["data"].get("attributen", []):
            value = attribute["nieuweWaarde"]
            if not (isinstance(value, list) and value and isinstance(value[0], dict)
                    and "gml" in value[0]):
                continue
            by_crs = {("3812" if "/3812" in v["gml"][:120] else "31370"): v["gml"]
                      for v in value}
            parse = parse_gml_point if "Point" in by_crs["31370"][:20] else parse_gml_polygon
            a, b = parse(by_crs["31370"]), parse(by_crs["3812"])
            assert a.hausdorff_distance(b) < 0.25
            n += 1
    assert n == 19  # 12 points and 7 footprints in the recorded feeds


# --------------------------------------------------------------------------- objects


def test_parse_address_real_detail():
    record = parse_address(real_json("rest_v2", "adres.json"))
    assert record == {
        "adres_id": "900746", "street": "Sint-Jansvest", "house_number": "50",
        "box_number": None, "postcode": "9000", "nis_code": "44021",
        "address_status": "inGebruik", "officially_assigned": True,
        "x": 105052.34, "y": 193542.11, "position_method": "aangeduidDoorBeheerder",
        "position_spec": "perceel", "straatnaam_id": "71608",
        "version_id": "2016-12-19T15:23:28+01:00",
    }
    assert set(record) == set(ADDRESS_COLUMNS)


def test_parse_address_real_list_items_box_numbers():
    items = real_json("rest_v2", "adressen.json")["adressen"]
    records = [parse_address(item) for item in items]
    assert [(r["adres_id"], r["house_number"], r["box_number"]) for r in records] == [
        ("307106", "4", None), ("364340", "11", "1")]
    assert all(np.isnan(r["x"]) for r in records)  # the list carries no position


@pytest.mark.parametrize("obj, message", [
    ({"huisnummer": "1"}, "no identificator.objectId"),
    ({"identificator": {"objectId": "5"}}, "no huisnummer"),
    (["not", "an", "object"], "expected a JSON object"),
    ({"identificator": {"objectId": "5"}, "huisnummer": "1",
      "adresPositie": {"geometrie": {"gml": "<broken"}}}, "not valid GML"),
])
def test_parse_address_rejects_malformed_objects(obj, message):
    with pytest.raises(InputError, match=message):
        parse_address(obj)


def test_parse_parcel_real_writes_capakey_with_slash():
    record = parse_parcel(real_json("rest_v2", "perceel.json"))
    assert record["capakey"] == "13013C0384/02H003"
    assert record["parcel_status"] == "gerealiseerd"
    assert record["adres_ids"] == ["200001"]


def test_parse_building_and_unit_recorded_shapes():
    building = parse_building(json.loads((RECORDED / "gebouw_3003.json").read_text())["body"])
    assert building["gebouw_id"] == "3003"
    assert building["geometry"].area == pytest.approx(15 * 12)
    assert building["capakeys"] == ["99001A0003/00C000", "99001A0004/00D000"]
    assert building["unit_ids"] == ["2003", "2004", "2005"]
    unit = parse_building_unit(
        json.loads((RECORDED / "gebouweenheid_2005.json").read_text())["body"])
    assert unit["function"] == "gemeenschappelijkDeel"
    assert unit["adres_ids"] == ["1003", "1004", "1006"]
    with pytest.raises(InputError, match="no gebouw.objectId"):
        parse_building_unit({"identificator": {"objectId": "1"}})


# ------------------------------------------------------------------------ transports


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def http_error(url, code, body=b"", retry_after=None):
    headers = Message()
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return urllib.error.HTTPError(url, code, "error", headers, io.BytesIO(body))


class FakeUrlopen:
    """Plays a script of answers: bytes (a 200 body) or an exception to raise."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return FakeResponse(answer)


def test_http_transport_success_sends_headers_and_params():
    opener = FakeUrlopen(b'{"adressen": []}')
    transport = HttpTransport(api_key="k3y", urlopen=opener, sleep=lambda s: None)
    assert transport.get_json(f"{B}/adressen", {"niscode": "13002", "limit": 500}) == {
        "adressen": []}
    request = opener.requests[0]
    assert request.full_url == f"{B}/adressen?limit=500&niscode=13002"
    assert request.get_header("Accept").startswith("application/ld+json")
    assert request.get_header("User-agent").startswith("wijkreno/")
    assert request.get_header("X-api-key") == "k3y"


def test_http_transport_feed_accept_header():
    opener = FakeUrlopen(b"[]")
    HttpTransport(urlopen=opener).get_json(f"{B}/feeds/wijzigingen/adressen", {"pagina": 1})
    assert "cloudevents-batch+json" in opener.requests[0].get_header("Accept")


def test_http_transport_retries_429_with_retry_after_then_succeeds():
    url = f"{B}/adressen/1"
    opener = FakeUrlopen(http_error(url, 429, retry_after=7), http_error(url, 503), b"{}")
    sleeps = []
    transport = HttpTransport(urlopen=opener, sleep=sleeps.append, backoff_s=1.0)
    assert transport.get_json(url) == {}
    assert sleeps == [7.0, 2.0]  # Retry-After honoured, then backoff 1 s x 2^1
    assert len(opener.requests) == 3


def test_http_transport_gives_up_after_retries_naming_url_and_status():
    url = f"{B}/adressen/1"
    opener = FakeUrlopen(*[http_error(url, 503) for _ in range(3)])
    transport = HttpTransport(urlopen=opener, sleep=lambda s: None, max_retries=2)
    with pytest.raises(ServiceError) as info:
        transport.get_json(url)
    assert isinstance(info.value, WijkrenoError)
    assert info.value.status == 503 and url in str(info.value) and "503" in str(info.value)
    assert len(opener.requests) == 3


def test_http_transport_does_not_retry_404_and_reports_problem_detail():
    url = f"{B}/gebouwen/42"
    body = json.dumps({"title": "Er is een probleem", "detail": "Onbestaand gebouw."}).encode()
    opener = FakeUrlopen(http_error(url, 404, body))
    with pytest.raises(ServiceError, match="Onbestaand gebouw") as info:
        HttpTransport(urlopen=opener, sleep=lambda s: None).get_json(url)
    assert info.value.status == 404 and len(opener.requests) == 1
    assert url in str(info.value)


def test_http_transport_network_error_and_non_json():
    url = f"{B}/adressen/1"
    opener = FakeUrlopen(urllib.error.URLError("no route"), urllib.error.URLError("no route"))
    with pytest.raises(ServiceError, match="no route") as info:
        HttpTransport(urlopen=opener, sleep=lambda s: None, max_retries=1).get_json(url)
    assert info.value.status is None
    with pytest.raises(ServiceError, match="not JSON"):
        HttpTransport(urlopen=FakeUrlopen(b"<html>")).get_json(url)


def test_http_transport_refuses_bad_settings():
    with pytest.raises(InputError, match="timeout_s=0"):
        HttpTransport(timeout_s=0)


def test_canonical_url_ignores_parameter_order():
    assert canonical_url(f"{B}/adressen?niscode=1&limit=3") == canonical_url(
        f"{B}/adressen", {"limit": 3, "niscode": "1", "status": None})


def test_recorded_transport_errors(tmp_path):
    transport = RecordedTransport({f"{B}/gebouwen/1": {"detail": "Verwijderd gebouw."}},
                                  statuses={f"{B}/gebouwen/1": 410})
    with pytest.raises(ServiceError, match="Verwijderd gebouw") as info:
        transport.get_json(f"{B}/gebouwen/1")
    assert info.value.status == 410
    with pytest.raises(ServiceError, match="no recorded response"):
        transport.get_json(f"{B}/gebouwen/2")
    (tmp_path / "bad.json").write_text('{"body": {}}')
    with pytest.raises(InputError, match="not a recorded response"):
        RecordedTransport.from_directory(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        RecordedTransport.from_directory(tmp_path / "missing")


# -------------------------------------------------------------------------- fetching


def test_get_addresses_follows_paging(proefdorp):
    addresses = get_addresses("99001", transport=proefdorp, page_size=3, max_workers=1)
    assert list(addresses["adres_id"]) == ["1001", "1002", "1003", "1004", "1005", "1006"]
    assert list(addresses.columns) == [*ADDRESS_COLUMNS, "geometry"]
    assert addresses.crs.to_epsg() == 31370
    assert set(addresses.geom_type) == {"Point"}
    assert proefdorp.requests[:2] == [
        canonical_url(f"{B}/adressen?niscode=99001&limit=3"),
        canonical_url(f"{B}/adressen?offset=3&limit=3&niscode=99001"),
    ]
    assert len(proefdorp.requests) == 2 + 6
    row = addresses.set_index("adres_id").loc["1003"]
    assert (row["street"], row["house_number"], row["box_number"], row["postcode"],
            row["nis_code"]) == ("Kerkstraat", "5", "1", "9999", "99001")
    assert pd.isna(addresses.set_index("adres_id").loc["1001", "box_number"])
    # address 1004 was recorded in EPSG:3812 and comes back in Lambert 72
    assert addresses.set_index("adres_id").loc["1004", "geometry"].distance(
        Point(150027.5, 200001.0)) < 0.02
    assert addresses.attrs["rejected"] == []


def test_get_addresses_limit_and_status_save_requests(proefdorp):
    first = get_addresses("99001", transport=proefdorp, page_size=3, limit=2, max_workers=1)
    assert list(first["adres_id"]) == ["1001", "1002"]
    assert len(proefdorp.requests) == 1 + 2  # one list page, two details
    in_use = get_addresses(99001, transport=proefdorp, page_size=3, status="inGebruik")
    assert "1005" not in set(in_use["adres_id"]) and len(in_use) == 5
    assert canonical_url(f"{B}/adressen/1005") not in proefdorp.requests


@pytest.mark.parametrize("nis", ["1300", "13OO2", "130021", ""])
def test_get_addresses_rejects_bad_nis_code(proefdorp, nis):
    with pytest.raises(InputError, match="5-digit NIS code"):
        get_addresses(nis, transport=proefdorp)
    assert proefdorp.requests == []


def test_get_addresses_rejects_malformed_and_gone_objects_but_keeps_the_rest():
    detail = json.loads((RECORDED / "adres_1001.json").read_text())["body"]
    transport = RecordedTransport(
        {
            f"{B}/adressen?niscode=99001&limit=500": {"adressen": [
                {"identificator": {"objectId": "1001"}, "adresStatus": "inGebruik"},
                {"huisnummer": "9"},  # no identificator
                {"identificator": {"objectId": "77"}, "adresStatus": "inGebruik"},
                {"identificator": {"objectId": "78"}, "adresStatus": "inGebruik"},
            ]},
            f"{B}/adressen/1001": detail,
            f"{B}/adressen/77": {"title": "Verwijderd adres."},
            f"{B}/adressen/78": {"identificator": {"objectId": "78"}},  # no huisnummer
        },
        statuses={f"{B}/adressen/77": 410},
    )
    addresses = get_addresses("99001", transport=transport, max_workers=1)
    assert list(addresses["adres_id"]) == ["1001"]
    rejected = pd.DataFrame(addresses.attrs["rejected"])
    assert list(rejected.columns) == list(REJECTED_COLUMNS)
    assert len(rejected) == 3
    assert "410" in " ".join(rejected["reason"])
    assert "no huisnummer" in " ".join(rejected["reason"])


def test_get_addresses_server_error_propagates_with_url():
    url = f"{B}/adressen/1001"
    transport = RecordedTransport(
        {f"{B}/adressen?niscode=99001&limit=500": {"adressen": [
            {"identificator": {"objectId": "1001"}}]}, url: {"detail": "boom"}},
        statuses={url: 500},
    )
    with pytest.raises(ServiceError, match="HTTP 500") as info:
        get_addresses("99001", transport=transport)
    assert url in str(info.value)


def test_paging_loop_and_missing_array_are_errors():
    url = f"{B}/adressen?niscode=99001&limit=500"
    looping = RecordedTransport({url: {"adressen": [{"identificator": {"objectId": "1"}}],
                                       "volgende": url}})
    with pytest.raises(ServiceError, match="loop"):
        get_addresses("99001", transport=looping, status="none-matches")
    wrong = RecordedTransport({url: {"gebouwen": []}})
    with pytest.raises(ServiceError, match="no 'adressen' array"):
        get_addresses("99001", transport=wrong)


def test_get_building_units_from_addresses(proefdorp):
    addresses = get_addresses("99001", transport=proefdorp, page_size=3)
    units = get_building_units("99001", transport=proefdorp, addresses=addresses, page_size=3)
    assert list(units.columns) == list(BUILDING_UNIT_COLUMNS)
    assert list(units["gebouweenheid_id"]) == ["2001", "1999", "2002", "2003", "2005", "2004"]
    by_id = units.set_index("gebouweenheid_id")
    assert by_id.loc["2005", "adres_ids"] == ["1003", "1004", "1006"]
    assert by_id.loc["2005", "function"] == "gemeenschappelijkDeel"
    assert by_id.loc["1999", "status"] == "gehistoreerd"
    assert set(units["gebouw_id"]) == {"3001", "3002", "3003"}
    assert (units["nis_code"] == "99001").all()


def test_get_building_units_without_addresses_lists_ids_only(proefdorp):
    units = get_building_units("99001", transport=proefdorp, page_size=3, max_workers=1)
    assert len(units) == 6
    assert not any("/adressen/" in r for r in proefdorp.requests)  # no address details


def test_get_building_units_status_filter_skips_details(proefdorp):
    units = get_building_units("99001", transport=proefdorp, page_size=3,
                               status="gerealiseerd")
    assert "1999" not in set(units["gebouweenheid_id"]) and len(units) == 5
    assert canonical_url(f"{B}/gebouweenheden/1999") not in proefdorp.requests


def test_get_buildings_footprints(proefdorp):
    buildings = get_buildings("99001", transport=proefdorp, page_size=3)
    assert list(buildings.columns) == list(BUILDING_COLUMNS)
    assert buildings.crs.to_epsg() == 31370
    areas = dict(zip(buildings["gebouw_id"], buildings.area, strict=True))
    assert areas == pytest.approx({"3001": 60.0, "3002": 60.0, "3003": 180.0})
    assert buildings.set_index("gebouw_id").loc["3003", "capakeys"] == [
        "99001A0003/00C000", "99001A0004/00D000"]
    assert set(buildings["building_status"]) == {"gerealiseerd"}
    # the two houses share a wall: a party wall of 10 m
    geoms = buildings.set_index("gebouw_id").geometry
    assert geoms["3001"].intersection(geoms["3002"]).length == pytest.approx(10.0)


def test_get_buildings_rejects_building_without_footprint():
    units = pd.DataFrame({"gebouw_id": ["1", "2"]})
    body = json.loads((RECORDED / "gebouw_3001.json").read_text())["body"]
    transport = RecordedTransport({f"{B}/gebouwen/1": body,
                                   f"{B}/gebouwen/2": {"identificator": {"objectId": "2"},
                                                       "gebouwStatus": "gepland"}})
    buildings = get_buildings("99001", transport=transport, building_units=units)
    assert list(buildings["gebouw_id"]) == ["3001"]
    assert buildings.attrs["rejected"][0]["id"] == "2"
    with pytest.raises(InputError, match="no 'gebouw_id' column"):
        get_buildings("99001", transport=transport, building_units=pd.DataFrame({"x": [1]}))


def test_get_parcels_real_shape():
    body = real_json("rest_v2", "perceel.json")
    transport = RecordedTransport({f"{B}/percelen/13013C0384-02H003": body})
    parcels = get_parcels(["13013C0384/02H003", "13013C0384-02H003"], transport=transport)
    assert list(parcels["capakey"]) == ["13013C0384/02H003"]
    assert len(transport.requests) == 1


def test_get_feed_page():
    events = real_json("feeds_v2", "building-create-retire.json")
    url = f"{B}/feeds/wijzigingen/gebouwen?pagina=1"
    transport = RecordedTransport({url: events, f"{B}/feeds/wijzigingen/gebouwen?pagina=2": {}})
    assert get_feed_page("gebouwen", 1, transport=transport) == events
    with pytest.raises(ServiceError, match="JSON array"):
        get_feed_page("gebouwen", 2, transport=transport)
    with pytest.raises(InputError, match="unknown feed"):
        get_feed_page("gemeenten", 1, transport=transport)


# --------------------------------------------------------------------------- linking


def test_link_addresses_to_buildings_proefdorp(proefdorp):
    addresses = get_addresses("99001", transport=proefdorp, page_size=3)
    units = get_building_units("99001", transport=proefdorp, addresses=addresses, page_size=3)
    links = link_addresses_to_buildings(addresses, units)
    assert links.name == "gebouw_id"
    got = {a: (None if pd.isna(g) else g)
           for a, g in zip(addresses["adres_id"], links, strict=True)}
    assert got == EXPECTED_LINKS


def test_link_keeps_a_non_default_index_and_handles_empty_input():
    addresses = pd.DataFrame({"adres_id": ["3", "1", "2"]}, index=[30, 10, 20])
    units = pd.DataFrame({
        "gebouweenheid_id": ["u1", "u2"], "gebouw_id": ["A", "B"],
        "adres_ids": [["1"], ["2", "3"]],
    })
    links = link_addresses_to_buildings(addresses, units)
    assert links.to_dict() == {30: "B", 10: "A", 20: "B"}
    empty = link_addresses_to_buildings(addresses.iloc[:0], units)
    assert empty.empty
    assert link_addresses_to_buildings(addresses, units.iloc[:0]).isna().all()
    with pytest.raises(InputError, match="lacks columns"):
        link_addresses_to_buildings(addresses, units.drop(columns="adres_ids"))


def test_link_prefers_private_unit_over_common_part():
    addresses = pd.DataFrame({"adres_id": ["1"]})
    units = pd.DataFrame({
        "gebouweenheid_id": ["10", "20"], "gebouw_id": ["COMMON", "PRIVATE"],
        "adres_ids": [["1"], ["1"]], "status": ["gerealiseerd", "gerealiseerd"],
        "function": ["gemeenschappelijkDeel", "nietGekend"],
    })
    assert link_addresses_to_buildings(addresses, units).iloc[0] == "PRIVATE"


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_link_does_not_depend_on_unit_order(seed):
    rng = random.Random(seed)
    statuses = list(br._UNIT_STATUS_RANK)
    units = pd.DataFrame({
        "gebouweenheid_id": [str(i) for i in range(12)],
        "gebouw_id": [f"G{rng.randrange(4)}" for _ in range(12)],
        "adres_ids": [[str(rng.randrange(6)) for _ in range(rng.randrange(1, 3))]
                      for _ in range(12)],
        "status": [rng.choice(statuses) for _ in range(12)],
        "function": [rng.choice(["nietGekend", "gemeenschappelijkDeel"]) for _ in range(12)],
    })
    addresses = pd.DataFrame({"adres_id": [str(i) for i in range(7)]})
    shuffled = units.sample(frac=1.0, random_state=seed)
    pd.testing.assert_series_equal(link_addresses_to_buildings(addresses, units),
                                   link_addresses_to_buildings(addresses, shuffled))


# ------------------------------------------------------------------------------ feeds


def test_feed_address_create_update_retire_delete_with_box_number():
    events = real_feed("address-create-update-retire-delete-boxnumber.json")
    created = apply_feed(events[:1]).addresses.set_index("adres_id").loc["31319625"]
    assert (created["house_number"], created["box_number"], created["postcode"],
            created["straatnaam_id"], created["nis_code"]) == ("30", "002", "9620", "64260",
                                                               "41081")
    assert created["address_status"] == "voorgesteld"
    assert (created["position_method"], created["position_spec"]) == (
        "afgeleidVanObject", "perceel")
    assert (created["x"], created["y"]) == (109560.95, 168981.82)  # the 31370 variant
    retired = apply_feed(events[:3]).addresses.set_index("adres_id").loc["31319625"]
    assert retired["address_status"] == "gehistoreerd"
    assert apply_feed(events).addresses.empty


def test_feed_address_transform_records_lineage():
    state = apply_feed(real_feed("address-create-update-transform.json"))
    lineage = state.transformations
    assert set(zip(lineage["from_id"], lineage["to_id"], strict=True)) == {
        ("963208", "30411696"), ("1767836", "30411697"), ("1067347", "30411698"),
        ("975377", "30411699"), ("30411696", "31295628")}
    assert set(lineage["object_type"]) == {"address"}
    address = state.addresses.set_index("adres_id").loc["30411696"]
    assert address["address_status"] == "gehistoreerd" and address["nis_code"] == "46003"


def test_feed_removal_corrected_brings_objects_back():
    state = apply_feed(real_feed("address-removal-corrected.json",
                                 "buildingunit-removal-corrected.json"))
    assert list(state.addresses["adres_id"]) == ["31320666"]
    assert list(state.building_units["gebouweenheid_id"]) == ["15869061"]
    assert state.building_units["status"].iloc[0] == "gerealiseerd"


def test_feed_building_geometry_update_retire_and_delete():
    events = real_feed("building-create-many-updates.json")
    first = apply_feed(events[:1]).buildings.geometry.iloc[0]
    final = apply_feed(events).buildings
    new_gml = next(g["gml"] for a in events[-1]["data"]["attributen"]
                   for g in a["nieuweWaarde"] if "31370" in g["projectie"])
    assert final.geometry.iloc[0].equals(parse_gml_polygon(new_gml))
    assert not final.geometry.iloc[0].equals(first)
    assert final.crs.to_epsg() == 31370
    assert final["geometry_method"].iloc[0] == "ingemetenGRB"
    retired = apply_feed(real_feed("building-create-retire.json")).buildings
    assert retired["building_status"].iloc[0] == "gehistoreerd"
    assert apply_feed(real_feed("building-create-update-delete.json")).buildings.empty


def test_feed_building_unit_links_follow_the_events():
    moved = apply_feed(real_feed("buildingunit-create-change-building.json")[:2])
    assert moved.building_units["gebouw_id"].iloc[0] == "6117910"  # was 5680698
    state = apply_feed(real_feed("buildingunit-ping-pong-addresses.json",
                                 "buildingunit-multiple-addresses.json",
                                 "buildingunit-create-update-addresses.json",
                                 "buildingunit-create-retire-remove.json"))
    by_id = state.building_units.set_index("gebouweenheid_id")
    assert by_id.loc["5677483", "adres_ids"] == ["304486", "2314327"]
    assert by_id.loc["31779857", "adres_ids"] == ["31320594", "31320595", "31320596",
                                                  "31320597"]
    assert by_id.loc["31779857", "status"] == "gerealiseerd"
    assert by_id.loc["5674659", "adres_ids"] == ["30720540"]  # replaced at the 2025 merger
    assert by_id.loc["5674659", "nis_code"] == "37022"
    assert "5812645" not in by_id.index  # removed with its building


def test_feed_full_replay_is_clean_idempotent_and_order_free():
    events = all_real_events()
    state = apply_feed(events)
    assert state.rejected.empty
    assert state.n_ignored == 29  # municipality and postal-information events
    assert len(state.street_names) == 2 and len(state.parcels) == 2
    assert set(state.parcels["capakey"]) == {"11001B0026/00A004", "72015B0517/00B002"}
    again = apply_feed(events, state)
    assert again.rejected.empty  # nothing re-applied: no second delete of a deleted object
    assert len(again.transformations) == len(state.transformations) == 6
    assert again.last_event_ids == state.last_event_ids
    shuffled = apply_feed(random.Random(1).sample(events, len(events)))
    half = apply_feed(events[len(events) // 2:], apply_feed(events[: len(events) // 2]))
    for other in (again, shuffled):
        for name in ("addresses", "building_units", "parcels", "street_names"):
            pd.testing.assert_frame_equal(getattr(state, name), getattr(other, name),
                                          check_dtype=False)
        assert state.buildings.geom_equals(other.buildings).all()
    # replaying in two halves (files interleave feeds) gives the same objects
    assert set(half.addresses["adres_id"]) == set(state.addresses["adres_id"])
    assert set(half.building_units["gebouweenheid_id"]) == set(
        state.building_units["gebouweenheid_id"])


def test_feed_lambert2008_only_geometry_is_reprojected():
    events = real_feed("building-create-retire.json")[:1]
    attribute = next(a for a in events[0]["data"]["attributen"]
                     if a["naam"] == "gebouwGeometrie")
    full = apply_feed(events).buildings.geometry.iloc[0]
    attribute["nieuweWaarde"] = [g for g in attribute["nieuweWaarde"]
                                 if g["projectie"].endswith("3812")]
    only_3812 = apply_feed(events).buildings.geometry.iloc[0]
    assert only_3812.hausdorff_distance(full) < 0.25


def test_feed_bad_events_are_rejected_and_the_rest_applied():
    good = real_feed("building-create-retire.json")
    events = [
        {"id": "1", "type": "basisregisters.building.update.v1",
         "data": {"objectId": "999", "attributen": []}},  # unknown building
        {"id": "2", "type": "basisregisters.address.create.v1"},  # no data
        "not an event",
        {"id": "3", "type": "something.else"},
        {"id": "4", "type": "basisregisters.building.create.v1",
         "data": {"objectId": "5", "attributen": [
             {"naam": "gebouwGeometrie", "nieuweWaarde": [{"gml": "<broken"}]}]}},
        *good,
    ]
    state = apply_feed(events)
    assert list(state.buildings["gebouw_id"]) == ["5666666"]
    assert len(state.rejected) == 5
    reasons = " | ".join(state.rejected["reason"])
    assert "update for unknown building 999" in reasons
    assert "without a 'data' object" in reasons and "not valid GML" in reasons
    assert set(state.rejected["input"]) >= {"feed:building", "feed:address", "feed"}


def test_feed_state_links_addresses_to_buildings():
    state = apply_feed(real_feed("buildingunit-multiple-addresses.json"))
    addresses = pd.DataFrame({"adres_id": ["31320595", "404"]})
    assert link_addresses_to_buildings(addresses, state.building_units).tolist()[0] == "31732080"


def test_empty_feed_state():
    state = apply_feed([])
    assert isinstance(state, FeedState)
    assert state.addresses.empty and state.buildings.crs.to_epsg() == 31370
    assert list(state.rejected.columns) == list(REJECTED_COLUMNS)


# ------------------------------------------------------------------------------ files


def test_download_sources_writes_loadable_files(proefdorp, tmp_path):
    paths = download_sources("99001", tmp_path / "out", transport=proefdorp, page_size=3,
                             max_workers=2)
    assert {p.name for p in paths.values()} == {
        "gebouwen.gpkg", "adressen.csv", "gebouweenheden.csv", "provenance.json"}
    raw = gpd.read_file(paths["buildings"], layer="gebouwen")
    assert {"gebouwid", "status", "geommet", "capakeys"} <= set(raw.columns)
    assert "99001A0003/00C000;99001A0004/00D000" in set(raw["capakeys"])
    raw_addresses = pd.read_csv(paths["addresses"], dtype=str, keep_default_na=False)
    assert {"adresid", "huisnr", "busnr", "gebouwid", "EPSG:31370_x"} <= set(
        raw_addresses.columns)
    units = pd.read_csv(paths["building_units"], dtype=str)
    assert units.set_index("gebouweenheid_id").loc["2005", "adres_ids"] == "1003;1004;1006"
    provenance = json.loads(paths["provenance"].read_text("utf-8"))
    assert provenance["counts"]["buildings"] == 3
    assert provenance["counts"]["addresses_linked_to_a_building"] == 5
    assert provenance["nis_code"] == "99001"
    # the retired address was filtered on the list: its detail was never requested
    assert canonical_url(f"{B}/adressen/1005") not in proefdorp.requests


def test_download_sources_files_load_through_the_file_readers(proefdorp, tmp_path):
    from wijkreno.io.sources import read_addresses, read_buildings

    paths = download_sources("99001", tmp_path, transport=proefdorp, page_size=3)
    buildings = read_buildings(paths["buildings"])
    assert buildings.rejected.empty
    frame = buildings.frame
    assert frame.attrs["source_layout"] == "gebouwenregister"
    assert sorted(frame["gebouw_id"]) == ["3001", "3002", "3003"]
    assert set(frame["building_status"]) == {"realized"}
    assert frame.crs.to_epsg() == 31370 and frame.area.sum() == pytest.approx(300.0)
    addresses = read_addresses(paths["addresses"])
    assert addresses.rejected.empty
    frame = addresses.frame.set_index("adres_id")
    assert addresses.frame.attrs["source_layout"] == "adressenregister"
    expected = {a: g for a, g in EXPECTED_LINKS.items() if a != "1005"}  # only in-use kept
    assert {a: frame.loc[a, "gebouw_id"] for a in expected} == expected
    assert frame.loc["1003", "box_number"] == "1" and pd.isna(frame.loc["1001", "box_number"])
    assert set(frame["address_status"]) == {"current"}
    assert set(frame["street"]) == {"Kerkstraat"} and set(frame["nis_code"]) == {"99001"}
    assert frame.loc["1004", "geometry"].distance(Point(150027.5, 200001.0)) < 0.02
    assert frame.crs.to_epsg() == 31370


def test_download_sources_refuses_a_file_as_folder(proefdorp, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        download_sources("99001", target, transport=proefdorp)


def test_download_sources_refuses_a_municipality_without_addresses(tmp_path):
    transport = RecordedTransport({f"{B}/adressen?niscode=99999&limit=500": {"adressen": []}})
    with pytest.raises(InputError, match="no addresses for NIS 99999"):
        download_sources("99999", tmp_path, transport=transport)
    assert not any(tmp_path.iterdir())
