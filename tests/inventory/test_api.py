from decimal import Decimal

import pytest

from inventory import services
from inventory.models import Ingredient, PurchaseOrder, RecipeLine, StockCount, StockMovement, SupplierPrice
from tests.factories import MenuItemFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (Ingredient, RecipeLine, StockMovement, StockCount, PurchaseOrder, SupplierPrice)
    ]


def test_create_ingredient_recipe_and_supplier_price(key_client, store):
    response = key_client.post(
        "/api/v1/inventory/ingredients/",
        {"name": "Bun", "base_unit": "pcs", "alt_unit": "g", "alt_factor": "60", "allergens": ["Gluten"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="bun-1",
    )
    assert response.status_code == 201, response.json()
    bun = response.json()
    assert bun["allergens"] == ["gluten"]
    assert bun["store"] == store.slug
    replay = key_client.post(
        "/api/v1/inventory/ingredients/",
        {"name": "Bun", "base_unit": "pcs", "alt_unit": "g", "alt_factor": "60", "allergens": ["Gluten"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="bun-1",
    )
    assert replay.json()["id"] == bun["id"]
    assert Ingredient.objects.count() == 1
    item = MenuItemFactory(store=store)
    recipe = key_client.post(
        "/api/v1/inventory/recipes/",
        {"menu_item": item.pk, "ingredient": bun["id"], "quantity": "120", "unit": "g"},
        format="json",
    )
    assert recipe.status_code == 201
    assert Decimal(recipe.json()["base_quantity"]) == Decimal("2")  # 120 g / 60 g per bun
    item.refresh_from_db()
    assert item.allergens == ["gluten"]
    supplier = key_client.post(
        "/api/v1/inventory/suppliers/",
        {"name": "Bakery", "email": "b@example.com", "lead_time_days": 1},
        format="json",
    ).json()
    si = key_client.post(
        "/api/v1/inventory/supplier-items/",
        {"supplier": supplier["id"], "ingredient": bun["id"], "pack_size": "24"},
        format="json",
    ).json()
    price = key_client.post(
        "/api/v1/inventory/prices/",
        {"supplier_item": si["id"], "price": "7.20", "per": "pack", "effective_from": "2026-01-01"},
        format="json",
    )
    assert Decimal(price.json()["unit_price"]) == Decimal("0.3")
    listed = key_client.get("/api/v1/inventory/prices/", {"ingredient": bun["id"]}).json()["results"]
    assert len(listed) == 1


def test_bad_input_writes_nothing(key_client, store, other_store):
    rice = IngredientFactory(store=store, base_unit="g")
    foreign = IngredientFactory(store=other_store)
    supplier = SupplierFactory(store=store)
    before = counts()
    cases = [
        (
            "/api/v1/inventory/recipes/",
            {
                "menu_item": MenuItemFactory(store=store).pk,
                "ingredient": rice.pk,
                "quantity": "1",
                "unit": "l",
            },
            "unit",
            "unit_mismatch",
            422,
        ),
        (
            "/api/v1/inventory/recipes/",
            {
                "menu_item": MenuItemFactory(store=store).pk,
                "ingredient": foreign.pk,
                "quantity": "1",
                "unit": "g",
            },
            "ingredient",
            "not_found",
            404,
        ),
        (
            "/api/v1/inventory/stock-movements/",
            {"ingredient": rice.pk, "kind": "receipt", "quantity": "-5", "unit_cost": "0.1", "reason": "x"},
            "quantity",
            "must_be_positive",
            400,
        ),
        (
            "/api/v1/inventory/stock-counts/",
            {"lines": [{"ingredient": rice.pk, "counted": "3"}, {"ingredient": foreign.pk, "counted": "1"}]},
            "lines[1].ingredient",
            "unknown_ingredient",
            404,
        ),
        (
            "/api/v1/inventory/purchase-orders/",
            {
                "supplier": supplier.pk,
                "lines": [
                    {"ingredient": rice.pk, "quantity": "2", "unit": "kg"},
                    {"ingredient": 999999, "quantity": "1"},
                ],
            },
            "lines[1].ingredient",
            "unknown_ingredient",
            404,
        ),
    ]
    items_before = before  # menu items created above are not counted
    for url, payload, field, code, status in cases:
        response = key_client.post(url, payload, format="json")
        assert response.status_code == status, (url, response.status_code)
        assert {"field": field, "code": code} in [
            {k: e[k] for k in ("field", "code")} for e in response.json()["errors"]
        ], response.json()
    assert counts() == items_before


def test_purchase_order_lifecycle_over_the_api(
    key_client, store, mailoutbox_backend, django_capture_on_commit_callbacks
):
    from django.core import mail

    rice = IngredientFactory(store=store, base_unit="g")
    supplier = SupplierFactory(store=store)
    po = key_client.post(
        "/api/v1/inventory/purchase-orders/",
        {
            "supplier": supplier.pk,
            "lines": [{"ingredient": rice.pk, "quantity": "10", "unit": "kg", "unit_price": "0.002"}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="po-1",
    ).json()
    assert po["status"] == "draft"
    assert Decimal(po["lines"][0]["quantity"]) == Decimal("10000")
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            key_client.post(f"/api/v1/inventory/purchase-orders/{po['id']}/send/").json()["status"] == "sent"
        )
    assert len(mail.outbox) == 1
    line = po["lines"][0]["id"]
    over = key_client.post(
        f"/api/v1/inventory/purchase-orders/{po['id']}/receive/",
        {"lines": [{"line": line, "quantity": "11", "unit": "kg"}]},
        format="json",
    )
    assert over.status_code == 422
    assert over.json()["errors"][0] == {
        "field": "lines[0].quantity",
        "code": "over_receipt",
        "message": over.json()["errors"][0]["message"],
    }
    assert StockMovement.objects.count() == 0
    ok = key_client.post(
        f"/api/v1/inventory/purchase-orders/{po['id']}/receive/",
        {
            "lines": [{"line": line, "quantity": "11", "unit": "kg", "unit_price": "0.0019"}],
            "allow_over_receipt": True,
        },
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "received"
    rice.refresh_from_db()
    assert rice.on_hand == Decimal("11000")
    moves = key_client.get("/api/v1/inventory/stock-movements/", {"kind": "receipt"}).json()["results"]
    assert [Decimal(m["unit_cost"]) for m in moves] == [Decimal("0.0019")]


def test_read_only_key_cannot_write(api_client, store):
    from restaurant_ops.services import api_key_create

    _key, raw = api_key_create(store=store, name="BI", scope="read", created_by=None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get("/api/v1/inventory/ingredients/").status_code == 200
    assert (
        api_client.post(
            "/api/v1/inventory/ingredients/", {"name": "X", "base_unit": "g"}, format="json"
        ).status_code
        == 403
    )
    assert Ingredient.objects.count() == 0


def test_services_receive_unit_conversion_for_counts(store):
    oil = IngredientFactory(store=store, base_unit="ml")
    count = services.stock_count_post(
        store=store, lines=[{"ingredient": oil.pk, "counted": Decimal("2.5"), "unit": "l"}]
    )
    assert count.lines.get().counted == Decimal("2500")
