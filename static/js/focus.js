// Keyboard users keep their place when htmx swaps part of a page (WCAG 2.4.3).
// Loaded on every page; without it the pages still work, focus just falls back
// to the top. One place decides where focus goes after a swap, in this order:
//   1. the element the user pressed asks for itself (data-focus="..."): "move up"
//      keeps focus on the moved item's button, or on its other one if now disabled;
//   2. a form fetched by "Edit" or "Add" (from outside a form): its first field;
//   3. if the swap took focus away (it fell to <body>):
//      a. the item the server says it added or changed (X-Focus: its id), unless the
//         item the user acted on is gone (a delete);
//      b. the control that opened the form the user leaves (Cancel, Save);
//      c. the item the user acted on, or its next or previous sibling of the same
//         kind, or the nearest block around it.
// After a whole page loads at a fragment (#sign-on), focus starts at that part.
// The wanted focus rides on the request itself, so that another request in flight
// (a live Markdown preview, a progress poll) can neither take nor clear it.
(function () {
  "use strict";

  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), ' +
    'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

  function visible(el) {
    return el.getClientRects().length > 0 && !el.closest("[hidden]");
  }

  // The element's first visible control, or the element itself made focusable.
  function focusInside(el) {
    if (el.matches(FOCUSABLE) && visible(el)) {
      el.focus();
      return true;
    }
    var controls = el.querySelectorAll(FOCUSABLE);
    for (var i = 0; i < controls.length; i++) {
      if (visible(controls[i])) {
        controls[i].focus();
        return true;
      }
    }
    if (!visible(el)) return false;
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    return true;
  }

  function kind(id) {
    return id.replace(/-\d+$/, "");
  }

  function sibling(el, forward) {
    var prefix = kind(el.id);
    for (var node = forward ? el.nextElementSibling : el.previousElementSibling; node;
      node = forward ? node.nextElementSibling : node.previousElementSibling) {
      if (node.id && node.id !== el.id && kind(node.id) === prefix) return node.id;
    }
    return null;
  }

  // Ids to fall back on, nearest first: each element with an id around the
  // focused one, followed by its neighbours of the same kind.
  function trail(active) {
    var ids = [];
    for (var node = active; node && node !== document.body; node = node.parentElement) {
      if (!node.id) continue;
      ids.push(node.id);
      if (/-\d+$/.test(node.id)) {
        [sibling(node, true), sibling(node, false)].forEach(function (id) {
          if (id) ids.push(id);
        });
      }
    }
    return ids;
  }

  function opener(el) {
    if (el.dataset && el.dataset.focus) return '[data-focus="' + CSS.escape(el.dataset.focus) + '"]';
    var url = el.getAttribute && el.getAttribute("hx-get");
    return url ? '[hx-get="' + CSS.escape(url) + '"]' : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    var xhr = event.detail.xhr;
    if (!xhr || !active || active === document.body) return;
    if (event.detail.elt && !event.detail.elt.contains(active)) return;
    if (active.dataset && active.dataset.focus) xhr.wantedFocus = active.dataset.focus;
    xhr.opener = opener(active);
    xhr.fromForm = Boolean(active.closest(".inline-form"));
    var form = active.closest("[data-return-focus]");
    xhr.returnFocus = form ? form.dataset.returnFocus : null;
    xhr.focusTrail = trail(active);
  });

  function focusWanted(xhr) {
    if (!xhr.wantedFocus) return false;
    var button = document.querySelector('[data-focus="' + CSS.escape(xhr.wantedFocus) + '"]');
    xhr.wantedFocus = null;
    if (!button) return false;
    if (button.disabled) button = button.parentElement.querySelector("button:not([disabled])");
    if (!button) return false;
    button.focus();
    return true;
  }

  function focusFetchedForm(event) {
    var target = event.detail.elt;
    var config = event.detail.requestConfig;
    // Only for a form fetched from outside one: "Cancel" fetches a block that
    // holds other forms, whose fields must not take focus.
    if (!target || !config || config.verb !== "get" || event.detail.xhr.fromForm) return false;
    var form = target.matches(".inline-form") ? target : target.querySelector(".inline-form");
    if (!form) return false;
    if (event.detail.xhr.opener) form.dataset.returnFocus = event.detail.xhr.opener;
    var field = form.querySelector("input:not([type=hidden]), textarea, select");
    if (field) field.focus();
    return Boolean(field);
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function recover(xhr) {
    var ids = xhr.focusTrail || [];
    var changed = xhr.getResponseHeader("X-Focus");
    var actedOnGone = ids.length > 0 && !document.getElementById(ids[0]);
    if (changed && !actedOnGone) {
      var item = document.getElementById(changed);
      if (item && focusInside(item)) return;
    }
    if (xhr.returnFocus) {
      var back = document.querySelector(xhr.returnFocus);
      if (back && focusInside(back)) return;
    }
    for (var i = 0; i < ids.length; i++) {
      var el = document.getElementById(ids[i]);
      if (el && focusInside(el)) return;
    }
  }

  // A form posted without htmx (the sign-on board, say) reloads the page at the part
  // the user acted on (#sign-on): focus starts there, not at the top of the page.
  function focusFragment() {
    var active = document.activeElement;
    if (!location.hash || (active && active !== document.body)) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    if (!target.matches(FOCUSABLE) && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }
  focusFragment();

  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr) return;
    if (focusWanted(xhr) || focusFetchedForm(event)) return;
    if (focusLost()) recover(xhr);
  });
})();
