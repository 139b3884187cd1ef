"""Two phones at one table, the cashier's split payment and the receipt, in headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Check

PHONE = {"viewport": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def guest_page(browser, live_server, table):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/t/{table.qr_token}/")
    return page


def add(page, name, times=1):
    for _ in range(times):
        page.get_by_role("button", name=f"One more {name}").click()


def test_two_phones_order_onto_one_check_seen_live(browser, live_server, shop):
    first = guest_page(browser, live_server, shop.table)
    second = guest_page(browser, live_server, shop.table)
    expect(second.locator("#table-check")).to_contain_text("Nothing ordered yet")
    add(first, "Burger", 2)
    expect(first.locator("#cart-total")).to_contain_text("28.80")  # 24.00 + 2.40 tax + 2.40 service
    first.get_by_label("Note for the kitchen").fill("Medium, please")
    first.get_by_role("button", name="Place order").click()
    expect(first.locator("#result")).to_contain_text("is in")
    # the other phone sees it without a reload, then orders onto the same check
    expect(second.locator("#table-check")).to_contain_text("Burger", timeout=10_000)
    add(second, "Soda")
    second.get_by_role("button", name="Place order").click()
    expect(first.locator("#table-check")).to_contain_text("Soda", timeout=10_000)
    expect(first.locator("#table-check .check-total")).to_have_text("€33.00", timeout=10_000)
    assert Check.objects.count() == 1
    assert first.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling


def test_cashier_splits_cash_and_card_prints_receipt_and_the_old_code_stops(browser, live_server, shop):
    guest = guest_page(browser, live_server, shop.table)
    add(guest, "Burger", 2)
    add(guest, "Soda")
    guest.get_by_role("button", name="Place order").click()
    expect(guest.locator("#result")).to_contain_text("is in")
    check = Check.objects.get()

    till = browser.new_context(**PHONE).new_page()
    till.goto(f"{live_server.url}/login/")
    till.get_by_label("Username").fill(shop.cashier.username)
    till.get_by_label("Password").fill("pass-word-123")
    till.get_by_role("button", name="Sign in").click()
    till.wait_for_url(re.compile(r"/$"))
    till.goto(f"{live_server.url}/s/{shop.store.slug}/checks/{check.pk}/?parts=2")
    till.get_by_role("button", name="16.50").first.click()  # 33.00 split evenly in two
    till.get_by_label("Cash", exact=True).check()
    till.get_by_label("Cash tendered").fill("20.00")
    till.get_by_role("button", name="Take payment").click()
    expect(till.locator(".messages")).to_contain_text("Change due: €3.50")
    expect(till.locator("#check-status")).to_have_text("Partially paid")
    till.get_by_label("Card", exact=True).check()
    till.get_by_label("Amount", exact=True).fill("16.50")
    till.get_by_role("button", name="Take payment").click()
    expect(till.locator("#check-status")).to_have_text("Paid")
    till.locator("#receipt-link").click()
    expect(till.locator("#receipt-number")).to_have_text("000001")
    expect(till.locator("main.receipt")).to_contain_text("33.00")

    # the guest's page from before payment shows the paid check and can no longer order
    expect(guest.locator("#table-check")).to_contain_text(
        "Paid — thank you", timeout=10_000
    )  # its paid check stays
    add(guest, "Soda")
    guest.get_by_role("button", name="Place order").click()
    expect(guest.locator("#result")).to_contain_text("no longer valid")
    assert Check.objects.count() == 1
