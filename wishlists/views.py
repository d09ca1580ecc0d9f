"""Shopper pages of wishlists: the heart, the person's lists and one list
(rename, delete, share, items' note, quantity, move, remove, to the cart),
and a list shared by its link. Every form works without JavaScript and comes
back to the page with a message; another person's list is a 404."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from analytics.events import Name, track
from cart.session import cart_count_remember, cart_for_request_or_new
from wishlists.forms import HeartForm, ItemForm, ListNameForm, MoveForm
from wishlists.models import Wishlist, WishlistItem
from wishlists.selectors import (
    SORTS,
    wishlist_get_for_owner,
    wishlist_get_shared,
    wishlist_items,
    wishlists_of,
)
from wishlists.services import (
    ToCart,
    WishlistError,
    favourite_toggle,
    item_move,
    item_remove,
    item_target,
    item_update,
    items_to_cart,
    wishlist_create,
    wishlist_delete,
    wishlist_rename,
    wishlist_share,
    wishlist_unshare,
)
from wishlists.session import favourites_for_request, guest_wishlist_id


def _user(request: HttpRequest) -> AbstractBaseUser | None:
    return cast(AbstractBaseUser, request.user) if request.user.is_authenticated else None


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _own(request: HttpRequest, pk: int) -> Wishlist:
    try:
        return wishlist_get_for_owner(pk=pk, user=_user(request), guest_id=guest_wishlist_id(request))
    except Wishlist.DoesNotExist:
        raise Http404(_("No such list of yours.")) from None


def _own_item(request: HttpRequest, pk: int, item_pk: int) -> WishlistItem:
    wishlist = _own(request, pk)
    item = wishlist.items.select_related("product", "variant", "wishlist").filter(pk=item_pk).first()
    if item is None:
        raise Http404(_("No such item in this list."))
    return item


def _form_error(form: forms.Form) -> str:
    """A form's errors as one message, each naming its field."""
    return " ".join(
        f"{form.fields[name].label}: {' '.join(str(error) for error in errors)}" if name in form.fields else
        " ".join(str(error) for error in errors)
        for name, errors in form.errors.items()
    )  # fmt: skip


def _refused(request: HttpRequest, error: WishlistError, back: str) -> HttpResponse:
    messages.error(request, error.message)
    return redirect(back)


@require_POST
def favourite_toggle_view(request: HttpRequest) -> HttpResponse:
    """The heart on cards and product pages (guests too: their favourites
    live with the session until they sign in)."""
    back = _back(request, reverse("wishlists:index"))
    form = HeartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a product to save."))
        return redirect(back)
    try:
        product, variant = item_target(
            product_id=form.cleaned_data["product"], variant_id=form.cleaned_data["variant"]
        )
        wishlist = favourites_for_request(request, create=True)
        assert wishlist is not None  # noqa: S101 (create=True)
        saved = favourite_toggle(wishlist=wishlist, product=product, variant=variant)
    except WishlistError as error:
        return _refused(request, error, back)
    if saved:
        track(request, Name.WISHLIST_ADD, product_id=product.pk)
        messages.success(request, _("%(title)s is in your favourites.") % {"title": product.title})
    else:
        messages.info(request, _("%(title)s is no longer in your favourites.") % {"title": product.title})
    return redirect(back)


@require_safe
def wishlist_index_view(request: HttpRequest) -> HttpResponse:
    """The person's lists; a guest's one list is their favourites."""
    user = _user(request)
    if user is None:
        wishlist = favourites_for_request(request)
        if wishlist is not None:
            return redirect(wishlist)
        return render(request, "wishlists/wishlist_index.html", {"wishlists": [], "form": ListNameForm()})
    lists = list(wishlists_of(user=user))
    return render(request, "wishlists/wishlist_index.html", {"wishlists": lists, "form": ListNameForm()})


@login_required
@require_POST
def wishlist_create_view(request: HttpRequest) -> HttpResponse:
    form = ListNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect("wishlists:index")
    try:
        wishlist = wishlist_create(user=cast(AbstractBaseUser, request.user), name=form.cleaned_data["name"])
    except WishlistError as error:
        return _refused(request, error, reverse("wishlists:index"))
    messages.success(request, _("The list “%(name)s” is made.") % {"name": wishlist.name})
    return redirect(wishlist)


@require_safe
def wishlist_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    wishlist = _own(request, pk)
    user = _user(request)
    sort = request.GET.get("sort", "added")
    sort = sort if sort in SORTS else "added"
    context = {
        "wishlist": wishlist,
        "rows": wishlist_items(wishlist=wishlist, sort=sort),
        "sort": sort,
        "others": list(wishlists_of(user=user)) if user is not None else [],
        "share_url": request.build_absolute_uri(
            reverse("wishlists:shared", kwargs={"token": wishlist.share_token})
        )
        if wishlist.share_token
        else "",
    }
    return render(request, "wishlists/wishlist_detail.html", context)


def _list_action(action: Callable[[Wishlist, HttpRequest], str]) -> Callable[..., HttpResponse]:
    """A POST on one of the person's lists: do it, say so, back to the list."""

    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        wishlist = _own(request, pk)
        try:
            message = action(wishlist, request)
        except WishlistError as error:
            return _refused(request, error, wishlist.get_absolute_url())
        messages.success(request, message)
        target = reverse("wishlists:index") if not Wishlist.objects.filter(pk=wishlist.pk).exists() else None
        return redirect(target or wishlist.get_absolute_url())

    return view


def _rename(wishlist: Wishlist, request: HttpRequest) -> str:
    form = ListNameForm(request.POST)
    if not form.is_valid():
        raise WishlistError(_form_error(form))
    wishlist_rename(wishlist=wishlist, name=form.cleaned_data["name"])
    return _("The list is now called “%(name)s”.") % {"name": wishlist.name}


def _delete(wishlist: Wishlist, request: HttpRequest) -> str:
    wishlist_delete(wishlist=wishlist)
    return _("Your favourites are emptied.") if wishlist.is_default else _("The list is deleted.")


def _share(wishlist: Wishlist, request: HttpRequest) -> str:
    if wishlist.user_id is None:
        raise WishlistError(_("Sign in to share your list."))
    wishlist_share(wishlist=wishlist)
    return _("Anyone with the link can see this list now.")


def _unshare(wishlist: Wishlist, request: HttpRequest) -> str:
    wishlist_unshare(wishlist=wishlist)
    return _("The link no longer works: the list is private.")


wishlist_rename_view = login_required(_list_action(_rename))
wishlist_delete_view = _list_action(_delete)
wishlist_share_view = login_required(_list_action(_share))
wishlist_unshare_view = login_required(_list_action(_unshare))


def _to_cart_messages(request: HttpRequest, result: ToCart) -> None:
    if result.added:
        messages.success(
            request,
            ngettext("%(titles)s is in your cart.", "%(titles)s are in your cart.", len(result.added))
            % {"titles": ", ".join(result.added)},
        )
    for problem in result.problems:
        messages.warning(request, problem)


def _to_cart(request: HttpRequest, items: list[WishlistItem], *, remove: bool) -> None:
    cart = cart_for_request_or_new(request)
    result = items_to_cart(items=items, cart=cart, remove=remove)
    cart_count_remember(request, cart)
    _to_cart_messages(request, result)


@require_POST
def wishlist_to_cart_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Every item of the list to the cart; those that went leave the list."""
    wishlist = _own(request, pk)
    items = [row.item for row in wishlist_items(wishlist=wishlist)]
    if not items:
        messages.info(request, _("This list is empty."))
    else:
        _to_cart(request, items, remove=True)
    return redirect(wishlist)


@require_POST
def item_update_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _own_item(request, pk, item_pk)
    form = ItemForm(request.POST)
    back = item.wishlist.get_absolute_url()
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(back)
    try:
        item_update(item=item, note=form.cleaned_data["note"], quantity=form.cleaned_data["quantity"])
    except WishlistError as error:
        return _refused(request, error, back)
    messages.success(request, _("Saved."))
    return redirect(back)


@login_required
@require_POST
def item_move_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _own_item(request, pk, item_pk)
    back = item.wishlist.get_absolute_url()
    form = MoveForm(request.POST)
    target = (
        Wishlist.objects.filter(pk=form.cleaned_data["to"], user_id=int(request.user.pk or 0)).first()
        if form.is_valid()
        else None
    )
    if target is None:
        messages.error(request, _("Choose one of your lists."))
        return redirect(back)
    item_move(item=item, to=target)
    messages.success(request, _("Moved to “%(name)s”.") % {"name": target.name})
    return redirect(back)


@require_POST
def item_remove_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _own_item(request, pk, item_pk)
    item_remove(item=item)
    messages.info(request, _("%(title)s is off the list.") % {"title": item.product.title})
    return redirect(item.wishlist)


@require_POST
def item_to_cart_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _own_item(request, pk, item_pk)
    _to_cart(request, [item], remove=True)
    return redirect(item.wishlist)


# --- Shared by link ------------------------------------------------------------------------


def _shared(token: str) -> Wishlist:
    try:
        return wishlist_get_shared(token=token)
    except Wishlist.DoesNotExist:
        raise Http404(_("This list is not shared (any more).")) from None


@require_safe
def wishlist_shared_view(request: HttpRequest, token: str) -> HttpResponse:
    """A list as anyone with its link sees it: read-only, not for search
    engines; its items may go to the visitor's own cart."""
    wishlist = _shared(token)
    context: dict[str, Any] = {
        "wishlist": wishlist,
        "rows": wishlist_items(wishlist=wishlist),
        "owner": (wishlist.user.first_name if wishlist.user else "") or _("Someone"),
        "token": token,
        "share_url": request.build_absolute_uri(),
    }
    response = render(request, "wishlists/wishlist_shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
def shared_item_to_cart_view(request: HttpRequest, token: str, item_pk: int) -> HttpResponse:
    wishlist = _shared(token)
    item = wishlist.items.select_related("product", "variant").filter(pk=item_pk).first()
    if item is None:
        raise Http404(_("No such item in this list."))
    _to_cart(request, [item], remove=False)
    return redirect("wishlists:shared", token=token)
