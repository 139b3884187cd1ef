"""The few models every app shares: the store, who belongs to it, API keys, the audit trail."""

import datetime as dt
import functools
import hashlib
import secrets
import zoneinfo
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Store(models.Model):
    class ShortagePolicy(models.TextChoices):
        REFUSE = "refuse", _("Refuse the order")
        ALLOW_NEGATIVE = "allow_negative", _("Let stock go negative and flag a count")

    class TableSessionMode(models.TextChoices):
        ROTATE_TOKEN = "rotate_token", _("QR token rotates when the check is paid")
        STAFF_OPENS = "staff_opens", _("Staff open each table session")

    class PaymentTiming(models.TextChoices):
        AFTER_MEAL = "after", _("Pay after the meal")
        UP_FRONT = "upfront", _("Pay up front")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    prices_include_tax = models.BooleanField(_("menu prices include tax"), default=False)
    service_charge_rate = models.DecimalField(
        _("service charge rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    business_day_cutoff = models.TimeField(
        _("business day cutoff"),
        default=dt.time(4, 0),
        help_text=_("Orders before this local time belong to the previous business day."),
    )
    shortage_policy = models.CharField(
        _("when stock cannot cover an order"),
        max_length=20,
        choices=ShortagePolicy.choices,
        default=ShortagePolicy.REFUSE,
    )
    table_session_mode = models.CharField(
        _("table sessions"),
        max_length=20,
        choices=TableSessionMode.choices,
        default=TableSessionMode.ROTATE_TOKEN,
    )
    payment_timing = models.CharField(
        _("payment timing"), max_length=10, choices=PaymentTiming.choices, default=PaymentTiming.AFTER_MEAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class TaxCategory(models.Model):
    """A tax rate that menu items point to (food, alcohol, takeaway, ...)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="tax_categories")
    name = models.CharField(_("name"), max_length=60)
    rate = models.DecimalField(
        _("rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0.0800 for 8%"),
    )
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_tax_category_name")]
        verbose_name = _("tax category")
        verbose_name_plural = _("tax categories")

    def __str__(self) -> str:
        return f"{self.name} ({self.rate:%})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening span on a weekday. `closes` earlier than `opens` means it passes midnight."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def passes_midnight(self) -> bool:
        return self.closes <= self.opens


class Daypart(models.Model):
    class Name(models.TextChoices):
        BREAKFAST = "breakfast", _("Breakfast")
        LUNCH = "lunch", _("Lunch")
        AFTERNOON = "afternoon", _("Afternoon")
        DINNER = "dinner", _("Dinner")
        LATE = "late", _("Late")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="dayparts")
    name = models.CharField(_("name"), max_length=20, choices=Name.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"), help_text=_("Earlier than the start means it passes midnight."))
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["starts"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_daypart_name")]
        verbose_name = _("daypart")
        verbose_name_plural = _("dayparts")

    def __str__(self) -> str:
        return f"{self.get_name_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def contains(self, local_time: dt.time) -> bool:
        if self.starts < self.ends:
            return self.starts <= local_time < self.ends
        return local_time >= self.starts or local_time < self.ends


class ClosedDate(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="closed_dates")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["store", "date"], name="uniq_closed_date")]
        verbose_name = _("closed date")
        verbose_name_plural = _("closed dates")

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class Role(models.TextChoices):
    """Permission roles (who may do what), separate from staffing's job positions."""

    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    CASHIER = "cashier", _("Cashier")
    COOK = "cook", _("Cook")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    # A short PIN a manager types on the cashier's screen to approve a void or discount on the spot.
    pin_hash = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "store"], name="uniq_membership")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.store} ({self.role})"

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)

    def check_pin(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)


class PinGuard(models.Model):
    """Failed PIN approvals against one member, counted on two sides: as the person typing PINs at a
    till (`entering`), and as the manager whose PIN was named and tried (`own_pin`). Backoff between
    attempts, then a lock that a manager or owner lifts. It never touches the member's login."""

    class Side(models.TextChoices):
        ENTERING = "entering", _("typing PINs")
        OWN_PIN = "own_pin", _("own PIN")

    # Five wrong PINs lock PIN approvals until a manager or owner unlocks them; before that, each
    # failure from the second on makes the next try wait longer (5, 10, 20 s). From the third, the
    # owner's home page raises an alert.
    MAX_FAILURES = 5
    ALERT_AFTER = 3

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="pin_guards")
    side = models.CharField(max_length=10, choices=Side.choices)
    failures = models.PositiveSmallIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "side"], name="uniq_pin_guard")]
        verbose_name = _("PIN guard")
        verbose_name_plural = _("PIN guards")

    def __str__(self) -> str:
        return f"{self.membership} {self.side}: {self.failures}"


class ApiKey(models.Model):
    """A key for one integration (a POS, a BI tool). Only its hash is stored.

    A store's key (`read` or `write`) covers that store. An **account** key belongs to an owner: it
    covers every store they own (those they open later too), may open new stores and change store
    settings, and has no store of its own."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")
        ACCOUNT = "account", _("Account: all my stores, may open stores")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="api_keys", null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="account_api_keys",
        help_text=_("The owner whose stores an account key covers."),
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="account", store__isnull=True, owner__isnull=False)
                    | (~models.Q(scope="account") & models.Q(store__isnull=False, owner__isnull=True))
                ),
                name="api_key_store_or_account",
            )
        ]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @staticmethod
    def generate() -> tuple[str, str]:
        """Returns (prefix, raw key); the raw key is shown once and never stored."""
        prefix = secrets.token_hex(4)
        return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows_write(self) -> bool:
        return self.scope in (self.Scope.WRITE, self.Scope.ACCOUNT)

    @property
    def is_account(self) -> bool:
        return self.scope == self.Scope.ACCOUNT


# What each recorded action is called on the audit trail (the code stays in the database and the API).
AUDIT_ACTIONS = {
    "void": _("Line voided"),
    "refund": _("Refund"),
    "discount": _("Discount"),
    "comp": _("Comp"),
    "check_merged": _("Checks merged"),
    "order_cancelled": _("Order cancelled"),
    "drawer_opened": _("Drawer opened"),
    "drawer_count": _("Drawer counted (Z report)"),
    "menu_price_changed": _("Menu price changed"),
    "modifier_price_changed": _("Modifier price changed"),
    "menu_item_deleted": _("Menu item deleted"),
    "menu_imported": _("Menu imported"),
    "recipe_changed": _("Recipe changed"),
    "ingredient_changed": _("Ingredient changed"),
    "table_renamed": _("Table renamed"),
    "staff_hourly_cost_changed": _("Hourly cost changed"),
    "shift_deleted": _("Shift deleted"),
    "open_shift_claimed": _("Open shift claimed"),
    "store_created": _("Store opened"),
    "store_updated": _("Store settings changed"),
    "api_key_created": _("API key created"),
    "api_key_revoked": _("API key revoked"),
    "invitation_created": _("Invitation sent"),
    "invitation_accepted": _("Invitation accepted"),
    "invitation_revoked": _("Invitation withdrawn"),
    "pin_set": _("PIN set"),
    "pin_failed": _("Wrong PIN"),
    "pin_locked": _("PIN locked"),
    "pin_unlocked": _("PIN unlocked"),
    "login_locked": _("Sign-in locked"),
    "customer_erased": _("Customer erased"),
    "message_rule_saved": _("Message rule saved"),
}


class AuditEntry(models.Model):
    """Who did a sensitive thing (void, refund, discount, comp, price override, drawer count), why,
    and who approved it. Append-only."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="audit_entries")
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="approvals"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.action, self.action))

    @property
    def target_label(self) -> str:
        """The kind of thing acted on, as the reader's language names it (its model's verbose name)."""
        model = _models_by_name().get(self.target_type)
        return str(model._meta.verbose_name) if model else self.target_type


@functools.cache
def _models_by_name() -> dict:
    """Model name (what audit_record stores as target_type) -> model; built once, not per row."""
    return {model._meta.model_name: model for model in apps.get_models()}


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for 24 h to retries."""

    scope = models.CharField(max_length=80, help_text="api key id or user id the key belongs to")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


def _invitation_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=14)


class Invitation(models.Model):
    """A link that lets one person join a store with a role; they choose their own password (and PIN)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    token = models.CharField(max_length=43, unique=True, default=_invitation_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.name or self.role} @ {self.store}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
