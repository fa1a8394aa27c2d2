/* The run page's map (Leaflet, offline): provinces coloured by one industry's measure (LQ by default),
 * smaller regions (counties) as coloured circles, and the region values that match no registry region.
 *
 * Markup (insights/_map.html): an element [data-insights-map] with
 *   data-map-url         JSON of the run's values (insights:run_map), ?industry=&measure=
 *   data-boundaries-url  province polygons (registry:region_boundaries; feature id = region id)
 *   data-tiles-url       optional tile URL template; empty = no base map
 *   data-form            id of the form with the industry and measure selects
 *   data-t-*             translated strings
 */
(function () {
  "use strict";
  if (window.KhoosheInsightsMap) { return; }
  var tr = window.Khooshe.tr, esc = window.Khooshe.esc, numberFormat = window.Khooshe.numberFormat;
  var IRAN = [[25.0, 44.0], [39.8, 63.4]];
  var COLORS = ["#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c"];
  // A location quotient reads against 1 (the national average) and 2 (a specialisation star).
  var RATIO_BREAKS = [0.5, 1, 1.5, 2];

  function breaksFor(measure, data) {
    if (measure === "lq" || measure === "rca") { return RATIO_BREAKS; }
    var max = data.max || 0;
    return [0.2, 0.4, 0.6, 0.8].map(function (f) { return f * max; });
  }

  function colorFor(value, breaks) {
    if (value === null || value === undefined) { return "#ffffff"; }
    var i = 0;
    while (i < breaks.length && value >= breaks[i]) { i += 1; }
    return COLORS[i];
  }

  function isPersian() { return (document.documentElement.lang || "").indexOf("fa") === 0; }

  function InsightsMap(el) {
    this.el = el;
    this.wrap = el.closest(".kh-map-wrap") || el.parentNode;
    this.status = this.wrap.querySelector(".kh-status");
    this.legend = this.wrap.querySelector(".kh-map-legend");
    this.form = document.getElementById(el.dataset.form);
    this.data = null;
    this.map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, minZoom: 3, maxZoom: 14 });
    this.map.fitBounds(IRAN);
    if (el.dataset.tilesUrl) {
      L.tileLayer(el.dataset.tilesUrl, { attribution: "&copy; OpenStreetMap contributors", maxZoom: 18 }).addTo(this.map);
    }
    this.points = L.featureGroup().addTo(this.map);
    var self = this;
    if (this.form) { this.form.addEventListener("change", function () { self.load(); }); }
    this.loadBoundaries();
    this.load();
  }

  InsightsMap.prototype.setStatus = function (html, isError) {
    if (!this.status) { return; }
    this.status.innerHTML = html;
    this.status.classList.toggle("kh-error", !!isError);
  };

  InsightsMap.prototype.loadBoundaries = function () {
    var self = this;
    fetch(this.el.dataset.boundariesUrl, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (geojson) {
      self.boundaries = L.geoJSON(geojson, {
        style: function (feature) { return self.style(feature); },
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(function () { return self.tooltip(feature); }, { sticky: true, direction: "top" });
        }
      }).addTo(self.map);
      self.boundaries.bringToBack();
      if (geojson.features.length && !self.fittedToPoints) { self.map.fitBounds(self.boundaries.getBounds()); }
    }).catch(function () { /* without boundaries the circles and the legend still show */ });
  };

  InsightsMap.prototype.query = function () {
    var params = new URLSearchParams();
    if (this.form) {
      new FormData(this.form).forEach(function (value, name) { params.append(name, value); });
    }
    return params.toString();
  };

  InsightsMap.prototype.load = function () {
    this.setStatus("");
    window.Khooshe.loadJSON(this, this.el.dataset.mapUrl + "?" + this.query());
  };

  InsightsMap.prototype.value = function (feature) {
    var entry = this.data && this.data.provinces[String(feature.id)];
    return entry ? entry.value : null;
  };

  InsightsMap.prototype.style = function (feature) {
    var value = this.value(feature);
    var fill = this.data ? colorFor(value, this.breaks) : "#f4f1e8";
    return { color: "#8a94a6", weight: 1, opacity: 0.9, fillColor: fill, fillOpacity: 0.85 };
  };

  InsightsMap.prototype.tooltip = function (feature) {
    var p = feature.properties, name = isPersian() ? p.name_fa : p.name_en;
    var value = this.value(feature);
    var shown = value === null || value === undefined ? tr(this.el, "Nodata") : numberFormat(Math.round(value * 100) / 100);
    return esc(name) + " · " + esc(shown);
  };

  InsightsMap.prototype.draw = function (data) {
    var self = this;
    this.data = data;
    this.breaks = breaksFor(data.measure, data);
    if (this.boundaries) { this.boundaries.setStyle(function (f) { return self.style(f); }); }
    this.points.clearLayers();
    data.points.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], { radius: 7, color: "#3a3a3a", weight: 1, fillColor: colorFor(p.value, self.breaks),
                                       fillOpacity: 0.95 })
        .bindTooltip(esc(p.name) + " · " + esc(p.value === null ? tr(self.el, "Nodata") : numberFormat(Math.round(p.value * 100) / 100)))
        .addTo(self.points);
    });
    if (data.points.length && !Object.keys(data.provinces).length && !this.fittedToPoints) {
      this.fittedToPoints = true;  // counties only: show them, not the whole country
      this.map.fitBounds(this.points.getBounds().pad(0.3));
    }
    this.drawLegend(data);
    if (data.unmatched.length) {
      this.setStatus(esc(tr(this.el, "Unmatched", { names: data.unmatched.slice(0, 30).join("، ") })));
    }
  };

  InsightsMap.prototype.drawLegend = function (data) {
    if (!this.legend) { return; }
    var b = this.breaks, fmt = function (v) { return numberFormat(Math.round(v * 100) / 100); };
    var labels = ["< " + fmt(b[0])];
    for (var i = 1; i < b.length; i += 1) { labels.push(fmt(b[i - 1]) + " – " + fmt(b[i])); }
    labels.push("≥ " + fmt(b[b.length - 1]));
    var html = "<b>" + esc(data.measure_name) + (data.industry_name ? " · " + esc(data.industry_name) : "") +
      (data.year ? " · " + esc(numberFormat(data.year).replace(/[٬,]/g, "")) : "") + "</b><ul>";
    labels.forEach(function (label, index) {
      html += '<li><span class="kh-swatch" style="background:' + COLORS[index] + '"></span>' + esc(label) + "</li>";
    });
    this.legend.innerHTML = html + "</ul>";
  };

  window.KhoosheInsightsMap = InsightsMap;
  window.Khooshe.mountAll("[data-insights-map]", function () { return !!window.L; }, function (el) {
    el.khooshe = new InsightsMap(el);
  });
})();
