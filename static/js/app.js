// Behaviour the pages used to carry in inline handlers (onchange=, onclick=, onsubmit=, hx-on),
// which the Content-Security-Policy forbids: each is a data- attribute handled here.
(function () {
  "use strict";
  // <select data-autosubmit>: choosing an option submits its form (language, store, filters).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
  document.addEventListener("click", function (event) {
    // <button data-print>: print the page (receipts, Z reports, QR sheets).
    if (event.target.closest("[data-print]")) { window.print(); return; }
    // <input data-select-on-click>: select the whole value to copy it (invitation links).
    var input = event.target.closest("input[data-select-on-click]");
    if (input) input.select();
  });
  // <form data-confirm="question">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
