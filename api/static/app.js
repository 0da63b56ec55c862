/* wijkreno map page: sector choropleth with names, building footprints by EPC label, street
   lines and names drawn from the twin, collective groups, headline totals of the view, address
   search, street view and the coach's correction form in the sidebar.
   Plain browser JavaScript, no build step, no CDN: MapLibre GL JS is served by the app; text
   labels are drawn by MapLibre from the browser's own fonts (the style has no glyph server).
   window.__wijkreno exposes the page state for the browser tests (ready, feature counts). */
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) { window.print(); }
  });
  var cfgEl = document.getElementById("wijkreno-config");
  if (!cfgEl) { return; }  // print view: only the print button above
  var CFG = JSON.parse(cfgEl.textContent);
  var T = CFG.strings;
  var STATE = window.__wijkreno = {
    ready: false, sectorFeatures: 0, dwellingFeatures: 0, buildingFeatures: 0,
    streetFeatures: 0, groupFeatures: 0, selected: null, selectedSector: null,
    trajectoryLoaded: false, trajectoryBasis: null, searchResults: 0, streetLoaded: null,
    user: null, overridesSaved: 0, lastRerunMs: null, totals: null, errors: []
  };
  var locale = CFG.lang === "nl" ? "nl-BE" : "en-GB";
  var LABELS = ["A+", "A", "B", "C", "D", "E", "F"];
  var DARK_TEXT_LABELS = { "A": 1, "B": 1, "C": 1, "D": 1, "E": 1 };  // contrast >= 4.5

  // ---------------------------------------------------------------- helpers
  function fmt(v, digits) {
    if (v === null || v === undefined || v === "" || !isFinite(v)) { return "–"; }
    return Number(v).toLocaleString(locale, {
      maximumFractionDigits: digits === undefined ? 0 : digits,
      minimumFractionDigits: digits === undefined ? 0 : digits });
  }
  function pct(v, digits) {
    return (v === null || v === undefined || !isFinite(v)) ? "–" : fmt(v * 100, digits || 0) + " %";
  }
  function money(v) {
    if (v === null || v === undefined || !isFinite(v)) { return "–"; }
    if (Math.abs(v) >= 1e6) { return "€ " + fmt(v / 1e6, 1) + " " + T.million; }
    return "€ " + fmt(v);
  }
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  function tpl(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }
  function badge(label, big) {
    var c = CFG.epcColours[label] || "#ddd";
    var ink = DARK_TEXT_LABELS[label] ? "#111" : "#fff";
    return "<span class='badge" + (big ? " big" : "") + "' style='background:" + c + ";color:" + ink + "'>" +
      esc(label || "?") + "</span>";
  }
  function cookie(name) {
    var m = new RegExp("(?:^|; )" + name + "=([^;]*)").exec(document.cookie);
    return m ? decodeURIComponent(m[1]) : null;
  }
  var csrfToken = null;
  function request(method, url, body, signal) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (method !== "GET") {
      var token = csrfToken || cookie("wijkreno_csrf");
      if (token) { headers["X-CSRF-Token"] = token; }
    }
    return fetch(url, { method: method, signal: signal, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (b) {
          if (!r.ok) {
            var err = new Error((b && b.detail) || (r.status + " " + r.statusText));
            err.status = r.status; throw err;
          }
          return b;
        });
      });
  }
  function getJSON(url, signal) { return request("GET", url, undefined, signal); }
  function emptyFC() { return { type: "FeatureCollection", features: [] }; }

  // ---------------------------------------------------------------- map
  var wide = function () { return window.matchMedia("(min-width: 861px)").matches; };
  var style = { version: 8, sources: {}, layers: [
    { id: "background", type: "background", paint: { "background-color": "#f3f1ec" } }] };
  if (CFG.background) {
    style.sources.grb = { type: "raster", tiles: [CFG.background.url], tileSize: 256,
      attribution: CFG.background.attribution, maxzoom: 20 };
    style.layers.push({ id: "grb", type: "raster", source: "grb",
      layout: { visibility: "none" }, paint: { "raster-opacity": 0.85 } });
  }
  var map = new maplibregl.Map({
    container: "map", style: style, center: [4.4, 51.0], zoom: 12,
    attributionControl: false, dragRotate: false, pitchWithRotate: false
  });
  Object.defineProperty(STATE, "map", { value: map, enumerable: false });  // for the tests
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  map.addControl(new maplibregl.AttributionControl({ compact: true,
    customAttribution: T.attribution }), "bottom-right");

  var sectors = null, current = 0, areaCount = 0;
  var FONT = ["DejaVu Sans", "Noto Sans", "Arial"];
  var FONT_BOLD = ["DejaVu Sans Bold", "Noto Sans Bold", "Arial Bold"];

  // ------------------------------------------------------ classes and legend
  function finite(v) { return v !== null && v !== undefined && v !== "" && isFinite(v); }
  function classesOf(values, k) {
    // quantiles on the sorted values; equal values never straddle a break, and each class
    // spans the values it really holds: the classes never overlap
    var v = values.filter(finite).map(Number).sort(function (a, b) { return a - b; });
    var n = v.length, out = [], start = 0;
    for (var i = 1; i <= k && start < n; i++) {
      var end = i === k ? n : Math.max(start + 1, Math.floor(i * n / k));
      while (end < n && v[end] === v[end - 1]) { end++; }
      out.push({ lo: v[start], hi: v[end - 1] });
      start = end;
    }
    return out;
  }
  function layerValue(col, v, digits) {
    if (!finite(v)) { return "–"; }
    if (col.slice(-5) === "_frac") { return pct(v, digits); }
    var base = col === "priority_score" ? 2 : 0;
    return fmt(v, base + (digits || 0));
  }
  function classLabels(col, classes) {
    // add decimals until no two neighbouring classes print the same bound
    for (var d = 0; d <= 3; d++) {
      var labels = classes.map(function (k) {
        var lo = layerValue(col, k.lo, d), hi = layerValue(col, k.hi, d);
        return { lo: lo, hi: hi, text: lo === hi ? lo : lo + " – " + hi };
      });
      var clash = labels.some(function (l, i) { return i > 0 && labels[i - 1].hi === l.lo; });
      if (!clash) { return labels.map(function (l) { return l.text; }); }
    }
    return labels.map(function (l) { return l.text; });
  }
  function classColour(layer, i) {
    return CFG.classColours[Math.round(i * (CFG.classColours.length - 1) /
      Math.max(1, layer.classes.length - 1))];
  }
  function classify() {
    CFG.layers.forEach(function (layer, li) {
      var col = layer.column;
      var classes = classesOf(sectors.features.map(function (f) { return f.properties[col]; }),
        CFG.classColours.length);
      layer.classes = classes;
      layer.labels = classLabels(col, classes);
      layer.present = classes.length > 0;
      sectors.features.forEach(function (f) {
        var v = f.properties[col], c = -1;
        if (finite(v)) {
          c = classes.findIndex(function (k) { return v <= k.hi; });
          if (c < 0) { c = classes.length - 1; }
        }
        f.properties["_c" + li] = c;
      });
    });
  }
  function colourOf(li) {
    var layer = CFG.layers[li];
    if (!(layer.classes || []).length) { return CFG.noData; }
    var expr = ["match", ["get", "_c" + li]];
    layer.classes.forEach(function (k, i) { expr.push(i, classColour(layer, i)); });
    expr.push(CFG.noData);
    return expr;
  }
  function legend() {
    var layer = CFG.layers[current], h = "<h2 class='legend-title'>" + esc(layer.caption) + "</h2>";
    (layer.classes || []).forEach(function (k, i) {
      h += "<div class='row'><span class='swatch' style='background:" + classColour(layer, i) +
        "'></span>" + esc(layer.labels[i]) + "</div>";
    });
    h += "<div class='row'><span class='swatch' style='background:" + CFG.noData + "'></span>" +
      esc(T.no_data) + "</div><h2 class='legend-title'>" + esc(T.dwellings_legend) + "</h2><div class='labels'>";
    LABELS.forEach(function (l) { h += badge(l); });
    h += "</div><div class='row'><span class='swatch group-swatch'></span>" + esc(T.groups_legend) +
      "</div><div class='row'><span class='swatch street-swatch'></span>" + esc(T.streets_legend) + "</div>";
    document.getElementById("legend").innerHTML = h;
    document.getElementById("layer-note").textContent = layer.note || "";
  }
  function layerSwitch() {
    var box = document.getElementById("layers");
    CFG.layers.forEach(function (layer, li) {
      var label = document.createElement("label"), input = document.createElement("input");
      input.type = "radio"; input.name = "layer"; input.value = layer.column;
      input.checked = li === current;
      input.addEventListener("change", function () {
        current = li;
        map.setPaintProperty("sectors-fill", "fill-color", colourOf(li));
        legend();
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(layer.caption));
      box.appendChild(label);
    });
    var over = document.getElementById("overlays");
    function toggle(id, text, checked, onChange) {
      var label = document.createElement("label"), input = document.createElement("input");
      input.type = "checkbox"; input.id = id; input.checked = checked;
      input.addEventListener("change", function () { onChange(input.checked); });
      label.appendChild(input); label.appendChild(document.createTextNode(text));
      over.appendChild(label);
    }
    toggle("toggle-groups", T.layer_groups, true, function (on) {
      ["groups-fill", "groups-line"].forEach(function (l) {
        map.setLayoutProperty(l, "visibility", on ? "visible" : "none"); });
    });
    if (CFG.background) {
      toggle("toggle-background", T.layer_background, false, function (on) {
        map.setLayoutProperty("grb", "visibility", on ? "visible" : "none");
      });
    }
  }
  function bounds(fc) {
    var b = [180, 90, -180, -90];
    function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else { c.forEach(walk); }
    }
    fc.features.forEach(function (f) { if (f.geometry) { walk(f.geometry.coordinates); } });
    return b;
  }
  function padding() { return wide() ? { top: 40, bottom: 30, left: 300, right: 40 } : { top: 110, bottom: 20, left: 20, right: 20 }; }

  map.on("load", function () {
    ["sectors", "wijken", "dwellings", "buildings", "streets", "groups", "selected"].forEach(function (s) {
      map.addSource(s, { type: "geojson", data: emptyFC() });
    });
    var epc = ["match", ["get", "epc_label"]];
    LABELS.forEach(function (l) { epc.push(l, CFG.epcColours[l]); });
    epc.push("#9a9a9a");
    var z = CFG.dwellingMinZoom;
    map.addLayer({ id: "sectors-fill", type: "fill", source: "sectors",
      paint: { "fill-color": CFG.noData,
               "fill-opacity": ["interpolate", ["linear"], ["zoom"], z - 1, 0.75, z + 0.5, 0.22] } });
    map.addLayer({ id: "streets-line", type: "line", source: "streets", minzoom: CFG.streetMinZoom - 1,
      filter: ["==", ["geometry-type"], "LineString"],
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": "#ffffff", "line-opacity": 0.9,
               "line-width": ["interpolate", ["linear"], ["zoom"], 14, 2, 18, 10] } });
    map.addLayer({ id: "buildings-fill", type: "fill", source: "buildings", minzoom: CFG.footprintMinZoom,
      paint: { "fill-color": epc, "fill-opacity": 0.9 } });
    map.addLayer({ id: "buildings-line", type: "line", source: "buildings", minzoom: CFG.footprintMinZoom,
      paint: { "line-color": "#3b3b3b", "line-width": 0.6 } });
    map.addLayer({ id: "groups-fill", type: "fill", source: "groups", minzoom: z + 1,
      paint: { "fill-color": "#4a1486", "fill-opacity": 0.06 } });
    map.addLayer({ id: "groups-line", type: "line", source: "groups", minzoom: z + 1,
      paint: { "line-color": "#4a1486", "line-width": 1.6, "line-dasharray": [2, 1.5] } });
    map.addLayer({ id: "sectors-line", type: "line", source: "sectors",
      paint: { "line-color": "#444", "line-width": 1 } });
    map.addLayer({ id: "sectors-selected", type: "line", source: "sectors",
      paint: { "line-color": "#111", "line-width": 4,
               "line-opacity": ["case", ["boolean", ["feature-state", "sel"], false], 1, 0] } });
    map.addLayer({ id: "dwellings", type: "circle", source: "dwellings", minzoom: z + 0.5,
      paint: { "circle-color": epc, "circle-stroke-color": "#222", "circle-stroke-width": 0.8,
               "circle-radius": ["interpolate", ["linear"], ["zoom"], z + 0.5, 3, 19, 7] } });
    map.addLayer({ id: "selected", type: "circle", source: "selected",
      paint: { "circle-radius": 13, "circle-color": "rgba(0,0,0,0)",
               "circle-stroke-color": "#000", "circle-stroke-width": 3 } });
    var halo = { "text-color": "#1d2327", "text-halo-color": "#ffffff", "text-halo-width": 2 };
    map.addLayer({ id: "streets-label", type: "symbol", source: "streets", minzoom: CFG.streetMinZoom,
      filter: ["==", ["geometry-type"], "LineString"],
      layout: { "symbol-placement": "line", "text-field": ["get", "street"], "text-font": FONT,
                "text-size": 13, "text-max-angle": 40, "symbol-spacing": 300 },
      paint: halo });
    map.addLayer({ id: "streets-point-label", type: "symbol", source: "streets",
      minzoom: CFG.streetMinZoom + 1, filter: ["==", ["geometry-type"], "Point"],
      layout: { "text-field": ["get", "street"], "text-font": FONT, "text-size": 12 },
      paint: halo });
    map.addLayer({ id: "sectors-label", type: "symbol", source: "sectors", minzoom: 12.5,
      maxzoom: z + 0.5,
      layout: { "text-field": ["coalesce", ["get", "area_name"], ["get", "sector_code"]],
                "text-font": FONT_BOLD, "text-size": 13, "text-max-width": 9 },
      paint: { "text-color": "#1d2327", "text-halo-color": "rgba(255,255,255,0.95)", "text-halo-width": 2 } });
    map.addLayer({ id: "wijken-line", type: "line", source: "wijken", maxzoom: z,
      paint: { "line-color": "#1d2327", "line-width": 2.2 } });
    map.addLayer({ id: "wijken-label", type: "symbol", source: "wijken", maxzoom: 12.5,
      layout: { "text-field": ["coalesce", ["get", "area_name"], ["get", "wijk_code"]],
                "text-font": FONT_BOLD, "text-size": 15, "text-transform": "uppercase",
                "text-letter-spacing": 0.05, "text-max-width": 8 },
      paint: { "text-color": "#1d2327", "text-halo-color": "#ffffff", "text-halo-width": 2.5 } });

    getJSON("/api/sectors").then(function (fc) {
      sectors = fc;
      areaCount = fc.features.length;
      classify();
      map.getSource("sectors").setData(sectors);
      map.setPaintProperty("sectors-fill", "fill-color", colourOf(0));
      layerSwitch(); legend();
      if (fc.features.length) {
        var b = bounds(fc);
        map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: padding(), duration: 0,
          maxZoom: CFG.dwellingMinZoom - 0.5 });
      }
      map.once("idle", function () {
        STATE.sectorFeatures = sectorsInView().length;
        STATE.ready = STATE.sectorFeatures > 0;
        updateTotals();
        route();
      });
    }).catch(function (err) {
      STATE.errors.push(String(err.message));
      sidebar("<p class='status no'>" + esc(T.load_error) + ": " + esc(err.message) + "</p>");
    });
    getJSON("/api/health").then(function (h) {
      var levels = h.area_levels || [];
      var wijk = levels.indexOf("wijk") >= 0 ? "wijk" : null;
      if (wijk) {
        getJSON("/api/areas/" + wijk).then(function (fc) { map.getSource("wijken").setData(fc); })
          .catch(function () { /* no wijk names: the sector names remain */ });
      }
    }).catch(function () { /* health is optional here */ });
    refreshView();
  });

  // sectors by geometry, on the GeoJSON itself: MapLibre's rendered-feature index of the sector
  // source comes back empty from zoom 15 on (MapLibre 5.24), so clicks and totals do not rely on it
  function inRing(pt, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > pt[1]) !== (yj > pt[1]) && pt[0] < (xj - xi) * (pt[1] - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }
  function inPolygon(pt, rings) {
    if (!inRing(pt, rings[0])) { return false; }
    for (var i = 1; i < rings.length; i++) { if (inRing(pt, rings[i])) { return false; } }
    return true;
  }
  function sectorAt(lngLat) {
    if (!sectors) { return null; }
    var pt = [lngLat.lng, lngLat.lat];
    for (var i = 0; i < sectors.features.length; i++) {
      var f = sectors.features[i], g = f.geometry;
      if (!g) { continue; }
      var polys = g.type === "Polygon" ? [g.coordinates] : (g.type === "MultiPolygon" ? g.coordinates : []);
      for (var k = 0; k < polys.length; k++) { if (inPolygon(pt, polys[k])) { return f; } }
    }
    return null;
  }
  function sectorsInView() {
    if (!sectors) { return []; }
    var b = map.getBounds();
    return sectors.features.filter(function (f) {
      if (!f.geometry) { return false; }
      if (!f._bbox) { f._bbox = bounds({ features: [f] }); }
      return f._bbox[0] <= b.getEast() && f._bbox[2] >= b.getWest() &&
        f._bbox[1] <= b.getNorth() && f._bbox[3] >= b.getSouth();
    });
  }

  // ------------------------------------------- footprints, streets, groups, dwellings in view
  var viewFetch = null;
  function note(text) { document.getElementById("zoom-note").textContent = text || ""; }
  function viewBox() {
    // the view, clipped around its centre to the service's largest bounding box
    var b = map.getBounds(), c = map.getCenter();
    var w = b.getEast() - b.getWest(), h = b.getNorth() - b.getSouth();
    var kmLon = 111.32 * Math.cos(c.lat * Math.PI / 180), kmLat = 110.57;
    var area = w * kmLon * h * kmLat, maxArea = CFG.maxBboxAreaKm2 * 0.95;
    if (area > maxArea) {
      var f = Math.sqrt(maxArea / area); w *= f; h *= f;
    }
    return [c.lng - w / 2, c.lat - h / 2, c.lng + w / 2, c.lat + h / 2].map(function (x) {
      return x.toFixed(6); });
  }
  function refreshView() {
    if (viewFetch) { viewFetch.abort(); viewFetch = null; }
    var zoom = map.getZoom();
    if (zoom < CFG.streetMinZoom - 1) {
      note(T.zoom_in); updateTotals(); return;
    }
    note("");
    viewFetch = new AbortController();
    var sig = viewFetch.signal, box = viewBox().join(",");
    // each layer is asked for only from the zoom it is drawn at (its layer's minzoom)
    var jobs = [["streets", "/api/street-lines?bbox=" + box, "streetFeatures"]];
    if (zoom >= CFG.dwellingMinZoom - 0.5) {
      jobs.push(["dwellings", "/api/dwellings?bbox=" + box, "dwellingFeatures"]);
    }
    if (zoom >= CFG.footprintMinZoom) {
      jobs.push(["buildings", "/api/buildings?bbox=" + box, "buildingFeatures"]);
    }
    if (zoom >= CFG.dwellingMinZoom + 1) {
      jobs.push(["groups", "/api/group-layer?bbox=" + box, "groupFeatures"]);
    }
    jobs.forEach(function (job) {
      getJSON(job[1], sig).then(function (fc) {
        map.getSource(job[0]).setData(fc);
        STATE[job[2]] = (fc.features || []).length;
        if (job[0] === "dwellings") { updateTotals(fc); }
      }).catch(function (err) {
        if (err.name === "AbortError") { return; }
        if (err.status === 404 && job[0] === "groups") { return; }  // no groups stage
        if (err.status === 413 && job[0] === "buildings") {
          // more footprints than the service draws at once: say so, keep the rest of the map
          map.getSource("buildings").setData(emptyFC());
          STATE.buildingFeatures = 0;
          note(T.zoom_in_footprints);
          return;
        }
        note(err.status === 400 || err.status === 413 ? T.too_many : T.load_error);
      });
    });
    if (zoom < CFG.dwellingMinZoom - 0.5) { updateTotals(); }
  }
  map.on("moveend", function () { if (map.getSource("dwellings")) { refreshView(); } });

  // ---------------------------------------------------------------- totals in view
  var lastDwellings = null;
  function updateTotals(dwellingFC) {
    if (dwellingFC) { lastDwellings = dwellingFC; }
    var box = document.getElementById("totals");
    if (!sectors) { return; }
    var t = { n: 0, ef: 0, labelled: 0, inv: 0, co2: 0 }, from;
    if (map.getZoom() >= CFG.dwellingMinZoom - 0.5 && lastDwellings) {
      from = T.totals_from_dwellings;
      lastDwellings.features.forEach(function (f) {
        var p = f.properties;
        t.n += 1;
        if (p.epc_label) { t.labelled += 1; if (p.epc_label === "E" || p.epc_label === "F") { t.ef += 1; } }
        if (finite(p.plan_investment_eur)) { t.inv += p.plan_investment_eur; }
        if (finite(p.co2_flemish_kg_co2)) { t.co2 += p.co2_flemish_kg_co2; }
      });
    } else {
      from = T.totals_from_sectors;
      sectorsInView().forEach(function (f) {
        var p = f.properties, n = Number(p.n_dwellings) || 0;
        t.n += n;
        if (finite(p.label_ef_frac)) { t.labelled += n; t.ef += p.label_ef_frac * n; }
        if (finite(p.plan_investment_eur)) { t.inv += Number(p.plan_investment_eur); }
        if (finite(p.co2_flemish_kg_co2)) { t.co2 += Number(p.co2_flemish_kg_co2); }
      });
    }
    STATE.totals = t;
    box.hidden = false;
    box.innerHTML = "<span class='t-title'>" + esc(T.totals_title) + "</span>" +
      "<span><b>" + fmt(t.n) + "</b> " + esc(T.totals_dwellings) + "</span>" +
      "<span><b>" + pct(t.labelled ? t.ef / t.labelled : NaN) + "</b> " + esc(T.totals_ef) + "</span>" +
      "<span><b>" + money(t.inv) + "</b> " + esc(T.totals_investment) + "</span>" +
      "<span><b>" + fmt(t.co2 / 1000) + "</b> " + esc(T.totals_co2) + "</span>" +
      "<span class='t-from'>" + esc(from) + "</span>";
  }

  // ---------------------------------------------------------------- sidebar
  var body = document.getElementById("sidebar-body"), closeBtn = document.getElementById("sidebar-close");
  function sidebar(html) { body.innerHTML = html; closeBtn.hidden = false; body.parentNode.scrollTop = 0; }
  function home() {
    body.innerHTML = "<p class='intro'>" + esc(T.intro) + "</p>" + streetPicker();
    closeBtn.hidden = true;
    wireStreetPicker();
  }
  closeBtn.addEventListener("click", function () {
    home(); select(null); selectSector(null);
    if (history.replaceState) { history.replaceState(null, "", window.location.pathname + window.location.search); }
  });
  function select(point) {
    map.getSource("selected").setData({ type: "FeatureCollection", features: point ? [
      { type: "Feature", geometry: { type: "Point", coordinates: point }, properties: {} }] : [] });
  }
  var selectedSector = null;
  function selectSector(id) {
    if (selectedSector !== null) { map.setFeatureState({ source: "sectors", id: selectedSector }, { sel: false }); }
    selectedSector = id === undefined ? null : id;
    if (selectedSector !== null) { map.setFeatureState({ source: "sectors", id: selectedSector }, { sel: true }); }
    STATE.selectedSector = selectedSector;
  }

  // ------------------------------------------------------------- sector view
  function componentText(p, comp) {
    var c = p["priority_" + comp.name];
    if (!finite(c)) { return null; }
    var col = finite(p[comp.column]) ? comp.column : comp.fallback;
    var raw = col && finite(p[col]) ? p[col] : null;
    var rawText = raw === null ? "" : (col.slice(-5) === "_frac" ? pct(raw) : fmt(raw, raw < 10 ? 1 : 0));
    var where = c >= 0.8 ? T.comp_high : (c <= 0.2 ? T.comp_low : T.comp_mid);
    return { name: T["comp_" + comp.name] || comp.name.replace(/_/g, " "), value: c,
      what: (T["comp_value_" + comp.name] || comp.column) + (rawText ? ": " + rawText : ""),
      where: where + " (" + fmt(c, 2) + "; " + tpl(T.comp_scale, { n: areaCount }) + ")",
      weight: tpl(T.comp_weight, { w: pct(comp.weight) }) };
  }
  function barChart(items) {
    // horizontal bars 0–1, plain SVG (no chart library)
    var w = 340, rowH = 24, left = 150, h = items.length * rowH + 22, s = "";
    items.forEach(function (it, i) {
      var y = i * rowH + 4, v = Math.max(0, Math.min(1, it.value || 0));
      s += "<text x='" + (left - 6) + "' y='" + (y + 14) + "' text-anchor='end' font-size='12'>" + esc(it.name) + "</text>" +
        "<rect x='" + left + "' y='" + y + "' width='" + (w - left - 40) + "' height='16' fill='#eee'/>" +
        "<rect x='" + left + "' y='" + y + "' width='" + ((w - left - 40) * v).toFixed(1) + "' height='16' fill='#6a51a3'/>" +
        "<text x='" + (w - 34) + "' y='" + (y + 13) + "' font-size='12'>" + fmt(it.value, 2) + "</text>";
    });
    s += "<text x='" + left + "' y='" + (h - 4) + "' font-size='11' fill='#555'>0</text>" +
      "<text x='" + (w - 40) + "' y='" + (h - 4) + "' font-size='11' fill='#555' text-anchor='end'>1</text>";
    return "<svg viewBox='0 0 " + w + " " + h + "' width='" + w + "' height='" + h + "' role='img' aria-label='" +
      esc(T.components) + "'>" + s + "</svg>";
  }
  function showSector(p) {
    var rows = [
      [T.n_dwellings, fmt(p.n_dwellings)],
      [T.epc_score_mean, fmt(p.epc_score_mean_kwh_per_m2)],
      [T.label_ef_frac, pct(p.label_ef_frac)],
      [T.co2, fmt((finite(p.co2_flemish_kg_co2) ? p.co2_flemish_kg_co2 : NaN) / 1000)],
      [T.totals_investment + " [€]", fmt(p.plan_investment_eur)],
      [T.plan_net_cost, fmt(p.plan_net_cost_eur)],
      [T.layer_plan_saving_kwh_per_dwelling, fmt(p.plan_saving_kwh_per_dwelling)],
      [T.layer_co2_abatement_cost_eur_per_t, fmt(p.co2_abatement_cost_eur_per_t)]
    ];
    var comps = (CFG.components || []).map(function (c) { return componentText(p, c); })
      .filter(function (c) { return c !== null; });
    var h = "<h2>" + esc(p.area_name || p.sector_code) + "</h2><p class='sub'>" + esc(T.sector) +
      " " + esc(p.sector_code || "") + "</p>";
    h += "<p class='status'><b>" + esc(T.priority_score) + ": " + fmt(p.priority_score, 2) + "</b>" +
      (p.priority_rank ? " (" + esc(T.priority_rank) + " " + fmt(p.priority_rank) + " / " + fmt(areaCount) + ")" : "") + "</p>";
    h += "<table>" + rows.map(function (r) {
      return "<tr><th scope='row'>" + esc(r[0]) + "</th><td class='num'>" + esc(r[1]) + "</td></tr>"; }).join("") + "</table>";
    if (comps.length) {
      h += "<h3>" + esc(T.components) + "</h3>" + barChart(comps) + "<ul class='components'>" +
        comps.map(function (c) {
          return "<li><b>" + esc(c.name) + "</b> — " + esc(c.what) + "; " + esc(c.where) + "; " + esc(c.weight) + ".</li>";
        }).join("") + "</ul>";
    }
    sidebar(h);
  }

  // ------------------------------------------------------------- streets
  function streetPicker() {
    return "<form id='street-form' class='street-form' role='search' autocomplete='off'>" +
      "<label for='street-input'>" + esc(T.street_pick) + "</label>" +
      "<input id='street-input' type='search' placeholder='" + esc(T.street_placeholder) + "'>" +
      "<ul id='street-results' class='street-results' aria-live='polite'></ul></form>";
  }
  var streetTimer = null, streetFetch = null;
  function wireStreetPicker() {
    var input = document.getElementById("street-input"), out = document.getElementById("street-results");
    if (!input) { return; }
    function run() {
      if (streetFetch) { streetFetch.abort(); }
      streetFetch = new AbortController();
      getJSON("/api/streets?limit=12&q=" + encodeURIComponent(input.value.trim()), streetFetch.signal).then(function (res) {
        if (!res.streets.length) { out.innerHTML = "<li class='empty'>" + esc(T.street_none) + "</li>"; return; }
        out.innerHTML = res.streets.map(function (s, i) {
          return "<li><button type='button' class='link' data-street='" + i + "'>" + esc(s.street) +
            (s.postcode ? ", " + esc(s.postcode) : "") + " <span class='muted'>(" + fmt(s.n_dwellings) + ")</span></button></li>";
        }).join("");
        out.querySelectorAll("button[data-street]").forEach(function (b) {
          b.addEventListener("click", function () {
            var s = res.streets[Number(b.getAttribute("data-street"))];
            openStreet(s.street, s.postcode);
          });
        });
      }).catch(function (err) { if (err.name !== "AbortError") { out.innerHTML = "<li class='empty'>" + esc(err.message) + "</li>"; } });
    }
    input.addEventListener("input", function () { clearTimeout(streetTimer); streetTimer = setTimeout(run, 150); });
    document.getElementById("street-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var first = out.querySelector("button[data-street]");
      if (first) { first.click(); }
    });
    run();
  }
  var currentStreet = null;
  function streetUrl(name, postcode) {
    return "/api/streets/" + encodeURIComponent(name) + (postcode ? "?postcode=" + encodeURIComponent(postcode) : "");
  }
  function openStreet(name, postcode, keepView) {
    STATE.streetLoaded = null;
    sidebar("<p>" + esc(T.loading) + "</p>");
    getJSON(streetUrl(name, postcode)).then(function (v) {
      currentStreet = { name: v.street, postcode: v.postcode };
      if (v.bbox && !keepView) {
        map.fitBounds([[v.bbox[0], v.bbox[1]], [v.bbox[2], v.bbox[3]]],
          { padding: padding(), maxZoom: 18, duration: 0 });
      }
      showStreet(v);
      STATE.streetLoaded = v.street;
      if (history.replaceState) {
        history.replaceState(null, "", "#straat=" + encodeURIComponent(v.street) +
          (v.postcode ? "&postcode=" + encodeURIComponent(v.postcode) : ""));
      }
    }).catch(function (err) {
      STATE.errors.push(String(err.message));
      sidebar("<p class='status no'>" + esc(err.message) + "</p>" + streetPicker());
      wireStreetPicker();
    });
  }
  function groupKind(kind) { return T["group_kind_" + kind] || String(kind || "").replace(/_/g, " "); }
  function groupFigures(g) {
    return "<table class='compact'>" +
      "<tr><th scope='row'>" + esc(T.cost_individual) + "</th><td class='num'>" + fmt(g.net_cost_individual_eur) + "</td></tr>" +
      "<tr><th scope='row'>" + esc(T.cost_collective) + "</th><td class='num'>" + fmt(g.net_cost_collective_eur) + "</td></tr>" +
      "<tr><th scope='row'>" + esc(T.burenpremie) + "</th><td class='num'>" + fmt(g.burenpremie_eur) + "</td></tr>" +
      "<tr><th scope='row'>" + esc(T.collective_gain) + "</th><td class='num'>" + fmt(g.collective_gain_eur) + "</td></tr></table>" +
      "<p class='note'>" + esc(g.burenpremie_eligible ? T.burenpremie_yes : T.burenpremie_no) + "</p>";
  }
  function showStreet(v) {
    var t = v.totals;
    var h = "<h2>" + esc(v.street) + "</h2><p class='sub'>" + esc(v.postcode || "") + "</p>";
    h += "<div class='kpis'><div><b>" + fmt(t.n_dwellings) + "</b><span>" + esc(T.totals_dwellings) + "</span></div>" +
      "<div><b>" + pct(t.label_ef_frac) + "</b><span>" + esc(T.totals_ef) + "</span></div>" +
      "<div><b>" + money(t.plan_investment_eur) + "</b><span>" + esc(T.totals_investment) + "</span></div>" +
      "<div><b>" + fmt((t.co2_flemish_kg_co2 || 0) / 1000, 1) + "</b><span>" + esc(T.totals_co2) + "</span></div></div>";
    h += "<a class='button' id='print-street' href='/print/street?name=" + encodeURIComponent(v.street) +
      (v.postcode ? "&postcode=" + encodeURIComponent(v.postcode) : "") + (STATE.user ? "&overrides=true" : "") +
      "&lang=" + CFG.lang + "' target='_blank' rel='noopener'>" + esc(T.print_street) + "</a>";
    h += "<h3>" + esc(T.street_groups) + "</h3>";
    if (v.groups.length) {
      h += "<ul class='groups'>" + v.groups.map(function (g) {
        return "<li><b>" + esc(groupKind(g.group_kind)) + "</b> — " + fmt(g.n_dwellings) + " " + esc(T.group_members) +
          " (" + fmt(g.n_on_street) + " " + esc(T.group_on_street) + ")" + groupFigures(g) + "</li>";
      }).join("") + "</ul>";
    } else {
      h += "<p class='note'>" + esc(T.street_no_groups) + "</p>";
    }
    h += "<h3>" + esc(T.street_dwellings) + "</h3><table class='street'><thead><tr><th scope='col'>" +
      esc(T.house_number) + "</th><th scope='col'>" + esc(T.current_label) + "</th><th scope='col'>" + esc(T.target) +
      "</th><th scope='col' class='num'>" + esc(T.net_cost) + "</th><th scope='col'>" + esc(T.group) + "</th></tr></thead><tbody></tbody></table>" +
      "<p class='note' id='street-shown' aria-live='polite'></p>" +
      "<button type='button' class='button' id='street-more' hidden>" + esc(T.street_more) + "</button>";
    sidebar(h);
    // the street's dwellings come a page at a time (a city street holds over a thousand)
    var shown = [], tbody = body.querySelector("table.street tbody");
    var more = document.getElementById("street-more"), count = document.getElementById("street-shown");
    function addPage(page) {
      var rows = "";
      page.dwellings.forEach(function (d) {
        var i = shown.length;
        shown.push(d);
        var nr = (d.house_number || "?") + (d.box_number ? " bus " + d.box_number : "");
        var grp = v.groups.filter(function (g) { return g.group_id === d.group_id; })[0];
        rows += "<tr><td><button type='button' class='link' data-open='" + i + "'>" + esc(nr) + "</button></td><td>" +
          badge(d.epc_label) + "</td><td>" + (d.plan_epc_label ? badge(d.plan_epc_label) : "–") + "</td><td class='num'>" +
          fmt(d.plan_net_cost_eur) + "</td><td>" + (grp ? esc(groupKind(grp.group_kind)) : "–") + "</td></tr>";
      });
      tbody.insertAdjacentHTML("beforeend", rows);
      var total = t.n_dwellings, rest = shown.length < total && page.dwellings.length > 0;
      count.textContent = rest ? T.street_shown.replace("{shown}", fmt(shown.length)).replace("{total}", fmt(total)) : "";
      more.hidden = !rest;
      more.disabled = false;
    }
    tbody.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-open]");
      if (!b) { return; }
      var d = shown[Number(b.getAttribute("data-open"))];
      openAddress(String(d.adres_id), finite(d.lon) ? [d.lon, d.lat] : null, true,
        v.street + " " + (d.house_number || ""));
    });
    more.addEventListener("click", function () {
      more.disabled = true;
      var url = streetUrl(v.street, v.postcode);
      url += (url.indexOf("?") < 0 ? "?" : "&") + "offset=" + shown.length + "&limit=" + (v.limit || shown.length);
      getJSON(url).then(addPage).catch(function (err) {
        more.disabled = false;
        count.textContent = T.load_error + ": " + err.message;
      });
    });
    addPage(v);
  }

  // ------------------------------------------------------------- address view
  function labelPath(sum, steps) {
    // EPC score now and after each step as bars in the label colour; target as a dashed line
    var pts = [{ name: T.now, score: sum.current_epc_score_kwh_per_m2, label: sum.current_epc_label }]
      .concat(steps.map(function (s) { return { name: T.step.toLowerCase() + " " + s.step,
        score: s.epc_score_kwh_per_m2, label: s.epc_label }; }));
    var target = sum.target_score_kwh_per_m2;
    var w = 340, h = 170, top = 18, bottom = 34, left = 36, plotH = h - top - bottom;
    var max = Math.max.apply(null, pts.map(function (p) { return p.score || 0; }).concat([target || 0, 1])) * 1.1;
    var slot = (w - left - 6) / pts.length, bw = Math.min(46, slot * 0.7);
    var y = function (v) { return top + plotH * (1 - Math.max(0, v) / max); };
    var s = "<line x1='" + left + "' x2='" + w + "' y1='" + y(0) + "' y2='" + y(0) + "' stroke='#444'/>";
    [0, 0.5, 1].forEach(function (f) {
      s += "<text x='" + (left - 4) + "' y='" + (y(max * f / 1.1) + 4) + "' text-anchor='end' font-size='10' fill='#555'>" + fmt(max * f / 1.1) + "</text>";
    });
    pts.forEach(function (p, i) {
      var x = left + slot * i + (slot - bw) / 2, yy = y(p.score || 0);
      s += "<rect x='" + x.toFixed(1) + "' y='" + yy.toFixed(1) + "' width='" + bw.toFixed(1) + "' height='" + (y(0) - yy).toFixed(1) +
        "' fill='" + (CFG.epcColours[p.label] || "#ccc") + "' stroke='#333' stroke-width='0.6'/>" +
        "<text x='" + (x + bw / 2).toFixed(1) + "' y='" + (yy - 4).toFixed(1) + "' text-anchor='middle' font-size='12' font-weight='bold'>" + esc(p.label) + "</text>" +
        "<text x='" + (x + bw / 2).toFixed(1) + "' y='" + (h - bottom + 14) + "' text-anchor='middle' font-size='11'>" + esc(p.name) + "</text>";
    });
    if (target !== null && target !== undefined && isFinite(target)) {
      s += "<line x1='" + left + "' x2='" + w + "' y1='" + y(target) + "' y2='" + y(target) + "' stroke='#000' stroke-dasharray='5 3'/>" +
        "<text x='" + (w - 2) + "' y='" + (y(target) - 3) + "' text-anchor='end' font-size='10'>" + esc(T.target) + " " + esc(sum.target_label || "") + "</text>";
    }
    s += "<text x='" + left + "' y='" + (h - 4) + "' font-size='10' fill='#555'>kWh/m²</text>";
    return "<svg viewBox='0 0 " + w + " " + h + "' width='" + w + "' height='" + h + "' role='img' aria-label='" + esc(T.label_path) + "'>" + s + "</svg>";
  }
  function currentCo2(sum, steps, state) {
    // on the plan's money basis, as the printed sheet (wijkreno/reports/sheets.py _current_co2):
    // the first step's CO2 plus its saving is the state now; the simulation's co2_flemish_kg_co2
    // is the standardised EPC calculation and is shown (so labelled) only without a step
    if (finite(sum.current_co2_flemish_kg_co2)) { return { value: sum.current_co2_flemish_kg_co2, plan: true }; }
    if (steps.length && finite(steps[0].co2_flemish_kg_co2)) {
      return { value: steps[0].co2_flemish_kg_co2 + (steps[0].cumulative_saving_co2_flemish_kg_co2 || 0), plan: true };
    }
    var r = state && state.results;
    return { value: r && finite(r.co2_flemish_kg_co2) ? r.co2_flemish_kg_co2 : null, plan: false };
  }
  function doneRegister(state) {
    // the measures the municipality's register says are done (the twin as renovated)
    var twin = (state && state.twin) || {}, done = [];
    ["roof", "wall", "floor", "glazing", "ventilation", "heating", "pv", "solar_water_heater", "dhw"].forEach(function (dim) {
      if (twin["done_" + dim + "_origin"] === "register" && finite(twin["done_" + dim + "_year"])) {
        done.push((T["dim_" + dim] || dim) + " " + twin["done_" + dim + "_year"]);
      }
    });
    return done;
  }
  var groupNames = {};
  function fillGroup() {
    // the dwelling's group by a readable name: its kind and size ("appartementsgebouw, 12 woningen")
    var el = document.getElementById("address-group");
    if (!el) { return; }
    var gid = el.getAttribute("data-group-id");
    var put = function (text) { var e = document.getElementById("address-group"); if (e && e.getAttribute("data-group-id") === gid) { e.textContent = text; } };
    if (groupNames[gid]) { put(groupNames[gid]); return; }
    getJSON("/api/groups/" + encodeURIComponent(gid)).then(function (res) {
      var g = res.group || {};
      groupNames[gid] = groupKind(g.group_kind) + (g.street ? " " + g.street : "") + ", " + fmt(g.n_dwellings) + " " + T.group_members;
      put(groupNames[gid]);
    }).catch(function () { put(gid); });
  }
  function addressTitle(sum, fallback) {
    if (sum && sum.street) {
      return sum.street + " " + (sum.house_number || "") + (sum.box_number ? " bus " + sum.box_number : "");
    }
    return fallback || "";
  }
  function trajectoryHtml(id, data, state) {
    var sum = data.summary || data.plan || {};
    if (Array.isArray(sum)) { sum = sum[0] || {}; }
    var steps = (data.steps || []).slice().sort(function (a, b) { return a.step - b.step; });
    var names = CFG.measureNames || {};
    // the EPC score and label are the standardised calculation; money and CO2 say their basis
    var basisNl = T["basis_" + (sum.basis || "standardised")] || T.basis_standardised;
    var co2 = currentCo2(sum, steps, state), done = doneRegister(state);
    var h = "";
    if (data.basis === "overrides") {
      h += "<p class='status corrected' data-basis='overrides'>" + esc(T.with_corrections) + "</p>";
    }
    h += "<table><tr><th scope='row'>" + esc(T.current_label) + " (" + esc(T.epc_basis) + ")</th><td class='num' data-current-label='" + esc(sum.current_epc_label) + "'>" + badge(sum.current_epc_label, true) + "</td></tr>" +
      "<tr><th scope='row'>" + esc(T.current_score) + " (" + esc(T.epc_basis) + ")</th><td class='num' data-current-score>" + fmt(sum.current_epc_score_kwh_per_m2) + "</td></tr>" +
      "<tr><th scope='row' data-basis='" + esc(sum.basis || "standardised") + "'>" + esc(T.energy_cost) + " (" + esc(basisNl) + ")</th><td class='num'>" + fmt(sum.current_energy_cost_eur) + "</td></tr>" +
      "<tr><th scope='row'>" + esc(T.co2_dwelling) + " (" + esc(co2.plan ? basisNl : T.epc_basis) + ")</th><td class='num' data-current-co2>" + fmt(co2.value) + "</td></tr>" +
      "<tr><th scope='row'>" + esc(T.final_heating) + "</th><td data-final-heating='" + esc(sum.final_heating_system || "") + "'>" +
      esc(sum.final_heating_system ? (CFG.heatingNames[sum.final_heating_system] || String(sum.final_heating_system).replace(/_/g, " ")) : "–") + "</td></tr>" +
      "<tr><th scope='row'>" + esc(T.investment_total) + (finite(sum.price_year) ? " (" + esc(T.in_prices.replace("{year}", sum.price_year)) + ")" : "") +
      "</th><td class='num' data-investment>" + fmt(sum.investment_eur) + "</td></tr>" +
      "<tr><th scope='row'>" + esc(T.total_net_cost) + "</th><td class='num' data-total-net-cost>" + fmt(sum.net_cost_eur) + "</td></tr>" +
      (done.length ? "<tr><th scope='row'>" + esc(T.done_register) + "</th><td data-done-register>" + esc(done.join(", ")) + "</td></tr>" : "") +
      (state && state.group_id ? "<tr><th scope='row'>" + esc(T.address_group) + "</th><td id='address-group' data-group-id='" + esc(state.group_id) + "'>" + esc(T.loading) + "</td></tr>" : "") +
      "</table>";
    var reached = sum.reached === true;
    h += "<p class='status " + (reached ? "ok" : "no") + "'>" + esc(reached ? T.reached : T.not_reached) +
      ": " + badge(sum.target_label) + (sum.target_year ? " (" + esc(sum.target_year) + ")" : "") +
      (!reached && sum.explanation ? " — " + esc(sum.explanation) : "") + "</p>";
    h += "<h3>" + esc(T.trajectory) + "</h3>";
    if (steps.length) {
      h += "<table class='steps' data-trajectory='" + steps.length + "'>" +
        "<colgroup><col class='c-step'><col class='c-measure'><col class='c-num'><col class='c-num'><col class='c-label'></colgroup><thead><tr><th scope='col'>" + esc(T.step) + "</th><th scope='col'>" + esc(T.measure) +
        "</th><th scope='col' class='num'>" + esc(T.net_cost) + "</th><th scope='col' class='num'>" + esc(T.saving) + " (" + esc(basisNl) + ")</th><th scope='col'>" + esc(T.label_after) + "</th></tr></thead><tbody>";
      steps.forEach(function (s) {
        h += "<tr><td>" + esc(s.step) + "</td><td>" + esc(names[s.measure] || String(s.measure).replace(/_/g, " ")) +
          "</td><td class='num'>" + fmt(s.net_cost_eur) + "</td><td class='num'>" + fmt(s.saving_eur) +
          "</td><td>" + badge(s.epc_label) + "</td></tr>";
      });
      h += "</tbody></table>";
    } else {
      h += "<p data-trajectory='0'>" + esc(T.no_steps) + "</p>";
    }
    h += "<h3>" + esc(T.label_path) + "</h3>" + labelPath(sum, steps);
    h += "<a class='button' id='print-link' href='/print/" + encodeURIComponent(id) + "?lang=" + CFG.lang +
      (data.basis === "overrides" ? "&overrides=true" : "") + "' target='_blank' rel='noopener'>" +
      esc(T.print_sheet) + "</a><p class='note'>" + esc(T.estimate_note) + " " + esc(T.basis_note) + "</p>";
    return h;
  }
  function showAddress(id, data, state, fallbackLabel) {
    var sum = data.summary || {};
    var title = (state && state.address) || addressTitle(sum, fallbackLabel);
    var street = state && state.twin ? state.twin.street : null;
    var h = "<h2>" + esc(title || T.address) + "</h2><p class='sub'>" +
      esc(T.address_id) + " " + esc(id) + "</p>";
    if (street) {
      h += "<p><button type='button' class='link' id='open-street'>" + esc(T.open_street) + ": " + esc(street) + "</button></p>";
    }
    h += "<div id='trajectory-box'>" + trajectoryHtml(id, data, state) + "</div>";
    h += "<section id='coach' aria-labelledby='coach-title'><h3 id='coach-title'>" + esc(T.coach_title) + "</h3><div id='coach-body'></div></section>";
    sidebar(h);
    fillGroup();
    var os = document.getElementById("open-street");
    if (os) {
      os.addEventListener("click", function () {
        openStreet(street, state.twin.postcode ? String(state.twin.postcode) : null);
      });
    }
    coachSection(id, state);
  }

  // ------------------------------------------------------------- coach: login and corrections
  function whoAmI() {
    return getJSON("/api/auth/me").then(function (me) {
      STATE.user = me.username ? me : null; return STATE.user;
    }).catch(function () { STATE.user = null; return null; });
  }
  function loginForm(after) {
    var box = document.getElementById("coach-body");
    box.innerHTML = "<p class='note'>" + esc(T.coach_login_intro) + "</p>" +
      "<form id='login-form' class='coach-form'>" +
      "<label for='login-user'>" + esc(T.username) + "</label><input id='login-user' name='username' autocomplete='username' required>" +
      "<label for='login-pass'>" + esc(T.password) + "</label><input id='login-pass' name='password' type='password' autocomplete='current-password' required>" +
      "<button type='submit' class='button'>" + esc(T.login) + "</button><p id='login-msg' class='form-msg' role='alert'></p></form>";
    document.getElementById("login-form").addEventListener("submit", function (e) {
      e.preventDefault();
      request("POST", "/api/auth/login", { username: document.getElementById("login-user").value,
        password: document.getElementById("login-pass").value }).then(function (res) {
        csrfToken = res.csrf_token;
        STATE.user = { username: res.username, roles: res.roles };
        after();
      }).catch(function (err) {
        document.getElementById("login-msg").textContent = T.login_failed + ": " + err.message;
      });
    });
  }
  var FIELDS = [
    { name: "roof_insulated_year", kind: "year", set: "ins" },
    { name: "wall_insulated_year", kind: "year", set: "ins" },
    { name: "floor_insulated_year", kind: "year", set: "ins" },
    { name: "glazing_year", kind: "year", set: "ins" },
    { name: "heating_system", kind: "select", set: "hh" },
    { name: "measured_epc_score_kwh_per_m2", kind: "number", set: "hh", min: -500, max: 2000, step: "1" },
    { name: "metered_gas_kwh", kind: "number", set: "hh", min: 0, max: 1000000, step: "1" },
    { name: "metered_electricity_kwh", kind: "number", set: "hh", min: 0, max: 1000000, step: "1" },
    { name: "income_category", kind: "select", set: "hh" },
    { name: "tenure", kind: "select", set: "hh" },
    { name: "deed_year", kind: "year", set: "hh" },
    { name: "note", kind: "textarea", set: "hh" }
  ];
  function options(name) {
    if (name === "heating_system") { return CFG.heatingNames; }
    if (name === "income_category") { return { 1: T.income_1, 2: T.income_2, 3: T.income_3, 4: T.income_4 }; }
    if (name === "tenure") { return { owner: T.tenure_owner, tenant: T.tenure_tenant }; }
    return {};
  }
  function estimateOf(name, state) {
    // what the twin or the calculation assumes now, shown under the field
    var twin = (state && state.twin) || {}, res = (state && state.results) || {};
    if (name === "heating_system" && twin.heating_system) {
      var src = twin.heating_system_source === "observed" ? T.observed : T.estimated;
      return src + ": " + (CFG.heatingNames[twin.heating_system] || twin.heating_system);
    }
    if (name === "measured_epc_score_kwh_per_m2" && finite(state && state.epc_score_kwh_per_m2)) {
      return T.estimated + ": " + fmt(state.epc_score_kwh_per_m2);
    }
    var carrier = { metered_gas_kwh: "gas", metered_electricity_kwh: "electricity" }[name];
    if (carrier) {
      var v = res["expected_final_" + carrier + "_kwh"];
      if (!finite(v)) { v = res["final_" + carrier + "_kwh"]; }
      if (finite(v)) { return T.estimated + ": " + fmt(v); }
    }
    if (twin[name] !== undefined && twin[name] !== null) {
      var label = options(name)[twin[name]] || twin[name];
      return (twin[name + "_source"] === "observed" ? T.observed : T.estimated) + ": " + label;
    }
    return "";
  }
  function fieldHtml(f, stored, state) {
    var id = "f-" + f.name, label = T["f_" + f.name] || f.name, value = stored[f.name];
    var hint = estimateOf(f.name, state), hintId = id + "-hint";
    var described = hint ? " aria-describedby='" + hintId + "'" : "";
    var h = "<div class='field'><label for='" + id + "'>" + esc(label) + "</label>";
    if (f.kind === "select") {
      var opts = options(f.name);
      h += "<select id='" + id + "' name='" + f.name + "'" + described + "><option value=''>— " + esc(T.not_known) + " —</option>";
      Object.keys(opts).forEach(function (k) {
        h += "<option value='" + esc(k) + "'" + (String(value) === String(k) ? " selected" : "") + ">" + esc(opts[k]) + "</option>";
      });
      h += "</select>";
    } else if (f.kind === "textarea") {
      h += "<textarea id='" + id + "' name='" + f.name + "' rows='3' maxlength='2000'>" + esc(value || "") + "</textarea>";
    } else {
      var max = f.kind === "year" ? new Date().getFullYear() : f.max, min = f.kind === "year" ? 1900 : f.min;
      h += "<input id='" + id + "' name='" + f.name + "' type='number' inputmode='numeric' min='" + min + "' max='" + max +
        "' step='" + (f.step || "1") + "' value='" + (value === undefined || value === null ? "" : esc(value)) + "'" +
        (f.kind === "year" ? " placeholder='" + esc(T.year_hint) + "'" : "") + described + ">";
    }
    if (hint) { h += "<span class='hint' id='" + hintId + "'>" + esc(hint) + "</span>"; }
    return h + "</div>";
  }
  function collect(form) {
    var out = {};
    FIELDS.forEach(function (f) {
      var el = form.elements[f.name];
      if (!el) { return; }
      var v = String(el.value).trim();
      if (v === "") { return; }
      if (f.kind === "year" || f.name === "income_category") { out[f.name] = parseInt(v, 10); }
      else if (f.kind === "number") { out[f.name] = Number(v.replace(",", ".")); }
      else { out[f.name] = v; }
    });
    return out;
  }
  function changesHtml(changes) {
    if (!changes || !changes.length) { return ""; }
    return "<details class='changes'><summary>" + esc(T.changed) + " (" + changes.length + ")</summary><ul>" +
      changes.map(function (c) {
        return "<li>" + esc(T["f_" + c.column] || c.column) + ": " + esc(c.old === null ? "–" : c.old) + " → " + esc(c.new === null ? "–" : c.new) + "</li>";
      }).join("") + "</ul></details>";
  }
  function historyHtml(entries) {
    if (!entries.length) { return "<p class='note'>" + esc(T.history_none) + "</p>"; }
    return "<ul class='history'>" + entries.map(function (e) {
      var when = new Date(e.at);
      var keys = Object.keys(e.new_values || {}).map(function (k) { return T["f_" + k] || k; });
      return "<li><b>" + esc(when.toLocaleString(locale)) + "</b> — " + esc(e.who) + ": " + esc(keys.join(", ") || "–") + "</li>";
    }).join("") + "</ul>";
  }
  function coachForm(id, state, stored, canEdit) {
    var box = document.getElementById("coach-body");
    var h = "<p class='note'>" + esc(T.logged_in_as) + " <b>" + esc(STATE.user.username) + "</b> · " +
      "<button type='button' class='link' id='logout'>" + esc(T.logout) + "</button></p>";
    if (!canEdit) { h += "<p class='status no'>" + esc(T.no_coach_role) + "</p>"; }
    h += "<form id='coach-form' class='coach-form'><fieldset><legend>" + esc(T.insulation_legend) + "</legend>";
    FIELDS.filter(function (f) { return f.set === "ins"; }).forEach(function (f) { h += fieldHtml(f, stored, state); });
    h += "</fieldset><fieldset><legend>" + esc(T.household_legend) + "</legend>";
    FIELDS.filter(function (f) { return f.set === "hh"; }).forEach(function (f) { h += fieldHtml(f, stored, state); });
    h += "</fieldset><button type='submit' class='button' id='coach-save'" + (canEdit ? "" : " disabled") + ">" +
      esc(T.save_rerun) + "</button><p id='coach-msg' class='form-msg' role='status'></p></form>" +
      "<h3>" + esc(T.history) + "</h3><div id='coach-history'></div>";
    box.innerHTML = h;
    document.getElementById("logout").addEventListener("click", function () {
      request("POST", "/api/auth/logout", {}).catch(function () { return null; }).then(function () {
        STATE.user = null; csrfToken = null; coachSection(id, state);
      });
    });
    loadHistory(id);
    document.getElementById("coach-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var msg = document.getElementById("coach-msg"), btn = document.getElementById("coach-save");
      var values = collect(e.target);
      msg.textContent = T.busy; btn.disabled = true;
      var t0 = performance.now();
      request("POST", "/api/addresses/" + encodeURIComponent(id) + "/trajectory", values).then(function (res) {
        var ms = Math.round(performance.now() - t0);
        STATE.lastRerunMs = ms; STATE.overridesSaved += 1; STATE.trajectoryBasis = res.basis;
        document.getElementById("trajectory-box").innerHTML = trajectoryHtml(id, res, state);
        fillGroup();
        msg.innerHTML = esc(tpl(T.saved, { ms: fmt(ms) })) + changesHtml(res.changes);
        btn.disabled = false;
        loadHistory(id);
      }).catch(function (err) {
        msg.textContent = T.save_failed + ": " + err.message; btn.disabled = false;
        STATE.errors.push(String(err.message));
      });
    });
  }
  function loadHistory(id) {
    getJSON("/api/addresses/" + encodeURIComponent(id) + "/history").then(function (res) {
      var el = document.getElementById("coach-history");
      if (el) { el.innerHTML = historyHtml(res.entries || []); }
    }).catch(function () { /* no role: no history */ });
  }
  function coachSection(id, state) {
    var box = document.getElementById("coach-body");
    if (!box) { return; }
    var after = function () { coachSection(id, state); };
    (STATE.user ? Promise.resolve(STATE.user) : whoAmI()).then(function (user) {
      if (!user) { loginForm(after); return; }
      var nis = state && state.nis_code, role = nis ? (user.roles || {})[nis] : null;
      var canEdit = role === "coach" || role === "admin";
      getJSON("/api/addresses/" + encodeURIComponent(id) + "/overrides").then(function (res) {
        coachForm(id, state, res.overrides || {}, canEdit);
      }).catch(function (err) {
        box.innerHTML = "<p class='status no'>" + esc(err.message) + "</p>";
      });
    });
  }

  var addressFetch = null;
  function openAddress(id, lngLat, fly, label) {
    STATE.trajectoryLoaded = false; STATE.selected = id;
    if (addressFetch) { addressFetch.abort(); }
    addressFetch = new AbortController();
    var sig = addressFetch.signal;
    sidebar("<p>" + esc(T.loading) + "</p>");
    if (lngLat) { select(lngLat); }
    if (lngLat && fly) { map.flyTo({ center: lngLat, zoom: Math.max(map.getZoom(), 17.5), duration: 900 }); }
    var enc = encodeURIComponent(id);
    getJSON("/api/addresses/" + enc, sig).catch(function (err) {
      if (err.name === "AbortError") { throw err; }
      return null;
    }).then(function (st) {
      var withOverrides = st && st.has_overrides;
      var url = "/api/addresses/" + enc + "/trajectory" + (withOverrides ? "?overrides=true" : "");
      return getJSON(url, sig).then(function (traj) { return [traj, st]; });
    }).then(function (res) {
      var st = res[1];
      if (!lngLat && st && st.lon !== undefined && st.lat !== undefined && st.lon !== null) {
        select([st.lon, st.lat]);
        map.flyTo({ center: [st.lon, st.lat], zoom: 17.5, duration: 0 });
      }
      showAddress(id, res[0], st, label);
      STATE.trajectoryLoaded = true; STATE.trajectoryBasis = res[0].basis;
      if (history.replaceState) { history.replaceState(null, "", "#adres=" + enc); }
    }).catch(function (err) {
      if (err.name === "AbortError") { return; }
      STATE.errors.push(String(err.message));
      sidebar("<p class='status no'>" + esc(T.load_error) + ": " + esc(err.message) + "</p>");
    });
  }

  // ------------------------------------------------------------- clicks and popups
  var popup = null;
  function groupPopup(p, lngLat) {
    if (popup) { popup.remove(); }
    var h = "<div class='group-popup'><h2>" + esc(groupKind(p.group_kind)) + (p.street ? " — " + esc(p.street) : "") + "</h2>" +
      "<p>" + fmt(p.n_dwellings) + " " + esc(T.group_members) + "</p>" + groupFigures(p) +
      "<div class='members' id='group-members'>" + esc(T.loading) + "</div></div>";
    popup = new maplibregl.Popup({ maxWidth: "320px", focusAfterOpen: false })
      .setLngLat(lngLat).setHTML(h).addTo(map);
    getJSON("/api/groups/" + encodeURIComponent(p.group_id)).then(function (g) {
      var el = document.getElementById("group-members");
      if (!el) { return; }
      var names = g.members.map(function (m) {
        return (m.street || "") + " " + (m.house_number || "") + (m.box_number ? " bus " + m.box_number : "");
      });
      el.textContent = names.slice(0, 12).join(", ") + (names.length > 12 ? " … (+" + (names.length - 12) + ")" : "");
    }).catch(function () { var el = document.getElementById("group-members"); if (el) { el.textContent = ""; } });
  }
  function hit(e, layers, pad) {
    var have = layers.filter(function (l) {
      return map.getLayer(l) && map.getLayoutProperty(l, "visibility") !== "none";
    });
    if (!have.length) { return []; }
    var box = pad ? [[e.point.x - pad, e.point.y - pad], [e.point.x + pad, e.point.y + pad]] : e.point;
    return map.queryRenderedFeatures(box, { layers: have });
  }
  map.on("click", function (e) {
    var d = hit(e, ["dwellings"], 6);
    if (d.length) {
      openAddress(String(d[0].properties.adres_id), d[0].geometry.coordinates, false);
      return;
    }
    var g = hit(e, ["groups-fill"]);
    if (g.length) { groupPopup(g[0].properties, e.lngLat); return; }
    var b = hit(e, ["buildings-fill"]);
    if (b.length && lastDwellings) {
      var gid = String(b[0].properties.gebouw_id);
      var inside = lastDwellings.features.filter(function (f) { return String(f.properties.gebouw_id) === gid; });
      if (inside.length === 1) {
        openAddress(String(inside[0].properties.adres_id), inside[0].geometry.coordinates, false);
        return;
      }
      if (inside.length > 1) {
        var p = inside[0].properties;
        openStreet(p.street, p.postcode, true);
        return;
      }
    }
    var f = sectorAt(e.lngLat);
    if (f) {
      selectSector(f.id);
      select(null); STATE.selected = null;
      showSector(f.properties);
    }
  });
  ["sectors-fill", "dwellings", "buildings-fill", "groups-fill"].forEach(function (l) {
    map.on("mouseenter", l, function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", l, function () { map.getCanvas().style.cursor = ""; });
  });

  // ---------------------------------------------------------------- search
  var input = document.getElementById("search-input"), list = document.getElementById("search-list");
  var results = [], active = -1, timer = null, searchFetch = null, searchNote = null;
  function closeList() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
  function render() {
    list.innerHTML = "";
    // the API's word on a missing number or box ("Kerkstraat heeft geen huisnummer 500;
    // dichtstbij: …") above the nearest candidates, so that they are not taken for a hit
    if (searchNote || !results.length) {
      var li = document.createElement("li"); li.className = "empty";
      li.textContent = searchNote || T.search_none;
      if (searchNote) { li.id = "search-note"; }
      li.setAttribute("role", "option"); li.setAttribute("aria-disabled", "true");
      list.appendChild(li);
    }
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option"); li.id = "sugg-" + i; li.textContent = r.label;
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.addEventListener("pointerdown", function (e) { e.preventDefault(); });  // keep focus
      li.addEventListener("click", function () { choose(i); });
      list.appendChild(li);
    });
    list.hidden = false; input.setAttribute("aria-expanded", "true");
    if (active >= 0) { input.setAttribute("aria-activedescendant", "sugg-" + active); }
  }
  function choose(i) {
    var r = results[i];
    if (!r) { return; }
    input.value = r.label; closeList();
    openAddress(r.adres_id, [r.lon, r.lat], true, r.label);
  }
  function suggest() {
    var q = input.value.trim();
    if (searchFetch) { searchFetch.abort(); }
    if (q.length < 2) { closeList(); return; }
    searchFetch = new AbortController();
    getJSON("/api/search?limit=8&q=" + encodeURIComponent(q), searchFetch.signal).then(function (res) {
      results = res.suggestions || []; active = results.length ? 0 : -1;
      searchNote = res.exact === false ? ((CFG.lang === "en" && res.message_en) || res.message || null) : null;
      STATE.searchResults = results.length; render();
    }).catch(function (err) {
      if (err.name === "AbortError") { return; }
      results = []; list.innerHTML = "<li class='empty' role='option' aria-disabled='true'>" + esc(T.search_error) + ": " + esc(err.message) + "</li>";
      list.hidden = false;
    });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 150); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && results.length) { active = (active + 1) % results.length; render(); e.preventDefault(); }
    else if (e.key === "ArrowUp" && results.length) { active = (active - 1 + results.length) % results.length; render(); e.preventDefault(); }
    else if (e.key === "Enter") { e.preventDefault(); if (results.length) { choose(Math.max(0, active)); } }
    else if (e.key === "Escape") { closeList(); }
  });
  input.addEventListener("blur", function () { setTimeout(closeList, 150); });

  // ---------------------------------------------------------------- start
  function route() {
    var h = window.location.hash;
    var a = /adres=([^&]+)/.exec(h), s = /straat=([^&]+)/.exec(h), p = /postcode=([^&]+)/.exec(h);
    if (a) { openAddress(decodeURIComponent(a[1]), null, true); }
    else if (s) { openStreet(decodeURIComponent(s[1]), p ? decodeURIComponent(p[1]) : null); }
  }
  home();
  whoAmI();
  if (!wide()) { document.getElementById("controls").open = false; }
})();
