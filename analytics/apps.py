from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from customers.events import feedback_left

        from . import receivers

        # The low-stock check after an order is not a listener here: it follows "order.placed" through
        # the outbox (tasks.low_stock_check), so a broker outage delays it and loses nothing.
        feedback_left.connect(receivers.on_feedback_left, dispatch_uid="analytics.complaint_facts")
        receivers.connect_optional()
