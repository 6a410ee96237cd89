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

  // A choice made with the pointer submits at once. The arrow keys change
  // a closed select's value at each press, so a keyboard user would be sent
  // away on the first one (WCAG 3.2.2 On Input): after a key, the form shows
  // its button and waits for it or for Enter.
  function autosubmit(sel) {
    var keyed = false;
    sel.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        if (sel.form.classList.contains("changed")) {
          e.preventDefault();
          sel.form.submit();
        }
        return;
      }
      if (e.key !== "Tab" && e.key !== "Shift") keyed = true;
    });
    sel.addEventListener("pointerdown", function () { keyed = false; });
    sel.addEventListener("change", function () {
      if (keyed) {
        sel.form.classList.add("changed");
        return;
      }
      sel.form.submit();
    });
  }

  function wire(root) {
    root.querySelectorAll("select.autosubmit").forEach(autosubmit);
    charts(root);
  }

  // After a refused form, put the keyboard on the first field in error.
  function focusError() {
    var bad = document.querySelector("[aria-invalid=\"true\"]");
    if (bad) bad.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { wire(document); focusError(); });
  document.addEventListener("htmx:afterSwap", function (e) { charts(e.target); });
})();
