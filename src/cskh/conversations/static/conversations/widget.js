/* cskh web chat widget. Embed with
     <script src="https://cskh.example.vn/chat/widget.js" data-site-key="KEY" async></script>
   No third-party code; Vietnamese; fits a phone screen. The visitor's token stays in this
   site's localStorage so a reload continues the same conversation. */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector('script[src*="/chat/widget.js"]');
  if (!script || window.__cskhChat) return;
  window.__cskhChat = true;
  var base = new URL(script.src, location.href).origin;
  var siteKey = script.getAttribute("data-site-key") || "";
  var store = "cskh-chat-" + siteKey;
  var state = { token: null, after: 0, online: true, timer: null, seen: {} };
  var T = {
    open: "Chat với chăm sóc khách hàng",
    title: "Hỗ trợ khách hàng",
    placeholder: "Nhập tin nhắn…",
    phone: "Số điện thoại (không bắt buộc)",
    send: "Gửi",
    close: "Đóng",
    online: "Tư vấn viên đang trực tuyến.",
    offline: "Hiện không có tư vấn viên trực tuyến. Quý khách để lại lời nhắn và số điện " +
      "thoại, chúng tôi sẽ liên hệ lại sớm nhất.",
    error: "Chưa gửi được, vui lòng thử lại."
  };

  var css = "#cskh-chat-btn{position:fixed;right:16px;bottom:16px;z-index:2147483000;" +
    "background:#1a5fb4;color:#fff;border:0;border-radius:24px;padding:12px 18px;font:16px sans-serif;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer}" +
    "#cskh-chat{position:fixed;right:16px;bottom:16px;z-index:2147483001;width:360px;max-width:calc(100vw - 16px);" +
    "height:520px;max-height:calc(100vh - 32px);background:#fff;border-radius:10px;display:none;flex-direction:column;" +
    "box-shadow:0 4px 20px rgba(0,0,0,.3);font:15px/1.4 sans-serif;color:#222}" +
    "#cskh-chat.open{display:flex}" +
    "@media (max-width:480px){#cskh-chat{right:0;bottom:0;width:100vw;max-width:100vw;height:100vh;max-height:100vh;border-radius:0}}" +
    "#cskh-chat header{background:#1a5fb4;color:#fff;padding:10px 12px;display:flex;justify-content:space-between;align-items:center}" +
    "#cskh-chat header button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}" +
    "#cskh-chat .st{font-size:13px;padding:6px 12px;background:#eef4fb}" +
    "#cskh-chat ol{list-style:none;margin:0;padding:8px 12px;overflow:auto;flex:1}" +
    "#cskh-chat li{margin:6px 0;padding:8px 10px;border-radius:8px;max-width:85%;white-space:pre-wrap;word-wrap:break-word}" +
    "#cskh-chat li.in{background:#dbeafe;margin-left:auto}" +
    "#cskh-chat li.out{background:#f1f1f1}" +
    "#cskh-chat form{display:flex;flex-direction:column;gap:6px;padding:8px 12px;border-top:1px solid #ddd}" +
    "#cskh-chat textarea,#cskh-chat input{font:inherit;padding:8px;border:1px solid #bbb;border-radius:6px;width:100%;box-sizing:border-box}" +
    "#cskh-chat form button{background:#1a5fb4;color:#fff;border:0;border-radius:6px;padding:10px;font:inherit;cursor:pointer}";
  var style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);

  var btn = document.createElement("button");
  btn.id = "cskh-chat-btn";
  btn.type = "button";
  btn.textContent = T.open;
  var box = document.createElement("section");
  box.id = "cskh-chat";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", T.title);
  box.setAttribute("lang", "vi");
  box.innerHTML = '<header><strong></strong><button type="button" class="x"></button></header>' +
    '<p class="st" role="status"></p><ol aria-live="polite"></ol>' +
    '<form><input name="phone" type="tel" autocomplete="tel" inputmode="tel">' +
    '<textarea name="text" rows="2" required maxlength="4000"></textarea>' +
    '<button type="submit"></button></form>';
  box.querySelector("strong").textContent = T.title;
  box.querySelector(".x").textContent = "×";
  box.querySelector(".x").setAttribute("aria-label", T.close);
  var phone = box.querySelector("input");
  phone.placeholder = T.phone;
  phone.setAttribute("aria-label", T.phone);
  var text = box.querySelector("textarea");
  text.placeholder = T.placeholder;
  text.setAttribute("aria-label", T.placeholder);
  box.querySelector("form button").textContent = T.send;
  var list = box.querySelector("ol");
  var status = box.querySelector(".st");
  document.body.appendChild(btn);
  document.body.appendChild(box);

  function api(path, body) {
    var opts = body ? { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) } : {};
    return fetch(base + path, opts).then(function (r) {
      return r.json().then(function (d) { if (!r.ok) throw d; return d; });
    });
  }
  function showStatus() { status.textContent = state.online ? T.online : T.offline; }
  function add(m) {
    if (state.seen[m.id]) return;
    state.seen[m.id] = true;
    var li = document.createElement("li");
    li.className = m.direction === "in" ? "in" : "out";
    li.textContent = m.text;
    li.dataset.id = m.id;
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
    state.after = Math.max(state.after, m.id);
  }
  function poll() {
    if (!state.token) return;
    api("/chat/api/messages?token=" + encodeURIComponent(state.token) + "&after=" + state.after)
      .then(function (d) { state.online = d.online; showStatus(); d.items.forEach(add); })
      .catch(function () {});
  }
  function start() {
    var saved = null;
    try { saved = localStorage.getItem(store); } catch (e) {}
    return api("/chat/api/start", { site_key: siteKey, token: saved }).then(function (d) {
      state.token = d.token;
      state.online = d.online;
      try { localStorage.setItem(store, d.token); } catch (e) {}
      showStatus();
      poll();
      state.timer = setInterval(poll, 3000);
    });
  }
  btn.addEventListener("click", function () {
    box.classList.add("open");
    btn.style.display = "none";
    if (!state.token) start();
    text.focus();
  });
  box.querySelector(".x").addEventListener("click", function () {
    box.classList.remove("open");
    btn.style.display = "";
  });
  text.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); box.querySelector("form").requestSubmit(); }
  });
  box.querySelector("form").addEventListener("submit", function (e) {
    e.preventDefault();
    var value = text.value.trim();
    if (!value || !state.token) return;
    var id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    api("/chat/api/messages", { site_key: siteKey, token: state.token, text: value,
      phone: phone.value, client_id: id, page: location.href })
      .then(function () { text.value = ""; poll(); })
      .catch(function () { status.textContent = T.error; });
  });
})();
