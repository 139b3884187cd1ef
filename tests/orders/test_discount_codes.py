"""Coupons and comp vouchers: a discount code issued, redeemed on a check at the till or the guest QR
page, once even under concurrency, and refused with an error on the "code" field when unknown,
expired, not yet valid, used up or already on the check. Money worked by hand in each docstring."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from orders.models import Check, DiscountCode, DiscountRedemption
from orders.services import (
    LineRequest,
    discount_code_issue,
    discount_code_redeem,
    order_place,
    table_session_open,
)
from restaurant_ops.errors import DomainError

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


@pytest.mark.django_db
def test_a_percentage_code_is_a_discount_on_the_check(shop):
    """Takeaway (no service charge): 2 burgers 24.00 + soda 3.50 = 27.50; 10% off = 2.75, spread by
    amount: burgers 2.40 (→ 21.60, tax 2.16), soda 0.35 (→ 3.15, tax 0.315 → 0.32); due 24.75 + 2.48 =
    27.23."""
    check = place(shop, burger=2, soda=1).guest_check
    code = discount_code_issue(store=shop.store, kind="percent", value=Decimal("10"), source="test")
    redemption = discount_code_redeem(guest_check=check, code=code.code.lower(), by=shop.cashier)
    check = fresh(check)
    assert (check.discount_total, check.total) == (D("2.75"), D("27.23"))
    assert redemption.adjustment.reason == f"Code {code.code}" and redemption.channel == "till"
    code.refresh_from_db()
    assert code.redeemed_count == 1


@pytest.mark.django_db
def test_an_amount_code_is_capped_at_the_check_and_a_comp_code_frees_one_item(shop):
    """Amount 5.00 off a soda of 3.50: 3.50 off (the check's whole amount), total 0. Voucher for one
    burger on a line of 2 burgers: one portion's price, 12.00, off; on a line of 1: the line comped."""
    small = place(shop, soda=1).guest_check
    five = discount_code_issue(store=shop.store, kind="amount", value=Decimal("5.00"))
    discount_code_redeem(guest_check=small, code=five.code)
    assert (fresh(small).discount_total, fresh(small).total) == (D("3.50"), D("0.00"))

    check = place(shop, burger=2).guest_check
    voucher = discount_code_issue(store=shop.store, kind="comp_item", menu_item=shop.burger)
    discount_code_redeem(guest_check=check, code=voucher.code)
    assert fresh(check).discount_total == D("12.00")
    single = place(shop, burger=1, soda=1).guest_check
    comp = discount_code_issue(store=shop.store, kind="comp_item", menu_item=shop.burger)
    redemption = discount_code_redeem(guest_check=single, code=comp.code)
    assert (redemption.adjustment.kind, redemption.adjustment.line.menu_item_id) == ("comp", shop.burger.pk)
    assert fresh(single).discount_total == D("12.00")
    no_burger = place(shop, soda=1).guest_check
    another = discount_code_issue(store=shop.store, kind="comp_item", menu_item=shop.burger)
    with pytest.raises(DomainError) as error:
        discount_code_redeem(guest_check=no_burger, code=another.code)
    assert (error.value.field, error.value.code) == ("code", "item_not_on_check")


@pytest.mark.django_db
def test_bad_codes_are_refused_on_the_code_field(shop):
    check = place(shop, burger=1).guest_check
    now = timezone.now()
    used = discount_code_issue(store=shop.store, kind="percent", value=Decimal("10"))
    discount_code_redeem(guest_check=place(shop, soda=1).guest_check, code=used.code)
    twice = discount_code_issue(store=shop.store, kind="percent", value=Decimal("5"), max_uses=2)
    discount_code_redeem(guest_check=check, code=twice.code)
    expired = discount_code_issue(
        store=shop.store,
        kind="percent",
        value=Decimal("10"),
        valid_from=now - dt.timedelta(days=40),
        valid_until=now - dt.timedelta(days=10),
    )
    later = discount_code_issue(
        store=shop.store, kind="percent", value=Decimal("10"), valid_from=now + dt.timedelta(days=1)
    )
    cases = {
        "NOSUCHCODE": "unknown_code",
        "": "required",
        used.code: "used",
        twice.code: "already",
        expired.code: "expired",
        later.code: "not_yet_valid",
    }
    for typed, expected in cases.items():
        with pytest.raises(DomainError) as error:
            discount_code_redeem(guest_check=check, code=typed)
        assert (error.value.field, error.value.code) == ("code", expected), typed
        assert str(error.value.message).startswith("Code")
    assert fresh(check).discount_total == D("0.60")  # only the 5% code: 5% of 12.00


@pytest.mark.django_db(transaction=True)
def test_two_tills_redeem_a_single_use_code_once(shop):
    first, second = place(shop, burger=1).guest_check, place(shop, burger=1).guest_check
    code = discount_code_issue(store=shop.store, kind="amount", value=Decimal("2.00"))
    barrier, outcomes = threading.Barrier(2), []

    def redeem(check):
        barrier.wait()
        try:
            discount_code_redeem(guest_check=check, code=code.code)
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(c,)) for c in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "used"]
    assert DiscountRedemption.objects.count() == 1
    assert DiscountCode.objects.get(pk=code.pk).redeemed_count == 1
    assert sorted([fresh(first).discount_total, fresh(second).discount_total]) == [D("0.00"), D("2.00")]


@pytest.mark.django_db
def test_the_till_page_applies_a_code_and_names_the_field_when_it_is_bad(client, shop):
    check = place(shop, burger=1).guest_check
    code = discount_code_issue(store=shop.store, kind="amount", value=Decimal("2.00"))
    client.force_login(shop.cashier)
    url = reverse("orders:check-action", args=[shop.store.slug, check.pk, "code"])
    bad = client.post(url, {"code": "WRONG"})
    assert bad.status_code == 404
    assert "Code: WRONG is not a code of this restaurant." in bad.content.decode()
    assert client.post(url, {"code": code.code}).status_code == 302
    assert fresh(check).discount_total == D("2.00")  # no manager PIN: the code is the authority


@pytest.mark.django_db
def test_the_guest_qr_page_applies_a_code_to_the_tables_check(client, shop):
    session = table_session_open(table=shop.table)
    page = client.get(reverse("orders:guest", args=[shop.table.qr_token])).content.decode()
    assert 'id="guest-code"' in page
    url = reverse("orders:guest-code", args=[shop.table.qr_token])
    code = discount_code_issue(store=shop.store, kind="percent", value=Decimal("50"))
    early = client.post(url, {"session": session.token, "code": code.code}, HTTP_HX_REQUEST="true")
    assert "order something first" in early.content.decode()
    order = order_place(
        store=shop.store,
        table=shop.table,
        lines=[LineRequest(item_id=shop.burger.pk, quantity=1)],
        channel="qr",
        service_type="dine_in",
    )
    done = client.post(url, {"session": session.token, "code": code.code}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and done["HX-Trigger"] == "order-placed"
    assert fresh(order.guest_check).discount_total == D("6.00")  # 50% of 12.00
    again = client.post(url, {"session": session.token, "code": code.code})
    assert again.status_code == 409 and "already" in again.content.decode()
