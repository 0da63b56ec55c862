"""One table per dwelling with everything downstream stages aggregate: the shared contract.

:func:`assemble_dwelling_results` joins the twin's dwellings, the simulation results
(``wijkreno simulate``), optionally the trajectory summary (``wijkreno trajectories``) and the
collective-renovation groups (``wijkreno groups``) on ``dwelling_id``. Aggregation, maps,
scenarios and uncertainty read this table; every column keeps its unit suffix.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from wijkreno.errors import InputError

TWIN_COLUMNS: tuple[str, ...] = (
    "dwelling_id", "gebouw_id", "adres_id", "street", "house_number", "box_number", "nis_code",
    "sector_code", "typology", "construction_year", "construction_year_source", "tabula_period",
    "heated_floor_area_m2", "heating_system", "heating_system_source",
)
OPTIONAL_TWIN_COLUMNS: tuple[str, ...] = ("tenure", "income_category", "wijk_code", "wijk_name")
RESULT_COLUMNS: tuple[str, ...] = (
    "heating_need_kwh", "final_gas_kwh", "final_oil_kwh", "final_electricity_kwh",
    "final_wood_kwh", "primary_energy_kwh", "epc_score_kwh_per_m2", "epc_label",
    "energy_cost_eur", "co2_flemish_kg_co2", "co2_com_kg_co2", "valid",
)
PLAN_COLUMNS: dict[str, str] = {
    # trajectory summary column -> column here (prefix plan_: the chosen renovation package)
    "reached": "plan_reached",
    "target_label": "plan_target_label",
    "final_epc_score_kwh_per_m2": "plan_epc_score_kwh_per_m2",
    "final_epc_label": "plan_epc_label",
    "investment_eur": "plan_investment_eur",
    "premium_eur": "plan_premium_eur",
    "net_cost_eur": "plan_net_cost_eur",
    "saving_eur": "plan_saving_eur",
    "saving_kwh": "plan_saving_kwh",
    "saving_co2_flemish_kg_co2": "plan_saving_co2_flemish_kg_co2",
    "saving_co2_com_kg_co2": "plan_saving_co2_com_kg_co2",
    "npv_eur": "plan_npv_eur",
    "measures": "plan_measures",
}
GROUP_COLUMNS: tuple[str, ...] = ("group_id", "group_kind", "group_size")


def assemble_dwelling_results(
    dwellings: gpd.GeoDataFrame,
    results: pd.DataFrame,
    plan_summary: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Join twin, simulation, trajectory summary and groups per dwelling.

    Parameters
    ----------
    dwellings : GeoDataFrame
        The twin's dwellings (points, EPSG:31370).
    results : DataFrame
        Simulation results with ``dwelling_id`` (``wijkreno simulate``'s results.parquet).
    plan_summary : DataFrame, optional
        Trajectory summary with ``dwelling_id`` (``wijkreno trajectories``' summary.parquet).
    groups : DataFrame, optional
        Group membership with ``dwelling_id``, ``group_id``, ``group_kind``, ``group_size``.

    Returns
    -------
    GeoDataFrame
        One row per dwelling of ``dwellings`` (same order), with the columns of
        :data:`TWIN_COLUMNS`, :data:`RESULT_COLUMNS`, the ``plan_*`` columns and
        :data:`GROUP_COLUMNS` when given. Dwellings without a result keep NaN there.
    """
    missing = [c for c in TWIN_COLUMNS if c not in dwellings.columns]
    if missing:
        raise InputError(f"the dwellings table lacks {missing}; pass the twin's dwellings.")
    keep = [c for c in (*TWIN_COLUMNS, *OPTIONAL_TWIN_COLUMNS) if c in dwellings.columns]
    out = pd.DataFrame(dwellings[keep]).reset_index(drop=True)
    parts = [(results, {c: c for c in RESULT_COLUMNS}, "simulation results")]
    if plan_summary is not None:
        parts.append((plan_summary, PLAN_COLUMNS, "trajectory summary"))
    if groups is not None:
        parts.append((groups, {c: c for c in GROUP_COLUMNS}, "groups"))
    for frame, mapping, what in parts:
        if "dwelling_id" not in frame.columns:
            raise InputError(f"the {what} have no dwelling_id column to join on.")
        if frame["dwelling_id"].duplicated().any():
            raise InputError(f"the {what} have duplicate dwelling_id values.")
        cols = {k: v for k, v in mapping.items() if k in frame.columns}
        right = pd.DataFrame(frame[["dwelling_id", *cols]]).rename(columns=cols)
        out = out.merge(right, on="dwelling_id", how="left", validate="one_to_one")
    return gpd.GeoDataFrame(out, geometry=dwellings.geometry.to_numpy(), crs=dwellings.crs)
