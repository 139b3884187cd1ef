from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Imported here, not at the top: receivers reach models, which must wait for the app registry.
        from customers.events import feedback_left

        from . import receivers

        # The event-driven checks are not listeners here: the low-stock check follows "order.placed"
        # and the price-change alert "purchase_order.received" through the outbox (tasks.py), at once
        # for a store's first event, then coalesced; a broker outage delays them and loses nothing.
        feedback_left.connect(receivers.on_feedback_left, dispatch_uid="analytics.complaint_facts")
