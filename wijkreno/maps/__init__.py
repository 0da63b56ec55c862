"""Maps and map files of aggregated areas.

- :func:`write_area_files` (from :mod:`wijkreno.io.tables`): GeoParquet (EPSG:31370), GeoJSON
  (EPSG:4326, the web edge only) and CSV (no geometry) of one aggregation level;
- :func:`wijkreno.maps.static_map.render_png`: a static choropleth (matplotlib, mapclassify);
- :func:`wijkreno.maps.web_map.render_html`: a self-contained interactive map (MapLibre GL JS
  inlined from the vendored npm files; works offline from ``file://``).
"""

from __future__ import annotations

from wijkreno.io.tables import write_area_files
from wijkreno.maps.static_map import ATTRIBUTION, classify_areas, render_png
from wijkreno.maps.web_map import render_html

__all__ = ["ATTRIBUTION", "classify_areas", "render_html", "render_png", "write_area_files"]
