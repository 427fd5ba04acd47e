// Drafting editor: small additions to htmx. The page works without this file.
(function () {
  "use strict";

  // After one of the user's own inline edits succeeds, the letter's version
  // moves on; copy it into every form on the page so the user's other open
  // forms are not refused as stale. Refused requests carry no header.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!event.detail.successful || !xhr) return;
    var version = xhr.getResponseHeader("X-Letter-Version");
    if (!version) return;
    document.querySelectorAll('input[type="hidden"][name$="version"]').forEach(function (input) {
      input.value = version;
    });
  });

  // Where focus goes after a swap is decided once for every page, in focus.js.

  // A session that expired sends htmx to the login page: show it as a page,
  // not squeezed into a block of the editor.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname.indexOf("/login/") === 0) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    }
  });

  // htmx does not swap error responses: say what happened instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = "Something went wrong; reload the page and try again.";
    if (status === 403) text = "You are not allowed to do that: the letter may have been finalised, or your role does not allow editing.";
    if (status === 404) text = "That item no longer exists: someone may have deleted it. Reload the page.";
    var box = document.getElementById("drafting-alert");
    if (box) {
      box.textContent = text;
      box.classList.add("alert", "alert-danger");
    }
  });
})();
