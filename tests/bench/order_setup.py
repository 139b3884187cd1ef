"""Shared set-up of the order-path tests: menu items with a recipe, stock and a kitchen station."""

from decimal import Decimal

from inventory import services as inventory_services
from kitchen.services import kitchen_item_set, station_create
from tests.factories import MenuItemFactory


def stocked_items(store, count: int) -> list:
    """`count` items, each with its own ingredient (100 g a portion, 10 kg on hand), routed
    alternately to a default Grill and a Bar station."""
    grill = station_create(store=store, name="Grill", is_default=True)
    bar = station_create(store=store, name="Bar")
    items = []
    for n in range(count):
        item = MenuItemFactory(store=store)
        ingredient = inventory_services.ingredient_create(store=store, name=f"Ingredient {n}", base_unit="g")
        inventory_services.recipe_line_set(
            store=store, menu_item=item, ingredient=ingredient, quantity=Decimal("100"), unit="g"
        )
        inventory_services.stock_movement_record(
            store=store,
            ingredient=ingredient,
            kind="receipt",
            quantity=Decimal("10"),
            unit="kg",
            unit_cost=Decimal("0.01"),
            reason="opening",
        )
        kitchen_item_set(menu_item=item, station=bar if n % 2 else grill)
        items.append(item)
    return items
