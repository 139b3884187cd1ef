"""A complaint carries its operational facts: the check's ticket times against the station's target,
the staffing gap in the hour it was served, the dish's recipe or supplier change."""

import datetime as dt

from django.utils import timezone

from customers import services
from customers.models import Source
from kitchen.models import Ticket
from orders.services import LineRequest, order_place, payment_take
from staffing.models import StaffingRequirement
from tests.kitchen.factories import StationFactory
from tests.staffing.factories import PositionFactory


def _served_check(shop, minutes: int):
    """A table's burger, its ticket ready `minutes` after it was queued, and the check paid."""
    StationFactory(store=shop.store, name="Grill", is_default=True, ticket_target_minutes=10)
    order = order_place(
        store=shop.store,
        table=shop.table,
        channel="qr",
        lines=[LineRequest(item_id=shop.burger.pk, quantity=1)],
    )
    ticket = Ticket.objects.get(order=order)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.READY, ready_at=ticket.queued_at + dt.timedelta(minutes=minutes)
    )
    check = order.guest_check
    check.refresh_from_db()
    payment_take(guest_check=check, method="card", amount=check.total)
    check.refresh_from_db()
    return order, check


def test_a_slow_service_complaint_is_linked_to_its_ticket_times_and_the_staffing_gap(shop):
    order, check = _served_check(shop, minutes=14)
    hour = order.placed_at.astimezone(shop.store.tz).replace(minute=0, second=0, microsecond=0)
    cook = PositionFactory(store=shop.store, name="Cook")
    StaffingRequirement.objects.create(
        store=shop.store, position=cook, hour_start=hour, needed_staff=3, computed_at=timezone.now()
    )
    feedback = services.feedback_leave(guest_check=check, rating=2, tags=["slow"], source=Source.QR)
    feedback.refresh_from_db()
    # One ticket, 14 minutes from queued to ready, against the Grill's 10: over target.
    assert feedback.facts["ticket"] == {
        "station": "Grill",
        "minutes": "14.0",
        "target": 10,
        "over_target": True,
        "tickets": 1,
    }
    # 3 cooks needed that hour, no shift covers it: 3 short.
    assert feedback.facts["staffing"]["short"] == [
        {"position": "Cook", "position_id": cook.pk, "needed": 3, "scheduled": 0, "missing": 3}
    ]
    assert feedback.is_complaint


def test_a_happy_rating_records_fast_tickets_too(shop):
    _order, check = _served_check(shop, minutes=6)
    feedback = services.feedback_leave(guest_check=check, rating=5, source=Source.RECEIPT)
    feedback.refresh_from_db()
    assert feedback.facts["ticket"]["over_target"] is False and feedback.facts["ticket"]["minutes"] == "6.0"
    assert feedback.facts["staffing"] == {
        "hour": feedback.facts["staffing"]["hour"],
        "planned": False,
        "short": [],
    }
    assert not feedback.is_complaint
