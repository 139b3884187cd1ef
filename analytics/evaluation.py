"""The metric each insight kind aims at, measured over a window (before and after acting)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from restaurant_ops.timeutils import business_date

from . import selectors

Q4 = Decimal("0.0001")


def _revenue(insight, first: dt.date, last: dt.date) -> Decimal:
    return (
        selectors.counted_lines(insight.store)
        .filter(order__business_date__gte=first, order__business_date__lte=last)
        .aggregate(v=Coalesce(Sum("net_amount"), Decimal("0")))["v"]
    )


def _item_quantity(insight, first, last) -> Decimal:
    item_id = insight.subject.split(":", 1)[1]
    return Decimal(
        selectors.counted_lines(insight.store)
        .filter(menu_item_id=item_id, order__business_date__gte=first, order__business_date__lte=last)
        .aggregate(v=Coalesce(Sum("quantity"), 0))["v"]
    )


def _orders(insight, first, last) -> Decimal:
    return Decimal(
        selectors.counted_orders(insight.store)
        .filter(business_date__gte=first, business_date__lte=last)
        .aggregate(v=Count("id"))["v"]
    )


def _margin_pct(insight, first, last) -> Decimal | None:
    from .analyses.sales import _profit

    profit = _profit(insight.store, first, last)
    revenue = _revenue(insight, first, last)
    if profit is None or not revenue:
        return None
    return (sum(profit.values(), Decimal("0")) / revenue).quantize(Q4, ROUND_HALF_UP)


METRICS = {"revenue": _revenue, "item_quantity": _item_quantity, "orders": _orders, "margin_pct": _margin_pct}


def measure(insight, start: dt.datetime, end: dt.datetime) -> Decimal | None:
    """The metric over the business days in [start, end)."""
    first = business_date(insight.store, start)
    last = business_date(insight.store, end) - dt.timedelta(days=1)
    function = METRICS.get(insight.metric)
    return function(insight, first, last) if function else None
