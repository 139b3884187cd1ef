"""Writes to the menu: new items (one by one or a whole imported list), prices (audited), the manual 86,
the facts inventory tells the menu, and the tables guests order from."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError, all_or_nothing
from restaurant_ops.models import Store, TaxCategory
from restaurant_ops.services import audit_record

from .. import events
from ..models import MenuCategory, MenuItem, Modifier, Table
from .pricing import CENT


def _price(value, field: str = "price") -> Decimal:
    try:
        new = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        raise DomainError(field, "invalid", _("Enter a price such as 24.50."))
    if not new.is_finite() or new != new.quantize(CENT) or new < 0 or new >= Decimal("100000"):
        raise DomainError(field, "invalid", _("Enter a price in whole cents, from 0 to 99999.99."))
    return new


@transaction.atomic
def menu_item_create(
    *,
    store: Store,
    category: str,
    name: str,
    price,
    tax_category: TaxCategory | None = None,
    description: str = "",
) -> MenuItem:
    """A new item on the menu, in the category of that name (created when new)."""
    name, category = name.strip(), category.strip()
    if not name:
        raise DomainError("name", "required", _("Give the item a name."))
    if not category:
        raise DomainError("category", "required", _("Give the item a category, such as Mains."))
    if tax_category is not None and tax_category.store_id != store.pk:
        raise DomainError("tax_category", "not_found", _("No such tax in this store."))
    if MenuItem.objects.filter(store=store, name__iexact=name, is_active=True).exists():
        raise DomainError("name", "duplicate", _("%(name)s is already on the menu.") % {"name": name})
    group = MenuCategory.objects.filter(store=store, name__iexact=category).first()
    if group is None:
        group = MenuCategory.objects.create(
            store=store, name=category, position=MenuCategory.objects.filter(store=store).count()
        )
    return MenuItem.objects.create(
        store=store,
        category=group,
        name=name,
        price=_price(price),
        tax_category=tax_category,
        description=description.strip(),
        position=MenuItem.objects.filter(category=group).count(),
    )


@transaction.atomic
def menu_items_import(*, store: Store, items: list[dict], by=None) -> list[MenuItem]:
    """Creates every item of an imported list ({category, name, price, tax_category?, description?}),
    or none: every refused row is reported at once, with its index."""
    created = all_or_nothing(items, lambda **item: menu_item_create(store=store, **item), path="items")
    audit_record(store=store, action="menu_imported", actor=by, data={"items": len(created)})
    return created


def menu_item_set_active(*, item: MenuItem, active: bool) -> MenuItem:
    """Takes an item off the menu (its sales history stays) or puts it back."""
    item.is_active = active
    item.save(update_fields=["is_active", "updated_at"])
    return item


@transaction.atomic
def tables_add(*, store: Store, count: int, seats: int = 4, prefix: str = "") -> list[Table]:
    """`count` more tables, numbered on from the store's tables ("Table 5", "Table 6", ...)."""
    if not 1 <= count <= 200:
        raise DomainError("count", "out_of_range", _("Add between 1 and 200 tables at a time."))
    if not 1 <= seats <= 100:
        raise DomainError("seats", "out_of_range", _("A table has 1 to 100 seats."))
    prefix = prefix.strip() or _("Table")
    taken = set(Table.objects.filter(store=store).values_list("name", flat=True))
    position = Table.objects.filter(store=store).count()
    tables, number = [], 0
    while len(tables) < count:
        number += 1
        name = f"{prefix} {number}"
        if name in taken:
            continue
        tables.append(Table(store=store, name=name, seats=seats, position=position + len(tables)))
    return Table.objects.bulk_create(tables)


def table_set_active(*, table: Table, active: bool) -> Table:
    """A table out of use disappears from the QR sheet and its code stops taking orders."""
    table.is_active = active
    table.save(update_fields=["is_active", "updated_at"])
    return table


@transaction.atomic
def table_rename(*, table: Table, name: str, by=None) -> Table:
    """A new name for a table (its QR code stays the same, so printed codes keep working). Audited:
    the name is what staff and receipts call the table."""
    name = (name or "").strip()
    if not name:
        raise DomainError("name", "required", _("Give the table a name."))
    if len(name) > 40:
        raise DomainError("name", "too_long", _("A table name has at most 40 characters."))
    table = Table.objects.select_for_update().get(pk=table.pk)
    if name == table.name:
        return table
    if Table.objects.filter(store_id=table.store_id, name=name).exists():
        raise DomainError(
            "name", "duplicate", _("Another table is already called %(name)s.") % {"name": name}
        )
    old = table.name
    table.name = name
    table.save(update_fields=["name", "updated_at"])
    audit_record(
        store=table.store, action="table_renamed", actor=by, target=table, data={"old": old, "new": name}
    )
    return table


def menu_item_set_stock_facts(
    *,
    item: MenuItem,
    sold_out: bool | None = None,
    allergens: list[str] | None = None,
    dietary_tags: list[str] | None = None,
) -> None:
    """How inventory tells the menu what it knows (sold out by stock, allergens, tags) without the
    guest and till pages ever reading inventory. Writes only what changed."""
    changes = {}
    if sold_out is not None and item.sold_out_stock != sold_out:
        changes["sold_out_stock"] = sold_out
    if allergens is not None and sorted(allergens) != sorted(item.allergens):
        changes["allergens"] = sorted(allergens)
    if dietary_tags is not None and sorted(dietary_tags) != sorted(item.dietary_tags):
        changes["dietary_tags"] = sorted(dietary_tags)
    if changes:
        changes["updated_at"] = timezone.now()
        MenuItem.objects.filter(pk=item.pk).update(**changes)
        for name, value in changes.items():
            setattr(item, name, value)


def modifier_set_stock_facts(*, modifier: Modifier, sold_out: bool) -> None:
    """How inventory tells the menu a modifier's recipe cannot be covered, so the till and the guest
    page stop offering it before anyone submits. Writes only a change."""
    if modifier.sold_out_stock != sold_out:
        Modifier.objects.filter(pk=modifier.pk).update(sold_out_stock=sold_out)
        modifier.sold_out_stock = sold_out


@transaction.atomic
def menu_item_set_sold_out(*, item: MenuItem, sold_out: bool) -> MenuItem:
    """The manual 86: a cook or manager marks an item sold out by hand, or back. The row is locked and
    its flags read afresh, so "sold out" / "back" is announced only when the menu really flips."""
    item.sold_out_manual, item.sold_out_stock = (
        MenuItem.objects.select_for_update().values_list("sold_out_manual", "sold_out_stock").get(pk=item.pk)
    )
    was_sold_out = item.is_sold_out
    item.sold_out_manual = sold_out
    item.save(update_fields=["sold_out_manual", "updated_at"])
    if item.is_sold_out != was_sold_out:
        events.menu_item_sold_out_by_hand.send(sender=MenuItem, item=item, sold_out=item.is_sold_out)
    return item


@transaction.atomic
def menu_item_set_price(*, item: MenuItem, price, by=None, reason: str = "") -> MenuItem:
    """A new menu price from now on (orders already placed keep the price they were priced at).
    Audited: a price change moves every margin the owner looks at."""
    new = _price(price)
    item = MenuItem.objects.select_for_update().get(pk=item.pk)
    old = item.price
    if new != old:
        item.price = new
        item.save(update_fields=["price", "updated_at"])
        audit_record(
            store=item.store,
            action="menu_price_changed",
            actor=by,
            reason=reason[:200],
            target=item,
            data={"old": str(old), "new": str(new)},
        )
    return item
