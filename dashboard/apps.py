from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The owner's pages and charts: reads analytics' selectors and API and the other apps' selectors;
    acts on insights only through `analytics.services`."""

    name = "dashboard"
    verbose_name = _("Dashboard")
