from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestaurantOpsConfig(AppConfig):
    name = "restaurant_ops"
    verbose_name = _("Stores and people")

    def ready(self):
        from . import receivers  # noqa: F401 - login failures and lockouts into the audit trail
        from .api import schema  # noqa: F401 - registers the API key scheme with drf-spectacular
