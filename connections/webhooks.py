"""Webhooks out by the Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature:
HMAC-SHA256 by the `standardwebhooks` package). Endpoints, their secrets and rotation, the deliveries
owed for an event (written in the event's transaction by outbox_record), and the delivery itself:
retried with exponential backoff for about a day, in order per endpoint and subject, logged, and an
endpoint that keeps failing is disabled with a notice to the store's owners."""

import base64
import datetime as dt
import functools
import json
import logging
import secrets
import time

import requests
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from restaurant_ops import db
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Membership, Role

from .models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .urlguard import guarded_post, url_check

logger = logging.getLogger(__name__)

# Seconds to wait after each failed attempt: about 24 h in all, then the delivery fails for good.
BACKOFF = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800]
TIMEOUT_SECONDS = 10
ROTATION_OVERLAP = dt.timedelta(hours=24)
TOPICS = (
    "order.placed",
    "order.ready",
    "order.cancelled",
    "check.closed",
    "payment.refunded",
    "stock.low",
    "item.sold_out",
    "item.back",
    "purchase_order.sent",
    "purchase_order.received",
    "insight.opened",
    "insight.acted",
    "insight.evaluated",
    "shift.published",
    "feedback.received",
)


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _check_topics(topics: list[str]) -> list[str]:
    unknown = sorted(set(topics) - set(TOPICS))
    if unknown:
        raise DomainError(
            "topics", "invalid_choice", _("Unknown topics: %(topics)s.") % {"topics": ", ".join(unknown)}
        )
    return sorted(set(topics))


def webhook_endpoint_create(*, store, url: str, topics: list[str], description: str = "") -> WebhookEndpoint:
    url_check(url)
    return WebhookEndpoint.objects.create(
        store=store, url=url, topics=_check_topics(topics), description=description, secret=_new_secret()
    )


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """url, topics, description, is_active (re-enabling clears the reason it was disabled)."""
    if "topics" in fields:
        fields["topics"] = _check_topics(fields["topics"])
    if "url" in fields:
        url_check(fields["url"])
    for name, value in fields.items():
        setattr(endpoint, name, value)
    if fields.get("is_active"):
        endpoint.disabled_reason = ""
    endpoint.save()
    return endpoint


def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, now: dt.datetime | None = None
) -> WebhookEndpoint:
    """A new secret; the old one keeps signing beside it for ROTATION_OVERLAP, so the receiver can
    switch over without missing a message."""
    now = now or timezone.now()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, now + ROTATION_OVERLAP
    endpoint.secret = _new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Sends a delivery again (same webhook-id: the receiver can tell it is the same event)."""
    delivery.state, delivery.next_attempt_at = WebhookDelivery.State.PENDING, timezone.now()
    delivery.save(update_fields=["state", "next_attempt_at"])
    return delivery


# A store's active endpoints. Every event asks (each order among them) and most stores have none:
# written out because the ORM's query cost more to build and compile than to run.
@functools.cache
def _endpoints_sql() -> str:
    return (
        f"SELECT {db.columns(WebhookEndpoint, 'e')} FROM {WebhookEndpoint._meta.db_table} e "
        "WHERE e.store_id = %s AND e.is_active = %s ORDER BY e.id"
    )


def deliveries_record(*, event: OutboxEvent) -> int:
    """The deliveries an event owes, in its transaction (called by outbox_record)."""
    if event.store_id is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_endpoints_sql(), [event.store_id, True])
        active = [db.instance(WebhookEndpoint, row) for row in cursor]
    endpoints = [e for e in active if e.follows(event.topic)]
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=e, event=event, subject=event.subject) for e in endpoints
    )
    return len(endpoints)


def body(event: OutboxEvent) -> str:
    return json.dumps(
        {"type": event.topic, "timestamp": event.created_at.isoformat(), "data": event.payload},
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )


def headers(delivery: WebhookDelivery, payload: str, now: dt.datetime) -> dict:
    endpoint = delivery.endpoint
    secrets_in_force = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and now < endpoint.previous_secret_until:
        secrets_in_force.append(endpoint.previous_secret)
    signatures = " ".join(Webhook(s).sign(delivery.message_id, now, payload) for s in secrets_in_force)
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "RestaurantOps-Webhooks/1",
    }


def due(*, now: dt.datetime | None = None, limit: int = 100) -> list[int]:
    """Pending deliveries to try now: per endpoint and subject only the oldest (order is kept: a later
    event about the same order waits behind an earlier one that is still being retried)."""
    now = now or timezone.now()
    first_of: dict[tuple[int, str], WebhookDelivery] = {}
    pending = (
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, endpoint__is_active=True)
        .only("id", "endpoint_id", "subject", "next_attempt_at")
        .order_by("id")[: limit * 10]
    )
    for delivery in pending:
        first_of.setdefault((delivery.endpoint_id, delivery.subject), delivery)
    return [d.pk for d in first_of.values() if d.next_attempt_at <= now][:limit]


def deliver(*, delivery_id: int, now: dt.datetime | None = None) -> str | None:
    """One attempt of one delivery (row-locked: two workers never send it at once)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint", "event")
            .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
            .first()
        )
        if delivery is None:
            return None
        now = now or timezone.now()
        payload = body(delivery.event)
        started = time.monotonic()
        status_code, error = None, ""
        try:
            # Vetted again at connection: the name may resolve elsewhere since it was saved.
            response = guarded_post(
                delivery.endpoint.url,
                data=payload.encode(),
                headers=headers(delivery, payload, now),
                timeout=TIMEOUT_SECONDS,
            )
            status_code = response.status_code
        except requests.RequestException as exc:
            error = f"{exc.__class__.__name__}: {exc}"[:300]
        except DomainError as exc:  # refused by the SSRF guard: a failed attempt, retried like any other
            error = f"refused: {exc.message}"[:300]
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status_code, error
        if status_code is not None and 200 <= status_code < 300:
            delivery.state, delivery.delivered_at = WebhookDelivery.State.DELIVERED, now
        elif delivery.attempts > len(BACKOFF):
            delivery.state = WebhookDelivery.State.FAILED
            _disable(delivery.endpoint, now)
        else:
            delivery.next_attempt_at = now + dt.timedelta(seconds=BACKOFF[delivery.attempts - 1])
        delivery.save()
        return delivery.state


def _disable(endpoint: WebhookEndpoint, now: dt.datetime) -> None:
    """A delivery failed for a whole day: the endpoint stops, and the store's owners hear of it."""
    endpoint.is_active = False
    endpoint.disabled_reason = "Deliveries failed for 24 hours."
    endpoint.save(update_fields=["is_active", "disabled_reason"])
    owners = Membership.objects.filter(store_id=endpoint.store_id, role=Role.OWNER).exclude(user__email="")
    recipients = list(owners.values_list("user__email", flat=True))
    if recipients:
        subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
        text = _(
            "Deliveries to %(url)s have failed for 24 hours, so it was disabled. Fix the receiver, then "
            "enable it again on the store's webhooks page; failed deliveries can be replayed there."
        ) % {"url": endpoint.url}
        transaction.on_commit(lambda: send_mail(subject, text, None, recipients, fail_silently=True))
    logger.warning("webhook endpoint %s disabled after a day of failed deliveries", endpoint.pk)
