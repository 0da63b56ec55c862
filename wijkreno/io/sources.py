"""Readers of the building footprints and address points the twin is built from.

:func:`read_buildings` and :func:`read_addresses` read a file, recognise its official layout
from its columns (:mod:`wijkreno.io.columns`), rename the official fields to house names, bring
the geometry to Belgian Lambert 72 (EPSG:31370) and sort every row into kept or rejected.
:func:`clean_buildings` and :func:`clean_addresses` do the same for a frame already in memory.

Nothing is dropped silently: ``n_in == len(frame) + len(rejected)`` always, and each rejected
row carries a reason whose first word (before the colon) is one of :data:`REJECT_REASONS`.
Geometry that is invalid but can be repaired (``shapely.make_valid``) is repaired and kept.

Identifiers stay exactly as the register writes them: ``gebouw_id`` and ``adres_id`` are
strings (an integer field ``5811158`` becomes ``"5811158"``, never ``"5811158.0"``), and a
persistent URI ``https://data.vlaanderen.be/id/gebouw/5811158`` becomes its objectId.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from wijkreno.crs import CRS_EPSG, require_lambert72
from wijkreno.errors import CRSError, InputError
from wijkreno.io import columns as cols
from wijkreno.twin.schema import BUILDINGS, REJECTED_COLUMNS

log = logging.getLogger(__name__)

# Data-quality thresholds of the loaders (set by the project brief; the height bound is the
# schema's, 200 m). A footprint under 1 m² is a digitising sliver, not a building.
MIN_FOOTPRINT_AREA_M2 = 1.0
"""Smallest footprint area [m²] kept."""
MAX_HEIGHT_M = float(BUILDINGS["height_m"].max_value or 200.0)
"""Largest building height [m] kept (Belgium's tallest building is about 150 m)."""

MAX_FOOTPRINT_AREA_M2 = 150_000.0
"""Largest footprint area [m²] kept: above the largest buildings of Flanders (distribution
centres and factory halls reach about 100,000 m²; issue 14). A larger "footprint" is a parcel,
a block or a whole layer digitised as one polygon, and would become one house of a million m²."""

PREFERRED_LAYERS: Mapping[str, tuple[str, ...]] = {
    "buildings": ("gbg", "gebouw", "gebouwen", "gebouwenregister", "buildings", "building"),
    "addresses": ("adres", "adressen", "adressenregister", "addresses", "address"),
}
"""Layer names (lower case) a multi-layer file's building or address layer is known by: GRB
Gbg (``Gbg``; ``Adp`` are parcels, ``Gba`` building attachments), Gebouwenregister ``Gebouw``,
Adressenregister ``Adres``."""

REJECT_REASONS: Mapping[str, str] = {
    "missing_id": "the row has no object id",
    "no_geometry": "missing or empty geometry",
    "not_polygon": "a building geometry that is not a (multi)polygon",
    "invalid_geometry": "invalid geometry that shapely.make_valid cannot turn into a polygon",
    "small_area": f"footprint area under {MIN_FOOTPRINT_AREA_M2:g} m²",
    "large_area": f"footprint area above {MAX_FOOTPRINT_AREA_M2:,.0f} m² (not one building)",
    "height_out_of_range": f"height negative or above {MAX_HEIGHT_M:g} m",
    "not_existing": "building status planned, not realized or retired (no standing building)",
    "no_coordinates": "an address without coordinates",
    "not_point": "an address geometry that is not a point",
    "duplicate_id": "the id occurs earlier in the file (the first row is kept; for addresses "
                    "the current one)",
}
"""Reason keys of rejected rows; a reason reads ``"<key>: <details>"``."""

GENERIC_COORDINATE_COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("x", "y", None), ("coord_x", "coord_y", None), ("x_coord", "y_coord", None),
    ("lon", "lat", 4326), ("longitude", "latitude", 4326),
)
"""Other coordinate column pairs of address CSVs (after the BeST ones): ``x``/``y`` as in the
Adressenregister CSV export need their CRS given; ``lon``/``lat`` are WGS84 by name."""

_SPATIAL_HINT = (
    "Give a shapefile (.shp with its .shx, .dbf and .prj), a GeoPackage (.gpkg) or a GeoJSON "
    "file, as in the Gebouwenregister / Adressenregister / GRB downloads (a .zip of them works)."
)
_CSV_SUFFIXES = (".csv", ".txt")


class LoadResult(NamedTuple):
    """What a reader returns.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        Kept rows, house names, EPSG:31370, RangeIndex. ``frame.attrs["source_layout"]`` names
        the recognised layout.
    rejected : pandas.DataFrame
        Refused rows, columns :data:`wijkreno.twin.schema.REJECTED_COLUMNS` (``input``, ``row``
        (0-based position in the file), ``id``, ``reason``, ``wkt`` in EPSG:31370).
    n_in : int
        Rows read; ``n_in == len(frame) + len(rejected)``.
    """

    frame: gpd.GeoDataFrame
    rejected: pd.DataFrame
    n_in: int


# ---------------------------------------------------------------------------------------------
# public readers


def read_buildings(
    path: str | Path,
    *,
    layer: str | None = None,
    input_name: str = "buildings",
    crs: int | str | None = None,
    existing_only: bool = True,
) -> LoadResult:
    """Read building footprints from a Gebouwenregister, GRB Gbg or house-layout file.

    Parameters
    ----------
    path : str or Path
        Shapefile, GeoPackage or GeoJSON (or a .zip holding one). The layout is recognised from
        the columns (:data:`wijkreno.io.columns.BUILDING_LAYOUTS`).
    layer : str, optional
        Layer of a multi-layer file; by default the first layer whose columns match a layout.
    input_name : str
        Name of this input in the ``rejected`` table.
    crs : int or str, optional
        CRS of a file that declares none (e.g. a shapefile without .prj), such as ``31370``.
        A file that declares a CRS is reprojected to EPSG:31370 from it.
    existing_only : bool
        Reject footprints whose register status says they do not stand: planned, not
        realized or retired (demolished). Default True.

    Returns
    -------
    LoadResult
        ``frame`` columns: ``gebouw_id`` (str), ``building_status`` (str: planned,
        under_construction, realized, not_realized, retired; missing when the source has no
        status), the layout's other fields (``geometry_method``; ``grb_type``,
        ``grb_type_label``; ``height_m`` [m] and ``construction_year`` in the house layout), and
        ``geometry`` (Polygon or MultiPolygon, EPSG:31370).

    Raises
    ------
    InputError
        Missing, empty or unreadable file; columns that match no known layout.
    CRSError
        The file declares no CRS and ``crs`` is not given, or both disagree.

    Examples
    --------
    >>> loaded = read_buildings("Gebouw.shp")  # doctest: +SKIP
    >>> loaded.n_in == len(loaded.frame) + len(loaded.rejected)  # doctest: +SKIP
    True
    """
    path = _require_path(path, "buildings")
    if path.suffix.lower() in _CSV_SUFFIXES:
        raise InputError(
            f"the buildings file {path} is a CSV table; footprints need a spatial file. "
            + _SPATIAL_HINT
        )
    frame = _read_spatial(path, layer, "buildings", cols.BUILDING_LAYOUTS)
    frame = _declare_crs(_check_lonlat(frame, crs, path, "buildings"), crs, path)
    result = clean_buildings(frame, input_name=input_name, existing_only=existing_only)
    result.frame.attrs["source_layer"] = frame.attrs.get("source_layer")
    return result


def read_addresses(
    path: str | Path,
    *,
    layer: str | None = None,
    input_name: str = "addresses",
    x_column: str | None = None,
    y_column: str | None = None,
    crs: int | str | None = None,
) -> LoadResult:
    """Read address points from an Adressenregister, BeST-Address or house-layout file.

    Parameters
    ----------
    path : str or Path
        Shapefile, GeoPackage, GeoJSON, or a CSV with coordinate columns.
    layer : str, optional
        Layer of a multi-layer spatial file (not for CSV).
    input_name : str
        Name of this input in the ``rejected`` table.
    x_column, y_column : str, optional
        Coordinate columns of a CSV. By default the official columns of the BeST-Address CSV
        are used, in this order: ``EPSG:31370_x/_y``, ``EPSG:3812_x/_y``,
        ``EPSG:4326_lon/_lat``.
    crs : int or str, optional
        CRS of the coordinates. A CSV has no CRS of its own: the official BeST columns declare
        theirs in their name (their documented CRS is used when ``crs`` is not given); for any
        other columns ``crs`` is required. For a spatial file it is used only when the file
        declares none.

    Returns
    -------
    LoadResult
        ``frame`` columns: ``adres_id`` (str), ``street``, ``house_number``, ``box_number``,
        ``postcode``, ``nis_code`` (str, missing where the source has no value),
        ``address_status`` (current, proposed, retired, rejected), the layout's other fields
        (``municipality_name``; ``position_method``, ``position_specification``; ``gebouw_id``
        where the source links the address to a building) and ``geometry`` (Point, EPSG:31370).
        Rows with coordinates 0, 0 (how BeST writes an address without position) are rejected
        as having no coordinates.

    Raises
    ------
    InputError
        Missing, empty or unreadable file; columns that match no known layout; no coordinate
        columns in a CSV.
    CRSError
        No CRS known for the coordinates, or conflicting declarations.
    """
    path = _require_path(path, "addresses")
    if path.suffix.lower() in _CSV_SUFFIXES:
        if layer is not None:
            raise InputError(f"layer={layer!r} was given but {path} is a CSV file without layers.")
        frame = _read_address_csv(path, x_column, y_column, crs)
    else:
        if x_column is not None or y_column is not None:
            raise InputError(
                f"x_column/y_column apply to CSV files; {path} is a spatial file whose "
                "geometry holds the coordinates."
            )
        frame = _read_spatial(path, layer, "addresses", cols.ADDRESS_LAYOUTS)
        frame = _check_lonlat(frame, crs, path, "addresses")
        frame = _declare_crs(frame, crs, path)
    result = clean_addresses(frame, input_name=input_name)
    result.frame.attrs["source_layer"] = frame.attrs.get("source_layer")
    return result


# ---------------------------------------------------------------------------------------------
# frame-level cleaning (validation → which rows → assemble)


def clean_buildings(
    frame: gpd.GeoDataFrame, *, input_name: str = "buildings", existing_only: bool = True
) -> LoadResult:
    """Recognise the layout of a footprint frame and sort its rows into kept and rejected.

    The frame's index is ignored: ``row`` in the rejected table is the 0-based position.
    See :func:`read_buildings` for the output columns.
    """
    frame = _check_frame(frame, "buildings")
    layout, colmap = detect_layout(list(frame.columns), cols.BUILDING_LAYOUTS, "buildings")
    n = len(frame)
    ids = _object_ids(frame, layout, colmap)
    out = _renamed_attributes(frame, layout, colmap, exclude=("gebouw_id",))
    if "building_status" in out:
        out["building_status"] = _translate(out["building_status"], cols.BUILDING_STATUS_VALUES)
    else:
        out["building_status"] = pd.Series(np.nan, index=out.index, dtype="str")
    if "height_m" in out:
        out["height_m"] = pd.to_numeric(out["height_m"], errors="coerce").astype("float64")
    if "construction_year" in out:
        out["construction_year"] = _to_int(out["construction_year"])

    geoms = shapely.force_2d(frame.geometry.to_numpy())
    original = geoms.copy()
    reason = np.full(n, "", dtype=object)
    _flag(reason, ids.isna().to_numpy(), "missing_id: no building id")

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    _flag(reason, missing, "no_geometry: missing or empty geometry")
    type_id = shapely.get_type_id(geoms)
    polygonal = np.isin(type_id, (3, 6))  # Polygon, MultiPolygon
    wrong = ~missing & ~polygonal
    _flag(reason, wrong, "not_polygon: geometry is a " + _geom_types(geoms[wrong]))

    invalid = polygonal & ~missing & ~shapely.is_valid(geoms)
    if invalid.any():
        repaired = _polygonal_part(
            shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        )
        lost = shapely.is_empty(repaired) | (shapely.area(repaired) <= 0.0)
        geoms[invalid] = repaired
        bad = np.zeros(n, dtype=bool)
        bad[np.flatnonzero(invalid)[lost]] = True
        _flag(reason, bad, "invalid_geometry: make_valid leaves no polygon")
        log.info("%s: repaired %d invalid footprints", input_name, int((~lost).sum()))
    geoms = _single_polygons(geoms)

    area = np.where(polygonal & ~missing, shapely.area(geoms), np.nan)
    small = polygonal & ~missing & (area < MIN_FOOTPRINT_AREA_M2)
    _flag(reason, small, pd.Series(area[small]).map(
        lambda a: f"small_area: footprint area {a:.2f} m² is under {MIN_FOOTPRINT_AREA_M2:g} m²"
    ).to_numpy(dtype=object))

    large = polygonal & ~missing & (area > MAX_FOOTPRINT_AREA_M2)
    _flag(reason, large, pd.Series(area[large]).map(
        lambda a: f"large_area: footprint area {a:,.0f} m² is above "
                  f"{MAX_FOOTPRINT_AREA_M2:,.0f} m²; a parcel, block or layer outline, not one "
                  "building"
    ).to_numpy(dtype=object))

    if "height_m" in out:
        h = out["height_m"].to_numpy(dtype=float)
        out_of_range = (h < 0.0) | (h > MAX_HEIGHT_M)
        _flag(reason, out_of_range, pd.Series(h[out_of_range]).map(
            lambda v: f"height_out_of_range: height_m {v:g} m is outside 0–{MAX_HEIGHT_M:g} m"
        ).to_numpy(dtype=object))

    if existing_only:
        status = out["building_status"]
        gone = status.isin(cols.NOT_EXISTING_BUILDING_STATUSES).to_numpy()
        _flag(reason, gone, ("not_existing: building status " + status[gone].astype(str)
                             + " is not a standing building").to_numpy(dtype=object))

    _flag_duplicates(reason, ids, "gebouw_id")
    return _assemble(out, ids, "gebouw_id", geoms, original, reason, input_name, layout, frame.crs)


def clean_addresses(frame: gpd.GeoDataFrame, *, input_name: str = "addresses") -> LoadResult:
    """Recognise the layout of an address frame and sort its rows into kept and rejected.

    The frame's index is ignored: ``row`` in the rejected table is the 0-based position.
    See :func:`read_addresses` for the output columns.
    """
    frame = _check_frame(frame, "addresses", reproject=False)
    frame = _apply_address_aliases(frame)
    layout, colmap = detect_layout(list(frame.columns), cols.ADDRESS_LAYOUTS, "addresses")
    n = len(frame)
    ids = _object_ids(frame, layout, colmap)
    out = _renamed_attributes(frame, layout, colmap, exclude=("adres_id",))
    for name in ("street", "house_number", "box_number", "postcode", "nis_code",
                 "address_status"):
        if name not in out:
            out[name] = pd.Series(np.nan, index=out.index, dtype="str")
    out["address_status"] = _translate(out["address_status"], cols.ADDRESS_STATUS_VALUES)
    if "gebouw_id" in out:
        out["gebouw_id"] = _uri_tail(out["gebouw_id"])
    nis = out["nis_code"]
    digits = nis.str.fullmatch(r"\d{1,5}").fillna(False).astype(bool)
    out["nis_code"] = nis.where(~digits, nis.str.zfill(5))

    geoms = shapely.force_2d(frame.geometry.to_numpy())
    # MultiPoint of one point (some exports) → Point; (0, 0) is how BeST writes "no position"
    single_multi = (shapely.get_type_id(geoms) == 4) & (shapely.get_num_geometries(geoms) == 1)
    geoms[single_multi] = shapely.get_geometry(geoms[single_multi], 0)
    is_point = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    zero = np.zeros(n, dtype=bool)
    zero[is_point] = (shapely.get_x(geoms[is_point]) == 0.0) & (
        shapely.get_y(geoms[is_point]) == 0.0)
    geoms[zero] = None
    if frame.crs.to_epsg() != CRS_EPSG:
        geoms = _reproject(geoms, frame.crs)
    original = geoms.copy()

    reason = np.full(n, "", dtype=object)
    _flag(reason, ids.isna().to_numpy(), "missing_id: no address id")
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    _flag(reason, missing, "no_coordinates: the address has no position")
    not_point = ~missing & (shapely.get_type_id(geoms) != 0)
    _flag(reason, not_point, "not_point: geometry is a " + _geom_types(geoms[not_point]))
    # of two rows with one id keep the current address, not whichever comes first
    rank = out["address_status"].map(_STATUS_RANK).fillna(len(_STATUS_RANK)).to_numpy()
    _flag_duplicates(reason, ids, "adres_id", rank=rank,
                     statuses=out["address_status"].to_numpy(dtype=object))
    unmapped = _unmapped(frame, layout, colmap)
    if unmapped:
        log.warning("%s: columns %s are not in the %s layout and are not kept", input_name,
                    unmapped, layout.name)
    result = _assemble(out, ids, "adres_id", geoms, original, reason, input_name, layout,
                       pyproj.CRS.from_epsg(CRS_EPSG))
    result.frame.attrs["unmapped_columns"] = unmapped
    return result


def detect_layout(
    columns: Sequence[str], layouts: Sequence[cols.SourceLayout], what: str
) -> tuple[cols.SourceLayout, dict[str, str]]:
    """Find the first layout whose required fields are all among ``columns`` (any case).

    Returns
    -------
    layout : SourceLayout
    colmap : dict
        Lower-case official name → column name as found.

    Raises
    ------
    InputError
        Listing the columns found and the fields each known layout needs.
    """
    colmap: dict[str, str] = {}
    for c in columns:
        if c != "geometry":
            colmap.setdefault(str(c).strip().lower(), c)
    for layout in layouts:
        if all(f in colmap for f in layout.required):
            return layout, colmap
    expected = "; ".join(f"{lay.description}: {list(lay.required)}" for lay in layouts)
    raise InputError(
        f"the {what} columns {[c for c in columns if c != 'geometry']} match no known layout. "
        f"Expected one of: {expected}. Rename the columns or export the official download."
    )


# ---------------------------------------------------------------------------------------------
# file reading


def _require_path(path: str | Path, what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"the {what} file {path} does not exist; check the path (absolute: {path.absolute()})."
        )
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"the {what} file {path} is empty (0 bytes); download it again.")
    return path


def _read_spatial(
    path: Path, layer: str | None, what: str, layouts: Sequence[cols.SourceLayout]
) -> gpd.GeoDataFrame:
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # noqa: BLE001 - any driver error means "cannot read this file"
        raise InputError(f"cannot read the {what} file {path}: {exc}. {_SPATIAL_HINT}") from exc
    if not layers:
        raise InputError(f"the {what} file {path} holds no layer. {_SPATIAL_HINT}")
    if layer is not None and layer not in layers:
        raise InputError(f"the {what} file {path} has no layer {layer!r}; its layers: {layers}.")
    if layer is None:
        layer = _choose_layer(path, layers, what, layouts)
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read layer {layer!r} of the {what} file {path}: {exc}") from exc
    if len(frame) == 0:
        raise InputError(
            f"the {what} file {path} (layer {layer!r}) has no rows; check that the download "
            "covers the area you want."
        )
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise InputError(f"the {what} file {path} has no geometry column. {_SPATIAL_HINT}")
    frame.attrs["source_layer"] = layer
    return frame


def _choose_layer(path: Path, layers: list[str], what: str,
                  layouts: Sequence[cols.SourceLayout]) -> str:
    """The layer of a file to read when none was named: the only one, else the one whose name
    says it (:data:`PREFERRED_LAYERS`), else the only one whose columns fit a layout; never a
    guess between several."""
    if len(layers) == 1:
        return layers[0]
    fitting = []
    for name in layers:
        fields = [str(f) for f in pyogrio.read_info(path, layer=name)["fields"]]
        try:
            detect_layout(fields, layouts, what)
        except InputError:
            continue
        fitting.append(name)
    named = [n for n in fitting if n.strip().lower() in PREFERRED_LAYERS.get(what, ())]
    if len(named) == 1:
        chosen = named[0]
    elif len(fitting) == 1:
        chosen = fitting[0]
    else:
        candidates = fitting or layers
        raise InputError(
            f"the {what} file {path} holds several layers {layers} and "
            f"{'none' if not fitting else len(fitting)} of them fit a {what} layout by name and "
            f"columns; choose one with --layer (layer=...), e.g. --layer {candidates[0]} "
            "(GRB: Gbg are the buildings, Adp parcels, Gba attachments)."
        )
    log.info("%s: reading layer %r of %s (layers: %s)", what, chosen, path, layers)
    return chosen


def _check_lonlat(frame: gpd.GeoDataFrame, crs: int | str | None, path: Path,
                  what: str) -> gpd.GeoDataFrame:
    """A file that declares longitude/latitude (GeoJSON always does, RFC 7946) but holds
    coordinates outside ±180/±90 holds projected metres: refuse with a message that says so,
    or take ``crs`` as the truth when the user gave one."""
    if frame.crs is None or not frame.crs.is_geographic:
        return frame
    xmin, ymin, xmax, ymax = frame.total_bounds
    if not np.all(np.isfinite([xmin, ymin, xmax, ymax])):
        return frame
    if -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90:
        return frame
    if crs is not None:
        log.warning("%s: %s declares %s but holds projected coordinates; using crs=%s", what,
                    path.name, frame.crs.to_string(), crs)
        return frame.set_crs(_parse_crs(crs), allow_override=True)
    lambert = 0 <= xmin and xmax <= 400_000 and 0 <= ymin and ymax <= 400_000
    raise CRSError(
        f"the {what} file {path.name} declares WGS84 longitude/latitude "
        f"({frame.crs.to_string()}) but its coordinates run x {xmin:,.0f}…{xmax:,.0f}, "
        f"y {ymin:,.0f}…{ymax:,.0f}: these are not degrees"
        + (", they look like Belgian Lambert 72 metres (EPSG:31370)" if lambert else "")
        + ". A GeoJSON must hold WGS84; export it again in EPSG:4326, save it as a GeoPackage "
        "or shapefile that keeps its CRS, or give the true CRS (crs=31370)."
    )


def _declare_crs(frame: gpd.GeoDataFrame, crs: int | str | None, path: Path) -> gpd.GeoDataFrame:
    if crs is None:
        return frame
    declared = _parse_crs(crs)
    if frame.crs is None:
        return frame.set_crs(declared)
    if not frame.crs.equals(declared):
        raise CRSError(
            f"{path} declares {frame.crs.to_string()} but crs={crs!r} was given; drop crs= to "
            "use the file's own CRS, or fix the file's .prj."
        )
    return frame


def _parse_crs(crs: int | str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(
            f"crs={crs!r} is not a coordinate reference system; use an EPSG code such as "
            f"{CRS_EPSG} (Lambert 72), 3812 (Lambert 2008) or 4326 (WGS84)."
        ) from exc


def _read_address_csv(
    path: Path, x_column: str | None, y_column: str | None, crs: int | str | None
) -> gpd.GeoDataFrame:
    with path.open("rb") as fh:
        head = fh.readline(65536).decode("utf-8-sig", errors="replace")
    sep = ";" if head.count(";") > head.count(",") else ","
    try:
        table = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig",
                            keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"the addresses file {path} is empty: {exc}") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the addresses CSV {path}: {exc}. Give a UTF-8 CSV with a header row, "
            "separated by commas or semicolons."
        ) from exc
    if len(table) == 0:
        raise InputError(f"the addresses file {path} has a header but no rows.")
    lower = {c.strip().lower(): c for c in table.columns}

    if (x_column is None) != (y_column is None):
        raise InputError(
            f"give both x_column and y_column (got x_column={x_column!r}, y_column={y_column!r})."
        )
    named_epsg: int | None = None
    if x_column is not None and y_column is not None:
        missing = [c for c in (x_column, y_column) if c.strip().lower() not in lower]
        if missing:
            raise InputError(
                f"the addresses CSV {path} has no column {missing}; its columns: "
                f"{list(table.columns)}."
            )
        xc, yc = lower[x_column.strip().lower()], lower[y_column.strip().lower()]
        for bx, by, epsg in cols.BEST_COORDINATE_COLUMNS:
            if (xc.lower(), yc.lower()) == (bx.lower(), by.lower()):
                named_epsg = epsg
    else:
        for bx, by, epsg in (*cols.BEST_COORDINATE_COLUMNS, *GENERIC_COORDINATE_COLUMNS):
            if bx.lower() in lower and by.lower() in lower:
                xc, yc, named_epsg = lower[bx.lower()], lower[by.lower()], epsg
                break
        else:
            official = [f"{x}/{y}" for x, y, _ in cols.BEST_COORDINATE_COLUMNS]
            raise InputError(
                f"the addresses CSV {path} has no coordinate columns I know ({official}); its "
                f"columns: {list(table.columns)}. Rename them to x and y (and give their CRS: "
                "crs=31370, or `wijkreno twin build --addresses-crs 31370`), or name them with "
                "read_addresses(x_column=..., y_column=...)."
            )
    if crs is not None:
        target = _parse_crs(crs)
        if named_epsg is not None and target.to_epsg() != named_epsg:
            raise CRSError(
                f"crs={crs!r} contradicts the coordinate columns {xc!r}/{yc!r} of {path}, which "
                f"are EPSG:{named_epsg} by their name; drop crs=."
            )
    elif named_epsg is not None:
        target = pyproj.CRS.from_epsg(named_epsg)
    else:
        raise CRSError(
            f"the coordinates {xc!r}/{yc!r} of the CSV {path} have no declared CRS (a CSV "
            f"carries none). Pass crs={CRS_EPSG} for Belgian Lambert 72, 3812 for Lambert 2008 or "
            "4326 for WGS84 longitude/latitude (on the command line: `wijkreno twin build "
            f"--addresses-crs {CRS_EPSG}`)."
        )
    x = _numbers(table[xc], sep)
    y = _numbers(table[yc], sep)
    ok = np.isfinite(x) & np.isfinite(y)
    geoms = np.full(len(table), None, dtype=object)
    geoms[ok] = shapely.points(x[ok], y[ok])
    attrs = table.drop(columns=[xc, yc])
    return gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, crs=target), crs=target)


def _numbers(values: pd.Series, sep: str) -> np.ndarray:
    s = values.str.strip()
    if sep == ";":  # a semicolon CSV may write decimal commas
        s = s.str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


# ---------------------------------------------------------------------------------------------
# helpers


def _check_frame(frame: gpd.GeoDataFrame, what: str, reproject: bool = True) -> gpd.GeoDataFrame:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(f"the {what} must be a GeoDataFrame, got {type(frame).__name__}.")
    if frame.crs is None:  # the policy's message, with how to declare it to the reader
        require_lambert72(frame, f"the {what}", hint=(
            f"Pass crs={CRS_EPSG} (Belgian Lambert 72; 3812 for Lambert 2008) to the reader, "
            "or add the .prj file of the shapefile."))
    frame = frame.reset_index(drop=True)
    if reproject and frame.crs.to_epsg() != CRS_EPSG:
        log.info("%s: reprojecting from %s to EPSG:%d", what, frame.crs.to_string(), CRS_EPSG)
        frame = require_lambert72(frame, f"the {what}", reproject=True)
    return frame


def _reproject(geoms: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Reproject geometries to EPSG:31370.

    Written out instead of ``GeoSeries.to_crs`` because pyproj 3.7 treats a one-element
    coordinate array as a scalar (a NumPy deprecation that will become an error), which a
    one-address file would hit; the coordinates are padded to at least two.
    """
    transformer = pyproj.Transformer.from_crs(crs, CRS_EPSG, always_xy=True)

    def _apply(xy: np.ndarray) -> np.ndarray:
        padded = np.vstack([xy, xy]) if len(xy) == 1 else xy
        x, y = transformer.transform(padded[:, 0], padded[:, 1])
        return np.column_stack([x, y])[: len(xy)]

    return shapely.transform(geoms, _apply)


def _to_str(values: pd.Series) -> pd.Series:
    """Values as exact strings: integers without '.0', stripped text, missing as NA."""
    if pd.api.types.is_bool_dtype(values):
        out = values.astype("str")
    elif pd.api.types.is_integer_dtype(values):
        out = values.astype("Int64").astype("str")
    elif pd.api.types.is_float_dtype(values):
        v = values.to_numpy(dtype=float)
        whole = np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 2**53)
        text = values.astype("str")
        ints = pd.Series(np.where(whole, v, 0).astype(np.int64), index=values.index).astype("str")
        out = text.where(~whole, ints).where(np.isfinite(v))
    else:
        out = values.astype("str")
    out = out.str.strip()
    return out.where(out != "").astype("str")


def _uri_tail(values: pd.Series) -> pd.Series:
    """Persistent URI → objectId (its last path segment); other values unchanged."""
    s = _to_str(values)
    tail = s.str.rstrip("/").str.rsplit("/", n=1).str[-1].astype("str")
    is_uri = s.str.contains("/", regex=False).fillna(False).astype(bool)
    return s.where(~is_uri, tail).astype("str")


def _object_ids(
    frame: pd.DataFrame, layout: cols.SourceLayout, colmap: Mapping[str, str]
) -> pd.Series:
    ids = pd.Series(np.nan, index=frame.index, dtype="str")
    for field in layout.id_fields:
        if field in colmap:
            ids = ids.fillna(_uri_tail(frame[colmap[field]]))
    return ids


def _renamed_attributes(
    frame: pd.DataFrame, layout: cols.SourceLayout, colmap: Mapping[str, str],
    exclude: Sequence[str],
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for official, house in layout.rename.items():
        if house in exclude or official not in colmap:
            continue
        values = frame[colmap[official]]
        out[house] = values if house in ("height_m", "construction_year") else _to_str(values)
    return out


def _translate(values: pd.Series, vocabulary: Mapping[str, str]) -> pd.Series:
    """Map official values to house values (any case); unknown values are kept as they are."""
    mapped = values.str.lower().map(vocabulary)
    unknown = values.notna() & mapped.isna()
    if unknown.any():
        log.warning("unknown status values kept as they are: %s",
                    sorted(values[unknown].unique().tolist())[:10])
    return mapped.fillna(values).astype("str")


def _to_int(values: pd.Series) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce")
    v = v.where(np.isfinite(v) & (v == np.round(v)))
    return v.astype("Int64")


def _flag(reason: np.ndarray, mask: np.ndarray, text: str | np.ndarray) -> None:
    """Write ``text`` into ``reason`` where ``mask`` holds and no earlier reason is set."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    free = reason == ""
    if isinstance(text, str):
        reason[mask & free] = text
    else:
        text = np.asarray(text, dtype=object)
        reason[mask & free] = text[free[mask]]


def _flag_duplicates(reason: np.ndarray, ids: pd.Series, name: str,
                     rank: np.ndarray | None = None,
                     statuses: np.ndarray | None = None) -> None:
    """Among rows not rejected yet, reject every repeat of an id and keep one row: the one of
    lowest ``rank`` (e.g. the current address before a retired one), else the first."""
    ok = (reason == "") & ids.notna().to_numpy()
    pos = np.flatnonzero(ok)
    if rank is not None:  # stable: equal ranks keep file order
        pos = pos[np.argsort(rank[pos], kind="stable")]
    sub = ids.iloc[pos]
    dup = sub.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    kept = pd.Series(pos[~dup], index=sub.to_numpy()[~dup])
    rows = pos[dup]
    firsts = kept.loc[sub.to_numpy()[dup]].to_numpy()
    if rank is None:
        reason[rows] = [
            f"duplicate_id: {name} {i} already at row {f} (the first row is kept)"
            for i, f in zip(sub.to_numpy()[dup], firsts, strict=True)
        ]
        return
    reason[rows] = [
        f"duplicate_id: {name} {i} (status {statuses[r]}) also at row {f} (status "
        f"{statuses[f]}), which is kept as the current one"
        for i, r, f in zip(sub.to_numpy()[dup], rows, firsts, strict=True)
    ]


def _apply_address_aliases(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rename spelled-out Adressenregister names to the short official ones
    (:data:`wijkreno.io.columns.ADDRESS_FIELD_ALIASES`) when that makes the file match the
    Adressenregister layout; otherwise leave the names (unmatched ones are reported)."""
    lower = {str(c).strip().lower(): c for c in frame.columns}
    renames = {}
    for low, original in lower.items():
        short = cols.ADDRESS_FIELD_ALIASES.get(low)
        if short is not None and short not in lower and short not in renames.values():
            renames[original] = short
    if not renames:
        return frame
    renamed = frame.rename(columns=renames)
    new_lower = {str(c).strip().lower() for c in renamed.columns}
    if all(f in new_lower for f in cols.ADRESSENREGISTER_ADDRESSES.required):
        return renamed
    return frame


_STATUS_RANK = {"current": 0, "proposed": 1, "retired": 2, "rejected": 3}
"""Which address row of a repeated id is kept: current before proposed before retired."""


def _unmapped(frame: pd.DataFrame, layout: cols.SourceLayout, colmap: dict[str, str]) -> list:
    """Columns of the file that the layout does not rename (reported, never silently lost)."""
    known = set(layout.rename) | set(layout.id_fields) | set(layout.required)
    return [original for low, original in colmap.items() if low not in known]


def _geom_types(geoms: np.ndarray) -> np.ndarray:
    """Geometry type names (for the reasons of rejected rows only)."""
    return np.array([_TYPE_NAMES.get(int(t), "geometry") for t in shapely.get_type_id(geoms)],
                    dtype=object)


_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def _polygonal_part(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygons of each geometry (a collection may hold lines and points)."""
    out = geoms.copy()
    mixed = np.flatnonzero(shapely.get_type_id(geoms) == 7)
    if len(mixed):
        parts, idx = shapely.get_parts(geoms[mixed], return_index=True)
        keep = shapely.get_type_id(parts) == 3
        result = np.array([shapely.Polygon()] * len(mixed), dtype=object)
        if keep.any():
            shapely.multipolygons(parts[keep], indices=idx[keep], out=result)
        out[mixed] = result
    return out


def _single_polygons(geoms: np.ndarray) -> np.ndarray:
    """A MultiPolygon of one part becomes that Polygon."""
    one = (shapely.get_type_id(geoms) == 6) & (shapely.get_num_geometries(geoms) == 1)
    if one.any():
        geoms = geoms.copy()
        geoms[one] = shapely.get_geometry(geoms[one], 0)
    return geoms


def _assemble(
    out: pd.DataFrame, ids: pd.Series, id_name: str, geoms: np.ndarray, original: np.ndarray,
    reason: np.ndarray, input_name: str, layout: cols.SourceLayout, crs: object,
) -> LoadResult:
    n = len(out)
    keep = reason == ""
    rejected = pd.DataFrame({
        "input": pd.Series(input_name, index=range(int((~keep).sum())), dtype="str"),
        "row": np.flatnonzero(~keep).astype(np.int64),
        "id": ids[~keep].reset_index(drop=True).astype("str"),
        "reason": pd.Series(reason[~keep], dtype="str"),
        "wkt": pd.Series(shapely.to_wkt(original[~keep], rounding_precision=3), dtype="str"),
    })[list(REJECTED_COLUMNS)]
    attrs = out[keep].reset_index(drop=True)
    attrs.insert(0, id_name, ids[keep].reset_index(drop=True).astype("str"))
    frame = gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms[keep], crs=crs), crs=crs)
    frame.attrs["source_layout"] = layout.name
    if len(rejected):
        counts = rejected["reason"].str.split(":", n=1).str[0].value_counts().to_dict()
        log.info("%s: %d rows in, %d kept, %d rejected %s", input_name, n, len(frame),
                 len(rejected), counts)
    else:
        log.info("%s: %d rows in, all kept (layout %s)", input_name, n, layout.name)
    return LoadResult(frame, rejected, n)
