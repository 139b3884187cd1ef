"""Reads for the analyses: every function aggregates in the database and returns plain aggregates
(lists of dicts), never rows to loop over. Counted sales exclude cancelled orders and voided lines;
revenue is the lines' net amount (after discounts, without tax, tips and service charge)."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    TruncMonth,
    TruncTime,
    TruncWeek,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import (
    MenuItem,
    ModifierRollup,
    Order,
    OrderLine,
    OrderLineModifier,
    Payment,
    RefundLine,
    SalesRollup,
)
from restaurant_ops.errors import DomainError
from restaurant_ops.models import ClosedDate, Daypart, Store
from restaurant_ops.timeutils import business_date, business_day_bounds, is_open_at, local
from staffing import selectors as staffing_selectors

from .models import AnalysisSettings, ForecastAccuracy, Insight

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


def rollup(store: Store, first: dt.date, last: dt.date) -> QuerySet[SalesRollup]:
    """The store's sales rollup rows over business days first..last (orders' `SalesRollup`: the counted
    orders and lines, net of discounts and comps, with refunds on their own business day and hour)."""
    return SalesRollup.objects.filter(store=store, business_date__gte=first, business_date__lte=last)


def hour_dayparts(store: Store, dayparts: list[Daypart] | None = None) -> dict[int, str] | None:
    """Local clock hour → the daypart it lies in ("" outside every one), as `_daypart_case` names a
    moment, when every daypart starts and ends on the hour (so a whole hour lies in one); else None:
    the hourly rollup cannot tell, and the reader goes to the order lines."""
    dayparts = list(Daypart.objects.filter(store=store)) if dayparts is None else dayparts
    if any(t.minute or t.second or t.microsecond for part in dayparts for t in (part.starts, part.ends)):
        return None
    named = {}
    for hour in range(24):
        moment = dt.time(hour)
        named[hour] = next((part.name for part in dayparts if part.contains(moment)), "")
    return named


def _cent(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"), ROUND_HALF_UP)


def item_sales(
    store: Store, first: dt.date, last: dt.date, *, by_daypart: bool = False, category_id: int | None = None
) -> list[dict]:
    """Quantity and revenue per item (and daypart) over business days first..last inclusive, from the
    sales rollup (by daypart only when the dayparts fall on whole hours; else from the order lines).
    Rows: menu_item_id, name, category_id, category, [daypart], quantity, revenue — revenue net of the
    refunds given in the window (on the refund's day and hour); an item that only had refunds there has
    no row."""
    named = hour_dayparts(store) if by_daypart else {}
    if named is None:
        return _item_sales_from_lines(store, first, last, by_daypart=by_daypart, category_id=category_id)
    cells = rollup(store, first, last).filter(menu_item__isnull=False)
    if category_id is not None:
        cells = cells.filter(menu_item__category_id=category_id)
    keys = ["menu_item_id", "menu_item__name", "menu_item__category_id", "menu_item__category__name"]
    found: dict[tuple, dict] = {}
    for r in (
        cells.values(*keys, *(["hour"] if by_daypart else []))
        .annotate(quantity=Sum("quantity"), revenue=Sum("net_sales"))
        .order_by()
    ):
        daypart = named[r["hour"]] if by_daypart else None
        row = found.setdefault(
            (r["menu_item_id"], daypart),
            {
                "menu_item_id": r["menu_item_id"],
                "name": r["menu_item__name"],
                "category_id": r["menu_item__category_id"],
                "category": r["menu_item__category__name"],
                **({"daypart": daypart} if by_daypart else {}),
                "quantity": 0,
                "revenue": ZERO,
            },
        )
        row["quantity"] += r["quantity"]
        row["revenue"] += r["revenue"]
    return [{**row, "revenue": _cent(row["revenue"])} for row in found.values() if row["quantity"] > 0]


def _item_sales_from_lines(
    store: Store, first: dt.date, last: dt.date, *, by_daypart: bool = False, category_id: int | None = None
) -> list[dict]:
    """`item_sales` from the order lines: for dayparts that split an hour."""
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
    given_back: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for refund in refunds(store, first, last, by_daypart=by_daypart):
        given_back[(refund["menu_item_id"], refund.get("daypart"))] += refund["revenue"]
    return [
        {
            "menu_item_id": r["menu_item_id"],
            "name": r["menu_item__name"],
            "category_id": r["menu_item__category_id"],
            "category": r["menu_item__category__name"],
            **({"daypart": r["daypart"]} if by_daypart else {}),
            "quantity": r["quantity"],
            # net of refunds given in the window (on the refund's day, `refunds`)
            "revenue": (r["revenue"] + given_back[(r["menu_item_id"], r.get("daypart"))]).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            ),
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
    money: bool = True,
) -> tuple[list[dict], list[dict]]:
    """What costing needs over business days first..last (orders placed and refunds given before `until`,
    when given): per (menu_item_id, day[, daypart]) the quantity and revenue (net of refunds, on the
    refund's day; `money=False`: the quantity only), and per (menu_item_id, modifier_id, day[, daypart])
    the portions sold with that modifier chosen.

    From the sales and modifier rollups (two aggregate queries) when the dayparts fall on whole hours;
    with `until`, the rollups up to the start of its local hour and the order lines from there to
    `until` (four more, none when `until` is on the hour). Dayparts that split an hour: the order lines
    alone, as `item_sales` does."""
    named = hour_dayparts(store) if by_daypart else {}
    if named is None:
        return _day_rows(
            *_line_day_sales(store, first, last, until=until, by_daypart=True, money=money), money
        )
    cells = Q(business_date__gte=first, business_date__lte=last)
    lines_since = None  # the order lines from then to `until`, the rollups before
    if until is not None:
        day, hours, cut = _rollup_cut(store, until)
        if day < first:
            return [], []  # `until` comes before the first day starts
        if day <= last:
            cells &= Q(business_date__lt=day) | Q(business_date=day, hour__in=hours)
            lines_since = cut if cut < until else None
    items, modifiers = _rollup_day_sales(store, cells, named, money)
    if lines_since is None and not named:
        return _finished(items, modifiers, money)  # one row per key already
    if lines_since is not None:
        more_items, more_modifiers = _line_day_sales(
            store, day, day, since=lines_since, until=until, by_daypart=by_daypart, money=money
        )
        items += more_items
        modifiers += more_modifiers
    return _day_rows(items, modifiers, money)


def _rollup_cut(store: Store, until: dt.datetime) -> tuple[dt.date, list[int], dt.datetime]:
    """The business day `until` falls in, the local clock hours of that day that lie wholly before the
    start of until's own local hour, and that start (the cut): the rollups hold what came before the
    cut, the order lines what came from it to `until`. When an hour of the day lies on both sides of the
    cut (a business-day cutoff off the hour, the hour a DST change repeats), no hours and the day's
    start: the order lines then hold the whole day up to `until`. The day is walked in quarter hours
    (every zone's offset is a multiple of one)."""
    day = business_date(store, until)
    start, end = (moment.astimezone(dt.UTC) for moment in business_day_bounds(store, day))
    cut = local(store, until).replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    cutoff = store.business_day_cutoff
    if cutoff.minute or cutoff.second or cutoff.microsecond or cut < start:
        return day, [], start
    before: set[int] = set()
    after: set[int] = set()
    moment = start
    while moment < end:
        (before if moment < cut else after).add(local(store, moment).hour)
        moment += dt.timedelta(minutes=15)
    if before & after:
        return day, [], start
    return day, sorted(before), cut


def _rollup_day_sales(
    store: Store, cells: Q, named: dict[int, str], money: bool
) -> tuple[list[dict], list[dict]]:
    """`item_day_sales` rows from the rollups' cells matching `cells` (revenue unrounded); `named` maps
    an hour to its daypart (empty: no dayparts)."""
    hour = ["hour"] if named else []

    def keyed(row: dict) -> dict:
        out = {"menu_item_id": row["menu_item_id"], "day": row["business_date"]}
        if named:
            out["daypart"] = named[row["hour"]]
        return out

    items = [
        {**keyed(r), "quantity": r["quantity"], **({"revenue": r["revenue"]} if money else {})}
        for r in SalesRollup.objects.filter(store=store, menu_item__isnull=False)
        .filter(cells)
        .values("menu_item_id", "business_date", *hour)
        .annotate(quantity=Sum("quantity"), revenue=Sum("net_sales"))
        .order_by()
    ]
    modifiers = [
        {**keyed(r), "modifier_id": r["modifier_id"], "quantity": r["quantity"]}
        for r in ModifierRollup.objects.filter(store=store)
        .filter(cells)
        .values("menu_item_id", "modifier_id", "business_date", *hour)
        .annotate(quantity=Sum("quantity"))
        .order_by()
    ]
    return items, modifiers


def _line_day_sales(
    store: Store,
    first: dt.date,
    last: dt.date,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    by_daypart: bool = False,
    money: bool = True,
) -> tuple[list[dict], list[dict]]:
    """`item_day_sales` rows from the order lines placed (and refunds given) in [since, until): four
    aggregate queries, two without `money` (revenue unrounded, the refunds as rows of their own)."""
    lines = counted_lines(store).filter(order__business_date__gte=first, order__business_date__lte=last)
    if since is not None:
        lines = lines.filter(order__placed_at__gte=since)
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
    if not money:  # quantities only (stock usage): refunds give money back, not food
        return [{k: v for k, v in row.items() if k != "revenue"} for row in items], modifiers
    given_back = refunds(store, first, last, since=since, until=until, by_daypart=by_daypart)
    return items + [{**row, "quantity": 0} for row in given_back], modifiers


def _day_rows(items: list[dict], modifiers: list[dict], money: bool) -> tuple[list[dict], list[dict]]:
    """Rows of the same key summed (the rollups' hours of one daypart, the rollups' and the order lines',
    a sale's and its refunds'), then `_finished`."""

    def key(row: dict) -> tuple:
        return row["menu_item_id"], row["day"], row.get("daypart"), row.get("modifier_id")

    summed: dict[tuple, dict] = {}
    for row in items + modifiers:
        found = summed.get(key(row))
        if found is None:
            summed[key(row)] = dict(row)
        else:
            found["quantity"] += row["quantity"]
            if money and "modifier_id" not in row:
                found["revenue"] += row["revenue"]
    rows = list(summed.values())
    return _finished(
        [r for r in rows if "modifier_id" not in r], [r for r in rows if "modifier_id" in r], money
    )


def _finished(items: list[dict], modifiers: list[dict], money: bool) -> tuple[list[dict], list[dict]]:
    """One row per key: revenue to the cent, half up, once summed; a row of quantity 0 kept only for the
    money a refund gave back on a day the item did not sell."""
    if money:
        cent = Decimal("0.01")
        for row in items:
            row["revenue"] = Decimal(row["revenue"]).quantize(cent, ROUND_HALF_UP)
        items = [row for row in items if row["quantity"] or row["revenue"]]
    else:
        items = [row for row in items if row["quantity"]]
    return items, [row for row in modifiers if row["quantity"]]


def refunds(
    store: Store,
    first: dt.date,
    last: dt.date,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    by_daypart: bool = False,
) -> list[dict]:
    """Net sales given back by refunds over business days first..last (given in [since, until), when
    given), on *the refund's* business day (and daypart, by the refund's time), per
    (menu_item_id, day[, daypart]): revenue < 0, quantity 0 (the portions were sold; a refund gives money
    back). A refund by line takes the refunded share of those lines' net amount (quantity refunded /
    quantity); a refund by amount is spread over its check's lines pro rata: each line's net share of it
    = amount × line net / check total. Two aggregate queries."""
    given = Payment.objects.filter(store=store, kind=Payment.Kind.REFUND, business_date__range=(first, last))
    if since is not None:
        given = given.filter(created_at__gte=since)
    if until is not None:
        given = given.filter(created_at__lt=until)
    money = DecimalField(max_digits=20, decimal_places=6)
    by_line = RefundLine.objects.filter(refund__in=given.values("pk"), line__quantity__gt=0)
    by_line_keys = {"menu_item_id": F("line__menu_item_id"), "day": F("refund__business_date")}
    by_amount = counted_lines(store).filter(
        guest_check__payments__in=given.filter(refund_lines__isnull=True).values("pk"),
        guest_check__total__gt=0,
    )
    by_amount_keys = {"day": F("guest_check__payments__business_date")}
    if by_daypart:
        dayparts = list(Daypart.objects.filter(store=store))
        local_time, case = _daypart_case(store, dayparts, "refund__created_at")
        by_line = by_line.annotate(_local_time=local_time).annotate(daypart=case)
        local_time, case = _daypart_case(store, dayparts, "guest_check__payments__created_at")
        by_amount = by_amount.annotate(_local_time=local_time).annotate(daypart=case)
    extra = ["daypart"] if by_daypart else []
    rows = list(
        by_line.values(*extra, **by_line_keys)
        .annotate(
            revenue=Sum(
                ExpressionWrapper(
                    -F("line__net_amount") * F("quantity") / F("line__quantity"), output_field=money
                )
            )
        )
        .order_by()
    )
    rows += list(
        by_amount.values("menu_item_id", *extra, **by_amount_keys)
        .annotate(
            revenue=Sum(
                ExpressionWrapper(
                    F("guest_check__payments__amount") * F("net_amount") / F("guest_check__total"),
                    output_field=money,
                )
            )
        )
        .order_by()
    )
    return rows


def sales_by_period(store: Store, first: dt.date, last: dt.date, period: str) -> list[dict]:
    """Orders, quantity and revenue (net of the refunds given in it) per business day, week (starting
    Monday) or month, from the sales rollup: one aggregate query."""
    key = {
        "day": F("business_date"),
        "week": TruncWeek("business_date"),
        "month": TruncMonth("business_date"),
    }
    rows = (
        rollup(store, first, last)
        .annotate(period=key.get(period, key["month"]))
        .values("period")
        .annotate(orders=Sum("orders"), quantity=Sum("quantity"), revenue=Sum("net_sales"))
        .order_by("period")
    )
    return [
        {
            "period": r["period"].date() if isinstance(r["period"], dt.datetime) else r["period"],
            "orders": r["orders"],
            "quantity": r["quantity"],
            "revenue": _cent(r["revenue"]),
        }
        for r in rows
        if r["orders"] or r["quantity"] or r["revenue"]
    ]


def _order_hours(store: Store, first: dt.date, last: dt.date) -> QuerySet[SalesRollup]:
    return rollup(store, first, last).filter(menu_item__isnull=True)


def order_cells(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Orders per (business day, local clock hour), from the sales rollup."""
    return list(
        _order_hours(store, first, last)
        .values("business_date", "hour")
        .annotate(orders=Sum("orders"))
        .filter(orders__gt=0)
        .order_by()
    )


def item_cells(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Quantity per (item, business day, local clock hour, daypart); daypart "" outside every one. From
    the sales rollup when the dayparts fall on whole hours, else from the order lines."""
    named = hour_dayparts(store)
    if named is None:
        return _item_cells_from_lines(store, first, last)
    return [
        {**r, "daypart": named[r["hour"]]}
        for r in rollup(store, first, last)
        .filter(menu_item__isnull=False)
        .values("menu_item_id", "hour", day=F("business_date"))
        .annotate(quantity=Sum("quantity"))
        .filter(quantity__gt=0)
        .order_by()
    ]


def _item_cells_from_lines(store: Store, first: dt.date, last: dt.date) -> list[dict]:
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
    """Orders per (ISO weekday 1–7 of the business day, local hour), from the sales rollup."""
    return list(
        _order_hours(store, first, last)
        .annotate(weekday=ExtractIsoWeekDay("business_date"))
        .values("weekday", "hour")
        .annotate(orders=Sum("orders"))
        .filter(orders__gt=0)
        .order_by("weekday", "hour")
    )


def trading_days(store: Store, first: dt.date, last: dt.date) -> set[dt.date]:
    """Business days with at least one counted order."""
    return set(
        _order_hours(store, first, last)
        .values("business_date")
        .annotate(orders=Sum("orders"))
        .filter(orders__gt=0)
        .values_list("business_date", flat=True)
        .order_by()
    )


def trading_days_per_weekday(store: Store, first: dt.date, last: dt.date) -> dict[int, int]:
    """ISO weekday → number of business days with at least one counted order."""
    out: dict[int, int] = defaultdict(int)
    for day in trading_days(store, first, last):
        out[day.isoweekday()] += 1
    return dict(out)


def closed_dates(store: Store, first: dt.date, last: dt.date) -> set[dt.date]:
    return set(
        ClosedDate.objects.filter(store=store, date__gte=first, date__lte=last).values_list("date", flat=True)
    )


def first_sale_date(store: Store) -> dt.date | None:
    """The first business day with a counted order."""
    return (
        SalesRollup.objects.filter(store=store, menu_item__isnull=True)
        .values("business_date")
        .annotate(orders=Sum("orders"))
        .filter(orders__gt=0)
        .order_by("business_date")
        .values_list("business_date", flat=True)
        .first()
    )


def items_of(store: Store) -> dict[int, dict]:
    return {
        r["id"]: r
        for r in MenuItem.objects.filter(store=store).values(
            "id", "name", "price", "created_at", "category_id", "category__name"
        )
    }


def stores_to_analyse(*, only_open: bool = False, now: dt.datetime | None = None) -> list[int]:
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


def analysis_settings_get(*, store: Store) -> AnalysisSettings:
    """The store's thresholds; the defaults (unsaved) until an owner edits them."""
    return AnalysisSettings.objects.filter(store=store).first() or AnalysisSettings(store=store)


def staffing_lines(insight: Insight) -> list[staffing_selectors.StaffingSuggestion]:
    """The shifts a staffing card shows, one per person, in order: a day's card lists each of its
    suggestions `count` times; a complaints spike's single suggestion is one shift."""
    numbers = insight.numbers or {}
    if insight.kind == Insight.Kind.STAFFING and numbers.get("suggestions"):
        raw, expand = numbers["suggestions"], True
    elif insight.kind in (Insight.Kind.STAFFING, Insight.Kind.COMPLAINTS) and numbers.get("suggestion"):
        raw, expand = [numbers["suggestion"]], False
    else:
        return []
    try:
        suggestions = [staffing_selectors.StaffingSuggestion.from_dict(d) for d in raw]
    except (KeyError, TypeError, ValueError):
        raise DomainError("suggestion", "invalid", _("This suggestion can no longer be read."))
    return [s for s in suggestions for _n in range(max(1, s.count) if expand else 1)]
