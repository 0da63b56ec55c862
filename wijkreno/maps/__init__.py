"""Maps and map files of aggregated areas.

- :func:`write_area_files` (from :mod:`wijkreno.io.tables`): GeoParquet (EPSG:31370), GeoJSON
  (EPSG:4326, the web edge only) and CSV (no geometry) of one aggregation level;
- :func:`wijkreno.maps.static_map.render_png`: a static choropleth (matplotlib, mapclassify);
- :func:`wijkreno.maps.web_map.render_html`: a self-contained interactive map (MapLibre GL JS
  inlined from the vendored npm files; works offline from ``file://``);
- :func:`wijkreno.maps.streets.street_lines`: street lines and name anchors drawn from the
  address points (the web map's offline background);
- :func:`wijkreno.maps.indicators.add_map_indicators`: saving potential per dwelling and cost
  per tonne of CO2 avoided per area.
"""

from __future__ import annotations

from wijkreno.io.tables import write_area_files
from wijkreno.maps.indicators import add_map_indicators
from wijkreno.maps.static_map import ATTRIBUTION, classify_areas, render_png
from wijkreno.maps.streets import street_lines
from wijkreno.maps.web_map import render_html

__all__ = ["ATTRIBUTION", "add_map_indicators", "classify_areas", "render_html", "render_png",
           "street_lines", "write_area_files"]
