/* The roster grid (templates/rosters/grid.html).
 *
 * - A cell's link loads its editor into #roster-editor (htmx.ajax); this script opens the
 *   <dialog> around it when it has content and closes it when it is emptied (the answer
 *   to a change empties it out of band) or when [data-close-dialog] is pressed / Escape.
 * - After a change, focus returns to the changed cell (it was replaced).
 * - The "Export CSV" link follows the filters as they are now (the toolbar changes the
 *   grid with htmx, not the page).
 * - A month wider than the screen (a tablet, a phone) opens scrolled to today's column,
 *   just right of the names.
 */
(function () {
  "use strict";
  var dialog = document.getElementById("roster-dialog");
  var lastCellId = null;

  function editor() { return document.getElementById("roster-editor"); }

  function openOrClose() {
    if (!dialog) { return; }
    var box = editor();
    var hasContent = box && box.children.length > 0;
    if (hasContent && !dialog.open) {
      dialog.showModal();
      var current = box.querySelector(".cell-choice.is-current") || box.querySelector(".cell-choice, button");
      if (current) { current.focus(); }
    } else if (!hasContent && dialog.open) {
      dialog.close();
    }
  }

  document.addEventListener("click", function (event) {
    /* a cell's link: its editor into the dialog (a plain click; a new tab keeps the page) */
    var cell = event.target.closest && event.target.closest("#roster-grid a.roster-cell");
    if (cell && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0 && window.htmx) {
      event.preventDefault();
      lastCellId = cell.parentElement.id;
      window.htmx.ajax("GET", cell.getAttribute("href"), {target: "#roster-editor", swap: "innerHTML"});
      return;
    }
    var close = event.target.closest && event.target.closest("[data-close-dialog]");
    if (close && dialog && dialog.contains(close)) {
      event.preventDefault();
      dialog.close();
    }
  });

  if (dialog) {
    dialog.addEventListener("close", function () {
      var box = editor();
      if (box) { box.innerHTML = ""; }
      var cell = lastCellId && document.getElementById(lastCellId);
      var link = cell && cell.querySelector(".roster-cell");
      if (link) { link.focus(); }
    });
    /* a click on the backdrop (outside the dialog's box) closes it */
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }
    });
  }

  function scrollToToday() {
    var wrap = document.querySelector("#roster-grid .roster-wrap");
    var today = wrap && wrap.querySelector("thead th.is-today");
    var names = wrap && wrap.querySelector("thead th.roster-person");
    if (!today || !names || wrap.scrollWidth <= wrap.clientWidth) { return; }
    wrap.scrollLeft = Math.max(0, today.offsetLeft - names.offsetWidth - today.offsetWidth);
  }
  scrollToToday();
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "roster-grid") { scrollToToday(); }
  });

  document.addEventListener("htmx:afterSettle", openOrClose);
  document.addEventListener("htmx:oobAfterSwap", openOrClose);

  function currentQuery() {
    var form = document.querySelector(".roster-toolbar");
    if (!form) { return ""; }
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) { params.append(key, value); } });
    return params.toString();
  }
  var exportLink = document.getElementById("roster-export");
  if (exportLink) {
    exportLink.addEventListener("click", function () {
      var query = currentQuery();
      exportLink.href = exportLink.href.split("?")[0] + (query ? "?" + query : "");
    });
  }
})();
