"""The kitchen's answers to orders' events: tickets for a placed order, withdrawn with a cancelled,
voided or refunded one, closed when the order is done. Connected in KitchenConfig.ready()."""

from orders import events

from .services import (
    ticket_lines_withdraw,
    tickets_close_for_order,
    tickets_create_for_order,
    tickets_withdraw_for_order,
)


def on_order_placed(sender, order, lines, **kwargs):
    tickets_create_for_order(order=order, lines=lines)


def on_order_cancelled(sender, order, **kwargs):
    tickets_withdraw_for_order(order=order)


def on_order_status_changed(sender, order, **kwargs):
    tickets_close_for_order(order=order)


def on_order_line_voided(sender, line, quantity, **kwargs):
    ticket_lines_withdraw(quantities={line.pk: quantity})


def on_order_lines_refunded(sender, lines, **kwargs):
    ticket_lines_withdraw(quantities={line.pk: quantity for line, quantity in lines})


def connect() -> None:
    events.order_placed.connect(on_order_placed, dispatch_uid="kitchen.tickets")
    events.order_cancelled.connect(on_order_cancelled, dispatch_uid="kitchen.withdraw")
    events.order_status_changed.connect(on_order_status_changed, dispatch_uid="kitchen.close")
    events.order_line_voided.connect(on_order_line_voided, dispatch_uid="kitchen.withdraw_void")
    events.order_lines_refunded.connect(on_order_lines_refunded, dispatch_uid="kitchen.withdraw_refund")
