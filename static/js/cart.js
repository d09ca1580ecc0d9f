// The cart's forms, enhanced: adding from the product page, changing a
// quantity, removing a line, applying or removing a code and emptying the
// cart are sent with fetch. The server answers {ok, message, count, html?}:
// the header's count follows, the cart's body is replaced by the fragment the
// server rendered (the same template as the page), and the message is read
// out from an aria-live region. A quantity sends itself when changed.
// Without this script every form is a plain POST followed by a redirect.
(function () {
  "use strict";

  var FORMS = "form[data-cart-form], form.add-to-cart";
  var AUTOSUBMIT_DELAY_MS = 600;
  var autosubmitTimer = null;

  function updateCount(count) {
    if (typeof count !== "number") return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-cart-count]"), function (badge) {
      badge.textContent = String(count);
    });
    var link = document.querySelector("[data-cart-link]");
    var label = document.querySelector("[data-cart-count-label]");
    if (link && label) {
      label.textContent = count === 1 ? link.dataset.labelOne : link.dataset.labelMany.replace("%(count)s", count);
    }
  }

  function announce(message, ok, cartUrl) {
    var region = document.querySelector("[data-cart-live]");
    if (!region || !message) return;
    var note = document.createElement("p");
    note.className = "message " + (ok ? "message-success" : "message-error");
    note.textContent = message;
    if (cartUrl) {
      var link = document.createElement("a");
      link.href = cartUrl;
      link.textContent = region.dataset.viewCart || "View your cart";
      note.appendChild(document.createTextNode(" "));
      note.appendChild(link);
    }
    region.textContent = "";
    region.appendChild(note);
  }

  // What had the focus in the form that was sent, to give it back after the
  // body is replaced; a removed line's focus goes to the cart's body.
  function focusTarget(form) {
    var active = document.activeElement;
    return {
      action: form.getAttribute("action"),
      field: active && form.contains(active) && active.name ? active.name : "",
    };
  }

  function restoreFocus(body, target) {
    var form = null;
    Array.prototype.some.call(body.querySelectorAll("form"), function (candidate) {
      if (candidate.getAttribute("action") === target.action) form = candidate;
      return form !== null;
    });
    var element = form && (target.field ? form.elements.namedItem(target.field) : form.querySelector("button"));
    (element && element.focus ? element : body).focus();
  }

  function showPromoError(form, message) {
    var error = form.querySelector("[data-cart-promo-error]");
    var input = form.querySelector("input[name=code]");
    if (error) {
      error.textContent = message;
      error.hidden = false;
    }
    if (input) input.setAttribute("aria-invalid", "true");
  }

  function setBusy(form, busy) {
    var body = document.querySelector("[data-cart-body]");
    if (body) {
      if (busy) body.setAttribute("aria-busy", "true");
      else body.removeAttribute("aria-busy");
    }
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      if (busy) {
        button.dataset.cartWasDisabled = button.disabled ? "1" : "";
        button.disabled = true;
      } else if (!button.dataset.cartWasDisabled) {
        button.disabled = false;
      }
    });
    if (busy) form.dataset.cartBusy = "1";
    else delete form.dataset.cartBusy;
  }

  function send(form) {
    if (form.dataset.cartBusy) return;
    var target = focusTarget(form);
    var data = new FormData(form);
    setBusy(form, true);
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) throw new Error("not a cart answer");
        return response.json();
      })
      .then(function (answer) {
        setBusy(form, false);
        updateCount(answer.count);
        var body = document.querySelector("[data-cart-body]");
        if (answer.ok && typeof answer.html === "string" && body) {
          body.innerHTML = answer.html;
          restoreFocus(body, target);
        }
        if (!answer.ok) {
          if (form.hasAttribute("data-cart-promo")) showPromoError(form, answer.message);
          var quantity = form.querySelector("input[name=quantity]");
          if (quantity) quantity.setAttribute("aria-invalid", "true");
        }
        announce(answer.message, answer.ok, answer.cart_url);
      })
      .catch(function () {
        // Not an answer of the cart (a page that expired, another cart's
        // line): the plain form shows what the server says.
        HTMLFormElement.prototype.submit.call(form);
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches(FORMS) || !window.fetch) return;
    event.preventDefault();
    window.clearTimeout(autosubmitTimer);
    send(form);
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("[data-cart-autosubmit]")) return;
    window.clearTimeout(autosubmitTimer);
    autosubmitTimer = window.setTimeout(function () {
      var form = input.form;
      if (!form || !document.contains(form) || input.value === input.defaultValue) return;
      if (!input.checkValidity()) {
        input.reportValidity();
        return;
      }
      if (form.requestSubmit) form.requestSubmit();
      else send(form);
    }, AUTOSUBMIT_DELAY_MS);
  });
})();
