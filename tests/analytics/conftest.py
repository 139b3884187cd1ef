import datetime as dt
import zoneinfo

import pytest

from orders.services import LineRequest, order_place

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


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
