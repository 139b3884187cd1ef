"""One order through the API makes the same number of queries whatever its number of lines: with
recipes (stock movements) and kitchen stations (tickets) in play."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order, OrderLine
from tests.bench.order_setup import stocked_items

pytestmark = pytest.mark.django_db


def test_query_count_of_an_api_order_does_not_grow_with_its_lines(
    store, key_client, django_assert_max_num_queries
):
    items = stocked_items(store, 20)

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
