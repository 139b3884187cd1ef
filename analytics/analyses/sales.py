"""Best sellers, sales by period, busy hours, trending items and the menu-engineering matrix."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, business_day_bounds, local

from .. import selectors
from ..models import DemandForecast, Insight
from . import costing

CENT = Decimal("0.01")
ZERO = Decimal("0")
WEIGHTS = (4, 3, 2, 1)


def _profit(
    store: Store, first: dt.date, last: dt.date, item_ids: set | None = None
) -> dict[int, Decimal] | None:
    """Gross profit per item: revenue − Σ quantity × plate cost on each day (None without costs)."""
    days = selectors.item_day_quantities(store, first, last)
    costs = costing.item_unit_costs(store, sorted({r["day"] for r in days}))
    if costs is None:
        return None
    profit: dict[int, Decimal] = {}
    for row in days:
        cost = costs.get((row["menu_item_id"], row["day"]), ZERO)
        profit[row["menu_item_id"]] = (
            profit.get(row["menu_item_id"], ZERO) + row["revenue"] - row["quantity"] * cost
        )
    return {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in profit.items()}


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
    """Items ranked by quantity, revenue or gross profit over business days first..last inclusive;
    ties broken by name. With `by_daypart`, ranked within each daypart."""
    rows = selectors.item_sales(store, first, last, by_daypart=by_daypart, category_id=category_id)
    profit = _profit(store, first, last) if (by == "profit" or not by_daypart) else None
    for row in rows:
        row["gross_profit"] = None if profit is None or by_daypart else profit.get(row["menu_item_id"])
    if by == "profit" and profit is None:
        return []
    key = {
        "quantity": lambda r: (-r["quantity"], -r["revenue"], r["name"]),
        "revenue": lambda r: (-r["revenue"], -r["quantity"], r["name"]),
        "profit": lambda r: (-(r["gross_profit"] or ZERO), r["name"]),
    }[by]
    if not by_daypart:
        ranked = sorted(rows, key=key)
        return ranked[:limit] if limit else ranked
    out = []
    for part in sorted({r["daypart"] for r in rows}):
        ranked = sorted([r for r in rows if r["daypart"] == part], key=key)
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
    from ..services import analysis_settings_get

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
    from ..services import Finding, insights_sync

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
    store: Store,
    first: dt.date,
    last: dt.date,
    *,
    category_id: int | None = None,
    costs: dict[int, Decimal] | None = None,
) -> list[dict]:
    """Kasavana–Smith matrix per category: popular when an item's share of the category's quantity is
    ≥ 0.7 × 1/N; profitable when its contribution margin (average net price − plate cost, modifiers
    included) is above the category's quantity-weighted average. Stars, plowhorses, puzzles, dogs.
    `costs` (item → plate cost) defaults to inventory's costs on `last`; without any, margins are
    unknown and the matrix is empty."""
    rows = selectors.item_sales(store, first, last, category_id=category_id)
    if costs is None:
        day_costs = costing.item_unit_costs(store, [last])
        if day_costs is None:
            return []
        costs = {item: cost for (item, _day), cost in day_costs.items()}
    out = []
    for category in sorted({r["category_id"] for r in rows}):
        members = [r for r in rows if r["category_id"] == category and r["quantity"]]
        total = sum(r["quantity"] for r in members)
        if not total:
            continue
        n = len(members)
        for r in members:
            r["margin"] = r["revenue"] / r["quantity"] - costs.get(r["menu_item_id"], ZERO)
        average_margin = sum(r["margin"] * r["quantity"] for r in members) / total
        threshold = Decimal("0.7") / n
        for r in members:
            popular = Decimal(r["quantity"]) / total >= threshold
            profitable = r["margin"] > average_margin
            quadrant = {
                (True, True): "star",
                (True, False): "plowhorse",
                (False, True): "puzzle",
                (False, False): "dog",
            }[(popular, profitable)]
            out.append(
                {
                    "menu_item_id": r["menu_item_id"],
                    "name": r["name"],
                    "category_id": category,
                    "category": r["category"],
                    "quantity": r["quantity"],
                    "share": (Decimal(r["quantity"]) / total).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                    "contribution_margin": r["margin"].quantize(CENT, ROUND_HALF_UP),
                    "average_margin": average_margin.quantize(CENT, ROUND_HALF_UP),
                    "popular": popular,
                    "profitable": profitable,
                    "quadrant": quadrant,
                }
            )
    return out


def sales(store: Store, first: dt.date, last: dt.date, period: str = "day") -> list[dict]:
    return selectors.sales_by_period(store, first, last, period)
