/* Khooshe maps (Leaflet, offline): the ecosystem map page, the cluster map and the organization map.
 *
 * Markup (see registry/_map_widget.html): a .kh-map-wrap holding a [data-khooshe-map] element whose
 * data attributes say where the data is:
 *   data-features-url     GeoJSON points of organizations (registry:map_organizations), optional
 *   data-boundaries-url   province polygons (registry:region_boundaries)
 *   data-tiles-url        optional tile URL template; empty = no base map (offline)
 *   data-point            JSON {lat, lon, approx, color, label}: one organization instead of a list
 *   data-filter-form      id of the filter form that drives the features (the map page)
 *   data-list-link        id of a link to keep in step with the filters (the organization list)
 *   data-t-*              translated strings
 * Organizations are canvas circle markers (preferCanvas), so thousands of points stay smooth.
 */
(function () {
  "use strict";
  if (window.KhoosheMap) { return; }

  var IRAN = [[25.0, 44.0], [39.8, 63.4]];
  // Purples: the one hue the organization markers hardly use, so the points stay readable on top.
  var SHADES = ["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1"];
  var ATTRIBUTION = "&copy; OpenStreetMap contributors";

  var numberFormat = window.Khooshe.numberFormat, tr = window.Khooshe.tr, esc = window.Khooshe.esc;

  function isPersian() { return (document.documentElement.lang || "").indexOf("fa") === 0; }

  // Spread the organizations placed at the same region centre on a small sunflower disc, so that they
  // are all clickable; the disc grows with their number (up to about 30 km).
  function spreadApproximate(features) {
    var groups = {};
    features.forEach(function (f) {
      if (!f.properties.approx) { return; }
      var key = f.geometry.coordinates.join(",");
      (groups[key] = groups[key] || []).push(f);
    });
    Object.keys(groups).forEach(function (key) {
      var list = groups[key], n = list.length;
      var radius = Math.min(0.3, 0.03 * Math.sqrt(n));
      list.forEach(function (f, i) {
        if (n === 1) { return; }
        var r = radius * Math.sqrt((i + 0.5) / n), a = i * 2.399963;
        var c = f.geometry.coordinates;
        f.geometry = { type: "Point", coordinates: [c[0] + r * Math.cos(a), c[1] + r * Math.sin(a)] };
      });
    });
  }

  function KMap(el) {
    this.el = el;
    this.wrap = el.closest(".kh-map-wrap") || el.parentNode;
    this.status = this.wrap.querySelector(".kh-status");
    this.legend = this.wrap.querySelector(".kh-legend");
    this.choroplethBox = this.wrap.querySelector(".kh-choropleth");
    this.pointsBox = this.wrap.querySelector(".kh-points");
    this.form = el.dataset.filterForm ? document.getElementById(el.dataset.filterForm) : null;
    this.listLink = el.dataset.listLink ? document.getElementById(el.dataset.listLink) : null;
    this.byProvince = {};
    this.kindLabels = {};
    this.firstLoad = true;
    this.map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, minZoom: 3, maxZoom: 18 });
    this.map.attributionControl.setPrefix('<a href="https://leafletjs.com" rel="noopener">Leaflet</a>');
    this.map.attributionControl.addAttribution(ATTRIBUTION);
    this.map.fitBounds(IRAN);
    if (el.dataset.tilesUrl) {
      L.tileLayer(el.dataset.tilesUrl, { attribution: ATTRIBUTION, maxZoom: 18 }).addTo(this.map);
    }
    this.map.createPane("boundaries").style.zIndex = 350;
    this.boundaryRenderer = L.canvas({ pane: "boundaries" });
    this.points = L.featureGroup().addTo(this.map);
    this.bindControls();
    this.loadBoundaries();
    if (el.dataset.point) {
      this.showPoint(JSON.parse(el.dataset.point));
    } else if (el.dataset.featuresUrl) {
      this.load(el.dataset.featuresUrl);
    }
  }

  KMap.prototype.bindControls = function () {
    var self = this;
    if (this.choroplethBox) {
      this.choroplethBox.addEventListener("change", function () { self.styleBoundaries(); self.drawLegend(); });
    }
    if (this.pointsBox) {
      this.pointsBox.addEventListener("change", function () {
        if (self.pointsBox.checked) { self.points.addTo(self.map); } else { self.points.remove(); }
      });
    }
    if (!this.form) { return; }
    var timer = null;
    var refresh = function () {
      var params = new URLSearchParams();
      new FormData(self.form).forEach(function (value, name) {
        if (value !== "") { params.append(name, value); }
      });
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
      if (self.listLink) { self.listLink.href = self.listLink.dataset.base + (query ? "?" + query : ""); }
      self.load(self.el.dataset.featuresUrl.split("?")[0] + (query ? "?" + query : ""));
    };
    this.form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
    this.form.addEventListener("change", refresh);
    this.form.addEventListener("input", function (event) {
      if (event.target.name !== "q") { return; }
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  };

  KMap.prototype.setStatus = function (html, isError) {
    if (!this.status) { return; }
    this.status.innerHTML = html;
    this.status.classList.toggle("kh-error", !!isError);
  };

  KMap.prototype.loadBoundaries = function () {
    var self = this, url = this.el.dataset.boundariesUrl;
    if (!url) { return; }
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (data) {
      self.boundaries = L.geoJSON(data, {
        pane: "boundaries",
        renderer: self.boundaryRenderer,
        style: function () { return self.boundaryStyle(0); },
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(function () {
            var p = feature.properties, name = isPersian() ? p.name_fa : p.name_en;
            var count = self.byProvince[feature.id];
            return esc(name) + (count !== undefined ? " · " + esc(numberFormat(count)) : "");
          }, { sticky: true, direction: "top" });
        }
      }).addTo(self.map);
      self.styleBoundaries();
      if (self.firstLoad && !self.el.dataset.featuresUrl && !self.el.dataset.point && data.features.length) {
        self.map.fitBounds(self.boundaries.getBounds());
      }
    }).catch(function () { /* boundaries are context only: the points still show */ });
  };

  KMap.prototype.boundaryStyle = function (count) {
    var shade = this.choroplethBox && this.choroplethBox.checked;
    var base = { color: "#8a94a6", weight: 1, opacity: 0.9, fillColor: "#f4f1e8", fillOpacity: 0.9 };
    if (!shade) { return base; }
    var max = this.maxProvince || 0;
    if (!count || !max) { base.fillColor = "#ffffff"; return base; }
    var level = Math.min(SHADES.length - 1, Math.floor(SHADES.length * Math.sqrt(count / max) - 1e-9));
    base.fillColor = SHADES[Math.max(0, level)];
    return base;
  };

  KMap.prototype.styleBoundaries = function () {
    var self = this;
    if (!this.boundaries) { return; }
    this.maxProvince = 0;
    Object.keys(this.byProvince).forEach(function (k) { self.maxProvince = Math.max(self.maxProvince, self.byProvince[k]); });
    this.boundaries.eachLayer(function (layer) { layer.setStyle(self.boundaryStyle(self.byProvince[layer.feature.id] || 0)); });
  };

  KMap.prototype.load = function (url) {
    this.setStatus(esc(tr(this.el, "Loading")));
    window.Khooshe.loadJSON(this, url);
  };

  KMap.prototype.draw = function (data) {
    var self = this, meta = data.meta;
    this.byProvince = meta.by_province || {};
    this.kinds = meta.kinds || [];
    var colors = {};
    this.kinds.forEach(function (k) { colors[k.code] = k.color; self.kindLabels[k.code] = k.label; });
    spreadApproximate(data.features);
    this.points.clearLayers();
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var approx = !!feature.properties.approx;
        return L.circleMarker(latlng, {
          radius: approx ? 4.5 : 5.5, color: approx ? colors[feature.properties.kind] : "#ffffff",
          weight: approx ? 1.5 : 1, fillColor: colors[feature.properties.kind] || "#999",
          fillOpacity: approx ? 0.35 : 0.9, dashArray: approx ? "2 2" : null
        });
      }
    });
    layer.on("click", function (event) {
      var f = event.layer.feature, p = f.properties;
      var url = meta.detail_url.replace("{id}", f.id);
      var html = '<div class="kh-popup" dir="auto"><a href="' + esc(url) + '"><b>' + esc(p.name) + "</b></a><br>"
        + '<span class="kh-dot" style="background:' + esc(colors[p.kind]) + '"></span> ' + esc(self.kindLabels[p.kind] || p.kind);
      if (p.region) { html += "<br>" + esc(tr(self.el, "Region")) + ": " + esc(meta.regions[p.region] || ""); }
      if (p.approx) { html += '<br><small class="muted">' + esc(tr(self.el, "Approx")) + "</small>"; }
      L.popup({ maxWidth: 280 }).setLatLng(event.latlng).setContent(html + "</div>").openOn(self.map);
    });
    layer.addTo(this.points);
    this.styleBoundaries();
    this.drawLegend();

    var parts = [esc(tr(this.el, "Shown", { shown: numberFormat(meta.shown), total: numberFormat(meta.total) }))];
    if (meta.approximate) { parts.push(esc(tr(this.el, "ApproxCount", { count: numberFormat(meta.approximate) }))); }
    if (meta.total > meta.located) {
      parts.push(esc(tr(this.el, "Unlocated", { count: numberFormat(meta.total - meta.located) })));
    }
    var html = parts.join(" ");
    if (meta.capped) { html += ' <b class="kh-warning">' + esc(tr(this.el, "Capped", { cap: numberFormat(meta.cap) })) + "</b>"; }
    this.setStatus(html);

    var fit = this.el.dataset.fit || "auto";
    if (data.features.length && (fit === "features" || (fit === "auto" && this.firstLoad && /[?&]cluster=\d/.test(window.location.search)))) {
      this.map.fitBounds(this.points.getBounds().pad(0.2), { maxZoom: 10 });
    }
    this.firstLoad = false;
  };

  KMap.prototype.drawLegend = function () {
    if (!this.legend) { return; }
    var self = this, html = "";
    var shown = (this.kinds || []).filter(function (k) { return k.count; });
    if (shown.length) {
      html += '<ul class="kh-legend-kinds">' + shown.map(function (k) {
        return '<li><span class="kh-dot" style="background:' + esc(k.color) + '"></span> ' + esc(k.label)
          + ' <span class="muted">(' + esc(numberFormat(k.count)) + ")</span></li>";
      }).join("") + "</ul>";
    }
    html += '<p class="muted kh-legend-approx"><span class="kh-dot kh-dot-approx"></span> ' + esc(tr(this.el, "Approx")) + "</p>";
    if (this.choroplethBox && this.choroplethBox.checked && this.maxProvince) {
      var max = this.maxProvince, n = SHADES.length;
      html += '<p class="kh-legend-title">' + esc(tr(this.el, "PerProvince")) + '</p><ul class="kh-legend-shades">';
      SHADES.forEach(function (color, i) {
        var low = i === 0 ? 1 : Math.floor(max * Math.pow(i / n, 2)) + 1;
        var high = Math.floor(max * Math.pow((i + 1) / n, 2));
        if (high < low) { return; }
        html += '<li><span class="kh-swatch" style="background:' + color + '"></span> '
          + esc(numberFormat(low)) + (high > low ? "–" + esc(numberFormat(high)) : "") + "</li>";
      });
      html += "</ul>";
    }
    this.legend.innerHTML = html;
  };

  KMap.prototype.showPoint = function (point) {
    var marker = L.circleMarker([point.lat, point.lon], {
      radius: 8, color: point.approx ? point.color : "#ffffff", weight: 2, fillColor: point.color,
      fillOpacity: point.approx ? 0.35 : 0.95, dashArray: point.approx ? "3 3" : null
    }).addTo(this.points);
    if (point.label) { marker.bindTooltip(esc(point.label), { permanent: false }); }
    this.map.setView([point.lat, point.lon], point.approx ? 7 : 10);
  };

  var mountAll = window.Khooshe.mountAll("[data-khooshe-map]", function () { return typeof L !== "undefined"; },
    function (el) { el._khoosheMap = new KMap(el); });
  window.KhoosheMap = { mountAll: mountAll, KMap: KMap };
})();
