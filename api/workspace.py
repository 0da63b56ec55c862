"""Load and cache a workspace folder (the output of ``wijkreno demo`` or the pipeline).

The folder layout and the file names are the pipeline's (:class:`wijkreno.pipeline.Workspace`):
the twin, the simulation results, the trajectories, the groups and the aggregated areas of
each level. The service reads them once per *version* (the newest modification time of those
files) and keeps
the frames, their EPSG:4326 copies for GeoJSON, STRtree indexes for bounding-box queries and the
serialised area GeoJSON in memory: a request only slices.
"""

from __future__ import annotations

import functools
import gc
import gzip
import json
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from fastapi import Depends, FastAPI, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from api.settings import Settings, get_settings
from wijkreno.crs import CRS_EPSG
from wijkreno.errors import InputError, WijkrenoError
from wijkreno.maps.indicators import MAP_INDICATOR_COLUMNS, add_map_indicators
from wijkreno.maps.streets import STREET_LINE_COLUMNS, street_lines
from wijkreno.params.models.priority import load_priority_params
from wijkreno.params.models.renovation import load_renovation_params
from wijkreno.pipeline import Workspace as PipelineWorkspace
from wijkreno.pipeline.stages import TrajectoryOptions, dwellings_stage, plan_kwargs

log = logging.getLogger(__name__)

WGS84 = "EPSG:4326"
_TABLES = {"results": ("simulate", "results"), "steps": ("trajectories", "steps"),
           "plan": ("trajectories", "summary"), "groups": ("groups", "groups"),
           "group_members": ("groups", "members")}
"""Workspace attribute → (stage, table) of the optional tables the service serves."""
_WATCHED = (("twin", "buildings"), ("twin", "dwellings"), ("renovated", "dwellings"),
            *_TABLES.values())

# columns of the per-dwelling map layer (labels + what a popup shows)
DWELLING_MAP_COLUMNS = ("dwelling_id", "adres_id", "gebouw_id", "street", "house_number",
                        "box_number", "postcode", "sector_code", "typology", "construction_year",
                        "heated_floor_area_m2", "epc_score_kwh_per_m2", "epc_label",
                        "co2_flemish_kg_co2", "plan_target_label", "plan_epc_label",
                        "plan_investment_eur", "plan_net_cost_eur", "group_id")
BUILDING_MAP_COLUMNS = ("gebouw_id", "sector_code", "building_role", "typology",
                        "construction_year", "n_dwellings", "height_m", "footprint_area_m2")
# properties of the area map layer (GET /api/sectors): what the map page colours by (its layer
# switch, ``api.routes.pages.MAP_LAYERS``) and shows in the sector sidebar (``showSector`` in
# ``api/static/app.js``), plus every ``priority_*`` component and the area's ``*_code``. The
# other aggregate indicators are served with ``?full=true``.
AREA_MAP_COLUMNS = ("sector_code", "area_name", "n_dwellings", "priority_score", "priority_rank",
                    "epc_score_mean_kwh_per_m2", "label_ef_frac", "co2_flemish_kg_co2",
                    "plan_investment_eur", "plan_net_cost_eur", "plan_saving_kwh",
                    "plan_saving_co2_flemish_kg_co2", *MAP_INDICATOR_COLUMNS)
# the raw value behind each priority component (``priority.toml``), so that the sidebar can
# say in words what a component's 0-1 figure stands for
PRIORITY_COLUMNS = tuple(dict.fromkeys(
    col for comp in load_priority_params().components
    for col in (comp.column, comp.fallback_column) if col))
GROUP_MAP_COLUMNS = ("group_id", "group_kind", "n_dwellings", "n_participating", "collective",
                     "burenpremie_eligible", "street", "sector_code",
                     "investment_individual_eur", "investment_collective_eur",
                     "net_cost_individual_eur", "net_cost_collective_eur", "burenpremie_eur",
                     "collective_gain_eur", "party_wall_saving_eur")
"""Properties of a collective group in the street view (``GET /api/streets/{name}``)."""
GROUP_LAYER_COLUMNS = ("group_id", "group_kind", "n_dwellings", "burenpremie_eligible", "street",
                       "net_cost_individual_eur", "net_cost_collective_eur", "burenpremie_eur",
                       "collective_gain_eur")
"""Properties of the collective-groups map layer (``GET /api/group-layer``): what its popup
(``groupPopup`` in ``api/static/app.js``) shows; the group's other figures are one click away
(``GET /api/groups/{group_id}``)."""
FOOTPRINT_COLUMNS = ("gebouw_id", "epc_label")
"""Properties of the map's building footprints (``GET /api/buildings``): the label the map
colours by and the id a click looks up among the dwellings. ``?full=true`` gives every column
of :data:`BUILDING_MAP_COLUMNS` with the label and score."""
STREET_DWELLING_COLUMNS = ("adres_id", "house_number", "box_number", "gebouw_id", "typology",
                           "construction_year", "epc_label", "epc_score_kwh_per_m2",
                           "plan_target_label", "plan_epc_label", "plan_investment_eur",
                           "plan_net_cost_eur", "group_id")
"""Columns of each dwelling row of the street view (``GET /api/streets/{name}``), with lon/lat."""
GROUP_SIMPLIFY_TOLERANCE_M = 0.5
"""Douglas-Peucker tolerance of the group outlines [m]: a third of a pixel at zoom 18."""
AREA_MAP_SIMPLIFY_TOLERANCE_M = 2.0
"""Douglas-Peucker tolerance of the area map layer's outlines [m] (EPSG:31370). Each outline is
simplified on its own (``shapely.simplify(preserve_topology=True)`` keeps it valid, not shared
with its neighbour), so adjacent sectors may gap or overlap by up to this much: under a pixel
at the zooms where sectors are drawn (zoom 16: 1.6 m per 512-px-tile pixel at 51 °N)."""
BBOX_LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "buildings": FOOTPRINT_COLUMNS,
    "buildings_full": (*BUILDING_MAP_COLUMNS, "epc_label", "epc_score_kwh_per_m2"),
    "dwellings": DWELLING_MAP_COLUMNS,
    "streets": STREET_LINE_COLUMNS,
    "groups": GROUP_LAYER_COLUMNS,
}
"""Properties of each bounding-box layer (``GET /api/buildings`` and its ``?full=true``,
``/api/dwellings``, ``/api/street-lines``, ``/api/group-layer``)."""
AREA_MAP_DECIMALS = 6
"""Decimals of the map layer's lon/lat coordinates [deg]: 1e-6° ≈ 0.1 m lat, 0.07 m lon at
51° N, under a pixel up to zoom 20 (0.1 m per px) and well under the simplification tolerance.
Five decimals (1.1 m) would shift a footprint's corners by several pixels at the zoom 18 a
street opens at."""
MAP_PROPERTY_DECIMALS = 2
"""Decimals of the float properties of the bounding-box layers and the street view (euro
cents, kWh/m² and kg CO2 to a hundredth): what a popup or a table shows, not the 16 digits of
a float64."""


def _area_files(pws: PipelineWorkspace) -> list[Path]:
    """The ``areas`` GeoParquet of every aggregation level in the workspace."""
    pattern = pws.path("aggregate", "areas", level="*")
    return sorted(pattern.parent.parent.glob(f"*/{pattern.name}"))


@functools.lru_cache(maxsize=16)
def _watched_paths(data_dir: str) -> tuple[tuple[str, ...], str, str]:
    """The watched files of a workspace as strings, the folder of the area levels and the
    file name of a level's areas (built once: pathlib costs more than the stat calls)."""
    pws = PipelineWorkspace(Path(data_dir))
    pattern = pws.path("aggregate", "areas", level="*")
    return (tuple(str(pws.path(stage, table)) for stage, table in _WATCHED),
            str(pattern.parent.parent), pattern.name)


def workspace_version(data_dir: Path) -> float:
    """Newest modification time [s since epoch] of the workspace's files (0 when none).

    Called on every request (a changed file reloads the workspace): plain ``os`` calls on
    prepared strings, some 20 µs, where pathlib and glob took 0.2 ms.
    """
    files, levels_dir, areas_name = _watched_paths(str(data_dir))
    newest = 0.0
    try:
        levels = [os.path.join(e.path, areas_name) for e in os.scandir(levels_dir)
                  if e.is_dir()]
    except OSError:
        levels = []
    for path in (*files, *levels):
        try:
            newest = max(newest, os.stat(path).st_mtime)
        except OSError:
            continue
    return newest


def _plain(value: Any) -> Any:
    """A JSON-ready scalar (NaN/NA → None, numpy → Python)."""
    if value is None:
        return None
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` (without geometry) as JSON-ready dictionaries."""
    cols = [c for c in frame.columns if c != "geometry"]
    return [{c: _plain(v) for c, v in zip(cols, row, strict=True)}
            for row in frame[cols].itertuples(index=False, name=None)]


def feature_collection(frame: gpd.GeoDataFrame, columns: tuple[str, ...] | list[str]
                       ) -> dict[str, Any]:
    """A GeoJSON FeatureCollection dict of ``frame`` (already in EPSG:4326)."""
    return json.loads(feature_collection_bytes(frame, columns))


def feature_collection_bytes(frame: gpd.GeoDataFrame, columns: tuple[str, ...] | list[str],
                             extra: dict[str, Any] | None = None, ids: bool = False) -> bytes:
    """GeoJSON FeatureCollection of ``frame`` (EPSG:4326) serialised to UTF-8 bytes.

    Geometries come from ``shapely.to_geojson`` (vectorised) and properties from
    ``DataFrame.to_json`` (NaN/NA → null); the pieces are joined as text, without building
    one Python dict per feature. ``ids=True`` gives each feature its row position as ``id``
    (an integer, what MapLibre's feature state needs to highlight a selected area).
    """
    parts = feature_parts(frame, columns, ids=ids)
    head = '{"type":"FeatureCollection"'
    for key, value in (extra or {}).items():
        head += f',"{key}":' + json.dumps(value)
    return (head + ',"features":[' + ",".join(parts) + "]}").encode("utf-8")


def feature_parts(frame: gpd.GeoDataFrame, columns: tuple[str, ...] | list[str],
                  ids: bool = False, decimals: int = 10) -> list[str]:
    """One GeoJSON Feature text per row of ``frame`` (EPSG:4326), in row order: the pieces
    :func:`feature_collection_bytes` joins (and :meth:`Workspace.bbox_bytes` keeps); float
    properties with at most ``decimals`` decimals."""
    cols = [c for c in columns if c in frame.columns]
    geoms = shapely.to_geojson(frame.geometry.values, indent=None)
    plain = pd.DataFrame(frame[cols]).copy()
    for col in plain.columns:
        if isinstance(plain[col].dtype, pd.CategoricalDtype):
            plain[col] = plain[col].astype(object)
    props = json.loads(plain.to_json(orient="records", force_ascii=False,
                                     double_precision=decimals, date_format="iso")
                       ) if len(plain) else []
    return [
        '{"type":"Feature",' + (f'"id":{i},' if ids else "") + '"geometry":'
        + (g if g is not None else "null") + ',"properties":'
        + json.dumps(p, ensure_ascii=False, separators=(",", ":")) + "}"
        for i, (g, p) in enumerate(zip(geoms, props, strict=True))
    ]


def area_map_columns(columns: list[str] | pd.Index) -> list[str]:
    """The columns of an area frame that go into the slim map layer (in frame order)."""
    return [c for c in columns if c != "geometry" and (
        c in AREA_MAP_COLUMNS or c in PRIORITY_COLUMNS or c.startswith("priority_")
        or c.endswith("_code"))]


def simplify_outlines(geoms: np.ndarray, tolerance_m: float = AREA_MAP_SIMPLIFY_TOLERANCE_M
                      ) -> np.ndarray:
    """Outlines (EPSG:31370) simplified with Douglas-Peucker, each kept valid.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Area outlines in EPSG:31370 [m].
    tolerance_m : float
        Largest distance of a dropped vertex from the simplified outline [m].

    Returns
    -------
    numpy.ndarray
        The simplified geometries (same length and order).
    """
    return shapely.simplify(geoms, tolerance_m, preserve_topology=True)


@dataclass(frozen=True)
class CachedBody:
    """A response body serialised once: the bytes, their gzip copy and the entity tag."""

    raw: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, raw: bytes, etag: str) -> CachedBody:
        """Compress ``raw`` once (level 6, no timestamp: the same bytes every time)."""
        return cls(raw=raw, gzipped=gzip.compress(raw, compresslevel=6, mtime=0), etag=etag)

    @property
    def etag_gzip(self) -> str:
        """Entity tag of the gzip representation (a strong tag differs per coding)."""
        return self.etag[:-1] + '-gz"'


def _column_arrays(frame: pd.DataFrame) -> list[tuple[str, str, np.ndarray]]:
    """Columns of ``frame`` (without geometry) as contiguous NumPy arrays with their kind.

    ``f``: float64 (non-finite → null per request), ``n``: int/bool (``tolist`` is JSON-ready),
    ``o``: object values cleaned by :func:`_plain` per request. Converted once so that a request
    slices plain arrays instead of chunked Arrow columns (``iloc`` costs milliseconds there).
    """
    out = []
    for col in frame.columns:
        if col == "geometry":
            continue
        series = frame[col]
        dtype = series.dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            out.append((col, "f", series.to_numpy(dtype=np.float64)))
        elif isinstance(dtype, np.dtype) and dtype.kind in "iub":
            out.append((col, "n", series.to_numpy()))
        else:
            out.append((col, "o", series.to_numpy(dtype=object)))
    return out


def _rows_json_ready(columns: list[tuple[str, str, np.ndarray]], rows: np.ndarray
                     ) -> list[dict[str, Any]]:
    """Rows ``rows`` (positions) of prepared columns as JSON-ready dicts, like :func:`records`."""
    values: list[list[Any]] = []
    for _, kind, arr in columns:
        part = arr[rows]
        if kind == "f":
            bad = ~np.isfinite(part)
            vals = part.tolist()
            if bad.any():
                vals = [None if b else v for v, b in zip(vals, bad.tolist(), strict=True)]
        elif kind == "n":
            vals = part.tolist()
        else:
            vals = [_plain(v) for v in part]
        values.append(vals)
    names = [c for c, _, _ in columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def house_number_order(numbers: pd.Series, boxes: pd.Series) -> np.ndarray:
    """Positions sorting addresses as a coach reads a street: 2, 2A, 10, 10 bus 1, 10 bus 2."""
    text = pd.Series(numbers.to_numpy(dtype=object)).astype("string").fillna("")
    def leading(series: pd.Series, pattern: str) -> np.ndarray:
        digits = series.str.extract(pattern, expand=False)
        values = pd.to_numeric(digits, errors="coerce").to_numpy(dtype=np.float64,
                                                                 na_value=np.nan)
        return np.where(np.isfinite(values), values, np.inf)

    rest = text.str.replace(r"^\s*\d+", "", regex=True).str.strip().str.casefold()
    box = pd.Series(boxes.to_numpy(dtype=object)).astype("string").fillna("")
    frame = pd.DataFrame({"n": leading(text, r"^\s*(\d+)"),
                          "r": rest.fillna("").to_numpy(dtype=object),
                          "bn": leading(box, r"(\d+)"),
                          "b": box.to_numpy(dtype=object)})
    return frame.sort_values(["n", "r", "bn", "b"], kind="stable").index.to_numpy()


def dumps(content: Any) -> bytes:
    """JSON bytes as FastAPI's ``JSONResponse`` writes them (UTF-8, compact, no NaN)."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


def _plan_options(pws: PipelineWorkspace) -> dict[str, Any]:
    """Keyword arguments of :func:`wijkreno.pipeline.plan_dwellings` as the workspace's
    trajectories stage ran it (:func:`wijkreno.pipeline.stages.plan_kwargs` of its manifest's
    ``options``), so that a coach's rerun plans on the same footing; empty (the defaults)
    when the stage has no manifest or its options are not this version's."""
    options = (pws.read_manifest("trajectories") or {}).get("options")
    if not options:
        return {}
    try:
        parsed = TrajectoryOptions.model_validate(options)
    except ValueError as exc:
        log.warning("options of the trajectories manifest not understood (%s); a coach's "
                    "rerun plans with the defaults", exc)
        return {}
    try:
        return plan_kwargs(parsed)
    except (OSError, WijkrenoError) as exc:
        log.warning("municipal premiums %s of the trajectories not read (%s); a coach's "
                    "rerun plans without them", parsed.municipal_premiums, exc)
        return plan_kwargs(parsed.model_copy(update={"municipal_premiums": None}))


@dataclass(frozen=True)
class RegisterSeen:
    """What :meth:`Workspace.refresh_register` last saw of a register."""

    url: str = ""
    """The register's URL (``Settings.effective_register_url``)."""
    engine_key: int | None = None
    """``id`` of the register's engine; None when the last try could not open the register."""
    generation: int = -1
    """:func:`register_generation` of the engine at that look."""
    token: int = -1
    """:func:`register_token` at that look (-1: never read)."""
    checked_s: float = float("-inf")
    """``time.monotonic()`` of that look (or failed try)."""


_REGISTER_GENERATION: dict[int, int] = {}
_REGISTER_GENERATION_LOCK = threading.Lock()


def _bump(key: int, _conn: Any) -> None:
    _REGISTER_GENERATION[key] = _REGISTER_GENERATION.get(key, 0) + 1


def register_generation(register: Any) -> int:
    """How many transactions this process committed on ``register``'s engine (a listener
    counts them from the first call on): a cheap test whether an upload happened since."""
    key = id(register.engine)
    with _REGISTER_GENERATION_LOCK:
        if key not in _REGISTER_GENERATION:
            from sqlalchemy import event

            _REGISTER_GENERATION[key] = 0
            event.listen(register.engine, "commit", functools.partial(_bump, key))
    return _REGISTER_GENERATION[key]


def register_token(register: Any) -> int:
    """The newest audit entry of the register's renovations (0 when none): it changes with
    every added or corrected renovation, whoever wrote it."""
    from sqlalchemy import func, select

    from wijkreno.register.models import AuditLog, Renovation

    t = AuditLog.__table__
    with register.engine.connect() as conn:
        value = conn.execute(select(func.max(t.c.audit_id)).where(
            t.c.table_name == Renovation.__tablename__)).scalar()
    return int(value or 0)


def _register_keys(applied: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(dwelling, measure, completion date) of the register rows applied to a dwelling."""
    return [(str(d), str(m), str(c)[:10]) for d, m, c in zip(
        applied["dwelling_id"], applied["measure"], applied["completed_on"], strict=True)]


def _split_by_dwelling(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``frame``'s rows by ``dwelling_id`` (as text), in one grouping pass."""
    return dict(tuple(frame.groupby(frame["dwelling_id"].astype(str), sort=False)))


_DONE = ("applied", "superseded")
"""Statuses of an ``applied`` row whose measure reached the dwelling."""


def _applied_keys(pws: PipelineWorkspace) -> frozenset[tuple[str, str, str]]:
    """The register rows the workspace's as-renovated layer applied (its ``applied`` table)."""
    if not pws.exists("renovated", "applied"):
        return frozenset()
    applied = pd.DataFrame(pws.read("renovated", "applied"))
    return frozenset(_register_keys(applied[applied["status"].isin(_DONE)]))


@dataclass
class Workspace:
    """The frames of one workspace version, read once, with indexes for the API."""

    data_dir: Path
    version: float
    buildings: gpd.GeoDataFrame
    dwellings: gpd.GeoDataFrame
    results: pd.DataFrame | None
    steps: pd.DataFrame | None
    plan: pd.DataFrame | None
    groups: pd.DataFrame | None
    group_members: pd.DataFrame | None
    areas: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    _geojson_cache: dict[str, bytes] = field(default_factory=dict, repr=False)
    _bodies: dict[tuple[str, bool], CachedBody] = field(default_factory=dict, repr=False)
    _features: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    plan_options: dict[str, Any] = field(default_factory=dict)
    applied_keys: frozenset[tuple[str, str, str]] = frozenset()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _register_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _register_seen: RegisterSeen = RegisterSeen()
    _register_rows: dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = field(
        default_factory=dict, repr=False)
    _register_row_keys: dict[str, tuple[tuple[str, ...], ...]] = field(
        default_factory=dict, repr=False)

    @classmethod
    def load(cls, data_dir: str | Path) -> Workspace:
        """Read a workspace folder; :class:`InputError` when it has no twin."""
        data_dir = Path(data_dir)
        pws = PipelineWorkspace(data_dir)
        if not pws.folder("twin").is_dir():
            raise InputError(f"workspace {data_dir} has no twin/ folder; run `wijkreno demo -o "
                             f"{data_dir}` or point WIJKRENO_DATA_DIR at a workspace folder.")
        version = workspace_version(data_dir)
        # the dwellings as they are now: the register's realised measures applied (issue 12)
        buildings = pws.read("twin", "buildings")
        dwellings = pws.read(dwellings_stage(pws), "dwellings")
        areas: dict[str, gpd.GeoDataFrame] = {
            path.parent.name: pws.read("aggregate", "areas", level=path.parent.name)
            for path in _area_files(pws)}
        optional = {name: pws.read(stage, table) if pws.path(stage, table).exists() else None
                    for name, (stage, table) in _TABLES.items()}
        ws = cls(data_dir=data_dir, version=version, buildings=buildings, dwellings=dwellings,
                 areas=areas, plan_options=_plan_options(pws),
                 applied_keys=_applied_keys(pws), **optional)
        log.info("workspace %s loaded: %d buildings, %d dwellings, area levels %s", data_dir,
                 len(buildings), len(dwellings), sorted(areas))
        return ws

    # -- indexes (built on first use, then kept) -----------------------------------------
    @cached_property
    def dwelling_pos(self) -> pd.Series:
        """Row position of each dwelling by ``adres_id``."""
        ids = self.dwellings["adres_id"].astype(str).to_numpy()
        return pd.Series(np.arange(len(ids)), index=ids)

    @cached_property
    def _by_dwelling(self) -> dict[str, dict[str, np.ndarray]]:
        """Row positions per ``dwelling_id`` in results, plan and group members."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for name in ("results", "plan", "group_members", "steps"):
            frame = getattr(self, name)
            if frame is None:
                continue
            ids = frame["dwelling_id"].astype(str).to_numpy()
            order = np.argsort(ids, kind="stable")
            out[name] = {"ids": ids[order], "order": order}
        return out

    def rows_for(self, name: str, dwelling_id: str) -> pd.DataFrame | None:
        """Rows of ``results``, ``plan``, ``group_members`` or ``steps`` of one dwelling (the
        plan and steps of a dwelling with measures registered since the pipeline ran from
        :meth:`refresh_register`)."""
        if name in ("steps", "plan") and dwelling_id in self._register_rows:
            return self._register_rows[dwelling_id][1 if name == "steps" else 2]
        idx = self._by_dwelling.get(name)
        if idx is None:
            return None
        lo, hi = np.searchsorted(idx["ids"], [dwelling_id, dwelling_id], side="left")[0], \
            np.searchsorted(idx["ids"], dwelling_id, side="right")
        return getattr(self, name).iloc[np.sort(idx["order"][lo:hi])]

    @cached_property
    def building_pos(self) -> pd.Series:
        """Row position of each building by ``gebouw_id``."""
        ids = self.buildings["gebouw_id"].astype(str).to_numpy()
        return pd.Series(np.arange(len(ids)), index=ids)

    @cached_property
    def nis_rows(self) -> dict[str, np.ndarray]:
        """Row positions (ascending) of the dwellings of each NIS code, grouped once: the
        officer and LEKP routes select a municipality without scanning every dwelling."""
        codes = self.dwellings["nis_code"].astype(str)
        return {str(k): np.asarray(v) for k, v in codes.groupby(codes, sort=False).indices.items()}

    @cached_property
    def nis_codes(self) -> frozenset[str]:
        """NIS codes of the municipalities in the twin."""
        return frozenset(self.nis_rows)

    @cached_property
    def dwelling_layer(self) -> gpd.GeoDataFrame:
        """Dwellings with labels and plan (EPSG:4326), the bbox query's source."""
        dw = self.dwellings
        out = dw[[c for c in DWELLING_MAP_COLUMNS if c in dw.columns] + ["geometry"]].copy()
        if self.results is not None:
            res = pd.DataFrame(self.results).set_index("dwelling_id")
            for col in ("epc_score_kwh_per_m2", "epc_label", "co2_flemish_kg_co2"):
                if col in res.columns:
                    out[col] = out["dwelling_id"].map(res[col]).to_numpy()
        if self.plan is not None:
            plan = pd.DataFrame(self.plan).set_index("dwelling_id")
            for src, dst in (("target_label", "plan_target_label"),
                             ("final_epc_label", "plan_epc_label"),
                             ("investment_eur", "plan_investment_eur"),
                             ("net_cost_eur", "plan_net_cost_eur")):
                if src in plan.columns:
                    out[dst] = out["dwelling_id"].map(plan[src]).to_numpy()
        if self.group_members is not None and "group_id" in self.group_members.columns:
            gm = pd.DataFrame(self.group_members).drop_duplicates("dwelling_id")
            out["group_id"] = out["dwelling_id"].map(gm.set_index("dwelling_id")["group_id"]
                                                     ).to_numpy()
        return gpd.GeoDataFrame(out, geometry="geometry", crs=dw.crs).to_crs(WGS84)

    @cached_property
    def building_layer(self) -> gpd.GeoDataFrame:
        """Buildings (EPSG:4326) with the dominant label of their dwellings."""
        b = self.buildings
        out = b[[c for c in BUILDING_MAP_COLUMNS if c in b.columns] + ["geometry"]].copy()
        dl = self.dwelling_layer
        if "epc_label" in dl.columns and len(dl):
            # worst label of the building's dwellings (labels sort A+ < A < … < F)
            order = {lab: i for i, lab in enumerate(("A+", "A", "B", "C", "D", "E", "F"))}
            rank = dl["epc_label"].map(order)
            worst = (pd.DataFrame({"g": dl["gebouw_id"].astype(str), "r": rank})
                     .dropna().groupby("g")["r"].max())
            inv = {i: lab for lab, i in order.items()}
            out["epc_label"] = out["gebouw_id"].astype(str).map(worst).map(inv).to_numpy()
            score = (pd.DataFrame({"g": dl["gebouw_id"].astype(str),
                                   "s": dl["epc_score_kwh_per_m2"]})
                     .groupby("g")["s"].mean())
            out["epc_score_kwh_per_m2"] = out["gebouw_id"].astype(str).map(score).to_numpy()
        return gpd.GeoDataFrame(out, geometry="geometry", crs=b.crs).to_crs(WGS84)

    @cached_property
    def dwelling_tree(self) -> shapely.STRtree:
        """STRtree over the EPSG:4326 dwelling points."""
        return shapely.STRtree(self.dwelling_layer.geometry.values)

    @cached_property
    def building_tree(self) -> shapely.STRtree:
        """STRtree over the EPSG:4326 building footprints."""
        return shapely.STRtree(self.building_layer.geometry.values)

    @cached_property
    def street_layer(self) -> gpd.GeoDataFrame:
        """Approximate street lines and name anchors from the address points (EPSG:4326),
        :func:`wijkreno.maps.streets.street_lines`: the offline map's street names."""
        lines = street_lines(self.dwellings)
        return lines.to_crs(WGS84)

    @cached_property
    def street_tree(self) -> shapely.STRtree:
        """STRtree over the EPSG:4326 street lines."""
        return shapely.STRtree(self.street_layer.geometry.values)

    @cached_property
    def group_layer(self) -> gpd.GeoDataFrame:
        """Collective groups of two or more dwellings with the union of their footprints
        (EPSG:4326, outlines simplified by :data:`GROUP_SIMPLIFY_TOLERANCE_M`); empty without
        a groups stage."""
        g = self.groups
        if g is None or not isinstance(g, gpd.GeoDataFrame) or g.empty:
            return gpd.GeoDataFrame({c: [] for c in GROUP_MAP_COLUMNS},
                                    geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
        g = g[(pd.to_numeric(g["n_dwellings"], errors="coerce") >= 2).to_numpy()
              & ~g.geometry.isna().to_numpy()]
        out = g[[c for c in GROUP_MAP_COLUMNS if c in g.columns]].copy()
        geoms = g.geometry.values
        if g.crs is not None and g.crs.to_epsg() == CRS_EPSG:
            geoms = shapely.simplify(geoms, GROUP_SIMPLIFY_TOLERANCE_M, preserve_topology=True)
        return gpd.GeoDataFrame(out, geometry=geoms, crs=g.crs).to_crs(WGS84)

    @cached_property
    def group_tree(self) -> shapely.STRtree:
        """STRtree over the EPSG:4326 group outlines."""
        return shapely.STRtree(self.group_layer.geometry.values)

    @cached_property
    def group_pos(self) -> dict[str, int]:
        """Row position of each group in :attr:`groups` by ``group_id``."""
        if self.groups is None:
            return {}
        return {gid: i for i, gid in enumerate(self.groups["group_id"].astype(str))}

    def _layer(self, layer: str) -> tuple[gpd.GeoDataFrame, shapely.STRtree]:
        return {
            "buildings": lambda: (self.building_layer, self.building_tree),
            "buildings_full": lambda: (self.building_layer, self.building_tree),
            "dwellings": lambda: (self.dwelling_layer, self.dwelling_tree),
            "streets": lambda: (self.street_layer, self.street_tree),
            "groups": lambda: (self.group_layer, self.group_tree),
        }[layer]()

    def in_bbox(self, layer: str, bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
        """Rows of ``layer`` (``buildings``, ``dwellings``, ``streets`` or ``groups``)
        intersecting a lon/lat box."""
        frame, tree = self._layer(layer)
        hits = np.sort(tree.query(shapely.box(*bbox), predicate="intersects"))
        return frame.iloc[hits]

    def prepare_layer(self, layer: str) -> None:
        """Serialise every feature of ``layer`` once (its :data:`BBOX_LAYER_COLUMNS`,
        coordinates rounded to :data:`AREA_MAP_DECIMALS`, float properties to
        :data:`MAP_PROPERTY_DECIMALS`) and build its tree: a bounding-box request then only
        queries the tree and joins bytes (seconds for a city, then kept)."""
        if layer in self._features:
            return
        with self._lock:
            if layer in self._features:
                return
            frame, _ = self._layer(layer)
            rounded = frame.set_geometry(shapely.transform(
                frame.geometry.values, lambda xy: np.round(xy, AREA_MAP_DECIMALS)))
            parts = feature_parts(rounded, BBOX_LAYER_COLUMNS[layer],
                                  decimals=MAP_PROPERTY_DECIMALS)
            arr = np.empty(len(parts), dtype=object)
            arr[:] = [p.encode("utf-8") for p in parts]
            self._features[layer] = arr

    def layer_prepared(self, layer: str) -> bool:
        """Whether :meth:`prepare_layer` ran for ``layer``."""
        return layer in self._features

    def bbox_bytes(self, layer: str, bbox: tuple[float, float, float, float],
                   max_features: int) -> tuple[int, bytes | None]:
        """The GeoJSON FeatureCollection of the features of a prepared ``layer`` whose extent
        meets a lon/lat box, with ``n_features``; ``(n, None)`` when more than
        ``max_features``.

        The tree's envelope test alone, no exact ``intersects``: a map draws the features in
        its view and clips the rest, so an outline whose corner box touches the view but not
        its shape costs a few bytes, where testing every outline cost 0.3 ms a request.
        """
        _, tree = self._layer(layer)
        hits = tree.query(shapely.box(*bbox))
        if len(hits) > max_features:
            return len(hits), None
        parts = self._features[layer][np.sort(hits)]
        return len(hits), (b'{"type":"FeatureCollection","n_features":%d,"features":['
                           % len(hits) + b",".join(parts) + b"]}")

    # -- streets: the coach's way into a neighbourhood --------------------------------------
    @cached_property
    def street_index(self) -> dict[tuple[str, str], np.ndarray]:
        """Row positions of the dwellings of each (street, postcode) in house-number order
        (postcode '' when none)."""
        dw = self.dwellings
        street = dw["street"].astype("string").str.strip().fillna("")
        postcode = (dw["postcode"].astype("string").str.strip().fillna("")
                    if "postcode" in dw.columns else pd.Series("", index=dw.index))
        boxes = (dw["box_number"] if "box_number" in dw.columns
                 else pd.Series(pd.NA, index=dw.index))
        order = house_number_order(dw["house_number"], boxes)
        keys = pd.DataFrame({"s": street.to_numpy(dtype=object)[order],
                             "p": postcode.to_numpy(dtype=object)[order]})
        idx = keys.groupby(["s", "p"], sort=True).indices
        return {(str(k[0]), str(k[1])): order[np.asarray(v)] for k, v in idx.items() if k[0]}

    @cached_property
    def street_table(self) -> pd.DataFrame:
        """One row per (street, postcode): ``street``, ``postcode``, ``n_dwellings``, the
        centre ``lon``/``lat`` of its addresses and ``key`` (the casefolded name to match)."""
        layer = self.dwelling_layer
        x = shapely.get_x(layer.geometry.values)
        y = shapely.get_y(layer.geometry.values)
        rows = [(s, p, len(pos), float(np.nanmean(x[pos])), float(np.nanmean(y[pos])))
                for (s, p), pos in self.street_index.items()]
        table = pd.DataFrame(rows, columns=["street", "postcode", "n_dwellings", "lon", "lat"])
        table["key"] = table["street"].str.casefold()
        return table

    @cached_property
    def _street_lookup(self) -> dict[str, list[tuple[str, str]]]:
        """The (street, postcode) keys of each casefolded street name (a dict lookup per
        street view, where filtering :attr:`street_table` cost a millisecond)."""
        out: dict[str, list[tuple[str, str]]] = {}
        for street, postcode in self.street_index:
            out.setdefault(" ".join(street.split()).casefold(), []).append((street, postcode))
        return out

    @cached_property
    def _street_columns(self) -> dict[str, Any]:
        """Prepared arrays of the street view: the dwelling rows it lists, the figures it sums
        and the groups it shows (see :func:`_column_arrays`)."""
        layer = self.dwelling_layer
        frame = pd.DataFrame(layer[[c for c in STREET_DWELLING_COLUMNS if c in layer.columns]])
        for col in frame.columns:  # what the table shows, not a float64's 16 digits
            if frame[col].dtype.kind == "f":
                frame[col] = frame[col].round(MAP_PROPERTY_DECIMALS)
        lon = shapely.get_x(layer.geometry.values)
        lat = shapely.get_y(layer.geometry.values)
        frame["lon"] = np.round(lon, AREA_MAP_DECIMALS)
        frame["lat"] = np.round(lat, AREA_MAP_DECIMALS)
        label = (layer["epc_label"].astype("string").fillna("").to_numpy(dtype=object)
                 if "epc_label" in layer.columns else np.full(len(layer), "", dtype=object))

        def number(col: str) -> np.ndarray:
            if col not in layer.columns:
                return np.full(len(layer), np.nan)
            return pd.to_numeric(layer[col], errors="coerce").to_numpy(dtype=np.float64)

        group_id = (layer["group_id"].astype("string").fillna("").to_numpy(dtype=object)
                    if "group_id" in layer.columns else np.full(len(layer), "", dtype=object))
        out: dict[str, Any] = {
            # each dwelling's row serialised once: a street view joins text, it converts nothing
            "rows": np.array([json.dumps(r, ensure_ascii=False, allow_nan=False,
                                         separators=(",", ":"))
                              for r in _rows_json_ready(_column_arrays(frame),
                                                        np.arange(len(frame)))], dtype=object),
            "lon": lon, "lat": lat,
            "labelled": label != "", "ef": np.isin(label, ["E", "F"]), "group_id": group_id,
            "sums": {c: number(c) for c in ("plan_investment_eur", "plan_net_cost_eur",
                                            "co2_flemish_kg_co2")},
            "groups": None,
        }
        if self.groups is not None:
            g = pd.DataFrame(self.groups[[c for c in GROUP_MAP_COLUMNS
                                          if c in self.groups.columns]])
            out["groups"] = _column_arrays(g)
            out["group_size"] = pd.to_numeric(g["n_dwellings"], errors="coerce").to_numpy()
        return out

    def prepare_streets(self) -> None:
        """Build the street index and arrays and every street's head (totals, groups, bbox):
        seconds for a city (0.3 ms a street), then a street view only joins bytes."""
        self.street_table  # noqa: B018
        self._street_lookup  # noqa: B018
        self._street_columns  # noqa: B018
        self.group_pos  # noqa: B018
        self._street_heads  # noqa: B018

    @cached_property
    def _street_heads(self) -> dict[tuple[str, str], bytes]:
        """The head of every street's view (:meth:`_street_head`), by (street, postcode)."""
        return {key: self._street_head(key) for key in self.street_index}

    @property
    def streets_prepared(self) -> bool:
        """Whether :meth:`prepare_streets` ran (a street view then only slices)."""
        return "_street_heads" in self.__dict__

    def find_street(self, name: str, postcode: str | None) -> list[tuple[str, str]]:
        """The (street, postcode) keys named ``name`` (case and spaces ignored)."""
        keys = self._street_lookup.get(" ".join(name.split()).casefold(), [])
        if postcode is not None:
            keys = [k for k in keys if k[1] == postcode.strip()]
        return list(keys)

    def street_view(self, key: tuple[str, str]) -> dict[str, Any]:
        """The street view of one (street, postcode) key as the ``StreetView`` response with
        every dwelling (the print bundle's): dwellings in house-number order, the groups of
        two or more dwellings with a member on the street (``n_on_street``; collective ones
        first) and the totals."""
        return json.loads(self.street_view_bytes(key))

    def street_view_bytes(self, key: tuple[str, str], offset: int = 0,
                          limit: int | None = None) -> bytes:
        """:meth:`street_view` serialised, its dwellings from ``offset`` (at most ``limit``,
        all when None): the head (totals, groups, bbox) built once per street, the page's
        rows joined from text prepared once."""
        pos = self.street_index[key]
        head = self._street_heads[key]
        end = len(pos) if limit is None else min(len(pos), offset + limit)
        rows = ",".join(self._street_columns["rows"][pos[offset:end]]).encode("utf-8")
        return (head + b',"offset":%d,"limit":%s,"dwellings":[' % (
            offset, b"null" if limit is None else b"%d" % limit) + rows + b"]}")

    def _street_head(self, key: tuple[str, str]) -> bytes:
        """The street view's JSON without its closing brace and dwellings: street, postcode,
        bbox, totals and groups of the whole street."""
        pos = self.street_index[key]
        cols = self._street_columns
        lon, lat = cols["lon"][pos], cols["lat"][pos]
        labelled = cols["labelled"][pos]
        totals: dict[str, Any] = {
            "n_dwellings": len(pos),
            "label_ef_frac": (float(cols["ef"][pos][labelled].mean())
                              if labelled.any() else None)}
        for col, values in cols["sums"].items():
            part = values[pos]
            part = part[np.isfinite(part)]
            totals[col] = float(part.sum()) if len(part) else None
        groups: list[dict[str, Any]] = []
        if cols["groups"] is not None:
            gids, counts = np.unique(cols["group_id"][pos].astype(str), return_counts=True)
            where = [(self.group_pos[g], int(c)) for g, c in zip(gids, counts, strict=True)
                     if g and g in self.group_pos]
            where = [(r, c) for r, c in where if cols["group_size"][r] >= 2]
            if where:
                groups = _rows_json_ready(cols["groups"], np.array([r for r, _ in where]))
                groups = [{k: round(v, MAP_PROPERTY_DECIMALS) if isinstance(v, float) else v
                           for k, v in g.items()} for g in groups]
                for g, (_, c) in zip(groups, where, strict=True):
                    g["n_on_street"] = c
                groups.sort(key=lambda g: (not g.get("collective"), -g["n_on_street"],
                                           str(g["group_id"])))
        ok = np.isfinite(lon) & np.isfinite(lat)
        bbox = ([float(lon[ok].min()), float(lat[ok].min()), float(lon[ok].max()),
                 float(lat[ok].max())] if ok.any() else None)
        return dumps({"street": key[0], "postcode": key[1] or None, "bbox": bbox,
                      "totals": totals, "groups": groups})[:-1]

    def area_body(self, level: str, full: bool = False) -> CachedBody:
        """The areas of ``level`` as GeoJSON (EPSG:4326), serialised and gzipped once.

        ``full=False``: the map layer, the properties of :func:`area_map_columns` and outlines
        simplified by :data:`AREA_MAP_SIMPLIFY_TOLERANCE_M` with coordinates rounded to
        :data:`AREA_MAP_DECIMALS`; ``full=True``: every column and the exact outlines.
        """
        key = (level, full)
        body = self._bodies.get(key)
        if body is not None:
            return body
        with self._lock:
            if key not in self._bodies:
                kind = "full" if full else "map"
                if full:
                    raw = self.area_geojson(level, _locked=True)
                else:
                    frame = add_map_indicators(self.areas[level], horizon_years=float(
                        load_renovation_params().economics.horizon_years.value))
                    geoms = frame.geometry.values
                    if frame.crs is not None and frame.crs.to_epsg() == CRS_EPSG:
                        geoms = simplify_outlines(geoms)
                    slim = gpd.GeoDataFrame(frame[area_map_columns(frame.columns)].copy(),
                                            geometry=geoms, crs=frame.crs).to_crs(WGS84)
                    slim = slim.set_geometry(shapely.transform(
                        slim.geometry.values, lambda xy: np.round(xy, AREA_MAP_DECIMALS)))
                    raw = feature_collection_bytes(slim, area_map_columns(slim.columns),
                                                   ids=True)
                self._bodies[key] = CachedBody.of(raw, f'"{level}-{kind}-{self.version!r}"')
            return self._bodies[key]

    def area_body_cached(self, level: str, full: bool = False) -> CachedBody | None:
        """The body of :meth:`area_body` when it was built already, else None (no work)."""
        return self._bodies.get((level, full))

    # -- the register's renovations registered since the pipeline ran ----------------------
    def register_current(self, url: str, poll_s: float) -> bool:
        """Whether :meth:`refresh_register` need not run for the register at ``url`` (no I/O:
        safe on the event loop): it looked less than ``poll_s`` seconds ago and this process
        wrote nothing there since, or it failed to open that register less than ``poll_s``
        seconds ago (so that an unreachable register costs one try per ``poll_s``, not one
        connect timeout per request)."""
        seen = self._register_seen
        if seen.url != url or time.monotonic() - seen.checked_s >= poll_s:
            return False
        return (seen.engine_key is None
                or _REGISTER_GENERATION.get(seen.engine_key) == seen.generation)

    def register_unreachable(self, url: str) -> None:
        """Record a failed try to open the register at ``url``: the files' state (or what was
        last read from that register) is served until :meth:`register_current` says to try
        again."""
        with self._register_lock:
            seen = self._register_seen
            if seen.url != url:  # rows read from another register are not this one's
                self._register_rows, self._register_row_keys = {}, {}
            self._register_seen = RegisterSeen(
                url=url, token=seen.token if seen.url == url else -1,
                checked_s=time.monotonic())

    def refresh_register(self, register: Any, url: str, poll_s: float) -> None:
        """Apply the register's realised measures that the as-renovated layer lacks (uploaded
        in the browser since the pipeline ran) to their dwellings and plan those again, so that
        the coach's page neither proposes what is done nor waits for a terminal run of the
        ``renovated`` stage. Sync (a database read, then only the dwellings whose register
        rows changed since the last look are planned); a register that cannot be read is
        logged and the files' state is served."""
        with self._register_lock:
            if self.register_current(url, poll_s):
                return
            seen = self._register_seen
            generation = register_generation(register)
            try:
                token = register_token(register)
                if url != seen.url or token != seen.token:
                    known = self._register_row_keys if url == seen.url else {}
                    self._register_rows, self._register_row_keys = self._registered_since(
                        register.renovations(), known)
            except Exception:  # noqa: BLE001 - the files' state is served then
                log.exception("register not read; the coach's page shows the workspace's "
                              "as-renovated layer")
                token = seen.token if url == seen.url else -1
                if url != seen.url:  # rows read from another register are not this one's
                    self._register_rows, self._register_row_keys = {}, {}
            self._register_seen = RegisterSeen(url=url, engine_key=id(register.engine),
                                               generation=generation, token=token,
                                               checked_s=time.monotonic())

    def _registered_since(self, renovations: pd.DataFrame,
                          known: dict[str, tuple[tuple[str, ...], ...]]
                          ) -> tuple[dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]],
                                     dict[str, tuple[tuple[str, ...], ...]]]:
        """dwelling_id → (dwelling as renovated now, steps, summary) of each dwelling with a
        register row the as-renovated layer did not apply, and dwelling_id → those rows'
        content. A dwelling whose rows are those of ``known`` (the previous look's content)
        keeps its previous frames; only the others are planned again."""
        from wijkreno.pipeline import plan_dwellings
        from wijkreno.simulate.basis import attach_basis_columns
        from wijkreno.twin.renovated import apply_register

        reg = renovations[renovations["nis_code"].astype(str).isin(self.nis_codes)]
        if reg.empty:
            return {}, {}
        dw = self.dwellings
        near = np.zeros(len(dw), dtype=bool)
        for col in ("dwelling_id", "adres_id", "gebouw_id"):
            if col in reg.columns and col in dw.columns:
                near |= dw[col].astype(str).isin(reg[col].dropna().astype(str)).to_numpy()
        if not near.any():
            return {}, {}
        base = dw.loc[near]
        _, applied = apply_register(base, reg)
        applied = applied[applied["status"].isin(_DONE)]
        new = applied[[k not in self.applied_keys for k in _register_keys(applied)]]
        if new.empty:
            return {}, {}
        # each dwelling's new rows as text (a corrected premium or date changes it too)
        content = reg.astype(str).set_index(reg["renovation_id"].to_numpy())
        keys = {str(did): tuple(sorted(map(tuple, content.loc[
                    pd.unique(rows["renovation_id"])].to_numpy().tolist())))
                for did, rows in new.groupby(new["dwelling_id"].astype(str), sort=False)}
        previous = self._register_rows
        out = {did: previous[did] for did, key in keys.items()
               if known.get(did) == key and did in previous}
        todo = [did for did in keys if did not in out]
        if todo:
            affected = base[base["dwelling_id"].astype(str).isin(todo)]
            mine = new[new["dwelling_id"].astype(str).isin(todo)]
            now, _ = apply_register(affected, reg[reg["renovation_id"].isin(
                mine["renovation_id"])])
            if self.results is not None:
                now = attach_basis_columns(now, self.results)
            now, steps, summary, _ = plan_dwellings(now, None, **self.plan_options)
            parts = [_split_by_dwelling(frame) for frame in (now, steps, summary)]
            empty = [frame.iloc[:0] for frame in (now, steps, summary)]
            for did in now["dwelling_id"].astype(str):
                out[did] = tuple(part.get(did, e) for part, e in zip(parts, empty, strict=True))
        log.info("register: %d measures uploaded since the as-renovated layer, %d of %d "
                 "dwellings planned again", len(new), len(todo), len(keys))
        return out, keys

    def registered(self, dwelling_id: str
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
        """(dwelling, steps, summary) of a dwelling with measures registered since the
        pipeline ran (:meth:`refresh_register`), else None."""
        return self._register_rows.get(dwelling_id)

    def current_dwelling(self, pos: int) -> pd.DataFrame:
        """The dwelling at row ``pos`` as it is now (one-row frame): the as-renovated layer
        with the register's newer measures applied."""
        row = self.registered(str(self.dwellings["dwelling_id"].iloc[pos]))
        return self.dwellings.iloc[[pos]] if row is None else row[0]

    # -- standard trajectories, one address at a time -------------------------------------
    @cached_property
    def _trajectory_columns(self) -> dict[str, list[tuple[str, str, np.ndarray]]]:
        """The steps and plan tables as prepared column arrays (see :func:`_column_arrays`)."""
        self._by_dwelling  # noqa: B018 - build the per-dwelling index in the same pass
        return {name: _column_arrays(getattr(self, name)) for name in ("steps", "plan")
                if getattr(self, name) is not None}

    @cached_property
    def _dwelling_ids(self) -> np.ndarray:
        """``dwelling_id`` of each twin dwelling (by row position) as Python strings."""
        return self.dwellings["dwelling_id"].astype(str).to_numpy(dtype=object)

    def prepare_trajectories(self) -> bool:
        """Build the indexes of :meth:`trajectory_bytes` (seconds for a city, then kept)."""
        self._dwelling_ids  # noqa: B018
        return bool(self._trajectory_columns)

    @property
    def trajectories_prepared(self) -> bool:
        """Whether :meth:`prepare_trajectories` ran (a request then only slices)."""
        return "_trajectory_columns" in self.__dict__ and "_dwelling_ids" in self.__dict__

    def _positions(self, name: str, dwelling_id: str) -> np.ndarray | None:
        idx = self._by_dwelling.get(name)
        if idx is None:
            return None
        lo = np.searchsorted(idx["ids"], dwelling_id, side="left")
        hi = np.searchsorted(idx["ids"], dwelling_id, side="right")
        return np.sort(idx["order"][lo:hi])

    def trajectory_bytes(self, adres_id: str, pos: int) -> bytes | None:
        """The standard trajectory of the dwelling at row ``pos`` as the JSON of the
        ``Trajectory`` response (``steps`` and ``summary`` as :func:`records` writes them);
        None when the workspace has no trajectory for it.

        Built per request from prepared arrays (about 0.1 ms) rather than cached: a city has
        too many addresses to keep every answer, and a request asks for a random one.
        """
        cols = self._trajectory_columns
        if "steps" not in cols or "plan" not in cols:
            return None
        did = self._dwelling_ids[pos]
        now = self.registered(did)
        if now is not None:
            return dumps({"adres_id": adres_id, "basis": "standard", "steps": records(now[1]),
                          "summary": records(now[2])[0], "changes": []})
        plan_rows = self._positions("plan", did)
        if plan_rows is None or not len(plan_rows):
            return None
        steps_rows = self._positions("steps", did)
        return dumps({"adres_id": adres_id, "basis": "standard",
                      "steps": _rows_json_ready(cols["steps"], steps_rows),
                      "summary": _rows_json_ready(cols["plan"], plan_rows[:1])[0],
                      "changes": []})

    def area_geojson(self, level: str, columns: list[str] | None = None,
                     _locked: bool = False) -> bytes:
        """The areas of ``level`` as GeoJSON bytes (EPSG:4326), every column and the exact
        outlines, serialised once and cached."""
        if _locked:
            return self._area_geojson(level, columns)
        with self._lock:
            return self._area_geojson(level, columns)

    def _area_geojson(self, level: str, columns: list[str] | None) -> bytes:
        if level not in self._geojson_cache:
            frame = self.areas[level].to_crs(WGS84)
            cols = columns or [c for c in frame.columns if c != "geometry"]
            self._geojson_cache[level] = feature_collection_bytes(frame, cols)
        return self._geojson_cache[level]


_CACHE: dict[str, Workspace] = {}
_CACHE_LOCK = threading.Lock()


def get_workspace_for(data_dir: str | Path) -> Workspace:
    """The cached workspace of ``data_dir``, reloaded when its files changed."""
    key = str(Path(data_dir).resolve())
    version = workspace_version(Path(data_dir))
    with _CACHE_LOCK:
        ws = _CACHE.get(key)
        if ws is None or ws.version != version:
            ws = Workspace.load(data_dir)
            _CACHE[key] = ws
            # the frames live as long as the process: move them out of the collector's sight,
            # else a full collection walks millions of objects and stalls every request for
            # a few hundred milliseconds (measured as the p99 of the first benchmark burst)
            gc.collect()
            gc.freeze()
        return ws


WARM_LAYERS = ("streets", "buildings", "dwellings", "groups")
"""The bounding-box layers :func:`warm_reads` prepares (what the map page asks for)."""


def reads_prepared(ws: Workspace) -> bool:
    """Whether everything :func:`warm_reads` prepares is ready."""
    return (ws.streets_prepared and ws.trajectories_prepared
            and all(ws.layer_prepared(layer) for layer in WARM_LAYERS
                    if layer != "groups" or ws.groups is not None))


def background_lifespan(target: Callable[[str | Path], None], name: str
                        ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A router lifespan that starts ``target(data_dir)`` of the app's settings in a daemon
    thread called ``name`` (nothing when the app has no ``data_dir``), so that start-up does
    not wait for it; ``target`` logs its own failures."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        data_dir = getattr(getattr(app.state, "settings", None), "data_dir", None)
        if data_dir is not None:
            threading.Thread(target=target, args=(data_dir,), daemon=True, name=name).start()
        yield

    return lifespan


def warm_reads(data_dir: str | Path) -> None:
    """Load the workspace of ``data_dir`` and prepare what the map and the coach read (the
    street views, the trajectories and the bounding-box layers), so that the first street or
    footprint request on a city does not wait seconds; run in a background thread at start-up.
    A missing workspace is logged, not raised."""
    t0 = time.perf_counter()
    try:
        ws = get_workspace_for(data_dir)
        ws.prepare_streets()
        ws.prepare_trajectories()
        for layer in WARM_LAYERS:
            if layer != "groups" or ws.groups is not None:
                ws.prepare_layer(layer)
    except WijkrenoError as exc:
        log.warning("read routes not prepared at start-up: %s", exc)
        return
    except Exception:  # noqa: BLE001 - a background thread must log, not die silently
        log.exception("read routes not prepared at start-up")
        return
    log.info("read routes prepared in %.1f s", time.perf_counter() - t0)


def clear_cache() -> None:
    """Forget every cached workspace (tests)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def current_workspace(data_dir: str | Path) -> Workspace | None:
    """The cached workspace of ``data_dir`` when it is loaded and current, else None.

    Never loads and never waits on the loading lock (a dict read is atomic), so that an
    ``async`` route may call it on the event loop.
    """
    ws = _CACHE.get(str(Path(data_dir).resolve()))
    if ws is None or ws.version != workspace_version(Path(data_dir)):
        return None
    return ws


def request_settings(request: Request) -> Settings:
    """The settings of the app serving ``request``, honouring a test's override of
    :func:`api.settings.get_settings` (called directly: no threadpool hop)."""
    provider = request.app.dependency_overrides.get(get_settings, get_settings)
    return provider()


async def get_workspace_async(request: Request) -> Workspace:
    """FastAPI dependency for ``async`` routes: the workspace, loaded in the threadpool only
    when it is not in memory or its files changed (503 when missing)."""
    settings = request_settings(request)
    ws = current_workspace(settings.data_dir)
    if ws is not None:
        return ws
    return await run_in_threadpool(get_workspace, settings)


def refresh_register(ws: Workspace, settings: Settings) -> Workspace:
    """``ws`` with the register's measures uploaded since the pipeline ran applied
    (:meth:`Workspace.refresh_register`; sync: call it in the threadpool); an unreachable
    register is logged, the files' state served, and tried again after
    ``settings.register_poll_s``."""
    url = settings.effective_register_url()
    if not ws.register_current(url, settings.register_poll_s):
        from api.auth import get_register

        try:
            register = get_register(settings)
        except HTTPException:
            log.warning("register unreachable; the coach's page shows the as-renovated layer "
                        "(next try in %.0f s)", settings.register_poll_s)
            ws.register_unreachable(url)
            return ws
        ws.refresh_register(register, url, settings.register_poll_s)
    return ws


async def get_current_workspace_async(request: Request) -> Workspace:
    """:func:`get_workspace_async` with the register's newest measures applied (a thread hop
    only when the register may have changed: after a write here, or every
    ``settings.register_poll_s``)."""
    ws = await get_workspace_async(request)
    settings = request_settings(request)
    if not ws.register_current(settings.effective_register_url(), settings.register_poll_s):
        await run_in_threadpool(refresh_register, ws, settings)
    return ws


def get_current_workspace(settings: Annotated[Settings, Depends(get_settings)]) -> Workspace:
    """:func:`get_workspace` with the register's newest measures applied (sync routes)."""
    return refresh_register(get_workspace(settings), settings)


def get_workspace(settings: Annotated[Settings, Depends(get_settings)]) -> Workspace:
    """FastAPI dependency: the workspace of ``settings.data_dir`` (503 when missing)."""
    try:
        return get_workspace_for(settings.data_dir)
    except InputError as exc:
        raise HTTPException(status_code=503, detail=(
            f"Geen werkruimte beschikbaar: {exc}")) from None
