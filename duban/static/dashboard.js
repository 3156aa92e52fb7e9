/* Draws the dashboard charts from the JSON the page carries (#chart-data); the same numbers are in the tables. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var RED = "#b4231b", BLUE = "#0b5cad", GREY = "#8c959f";
  var LIGHT_COLOURS = { green: "#2e7d32", yellow: "#e0a800", red: RED, review: "#6a1b9a", done: BLUE, late_done: "#5c6bc0", grey: GREY, no_calendar: "#795548" };
  var base = { animation: false, textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" } };

  function merge(a, b) { var o = {}, k; for (k in a) { o[k] = a[k]; } for (k in b) { o[k] = b[k]; } return o; }

  function rates(d) {
    // Horizontal bars, one row per unit or section, so long Chinese names stay readable.
    return merge(base, {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { data: ["完成率", "按时完成率"], top: 0 },
      grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: d.labels, inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
      series: [
        { name: "完成率", type: "bar", data: d.done_rate, itemStyle: { color: BLUE } },
        { name: "按时完成率", type: "bar", data: d.on_time_rate, itemStyle: { color: RED } }
      ]
    });
  }

  function pie(items) {
    return merge(base, {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0 },
      series: [{
        type: "pie", radius: ["35%", "65%"], label: { formatter: "{b} {c}" },
        data: items.filter(function (i) { return i.value > 0; }).map(function (i) {
          return { name: i.name, value: i.value, itemStyle: { color: LIGHT_COLOURS[i.key] || GREY } };
        })
      }]
    });
  }

  function trend(d) {
    return merge(base, {
      tooltip: { trigger: "axis" },
      legend: { data: ["当周办结", "累计办结"], top: 0 },
      grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.weeks, axisLabel: { formatter: function (v) { return v.slice(5); } } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1 }],
      series: [
        { name: "当周办结", type: "bar", data: d["new"], itemStyle: { color: BLUE } },
        { name: "累计办结", type: "line", yAxisIndex: 1, data: d.cumulative, itemStyle: { color: RED } }
      ]
    });
  }

  var builders = { rates: function (el) { return rates(data[el.dataset.chart]); },
                   pie: function (el) { return pie(data[el.dataset.chart]); },
                   trend: function (el) { return trend(data[el.dataset.chart]); } };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var build = builders[el.dataset.kind];
    if (!build || !data[el.dataset.chart]) { return; }
    if (el.dataset.kind === "rates") {  // room for every row
      el.style.height = Math.max(220, 40 + 28 * data[el.dataset.chart].labels.length) + "px";
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(el));
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
