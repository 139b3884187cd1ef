"""Checks and money, with expected numbers worked out by hand in each test's docstring."""

from decimal import Decimal

import pytest

from orders.models import Check, CheckAdjustment, OrderLine, Payment, Receipt
from orders.services import (
    LineRequest,
    allocate,
    cart_quote,
    check_comp_line,
    check_discount,
    check_merge,
    check_move,
    check_split_items,
    order_line_void,
    order_place,
    payment_refund,
    payment_take,
    split_evenly,
)
from restaurant_ops.errors import DomainError
from restaurant_ops.models import AuditEntry
from tests.factories import MenuItemFactory, ModifierFactory, ModifierGroupFactory, TaxCategoryFactory

pytestmark = pytest.mark.django_db
D = Decimal


def place(shop, table=None, **quantities):
    lines = [LineRequest(item_id=getattr(shop, name).pk, quantity=q) for name, q in quantities.items()]
    return order_place(
        store=shop.store,
        table=table,
        lines=lines,
        channel="till",
        service_type="dine_in" if table else "takeaway",
    )


def fresh(check):
    return Check.objects.get(pk=check.pk)


def test_exclusive_tax_and_service_charge(shop):
    """2 × 12.00 + 3.50 = 27.50; tax 10% = 2.75; service 10% of 27.50 = 2.75; due 33.00."""
    order = place(shop, table=shop.table, burger=2, soda=1)
    check = fresh(order.guest_check)
    assert (check.subtotal, check.tax, check.service_charge, check.total) == (
        D("27.50"),
        D("2.75"),
        D("2.75"),
        D("33.00"),
    )
    assert check.net_sales == D("27.50") and check.status == Check.Status.OPEN


def test_the_guest_cart_and_the_order_are_priced_alike(shop):
    """Burger 12.00 + cheese 1.50 = 13.50 a portion; × 2 = 27.00; tax 10% = 2.70; service 10% of 27.00
    = 2.70; the cart's total 32.40 is the check's total once the same lines are ordered."""
    group = ModifierGroupFactory(store=shop.store, name="Extras")
    cheese = ModifierFactory(group=group, name="Cheese", price_delta=D("1.50"))
    shop.burger.modifier_groups.add(group)
    lines = [LineRequest(item_id=shop.burger.pk, quantity=2, modifier_ids=[cheese.pk])]
    quote = cart_quote(store=shop.store, lines=lines)
    assert quote == {
        "count": 2,
        "subtotal": D("27.00"),
        "tax": D("2.70"),
        "service_charge": D("2.70"),
        "total": D("32.40"),
    }
    order = order_place(store=shop.store, table=shop.table, lines=lines, channel="qr")
    line = order.lines.get()
    assert (line.unit_price, line.line_total, line.tax_amount) == (D("13.50"), D("27.00"), D("2.70"))
    assert order.total == D("29.70")  # the order carries no service charge; its check does
    assert fresh(order.guest_check).total == D("32.40")


def test_inclusive_tax_with_percentage_discount(shop):
    """Inclusive 19%: 11.90 holds 1.90 tax. 10% off = 1.19 → 10.71, of which tax 10.71·0.19/1.19 =
    1.7099… = 1.71 and net 9.00. No service charge on takeaway."""
    shop.store.prices_include_tax = True
    shop.store.save()
    vat = TaxCategoryFactory(store=shop.store, name="VAT", rate=D("0.1900"))
    shop.dish = MenuItemFactory(store=shop.store, price=D("11.90"), tax_category=vat)
    check = fresh(place(shop, dish=1).guest_check)
    assert (check.tax, check.net_sales, check.total, check.service_charge) == (
        D("1.90"),
        D("10.00"),
        D("11.90"),
        D("0.00"),
    )
    check_discount(guest_check=check, percent=D("10"), reason="Regular", by=shop.manager)
    check = fresh(check)
    assert (check.discount_total, check.tax, check.net_sales, check.total) == (
        D("1.19"),
        D("1.71"),
        D("9.00"),
        D("10.71"),
    )


def test_fixed_discount_spread_over_lines_by_largest_remainder(shop):
    """1.00 off lines of 12.00 and 3.50: exact shares 0.7742 and 0.2258 → 0.77 and 0.23. Amounts 11.23
    and 3.27, tax 1.12 + 0.33 = 1.45, net 14.50, service 1.45, due 14.50 + 1.45 + 1.45 = 17.40."""
    check = fresh(place(shop, table=shop.table, burger=1, soda=1).guest_check)
    check_discount(guest_check=check, amount=D("1.00"), reason="Late food", by=shop.manager)
    burger, soda = OrderLine.objects.filter(guest_check=check).order_by("position")
    assert (burger.discount_amount, soda.discount_amount) == (D("0.77"), D("0.23"))
    check = fresh(check)
    assert (check.tax, check.net_sales, check.service_charge, check.total) == (
        D("1.45"),
        D("14.50"),
        D("1.45"),
        D("17.40"),
    )
    entry = AuditEntry.objects.get(action="discount")
    assert entry.reason == "Late food" and entry.target_id == str(check.pk)


def test_comp_takes_the_whole_line_and_is_audited(shop):
    """Comping the soda leaves the burger: 12.00 + 1.20 tax + 1.20 service = 14.40."""
    order = place(shop, table=shop.table, burger=1, soda=1)
    soda = order.lines.get(menu_item=shop.soda)
    check_comp_line(line=soda, reason="Spilled", by=shop.cashier, approved_by=shop.manager)
    check = fresh(order.guest_check)
    assert (check.discount_total, check.total) == (D("3.50"), D("14.40"))
    entry = AuditEntry.objects.get(action="comp")
    assert entry.approved_by == shop.manager and entry.actor == shop.cashier


def test_void_removes_the_line_from_the_check(shop):
    order = place(shop, table=shop.table, burger=1, soda=1)
    order_line_void(line=order.lines.get(menu_item=shop.burger), reason="Wrong table", by=shop.manager)
    check = fresh(order.guest_check)
    assert (check.subtotal, check.total) == (D("3.50"), D("4.20"))  # 3.50 + 0.35 + 0.35
    assert AuditEntry.objects.filter(action="void", reason="Wrong table").count() == 1


@pytest.mark.parametrize(
    ("amount", "parts", "shares"),
    [
        ("100.00", 3, ["33.34", "33.33", "33.33"]),
        ("10.00", 4, ["2.50", "2.50", "2.50", "2.50"]),
        ("0.05", 3, ["0.02", "0.02", "0.01"]),
        ("33.00", 7, ["4.72", "4.72", "4.72", "4.71", "4.71", "4.71", "4.71"]),
    ],
)
def test_split_evenly_gives_the_remainder_cents_to_the_first_shares(amount, parts, shares):
    assert split_evenly(D(amount), parts) == [D(s) for s in shares]
    assert sum(split_evenly(D(amount), parts)) == D(amount)


def test_allocate_largest_remainder():
    assert allocate(D("1.00"), [D("1"), D("1"), D("1")]) == [D("0.34"), D("0.33"), D("0.33")]
    assert allocate(D("0.10"), [D("3"), D("7")]) == [D("0.03"), D("0.07")]


def test_split_evenly_paid_across_cash_and_card_closes_the_check(shop):
    """33.00 in three: 11.00 each. Cash 11.00 from 20.00 → 9.00 change; card 11.00 + 1.50 tip;
    mobile 11.00."""
    check = fresh(place(shop, table=shop.table, burger=2, soda=1).guest_check)
    shares = split_evenly(check.balance, 3)
    assert shares == [D("11.00")] * 3
    cash = payment_take(
        guest_check=check, method="cash", amount=shares[0], tendered=D("20.00"), by=shop.cashier
    )
    assert cash.change_due == D("9.00")
    assert fresh(check).status == Check.Status.PARTIALLY_PAID
    payment_take(guest_check=check, method="card", amount=shares[1], tip=D("1.50"), by=shop.cashier)
    payment_take(guest_check=check, method="mobile", amount=shares[2], by=shop.cashier)
    check = fresh(check)
    assert (check.status, check.paid_total, check.tip_total) == (Check.Status.PAID, D("33.00"), D("1.50"))
    assert Receipt.objects.get(guest_check=check).number == 1


def test_overpaying_is_refused_and_writes_nothing(shop):
    check = fresh(place(shop, table=shop.table, soda=1).guest_check)  # 4.20
    before = Payment.objects.count()
    with pytest.raises(DomainError) as error:
        payment_take(guest_check=check, method="card", amount=D("5.00"))
    assert error.value.field == "amount" and error.value.code == "exceeds_balance"
    with pytest.raises(DomainError) as error:
        payment_take(guest_check=check, method="cash", amount=D("4.20"), tendered=D("4.00"))
    assert error.value.field == "tendered"
    assert Payment.objects.count() == before


def test_refund_is_a_negative_payment_with_reason_and_approval(shop):
    check = fresh(place(shop, table=shop.table, burger=2, soda=1).guest_check)
    card = payment_take(guest_check=check, method="card", amount=D("33.00"))
    refund = payment_refund(
        payment=card, amount=D("5.00"), reason="Cold burger", by=shop.cashier, approved_by=shop.manager
    )
    assert (refund.amount, refund.method, refund.kind) == (D("-5.00"), "card", Payment.Kind.REFUND)
    check = fresh(check)
    assert check.paid_total == D("28.00") and check.status == Check.Status.PAID  # a refund does not reopen
    with pytest.raises(DomainError) as error:
        payment_refund(payment=card, amount=D("28.01"), reason="More", by=shop.manager)
    assert error.value.code == "exceeds_payment"
    entry = AuditEntry.objects.get(action="refund")
    assert (entry.reason, entry.approved_by, entry.data["amount"]) == ("Cold burger", shop.manager, "5.00")


def test_split_by_item_and_merge_back(shop):
    """Burger (12.00) moves to a new check: 13.20 + 1.20 = 14.40 there, soda 3.50 → 4.20 stays."""
    order = place(shop, table=shop.table, burger=1, soda=1)
    check = fresh(order.guest_check)
    burger = order.lines.get(menu_item=shop.burger)
    new = check_split_items(guest_check=check, line_ids=[burger.pk])
    assert (fresh(check).total, new.total) == (D("4.20"), D("14.40"))
    assert new.session_id == check.session_id and new.table_id == shop.table.pk
    merged = check_merge(into=check, other=new)
    assert merged.total == D("18.60")
    new = fresh(new)
    assert new.status == Check.Status.CLOSED and new.merged_into_id == check.pk


def test_split_refuses_a_line_of_another_check(shop):
    mine = place(shop, table=shop.table, burger=1, soda=1)
    theirs = place(shop, table=shop.table2, soda=1)
    with pytest.raises(DomainError) as error:
        check_split_items(guest_check=mine.guest_check, line_ids=[theirs.lines.get().pk])
    assert error.value.field == "lines[0]"
    assert Check.objects.count() == 2


def test_move_check_to_a_free_table(shop):
    order = place(shop, table=shop.table, soda=1)
    moved = check_move(guest_check=order.guest_check, table=shop.table2)
    assert moved.table_id == shop.table2.pk and moved.session.table_id == shop.table2.pk
    # the next order at table 2 joins the moved check; table 1 starts afresh
    assert place(shop, table=shop.table2, soda=1).guest_check_id == moved.pk
    assert place(shop, table=shop.table, soda=1).guest_check_id != moved.pk
    with pytest.raises(DomainError) as error:
        check_move(guest_check=moved, table=shop.table)
    assert error.value.code == "table_busy"


def test_a_discount_needs_a_reason_and_one_of_amount_or_percent(shop):
    check = fresh(place(shop, table=shop.table, soda=1).guest_check)
    for kwargs, field in [
        ({"amount": D("1"), "reason": " "}, "reason"),
        ({"amount": D("1"), "percent": D("5"), "reason": "x"}, "amount"),
        ({"amount": D("9.99"), "reason": "x"}, "amount"),
        ({"percent": D("101"), "reason": "x"}, "percent"),
    ]:
        with pytest.raises(DomainError) as error:
            check_discount(guest_check=check, **kwargs)
        assert error.value.field == field
    assert CheckAdjustment.objects.count() == 0 and AuditEntry.objects.filter(action="discount").count() == 0


def test_a_fully_comped_check_closes_with_a_receipt_and_frees_the_table(shop):
    from orders.services import check_close

    order = place(shop, table=shop.table, soda=1)
    check_comp_line(line=order.lines.get(), reason="Birthday", by=shop.manager)
    check = check_close(guest_check=order.guest_check)
    assert check.status == Check.Status.CLOSED and Receipt.objects.filter(guest_check=check).exists()
    assert check.session.closed_at is not None


def test_a_cancelled_order_leaves_the_check(shop):
    from orders.services import order_set_status

    first = place(shop, table=shop.table, soda=1)
    second = place(shop, table=shop.table, burger=1)
    order_set_status(order=second, status="cancelled", reason="Kitchen closed")
    assert fresh(first.guest_check).total == D("4.20")
