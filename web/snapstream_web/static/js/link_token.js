// An e-mailed link carries its token in the fragment (#...), which the browser never sends:
// put it into the page's form, hide the field it fills, and drop it from the address bar and
// the history. Without JavaScript the visitor pastes it into the field.
"use strict";
(() => {
  const token = window.location.hash.replace(/^#/, "");
  const field = document.querySelector("input[data-link-token]");
  if (!field || !token) { return; }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  // Only a well-formed token fills the field silently; anything else stays visible to correct.
  if (!/^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/.test(token)) { field.value = token; return; }
  field.value = token;
  const row = field.closest("[data-link-token-row]");
  if (row) { row.hidden = true; }
})();
