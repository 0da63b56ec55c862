"""Client for the Flemish base registers (Basisregisters Vlaanderen, API v2).

Online users fetch a municipality's addresses, building units and building footprints from
the official read endpoints instead of downloading files by hand, and keep them current by
replaying the change feeds. Every function here takes an explicit :class:`Transport` (the
thing that turns a URL into parsed JSON): :class:`HttpTransport` talks to the real service
with ``urllib``; :class:`RecordedTransport` serves recorded responses, for tests and offline
demos. Nothing in this module calls the network on import or without a transport.

Endpoints used (base ``https://api.basisregisters.vlaanderen.be/v2``, JSON-LD, lists paged by
``offset``/``limit`` with at most 500 items per page and a ``volgende`` link to the next page):

=====================================================  ============================================
endpoint                                               used by
=====================================================  ============================================
``GET /adressen?niscode={nis}&limit=…``                :func:`get_addresses` (list: id, number,
                                                       status; the list has no position)
``GET /adressen/{id}``                                 :func:`get_addresses` (street, postcode,
                                                       position as GML)
``GET /gebouweenheden?adresObjectId={id}&limit=…``     :func:`get_building_units`
``GET /gebouweenheden/{id}``                           :func:`get_building_units` (building,
                                                       function, status, linked addresses)
``GET /gebouwen/{id}``                                 :func:`get_buildings` (footprint as GML,
                                                       status, parcels)
``GET /percelen/{capakey}``                            :func:`get_parcels`
``GET /feeds/wijzigingen/{feed}?pagina={n}``           :func:`get_feed_page` (CloudEvents 1.0)
=====================================================  ============================================

Filters of the v2 list endpoints, as the service documents them (``Public.Api`` controllers of
Digitaal Vlaanderen): ``/adressen`` takes ``gemeentenaam``, ``postcode``, ``straatnaam``,
``homoniemToevoeging``, ``huisnummer``, ``busnummer``, ``niscode``, ``status``;
``/gebouweenheden`` takes ``adresObjectId`` and ``status``; ``/gebouwen`` takes only
``status`` (and ``capakey``). **The building endpoints have no municipality filter**, so
:func:`get_buildings` reaches a municipality's buildings through its addresses (address →
building unit → building, the route the register's own FAQ describes). Buildings without any
addressed unit — most garages, sheds and annexes — are therefore *not* found this way; for a
complete footprint layer (annexes included) use the register's download file or WFS and
:mod:`wijkreno.io.sources`. The requests grow with the number of addresses: about one
address detail, one unit list, one unit detail per address and one detail per building.

Official field names become house names here, in one place per object (the ``parse_*``
functions); status, method and specification values keep the register's own vocabulary
(``inGebruik``, ``gerealiseerd``, ``aangeduidDoorBeheerder``...), with the concept URIs of the
feeds cut to their last segment so the REST and feed tables agree. Ids are strings: the
objectId (``"5811158"``), never the URI. CAPAKEYs are written the cadastral way, with ``/``
(the API writes ``13013C0384-02H003``, the GRB parcels ``13013C0384/02H003``).

Coordinates come as GML in EPSG:31370 (REST) or in both EPSG:31370 and EPSG:3812 (feeds); the
31370 variant is used when present, EPSG:3812 is reprojected with pyproj. Without PROJ's
Belgian grid (``be_ign_bd72lb72_etrs89lb08.tif``, not shipped) the reprojection is the 7-parameter
BD72 transformation: within 0.2 m of the register's own 31370 coordinates in the recorded feed
samples, well below what a building-stock model needs.

Data licence: Modellicentie Gratis Hergebruik — attribution "Digitaal Vlaanderen,
Gebouwen- en Adressenregister".
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from wijkreno import __version__
from wijkreno.crs import CRS_EPSG
from wijkreno.errors import CRSError, InputError, WijkrenoError
from wijkreno.io import columns as cols
from wijkreno.twin.schema import REJECTED_COLUMNS

logger = logging.getLogger(__name__)

API_BASE = "https://api.basisregisters.vlaanderen.be/v2"
"""Production base URL of the v2 read endpoints (staging: ``api.basisregisters.staging-
vlaanderen.be``)."""

MAX_PAGE_SIZE = 500
"""Largest ``limit`` the v2 list endpoints accept (their documentation: "Maximaal kunnen er 500
worden teruggegeven")."""

LAMBERT2008 = 3812

USER_AGENT = f"wijkreno/{__version__} (python-urllib; Flemish building-stock renovation twin)"

ADDRESS_COLUMNS: tuple[str, ...] = (
    "adres_id", "street", "house_number", "box_number", "postcode", "nis_code",
    "address_status", "officially_assigned", "x", "y", "position_method", "position_spec",
    "straatnaam_id", "version_id",
)
"""Columns of an address table (REST and feed). ``x``, ``y``: position in EPSG:31370 [m]."""

BUILDING_COLUMNS: tuple[str, ...] = (
    "gebouw_id", "building_status", "geometry_method", "nis_code", "capakeys", "version_id",
    "geometry",
)
"""Columns of a building table; ``capakeys`` is a list of the parcels under the building."""

BUILDING_UNIT_COLUMNS: tuple[str, ...] = (
    "gebouweenheid_id", "gebouw_id", "function", "status", "adres_ids", "x", "y",
    "position_method", "has_deviation", "nis_code", "version_id",
)
"""Columns of a building-unit table; ``adres_ids`` is a list of address ids."""

PARCEL_COLUMNS: tuple[str, ...] = ("capakey", "parcel_status", "adres_ids", "version_id")

STREET_NAME_COLUMNS: tuple[str, ...] = (
    "straatnaam_id", "street", "homonym_addition", "street_status", "nis_code", "version_id",
)

TRANSFORMATION_COLUMNS: tuple[str, ...] = ("object_type", "from_id", "to_id", "event_id", "time")
"""Lineage recorded from ``transform`` events (street readdressing, municipal mergers)."""

# Unit status rank for linking an address to one building: a realised unit wins over a planned
# one, which wins over retired / not-realised ones (register status vocabulary).
_UNIT_STATUS_RANK = {"gerealiseerd": 0, "gepland": 1, "nietGerealiseerd": 2, "gehistoreerd": 3}
_COMMON_PART = "gemeenschappelijkDeel"

_NIS_RE = re.compile(r"\d{5}")
_EPSG_RE = re.compile(r"(\d{4,6})\s*$")


# --------------------------------------------------------------------------------------------
# errors and transports
# --------------------------------------------------------------------------------------------


class ServiceError(WijkrenoError):
    """A base-register request failed; ``status`` is the HTTP status (None: no answer).

    Parameters
    ----------
    url : str
        The URL that was requested.
    status : int or None
        HTTP status code, or None when the service could not be reached.
    detail : str
        What the service (or the network) said.
    """

    def __init__(self, url: str, status: int | None, detail: str = "") -> None:
        self.url = url
        self.status = status
        self.detail = detail
        if status is None:
            what = f"could not get {url}: {detail}"
            hint = ("Check the internet connection, or work offline from the register's "
                    "download files (wijkreno.io.sources).")
        else:
            what = f"the base-register service answered HTTP {status} for {url}"
            if detail:
                what += f" ({detail})"
            if status == 429:
                hint = ("The request rate limit was hit: retry later, lower max_workers, or "
                        "pass an API key (HttpTransport(api_key=...)).")
            elif status in (404, 410):
                hint = "The object does not exist or was removed from the register."
            elif status >= 500:
                hint = "The service has a problem; retry later."
            else:
                hint = "Check the id or the query parameters."
        super().__init__(f"{what}. {hint}")


class Transport(Protocol):
    """Turns a URL (plus query parameters) into parsed JSON, or raises :class:`ServiceError`."""

    def get_json(self, url: str, params: dict | None = None) -> Any:
        """GET ``url`` with ``params`` added to its query string; return the parsed JSON."""
        ...


def canonical_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """Return ``url`` with ``params`` merged into its query, parameters sorted by name.

    Two requests for the same resource give the same string whatever the order of their
    parameters; parameters whose value is None are dropped.
    """
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if params:
        query += [(str(k), str(v)) for k, v in params.items() if v is not None]
    query.sort()
    path = parts.path.rstrip("/") or "/"
    return urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, urllib.parse.urlencode(query), "")
    )


def _problem_detail(body: bytes | str | None) -> str:
    """The ``detail`` (or ``title``) of an RFC 7807 problem body, else its first characters."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        problem = json.loads(text)
    except ValueError:
        return text.strip()[:200]
    if isinstance(problem, dict):
        return str(problem.get("detail") or problem.get("title") or "")[:200]
    return ""


class HttpTransport:
    """:class:`Transport` over HTTPS with ``urllib`` (no extra dependency).

    Sends ``Accept: application/ld+json`` (CloudEvents batch for the feeds), a ``User-Agent``
    naming wijkreno, and the ``x-api-key`` header when an API key is given (anonymous use is
    allowed; a key raises the rate limit). Retries with exponential backoff on HTTP 429 and
    5xx and on network errors, honouring a numeric ``Retry-After`` header. Safe to share
    between threads.

    Parameters
    ----------
    api_key : str, optional
        Key of the base-register API (requested from Digitaal Vlaanderen).
    timeout_s : float
        Timeout of one request [s].
    max_retries : int
        Retries after the first attempt, for 429/5xx answers and network errors.
    backoff_s : float
        First wait before a retry [s]; doubled on every further retry.
    max_backoff_s : float
        Longest wait between retries [s].
    min_interval_s : float
        Shortest time between the starts of two requests [s] (client-side throttle; 0: none).
    user_agent : str
        ``User-Agent`` header.
    urlopen : callable, optional
        Replacement for :func:`urllib.request.urlopen` (tests).
    sleep : callable, optional
        Replacement for :func:`time.sleep` (tests).
    """

    RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

    def __init__(
        self,
        *,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 4,
        backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        min_interval_s: float = 0.0,
        user_agent: str = USER_AGENT,
        urlopen: Callable[..., Any] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if timeout_s <= 0 or max_retries < 0 or backoff_s < 0 or min_interval_s < 0:
            raise InputError(
                f"HttpTransport got timeout_s={timeout_s}, max_retries={max_retries}, "
                f"backoff_s={backoff_s}, min_interval_s={min_interval_s}; the timeout must be "
                "positive and the others zero or positive."
            )
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.min_interval_s = min_interval_s
        self.user_agent = user_agent
        self._urlopen = urlopen or urllib.request.urlopen
        self._sleep = sleep or time.sleep
        self._lock = threading.Lock()
        self._next_start = 0.0

    def _headers(self, url: str) -> dict[str, str]:
        if "/feeds/" in urllib.parse.urlsplit(url).path:
            accept = "application/cloudevents-batch+json, application/json;q=0.9"
        else:
            accept = "application/ld+json, application/json;q=0.9"
        headers = {"Accept": accept, "User-Agent": self.user_agent}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        return headers

    def _throttle(self) -> None:
        if self.min_interval_s <= 0:
            return
        with self._lock:
            now = time.monotonic()
            wait = self._next_start - now
            self._next_start = max(now, self._next_start) + self.min_interval_s
        if wait > 0:
            self._sleep(wait)

    def _wait_before_retry(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff_s * (2.0**attempt)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        self._sleep(min(delay, self.max_backoff_s))

    def get_json(self, url: str, params: dict | None = None) -> Any:
        """GET ``url`` (with ``params``) and return the parsed JSON.

        Raises
        ------
        ServiceError
            On an HTTP error status (after the retries for 429/5xx), when the service cannot
            be reached, or when the answer is not JSON; the message names the URL and status.
        """
        full = canonical_url(url, params) if params else url
        request = urllib.request.Request(full, headers=self._headers(full), method="GET")
        for attempt in range(self.max_retries + 1):
            self._throttle()
            try:
                with self._urlopen(request, timeout=self.timeout_s) as response:
                    body = response.read()
            except urllib.error.HTTPError as exc:
                if exc.code in self.RETRY_STATUSES and attempt < self.max_retries:
                    logger.info("HTTP %s for %s; retry %d", exc.code, full, attempt + 1)
                    self._wait_before_retry(attempt, exc.headers.get("Retry-After")
                                            if exc.headers else None)
                    continue
                try:
                    detail = _problem_detail(exc.read())
                except Exception:  # noqa: BLE001 - the body is only decoration
                    detail = ""
                raise ServiceError(full, exc.code, detail) from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt < self.max_retries:
                    logger.info("network error for %s (%s); retry %d", full, exc, attempt + 1)
                    self._wait_before_retry(attempt, None)
                    continue
                reason = getattr(exc, "reason", exc)
                raise ServiceError(full, None, str(reason)) from exc
            try:
                return json.loads(body)
            except ValueError as exc:
                text = body[:100].decode("utf-8", "replace") if isinstance(body, bytes) else ""
                raise ServiceError(full, 200, f"the answer is not JSON: {text!r}") from exc
        raise AssertionError("unreachable")  # pragma: no cover


class RecordedTransport:
    """:class:`Transport` that serves recorded responses, keyed by canonical URL.

    Parameters
    ----------
    responses : mapping
        ``{url: body}``; the URL may carry its query string in any parameter order.
    statuses : mapping, optional
        ``{url: http_status}`` for recorded error answers; a status other than 200 raises
        :class:`ServiceError` with the body's problem detail.

    Attributes
    ----------
    requests : list of str
        Canonical URLs requested so far, in order (tests count requests with it).
    """

    def __init__(
        self, responses: Mapping[str, Any], statuses: Mapping[str, int] | None = None
    ) -> None:
        self._responses = {canonical_url(u): body for u, body in responses.items()}
        self._statuses = {canonical_url(u): int(s) for u, s in (statuses or {}).items()}
        self.requests: list[str] = []
        self._lock = threading.Lock()

    @classmethod
    def from_directory(cls, path: str | Path) -> RecordedTransport:
        """Load every ``*.json`` recording of ``path``: ``{"url", "status", "body"}`` objects.

        Raises
        ------
        InputError
            When the folder does not exist or a file is not such a recording.
        """
        folder = Path(path)
        if not folder.is_dir():
            raise InputError(f"the recordings folder {folder} does not exist.")
        responses: dict[str, Any] = {}
        statuses: dict[str, int] = {}
        for file in sorted(folder.glob("*.json")):
            try:
                record = json.loads(file.read_text(encoding="utf-8"))
                url = record["url"]
                body = record["body"]
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(
                    f"{file} is not a recorded response: expected a JSON object with 'url', "
                    f"'status' and 'body' ({exc})."
                ) from exc
            responses[url] = body
            statuses[url] = int(record.get("status", 200))
        return cls(responses, statuses)

    def get_json(self, url: str, params: dict | None = None) -> Any:
        """Return the recorded body for ``url`` + ``params`` (a deep copy)."""
        key = canonical_url(url, params)
        with self._lock:
            self.requests.append(key)
        if key not in self._responses:
            known = sorted(self._responses)[:3]
            raise ServiceError(
                key, None,
                f"no recorded response for this URL ({len(self._responses)} recorded, e.g. "
                f"{known})",
            )
        body = self._responses[key]
        status = self._statuses.get(key, 200)
        if status != 200:
            raise ServiceError(key, status, _problem_detail(json.dumps(body)))
        return json.loads(json.dumps(body))


# --------------------------------------------------------------------------------------------
# GML
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _lambert2008_to_72():
    from pyproj import Transformer

    with warnings.catch_warnings():
        # PROJ warns that the Belgian grid is not installed and falls back to the 7-parameter
        # transformation (0.1-0.2 m here); that accuracy is enough for a building-stock model.
        warnings.simplefilter("ignore", UserWarning)
        return Transformer.from_crs(LAMBERT2008, CRS_EPSG, always_xy=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _srs_epsg(srs_name: str | None, default_epsg: int | None, gml: str) -> int:
    if not srs_name:
        if default_epsg is None:
            raise CRSError(
                f"the GML geometry has no srsName: {gml[:80]!r}. Pass default_epsg={CRS_EPSG} (or "
                f"{LAMBERT2008}) if you know its coordinate system."
            )
        return default_epsg
    match = _EPSG_RE.search(srs_name)
    if not match:
        raise CRSError(f"cannot read an EPSG code from srsName {srs_name!r}.")
    return int(match.group(1))


def _check_epsg(epsg: int, srs_name: str | None) -> None:
    if epsg not in (CRS_EPSG, LAMBERT2008):
        raise CRSError(
            f"GML in {srs_name or f'EPSG:{epsg}'} is not supported: the base registers give "
            f"EPSG:{CRS_EPSG} (Lambert 72) or EPSG:{LAMBERT2008} (Lambert 2008)."
        )


def _parse_xml(gml: str) -> ET.Element:
    if not isinstance(gml, str) or not gml.strip():
        raise InputError(f"expected a GML string, got {type(gml).__name__} {gml!r:.60}.")
    try:
        return ET.fromstring(gml)
    except ET.ParseError as exc:
        raise InputError(f"not valid GML ({exc}): {gml[:80]!r}") from exc


def _coords(element: ET.Element, dim: int, gml: str) -> np.ndarray:
    text = (element.text or "").split()
    try:
        values = np.array([float(v) for v in text], dtype=float)
    except ValueError as exc:
        raise InputError(f"non-numeric coordinates in GML: {gml[:80]!r}") from exc
    dim = int(element.get("srsDimension", dim))
    if values.size == 0 or values.size % dim or not np.isfinite(values).all():
        raise InputError(
            f"GML coordinate list of {values.size} numbers does not split into {dim}-D "
            f"positions: {gml[:80]!r}"
        )
    return values.reshape(-1, dim)[:, :2]


def _to_lambert72(xy: np.ndarray, epsg: int) -> np.ndarray:
    if epsg == CRS_EPSG:
        return xy
    transformer = _lambert2008_to_72()
    if len(xy) == 1:  # pyproj treats 1-element arrays as scalars (and warns): pass floats
        x, y = transformer.transform(float(xy[0, 0]), float(xy[0, 1]))
        return np.array([[x, y]])
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def parse_gml_point(gml: str, *, default_epsg: int | None = None) -> Point:
    """Parse a GML 3.2 ``<gml:Point>`` of the base registers into a point in EPSG:31370.

    Parameters
    ----------
    gml : str
        The GML text, e.g. ``<gml:Point srsName="https://www.opengis.net/def/crs/EPSG/0/31370"
        ...><gml:pos>105052.34 193542.11</gml:pos></gml:Point>``.
    default_epsg : int, optional
        EPSG code to assume when the element has no ``srsName``.

    Returns
    -------
    shapely.Point
        The position in EPSG:31370 [m]; EPSG:3812 input is reprojected.

    Raises
    ------
    InputError
        When the text is not a GML point with numeric coordinates.
    CRSError
        When the coordinate system is missing (and no default given) or not 31370/3812.
    """
    root = _parse_xml(gml)
    if _local(root.tag) != "Point":
        raise InputError(f"expected a gml:Point, got gml:{_local(root.tag)}: {gml[:80]!r}")
    pos = next((e for e in root.iter() if _local(e.tag) in ("pos", "posList")), None)
    if pos is None:
        raise InputError(f"gml:Point without gml:pos: {gml[:80]!r}")
    srs = root.get("srsName") or pos.get("srsName")
    epsg = _srs_epsg(srs, default_epsg, gml)
    _check_epsg(epsg, srs)
    xy = _to_lambert72(_coords(pos, int(root.get("srsDimension", 2)), gml)[:1], epsg)
    return Point(float(xy[0, 0]), float(xy[0, 1]))


def _ring(element: ET.Element, dim: int, gml: str) -> np.ndarray:
    pos_list = next((e for e in element.iter() if _local(e.tag) == "posList"), None)
    if pos_list is not None:
        xy = _coords(pos_list, dim, gml)
    else:  # a ring written as separate <gml:pos> elements
        points = [_coords(e, dim, gml) for e in element.iter() if _local(e.tag) == "pos"]
        if not points:
            raise InputError(f"GML ring without coordinates: {gml[:80]!r}")
        xy = np.vstack(points)
    if len(xy) and not np.array_equal(xy[0], xy[-1]):
        xy = np.vstack([xy, xy[:1]])
    if len(xy) < 4:
        raise InputError(f"GML ring with fewer than 3 distinct positions: {gml[:80]!r}")
    return xy


def _polygon(element: ET.Element, dim: int, gml: str) -> Polygon:
    shell = None
    holes = []
    for child in element:
        name = _local(child.tag)
        if name in ("exterior", "outerBoundaryIs"):
            shell = _ring(child, dim, gml)
        elif name in ("interior", "innerBoundaryIs"):
            holes.append(_ring(child, dim, gml))
    if shell is None:
        raise InputError(f"gml:Polygon without gml:exterior: {gml[:80]!r}")
    return Polygon(shell, holes)


def parse_gml_polygon(gml: str, *, default_epsg: int | None = None) -> Polygon | MultiPolygon:
    """Parse a GML 3.2 polygon (or multi-surface) of the base registers, in EPSG:31370.

    Parameters
    ----------
    gml : str
        ``<gml:Polygon srsName=...><gml:exterior><gml:LinearRing><gml:posList>x y x y
        ...`` (interior rings and ``gml:MultiSurface`` / ``gml:MultiPolygon`` also read).
    default_epsg : int, optional
        EPSG code to assume when the element has no ``srsName``.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        In EPSG:31370 [m]; EPSG:3812 input is reprojected. Rings are closed when the source
        leaves them open; validity is not repaired (that is the loader's job).

    Raises
    ------
    InputError
        When the text is not such a GML geometry.
    CRSError
        When the coordinate system is missing (and no default given) or not 31370/3812.
    """
    root = _parse_xml(gml)
    kind = _local(root.tag)
    srs = root.get("srsName")
    epsg = _srs_epsg(srs, default_epsg, gml)
    _check_epsg(epsg, srs)
    dim = int(root.get("srsDimension", 2))
    if kind == "Polygon":
        geom: Polygon | MultiPolygon = _polygon(root, dim, gml)
    elif kind in ("MultiSurface", "MultiPolygon"):
        parts = [_polygon(e, dim, gml) for e in root.iter() if _local(e.tag) == "Polygon"]
        if not parts:
            raise InputError(f"gml:{kind} without polygons: {gml[:80]!r}")
        geom = MultiPolygon(parts)
    else:
        raise InputError(f"expected a gml:Polygon, got gml:{kind}: {gml[:80]!r}")
    if epsg != CRS_EPSG:
        geom = shapely.transform(geom, lambda xy: _to_lambert72(xy, epsg))
    return geom


def _pick_gml(value: Any) -> str | None:
    """Choose the GML string of a geometry value: a dict with ``gml`` or a list of them
    (the feeds give one per CRS); EPSG:31370 wins, so no reprojection is needed."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if "gml" in value:
            return value["gml"]
        if "geometrie" in value:
            return _pick_gml(value["geometrie"])
        return None
    if isinstance(value, Sequence):
        candidates = [v for v in value if isinstance(v, Mapping) and v.get("gml")]
        for v in candidates:
            srs = str(v.get("projectie") or "") + " " + v["gml"][:200]
            if re.search(rf"EPSG/0/{CRS_EPSG}|EPSG::?{CRS_EPSG}", srs):
                return v["gml"]
        return candidates[0]["gml"] if candidates else None
    return None


# --------------------------------------------------------------------------------------------
# parsing one JSON object
# --------------------------------------------------------------------------------------------


def _dig(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _last_segment(value: Any) -> str | None:
    """``https://data.vlaanderen.be/id/concept/adresstatus/inGebruik`` → ``inGebruik``;
    plain values pass through."""
    if value is None:
        return None
    text = str(value).rstrip("/")
    return text.rsplit("/", 1)[-1] if "/" in text else text


def _object_id(obj: Mapping, what: str) -> str:
    oid = _dig(obj, "identificator", "objectId") or obj.get("objectId")
    if oid in (None, ""):
        raise InputError(
            f"the {what} object has no identificator.objectId; keys received: "
            f"{sorted(obj)[:8]}. Is this a v2 {what} response?"
        )
    return str(oid)


def _require_mapping(obj: Any, what: str) -> Mapping:
    if not isinstance(obj, Mapping):
        raise InputError(f"expected a JSON object for a {what}, got {type(obj).__name__}.")
    return obj


def to_capakey(object_id: str) -> str:
    """Write a parcel objectId of the API (``13013C0384-02H003``) as a CAPAKEY with ``/``."""
    return re.sub(r"^(\d{5}[A-Z_]\d{4})-", r"\1/", str(object_id))


def parse_address(obj: dict) -> dict:
    """House-named record of one v2 address (``/v2/adressen/{id}`` or a list item).

    Parameters
    ----------
    obj : dict
        Parsed JSON of an ``Adres``: ``identificator.objectId``, ``huisnummer``,
        ``busnummer``, ``straatnaam``, ``postinfo``, ``gemeente``, ``adresStatus``,
        ``officieelToegekend``, ``adresPositie`` (GML point, method, specification).

    Returns
    -------
    dict
        Keys of :data:`ADDRESS_COLUMNS`: ``adres_id``, ``street``, ``house_number``,
        ``box_number`` (None without ``busnummer``), ``postcode``, ``nis_code``,
        ``address_status``, ``officially_assigned``, ``x``, ``y`` (EPSG:31370 [m]; NaN for a
        list item, which has no position), ``position_method``, ``position_spec``,
        ``straatnaam_id``, ``version_id``.

    Raises
    ------
    InputError
        When the object has no objectId or house number, or its position is not a GML point.
    """
    obj = _require_mapping(obj, "address")
    adres_id = _object_id(obj, "address")
    house_number = obj.get("huisnummer")
    if house_number in (None, ""):
        raise InputError(f"address {adres_id} has no huisnummer.")
    position = obj.get("adresPositie") or {}
    x = y = math.nan
    gml = _pick_gml(position)
    if gml:
        point = parse_gml_point(gml)
        x, y = point.x, point.y
    box = obj.get("busnummer")
    return {
        "adres_id": adres_id,
        "street": _dig(obj, "straatnaam", "straatnaam", "geografischeNaam", "spelling"),
        "house_number": str(house_number),
        "box_number": str(box) if box not in (None, "") else None,
        "postcode": _dig(obj, "postinfo", "objectId"),
        "nis_code": _dig(obj, "gemeente", "objectId"),
        "address_status": obj.get("adresStatus"),
        "officially_assigned": obj.get("officieelToegekend"),
        "x": x,
        "y": y,
        "position_method": _last_segment(position.get("positieGeometrieMethode")),
        "position_spec": _last_segment(position.get("positieSpecificatie")),
        "straatnaam_id": _dig(obj, "straatnaam", "objectId"),
        "version_id": _dig(obj, "identificator", "versieId"),
    }


def parse_building(obj: dict) -> dict:
    """House-named record of one v2 building (``/v2/gebouwen/{id}``).

    Returns
    -------
    dict
        ``gebouw_id``, ``building_status`` (``gerealiseerd``, ``gehistoreerd``...),
        ``geometry_method`` (``ingemetenGRB`` measured, ``ingeschetst`` sketched),
        ``capakeys`` (list), ``unit_ids`` (list), ``version_id`` and ``geometry`` (footprint
        polygon in EPSG:31370, None when the object has none).

    Raises
    ------
    InputError
        When the object has no objectId or its footprint is not GML.
    """
    obj = _require_mapping(obj, "building")
    gebouw_id = _object_id(obj, "building")
    polygon = obj.get("gebouwPolygoon") or obj.get("geometriePolygoon") or {}
    gml = _pick_gml(polygon)
    return {
        "gebouw_id": gebouw_id,
        "building_status": _last_segment(obj.get("gebouwStatus")),
        "geometry_method": _last_segment(
            polygon.get("geometrieMethode") if isinstance(polygon, Mapping) else None
        ),
        "capakeys": [to_capakey(p["objectId"]) for p in obj.get("percelen") or []
                     if isinstance(p, Mapping) and p.get("objectId")],
        "unit_ids": [str(u["objectId"]) for u in obj.get("gebouweenheden") or []
                     if isinstance(u, Mapping) and u.get("objectId")],
        "version_id": _dig(obj, "identificator", "versieId"),
        "geometry": parse_gml_polygon(gml) if gml else None,
    }


def parse_building_unit(obj: dict) -> dict:
    """House-named record of one v2 building unit (``/v2/gebouweenheden/{id}``).

    Returns
    -------
    dict
        ``gebouweenheid_id``, ``gebouw_id``, ``function`` (``nietGekend`` or
        ``gemeenschappelijkDeel``; the register records no dwelling/shop function),
        ``status``, ``adres_ids`` (list of str), ``x``, ``y`` (EPSG:31370 [m]),
        ``position_method``, ``has_deviation``, ``version_id``.

    Raises
    ------
    InputError
        When the object has no objectId or no building.
    """
    obj = _require_mapping(obj, "building unit")
    unit_id = _object_id(obj, "building unit")
    gebouw_id = _dig(obj, "gebouw", "objectId")
    if gebouw_id in (None, ""):
        raise InputError(f"building unit {unit_id} names no gebouw.objectId.")
    position = obj.get("gebouweenheidPositie") or {}
    gml = _pick_gml(position)
    x = y = math.nan
    if gml:
        point = parse_gml_point(gml)
        x, y = point.x, point.y
    return {
        "gebouweenheid_id": unit_id,
        "gebouw_id": str(gebouw_id),
        "function": _last_segment(obj.get("functie")),
        "status": _last_segment(obj.get("gebouweenheidStatus")),
        "adres_ids": [str(a["objectId"]) for a in obj.get("adressen") or []
                      if isinstance(a, Mapping) and a.get("objectId")],
        "x": x,
        "y": y,
        "position_method": _last_segment(position.get("positieGeometrieMethode")),
        "has_deviation": obj.get("afwijkingVastgesteld"),
        "version_id": _dig(obj, "identificator", "versieId"),
    }


def parse_parcel(obj: dict) -> dict:
    """House-named record of one v2 parcel (``/v2/percelen/{id}``): ``capakey`` (with ``/``),
    ``parcel_status``, ``adres_ids`` (list), ``version_id``."""
    obj = _require_mapping(obj, "parcel")
    return {
        "capakey": to_capakey(_object_id(obj, "parcel")),
        "parcel_status": _last_segment(obj.get("perceelStatus")),
        "adres_ids": [str(a["objectId"]) for a in obj.get("adressen") or []
                      if isinstance(a, Mapping) and a.get("objectId")],
        "version_id": _dig(obj, "identificator", "versieId"),
    }


# --------------------------------------------------------------------------------------------
# fetching
# --------------------------------------------------------------------------------------------


def _check_nis(nis_code: str | int) -> str:
    code = str(nis_code).strip()
    if not _NIS_RE.fullmatch(code):
        raise InputError(
            f"nis_code must be a 5-digit NIS code such as '13002' (Baarle-Hertog), got "
            f"{nis_code!r}."
        )
    return code


def _check_page_size(page_size: int) -> int:
    if not 1 <= int(page_size) <= MAX_PAGE_SIZE:
        raise InputError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}.")
    return int(page_size)


def _list_items(
    transport: Transport, url: str, params: dict | None, key: str, limit: int | None = None
) -> Iterator[dict]:
    """Yield the items of a paged v2 list, following ``volgende`` links.

    Raises
    ------
    ServiceError
        When a page lacks the ``key`` array, or the ``volgende`` links loop.
    """
    seen: set[str] = set()
    current: str | None = canonical_url(url, params)
    n = 0
    while current is not None:
        if current in seen:
            raise ServiceError(current, 200, "the 'volgende' links of the list loop back")
        seen.add(current)
        page = transport.get_json(current)
        items = page.get(key) if isinstance(page, Mapping) else None
        if not isinstance(items, list):
            raise ServiceError(
                current, 200, f"the list page has no '{key}' array (keys: "
                f"{sorted(page)[:6] if isinstance(page, Mapping) else type(page).__name__})"
            )
        for item in items:
            if limit is not None and n >= limit:
                return
            n += 1
            yield item
        nxt = page.get("volgende")
        current = canonical_url(urllib.parse.urljoin(current, nxt)) if nxt and items else None


def _map_threads(func: Callable[[Any], Any], items: Sequence[Any], max_workers: int) -> list:
    """``[func(i) for i in items]``, on a thread pool when ``max_workers > 1`` (the work is
    waiting for the network); order is kept. ``func`` must not raise for expected failures."""
    if max_workers <= 1 or len(items) <= 1:
        return [func(i) for i in items]
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(func, items))


def _fetch_parsed(
    transport: Transport,
    urls: Sequence[tuple[str, str]],
    parse: Callable[[dict], dict],
    what: str,
    max_workers: int,
) -> tuple[list[dict], list[dict]]:
    """Fetch and parse detail objects; ``urls`` holds (id, url). Objects that are gone
    (HTTP 404/410) or malformed become rejected rows; other service errors propagate."""

    def one(item: tuple[str, str]) -> tuple[str, Any]:
        oid, url = item
        try:
            return "ok", parse(transport.get_json(url))
        except ServiceError as exc:
            if exc.status in (404, 410):
                return "rejected", f"HTTP {exc.status} for {url}"
            return "error", exc
        except InputError as exc:
            return "rejected", str(exc)

    records: list[dict] = []
    rejected: list[dict] = []
    for row, ((oid, _url), (kind, value)) in enumerate(
        zip(urls, _map_threads(one, urls, max_workers), strict=True)
    ):
        if kind == "ok":
            records.append(value)
        elif kind == "rejected":
            rejected.append(_rejected(what, row, oid, value))
        else:
            raise value
    return records, rejected


def _rejected(what: str, row: int, oid: Any, reason: str) -> dict:
    return dict(zip(REJECTED_COLUMNS, (what, row, None if oid is None else str(oid), reason,
                                       None), strict=True))


def _log_rejected(what: str, rejected: list[dict]) -> None:
    if rejected:
        logger.warning(
            "%d %s rejected, e.g. %s", len(rejected), what,
            "; ".join(f"{r['id']}: {r['reason']}" for r in rejected[:3]),
        )


def _as_statuses(status: str | Sequence[str] | None) -> set[str] | None:
    if status is None:
        return None
    return {status} if isinstance(status, str) else set(status)


def _address_frame(records: list[dict], rejected: list[dict], source: str) -> gpd.GeoDataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(ADDRESS_COLUMNS))
    frame["x"] = frame["x"].astype(float)
    frame["y"] = frame["y"].astype(float)
    geometry = gpd.points_from_xy(frame["x"], frame["y"], crs=CRS_EPSG)
    geometry[frame["x"].isna().to_numpy() | frame["y"].isna().to_numpy()] = None
    out = gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS_EPSG)
    out.attrs["source"] = source
    out.attrs["rejected"] = rejected
    return out


def get_addresses(
    nis_code: str,
    *,
    transport: Transport,
    limit: int | None = None,
    status: str | Sequence[str] | None = None,
    page_size: int = MAX_PAGE_SIZE,
    max_workers: int = 4,
    base_url: str = API_BASE,
) -> gpd.GeoDataFrame:
    """Fetch the addresses of a municipality from the Adressenregister.

    Calls ``GET {base_url}/adressen?niscode={nis_code}&limit={page_size}`` and follows the
    ``volgende`` links, then ``GET {base_url}/adressen/{id}`` for each address kept (the list
    carries no position, street or postcode).

    Parameters
    ----------
    nis_code : str
        NIS5 code of the municipality (e.g. ``"13002"``).
    transport : Transport
        :class:`HttpTransport` online, :class:`RecordedTransport` offline.
    limit : int, optional
        Fetch at most this many addresses (after the status filter).
    status : str or sequence of str, optional
        Keep only addresses with this status (``"inGebruik"``, ``"voorgesteld"``,
        ``"gehistoreerd"``, ``"afgekeurd"``), filtered on the list before any detail call.
        None keeps all.
    page_size : int
        ``limit`` of each list page (1–500).
    max_workers : int
        Parallel detail requests.
    base_url : str
        API root (staging for tests against the real service).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per address, columns :data:`ADDRESS_COLUMNS` and ``geometry`` (points,
        EPSG:31370; None where the register has no position). ``attrs["rejected"]`` lists
        the addresses that could not be used (rows of :data:`REJECTED_COLUMNS`).

    Raises
    ------
    InputError
        For a malformed nis_code or page_size.
    ServiceError
        When the service fails (the message names the URL and HTTP status).
    """
    nis = _check_nis(nis_code)
    size = _check_page_size(page_size)
    keep = _as_statuses(status)
    base = base_url.rstrip("/")
    targets: list[tuple[str, str]] = []
    rejected: list[dict] = []
    items = _list_items(transport, f"{base}/adressen", {"niscode": nis, "limit": size},
                        "adressen")
    for row, item in enumerate(items):
        if limit is not None and len(targets) >= limit:
            break
        try:
            oid = _object_id(_require_mapping(item, "address"), "address")
        except InputError as exc:
            rejected.append(_rejected("adressen", row, None, str(exc)))
            continue
        if keep is not None and item.get("adresStatus") not in keep:
            continue
        targets.append((oid, f"{base}/adressen/{oid}"))
    logger.info("%d addresses listed for NIS %s; fetching details", len(targets), nis)
    records, bad = _fetch_parsed(transport, targets, parse_address, "adres", max_workers)
    rejected += bad
    _log_rejected("addresses", rejected)
    return _address_frame(records, rejected, f"{base}/adressen?niscode={nis}")


def _unit_frame(records: list[dict], nis: str) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(BUILDING_UNIT_COLUMNS))
    frame["nis_code"] = nis
    frame["x"] = frame["x"].astype(float)
    frame["y"] = frame["y"].astype(float)
    return frame


def get_building_units(
    nis_code: str,
    *,
    transport: Transport,
    addresses: pd.DataFrame | None = None,
    status: str | Sequence[str] | None = None,
    page_size: int = MAX_PAGE_SIZE,
    max_workers: int = 4,
    base_url: str = API_BASE,
) -> pd.DataFrame:
    """Fetch the building units of a municipality's addresses, with their address links.

    Calls ``GET {base_url}/gebouweenheden?adresObjectId={id}&limit={page_size}`` per address
    (the endpoint has no municipality filter) and ``GET {base_url}/gebouweenheden/{id}`` per
    distinct unit. Without ``addresses`` the address ids are listed first with
    ``GET {base_url}/adressen?niscode={nis_code}`` (no address details).

    Parameters
    ----------
    nis_code : str
        NIS5 code of the municipality; also written to the ``nis_code`` column.
    transport : Transport
        Where the JSON comes from.
    addresses : pandas.DataFrame, optional
        Addresses already fetched (an ``adres_id`` column); saves the list pass.
    status : str or sequence of str, optional
        Keep only units with this status (``gepland``, ``gerealiseerd``, ``gehistoreerd``,
        ``nietGerealiseerd``), filtered on the list before any detail call.
    page_size, max_workers, base_url
        As in :func:`get_addresses`.

    Returns
    -------
    pandas.DataFrame
        One row per unit, columns :data:`BUILDING_UNIT_COLUMNS`: ``gebouweenheid_id``,
        ``gebouw_id``, ``function``, ``status``, ``adres_ids`` (list of str, *all* addresses
        of the unit, also those of other municipalities), ``x``, ``y`` (EPSG:31370 [m]),
        ``position_method``, ``has_deviation``, ``nis_code``, ``version_id``.
        ``attrs["rejected"]`` lists units that were gone or malformed.
    """
    nis = _check_nis(nis_code)
    size = _check_page_size(page_size)
    keep = _as_statuses(status)
    base = base_url.rstrip("/")
    rejected: list[dict] = []
    if addresses is None:
        adres_ids = []
        for row, item in enumerate(_list_items(
            transport, f"{base}/adressen", {"niscode": nis, "limit": size}, "adressen"
        )):
            try:
                adres_ids.append(_object_id(_require_mapping(item, "address"), "address"))
            except InputError as exc:
                rejected.append(_rejected("adressen", row, None, str(exc)))
    else:
        if "adres_id" not in addresses.columns:
            raise InputError(
                f"addresses has no 'adres_id' column (columns: {list(addresses.columns)[:8]}); "
                "pass the frame returned by get_addresses."
            )
        adres_ids = [str(a) for a in addresses["adres_id"].dropna().unique()]

    def units_of(adres_id: str) -> tuple[str, Any]:
        try:
            items = list(_list_items(
                transport, f"{base}/gebouweenheden",
                {"adresObjectId": adres_id, "limit": size}, "gebouweenheden",
            ))
        except ServiceError as exc:
            if exc.status in (404, 410):
                return "rejected", f"HTTP {exc.status} listing units of address {adres_id}"
            return "error", exc
        return "ok", items

    unit_ids: dict[str, None] = {}  # insertion-ordered set
    for row, (adres_id, (kind, value)) in enumerate(
        zip(adres_ids, _map_threads(units_of, adres_ids, max_workers), strict=True)
    ):
        if kind == "error":
            raise value
        if kind == "rejected":
            rejected.append(_rejected("gebouweenheden", row, adres_id, value))
            continue
        for item in value:
            if not isinstance(item, Mapping):
                continue
            uid = _dig(item, "identificator", "objectId")
            if uid in (None, ""):
                rejected.append(_rejected("gebouweenheden", row, adres_id,
                                          "unit list item without identificator.objectId"))
                continue
            item_status = _last_segment(item.get("gebouweenheidStatus") or item.get("status"))
            if keep is None or item_status in keep:
                unit_ids[str(uid)] = None
    targets = [(uid, f"{base}/gebouweenheden/{uid}") for uid in unit_ids]
    logger.info("%d building units for %d addresses of NIS %s", len(targets), len(adres_ids),
                nis)
    records, bad = _fetch_parsed(transport, targets, parse_building_unit, "gebouweenheid",
                                 max_workers)
    rejected += bad
    _log_rejected("building units", rejected)
    frame = _unit_frame(records, nis)
    frame.attrs["source"] = f"{base}/gebouweenheden?adresObjectId=..."
    frame.attrs["rejected"] = rejected
    return frame


def get_buildings(
    nis_code: str,
    *,
    transport: Transport,
    building_units: pd.DataFrame | None = None,
    page_size: int = MAX_PAGE_SIZE,
    max_workers: int = 4,
    base_url: str = API_BASE,
) -> gpd.GeoDataFrame:
    """Fetch the footprints of the buildings that hold a municipality's addressed units.

    Calls ``GET {base_url}/gebouwen/{id}`` for every distinct ``gebouw_id`` of
    ``building_units`` (fetched with :func:`get_building_units` when not given). The v2
    building list has no municipality filter, so buildings without an addressed unit (most
    annexes, garages and sheds) are not found this way; see the module notes.

    Parameters
    ----------
    nis_code : str
        NIS5 code; written to ``nis_code`` (the building detail carries no municipality).
    transport : Transport
        Where the JSON comes from.
    building_units : pandas.DataFrame, optional
        Units already fetched (a ``gebouw_id`` column).
    page_size, max_workers, base_url
        As in :func:`get_addresses`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per building, columns :data:`BUILDING_COLUMNS`: ``gebouw_id``,
        ``building_status``, ``geometry_method``, ``nis_code``, ``capakeys`` (list),
        ``version_id``, ``geometry`` (footprint polygons, EPSG:31370). Buildings without a
        footprint are rejected (``attrs["rejected"]``).
    """
    nis = _check_nis(nis_code)
    base = base_url.rstrip("/")
    if building_units is None:
        building_units = get_building_units(nis, transport=transport, page_size=page_size,
                                            max_workers=max_workers, base_url=base)
    if "gebouw_id" not in building_units.columns:
        raise InputError(
            f"building_units has no 'gebouw_id' column (columns: "
            f"{list(building_units.columns)[:8]}); pass the frame of get_building_units."
        )
    ids = [str(g) for g in building_units["gebouw_id"].dropna().unique()]
    targets = [(gid, f"{base}/gebouwen/{gid}") for gid in ids]
    logger.info("fetching %d buildings for NIS %s", len(targets), nis)
    records, rejected = _fetch_parsed(transport, targets, parse_building, "gebouw",
                                      max_workers)
    kept = []
    for row, record in enumerate(records):
        if record["geometry"] is None or record["geometry"].is_empty:
            rejected.append(_rejected("gebouw", row, record["gebouw_id"],
                                      "the building has no footprint (gebouwPolygoon)"))
        else:
            kept.append(record)
    _log_rejected("buildings", rejected)
    return _building_frame(kept, nis, rejected, f"{base}/gebouwen/{{id}}")


def _building_frame(
    records: list[dict], nis: str | None, rejected: list[dict], source: str
) -> gpd.GeoDataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(BUILDING_COLUMNS))
    if nis is not None:
        frame["nis_code"] = nis
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(frame["geometry"], crs=CRS_EPSG),
                           crs=CRS_EPSG)
    out.attrs["source"] = source
    out.attrs["rejected"] = rejected
    return out


def get_parcels(
    capakeys: Iterable[str],
    *,
    transport: Transport,
    max_workers: int = 4,
    base_url: str = API_BASE,
) -> pd.DataFrame:
    """Fetch parcels (status and linked addresses) by CAPAKEY.

    Calls ``GET {base_url}/percelen/{objectId}`` (the CAPAKEY with ``-`` for ``/``). The v2
    parcel carries no geometry: parcel polygons come from GRB Adp files.

    Parameters
    ----------
    capakeys : iterable of str
        CAPAKEYs with ``/`` or ``-`` (e.g. the ``capakeys`` of :func:`get_buildings`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PARCEL_COLUMNS`: ``capakey`` (with ``/``), ``parcel_status``,
        ``adres_ids`` (list), ``version_id``.
    """
    base = base_url.rstrip("/")
    keys = list(dict.fromkeys(to_capakey(str(k).replace("/", "-")) for k in capakeys))
    targets = [(k, f"{base}/percelen/{urllib.parse.quote(k.replace('/', '-'))}") for k in keys]
    records, rejected = _fetch_parsed(transport, targets, parse_parcel, "perceel", max_workers)
    _log_rejected("parcels", rejected)
    frame = pd.DataFrame.from_records(records, columns=list(PARCEL_COLUMNS))
    frame.attrs["rejected"] = rejected
    return frame


FEEDS = ("adressen", "gebouwen", "gebouweenheden", "percelen", "straatnamen")
"""Change feeds :func:`apply_feed` replays (``/v2/feeds/wijzigingen/{feed}``)."""


def get_feed_page(
    feed: str, page: int, *, transport: Transport, base_url: str = API_BASE
) -> list[dict]:
    """Fetch one page of a change feed: ``GET {base_url}/feeds/wijzigingen/{feed}?pagina={page}``.

    Returns
    -------
    list of dict
        The CloudEvents of the page, in feed order; give them to :func:`apply_feed`.
    """
    if feed not in FEEDS:
        raise InputError(f"unknown feed {feed!r}; choose one of {FEEDS}.")
    if int(page) < 1:
        raise InputError(f"feed pages are numbered from 1, got page={page}.")
    url = f"{base_url.rstrip('/')}/feeds/wijzigingen/{feed}"
    events = transport.get_json(url, {"pagina": int(page)})
    if not isinstance(events, list):
        raise ServiceError(canonical_url(url, {"pagina": page}), 200,
                           f"a feed page must be a JSON array of events, got "
                           f"{type(events).__name__}")
    return events


# --------------------------------------------------------------------------------------------
# linking
# --------------------------------------------------------------------------------------------


def link_addresses_to_buildings(
    addresses: pd.DataFrame, building_units: pd.DataFrame
) -> pd.Series:
    """The building of each address, through the address links of the building units.

    An address linked to units in several buildings keeps one, by this rule (in order):
    the unit's status (``gerealiseerd`` before ``gepland`` before ``nietGerealiseerd`` and
    ``gehistoreerd``), a private unit before a common part (``gemeenschappelijkDeel``), then
    the lowest unit id (numeric) so the choice is reproducible.

    Parameters
    ----------
    addresses : pandas.DataFrame
        With an ``adres_id`` column (any index).
    building_units : pandas.DataFrame
        With ``gebouweenheid_id``, ``gebouw_id``, ``adres_ids`` (list of str) and optionally
        ``status`` and ``function`` (as from :func:`get_building_units` or the feed state).

    Returns
    -------
    pandas.Series
        ``gebouw_id`` (str, missing where no unit names the address), indexed like
        ``addresses``, named ``gebouw_id``.
    """
    for frame, needed, what in (
        (addresses, ("adres_id",), "addresses"),
        (building_units, ("gebouweenheid_id", "gebouw_id", "adres_ids"), "building_units"),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise InputError(
                f"{what} lacks columns {missing} (has {list(frame.columns)[:8]}); use the "
                "frames of get_addresses / get_building_units or of apply_feed."
            )
    units = building_units[["gebouweenheid_id", "gebouw_id", "adres_ids"]].copy()
    units["status_rank"] = (
        building_units["status"].map(_UNIT_STATUS_RANK).fillna(len(_UNIT_STATUS_RANK))
        if "status" in building_units.columns else 0
    )
    units["common"] = (
        (building_units["function"] == _COMMON_PART).astype(int)
        if "function" in building_units.columns else 0
    )
    units["unit_order"] = pd.to_numeric(units["gebouweenheid_id"], errors="coerce")
    pairs = units.explode("adres_ids").dropna(subset=["adres_ids", "gebouw_id"])
    pairs = pairs.sort_values(["status_rank", "common", "unit_order", "gebouweenheid_id"],
                              kind="stable")
    best = pairs.drop_duplicates("adres_ids", keep="first")
    lookup = pd.Series(best["gebouw_id"].astype(str).to_numpy(),
                       index=best["adres_ids"].astype(str).to_numpy())
    n_multi = int(pairs.groupby("adres_ids")["gebouw_id"].nunique().gt(1).sum())
    if n_multi:
        logger.info("%d addresses are linked to units in more than one building; kept one "
                    "each (realised, private, lowest unit id)", n_multi)
    linked = addresses["adres_id"].astype(str).map(lookup)
    return pd.Series(linked.to_numpy(), index=addresses.index, name="gebouw_id")


# --------------------------------------------------------------------------------------------
# change feeds
# --------------------------------------------------------------------------------------------


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass(frozen=True)
class FeedState:
    """Tables rebuilt from the base-register change feeds.

    Attributes
    ----------
    addresses : pandas.DataFrame
        :data:`ADDRESS_COLUMNS` (``street`` filled from ``street_names`` when known).
    buildings : geopandas.GeoDataFrame
        :data:`BUILDING_COLUMNS`, footprints in EPSG:31370 (``capakeys`` stays empty: the
        building feed does not carry parcels).
    building_units : pandas.DataFrame
        :data:`BUILDING_UNIT_COLUMNS`.
    parcels : pandas.DataFrame
        :data:`PARCEL_COLUMNS`.
    street_names : pandas.DataFrame
        :data:`STREET_NAME_COLUMNS`.
    transformations : pandas.DataFrame
        :data:`TRANSFORMATION_COLUMNS`: lineage from ``transform`` events.
    rejected : pandas.DataFrame
        :data:`REJECTED_COLUMNS`: events that could not be applied (``input`` is
        ``feed:<object>``, ``row`` the event's position in the batch, ``id`` the event id).
    last_event_ids : dict
        Highest event id applied per object type (``address``, ``building``,
        ``buildingunit``, ``parcel``, ``streetname``); older events are skipped, so applying
        a page twice changes nothing.
    n_ignored : int
        Events of feeds that are not replayed (municipalities, postal information).
    """

    addresses: pd.DataFrame = field(default_factory=lambda: _empty(ADDRESS_COLUMNS))
    buildings: gpd.GeoDataFrame = field(
        default_factory=lambda: _building_frame([], None, [], "feed")
    )
    building_units: pd.DataFrame = field(
        default_factory=lambda: _empty(BUILDING_UNIT_COLUMNS)
    )
    parcels: pd.DataFrame = field(default_factory=lambda: _empty(PARCEL_COLUMNS))
    street_names: pd.DataFrame = field(default_factory=lambda: _empty(STREET_NAME_COLUMNS))
    transformations: pd.DataFrame = field(
        default_factory=lambda: _empty(TRANSFORMATION_COLUMNS)
    )
    rejected: pd.DataFrame = field(default_factory=lambda: _empty(REJECTED_COLUMNS))
    last_event_ids: Mapping[str, int] = field(default_factory=dict)
    n_ignored: int = 0


# object type of the event → (table attribute, key column)
_FEED_TABLES: dict[str, tuple[str, str]] = {
    "address": ("addresses", "adres_id"),
    "building": ("buildings", "gebouw_id"),
    "buildingunit": ("building_units", "gebouweenheid_id"),
    "parcel": ("parcels", "capakey"),
    "streetname": ("street_names", "straatnaam_id"),
}
_TABLE_COLUMNS = {
    "addresses": ADDRESS_COLUMNS,
    "buildings": BUILDING_COLUMNS,
    "building_units": BUILDING_UNIT_COLUMNS,
    "parcels": PARCEL_COLUMNS,
    "street_names": STREET_NAME_COLUMNS,
}
_EVENT_TYPE_RE = re.compile(r"basisregisters\.(\w+)\.(create|update|delete|transform)\.v\d+")


def _language_value(value: Any, language: str = "nl") -> str | None:
    """Pick the Dutch spelling from ``[{"@value", "@language"}, ...]`` (else the first)."""
    if not isinstance(value, list) or not value:
        return None if value in (None, []) else str(value)
    for item in value:
        if isinstance(item, Mapping) and item.get("@language") == language:
            return item.get("@value")
    first = value[0]
    return first.get("@value") if isinstance(first, Mapping) else str(first)


def _point_xy(value: Any) -> tuple[float, float]:
    gml = _pick_gml(value)
    if not gml:
        return math.nan, math.nan
    point = parse_gml_point(gml)
    return point.x, point.y


def _id_list(value: Any) -> list[str]:
    return [_last_segment(v) for v in value or [] if v not in (None, "")]


# feed attribute name → function(record, new value); one mapping per object type, so the
# official names become house names in one place.
def _set(column: str, convert: Callable[[Any], Any] = lambda v: v):
    def setter(record: dict, value: Any) -> None:
        record[column] = None if value is None else convert(value)
    return setter


def _set_xy(record: dict, value: Any) -> None:
    record["x"], record["y"] = _point_xy(value)


def _set_footprint(record: dict, value: Any) -> None:
    gml = _pick_gml(value)
    record["geometry"] = parse_gml_polygon(gml) if gml else None


_ATTRIBUTE_SETTERS: dict[str, dict[str, Callable[[dict, Any], None]]] = {
    "address": {
        "heeftStraatnaam": _set("straatnaam_id", _last_segment),
        "status": _set("address_status", _last_segment),
        "huisnummer": _set("house_number", str),
        "busnummer": _set("box_number", str),
        "heeftPostinfo": _set("postcode", _last_segment),
        "officieelToegekend": _set("officially_assigned", bool),
        "positie.methode": _set("position_method", _last_segment),
        "positie.specificatie": _set("position_spec", _last_segment),
        "positie.geometrie": _set_xy,
    },
    "building": {
        "gebouwStatus": _set("building_status", _last_segment),
        "geometrieMethode": _set("geometry_method", _last_segment),
        "gebouwGeometrie": _set_footprint,
    },
    "buildingunit": {
        "gebouweenheidStatus": _set("status", _last_segment),
        "gebouweenheidFunctie": _set("function", _last_segment),
        "positieGeometrieMethode": _set("position_method", _last_segment),
        "gebouweenheidPositie": _set_xy,
        "gebouw.id": _set("gebouw_id", _last_segment),
        "adresIds": lambda r, v: r.__setitem__("adres_ids", _id_list(v)),
        "afwijkingVastgesteld": _set("has_deviation", bool),
    },
    "parcel": {
        "perceelStatus": _set("parcel_status", _last_segment),
        "adresIds": lambda r, v: r.__setitem__("adres_ids", _id_list(v)),
    },
    "streetname": {
        "straatnaam": _set("street", _language_value),
        "homoniemToevoeging": _set("homonym_addition", _language_value),
        "status": _set("street_status", _last_segment),
        "isToegekendDoor": _set("nis_code", _last_segment),
    },
}


def _event_sort_key(event: Any) -> tuple[int, int]:
    try:
        return 0, int(event["id"])
    except (KeyError, TypeError, ValueError):
        return 1, 0


def _transform_rows(obj_type: str, data: Mapping, event_id: str, when: Any) -> list[dict]:
    pairs: list[tuple[Any, Any]] = []
    for item in data.get("transformaties") or []:  # addresses: [{vanId, naarId}]
        pairs.append((item.get("vanId"), item.get("naarId")))
    if "vanId" in data:  # street names: vanId + naarIds; municipalities: vanId + naarId
        targets = data.get("naarIds") or ([data["naarId"]] if data.get("naarId") else [])
        pairs += [(data["vanId"], t) for t in targets]
    if not pairs:
        raise InputError("transform event without 'transformaties' or 'vanId'/'naarId(s)'")
    return [
        {"object_type": obj_type, "from_id": _last_segment(a), "to_id": _last_segment(b),
         "event_id": event_id, "time": when}
        for a, b in pairs
    ]


def apply_feed(events: Iterable[Mapping], state: FeedState | None = None) -> FeedState:
    """Replay base-register change-feed events (CloudEvents) into tables.

    Handles ``basisregisters.<object>.{create,update,delete,transform}.v1`` for addresses,
    buildings, building units, parcels and street names; other feeds are counted in
    ``n_ignored``. *create* starts (or, after a delete, restarts: "RemovalWasCorrected")
    a record from the event's attributes, *update* sets the attributes the event carries
    (``nieuweWaarde``), *delete* drops the record, *transform* records lineage
    (old id → new id) in ``transformations`` — the register sends the status changes of the
    objects concerned as separate update events. Events are applied in event-id order (the
    order of each feed); events at or below the state's last id of their feed are skipped.
    Events that cannot be applied (an update for an unknown object, a malformed event or
    geometry) go to ``rejected`` and the replay continues.

    Parameters
    ----------
    events : iterable of dict
        Parsed CloudEvents, e.g. pages of :func:`get_feed_page` or recorded files.
    state : FeedState, optional
        State to continue from; not modified. None starts empty.

    Returns
    -------
    FeedState
        New tables. Statuses, methods and specifications are the register's values with the
        concept URI cut to its last segment (``inGebruik``, ``afgeleidVanObject``).
    """
    state = state or FeedState()
    # Replaying is inherently sequential (each event depends on the state the previous one
    # left), so this is a loop over events on plain dicts; frames are rebuilt once at the end.
    tables: dict[str, dict[str, dict]] = {}
    for obj_type, (attr, key) in _FEED_TABLES.items():
        frame = getattr(state, attr)
        columns = _TABLE_COLUMNS[attr]
        records = pd.DataFrame(frame).reindex(columns=list(columns)).to_dict("records")
        tables[obj_type] = {str(r[key]): r for r in records}
    last = dict(state.last_event_ids)
    transformations = pd.DataFrame(state.transformations).to_dict("records")
    rejected = pd.DataFrame(state.rejected).to_dict("records")
    n_ignored = state.n_ignored

    ordered = sorted(enumerate(events), key=lambda pe: _event_sort_key(pe[1]))
    for row, event in ordered:
        is_object = isinstance(event, Mapping)
        event_id = str(event.get("id")) if is_object else None
        match = _EVENT_TYPE_RE.fullmatch(str(event.get("type", ""))) if is_object else None
        label = f"feed:{match.group(1)}" if match else "feed"
        try:
            if not is_object:
                raise InputError(f"an event must be a JSON object, got {type(event).__name__}")
            if not match:
                raise InputError(f"unknown event type {event.get('type')!r}")
            obj_type, operation = match.groups()
            if obj_type not in _FEED_TABLES:
                n_ignored += 1
                continue
            sort_group, numeric_id = _event_sort_key(event)
            if sort_group == 0 and numeric_id <= last.get(obj_type, -1):
                continue  # already applied
            data = event.get("data")
            if not isinstance(data, Mapping):
                raise InputError("event without a 'data' object")
            if operation == "transform":
                transformations += _transform_rows(obj_type, data, event_id, event.get("time"))
            else:
                _apply_change(tables[obj_type], obj_type, operation, data)
            if sort_group == 0:
                last[obj_type] = numeric_id
        except (InputError, KeyError, TypeError, ValueError, AttributeError) as exc:
            reason = str(exc) if isinstance(exc, InputError) else f"malformed event: {exc!r}"
            rejected.append(_rejected(label, row, event_id, reason))

    if len(rejected) > len(state.rejected):
        logger.warning("%d feed events could not be applied", len(rejected) - len(state.rejected))
    return _state_from_tables(tables, transformations, rejected, last, n_ignored)


def _apply_change(table: dict[str, dict], obj_type: str, operation: str, data: Mapping) -> None:
    attr, key = _FEED_TABLES[obj_type]
    raw_id = data.get("objectId")
    if raw_id in (None, ""):
        raise InputError(f"{operation} event without data.objectId")
    oid = to_capakey(raw_id) if obj_type == "parcel" else str(raw_id)
    if operation == "delete":
        if table.pop(oid, None) is None:
            raise InputError(f"delete of unknown {obj_type} {oid}")
        return
    if operation == "create":
        record = {c: None for c in _TABLE_COLUMNS[attr]}
        record[key] = oid
        if "adres_ids" in record:
            record["adres_ids"] = []
        if "capakeys" in record:
            record["capakeys"] = []
        if "x" in record:
            record["x"] = record["y"] = math.nan
    elif oid in table:
        record = dict(table[oid])
    else:
        raise InputError(
            f"update for unknown {obj_type} {oid}: the replay did not see its create event "
            "(start from an earlier page or from a state that holds it)"
        )
    nis_codes = data.get("nisCodes") or []
    if len(nis_codes) == 1 and "nis_code" in record and obj_type != "streetname":
        record["nis_code"] = str(nis_codes[0])
    record["version_id"] = data.get("versieId", record.get("version_id"))
    setters = _ATTRIBUTE_SETTERS[obj_type]
    attributes = data.get("attributen") or []
    if not isinstance(attributes, list):
        raise InputError("'attributen' must be a list")
    for attribute in attributes:
        setter = setters.get(attribute.get("naam"))
        if setter is None:
            logger.debug("ignoring %s attribute %r", obj_type, attribute.get("naam"))
            continue
        setter(record, attribute.get("nieuweWaarde"))
    table[oid] = record  # only now: a failing event leaves the table unchanged


def _state_from_tables(
    tables: dict[str, dict[str, dict]],
    transformations: list[dict],
    rejected: list[dict],
    last: dict[str, int],
    n_ignored: int,
) -> FeedState:
    frames: dict[str, pd.DataFrame] = {}
    for obj_type, (attr, key) in _FEED_TABLES.items():
        records = sorted(tables[obj_type].values(),
                         key=lambda r: (len(str(r[key])), str(r[key])))
        frames[attr] = pd.DataFrame.from_records(records, columns=list(_TABLE_COLUMNS[attr]))
    streets = frames["street_names"].set_index("straatnaam_id")["street"]
    addresses = frames["addresses"]
    if len(addresses):
        addresses["street"] = addresses["straatnaam_id"].map(streets).combine_first(
            addresses["street"])
        addresses["x"] = addresses["x"].astype(float)
        addresses["y"] = addresses["y"].astype(float)
    units = frames["building_units"]
    if len(units):
        units["x"] = units["x"].astype(float)
        units["y"] = units["y"].astype(float)
    return FeedState(
        addresses=addresses,
        buildings=_building_frame(frames["buildings"].to_dict("records"), None, [], "feed"),
        building_units=units,
        parcels=frames["parcels"],
        street_names=frames["street_names"],
        transformations=pd.DataFrame.from_records(transformations,
                                                  columns=list(TRANSFORMATION_COLUMNS)),
        rejected=pd.DataFrame.from_records(rejected, columns=list(REJECTED_COLUMNS)),
        last_event_ids=dict(last),
        n_ignored=n_ignored,
    )


# --------------------------------------------------------------------------------------------
# writing source files
# --------------------------------------------------------------------------------------------


def _join_ids(values: Any) -> str:
    return ";".join(str(v) for v in values) if isinstance(values, list | tuple) else ""


# House names of this module that :mod:`wijkreno.io.columns` spells differently.
_COLUMN_ALIASES = {"position_spec": "position_specification"}
# Official download fields that the loaders do not read but the files keep (dBase schemas of
# the registers' extracts, AddressDbaseSchemaV2.cs / BuildingDbaseSchema.cs, as cited in
# wijkreno.io.columns): street-name id, version, officially assigned.
_EXTRA_OFFICIAL_FIELDS = {
    "straatnaam_id": "straatnmid", "version_id": "versieid", "officially_assigned": "offtoegknd",
}


def _to_official(frame: pd.DataFrame, layout: cols.SourceLayout) -> pd.DataFrame:
    """Rename house-named columns to the official fields of ``layout`` (its ``rename``
    inverted), so the file reads through :mod:`wijkreno.io.sources` like a register download;
    columns without an official field keep their house name."""
    official = {house: field for field, house in layout.rename.items()}
    mapping = {}
    for column in frame.columns:
        house = _COLUMN_ALIASES.get(column, column)
        if house in official:
            mapping[column] = official[house]
        elif column in _EXTRA_OFFICIAL_FIELDS:
            mapping[column] = _EXTRA_OFFICIAL_FIELDS[column]
    return frame.rename(columns=mapping)


def download_sources(
    nis_code: str,
    out_dir: Path,
    *,
    transport: Transport,
    address_status: str | Sequence[str] | None = ("inGebruik",),
    page_size: int = MAX_PAGE_SIZE,
    max_workers: int = 4,
    base_url: str = API_BASE,
) -> dict[str, Path]:
    """Fetch a municipality's addresses, building units and buildings; write them as files.

    Calls :func:`get_addresses`, :func:`get_building_units` (with those addresses) and
    :func:`get_buildings` (with those units), links addresses to buildings with
    :func:`link_addresses_to_buildings`, and writes into ``out_dir``:

    ``gebouwen.gpkg``
        layer ``gebouwen``, fields of the Gebouwenregister download (mapping
        :data:`wijkreno.io.columns.GEBOUWENREGISTER_BUILDINGS`): ``gebouwid``, ``status``,
        ``geommet``, ``versieid``, plus ``nis_code`` and ``capakeys`` (``;``-joined);
        footprint polygons in EPSG:31370. Reads with
        :func:`wijkreno.io.sources.read_buildings`.
    ``adressen.csv``
        fields of the Adressenregister download (mapping
        :data:`wijkreno.io.columns.ADRESSENREGISTER_ADDRESSES`: ``adresid``, ``straatnm``,
        ``huisnr``, ``busnr``, ``postcode``, ``gemeenteid``, ``status``, ``posgeommet``,
        ``posspec``, ``gebouwid`` — the linked building, empty when none — and ``straatnmid``,
        ``versieid``, ``offtoegknd``), with the position in the BeST-style columns
        ``EPSG:31370_x``, ``EPSG:31370_y`` [m] that declare their CRS; UTF-8. Reads with
        :func:`wijkreno.io.sources.read_addresses`.
    ``gebouweenheden.csv``
        :data:`BUILDING_UNIT_COLUMNS` (house names) with ``adres_ids`` ``;``-joined.
    ``provenance.json``
        source, time of retrieval (UTC), counts, rejected objects and licence.

    Values stay as the API writes them (``inGebruik``, ``gerealiseerd``); the loaders
    translate them.

    Parameters
    ----------
    nis_code : str
        NIS5 code of the municipality.
    out_dir : Path
        Folder to write into (created when missing; files in it are overwritten).
    transport : Transport
        Where the JSON comes from.
    address_status : str or sequence of str, optional
        Address statuses to keep (default: in use). None keeps all.
    page_size, max_workers, base_url
        As in :func:`get_addresses`.

    Returns
    -------
    dict
        ``{"buildings", "addresses", "building_units", "provenance"}`` → written paths.
    """
    nis = _check_nis(nis_code)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"out_dir {out} exists and is not a folder.")
    common = {"page_size": page_size, "max_workers": max_workers, "base_url": base_url}
    addresses = get_addresses(nis, transport=transport, status=address_status, **common)
    if addresses.empty:
        raise InputError(
            f"the Adressenregister lists no addresses for NIS {nis}"
            + (f" with status {sorted(_as_statuses(address_status))}" if address_status else "")
            + "; check the NIS code (a municipality merged in 2025 has a new code)."
        )
    units = get_building_units(nis, transport=transport, addresses=addresses, **common)
    buildings = get_buildings(nis, transport=transport, building_units=units, **common)
    linked = link_addresses_to_buildings(addresses, units)
    address_table = pd.DataFrame(addresses.drop(columns="geometry"))
    address_table["gebouw_id"] = linked
    # a building that could not be fetched is no use as a link
    address_table.loc[~address_table["gebouw_id"].isin(buildings["gebouw_id"]), "gebouw_id"] = (
        None
    )

    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "buildings": out / "gebouwen.gpkg",
        "addresses": out / "adressen.csv",
        "building_units": out / "gebouweenheden.csv",
        "provenance": out / "provenance.json",
    }
    building_file = buildings.copy()
    building_file["capakeys"] = building_file["capakeys"].map(_join_ids)
    building_file = _to_official(building_file, cols.GEBOUWENREGISTER_BUILDINGS)
    if paths["buildings"].exists():
        paths["buildings"].unlink()
    building_file.to_file(paths["buildings"], layer="gebouwen", driver="GPKG")
    x_name, y_name, _ = next(c for c in cols.BEST_COORDINATE_COLUMNS if c[2] == CRS_EPSG)
    address_file = _to_official(address_table.rename(columns={"x": x_name, "y": y_name}),
                                cols.ADRESSENREGISTER_ADDRESSES)
    address_file.to_csv(paths["addresses"], index=False, encoding="utf-8")
    unit_file = units.copy()
    unit_file["adres_ids"] = unit_file["adres_ids"].map(_join_ids)
    unit_file.to_csv(paths["building_units"], index=False, encoding="utf-8")

    rejected = (addresses.attrs.get("rejected", []) + units.attrs.get("rejected", [])
                + buildings.attrs.get("rejected", []))
    provenance = {
        "source": "Basisregisters Vlaanderen API v2 (Gebouwen- en Adressenregister)",
        "base_url": base_url,
        "nis_code": nis,
        "retrieved_at_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "address_status": list(_as_statuses(address_status) or []),
        "counts": {
            "addresses": len(addresses),
            "addresses_linked_to_a_building": int(address_table["gebouw_id"].notna().sum()),
            "building_units": len(units),
            "buildings": len(buildings),
            "rejected": len(rejected),
        },
        "rejected": rejected,
        "crs": f"EPSG:{CRS_EPSG}",
        "note": ("Buildings are those holding an addressed unit; annexes and sheds without "
                 "units are missing (the v2 API has no municipality filter for buildings)."),
        "licence": ("Modellicentie Gratis Hergebruik; attribution: Digitaal Vlaanderen, "
                    "Gebouwen- en Adressenregister"),
        "wijkreno_version": __version__,
    }
    paths["provenance"].write_text(json.dumps(provenance, indent=2, ensure_ascii=False),
                                   encoding="utf-8")
    logger.info("wrote %d buildings and %d addresses of NIS %s to %s", len(buildings),
                len(addresses), nis, out)
    return paths
