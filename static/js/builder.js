// The sharing matrix: "how, when and by whom" only matter when something is shared,
// so they are hidden while a cell says "Never" or is undecided. Without JavaScript
// every select stays visible and the form works the same.
(function () {
  "use strict";

  function update(cell) {
    var level = cell.querySelector("select[name$='__level']");
    if (!level) return;
    var shared = level.value !== "" && level.value !== "never";
    cell.querySelectorAll(".cell-detail").forEach(function (detail) {
      detail.hidden = !shared;
    });
  }

  document.querySelectorAll(".sharing-cell").forEach(function (cell) {
    update(cell);
    cell.addEventListener("change", function () { update(cell); });
  });
})();

// The parties step offers only the chosen organisation's contacts. Choosing another
// organisation sets them aside until the step is saved and shows that organisation's
// contacts. Without JavaScript, a contact of the old organisation is refused on saving.
(function () {
  "use strict";

  var organisation = document.querySelector("select[name='organisation']");
  if (!organisation) return;
  var saved = organisation.value;
  var hint = document.querySelector("[data-contacts-hint]");
  var contacts = document.querySelectorAll(
    "select[name='sponsor_signatory'], input[name='stakeholders']"
  );

  organisation.addEventListener("change", function () {
    var changed = organisation.value !== saved;
    contacts.forEach(function (field) { field.disabled = changed; });
    if (hint) hint.hidden = !changed;
  });
})();
