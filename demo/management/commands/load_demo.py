"""`python manage.py load_demo [--now ISO]`: (re)builds the demo restaurant up to now, then queues the
real analysis jobs (a worker turns the data into the story's insights)."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from analytics.tasks import run_store_analyses
from demo import loader


class Command(BaseCommand):
    help = "Build the demo restaurant (about 90 days of history up to now) and queue the analyses."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="Pretend it is this moment (ISO 8601 with offset), e.g. 2026-11-15T18:30+08:00"
        )
        parser.add_argument("--no-jobs", action="store_true", help="Do not queue the analyses at the end.")

    def handle(self, *args, **options):
        if settings.PRODUCTION:  # the demo app is not installed there; this guards a stray copy
            raise CommandError("load_demo does not run with DJANGO_PRODUCTION=1 (published passwords).")
        now = timezone.now()
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now: {error}")
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-11-15T18:30+08:00")
        store = loader.load(now=now, log=self.stdout.write)
        if not options["no_jobs"]:
            # The customers' figures are computed by analytics' customers job before its insights.
            transaction.on_commit(lambda: run_store_analyses.delay(store.pk))
            self.stdout.write("Analyses queued: a running worker produces the insights within a minute.")
        self.stdout.write(self.style.SUCCESS(f"Demo store '{store.name}' ready (slug {store.slug})."))
