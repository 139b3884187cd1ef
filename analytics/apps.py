from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from orders.events import order_placed

        from . import receivers

        order_placed.connect(receivers.on_order_placed, dispatch_uid="analytics.low_stock_after_order")
        receivers.connect_optional()
