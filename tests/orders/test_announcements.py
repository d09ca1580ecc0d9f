"""Staff announcements: written and previewed in the admin, sent to their
audience in batches by Celery with progress counted, once per person even
when a batch runs twice, and resumed by beat when a batch was lost."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Announcement, Notification
from notifications.preferences import email_preference_set, site_preference_set
from orders import announcements
from orders.announcements import announcement_audience, announcement_batch_send, announcements_resume
from tests.catalog.factories import CategoryFactory
from tests.factories import UserFactory
from tests.orders.staff_helpers import paid_order

pytestmark = pytest.mark.django_db


def _opted_in(email: str) -> None:
    email_preference_set(email=email, group="marketing", enabled=True, source="test", confirmed=True)


def _announcement(**fields) -> Announcement:
    return Announcement.objects.create(
        title="Summer sale", message="Linen is 20 % off.\n\nUntil Sunday.", link="/products/", **fields
    )


def test_staff_write_preview_and_send_and_every_customer_gets_it_once(
    staff_client, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    monkeypatch.setattr(announcements, "BATCH", 2)  # three batches for five people
    people = [UserFactory.create(email=f"p{n}@example.com") for n in range(4)]
    for email in ("boss@example.com", *(person.email for person in people[:3])):  # p3 did not opt in
        _opted_in(email)
    site_preference_set(
        user=User.objects.get(email="boss@example.com"), group="marketing", enabled=True, source="test"
    )
    UserFactory.create(email="gone@example.com", is_active=False)
    add = staff_client.post(
        reverse("admin:notifications_announcement_add"),
        {
            "title": "Summer sale",
            "message": "Linen is 20 % off.\n\nUntil Sunday.",
            "link": "/products/",
            "audience": "customers",
            "category": "",
        },
    )
    assert add.status_code == 302
    announcement = Announcement.objects.get()
    change = reverse("admin:notifications_announcement_change", args=[announcement.pk])
    page = staff_client.get(change).content.decode()
    assert "Its audience is 5 people today" in page  # the four and the staff member
    preview = staff_client.get(reverse("admin:notifications_announcement_preview", args=[announcement.pk]))
    assert preview.context["rendered"].subject == "[Shop] Summer sale"
    assert "Until Sunday." in preview.context["rendered"].text

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:notifications_announcement_send", args=[announcement.pk]))
    with django_capture_on_commit_callbacks(execute=True):  # a second click
        staff_client.post(reverse("admin:notifications_announcement_send", args=[announcement.pk]))

    assert response["Location"] == change
    announcement.refresh_from_db()
    assert (announcement.status, announcement.total, announcement.done) == ("sent", 5, 5)
    notices = Notification.objects.filter(kind="marketing.announcement")
    assert sorted(notices.values_list("email", flat=True)) == sorted(
        ["boss@example.com", *(person.email for person in people[:3])]
    )
    # In the site only for whoever switched marketing notices on there: the boss.
    assert sorted(notices.values_list("title", flat=True)) == ["", "", "", "Summer sale"]
    assert notices.get(title="Summer sale").email == "boss@example.com"
    assert {notice.link for notice in notices} == {"/products/"}
    assert "http://127.0.0.1:8000/products/" in mailoutbox[0].body
    assert "Sent." in staff_client.get(change).content.decode()


def test_buyers_of_a_category_and_its_subcategories_are_the_audience():
    clothing = CategoryFactory.create(name="Clothing")
    shirts = CategoryFactory.create(name="Shirts", parent=clothing)
    lamps = CategoryFactory.create(name="Lamps")
    shirt_buyer, lamp_buyer = UserFactory.create(), UserFactory.create()
    _shirt_order, (shirt,) = paid_order(1, user=shirt_buyer)
    shirt.product.categories.add(shirts)
    _lamp_order, (lamp,) = paid_order(1, user=lamp_buyer, price=Decimal("12.00"))
    lamp.product.categories.add(lamps)
    UserFactory.create()  # bought nothing

    announcement = _announcement(
        audience="category_buyers", category_id=clothing.pk, category_name="Clothing"
    )

    assert list(announcement_audience(announcement)) == [shirt_buyer]


def test_a_batch_run_twice_owes_nothing_twice_and_a_lost_batch_is_resumed(monkeypatch):
    monkeypatch.setattr(announcements, "BATCH", 2)
    for n in range(3):
        UserFactory.create(email=f"p{n}@example.com")
        _opted_in(f"p{n}@example.com")
    announcement = _announcement(status="sending", total=3, started_at=timezone.now())
    queued: list[int] = []
    monkeypatch.setattr(announcements.announcement_batch_send_task, "delay", queued.append)

    assert announcement_batch_send(announcement_id=announcement.pk) is True  # two done, more to come
    Announcement.objects.filter(pk=announcement.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    assert announcements_resume() == 1  # the next batch was lost: queued again
    assert announcement_batch_send(announcement_id=announcement.pk) is False  # the last one
    assert announcement_batch_send(announcement_id=announcement.pk) is False  # run again: nothing

    announcement.refresh_from_db()
    assert (announcement.status, announcement.done) == ("sent", 3)
    assert Notification.objects.filter(kind="marketing.announcement").count() == 3
    assert announcements_resume() == 0


def test_bad_input_is_a_form_error(staff_client):
    response = staff_client.post(
        reverse("admin:notifications_announcement_add"),
        {"title": "Sale", "message": "Hi", "link": "https://evil.example/", "audience": "category_buyers"},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Give a page of the shop" in errors["link"][0]
    assert "Choose the category" in errors["category"][0]
    assert not Announcement.objects.exists()
