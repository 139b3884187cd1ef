"""The outbox: follow-up work owed for a domain event, written in the event's own transaction.

A broker outage can delay this work but never lose it: the row exists exactly when the order (or
receipt, ...) that caused it exists, and the worker hands it to its task when it can."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from restaurant_ops.models import Store


class OutboxEvent(models.Model):
    """One domain event as the outside world sees it (topic, subject, JSON payload)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    topic = models.CharField(_("topic"), max_length=60, db_index=True)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")

    def __str__(self) -> str:
        return f"{self.topic} {self.subject}"


class OutboxDispatch(models.Model):
    """One Celery task owed for one event. Pending until the drain has handed it to the broker."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="dispatches")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    task_name = models.CharField(_("task"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox dispatch")
        verbose_name_plural = _("outbox dispatches")
        indexes = [
            models.Index(
                fields=["task_name", "store"],
                condition=models.Q(state="pending"),
                name="outbox_dispatch_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.event_id} {self.state}"


class OutboxWindow(models.Model):
    """When a coalescing task last ran for a store, so a rush costs two runs, not hundreds: the first
    event runs at once (leading edge), later ones within the window run once at its end."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    task_name = models.CharField(max_length=200)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    trailing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task_name", "store"], name="uniq_outbox_window"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.store_id}"


class WebhookEndpoint(models.Model):
    """A back office's URL that receives the store's events, signed by the Standard Webhooks spec.
    During a secret rotation both the new and the previous secret sign, until the overlap ends."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True, help_text=_("Empty: every topic."))
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("disabled because"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def follows(self, topic: str) -> bool:
        return not self.topics or topic in self.topics


class WebhookDelivery(models.Model):
    """One event owed to one endpoint: retried with backoff for about a day, in order per endpoint and
    subject (a later event about the same order waits for the earlier one)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subject = models.CharField(max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["endpoint", "subject", "id"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} {self.state}"

    @property
    def message_id(self) -> str:
        """The Standard Webhooks `webhook-id`: the event's, so a receiver spots a re-delivery."""
        return f"msg_{self.event_id}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: the delivery log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"


# --- Notifications to people ------------------------------------------------------------------------

SEVERITIES = ("info", "warning", "high")
CHANNELS = ("in_app", "email", "robot")


def default_channels() -> dict:
    return {"info": ["in_app"], "warning": ["in_app", "email"], "high": ["in_app", "email", "robot"]}


def default_digest_channels() -> list:
    return ["in_app", "email"]


class NotificationPreference(models.Model):
    """What one person hears, per severity and channel; quiet hours (in the store's zone) defer e-mail and
    robot messages that are not urgent ("high" always goes at once); the morning digest (owners)."""

    class Robot(models.TextChoices):
        NONE = "", _("None")
        WECOM = "wecom", _("WeCom robot")
        DINGTALK = "dingtalk", _("DingTalk robot")
        SLACK = "slack", _("Slack-compatible")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channels = models.JSONField(_("channels per severity"), default=default_channels)
    robot_kind = models.CharField(_("chat robot"), max_length=10, choices=Robot.choices, blank=True)
    robot_url = models.URLField(_("chat robot webhook URL"), max_length=500, blank=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest = models.BooleanField(_("morning digest"), default=True)
    digest_channels = models.JSONField(_("digest channels"), default=default_digest_channels)
    # The language notifications and the digest are written in (the site's default when blank).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class DigestSchedule(models.Model):
    """When a store's morning digest goes out: this many minutes before the day's first opening."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="+")
    minutes_before_opening = models.PositiveSmallIntegerField(_("minutes before opening"), default=60)
    last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.store_id} -{self.minutes_before_opening} min"


class Notification(models.Model):
    """One message to one person: the in-app row (the bell) and the record behind its e-mail and robot
    sends. `url` opens what it is about (the insight's page, absolute)."""

    class Kind(models.TextChoices):
        INSIGHT = "insight", _("Insight")
        DIGEST = "digest", _("Morning digest")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INSIGHT)
    severity = models.CharField(_("severity"), max_length=10, default="info")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    insight_id = models.PositiveIntegerField(null=True, blank=True)
    event = models.ForeignKey(OutboxEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"],
                condition=models.Q(event__isnull=False),
                name="uniq_notification_event",
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "id"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationSend(models.Model):
    """One e-mail or robot message owed for a notification: retried with backoff; quiet hours set a
    later first attempt."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="sends")
    channel = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(state="pending"), name="notification_send_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.state}"
