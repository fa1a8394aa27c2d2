/* Hub dashboards: ECharts bar and pie charts of the figures in #hub-dashboard-data (the tables below the
 * charts show the same numbers, for reading and for screen readers). */
(function () {
  "use strict";
  var node = document.getElementById("hub-dashboard-data");
  if (!node || typeof echarts === "undefined") { return; }
  var d = JSON.parse(node.textContent);
  var rtl = document.documentElement.dir === "rtl";
  var persian = (document.documentElement.lang || "").indexOf("fa") === 0;
  function fmt(v) {
    if (v === null || v === undefined) { return "—"; }
    var text = (Math.round(v * 100) / 100).toLocaleString("en-US");
    return persian ? text.replace(/\d/g, function (c) { return "۰۱۲۳۴۵۶۷۸۹"[c]; }) : text;
  }
  var charts = [];
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.textStyle = { fontFamily: "Vazirmatn, system-ui, sans-serif" };
    chart.setOption(option);
    charts.push(chart);
  }
  function bars(id, labels, series, max) {
    draw(id, {
      tooltip: { trigger: "axis", valueFormatter: fmt },
      legend: { data: series.map(function (s) { return s.name; }), right: rtl ? 0 : "auto", left: rtl ? "auto" : 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 50, containLabel: true },
      xAxis: { type: "category", data: labels, inverse: rtl, axisLabel: { interval: 0, rotate: labels.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", max: max, position: rtl ? "right" : "left", axisLabel: { formatter: fmt } },
      series: series.map(function (s) { return { name: s.name, type: "bar", data: s.data, color: s.color }; })
    });
  }
  function pie(id, data) {
    draw(id, { tooltip: { trigger: "item", valueFormatter: fmt },
               series: [{ type: "pie", radius: ["35%", "70%"], data: data, label: { formatter: "{b}" } }] });
  }
  bars("chart-occupancy-month", d.months, [{ name: d.t.occupancy, data: d.occupancy_by_month, color: "#2b8cbe" }], 100);
  bars("chart-occupancy-kind", d.kinds, [{ name: d.t.occupancy, data: d.occupancy_by_kind, color: "#756bb1" }], 100);
  bars("chart-bookings", d.months, [{ name: d.t.bookings, data: d.bookings_by_month, color: "#2ca02c" },
                                    { name: d.t.cancellations, data: d.cancellations_by_month, color: "#d62728" }]);
  bars("chart-revenue", d.months, [{ name: d.t.revenue, data: d.revenue_by_month, color: "#e6550d" }]);
  if (d.by_stage) { pie("chart-stage", d.by_stage); }
  if (d.by_sector) { pie("chart-sector", d.by_sector); }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
