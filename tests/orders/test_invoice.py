"""/orders/<number>/invoice/: a PDF with the shop's details, the lines, the
tax per rate and the totals; only for orders that were paid."""

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orders.checkout.placement import order_place
from orders.invoices import order_invoice_pdf
from tests.factories import UserFactory
from tests.orders.account_helpers import paid_order
from tests.orders.factories import cart_of, checkout_ready, germany, stocked_variants

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_the_invoice_is_a_pdf_with_shop_lines_tax_and_totals(client, settings):
    settings.SHOP_NAME = "Lamp Shop"
    settings.SHOP_ADDRESS = "Lamp Shop GmbH; Hauptstr. 1; 10115 Berlin"
    settings.SHOP_VAT_ID = "DE123456789"
    user = UserFactory.create()
    order = paid_order(user=user)
    client.force_login(user)

    response = client.get(reverse("orders:invoice", kwargs={"number": order.number}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _text(response.content)
    assert f"Invoice {order.number}" in text
    assert "Lamp Shop GmbH" in text
    assert "Hauptstr. 1" in text
    assert "VAT ID: DE123456789" in text
    for line in order.lines.all():
        assert line.product_title in text
        assert line.sku in text
    ((rate, tax),) = order.tax_by_rate
    assert f"VAT {rate.rstrip('0').rstrip('.')} %" in text
    assert f"EUR {tax}" in text
    assert f"EUR {order.subtotal}" in text
    assert f"EUR {order.shipping_price}" in text
    assert f"EUR {order.total}" in text
    assert "Unter den Linden 1" in text


def test_the_uncompressed_invoice_carries_its_text_in_the_page_stream():
    order = paid_order()

    pdf = order_invoice_pdf(order=order, compress=False)

    assert order.number.encode() in pdf


def test_an_unpaid_order_has_no_invoice(client):
    user = UserFactory.create()
    (lamp,) = stocked_variants(5, title="Unpaid lamp")
    order = order_place(
        checkout=checkout_ready(cart_of((lamp, 1), user=user), germany(), user=user), user=user
    )
    client.force_login(user)

    response = client.get(reverse("orders:invoice", kwargs={"number": order.number}))

    assert response.status_code == 404
    html = client.get(order.get_absolute_url()).content.decode()
    assert reverse("orders:invoice", kwargs={"number": order.number}) not in html
