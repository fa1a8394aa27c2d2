/* The sensitivity chart of the priority table: the ranks of the first five candidates as one criterion's
 * share of the weight runs from 0 to 100 %, drawn with ECharts each time htmx puts a table on the page. */
(function () {
  "use strict";
  function draw(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = [];
    if (scope.matches && scope.matches("[data-sensitivity-chart]")) { found.push(scope); }
    scope.querySelectorAll("[data-sensitivity-chart]").forEach(function (el) { found.push(el); });
    found.forEach(function (el) {
      if (el.dataset.ready || !window.echarts) { return; }
      el.dataset.ready = "1";
      var data = JSON.parse(el.querySelector("script[type='application/json']").textContent);
      var select = el.querySelector("[data-criterion-select]");
      var chart = echarts.init(el.querySelector("[data-chart]"));
      var rtl = document.documentElement.dir === "rtl";
      var number = window.Khooshe.numberFormat;
      function show() {
        var item = data.criteria[Number(select.value)] || data.criteria[0];
        var maxRank = 1;
        item.series.forEach(function (s) { s.ranks.forEach(function (r) { maxRank = Math.max(maxRank, r); }); });
        chart.setOption({
          textStyle: { fontFamily: "Vazirmatn, system-ui, sans-serif" },
          tooltip: { trigger: "axis", valueFormatter: function (v) { return number(v); } },
          legend: { type: "scroll", top: 0 },
          grid: { top: 40, containLabel: true },
          xAxis: { type: "value", min: 0, max: 100, inverse: rtl, name: el.dataset.tWeight, nameLocation: "middle", nameGap: 28,
                   axisLabel: { formatter: function (v) { return number(v); } } },
          yAxis: { type: "value", inverse: true, min: 1, max: maxRank, minInterval: 1, name: el.dataset.tRank, nameLocation: "start",
                   position: rtl ? "right" : "left", axisLabel: { formatter: function (v) { return number(v); } } },
          series: item.series.map(function (s, k) {
            var line = { type: "line", step: "end", name: s.name, symbolSize: 4,
                         data: item.weights.map(function (w, i) { return [Math.round(w * 1000) / 10, s.ranks[i]]; }) };
            if (k === 0) {  // the current share of the weight
              line.markLine = { symbol: "none", silent: true, label: { show: false }, lineStyle: { type: "dashed", color: "#888" },
                                data: [{ xAxis: Math.round(item.current * 1000) / 10 }] };
            }
            return line;
          })
        }, true);
      }
      select.addEventListener("change", show);
      show();
    });
  }
  if (window.htmx) { window.htmx.onLoad(draw); } else { document.addEventListener("DOMContentLoaded", function () { draw(document); }); }
})();
