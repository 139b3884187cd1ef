"""Sales history written in bulk: an export from another POS, or a demo's past.

This is the one path that creates orders without the order service (ARCHITECTURE.md): history is
what already happened, so it moves no stock, makes no tickets, sends no events and raises no
insights. Each order is marked channel "import". A line's identity is (store, external order id,
ordinal within that order): writing the same history twice adds nothing, and two identical lines of
one order both stay.
"""

import csv
import datetime as dt
import functools
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from .models import MenuCategory, MenuItem, Order, OrderLine, OrderStatusChange, SalesRollup
from .services.pricing import split_tax
from .services.rollup import sales_rollup_history_rows, sales_rollup_insert_select

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
    """Bulk-writes history lines and returns what was added. `lines` is consumed once.

    On PostgreSQL the lines are streamed through COPY into a temporary staging table and then written
    with a few set-based statements: each new order is inserted once with its totals summed from all
    its lines, wherever they were in the input (a POS export sorted by time or by item scatters an
    order's lines across the file). Memory stays bounded by one COPY batch, whatever the length of the
    history. Elsewhere (the SQLite demo) lines are written CHUNK orders at a time; lines of one order
    are expected together there, and a line of an order written in an earlier chunk is added to it.

    An order is placed at the earliest of its lines' times. A line without a position takes its
    ordinal among its order's lines (without a position) in input order."""
    if _can_copy():
        summary = _write_staged(store, lines)
    else:
        summary = _write_chunked(store, lines)
    if summary.lines:
        _refresh_statistics()
    return summary


def _write_chunked(store: Store, lines: Iterable[HistoryLine]) -> HistorySummary:
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
    return summary


STAGE = "orders_history_stage"
STAGE_BATCH = 50_000  # lines per COPY into the staging table
STAGE_COLUMNS = (
    "seq",
    "external_id",
    "position",
    "placed_at",
    "business_date",
    "menu_item_id",
    "name",
    "quantity",
    "unit_price",
    "line_total",
    "tax_rate",
    "tax_amount",
    "net_amount",
)
LINE_COLUMNS = STAGE_COLUMNS[5:]
# A line's default ordinal: its place among its order's lines that carry no position, in input order.
ORDINAL = "row_number() OVER (PARTITION BY external_id, position IS NULL ORDER BY seq) - 1"


def _write_staged(store: Store, lines: Iterable[HistoryLine]) -> HistorySummary:
    """PostgreSQL: COPY every line into a temporary table, then: if some of its orders were imported
    before, drop the lines they already have; insert the new orders with their totals (and their status
    change) in one statement, the lines joined to their orders in another, and re-total only the earlier
    orders that gained lines (one UPDATE)."""
    summary = HistorySummary()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (seq bigint, external_id varchar(80), position integer, "
            "placed_at timestamptz, business_date date, menu_item_id bigint, name varchar(120), "
            "quantity integer, unit_price numeric, line_total numeric, tax_rate numeric, "
            "tax_amount numeric, net_amount numeric, order_id bigint, existed boolean NOT NULL DEFAULT false)"
        )
        staged = _stage_lines(cursor, store, lines)
        if not staged:
            cursor.execute(f"DROP TABLE {STAGE}")
            return summary
        order_table, line_table = Order._meta.db_table, OrderLine._meta.db_table
        same_order = "o.store_id = %(store)s AND o.channel = %(channel)s AND o.external_id = s.external_id"
        params = {"store": store.pk, "channel": Order.Channel.IMPORT}
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {STAGE} s JOIN {order_table} o ON {same_order})", params
        )
        if cursor.fetchone()[0]:  # a re-import, or the rest of an order imported before
            cursor.execute(
                f"UPDATE {STAGE} s SET position = r.n FROM (SELECT seq, {ORDINAL} AS n FROM {STAGE}) r "
                "WHERE s.seq = r.seq AND s.position IS NULL"
            )
            cursor.execute(
                f"UPDATE {STAGE} s SET order_id = o.id, existed = true FROM {order_table} o "
                f"WHERE {same_order}",
                params,
            )
            cursor.execute(
                f"DELETE FROM {STAGE} s USING {line_table} l "
                "WHERE s.existed AND l.order_id = s.order_id AND l.position = s.position"
            )
            summary.skipped_lines = cursor.rowcount
            existed = True
        else:
            existed = False
        # New orders with their totals from all their lines, and their status change, in one statement.
        columns, values, defaults = _insert_parts(
            Order,
            {
                "store_id": "%(store)s",
                "channel": "%(channel)s",
                "service_type": "%(dine_in)s",
                "status": "%(served)s",
                "external_id": "external_id",
                "currency": "%(currency)s",
                "prices_include_tax": "%(inclusive)s",
                "placed_at": "min(placed_at)",
                "business_date": "(array_agg(business_date ORDER BY placed_at, seq))[1]",
                "served_at": "min(placed_at)",
                "subtotal": "sum(line_total)",
                "tax": "sum(tax_amount)",
                "total": "sum(line_total)" + ("" if store.prices_include_tax else " + sum(tax_amount)"),
                "updated_at": "now()",
            },
        )
        change_columns, change_values, change_defaults = _insert_parts(
            OrderStatusChange,
            {"order_id": "id", "from_status": "''", "to_status": "%(served)s", "at": "placed_at"},
        )
        cursor.execute(
            f"WITH new AS (INSERT INTO {order_table} ({columns}) SELECT {values} FROM {STAGE} "
            "WHERE NOT existed GROUP BY external_id ORDER BY min(placed_at), external_id "
            f"RETURNING id, placed_at) INSERT INTO {OrderStatusChange._meta.db_table} ({change_columns}) "
            f"SELECT {change_values} FROM new ORDER BY id",
            {
                **params,
                **defaults,
                **change_defaults,
                "dine_in": Order.ServiceType.DINE_IN,
                "served": Order.Status.SERVED,
                "currency": store.currency,
                "inclusive": store.prices_include_tax,
            },
        )
        summary.orders = cursor.rowcount
        # The lines, each joined to its order (new or earlier); a line without a position takes its
        # ordinal in input order.
        ordinal = ORDINAL.replace("external_id", "s.external_id").replace("position", "s.position")
        columns, values, defaults = _insert_parts(
            OrderLine,
            {
                "order_id": "o.id",
                **{c: f"s.{c}" for c in LINE_COLUMNS},
                "position": f"coalesce(s.position, {ordinal})",
            },
        )
        cursor.execute(
            f"INSERT INTO {line_table} ({columns}) SELECT {values} "
            f"FROM {STAGE} s JOIN {order_table} o ON {same_order} ORDER BY o.id, s.seq",
            {**params, **defaults},
        )
        summary.lines = cursor.rowcount
        if existed:  # orders imported before gained lines: re-total them from all their lines, once
            _retotal_existing(cursor, store)
        # The sales rollup's deltas of what was written: the lines, and the new orders counted once.
        sales_rollup_insert_select(
            cursor,
            store=store,
            source=f"SELECT o.id AS order_id, s.menu_item_id, s.quantity, s.net_amount, NOT s.existed AS "
            f"new_order FROM {STAGE} s JOIN {order_table} o ON {same_order}",
            params=params,
        )
        cursor.execute(
            f"SELECT count(DISTINCT s.menu_item_id), count(DISTINCT o.business_date) FROM {STAGE} s "
            f"JOIN {order_table} o ON {same_order}",
            params,
        )
        summary.items, summary.days = cursor.fetchone()
        cursor.execute(f"DROP TABLE {STAGE}")
    return summary


def _retotal_existing(cursor, store: Store) -> None:
    """Totals of the orders imported before that gained lines in this write, from all their lines."""
    order_table, line_table = Order._meta.db_table, OrderLine._meta.db_table
    total = "t.subtotal" if store.prices_include_tax else "t.subtotal + t.tax"
    cursor.execute(
        f"UPDATE {order_table} o SET subtotal = t.subtotal, tax = t.tax, total = {total}, "
        "updated_at = now() FROM (SELECT l.order_id, sum(l.line_total) AS subtotal, "
        f"sum(l.tax_amount) AS tax FROM {line_table} l WHERE l.order_id IN "
        f"(SELECT order_id FROM {STAGE} WHERE existed) GROUP BY l.order_id) t WHERE o.id = t.order_id"
    )


@functools.lru_cache(maxsize=4096)
def _tax_split(line_total: Decimal, rate: Decimal, inclusive: bool) -> tuple[Decimal, Decimal]:
    """(tax, net) of a line total, remembered: an export repeats its prices over and over."""
    return split_tax(line_total, rate, inclusive=inclusive)


def _stage_lines(cursor, store: Store, lines: Iterable[HistoryLine]) -> int:
    """COPYs the lines into the staging table, STAGE_BATCH at a time; returns how many."""
    inclusive = store.prices_include_tax
    days: dict[dt.datetime, dt.date] = {}  # placed_at → business day, within a batch
    sql = f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    count = 0
    for count, line in enumerate(lines, start=1):  # noqa: B007 - the count is the result
        rate = line.item.tax_rate
        line_total = line.unit_price * line.quantity
        tax_amount, net_amount = _tax_split(line_total, rate, inclusive)
        day = days.get(line.placed_at)
        if day is None:
            day = days[line.placed_at] = business_date(store, line.placed_at)
        writer.writerow(
            (
                count,
                line.order_id,
                line.position,  # None is written as an empty field: NULL
                line.placed_at.isoformat(),
                day,
                line.item.pk,
                line.name or line.item.name,
                line.quantity,
                line.unit_price,
                line_total,
                rate,
                tax_amount,
                net_amount,
            )
        )
        if count % STAGE_BATCH == 0:
            buffer.seek(0)
            cursor.cursor.copy_expert(sql, buffer)
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            days.clear()
    buffer.seek(0)
    cursor.cursor.copy_expert(sql, buffer)
    return count


def _insert_parts(model, given: dict[str, str]) -> tuple[str, str, dict]:
    """For an INSERT INTO the model's table SELECT: the column list, the select list (the given SQL
    expressions by column, then for every other column but the id a parameter holding the field's default
    as the ORM would write it) and those parameters."""
    fixed = [f for f in model._meta.concrete_fields if not f.primary_key and f.column not in given]
    prefix = model._meta.db_table
    defaults = {f"{prefix}_{f.column}": f.get_db_prep_save(f.get_default(), connection) for f in fixed}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [*given, *(f.column for f in fixed)])
    values = ", ".join([*given.values(), *(f"%({prefix}_{f.column})s" for f in fixed)])
    return columns, values, defaults


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
        ).only("id", "external_id", "business_date", "placed_at")
    }
    present = defaultdict(set)
    if existing:
        for order_id, position in OrderLine.objects.filter(order__in=existing.values()).values_list(
            "order_id", "position"
        ):
            present[order_id].add(position)

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
            tax_amount, net_amount = _tax_split(line_total, rate, inclusive)
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

    _write_rollup(store, new_orders, added)

    summary.orders += len(new_orders)
    summary.lines += sum(len(o["lines"]) for o in new_orders) + sum(len(rows) for _order, rows in added)


def _write_rollup(store: Store, new_orders: list[dict], added: list[tuple[Order, list[dict]]]) -> None:
    """The chunk's deltas in the sales rollup (the staged path writes its own in one statement)."""
    rows = sales_rollup_history_rows(
        store=store, orders=((o["placed_at"], o["business_date"], o["lines"]) for o in new_orders), new=True
    ) + sales_rollup_history_rows(
        store=store, orders=((o.placed_at, o.business_date, rows) for o, rows in added), new=False
    )
    SalesRollup.objects.bulk_create(rows, batch_size=BATCH)


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
