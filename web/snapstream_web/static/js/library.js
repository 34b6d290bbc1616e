// Library and dashboard: live status badges (polling while anything is processing), tag
// suggestions for the search box, and the selection (select all on the page, confirm a delete).
"use strict";
(() => {
  const busy = new Set(["awaiting_upload", "uploaded", "processing"]);
  async function refresh() {
    const cards = Array.from(document.querySelectorAll(".card[data-media-id]")).filter((c) => busy.has(c.dataset.status));
    if (!cards.length) { return; }
    try {
      const found = await SnapStream.api("GET", `/api/media/status?ids=${cards.map((c) => c.dataset.mediaId).join(",")}`);
      cards.forEach((card) => {
        const now = found[card.dataset.mediaId];
        if (!now || now.status === card.dataset.status) { return; }
        card.dataset.status = now.status;
        const badge = card.querySelector('[data-role="status"]');
        badge.textContent = now.status.replace("_", " ");
        badge.className = `status status-${now.status}`;
        const placeholder = card.querySelector(".placeholder");
        if (now.thumbnail_url && placeholder) {
          const img = document.createElement("img");
          img.className = "thumb"; img.alt = ""; img.src = now.thumbnail_url;
          placeholder.replaceWith(img);
        }
      });
    } catch (error) { /* try again at the next tick */ }
    window.setTimeout(refresh, 3000);
  }
  window.setTimeout(refresh, 3000);

  const search = document.getElementById("tag");
  const options = document.getElementById("tag-suggestions");
  if (search && options) {
    let timer;
    search.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(async () => {
        if (search.value.trim().length < 1) { return; }
        const { tags } = await SnapStream.api("GET", `/api/tags/suggest?prefix=${encodeURIComponent(search.value)}`);
        options.replaceChildren(...tags.map((t) => Object.assign(document.createElement("option"), { value: t })));
      }, 200);
    });
  }

  const selection = document.getElementById("selection");
  const all = document.getElementById("select-all");
  if (selection && all) {
    const boxes = () => Array.from(selection.querySelectorAll('input[name="media_id"]'));
    all.closest("label").hidden = false;
    all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
    selection.addEventListener("change", (event) => {
      if (event.target === all) { return; }
      const ticked = boxes().filter((box) => box.checked).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    });
    selection.addEventListener("submit", (event) => {
      const chosen = boxes().filter((box) => box.checked).length;
      if (event.submitter && event.submitter.value === "delete" && chosen
          && !window.confirm(`Delete ${chosen} selected media and all their files?`)) {
        event.preventDefault();
      }
    });
  }
})();
