// The unread badge in the navigation, kept current without a reload: GET /api/notifications
// every 30 s while the tab is visible, at once when it becomes visible again, never while hidden.
"use strict";
(() => {
  const link = document.querySelector('[data-testid="notifications-link"]');
  if (!link) { return; }
  const every = Number(link.dataset.pollSeconds || 30) * 1000;
  let timer;

  function render(unread) {
    let badge = link.querySelector(".badge");
    if (!unread) { if (badge) { badge.remove(); } return; }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      link.append(" ", badge);
    }
    badge.textContent = String(unread);
    badge.setAttribute("aria-label", `${unread} unread`);
  }

  function schedule() {
    if (!document.hidden && timer === undefined) { timer = window.setTimeout(refresh, every); }
  }

  async function refresh() {
    timer = undefined;
    if (document.hidden) { return; }
    try {
      // Marked as background polling: it must not keep an idle session alive.
      const response = await fetch("/api/notifications?limit=1", {
        credentials: "same-origin",
        headers: { "X-SnapStream-Background": "1" },
      });
      if (!response.ok) { throw new Error(`the server answered ${response.status}`); }
      render((await response.json()).unread);
    } catch (error) { /* offline or logged out: the next tick tries again */ }
    schedule();
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = undefined;
    } else {
      refresh();
    }
  });
  schedule();
})();
