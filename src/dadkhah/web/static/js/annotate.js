/* Marking a region of a document image: drag across the image; the region is kept as fractions of the
   image's size in the form's hidden fields (the server checks and stores it). */
(function () {
  "use strict";
  var box = document.getElementById("annotated");
  var img = document.getElementById("annotated-image");
  var form = document.getElementById("annotate-form");
  var mark = document.getElementById("drawing");
  if (!box || !img || !form || !mark) { return; }
  var start = null;
  function frac(ev) {
    var r = img.getBoundingClientRect();
    return [Math.min(Math.max((ev.clientX - r.left) / r.width, 0), 1), Math.min(Math.max((ev.clientY - r.top) / r.height, 0), 1)];
  }
  function set(a, b) {
    var x = Math.min(a[0], b[0]), y = Math.min(a[1], b[1]), w = Math.abs(a[0] - b[0]), h = Math.abs(a[1] - b[1]);
    mark.hidden = false;
    mark.style.left = (x * 100) + "%"; mark.style.top = (y * 100) + "%";
    mark.style.width = (w * 100) + "%"; mark.style.height = (h * 100) + "%";
    [["x", x], ["y", y], ["w", w], ["h", h]].forEach(function (p) {
      document.getElementById("region-" + p[0]).value = p[1].toFixed(5);
    });
  }
  img.addEventListener("dragstart", function (ev) { ev.preventDefault(); });
  box.addEventListener("pointerdown", function (ev) { start = frac(ev); set(start, start); ev.preventDefault(); });
  window.addEventListener("pointermove", function (ev) { if (start) { set(start, frac(ev)); } });
  window.addEventListener("pointerup", function (ev) { if (start) { set(start, frac(ev)); start = null; } });
})();
