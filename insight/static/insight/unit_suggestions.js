// Suggested handling units on the transfer / assignment form: a click selects the unit in the form's unit
// field; the pressed state follows the field, so a unit picked by hand un-presses the suggestion.
// Static file: the CSP allows no inline script.
(function () {
  "use strict";
  function buttons() { return document.querySelectorAll("[data-suggest-unit]"); }
  function sync() {
    buttons().forEach(function (button) {
      var select = document.getElementById(button.dataset.unitField);
      var chosen = !!select && select.value === button.dataset.suggestUnit;
      button.setAttribute("aria-pressed", String(chosen));
      button.classList.toggle("active", chosen);
    });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-suggest-unit]");
    if (!button) { return; }
    var select = document.getElementById(button.dataset.unitField);
    if (!select) { return; }
    select.value = button.dataset.suggestUnit;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    sync();
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select")) { sync(); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sync);
  } else {
    sync();
  }
})();
