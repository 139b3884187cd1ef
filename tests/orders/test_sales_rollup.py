"""The sales rollup (orders' insert-only deltas per store × item × business day × hour) through every
writer: the order service, a comp, a discount, a void, a cancellation, a refund by amount, the history
import; then compaction, and the monthly partitions on PostgreSQL.

The `shop` (Berlin, 10% tax on top, 10% service charge on dine-in; burger 12.00, soda 3.50), on
Monday D1 = 10 March 2025 and Tuesday D2 = 11 March, Berlin time:

  D1 09:30  history H1: 3 burgers at 11.00                      burger 3, 33.00
  D1 12:10  O1 table T1: 2 burgers + 1 soda, paid 33.00 by card  burger 2, 24.00; soda 1, 3.50
            (check: 27.50 + 2.75 tax + 2.75 service = 33.00)
  D1 12:40  O2 takeaway: 1 burger + 2 sodas, the sodas comped    burger 1, 12.00; soda 2, 0.00
  D1 19:05  O3 takeaway: 1 burger (voided) + 1 soda              soda 1, 3.50
  D1 20:00  O5 takeaway: 1 burger, cancelled                     nothing
  D2 11:15  history H2: 2 sodas at 3.50                          soda 2, 7.00
  D2 12:05  O4 table T2: 1 burger, 10% off the check             burger 1, 10.80
  D2 13:20  refund of 11.00 on O1's payment, by amount: pro rata over O1's lines, amount × line net /
            check total: burger −11 × 24.00 / 33.00 = −8.00, soda −11 × 3.50 / 33.00 = −1.166667

  D1: 4 orders (H1, O1, O2, O3); burger 6, 33 + 24 + 12 = 69.00; soda 4, 3.50 + 0 + 3.50 = 7.00;
      net sales 76.00
  D2: 2 orders (H2, O4); burger 1, 10.80 − 8.00 = 2.80; soda 2, 7.00 − 1.166667 = 5.833333;
      net sales 8.633333 → 8.63
"""

import datetime as dt
import zoneinfo
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from orders.history import HistoryLine, history_write
from orders.models import ModifierRollup, SalesRollup
from orders.services import (
    LineRequest,
    check_comp_line,
    check_discount,
    order_cancel,
    order_line_void,
    order_place,
    payment_refund,
    payment_take,
)
from orders.services.rollup import (
    sales_rollup_compact,
    sales_rollup_partitions_ahead,
    sales_rollup_rebuild,
)
from tests.factories import ModifierFactory, ModifierGroupFactory

pytestmark = pytest.mark.django_db
D = Decimal
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
D1, D2 = dt.date(2025, 3, 10), dt.date(2025, 3, 11)
NOW = dt.datetime(2025, 3, 11, 20, 0, tzinfo=BERLIN)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


def _clock(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def day_and_a_half(shop):
    store, burger, soda = shop.store, shop.burger, shop.soda
    assert store.time_zone == "Europe/Berlin"

    def place(moment, lines, **kwargs):
        with _clock(moment):
            return order_place(
                store=store,
                channel="till",
                placed_at=moment,
                lines=[LineRequest(item_id=item.pk, quantity=q) for item, q in lines],
                **kwargs,
            )

    history_write(
        store=store,
        lines=[
            HistoryLine("H1", at(D1, 9, 30), burger, 3, D("11.00")),
            HistoryLine("H2", at(D2, 11, 15), soda, 2, D("3.50")),
        ],
    )
    o1 = place(at(D1, 12, 10), [(burger, 2), (soda, 1)], table=shop.table)
    with _clock(at(D1, 13)):
        paid = payment_take(guest_check=o1.guest_check, method="card", amount=D("33.00"))
    o2 = place(at(D1, 12, 40), [(burger, 1), (soda, 2)], service_type="takeaway")
    with _clock(at(D1, 12, 45)):
        check_comp_line(line=o2.lines.get(name="Soda"), reason="Waited too long")
    o3 = place(at(D1, 19, 5), [(burger, 1), (soda, 1)], service_type="takeaway")
    with _clock(at(D1, 19, 10)):
        order_line_void(line=o3.lines.get(name="Burger"), reason="Out of buns")
    o5 = place(at(D1, 20), [(burger, 1)], service_type="takeaway")
    with _clock(at(D1, 20, 5)):
        order_cancel(order=o5, reason="Guest left")
    o4 = place(at(D2, 12, 5), [(burger, 1)], table=shop.table2)
    with _clock(at(D2, 12, 30)):
        check_discount(guest_check=o4.guest_check, reason="Regular", percent=D("10"))
    with _clock(at(D2, 13, 20)):
        payment_refund(payment=paid, amount=D("11.00"), reason="Cold fries")
    return shop


def cells(store) -> dict[tuple, tuple]:
    """(item name or None, day, hour) → (quantity, net sales, orders), summed over the rows."""
    names = {None: None}
    out = {}
    for row in (
        SalesRollup.objects.filter(store=store)
        .values("menu_item_id", "menu_item__name", "business_date", "hour")
        .annotate(quantity=Sum("quantity"), net=Sum("net_sales"), orders=Sum("orders"))
    ):
        names[row["menu_item_id"]] = row["menu_item__name"]
        if row["quantity"] or row["net"] or row["orders"]:
            key = (row["menu_item__name"], row["business_date"], row["hour"])
            out[key] = (row["quantity"], row["net"], row["orders"])
    return out


# Every cell, by hand from the table in the module's docstring.
EXPECTED = {
    (None, D1, 9): (0, D("0"), 1),  # H1
    ("Burger", D1, 9): (3, D("33.000000"), 0),
    (None, D1, 12): (0, D("0"), 2),  # O1, O2
    ("Burger", D1, 12): (3, D("36.000000"), 0),  # 24.00 + 12.00
    ("Soda", D1, 12): (3, D("3.500000"), 0),  # O1's 3.50, O2's two comped at 0.00
    (None, D1, 19): (0, D("0"), 1),  # O3 (its burger voided; O5 at 20:00 cancelled: no cell)
    ("Soda", D1, 19): (1, D("3.500000"), 0),
    (None, D2, 11): (0, D("0"), 1),  # H2
    ("Soda", D2, 11): (2, D("7.000000"), 0),
    (None, D2, 12): (0, D("0"), 1),  # O4
    ("Burger", D2, 12): (1, D("10.800000"), 0),  # 12.00 less 10%
    ("Burger", D2, 13): (0, D("-8.000000"), 0),  # the refund: −11 × 24.00 / 33.00
    ("Soda", D2, 13): (0, D("-1.166667"), 0),  # −11 × 3.50 / 33.00 = −1.1666…
}


def _endpoints(client, store) -> dict:
    period = {"store": store.slug, "start": D1.isoformat(), "end": D2.isoformat()}
    with _clock(NOW):
        return {
            "sales": client.get("/api/v1/analytics/sales/", {**period, "period": "day"}).json(),
            "best": client.get("/api/v1/analytics/best-sellers/", {**period, "by": "revenue"}).json(),
            "busy": client.get("/api/v1/analytics/busy-hours/", period).json(),
            "overview": client.get("/api/v1/analytics/overview/", period).json(),
        }


def test_every_writer_adds_its_delta_and_compaction_keeps_the_figures(day_and_a_half, client):
    shop = day_and_a_half
    store = shop.store
    client.force_login(shop.manager)
    assert cells(store) == EXPECTED
    assert SalesRollup.objects.filter(store=store, compacted=False).count() > len(EXPECTED)  # deltas
    before = _endpoints(client, store)

    # What the endpoints answer, by hand (the docstring's day totals).
    sales = {r["period"]: (r["orders"], r["quantity"], r["revenue"]) for r in before["sales"]}
    assert sales == {"2025-03-10": (4, 10, "76.00"), "2025-03-11": (2, 3, "8.63")}
    best = [(r["name"], r["quantity"], r["revenue"]) for r in before["best"]]
    # burger 69.00 + 2.80 = 71.80 (7 sold); soda 7.00 + 5.833333 = 12.83 (6 sold)
    assert best == [("Burger", 7, "71.80"), ("Soda", 6, "12.83")]
    busy = {(r["weekday"], r["hour"]): r["orders"] for r in before["busy"]}
    assert busy == {(0, 9): 1, (0, 12): 2, (0, 19): 1, (1, 11): 1, (1, 12): 1}
    trend = {r["day"]: (r["sales"], r["orders"]) for r in before["overview"]["trend"]}
    assert trend == {"2025-03-10": ("76.00", 4), "2025-03-11": ("8.63", 2)}

    assert sales_rollup_compact() == 2  # (store, D1) and (store, D2)
    assert cells(store) == EXPECTED
    # one row per cell, all compacted; the cancelled order's cell (+1 −1) is gone
    assert SalesRollup.objects.filter(store=store).count() == len(EXPECTED)
    assert not SalesRollup.objects.filter(store=store, compacted=False).exists()
    assert _endpoints(client, store) == before
    assert sales_rollup_compact() == 0  # nothing new to fold

    # The same cells derived from the order tables alone.
    incremental = cells(store)
    sales_rollup_rebuild(store_id=store.pk, time_zone=store.time_zone)
    assert cells(store) == incremental


def test_a_delta_written_after_compaction_is_folded_by_the_next_run(day_and_a_half):
    shop = day_and_a_half
    sales_rollup_compact()
    with _clock(at(D2, 18)):
        order_place(
            store=shop.store,
            channel="till",
            placed_at=at(D2, 18),
            service_type="takeaway",
            lines=[LineRequest(item_id=shop.soda.pk, quantity=2)],
        )
    assert cells(shop.store)[("Soda", D2, 18)] == (2, D("7.000000"), 0)
    assert sales_rollup_compact() == 1  # only D2 had a new delta
    assert SalesRollup.objects.filter(store=shop.store, business_date=D2, hour=18).count() == 2  # order, soda


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_partitions_by_month_and_the_default_partition_emptied(day_and_a_half):
    def count(table):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE store_id = %s', [day_and_a_half.store.pk])
            return cursor.fetchone()[0]

    # The history import made March 2025's partition and moved the month's rows out of the default
    # partition; the orders placed after it went straight there.
    assert (
        count("orders_salesrollup_2025_03") == SalesRollup.objects.filter(store=day_and_a_half.store).count()
    )
    assert count("orders_salesrollup_default") == 0
    made = sales_rollup_partitions_ahead(today=D2)
    assert made == [  # both rollups' months, the modifier rollup's beside the sales rollup's
        *(f"orders_salesrollup_2025_{m:02}" for m in (4, 5, 6)),
        *(f"orders_modifierrollup_2025_{m:02}" for m in (4, 5, 6)),
    ]
    assert sales_rollup_partitions_ahead(today=D2) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="set-based imports are PostgreSQL's")
def test_a_set_based_import_writes_its_deltas_in_one_statement(shop):
    """What a staged import calls once its orders and lines are written: H3 new (2 burgers at 11.00 and
    a soda, Berlin 21:40 on D1: hour 21), and a line of 1 soda added to H1, which existed (09:30)."""
    from orders.models import Order
    from orders.services.rollup import sales_rollup_insert_select

    history_write(store=shop.store, lines=[HistoryLine("H1", at(D1, 9, 30), shop.burger, 1, D("11.00"))])
    history_write(store=shop.store, lines=[HistoryLine("H3", at(D1, 21, 40), shop.soda, 1, D("3.00"))])
    h1, h3 = (Order.objects.get(external_id=x) for x in ("H1", "H3"))
    SalesRollup.objects.filter(store=shop.store).delete()  # only what the statement writes below
    source = (
        "SELECT * FROM (VALUES (%(h3)s, %(burger)s, 2, 22.00, true), (%(h3)s, %(soda)s, 1, 3.00, true), "
        "(%(h1)s, %(soda)s, 1, 3.50, false)) AS v (order_id, menu_item_id, quantity, net_amount, new_order)"
    )
    params = {"h1": h1.pk, "h3": h3.pk, "burger": shop.burger.pk, "soda": shop.soda.pk}
    with connection.cursor() as cursor:
        assert sales_rollup_insert_select(cursor, store=shop.store, source=source, params=params) == 4
    assert cells(shop.store) == {
        (None, D1, 21): (0, D("0"), 1),  # H3 is new; H1 is not counted again
        ("Burger", D1, 21): (2, D("22.000000"), 0),
        ("Soda", D1, 21): (1, D("3.000000"), 0),
        ("Soda", D1, 9): (1, D("3.500000"), 0),
    }


def test_a_reimport_counts_only_the_lines_it_adds(shop):
    """H1 imported with a burger (11.00), then again with that burger and a soda (3.00) after it: the
    second import adds the soda alone, and H1 stays one order (Berlin 09:30 on D1: hour 9)."""
    burger = HistoryLine("H1", at(D1, 9, 30), shop.burger, 1, D("11.00"), position=0)
    history_write(store=shop.store, lines=[burger])
    history_write(
        store=shop.store,
        lines=[burger, HistoryLine("H1", at(D1, 9, 30), shop.soda, 1, D("3.00"), position=1)],
    )
    assert cells(shop.store) == {
        (None, D1, 9): (0, D("0"), 1),
        ("Burger", D1, 9): (1, D("11.000000"), 0),
        ("Soda", D1, 9): (1, D("3.000000"), 0),
    }


# --- the modifier rollup ---------------------------------------------------------------------------------


def modifier_cells(store) -> dict[tuple, int]:
    """(item name, modifier name, day, hour) → portions, summed over the rows (cells at 0 left out)."""
    out = {}
    for row in (
        ModifierRollup.objects.filter(store=store)
        .values("menu_item__name", "modifier__name", "business_date", "hour")
        .annotate(quantity=Sum("quantity"))
    ):
        if row["quantity"]:
            out[(row["menu_item__name"], row["modifier__name"], row["business_date"], row["hour"])] = row[
                "quantity"
            ]
    return out


def test_modifiers_chosen_are_counted_by_every_writer(shop):
    """Burgers with cheese and bacon (Berlin):

    D1 12:10 M1: 2 burgers with cheese and bacon, 1 burger with cheese, 1 soda
    D1 12:40 M2: 3 burgers with bacon, the line voided at 12:50
    D1 19:05 M3: 1 burger with cheese, the order cancelled at 19:10
    D2 12:05 M4: 4 burgers with cheese

    cheese D1 12h: 2 + 1 = 3    bacon D1 12h: 2 + 3 − 3 = 2    cheese D1 19h: 1 − 1 = 0 (no cell)
    cheese D2 12h: 4
    """
    store, burger, soda = shop.store, shop.burger, shop.soda
    group = ModifierGroupFactory(store=store, name="Extras")
    cheese = ModifierFactory(group=group, name="Cheese", price_delta=D("1.50"))
    bacon = ModifierFactory(group=group, name="Bacon", price_delta=D("2.00"))
    burger.modifier_groups.add(group)

    def place(moment, lines):
        with _clock(moment):
            return order_place(
                store=store,
                channel="till",
                placed_at=moment,
                service_type="takeaway",
                lines=[
                    LineRequest(item_id=i.pk, quantity=q, modifier_ids=[m.pk for m in ms])
                    for i, q, ms in lines
                ],
            )

    with CaptureQueriesContext(connection) as placing:
        place(at(D1, 12, 10), [(burger, 2, [cheese, bacon]), (burger, 1, [cheese]), (soda, 1, [])])
    writes = [q["sql"] for q in placing.captured_queries if "rollup" in q["sql"]]
    if connection.vendor == "postgresql":  # both rollups' deltas in the order's one insert
        assert len(writes) == 1 and "orders_modifierrollup" in writes[0] and "orders_salesrollup" in writes[0]
    m2 = place(at(D1, 12, 40), [(burger, 3, [bacon])])
    with _clock(at(D1, 12, 50)):
        order_line_void(line=m2.lines.get(), reason="Dropped")
    m3 = place(at(D1, 19, 5), [(burger, 1, [cheese])])
    with _clock(at(D1, 19, 10)):
        order_cancel(order=m3, reason="Guest left")
    place(at(D2, 12, 5), [(burger, 4, [cheese])])

    expected = {
        ("Burger", "Cheese", D1, 12): 3,
        ("Burger", "Bacon", D1, 12): 2,
        ("Burger", "Cheese", D2, 12): 4,
    }
    assert modifier_cells(store) == expected
    # the burgers' own cell: 2 + 1 + 3 − 3 = 3 portions on D1 at 12h (modifier rows are apart)
    assert cells(store)[("Burger", D1, 12)][0] == 3

    assert sales_rollup_compact() == 2  # (store, D1) and (store, D2), both rollups
    assert modifier_cells(store) == expected
    assert ModifierRollup.objects.filter(store=store).count() == 3  # one row per cell, M3's 0 gone
    assert not ModifierRollup.objects.filter(store=store, compacted=False).exists()

    sales_rollup_rebuild(store_id=store.pk, time_zone=store.time_zone)
    assert modifier_cells(store) == expected
