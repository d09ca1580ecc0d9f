import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_helpful_404_in_the_shop_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert '<header class="site-header">' in response.text


def test_the_500_page_renders_without_a_request_or_database():
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert "/static/css/shop.css" in html
