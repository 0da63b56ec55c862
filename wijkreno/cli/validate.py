"""``wijkreno validate``: check the energy engine against published reference results."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from wijkreno.cli._common import handle_errors

logger = logging.getLogger(__name__)
console = Console()

app = typer.Typer(
    help="Check the energy engines against published reference results (TABULA BE, ASHRAE 140).",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    """Check the energy engines against published reference results (TABULA BE, ASHRAE 140)."""


@app.command("tabula")
@handle_errors
def tabula(
    data: Annotated[Path, typer.Option(
        "--data", "-d",
        help="Folder with the TABULA BE extract (tabula_be_episcope.csv, "
        "tabula_BE_refurbishment_variant_inputs.csv, "
        "tabula_BE_climate_and_boundary_conditions.csv).",
    )] = Path("../shared/data/tabula_be"),
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for tabula_check.csv and tabula_check.parquet."
    )] = Path("out"),
) -> None:
    """Reproduce TABULA's published heating need q_h_nd of the Belgian types.

    Runs every existing-state and refurbishment variant through the engine's heat-balance
    kernel in TABULA's heating-season mode, writes the computed terms next to the published
    ones and exits 1 when an existing-state variant deviates more than 2 %.
    """
    from wijkreno.errors import InputError
    from wijkreno.io.tabula import (
        read_tabula_conditions,
        read_tabula_refurbishment,
        read_tabula_typology,
    )
    from wijkreno.simulate.tabula import TOLERANCE_FRAC, validate_tabula

    if not data.is_dir():
        raise InputError(
            f"TABULA data folder {data} does not exist. Pass --data with the folder holding "
            "the TABULA BE extract (e.g. ../shared/data/tabula_be)."
        )
    table = validate_tabula(
        read_tabula_typology(data), read_tabula_refurbishment(data), read_tabula_conditions(data)
    )
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "tabula_check.csv"
    parquet_path = out / "tabula_check.parquet"
    table.to_csv(csv_path, index=False)
    table.to_parquet(parquet_path, index=False)

    existing = table[table["variant_kind"] == "existing"]
    dev = existing["q_h_nd_deviation_frac"].abs()
    worst = existing.loc[dev.idxmax()] if len(existing) else None
    summary = Table(title="TABULA BE check (q_h_nd, kWh/m2 per heating season)")
    summary.add_column("variants")
    summary.add_column("count", justify="right")
    summary.add_column("max |deviation|", justify="right")
    summary.add_row("existing state (published)", str(len(existing)),
                    f"{100 * dev.max():.4f} %" if len(existing) else "-")
    for kind in ("usual_refurbishment", "advanced_refurbishment"):
        n = int((table["variant_kind"] == kind).sum())
        if n:
            summary.add_row(kind.replace("_", " "), str(n), "not published")
    synthetic = table[table["variant_kind"] == "synthetic_average"]
    if len(synthetic):
        summary.add_row(
            "synthetic average (not checked)", str(len(synthetic)),
            f"{100 * synthetic['q_h_nd_deviation_frac'].abs().max():.1f} %",
        )
    console.print(summary)
    if worst is not None:
        console.print(
            f"largest deviation: {worst['variant_code']} computed "
            f"{worst['q_h_nd_kwh_per_m2']:.2f}, published "
            f"{worst['published_q_h_nd_kwh_per_m2']:.2f} kWh/m2"
        )
    console.print(f"wrote {csv_path} and {parquet_path}")
    failed = int((dev > TOLERANCE_FRAC).sum())
    if failed:
        console.print(f"[bold red]{failed} existing-state variants deviate more than "
                      f"{100 * TOLERANCE_FRAC:g} %[/]")
        raise typer.Exit(code=1)


@app.command("bestest")
@handle_errors
def bestest(
    data: Annotated[Path, typer.Option(
        "--data", "-d",
        help="Map met de ASHRAE 140-weerfile 725650TYCST.epw / folder holding the ASHRAE 140 "
        "weather file 725650TYCST.epw.",
    )] = Path("../shared/data/bestest"),
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Map voor / folder for bestest_check.csv and bestest_check.md."
    )] = Path("out"),
) -> None:
    """ASHRAE 140 cases 600, 900, 600FF, 900FF met de uurlijkse motor / with the hourly engine.

    Writes one row per case (annual heating and cooling, peaks with their hour, monthly
    loads, free-float temperatures) and a Markdown table comparing each figure with the
    published reference-program range (ASHRAE 140-2020 Annex B8, min-max, no tolerance):
    'in range: k of n' and, per figure outside, how far. Exits 1 when a figure lies outside
    its range without being a documented limitation of the method (bestest.toml
    [limitations], docs/hourly.md).
    """
    from wijkreno.errors import InputError
    from wijkreno.io.epw import read_epw
    from wijkreno.simulate.bestest import (
        bestest_markdown,
        in_range_headline,
        load_bestest_spec,
        range_check,
        run_bestest,
    )
    from wijkreno.simulate.hourly import hourly_climate_from_epw

    spec = load_bestest_spec()
    epw = data / spec["site"]["weather_file"]
    if not epw.is_file():
        raise InputError(
            f"ASHRAE 140 weather file {epw} does not exist. Pass --data with the folder holding "
            f"{spec['site']['weather_file']} (e.g. ../shared/data/bestest)."
        )
    climate = hourly_climate_from_epw(read_epw(epw))
    table = run_bestest(climate, spec=spec)
    check = range_check(table, spec)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "bestest_check.csv"
    md_path = out / "bestest_check.md"
    table.to_csv(csv_path, index=False)
    md = bestest_markdown(table, spec)
    md_path.write_text(
        "# ASHRAE 140 (2020) cases 600/900/600FF/900FF, wijkreno hourly 5R1C\n\n"
        f"Weather: {epw.name}. Ranges: ANSI/ASHRAE 140-2020 Annex B8 (six reference "
        "programs). See docs/bestest.md and docs/hourly.md.\n\n" + md,
        encoding="utf-8",
    )
    summary = Table(title="ASHRAE 140: wijkreno 5R1C tegenover de referentieprogramma's / "
                    "against the reference programs")
    for col in ("geval / case", "grootheid / quantity", "wijkreno", "min", "max",
                "in bereik / in range", "erbuiten / outside by"):
        summary.add_column(col)
    for _, r in check.iterrows():
        if r["in_range"]:
            far = ""
        elif r["outside_unit"] == "K":
            far = f"{r['outside']:+.2f} K"
        else:
            far = f"{100 * r['outside']:+.1f} %"
        summary.add_row(r["case"], r["quantity"], f"{r['value']:.3f}", f"{r['ref_min']:.3f}",
                        f"{r['ref_max']:.3f}", "ja / yes" if r["in_range"] else "nee / no", far)
    console.print(summary)
    headline = in_range_headline(check)
    console.print(f"[bold]binnen bereik / {headline}[/]")
    undocumented = check[~check["in_range"] & (check["known_limitation"] == "")]
    stale = check[check["in_range"] & (check["known_limitation"] != "")]
    for _, r in stale.iterrows():
        console.print(f"[yellow]{r['case']} {r['quantity']} ligt nu binnen bereik maar staat als "
                      "beperking in bestest.toml / is now in range but listed as a limitation "
                      "in bestest.toml[/]")
    console.print(f"Geschreven / wrote: {csv_path}, {md_path}")
    worse = check[~check["in_range"] & (check["outside"].abs() > check["known_max_outside"])]
    if len(undocumented) or len(worse):
        if len(undocumented):
            names = ", ".join(f"{r['case']} {r['quantity']}" for _, r in undocumented.iterrows())
            console.print(f"[bold red]buiten bereik zonder gedocumenteerde reden / outside the "
                          f"range without a documented reason: {names}[/]")
        for _, r in worse.iterrows():
            console.print(f"[bold red]{r['case']} {r['quantity']} ligt verder buiten bereik dan "
                          f"bestest.toml toelaat / lies further outside than its documented "
                          f"limitation ({r['outside']:+.3f} > {r['known_max_outside']})[/]")
        raise typer.Exit(code=1)


_SHARED = Path("../shared/data")


def _meters_dwellings(
    dwellings: Path | None, twin: Path | None, results: Path | None, stock: bool,
    genk: Path | None, nis_code: str | None, shared: Path, year: int,
) -> pd.DataFrame:
    """The per-dwelling table to compare: one of the four sources, joined with the results."""
    import geopandas as gpd

    from wijkreno.errors import InputError
    from wijkreno.simulate.engine import simulate_dwellings

    chosen = [x for x in (dwellings, twin, genk) if x is not None] + ([True] if stock else [])
    if len(chosen) != 1:
        raise InputError(
            "give exactly one of --dwellings FILE, --twin DIR (with --results), --genk DIR or "
            "--stock / geef precies één bron."
        )

    def with_results(frame: pd.DataFrame) -> pd.DataFrame:
        res = simulate_dwellings(frame)
        keep = [c for c in frame.columns if c not in res.columns and c != "geometry"]
        return pd.DataFrame(frame[keep]).join(res)

    if dwellings is not None:
        frame = pd.read_parquet(dwellings)
        if "epc_score_kwh_per_m2" not in frame:
            frame = with_results(frame)
    elif twin is not None:
        from wijkreno.pipeline import Workspace

        dw = pd.DataFrame(Workspace(folders={"twin": twin}).read(
            "twin", "dwellings", validate=False)).drop(columns="geometry", errors="ignore")
        if results is None:
            frame = with_results(dw)
        else:
            res = pd.DataFrame(gpd.read_parquet(results) if results.suffix == ".parquet"
                               else pd.read_csv(results)).drop(columns="geometry", errors="ignore")
            if "dwelling_id" not in res or "dwelling_id" not in dw:
                raise InputError(f"{results} and the twin need dwelling_id to be joined.")
            frame = dw.merge(res.drop(columns=[c for c in res.columns
                                               if c in dw.columns and c != "dwelling_id"]),
                             on="dwelling_id", how="inner")
    elif genk is not None:
        from wijkreno.io.genk import read_genk_teaser

        frame = with_results(read_genk_teaser(genk))
        frame["wijk_code"] = _genk_wijk_codes(frame, shared)
    else:
        from wijkreno.io.connections import read_residential_connections
        from wijkreno.io.statbel import read_gebouwenpark
        from wijkreno.twin.statistical import build_statistical_stock

        conn = read_residential_connections(
            shared / "fluvius_verbruik_statsec" / "fluvius_verbruik_statsec2019_2018_2021.csv",
            shared / "flanders_wijken_ggw7" / "statsec_hierarchy_2025.csv", year=year)
        stock_frame = build_statistical_stock(
            read_gebouwenpark(shared / "statbel_gebouwenpark_2025" / "gebouwenpark_2025_long.csv"),
            conn)
        frame = with_results(stock_frame)
    if nis_code is not None:
        frame["nis_code"] = nis_code
    if "nis_code" not in frame or frame["nis_code"].isna().all():
        raise InputError("the dwellings have no nis_code; pass --nis-code NIS5.")
    return frame


_DECOMPOSITION_ROWS: tuple[tuple[str, str, str], ...] = (
    ("gas_users_over_connections", "woningen op gas / gasaansluitingen", "-"),
    ("floor_area_m2", "verwarmde vloeroppervlakte per woning op gas", "m²"),
    ("epc_score_area_weighted", "EPC-score (gewogen naar oppervlakte)", "kWh/m²"),
    ("standardised_gas_net_kwh_per_m2", "gas per m², EPC-berekening (onderste verbrandingswaarde)",
     "kWh/m²"),
    ("gas_gross_over_net", "bovenste / onderste verbrandingswaarde", "-"),
    ("standardised_gas_gross_kwh_per_user", "gas per woning, EPC-berekening (bovenste)", "kWh"),
    ("prebound_ratio_use_weighted", "verwacht / EPC-berekening (prebound, gewogen)", "-"),
    ("expected_gas_kwh_per_user", "verwacht gas per woning", "kWh"),
    ("metered_gas_kwh_per_connection", "gemeten gas per aansluiting (Fluvius)", "kWh"),
    ("dhw_share_of_need", "aandeel sanitair warm water in de behoefte", "-"),
    ("apartment_share_of_gas_users", "aandeel appartementen onder woningen op gas", "-"),
    ("product_check", "product = verwacht niveau model/meter", "-"),
)
"""Rows of the level decomposition table: summary key, Dutch label, unit."""


def _decomposition_table(dec: dict) -> Table:
    """The expected level ratio split into factors (``level_decomposition`` of the summary)."""
    table = Table(title="Ontleding van het verwachte niveau / level decomposition "
                  "(woningen op gas, Vlaanderen)")
    table.add_column("factor")
    table.add_column("waarde / value", justify="right")
    table.add_column("eenheid / unit")
    for key, label, unit in _DECOMPOSITION_ROWS:
        v = dec.get(key)
        table.add_row(f"{label} ({key})", "-" if v is None else f"{v:,.3f}", unit)
    return table


GENK_NEIGHBOURHOOD_WIJK: dict[str, str] = {
    "Boxbergheide": "Boxbergheide",
    "OudWinterslag": "Oud-Winterslag",
    "ZwartbergSouth": "Zwartberg-Zuid",
    "ZwartbergNEast": "Zwartberg-Noord",
    "ZwartbergNWest": "Zwartberg-Noord",
}
"""Genk TEASER neighbourhood → ggw7 wijk name, only where the match is unambiguous.

Winterslag (Winterslag 1 or 2 en 4), WaterscheiGarden (Waterschei-Noord or -Zuid) and
TermienEast/West (Nieuw- or Oud-Termien) are left out until a source gives their sectors."""


def _genk_wijk_codes(frame: pd.DataFrame, shared: Path) -> pd.Series:
    """Genk's neighbourhood names → ggw7 wijk codes ('Boxbergheide' → '71016W02')."""
    import geopandas as gpd

    w = gpd.read_file(shared / "flanders_wijken_ggw7" / "ggw7_wijken.gpkg", ignore_geometry=True)
    w = w[w["geoitem"].astype(str).str.startswith("71016")]
    by_name = {str(n).rsplit(" (", 1)[0].strip(): str(c)
               for c, n in zip(w["geoitem"], w["naam"], strict=True)}
    codes = frame["neighbourhood"].astype(str).str.strip().map(GENK_NEIGHBOURHOOD_WIJK).map(by_name)
    if codes.isna().any():
        logger.warning("Genk: %d dwellings in neighbourhoods without a ggw7 wijk: %s",
                       int(codes.isna().sum()),
                       sorted(frame.loc[codes.isna(), "neighbourhood"].astype(str).unique()))
    return codes


def _sector_to_wijk(shared: Path) -> pd.Series:
    """2019 sector code → ggw7 wijk code (2019 → 2024 key, then the 2025 hierarchy).

    A 2024 code is looked up as a 2025 code: right outside the municipalities merged in 2025.
    """
    from wijkreno.io.fluvius import read_sector_key

    key = read_sector_key(shared / "fluvius_verbruik_statsec")
    h = pd.read_csv(shared / "flanders_wijken_ggw7" / "statsec_hierarchy_2025.csv", dtype=str)
    h = h.drop_duplicates("statsec").set_index("statsec")["ggw7"]
    return key.set_index("sector_code_2019")["sector_code_2024"].map(h).dropna()


def _scatter_png(muni: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from wijkreno.simulate.expected import BASES, BASIS_LABELS_NL

    fig, ax = plt.subplots(figsize=(7, 6))
    m = muni["metered_gas_kwh_per_connection"]
    for basis, colour in zip(BASES, ("#999999", "#1f77b4", "#d62728"), strict=True):
        col = f"{basis}_gas_kwh_per_user"
        if col not in muni:
            continue
        held = muni["held_out"].to_numpy()
        ax.scatter(m[~held], muni[col][~held], s=8, c=colour, alpha=0.25)
        ax.scatter(m[held], muni[col][held], s=14, c=colour, alpha=0.9,
                   label=f"{BASIS_LABELS_NL[basis]} (buiten steekproef)")
    lo = float(np.nanmin(m[m > 0])) * 0.5 if (m > 0).any() else 1e3
    hi = float(np.nanmax(m)) * 4 if (m > 0).any() else 1e5
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8, label="model = meter")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Fluvius: aardgas per residentiële aansluiting [kWh/jaar, bovenwaarde]")
    ax.set_ylabel("model: aardgas per woning met gas [kWh/jaar, bovenwaarde]")
    ax.set_title("Gemodelleerd versus gemeten aardgas per gemeente")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _map_png(muni: pd.DataFrame, polygons: Any, path: Path, basis: str) -> bool:
    from wijkreno.maps.static_map import render_png
    from wijkreno.simulate.expected import BASIS_LABELS_NL

    if polygons is None:
        logger.warning("no map: no municipality polygons")
        return False
    areas = polygons[polygons.index.isin(muni.index.astype(str))].copy()
    if areas.empty:
        return False
    col = f"aardgas model / meter ({BASIS_LABELS_NL[basis]})"
    areas[col] = (muni[f"{basis}_gas_kwh_per_user"] / muni["metered_gas_kwh_per_connection"]
                  ).reindex(areas.index)
    areas["area_name"] = ""
    render_png(areas.reset_index(), col, path, scheme="Quantiles", label_column=None,
               title=f"Aardgas model / meter per gemeente — {BASIS_LABELS_NL[basis]}",
               note=f"Verhouding gemodelleerd aardgas per woning op gas ({BASIS_LABELS_NL[basis]}) "
                    "/ gemeten aardgas per residentiële aansluiting (Fluvius); 1 = gelijk",
               sources="Bronnen: Fluvius (verbruiksgegevens per statistische sector), Statbel "
                       "(gebouwenpark), TABULA/VITO, Statistiek Vlaanderen (wijken); "
                       "berekening wijkreno")
    return True


def _municipality_polygons(shared: Path) -> Any:
    """The ggw7 wijken dissolved per municipality (None when the folder lacks them)."""
    from wijkreno.aggregate.areas import municipality_polygons
    from wijkreno.io.statbel import read_sector_hierarchy, read_sectors

    folder = shared / "flanders_wijken_ggw7"
    wijken, hierarchy = folder / "ggw7_wijken.gpkg", folder / "statsec_hierarchy_2025.csv"
    if not (wijken.exists() and hierarchy.exists()):
        logger.warning("no municipality polygons: %s lacks the wijken or the hierarchy", folder)
        return None
    h = read_sector_hierarchy(hierarchy)[["wijk_code", "nis_code"]].dropna()
    return municipality_polygons(read_sectors(wijken), h.set_index("wijk_code")["nis_code"])


@app.command("meters")
@handle_errors
def meters(
    dwellings: Annotated[Path | None, typer.Option(
        "--dwellings", help="Parquet with one row per dwelling (nis_code, sector_code, the "
        "engine's results or the inputs to simulate).")] = None,
    twin: Annotated[Path | None, typer.Option(
        "--twin", help="Twin folder (dwellings.parquet of `wijkreno twin build`).")] = None,
    results: Annotated[Path | None, typer.Option(
        "--results", help="results.parquet of `wijkreno simulate` for --twin (simulated "
        "here when absent).")] = None,
    genk: Annotated[Path | None, typer.Option(
        "--genk", help="Folder with the Genk TEASER set (genk_teaser_buildings).")] = None,
    stock: Annotated[bool, typer.Option(
        "--stock", help="Build and simulate the Flanders-wide statistical stock.")] = False,
    nis_code: Annotated[str | None, typer.Option(
        "--nis-code", help="Municipality (NIS5) of every dwelling, when the table has none.")
    ] = None,
    calibration: Annotated[Path | None, typer.Option(
        "--calibration", help="Apply this calibration file instead of fitting one.")] = None,
    shared: Annotated[Path, typer.Option(
        "--data", "-d", help="Folder with fluvius_verbruik_statsec, flanders_wijken_ggw7, "
        "statbel_gebouwenpark_2025.")] = _SHARED,
    year: Annotated[list[int] | None, typer.Option(
        "--year", help="Fluvius consumption year(s), 2018-2021 (repeat for a mean).")] = None,
    cross_validate: Annotated[bool, typer.Option(
        "--cross-validate", help="Also compare the calibration's feature sets by a "
        "cross-validation grouped by municipality over the training municipalities only "
        "(expected_use.toml [calibration] cv_folds; the protocol behind the default "
        "features).")] = False,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
) -> None:
    """Modelled gas and electricity next to Fluvius' meters, per municipality and sector.

    Writes meters_municipality.csv, meters_sector.csv, meters_scatter.png, meters_map.png,
    calibration_fluvius.json (when fitted) and meters_summary.json; prints the figures with
    their baselines and, as its last line, one JSON object. Error figures are out-of-sample:
    municipalities held out of the calibration fit only.
    """
    from wijkreno.aggregate.calibration import Calibration
    from wijkreno.aggregate.meters import compare_with_meters
    from wijkreno.errors import InputError
    from wijkreno.io.fluvius import read_calibration, read_fluvius_sectors, write_calibration
    from wijkreno.simulate.expected import BASIS_LABELS_NL

    years = tuple(year or [2021])
    if not all(2018 <= y <= 2021 for y in years):
        raise InputError(f"--year must lie in 2018-2021 (Fluvius' table), got {list(years)}.")
    fluvius = read_fluvius_sectors(shared / "fluvius_verbruik_statsec", years=years)
    frame = _meters_dwellings(dwellings, twin, results, stock, genk, nis_code, shared, years[-1])
    cals = None
    if calibration is not None:
        doc = read_calibration(calibration)
        cals = [Calibration.from_dict(c) for c in doc.get("carriers", {}).values()]
    levels = ({"wijk": ("wijk_code", _sector_to_wijk(shared))}
              if "wijk_code" in frame else None)
    polygons = _municipality_polygons(shared)
    cmp = compare_with_meters(frame, fluvius, calibrations=cals, years=years,
                              extra_levels=levels, municipalities=polygons,
                              cross_validate=cross_validate)
    out.mkdir(parents=True, exist_ok=True)
    cmp.municipalities.to_csv(out / "meters_municipality.csv", index_label="nis_code_area")
    cmp.sectors.to_csv(out / "meters_sector.csv", index_label="sector_code_area")
    for name, table in cmp.extra.items():
        table.to_csv(out / f"meters_{name}.csv", index_label=f"{name}_area")
    labels = pd.DataFrame(
        [(c, BASIS_LABELS_NL[b]) for c in cmp.municipalities.columns for b in BASIS_LABELS_NL
         if c.startswith(f"{b}_")]
        + [(c, "gemeten (Fluvius)") for c in cmp.municipalities.columns
           if c.startswith("metered_")],
        columns=["column", "basis"])
    labels.to_csv(out / "meters_columns.csv", index=False)
    if cmp.calibrations and cals is None:
        write_calibration({"years": list(years), "carriers": {
            c.carrier: c.to_dict() for c in cmp.calibrations}}, out / "calibration_fluvius.json")
    _scatter_png(cmp.municipalities, out / "meters_scatter.png")
    basis = "calibrated" if cmp.calibrations else "expected"
    _map_png(cmp.municipalities, polygons, out / "meters_map.png", basis)
    s = cmp.summary
    (out / "meters_summary.json").write_text(json.dumps(s, indent=2), encoding="utf-8")

    table = Table(title=f"Aardgas: model tegenover Fluvius-meters ({', '.join(map(str, years))})")
    table.add_column("figuur / figure")
    for b in ("baseline", "standardised", "expected", "calibrated"):
        table.add_column("constante mediaan / constant" if b == "baseline" else BASIS_LABELS_NL[b],
                         justify="right")
    for label, key in (("mediane fout per gemeente (buiten steekproef)", "{b}_mae_municipality"),
                       ("mediane fout per sector (buiten steekproef)", "{b}_mae_sector"),
                       ("Spearman per gemeente", "spearman_municipality_{b}"),
                       ("Spearman per sector", "spearman_sector_{b}"),
                       ("niveau model/meter (Vlaanderen)", "{b}_level_ratio")):
        table.add_row(label, *[
            "-" if s.get(key.format(b=b)) is None else f"{s[key.format(b=b)]:.3f}"
            for b in ("baseline", "standardised", "expected", "calibrated")])
    console.print(table)
    console.print(_decomposition_table(s.get("level_decomposition") or {}))
    if s.get("cross_validation_training"):
        cv = Table(title="Kruisvalidatie over de trainingsgemeenten (in groepen; de "
                         "achtergehouden gemeenten niet gelezen)")
        for col in ("kenmerken / features", "mediane fout gemeente", "Spearman gemeente",
                    "mediane fout sector"):
            cv.add_column(col, justify="left" if col.startswith("kenmerken") else "right")
        names_nl = {"stock": "woningvoorraad", "counts": "+ aansluitingen (aantallen)",
                    "location": "+ ligging", "location_and_counts": "+ ligging en aansluitingen"}
        for name, fig in s["cross_validation_training"].items():
            cv.add_row(names_nl.get(name, name), *[f"{fig[k]:.4f}" for k in (
                "mae_municipality", "spearman_municipality", "mae_sector")])
        console.print(cv)
    console.print(
        "doelen / targets: verwacht niveau binnen ±10 % (expected_level_ratio 0.9-1.1); "
        "gekalibreerde fout < constante mediaan; Spearman per gemeente >= 0.6; "
        "woningen met gas <= 1.05 × gasaansluitingen per sector")
    console.print(f"wrote {out}/meters_municipality.csv, meters_sector.csv, meters_scatter.png, "
                  "meters_map.png, meters_summary.json")
    typer.echo(json.dumps(s, separators=(",", ":")))
