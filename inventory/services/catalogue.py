"""Ingredients, recipes and suppliers (with their price lists)."""

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import MenuItem, Modifier
from orders.services import menu_item_set_stock_facts
from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.services import audit_record
from restaurant_ops.timeutils import business_date, business_day_bounds

from ..models import BaseUnit, Ingredient, RecipeLine, Supplier, SupplierItem, SupplierPrice
from ..units import UNITS, to_base
from .ledger import Q3, Q6, availability_refresh

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
        raise DomainError("name", "duplicate", _("An ingredient with this name exists."))
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
def ingredient_update(*, ingredient: Ingredient, by=None, **fields) -> Ingredient:
    """Changes an ingredient. A new name or base unit is audited: it is what every recipe, count and
    purchase order shows."""
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
    before = {name: getattr(ingredient, name) for name in ("name", "base_unit")}
    for name, value in fields.items():
        setattr(ingredient, name, value)
    _check_ingredient(ingredient)
    ingredient.save()
    changed = {
        name: {"old": old, "new": getattr(ingredient, name)}
        for name, old in before.items()
        if getattr(ingredient, name) != old
    }
    if changed:
        audit_record(
            store=ingredient.store, action="ingredient_changed", actor=by, target=ingredient, data=changed
        )
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


def _recipe_change_day(store: Store, owner: dict, valid_from: dt.date | None) -> dt.date | None:
    """The business day a recipe change takes effect: the given day (not in the future), else today.
    While an item's (or modifier's) recipe has only been entered today, changes apply since the
    beginning: a first recipe costs the item's whole history; only a recipe that was in force before
    today keeps its past."""
    today = business_date(store, timezone.now())
    if valid_from is not None and valid_from > today:
        raise DomainError(
            "valid_from", "in_future", _("A recipe change takes effect today or on a past day.")
        )
    entered_before = RecipeLine.versions.filter(**owner, created_at__lt=business_day_bounds(store, today)[0])
    if valid_from is None and not entered_before.exists():
        return None
    return valid_from or today


def _recipe_line_snapshot(line: RecipeLine | None) -> dict | None:
    if line is None:
        return None
    return {"quantity": str(line.quantity), "unit": line.unit, "yield_factor": str(line.yield_factor)}


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
    valid_from: dt.date | None = None,
    by=None,
) -> RecipeLine:
    """Sets how much of the ingredient one portion of the item (or modifier) takes, from `valid_from`
    (default today; see `_recipe_change_day`). The line in force until then is kept as history, so
    gross profit already earned is never recosted; a second change on the same day replaces the first.
    Audited."""
    if (menu_item is None) == (modifier is None):
        raise DomainError("menu_item", "required", _("A recipe line belongs to a menu item or a modifier."))
    if menu_item is not None and menu_item.store_id != store.pk:
        raise DomainError("menu_item", "unknown_item", _("No such item on this store's menu."))
    if modifier is not None and modifier.group.store_id != store.pk:
        raise DomainError("modifier", "unknown_modifier", _("No such modifier in this store."))
    if ingredient.store_id != store.pk:
        raise DomainError("ingredient", "unknown_ingredient", _("No such ingredient in this store."))
    number = check_decimal(quantity, "quantity", allow_zero=False)
    yield_value = check_decimal(yield_factor, "yield_factor", allow_negative=True)
    if not Decimal("0.01") <= yield_value <= 1:
        raise DomainError("yield_factor", "out_of_range", _("Yield is between 0.01 and 1."))
    base = (to_base(ingredient, number, unit) / yield_value).quantize(Q3)
    owner = {"menu_item": menu_item, "modifier": modifier}
    day = _recipe_change_day(store, owner, valid_from)
    current = RecipeLine.objects.select_for_update().filter(**owner, ingredient=ingredient).first()
    before = _recipe_line_snapshot(current)
    if (
        current is not None
        and day is not None
        and current.valid_from is not None
        and day < current.valid_from
    ):
        raise DomainError(
            "valid_from",
            "before_current",
            _("The recipe in force now only starts on %(day)s.") % {"day": current.valid_from},
        )
    fields = {
        "quantity": number,
        "unit": unit,
        "yield_factor": yield_value,
        "base_quantity": base,
        "changed_by": _actor(by),
    }
    if current is not None and current.valid_from == day:
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()
        line = current
    else:
        if current is not None:
            current.valid_until = day
            current.save(update_fields=["valid_until", "updated_at"])
        line = RecipeLine.objects.create(
            store=store, **owner, ingredient=ingredient, valid_from=day, **fields
        )
    audit_record(
        store=store,
        action="recipe_changed",
        actor=_actor(by),
        target=line,
        data={
            "menu_item": menu_item.pk if menu_item else None,
            "modifier": modifier.pk if modifier else None,
            "ingredient": ingredient.pk,
            "before": before,
            "after": _recipe_line_snapshot(line),
            "valid_from": day.isoformat() if day else None,
        },
    )
    _recipe_cache_drop(line)
    _recipe_changed(store=store, menu_item=menu_item, ingredient=ingredient)
    return line


# Each item's and modifier's recipe as the order path needs it, shared by every process. Dropped by
# recipe_line_set/delete (now, and again on commit, so a reader during the change cannot put the old
# recipe back); the expiry bounds any other path (a bulk load, the admin).
RECIPE_CACHE_SECONDS = 600


def _recipe_key(kind: str, pk: int) -> str:
    return f"inventory:recipe:{kind}:{pk}"


def _recipe_cache_drop(line: RecipeLine) -> None:
    key = (
        _recipe_key("item", line.menu_item_id)
        if line.menu_item_id
        else _recipe_key("modifier", line.modifier_id)
    )
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def recipe_portions(
    *, item_ids: Iterable[int], modifier_ids: Iterable[int]
) -> tuple[dict[int, list[tuple[int, Decimal]]], dict[int, list[tuple[int, Decimal]]]]:
    """(by item, by modifier): the (ingredient id, base quantity) one portion takes. From the shared
    cache; what it lacks is read in one query and cached."""
    wanted = {_recipe_key("item", i): ("item", i) for i in item_ids}
    wanted |= {_recipe_key("modifier", m): ("modifier", m) for m in modifier_ids}
    found = cache.get_many(list(wanted))
    missing = {key: [] for key in wanted if key not in found}
    if missing:
        items = [pk for key, (kind, pk) in wanted.items() if key in missing and kind == "item"]
        modifiers = [pk for key, (kind, pk) in wanted.items() if key in missing and kind == "modifier"]
        rows = RecipeLine.objects.filter(
            Q(menu_item_id__in=items) | Q(modifier_id__in=modifiers)
        ).values_list("menu_item_id", "modifier_id", "ingredient_id", "base_quantity")
        for item_id, modifier_id, ingredient_id, quantity in rows:
            key = _recipe_key("item", item_id) if item_id else _recipe_key("modifier", modifier_id)
            missing[key].append((ingredient_id, quantity))
        cache.set_many(missing, RECIPE_CACHE_SECONDS)
        found |= missing
    by_item, by_modifier = {}, {}
    for key, (kind, pk) in wanted.items():
        (by_item if kind == "item" else by_modifier)[pk] = found[key]
    return by_item, by_modifier


@transaction.atomic
def recipe_line_delete(*, line: RecipeLine, valid_from: dt.date | None = None, by=None) -> None:
    """Takes the ingredient out of the recipe from `valid_from` (default today): the line stays as
    history for the days it was in force (or goes, when it never was). Audited."""
    _recipe_cache_drop(line)
    owner = {"menu_item": line.menu_item, "modifier": line.modifier}
    day = _recipe_change_day(line.store, owner, valid_from)
    if line.valid_from == day or (day is not None and line.valid_from is not None and day < line.valid_from):
        line.delete()
    else:
        line.valid_until = day
        line.save(update_fields=["valid_until", "updated_at"])
    audit_record(
        store=line.store,
        action="recipe_changed",
        actor=_actor(by),
        target=line,
        data={
            "menu_item": line.menu_item_id,
            "modifier": line.modifier_id,
            "ingredient": line.ingredient_id,
            "before": _recipe_line_snapshot(line),
            "after": None,
            "valid_from": day.isoformat() if day else None,
        },
    )
    _recipe_changed(store=line.store, menu_item=line.menu_item, ingredient=line.ingredient)


def _recipe_changed(*, store: Store, menu_item: MenuItem | None, ingredient: Ingredient) -> None:
    if menu_item is not None:
        menu_items_refresh_facts(items=[menu_item])
    else:
        availability_refresh(store=store, ingredient_ids=[ingredient.pk])


def _actor(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


SUPPLIER_FIELDS = {"contact_name", "email", "phone", "lead_time_days", "min_order_value", "is_active"}


@transaction.atomic
def supplier_create(*, store: Store, name: str, **fields) -> Supplier:
    if set(fields) - SUPPLIER_FIELDS:
        raise DomainError(sorted(set(fields) - SUPPLIER_FIELDS)[0], "unknown_field", _("Unknown field."))
    if not name.strip():
        raise DomainError("name", "required", _("Give a name."))
    if Supplier.objects.filter(store=store, name=name.strip()).exists():
        raise DomainError("name", "duplicate", _("A supplier with this name exists."))
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
    *,
    supplier: Supplier,
    ingredient: Ingredient,
    pack_size=None,
    pack_unit: str = "",
    sku: str = "",
    purchase_unit: str = "",
) -> SupplierItem:
    """`purchase_unit` is what the supplier sells by. A unit of measure (kg, l, g, ml, pcs) converts by
    itself: 1 kg of an ingredient counted in g is 1000 g. Anything else (a case, a tray) says what it
    holds with `pack_size` `pack_unit` (a case of 12 pcs, of 6 l). The conversion is stored as
    `pack_size`, base units per purchase unit."""
    if ingredient.store_id != supplier.store_id:
        raise DomainError("ingredient", "unknown_ingredient", _("No such ingredient in this store."))
    purchase_unit = purchase_unit.strip()
    field = "pack_unit"
    if pack_size is None and purchase_unit in UNITS:  # 1 kg, 1 l: the unit is its own conversion
        pack_size, pack_unit, field = Decimal("1"), purchase_unit, "purchase_unit"
    elif pack_size is None and purchase_unit:
        raise DomainError(
            "pack_size",
            "required",
            _("Say what one %(unit)s holds (pack_size and pack_unit).") % {"unit": purchase_unit},
        )
    size = to_base(
        ingredient,
        check_decimal(Decimal("1") if pack_size is None else pack_size, "pack_size", allow_zero=False),
        pack_unit or ingredient.base_unit,
        field=field,
    ).quantize(Q3)
    if size <= 0:
        raise DomainError("pack_size", "must_be_positive", _("Must be more than zero."))
    item, _created = SupplierItem.objects.update_or_create(
        supplier=supplier,
        ingredient=ingredient,
        defaults={"pack_size": size, "sku": sku, "purchase_unit": purchase_unit},
    )
    return item


@transaction.atomic
def supplier_price_add(
    *, supplier_item: SupplierItem, price, effective_from: dt.date, per: str = SupplierPrice.Per.BASE_UNIT
) -> SupplierPrice:
    """A new entry in the supplier's price list (replaces one with the same effective day). A price per
    pack or per purchase unit is divided by the base units it holds (`pack_size`) and rounded to 6
    decimal places, half to even (Decimal's default): 25.00 a kg of flour is 0.025000 a gram."""
    if per not in SupplierPrice.Per.values:
        raise DomainError("per", "invalid", _("Per base_unit, per pack or per purchase (unit)."))
    amount = check_decimal(price, "price")
    by_pack = per in (SupplierPrice.Per.PACK, SupplierPrice.Per.PURCHASE_UNIT)
    unit_price = (amount / supplier_item.pack_size if by_pack else amount).quantize(
        Q6, rounding=ROUND_HALF_EVEN
    )
    entry, _created = SupplierPrice.objects.update_or_create(
        supplier_item=supplier_item,
        effective_from=effective_from,
        defaults={"price": amount, "per": per, "unit_price": unit_price},
    )
    return entry
