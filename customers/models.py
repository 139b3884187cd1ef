"""Opt-in guests, their consent, the checks they were at, and feedback.

**Customers keeps the link to checks** (`CheckCustomer`), rather than orders carrying an opaque
customer reference. Why: identity is opt-in and rare, so an anonymous order pays nothing for it (no
column, no index, no join on the hot path); orders stays wholly ignorant of customers (no migration,
no field it must keep in step); and erasure is one delete on this side: the link rows go, the orders
and checks remain whole, and no PII was ever written into them. A check has at most one customer.

PII lives only in `Customer` (phone, e-mail, name, birthday) and in feedback text. `__str__` never
shows it, so admin history, logs and error messages carry an id, not a person.
"""

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from orders.models import Check, DiscountCode, MenuItem
from restaurant_ops.models import Store

# Membership codes avoid look-alike characters (0/O, 1/I/L) so they can be read out at the till.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_membership_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Source(models.TextChoices):
    QR = "qr", _("Guest QR page")
    RECEIPT = "receipt", _("Receipt link")
    TILL = "till", _("Till")
    STAFF = "staff", _("Staff")
    API = "api", _("API")
    SMS = "sms", _("SMS reply")
    LINK = "link", _("Unsubscribe link")
    IMPORT = "import", _("Imported")


class Customer(models.Model):
    """A guest who chose to be known at one store (a person at two stores is two customers)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="customers")
    phone = PhoneNumberField(_("phone"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    membership_code = models.CharField(
        _("membership code"), max_length=12, default=new_membership_code, editable=False
    )
    language = models.CharField(_("language"), max_length=10, default="en", choices=settings.LANGUAGES)
    source = models.CharField(_("joined at"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "phone"], condition=models.Q(phone__isnull=False), name="uniq_customer_phone"
            ),
            models.UniqueConstraint(fields=["store", "membership_code"], name="uniq_customer_code"),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{_('Customer')} {self.pk}"


class Consent(models.Model):
    """Marketing consent for one channel: given with the exact wording shown, withdrawn by STOP, a
    click or staff. A new consent after a withdrawal is a new row, so the history stays."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    wording = models.TextField(_("wording shown"))
    source = models.CharField(_("given at"), max_length=10, choices=Source.choices)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_via = models.CharField(_("withdrawn via"), max_length=10, choices=Source.choices, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="uniq_active_consent",
            )
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.given_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class CheckCustomer(models.Model):
    """The customer a check was for (see the module docstring for why this side keeps the link)."""

    guest_check = models.OneToOneField(Check, on_delete=models.CASCADE, related_name="customer_link")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="check_links")
    source = models.CharField(max_length=10, choices=Source.choices)
    attached_at = models.DateTimeField(default=timezone.now)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-attached_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer} @ {self.guest_check_id}"


class Feedback(models.Model):
    """A rating with tags and text from a guest after paying, or a complaint logged by staff."""

    class Tag(models.TextChoices):
        SLOW = "slow", _("Slow service")
        COLD = "cold", _("Cold food")
        WRONG = "wrong", _("Wrong order")
        DISH = "dish", _("Dish quality")
        CLEAN = "clean", _("Cleanliness")
        STAFF = "staff", _("Staff")
        PRICE = "price", _("Price")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="feedback")
    guest_check = models.ForeignKey(
        Check, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    menu_item = models.ForeignKey(
        MenuItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("dish")
    )
    text = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("left at"), max_length=10, choices=Source.choices)
    # Rating ≤ 2 or any tag (every tag names a problem): kept on the row so counts are one query.
    is_complaint = models.BooleanField(_("complaint"), default=False, db_index=True)
    # When the guest was served: the check's payment (or the time staff say it happened).
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    business_date = models.DateField(_("business day"))
    # The operational facts at that moment (ticket times against target, staffing in the hour,
    # the dish's recipe or supplier change), written by analytics through `feedback_record_facts`.
    facts = models.JSONField(default=dict, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["store", "business_date"], name="feedback_store_day")]
        constraints = [
            # One guest rating per check (staff may still log complaints about it).
            models.UniqueConstraint(
                fields=["guest_check"],
                condition=models.Q(source__in=["qr", "receipt"]),
                name="uniq_guest_feedback_per_check",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_5",
            ),
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{_('Feedback')} {self.pk}"


class CustomerScore(models.Model):
    """The latest RFM figures of a customer, upserted by the nightly analysis (one row each)."""

    class Segment(models.TextChoices):
        NEW = "new", _("New")
        REGULAR = "regular", _("Regular")
        VIP = "vip", _("VIP")
        AT_RISK = "at_risk", _("At risk")
        LAPSED = "lapsed", _("Lapsed")

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="score")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    visits = models.PositiveIntegerField(default=0)
    last_visit = models.DateField(null=True, blank=True)
    recency_days = models.PositiveIntegerField(null=True, blank=True)
    frequency = models.PositiveIntegerField(default=0)
    monetary = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    median_gap_days = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    churn_risk = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    value_at_risk = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    segment = models.CharField(max_length=10, choices=Segment.choices)

    class Meta:
        ordering = ["-value_at_risk", "customer_id"]
        indexes = [models.Index(fields=["store", "segment"], name="score_store_segment")]

    def __str__(self) -> str:
        return f"{self.customer} {self.segment}"


class ChurnRate(models.Model):
    """The store's churn rate for one calendar month (upserted per store + month)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="first day of the month")
    base = models.PositiveIntegerField(help_text="customers with a visit in the 90 days before the month")
    churned = models.PositiveIntegerField(help_text="of those, how many did not return within the month")
    rate = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["store", "month"], name="uniq_churn_month")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.month:%Y-%m}"


class MessageRule(models.Model):
    """Behaviour that triggers a message: one rule per store and trigger, with a text per language.

    Sent only with consent for the channel at send time, never in the store's quiet hours, at most
    `cap_per_30_days` per customer, never twice for one trigger (MessageSend is unique per rule,
    customer and trigger key), and a `holdout_share` of eligible customers, chosen by a stable hash
    of (rule, customer), is not messaged: the rule's effect is measured against them."""

    class Trigger(models.TextChoices):
        FIRST_VISIT = "first_visit", _("First visit")
        AT_RISK = "at_risk", _("At risk")
        COMPLAINT = "complaint", _("Complaint")
        BIRTHDAY = "birthday", _("Birthday")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="message_rules")
    name = models.CharField(_("name"), max_length=80)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Consent.Channel.choices, default="sms")
    templates = models.JSONField(
        _("text per language"),
        default=dict,
        help_text=_('{"en": "...", "zh-hans": "..."}; {name} is replaced'),
    )
    holdout_share = models.DecimalField(
        _("held out"), max_digits=4, decimal_places=3, default=Decimal("0.100")
    )
    quiet_from = models.TimeField(_("quiet from"), default=dt.time(21, 0))
    quiet_until = models.TimeField(_("quiet until"), default=dt.time(9, 0))
    cap_per_30_days = models.PositiveSmallIntegerField(_("at most per customer in 30 days"), default=2)
    subjects = models.JSONField(
        _("e-mail subject per language"),
        default=dict,
        db_default={},
        blank=True,
        help_text=_("The rule's name if blank."),
    )
    # A coupon or comp voucher with each message: an orders discount code, issued at send time.
    coupon_kind = models.CharField(
        _("coupon"), max_length=10, choices=DiscountCode.Kind.choices, blank=True, default="", db_default=""
    )
    coupon_value = models.DecimalField(
        _("coupon value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    coupon_item = models.ForeignKey(
        MenuItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("free item"),
    )
    coupon_valid_days = models.PositiveSmallIntegerField(
        _("coupon valid for days"), default=30, db_default=30
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("message rule")
        verbose_name_plural = _("message rules")

    def __str__(self) -> str:
        return self.name


class MessageSend(models.Model):
    """One trigger of one rule for one customer: what happened to it (the delivery log)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        HELD_OUT = "held_out", _("Held out")
        NO_CONSENT = "no_consent", _("No consent")
        CAPPED = "capped", _("Over the cap")
        FAILED = "failed", _("Failed")

    rule = models.ForeignKey(MessageRule, on_delete=models.CASCADE, related_name="sends")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="message_sends")
    trigger_key = models.CharField(max_length=60)
    status = models.CharField(max_length=12, choices=Status.choices)
    channel = models.CharField(
        max_length=10, choices=Consent.Channel.choices, default="sms", db_default="sms"
    )
    coupon = models.ForeignKey(
        DiscountCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True)
    provider_id = models.CharField(max_length=80, blank=True)
    error = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "customer", "trigger_key"], name="uniq_send_per_trigger")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.customer_id} {self.trigger_key}: {self.status}"
