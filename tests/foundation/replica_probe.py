"""Run by test_read_replica.py in its own pytest process, whose DATABASE_REPLICA_URL configures a
replica alias standing in for a PostgreSQL read replica (a second connection to the test database).
Not collected by the main run (no test_ prefix)."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from orders.services import LineRequest, order_place
from restaurant_ops.services import api_key_create
from tests.factories import MenuItemFactory, StoreFactory


def _touches(queries, table: str) -> bool:
    return any(table in q["sql"] for q in queries)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_analytics_reads_go_to_the_replica_and_writes_to_the_primary():
    store = StoreFactory()
    soup = MenuItemFactory(store=store, name="Soup")
    _key, raw = api_key_create(store=store, name="BI", scope="write", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    order_place(store=store, channel="till", lines=[LineRequest(item_id=soup.pk, quantity=3)])

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(f"/api/v1/analytics/best-sellers/?store={store.slug}&by=quantity")
    assert response.status_code == 200, response.content
    assert [(row["name"], row["quantity"]) for row in response.json()] == [("Soup", 3)]
    # best sellers read the sales rollup (docs/sales-rollup.md), and the answer cache's data version too
    assert _touches(replica.captured_queries, "orders_salesrollup")
    assert not _touches(primary.captured_queries, "orders_salesrollup")
    assert not _touches(primary.captured_queries, "orders_orderline")

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.post(
            "/api/v1/orders/",
            {"lines": [{"item": soup.pk, "quantity": 1}]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="replica-probe-1",
        )
    assert response.status_code == 201, response.content
    assert any(q["sql"].startswith("INSERT") for q in primary.captured_queries)
    assert replica.captured_queries == []  # the order path never reads a lagging copy
