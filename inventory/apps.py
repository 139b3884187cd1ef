from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_order_placed(sender, order, **kwargs):
    from .services import stock_consume_for_order

    stock_consume_for_order(order=order)


def _on_order_cancelled(sender, order, previous_status, **kwargs):
    from .services import stock_return_for_order

    stock_return_for_order(order=order, previous_status=previous_status)


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from orders import events

        events.order_placed.connect(_on_order_placed, dispatch_uid="inventory.consume")
        events.order_cancelled.connect(_on_order_cancelled, dispatch_uid="inventory.return")
