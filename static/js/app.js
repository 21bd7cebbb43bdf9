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
