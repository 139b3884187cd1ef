"""Writes for the menu and orders, one module per area; every public name is importable from here.

`orders.order_place` is the one way an order comes to exist (API, guest QR page, till, tests); history
import is the only bulk path (`orders/history.py`). `pricing` prices lines, carts and checks for
every caller."""

from .checks import (
    check_close,
    check_comp_line,
    check_discount,
    check_for_table,
    check_merge,
    check_move,
    check_open,
    check_recalculate,
    check_split_items,
)
from .drawers import drawer_close, drawer_current, drawer_open, register_create
from .menu import menu_item_set_price, menu_item_set_sold_out, menu_item_set_stock_facts
from .orders import (
    MAX_LINE_QUANTITY,
    MAX_LINES,
    LineRequest,
    guest_order_place,
    order_cancel,
    order_line_void,
    order_lines_mark_started,
    order_place,
    order_set_status,
)
from .payments import LineRefund, payment_refund, payment_take
from .pricing import (
    CENT,
    PricedLine,
    allocate,
    cart_quote,
    money,
    money_arg,
    price_line,
    price_totals,
    split_evenly,
    split_tax,
)
from .table_sessions import (
    table_order_throttle,
    table_rotate_token,
    table_session_close,
    table_session_current,
    table_session_open,
)

__all__ = [
    "CENT",
    "LineRefund",
    "LineRequest",
    "MAX_LINES",
    "MAX_LINE_QUANTITY",
    "PricedLine",
    "allocate",
    "cart_quote",
    "check_close",
    "check_comp_line",
    "check_discount",
    "check_for_table",
    "check_merge",
    "check_move",
    "check_open",
    "check_recalculate",
    "check_split_items",
    "drawer_close",
    "drawer_current",
    "drawer_open",
    "guest_order_place",
    "menu_item_set_price",
    "menu_item_set_sold_out",
    "menu_item_set_stock_facts",
    "money",
    "money_arg",
    "order_cancel",
    "order_line_void",
    "order_lines_mark_started",
    "order_place",
    "order_set_status",
    "payment_refund",
    "payment_take",
    "price_line",
    "price_totals",
    "register_create",
    "split_evenly",
    "split_tax",
    "table_order_throttle",
    "table_rotate_token",
    "table_session_close",
    "table_session_current",
    "table_session_open",
]
