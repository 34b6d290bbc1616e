// Upload: drag-and-drop or picker; each file gets a presigned POST from /api/uploads and goes
// straight to S3 with a progress bar and a cancel button. Several files upload at once.
"use strict";
(() => {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("files");
  const list = document.getElementById("uploads");
  const row = document.getElementById("upload-row");
  const maxBytes = Number(zone.dataset.maxBytes);
  const kinds = ["image/", "video/", "audio/"];

  function show(item, state, text, percent) {
    item.classList.remove("error", "done");
    if (state) { item.classList.add(state); }
    item.querySelector(".state").textContent = text;
    if (percent !== undefined) { item.querySelector("progress").value = percent; }
  }

  function sendToStorage(ticket, file, item) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      Object.entries(ticket.fields).forEach(([name, value]) => form.append(name, value));
      form.append("file", file);  // S3 requires the file to be the last field
      const xhr = new XMLHttpRequest();
      xhr.open("POST", ticket.url);
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) { show(item, "", `${Math.round((e.loaded / e.total) * 100)}%`, (e.loaded / e.total) * 100); }
      });
      xhr.addEventListener("load", () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`storage refused the file (${xhr.status})`))));
      xhr.addEventListener("error", () => reject(new Error("the upload was interrupted")));
      xhr.addEventListener("abort", () => reject(new Error("cancelled")));
      item.querySelector(".cancel").onclick = () => xhr.abort();
      xhr.send(form);
    });
  }

  async function upload(file) {
    const item = row.content.firstElementChild.cloneNode(true);
    item.querySelector(".name").textContent = file.name;
    item.dataset.fileName = file.name;
    list.appendChild(item);
    const cancel = item.querySelector(".cancel");
    if (!kinds.some((k) => file.type.startsWith(k)) && file.type) {
      show(item, "error", `not an image, video or audio file (${file.type})`); cancel.remove(); return;
    }
    if (file.size > maxBytes) { show(item, "error", "the file is larger than the upload limit"); cancel.remove(); return; }
    if (file.size === 0) { show(item, "error", "the file is empty"); cancel.remove(); return; }
    let ticket;
    try {
      show(item, "", "preparing…");
      ticket = await SnapStream.api("POST", "/api/uploads", { file_name: file.name, content_type: file.type, size: file.size });
      await sendToStorage(ticket, file, item);
      show(item, "done", "uploaded, processing", 100);
      const link = document.createElement("a");
      link.href = `/media/${ticket.media_id}`; link.textContent = "open";
      cancel.replaceWith(link);
    } catch (error) {
      show(item, "error", error.message);
      cancel.remove();
      if (ticket && error.message === "cancelled") {
        // nothing was stored: drop the waiting record so the library does not show it
        SnapStream.api("DELETE", `/api/media/${ticket.media_id}`).catch(() => {});
      }
    }
  }

  function start(files) { Array.from(files).forEach(upload); }
  input.addEventListener("change", () => { start(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (e) => { e.preventDefault(); zone.classList.add("over"); }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, (e) => { e.preventDefault(); zone.classList.remove("over"); }));
  zone.addEventListener("drop", (e) => start(e.dataTransfer.files));
})();
