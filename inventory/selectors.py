"""Reads for inventory: costs at a date (for many ingredients and days in two queries), usage
reports, and the querysets pages and the API list."""

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from orders.models import MenuItem
from restaurant_ops.models import Store

from .models import (
    Ingredient,
    PurchaseOrder,
    PurchaseOrderLine,
    RecipeLine,
    StockCount,
    StockMovement,
    SupplierItem,
    SupplierPrice,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")


def ingredient_costs(
    *, ingredient_ids: Iterable[int], dates: Iterable[dt.date]
) -> dict[tuple[int, dt.date], Decimal | None]:
    """Cost per base unit of each ingredient on each business day: the price paid at its last goods
    receipt on or before that day; before any receipt, its preferred supplier's list price then in
    force; None when neither exists. Two queries whatever the number of ingredients and days."""
    ids, days = sorted(set(ingredient_ids)), sorted(set(dates))
    if not ids or not days:
        return {}
    last_day = days[-1]
    receipts: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for ingredient_id, day, cost in (
        StockMovement.objects.filter(
            ingredient_id__in=ids,
            kind=StockMovement.Kind.RECEIPT,
            unit_cost__isnull=False,
            business_date__lte=last_day,
        )
        .order_by("ingredient_id", "business_date", "at", "id")
        .values_list("ingredient_id", "business_date", "unit_cost")
    ):
        receipts[ingredient_id][0].append(day)
        receipts[ingredient_id][1].append(cost)
    listed: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for ingredient_id, day, price in (
        SupplierPrice.objects.filter(
            supplier_item__ingredient_id__in=ids,
            effective_from__lte=last_day,
            supplier_item__supplier_id=F("supplier_item__ingredient__preferred_supplier_id"),
        )
        .order_by("supplier_item__ingredient_id", "effective_from", "id")
        .values_list("supplier_item__ingredient_id", "effective_from", "unit_price")
    ):
        listed[ingredient_id][0].append(day)
        listed[ingredient_id][1].append(price)
    out: dict[tuple[int, dt.date], Decimal | None] = {}
    for ingredient_id in ids:
        for day in days:
            out[(ingredient_id, day)] = None
            for source in (receipts, listed):
                if ingredient_id in source:
                    found_days, values = source[ingredient_id]
                    index = bisect_right(found_days, day) - 1
                    if index >= 0:
                        out[(ingredient_id, day)] = values[index]
                        break
    return out


def recipe_versions(
    *, store: Store
) -> dict[tuple[str, int], list[tuple[dt.date | None, dict[int, Decimal]]]]:
    """Every recipe the store's items and modifiers have had, with the business day each took effect:
    ("item" | "modifier", id) → [(valid from, {ingredient id: base quantity per portion})], oldest first;
    `None` = since the beginning; an empty dict = no recipe from then on. One query over the history."""
    lines: dict[tuple[str, int], list] = defaultdict(list)
    for item_id, modifier_id, ingredient_id, quantity, start, end in RecipeLine.versions.filter(
        store=store
    ).values_list(
        "menu_item_id", "modifier_id", "ingredient_id", "base_quantity", "valid_from", "valid_until"
    ):
        owner = ("item", item_id) if item_id else ("modifier", modifier_id)
        lines[owner].append((ingredient_id, quantity, start or dt.date.min, end or dt.date.max))
    out = {}
    for owner, found in lines.items():
        changes = sorted({start for _j, _q, start, _e in found} | {end for *_r, end in found} - {dt.date.max})
        out[owner] = [
            (
                None if day == dt.date.min else day,
                {j: q for j, q, start, end in found if start <= day < end},
            )
            for day in changes
        ]
    return out


def last_receipt_costs(
    *, ingredient_ids: Iterable[int], before: dt.datetime | None = None
) -> dict[int, Decimal]:
    """Ingredient id → price per base unit paid at its latest goods receipt (any supplier) up to
    `before` (a back-dated receipt compares with the one before it); ingredients never received are
    left out. One query."""
    latest = StockMovement.objects.filter(
        ingredient_id=OuterRef("pk"), kind=StockMovement.Kind.RECEIPT, unit_cost__isnull=False
    ).order_by("-at", "-id")
    if before is not None:
        latest = latest.filter(at__lte=before)
    rows = (
        Ingredient.objects.filter(pk__in=list(ingredient_ids))
        .annotate(last=Subquery(latest.values("unit_cost")[:1]))
        .filter(last__isnull=False)
        .values_list("pk", "last")
    )
    return dict(rows)


def ingredient_cost_at(*, ingredient: Ingredient, on: dt.date) -> Decimal | None:
    return ingredient_costs(ingredient_ids=[ingredient.pk], dates=[on])[(ingredient.pk, on)]


def supplier_list_prices(*, ingredient_ids: Iterable[int], on: dt.date) -> dict[tuple[int, int], Decimal]:
    """(supplier id, ingredient id) -> list price per base unit in force on `on` (for comparing suppliers)."""
    out: dict[tuple[int, int], Decimal] = {}
    rows = (
        SupplierPrice.objects.filter(
            supplier_item__ingredient_id__in=list(ingredient_ids), effective_from__lte=on
        )
        .order_by("supplier_item__supplier_id", "supplier_item__ingredient_id", "effective_from", "id")
        .values_list("supplier_item__supplier_id", "supplier_item__ingredient_id", "unit_price")
    )
    for supplier_id, ingredient_id, price in rows:
        out[(supplier_id, ingredient_id)] = price  # later rows win: the one in force
    return out


def usage_report(*, store: Store, first: dt.date, last: dt.date) -> list[dict]:
    """Theoretical vs actual usage per ingredient over business days [first, last], in base units.

    theoretical = what recipes say orders used (consumption, net of returns from cancellations);
    actual = everything that left stock except receipts = theoretical + waste − count variance −
    corrections (a count that finds less than expected means more was used than the recipes say).
    One aggregate query."""
    kinds = StockMovement.Kind
    dec = DecimalField(max_digits=14, decimal_places=3)

    def total(kind):
        return Coalesce(Sum("quantity", filter=Q(kind=kind)), Value(ZERO), output_field=dec)

    rows = (
        StockMovement.objects.filter(store=store, business_date__gte=first, business_date__lte=last)
        .values("ingredient_id", "ingredient__name", "ingredient__base_unit")
        .annotate(
            consumption=total(kinds.CONSUMPTION),
            waste=total(kinds.WASTE),
            count=total(kinds.COUNT),
            correction=total(kinds.CORRECTION),
            received=total(kinds.RECEIPT),
        )
        .order_by("ingredient__name")
    )
    report = []
    for row in rows:
        theoretical = -row["consumption"]
        actual = -(row["consumption"] + row["waste"] + row["count"] + row["correction"])
        report.append(
            {
                "ingredient_id": row["ingredient_id"],
                "ingredient": row["ingredient__name"],
                "unit": row["ingredient__base_unit"],
                "theoretical": theoretical,
                "actual": actual,
                "waste": -row["waste"],
                "count_variance": row["count"],
                "received": row["received"],
                "difference": actual - theoretical,
            }
        )
    return report


def ingredients(*, stores: QuerySet[Store]) -> QuerySet[Ingredient]:
    return Ingredient.objects.filter(store__in=stores).select_related("store", "preferred_supplier")


def recipe_lines(*, stores: QuerySet[Store]) -> QuerySet[RecipeLine]:
    return RecipeLine.objects.filter(store__in=stores).select_related(
        "store", "ingredient", "menu_item", "modifier"
    )


def supplier_items(*, stores: QuerySet[Store]) -> QuerySet[SupplierItem]:
    return (
        SupplierItem.objects.filter(supplier__store__in=stores)
        .select_related("supplier__store", "ingredient")
        .prefetch_related("prices")
    )


def purchase_orders(*, stores: QuerySet[Store]) -> QuerySet[PurchaseOrder]:
    return (
        PurchaseOrder.objects.filter(store__in=stores)
        .select_related("store", "supplier")
        .prefetch_related(Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("ingredient")))
    )


def stock_counts(*, stores: QuerySet[Store]) -> QuerySet[StockCount]:
    return (
        StockCount.objects.filter(store__in=stores)
        .select_related("store")
        .prefetch_related("lines__ingredient")
    )


def stock_movements(*, stores: QuerySet[Store]) -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(store__in=stores).select_related("store", "ingredient", "by")


def ingredients_for_count(*, store: Store) -> QuerySet[Ingredient]:
    """What a counter walks through: flagged ingredients first, then by name."""
    return (
        Ingredient.objects.filter(store=store, is_active=True)
        .annotate(flagged=Case(When(needs_count=True, then=Value(0)), default=Value(1)))
        .order_by("flagged", "name")
    )


def item_changes(*, menu_item_id: int, until: dt.datetime, days: int = 30) -> list[dict]:
    """What changed about a dish in the `days` before `until`: its recipe lines edited, or an
    ingredient of it received from another supplier than the delivery before (a likely cause when
    guests complain about the dish)."""
    since = until - dt.timedelta(days=days)
    changes: list[dict] = []
    edited = (
        RecipeLine.objects.filter(menu_item_id=menu_item_id, updated_at__gt=since, updated_at__lte=until)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    if edited:
        changes.append({"kind": "recipe", "on": edited.date().isoformat()})
    ingredient_ids = RecipeLine.objects.filter(menu_item_id=menu_item_id).values_list(
        "ingredient_id", flat=True
    )
    receipts = (
        StockMovement.objects.filter(
            ingredient_id__in=ingredient_ids,
            kind=StockMovement.Kind.RECEIPT,
            purchase_order_line__isnull=False,
            at__gt=since - dt.timedelta(days=180),
            at__lte=until,
        )
        .order_by("ingredient_id", "-at", "-id")
        .values_list(
            "ingredient_id", "ingredient__name", "at", "purchase_order_line__purchase_order__supplier__name"
        )
    )
    latest: dict[int, list] = defaultdict(list)
    for ingredient_id, name, at, supplier in receipts:
        if len(latest[ingredient_id]) < 2:
            latest[ingredient_id].append((name, at, supplier))
    for pair in latest.values():
        if len(pair) == 2 and pair[0][1] > since and pair[0][2] != pair[1][2]:
            (name, at, supplier), previous = pair
            changes.append(
                {
                    "kind": "supplier",
                    "ingredient": name,
                    "from": previous[2],
                    "to": supplier,
                    "on": at.date().isoformat(),
                }
            )
    return changes


def menu_item_costs(*, store: Store, on: dt.date) -> list[dict]:
    """Each active menu item with its recipe and what one portion costs on `on`: {item, lines, cost},
    cost None while the recipe is missing or an ingredient has neither a receipt nor a list price."""
    lines = list(
        RecipeLine.objects.filter(store=store, menu_item__isnull=False, menu_item__is_active=True)
        .select_related("ingredient")
        .order_by("menu_item_id", "ingredient__name")
    )
    costs = ingredient_costs(ingredient_ids={line.ingredient_id for line in lines}, dates=[on])
    by_item: dict[int, list[RecipeLine]] = defaultdict(list)
    for line in lines:
        by_item[line.menu_item_id].append(line)
    out = []
    for item in MenuItem.objects.filter(store=store, is_active=True).order_by("name"):
        item_lines = by_item.get(item.pk, [])
        unit_costs = [costs.get((line.ingredient_id, on)) for line in item_lines]
        known = bool(item_lines) and all(cost is not None for cost in unit_costs)
        cost = (
            sum(
                (line.base_quantity * c for line, c in zip(item_lines, unit_costs, strict=True)), ZERO
            ).quantize(Decimal("0.01"))
            if known
            else None
        )
        out.append({"item": item, "lines": item_lines, "cost": cost})
    return out


def pack_prices(*, store: Store, on: dt.date) -> dict[int, dict]:
    """Per ingredient: its preferred supplier's list price in force on `on`, per the pack it is bought in
    ({"price", "pack_size" in base units}); ingredients without one are absent."""
    items = SupplierItem.objects.filter(
        ingredient__store=store, supplier_id=F("ingredient__preferred_supplier_id")
    ).values_list("supplier_id", "ingredient_id", "pack_size")
    items = list(items)
    listed = supplier_list_prices(ingredient_ids=[i for _s, i, _p in items], on=on)
    return {
        ingredient_id: {
            "price": (listed[(supplier_id, ingredient_id)] * size).quantize(Decimal("0.01")),
            "pack_size": size,
        }
        for supplier_id, ingredient_id, size in items
        if (supplier_id, ingredient_id) in listed
    }


def purchase_order_proposals(*, store: Store, purchase_order_ids: Iterable[int]) -> dict[int, dict]:
    """Each purchase order as a card or an API client shows what sending it orders: supplier, status,
    expected delivery, and its lines in the supplier's packs (ingredient, packs × pack size, unit,
    unit price, line total) with the order's total. Three queries for any number of orders."""
    orders = list(
        PurchaseOrder.objects.filter(store=store, pk__in=list(purchase_order_ids))
        .select_related("supplier")
        .prefetch_related(
            Prefetch("lines", PurchaseOrderLine.objects.select_related("ingredient").order_by("pk"))
        )
    )
    packs = {
        (item.supplier_id, item.ingredient_id): item.pack_size
        for item in SupplierItem.objects.filter(supplier_id__in={po.supplier_id for po in orders})
    }
    out = {}
    for po in orders:
        lines = []
        for line in po.lines.all():
            pack_size = packs.get((po.supplier_id, line.ingredient_id))
            lines.append(
                {
                    "ingredient_id": line.ingredient_id,
                    "ingredient": line.ingredient.name,
                    "unit": line.ingredient.base_unit,
                    "quantity": line.quantity,
                    "pack_size": pack_size,
                    "packs": (line.quantity / pack_size).normalize() if pack_size else None,
                    "unit_price": line.unit_price,
                    "total": (line.quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP),
                }
            )
        out[po.pk] = {
            "id": po.pk,
            "supplier": po.supplier.name,
            "status": po.status,
            "expected_on": po.expected_on,
            "lines": lines,
            "total": sum((line["total"] for line in lines), ZERO),
        }
    return out
