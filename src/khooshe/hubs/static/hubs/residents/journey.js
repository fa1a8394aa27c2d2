/* The KPI chart of a resident's journey page: headcount and customers (left axis) and funds raised to
 * date (right axis) at each snapshot, drawn with ECharts. */
(function () {
  "use strict";
  var el = document.getElementById("kpi-chart");
  var source = document.getElementById("kpi-chart-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var rtl = document.documentElement.dir === "rtl";
  var number = (window.Khooshe && window.Khooshe.numberFormat) || function (v) { return String(v); };
  var chart = echarts.init(el);
  chart.setOption({
    textStyle: { fontFamily: "Vazirmatn, system-ui, sans-serif" },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return number(v); } },
    legend: { top: 0 },
    grid: { top: 40, containLabel: true },
    xAxis: { type: "category", data: data.labels, inverse: rtl },
    yAxis: [
      { type: "value", minInterval: 1, position: rtl ? "right" : "left", axisLabel: { formatter: function (v) { return number(v); } } },
      { type: "value", position: rtl ? "left" : "right", axisLabel: { formatter: function (v) { return number(v); } } }
    ],
    series: [
      { type: "line", name: el.dataset.tHeadcount, data: data.headcount },
      { type: "line", name: el.dataset.tCustomers, data: data.customers },
      { type: "bar", name: el.dataset.tFunds, yAxisIndex: 1, data: data.funds_raised }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
