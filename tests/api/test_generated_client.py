"""A client generated from `/api/schema/` (openapi-python-client, as an integrator would) runs a POS
day against a live server: menu and table set up through it, orders with idempotency keys (a retry
replays), payment, sales and insights, and a signed webhook the receiver verifies. A schema that
drf-spectacular or the generator warns about fails here."""

import datetime as dt
import importlib
import io
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import requests
from django.core.management import call_command

from connections import webhooks
from orders.models import SalesImport
from restaurant_ops.services import api_key_create
from tests.connections.test_webhooks import Receiver
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "restaurant_ops_api_client"


@pytest.fixture
def generated(live_server, tmp_path):
    """The client package, generated from the live server's schema into a temporary directory (the
    generator needs no network: the schema is a local file, and no post-generation hooks run)."""
    schema = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    run = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / "client"),
            "--config",
            str(tmp_path / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Warning" not in output and "Error" not in output, output  # the schema generates cleanly
    sys.path.insert(0, str(tmp_path / "client"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path / "client"))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_schema_generates_without_warnings(tmp_path):
    # e.g. two serializers with one component name: a generated client would parse one as the other
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


@pytest.fixture
def back_office():
    """The webhook receiver of tests/connections (verifies Standard Webhooks signatures), on a free port."""
    Receiver.secrets, Receiver.plan, Receiver.received = [], [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver, server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_generated_client_runs_a_pos_day(live_server, generated, back_office):
    receiver, port = back_office
    store = StoreFactory(time_zone="Europe/Berlin", currency="EUR")
    _key, raw = api_key_create(store=store, name="POS", scope="write", created_by=None)

    models = importlib.import_module(f"{PACKAGE}.models")
    call = {name: importlib.import_module(f"{PACKAGE}.api.v1.{name}") for name in _OPERATIONS}
    client = generated.AuthenticatedClient(base_url=live_server.url, token=raw, prefix="Api-Key")

    # The back office subscribes to placed orders.
    endpoint = call["v1_webhooks_endpoints_create"].sync(
        client=client,
        body=models.EndpointInputRequest(
            url=f"http://127.0.0.1:{port}/hooks", topics=[models.TopicsEnum("order.placed")]
        ),
        idempotency_key="hook-1",
    )
    assert isinstance(endpoint, models.Endpoint), endpoint
    receiver.secrets = [endpoint.secret]

    # The POS sets up its menu and a table.
    category = call["v1_menu_categories_create"].sync(
        client=client, body=models.CategoryInputRequest(name="Soups"), idempotency_key="cat-soups"
    )
    assert isinstance(category, models.Category), category
    soup = call["v1_menu_items_create"].sync(
        client=client,
        body=models.MenuItemInputRequest(
            category=category.id, name="Lentil soup", price="12.50", external_id="soup"
        ),
        idempotency_key="item-soup",
    )
    assert isinstance(soup, models.MenuItem), soup
    table = call["v1_tables_create"].sync(
        client=client, body=models.TableInputRequest(name="T1", seats=4), idempotency_key="table-t1"
    )
    assert isinstance(table, models.TableSetup), table

    # The menu as the till reads it.
    menu = call["v1_menu_list"].sync(client=client, store=store.slug)
    assert [(c.name, [(i.name, i.price) for i in c.items]) for c in menu] == [
        ("Soups", [("Lentil soup", "12.50")])
    ]

    # Two orders; the first is sent twice (a retry after a lost answer): one order, the same answer.
    def place(key, quantity):
        return call["v1_orders_create"].sync_detailed(
            client=client,
            body=models.OrderCreateRequest(
                table=table.id,
                external_id=key,
                lines=[models.LineInputRequest(item_external_id="soup", quantity=quantity)],
            ),
            idempotency_key=key,
        )

    first, retry, second = place("till-1-0001", 2), place("till-1-0001", 2), place("till-1-0002", 1)
    assert (first.status_code, retry.status_code, second.status_code) == (201, 201, 201)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.parsed.id == first.parsed.id != second.parsed.id
    assert (first.parsed.total, second.parsed.total) == ("25.00", "12.50")  # 2 × 12.50; 1 × 12.50
    assert first.parsed.check == second.parsed.check  # one table, one check

    # Pay the check: 25.00 + 12.50 = 37.50 by card.
    payment = call["v1_checks_payments_create"].sync(
        first.parsed.check,
        client=client,
        body=models.PayInputRequest(method=models.MethodEnum.CARD, amount="37.50"),
        idempotency_key="pay-1",
    )
    assert isinstance(payment, models.Payment), payment
    assert payment.amount == "37.50"
    check = call["v1_checks_retrieve"].sync(first.parsed.check, client=client)
    assert (check.status, check.receipt_number) == ("paid", 1)

    # Sales of today (store-local): 2 orders, 3 bowls, 37.50.
    today = dt.datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    sales = call["v1_analytics_sales_list"].sync(client=client, store=store.slug, start=today, end=today)
    assert [(r.orders, r.quantity, r.revenue) for r in sales] == [(2, 3, "37.50")]
    insights = call["v1_analytics_insights_list"].sync(client=client, store=store.slug)
    assert isinstance(insights, models.PaginatedInsightList), insights
    assert insights.results == []  # nothing to advise after two orders

    # Yesterday's sales from the old till, uploaded as multipart by the client: a queued job.
    upload = call["v1_sales_imports_create"].sync(
        client=client,
        body=models.SalesImportInputRequest(
            file=generated.types.File(
                payload=io.BytesIO(
                    b"Receipt,timestamp,item,quantity,unit_price\nR1,2026-11-01 12:00,Tea,1,3.00\n"
                ),
                file_name="old-till.csv",
                mime_type="text/csv",
            ),
            map_=["order_id=Receipt"],
        ),
        idempotency_key="import-old-till",
    )
    assert isinstance(upload, models.SalesImport), upload
    assert (upload.status, upload.filename) == (models.SalesImportStatusEnum.QUEUED, "old-till.csv")
    job = SalesImport.objects.get(pk=upload.id)
    assert (bytes(job.content).count(b"\n"), job.options["mapping"]) == (2, {"order_id": "Receipt"})

    # The worker's delivery step (run here): each placed order reaches the back office, signed.
    now = dt.datetime.now(dt.UTC)
    for delivery_id in webhooks.due(now=now):
        webhooks.deliver(delivery_id=delivery_id, now=now)
    assert sorted(r["body"]["data"]["order_id"] for r in receiver.received) == sorted(
        [first.parsed.id, second.parsed.id]
    )
    assert all(r["verified"] == [endpoint.secret] for r in receiver.received)
    assert {r["body"]["type"] for r in receiver.received} == {"order.placed"}


_OPERATIONS = [
    "v1_webhooks_endpoints_create",
    "v1_menu_categories_create",
    "v1_menu_items_create",
    "v1_tables_create",
    "v1_menu_list",
    "v1_orders_create",
    "v1_checks_payments_create",
    "v1_checks_retrieve",
    "v1_analytics_sales_list",
    "v1_analytics_insights_list",
    "v1_sales_imports_create",
]
