"""The statement budget of one API order (3 lines, recipes and two kitchen stations in play), so the
order path does not drift back: 40 statements before the work of issue #16, 25 after (counting the
transaction's begin and commit, here a savepoint and its release inside the test's transaction), and
26 since webhooks (#19): the outbox looks up the store's endpoints subscribed to "order.placed" so
their deliveries are written in the order's transaction; 27 since the sales rollup (#16): the order's
one bulk insert of its deltas. 22 after the second round of #16: the ingredient locks and on-hand
update are one statement, the idempotency claim is an INSERT … ON CONFLICT (no savepoint), a store
key's store is the one loaded with the key, and the kitchen reads the items' stations and the default
station in one statement. 21 since the order's items, tax categories and modifier groups are read in
one statement (the modifier groups were a prefetch of their own)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bench.order_setup import stocked_items

pytestmark = pytest.mark.django_db
BUDGET = 21


def test_an_api_order_stays_within_its_statement_budget(store, key_client):
    items = stocked_items(store, 3)

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
