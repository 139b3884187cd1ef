"""Strict input and an honest schema: a typo in a field name is a 400 naming it (nothing written), every
creating POST declares its Idempotency-Key, every operation documents its error responses."""

from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from inventory.models import StockMovement
from orders.models import Order
from restaurant_ops.api.serializers import StrictInput
from tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(key_client):
    response = key_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_creating_post_declares_the_idempotency_key(schema):
    creating = [(p, op) for p, m, op in _operations(schema) if m == "post" and "201" in op["responses"]]
    assert len(creating) >= 20
    missing = [
        path
        for path, op in creating
        if "Idempotency-Key" not in [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
    ]
    assert not missing


def test_every_operation_documents_its_errors(schema):
    ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, method, op in _operations(schema):
        wanted = ["400", "401", "403", "404"] + ([] if method == "get" else ["409", "413", "422"])
        for status in wanted:
            assert op["responses"][status]["content"]["application/json"]["schema"] == ref, (path, method)


def _serializers_in(serializer):
    yield serializer
    for field in serializer.fields.values():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.BaseSerializer) and not field.read_only:
            yield from _serializers_in(field)


def test_every_write_serializer_refuses_unknown_fields():
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    lax = []
    for path, _regex, method, callback in generator.endpoints:
        if method not in ("POST", "PUT", "PATCH"):
            continue
        declared = generator.create_view(callback, method, None).schema.get_request_serializer()
        if declared is None:
            continue  # an action without a body (bump, send, acknowledge)
        if isinstance(declared, dict):  # per media type (an upload): each one's serializer
            declared = next(iter(declared.values()))
        serializer = declared() if isinstance(declared, type) else declared
        lax += [
            f"{method} {path}: {type(s).__name__}"
            for s in _serializers_in(serializer)
            if not isinstance(s, StrictInput)
        ]
    assert not lax


def test_a_typo_in_an_order_is_a_400_naming_the_field(key_client, store):
    item = MenuItemFactory(store=store, price=Decimal("5.00"))
    body = {"extrnal_id": "pos-1", "lines": [{"item": item.pk, "quantity": 1, "price": "0.01"}]}
    response = key_client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400, response.content
    fields = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert fields == {("extrnal_id", "unknown_field"), ("lines[0].price", "unknown_field")}
    assert Order.objects.count() == 0


def test_a_typo_is_reported_with_the_other_errors(key_client, store):
    response = key_client.post("/api/v1/orders/", {"lnes": []}, format="json")
    assert response.status_code == 400
    fields = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert fields == {("lnes", "unknown_field"), ("lines", "required")}


def test_a_stock_movement_with_an_unknown_field_writes_nothing(key_client, store):
    from tests.inventory.factories import IngredientFactory

    flour = IngredientFactory(store=store)
    response = key_client.post(
        "/api/v1/inventory/stock-movements/",
        {
            "ingredient": flour.pk,
            "kind": "waste",
            "quantity": "1",
            "reason": "spilt",
            "recieved_at": "2026-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("recieved_at", "unknown_field")]
    assert StockMovement.objects.count() == 0
