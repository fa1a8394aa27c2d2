/* M&E dashboard: one ECharts line chart per indicator (actual vs target, baseline as a dashed line). */
(function () {
  "use strict";
  var node = document.getElementById("me-chart-data");
  if (!node || typeof echarts === "undefined") { return; }
  var rtl = document.documentElement.dir === "rtl";
  var persian = (document.documentElement.lang || "").indexOf("fa") === 0;
  function fmt(v) {
    if (v === null || v === undefined) { return "—"; }
    var text = (Math.round(v * 100) / 100).toString();
    return persian ? text.replace(/\d/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[d]; }) : text;
  }
  JSON.parse(node.textContent).forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var series = [
      { name: c.t_target, type: "line", data: c.target, connectNulls: true, lineStyle: { type: "dashed" }, symbol: "diamond", color: "#999999" },
      { name: c.t_actual, type: "line", data: c.actual, connectNulls: false, color: "#2b8cbe" }
    ];
    if (c.baseline !== null) {
      series[1].markLine = { symbol: "none", data: [{ yAxis: c.baseline, name: c.t_baseline }], lineStyle: { color: "#756bb1" },
                             label: { formatter: c.t_baseline } };
    }
    chart.setOption({
      textStyle: { fontFamily: "Vazirmatn, system-ui, sans-serif" },
      tooltip: { trigger: "axis", valueFormatter: fmt },
      legend: { data: [c.t_target, c.t_actual], top: 0, right: rtl ? 0 : "auto", left: rtl ? "auto" : 0 },
      // containLabel: the value labels and axis names stay inside the chart (they were cut off in RTL)
      grid: { left: 12, right: 12, top: 56, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: c.labels, inverse: rtl, name: c.t_period, nameLocation: "middle", nameGap: 28,
               axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", name: c.unit, position: rtl ? "right" : "left", axisLabel: { formatter: fmt },
               nameTextStyle: { align: rtl ? "right" : "left" } },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
