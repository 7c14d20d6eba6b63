/* Offline search over window.MEMORIAL_INDEX (assets/search-index.js), written by `dadkhah publish`.
 *
 * Each entry carries the normalised tokens of its names ("t") and the ASCII cross-script keys of
 * those tokens ("k"), both computed by dadkhah in Python. A query is normalised and keyed here with
 * the same rules (window.MEMORIAL_INDEX.rules, also written by dadkhah); an entry matches when every
 * query word matches one of its tokens (as a prefix) or one of its keys.
 */
(function () {
  "use strict";
  var INDEX = window.MEMORIAL_INDEX || { entries: [], rules: null };
  var R = INDEX.rules;

  function mapChars(text, table) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      out += Object.prototype.hasOwnProperty.call(table, c) ? table[c] : c;
    }
    return out;
  }

  /* Persian/Latin normalisation: the same steps as dadkhah.names.normalize (see searchkeys.py). */
  function normalize(text) {
    var t = text.normalize("NFKC");
    t = mapChars(t, R.fold);
    t = t.replace(new RegExp(R.drop, "g"), "");
    t = t.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").normalize("NFC");
    return t.toLowerCase().replace(/\s+/g, " ").trim();
  }

  function words(text) {
    return normalize(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  /* The ASCII key of one word: dadkhah.names.token_keys' rules, driven by the tables in R.keys. */
  function keyOf(word) {
    return window.MemorialKeys.key(word, R.keys);
  }

  function matches(entry, qwords, qkeys) {
    for (var i = 0; i < qwords.length; i++) {
      var w = qwords[i], k = qkeys[i], hit = false;
      for (var j = 0; j < entry.t.length && !hit; j++) {
        if (entry.t[j].indexOf(w) === 0) { hit = true; }
      }
      for (var m = 0; m < entry.k.length && !hit && k; m++) {
        if (entry.k[m] === k) { hit = true; }
      }
      if (!hit) { return false; }
    }
    return true;
  }

  function search(query) {
    var qwords = words(query);
    if (!qwords.length) { return null; }
    var qkeys = qwords.map(keyOf);
    return INDEX.entries.filter(function (e) { return matches(e, qwords, qkeys); });
  }

  function render(list, results) {
    list.textContent = "";
    results.forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = e.u;
      a.textContent = e.n;
      li.appendChild(a);
      if (e.f) {
        var fa = document.createElement("span");
        fa.className = "fa"; fa.dir = "rtl"; fa.lang = "fa"; fa.textContent = e.f;
        li.appendChild(fa);
      }
      if (e.p || e.d) {
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = " " + [e.d, e.p].filter(Boolean).join(" · ");
        li.appendChild(meta);
      }
      list.appendChild(li);
    });
  }

  window.MemorialSearch = { search: search, normalize: normalize, words: words, keyOf: keyOf };

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("q");
    if (!input) { return; }
    var all = document.getElementById("all"), list = document.getElementById("results");
    var status = document.getElementById("status");
    function update() {
      var results = search(input.value);
      if (results === null) {
        list.hidden = true; all.hidden = false; status.textContent = "";
        return;
      }
      render(list, results);
      list.hidden = false; all.hidden = true;
      status.textContent = results.length + (results.length === 1 ? " name found" : " names found");
    }
    input.addEventListener("input", update);
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { input.value = params.get("q"); }
    update();
  });
})();
