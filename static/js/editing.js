// Editing the map inline: the three things htmx attributes cannot say (its eval-based filters are off).
(function () {
  "use strict";

  // A form sent back with a message (400, 403, 409) says where it goes (HX-Retarget): show it
  // there. htmx leaves 4xx answers unswapped otherwise.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Cancel closes a form opened under a row (on a form's own page it stays a link back).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-edit-cancel]");
    var slot = link && link.closest(".edit-slot");
    if (!slot || slot.classList.contains("edit-page")) return;
    event.preventDefault();
    var controls = slot.previousElementSibling;
    slot.replaceChildren();
    var opener = controls && controls.querySelector("a, button");
    if (opener) opener.focus();
  });

  // After a change the trees come back whole: take the keyboard focus to the row that changed
  // (the server names it in the `at` parameter of the page it answered with).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "trees" || !event.detail.xhr) return;
    var at = new URL(event.detail.xhr.responseURL || location.href, location.href).searchParams.get("at");
    var row = at && document.getElementById(at);
    if (!row) return;
    var card = row.classList.contains("thesis-card") ? row : row.querySelector(".node-card") || row;
    card.setAttribute("tabindex", "-1");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "center" });
  });
})();
