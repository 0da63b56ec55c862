"""The yearly LEKP progress report of a municipality (HTML + PDF, Dutch, for the gemeenteraad).

:func:`render_lekp_report` renders from the outputs of :mod:`wijkreno.indicators` (targets and
indicators per goal and year) and the register's renovations: a summary page (per goal in plain
words: on track or not), a progress chart against the linear target path, a time series per
goal with the projection, a map of realised renovations, the checklist of what the council must
see and the data sources with their dates. The HTML is self-contained (charts embedded as
base64 PNG, CSS inline) and the PDF is printed from the same HTML by WeasyPrint.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError
from wijkreno.reports import charts
from wijkreno.reports.sheets import measure_name_nl
from wijkreno.simulate.expected import BASIS_LABELS_NL

log = logging.getLogger(__name__)

TARGET_COLUMNS: tuple[str, ...] = (
    "goal_id", "pact", "title_nl", "indicator", "unit", "scaling_base", "target", "deadline",
    "counting_rule", "source",
)
"""Columns of the targets frame (:func:`wijkreno.indicators.municipality_targets`)."""

INDICATOR_COLUMNS: tuple[str, ...] = (
    "goal_id", "year", "realised_cumulative", "target", "share_achieved_frac", "trend_per_year",
    "projected_at_deadline", "on_track",
)
"""Columns of the indicators frame (:func:`wijkreno.indicators.compute_indicators`)."""

SAVINGS_BASIS_NL = BASIS_LABELS_NL["expected"]
"""Basis of the realised savings (:func:`wijkreno.indicators.savings.realised_savings`'s
default: expected real use before and after the works)."""

SAVING_COLUMNS: dict[str, str] = {
    "co2_saved_flemish_kg_co2": f"CO2-besparing, Vlaamse factoren [ton/jaar; {SAVINGS_BASIS_NL}]",
    "co2_saved_com_kg_co2":
        f"CO2-besparing, Burgemeestersconvenant [ton/jaar; {SAVINGS_BASIS_NL}]",
    "energy_saved_kwh": f"Energiebesparing [MWh/jaar; {SAVINGS_BASIS_NL}]",
}

MUNICIPALITY_KEYS: tuple[str, ...] = ("nis_code", "name", "inhabitants", "households",
                                      "housing_units")

REPORT_DUE = (5, 1)
"""The yearly LEKP report goes to the gemeenteraad by 1 May (DOMAIN.md section 5)."""

MAX_MAP_CATEGORIES = 7


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("wijkreno.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )


def _css(name: str) -> str:
    return (Path(__file__).parent / "templates" / name).read_text(encoding="utf-8")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"the {what} frame misses the columns {missing}; it has {list(frame.columns)}. "
            f"Build it with wijkreno.indicators ({what}) or read the CSV that "
            "'wijkreno indicators' writes."
        )


def _deadline_year(value: Any) -> float:
    stamp = pd.to_datetime(value, errors="coerce")
    return float(stamp.year) if pd.notna(stamp) else np.nan


def _bool_or_none(value: Any) -> bool | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "ja", "yes")
    return bool(value)


def goal_status(targets: pd.DataFrame, indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per goal: the state at the end of ``year`` and its status in plain Dutch.

    Parameters
    ----------
    targets : pandas.DataFrame
        Columns :data:`TARGET_COLUMNS`.
    indicators : pandas.DataFrame
        Columns :data:`INDICATOR_COLUMNS` (one row per goal x year).
    year : int
        Report year; per goal the indicator row of that year is used, else the latest before.

    Returns
    -------
    pandas.DataFrame
        The targets' columns plus ``deadline_year``, ``year`` (of the indicator row used),
        ``realised_cumulative``, ``share_achieved_frac``, ``trend_per_year``,
        ``projected_at_deadline``, ``on_track`` (bool or None), ``path_value`` and ``path_frac``
        (linear target path at the end of ``year``), ``remaining`` (still needed, >= 0),
        ``remaining_per_year`` (per year left until the deadline), ``status`` (one of
        "behaald", "op schema", "achter op schema", "geen gegevens") and ``sentence`` (plain
        Dutch).
    """
    _require(targets, TARGET_COLUMNS, "targets")
    _require(indicators, INDICATOR_COLUMNS, "indicators")
    ind = indicators.copy()
    ind["year"] = pd.to_numeric(ind["year"], errors="coerce")
    ind = ind[ind["year"] <= year].sort_values(["goal_id", "year"])
    # the latest year per goal at or before the report year
    last = ind.groupby("goal_id", sort=False).tail(1).set_index("goal_id")
    out = targets.reset_index(drop=True).copy()
    out["target"] = pd.to_numeric(out["target"], errors="coerce")
    out["deadline_year"] = [_deadline_year(v) for v in out["deadline"]]
    for col in ("year", "realised_cumulative", "share_achieved_frac", "trend_per_year",
                "projected_at_deadline", *SAVING_COLUMNS):
        if col in last.columns:
            out[col] = pd.to_numeric(out["goal_id"].map(last[col]), errors="coerce")
        else:
            out[col] = np.nan
    out["on_track"] = [_bool_or_none(v) for v in out["goal_id"].map(last["on_track"])]
    target = out["target"].to_numpy(np.float64)
    real = out["realised_cumulative"].to_numpy(np.float64)
    share = out["share_achieved_frac"].to_numpy(np.float64)
    share = np.where(np.isfinite(share), share,
                     np.where(np.isfinite(real) & (target > 0), real / np.where(
                         target > 0, target, 1.0), np.nan))
    out["share_achieved_frac"] = share
    out["path_value"] = [float(charts.target_path(t, d, [year])[0])
                         for t, d in zip(target, out["deadline_year"], strict=True)]
    out["path_frac"] = np.where(target > 0, out["path_value"] / np.where(target > 0, target, 1),
                                np.nan)
    remaining = np.maximum(target - real, 0.0)
    out["remaining"] = remaining
    years_left = out["deadline_year"].to_numpy(np.float64) - year
    out["remaining_per_year"] = np.where(years_left >= 1, remaining / np.maximum(years_left, 1),
                                         remaining)
    status, sentence = [], []
    for row in out.itertuples(index=False):
        unit = str(row.unit)
        deadline = _date_nl(row.deadline)
        if not np.isfinite(row.realised_cumulative):
            status.append("geen gegevens")
            sentence.append(f"Voor dit doel zijn nog geen gegevens geregistreerd (doel: "
                            f"{_amount(row.target, unit)} tegen {deadline}).")
            continue
        real_txt = (f"{charts.format_number(row.realised_cumulative)} van "
                    f"{charts.format_number(row.target)} {unit} gerealiseerd"
                    + (f" ({charts.format_number(100 * row.share_achieved_frac, 0)} %)"
                       if np.isfinite(row.share_achieved_frac) else ""))
        proj = (f" Bij het huidige tempo: {charts.format_number(row.projected_at_deadline)} "
                f"{unit} verwacht tegen {deadline}."
                if np.isfinite(row.projected_at_deadline) else "")
        if np.isfinite(row.target) and row.realised_cumulative >= row.target:
            status.append("behaald")
            sentence.append(f"Doel behaald: {real_txt}.")
        elif row.on_track is True:
            status.append("op schema")
            sentence.append(f"Op schema: {real_txt}.{proj}")
        else:
            status.append("achter op schema")
            need = (f" Nog {charts.format_number(row.remaining)} {unit} nodig tegen {deadline}"
                    + (f", gemiddeld {charts.format_number(row.remaining_per_year)} per jaar."
                       if np.isfinite(row.deadline_year) and row.deadline_year > year else "."))
            sentence.append(f"Achter op schema: {real_txt}.{proj}{need}")
    out["status"] = status
    out["sentence"] = sentence
    return out


def _amount(value: float, unit: str) -> str:
    """A target in words: shares (unit 'fractie' / 'frac') as a percentage."""
    if unit.lower() in ("fractie", "frac", "aandeel") and np.isfinite(value):
        return f"{charts.format_number(100 * value, 0)} %"
    return f"{charts.format_number(value)} {unit}"


MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december")


def _date_nl(value: Any) -> str:
    stamp = pd.to_datetime(value, errors="coerce")
    if pd.isna(stamp):
        return "–"
    return f"{stamp.day} {MONTHS_NL[stamp.month - 1]} {stamp.year}"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _save(fig, path: Path) -> str:
    png = charts.png_bytes(fig)
    path.write_bytes(png)
    return _data_uri(png)


def renovation_points(renovations: pd.DataFrame, dwellings: pd.DataFrame) -> pd.DataFrame:
    """One point per renovated address with its Dutch map category.

    Renovations are placed by ``adres_id`` (else ``dwelling_id``) on the twin's dwellings. The
    category is the collective project when the register names any (the largest
    :data:`MAX_MAP_CATEGORIES` projects, the rest "ander collectief project", renovations
    outside a project "individueel"); otherwise the measure (Dutch), "meerdere maatregelen"
    where an address has more than one.

    Returns
    -------
    geopandas.GeoDataFrame
        ``key``, ``category``, ``n_measures``, geometry of the dwelling (EPSG:31370);
        renovations whose address is not in ``dwellings`` are left out (logged).
    """
    import geopandas as gpd

    require_lambert72(dwellings, "the dwellings")
    ren = renovations.copy()
    key = pd.Series(pd.NA, index=ren.index, dtype="string")
    pos = pd.Series(pd.NA, index=ren.index, dtype="object")
    for col in ("adres_id", "dwelling_id"):
        if col in ren.columns and col in dwellings.columns:
            lookup = pd.Series(np.arange(len(dwellings)),
                               index=dwellings[col].astype("string"))
            lookup = lookup[lookup.index.notna() & ~lookup.index.duplicated()]
            found = ren[col].astype("string").map(lookup)
            fill = pos.isna() & found.notna()
            pos[fill] = found[fill]
            key[fill] = ren.loc[fill, col].astype("string")
    ren["_pos"], ren["_key"] = pos, key
    lost = int(ren["_pos"].isna().sum())
    if lost:
        log.warning("%d of %d renovations have an address that is not in the twin: not mapped",
                    lost, len(ren))
    ren = ren[ren["_pos"].notna()]
    project = (ren["collective_project"].astype("string").str.strip().replace("", pd.NA)
               if "collective_project" in ren.columns else pd.Series(pd.NA, index=ren.index,
                                                                       dtype="string"))
    by_project = bool(project.notna().any())
    if by_project:
        top = project.value_counts().index[:MAX_MAP_CATEGORIES]
        cat = project.where(project.isin(top) | project.isna(), "ander collectief project")
        cat = cat.fillna("individueel (geen collectief project)")
    else:
        cat = ren["measure"].astype(str).map(measure_name_nl)
    ren["_cat"] = cat.astype(str)
    grouped = ren.groupby("_key", sort=False).agg(
        _pos=("_pos", "first"), category=("_cat", lambda s: s.iloc[0] if s.nunique() == 1
                                         else ("meerdere projecten" if by_project
                                               else "meerdere maatregelen")),
        n_measures=("_cat", "size"))
    geom = dwellings.geometry.to_numpy()[grouped["_pos"].to_numpy(np.int64)]
    return gpd.GeoDataFrame({"key": grouped.index.to_numpy(),
                             "category": grouped["category"].to_numpy(),
                             "n_measures": grouped["n_measures"].to_numpy()},
                            geometry=geom, crs=dwellings.crs)


def render_lekp_report(
    *,
    municipality: dict[str, Any],
    targets: pd.DataFrame,
    indicators: pd.DataFrame,
    renovations: pd.DataFrame,
    dwellings: pd.DataFrame | None,
    sources: list[dict[str, Any]],
    year: int,
    out_dir: str | Path,
) -> dict[str, Any]:
    """Render the yearly LEKP progress report of one municipality as HTML and PDF.

    Parameters
    ----------
    municipality : dict
        ``nis_code``, ``name``, ``inhabitants``, ``households``, ``housing_units`` (the
        scaling bases; a missing count is shown as '–').
    targets : pandas.DataFrame
        :func:`wijkreno.indicators.municipality_targets` (columns :data:`TARGET_COLUMNS`).
    indicators : pandas.DataFrame
        :func:`wijkreno.indicators.compute_indicators` (columns :data:`INDICATOR_COLUMNS`,
        optionally the savings of :data:`SAVING_COLUMNS` [kg CO2, kWh per year]).
    renovations : pandas.DataFrame
        The register's renovations (``adres_id``, ``dwelling_id``, ``measure``,
        ``collective_project``, ``completed_on``...), for the map and the counts.
    dwellings : GeoDataFrame or None
        Twin dwellings (EPSG:31370 points) to place the renovations; no map when None.
    sources : list of dict
        Data sources, each with ``name``, ``date`` and ``licence``.
    year : int
        Report year: the state at the end of this year is reported.
    out_dir : str or Path
        Output folder (created): ``lekp_<nis>_<year>.html``, ``.pdf`` and ``charts/*.png``.

    Returns
    -------
    dict
        ``{"html": Path, "pdf": Path, "charts": [Path, ...]}``.
    """
    from weasyprint import HTML

    missing = [k for k in ("nis_code", "name") if not municipality.get(k)]
    if missing:
        raise InputError(f"municipality needs {missing}; got {municipality!r}")
    status = goal_status(targets, indicators, year)
    out_dir = Path(out_dir)
    chart_dir = out_dir / "charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    chart_paths: list[Path] = []

    def save(fig, name: str) -> str:
        path = chart_dir / f"{name}.png"
        uri = _save(fig, path)
        chart_paths.append(path)
        return uri

    progress_uri = save(charts.progress_chart(status), "voortgang") if len(status) else None
    series_charts = []
    ind = indicators.copy()
    ind["year"] = pd.to_numeric(ind["year"], errors="coerce")
    ind["realised_cumulative"] = pd.to_numeric(ind["realised_cumulative"], errors="coerce")
    for k, row in enumerate(status.itertuples(index=False)):
        sub = ind[ind["goal_id"] == row.goal_id]
        if not sub["realised_cumulative"].notna().any():
            continue
        fig = charts.timeseries_chart(
            sub, title=str(row.title_nl), unit=str(row.unit), target=float(row.target),
            deadline_year=float(row.deadline_year), as_of_year=year,
            projected_at_deadline=float(row.projected_at_deadline))
        series_charts.append({"title": row.title_nl,
                              "uri": save(fig, f"tijdreeks_{k + 1:02d}_{_slug(row.goal_id)}")})
    map_uri, n_mapped = None, 0
    ren = renovations
    if "completed_on" in ren.columns and len(ren):
        done = pd.to_datetime(ren["completed_on"], errors="coerce")
        ren = ren[done.isna() | (done.dt.year <= year)]
    if dwellings is not None and len(ren):
        points = renovation_points(ren, dwellings)
        n_mapped = len(points)
        fig = charts.renovation_map(dwellings, points, category="category",
                                    title=f"Geregistreerde renovaties tot eind {year}")
        map_uri = save(fig, "kaart_renovaties")
    measure_counts = (ren["measure"].astype(str).map(measure_name_nl).value_counts()
                      if "measure" in ren.columns and len(ren) else pd.Series(dtype=int))
    savings = [
        {"title": r.title_nl, **{col: (charts.format_number(getattr(r, col) / 1000.0)
                                       if np.isfinite(getattr(r, col)) else "–")
                                 for col in SAVING_COLUMNS}}
        for r in status.itertuples(index=False)
        if any(np.isfinite(getattr(r, c)) for c in SAVING_COLUMNS)
    ]
    page = _env().get_template("lekp.html.j2").render(
        css=jinja2.utils.markupsafe.Markup(_css("print.css")),
        m={k: municipality.get(k) for k in MUNICIPALITY_KEYS},
        fmt=charts.format_number,
        date_nl=_date_nl,
        year=year,
        due=_date_nl(dt.date(year + 1, *REPORT_DUE)),
        made_on=_date_nl(dt.date.today()),
        goals=status.to_dict("records"),
        n_on_track=int(status["status"].isin(["op schema", "behaald"]).sum()),
        progress_uri=progress_uri,
        series_charts=series_charts,
        map_uri=map_uri,
        n_renovations=len(ren),
        n_mapped=n_mapped,
        measure_counts=list(measure_counts.items()),
        savings=savings,
        saving_captions=SAVING_COLUMNS,
        savings_basis=SAVINGS_BASIS_NL,
        sources=[{"name": s.get("name", "–"), "date": s.get("date", "–"),
                  "licence": s.get("licence", "–")} for s in sources],
    )
    stem = f"lekp_{municipality['nis_code']}_{year}"
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(page, encoding="utf-8")
    pdf_path = out_dir / f"{stem}.pdf"
    HTML(string=page, base_url=str(out_dir)).write_pdf(pdf_path)
    log.info("LEKP report %s: %d goals, %d charts", stem, len(status), len(chart_paths))
    return {"html": html_path, "pdf": pdf_path, "charts": chart_paths}


def _slug(text: Any) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in str(text).lower())[:40]


__all__ = ["INDICATOR_COLUMNS", "TARGET_COLUMNS", "goal_status", "render_lekp_report",
           "renovation_points"]
