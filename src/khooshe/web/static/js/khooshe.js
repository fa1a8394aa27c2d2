/* Helpers shared by Khooshe's scripts (loaded in <head> of every page by base.html). */
(function () {
  "use strict";
  window.Khooshe = {
    /** A number in the page's language: Persian digits in the Persian interface. */
    numberFormat: function (n) {
      try { return new Intl.NumberFormat(document.documentElement.lang || undefined).format(n); }
      catch (e) { return String(n); }
    },
    /** A translated string from the element's data-t-<key> attribute, with %(name)s filled in. */
    tr: function (el, key, vars) {
      var text = el.dataset["t" + key] || "";
      Object.keys(vars || {}).forEach(function (name) {
        text = text.split("%(" + name + ")s").join(vars[name]);
      });
      return text;
    },
    /** Build a widget on every element matching ``selector`` once its library is loaded, now or when
     *  the page has been parsed; ``ready()`` says whether the library is there. */
    mountAll: function (selector, ready, build) {
      function mount() {
        document.querySelectorAll(selector).forEach(function (el) {
          if (el.dataset.ready || !ready()) { return; }
          el.dataset.ready = "1";
          build(el);
        });
      }
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", mount);
      } else {
        mount();
      }
      return mount;
    },
    /** Fetch ``url`` as JSON for a widget (with ``el``, ``setStatus`` and ``draw``), cancelling the
     *  widget's previous request; a server error shows the server's message, anything else (network
     *  failure, not JSON) the widget's translated data-t-error text. */
    loadJSON: function (widget, url) {
      if (widget.controller) { widget.controller.abort(); }
      widget.controller = window.AbortController ? new AbortController() : null;
      fetch(url, { credentials: "same-origin", signal: widget.controller ? widget.controller.signal : undefined })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (result) {
          if (!result.ok) { var failure = new Error(result.data.error || ""); failure.fromServer = true; throw failure; }
          widget.draw(result.data);
        })
        .catch(function (error) {
          if (error.name === "AbortError") { return; }
          var message = (error.fromServer && error.message) || window.Khooshe.tr(widget.el, "Error");
          widget.setStatus(window.Khooshe.esc(message), true);
        });
    },
    /** Text made safe to put into HTML. */
    esc: function (text) {
      var div = document.createElement("div");
      div.textContent = text == null ? "" : String(text);
      return div.innerHTML;
    }
  };
})();
