"""Every set-up endpoint refuses a write from a read-scoped key (403) and writes nothing; store
settings refuse a store's own write key too (only the owner's account key changes them)."""

import pytest

from kitchen.services import station_create
from orders.models import MenuCategory, MenuItem, Modifier, ModifierGroup, Table
from restaurant_ops.models import Daypart, OpeningHours, Store, TaxCategory
from staffing.models import Position
from tests.factories import MenuItemFactory, ModifierGroupFactory

pytestmark = pytest.mark.django_db

CREATES = [
    ("/api/v1/stores/", {"name": "X", "time_zone": "UTC", "currency": "USD"}, Store, 1),
    ("/api/v1/tax-categories/", {"name": "X", "rate": "0.01"}, TaxCategory, 0),
    ("/api/v1/opening-hours/", {"weekday": 0, "opens": "10:00", "closes": "12:00"}, OpeningHours, 0),
    ("/api/v1/dayparts/", {"name": "lunch", "starts": "11:00", "ends": "14:00"}, Daypart, 0),
    ("/api/v1/tables/", {"name": "X"}, Table, 0),
    ("/api/v1/menu/categories/", {"name": "X"}, MenuCategory, 1),
    ("/api/v1/menu/items/", {"category": 0, "name": "X", "price": "1.00"}, MenuItem, 1),
    ("/api/v1/menu/modifier-groups/", {"name": "X"}, ModifierGroup, 1),
    ("/api/v1/menu/modifiers/", {"group": 0, "name": "X"}, Modifier, 0),
    ("/api/v1/kitchen/stations/", {"name": "X"}, None, 0),
    ("/api/v1/staffing/positions/", {"name": "X"}, Position, 0),
]


@pytest.mark.parametrize(("url", "body", "model", "existing"), CREATES, ids=[c[0] for c in CREATES])
def test_a_read_key_may_not_create(read_client, store, url, body, model, existing):
    item = MenuItemFactory(store=store)
    group = ModifierGroupFactory(store=store)
    body = {**body, **({"category": item.category_id} if "category" in body else {})}
    body = {**body, **({"group": group.pk} if "group" in body else {})}
    response = read_client.post(url, body, format="json")
    assert response.status_code == 403, response.content
    if model is not None:
        assert model.objects.count() == existing


def test_a_read_key_may_not_route_or_patch_settings(read_client, key_client, store):
    item = MenuItemFactory(store=store)
    station = station_create(store=store, name="Grill")
    assert (
        read_client.patch(
            f"/api/v1/kitchen/routes/{item.pk}/", {"station": station.pk}, format="json"
        ).status_code
        == 403
    )
    assert read_client.patch(f"/api/v1/stores/{store.pk}/", {"name": "Y"}, format="json").status_code == 403
    assert key_client.patch(f"/api/v1/stores/{store.pk}/", {"name": "Y"}, format="json").status_code == 403
    assert Store.objects.get(pk=store.pk).name == store.name
