/* Wallboard: the server pushes (SSE) that something changed; the page fetches the tiles once
   (events in a burst are coalesced). Time in state ticks locally. No polling. */
(function () {
  "use strict";
  const root = document.getElementById("wallboard");
  if (!root || !window.EventSource) return;
  const status = document.getElementById("live-status");
  let pending = null;
  let inflight = false;
  let again = false;

  function refresh() {
    if (inflight) { again = true; return; }
    inflight = true;
    htmx.ajax("GET", root.dataset.tilesUrl, { target: "#wb-tiles", swap: "innerHTML" }).finally(() => {
      inflight = false;
      tick();
      if (again) { again = false; refresh(); }
    });
  }
  function soon() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; refresh(); }, 250);
  }
  function fmt(s) {
    const m = Math.floor(s / 60), h = Math.floor(m / 60);
    return h ? h + ":" + String(m % 60).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0")
      : m + ":" + String(s % 60).padStart(2, "0");
  }
  let offset = 0;  // server clock − browser clock (seconds)
  function tick() {
    const now = Date.now() / 1000 + offset;
    document.querySelectorAll("#wb-tiles [data-since]").forEach((el) => {
      const since = parseInt(el.dataset.since, 10);
      if (since) el.textContent = fmt(Math.max(0, Math.round(now - since)));
    });
  }
  setInterval(tick, 1000);

  const es = new EventSource(root.dataset.liveUrl);
  es.addEventListener("ready", (e) => {
    try { offset = JSON.parse(e.data).now - Date.now() / 1000; } catch (err) { offset = 0; }
    document.body.dataset.live = "connected";
    if (status) { status.textContent = status.dataset.ok || "●"; status.className = "badge ok"; }
    refresh();  // anything that changed while (re)connecting
  });
  es.onerror = () => {
    document.body.dataset.live = "reconnecting";
    if (status) status.className = "badge danger";
  };
  ["wallboard", "presence", "conversation", "message", "pop", "call_ended"].forEach((t) => es.addEventListener(t, soon));
  es.onmessage = soon;
  tick();
})();
