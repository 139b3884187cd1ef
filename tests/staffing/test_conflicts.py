"""Each conflict rule refuses a shift with a field, a code and a reason; nothing is written."""

import datetime as dt

import pytest

from restaurant_ops.api.errors import status_for
from restaurant_ops.errors import DomainError
from restaurant_ops.models import ClosedDate
from staffing.models import Availability, DaysOff, Shift
from staffing.services import shift_create, shift_delete, shift_move
from tests.factories import MembershipFactory, StoreFactory
from tests.staffing.conftest import WEEK, at
from tests.staffing.factories import PositionFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

MON, FRI, SAT = WEEK, WEEK + dt.timedelta(days=4), WEEK + dt.timedelta(days=5)


def refused(**kwargs) -> DomainError:
    before = Shift.objects.count()
    with pytest.raises(DomainError) as caught:
        shift_create(**kwargs)
    assert Shift.objects.count() == before
    return caught.value


def test_a_shift_inside_opening_hours_is_created_with_its_day_week_minutes_and_cost(
    open_store, anna, cashier
):
    shift = shift_create(
        store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15, 30)
    )
    assert (shift.business_date, shift.week_start, shift.minutes, shift.hourly_cost) == (
        MON,
        WEEK,
        270,
        anna.hourly_cost,
    )
    assert shift.start == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_overlapping_shifts_of_one_person_are_refused(open_store, anna, cashier, cook):
    shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15))
    error = refused(store=open_store, staff=anna, position=cook, start=at(MON, 14), end=at(MON, 18))
    assert (error.field, error.code, status_for(error)) == ("start", "overlap", 409)
    assert "Anna already works 11:00–15:00 as cashier" in error.message


def test_back_to_back_shifts_do_not_overlap(open_store, anna, cashier, cook):
    shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15))
    shift_create(store=open_store, staff=anna, position=cook, start=at(MON, 15), end=at(MON, 19))
    assert Shift.objects.filter(staff=anna).count() == 2


def test_the_same_user_cannot_be_double_booked_at_two_stores(open_store, anna, cashier):
    user = MembershipFactory(store=open_store).user
    anna.user = user
    anna.save()
    other = StoreFactory(time_zone="Europe/Berlin")
    other_cashier = PositionFactory(store=other, name="cashier")
    anna_there = StaffMemberFactory(store=other, user=user, name="Anna", positions=[other_cashier])
    shift_create(
        store=other,
        staff=anna_there,
        position=other_cashier,
        start=at(MON, 12),
        end=at(MON, 16),
        reason="stocktake",
    )
    error = refused(store=open_store, staff=anna, position=cashier, start=at(MON, 15), end=at(MON, 20))
    assert (error.field, error.code, status_for(error)) == ("staff", "double_booked", 409)
    assert other.name in error.message


def test_a_day_off_refuses_the_shift(open_store, ben, cashier):
    DaysOff.objects.create(staff=ben, first_day=MON, last_day=MON + dt.timedelta(days=1), reason="holiday")
    error = refused(store=open_store, staff=ben, position=cashier, start=at(MON, 12), end=at(MON, 16))
    assert (error.field, error.code) == ("start", "day_off")
    assert "holiday" in error.message
    shift_create(
        store=open_store,
        staff=ben,
        position=cashier,
        start=at(MON + dt.timedelta(days=2), 12),
        end=at(MON + dt.timedelta(days=2), 16),
    )


def test_outside_availability_is_refused_and_inside_is_fine(open_store, ben, cashier):
    Availability.objects.create(staff=ben, weekday=0, start=dt.time(11), end=dt.time(17))
    error = refused(store=open_store, staff=ben, position=cashier, start=at(MON, 15), end=at(MON, 19))
    assert (error.field, error.code, status_for(error)) == ("start", "outside_availability", 409)
    assert "11:00–17:00" in error.message
    # Tuesday has no availability row at all: refused too, since Ben gave availability.
    error = refused(
        store=open_store,
        staff=ben,
        position=cashier,
        start=at(MON + dt.timedelta(days=1), 12),
        end=at(MON + dt.timedelta(days=1), 14),
    )
    assert error.code == "outside_availability"
    shift_create(store=open_store, staff=ben, position=cashier, start=at(MON, 11), end=at(MON, 17))


def test_availability_passing_midnight_covers_a_late_shift(open_store, ben, cashier):
    Availability.objects.create(staff=ben, weekday=4, start=dt.time(18), end=dt.time(3))
    shift = shift_create(store=open_store, staff=ben, position=cashier, start=at(FRI, 20), end=at(SAT, 1, 30))
    assert shift.minutes == 330


def test_outside_opening_hours_needs_a_reason(open_store, anna, cashier):
    error = refused(store=open_store, staff=anna, position=cashier, start=at(MON, 9), end=at(MON, 13))
    assert (error.field, error.code, status_for(error)) == ("reason", "outside_opening_hours", 409)
    assert "11:00–23:00" in error.message
    shift = shift_create(
        store=open_store,
        staff=anna,
        position=cashier,
        start=at(MON, 9),
        end=at(MON, 13),
        reason="Morning delivery and prep",
    )
    assert shift.reason == "Morning delivery and prep"


def test_opening_hours_past_midnight_and_sunday_closed(open_store, anna, cashier):
    # Friday 11:00 to Saturday 02:00 is open; Saturday 02:00-03:00 is not.
    shift_create(store=open_store, staff=anna, position=cashier, start=at(FRI, 19), end=at(SAT, 2))
    error = refused(
        store=open_store,
        staff=anna,
        position=cashier,
        start=at(SAT, 22),
        end=at(SAT + dt.timedelta(days=1), 3),
    )
    assert error.code == "outside_opening_hours"
    sunday = WEEK + dt.timedelta(days=6)
    assert (
        refused(store=open_store, staff=anna, position=cashier, start=at(sunday, 12), end=at(sunday, 14)).code
        == "outside_opening_hours"
    )


def test_a_closed_date_is_outside_opening_hours(open_store, anna, cashier):
    ClosedDate.objects.create(store=open_store, date=MON, reason="Rosenmontag")
    assert (
        refused(store=open_store, staff=anna, position=cashier, start=at(MON, 12), end=at(MON, 14)).code
        == "outside_opening_hours"
    )


def test_bad_ranges_and_positions(open_store, anna, ben, cook, other_store):
    assert (
        refused(store=open_store, staff=anna, position=cook, start=at(MON, 15), end=at(MON, 12)).code
        == "before_start"
    )
    assert (
        refused(
            store=open_store,
            staff=anna,
            position=cook,
            start=at(MON, 11),
            end=at(MON + dt.timedelta(days=1), 11),
        ).code
        == "too_long"
    )
    assert (
        refused(store=open_store, staff=ben, position=cook, start=at(MON, 12), end=at(MON, 14)).code
        == "not_qualified"
    )
    foreign = PositionFactory(store=other_store)
    error = refused(store=open_store, staff=anna, position=foreign, start=at(MON, 12), end=at(MON, 14))
    assert (error.field, status_for(error)) == ("position", 404)


def test_moving_a_shift_checks_the_same_rules_and_ignores_itself(open_store, anna, cashier):
    first = shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 11), end=at(MON, 15))
    second = shift_create(store=open_store, staff=anna, position=cashier, start=at(MON, 17), end=at(MON, 21))
    moved = shift_move(shift=second, start=at(MON, 16), end=at(MON, 22))
    assert moved.minutes == 360
    with pytest.raises(DomainError) as caught:
        shift_move(shift=second, start=at(MON, 14), end=at(MON, 18))
    assert caught.value.code == "overlap"
    second.refresh_from_db()
    assert second.start == at(MON, 16)
    shift_delete(shift=first)
    shift_move(shift=second, start=at(MON, 12), end=at(MON, 18))
    assert Shift.objects.get().start == at(MON, 12)
