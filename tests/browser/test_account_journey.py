"""A shopper's account journey in real Chromium, at a desktop and a phone
viewport, finding everything by its role and label as a person would."""

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import Tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "grace@example.com"
PASSWORD = "a long and unusual passphrase"


def _verification_link() -> str:
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert match, body
    return match.group(0)


def _open_account_page(page: Page, name: str) -> None:
    """The account pages share a navigation beside (or above) their content."""
    page.get_by_role("navigation", name="Your account").get_by_role("link", name=name).click()


def test_shopper_signs_up_verifies_manages_account_and_downloads_data(live_server, tab: Tab) -> None:
    page = tab.page
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Shop")
    tab.screenshot("01-home")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    # Sign up.
    page.get_by_role("banner").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    tab.screenshot("02-signup")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    tab.screenshot("03-verification-sent")

    # Open the link from the mail, as on another device, and confirm.
    link = _verification_link()
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")
    expect(page.get_by_role("main")).to_contain_text(EMAIL)
    tab.screenshot("04-confirm-email")
    page.get_by_role("button", name="Confirm").click()

    # Log in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    expect(page.get_by_role("status")).to_contain_text(f"You have confirmed {EMAIL}.")
    tab.screenshot("05-login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Edit the profile.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_role("status")).to_contain_text(f"Successfully signed in as {EMAIL}.")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Phone").fill("+49 30 1234567")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_have_text("Your profile was saved.")
    expect(page.get_by_label("First name")).to_have_value("Grace")
    # Numbers of the default region (Germany) are shown in national format.
    expect(page.get_by_label("Phone")).to_have_value("030 1234567")
    tab.screenshot("06-profile")

    # Ask for news and offers: confirmed by the link of an email (double opt-in).
    _open_account_page(page, "Notification preferences")
    news = page.get_by_role("group", name="News and offers")
    news.get_by_label("By email").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    confirm = re.search(r"/notifications/confirm/\S+/", str(mail.outbox[-1].body))
    assert confirm, mail.outbox[-1].body
    page.goto(live_server.url + confirm.group(0))  # the email names SHOP_URL; this server runs elsewhere
    page.get_by_role("button", name="Yes, send me news and offers").click()
    expect(page.get_by_role("main")).to_contain_text(EMAIL)
    page.goto(live_server.url + "/notifications/preferences/")
    expect(page.get_by_role("group", name="News and offers").get_by_label("By email")).to_be_checked()
    tab.screenshot("06b-preferences")

    # Add an address: a German postcode has five digits.
    _open_account_page(page, "Address book")
    expect(page.get_by_role("heading", level=1)).to_have_text("Address book")
    tab.screenshot("07-address-book-empty")
    page.get_by_role("link", name="Add an address").click()
    page.get_by_label("Label").fill("Home")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label(re.compile(r"^Street address:?$")).fill("Invalidenstraße 117")
    page.get_by_label("Postal code").fill("1234")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_role("button", name="Save address").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Postal code: Enter a valid postal code for Germany, for example 26133."
    )
    postal_code = page.get_by_label("Postal code")
    expect(postal_code).to_have_attribute("aria-invalid", "true")
    expect(postal_code).to_have_accessible_description(
        "Enter a valid postal code for Germany, for example 26133."
    )
    expect(postal_code).to_have_value("1234")
    tab.screenshot("08-address-error")

    postal_code.fill("10115")
    page.get_by_role("button", name="Save address").click()
    expect(page.get_by_role("status")).to_have_text("The address was added to your address book.")
    card = page.get_by_role("article", name="Home")
    expect(card).to_contain_text("Grace Hopper")
    expect(card).to_contain_text("Invalidenstraße 117")
    expect(card).to_contain_text("10115 BERLIN")
    tab.screenshot("09-address-book")

    # The other account pages share the layout.
    for step, name, heading in (
        ("10-email", "Email", "Email Address"),
        ("11-password", "Password", "Change Password"),
        ("12-two-factor", "Two-factor authentication", "Two-Factor Authentication"),
        ("13-delete", "Delete my account", "Delete my account"),
    ):
        _open_account_page(page, name)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        tab.screenshot(step)
    _open_account_page(page, "Two-factor authentication")
    page.get_by_role("link", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")
    tab.screenshot("12-two-factor-reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate Authenticator App")
    expect(page.get_by_role("img")).to_be_visible()  # the QR code, a data: URI the CSP allows
    expect(page.get_by_label("Authenticator code")).to_be_empty()
    tab.screenshot("12-two-factor-activate")

    # Download the data.
    _open_account_page(page, "Download my data")
    tab.screenshot("14-data-export")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert re.fullmatch(r"my-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == EMAIL
    assert data["account"]["first_name"] == "Grace"
    assert [(p["group"], p["enabled"], bool(p["confirmed_at"])) for p in data["preferences"]] == [
        ("marketing", True, True)
    ]
    assert [(a["label"], a["postal_code"], a["city"]) for a in data["addresses"]] == [
        ("Home", "10115", "BERLIN")
    ]

    # Log out.
    page.get_by_role("banner").get_by_text("Account", exact=True).click()
    tab.screenshot("15-account-menu")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Shop")
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()
    tab.screenshot("16-logged-out")

    assert tab.problems == []
