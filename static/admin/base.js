/* What every admin page does in the browser (loaded by templates/base.html; the pages carry a
 * Content-Security-Policy without 'unsafe-inline' scripts, so no page has inline script or
 * on*= attributes — behaviour is declared with data- attributes and handled here):
 *
 * - htmx error responses and network failures become a toast (htmx swaps nothing on 4xx/5xx);
 * - on a phone the horizontally scrolling sidebar shows the current page's link;
 * - [data-toggle-row="ROW_ID"]  opens/closes the form row under a table row ("Reject…");
 * - <input type="checkbox" data-check-all="NAME">  toggles every checkbox named NAME;
 * - [data-dismiss]  removes its parent (the × of a flash message);
 * - [data-print]  opens the print dialog;
 * - <select data-submit-on-change>  submits its form when the choice changes;
 * - <a data-export-base="URL">  follows its form's current filters: URL?<the form's fields>.
 */
(function () {
  "use strict";
  function toast(text) {
    var box = document.getElementById("toasts");
    if (!box) { return; }
    var item = document.createElement("div");
    item.className = "flash flash--error";
    item.setAttribute("role", "alert");
    var span = document.createElement("span");
    span.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.setAttribute("aria-label", document.body.dataset.msgClose);
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { item.remove(); });
    item.append(span, close);
    box.append(item);
    setTimeout(function () { item.remove(); }, 8000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    toast(status === 403 ? document.body.dataset.msgForbidden : document.body.dataset.msgError);
  });
  document.addEventListener("htmx:sendError", function () { toast(document.body.dataset.msgNetwork); });

  function showCurrentNavLink() {
    var current = document.querySelector(".sidebar .nav a.active");
    if (current && window.matchMedia("(max-width: 799.98px)").matches) {
      var bar = document.querySelector(".sidebar");
      var brand = bar.querySelector(".brand");
      bar.scrollLeft = current.offsetLeft - (brand ? brand.offsetWidth : 0) - 8;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showCurrentNavLink);
  } else {
    showCurrentNavLink();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var button = target.closest("[data-toggle-row]");
    if (button) {
      var row = document.getElementById(button.dataset.toggleRow);
      if (!row) { return; }
      row.hidden = !row.hidden;
      document.querySelectorAll('[aria-controls="' + row.id + '"]').forEach(function (b) {
        b.setAttribute("aria-expanded", row.hidden ? "false" : "true");
      });
      if (!row.hidden) {
        var input = row.querySelector("textarea, input:not([type=hidden])");
        if (input) { input.focus(); }
      }
      return;
    }
    var dismiss = target.closest("[data-dismiss]");
    if (dismiss) {
      dismiss.parentElement.remove();
      return;
    }
    if (target.closest("[data-print]")) {
      window.print();
      return;
    }
    var link = target.closest("a[data-export-base]");
    if (link && link.closest("form")) {
      var query = new URLSearchParams(new FormData(link.closest("form"))).toString();
      link.href = link.dataset.exportBase + (query ? "?" + query : "");
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    var name = target.dataset && target.dataset.checkAll;
    if (name) {
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
      return;
    }
    if (target.matches && target.matches("select[data-submit-on-change]") && target.form) {
      target.form.submit();
    }
  });
})();
