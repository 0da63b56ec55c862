"""``wijkreno twin …`` and ``wijkreno demo``: build the building-stock twin."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wijkreno.cli._common import ForceOption, handle_errors, out_console, print_stage
from wijkreno.cli._summaries import print_stage_summary
from wijkreno.errors import InputError
from wijkreno.pipeline import StageResult, TwinOptions, Workspace, run_twin
from wijkreno.twin.schema import schema_markdown

app = typer.Typer(help="Build the digital twin of the building stock.", no_args_is_help=True)


OutOption = Annotated[Path, typer.Option("-o", "--out", help="Output folder.")]


def _existing(path: Path | None, what: str) -> Path | None:
    if path is not None and not path.exists():
        raise InputError(f"the {what} file {path} does not exist; check the path.")
    return path


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
    layer: Annotated[str | None, typer.Option(
        "--layer", help="Layer of a multi-layer buildings file (GRB: Gbg); by default the one "
        "named like buildings, or the only one that fits.")] = None,
    addresses_layer: Annotated[str | None, typer.Option(
        help="Layer of a multi-layer addresses file.")] = None,
    addresses_crs: Annotated[str | None, typer.Option(
        help="CRS of an addresses CSV's x/y columns, e.g. 31370.")] = None,
    force: ForceOption = False,
) -> None:
    """Build the twin from source files and write it, with its data-quality summary, to OUT."""
    options = TwinOptions(buildings=buildings, nis_code=nis_code, addresses=addresses, dsm=dsm,
                          dtm=dtm, sectors=sectors, gebouwenpark=statbel, boundary=boundary,
                          params=params, seed=seed, gpkg=gpkg, fluvius=fluvius,
                          fluvius_year=fluvius_year, sector_hierarchy=sector_hierarchy,
                          buildings_layer=layer, addresses_layer=addresses_layer,
                          addresses_crs=addresses_crs)
    with out_console.status("Tweeling bouwen / building the twin …"):
        result = run_twin(Workspace(folders={"twin": out}), options, force=force)
    print_stage(result)
    print_stage_summary(result)
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
    force: ForceOption = False,
) -> None:
    """Generate the demo neighbourhood and run the whole chain on it (sources, twin, simulation,
    trajectories, groups, uncertainty, aggregation and maps); a rerun skips what is current."""
    from wijkreno.pipeline import DemoOptions, run_demo

    ws = Workspace(out)

    def report(result: StageResult) -> None:
        print_stage(result)
        if not result.skipped:
            print_stage_summary(result)

    with out_console.status("Demowijk: de hele keten / the whole chain …"):
        run_demo(ws, DemoOptions(seed=seed), force=force, on_stage=report)
    out_console.print(f"Samenvatting / summary: [bold]{ws.summary_path}[/]")


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
