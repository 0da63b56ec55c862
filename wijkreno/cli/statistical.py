"""``wijkreno twin statistical``: the Flanders-wide statistical stock, simulated, per sector."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from wijkreno.cli._common import handle_errors, out_console
from wijkreno.errors import InputError

OutOption = Annotated[Path, typer.Option("-o", "--out", help="Uitvoermap / output folder.")]


def stock_tables(
    gebouwenpark: pd.DataFrame,
    connections: pd.DataFrame,
    *,
    nis_codes: list[str] | None = None,
    seed: int = 0,
    basis: str = "auto",
    keep_dwellings: bool = False,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Build, simulate and aggregate the statistical stock (frames in, frames out).

    Money and CO2 per area are given on the standardised basis (the engine's columns) and on
    ``basis`` (``<basis>_energy_cost_eur``, ``<basis>_co2_flemish_kg_co2``, ...: expected real
    use, or calibrated where the results carry a calibration); the EPC labels and scores are
    standardised. ``basis_nl`` says the basis in Dutch on every row.
    """
    from wijkreno.aggregate.areas import aggregate_dwellings
    from wijkreno.aggregate.priority import priority_score
    from wijkreno.simulate.basis import accounts_on_basis, basis_summary_label
    from wijkreno.simulate.expected import CARRIERS, expected_use
    from wijkreno.simulate.stock import simulate_stock
    from wijkreno.twin.statistical import build_statistical_stock

    t0 = time.perf_counter()
    stock = build_statistical_stock(gebouwenpark, connections, nis_codes, seed=seed)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = simulate_stock(stock)
    t_sim = time.perf_counter() - t0
    results = pd.concat([results, expected_use(results)], axis=1)
    acc = accounts_on_basis(results, basis)
    used = acc["basis"].to_numpy(dtype=object)
    name = basis if basis != "auto" else ("calibrated" if (used == "calibrated").all()
                                          else "expected" if (used == "expected").all()
                                          else "auto")
    for col in ("energy_cost_eur", "co2_flemish_kg_co2", "co2_com_kg_co2", "final_energy_kwh"):
        results[f"{name}_{col}"] = acc[col].to_numpy()
    extra = [c for c in (*(f"expected_final_{c}_kwh" for c in CARRIERS),
                         *(f"{name}_{c}" for c in ("energy_cost_eur", "co2_flemish_kg_co2",
                                                   "co2_com_kg_co2", "final_energy_kwh")))
             if c in results.columns]
    out: dict[str, pd.DataFrame] = {}
    for key, by in (("sectors", "sector_code"), ("municipalities", "nis_code")):
        table = results.copy()
        table[by] = table[by].astype("string")
        agg = pd.DataFrame(aggregate_dwellings(table, by=by)).drop(columns="geometry",
                                                                    errors="ignore")
        sums = table.groupby(by, dropna=False, sort=True)[extra].sum().reset_index()
        agg = agg.merge(sums, on=by, how="left")
        agg[f"{name}_energy_cost_per_dwelling_eur"] = (
            agg[f"{name}_energy_cost_eur"] / agg["n_dwellings"].where(agg["n_dwellings"] > 0))
        agg = pd.concat([agg, priority_score(agg)], axis=1)
        agg["basis_epc_nl"] = "EPC-berekening (gestandaardiseerd)"
        agg["basis_nl"] = basis_summary_label(used)
        out[key] = agg
    if keep_dwellings:
        out["dwellings"] = pd.concat(
            [stock[["dwelling_id", "statbel_type", "footprint_class", "construction_year"]],
             results.drop(columns=["dwelling_id"], errors="ignore")], axis=1)
    gas = results.loc[results["valid"] & (results["final_gas_kwh"] > 0)]
    summary = {
        "dwellings": int(len(stock)),
        "municipalities": int(stock["nis_code"].nunique()),
        "sectors": int(stock["sector_code"].nunique()),
        "seed": int(seed),
        "basis": name,
        "basis_nl": basis_summary_label(used),
        "seconds_build": round(t_build, 2),
        "seconds_simulate": round(t_sim, 2),
        "mean_standardised_gas_kwh_per_gas_dwelling":
            float(gas["final_gas_kwh"].mean()) if len(gas) else None,
        "mean_expected_gas_kwh_per_gas_dwelling":
            float(gas["expected_final_gas_kwh"].mean()) if len(gas) else None,
        "n_invalid": int((~results["valid"]).sum()),
    }
    return out, summary


def _municipality_map(municipalities: pd.DataFrame, wijken: Path, hierarchy: Path,
                      out: Path) -> Path:
    """PNG of the priority score per municipality (wijk polygons dissolved per municipality)."""
    import geopandas as gpd

    from wijkreno.io.statbel import read_sector_hierarchy, read_sectors
    from wijkreno.maps.static_map import render_png

    polys = read_sectors(wijken)
    h = read_sector_hierarchy(hierarchy)[["wijk_code", "nis_code"]].drop_duplicates("wijk_code")
    polys = polys.merge(h, on="wijk_code", how="inner")
    shapes = polys.dissolve(by="nis_code")[["geometry"]].reset_index()
    frame = gpd.GeoDataFrame(
        shapes.merge(municipalities.astype({"nis_code": str}), on="nis_code", how="inner"),
        geometry="geometry", crs=polys.crs)
    path = out / "kaart_gemeenten_priority_score.png"
    render_png(frame, "priority_score", path, label_column=None,
               title="Prioriteit per gemeente (statistische woningvoorraad; EPC-berekening)")
    return path


@handle_errors
def statistical(
    statbel: Annotated[Path, typer.Option(
        "--statbel", help="Statbel gebouwenpark_2025_long.csv (alle gemeenten).")],
    fluvius: Annotated[Path, typer.Option(
        "--fluvius", help="Fluvius verbruik per sector "
        "(fluvius_verbruik_statsec2019_2018_2021.csv).")],
    hierarchy: Annotated[Path, typer.Option(
        "--hierarchy", help="statsec_hierarchy_2025.csv (sector → gemeente 2025).")],
    out: OutOption,
    year: Annotated[int, typer.Option(help="Jaar van de aansluitingen / connection year.")] = 2021,
    nis: Annotated[str, typer.Option(
        help="NIS-codes, komma-gescheiden (standaard: alle Vlaamse gemeenten).")] = "",
    seed: Annotated[int, typer.Option(help="Seed (per gemeente afgeleid).")] = 0,
    basis: Annotated[str, typer.Option(
        help="Basis van kosten en CO2: auto | expected | calibrated | standardised.")] = "auto",
    dwellings: Annotated[bool, typer.Option(
        "--dwellings/--no-dwellings", help="Ook de resultaten per woning wegschrijven.")] = False,
    wijken: Annotated[Path | None, typer.Option(
        "--wijken", help="ggw7_wijken.gpkg: kaart van de prioriteit per gemeente "
        "(wijken samengevoegd per gemeente via --hierarchy).")] = None,
) -> None:
    """Statistische woningvoorraad van Vlaanderen, gesimuleerd, per sector en gemeente.

    Flanders-wide statistical stock: Statbel type × period × footprint class per municipality,
    spread over the sectors by Fluvius' residential connections, simulated municipality by
    municipality; writes per_sector and per_gemeente (Parquet + CSV, with the priority score)
    and samenvatting.json.
    """
    from wijkreno.io.connections import read_residential_connections
    from wijkreno.io.statbel import read_gebouwenpark
    from wijkreno.io.stock_store import write_stock_outputs
    from wijkreno.simulate.basis import BASIS_CHOICES

    if basis not in BASIS_CHOICES:
        raise InputError(f"--basis {basis!r} is unknown; choose from {', '.join(BASIS_CHOICES)}.")
    t0 = time.perf_counter()
    geb = read_gebouwenpark(statbel)
    conn = read_residential_connections(fluvius, hierarchy, year=year)
    codes = [c.strip() for c in nis.split(",") if c.strip()] or None
    tables, summary = stock_tables(geb, conn, nis_codes=codes, seed=seed, basis=basis,
                                   keep_dwellings=dwellings)
    summary["year"] = year
    summary["seconds_total"] = round(time.perf_counter() - t0, 2)
    written = write_stock_outputs(out, tables, summary)
    if wijken is not None:
        written["map"] = _municipality_map(tables["municipalities"], wijken, hierarchy, out)
    sectors = tables["sectors"]
    top = sectors.sort_values("priority_rank").head(5)
    out_console.print(
        f"{summary['dwellings']:,} woningen in {summary['municipalities']} gemeenten, "
        f"{summary['sectors']:,} sectoren ({summary['seconds_total']:.0f} s). "
        f"Kosten en CO2: {summary['basis_nl']}; EPC-label: EPC-berekening (gestandaardiseerd).")
    out_console.print("Hoogste prioriteit / highest priority: " + ", ".join(
        f"{r.sector_code} ({r.priority_score:.2f})" for r in top.itertuples()
        if isinstance(r.sector_code, str) and np.isfinite(r.priority_score)))
    out_console.print(f"Geschreven / written: {', '.join(str(p) for p in written.values())}")
