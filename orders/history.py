"""Sales history written in bulk: an export from another POS, or a demo's past.

This is the one path that creates orders without the order service (ARCHITECTURE.md): history is
what already happened, so it moves no stock, makes no tickets, sends no events and raises no
insights. Each order is marked channel "import". A line's identity is (store, external order id,
ordinal within that order): writing the same history twice adds nothing, and two identical lines of
one order both stay.
"""

import csv
import datetime as dt
import io
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from .models import MenuCategory, MenuItem, Order, OrderLine, OrderStatusChange
from .services.pricing import split_tax

BATCH = 2000
CHUNK = 5000  # orders held in memory and written at a time


@dataclass(frozen=True)
class HistoryLine:
    order_id: str  # the other system's order id
    placed_at: dt.datetime  # aware
    item: MenuItem
    quantity: int
    unit_price: Decimal  # as that line was priced (one item may carry several prices over time)
    position: int | None = None  # ordinal within the order; by default the order the lines come in
    name: str = ""  # the name as sold; by default the item's


@dataclass
class HistorySummary:
    orders: int = 0
    lines: int = 0
    items: int = 0
    days: int = 0
    skipped_lines: int = 0

    def __str__(self) -> str:
        return (
            f"{self.orders} orders, {self.lines} lines, {self.items} items, {self.days} days loaded; "
            f"{self.skipped_lines} lines already present"
        )


@dataclass(frozen=True)
class HistoryItem:
    """An item the history sells but the menu lacks, as first seen: its name, price and first sale."""

    name: str
    price: Decimal
    first_sold_at: dt.datetime  # aware


@transaction.atomic
def history_menu_items_create(*, store: Store, items: Iterable[HistoryItem]) -> list[MenuItem]:
    """Menu items for names a sales history knows and the menu does not, in an "Imported" category,
    priced at their first sale and dated from it (so analyses count them from when they were sold)."""
    items = list(items)
    if not items:
        return []
    category, _created = MenuCategory.objects.get_or_create(store=store, name=str(_("Imported")))
    return MenuItem.objects.bulk_create(
        [
            MenuItem(
                store=store,
                category=category,
                name=item.name[:120],
                price=item.price,
                created_at=item.first_sold_at,
            )
            for item in items
        ]
    )


@transaction.atomic
def history_write(*, store: Store, lines: Iterable[HistoryLine]) -> HistorySummary:
    """Bulk-writes history lines (grouped by order id, in the order given) and returns what was added.

    Streams: `lines` is consumed once, and written CHUNK orders at a time, so memory stays bounded
    whatever the length of the history. Lines of one order are expected together (as POS exports and
    the demo give them); a line of an order written in an earlier chunk is added to that order."""
    summary, days, items = HistorySummary(), set(), set()
    # Lines seen per order id, for the default ordinal (only orders whose lines carry no position).
    seen: dict[str, int] = defaultdict(int)
    buffer: dict[str, list[tuple[int, HistoryLine]]] = {}
    for line in lines:
        order_id = line.order_id
        if order_id not in buffer and len(buffer) >= CHUNK:
            _write_batch(store, buffer, summary, days, items)
            buffer = {}
        if line.position is None:
            position = seen[order_id]
            seen[order_id] += 1
        else:
            position = line.position
        buffer.setdefault(order_id, []).append((position, line))
    if buffer:
        _write_batch(store, buffer, summary, days, items)
    summary.days, summary.items = len(days), len(items)
    if summary.lines:
        _refresh_statistics()
    return summary


def _refresh_statistics() -> None:
    """A bulk load can multiply a table's size before autovacuum notices; without fresh statistics the
    planner picks nested loops that turn a 0.2 s aggregate into minutes (seen with 48,000 lines)."""
    tables = [Order._meta.db_table, OrderLine._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor in ("postgresql", "sqlite"):
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _write_batch(
    store: Store,
    batch: dict[str, list[tuple[int, HistoryLine]]],
    summary: HistorySummary,
    days: set,
    items: set,
) -> None:
    """Writes one chunk of orders: new orders with their lines and totals, and lines missing from
    orders written before (by position)."""
    inclusive = store.prices_include_tax
    existing = {
        o.external_id: o
        for o in Order.objects.filter(
            store=store, channel=Order.Channel.IMPORT, external_id__in=list(batch)
        ).only("id", "external_id", "business_date")
    }
    present = defaultdict(set)
    if existing:
        for order_id, position in OrderLine.objects.filter(order__in=existing.values()).values_list(
            "order_id", "position"
        ):
            present[order_id].add(position)

    taxes: dict[tuple, tuple[Decimal, Decimal]] = {}  # (line total, rate) → (tax, net): prices repeat
    new_orders: list[dict] = []  # order fields, and its lines
    added: list[tuple[Order, list[dict]]] = []  # lines missing from orders written before
    for external_id, lines in batch.items():
        order = existing.get(external_id)
        rows = []
        subtotal = tax_total = Decimal(0)
        for position, line in lines:
            if order is not None and position in present[order.pk]:
                summary.skipped_lines += 1
                continue
            rate = line.item.tax_rate
            line_total = line.unit_price * line.quantity
            key = (line_total, rate)
            if key not in taxes:
                taxes[key] = split_tax(line_total, rate, inclusive=inclusive)
            tax_amount, net_amount = taxes[key]
            rows.append(
                {
                    "menu_item_id": line.item.pk,
                    "position": position,
                    "name": line.item.name,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "line_total": line_total,
                    "tax_rate": rate,
                    "tax_amount": tax_amount,
                    "net_amount": net_amount,
                }
            )
            subtotal += line_total
            tax_total += tax_amount
            items.add(line.item.pk)
        if order is not None:
            if rows:
                added.append((order, rows))
                days.add(order.business_date)
            continue
        placed_at = min(line.placed_at for _position, line in lines)
        day = business_date(store, placed_at)
        days.add(day)
        new_orders.append(
            {
                "external_id": external_id,
                "placed_at": placed_at,
                "business_date": day,
                "subtotal": subtotal,
                "tax": tax_total,
                "total": subtotal if inclusive else subtotal + tax_total,
                "lines": rows,
            }
        )

    if _can_copy():
        _copy_orders(store, new_orders)
    else:
        _create_orders(store, new_orders)
    if added:
        OrderLine.objects.bulk_create(
            [OrderLine(order=order, **row) for order, rows in added for row in rows], batch_size=BATCH
        )
        # Totals from all the order's lines: an order completed on re-import.
        touched = {order.pk: order for order, _rows in added}
        totals = (
            OrderLine.objects.filter(order_id__in=list(touched))
            .values("order_id")
            .annotate(subtotal=Sum("line_total"), tax=Sum("tax_amount"))
        )
        for row in totals:
            order = touched[row["order_id"]]
            order.subtotal, order.tax = row["subtotal"], row["tax"]
            order.total = order.subtotal if inclusive else order.subtotal + order.tax
        Order.objects.bulk_update(list(touched.values()), ["subtotal", "tax", "total"], batch_size=BATCH)

    summary.orders += len(new_orders)
    summary.lines += sum(len(o["lines"]) for o in new_orders) + sum(len(rows) for _order, rows in added)


def _can_copy() -> bool:
    """COPY through psycopg2's copy_expert; any other database or driver takes the ORM's bulk inserts."""
    if connection.vendor != "postgresql":
        return False
    # Here: Django's PostgreSQL module imports a psycopg driver, which another database need not have.
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return not is_psycopg3


def _order_values(store: Store, data: dict) -> dict:
    return {
        "store_id": store.pk,
        "channel": Order.Channel.IMPORT,
        "service_type": Order.ServiceType.DINE_IN,
        "status": Order.Status.SERVED,
        "external_id": data["external_id"],
        "currency": store.currency,
        "prices_include_tax": store.prices_include_tax,
        "placed_at": data["placed_at"],
        "business_date": data["business_date"],
        "served_at": data["placed_at"],
        "subtotal": data["subtotal"],
        "tax": data["tax"],
        "total": data["total"],
    }


def _create_orders(store: Store, new_orders: list[dict]) -> None:
    """Any database: the ORM's bulk inserts."""
    orders = Order.objects.bulk_create([Order(**_order_values(store, data)) for data in new_orders])
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, **row)
            for order, data in zip(orders, new_orders, strict=True)
            for row in data["lines"]
        ],
        batch_size=BATCH,
    )
    OrderStatusChange.objects.bulk_create(
        [
            OrderStatusChange(order=o, from_status="", to_status=Order.Status.SERVED, at=o.placed_at)
            for o in orders
        ],
        batch_size=BATCH,
    )


def _copy_orders(store: Store, new_orders: list[dict]) -> None:
    """PostgreSQL: COPY the orders (ids reserved from their sequence), their lines and status changes.
    Columns a row does not give take the field's default, as the ORM would write it."""
    if not new_orders:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Order._meta.db_table, len(new_orders)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    now = timezone.now()
    _copy(
        Order,
        (
            {"id": pk, **_order_values(store, data), "updated_at": now}
            for pk, data in zip(ids, new_orders, strict=True)
        ),
    )
    _copy(
        OrderLine,
        ({"order_id": pk, **row} for pk, data in zip(ids, new_orders, strict=True) for row in data["lines"]),
    )
    _copy(
        OrderStatusChange,
        (
            {"order_id": pk, "from_status": "", "to_status": Order.Status.SERVED, "at": data["placed_at"]}
            for pk, data in zip(ids, new_orders, strict=True)
        ),
    )


def _copy(model, rows: Iterable[dict]) -> None:
    """COPY rows (CSV, written by the csv module) into the model's table: every concrete column but an
    id the rows do not give; a column the rows do not give takes the field's default. Strings are
    quoted, so "" stays an empty string, and None (written as "") is NULL through FORCE_NULL on the
    nullable columns, which are none of them text."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    columns = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in first)]
    given = [f for f in columns if f.attname in first]
    fixed = [f for f in columns if f.attname not in first]
    tail = [f.get_default() for f in fixed]
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    keys = [f.attname for f in given]
    writer.writerows([[row[key] for key in keys] + tail for row in itertools.chain([first], rows)])
    buffer.seek(0)
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in given + fixed)
    nullable = ", ".join(quote(f.column) for f in given + fixed if f.null)
    options = f"FORMAT csv, FORCE_NULL ({nullable})" if nullable else "FORMAT csv"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN WITH ({options})", buffer
        )
