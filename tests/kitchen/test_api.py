import pytest

from kitchen.models import PrepTask, Ticket
from orders.models import Order
from tests.factories import MenuItemFactory
from tests.kitchen.factories import StationFactory

pytestmark = pytest.mark.django_db


def test_tickets_list_start_and_bump(key_client, store):
    station = StationFactory(store=store, is_default=True)
    item = MenuItemFactory(store=store)
    order = key_client.post(
        "/api/v1/orders/", {"lines": [{"item": item.pk, "quantity": 2}]}, format="json"
    ).json()
    tickets = key_client.get(
        "/api/v1/kitchen/tickets/", {"status": ["queued", "started"], "station": station.pk}
    ).json()["results"]
    assert [t["order"] for t in tickets] == [order["id"]]
    assert tickets[0]["lines"][0]["quantity"] == 2
    pk = tickets[0]["id"]
    assert key_client.post(f"/api/v1/kitchen/tickets/{pk}/start/").json()["status"] == "started"
    assert key_client.post(f"/api/v1/kitchen/tickets/{pk}/bump/").json()["status"] == "ready"
    assert Order.objects.get(pk=order["id"]).status == Order.Status.READY


def test_prep_tasks_create_and_bad_input(key_client, store, other_store):
    item = MenuItemFactory(store=store)
    ok = key_client.post(
        "/api/v1/kitchen/prep-tasks/",
        {"menu_item": item.pk, "quantity": "12", "ready_by": "2026-12-01T10:00:00Z"},
        format="json",
    )
    assert ok.status_code == 201
    for payload, field, status in [
        (
            {
                "menu_item": MenuItemFactory(store=other_store).pk,
                "quantity": "1",
                "ready_by": "2026-12-01T10:00:00Z",
            },
            "menu_item",
            404,
        ),
        ({"menu_item": item.pk, "quantity": "-1", "ready_by": "2026-12-01T10:00:00Z"}, "quantity", 400),
    ]:
        response = key_client.post("/api/v1/kitchen/prep-tasks/", payload, format="json")
        assert response.status_code == status
        assert response.json()["errors"][0]["field"] == field
    assert PrepTask.objects.count() == 1
    done = key_client.post(f"/api/v1/kitchen/prep-tasks/{ok.json()['id']}/done/", {}, format="json")
    assert done.json()["done"] is True
    assert Ticket.objects.count() == 0
