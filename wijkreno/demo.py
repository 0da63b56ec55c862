"""The built-in demo neighbourhood "Demowijk": a fictitious Flemish village in official formats.

:func:`generate_demo` writes the files a real run reads, in the layouts of the official
downloads, so that the demo goes through the real loaders (:mod:`wijkreno.io.sources`,
:mod:`wijkreno.io.statbel`, :mod:`wijkreno.io.rasters`):

``gebouwen.gpkg``
    Gebouwenregister download layout (layer ``Gebouw``: ``id``, ``gebouwid``, ``versieid``,
    ``geommet``, ``status``); footprints of main buildings, rear annexes, verandas, garages and
    sheds as separate register objects, with party walls as shared boundaries (shared vertices,
    as in the GRB), a few tiny gaps (≤ 5 cm) and overlaps, one invalid but repairable annex
    (a zero-width spike), and three bad rows that a loader must refuse: a duplicate building
    id, a sliver under 1 m² and a demolished (``Gehistoreerd``) barn.
``adressen.csv``
    BeST-Address CSV layout (FPS BOSA ``openaddress-bevlg.csv``, the Adressenregister's
    addresses as CSV with ``EPSG:31370_x/_y`` Lambert-72 columns): one address per housing
    unit, box numbers in apartment buildings, a school address, a retired address, and two
    proposed addresses on plots without a building.
``dsm.tif``, ``dtm.tif``
    1 m DHM-Vlaanderen-II-style surface and terrain models (float32, EPSG:31370, nodata -9999):
    gently sloping terrain, pitched and flat roofs, trees, and a small nodata patch (water).
``sectoren.gpkg``
    Three Statbel statistical sectors (``CD_SECTOR``, ``TX_SECTOR_DESCR_NL``,
    ``CD_MUNTY_REFNIS``, ``TX_MUNTY_DESCR_NL``).
``gebouwenpark.csv``
    Statbel building stock of NIS 99001 in the long layout of the 2025 open data, counted from
    the ground truth (T1 buildings, T3.x periods, T4.x ground area, T5 central heating, T6
    bathrooms, T7 garages, T8 dwellings; R1–R6).
``register_renovaties.csv``
    The municipality's register of realised renovations as ``wijkreno register list
    renovations -o`` exports it (:data:`DEMO_REGISTER`): roof insulation (2023) at Kerkstraat 1,
    cavity-wall insulation (2023) at Kerkstraat 2 and an air-water heat pump with
    low-temperature emitters (2024) at Kerkstraat 3. The pipeline's ``renovated`` stage
    applies them to the twin.
``truth.csv``, ``truth_addresses.csv``
    The hidden ground truth per building and per address, for tests only; the twin must not
    read them.

The village is fictitious ("Demowijk", NIS code 99001, postcode 2999) but placed at real
Lambert-72 coordinates (around x = 150,000, y = 200,000, between Boom and Willebroek). Everything
is drawn from one seeded generator: the same seed gives byte-identical attribute tables.

The numbers below (plot widths, storey heights, roof pitches, shares of annexes) describe a
plausible synthetic village; they are scenario inputs of the demo, not physics or policy
parameters of the model.

This generator builds its buildings one by one in Python: it runs once per demo on about a
thousand objects (well under a second), not on a hot path.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.features
import shapely
from affine import Affine

from wijkreno.crs import CRS_EPSG

log = logging.getLogger(__name__)

DEMO_NAME = "Demowijk"
DEMO_NIS_CODE = "99001"
"""Fictitious NIS code (no Belgian municipality has it)."""
DEMO_POSTCODE = "2999"
ORIGIN_X_M, ORIGIN_Y_M = 150_000.0, 200_000.0
"""Lambert-72 position [m] of the village's local origin (south-west corner)."""
ROTATION_DEG = 8.0
"""The streets run 8° north of east: no footprint edge is parallel to the raster grid."""
NODATA = -9999.0
STATBEL_YEAR = 2025
BUILDING_URI = "https://data.vlaanderen.be/id/gebouw/"

# street axes (local y of the centre line [m]) and the x range of their plots
STREETS = {
    "Kerkstraat": 560.0,
    "Dorpsstraat": 450.0,
    "Molenstraat": 330.0,
    "Berkenlaan": 230.0,
    "Eikenlaan": 120.0,
}
HALF_STREET_M = 5.0
SECTORS = (  # (CD_SECTOR, name, local y from, local y to)
    ("99001A00-", "Demowijk-Centrum", 390.0, math.inf),
    ("99001A01-", "Molenveld", 285.0, 390.0),
    ("99001A02-", "Berkenhof", -math.inf, 285.0),
)

STATBEL_PERIODS = (  # Statbel T3.x classes (codebook_stat_type.csv)
    ("T3.1", -math.inf, 1899), ("T3.2", 1900, 1918), ("T3.3", 1919, 1945),
    ("T3.4", 1946, 1961), ("T3.5", 1962, 1970), ("T3.6", 1971, 1981),
    ("T3.7.1", 1982, 1991), ("T3.7.2", 1992, 2001), ("T3.7.3", 2002, 2011),
    ("T3.7.4", 2012, math.inf),
)
STATBEL_AREA_CLASSES = (("T4.1", 0.0, 45.0), ("T4.2", 45.0, 65.0), ("T4.3", 65.0, 105.0),
                        ("T4.4", 105.0, math.inf))
STAT_TYPES = ("T1", "T3.1", "T3.2", "T3.3", "T3.4", "T3.5", "T3.6", "T3.7", "T3.7.1", "T3.7.2",
              "T3.7.3", "T3.7.4", "T3.9", "T4.1", "T4.2", "T4.3", "T4.4", "T5", "T6.1", "T6.2",
              "T7.1", "T7.2", "T8")
BUILDING_TYPES = ("R1", "R2", "R3", "R4", "R5", "R6")
# Statbel leaves these cells empty in the 2025 open data (e.g. NIS 13002); the demo does too.
SUPPRESSED = {("T4.1", "R4"), ("T4.2", "R4"), ("T4.3", "R4"), ("T4.4", "R4"),
              ("T4.1", "R6"), ("T4.2", "R6"), ("T4.3", "R6"), ("T4.4", "R6"),
              ("T5", "R6"), ("T6.1", "R6"), ("T6.2", "R6"), ("T7.1", "R6"), ("T7.2", "R6")}

DEMO_REGISTER: tuple[tuple[str, str, str, str, bool], ...] = (
    # street, house number, measure (register vocabulary), completion date, fossil free
    ("Kerkstraat", "1", "roof_insulation", "2023-04-18", False),
    ("Kerkstraat", "2", "cavity_fill", "2023-09-12", False),
    ("Kerkstraat", "3", "heat_pump_air_water_lt", "2024-02-20", True),
)
"""The demo's realised renovations (a scenario of the demo, not data): one measure on each of
Kerkstraat 1-3, in the register's vocabulary (``register_vocabulary.toml``)."""

REGISTER_EXPORT_COLUMNS: tuple[str, ...] = (
    "renovation_id", "nis_code", "adres_id", "dwelling_id", "measure", "completed_on",
    "collective_project", "fossil_free", "premium_eur", "note", "upload_id", "created_by")
"""Columns of the register's renovations export (``wijkreno.register.KIND_COLUMNS``)."""

BEST_COLUMNS = ("EPSG:31370_x", "EPSG:31370_y", "EPSG:4326_lat", "EPSG:4326_lon", "address_id",
                "box_number", "house_number", "municipality_id", "municipality_name_de",
                "municipality_name_fr", "municipality_name_nl", "postcode", "postname_fr",
                "postname_nl", "street_id", "streetname_de", "streetname_fr", "streetname_nl",
                "region_code", "status")


@dataclass
class _Building:
    key: int
    rect: tuple[float, float, float, float]  # xl, xr, yb, yt in the local frame [m]
    role: str  # main / annex
    kind: str
    year: int
    n_floors: int
    eaves_m: float
    ridge_m: float
    ridge_axis: str  # "x": ridge parallel to the street; "y": across
    n_dwellings: int = 0
    main_key: int | None = None
    attached: bool = False
    statbel_type: str | None = None
    neighbours: int = 0  # main buildings sharing a wall (construction truth)
    central_heating: bool = False
    n_garages: int = 0
    n_bathrooms: int = 0
    status: str = "Gerealiseerd"
    geommet: str = "IngemetenGRB"
    in_truth: bool = True


@dataclass
class _Address:
    street: str
    house_number: str
    box_number: str
    x: float  # local frame [m]
    y: float
    status: str  # current / proposed / retired
    building_key: int | None
    is_dwelling: bool
    position: str  # inside / front_yard / no_building


@dataclass
class _Village:
    rng: np.random.Generator
    buildings: list[_Building] = field(default_factory=list)
    addresses: list[_Address] = field(default_factory=list)
    numbers: dict[tuple[str, int], int] = field(default_factory=dict)
    n_gaps: int = 0
    n_overlaps: int = 0
    sliver_at: tuple[float, float] = (0.0, 0.0)

    def add(self, rect: tuple[float, float, float, float], **kw: object) -> _Building:
        b = _Building(key=len(self.buildings), rect=rect, **kw)  # type: ignore[arg-type]
        self.buildings.append(b)
        return b

    def next_number(self, street: str, side: int) -> int:
        """House numbers: odd on the north side (side +1), even on the south side."""
        k = (street, side)
        n = self.numbers.get(k, -1 if side > 0 else 0) + 2
        self.numbers[k] = n
        return n

    def u(self, lo: float, hi: float, nd: int = 2) -> float:
        return round(float(self.rng.uniform(lo, hi)), nd)

    def p(self, prob: float) -> bool:
        return bool(self.rng.random() < prob)


def generate_demo(out_dir: Path, *, seed: int = 20240101) -> dict[str, Path]:
    """Write the demo neighbourhood "Demowijk" (NIS 99001) in official source formats.

    Parameters
    ----------
    out_dir : Path
        Folder to write into (created when missing; existing demo files are replaced).
    seed : int
        Seed of every random draw: the same seed gives byte-identical attribute tables.

    Returns
    -------
    dict of str to Path
        ``buildings`` (gebouwen.gpkg), ``addresses`` (adressen.csv), ``dsm`` (dsm.tif),
        ``dtm`` (dtm.tif), ``sectors`` (sectoren.gpkg), ``gebouwenpark`` (gebouwenpark.csv),
        ``truth`` (truth.csv), ``truth_addresses`` (truth_addresses.csv), ``register``
        (register_renovaties.csv).

    Examples
    --------
    >>> from wijkreno.io.sources import read_buildings
    >>> paths = generate_demo(tmp_path)  # doctest: +SKIP
    >>> read_buildings(paths["buildings"]).rejected["reason"].str[:12].tolist()  # doctest: +SKIP
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    village = _Village(rng)
    _build_dorpsstraat(village)
    _build_kerkstraat(village)
    _build_molenstraat(village)
    _build_allotment(village)
    mains = [b for b in village.buildings if b.role == "main" and b.in_truth]
    _assign_typology(mains)

    rings = _rings_with_shared_vertices(village.buildings)
    extra = _bad_register_rows(village, rings)
    world = _to_world_polygons(rings)

    ids = _draw_ids(rng, len(village.buildings) + len(extra), 10_000_000, 32_000_000)
    gebouw_ids = {b.key: int(ids[i]) for i, b in enumerate(village.buildings)}

    paths = {
        "buildings": out_dir / "gebouwen.gpkg",
        "addresses": out_dir / "adressen.csv",
        "dsm": out_dir / "dsm.tif",
        "dtm": out_dir / "dtm.tif",
        "sectors": out_dir / "sectoren.gpkg",
        "gebouwenpark": out_dir / "gebouwenpark.csv",
        "truth": out_dir / "truth.csv",
        "truth_addresses": out_dir / "truth_addresses.csv",
        "register": out_dir / "register_renovaties.csv",
    }
    for p in paths.values():
        p.unlink(missing_ok=True)

    _write_register(village, world, gebouw_ids, extra, ids[len(village.buildings):],
                    paths["buildings"])
    truth = _truth_table(village, world, gebouw_ids)
    truth.to_csv(paths["truth"], index=False, lineterminator="\n")
    addresses, address_truth = _address_tables(village, gebouw_ids)
    addresses.to_csv(paths["addresses"], index=False, lineterminator="\n")
    address_truth.to_csv(paths["truth_addresses"], index=False, lineterminator="\n")
    _register_export(addresses).to_csv(paths["register"], index=False, lineterminator="\n")
    _gebouwenpark(truth).to_csv(paths["gebouwenpark"], index=False, lineterminator="\n")
    bounds = _write_rasters(village, world, paths["dsm"], paths["dtm"])
    _write_sectors(bounds, paths["sectors"])
    log.info("demo: %d register rows (%d main buildings), %d addresses written to %s",
             len(world) + len(extra), len(mains), len(addresses), out_dir)
    return paths


# ---------------------------------------------------------------------------------------------
# the streets


def _plan_rows(v: _Village, x0: float, x1: float, n_lo: int, n_hi: int, w_lo: float,
               w_hi: float, gap_lo: float, gap_hi: float) -> tuple[list[list[float]], list[float]]:
    """Rows of attached houses between x0 and x1: frontage widths [m] per row, and the gap
    [m] before each row."""
    rows: list[list[float]] = []
    gaps: list[float] = []
    x = x0
    gap = 0.0
    while x1 - x > 3 * w_hi:
        n = int(v.rng.integers(n_lo, n_hi + 1))
        widths = [v.u(w_lo, w_hi) for _ in range(n)]
        while widths and x + sum(widths) > x1:
            widths.pop()
        if len(widths) >= 2:
            rows.append(widths)
            gaps.append(gap)
            gap = 0.0
        step = v.u(gap_lo, gap_hi)
        x += sum(widths) + step
        gap += step + (sum(widths) if len(widths) < 2 else 0.0)
    return rows, gaps


def _row_positions(x0: float, rows: list[list[float]], gaps: list[float]) -> list[list[float]]:
    """Party-wall x coordinates of each row (one float per wall, shared by both houses)."""
    out = []
    x = x0
    for widths, gap in zip(rows, gaps, strict=True):
        xs = [round(x + gap, 2)]
        for w in widths:
            xs.append(round(xs[-1] + w, 2))
        out.append(xs)
        x = xs[-1]
    return out


def _attached_row(v: _Village, street: str, side: int, xs: list[float], y_front: float,
                  units: list[dict[str, object]], plot_depth: float) -> None:
    """Materialise one row: houses with shared side walls, rear annexes, garden sheds."""
    keys: list[_Building] = []
    for i, unit in enumerate(units):
        xl, xr = xs[i], xs[i + 1]
        if i > 0 and v.p(0.06):  # a few register imperfections between neighbours
            if v.n_gaps < 6 and v.p(0.6):
                xl = round(xl + v.u(0.02, 0.04), 3)
                v.n_gaps += 1
            elif v.n_overlaps < 4:
                xl = round(xl - v.u(0.02, 0.04), 3)
                v.n_overlaps += 1
        depth = float(unit["depth"])  # type: ignore[arg-type]
        y_back = round(y_front + side * depth, 2)
        rect = (xl, xr, min(y_front, y_back), max(y_front, y_back))
        b = v.add(rect, role="main", **unit["attrs"])  # type: ignore[arg-type]
        keys.append(b)
        _addresses_for(v, b, street, side, y_front, unit)
        if b.kind in ("terraced_house", "shop", "infill_house"):
            _rear_annex(v, b, side, y_back)
            _garden_shed(v, b, side, y_front + side * plot_depth, xl, xr)
    for i, b in enumerate(keys):
        b.neighbours = int(i > 0) + int(i < len(keys) - 1)


def _old_house_attrs(v: _Village) -> dict[str, object]:
    r = v.rng.random()
    if r < 0.70:  # before 1945
        year = int(v.rng.choice([v.rng.integers(1860, 1900), v.rng.integers(1900, 1919),
                                 v.rng.integers(1919, 1946)], p=None))
    else:
        year = int(v.rng.integers(1946, 1971))
    eaves = v.u(5.8, 6.4)
    return dict(kind="terraced_house", year=year, n_floors=2, eaves_m=eaves,
                ridge_m=round(eaves + v.u(3.0, 3.8), 2), ridge_axis="x", n_dwellings=1,
                central_heating=v.p(0.85), n_bathrooms=1)


def _build_dorpsstraat(v: _Village) -> None:
    """The old main street: long terraced rows, shops, a 1975 apartment block, an infill."""
    street, y_axis = "Dorpsstraat", STREETS["Dorpsstraat"]
    for side in (+1, -1):
        rows, gaps = _plan_rows(v, 0.0, 700.0, 8, 18, 5.0, 7.0, 4.0, 12.0)
        units = [[{"depth": v.u(9.0, 12.0), "attrs": _old_house_attrs(v)} for _ in r]
                 for r in rows]
        if side > 0:  # the apartment block sits in the third row of the north side
            j = min(2, len(rows) - 1)
            k = len(rows[j]) // 2
            rows[j][k] = v.u(18.0, 20.0)
            h = v.u(12.6, 13.2)
            units[j][k] = {"depth": v.u(13.0, 14.0), "boxes": [str(i) for i in range(1, 9)],
                           "attrs": dict(kind="apartment_block", year=1975, n_floors=4,
                                         eaves_m=h, ridge_m=h, ridge_axis="x",
                                         n_dwellings=8, statbel_type="R4",
                                         central_heating=True, n_bathrooms=8)}
        # shops (commercial houses with a dwelling above): interior units of a row
        interior = [(j, k) for j, r in enumerate(rows) for k in range(1, len(r) - 1)
                    if units[j][k]["attrs"]["kind"] == "terraced_house"]  # type: ignore[index]
        picks = v.rng.choice(len(interior), size=2 if side > 0 else 1, replace=False)
        for p in sorted(int(i) for i in picks):
            j, k = interior[p]
            rows[j][k] = v.u(7.0, 9.0)
            eaves = v.u(6.2, 6.6)
            units[j][k] = {"depth": v.u(15.0, 18.0), "attrs": dict(
                kind="shop", year=int(v.rng.integers(1880, 1940)), n_floors=2, eaves_m=eaves,
                ridge_m=round(eaves + v.u(3.0, 3.6), 2), ridge_axis="x", n_dwellings=1,
                statbel_type="R5", central_heating=True, n_bathrooms=1)}
        if side < 0:  # a recent infill house (old one demolished and rebuilt, flat roof)
            j, k = interior[int(v.rng.integers(len(interior)))]
            while units[j][k]["attrs"]["kind"] != "terraced_house":  # type: ignore[index]
                j, k = interior[int(v.rng.integers(len(interior)))]
            h = v.u(6.6, 7.2)
            units[j][k] = {"depth": v.u(11.0, 12.5), "attrs": dict(
                kind="infill_house", year=2019, n_floors=2, eaves_m=h, ridge_m=h,
                ridge_axis="x", n_dwellings=1, central_heating=True, n_bathrooms=1)}
        y_front = y_axis + side * HALF_STREET_M
        positions = _row_positions(0.0, rows, gaps)
        for xs, row_units in zip(positions, units, strict=True):
            _attached_row(v, street, side, xs, y_front, row_units, plot_depth=35.0)
        if side < 0:  # a digitising sliver in the first gap between rows (a register error)
            v.sliver_at = (positions[0][-1] + 0.8, y_front)


def _postwar_attrs(v: _Village) -> dict[str, object]:
    eaves = v.u(5.6, 6.2)
    return dict(kind="terraced_house", year=int(v.rng.integers(1946, 1971)), n_floors=2,
                eaves_m=eaves, ridge_m=round(eaves + v.u(3.0, 3.8), 2), ridge_axis="x",
                n_dwellings=1, central_heating=v.p(0.9), n_bathrooms=1)


def _build_kerkstraat(v: _Village) -> None:
    """Post-war terraced rows, the school, and a 2016 apartment building."""
    street, y_axis = "Kerkstraat", STREETS["Kerkstraat"]
    setback = 3.0
    for side in (+1, -1):
        y_front = round(y_axis + side * (HALF_STREET_M + setback), 2)
        spans = [(120.0, 190.0), (260.0, 390.0), (440.0, 520.0)] if side > 0 else [(120.0, 520.0)]
        for x0, x1 in spans:
            rows, gaps = _plan_rows(v, x0, x1, 4, 8, 5.5, 7.0, 5.0, 9.0)
            units = [[{"depth": v.u(9.0, 11.0), "attrs": _postwar_attrs(v)} for _ in r]
                     for r in rows]
            for xs, row_units in zip(_row_positions(x0, rows, gaps), units, strict=True):
                _attached_row(v, street, side, xs, y_front, row_units, plot_depth=30.0)
            if side > 0 and x0 == 120.0:
                _school(v, street, y_axis)
            if side > 0 and x0 == 260.0:
                _apartments_2016(v, street, y_axis)


def _school(v: _Village, street: str, y_axis: float) -> None:
    y0 = y_axis + HALF_STREET_M + 12.0
    eaves = v.u(7.2, 7.8)
    school = v.add((200.0, 245.0, y0, y0 + 16.0), role="main", kind="school", year=1962,
                   n_floors=2, eaves_m=eaves, ridge_m=eaves, ridge_axis="x", n_dwellings=0,
                   statbel_type="R6")
    v.add((205.0, 217.0, y0 + 22.0, y0 + 25.0), role="annex", kind="bike_shed", year=1998,
          n_floors=1, eaves_m=2.5, ridge_m=2.5, ridge_axis="x", main_key=school.key)
    number = v.next_number(street, +1)
    v.addresses.append(_Address(street, str(number), "", 222.5, y0 + 3.0, "current",
                                school.key, False, "inside"))


def _apartments_2016(v: _Village, street: str, y_axis: float) -> None:
    y0 = y_axis + HALF_STREET_M + 4.0
    h = v.u(15.4, 16.0)
    block = v.add((400.0, 428.0, y0, y0 + 15.0), role="main", kind="apartment_block", year=2016,
                  n_floors=5, eaves_m=h, ridge_m=h, ridge_axis="x", n_dwellings=12,
                  statbel_type="R4", central_heating=True, n_garages=12, n_bathrooms=12)
    number = v.next_number(street, +1)
    boxes = ["0.1", "0.2", "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1"]
    for i, box in enumerate(boxes):
        v.addresses.append(_Address(street, str(number), box, 402.0 + 2.0 * (i % 12),
                                    y0 + 3.0 + (i % 3), "current", block.key, True, "inside"))


def _build_molenstraat(v: _Village) -> None:
    """Semi-detached pairs (1946–1990) with side garages, verandas and sheds."""
    street, y_axis = "Molenstraat", STREETS["Molenstraat"]
    for side in (+1, -1):
        x = 10.0
        while True:
            m1, m2 = v.u(4.5, 6.0), v.u(4.5, 6.0)
            w1 = v.u(7.5, 9.5)
            w2 = w1 if v.p(0.7) else v.u(7.5, 9.5)
            xl = round(x + m1, 2)
            xm = round(xl + w1, 2)
            xr = round(xm + w2, 2)
            if xr + m2 > 690.0:
                break
            y_front = round(y_axis + side * (HALF_STREET_M + v.u(6.0, 8.0)), 2)
            y_back = round(y_front + side * v.u(9.0, 11.0), 2)
            yb, yt = min(y_front, y_back), max(y_front, y_back)
            year = int(v.rng.integers(1946, 1991))
            eaves = v.u(5.6, 6.2)
            ridge = round(eaves + v.u(3.0, 3.8), 2)
            for a, c, margin, outer in ((xl, xm, m1, -1), (xm, xr, m2, +1)):
                house = v.add((a, c, yb, yt), role="main", kind="semi_house",
                              year=min(1990, year + int(v.rng.integers(0, 2))), n_floors=2,
                              eaves_m=eaves, ridge_m=ridge, ridge_axis="x", n_dwellings=1,
                              neighbours=1, central_heating=year >= 1971 or v.p(0.9),
                              n_bathrooms=1)
                _addresses_for(v, house, street, side, y_front, {})
                if v.p(0.5):  # garage against the outer side wall
                    gw = v.u(3.0, min(3.6, margin - 1.0))
                    g0, g1 = (round(a - gw, 2), a) if outer < 0 else (c, round(c + gw, 2))
                    y0 = round(y_front + side * 1.0, 2)
                    y1 = round(y0 + side * v.u(6.0, 7.0), 2)
                    h = v.u(2.6, 3.0)
                    v.add((g0, g1, min(y0, y1), max(y0, y1)), role="annex", kind="garage",
                          year=house.year, n_floors=1, eaves_m=h, ridge_m=h, ridge_axis="x",
                          main_key=house.key, attached=True)
                    house.n_garages = 1
                if v.p(0.25):  # veranda at the back
                    vw = v.u(3.0, 4.0)
                    cx = (a + c) / 2
                    y1 = round(y_back + side * v.u(2.5, 3.5), 2)
                    h = v.u(2.7, 3.0)
                    v.add((round(cx - vw / 2, 2), round(cx + vw / 2, 2), min(y_back, y1),
                           max(y_back, y1)), role="annex", kind="veranda",
                          year=int(v.rng.integers(1985, 2016)), n_floors=1, eaves_m=h,
                          ridge_m=h, ridge_axis="x", main_key=house.key, attached=True)
                _garden_shed(v, house, side, y_axis + side * 45.0, a, c)
            x = xr + m2


def _build_allotment(v: _Village) -> None:
    """Detached houses of a 1970–2000 allotment; recent houses and empty plots at its east end."""
    for street in ("Berkenlaan", "Eikenlaan"):
        y_axis = STREETS[street]
        for side in (+1, -1):
            x = 10.0
            plot = 0
            while True:
                pw = v.u(20.0, 25.0)
                if x + pw > 690.0:
                    break
                plot += 1
                recent = street == "Eikenlaan" and side < 0 and plot >= 22
                _detached_plot(v, street, side, x, pw, y_axis, recent, plot)
                x = round(x + pw, 2)


def _detached_plot(v: _Village, street: str, side: int, x: float, pw: float, y_axis: float,
                   recent: bool, plot: int) -> None:
    setback = v.u(7.0, 9.0)
    y_front = round(y_axis + side * (HALF_STREET_M + setback), 2)
    if recent and plot in (24, 27):  # plot under construction / lot without building
        number = v.next_number(street, side)
        if plot == 24:
            v.addresses.append(_Address(street, str(number), "", x + pw / 2, y_front + side * 5,
                                        "proposed", None, False, "no_building"))
        return
    if street == "Berkenlaan" and side > 0 and plot == 9:  # a new lot, address proposed
        number = v.next_number(street, side)
        v.addresses.append(_Address(street, str(number), "", x + pw / 2, y_front + side * 5,
                                    "proposed", None, False, "no_building"))
        return
    w, d = v.u(9.0, 13.5), v.u(8.0, 12.0)
    offset = v.u(-1.5, 1.5)
    xl = round(x + (pw - w) / 2 + offset, 2)
    xr = round(xl + w, 2)
    y_back = round(y_front + side * d, 2)
    if recent:
        year = int(v.rng.integers(2012, 2024))
        h = v.u(6.4, 7.2)
        attrs = dict(kind="detached_house", year=year, n_floors=2, eaves_m=h, ridge_m=h,
                     ridge_axis="x")
    else:
        year = int(v.rng.integers(1970, 2001))
        if v.p(0.35):
            floors, eaves, rise = 1, v.u(3.0, 3.4), v.u(3.2, 4.0)
        else:
            floors, eaves, rise = 2, v.u(5.6, 6.2), v.u(3.2, 3.9)
        attrs = dict(kind="detached_house", year=year, n_floors=floors, eaves_m=eaves,
                     ridge_m=round(eaves + rise, 2), ridge_axis="x" if w >= d else "y")
    house = v.add((xl, xr, min(y_front, y_back), max(y_front, y_back)), role="main",
                  n_dwellings=1, central_heating=True,
                  n_bathrooms=2 if v.p(0.3) else 1, **attrs)  # type: ignore[arg-type]
    front_yard = street == "Berkenlaan" and side < 0 and plot in (3, 7, 11)
    _addresses_for(v, house, street, side, y_front, {"front_yard": front_yard})
    right_margin = x + pw - xr
    if v.p(0.45) and right_margin >= 4.5:
        gw = v.u(3.2, 3.8)
        g0 = round(y_front + side * 1.5, 2)
        g1 = round(g0 + side * v.u(6.0, 7.0), 2)
        h = v.u(2.7, 3.1)
        v.add((xr, round(xr + gw, 2), min(g0, g1), max(g0, g1)), role="annex", kind="garage",
              year=year, n_floors=1, eaves_m=h, ridge_m=h, ridge_axis="x",
              main_key=house.key, attached=True)
        house.n_garages = 1
    elif not recent and v.p(0.3):  # free-standing garage at the back
        g0 = round(y_back + side * 6.0, 2)
        g1 = round(g0 + side * v.u(5.5, 6.5), 2)
        gx = round(xl + v.u(0.0, 2.0), 2)
        h = v.u(2.6, 3.0)
        v.add((gx, round(gx + v.u(3.0, 3.6), 2), min(g0, g1), max(g0, g1)), role="annex",
              kind="garage", year=year + int(v.rng.integers(0, 15)), n_floors=1,
              eaves_m=h, ridge_m=h, ridge_axis="x", main_key=house.key)
        house.n_garages = 1
    else:
        _garden_shed(v, house, side, y_axis + side * (HALF_STREET_M + 45.0), xl, xr)


def _addresses_for(v: _Village, b: _Building, street: str, side: int, y_front: float,
                   unit: dict[str, object]) -> None:
    number = v.next_number(street, side)
    xl, xr, yb, yt = b.rect
    cx = (xl + xr) / 2
    boxes = unit.get("boxes")
    if boxes:
        for i, box in enumerate(boxes):  # type: ignore[attr-defined]
            px = xl + 2.0 + (i % 4) * (xr - xl - 4.0) / 3
            py = y_front + side * (2.5 + 2.5 * (i // 4))
            v.addresses.append(_Address(street, str(number), str(box), px, py, "current",
                                        b.key, True, "inside"))
        return
    if unit.get("front_yard"):  # position on the parcel, in front of the facade
        v.addresses.append(_Address(street, str(number), "", cx, y_front - side * 2.0,
                                    "current", b.key, True, "front_yard"))
        return
    v.addresses.append(_Address(street, str(number), "", cx, y_front + side * 3.0, "current",
                                b.key, b.n_dwellings > 0, "inside"))
    if street == "Dorpsstraat" and side > 0 and number == 7:
        # a retired address of a house that once held two dwellings ("7A")
        v.addresses.append(_Address(street, "7A", "", cx, y_front + side * 5.0, "retired",
                                    b.key, False, "inside"))


def _rear_annex(v: _Village, b: _Building, side: int, y_back: float) -> None:
    if not v.p(0.75):
        return
    xl, xr = b.rect[0], b.rect[1]
    w = xr - xl
    if v.p(0.3):
        a, c = xl, xr
    else:
        aw = v.u(2.5, w - 0.8)
        a, c = (xl, round(xl + aw, 2)) if v.p(0.5) else (round(xr - aw, 2), xr)
    y1 = round(y_back + side * v.u(2.5, 5.0), 2)
    veranda = v.p(0.3)
    h = v.u(2.7, 3.0) if veranda else v.u(3.0, 3.6)
    year = (int(v.rng.integers(1985, 2016)) if veranda
            else min(2015, b.year + int(v.rng.integers(15, 60))))
    v.add((a, c, min(y_back, y1), max(y_back, y1)), role="annex",
          kind="veranda" if veranda else "rear_annex", year=year, n_floors=1, eaves_m=h,
          ridge_m=h, ridge_axis="x", main_key=b.key, attached=True)


def _garden_shed(v: _Village, b: _Building, side: int, y_plot_back: float, xl: float,
                 xr: float) -> None:
    if not v.p(0.4):
        return
    sw = min(v.u(2.4, 5.0), round(xr - xl - 1.0, 2))
    sd = v.u(2.5, 5.0)
    if sw * sd < 6.0:
        sd = round(6.2 / sw, 2)
    x0 = round(xl + 0.5 + v.u(0.0, max(0.0, xr - xl - 1.0 - sw)), 2)
    y0 = round(y_plot_back - side * 1.0, 2)
    y1 = round(y0 - side * sd, 2)
    h = v.u(2.2, 2.6)
    v.add((x0, round(x0 + sw, 2), min(y0, y1), max(y0, y1)), role="annex", kind="shed",
          year=int(v.rng.integers(1975, 2021)), n_floors=1, eaves_m=h, ridge_m=h,
          ridge_axis="x", main_key=b.key, attached=False,
          geommet="Ingeschetst" if v.p(0.3) else "IngemetenGRB")


def _assign_typology(mains: list[_Building]) -> None:
    """Statbel type from the construction: shared walls for houses, function for the rest."""
    by_walls = {0: "R3", 1: "R2", 2: "R1"}
    for b in mains:
        if b.statbel_type is None:
            b.statbel_type = by_walls[min(b.neighbours, 2)]


# ---------------------------------------------------------------------------------------------
# geometry


def _rings_with_shared_vertices(
    buildings: list[_Building],
) -> list[list[tuple[float, float]]]:
    """Rectangles as rings, with every corner of a touching rectangle inserted as a vertex.

    Two footprints that share a wall then share the vertices of that wall exactly, as in the
    GRB (topologically consistent) — so that a rotation and rounding cannot open a gap.
    """
    rects = np.array([b.rect for b in buildings], dtype=float)
    boxes = shapely.box(rects[:, 0], rects[:, 2], rects[:, 1], rects[:, 3])
    tree = shapely.STRtree(boxes)
    left, right = tree.query(boxes, predicate="intersects")
    pairs = left != right
    left, right = left[pairs], right[pairs]
    extra: dict[int, list[tuple[float, float]]] = {}
    corner_x = rects[:, [0, 1, 1, 0]]
    corner_y = rects[:, [2, 2, 3, 3]]
    for c in range(4):
        px, py = corner_x[right, c], corner_y[right, c]
        xl, xr, yb, yt = (rects[left, k] for k in range(4))
        on_h = ((py == yb) | (py == yt)) & (px > xl) & (px < xr)
        on_v = ((px == xl) | (px == xr)) & (py > yb) & (py < yt)
        for i, x, y in zip(left[on_h | on_v], px[on_h | on_v], py[on_h | on_v], strict=True):
            extra.setdefault(int(i), []).append((float(x), float(y)))
    rings = []
    for i, (xl, xr, yb, yt) in enumerate(rects):
        pts = set(extra.get(i, []))
        ring = [(xl, yb)]
        ring += sorted((p for p in pts if p[1] == yb and xl < p[0] < xr), key=lambda p: p[0])
        ring.append((xr, yb))
        ring += sorted((p for p in pts if p[0] == xr and yb < p[1] < yt), key=lambda p: p[1])
        ring.append((xr, yt))
        ring += sorted((p for p in pts if p[1] == yt and xl < p[0] < xr), key=lambda p: -p[0])
        ring.append((xl, yt))
        ring += sorted((p for p in pts if p[0] == xl and yb < p[1] < yt), key=lambda p: -p[1])
        rings.append(ring)
    return rings


def _to_world(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = math.radians(ROTATION_DEG)
    wx = ORIGIN_X_M + x * math.cos(t) - y * math.sin(t)
    wy = ORIGIN_Y_M + x * math.sin(t) + y * math.cos(t)
    return np.round(wx, 3), np.round(wy, 3)


def _to_local(wx: np.ndarray, wy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = math.radians(ROTATION_DEG)
    dx, dy = wx - ORIGIN_X_M, wy - ORIGIN_Y_M
    return dx * math.cos(t) + dy * math.sin(t), -dx * math.sin(t) + dy * math.cos(t)


def _ring_polygon(ring: list[tuple[float, float]]) -> shapely.Polygon:
    xy = np.asarray(ring, dtype=float)
    wx, wy = _to_world(xy[:, 0], xy[:, 1])
    return shapely.Polygon(np.column_stack([wx, wy]))


def _to_world_polygons(rings: list[list[tuple[float, float]]]) -> list[shapely.Polygon]:
    return [_ring_polygon(r) for r in rings]


def _bad_register_rows(
    v: _Village, rings: list[list[tuple[float, float]]]
) -> list[dict[str, object]]:
    """Spike one annex (invalid, repairable) and make the rows a loader must refuse."""
    # an annex south of its house: its bottom edge ring[0] → ring[1] is the outer back wall.
    # A zero-width spike in the middle of that edge makes GEOS report a self-intersection;
    # make_valid removes the spike and keeps the annex.
    annexes = [b for b in v.buildings if b.kind in ("rear_annex", "veranda")
               and b.main_key is not None and b.rect[3] == v.buildings[b.main_key].rect[2]]
    spiked = annexes[int(v.rng.integers(len(annexes)))]
    ring = rings[spiked.key]
    (x0, y0), (x1, _) = ring[0], ring[1]
    mid = (round((x0 + x1) / 2, 2), y0)
    rings[spiked.key] = [ring[0], mid, (mid[0], round(y0 - 0.4, 2)), mid] + ring[1:]

    sheds = [b for b in v.buildings if b.kind == "shed"]
    dup = sheds[int(v.rng.integers(len(sheds)))]
    sx, sy = v.sliver_at
    sliver = shapely.Polygon([(sx, sy), (sx + 0.06, sy), (sx + 0.06, sy - 6.0), (sx, sy - 6.0)])
    recent = [b for b in v.buildings if b.kind == "detached_house" and b.year >= 2012]
    barn_of = recent[int(v.rng.integers(len(recent)))]
    xl, xr, yb, yt = barn_of.rect
    barn = shapely.box(xl - 3.0, yb + 2.0, xl + 11.0, yb + 10.0)
    return [
        {"kind": "duplicate", "copy_of": dup.key},
        {"kind": "sliver", "local": sliver, "status": "Gerealiseerd", "geommet": "Ingeschetst"},
        {"kind": "demolished_barn", "local": barn, "status": "Gehistoreerd",
         "geommet": "IngemetenGRB"},
    ]


def _local_to_world_geom(g: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(g, lambda xy: np.column_stack(_to_world(xy[:, 0], xy[:, 1])))


# ---------------------------------------------------------------------------------------------
# writers


def _draw_ids(rng: np.random.Generator, n: int, lo: int, hi: int) -> np.ndarray:
    return lo + rng.choice(hi - lo, size=n, replace=False)


def _version_ids(rng: np.random.Generator, n: int) -> list[str]:
    days = rng.integers(0, 6 * 365, size=n)
    secs = rng.integers(7 * 3600, 18 * 3600, size=n)
    stamps = pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D") + pd.to_timedelta(
        secs, unit="s")
    out = []
    for s in stamps:
        offset = "+02:00" if 4 <= s.month <= 10 else "+01:00"
        out.append(s.strftime("%Y-%m-%dT%H:%M:%S") + offset)
    return out


def _write_register(v: _Village, world: list[shapely.Polygon], gebouw_ids: dict[int, int],
                    extra: list[dict[str, object]], extra_ids: np.ndarray, path: Path) -> None:
    rows = []
    for b, geom in zip(v.buildings, world, strict=True):
        rows.append({"gebouwid": gebouw_ids[b.key], "geommet": b.geommet, "status": b.status,
                     "geometry": geom, "order": 0})
    for item, new_id in zip(extra, extra_ids, strict=True):
        if item["kind"] == "duplicate":
            src = v.buildings[int(item["copy_of"])]  # type: ignore[call-overload]
            geom = shapely.transform(world[src.key], lambda xy: xy + np.array([0.12, -0.08]))
            rows.append({"gebouwid": gebouw_ids[src.key], "geommet": "Ingeschetst",
                         "status": "Gerealiseerd", "geometry": geom, "order": 1})
        else:
            rows.append({"gebouwid": int(new_id), "geommet": item["geommet"],
                         "status": item["status"],
                         "geometry": _local_to_world_geom(item["local"]),  # type: ignore[arg-type]
                         "order": 0})
    table = pd.DataFrame(rows).sort_values(["gebouwid", "order"], kind="stable")
    table["id"] = BUILDING_URI + table["gebouwid"].astype(str)
    table["versieid"] = _version_ids(v.rng, len(table))
    frame = gpd.GeoDataFrame(
        table[["id", "gebouwid", "versieid", "geommet", "status"]].astype(
            {"gebouwid": "int32"}).reset_index(drop=True),
        geometry=gpd.GeoSeries(table["geometry"].to_numpy(), crs=CRS_EPSG), crs=CRS_EPSG,
    )
    frame.to_file(path, layer="Gebouw", driver="GPKG", engine="pyogrio")


_KIND_TYPOLOGY = {"R1": "terraced", "R2": "semi_detached", "R3": "detached",
                  "R4": "apartment_building", "R5": "non_residential", "R6": "non_residential"}


def _truth_table(v: _Village, world: list[shapely.Polygon],
                 gebouw_ids: dict[int, int]) -> pd.DataFrame:
    area = shapely.area(shapely.make_valid(np.asarray(world, dtype=object)))
    rows = []
    for b in v.buildings:
        if not b.in_truth:
            continue
        main = b.role == "main"
        mean = b.eaves_m + (b.ridge_m - b.eaves_m) / 2
        rows.append({
            "gebouw_id": str(gebouw_ids[b.key]),
            "role": b.role,
            "kind": b.kind,
            "typology": _KIND_TYPOLOGY[b.statbel_type] if main else "",
            "statbel_type": b.statbel_type or "",
            "construction_year": b.year,
            "n_floors": b.n_floors,
            "height_m": round(mean, 2),
            "eaves_height_m": round(b.eaves_m, 2),
            "ridge_height_m": round(b.ridge_m, 2),
            "roof_shape": "flat" if b.ridge_m <= b.eaves_m else "gable",
            "n_dwellings": b.n_dwellings,
            "main_gebouw_id": str(gebouw_ids[b.main_key if b.main_key is not None else b.key]),
            "attached": b.attached if not main else "",
            "n_party_walls": b.neighbours if main else 0,
            "footprint_area_m2": round(float(area[b.key]), 2),
            "central_heating": b.central_heating if main else "",
            "n_garages": b.n_garages,
            "n_bathrooms": b.n_bathrooms,
        })
    return pd.DataFrame(rows).sort_values("gebouw_id", kind="stable").reset_index(drop=True)


def _address_tables(v: _Village, gebouw_ids: dict[int, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = v.rng
    n = len(v.addresses)
    ids = _draw_ids(rng, n, 2_000_000, 9_000_000)
    street_ids = {s: str(60_000 + 137 * i) for i, s in enumerate(sorted(STREETS))}
    lx = np.array([a.x for a in v.addresses])
    ly = np.array([a.y for a in v.addresses])
    wx, wy = _to_world(lx, ly)
    lon, lat = pyproj.Transformer.from_crs(CRS_EPSG, 4326, always_xy=True).transform(wx, wy)
    best = pd.DataFrame({
        "EPSG:31370_x": [f"{x:.5f}" for x in wx],
        "EPSG:31370_y": [f"{y:.5f}" for y in wy],
        "EPSG:4326_lat": [f"{y:.5f}" for y in lat],
        "EPSG:4326_lon": [f"{x:.5f}" for x in lon],
        "address_id": [str(i) for i in ids],
        "box_number": [a.box_number for a in v.addresses],
        "house_number": [a.house_number for a in v.addresses],
        "municipality_id": DEMO_NIS_CODE,
        "municipality_name_de": "",
        "municipality_name_fr": "",
        "municipality_name_nl": DEMO_NAME,
        "postcode": DEMO_POSTCODE,
        "postname_fr": "",
        "postname_nl": DEMO_NAME,
        "street_id": [street_ids[a.street] for a in v.addresses],
        "streetname_de": "",
        "streetname_fr": "",
        "streetname_nl": [a.street for a in v.addresses],
        "region_code": "BE-VLG",
        "status": [a.status for a in v.addresses],
    })[list(BEST_COLUMNS)]
    number = best["house_number"].str.extract(r"^(\d+)")[0].astype(int)
    order = pd.DataFrame({"s": best["streetname_nl"], "n": number, "h": best["house_number"],
                          "b": best["box_number"]}).sort_values(["s", "n", "h", "b"],
                                                                kind="stable").index
    best = best.loc[order].reset_index(drop=True)
    truth = pd.DataFrame({
        "adres_id": [str(i) for i in ids],
        "gebouw_id": ["" if a.building_key is None else str(gebouw_ids[a.building_key])
                      for a in v.addresses],
        "is_dwelling": [a.is_dwelling for a in v.addresses],
        "status": [a.status for a in v.addresses],
        "position": [a.position for a in v.addresses],
    }).loc[order].reset_index(drop=True)
    return best, truth


def _register_export(addresses: pd.DataFrame) -> pd.DataFrame:
    """The demo's register of realised renovations in the export layout of the register."""
    rows = []
    for i, (street, number, measure, date, fossil_free) in enumerate(DEMO_REGISTER, start=1):
        hit = addresses[(addresses["streetname_nl"] == street)
                        & (addresses["house_number"] == number)
                        & (addresses["box_number"].fillna("") == "")]
        if hit.empty:  # the village changed: no such address
            continue
        rows.append({"renovation_id": i, "nis_code": DEMO_NIS_CODE,
                     "adres_id": str(hit["address_id"].iloc[0]), "dwelling_id": "",
                     "measure": measure, "completed_on": date, "collective_project": "",
                     "fossil_free": fossil_free, "premium_eur": "", "note": "demo",
                     "upload_id": "", "created_by": "demo"})
    return pd.DataFrame(rows, columns=list(REGISTER_EXPORT_COLUMNS))


def _gebouwenpark(truth: pd.DataFrame) -> pd.DataFrame:
    """Statbel long table of NIS 99001 counted from the ground truth (main buildings only)."""
    mains = truth[truth["role"] == "main"].copy()
    annex = truth[(truth["role"] == "annex") & (truth["attached"] == True)]  # noqa: E712
    ground = mains.set_index("gebouw_id")["footprint_area_m2"].add(
        annex.groupby("main_gebouw_id")["footprint_area_m2"].sum(), fill_value=0.0)
    mains["ground_area_m2"] = mains["gebouw_id"].map(ground)
    values: dict[tuple[str, str], float] = {}
    for rtype in BUILDING_TYPES:
        m = mains[mains["statbel_type"] == rtype]
        year = m["construction_year"]
        values[("T1", rtype)] = len(m)
        for code, lo, hi in STATBEL_PERIODS:
            values[(code, rtype)] = int(((year >= lo) & (year <= hi)).sum())
        values[("T3.7", rtype)] = sum(values[(c, rtype)] for c in
                                      ("T3.7.1", "T3.7.2", "T3.7.3", "T3.7.4"))
        values[("T3.9", rtype)] = 0
        for code, lo, hi in STATBEL_AREA_CLASSES:
            values[(code, rtype)] = int(((m["ground_area_m2"] >= lo)
                                         & (m["ground_area_m2"] < hi)).sum())
        residential = m["n_dwellings"] > 0
        values[("T5", rtype)] = int((m["central_heating"] == True).sum())  # noqa: E712
        values[("T6.1", rtype)] = int((residential & (m["n_bathrooms"] > 0)).sum())
        values[("T6.2", rtype)] = int(m["n_bathrooms"].sum())
        values[("T7.1", rtype)] = int((m["n_garages"] > 0).sum())
        values[("T7.2", rtype)] = int(m["n_garages"].sum())
        values[("T8", rtype)] = int(m["n_dwellings"].sum())
    rows = []
    for stat in STAT_TYPES:
        for rtype in BUILDING_TYPES:
            value = np.nan if (stat, rtype) in SUPPRESSED else float(values[(stat, rtype)])
            rows.append({"CD_YEAR": STATBEL_YEAR, "CD_REFNIS": DEMO_NIS_CODE,
                         "CD_STAT_TYPE": stat, "CD_BUILDING_TYPE": rtype, "MS_VALUE": value})
    return pd.DataFrame(rows)


def _terrain(lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    """Ground level [m TAW]: a gentle slope (0.4 % east, 0.2 % north) with soft undulation."""
    return 11.0 + 0.004 * lx + 0.002 * ly + 0.25 * np.sin(lx / 90.0) * np.cos(ly / 70.0)


def _write_rasters(v: _Village, world: list[shapely.Polygon], dsm_path: Path,
                   dtm_path: Path) -> tuple[float, float, float, float]:
    rng = v.rng
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(world, dtype=object))
    x0, y0 = math.floor(minx - 25.0), math.floor(miny - 25.0)
    x1, y1 = math.ceil(maxx + 25.0), math.ceil(maxy + 25.0)
    width, height = x1 - x0, y1 - y0
    transform = Affine(1.0, 0.0, x0, 0.0, -1.0, y1)  # 1 m cells, north up
    cx = x0 + 0.5 + np.arange(width)
    cy = y1 - 0.5 - np.arange(height)
    gx, gy = np.meshgrid(cx, cy)
    lx, ly = _to_local(gx, gy)
    dtm = _terrain(lx, ly) + rng.normal(0.0, 0.02, size=lx.shape)

    valid = shapely.make_valid(np.asarray(world, dtype=object))
    label = rasterio.features.rasterize(
        ((g, i + 1) for i, g in enumerate(valid)), out_shape=(height, width),
        transform=transform, fill=0, all_touched=False, dtype="int32",
    )
    rect = np.array([b.rect for b in v.buildings])
    centre_x = (rect[:, 0] + rect[:, 1]) / 2
    centre_y = (rect[:, 2] + rect[:, 3]) / 2
    half = np.where([b.ridge_axis == "x" for b in v.buildings],
                    (rect[:, 3] - rect[:, 2]) / 2, (rect[:, 1] - rect[:, 0]) / 2)
    eaves = np.array([b.eaves_m for b in v.buildings])
    ridge = np.array([b.ridge_m for b in v.buildings])
    across_y = np.array([b.ridge_axis == "x" for b in v.buildings])
    base = _terrain(centre_x, centre_y)

    dsm = dtm + rng.normal(0.0, 0.03, size=lx.shape)
    cells = label > 0
    k = label[cells] - 1
    dist = np.where(across_y[k], np.abs(ly[cells] - centre_y[k]), np.abs(lx[cells] - centre_x[k]))
    roof = eaves[k] + (ridge[k] - eaves[k]) * np.clip(1.0 - dist / half[k], 0.0, 1.0)
    dsm[cells] = base[k] + roof

    # trees in gardens: domes of 2.5–5 m radius, 7–15 m high, at least 5 m from any building
    tree_index = shapely.STRtree(valid)
    candidates = shapely.points(rng.uniform(minx, maxx, 600), rng.uniform(miny, maxy, 600))
    near = np.unique(tree_index.query(candidates, predicate="dwithin", distance=5.0)[0])
    free = np.setdiff1d(np.arange(len(candidates)), near)[:30]
    for p in candidates[free]:
        r, h = rng.uniform(2.5, 5.0), rng.uniform(7.0, 15.0)
        col, row = int(shapely.get_x(p) - x0), int(y1 - shapely.get_y(p))
        r0, r1 = max(row - 6, 0), min(row + 7, height)
        c0, c1 = max(col - 6, 0), min(col + 7, width)
        d2 = (gx[r0:r1, c0:c1] - shapely.get_x(p)) ** 2 + (gy[r0:r1, c0:c1] - shapely.get_y(p)) ** 2
        crown = dtm[r0:r1, c0:c1] + h * np.sqrt(np.clip(1.0 - d2 / r**2, 0.0, None))
        window = dsm[r0:r1, c0:c1]
        window[:] = np.where((label[r0:r1, c0:c1] == 0) & (d2 < r**2),
                             np.maximum(window, crown), window)

    # a small pond in the south-west corner: DHM writes nodata on water
    pond = (slice(height - 8, height - 4), slice(4, 10))
    if not cells[pond].any():
        dsm[pond] = NODATA
        dtm[pond] = NODATA

    profile = dict(driver="GTiff", width=width, height=height, count=1, dtype="float32",
                   crs=f"EPSG:{CRS_EPSG}", transform=transform, nodata=NODATA, tiled=True,
                   blockxsize=256, blockysize=256, compress="deflate", predictor=3)
    for path, data in ((dsm_path, dsm), (dtm_path, dtm)):
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(data.astype(np.float32), 1)
    return float(x0), float(y0), float(x1), float(y1)


def _write_sectors(bounds: tuple[float, float, float, float], path: Path) -> None:
    x0, y0, x1, y1 = bounds
    corners_x = np.array([x0, x1, x1, x0])
    corners_y = np.array([y0, y0, y1, y1])
    lx, ly = _to_local(corners_x, corners_y)
    lx0, lx1 = float(lx.min()) - 10.0, float(lx.max()) + 10.0
    ly0, ly1 = float(ly.min()) - 10.0, float(ly.max()) + 10.0
    rows = []
    for code, name, lo, hi in SECTORS:
        box = shapely.box(lx0, max(lo, ly0), lx1, min(hi, ly1))
        rows.append({"CD_SECTOR": code, "TX_SECTOR_DESCR_NL": name,
                     "CD_MUNTY_REFNIS": DEMO_NIS_CODE, "TX_MUNTY_DESCR_NL": DEMO_NAME,
                     "geometry": _local_to_world_geom(box)})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_EPSG)
    frame.to_file(path, layer="sectoren", driver="GPKG", engine="pyogrio")
