"""The demo builder gives a published schedule, clock entries for past shifts and labour figures,
and running it twice adds nothing."""

import datetime as dt

import pytest

from staffing import demo
from staffing.models import Shift, StaffMember, TimeClockEntry, WeekSchedule
from staffing.selectors import labour_figures, published_shifts
from tests.factories import MembershipFactory
from tests.staffing.conftest import WEEK, at

pytestmark = pytest.mark.django_db


def test_demo_builds_a_published_schedule_with_clock_entries(open_store):
    manager = MembershipFactory(store=open_store, role="manager").user
    now = at(WEEK + dt.timedelta(days=2), 15)  # Wednesday afternoon
    summary = demo.build(open_store, now=now)
    assert summary["staff"] == 8
    assert StaffMember.objects.filter(store=open_store).count() == 8
    weeks = set(
        WeekSchedule.objects.filter(store=open_store, published_at__isnull=False).values_list(
            "week_start", flat=True
        )
    )
    assert weeks == {WEEK - dt.timedelta(days=7), WEEK, WEEK + dt.timedelta(days=7)}
    # Every day the store opens has a manager, two cashiers and two cooks (Sunday is closed).
    monday = Shift.objects.filter(store=open_store, business_date=WEEK)
    assert sorted(monday.values_list("position__name", flat=True)) == [
        "cashier",
        "cashier",
        "cook",
        "cook",
        "manager",
        "server",
    ]
    assert not Shift.objects.filter(store=open_store, business_date=WEEK + dt.timedelta(days=6)).exists()
    # Shifts that started before now have clock entries; those still running are open.
    started = Shift.objects.filter(store=open_store, start__lte=now).count()
    assert TimeClockEntry.objects.filter(store=open_store).count() == started == summary["clock_entries"]
    assert (
        TimeClockEntry.objects.filter(store=open_store, clock_out__isnull=True).count()
        == Shift.objects.filter(store=open_store, start__lte=now, end__gt=now).count()
    )
    figures = labour_figures(store=open_store, week_start=WEEK)
    assert figures["totals"]["days"][WEEK]["actual_hours"] > 0
    assert figures["totals"]["week"]["scheduled_cost"] > 0
    alex = StaffMember.objects.get(name="Alex Chen")
    assert alex.user == manager
    assert published_shifts(staff=alex, since=WEEK).exists()

    before = (Shift.objects.count(), TimeClockEntry.objects.count(), StaffMember.objects.count())
    demo.build(open_store, now=now)
    assert (Shift.objects.count(), TimeClockEntry.objects.count(), StaffMember.objects.count()) == before
