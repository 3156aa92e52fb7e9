/* Small behaviours without inline handlers (the Content-Security-Policy forbids inline scripts):
   data-autosubmit on a select submits its form when changed; data-print on a button prints the page. */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-autosubmit]") && e.target.form) { e.target.form.submit(); }
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) { window.print(); }
  });
})();
