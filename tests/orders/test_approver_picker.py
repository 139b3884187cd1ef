"""The till's approver picker, in headless Chromium: a cashier's refund names the approving manager (a
manager or owner of this store with a PIN) and takes that manager's PIN. The cashier is not on the
list and cannot approve their own refund; a wrong PIN counts against the cashier and against the
named manager's PIN; the right one refunds, approved by that manager."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Payment
from orders.services import LineRequest, order_place, payment_take
from restaurant_ops.models import AuditEntry, Membership, PinGuard, Role
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paid(shop):
    """Burger 12.00 + 10% tax 1.20 + 10% service 1.20 = 14.40, paid by card."""
    order = order_place(
        store=shop.store, channel="till", table=shop.table, lines=[LineRequest(item_id=shop.burger.pk)]
    )
    payment = payment_take(guest_check=order.guest_check, method="card", amount=Decimal("14.40"))
    return order.guest_check, payment


def _till(browser, live_server, user):
    page = browser.new_context(viewport={"width": 1024, "height": 1400}).new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def _refund(page, approver, pin):
    form = page.locator("form.sub").filter(has=page.get_by_label("Refund amount"))
    form.get_by_label("Refund amount").fill("4.00")
    form.get_by_label("Reason").fill("cold fries")
    if approver is not None:
        form.get_by_label("Approving manager").select_option(approver)
    if pin is not None:
        form.get_by_label("Manager PIN").fill(pin)
    with page.expect_navigation():
        form.get_by_role("button", name="Refund", exact=True).click()


def test_cashier_picks_the_approving_manager_and_types_their_pin(browser, live_server, shop, paid):
    check, payment = paid
    MembershipFactory(store=shop.store, role=Role.MANAGER)  # a manager without a PIN: not offered
    cashier = Membership.objects.get(user=shop.cashier, store=shop.store)
    manager = Membership.objects.get(user=shop.manager, store=shop.store)
    page = _till(browser, live_server, shop.cashier)
    page.goto(f"{live_server.url}/s/{shop.store.slug}/checks/{check.pk}/")

    picker = page.locator("#refund-approver")
    options = picker.locator("option").all_inner_texts()
    assert options == [
        "Choose…",
        f"{shop.manager.username} (Manager)",
    ]  # not the cashier, not the PIN-less one

    # the cashier cannot approve their own refund: their own name is refused, whatever the PIN
    picker.evaluate("(el, name) => el.add(new Option(name, name))", shop.cashier.username)
    _refund(page, shop.cashier.username, "246813")
    expect(page.locator(".messages")).to_contain_text("does not belong to a manager")
    assert not Payment.objects.filter(kind=Payment.Kind.REFUND).exists()

    # a wrong PIN for the picked manager counts against the cashier and that manager's PIN
    _refund(page, shop.manager.username, "999999")
    expect(page.locator(".messages")).to_contain_text("does not belong to a manager")
    assert (
        PinGuard.objects.get(membership=cashier, side=PinGuard.Side.ENTERING).failures == 2
    )  # 1 own + 1 here
    assert PinGuard.objects.get(membership=manager, side=PinGuard.Side.OWN_PIN).failures == 1
    assert AuditEntry.objects.filter(store=shop.store, action="pin_failed").count() == 2
    assert not Payment.objects.filter(kind=Payment.Kind.REFUND).exists()

    # the right PIN: refunded, approved by that manager (after the 5 s backoff of the second wrong PIN)
    page.wait_for_timeout(5500)
    _refund(page, shop.manager.username, "246813")
    refund = Payment.objects.get(kind=Payment.Kind.REFUND)
    assert refund.amount == Decimal("-4.00")
    assert refund.approved_by == shop.manager
    assert PinGuard.objects.get(membership=cashier, side=PinGuard.Side.ENTERING).failures == 0


def test_a_manager_at_the_till_needs_no_picker(browser, live_server, shop, paid):
    check, _payment = paid
    page = _till(browser, live_server, shop.manager)
    page.goto(f"{live_server.url}/s/{shop.store.slug}/checks/{check.pk}/")
    assert page.locator("select[name=approver]").count() == 0
    _refund(page, None, None)
    assert Payment.objects.get(kind=Payment.Kind.REFUND).approved_by is None
