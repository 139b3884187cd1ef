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
    assert f'data-live-url="/kitchen/{store.slug}/display/board/?station={grill.pk}"' in page
    ticket = Ticket.objects.get(order=order)
    board = cook_client.post(f"/kitchen/{store.slug}/tickets/{ticket.pk}/start/", HTTP_HX_REQUEST="true")
    assert board.status_code == 200
    cook_client.post(f"/kitchen/{store.slug}/tickets/{ticket.pk}/bump/")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.READY
    assert "Skewer" not in cook_client.get(f"/kitchen/{store.slug}/display/board/").content.decode()


def test_the_board_answers_304_until_a_ticket_changes(cook_client, store):
    """The display polls every second with the version it shows: nothing is rendered while nothing
    changed; a new ticket, a voided line and a bump each move the version."""
    from orders.services import order_line_void

    StationFactory(store=store, name="Grill", is_default=True)
    item, wings = MenuItemFactory(store=store, name="Skewer"), MenuItemFactory(store=store, name="Wings")
    url = f"/kitchen/{store.slug}/display/board/"

    def poll(etag):
        response = cook_client.get(url, HTTP_IF_NONE_MATCH=etag)
        return response.status_code, response["ETag"], response.content.decode()

    status, empty, body = poll("")
    assert status == 200 and "No open tickets" in body
    assert poll(empty)[:2] == (304, empty)

    order = order_place(
        store=store,
        channel="api",
        lines=[LineRequest(item_id=item.pk, quantity=2), LineRequest(item_id=wings.pk, quantity=1)],
    )
    status, placed, body = poll(empty)
    assert status == 200 and placed != empty and "Skewer" in body
    assert poll(placed)[0] == 304

    order_line_void(line=order.lines.get(name="Skewer"), reason="Guest changed their mind")
    status, voided, body = poll(placed)
    assert status == 200 and voided != placed and 'class="void"' in body

    cook_client.post(f"/kitchen/{store.slug}/tickets/{Ticket.objects.get(order=order).pk}/bump/")
    status, bumped, body = poll(voided)
    assert status == 200 and "Skewer" not in body and poll(bumped)[0] == 304


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
