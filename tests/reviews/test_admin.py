"""The reviews' moderation queue in the admin: the queue's order, filters
and search, approving and rejecting (in bulk through the reject page, one
by one on the review's page), the shop's public reply, deleting through the
service, the read-only reports and purchases, and what staff without the
permission to change reviews cannot do. The two-factor rule of the admin is
tested in accounts; here it is switched off so that a staff session can be
forced."""

from io import BytesIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import User
from catalog.images import image_prepare
from notifications.models import Notification
from reviews.models import Purchase, Review, ReviewReport
from reviews.services import ReviewInput, review_report, review_write
from tests.catalog.factories import ProductFactory, VariantFactory
from tests.factories import UserFactory
from tests.reviews.factories import bought, review_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reviews_review_changelist")


def _change(review: Review) -> str:
    return reverse("admin:reviews_review_change", args=[review.pk])


def _titles(response: Any) -> list[str]:
    return [review.title for review in response.context["cl"].result_list]


def _reported(review: Review, times: int) -> Review:
    for _ in range(times):
        review_report(review=review, user=UserFactory.create(), reason="spam")
    review.refresh_from_db()
    return review


def _state(review: Review) -> tuple[str, str, str]:
    review.refresh_from_db()
    return review.status, review.held, review.rejection_reason


def _told(kind: str) -> set[int | None]:
    return set(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def _form_data(client: Client, review: Review, **changes: str) -> dict[str, Any]:
    """What a browser posts from the review's page (its inline's management
    form included), with ``changes``."""
    page = client.get(_change(review))
    assert page.status_code == 200
    data: dict[str, Any] = {"reply": review.reply}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for form in (formset.management_form, *formset.forms):
            for field in form:
                value = field.value()
                if value is not None:
                    data[field.html_name] = value
    return {**data, **changes}


def _actions(response: Any) -> list[str]:
    action_form = response.context["action_form"]
    return [] if action_form is None else [name for name, _label in action_form.fields["action"].choices]


def _png() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (400, 300), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("socks.png", buffer.getvalue(), content_type="image/png")


# --- The queue --------------------------------------------------------------------------


def test_the_queue_lists_waiting_reviews_first_then_the_most_reported_then_the_newest(staff_client):
    product = ProductFactory.create()
    review_of(product, title="Old and fine")
    _reported(review_of(product, title="Reported once"), 1)
    held = _reported(review_of(product, title="Reported three times"), 3)
    review_of(product, verified=False, title="Not verified")
    review_of(product, title="New and fine")

    response = staff_client.get(CHANGELIST)

    assert (held.status, held.held, held.report_count) == ("pending", "reported", 3)
    assert _titles(response) == [
        "Reported three times",
        "Not verified",
        "Reported once",
        "New and fine",
        "Old and fine",
    ]


def test_the_queue_shows_the_columns_moderators_decide_by(staff_client):
    product = ProductFactory.create(title="Wool socks")
    review = _reported(review_of(product, rating=4, verified=False, title="Warm enough"), 1)

    page = staff_client.get(CHANGELIST).content.decode()

    assert f'<a href="{CHANGELIST}?product={product.pk}">Wool socks</a>' in page
    assert "★★★★☆" in page
    assert f'href="{_change(review)}"' in page
    assert "Ada L." in page
    assert "Not a verified purchase" in page
    assert "Awaiting moderation" in page


def test_the_queue_runs_as_many_queries_for_30_reviews_as_for_3(staff_client, django_assert_max_num_queries):
    def make(count: int) -> None:
        for number in range(count):
            review = review_of(ProductFactory.create(), verified=number % 2 == 0)
            if number % 3 == 0:
                _reported(review, 1)

    make(3)
    staff_client.get(CHANGELIST)  # the session and content types, read once
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(CHANGELIST).status_code == 200
    make(27)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 30


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "pending"}, ["Spam", "Itchy"]),
        ({"stars": "5"}, ["Warm"]),
        ({"verified_purchase__exact": "0"}, ["Itchy"]),
        ({"held__exact": "links"}, ["Spam"]),
        ({"q": "Linen"}, ["Spam", "Creased"]),  # the product's title
        ({"q": "SOCKS-1"}, ["Itchy", "Warm"]),  # a SKU of the product
        ({"q": "itchy@example.com"}, ["Itchy"]),  # the author's email
        ({"q": "scratches"}, ["Itchy"]),  # the text
    ],
)
def test_the_queue_is_filtered_by_status_stars_verified_and_held_and_searched(staff_client, query, expected):
    socks = ProductFactory.create(title="Wool socks", variants=0)
    VariantFactory.create(product=socks, sku="SOCKS-1")
    shirt = ProductFactory.create(title="Linen shirt")
    review_of(socks, rating=5, title="Warm")
    review_of(
        socks,
        rating=1,
        verified=False,
        title="Itchy",
        body="It scratches all day long.",
        user=UserFactory.create(email="itchy@example.com"),
    )
    review_of(shirt, rating=3, title="Creased")
    review_of(shirt, rating=4, title="Spam", body="Far cheaper at www.example.com, trust me.")

    response = staff_client.get(CHANGELIST, query)

    assert response.status_code == 200
    assert _titles(response) == expected


def test_the_product_filter_shows_only_the_chosen_product(staff_client):
    socks = ProductFactory.create(title="Wool socks")
    shirt = ProductFactory.create(title="Linen shirt")
    review_of(socks, title="Warm")
    review_of(shirt, title="Creased")

    unfiltered = staff_client.get(CHANGELIST).content.decode()
    response = staff_client.get(CHANGELIST, {"product": socks.pk})

    assert _titles(response) == ["Warm"]
    # The sidebar names the chosen product (and "All"), never a list of all products.
    [product_filter] = [
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", "") == "product"
    ]
    assert product_filter.lookup_choices == [(str(socks.pk), "Wool socks")]
    assert 'id="changelist-filter"' in unfiltered
    assert f"?product={shirt.pk}" in unfiltered  # the column's link, not the sidebar
    assert _titles(staff_client.get(CHANGELIST, {"product": "nonsense"})) == []
    assert _titles(staff_client.get(CHANGELIST, {"product": shirt.pk + socks.pk})) == []  # none such


# --- Bulk actions -----------------------------------------------------------------------


def test_approve_publishes_the_selected_reviews_and_tells_their_authors(staff_client):
    product = ProductFactory.create()
    first = review_of(product, rating=4, verified=False)
    second = _reported(review_of(product, rating=2), 3)  # held by reports
    untouched = review_of(product, verified=False)

    response = staff_client.post(
        CHANGELIST,
        {"action": "approve", "_selected_action": [first.pk, second.pk], "index": "0"},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == ["2 reviews published."]
    assert _state(first) == ("published", "", "")
    assert _state(second) == ("published", "", "")
    assert second.report_count == 0  # an approval clears the reports
    assert _state(untouched)[0] == "pending"
    # Told once, when a review first goes live: the reported one had been live before.
    assert _told("reviews.published") == {first.author_id}
    boss = User.objects.get(email="boss@example.com")
    assert first.moderated_by == boss
    product.refresh_from_db()
    assert (product.rating_count, str(product.rating_average)) == (2, "3.00")


def test_reject_asks_for_a_reason_on_its_own_page_then_rejects_and_tells_the_authors(staff_client):
    product = ProductFactory.create()
    first, second = review_of(product), review_of(product, verified=False)
    selected = {"action": "reject", "_selected_action": [first.pk, second.pk], "select_across": "0"}

    page = staff_client.post(CHANGELIST, {**selected, "index": "0"})

    assert page.status_code == 200
    assert page.templates[0].name == "admin/reviews/review/reject.html"
    assert not page.context["form"].is_bound
    assert page.context["count"] == 2
    assert _state(first)[0] == "published"  # nothing changed yet

    response = staff_client.post(CHANGELIST, {**selected, "reason": "Not about this product.", "apply": "1"})

    assert response.status_code == 302
    assert _state(first) == ("rejected", "", "Not about this product.")
    assert _state(second) == ("rejected", "", "Not about this product.")
    assert _told("reviews.rejected") == {first.author_id, second.author_id}
    product.refresh_from_db()
    assert product.rating_count == 0  # the published one left the rating
    messages = [str(m) for m in staff_client.get(response["Location"]).context["messages"]]
    assert messages == ["2 reviews rejected; their authors are told why."]


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_a_reason_shows_the_error_and_changes_nothing(staff_client, reason):
    review = review_of(ProductFactory.create(), verified=False)

    response = staff_client.post(
        CHANGELIST, {"action": "reject", "_selected_action": [review.pk], "reason": reason, "apply": "1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert _state(review) == ("pending", "unverified", "")
    assert not Notification.objects.filter(kind="reviews.rejected").exists()


def test_reject_across_every_review_the_filter_selects(staff_client):
    product = ProductFactory.create()
    waiting = [review_of(product, verified=False) for _ in range(3)]
    published = review_of(product)
    selection = {"action": "reject", "_selected_action": [waiting[0].pk], "select_across": "1"}
    url = f"{CHANGELIST}?status__exact=pending"

    page = staff_client.post(url, {**selection, "index": "0"})
    staff_client.post(url, {**selection, "reason": "Spam.", "apply": "1"})

    assert page.context["count"] == 3
    assert [_state(review)[0] for review in waiting] == ["rejected"] * 3
    assert _state(published)[0] == "published"


def test_there_is_no_bulk_delete(staff_client):
    review_of(ProductFactory.create())

    response = staff_client.get(CHANGELIST)

    assert _actions(response) == ["", "approve", "reject"]


# --- The review's page ------------------------------------------------------------------


def test_the_review_page_shows_the_review_its_photos_author_purchase_and_reports(
    staff_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory.create(title="Wool socks", variants=0)
    VariantFactory.create(product=product, sku="SOCKS-RED-M")
    author = UserFactory.create(email="ada@example.com")
    bought(author, product, reference="ORDER-77")
    upload = _png()
    review = review_write(
        user=author,
        product=product,
        data=ReviewInput(
            rating=4,
            title="Warm",
            body="Warm <b>and</b> soft.\n\nWashes well.",
            author_name="Ada L.",
            variant=product.variants.get(),
            photos_add=[(upload, image_prepare(upload))],
        ),
    )
    review_report(review=review, user=UserFactory.create(), reason="off_topic", note="About gloves")

    response = staff_client.get(_change(review))

    page = response.content.decode()
    photo = review.photos.get()
    assert f'href="{photo.image.url}"' in page
    narrowest = min(photo.renditions.items(), key=lambda item: int(item[0]))[1]
    assert f'src="{photo.image.storage.url(narrowest)}"' in page  # a thumbnail, not the original
    assert "<p>Warm &lt;b&gt;and&lt;/b&gt; soft.</p>" in page  # escaped, paragraphs kept
    assert "ada@example.com" in page
    assert "SOCKS-RED-M" in page  # the variant bought
    assert "ORDER-77" in page
    assert "About gloves" in page
    assert "Not about this product" in page
    form = response.context["adminform"].form
    assert list(form.fields) == ["reply", "reason"]  # the customer's words are read-only
    assert 'name="_approve"' in page  # published but reported: approving clears the report
    assert 'name="_reject"' in page


def test_the_reply_is_saved_through_the_service_and_the_author_told(staff_client):
    review = review_of(ProductFactory.create())

    response = staff_client.post(
        _change(review), _form_data(staff_client, review, reply="  Thank you, Ada!  ", _save="Save")
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.reply == "Thank you, Ada!"
    assert review.replied_at is not None
    assert review.replied_by == User.objects.get(email="boss@example.com")
    assert _told("reviews.replied") == {review.author_id}


def test_saving_the_page_unchanged_tells_nobody(staff_client):
    review = review_of(ProductFactory.create())
    staff_client.post(_change(review), _form_data(staff_client, review, reply="Thanks!", _save="Save"))

    staff_client.post(_change(review), _form_data(staff_client, review, _save="Save"))

    assert Notification.objects.filter(kind="reviews.replied").count() == 1


def test_the_approve_button_saves_the_reply_and_publishes(staff_client):
    review = review_of(ProductFactory.create(), verified=False)

    response = staff_client.post(
        _change(review), _form_data(staff_client, review, reply="Thanks!", _approve="Approve and publish")
    )

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert _state(review) == ("published", "", "")
    assert review.reply == "Thanks!"
    assert _told("reviews.published") == {review.author_id}


def test_the_reject_button_needs_the_reason(staff_client):
    review = review_of(ProductFactory.create(), verified=False)

    refused = staff_client.post(
        _change(review), _form_data(staff_client, review, reply="Hm.", reason=" ", _reject="Reject")
    )
    rejected = staff_client.post(
        _change(review), _form_data(staff_client, review, reason="Off topic.", _reject="Reject")
    )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {"reason": ["This field is required."]}
    assert rejected.status_code == 302
    assert _state(review) == ("rejected", "", "Off topic.")
    assert review.reply == ""  # the refused post saved nothing
    assert _told("reviews.rejected") == {review.author_id}


def test_deleting_a_review_goes_through_the_service_and_the_rating_follows(staff_client):
    product = ProductFactory.create()
    review_of(product, rating=5)
    gone = review_of(product, rating=1)

    response = staff_client.post(reverse("admin:reviews_review_delete", args=[gone.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Review.objects.filter(pk=gone.pk).exists()
    product.refresh_from_db()
    assert (product.rating_count, str(product.rating_average)) == (1, "5.00")


def test_reviews_are_not_added_in_the_admin(staff_client):
    assert staff_client.get(reverse("admin:reviews_review_add")).status_code == 403


# --- Reports and purchases ---------------------------------------------------------------


def test_reports_and_purchases_are_listed_read_only(staff_client):
    product = ProductFactory.create(title="Wool socks")
    review = review_of(product, title="Warm")
    review_report(review=review, user=UserFactory.create(), reason="spam", note="An advert")
    report, purchase = ReviewReport.objects.get(), Purchase.objects.get()

    reports = staff_client.get(reverse("admin:reviews_reviewreport_changelist"), {"reason__exact": "spam"})
    purchases = staff_client.get(reverse("admin:reviews_purchase_changelist"), {"q": "Wool"})

    assert [r.note for r in reports.context["cl"].result_list] == ["An advert"]
    assert f'href="{_change(review)}"' in reports.content.decode()
    assert [p.reference for p in purchases.context["cl"].result_list] == ["ORDER-1"]
    for name, obj in (("reviewreport", report), ("purchase", purchase)):
        assert staff_client.get(reverse(f"admin:reviews_{name}_add")).status_code == 403
        change = reverse(f"admin:reviews_{name}_change", args=[obj.pk])
        assert staff_client.get(change).status_code == 200
        assert staff_client.post(change, {}).status_code == 403
        delete = reverse(f"admin:reviews_{name}_delete", args=[obj.pk])
        assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert ReviewReport.objects.count() == Purchase.objects.count() == 1


# --- Permissions ------------------------------------------------------------------------


def _staff_client(settings: Any, *codenames: str) -> Client:
    settings.ADMIN_REQUIRE_MFA = False
    staff = UserFactory.create(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=codenames, content_type__app_label="reviews")
    )
    client = Client()
    client.force_login(staff)
    return client


def test_staff_who_may_only_view_reviews_cannot_approve_reject_or_reply(settings):
    viewer = _staff_client(settings, "view_review")
    review = review_of(ProductFactory.create(), verified=False)

    listed = viewer.get(CHANGELIST)
    page = viewer.get(_change(review))
    approve = viewer.post(CHANGELIST, {"action": "approve", "_selected_action": [review.pk], "index": "0"})
    reject = viewer.post(
        CHANGELIST, {"action": "reject", "_selected_action": [review.pk], "reason": "No.", "apply": "1"}
    )
    button = viewer.post(_change(review), {"reply": "Hi", "reason": "No.", "_reject": "Reject"})

    assert _titles(listed) == [review.title]
    assert _actions(listed) == []
    assert page.status_code == 200
    assert 'name="_approve"' not in page.content.decode()
    # No action is theirs: the posts only show the list again.
    assert [approve.templates[0].name, reject.templates[0].name] == ["admin/change_list.html"] * 2
    assert button.status_code == 403
    assert _state(review) == ("pending", "unverified", "")
    assert review.reply == ""
    assert not Notification.objects.filter(kind__startswith="reviews.").exists()


def test_staff_who_may_change_reviews_moderate_them(settings):
    moderator = _staff_client(settings, "view_review", "change_review")
    review = review_of(ProductFactory.create(), verified=False)
    reported = _reported(review_of(ProductFactory.create()), 1)

    page = moderator.get(_change(reported)).content.decode()
    moderator.post(CHANGELIST, {"action": "approve", "_selected_action": [review.pk], "index": "0"})

    assert _state(review)[0] == "published"
    assert _actions(moderator.get(CHANGELIST)) == ["", "approve", "reject"]
    # The reports come with the review, without a permission of their own.
    assert "Spam or advertising" in page
    assert 'name="_reject"' in page
