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
from django.urls import reverse

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


@pytest.mark.django_db
def test_a_coupon_sent_by_a_rule_and_redeemed_at_the_till_shows_in_its_results(client, shop, outbox):
    """Rule with a 10% coupon; 3 customers messaged (each gets their own code), none held out. One
    redeems hers at the till on a check of one burger (12.00 → 1.20 off): redemption 1 of 3."""
    from orders.models import DiscountCode
    from orders.services import LineRequest, order_place
    from restaurant_ops.models import Role
    from tests.factories import MembershipFactory

    store = shop.store
    rule = MessageRule.objects.create(
        store=store,
        name="Win back",
        trigger="at_risk",
        holdout_share=Decimal("0"),
        templates={"en": "We miss you! {code} takes 10% off."},
        coupon_kind="percent",
        coupon_value=Decimal("10"),
        coupon_valid_days=14,
    )
    guests = [_member(store) for _ in range(3)]
    sends = [
        messaging.message_send(rule=rule, customer=g, trigger_key="k", now=_at(store, NOON)) for g in guests
    ]
    codes = [s.coupon for s in sends]
    assert len({c.code for c in codes}) == 3 and {c.source for c in codes} == {f"rule:{rule.pk}"}
    assert [m["body"] for m in _sent(outbox)].count(f"We miss you! {codes[0].code} takes 10% off.") == 1
    # Valid 14 days from the send: 2026-06-10 12:00 → 2026-06-24 12:00 store time.
    assert codes[0].valid_until == _at(store, dt.datetime(2026, 6, 24, 12, 0))
    assert messaging.rule_results(rule=rule)["redemption"] == {
        "count": 0,
        "of": 3,
        "enough": False,
        "rate": 0.0,
    }

    check = order_place(
        store=store,
        lines=[LineRequest(item_id=shop.burger.pk, quantity=1)],
        channel="till",
        service_type="takeaway",
    ).guest_check
    DiscountCode.objects.filter(pk=codes[1].pk).update(valid_until=None)  # the test runs after June 24
    client.force_login(shop.cashier)
    client.post(reverse("orders:check-action", args=[store.slug, check.pk, "code"]), {"code": codes[1].code})
    check.refresh_from_db()
    assert check.discount_total == Decimal("1.20")
    redemption = messaging.rule_results(rule=rule)["redemption"]
    assert (redemption["count"], redemption["of"]) == (1, 3)  # 1 of the 3 codes sent was used
    client.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    page = client.get(reverse("customers:messages", args=[store.slug])).content.decode()
    assert 'data-redeemed="1" data-issued="3"' in page


@pytest.mark.django_db
def test_e_mail_rules_send_with_consent_in_the_guests_language(client, store, mailoutbox, settings):
    rule = MessageRule.objects.create(
        store=store,
        name="Thanks",
        trigger="first_visit",
        channel="email",
        holdout_share=Decimal("0"),
        templates={"en": "Thank you, {name}!", "zh-hans": "谢谢，{name}！"},
        subjects={"en": "Thank you", "zh-hans": "谢谢"},
    )
    mei = CustomerFactory(store=store, name="Mei", email="mei@example.com", language="zh-hans")
    no_tick = CustomerFactory(store=store, email="x@example.com")
    sms_only = _member(store, email="y@example.com")  # SMS consent is not e-mail consent
    services.consent_give(customer=mei, channel="email", wording="Yes", source=Source.QR)
    sent = messaging.message_send(rule=rule, customer=mei, trigger_key="first_visit", now=_at(store, NOON))
    refused = [
        messaging.message_send(rule=rule, customer=c, trigger_key="first_visit", now=_at(store, NOON)).status
        for c in (no_tick, sms_only)
    ]
    assert (sent.status, sent.channel, refused) == ("sent", "email", ["no_consent", "no_consent"])
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert [(m.to, m.subject) for m in mailoutbox] == [(["mei@example.com"], "谢谢")]
    text, footer = mailoutbox[0].body.split("\n\n-- \n")
    assert text == "谢谢，Mei！" and footer.endswith(link)  # the footer in Mei's language (zh-Hans)
    assert sent.provider_id == mailoutbox[0].extra_headers["Message-ID"]
    assert mailoutbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The link's page asks for the click (a mail scanner's GET changes nothing); the POST withdraws.
    path = link.removeprefix(settings.PUBLIC_BASE_URL)
    assert 'id="unsubscribe"' in client.get(path).content.decode()
    assert Consent.objects.get(customer=mei, channel="email").withdrawn_at is None
    assert 'id="unsubscribed"' in client.post(path).content.decode()
    assert Consent.objects.get(customer=mei, channel="email").withdrawn_via == "link"
    assert client.get(path[:-3] + "xx/").status_code == 404
    again = messaging.message_send(rule=rule, customer=mei, trigger_key="second", now=_at(store, NOON))
    assert again.status == "no_consent" and len(mailoutbox) == 1
