// A PDF being prepared: ask how far it has got every second and a half, and show the
// part of the page for its state (pending, ready with its download link, or failed).
// Without JavaScript, the page offers a link to check again (and the waiting page
// reloads itself).
(function () {
  "use strict";

  var EVERY_MS = 1500;
  var GIVE_UP_AFTER = 400; // checks: ten minutes

  function show(box, state) {
    box.querySelectorAll("[data-pdf-state]").forEach(function (part) {
      part.hidden = part.getAttribute("data-pdf-state") !== state.status;
    });
    var current = box.querySelector("[data-pdf-state='" + state.status + "']");
    if (!current) return;
    var message = current.querySelector("[data-pdf-message]");
    if (message && state.message) message.textContent = state.message;
    var link = current.querySelector("[data-pdf-download]");
    if (link && state.download) link.setAttribute("href", state.download);
  }

  function follow(box) {
    var url = box.getAttribute("data-status-url");
    var checks = 0;
    if (!url) return;

    function check() {
      checks += 1;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (state) {
          show(box, state);
          if (state.status === "pending" && checks < GIVE_UP_AFTER) {
            window.setTimeout(check, EVERY_MS);
          }
        })
        .catch(function () {
          // A network hiccup: try again, more slowly; the refresh link still works.
          if (checks < GIVE_UP_AFTER) window.setTimeout(check, EVERY_MS * 4);
        });
    }

    window.setTimeout(check, EVERY_MS);
  }

  document.querySelectorAll("[data-pdf-progress]").forEach(follow);
})();
