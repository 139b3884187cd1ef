"""In production the first owner's sign-up needs the link `manage.py signup_link` prints on the
server, so a stranger who finds a fresh install first cannot take it; elsewhere sign-up stays open."""

from importlib import import_module
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
User = get_user_model()
ACCOUNT = {"username": "mei", "password": "noodle-house-42", "password_again": "noodle-house-42"}


@pytest.fixture
def production(settings):
    # restaurant_ops/urls.py reads PRODUCTION once, at import (API docs access): import it as the
    # other tests see it before switching, or it would stay in production mode for the whole run
    import_module(settings.ROOT_URLCONF)
    settings.PRODUCTION = True
    settings.PUBLIC_BASE_URL = "https://ops.example.com"
    return settings


def printed_link() -> str:
    out = StringIO()
    call_command("signup_link", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_production_sign_up_without_a_link_says_how_to_get_one_and_creates_nobody(client, production):
    page = client.get("/signup/")
    assert page.status_code == 403
    assert "python manage.py signup_link" in page.content.decode()

    assert client.post("/signup/", ACCOUNT).status_code == 403
    assert client.post("/signup/?token=owner-signup:forged:sig", ACCOUNT).status_code == 403
    assert not User.objects.exists()


def test_production_sign_up_with_the_printed_link_creates_the_owner(client, production):
    link = printed_link()

    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "ops.example.com", "/signup/")
    url = f"{parts.path}?{parts.query}"
    assert client.get(url).status_code == 200
    response = client.post(url, ACCOUNT)

    assert response.status_code == 302 and response.url == "/stores/new/"
    assert User.objects.get().username == "mei"
    client.logout()
    assert client.get(url).status_code == 404  # the link is spent once the owner exists
    with pytest.raises(CommandError):
        printed_link()


def test_outside_production_sign_up_stays_open(client, settings):
    settings.PRODUCTION = False

    assert client.get("/signup/").status_code == 200
    assert client.post("/signup/", ACCOUNT).status_code == 302
