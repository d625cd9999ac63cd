// The builder's text areas grow with what is typed in them. Browsers that know the CSS
// `field-sizing: content` (see app.css) do it themselves; for the others, each text area
// is made as tall as its text when the page opens and whenever it changes.
(function () {
  "use strict";

  if (window.CSS && CSS.supports && CSS.supports("field-sizing", "content")) return;

  function fit(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  document.querySelectorAll(".builder-form textarea").forEach(function (area) {
    fit(area);
    area.addEventListener("input", function () { fit(area); });
  });
})();
