// The certificate's print button (no inline handlers under the Content-Security-Policy).
document.addEventListener("click", function (event) {
  var el = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (el) window.print();
});
