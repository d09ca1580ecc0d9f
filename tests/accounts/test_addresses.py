import pytest
from django.urls import reverse

from accounts.models import Address
from tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_DE = {
    "label": "Home",
    "full_name": "Ada Lovelace",
    "street_address_1": "Unter den Linden 1",
    "postal_code": "10117",
    "city": "Berlin",
    "country_code": "DE",
}


@pytest.fixture
def user_client(client):
    user = UserFactory.create()
    client.force_login(user)
    client.user = user
    return client


def test_adding_an_address_normalises_it_for_its_country(user_client):
    response = user_client.post(reverse("accounts:address_create"), GOOD_DE)

    assert response.status_code == 302
    address = Address.objects.get(user=user_client.user)
    assert (address.city, address.postal_code, address.country_code) == ("BERLIN", "10117", "DE")
    assert address.as_lines() == ["Ada Lovelace", "Unter den Linden 1", "10117 BERLIN", "GERMANY"]


def test_a_wrong_postcode_is_a_form_error_naming_the_field(user_client):
    response = user_client.post(reverse("accounts:address_create"), {**GOOD_DE, "postal_code": "1234"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "postal_code": ["Enter a valid postal code for Germany, for example 26133."]
    }
    assert not Address.objects.exists()


def test_a_field_required_by_the_country_is_named(user_client):
    data = {**GOOD_DE, "country_code": "US", "postal_code": "94043", "city": "Mountain View"}

    response = user_client.post(reverse("accounts:address_create"), data)

    assert response.context["form"].errors == {"country_area": ["This field is required for United States."]}


def test_us_state_is_normalised_to_its_code(user_client):
    data = {
        **GOOD_DE,
        "country_code": "US",
        "country_area": "california",
        "postal_code": "94043",
        "city": "Mountain View",
        "street_address_1": "1600 Amphitheatre Pkwy",
    }

    user_client.post(reverse("accounts:address_create"), data)

    address = Address.objects.get()
    assert (address.country_area, address.city) == ("CA", "MOUNTAIN VIEW")


def test_an_unknown_country_is_refused(user_client):
    response = user_client.post(reverse("accounts:address_create"), {**GOOD_DE, "country_code": "XX"})

    assert "country_code" in response.context["form"].errors
    assert not Address.objects.exists()


def test_the_first_address_becomes_default_for_shipping_and_billing(user_client):
    user_client.post(reverse("accounts:address_create"), GOOD_DE)
    user_client.post(reverse("accounts:address_create"), {**GOOD_DE, "label": "Work"})

    home, work = Address.objects.order_by("pk")
    assert (home.is_default_shipping, home.is_default_billing) == (True, True)
    assert (work.is_default_shipping, work.is_default_billing) == (False, False)


def test_a_new_default_takes_the_role_from_the_old_one(user_client):
    home = AddressFactory.create(user=user_client.user, is_default_shipping=True, is_default_billing=True)
    work = AddressFactory.create(user=user_client.user)

    response = user_client.post(reverse("accounts:address_default", args=[work.pk, "shipping"]))

    assert response.status_code == 302
    home.refresh_from_db()
    work.refresh_from_db()
    assert (home.is_default_shipping, home.is_default_billing) == (False, True)
    assert (work.is_default_shipping, work.is_default_billing) == (True, False)


def test_deleting_the_default_passes_the_role_on(user_client):
    home = AddressFactory.create(user=user_client.user, is_default_shipping=True, is_default_billing=True)
    work = AddressFactory.create(user=user_client.user)

    user_client.post(reverse("accounts:address_delete", args=[home.pk]))

    work.refresh_from_db()
    assert (work.is_default_shipping, work.is_default_billing) == (True, True)
    assert list(Address.objects.all()) == [work]


def test_editing_keeps_the_address_valid(user_client):
    address = AddressFactory.create(user=user_client.user)

    response = user_client.post(
        reverse("accounts:address_edit", args=[address.pk]), {**GOOD_DE, "postal_code": "ABCDE"}
    )

    assert response.status_code == 200
    address.refresh_from_db()
    assert address.postal_code == "10117"


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("address_edit", "get"),
        ("address_edit", "post"),
        ("address_delete", "get"),
        ("address_delete", "post"),
    ],
)
def test_another_users_address_cannot_be_read_edited_or_deleted(user_client, name, method):
    someone_else = AddressFactory.create()

    response = getattr(user_client, method)(reverse(f"accounts:{name}", args=[someone_else.pk]), GOOD_DE)

    assert response.status_code == 404
    someone_else.refresh_from_db()
    assert someone_else.postal_code == "10117"


def test_another_users_address_cannot_be_made_default(user_client):
    someone_else = AddressFactory.create()

    response = user_client.post(reverse("accounts:address_default", args=[someone_else.pk, "billing"]))

    assert response.status_code == 404
    someone_else.refresh_from_db()
    assert someone_else.is_default_billing is False


def test_an_unknown_kind_of_default_is_404(user_client):
    address = AddressFactory.create(user=user_client.user)

    assert user_client.post(reverse("accounts:address_default", args=[address.pk, "gift"])).status_code == 404


def test_the_address_book_lists_only_my_addresses_in_constant_queries(
    user_client, django_assert_max_num_queries
):
    AddressFactory.create(full_name="Not Mine")
    for n in range(3):
        AddressFactory.create(user=user_client.user, full_name=f"Mine {n}")
    with django_assert_max_num_queries(8) as few:
        response = user_client.get(reverse("accounts:addresses"))
    for n in range(3, 30):
        AddressFactory.create(user=user_client.user, full_name=f"Mine {n}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        many = user_client.get(reverse("accounts:addresses"))

    assert response.status_code == 200
    assert "Not Mine" not in many.content.decode()
    assert [a.full_name for a in many.context["addresses"]] == [f"Mine {n}" for n in range(30)]


def test_address_pages_need_login(client):
    response = client.get(reverse("accounts:addresses"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
