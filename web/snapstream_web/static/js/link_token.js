// An e-mailed link carries its token in the fragment (#...), which the browser never sends:
// put it into the page's form, hide the field it fills, and drop it from the address bar and
// the history. Without JavaScript the visitor pastes it into the field.
"use strict";
(() => {
  const token = decodeURIComponent(window.location.hash.replace(/^#/, ""));
  const field = document.querySelector("input[data-link-token]");
  if (!field || !token) { return; }
  field.value = token;
  const row = field.closest("[data-link-token-row]");
  if (row) { row.hidden = true; }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
})();
