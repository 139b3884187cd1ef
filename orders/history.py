"""Sales history written in bulk: an export from another POS, or a demo's past.

This is the one path that creates orders without the order service (ARCHITECTURE.md): history is
what already happened, so it moves no stock, makes no tickets, sends no events and raises no
insights. Each order is marked channel "import". A line's identity is (store, external order id,
ordinal within that order): writing the same history twice adds nothing, and two identical lines of
one order both stay.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum

from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from .models import MenuItem, Order, OrderLine, OrderStatusChange
from .services import split_tax

BATCH = 2000


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


@transaction.atomic
def history_write(*, store: Store, lines: Iterable[HistoryLine]) -> HistorySummary:
    """Bulk-writes history lines (grouped by order id, in the order given) and returns what was added."""
    grouped: dict[str, list[HistoryLine]] = defaultdict(list)
    for line in lines:
        grouped[line.order_id].append(line)
    summary, days, items = HistorySummary(), set(), set()
    order_ids = list(grouped)
    for start in range(0, len(order_ids), BATCH):
        _write_batch(
            store, {oid: grouped[oid] for oid in order_ids[start : start + BATCH]}, summary, days, items
        )
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
    store: Store, batch: dict[str, list[HistoryLine]], summary: HistorySummary, days: set, items: set
) -> None:
    inclusive = store.prices_include_tax
    existing = {
        o.external_id: o
        for o in Order.objects.filter(
            store=store, channel=Order.Channel.IMPORT, external_id__in=list(batch)
        ).only("id", "external_id")
    }
    present = defaultdict(set)
    for order_id, position in OrderLine.objects.filter(order__in=existing.values()).values_list(
        "order_id", "position"
    ):
        present[order_id].add(position)

    new_orders = []
    for external_id, lines in batch.items():
        if external_id in existing:
            continue
        placed_at = min(line.placed_at for line in lines)
        new_orders.append(
            Order(
                store=store,
                channel=Order.Channel.IMPORT,
                service_type=Order.ServiceType.DINE_IN,
                status=Order.Status.SERVED,
                external_id=external_id,
                currency=store.currency,
                prices_include_tax=inclusive,
                placed_at=placed_at,
                business_date=business_date(store, placed_at),
                served_at=placed_at,
                subtotal=Decimal(0),
                tax=Decimal(0),
                total=Decimal(0),
            )
        )
    Order.objects.bulk_create(new_orders)
    orders = {**existing, **{o.external_id: o for o in new_orders}}

    order_lines, touched = [], {}
    for external_id, lines in batch.items():
        order = orders[external_id]
        for index, line in enumerate(lines):
            position = index if line.position is None else line.position
            if position in present[order.pk]:
                summary.skipped_lines += 1
                continue
            line_total = line.unit_price * line.quantity
            tax_amount, net_amount = split_tax(line_total, line.item.tax_rate, inclusive=inclusive)
            order_lines.append(
                OrderLine(
                    order=order,
                    menu_item=line.item,
                    position=position,
                    name=line.item.name,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    line_total=line_total,
                    tax_rate=line.item.tax_rate,
                    tax_amount=tax_amount,
                    net_amount=net_amount,
                )
            )
            touched[order.pk] = order
            days.add(order.business_date)
            items.add(line.item.pk)
    OrderLine.objects.bulk_create(order_lines, batch_size=BATCH)

    # Totals from the lines just written (and any written before, for an order completed on re-import).
    totals = (
        OrderLine.objects.filter(order_id__in=list(touched))
        .values("order_id")
        .annotate(subtotal=Sum("line_total"), tax=Sum("tax_amount"))
    )
    for row in totals:
        order = touched[row["order_id"]]
        order.subtotal, order.tax = row["subtotal"], row["tax"]
        subtotal, tax = order.subtotal, order.tax
        order.total = subtotal if inclusive else subtotal + tax
    Order.objects.bulk_update(list(touched.values()), ["subtotal", "tax", "total"], batch_size=BATCH)
    OrderStatusChange.objects.bulk_create(
        [
            OrderStatusChange(order=o, from_status="", to_status=Order.Status.SERVED, at=o.placed_at)
            for o in new_orders
        ],
        batch_size=BATCH,
    )

    summary.orders += len(new_orders)
    summary.lines += len(order_lines)
