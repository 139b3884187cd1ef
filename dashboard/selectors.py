"""Reads behind the owner's dashboard: overview figures, ticket times, supplier price history, the staffing
plan beside the schedule, labour cost per day, and gross margin by item and month. Every function aggregates
in the database and returns plain data (lists/dicts of aggregates) ready for the API and the charts."""

import datetime as dt
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import selectors
from analytics.analyses import costing, margin
from analytics.models import Insight
from inventory import selectors as inventory_selectors
from inventory import units
from inventory.models import Ingredient, PurchaseOrder, StockMovement, SupplierItem, SupplierPrice
from inventory.units import buying_unit
from kitchen.models import Ticket
from orders.models import MenuItem
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, business_day_bounds, local
from staffing import selectors as staffing_selectors
from staffing.models import Position, Shift, StaffingTarget, StaffMember
from staffing.selectors import labour_so_far

ZERO = Decimal("0")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _q(value: Decimal | None, step: Decimal = CENT) -> Decimal | None:
    return None if value is None else value.quantize(step, ROUND_HALF_UP)


def _pct(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return _q(Decimal(part) * 100 / Decimal(whole), TENTH)


# --- labour cost per business day (scheduled shifts; staffing's snapshot of the hourly cost) ------------


def labour_cost_by_day(store: Store, first: dt.date, last: dt.date) -> dict[dt.date, Decimal]:
    """Scheduled labour cost per business day = Σ minutes × hourly cost / 60 of the day's shifts."""
    minute_cost = ExpressionWrapper(
        F("minutes") * F("hourly_cost"), output_field=DecimalField(max_digits=16, decimal_places=2)
    )
    rows = (
        Shift.objects.filter(store=store, business_date__range=(first, last))
        .values("business_date")
        .order_by()
        .annotate(cost=Sum(minute_cost))
    )
    return {r["business_date"]: _q(Decimal(r["cost"] or 0) / 60) for r in rows}


def labour_target_pct(store: Store) -> Decimal | None:
    target = (
        StaffingTarget.objects.filter(store=store).values_list("labour_cost_target_pct", flat=True).first()
    )
    return target


def _food_cost_by_day(
    store: Store, first: dt.date, last: dt.date, until: dt.datetime | None = None
) -> dict[dt.date, dict] | None:
    """Per business day: food cost and the revenue it belongs to, over the sales whose cost is known
    (`costing`: modifiers and the day's recipe included), and the share of revenue with a known cost.
    None without inventory."""
    rows = costing.costed_sales(store, first, last, until=until)
    if rows is None:
        return None
    out: dict[dt.date, dict] = {}
    for row in rows:
        cell = out.setdefault(row["day"], {"known_revenue": ZERO, "food_cost": ZERO, "rows": []})
        cell["rows"].append(row)
        if row["food_cost"] is not None:
            cell["known_revenue"] += row["revenue"]
            cell["food_cost"] += row["food_cost"]
    for cell in out.values():
        cell["known_share"] = costing.known_share(cell.pop("rows"))
    return out


# --- overview -----------------------------------------------------------------------------------------


def _figures(sales: Decimal, orders: int, food: dict | None, labour: Decimal | None) -> dict:
    """Gross margin % is over the sales whose food cost is known (`costs_known_share` says how much)."""
    return {
        "sales": _q(sales),
        "orders": orders,
        "average_check": _q(sales / orders) if orders else None,
        "gross_margin_pct": _pct(food["known_revenue"] - food["food_cost"], food["known_revenue"])
        if food
        else None,
        "costs_known_share": food["known_share"] if food else None,
        "labour_pct": _pct(labour, sales) if labour is not None else None,
    }


def _so_far(store: Store, days: list[dt.date], elapsed: dt.timedelta) -> dict[dt.date, dict]:
    """Per business day in `days`: net sales (less the refunds given in that time) and orders placed
    within `elapsed` of the day's start. Two queries (lines and orders) grouped by day, and two per day
    for its refunds."""
    condition = Q()
    order_condition = Q()
    for day in days:
        start = business_day_bounds(store, day)[0]
        condition |= Q(order__business_date=day, order__placed_at__lt=start + elapsed)
        order_condition |= Q(business_date=day, placed_at__lt=start + elapsed)
    money = {
        r["order__business_date"]: r["sales"]
        for r in selectors.counted_lines(store)
        .filter(condition)
        .values("order__business_date")
        .annotate(sales=Coalesce(Sum("net_amount"), ZERO))
        .order_by()
    }
    counts = {
        r["business_date"]: r["orders"]
        for r in selectors.counted_orders(store)
        .filter(order_condition)
        .values("business_date")
        .annotate(orders=Count("id"))
        .order_by()
    }
    for day in days:  # refunds given by the same time of that day reduce its net sales (`refunds`)
        until = business_day_bounds(store, day)[0] + elapsed
        given_back = sum((r["revenue"] for r in selectors.refunds(store, day, day, until=until)), ZERO)
        if given_back:
            money[day] = _q(money.get(day, ZERO) + given_back)
    return {day: {"sales": money.get(day, ZERO), "orders": counts.get(day, 0)} for day in days}


def overview(
    store: Store, now: dt.datetime, first: dt.date | None = None, last: dt.date | None = None
) -> dict:
    """Today so far beside the usual for this weekday (the mean of the last four same weekdays that
    traded, each up to the same time into its business day) and the same day last week up to that
    time; plus the daily trend over first..last (default: the six weeks to today) with, per day, the
    same day last week and the four-week average of that weekday as comparison lines.

    Gross margin % = (sales − food cost) / sales, food cost from recipes at each day's ingredient cost
    (None until inventory can cost the items); labour % = scheduled labour cost / sales of the day."""
    today = business_date(store, now)
    last = last or today
    first = first or last - dt.timedelta(days=41)
    day_start = business_day_bounds(store, today)[0]
    elapsed = max(now - day_start, dt.timedelta(0))
    same_weekdays = [today - dt.timedelta(days=7 * k) for k in range(1, 5)]
    so_far = _so_far(store, [today, *same_weekdays], elapsed)
    traded = selectors.trading_days(store, same_weekdays[-1], same_weekdays[0])
    traded -= selectors.closed_dates(store, same_weekdays[-1], same_weekdays[0])
    usual_days = [d for d in same_weekdays if d in traded]
    # Margin and labour % for partial days: the food cost of the items sold so far is not known per
    # hour here, so today's margin uses the whole day's lines so far (they are the same lines).
    food_today = (_food_cost_by_day(store, today, today, until=day_start + elapsed) or {}).get(today)
    today_fig = _figures(
        so_far[today]["sales"], so_far[today]["orders"], food_today, _labour_so_far(store, today, now)
    )
    if usual_days:
        usual_sales = sum((so_far[d]["sales"] for d in usual_days), ZERO) / len(usual_days)
        usual_orders = Decimal(sum(so_far[d]["orders"] for d in usual_days)) / len(usual_days)
        usual = {
            "sales": _q(usual_sales),
            "orders": _q(usual_orders, TENTH),
            "average_check": _q(usual_sales / usual_orders) if usual_orders else None,
            "days": usual_days,
        }
    else:
        usual = {"sales": None, "orders": None, "average_check": None, "days": []}
    last_week = so_far[same_weekdays[0]]
    trend = daily_trend(store, first, last)
    return {
        "store": store.slug,
        "currency": store.currency,
        "today": today,
        "as_of": now,
        "today_so_far": today_fig,
        "usual": usual,
        "same_day_last_week": {"sales": _q(last_week["sales"]), "orders": last_week["orders"]},
        "labour_target_pct": labour_target_pct(store),
        "start": first,
        "end": last,
        "trend": trend,
        "gross_profit": gross_profit_change(store, now),
        "has_data": selectors.first_sale_date(store) is not None,
    }


def stores_side_by_side(stores: list[Store], now: dt.datetime, days: int) -> list[dict]:
    """One row per store for the owner's chain view: over each store's last `days` business days up to
    today (in its own time zone), net sales, orders, gross margin % (over the sales whose food cost is
    known), labour % (labour cost / net sales; today's from the hours elapsed) and the insights still
    open. The same figures, by the same definitions, as the store's own overview (`_figures`)."""
    open_insights = dict(
        Insight.objects.filter(store__in=stores, state__in=Insight.OPEN_STATES)
        .values("store")
        .annotate(n=Count("id"))
        .values_list("store", "n")
    )
    out = []
    for store in stores:
        last = business_date(store, now)
        first = last - dt.timedelta(days=days - 1)
        # net sales less the refunds given in those days, as the overview's trend counts them
        totals = selectors.rollup(store, first, last).aggregate(sales=Sum("net_sales"), orders=Sum("orders"))
        sales, orders = _q(Decimal(totals["sales"] or 0)), totals["orders"] or 0
        food_days = _food_cost_by_day(store, first, last)
        food = None
        if food_days is not None:
            known = sum((d["known_revenue"] for d in food_days.values()), ZERO)
            cost = sum((d["food_cost"] for d in food_days.values()), ZERO)
            share = (known / sales).quantize(Decimal("0.0001")) if sales else None
            food = {"known_revenue": known, "food_cost": cost, "known_share": share}
        # Labour as the store's overview counts it: the days before today from their shifts, today from
        # the hours elapsed by `now`; no figure at all when nobody was scheduled.
        labour_parts = list(labour_cost_by_day(store, first, last - dt.timedelta(days=1)).values())
        if (today_labour := _labour_so_far(store, last, now)) is not None:
            labour_parts.append(today_labour)
        labour = sum(labour_parts, ZERO) if labour_parts else None
        out.append(
            {
                "store": store,
                "currency": store.currency,
                "start": first,
                "end": last,
                **_figures(sales, orders, food, labour if sales else None),
                "labour_cost": _q(labour) if labour is not None else None,
                "open_insights": open_insights.get(store.pk, 0),
            }
        )
    return out


def _labour_so_far(store: Store, day: dt.date, now: dt.datetime) -> Decimal | None:
    """Labour cost of the day's hours elapsed by `now` (clocked time, else the schedule); None for a day
    with neither (shown "—", not 0%)."""

    cell = labour_so_far(store=store, day=day, until=now)
    if not (cell["actual_hours"] or cell["scheduled_hours"]):
        return None
    return cell["actual_cost"] or cell["scheduled_cost"]


def gross_profit_change(store: Store, now: dt.datetime) -> dict | None:
    """Gross profit over PRODUCT.md's periods (month to date up to yesterday vs the same days of last
    month; on the 1st, the month that closed vs the one before), from the same decomposition as the
    margin waterfall and insight, so every page shows one change for one pair of periods."""

    report = margin.margin_report(store, now)
    if report is None:
        return None
    return {
        "previous": report["periods"]["previous"],
        "current": report["periods"]["current"],
        "gp0": report["gp0"],
        "gp1": report["gp1"],
        "change": report["change"],
        "change_pct": report["change_pct"],
        "known_share": report["known_share"]["current"],
    }


def daily_trend(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Per business day first..last: sales, orders, average check, gross margin %, labour %, and the
    comparison lines (same day last week's sales; the mean sales of the four previous same weekdays
    that traded)."""
    history_first = first - dt.timedelta(days=28)
    rows = {r["period"]: r for r in selectors.sales_by_period(store, history_first, last, "day")}
    food = _food_cost_by_day(store, first, last)
    labour = labour_cost_by_day(store, first, last)
    out = []
    day = first
    while day <= last:
        row = rows.get(day)
        sales = row["revenue"] if row else ZERO
        orders = row["orders"] if row else 0
        previous = [
            rows[day - dt.timedelta(days=7 * k)]
            for k in range(1, 5)
            if day - dt.timedelta(days=7 * k) in rows and rows[day - dt.timedelta(days=7 * k)]["orders"]
        ]
        last_week = rows.get(day - dt.timedelta(days=7))
        figures = _figures(
            sales,
            orders,
            None if food is None else food.get(day),
            labour.get(day),  # None on a day without shifts: "—", not 0%
        )
        out.append(
            {
                "day": day,
                **figures,
                "labour_cost": labour.get(day, ZERO),
                "same_day_last_week_sales": _q(last_week["revenue"]) if last_week else ZERO,
                "four_week_average_sales": _q(sum((p["revenue"] for p in previous), ZERO) / len(previous))
                if previous
                else None,
            }
        )
        day += dt.timedelta(days=1)
    return out


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
    return _q(Decimal(value.total_seconds()) / 60, TENTH)


# --- supplier price history -------------------------------------------------------------------------


def _per_buying_unit(price_per_base_unit: Decimal, base_unit: str) -> dict:
    """A price per g / ml / piece as suppliers quote it: per kg, per l, per piece (to the cent)."""
    unit, size = buying_unit(base_unit)
    return {"buying_unit": unit, "price_per_buying_unit": _q(price_per_base_unit * size, Decimal("0.01"))}


def _change_pct(previous: Decimal | None, price: Decimal) -> Decimal | None:
    """The change from the price replaced, in % to one decimal; None for a first price."""
    if not previous:
        return None
    return _q((price - previous) / previous * 100, Decimal("0.1"))


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
            "unit_price": _q(r["price"], Decimal("0.0001")),
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
    rows = []
    for start, end in periods:
        found = costing.costed_sales(store, start, end)
        if found is None:
            return {"costs_known": False, "by_month": [], "by_item": []}
        rows += [{**r, "month": start} for r in found]
    return _margin_table(rows, names, dict(periods))


def _margin_table(rows: list[dict], names: dict, ends: dict[dt.date, dt.date]) -> dict:
    by_item, months = [], {start: [] for start in sorted(ends)}
    cells = costing.totals(rows, ("month", "menu_item_id"))
    for (month, item_id), cell in sorted(
        cells.items(), key=lambda kv: (kv[0][0], names.get(kv[0][1], ""), kv[0][1])
    ):
        food = cell["food_cost"]
        profit = None if food is None else _q(cell["revenue"] - food)
        by_item.append(
            {
                "month": month,
                "start": month,
                "end": ends[month],
                "menu_item_id": item_id,
                "name": names.get(item_id, ""),
                "quantity": cell["quantity"],
                "revenue": _q(cell["revenue"]),
                "food_cost": _q(food),
                "gross_profit": profit,
                "margin_pct": _pct(profit, cell["revenue"]),
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
        profit = _q(known_revenue - food) if known else None
        by_month.append(
            {
                "month": month,
                "start": month,
                "end": ends[month],
                "quantity": sum(r["quantity"] for r in month_rows),
                "revenue": _q(sum((r["revenue"] for r in month_rows), ZERO)),
                "food_cost": _q(food) if known else None,
                "gross_profit": profit,
                "margin_pct": _pct(profit, known_revenue),
                "costs_known_share": costing.known_share(month_rows),
            }
        )
    return {
        "costs_known": any(r["food_cost"] is not None for r in rows),
        "by_month": by_month,
        "by_item": by_item,
    }


# --- insights feed -------------------------------------------------------------------------------------


def insights_ranked(store: Store, states) -> QuerySet[Insight]:
    """Most severe first (a price rise or a stock-out before a rota gap), then the newest."""
    severity = Case(
        *(When(severity=level, then=Value(rank)) for rank, level in enumerate(["high", "warning", "info"])),
        default=Value(3),
    )
    return (
        Insight.objects.filter(store=store, state__in=states)
        .select_related("job_run", "acted_by", "dismissed_by")
        .order_by(severity, "-updated_at", "-id")
    )


# Numbers that are plumbing (ids, keys, raw timestamps), not something an owner reads.
HIDDEN_NUMBERS = {
    "kind",
    "key",
    "start",
    "end",
    "store_id",
    "position_id",
    "load_kind",
    "position_name",
    "ingredient_id",
    "supplier_id",
    "purchase_order_id",
    "purchase_order_status",
    "week_start",
    "day",  # "when" says it
    "periods",
    "runs_out_at",  # days_left says it readably
    "runs_out_on",  # the card's delivery line says these
    "delivery_on",
    "count",
}


def insight_cards(store: Store, rows) -> list[dict]:
    """Each insight with what its buttons need: the draft PO it proposes, the staffing suggestion, the
    cheaper supplier."""
    cards = []
    po_ids, ingredient_ids = set(), set()
    rows = list(rows)
    for insight in rows:
        numbers = insight.numbers or {}
        if numbers.get("purchase_order_id"):
            po_ids.add(int(numbers["purchase_order_id"]))
        subject_kind, _sep, subject_id = insight.subject.partition(":")
        if subject_kind == "ingredient" and subject_id.isdigit():
            ingredient_ids.add(int(subject_id))
    suppliers = {}
    proposals = inventory_selectors.purchase_order_proposals(store=store, purchase_order_ids=po_ids)
    if ingredient_ids:
        for item in (
            SupplierItem.objects.filter(ingredient_id__in=ingredient_ids, supplier__store=store)
            .select_related("supplier")
            .order_by("supplier__name")
        ):
            suppliers.setdefault(item.ingredient_id, []).append(item)
    # The margin insight names the item whose menu price would restore its margin.
    item_names = {(i.numbers or {}).get("item") for i in rows if i.kind == Insight.Kind.MARGIN_DROP} - {
        None,
        "",
    }
    menu_items = {}
    if item_names:
        menu_items = {m.name: m for m in MenuItem.objects.filter(store=store, name__in=item_names)}
    # The shifts each staffing card lists, and who can take each: only they are offered (one click is
    # one click); a shift nobody can take is published as an open shift.
    lines = {}
    for insight in rows:
        if insight.kind in (Insight.Kind.STAFFING, Insight.Kind.COMPLAINTS):
            try:
                lines[insight.pk] = [s for s in selectors.staffing_lines(insight) if s.kind == "gap"]
            except DomainError:
                continue
    slots = {(s.position_id, s.start, s.end) for found in lines.values() for s in found}
    free = staffing_selectors.staff_free_for(store=store, slots=list(slots))
    coverage = _staffing_coverage(store, [i for i in rows if i.kind == Insight.Kind.STAFFING])
    for insight in rows:
        numbers = insight.numbers or {}
        subject_kind, _sep, subject_id = insight.subject.partition(":")
        ingredient_id = int(subject_id) if subject_kind == "ingredient" and subject_id.isdigit() else None
        proposal = (
            proposals.get(int(numbers["purchase_order_id"])) if numbers.get("purchase_order_id") else None
        )
        cards.append(
            {
                "insight": insight,
                "proposal": proposal,
                "po_is_draft": proposal is not None and proposal["status"] == "draft",
                **_delivery(store, numbers, proposal, suppliers.get(ingredient_id, [])),
                "prep": numbers.get("prep") if insight.kind == Insight.Kind.COMPLAINTS else None,
                "dish": numbers.get("dish") if insight.kind == Insight.Kind.COMPLAINTS else None,
                "suggestion": numbers.get("suggestion")
                if insight.kind in (Insight.Kind.STAFFING, Insight.Kind.COMPLAINTS)
                else None,
                "lines": [
                    {
                        "start": local(store, s.start),
                        "end": local(store, s.end),
                        "hours": f"{s.hours.normalize():f}",
                        "position": s.position_name,
                        "candidates": free.get((s.position_id, s.start, s.end), []),
                    }
                    for s in lines.get(insight.pk, [])
                ],
                "why": _why(store, insight, coverage),
                "supplier_items": suppliers.get(ingredient_id, []) if ingredient_id else [],
                "menu_item": menu_items.get(numbers.get("item")),
                "restoring_price": numbers.get("restoring_price") or "",
                "numbers": [
                    (k.replace("_", " "), v)
                    for k, v in numbers.items()
                    if k not in HIDDEN_NUMBERS and v not in ("", None) and not isinstance(v, dict | list)
                ],
            }
        )
    return cards


# --- "why?": the internals behind a card in plain words, with the chart that supports them ---------------


def _staffing_coverage(store: Store, insights: list) -> dict:
    """(position id, business day) → [(hour start, needed, scheduled)] for the staffing cards' days."""
    weeks = {(i.numbers or {}).get("week_start") for i in insights} - {None}
    out: dict = defaultdict(list)
    for week in sorted(weeks):
        try:
            week_start = dt.date.fromisoformat(week)
        except ValueError:
            continue
        for row in staffing_selectors.requirement_coverage(store=store, week_start=week_start):
            out[(row.position_id, business_date(store, row.hour_start))].append(row)
    return out


def _dec(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _why(store: Store, insight: Insight, coverage: dict) -> dict | None:
    """{"text": what the figures mean, in plain words; "chart": what dashboard/why.js draws}, or None
    when the card has nothing to explain beyond its message."""
    numbers = insight.numbers or {}
    why = None
    try:
        if insight.kind == Insight.Kind.LOW_STOCK:
            why = _why_low_stock(store, numbers)
        elif insight.kind == Insight.Kind.MARGIN_DROP:
            why = _why_margin(numbers)
        elif insight.kind == Insight.Kind.STAFFING and numbers.get("suggestions"):
            why = _why_staffing(store, numbers, coverage)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if why is not None:
        why["chart_json"] = json.dumps(why["chart"])
    return why


def _why_low_stock(store: Store, numbers: dict) -> dict | None:
    on_hand, per_day = _dec(numbers.get("on_hand")), _dec(numbers.get("daily_usage"))
    reorder, par = _dec(numbers.get("reorder_point")), _dec(numbers.get("par"))
    if on_hand is None or not per_day or reorder is None:
        return None
    unit, size = numbers.get("unit", ""), Decimal("1")
    bigger = units.BUYING_UNITS.get(unit)
    if bigger and max(on_hand, reorder) >= bigger[1]:
        unit, size = bigger

    def shown(value: Decimal | None) -> str:
        return "—" if value is None else units.number((value / size).quantize(Decimal("0.001")))

    lead = int(numbers.get("lead_time") or 0)
    horizon = max(lead + 2, 3)
    today = business_date(store, timezone.now())
    days = [today + dt.timedelta(days=d) for d in range(horizon + 1)]
    order = _dec(numbers.get("order_quantity")) or Decimal("0")
    delivery = numbers.get("delivery_on")
    projected, with_order, stock = [], [], on_hand
    for n, day in enumerate(days):
        left = on_hand - per_day * n
        projected.append(float(max(left, Decimal("0")) / size))
        if delivery and day.isoformat() >= delivery:
            stock = left + order
        else:
            stock = left
        with_order.append(float(max(stock, Decimal("0")) / size))
    text = _(
        "%(on_hand)s %(unit)s on hand, used at about %(per_day)s %(unit)s a day: the forecast usage times "
        "today's pace (pace %(pace)s: 1 is as forecast, above 1 faster). The reorder point, %(reorder)s "
        "%(unit)s, is the usage over the supplier's %(lead)s-day lead time plus a safety margin for how much "
        "daily usage varies (σ %(sigma)s %(base_unit)s a day); at or below it an order tops the stock up to "
        "par, %(par)s %(unit)s. The chart shows the stock day by day without the order and with it."
    ) % {
        "on_hand": shown(on_hand),
        "unit": unit,
        "per_day": shown(per_day),
        "pace": numbers.get("pace", "1"),
        "reorder": shown(reorder),
        "lead": lead,
        "sigma": numbers.get("sigma", "0"),
        "base_unit": numbers.get("unit", ""),
        "par": shown(par),
    }
    chart = {
        "type": "stock",
        "x": [d.isoformat() for d in days],
        "series": [
            {"name": _("Stock without the order"), "y": projected, "dash": "dot"},
            {"name": _("Stock with the order"), "y": with_order},
            {"name": _("Reorder point"), "y": [float(reorder / size)] * len(days), "line": "#b42318"},
        ],
        "unit": unit,
    }
    return {"text": text, "chart": chart}


def _why_margin(numbers: dict) -> dict | None:
    parts = numbers.get("parts") or {}
    gp0, gp1 = _dec(numbers.get("gp0")), _dec(numbers.get("gp1"))
    if gp0 is None or gp1 is None or not parts:
        return None
    ingredient_ids = [int(k.split(":")[1]) for k in parts if k.startswith("ingredient:")]
    names = {
        f"ingredient:{pk}": name
        for pk, name in Ingredient.objects.filter(pk__in=ingredient_ids).values_list("pk", "name")
    }
    names.update({k: str(v) for k, v in margin.PART_NAMES.items()})
    # the causes in the waterfall's order (JSON keeps no order): volume, mix, menu price, recipes, then
    # each ingredient by name
    fixed = [k for k in margin.PART_NAMES if k in parts]
    parts = {
        k: parts[k]
        for k in fixed + sorted((k for k in parts if k not in fixed), key=lambda k: names.get(k, k))
    }
    periods = numbers.get("periods") or {}
    before = " – ".join(periods.get("previous", [])) or _("before")
    after = " – ".join(periods.get("current", [])) or _("now")
    labels = [before] + [names.get(k, k) for k in parts] + [after]
    values = [float(gp0)] + [float(_dec(v) or 0) for v in parts.values()] + [float(gp1)]
    text = _(
        "Gross profit (sales minus the food cost of what was sold) was %(gp0)s over %(before)s (gp0) and "
        "%(gp1)s over %(after)s (gp1). The chart splits the change into its causes: how much was sold, the "
        "mix of dishes, menu prices, recipe changes and each ingredient's cost; %(ingredient)s alone moved "
        "it by %(effect)s."
    ) % {
        "gp0": numbers["gp0"],
        "gp1": numbers["gp1"],
        "before": before,
        "after": after,
        "ingredient": numbers.get("ingredient", "—"),
        "effect": numbers.get("ingredient_effect", "—"),
    }
    measures = ["absolute"] + ["relative"] * len(parts) + ["total"]
    return {"text": text, "chart": {"type": "waterfall", "x": labels, "y": values, "measure": measures}}


def _why_staffing(store: Store, numbers: dict, coverage: dict) -> dict | None:
    position_id, day = numbers.get("position_id"), numbers.get("day")
    if position_id is None or not day:
        return None
    hours = coverage.get((int(position_id), dt.date.fromisoformat(day)), [])
    if not hours:
        return None
    tolerance = (
        StaffingTarget.objects.filter(store=store).values_list("gap_tolerance_hours", flat=True).first()
    )
    if tolerance is None:
        tolerance = StaffingTarget.DEFAULT_GAP_TOLERANCE_HOURS
    x = [local(store, row.hour_start).strftime("%H:%M") for row in hours]
    text = _(
        "Each hour needs the forecast load (orders or kitchen items that hour) divided by what one "
        "%(position)s handles in an hour, rounded up, and never fewer than the position's minimum. The bars "
        "are the people needed, the line those scheduled: where the line is under the bars, the shifts on "
        "this card fill the gap. A suggested shift of %(tolerance)s h or less is within the store's "
        "tolerance and not shown."
    ) % {"position": numbers.get("position", ""), "tolerance": tolerance}
    if numbers.get("capacity") not in (None, "", "—"):
        text += " " + _(
            "At the busiest hour the forecast is %(load)s an hour; the %(scheduled)s scheduled can handle "
            "%(capacity)s."
        ) % {
            "load": numbers.get("load", "—"),
            "scheduled": numbers.get("scheduled", "—"),
            "capacity": numbers["capacity"],
        }
    chart = {
        "type": "staffing",
        "x": x,
        "needed": [row.needed for row in hours],
        "scheduled": [row.scheduled for row in hours],
        "names": {"needed": _("Needed"), "scheduled": _("Scheduled")},
    }
    return {"text": text, "chart": chart}


def _delivery(store: Store, numbers: dict, proposal: dict | None, offers: list) -> dict:
    """When the stock runs out against when the proposed order arrives; when it arrives too late, the
    supplier who delivers soonest (if another is faster)."""
    runs_out = numbers.get("runs_out_at")
    delivery = numbers.get("delivery_on")
    if not proposal or not runs_out or not delivery:
        return {}
    runs_out_at = local(store, dt.datetime.fromisoformat(runs_out))
    delivery_on = dt.date.fromisoformat(delivery)
    late = delivery_on > runs_out_at.date()
    current = next((o for o in offers if o.supplier.name == proposal["supplier"]), None)
    faster = min(
        (o for o in offers if current is None or o.supplier.lead_time_days < current.supplier.lead_time_days),
        key=lambda o: (o.supplier.lead_time_days, o.supplier.name),
        default=None,
    )
    return {
        "runs_out_at": runs_out_at,
        "delivery_on": delivery_on,
        "late": late,
        "faster": faster if late else None,
    }


def open_insight_cards(store: Store, limit: int = 100) -> list[dict]:
    """The open feed: the most pressing open insights first, each with what its buttons need."""
    return insight_cards(store, insights_ranked(store, Insight.OPEN_STATES)[:limit])


def _at_stake(card: dict) -> Decimal:
    """The money a decision moves, as its insight states it: the margin lost, the saving a switch
    brings, or the order the card would send."""
    numbers = card["insight"].numbers or {}
    for key in ("lost", "monthly_saving"):
        try:
            return abs(Decimal(str(numbers[key])))
        except (KeyError, ArithmeticError, ValueError):
            continue
    return card["proposal"]["total"] if card.get("proposal") else ZERO


SEVERITY_RANK = {"high": 0, "warning": 1, "info": 2}


def insights_version(store: Store) -> str:
    """A cheap token that moves whenever what the insight cards show is written: an insight new,
    updated, acted on or resolved (every write bumps its `updated_at`), or a purchase order a card
    proposes. The live parts of the pages (the feed, today's decisions) re-render only when it moves;
    two indexed aggregates, no rendering."""
    insights = Insight.objects.filter(store=store).aggregate(latest=Max("updated_at"), n=Count("id"))
    orders = PurchaseOrder.objects.filter(store=store).aggregate(latest=Max("updated_at"), n=Count("id"))
    parts = [insights["latest"], insights["n"], orders["latest"], orders["n"]]
    return "-".join(str(part.timestamp()) if isinstance(part, dt.datetime) else str(part) for part in parts)


def todays_decisions(store: Store, limit: int = 5) -> list[dict]:
    """The few open insights that matter most: the most urgent first, then the most money at stake."""
    cards = open_insight_cards(store)
    for card in cards:
        card["at_stake"] = _at_stake(card)
    cards.sort(key=lambda c: (SEVERITY_RANK.get(c["insight"].severity, 3), -c["at_stake"]))
    return cards[:limit]


def recent_decisions(store: Store, now: dt.datetime, days: int = 7) -> QuerySet[Insight]:
    """What was acted on, or judged, in the last `days` days: with its before, after and verdict."""
    since = now - dt.timedelta(days=days)
    return (
        Insight.objects.filter(store=store, state__in=[Insight.State.ACTED, Insight.State.EVALUATED])
        .filter(Q(acted_at__gte=since) | Q(evaluated_at__gte=since))
        .select_related("acted_by")
        .order_by("-acted_at", "-id")[:10]
    )


def active_staff(store: Store) -> QuerySet[StaffMember]:
    """Who can be given a shift (the staffing chart's and the insight cards' pickers)."""
    return StaffMember.objects.filter(store=store, is_active=True).order_by("name")


def open_insight_for_suggestion(store: Store, key: str) -> Insight | None:
    """The open staffing insight that proposes the suggestion with this key, if any."""
    return Insight.objects.filter(
        store=store, kind=Insight.Kind.STAFFING, state__in=Insight.OPEN_STATES, numbers__key=key
    ).first()
