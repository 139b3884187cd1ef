"""Writes for inventory, one module per area; every public name is importable from here.

`ledger.movements_post` is the one way stock changes: it locks the ingredient rows (in id order),
appends the movements, keeps `Ingredient.on_hand` equal to the sum of the ledger, and refreshes the
menu's stock-driven sold-out flags."""

from .catalogue import (
    INGREDIENT_FIELDS,
    SUPPLIER_FIELDS,
    ingredient_create,
    ingredient_update,
    menu_items_refresh_facts,
    recipe_line_delete,
    recipe_line_set,
    supplier_create,
    supplier_item_upsert,
    supplier_price_add,
    supplier_update,
)
from .ledger import availability_refresh
from .purchasing import (
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create_draft,
    purchase_order_csv,
    purchase_order_receive,
    purchase_order_send,
    purchase_order_suggest,
    purchase_order_suggestions_withdraw,
)
from .setup import ingredient_price_set, ingredient_set_up, ingredients_import, recipes_import
from .stock import (
    ingredient_reorder_points_record,
    stock_consume_for_order,
    stock_count_post,
    stock_movement_record,
    stock_return_for_order,
    stock_return_for_refund,
    stock_return_for_void,
)

__all__ = [
    "INGREDIENT_FIELDS",
    "SUPPLIER_FIELDS",
    "availability_refresh",
    "ingredient_reorder_points_record",
    "ingredient_create",
    "ingredient_price_set",
    "ingredient_set_up",
    "ingredients_import",
    "recipes_import",
    "ingredient_update",
    "menu_items_refresh_facts",
    "purchase_order_cancel",
    "purchase_order_close",
    "purchase_order_create_draft",
    "purchase_order_csv",
    "purchase_order_receive",
    "purchase_order_send",
    "purchase_order_suggest",
    "purchase_order_suggestions_withdraw",
    "recipe_line_delete",
    "recipe_line_set",
    "stock_consume_for_order",
    "stock_count_post",
    "stock_movement_record",
    "stock_return_for_order",
    "stock_return_for_refund",
    "stock_return_for_void",
    "supplier_create",
    "supplier_item_upsert",
    "supplier_price_add",
    "supplier_update",
]
