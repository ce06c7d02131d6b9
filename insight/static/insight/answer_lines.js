// Answer lines (口径) beside a reply being drafted: "引用" copies a past reply's text into the reply
// textarea (appended on a new line when the officer has already written something). Static file: CSP.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-copy-answer-line]");
    if (!button) { return; }
    var area = document.querySelector("textarea[name='" + button.dataset.copyTarget + "']");
    if (!area) { return; }
    var text = button.dataset.text || "";
    area.value = area.value.trim() ? area.value.replace(/\s+$/, "") + "\n" + text : text;
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
    button.textContent = "已引用";
  });
})();
