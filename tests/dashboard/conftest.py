"""Fixtures for the dashboard: a Berlin store with two items and a few weeks of orders placed through the
real order service, at fixed times, so every figure can be computed by hand."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from orders.services import LineRequest, order_place
from tests.factories import MembershipFactory, MenuItemFactory, StoreFactory, UserFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
TODAY = dt.date(2025, 3, 19)  # a Wednesday
NOW = dt.datetime(2025, 3, 19, 13, 0, tzinfo=BERLIN)
PASSWORD = "pass-word-123"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


def sell(store, lines, placed_at):
    return order_place(
        store=store,
        channel="till",
        placed_at=placed_at,
        lines=[LineRequest(item_id=item.pk, quantity=qty) for item, qty in lines],
    )


@pytest.fixture
def shop(db):
    """Store + owner + items A (10.00) and B (4.00), and these orders (Berlin time):
    Wed 19.03 11:00 A×2, 12:30 B×1, 13:30 A×1 (after NOW)   → 34.00, 3 orders (24.00, 2 so far)
    Wed 12.03 11:30 A×1, 15:00 A×3                          → 40.00, 2 orders (10.00, 1 so far)
    Wed 05.03 12:00 B×2                                     →  8.00, 1 order
    Wed 26.02 nothing (did not trade)
    Wed 19.02 10:00 A×1 + B×1                               → 14.00, 1 order"""
    store = StoreFactory(time_zone="Europe/Berlin", currency="EUR")
    owner = UserFactory()
    MembershipFactory(user=owner, store=store, role="owner")
    a = MenuItemFactory(store=store, name="Wings", price=Decimal("10.00"))
    b = MenuItemFactory(store=store, name="Fries", price=Decimal("4.00"), category=a.category)
    orders = [
        sell(store, [(a, 2)], at(TODAY, 11)),
        sell(store, [(b, 1)], at(TODAY, 12, 30)),
        sell(store, [(a, 1)], at(TODAY, 13, 30)),
        sell(store, [(a, 1)], at(dt.date(2025, 3, 12), 11, 30)),
        sell(store, [(a, 3)], at(dt.date(2025, 3, 12), 15)),
        sell(store, [(b, 2)], at(dt.date(2025, 3, 5), 12)),
        sell(store, [(a, 1), (b, 1)], at(dt.date(2025, 2, 19), 10)),
    ]
    return {"store": store, "owner": owner, "a": a, "b": b, "orders": orders}


@pytest.fixture
def owner_client(client, shop):
    client.force_login(shop["owner"])
    return client
