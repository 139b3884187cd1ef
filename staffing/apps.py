from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing")

    def ready(self):
        # Here, not at the top: the receivers reach the models, which wait for the app registry.
        from . import receivers

        receivers.connect()
