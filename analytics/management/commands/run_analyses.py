"""Runs the analyses now, in this process, for one store or all, as of any moment:

    manage.py run_analyses --store demo --at 2026-03-02T08:00
    manage.py run_analyses --job forecast --job low_stock

`--at` is ISO 8601; without an offset it is the store's local time. An imported history ends in the
past: run as of the morning after its last day and its insights are those of that morning."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics import registry
from restaurant_ops.models import Store


class Command(BaseCommand):
    help = "Run the analyses for one store (or all) as of a moment, and print what each job did."

    def add_arguments(self, parser):
        parser.add_argument("--store", help="store slug (default: every store)")
        parser.add_argument(
            "--at", help="ISO 8601 moment (default: now); local to the store without an offset"
        )
        parser.add_argument("--job", action="append", dest="jobs", help="only this job (repeatable)")

    def handle(self, *args, store=None, at=None, jobs=None, **options):
        known = list(registry.JOBS)
        unknown = sorted(set(jobs or ()) - set(known))
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. Jobs: {', '.join(known)}.")
        stores = Store.objects.order_by("slug")
        if store:
            stores = stores.filter(slug=store)
            if not stores.exists():
                raise CommandError(f"No store with the slug {store!r}.")
        moment = None
        if at:
            try:
                moment = dt.datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at: {at!r} is not an ISO 8601 date and time.")
        failed = False
        for each in stores:
            when = moment
            if when is not None and timezone.is_naive(when):
                when = when.replace(tzinfo=each.tz)
            if when is not None and when > timezone.now():
                raise CommandError("--at: analyses cannot run as of a moment in the future.")
            outcomes = registry.run_all(store=each, now=when, jobs=jobs)
            stamp = (when or timezone.now()).astimezone(each.tz).isoformat(timespec="minutes")
            self.stdout.write(f"{each.slug} as of {stamp}:")
            for job, outcome in outcomes.items():
                self.stdout.write(f"  {job}: {outcome}")
                failed |= outcome != "success"
        if failed:
            raise CommandError("Some analyses failed: their JobRuns hold the error.")
