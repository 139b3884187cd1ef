"""Hypothesis over the pages' forms (the guest's QR order, the till's order and payment): whatever is
typed, the answer is never a 5xx, and a refused form writes nothing."""

from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import Order, Payment
from orders.services import check_open, table_session_open
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory, TableFactory

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# Plausible values, hostile ones and noise: numbers, words, exponents, NUL bytes, huge digits.
field = st.one_of(
    st.sampled_from(["", "1", "2", "0", "-1", "1e30", "NaN", "abc", "\x00", "9" * 30, "1.5", " 3 "]),
    st.text(max_size=40),
)


@pytest.fixture
def shop(store, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"table": "100000/min"}}
    item = MenuItemFactory(store=store, price=Decimal("4.00"))
    table = TableFactory(store=store)
    cashier = Client(raise_request_exception=False)
    cashier.force_login(MembershipFactory(store=store, role=Role.CASHIER).user)
    return {"store": store, "item": item, "table": table, "cashier": cashier}


def _answered(response, before: int, after: int) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert after == before


@given(qty=field, item=field, modifier=field, note=field)
@FUZZ
def test_the_guest_order_form(shop, qty, item, modifier, note):
    session = table_session_open(table=shop["table"])
    data = {"session": session.token, f"qty-{shop['item'].pk}": qty, f"qty-{item}": "1", "note": note}
    data[f"mod-{shop['item'].pk}"] = modifier
    before = Order.objects.count()
    response = Client(raise_request_exception=False).post(f"/s/t/{shop['table'].qr_token}/order/", data)
    _answered(response, before, Order.objects.count())


@given(qty=field, table=field, note=field)
@FUZZ
def test_the_till_order_form(shop, qty, table, note):
    before = Order.objects.count()
    response = shop["cashier"].post(
        f"/s/{shop['store'].slug}/till/", {f"qty-{shop['item'].pk}": qty, "table": table, "note": note}
    )
    _answered(response, before, Order.objects.count())


@given(method=st.sampled_from(["cash", "card", "mobile", "", "x"]), amount=field, tip=field, tendered=field)
@FUZZ
def test_the_till_payment_form(shop, method, amount, tip, tendered):
    check = check_open(store=shop["store"])
    before = Payment.objects.count()
    response = shop["cashier"].post(
        f"/s/{shop['store'].slug}/checks/{check.pk}/pay/",
        {"method": method, "amount": amount, "tip": tip, "tendered": tendered},
    )
    _answered(response, before, Payment.objects.count())
