/* Unified inbox: keyboard first (j/k/Enter, r reply, n note, Alt+1..9 canned answers,
   Ctrl+Enter send), live updates over Server-Sent Events (no polling of the list). */
(function () {
  "use strict";
  var root = document.getElementById("inbox");
  if (!root) return;
  var current = null;
  var source = null;
  var stale = false;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".conv-row")); }
  function select(i) {
    var r = rows();
    if (!r.length) return;
    i = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (el) { el.classList.remove("selected"); el.removeAttribute("aria-selected"); });
    r[i].classList.add("selected");
    r[i].setAttribute("aria-selected", "true");
    r[i].focus();
  }
  function selectedIndex() {
    var r = rows();
    for (var i = 0; i < r.length; i++) if (r[i].classList.contains("selected")) return i;
    return -1;
  }
  function refreshList() {
    var form = document.getElementById("inbox-filters");
    var params = new URLSearchParams(new FormData(form)).toString();
    htmx.ajax("GET", root.dataset.list + "?" + params, { target: "#inbox-rows", swap: "innerHTML" });
  }
  function refreshPane() {
    if (!current) return;
    var boxes = document.querySelectorAll("#pane textarea");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].value) {
        stale = true; // never wipe what the agent is writing: refreshed when they are done
        return;
      }
    }
    stale = false;
    htmx.ajax("GET", "/inbox/c/" + current + "/", { target: "#pane", swap: "innerHTML" });
  }
  function listen() {
    if (source) source.close();
    var url = root.dataset.live + (current ? "?c=" + current : "");
    source = new EventSource(url);
    source.addEventListener("open", function () { document.body.dataset.inboxLive = "connected"; });
    source.addEventListener("conversation", function (e) {
      var data = JSON.parse(e.data);
      refreshList();
      if (String(data.id) === String(current)) refreshPane();
    });
    source.addEventListener("viewers", function () {
      document.body.dispatchEvent(new Event("viewers"));
    });
  }
  function insert(text) {
    var box = document.getElementById("reply-text");
    if (!box) return;
    box.value = box.value ? box.value + "\n" + text : text;
    box.focus();
  }
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target.id === "pane") {
      var conv = document.getElementById("conv");
      var id = conv ? conv.dataset.id : null;
      if (id !== current) { current = id; listen(); }
      root.dataset.open = current || "";
    }
  });
  document.addEventListener("focusout", function (e) {
    if (stale && e.target.tagName === "TEXTAREA") {
      setTimeout(refreshPane, 0);
    }
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest(".canned-item, .kb-insert");
    if (b) insert(b.dataset.text);
  });
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    var editing = tag === "textarea" || tag === "input" || tag === "select";
    if (e.altKey && /^[1-9]$/.test(e.key)) {
      var item = document.querySelector('.canned-item[data-canned="' + e.key + '"]');
      if (item) { e.preventDefault(); insert(item.dataset.text); }
      return;
    }
    if (editing) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.form) {
        e.preventDefault();
        e.target.form.requestSubmit();
      } else if (e.key === "Escape") {
        e.target.blur();
      }
      return;
    }
    if (e.key === "j") { e.preventDefault(); select(selectedIndex() + 1); }
    else if (e.key === "k") { e.preventDefault(); select(selectedIndex() - 1); }
    else if (e.key === "Enter") {
      var r = rows()[selectedIndex()];
      if (r) { e.preventDefault(); htmx.trigger(r, "open"); }
    } else if (e.key === "r") {
      var reply = document.getElementById("reply-text");
      if (reply) { e.preventDefault(); reply.focus(); }
    } else if (e.key === "n") {
      var note = document.getElementById("note-text");
      if (note) { e.preventDefault(); note.focus(); }
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target.id === "inbox-rows" && selectedIndex() < 0 && rows().length) {
      rows()[0].classList.add("selected");
    }
  });
  listen();
})();
