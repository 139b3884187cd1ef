"""Setting up a store through the API: the owner's account key opens stores and changes their settings;
tax categories, opening hours and dayparts through the same services as the set-up pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from restaurant_ops.models import (
    ApiKey,
    AuditEntry,
    Daypart,
    Membership,
    OpeningHours,
    Role,
    Store,
    TaxCategory,
)
from restaurant_ops.services import api_key_create
from tests.factories import MembershipFactory, MenuItemFactory

from .conftest import errors, ids

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=30)
SINCE = (timezone.now() - dt.timedelta(days=1)).isoformat()


def test_the_account_key_opens_a_store_owned_by_its_owner_and_covers_it_at_once(account_client, owner, store):
    body = {
        "name": "Harbour Noodles",
        "time_zone": "Asia/Shanghai",
        "currency": "cny",
        "prices_include_tax": True,
    }
    response = account_client.post("/api/v1/stores/", body, format="json", HTTP_IDEMPOTENCY_KEY="open-1")
    assert response.status_code == 201, response.content
    new = Store.objects.get(pk=response.json()["id"])
    assert (new.name, new.time_zone, new.currency, new.prices_include_tax) == (
        "Harbour Noodles",
        "Asia/Shanghai",
        "CNY",
        True,
    )
    assert Membership.objects.get(store=new).user == owner
    assert Membership.objects.get(store=new).role == Role.OWNER
    # A retry with the same key replays, opening nothing more.
    again = account_client.post("/api/v1/stores/", body, format="json", HTTP_IDEMPOTENCY_KEY="open-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Store.objects.filter(name="Harbour Noodles").count() == 1
    # The same key now covers both of the owner's stores.
    assert sorted(ids(account_client.get("/api/v1/stores/"))) == sorted([store.pk, new.pk])
    assert account_client.get(f"/api/v1/stores/{new.pk}/").json()["currency"] == "CNY"


def test_store_keys_and_other_roles_may_not_open_stores_or_change_settings(
    key_client, read_client, session_client, store
):
    body = {"name": "Second", "time_zone": "UTC", "currency": "USD"}
    assert key_client.post("/api/v1/stores/", body, format="json").status_code == 403
    assert read_client.post("/api/v1/stores/", body, format="json").status_code == 403
    assert session_client(Role.MANAGER).post("/api/v1/stores/", body, format="json").status_code == 403
    patch = {"currency": "GBP"}
    response = key_client.patch(f"/api/v1/stores/{store.pk}/", patch, format="json")
    assert response.status_code == 403
    assert errors(response) == {("", "permission_denied")}
    assert (
        session_client(Role.CASHIER).patch(f"/api/v1/stores/{store.pk}/", patch, format="json").status_code
        == 403
    )
    assert session_client(Role.COOK).get(f"/api/v1/stores/{store.pk}/").status_code == 403
    store.refresh_from_db()
    assert store.currency == "EUR"
    assert Store.objects.count() == 1


def test_store_settings_walk(account_client, store, other_store):
    response = account_client.patch(
        f"/api/v1/stores/{store.pk}/",
        {"service_charge_rate": "0.1000", "business_day_cutoff": "05:00", "prices_include_tax": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    store.refresh_from_db()
    assert (store.service_charge_rate, store.business_day_cutoff, store.prices_include_tax) == (
        Decimal("0.1000"),
        dt.time(5, 0),
        True,
    )
    assert AuditEntry.objects.filter(store=store, action="store_updated").count() == 1
    Store.objects.filter(pk=store.pk).update(updated_at=LONG_AGO)
    assert ids(account_client.get("/api/v1/stores/", {"updated_since": SINCE})) == []
    # `store` filters by slug (it was a 500 on the stores themselves, found by schemathesis)
    assert ids(account_client.get("/api/v1/stores/", {"store": store.slug})) == [store.pk]
    assert ids(account_client.get("/api/v1/stores/", {"store": "\u00fb\u0085"})) == []
    # A typo is a 400 naming it; a bad zone a 400 on its field; nothing is written.
    bad = account_client.patch(f"/api/v1/stores/{store.pk}/", {"time_zon": "UTC"}, format="json")
    assert bad.status_code == 400 and errors(bad) == {("time_zon", "unknown_field")}
    bad = account_client.patch(f"/api/v1/stores/{store.pk}/", {"time_zone": "Mars/Base"}, format="json")
    assert bad.status_code == 400 and {f for f, _c in errors(bad)} == {"time_zone"}
    # Another owner's store does not exist for this key.
    assert account_client.get(f"/api/v1/stores/{other_store.pk}/").status_code == 404
    assert (
        account_client.patch(f"/api/v1/stores/{other_store.pk}/", {"name": "x"}, format="json").status_code
        == 404
    )


def test_only_an_owner_creates_an_account_key_and_the_keys_page_offers_it(client, store, owner):
    manager = MembershipFactory(store=store, role=Role.MANAGER).user
    from restaurant_ops.errors import DomainError

    with pytest.raises(DomainError) as refused:
        api_key_create(store=store, name="x", scope="account", created_by=manager)
    assert refused.value.code == "owner_only"
    client.force_login(owner)
    page = client.post(f"/stores/{store.slug}/api-keys/", {"name": "POS account", "scope": "account"})
    assert page.status_code == 200
    key = ApiKey.objects.get(name="POS account")
    assert (key.scope, key.store, key.owner) == ("account", None, owner)
    assert "POS account" in client.get(f"/stores/{store.slug}/api-keys/").content.decode()
    client.post(f"/stores/{store.slug}/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEntry.objects.filter(store=store, action="api_key_revoked").count() == 1


def test_an_account_key_no_longer_covers_a_store_its_owner_left(account_client, store, owner):
    Membership.objects.filter(user=owner, store=store).update(role=Role.MANAGER)
    assert account_client.get(f"/api/v1/stores/{store.pk}/").status_code == 404


# --- tax categories --------------------------------------------------------------------------------


def test_tax_category_walk(account_client, store, other_store, read_client):
    url = "/api/v1/tax-categories/"
    created = account_client.post(
        url,
        {"store": store.slug, "name": "Food", "rate": "0.0900"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="tax-1",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert account_client.get(f"{url}{pk}/").json()["rate"] == "0.0900"
    updated = account_client.patch(f"{url}{pk}/", {"rate": "0.0600"}, format="json")
    assert updated.status_code == 200 and updated.json()["rate"] == "0.0600"
    second = account_client.post(
        url, {"store": store.slug, "name": "Drinks", "rate": "0.1300"}, format="json"
    )
    TaxCategory.objects.filter(pk=pk).update(updated_at=LONG_AGO)
    assert ids(account_client.get(url, {"updated_since": SINCE})) == [second.json()["id"]]
    duplicate = account_client.post(url, {"store": store.slug, "name": "food", "rate": "0.01"}, format="json")
    assert duplicate.status_code == 409 and errors(duplicate) == {("name", "duplicate")}
    typo = account_client.post(
        url, {"store": store.slug, "name": "X", "rate": "0.01", "rat": 1}, format="json"
    )
    assert typo.status_code == 400 and errors(typo) == {("rat", "unknown_field")}
    assert read_client.post(url, {"name": "X", "rate": "0.01"}, format="json").status_code == 403
    other = TaxCategory.objects.create(store=other_store, name="Theirs", rate="0.05")
    assert account_client.get(f"{url}{other.pk}/").status_code == 404
    # In use by an item: 409; once free, deleted.
    item = MenuItemFactory(store=store, tax_category_id=pk)
    in_use = account_client.delete(f"{url}{pk}/")
    assert in_use.status_code == 409 and errors(in_use) == {("tax_category", "in_use")}
    item.delete()
    assert account_client.delete(f"{url}{pk}/").status_code == 204
    assert not TaxCategory.objects.filter(pk=pk).exists()


# --- opening hours and dayparts --------------------------------------------------------------------


def test_opening_hours_walk(key_client, store, other_store, session_client):
    url = "/api/v1/opening-hours/"
    created = key_client.post(url, {"weekday": 0, "opens": "11:00", "closes": "15:00"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    evening = key_client.post(url, {"weekday": 0, "opens": "17:00", "closes": "01:00"}, format="json")
    assert evening.status_code == 201
    overlap = key_client.post(url, {"weekday": 0, "opens": "14:00", "closes": "16:00"}, format="json")
    assert overlap.status_code == 409 and errors(overlap) == {("opens", "overlap")}
    assert key_client.patch(f"{url}{pk}/", {"closes": "14:30"}, format="json").json()["closes"] == "14:30:00"
    OpeningHours.objects.filter(pk=pk).update(updated_at=LONG_AGO)
    assert ids(key_client.get(url, {"updated_since": SINCE})) == [evening.json()["id"]]
    typo = key_client.post(
        url, {"weekday": 1, "opens": "11:00", "closes": "15:00", "open": "x"}, format="json"
    )
    assert typo.status_code == 400 and errors(typo) == {("open", "unknown_field")}
    same = key_client.post(url, {"weekday": 1, "opens": "11:00", "closes": "11:00"}, format="json")
    assert same.status_code == 400 and errors(same) == {("closes", "invalid")}
    cook = session_client(Role.COOK)
    assert (
        cook.post(url, {"weekday": 2, "opens": "11:00", "closes": "15:00"}, format="json").status_code == 403
    )
    theirs = OpeningHours.objects.create(store=other_store, weekday=0, opens=dt.time(9), closes=dt.time(17))
    assert key_client.delete(f"{url}{theirs.pk}/").status_code == 404
    assert key_client.delete(f"{url}{pk}/").status_code == 204
    assert list(OpeningHours.objects.filter(store=store).values_list("opens", flat=True)) == [dt.time(17)]


def test_daypart_walk(key_client, store, other_store, session_client):
    url = "/api/v1/dayparts/"
    created = key_client.post(
        url, {"name": "lunch", "starts": "11:00", "ends": "14:00"}, format="json", HTTP_IDEMPOTENCY_KEY="dp-1"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert key_client.get(f"{url}{pk}/").json()["name"] == "lunch"
    assert key_client.patch(f"{url}{pk}/", {"ends": "15:00"}, format="json").json()["ends"] == "15:00:00"
    dinner = key_client.post(url, {"name": "dinner", "starts": "17:00", "ends": "22:00"}, format="json")
    Daypart.objects.filter(pk=pk).update(updated_at=LONG_AGO)
    assert ids(key_client.get(url, {"updated_since": SINCE})) == [dinner.json()["id"]]
    again = key_client.post(url, {"name": "lunch", "starts": "12:00", "ends": "13:00"}, format="json")
    assert again.status_code == 409 and errors(again) == {("name", "duplicate")}
    typo = key_client.post(
        url, {"name": "late", "starts": "22:00", "ends": "02:00", "end": "x"}, format="json"
    )
    assert typo.status_code == 400 and errors(typo) == {("end", "unknown_field")}
    cashier = session_client(Role.CASHIER)
    assert cashier.patch(f"{url}{pk}/", {"ends": "16:00"}, format="json").status_code == 403
    theirs = Daypart.objects.create(store=other_store, name="lunch", starts=dt.time(11), ends=dt.time(14))
    assert key_client.patch(f"{url}{theirs.pk}/", {"ends": "16:00"}, format="json").status_code == 404
    assert key_client.delete(f"{url}{pk}/").status_code == 204
    assert list(Daypart.objects.filter(store=store).values_list("name", flat=True)) == ["dinner"]
