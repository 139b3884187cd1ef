"""The inputs that used to answer 500, through every door (the API, the guest QR page, the till): each
is a 4xx naming the field, and nothing is written. Ranges are bounded on both ends."""

import base64
import json
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from inventory.models import StockMovement
from kitchen.models import PrepTask
from orders.models import Check, Order, OrderLine, Payment, TableSession
from orders.services import table_session_open
from restaurant_ops.models import IdempotencyRecord, Role
from tests.factories import MembershipFactory, MenuItemFactory, TableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(store):
    class Shop:
        pass

    shop = Shop()
    shop.store = store
    shop.soda = MenuItemFactory(store=store, name="Soda", price=Decimal("3.00"))
    shop.table = TableFactory(store=store)
    return shop


def written():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        Check.objects.count(),
        Payment.objects.count(),
        TableSession.objects.count(),
        StockMovement.objects.count(),
        PrepTask.objects.count(),
        IdempotencyRecord.objects.count(),
    )


@pytest.fixture
def api(store):
    from restaurant_ops.services import api_key_create

    _key, raw = api_key_create(store=store, name="POS", scope="write", created_by=None)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def _cursor(position: str) -> str:
    return base64.b64encode(f"p={position}".encode()).decode()


NESTED = "[" * 3000 + "]" * 3000

# (method, url, body or query, expected status, field). `{soda}`, `{table}`, `{check}` are filled in.
API_CASES = {
    "NUL byte in a note": (
        "post",
        "/api/v1/orders/",
        {"note": "a\x00b", "lines": [{"item": "{soda}"}]},
        400,
        "note",
    ),
    "NUL byte in a line note": (
        "post",
        "/api/v1/orders/",
        {"lines": [{"item": "{soda}", "quantity": 1, "note": "\x00"}]},
        400,
        "lines[0].note",
    ),
    "NUL byte in a query": ("get", "/api/v1/orders/", {"external_id": "x\x00"}, 400, "external_id"),
    "updated_since at -20:00": (
        "get",
        "/api/v1/orders/",
        {"updated_since": "2026-11-01T00:00:00-20:00"},
        400,
        "updated_since",
    ),
    "updated_since in year 1": (
        "get",
        "/api/v1/menu/items/",
        {"updated_since": "0001-01-01T00:00:00+01:00"},
        400,
        "updated_since",
    ),
    "updated_since in year 9999": (
        "get",
        "/api/v1/checks/",
        {"updated_since": "9999-12-31T23:59:59-05:00"},
        400,
        "updated_since",
    ),
    "a cursor that is not base64": ("get", "/api/v1/orders/", {"cursor": "abc"}, 400, "cursor"),
    "a cursor with a word for a position": (
        "get",
        "/api/v1/orders/",
        {"cursor": _cursor("abc")},
        400,
        "cursor",
    ),
    "a cursor with a huge position": (
        "get",
        "/api/v1/payments/",
        {"cursor": _cursor("9" * 30)},
        400,
        "cursor",
    ),
    "page_size negative": ("get", "/api/v1/orders/", {"page_size": "-5"}, 400, "page_size"),
    "page_size huge": ("get", "/api/v1/orders/", {"page_size": "100000000000"}, 400, "page_size"),
    "page_size a word": ("get", "/api/v1/orders/", {"page_size": "all"}, 400, "page_size"),
    "table=abc": ("get", "/api/v1/orders/", {"table": "abc"}, 400, "table"),
    "table=1e30": ("get", "/api/v1/orders/", {"table": "1e30"}, 400, "table"),
    "date_from year 1": ("get", "/api/v1/orders/", {"date_from": "0001-01-01"}, 400, "date_from"),
    "date_to year 9999": ("get", "/api/v1/payments/", {"date_to": "9999-12-31"}, 400, "date_to"),
    "amount=1e30": (
        "post",
        "/api/v1/checks/{check}/payments/",
        {"method": "card", "amount": 1e30},
        400,
        "amount",
    ),
    "amount=-1e30": (
        "post",
        "/api/v1/checks/{check}/payments/",
        {"method": "card", "amount": "-1e30"},
        400,
        "amount",
    ),
    "amount NaN": (
        "post",
        "/api/v1/checks/{check}/payments/",
        {"method": "card", "amount": "NaN"},
        400,
        "amount",
    ),
    "3,000 nested brackets": ("post", "/api/v1/orders/", NESTED, 400, ""),
    "an order for table abc": (
        "post",
        "/api/v1/orders/",
        {"table": "abc", "lines": [{"item": "{soda}"}]},
        400,
        "table",
    ),
    "an item id beyond bigint": (
        "post",
        "/api/v1/orders/",
        {"lines": [{"item": 10**30, "quantity": 1}]},
        404,
        "lines[0].item",
    ),
    "analytics with start in year 1": (
        "get",
        "/api/v1/analytics/sales/",
        {"start": "0001-01-01", "end": "0001-01-05"},
        400,
        "start",
    ),
    "analytics ending in 9999": (
        "get",
        "/api/v1/analytics/sales/",
        {"start": "9999-12-01", "end": "9999-12-31"},
        400,
        "end",
    ),
    "analytics without end, far back": (
        "get",
        "/api/v1/analytics/sales/",
        {"start": "2000-01-01"},
        400,
        "end",
    ),
    "analytics over ten years": (
        "get",
        "/api/v1/analytics/best-sellers/",
        {"start": "2016-01-01", "end": "2026-01-01"},
        400,
        "end",
    ),
    "a prep task ready in year 1": (
        "post",
        "/api/v1/kitchen/prep-tasks/",
        {"menu_item": "{soda}", "quantity": "1", "ready_by": "0001-01-01T00:00:00+01:00"},
        400,
        "ready_by",
    ),
    "a stock movement of 1e30": (
        "post",
        "/api/v1/inventory/stock-movements/",
        {"ingredient": 1, "kind": "waste", "quantity": "1e30", "reason": "x"},
        400,
        "quantity",
    ),
    "an Idempotency-Key with a NUL byte": (
        "post",
        "/api/v1/orders/",
        {"lines": [{"item": "{soda}", "quantity": 1}], "_headers": {"HTTP_IDEMPOTENCY_KEY": "k\x00"}},
        400,
        "Idempotency-Key",
    ),
}


def _fill(value, names):
    if isinstance(value, str):
        for name, number in names.items():
            if value == "{" + name + "}":
                return number
            value = value.replace("{" + name + "}", str(number))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


@pytest.mark.parametrize("case", API_CASES.keys())
def test_hostile_api_input_is_a_4xx_naming_the_field_and_writes_nothing(api, shop, case):
    from orders.services import check_open

    check = check_open(store=shop.store)
    names = {"soda": shop.soda.pk, "table": shop.table.pk, "check": check.pk}
    method, url, payload, status, field = API_CASES[case]
    url = _fill(url, names)
    before = written()
    if method == "get":
        response = api.get(url, _fill(payload, names))
    elif isinstance(payload, str):
        response = api.post(url, payload, content_type="application/json")
    else:
        payload = _fill(payload, names)
        headers = payload.pop("_headers", {})
        if "lines" in payload:
            payload["lines"] = [{"quantity": 1, **line} for line in payload["lines"]]
        response = api.post(url, json.dumps(payload), content_type="application/json", **headers)
    assert response.status_code == status, response.content[:500]
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors], errors
    assert all(e["message"] for e in errors)
    assert written() == before


# --- The guest QR page: refused before the table's throttle is spent ----------------------------


GUEST_CASES = {
    "NUL byte in the note": ({"note": "\x00", "qty-{soda}": "1"}, 400),
    "quantity 1e30": ({"qty-{soda}": "1e30"}, 400),
    "quantity beyond bigint": ({"qty-{soda}": "9" * 30}, 400),
    "an item id that is a word": ({"qty-abc": "1"}, 400),
    "an item id beyond bigint": ({"qty-" + "9" * 30: "1"}, 404),
    "a modifier id that is a word": ({"qty-{soda}": "1", "mod-{soda}": "x"}, 400),
    "nothing chosen": ({}, 400),
}


@pytest.mark.parametrize("case", GUEST_CASES.keys())
def test_hostile_guest_order_is_refused_without_spending_the_throttle(shop, settings, case):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"table": "1/min"}}
    session = table_session_open(table=shop.table)
    client = Client(raise_request_exception=False)
    url = f"/s/t/{shop.table.qr_token}/order/"
    form, status = GUEST_CASES[case]
    before = written()
    for _attempt in range(3):  # more bad posts than the throttle allows
        data = {_fill(k, {"soda": shop.soda.pk}): v for k, v in form.items()}
        response = client.post(url, {"session": session.token, **data})
        assert response.status_code == status, response.content[:300]
    assert written() == before
    good = client.post(url, {"session": session.token, f"qty-{shop.soda.pk}": "1"})
    assert good.status_code == 201  # the one order the throttle allows is still there


def test_a_nul_byte_in_the_guest_url_is_a_404(shop):
    response = Client(raise_request_exception=False).get("/s/t/abc%00def/")
    assert response.status_code in (400, 404)


# --- The till's forms ------------------------------------------------------------------------


@pytest.fixture
def till(shop):
    client = Client(raise_request_exception=False)
    client.force_login(MembershipFactory(store=shop.store, role=Role.CASHIER).user)
    return client


TILL_CASES = {
    "table=abc": ({"table": "abc", "qty-{soda}": "1"}, 400, "table"),
    "table beyond bigint": ({"table": "9" * 30, "qty-{soda}": "1"}, 400, "table"),
    "NUL byte in the note": ({"note": "\x00", "qty-{soda}": "1"}, 400, "note"),
    "quantity 1e30": ({"qty-{soda}": "1e30"}, 400, "qty-{soda}"),
    "open a table that is a word": ({"action": "open_table", "table": "abc"}, 400, "table"),
}


@pytest.mark.parametrize("case", TILL_CASES.keys())
def test_hostile_till_form_is_a_4xx_naming_the_field_and_writes_nothing(shop, till, case):
    form, status, field = TILL_CASES[case]
    before = written()
    data = {_fill(k, {"soda": shop.soda.pk}): v for k, v in form.items()}
    response = till.post(f"/s/{shop.store.slug}/till/", data)
    assert response.status_code == status, response.content[:300]
    assert _fill(field, {"soda": shop.soda.pk}).encode() in response.content
    assert written() == before


def test_hostile_till_payment_form_writes_nothing(shop, till):
    from orders.services import check_open

    check = check_open(store=shop.store)
    before = written()
    for amount in ("1e30", "-1e30", "NaN", "\x00", "9" * 40):
        response = till.post(
            f"/s/{shop.store.slug}/checks/{check.pk}/pay/", {"method": "card", "amount": amount}
        )
        assert response.status_code == 400, (amount, response.status_code)
    assert written() == before
