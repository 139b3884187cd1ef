from decimal import Decimal

import pytest

from inventory import services
from inventory.models import PurchaseOrder, StockCount
from restaurant_ops.models import Role
from tests.factories import MembershipFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, store):
    client.force_login(MembershipFactory(store=store, role=Role.MANAGER).user)
    return client


def test_stock_pages_render_and_a_cook_is_refused(client, manager_client, store):
    IngredientFactory(store=store, name="Basmati rice")
    for url in [
        f"/inventory/{store.slug}/?q=basmati",
        f"/inventory/{store.slug}/count/",
        f"/inventory/{store.slug}/purchase-orders/",
    ]:
        response = manager_client.get(url)
        assert response.status_code == 200, url
    assert "Basmati rice" in manager_client.get(f"/inventory/{store.slug}/?q=basm").content.decode()
    cook = MembershipFactory(store=store, role=Role.COOK).user
    client.force_login(cook)
    assert client.get(f"/inventory/{store.slug}/").status_code == 403


def test_count_page_posts_a_count(manager_client, store):
    rice = IngredientFactory(store=store, base_unit="g")
    response = manager_client.post(f"/inventory/{store.slug}/count/", {f"count-{rice.pk}": "2500"})
    assert response.status_code == 302
    rice.refresh_from_db()
    assert rice.on_hand == Decimal("2500")
    assert StockCount.objects.get().lines.get().variance == Decimal("2500")


@pytest.fixture
def rice_po(store):
    """A draft for 5 kg of rice at 0.003 per gram."""
    rice = IngredientFactory(store=store, base_unit="g")
    return services.purchase_order_create_draft(
        store=store,
        supplier=SupplierFactory(store=store),
        lines=[{"ingredient": rice, "quantity": Decimal("5"), "unit": "kg", "unit_price": Decimal("0.003")}],
    )


def test_po_page_sends_and_receives(
    manager_client, store, rice_po, mailoutbox_backend, django_capture_on_commit_callbacks
):
    po, rice = rice_po, rice_po.lines.get().ingredient
    base = f"/inventory/{store.slug}/purchase-orders/{po.pk}/"
    assert manager_client.get(base).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(base + "send/")
    line = po.lines.get()
    manager_client.post(base + "receive/", {f"qty-{line.pk}": "5000", f"price-{line.pk}": "0.0028"})
    po.refresh_from_db()
    rice.refresh_from_db()
    assert po.status == PurchaseOrder.Status.RECEIVED
    assert rice.on_hand == Decimal("5000")


def test_a_refused_receipt_answers_400_names_the_field_keeps_the_typing_and_writes_nothing(
    manager_client, store, rice_po, django_capture_on_commit_callbacks
):
    po, rice = rice_po, rice_po.lines.get().ingredient
    base = f"/inventory/{store.slug}/purchase-orders/{po.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(base + "send/")
    line = po.lines.get()
    response = manager_client.post(base + "receive/", {f"qty-{line.pk}": "5000", f"price-{line.pk}": "cheap"})
    page = response.content.decode()
    assert response.status_code == 400
    assert f"price-{line.pk}:" in page and 'value="cheap"' in page and 'value="5000"' in page
    po.refresh_from_db()
    rice.refresh_from_db()
    assert po.status == PurchaseOrder.Status.SENT and rice.on_hand == Decimal("0")
