"""With a real worker on the real broker: an insight opened in a committed transaction reaches the
owner's mailbox and chat robot with nothing but the outbox's nudges (drain → notify → deliver)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from analytics.insights import Finding, insight_upsert
from connections import notifications
from connections.models import Notification, NotificationSend
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, StoreFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


class Robot(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        Robot.received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _wait(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    return condition()


def test_an_opened_insight_is_mailed_and_posted_by_the_worker(live_worker, mailoutbox_backend, settings):
    settings.PUBLIC_BASE_URL = "https://ops.example"
    Robot.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = StoreFactory()
        owner = MembershipFactory(store=store, role=Role.OWNER).user
        owner.email = "owner@example.com"
        owner.save()
        notifications.preference_update(
            user=owner,
            channels={"info": [], "warning": [], "high": ["in_app", "email", "robot"]},
            robot_kind="slack",
            robot_url=f"http://127.0.0.1:{server.server_address[1]}/slack",
        )
        insight = insight_upsert(
            store=store,
            finding=Finding(
                kind="low_stock",
                subject="ingredient:1",
                message_key="low_stock_no_supplier",
                numbers={"ingredient": "Flour", "unit": "g", "on_hand": "0", "reorder_point": "500"},
                severity="high",
            ),
        )  # committed (its own transaction): the on-commit nudge wakes the worker's drain

        sent = _wait(lambda: NotificationSend.objects.filter(state="sent").count() == 2)
        assert sent, list(NotificationSend.objects.values_list("channel", "state", "last_error"))
        link = f"https://ops.example/dashboard/{store.slug}/insights/{insight.pk}/"
        assert Notification.objects.get(user=owner).url == link
        assert [m.to for m in mail.outbox] == [["owner@example.com"]] and link in mail.outbox[0].body
        assert len(Robot.received) == 1 and f"<{link}|Open>" in Robot.received[0]["text"]
    finally:
        server.shutdown()
        server.server_close()
