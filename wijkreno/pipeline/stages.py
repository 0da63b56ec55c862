"""The pipeline's stages: one function per stage, a workspace and typed options in, the
stage's tables out.

Every ``run_<stage>(ws, options, force=False)``

1. works out the stage's manifest for this run (its inputs' hashes, the parameter files and
   overrides it uses, its options, the package version; :mod:`wijkreno.pipeline.manifest`);
2. returns the stored outputs (``skipped=True``, tables read on first access) when the
   manifest on disk says nothing changed and every output is intact, unless ``force``;
3. otherwise reads its inputs through the :class:`~wijkreno.pipeline.Workspace`, calls the pure
   compute functions, writes its tables and the manifest, and returns the tables.

The CLI, the web service, the demo and cluster runs all call these functions.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from wijkreno.errors import InputError
from wijkreno.io import tables as io_tables
from wijkreno.pipeline.manifest import build_manifest, check_fresh, describe_outputs
from wijkreno.pipeline.selection import select_addresses, select_streets
from wijkreno.pipeline.workspace import LAYOUT, Workspace

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Progress callback ``(done, total)`` of long stages (the CLI draws a bar with it)."""


class _Options(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _existing(path: Path | None, what: str) -> Path | None:
    if path is not None and not Path(path).exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    return path


# -- results ---------------------------------------------------------------------------------
class StageTables(Mapping[str, Any]):
    """The tables of a stage run: computed ones in memory, stored ones read on first access."""

    def __init__(self, ws: Workspace, stage: str, names: tuple[str, ...],
                 computed: Mapping[str, Any] | None = None, fields: Mapping[str, str] | None = None
                 ) -> None:
        self._ws, self._stage, self._names = ws, stage, names
        self._values: dict[str, Any] = dict(computed or {})
        self._fields = dict(fields or {})

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._values:
            self._values[name] = self._ws.read(self._stage, name, validate=False, **self._fields)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass
class StageResult:
    """What a stage run returns.

    Attributes
    ----------
    stage : str
        The stage's name.
    tables : mapping of name → DataFrame (or dict for JSON documents)
        The stage's tables (names as in :data:`~wijkreno.pipeline.workspace.LAYOUT`).
    skipped : bool
        True when the stored outputs were current and nothing was computed.
    manifest : dict
        The stage's manifest (what it was computed from; see
        :mod:`wijkreno.pipeline.manifest`).
    reason : str
        Why the stage ran (``no manifest``, ``changed: options``, …) or ``up to date``.
    """

    stage: str
    tables: Mapping[str, Any]
    skipped: bool
    manifest: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    @property
    def metadata(self) -> dict[str, Any]:
        """What the stage reported about its run (counts, calibration, …)."""
        return dict(self.manifest.get("metadata") or {})


def _run_stage(
    ws: Workspace,
    stage: str,
    options: _Options,
    *,
    inputs: Mapping[str, Path | None],
    overrides: Mapping[str, Path | None],
    compute: Callable[[], tuple[dict[str, Any], dict[str, Any]]],
    force: bool,
    seed: int | None = None,
    always_run: str | None = None,
    fields: Mapping[str, str] | None = None,
    documents: Callable[[], list[Path]] | None = None,
) -> StageResult:
    """Skip or run one stage and keep its manifest (shared by every ``run_*``)."""
    fields = dict(fields or {})
    manifest = build_manifest(stage, options=options.model_dump(mode="json"), inputs=inputs,
                              overrides=overrides, seed=seed, always_run=always_run)
    folder = ws.folder(stage)
    previous = ws.read_manifest(stage)
    state = check_fresh(previous, manifest, folder)
    if state.fresh and not force:
        assert previous is not None
        log.info("%s: up to date, skipped", stage)
        names = tuple((previous.get("metadata") or {}).get("tables", ()))
        return StageResult(stage, StageTables(ws, stage, names, fields=fields), True, previous,
                           state.reason)
    reason = "forced" if force else state.reason
    log.info("%s: running (%s)", stage, reason)
    t0 = time.perf_counter()
    tables, metadata = compute()
    written = ws.write(stage, tables, **fields)
    if documents is not None:
        written += documents()
    manifest["outputs"] = describe_outputs(folder, written)
    manifest["metadata"] = {**metadata, "tables": [
                                t for t in tables if t in LAYOUT[stage]
                                and LAYOUT[stage][t].kind not in ("document", "gpkg")],
                            "seconds": round(time.perf_counter() - t0, 3)}
    if fields:
        manifest["metadata"]["fields"] = fields
    ws.write_manifest(stage, manifest)
    names = tuple(manifest["metadata"]["tables"])
    return StageResult(stage, StageTables(ws, stage, names,
                                          {k: v for k, v in tables.items() if k in names},
                                          fields), False, manifest, reason)


def _upstream(ws: Workspace, stage: str, *tables: str, **fields: str) -> dict[str, Path | None]:
    """Input files of the upstream ``tables`` of ``stage`` (None when the stage has none)."""
    out: dict[str, Path | None] = {}
    for table in tables:
        if not ws.has_folder(stage):
            continue
        for path in ws.files(stage, table, **fields):
            out[f"{stage}/{path.name}"] = path if path.exists() else None
    return out


# -- twin ------------------------------------------------------------------------------------
class TwinOptions(_Options):
    """Source files of one twin build (only ``buildings`` and ``nis_code`` are required)."""

    buildings: Path
    nis_code: str
    addresses: Path | None = None
    dsm: Path | None = None
    dtm: Path | None = None
    sectors: Path | None = None
    gebouwenpark: Path | None = None
    boundary: Path | None = None
    params: Path | None = None
    archetypes: Path | None = None
    fluvius: Path | None = Field(None, description="Fluvius consumption per statistical sector: "
                                 "residential gas connections bound the gas-heated dwellings")
    fluvius_year: int = 2021
    sector_hierarchy: Path | None = Field(None, description="sector -> wijk hierarchy (bound per "
                                          "wijk with wijken as boundary and no sectors)")
    seed: int = 0
    gpkg: bool = Field(False, description="also write twin.gpkg for older GIS software")
    buildings_layer: str | None = Field(None, description="layer of a multi-layer buildings file")
    addresses_layer: str | None = Field(None, description="layer of a multi-layer addresses file")
    addresses_crs: str | None = Field(None, description="CRS of an addresses CSV's x/y columns")

    def source_files(self) -> dict[str, Path | None]:
        """The source files by name (the ones that are given)."""
        return {name: getattr(self, name) for name in (
            "buildings", "addresses", "dsm", "dtm", "sectors", "gebouwenpark", "boundary",
            "fluvius", "sector_hierarchy")}


def run_twin(ws: Workspace, options: TwinOptions, *, force: bool = False) -> StageResult:
    """Build the twin from its source files and write the twin folder.

    Tables: ``buildings``, ``dwellings``, ``rejected``, ``quality`` (a pair of the quality
    tables and the run metadata) and, with ``options.gpkg``, ``gpkg``.
    """
    from wijkreno.pipeline.sources import build_twin_from_files, run_metadata

    for name, path in options.source_files().items():
        _existing(path, {"gebouwenpark": "Statbel", "dsm": "DSM", "dtm": "DTM"}.get(name, name))
    _existing(options.params, "parameter")
    _existing(options.archetypes, "archetype")

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        twin = build_twin_from_files(options)
        metadata = run_metadata(options, twin)
        tables: dict[str, Any] = {"buildings": twin.buildings, "dwellings": twin.dwellings,
                                  "rejected": twin.rejected, "quality": (twin.quality, metadata)}
        if options.gpkg:
            tables["gpkg"] = (twin.buildings, twin.dwellings)
        return tables, metadata

    return _run_stage(ws, "twin", options, inputs=options.source_files(),
                      overrides={"params": options.params, "archetypes": options.archetypes},
                      compute=compute, force=force, seed=options.seed)


# -- renovated -------------------------------------------------------------------------------
class RenovatedOptions(_Options):
    """Options of ``renovated``: the register's export and the date of the state."""

    register_export: Path = Field(description="the register's renovations as a file: `wijkreno "
                           "register list renovations --nis NIS -o renovaties.csv` (CSV or "
                           "Parquet)")
    as_of: dt.date | None = Field(None, description="only measures completed on or before "
                                  "this date (default: all)")


_REGISTER_ID_COLUMNS = ("adres_id", "dwelling_id", "gebouw_id", "nis_code", "upload_id")
"""Identifier columns of the register export, read as text: a column with blanks read as a
number turns ``14104359`` into ``'14104359.0'``, which matches no dwelling."""


def run_renovated(ws: Workspace, options: RenovatedOptions, *,
                  force: bool = False) -> StageResult:
    """The twin as renovated: the register's realised measures applied to its dwellings.

    Sits between ``twin`` and ``simulate``: when a workspace has this layer, every later stage
    (simulate, trajectories, groups, uncertainty, aggregate, sheets) reads its dwellings instead
    of the twin's (:func:`dwellings_stage`), so nothing proposes again what is done and the
    heating described is the one there now. The register is a database; its export file is the
    stage's input, so the manifest hashes what was applied. Tables: ``dwellings`` (the twin
    schema plus ``done_<dimension>_*``) and ``applied`` (every register row and its status).
    The indicators and the LEKP report keep the twin as built: a registered measure's saving
    is counted against the state before it.
    """
    _existing(options.register_export, "register export")

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        from wijkreno.twin.renovated import apply_register

        dwellings = ws.read("twin", "dwellings")
        renovations = io_tables.read_frame(
            options.register_export, "register export",
            dtype=dict.fromkeys(_REGISTER_ID_COLUMNS, str))
        renovated, applied = apply_register(dwellings, renovations, as_of=options.as_of)
        counts = {str(k): int(v) for k, v in applied["status"].value_counts().items()}
        if counts.get("unmatched") or counts.get("unknown_measure"):
            log.warning("register: %s (see %s)", counts, ws.path("renovated", "applied"))
        return {"dwellings": renovated, "applied": applied}, {
            "n_register_rows": int(len(applied)), "status_counts": counts}

    return _run_stage(ws, "renovated", options, inputs={
        **_upstream(ws, "twin", "dwellings"), "register_export": options.register_export},
        overrides={}, compute=compute, force=force)


def dwellings_stage(ws: Workspace) -> str:
    """The stage whose ``dwellings`` are the current state: ``renovated`` when the workspace
    has the as-renovated layer (:func:`run_renovated`), else ``twin``.

    Raises
    ------
    InputError
        When the as-renovated layer was computed from another twin than the one in the
        workspace (run the ``renovated`` stage again).
    """
    if not ws.has_folder("renovated") or not ws.exists("renovated", "dwellings"):
        return "twin"
    twin_file = ws.path("twin", "dwellings")
    manifest = ws.read_manifest("renovated") or {}
    recorded = (manifest.get("inputs") or {}).get(f"twin/{twin_file.name}") or {}
    if twin_file.exists() and recorded.get("sha256") != io_tables.file_sha256(twin_file):
        raise InputError(
            f"{ws.folder('renovated')} (the twin as renovated) was computed from another twin "
            f"than {twin_file}; run the renovated stage again (run_renovated, or `wijkreno "
            "demo`) or remove that folder.")
    return "renovated"


# -- simulate --------------------------------------------------------------------------------
class SimulateOptions(_Options):
    """Options of ``simulate``: user parameter files and the chunk size."""

    heat_params: Path | None = Field(None, description="TOML overriding heat_balance.toml")
    system_params: Path | None = Field(None, description="TOML overriding energy_systems.toml")
    climate_epw: Path | None = Field(None, description="hourly EPW weather file")
    chunk_size: int = Field(50_000, ge=1, description="dwellings per chunk")
    calibration: Path | None = Field(None, description="calibration file of `wijkreno validate "
                                     "meters`: adds calibrated_final_<carrier>_kwh")


def read_engine_dwellings(ws: Workspace) -> gpd.GeoDataFrame:
    """The current dwellings (:func:`dwellings_stage`: the twin, as renovated when the
    workspace has that layer) with at least the engine's columns (partial twins allowed)."""
    from wijkreno.simulate.heat_balance import REQUIRED_COLUMNS

    stage = dwellings_stage(ws)
    frame = ws.read(stage, "dwellings", validate=False)
    needed = ("dwelling_id", *REQUIRED_COLUMNS, "heating_system")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(
            f"{ws.path(stage, 'dwellings')} does not have the twin's dwellings schema: columns "
            f"{missing} are missing. Rebuild the twin with the current `wijkreno twin build`."
        )
    return frame


def simulate_in_chunks(dwellings: pd.DataFrame, chunk_size: int, *,
                       progress: Progress | None = None, **kwargs: Any) -> pd.DataFrame:
    """:func:`~wijkreno.simulate.engine.simulate_dwellings` over chunks of ``chunk_size`` rows
    (bounded memory), with the rejected-row counts of all chunks added up."""
    from wijkreno.simulate.engine import simulate_dwellings

    n = len(dwellings)
    starts = list(range(0, n, chunk_size)) or [0]
    if len(starts) == 1:
        return simulate_dwellings(dwellings, **kwargs)
    parts = []
    for start in starts:
        parts.append(simulate_dwellings(dwellings.iloc[start:start + chunk_size], **kwargs))
        if progress is not None:
            progress(min(start + chunk_size, n), n)
    result = pd.concat(parts)
    counts: dict[str, int] = {}
    for part in parts:
        for reason, k in part.attrs.get("invalid_counts", {}).items():
            counts[reason] = counts.get(reason, 0) + k
    result.attrs = {"invalid_counts": counts, "basis": "standardised"}
    return result


def with_bases(results: pd.DataFrame, dwellings: pd.DataFrame,
               calibration: Path | None) -> pd.DataFrame:
    """``results`` with the expected basis (``expected_final_<carrier>_kwh``) and, when a
    calibration file is given, the calibrated one (``calibrated_final_<carrier>_kwh``)."""
    from wijkreno.simulate.expected import expected_use

    results = results.join(expected_use(results, dwellings))
    if calibration is None:
        return results
    from wijkreno.aggregate.calibration import Calibration, apply_calibration
    from wijkreno.io.fluvius import read_calibration

    doc = read_calibration(calibration)
    cals = [Calibration.from_dict(c) for c in doc.get("carriers", {}).values()]
    keys = [c for c in ("nis_code", "sector_code", "typology", "tabula_period")
            if c in dwellings and c not in results]
    frame = results.join(pd.DataFrame(dwellings[keys]))
    area = ("sector_code" if "sector_code" in frame and frame["sector_code"].notna().all()
            else "nis_code")
    if area not in frame:
        raise InputError("the twin's dwellings have no nis_code or sector_code to calibrate by.")
    return results.join(apply_calibration(frame, cals, area))


def run_simulate(ws: Workspace, options: SimulateOptions | None = None, *, force: bool = False,
                 progress: Progress | None = None) -> StageResult:
    """Simulate every dwelling of the twin: need, final and primary energy, EPC, cost, CO2.

    Tables: ``results`` (GeoParquet: the dwellings' points, ``dwelling_id``, ``gebouw_id`` and
    the results) and ``summary`` (label counts and totals, a dict).
    """
    options = options or SimulateOptions()
    _existing(options.heat_params, "heat-balance parameter")
    _existing(options.system_params, "energy-system parameter")
    _existing(options.climate_epw, "EPW weather")
    _existing(options.calibration, "calibration")

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        from wijkreno.simulate.engine import summarise_results
        from wijkreno.simulate.heat_balance import load_heat_balance_params
        from wijkreno.simulate.params import load_system_params

        dwellings = read_engine_dwellings(ws)
        hp = load_heat_balance_params(options.heat_params) if options.heat_params else None
        sp = load_system_params(options.system_params) if options.system_params else None
        climate = None
        if options.climate_epw is not None:
            from wijkreno.io.epw import read_epw
            from wijkreno.simulate.climate import derive_monthly_climate

            climate = derive_monthly_climate(*read_epw(options.climate_epw))
        results = simulate_in_chunks(dwellings, options.chunk_size, progress=progress,
                                     climate=climate, heat_params=hp, system_params=sp)
        summary = summarise_results(results, params=sp)
        results = with_bases(results, dwellings, options.calibration)
        frame = gpd.GeoDataFrame(results, geometry=dwellings.geometry.to_numpy(),
                                 crs=dwellings.crs).reset_index(drop=True)
        return {"results": frame, "summary": summary}, {
            "n_dwellings": len(frame), "invalid_counts": results.attrs.get("invalid_counts", {})}

    return _run_stage(ws, "simulate", options,
                      inputs=_upstream(ws, dwellings_stage(ws), "dwellings"),
                      overrides={"heat_params": options.heat_params,
                                 "system_params": options.system_params,
                                 "climate_epw": options.climate_epw,
                                 "calibration": options.calibration},
                      compute=compute, force=force)


# -- trajectories ----------------------------------------------------------------------------
class TrajectoryOptions(_Options):
    """Options of ``trajectories``: the selection, the coach's overrides and the target."""

    streets: tuple[str, ...] = ()
    addresses: Path | None = Field(None, description="CSV with adres_id or dwelling_id")
    overrides: Path | None = Field(None, description="CSV of a coach's corrections")
    target: Literal["label_A_fossil_free_2050", "label_A_2050", "obligation"] = (
        "label_A_fossil_free_2050")
    objective: Literal["cost", "npv"] = "cost"
    basis: Literal["auto", "calibrated", "expected", "standardised"] = "auto"
    income_category: int | None = Field(None, ge=1, le=4)
    horizon_years: int | None = Field(None, ge=1)
    discount_rate_frac: float | None = None
    price_year: int | None = Field(
        None, description="price set of price_sets.toml; the current year's when None")
    municipal_premiums: Path | None = Field(
        None, description="TOML of a municipality's top-up premiums "
                          "(wijkreno/params/municipal/template.toml); kept as an absolute "
                          "path, so that the manifest's copy is read from any folder (the "
                          "web service's rerun)")

    @field_validator("municipal_premiums")
    @classmethod
    def _absolute(cls, path: Path | None) -> Path | None:
        return None if path is None else Path(path).expanduser().resolve()


def plan_kwargs(options: TrajectoryOptions) -> dict[str, Any]:
    """Keyword arguments of :func:`plan_dwellings` for ``options`` (the municipal premiums read
    from their file): the ``trajectories`` stage and the web service's rerun of a dwelling
    both plan through this, so that an option added here reaches both.

    Raises the reader's error (:class:`OSError`, :class:`~wijkreno.errors.WijkrenoError`) when
    the municipal premiums file cannot be read.
    """
    municipal = None
    if options.municipal_premiums is not None:
        from wijkreno.renovate.catalogue import load_municipal_premiums

        municipal = load_municipal_premiums(options.municipal_premiums)
    return {"target": options.target, "objective": options.objective,
            "income_category": options.income_category, "horizon_years": options.horizon_years,
            "discount_rate_frac": options.discount_rate_frac, "basis": options.basis,
            "price_year": options.price_year, "municipal_premiums": municipal}


def plan_dwellings(
    dwellings: pd.DataFrame,
    overrides: pd.DataFrame | None = None,
    *,
    target: str = "label_A_fossil_free_2050",
    objective: str = "cost",
    income_category: int | None = None,
    horizon_years: int | None = None,
    discount_rate_frac: float | None = None,
    basis: str = "auto",
    price_year: int | None = None,
    municipal_premiums: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Overrides → measure options → trajectories, on frames (the web service's rerun too).

    Parameters
    ----------
    dwellings : DataFrame
        Dwellings of the twin (a selection).
    overrides : DataFrame, optional
        A coach's corrections (:func:`wijkreno.io.overrides.read_overrides` layout), applied
        to a copy.
    target, objective, income_category, horizon_years, discount_rate_frac, basis
        As :func:`wijkreno.renovate.trajectories.plan_trajectories`; ``income_category``
        fills dwellings without one.
    price_year : int, optional
        The price set (premium scheme, energy prices, cost level) of
        :func:`wijkreno.renovate.catalogue.money_params`; the current year's when None.
    municipal_premiums : MunicipalPremiums, optional
        A municipality's top-up premiums, added on top of Mijn VerbouwPremie.

    Returns
    -------
    dwellings, steps, summary, changes
        The dwellings as planned (overrides applied), the steps, the per-dwelling summary and
        the applied changes (None without overrides). On as-renovated dwellings
        (:func:`run_renovated`) the register wins over an override of a dimension it records
        (:func:`wijkreno.twin.renovated.register_conflicts`): that override is not applied, and
        where it disagrees the changes hold a row with ``source = 'register'``, ``status =
        'conflict'``, the register's value in ``old``, the coach's in ``new`` and the reason.
    """
    from wijkreno.renovate.applicability import measure_options
    from wijkreno.renovate.catalogue import money_params
    from wijkreno.renovate.overrides import apply_overrides
    from wijkreno.renovate.packages import load_economics
    from wijkreno.renovate.trajectories import plan_trajectories

    changes = None
    if overrides is not None:
        from wijkreno.twin.renovated import register_conflicts

        overrides, conflicts = register_conflicts(dwellings, overrides)
        dwellings, changes = apply_overrides(dwellings, overrides)
        clash = conflicts[conflicts["status"] == "conflict"]
        if len(clash):
            changes = pd.concat([changes, pd.DataFrame({
                "dwelling_id": clash["dwelling_id"].to_numpy(dtype=object),
                "adres_id": clash["adres_id"].to_numpy(dtype=object),
                "row": pd.array([pd.NA] * len(clash), dtype="Int64"),
                "column": clash["coach_column"].to_numpy(dtype=object),
                "old": clash["register_value"].to_numpy(dtype=object),
                "new": clash["coach_value"].to_numpy(dtype=object),
                "source": "register",
                "status": "conflict",
                "reason": [f"register: {m} on {d}; the register wins, the coach's value is not "
                           "applied" for m, d in zip(clash["register_measure"],
                                                     clash["register_date"], strict=True)],
            })], ignore_index=True)
    if income_category is not None and "income_category" in dwellings.columns:
        dwellings = dwellings.copy()
        cat = pd.to_numeric(dwellings["income_category"], errors="coerce")
        dwellings["income_category"] = cat.fillna(income_category)
        income_category = None
    money = money_params(price_year)
    options = measure_options(dwellings, income_category=income_category,
                              catalogue=money.catalogue, premiums=money.premiums,
                              municipal_premiums=municipal_premiums)
    steps, summary = plan_trajectories(
        dwellings, options, target=target, objective=objective,
        economics=load_economics(money=money, horizon_years=horizon_years,
                                 discount_rate_frac=discount_rate_frac),
        system_params=money.system_params, basis=basis,
    )
    summary["price_year"] = money.price_year
    summary["cost_index"] = money.sources["cost_index"]  # the line the sheet shows
    # the income category the premiums assumed (NaN: renovation.toml's default, unknown)
    if "income_category" in dwellings.columns:
        summary["income_category"] = pd.to_numeric(dwellings["income_category"],
                                                   errors="coerce").to_numpy(dtype=np.float64)
    else:
        summary["income_category"] = (np.nan if income_category is None
                                      else float(income_category))
    return dwellings, steps, summary, changes


def run_trajectories(ws: Workspace, options: TrajectoryOptions | None = None, *,
                     force: bool = False) -> StageResult:
    """Renovation trajectories per dwelling: steps, cost, premium, saving and label.

    Tables: ``steps`` (one row per dwelling and step), ``summary`` (one row per dwelling) and,
    when a coach's overrides changed something, ``overrides_applied``.
    """
    options = options or TrajectoryOptions()
    if options.addresses is not None and not options.addresses.exists():
        raise InputError(f"the address list {options.addresses} does not exist; check the path.")
    _existing(options.overrides, "overrides")
    _existing(options.municipal_premiums, "municipal_premiums")

    stage = dwellings_stage(ws)

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        dwellings = ws.read(stage, "dwellings")
        if ws.exists("simulate", "results"):
            # the expected (and calibrated) use of the simulation: the money basis
            from wijkreno.simulate.basis import attach_basis_columns

            dwellings = attach_basis_columns(dwellings, pd.DataFrame(ws.read("simulate",
                                                                             "results")))
        keep = np.ones(len(dwellings), dtype=bool)
        if options.streets:
            keep &= select_streets(dwellings, list(options.streets))
        if options.addresses is not None:
            keep &= select_addresses(dwellings, options.addresses)
        selected = dwellings.loc[keep]
        if selected.empty:
            raise InputError("the selection holds no dwellings; check --street and --addresses.")
        overrides = None
        if options.overrides is not None:
            from wijkreno.io.overrides import read_overrides

            overrides = read_overrides(options.overrides)
        _, steps, summary, changes = plan_dwellings(selected, overrides,
                                                    **plan_kwargs(options))
        tables: dict[str, Any] = {
            # categoricals and arrow strings as plain text in the CSV
            "steps": io_tables.categoricals_as_text(steps),
            "summary": io_tables.categoricals_as_text(summary.reset_index(drop=True)),
        }
        if changes is not None and len(changes):
            tables["overrides_applied"] = pd.DataFrame(changes)
            clash = changes[changes["source"] == "register"]
            if len(clash):
                tables["register_conflicts"] = pd.DataFrame(clash).reset_index(drop=True)
        return tables, {"n_dwellings": int(len(summary)),
                        "n_reached": int(summary["reached"].sum()),
                        "cost_index": str(summary["cost_index"].iloc[0])}

    inputs = _upstream(ws, stage, "dwellings")
    if ws.exists("simulate", "results"):
        inputs.update(_upstream(ws, "simulate", "results"))
    return _run_stage(ws, "trajectories", options, inputs=inputs,
                      overrides={"addresses": options.addresses,
                                 "overrides": options.overrides,
                                 "municipal_premiums": options.municipal_premiums},
                      compute=compute, force=force)


# -- groups ----------------------------------------------------------------------------------
class GroupsOptions(_Options):
    """Options of ``groups``."""

    min_size: int | None = Field(None, ge=1, description="participants a group needs")
    params: Path | None = Field(None, description="own collective.toml")
    target_score_kwh_per_m2: float = 100.0
    income_category: int | None = Field(None, ge=1, le=4)
    basis: Literal["auto", "calibrated", "expected", "standardised"] = Field(
        "auto", description="money basis of the savings, as for the trajectories "
        "(wijkreno.simulate.basis): the simulation's expected and calibrated use")
    price_year: int | None = Field(
        None, description="price set of price_sets.toml (premiums, energy prices, cost "
                          "level), as for the trajectories; the current year's when None")


def group_geometries(buildings: gpd.GeoDataFrame, members: pd.DataFrame) -> gpd.GeoSeries:
    """Union of the footprints of each group's buildings, indexed by ``group_id``."""
    pairs = pd.DataFrame({"group_id": members["group_id"].astype("string").to_numpy(),
                          "gebouw_id": members["gebouw_id"].astype("string").to_numpy()})
    pairs = pairs.drop_duplicates()
    foot = gpd.GeoDataFrame(
        {"gebouw_id": buildings["gebouw_id"].astype("string").to_numpy()},
        geometry=buildings.geometry.to_numpy(), crs=buildings.crs,
    ).drop_duplicates("gebouw_id")
    joined = foot.merge(pairs, on="gebouw_id", how="inner")
    return joined.dissolve(by="group_id").geometry


def run_groups(ws: Workspace, options: GroupsOptions | None = None, *,
               force: bool = False) -> StageResult:
    """Collective renovation groups: individual versus collective cost, premiums, savings.

    Tables: ``groups`` (GeoParquet, one row per group with the union of its footprints) and
    ``members`` (one row per dwelling). Money is on the trajectories' terms: their price set
    (``options.price_year``: premiums, energy prices, cost level) and money basis
    (``options.basis``, the simulation results' expected and calibrated use when the workspace
    has them, :func:`wijkreno.simulate.basis.attach_basis_columns`); both tables and the
    manifest's summary name the basis, the summary the price year.
    """
    options = options or GroupsOptions()
    _existing(options.params, "collective parameter")
    stage = dwellings_stage(ws)
    with_results = ws.exists("simulate", "results")

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        from wijkreno.aggregate.collective import collective_costs
        from wijkreno.aggregate.groups import find_groups, load_collective_params
        from wijkreno.renovate.applicability import measure_options
        from wijkreno.renovate.catalogue import money_params
        from wijkreno.renovate.packages import best_packages, load_economics

        cp = load_collective_params(options.params)
        if options.min_size is not None:
            rules = cp.collective.model_copy(update={
                "min_participants": cp.collective.min_participants.model_copy(
                    update={"value": float(options.min_size),
                            "source": "wijkreno groups --min-size (command line)"})})
            cp = cp.model_copy(update={"collective": rules})
        buildings = ws.read("twin", "buildings")
        dwellings = ws.read(stage, "dwellings")
        if dwellings.empty:
            raise InputError(f"the twin {ws.folder('twin')} holds no dwellings; nothing to "
                             "group.")
        if with_results:
            # the trajectories' money basis: the simulation's expected and calibrated use
            from wijkreno.simulate.basis import attach_basis_columns

            dwellings = attach_basis_columns(dwellings, pd.DataFrame(ws.read("simulate",
                                                                             "results")))
        # the trajectories' price set: the same premiums, energy prices and cost level
        money = money_params(options.price_year)
        economics = load_economics(money=money)
        mo = measure_options(dwellings, income_category=options.income_category,
                             catalogue=money.catalogue, premiums=money.premiums)
        plan = best_packages(dwellings, mo,
                             target_score_kwh_per_m2=options.target_score_kwh_per_m2,
                             economics=economics, system_params=money.system_params,
                             basis=options.basis)
        members = find_groups(buildings, dwellings, params=cp)
        group_table, dwelling_table = collective_costs(
            dwellings, members, plan, mo, params=cp, premiums=money.premiums,
            economics=economics, system_params=money.system_params)
        dwelling_table.insert(1, "gebouw_id",
                              dwellings["gebouw_id"].astype("string").to_numpy())
        geom = group_geometries(buildings, dwelling_table)
        gdf = gpd.GeoDataFrame(group_table,
                               geometry=geom.reindex(group_table["group_id"]).values,
                               crs=buildings.crs)
        return ({"groups": io_tables.categoricals_as_text(gdf),
                 "members": io_tables.categoricals_as_text(
                     dwelling_table.reset_index(drop=True))},
                {"n_groups": int(len(group_table)), "price_year": money.price_year,
                 "basis": {str(k): int(v) for k, v in
                           dwelling_table["basis"].value_counts().items()}})

    inputs = {**_upstream(ws, "twin", "buildings"), **_upstream(ws, stage, "dwellings")}
    if with_results:
        inputs.update(_upstream(ws, "simulate", "results"))
    return _run_stage(ws, "groups", options, inputs=inputs,
                      overrides={"params": options.params}, compute=compute, force=force)


# -- uncertainty -----------------------------------------------------------------------------
class UncertaintyOptions(_Options):
    """Options of ``uncertainty``: draws, seed, area column and parameter file."""

    draws: int = Field(100, ge=1)
    seed: int = 0
    by: str = "sector_code"
    params: Path | None = Field(None, description="TOML overriding uncertainty.toml")


def run_uncertainty(ws: Workspace, options: UncertaintyOptions | None = None, *,
                    force: bool = False) -> StageResult:
    """Monte Carlo ranges (p10/p50/p90) per dwelling and per area over the imputed inputs.

    Tables: ``ensemble`` (GeoParquet, one row per dwelling) and, when the dwellings have the
    ``by`` column, ``areas`` (one row per area).
    """
    options = options or UncertaintyOptions()
    _existing(options.params, "uncertainty parameter")

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        from wijkreno.uncertainty.ensemble import (
            aggregate_ensemble,
            load_uncertainty_params,
            simulate_ensemble,
        )

        up = load_uncertainty_params(options.params) if options.params is not None else None
        dwellings = read_engine_dwellings(ws)
        ensemble, per_draw = simulate_ensemble(dwellings, n_draws=options.draws,
                                               seed=options.seed, params=up, return_draws=True)
        frame = gpd.GeoDataFrame(ensemble, geometry=dwellings.geometry.to_numpy(),
                                 crs=dwellings.crs).reset_index(drop=True)
        tables: dict[str, Any] = {"ensemble": frame}
        by = options.by
        if by in dwellings.columns and dwellings[by].notna().any():
            tables["areas"] = aggregate_ensemble(dwellings, per_draw, by=by).reset_index()
        else:
            log.warning("no column %r with values in the dwellings: no per-area ranges", by)
        return tables, {"n_draws": options.draws}

    return _run_stage(ws, "uncertainty", options,
                      inputs=_upstream(ws, dwellings_stage(ws), "dwellings"),
                      overrides={"params": options.params}, compute=compute, force=force,
                      seed=options.seed)


# -- aggregate -------------------------------------------------------------------------------
class AggregateOptions(_Options):
    """Options of ``aggregate``: the level, area polygons, weights, and the maps to draw.

    The simulation results are required; the trajectory summary, the group membership and the
    uncertainty ranges are joined when the workspace has them.
    """

    level: Literal["sector", "wijk", "municipality"] = "sector"
    areas: Path | None = Field(None, description="polygons of the level")
    priority_params: Path | None = Field(None, description="own priority.toml")
    sector_income: Path | None = Field(None, description="CSV sector_code, income_eur")
    maps: Literal["none", "png", "html", "both"] = "none"
    map_title: str | None = None


def read_areas(path: Path) -> gpd.GeoDataFrame:
    """Area polygons (GeoPackage, GeoParquet, GeoJSON) for aggregation."""
    if not path.exists():
        raise InputError(f"the area file {path} does not exist; check the path.")
    return io_tables.read_frame(path, "area polygons")


def _read_sector_income(path: Path) -> pd.Series:
    """``sector_code`` → income [EUR] from a CSV with columns sector_code and income_eur."""
    table = io_tables.read_frame(path, "sector income", dtype={"sector_code": str})
    missing = [c for c in ("sector_code", "income_eur") if c not in table.columns]
    if missing:
        raise InputError(f"{path} lacks the columns {missing}; give sector_code and income_eur.")
    codes = table["sector_code"].astype(str).str.strip()
    return pd.Series(pd.to_numeric(table["income_eur"], errors="coerce").to_numpy(),
                     index=codes.to_numpy())


def load_dwelling_table(ws: Workspace) -> gpd.GeoDataFrame:
    """The per-dwelling table of the workspace: twin, results and (when present) plan and
    groups joined on ``dwelling_id``."""
    from wijkreno.aggregate.dwelling_results import assemble_dwelling_results

    dwellings = ws.read(dwellings_stage(ws), "dwellings", validate=False)
    results = pd.DataFrame(ws.read("simulate", "results"))
    summary = (ws.read("trajectories", "summary") if ws.exists("trajectories", "summary")
               else None)
    members = ws.read("groups", "members") if ws.exists("groups", "members") else None
    return assemble_dwelling_results(dwellings, results, summary,
                                     None if members is None else pd.DataFrame(members))


def _join_uncertainty(frame: gpd.GeoDataFrame, ranges: pd.DataFrame, key: str,
                      source: Path) -> gpd.GeoDataFrame:
    """Add the per-area p10/p50/p90 of ``uncertainty`` to the aggregated areas."""
    if key not in ranges.columns:
        raise InputError(
            f"{source} has no {key!r} column: run `wijkreno uncertainty --by {key}` for this "
            "level.")
    cols = [c for c in ranges.columns if c.endswith(("_p10", "_p50", "_p90"))]
    return frame.merge(pd.DataFrame(ranges[[key, *cols]]), on=key, how="left",
                       validate="one_to_one")


def ranking(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The priority ranking of aggregated areas: rank, score, components, a few figures."""
    cols = [key, "area_name", "priority_rank", "priority_score",
            *[c for c in frame.columns if c.startswith("priority_")
              and c not in ("priority_rank", "priority_score")],
            "n_dwellings", "label_ef_frac", "epc_score_mean_kwh_per_m2"]
    cols = list(dict.fromkeys(c for c in cols if c in frame.columns))
    return pd.DataFrame(frame[cols]).sort_values(["priority_rank", key], na_position="last")


def draw_maps(
    areas: gpd.GeoDataFrame,
    *,
    png: Path | None,
    html: Path | None,
    dwellings: gpd.GeoDataFrame | None = None,
    column: str = "priority_score",
    title: str | None = None,
    scheme: str = "NaturalBreaks",
    k: int = 5,
    no_points: bool = False,
    priority_params: Path | None = None,
) -> list[Path]:
    """Draw aggregated areas as a PNG choropleth and/or an offline HTML map.

    The popups explain the priority score with its weights, recomputed from the components
    with ``priority_params`` (the packaged weights by default). Returns the files written.
    """
    from wijkreno.aggregate.priority import load_priority_params, priority_score
    from wijkreno.maps import render_html, render_png

    params = load_priority_params(priority_params)
    if "priority_score" in areas.columns:
        prio = priority_score(areas, weights=params)
        areas.attrs.update(prio.attrs)
    key = next((c for c in ("sector_code", "wijk_code", "nis_code") if c in areas.columns), None)
    areas.attrs["level_key"] = key
    written = []
    if png is not None:
        png.parent.mkdir(parents=True, exist_ok=True)
        render_png(areas, column, png, title=title, scheme=scheme, k=k,
                   points=None if no_points else dwellings)
        written.append(png)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        render_html(areas, html, dwellings=dwellings,
                    title=title or "Prioriteitenkaart renovatie", k=k)
        written.append(html)
    return written


def run_aggregate(ws: Workspace, options: AggregateOptions | None = None, *,
                  force: bool = False) -> StageResult:
    """Aggregate dwellings to sectors, wijken or the municipality and rank them for action.

    Tables: ``dwelling_results`` (the joined per-dwelling table), ``areas`` (one row per area,
    also GeoJSON and CSV), ``priority`` (the ranking) and ``priority_weights``; with
    ``options.maps`` the PNG and HTML maps in the level folder.
    """
    from wijkreno.aggregate.areas import LEVELS

    options = options or AggregateOptions()
    _existing(options.priority_params, "priority parameter")
    _existing(options.sector_income, "sector income")
    level = options.level
    key = LEVELS[level]
    with_uncertainty = ws.exists("uncertainty", "areas")

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        from wijkreno.aggregate.areas import aggregate_dwellings, assign_areas
        from wijkreno.aggregate.priority import (
            load_priority_params,
            priority_explanation,
            priority_score,
        )

        table = load_dwelling_table(ws)
        polygons = read_areas(options.areas) if options.areas is not None else None
        if key == "wijk_code" and "wijk_code" not in table.columns:
            if polygons is None:
                raise InputError(
                    "--level wijk needs --areas with the wijk polygons (e.g. ggw7_wijken.gpkg) "
                    "to put each dwelling in its wijk.")
            table = assign_areas(table, polygons, "wijk_code")
        params = load_priority_params(options.priority_params)
        income = (_read_sector_income(options.sector_income)
                  if options.sector_income is not None else None)
        agg = aggregate_dwellings(table, by=key, areas=polygons, params=params,
                                  sector_income=income)
        prio = priority_score(agg, weights=params)
        frame = agg.join(prio)
        if with_uncertainty:
            frame = _join_uncertainty(frame, ws.read("uncertainty", "areas"), key,
                                      ws.path("uncertainty", "areas"))
        explanation = priority_explanation(params)
        explanation["weight_used_frac"] = explanation["name"].map(prio.attrs["priority_weights"])
        dwelling_results = io_tables.categoricals_as_text(table, dtype="object")
        metadata = {"level": level, "key": key,
                    "n_unassigned": int(agg.attrs.get("n_unassigned", 0) or 0),
                    "priority_skipped": list(prio.attrs.get("priority_skipped") or [])}
        return {"dwelling_results": dwelling_results, "areas": frame,
                "priority": ranking(frame, key), "priority_weights": explanation}, metadata

    def documents() -> list[Path]:
        if options.maps == "none":
            return []
        # drawn from the files just written: what a user opening them sees
        areas = ws.read("aggregate", "areas", level=level)
        points = ws.read("aggregate", "dwelling_results")
        return draw_maps(
            areas, dwellings=points, title=options.map_title,
            png=ws.path("aggregate", "map_png", level=level)
            if options.maps in ("png", "both") else None,
            html=ws.path("aggregate", "map_html", level=level)
            if options.maps in ("html", "both") else None,
            priority_params=options.priority_params)

    inputs = {**_upstream(ws, dwellings_stage(ws), "dwellings"),
              **_upstream(ws, "simulate", "results")}
    if ws.exists("trajectories", "summary"):
        inputs.update(_upstream(ws, "trajectories", "summary"))
    if ws.exists("groups", "members"):
        inputs.update(_upstream(ws, "groups", "members"))
    if with_uncertainty:
        inputs.update(_upstream(ws, "uncertainty", "areas"))
    return _run_stage(ws, "aggregate", options, inputs=inputs,
                      overrides={"areas": options.areas,
                                 "priority_params": options.priority_params,
                                 "sector_income": options.sector_income},
                      compute=compute, force=force, fields={"level": level},
                      documents=documents)


# -- indicators ------------------------------------------------------------------------------
class IndicatorOptions(_Options):
    """Options of ``indicators``: the municipality, its counts, the register, the goals."""

    nis_code: str
    inhabitants: int = Field(ge=0)
    register_url: str | None = None
    households: int | None = Field(None, ge=0)
    statbel_households: Path | None = None
    refnis: Path | None = None
    housing_units: int | None = Field(None, ge=0)
    statbel: Path | None = None
    pact: str = "2.1"
    as_of: dt.date | None = None
    scenario: str | None = None
    counting_rule: str | None = None
    goals: Path | None = None
    name: str | None = None


def read_municipal_dwellings(ws: Workspace, nis: str) -> pd.DataFrame:
    """The twin's dwellings of municipality ``nis`` (validated)."""
    if not ws.exists("twin", "dwellings"):
        raise InputError(f"{ws.path('twin', 'dwellings')} does not exist; give a twin folder "
                         "written by 'wijkreno twin' or 'wijkreno demo' (its twin/ subfolder).")
    dwellings = ws.read("twin", "dwellings")
    if "nis_code" in dwellings.columns:
        dwellings = dwellings[dwellings["nis_code"].astype(str) == nis]
    if dwellings.empty:
        raise InputError(f"the twin {ws.folder('twin')} holds no dwellings of NIS {nis}; give "
                         "the twin of that municipality.")
    return dwellings


def run_indicators(ws: Workspace, options: IndicatorOptions, *,
                   force: bool = False) -> StageResult:
    """LEKP targets and indicators over time for one municipality.

    Reads the register (so it always runs), the Statbel tables and, when the workspace has a
    twin, its dwellings (CO2 and energy saved, campaign projection). Tables: ``targets``,
    ``indicators``, ``municipality`` and, when computed, ``projection`` and
    ``savings_unmatched``.
    """
    nis = options.nis_code.strip().zfill(5)
    if (options.households is None) == (options.statbel_households is None):
        raise InputError("give exactly one of --households and --statbel-households.")
    if (options.housing_units is None) == (options.statbel is None):
        raise InputError("give exactly one of --housing-units and --statbel.")
    with_twin = ws.has_folder("twin")
    if options.scenario is not None and not with_twin:
        raise InputError("--scenario needs --twin (the campaign is simulated on the twin).")
    report_date = options.as_of or dt.date.today()

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        from wijkreno.indicators import (
            campaign_projection,
            compute_indicators,
            load_goals,
            municipality_targets,
        )
        from wijkreno.io.municipal import housing_units_from_gebouwenpark, read_households
        from wijkreno.io.statbel import read_gebouwenpark
        from wijkreno.register import open_register

        goals = load_goals(options.goals)
        households = options.households
        if households is None:
            assert options.statbel_households is not None
            households = read_households(options.statbel_households, nis, refnis=options.refnis)
        housing_units = options.housing_units
        if housing_units is None:
            assert options.statbel is not None
            housing_units = housing_units_from_gebouwenpark(
                read_gebouwenpark(options.statbel, nis), nis)
        targets = municipality_targets(nis_code=nis, inhabitants=options.inhabitants,
                                       households=households, housing_units=housing_units,
                                       pact=options.pact, goals=goals)
        dwellings = read_municipal_dwellings(ws, nis) if with_twin else None
        projection = None
        if options.scenario is not None:
            from wijkreno.scenario.model import load_scenario

            assert dwellings is not None
            projection = campaign_projection(dwellings, load_scenario(options.scenario),
                                             counting_rule=options.counting_rule, goals=goals)
        register = open_register(options.register_url, create=False)
        table = compute_indicators(register, targets, nis_code=nis, as_of=report_date,
                                   dwellings=dwellings, projection=projection,
                                   counting_rule=options.counting_rule, goals=goals)
        meta = {"nis_code": nis, "name": options.name or nis,
                "inhabitants": int(options.inhabitants), "households": int(households),
                "housing_units": int(housing_units), "pact": options.pact,
                "as_of": report_date.isoformat()}
        tables: dict[str, Any] = {"targets": targets, "indicators": table, "municipality": meta}
        if projection is not None:
            tables["projection"] = projection
        if dwellings is not None:
            from wijkreno.indicators import expand_buildings, realised_savings

            ren = register.renovations(nis)
            if not ren.empty:
                # a building's row (VME works) counts for each unit, as in the indicators
                tables["savings_unmatched"] = realised_savings(
                    expand_buildings(ren, dwellings), dwellings).unmatched
        return tables, {"nis_code": nis, "as_of": report_date.isoformat()}

    inputs = {**_upstream(ws, "twin", "dwellings"),
              "statbel_households": options.statbel_households, "refnis": options.refnis,
              "statbel": options.statbel}
    return _run_stage(ws, "indicators", options, inputs=inputs,
                      overrides={"goals": options.goals}, compute=compute, force=force,
                      always_run="reads the register (a database, not a file)")


# -- reports ---------------------------------------------------------------------------------
class ReportOptions(_Options):
    """Options of the LEKP report (``reports`` stage)."""

    register_url: str | None = None
    year: int | None = None
    nis_code: str | None = None
    name: str | None = None


def run_reports(ws: Workspace, options: ReportOptions | None = None, *,
                force: bool = False) -> StageResult:
    """The yearly LEKP progress report (HTML + PDF) from the ``indicators`` stage and the
    register's renovations; the twin (when the workspace has one) adds the map.

    The report files are documents in the stage folder; the result's metadata lists them
    (``html``, ``pdf``).
    """
    options = options or ReportOptions()
    paths: dict[str, Any] = {}

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        from wijkreno.register import open_register
        from wijkreno.reports import render_lekp_report

        indicators = ws.read("indicators", "indicators")
        targets = ws.read("indicators", "targets")
        municipality = (dict(ws.read("indicators", "municipality"))
                        if ws.exists("indicators", "municipality") else {})
        if options.nis_code:
            municipality["nis_code"] = options.nis_code
        if options.name:
            municipality["name"] = options.name
        if not municipality.get("nis_code"):
            raise InputError(f"no NIS code: give --nis-code or write "
                             f"{ws.path('indicators', 'municipality')} (wijkreno indicators "
                             "does).")
        municipality.setdefault("name", municipality["nis_code"])
        year = options.year or dt.date.today().year - 1
        reg = open_register(options.register_url, create=False)
        renovations = reg.renovations(str(municipality["nis_code"]))
        dwellings = None
        sources = list(municipality.get("sources", []))
        if ws.has_folder("twin"):
            twin_path = ws.path("twin", "dwellings")
            dwellings = ws.read("twin", "dwellings")
            # the source's name and address, never the folder it lies in on this machine
            sources.append({"name": "Digitale tweeling wijkreno: Gebouwenregister en "
                                    "Adressenregister (Digitaal Vlaanderen), Statbel-sectoren",
                            "url": "https://basisregisters.vlaanderen.be",
                            "date": dt.date.fromtimestamp(twin_path.stat().st_mtime).isoformat(),
                            "licence": "afgeleid van open data (Digitaal Vlaanderen, Statbel)"})
        last = pd.to_datetime(renovations.get("completed_on"), errors="coerce")
        sources.append({"name": "Gemeentelijk renovatieregister (wijkreno)",
                        "date": (last.max().date().isoformat() if last is not None and len(last)
                                 and pd.notna(last.max()) else "–"),
                        "licence": "gemeentelijke gegevens"})
        for goal_source in sorted(set(targets["source"].dropna().astype(str))):
            # "<source> (YYYY-MM-DD)": the report takes the date and the web address from it
            sources.append({"name": f"Doelstelling: {goal_source}", "date": "–",
                            "licence": "–"})
        from wijkreno.indicators.checklist import register_checklist
        from wijkreno.register import REGISTER_KINDS

        nis = str(municipality["nis_code"])
        checklist = register_checklist({kind: reg.read(kind, nis) for kind in REGISTER_KINDS},
                                       targets, indicators, year=year)
        paths.update(render_lekp_report(
            municipality=municipality, targets=targets, indicators=indicators,
            renovations=renovations, dwellings=dwellings, sources=sources, year=year,
            out_dir=ws.folder("reports"), checklist=checklist))
        return {}, {"html": str(paths["html"]), "pdf": str(paths["pdf"]), "year": year}

    def documents() -> list[Path]:
        return [Path(paths["html"]), Path(paths["pdf"]), *map(Path, paths.get("charts", []))]

    inputs = {**_upstream(ws, "indicators", "indicators", "targets", "municipality"),
              **_upstream(ws, "twin", "dwellings")}
    return _run_stage(ws, "reports", options, inputs=inputs, overrides={}, compute=compute,
                      force=force, always_run="reads the register (a database, not a file)",
                      documents=documents)


class SheetOptions(_Options):
    """Options of the klimaattafel sheets: which dwellings."""

    street: str | None = None
    addresses: Path | None = None


def run_sheets(ws: Workspace, options: SheetOptions | None = None, *,
               force: bool = False) -> StageResult:
    """Klimaattafel sheets: one printable page per dwelling of the selection that has a
    trajectory, written to the ``reports`` folder (metadata: ``html``, ``pdf``, ``n_sheets``).
    """
    from wijkreno.reports import render_address_sheets

    options = options or SheetOptions()
    paths: dict[str, Any] = {}

    stage = dwellings_stage(ws)
    with_groups = ws.exists("groups", "members") and ws.exists("groups", "groups")
    with_conflicts = ws.exists("trajectories", "register_conflicts")

    def compute() -> tuple[dict[str, Any], dict[str, Any]]:
        dwellings = ws.read(stage, "dwellings")
        for table in ("steps", "summary"):
            if not ws.exists("trajectories", table):
                raise InputError(f"{ws.path('trajectories', table)} does not exist; run "
                                 "'wijkreno trajectories' first.")
        steps = ws.read("trajectories", "steps")
        summary = ws.read("trajectories", "summary")
        keep = np.ones(len(dwellings), dtype=bool)
        if options.street:
            keep &= select_streets(dwellings, [options.street])
        if options.addresses is not None:
            keep &= select_addresses(dwellings, options.addresses)
        # only dwellings that have a trajectory (the trajectories may cover a selection)
        keep &= dwellings["dwelling_id"].astype(str).isin(
            set(summary["dwelling_id"].astype(str))).to_numpy()
        selected = dwellings.loc[keep]
        if selected.empty:
            raise InputError("no dwelling of the selection has a trajectory; check --street, "
                             "--addresses and the --trajectories folder.")
        paths.update(render_address_sheets(
            selected, steps, summary, ws.folder("reports"),
            bundle_name=options.street or "Klimaattafel",
            members=pd.DataFrame(ws.read("groups", "members")) if with_groups else None,
            groups=pd.DataFrame(ws.read("groups", "groups")) if with_groups else None,
            conflicts=(ws.read("trajectories", "register_conflicts") if with_conflicts
                       else None)))
        return {}, {"html": str(paths["html"]), "pdf": str(paths["pdf"]),
                    "n_sheets": int(len(selected))}

    def documents() -> list[Path]:
        return [Path(paths["html"]), Path(paths["pdf"])]

    inputs = {**_upstream(ws, stage, "dwellings"),
              **_upstream(ws, "trajectories", "steps", "summary"),
              "addresses": options.addresses}
    if with_groups:
        inputs.update(_upstream(ws, "groups", "members", "groups"))
    if with_conflicts:
        inputs.update(_upstream(ws, "trajectories", "register_conflicts"))
    return _run_stage(ws, "reports", options, inputs=inputs, overrides={}, compute=compute,
                      force=force, documents=documents)
