"""Refunds by line, through the service, the till page and the API. Money worked by hand on the
`shop` (10% tax on top, 10% service): table T1 orders 2 burgers (12.00) and a soda (3.50), due 33.00,
paid by card. The burger line's charge is 24.00 + 2.40 tax + 2.40 service = 28.80, 14.40 a burger;
the soda's 3.50 + 0.35 + 0.35 = 4.20. Each burger takes 150 g of beef (1000 g in stock)."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from rest_framework.test import APIClient

from inventory import services as inventory
from inventory.models import StockMovement
from kitchen.models import Ticket, TicketLine
from kitchen.services import ticket_start
from orders.models import Payment, RefundLine
from orders.services import LineRefund, LineRequest, order_place, payment_refund, payment_take
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import AuditEntry
from tests.inventory.factories import IngredientFactory
from tests.kitchen.factories import StationFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def paid(shop):
    store = shop.store
    StationFactory(store=store, name="Pass", is_default=True)
    beef = IngredientFactory(store=store, name="Beef", base_unit="g")
    inventory.recipe_line_set(
        store=store, menu_item=shop.burger, ingredient=beef, quantity=D("150"), unit="g"
    )
    inventory.stock_movement_record(
        store=store,
        ingredient=beef,
        kind="receipt",
        quantity=D("1000"),
        unit="g",
        unit_cost=D("0.02"),
        reason="x",
    )
    order = order_place(
        store=store,
        table=shop.table,
        channel="api",
        lines=[LineRequest(item_id=shop.burger.pk, quantity=2), LineRequest(item_id=shop.soda.pk)],
    )
    payment = payment_take(guest_check=order.guest_check, method="card", amount=Decimal("33.00"))
    shop.order, shop.payment, shop.beef = order, payment, beef
    shop.burger_line = order.lines.get(name="Burger")
    shop.soda_line = order.lines.get(name="Soda")
    return shop


def on_hand(beef) -> Decimal:
    beef.refresh_from_db()
    return beef.on_hand


def ledger(beef) -> Decimal:
    return StockMovement.objects.filter(ingredient=beef).aggregate(s=Sum("quantity"))["s"]


def written():
    return (
        Payment.objects.count(),
        RefundLine.objects.count(),
        StockMovement.objects.count(),
        AuditEntry.objects.count(),
        TicketLine.objects.filter(voided_quantity__gt=0).count(),
    )


def test_a_refund_by_line_returns_unmade_food_and_wastes_started_food(paid):
    assert on_hand(paid.beef) == D("700")  # 1000 − 2 × 150
    first = payment_refund(
        payment=paid.payment, lines=[LineRefund(line_id=paid.burger_line.pk, quantity=1)], reason="Too slow"
    )
    assert first.amount == D("-14.40")
    assert list(first.refund_lines.values_list("line_id", "quantity", "amount")) == [
        (paid.burger_line.pk, 1, D("14.40"))
    ]
    assert on_hand(paid.beef) == D("850") == ledger(paid.beef)  # the ticket had not started
    ticket = Ticket.objects.get(order=paid.order)
    assert ticket.lines.get(name="Burger").voided_quantity == 1

    ticket_start(ticket=ticket)
    second = payment_refund(
        payment=paid.payment,
        lines=[LineRefund(line_id=paid.burger_line.pk), LineRefund(line_id=paid.soda_line.pk)],
        reason="Cold",
    )
    # The second burger: 28.80 for both, less the 14.40 already back = 14.40; the soda 4.20.
    assert second.amount == D("-18.60")
    # The burger was on the grill: on hand stays 850, the ledger records 150 g of waste.
    assert on_hand(paid.beef) == D("850") == ledger(paid.beef)
    assert StockMovement.objects.get(ingredient=paid.beef, kind="waste").quantity == D("-150")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WITHDRAWN  # nothing left to make on it
    paid.payment.guest_check.refresh_from_db()
    assert paid.payment.guest_check.paid_total == D("0.00")  # 33.00 − 14.40 − 18.60

    with pytest.raises(DomainErrors) as error:
        payment_refund(payment=paid.payment, lines=[LineRefund(line_id=paid.soda_line.pk)], reason="Again")
    assert [(e.field, e.code) for e in error.value.errors] == [("lines[0].quantity", "out_of_range")]


def test_bad_lines_are_all_named_and_nothing_is_written(paid, shop):
    other = order_place(
        store=shop.store, table=shop.table2, channel="api", lines=[LineRequest(item_id=shop.soda.pk)]
    )
    before = written()
    with pytest.raises(DomainErrors) as error:
        payment_refund(
            payment=paid.payment,
            lines=[
                LineRefund(line_id=other.lines.get().pk),  # on another check
                LineRefund(line_id=paid.burger_line.pk, quantity=3),  # only 2 ordered
                LineRefund(line_id=paid.soda_line.pk, quantity=1),
                LineRefund(line_id=paid.soda_line.pk, quantity=1),
            ],
            reason="Mistake",
        )
    assert [(e.field, e.code) for e in error.value.errors] == [
        ("lines[0].line", "not_on_check"),
        ("lines[1].quantity", "out_of_range"),
        ("lines[3].line", "repeated"),
    ]
    with pytest.raises(DomainError) as one_of:
        payment_refund(
            payment=paid.payment,
            amount=Decimal("1.00"),
            lines=[LineRefund(line_id=paid.soda_line.pk)],
            reason="x",
        )
    assert one_of.value.field == "amount" and one_of.value.code == "one_of"
    assert written() == before and on_hand(paid.beef) == D("700")


def test_the_till_page_refunds_items_with_the_managers_pin(client, paid):
    client.force_login(paid.cashier)
    check = paid.payment.guest_check
    url = reverse("orders:check-action", args=[paid.store.slug, check.pk, "refund"])
    page = client.get(reverse("orders:check", args=[paid.store.slug, check.pk])).content.decode()
    assert f'name="refund-line-{paid.burger_line.pk}"' in page and 'max="2"' in page
    form = {
        "mode": "lines",
        "payment": paid.payment.pk,
        "reason": "Burnt",
        f"refund-line-{paid.burger_line.pk}": "1",
    }
    before = written()
    refused = client.post(url, form, follow=True)
    assert "PIN" in refused.content.decode() and written() == before
    bad = client.post(
        url, {**form, f"refund-line-{paid.burger_line.pk}": "x", "approver_pin": "246813"}, follow=True
    )
    assert "Enter whole numbers." in bad.content.decode() and written() == before
    too_many = client.post(
        url, {**form, f"refund-line-{paid.burger_line.pk}": "5", "approver_pin": "246813"}, follow=True
    )
    assert "Burger: refund a whole number from 1 to 2." in too_many.content.decode() and written() == before

    client.post(url, {**form, "approver_pin": "246813"})
    refund = Payment.objects.get(kind="refund")
    assert refund.amount == D("-14.40") and refund.approved_by == paid.manager
    assert on_hand(paid.beef) == D("850")
    page = client.get(reverse("orders:check", args=[paid.store.slug, check.pk])).content.decode()
    assert "1 refunded" in page


def test_the_api_refunds_by_line_with_field_errors_and_a_pin(paid):
    api = APIClient()
    api.force_authenticate(paid.cashier)
    url = f"/api/v1/payments/{paid.payment.pk}/refund/"
    body = {
        "reason": "Cold",
        "approver_pin": "246813",
        "lines": [{"line": paid.burger_line.pk, "quantity": 1}],
    }
    before = written()
    no_pin = api.post(url, {k: v for k, v in body.items() if k != "approver_pin"}, format="json")
    assert no_pin.status_code == 403 and no_pin.json()["errors"][0]["field"] == "approver_pin"
    zero = api.post(url, {**body, "lines": [{"line": paid.soda_line.pk, "quantity": 0}]}, format="json")
    assert zero.status_code == 400 and zero.json()["errors"][0]["field"] == "lines[0].quantity"
    unknown = api.post(url, {**body, "lines": [{"line": 999999, "quantity": 1}]}, format="json")
    assert unknown.status_code == 404  # not on the check: 404 by the error table
    assert unknown.json()["errors"] == [
        {"field": "lines[0].line", "code": "not_on_check", "message": "This item is not on the check."}
    ]
    both = api.post(url, {**body, "amount": "5.00"}, format="json")
    assert both.status_code == 400 and both.json()["errors"][0]["field"] == "amount"
    assert written() == before

    done = api.post(url, body, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["amount"] == "-14.40"
    assert done.json()["refund_lines"] == [{"line": paid.burger_line.pk, "quantity": 1, "amount": "14.40"}]
    assert on_hand(paid.beef) == D("850") == ledger(paid.beef)
