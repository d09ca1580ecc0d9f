"""The notification centre (/notifications/): a signed-in person's notices,
newest first, paged in a constant number of queries; opening one marks it
read and goes to its page on this site only; "Mark all read"; the header's
unread count on every signed-in page (one query) and none for anonymous
visitors."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from notifications.views import PAGE_SIZE
from tests.factories import UserFactory
from tests.notifications.notices import notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada() -> User:
    return UserFactory.create(email="ada@example.com")


@pytest.fixture
def ada_client(ada: User) -> Client:
    client = Client()
    client.force_login(ada)
    return client


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"


def test_the_centre_lists_ones_own_notices_newest_first_with_the_unread_marked(ada, ada_client) -> None:
    now = timezone.now()
    old = notice(user=ada, title="Order A1 is paid", read_at=now)
    new = notice(user=ada, title="Order A1 was shipped")
    Notification.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=1))
    notice(user=UserFactory.create(), title="Someone else's order")
    Notification.objects.create(kind="account.email_confirmation", key="x", user=ada, email="ada@example.com")

    response = ada_client.get("/notifications/")

    assert response.status_code == 200
    assert [n.pk for n in response.context["notices"]] == [new.pk, old.pk]
    html = response.content.decode()
    assert "Someone else" not in html
    assert html.count('class="notice notice-unread"') == 1
    assert f'href="/notifications/{new.pk}/open/"' in html
    assert "Notifications, 1 unread" in html
    assert "Mark all read" in html


def test_paging_costs_the_same_queries_for_few_and_many_notices(
    ada, ada_client, django_assert_num_queries
) -> None:
    notice(user=ada)
    # the user, the page count, the page, the header's unread count (the session is cached)
    with django_assert_num_queries(4) as few:
        ada_client.get("/notifications/")
    for _ in range(PAGE_SIZE * 2 + 3):
        notice(user=ada)
    with django_assert_num_queries(len(few.captured_queries)):
        response = ada_client.get("/notifications/?page=2")
    assert len(response.context["notices"]) == PAGE_SIZE
    assert "Page 2 of 3" in response.content.decode()


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(ada, ada_client) -> None:
    shipped = notice(user=ada, link="/orders/A1/?from=notice")

    response = ada_client.get(f"/notifications/{shipped.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == "/orders/A1/?from=notice"
    shipped.refresh_from_db()
    assert shipped.read_at is not None
    first_read = shipped.read_at
    ada_client.get(f"/notifications/{shipped.pk}/open/")
    shipped.refresh_from_db()
    assert shipped.read_at == first_read


@pytest.mark.parametrize(
    "link",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", "orders/A1/", ""],
)
def test_a_notice_never_leads_off_the_site(ada, ada_client, link) -> None:
    strange = notice(user=ada, link=link)

    response = ada_client.get(f"/notifications/{strange.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == "/notifications/"


def test_someone_elses_notice_is_not_found(ada_client) -> None:
    theirs = notice(user=UserFactory.create())
    assert ada_client.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_is_a_post_and_reads_only_ones_own(ada, ada_client) -> None:
    mine = [notice(user=ada), notice(user=ada)]
    theirs = notice(user=UserFactory.create())
    assert ada_client.get("/notifications/read-all/").status_code == 405

    response = ada_client.post("/notifications/read-all/", follow=True)

    assert response.redirect_chain == [("/notifications/", 302)]
    assert "All notifications are marked read." in response.content.decode()
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Notifications, none unread" in response.content.decode()


def test_mark_all_read_needs_the_csrf_token(ada) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    notice(user=ada)
    assert client.post("/notifications/read-all/").status_code == 403
    assert Notification.objects.filter(user=ada, read_at__isnull=True).count() == 1


def test_the_unread_count_answers_as_json(ada, ada_client, client) -> None:
    notice(user=ada)
    notice(user=ada, read_at=timezone.now())
    assert ada_client.get("/notifications/unread/").json() == {"unread": 1}
    assert client.get("/notifications/unread/").status_code == 403


def test_every_signed_in_page_shows_the_unread_count_for_one_query(ada, ada_client) -> None:
    notice(user=ada)
    notice(user=ada)
    with CaptureQueriesContext(connection) as queries:
        html = ada_client.get("/accounts/profile/").content.decode()

    assert "Notifications, 2 unread" in html
    assert '<span class="badge" data-notices-count>2</span>' in html
    counts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1
    assert counts[0].startswith("SELECT COUNT(*)")


def test_anonymous_pages_ask_nothing_about_notifications(client) -> None:
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/accounts/login/").content.decode()
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert "data-notices-link" not in html
    assert "notifications.js" not in html
