/* Evidence upload with a progress bar: each chosen file is sent in turn to POST /api/evidence. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var labels = JSON.parse(document.getElementById("upload-labels").textContent);
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var percent = document.getElementById("upload-percent");
  var persian = document.documentElement.lang === "fa";
  function digits(n) { return persian ? String(n).replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[+d]; }) : String(n); }
  var nameEl = document.getElementById("upload-name");
  var results = document.getElementById("upload-results");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  function addResult(file, status, body) {
    var li = document.createElement("li");
    li.setAttribute("data-status", status);
    var strong = document.createElement("strong");
    strong.textContent = (labels[status] || status) + ": ";
    li.appendChild(strong);
    if (body && body.item_id) {
      var a = document.createElement("a");
      a.href = "/evidence/" + encodeURIComponent(body.item_id);
      a.textContent = file.name;
      a.setAttribute("dir", "auto");
      li.appendChild(a);
    } else {
      var span = document.createElement("span");
      span.textContent = file.name + (body && (body.error || body.detail) ? " — " + (body.error ||
        (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail))) : "");
      li.appendChild(span);
    }
    results.appendChild(li);
  }

  function send(files, i) {
    if (i >= files.length) { form.querySelector("button").disabled = false; box.dataset.done = "1"; return; }
    var file = files[i];
    var data = new FormData(form);
    data.delete("file");
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    nameEl.textContent = file.name;
    bar.value = 0; percent.textContent = digits(0);
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) {
        var p = Math.round(100 * ev.loaded / ev.total);
        bar.value = p; percent.textContent = digits(p);
        if (p === 100) { nameEl.textContent = file.name + " — " + labels.processing; }
      }
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      var status = xhr.status < 300 && body ? (body.status || "stored") : "failed";
      addResult(file, status, body);
      send(files, i + 1);
    });
    xhr.addEventListener("error", function () { addResult(file, "failed", null); send(files, i + 1); });
    xhr.send(data);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var files = document.getElementById("upload-files").files;
    if (!files.length) { return; }
    box.hidden = false;
    box.dataset.done = "";
    form.querySelector("button").disabled = true;
    send(Array.prototype.slice.call(files), 0);
  });
})();
