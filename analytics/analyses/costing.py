"""Food cost, read from inventory when it is installed: an item's plate cost on a day from its recipe at
each ingredient's cost on that day. Without inventory's selector, costs are unknown (None)."""

import datetime as dt
from decimal import Decimal

from restaurant_ops.models import Store


def item_unit_costs(store: Store, days: list[dt.date]) -> dict[tuple[int, dt.date], Decimal] | None:
    """(item id, business day) → plate cost, or None when inventory cannot say.

    Expects `inventory.selectors.menu_item_costs(*, store, days) -> {(item_id, day): Decimal}`."""
    try:
        from inventory import selectors as inventory_selectors
    except ImportError:
        return None
    function = getattr(inventory_selectors, "menu_item_costs", None)
    if function is None:
        return None
    return function(store=store, days=days)
