"""The schedule page in headless Chromium at phone width: a manager signs in, sees a shift that the
service created, and adding a conflicting shift in the page shows the reason."""

import re

import pytest

from restaurant_ops.models import Role
from staffing.models import Shift
from staffing.services import shift_create
from tests.factories import MembershipFactory
from tests.staffing.conftest import WEEK, at


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_sees_a_service_shift_and_a_conflict_reason(live_server, page, open_store, anna, cashier):
    manager = MembershipFactory(store=open_store, role=Role.MANAGER).user
    shift_create(store=open_store, staff=anna, position=cashier, start=at(WEEK, 11), end=at(WEEK, 15))

    page.goto(f"{live_server.url}/login/?next=/staffing/{open_store.slug}/schedule/?week=2026-03-02")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staffing/.+/schedule/"))

    shift = page.get_by_test_id("shift").first
    shift.wait_for()
    assert "11:00–15:00" in shift.inner_text()
    assert "Anna" in shift.inner_text()

    form = page.get_by_role("form", name="Add a shift")
    form.get_by_label("Who").select_option(label="Anna")
    form.get_by_label("Position").select_option(label="cashier")
    form.get_by_label("Day").select_option(value="2026-03-02")
    form.get_by_label("From").fill("14:00")
    form.get_by_label("Until").fill("18:00")
    form.get_by_role("button", name="Add shift").click()
    error = page.get_by_test_id("schedule-error")
    error.wait_for()
    assert "Anna already works 11:00–15:00 as cashier" in error.inner_text()
    assert Shift.objects.count() == 1

    form = page.get_by_role("form", name="Add a shift")  # the fragment was swapped: the values were kept
    assert form.get_by_label("From").input_value() == "14:00"
    form.get_by_label("From").fill("15:00")
    form.get_by_label("Until").fill("19:00")
    form.get_by_role("button", name="Add shift").click()
    page.get_by_text("15:00–19:00").wait_for()
    assert Shift.objects.count() == 2
