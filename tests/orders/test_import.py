"""Sales-history import: the committed CSV's best sellers and busy hours through the API equal, to the
unit and the cent, what an independent script (tests/orders/data/sales_history.py) computes."""

import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from orders.importing import normalise_name, sales_import
from orders.models import MenuItem, Order, OrderLine
from tests.factories import MenuItemFactory, StoreFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).with_name("data")


@pytest.fixture(scope="module")
def expected():
    out = subprocess.run(
        [sys.executable, str(DATA / "sales_history.py"), "expected"],
        capture_output=True,
        check=True,
        text=True,
    )
    return json.loads(out.stdout)


def import_file(store, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_sales",
        str(DATA / "sales_history.csv"),
        "--store",
        store.slug,
        "--encoding",
        "cp1252",
        "--delimiter",
        ";",
        "--date-format",
        "%d/%m/%Y %H:%M",
        "--map",
        "order_id=Receipt",
        "--map",
        "date=Date",
        "--map",
        "time=Time",
        "--map",
        "item=Article",
        "--map",
        "quantity=Qty",
        "--map",
        "unit_price=Price",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_imported_history_matches_the_independent_script(store, key_client, expected):
    existing = MenuItemFactory(store=store, name="Chicken wings", price=Decimal("7.50"))
    summary, errors = import_file(store)
    assert errors == ""
    assert summary.startswith(f"{expected['orders']} orders, 2376 lines, 6 new items, 54 days")
    assert not Order.objects.exclude(channel="import").exists()
    assert OrderLine.objects.filter(menu_item=existing).exists()  # matched ignoring case and spacing
    params = {"start": expected["first_day"], "end": expected["last_day"]}
    best = key_client.get("/api/v1/analytics/best-sellers/", {**params, "limit": 50}).json()
    assert [
        {"item": normalise_name(r["name"]), "quantity": r["quantity"], "revenue": r["revenue"]} for r in best
    ] == (expected["best_sellers"])
    cells = key_client.get("/api/v1/analytics/busy-hours/", params).json()
    assert [{k: c[k] for k in ("weekday", "hour", "orders", "trading_days", "average")} for c in cells] == (
        expected["busy_hours"]
    )


def test_importing_again_adds_nothing(store, expected):
    import_file(store)
    counts = (Order.objects.count(), OrderLine.objects.count(), MenuItem.objects.count())
    summary, _errors = import_file(store)
    assert summary.startswith("0 orders, 0 lines, 0 new items, 0 days")
    assert (Order.objects.count(), OrderLine.objects.count(), MenuItem.objects.count()) == counts


BAD = """order_id,timestamp,item,quantity,unit_price
A1,2026-03-02 12:00,Soup,2,4.50
A1,2026-03-02 12:00,Soup,2,4.50
A2,2026-03-02 13:00,Soup,two,4.50
A3,yesterday,Soup,1,4.50
A4,2026-03-02 14:00,,1,4.50
A5,2026-03-02 15:00,Tea,1,2.999
A6,2026-03-02 16:00,Tea,1,3.00
"""


def test_bad_rows_are_reported_with_line_numbers_and_good_rows_kept():
    store = StoreFactory()
    report = sales_import(store=store, stream=io.StringIO(BAD))
    assert [line for line, _reason in report.errors] == [4, 5, 6, 7]
    assert "two" in report.errors[0][1]
    assert (report.orders, report.lines, report.items_created, report.days) == (2, 3, 2, 1)
    assert list(OrderLine.objects.filter(order__external_id="A1").values_list("position", "quantity")) == [
        (0, 2),
        (1, 2),
    ]  # two identical lines in one order both stay


def test_strict_rejects_the_whole_file_and_writes_nothing():
    store = StoreFactory()
    path = DATA.parent / "bad.csv"
    try:
        path.write_text(BAD)
        with pytest.raises(CommandError, match="4 bad row"):
            call_command("import_sales", str(path), "--store", store.slug, "--strict", stdout=io.StringIO())
    finally:
        path.unlink()
    assert (Order.objects.count(), OrderLine.objects.count(), MenuItem.objects.count()) == (0, 0, 0)


def test_unknown_columns_and_fields_are_refused():
    store = StoreFactory()
    with pytest.raises(Exception, match="Missing columns"):
        sales_import(store=store, stream=io.StringIO("a,b\n1,2\n"))
    with pytest.raises(Exception, match="Unknown field"):
        sales_import(store=store, stream=io.StringIO(BAD), mapping={"colour": "x"})
    assert Order.objects.count() == 0


# One export, twice: its lines grouped by order, and scattered across the file (as an export sorted by
# item or time gives them). Burger 12.50 at 7 % VAT, Cola 3.20 at 19 %; prices exclude tax.
GROUPED = """order_id,timestamp,item,quantity,unit_price
B1,2026-03-02 12:05:00,Burger,2,12.50
B1,2026-03-02 12:05:00,Cola,1,3.20
B1,2026-03-02 12:05:00,Burger,1,12.50
B2,2026-03-04 01:30:00,Cola,3,3.20
B3,2026-03-03 20:00:00,Burger,1,11.90
B3,2026-03-03 20:00:00,Cola,2,3.20
"""
SHUFFLED = """order_id,timestamp,item,quantity,unit_price
B3,2026-03-03 20:00:00,Cola,2,3.20
B1,2026-03-02 12:05:00,Burger,1,12.50
B2,2026-03-04 01:30:00,Cola,3,3.20
B1,2026-03-02 12:05:00,Burger,2,12.50
B3,2026-03-03 20:00:00,Burger,1,11.90
B1,2026-03-02 12:05:00,Cola,1,3.20
"""
# Tax per line = line total × rate, rounded to the cent:
# B1: 25.00 × 0.07 = 1.75; 3.20 × 0.19 = 0.608 → 0.61; 12.50 × 0.07 = 0.875 → 0.88
#     subtotal 25.00 + 3.20 + 12.50 = 40.70, tax 1.75 + 0.61 + 0.88 = 3.24, total 43.94
# B2: 9.60 × 0.19 = 1.824 → 1.82; subtotal 9.60, total 11.42; placed 01:30 on the 4th, before the
#     04:00 cutoff: business day the 3rd
# B3: 11.90 × 0.07 = 0.833 → 0.83; 6.40 × 0.19 = 1.216 → 1.22; subtotal 18.30, tax 2.05, total 20.35
EXPECTED_ORDERS = [
    ("B1", "2026-03-02", Decimal("40.70"), Decimal("3.24"), Decimal("43.94")),
    ("B2", "2026-03-03", Decimal("9.60"), Decimal("1.82"), Decimal("11.42")),
    ("B3", "2026-03-03", Decimal("18.30"), Decimal("2.05"), Decimal("20.35")),
]
EXPECTED_LINES = sorted(
    [
        ("B1", "Burger", 2, Decimal("12.50"), Decimal("25.00"), Decimal("1.75")),
        ("B1", "Cola", 1, Decimal("3.20"), Decimal("3.20"), Decimal("0.61")),
        ("B1", "Burger", 1, Decimal("12.50"), Decimal("12.50"), Decimal("0.88")),
        ("B2", "Cola", 3, Decimal("3.20"), Decimal("9.60"), Decimal("1.82")),
        ("B3", "Burger", 1, Decimal("11.90"), Decimal("11.90"), Decimal("0.83")),
        ("B3", "Cola", 2, Decimal("3.20"), Decimal("6.40"), Decimal("1.22")),
    ]
)


def _menu_store():
    from tests.factories import TaxCategoryFactory

    store = StoreFactory()
    MenuItemFactory(
        store=store,
        name="Burger",
        price=Decimal("12.50"),
        tax_category=TaxCategoryFactory(store=store, rate=Decimal("0.0700")),
    )
    MenuItemFactory(
        store=store,
        name="Cola",
        price=Decimal("3.20"),
        tax_category=TaxCategoryFactory(store=store, rate=Decimal("0.1900")),
    )
    return store


def _imported(store):
    orders = list(
        Order.objects.filter(store=store)
        .order_by("external_id")
        .values_list("external_id", "business_date", "subtotal", "tax", "total")
    )
    lines = sorted(
        OrderLine.objects.filter(order__store=store).values_list(
            "order__external_id", "name", "quantity", "unit_price", "line_total", "tax_amount"
        )
    )
    return [(o[0], o[1].isoformat(), *o[2:]) for o in orders], lines


@pytest.mark.parametrize("export", [GROUPED, SHUFFLED], ids=["grouped", "shuffled"])
def test_grouped_and_shuffled_exports_give_the_same_orders_and_totals(export, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders import history

    # Tiny batches, so the six lines are written in several: a later batch completes earlier orders.
    monkeypatch.setattr(history, "CHUNK", 1)
    monkeypatch.setattr(history, "STAGE_BATCH", 2)
    store = _menu_store()
    with CaptureQueriesContext(connection) as captured:
        report = sales_import(store=store, stream=io.StringIO(export))
    assert (report.orders, report.lines, report.items_created, report.days, report.errors) == (3, 6, 0, 2, [])
    assert _imported(store) == (EXPECTED_ORDERS, EXPECTED_LINES)
    # Each order's totals are written once, with the order: no UPDATE of orders afterwards.
    updates = [q["sql"] for q in captured.captured_queries if re.match(r'UPDATE "?orders_order"? ', q["sql"])]
    assert updates == []


def test_shuffled_lines_of_an_order_take_their_file_order_as_positions():
    store = _menu_store()
    sales_import(store=store, stream=io.StringIO(SHUFFLED))
    b1 = OrderLine.objects.filter(order__external_id="B1").order_by("position")
    # B1's lines come 2nd (Burger × 1), 4th (Burger × 2) and 6th (Cola) in the shuffled file.
    assert list(b1.values_list("position", "name", "quantity")) == [
        (0, "Burger", 1),
        (1, "Burger", 2),
        (2, "Cola", 1),
    ]


def test_an_order_completed_by_a_later_import_is_re_totalled_from_all_its_lines():
    store = _menu_store()
    first_half = "".join(SHUFFLED.splitlines(keepends=True)[:4])  # header + B3 Cola, B1 Burger × 1, B2
    sales_import(store=store, stream=io.StringIO(first_half))
    assert Order.objects.get(store=store, external_id="B1").total == Decimal("13.38")  # 12.50 + 0.88
    report = sales_import(store=store, stream=io.StringIO(SHUFFLED))
    assert (report.orders, report.lines) == (0, 3)  # B1 gains two lines, B3 one; B2 is complete
    assert _imported(store) == (EXPECTED_ORDERS, EXPECTED_LINES)
