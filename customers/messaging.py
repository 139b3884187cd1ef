"""Behaviour that triggers a message: who is eligible for a rule now, and the one send path that
checks, in this order, quiet hours (nothing recorded: the next run after them sends), the holdout,
consent for the channel at send time and the frequency cap, then records the send (unique per rule,
customer and trigger: a second or concurrent run finds the row and sends nothing) and hands it to the
SMS backend or Django's e-mail backend. A rule with a coupon issues each messaged customer their own
orders discount code (`orders.services.discount_code_issue`, source "rule:<id>") and names it in the
text, so the rule's results can count redemptions. PII stays out of logs (the console backend masks
the number)."""

import datetime as dt
import hashlib
import logging
import smtplib
from decimal import Decimal
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orders.services import discount_code_issue
from restaurant_ops.errors import DomainError
from restaurant_ops.timeutils import business_date, local

from . import selectors, services, sms, stats
from .models import CheckCustomer, Consent, Customer, CustomerScore, Feedback, MessageRule, MessageSend

log = logging.getLogger(__name__)
CAP_DAYS = 30
RETURN_WINDOW_DAYS = 30


def is_held_out(*, rule: MessageRule, customer: Customer) -> bool:
    """Stable: the same rule and customer always land on the same side (sha-256 of their ids)."""
    digest = hashlib.sha256(f"{rule.pk}:{customer.pk}".encode()).hexdigest()
    return Decimal(int(digest[:12], 16)) / Decimal(16**12) < rule.holdout_share


def in_quiet_hours(*, rule: MessageRule, now: dt.datetime) -> bool:
    t = local(rule.store, now).time()
    if rule.quiet_from <= rule.quiet_until:
        return rule.quiet_from <= t < rule.quiet_until
    return t >= rule.quiet_from or t < rule.quiet_until


def eligible(*, rule: MessageRule, now: dt.datetime) -> list[tuple[Customer, str]]:
    """(customer, trigger key) pairs the rule applies to now; the key names one occurrence."""
    store, today = rule.store, business_date(rule.store, now)
    scores = CustomerScore.objects.filter(store=store).select_related("customer")
    if rule.trigger == MessageRule.Trigger.FIRST_VISIT:
        recent = today - dt.timedelta(days=7)
        return [(s.customer, "first_visit") for s in scores.filter(visits=1, last_visit__gte=recent)]
    if rule.trigger == MessageRule.Trigger.AT_RISK:
        # One message per at-risk episode: a new visit starts a new one.
        return [(s.customer, f"at_risk:{s.last_visit}") for s in scores.filter(segment="at_risk")]
    if rule.trigger == MessageRule.Trigger.COMPLAINT:
        complaints = Feedback.objects.filter(
            store=store,
            is_complaint=True,
            customer__isnull=False,
            business_date__gte=today - dt.timedelta(days=7),
        ).select_related("customer")
        return [(f.customer, f"complaint:{f.pk}") for f in complaints]
    birthdays = Customer.objects.filter(store=store, birthday__month=today.month, birthday__day=today.day)
    return [(c, f"birthday:{today.year}") for c in birthdays]


def _in_language(texts: dict, language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def _body(rule: MessageRule, customer: Customer, code: str = "") -> str:
    text = _in_language(rule.templates, customer.language).replace("{name}", customer.name or "")
    if code:
        if "{code}" in text:
            return text.replace("{code}", code)
        with translation.override(customer.language):
            return f"{text}\n" + _("Your code: %(code)s") % {"code": code}
    return text.replace("{code}", "")


def _subject(rule: MessageRule, customer: Customer) -> str:
    return (_in_language(rule.subjects or {}, customer.language) or rule.name).replace(
        "{name}", customer.name or ""
    )


def _coupon(rule: MessageRule, now: dt.datetime):
    if not rule.coupon_kind:
        return None
    return discount_code_issue(
        store=rule.store,
        kind=rule.coupon_kind,
        value=rule.coupon_value,
        menu_item=rule.coupon_item,
        valid_from=now,
        valid_until=now + dt.timedelta(days=rule.coupon_valid_days),
        source=f"rule:{rule.pk}",
    )


class DeliveryError(Exception):
    """The message could not be handed over (provider, mail server or its coupon): recorded as failed."""


def _deliver(rule: MessageRule, customer: Customer, send: MessageSend, now: dt.datetime) -> None:
    try:
        send.coupon = _coupon(rule, now)
    except DomainError as error:
        raise DeliveryError(f"coupon: {error.code}") from error
    send.body = _body(rule, customer, send.coupon.code if send.coupon else "")
    if rule.channel == Consent.Channel.SMS:
        try:
            send.provider_id = sms.backend().send(to=str(customer.phone), body=send.body)
        except sms.SmsError as error:
            raise DeliveryError(str(error)) from error
    else:
        message_id = make_msgid(domain="restaurant-ops.local")
        link = settings.PUBLIC_BASE_URL + reverse(
            "customers:unsubscribe",
            args=[services.unsubscribe_token(customer=customer, channel=Consent.Channel.EMAIL)],
        )
        with translation.override(customer.language):
            footer = _("Unsubscribe with one click: %(url)s") % {"url": link}
        email = EmailMessage(
            subject=_subject(rule, customer),
            body=f"{send.body}\n\n-- \n{footer}",
            to=[customer.email],
            headers={
                "Message-ID": message_id,
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        try:
            email.send()
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(type(error).__name__) from error
        send.provider_id = message_id[:80]
    send.save(update_fields=["body", "provider_id", "coupon"])


def _status(rule: MessageRule, customer: Customer, now: dt.datetime) -> str:
    if is_held_out(rule=rule, customer=customer):
        return MessageSend.Status.HELD_OUT
    if not Consent.objects.filter(
        customer=customer, channel=rule.channel, withdrawn_at__isnull=True
    ).exists():
        return MessageSend.Status.NO_CONSENT
    if rule.channel == Consent.Channel.SMS and not customer.phone:
        return MessageSend.Status.NO_CONSENT
    if rule.channel == Consent.Channel.EMAIL and not customer.email:
        return MessageSend.Status.NO_CONSENT
    sent = MessageSend.objects.filter(
        customer=customer, status=MessageSend.Status.SENT, at__gte=now - dt.timedelta(days=CAP_DAYS)
    ).count()
    if sent >= rule.cap_per_30_days:
        return MessageSend.Status.CAPPED
    return MessageSend.Status.SENT


def message_send(*, rule: MessageRule, customer: Customer, trigger_key: str, now: dt.datetime | None = None):
    """Sends (or records why not) one trigger of one rule; None when there is nothing to do."""
    now = now or timezone.now()
    if in_quiet_hours(rule=rule, now=now):
        return None
    try:
        with transaction.atomic():
            # The row first: a concurrent run blocks on the unique index, then finds it and stops.
            send = MessageSend.objects.create(
                rule=rule,
                customer=customer,
                trigger_key=trigger_key,
                status=_status(rule, customer, now),
                channel=rule.channel,
                at=now,
            )
            if send.status == MessageSend.Status.SENT:
                _deliver(rule, customer, send, now)
    except IntegrityError:
        return None
    except DeliveryError as error:
        # The transaction rolled back (the row and any coupon): the row is written again as failed.
        send.status, send.error, send.coupon, send.provider_id = (
            MessageSend.Status.FAILED,
            str(error)[:200],
            None,
            "",
        )
        try:
            with transaction.atomic():
                send.save(force_insert=True)
        except IntegrityError:  # a concurrent run wrote this trigger meanwhile
            return None
        log.warning("message %s failed: %s", send.pk, error)
    return send


def rule_run(*, rule: MessageRule, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts: dict[str, int] = {}
    if not rule.is_active:
        return counts
    for customer, key in eligible(rule=rule, now=now):
        send = message_send(rule=rule, customer=customer, trigger_key=key, now=now)
        status = send.status if send is not None else "nothing"
        counts[status] = counts.get(status, 0) + 1
    return counts


def rule_results(*, rule: MessageRule, window_days: int = RETURN_WINDOW_DAYS) -> dict:
    """Messaged against held out: the share who came back within `window_days` of the trigger, and
    the difference with its Newcombe 95% interval ("too few to tell" under 30 per arm). With
    "redemption": of the messages that carried a coupon, how many codes were redeemed (at the till or
    the QR page), with its Wilson 95% interval; held-out customers got no code, so theirs is 0."""
    arms = {}
    for status in (MessageSend.Status.SENT, MessageSend.Status.HELD_OUT):
        sends = list(rule.sends.filter(status=status).values("customer_id", "at"))
        returned = 0
        for send in sends:
            first = business_date(rule.store, send["at"])
            returned += CheckCustomer.objects.filter(
                customer_id=send["customer_id"],
                guest_check__status__in=selectors.SETTLED,
                guest_check__business_date__gt=first,
                guest_check__business_date__lte=first + dt.timedelta(days=window_days),
            ).exists()
        arms[status] = (returned, len(sends))
    (x1, n1), (x2, n2) = arms[MessageSend.Status.SENT], arms[MessageSend.Status.HELD_OUT]
    result = stats.effect(x1, n1, x2, n2)
    with_coupon = rule.sends.filter(status=MessageSend.Status.SENT, coupon__isnull=False)
    issued = with_coupon.count()
    redeemed = with_coupon.filter(coupon__redeemed_count__gt=0).count()
    result["redemption"] = stats.share(redeemed, issued)
    return result
