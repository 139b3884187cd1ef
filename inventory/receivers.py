"""Inventory's answers to orders' events: stock leaves with a placed order and comes back with a
cancelled, voided or refunded one. Connected in InventoryConfig.ready()."""

from orders import events

from .services import (
    stock_consume_for_order,
    stock_return_for_order,
    stock_return_for_refund,
    stock_return_for_void,
)


def on_order_placed(sender, order, lines, **kwargs):
    stock_consume_for_order(order=order, lines=lines)


def on_order_cancelled(sender, order, previous_status, **kwargs):
    stock_return_for_order(order=order, previous_status=previous_status)


def on_order_line_voided(sender, line, quantity, **kwargs):
    stock_return_for_void(line=line, quantity=quantity)


def on_order_lines_refunded(sender, lines, **kwargs):
    stock_return_for_refund(lines=lines)


def connect() -> None:
    events.order_placed.connect(on_order_placed, dispatch_uid="inventory.consume")
    events.order_cancelled.connect(on_order_cancelled, dispatch_uid="inventory.return")
    events.order_line_voided.connect(on_order_line_voided, dispatch_uid="inventory.return_void")
    events.order_lines_refunded.connect(on_order_lines_refunded, dispatch_uid="inventory.return_refund")
