"""``wijkreno twin …`` and ``wijkreno demo``: build the building-stock twin."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from wijkreno.cli._common import handle_errors, out_console
from wijkreno.errors import InputError
from wijkreno.pipeline import TwinInputs, build_and_write_twin
from wijkreno.twin.build import Twin
from wijkreno.twin.schema import schema_markdown

app = typer.Typer(help="Build the digital twin of the building stock.", no_args_is_help=True)


OutOption = Annotated[Path, typer.Option("-o", "--out", help="Output folder.")]


def _existing(path: Path | None, what: str) -> Path | None:
    if path is not None and not path.exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    return path


def _table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if frame[col].dtype.kind in "if" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row])
    return table


def print_twin_summary(twin: Twin, console: Console = out_console) -> None:
    """Print the data-quality summary of a twin as rich tables."""
    q = twin.quality
    console.print(_table(q["inputs"], "Invoer / inputs (in = kept + rejected)"))
    typ = q["typology"]
    shown = pd.DataFrame({
        "typologie": typ["typology"],
        "Statbel": typ["statbel_type"],
        "tweeling": typ["twin_buildings"],
        "Statbel n": typ["statbel_buildings"].round().astype(int),
        "tweeling %": (100 * typ["twin_share_frac"]).round(1),
        "Statbel %": (100 * typ["statbel_share_frac"]).round(1),
    })
    console.print(_table(shown, "Hoofdgebouwen per typologie / main buildings by typology "
                         f"(kalibratie: {typ.attrs.get('calibration', '')})"))
    periods = q["periods"].groupby("statbel_period", sort=False)[
        ["twin_buildings", "statbel_buildings"]].sum().reset_index()
    console.print(_table(periods, "Bouwperiode / construction period (main buildings)"))
    attrs = q["attributes"]
    console.print(_table(attrs, "Herkomst / provenance of attributes"))
    if "dwellings" in q:
        console.print(_table(q["dwellings"], "Woningen tegenover Statbel T8 / dwellings "
                             "against Statbel T8"))
    if "gas_heating" in q:
        console.print(_table(q["gas_heating"], "Gasverwarmde woningen tegenover "
                             "Fluvius-gasaansluitingen / gas-heated dwellings against gas "
                             "connections"))
    if len(q.get("address_links", [])):
        console.print(_table(q["address_links"], "Adressen / address links"))
    b = twin.buildings
    console.print(
        f"[bold]{len(b):,}[/] gebouwen/buildings "
        f"({int((b['building_role'] == 'main').sum()):,} hoofdgebouwen/main), "
        f"[bold]{len(twin.dwellings):,}[/] woningen/dwellings, "
        f"[bold]{len(twin.rejected):,}[/] geweigerde rijen/rejected rows."
    )


@app.command("build")
@handle_errors
def build(
    buildings: Annotated[Path, typer.Argument(help="Building footprints (Gebouwenregister or "
                                              "GRB Gbg: .gpkg, .shp, .geojson).")],
    nis_code: Annotated[str, typer.Option("--nis", help="NIS5 code of the municipality, "
                                          "e.g. 13002.")],
    out: OutOption,
    addresses: Annotated[Path | None, typer.Option(help="Adressenregister addresses "
                                                   "(.csv, .shp, .geojson, .gpkg).")] = None,
    dsm: Annotated[Path | None, typer.Option(help="DHM Vlaanderen DSM raster (GeoTIFF).")] = None,
    dtm: Annotated[Path | None, typer.Option(help="DHM Vlaanderen DTM raster (GeoTIFF).")] = None,
    sectors: Annotated[Path | None, typer.Option(help="Statbel statistical sectors.")] = None,
    statbel: Annotated[Path | None, typer.Option(help="Statbel gebouwenpark table (long CSV) "
                                                 "for calibration.")] = None,
    boundary: Annotated[Path | None, typer.Option(help="Polygons of the municipality (Statbel "
                                                  "sectors, wijken or a boundary); buildings "
                                                  "outside are rejected.")] = None,
    params: Annotated[Path | None, typer.Option(help="Twin parameter file (TOML) overriding "
                                                "the defaults.")] = None,
    fluvius: Annotated[Path | None, typer.Option(help="Fluvius verbruik per statistische "
                                                 "sector (CSV or its folder): residential gas "
                                                 "connections bound the gas-heated dwellings / "
                                                 "gasaansluitingen begrenzen gasverwarming.")
                       ] = None,
    fluvius_year: Annotated[int, typer.Option(help="Year of the Fluvius connections "
                                              "(2018-2021).")] = 2021,
    sector_hierarchy: Annotated[Path | None, typer.Option(
        help="Sector → wijk hierarchy (statsec_hierarchy_2025.csv): with --boundary wijken and "
             "no --sectors, the gas connections are bounded per wijk.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the imputation.")] = 0,
    gpkg: Annotated[bool, typer.Option(help="Also write twin.gpkg for older GIS.")] = False,
) -> None:
    """Build the twin from source files and write it, with its data-quality summary, to OUT."""
    inputs = TwinInputs(
        buildings=_existing(buildings, "buildings"),  # type: ignore[arg-type]
        nis_code=nis_code,
        addresses=_existing(addresses, "addresses"),
        dsm=_existing(dsm, "DSM"),
        dtm=_existing(dtm, "DTM"),
        sectors=_existing(sectors, "sectors"),
        gebouwenpark=_existing(statbel, "Statbel"),
        boundary=_existing(boundary, "boundary"),
        params=_existing(params, "parameter"),
        fluvius=_existing(fluvius, "Fluvius"),
        fluvius_year=fluvius_year,
        sector_hierarchy=_existing(sector_hierarchy, "sector hierarchy"),
        seed=seed,
    )
    with out_console.status("Tweeling bouwen / building the twin …"):
        twin = build_and_write_twin(inputs, out, gpkg=gpkg)
    print_twin_summary(twin)
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")


@app.command("schema")
@handle_errors
def schema(
    out: Annotated[Path, typer.Option("-o", "--out", help="Markdown file to write.")] = Path(
        "docs/twin_schema.md"),
) -> None:
    """Write the documentation of the twin's columns (name, type, unit, provenance flag)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(schema_markdown() + "\n", encoding="utf-8")
    out_console.print(f"Geschreven naar / written to [bold]{out}[/]")


@handle_errors
def demo(
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("out/demo"),
    seed: Annotated[int, typer.Option(help="Seed of the demo neighbourhood and imputation.")] = (
        20240101),
) -> None:
    """Generate the demo neighbourhood and run the whole chain on it (sources, twin, simulation)."""
    from wijkreno.demo import DEMO_NIS_CODE, generate_demo

    files = generate_demo(out / "sources", seed=seed)
    inputs = TwinInputs(
        buildings=files["buildings"], nis_code=DEMO_NIS_CODE, addresses=files["addresses"],
        dsm=files["dsm"], dtm=files["dtm"], sectors=files["sectors"],
        gebouwenpark=files["gebouwenpark"], seed=seed,
    )
    with out_console.status("Demowijk: tweeling bouwen / building the twin …"):
        twin = build_and_write_twin(inputs, out / "twin", gpkg=False)
    print_twin_summary(twin)
    from wijkreno.cli.aggregate import aggregate
    from wijkreno.cli.groups import groups
    from wijkreno.cli.map import map_
    from wijkreno.cli.simulate import simulate
    from wijkreno.cli.trajectories import trajectories
    from wijkreno.cli.uncertainty import uncertainty

    simulate(out / "twin", out / "simulate")
    trajectories(out / "twin", out / "trajectories")
    groups(out / "twin", out / "groups")
    uncertainty(out / "twin", draws=50, seed=seed, out=out / "uncertainty")
    aggregate(out / "twin", results=out / "simulate", plan=out / "trajectories",
              groups=out / "groups", areas=files["sectors"], level="sector",
              uncertainty=out / "uncertainty", out=out / "aggregate")
    map_(out / "aggregate" / "sector", format_="both", title="Demowijk: prioriteit per sector")
    summary = write_demo_summary(out)
    out_console.print(f"Samenvatting / summary: [bold]{summary}[/]")


@app.command("download")
@handle_errors
def download(
    nis_code: Annotated[str, typer.Option("--nis", help="NIS5 code of the municipality.")],
    out: OutOption,
    api_key: Annotated[str | None, typer.Option(envvar="WIJKRENO_BASISREGISTERS_API_KEY",
                                                help="API key of Basisregisters Vlaanderen "
                                                "(optional; raises the rate limit).")] = None,
    replay: Annotated[Path | None, typer.Option(help="Replay recorded responses from this "
                                                "folder instead of calling the service "
                                                "(offline tests and demos).")] = None,
    page_size: Annotated[int, typer.Option(min=1, max=500,
                                           help="Objects per list page (the API's maximum "
                                           "is 500).")] = 500,
) -> None:
    """Download a municipality's addresses and addressed buildings from Basisregisters
    Vlaanderen (API v2) into OUT, in the layout `wijkreno twin build` reads.

    Needs a network connection. The API reaches buildings through their addressed building
    units, so garages and sheds without an address are missing: for a complete footprint layer
    use the Gebouwenregister download or GRB.
    """
    from wijkreno.io.basisregisters import HttpTransport, RecordedTransport, download_sources

    transport = (RecordedTransport.from_directory(_existing(replay, "recording"))
                 if replay else HttpTransport(api_key=api_key))
    with out_console.status(f"Basisregisters: NIS {nis_code} ophalen / downloading …"):
        paths = download_sources(nis_code, out, transport=transport, page_size=page_size)
    for name, path in paths.items():
        out_console.print(f"{name}: [bold]{path}[/]")


def write_demo_summary(out: Path) -> Path:
    """Write ``samenvatting.md``: the demo's figures in Dutch, with the files to open."""
    import json

    sim = json.loads((out / "simulate" / "summary.json").read_text(encoding="utf-8"))
    plan = pd.read_parquet(out / "trajectories" / "summary.parquet")
    groups = pd.read_csv(out / "groups" / "groups.csv")
    prio = pd.read_csv(out / "aggregate" / "sector" / "priority.csv")
    labels = ", ".join(f"{k} {v}" for k, v in sim["label_counts"].items())
    big = groups[groups["n_dwellings"] >= 10]
    key = "sector_code" if "sector_code" in prio.columns else prio.columns[0]
    top = prio.sort_values("priority_rank").head(3)
    lines = [
        "# Demowijk — samenvatting",
        "",
        f"- Woningen: {sim['n_dwellings']}; EPC-labels nu: {labels}.",
        f"- Gemiddelde EPC-score: {sim['epc_score_mean_kwh_per_m2']:.0f} kWh/m² "
        "(gestandaardiseerd, geen gemeten verbruik).",
        f"- Renovatietraject naar label A (2050): {int(plan['reached'].sum())} van "
        f"{len(plan)} woningen halen het doel; mediane netto kost "
        f"€ {plan['net_cost_eur'].median():,.0f} per woning na premies.",
        f"- Collectieve renovatie: {len(big)} groepen van minstens 10 woningen "
        f"({int(big['n_dwellings'].sum())} woningen).",
        "- Prioritaire sectoren: "
        + "; ".join(f"{r[key]} (score {r['priority_score']:.2f})" for _, r in top.iterrows())
        + ".",
        "",
        "Bestanden: `aggregate/sector/kaart.html` (interactieve kaart, werkt offline), "
        "`aggregate/sector/kaart_priority_score.png`, `trajectories/trajectories.csv` "
        "(stappen per woning), `groups/groups.csv`, `twin/` (digitale tweeling), "
        "`simulate/results.parquet`, `uncertainty/` (p10/p50/p90 over de geschatte "
        "invoer).",
        "",
    ]
    path = out / "samenvatting.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
