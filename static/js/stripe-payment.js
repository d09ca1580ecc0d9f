// Stripe's Payment Element on the payment step: Stripe.js (loaded before this
// script) mounts the card fields in its own frames, and on "Pay" confirms the
// PaymentIntent with Stripe, running 3-D Secure when the bank asks. Stripe
// then sends the shopper to the return URL, where the server asks Stripe how
// the payment stands; nothing here marks an order paid. The button is
// disabled while a confirmation runs, so a double click pays once.
(function () {
  "use strict";

  var form = document.querySelector("form[data-stripe-payment]");
  if (!form || typeof window.Stripe !== "function") return;

  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount(form.querySelector("[data-payment-element]"));
  var button = form.querySelector("[data-pay-button]");
  var errorBox = form.querySelector("[data-payment-error]");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    showError("");
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        // Only reached on an error: on success Stripe redirects to return_url.
        if (result && result.error) showError(result.error.message || "");
        button.disabled = false;
      });
  });
})();
