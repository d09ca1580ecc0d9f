"""A customer makes a personal access token on the account page, sees its
key once, uses it, and revokes it; in real Chromium at a desktop and a phone
viewport, with screenshots."""

import re

import pytest
from playwright.sync_api import expect

from api.tokens import access_token_for_key
from tests.browser.conftest import Tab
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER = "grace@example.com"


def test_a_customer_makes_a_token_sees_it_once_and_revokes_it(live_server, tab: Tab) -> None:
    UserFactory.create(email=CUSTOMER)
    page = tab.page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(CUSTOMER)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("status")).to_contain_text("Successfully signed in")

    page.get_by_role("navigation", name="Your account").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("You have no tokens yet.")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile(r"\(staff:orders\)"))).to_have_count(0)
    page.get_by_label("Name").fill("Stock sync")
    page.get_by_role("checkbox", name=re.compile(r"\(read\)")).check()
    expect(page.get_by_label("Expires after (days)")).to_have_value("90")
    tab.screenshot("tokens-01-form")
    page.get_by_role("button", name="Make token").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your new token")
    expect(page.get_by_role("alert")).to_contain_text("Copy it now: you will not see it again.")
    key = page.get_by_label("The key of “Stock sync”").input_value()
    assert key.startswith("shp_")
    assert access_token_for_key(key) is not None
    tab.screenshot("tokens-02-shown-once")

    page.get_by_role("link", name="Done: back to your tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    card = page.get_by_role("article", name="Stock sync")
    expect(card).to_contain_text(key[:10])
    expect(card).to_contain_text("Active")
    assert key not in page.content()
    tab.screenshot("tokens-03-listed")

    card.get_by_role("button", name="Revoke Stock sync").click()
    expect(page.get_by_role("status")).to_contain_text("The token “Stock sync” is revoked")
    expect(card).to_contain_text("Revoked")
    expect(card.get_by_role("button")).to_have_count(0)
    tab.screenshot("tokens-04-revoked")
    assert access_token_for_key(key) is None
    assert tab.problems == []
