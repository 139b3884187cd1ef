"""python manage.py import_sales FILE --store SLUG [--map FIELD=COLUMN ...] [--date-format FMT]
[--encoding ENC] [--delimiter D] [--strict]"""

import time

from django.core.management.base import BaseCommand, CommandError

from orders.importing import FIELDS, sales_import
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store


class Command(BaseCommand):
    help = "Import sales history (one row per order line) exported from another POS."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--store", required=True, help="Store slug")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=f"Column for a field; fields: {', '.join(FIELDS)}",
        )
        parser.add_argument("--date-format", default=None, help="strptime format, e.g. '%%d/%%m/%%Y %%H:%%M'")
        parser.add_argument("--encoding", default="utf-8-sig")
        parser.add_argument("--delimiter", default=",")
        parser.add_argument("--strict", action="store_true", help="Reject the whole file on any bad row")

    def handle(self, *args, **options):
        store = Store.objects.filter(slug=options["store"]).first()
        if store is None:
            raise CommandError(f"No store with slug {options['store']!r}.")
        mapping = {}
        for pair in options["map"]:
            if "=" not in pair:
                raise CommandError(f"--map expects FIELD=COLUMN, got {pair!r}.")
            key, value = pair.split("=", 1)
            mapping[key.strip()] = value.strip()
        delimiter = "\t" if options["delimiter"] in ("\\t", "tab") else options["delimiter"]
        started = time.monotonic()
        try:
            with open(options["file"], encoding=options["encoding"], newline="") as stream:
                report = sales_import(
                    store=store,
                    stream=stream,
                    mapping=mapping,
                    date_format=options["date_format"],
                    delimiter=delimiter,
                    strict=options["strict"],
                )
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}")
        except DomainError as exc:
            raise CommandError(str(exc.message))
        for line, reason in report.errors:
            self.stderr.write(f"line {line}: {reason}")
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{report.orders} orders, {report.lines} lines, {report.items_created} new items, "
            f"{report.days} days loaded from {report.rows} rows; "
            f"{len(report.errors)} bad rows ({seconds:.1f} s)."
        )
