"""Writes to the menu: prices (audited), the manual 86, and the facts inventory tells the menu."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.services import audit_record

from ..models import MenuItem
from .pricing import CENT


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


def menu_item_set_sold_out(*, item: MenuItem, sold_out: bool) -> MenuItem:
    """The manual 86: a cook or manager marks an item sold out by hand, or back."""
    item.sold_out_manual = sold_out
    item.save(update_fields=["sold_out_manual", "updated_at"])
    return item


@transaction.atomic
def menu_item_set_price(*, item: MenuItem, price, by=None, reason: str = "") -> MenuItem:
    """A new menu price from now on (orders already placed keep the price they were priced at).
    Audited: a price change moves every margin the owner looks at."""
    try:
        new = Decimal(str(price))
    except (ArithmeticError, ValueError, TypeError):
        raise DomainError("price", "invalid", _("Enter a price such as 24.50."))
    if not new.is_finite() or new != new.quantize(CENT) or new < 0 or new >= Decimal("100000"):
        raise DomainError("price", "invalid", _("Enter a price in whole cents, from 0 to 99999.99."))
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
