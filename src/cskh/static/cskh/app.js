// Behaviour shared by every page, kept out of the HTML (Content-Security-Policy: no inline
// script, no on*= handlers).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
