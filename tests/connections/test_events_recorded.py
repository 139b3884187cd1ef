"""The orders events back offices subscribe to are recorded in the outbox, in their transaction."""

from decimal import Decimal

import pytest

from connections.models import OutboxEvent
from orders.services import LineRequest, check_close, order_cancel, order_place, payment_refund, payment_take
from tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db


def test_placed_paid_closed_refunded_and_cancelled_orders_are_recorded(store):
    item = MenuItemFactory(store=store, price=Decimal("10.00"))
    order = order_place(store=store, channel="till", lines=[LineRequest(item_id=item.pk, quantity=2)])
    check = order.guest_check
    payment = payment_take(guest_check=check, method="card", amount=check.total)
    check_close(guest_check=check)
    payment_refund(payment=payment, reason="cold soup", amount=Decimal("5.00"))
    second = order_place(store=store, channel="till", lines=[LineRequest(item_id=item.pk, quantity=1)])
    order_cancel(order=second, reason="guest left")

    events = list(OutboxEvent.objects.order_by("id").values_list("topic", "subject"))
    assert events == [
        ("order.placed", f"order:{order.pk}"),
        ("check.closed", f"check:{check.pk}"),
        ("payment.refunded", f"check:{check.pk}"),
        ("order.placed", f"order:{second.pk}"),
        ("order.cancelled", f"order:{second.pk}"),
    ]
    refund = OutboxEvent.objects.get(topic="payment.refunded").payload
    assert (refund["amount"], refund["method"]) == ("-5.00", "card")
