/* The responsibility matrix grid: a click on a cell asks the server (htmx) for the next role. */
(function () {
  "use strict";
  var table = document.getElementById("matrix");
  var status = document.getElementById("matrix-status");
  if (!table || typeof htmx === "undefined") return;
  table.addEventListener("click", function (event) {
    var cell = event.target.closest("button.kh-role");
    if (!cell) return;
    htmx.ajax("POST", table.dataset.url, {
      source: cell, target: cell, swap: "outerHTML",
      values: { task: cell.closest("tr").dataset.t, actor: cell.dataset.a, role: "next" }
    });
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var cell = event.detail.target && event.detail.target.isConnected ? event.detail.target : null;
    var swapped = table.querySelector("button[data-error]");
    status.textContent = swapped ? swapped.dataset.error : "";
    status.className = swapped ? "msg-error" : "";
    if (swapped) swapped.focus();
  });
})();
