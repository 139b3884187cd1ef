"""Food cost from inventory: an item's plate cost on a day = Σ recipe base quantity × the ingredient's
cost on that day (inventory.selectors.ingredient_costs: last receipt's price, else the preferred
supplier's list price). Without inventory installed, costs are unknown (None)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from restaurant_ops.models import Store

ZERO = Decimal("0")


def recipes(store: Store) -> dict[int, list[tuple[int, Decimal]]] | None:
    """menu item id → [(ingredient id, base quantity per portion)] (modifiers' recipes left out)."""
    try:
        from inventory.models import RecipeLine
    except ImportError:
        return None
    out: dict[int, list] = defaultdict(list)
    for item_id, ingredient_id, quantity in RecipeLine.objects.filter(
        store=store, menu_item__isnull=False
    ).values_list("menu_item_id", "ingredient_id", "base_quantity"):
        out[item_id].append((ingredient_id, quantity))
    return out


def item_unit_costs(store: Store, days: list[dt.date]) -> dict[tuple[int, dt.date], Decimal] | None:
    """(item id, business day) → plate cost (an ingredient without any cost counts 0), or None."""
    by_item = recipes(store)
    if by_item is None:
        return None
    from inventory.selectors import ingredient_costs

    costs = ingredient_costs(ingredient_ids={i for uses in by_item.values() for i, _q in uses}, dates=days)
    return {
        (item, day): sum(((costs.get((i, day)) or ZERO) * q for i, q in uses), ZERO)
        for item, uses in by_item.items()
        for day in days
    }
