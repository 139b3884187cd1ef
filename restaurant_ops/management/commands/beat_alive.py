"""docker compose's health check for `beat`: it is alive when it has sent a scheduled task lately.

Beat sends the outbox drain every 30 s and records each send's time in its schedule table (written at
least every 3 minutes by django-celery-beat's scheduler), so no send for 10 minutes means beat is stuck
or not running, whatever its process looks like."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

STALE_AFTER = dt.timedelta(minutes=10)


class Command(BaseCommand):
    help = "Exit 0 when beat has sent a scheduled task in the last 10 minutes, 1 when it has not."

    def handle(self, *args, **options):
        last = (
            PeriodicTask.objects.filter(enabled=True, last_run_at__isnull=False)
            .order_by("-last_run_at")
            .values_list("last_run_at", flat=True)
            .first()
        )
        if last is None or timezone.now() - last > STALE_AFTER:
            raise CommandError(f"beat has sent no scheduled task since {last or 'it started'}")
        self.stdout.write(f"beat sent a scheduled task at {last.isoformat()}")
