"""Writes for inventory. Every change to stock goes through `_post_movements`, which locks the
ingredient rows it changes (select_for_update, in id order so two orders never deadlock), appends
the movements and keeps `Ingredient.on_hand` equal to the sum of the ledger."""

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.events import OrderRejected
from orders.models import MenuItem, Modifier, Order, OrderLine, OrderLineModifier
from orders.services import menu_item_set_stock_facts
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from . import events, selectors
from .models import (
    BaseUnit,
    Ingredient,
    PurchaseOrder,
    PurchaseOrderLine,
    RecipeLine,
    StockCount,
    StockCountLine,
    StockMovement,
    Supplier,
    SupplierItem,
    SupplierPrice,
)
from .units import to_base

ZERO = Decimal("0")
Q3 = Decimal("0.001")
Q6 = Decimal("0.000001")


def _decimal(value, field: str, *, positive: bool = False, allow_zero: bool = True) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(field, "invalid", _("Give a number.")) from None
    if not number.is_finite():
        raise DomainError(field, "invalid", _("Give a number."))
    if positive and (number < 0 or (number == 0 and not allow_zero)):
        raise DomainError(
            field,
            "must_be_positive",
            _("Must be more than zero.") if not allow_zero else _("Must not be negative."),
        )
    return number


# --- the ledger -------------------------------------------------------------------------------


@dataclass
class _Move:
    ingredient_id: int
    quantity: Decimal  # signed, base units
    kind: str
    unit_cost: Decimal | None = None
    reason: str = ""
    order: Order | None = None
    purchase_order_line: PurchaseOrderLine | None = None
    stock_count: StockCount | None = None


def _post_movements(
    *,
    store: Store,
    moves: list[_Move],
    by=None,
    at: dt.datetime | None = None,
    on_short=None,
    set_to: dict[int, Decimal] | None = None,
) -> dict[int, Ingredient]:
    """Locks the ingredients (id order), appends the movements, updates on-hand, refreshes
    availability. `on_short(ingredient, new_on_hand)` is called for an ingredient that would go below
    zero and may raise to refuse. A fixed number of queries, whatever the number of movements."""
    ids = sorted({m.ingredient_id for m in moves})
    if not ids:
        return {}
    at = at or timezone.now()
    day = business_date(store, at)
    locked = {
        i.pk: i for i in Ingredient.objects.select_for_update().filter(store=store, pk__in=ids).order_by("pk")
    }
    delta: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for move in moves:
        delta[move.ingredient_id] += move.quantity
    for ingredient_id in ids:
        ingredient = locked[ingredient_id]
        new = ingredient.on_hand + delta[ingredient_id]
        if new < 0 and delta[ingredient_id] < 0 and on_short is not None:
            on_short(ingredient, new)
        ingredient.on_hand = new
        ingredient.updated_at = timezone.now()
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                store=store,
                ingredient_id=m.ingredient_id,
                kind=m.kind,
                quantity=m.quantity,
                unit_cost=m.unit_cost,
                at=at,
                business_date=day,
                by=actor,
                reason=m.reason[:200],
                order=m.order,
                purchase_order_line=m.purchase_order_line,
                stock_count=m.stock_count,
            )
            for m in moves
            if m.quantity != 0
        ]
    )
    fields = ["on_hand", "updated_at"]
    if set_to is not None or any(i.on_hand < 0 for i in locked.values()):
        fields.append("needs_count")
        for ingredient in locked.values():
            if ingredient.on_hand < 0:
                ingredient.needs_count = True
            elif set_to is not None and ingredient.pk in set_to:
                ingredient.needs_count = False
    Ingredient.objects.bulk_update(list(locked.values()), fields)
    availability_refresh(store=store, ingredient_ids=ids)
    return locked


def availability_refresh(*, store: Store, ingredient_ids: Iterable[int] | None = None) -> list[MenuItem]:
    """Sets each affected item's stock-driven sold-out flag: sold out when some ingredient of its
    recipe cannot cover one more portion. One query, plus one write per item whose flag flips."""
    items = MenuItem.objects.filter(store=store)
    if ingredient_ids is not None:
        items = items.filter(
            pk__in=RecipeLine.objects.filter(
                ingredient_id__in=list(ingredient_ids), menu_item__isnull=False
            ).values("menu_item_id")
        )
    short = RecipeLine.objects.filter(menu_item_id=OuterRef("pk"), ingredient__on_hand__lt=F("base_quantity"))
    flipped = []
    for item in items.annotate(short=Exists(short)).only("pk", "sold_out_stock", "allergens", "dietary_tags"):
        if item.sold_out_stock != item.short:
            menu_item_set_stock_facts(item=item, sold_out=item.short)
            flipped.append(item)
    return flipped


# --- orders (called by the listeners in apps.py) -----------------------------------------------


def stock_consume_for_order(*, order: Order) -> None:
    """Takes every line's and modifier's recipe out of stock, in the order's transaction. With the
    store's shortage policy `refuse`, an ingredient that cannot cover the order rejects it (409,
    naming the line's item and the ingredient); with `allow_negative` stock goes negative and the
    ingredient is flagged for a count."""
    lines = list(
        OrderLine.objects.filter(order=order, voided_at__isnull=True).values_list(
            "id", "position", "menu_item_id", "quantity", "name"
        )
    )
    if not lines:
        return
    chosen = list(OrderLineModifier.objects.filter(line__order=order).values_list("line_id", "modifier_id"))
    item_ids = {line[2] for line in lines}
    modifier_ids = {m for _line, m in chosen}
    recipes = list(
        RecipeLine.objects.filter(Q(menu_item_id__in=item_ids) | Q(modifier_id__in=modifier_ids)).values_list(
            "menu_item_id", "modifier_id", "ingredient_id", "base_quantity"
        )
    )
    if not recipes:
        return
    by_item, by_modifier = defaultdict(list), defaultdict(list)
    for item_id, modifier_id, ingredient_id, quantity in recipes:
        (by_item[item_id] if item_id else by_modifier[modifier_id]).append((ingredient_id, quantity))
    modifiers_of = defaultdict(list)
    for line_id, modifier_id in chosen:
        modifiers_of[line_id].append(modifier_id)
    need: dict[int, Decimal] = defaultdict(lambda: ZERO)
    first_line: dict[int, tuple[int, str]] = {}  # ingredient -> (line position, item name)
    for line_id, position, item_id, quantity, name in sorted(lines, key=lambda row: row[1]):
        uses = list(by_item[item_id]) + [use for m in modifiers_of[line_id] for use in by_modifier[m]]
        for ingredient_id, per_portion in uses:
            need[ingredient_id] += per_portion * quantity
            first_line.setdefault(ingredient_id, (position, name))

    def refuse(ingredient: Ingredient, _new: Decimal) -> None:
        position, name = first_line[ingredient.pk]
        raise OrderRejected(
            f"lines[{position}].item",
            "insufficient_stock",
            _("Not enough %(ingredient)s in stock for %(item)s.")
            % {"ingredient": ingredient.name, "item": name},
        )

    refusing = order.store.shortage_policy == Store.ShortagePolicy.REFUSE
    _post_movements(
        store=order.store,
        at=timezone.now(),
        by=order.placed_by,
        on_short=refuse if refusing else None,
        moves=[
            _Move(
                ingredient_id=i,
                quantity=-q,
                kind=StockMovement.Kind.CONSUMPTION,
                order=order,
                reason=_("Order #%(id)s") % {"id": order.pk},
            )
            for i, q in need.items()
            if q
        ],
    )


def stock_return_for_order(*, order: Order, previous_status: str) -> None:
    """A cancelled order that the kitchen had not started gives its ingredients back."""
    if previous_status != Order.Status.PLACED:
        return
    used = (
        StockMovement.objects.filter(order=order, kind=StockMovement.Kind.CONSUMPTION)
        .values("ingredient_id")
        .annotate(total=Sum("quantity"))
    )
    moves = [
        _Move(
            ingredient_id=row["ingredient_id"],
            quantity=-row["total"],
            kind=StockMovement.Kind.CONSUMPTION,
            order=order,
            reason=_("Order #%(id)s cancelled") % {"id": order.pk},
        )
        for row in used
        if row["total"]
    ]
    _post_movements(store=order.store, moves=moves)


# --- stock by hand ----------------------------------------------------------------------------


@transaction.atomic
def stock_movement_record(
    *,
    store: Store,
    ingredient: Ingredient,
    kind: str,
    quantity,
    unit: str = "",
    reason: str,
    by=None,
    unit_cost=None,
    at: dt.datetime | None = None,
) -> StockMovement:
    """Waste (a positive quantity thrown away), a correction (signed) or an opening receipt."""
    allowed = {StockMovement.Kind.WASTE, StockMovement.Kind.CORRECTION, StockMovement.Kind.RECEIPT}
    if kind not in allowed:
        raise DomainError(
            "kind",
            "invalid",
            _("Record waste, a correction or a receipt here; counts and orders post their own movements."),
        )
    if ingredient.store_id != store.pk:
        raise DomainError("ingredient", "unknown_ingredient", _("No such ingredient in this store."))
    if not reason.strip():
        raise DomainError("reason", "required", _("Say why."))
    number = _decimal(quantity, "quantity")
    base = to_base(ingredient, number, unit or ingredient.base_unit)
    if kind in (StockMovement.Kind.WASTE, StockMovement.Kind.RECEIPT) and base <= 0:
        raise DomainError("quantity", "must_be_positive", _("Must be more than zero."))
    cost = None
    if kind == StockMovement.Kind.RECEIPT:
        if unit_cost is None:
            raise DomainError("unit_cost", "required", _("Give the price paid per base unit."))
        cost = _decimal(unit_cost, "unit_cost", positive=True)
    signed = -base if kind == StockMovement.Kind.WASTE else base
    _post_movements(
        store=store,
        by=by,
        at=at,
        moves=[
            _Move(
                ingredient_id=ingredient.pk,
                quantity=signed.quantize(Q3),
                kind=kind,
                unit_cost=cost,
                reason=reason,
            )
        ],
    )
    return StockMovement.objects.filter(ingredient=ingredient).order_by("-id").first()


@transaction.atomic
def stock_count_post(
    *, store: Store, lines: list[dict], by=None, note: str = "", counted_at: dt.datetime | None = None
) -> StockCount:
    """Posts a count: for each line {"ingredient": Ingredient|id, "counted": number, "unit"?} the
    difference to the stored on-hand becomes a `count` movement and on-hand becomes the count."""
    if not lines:
        raise DomainError("lines", "empty", _("Count at least one ingredient."))
    ids = [
        line["ingredient"].pk if isinstance(line["ingredient"], Ingredient) else line["ingredient"]
        for line in lines
    ]
    known = {
        i.pk: i for i in Ingredient.objects.filter(store=store, pk__in=[i for i in ids if isinstance(i, int)])
    }
    errors, counted = [], {}
    for index, (line, ingredient_id) in enumerate(zip(lines, ids, strict=True)):
        path = f"lines[{index}]"
        ingredient = known.get(ingredient_id)
        if ingredient is None:
            errors.append(
                DomainError(
                    f"{path}.ingredient", "unknown_ingredient", _("No such ingredient in this store.")
                )
            )
            continue
        if ingredient_id in counted:
            errors.append(DomainError(f"{path}.ingredient", "duplicate", _("Counted twice in one count.")))
            continue
        try:
            number = _decimal(line.get("counted"), f"{path}.counted", positive=True)
            counted[ingredient_id] = to_base(
                ingredient, number, line.get("unit") or ingredient.base_unit, field=f"{path}.unit"
            ).quantize(Q3)
        except DomainError as error:
            errors.append(error)
    if errors:
        raise DomainErrors(errors)
    counted_at = counted_at or timezone.now()
    count = StockCount.objects.create(
        store=store,
        counted_at=counted_at,
        note=note[:300],
        counted_by=by if by is not None and by.is_authenticated else None,
    )
    # Lock first, then read the expected figures: nothing can move between the two.
    locked = {i.pk: i for i in Ingredient.objects.select_for_update().filter(pk__in=counted).order_by("pk")}
    StockCountLine.objects.bulk_create(
        [
            StockCountLine(
                count=count,
                ingredient_id=i,
                expected=locked[i].on_hand,
                counted=c,
                variance=c - locked[i].on_hand,
            )
            for i, c in counted.items()
        ]
    )
    _post_movements(
        store=store,
        by=by,
        at=counted_at,
        set_to=counted,
        moves=[
            _Move(
                ingredient_id=i,
                quantity=c - locked[i].on_hand,
                kind=StockMovement.Kind.COUNT,
                stock_count=count,
                reason=note or _("Stock count"),
            )
            for i, c in counted.items()
        ],
    )
    return count


# --- ingredients, recipes, suppliers ----------------------------------------------------------

INGREDIENT_FIELDS = {
    "name",
    "base_unit",
    "alt_unit",
    "alt_factor",
    "allergens",
    "dietary_tags",
    "min_quantity",
    "auto_order",
    "review_period_days",
    "preferred_supplier",
    "external_id",
    "is_active",
}


def _check_ingredient(ingredient: Ingredient) -> None:
    if ingredient.base_unit not in BaseUnit.values:
        raise DomainError("base_unit", "invalid", _("Base unit is g, ml or pcs."))
    if ingredient.alt_unit and (
        ingredient.alt_unit not in BaseUnit.values or ingredient.alt_unit == ingredient.base_unit
    ):
        raise DomainError("alt_unit", "invalid", _("The other unit must be another of g, ml, pcs."))
    if bool(ingredient.alt_unit) != (ingredient.alt_factor is not None):
        raise DomainError("alt_factor", "required", _("Give the other unit and its factor together."))
    if ingredient.preferred_supplier_id and ingredient.preferred_supplier.store_id != ingredient.store_id:
        raise DomainError("preferred_supplier", "unknown_supplier", _("No such supplier in this store."))
    if not ingredient.name.strip():
        raise DomainError("name", "required", _("Give a name."))
    dupes = Ingredient.objects.filter(store_id=ingredient.store_id, name=ingredient.name).exclude(
        pk=ingredient.pk
    )
    if dupes.exists():
        raise DomainError("name", "duplicate", _("An ingredient with this name exists."), status_code=409)
    for name in ("allergens", "dietary_tags"):
        value = getattr(ingredient, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DomainError(name, "invalid", _("A list of words."))
        setattr(ingredient, name, sorted({v.strip().lower() for v in value if v.strip()}))


@transaction.atomic
def ingredient_create(*, store: Store, name: str, base_unit: str, **fields) -> Ingredient:
    unknown = set(fields) - INGREDIENT_FIELDS
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown_field", _("Unknown field."))
    ingredient = Ingredient(store=store, name=name.strip(), base_unit=base_unit, **fields)
    _check_ingredient(ingredient)
    ingredient.save()
    return ingredient


@transaction.atomic
def ingredient_update(*, ingredient: Ingredient, **fields) -> Ingredient:
    unknown = set(fields) - INGREDIENT_FIELDS
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown_field", _("Unknown field."))
    if (
        "base_unit" in fields
        and fields["base_unit"] != ingredient.base_unit
        and (ingredient.movements.exists() or ingredient.recipe_lines.exists())
    ):
        raise DomainError(
            "base_unit", "in_use", _("The base unit cannot change once stock or recipes use it.")
        )
    for name, value in fields.items():
        setattr(ingredient, name, value)
    _check_ingredient(ingredient)
    ingredient.save()
    if {"allergens", "dietary_tags"} & set(fields):
        menu_items_refresh_facts(
            items=MenuItem.objects.filter(recipe_lines__ingredient=ingredient).distinct()
        )
    return ingredient


def menu_items_refresh_facts(*, items: Iterable[MenuItem]) -> None:
    """Writes allergens (union over the recipe) and dietary tags (those all ingredients share) onto
    each item through the orders app, plus its stock-driven sold-out flag."""
    items = list(items)
    rows = RecipeLine.objects.filter(menu_item__in=items).values_list(
        "menu_item_id",
        "ingredient__allergens",
        "ingredient__dietary_tags",
        "ingredient__on_hand",
        "base_quantity",
    )
    facts: dict[int, dict] = {}
    for item_id, allergens, tags, on_hand, per_portion in rows:
        fact = facts.setdefault(item_id, {"allergens": set(), "tags": None, "short": False})
        fact["allergens"] |= set(allergens or [])
        fact["tags"] = set(tags or []) if fact["tags"] is None else fact["tags"] & set(tags or [])
        fact["short"] = fact["short"] or on_hand < per_portion
    for item in items:
        fact = facts.get(item.pk, {"allergens": set(), "tags": set(), "short": False})
        menu_item_set_stock_facts(
            item=item,
            sold_out=fact["short"],
            allergens=sorted(fact["allergens"]),
            dietary_tags=sorted(fact["tags"] or []),
        )


@transaction.atomic
def recipe_line_set(
    *,
    store: Store,
    ingredient: Ingredient,
    quantity,
    unit: str,
    menu_item: MenuItem | None = None,
    modifier: Modifier | None = None,
    yield_factor=Decimal("1"),
) -> RecipeLine:
    """Creates or replaces the line for (item or modifier, ingredient)."""
    if (menu_item is None) == (modifier is None):
        raise DomainError("menu_item", "required", _("A recipe line belongs to a menu item or a modifier."))
    if menu_item is not None and menu_item.store_id != store.pk:
        raise DomainError("menu_item", "unknown_item", _("No such item on this store's menu."))
    if modifier is not None and modifier.group.store_id != store.pk:
        raise DomainError("modifier", "unknown_modifier", _("No such modifier in this store."))
    if ingredient.store_id != store.pk:
        raise DomainError("ingredient", "unknown_ingredient", _("No such ingredient in this store."))
    number = _decimal(quantity, "quantity", positive=True, allow_zero=False)
    yield_value = _decimal(yield_factor, "yield_factor")
    if not Decimal("0.01") <= yield_value <= 1:
        raise DomainError("yield_factor", "out_of_range", _("Yield is between 0.01 and 1."))
    base = (to_base(ingredient, number, unit) / yield_value).quantize(Q3)
    line, _created = RecipeLine.objects.update_or_create(
        menu_item=menu_item,
        modifier=modifier,
        ingredient=ingredient,
        defaults={
            "store": store,
            "quantity": number,
            "unit": unit,
            "yield_factor": yield_value,
            "base_quantity": base,
        },
    )
    if menu_item is not None:
        menu_items_refresh_facts(items=[menu_item])
    return line


@transaction.atomic
def recipe_line_delete(*, line: RecipeLine) -> None:
    item = line.menu_item
    line.delete()
    if item is not None:
        menu_items_refresh_facts(items=[item])


SUPPLIER_FIELDS = {"contact_name", "email", "phone", "lead_time_days", "min_order_value", "is_active"}


@transaction.atomic
def supplier_create(*, store: Store, name: str, **fields) -> Supplier:
    if set(fields) - SUPPLIER_FIELDS:
        raise DomainError(sorted(set(fields) - SUPPLIER_FIELDS)[0], "unknown_field", _("Unknown field."))
    if not name.strip():
        raise DomainError("name", "required", _("Give a name."))
    if Supplier.objects.filter(store=store, name=name.strip()).exists():
        raise DomainError("name", "duplicate", _("A supplier with this name exists."), status_code=409)
    return Supplier.objects.create(store=store, name=name.strip(), **fields)


@transaction.atomic
def supplier_update(*, supplier: Supplier, **fields) -> Supplier:
    if set(fields) - SUPPLIER_FIELDS - {"name"}:
        raise DomainError(sorted(set(fields) - SUPPLIER_FIELDS)[0], "unknown_field", _("Unknown field."))
    for name, value in fields.items():
        setattr(supplier, name, value)
    supplier.save()
    return supplier


@transaction.atomic
def supplier_item_upsert(
    *, supplier: Supplier, ingredient: Ingredient, pack_size=Decimal("1"), pack_unit: str = "", sku: str = ""
) -> SupplierItem:
    if ingredient.store_id != supplier.store_id:
        raise DomainError("ingredient", "unknown_ingredient", _("No such ingredient in this store."))
    size = to_base(
        ingredient,
        _decimal(pack_size, "pack_size", positive=True, allow_zero=False),
        pack_unit or ingredient.base_unit,
        field="pack_unit",
    ).quantize(Q3)
    item, _created = SupplierItem.objects.update_or_create(
        supplier=supplier, ingredient=ingredient, defaults={"pack_size": size, "sku": sku}
    )
    return item


@transaction.atomic
def supplier_price_add(
    *, supplier_item: SupplierItem, price, effective_from: dt.date, per: str = SupplierPrice.Per.BASE_UNIT
) -> SupplierPrice:
    """A new entry in the supplier's price list (replaces one with the same effective day)."""
    if per not in SupplierPrice.Per.values:
        raise DomainError("per", "invalid", _("Per base_unit or per pack."))
    amount = _decimal(price, "price", positive=True)
    unit_price = (amount / supplier_item.pack_size if per == SupplierPrice.Per.PACK else amount).quantize(Q6)
    entry, _created = SupplierPrice.objects.update_or_create(
        supplier_item=supplier_item,
        effective_from=effective_from,
        defaults={"price": amount, "per": per, "unit_price": unit_price},
    )
    return entry


# --- purchase orders --------------------------------------------------------------------------


@transaction.atomic
def purchase_order_create_draft(
    *,
    store: Store,
    supplier: Supplier,
    lines: list[dict],
    created_by=None,
    note: str = "",
    source: str = PurchaseOrder.Source.MANUAL,
    expected_on: dt.date | None = None,
) -> PurchaseOrder:
    """A draft PO. Each line: {"ingredient": Ingredient|id, "quantity": number, "unit"?: str,
    "unit_price"?: price per base unit (default: this supplier's list price today, else the cost)}."""
    if supplier.store_id != store.pk:
        raise DomainError(
            "supplier", "unknown_supplier", _("No such supplier in this store."), status_code=404
        )
    if not lines:
        raise DomainError("lines", "empty", _("A purchase order needs at least one line."))
    raw_ids = [line.get("ingredient") for line in lines]
    ids = [i.pk if isinstance(i, Ingredient) else i for i in raw_ids]
    known = {
        i.pk: i for i in Ingredient.objects.filter(store=store, pk__in=[i for i in ids if isinstance(i, int)])
    }
    today = business_date(store, timezone.now())
    list_prices = selectors.supplier_list_prices(ingredient_ids=known, on=today)
    costs = selectors.ingredient_costs(ingredient_ids=known, dates=[today])
    errors, prepared, seen = [], [], set()
    for index, (line, ingredient_id) in enumerate(zip(lines, ids, strict=True)):
        path = f"lines[{index}]"
        ingredient = known.get(ingredient_id)
        if ingredient is None:
            errors.append(
                DomainError(
                    f"{path}.ingredient", "unknown_ingredient", _("No such ingredient in this store.")
                )
            )
            continue
        if ingredient.pk in seen:
            errors.append(
                DomainError(f"{path}.ingredient", "duplicate", _("This ingredient is already on the order."))
            )
            continue
        seen.add(ingredient.pk)
        try:
            number = _decimal(line.get("quantity"), f"{path}.quantity", positive=True, allow_zero=False)
            base = to_base(
                ingredient, number, line.get("unit") or ingredient.base_unit, field=f"{path}.unit"
            ).quantize(Q3)
            if base <= 0:
                raise DomainError(f"{path}.quantity", "must_be_positive", _("Must be more than zero."))
            if line.get("unit_price") is not None:
                price = _decimal(line["unit_price"], f"{path}.unit_price", positive=True)
            else:
                price = (
                    list_prices.get((supplier.pk, ingredient.pk)) or costs.get((ingredient.pk, today)) or ZERO
                )
        except DomainError as error:
            errors.append(error)
            continue
        prepared.append(
            PurchaseOrderLine(ingredient=ingredient, quantity=base, unit_price=price.quantize(Q6))
        )
    if errors:
        raise DomainErrors(errors)
    po = PurchaseOrder.objects.create(
        store=store,
        supplier=supplier,
        note=note[:300],
        source=source,
        expected_on=expected_on or today + dt.timedelta(days=supplier.lead_time_days),
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
    )
    for line in prepared:
        line.purchase_order = po
    PurchaseOrderLine.objects.bulk_create(prepared)
    return po


def _locked_po(purchase_order: PurchaseOrder) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.select_for_update()
        .select_related("store", "supplier")
        .get(pk=purchase_order.pk)
    )


def purchase_order_csv(*, purchase_order: PurchaseOrder) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "ingredient", "quantity", "unit", "packs", "unit_price", "line_total"])
    packs = {
        si.ingredient_id: si for si in SupplierItem.objects.filter(supplier_id=purchase_order.supplier_id)
    }
    for line in purchase_order.lines.select_related("ingredient"):
        item = packs.get(line.ingredient_id)
        writer.writerow(
            [
                item.sku if item else "",
                line.ingredient.name,
                line.quantity,
                line.ingredient.base_unit,
                (line.quantity / item.pack_size).quantize(Decimal("0.01")) if item else "",
                line.unit_price,
                (line.quantity * line.unit_price).quantize(Decimal("0.01")),
            ]
        )
    return out.getvalue()


def _email_purchase_order(purchase_order_id: int) -> None:
    po = PurchaseOrder.objects.select_related("store", "supplier").get(pk=purchase_order_id)
    message = EmailMessage(
        subject=_("Purchase order %(number)s from %(store)s") % {"number": str(po), "store": po.store.name},
        body=_("Hello %(contact)s,\n\nplease deliver the attached order by %(day)s.\n\n%(note)s\n\n%(store)s")
        % {
            "contact": po.supplier.contact_name or po.supplier.name,
            "day": po.expected_on or "",
            "note": po.note,
            "store": po.store.name,
        },
        to=[po.supplier.email],
    )
    message.attach(f"{po}.csv", purchase_order_csv(purchase_order=po), "text/csv")
    message.send()


@transaction.atomic
def purchase_order_send(*, purchase_order: PurchaseOrder, by=None) -> PurchaseOrder:
    """Marks the draft sent and e-mails it (CSV attached) once the transaction commits."""
    po = _locked_po(purchase_order)
    if po.status != PurchaseOrder.Status.DRAFT:
        raise DomainError("status", "invalid_transition", _("Only a draft can be sent."), status_code=409)
    if not po.supplier.email:
        raise DomainError("supplier.email", "required", _("The supplier has no e-mail address."))
    po.status, po.sent_at = PurchaseOrder.Status.SENT, timezone.now()
    po.save(update_fields=["status", "sent_at", "updated_at"])
    transaction.on_commit(lambda: _email_purchase_order(po.pk))
    return po


@transaction.atomic
def purchase_order_receive(
    *,
    purchase_order: PurchaseOrder,
    lines: list[dict],
    allow_over_receipt: bool = False,
    by=None,
    received_at: dt.datetime | None = None,
    note: str = "",
) -> PurchaseOrder:
    """Posts receipts at the price paid: each line {"line": PO line id (or "ingredient": id),
    "quantity": number, "unit"?: str, "unit_price"?: paid per base unit (default: the PO's)}.
    More than outstanding needs `allow_over_receipt`. Announces `goods_received`."""
    po = _locked_po(purchase_order)
    if po.status not in (PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTIALLY_RECEIVED):
        raise DomainError(
            "status", "invalid_transition", _("Only a sent order can be received."), status_code=409
        )
    if not lines:
        raise DomainError("lines", "empty", _("Receive at least one line."))
    po_lines = {line.pk: line for line in po.lines.select_related("ingredient")}
    by_ingredient = {line.ingredient_id: line for line in po_lines.values()}
    errors, accepted, seen = [], [], set()
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        target = (
            po_lines.get(line.get("line"))
            if line.get("line") is not None
            else by_ingredient.get(line.get("ingredient"))
        )
        if target is None:
            name = "line" if line.get("line") is not None else "ingredient"
            errors.append(DomainError(f"{path}.{name}", "unknown_line", _("Not on this purchase order.")))
            continue
        if target.pk in seen:
            errors.append(DomainError(path, "duplicate", _("This line is received twice.")))
            continue
        seen.add(target.pk)
        try:
            number = _decimal(line.get("quantity"), f"{path}.quantity", positive=True, allow_zero=False)
            base = to_base(
                target.ingredient,
                number,
                line.get("unit") or target.ingredient.base_unit,
                field=f"{path}.unit",
            ).quantize(Q3)
            price = (
                _decimal(line["unit_price"], f"{path}.unit_price", positive=True)
                if line.get("unit_price") is not None
                else target.unit_price
            )
        except DomainError as error:
            errors.append(error)
            continue
        if target.received_quantity + base > target.quantity and not allow_over_receipt:
            errors.append(
                DomainError(
                    f"{path}.quantity",
                    "over_receipt",
                    _("Only %(left)s %(unit)s are outstanding; confirm an over-receipt to take more.")
                    % {"left": target.outstanding, "unit": target.ingredient.base_unit},
                )
            )
            continue
        accepted.append((target, base, price.quantize(Q6)))
    if errors:
        raise DomainErrors(errors)
    received_at = received_at or timezone.now()
    day = business_date(po.store, received_at)
    previous = selectors.ingredient_costs(
        ingredient_ids=[t.ingredient_id for t, _b, _p in accepted], dates=[day]
    )
    _post_movements(
        store=po.store,
        by=by,
        at=received_at,
        moves=[
            _Move(
                ingredient_id=t.ingredient_id,
                quantity=b,
                kind=StockMovement.Kind.RECEIPT,
                unit_cost=p,
                purchase_order_line=t,
                reason=note or str(po),
            )
            for t, b, p in accepted
        ],
    )
    for target, base, _price in accepted:
        target.received_quantity += base
    PurchaseOrderLine.objects.bulk_update([t for t, _b, _p in accepted], ["received_quantity"])
    complete = all(line.received_quantity >= line.quantity for line in po_lines.values())
    po.status = PurchaseOrder.Status.RECEIVED if complete else PurchaseOrder.Status.PARTIALLY_RECEIVED
    po.received_at = received_at
    po.save(update_fields=["status", "received_at", "updated_at"])
    events.goods_received.send(
        sender=PurchaseOrder,
        store=po.store,
        purchase_order=po,
        received_at=received_at,
        lines=[
            {
                "ingredient_id": t.ingredient_id,
                "ingredient_name": t.ingredient.name,
                "quantity": b,
                "unit_cost": p,
                "previous_unit_cost": previous.get((t.ingredient_id, day)),
            }
            for t, b, p in accepted
        ],
    )
    return po


@transaction.atomic
def purchase_order_cancel(*, purchase_order: PurchaseOrder, by=None, reason: str = "") -> PurchaseOrder:
    po = _locked_po(purchase_order)
    if po.status not in (PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.SENT):
        raise DomainError(
            "status",
            "invalid_transition",
            _("Only a draft or sent order with nothing received can be cancelled."),
            status_code=409,
        )
    po.status, po.cancelled_at = PurchaseOrder.Status.CANCELLED, timezone.now()
    if reason:
        po.note = (po.note + " / " + reason)[:300] if po.note else reason[:300]
    po.save(update_fields=["status", "cancelled_at", "note", "updated_at"])
    return po


@transaction.atomic
def purchase_order_close(*, purchase_order: PurchaseOrder, by=None) -> PurchaseOrder:
    """Closes a (partially) received order: nothing more is expected."""
    po = _locked_po(purchase_order)
    if po.status not in (PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.PARTIALLY_RECEIVED):
        raise DomainError(
            "status", "invalid_transition", _("Only a received order can be closed."), status_code=409
        )
    po.status, po.closed_at = PurchaseOrder.Status.CLOSED, timezone.now()
    po.save(update_fields=["status", "closed_at", "updated_at"])
    return po
