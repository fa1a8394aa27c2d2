/* Site selection: the candidates on a Leaflet map (offline: region boundaries from the registry, no tiles),
   coloured by rank, with the points of interest as grey dots. Data: the page's map.geojson. */
(function () {
  "use strict";
  function init() {
    var box = document.querySelector("[data-siting-map]");
    if (!box || !window.L) return;
    var status = box.parentNode.querySelector(".kh-status");
    var map = window.L.map(box, {attributionControl: false});
    map.setView([32.5, 54], 5);  // Iran, until the candidates are known
    if (box.dataset.boundariesUrl) {
      fetch(box.dataset.boundariesUrl).then(function (r) { return r.ok ? r.json() : null; }).then(function (g) {
        if (g) window.L.geoJSON(g, {style: {color: "#999", weight: 1, fill: false}}).addTo(map).bringToBack();
      }).catch(function () {});
    }
    fetch(box.dataset.mapUrl, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (data) {
      var bounds = [];
      data.features.forEach(function (f) {
        var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        var candidate = p.kind === "candidate";
        var marker = window.L.circleMarker(ll, candidate
          ? {radius: 9, color: "#333", weight: 1, fillColor: p.colour, fillOpacity: 0.9}
          : {radius: 4, color: "#757575", fillColor: "#9e9e9e", fillOpacity: 0.8});
        var label = candidate && p.rank ? box.dataset.tRank + " " + Number(p.rank).toLocaleString(document.documentElement.lang) + " · " + p.name
                                        : p.name + (p.criterion ? " (" + p.criterion + ")" : "");
        marker.bindTooltip(label).addTo(map);
        if (candidate) marker.bringToFront();
        bounds.push(ll);
      });
      if (bounds.length) map.fitBounds(bounds, {padding: [30, 30], maxZoom: 13});
    }).catch(function () { if (status) status.textContent = box.dataset.tError; });
  }
  document.addEventListener("DOMContentLoaded", init);
})();
