// couchadmin's own script. Pages work without it; it only smooths keyboard use after htmx swaps.
"use strict";
document.addEventListener("htmx:afterSwap", function (event) {
  // Keep focus inside the swapped region for keyboard and screen-reader users who clicked a pager link.
  var target = event.detail.target;
  if (target && event.detail.requestConfig && event.detail.requestConfig.elt &&
      event.detail.requestConfig.elt.closest(".pager")) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
});

// htmx leaves an error answer unshown; one that names its own swap (HX-Reswap) is meant to be read whatever its
// status: the rows CouchDB was too slow to give (504) are replaced by the words saying so, not left as they were.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (!event.detail.shouldSwap && xhr && xhr.getResponseHeader("HX-Reswap")) {
    event.detail.shouldSwap = true;
  }
});

// A region that refreshes itself (polling) must not take the focus from the person using it: when a swap
// removes the focused control, the same control in the new content (same link, same button) gets it back.
var lostFocus = null;
document.addEventListener("htmx:beforeSwap", function (event) {
  var active = document.activeElement;
  var target = event.detail.target;
  lostFocus = null;
  if (active && active !== document.body && target && target.contains(active)) {
    lostFocus = { tag: active.tagName, href: active.getAttribute("href"), name: active.getAttribute("name"),
                  value: active.getAttribute("value"), text: active.textContent };
  }
});
document.addEventListener("htmx:afterSettle", function () {
  var wanted = lostFocus;
  lostFocus = null;
  if (!wanted || (document.activeElement && document.activeElement !== document.body)) { return; }
  var same = Array.prototype.find.call(document.querySelectorAll(wanted.tag), function (element) {
    return element.getAttribute("href") === wanted.href && element.getAttribute("name") === wanted.name &&
      element.getAttribute("value") === wanted.value && element.textContent === wanted.text;
  });
  if (same) { same.focus({ preventScroll: true }); }
});

// The changes feed lists a document once, at its newest change: when live rows arrive at the top of the
// table, the same document's older row (an edit before, the body before its deletion) leaves it.
document.addEventListener("htmx:afterSettle", function () {
  var rows = document.getElementById("change-rows");
  if (!rows) { return; }
  var seen = new Set();
  Array.prototype.slice.call(rows.children).forEach(function (row) {
    var id = row.getAttribute("data-id");
    if (id === null) { return; }
    if (seen.has(id)) { row.remove(); } else { seen.add(id); }
  });
});

// Choosing a revision on the conflicts page fetches its body into the box (data-fills-box names the box),
// but never over text the person has typed there: an edited box stays as it is.
document.addEventListener("htmx:confirm", function (event) {
  var elt = event.detail.elt;
  var box = elt && elt.hasAttribute("data-fills-box") && document.getElementById(elt.getAttribute("data-fills-box"));
  if (box && box.value !== box.defaultValue) { event.preventDefault(); }
});
