/* Type-ahead pickers: a <select data-typeahead> of many records becomes a text box that suggests as you
   type — in any script or letter case; with data-search-kind the server's name search adds records found
   by another spelling or script (Rezaei → رضایی). The <select> stays in the form (hidden) and carries the
   chosen value, so the form posts as before, and works without JavaScript. */
(function () {
  "use strict";
  var DIGITS = { "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9" };
  function norm(s) {
    return (s || "").normalize("NFKD").replace(/[\u0300-\u036f\u064B-\u065F\u0670]/g, "").toLowerCase()
      .replace(/[يى]/g, "ی").replace(/ك/g, "ک").replace(/[أإآ]/g, "ا").replace(/[ۀة]/g, "ه")
      .replace(/[\u200c\-_'’]/g, " ").replace(/[۰-۹]/g, function (d) { return DIGITS[d]; })
      .replace(/\s+/g, " ").trim();
  }
  var counter = 0;
  function enhance(select) {
    var id = "ta-" + (++counter);
    var box = document.createElement("span");
    box.className = "typeahead";
    var input = document.createElement("input");
    input.type = "text";
    input.setAttribute("dir", "auto");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");
    input.placeholder = select.getAttribute("data-placeholder") || "";
    if (select.getAttribute("aria-label")) { input.setAttribute("aria-label", select.getAttribute("aria-label")); }
    if (select.id) { input.id = select.id; select.id = select.id + "-select"; }  // a <label for> now names the box
    var list = document.createElement("ul");
    list.id = id;
    list.className = "typeahead-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var options = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; })
      .map(function (o) { return { value: o.value, text: o.text, key: norm(o.text), lang: o.lang }; });
    var byValue = {};
    options.forEach(function (o) { byValue[o.value] = o; });
    if (select.value && byValue[select.value]) { input.value = byValue[select.value].text; }
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(box, select);
    box.appendChild(input);
    box.appendChild(list);
    var active = -1, shown = [], seq = 0;
    function choose(o) {
      select.value = o ? o.value : "";
      input.value = o ? o.text : "";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      close();
    }
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function render(items) {
      shown = items.slice(0, 30);
      list.innerHTML = "";
      shown.forEach(function (o, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("data-value", o.value);
        if (o.lang) { li.lang = o.lang; }
        li.textContent = o.text;
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(o); });
        list.appendChild(li);
      });
      list.hidden = shown.length === 0;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
    }
    function highlight(i) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li) { li.removeAttribute("aria-selected"); });
      if (i >= 0 && items[i]) {
        items[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else { input.removeAttribute("aria-activedescendant"); }
      active = i;
    }
    input.addEventListener("input", function () {
      var q = norm(input.value);
      if (!q) { select.value = ""; close(); return; }
      var starts = [], inside = [];
      options.forEach(function (o) {
        var at = o.key.indexOf(q);
        if (at === 0 || o.key.indexOf(" " + q) > 0) { starts.push(o); } else if (at > 0) { inside.push(o); }
      });
      var local = starts.concat(inside);
      render(local);
      var kind = select.getAttribute("data-search-kind");
      if (kind && q.length >= 2) {
        var mine = ++seq;
        fetch("/api/search?limit=30&kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(input.value),
              { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
          .then(function (data) {
            if (mine !== seq) { return; }
            var seen = {};
            local.forEach(function (o) { seen[o.value] = true; });
            var more = (data.hits || []).map(function (h) { return byValue[h.id]; })
              .filter(function (o) { return o && !seen[o.value] && (seen[o.value] = true); });
            if (more.length) { render(local.concat(more)); }
          }).catch(function () {});
      }
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); if (list.hidden) { input.dispatchEvent(new Event("input")); } highlight(Math.min(active + 1, shown.length - 1)); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (ev.key === "Enter" && !list.hidden && active >= 0) { ev.preventDefault(); choose(shown[active]); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 100);
      if (!input.value.trim()) { select.value = ""; }
    });
  }
  document.querySelectorAll("select[data-typeahead]").forEach(enhance);
})();
