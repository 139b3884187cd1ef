"""Webhooks out: a test HTTP server verifies the Standard Webhooks signatures, sees every event at
least once (a failure is retried with backoff) with duplicates recognisable by webhook-id, in order per
subject; secret rotation signs with both secrets during the overlap; a day of failures disables the
endpoint and tells the owner."""

import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from analytics import services as analytics_services
from analytics.insights import Finding, insight_upsert
from connections import webhooks
from connections.models import WebhookDelivery
from inventory import services as inventory
from orders.services import LineRequest, menu_item_set_sold_out, order_place
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory
from tests.inventory.factories import IngredientFactory

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


def _received_topics(receiver, endpoint):
    now = dt.datetime.now(dt.UTC)
    while webhooks.due(now=now):  # one per subject at a time: the next goes once the earlier arrived
        _deliver_all(now)
    assert all(r["verified"] == [endpoint.secret] for r in receiver.received)  # every one signed
    return [(r["body"]["type"], r["body"]["data"]) for r in receiver.received]


def test_an_item_sold_out_by_stock_or_by_hand_and_back_reaches_the_back_office_signed(store, receiver):
    endpoint = webhooks.webhook_endpoint_create(
        store=store, url=f"http://127.0.0.1:{PORT}/menu", topics=["item.sold_out", "item.back"]
    )
    receiver.secrets = [endpoint.secret]
    wings = IngredientFactory(store=store, base_unit="pcs")
    item = MenuItemFactory(store=store, name="Wings")
    inventory.recipe_line_set(
        store=store, ingredient=wings, quantity=Decimal("2"), unit="pcs", menu_item=item
    )
    receipt = {"store": store, "ingredient": wings, "reason": "delivery", "unit_cost": Decimal("1")}
    inventory.stock_movement_record(kind="receipt", quantity=Decimal("3"), **receipt)
    _order(store, item)  # 3 - 2 = 1 piece left, a portion needs 2: sold out by stock
    inventory.stock_movement_record(kind="receipt", quantity=Decimal("5"), **receipt)  # 6 pieces: back
    menu_item_set_sold_out(item=item, sold_out=True)  # the manual 86 (item's flags here are stale)
    menu_item_set_sold_out(item=item, sold_out=True)  # no flip, no event
    menu_item_set_sold_out(item=item, sold_out=False)

    got = _received_topics(receiver, endpoint)
    assert [(topic, data["item_id"], data["by_hand"]) for topic, data in got] == [
        ("item.back", item.pk, False),  # the recipe came before any stock; 3 pieces cover a portion
        ("item.sold_out", item.pk, False),  # 1 piece left
        ("item.back", item.pk, False),  # 6 pieces
        ("item.sold_out", item.pk, True),  # the 86 button
        ("item.back", item.pk, True),
    ]
    assert got[0][1]["name"] == "Wings"


def test_an_insight_opened_acted_on_and_evaluated_and_the_stock_low_reach_the_back_office(
    store, receiver, settings
):
    settings.PUBLIC_BASE_URL = "https://ops.example"
    endpoint = webhooks.webhook_endpoint_create(
        store=store,
        url=f"http://127.0.0.1:{PORT}/insights",
        topics=["insight.opened", "insight.acted", "insight.evaluated", "stock.low"],
    )
    receiver.secrets = [endpoint.secret]
    flour = IngredientFactory(store=store, name="Flour", base_unit="g")
    finding = Finding(
        kind="low_stock",
        subject=f"ingredient:{flour.pk}",
        message_key="low_stock_no_supplier",
        numbers={
            "ingredient": "Flour",
            "unit": "g",
            "on_hand": "200",
            "reorder_point": "1000",
            "days_left": "0.5",
            "lead_time": 1,
            "on_order": "0",
        },
        severity="high",
        metric="sold_out_days",
        window_days=14,
    )
    insight = insight_upsert(store=store, finding=finding)
    insight_upsert(store=store, finding=finding)  # the next run finds it again: an update, not a new one
    acted_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=15)
    insight = analytics_services.insight_act(
        insight=insight, action="done", note="Bought flour at the market", now=acted_at
    )
    analytics_services.insight_evaluate(insight=insight, now=acted_at + dt.timedelta(days=14))

    got = _received_topics(receiver, endpoint)
    assert [topic for topic, _data in got] == [
        "insight.opened",
        "stock.low",
        "insight.acted",
        "insight.evaluated",
    ]
    opened, low, acted, evaluated = (data for _topic, data in got)
    link = f"https://ops.example/dashboard/{store.slug}/insights/{insight.pk}/"
    assert (opened["insight_id"], opened["severity"], opened["state"], opened["url"]) == (
        insight.pk,
        "high",
        "new",
        link,
    )
    assert (low["ingredient_id"], low["ingredient"], low["on_hand"], low["reorder_point"]) == (
        flour.pk,
        "Flour",
        "200",
        "1000",
    )
    assert (acted["state"], acted["action"], acted["action_detail"]) == (
        "acted",
        "other",
        {"note": "Bought flour at the market"},
    )
    assert evaluated["state"] == "evaluated" and evaluated["verdict"] is not None


def test_feedback_received_reaches_the_back_office_signed_without_the_guests_details(store, receiver):
    from customers.services import complaint_log

    endpoint = webhooks.webhook_endpoint_create(
        store=store, url=f"http://127.0.0.1:{PORT}/feedback", topics=["feedback.received"]
    )
    receiver.secrets = [endpoint.secret]
    item = MenuItemFactory(store=store, name="Noodles")
    feedback = complaint_log(store=store, tags=["cold"], rating=2, menu_item_id=item.pk, text="Lukewarm")

    [(topic, data)] = _received_topics(receiver, endpoint)
    assert topic == "feedback.received"
    assert data == {
        "feedback_id": feedback.pk,
        "check_id": None,
        "rating": 2,
        "tags": ["cold"],
        "item_id": item.pk,
        "comment": "Lukewarm",
        "source": feedback.source,
        "is_complaint": True,
        "occurred_at": feedback.occurred_at.isoformat(),
    }
