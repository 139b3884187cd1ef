"""Reads for the analyses: every function aggregates in the database and returns plain aggregates
(lists of dicts), never rows to loop over. Counted sales exclude cancelled orders and voided lines;
revenue is the lines' net amount (after discounts, without tax, tips and service charge)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    TruncMonth,
    TruncTime,
    TruncWeek,
)
from django.utils.translation import gettext as _

from orders.models import MenuItem, Order, OrderLine, OrderLineModifier
from restaurant_ops.models import ClosedDate, Daypart, Store

from .models import ForecastAccuracy

ZERO = Decimal("0")


def counted_orders(store: Store) -> QuerySet[Order]:
    return Order.objects.filter(store=store).exclude(status=Order.Status.CANCELLED)


def counted_lines(store: Store) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(order__store=store, voided_at__isnull=True).exclude(
        order__status=Order.Status.CANCELLED
    )


def _daypart_case(store: Store, dayparts: list[Daypart], placed_at: str = "order__placed_at"):
    local_time = TruncTime(placed_at, tzinfo=store.tz)
    whens = []
    for part in dayparts:
        if part.starts < part.ends:
            condition = Q(_local_time__gte=part.starts, _local_time__lt=part.ends)
        else:
            condition = Q(_local_time__gte=part.starts) | Q(_local_time__lt=part.ends)
        whens.append(When(condition, then=Value(part.name)))
    return local_time, Case(*whens, default=Value(""), output_field=CharField())


def item_sales(
    store: Store, first: dt.date, last: dt.date, *, by_daypart: bool = False, category_id: int | None = None
) -> list[dict]:
    """Quantity and revenue per item (and daypart) over business days first..last inclusive.
    Rows: menu_item_id, name, category_id, category, [daypart], quantity, revenue."""
    lines = counted_lines(store).filter(order__business_date__gte=first, order__business_date__lte=last)
    if category_id is not None:
        lines = lines.filter(menu_item__category_id=category_id)
    keys = ["menu_item_id", "menu_item__name", "menu_item__category_id", "menu_item__category__name"]
    if by_daypart:
        local_time, case = _daypart_case(store, list(Daypart.objects.filter(store=store)))
        lines = lines.annotate(_local_time=local_time).annotate(daypart=case)
        keys.append("daypart")
    rows = (
        lines.values(*keys)
        .annotate(quantity=Sum("quantity"), revenue=Coalesce(Sum("net_amount"), ZERO))
        .order_by()
    )
    return [
        {
            "menu_item_id": r["menu_item_id"],
            "name": r["menu_item__name"],
            "category_id": r["menu_item__category_id"],
            "category": r["menu_item__category__name"],
            **({"daypart": r["daypart"]} if by_daypart else {}),
            "quantity": r["quantity"],
            "revenue": r["revenue"],
        }
        for r in rows
    ]


def item_day_quantities(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Quantity per item per business day (for costing at each day's ingredient cost)."""
    return list(
        counted_lines(store)
        .filter(order__business_date__gte=first, order__business_date__lte=last)
        .values("menu_item_id", day=F("order__business_date"))
        .annotate(quantity=Sum("quantity"), revenue=Coalesce(Sum("net_amount"), ZERO))
        .order_by()
    )


def item_day_sales(
    store: Store,
    first: dt.date,
    last: dt.date,
    *,
    until: dt.datetime | None = None,
    by_daypart: bool = False,
) -> tuple[list[dict], list[dict]]:
    """What costing needs, in two aggregate queries over business days first..last (and orders placed
    before `until`, when given): per (menu_item_id, day[, daypart]) the quantity and revenue, and per
    (menu_item_id, modifier_id, day[, daypart]) the portions sold with that modifier chosen."""
    lines = counted_lines(store).filter(order__business_date__gte=first, order__business_date__lte=last)
    if until is not None:
        lines = lines.filter(order__placed_at__lt=until)
    chosen = OrderLineModifier.objects.filter(line__in=lines.values("pk"))
    item_keys, modifier_keys = ["menu_item_id"], ["line__menu_item_id", "modifier_id"]
    if by_daypart:
        dayparts = list(Daypart.objects.filter(store=store))
        local_time, case = _daypart_case(store, dayparts)
        lines = lines.annotate(_local_time=local_time).annotate(daypart=case)
        local_time, case = _daypart_case(store, dayparts, "line__order__placed_at")
        chosen = chosen.annotate(_local_time=local_time).annotate(daypart=case)
        item_keys.append("daypart")
        modifier_keys.append("daypart")
    items = list(
        lines.values(*item_keys, day=F("order__business_date"))
        .annotate(quantity=Sum("quantity"), revenue=Coalesce(Sum("net_amount"), ZERO))
        .order_by()
    )
    modifiers = [
        {**row, "menu_item_id": row.pop("line__menu_item_id")}
        for row in chosen.values(*modifier_keys, day=F("line__order__business_date"))
        .annotate(quantity=Sum("line__quantity"))
        .order_by()
    ]
    return items, modifiers


def sales_by_period(store: Store, first: dt.date, last: dt.date, period: str) -> list[dict]:
    """Orders and revenue per business day, week (starting Monday) or month."""
    orders = counted_orders(store).filter(business_date__gte=first, business_date__lte=last)
    lines = counted_lines(store).filter(order__business_date__gte=first, order__business_date__lte=last)
    if period == "day":
        order_key, line_key = F("business_date"), F("order__business_date")
    elif period == "week":
        order_key, line_key = TruncWeek("business_date"), TruncWeek("order__business_date")
    else:
        order_key, line_key = TruncMonth("business_date"), TruncMonth("order__business_date")
    counts = {
        r["period"]: r["orders"]
        for r in orders.annotate(period=order_key).values("period").annotate(orders=Count("id")).order_by()
    }
    money = {
        r["period"]: r
        for r in lines.annotate(period=line_key)
        .values("period")
        .annotate(revenue=Coalesce(Sum("net_amount"), ZERO), quantity=Sum("quantity"))
        .order_by()
    }
    out = []
    for key in sorted(set(counts) | set(money)):
        start = key.date() if isinstance(key, dt.datetime) else key
        out.append(
            {
                "period": start,
                "orders": counts.get(key, 0),
                "quantity": money.get(key, {}).get("quantity") or 0,
                "revenue": money.get(key, {}).get("revenue", ZERO),
            }
        )
    return out


def order_cells(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Orders per (business day, local clock hour)."""
    return list(
        counted_orders(store)
        .filter(business_date__gte=first, business_date__lte=last)
        .annotate(hour=ExtractHour("placed_at", tzinfo=store.tz))
        .values("business_date", "hour")
        .annotate(orders=Count("id"))
        .order_by()
    )


def item_cells(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Quantity per (item, business day, local clock hour, daypart); daypart "" outside every one."""
    local_time, case = _daypart_case(store, list(Daypart.objects.filter(store=store)))
    return list(
        counted_lines(store)
        .filter(order__business_date__gte=first, order__business_date__lte=last)
        .annotate(hour=ExtractHour("order__placed_at", tzinfo=store.tz), day=F("order__business_date"))
        .annotate(_local_time=local_time)
        .annotate(daypart=case)
        .values("menu_item_id", "day", "hour", "daypart")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )


def busy_hour_cells(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Orders per (ISO weekday 1–7 of the business day, local hour), plus trading days per weekday."""
    orders = counted_orders(store).filter(business_date__gte=first, business_date__lte=last)
    cells = list(
        orders.annotate(
            weekday=ExtractIsoWeekDay("business_date"), hour=ExtractHour("placed_at", tzinfo=store.tz)
        )
        .values("weekday", "hour")
        .annotate(orders=Count("id"))
        .order_by("weekday", "hour")
    )
    return cells


def trading_days_per_weekday(store: Store, first: dt.date, last: dt.date) -> dict[int, int]:
    """ISO weekday → number of business days with at least one counted order."""
    rows = (
        counted_orders(store)
        .filter(business_date__gte=first, business_date__lte=last)
        .annotate(weekday=ExtractIsoWeekDay("business_date"))
        .values("weekday")
        .annotate(days=Count("business_date", distinct=True))
        .order_by()
    )
    return {r["weekday"]: r["days"] for r in rows}


def trading_days(store: Store, first: dt.date, last: dt.date) -> set[dt.date]:
    return set(
        counted_orders(store)
        .filter(business_date__gte=first, business_date__lte=last)
        .values_list("business_date", flat=True)
        .distinct()
        .order_by()
    )


def closed_dates(store: Store, first: dt.date, last: dt.date) -> set[dt.date]:
    return set(
        ClosedDate.objects.filter(store=store, date__gte=first, date__lte=last).values_list("date", flat=True)
    )


def first_sale_date(store: Store) -> dt.date | None:
    row = counted_orders(store).order_by("business_date").values_list("business_date", flat=True).first()
    return row


def items_of(store: Store) -> dict[int, dict]:
    return {
        r["id"]: r
        for r in MenuItem.objects.filter(store=store).values(
            "id", "name", "price", "created_at", "category_id", "category__name"
        )
    }


def stores_to_analyse(*, only_open: bool = False, now: dt.datetime | None = None) -> list[int]:
    from django.utils import timezone

    from restaurant_ops.timeutils import is_open_at

    stores = Store.objects.prefetch_related("opening_hours")
    if not only_open:
        return [s.pk for s in stores]
    now = now or timezone.now()
    return [s.pk for s in stores if not s.opening_hours.all() or is_open_at(s, now)]


def forecast_quality(store: Store) -> list[dict]:
    """Per decision level, one plain sentence on how good the served forecast is, from the stored
    back-test (the served method has the lowest WAPE, so it beats both baselines unless it is one)."""
    rows = {(r.level, r.method): r for r in ForecastAccuracy.objects.filter(store=store)}
    out = []
    for level, label in ForecastAccuracy.Level.choices:
        served = next((r for (lv, _m), r in rows.items() if lv == level and r.served), None)
        if served is None or served.wape is None:
            out.append(
                {
                    "level": level,
                    "served": None,
                    "beats_baselines": None,
                    "message": _(
                        "%(level)s: not enough history yet to judge the forecast (it needs 8 weeks)."
                    )
                    % {"level": label},
                }
            )
            continue
        naive, flat = (rows.get((level, m)) for m in ForecastAccuracy.BASELINES)
        numbers = {
            "level": label,
            "method": served.get_method_display(),
            "error": _percent(served.wape),
            "naive": _percent(naive.wape if naive else None),
            "flat": _percent(flat.wape if flat else None),
        }
        beats = served.method not in ForecastAccuracy.BASELINES
        if beats:
            message = _(
                "%(level)s: over the last 4 weeks the forecast (%(method)s) was off by %(error)s on "
                "average, better than copying the same day last week (%(naive)s) or the 4-week "
                "average (%(flat)s)."
            )
        else:
            message = _(
                "%(level)s: no smarter method beat the simple ones over the last 4 weeks, so "
                "“%(method)s” is used (off by %(error)s on average; same day last week "
                "%(naive)s, 4-week average %(flat)s)."
            )
        out.append(
            {"level": level, "served": served.method, "beats_baselines": beats, "message": message % numbers}
        )
    return out


def _percent(wape) -> str:
    return "—" if wape is None else f"{(wape * 100).quantize(Decimal('1'))}%"
