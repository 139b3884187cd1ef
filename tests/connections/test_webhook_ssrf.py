"""The SSRF guard: in production the server refuses to call loopback, private and link-local addresses
(the cloud metadata service at 169.254.169.254 above all), when an endpoint is saved and again at each
delivery; a LAN back office is let through by name (WEBHOOK_ALLOWED_HOSTS) or by WEBHOOK_ALLOW_PRIVATE."""

import datetime as dt

import pytest
from django.test import Client

from connections import webhooks
from connections.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from orders.services import LineRequest, order_place
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    settings.WEBHOOK_ALLOWED_HOSTS = []
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",  # a name that resolves to loopback
        "http://10.0.0.5/erp",
        "http://[::1]/hooks",
    ],
)
def test_the_api_refuses_a_private_target_with_a_400_naming_url(store, key_client, guarded, url):
    response = key_client.post("/api/v1/webhooks/endpoints/", {"url": url, "topics": []}, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("url", "private_address")]
    assert WebhookEndpoint.objects.count() == 0


def test_a_public_address_is_accepted_and_a_listed_lan_host_too(store, key_client, guarded):
    public = key_client.post(
        "/api/v1/webhooks/endpoints/", {"url": "https://93.184.216.34/hooks"}, format="json"
    )  # an address literal: no name to resolve, nothing is called when saving
    assert public.status_code == 201
    guarded.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    lan = key_client.post("/api/v1/webhooks/endpoints/", {"url": "http://127.0.0.1:9/erp"}, format="json")
    assert lan.status_code == 201
    moved = key_client.patch(
        f"/api/v1/webhooks/endpoints/{lan.json()['id']}/", {"url": "http://169.254.169.254/"}, format="json"
    )
    assert moved.status_code == 400 and moved.json()["errors"][0]["field"] == "url"


def test_the_page_says_why_and_saves_nothing(store, guarded):
    owner = Client()
    owner.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    page = owner.post(
        f"/stores/{store.slug}/webhooks/", {"url": "http://169.254.169.254/latest/meta-data/"}, follow=True
    )
    assert "169.254.169.254" in page.content.decode() and WebhookEndpoint.objects.count() == 0


def test_a_delivery_is_refused_when_the_target_is_no_longer_allowed(store, settings):
    endpoint = webhooks.webhook_endpoint_create(store=store, url="http://127.0.0.1:9/hooks", topics=[])
    order_place(store=store, channel="till", lines=[LineRequest(item_id=MenuItemFactory(store=store).pk)])
    settings.WEBHOOK_ALLOW_PRIVATE = False  # production now; the saved URL points at loopback
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert webhooks.deliver(delivery_id=delivery.pk, now=dt.datetime.now(dt.UTC)) == "pending"  # retried
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and attempt.error.startswith("refused: 127.0.0.1 is a loopback")


def test_a_name_rebound_to_loopback_after_the_check_never_reaches_it(store, settings, monkeypatch):
    """DNS rebinding: the name answers a public address to whoever checks it first, then loopback, where
    something listens. The delivery resolves the name once, at connection, and connects to the address
    it checked, so the loopback service hears nothing."""
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    heard = []

    class Listener(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            heard.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    endpoint = webhooks.webhook_endpoint_create(
        store=store, url=f"http://rebind.example:{port}/hooks", topics=[]
    )
    order_place(store=store, channel="till", lines=[LineRequest(item_id=MenuItemFactory(store=store).pk)])

    real_getaddrinfo, answers = socket.getaddrinfo, []

    def rebinding(host, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, *args, **kwargs)
        # A global IPv6 address first (unroutable here: the connection fails at once), loopback after.
        address = "2606:4700:4700::1111" if not answers else "127.0.0.1"
        answers.append(address)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    settings.WEBHOOK_ALLOW_PRIVATE, settings.WEBHOOK_ALLOWED_HOSTS = False, []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    try:
        assert webhooks.deliver(delivery_id=delivery.pk, now=dt.datetime.now(dt.UTC)) == "pending"
    finally:
        server.shutdown()
        server.server_close()
    assert heard == [] and answers == ["2606:4700:4700::1111"]  # asked once; that answer was used
    assert WebhookAttempt.objects.get(delivery=delivery).status_code is None
