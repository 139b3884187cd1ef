"""The menu and the tables through the API: categories, items (prices through the audited price change),
modifier groups and modifiers, tables (the QR token read-only)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import MenuCategory, MenuItem, Modifier, ModifierGroup, Table
from orders.services import LineRequest, order_place
from restaurant_ops.models import AuditEntry, Role
from tests.factories import (
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    TableFactory,
    TaxCategoryFactory,
)

from .conftest import errors, ids

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=30)
SINCE = (timezone.now() - dt.timedelta(days=1)).isoformat()


def test_category_walk(key_client, read_client, session_client, store, other_store):
    url = "/api/v1/menu/categories/"
    created = key_client.post(
        url, {"name": "Noodles", "external_id": "cat-7"}, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert key_client.get(f"{url}{pk}/").json()["external_id"] == "cat-7"
    patched = key_client.patch(
        f"{url}{pk}/", {"name": "Hand-pulled noodles", "name_zh": "拉面"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["name"] == "Hand-pulled noodles"
    rice = key_client.post(url, {"name": "Rice"}, format="json").json()["id"]
    MenuCategory.objects.filter(pk=pk).update(updated_at=LONG_AGO)
    assert ids(key_client.get(url, {"updated_since": SINCE})) == [rice]
    dupe = key_client.post(url, {"name": "rice"}, format="json")
    assert dupe.status_code == 409 and errors(dupe) == {("name", "duplicate")}
    typo = key_client.post(url, {"name": "Soup", "externl_id": "x"}, format="json")
    assert typo.status_code == 400 and errors(typo) == {("externl_id", "unknown_field")}
    assert read_client.post(url, {"name": "Soup"}, format="json").status_code == 403
    assert session_client(Role.CASHIER).post(url, {"name": "Soup"}, format="json").status_code == 403
    theirs = MenuCategory.objects.create(store=other_store, name="Theirs")
    assert key_client.patch(f"{url}{theirs.pk}/", {"name": "Mine"}, format="json").status_code == 404
    MenuItemFactory(store=store, category_id=pk)
    in_use = key_client.delete(f"{url}{pk}/")
    assert in_use.status_code == 409 and errors(in_use) == {("category", "in_use")}
    assert key_client.delete(f"{url}{rice}/").status_code == 204


def test_item_walk_price_through_the_audited_change(key_client, session_client, store, other_store):
    category = MenuCategory.objects.create(store=store, name="Mains")
    tax = TaxCategoryFactory(store=store, rate=Decimal("0.0900"))
    group = ModifierGroupFactory(store=store)
    url = "/api/v1/menu/items/"
    body = {
        "category": category.pk,
        "name": "Beef noodles",
        "price": "32.00",
        "tax_category": tax.pk,
        "external_id": "pos-beef",
        "modifier_groups": [group.pk],
    }
    created = key_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="item-1")
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["price"], item["tax_rate"], item["external_id"], item["category_id"]) == (
        "32.00",
        "0.0900",
        "pos-beef",
        category.pk,
    )
    assert [g["id"] for g in item["modifier_groups"]] == [group.pk]
    pk = item["id"]
    # The price changes through menu_item_set_price: recorded with the old and new price.
    patched = key_client.patch(
        f"{url}{pk}/", {"price": "34.50", "description": "Slow-braised"}, format="json"
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["price"], patched.json()["description"]) == ("34.50", "Slow-braised")
    change = AuditEntry.objects.get(store=store, action="menu_price_changed")
    assert change.data == {"old": "32.00", "new": "34.50"}
    other = key_client.post(url, {**body, "name": "Tofu", "external_id": "pos-tofu"}, format="json").json()[
        "id"
    ]
    MenuItem.objects.filter(pk=pk).update(updated_at=LONG_AGO)
    assert ids(key_client.get(url, {"updated_since": SINCE})) == [other]
    same_id = key_client.post(url, {**body, "name": "Pork", "external_id": "pos-beef"}, format="json")
    assert same_id.status_code == 409 and errors(same_id) == {("external_id", "duplicate")}
    typo = key_client.post(url, {**body, "name": "Pork", "external_id": "", "prise": "1.00"}, format="json")
    assert typo.status_code == 400 and errors(typo) == {("prise", "unknown_field")}
    theirs_tax = TaxCategoryFactory(store=other_store)
    foreign = key_client.patch(f"{url}{pk}/", {"tax_category": theirs_tax.pk}, format="json")
    assert foreign.status_code == 404 and errors(foreign) == {("tax_category", "not_found")}
    assert session_client(Role.COOK).patch(f"{url}{pk}/", {"price": "1.00"}, format="json").status_code == 403
    theirs = MenuItemFactory(store=other_store)
    assert key_client.patch(f"{url}{theirs.pk}/", {"price": "1.00"}, format="json").status_code == 404
    # Never ordered: deleted. Ordered once: taken off the menu, its history kept.
    assert key_client.delete(f"{url}{other}/").status_code == 204
    assert not MenuItem.objects.filter(pk=other).exists()
    order_place(store=store, lines=[LineRequest(item_id=pk)], channel="api")
    kept = key_client.delete(f"{url}{pk}/")
    assert kept.status_code == 200 and kept.json()["is_active"] is False
    assert MenuItem.objects.get(pk=pk).order_lines.count() == 1


def test_modifier_group_and_modifier_walk(key_client, read_client, store, other_store):
    groups, mods = "/api/v1/menu/modifier-groups/", "/api/v1/menu/modifiers/"
    created = key_client.post(
        groups,
        {"name": "Spice", "min_choices": 1, "max_choices": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY="g-1",
    )
    assert created.status_code == 201, created.content
    gid = created.json()["id"]
    bad = key_client.patch(f"{groups}{gid}/", {"min_choices": 3}, format="json")
    assert bad.status_code == 400 and errors(bad) == {("max_choices", "invalid")}
    assert key_client.patch(f"{groups}{gid}/", {"max_choices": 2}, format="json").json()["max_choices"] == 2
    hot = key_client.post(
        mods, {"group": gid, "name": "Hot", "price_delta": "1.00", "external_id": "m-hot"}, format="json"
    )
    assert hot.status_code == 201, hot.content
    mid = hot.json()["id"]
    assert key_client.get(f"{groups}{gid}/").json()["modifiers"][0]["name"] == "Hot"
    assert (
        key_client.patch(f"{mods}{mid}/", {"price_delta": "1.50"}, format="json").json()["price_delta"]
        == "1.50"
    )
    assert AuditEntry.objects.get(store=store, action="modifier_price_changed").data == {
        "old": "1.00",
        "new": "1.50",
    }
    mild = key_client.post(mods, {"group": gid, "name": "Mild"}, format="json").json()["id"]
    Modifier.objects.filter(pk=mid).update(updated_at=LONG_AGO)
    assert ids(key_client.get(mods, {"updated_since": SINCE})) == [mild]
    ModifierGroup.objects.filter(pk=gid).update(updated_at=LONG_AGO)
    assert ids(key_client.get(groups, {"updated_since": SINCE})) == []
    typo = key_client.post(mods, {"group": gid, "name": "X", "price": "1.00"}, format="json")
    assert typo.status_code == 400 and errors(typo) == {("price", "unknown_field")}
    assert read_client.post(mods, {"group": gid, "name": "X"}, format="json").status_code == 403
    theirs = ModifierGroupFactory(store=other_store)
    assert key_client.post(mods, {"group": theirs.pk, "name": "X"}, format="json").status_code == 404
    assert key_client.delete(f"{groups}{theirs.pk}/").status_code == 404
    # Ordered once: the modifier is deactivated, and its group cannot go.
    item = MenuItemFactory(store=store)
    item.modifier_groups.add(gid)
    order_place(store=store, lines=[LineRequest(item_id=item.pk, modifier_ids=[mid])], channel="api")
    kept = key_client.delete(f"{mods}{mid}/")
    assert kept.status_code == 200 and kept.json()["is_active"] is False
    assert key_client.delete(f"{mods}{mild}/").status_code == 204
    in_use = key_client.delete(f"{groups}{gid}/")
    assert in_use.status_code == 409 and errors(in_use) == {("modifier_group", "in_use")}
    spare = ModifierFactory(group=ModifierGroupFactory(store=store)).group
    assert key_client.delete(f"{groups}{spare.pk}/").status_code == 204


def test_table_walk_qr_token_read_only(key_client, session_client, store, other_store):
    url = "/api/v1/tables/"
    created = key_client.post(
        url, {"name": "Patio 1", "seats": 2, "external_id": "t-p1"}, format="json", HTTP_IDEMPOTENCY_KEY="t-1"
    )
    assert created.status_code == 201, created.content
    table = created.json()
    pk, token = table["id"], table["qr_token"]
    assert len(token) >= 40
    assert key_client.get(f"{url}{pk}/").json()["seats"] == 2
    renamed = key_client.patch(f"{url}{pk}/", {"name": "Patio A", "seats": 4}, format="json")
    assert renamed.status_code == 200 and (renamed.json()["name"], renamed.json()["qr_token"]) == (
        "Patio A",
        token,
    )
    assert AuditEntry.objects.filter(store=store, action="table_renamed").count() == 1
    refused = key_client.patch(f"{url}{pk}/", {"qr_token": "mine"}, format="json")
    assert refused.status_code == 400 and errors(refused) == {("qr_token", "unknown_field")}
    other = key_client.post(url, {"name": "Patio 2"}, format="json").json()["id"]
    Table.objects.filter(pk=pk).update(updated_at=LONG_AGO)
    assert ids(key_client.get(url, {"updated_since": SINCE})) == [other]
    dupe = key_client.post(url, {"name": "Patio 2"}, format="json")
    assert dupe.status_code == 409 and errors(dupe) == {("name", "duplicate")}
    assert session_client(Role.CASHIER).post(url, {"name": "Bar 1"}, format="json").status_code == 403
    theirs = TableFactory(store=other_store)
    assert key_client.delete(f"{url}{theirs.pk}/").status_code == 404
    gone = key_client.delete(f"{url}{pk}/")
    assert gone.status_code == 200 and gone.json()["is_active"] is False
    assert Table.objects.get(pk=pk).is_active is False
