"""The catalogue of kinds: every email allauth can send has one (an allauth
upgrade that adds an email fails here, not as a 500 on the page that sends
it), and staff preview each kind in the admin."""

from pathlib import Path

import allauth
import pytest
from django.urls import reverse

from notifications.kinds import ALLAUTH_PREFIXES, KINDS, Group, allauth_kind
from tests.factories import UserFactory

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"


def test_every_email_allauth_ships_has_a_kind():
    shipped = {
        str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_subject.txt")
        for path in ALLAUTH_TEMPLATES.glob("*/email/*_subject.txt")
    }

    assert shipped == set(ALLAUTH_PREFIXES)
    assert {allauth_kind(prefix).group for prefix in shipped} == {Group.ACCOUNT}


def test_an_unknown_allauth_email_is_named_in_the_error():
    with pytest.raises(KeyError, match="usersessions/email/new_session"):
        allauth_kind("usersessions/email/new_session")


@pytest.mark.django_db
def test_staff_preview_every_kind_in_the_admin(staff_client):
    client = staff_client
    index = client.get(reverse("admin:notifications_kinds"))

    assert index.status_code == 200
    for name, kind in KINDS.items():
        assert reverse("admin:notifications_preview", args=[name]) in index.content.decode()
        page = client.get(reverse("admin:notifications_preview", args=[name]))
        assert page.status_code == 200, name
        assert page.context["rendered"].subject, name
        html = client.get(reverse("admin:notifications_preview_html", args=[name]))
        assert html.status_code == 200, name
        assert "frame-ancestors 'self'" in html["Content-Security-Policy"]
        assert kind.label


@pytest.mark.django_db
def test_the_preview_is_staffs_and_an_unknown_kind_is_404(client, staff_client):
    client.force_login(UserFactory.create())
    assert client.get(reverse("admin:notifications_kinds")).status_code == 302  # to the admin's login

    assert (
        staff_client.get(reverse("admin:notifications_preview", args=["order.birthday"])).status_code == 404
    )
