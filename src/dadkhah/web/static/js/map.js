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
  var map = L.map(el, { zoomSnap: 0.5, attributionControl: true }).setView([32.4, 53.7], 5);
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
  } else if (data.features.length) {
    map.fitBounds(sites.getBounds(), { padding: [40, 40], maxZoom: 10 });
  }
  el.dataset.sites = String(data.features.length);
  el.dataset.ready = "1";
})();
