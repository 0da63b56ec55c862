"""Static choropleth maps (PNG) of aggregated areas, with Dutch legend, scale bar and sources.

:func:`classify_areas` puts each area in a mapclassify class; :func:`render_png` draws the map
with matplotlib's object API (no pyplot state, Agg canvas: runs headless).
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError

log = logging.getLogger(__name__)

ATTRIBUTION = (
    "Bronnen: Digitaal Vlaanderen (Gebouwenregister, Adressenregister, DHMV), Statbel, "
    "TABULA/VITO; berekening wijkreno"
)
"""Data sources, printed on every map."""

SCHEMES: tuple[str, ...] = ("NaturalBreaks", "Quantiles", "EqualInterval", "FisherJenks")

_STANDARDISED = " (EPC-berekening, gestandaardiseerd)"
"""Suffix of the captions of the engine's money, energy and CO2 columns (their basis)."""

LABELS_NL: dict[str, str] = {
    "priority_score": "Prioriteitsscore (0 = laag, 1 = hoog)",
    "priority_rank": "Prioriteit (rang)",
    "epc_score_mean_kwh_per_m2": "Gemiddelde EPC-score [kWh/m² per jaar]",
    "epc_score_median_kwh_per_m2": "Mediaan EPC-score [kWh/m² per jaar]",
    "epc_score_area_weighted_kwh_per_m2": "EPC-score gewogen naar vloeroppervlakte [kWh/m²]",
    "label_ef_frac": "Aandeel woningen met EPC-label E of F",
    "old_ef_frac": "Aandeel oude woningen (vóór 1970) met label E/F",
    "collective_potential_frac": "Aandeel woningen in groepen van ≥ 10 (collectief potentieel)",
    "tenant_frac": "Aandeel huurders (waar gekend)",
    "low_income_frac": "Aandeel laagste inkomenscategorie",
    "income_eur": "Inkomen [EUR]",
    "imputed_inputs_frac": "Aandeel woningen met geschatte (geïmputeerde) gegevens",
    "n_dwellings": "Aantal woningen",
    "co2_flemish_kg_co2": "CO2-uitstoot, Vlaamse factoren [kg/jaar]" + _STANDARDISED,
    "co2_com_kg_co2": "CO2-uitstoot, Burgemeestersconvenant [kg/jaar]" + _STANDARDISED,
    "co2_flemish_per_dwelling_kg_co2": "CO2 per woning, Vlaamse factoren [kg/jaar]" + _STANDARDISED,
    "co2_com_per_dwelling_kg_co2":
        "CO2 per woning, Burgemeestersconvenant [kg/jaar]" + _STANDARDISED,
    "energy_cost_per_dwelling_eur": "Energiekost per woning [EUR/jaar]" + _STANDARDISED,
    "energy_cost_eur": "Energiekost [EUR/jaar]" + _STANDARDISED,
    "final_energy_kwh": "Eindenergie [kWh/jaar]" + _STANDARDISED,
    "primary_energy_kwh": "Primair energieverbruik [kWh/jaar]" + _STANDARDISED,
    "plan_investment_eur": "Investering renovatiepakketten [EUR]",
    "plan_premium_eur": "Premies [EUR]",
    "plan_net_cost_eur": "Netto kost na premies [EUR]",
    "plan_saving_eur": "Besparing [EUR/jaar]",
    "plan_saving_kwh": "Energiebesparing [kWh/jaar]",
    "plan_saving_co2_flemish_kg_co2": "CO2-besparing, Vlaamse factoren [kg/jaar]",
    "plan_saving_co2_com_kg_co2": "CO2-besparing, Burgemeestersconvenant [kg/jaar]",
    "plan_investment_per_dwelling_eur": "Investering per woning [EUR]",
    "plan_saving_co2_flemish_per_dwelling_kg_co2": "CO2-besparing per woning [kg/jaar]",
}
"""Dutch captions of the aggregated columns, for legends, popups and titles."""

EPC_COLOURS: dict[str, str] = {
    "A+": "#00843d", "A": "#00a651", "B": "#8dc63f", "C": "#fff200", "D": "#fdb913",
    "E": "#f37021", "F": "#ed1c24",
}
"""Colours of the EPC labels (the green-to-red scale of the Flemish EPC certificate)."""

CLASS_COLOURS: tuple[str, ...] = (
    "#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026", "#800026",
)
"""Sequential yellow-orange-red classes (ColorBrewer YlOrRd), light = low, dark = high."""

POINT_CLASS_COLOURS: tuple[str, ...] = (
    "#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486",
)
"""Sequential purples (ColorBrewer Purples) used under EPC-coloured dwelling dots, so that the
dots' green-to-red label colours are not mistaken for the areas' classes."""

NO_DATA_COLOUR = "#d9d9d9"


STATE_LABELS_NL: dict[str, str] = {
    "n_heat_pumps": "Warmtepompen",
    "hp_electricity_kwh": "Elektriciteit warmtepompen [kWh/jaar]",
    "hp_peak_kw": "Winterpiek warmtepompen [kW]",
    "combined_peak_kw": "Winterpiek met huishoudens [kW]",
    "peak_growth_frac": "Groei winterpiek door warmtepompen",
    "baseline_peak_kw": "Winterpiek huishoudens zonder warmtepompen [kW]",
}
"""Captions of the ``wijkreno peaks`` layer, whose columns end in ``_<state>`` (today, a year)."""

_BASIS_PREFIXES: dict[str, str] = {
    "expected_": "verwacht werkelijk verbruik",
    "calibrated_": "gekalibreerd op Fluvius-meters",
}
"""Column prefixes of the expected and calibrated bases (``expected_energy_cost_eur``) and
their Dutch names (:data:`wijkreno.simulate.expected.BASIS_LABELS_NL`)."""


def caption(column: str) -> str:
    """Dutch caption of a column (the column name itself when unknown).

    Money, energy and CO2 columns name their basis: the engine's columns are the EPC
    calculation (standardised); ``expected_…`` and ``calibrated_…`` columns carry the expected
    or calibrated basis in the caption.
    """
    if column in LABELS_NL:
        return LABELS_NL[column]
    if column in STATE_LABELS_NL:
        return STATE_LABELS_NL[column]
    for base, text in STATE_LABELS_NL.items():
        if column.startswith(base + "_"):
            state = column.removeprefix(base + "_")
            return f"{text}, {'vandaag' if state == 'today' else state}"
    for prefix, basis_nl in _BASIS_PREFIXES.items():
        rest = column.removeprefix(prefix)
        if rest != column and rest in LABELS_NL:
            return LABELS_NL[rest].replace("" + _STANDARDISED,
                                           f" ({basis_nl})")
    if column.startswith("priority_"):
        return f"Prioriteitscomponent {column.removeprefix('priority_').replace('_', ' ')} (0–1)"
    return column


def format_nl(value: float, column: str = "") -> str:
    """A number in Dutch notation: decimal comma, thin-space thousands; shares as percent."""
    if value is None or not np.isfinite(value):
        return "–"
    if column.endswith("_frac"):
        return f"{100 * value:.0f} %".replace(".", ",")
    if abs(value) >= 100 or column.startswith("n_"):
        return f"{value:,.0f}".replace(",", "\u2009")
    if abs(value) >= 10:
        return f"{value:.1f}".replace(".", ",")
    return f"{value:.2f}".replace(".", ",")


@dataclass(frozen=True)
class MapClasses:
    """Classes of one mapped column.

    Attributes
    ----------
    scheme : str
        mapclassify scheme actually used.
    bins : numpy.ndarray
        Upper bound of each class (the last is the maximum).
    classes : pandas.Series
        Class index per area (0 = lowest), ``-1`` where the value is missing; indexed like the
        frame.
    lower : float
        Minimum of the values (lower bound of the first class).
    """

    scheme: str
    bins: np.ndarray
    classes: pd.Series
    lower: float

    def labels(self, column: str = "") -> list[str]:
        """Dutch legend labels with the class bounds, e.g. ``"0,35 – 0,52"``."""
        lows = [self.lower, *self.bins[:-1]]
        return [format_nl(hi, column) if format_nl(lo, column) == format_nl(hi, column)
                else f"{format_nl(lo, column)} – {format_nl(hi, column)}"
                for lo, hi in zip(lows, self.bins, strict=True)]


def classify_areas(
    frame: pd.DataFrame, column: str, *, scheme: str = "NaturalBreaks", k: int = 5
) -> MapClasses:
    """Classify the areas' values with mapclassify.

    Parameters
    ----------
    frame : DataFrame
        The areas.
    column : str
        Numeric column to classify.
    scheme : str
        A mapclassify scheme (:data:`SCHEMES`).
    k : int
        Number of classes; fewer when there are fewer distinct values.

    Returns
    -------
    MapClasses
    """
    if column not in frame.columns:
        raise InputError(f"the areas have no column {column!r}; columns: {list(frame.columns)}.")
    if scheme not in SCHEMES:
        raise InputError(f"scheme must be one of {list(SCHEMES)}, got {scheme!r}.")
    if not 1 <= k <= len(CLASS_COLOURS):
        raise InputError(f"k must be between 1 and {len(CLASS_COLOURS)}, got {k}.")
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    ok = values.notna() & np.isfinite(values)
    classes = pd.Series(-1, index=frame.index, dtype="int64")
    y = values[ok].to_numpy()
    if len(y) == 0:
        return MapClasses(scheme, np.array([]), classes, np.nan)
    k_eff = min(k, len(np.unique(y)))
    if k_eff <= 1:
        # one distinct value: one class holding it (mapclassify needs two)
        classes[ok] = 0
        return MapClasses(scheme, np.array([y.max()]), classes, float(y.min()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns when k exceeds distinct values
        clf = mapclassify.classify(y, scheme=scheme, k=k_eff)
    classes[ok] = np.asarray(clf.yb, dtype=np.int64)
    return MapClasses(scheme, np.asarray(clf.bins, dtype=np.float64), classes, float(y.min()))


def scale_bar_length_m(span_m: float) -> float:
    """A round scale-bar length near a fifth of the map width: 1, 2 or 5 × 10^n metres."""
    target = span_m / 5.0
    exp = 10 ** math.floor(math.log10(target))
    return max(m * exp for m in (1, 2, 5) if m * exp <= target)


def _scale_bar(ax, xmin: float, xmax: float, ymin: float, ymax: float) -> None:
    # matplotlib-scalebar is not a dependency: a two-segment bar drawn in map units (metres,
    # EPSG:31370 is a metric projection with negligible scale error at municipal extent)
    length = scale_bar_length_m(xmax - xmin)
    height = 0.012 * (ymax - ymin)
    x0 = xmin + 0.04 * (xmax - xmin)
    y0 = ymin + 0.05 * (ymax - ymin)
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x0 + i * length / 2, y0), length / 2, height, facecolor=colour,
                               edgecolor="black", linewidth=0.8, zorder=5))
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for x, label in ((x0, "0"), (x0 + length, text.replace(".", ","))):
        ax.text(x, y0 + 1.8 * height, label, ha="center", va="bottom", fontsize=8, zorder=5)


def _north_arrow(fig) -> None:
    # in the side panel, not on the map, so it never hides an area or its name
    fig.text(0.955, 0.175, "N", ha="center", va="center", fontsize=11, fontweight="bold")
    fig.add_artist(FancyArrow(0.955, 0.195, 0.0, 0.05, width=0.002, head_width=0.012,
                              head_length=0.02, length_includes_head=True, color="black",
                              transform=fig.transFigure))


def render_png(
    frame: gpd.GeoDataFrame,
    column: str,
    path: str | Path,
    *,
    title: str | None = None,
    scheme: str = "NaturalBreaks",
    k: int = 5,
    points: gpd.GeoDataFrame | None = None,
    label_column: str | None = "area_name",
    north_arrow: bool = True,
    dpi: int = 150,
    note: str | None = None,
    sources: str | None = None,
) -> MapClasses:
    """Draw a choropleth of ``column`` and save it as PNG.

    Parameters
    ----------
    frame : GeoDataFrame
        Areas (polygons, EPSG:31370), e.g. from ``aggregate_dwellings`` joined with
        ``priority_score``. Rows without geometry are left out of the map.
    column : str
        Column to map (numeric).
    path : str or Path
        PNG file to write.
    title : str, optional
        Map title; the Dutch caption of ``column`` when None.
    scheme : str
        mapclassify scheme, ``NaturalBreaks`` (Jenks) or ``Quantiles`` (equal counts).
    k : int
        Number of classes.
    points : GeoDataFrame, optional
        Dwellings or buildings (EPSG:31370) drawn as dots, coloured by ``epc_label`` when they
        have it.
    label_column : str or None
        Column whose value is written on each area (e.g. its name) when there are at most 40.
    north_arrow : bool
        Draw a north arrow.
    dpi : int
        Resolution [dots per inch] of the 10 × 8 inch figure.
    note : str, optional
        The line under the class method that says what the figure is (default: standardised,
        calculated use, not metered).
    sources : str, optional
        The sources line at the bottom (default: :data:`ATTRIBUTION`).

    Returns
    -------
    MapClasses
        The classes drawn (bins and each area's class).
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(f"render_png needs a GeoDataFrame, got {type(frame).__name__}.")
    require_lambert72(frame, "the areas")
    drawn = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if drawn.empty:
        raise InputError("none of the areas has a geometry; nothing to draw.")
    classes = classify_areas(drawn, column, scheme=scheme, k=k)
    n_classes = len(classes.bins)
    epc_points = points is not None and len(points) > 0 and "epc_label" in points.columns
    palette = _palette(n_classes, POINT_CLASS_COLOURS if epc_points else CLASS_COLOURS)
    colours = np.where(classes.classes.to_numpy() >= 0,
                       np.array(palette + [NO_DATA_COLOUR])[classes.classes.to_numpy()],
                       NO_DATA_COLOUR)

    fig = Figure(figsize=(10, 8), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.1, 0.66, 0.8))
    drawn.plot(ax=ax, color=colours, edgecolor="#4d4d4d", linewidth=0.6)
    handles: list = [Patch(facecolor=c, edgecolor="#4d4d4d", label=lab)
                     for c, lab in zip(palette, classes.labels(column), strict=True)]
    counts = np.bincount(classes.classes[classes.classes >= 0], minlength=n_classes)
    handles = [Patch(facecolor=h.get_facecolor(), edgecolor="#4d4d4d",
                     label=f"{h.get_label()}  ({n} {'gebied' if n == 1 else 'gebieden'})")
               for h, n in zip(handles, counts, strict=True)]
    if (classes.classes < 0).any():
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="#4d4d4d",
                             label="geen gegevens"))
    point_handles: list = []
    if points is not None and len(points):
        require_lambert72(points, "the points")
        pts = points[~(points.geometry.isna() | points.geometry.is_empty)]
        if "epc_label" in pts.columns:
            lab = pts["epc_label"].astype("object")
            colour = lab.map(EPC_COLOURS).fillna("#737373").to_numpy()
            present = [x for x in EPC_COLOURS if (lab == x).any()]
            point_handles = [Line2D([], [], marker="o", linestyle="", markersize=5,
                                    markerfacecolor=EPC_COLOURS[x], markeredgecolor="#333333",
                                    markeredgewidth=0.3, label=f"label {x}") for x in present]
        else:
            colour = "#333333"
        ax.scatter(pts.geometry.x, pts.geometry.y, s=4, c=colour, edgecolors="#333333",
                   linewidths=0.15, zorder=3)
    if label_column and label_column in drawn.columns and len(drawn) <= 40:
        rep = drawn.geometry.representative_point()
        for x, y, text in zip(rep.x, rep.y, drawn[label_column], strict=True):
            if pd.notna(text):
                ax.text(x, y, str(text), ha="center", va="center", fontsize=7, zorder=4,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.7})
    xmin, ymin, xmax, ymax = drawn.total_bounds
    pad = 0.04 * max(xmax - xmin, ymax - ymin, 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    _scale_bar(ax, x0, x1, y0, y1)
    if north_arrow:
        _north_arrow(fig)
    legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.69, 0.88),
                        title=_wrap(caption(column), 40), fontsize=8, title_fontsize=9,
                        frameon=False, alignment="left")
    legend.set_title(legend.get_title().get_text())
    if point_handles:
        top = 0.88 - 0.03 * (len(handles) + 3)
        fig.legend(handles=point_handles, loc="upper left", bbox_to_anchor=(0.69, top),
                   title="EPC-label woningen", fontsize=8, title_fontsize=9, frameon=False,
                   alignment="left")
    method = {"NaturalBreaks": "natuurlijke breuken (Jenks)", "Quantiles": "kwantielen",
              "EqualInterval": "gelijke intervallen", "FisherJenks": "Fisher-Jenks"}
    note = note or "Berekend (gestandaardiseerd), niet gemeten verbruik"
    fig.text(0.69, 0.14, f"Klassen: {method[classes.scheme]}\n{_wrap(note, 48)}", fontsize=7,
             color="#4d4d4d", va="bottom")
    fig.suptitle(title or caption(column), x=0.02, y=0.965, ha="left", fontsize=14,
                 fontweight="bold")
    fig.text(0.02, 0.03, sources or ATTRIBUTION, fontsize=7, color="#4d4d4d", ha="left")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor="white")
    return classes


def _palette(n: int, colours: tuple[str, ...] = CLASS_COLOURS) -> list[str]:
    """``n`` colours spread over a sequential scale, light to dark."""
    if n <= 0:
        return []
    if n == 1:
        return [colours[3]]
    idx = np.round(np.linspace(0, len(colours) - 2, n)).astype(int)
    return [colours[i] for i in idx]


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)
