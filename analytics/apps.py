from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Imported here, not at the top: receivers reach models, which must wait for the app registry.
        from customers.events import feedback_left
        from inventory.events import goods_received

        from . import receivers

        # The low-stock check after an order is not a listener here: it follows "order.placed" through
        # the outbox (tasks.low_stock_check), so a broker outage delays it and loses nothing.
        feedback_left.connect(receivers.on_feedback_left, dispatch_uid="analytics.complaint_facts")
        goods_received.connect(receivers.on_goods_received, dispatch_uid="analytics.price_change_on_receipt")
