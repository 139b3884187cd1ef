"""The owner's rule pages: create a rule in two steps (form, then confirm), errors on the field, edit
it, its results page; cashiers cannot edit. And in Chromium on a phone: the owner creates a win-back
rule with a coupon, and a guest types a code on the table's QR page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import MessageRule
from restaurant_ops.models import Role
from tests.factories import MembershipFactory

FORM = {
    "name": "Win back",
    "trigger": "at_risk",
    "channel": "sms",
    "template_en": "We miss you, {name}! {code}",
    "template_zh": "{name}，好久不见！{code}",
    "subject_en": "",
    "subject_zh": "",
    "coupon_kind": "percent",
    "coupon_value": "15",
    "coupon_item": "",
    "coupon_valid_days": "14",
    "quiet_from": "21:00",
    "quiet_until": "09:00",
    "cap_per_30_days": "2",
    "holdout_percent": "10",
    "is_active": "on",
}


@pytest.mark.django_db
def test_a_rule_is_reviewed_then_saved_and_edited(client, shop):
    store = shop.store
    client.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    new = reverse("customers:message-new", args=[store.slug])
    review = client.post(new, FORM)
    assert review.status_code == 200 and MessageRule.objects.count() == 0  # nothing saved before confirming
    assert "Save the rule" in review.content.decode() and "15% off" in review.content.decode()
    saved = client.post(new, {**FORM, "confirm": "yes"})
    rule = MessageRule.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse(
        "customers:message-results", args=[store.slug, rule.pk]
    )
    assert (rule.holdout_share, rule.coupon_value, rule.quiet_from, rule.templates["zh-hans"]) == (
        Decimal("0.100"),
        Decimal("15.00"),
        dt.time(21, 0),
        "{name}，好久不见！{code}",
    )
    edit = reverse("customers:message-edit", args=[store.slug, rule.pk])
    assert 'value="Win back"' in client.get(edit).content.decode()
    client.post(edit, {**FORM, "cap_per_30_days": "1", "holdout_percent": "20", "confirm": "yes"})
    rule.refresh_from_db()
    assert (rule.cap_per_30_days, rule.holdout_share) == (1, Decimal("0.200"))

    # Mistakes come back on their fields, even at the confirming step.
    bad = client.post(
        new,
        {**FORM, "template_en": "", "template_zh": "", "coupon_kind": "comp_item", "confirm": "yes"},
    )
    page = bad.content.decode()
    assert bad.status_code == 400 and MessageRule.objects.count() == 1
    assert "Write the message in at least one language." in page
    assert "Choose the item the voucher gives free." in page
    results = client.get(reverse("customers:message-results", args=[store.slug, rule.pk])).content.decode()
    assert "Too few to tell" in results and "Edit rule" in results

    client.force_login(shop.cashier)
    assert client.get(new).status_code == 403
    assert client.post(edit, {**FORM, "confirm": "yes"}).status_code == 403
    manager = MembershipFactory(store=store, role=Role.MANAGER).user
    client.force_login(manager)
    assert client.get(edit).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_owner_creates_a_rule_and_a_guest_redeems_a_code(browser, live_server, shop):
    from playwright.sync_api import expect

    from orders.models import Check
    from orders.services import discount_code_issue

    owner = MembershipFactory(store=shop.store, role=Role.OWNER).user
    phone = {"viewport": {"width": 390, "height": 844}}
    page = browser.new_context(**phone).new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{live_server.url}{reverse('customers:messages', args=[shop.store.slug])}")
    page.locator("#new-rule").click()
    page.get_by_label("Name").fill("Win back")
    page.get_by_label("Sent when").select_option("at_risk")
    page.get_by_label("Text in English").fill("We miss you! {code}")
    page.get_by_label("Coupon", exact=True).select_option("amount")
    page.get_by_label("Coupon value").fill("5")
    page.locator("#rule-review").click()
    expect(page.locator("#summary-title")).to_have_text("Win back")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#rule-confirm").click()
    expect(page.locator("h1")).to_contain_text("Results of “Win back”")
    assert MessageRule.objects.get().coupon_kind == "amount"

    code = discount_code_issue(store=shop.store, kind="amount", value=Decimal("5.00"))
    guest = browser.new_context(**phone).new_page()
    guest.goto(f"{live_server.url}/s/t/{shop.table.qr_token}/")
    guest.get_by_role("button", name="One more Burger").click()
    guest.get_by_role("button", name="Place order").click()
    expect(guest.locator("#result")).to_contain_text("is in")
    guest.locator("#guest-code").fill("nope")
    guest.locator("#apply-code").click()
    expect(guest.locator("#code-result")).to_contain_text("Code: NOPE is not a code of this restaurant.")
    guest.locator("#guest-code").fill(code.code.lower())
    guest.locator("#apply-code").click()
    expect(guest.locator("#code-result")).to_contain_text(f"Code {code.code} applied")
    expect(guest.locator("#table-check")).to_contain_text("5.00", timeout=10_000)
    assert Check.objects.get().discount_total == Decimal("5.00")
