import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kitchen import services
from kitchen.models import PrepTask, Ticket
from orders.models import Order
from orders.services import LineRequest, order_cancel, order_place
from restaurant_ops.errors import DomainError
from tests.factories import MenuItemFactory, ModifierFactory, ModifierGroupFactory
from tests.kitchen.factories import StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kitchen(store):
    grill = StationFactory(store=store, name="Grill", is_default=True)
    drinks = StationFactory(store=store, name="Drinks")
    burger, cola = MenuItemFactory(store=store, name="Burger"), MenuItemFactory(store=store, name="Cola")
    services.kitchen_item_set(menu_item=cola, station=drinks)
    return grill, drinks, burger, cola


def test_an_order_gets_one_ticket_per_station_with_lines_modifiers_and_notes(kitchen, store):
    grill, drinks, burger, cola = kitchen
    group = ModifierGroupFactory(store=store)
    cheese = ModifierFactory(group=group, name="Extra cheese")
    burger.modifier_groups.add(group)
    order = order_place(
        store=store,
        channel="api",
        lines=[
            LineRequest(item_id=burger.pk, quantity=2, modifier_ids=[cheese.pk], note="no onions"),
            LineRequest(item_id=cola.pk, quantity=3),
        ],
    )
    tickets = {t.station_id: t for t in Ticket.objects.filter(order=order)}
    assert set(tickets) == {grill.pk, drinks.pk}
    line = tickets[grill.pk].lines.get()
    assert (line.name, line.quantity, line.modifiers, line.note) == (
        "Burger",
        2,
        ["Extra cheese"],
        "no onions",
    )
    assert tickets[drinks.pk].lines.get().quantity == 3


def test_first_start_moves_the_order_to_the_kitchen_and_last_bump_makes_it_ready(kitchen, store):
    _grill, _drinks, burger, cola = kitchen
    order = order_place(
        store=store, channel="api", lines=[LineRequest(item_id=burger.pk), LineRequest(item_id=cola.pk)]
    )
    first, second = Ticket.objects.filter(order=order).order_by("station__name")
    services.ticket_start(ticket=first)
    order.refresh_from_db()
    assert order.status == Order.Status.IN_KITCHEN
    services.ticket_bump(ticket=first)
    order.refresh_from_db()
    assert order.status == Order.Status.IN_KITCHEN  # the other station is still working
    services.ticket_bump(ticket=second)
    order.refresh_from_db()
    second.refresh_from_db()
    assert order.status == Order.Status.READY
    assert second.ready_at is not None
    assert second.started_at is None


def test_a_cancelled_order_withdraws_its_tickets(kitchen, store):
    _grill, _drinks, burger, _cola = kitchen
    order = order_place(store=store, channel="api", lines=[LineRequest(item_id=burger.pk)])
    order_cancel(order=order, reason="wrong table")
    ticket = Ticket.objects.get(order=order)
    assert ticket.status == Ticket.Status.WITHDRAWN
    with pytest.raises(DomainError):
        services.ticket_bump(ticket=ticket)


def test_prep_upsert_is_idempotent_and_done_closes_it(store):
    item = MenuItemFactory(store=store)
    ready_by = timezone.now() + dt.timedelta(hours=3)
    services.prep_task_upsert(store=store, menu_item=item, quantity=12, ready_by=ready_by)
    task = services.prep_task_upsert(store=store, menu_item=item, quantity=15, ready_by=ready_by)
    assert PrepTask.objects.count() == 1
    assert task.quantity == Decimal("15.0")
    services.prep_task_done(task=task)
    services.prep_task_upsert(store=store, menu_item=item, quantity=4, ready_by=ready_by)
    assert PrepTask.objects.filter(done=False).get().quantity == Decimal("4.0")
