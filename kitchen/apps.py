from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_order_placed(sender, order, **kwargs):
    from .services import tickets_create_for_order

    tickets_create_for_order(order=order)


def _on_order_cancelled(sender, order, **kwargs):
    from .services import tickets_withdraw_for_order

    tickets_withdraw_for_order(order=order)


class KitchenConfig(AppConfig):
    name = "kitchen"
    verbose_name = _("Kitchen")

    def ready(self):
        from orders import events

        events.order_placed.connect(_on_order_placed, dispatch_uid="kitchen.tickets")
        events.order_cancelled.connect(_on_order_cancelled, dispatch_uid="kitchen.withdraw")
