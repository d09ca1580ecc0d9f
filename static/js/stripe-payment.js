// Stripe's Payment Element on the payment step: Stripe.js (loaded before this
// script) mounts the card fields in its own frames, and on "Pay" confirms the
// PaymentIntent with Stripe, running 3-D Secure when the bank asks. Stripe
// then sends the shopper to the return URL, where the server asks Stripe how
// the payment stands; nothing here marks an order paid. The button is
// disabled while a confirmation runs, so a double click pays once.
//
// A Stripe.js without the Payment Element (localstripe's stand-in, used by
// the browser tests, offers only the card Element and no confirmPayment)
// takes the server-side route instead, when the page offers one
// ([data-stripe-confirm]): the card Element makes a payment method in the
// browser, the server confirms the PaymentIntent with it, confirmCardPayment
// runs 3-D Secure if the bank asks, and the return URL decides as above.
(function () {
  "use strict";

  var form = document.querySelector("form[data-stripe-payment]");
  if (!form || typeof window.Stripe !== "function") return;

  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var server = document.querySelector("[data-stripe-confirm]");
  var cardOnly = typeof stripe.confirmPayment !== "function" && server !== null;
  var element = elements.create(cardOnly ? "card" : "payment");
  element.mount(form.querySelector("[data-payment-element]"));
  var button = form.querySelector("[data-pay-button]");
  var errorBox = form.querySelector("[data-payment-error]");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function paymentMethodId() {
    return Promise.resolve(stripe.createPaymentMethod({ type: "card", card: element })).then(function (result) {
      if (result && result.error) throw result.error;
      if (result && result.paymentMethod) return result.paymentMethod.id;
      // localstripe's createPaymentMethod is a stub; its createToken gives the card's id.
      return stripe.createToken(element).then(function (token) {
        if (token.error) throw token.error;
        return token.token.card.id;
      });
    });
  }

  function confirmOnServer(methodId) {
    return fetch(server.dataset.stripeConfirm, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": server.dataset.csrfToken, Accept: "application/json" },
      body: new URLSearchParams({ payment_method: methodId, order: server.dataset.order }),
    }).then(function (response) {
      return response.json();
    });
  }

  function payWithCard() {
    return paymentMethodId()
      .then(confirmOnServer)
      .then(function (answer) {
        if (answer.error) throw { message: answer.error };
        var done = answer.requires_action
          ? Promise.resolve(stripe.confirmCardPayment(form.dataset.clientSecret))
          : Promise.resolve();
        return done.then(function () {
          window.location.assign(answer.return_url); // the server asks Stripe there
        });
      })
      .catch(function (error) {
        showError((error && error.message) || "");
        button.disabled = false;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    showError("");
    if (cardOnly) {
      payWithCard();
      return;
    }
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        // Only reached on an error: on success Stripe redirects to return_url.
        if (result && result.error) showError(result.error.message || "");
        button.disabled = false;
      });
  });
})();
