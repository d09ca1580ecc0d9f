"""The shopper's return request page: ``/orders/<number>/returns/new/``.
Another customer's order is a 404, as on every order page."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from orders.lifecycle.returns import (
    ReturnError,
    return_request,
    return_window_ends,
    return_window_open,
    returnable_quantities,
)
from orders.models import Order
from orders.sessions import order_or_404, request_customer


class ReturnForm(forms.Form):
    """A quantity per returnable line (0 to what is left) and a reason."""

    reason = forms.CharField(
        label=gettext_lazy("Why are you returning these items?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: object, order: Order, left: dict[int, int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        fields = {}
        lines = list(order.lines.all())
        titles = [line.product_title for line in lines]
        for line in lines:
            if left.get(line.pk, 0) > 0:
                # Two lines of one title (variants without options) are told apart by SKU.
                same = titles.count(line.product_title) > 1
                fields[f"line_{line.pk}"] = forms.IntegerField(
                    label=f"{line.product_title} ({line.sku})" if same else line.product_title,
                    min_value=0,
                    max_value=left[line.pk],
                    initial=0,
                    help_text=_("Up to %(left)d") % {"left": left[line.pk]},
                )
        self.fields = {**fields, "reason": self.fields["reason"]}

    def lines(self) -> dict[int, int]:
        return {
            int(name.removeprefix("line_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("line_") and value
        }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def return_new_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_or_404(request, number)
    left = returnable_quantities(order=order)
    form = ReturnForm(request.POST or None, order=order, left=left)
    if request.method == "POST" and form.is_valid():
        user = request_customer(request)
        try:
            ret = return_request(
                order=order, user=user, lines=form.lines(), reason=form.cleaned_data["reason"]
            )
        except ReturnError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Return %(number)s requested. We will reply by email.") % {"number": ret.number}
            )
            return redirect(order)
    context = {
        "order": order,
        "form": form,
        "window_ends": return_window_ends(order=order),
        "return_days": settings.RETURN_WINDOW_DAYS,
        "can_return": return_window_open(order=order) and any(left.values()),
    }
    # Reached after a POST only when the form or the service refused it.
    status = 400 if request.method == "POST" else 200
    return render(request, "orders/return_new.html", context, status=status)
