// The "now serving" board: re-read the board fragment whenever the office's live stream
// (Server-Sent Events) says a ticket moved, and once on every (re)connection, so a TV that
// lost the network catches up by itself. No polling.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.EventSource) return;
  var url = board.getAttribute("data-board-url");
  var pending = null;
  function refresh() {
    if (pending) return;
    pending = fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null) board.innerHTML = html;
        board.setAttribute("data-updated", String(Date.now()));
      })
      .catch(function () {})
      .then(function () { pending = null; });
  }
  var source = new EventSource(board.getAttribute("data-live-url"));
  source.addEventListener("ready", function () {
    board.setAttribute("data-live", "on");
    refresh();
  });
  source.addEventListener("ticket", refresh);
  source.onerror = function () { board.setAttribute("data-live", "off"); };
})();
