/* Correcting a day from a page that lists days (a person's month, templates/attendance/person_month.html).
 *
 * - A link [data-day-dialog] loads the day's correction panel (app.attendance.correction_views, an
 *   htmx fragment) into #day-dialog-body and opens the <dialog> around it; without JavaScript the
 *   link is a page of its own.
 * - The panel's form posts with htmx and swaps itself; after a correction the answer carries
 *   HX-Trigger "day-corrected", so when the dialog closes the page's list (data-refresh-target,
 *   e.g. #person-month) is fetched again.
 * - [data-close-dialog], Escape or a click on the backdrop close it.
 */
(function () {
  "use strict";
  var dialog = document.getElementById("day-dialog");
  if (!dialog || !window.htmx) { return; }
  var body = document.getElementById("day-dialog-body");
  var changed = false;

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-day-dialog]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      window.htmx.ajax("GET", link.getAttribute("href"), {target: "#day-dialog-body", swap: "innerHTML"})
        .then(function () { if (!dialog.open) { dialog.showModal(); } });
      return;
    }
    var close = event.target.closest && event.target.closest("[data-close-dialog]");
    if (close && dialog.contains(close)) {
      event.preventDefault();
      dialog.close();
    }
  });
  document.body.addEventListener("day-corrected", function () { changed = true; });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) { dialog.close(); }
  });
  dialog.addEventListener("close", function () {
    body.innerHTML = "";
    var target = dialog.getAttribute("data-refresh-target");
    if (changed && target && document.querySelector(target)) {
      window.htmx.ajax("GET", window.location.href, {target: target, swap: "outerHTML"});
    }
    changed = false;
  });
})();
