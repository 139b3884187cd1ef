"""Day one of a new restaurant: ingredients as an owner describes them (the unit they buy and count in,
who supplies it at what price, what is on the shelf), and recipes, typed in or imported from a CSV."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError, all_or_nothing
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from ..models import Ingredient, RecipeLine, StockMovement, Supplier, SupplierItem, SupplierPrice
from ..units import UNITS
from .catalogue import (
    ingredient_create,
    ingredient_update,
    recipe_line_set,
    supplier_create,
    supplier_item_upsert,
    supplier_price_add,
)
from .stock import stock_movement_record


@transaction.atomic
def ingredient_set_up(
    *,
    store: Store,
    name: str,
    unit: str,
    supplier: str = "",
    price: Decimal | None = None,
    stock: Decimal | None = None,
    by=None,
) -> Ingredient:
    """A new ingredient counted in `unit` (g, kg, ml, l or pcs). `price` is paid per `unit` to
    `supplier` (created when new; it becomes the preferred one): an entry in the supplier's price
    list. `stock` on the shelf today is booked as an opening receipt at that price, so the cost of
    what is sold, and the margins, are known from the first order."""
    if unit not in UNITS:
        raise DomainError(
            "unit", "unknown_unit", _("Unknown unit %(unit)s; use g, kg, ml, l or pcs.") % {"unit": unit}
        )
    if stock and price is None:
        raise DomainError(
            "price", "required", _("Give the price paid, so the stock on the shelf has a cost.")
        )
    if supplier.strip() == "" and price is not None:
        raise DomainError("supplier", "required", _("Say who supplies it at this price."))
    ingredient = ingredient_create(store=store, name=name, base_unit=UNITS[unit][0])
    if supplier.strip():
        vendor = Supplier.objects.filter(store=store, name__iexact=supplier.strip()).first()
        vendor = vendor or supplier_create(store=store, name=supplier)
        item = supplier_item_upsert(supplier=vendor, ingredient=ingredient, pack_size=1, pack_unit=unit)
        if price is not None:
            supplier_price_add(
                supplier_item=item,
                price=price,
                effective_from=business_date(store, timezone.now()),
                per=SupplierPrice.Per.PACK,
            )
        ingredient = ingredient_update(ingredient=ingredient, preferred_supplier=vendor)
    if stock:
        stock_movement_record(
            store=store,
            ingredient=ingredient,
            kind=StockMovement.Kind.RECEIPT,
            quantity=stock,
            unit=unit,
            unit_cost=price / UNITS[unit][1],
            reason=_("Opening stock"),
            by=by,
        )
        ingredient.refresh_from_db()
    return ingredient


@transaction.atomic
def ingredient_price_set(*, ingredient: Ingredient, price: Decimal) -> SupplierPrice:
    """A new price from today at the ingredient's preferred supplier, per the pack it is bought in (what
    the set-up's "price per unit" was): costs use it until the next goods receipt says what was paid."""
    item = SupplierItem.objects.filter(
        supplier_id=ingredient.preferred_supplier_id, ingredient=ingredient
    ).first()
    if item is None:
        raise DomainError("supplier", "required", _("Say who supplies it first."))
    return supplier_price_add(
        supplier_item=item,
        price=price,
        effective_from=business_date(ingredient.store, timezone.now()),
        per=SupplierPrice.Per.PACK,
    )


@transaction.atomic
def ingredients_import(*, store: Store, rows: list[dict], by=None) -> list[Ingredient]:
    """Rows of {name, unit, supplier?, price?, stock?}, as `ingredient_set_up` takes them."""
    return all_or_nothing(rows, lambda **row: ingredient_set_up(store=store, by=by, **row))


@transaction.atomic
def recipes_import(*, store: Store, rows: list[dict]) -> list[RecipeLine]:
    """Rows of {menu_item, ingredient, quantity, unit}: one recipe line each (replacing the same pair)."""
    return all_or_nothing(rows, lambda **row: recipe_line_set(store=store, **row))
