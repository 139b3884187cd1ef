"""The sales rollup's writes (docs/sales-rollup.md): insert-only deltas per store × item × business day ×
local hour, folded by `sales_rollup_compact`, and on PostgreSQL the monthly partitions made ahead; and
beside it the modifier rollup (portions sold with each modifier chosen, per store × item × modifier ×
business day × local hour), kept by the same writers in the same statements.

Its invariant: for every cell, the sum of its rows equals what the order tables count there (counted
orders and lines: not cancelled, not voided; net amounts after discounts and comps) plus the refunds
given on that business day and hour; a modifier cell, the quantity of the counted lines of its item
with that modifier chosen. Every write that moves one of those figures inserts the change:
`order_place`, `order_line_void`, a cancellation, `check_recalculate` (discounts, comps, lines moved
between checks), `payment_refund` and the history writer (imported lines have no modifiers).
`sales_rollup_rebuild` derives a store's rows from the order tables again (bulk loads that bypass the
services, and the first migration)."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import ExtractHour

from restaurant_ops.models import Store
from restaurant_ops.timeutils import local

from ..models import ModifierRollup, Order, OrderLine, OrderLineModifier, Payment, RefundLine, SalesRollup

ZERO = Decimal("0")
SIX = Decimal("0.000001")
Key = tuple[int, int | None, dt.date, int]  # store, menu item (None: the order row), business day, hour
ROLLUPS = (SalesRollup, ModifierRollup)  # partitioned and compacted alike


class _Cells:
    """Deltas keyed by cell, summed before they are written: one row per cell per write, in one
    statement for both rollups."""

    def __init__(self) -> None:
        self.cells: dict[Key, list] = defaultdict(lambda: [0, ZERO, 0])
        self.chosen: dict[tuple[int, int, int, dt.date, int], int] = defaultdict(int)

    def add(self, key: Key, quantity: int = 0, net: Decimal = ZERO, orders: int = 0) -> None:
        cell = self.cells[key]
        cell[0] += quantity
        cell[1] += net
        cell[2] += orders

    def choose(self, key: Key, modifier_id: int, quantity: int) -> None:
        """`quantity` portions of the key's item sold (or, < 0, taken back) with the modifier chosen."""
        store_id, item_id, day, hour = key
        self.chosen[(store_id, item_id, modifier_id, day, hour)] += quantity

    def modifier_rows(self, compacted: bool = False) -> list[ModifierRollup]:
        return [
            ModifierRollup(
                store_id=store_id,
                menu_item_id=item_id,
                modifier_id=modifier_id,
                business_date=day,
                hour=hour,
                quantity=quantity,
                compacted=compacted,
            )
            for (store_id, item_id, modifier_id, day, hour), quantity in self.chosen.items()
            if quantity
        ]

    def rows(self, compacted: bool = False) -> list[SalesRollup]:
        return [
            SalesRollup(
                store_id=store_id,
                menu_item_id=item_id,
                business_date=day,
                hour=hour,
                quantity=quantity,
                net_sales=Decimal(net).quantize(SIX),
                orders=orders,
                compacted=compacted,
            )
            for (store_id, item_id, day, hour), (quantity, net, orders) in self.cells.items()
            if quantity or net or orders
        ]

    def write(self) -> int:
        rows, chosen = self.rows(), self.modifier_rows()
        if rows and chosen and connection.vendor == "postgresql":
            _insert_both(rows, chosen)
        else:
            if rows:
                SalesRollup.objects.bulk_create(rows)
            if chosen:
                ModifierRollup.objects.bulk_create(chosen)
        return len(rows) + len(chosen)


_SALES_COLUMNS = ("store_id", "menu_item_id", "business_date", "hour", "quantity", "net_sales", "orders")
_MODIFIER_COLUMNS = ("store_id", "menu_item_id", "modifier_id", "business_date", "hour", "quantity")


def _insert_both(rows: list[SalesRollup], chosen: list[ModifierRollup]) -> None:
    """Both rollups' deltas in one statement (PostgreSQL: the modifier rows' insert is a data-modifying
    WITH of the sales rows' insert), so an order with modifiers costs no more statements than one
    without. Deltas, so not compacted."""

    def insert(objects: list, columns: tuple[str, ...]) -> tuple[str, list]:
        row = "(" + "%s, " * len(columns) + "false)"
        sql = f"INSERT INTO {objects[0]._meta.db_table} ({', '.join(columns)}, compacted) VALUES "
        return sql + ", ".join([row] * len(objects)), [getattr(o, c) for o in objects for c in columns]

    chosen_sql, chosen_params = insert(chosen, _MODIFIER_COLUMNS)
    sales_sql, sales_params = insert(rows, _SALES_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH chosen AS ({chosen_sql}) {sales_sql}", chosen_params + sales_params)


def _order_key(store: Store, order: Order, item_id: int | None) -> Key:
    return (order.store_id, item_id, order.business_date, local(store, order.placed_at).hour)


def _chosen_modifiers(lines: list[OrderLine]) -> dict[int, list[int]]:
    """Line id → the ids of the modifiers chosen on it: from the lines' prefetched modifiers (the order
    service sets them on the lines it writes), else one query."""
    cached = [getattr(line, "_prefetched_objects_cache", {}).get("modifiers") for line in lines]
    if all(found is not None for found in cached):
        return {line.pk: [m.modifier_id for m in found] for line, found in zip(lines, cached, strict=True)}
    chosen: dict[int, list[int]] = defaultdict(list)
    found = OrderLineModifier.objects.filter(line__in=[line.pk for line in lines])
    for line_id, modifier_id in found.values_list("line_id", "modifier_id"):
        chosen[line_id].append(modifier_id)
    return chosen


def sales_rollup_order_placed(*, store: Store, order: Order, lines: Iterable[OrderLine]) -> int:
    """An order placed: its order, its lines (with their amounts after the check's discounts) and the
    modifiers chosen on them, in one bulk insert."""
    lines = list(lines)
    chosen = _chosen_modifiers(lines)
    cells = _Cells()
    cells.add(_order_key(store, order, None), orders=1)
    for line in lines:
        key = _order_key(store, order, line.menu_item_id)
        cells.add(key, line.quantity, line.net_amount)
        for modifier_id in chosen.get(line.pk, ()):
            cells.choose(key, modifier_id, line.quantity)
    return cells.write()


def sales_rollup_order_cancelled(*, store: Store, order: Order) -> int:
    """A cancelled order leaves the counts: its order and its lines still counted, with their modifiers
    (read in one query before the check is totalled again, which takes their discount shares away)."""
    cells = _Cells()
    cells.add(_order_key(store, order, None), orders=-1)
    seen = set()
    counted = order.lines.filter(voided_at__isnull=True)
    # one row per line and modifier chosen (a line without any: one row, modifier None)
    for line_id, item_id, quantity, net, modifier_id in counted.values_list(
        "pk", "menu_item_id", "quantity", "net_amount", "modifiers__modifier_id"
    ):
        key = _order_key(store, order, item_id)
        if line_id not in seen:
            seen.add(line_id)
            cells.add(key, -quantity, -net)
        if modifier_id is not None:
            cells.choose(key, modifier_id, -quantity)
    return cells.write()


def sales_rollup_line_voided(*, store: Store, line: OrderLine) -> int:
    """A voided line leaves the counts with the amount it was counted at, and its modifiers with it; the
    order stays counted."""
    cells = _Cells()
    key = _order_key(store, line.order, line.menu_item_id)
    cells.add(key, -line.quantity, -line.net_amount)
    for modifier_id in line.modifiers.values_list("modifier_id", flat=True):
        cells.choose(key, modifier_id, -line.quantity)
    return cells.write()


def sales_rollup_net_changed(*, store: Store, changes: Iterable[tuple[OrderLine, Decimal]]) -> int:
    """Counted lines whose net amount a check recalculation changed (a discount, a comp, a line moved
    to another check): (line with its order, net amount before)."""
    cells = _Cells()
    for line, before in changes:
        cells.add(_order_key(store, line.order, line.menu_item_id), net=line.net_amount - before)
    return cells.write()


def sales_rollup_refunded(
    *, store: Store, refund: Payment, lines: list[tuple[OrderLine, int]], check_total: Decimal
) -> int:
    """Net sales given back, on the refund's business day and hour (quantity 0: the food was sold). By
    line: the refunded share of each line's net amount; by amount (`lines` empty): spread over the
    check's counted lines pro rata, amount × line net / check total."""
    cells = _Cells()
    key = (store.pk, refund.business_date, local(store, refund.created_at).hour)
    if lines:
        for line, quantity in lines:
            if line.quantity > 0:
                cells.add(
                    (key[0], line.menu_item_id, *key[1:]), net=-line.net_amount * quantity / line.quantity
                )
    elif check_total > 0:
        for line in (
            OrderLine.objects.filter(guest_check_id=refund.guest_check_id, voided_at__isnull=True)
            .exclude(order__status=Order.Status.CANCELLED)
            .only("menu_item_id", "net_amount")
        ):
            cells.add(
                (key[0], line.menu_item_id, *key[1:]), net=refund.amount * line.net_amount / check_total
            )
    return cells.write()


# --- the history writer ------------------------------------------------------------------------------


def sales_rollup_history_rows(
    *, store: Store, orders: Iterable[tuple[dt.datetime, dt.date, list[dict]]], new: bool
) -> list[SalesRollup]:
    """The rows a chunk of imported history adds: per order (placed at, business day, line rows with
    menu_item_id, quantity, net_amount); `new` orders count as orders, lines added to orders written
    before do not. The caller writes them (COPY on PostgreSQL)."""
    cells = _Cells()
    for placed_at, day, lines in orders:
        hour = local(store, placed_at).hour
        if new:
            cells.add((store.pk, None, day, hour), orders=1)
        for line in lines:
            cells.add((store.pk, line["menu_item_id"], day, hour), line["quantity"], line["net_amount"])
    return cells.rows()


def sales_rollup_insert_select(cursor, *, store: Store, source: str, params: dict | None = None) -> int:
    """PostgreSQL, for a set-based import: the deltas of the lines that `source` names, written by one
    INSERT … SELECT. `source` is SQL for a relation with the columns order_id (an order already
    written), menu_item_id, quantity, net_amount and new_order (true when this write created the
    order: it then counts as an order). Business day and hour are the order's. Returns rows written."""
    rollup, orders = SalesRollup._meta.db_table, Order._meta.db_table
    hour = "extract(hour FROM o.placed_at AT TIME ZONE %(rollup_tz)s)::smallint"
    args = {**(params or {}), "rollup_store": store.pk, "rollup_tz": store.time_zone}
    cursor.execute(
        f"SELECT min(o.business_date), max(o.business_date) FROM ({source}) s JOIN {orders} o "
        "ON o.id = s.order_id",
        args,
    )
    first, last = cursor.fetchone()
    if first is None:
        return 0
    sales_rollup_partitions_ensure(first=first, last=last)
    cursor.execute(
        f"INSERT INTO {rollup} (store_id, menu_item_id, business_date, hour, quantity, net_sales, orders, "
        f"compacted) SELECT %(rollup_store)s, s.menu_item_id, o.business_date, {hour}, sum(s.quantity), "
        f"sum(s.net_amount), 0, false FROM ({source}) s JOIN {orders} o ON o.id = s.order_id "
        "GROUP BY s.menu_item_id, o.business_date, 4 "
        f"UNION ALL SELECT %(rollup_store)s, NULL, o.business_date, {hour}, 0, 0, count(*), false "
        f"FROM {orders} o WHERE o.id IN (SELECT order_id FROM ({source}) s WHERE s.new_order) "
        "GROUP BY o.business_date, 4",
        args,
    )
    return cursor.rowcount


# --- rebuilding from the order tables -----------------------------------------------------------------


@transaction.atomic
def sales_rollup_rebuild(*, store_id: int, time_zone: str) -> int:
    """The store's rows derived again from the order tables (compacted, one per cell): after a bulk load
    that bypassed the services (the benchmark's generator) and for data older than the rollup (the
    migration that made it: hence a store's id and zone, not a Store)."""
    tz = zoneinfo.ZoneInfo(time_zone)
    cells = _Cells()
    orders = Order.objects.filter(store_id=store_id).exclude(status=Order.Status.CANCELLED)
    for row in (
        orders.annotate(hour=ExtractHour("placed_at", tzinfo=tz))
        .values("business_date", "hour")
        .annotate(n=Count("id"))
        .order_by()
    ):
        cells.add((store_id, None, row["business_date"], row["hour"]), orders=row["n"])
    lines = OrderLine.objects.filter(order__in=orders, voided_at__isnull=True)
    for row in (
        lines.annotate(hour=ExtractHour("order__placed_at", tzinfo=tz), day=F("order__business_date"))
        .values("menu_item_id", "day", "hour")
        .annotate(quantity=Sum("quantity"), net=Sum("net_amount"))
        .order_by()
    ):
        cells.add((store_id, row["menu_item_id"], row["day"], row["hour"]), row["quantity"], row["net"])
    given = Payment.objects.filter(store_id=store_id, kind=Payment.Kind.REFUND)
    money = DecimalField(max_digits=30, decimal_places=12)
    for row in (
        RefundLine.objects.filter(refund__in=given, line__quantity__gt=0)
        .annotate(hour=ExtractHour("refund__created_at", tzinfo=tz))
        .values("line__menu_item_id", "refund__business_date", "hour")
        .annotate(
            net=Sum(
                ExpressionWrapper(
                    -F("line__net_amount") * F("quantity") / F("line__quantity"), output_field=money
                )
            )
        )
        .order_by()
    ):
        key = (store_id, row["line__menu_item_id"], row["refund__business_date"], row["hour"])
        cells.add(key, net=row["net"])
    for row in (
        lines.filter(
            guest_check__payments__in=given.filter(refund_lines__isnull=True), guest_check__total__gt=0
        )
        .annotate(hour=ExtractHour("guest_check__payments__created_at", tzinfo=tz))
        .values("menu_item_id", "guest_check__payments__business_date", "hour")
        .annotate(
            net=Sum(
                ExpressionWrapper(
                    F("guest_check__payments__amount") * F("net_amount") / F("guest_check__total"),
                    output_field=money,
                )
            )
        )
        .order_by()
    ):
        key = (store_id, row["menu_item_id"], row["guest_check__payments__business_date"], row["hour"])
        cells.add(key, net=row["net"])
    SalesRollup.objects.filter(store_id=store_id).delete()
    rows = cells.rows(compacted=True)
    days = [row.business_date for row in rows]
    if days:
        sales_rollup_partitions_ensure(first=min(days), last=max(days))
    SalesRollup.objects.bulk_create(rows, batch_size=5000)
    return len(rows) + modifier_rollup_rebuild(store_id=store_id, time_zone=time_zone)


@transaction.atomic
def modifier_rollup_rebuild(*, store_id: int, time_zone: str) -> int:
    """The store's modifier rollup derived again from the order tables (compacted, one row per cell): the
    counted lines' quantities per item, modifier chosen on them, business day and local hour. Part of
    `sales_rollup_rebuild`; alone, it fills the rollup for orders older than it (migration 0014)."""
    tz = zoneinfo.ZoneInfo(time_zone)
    cells = _Cells()
    for row in (
        OrderLineModifier.objects.filter(line__order__store_id=store_id, line__voided_at__isnull=True)
        .exclude(line__order__status=Order.Status.CANCELLED)
        .annotate(hour=ExtractHour("line__order__placed_at", tzinfo=tz), day=F("line__order__business_date"))
        .values("line__menu_item_id", "modifier_id", "day", "hour")
        .annotate(quantity=Sum("line__quantity"))
        .order_by()
    ):
        key = (store_id, row["line__menu_item_id"], row["day"], row["hour"])
        cells.choose(key, row["modifier_id"], row["quantity"])
    ModifierRollup.objects.filter(store_id=store_id).delete()
    rows = cells.modifier_rows(compacted=True)
    days = [row.business_date for row in rows]
    if days:
        sales_rollup_partitions_ensure(first=min(days), last=max(days))
    ModifierRollup.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- compaction ----------------------------------------------------------------------------------------


def sales_rollup_compact(*, days: int = 50) -> int:
    """Folds the deltas of up to `days` (store, business day)s with rows not yet compacted, in either
    rollup, into one row per cell (cells that sum to nothing go). Rows written meanwhile are left for the
    next run: only the rows read are deleted, by id, and if another run deleted one first this one rolls
    back. Returns the number of (store, day)s compacted."""
    pending = sorted(
        {
            found
            for model in ROLLUPS
            for found in model.objects.filter(compacted=False)
            .values_list("store_id", "business_date")
            .distinct()
            .order_by("business_date", "store_id")[:days]
        },
        key=lambda found: (found[1], found[0]),
    )[:days]
    for store_id, day in pending:
        try:
            _compact_day(store_id, day)
        except _FoldedMeanwhile:
            continue  # another compaction folded it first
    return len(pending)


class _FoldedMeanwhile(Exception):
    """Another compaction deleted some of the rows read: roll this one back."""


@transaction.atomic
def _compact_day(store_id: int, day: dt.date) -> None:
    cells = _Cells()
    rows = list(
        SalesRollup.objects.filter(store_id=store_id, business_date=day).values_list(
            "id", "menu_item_id", "hour", "quantity", "net_sales", "orders"
        )
    )
    for _id, item_id, hour, quantity, net, orders in rows:
        cells.add((store_id, item_id, day, hour), quantity, net, orders)
    chosen = list(
        ModifierRollup.objects.filter(store_id=store_id, business_date=day).values_list(
            "id", "menu_item_id", "modifier_id", "hour", "quantity"
        )
    )
    for _id, item_id, modifier_id, hour, quantity in chosen:
        cells.choose((store_id, item_id, day, hour), modifier_id, quantity)
    for model, read in ((SalesRollup, rows), (ModifierRollup, chosen)):
        ids = [row[0] for row in read]
        if ids and model.objects.filter(business_date=day, pk__in=ids).delete()[0] != len(ids):
            raise _FoldedMeanwhile
    SalesRollup.objects.bulk_create(cells.rows(compacted=True))
    ModifierRollup.objects.bulk_create(cells.modifier_rows(compacted=True))


# --- partitions (PostgreSQL) -----------------------------------------------------------------------------


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    month, out = first.replace(day=1), []
    while month <= last:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def sales_rollup_partitions_ensure(*, first: dt.date, last: dt.date) -> list[str]:
    """On PostgreSQL, the monthly partitions of both rollups covering first..last that are missing,
    created (their rows moved out of the default partition, which catches any month not made ahead).
    Each is created apart and then attached, which locks the parent table only against other schema
    changes, not writes. Returns the partitions made; nothing on other databases (plain tables)."""
    if connection.vendor != "postgresql":
        return []
    made = []
    with connection.cursor() as cursor:
        tables = []
        for model in ROLLUPS:  # an older migration (0013) calls this before the modifier rollup exists
            cursor.execute("SELECT to_regclass(%s)", [model._meta.db_table])
            if cursor.fetchone()[0] is not None:
                tables.append(model._meta.db_table)
        for table, month in ((table, month) for table in tables for month in _months(first, last)):
            following = (month + dt.timedelta(days=32)).replace(day=1)
            name = f"{table}_{month:%Y_%m}"
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is not None:
                continue
            with transaction.atomic():
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [table])
                cursor.execute("SELECT to_regclass(%s)", [name])
                if cursor.fetchone()[0] is not None:
                    continue
                bounds = [month.isoformat(), following.isoformat()]
                cursor.execute(
                    f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
                )
                cursor.execute(
                    f'ALTER TABLE "{name}" ADD CONSTRAINT "{name}_range" '
                    f"CHECK (business_date >= %s AND business_date < %s)",
                    bounds,
                )
                cursor.execute(
                    f'WITH moved AS (DELETE FROM "{table}_default" WHERE business_date >= %s '
                    f'AND business_date < %s RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
                    bounds,
                )
                cursor.execute(
                    f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)', bounds
                )
                cursor.execute(f'ALTER TABLE "{name}" DROP CONSTRAINT "{name}_range"')
            made.append(name)
    return made


def sales_rollup_partitions_ahead(*, today: dt.date, months: int = 3) -> list[str]:
    """Beat's daily call: this month's partition and the next `months`."""
    last = today.replace(day=1)
    for _n in range(months):
        last = (last + dt.timedelta(days=32)).replace(day=1)
    return sales_rollup_partitions_ensure(first=today.replace(day=1), last=last)
