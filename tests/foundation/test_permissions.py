"""The permission matrix and the manager's PIN approval, recorded in the audit trail."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orders.models import Order
from orders.services import LineRequest, order_place
from restaurant_ops.models import AuditEntry, Role
from restaurant_ops.services import membership_set_pin
from tests.factories import MembershipFactory, MenuItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store):
    item = MenuItemFactory(store=store, price=Decimal("5.00"))
    return order_place(store=store, lines=[LineRequest(item_id=item.pk)], channel="till")


def client_for(membership):
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def test_cashier_needs_a_manager_pin_to_void(store, order):
    cashier = MembershipFactory(store=store, role=Role.CASHIER)
    manager = MembershipFactory(store=store, role=Role.MANAGER)
    membership_set_pin(membership=manager, pin="432157")
    client = client_for(cashier)
    url = f"/api/v1/orders/{order.pk}/cancel/"

    refused = client.post(url, {"reason": "guest left"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0] == {
        "field": "approver_pin",
        "code": "approval_required",
        "message": refused.json()["errors"][0]["message"],
    }
    wrong = client.post(url, {"reason": "guest left", "approver_pin": "0000"}, format="json")
    assert wrong.status_code == 403 and wrong.json()["errors"][0]["code"] == "invalid_pin"
    assert Order.objects.get(pk=order.pk).status == "placed"

    approved = client.post(url, {"reason": "guest left", "approver_pin": "432157"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "cancelled"
    entry = AuditEntry.objects.get(action="order_cancelled")
    assert (entry.actor, entry.approved_by, entry.reason) == (cashier.user, manager.user, "guest left")


def test_a_managers_own_void_needs_no_pin(store, order):
    manager = MembershipFactory(store=store, role=Role.MANAGER)
    response = client_for(manager).post(
        f"/api/v1/orders/{order.pk}/cancel/", {"reason": "mistake"}, format="json"
    )
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="order_cancelled").approved_by is None


def test_a_cook_cannot_take_orders(store):
    cook = MembershipFactory(store=store, role=Role.COOK)
    item = MenuItemFactory(store=store)
    response = client_for(cook).post(
        "/api/v1/orders/", {"lines": [{"item": item.pk, "quantity": 1}]}, format="json"
    )
    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_only_owners_manage_api_keys(client, store):
    manager = MembershipFactory(store=store, role=Role.MANAGER)
    owner = MembershipFactory(store=store, role=Role.OWNER)
    client.force_login(manager.user)
    assert client.get(f"/stores/{store.slug}/api-keys/").status_code == 403
    client.force_login(owner.user)
    response = client.post(f"/stores/{store.slug}/api-keys/", {"name": "Till 2", "scope": "write"})
    assert response.status_code == 200
    raw = response.context["new_key"]["raw"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api.get("/api/v1/orders/").status_code == 200
    assert AuditEntry.objects.filter(action="api_key_created", actor=owner.user).exists()


def test_a_page_of_another_store_is_404(client, store, other_store):
    owner = MembershipFactory(store=store, role=Role.OWNER)
    client.force_login(owner.user)
    assert client.get(f"/stores/{other_store.slug}/api-keys/").status_code == 404
