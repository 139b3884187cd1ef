import datetime as dt
import zoneinfo

import pytest

from orders.services import LineRequest, order_place

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def at(day: dt.date, hour: int, minute: int = 0, tz=BERLIN) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


@pytest.fixture
def sell():
    """sell(store, [(item, qty) or (item, qty, [modifier, ...]), ...], placed_at) -> Order, through the
    real order service."""

    def _sell(store, lines, placed_at, **kwargs):
        return order_place(
            store=store,
            channel="till",
            placed_at=placed_at,
            lines=[
                LineRequest(
                    item_id=item.pk, quantity=qty, modifier_ids=[m.pk for m in (rest[0] if rest else [])]
                )
                for item, qty, *rest in lines
            ],
            **kwargs,
        )

    return _sell
