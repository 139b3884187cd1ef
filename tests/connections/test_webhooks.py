"""Webhooks out: a test HTTP server verifies the Standard Webhooks signatures, sees every event at
least once (a failure is retried with backoff) with duplicates recognisable by webhook-id, in order per
subject; secret rotation signs with both secrets during the overlap; a day of failures disables the
endpoint and tells the owner."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from connections import webhooks
from connections.models import WebhookDelivery
from orders.services import LineRequest, order_place
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory

pytestmark = pytest.mark.django_db
PORT = 21420


class Receiver(BaseHTTPRequestHandler):
    """A back office: verifies every request with the secrets it knows, answers `plan` in turn."""

    secrets: list[str] = []
    plan: list[int] = []
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        payload = self.rfile.read(int(self.headers["content-length"]))
        verified = []
        for secret in self.secrets:
            try:
                Webhook(secret).verify(payload, dict(self.headers))
                verified.append(secret)
            except Exception:  # noqa: BLE001 - a signature that does not verify
                pass
        Receiver.received.append(
            {"id": self.headers["webhook-id"], "body": json.loads(payload), "verified": verified}
        )
        self.send_response(Receiver.plan.pop(0) if Receiver.plan else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.secrets, Receiver.plan, Receiver.received = [], [], []
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver
    server.shutdown()
    server.server_close()


def _order(store, item):
    return order_place(store=store, channel="till", lines=[LineRequest(item_id=item.pk, quantity=1)])


def _deliver_all(now):
    for delivery_id in webhooks.due(now=now):
        webhooks.deliver(delivery_id=delivery_id, now=now)


def test_signed_delivered_at_least_once_in_order_with_ids_to_spot_duplicates(store, receiver):
    endpoint = webhooks.webhook_endpoint_create(
        store=store, url=f"http://127.0.0.1:{PORT}/hooks", topics=["order.placed"]
    )
    receiver.secrets = [endpoint.secret]
    receiver.plan = [500]  # the first attempt fails
    item = MenuItemFactory(store=store, name="Soup")
    first, second = _order(store, item), _order(store, item)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 2  # written with the orders

    now = dt.datetime.now(dt.UTC)
    _deliver_all(now)  # order 1 fails (500); order 2 has another subject, so it goes
    assert [r["body"]["data"]["order_id"] for r in receiver.received] == [first.pk, second.pk]
    _deliver_all(now + dt.timedelta(seconds=2))  # not due yet: backoff
    assert len(receiver.received) == 2
    _deliver_all(now + dt.timedelta(seconds=6))  # the retry
    ids = [r["id"] for r in receiver.received]
    assert ids == [
        f"msg_{WebhookDelivery.objects.get(event__subject=f'order:{o.pk}').event_id}"
        for o in (first, second, first)
    ]
    assert len(set(ids)) == 2  # the re-delivery carries the same webhook-id
    assert all(r["verified"] == [endpoint.secret] for r in receiver.received)
    assert receiver.received[0]["body"]["type"] == "order.placed"
    delivery = WebhookDelivery.objects.get(event__subject=f"order:{first.pk}")
    assert (delivery.state, delivery.attempts, [a.status_code for a in delivery.log.all()]) == (
        "delivered",
        2,
        [500, 204],
    )

    webhooks.webhook_delivery_replay(delivery=delivery)  # the replay button
    _deliver_all(now + dt.timedelta(seconds=7))
    assert receiver.received[-1]["id"] == ids[0]


def test_a_later_event_about_the_same_subject_waits_for_the_earlier_one(store):
    endpoint = webhooks.webhook_endpoint_create(store=store, url=f"http://127.0.0.1:{PORT}/x", topics=[])
    item = MenuItemFactory(store=store)
    order = _order(store, item)
    from connections.services import outbox_record

    outbox_record(
        topic="order.ready", store=store, subject=f"order:{order.pk}", payload={"order_id": order.pk}
    )
    placed, ready = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id")
    now = dt.datetime.now(dt.UTC)
    assert webhooks.due(now=now) == [placed.pk]  # "ready" waits behind "placed"
    webhooks.deliver(delivery_id=placed.pk, now=now)  # nobody listens on that path's port: fails
    assert webhooks.due(now=now + dt.timedelta(seconds=1)) == []  # still in order: nothing overtakes


def test_rotation_signs_with_both_secrets_during_the_overlap(store, receiver):
    endpoint = webhooks.webhook_endpoint_create(store=store, url=f"http://127.0.0.1:{PORT}/h", topics=[])
    old = endpoint.secret
    webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
    receiver.secrets = [old, endpoint.secret]
    _order(store, MenuItemFactory(store=store))
    now = dt.datetime.now(dt.UTC)
    _deliver_all(now)
    assert receiver.received[-1]["verified"] == [old, endpoint.secret]
    endpoint.previous_secret_until = now - dt.timedelta(seconds=1)  # a day later: the overlap is over
    endpoint.save()
    _order(store, MenuItemFactory(store=store))
    _deliver_all(dt.datetime.now(dt.UTC))  # (receivers reject a timestamp far from their clock)
    assert receiver.received[-1]["verified"] == [endpoint.secret]


def test_a_day_of_failures_disables_the_endpoint_and_tells_the_owner(
    store, receiver, mailoutbox_backend, django_capture_on_commit_callbacks
):
    from django.core import mail

    owner = MembershipFactory(store=store, role=Role.OWNER)
    owner.user.email = "owner@example.com"
    owner.user.save()
    endpoint = webhooks.webhook_endpoint_create(store=store, url=f"http://127.0.0.1:{PORT}/down", topics=[])
    receiver.plan = [503] * 20
    _order(store, MenuItemFactory(store=store))
    delivery = WebhookDelivery.objects.get()
    now = dt.datetime.now(dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        for wait in [0, *webhooks.BACKOFF]:
            now += dt.timedelta(seconds=wait)
            webhooks.deliver(delivery_id=delivery.pk, now=now)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 11)
    assert sum(webhooks.BACKOFF) == 85_355  # 5+30+120+600+1800+3600+7200+14400+28800+28800 s ≈ 23.7 h
    assert not endpoint.is_active and endpoint.disabled_reason
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
