"""Which model reads which parameter file, and every value of them all in one table.

:data:`PARAMETER_FILES` names each TOML file under ``wijkreno/params/`` with its model and its
loader; :data:`TABLE_FILES` names the tabular (CSV) files and what reads them. A new parameter
file needs an entry here (a test fails otherwise), so ``wijkreno params list`` always shows
every value.

:func:`list_parameters` returns one row per value: the file, the key path, the value, its unit,
source and date, and whether it is a placeholder waiting for a better Flemish figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from wijkreno.errors import InputError
from wijkreno.params.models.bestest import BestestSpec, load_bestest_spec
from wijkreno.params.models.collective import CollectiveParams, load_collective_params
from wijkreno.params.models.energy_systems import SystemParams, load_system_params
from wijkreno.params.models.expected_use import ExpectedUseParams, load_expected_use_params
from wijkreno.params.models.geometry import GeometryParams, load_geometry_params
from wijkreno.params.models.heat_balance import (
    ClimateParams,
    HeatBalanceParams,
    load_climate_params,
    load_heat_balance_params,
)
from wijkreno.params.models.heat_pump_hourly import (
    HeatPumpHourlyParams,
    load_heat_pump_hourly_params,
)
from wijkreno.params.models.heights import HeightParams, load_height_params
from wijkreno.params.models.hourly import HourlyParams, load_hourly_params
from wijkreno.params.models.lekp_goals import Goals, load_goals
from wijkreno.params.models.price_sets import PriceSets, load_price_sets
from wijkreno.params.models.priority import PriorityParams, load_priority_params
from wijkreno.params.models.register_vocabulary import Vocabulary, load_vocabulary
from wijkreno.params.models.renovation import (
    MUNICIPAL_EXAMPLE_FILE,
    Catalogue,
    MunicipalPremiums,
    Premiums,
    RenovationParams,
    load_catalogue,
    load_municipal_premiums,
    load_premiums,
    load_renovation_params,
)
from wijkreno.params.models.scenario import Scenario, load_scenario
from wijkreno.params.models.statistical_stock import (
    StatisticalStockParams,
    load_statistical_stock_params,
)
from wijkreno.params.models.twin import TwinParams, load_twin_params
from wijkreno.params.models.uncertainty import UncertaintyParams, load_uncertainty_params
from wijkreno.params.reader import PARAMS_DIR, read_toml

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ParameterFile:
    """One parameter file: where it lives, which models validate it and how to load it.

    Attributes
    ----------
    file : str
        Path below ``wijkreno/params/`` (``energy_systems.toml``, ``scenarios/baseline.toml``).
    models : tuple of pydantic model classes
        The models that validate it (``heat_balance.toml`` has two sections, two models).
    load : callable
        ``load(path)`` validates the packaged file (``path=None``) or a user's file of the same
        layout and returns the model(s); cached.
    description : str
        What the file holds (English; the table shows it in the CLI).
    """

    file: str
    models: tuple[type[BaseModel], ...]
    load: Callable[[str | Path | None], Any]
    description: str


def _scenario_loader(name: str) -> Callable[[str | Path | None], Scenario]:
    return lambda path=None: load_scenario(name if path is None else path)


def _municipal_example(path: str | Path | None = None) -> MunicipalPremiums:
    return load_municipal_premiums(PARAMS_DIR / MUNICIPAL_EXAMPLE_FILE if path is None else path)


def _heat_balance(path: str | Path | None = None) -> tuple[HeatBalanceParams, ClimateParams]:
    return load_heat_balance_params(path), load_climate_params(path)


PARAMETER_FILES: dict[str, ParameterFile] = {
    "energy_systems": ParameterFile(
        "energy_systems.toml", (SystemParams,), load_system_params,
        "heating and hot-water systems, carrier factors, prices, EPC labels"),
    "measures": ParameterFile(
        "measures.toml", (Catalogue,), load_catalogue,
        "renovation measures: costs, lifetimes, effects"),
    "premiums": ParameterFile(
        "premiums.toml", (Premiums,), load_premiums,
        "Mijn VerbouwPremie per measure and income category, burenpremie"),
    "price_sets": ParameterFile(
        "price_sets.toml", (PriceSets,), load_price_sets,
        "dated price sets per year (energy prices, premium date) and the construction-cost "
        "index"),
    "municipal/template": ParameterFile(
        "municipal/template.toml", (MunicipalPremiums,), load_municipal_premiums,
        "municipal top-up premiums: the template a municipality fills in"),
    "municipal/example_gent_2020": ParameterFile(
        "municipal/example_gent_2020.toml", (MunicipalPremiums,), _municipal_example,
        "municipal top-up premiums: Ghent's 2020 premiums as an example"),
    "renovation": ParameterFile(
        "renovation.toml", (RenovationParams,), load_renovation_params,
        "renovation obligation, 2050 target, economics, applicability and override rules"),
    "collective": ParameterFile(
        "collective.toml", (CollectiveParams,), load_collective_params,
        "collective renovation groups, shared costs, volume discount, party walls"),
    "priority": ParameterFile(
        "priority.toml", (PriorityParams,), load_priority_params,
        "priority score components and energy-poverty proxies"),
    "twin": ParameterFile(
        "twin.toml", (TwinParams,), load_twin_params,
        "twin build assumptions and Statbel calibration counts"),
    "statistical_stock": ParameterFile(
        "statistical_stock.toml", (StatisticalStockParams,), load_statistical_stock_params,
        "geometry of the Flanders-wide statistical stock (Statbel type x period x footprint)"),
    "geometry": ParameterFile(
        "geometry.toml", (GeometryParams,), load_geometry_params,
        "adjacency search and main/annex rules"),
    "heat_balance": ParameterFile(
        "heat_balance.toml", (HeatBalanceParams, ClimateParams), _heat_balance,
        "monthly heat balance and climate derivation"),
    "heights": ParameterFile(
        "heights.toml", (HeightParams,), load_height_params,
        "building heights from DSM/DTM"),
    "hourly": ParameterFile(
        "hourly.toml", (HourlyParams,), load_hourly_params,
        "hourly 5R1C engine: network, opaque solar and sky radiation, glazing, schedules, "
        "thermal-capacity classes"),
    "bestest": ParameterFile(
        "bestest.toml", (BestestSpec,), load_bestest_spec,
        "ASHRAE 140 cases 600/900/600FF/900FF and the reference-program ranges"),
    "heat_pump_hourly": ParameterFile(
        "heat_pump_hourly.toml", (HeatPumpHourlyParams,), load_heat_pump_hourly_params,
        "heat pumps per hour: COP, heating curve, capacity, hot-water profile, diversity, "
        "residential baseline, synthetic weather"),
    "lekp_goals": ParameterFile(
        "lekp_goals.toml", (Goals,), load_goals,
        "LEKP goals per pact version and the counting rule"),
    "register_vocabulary": ParameterFile(
        "register_vocabulary.toml", (Vocabulary,), load_vocabulary,
        "register measures, wijkverbeteringscontract milestones, accepted dates"),
    "expected_use": ParameterFile(
        "expected_use.toml", (ExpectedUseParams,), load_expected_use_params,
        "expected real use: prebound/rebound relation, appliances, PV self-consumption, "
        "calibration to Fluvius meters"),
    "uncertainty": ParameterFile(
        "uncertainty.toml", (UncertaintyParams,), load_uncertainty_params,
        "what the Monte Carlo ensemble draws"),
    "scenarios/baseline": ParameterFile(
        "scenarios/baseline.toml", (Scenario,), _scenario_loader("baseline"),
        "scenario to 2050: current policy"),
    "scenarios/ambitious": ParameterFile(
        "scenarios/ambitious.toml", (Scenario,), _scenario_loader("ambitious"),
        "scenario to 2050: ambitious policy"),
}
"""Every TOML parameter file, by name (the file name without ``.toml``)."""

TABLE_FILES: dict[str, str] = {
    "archetypes_tabula_be.csv": "TABULA BE envelope per typology and period "
                                "(wijkreno.twin.params.load_archetypes; source per row)",
    "climate_uccle_monthly.csv": "monthly climate of Uccle "
                                 "(wijkreno.simulate.climate.load_climate; source in the header)",
}
"""Tabular parameter files (CSV, a source per row or in the header), not listed value by value."""

LIST_COLUMNS: tuple[str, ...] = (
    "file", "key", "value", "unit", "source", "date", "placeholder", "replace_with",
)
"""Columns of :func:`list_parameters`."""

_META = frozenset({"source", "date", "unit", "placeholder", "replace_with", "note",
                   "placeholder_keys"})
_TOP_LEVEL_SKIP = frozenset({"meta", "version", "date", "title", "description", "name"})


def packaged_files() -> list[str]:
    """Every parameter file under ``wijkreno/params/`` (TOML and CSV), relative paths."""
    return sorted(
        p.relative_to(PARAMS_DIR).as_posix()
        for p in PARAMS_DIR.rglob("*") if p.suffix in (".toml", ".csv")
    )


def _is_figure(x: Any) -> bool:
    if isinstance(x, bool | int | float | dt.date):
        return True
    return isinstance(x, list) and bool(x) and all(
        isinstance(v, bool | int | float) or (isinstance(v, list) and all(
            isinstance(w, int | float) for w in v)) for v in x
    )


def _rows(node: Any, path: str, ctx: Mapping[str, Any], out: list[dict[str, Any]],
          file: str) -> None:
    def row(key: str, value: Any, c: Mapping[str, Any], unit: str | None = None) -> None:
        name = key.rsplit(".", 1)[-1]
        flagged = bool(c.get("placeholder")) or name in c.get("placeholder_keys", ())
        out.append({
            "file": file, "key": key,
            "value": value if isinstance(value, bool | int | float) else str(value),
            "unit": c.get("unit", "") if unit is None else unit,
            "source": c.get("source", ""), "date": str(c.get("date") or ""),
            "placeholder": flagged,
            "replace_with": c.get("replace_with") or "",
        })

    if isinstance(node, dict):
        if "value" in node and "source" in node:  # one value with its source
            c = {**ctx, **{k: node[k] for k in _META if k in node}}
            row(path, node["value"], c, str(node.get("unit", "")))
            for k, v in node.items():  # e.g. a COP curve's supply temperatures
                if k not in _META and k != "value" and _is_figure(v):
                    row(f"{path}.{k}", v, c)
            return
        c = dict(ctx)
        if "source" in node:  # a group of values sharing one source
            c = {"source": node["source"], "date": node.get("date", ctx.get("date")),
                 "placeholder": bool(node.get("placeholder", False)),
                 "replace_with": node.get("replace_with"),
                 "placeholder_keys": tuple(node.get("placeholder_keys", ())),
                 "unit": node["unit"] if isinstance(node.get("unit"), str) else ""}
        for k, v in node.items():
            key = f"{path}.{k}" if path else str(k)
            if k in _META or str(k).endswith("_source") or (not path and k in _TOP_LEVEL_SKIP):
                continue
            if f"{k}_source" in node:  # a value with a sibling source key, whatever its type
                row(key, v, {**c, "source": node[f"{k}_source"]})
            elif isinstance(v, dict) or (isinstance(v, list) and v and all(
                    isinstance(x, dict) for x in v)):
                _rows(v, key, c, out, file)
            elif _is_figure(v):
                row(key, v, c)
    elif isinstance(node, list):
        for i, x in enumerate(node):
            _rows(x, f"{path}[{i}]", ctx, out, file)


def list_parameters(
    names: list[str] | None = None, *, placeholders_only: bool = False
) -> pd.DataFrame:
    """Every value of the packaged parameter files, one row each.

    Each file is validated by its model first (an invalid packaged file raises). Numbers, dates,
    flags and numeric lists are listed, and any value with its own ``<key>_source``; other text
    settings (labels, column names, aliases) are not.

    Parameters
    ----------
    names : list of str, optional
        Keys of :data:`PARAMETER_FILES` (``["energy_systems", "measures"]``); all when None.
    placeholders_only : bool
        Keep only the values marked as placeholders.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LIST_COLUMNS`; ``placeholder`` is True for a value that still waits for
        a published Flemish figure (``replace_with`` says which).

    Raises
    ------
    InputError
        When a name is not a parameter file.
    """
    import pandas as pd

    chosen = list(PARAMETER_FILES) if names is None else list(names)
    unknown = [n for n in chosen if n not in PARAMETER_FILES]
    if unknown:
        raise InputError(
            f"unknown parameter files {unknown}; choose from {list(PARAMETER_FILES)}."
        )
    rows: list[dict[str, Any]] = []
    for name in chosen:
        entry = PARAMETER_FILES[name]
        entry.load(None)  # validate through the model (cached)
        data, _ = read_toml(None, entry.file)
        _rows(data, "", {}, rows, entry.file)
    frame = pd.DataFrame(rows, columns=list(LIST_COLUMNS))
    frame["placeholder"] = frame["placeholder"].astype(bool)
    if placeholders_only:
        frame = frame[frame["placeholder"]].reset_index(drop=True)
    return frame
