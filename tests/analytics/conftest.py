import datetime as dt
import zoneinfo

import pytest

from orders.services import LineRequest, order_place

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(day: dt.date, hour: int, minute: int = 0, tz=BERLIN) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def sell_order(store, lines, placed_at, **kwargs):
    """[(item, qty) or (item, qty, [modifier, ...]), ...] placed at `placed_at` through the real order
    service -> Order."""
    return order_place(
        store=store,
        channel="till",
        placed_at=placed_at,
        lines=[
            LineRequest(item_id=item.pk, quantity=qty, modifier_ids=[m.pk for m in (rest[0] if rest else [])])
            for item, qty, *rest in lines
        ],
        **kwargs,
    )


@pytest.fixture
def sell():
    """sell(store, lines, placed_at) -> Order: `sell_order`."""
    return sell_order


def two_days_in_new_york_sold(D: dt.date) -> dict:
    """A New York store (UTC−5 on 2 March), window D..D+1. One ingredient x (pcs) at 1.00 until a receipt
    at 2.00 on D+1. Mains: P 10.00 takes 2 x, 3 x from D+1 (recipe history), and its modifier "Extra"
    (+1.50) takes 1 x more; Q 8.00 takes 1 x; R 6.00 takes 1 x and sells only on D+2 (outside the
    window). Drinks: S 3.00 has no recipe (unknown cost).
    D 23:30 New York (04:30 UTC on D+1, after the 04:00 cutoff: D+1 if the time zone were dropped):
      P ×2 with Extra, Q ×4.   D+1 12:00: P ×2, Q ×4, S ×3.   D+2 12:00: R ×5."""
    from decimal import Decimal

    from inventory import services as inventory
    from tests.factories import (
        MenuCategoryFactory,
        MenuItemFactory,
        ModifierFactory,
        ModifierGroupFactory,
        StoreFactory,
    )
    from tests.inventory.factories import IngredientFactory

    store = StoreFactory(time_zone="America/New_York")
    x = IngredientFactory(store=store, name="X", base_unit="pcs")
    for day, cost in ((D - dt.timedelta(days=30), "1.00"), (D + dt.timedelta(days=1), "2.00")):
        inventory.stock_movement_record(
            store=store,
            ingredient=x,
            kind="receipt",
            quantity=Decimal("1000"),
            reason="delivery",
            unit_cost=Decimal(cost),
            at=at(day, 8, tz=NEW_YORK),
        )
    mains, drinks = (
        MenuCategoryFactory(store=store, name="Mains"),
        MenuCategoryFactory(store=store, name="Drinks"),
    )
    p, q, r = (
        MenuItemFactory(store=store, category=mains, name=n, price=Decimal(price))
        for n, price in (("P", "10.00"), ("Q", "8.00"), ("R", "6.00"))
    )
    s = MenuItemFactory(store=store, category=drinks, name="S", price=Decimal("3.00"))
    extras = ModifierGroupFactory(store=store)
    p.modifier_groups.add(extras)
    extra = ModifierFactory(group=extras, name="Extra", price_delta=Decimal("1.50"))
    for owner, pcs in (({"menu_item": p}, "2"), ({"menu_item": q}, "1"), ({"menu_item": r}, "1"),
                       ({"modifier": extra}, "1")):  # fmt: skip
        inventory.recipe_line_set(store=store, ingredient=x, quantity=Decimal(pcs), unit="pcs", **owner)
    inventory.recipe_line_set(
        store=store,
        ingredient=x,
        quantity=Decimal("3"),
        unit="pcs",
        menu_item=p,
        valid_from=D + dt.timedelta(days=1),
    )
    sell_order(store, [(p, 2, [extra]), (q, 4)], at(D, 23, 30, tz=NEW_YORK))
    sell_order(store, [(p, 2), (q, 4), (s, 3)], at(D + dt.timedelta(days=1), 12, tz=NEW_YORK))
    sell_order(store, [(r, 5)], at(D + dt.timedelta(days=2), 12, tz=NEW_YORK))
    return {"store": store, "mains": mains, "drinks": drinks}
