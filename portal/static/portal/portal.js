// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // A new CAPTCHA image without reloading the form.
  document.querySelectorAll("[data-captcha-refresh]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var img = document.querySelector("[data-captcha]");
      if (!img) { return; }
      event.preventDefault();
      img.src = img.src.split("?")[0] + "?t=" + Date.now();
      var input = document.getElementById("id_captcha");
      if (input) { input.value = ""; input.focus(); }
    });
  });
  // Fields about the accused are needed only for an accusation.
  var accused = document.querySelector("[data-accused]");
  var radios = document.querySelectorAll("input[name=kind]");
  function sync() {
    if (!accused) { return; }
    var checked = document.querySelector("input[name=kind]:checked");
    accused.hidden = !(checked && checked.value === "accusation");
  }
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
  // Move focus to the error summary so screen readers announce it.
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();
