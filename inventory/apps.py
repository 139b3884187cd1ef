from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_order_placed(sender, order, lines, **kwargs):
    from .services import stock_consume_for_order

    stock_consume_for_order(order=order, lines=lines)


def _on_order_cancelled(sender, order, previous_status, **kwargs):
    from .services import stock_return_for_order

    stock_return_for_order(order=order, previous_status=previous_status)


def _on_order_line_voided(sender, line, quantity, **kwargs):
    from .services import stock_return_for_void

    stock_return_for_void(line=line, quantity=quantity)


def _on_order_lines_refunded(sender, lines, **kwargs):
    from .services import stock_return_for_refund

    stock_return_for_refund(lines=lines)


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from orders import events

        events.order_placed.connect(_on_order_placed, dispatch_uid="inventory.consume")
        events.order_cancelled.connect(_on_order_cancelled, dispatch_uid="inventory.return")
        events.order_line_voided.connect(_on_order_line_voided, dispatch_uid="inventory.return_void")
        events.order_lines_refunded.connect(_on_order_lines_refunded, dispatch_uid="inventory.return_refund")
