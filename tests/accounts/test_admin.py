"""The staff admin for users, addresses, social accounts and two-factor
authenticators. The two-factor rule of the admin is tested in test_mfa.py;
here it is switched off so that a staff session can be forced."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.socialaccount.models import SocialAccount

from accounts.models import Address, User
from tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase"
# The management form of the address inline, as the browser sends it.
NO_ADDRESSES = {"addresses-TOTAL_FORMS": "0", "addresses-INITIAL_FORMS": "0"}


def _rows(response) -> list[str]:
    return [str(obj) for obj in response.context["cl"].result_list]


# --- Users ------------------------------------------------------------------


def test_user_changelist_searches_names_and_filters_staff(staff_client):
    UserFactory.create(email="grace@example.com", first_name="Grace", last_name="Hopper")
    UserFactory.create(email="grace.staff@example.com", first_name="Grace", is_staff=True)
    UserFactory.create(email="alan@example.com", first_name="Alan", last_name="Turing", is_staff=True)

    by_name = staff_client.get("/admin/accounts/user/?q=grace")
    staff_named_grace = staff_client.get("/admin/accounts/user/?q=grace&is_staff__exact=1")

    assert by_name.status_code == 200
    assert _rows(by_name) == ["grace.staff@example.com", "grace@example.com"]
    assert staff_named_grace.status_code == 200
    assert _rows(staff_named_grace) == ["grace.staff@example.com"]


def test_user_changelist_finds_a_user_by_part_of_the_phone_number(staff_client):
    UserFactory.create(email="caller@example.com", phone="+493012345678")
    UserFactory.create(email="other@example.com", phone="+441632960961")

    response = staff_client.get("/admin/accounts/user/?q=3012345")

    assert response.status_code == 200
    assert _rows(response) == ["caller@example.com"]


def test_add_user_form_asks_for_an_email_and_no_username(staff_client):
    response = staff_client.get("/admin/accounts/user/add/")

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == [
        "email",
        "usable_password",
        "password1",
        "password2",
    ]
    assert "username" not in response.content.decode().lower()


def test_add_user_form_creates_a_user_who_can_log_in_by_email(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.hire@example.com",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **NO_ADDRESSES,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.hire@example.com")
    assert response["Location"] == f"/admin/accounts/user/{user.pk}/change/"
    assert user.check_password(NEW_PASSWORD)
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)


def test_add_user_form_refuses_an_email_that_differs_only_in_case(staff_client):
    UserFactory.create(email="taken@example.com")

    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "Taken@Example.com",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **NO_ADDRESSES,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "email": ["A user with this email address already exists."]
    }
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_add_user_form_lowercases_the_email_domain(staff_client):
    staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "Grace@EXAMPLE.COM",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **NO_ADDRESSES,
        },
    )

    assert list(User.objects.filter(email__iexact="grace@example.com").values_list("email", flat=True)) == [
        "Grace@example.com"
    ]


def test_user_change_page_shows_the_address_book_inline_and_no_username(staff_client):
    user = UserFactory.create(email="ada@example.com")
    address = AddressFactory.create(user=user, full_name="Ada King", city="LONDON", country_code="GB")

    response = staff_client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert [form.instance for form in inline.formset.forms] == [address]
    assert 'value="Ada King"' in response.content.decode()
    assert "username" not in response.context["adminform"].form.fields
    assert "username" not in response.content.decode().lower()


@pytest.mark.parametrize("count", [3, 30])
def test_user_changelist_query_count_stays_constant(staff_client, django_assert_max_num_queries, count):
    for _ in range(count):
        AddressFactory.create(user=UserFactory.create())

    with django_assert_max_num_queries(5):
        response = staff_client.get("/admin/accounts/user/?q=example.com&is_active__exact=1")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count + 1


# --- Addresses --------------------------------------------------------------


def test_address_changelist_searches_by_the_owners_email_and_filters_by_country(staff_client):
    paris = AddressFactory.create(
        user=UserFactory.create(email="marie@example.com"),
        full_name="Marie Curie",
        street_address_1="11 Rue Pierre et Marie Curie",
        postal_code="75005",
        city="PARIS",
        country_code="FR",
    )
    AddressFactory.create(user=paris.user, full_name="Marie Curie")  # in Germany
    AddressFactory.create(
        user=UserFactory.create(email="pierre@example.com"), country_code="FR", city="PARIS"
    )

    response = staff_client.get("/admin/accounts/address/?q=marie%40example.com&country_code__exact=FR")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [paris]


def test_address_changelist_searches_street_and_filters_default_shipping(staff_client):
    home = AddressFactory.create(street_address_1="Baker Street 221b", is_default_shipping=True)
    AddressFactory.create(street_address_1="Baker Street 222", is_default_shipping=False)
    AddressFactory.create(street_address_1="Abbey Road 3", is_default_shipping=True)

    response = staff_client.get("/admin/accounts/address/?q=baker&is_default_shipping__exact=1")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [home]


def test_address_added_in_the_admin_is_normalised_for_its_country(staff_client):
    owner = UserFactory.create(email="owner@example.com")

    response = staff_client.post(
        "/admin/accounts/address/add/",
        {
            "user": owner.pk,
            "full_name": " Ada Lovelace ",
            "street_address_1": "Unter den Linden 1",
            "postal_code": "10117",
            "city": "berlin",
            "country_code": "DE",
        },
    )

    assert response.status_code == 302
    address = Address.objects.get(user=owner)
    assert (address.full_name, address.city, address.postal_code, address.country_code) == (
        "Ada Lovelace",
        "BERLIN",
        "10117",
        "DE",
    )


def test_ticking_default_in_the_admin_moves_it_from_the_other_address(staff_client):
    owner = UserFactory.create()
    home = AddressFactory.create(user=owner, is_default_shipping=True, is_default_billing=True)
    work = AddressFactory.create(user=owner, label="Work")

    response = staff_client.post(
        f"/admin/accounts/address/{work.pk}/change/",
        {
            "user": owner.pk,
            "label": "Work",
            "full_name": "Ada Lovelace",
            "street_address_1": "Unter den Linden 1",
            "postal_code": "10117",
            "city": "Berlin",
            "country_code": "DE",
            "is_default_shipping": "on",
        },
    )

    assert response.status_code == 302
    home.refresh_from_db()
    work.refresh_from_db()
    assert (home.is_default_shipping, home.is_default_billing) == (False, True)
    assert (work.is_default_shipping, work.is_default_billing) == (True, False)


def test_address_admin_refuses_a_postal_code_wrong_for_the_country(staff_client):
    owner = UserFactory.create()

    response = staff_client.post(
        "/admin/accounts/address/add/",
        {
            "user": owner.pk,
            "full_name": "Ada Lovelace",
            "street_address_1": "Unter den Linden 1",
            "postal_code": "1011",
            "city": "Berlin",
            "country_code": "DE",
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["postal_code"]
    assert not Address.objects.filter(user=owner).exists()


def test_address_inline_normalises_an_address_added_on_the_user_page(staff_client):
    user = UserFactory.create(email="inline@example.com")

    response = staff_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "is_active": "on",
            "date_joined_0": "2024-01-02",
            "date_joined_1": "10:00:00",
            "addresses-TOTAL_FORMS": "1",
            "addresses-INITIAL_FORMS": "0",
            "addresses-0-full_name": "Ada Lovelace",
            "addresses-0-street_address_1": "Unter den Linden 1",
            "addresses-0-postal_code": "10117",
            "addresses-0-city": "berlin",
            "addresses-0-country_code": "DE",
        },
    )

    assert response.status_code == 302
    assert list(Address.objects.filter(user=user).values_list("city", "country_code")) == [("BERLIN", "DE")]


@pytest.mark.parametrize("count", [3, 30])
def test_address_changelist_query_count_stays_constant(staff_client, django_assert_max_num_queries, count):
    for _ in range(count):
        AddressFactory.create(user=UserFactory.create())

    with django_assert_max_num_queries(5):
        response = staff_client.get("/admin/accounts/address/?q=berlin&country_code__exact=DE")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count
    assert Address.objects.count() == count


# --- Social accounts --------------------------------------------------------


def test_social_account_changelist_searches_by_email_and_filters_by_provider(staff_client):
    octocat = UserFactory.create(email="octocat@example.com")
    on_github = SocialAccount.objects.create(user=octocat, provider="github", uid="583231")
    SocialAccount.objects.create(user=octocat, provider="google", uid="10769150350006150715113082367")
    SocialAccount.objects.create(user=UserFactory.create(), provider="github", uid="9919")

    response = staff_client.get("/admin/socialaccount/socialaccount/?q=octocat&provider__exact=github")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [on_github]


def test_social_account_changelist_finds_an_account_by_uid(staff_client):
    account = SocialAccount.objects.create(user=UserFactory.create(), provider="github", uid="583231")
    SocialAccount.objects.create(user=UserFactory.create(), provider="github", uid="9919")

    response = staff_client.get("/admin/socialaccount/socialaccount/?q=583231")

    assert list(response.context["cl"].result_list) == [account]


# --- Two-factor authenticators ----------------------------------------------


def test_authenticator_admin_never_shows_the_totp_secret_or_recovery_seed(staff_client):
    user = UserFactory.create(email="guarded@example.com")
    totp = TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").instance
    recovery = RecoveryCodes.activate(user).instance

    totp_page = staff_client.get(f"/admin/mfa/authenticator/{totp.pk}/change/")
    recovery_page = staff_client.get(f"/admin/mfa/authenticator/{recovery.pk}/change/")

    assert totp_page.status_code == 200
    assert "JBSWY3DPEHPK3PXP" not in totp_page.content.decode()
    assert recovery_page.status_code == 200
    assert recovery.data["seed"] not in recovery_page.content.decode()
    assert RecoveryCodes(recovery).generate_codes()[0] not in recovery_page.content.decode()


def test_authenticators_can_be_listed_and_deleted_but_not_added_or_edited(staff_client):
    user = UserFactory.create(email="locked.out@example.com")
    totp = TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").instance

    listing = staff_client.get("/admin/mfa/authenticator/?q=locked.out")
    add = staff_client.get("/admin/mfa/authenticator/add/")
    edit = staff_client.post(f"/admin/mfa/authenticator/{totp.pk}/change/", {"type": "recovery_codes"})
    delete = staff_client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})

    assert list(listing.context["cl"].result_list) == [totp]
    assert add.status_code == 403
    assert edit.status_code == 403
    assert delete.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
