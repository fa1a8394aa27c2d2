/* Khooshe relation networks (Cytoscape.js, built-in layouts only: works offline).
 *
 * Markup (see registry/_network_widget.html): a .kh-network-wrap holding a [data-khooshe-network]
 * element with
 *   data-graph-url     nodes and edges (registry:network_graph)
 *   data-filter-form   id of the filter form that drives the graph (the network page)
 *   data-focus         pk of an organization to put in the centre (its ego network)
 *   data-t-*           translated strings
 * Nodes are coloured by kind and sized by degree; edges coloured by classification, width by
 * strength, with an arrow when the relation has a direction. Clicking a node shows it in the panel.
 */
(function () {
  "use strict";
  if (window.KhoosheNetwork) { return; }

  var numberFormat = window.Khooshe.numberFormat, tr = window.Khooshe.tr, esc = window.Khooshe.esc;

  function KNetwork(el) {
    this.el = el;
    this.wrap = el.closest(".kh-network-wrap") || el.parentNode;
    this.status = this.wrap.querySelector(".kh-status");
    this.legend = this.wrap.querySelector(".kh-legend");
    this.panel = this.wrap.querySelector(".kh-panel");
    this.form = el.dataset.filterForm ? document.getElementById(el.dataset.filterForm) : null;
    this.focus = el.dataset.focus ? "o" + el.dataset.focus : null;
    this.bindForm();
    this.load(el.dataset.graphUrl);
  }

  KNetwork.prototype.setStatus = function (html, isError) {
    if (!this.status) { return; }
    this.status.innerHTML = html;
    this.status.classList.toggle("kh-error", !!isError);
  };

  KNetwork.prototype.bindForm = function () {
    var self = this;
    if (!this.form) { return; }
    var timer = null;
    var refresh = function () {
      var params = new URLSearchParams();
      new FormData(self.form).forEach(function (value, name) {
        if (value !== "") { params.append(name, value); }
      });
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
      self.load(self.el.dataset.graphUrl.split("?")[0] + (query ? "?" + query : ""));
    };
    this.form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
    this.form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
  };

  KNetwork.prototype.load = function (url) {
    this.setStatus(esc(tr(this.el, "Loading")));
    window.Khooshe.loadJSON(this, url);
  };

  KNetwork.prototype.draw = function (data) {
    var self = this, meta = data.meta;
    this.meta = meta;
    var classColors = {};
    meta.classifications.forEach(function (c) { classColors[c.code] = c.color; });
    this.kindLabels = {};
    meta.kinds.forEach(function (k) { self.kindLabels[k.code] = k.label; });
    data.edges.forEach(function (e) { e.data.color = classColors[e.data.classification] || "#999"; });
    var maxDegree = 1;
    data.nodes.forEach(function (n) { maxDegree = Math.max(maxDegree, n.data.degree); });

    if (this.cy) { this.cy.destroy(); }
    this.el.classList.toggle("kh-empty", data.nodes.length === 0);
    this.cy = cytoscape({
      container: this.el,
      elements: { nodes: data.nodes, edges: data.edges },
      minZoom: 0.05,
      maxZoom: 4,
      style: [
        { selector: "node", style: {
          "background-color": "data(color)", "label": "data(label)",
          "width": "mapData(degree, 0, " + maxDegree + ", 14, 56)",
          "height": "mapData(degree, 0, " + maxDegree + ", 14, 56)",
          // Bigger labels on the most connected, so they are the first to become readable.
          "font-family": "Vazirmatn, system-ui, sans-serif", "color": "#1d2433",
          "font-size": "mapData(degree, 0, " + maxDegree + ", 8, 18)",
          "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 140,
          "text-outline-color": "#ffffff", "text-outline-width": 2, "min-zoomed-font-size": 7,
          "border-width": 1, "border-color": "#ffffff" } },
        { selector: "edge", style: {
          "width": "mapData(strength, 1, 5, 1, 6)", "line-color": "data(color)", "opacity": 0.65,
          "curve-style": "bezier", "target-arrow-shape": "none" } },
        { selector: "edge[?directed]", style: { "target-arrow-shape": "triangle", "target-arrow-color": "data(color)",
          "arrow-scale": 0.9 } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#1d2433" } },
        { selector: "edge.near", style: { "label": "data(label)", "font-size": 10, "opacity": 1,
          "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2,
          "font-family": "Vazirmatn, system-ui, sans-serif" } },
        { selector: ".faded", style: { "opacity": 0.12 } }
      ],
      layout: this.layoutOptions(data.nodes.length)
    });
    this.cy.on("tap", "node", function (event) { self.select(event.target); });
    this.cy.on("tap", function (event) { if (event.target === self.cy) { self.clearSelection(); } });
    if (this.focus && this.cy.getElementById(this.focus).nonempty()) {
      this.cy.getElementById(this.focus).select();
    }
    this.drawLegend(data);

    var html = esc(tr(this.el, "Shown", {
      shown: numberFormat(meta.shown_nodes), total: numberFormat(meta.total_nodes),
      edges: numberFormat(meta.shown_edges) }));
    if (meta.capped) {
      html += ' <b class="kh-warning">' + esc(tr(this.el, "Capped", { limit: numberFormat(meta.max_nodes) })) + "</b>";
    }
    if (meta.edges_capped) { html += ' <b class="kh-warning">' + esc(tr(this.el, "EdgesCapped")) + "</b>"; }
    if (!data.nodes.length) { html = esc(tr(this.el, "Empty")); }
    this.setStatus(html);
    this.clearSelection();
  };

  KNetwork.prototype.layoutOptions = function (n) {
    var focus = this.focus;
    if (focus) {
      return { name: "concentric", animate: false, minNodeSpacing: 30,
        concentric: function (node) { return node.id() === focus ? 2 : 1; }, levelWidth: function () { return 1; } };
    }
    if (n <= 2) { return { name: "circle", animate: false, padding: 60 }; }
    return { name: "cose", animate: false, randomize: true, padding: 20, nodeRepulsion: function () { return 9000; },
      idealEdgeLength: function () { return 70; }, numIter: n > 800 ? 400 : 1000, componentSpacing: 60 };
  };

  KNetwork.prototype.select = function (node) {
    var cy = this.cy;
    cy.elements().addClass("faded").removeClass("near");
    node.closedNeighborhood().removeClass("faded");
    node.connectedEdges().addClass("near");
    if (!this.panel) { return; }
    var d = node.data(), url = this.meta.detail_url.replace("{id}", d.pk);
    this.panel.innerHTML = '<h3 dir="auto"><a href="' + esc(url) + '">' + esc(d.label) + "</a></h3>"
      + '<p><span class="kh-dot" style="background:' + esc(d.color) + '"></span> ' + esc(this.kindLabels[d.kind] || d.kind)
      + (d.region ? "<br>" + esc(tr(this.el, "Region")) + ": " + esc(d.region) : "")
      + "<br>" + esc(tr(this.el, "Degree", { count: numberFormat(d.degree) })) + "</p>"
      + '<p><a href="' + esc(url) + '">' + esc(tr(this.el, "Open")) + "</a></p>";
  };

  KNetwork.prototype.clearSelection = function () {
    if (this.cy) { this.cy.elements().removeClass("faded").removeClass("near"); }
    if (this.panel) { this.panel.innerHTML = '<p class="muted">' + esc(tr(this.el, "Hint")) + "</p>"; }
  };

  KNetwork.prototype.drawLegend = function (data) {
    if (!this.legend) { return; }
    var meta = data.meta, html = '<ul class="kh-legend-kinds">';
    meta.kinds.filter(function (k) { return k.count; }).forEach(function (k) {
      html += '<li><span class="kh-dot" style="background:' + esc(k.color) + '"></span> ' + esc(k.label)
        + ' <span class="muted">(' + esc(numberFormat(k.count)) + ")</span></li>";
    });
    html += '</ul><ul class="kh-legend-lines">';
    var used = {};
    data.edges.forEach(function (e) { used[e.data.classification] = true; });
    meta.classifications.filter(function (c) { return used[c.code]; }).forEach(function (c) {
      html += '<li><span class="kh-line" style="background:' + esc(c.color) + '"></span> ' + esc(c.label) + "</li>";
    });
    html += "</ul><p class=\"muted\">" + esc(tr(this.el, "Arrows")) + "</p>";
    this.legend.innerHTML = html;
  };

  var mountAll = window.Khooshe.mountAll("[data-khooshe-network]",
    function () { return typeof cytoscape !== "undefined"; },
    function (el) { el._khoosheNetwork = new KNetwork(el); });
  window.KhoosheNetwork = { mountAll: mountAll, KNetwork: KNetwork };
})();
