"""Sales-history import: the committed CSV's best sellers and busy hours through the API equal, to the
unit and the cent, what an independent script (tests/orders/data/sales_history.py) computes."""

import io
import json
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
