import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from restaurant_ops.models import Daypart, OpeningHours
from restaurant_ops.timeutils import business_date, business_day_bounds, is_open_at
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_an_order_at_0130_belongs_to_the_day_before():
    store = StoreFactory(time_zone="Europe/Berlin")
    assert business_date(store, dt.datetime(2026, 3, 7, 1, 30, tzinfo=BERLIN)) == dt.date(2026, 3, 6)
    assert business_date(store, dt.datetime(2026, 3, 7, 4, 0, tzinfo=BERLIN)) == dt.date(2026, 3, 7)
    # 23:30 UTC on the 6th is 00:30 in Berlin on the 7th: still the 6th's business day.
    assert business_date(store, dt.datetime(2026, 3, 6, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 3, 6)


def test_a_midnight_cutoff_makes_calendar_days():
    store = StoreFactory(business_day_cutoff=dt.time(0, 0))
    assert business_date(store, dt.datetime(2026, 3, 7, 0, 30, tzinfo=BERLIN)) == dt.date(2026, 3, 7)


def test_business_day_bounds_across_dst():
    store = StoreFactory(time_zone="Europe/Berlin")
    start, end = business_day_bounds(store, dt.date(2026, 3, 28))  # clocks go forward on the 29th
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=23)
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 3, 28, 3, 0, tzinfo=dt.UTC)


def test_opening_hours_may_pass_midnight():
    store = StoreFactory(time_zone="Europe/Berlin")
    OpeningHours.objects.create(store=store, weekday=4, opens=dt.time(17), closes=dt.time(2))  # Friday
    assert is_open_at(store, dt.datetime(2026, 3, 6, 23, 0, tzinfo=BERLIN))  # Friday 23:00
    assert is_open_at(store, dt.datetime(2026, 3, 7, 1, 30, tzinfo=BERLIN))  # Saturday 01:30
    assert not is_open_at(store, dt.datetime(2026, 3, 7, 2, 30, tzinfo=BERLIN))
    assert not is_open_at(store, dt.datetime(2026, 3, 6, 16, 0, tzinfo=BERLIN))


def test_daypart_contains_handles_late_night():
    late = Daypart(name="late", starts=dt.time(22), ends=dt.time(2))
    assert late.contains(dt.time(23, 30)) and late.contains(dt.time(1, 0)) and not late.contains(dt.time(12))


def test_unknown_time_zone_is_rejected():
    store = StoreFactory.build(time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        store.full_clean()
    assert "time_zone" in error.value.message_dict
