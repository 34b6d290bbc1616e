// Upload: drag-and-drop or picker; each file gets a presigned POST from /api/uploads and goes
// straight to S3 with a progress bar and a cancel button (several files at once). Then each row
// follows its media through the pipeline (GET /api/media/status every few seconds) to its
// outcome: ready, with a link to it, or rejected/failed with the reason the pipeline recorded.
// Which files are taken comes from the page (data-rules: the accepted types and extensions).
"use strict";
(() => {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("files");
  const list = document.getElementById("uploads");
  const row = document.getElementById("upload-row");
  const maxBytes = Number(zone.dataset.maxBytes);
  const rules = JSON.parse(zone.dataset.rules);
  const acceptedTypes = new Set(rules.types);
  const failures = new Set(["refused", "interrupted", "cancelled", "rejected", "failed"]);
  const watched = new Map(); // media id -> its row, while the pipeline works on it
  const POLL_MS = 2000;
  let timer;

  function show(item, state, text, percent) {
    item.dataset.state = state;
    item.classList.toggle("error", failures.has(state));
    item.classList.toggle("done", state === "ready");
    item.querySelector(".state").textContent = text;
    if (percent !== undefined) { item.querySelector("progress").value = percent; }
  }

  function setAction(item, mediaId, text) {
    const action = item.querySelector(".action");
    if (!mediaId) { action.replaceChildren(); return; }
    const link = document.createElement("a");
    link.href = `/media/${mediaId}`; link.textContent = text;
    action.replaceChildren(link);
  }

  // The type to declare: the browser's if the API takes it, else the one of the file's extension.
  function declaredType(file) {
    if (acceptedTypes.has(file.type.toLowerCase())) { return file.type; }
    const dot = file.name.lastIndexOf(".");
    return dot > 0 ? rules.extensions[file.name.slice(dot).toLowerCase()] : undefined;
  }

  function sendToStorage(ticket, file, item) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      Object.entries(ticket.fields).forEach(([name, value]) => form.append(name, value));
      form.append("file", file); // S3 requires the file to be the last field
      const xhr = new XMLHttpRequest();
      xhr.open("POST", ticket.url);
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) {
          const percent = (e.loaded / e.total) * 100;
          show(item, "uploading", `uploading ${Math.round(percent)}%`, percent);
        }
      });
      xhr.addEventListener("load", () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`storage refused the file (${xhr.status})`))));
      xhr.addEventListener("error", () => reject(new Error("the upload was interrupted")));
      xhr.addEventListener("abort", () => reject(new Error("cancelled")));
      item.querySelector(".cancel").onclick = () => xhr.abort();
      xhr.send(form);
    });
  }

  async function explain(item, mediaId, status) {
    show(item, status, status);
    setAction(item, mediaId, "Details");
    try {
      const media = await SnapStream.api("GET", `/api/media/${mediaId}`);
      show(item, status, `${status}: ${media.status_reason || "no reason was recorded"}`);
    } catch (error) { /* the word alone, and the link to the media page */ }
  }

  async function poll() {
    timer = undefined;
    const ids = Array.from(watched.keys()).slice(0, 50);
    if (!ids.length) { return; }
    try {
      const found = await SnapStream.api("GET", `/api/media/status?ids=${ids.join(",")}`);
      ids.forEach((mediaId) => {
        const now = found[mediaId];
        const item = watched.get(mediaId);
        if (!now || !["ready", "rejected", "failed"].includes(now.status)) { return; }
        watched.delete(mediaId);
        if (now.status === "ready") {
          show(item, "ready", "ready");
          setAction(item, mediaId, "Open");
        } else {
          explain(item, mediaId, now.status);
        }
      });
    } catch (error) { /* try again at the next tick */ }
    follow();
  }

  function follow(mediaId, item) {
    if (mediaId) { watched.set(mediaId, item); }
    if (watched.size && timer === undefined) { timer = window.setTimeout(poll, POLL_MS); }
  }

  async function upload(file) {
    const item = row.content.firstElementChild.cloneNode(true);
    item.querySelector(".name").textContent = file.name;
    item.dataset.fileName = file.name;
    list.appendChild(item);
    const type = declaredType(file);
    const refuse = (why) => { show(item, "refused", `refused: ${why}`); setAction(item); };
    if (!type) { refuse(`not an image, video or audio file SnapStream accepts (${file.type || "unknown type"})`); return; }
    if (file.size > maxBytes) { refuse("the file is larger than the upload limit"); return; }
    if (file.size === 0) { refuse("the file is empty"); return; }
    let ticket;
    try {
      show(item, "preparing", "preparing…");
      ticket = await SnapStream.api("POST", "/api/uploads", { file_name: file.name, content_type: type, size: file.size });
      await sendToStorage(ticket, file, item);
    } catch (error) {
      if (!ticket) { refuse(error.message); return; }
      const cancelled = error.message === "cancelled";
      show(item, cancelled ? "cancelled" : "interrupted", error.message);
      setAction(item);
      if (cancelled) { // nothing was stored: drop the waiting record so the library does not show it
        SnapStream.api("DELETE", `/api/media/${ticket.media_id}`).catch(() => {});
      }
      return;
    }
    show(item, "processing", "uploaded, processing", 100);
    setAction(item);
    follow(ticket.media_id, item);
  }

  function start(files) { Array.from(files).forEach(upload); }
  input.addEventListener("change", () => { start(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (e) => { e.preventDefault(); zone.classList.add("over"); }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, (e) => { e.preventDefault(); zone.classList.remove("over"); }));
  zone.addEventListener("drop", (e) => start(e.dataTransfer.files));
})();
