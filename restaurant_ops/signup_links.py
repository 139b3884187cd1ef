"""The link that opens sign-up on an empty production install. In production sign-up is not
first-come: whoever runs `manage.py signup_link` on the server (so has shell access) gets a signed,
expiring link. Nothing is stored: the link stops working once the first account exists, because
sign-up itself closes then."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "restaurant_ops.signup"
MAX_AGE = 7 * 24 * 3600  # a week to open it


def signup_url() -> str:
    token = signing.TimestampSigner(salt=SALT).sign("owner-signup")
    return f"{settings.PUBLIC_BASE_URL}{reverse('sign-up')}?token={token}"


def signup_allowed(token: str | None) -> bool:
    """Outside production sign-up stays open (laptop demo, development)."""
    if not settings.PRODUCTION:
        return True
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token or "", max_age=MAX_AGE) == "owner-signup"
    except signing.BadSignature:
        return False
