from decimal import Decimal

import pytest

from inventory import services
from tests.factories import MenuItemFactory
from tests.inventory.factories import IngredientFactory


@pytest.fixture
def stocked(store):
    """An item whose portion takes 150 g of an ingredient; 1050 g on hand = exactly 7 portions."""
    ingredient = IngredientFactory(store=store, name="Chicken", base_unit="g")
    item = MenuItemFactory(store=store, name="Grilled chicken")
    services.recipe_line_set(
        store=store, menu_item=item, ingredient=ingredient, quantity=Decimal("150"), unit="g"
    )
    services.stock_movement_record(
        store=store,
        ingredient=ingredient,
        kind="receipt",
        quantity=Decimal("1.05"),
        unit="kg",
        unit_cost=Decimal("0.01"),
        reason="opening stock",
    )
    ingredient.refresh_from_db()
    item.refresh_from_db()
    return item, ingredient
