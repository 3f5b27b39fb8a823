/* Agent desk: live screen pops (SSE), keyboard-first case logging. No polling. */
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  const sup = document.getElementById("supervisor");
  const root = desk || sup;
  const msg = (k, d) => (root && root.dataset["msg" + k]) || d;
  window.__pops = [];

  function fold(s) {
    return (s || "").replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }
  window.cskhFold = fold;

  // ------------------------------------------------------------------ live push (SSE)
  if (root && root.dataset.liveUrl && window.EventSource) {
    const es = new EventSource(root.dataset.liveUrl);
    const status = document.getElementById("live-status");
    const setStatus = (text, cls) => { if (status) { status.textContent = text; status.className = "badge " + cls; } };
    es.addEventListener("ready", (e) => {
      try { connectedAt = JSON.parse(e.data).now || 0; } catch (err) { connectedAt = 0; }
      if (connectedAt) serverOffset = connectedAt - Date.now() / 1000;
      document.body.dataset.live = "connected";
      setStatus(msg("Connected", "Đã kết nối"), "ok");
    });
    es.onerror = () => {
      document.body.dataset.live = "reconnecting";
      setStatus(msg("Lost", "Mất kết nối, đang kết nối lại…"), "danger");
    };
    es.addEventListener("pop", (e) => onPop(JSON.parse(e.data)));
    es.addEventListener("call_ended", (e) => onEnded(JSON.parse(e.data)));
    es.addEventListener("presence", (e) => onPresence(JSON.parse(e.data)));
    es.addEventListener("callback_due", (e) => onCallbackDue(JSON.parse(e.data)));
    es.addEventListener("social_alert", (e) => onSocialAlert(JSON.parse(e.data)));
  }

  // Social listening crisis alert (shift leads): shown at once on top of the supervisor page.
  function onSocialAlert(a) {
    const box = document.getElementById("social-alerts");
    if (!box) return;
    const div = document.createElement("div");
    div.className = "alert danger social-alert-live";
    div.setAttribute("role", "alert");
    div.textContent = a.text;
    box.prepend(div);
  }

  // Server time of the current stream's start: a pop sent before it is a replay of a call
  // that happened while this page was not listening, never a live call.
  let connectedAt = 0;
  const REPLAY_SLACK = 2;
  let popLoading = null; // interaction whose pop is being fetched
  let serverOffset = 0; // server clock minus this browser's clock (seconds)

  function onPop(p) {
    if (!desk) return;
    if (connectedAt && p.sent && p.sent < connectedAt - REPLAY_SLACK) return;
    const cur = document.querySelector("#card .pop");
    if (cur && cur.dataset.interaction === String(p.interaction)) {
      const badge = cur.querySelector("[data-call-state]");
      if (badge && p.event === "answered") { badge.textContent = msg("Answered", "Đang nói chuyện"); badge.className = "badge ok"; }
      return;
    }
    // A second event of the call (answered after ringing) while its pop is still loading
    // must not fetch it again: that late answer used to land after the agent had picked a
    // customer and put the pick list back.
    if (popLoading === String(p.interaction)) return;
    popLoading = String(p.interaction);
    const t0 = performance.now();
    // source #pop-src carries hx-sync="#card:replace": whatever the agent asks for in #card
    // afterwards (a pick, a search) replaces this request instead of being overwritten by it
    htmx.ajax("GET", desk.dataset.popUrl + p.interaction + "/", { source: "#pop-src", target: "#card", swap: "innerHTML" })
      .then(() => {
        window.__pops.push({ interaction: p.interaction, call_id: p.call_id, ms: performance.now() - t0, sent: p.sent, shown: Date.now() / 1000 });
        if (window.__pops.length > 500) window.__pops.shift();
        const cs = document.getElementById("call-status");
        if (cs) cs.textContent = "";
      }, () => {})
      .finally(() => { if (popLoading === String(p.interaction)) popLoading = null; });
  }

  function onEnded(p) {
    const cs = document.getElementById("call-status");
    const m = Math.floor((p.duration || 0) / 60), s = String((p.duration || 0) % 60).padStart(2, "0");
    if (cs) cs.textContent = msg("Ended", "Cuộc gọi đã kết thúc") + " (" + m + ":" + s + ")";
    const cur = document.querySelector('#card .pop[data-interaction="' + p.interaction + '"] [data-call-state]');
    if (cur) { cur.textContent = msg("EndedShort", "Đã kết thúc"); cur.className = "badge"; }
    const wrap = document.getElementById("wrapup");
    if (wrap && wrap.dataset.url && !p.timed_out) {
      htmx.ajax("GET", wrap.dataset.url, { target: "#wrapup", swap: "innerHTML" });
    }
  }

  // ------------------------------------------------------------------ state timer
  // Time in the current presence state (the call timer while on a call, the wrap-up timer in
  // after-call work, with the countdown to the automatic return to ready).
  function tickTimer() {
    const el = document.getElementById("state-timer");
    if (!el || !el.dataset.since) return;
    const since = Number(el.dataset.since);
    if (!since) { el.textContent = ""; return; }
    const now = Date.now() / 1000 + serverOffset;
    const secs = Math.max(0, Math.floor(now - since));
    const mmss = (t) => Math.floor(t / 60) + ":" + String(t % 60).padStart(2, "0");
    let text = mmss(secs);
    const acw = Number(el.dataset.acw || 0);
    if (el.dataset.state === "after_call_work" && acw > 0) {
      text += " · " + (el.dataset.msgAcw || "") + " " + mmss(Math.max(0, acw - secs));
    }
    el.textContent = text;
  }
  if (desk) { tickTimer(); setInterval(tickTimer, 1000); }

  function onCallbackDue(p) {
    const box = document.getElementById("reminders");
    if (!box) return;
    const div = document.createElement("div");
    div.className = "banner planned";
    div.setAttribute("role", "alert");
    div.dataset.callbackDue = p.callback;
    const when = new Date(p.due_at).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
    const text = document.createElement("span");
    text.textContent = (box.dataset.msgDue || "") + " " + when + ": " + p.name + " · " + p.phone + (p.note ? " — " + p.note : "") + " ";
    const btn = document.createElement("button");
    btn.type = "button";
    btn.textContent = box.dataset.msgCall || "";
    btn.setAttribute("hx-post", box.dataset.callUrl);
    btn.setAttribute("hx-vals", JSON.stringify({ number: p.phone, customer: String(p.customer) }));
    btn.setAttribute("hx-target", "closest div");
    div.append(text, btn);
    box.append(div);
    htmx.process(div);
  }

  function onPresence(p) {
    if (sup && sup.dataset.agentsUrl) {
      htmx.ajax("GET", sup.dataset.agentsUrl, { target: "#agents", swap: "innerHTML" });
    }
    const sel = document.getElementById("presence-state");
    if (sel && desk && String(p.user) === desk.dataset.user) {
      sel.value = p.state === "break" ? "break:" + (p.reason || "other") : p.state;
      sel.className = "presence-" + p.state; sel.dataset.state = p.state;
      const timer = document.getElementById("state-timer");
      if (timer && p.since) { timer.dataset.since = String(Date.parse(p.since) / 1000); timer.dataset.state = p.state; tickTimer(); }
      const wrapForm = document.querySelector("#wrapup form");
      if (wrapForm && p.state !== "after_call_work") wrapForm.remove(); // ready again (by hand or by time)
    }
  }

  // ------------------------------------------------------------------ case-type picker
  const $ = (id) => document.getElementById(id);
  function visibleItems() {
    const list = $("type-list");
    return list ? Array.from(list.querySelectorAll("li")).filter((li) => !li.hidden) : [];
  }
  function setActive(li) {
    const list = $("type-list"), input = $("type-q");
    list.querySelectorAll("li").forEach((x) => x.setAttribute("aria-selected", x === li ? "true" : "false"));
    if (li) { input.setAttribute("aria-activedescendant", li.id); li.scrollIntoView({ block: "nearest" }); }
  }
  function filterTypes() {
    const input = $("type-q"), list = $("type-list");
    const words = fold(input.value).split(" ").filter(Boolean);
    let first = null;
    list.querySelectorAll("li").forEach((li) => {
      const hay = li.dataset.folded;
      li.hidden = !words.every((w) => hay.includes(w));
      if (!li.hidden && !first) first = li;
    });
    list.hidden = !first;
    input.setAttribute("aria-expanded", first ? "true" : "false");
    setActive(first);
  }
  function chooseType(code) {
    const li = document.querySelector('#type-list li[data-code="' + code + '"]');
    if (!li) return;
    $("type-code").value = code;
    $("type-q").value = li.dataset.name;
    $("type-chosen").textContent = "✓ " + li.dataset.name;
    $("type-list").hidden = true;
    $("type-q").setAttribute("aria-expanded", "false");
    const prio = $("priority");
    if (prio && li.dataset.priority) prio.value = li.dataset.priority;
    const form = $("logform");
    const customer = form ? form.querySelector('[name="customer"]').value : "";
    htmx.ajax("GET", "/desk/canned?type=" + encodeURIComponent(code) + "&customer=" + customer, { target: "#canned", swap: "innerHTML" });
    $("description").focus();
  }

  document.addEventListener("input", (e) => {
    if (e.target.id === "type-q") { $("type-code").value = ""; $("type-chosen").textContent = ""; filterTypes(); }
  });
  document.addEventListener("click", (e) => {
    const li = e.target.closest("#type-list li");
    if (li) { chooseType(li.dataset.code); return; }
    const chip = e.target.closest("[data-suggest]");
    if (chip) { chooseType(chip.dataset.suggest); return; }
    const canned = e.target.closest("[data-canned]");
    if (canned) { insertCanned(canned.dataset.canned); return; }
    if (e.target.closest("[data-help]")) toggleHelp();
  });

  function insertCanned(n) {
    const btn = document.querySelector('[data-canned="' + n + '"]');
    const reply = $("reply");
    if (!btn || !reply) return;
    const text = btn.dataset.text;
    const start = reply.selectionStart ?? reply.value.length, end = reply.selectionEnd ?? reply.value.length;
    reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
    reply.focus();
    reply.setSelectionRange(start + text.length, start + text.length);
  }

  function toggleHelp() {
    const d = $("help");
    if (!d) return;
    if (d.open) d.close(); else d.showModal();
  }

  const editable = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const ALT_FOCUS = { KeyT: "type-q", KeyD: "description", KeyP: "priority", KeyR: "reply", KeyK: "kb-q", KeyF: "find-q", KeyM: "service-point", KeyO: "outcome", KeyN: "log-channel" };

  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (t && t.id === "type-q") {
      const items = visibleItems();
      const list = $("type-list");
      const active = list.querySelector('li[aria-selected="true"]');
      const i = items.indexOf(active);
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) filterTypes(); else setActive(items[Math.min(items.length - 1, i + 1)]); return; }
      if (e.key === "ArrowUp") { e.preventDefault(); setActive(items[Math.max(0, i - 1)]); return; }
      if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        if (!list.hidden && active) chooseType(active.dataset.code);
        return;
      }
      if (e.key === "Escape") { list.hidden = true; return; }
    }
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      const form = t && t.closest ? t.closest("form") : null;
      const target = form && form.id === "logform" ? form : $("logform");
      if (target) { e.preventDefault(); target.requestSubmit(); }
      return;
    }
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      if (ALT_FOCUS[e.code] && $(ALT_FOCUS[e.code])) {
        e.preventDefault();
        const el = $(ALT_FOCUS[e.code]); el.focus(); if (el.select && el.tagName === "INPUT") el.select();
        return;
      }
      if (e.code === "KeyY") { const chip = document.querySelector("#suggest [data-suggest]"); if (chip) { e.preventDefault(); chooseType(chip.dataset.suggest); } return; }
      if (e.code === "KeyC") { const d = document.querySelector("#card [data-dial-first]"); if (d) { e.preventDefault(); d.click(); } return; }
      if (e.code === "KeyH" && $("cb-due")) { e.preventDefault(); $("cb-due").focus(); return; }
      if (e.code === "KeyW") { const w = document.querySelector("#wrapup form"); if (w) { e.preventDefault(); w.requestSubmit(); } return; }
      if (e.code === "KeyG" && $("resolved")) { e.preventDefault(); $("resolved").checked = !$("resolved").checked; return; }
      if (e.code === "KeyS" && $("presence-state")) {
        e.preventDefault(); const s = $("presence-state"); s.value = "available"; s.dispatchEvent(new Event("change", { bubbles: true })); return;
      }
      const m = /^Digit([1-9])$/.exec(e.code);
      if (m) { e.preventDefault(); insertCanned(m[1]); return; }
    }
    if (!editable(t) && !e.ctrlKey && !e.altKey && !e.metaKey) {
      if (e.key === "?") { e.preventDefault(); toggleHelp(); return; }
      if (/^[1-9]$/.test(e.key)) {
        const b = document.querySelector('#card .pick-item[data-key="' + e.key + '"]');
        if (b) { e.preventDefault(); b.click(); }
      }
    }
  });

  // htmx focuses a swapped-in [autofocus] element when the swap settles, wherever the agent's
  // focus is. An agent who has already moved on (Alt+F while the case was being saved) must
  // keep their focus, so the desk decides here, right after the swap: focus the new field only
  // when the old focus went away with the swapped content, and take the attribute off so
  // settling does not move the focus again.
  document.body.addEventListener("htmx:afterSwap", (e) => {
    const target = e.detail.target;
    if (!target) return;
    const fields = target.querySelectorAll("[autofocus]");
    if (!fields.length) return;
    const active = document.activeElement;
    const free = !active || active === document.body || target.contains(active);
    fields.forEach((f) => f.removeAttribute("autofocus"));
    if (free) fields[0].focus();
  });
})();
