"""The chart pages' reads: kitchen ticket times, supplier price history, the staffing plan beside
the schedule, and gross margin by item and month."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Sum
from django.db.models.functions import ExtractHour

from analytics import selectors
from analytics.analyses import costing
from inventory.models import StockMovement, SupplierPrice
from inventory.units import buying_unit
from kitchen.models import Ticket
from restaurant_ops.models import Store
from restaurant_ops.timeutils import local
from staffing import selectors as staffing_selectors
from staffing.models import Position

from .numbers import TENTH, ZERO, pct, q

# --- kitchen ticket times ----------------------------------------------------------------------------


def ticket_times(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Per station and local hour the ticket was queued (business days first..last of its order):
    tickets completed, average and longest minutes from queued to ready."""
    duration = ExpressionWrapper(F("ready_at") - F("queued_at"), output_field=DurationField())
    rows = (
        Ticket.objects.filter(
            store=store,
            ready_at__isnull=False,
            order__business_date__gte=first,
            order__business_date__lte=last,
        )
        .annotate(hour=ExtractHour("queued_at", tzinfo=store.tz))
        .values("station_id", "station__name", "hour")
        .order_by("station__name", "hour")
        .annotate(tickets=Count("id"), average=Avg(duration), longest=Max(duration))
    )
    return [
        {
            "station_id": r["station_id"],
            "station": r["station__name"],
            "hour": r["hour"],
            "tickets": r["tickets"],
            "average_minutes": _minutes(r["average"]),
            "longest_minutes": _minutes(r["longest"]),
        }
        for r in rows
    ]


def _minutes(value: dt.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return q(Decimal(value.total_seconds()) / 60, TENTH)


# --- supplier price history -------------------------------------------------------------------------


def _per_buying_unit(price_per_base_unit: Decimal, base_unit: str) -> dict:
    """A price per g / ml / piece as suppliers quote it: per kg, per l, per piece (to the cent)."""
    unit, size = buying_unit(base_unit)
    return {"buying_unit": unit, "price_per_buying_unit": q(price_per_base_unit * size, Decimal("0.01"))}


def _change_pct(previous: Decimal | None, price: Decimal) -> Decimal | None:
    """The change from the price replaced, in % to one decimal; None for a first price."""
    if not previous:
        return None
    return q((price - previous) / previous * 100, Decimal("0.1"))


def supplier_price_history(
    store: Store, first: dt.date, last: dt.date, ingredient_id: int | None = None
) -> dict:
    """List prices per base unit by supplier (the price in force at `first` and every change up to
    `last`), and the prices paid at goods receipts (average per ingredient, supplier and day)."""
    prices = SupplierPrice.objects.filter(supplier_item__supplier__store=store, effective_from__lte=last)
    if ingredient_id is not None:
        prices = prices.filter(supplier_item__ingredient_id=ingredient_id)
    rows = list(
        prices.order_by(
            "supplier_item__ingredient__name", "supplier_item__supplier__name", "effective_from", "id"
        ).values(
            "supplier_item__ingredient_id",
            "supplier_item__ingredient__name",
            "supplier_item__ingredient__base_unit",
            "supplier_item__supplier_id",
            "supplier_item__supplier__name",
            "effective_from",
            "unit_price",
        )
    )
    listed = []
    # Keep the last price in force at `first` per (ingredient, supplier) and every later change, each with
    # its change from the price it replaced (that one may lie before the window).
    by_pair: dict[tuple, list] = defaultdict(list)
    for r in rows:
        by_pair[(r["supplier_item__ingredient_id"], r["supplier_item__supplier_id"])].append(r)
    for pair_rows in by_pair.values():
        first_kept = max((i for i, r in enumerate(pair_rows) if r["effective_from"] <= first), default=0)
        for i, r in enumerate(pair_rows[first_kept:], start=first_kept):
            previous = pair_rows[i - 1]["unit_price"] if i else None
            listed.append(
                {
                    "ingredient_id": r["supplier_item__ingredient_id"],
                    "ingredient": r["supplier_item__ingredient__name"],
                    "unit": r["supplier_item__ingredient__base_unit"],
                    "supplier_id": r["supplier_item__supplier_id"],
                    "supplier": r["supplier_item__supplier__name"],
                    "effective_from": max(r["effective_from"], first),
                    "unit_price": r["unit_price"],
                    **_per_buying_unit(r["unit_price"], r["supplier_item__ingredient__base_unit"]),
                    "change_pct": _change_pct(previous, r["unit_price"]),
                }
            )
    receipts = StockMovement.objects.filter(
        store=store,
        kind=StockMovement.Kind.RECEIPT,
        unit_cost__isnull=False,
        business_date__gte=first,
        business_date__lte=last,
    )
    if ingredient_id is not None:
        receipts = receipts.filter(ingredient_id=ingredient_id)
    paid = [
        {
            "ingredient_id": r["ingredient_id"],
            "ingredient": r["ingredient__name"],
            "supplier_id": r["purchase_order_line__purchase_order__supplier_id"],
            "supplier": r["purchase_order_line__purchase_order__supplier__name"] or "",
            "day": r["business_date"],
            "unit_price": q(r["price"], Decimal("0.0001")),
            **_per_buying_unit(r["price"], r["ingredient__base_unit"]),
            "quantity": r["quantity"],
        }
        for r in receipts.values(
            "ingredient_id",
            "ingredient__name",
            "ingredient__base_unit",
            "business_date",
            "purchase_order_line__purchase_order__supplier_id",
            "purchase_order_line__purchase_order__supplier__name",
        )
        .order_by("ingredient__name", "business_date")
        .annotate(price=Avg("unit_cost"), quantity=Sum("quantity"))
    ]
    return {
        "list_prices": sorted(listed, key=lambda r: (r["ingredient"], r["supplier"], r["effective_from"])),
        "receipts": paid,
    }


# --- staffing plan: needed vs scheduled ---------------------------------------------------------------


def staffing_plan(store: Store, week_start: dt.date) -> dict:
    """Needed vs scheduled staff per position and hour for the week (staffing's requirements, written by
    the busy-hour analysis, beside the shifts covering each hour), with the merged suggestions."""
    week_start = staffing_selectors.week_start_for(week_start)
    names = dict(Position.objects.filter(store=store).values_list("pk", "name"))
    hours = [
        {
            "position_id": row.position_id,
            "position": names.get(row.position_id, ""),
            "hour_start": local(store, row.hour_start),
            "needed": row.needed,
            "scheduled": row.scheduled,
            "difference": row.difference,
            "forecast_load": row.forecast_load,
        }
        for row in staffing_selectors.requirement_coverage(store=store, week_start=week_start)
    ]
    suggestions = []
    for suggestion in staffing_selectors.staffing_suggestions(store=store, week_start=week_start):
        data = suggestion.as_dict()
        data.update(
            start=local(store, suggestion.start),
            end=local(store, suggestion.end),
            message=suggestion.message(store),
        )
        suggestions.append(data)
    return {"week_start": week_start, "hours": hours, "suggestions": suggestions}


# --- gross margin by item and month -------------------------------------------------------------------


def margin_by_item_month(
    store: Store, first: dt.date, last: dt.date, *, periods: list[tuple[dt.date, dt.date]] | None = None
) -> dict:
    """Per period and per item within it: quantity, revenue, food cost (`costing`: modifiers and each
    day's recipe and ingredient cost), gross profit and margin %. The periods are the calendar months of
    first..last (the first and last cut to the range), or `periods` as given — the dashboard asks for
    PRODUCT.md's pair (`margin.periods`), the same as the waterfall, the overview and the insight. Every
    row says its `start` and `end`. An item's cost is None when unknown; a period's gross profit and
    margin are over the items with a known cost (`costs_known_share` of its revenue)."""
    if periods is None:
        periods, month = [], first.replace(day=1)
        while month <= last:
            following = (month + dt.timedelta(days=32)).replace(day=1)
            periods.append((max(month, first), min(following - dt.timedelta(days=1), last)))
            month = following
    names = {pk: item["name"] for pk, item in selectors.items_of(store).items()}
    # The recipes and every day's ingredient costs read once for all the periods, as the margin report does.
    book = costing.recipes(store)
    days = {start + dt.timedelta(days=n) for start, end in periods for n in range((end - start).days + 1)}
    costs = costing.ingredient_costs(book.ingredient_ids(), days)
    rows = []
    for start, end in periods:
        for row in costing.costed_sales(store, start, end, book=book, costs=costs):
            row["month"] = start
            rows.append(row)
    return _margin_table(rows, names, dict(periods))


def _margin_table(rows: list[dict], names: dict, ends: dict[dt.date, dt.date]) -> dict:
    by_item, months = [], {start: [] for start in sorted(ends)}
    cells = costing.totals(rows, ("month", "menu_item_id"))
    for (month, item_id), cell in sorted(
        cells.items(), key=lambda kv: (kv[0][0], names.get(kv[0][1], ""), kv[0][1])
    ):
        food = cell["food_cost"]
        profit = None if food is None else q(cell["revenue"] - food)
        by_item.append(
            {
                "month": month,
                "start": month,
                "end": ends[month],
                "menu_item_id": item_id,
                "name": names.get(item_id, ""),
                "quantity": cell["quantity"],
                "revenue": q(cell["revenue"]),
                "food_cost": q(food),
                "gross_profit": profit,
                "margin_pct": pct(profit, cell["revenue"]),
                "costs_known": food is not None,
            }
        )
    for row in rows:
        months[row["month"]].append(row)
    by_month = []
    for month, month_rows in sorted(months.items()):
        known = [r for r in month_rows if r["food_cost"] is not None]
        known_revenue = sum((r["revenue"] for r in known), ZERO)
        food = sum((r["food_cost"] for r in known), ZERO)
        profit = q(known_revenue - food) if known else None
        by_month.append(
            {
                "month": month,
                "start": month,
                "end": ends[month],
                "quantity": sum(r["quantity"] for r in month_rows),
                "revenue": q(sum((r["revenue"] for r in month_rows), ZERO)),
                "food_cost": q(food) if known else None,
                "gross_profit": profit,
                "margin_pct": pct(profit, known_revenue),
                "costs_known_share": costing.known_share(month_rows),
            }
        )
    return {
        "costs_known": any(r["food_cost"] is not None for r in rows),
        "by_month": by_month,
        "by_item": by_item,
    }
