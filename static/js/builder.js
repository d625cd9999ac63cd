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
