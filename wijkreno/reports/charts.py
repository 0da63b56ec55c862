"""Charts of the LEKP progress report and the klimaattafel sheets.

matplotlib's object API (no pyplot state, Agg canvas: runs headless). Every figure is sized at
the width it is printed on A4 (about 17 cm of text width) so that a font size in points here is
the printed size; no text is smaller than 9 pt. Labels are Dutch and carry their units.

The label path of a sheet is drawn as inline SVG (:func:`label_path_svg`), not with matplotlib:
a street bundle holds hundreds of pages and a hand-written SVG of a few rectangles costs
microseconds instead of a figure per page, and stays vector-sharp in the PDF.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from wijkreno.maps.static_map import ATTRIBUTION, EPC_COLOURS, scale_bar_length_m

log = logging.getLogger(__name__)

FONT_PT = 10.0
"""Base font size of the charts [pt] (printed size: figures are drawn at their A4 width)."""

SMALL_PT = 9.0
"""Smallest font size used [pt]."""

TEXT_WIDTH_IN = 6.7
"""Printed width of a chart on A4 with 2 cm margins [inch]."""

REALISED_COLOUR = "#1b6fa8"
TARGET_COLOUR = "#444444"
PROJECTION_COLOUR = "#e07b00"
BACKGROUND_COLOUR = "#bdbdbd"

CATEGORY_COLOURS: tuple[str, ...] = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4",
)
"""Qualitative colours (ColorBrewer Dark2 + one blue) for measures or projects on the map."""

LABEL_ORDER: tuple[str, ...] = ("A+", "A", "B", "C", "D", "E", "F")


def _figure(height_in: float, width_in: float = TEXT_WIDTH_IN) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=150)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (150 dpi)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, facecolor="white")
    return buf.getvalue()


def format_number(value: float, decimals: int | None = None) -> str:
    """Dutch notation: decimal comma, thin-space thousands; '–' for missing."""
    if value is None or not np.isfinite(value):
        return "–"
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",")


FRACTION_UNITS: tuple[str, ...] = ("fractie", "frac", "aandeel")
"""Units of goals whose values are fractions (0–1): shown as percentages everywhere."""


def is_fraction(unit: str) -> bool:
    """Whether a goal's unit is a fraction (shown as a percentage)."""
    return str(unit).strip().lower() in FRACTION_UNITS


def format_amount(value: float, unit: str, *, with_unit: bool = True) -> str:
    """A goal's value in one notation everywhere: fractions as ``55 %``, counts in Dutch
    notation with their unit (``272 wooneenheden``); '–' for missing.

    >>> format_amount(0.55, "fractie") == "55\u00a0%"
    True
    >>> format_amount(272.0, "wooneenheden")
    '272 wooneenheden'
    """
    if value is None or not np.isfinite(value):
        return "–"
    if is_fraction(unit):
        return f"{format_number(100 * value, 0)}\u00a0%"
    return f"{format_number(value)} {unit}".strip() if with_unit else format_number(value)


def target_path(target: float, deadline_year: float, years: Sequence[int] | np.ndarray,
                start_year: int = 2021) -> np.ndarray:
    """Linear target path: the cumulative amount expected at the end of each year.

    Targets count cumulatively from ``start_year`` (LEKP: 2021), so the path is 0 at the start
    of ``start_year`` and reaches ``target`` at the end of the deadline year.

    Parameters
    ----------
    target : float
        Target at the deadline [unit of the goal].
    deadline_year : float
        Year whose end is the deadline; NaN gives NaN.
    years : sequence of int
        Years at whose end the path is evaluated.
    start_year : int
        First counted year.

    Returns
    -------
    numpy.ndarray
        ``target * (year - start_year + 1) / (deadline_year - start_year + 1)``, clipped to
        ``[0, target]``.
    """
    years = np.asarray(years, dtype=np.float64)
    if not np.isfinite(deadline_year) or not np.isfinite(target):
        return np.full(years.shape, np.nan)
    span = max(deadline_year - start_year + 1.0, 1.0)
    frac = np.clip((years - start_year + 1.0) / span, 0.0, 1.0)
    return target * frac


def _wrap(text: str, width: int) -> str:
    words, lines, line = str(text).split(" "), [], ""  # not on no-break spaces
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines)


def progress_chart(status: pd.DataFrame) -> Figure:
    """Horizontal bars: realised as a share of each goal's target, with the target-path marker.

    Goals have different units, so the bar is the share of the target (0–100 %+); the numbers
    themselves are written next to each bar.

    Parameters
    ----------
    status : pandas.DataFrame
        One row per goal: ``title_nl``, ``realised_cumulative``, ``target``, ``unit``,
        ``share_achieved_frac``, ``path_frac`` (share of the target the linear path expects by
        the report year), ``on_track``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(status)
    row_in, top_in, bottom_in = 0.62, 0.45, 0.6
    height = n * row_in + top_in + bottom_in
    fig = _figure(height)
    ax = fig.add_axes((0.33, bottom_in / height, 0.38, n * row_in / height))
    share = 100 * status["share_achieved_frac"].to_numpy(np.float64)
    path = 100 * status["path_frac"].to_numpy(np.float64)
    y = np.arange(n)[::-1]
    on_track = status["on_track"].to_numpy(dtype=object)
    colours = [REALISED_COLOUR if ok is True or ok == 1 else PROJECTION_COLOUR
               for ok in on_track]
    shown = np.where(np.isfinite(share), np.minimum(share, 125.0), 0.0)
    ax.barh(y, shown, height=0.55, color=colours, zorder=2)
    ax.scatter(path, y, marker="|", s=420, linewidths=2.5, color=TARGET_COLOUR, zorder=3)
    ax.axvline(100, color=TARGET_COLOUR, linewidth=1.0, linestyle="-", zorder=1)
    ax.set_xlim(0, 130)
    ax.set_ylim(-0.5, n - 0.5)
    ax.set_xticks([0, 25, 50, 75, 100, 125])
    ax.set_xticklabels(["0 %", "25 %", "50 %", "75 %", "100 %", "125 %"], fontsize=SMALL_PT)
    ax.set_xlabel("Gerealiseerd, als aandeel van het doel [%]", fontsize=FONT_PT)
    ax.set_yticks(y)
    ax.set_yticklabels([_wrap(t, 32) for t in status["title_nl"].astype(str)],
                       fontsize=SMALL_PT)
    ax.grid(axis="x", color="#e5e5e5", zorder=0)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    for yi, (real, tgt, unit, sh) in zip(
            y, status[["realised_cumulative", "target", "unit", "share_achieved_frac"]]
            .itertuples(index=False), strict=True):
        if not np.isfinite(real):
            text = "geen gegevens"
        elif is_fraction(unit):
            text = f"{format_amount(real, unit)} (doel {format_amount(tgt, unit)})"
        else:
            text = (f"{format_number(real)} van {format_number(tgt)} {unit}"
                    + (f" ({format_number(100 * sh, 0)}\u00a0%)" if np.isfinite(sh) else ""))
        # figure coordinates of the bar's centre: axes bottom + its share of the axes height
        y_fig = (bottom_in + (yi + 0.5) * row_in) / height
        fig.text(0.73, y_fig, _wrap(text, 24), fontsize=SMALL_PT, va="center", ha="left")
    handles = [Patch(color=REALISED_COLOUR, label="op schema"),
               Patch(color=PROJECTION_COLOUR, label="achter op schema"),
               Line2D([], [], marker="|", linestyle="none", markersize=14, markeredgewidth=2.5,
                      color=TARGET_COLOUR, label="verwacht volgens lineair doelpad")]
    fig.legend(handles=handles, loc="upper center", ncol=3, fontsize=SMALL_PT, frameon=False,
               bbox_to_anchor=(0.5, 1.0), handlelength=1.5, columnspacing=1.5)
    return fig


def timeseries_chart(series: pd.DataFrame, *, title: str, unit: str, target: float,
                     deadline_year: float, as_of_year: int,
                     projected_at_deadline: float = np.nan) -> Figure:
    """Cumulative realised per year against the linear target path, projection dashed.

    Parameters
    ----------
    series : pandas.DataFrame
        ``year`` and ``realised_cumulative`` (years after ``as_of_year`` are not drawn as
        realised).
    title, unit : str
        Goal title and unit (Dutch).
    target : float
        Target at the deadline [unit].
    deadline_year : float
        Year whose end is the deadline.
    as_of_year : int
        Last year with realised figures.
    projected_at_deadline : float
        Projection at the deadline [unit]; drawn dashed from the last realised value.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(3.0)
    ax = fig.add_axes((0.11, 0.3, 0.86, 0.6))
    s = series.sort_values("year")
    years = s["year"].to_numpy(np.int64)
    real = s["realised_cumulative"].to_numpy(np.float64)
    done = (years <= as_of_year) & np.isfinite(real)
    first = int(min(years.min(initial=2021), 2021))
    last = int(max(years.max(initial=as_of_year),
                   deadline_year if np.isfinite(deadline_year) else as_of_year))
    axis_years = np.arange(first, last + 1)
    ax.bar(years[done], real[done], width=0.6, color=REALISED_COLOUR, zorder=2,
           label="gerealiseerd (cumulatief)")
    handles = [Patch(color=REALISED_COLOUR, label="gerealiseerd (cumulatief)")]
    if np.isfinite(target) and np.isfinite(deadline_year):
        ax.plot(axis_years, target_path(target, deadline_year, axis_years), color=TARGET_COLOUR,
                linestyle=":", linewidth=1.8, zorder=3)
        ax.axhline(target, color=TARGET_COLOUR, linewidth=0.8, zorder=1)
        handles.append(Line2D([], [], color=TARGET_COLOUR, linestyle=":", linewidth=1.8,
                              label="lineair doelpad"))
        handles.append(Line2D([], [], color=TARGET_COLOUR, linewidth=0.8,
                              label=f"doel: {format_amount(target, unit, with_unit=False)}"))
    if np.isfinite(projected_at_deadline) and np.isfinite(deadline_year) and done.any():
        x0, y0 = years[done][-1], real[done][-1]
        ax.plot([x0, deadline_year], [y0, projected_at_deadline], color=PROJECTION_COLOUR,
                linestyle="--", linewidth=2.0, zorder=4)
        ax.plot([deadline_year], [projected_at_deadline], marker="o", color=PROJECTION_COLOUR,
                zorder=4)
        handles.append(Line2D([], [], color=PROJECTION_COLOUR, linestyle="--", linewidth=2.0,
                              label="projectie: " + format_amount(
                                  projected_at_deadline, unit, with_unit=False)))
    ax.set_xticks(axis_years)
    ax.set_xticklabels([str(y) for y in axis_years], fontsize=SMALL_PT)
    ax.set_xlim(first - 0.6, last + 0.6)
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="y", labelsize=SMALL_PT)
    ax.yaxis.set_major_formatter(lambda v, _pos: format_amount(v, unit, with_unit=False))
    ax.set_ylabel(_wrap(f"Cumulatief [{'%' if is_fraction(unit) else unit}]", 18),
                  fontsize=SMALL_PT)
    ax.set_title(_wrap(title, 70), fontsize=FONT_PT + 1, loc="left")
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.54, 0.0),
               ncol=min(len(handles), 4), fontsize=SMALL_PT, frameon=False, handlelength=1.8,
               columnspacing=1.2)
    return fig


def renovation_map(background: pd.DataFrame | None, points: pd.DataFrame, *,
                   category: str, title: str) -> Figure:
    """Map of realised renovations as coloured points on the municipality's dwellings.

    Parameters
    ----------
    background : GeoDataFrame or None
        All dwellings (EPSG:31370 points), drawn light grey.
    points : GeoDataFrame
        One row per renovated address with a ``category`` column (EPSG:31370 points).
    category : str
        Column holding the Dutch category (measure or collective project).
    title : str
        Map title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _figure(7.2)
    ax = fig.add_axes((0.02, 0.25, 0.96, 0.69))
    ax.set_axis_off()
    ax.set_aspect("equal")
    frames = [f for f in (background, points) if f is not None and len(f)]
    if background is not None and len(background):
        ax.scatter(background.geometry.x, background.geometry.y, s=5, color=BACKGROUND_COLOUR,
                   linewidths=0, zorder=1)
    handles = [Line2D([], [], marker="o", linestyle="none", color=BACKGROUND_COLOUR,
                      markersize=5, label="woning (nog) zonder geregistreerde renovatie")]
    cats = points[category].value_counts().index.tolist() if len(points) else []
    for k, cat in enumerate(cats):
        sub = points[points[category] == cat]
        colour = CATEGORY_COLOURS[k % len(CATEGORY_COLOURS)]
        ax.scatter(sub.geometry.x, sub.geometry.y, s=22, color=colour, edgecolors="black",
                   linewidths=0.3, zorder=2)
        handles.append(Line2D([], [], marker="o", linestyle="none", color=colour,
                              markeredgecolor="black", markersize=6,
                              label=_wrap(f"{cat} ({len(sub)})", 40)))
    if frames:
        xs = np.concatenate([f.geometry.x.to_numpy() for f in frames])
        ys = np.concatenate([f.geometry.y.to_numpy() for f in frames])
        xmin, xmax, ymin, ymax = xs.min(), xs.max(), ys.min(), ys.max()
        pad = 0.05 * max(xmax - xmin, ymax - ymin, 100.0)
        xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        _scale_bar(ax, xmin, xmax, ymin, ymax)
    else:
        ax.text(0.5, 0.5, "geen adressen met een ligging", ha="center", va="center",
                fontsize=FONT_PT, transform=ax.transAxes)
    ax.set_title(_wrap(title, 60), fontsize=FONT_PT + 1, loc="left")
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.02, 0.24), ncol=2,
               fontsize=SMALL_PT, frameon=False, title="Legende (aantal adressen)",
               title_fontsize=FONT_PT, alignment="left")
    ax.text(0.98, 0.98, "N\n↑", ha="center", va="top", fontsize=12, fontweight="bold",
            transform=ax.transAxes)
    fig.text(0.02, 0.015, _wrap(ATTRIBUTION + "; gemeentelijk renovatieregister", 95),
             fontsize=SMALL_PT, color="#333333")
    return fig


def _scale_bar(ax, xmin: float, xmax: float, ymin: float, ymax: float) -> None:
    # the maps package draws its bar with 8 pt labels; the report needs >= 9 pt at A4, so the
    # same two-segment bar (EPSG:31370 is metric) with the length rule of wijkreno.maps
    length = scale_bar_length_m(xmax - xmin)
    height = 0.012 * (ymax - ymin)
    x0 = xmin + 0.04 * (xmax - xmin)
    y0 = ymin + 0.04 * (ymax - ymin)
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x0 + i * length / 2, y0), length / 2, height, facecolor=colour,
                               edgecolor="black", linewidth=0.8, zorder=5))
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for x, label in ((x0, "0"), (x0 + length, text.replace(".", ","))):
        ax.text(x, y0 + 1.8 * height, label, ha="center", va="bottom", fontsize=SMALL_PT,
                zorder=5)


def label_path_svg(scores: Sequence[float], labels: Sequence[str], names: Sequence[str],
                   target_score: float, *, width: int = 640, height: int = 150) -> str:
    """Inline SVG of the EPC score after each step, bars in the label colours.

    Parameters
    ----------
    scores : sequence of float
        EPC score of the current state and after each step [kWh m-2 yr-1].
    labels : sequence of str
        EPC label of each state.
    names : sequence of str
        Caption under each bar ("nu", "stap 1", ...).
    target_score : float
        Target score [kWh m-2 yr-1], drawn as a dashed line.
    width, height : int
        Size of the drawing [px at 96 dpi].

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    scores = np.asarray(scores, dtype=np.float64)
    finite = scores[np.isfinite(scores)]
    top = max(float(finite.max(initial=0.0)), float(target_score)
              if np.isfinite(target_score) else 0.0, 50.0) * 1.15
    bottom = min(float(finite.min(initial=0.0)), 0.0)
    # the right margin holds the target line's label, clear of the bars
    left, right, ytop, ybot = 52, 84, 18, height - 24
    n = max(len(scores), 1)
    slot = (width - left - right) / n

    def ypix(v: float) -> float:
        return ybot - (v - bottom) / (top - bottom) * (ybot - ytop)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, sans-serif" '
             'font-size="12">']
    step = 10 ** math.floor(math.log10(max(top - bottom, 1.0)))
    step = step * 2 if (top - bottom) / step < 4 else step * 5 if (top - bottom) / step > 8 \
        else step
    tick = math.ceil(bottom / step) * step
    while tick <= top:
        y = ypix(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{format_number(tick, 0)}</text>')
        tick += step
    zero = ypix(0.0)
    for i, (score, lab, name) in enumerate(zip(scores, labels, names, strict=True)):
        x = left + i * slot + 0.15 * slot
        w = 0.7 * slot
        colour = EPC_COLOURS.get(str(lab), "#999999")
        if np.isfinite(score):
            y0, y1 = sorted((ypix(score), zero))
            parts.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{w:.1f}" '
                         f'height="{max(y1 - y0, 1):.1f}" fill="{colour}" stroke="#333" '
                         'stroke-width="0.5"/>')
            parts.append(f'<text x="{x + w / 2:.1f}" y="{min(y0, zero) - 3:.1f}" '
                         f'text-anchor="middle" font-weight="bold">{escape(str(lab))} '
                         f'({format_number(score, 0)})</text>')
        parts.append(f'<text x="{x + w / 2:.1f}" y="{height - 8}" text-anchor="middle">'
                     f'{escape(str(name))}</text>')
    if np.isfinite(target_score):
        y = ypix(target_score)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#000" stroke-dasharray="6,4" stroke-width="1.2"/>')
        parts.append(f'<text x="{width - right + 4}" y="{y + 4:.1f}" text-anchor="start">'
                     f'doel ≤ {format_number(target_score, 0)}</text>')
    parts.append('<text x="4" y="12" font-size="11">kWh/m²·jaar</text>')
    parts.append("</svg>")
    return "".join(parts)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    rgb = [int(colour.lstrip("#")[k:k + 2], 16) / 255.0 for k in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    hi, lo = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def ink_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (``#rrggbb``): the text
    colour of a label chip. On every EPC colour the ratio is at least 4.5:1 (WCAG AA; the F
    red reaches it only in black, the A+ green only in white)."""
    black, white = "#000000", "#ffffff"
    return black if contrast_ratio(black, background) >= contrast_ratio(white, background) \
        else white


def label_scale(current: str) -> list[dict[str, object]]:
    """The EPC label scale A+ … F with its colours and text colours (:func:`ink_on`), the
    current label marked."""
    return [{"label": lab, "colour": EPC_COLOURS[lab], "ink": ink_on(EPC_COLOURS[lab]),
             "current": lab == str(current)} for lab in LABEL_ORDER]


__all__ = ["FONT_PT", "FRACTION_UNITS", "SMALL_PT", "contrast_ratio", "format_amount",
           "format_number", "ink_on", "is_fraction", "label_path_svg", "label_scale",
           "png_bytes", "progress_chart", "renovation_map", "target_path", "timeseries_chart"]
