"""One order through the API makes the same number of queries whatever its number of lines: with
recipes (stock movements) and kitchen stations (tickets) in play."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services as inventory_services
from kitchen.services import kitchen_item_set, station_create
from orders.models import Order, OrderLine
from tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db


def test_query_count_of_an_api_order_does_not_grow_with_its_lines(
    store, key_client, django_assert_max_num_queries
):
    grill = station_create(store=store, name="Grill", is_default=True)
    bar = station_create(store=store, name="Bar")
    items = []
    for n in range(20):
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

    def place(lines):
        return key_client.post(
            "/api/v1/orders/",
            {"lines": [{"item": i.pk, "quantity": 1} for i in lines]},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"k{len(lines)}",
        )

    with CaptureQueriesContext(connection) as one:
        assert place(items[:1]).status_code == 201
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = place(items)
    assert response.status_code == 201, response.content
    assert Order.objects.count() == 2
    assert OrderLine.objects.count() == 21
    order = Order.objects.get(pk=response.json()["id"])
    assert order.tickets.count() == 2  # both stations got a ticket from the 20-line order
