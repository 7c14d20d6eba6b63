/* The map of prisons and grave sites (Leaflet, vendored).
   The bundled schematic outline of Iran is always drawn, so the map works offline; tiles are added only
   when configured (DADKHAH_MAP_TILES) and are dropped again if they fail to load. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var data = JSON.parse(document.getElementById("map-features").textContent);
  var note = document.getElementById("map-note");
  var map = L.map(el, { zoomSnap: 0.5, attributionControl: true, zoomControl: false }).setView([32.4, 53.7], 5);
  L.control.zoom({ zoomInTitle: cfg.labels.zoom_in, zoomOutTitle: cfg.labels.zoom_out }).addTo(map);
  // the library's name is a name, not interface text: marked as such for a Persian page
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" lang="en" translate="no">Leaflet</a>');
  var colours = { prison: "#7a1f2b", mass_grave: "#1d2329" };

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var outline = L.geoJSON(null, {
    interactive: false,
    style: function () { return { color: "#5b6670", weight: 1.5, fillColor: "#f4f1e8", fillOpacity: 0.9 }; },
    pointToLayer: function (feature, latlng) {
      var name = cfg.lang === "fa" ? feature.properties.name_fa : feature.properties.name_en;
      return L.marker(latlng, {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "province-label", html: "<span>" + escapeHtml(name) + "</span>", iconSize: null })
      });
    }
  }).addTo(map);
  fetch(cfg.outline).then(function (r) { return r.json(); }).then(function (geo) {
    outline.addData(geo);
    outline.bringToBack();
    el.dataset.outline = "loaded";
  }).catch(function () { el.dataset.outline = "failed"; });

  if (cfg.tiles) {
    var tiles = L.tileLayer(cfg.tiles, { attribution: cfg.attribution || "", maxZoom: 18 });
    var failures = 0;
    tiles.on("tileerror", function () {
      failures += 1;
      if (failures === 3) {
        map.removeLayer(tiles);
        el.dataset.tiles = "failed";
        if (note) { note.textContent = cfg.labels.offline; }
      }
    });
    tiles.on("load", function () { el.dataset.tiles = "loaded"; });
    tiles.addTo(map);
  }

  var focusLayer = null;
  var sites = L.geoJSON(data, {
    pointToLayer: function (feature, latlng) {
      var p = feature.properties;
      return L.circleMarker(latlng, {
        radius: 8, weight: 2, color: "#fff", fillColor: colours[p.place_type] || "#1a5fb4", fillOpacity: 0.95,
        className: "site-marker site-" + p.place_type
      });
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      layer.bindPopup('<div dir="auto"><strong><a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.label) +
        "</a></strong><br>" + escapeHtml(p.type_label) + (p.events ? " · " + escapeHtml(cfg.labels.events) + ": " +
        p.events : "") + "</div>");
      layer.bindTooltip(p.label, { direction: "top" });
      if (cfg.focus && p.id === cfg.focus) { focusLayer = layer; }
    }
  }).addTo(map);

  if (focusLayer) {
    map.setView(focusLayer.getLatLng(), 9);
    focusLayer.openPopup();
  } else if (data.features.length && !cfg.area) {
    map.fitBounds(sites.getBounds(), { padding: [40, 40], maxZoom: 10 });
  }
  // --- search by an area drawn on the map (plain mouse events; no plugin) ---------------------------------
  // A rectangle: press, drag, release. A polygon: click each corner, then double-click or "finish".
  // The corners go to the server in the address (/map?area=lat,lng;…), which lists what lies inside.
  var tools = document.getElementById("map-tools");
  var help = document.getElementById("draw-help");
  var mode = null, start = null, shape = null, corners = [], guide = null;
  var style = { color: "#1a5fb4", weight: 2, fillOpacity: 0.12, interactive: false };

  function button(name) { return tools ? tools.querySelector('[data-draw="' + name + '"]') : null; }
  function round(v) { return Math.round(v * 10000) / 10000; }
  function setMode(next) {
    mode = next;
    corners = []; start = null;
    if (guide) { map.removeLayer(guide); guide = null; }
    ["rectangle", "polygon"].forEach(function (m) {
      var b = button(m);
      if (b) { b.setAttribute("aria-pressed", String(m === mode)); }
    });
    if (mode) { map.closePopup(); map.dragging.disable(); map.doubleClickZoom.disable(); el.classList.add("drawing"); }
    else { map.dragging.enable(); map.doubleClickZoom.enable(); el.classList.remove("drawing"); }
    if (help) { help.textContent = mode ? help.getAttribute("data-" + mode) : ""; }
    var fin = button("finish");
    if (fin) { fin.hidden = mode !== "polygon"; }
    el.dataset.drawing = mode || "";
  }
  function search(latlngs) {
    var area = latlngs.map(function (p) { return round(p.lat) + "," + round(p.lng); }).join(";");
    var url = "/map?area=" + encodeURIComponent(area) + (cfg.all ? "&all=1" : "");
    el.dataset.area = area;
    window.location.href = url;
  }
  function clearShape() { if (shape) { map.removeLayer(shape); shape = null; } }

  map.on("mousedown", function (ev) {
    if (mode !== "rectangle") { return; }
    clearShape();
    start = ev.latlng;
    shape = L.rectangle(L.latLngBounds(start, start), style).addTo(map);
  });
  map.on("mousemove", function (ev) {
    if (mode === "rectangle" && start && shape) { shape.setBounds(L.latLngBounds(start, ev.latlng)); }
    if (mode === "polygon" && corners.length) {
      if (guide) { guide.setLatLngs(corners.concat([ev.latlng])); }
    }
  });
  map.on("mouseup", function (ev) {
    if (mode !== "rectangle" || !start) { return; }
    var b = L.latLngBounds(start, ev.latlng);
    start = null;
    setMode(null);
    if (b.getNorth() === b.getSouth() || b.getEast() === b.getWest()) { clearShape(); return; }
    search([b.getNorthWest(), b.getNorthEast(), b.getSouthEast(), b.getSouthWest()]);
  });
  function finishPolygon() {
    var done = corners.slice();
    setMode(null);
    if (done.length >= 3) {
      clearShape();
      shape = L.polygon(done, style).addTo(map);
      search(done);
    }
  }
  map.on("click", function (ev) {
    if (mode !== "polygon") { return; }
    var last = corners[corners.length - 1];
    if (last && last.equals(ev.latlng)) { return; }
    corners.push(ev.latlng);
    if (!guide) { guide = L.polyline(corners, { color: "#1a5fb4", weight: 2, dashArray: "4 4", interactive: false }).addTo(map); }
    else { guide.setLatLngs(corners); }
    el.dataset.corners = String(corners.length);
  });
  map.on("dblclick", function () { if (mode === "polygon") { finishPolygon(); } });
  document.addEventListener("keydown", function (ev) {
    if (!mode) { return; }
    if (ev.key === "Escape") { setMode(null); }
    if (ev.key === "Enter" && mode === "polygon") { finishPolygon(); }
  });
  if (tools) {
    tools.addEventListener("click", function (ev) {
      var b = ev.target.closest("[data-draw]");
      if (!b) { return; }
      var what = b.getAttribute("data-draw");
      if (what === "finish") { finishPolygon(); }
      else if (what === "clear") { window.location.href = "/map" + (cfg.all ? "?all=1" : ""); }
      else { setMode(mode === what ? null : what); }
    });
  }
  if (cfg.area) {
    shape = L.polygon(cfg.area, style).addTo(map);
    map.fitBounds(shape.getBounds(), { padding: [30, 30], maxZoom: 11, animate: false });
    el.dataset.areaShown = String(cfg.area.length);
  }

  el.dkMap = map;  // for the browser tests (and the console): the Leaflet map of this element
  el.dataset.sites = String(data.features.length);
  el.dataset.ready = "1";
})();
