"""What a newcomer sees on the console: a refused request is one line, not a traceback; the
browser's /favicon.ico request finds the icon."""

import io
import logging

import pytest
from django.contrib.staticfiles import finders

from restaurant_ops.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """The configured console handler, writing into a buffer for the test."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_a_refused_page_logs_one_line_without_traceback(client, store, console):
    cashier = MembershipFactory(store=store, role=Role.CASHIER)
    client.force_login(cashier.user)

    forbidden = client.get(f"/stores/{store.slug}/api-keys/")
    missing = client.get("/stores/no-such-store/api-keys/")

    assert forbidden.status_code == 403
    assert missing.status_code == 404
    output = console.getvalue()
    assert f"Forbidden (Permission denied): /stores/{store.slug}/api-keys/" in output
    assert "Not Found: /stores/no-such-store/api-keys/" in output
    assert "Traceback" not in output


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")
