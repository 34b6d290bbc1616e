// Media page: adaptive HLS playback (hls.js, served by this site) with short-lived signed access,
// a quality selector, and live status while the media is processing.
"use strict";
(() => {
  const page = document.querySelector("article.media");
  if (page && ["awaiting_upload", "uploaded", "processing"].includes(page.dataset.status)) {
    const poll = async () => {
      try {
        const found = await SnapStream.api("GET", `/api/media/status?ids=${page.dataset.mediaId}`);
        const now = found[page.dataset.mediaId];
        if (now && now.status !== page.dataset.status) { window.location.reload(); return; }
      } catch (error) { /* retry */ }
      window.setTimeout(poll, 3000);
    };
    window.setTimeout(poll, 3000);
  }

  const video = document.getElementById("player");
  if (!video) { return; }
  const quality = document.getElementById("quality");
  const problem = document.getElementById("player-error");
  const fail = (message) => { problem.textContent = message; problem.hidden = false; };

  function signed(url, query) {
    if (!query || url.includes("Signature=")) { return url; }
    return url + (url.includes("?") ? "&" : "?") + query;
  }

  async function play() {
    let access;
    try { access = await SnapStream.api("GET", video.dataset.playbackUrl); } catch (error) { fail(error.message); return; }
    const source = access.urls.hls;
    const query = access.queries.hls || "";
    if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls({ xhrSetup: (xhr, url) => xhr.open("GET", signed(url, query), true) });
      hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
        hls.levels.forEach((level, index) => {
          const option = document.createElement("option");
          option.value = String(index);
          option.textContent = level.height ? `${level.height}p` : `${Math.round(level.bitrate / 1000)} kb/s`;
          quality.appendChild(option);
        });
      });
      hls.on(window.Hls.Events.ERROR, (event, data) => { if (data.fatal) { fail(`playback failed: ${data.details}`); } });
      quality.addEventListener("change", () => { hls.currentLevel = Number(quality.value); });
      hls.loadSource(source);
      hls.attachMedia(video);
      window.snapstreamPlayer = hls;
      // Deleting: stop streaming first (the files are refused from the moment it is marked).
      document.addEventListener("submit", (event) => {
        if (!event.defaultPrevented && event.target.matches("form.danger")) { hls.stopLoad(); video.pause(); }
      });
    } else if (video.canPlayType("application/vnd.apple.mpegurl") && access.urls.mp4) {
      video.src = access.urls.mp4;  // Safari without MSE: the MP4 rendition (signed URL)
      quality.disabled = true;
    } else {
      fail("this browser cannot play the stream");
    }
  }
  play();
})();
