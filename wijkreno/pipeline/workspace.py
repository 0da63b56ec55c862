"""The workspace: one folder per stage, every file name of the pipeline in one place.

A workspace is the folder ``wijkreno demo -o out/demo`` writes::

    sources/                      the demo's source files (official formats)
    twin/                         buildings, dwellings, rejected rows, data quality
    renovated/                    the dwellings as renovated: the register's measures applied
    simulate/                     results per dwelling and their summary
    trajectories/                 renovation steps and a summary per dwelling
    groups/                       collective renovation groups and their members
    uncertainty/                  p10/p50/p90 per dwelling and per area
    aggregate/                    per-dwelling table; <level>/ areas, ranking, maps
    indicators/                   LEKP targets and indicators over time
    reports/                      LEKP report (HTML, PDF) or klimaattafel sheets
    samenvatting.md               the demo's summary in Dutch

Each stage folder also holds ``manifest.json`` (see :mod:`wijkreno.pipeline.manifest`). The
table names and files of each stage are :data:`LAYOUT`; nothing else in wijkreno spells a
file name of a stage. A command that takes explicit folders (``wijkreno simulate TWIN -o OUT``)
builds a workspace whose stage folders point there (``folders={"twin": TWIN, "simulate":
OUT}``). All reading and writing goes through :mod:`wijkreno.io`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wijkreno.errors import InputError
from wijkreno.io import tables as io_tables
from wijkreno.io import twin_store
from wijkreno.twin.schema import BUILDINGS, DWELLINGS

log = logging.getLogger(__name__)

STAGES: tuple[str, ...] = ("twin", "renovated", "simulate", "trajectories", "groups",
                           "uncertainty", "aggregate", "indicators", "reports")
"""The pipeline's stages, upstream first."""

MANIFEST_FILE = "manifest.json"
SOURCES_FOLDER = "sources"
DEMO_SUMMARY_FILE = "samenvatting.md"

ID_COLUMNS: dict[str, Any] = {c: str for c in (
    "dwelling_id", "adres_id", "gebouw_id", "group_id", "sector_code", "wijk_code", "nis_code",
    "goal_id")}
"""Identifier columns read from CSV as text (leading zeros are part of the code)."""


@dataclass(frozen=True)
class TableFile:
    """Where and how one table of a stage is stored.

    Attributes
    ----------
    file : str
        Path relative to the stage folder; may hold ``{level}`` or ``{column}`` fields.
    kind : str
        ``geoparquet``, ``parquet``, ``csv``, ``json``, ``text``, ``areas`` (GeoParquet +
        GeoJSON + CSV of an aggregation level), ``twin_buildings``, ``twin_dwellings`` (with the
        twin schema), ``twin_quality`` (``quality.json`` + ``quality/*.csv``), ``gpkg``, or
        ``document`` (written by a renderer at :meth:`Workspace.path`).
    csv : str, optional
        A CSV companion written beside it: the same rows without geometry.
    description : str
        What the table holds.
    """

    file: str
    kind: str
    csv: str | None = None
    description: str = ""

    def companions(self) -> tuple[str, ...]:
        """Every file this table is stored in, relative to the stage folder."""
        files = [self.file]
        if self.csv:
            files.append(self.csv)
        if self.kind == "areas":
            stem = self.file.removesuffix(".parquet")
            files += [f"{stem}.geojson", f"{stem}.csv"]
        return tuple(files)


_T = twin_store.TWIN_FILES
LAYOUT: dict[str, dict[str, TableFile]] = {
    "twin": {
        "buildings": TableFile(_T["buildings"], "twin_buildings",
                               description="one row per building (GeoParquet, EPSG:31370)"),
        "dwellings": TableFile(_T["dwellings"], "twin_dwellings",
                               description="one row per dwelling (GeoParquet, EPSG:31370)"),
        "rejected": TableFile(_T["rejected"], "csv",
                              description="every input row that could not be used, and why"),
        "quality": TableFile(_T["quality"], "twin_quality",
                             description="data-quality tables (also quality/*.csv)"),
        "gpkg": TableFile(_T["gpkg"], "gpkg", description="both layers for older GIS"),
    },
    "renovated": {
        "dwellings": TableFile("dwellings.parquet", "twin_dwellings",
                               description="the twin's dwellings as renovated: the register's "
                               "realised measures applied (done_<dimension>_year and the state "
                               "after them)"),
        "applied": TableFile("register_applied.csv", "csv",
                             description="every register row: applied, superseded, unmatched "
                             "or later, and why"),
    },
    "simulate": {
        "results": TableFile("results.parquet", "geoparquet",
                             description="per dwelling: need, energy, EPC, cost, CO2"),
        "summary": TableFile("summary.json", "json", description="label counts and totals"),
    },
    "trajectories": {
        "steps": TableFile("trajectories.parquet", "parquet", csv="trajectories.csv",
                           description="one row per dwelling and renovation step"),
        "summary": TableFile("summary.parquet", "parquet", csv="summary.csv",
                             description="one row per dwelling"),
        "overrides_applied": TableFile("overrides_applied.csv", "csv",
                                       description="the coach's corrections applied"),
        "register_conflicts": TableFile("register_conflicts.csv", "csv",
                                        description="where the coach's overrides and the "
                                        "register describe the same measure: agrees or "
                                        "conflict, and which value is used"),
    },
    "groups": {
        "groups": TableFile("groups.parquet", "geoparquet", csv="groups.csv",
                            description="one row per collective renovation group"),
        "members": TableFile("group_members.parquet", "parquet", csv="group_members.csv",
                             description="one row per dwelling: its group and figures"),
    },
    "uncertainty": {
        "ensemble": TableFile("ensemble.parquet", "geoparquet",
                              description="p10/p50/p90 per dwelling"),
        "areas": TableFile("ensemble_sectors.parquet", "parquet", csv="ensemble_sectors.csv",
                           description="p10/p50/p90 per area"),
    },
    "aggregate": {
        "dwelling_results": TableFile("dwelling_results.parquet", "geoparquet",
                                      description="the per-dwelling table that was aggregated"),
        "areas": TableFile("{level}/areas.parquet", "areas",
                           description="one row per area (GeoParquet, GeoJSON, CSV)"),
        "priority": TableFile("{level}/priority.csv", "csv",
                              description="the ranking with every component"),
        "priority_weights": TableFile("{level}/priority_weights.csv", "csv",
                                      description="the weights used, with their rationale"),
        "map_png": TableFile("{level}/kaart_{column}.png", "document",
                             description="static choropleth"),
        "map_html": TableFile("{level}/kaart.html", "document",
                              description="offline interactive map"),
    },
    "indicators": {
        "targets": TableFile("targets.csv", "csv", description="one row per LEKP goal"),
        "indicators": TableFile("indicators.parquet", "parquet", csv="indicators.csv",
                                description="one row per goal and year"),
        "municipality": TableFile("municipality.json", "json",
                                  description="what the report needs to introduce it"),
        "projection": TableFile("projection.csv", "csv",
                                description="planned collective renovations per year"),
        "savings_unmatched": TableFile("savings_unmatched.csv", "csv",
                                       description="register rows the model could not use"),
    },
    "reports": {
        "report": TableFile("", "document", description="LEKP report or sheets (HTML, PDF)"),
    },
}
"""Every table of every stage: name → :class:`TableFile`."""

_DEFAULT_FIELDS = {"level": "sector", "column": "priority_score"}


class Workspace:
    """The folder layout of one pipeline run: where each stage's tables live, and how they
    are read and written.

    Parameters
    ----------
    root : Path, optional
        Workspace folder; stage ``s`` lives in ``root / s``.
    folders : mapping of stage → Path, optional
        Stage folders elsewhere (the CLI's explicit ``TWIN`` and ``-o`` arguments). A stage
        neither here nor under ``root`` has no folder (:class:`InputError` when asked).

    Examples
    --------
    >>> ws = Workspace(Path("out/demo"))
    >>> ws.path("simulate", "results")
    PosixPath('out/demo/simulate/results.parquet')
    """

    def __init__(self, root: str | Path | None = None, *,
                 folders: Mapping[str, str | Path | None] | None = None) -> None:
        self.root = Path(root) if root is not None else None
        self.folders = {k: Path(v) for k, v in (folders or {}).items() if v is not None}
        unknown = set(self.folders) - set(STAGES)
        if unknown:
            raise ValueError(f"unknown stages {sorted(unknown)}; stages are {list(STAGES)}")

    def __repr__(self) -> str:
        return f"Workspace(root={self.root!r}, folders={self.folders!r})"

    # -- where ---------------------------------------------------------------------------
    def has_folder(self, stage: str) -> bool:
        """Whether ``stage`` has a folder in this workspace (given or under the root)."""
        return stage in self.folders or self.root is not None

    def folder(self, stage: str) -> Path:
        """The folder of ``stage``."""
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; stages are {list(STAGES)}")
        if stage in self.folders:
            return self.folders[stage]
        if self.root is None:
            raise InputError(f"this run has no folder for the {stage} stage; pass it (e.g. "
                             f"--{stage}) or use a workspace folder.")
        return self.root / stage

    @property
    def sources_folder(self) -> Path:
        """Where the demo writes its source files."""
        return self._root_or_error() / SOURCES_FOLDER

    @property
    def summary_path(self) -> Path:
        """The demo's Dutch summary (``samenvatting.md``)."""
        return self._root_or_error() / DEMO_SUMMARY_FILE

    def _root_or_error(self) -> Path:
        if self.root is None:
            raise InputError("this run has no workspace folder; give one with -o.")
        return self.root

    @staticmethod
    def table_file(stage: str, table: str) -> TableFile:
        """The :class:`TableFile` of ``table`` of ``stage``."""
        try:
            return LAYOUT[stage][table]
        except KeyError:
            raise ValueError(f"stage {stage!r} has no table {table!r}; it has "
                             f"{list(LAYOUT.get(stage, {}))}") from None

    def path(self, stage: str, table: str, **fields: str) -> Path:
        """Path of ``table`` of ``stage`` (``fields`` fill ``{level}``/``{column}``)."""
        spec = self.table_file(stage, table)
        return self.folder(stage) / spec.file.format(**{**_DEFAULT_FIELDS, **fields})

    def files(self, stage: str, table: str, **fields: str) -> list[Path]:
        """Every file ``table`` is stored in (with its CSV/GeoJSON companions)."""
        spec = self.table_file(stage, table)
        values = {**_DEFAULT_FIELDS, **fields}
        return [self.folder(stage) / f.format(**values) for f in spec.companions()]

    def manifest_path(self, stage: str) -> Path:
        """``<stage folder>/manifest.json``."""
        return self.folder(stage) / MANIFEST_FILE

    def exists(self, stage: str, table: str, **fields: str) -> bool:
        """Whether ``table`` of ``stage`` has been written (its main file or CSV companion)."""
        if not self.has_folder(stage):
            return False
        spec = self.table_file(stage, table)
        path = self.path(stage, table, **fields)
        return path.exists() or bool(spec.csv and (path.parent / spec.csv).exists())

    # -- reading ---------------------------------------------------------------------------
    def read(self, stage: str, table: str, *, validate: bool = True,
             columns: list[str] | None = None, **fields: str) -> Any:
        """Read ``table`` of ``stage``.

        Returns a (Geo)DataFrame for tables, a dict for JSON documents, and for the twin's
        ``quality`` a pair ``(tables, metadata)``. Twin tables are checked against the twin
        schema unless ``validate=False`` (partial twins that only carry the columns a stage
        needs). A table whose Parquet file is missing is read from its CSV companion.
        ``columns`` reads only those columns of a Parquet table (a plain DataFrame, unchecked).
        """
        spec = self.table_file(stage, table)
        folder = self.folder(stage)
        path = self.path(stage, table, **fields)
        if columns is not None and spec.kind in ("twin_buildings", "twin_dwellings",
                                                 "geoparquet", "parquet"):
            if not path.exists():
                twin_store.read_twin_file(folder, path.name)  # says which command writes it
            return io_tables.read_frame(path, f"{stage} {table}", columns=columns)
        if spec.kind in ("twin_buildings", "twin_dwellings"):
            if not validate:
                return twin_store.read_twin_file(folder, path.name)
            schema = BUILDINGS if spec.kind == "twin_buildings" else DWELLINGS
            if not folder.is_dir():
                # the reader's message names the folder and the command that writes it
                twin_store.read_twin_file(folder, path.name)
            return twin_store.read_table(path, schema)
        if spec.kind == "twin_quality":
            return twin_store.read_quality(folder)
        what = f"{stage} {table}"
        if not path.exists():
            if spec.csv and (path.parent / spec.csv).exists():
                return io_tables.read_frame(path.parent / spec.csv, what, dtype=ID_COLUMNS)
            raise InputError(
                f"{path} does not exist: {folder} holds no {table} of the {stage} stage; run "
                f"`wijkreno {stage}` (or `wijkreno demo`) first and pass its folder.")
        if spec.kind == "json":
            return io_tables.read_json(path, what)
        if spec.kind in ("csv",):
            return io_tables.read_frame(path, what, dtype=ID_COLUMNS)
        if spec.kind in ("geoparquet", "parquet", "areas"):
            return io_tables.read_frame(path, what)
        raise ValueError(f"{stage}/{table} ({spec.kind}) is a document, not a table: use "
                         "Workspace.path")

    # -- writing ---------------------------------------------------------------------------
    def write(self, stage: str, tables: Mapping[str, Any], **fields: str) -> list[Path]:
        """Write the ``tables`` of ``stage`` and remove the stage's files that were not given.

        Values are what :meth:`read` returns (the twin's ``quality`` a pair ``(tables,
        metadata)``, its ``gpkg`` a pair ``(buildings, dwellings)``). Documents (maps,
        reports) are written by their renderers at :meth:`path` before this is called and are
        left alone. Returns every file written.
        """
        written: list[Path] = []
        for table, value in tables.items():
            spec = self.table_file(stage, table)
            if spec.kind == "document":
                continue
            written += self._write_one(stage, table, spec, value, fields)
        # a file of an earlier run that this run does not produce would be read as current
        for table, spec in LAYOUT[stage].items():
            if table in tables or spec.kind == "document":
                continue
            if "{" in spec.file and not fields:
                continue
            for path in self.files(stage, table, **fields):
                if path.exists():
                    log.info("removing %s (not produced by this run)", path)
                    path.unlink()
        return written

    def _write_one(self, stage: str, table: str, spec: TableFile, value: Any,
                   fields: Mapping[str, str]) -> list[Path]:
        path = self.path(stage, table, **fields)
        path.parent.mkdir(parents=True, exist_ok=True)
        kind = spec.kind
        if kind == "twin_buildings":
            twin_store.write_table(value, path, BUILDINGS)
            return [path]
        if kind == "twin_dwellings":
            twin_store.write_table(value, path, DWELLINGS)
            return [path]
        if kind == "twin_quality":
            quality, metadata = value
            twin_store.write_quality(path.parent, quality, metadata)
            return [path, *sorted((path.parent / twin_store.TWIN_FILES["quality_tables"]).glob(
                "*.csv"))]
        if kind == "gpkg":
            buildings, dwellings = value
            return [twin_store.write_twin_gpkg(path, buildings, dwellings)]
        if kind == "json":
            return [io_tables.write_json(value, path)]
        if kind == "text":
            return [io_tables.write_text(value, path)]
        if kind == "csv":
            return [io_tables.write_csv(value, path)]
        if kind == "areas":
            return list(io_tables.write_area_files(value, path.parent,
                                                   stem=path.name.removesuffix(".parquet"))
                        .values())
        if kind in ("geoparquet", "parquet"):
            out = [io_tables.write_parquet(value, path)]
            if spec.csv:
                out.append(io_tables.write_csv(value, path.parent / spec.csv))
            return out
        raise ValueError(f"cannot write {stage}/{table} of kind {kind!r}")

    # -- manifests -------------------------------------------------------------------------
    def read_manifest(self, stage: str) -> dict[str, Any] | None:
        """The stage's manifest, or None when there is none (or it cannot be read)."""
        if not self.has_folder(stage):
            return None
        path = self.manifest_path(stage)
        if not path.exists():
            return None
        try:
            return io_tables.read_json(path, "manifest")
        except InputError:
            log.warning("manifest %s cannot be read; the stage counts as stale", path)
            return None

    def write_manifest(self, stage: str, manifest: Mapping[str, Any]) -> Path:
        """Write the stage's ``manifest.json``."""
        return io_tables.write_json(dict(manifest), self.manifest_path(stage))
