"""Failed logins (Django's signal) and lockouts (django-axes') go into the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from . import services


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    services.login_failure_record(username=credentials.get("username", ""), request=request, locked=False)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    services.login_failure_record(username=username or "", request=request, locked=True)
