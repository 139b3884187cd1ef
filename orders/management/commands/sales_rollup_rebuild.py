"""python manage.py sales_rollup_rebuild [--store SLUG ...]: the sales rollup derived again from the order
tables, after writing orders by hand in SQL (anything but the order service and the history writer)."""

from django.core.management.base import BaseCommand, CommandError

from orders.services.rollup import sales_rollup_rebuild
from restaurant_ops.models import Store


class Command(BaseCommand):
    help = "Rebuild the sales rollup of the given stores (default: every store) from their orders."

    def add_arguments(self, parser):
        parser.add_argument("--store", action="append", default=[], help="Store slug (repeatable)")

    def handle(self, *args, **options):
        stores = Store.objects.all()
        if options["store"]:
            stores = stores.filter(slug__in=options["store"])
            missing = set(options["store"]) - set(stores.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No such store: {', '.join(sorted(missing))}")
        for store in stores.order_by("slug"):
            rows = sales_rollup_rebuild(store_id=store.pk, time_zone=store.time_zone)
            self.stdout.write(f"{store.slug}: {rows} rollup rows")
