/* Chain-of-command drawing: zoom (buttons, wheel) and pan (drag) by changing the SVG's viewBox; clicking or
   pressing Enter on a box opens that record's page. */
(function () {
  "use strict";
  var canvas = document.querySelector("[data-graph]");
  if (!canvas) { return; }
  var svg = canvas.querySelector("svg");
  if (!svg) { return; }
  var full = svg.getAttribute("viewBox").split(/\s+/).map(Number);
  var view = full.slice();
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.style.width = "100%";
  svg.style.height = Math.min(Math.max(full[3] * Math.min(1, canvas.clientWidth / full[2]), 320), 720) + "px";
  function apply() { svg.setAttribute("viewBox", view.map(function (v) { return v.toFixed(1); }).join(" ")); }
  function zoom(factor, cx, cy) {
    var w = view[2] * factor, h = view[3] * factor;
    if (w > full[2] * 4 || w < 60) { return; }
    cx = cx === undefined ? view[0] + view[2] / 2 : cx;
    cy = cy === undefined ? view[1] + view[3] / 2 : cy;
    view = [cx - (cx - view[0]) * factor, cy - (cy - view[1]) * factor, w, h];
    apply();
    canvas.setAttribute("data-zoom", (full[2] / view[2]).toFixed(2));
  }
  function toSvg(ev) {
    var r = svg.getBoundingClientRect();
    var s = Math.max(view[2] / r.width, view[3] / r.height);
    return [view[0] + (ev.clientX - r.left) * s, view[1] + (ev.clientY - r.top) * s, s];
  }
  document.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var how = b.getAttribute("data-zoom");
      if (how === "in") { zoom(0.8); } else if (how === "out") { zoom(1.25); }
      else { view = full.slice(); apply(); canvas.setAttribute("data-zoom", "1.00"); }
    });
  });
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = toSvg(ev);
    zoom(ev.deltaY < 0 ? 0.85 : 1 / 0.85, p[0], p[1]);
  }, { passive: false });
  var drag = null, moved = false;
  svg.addEventListener("pointerdown", function (ev) { drag = toSvg(ev); moved = false; });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    var r = svg.getBoundingClientRect();
    var s = drag[2];
    var dx = (ev.clientX - r.left) * s + view[0] - drag[0], dy = (ev.clientY - r.top) * s + view[1] - drag[1];
    if (Math.abs(dx) + Math.abs(dy) > 2) { moved = true; }
    view[0] -= dx; view[1] -= dy;
    apply();
    drag = toSvg(ev);
  });
  window.addEventListener("pointerup", function () { drag = null; });
  svg.querySelectorAll("g.node[data-id]").forEach(function (node) {
    node.style.cursor = "pointer";
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "link");
    var go = function () { window.location.href = "/entity/" + encodeURIComponent(node.getAttribute("data-id")); };
    node.addEventListener("click", function () { if (!moved) { go(); } });
    node.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { go(); } });
  });
})();
