// Page behaviours bound through data- attributes, so that no page needs an inline script
// or an on…= handler (the Content-Security-Policy allows scripts from our files only).
// Loaded on every page by base.html and by the print pages.
(function () {
  "use strict";

  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // <button data-history-back>: back to the page before (the form of a failed CSRF check).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-history-back]")) window.history.back();
  });

  // A person picker's search box ([data-pick-search]): Enter searches, it must not submit
  // the form (bound on the document, so boxes that htmx adds later work too).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-pick-search]")) {
      event.preventDefault();
    }
  });

  // Sizes that a page computes: data-height="px" (charts), data-width="percent" (progress
  // bars). Set through the style object, which the policy allows (a style= attribute not).
  function sizes(root) {
    root.querySelectorAll("[data-height]").forEach(function (el) {
      var px = parseInt(el.getAttribute("data-height"), 10);
      if (!isNaN(px)) el.style.height = Math.max(px, 120) + "px";
    });
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var pct = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(pct)) el.style.width = Math.min(Math.max(pct, 0), 100) + "%";
    });
  }
  sizes(document);
  document.addEventListener("htmx:load", function (event) { sizes(event.target.parentNode || document); });

  // The working-unit selector's menu: placed under its button, inside the window; the
  // search box focused once it is open (not on phones: the keyboard would cover the tree).
  document.addEventListener("show.bs.dropdown", function (event) {
    if (!event.target || event.target.id !== "unit-selector") return;
    var menu = document.getElementById("unit-selector-menu");
    var box = event.target.getBoundingClientRect();
    var width = Math.min(448, window.innerWidth - 16);
    menu.style.top = (box.bottom + 4) + "px";
    menu.style.left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8)) + "px";
  });
  document.addEventListener("shown.bs.dropdown", function (event) {
    if (!event.target || event.target.id !== "unit-selector") return;
    var search = document.getElementById("unit-selector-search");
    if (search && window.matchMedia("(min-width: 576px)").matches) search.focus();
  });

  // The event form: show the details the chosen kind uses; hidden ones are disabled, so
  // not sent.
  var kind = document.querySelector("[data-event-kind-select]");
  if (kind) {
    var boxes = document.querySelectorAll("[data-event-kinds]");
    var syncKind = function () {
      boxes.forEach(function (box) {
        var on = box.getAttribute("data-event-kinds").split(" ").indexOf(kind.value) !== -1;
        box.hidden = !on;
        box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !on; });
      });
    };
    kind.addEventListener("change", syncKind);
    syncKind();
  }

  // The person form: without a valid ID the number box is switched off (and not sent).
  var idStatus = document.getElementById("id_id_status");
  var idNumber = document.getElementById("id_id_number");
  if (idStatus && idNumber && idStatus.tagName === "SELECT") {
    var syncId = function () { idNumber.disabled = idStatus.value !== "valid"; };
    idStatus.addEventListener("change", syncId);
    syncId();
  }
})();
