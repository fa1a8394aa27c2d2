/* Khooshe autocomplete widgets (core/widgets.py): htmx fetches the matches, this script picks them.
 * Loaded once per widget on a page; the guard makes the second and later loads do nothing. */
(function () {
  "use strict";
  if (window.KhoosheAutocomplete) { return; }

  function widgetOf(el) { return el.closest("[data-autocomplete]"); }

  function enhance(widget) {
    if (widget.dataset.ready) { return; }
    widget.dataset.ready = "1";
    var multiple = widget.dataset.multiple === "1";
    var idBox = widget.querySelector(".ac-id");
    var idInput = idBox && idBox.querySelector("input");
    widget.querySelector(".ac-search").hidden = false;
    if (idBox) { idBox.hidden = true; }
    // Many-to-many: the "add by ID" input must not post anything once the search box is available.
    if (multiple && idInput) { idInput.disabled = true; }
    widget.querySelectorAll(".ac-remove").forEach(function (b) { b.hidden = false; });
  }

  function clearResults(widget) {
    var results = widget.querySelector(".ac-results");
    if (results) { results.innerHTML = ""; }
  }

  function choose(widget, value, label) {
    var name = widget.dataset.name;
    var selected = widget.querySelector(".ac-selected");
    var search = widget.querySelector(".ac-search input");
    if (widget.dataset.multiple === "1") {
      if (!selected.querySelector('input[value="' + CSS.escape(value) + '"]')) {
        var chip = document.createElement("label");
        chip.className = "ac-chip";
        chip.dataset.value = value;
        var box = document.createElement("input");
        box.type = "checkbox"; box.name = name; box.value = value; box.checked = true;
        var text = document.createElement("span");
        text.dir = "auto"; text.textContent = label;
        chip.append(box, " ", text);
        selected.appendChild(chip);
      }
    } else {
      widget.querySelector(".ac-id input").value = value;
      selected.innerHTML = "";
      var single = document.createElement("span");
      single.className = "ac-chip"; single.dataset.value = value;
      var name_ = document.createElement("span");
      name_.className = "ac-label"; name_.dir = "auto"; name_.textContent = label;
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "ac-remove link"; remove.textContent = "×";
      remove.setAttribute("aria-label", label);
      single.append(name_, remove);
      selected.appendChild(single);
    }
    if (search) { search.value = ""; }
    clearResults(widget);
    if (search) { search.focus(); }
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest(".ac-option");
    if (option && widgetOf(option)) {
      event.preventDefault();
      choose(widgetOf(option), option.dataset.value, option.dataset.label);
      return;
    }
    var remove = event.target.closest(".ac-remove");
    if (remove && widgetOf(remove)) {
      var widget = widgetOf(remove);
      widget.querySelector(".ac-id input").value = "";
      remove.closest(".ac-chip").remove();
    }
  });

  // Keyboard: arrow keys move between the matches, Escape closes them.
  document.addEventListener("keydown", function (event) {
    var widget = widgetOf(event.target);
    if (!widget) { return; }
    var options = Array.prototype.slice.call(widget.querySelectorAll(".ac-option"));
    var index = options.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(index + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      if (index <= 0) { widget.querySelector(".ac-search input").focus(); } else { options[index - 1].focus(); }
    } else if (event.key === "Escape") {
      clearResults(widget);
    }
  });

  function enhanceAll(root) {
    root = root || document;
    if (root.matches && root.matches("[data-autocomplete]")) { enhance(root); }
    root.querySelectorAll("[data-autocomplete]").forEach(enhance);
  }
  window.KhoosheAutocomplete = { enhanceAll: enhanceAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(); });
  } else {
    enhanceAll();
  }
  document.addEventListener("htmx:load", function (e) { enhanceAll(e.target); });
})();
