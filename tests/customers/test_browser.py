"""The guest's side of feedback in headless Chromium: order on the QR page, the table is paid, the
same page asks for a rating; a 2-star "slow service" rating shows on the owner's complaints page linked
to that check's ticket time against the kitchen's target."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from customers.models import Feedback
from kitchen.models import Ticket
from orders.models import Check
from orders.services import payment_take
from restaurant_ops.models import Role
from tests.factories import MembershipFactory
from tests.kitchen.factories import StationFactory

PHONE = {"viewport": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, user):
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_a_paid_guest_rates_slow_service_and_the_owner_sees_it_beside_the_ticket_time(
    browser, live_server, shop
):
    StationFactory(store=shop.store, name="Grill", is_default=True, ticket_target_minutes=10)
    guest = browser.new_context(**PHONE).new_page()
    guest.goto(f"{live_server.url}/s/t/{shop.table.qr_token}/")
    guest.get_by_role("button", name="One more Burger").click()
    guest.get_by_role("button", name="Place order").click()
    expect(guest.locator("#result")).to_contain_text("is in")

    # Before paying the guest may join (optional); the rating waits for the payment.
    expect(guest.locator("#customer-panel")).to_contain_text("Stay in touch")
    expect(guest.locator("#customer-panel input[name=rating]")).to_have_count(0)

    # The kitchen took 14 minutes, then the cashier takes the payment at the till.
    ticket = Ticket.objects.get()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.READY, ready_at=ticket.queued_at + dt.timedelta(minutes=14)
    )
    check = Check.objects.get()
    payment_take(guest_check=check, method="card", amount=check.total, by=shop.cashier)

    # The same page notices the payment and asks for a rating.
    expect(guest.locator("#table-check")).to_contain_text("Paid — thank you", timeout=10_000)
    expect(guest.get_by_text("How was your visit?")).to_be_visible(timeout=10_000)
    guest.get_by_label("2★").check()
    guest.get_by_label("Slow service").check()
    guest.get_by_label("Anything else?").fill("Waited a long time for the burger")
    guest.get_by_role("button", name="Send feedback").click()
    expect(guest.locator("#feedback-thanks")).to_be_visible()
    assert guest.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.tags, feedback.guest_check_id) == (2, ["slow"], check.pk)

    owner = _login(browser, live_server, MembershipFactory(store=shop.store, role=Role.OWNER).user)
    owner.goto(f"{live_server.url}/customers/{shop.store.slug}/complaints/")
    complaint = owner.locator(f"li.complaint[data-check='{check.pk}']")
    expect(complaint).to_contain_text("Slow service")
    expect(complaint.locator(".fact-ticket")).to_contain_text(
        "Ticket at Grill: 14.0 min against a 10 min target"
    )
    expect(complaint.locator(".fact-ticket")).to_contain_text("over target")
    expect(owner.locator("#by-category")).to_contain_text("Slow service")
    assert owner.evaluate("document.documentElement.scrollWidth") <= 390
