// Concord's small client script: no inline script is allowed by the CSP, so
// behaviour hangs off data attributes and classes.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // color reads a series' colour from app.css (--c-KEY), so a light has the
  // same colour in charts as on the page.
  function color(key) {
    var c = key && getComputedStyle(document.documentElement).getPropertyValue("--c-" + key).trim();
    return c || undefined;
  }

  function seriesOf(spec, type, stack) {
    return spec.series.map(function (s) {
      return { type: type, stack: stack, name: s.name, data: s.values, itemStyle: { color: color(s.key) }, emphasis: { focus: "series" } };
    });
  }

  var day = 24 * 3600 * 1000;

  // gantt draws each task as a bar from its start to its due date, coloured
  // by its light, with its milestones as diamonds and today as a line.
  function gantt(el, spec) {
    el.style.height = Math.max(160, spec.rows.length * 30 + 70) + "px";
    var bars = spec.rows.map(function (r, i) {
      return { name: r.label, value: [i, Date.parse(r.start), Date.parse(r.end) + day, r.light], itemStyle: { color: color(r.key) } };
    });
    return {
      tooltip: {
        formatter: function (p) {
          var r = spec.rows[p.value[0]];
          return p.seriesType === "custom" ? r.label + "<br>" + r.start + " – " + r.end + " · " + r.light : p.name;
        }
      },
      grid: { left: 8, right: 24, top: 16, bottom: 24, containLabel: true },
      xAxis: { type: "time" },
      yAxis: { type: "category", inverse: true, data: spec.rows.map(function (r) { return r.label; }), axisLabel: { width: 220, overflow: "truncate" } },
      series: [{
        type: "custom",
        encode: { x: [1, 2], y: 0 },
        data: bars,
        renderItem: function (params, api) {
          var from = api.coord([api.value(1), api.value(0)]);
          var to = api.coord([api.value(2), api.value(0)]);
          var h = api.size([0, 1])[1] * 0.55;
          var rect = echarts.graphic.clipRectByRect(
            { x: from[0], y: from[1] - h / 2, width: Math.max(to[0] - from[0], 2), height: h },
            { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
          return rect && { type: "rect", shape: rect, style: api.style() };
        },
        markLine: { symbol: "none", silent: true, lineStyle: { color: "#1f2933", type: "dashed" }, label: { formatter: spec.today }, data: [{ xAxis: Date.parse(spec.today) }] }
      }, {
        type: "scatter",
        symbol: "diamond",
        symbolSize: 12,
        itemStyle: { color: "#1f2933" },
        data: spec.marks.map(function (m) { return { name: m.label + " " + m.at, value: [Date.parse(m.at), m.row] }; })
      }]
    };
  }

  // option turns a chart's spec (from its JSON block) into ECharts options.
  function option(el, spec) {
    switch (spec.type) {
    case "pie":
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], data: spec.data, label: { formatter: "{b}: {c}" } }]
      };
    case "stack": // categories of tasks stacked by light, as horizontal bars
      el.style.height = Math.max(200, spec.categories.length * 36 + 90) + "px";
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0 },
        grid: { left: 8, right: 16, top: 8, bottom: 48, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: spec.categories },
        series: seriesOf(spec, "bar", "all")
      };
    case "bars": // grouped bars per category
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0 },
        grid: { left: 8, right: 16, top: 16, bottom: 48, containLabel: true },
        xAxis: { type: "category", data: spec.categories },
        yAxis: { type: "value", minInterval: 1 },
        series: seriesOf(spec, "bar")
      };
    case "gantt":
      return gantt(el, spec);
    }
    return {
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: spec.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: spec.type || "bar", data: spec.values }]
    };
  }

  function charts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.ready) return;
      var src = document.getElementById(el.dataset.chart);
      if (!src) return;
      var spec = JSON.parse(src.textContent);
      var opt = option(el, spec);
      var chart = echarts.init(el, null, { renderer: "svg" });
      opt.aria = { enabled: true };
      chart.setOption(opt);
      el.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // A choice made with the pointer submits at once. The arrow keys change
  // a closed select's value at each press, so a keyboard user would be sent
  // away on the first one (WCAG 3.2.2 On Input): after a key, the form shows
  // its button and waits for it or for Enter.
  function autosubmit(sel) {
    if (sel.dataset.wired) return;
    sel.dataset.wired = "1";
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
  // Forms with files post through htmx (hx-boost), which swaps in the page
  // that comes back (the event fires on each new element): wire it as a new
  // page, with the keyboard on the first field in error.
  document.addEventListener("htmx:afterSettle", function (e) {
    wire(e.target);
    focusError();
  });
})();
