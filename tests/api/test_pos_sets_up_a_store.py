"""A POS sets up a store through the API alone, with nothing but the owner's account key: the store, its
hours, tax, tables, menu with modifiers, a station with its routing and a position; then an order
placed on it reaches the kitchen ticket of the station the item is routed to."""

import pytest

from kitchen.models import Ticket
from restaurant_ops.models import Membership, Role, Store

pytestmark = pytest.mark.django_db


def test_a_pos_sets_up_a_store_and_its_first_order_reaches_the_routed_station(account_client, owner):
    api = account_client

    def post(url, body, key):
        response = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201, (url, response.content)
        return response.json()

    # Given a new store opened by the account key, owned by the key's owner
    store = post(
        "/api/v1/stores/",
        {
            "name": "Canal Dumplings",
            "time_zone": "Asia/Shanghai",
            "currency": "CNY",
            "prices_include_tax": True,
        },
        "setup-store",
    )
    slug = store["slug"]
    assert Membership.objects.get(store__slug=slug).user == owner
    assert Membership.objects.get(store__slug=slug).role == Role.OWNER
    for weekday in range(7):
        post(
            "/api/v1/opening-hours/",
            {"store": slug, "weekday": weekday, "opens": "10:00", "closes": "22:00"},
            f"h-{weekday}",
        )
    post(
        "/api/v1/dayparts/", {"store": slug, "name": "lunch", "starts": "11:00", "ends": "14:00"}, "dp-lunch"
    )
    tax = post("/api/v1/tax-categories/", {"store": slug, "name": "Food", "rate": "0.0600"}, "tax-food")
    table = post(
        "/api/v1/tables/", {"store": slug, "name": "A1", "seats": 4, "external_id": "pos-a1"}, "t-a1"
    )
    category = post(
        "/api/v1/menu/categories/", {"store": slug, "name": "Dumplings", "external_id": "c-1"}, "cat"
    )
    spice = post("/api/v1/menu/modifier-groups/", {"store": slug, "name": "Spice", "max_choices": 1}, "grp")
    chilli = post(
        "/api/v1/menu/modifiers/",
        {"group": spice["id"], "name": "Chilli oil", "price_delta": "2.00", "external_id": "m-chilli"},
        "mod",
    )
    item_body = {
        "store": slug,
        "category": category["id"],
        "price": "28.00",
        "tax_category": tax["id"],
        "modifier_groups": [spice["id"]],
    }
    pork = post(
        "/api/v1/menu/items/", {**item_body, "name": "Pork dumplings", "external_id": "i-pork"}, "pork"
    )
    leek = post(
        "/api/v1/menu/items/", {**item_body, "name": "Leek dumplings", "external_id": "i-leek"}, "leek"
    )
    steamer = post(
        "/api/v1/kitchen/stations/", {"store": slug, "name": "Steamer", "is_default": True}, "st-1"
    )
    fryer = post("/api/v1/kitchen/stations/", {"store": slug, "name": "Fryer"}, "st-2")
    routed = api.patch(f"/api/v1/kitchen/routes/{pork['id']}/", {"station": fryer["id"]}, format="json")
    assert routed.status_code == 200, routed.content
    post(
        "/api/v1/staffing/positions/",
        {
            "store": slug,
            "name": "Cook",
            "load_kind": "kitchen_items",
            "productivity_target": "30",
            "min_staff_per_open_hour": 1,
        },
        "pos-cook",
    )
    # The menu as every till reads it.
    menu = api.get("/api/v1/menu/", {"store": slug}).json()
    assert [(c["name"], sorted(i["name"] for i in c["items"])) for c in menu] == [
        ("Dumplings", ["Leek dumplings", "Pork dumplings"])
    ]

    # When the POS places an order by its own ids: 2 pork with chilli oil, 1 leek
    order = post(
        "/api/v1/orders/",
        {
            "store": slug,
            "table": table["id"],
            "external_id": "till-1-0001",
            "lines": [
                {"item_external_id": "i-pork", "quantity": 2, "modifiers": [chilli["id"]]},
                {"item_external_id": "i-leek", "quantity": 1},
            ],
        },
        "order-1",
    )
    # Prices include tax: 2 × (28.00 + 2.00) + 28.00 = 88.00.
    assert order["total"] == "88.00"

    # Then the pork reaches the fryer's ticket (its route), the leek the steamer's (the default)
    tickets = api.get("/api/v1/kitchen/tickets/", {"store": slug, "order": order["id"]}).json()["results"]
    by_station = {
        t["station"]: [(line["name"], line["quantity"], line["modifiers"]) for line in t["lines"]]
        for t in tickets
    }
    assert by_station == {
        fryer["id"]: [("Pork dumplings", 2, ["Chilli oil"])],
        steamer["id"]: [("Leek dumplings", 1, [])],
    }
    assert Ticket.objects.filter(store__slug=slug).count() == 2
    assert Store.objects.get(slug=slug).opening_hours.count() == 7
    assert leek["tax_rate"] == "0.0600"
