"""Writes to the menu: new items (one by one or a whole imported list), prices (audited), the manual 86,
the facts inventory tells the menu, and the tables guests order from."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError, all_or_nothing
from restaurant_ops.models import Store, TaxCategory
from restaurant_ops.services import audit_record

from .. import events
from ..models import MenuCategory, MenuItem, Modifier, ModifierGroup, OrderLineModifier, Table


def _price_checked(value: Decimal, field: str = "price") -> Decimal:
    """A menu price (a Decimal: the form or the serializer parsed it) in whole cents, 0 to 99999.99."""
    return check_decimal(
        value,
        field,
        below=Decimal("100000"),
        places=2,
        error=("invalid", _("Enter a price in whole cents, from 0 to 99999.99.")),
    )


@transaction.atomic
def menu_item_create(
    *,
    store: Store,
    category: str,
    name: str,
    price,
    tax_category: TaxCategory | None = None,
    description: str = "",
    external_id: str = "",
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
    _check_external_id(store_id=store.pk, external_id=external_id)
    group = MenuCategory.objects.filter(store=store, name__iexact=category).first()
    if group is None:
        group = MenuCategory.objects.create(
            store=store, name=category, position=MenuCategory.objects.filter(store=store).count()
        )
    return MenuItem.objects.create(
        store=store,
        category=group,
        name=name,
        price=_price_checked(price),
        tax_category=tax_category,
        description=description.strip(),
        external_id=external_id.strip(),
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
    new = _price_checked(price)
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


# --- the menu's structure: categories, item details, modifier groups and modifiers ---------------


def _check_external_id(*, store_id: int, external_id: str, item: MenuItem | None = None) -> None:
    """A POS orders by its own id (`item_external_id`): one item per id and store."""
    if not external_id.strip():
        return
    others = MenuItem.objects.filter(store_id=store_id, external_id=external_id.strip())
    if item is not None:
        others = others.exclude(pk=item.pk)
    if others.exists():
        raise DomainError("external_id", "duplicate", _("Another item has this external id."))


def _name(value: str, *, field: str = "name", limit: int = 80) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(field, "required", _("Give it a name."))
    if len(value) > limit:
        raise DomainError(field, "too_long", _("At most %(n)d characters.") % {"n": limit})
    return value


@transaction.atomic
def menu_category_save(
    *,
    store: Store,
    name: str,
    position: int | None = None,
    external_id: str = "",
    name_zh: str = "",
    category: MenuCategory | None = None,
) -> MenuCategory:
    """A menu category created (or `category` changed); names are unique per store (any case)."""
    name = _name(name)
    dupes = MenuCategory.objects.filter(store=store, name__iexact=name)
    if category is not None:
        dupes = dupes.exclude(pk=category.pk)
    if dupes.exists():
        raise DomainError("name", "duplicate", _("A category with this name exists."))
    category = category or MenuCategory(
        store=store, position=MenuCategory.objects.filter(store=store).count()
    )
    category.name, category.external_id, category.name_zh = name, external_id.strip(), name_zh.strip()
    if position is not None:
        category.position = position
    category.save()
    return category


def menu_category_delete(*, category: MenuCategory) -> None:
    """Only an empty category goes (its items, on the menu or not, keep their history under it)."""
    if category.items.exists():
        raise DomainError("category", "in_use", _("Move or delete the category's items first."))
    category.delete()


@transaction.atomic
def menu_item_update(*, item: MenuItem, by=None, **fields) -> MenuItem:
    """Everything about an item but its price (`menu_item_set_price`, audited), whether it is on the menu
    (`menu_item_set_active`) and its manual 86 (`menu_item_set_sold_out`): name, description,
    category, tax, external id, Chinese name, position, modifier groups."""
    allowed = {"name", "description", "category", "tax_category", "external_id", "name_zh", "position"}
    groups = fields.pop("modifier_groups", None)
    if set(fields) - allowed:
        raise DomainError(sorted(set(fields) - allowed)[0], "unknown_field", _("Unknown field."))
    item = MenuItem.objects.select_for_update().get(pk=item.pk)
    if "name" in fields:
        fields["name"] = _name(fields["name"], limit=120)
        if (
            MenuItem.objects.filter(store_id=item.store_id, name__iexact=fields["name"], is_active=True)
            .exclude(pk=item.pk)
            .exists()
        ):
            raise DomainError("name", "duplicate", _("%(name)s is already on the menu.") % fields)
    if "external_id" in fields:
        _check_external_id(store_id=item.store_id, external_id=fields["external_id"], item=item)
    if fields.get("category") is not None and fields["category"].store_id != item.store_id:
        raise DomainError("category", "not_found", _("No such category in this store."))
    if fields.get("tax_category") is not None and fields["tax_category"].store_id != item.store_id:
        raise DomainError("tax_category", "not_found", _("No such tax in this store."))
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    item.save()
    if groups is not None:
        modifier_groups_check(store_id=item.store_id, groups=groups)
        item.modifier_groups.set(groups)
    return item


def modifier_groups_check(*, store_id: int, groups) -> None:
    for index, group in enumerate(groups):
        if group.store_id != store_id:
            raise DomainError(
                f"modifier_groups[{index}]", "not_found", _("No such modifier group in this store.")
            )


@transaction.atomic
def menu_item_remove(*, item: MenuItem, by=None) -> bool:
    """Deletes an item nobody ever ordered (True); an item with sales history is taken off the menu
    instead (False), so past orders, margins and analyses keep it."""
    if item.order_lines.exists():
        menu_item_set_active(item=item, active=False)
        return False
    audit_record(
        store=item.store, action="menu_item_deleted", actor=by, target=item, data={"name": item.name}
    )
    item.delete()
    return True


@transaction.atomic
def modifier_group_save(
    *,
    store: Store,
    name: str,
    min_choices: int = 0,
    max_choices: int = 1,
    position: int | None = None,
    name_zh: str = "",
    group: ModifierGroup | None = None,
) -> ModifierGroup:
    """A choice offered on items (size: choose 1; extras: choose 0 to 3)."""
    name = _name(name)
    if min_choices < 0 or max_choices < 1:
        raise DomainError("max_choices", "out_of_range", _("A group offers at least one choice."))
    if max_choices < min_choices:
        raise DomainError("max_choices", "invalid", _("The maximum is below the minimum."))
    group = group or ModifierGroup(store=store, position=ModifierGroup.objects.filter(store=store).count())
    group.name, group.min_choices, group.max_choices, group.name_zh = name, min_choices, max_choices, name_zh
    if position is not None:
        group.position = position
    group.save()
    return group


def modifier_group_delete(*, group: ModifierGroup) -> None:
    """A group whose modifiers were never ordered goes; otherwise 409 (deactivate its modifiers)."""
    if OrderLineModifier.objects.filter(modifier__group=group).exists():
        raise DomainError(
            "modifier_group", "in_use", _("Orders used this group's modifiers: deactivate them instead.")
        )
    group.delete()


@transaction.atomic
def modifier_save(
    *,
    group: ModifierGroup,
    name: str,
    price_delta=Decimal("0"),
    external_id: str = "",
    name_zh: str = "",
    position: int | None = None,
    is_active: bool = True,
    by=None,
    modifier: Modifier | None = None,
) -> Modifier:
    """A modifier created (or `modifier` changed). A change of its price is audited like an item's."""
    name = _name(name)
    delta = check_decimal(
        price_delta,
        "price_delta",
        allow_negative=True,
        below=Decimal("100000"),
        places=2,
        error=("invalid", _("Enter a price in whole cents, below 100000.")),
    )
    if modifier is not None:
        modifier = Modifier.objects.select_for_update().get(pk=modifier.pk)
        if modifier.group.store_id != group.store_id:
            raise DomainError("group", "not_found", _("No such modifier group in this store."))
    old = modifier.price_delta if modifier is not None else None
    modifier = modifier or Modifier(group=group, position=group.modifiers.count())
    modifier.group, modifier.name, modifier.price_delta = group, name, delta
    modifier.external_id, modifier.name_zh, modifier.is_active = (
        external_id.strip(),
        name_zh.strip(),
        is_active,
    )
    if position is not None:
        modifier.position = position
    modifier.save()
    if old is not None and old != delta:
        audit_record(
            store=group.store,
            action="modifier_price_changed",
            actor=by,
            target=modifier,
            data={"old": str(old), "new": str(delta)},
        )
    return modifier


def modifier_remove(*, modifier: Modifier) -> bool:
    """Deletes a modifier never ordered (True); one with history is deactivated instead (False)."""
    if OrderLineModifier.objects.filter(modifier=modifier).exists():
        modifier.is_active = False
        modifier.save()
        return False
    modifier.delete()
    return True


# --- tables one at a time ------------------------------------------------------------------------


@transaction.atomic
def table_create(*, store: Store, name: str, seats: int = 4, external_id: str = "") -> Table:
    """One named table (the set-up page adds numbered ones with `tables_add`); its QR token is made here."""
    name = _name(name, limit=40)
    if not 1 <= seats <= 100:
        raise DomainError("seats", "out_of_range", _("A table has 1 to 100 seats."))
    if Table.objects.filter(store=store, name=name).exists():
        raise DomainError(
            "name", "duplicate", _("Another table is already called %(name)s.") % {"name": name}
        )
    return Table.objects.create(
        store=store,
        name=name,
        seats=seats,
        external_id=external_id.strip(),
        position=Table.objects.filter(store=store).count(),
    )


@transaction.atomic
def table_update(*, table: Table, by=None, **fields) -> Table:
    """Seats, external id and position; a new name through `table_rename` (audited)."""
    if "name" in fields:
        table = table_rename(table=table, name=fields.pop("name"), by=by)
    if "seats" in fields and not 1 <= fields["seats"] <= 100:
        raise DomainError("seats", "out_of_range", _("A table has 1 to 100 seats."))
    if fields:
        for name, value in fields.items():
            setattr(table, name, value.strip() if isinstance(value, str) else value)
        table.save()
    return table
