"""Table sessions, the per-table throttle, gapless receipts under concurrency, and the Z report."""

import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from orders.models import Check, Order, OrderLine, Payment, Receipt, Table, TableSession
from orders.selectors import drawer_report
from orders.services import (
    LineRequest,
    check_for_table,
    drawer_close,
    drawer_open,
    guest_order_place,
    order_line_void,
    order_place,
    payment_refund,
    payment_take,
    table_session_open,
)
from restaurant_ops.api.errors import status_for
from restaurant_ops.errors import DomainError
from restaurant_ops.models import AuditEntry, Store
from tests.orders.factories import RegisterFactory

D = Decimal


def guest(shop, table, token, **quantities):
    lines = [LineRequest(item_id=getattr(shop, name).pk, quantity=q) for name, q in quantities.items()]
    return guest_order_place(qr_token=table.qr_token, session_token=token, lines=lines)


@pytest.mark.django_db
def test_two_phones_and_the_staff_share_one_check(shop):
    session = table_session_open(table=shop.table)
    first = guest(shop, shop.table, session.token, burger=1)
    second = guest(shop, shop.table, session.token, soda=2)
    staff = order_place(
        store=shop.store, table=shop.table, lines=[LineRequest(item_id=shop.soda.pk)], channel="till"
    )
    assert first.guest_check_id == second.guest_check_id == staff.guest_check_id
    check = Check.objects.get(pk=first.guest_check_id)
    assert check.subtotal == D("22.50") and check.session_id == session.pk  # 12.00 + 3 × 3.50


@pytest.mark.django_db
def test_payment_ends_the_session_and_the_old_code_cannot_order(shop):
    session = table_session_open(table=shop.table)
    old_token = shop.table.qr_token
    order = guest(shop, shop.table, session.token, soda=1)
    payment_take(guest_check=order.guest_check, method="card", amount=D("4.20"))
    assert TableSession.objects.get(pk=session.pk).closed_at is not None
    table = Table.objects.get(pk=shop.table.pk)
    assert table.qr_token != old_token  # rotate_token is the default mode
    orders = Order.objects.count()
    with pytest.raises(DomainError) as error:
        guest_order_place(
            qr_token=old_token, session_token=session.token, lines=[LineRequest(item_id=shop.soda.pk)]
        )
    assert (error.value.code, status_for(error.value)) == ("qr_expired", 404)
    # a page opened with the new code but still holding the paid session's token is refused too
    with pytest.raises(DomainError) as error:
        guest_order_place(
            qr_token=table.qr_token, session_token=session.token, lines=[LineRequest(item_id=shop.soda.pk)]
        )
    assert error.value.code == "session_closed"
    assert Order.objects.count() == orders


@pytest.mark.django_db
def test_staff_opens_mode_keeps_the_code_but_needs_a_session(shop):
    shop.store.table_session_mode = Store.TableSessionMode.STAFF_OPENS
    shop.store.save()
    with pytest.raises(DomainError) as error:
        guest_order_place(
            qr_token=shop.table.qr_token, session_token="", lines=[LineRequest(item_id=shop.soda.pk)]
        )
    assert error.value.code == "session_closed"
    check = check_for_table(table=shop.table)  # the staff seat the party
    order = guest(shop, shop.table, check.session.token, soda=1)
    payment_take(guest_check=order.guest_check, method="cash", amount=D("4.20"))
    token = Table.objects.get(pk=shop.table.pk).qr_token
    assert token == shop.table.qr_token
    with pytest.raises(DomainError) as error:
        guest(shop, shop.table, check.session.token, soda=1)
    assert error.value.code == "session_closed"


@pytest.mark.django_db
def test_a_flood_of_orders_from_one_table_is_throttled_in_the_shared_cache(shop, settings):
    # per day, so the four orders cannot straddle a window boundary mid-test
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"table": "3/day"}}
    session = table_session_open(table=shop.table)
    for _ in range(3):
        guest(shop, shop.table, session.token, soda=1)
    with pytest.raises(DomainError) as error:
        guest(shop, shop.table, session.token, soda=1)
    assert (error.value.code, status_for(error.value)) == ("throttled", 429)
    assert Order.objects.count() == 3
    window = int(timezone.now().timestamp() // 86400)
    # the count is in the shared cache (Redis or the database cache), not in this process
    assert cache.get(f"orders:table-throttle:{shop.table.pk}:{window}") == 4
    # another table is not affected
    other = table_session_open(table=shop.table2)
    assert guest(shop, shop.table2, other.token, soda=1).table_id == shop.table2.pk


@pytest.mark.django_db
def test_z_report_balances_to_the_cent_with_the_drawer_count(shop):
    """Float 100.00. Check 1 (dine-in, 33.00): cash 20.00 from 50.00, card 13.00 + 2.00 tip.
    Check 2 (takeaway): burger voided, 2 sodas 7.00 + 0.70 tax = 7.70, cash 7.70 + 0.30 tip from 10.00,
    then 1.70 refunded in cash. Cash expected = 100 + 20 + 8.00 − 1.70 = 126.30."""
    register = RegisterFactory(store=shop.store)
    drawer = drawer_open(register=register, opening_float=D("100.00"), by=shop.manager)
    one = order_place(
        store=shop.store,
        table=shop.table,
        channel="till",
        lines=[LineRequest(item_id=shop.burger.pk, quantity=2), LineRequest(item_id=shop.soda.pk)],
    )
    payment_take(
        guest_check=one.guest_check, method="cash", amount=D("20.00"), tendered=D("50.00"), register=register
    )
    payment_take(
        guest_check=one.guest_check, method="card", amount=D("13.00"), tip=D("2.00"), register=register
    )
    two = order_place(
        store=shop.store,
        channel="till",
        service_type="takeaway",
        lines=[LineRequest(item_id=shop.burger.pk), LineRequest(item_id=shop.soda.pk, quantity=2)],
    )
    order_line_void(line=two.lines.get(menu_item=shop.burger), reason="Changed mind", by=shop.manager)
    cash = payment_take(
        guest_check=two.guest_check,
        method="cash",
        amount=D("7.70"),
        tip=D("0.30"),
        tendered=D("10.00"),
        register=register,
    )
    assert cash.change_due == D("2.00")
    payment_refund(payment=cash, amount=D("1.70"), reason="Soda flat", by=shop.manager)

    x = drawer_report(drawer=drawer)
    assert x["cash"]["expected"] == "126.30"
    assert (
        Check.objects.filter(drawer_session=drawer, status=Check.Status.PAID).count() == 2
    )  # X changes nothing
    closed = drawer_close(drawer=drawer, counted_cash=D("126.30"), by=shop.manager)
    z = closed.z_report
    methods = {m["method"]: m for m in z["methods"]}
    assert (
        methods["cash"]["amount"],
        methods["cash"]["refunded"],
        methods["cash"]["net"],
        methods["cash"]["tips"],
    ) == ("27.70", "1.70", "26.00", "0.30")
    assert (methods["card"]["amount"], methods["card"]["tips"]) == ("13.00", "2.00")
    assert z["sales"] == {
        "checks": 2,
        "subtotal": "34.50",
        "discounts": "0.00",
        "net_sales": "34.50",
        "tax": "3.45",
        "service_charge": "2.75",
        "total": "40.70",
        "tips": "2.30",
    }
    assert z["voids"] == {"lines": 1, "quantity": 1, "amount": "12.00"}
    assert z["tax_rates"] == [{"rate": "0.1000", "lines": 3, "amount": "34.50"}]
    assert z["refunds"] == {"count": 1, "amount": "1.70"}
    # payments net + refunds = what the settled checks came to
    assert D(z["payments_net"]) + D(z["refunds"]["amount"]) == D(z["sales"]["total"]) == D("40.70")
    assert (closed.expected_cash, closed.counted_cash, closed.difference) == (
        D("126.30"),
        D("126.30"),
        D("0.00"),
    )
    assert not Check.objects.filter(drawer_session=drawer).exclude(status=Check.Status.CLOSED).exists()
    assert AuditEntry.objects.get(action="drawer_count").data["difference"] == "0.00"
    with pytest.raises(DomainError):
        drawer_close(drawer=drawer, counted_cash=D("1"))


@pytest.mark.django_db
def test_the_x_and_z_reports_count_the_modifiers_price(shop):
    """Takeaway: 2 burgers with cheese (12.00 + 1.50 = 13.50 each) = 27.00 (24.00 without the modifier),
    tax 10% = 2.70, no service charge on takeaway: 29.70 by card. Float 50.00: cash expected 50.00."""
    from tests.factories import ModifierFactory, ModifierGroupFactory

    extras = ModifierGroupFactory(store=shop.store)
    shop.burger.modifier_groups.add(extras)
    cheese = ModifierFactory(group=extras, name="Cheese", price_delta=D("1.50"))
    register = RegisterFactory(store=shop.store)
    drawer = drawer_open(register=register, opening_float=D("50.00"))
    order = order_place(
        store=shop.store,
        channel="till",
        service_type="takeaway",
        lines=[LineRequest(item_id=shop.burger.pk, quantity=2, modifier_ids=[cheese.pk])],
    )
    payment_take(guest_check=order.guest_check, method="card", amount=D("29.70"), register=register)
    sales = {
        "checks": 1,
        "subtotal": "27.00",
        "discounts": "0.00",
        "net_sales": "27.00",
        "tax": "2.70",
        "service_charge": "0.00",
        "total": "29.70",
        "tips": "0.00",
    }
    x = drawer_report(drawer=drawer)
    assert (x["sales"], x["cash"]["expected"]) == (sales, "50.00")
    z = drawer_close(drawer=drawer, counted_cash=D("50.00")).z_report
    assert z["sales"] == sales
    assert z["tax_rates"] == [{"rate": "0.1000", "lines": 1, "amount": "27.00"}]


@pytest.mark.django_db
def test_a_short_drawer_shows_the_difference(shop):
    register = RegisterFactory(store=shop.store)
    drawer = drawer_open(register=register, opening_float=D("50.00"))
    order = order_place(
        store=shop.store, channel="till", service_type="takeaway", lines=[LineRequest(item_id=shop.soda.pk)]
    )
    payment_take(guest_check=order.guest_check, method="cash", amount=D("3.85"), register=register)
    closed = drawer_close(drawer=drawer, counted_cash=D("53.80"))
    assert (closed.expected_cash, closed.difference) == (D("53.85"), D("-0.05"))


@pytest.mark.django_db
def test_cash_needs_an_open_drawer_at_a_register(shop):
    register = RegisterFactory(store=shop.store)
    order = order_place(
        store=shop.store, channel="till", service_type="takeaway", lines=[LineRequest(item_id=shop.soda.pk)]
    )
    with pytest.raises(DomainError) as error:
        payment_take(guest_check=order.guest_check, method="cash", amount=D("3.85"), register=register)
    assert error.value.code == "drawer_closed" and Payment.objects.count() == 0


@pytest.mark.django_db
def test_z_report_of_5000_orders_adds_up(shop):
    """Bulk-written day (the report only reads aggregates): 5,000 settled checks, one line and one
    cash payment of 3.85 each. How long it takes is measured in bench/ (close_of_day.z_report), not here."""
    register = RegisterFactory(store=shop.store)
    drawer = drawer_open(register=register, opening_float=D("0.00"))
    now, today = timezone.now(), timezone.localdate()
    n = 5000
    checks = Check.objects.bulk_create(
        [
            Check(
                store=shop.store,
                service_type="takeaway",
                status="paid",
                business_date=today,
                paid_at=now,
                drawer_session=drawer,
                subtotal=D("3.50"),
                net_sales=D("3.50"),
                tax=D("0.35"),
                total=D("3.85"),
                paid_total=D("3.85"),
            )
            for _ in range(n)
        ]
    )
    orders = Order.objects.bulk_create(
        [
            Order(
                store=shop.store,
                channel="till",
                currency="EUR",
                prices_include_tax=False,
                subtotal=D("3.50"),
                tax=D("0.35"),
                total=D("3.85"),
                placed_at=now,
                business_date=today,
                guest_check=c,
            )
            for c in checks
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                menu_item=shop.soda,
                name="Soda",
                quantity=1,
                unit_price=D("3.50"),
                line_total=D("3.50"),
                tax_rate=D("0.1"),
                tax_amount=D("0.35"),
                net_amount=D("3.50"),
                guest_check=o.guest_check,
            )
            for o in orders
        ]
    )
    Payment.objects.bulk_create(
        [
            Payment(
                store=shop.store,
                guest_check=c,
                method="cash",
                amount=D("3.85"),
                business_date=today,
                register=register,
                drawer_session=drawer,
            )
            for c in checks
        ]
    )
    closed = drawer_close(drawer=drawer, counted_cash=D("19250.00"))
    # 5,000 × 3.85 = 19,250.00 taken in cash, all of it expected in the drawer (float 0).
    assert closed.z_report["sales"]["checks"] == n and closed.z_report["sales"]["total"] == "19250.00"
    assert closed.difference == D("0.00")


@pytest.mark.django_db(transaction=True)
def test_receipt_numbers_are_gapless_under_concurrent_payments(shop):
    """Eight cashiers settle eight checks at the same moment, each in its own database connection."""
    checks = [
        order_place(
            store=shop.store,
            channel="till",
            service_type="takeaway",
            lines=[LineRequest(item_id=shop.soda.pk)],
        ).guest_check
        for _ in range(8)
    ]
    barrier, errors = threading.Barrier(len(checks)), []

    def pay(check):
        try:
            barrier.wait(timeout=10)
            payment_take(guest_check=check, method="card", amount=D("3.85"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(c,)) for c in checks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    numbers = sorted(Receipt.objects.filter(store=shop.store).values_list("number", flat=True))
    assert numbers == list(range(1, 9))
