"""Triggered messages: never without consent, in quiet hours, past the cap, to the holdout or twice for
one trigger (concurrent runs included); the SMS provider adapter against a local fake of its API,
inbound STOP withdrawing consent; results against the holdout."""

import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from customers import messaging, services
from customers.models import Consent, Customer, MessageRule, MessageSend, Source

from .factories import CustomerFactory, visit

PROVIDER_PORT = 21601
NOON = dt.datetime(2026, 6, 10, 12, 0)


@pytest.fixture
def outbox(settings, tmp_path):
    settings.SMS_BACKEND = "customers.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return tmp_path / "sms"


def _sent(outbox) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(outbox.glob("*.json"))] if outbox.exists() else []


@pytest.fixture
def rule(store):
    return MessageRule.objects.create(
        store=store,
        name="Win back",
        trigger="at_risk",
        holdout_share=Decimal("0"),
        cap_per_30_days=2,
        templates={"en": "We miss you, {name}!", "zh-hans": "{name}，好久不见！"},
    )


def _member(store, **kwargs) -> Customer:
    customer = CustomerFactory(store=store, **kwargs)
    services.consent_give(customer=customer, channel="sms", wording="Yes", source=Source.QR)
    return customer


def _at(store, moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=store.tz)


@pytest.mark.django_db
def test_sent_once_in_the_guests_language_with_consent(store, rule, outbox):
    mei = _member(store, name="Mei", language="zh-hans")
    first = messaging.message_send(
        rule=rule, customer=mei, trigger_key="at_risk:2026-05-01", now=_at(store, NOON)
    )
    again = messaging.message_send(
        rule=rule, customer=mei, trigger_key="at_risk:2026-05-01", now=_at(store, NOON)
    )
    assert first.status == "sent" and again is None
    assert _sent(outbox) == [{"to": str(mei.phone), "body": "Mei，好久不见！"}]


@pytest.mark.django_db
def test_never_without_consent_in_quiet_hours_or_past_the_cap(store, rule, outbox):
    silent = CustomerFactory(store=store)  # never ticked
    assert messaging.message_send(
        rule=rule, customer=silent, trigger_key="k", now=_at(store, NOON)
    ).status == ("no_consent")
    stopped = _member(store)
    services.consent_withdraw(customer=stopped, via=Source.SMS)
    assert messaging.message_send(
        rule=rule, customer=stopped, trigger_key="k", now=_at(store, NOON)
    ).status == ("no_consent")
    night = _member(store)
    assert (
        messaging.message_send(
            rule=rule, customer=night, trigger_key="k", now=_at(store, NOON.replace(hour=22))
        )
        is None
    )
    assert (
        messaging.message_send(
            rule=rule, customer=night, trigger_key="k", now=_at(store, NOON.replace(hour=8))
        )
        is None
    )
    assert not MessageSend.objects.filter(customer=night).exists()  # nothing recorded: the next run sends
    busy = _member(store)
    for day in (1, 5):  # two sent in the last 30 days: the cap of 2 is reached
        messaging.message_send(
            rule=rule, customer=busy, trigger_key=f"k{day}", now=_at(store, NOON.replace(day=day))
        )
    assert (
        messaging.message_send(rule=rule, customer=busy, trigger_key="k9", now=_at(store, NOON)).status
        == "capped"
    )
    assert len(_sent(outbox)) == 2


@pytest.mark.django_db
def test_the_holdout_is_stable_and_never_messaged(store, outbox):
    rule = MessageRule.objects.create(store=store, name="r", trigger="at_risk", templates={"en": "Hi"})
    customers = [_member(store) for _ in range(40)]
    held = [c for c in customers if messaging.is_held_out(rule=rule, customer=c)]
    assert held == [c for c in customers if messaging.is_held_out(rule=rule, customer=c)]  # stable
    for customer in customers:
        messaging.message_send(rule=rule, customer=customer, trigger_key="k", now=_at(store, NOON))
    assert MessageSend.objects.filter(status="held_out").count() == len(held)
    assert {m["to"] for m in _sent(outbox)}.isdisjoint({str(c.phone) for c in held})
    # Over many customers the share held out is near the rule's 10%.
    share = sum(messaging.is_held_out(rule=rule, customer=Customer(pk=n)) for n in range(1, 5001)) / 5000
    assert 0.085 < share < 0.115


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_message(store, rule, outbox):
    customer = _member(store)
    barrier, results = threading.Barrier(2), []

    def run():
        barrier.wait()
        try:
            results.append(
                messaging.message_send(rule=rule, customer=customer, trigger_key="k", now=_at(store, NOON))
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is None for r in results) == [False, True]
    assert MessageSend.objects.count() == 1 and len(_sent(outbox)) == 1


class FakeProvider(BaseHTTPRequestHandler):
    received: list = []
    fail = False

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeProvider.received.append({"path": self.path, "auth": self.headers["Authorization"], **body})
        status, answer = (500, {}) if FakeProvider.fail else (201, {"id": f"p-{len(FakeProvider.received)}"})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", PROVIDER_PORT), FakeProvider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SMS_BACKEND = "customers.sms.HttpBackend"
    settings.SMS_PROVIDER_URL = f"http://127.0.0.1:{PROVIDER_PORT}"
    settings.SMS_PROVIDER_KEY = "test-key"
    FakeProvider.received, FakeProvider.fail = [], False
    yield FakeProvider
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_the_provider_adapter_and_inbound_stop(client, store, rule, provider, settings):
    settings.SMS_INBOUND_SECRET = "s3cret"
    guest = _member(store, name="Ana")
    sent = messaging.message_send(rule=rule, customer=guest, trigger_key="a", now=_at(store, NOON))
    assert (sent.status, sent.provider_id) == ("sent", "p-1")
    assert provider.received == [
        {"path": "/messages", "auth": "Bearer test-key", "to": str(guest.phone), "body": "We miss you, Ana!"}
    ]
    provider.fail = True
    failed = messaging.message_send(rule=rule, customer=guest, trigger_key="b", now=_at(store, NOON))
    assert (failed.status, failed.error) == ("failed", "provider answered 500")
    # The guest replies STOP: the provider relays it, consent is withdrawn, nothing more is sent.
    refused = client.post(
        "/c/sms/inbound/",
        {"from": str(guest.phone), "body": "STOP"},
        content_type="application/json",
        HTTP_X_SMS_SECRET="wrong",
    )
    assert refused.status_code == 403 and guest.consents.filter(withdrawn_at__isnull=True).exists()
    reply = client.post(
        "/c/sms/inbound/",
        {"from": str(guest.phone), "body": " stop "},
        content_type="application/json",
        HTTP_X_SMS_SECRET="s3cret",
    )
    assert reply.json() == {"withdrawn": 1}
    assert Consent.objects.get(customer=guest).withdrawn_via == "sms"
    after = messaging.message_send(rule=rule, customer=guest, trigger_key="c", now=_at(store, NOON))
    assert after.status == "no_consent" and len(provider.received) == 2


@pytest.mark.django_db
def test_results_against_the_holdout(store, rule):
    def arm(status, count, returned):
        for n in range(count):
            customer = CustomerFactory(store=store)
            MessageSend.objects.create(
                rule=rule, customer=customer, trigger_key="k", status=status, at=_at(store, NOON)
            )
            if n < returned:
                visit(customer, dt.date(2026, 6, 20), "30")  # back 10 days later: within 30

    arm("sent", 29, 15)
    arm("held_out", 30, 9)
    assert messaging.rule_results(rule=rule)["enough"] is False  # 29 messaged: too few to tell
    arm("sent", 11, 5)
    result = messaging.rule_results(rule=rule)
    # Messaged 20 of 40 came back (0.50), held out 9 of 30 (0.30): difference 0.20.
    assert (result["messaged"], result["held_out"], round(result["difference"], 4)) == (
        (20, 40),
        (9, 30),
        0.2,
    )
    assert result["low"] < 0.2 < result["high"]


@pytest.mark.django_db
def test_the_results_page_shows_each_rule_against_its_holdout(client, store, rule):
    from restaurant_ops.models import Role
    from tests.factories import MembershipFactory

    for n in range(3):
        MessageSend.objects.create(
            rule=rule,
            customer=CustomerFactory(store=store),
            trigger_key="k",
            status="sent" if n else "held_out",
            at=_at(store, NOON),
        )
    client.force_login(MembershipFactory(store=store, role=Role.CASHIER).user)
    assert client.get(f"/customers/{store.slug}/messages/").status_code == 403
    client.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    page = client.get(f"/customers/{store.slug}/messages/").content.decode()
    assert "Win back" in page and "Too few to tell" in page
