"""Labour figures on hand-computed numbers, requirements written by analytics, gaps merged into
suggestions and applied as shifts, the time clock, and copying and publishing a week."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboard.selectors import daily_trend
from restaurant_ops.api.errors import status_for
from restaurant_ops.errors import DomainError, DomainErrors
from staffing import selectors
from staffing.models import DaysOff, Shift, StaffingRequirement, TimeClockEntry
from staffing.selectors import StaffingSuggestion, labour_figures, staffing_suggestions
from staffing.services import (
    clock_in,
    clock_out,
    shift_create,
    staffing_requirements_replace,
    suggestion_apply,
    week_copy_previous,
    week_publish,
)
from tests.staffing.conftest import WEEK, at
from tests.staffing.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

MON, TUE, FRI = WEEK, WEEK + dt.timedelta(days=1), WEEK + dt.timedelta(days=4)
D = Decimal


def hours(day, first, last, position, needed=1, load="10"):
    return [
        {"position": position, "hour_start": at(day, h), "needed_staff": needed, "forecast_load": D(load)}
        for h in range(first, last)
    ]


@pytest.fixture
def week_of_shifts(open_store, anna, ben, cashier, cook):
    shift_create(
        store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15, 30)
    )  # 4.5 h
    shift_create(store=open_store, staff=ben, position=cashier, start=at(MON, 17), end=at(MON, 23))  # 6 h
    shift_create(store=open_store, staff=anna, position=cook, start=at(TUE, 11), end=at(TUE, 19))  # 8 h
    clock_in(staff=anna, at=at(MON, 10, 55))
    clock_out(staff=anna, at=at(MON, 15, 40))  # 285 min
    clock_in(staff=ben, at=at(MON, 17, 10))
    clock_out(staff=ben, at=at(MON, 22, 50))  # 340 min
    ben.hourly_cost = D("20.00")  # a raise later does not change the week's cost
    ben.save()


def test_labour_hours_and_cost_per_day_week_and_position(open_store, cashier, cook, week_of_shifts):
    staffing_requirements_replace(open_store, WEEK, hours(MON, 11, 21, cashier) + hours(TUE, 11, 18, cook))
    figures = labour_figures(store=open_store, week_start=WEEK)
    by_name = {row["name"]: row for row in figures["positions"]}
    monday_cashier = by_name["cashier"]["days"][MON]
    # scheduled: 4.5 h × 16.00 + 6 h × 14.50 = 72.00 + 87.00
    assert monday_cashier["scheduled_hours"] == D("10.50")
    assert monday_cashier["scheduled_cost"] == D("159.00")
    # actual: 285 + 340 = 625 min = 10.42 h; 285/60 × 16 + 340/60 × 14.50 = 76.00 + 82.1667 = 158.17
    assert monday_cashier["actual_hours"] == D("10.42")
    assert monday_cashier["actual_cost"] == D("158.17")
    assert by_name["cook"]["days"][TUE]["scheduled_cost"] == D("128.00")
    assert by_name["cook"]["days"][MON]["scheduled_hours"] == D("0.00")
    assert figures["totals"]["days"][MON]["scheduled_hours"] == D("10.50")
    assert figures["totals"]["week"] == {
        "scheduled_hours": D("18.50"),
        "scheduled_cost": D("287.00"),
        "actual_hours": D("10.42"),
        "actual_cost": D("158.17"),
    }
    # cashier: 10.5 scheduled vs 10 required = +5.00% exactly: inside the band, not flagged
    assert (
        by_name["cashier"]["required_hours"],
        by_name["cashier"]["deviation"],
        by_name["cashier"]["flag"],
    ) == (D("10.00"), D("0.0500"), None)
    # cook: 8 vs 7 = +14.29%: over
    assert (by_name["cook"]["deviation"], by_name["cook"]["flag"]) == (D("0.1429"), "over")
    # week: 18.5 vs 17 = +8.82%: over
    assert (figures["totals"]["required_hours"], figures["totals"]["flag"]) == (D("17.00"), "over")


def test_a_week_below_the_required_hours_is_flagged_under(open_store, cashier, week_of_shifts):
    staffing_requirements_replace(open_store, WEEK, hours(MON, 11, 23, cashier))  # 12 h required vs 10.5
    totals = labour_figures(store=open_store, week_start=WEEK)["totals"]
    assert (totals["deviation"], totals["flag"]) == (D("-0.1250"), "under")
    staffing_requirements_replace(open_store, WEEK, hours(MON, 11, 22, cashier))  # 11 h: -4.55%
    totals = labour_figures(store=open_store, week_start=WEEK)["totals"]
    assert (totals["deviation"], totals["flag"]) == (D("-0.0455"), None)


def test_requirements_replace_writes_nothing_on_a_bad_row_and_is_idempotent(open_store, cashier, other_store):
    rows = hours(MON, 11, 14, cashier)
    assert staffing_requirements_replace(open_store, WEEK, rows) == 3
    bad = hours(MON, 11, 13, cashier, needed=2) + [
        {"position": cashier, "hour_start": at(MON + dt.timedelta(days=7), 12), "needed_staff": 1}
    ]
    with pytest.raises(DomainErrors) as caught:
        staffing_requirements_replace(open_store, WEEK, bad)
    assert [(e.field, e.code) for e in caught.value.errors] == [("rows[2].hour_start", "invalid")]
    assert list(StaffingRequirement.objects.values_list("needed_staff", flat=True)) == [1, 1, 1]
    staffing_requirements_replace(open_store, WEEK, rows)
    assert StaffingRequirement.objects.count() == 3


def test_needed_staff_rule(cashier):
    cashier.min_staff_per_open_hour = 1
    assert selectors.needed_staff(position=cashier, load=D("46")) == 4  # ceil(46 / 12)
    assert selectors.needed_staff(position=cashier, load=D("0")) == 1  # the minimum


@pytest.fixture
def friday_evening(open_store, cashier):
    """Three cashiers 17:00-23:00; needed 18-23h: 4, 4, 3, 2, 5 (loads 46, 40, 30, 20, 55)."""
    for _ in range(3):
        person = StaffMemberFactory(store=open_store, positions=[cashier])
        shift_create(store=open_store, staff=person, position=cashier, start=at(FRI, 17), end=at(FRI, 23))
    rows = [
        {"position": cashier, "hour_start": at(FRI, h), "needed_staff": n, "forecast_load": D(load)}
        for h, n, load in [(18, 4, "46"), (19, 4, "40"), (20, 3, "30"), (21, 2, "20"), (22, 5, "55")]
    ]
    staffing_requirements_replace(open_store, WEEK, rows)


def test_gaps_and_surpluses_merge_into_concrete_suggestions(open_store, friday_evening):
    found = staffing_suggestions(store=open_store, week_start=WEEK)
    assert [(s.kind, s.start, s.end, s.count, s.peak_load, s.capacity) for s in found] == [
        ("gap", at(FRI, 18), at(FRI, 20), 1, D("46.00"), D("36.00")),
        ("surplus", at(FRI, 21), at(FRI, 22), 1, D("20.00"), D("36.00")),
        ("gap", at(FRI, 22), at(FRI, 23), 2, D("55.00"), D("36.00")),
    ]
    assert (
        found[0].message(open_store)
        == "Fri 18:00–20:00: one more cashier — forecast 46 orders/h, capacity 36"
    )
    assert found[2].message(open_store).startswith("Fri 22:00–23:00: 2 more cashier")
    assert StaffingSuggestion.from_dict(found[0].as_dict()) == found[0]


def test_applying_a_gap_creates_the_shift_and_closes_the_gap(open_store, cashier, friday_evening):
    gap = staffing_suggestions(store=open_store, week_start=WEEK)[0]
    dana = StaffMemberFactory(store=open_store, name="Dana", positions=[cashier])
    shift = suggestion_apply(suggestion=StaffingSuggestion.from_dict(gap.as_dict()), staff=dana)
    assert (shift.staff, shift.start, shift.end, shift.source) == (
        dana,
        at(FRI, 18),
        at(FRI, 20),
        "suggestion",
    )
    remaining = staffing_suggestions(store=open_store, week_start=WEEK)
    assert [(s.kind, s.start) for s in remaining] == [("surplus", at(FRI, 21)), ("gap", at(FRI, 22))]
    surplus = remaining[0]
    with pytest.raises(DomainError) as caught:
        suggestion_apply(suggestion=surplus, staff=dana)
    assert caught.value.code == "not_a_gap"


def test_applying_a_gap_to_someone_busy_is_refused_by_the_conflict_rules(open_store, cashier, friday_evening):
    gap = staffing_suggestions(store=open_store, week_start=WEEK)[0]
    busy = Shift.objects.first().staff
    before = Shift.objects.count()
    with pytest.raises(DomainError) as caught:
        suggestion_apply(suggestion=gap, staff=busy)
    assert caught.value.code == "overlap"
    assert Shift.objects.count() == before


def test_clock_in_twice_and_out_without_in_are_refused(open_store, anna, cashier, cook):
    shift_create(store=open_store, staff=anna, position=cook, start=at(MON, 11), end=at(MON, 15))
    entry = clock_in(staff=anna, at=at(MON, 10, 50))
    assert (entry.position, entry.business_date) == (cook, MON)  # the shift she is about to start
    with pytest.raises(DomainError) as caught:
        clock_in(staff=anna, at=at(MON, 11))
    assert (caught.value.code, status_for(caught.value)) == ("already_clocked_in", 409)
    assert TimeClockEntry.objects.count() == 1
    entry = clock_out(staff=anna, at=at(MON, 15, 5))
    assert (entry.minutes, entry.hours) == (255, D("4.25"))
    with pytest.raises(DomainError) as caught:
        clock_out(staff=anna, at=at(MON, 16))
    assert caught.value.code == "not_clocked_in"


def test_copy_last_week_skips_conflicts_and_publish_shows_shifts(open_store, anna, ben, cashier):
    previous = WEEK - dt.timedelta(days=7)
    shift_create(store=open_store, staff=anna, position=cashier, start=at(previous, 11), end=at(previous, 15))
    shift_create(store=open_store, staff=ben, position=cashier, start=at(previous, 15), end=at(previous, 23))
    DaysOff.objects.create(staff=ben, first_day=MON, last_day=MON)
    created, skipped = week_copy_previous(store=open_store, week_start=WEEK)
    assert [(s.staff, s.start, s.end) for s in created] == [(anna, at(MON, 11), at(MON, 15))]
    assert [(old.staff, error.code) for old, error in skipped] == [(ben, "day_off")]

    assert list(selectors.published_shifts(staff=anna, since=previous)) == []
    with pytest.raises(DomainError) as caught:
        week_publish(store=open_store, week_start=WEEK + dt.timedelta(days=7))
    assert caught.value.code == "empty"
    with pytest.raises(DomainError) as caught:
        week_publish(store=open_store, week_start=TUE)
    assert caught.value.code == "not_monday"
    week_publish(store=open_store, week_start=WEEK)
    assert [s.start for s in selectors.published_shifts(staff=anna, since=previous)] == [at(MON, 11)]
    from connections.models import OutboxEvent  # the event back offices hear (connections' outbox)

    assert list(OutboxEvent.objects.filter(topic="shift.published").values_list("subject", flat=True)) == [
        f"week:{WEEK.isoformat()}"
    ]


def test_the_labour_page_and_the_dashboard_trend_show_the_same_cents(open_store, cashier, cook):
    odd = StaffMemberFactory(store=open_store, hourly_cost=D("12.03"), positions=[cashier, cook])
    shift_create(store=open_store, staff=odd, position=cashier, start=at(MON, 11), end=at(MON, 11, 10))
    shift_create(store=open_store, staff=odd, position=cook, start=at(MON, 11, 10), end=at(MON, 11, 20))
    # Each position: 10 min × 12.03 / 60 = 2.005 → 2.01; the day is the two added: 4.02 (rounding the
    # day's 20 minutes at once would say 4.01, a cent the labour page does not show).
    page = labour_figures(store=open_store, week_start=WEEK)["totals"]["days"][MON]["scheduled_cost"]
    trend = {row["day"]: row["labour_cost"] for row in daily_trend(open_store, MON, MON)}
    assert (page, trend[MON]) == (D("4.02"), D("4.02"))
