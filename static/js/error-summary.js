// A form sent back with problems lists them at its top (#error-summary, the GOV.UK error
// summary): on load the page moves there and focuses it, so a screen reader reads it out;
// each link in it goes to the field to put right, opening any closed section around it
// and focusing it with its label in view. Without JavaScript the links still jump there.
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (!summary) return;

  function openAround(element) {
    var details = element.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
  }

  // A hidden input (the drawn signature) cannot take focus: its pad's button can.
  function focusable(field) {
    if (field.type !== "hidden") return field;
    var pad = field.closest("[data-signature-pad]");
    var button = pad ? pad.querySelector("button") : null;
    return button && !pad.hidden ? button : null;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    openAround(field);
    var wrapper = field.closest("[id^='div_']") || field.closest("[data-signature-pad]") || field;
    wrapper.scrollIntoView({ block: "center" });
    var target = focusable(field);
    if (target) target.focus({ preventScroll: true });
  });

  summary.scrollIntoView({ block: "start" });
  summary.focus({ preventScroll: true });
})();
