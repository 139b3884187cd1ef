"""The overview's figures: today against the usual, the trend, labour and food cost per day, the
stores side by side, and the gross-profit change the overview leads with."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from analytics import selectors
from analytics.analyses import costing, margin
from analytics.models import Insight
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, business_day_bounds
from staffing.models import StaffingTarget
from staffing.selectors import labour_so_far, scheduled_cost_by_day

from .numbers import TENTH, ZERO, pct, q


def labour_target_pct(store: Store) -> Decimal | None:
    target = (
        StaffingTarget.objects.filter(store=store).values_list("labour_cost_target_pct", flat=True).first()
    )
    return target


def _food_cost_by_day(
    store: Store, first: dt.date, last: dt.date, until: dt.datetime | None = None
) -> dict[dt.date, dict]:
    """Per business day: food cost and the revenue it belongs to, over the sales whose cost is known
    (`costing`: modifiers and the day's recipe included), and the share of revenue with a known cost."""
    rows = costing.costed_sales(store, first, last, until=until)
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
        "sales": q(sales),
        "orders": orders,
        "average_check": q(sales / orders) if orders else None,
        "gross_margin_pct": pct(food["known_revenue"] - food["food_cost"], food["known_revenue"])
        if food
        else None,
        "costs_known_share": food["known_share"] if food else None,
        "labour_pct": pct(labour, sales) if labour is not None else None,
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
            money[day] = q(money.get(day, ZERO) + given_back)
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
    food_today = _food_cost_by_day(store, today, today, until=day_start + elapsed).get(today)
    today_fig = _figures(
        so_far[today]["sales"], so_far[today]["orders"], food_today, _labour_so_far(store, today, now)
    )
    if usual_days:
        usual_sales = sum((so_far[d]["sales"] for d in usual_days), ZERO) / len(usual_days)
        usual_orders = Decimal(sum(so_far[d]["orders"] for d in usual_days)) / len(usual_days)
        usual = {
            "sales": q(usual_sales),
            "orders": q(usual_orders, TENTH),
            "average_check": q(usual_sales / usual_orders) if usual_orders else None,
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
        "same_day_last_week": {"sales": q(last_week["sales"]), "orders": last_week["orders"]},
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
        sales, orders = q(Decimal(totals["sales"] or 0)), totals["orders"] or 0
        food_days = _food_cost_by_day(store, first, last)
        known = sum((d["known_revenue"] for d in food_days.values()), ZERO)
        cost = sum((d["food_cost"] for d in food_days.values()), ZERO)
        share = (known / sales).quantize(Decimal("0.0001")) if sales else None
        food = {"known_revenue": known, "food_cost": cost, "known_share": share}
        # Labour as the store's overview counts it: the days before today from their shifts, today from
        # the hours elapsed by `now`; no figure at all when nobody was scheduled.
        labour_parts = list(
            scheduled_cost_by_day(store=store, first=first, last=last - dt.timedelta(days=1)).values()
        )
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
                "labour_cost": q(labour) if labour is not None else None,
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
    labour = scheduled_cost_by_day(store=store, first=first, last=last)
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
            food.get(day),
            labour.get(day),  # None on a day without shifts: "—", not 0%
        )
        out.append(
            {
                "day": day,
                **figures,
                "labour_cost": labour.get(day, ZERO),
                "same_day_last_week_sales": q(last_week["revenue"]) if last_week else ZERO,
                "four_week_average_sales": q(sum((p["revenue"] for p in previous), ZERO) / len(previous))
                if previous
                else None,
            }
        )
        day += dt.timedelta(days=1)
    return out
