"""Approvals and logins that resist guessing: 6-digit PINs, backoff and a lock after five wrong PINs
(per person typing and per named approver), every failure audited, the owner alerted, a manager
unlocks, and the lock never touches a login. Logins: django-axes, with the same audit records."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from orders.models import Payment
from orders.services import LineRequest, order_place, payment_take
from restaurant_ops.errors import DomainError
from restaurant_ops.models import AuditEntry, Membership, PinGuard, Role
from restaurant_ops.services import membership_set_pin
from tests.factories import MembershipFactory, MenuItemFactory

pytestmark = pytest.mark.django_db
MANAGER_PIN = "246813"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def till(store):
    """A 12.00 burger paid by card; a cashier, a manager (PIN 246813) and the owner."""
    burger = MenuItemFactory(store=store, price=Decimal("12.00"))
    order = order_place(store=store, lines=[LineRequest(item_id=burger.pk)], channel="till")
    check = order.guest_check
    check.refresh_from_db()
    manager = MembershipFactory(store=store, role=Role.MANAGER)
    membership_set_pin(membership=manager, pin=MANAGER_PIN)

    class Till:
        pass

    till = Till()
    till.payment = payment_take(guest_check=check, method="card", amount=check.balance)
    till.cashier = MembershipFactory(store=store, role=Role.CASHIER)
    till.manager = manager
    till.owner = MembershipFactory(store=store, role=Role.OWNER)
    return till


def refund(membership, payment, pin, **extra):
    client = APIClient()
    client.force_authenticate(membership.user)
    body = {"amount": "12.00", "reason": "mine", "approver_pin": pin, **extra}
    return client.post(f"/api/v1/payments/{payment.pk}/refund/", body, format="json")


def wait_out_backoff():
    """What waiting does: the backoff's moment has passed (the lock, if any, stays)."""
    PinGuard.objects.update(retry_at=None)


def test_a_cashier_cannot_approve_their_own_refund_by_guessing(client, till):
    codes = []
    for guess in range(100000, 100040):  # 40 guesses, as in the attack that worked on 4 digits
        response = refund(till.cashier, till.payment, str(guess))
        codes.append((response.status_code, response.json()["errors"][0]["code"]))
        wait_out_backoff()
    assert codes[:5] == [(403, "invalid_pin")] * 5
    assert set(codes[5:]) == {(403, "pin_locked")}
    # Locked: even the right PIN no longer approves, and nothing was refunded.
    assert refund(till.cashier, till.payment, MANAGER_PIN).json()["errors"][0]["code"] == "pin_locked"
    assert not Payment.objects.filter(kind=Payment.Kind.REFUND).exists()

    # Every attempt is in the audit trail (5 counted, the rest refused while locked), the lock too.
    failed = AuditEntry.objects.filter(action="pin_failed", actor=till.cashier.user)
    assert failed.count() == 41
    assert [e.data["failures"] for e in failed.order_by("id")[:5]] == [1, 2, 3, 4, 5]
    assert AuditEntry.objects.filter(action="pin_locked").count() == 1

    # The owner's home page raises it; the cashier's login still works (a PIN lock is not a login lock).
    client.force_login(till.owner.user)
    home = client.get("/").content.decode()
    assert 'data-testid="pin-alert"' in home and "1 PIN alert" in home
    client.logout()
    login = client.post("/login/", {"username": till.cashier.user.username, "password": "pass-word-123"})
    assert login.status_code == 302 and login["Location"] == "/"

    # A manager unlocks it on the PINs page; then the manager's PIN approves again.
    client.force_login(till.manager.user)
    page = client.get(f"/stores/{till.cashier.store.slug}/pins/").content.decode()
    assert till.cashier.user.username in page and "locked" in page
    guard = PinGuard.objects.get(membership=till.cashier, side=PinGuard.Side.ENTERING)
    client.post(f"/stores/{till.cashier.store.slug}/pins/{guard.pk}/unlock/")
    assert AuditEntry.objects.filter(action="pin_unlocked", actor=till.manager.user).exists()
    done = refund(till.cashier, till.payment, MANAGER_PIN)
    assert done.status_code == 201, done.json()
    assert Payment.objects.get(kind=Payment.Kind.REFUND).approved_by == till.manager.user


def test_retrying_within_the_backoff_is_refused_without_checking_the_pin(till):
    refund(till.cashier, till.payment, "000000")
    second = refund(till.cashier, till.payment, "000001")  # 2nd failure: next try waits 5 s
    assert second.status_code == 403
    early = refund(till.cashier, till.payment, MANAGER_PIN)  # the right PIN, but too soon
    assert early.status_code == 429 and early.json()["errors"][0]["code"] == "pin_backoff"
    assert PinGuard.objects.get(membership=till.cashier).failures == 2
    assert not Payment.objects.filter(kind=Payment.Kind.REFUND).exists()


def test_a_named_approvers_pin_locks_after_five_wrong_tries_from_anyone(store, till):
    other_cashier = MembershipFactory(store=store, role=Role.CASHIER)
    second_manager = MembershipFactory(store=store, role=Role.MANAGER)
    membership_set_pin(membership=second_manager, pin="975310")
    name = till.manager.user.username
    for index in range(5):  # alternating cashiers: neither reaches five, the manager's PIN does
        typist = till.cashier if index % 2 else other_cashier
        assert refund(typist, till.payment, f"55555{index}", approver=name).status_code == 403
        wait_out_backoff()
    own = PinGuard.objects.get(membership=till.manager, side=PinGuard.Side.OWN_PIN)
    assert own.locked_at is not None
    locked = refund(till.cashier, till.payment, MANAGER_PIN, approver=name)
    assert locked.json()["errors"][0]["code"] == "approver_pin_locked"
    wait_out_backoff()
    # The other manager's PIN still approves; the locked one is skipped when nobody is named.
    assert refund(till.cashier, till.payment, "975310").status_code == 201


def test_pages_record_wrong_pins_too(client, till, store):
    client.force_login(till.cashier.user)
    url = f"/s/{store.slug}/checks/{till.payment.guest_check_id}/refund/"
    client.post(url, {"payment": till.payment.pk, "amount": "12.00", "reason": "x", "approver_pin": "111111"})
    assert AuditEntry.objects.filter(action="pin_failed", actor=till.cashier.user).count() == 1


def test_pins_are_six_to_eight_digits_and_old_ones_were_cleared(store):
    manager = MembershipFactory(store=store, role=Role.MANAGER)
    with pytest.raises(DomainError, match="6 to 8 digits"):
        membership_set_pin(membership=manager, pin="1234")
    manager.set_pin("1234")  # what a 4-digit PIN from before looked like
    manager.save()
    migration = importlib.import_module("restaurant_ops.migrations.0006_reset_short_pins")
    migration.clear(apps, None)
    assert Membership.objects.get(pk=manager.pk).pin_hash == ""


def test_set_your_pin_needs_your_password(client, store):
    manager = MembershipFactory(store=store, role=Role.MANAGER)
    client.force_login(manager.user)
    url = f"/stores/{store.slug}/pins/"
    form = {"pin": "864200", "pin_again": "864200"}
    assert "That is not your password" in client.post(url, {**form, "password": "nope"}).content.decode()
    client.post(url, {**form, "password": "pass-word-123"})
    assert Membership.objects.get(pk=manager.pk).check_pin("864200")


def test_cooks_and_cashiers_do_not_reach_the_pins_page(client, store):
    for role in (Role.CASHIER, Role.COOK):
        client.force_login(MembershipFactory(store=store, role=role).user)
        assert client.get(f"/stores/{store.slug}/pins/").status_code == 403


def test_logins_lock_after_five_wrong_passwords_and_each_is_audited(client, store):
    cashier = MembershipFactory(store=store, role=Role.CASHIER)
    name = cashier.user.username
    answers = [client.post("/login/", {"username": name, "password": "wrong"}).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth wrong password locks
    locked = client.post("/login/", {"username": name, "password": "pass-word-123"})
    assert locked.status_code == 429 and "Too many wrong passwords" in locked.content.decode()
    # Every attempt is in the store's audit trail (the refused sixth too), and the lock.
    assert AuditEntry.objects.filter(store=store, action="login_failed").count() == 6
    assert AuditEntry.objects.filter(store=store, action="login_locked").count() >= 1
    assert "_auth_user_id" not in client.session
