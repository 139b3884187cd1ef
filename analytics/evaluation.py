"""The metric each insight kind aims at, measured over a window (before and after acting)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Sum
from django.db.models.functions import Coalesce

from customers import selectors as customer_selectors
from inventory.models import Ingredient, StockMovement
from kitchen.models import Ticket
from restaurant_ops.timeutils import business_date

from . import selectors
from .analyses import costing

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
    """Gross margin over the sales whose food cost is known (as every margin figure is)."""

    rows = [r for r in costing.costed_sales(insight.store, first, last) if r["food_cost"] is not None]
    revenue = sum((r["revenue"] for r in rows), Decimal("0"))
    if not revenue:
        return None
    return ((revenue - sum((r["food_cost"] for r in rows), Decimal("0"))) / revenue).quantize(
        Q4, ROUND_HALF_UP
    )


def _ingredient_cost(insight, first, last) -> Decimal | None:
    """Average price paid per base unit at the goods receipts in the window (a switch or a
    negotiation should lower it)."""

    ingredient_id = insight.subject.split(":", 1)[1]
    row = StockMovement.objects.filter(
        ingredient_id=ingredient_id,
        kind=StockMovement.Kind.RECEIPT,
        unit_cost__isnull=False,
        business_date__gte=first,
        business_date__lte=last,
    ).aggregate(paid=Sum(F("unit_cost") * F("quantity")), quantity=Sum("quantity"))
    if not row["quantity"]:
        return None
    return (row["paid"] / row["quantity"]).quantize(Decimal("0.000001"), ROUND_HALF_UP)


def _sold_out_days(insight, first, last) -> Decimal:
    """Days in the window on which the ingredient's stock was at or below zero at the end of the day
    (ordering in time should bring it to zero)."""

    ingredient = Ingredient.objects.get(pk=insight.subject.split(":", 1)[1])
    before = StockMovement.objects.filter(ingredient=ingredient, business_date__lt=first).aggregate(
        v=Coalesce(Sum("quantity"), Decimal("0"))
    )["v"]
    per_day = dict(
        StockMovement.objects.filter(ingredient=ingredient, business_date__gte=first, business_date__lte=last)
        .values_list("business_date")
        .annotate(v=Sum("quantity"))
        .order_by()
    )
    level, empty = before, 0
    for n in range((last - first).days + 1):
        level += per_day.get(first + dt.timedelta(days=n), Decimal("0"))
        empty += level <= 0
    return Decimal(empty)


def _avg_ticket_minutes(insight, first, last) -> Decimal | None:
    """Average minutes from queued to ready of the kitchen's tickets (enough hands keep it down)."""

    row = Ticket.objects.filter(
        order__store=insight.store,
        order__business_date__gte=first,
        order__business_date__lte=last,
        ready_at__isnull=False,
    ).aggregate(avg=Avg(F("ready_at") - F("queued_at")))
    if row["avg"] is None:
        return None
    return (Decimal(row["avg"].total_seconds()) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _complaint_rate(insight, first, last) -> Decimal | None:
    """Complaints of the insight's category ÷ checks settled (fewer complaints per check is the aim)."""
    tag = insight.subject.split(":", 1)[1] if insight.subject.startswith("tag:") else ""
    return customer_selectors.complaint_rate(store=insight.store, first=first, last=last, tag=tag)


def _churn_rate(insight, first, last) -> Decimal | None:
    """Share of the customers active in the 90 days before the window who did not return in it."""
    return customer_selectors.churn_between(store=insight.store, first=first, last=last)


METRICS = {
    "revenue": _revenue,
    "item_quantity": _item_quantity,
    "orders": _orders,
    "margin_pct": _margin_pct,
    "ingredient_cost": _ingredient_cost,
    "sold_out_days": _sold_out_days,
    "avg_ticket_minutes": _avg_ticket_minutes,
    "complaint_rate": _complaint_rate,
    "churn_rate": _churn_rate,
}


def measure(insight, start: dt.datetime, end: dt.datetime) -> Decimal | None:
    """The metric over the business days in [start, end)."""
    first = business_date(insight.store, start)
    last = business_date(insight.store, end) - dt.timedelta(days=1)
    function = METRICS.get(insight.metric)
    return function(insight, first, last) if function else None


# Which way each metric should move when acting worked.
BETTER = {
    "revenue": 1,
    "item_quantity": 1,
    "orders": 1,
    "margin_pct": 1,
    "ingredient_cost": -1,
    "sold_out_days": -1,
    "avg_ticket_minutes": -1,
    "complaint_rate": -1,
    "churn_rate": -1,
}
HISTORY_WINDOWS = 4


def windows_before(insight, acted_at: dt.datetime, n: int = HISTORY_WINDOWS) -> list[Decimal | None]:
    """The metric over the `n` windows before acting, the latest first (the first is "before")."""
    window = dt.timedelta(days=insight.window_days or 30)
    return [measure(insight, acted_at - (k + 1) * window, acted_at - k * window) for k in range(n)]


def verdict(
    metric: str, before: Decimal | None, after: Decimal | None, history: list
) -> tuple[str, Decimal | None]:
    """(verdict, spread): "worked" or "worse" only when after − before is beyond the spread (max − min)
    of the windows before acting, in the metric's better or worse direction; within it, "no_change";
    "unknown" when a figure is missing."""
    known = [v for v in history if v is not None]
    if before is None or after is None or len(known) < len(history) or not history or metric not in BETTER:
        return "unknown", None
    spread = max(known) - min(known)
    change = (after - before) * BETTER[metric]
    if abs(change) <= spread:
        return "no_change", spread
    return ("worked" if change > 0 else "worse"), spread
