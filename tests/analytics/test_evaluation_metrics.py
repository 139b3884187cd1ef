"""Each insight kind's evaluation metric, on hand-computed numbers."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.evaluation import measure
from analytics.models import Insight
from inventory import services as inventory
from kitchen import services as kitchen
from kitchen.models import Ticket
from orders.services import LineRequest, order_place
from tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db


def at(store, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=store.tz)


def insight(store, kind, subject, metric):
    return Insight(store=store, kind=kind, subject=subject, metric=metric)


def test_ingredient_cost_is_the_average_paid_per_unit(store):
    flour = inventory.ingredient_create(store=store, name="Flour", base_unit="g")
    inventory.stock_movement_record(
        store=store,
        ingredient=flour,
        kind="receipt",
        quantity=100,
        unit_cost=Decimal("0.02"),
        reason="delivery",
        at=at(store, 2),
    )
    inventory.stock_movement_record(
        store=store,
        ingredient=flour,
        kind="receipt",
        quantity=300,
        unit_cost=Decimal("0.03"),
        reason="delivery",
        at=at(store, 4),
    )
    inventory.stock_movement_record(
        store=store,
        ingredient=flour,
        kind="receipt",
        quantity=999,
        unit_cost=Decimal("9"),
        reason="outside the window",
        at=at(store, 9),
    )
    subject = insight(store, "price_change", f"ingredient:{flour.pk}", "ingredient_cost")
    # (100 × 0.02 + 300 × 0.03) / 400 = 11 / 400 = 0.0275
    assert measure(subject, at(store, 1, 5), at(store, 8, 5)) == Decimal("0.027500")


def test_sold_out_days_counts_days_ending_without_stock(store):
    oil = inventory.ingredient_create(store=store, name="Oil", base_unit="ml")
    inventory.stock_movement_record(
        store=store,
        ingredient=oil,
        kind="receipt",
        quantity=100,
        unit_cost=Decimal("0.01"),
        reason="delivery",
        at=at(store, 1),
    )
    inventory.stock_movement_record(
        store=store, ingredient=oil, kind="waste", quantity=100, reason="spilt", at=at(store, 2)
    )
    inventory.stock_movement_record(
        store=store,
        ingredient=oil,
        kind="receipt",
        quantity=50,
        unit_cost=Decimal("0.01"),
        reason="delivery",
        at=at(store, 4),
    )
    subject = insight(store, "low_stock", f"ingredient:{oil.pk}", "sold_out_days")
    # end of day 1: 100, day 2: 0 (empty), day 3: 0 (empty), day 4: 50, day 5: 50
    assert measure(subject, at(store, 1, 5), at(store, 6, 5)) == Decimal(2)


def test_avg_ticket_minutes_from_queued_to_ready(store):
    kitchen.station_create(store=store, name="Grill", is_default=True)
    item = MenuItemFactory(store=store)
    for queued, minutes in ((at(store, 3), 10), (at(store, 3, 19), 25)):
        order = order_place(
            store=store, lines=[LineRequest(item_id=item.pk)], channel="till", placed_at=queued
        )
        Ticket.objects.filter(order=order).update(
            queued_at=queued, ready_at=queued + dt.timedelta(minutes=minutes)
        )
    subject = insight(store, "staffing", "gap:1:x", "avg_ticket_minutes")
    assert measure(subject, at(store, 3, 5), at(store, 4, 5)) == Decimal("17.5")  # (10 + 25) / 2
    assert measure(subject, at(store, 5, 5), at(store, 6, 5)) is None  # no tickets: nothing to compare
