/* The query builder: each condition offers only the operators its field has, the second date only for
   "between", and suggestions for its values; rows left empty are not sent, so the address stays short.
   Without JavaScript the form still works (the server checks every field and operator). */
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  if (!form) { return; }
  var OPS = { text: ["contains"], choice: ["any", "none"], vocab: ["any", "none"], place: ["any", "none"],
              organization: ["any", "none"], date: ["between", "before", "after"] };

  function sync(row) {
    var field = row.querySelector(".q-field");
    var op = row.querySelector(".q-op");
    var opt = field.options[field.selectedIndex];
    var type = opt ? opt.getAttribute("data-type") : null;
    var allowed = type ? OPS[type] : null;
    var first = null;
    for (var i = 0; i < op.options.length; i++) {
      var o = op.options[i];
      var ok = !allowed || allowed.indexOf(o.value) >= 0;
      o.hidden = !ok;
      o.disabled = !ok;
      if (ok && first === null) { first = o; }
    }
    if (op.selectedOptions.length === 0 || op.selectedOptions[0].disabled) { if (first) { op.value = first.value; } }
    var value = row.querySelector(".q-value");
    if (field.value && document.getElementById("q-list-" + field.value)) {
      value.setAttribute("list", "q-list-" + field.value);
    } else { value.removeAttribute("list"); }
    row.querySelector(".q-second").hidden = op.value !== "between";
  }

  var rows = form.querySelectorAll(".condition");
  for (var r = 0; r < rows.length; r++) {
    (function (row) {
      sync(row);
      row.querySelector(".q-field").addEventListener("change", function () { sync(row); });
      row.querySelector(".q-op").addEventListener("change", function () { sync(row); });
    })(rows[r]);
  }
  var radios = form.querySelectorAll("[data-resubmit]");
  for (var k = 0; k < radios.length; k++) {
    radios[k].addEventListener("change", function (ev) { window.location.href = "/query?kind=" + encodeURIComponent(ev.target.value); });
  }
  form.addEventListener("submit", function () {
    var all = form.querySelectorAll(".condition");
    var n = 0;
    for (var i = 0; i < all.length; i++) {
      var row = all[i];
      var inputs = row.querySelectorAll("select, input");
      if (!row.querySelector(".q-field").value && !row.querySelector(".q-value").value) {
        for (var j = 0; j < inputs.length; j++) { inputs[j].disabled = true; }
        continue;
      }
      // number the kept rows from 0 so the shared address reads c0…, c1…
      for (var m = 0; m < inputs.length; m++) {
        inputs[m].name = inputs[m].name.replace(/^c\d+/, "c" + n);
        if (inputs[m].classList.contains("q-second-value") && row.querySelector(".q-op").value !== "between") {
          inputs[m].disabled = true;
        }
      }
      n += 1;
    }
  });
})();
