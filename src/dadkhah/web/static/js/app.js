/* Small conveniences for every page. No framework: forms work without JavaScript. */
(function () {
  "use strict";
  // Persian and Arabic-Indic digits typed into number fields are read as ASCII digits.
  var map = { "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
              "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9" };
  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t && t.matches && t.matches('input[inputmode="decimal"], input[inputmode="numeric"]')) {
      var v = t.value.replace(/[۰-۹٠-٩]/g, function (d) { return map[d]; });
      if (v !== t.value) { t.value = v; }
    }
  });
  // Confirm buttons that ask for it.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("[data-confirm]") : null;
    if (b && !window.confirm(b.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });
  // Bulk edits on a list: "select all on this page" and a live count of the ticked records.
  var all = document.querySelector("[data-select-all]");
  if (all) {
    var formId = all.getAttribute("data-select-all");
    var boxes = function () { return document.querySelectorAll('input[type=checkbox][name=ids][form="' + formId + '"]'); };
    var count = document.getElementById("bulk-count");
    var update = function () {
      var n = 0, list = boxes();
      for (var i = 0; i < list.length; i++) { if (list[i].checked) { n += 1; } }
      all.checked = n > 0 && n === list.length;
      all.indeterminate = n > 0 && n < list.length;
      if (count) {
        var lang = document.documentElement.lang;
        count.textContent = n ? (lang === "fa" ? String(n).replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[d]; }) : String(n)) +
          " " + count.getAttribute("data-selected") : count.getAttribute("data-template-none");
      }
    };
    all.addEventListener("change", function () {
      var list = boxes();
      for (var i = 0; i < list.length; i++) { list[i].checked = all.checked; }
      update();
    });
    document.addEventListener("change", function (ev) {
      if (ev.target && ev.target.name === "ids" && ev.target.getAttribute("form") === formId) { update(); }
    });
  }
})();
