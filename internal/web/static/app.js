// Concord's small client script: no inline script is allowed by the CSP, so
// behaviour hangs off data attributes and classes.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function charts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.ready) return;
      var src = document.getElementById(el.dataset.chart);
      if (!src) return;
      var spec = JSON.parse(src.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      var option;
      if (spec.type === "pie") {
        option = {
          tooltip: { trigger: "item" },
          legend: { bottom: 0 },
          series: [{ type: "pie", radius: ["35%", "65%"], data: spec.data, label: { formatter: "{b}: {c}" } }]
        };
      } else {
        option = {
          tooltip: { trigger: "axis" },
          xAxis: { type: "category", data: spec.labels },
          yAxis: { type: "value" },
          series: [{ type: spec.type || "bar", data: spec.values }]
        };
      }
      option.aria = { enabled: true };
      chart.setOption(option);
      el.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function wire(root) {
    root.querySelectorAll("select.autosubmit").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
    charts(root);
  }

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (e) { charts(e.target); });
})();
