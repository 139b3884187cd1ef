"""The guest's panel on the QR page, the receipt's feedback page, the till's attach form and the
owner's pages, through Django's test client (the browser test drives the whole flow)."""

import datetime as dt

import pytest
from django.urls import reverse

from customers import services
from customers.models import CheckCustomer, Consent, Customer, Feedback
from orders.models import TableSession
from orders.services import LineRequest, order_place, payment_take
from restaurant_ops.models import Role
from tests.factories import MembershipFactory

from .factories import CustomerFactory, visit


def _table_order(shop):
    order = order_place(
        store=shop.store,
        table=shop.table,
        channel="qr",
        lines=[LineRequest(item_id=shop.burger.pk, quantity=1)],
    )
    check = order.guest_check
    check.refresh_from_db()
    return check, TableSession.objects.get(pk=check.session_id)


def test_guest_joins_after_ordering_with_a_separate_marketing_tick(client, shop):
    check, session = _table_order(shop)
    panel = client.get(reverse("customers:guest-panel", args=[session.token]))
    assert panel.status_code == 200 and b'name="phone"' in panel.content and b"STOP" in panel.content
    bad = client.post(reverse("customers:guest-join", args=[session.token]), {"phone": "123"})
    assert "valid phone number" in bad.content.decode() and not Customer.objects.exists()
    joined = client.post(
        reverse("customers:guest-join", args=[session.token]),
        {"phone": "+49 151 11122233", "marketing_sms": "on"},
    )
    customer = Customer.objects.get()
    assert customer.membership_code in joined.content.decode()
    assert CheckCustomer.objects.get(guest_check=check).customer == customer
    assert Consent.objects.get(customer=customer).wording == services.consent_wording("sms")


def test_joining_without_the_tick_records_no_consent(client, shop):
    _check, session = _table_order(shop)
    client.post(reverse("customers:guest-join", args=[session.token]), {"phone": "+49 151 11122233"})
    assert Customer.objects.count() == 1 and not Consent.objects.exists()


def test_after_payment_the_panel_asks_for_a_rating_once(client, shop):
    check, session = _table_order(shop)
    guest_check_url = reverse("orders:guest-check", args=[shop.table.qr_token]) + f"?session={session.token}"
    assert client.get(guest_check_url).status_code == 200  # still open: keep polling
    assert b'name="rating"' not in client.get(reverse("customers:guest-panel", args=[session.token])).content
    payment_take(guest_check=check, method="card", amount=check.total)
    paid = client.get(guest_check_url)
    assert paid.status_code == 286 and paid["HX-Trigger"] == "check-paid"  # htmx stops polling
    assert b'name="rating"' in client.get(reverse("customers:guest-panel", args=[session.token])).content
    sent = client.post(
        reverse("customers:guest-feedback", args=[session.token]), {"rating": "2", "tags": ["slow"]}
    )
    assert b"feedback-thanks" in sent.content
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.tags, feedback.is_complaint, feedback.source) == (
        2,
        ["slow"],
        True,
        "qr",
    )
    again = client.post(reverse("customers:guest-feedback", args=[session.token]), {"rating": "5"})
    assert Feedback.objects.count() == 1 and b'name="rating"' not in again.content


def test_the_receipt_link_opens_a_feedback_page(client, shop):
    check, _session = _table_order(shop)
    payment_take(guest_check=check, method="card", amount=check.total)
    token = services.feedback_token(guest_check=check)
    page = client.get(reverse("customers:receipt-feedback", args=[token]))
    assert page.status_code == 200 and b'name="rating"' in page.content
    client.post(reverse("customers:receipt-feedback", args=[token]), {"form": "feedback", "rating": "4"})
    assert Feedback.objects.get().source == "receipt"
    assert client.get(reverse("customers:receipt-feedback", args=["forged"])).status_code == 404


def test_the_receipt_prints_the_feedback_link(client, shop):
    check, _session = _table_order(shop)
    payment_take(guest_check=check, method="card", amount=check.total)
    client.force_login(shop.cashier)
    receipt = client.get(reverse("orders:receipt", args=[shop.store.slug, check.pk])).content.decode()
    assert "/c/f/" in receipt and "<svg" in receipt


def test_the_till_attaches_by_membership_code_and_the_cashier_sees_no_pii(client, shop):
    customer = CustomerFactory(store=shop.store, name="Mei")
    check, _session = _table_order(shop)
    client.force_login(shop.cashier)
    client.post(
        reverse("customers:till-attach", args=[shop.store.slug, check.pk]), {"code": customer.membership_code}
    )
    assert CheckCustomer.objects.get(guest_check=check).customer == customer
    page = client.get(reverse("orders:check", args=[shop.store.slug, check.pk])).content.decode()
    assert customer.membership_code in page and "Mei" not in page and str(customer.phone) not in page
    assert str(customer.phone)[-4:] in page
    assert client.get(reverse("customers:overview", args=[shop.store.slug])).status_code == 403
    client.force_login(shop.manager)
    page = client.get(reverse("orders:check", args=[shop.store.slug, check.pk])).content.decode()
    assert "Mei" in page and str(customer.phone) in page


@pytest.mark.parametrize("role", [Role.COOK, Role.CASHIER])
def test_owner_pages_are_refused_to_roles_without_pii_access(client, store, role):
    client.force_login(MembershipFactory(store=store, role=role).user)
    for name in ("customers:overview", "customers:list", "customers:complaints"):
        assert client.get(reverse(name, args=[store.slug])).status_code == 403
    customer = CustomerFactory(store=store)
    assert client.get(reverse("customers:export", args=[store.slug, customer.pk])).status_code == 403


def test_owner_sees_segments_follow_up_and_exports_then_erases(client, store, user_owner):
    customer = CustomerFactory(store=store, name="Ana")
    for day in (1, 11, 21):
        visit(customer, dt.date(2026, 6, day), "60")
    services.scores_refresh(store=store, as_of=dt.date(2026, 7, 20))
    client.force_login(user_owner)
    overview = client.get(reverse("customers:overview", args=[store.slug])).content.decode()
    # Gap 10, recency 29 → churn risk 2.90 (at risk); value 180/6 × 2.90/4 = 30 × 0.725 = 21.75.
    assert "Ana" in overview and "21.75" in overview
    assert "No visit for 29 days, usually one every 10 days: 2.90 × the usual gap." in overview
    exported = client.get(reverse("customers:export", args=[store.slug, customer.pk]))
    assert exported.json()["customer"]["name"] == "Ana"
    refused = client.post(reverse("customers:erase", args=[store.slug, customer.pk]), {"confirm": "no"})
    assert refused.status_code == 302 and Customer.objects.exists()
    client.post(reverse("customers:erase", args=[store.slug, customer.pk]), {"confirm": "ERASE"})
    assert not Customer.objects.exists()


def test_staff_log_a_complaint_and_the_owner_sees_it_with_its_category(client, shop, store):
    owner = MembershipFactory(store=store, role=Role.OWNER).user
    client.force_login(shop.cashier)
    empty = client.post(reverse("customers:complaint-new", args=[store.slug]), {"text": "meh"})
    assert "Tick what went wrong" in empty.content.decode() and not Feedback.objects.exists()
    client.post(
        reverse("customers:complaint-new", args=[store.slug]), {"tags": ["cold"], "text": "soup cold"}
    )
    assert Feedback.objects.get().tags == ["cold"]
    client.force_login(owner)
    page = client.get(reverse("customers:complaints", args=[store.slug])).content.decode()
    assert "Cold food" in page and "soup cold" in page


def test_a_complaint_spike_on_the_complaints_page_links_to_where_the_owner_acts(client, store, user_owner):
    from django.utils import timezone

    now = timezone.now()
    # Four slow-service complaints in the last two days, none in the 4 weeks before: 4 ≥ 4 and
    # 4 ≥ 2 × 0.00, a spike; one logged by phone without a check says it has none.
    for hours in (2, 5, 26, 30):
        services.complaint_log(store=store, tags=["slow"], occurred_at=now - dt.timedelta(hours=hours))
    client.force_login(user_owner)
    page = client.get(reverse("customers:complaints", args=[store.slug])).content.decode()
    assert "Slow service: 4 complaints this week, against 0.00 a week before" in page
    assert f'href="{reverse("dashboard:insights", args=[store.slug])}"' in page
    assert "Act on it: add the shift, prep ahead or review the dish" in page
    assert "No check linked, and no operational issue on record for that hour." in page
    assert "(complaint rate" not in page  # no settled checks: no rate to show
