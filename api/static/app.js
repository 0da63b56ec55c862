/* wijkreno map page: sector choropleth, dwellings by EPC label, address search, sidebar.
   Plain browser JavaScript, no build step, no CDN: MapLibre GL JS is served by the app.
   window.__wijkreno exposes the page state for the browser test (ready, feature counts). */
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
    ready: false, sectorFeatures: 0, dwellingFeatures: 0, selected: null,
    trajectoryLoaded: false, searchResults: 0, errors: []
  };
  var locale = CFG.lang === "nl" ? "nl-BE" : "en-GB";
  var LABELS = ["A+", "A", "B", "C", "D", "E", "F"];

  function fmt(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) { return "–"; }
    return Number(v).toLocaleString(locale, {
      maximumFractionDigits: digits === undefined ? 0 : digits,
      minimumFractionDigits: digits === undefined ? 0 : digits });
  }
  function pct(v) { return (v === null || v === undefined || !isFinite(v)) ? "–" : fmt(v * 100, 0) + " %"; }
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  function badge(label, big) {
    var c = CFG.epcColours[label] || "#ddd";
    return "<span class='badge" + (big ? " big" : "") + "' style='background:" + c + "'>" +
      esc(label || "?") + "</span>";
  }
  function getJSON(url, signal) {
    return fetch(url, { signal: signal, headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) {
            var err = new Error((body && body.detail) || (r.status + " " + r.statusText));
            err.status = r.status; throw err;
          }
          return body;
        });
      });
  }

  // ---------------------------------------------------------------- map
  var wide = function () { return window.matchMedia("(min-width: 861px)").matches; };
  var map = new maplibregl.Map({
    container: "map",
    style: { version: 8, sources: {}, layers: [
      { id: "background", type: "background", paint: { "background-color": "#f3f1ec" } }] },
    center: [4.4, 51.0], zoom: 12, attributionControl: false, dragRotate: false,
    pitchWithRotate: false
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  map.addControl(new maplibregl.AttributionControl({ compact: true,
    customAttribution: T.attribution }), "bottom-right");

  var sectors = null, current = 0;

  function quantileBreaks(values, k) {
    var v = values.filter(function (x) { return x !== null && isFinite(x); })
      .sort(function (a, b) { return a - b; });
    if (!v.length) { return []; }
    var breaks = [];
    for (var i = 1; i < k; i++) { breaks.push(v[Math.min(v.length - 1, Math.floor(i * v.length / k))]); }
    breaks.push(v[v.length - 1]);
    return breaks.filter(function (b, i) { return i === 0 || b > breaks[i - 1]; })
      .map(function (b, i, arr) { return { lo: i === 0 ? v[0] : arr[i - 1], hi: b }; });
  }

  function classify() {
    CFG.layers.forEach(function (layer, li) {
      var col = layer.column;
      var vals = sectors.features.map(function (f) { return f.properties[col]; });
      var classes = quantileBreaks(vals, CFG.classColours.length);
      layer.classes = classes;
      sectors.features.forEach(function (f) {
        var v = f.properties[col], c = -1;
        if (v !== null && v !== undefined && isFinite(v)) {
          c = classes.findIndex(function (k) { return v <= k.hi; });
          if (c < 0) { c = classes.length - 1; }
        }
        f.properties["_c" + li] = c;
      });
    });
  }
  function colourOf(li) {
    var layer = CFG.layers[li];
    var expr = ["match", ["get", "_c" + li]];
    (layer.classes || []).forEach(function (k, i) {
      expr.push(i, CFG.classColours[Math.round(i * (CFG.classColours.length - 1) /
        Math.max(1, layer.classes.length - 1))]);
    });
    expr.push(CFG.noData);
    return (layer.classes || []).length ? expr : CFG.noData;
  }
  function valueText(col, v) {
    return col.slice(-5) === "_frac" ? pct(v) : fmt(v, col === "priority_score" ? 2 : 0);
  }
  function legend() {
    var layer = CFG.layers[current], h = "<h4>" + esc(layer.caption) + "</h4>";
    (layer.classes || []).forEach(function (k, i) {
      var colour = CFG.classColours[Math.round(i * (CFG.classColours.length - 1) /
        Math.max(1, layer.classes.length - 1))];
      h += "<div class='row'><span class='swatch' style='background:" + colour + "'></span>" +
        esc(k.lo === k.hi ? valueText(layer.column, k.hi) :
          valueText(layer.column, k.lo) + " – " + valueText(layer.column, k.hi)) + "</div>";
    });
    h += "<div class='row'><span class='swatch' style='background:" + CFG.noData + "'></span>" +
      esc(T.no_data) + "</div><h4>" + esc(T.dwellings_legend) + "</h4>";
    LABELS.forEach(function (l) {
      h += "<div class='row'><span class='dot' style='background:" + CFG.epcColours[l] +
        "'></span>" + esc(l) + "</div>";
    });
    document.getElementById("legend").innerHTML = h;
  }
  function layerSwitch() {
    var box = document.getElementById("layers");
    CFG.layers.forEach(function (layer, li) {
      var label = document.createElement("label"), input = document.createElement("input");
      input.type = "radio"; input.name = "layer"; input.value = layer.column;
      input.checked = li === 0;
      input.addEventListener("change", function () {
        current = li;
        map.setPaintProperty("sectors-fill", "fill-color", colourOf(li));
        legend();
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(layer.caption));
      box.appendChild(label);
    });
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
  function padding() { return wide() ? { top: 30, bottom: 30, left: 30, right: 30 } : 20; }

  map.on("load", function () {
    map.addSource("sectors", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addSource("dwellings", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addSource("selected", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "sectors-fill", type: "fill", source: "sectors",
      paint: { "fill-color": CFG.noData, "fill-opacity": 0.7 } });
    map.addLayer({ id: "sectors-line", type: "line", source: "sectors",
      paint: { "line-color": "#444", "line-width": ["case", ["boolean", ["feature-state", "sel"], false], 3, 1] } });
    var epc = ["match", ["get", "epc_label"]];
    LABELS.forEach(function (l) { epc.push(l, CFG.epcColours[l]); });
    epc.push("#777777");
    map.addLayer({ id: "dwellings", type: "circle", source: "dwellings",
      minzoom: CFG.dwellingMinZoom - 0.5,
      paint: { "circle-color": epc, "circle-stroke-color": "#222", "circle-stroke-width": 0.7,
               "circle-radius": ["interpolate", ["linear"], ["zoom"], 15, 3.5, 18, 9] } });
    map.addLayer({ id: "selected", type: "circle", source: "selected",
      paint: { "circle-radius": 13, "circle-color": "rgba(0,0,0,0)",
               "circle-stroke-color": "#000", "circle-stroke-width": 3 } });
    getJSON("/api/sectors").then(function (fc) {
      sectors = fc;
      classify();
      map.getSource("sectors").setData(sectors);
      map.setPaintProperty("sectors-fill", "fill-color", colourOf(0));
      layerSwitch(); legend();
      if (fc.features.length) {
        var b = bounds(fc);
        map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: padding(), duration: 0 });
      }
      map.once("idle", function () {
        STATE.sectorFeatures = map.queryRenderedFeatures({ layers: ["sectors-fill"] }).length;
        STATE.ready = STATE.sectorFeatures > 0;
        var m = /adres=([^&]+)/.exec(window.location.hash);
        if (m) { openAddress(decodeURIComponent(m[1]), null, true); }
      });
    }).catch(function (err) {
      STATE.errors.push(String(err.message));
      sidebar("<p class='status no'>" + esc(T.load_error) + ": " + esc(err.message) + "</p>");
    });
    refreshDwellings();
  });

  // ------------------------------------------------------- dwellings in view
  var dwellingFetch = null;
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
  function refreshDwellings() {
    if (dwellingFetch) { dwellingFetch.abort(); dwellingFetch = null; }
    if (map.getZoom() < CFG.dwellingMinZoom) { note(T.zoom_in); return; }
    note("");
    dwellingFetch = new AbortController();
    getJSON("/api/dwellings?bbox=" + viewBox().join(","), dwellingFetch.signal).then(function (fc) {
      map.getSource("dwellings").setData(fc);
      STATE.dwellingFeatures = (fc.features || []).length;
    }).catch(function (err) {
      if (err.name === "AbortError") { return; }
      note(err.status === 400 || err.status === 413 ? T.too_many : T.load_error);
    });
  }
  map.on("moveend", function () { if (map.getSource("dwellings")) { refreshDwellings(); } });

  // ---------------------------------------------------------------- sidebar
  var body = document.getElementById("sidebar-body"), closeBtn = document.getElementById("sidebar-close");
  function sidebar(html) { body.innerHTML = html; closeBtn.hidden = false; body.parentNode.scrollTop = 0; }
  closeBtn.addEventListener("click", function () {
    body.innerHTML = "<p class='intro'>" + esc(T.intro) + "</p>";
    closeBtn.hidden = true; select(null);
  });
  var selectedSector = null;
  function select(point) {
    map.getSource("selected").setData({ type: "FeatureCollection", features: point ? [
      { type: "Feature", geometry: { type: "Point", coordinates: point }, properties: {} }] : [] });
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
    s += "<text x='" + left + "' y='" + (h - 4) + "' font-size='11' fill='#666'>0</text>" +
      "<text x='" + (w - 40) + "' y='" + (h - 4) + "' font-size='11' fill='#666' text-anchor='end'>1</text>";
    return "<svg viewBox='0 0 " + w + " " + h + "' width='" + w + "' height='" + h + "' role='img'>" + s + "</svg>";
  }

  function showSector(p) {
    var rows = [
      [T.n_dwellings, fmt(p.n_dwellings)],
      [T.epc_score_mean, fmt(p.epc_score_mean_kwh_per_m2)],
      [T.label_ef_frac, pct(p.label_ef_frac)],
      [T.co2, fmt((p.co2_flemish_kg_co2 || NaN) / 1000)],
      [T.plan_net_cost, fmt(p.plan_net_cost_eur)]
    ];
    var comps = Object.keys(p).filter(function (k) {
      return k.indexOf("priority_") === 0 && k !== "priority_score" && k !== "priority_rank" &&
        p[k] !== null && isFinite(p[k]);
    }).map(function (k) { var c = k.slice(9); return { name: T["comp_" + c] || c.replace(/_/g, " "), value: p[k] }; });
    var h = "<h2>" + esc(p.area_name || p.sector_code) + "</h2><p class='sub'>" + esc(T.sector) +
      " " + esc(p.sector_code || "") + "</p>";
    h += "<p class='status'><b>" + esc(T.priority_score) + ": " + fmt(p.priority_score, 2) + "</b>" +
      (p.priority_rank ? " (" + esc(T.priority_rank) + " " + fmt(p.priority_rank) + ")" : "") + "</p>";
    h += "<table>" + rows.map(function (r) {
      return "<tr><th>" + esc(r[0]) + "</th><td class='num'>" + esc(r[1]) + "</td></tr>"; }).join("") + "</table>";
    if (comps.length) { h += "<h3>" + esc(T.components) + "</h3>" + barChart(comps); }
    sidebar(h);
  }

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

  function currentCo2(state, steps) {
    var r = state && (state.results || state.simulation || state);
    if (r && r.co2_flemish_kg_co2 !== undefined && r.co2_flemish_kg_co2 !== null) { return r.co2_flemish_kg_co2; }
    if (steps.length && steps[0].co2_flemish_kg_co2 !== undefined) {
      return steps[0].co2_flemish_kg_co2 + (steps[0].cumulative_saving_co2_flemish_kg_co2 || 0);
    }
    return null;
  }

  function addressTitle(sum, fallback) {
    if (sum && sum.street) {
      return sum.street + " " + (sum.house_number || "") + (sum.box_number ? " bus " + sum.box_number : "");
    }
    return fallback || "";
  }

  function showAddress(id, data, state, fallbackLabel) {
    var sum = data.summary || data.plan || {};
    if (Array.isArray(sum)) { sum = sum[0] || {}; }
    var steps = (data.steps || []).slice().sort(function (a, b) { return a.step - b.step; });
    var names = CFG.measureNames || {};
    var title = (state && state.address) || addressTitle(sum, fallbackLabel);
    var h = "<h2>" + esc(title || T.address) + "</h2><p class='sub'>" +
      esc(T.address_id) + " " + esc(id) + "</p>";
    // the EPC score and label are the standardised calculation; money and CO2 say their basis
    var basisNl = T["basis_" + (sum.basis || "standardised")] || T.basis_standardised;
    h += "<table><tr><th>" + esc(T.current_label) + " (" + esc(T.epc_basis) + ")</th><td class='num'>" + badge(sum.current_epc_label, true) + "</td></tr>" +
      "<tr><th>" + esc(T.current_score) + " (" + esc(T.epc_basis) + ")</th><td class='num'>" + fmt(sum.current_epc_score_kwh_per_m2) + "</td></tr>" +
      "<tr><th data-basis='" + esc(sum.basis || "standardised") + "'>" + esc(T.energy_cost) + " (" + esc(basisNl) + ")</th><td class='num'>" + fmt(sum.current_energy_cost_eur) + "</td></tr>" +
      "<tr><th>" + esc(T.co2_dwelling) + " (" + esc(basisNl) + ")</th><td class='num'>" + fmt(currentCo2(state, steps)) + "</td></tr>" +
      "<tr><th>" + esc(T.total_net_cost) + "</th><td class='num'>" + fmt(sum.net_cost_eur) + "</td></tr></table>";
    var reached = sum.reached === true;
    h += "<p class='status " + (reached ? "ok" : "no") + "'>" + esc(reached ? T.reached : T.not_reached) +
      ": " + badge(sum.target_label) + (sum.target_year ? " (" + esc(sum.target_year) + ")" : "") +
      (!reached && sum.explanation ? " — " + esc(sum.explanation) : "") + "</p>";
    h += "<h3>" + esc(T.trajectory) + "</h3>";
    if (steps.length) {
      h += "<table class='steps' data-trajectory='" + steps.length + "'>" +
        "<colgroup><col class='c-step'><col class='c-measure'><col class='c-num'><col class='c-num'><col class='c-label'></colgroup><thead><tr><th>" + esc(T.step) + "</th><th>" + esc(T.measure) +
        "</th><th class='num'>" + esc(T.net_cost) + "</th><th class='num'>" + esc(T.saving) + " (" + esc(basisNl) + ")</th><th>" + esc(T.label_after) + "</th></tr></thead><tbody>";
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
    h += "<a class='button' id='print-link' href='/print/" + encodeURIComponent(id) + "?lang=" + CFG.lang + "' target='_blank' rel='noopener'>" +
      esc(T.print_sheet) + "</a><p class='note'>" + esc(T.estimate_note) + " " + esc(T.basis_note) + "</p>";
    sidebar(h);
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
    var state = getJSON("/api/addresses/" + enc, sig).catch(function () { return null; });
    Promise.all([getJSON("/api/addresses/" + enc + "/trajectory", sig), state]).then(function (res) {
      var st = res[1];
      if (!lngLat && st && st.lon !== undefined && st.lat !== undefined) {
        select([st.lon, st.lat]);
        map.flyTo({ center: [st.lon, st.lat], zoom: 17.5, duration: 0 });
      }
      showAddress(id, res[0], st, label);
      STATE.trajectoryLoaded = true;
      if (history.replaceState) { history.replaceState(null, "", "#adres=" + enc); }
    }).catch(function (err) {
      if (err.name === "AbortError") { return; }
      STATE.errors.push(String(err.message));
      sidebar("<p class='status no'>" + esc(T.load_error) + ": " + esc(err.message) + "</p>");
    });
  }

  map.on("click", function (e) {
    var pad = 6, box = [[e.point.x - pad, e.point.y - pad], [e.point.x + pad, e.point.y + pad]];
    var d = map.getLayer("dwellings") ? map.queryRenderedFeatures(box, { layers: ["dwellings"] }) : [];
    if (d.length) {
      var p = d[0].properties;
      openAddress(String(p.adres_id), d[0].geometry.coordinates, false);
      return;
    }
    var f = map.queryRenderedFeatures(e.point, { layers: ["sectors-fill"] });
    if (f.length) {
      if (selectedSector !== null) { map.setFeatureState({ source: "sectors", id: selectedSector }, { sel: false }); }
      selectedSector = f[0].id === undefined ? null : f[0].id;
      if (selectedSector !== null) { map.setFeatureState({ source: "sectors", id: selectedSector }, { sel: true }); }
      select(null); STATE.selected = null;
      showSector(f[0].properties);
    }
  });
  ["sectors-fill", "dwellings"].forEach(function (l) {
    map.on("mouseenter", l, function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", l, function () { map.getCanvas().style.cursor = ""; });
  });

  // ---------------------------------------------------------------- search
  var input = document.getElementById("search-input"), list = document.getElementById("search-list");
  var results = [], active = -1, timer = null, searchFetch = null;
  function closeList() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
  function render() {
    list.innerHTML = "";
    if (!results.length) {
      var li = document.createElement("li"); li.className = "empty"; li.textContent = T.search_none;
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
      STATE.searchResults = results.length; render();
    }).catch(function (err) {
      if (err.name === "AbortError") { return; }
      results = []; list.innerHTML = "<li class='empty'>" + esc(T.search_error) + ": " + esc(err.message) + "</li>";
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
  if (!wide()) { document.getElementById("controls").open = false; }
})();
