/* Chain-of-command drawing: clicking a box opens that record's page. */
(function () {
  "use strict";
  document.querySelectorAll("[data-graph] g.node[data-id]").forEach(function (node) {
    node.style.cursor = "pointer";
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "link");
    var go = function () { window.location.href = "/entity/" + encodeURIComponent(node.getAttribute("data-id")); };
    node.addEventListener("click", go);
    node.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { go(); } });
  });
})();
