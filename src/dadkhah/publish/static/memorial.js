/* Offline search of the memorial, over window.MEMORIAL_INDEX (assets/search-index.js, written by
 * `dadkhah publish`).
 *
 * Each entry carries the normalised words of its names ("t") and their ASCII cross-script keys ("k"),
 * computed by dadkhah in Python. The query is normalised and keyed here by MemorialKeys, a port of
 * dadkhah.names.normalize and dadkhah.names.skeleton.word_key that reads the same letter tables
 * (INDEX.rules, written at publish time from dadkhah/names/data). An entry matches when every query
 * word is the start of one of its words, or has the key (or the start of a key) of one of its words.
 */
(function () {
  "use strict";

  var MemorialKeys = function (R) {
    var ARABIC_LETTER = new RegExp(R.arabicLetter);
    var ARABIC_CHAR = new RegExp(R.arabicChar);
    var SCRIPT_RUNS = new RegExp(R.arabicLetter + "+|[a-z]+", "g");
    var NON_ARABIC_RUN = new RegExp("[^" + R.arabicChar.slice(1, -1) + "]+", "g");
    var MARKS = new RegExp("[" + R.persianMarks.map(function (r) { return r[0] + "-" + r[1]; }).join("") + "]", "g");
    var ZERO_WIDTH = new RegExp("[" + R.zeroWidth.join("") + "]", "g");
    var PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹", ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩";
    var ZWNJ = "\u200c";
    var VOWEL_TAGS = "AEOUIY";
    var FINAL_ALEF = {}, SECOND = {};
    R.persianFinalAlef.forEach(function (w) { FINAL_ALEF[w] = true; });
    R.persianSecond.forEach(function (w) { SECOND[w] = true; });
    function compile(rules, flags) {
      return rules.map(function (r) { return [new RegExp(r[0], flags), r[1]]; });
    }
    var PERSIAN_RULES = compile(R.persianRules, "g");
    var LATIN_RULES = compile(R.latinRules, "g");
    var LATIN_PREFIXES = compile(R.latinPrefixes, "");

    function has(table, key) { return Object.prototype.hasOwnProperty.call(table, key); }

    function translate(text, table) {
      var out = "";
      for (var i = 0; i < text.length; i++) {
        var c = text[i];
        out += has(table, c) ? table[c] : c;
      }
      return out;
    }

    function asciiDigits(text) {
      return text.replace(/[۰-۹٠-٩]/g, function (d) {
        var i = PERSIAN_DIGITS.indexOf(d);
        return String(i >= 0 ? i : ARABIC_DIGITS.indexOf(d));
      });
    }

    function removeChars(text, chars) {
      var out = "";
      for (var i = 0; i < text.length; i++) {
        if (chars.indexOf(text[i]) < 0) { out += text[i]; }
      }
      return out;
    }

    function spaces(text) { return text.replace(/\s+/g, " ").trim(); }

    /* dadkhah.names.normalize.normalize_persian */
    function normalizePersian(text) {
      var t = translate(text.normalize("NFKC"), R.persianFold);
      t = t.replace(MARKS, "").replace(ZERO_WIDTH, "");
      t = asciiDigits(t);
      t = t.replace(/\u200c+/g, ZWNJ).replace(/\s*\u200c\s*/g, function (m) { return m === ZWNJ ? ZWNJ : " "; });
      t = spaces(t).replace(/^\u200c+|\u200c+$/g, "");
      return spaces(t.split(ZWNJ).join(""));
    }

    function latinRun(run) {
      var t = translate(run.toLowerCase(), R.latinSpellOut);
      t = t.normalize("NFKD").replace(/\p{Mn}/gu, "");
      t = removeChars(t, R.latinRemove);
      var spaced = {};
      R.latinSpace.forEach(function (c) { spaced[c] = " "; });
      return translate(t, spaced);
    }

    /* dadkhah.names.normalize.normalize_latin */
    function normalizeLatin(text) {
      var t = asciiDigits(text.normalize("NFKC").replace(ZERO_WIDTH, ""));
      return spaces(t.replace(NON_ARABIC_RUN, latinRun));
    }

    /* dadkhah.names.normalize.normalize */
    function normalize(text) {
      var t = text || "";
      if (ARABIC_CHAR.test(t)) { t = normalizePersian(t); }
      return normalizeLatin(t);
    }

    function collapseDoubles(t) { return t.replace(/(.)\1+/g, "$1"); }

    /* skeleton.persian_word_key */
    function persianWordKey(word, bare) {
      if (FINAL_ALEF[word]) { word = word.slice(0, -1) + "ا"; }
      if (word.indexOf("ال") === 0 && SECOND[word.slice(2)]) { word = word.slice(1); }
      PERSIAN_RULES.forEach(function (r) { word = word.replace(r[0], r[1]); });
      var letters = "";
      for (var i = 0; i < word.length; i++) {
        if (ARABIC_LETTER.test(word[i])) { letters += word[i]; }
      }
      word = letters.replace(/ع+$/, "");
      if (!word) { return ""; }
      var out = "", last = word.length - 1;
      for (var j = 0; j < word.length; j++) {
        var ch = word[j];
        if (j === 0 && !bare && (ch === "ا" || ch === "ع")) {
          out += "a";
        } else if (ch === "ا") {
          if (j === last) { out += "a"; }
        } else if (ch === "ه" && j === last && j > 0 && "او".indexOf(word[j - 1]) < 0) {
          out += "e";  /* silent final heh: فاطمه Fatemeh */
        } else {
          out += has(R.persianKey, ch) ? R.persianKey[ch] : "";
        }
      }
      return collapseDoubles(out);
    }

    function latinGroups(word) {
      var out = [], i = 0;
      while (i < word.length) {
        var found = false;
        for (var g = 0; g < R.latinGroups.length; g++) {
          var src = R.latinGroups[g][0];
          if (word.substr(i, src.length) === src) {
            out.push(R.latinGroups[g][1]);
            i += src.length;
            found = true;
            break;
          }
        }
        if (!found) { i += 1; }
      }
      return out;
    }

    /* skeleton.latin_spelling */
    function latinSpelling(word) {
      var canonical = R.latinWords[collapseDoubles(word)];
      var w = (canonical || word).replace(/([^aeiou])\1+/g, "$1");
      LATIN_PREFIXES.forEach(function (r) { w = w.replace(r[0], r[1]); });
      return w;
    }

    var START = { A: "a", E: "a", O: "a", I: "ai", U: "av", Y: "i" };
    var END = { A: "a", E: "e", O: "v", I: "i", U: "v", Y: "i" };
    var INSIDE = { A: "", E: "", O: "", I: "i", U: "v", Y: "i" };

    /* skeleton.latin_word_key */
    function latinWordKey(word, bare) {
      word = (word.match(/[a-z]+/g) || []).join("");
      if (!word) { return ""; }
      var direct = R.latinKeys[collapseDoubles(word)];
      if (direct !== undefined) { return direct; }
      var w = latinSpelling(word);
      LATIN_RULES.forEach(function (r) { w = w.replace(r[0], r[1]); });
      var g = latinGroups(w);
      var endsEh = g.length > 1 && g[g.length - 1] === "h" && g[g.length - 2] === "E";
      if (endsEh) { g.pop(); }
      var out = "", last = g.length - 1;
      for (var i = 0; i < g.length; i++) {
        var tag = g[i];
        if (VOWEL_TAGS.indexOf(tag) < 0) { out += tag; }
        else if (i === 0 && !bare) { out += START[tag]; }
        else if (i === last) {
          if (tag === "E" && !endsEh && (g[i - 1] === "I" || g[i - 1] === "Y")) { continue; }  /* Mirzaie */
          out += END[tag];
        }
        else { out += INSIDE[tag]; }
      }
      return collapseDoubles(out);
    }

    /* skeleton.word_key */
    function wordKey(word, bare) {
      if (!word) { return ""; }
      var hasFa = ARABIC_LETTER.test(word), hasLatin = /[a-z]/.test(word);
      if (hasFa && !hasLatin) { return persianWordKey(word, !!bare); }
      if (hasLatin && !hasFa) { return latinWordKey(word, !!bare); }
      if (!hasFa) { return ""; }  /* digits, punctuation, other scripts: not keyed */
      var runs = word.match(SCRIPT_RUNS) || [];
      return runs.map(function (r, i) { return wordKey(r, !!bare && i === 0); }).join("");
    }

    return { normalize: normalize, wordKey: wordKey };
  };

  var INDEX = window.MEMORIAL_INDEX || { entries: [], rules: null };
  var KEYS = INDEX.rules ? MemorialKeys(INDEX.rules) : null;

  function queryWords(text) {
    return KEYS.normalize(text).split(" ").filter(Boolean);
  }

  function matchesWord(entry, word, key) {
    var plain = word.replace(/[^\p{L}\p{N}]+/gu, "");
    for (var j = 0; j < entry.t.length; j++) {
      if (plain && entry.t[j].indexOf(plain) === 0) { return true; }
    }
    if (!key) { return false; }
    for (var m = 0; m < entry.k.length; m++) {
      if (entry.k[m] === key || (key.length >= 3 && entry.k[m].indexOf(key) === 0)) { return true; }
    }
    return false;
  }

  function search(query) {
    var words = queryWords(query || "");
    if (!words.length) { return null; }
    var keys = words.map(function (w) { return KEYS.wordKey(w); });
    return INDEX.entries.filter(function (e) {
      return words.every(function (w, i) { return matchesWord(e, w, keys[i]); });
    });
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

  window.MemorialKeys = KEYS;
  window.MemorialSearch = { search: search, words: queryWords };

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("q");
    if (!input || !KEYS) { return; }
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
      status.textContent = results.length + (results.length === 1 ? " name found" : " names found") + " · یافته‌ها";
    }
    input.addEventListener("input", update);
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { input.value = params.get("q"); }
    update();
  });
})();
