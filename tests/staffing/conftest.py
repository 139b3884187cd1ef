"""Staffing fixtures: a Berlin store open 11:00–23:00 Monday to Thursday and 11:00–02:00 Friday and
Saturday (past midnight), a cashier position (12 orders per hour) and a cook position (20 kitchen items
per hour), and two staff members. Weeks used in tests: Monday 2026-03-02 (CET, UTC+1)."""

import datetime as dt
from decimal import Decimal

import pytest

from staffing.models import Position
from tests.factories import OpeningHoursFactory
from tests.staffing.factories import PositionFactory, StaffMemberFactory

WEEK = dt.date(2026, 3, 2)  # a Monday


def at(day: dt.date, hour: int, minute: int = 0, tz="Europe/Berlin") -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(tz))


@pytest.fixture
def open_store(store):
    for weekday in range(4):
        OpeningHoursFactory(store=store, weekday=weekday, opens=dt.time(11), closes=dt.time(23))
    for weekday in (4, 5):
        OpeningHoursFactory(store=store, weekday=weekday, opens=dt.time(11), closes=dt.time(2))
    return store


@pytest.fixture
def cashier(open_store):
    return PositionFactory(store=open_store, name="cashier", productivity_target=Decimal("12"))


@pytest.fixture
def cook(open_store):
    return PositionFactory(
        store=open_store,
        name="cook",
        load_kind=Position.LoadKind.KITCHEN_ITEMS,
        productivity_target=Decimal("20"),
    )


@pytest.fixture
def anna(open_store, cashier, cook):
    return StaffMemberFactory(
        store=open_store, name="Anna", hourly_cost=Decimal("16.00"), positions=[cashier, cook]
    )


@pytest.fixture
def ben(open_store, cashier):
    return StaffMemberFactory(store=open_store, name="Ben", hourly_cost=Decimal("14.50"), positions=[cashier])
