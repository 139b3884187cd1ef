"""Low stock and reorder (PRODUCT.md). Usage is what was sold times the recipes, modifiers included
(`costing`): imported history has no stock movements, and a count correction is not usage.

- daily usage forecast = Σ item forecast × what one portion takes (its recipe + each modifier's recipe ×
  the share of the item's portions that chose it over the last 28 trading days), so an ingredient used
  only by modifiers is forecast and reordered too;
- pace = actual usage ÷ forecast usage over *the same span*: the hours of today's business day that have
  fully passed, on both sides; 1 unless that ratio exceeds 1;
- σ = sample standard deviation of daily usage over the last 28 trading days;
- L = the supplier's lead time, R = the review period, z from the store's settings;
- usage over n days = the forecast for the rest of today (the running hour pro rata: what was used so far
  today has already left the stock, so it is not counted again) + the next n − 1 days, all × pace.

    reorder point = usage over L + z·σ·√L   (or the manual minimum if higher)
    par           = usage over L + R + z·σ·√(L + R)   (never below the reorder point)

At or below the reorder point, an alert says when the ingredient runs out at that pace, and draft purchase
orders (inventory's service) go to the best supplier — lowest list price per base unit among those whose
lead time fits before the stock runs out, the preferred one on a tie — for par − on hand − already on
order, rounded up to whole packs. A supplier's minimum order value applies to the whole purchase order:
when the lines fall short, whole packs are added one at a time to the line whose ingredient then has the
fewest days of cover (ties as `ranking` says), until the order reaches it. An ingredient set to
auto-order sends its order at once."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory import services as inventory
from inventory.models import Ingredient, PurchaseOrder, PurchaseOrderLine, SupplierItem
from inventory.selectors import supplier_list_prices
from inventory.units import buying_unit
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, business_day_bounds, local

from .. import selectors
from ..insights import Finding, insights_sync
from ..models import DemandForecast, Insight
from ..selectors import analysis_settings_get
from . import costing

ZERO = Decimal("0")
Q3 = Decimal("0.001")
RUNS_OUT_HORIZON_DAYS = 3650  # a stock lasting longer has no run-out date
CENT = Decimal("0.01")
OPEN_PO = ("draft", "sent", "partially_received")
ORDERED = ("sent", "partially_received")


def _sqrt(value: Decimal) -> Decimal:
    return value.sqrt() if value > 0 else ZERO


def today_hours(store: Store, now: dt.datetime) -> tuple[set[int], dict[int, Decimal]]:
    """Today's business day split at `now`, stepping in UTC so DST days have 23 or 25 hours: the local
    clock hours that have fully passed, and for every hour still to come the share of it left (1 for the
    hours after the running one)."""
    start, end = business_day_bounds(store, business_date(store, now))
    passed, left = set(), defaultdict(lambda: ZERO)
    moment = start.astimezone(dt.UTC)
    while moment < end:
        hour = local(store, moment).hour
        if moment + dt.timedelta(hours=1) <= now:
            passed.add(hour)
        else:
            remaining = moment + dt.timedelta(hours=1) - max(moment, now)
            left[hour] += min(Decimal(1), Decimal(remaining.total_seconds()) / 3600)
        moment += dt.timedelta(hours=1)
    return passed, dict(left)


def stock_status(store: Store, now: dt.datetime) -> list[dict]:
    """One row per active ingredient with its figures; a bounded number of queries."""
    conf = analysis_settings_get(store=store)
    z = conf.service_level_z
    today = business_date(store, now)
    ingredients = list(Ingredient.objects.filter(store=store, is_active=True).order_by("name"))
    if not ingredients:
        return []
    # Daily usage over the last 28 trading days, and today's over the hours that have fully passed.
    first = today - dt.timedelta(days=60)
    traded = sorted(selectors.trading_days(store, first, today - dt.timedelta(days=1)))[-28:]
    history_first = traded[0] if traded else today
    passed, left = today_hours(store, now)
    book = costing.recipes(store)
    if book is None:
        return []
    sold = selectors.item_day_sales(store, history_first, today - dt.timedelta(days=1), money=False)
    usage: dict[int, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in costing.with_uses(book, *sold):
        for ingredient_id, quantity in (row["uses"] or {}).items():
            usage[ingredient_id][row["day"]] += quantity
    actual_so_far: dict[int, Decimal] = defaultdict(lambda: ZERO)
    today_sold = selectors.item_day_sales(store, today, today, until=min(_hour_start(now), now), money=False)
    for row in costing.with_uses(book, *today_sold):
        for ingredient_id, quantity in (row["uses"] or {}).items():
            actual_so_far[ingredient_id] += quantity
    # What one portion of each item takes (modifiers at their recent take-up), times the item forecast.
    per_portion = costing.portion_uses(book, *sold, today)
    daily: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)  # (ingredient, weekday)
    forecast_so_far: dict[int, Decimal] = defaultdict(lambda: ZERO)
    forecast_left: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item, weekday, hour, quantity in DemandForecast.objects.filter(
        store=store, menu_item__isnull=False
    ).values_list("menu_item_id", "weekday", "hour", "quantity"):
        for ingredient_id, per in per_portion.get(item, {}).items():
            daily[(ingredient_id, weekday)] += quantity * per
            if weekday == today.weekday():
                if hour in passed:
                    forecast_so_far[ingredient_id] += quantity * per
                forecast_left[ingredient_id] += quantity * per * left.get(hour, ZERO)
    # On order = sent and not yet received. A draft is not on order: the check sizes its own suggested
    # draft, and counting it would shrink the next proposal to 0.
    on_order = dict(
        PurchaseOrderLine.objects.filter(purchase_order__store=store, purchase_order__status__in=ORDERED)
        .values("ingredient_id")
        .annotate(left=Sum(F("quantity") - F("received_quantity")))
        .values_list("ingredient_id", "left")
        .order_by()
    )
    offers: dict[int, list] = defaultdict(list)
    for si in SupplierItem.objects.filter(ingredient__store=store, supplier__is_active=True).select_related(
        "supplier"
    ):
        offers[si.ingredient_id].append(si)
    prices = supplier_list_prices(ingredient_ids=[i.pk for i in ingredients], on=today)

    out = []
    for ingredient in ingredients:
        j = ingredient.pk
        so_far, actual = forecast_so_far[j], actual_so_far[j]
        pace = (actual / so_far) if so_far and actual > so_far else Decimal(1)
        history = [usage[j].get(day, ZERO) for day in traded]
        sigma = ZERO
        if len(history) >= 2:
            mean = sum(history, ZERO) / len(history)
            sigma = _sqrt(sum(((x - mean) ** 2 for x in history), ZERO) / (len(history) - 1))

        def usage_over(days: int, j=j, pace=pace) -> Decimal:
            if days <= 0:
                return ZERO
            ahead = [daily[(j, (today + dt.timedelta(days=d)).weekday())] for d in range(1, days)]
            return (forecast_left[j] + sum(ahead, ZERO)) * pace

        week = [daily[(j, (today + dt.timedelta(days=d)).weekday())] for d in range(7)]
        per_day = sum(week, ZERO) / 7 * pace
        days_left = (ingredient.on_hand / per_day) if per_day > 0 else None
        supplier_item = _best_supplier(ingredient, offers.get(j, []), prices, days_left)
        lead = supplier_item.supplier.lead_time_days if supplier_item else 0
        review = ingredient.review_period_days or conf.review_period_days
        rop = max(usage_over(lead) + z * sigma * _sqrt(Decimal(lead)), ingredient.min_quantity)
        par = max(usage_over(lead + review) + z * sigma * _sqrt(Decimal(lead + review)), rop)
        out.append(
            {
                "ingredient": ingredient,
                "on_hand": ingredient.on_hand,
                "on_order": on_order.get(j) or ZERO,
                "daily_usage": per_day.quantize(Q3, ROUND_HALF_UP),
                "pace": pace.quantize(Decimal("0.0001"), ROUND_HALF_UP),
                "sigma": sigma.quantize(Q3, ROUND_HALF_UP),
                "lead_time": lead,
                "review_period": review,
                "reorder_point": rop.quantize(Q3, ROUND_HALF_UP),
                "par": par.quantize(Q3, ROUND_HALF_UP),
                "days_left": days_left.quantize(Decimal("0.1"), ROUND_HALF_UP)
                if days_left is not None
                else None,
                # Beyond any horizon anyone plans for (and past year 9999 with a huge stock): never.
                "runs_out_at": (now + dt.timedelta(days=float(days_left)))
                if days_left is not None and days_left <= RUNS_OUT_HORIZON_DAYS
                else None,
                "per_day": per_day,
                "supplier_item": supplier_item,
                "unit_price": prices.get((supplier_item.supplier_id, j)) if supplier_item else None,
            }
        )
    return out


def _hour_start(moment: dt.datetime) -> dt.datetime:
    """The start of the clock hour `moment` is in (in UTC: whole-hour zones and DST alike)."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _best_supplier(ingredient, items: list, prices: dict, days_left: Decimal | None):
    """Lowest list price per base unit among suppliers whose lead time fits before the stock runs out
    (all of them when none fits, or with no usage), the preferred one on a tie."""
    priced = [si for si in items if (si.supplier_id, ingredient.pk) in prices]
    if not priced:
        return None
    fitting = [si for si in priced if days_left is None or si.supplier.lead_time_days <= days_left] or priced

    def rank(si):
        return (
            prices[(si.supplier_id, ingredient.pk)],
            si.supplier_id != ingredient.preferred_supplier_id,
            si.supplier.lead_time_days,
            si.supplier_id,
        )

    return min(fitting, key=rank)


def order_packs(row: dict) -> int:
    """Whole packs for par − on hand − on order (0 when nothing is needed or no supplier sells it)."""
    need = row["par"] - row["on_hand"] - row["on_order"]
    si = row["supplier_item"]
    if need <= 0 or si is None:
        return 0
    return int((need / si.pack_size).to_integral_value(ROUND_CEILING))


def order_quantities(rows: list[dict]) -> dict[int, Decimal]:
    """Ingredient id → quantity to order from one supplier's rows: each line's whole packs, then, while
    the order's value is below the supplier's minimum, one more pack to the line whose ingredient has
    the fewest days of cover after the order (ties by name, then id). Lines without a price add nothing
    to the value, so they never receive the top-up."""
    packs = {r["ingredient"].pk: order_packs(r) for r in rows}
    ordered = [r for r in rows if packs[r["ingredient"].pk]]
    if not ordered:
        return {}
    supplier = ordered[0]["supplier_item"].supplier
    priced = [r for r in ordered if r["unit_price"]]

    def value() -> Decimal:
        return sum(
            (packs[r["ingredient"].pk] * r["supplier_item"].pack_size * r["unit_price"] for r in priced), ZERO
        )

    def cover(r: dict) -> Decimal:
        stock = r["on_hand"] + r["on_order"] + packs[r["ingredient"].pk] * r["supplier_item"].pack_size
        return stock / r["per_day"] if r["per_day"] > 0 else stock

    while priced and value() < supplier.min_order_value:
        lowest = min(priced, key=lambda r: (cover(r), r["ingredient"].name, r["ingredient"].pk))
        packs[lowest["ingredient"].pk] += 1
    return {
        r["ingredient"].pk: (packs[r["ingredient"].pk] * r["supplier_item"].pack_size).quantize(Q3)
        for r in ordered
    }


def run_low_stock(*, store: Store, now: dt.datetime, job_run=None) -> dict:
    status = stock_status(store, now)
    # The stock page flags "low" by these reorder points (Ingredient.is_low, the same rule as here).
    inventory.ingredient_reorder_points_record(points={r["ingredient"]: r["reorder_point"] for r in status})
    rows = [r for r in status if r["on_hand"] <= r["reorder_point"] and (r["reorder_point"] > 0)]
    by_supplier: dict[int, list] = defaultdict(list)
    for row in rows:
        row["order_quantity"] = ZERO
        if row["supplier_item"] is not None:
            by_supplier[row["supplier_item"].supplier_id].append(row)
    purchase_orders = {}
    for supplier_id, group in by_supplier.items():
        quantities = order_quantities(group)
        group = [r for r in group if r["ingredient"].pk in quantities]
        if not group:
            continue
        for row in group:
            row["order_quantity"] = quantities[row["ingredient"].pk]
        supplier = group[0]["supplier_item"].supplier
        po = inventory.purchase_order_suggest(
            store=store,
            supplier=supplier,
            note=str(_note()),
            lines=[{"ingredient": r["ingredient"], "quantity": r["order_quantity"]} for r in group],
        )
        if any(r["ingredient"].auto_order for r in group):
            try:
                po = inventory.purchase_order_send(purchase_order=po)
            except (DomainError, DomainErrors):
                pass  # stays a draft (e.g. the supplier has no e-mail); the insight says so
        purchase_orders[supplier_id] = po
    inventory.purchase_order_suggestions_withdraw(
        store=store, keep=[po.pk for po in purchase_orders.values() if po.status == "draft"]
    )
    open_drafts = _open_suggested(store, [r["ingredient"].pk for r in rows])
    findings = []
    for row in rows:
        ingredient = row["ingredient"]
        si = row["supplier_item"]
        po = (
            purchase_orders.get(si.supplier_id)
            if si and row["order_quantity"] > 0
            else open_drafts.get(ingredient.pk)
        )
        numbers = {
            "ingredient": ingredient.name,
            "unit": ingredient.base_unit,
            "on_hand": str(row["on_hand"]),
            "on_order": str(row["on_order"]),
            "reorder_point": str(row["reorder_point"]),
            "par": str(row["par"]),
            "daily_usage": str(row["daily_usage"]),
            "sigma": str(row["sigma"]),
            "pace": str(row["pace"]),
            "lead_time": row["lead_time"],
            "days_left": str(row["days_left"]) if row["days_left"] is not None else "?",
            "runs_out_at": row["runs_out_at"].isoformat() if row["runs_out_at"] else None,
            "order_quantity": str(row["order_quantity"]),
            "supplier": si.supplier.name if si else None,
            "supplier_id": si.supplier_id if si else None,
            "purchase_order_id": po.pk if po else None,
            "purchase_order_status": po.status if po else None,
        }
        if si is not None:
            delivery = business_date(store, now) + dt.timedelta(days=si.supplier.lead_time_days)
            numbers["delivery_on"] = delivery.isoformat()
            numbers["runs_out_on"] = (
                business_date(store, row["runs_out_at"]).isoformat() if row["runs_out_at"] else None
            )
        if po is not None and row["order_quantity"] > 0:
            key = "low_stock_po"
        elif po is not None:
            key = "low_stock_on_order"  # covered by an open order: say how much, never "order 0"
        else:
            key = "low_stock_no_supplier" if si is None else "low_stock"
        severity = (
            Insight.Severity.HIGH
            if row["on_hand"] <= 0 or (row["days_left"] is not None and row["days_left"] < row["lead_time"])
            else Insight.Severity.WARNING
        )
        findings.append(
            Finding(
                kind=Insight.Kind.LOW_STOCK,
                subject=f"ingredient:{ingredient.pk}",
                message_key=key,
                numbers=numbers,
                severity=severity,
                metric="sold_out_days",
                window_days=14,
            )
        )
    insights_sync(store=store, kind=Insight.Kind.LOW_STOCK, findings=findings, job_run=job_run)
    return {"low": len(rows), "purchase_orders": [po.pk for po in purchase_orders.values()]}


def _open_suggested(store: Store, ingredient_ids: list[int]) -> dict:
    out = {}
    for po in (
        PurchaseOrder.objects.filter(store=store, status__in=OPEN_PO, lines__ingredient_id__in=ingredient_ids)
        .prefetch_related("lines")
        .order_by("-created_at")
        .distinct()
    ):
        for line in po.lines.all():
            out.setdefault(line.ingredient_id, po)
    return out


def _note():
    return _("Suggested by the low-stock analysis")


def cover(store: Store, now: dt.datetime | None = None) -> list[dict]:
    """Stock cover per ingredient for the API: on hand, usage, reorder point, par, days left, and the
    reorder point in days of cover."""
    now = now or timezone.now()
    return [
        {
            "ingredient_id": r["ingredient"].pk,
            "ingredient": r["ingredient"].name,
            "unit": r["ingredient"].base_unit,
            **{
                k: r[k]
                for k in (
                    "on_hand",
                    "on_order",
                    "daily_usage",
                    "sigma",
                    "reorder_point",
                    "par",
                    "days_left",
                    "lead_time",
                )
            },
            "supplier": r["supplier_item"].supplier.name if r["supplier_item"] else None,
            # The reorder point as days of cover at the same daily usage as days_left, so the two compare.
            "reorder_point_days": (r["reorder_point"] / r["per_day"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if r["per_day"] > 0
            else None,
            **dict(
                zip(("buying_unit", "buying_unit_size"), buying_unit(r["ingredient"].base_unit), strict=True)
            ),
        }
        for r in stock_status(store, now)
    ]
