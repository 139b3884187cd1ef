"""Sales-history import: a CSV exported from another POS, one row per order line, bulk-written as
history (channel "import"): no stock movements, tickets, events or insights. A line's identity is
(store, external order id, ordinal within that order), so importing the same file again adds nothing
and two identical lines in one order both stay. Used by `manage.py import_sales` and the upload page."""

import csv
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store

from .history import HistoryItem, HistoryLine, history_menu_items_create, history_write
from .models import MenuItem

FIELDS = ("order_id", "timestamp", "date", "time", "item", "quantity", "unit_price")
DEFAULT_COLUMNS = {f: f for f in FIELDS}
CENT = Decimal("0.01")


@dataclass
class ImportReport:
    orders: int = 0
    lines: int = 0
    items_created: int = 0
    days: int = 0
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "orders": self.orders,
            "lines": self.lines,
            "items_created": self.items_created,
            "days": self.days,
            "rows": self.rows,
            "errors": [{"line": n, "reason": r} for n, r in self.errors],
        }


def normalise_name(name: str) -> str:
    """Items match by name ignoring case and spacing."""
    return " ".join(name.split()).casefold()


def _parse_moment(row: dict, columns: dict, date_format: str | None, tz) -> dt.datetime:
    stamp = (row.get(columns["timestamp"]) or "").strip()
    if not stamp:
        day, clock = (row.get(columns["date"]) or "").strip(), (row.get(columns["time"]) or "").strip()
        if not day or not clock:
            raise ValueError(_("no timestamp, nor date and time"))
        stamp = f"{day} {clock}"
    try:
        if date_format:
            naive = dt.datetime.strptime(stamp, date_format)  # noqa: DTZ007 - store-local, made aware below
        else:
            naive = dt.datetime.fromisoformat(stamp)
    except ValueError:
        raise ValueError(_("cannot read the time %(value)r") % {"value": stamp})
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=tz)


def parse_rows(stream: TextIO, *, columns: dict, date_format: str | None, delimiter: str, tz):
    """Yields (line number, parsed dict) or (line number, error reason)."""
    reader = csv.DictReader(stream, delimiter=delimiter)
    header = reader.fieldnames or []
    needed = [columns["order_id"], columns["item"], columns["quantity"], columns["unit_price"]]
    missing = [c for c in needed if c not in header]
    if not (columns["timestamp"] in header or (columns["date"] in header and columns["time"] in header)):
        missing.append(f"{columns['timestamp']} | {columns['date']}+{columns['time']}")
    if missing:
        raise DomainError(
            "file",
            "missing_columns",
            _("Missing columns: %(cols)s (found: %(found)s).")
            % {"cols": ", ".join(missing), "found": ", ".join(header)},
        )
    for row in reader:
        line = reader.line_num
        try:
            order_id = (row.get(columns["order_id"]) or "").strip()
            if not order_id:
                raise ValueError(_("no order id"))
            if len(order_id) > 80:
                raise ValueError(_("order id longer than 80 characters"))
            name = " ".join((row.get(columns["item"]) or "").split())
            if not name:
                raise ValueError(_("no item name"))
            raw_qty = (row.get(columns["quantity"]) or "").strip()
            try:
                quantity = Decimal(raw_qty)
            except InvalidOperation:
                raise ValueError(_("quantity %(value)r is not a number") % {"value": raw_qty})
            if quantity != quantity.to_integral_value() or quantity <= 0 or quantity > 10000:
                raise ValueError(
                    _("quantity %(value)r is not a whole number of at least 1") % {"value": raw_qty}
                )
            raw_price = (row.get(columns["unit_price"]) or "").strip().replace(",", ".")
            try:
                price = Decimal(raw_price)
            except InvalidOperation:
                raise ValueError(_("unit price %(value)r is not a number") % {"value": raw_price})
            if price < 0 or price != price.quantize(CENT) or price >= Decimal("10000000"):
                raise ValueError(_("unit price %(value)r is not an amount in cents") % {"value": raw_price})
            moment = _parse_moment(row, columns, date_format, tz)
        except ValueError as exc:
            yield line, str(exc)
            continue
        yield (
            line,
            {"order_id": order_id, "name": name, "quantity": int(quantity), "price": price, "at": moment},
        )


@transaction.atomic
def sales_import(
    *,
    store: Store,
    stream: TextIO,
    mapping: dict[str, str] | None = None,
    date_format: str | None = None,
    delimiter: str = ",",
    strict: bool = False,
) -> ImportReport:
    """Reads the CSV and bulk-writes what is new. Bad rows are reported with their line numbers and the
    good ones kept; with `strict`, any bad row rejects the whole file (DomainError, nothing written).

    Two passes over the file, neither holding it: the first checks every row and finds the items to
    create; the second streams the lines to `history_write`, which writes them a chunk of orders at
    a time."""
    unknown = set(mapping or {}) - set(FIELDS)
    if unknown:
        raise DomainError(
            "map",
            "unknown_field",
            _("Unknown field(s): %(f)s. Fields: %(all)s.")
            % {"f": ", ".join(sorted(unknown)), "all": ", ".join(FIELDS)},
        )
    columns = {**DEFAULT_COLUMNS, **(mapping or {})}
    options = {"columns": columns, "date_format": date_format, "delimiter": delimiter, "tz": store.tz}
    report = ImportReport()
    stream, start = _rewindable(stream)
    # Earliest sale per item name (normalised): the price and date of items to create.
    first_seen: dict[str, dict] = {}
    for line, parsed in parse_rows(stream, **options):
        report.rows += 1
        if isinstance(parsed, str):
            report.errors.append((line, parsed))
            continue
        key = normalise_name(parsed["name"])
        if key not in first_seen or parsed["at"] < first_seen[key]["at"]:
            first_seen[key] = {"name": parsed["name"], "price": parsed["price"], "at": parsed["at"]}
    if strict and report.errors:
        raise DomainError(
            "file",
            "bad_rows",
            _("%(n)d bad row(s); nothing imported (first: line %(line)d, %(reason)s).")
            % {"n": len(report.errors), "line": report.errors[0][0], "reason": report.errors[0][1]},
        )
    if not first_seen:
        return report

    items = _resolve_items(store, first_seen, report)
    stream.seek(start)
    summary = history_write(store=store, lines=_history_lines(parse_rows(stream, **options), items))
    report.orders, report.lines, report.days = summary.orders, summary.lines, summary.days
    return report


def _rewindable(stream: TextIO) -> tuple[TextIO, int]:
    """The stream and where it starts, to be read twice; one that cannot seek is spooled to disk."""
    if stream.seekable():
        return stream, stream.tell()
    spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 - closed with the process
    shutil.copyfileobj(stream, spool)
    spool.seek(0)
    return spool, 0


def _history_lines(rows, items: dict[str, MenuItem]) -> Iterator[HistoryLine]:
    """The good rows as history lines, in file order: a line's ordinal is its place among its order's
    good rows, and an order is placed at its earliest row's time (history_write works both out, so
    nothing here grows with the file)."""
    for _line, parsed in rows:
        if isinstance(parsed, str):
            continue
        yield HistoryLine(
            order_id=parsed["order_id"],
            placed_at=parsed["at"],
            item=items[normalise_name(parsed["name"])],
            quantity=parsed["quantity"],
            unit_price=parsed["price"],
            name=parsed["name"],
        )


def _resolve_items(store: Store, first_seen: dict[str, dict], report: ImportReport) -> dict[str, MenuItem]:
    """Existing items by normalised name; unknown names become menu items in an "Imported" category,
    priced at their first line's price and dated from their first sale."""
    items: dict[str, MenuItem] = {}
    for item in MenuItem.objects.filter(store=store).select_related("tax_category").order_by("pk"):
        items.setdefault(normalise_name(item.name), item)
    new = [
        HistoryItem(name=data["name"], price=data["price"], first_sold_at=data["at"])
        for key, data in first_seen.items()
        if key not in items
    ]
    created = history_menu_items_create(store=store, items=new)
    for item in created:
        items[normalise_name(item.name)] = item
    report.items_created = len(created)
    return items
