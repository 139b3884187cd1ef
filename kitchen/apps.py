from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_order_placed(sender, order, lines, **kwargs):
    from .services import tickets_create_for_order

    tickets_create_for_order(order=order, lines=lines)


def _on_order_cancelled(sender, order, **kwargs):
    from .services import tickets_withdraw_for_order

    tickets_withdraw_for_order(order=order)


def _on_order_status_changed(sender, order, **kwargs):
    from .services import tickets_close_for_order

    tickets_close_for_order(order=order)


def _on_order_line_voided(sender, line, quantity, **kwargs):
    from .services import ticket_lines_withdraw

    ticket_lines_withdraw(quantities={line.pk: quantity})


def _on_order_lines_refunded(sender, lines, **kwargs):
    from .services import ticket_lines_withdraw

    ticket_lines_withdraw(quantities={line.pk: quantity for line, quantity in lines})


class KitchenConfig(AppConfig):
    name = "kitchen"
    verbose_name = _("Kitchen")

    def ready(self):
        from orders import events

        events.order_placed.connect(_on_order_placed, dispatch_uid="kitchen.tickets")
        events.order_cancelled.connect(_on_order_cancelled, dispatch_uid="kitchen.withdraw")
        events.order_status_changed.connect(_on_order_status_changed, dispatch_uid="kitchen.close")
        events.order_line_voided.connect(_on_order_line_voided, dispatch_uid="kitchen.withdraw_void")
        events.order_lines_refunded.connect(_on_order_lines_refunded, dispatch_uid="kitchen.withdraw_refund")
