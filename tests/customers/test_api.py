"""/api/v1/customers/: scoped keys, Idempotency-Key, cursor pagination, field errors, and PII only
for the roles allowed to see it."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from customers import services
from customers.models import CheckCustomer, Customer, Feedback, Source
from orders.models import Check
from restaurant_ops.models import Role
from restaurant_ops.services import api_key_create
from tests.factories import MembershipFactory

from .factories import CustomerFactory, visit

URL = "/api/v1/customers/"


def _session(store, role) -> APIClient:
    client = APIClient()
    client.force_authenticate(MembershipFactory(store=store, role=role).user)
    return client


@pytest.fixture
def ana(store):
    return CustomerFactory(store=store, name="Ana", phone="+4915199887766", email="ana@example.com")


def test_owner_lists_customers_with_pii(store, ana):
    body = _session(store, Role.OWNER).get(URL).json()
    assert body["results"][0]["phone"] == "+4915199887766" and body["results"][0]["name"] == "Ana"
    assert "next" in body and "previous" in body  # cursor pagination


def test_a_key_or_a_cashier_only_looks_up_exactly_and_sees_no_pii(store, ana, key_client):
    for client in (key_client, _session(store, Role.CASHIER)):
        refused = client.get(URL)
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "phone"
        found = client.get(URL, {"phone": "+49 151 99887766"}).json()["results"]
        assert [(c["id"], c["phone"], c["name"], c["email"], c["pii"]) for c in found] == [
            (ana.pk, "•••• 7766", None, None, False)
        ]
        assert client.get(URL, {"code": ana.membership_code}).json()["results"][0]["id"] == ana.pk
        assert client.get(f"{URL}{ana.pk}/export/").status_code in (403, 404)
    assert key_client.post(f"{URL}{ana.pk}/erase/").status_code == 403
    assert Customer.objects.filter(pk=ana.pk).exists()


def test_a_cook_gets_nothing(store, ana):
    cook = _session(store, Role.COOK)
    assert cook.get(URL, {"code": ana.membership_code}).status_code == 403
    assert cook.post(URL, {"phone": "+4915100000001"}, format="json").status_code == 403


def test_join_is_idempotent_links_a_check_and_records_consent(store, key_client):
    check = Check.objects.create(store=store, business_date=dt.date(2026, 6, 1))
    body = {"phone": "+49 151 12312312", "check": check.pk, "marketing_sms": True}
    first = key_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="pos-1")
    again = key_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="pos-1")
    assert first.status_code == 201 and again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert first.json()["phone"] == "•••• 2312" and Customer.objects.count() == 1
    assert CheckCustomer.objects.get(guest_check=check).customer_id == first.json()["id"]
    assert first.json()["consents"][0]["channel"] == "sms"
    # The same guest again, without a key: found, not created (200).
    assert key_client.post(URL, {"phone": "+4915112312312"}, format="json").status_code == 200


def test_bad_input_names_the_field_and_writes_nothing(store, key_client, other_store):
    foreign = Check.objects.create(store=other_store, business_date=dt.date(2026, 6, 1))
    cases = [
        ({"phone": "12"}, 400, "phone"),
        ({}, 400, "phone"),
        ({"phone": "+4915112312312", "birthday": "31-12-1990"}, 400, "birthday"),
        ({"phone": "+4915112312312", "check": foreign.pk}, 404, "check"),
        ({"code": "NOSUCH"}, 404, "code"),
    ]
    for body, code, field in cases:
        response = key_client.post(URL, body, format="json")
        assert response.status_code == code and response.json()["errors"][0]["field"] == field, body
    assert not Customer.objects.exists()


def test_complaints_posted_ranked_and_text_hidden_from_keys(store, key_client):
    for day, tags in ((dt.date(2026, 6, 3), ["slow"]), (dt.date(2026, 6, 4), ["slow", "cold"])):
        services.complaint_log(
            store=store,
            tags=tags,
            text="by phone",
            occurred_at=dt.datetime.combine(day, dt.time(19), tzinfo=store.tz),
        )
    bad = key_client.post(f"{URL}feedback/", {"tags": ["late"]}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "tags[0]"
    made = key_client.post(
        f"{URL}feedback/", {"tags": ["price"], "text": "too dear"}, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert made.status_code == 201 and made.json()["source"] == "api" and made.json()["text"] is None
    listed = key_client.get(f"{URL}feedback/", {"tag": "slow"}).json()["results"]
    assert len(listed) == 2 and {f["text"] for f in listed} == {None}
    visit(CustomerFactory(store=store), dt.date(2026, 6, 3), "10")  # one settled check that week...
    Check.objects.create(store=store, business_date=dt.date(2026, 6, 5), status=Check.Status.PAID)  # ...two
    ranking = key_client.get(f"{URL}complaints/ranking/", {"start": "2026-06-01", "end": "2026-06-07"}).json()
    # 2 complaints on 2 settled checks that week: rate 1.0000; slow 2 (+2), cold 1 (+1).
    assert (ranking["complaints"], ranking["checks"], ranking["rate"]) == (2, 2, "1.0000")
    assert [(r["tag"], r["count"], r["trend"]) for r in ranking["categories"]] == [
        ("slow", 2, 2),
        ("cold", 1, 1),
    ]
    assert (
        key_client.get(f"{URL}complaints/ranking/", {"start": "June"}).json()["errors"][0]["field"] == "start"
    )


def test_follow_up_is_ranked_by_value_at_risk(store):
    big, small = CustomerFactory(store=store), CustomerFactory(store=store)
    for day in (1, 11, 21):
        visit(big, dt.date(2026, 6, day), "100")
        visit(small, dt.date(2026, 6, day), "10")
    services.scores_refresh(store=store, as_of=dt.date(2026, 7, 11))
    # Gap 10, recency 20 → risk 2.00: not above 2, so not at risk, and nobody to follow up yet.
    assert _session(store, Role.MANAGER).get(f"{URL}follow-up/").json()["results"] == []
    services.scores_refresh(store=store, as_of=dt.date(2026, 7, 12))
    rows = _session(store, Role.MANAGER).get(f"{URL}follow-up/").json()["results"]
    # A day later recency 21 → risk 2.10 (at risk); big: 300/6 × 2.10/4 = 50 × 0.525 = 26.25;
    # small: 30/6 × 0.525 = 2.625 → 2.63 (half up).
    assert [(r["customer"]["id"], r["value_at_risk"]) for r in rows] == [
        (big.pk, "26.25"),
        (small.pk, "2.63"),
    ]


def test_withdraw_consent_over_the_api(store, key_client):
    customer = services.customer_join(
        store=store, phone="+4915112312312", source=Source.QR, marketing_sms=True
    )
    assert key_client.post(f"{URL}{customer.pk}/consents/withdraw/", {}, format="json").json() == {
        "withdrawn": 1
    }
    assert not customer.consents.filter(withdrawn_at__isnull=True).exists()


def test_a_read_key_cannot_write(store):
    _key, raw = api_key_create(store=store, name="BI", scope="read", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert client.post(URL, {"phone": "+4915112312312"}, format="json").status_code == 403
    assert not Feedback.objects.exists() and not Customer.objects.exists()
