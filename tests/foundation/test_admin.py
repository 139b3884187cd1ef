"""The admin is not a second write path: money and service-owned fields cannot be changed there, the
one-default-station rule holds there too, and only superusers created on purpose open it."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from inventory.models import StockMovement
from inventory.services import stock_movement_record
from kitchen.models import Station
from kitchen.services import station_create
from orders.models import Payment, Receipt
from orders.services import LineRequest, order_place, payment_take
from restaurant_ops.models import AuditEntry, Role
from tests.factories import MembershipFactory, MenuItemFactory
from tests.inventory.factories import IngredientFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def admin_client(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pass-word-123")
    client.force_login(root)
    return client


@pytest.fixture
def paid(store):
    """A 12.00 burger (no tax category, prices exclusive) paid in cash: one payment, receipt number 1."""
    burger = MenuItemFactory(store=store, name="Burger", price=D("12.00"))
    order = order_place(store=store, lines=[LineRequest(item_id=burger.pk, quantity=1)], channel="till")
    check = order.guest_check
    check.refresh_from_db()
    payment_take(guest_check=check, method="cash", amount=check.balance)
    return {
        "item": burger,
        "receipt": Receipt.objects.get(guest_check=check),
        "payment": Payment.objects.get(),
    }


def test_admin_cannot_change_a_menu_price_but_changes_it_through_the_audited_service(admin_client, paid):
    item = paid["item"]
    url = f"/admin/orders/menuitem/{item.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="price"' not in page  # shown read-only, not as an input
    form = {
        "store": item.store_id,
        "category": item.category_id,
        "name": item.name,
        "price": "1.00",
        "sold_out_stock": "on",
        "is_active": "on",
        "position": 0,
        "kitchen_name": "",
        "external_id": "",
        "description": "",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.price == D("12.00") and item.sold_out_stock is False
    assert not AuditEntry.objects.filter(action="menu_price_changed").exists()

    admin_client.post(url, {**form, "new_price": "13.50", "price_reason": "supplier rise"})
    item.refresh_from_db()
    assert item.price == D("13.50")
    entry = AuditEntry.objects.get(action="menu_price_changed")
    assert (entry.data, entry.reason, entry.actor.username) == (
        {"old": "12.00", "new": "13.50"},
        "supplier rise",
        "root",
    )


def test_admin_cannot_change_receipts_payments_or_audit_rows(admin_client, paid):
    receipt, payment = paid["receipt"], paid["payment"]
    entry = AuditEntry.objects.create(store=receipt.store, action="refund", reason="original")
    cases = [
        (f"/admin/orders/receipt/{receipt.pk}/change/", {"number": "99", "store": receipt.store_id}),
        (f"/admin/orders/payment/{payment.pk}/change/", {"amount": "0.01", "method": "card"}),
        (f"/admin/restaurant_ops/auditentry/{entry.pk}/change/", {"reason": "rewritten", "action": "x"}),
    ]
    for url, data in cases:
        assert admin_client.post(url, data).status_code == 403, url
        assert admin_client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403, url
    for model in ("receipt", "payment"):
        assert admin_client.get(f"/admin/orders/{model}/add/").status_code == 403
    assert admin_client.get("/admin/restaurant_ops/auditentry/add/").status_code == 403
    receipt.refresh_from_db()
    payment.refresh_from_db()
    entry.refresh_from_db()
    assert (receipt.number, payment.amount, payment.method, entry.reason) == (
        1,
        D("12.00"),
        "cash",
        "original",
    )


def test_admin_cannot_change_or_delete_a_ledger_row(admin_client, store):
    flour = IngredientFactory(store=store)
    movement = stock_movement_record(
        store=store,
        ingredient=flour,
        kind="receipt",
        quantity=Decimal("5"),
        reason="opening",
        unit_cost=Decimal("2.00"),
    )
    url = f"/admin/inventory/stockmovement/{movement.pk}/change/"
    assert admin_client.post(url, {"quantity": "500", "kind": "receipt", "reason": "x"}).status_code == 403
    assert admin_client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/inventory/stockmovement/add/").status_code == 403
    movement.refresh_from_db()
    flour.refresh_from_db()
    assert (movement.quantity, StockMovement.objects.count(), flour.on_hand) == (D("5"), 1, D("5"))


def test_ticking_default_station_in_the_admin_moves_the_default(admin_client, store):
    grill = station_create(store=store, name="Grill", is_default=True)
    fryer = station_create(store=store, name="Fryer")
    base = {"store": store.pk, "ticket_target_minutes": 12}
    url = f"/admin/kitchen/station/{fryer.pk}/change/"
    response = admin_client.post(url, {**base, "name": "Fryer", "is_default": "on", "position": 1})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Station.objects.filter(is_default=True).values_list("name", flat=True)) == ["Fryer"]

    # Unticking the only default is refused with a message (there is always one to route to).
    response = admin_client.post(url, {**base, "name": "Fryer", "position": 1})
    assert response.status_code == 200 and "Make another station the default" in response.content.decode()
    grill.refresh_from_db()
    assert grill.is_default is False and Station.objects.get(pk=fryer.pk).is_default is True

    # A new default station added in the admin takes over too.
    response = admin_client.post(
        "/admin/kitchen/station/add/", {**base, "name": "Wok", "is_default": "on", "position": 2}
    )
    assert response.status_code == 302
    assert list(Station.objects.filter(is_default=True).values_list("name", flat=True)) == ["Wok"]


@pytest.mark.parametrize("flags", [{}, {"is_staff": True}])
def test_the_admin_is_for_superusers_only(client, store, flags):
    """A store owner (even one given the staff flag) is sent to the admin's login, not let in."""
    owner = MembershipFactory(store=store, role=Role.OWNER).user
    get_user_model().objects.filter(pk=owner.pk).update(**flags)
    client.force_login(owner)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/orders/menuitem/").status_code == 302


def test_a_modifier_price_changed_in_the_admin_goes_through_the_audited_service(admin_client, store):
    from orders.models import Modifier
    from tests.factories import ModifierFactory, ModifierGroupFactory

    group = ModifierGroupFactory(store=store, name="Size", min_choices=0, max_choices=1)
    large = ModifierFactory(group=group, name="Large", price_delta=D("3.00"))
    form = {
        "store": store.pk,
        "name": "Size",
        "name_zh": "",
        "min_choices": 0,
        "max_choices": 1,
        "position": 0,
        "modifiers-TOTAL_FORMS": 1,
        "modifiers-INITIAL_FORMS": 1,
        "modifiers-MIN_NUM_FORMS": 0,
        "modifiers-MAX_NUM_FORMS": 1000,
        "modifiers-0-id": large.pk,
        "modifiers-0-group": group.pk,
        "modifiers-0-name": "Large",
        "modifiers-0-name_zh": "",
        "modifiers-0-price_delta": "3.50",
        "modifiers-0-external_id": "",
        "modifiers-0-is_active": "on",
        "modifiers-0-position": 0,
    }
    response = admin_client.post(f"/admin/orders/modifiergroup/{group.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Modifier.objects.get(pk=large.pk).price_delta == D("3.50")
    entry = AuditEntry.objects.get(action="modifier_price_changed")
    assert (entry.data, entry.actor.username) == ({"old": "3.00", "new": "3.50"}, "root")
