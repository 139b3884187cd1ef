import datetime as dt
from decimal import Decimal

import pytest

from orders import demo
from orders.models import MenuItem, Table
from orders.services import LineRequest, order_place

pytestmark = pytest.mark.django_db


def test_demo_menu_is_orderable_and_building_twice_adds_nothing(store):
    now = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    items = demo.build(store, now=now)
    assert len(items) == len(demo.DEFAULT_ITEMS) and Table.objects.filter(store=store).count() == len(demo.TABLES)
    again = demo.build(store, now=now)
    assert again.keys() == items.keys() and MenuItem.objects.filter(store=store).count() == len(items)
    drumsticks = items["Chicken drumsticks"]
    spice, side = (g.modifiers.first() for g in drumsticks.modifier_groups.order_by("position"))
    order = order_place(store=store, channel="till", lines=[LineRequest(item_id=drumsticks.pk, modifier_ids=[spice.pk,
                                                                                                               side.pk])])
    assert order.total == Decimal("9.50") + Decimal("0.67")  # 7% food tax on 9.50 = 0.665 → 0.67


def test_demo_accepts_a_dish_list(store):
    items = demo.build(store, now=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                       items=[{"name": "Dumplings", "category": "Dim sum", "price": "6.00", "modifiers": ["spice"]}])
    assert list(items) == ["Dumplings"] and items["Dumplings"].category.name == "Dim sum"
