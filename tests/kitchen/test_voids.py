"""What the kitchen does when an order is undone or finished elsewhere: a voided line stays on its
ticket, struck and marked VOID, until the cook bumps the ticket; a ticket left with nothing to make
is withdrawn; an order marked ready at the till leaves the display."""

import pytest

from kitchen.models import Ticket, TicketLine
from kitchen.services import ticket_bump, ticket_start
from orders.services import LineRequest, order_line_void, order_place, order_set_status
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory
from tests.kitchen.factories import StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grill_order(store):
    StationFactory(store=store, name="Grill", is_default=True)
    skewer = MenuItemFactory(store=store, name="Lamb skewer")
    wings = MenuItemFactory(store=store, name="Chicken wings")
    order = order_place(
        store=store,
        channel="api",
        lines=[LineRequest(item_id=skewer.pk, quantity=2), LineRequest(item_id=wings.pk, quantity=1)],
    )
    return order, Ticket.objects.get(order=order)


def test_a_voided_line_shows_as_void_until_the_cook_bumps(client, store, grill_order):
    order, ticket = grill_order
    ticket_start(ticket=ticket)
    order_line_void(line=order.lines.get(name="Lamb skewer"), reason="Wrong dish")
    voided = TicketLine.objects.get(ticket=ticket, name="Lamb skewer")
    assert voided.voided_quantity == 2 and voided.is_void
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.STARTED  # the wings are still to make

    client.force_login(MembershipFactory(store=store, role=Role.COOK).user)
    board = client.get(f"/kitchen/{store.slug}/display/board/").content.decode()
    assert '<li class="void"><s><span class="qty">2×</span>Lamb skewer</s>' in board
    assert '<strong class="void-tag">VOID</strong>' in board
    assert "Chicken wings" in board and board.count("void-tag") == 1

    ticket_bump(ticket=ticket)
    assert "Lamb skewer" not in client.get(f"/kitchen/{store.slug}/display/board/").content.decode()


def test_voiding_every_line_withdraws_the_ticket(store, grill_order):
    order, ticket = grill_order
    for line in order.lines.all():
        order_line_void(line=line, reason="Guest left")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WITHDRAWN and ticket.withdrawn_at is not None
    assert all(line.is_void for line in ticket.lines.all())


def test_an_order_marked_ready_at_the_till_leaves_the_display(store, grill_order):
    order, ticket = grill_order
    order_set_status(order=order, status="ready")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.READY and ticket.ready_at is not None
