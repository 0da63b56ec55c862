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


_SUMMED = ("energy_cost_eur", "co2_flemish_kg_co2", "co2_com_kg_co2", "final_energy_kwh")


def municipality_tables(
    gebouwenpark: pd.DataFrame,
    connections: pd.DataFrame,
    nis_code: str,
    *,
    seed: int = 0,
    basis: str = "expected",
    keep_dwellings: bool = False,
) -> dict[str, Any]:
    """One partition: build, simulate and aggregate one municipality (frames in, frames out).

    Returns a dict with ``sectors`` and ``municipalities`` (aggregates without the priority
    score, which ranks across all partitions), ``dwellings`` (or None), ``n_dwellings``,
    ``seconds_build``, ``seconds_simulate``, ``gas_standardised_kwh``,
    ``gas_expected_kwh``, ``n_gas_dwellings``, ``n_invalid`` and ``bases`` (the bases used).
    """
    from wijkreno.aggregate.areas import aggregate_dwellings
    from wijkreno.simulate.basis import accounts_on_basis
    from wijkreno.simulate.expected import CARRIERS, expected_use
    from wijkreno.simulate.stock import simulate_stock
    from wijkreno.twin.statistical import build_statistical_stock

    t0 = time.perf_counter()
    stock = build_statistical_stock(gebouwenpark, connections, [nis_code], seed=seed)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = simulate_stock(stock)
    t_sim = time.perf_counter() - t0
    results = pd.concat([results, expected_use(results)], axis=1)
    acc = accounts_on_basis(results, basis)
    for col in _SUMMED:
        results[f"{basis}_{col}"] = acc[col].to_numpy()
    extra = [c for c in (*(f"expected_final_{c}_kwh" for c in CARRIERS),
                         *(f"{basis}_{c}" for c in _SUMMED)) if c in results.columns]
    out: dict[str, Any] = {}
    for key, by in (("sectors", "sector_code"), ("municipalities", "nis_code")):
        table = results.copy()
        table[by] = table[by].astype("string")
        agg = pd.DataFrame(aggregate_dwellings(table, by=by)).drop(columns="geometry",
                                                                    errors="ignore")
        sums = table.groupby(by, dropna=False, sort=True)[extra].sum().reset_index()
        out[key] = agg.merge(sums, on=by, how="left")
    out["dwellings"] = (pd.concat(
        [stock[["dwelling_id", "statbel_type", "footprint_class", "construction_year"]],
         results.drop(columns=["dwelling_id"], errors="ignore")], axis=1)
        if keep_dwellings else None)
    gas = results.loc[results["valid"] & (results["final_gas_kwh"] > 0)]
    out.update({
        "n_dwellings": int(len(stock)),
        "seconds_build": t_build,
        "seconds_simulate": t_sim,
        "gas_standardised_kwh": float(gas["final_gas_kwh"].sum()),
        "gas_expected_kwh": float(gas["expected_final_gas_kwh"].sum()),
        "n_gas_dwellings": int(len(gas)),
        "n_invalid": int((~results["valid"]).sum()),
        "bases": sorted(set(acc["basis"].astype(str))),
    })
    return out


def stock_tables(
    gebouwenpark: pd.DataFrame,
    connections: pd.DataFrame,
    *,
    nis_codes: list[str] | None = None,
    seed: int = 0,
    basis: str = "auto",
    keep_dwellings: bool = False,
    client: Any = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Build, simulate and aggregate the statistical stock, one partition per municipality.

    Partitions run in this process, or on a Dask ``client`` (``distributed.Client``; see
    :func:`wijkreno.pipeline.distributed.dask_client`). Money and CO2 per area are given on the
    standardised basis (the engine's columns) and on expected real use
    (``expected_energy_cost_eur``, ``expected_co2_flemish_kg_co2``, ...; no calibration is
    applied here, so ``auto`` is ``expected``); labels, scores and the priority score are
    standardised. ``basis_nl`` and ``basis_epc_nl`` name the bases in Dutch on every row.
    """
    from wijkreno.aggregate.priority import priority_score
    from wijkreno.simulate.basis import basis_summary_label
    from wijkreno.twin.statistical import stock_counts

    name = "expected" if basis == "auto" else basis
    if nis_codes is None:
        known = set(stock_counts(gebouwenpark).index.get_level_values("nis_code"))
        nis_codes = sorted(set(connections["nis_code"].astype(str)) & known)
    if not nis_codes:
        raise InputError("no municipality to build: the connections and the gebouwenpark share "
                         "no NIS code.")
    geb = {k: g for k, g in gebouwenpark.groupby("nis_code")}
    conn = {k: g for k, g in connections.groupby(connections["nis_code"].astype(str))}
    empty_conn = connections.iloc[:0]
    args = [(geb.get(n, gebouwenpark.iloc[:0]), conn.get(n, empty_conn), n) for n in nis_codes]
    kwargs = {"seed": seed, "basis": name, "keep_dwellings": keep_dwellings}
    if client is None:
        parts = [municipality_tables(g, c, n, **kwargs) for g, c, n in args]
    else:
        futures = [client.submit(municipality_tables, g, c, n, **kwargs, pure=False)
                   for g, c, n in args]
        parts = client.gather(futures)
    bases = sorted({b for p in parts for b in p["bases"]})
    out: dict[str, pd.DataFrame] = {}
    for key in ("sectors", "municipalities"):
        agg = pd.concat([p[key] for p in parts], ignore_index=True)
        agg[f"{name}_energy_cost_per_dwelling_eur"] = (
            agg[f"{name}_energy_cost_eur"] / agg["n_dwellings"].where(agg["n_dwellings"] > 0))
        agg = pd.concat([agg, priority_score(agg)], axis=1)
        agg["basis_epc_nl"] = "EPC-berekening (gestandaardiseerd)"
        agg["basis_nl"] = basis_summary_label(bases)
        out[key] = agg
    if keep_dwellings:
        out["dwellings"] = pd.concat([p["dwellings"] for p in parts], ignore_index=True)
    n_gas = sum(p["n_gas_dwellings"] for p in parts)
    summary = {
        "dwellings": int(sum(p["n_dwellings"] for p in parts)),
        "municipalities": len(parts),
        "sectors": int(out["sectors"]["sector_code"].notna().sum()),
        "seed": int(seed),
        "basis": name,
        "basis_nl": basis_summary_label(bases),
        "partitions_on": "dask" if client is not None else "this process",
        "seconds_build": round(sum(p["seconds_build"] for p in parts), 2),
        "seconds_simulate": round(sum(p["seconds_simulate"] for p in parts), 2),
        "mean_standardised_gas_kwh_per_gas_dwelling":
            sum(p["gas_standardised_kwh"] for p in parts) / n_gas if n_gas else None,
        "mean_expected_gas_kwh_per_gas_dwelling":
            sum(p["gas_expected_kwh"] for p in parts) / n_gas if n_gas else None,
        "n_invalid": int(sum(p["n_invalid"] for p in parts)),
    }
    return out, summary


def _municipality_map(municipalities: pd.DataFrame, wijken: Path, hierarchy: Path,
                      out: Path) -> Path:
    """PNG of the priority score per municipality (wijk polygons dissolved per municipality)."""
    import geopandas as gpd

    from wijkreno.aggregate.areas import municipality_polygons
    from wijkreno.io.statbel import read_sector_hierarchy, read_sectors
    from wijkreno.maps.static_map import render_png

    h = read_sector_hierarchy(hierarchy)[["wijk_code", "nis_code"]].dropna()
    shapes = municipality_polygons(read_sectors(wijken), h.set_index("wijk_code")["nis_code"])
    frame = gpd.GeoDataFrame(
        shapes[["geometry"]].reset_index().merge(
            municipalities.astype({"nis_code": str}), on="nis_code", how="inner"),
        geometry="geometry", crs=shapes.crs)
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
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Gemeenten op een Dask LocalCluster met zoveel processen.")
    ] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Gemeenten op een bestaande Dask-cluster: tcp://HOST:PORT.")
    ] = None,
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
    if basis == "calibrated":
        raise InputError("--basis calibrated: the statistical stock applies no calibration; "
                         "use 'wijkreno validate meters' for the calibrated basis, or choose "
                         "auto, expected or standardised.")
    if workers is None and scheduler is None:
        tables, summary = stock_tables(geb, conn, nis_codes=codes, seed=seed, basis=basis,
                                       keep_dwellings=dwellings)
    else:
        from wijkreno.pipeline.distributed import dask_client

        with dask_client(workers=workers, scheduler=scheduler) as client:
            tables, summary = stock_tables(geb, conn, nis_codes=codes, seed=seed, basis=basis,
                                           keep_dwellings=dwellings, client=client)
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
