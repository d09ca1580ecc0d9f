"""Shopper-facing forms of the catalog."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.search import MAX_QUERY_LENGTH
from catalog.selectors.filters import ListingFilters
from catalog.selectors.paging import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, Sort

_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,140}$")
# More values than this for one filter are not a person clicking.
MAX_VALUES = 20


class ListingFilterForm(forms.Form):
    """The query string of /products/ and /categories/<slug>/, parsed. Never
    refuses a request: a value it cannot use is left out, and ``notes`` says
    so on the page. ``category``, ``brand``, ``tag`` (slugs) and ``option``
    ("Size:M") may repeat; they are read in ``clean``."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    min_price = forms.DecimalField(
        label=gettext_lazy("Minimum price"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    max_price = forms.DecimalField(
        label=gettext_lazy("Maximum price"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    in_stock = forms.BooleanField(label=gettext_lazy("In stock only"), required=False)
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Customer rating"),
        choices=[(str(n), n) for n in (4, 3, 2, 1)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), choices=Sort.choices, required=False)
    per_page = forms.TypedChoiceField(
        label=gettext_lazy("Per page"),
        choices=[(str(n), n) for n in PER_PAGE_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    page = forms.IntegerField(label=gettext_lazy("Page"), required=False, min_value=1, max_value=10**9)

    def __init__(self, data: QueryDict | dict[str, Any] | None = None) -> None:
        super().__init__(data if data is not None else QueryDict())
        self.notes: list[str] = []
        self.is_valid()
        self.filters = self._filters()

    def _values(self, name: str) -> list[str]:
        getlist = getattr(self.data, "getlist", None)
        values = getlist(name) if getlist else [self.data.get(name, "")]
        values = [value.strip() for value in values if isinstance(value, str) and value.strip()]
        return list(dict.fromkeys(values))  # in order, without repeats

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, label in (("category", _("Category")), ("brand", _("Brand")), ("tag", _("Tag"))):
            values = self._values(name)
            good = [value for value in values if _SLUG_RE.match(value)][:MAX_VALUES]
            for value in values:
                if value not in good:
                    self._note(label, value)
            cleaned[name] = tuple(good)
        options: list[tuple[str, str]] = []
        for value in self._values("option"):
            option, sep, choice = value.partition(":")
            if sep and option.strip() and choice.strip() and len(value) <= 90 and len(options) < MAX_VALUES:
                options.append((option.strip(), choice.strip()))
            else:
                self._note(_("Option"), value)
        cleaned["option"] = tuple(options)
        return cleaned

    def _note(self, label: str, value: str) -> None:
        self.notes.append(
            _("%(label)s “%(value)s” was not understood, so it was ignored.")
            % {"label": label, "value": Truncator(value).chars(40)}
        )

    def _filters(self) -> ListingFilters:
        """The usable filters; the rest became ``notes``."""
        data = self.cleaned_data
        for name, errors in self.errors.items():
            if name in self.fields:
                value = self.data.get(name, "")
                self.notes.append(
                    _("%(label)s “%(value)s” was ignored: %(error)s")
                    % {
                        "label": self.fields[name].label,
                        "value": Truncator(str(value)).chars(40),
                        "error": " ".join(str(error) for error in errors),
                    }
                )
        query = " ".join((data.get("q") or "").split())
        if len(query) > MAX_QUERY_LENGTH:
            self.notes.append(
                _("Your search was shortened to its first %(count)s characters.")
                % {"count": MAX_QUERY_LENGTH}
            )
        low: Decimal | None = data.get("min_price")
        high: Decimal | None = data.get("max_price")
        if low is not None and high is not None and low > high:
            low, high = high, low
            self.notes.append(_("The minimum price was above the maximum, so they were swapped."))
        return ListingFilters(
            q=query,
            categories=data.get("category", ()),
            brands=data.get("brand", ()),
            tags=data.get("tag", ()),
            options=data.get("option", ()),
            min_price=low,
            max_price=high,
            in_stock=bool(data.get("in_stock")),
            rating=data.get("rating"),
            sort=data.get("sort") or "",
        )

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1

    def page_size(self) -> int:
        return self.cleaned_data.get("per_page") or DEFAULT_PER_PAGE

    def chips(self, *, labels: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
        """The applied filters as (label, query string without it), for
        "remove this filter" links; ``labels`` names slugs (from the listing)."""
        applied: list[tuple[str, str, str]] = []
        filters = self.filters
        for name, values in (
            ("category", filters.categories),
            ("brand", filters.brands),
            ("tag", filters.tags),
        ):
            applied.extend((name, value, labels.get((name, value), value)) for value in values)
        applied.extend(("option", f"{o}:{v}", f"{o}: {v}") for o, v in filters.options)
        if filters.min_price is not None:
            applied.append(("min_price", str(self.data.get("min_price")), _("From %s") % filters.min_price))
        if filters.max_price is not None:
            applied.append(("max_price", str(self.data.get("max_price")), _("Up to %s") % filters.max_price))
        if filters.in_stock:
            applied.append(("in_stock", str(self.data.get("in_stock")), _("In stock")))
        if filters.rating:
            applied.append(("rating", str(filters.rating), _("Rated %s and up") % filters.rating))
        chips = []
        for name, value, label in applied:
            query = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
            query.setlist(name, [v for v in query.getlist(name) if v.strip() != value])
            query.pop("page", None)
            chips.append((label, query.urlencode()))
        return chips
