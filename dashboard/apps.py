from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The owner's pages and charts: reads analytics' selectors and API and the other apps' selectors;
    acts on insights only through `analytics.services`."""

    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from connections.events import morning_digest_due

        from . import receivers

        morning_digest_due.connect(receivers.on_morning_digest_due, dispatch_uid="dashboard.morning_digest")
