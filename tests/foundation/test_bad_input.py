"""Every kind of bad order gets a 4xx naming the field, and nothing is written."""

from decimal import Decimal

import pytest

from orders.models import Order, OrderLine, OrderLineModifier, OrderStatusChange
from restaurant_ops.models import IdempotencyRecord
from tests.factories import MenuItemFactory, ModifierFactory, ModifierGroupFactory, TableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def menu(store, other_store):
    extras = ModifierGroupFactory(store=store, name="Extras", min_choices=0, max_choices=1)
    cheese = ModifierFactory(group=extras, name="Cheese")
    bacon = ModifierFactory(group=extras, name="Bacon")
    burger = MenuItemFactory(store=store, price=Decimal("10.00"))
    burger.modifier_groups.add(extras)
    soda = MenuItemFactory(store=store, price=Decimal("3.00"))
    gone = MenuItemFactory(store=store, sold_out_manual=True)
    foreign_table = TableFactory(store=other_store)
    foreign_item = MenuItemFactory(store=other_store)
    return locals()


def counts():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        OrderLineModifier.objects.count(),
        OrderStatusChange.objects.count(),
        IdempotencyRecord.objects.count(),
    )


CASES = {
    "unknown item": (
        lambda m: {"lines": [{"item": 999999, "quantity": 1}]},
        404,
        "lines[0].item",
        "unknown_item",
    ),
    "another store's item": (
        lambda m: {
            "lines": [{"item": m["soda"].pk, "quantity": 1}, {"item": m["foreign_item"].pk, "quantity": 1}]
        },
        404,
        "lines[1].item",
        "unknown_item",
    ),
    "sold out": (
        lambda m: {"lines": [{"item": m["gone"].pk, "quantity": 1}]},
        409,
        "lines[0].item",
        "sold_out",
    ),
    "quantity zero": (
        lambda m: {"lines": [{"item": m["soda"].pk, "quantity": 0}]},
        400,
        "lines[0].quantity",
        "min_value",
    ),
    "negative quantity": (
        lambda m: {"lines": [{"item": m["soda"].pk, "quantity": -3}]},
        400,
        "lines[0].quantity",
        "min_value",
    ),
    "absurd quantity": (
        lambda m: {"lines": [{"item": m["soda"].pk, "quantity": 10**9}]},
        400,
        "lines[0].quantity",
        "max_value",
    ),
    "quantity not a number": (
        lambda m: {"lines": [{"item": m["soda"].pk, "quantity": "lots"}]},
        400,
        "lines[0].quantity",
        "invalid",
    ),
    "modifier of another item": (
        lambda m: {
            "lines": [
                {"item": m["soda"].pk, "quantity": 1},
                {"item": m["burger"].pk, "quantity": 1},
                {"item": m["soda"].pk, "quantity": 1, "modifiers": [m["cheese"].pk]},
            ]
        },
        422,
        "lines[2].modifiers[0]",
        "not_for_item",
    ),
    "too many choices": (
        lambda m: {
            "lines": [{"item": m["burger"].pk, "quantity": 1, "modifiers": [m["cheese"].pk, m["bacon"].pk]}]
        },
        422,
        "lines[0].modifiers",
        "choice_count",
    ),
    "another store's table": (
        lambda m: {"table": m["foreign_table"].pk, "lines": [{"item": m["soda"].pk, "quantity": 1}]},
        404,
        "table",
        "unknown_table",
    ),
    "no lines": (lambda m: {"lines": []}, 400, "lines", "empty"),
    "missing item": (lambda m: {"lines": [{"quantity": 1}]}, 400, "lines[0].item", "required"),
}


@pytest.mark.parametrize("case", CASES.keys())
def test_bad_order_is_refused_with_field_path_and_writes_nothing(key_client, menu, case):
    make_body, status, field, code = CASES[case]
    before = counts()
    response = key_client.post("/api/v1/orders/", make_body(menu), format="json", HTTP_IDEMPOTENCY_KEY=case)
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in errors], (
        errors
    )
    assert all(e["message"] for e in errors)
    assert counts() == before


def test_malformed_json(key_client, menu):
    before = counts()
    response = key_client.post("/api/v1/orders/", data='{"lines": [', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert counts() == before


def test_oversized_body(key_client, menu, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    before = counts()
    lines = [{"item": menu["soda"].pk, "quantity": 1, "note": "x" * 150} for _ in range(40)]
    response = key_client.post("/api/v1/orders/", {"lines": lines}, format="json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"
    assert counts() == before
