"""Best sellers, sales by period, busy hours, trending items and the menu-engineering matrix."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from orders.models import MenuItem
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, business_day_bounds, local

from .. import selectors
from ..insights import Finding, insights_sync
from ..models import DemandForecast, Insight
from ..selectors import analysis_settings_get
from . import costing, ranking

CENT = Decimal("0.01")
ZERO = Decimal("0")
WEIGHTS = (4, 3, 2, 1)


def item_profit(
    store: Store, first: dt.date, last: dt.date, *, by_daypart: bool = False
) -> dict[tuple[int, str | None], dict]:
    """(item id, daypart or None) → {"gross_profit", "food_cost"} over business days first..last, food cost
    from `costing` (modifiers and the recipe in force each day included); both None when the item's cost
    is unknown."""
    rows = costing.costed_sales(store, first, last, by_daypart=by_daypart)
    out = {}
    for key, cell in costing.totals(rows, ("menu_item_id", "daypart")).items():
        food = cell["food_cost"]
        out[key] = {
            "food_cost": None if food is None else food.quantize(CENT, ROUND_HALF_UP),
            "gross_profit": None if food is None else (cell["revenue"] - food).quantize(CENT, ROUND_HALF_UP),
        }
    return out


def best_sellers(
    store: Store,
    first: dt.date,
    last: dt.date,
    *,
    by: str = "quantity",
    limit: int | None = 10,
    category_id: int | None = None,
    by_daypart: bool = False,
) -> list[dict]:
    """Items ranked by quantity, revenue or gross profit over business days first..last inclusive
    (ties as `ranking` says: name, then id; unknown profit last). With `by_daypart`, ranked within each
    daypart by that daypart's figures. Each row says whether its cost is known (`costs_known`)."""
    rows = selectors.item_sales(store, first, last, by_daypart=by_daypart, category_id=category_id)
    profit = item_profit(store, first, last, by_daypart=by_daypart)
    for row in rows:
        cell = profit.get((row["menu_item_id"], row.get("daypart")), {})
        row["gross_profit"] = cell.get("gross_profit")
        row["costs_known"] = row["gross_profit"] is not None
    measure = {
        "quantity": lambda r: r["quantity"],
        "revenue": lambda r: r["revenue"],
        "profit": lambda r: r["gross_profit"],
    }[by]
    out = []
    for part in sorted({r.get("daypart") or "" for r in rows}):
        ranked = ranking.ranked([r for r in rows if (r.get("daypart") or "") == part], measure)
        out += ranked[:limit] if limit else ranked
    return out


def busy_hours(store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Each weekday (0 = Monday, of the business day) × local hour cell: its orders, the average per
    trading day of that weekday (a day with at least one order), and the forecast orders."""
    cells = selectors.busy_hour_cells(store, first, last)
    days = selectors.trading_days_per_weekday(store, first, last)
    forecast = {
        (f["weekday"], f["hour"]): f["quantity"]
        for f in DemandForecast.objects.filter(store=store, menu_item__isnull=True).values(
            "weekday", "hour", "quantity"
        )
    }
    out = []
    for cell in cells:
        weekday = cell["weekday"] - 1
        trading = days.get(cell["weekday"], 0)
        out.append(
            {
                "weekday": weekday,
                "hour": cell["hour"],
                "orders": cell["orders"],
                "trading_days": trading,
                "average": (Decimal(cell["orders"]) / trading).quantize(CENT, ROUND_HALF_UP)
                if trading
                else ZERO,
                "forecast": forecast.get((weekday, cell["hour"])),
            }
        )
    return out


def trending(store: Store, now: dt.datetime) -> list[dict]:
    """Items whose sales so far today differ from the same weekday's usual sales up to the same time of
    day (weighted mean of the last 4 trading same-weekdays, weights 4, 3, 2, 1). Rising: lift ≥ 1.3 with
    ≥ 5 units today; falling: lift ≤ 0.7 with a usual ≥ 5 units (thresholds are store settings)."""

    conf = analysis_settings_get(store=store)
    today = business_date(store, now)
    here = local(store, now)
    offset = (here.date() - today).days
    days = [today - dt.timedelta(days=7 * k) for k in range(1, 5)]
    traded = selectors.trading_days(store, days[-1], days[0]) - selectors.closed_dates(
        store, days[-1], days[0]
    )
    windows = {today: (business_day_bounds(store, today)[0], now)}
    for day in days:
        if day in traded:
            cutoff = dt.datetime.combine(day + dt.timedelta(days=offset), here.time(), tzinfo=store.tz)
            windows[day] = (business_day_bounds(store, day)[0], cutoff)
    condition = Q()
    for day, (start, end) in windows.items():
        condition |= Q(order__business_date=day, order__placed_at__gte=start, order__placed_at__lte=end)
    rows = (
        selectors.counted_lines(store)
        .filter(condition)
        .values("menu_item_id", "menu_item__name", "order__business_date")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    today_qty: dict[int, int] = {}
    past: dict[int, dict] = {}
    names = {}
    for row in rows:
        names[row["menu_item_id"]] = row["menu_item__name"]
        if row["order__business_date"] == today:
            today_qty[row["menu_item_id"]] = row["quantity"]
        else:
            past.setdefault(row["menu_item_id"], {})[row["order__business_date"]] = row["quantity"]
    weight_sum = sum(w for w, day in zip(WEIGHTS, days, strict=True) if day in windows)
    out = []
    if not weight_sum:
        return out
    for item in set(today_qty) | set(past):
        usual = (
            Decimal(
                sum(
                    w * past.get(item, {}).get(day, 0)
                    for w, day in zip(WEIGHTS, days, strict=True)
                    if day in windows
                )
            )
            / weight_sum
        )
        sold = today_qty.get(item, 0)
        lift = (Decimal(sold) / usual) if usual else None
        direction = None
        if sold >= conf.trending_min_units and (lift is None or lift >= conf.trending_rise):
            direction = "up"
        elif usual >= conf.trending_min_units and lift is not None and lift <= conf.trending_fall:
            direction = "down"
        if direction:
            out.append(
                {
                    "menu_item_id": item,
                    "name": names[item],
                    "today": sold,
                    "usual": usual.quantize(CENT, ROUND_HALF_UP),
                    "lift": lift.quantize(CENT, ROUND_HALF_UP) if lift is not None else None,
                    "direction": direction,
                }
            )
    return sorted(out, key=lambda r: r["name"])


def run_trending(*, store: Store, now: dt.datetime, job_run=None) -> dict:
    found = trending(store, now)
    findings = [
        Finding(
            kind=Insight.Kind.TRENDING,
            subject=f"item:{r['menu_item_id']}",
            message_key=f"trending_{r['direction']}",
            severity=Insight.Severity.INFO,
            numbers={
                "item": r["name"],
                "today": r["today"],
                "usual": str(r["usual"]),
                "lift": str(r["lift"]) if r["lift"] is not None else "∞",
                "direction": r["direction"],
            },
            metric="item_quantity",
            window_days=7,
        )
        for r in found
    ]
    insights_sync(store=store, kind=Insight.Kind.TRENDING, findings=findings, job_run=job_run)
    return {"trending": len(findings)}


def menu_engineering(
    store: Store, first: dt.date, last: dt.date, *, category_id: int | None = None
) -> list[dict]:
    """Kasavana–Smith matrix per category over business days first..last. N counts every item of the
    category on the menu (active), sold or not, plus any item sold in the window since taken off; an
    item is popular when its share of the category's quantity is ≥ 0.7 × 1/N. Its contribution margin
    = (revenue − food cost) / quantity over the window's sales (modifiers and each day's recipe and
    cost included, `costing`); an unsold item's = its menu price without tax − its plate cost on `last`.
    Profitable when above the category's quantity-weighted average margin of the items whose cost is
    known. An item whose cost is unknown has margin and class None (`quadrant` "unknown")."""
    book = costing.recipes(store)
    rows = costing.costed_sales(store, first, last, book=book)
    sold = costing.totals(rows)
    menu = MenuItem.objects.filter(store=store).filter(
        Q(is_active=True) | Q(pk__in=[item_id for (item_id,) in sold])
    )
    if category_id is not None:
        menu = menu.filter(category_id=category_id)
    members = list(menu.select_related("category", "tax_category"))
    unsold = [m for m in members if (m.pk,) not in sold]
    costs = costing.ingredient_costs(
        {j for m in unsold for j in ((book.item(m.pk, last) or {}) if book else {})}, {last}
    )
    out = []
    for category in sorted({m.category for m in members}, key=lambda c: (c.position, c.name, c.pk)):
        cells = []
        for m in (m for m in members if m.category_id == category.pk):
            cell = sold.get((m.pk,))
            if cell:
                quantity = cell["quantity"]
                food = cell["food_cost"]
                margin = None if food is None else (cell["revenue"] - food) / quantity
            else:
                quantity = 0
                plate = costing.cost_of(book.item(m.pk, last) if book else None, costs, last)
                margin = None if plate is None else _net_price(store, m) - plate
            cells.append({"item": m, "quantity": quantity, "margin": margin})
        n = len(cells)
        total = sum(c["quantity"] for c in cells)
        known = [c for c in cells if c["margin"] is not None and c["quantity"]]
        known_quantity = sum(c["quantity"] for c in known)
        average = (
            sum((c["margin"] * c["quantity"] for c in known), ZERO) / known_quantity
            if known_quantity
            else None
        )
        threshold = Decimal("0.7") / n
        for c in ranking.ranked(
            [{**c, "name": c["item"].name, "menu_item_id": c["item"].pk} for c in cells],
            lambda c: c["quantity"],
        ):
            share = Decimal(c["quantity"]) / total if total else ZERO
            popular = bool(total) and share >= threshold
            profitable = None if c["margin"] is None or average is None else c["margin"] > average
            quadrant = (
                "unknown"
                if profitable is None
                else {
                    (True, True): "star",
                    (True, False): "plowhorse",
                    (False, True): "puzzle",
                    (False, False): "dog",
                }[(popular, profitable)]
            )
            out.append(
                {
                    "menu_item_id": c["menu_item_id"],
                    "name": c["name"],
                    "category_id": category.pk,
                    "category": category.name,
                    "quantity": c["quantity"],
                    "share": share.quantize(Decimal("0.0001"), ROUND_HALF_UP),
                    "items_in_category": n,
                    "contribution_margin": _cents(c["margin"]),
                    "average_margin": _cents(average),
                    "costs_known": c["margin"] is not None,
                    "popular": popular,
                    "profitable": profitable,
                    "quadrant": quadrant,
                }
            )
    return out


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, ROUND_HALF_UP)


def _net_price(store: Store, item: MenuItem) -> Decimal:
    """The menu price as revenue counts it: without tax (taken out when the menu prices include it)."""
    if store.prices_include_tax and item.tax_rate:
        return item.price / (1 + item.tax_rate)
    return item.price


def sales(store: Store, first: dt.date, last: dt.date, period: str = "day") -> list[dict]:
    return selectors.sales_by_period(store, first, last, period)
