"""The upload page imports a POS export through the same service as `manage.py import_sales`."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from orders.models import MenuItem, Order, OrderLine
from tests.factories import MembershipFactory, StoreFactory

pytestmark = pytest.mark.django_db

CSV = (
    "Receipt;Date;Time;Article;Qty;Price\r\n"
    "R1;03/08/2026;20:25;Caf\xe9 cr\xe8me;2;3.20\r\n"  # cp1252, day-first dates
    "R1;03/08/2026;20:25;Caf\xe9 cr\xe8me;2;3.20\r\n"  # the same line twice in one order: both stay
    "R2;04/08/2026;01:30;Tarte;1;abc\r\n"  # bad price: reported, the rest kept
    "R3;04/08/2026;12:00;tarte ;1;5.00\r\n"
).encode("cp1252")


@pytest.fixture
def owner_client(client):
    store = StoreFactory(slug="bistro", time_zone="Europe/Paris")
    client.force_login(MembershipFactory(store=store, role="owner").user)
    return client, store


def post(client, store):
    return client.post(
        f"/dashboard/{store.slug}/back-office/import/",
        {
            "file": SimpleUploadedFile("export.csv", CSV, content_type="text/csv"),
            "col_order_id": "Receipt",
            "col_date": "Date",
            "col_time": "Time",
            "col_item": "Article",
            "col_quantity": "Qty",
            "col_unit_price": "Price",
            "date_format": "%d/%m/%Y %H:%M",
            "encoding": "cp1252",
            "delimiter": ";",
        },
    )


def test_upload_imports_good_rows_and_reports_bad_ones(owner_client):
    client, store = owner_client
    response = post(client, store)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.orders, report.lines, report.items_created) == (2, 3, 2)
    assert response.context["errors"][0][0] == 4  # the file's line number of the bad row
    assert OrderLine.objects.filter(order__store=store).aggregate(q=Sum("quantity"))["q"] == 5
    assert sorted(MenuItem.objects.filter(store=store).values_list("name", flat=True)) == [
        "Café crème",
        "tarte",  # named as in its first good row
    ]
    tarte_order = Order.objects.get(store=store, external_id="R3")
    assert tarte_order.lines.get().line_total == Decimal("5.00")

    again = post(client, store)  # the same file again adds nothing
    assert (again.context["report"].orders, again.context["report"].lines) == (0, 0)
    assert OrderLine.objects.filter(order__store=store).count() == 3


def test_only_menu_editors_may_import(client):
    store = StoreFactory()
    client.force_login(MembershipFactory(store=store, role="cashier").user)
    assert client.get(f"/dashboard/{store.slug}/back-office/import/").status_code == 404
    assert Order.objects.count() == 0
