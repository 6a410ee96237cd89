// Water quality's pages: the readings upload with its progress (the upload
// itself, then the import polled from its JSON address), and the time
// series chart with class bands. No inline script: behaviour hangs off
// data attributes.
(function () {
  "use strict";

  var bandColors = ["#1e40af", "#0891b2", "#15803d", "#ca8a04", "#ea580c", "#b91c1c"];

  function series(el) {
    var src = document.getElementById(el.dataset.waterSeries);
    if (!src || !window.echarts) return;
    var spec = JSON.parse(src.textContent);
    var areas = spec.bands.map(function (b) {
      return [{ yAxis: b.lo === null ? "min" : b.lo, name: b.name, itemStyle: { color: bandColors[b.class - 1], opacity: 0.12 } },
        { yAxis: b.hi === null ? "max" : b.hi }];
    });
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 48, top: 24, bottom: 24, containLabel: true },
      xAxis: { type: "time" },
      yAxis: { type: "value", name: spec.unit, scale: true },
      series: [{ type: "line", name: spec.name, showSymbol: spec.points.length < 200, data: spec.points,
        markArea: { silent: true, label: { position: "insideRight" }, data: areas } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function statusText(el, text) { if (el) el.textContent = text; }

  // poll reads an import's progress until it has ended, then shows its page.
  function poll(url, bar, status) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (res) {
      if (!res.ok) throw new Error(res.statusText);
      return res.json();
    }).then(function (j) {
      if (bar) { bar.hidden = false; bar.value = j.percent; }
      statusText(status, ((status && status.dataset.running) || j.state) + " · " + j.percent + "%");
      if (j.state === "running") {
        setTimeout(function () { poll(url, bar, status); }, 500);
      } else if (location.pathname !== "/water/imports/" + j.id) {
        location.href = "/water/imports/" + j.id;
      } else {
        location.reload();
      }
    }).catch(function () {
      // Offline for a moment, or the import is gone: the link on the page
      // still reloads it.
      setTimeout(function () { poll(url, bar, status); }, 2000);
    });
  }

  function upload(form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var bar = form.querySelector(".upload-progress");
      var status = form.querySelector(".upload-status");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.waterUpload);
      xhr.setRequestHeader("X-CSRF-Token", form.querySelector("input[name=csrf]").value);
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false;
      xhr.upload.addEventListener("progress", function (ev) {
        if (!ev.lengthComputable) return;
        bar.value = Math.round(100 * ev.loaded / ev.total);
        statusText(status, status.dataset.uploading + " · " + bar.value + "%");
      });
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { /* not JSON */ }
        if (xhr.status === 201 || xhr.status === 202) {
          bar.value = 0;
          poll("/api/v1/water/imports/" + body.id, bar, status);
          return;
        }
        var msg = body.message || xhr.statusText;
        (body.fields || []).forEach(function (f) { msg += " " + f.message; });
        statusText(status, msg);
      };
      xhr.onerror = function () { statusText(status, xhr.statusText || "error"); };
      var data = new FormData(form);
      data.delete("csrf");
      xhr.send(data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-water-series]").forEach(series);
    document.querySelectorAll("form[data-water-upload]").forEach(upload);
    document.querySelectorAll("[data-water-import]").forEach(function (el) {
      if (!el.dataset.done) poll(el.dataset.waterImport, el.querySelector("progress"), el.querySelector(".import-state"));
    });
  });
})();
