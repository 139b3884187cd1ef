"""Behaviour that triggers a message: who is eligible for a rule now, and the one send path that
checks, in this order, quiet hours (nothing recorded: the next run after them sends), the holdout,
consent for the channel at send time and the frequency cap, then records the send (unique per rule,
customer and trigger: a second or concurrent run finds the row and sends nothing) and hands it to the
SMS backend. PII stays out of logs (the console backend masks the number)."""

import datetime as dt
import hashlib
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from restaurant_ops.timeutils import business_date, local

from . import selectors, sms, stats
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


def _body(rule: MessageRule, customer: Customer) -> str:
    text = (
        rule.templates.get(customer.language)
        or rule.templates.get("en")
        or next(iter(rule.templates.values()), "")
    )
    return text.replace("{name}", customer.name or "")


def _status(rule: MessageRule, customer: Customer, now: dt.datetime) -> str:
    if is_held_out(rule=rule, customer=customer):
        return MessageSend.Status.HELD_OUT
    if not Consent.objects.filter(
        customer=customer, channel=rule.channel, withdrawn_at__isnull=True
    ).exists():
        return MessageSend.Status.NO_CONSENT
    if rule.channel == Consent.Channel.SMS and not customer.phone:
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
                at=now,
            )
            if send.status == MessageSend.Status.SENT:
                send.body = _body(rule, customer)
                if rule.channel != Consent.Channel.SMS:
                    raise sms.SmsError("only SMS is wired to a backend")
                send.provider_id = sms.backend().send(to=str(customer.phone), body=send.body)
                send.save(update_fields=["body", "provider_id"])
    except IntegrityError:
        return None
    except sms.SmsError as error:
        send.status, send.error = MessageSend.Status.FAILED, str(error)[:200]
        send.save()
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
    the difference with its Newcombe 95% interval ("too few to tell" under 30 per arm)."""
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
    return stats.effect(x1, n1, x2, n2)
