import datetime as dt

import pytest
from django.utils import timezone

from kitchen.models import PrepTask, Ticket
from orders.services import LineRequest, order_place
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory
from tests.kitchen.factories import StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cook_client(client, store):
    client.force_login(MembershipFactory(store=store, role=Role.COOK).user)
    return client


def test_display_shows_open_tickets_and_buttons_move_them(cook_client, store):
    grill = StationFactory(store=store, name="Grill", is_default=True)
    item = MenuItemFactory(store=store, name="Skewer")
    order = order_place(
        store=store, channel="api", lines=[LineRequest(item_id=item.pk, quantity=3, note="well done")]
    )
    page = cook_client.get(f"/kitchen/{store.slug}/display/?station={grill.pk}").content.decode()
    assert "Skewer" in page
    assert "well done" in page
    assert 'hx-trigger="every 1s"' in page
    ticket = Ticket.objects.get(order=order)
    board = cook_client.post(f"/kitchen/{store.slug}/tickets/{ticket.pk}/start/", HTTP_HX_REQUEST="true")
    assert board.status_code == 200
    cook_client.post(f"/kitchen/{store.slug}/tickets/{ticket.pk}/bump/")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.READY
    assert "Skewer" not in cook_client.get(f"/kitchen/{store.slug}/display/board/").content.decode()


def test_prep_page_adds_and_finishes_tasks(cook_client, store):
    item = MenuItemFactory(store=store, name="Marinated wings")
    ready = timezone.localtime(timezone.now() + dt.timedelta(hours=2), store.tz).strftime("%Y-%m-%dT%H:%M")
    cook_client.post(
        f"/kitchen/{store.slug}/prep/", {"menu_item": item.pk, "quantity": "20", "ready_by": ready}
    )
    task = PrepTask.objects.get()
    assert "Marinated wings" in cook_client.get(f"/kitchen/{store.slug}/prep/").content.decode()
    cook_client.post(f"/kitchen/{store.slug}/prep/{task.pk}/done/")
    task.refresh_from_db()
    assert task.done
