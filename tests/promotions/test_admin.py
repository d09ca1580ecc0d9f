"""The promotions admin: lists with usage counts, forms that validate the
rules, the demo command and the privacy hooks."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from orders.privacy import account_delete, personal_data_export
from promotions.models import PromoCode, Promotion, Redemption
from promotions.services import promo_code_redeem
from promotions.values import OfferKind
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.factories import UserFactory
from tests.promotions.factories import PromoCodeFactory, PromotionFactory

pytestmark = pytest.mark.django_db

CODE_FORM = {
    "kind": OfferKind.PERCENT,
    "value": "10",
    "min_subtotal": "0",
    "buy_quantity": "0",
    "pay_quantity": "0",
    "is_active": "on",
}


def test_the_list_pages_load_with_usage_counts(staff_client, django_assert_max_num_queries):
    code = PromoCodeFactory.create(code="SUMMER", usage_limit=10)
    for n in range(3):
        promo_code_redeem(
            code="summer", order_reference=f"A{n}", user_id=None, email="a@example.com", amount=Decimal(1)
        )
    PromoCodeFactory.create(code="OPEN")
    PromotionFactory.create(name="Week", categories=[CategoryFactory.create()])

    codes = staff_client.get(reverse("admin:promotions_promocode_changelist"))
    filtered = staff_client.get(
        reverse("admin:promotions_promocode_changelist") + "?validity=running&kind=percent"
    )
    redemptions = staff_client.get(
        reverse("admin:promotions_redemption_changelist") + f"?code__id__exact={code.pk}"
    )
    promotions = staff_client.get(reverse("admin:promotions_promotion_changelist") + "?validity=ended")

    assert (
        codes.status_code == filtered.status_code == redemptions.status_code == promotions.status_code == 200
    )
    assert "3 / 10" in codes.text
    assert "0 / \u221e" in codes.text
    assert f'href="/admin/promotions/redemption/?code__id__exact={code.pk}">3</a>' in codes.text
    assert redemptions.text.count("a@example.com") == 3
    with django_assert_max_num_queries(12):
        staff_client.get(reverse("admin:promotions_promocode_changelist"))


def test_the_change_and_add_pages_load(staff_client):
    code = PromoCodeFactory.create(code="SUMMER", categories=[CategoryFactory.create()])
    promotion = PromotionFactory.create(products=[ProductFactory.create()])

    for url in (
        reverse("admin:promotions_promocode_change", args=[code.pk]),
        reverse("admin:promotions_promocode_add"),
        reverse("admin:promotions_promotion_change", args=[promotion.pk]),
        reverse("admin:promotions_promotion_add"),
    ):
        assert staff_client.get(url).status_code == 200


def test_codes_are_saved_upper_case_and_unique_whatever_the_case(staff_client):
    url = reverse("admin:promotions_promocode_add")

    created = staff_client.post(url, {**CODE_FORM, "code": " summer10 "})
    duplicate = staff_client.post(url, {**CODE_FORM, "code": "Summer10"})

    assert created.status_code == 302
    assert list(PromoCode.objects.values_list("code", flat=True)) == ["SUMMER10"]
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.text


def test_the_forms_refuse_inconsistent_rules(staff_client):
    percent = staff_client.post(
        reverse("admin:promotions_promocode_add"), {**CODE_FORM, "code": "X", "value": "120"}
    )
    buy_pay = staff_client.post(
        reverse("admin:promotions_promotion_add"),
        {**CODE_FORM, "name": "B", "kind": OfferKind.BUY_X_PAY_Y, "buy_quantity": "3", "pay_quantity": "3"},
    )
    shipping = staff_client.post(
        reverse("admin:promotions_promotion_add"), {**CODE_FORM, "name": "S", "kind": OfferKind.FREE_SHIPPING}
    )

    assert "A percentage is more than 0 and at most 100." in percent.text
    assert "Pay for at least 1 and fewer than you buy." in buy_pay.text
    assert "Select a valid choice." in shipping.text
    assert not PromoCode.objects.exists()
    assert not Promotion.objects.exists()


def test_an_automatic_promotion_cannot_give_free_shipping():
    with pytest.raises(ValidationError, match="Free shipping needs a code"):
        Promotion(name="S", kind=OfferKind.FREE_SHIPPING).full_clean()


def test_lowering_a_limit_below_the_uses_is_refused():
    code = PromoCodeFactory.create(code="SUMMER")
    promo_code_redeem(
        code="summer", order_reference="A1", user_id=None, email="a@example.com", amount=Decimal(1)
    )
    promo_code_redeem(
        code="summer", order_reference="A2", user_id=None, email="b@example.com", amount=Decimal(1)
    )
    code.refresh_from_db()
    code.usage_limit = 1

    with pytest.raises(ValidationError, match="already used 2 times"):
        code.full_clean()


def test_redemptions_are_read_only_for_staff(staff_client):
    PromoCodeFactory.create(code="SUMMER")
    redemption = promo_code_redeem(
        code="summer", order_reference="A1", user_id=None, email="a@ex.com", amount=Decimal(1)
    )

    assert staff_client.get(reverse("admin:promotions_redemption_add")).status_code == 403
    change = staff_client.get(reverse("admin:promotions_redemption_change", args=[redemption.pk]))
    assert change.status_code == 200
    assert 'name="order_reference"' not in change.text


# --- Demo and privacy ---------------------------------------------------------------------


def test_the_demo_command_creates_codes_and_a_promotion_once():
    featured = CategoryFactory.create(name="Featured", is_featured=True)
    ProductFactory.create(variants__price=Decimal("10.00")).categories.add(featured)
    out = io.StringIO()

    call_command("promotions_demo", stdout=out)
    call_command("promotions_demo", stdout=out)

    welcome = PromoCode.objects.get(code="WELCOME10")
    assert (welcome.kind, welcome.value, welcome.min_subtotal) == (
        OfferKind.PERCENT,
        Decimal(10),
        Decimal(20),
    )
    assert PromoCode.objects.get(code="FREESHIP").kind == OfferKind.FREE_SHIPPING
    promotion = Promotion.objects.get()
    assert list(promotion.categories.all()) == [featured]
    assert "created WELCOME10, FREESHIP, Demo: 20% off (Featured); 1 products on offer." in out.getvalue()
    assert "created nothing new; 1 products on offer." in out.getvalue()


def test_the_data_export_lists_the_users_redemptions():
    user = UserFactory.create(email="ada@example.com")
    PromoCodeFactory.create(code="SUMMER")
    promo_code_redeem(
        code="summer", order_reference="A1", user_id=user.pk, email=user.email, amount=Decimal(3)
    )

    section = personal_data_export(user=user)["promo_code_redemptions"]

    assert [(r["code"], r["order"], r["amount"], r["email"]) for r in section] == [
        ("SUMMER", "A1", "3.00", "ada@example.com")
    ]


def test_account_deletion_keeps_redemptions_without_the_email():
    user = UserFactory.create(email="ada@example.com")
    code = PromoCodeFactory.create(code="SUMMER")
    promo_code_redeem(
        code="summer", order_reference="A1", user_id=user.pk, email=user.email, amount=Decimal(3)
    )

    account_delete(user=user)

    redemption = Redemption.objects.get()
    code.refresh_from_db()
    assert (redemption.order_reference, redemption.email, redemption.user_id) == ("A1", "", user.pk)
    assert code.times_used == 1
