"""Owners manage webhook endpoints on a page and through the API; other roles cannot."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from connections.models import WebhookDelivery, WebhookEndpoint
from orders.services import LineRequest, order_place
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory

pytestmark = pytest.mark.django_db


def _client_for(store, role):
    client = Client()
    client.force_login(MembershipFactory(store=store, role=role).user)
    return client


def test_the_owner_adds_an_endpoint_rotates_and_replays_on_the_page(store):
    owner = _client_for(store, Role.OWNER)
    response = owner.post(
        f"/stores/{store.slug}/webhooks/",
        {"url": "https://erp.example/hooks", "topics": ["order.placed", "purchase_order.received"]},
    )
    endpoint = WebhookEndpoint.objects.get(store=store)
    assert response.status_code == 302 and response["Location"].endswith(f"?shown={endpoint.pk}")
    assert endpoint.topics == ["order.placed", "purchase_order.received"]
    page = owner.get(response["Location"]).content.decode()
    assert endpoint.secret in page

    old = endpoint.secret
    owner.post(f"/stores/{store.slug}/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert (endpoint.previous_secret, endpoint.secret != old) == (old, True)

    order_place(store=store, channel="till", lines=[LineRequest(item_id=MenuItemFactory(store=store).pk)])
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    delivery.state = "failed"
    delivery.save()
    owner.post(f"/stores/{store.slug}/webhooks/deliveries/{delivery.pk}/replay/")
    delivery.refresh_from_db()
    assert delivery.state == "pending"
    assert "order.placed" in owner.get(f"/stores/{store.slug}/webhooks/").content.decode()


def test_a_bad_url_is_refused_and_writes_nothing(store):
    owner = _client_for(store, Role.OWNER)
    page = owner.post(f"/stores/{store.slug}/webhooks/", {"url": "ftp://nope"}, follow=True)
    assert "Enter a full http:// or https:// address." in page.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER, Role.COOK])
def test_only_owners_see_the_page(store, role):
    assert _client_for(store, role).get(f"/stores/{store.slug}/webhooks/").status_code == 403


def test_the_api_manages_endpoints_with_the_stores_key(store, other_store, key_client):
    created = key_client.post(
        "/api/v1/webhooks/endpoints/",
        {"url": "https://erp.example/in", "topics": ["order.cancelled"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="wh-1",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["topics"] == ["order.cancelled"]
    bad = key_client.post("/api/v1/webhooks/endpoints/", {"url": "x", "topics": ["nope"]}, format="json")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"url", "topics[0]"}

    rotated = key_client.post(f"/api/v1/webhooks/endpoints/{body['id']}/rotate/")
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"]
    patched = key_client.patch(
        f"/api/v1/webhooks/endpoints/{body['id']}/", {"is_active": False}, format="json"
    )
    assert patched.json()["is_active"] is False

    theirs = WebhookEndpoint.objects.create(store=other_store, url="https://x.example", secret="whsec_x")
    assert key_client.get(f"/api/v1/webhooks/endpoints/{theirs.pk}/").status_code == 404
    assert [e["id"] for e in key_client.get("/api/v1/webhooks/endpoints/").json()["results"]] == [body["id"]]
    assert key_client.get("/api/v1/webhooks/deliveries/").status_code == 200


def test_a_cashier_session_cannot_create_endpoints(store):
    client = APIClient()
    client.force_login(MembershipFactory(store=store, role=Role.CASHIER).user)
    response = client.post("/api/v1/webhooks/endpoints/", {"url": "https://e.example/"}, format="json")
    assert response.status_code in (403, 404)
    assert not WebhookEndpoint.objects.exists()
