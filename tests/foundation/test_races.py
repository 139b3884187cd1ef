"""Races answered, not crashed: a unique value two requests claim at once is one 201 and 409s that
name the field, never a 500."""

import threading
from decimal import Decimal

import pytest
import requests
from django.db import IntegrityError, connection, transaction

from kitchen.models import Station
from orders.models import Order
from restaurant_ops.api.errors import status_for
from restaurant_ops.errors import conflict_from_integrity_error
from restaurant_ops.services import api_key_create
from tests.factories import MenuItemFactory


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_orders_with_one_external_id_are_one_201_and_nine_409(live_server, store):
    soda = MenuItemFactory(store=store, price=Decimal("3.00"))
    _key, raw = api_key_create(store=store, name="POS", scope="write", created_by=None)
    barrier = threading.Barrier(10)
    results = []

    def post():
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/orders/",
            json={"external_id": "till-7-0042", "lines": [{"item": soda.pk, "quantity": 1}]},
            headers={"Authorization": f"Api-Key {raw}"},
            timeout=60,
        )
        results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * 9, results
    for status, body in results:
        if status == 409:
            assert [(e["field"], e["code"]) for e in body["errors"]] == [("external_id", "duplicate")]
    assert Order.objects.filter(external_id="till-7-0042").count() == 1
    connection.close()


@pytest.mark.django_db
def test_a_lost_unique_race_names_the_field_other_integrity_errors_stay_errors(store):
    Station.objects.create(store=store, name="Grill")
    with pytest.raises(IntegrityError) as duplicate, transaction.atomic():
        Station.objects.create(store=store, name="Grill")  # what a concurrent station_create hits
    error = conflict_from_integrity_error(duplicate.value)
    assert (error.field, error.code, status_for(error)) == ("name", "duplicate", 409)
    assert str(error.message) == "Another station already has this name."

    with pytest.raises(IntegrityError) as not_null, transaction.atomic():
        Station.objects.create(store=None, name="Fryer")
    assert conflict_from_integrity_error(not_null.value) is None
