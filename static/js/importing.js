// Review of an import: where focus goes after a correction that removes the
// control that was used (drafting.js keeps it on controls that survive).
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    var xhr = event.detail.xhr;
    if (!xhr || !active || !active.dataset || !active.dataset.focus) return;
    var wanted = active.dataset.focus;
    if (wanted.indexOf("save-") === 0) {
      // A saved block: back to its "Edit or split".
      xhr.importFocus = "open-" + wanted.slice(5);
    } else if (wanted.indexOf("delete-") === 0) {
      // A block left out: on to the next one (or the one before).
      var item = active.closest("li");
      var other = item && (item.nextElementSibling || item.previousElementSibling);
      if (other && other.id) xhr.importFocus = "kind-" + other.id.replace("block-", "");
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || !xhr.importFocus) return;
    var control = document.querySelector('[data-focus="' + CSS.escape(xhr.importFocus) + '"]');
    xhr.importFocus = null;
    if (control) control.focus();
  });
})();
