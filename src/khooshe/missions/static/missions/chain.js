/* Mission value chains: the chain diagram (ECharts sankey) and the consortium map (Leaflet).
   Data comes from <script type="application/json"> blocks written by json_script. */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function diagram() {
    var box = document.querySelector("[data-mission-diagram]");
    var d = data("mission-diagram");
    if (!box || !d || !window.echarts || !d.nodes.length) return;
    var rtl = document.documentElement.dir === "rtl";
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: {trigger: "item"},
      series: [{
        type: "sankey", orient: "horizontal", nodeAlign: "justify", draggable: false,
        left: rtl ? 120 : 20, right: rtl ? 20 : 120,
        data: d.nodes.map(function (n) {
          var color = n.kind === "stage" ? (n.gap ? "#c62828" : "#1565c0") : "#8d6e63";
          return {name: n.name, depth: n.depth, itemStyle: {color: color, borderColor: n.gap ? "#c62828" : color},
                  label: {formatter: n.label + (n.volume ? " (" + n.volume + ")" : "")}};
        }),
        links: d.links, lineStyle: {color: "gradient", opacity: 0.35}, emphasis: {focus: "adjacency"}
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function map() {
    var box = document.querySelector("[data-consortium-map]");
    var points = data("consortium-points");
    if (!box || !points || !points.length || !window.L) return;
    var m = window.L.map(box, {attributionControl: false});
    var bounds = [];
    var top = Math.max.apply(null, points.map(function (p) { return p.volume; }));
    points.forEach(function (p) {
      var r = 4 + 12 * Math.sqrt(p.volume / top);
      window.L.circleMarker([p.lat, p.lon], {radius: r, color: "#1565c0", fillOpacity: 0.5})
        .bindTooltip(p.name + " · " + p.volume).addTo(m);
      bounds.push([p.lat, p.lon]);
    });
    if (box.dataset.boundariesUrl) {
      fetch(box.dataset.boundariesUrl).then(function (r) { return r.ok ? r.json() : null; }).then(function (g) {
        if (g) window.L.geoJSON(g, {style: {color: "#999", weight: 1, fill: false}}).addTo(m).bringToBack();
      }).catch(function () {});
    }
    m.fitBounds(bounds, {padding: [20, 20], maxZoom: 9});
  }
  document.addEventListener("DOMContentLoaded", function () { diagram(); map(); });
})();
