/* The program's Gantt chart (frappe-gantt): Jalali labels in Persian, the critical path highlighted,
   dragging a bar POSTs the new dates to the move service and reloads the page with its report. */
(function () {
  "use strict";
  var box = document.getElementById("gantt");
  var dataEl = document.getElementById("gantt-data");
  if (!box || !dataEl || typeof Gantt === "undefined") return;
  var rows = JSON.parse(dataEl.textContent);
  var persian = box.dataset.lang === "fa";
  var canChange = box.dataset.canChange === "1";
  var status = document.getElementById("gantt-status");
  var cal = persian ? "fa-IR-u-ca-persian" : "en-GB";
  var fmt = function (opts) { return new Intl.DateTimeFormat(cal, opts); };
  var fDay = fmt({ day: "numeric" }), fMonth = fmt({ month: "long" }), fMonthYear = fmt({ month: "long", year: "numeric" });
  var fYear = fmt({ year: "numeric" }), fFull = fmt({ day: "numeric", month: "long", year: "numeric" });
  var parts = new Intl.DateTimeFormat(persian ? "en-u-ca-persian-nu-latn" : "en-GB", { year: "numeric", month: "numeric", day: "numeric" });
  function jval(d) { // {y, m, d} in the interface's calendar
    var out = {};
    parts.formatToParts(d).forEach(function (p) { if (p.type !== "literal") out[p.type] = parseInt(p.value, 10); });
    return out;
  }
  function day(isoDate) { var p = isoDate.split("-"); return new Date(+p[0], +p[1] - 1, +p[2]); }
  function mid(d, days) { var x = new Date(d); x.setDate(x.getDate() + days); return x; }
  function iso(d) {
    var m = d.getMonth() + 1, day = d.getDate();
    return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day;
  }
  var modes = [
    { name: "Day", padding: "7d", step: "1d", date_format: "YYYY-MM-DD", column_width: 38,
      lower_text: function (d) { return fDay.format(d); },
      upper_text: function (d, prev) { return !prev || jval(d).month !== jval(prev).month ? fMonthYear.format(d) : ""; },
      thick_line: function (d) { return jval(d).day === 1; } },
    { name: "Week", padding: "1m", step: "7d", date_format: "YYYY-MM-DD", column_width: 120,
      lower_text: function (d) { return fDay.format(d) + " – " + fDay.format(mid(d, 6)); },
      upper_text: function (d, prev) { return !prev || jval(d).month !== jval(prev).month ? fMonthYear.format(d) : ""; },
      thick_line: function (d) { return jval(d).day <= 7; }, upper_text_frequency: 4 },
    { name: "Month", padding: "2m", step: "1m", date_format: "YYYY-MM", column_width: 110, snap_at: "7d",
      // a Gregorian month column is labelled with the Jalali month covering most of it (its 15th day)
      lower_text: function (d) { return fMonth.format(mid(d, 14)); },
      upper_text: function (d, prev) { return !prev || jval(mid(d, 14)).year !== jval(mid(prev, 14)).year ? fYear.format(mid(d, 14)) : ""; },
      thick_line: function (d) { return d.getMonth() % 3 === 0; } },
    { name: "Year", padding: "2y", step: "1y", date_format: "YYYY", column_width: 120, snap_at: "30d",
      lower_text: function (d) { return fYear.format(d) + "–" + fYear.format(mid(d, 364)); },
      upper_text: function () { return ""; } }
  ];
  var span = rows.reduce(function (acc, r) {
    return [acc[0] < r.start ? acc[0] : r.start, acc[1] > r.end ? acc[1] : r.end];
  }, [rows[0].start, rows[0].end]);
  var days = (new Date(span[1]) - new Date(span[0])) / 86400000;
  var initial = days > 730 ? "Month" : days > 120 ? "Week" : "Day";
  var byId = {};
  rows.forEach(function (r) { byId[r.id] = r; });
  // A drag can report several bars at once: their moves are sent one after the other (never two writes at
  // the same time), and the page reloads once, after the last one, to show what moved.
  var queue = Promise.resolve(), pending = 0, failed = null;
  function send(task, start, end) {
    var token = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken": "([^"]+)"/);
    var body = new URLSearchParams({ task: String(task.pk), start: iso(start), end: iso(end) });
    return fetch(box.dataset.moveUrl, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token[1] : "", "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) { if (!res[0] && !failed) failed = res[1].error || ""; })
      .catch(function () { if (!failed) failed = ""; });
  }
  function post(task, start, end) {
    status.textContent = box.dataset.labelMoving;
    pending += 1;
    queue = queue.then(function () { return send(task, start, end); }).then(function () {
      pending -= 1;
      if (pending > 0) return;
      if (failed === null) { window.location.reload(); return; }
      status.textContent = box.dataset.labelError + " " + failed;
      status.className = "msg-error";
      setTimeout(function () { window.location.reload(); }, 4000);
    });
  }
  var gantt = new Gantt(box, rows, {
    view_modes: modes,
    language: persian ? "fa" : "en",
    readonly: !canChange,
    readonly_progress: true,
    move_dependencies: false,
    today_button: false,
    scroll_to: "start",
    bar_height: 22,
    padding: 14,
    infinite_padding: false,
    container_height: Math.min(900, 90 + rows.length * 36),
    popup: function (ctx) {
      var r = byId[ctx.task.id] || {};
      ctx.set_title(ctx.task.name);
      ctx.set_subtitle(fFull.format(day(r.start)) + " – " + fFull.format(day(r.end)));
      var n = Math.round((new Date(r.end) - new Date(r.start)) / 86400000) + 1;
      var num = function (x) { return persian ? Number(x).toLocaleString("fa-IR") : String(x); };
      var html = num(n) + " " + box.dataset.labelDays + " · " + num(r.progress) + "% " + box.dataset.labelDone;
      if (r.slack !== null && r.slack !== undefined) html += "<br>" + box.dataset.labelSlack + ": " + num(r.slack);
      if (r.critical) html += "<br><b>" + box.dataset.labelCritical + "</b>";
      html += '<br><a href="' + box.dataset.taskUrl + r.pk + '/">' + box.dataset.labelOpen + "</a>";
      ctx.set_details(html);
    },
    on_date_change: function (task, start, end) { if (canChange) post(task, start, end); }
  });
  gantt.change_view_mode(initial);
  box.dataset.view = initial;
  document.querySelectorAll("[data-view]").forEach(function (b) {
    b.addEventListener("click", function () {
      gantt.change_view_mode(b.dataset.view);
      box.dataset.view = b.dataset.view;  // tells scripts (and tests) that the chart was redrawn
    });
  });
  box.dataset.ready = "1";
})();
