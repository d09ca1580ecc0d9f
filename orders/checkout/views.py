"""The checkout's pages: contact, address, shipping method, review and
payment, then the complete page (the order page and the rest of an order's
life for the customer are in ``orders.account_views``).

Each step's page first checks the steps before it (``checkout_missing_step``)
and sends the shopper to the first one still missing; the answers are stored
on the cart's ``Checkout``, so a reload or a new tab resumes. A view parses
the request, calls the checkout's services (``orders.checkout.services``,
``orders.lifecycle.payment``) and responds: placing the order, starting and
taking its payment and where the shopper goes next are theirs, not the
view's. Only the gateway's word makes an order paid. Guests find their
orders again through the numbers kept in their session (``orders.sessions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.addressing import AddressValidationError, address_fields
from accounts.selectors import address_data, address_list_for_user
from accounts.services import address_create
from analytics.events import Name, track
from cart.session import cart_count_remember, cart_for_request
from orders.checkout.services import (
    Next,
    checkout_next,
    checkout_payment_answer,
    checkout_payment_check,
    checkout_payment_declined,
    checkout_payment_open,
    checkout_place,
)
from orders.checkout.steps import (
    CheckoutError,
    checkout_addresses_set,
    checkout_contact_set,
    checkout_get,
    checkout_missing_step,
    checkout_shipping_set,
    checkout_state,
)
from orders.forms import (
    NEW_ADDRESS,
    AddressChoiceForm,
    CheckoutAddressForm,
    CheckoutCardForm,
    ContactForm,
    ShippingMethodForm,
)
from orders.lifecycle.payment import (
    order_payment_authenticate,
    order_payment_card_submit,
    order_payment_confirm,
)
from orders.models import Checkout, Order
from orders.pages import address_lines, checkout_summary, order_tax_rows
from orders.sessions import order_or_404, order_remember_in_session, request_customer
from orders.status import UNPAID
from payments.errors import PaymentError
from payments.forms import CARD_POST_FIELDS, TestAuthenticateForm
from payments.selectors import payment_get_for_order, payment_page_context, payment_takes_card_here

if TYPE_CHECKING:  # the types of what the services hand the views
    from accounts.models import Address, User
    from cart.models import Cart
    from payments.models import Payment

STEPS = ("contact", "address", "shipping", "payment")
STEP_URLS = {
    "cart": "cart:detail",
    "contact": "orders:checkout_contact",
    "address": "orders:checkout_address",
    "shipping": "orders:checkout_shipping",
    "payment": "orders:checkout_payment",
}


@dataclass(frozen=True)
class CheckoutVisit:
    cart: Cart
    checkout: Checkout
    user: User | None
    missing: str | None


def _visit(request: HttpRequest, step: str) -> CheckoutVisit | HttpResponse:
    """The shopper's checkout, or where they must go first: the cart when it
    is empty, the first missing step before ``step``."""
    cart = cart_for_request(request)
    if cart is None:
        return _cart_empty(request)
    user = request_customer(request)
    checkout = checkout_get(cart=cart)
    missing = checkout_missing_step(checkout=checkout, user=user)
    if missing == "cart":
        return _cart_empty(request)
    if missing is not None and STEPS.index(missing) < STEPS.index(step):
        return redirect(STEP_URLS[missing])
    return CheckoutVisit(cart=cart, checkout=checkout, user=user, missing=missing)


def _cart_empty(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your cart is empty: add something to check out."))
    return redirect("cart:detail")


def _placing_refused(request: HttpRequest, visit: CheckoutVisit, error: CheckoutError) -> HttpResponse:
    """The order could not be placed: a step still to do, or what changed
    (an item sold out, a code that lapsed, a method gone), said where the
    shopper can fix it."""
    missing = checkout_missing_step(checkout=visit.checkout, user=visit.user)
    if missing == "cart":
        return _cart_empty(request)
    if missing is not None:
        return redirect(STEP_URLS[missing])
    messages.error(request, error.message)
    return redirect(STEP_URLS.get(error.step, "cart:detail"))


def _page(
    request: HttpRequest, template: str, visit: CheckoutVisit, step: str, **context: object
) -> HttpResponse:
    """A step's page with the steps' navigation and the order summary."""
    if request.method == "GET":
        track(request, Name.CHECKOUT_STEP, step=step)
    if "summary" not in context:
        context["summary"] = checkout_summary(checkout_state(checkout=visit.checkout, user=visit.user))
    done = STEPS.index(visit.missing) if visit.missing else len(STEPS) - 1
    steps = [
        {
            "name": name,
            "label": label,
            "url": reverse(STEP_URLS[name]) if index <= done and name != step else "",
            "current": name == step,
            "done": index < done and name != step,
        }
        for index, (name, label) in enumerate(
            zip(STEPS, (_("Contact"), _("Address"), _("Shipping"), _("Payment")), strict=True)
        )
        if not (name == "contact" and visit.user is not None)
    ]
    return render(
        request,
        template,
        {
            "checkout": visit.checkout,
            "steps": steps,
            "step": step,
            "customer": visit.user,
            "shipping_lines": address_lines(visit.checkout.shipping_address),
            **context,
        },
    )


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # after a POST, the next request is a GET
    return response


def _next_step(visit: CheckoutVisit) -> HttpResponseRedirect:
    """After a step is saved: the first step still missing, else payment."""
    missing = checkout_missing_step(checkout=visit.checkout, user=visit.user)
    return _see_other(reverse(STEP_URLS[missing or "payment"]))


# --- Contact ------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_view(request: HttpRequest) -> HttpResponse:
    """The way in: the first step still to do; for a guest who has not
    given an email yet, the contact step itself."""
    visit = _visit(request, "contact")
    if isinstance(visit, HttpResponse):
        return visit
    if visit.user is not None or (request.method == "GET" and visit.missing != "contact"):
        return redirect(STEP_URLS[visit.missing or "payment"])
    return _contact(request, visit)


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_contact_view(request: HttpRequest) -> HttpResponse:
    visit = _visit(request, "contact")
    if isinstance(visit, HttpResponse):
        return visit
    if visit.user is not None:  # signed in: the account's email is the contact
        return redirect(STEP_URLS[visit.missing or "address"])
    return _contact(request, visit)


def _contact(request: HttpRequest, visit: CheckoutVisit) -> HttpResponse:
    form = ContactForm(request.POST or None, initial={"email": visit.checkout.email})
    if request.method == "POST" and form.is_valid():
        checkout_contact_set(checkout=visit.checkout, email=form.cleaned_data["email"])
        return _next_step(visit)
    login_url = f"{reverse('account_login')}?{urlencode({'next': reverse('orders:checkout')})}"
    return _page(request, "orders/checkout_contact.html", visit, "contact", form=form, login_url=login_url)


# --- Address ------------------------------------------------------------------------


def _book_choice(book: list[Address], checkout: Checkout) -> str:
    """Which address to preselect: the one the checkout has, else the
    default shipping address (the book lists it first)."""
    chosen = checkout.shipping_address
    if chosen:
        for address in book:
            if all(chosen.get(name, "") == value for name, value in address_fields(address).items()):
                return str(address.pk)
        return NEW_ADDRESS
    return str(book[0].pk) if book else NEW_ADDRESS


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_address_view(request: HttpRequest) -> HttpResponse:
    visit = _visit(request, "address")
    if isinstance(visit, HttpResponse):
        return visit
    checkout, user = visit.checkout, visit.user
    book = list(address_list_for_user(user=user)) if user is not None else []
    post = request.POST if request.method == "POST" else None
    choice = AddressChoiceForm(
        post,
        book=book,
        initial={"ship_to": _book_choice(book, checkout), "billing_same": checkout.billing_same_as_shipping},
    )
    choice_valid = post is not None and choice.is_valid()
    ship_to = (choice.cleaned_data.get("ship_to") or NEW_ADDRESS) if choice_valid else None
    separate_billing = choice_valid and not choice.cleaned_data["billing_same"]
    start = checkout.shipping_address or {
        "country_code": settings.TAX_DEFAULT_COUNTRY,
        "full_name": user.get_full_name() if user is not None else "",
    }
    shipping_form = CheckoutAddressForm(
        post if ship_to == NEW_ADDRESS else None,
        offer_save=user is not None,
        initial=CheckoutAddressForm.initial_from(start),
    )
    billing_form = CheckoutAddressForm(
        post if separate_billing else None,
        prefix="billing",
        initial=CheckoutAddressForm.initial_from(checkout.billing_address or start),
    )
    if choice_valid and _addresses_save(
        checkout, choice, shipping_form, billing_form, book=book, ship_to=ship_to, user=user
    ):
        return _next_step(visit)
    return _page(
        request,
        "orders/checkout_address.html",
        visit,
        "address",
        choice=choice,
        book_choices=list(zip(choice["ship_to"], [*book, None], strict=True)) if book else [],
        shipping_form=shipping_form,
        billing_form=billing_form,
        new_address=NEW_ADDRESS,
    )


def _addresses_save(
    checkout: Checkout,
    choice: AddressChoiceForm,
    shipping_form: CheckoutAddressForm,
    billing_form: CheckoutAddressForm,
    *,
    book: list[Address],
    ship_to: str | None,
    user: User | None,
) -> bool:
    """Store the addresses through the service, putting its errors back on
    the forms; True when stored."""
    new = ship_to == NEW_ADDRESS
    shipping_valid = shipping_form.is_valid() if new else True
    billing_valid = billing_form.is_valid() if billing_form.is_bound else True
    if not (shipping_valid and billing_valid):
        return False
    if new:
        shipping = shipping_form.address()
    else:
        shipping = address_data(next(address for address in book if str(address.pk) == ship_to))
    try:
        checkout_addresses_set(
            checkout=checkout,
            shipping=shipping,
            billing=billing_form.address() if billing_form.is_bound else None,
        )
    except AddressValidationError as exc:
        errors = exc.errors
        own = {name: text for name, text in errors.items() if not name.startswith("billing_")}
        billing = {name.removeprefix("billing_"): text for name, text in errors.items() if name not in own}
        (shipping_form if new else choice).errors_from(own)
        billing_form.errors_from(billing)
        return False
    except CheckoutError as exc:
        (shipping_form if new else choice).add_error(None, exc.message)
        return False
    if new and user is not None and shipping_form.cleaned_data.get("save_to_book"):
        address_create(user=user, data=shipping)
    return True


# --- Shipping method -----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_shipping_view(request: HttpRequest) -> HttpResponse:
    visit = _visit(request, "shipping")
    if isinstance(visit, HttpResponse):
        return visit
    state = checkout_state(checkout=visit.checkout, user=visit.user, quote=True)
    if state.quote is None:  # the address stopped being one we ship to
        messages.error(request, _("We cannot ship to this address any more. Please choose another."))
        return redirect(STEP_URLS["address"])
    options = state.quote.options
    chosen = visit.checkout.shipping_option_id
    form = ShippingMethodForm(
        request.POST or None,
        options=options,
        initial={"option": chosen if any(o.id == chosen for o in options) else options[0].id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            checkout_shipping_set(checkout=visit.checkout, option_id=form.cleaned_data["option"])
        except CheckoutError as exc:
            form.add_error("option", exc.message)
        else:
            # "Continue to payment" places the order and starts its payment
            # (writes, so on this POST); the payment page finds both again.
            try:
                order = checkout_place(checkout=visit.checkout, user=visit.user)
            except CheckoutError as exc:
                return _placing_refused(request, visit, exc)
            order_remember_in_session(request, order)
            return _see_other(reverse(STEP_URLS["payment"]))
    return _page(
        request,
        "orders/checkout_shipping.html",
        visit,
        "shipping",
        form=form,
        option_radios=list(zip(options, form["option"], strict=True)),
        notice=state.quote.notice,
        summary=checkout_summary(state),
    )


# --- Review and payment --------------------------------------------------------------


def _return_url(request: HttpRequest, order: Order) -> str:
    path = f"{reverse('orders:checkout_payment_return')}?{urlencode({'order': order.number})}"
    return request.build_absolute_uri(path)


def _after_payment(request: HttpRequest, cart: Cart | None, order: Order, payment: Payment) -> HttpResponse:
    """Where the shopper goes once the gateway answered."""
    next_step = checkout_next(payment=payment)
    if next_step == Next.COMPLETE:
        # Paying emptied the cart (order_mark_paid): the header says so.
        cart_count_remember(request, cart)
        return _see_other(reverse("orders:checkout_complete", kwargs={"number": order.number}))
    if next_step == Next.AUTHENTICATE:
        return _see_other(reverse("orders:checkout_payment_authenticate"))
    return _see_other(reverse("orders:checkout_payment"))


@never_cache
@sensitive_post_parameters(*CARD_POST_FIELDS)
@require_http_methods(["GET", "POST"])
def checkout_payment_view(request: HttpRequest) -> HttpResponse:
    """Review and pay. The order is placed (or found again, unchanged) on
    every visit, so what is paid is what the page shows; ``order_place``
    checks the steps before (asked again only when it refuses)."""
    cart = cart_for_request(request)
    if cart is None:
        return _cart_empty(request)
    user = request_customer(request)
    visit = CheckoutVisit(cart=cart, checkout=checkout_get(cart=cart), user=user, missing=None)
    try:
        step = checkout_payment_open(checkout=visit.checkout, user=user)
    except CheckoutError as exc:
        return _placing_refused(request, visit, exc)
    order, payment = step.order, step.payment
    order_remember_in_session(request, order)
    if step.done:
        cart_count_remember(request, visit.cart)
        return _see_other(reverse("orders:checkout_complete", kwargs={"number": order.number}))
    posted = request.method == "POST"
    if posted and request.POST.get("order") != order.number:
        messages.warning(
            request, _("Your cart or checkout changed meanwhile. Please check the total and pay again.")
        )
        return _see_other(reverse("orders:checkout_payment"))
    if payment is None:
        return _payment_page(request, visit, order, None, error=step.error, status=503)
    card_form = None
    if step.takes_card_here:
        card_form = CheckoutCardForm(request.POST if posted else None, initial={"order": order.number})
    if posted and card_form is not None and card_form.is_valid():
        try:
            payment = order_payment_card_submit(payment=payment, card=card_form.card_take())
        except PaymentError as exc:
            messages.error(request, str(exc))
            return _see_other(reverse("orders:checkout_payment"))
        return _after_payment(request, visit.cart, order, payment)
    return _payment_page(request, visit, order, payment, card_form=card_form)


def _payment_page(
    request: HttpRequest,
    visit: CheckoutVisit,
    order: Order,
    payment: Payment | None,
    *,
    card_form: CheckoutCardForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, object] = {"order": order, "payment_error": error, "card_form": card_form}
    if payment is not None:
        context.update(payment_page_context(payment=payment, return_url=_return_url(request, order)))
    response = _page(
        request,
        "orders/checkout_payment.html",
        visit,
        "payment",
        summary=None,
        lines=list(order.lines.all()),
        tax_rows=order_tax_rows(order),
        **context,
    )
    response.status_code = status
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_payment_authenticate_view(request: HttpRequest) -> HttpResponse:
    """The test gateway's stand-in for a bank's 3-D Secure page (the test
    card ...3155 asks for it)."""
    visit = _visit(request, "payment")
    if isinstance(visit, HttpResponse):
        return visit
    order = visit.checkout.order
    payment = payment_get_for_order(order_reference=order.number) if order is not None else None
    if order is None or payment is None or checkout_next(payment=payment) != Next.AUTHENTICATE:
        return redirect(STEP_URLS["payment"])
    form = TestAuthenticateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment = order_payment_authenticate(payment=payment, approve=form.cleaned_data["approve"])
        except PaymentError as exc:
            messages.error(request, str(exc))
        return _after_payment(request, visit.cart, order, payment)
    return _page(
        request,
        "orders/checkout_authenticate.html",
        visit,
        "payment",
        summary=None,
        order=order,
        payment=payment,
    )


@require_POST
def checkout_payment_confirm_view(request: HttpRequest) -> HttpResponse:
    """Stripe.js without the Payment Element (the card Element, as a local
    fake Stripe offers) makes a PaymentMethod in the browser and sends its
    id here; the server confirms the PaymentIntent with it. The answer tells
    the script whether the bank wants 3-D Secure before the return URL."""
    visit = _visit(request, "payment")
    order = visit.checkout.order if isinstance(visit, CheckoutVisit) else None
    method = request.POST.get("payment_method", "")
    if order is None or order.number != request.POST.get("order") or order.status not in UNPAID:
        return JsonResponse(
            {"error": _("Your checkout changed meanwhile. Please reload the page.")}, status=409
        )
    if not method.startswith(("pm_", "card_")):
        return HttpResponseBadRequest(_("A payment method id is needed."))
    payment = payment_get_for_order(order_reference=order.number)
    if payment is None or payment_takes_card_here(payment=payment):
        return JsonResponse({"error": _("This payment cannot be confirmed here.")}, status=409)
    try:
        payment = order_payment_confirm(payment=payment, payment_method=method)
    except PaymentError as exc:
        return JsonResponse({"error": str(exc)}, status=402)
    return JsonResponse(
        {
            **checkout_payment_answer(payment=payment),
            "return_url": _return_url(request, order),
        }
    )


@never_cache
@require_safe
def checkout_payment_return_view(request: HttpRequest) -> HttpResponse:
    """Stripe sends the shopper back here: whatever the URL says, the server
    asks Stripe how the payment stands."""
    order = order_or_404(request, request.GET.get("order", ""))
    check = checkout_payment_check(order=order)
    payment = check.payment
    if not check.gateway_reached:
        messages.warning(
            request, _("We could not reach the payment provider just now; we will keep checking.")
        )
    if payment is not None and payment.is_paid:
        return _after_payment(request, cart_for_request(request), order, payment)
    if payment is not None and checkout_payment_declined(order=order, payment=payment):
        messages.error(
            request,
            " ".join([payment.failure_message, _("Nothing was charged. Please try another card.")]).strip(),
        )
        return redirect(STEP_URLS["payment"])
    return redirect("orders:checkout_complete", number=order.number)


# --- After the payment ----------------------------------------------------------------


@never_cache
@require_safe
def checkout_complete_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_or_404(request, number)
    # The webhook may be late: ask the gateway (a no-op for the test gateway).
    payment = checkout_payment_check(order=order).payment
    if order.status not in UNPAID:
        cart_count_remember(request, cart_for_request(request))
    # Once per order in the reports (a reload records it again; the rollups count the order once).
    track(request, Name.ORDER_PLACED, reference=order.number, value=order.total)
    return render(
        request,
        "orders/checkout_complete.html",
        {
            "order": order,
            "lines": list(order.lines.all()),
            "tax_rows": order_tax_rows(order),
            "payment": payment,
            "shipping_lines": address_lines(order.shipping_address),
            "paid": order.status not in UNPAID and order.status != Order.Status.CANCELLED,
            "signup_url": f"{reverse('account_signup')}?{urlencode({'email': order.email})}",
        },
    )
