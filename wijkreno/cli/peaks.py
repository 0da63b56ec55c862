"""``wijkreno peaks``: heat-pump electricity per hour, winter peaks per street/sector/municipality.

Reads ``<twin>/dwellings.parquet`` and writes to ``-o``:

``compare/monthly_vs_hourly_dwellings.csv``, ``compare/summary_by_typology_period.csv``
    the yearly heating need of the monthly engine (the regulatory EPC method, still the one for
    EPC scores) and of the hourly engine (the one for peaks and profiles), same set-point,
    per dwelling and as median ratios hourly/monthly per typology x construction period;
``compare/explanation_dwellings.csv``, ``compare/explanation_by_typology_period.csv``
    the difference split into losses, gains used and opaque solar/sky radiation
    (:func:`wijkreno.aggregate.peaks.explain_monthly_hourly`);
``peaks_<level>.csv`` (``street``, ``sector``, ``municipality``)
    one row per area and state (``today`` and each ``--year``): heat pumps, yearly electricity,
    the coincident heat-pump peak (simulated and after diversity), today's residential peak,
    the combined peak and its growth;
``map/<level>/areas.{parquet,geojson,csv}``, ``kaart.html``, ``kaart_peak_growth_frac_<s>.png``
    the same wide (one column per state) on polygons (sectors from ``--areas`` or dwelling hulls,
    streets as hulls) for the grid operator, an offline interactive map and a PNG of the peak
    growth in the last state (``wijkreno map <folder> --column <col> --format png`` draws others);
``profiles/<level>_<state>.parquet``
    hourly heat-pump electricity and residential baseline per area [kW];
``dwellings_<state>.parquet`` (+ ``profiles/dwellings_<state>.parquet`` with
``--dwelling-profiles``)
    per dwelling: heat pump, design load, heat, electricity, back-up, SPF, peak;
``peaks_summary.json``
    the climate used (``synthetic`` true without ``--climate-epw``) and the municipality figures.

The lead registers it as ``app.command("peaks")(peaks)``.
"""

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
from wijkreno.errors import InputError
from wijkreno.io.twin_store import TWIN_FILES

out_console = Console()
log = logging.getLogger(__name__)

MAP_COLUMNS: tuple[str, ...] = ("n_heat_pumps", "hp_electricity_kwh", "hp_peak_kw",
                                "combined_peak_kw", "peak_growth_frac")
"""Per-state columns of the map layer (suffix ``_<state>``)."""
LEVELS_NL = {"street": "straat", "sector": "statistische sector", "municipality": "gemeente"}


def _years(text: str | None) -> list[int]:
    if not text:
        return []
    try:
        return [int(y) for y in text.replace(" ", "").split(",") if y]
    except ValueError:
        raise InputError(f"--year takes years separated by commas (2030,2050), got {text!r}") \
            from None


def _climate(epw: Path | None) -> tuple[Any, dict[str, Any]]:
    from wijkreno.simulate.hourly import hourly_climate_from_epw

    if epw is not None:
        from wijkreno.io.epw import read_epw

        weather, meta = read_epw(epw)
        return hourly_climate_from_epw((weather, meta)), {"synthetic": False,
                                                           "source": str(meta["source"])}
    from wijkreno.simulate.climate import load_climate
    from wijkreno.simulate.synthetic_weather import synthetic_weather

    weather, meta = synthetic_weather(load_climate())
    return hourly_climate_from_epw((weather, meta)), {"synthetic": True,
                                                       "source": meta["source"]}


def _long_profiles(areas: pd.DataFrame, prof_w: np.ndarray, base_w: np.ndarray,
                   time: pd.DatetimeIndex) -> pd.DataFrame:
    g, h = prof_w.shape
    return pd.DataFrame({
        "area_id": np.repeat(areas["area_id"].to_numpy(dtype=object), h),
        "time": np.tile(time.tz_localize(None) if time.tz is not None else time, g),
        "hp_electricity_kw": (prof_w / 1000.0).ravel().astype(np.float32),
        "baseline_kw": (base_w / 1000.0).ravel().astype(np.float32),
    })


@handle_errors
def peaks(
    twin: Annotated[Path, typer.Argument(help="Twin folder holding dwellings.parquet.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("out/peaks"),
    climate_epw: Annotated[Path | None, typer.Option(
        "--climate-epw", help="Hourly EPW weather file; without it a SYNTHETIC year is built "
        "from the packaged monthly Uccle climate (the outputs say so).")] = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", "-s", help="Scenario (TOML or packaged name: baseline, ambitious) that "
        "says which dwellings have a heat pump in each --year.")] = None,
    year: Annotated[str | None, typer.Option(
        "--year", help="Scenario years, comma separated (default with --scenario: "
        "2030,2050).")] = None,
    areas: Annotated[Path | None, typer.Option(
        "--areas", help="Sector polygons (e.g. Statbel sectors, sources/sectoren.gpkg of the "
        "demo) for the map layer; default: hulls of the dwellings.")] = None,
    setback: Annotated[bool, typer.Option(
        "--setback/--no-setback", help="Night set-back of the heating set-point (hourly.toml) "
        "instead of a constant set-point, for the heat-pump loads (the monthly-hourly "
        "comparison always uses the constant set-point).")] = False,
    dwelling_profiles: Annotated[bool, typer.Option(
        "--dwelling-profiles", help="Also write each heat-pump dwelling's hourly profile.")]
    = False,
    compare_only: Annotated[bool, typer.Option(
        "--compare-only", help="Only the monthly-versus-hourly comparison.")] = False,
    params: Annotated[Path | None, typer.Option(
        "--params", help="TOML laid out as wijkreno/params/heat_pump_hourly.toml.")] = None,
) -> None:
    """Warmtepompverbruik per uur en winterpiek per straat, sector en gemeente; maand- en
    uurmethode naast elkaar.

    Heat-pump electricity per hour and the winter peak per street, sector and municipality;
    monthly versus hourly heating need side by side.
    """
    import geopandas as gpd

    from wijkreno.aggregate.peaks import (
        LEVELS,
        MAP_KEYS,
        area_layer,
        compare_monthly_hourly,
        dwellings_in_year,
        explain_monthly_hourly,
        heat_pump_loads,
        summarise_explanation,
    )
    from wijkreno.io.twin_store import read_table
    from wijkreno.maps import render_html, render_png, write_area_files
    from wijkreno.simulate.heat_pump_hourly import (
        load_heat_pump_hourly_params,
        residential_baseline_w,
    )
    from wijkreno.twin.schema import DWELLINGS

    p = load_heat_pump_hourly_params(params)
    years = _years(year)
    if years and scenario is None:
        raise InputError("--year needs --scenario (which dwellings switch to a heat pump).")
    if scenario is not None and not years:
        years = [2030, 2050]
    path = twin / TWIN_FILES["dwellings"]
    if not path.exists():
        raise InputError(f"{path} does not exist; give a twin folder written by 'wijkreno twin' "
                         "or 'wijkreno demo' (its twin/ subfolder).")
    dwellings = read_table(path, DWELLINGS)
    if dwellings.empty:
        raise InputError(f"the twin {twin} holds no dwellings.")
    polygons = None
    if areas is not None:
        if not areas.exists():
            raise InputError(f"--areas {areas} does not exist; give a polygon file (GPKG, "
                             "GeoJSON, GeoParquet).")
        polygons = (gpd.read_parquet(areas) if areas.suffix == ".parquet"
                    else gpd.read_file(areas))
    sc = None
    if scenario is not None:
        from wijkreno.scenario.model import load_scenario

        sc = load_scenario(scenario)
        bad = [y for y in years if not sc.start_year < y <= sc.end_year]
        if bad:
            raise InputError(f"--year {bad} lie outside the scenario {sc.name} "
                             f"({sc.start_year + 1}-{sc.end_year}).")
    with out_console.status("uurklimaat / hourly climate"):
        climate, climate_info = _climate(climate_epw)
    if climate_info["synthetic"]:
        out_console.print("[yellow]Geen EPW gegeven: SYNTHETISCH uurjaar uit het maandklimaat "
                          "van Ukkel / no EPW given: SYNTHETIC hourly year[/]")
    out.mkdir(parents=True, exist_ok=True)
    # item 3: monthly and hourly side by side (same constant set-point) and why they differ
    with out_console.status("maand- en uurmethode / monthly and hourly engines"):
        monthly_climate = None
        if climate_epw is not None:
            from wijkreno.simulate.climate import climate_from_epw

            monthly_climate = climate_from_epw(climate_epw)
        explained = explain_monthly_hourly(dwellings, climate, monthly_climate=monthly_climate)
    per, summary_cmp = compare_monthly_hourly(
        dwellings, explained["heating_need_monthly_kwh"], explained["heating_need_hourly_kwh"])
    terms = summarise_explanation(explained)
    (out / "compare").mkdir(exist_ok=True)
    synthetic = climate_info["synthetic"]
    per.assign(climate_synthetic=synthetic).to_csv(
        out / "compare" / "monthly_vs_hourly_dwellings.csv", index=False)
    summary_cmp.assign(climate_synthetic=synthetic).to_csv(
        out / "compare" / "summary_by_typology_period.csv", index=False)
    explained.assign(climate_synthetic=synthetic).to_csv(
        out / "compare" / "explanation_dwellings.csv", index=False)
    terms.assign(climate_synthetic=synthetic).to_csv(
        out / "compare" / "explanation_by_typology_period.csv", index=False)
    allrow, allterms = summary_cmp.iloc[-1], terms.iloc[-1]
    summary: dict[str, Any] = {
        "climate": climate_info,
        "compare": {"median_ratio_hourly_monthly": float(allrow["median_ratio"]),
                    "ratio_of_sums": float(allrow["ratio_of_sums"]),
                    "heating_need_monthly_kwh": float(allrow["heating_need_monthly_kwh"]),
                    "heating_need_hourly_kwh": float(allrow["heating_need_hourly_kwh"]),
                    "d_loss_frac": float(allterms["d_loss_frac"]),
                    "d_gain_used_frac": float(allterms["d_gain_used_frac"]),
                    "d_opaque_sky_frac": float(allterms["d_opaque_sky_frac"]),
                    "steady_state_loss_frac_median": float(
                        allterms["steady_state_loss_frac_median"])},
    }
    _print_compare(summary)
    if not compare_only:
        states: dict[str, pd.DataFrame] = {"today": dwellings}
        if sc is not None:
            from wijkreno.renovate.applicability import measure_options
            from wijkreno.renovate.catalogue import money_params
            from wijkreno.renovate.trajectories import plan_trajectories
            from wijkreno.scenario.model import SCENARIO_TARGET, plan_states, run_scenario

            with out_console.status("scenario en trajecten / scenario and trajectories"):
                options = measure_options(dwellings, money=money_params())
                res = run_scenario(dwellings, sc, states=plan_states(dwellings, options))
                # the same target as the scenario's states, so the steps line up with them
                steps, _ = plan_trajectories(dwellings, options, target=SCENARIO_TARGET)
            planned = steps.groupby("row").size().reindex(range(len(dwellings)), fill_value=0)
            if not (planned.to_numpy() == res.states.n_steps[res.states.template]).all():
                raise RuntimeError("trajectory steps and scenario states disagree; report this.")
            for y in years:
                states[str(y)] = dwellings_in_year(
                    dwellings, res.positions[y - sc.start_year], steps, options)
        tables: dict[str, list[pd.DataFrame]] = {lv: [] for lv in LEVELS}
        (out / "profiles").mkdir(exist_ok=True)
        summary["states"] = {}
        for name, dw in states.items():
            with out_console.status(f"warmtepompen / heat pumps: {name}"):
                loads = heat_pump_loads(dw, climate, params=p, setback="night" if setback
                                        else None, keep_dwelling_profiles=dwelling_profiles)
            per_dw = loads.dwellings.reset_index(drop=True)
            per_dw.to_parquet(out / f"dwellings_{name}.parquet", index=False)
            for lv in LEVELS:
                t = loads.peaks(lv, p)
                tables[lv].append(t.assign(state=name))
                base = residential_baseline_w(t["n_dwellings"].to_numpy(), loads.time, params=p)
                base = base * t["baseline_diversity_frac"].to_numpy()[:, None]
                _long_profiles(loads.areas[lv], loads.area_profiles_w[lv], base, loads.time
                               ).to_parquet(out / "profiles" / f"{lv}_{name}.parquet",
                                            index=False)
            if dwelling_profiles and loads.dwelling_profiles_w is not None:
                ids = per_dw.loc[per_dw["has_heat_pump"], "dwelling_id"]
                _long_profiles(pd.DataFrame({"area_id": ids.to_numpy(dtype=object)}),
                               loads.dwelling_profiles_w, np.zeros_like(
                                   loads.dwelling_profiles_w), loads.time).drop(
                    columns="baseline_kw").rename(columns={"area_id": "dwelling_id"}).to_parquet(
                    out / "profiles" / f"dwellings_{name}.parquet", index=False)
            m = tables["municipality"][-1]
            summary["states"][name] = {
                "n_heat_pumps": int(m["n_heat_pumps"].sum()),
                "hp_electricity_kwh": float(m["hp_electricity_kwh"].sum()),
                "hp_peak_kw": m.set_index("area_id")["hp_peak_kw"].round(2).to_dict(),
                "baseline_peak_kw": m.set_index("area_id")["baseline_peak_kw"].round(2).to_dict(),
                "combined_peak_kw": m.set_index("area_id")["combined_peak_kw"].round(2).to_dict(),
                "peak_growth_frac": m.set_index("area_id")["peak_growth_frac"].round(4).to_dict(),
            }
        for lv in LEVELS:
            long = pd.concat(tables[lv], ignore_index=True)
            long["climate_synthetic"] = climate_info["synthetic"]
            long.to_csv(out / f"peaks_{lv}.csv", index=False)
            wide = tables[lv][0][["area_id", *MAP_KEYS[lv], "n_dwellings", "baseline_peak_kw"]]
            for t in tables[lv]:
                s = t["state"].iloc[0]
                wide = wide.assign(**{f"{c}_{s}": t[c].to_numpy() for c in MAP_COLUMNS})
            layer = area_layer(dwellings, lv, wide, polygons=polygons)
            folder = out / "map" / lv
            write_area_files(layer, folder, stem="areas")
            last = tables[lv][-1]["state"].iloc[0]
            shown = [f"{c}_{s}" for c in ("peak_growth_frac", "hp_peak_kw", "combined_peak_kw")
                     for s in [last, *[t["state"].iloc[0] for t in tables[lv][:-1]]]]
            popup = ["n_dwellings", "baseline_peak_kw", *[
                f"{c}_{t['state'].iloc[0]}" for t in tables[lv] for c in MAP_COLUMNS]]
            note = " (synthetisch klimaatjaar)" if climate_info["synthetic"] else ""
            col = f"peak_growth_frac_{last}"
            render_png(layer, col, folder / f"kaart_{col}.png", k=min(5, max(1, len(layer))),
                       title=f"Groei winterpiek door warmtepompen, {last}{note}")
            render_html(layer, folder / "kaart.html", layers=shown, popup_columns=popup,
                        k=min(5, max(1, len(layer))),
                        title=f"Winterpiek warmtepompen per {LEVELS_NL[lv]}{note}")
        _print(tables["municipality"])
    (out / "peaks_summary.json").write_text(json.dumps(summary, indent=2, default=str), "utf-8")
    out_console.print(f"geschreven naar / written to {out}")


def _print_compare(summary: dict[str, Any]) -> None:
    cmp_ = summary["compare"]
    out_console.print(f"uur/maand mediane verhouding / median hourly/monthly ratio: "
                      f"{cmp_['median_ratio_hourly_monthly']:.3f} (sommen / sums "
                      f"{cmp_['ratio_of_sums']:.3f}: verliezen / losses "
                      f"{cmp_['d_loss_frac']:+.1%}, benutte winsten / gains used "
                      f"{cmp_['d_gain_used_frac']:+.1%}, opake zon en hemel / opaque solar "
                      f"and sky {cmp_['d_opaque_sky_frac']:+.1%})")


def _print(muni: list[pd.DataFrame]) -> None:
    table = Table(title="Winterpiek per gemeente / winter peak per municipality")
    for col in ("toestand / state", "gemeente", "warmtepompen", "WP-piek [kW]",
                "basispiek [kW]", "samen [kW]", "groei"):
        table.add_column(col)
    for t in muni:
        for _, r in t.iterrows():
            table.add_row(str(r["state"]), str(r["area_id"]), str(int(r["n_heat_pumps"])),
                          f"{r['hp_peak_kw']:.1f}", f"{r['baseline_peak_kw']:.1f}",
                          f"{r['combined_peak_kw']:.1f}", f"{r['peak_growth_frac']:+.1%}")
    out_console.print(table)
