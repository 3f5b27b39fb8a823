// Behaviour shared by every page, kept out of the HTML (Content-Security-Policy: no inline
// script, no on*= handlers).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
// A button with data-fill-target="<id>" and data-canned="<text>" puts the text into that field
// (canned answers on the social reply form).
document.addEventListener("click", function (event) {
  var el = event.target instanceof Element ? event.target.closest("[data-fill-target]") : null;
  if (!el) return;
  var field = document.getElementById(el.getAttribute("data-fill-target"));
  if (field) {
    field.value = el.getAttribute("data-canned") || "";
    field.focus();
  }
});
