"""Tax against worked examples, to the cent: an EU shop whose prices include
19% and 7% VAT, and a US shop adding New York sales tax at checkout."""

from decimal import Decimal

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from cart.models import Cart, CartLine, TaxRate
from cart.pricing import ShippingCharge
from cart.selectors import TaxLocation, cart_price, tax_rates_for
from cart.services import tax_rate_save
from catalog.taxes import TaxClass
from promotions.values import PromoContext
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


def rate(country: str, region: str, tax_class: str, percent: str) -> TaxRate:
    return tax_rate_save(rate=TaxRate(country=country, region=region, tax_class=tax_class, rate=D(percent)))


def cart_with(*items: tuple[str, str, int]) -> Cart:
    """Lines of (price, tax class, quantity)."""
    cart = Cart.objects.create()
    for unit, tax_class, quantity in items:
        product = ProductFactory.create(
            tax_class=tax_class, variants=1, variants__price=D(unit), variants__stock=50
        )
        variant = product.variants.get()
        CartLine.objects.create(
            cart=cart, variant=variant, title=product.title, quantity=quantity, price_when_added=variant.price
        )
    return cart


def test_eu_shop_prices_include_19_and_7_percent_vat(settings: Settings) -> None:
    settings.PRICES_INCLUDE_TAX = True
    rate("DE", "", TaxClass.STANDARD, "19")
    rate("DE", "", TaxClass.REDUCED, "7")
    # Two books at 19.99 (7%), headphones at 59.90 (19%), shipping 4.90 (19%).
    cart = cart_with(("19.99", TaxClass.REDUCED, 2), ("59.90", TaxClass.STANDARD, 1))

    result = cart_price(
        cart=cart,
        location=TaxLocation("DE"),
        shipping=ShippingCharge(price=D("4.90"), tax_class=TaxClass.STANDARD),
    )

    # 39.98 x 7/107 = 2.6155 -> 2.62; 59.90 x 19/119 = 9.5638 -> 9.56; 4.90 x 19/119 = 0.7824 -> 0.78
    assert [line.tax for line in result.lines] == [D("2.62"), D("9.56")]
    assert result.shipping_tax == D("0.78")
    assert result.tax == D("12.96")
    assert result.tax_by_rate == ((D("7.000"), D("2.62")), (D("19.000"), D("10.34")))
    assert result.subtotal == D("99.88")
    assert result.total == D("104.78")  # tax is inside the prices: nothing is added


def test_us_shop_adds_new_york_sales_tax_at_checkout(settings: Settings) -> None:
    settings.PRICES_INCLUDE_TAX = False
    rate("US", "NY", TaxClass.STANDARD, "8.875")
    rate("US", "NY", TaxClass.ZERO, "0")
    # Three T-shirts at 12.50, a 25.00 zero-rated gift card, shipping 7.99 (taxed in NY).
    cart = cart_with(("12.50", TaxClass.STANDARD, 3), ("25.00", TaxClass.ZERO, 1))

    result = cart_price(
        cart=cart,
        location=TaxLocation("US", "NY"),
        shipping=ShippingCharge(price=D("7.99"), tax_class=TaxClass.STANDARD),
    )

    # 37.50 x 8.875% = 3.328 -> 3.33; shipping 7.99 x 8.875% = 0.709 -> 0.71
    assert [line.tax for line in result.lines] == [D("3.33"), D("0.00")]
    assert result.shipping_tax == D("0.71")
    assert result.tax == D("4.04")
    assert result.total == D("74.53")  # 37.50 + 25.00 + 7.99 + 4.04


def test_eu_example_with_a_ten_percent_code_taxes_the_discounted_lines(settings: Settings) -> None:
    from cart.pricing import price
    from cart.selectors import cart_lines, pricing_line
    from promotions.values import Offer, OfferKind

    settings.PRICES_INCLUDE_TAX = True
    rate("DE", "", TaxClass.STANDARD, "19")
    rate("DE", "", TaxClass.REDUCED, "7")
    cart = cart_with(("19.99", TaxClass.REDUCED, 2), ("59.90", TaxClass.STANDARD, 1))
    ten = Offer(key="code:1", label="TEN", kind=OfferKind.PERCENT, value=D(10), code="TEN")

    result = price(
        lines=[pricing_line(line) for line in cart_lines(cart=cart)],
        offers=[ten],
        shipping=ShippingCharge(price=D("4.90")),
        rates=tax_rates_for(location=TaxLocation("DE")),
        prices_include_tax=True,
    )

    # Books 39.98 - 4.00 = 35.98 -> 2.35 VAT; headphones 59.90 - 5.99 = 53.91 -> 8.61 VAT.
    assert [(line.discount, line.tax) for line in result.lines] == [
        (D("4.00"), D("2.35")),
        (D("5.99"), D("8.61")),
    ]
    assert result.total == D("94.79")


def test_a_region_rate_wins_over_the_country_rate_and_unknown_places_pay_none() -> None:
    rate("CA", "", TaxClass.STANDARD, "5")
    rate("CA", "QC", TaxClass.STANDARD, "14.975")
    assert tax_rates_for(location=TaxLocation("CA", "QC")) == {TaxClass.STANDARD: D("14.975")}
    assert tax_rates_for(location=TaxLocation("ca", "on")) == {TaxClass.STANDARD: D("5.000")}
    assert tax_rates_for(location=TaxLocation("JP")) == {}


def test_rates_are_cached_and_a_change_is_seen_at_once(django_assert_num_queries: object) -> None:
    row = rate("DE", "", TaxClass.STANDARD, "19")
    tax_rates_for(location=TaxLocation("DE"))
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert tax_rates_for(location=TaxLocation("DE")) == {TaxClass.STANDARD: D("19.000")}
    row.rate = D("16")
    tax_rate_save(rate=row)  # on commit: tests run in a transaction, so call it as the admin would
    from cart.selectors import tax_rates_changed

    tax_rates_changed()
    assert tax_rates_for(location=TaxLocation("DE")) == {TaxClass.STANDARD: D("16.000")}


def test_the_default_location_comes_from_settings(settings: Settings) -> None:
    settings.TAX_DEFAULT_COUNTRY = "AT"
    rate("AT", "", TaxClass.STANDARD, "20")
    cart = cart_with(("12.00", TaxClass.STANDARD, 1))
    assert cart_price(cart=cart, context=PromoContext()).tax == D("2.00")


def test_tax_rates_are_kept_in_the_admin(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/cart/taxrate/add/",
        {"country": "de", "region": "", "tax_class": TaxClass.REDUCED, "rate": "7", "name": "VAT"},
    )
    assert response.status_code == 302
    assert TaxRate.objects.get().country == "DE"
    bad = staff_client.post(
        "/admin/cart/taxrate/add/",
        {"country": "D1", "region": "", "tax_class": "standard", "rate": "101"},
    )
    assert bad.status_code == 200
    assert "two-letter ISO code" in bad.content.decode()
    assert "less than or equal to 100" in bad.content.decode()
    assert TaxRate.objects.count() == 1
    assert staff_client.get("/admin/cart/taxrate/").status_code == 200
