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


def _order_at(store, moment):
    from orders.services import LineRequest, order_place
    from tests.factories import MenuItemFactory

    item = MenuItemFactory(store=store)
    return order_place(
        store=store,
        channel="till",
        service_type="takeaway",
        placed_at=moment,
        lines=[LineRequest(item_id=item.pk, quantity=1)],
    )


def test_the_api_writes_a_store_s_times_in_its_zone_with_the_offset(client):
    """11:00 UTC on 19 March 2026 is 12:00 in Berlin (+01:00, winter time) and 19:00 in Shanghai (+08:00)."""
    from rest_framework.test import APIClient

    from restaurant_ops.models import Role
    from restaurant_ops.services import api_key_create
    from tests.factories import MembershipFactory

    berlin = StoreFactory(time_zone="Europe/Berlin")
    shanghai = StoreFactory(time_zone="Asia/Shanghai")
    moment = dt.datetime(2026, 3, 19, 11, 0, tzinfo=dt.UTC)
    orders = {store.pk: _order_at(store, moment) for store in (berlin, shanghai)}

    # A store's key: its own store's zone.
    _key, raw = api_key_create(store=shanghai, name="POS", scope="read", created_by=None)
    pos = APIClient()
    pos.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    order = pos.get(f"/api/v1/orders/{orders[shanghai.pk].pk}/").json()
    assert order["placed_at"] == "2026-03-19T19:00:00+08:00"

    # A person with both stores: the zone of the store the call names.
    owner = MembershipFactory(store=berlin, role=Role.OWNER).user
    MembershipFactory(store=shanghai, role=Role.OWNER, user=owner)
    client.force_login(owner)
    listed = client.get("/api/v1/orders/", {"store": berlin.slug}).json()["results"]
    assert [o["placed_at"] for o in listed] == ["2026-03-19T12:00:00+01:00"]
    detail = client.get(f"/api/v1/orders/{orders[shanghai.pk].pk}/", {"store": shanghai.slug}).json()
    assert detail["placed_at"] == "2026-03-19T19:00:00+08:00"
    # Naming no store, a call that may span both answers in UTC, still with the offset.
    both = client.get("/api/v1/orders/").json()["results"]
    assert {o["placed_at"] for o in both} == {"2026-03-19T11:00:00Z"}
