"""Shared set-up of the real-time tests and benchmark: one menu item whose every portion takes wings
toward their reorder point, with a supplier, so an order can cross the point and the low-stock check
drafts a purchase order."""

import datetime as dt
from decimal import Decimal

from inventory import services as inventory
from tests.factories import MenuItemFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory


def wings_item(store, *, on_hand: Decimal, reorder_point: Decimal, per_portion: Decimal = Decimal("2")):
    """A "Wing basket" taking `per_portion` wings, `on_hand` wings on the shelf, reorder point (the
    ingredient's minimum) `reorder_point`, a supplier selling packs of 10 two days away. -> (item, wings)"""
    wings = IngredientFactory(store=store, name="Wings", base_unit="pcs", min_quantity=reorder_point)
    item = MenuItemFactory(store=store, name="Wing basket")
    if on_hand:
        inventory.stock_movement_record(
            store=store,
            ingredient=wings,
            kind="receipt",
            quantity=on_hand,
            reason="opening",
            unit_cost=Decimal("0.50"),
        )
    # the recipe after the opening stock: the item is never sold out, so no item.back event (whose
    # check would take the window's leading edge before the test's first order)
    inventory.recipe_line_set(store=store, ingredient=wings, quantity=per_portion, unit="pcs", menu_item=item)
    supplier = SupplierFactory(store=store, name="Poultry Co", lead_time_days=2)
    si = inventory.supplier_item_upsert(supplier=supplier, ingredient=wings, pack_size=Decimal("10"))
    inventory.supplier_price_add(supplier_item=si, price=Decimal("0.50"), effective_from=dt.date(2020, 1, 1))
    return item, wings
