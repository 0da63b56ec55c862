"""Self-contained interactive HTML map of aggregated areas (MapLibre GL JS, offline).

The page inlines MapLibre GL JS and its CSS from the vendored npm files in
``wijkreno/maps/static/maplibre-gl/`` (refresh them with ``scripts/vendor_maplibre.sh``), uses a
style without tiles, glyphs or sprites (a plain background colour), and embeds the data as
GeoJSON in EPSG:4326. It therefore opens from ``file://`` without any network.

Classes and popups are computed here, in Python, so that the web map shows exactly the classes
of the PNG (:func:`wijkreno.maps.static_map.classify_areas`) and Dutch number formatting.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError
from wijkreno.maps.static_map import (
    ATTRIBUTION,
    CLASS_COLOURS,
    EPC_COLOURS,
    NO_DATA_COLOUR,
    POINT_CLASS_COLOURS,
    _palette,
    caption,
    classify_areas,
    format_nl,
)

DEFAULT_LAYERS: tuple[str, ...] = (
    "priority_score", "epc_score_mean_kwh_per_m2", "label_ef_frac",
)
"""Columns offered in the layer switch (those present), the first shown at opening."""

POPUP_COLUMNS: tuple[str, ...] = (
    "n_dwellings", "epc_score_mean_kwh_per_m2", "epc_score_median_kwh_per_m2", "label_ef_frac",
    "old_ef_frac", "collective_potential_frac", "tenant_frac", "income_eur",
    "imputed_inputs_frac", "co2_flemish_kg_co2", "co2_com_kg_co2", "plan_investment_eur",
    "plan_premium_eur", "plan_net_cost_eur", "plan_saving_eur",
    "plan_saving_co2_flemish_kg_co2", "plan_saving_co2_com_kg_co2",
)
"""Figures listed in an area's popup (those present), in this order."""

MAPLIBRE_DIR = "static/maplibre-gl"


def _vendored(name: str) -> str:
    try:
        return resources.files("wijkreno.maps").joinpath(MAPLIBRE_DIR, name).read_text("utf-8")
    except OSError as exc:
        raise InputError(
            f"the vendored MapLibre file {name} is missing ({exc}); run "
            "scripts/vendor_maplibre.sh to restore wijkreno/maps/static/maplibre-gl/."
        ) from None


def _value_nl(value: Any, column: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
        return "–"
    if isinstance(value, int | float | np.integer | np.floating):
        text = format_nl(float(value), column)
        if column.endswith("_kg_co2"):
            return format_nl(float(value) / 1000.0, column) + " t"
        return text
    return html.escape(str(value))


def _caption_popup(column: str) -> str:
    if column.endswith("_kg_co2"):
        return caption(column).replace("[kg/jaar]", "[ton/jaar]").replace("[kg", "[ton")
    return caption(column)


def _popup_html(row: pd.Series, key: str, columns: list[str], components: list[str],
                weights: dict[str, float], ranges: list[str]) -> str:
    name = row.get("area_name")
    head = html.escape(str(name)) if pd.notna(name) else ""
    code = html.escape(str(row.get(key, "")))
    parts = [f"<h3>{head or code}</h3>", f"<p class='code'>{code}</p>", "<table>"]
    if "priority_score" in row.index and pd.notna(row["priority_score"]):
        rank = row.get("priority_rank")
        rank_txt = f" (rang {int(rank)})" if pd.notna(rank) else ""
        parts.append(f"<tr class='hl'><th>Prioriteitsscore</th><td>"
                     f"{format_nl(float(row['priority_score']))}{rank_txt}</td></tr>")
    for col in columns:
        parts.append(f"<tr><th>{html.escape(_caption_popup(col))}</th>"
                     f"<td>{_value_nl(row[col], col)}</td></tr>")
    for col in ranges:
        lo, hi = row[f"{col}_p10"], row[f"{col}_p90"]
        parts.append(f"<tr class='range'><th>{html.escape(_caption_popup(col))}, "
                     f"bereik p10–p90</th><td>{_value_nl(lo, col)} – {_value_nl(hi, col)}"
                     "</td></tr>")
    parts.append("</table>")
    if components:
        parts.append("<p class='sub'>Waarom deze score: componenten (0 = laag, 1 = hoog) "
                     "× gewicht</p><table>")
        for comp in components:
            w = weights.get(comp)
            w_txt = f"× {format_nl(w)}" if w is not None else "niet meegeteld"
            parts.append(f"<tr><th>{html.escape(comp.replace('_', ' '))}</th><td>"
                         f"{_value_nl(row[f'priority_{comp}'], '')} {w_txt}</td></tr>")
        parts.append("</table>")
    return "".join(parts)


def _dwelling_features(dwellings: gpd.GeoDataFrame, max_dwellings: int) -> dict[str, Any]:
    require_lambert72(dwellings, "the dwellings")
    pts = dwellings[~(dwellings.geometry.isna() | dwellings.geometry.is_empty)]
    if len(pts) > max_dwellings:
        raise InputError(
            f"{len(pts):,} dwellings is too many to embed in one HTML file (max "
            f"{max_dwellings:,}); pass the dwellings of fewer areas or raise max_dwellings.")
    web = pts.to_crs(4326)
    x = np.round(web.geometry.x.to_numpy(), 6)
    y = np.round(web.geometry.y.to_numpy(), 6)
    label = (pts["epc_label"].astype("object").where(pts["epc_label"].notna(), "?").astype(str)
             .to_numpy() if "epc_label" in pts.columns else np.full(len(pts), "?"))
    score = (pd.to_numeric(pts["epc_score_kwh_per_m2"], errors="coerce").to_numpy()
             if "epc_score_kwh_per_m2" in pts.columns else np.full(len(pts), np.nan))
    address = pd.Series([""] * len(pts), index=pts.index, dtype="object")
    if "street" in pts.columns:
        address = pts["street"].astype("object").fillna("").astype(str)
        if "house_number" in pts.columns:
            address = address + " " + pts["house_number"].astype("object").fillna("").astype(str)
        if "box_number" in pts.columns:
            box = pts["box_number"].astype("object")
            address = address + np.where(box.notna(), " bus " + box.fillna("").astype(str), "")
    feats = []
    for xi, yi, lab, sc, addr in zip(x, y, label, score, address.str.strip(), strict=True):
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(xi), float(yi)]},
            "properties": {"label": lab, "addr": addr,
                           "score": None if not np.isfinite(sc) else round(float(sc))},
        })
    return {"type": "FeatureCollection", "features": feats}


def render_html(
    areas: gpd.GeoDataFrame,
    path: str | Path,
    *,
    dwellings: gpd.GeoDataFrame | None = None,
    title: str = "Prioriteitenkaart renovatie",
    layers: tuple[str, ...] | list[str] = DEFAULT_LAYERS,
    scheme: str = "Quantiles",
    k: int = 5,
    background: str = "#f3f1ec",
    max_dwellings: int = 200_000,
    popup_columns: tuple[str, ...] | list[str] = POPUP_COLUMNS,
) -> Path:
    """Write a self-contained interactive map (one HTML file, works offline).

    Parameters
    ----------
    areas : GeoDataFrame
        Aggregated areas (EPSG:31370) with ``priority_score`` and its ``priority_*`` components
        when available. Rows without geometry are left out.
    path : str or Path
        HTML file to write.
    dwellings : GeoDataFrame, optional
        Dwellings (points, EPSG:31370) shown from zoom 14, coloured by ``epc_label``, with the
        label as text from zoom 17 and a popup (address, label, EPC score).
    title : str
        Page and map title (Dutch).
    layers : sequence of str
        Columns offered in the layer switch; those absent from ``areas`` are skipped.
    scheme, k : str, int
        Classification of each layer (see :func:`~wijkreno.maps.static_map.classify_areas`).
    background : str
        CSS colour of the empty background (no tiles are loaded).
    max_dwellings : int
        Refuse more dwellings than this (the file would become unwieldy).
    popup_columns : sequence of str
        Figures listed in an area's popup (those present), in this order.

    Returns
    -------
    Path
        The file written.
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError(f"render_html needs a GeoDataFrame, got {type(areas).__name__}.")
    require_lambert72(areas, "the areas")
    drawn = areas[~(areas.geometry.isna() | areas.geometry.is_empty)].reset_index(drop=True)
    if drawn.empty:
        raise InputError("none of the areas has a geometry; nothing to draw.")
    key = areas.attrs.get("level_key") or next(
        (c for c in ("sector_code", "wijk_code", "nis_code") if c in drawn.columns), None)
    layer_cols = [c for c in layers if c in drawn.columns]
    if not layer_cols:
        raise InputError(f"none of the layer columns {list(layers)} is in the areas.")
    layer_specs = []
    props = pd.DataFrame(index=drawn.index)
    for i, col in enumerate(layer_cols):
        cls = classify_areas(drawn, col, scheme=scheme, k=k)
        props[f"_c{i}"] = cls.classes.to_numpy()
        layer_specs.append({"id": i, "column": col, "caption": caption(col),
                            # purples under the EPC-coloured dwelling dots, as on the PNG
                            "colours": _palette(len(cls.bins), POINT_CLASS_COLOURS
                                                if dwellings is not None else CLASS_COLOURS),
                            "labels": cls.labels(col)})
    components = [c.removeprefix("priority_") for c in drawn.columns
                  if c.startswith("priority_") and c not in ("priority_score", "priority_rank")
                  and drawn[c].notna().any()]
    weights = dict(areas.attrs.get("priority_weights", {}))
    columns = [c for c in popup_columns if c in drawn.columns]
    ranges = [c.removesuffix("_p10") for c in drawn.columns
              if c.endswith("_p10") and f"{c.removesuffix('_p10')}_p90" in drawn.columns]
    props["_popup"] = [
        _popup_html(row, key or "", columns, components, weights, ranges)
        for _, row in drawn.iterrows()  # one popup per area (hundreds at most), not per dwelling
    ]
    props["_name"] = drawn.get("area_name", pd.Series(dtype="string")).astype("object")
    web = gpd.GeoDataFrame(props, geometry=drawn.geometry.to_crs(4326).to_numpy(), crs=4326)
    area_json = json.loads(web.to_json(na="null", drop_id=True))
    bounds = [float(v) for v in web.total_bounds]
    data = {
        "areas": area_json,
        "dwellings": None if dwellings is None else _dwelling_features(dwellings, max_dwellings),
        "layers": layer_specs,
        "bounds": bounds,
        "noData": NO_DATA_COLOUR,
        "epcColours": EPC_COLOURS,
        "background": background,
    }
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("wijkreno.maps", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    page = env.get_template("map.html.j2").render(
        title=title,
        attribution=ATTRIBUTION,
        maplibre_js=jinja2.utils.markupsafe.Markup(_vendored("maplibre-gl.js")),
        maplibre_css=jinja2.utils.markupsafe.Markup(_vendored("maplibre-gl.css")),
        maplibre_version=_vendored("VERSION").strip(),
        # '</' escaped so that no string in the data can close the <script> element
        data_json=jinja2.utils.markupsafe.Markup(
            json.dumps(data, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")),
        epc_colours=EPC_COLOURS,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
