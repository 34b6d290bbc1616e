// Shared helpers: the CSRF token for API calls and confirmations on destructive forms.
"use strict";
window.SnapStream = {
  csrf() { return document.querySelector('meta[name="csrf-token"]').content; },
  async api(method, path, body) {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": window.SnapStream.csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data = text ? JSON.parse(text) : {};
    if (!response.ok) { throw new Error(data.error || `the server answered ${response.status}`); }
    return data;
  },
};
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
