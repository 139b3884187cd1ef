"""Stations, item routing and prep-ahead flags, and positions with their targets, through the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kitchen.models import KitchenItem, Station
from kitchen.services import station_create
from orders.services import LineRequest, order_place
from restaurant_ops.models import Role
from staffing.models import Position
from tests.factories import MenuItemFactory
from tests.staffing.factories import PositionFactory

from .conftest import errors, ids

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=30)
SINCE = (timezone.now() - dt.timedelta(days=1)).isoformat()


def test_station_walk(key_client, read_client, session_client, store, other_store):
    url = "/api/v1/kitchen/stations/"
    grill = key_client.post(
        url, {"name": "Grill", "is_default": True}, format="json", HTTP_IDEMPOTENCY_KEY="s-1"
    )
    assert grill.status_code == 201, grill.content
    gid = grill.json()["id"]
    wok = key_client.post(url, {"name": "Wok", "ticket_target_minutes": 8}, format="json")
    assert wok.status_code == 201 and wok.json()["ticket_target_minutes"] == 8
    wid = wok.json()["id"]
    assert key_client.get(f"{url}{gid}/").json()["is_default"] is True
    # Making the wok the default unmakes the grill: one default per store.
    assert key_client.patch(f"{url}{wid}/", {"is_default": True}, format="json").status_code == 200
    assert list(Station.objects.filter(store=store, is_default=True).values_list("pk", flat=True)) == [wid]
    Station.objects.filter(pk=gid).update(updated_at=LONG_AGO)
    assert ids(key_client.get(url, {"updated_since": SINCE})) == [wid]
    dupe = key_client.post(url, {"name": "Grill"}, format="json")
    assert dupe.status_code == 409 and errors(dupe) == {("name", "duplicate")}
    typo = key_client.post(url, {"name": "Bar", "defualt": True}, format="json")
    assert typo.status_code == 400 and errors(typo) == {("defualt", "unknown_field")}
    assert read_client.post(url, {"name": "Bar"}, format="json").status_code == 403
    assert session_client(Role.COOK).patch(f"{url}{gid}/", {"name": "Pit"}, format="json").status_code == 403
    theirs = station_create(store=other_store, name="Theirs")
    assert key_client.patch(f"{url}{theirs.pk}/", {"name": "Mine"}, format="json").status_code == 404
    # A station with tickets in its history stays; one without goes.
    item = MenuItemFactory(store=store)
    order = order_place(store=store, lines=[LineRequest(item_id=item.pk)], channel="api")
    assert order.tickets.get().station_id == wid
    in_use = key_client.delete(f"{url}{wid}/")
    assert in_use.status_code == 409 and errors(in_use) == {("station", "in_use")}
    assert key_client.delete(f"{url}{gid}/").status_code == 204


def test_routing_and_prep_ahead_walk(key_client, session_client, store, other_store):
    grill = station_create(store=store, name="Grill", is_default=True)
    cold = station_create(store=store, name="Cold")
    salad, soup = MenuItemFactory(store=store), MenuItemFactory(store=store)
    url = "/api/v1/kitchen/routes/"
    assert key_client.get(f"{url}{salad.pk}/").json() == {
        "item": salad.pk,
        "item_external_id": "",
        "name": salad.name,
        "station": None,
        "prep_ahead": False,
        "updated_at": None,
    }
    routed = key_client.patch(f"{url}{salad.pk}/", {"station": cold.pk}, format="json")
    assert routed.status_code == 200 and routed.json()["station"] == cold.pk
    # The prep-ahead flag alone leaves the route as it was.
    flagged = key_client.patch(f"{url}{salad.pk}/", {"prep_ahead": True}, format="json").json()
    assert (flagged["station"], flagged["prep_ahead"]) == (cold.pk, True)
    key_client.patch(f"{url}{soup.pk}/", {"prep_ahead": True}, format="json")
    KitchenItem.objects.filter(menu_item=salad).update(updated_at=LONG_AGO)
    assert ids_of(key_client.get(url, {"updated_since": SINCE})) == [soup.pk]
    assert ids_of(key_client.get(url, {"station": cold.pk})) == [salad.pk]
    # The order's salad goes to the cold station, its soup to the default.
    order = order_place(
        store=store, lines=[LineRequest(item_id=salad.pk), LineRequest(item_id=soup.pk)], channel="api"
    )
    assert sorted(order.tickets.values_list("station_id", flat=True)) == sorted([grill.pk, cold.pk])
    back = key_client.patch(f"{url}{salad.pk}/", {"station": None}, format="json").json()
    assert (back["station"], back["prep_ahead"]) == (None, True)
    theirs = station_create(store=other_store, name="Theirs")
    foreign = key_client.patch(f"{url}{salad.pk}/", {"station": theirs.pk}, format="json")
    assert foreign.status_code == 404 and errors(foreign) == {("station", "unknown_station")}
    typo = key_client.patch(f"{url}{salad.pk}/", {"prepahead": True}, format="json")
    assert typo.status_code == 400 and errors(typo) == {("prepahead", "unknown_field")}
    assert (
        session_client(Role.COOK).patch(f"{url}{salad.pk}/", {"prep_ahead": False}, format="json").status_code
        == 403
    )
    assert key_client.get(f"{url}{MenuItemFactory(store=other_store).pk}/").status_code == 404


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["item"] for row in response.json()["results"]]


def test_position_walk(key_client, read_client, session_client, store, other_store):
    url = "/api/v1/staffing/positions/"
    created = key_client.post(
        url,
        {
            "name": "Cook",
            "load_kind": "kitchen_items",
            "productivity_target": "12.00",
            "min_staff_per_open_hour": 1,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="p-1",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert key_client.get(f"{url}{pk}/").json()["productivity_target"] == "12.00"
    patched = key_client.patch(f"{url}{pk}/", {"productivity_target": "15.00"}, format="json")
    assert patched.status_code == 200 and patched.json()["productivity_target"] == "15.00"
    Position.objects.filter(pk=pk).update(updated_at=LONG_AGO)
    cashier = key_client.post(url, {"name": "Cashier", "productivity_target": "20"}, format="json").json()[
        "id"
    ]
    assert ids(key_client.get(url, {"updated_since": SINCE})) == [cashier]
    dupe = key_client.post(url, {"name": "cook"}, format="json")
    assert dupe.status_code == 409 and errors(dupe) == {("name", "unique")}
    zero = key_client.patch(f"{url}{pk}/", {"productivity_target": "0.00"}, format="json")
    assert zero.status_code == 400 and errors(zero) == {("productivity_target", "out_of_range")}
    typo = key_client.post(url, {"name": "Server", "target": 3}, format="json")
    assert typo.status_code == 400 and errors(typo) == {("target", "unknown_field")}
    assert read_client.post(url, {"name": "Server"}, format="json").status_code == 403
    assert (
        session_client(Role.CASHIER).patch(f"{url}{pk}/", {"name": "Chef"}, format="json").status_code == 403
    )
    theirs = PositionFactory(store=other_store)
    assert key_client.delete(f"{url}{theirs.pk}/").status_code == 404
    assert key_client.delete(f"{url}{cashier}/").status_code == 204
    assert list(Position.objects.filter(store=store).values_list("productivity_target", flat=True)) == [
        Decimal("15.00")
    ]
