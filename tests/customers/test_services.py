"""Joining, consent, linking checks, feedback, export and erasure, through the services."""

import datetime as dt
import logging

import pytest

from customers import selectors, services
from customers.models import CheckCustomer, Consent, Customer, Feedback, Source
from orders.models import Check
from restaurant_ops.api.errors import status_for
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import AuditEntry
from tests.factories import MenuItemFactory

from .factories import CustomerFactory, visit

PHONE = "+49 151 23456789"


def test_join_normalises_the_phone_and_finds_the_same_customer_again(store, caplog):
    caplog.set_level(logging.DEBUG)
    first = services.customer_join(store=store, phone=PHONE, source=Source.QR)
    again = services.customer_join(store=store, phone="+4915123456789", name="Ana", source=Source.TILL)
    assert first.pk == again.pk and str(again.phone) == "+4915123456789"
    assert Customer.objects.get(pk=first.pk).name == "Ana"
    assert len(first.membership_code) == 8
    assert not Consent.objects.exists()  # no tick, no consent
    assert "23456789" not in caplog.text and "Ana" not in caplog.text  # PII never logged


def test_a_bad_phone_is_refused_naming_the_field(store):
    with pytest.raises(DomainError) as error:
        services.customer_join(store=store, phone="12", source=Source.QR)
    assert error.value.field == "phone" and not Customer.objects.exists()


def test_marketing_consent_is_a_separate_tick_recorded_with_its_wording(store):
    customer = services.customer_join(store=store, phone=PHONE, source=Source.QR, marketing_sms=True)
    consent = Consent.objects.get(customer=customer)
    assert consent.channel == "sms" and "STOP" in consent.wording and consent.source == "qr"
    # Ticking again keeps the one active consent; STOP withdraws it; a new tick is a new row.
    services.customer_join(store=store, phone=PHONE, source=Source.TILL, marketing_sms=True)
    assert Consent.objects.filter(customer=customer).count() == 1
    assert services.consent_withdraw(customer=customer, via=Source.SMS) == 1
    assert not selectors.active_consents(customer=customer).exists()
    services.consent_give(customer=customer, channel="sms", wording="Yes", source=Source.TILL)
    assert Consent.objects.filter(customer=customer).count() == 2


def test_membership_code_attaches_a_check_once(store):
    customer = CustomerFactory(store=store)
    check = Check.objects.create(store=store, business_date=dt.date(2026, 6, 1))
    found = services.customer_join(
        store=store, code=customer.membership_code.lower(), source=Source.TILL, guest_checks=[check]
    )
    assert found.pk == customer.pk
    services.check_attach(customer=customer, guest_check=check, source=Source.TILL)  # again: no change
    assert CheckCustomer.objects.filter(guest_check=check).count() == 1
    other = CustomerFactory(store=store)
    with pytest.raises(DomainError) as error:
        services.check_attach(customer=other, guest_check=check, source=Source.TILL)
    assert status_for(error.value) == 409


def test_feedback_after_payment_only_once_and_a_complaint_when_low_or_tagged(store):
    check = Check.objects.create(store=store, business_date=dt.date(2026, 6, 1))
    with pytest.raises(DomainError) as error:
        services.feedback_leave(guest_check=check, rating=4)
    assert error.value.code == "not_paid"
    Check.objects.filter(pk=check.pk).update(status=Check.Status.PAID)
    check.refresh_from_db()
    with pytest.raises(DomainErrors) as errors:
        services.feedback_leave(guest_check=check, rating=7, tags=["slow", "bogus", "dish"])
    assert [e.field for e in errors.value.errors] == ["rating", "tags[1]", "menu_item"]
    happy = services.feedback_leave(guest_check=check, rating=3)
    assert happy.is_complaint is False
    with pytest.raises(DomainError):
        services.feedback_leave(guest_check=check, rating=2, source=Source.RECEIPT)
    dish = MenuItemFactory(store=store)
    logged = services.complaint_log(store=store, tags=["dish"], menu_item_id=dish.pk, guest_check=check)
    assert logged.is_complaint and logged.menu_item == dish
    with pytest.raises(DomainError):  # neither a tag nor a low rating: not a complaint
        services.complaint_log(store=store, rating=4)


def test_receipt_token_names_the_check_and_refuses_tampering(store):
    check = Check.objects.create(store=store, business_date=dt.date(2026, 6, 1))
    token = services.feedback_token(guest_check=check)
    assert services.check_from_token(token) == check
    with pytest.raises(DomainError):
        services.check_from_token(token[:-2] + "xx")


def test_export_and_erasure_keep_the_orders_anonymous(store, user_owner):
    customer = services.customer_join(
        store=store, phone=PHONE, name="Ana", source=Source.QR, marketing_sms=True
    )
    check = visit(customer, dt.date(2026, 6, 1), "42.50")
    services.feedback_leave(guest_check=check, rating=2, tags=["slow"], text="Ana waited ages")
    exported = selectors.customer_export(customer=customer)
    assert exported["customer"]["phone"] == "+4915123456789"
    assert exported["visits"] == [
        {"check": check.pk, "business_date": "2026-06-01", "net_sales": "42.50", "status": "closed"}
    ]
    assert exported["feedback"][0]["tags"] == ["slow"] and len(exported["consents"]) == 1
    services.customer_erase(customer=customer, by=user_owner, reason="guest asked")
    assert (
        not Customer.objects.exists() and not Consent.objects.exists() and not CheckCustomer.objects.exists()
    )
    assert Check.objects.filter(pk=check.pk, net_sales="42.50").exists()  # the sale stays
    feedback = Feedback.objects.get()
    assert (feedback.customer, feedback.text, feedback.rating, feedback.tags) == (None, "", 2, ["slow"])
    entry = AuditEntry.objects.get(action="customer_erased")
    assert "+49" not in str(entry.data) and "Ana" not in str(entry.data)
