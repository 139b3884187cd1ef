"""The statement budget of one API order (3 lines, recipes and two kitchen stations in play), so the
order path does not drift back: 40 statements before the work of issue #16, 25 after (counting the
transaction's begin and commit, here a savepoint and its release inside the test's transaction), and
26 since webhooks (#19): the outbox looks up the store's endpoints subscribed to "order.placed" so
their deliveries are written in the order's transaction."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services as inventory_services
from kitchen.services import kitchen_item_set, station_create
from tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db
BUDGET = 26


def test_an_api_order_stays_within_its_statement_budget(store, key_client):
    grill = station_create(store=store, name="Grill", is_default=True)
    bar = station_create(store=store, name="Bar")
    items = []
    for n in range(3):
        item = MenuItemFactory(store=store)
        ingredient = inventory_services.ingredient_create(store=store, name=f"Ingredient {n}", base_unit="g")
        inventory_services.recipe_line_set(
            store=store, menu_item=item, ingredient=ingredient, quantity=Decimal("100"), unit="g"
        )
        inventory_services.stock_movement_record(
            store=store,
            ingredient=ingredient,
            kind="receipt",
            quantity=Decimal("10"),
            unit="kg",
            unit_cost=Decimal("0.01"),
            reason="opening",
        )
        kitchen_item_set(menu_item=item, station=bar if n % 2 else grill)
        items.append(item)

    def place(key):
        return key_client.post(
            "/api/v1/orders/",
            {"lines": [{"item": i.pk, "quantity": 1} for i in items]},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    assert place("warm").status_code == 201  # the recipes are cached from here on
    with CaptureQueriesContext(connection) as order:
        response = place("measured")
    assert response.status_code == 201, response.content
    assert len(response.json()["lines"]) == 3
    assert len(order.captured_queries) <= BUDGET, "\n".join(q["sql"][:120] for q in order.captured_queries)
