"""Deterministic benchmark data: a store with a menu, recipes, suppliers with price changes, and a year
of orders with realistic weekday and hour patterns, written with PostgreSQL's COPY.

Everything follows from (slug, lines, seed): the same arguments give the same rows. The menu and
inventory (a few hundred rows) go through the ORM; the history (orders and lines, the bulk) is streamed
through COPY in batches, ids taken from each table's sequence.
"""

import datetime as dt
import io
import json
import random
import time
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import NOT_PROVIDED

CENT = Decimal("0.01")
TZ = "Europe/Berlin"
# Relative order volume per weekday (Mon..Sun) and per local clock hour (11:00–23:00 open).
WEEKDAY_WEIGHT = [0.70, 0.75, 0.85, 0.95, 1.30, 1.45, 1.10]
HOUR_WEIGHT = {
    11: 0.5,
    12: 1.6,
    13: 1.4,
    14: 0.6,
    15: 0.3,
    16: 0.35,
    17: 0.7,
    18: 1.5,
    19: 1.8,
    20: 1.4,
    21: 0.8,
    22: 0.35,
}
CATEGORIES = [
    ("Starters", 0.07),
    ("Salads", 0.07),
    ("Burgers", 0.07),
    ("Mains", 0.07),
    ("Pizza", 0.07),
    ("Desserts", 0.07),
    ("Soft drinks", 0.19),
    ("Beer and wine", 0.19),
]
STATIONS = ["Grill", "Cold", "Bar"]
ITEMS_PER_CATEGORY = 8
INGREDIENTS = 40
SUPPLIERS = 4
LINES_PER_ORDER = 2.5  # mean; 1–5 lines


def _rng(slug: str, seed: int) -> random.Random:
    return random.Random(f"{seed}:{slug}")


def copy_rows(model, columns: list[str], rows, *, batch: int = 50_000) -> int:
    """COPY rows (tuples in `columns` order) into the model's table; other columns take the field's
    default. Values: None → NULL; everything else str()'d (Decimal, date, aware datetime, bool)."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.column in columns or not (f.primary_key and f.get_internal_type().endswith("AutoField"))
    ]
    given = {c: i for i, c in enumerate(columns)}
    constants = {}
    for field in fields:
        if field.column in given:
            continue
        if field.default is not NOT_PROVIDED:
            value = field.get_default()
            constants[field.column] = json.dumps(value) if field.get_internal_type() == "JSONField" else value
        elif field.null:
            constants[field.column] = None
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constants[field.column] = dt.datetime.now(dt.UTC)
        elif field.get_internal_type() in ("CharField", "TextField"):
            constants[field.column] = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
    order = [f.column for f in fields]

    def fmt(value) -> str:
        if value is None:
            return r"\N"
        if value is True or value is False:
            return "t" if value else "f"
        text = str(value)
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    const_text = {c: fmt(v) for c, v in constants.items()}
    count = 0
    buffer = io.StringIO()
    sql = f"COPY {model._meta.db_table} ({', '.join(order)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for row in rows:
            buffer.write("\t".join(fmt(row[given[c]]) if c in given else const_text[c] for c in order))
            buffer.write("\n")
            count += 1
            if count % batch == 0:
                buffer.seek(0)
                raw.copy_expert(sql, buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        raw.copy_expert(sql, buffer)
    return count


def reserve_ids(model, n: int) -> int:
    """Takes n ids from the table's sequence; returns the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        seq = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s)", [seq, seq, n])
        return cursor.fetchone()[0] - n


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


@transaction.atomic
def build_store(*, slug: str, seed: int = 42, name: str | None = None):
    """The store, its menu (64 items in 8 categories), stations, 40 ingredients, 4 suppliers with a
    price change every month, recipes of 2–4 ingredients per item, opening hours, dayparts, closed
    days, and ample opening stock. Returns the store."""
    from inventory.models import Ingredient, RecipeLine, StockMovement, Supplier, SupplierItem, SupplierPrice
    from kitchen.models import KitchenItem, Station
    from orders.models import MenuCategory, MenuItem, Table
    from restaurant_ops.models import ClosedDate, Daypart, OpeningHours, Store, TaxCategory

    rng = _rng(slug, seed)
    store = Store.objects.create(
        name=name or slug,
        slug=slug,
        time_zone=TZ,
        currency="EUR",
        shortage_policy=Store.ShortagePolicy.ALLOW_NEGATIVE,
    )
    taxes = {
        rate: TaxCategory.objects.create(store=store, name=f"VAT {rate}", rate=rate)
        for rate in {Decimal(str(r)) for _n, r in CATEGORIES}
    }
    OpeningHours.objects.bulk_create(
        [OpeningHours(store=store, weekday=d, opens=dt.time(11), closes=dt.time(23)) for d in range(7)]
    )
    Daypart.objects.bulk_create(
        [
            Daypart(store=store, name="lunch", starts=dt.time(11), ends=dt.time(15)),
            Daypart(store=store, name="afternoon", starts=dt.time(15), ends=dt.time(17)),
            Daypart(store=store, name="dinner", starts=dt.time(17), ends=dt.time(22)),
            Daypart(store=store, name="late", starts=dt.time(22), ends=dt.time(4)),
        ]
    )
    Table.objects.bulk_create(
        [Table(store=store, name=f"T{n}", seats=rng.choice([2, 4, 6]), position=n) for n in range(1, 21)]
    )
    stations = [
        Station.objects.create(store=store, name=n, position=i, is_default=(i == 0))
        for i, n in enumerate(STATIONS)
    ]
    items = []
    for position, (category_name, rate) in enumerate(CATEGORIES):
        category = MenuCategory.objects.create(store=store, name=category_name, position=position)
        drinks = rate > Decimal("0.1")
        for n in range(ITEMS_PER_CATEGORY):
            price = money(rng.uniform(2.5, 7.5) if drinks else rng.uniform(5.5, 24.0))
            items.append(
                MenuItem(
                    store=store,
                    category=category,
                    name=f"{category_name} {n + 1}",
                    price=price,
                    tax_category=taxes[Decimal(str(rate))],
                    external_id=f"{slug}-item-{len(items)}",
                    position=n,
                )
            )
    MenuItem.objects.bulk_create(items)
    KitchenItem.objects.bulk_create(
        [
            KitchenItem(
                menu_item=item,
                station=stations[2]
                if item.tax_category.rate > Decimal("0.1")
                else stations[rng.randrange(2)],
            )
            for item in items
        ]
    )
    suppliers = Supplier.objects.bulk_create(
        [
            Supplier(
                store=store,
                name=f"Supplier {n + 1}",
                lead_time_days=rng.randint(1, 4),
                min_order_value=money(rng.choice([0, 50, 100])),
            )
            for n in range(SUPPLIERS)
        ]
    )
    ingredients = Ingredient.objects.bulk_create(
        [
            Ingredient(
                store=store,
                name=f"Ingredient {n + 1}",
                base_unit=rng.choice(["g", "g", "ml", "pcs"]),
                preferred_supplier=suppliers[n % SUPPLIERS],
                on_hand=Decimal("100000000"),
            )
            for n in range(INGREDIENTS)
        ]
    )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                store=store,
                ingredient=i,
                kind="receipt",
                quantity=Decimal("100000000"),
                unit_cost=Decimal("0.001"),
                business_date=dt.date(2000, 1, 1),
                at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                reason="bench opening stock",
            )
            for i in ingredients
        ]
    )
    supplier_items, prices = [], []
    for ingredient in ingredients:
        for supplier in rng.sample(suppliers, 2):
            supplier_items.append(
                SupplierItem(
                    supplier=supplier, ingredient=ingredient, pack_size=Decimal(rng.choice([500, 1000, 5000]))
                )
            )
    SupplierItem.objects.bulk_create(supplier_items)
    today = dt.date.today()
    for si in supplier_items:
        unit_price = Decimal(str(round(rng.uniform(0.002, 0.03), 6)))
        for month in range(13, -1, -1):  # a price list entry every month, drifting ±6 %
            day = (today.replace(day=1) - dt.timedelta(days=30 * month)).replace(day=1)
            unit_price = (unit_price * Decimal(str(round(rng.uniform(0.94, 1.06), 4)))).quantize(
                Decimal("0.000001")
            )
            prices.append(
                SupplierPrice(supplier_item=si, price=unit_price, unit_price=unit_price, effective_from=day)
            )
    SupplierPrice.objects.bulk_create(prices)
    recipe = []
    for item in items:
        for ingredient in rng.sample(ingredients, rng.randint(2, 4)):
            quantity = (
                Decimal(rng.choice([20, 50, 80, 120, 200])) if ingredient.base_unit != "pcs" else Decimal(1)
            )
            recipe.append(
                RecipeLine(
                    store=store,
                    menu_item=item,
                    ingredient=ingredient,
                    quantity=quantity,
                    unit=ingredient.base_unit,
                    base_quantity=quantity,
                )
            )
    RecipeLine.objects.bulk_create(recipe)
    for month, day in ((12, 25), (1, 1)):
        for year in (today.year - 1, today.year):
            date = dt.date(year, month, day)
            if today - dt.timedelta(days=366) <= date < today:
                ClosedDate.objects.create(store=store, date=date, reason="holiday")
    return store


def _day_slots(store, days: int, end: dt.date, rng: random.Random):
    """Yields (business day, weight) for `days` days before `end`, closed dates skipped."""
    from restaurant_ops.models import ClosedDate

    closed = set(ClosedDate.objects.filter(store=store).values_list("date", flat=True))
    for offset in range(days, 0, -1):
        day = end - dt.timedelta(days=offset)
        if day in closed:
            continue
        season = 1.0 + 0.15 * (1 if day.month in (6, 7, 8, 12) else 0)
        yield day, WEEKDAY_WEIGHT[day.weekday()] * season * rng.uniform(0.85, 1.15)


def simulate(store, *, lines: int, seed: int = 42, days: int = 365, end: dt.date | None = None):
    """Yields the orders of a year, deterministically: (business day, placed_at UTC, local time, channel,
    service type, cancelled, [(item, position, unit price, quantity)]). About `lines` lines in all."""
    from orders.models import MenuItem

    rng = _rng(store.slug + ":history", seed)
    end = end or dt.date.today()
    tz = zoneinfo.ZoneInfo(store.time_zone)
    items = list(MenuItem.objects.filter(store=store).select_related("tax_category").order_by("id"))
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(items))]
    rng.shuffle(popularity)
    slots = list(_day_slots(store, days, end, rng))
    total_weight = sum(w for _d, w in slots)
    orders_total = round(lines / LINES_PER_ORDER)
    hours, hour_weights = list(HOUR_WEIGHT), list(HOUR_WEIGHT.values())
    prices = {item.pk: item.price for item in items}
    # Price changes: every item goes up once during the year, on a day of its own.
    rises = {
        item.pk: (slots[rng.randrange(len(slots))][0], Decimal(str(rng.choice([1.05, 1.08, 1.10]))))
        for item in items
    }
    for day, weight in slots:
        for _ in range(max(1, round(orders_total * weight / total_weight))):
            hour = rng.choices(hours, hour_weights)[0]
            local = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
            cancelled = rng.random() < 0.01
            channel = rng.choice(["till", "till", "api", "qr"])
            service = rng.choice(["dine_in", "dine_in", "takeaway"])
            n_lines = min(5, max(1, round(rng.gauss(LINES_PER_ORDER, 1.1))))
            chosen = []
            for position, item in enumerate(rng.choices(items, popularity, k=n_lines)):
                rise_day, factor = rises[item.pk]
                unit = prices[item.pk] if day < rise_day else money(prices[item.pk] * factor)
                chosen.append((item, position, unit, 1 if rng.random() < 0.85 else rng.randint(2, 3)))
            yield day, local.astimezone(dt.UTC), local, channel, service, cancelled, chosen


def generate_history(
    store, *, lines: int, seed: int = 42, days: int = 365, end: dt.date | None = None
) -> dict:
    """About `lines` order lines over `days` business days before `end` (default today), COPY'd in
    batches of 100,000 lines."""
    from orders.models import Order, OrderLine

    orders_total = round(lines / LINES_PER_ORDER)
    order_first = reserve_ids(Order, orders_total + days + 1)
    line_first = reserve_ids(OrderLine, 5 * (orders_total + days + 1))
    order_rows, line_rows = [], []
    started = time.monotonic()
    order_id, line_id = order_first, line_first
    now = dt.datetime.now(dt.UTC)
    order_cols = [
        "id",
        "store_id",
        "channel",
        "service_type",
        "status",
        "currency",
        "prices_include_tax",
        "subtotal",
        "tax",
        "total",
        "placed_at",
        "business_date",
        "served_at",
        "cancelled_at",
        "cancel_reason",
        "updated_at",
    ]
    line_cols = [
        "id",
        "order_id",
        "menu_item_id",
        "position",
        "name",
        "quantity",
        "unit_price",
        "line_total",
        "tax_rate",
        "tax_amount",
        "net_amount",
    ]

    def flush():
        copy_rows(Order, order_cols, order_rows)
        copy_rows(OrderLine, line_cols, line_rows)
        order_rows.clear()
        line_rows.clear()

    written_lines = 0
    first_day = last_day = None
    for day, placed, _local, channel, service, cancelled, chosen in simulate(
        store, lines=lines, seed=seed, days=days, end=end
    ):
        first_day = first_day or day
        last_day = day
        subtotal = tax = Decimal("0")
        for item, position, unit, quantity in chosen:
            total = unit * quantity
            rate = item.tax_category.rate
            line_tax = money(total * rate)
            subtotal += total
            tax += line_tax
            line_rows.append(
                (
                    line_id,
                    order_id,
                    item.pk,
                    position,
                    item.name,
                    quantity,
                    unit,
                    total,
                    rate,
                    line_tax,
                    total,
                )
            )
            line_id += 1
        order_rows.append(
            (
                order_id,
                store.pk,
                channel,
                service,
                "cancelled" if cancelled else "served",
                store.currency,
                False,
                subtotal,
                tax,
                subtotal + tax,
                placed,
                day,
                None if cancelled else placed + dt.timedelta(minutes=25),
                placed + dt.timedelta(minutes=5) if cancelled else None,
                "guest left" if cancelled else "",
                now,
            )
        )
        order_id += 1
        if len(line_rows) >= 100_000:
            written_lines += len(line_rows)
            flush()
    written_lines += len(line_rows)
    flush()
    if order_id > order_first + orders_total + days + 1:
        raise RuntimeError("id reservation overrun")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
        cursor.execute("ANALYZE orders_orderline")
    seconds = time.monotonic() - started
    # COPY bypassed the services that keep the sales rollup: derive it from the lines, as a migration
    # does for data older than the rollup (timed apart: the import path writes it as it goes)
    from orders.services.rollup import sales_rollup_rebuild

    started = time.monotonic()
    sales_rollup_rebuild(store_id=store.pk, time_zone=store.time_zone)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_salesrollup")
    return {
        "orders": order_id - order_first,
        "lines": written_lines,
        "seconds": seconds,
        "rollup_seconds": round(time.monotonic() - started, 3),
        "first_day": first_day,
        "last_day": last_day,
    }


def write_sales_csv(
    path, store, *, lines: int, seed: int = 42, days: int = 365, shuffled: bool = False, buckets: int = 16
) -> int:
    """The same kind of year as a POS export for `import_sales`: one row per line (order_id,
    timestamp in store-local time, item name, quantity, unit_price); cancelled orders left out.

    Grouped (default): an order's lines together, orders by time. `shuffled`: the same rows in a
    seeded random order across the whole file, an order's lines anywhere in it (as an export sorted
    by item, or by anything but the order, gives them). Memory stays bounded: rows are dealt at random
    into `buckets` temporary files, then each bucket is shuffled in memory and appended."""
    import csv
    import tempfile

    header = ["order_id", "timestamp", "item", "quantity", "unit_price"]

    def rows():
        for n, (_day, _placed, local, _c, _s, cancelled, chosen) in enumerate(
            simulate(store, lines=lines, seed=seed, days=days)
        ):
            if cancelled:
                continue
            stamp = local.strftime("%Y-%m-%d %H:%M:%S")
            for item, _position, unit, quantity in chosen:
                yield [f"X{n:08d}", stamp, item.name, quantity, unit]

    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        if not shuffled:
            for row in rows():
                writer.writerow(row)
                count += 1
            return count
        rng = random.Random(f"{seed}:{store.slug}:shuffle")
        with tempfile.TemporaryDirectory() as tmp:
            parts = [open(f"{tmp}/{b}.csv", "w+", newline="", encoding="utf-8") for b in range(buckets)]  # noqa: SIM115
            try:
                writers = [csv.writer(part) for part in parts]
                for row in rows():
                    writers[rng.randrange(buckets)].writerow(row)
                    count += 1
                for part in parts:
                    part.seek(0)
                    bucket = part.readlines()
                    rng.shuffle(bucket)
                    handle.writelines(bucket)
                    del bucket
            finally:
                for part in parts:
                    part.close()
    return count


def ensure_store(*, slug: str, lines: int, seed: int = 42, days: int = 365, name: str | None = None) -> dict:
    """The store with its year of history, built once: a later run with the same arguments reuses it."""
    from orders.models import Order, OrderLine
    from restaurant_ops.models import Store

    marker = f"{name or slug} ({lines} lines, seed {seed}, {days} days)"
    existing = Store.objects.filter(slug=slug).first()
    if existing is not None:
        if existing.name != marker:
            raise RuntimeError(
                f"Store {slug} exists with other data ({existing.name}); drop the bench database."
            )
        count = OrderLine.objects.filter(order__store=existing).count()
        days_range = Order.objects.filter(store=existing).order_by("business_date")
        return {
            "store": existing,
            "lines": count,
            "orders": days_range.count(),
            "reused": True,
            "first_day": days_range.first().business_date,
            "last_day": days_range.last().business_date,
        }
    started = time.monotonic()
    store = build_store(slug=slug, seed=seed, name=marker)
    with transaction.atomic():
        info = generate_history(store, lines=lines, seed=seed, days=days)
    return {"store": store, **info, "reused": False, "seconds": time.monotonic() - started}


def ensure_chain(*, prefix: str, stores: int, lines_per_store: int, seed: int = 42) -> list[dict]:
    """A chain of `stores` stores (the multi-store case), each with its own year."""
    return [
        ensure_store(slug=f"{prefix}-{n + 1:02d}", lines=lines_per_store, seed=seed + n)
        for n in range(stores)
    ]
