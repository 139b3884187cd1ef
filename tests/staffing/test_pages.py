"""The schedule, my shifts, clock and labour pages: permissions, htmx errors, and what they show."""

from decimal import Decimal

import pytest

from restaurant_ops.models import Role
from staffing.models import Shift, TimeClockEntry
from staffing.services import clock_in, clock_out, shift_create, week_publish
from tests.factories import MembershipFactory
from tests.staffing.conftest import WEEK, at

pytestmark = pytest.mark.django_db
MON = WEEK


@pytest.fixture
def manager_client(client, open_store):
    client.force_login(MembershipFactory(store=open_store, role=Role.MANAGER).user)
    return client


def url(store, name, *args):
    from django.urls import reverse

    return reverse(f"staffing:{name}", args=[store.slug, *args])


def test_schedule_needs_manage_staff(client, open_store):
    client.force_login(MembershipFactory(store=open_store, role=Role.CASHIER).user)
    assert client.get(url(open_store, "schedule")).status_code == 403
    client.force_login(MembershipFactory(role=Role.OWNER).user)  # another store's owner
    assert client.get(url(open_store, "schedule")).status_code == 404


def test_schedule_shows_the_weeks_shifts_in_store_time(manager_client, open_store, anna, cashier):
    shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15))
    page = manager_client.get(url(open_store, "schedule"), {"week": "2026-03-04"}).content.decode()
    assert "11:00–15:00" in page
    assert "Anna" in page
    assert "Draft" in page


def test_adding_a_conflicting_shift_by_htmx_shows_the_reason_and_writes_nothing(
    manager_client, open_store, anna, cashier
):
    shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15))
    response = manager_client.post(
        url(open_store, "shift-add"),
        {
            "week": "2026-03-02",
            "staff": anna.pk,
            "position": cashier.pk,
            "day": "2026-03-02",
            "start": "14:00",
            "end": "18:00",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Anna already works 11:00–15:00" in response.content.decode()
    assert Shift.objects.count() == 1


def test_add_move_delete_and_publish_by_plain_post(manager_client, open_store, anna, cashier):
    response = manager_client.post(
        url(open_store, "shift-add"),
        {
            "week": "2026-03-02",
            "staff": anna.pk,
            "position": cashier.pk,
            "day": "2026-03-02",
            "start": "18:00",
            "end": "23:00",
        },
    )
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert (shift.start, shift.end) == (at(MON, 18), at(MON, 23))
    manager_client.post(
        url(open_store, "shift-move", shift.pk),
        {"week": "2026-03-02", "day": "2026-03-02", "start": "17:00", "end": "22:00"},
    )
    shift.refresh_from_db()
    assert shift.start == at(MON, 17)
    manager_client.post(url(open_store, "week-publish"), {"week": "2026-03-02"})
    assert shift.store.week_schedules.get().published_at is not None
    manager_client.post(url(open_store, "shift-delete", shift.pk), {"week": "2026-03-02"})
    assert Shift.objects.count() == 0


def test_my_shifts_lists_only_published_weeks(client, open_store, anna, cashier, monkeypatch):
    user = MembershipFactory(store=open_store, role=Role.CASHIER).user
    anna.user = user
    anna.save()
    shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15))
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(MON, 8))
    client.force_login(user)
    assert "11:00–15:00" not in client.get(url(open_store, "my-shifts")).content.decode()
    week_publish(store=open_store, week_start=WEEK)
    assert "11:00–15:00" in client.get(url(open_store, "my-shifts")).content.decode()


def test_clock_in_and_out_on_the_page(client, open_store, anna):
    user = MembershipFactory(store=open_store, role=Role.COOK).user
    anna.user = user
    anna.save()
    client.force_login(user)
    client.post(url(open_store, "clock"), {"action": "in"})
    assert TimeClockEntry.objects.get().clock_out is None
    assert "Clocked in since" in client.get(url(open_store, "clock")).content.decode()
    client.post(url(open_store, "clock"), {"action": "in"})
    assert TimeClockEntry.objects.count() == 1
    client.post(url(open_store, "clock"), {"action": "out"})
    assert TimeClockEntry.objects.get().clock_out is not None


def test_labour_page_shows_day_figures(manager_client, open_store, anna, cashier):
    shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15, 30))
    clock_in(staff=anna, at=at(MON, 11))
    clock_out(staff=anna, at=at(MON, 15))
    page = manager_client.get(url(open_store, "labour"), {"week": "2026-03-02"}).content.decode()
    assert "4.50" in page
    assert "72.00" in page
    assert "4.00" in page
    assert "64.00" in page
    assert anna.hourly_cost == Decimal("16.00")
