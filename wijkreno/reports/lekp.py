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
import re
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
    "co2_saved_flemish_kg_co2": "CO2-besparing, Vlaamse factoren [ton/jaar]",
    "co2_saved_com_kg_co2": "CO2-besparing, Burgemeesters\u00adconvenant [ton/jaar]",
    "energy_saved_kwh": "Energie\u00adbesparing [MWh/jaar]",
}
"""Captions of the savings table (the basis, :data:`SAVINGS_BASIS_NL`, is in its heading)."""

SCALING_BASES_NL: dict[str, str] = {
    "inhabitants": "doel naar het aantal inwoners",
    "households": "doel naar het aantal huishoudens",
    "housing_units": "doel naar het aantal wooneenheden",
    "fixed": "vast doel",
    "own_buildings": "doel t.o.v. het basisjaar van het eigen patrimonium",
}
"""What a target scales with, in Dutch (``scaling_base`` of the goal file)."""

INDICATORS_NL: dict[str, str] = {
    "collective_renovation_equivalents": "renovatie-equivalenten in collectieve projecten",
    "collective_fossil_free_equivalents":
        "fossielvrije renovatie-equivalenten in collectieve projecten",
    "klimaattafel_invited_housing_units": "op klimaattafels uitgenodigde wooneenheden",
    "trajectories_delivered": "huishoudens met een aangeboden renovatietraject",
    "wvc_signed_with_collective_renovation":
        "ondertekende wijkverbeteringscontracten met een collectieve renovatie",
    "participative_projects": "participatieve projecten in gebruik",
    "participative_kwp": "participatief hernieuwbaar vermogen in gebruik",
    "energy_community_access": "toegangen tot een energiegemeenschap",
    "own_buildings_co2_reduction": "CO2-reductie van de eigen gebouwen t.o.v. het basisjaar",
    "own_buildings_primary_energy_reduction":
        "daling van het primair energieverbruik van de eigen gebouwen t.o.v. het basisjaar",
    "charging_points": "publiek toegankelijke laadpunten",
}
"""What each goal counts, in Dutch (``indicator`` of the goal file)."""

COUNTING_RULES_NL: dict[str, str] = {
    "vvsg_measure": "één renovatie-equivalent per maatregel in een collectief project (VVSG)",
    "per_dwelling": "één per woning met minstens één maatregel in een collectief project",
}
"""The counting rules of collective renovations, in Dutch."""

STATUS_MISSED = "deadline gemist"
"""Status of a goal whose deadline passed before it was reached."""


def indicator_nl(indicator: Any, title: Any = "") -> str:
    """Dutch words for an indicator code; the goal's title when the code is unknown (an
    internal name is never shown)."""
    code = str(indicator)
    if code in INDICATORS_NL:
        return INDICATORS_NL[code]
    return str(title) if re.fullmatch(r"[a-z0-9_]+", code) else code


def counting_rule_nl(text: Any) -> str:
    """A counting rule in Dutch: rule codes (``vvsg_measure``, also in ``[...]``) in words."""
    out = str(text)
    for code, words in COUNTING_RULES_NL.items():
        out = out.replace(f"[{code}]", f"(regel: {words})").replace(code, words)
    return out.replace("(regel: zie [counting])", "").replace("  ", " ").strip()


def unit_nl(unit: Any) -> str:
    """A goal's unit as shown: '%' for fractions."""
    return "%" if charts.is_fraction(str(unit)) else str(unit)

MUNICIPALITY_KEYS: tuple[str, ...] = ("nis_code", "name", "inhabitants", "households",
                                      "housing_units")

REPORT_DUE = (5, 1)
"""The yearly LEKP report goes to the gemeenteraad by 1 May (DOMAIN.md section 5)."""

MAX_MAP_CATEGORIES = 7
MAX_PROJECT_ROWS = 25
"""Most collective projects listed in the report (largest first)."""


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
        "behaald", "op schema", "achter op schema", "deadline gemist" (the deadline lies at or
        before the end of ``year``, or the indicators' ``as_of``, and the target was not
        reached), "geen gegevens") and ``sentence`` (plain Dutch; a missed deadline says by
        how much and how long ago).
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
    reference = _reference_date(indicators, year)
    status, sentence = [], []
    for row in out.itertuples(index=False):
        unit = str(row.unit)
        deadline = _date_nl(row.deadline)
        if not np.isfinite(row.realised_cumulative):
            status.append("geen gegevens")
            sentence.append(f"Voor dit doel zijn nog geen gegevens geregistreerd (doel: "
                            f"{_amount(row.target, unit)} tegen {deadline}).")
            continue
        real_txt = _progress(row.realised_cumulative, row.target, row.share_achieved_frac,
                             unit)
        due = pd.to_datetime(row.deadline, errors="coerce")
        missed = (pd.notna(due) and due.date() <= reference and np.isfinite(row.target)
                  and row.realised_cumulative < row.target)
        if np.isfinite(row.target) and row.realised_cumulative >= row.target:
            status.append("behaald")
            sentence.append(f"Doel behaald: {real_txt}.")
        elif missed:
            status.append(STATUS_MISSED)
            sentence.append(_missed_sentence(row, unit, deadline, due.date(), reference))
        elif row.on_track is True:
            proj = _projection(row, unit, deadline)
            status.append("op schema")
            sentence.append(f"Op schema: {real_txt}.{proj}")
        else:
            proj = _projection(row, unit, deadline)
            status.append("achter op schema")
            need = (f" Nog {_amount(row.remaining, unit)} nodig tegen {deadline}"
                    + (f", gemiddeld {_amount(row.remaining_per_year, unit)} per jaar."
                       if np.isfinite(row.deadline_year) and row.deadline_year > year else "."))
            sentence.append(f"Achter op schema: {real_txt}.{proj}{need}")
    out["status"] = status
    out["sentence"] = sentence
    return out


def _reference_date(indicators: pd.DataFrame, year: int) -> dt.date:
    """The date the report's state refers to: the end of ``year``, or the indicators'
    ``as_of`` when that lies earlier (a report on the running year)."""
    end = dt.date(int(year), 12, 31)
    if "as_of" in indicators.columns:
        as_of = pd.to_datetime(indicators["as_of"], errors="coerce").dropna()
        if len(as_of):
            return min(end, as_of.max().date())
    return end


def _progress(real: float, target: float, share: float, unit: str) -> str:
    """'120 van 272 wooneenheden gerealiseerd (44 %)', or for a fraction '60 % gerealiseerd
    (doel 55 %)'."""
    if charts.is_fraction(unit):
        return f"{_amount(real, unit)} gerealiseerd (doel {_amount(target, unit)})"
    return (f"{charts.format_number(real)} van {charts.format_number(target)} {unit} "
            "gerealiseerd" + (f" ({charts.format_number(100 * share, 0)} %)"
                              if np.isfinite(share) else ""))


def _projection(row: Any, unit: str, deadline: str) -> str:
    if not np.isfinite(row.projected_at_deadline):
        return ""
    return (f" Bij het huidige tempo: {_amount(row.projected_at_deadline, unit)} verwacht "
            f"tegen {deadline}.")


def _missed_sentence(row: Any, unit: str, deadline: str, due: dt.date,
                     reference: dt.date) -> str:
    """The deadline passed without the target: by how much, and how long ago."""
    short = float(row.target) - float(row.realised_cumulative)
    share_short = (f" ({charts.format_number(100 * short / row.target, 0)} % van het doel)"
                   if row.target > 0 and not charts.is_fraction(unit) else "")
    months = (reference.year - due.year) * 12 + reference.month - due.month
    ago = ""
    if months >= 12:
        years = months // 12
        ago = f" De deadline is {years} jaar verstreken."
    elif months >= 1:
        ago = f" De deadline is {months} maand{'en' if months > 1 else ''} verstreken."
    return (f"Deadline gemist: tegen {deadline} moest {_amount(row.target, unit)} gehaald "
            f"zijn; gerealiseerd: {_amount(row.realised_cumulative, unit)}, dus "
            f"{_amount(short, unit)} te weinig{share_short}.{ago}")


UNITS_SINGULAR_NL: dict[str, str] = {
    "contracten": "contract", "huishoudens": "huishouden", "projecten": "project",
    "laadpunten": "laadpunt", "wooneenheden": "wooneenheid", "toegangspunten": "toegangspunt",
    "renovatie-equivalenten": "renovatie-equivalent", "inwoners": "inwoner"}
"""The goals' units (plural in the goal file) in the singular, for an amount of one."""


def _amount(value: float, unit: str) -> str:
    """A goal's value in words: shares (unit 'fractie') as a percentage, one notation for
    the whole report (:func:`wijkreno.reports.charts.format_amount`); one of a unit in the
    singular ('1 contract')."""
    one = value is not None and np.isfinite(value) and round(float(value), 2) == 1
    return charts.format_amount(value, UNITS_SINGULAR_NL.get(unit, unit) if one else unit)


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
    checklist: list[dict[str, Any]] | None = None,
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
        Data sources, each with ``name``, ``date``, ``licence`` and optionally ``url``
        (shown as :func:`public_source` makes them: no local paths).
    year : int
        Report year: the state at the end of this year is reported.
    out_dir : str or Path
        Output folder (created): ``lekp_<nis>_<year>.html``, ``.pdf`` and ``charts/*.png``.
    checklist : list of dict, optional
        :func:`wijkreno.indicators.checklist.register_checklist`: what the register holds,
        ticked (the officer's LEKP page shows the same); without it the report asks the
        reader to tick the registers by hand.

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
        from wijkreno.indicators import expand_buildings

        points = renovation_points(expand_buildings(ren, dwellings), dwellings)
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
    from wijkreno.indicators import collective_projects

    projects = collective_projects(ren) if "collective_project" in ren.columns else None
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
        sources=[public_source(src) for src in sources],
        amount=_amount,
        value=lambda v, unit: charts.format_amount(v, str(unit), with_unit=False),
        unit_nl=unit_nl,
        indicator_nl=indicator_nl,
        counting_rule_nl=counting_rule_nl,
        scaling_nl=lambda code: SCALING_BASES_NL.get(str(code), "doel"),
        projects=(projects.head(MAX_PROJECT_ROWS).to_dict("records")
                  if projects is not None and len(projects) else []),
        n_projects=0 if projects is None else len(projects),
        status_missed=STATUS_MISSED,
        checklist=checklist or [],
    )
    stem = f"lekp_{municipality['nis_code']}_{year}"
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(page, encoding="utf-8")
    pdf_path = out_dir / f"{stem}.pdf"
    HTML(string=page, base_url=str(out_dir)).write_pdf(pdf_path)
    log.info("LEKP report %s: %d goals, %d charts", stem, len(status), len(chart_paths))
    return {"html": html_path, "pdf": pdf_path, "charts": chart_paths}


_LOCAL_PATH = re.compile(r"\s*\((?:/|[A-Za-z]:\\)[^)]*\)|(?<![\w:/.])(?:/[\w.\-]+){2,}/?"
                         r"|\b[A-Za-z]:\\[^\s)]+")
_DATE_AT_END = re.compile(r"\s*\((\d{4}-\d{2}-\d{2})\)\s*$")
_URL = re.compile(r"\bhttps?://[^\s),;]+|\b(?:[a-z0-9-]+\.)+(?:be|eu|org|com|net)\b[^\s),;]*")


def public_source(source: dict[str, Any]) -> dict[str, str]:
    """A data source as the report shows it: name, address on the web, date, licence.

    A local file path (``/home/…/twin``, ``C:\\…``) in the name is dropped (the council reads
    where a figure comes from, not where a file lay on a laptop) and logged; a date written as
    ``(YYYY-MM-DD)`` at the end of the name fills a missing date; the first web address in the
    name fills a missing ``url``.
    """
    name = str(source.get("name") or "–")
    cleaned = _LOCAL_PATH.sub("", name).strip()
    if cleaned != name:
        log.warning("report source %r names a local path; shown as %r", name, cleaned)
    date = str(source.get("date") or "–")
    found = _DATE_AT_END.search(cleaned)
    if found:
        cleaned = cleaned[:found.start()].rstrip()
        if date in ("–", "-", ""):
            date = found.group(1)
    url = str(source.get("url") or "")
    if not url:
        hit = _URL.search(cleaned)
        url = hit.group(0) if hit else "–"
    return {"name": cleaned or "–", "url": _LOCAL_PATH.sub("", url) or "–", "date": date,
            "licence": str(source.get("licence") or "–")}


def _slug(text: Any) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in str(text).lower())[:40]


__all__ = ["COUNTING_RULES_NL", "INDICATORS_NL", "INDICATOR_COLUMNS", "SCALING_BASES_NL",
           "STATUS_MISSED", "TARGET_COLUMNS", "counting_rule_nl", "goal_status", "indicator_nl",
           "public_source", "render_lekp_report", "renovation_points", "unit_nl"]
