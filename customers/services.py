"""Writes: joining, consent, linking checks, feedback and complaints, export/erasure, the analyses'
upserts. Every function is keyword-only and called alike by pages, the API, tasks and tests.

PII (phone, e-mail, name, birthday, feedback text) is never logged, never put in an error message
and never written to the audit trail: those carry the customer's id."""

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber, to_python

from orders.models import Check, DiscountCode, MenuItem
from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user, audit_record
from restaurant_ops.timeutils import business_date

from . import analysis, events, selectors
from .models import (
    CheckCustomer,
    ChurnRate,
    Consent,
    Customer,
    CustomerScore,
    Feedback,
    MessageRule,
    Source,
)

log = logging.getLogger(__name__)

FEEDBACK_SALT = "customers.feedback"
FEEDBACK_MAX_AGE = dt.timedelta(days=30)
COMPLAINT_MAX_RATING = 2
MAX_TEXT = 2000


def phone_parse(raw, *, field: str = "phone", region: str | None = None) -> PhoneNumber:
    """A valid, normalised (E.164) number or a DomainError naming the field."""
    number = to_python(str(raw).strip(), region=region) if raw else None
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        raise DomainError(field, "invalid", _("Enter a valid phone number, with the country code if abroad."))
    return number


def consent_wording(channel: str) -> str:
    """The sentence shown beside the marketing tick: what is recorded with the consent."""
    if channel == Consent.Channel.EMAIL:
        return _("Yes, send me offers and news by e-mail. I can unsubscribe with one click at any time.")
    return _("Yes, send me offers and news by SMS. I can reply STOP at any time to stop them.")


# --- customers and consent -------------------------------------------------------------------------


@transaction.atomic
def customer_join(
    *,
    store: Store,
    phone=None,
    code: str = "",
    name: str = "",
    email: str = "",
    birthday: dt.date | None = None,
    language: str = "en",
    source: str,
    marketing_sms: bool = False,
    marketing_email: bool = False,
    wording: str = "",
    guest_checks: list[Check] = (),
    by=None,
) -> Customer:
    """Opt-in at the QR page, the till or through the API: finds the store's customer by phone (or
    membership code) or creates one, links the checks given, and records marketing consent only
    when its separate tick was given, with the wording shown."""
    if not phone and not code:
        raise DomainError("phone", "required", _("Give a phone number or a membership code."))
    customer = None
    if code:
        customer = selectors.customer_lookup(store=store, code=code)
        if customer is None:
            raise DomainError("code", "not_found", _("No member with this code here."))
    else:
        phone = phone if isinstance(phone, PhoneNumber) else phone_parse(phone)
        customer = Customer.objects.select_for_update().filter(store=store, phone=phone).first()
        if customer is None:
            try:
                with transaction.atomic():
                    customer = Customer.objects.create(
                        store=store,
                        phone=phone,
                        name=name.strip()[:120],
                        email=email,
                        birthday=birthday,
                        language=language,
                        source=source,
                    )
            except IntegrityError:  # joined at the same moment on another phone at the table
                customer = Customer.objects.get(store=store, phone=phone)
    changed = []
    for attr, value in (("name", name.strip()[:120]), ("email", email), ("birthday", birthday)):
        if value and not getattr(customer, attr):
            setattr(customer, attr, value)
            changed.append(attr)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    if marketing_sms and customer.phone:
        consent_give(
            customer=customer,
            channel=Consent.Channel.SMS,
            wording=wording or consent_wording("sms"),
            source=source,
        )
    if marketing_email:
        if not customer.email:
            raise DomainError("email", "required", _("Give an e-mail address to receive e-mails."))
        consent_give(
            customer=customer,
            channel=Consent.Channel.EMAIL,
            wording=wording or consent_wording("email"),
            source=source,
        )
    for guest_check in guest_checks:
        check_attach(customer=customer, guest_check=guest_check, source=source, by=by)
    log.debug("customer joined", extra={"customer": customer.pk, "source": source})
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, by=None, **fields) -> Customer:
    allowed = {"name", "email", "birthday", "language", "phone"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown_field", _("This field cannot be changed."))
    if "phone" in fields and fields["phone"]:
        fields["phone"] = phone_parse(fields["phone"])
        if (
            Customer.objects.filter(store=customer.store, phone=fields["phone"])
            .exclude(pk=customer.pk)
            .exists()
        ):
            raise DomainError("phone", "taken", _("Another customer has this phone number."))
    for attr, value in fields.items():
        setattr(customer, attr, value)
    customer.save()
    return customer


def consent_give(*, customer: Customer, channel: str, wording: str, source: str) -> Consent:
    """Idempotent: an active consent for the channel is kept as it is (its wording was recorded)."""
    if channel not in Consent.Channel.values:
        raise DomainError("channel", "invalid", _("Unknown channel."))
    if not wording.strip():
        raise DomainError("wording", "required", _("Record the wording the guest agreed to."))
    existing = Consent.objects.filter(customer=customer, channel=channel, withdrawn_at__isnull=True).first()
    if existing:
        return existing
    return Consent.objects.create(customer=customer, channel=channel, wording=wording, source=source)


def consent_withdraw(*, customer: Customer, via: str, channel: str | None = None) -> int:
    """Withdraws the customer's active consents (one channel or all). Returns how many."""
    qs = Consent.objects.filter(customer=customer, withdrawn_at__isnull=True)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.update(withdrawn_at=timezone.now(), withdrawn_via=via)


UNSUBSCRIBE_SALT = "customers.unsubscribe"


def unsubscribe_token(*, customer: Customer, channel: str) -> str:
    """The signed reference in each marketing e-mail's one-click unsubscribe link (no expiry: an old
    e-mail's link must still work). Names a customer id and a channel, nothing personal."""
    return signing.dumps([customer.pk, channel], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_customer(token: str) -> tuple[Customer, str]:
    try:
        customer_id, channel = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise DomainError("token", "invalid_token", _("This unsubscribe link is not valid."))
    customer = Customer.objects.select_related("store").filter(pk=customer_id).first()
    if customer is None or channel not in Consent.Channel.values:
        raise DomainError("token", "invalid_token", _("This unsubscribe link is not valid."))
    return customer, channel


def unsubscribe(token: str) -> int:
    """One click from a marketing e-mail (or the mail client's List-Unsubscribe-Post): withdraws that
    channel's consent. Returns how many consents were withdrawn (0 when already withdrawn)."""
    customer, channel = unsubscribe_customer(token)
    return consent_withdraw(customer=customer, via=Source.LINK, channel=channel)


STOP_WORDS = {"STOP", "UNSUBSCRIBE", "退订", "TD"}


def sms_inbound(*, sender, body: str) -> int:
    """A reply to one of our messages: STOP (or 退订, TD) withdraws SMS consent of every customer with
    that number. Returns how many consents were withdrawn."""
    if body.strip().upper() not in STOP_WORDS:
        return 0
    try:
        phone = phone_parse(sender, field="from")
    except DomainError:
        return 0
    return sum(
        consent_withdraw(customer=customer, via=Source.SMS, channel=Consent.Channel.SMS)
        for customer in Customer.objects.filter(phone=phone)
    )


@transaction.atomic
def check_attach(*, customer: Customer, guest_check: Check, source: str, by=None) -> CheckCustomer:
    """Links a check to a customer. Attaching again to the same customer changes nothing; a check
    already linked to someone else is refused (409) rather than silently moved."""
    if guest_check.store_id != customer.store_id:
        raise DomainError("check", "not_found", _("No such check in this store."))
    link, created = CheckCustomer.objects.get_or_create(
        guest_check=guest_check,
        defaults={"customer": customer, "source": source, "attached_by": acting_user(by)},
    )
    if not created and link.customer_id != customer.pk:
        raise DomainError("check", "taken", _("This check already belongs to another customer."))
    if created:
        Feedback.objects.filter(guest_check=guest_check, customer__isnull=True).update(customer=customer)
    return link


@transaction.atomic
def customer_erase(*, customer: Customer, by=None, reason: str = "") -> None:
    """Erasure on request: the person's data goes (profile, consents, links to checks, scores), their
    feedback stays as anonymous ratings without its text, and the orders and checks are untouched:
    they never held PII. The audit trail records that an erasure happened, by whom, not who."""
    store, customer_id = customer.store, customer.pk
    Feedback.objects.filter(customer=customer).update(customer=None, text="")
    audit_record(
        store=store, action="customer_erased", actor=by, reason=reason[:200], data={"customer": customer_id}
    )
    customer.delete()
    log.info("customer erased", extra={"customer": customer_id})


# --- feedback ------------------------------------------------------------------------------------


def feedback_token(*, guest_check: Check) -> str:
    """The signed reference printed on the receipt: proves the guest had the receipt, names no one."""
    return signing.dumps(guest_check.pk, salt=FEEDBACK_SALT, compress=True)


def check_from_token(token: str) -> Check:
    try:
        check_id = signing.loads(token, salt=FEEDBACK_SALT, max_age=FEEDBACK_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError("token", "expired", _("This feedback link has expired."))
    except signing.BadSignature:
        raise DomainError("token", "invalid_token", _("This feedback link is not valid."))
    check = Check.objects.select_related("store").filter(pk=check_id).first()
    if check is None:
        raise DomainError("token", "invalid_token", _("This feedback link is not valid."))
    return check


def _validated(*, store: Store, rating, tags, menu_item_id, text, rating_required: bool):
    errors = []
    if rating is None:
        if rating_required:
            errors.append(DomainError("rating", "required", _("Choose a rating from 1 to 5.")))
    elif not (isinstance(rating, int) and 1 <= rating <= 5):
        errors.append(DomainError("rating", "invalid", _("A rating is a whole number from 1 to 5.")))
    tags = list(dict.fromkeys(tags or []))
    for index, tag in enumerate(tags):
        if tag not in Feedback.Tag.values:
            errors.append(DomainError(f"tags[{index}]", "invalid", _("Unknown tag.")))
    item = None
    if menu_item_id:
        item = MenuItem.objects.filter(store=store, pk=menu_item_id).first()
        if item is None:
            errors.append(DomainError("menu_item", "not_found", _("No such dish in this store.")))
    elif Feedback.Tag.DISH in tags:
        errors.append(
            DomainError("menu_item", "required", _("Say which dish the quality complaint is about."))
        )
    if len(text or "") > MAX_TEXT:
        errors.append(DomainError("text", "too_long", _("At most 2,000 characters.")))
    if errors:
        raise DomainErrors(errors)
    return rating, tags, item


def _is_complaint(rating, tags) -> bool:
    return bool(tags) or (rating is not None and rating <= COMPLAINT_MAX_RATING)


@transaction.atomic
def feedback_leave(
    *, guest_check: Check, rating, tags=(), menu_item_id=None, text: str = "", source: str = Source.QR
) -> Feedback:
    """A guest's rating after paying (QR page or receipt link): one per check."""
    store = guest_check.store
    if guest_check.status not in selectors.SETTLED:
        raise DomainError("check", "not_paid", _("Feedback opens once the check is paid."))
    rating, tags, item = _validated(
        store=store, rating=rating, tags=tags, menu_item_id=menu_item_id, text=text, rating_required=True
    )
    if Feedback.objects.filter(guest_check=guest_check, source__in=[Source.QR, Source.RECEIPT]).exists():
        raise DomainError("check", "already_rated", _("Thank you: this check was already rated."))
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                store=store,
                guest_check=guest_check,
                customer=selectors.check_customer(guest_check=guest_check),
                rating=rating,
                tags=tags,
                menu_item=item,
                text=(text or "").strip(),
                source=source,
                is_complaint=_is_complaint(rating, tags),
                occurred_at=guest_check.paid_at or timezone.now(),
                business_date=guest_check.business_date,
            )
    except IntegrityError:  # two phones at the table rated at once
        raise DomainError("check", "already_rated", _("Thank you: this check was already rated."))
    events.feedback_left.send(sender=Feedback, feedback=feedback)
    return feedback


@transaction.atomic
def complaint_log(
    *,
    store: Store,
    tags=(),
    rating=None,
    menu_item_id=None,
    text: str = "",
    guest_check: Check | None = None,
    occurred_at: dt.datetime | None = None,
    by=None,
    source: str = Source.STAFF,
) -> Feedback:
    """A complaint staff take by phone or in person: at least one tag or a rating of 1–2."""
    rating, tags, item = _validated(
        store=store, rating=rating, tags=tags, menu_item_id=menu_item_id, text=text, rating_required=False
    )
    if not _is_complaint(rating, tags):
        raise DomainError("tags", "required", _("Tick what went wrong (or give a rating of 1 or 2)."))
    if guest_check is not None and guest_check.store_id != store.pk:
        raise DomainError("check", "not_found", _("No such check in this store."))
    when = occurred_at or (guest_check.paid_at if guest_check and guest_check.paid_at else timezone.now())
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("occurred_at", "in_future", _("A complaint cannot be about the future."))
    feedback = Feedback.objects.create(
        store=store,
        guest_check=guest_check,
        customer=selectors.check_customer(guest_check=guest_check) if guest_check else None,
        rating=rating,
        tags=tags,
        menu_item=item,
        text=(text or "").strip(),
        source=source,
        is_complaint=True,
        occurred_at=when,
        business_date=business_date(store, when),
        logged_by=acting_user(by),
    )
    events.feedback_left.send(sender=Feedback, feedback=feedback)
    return feedback


def feedback_record_facts(*, feedback: Feedback, facts: dict) -> Feedback:
    """Written by analytics (which may read kitchen, staffing and inventory) when feedback arrives."""
    Feedback.objects.filter(pk=feedback.pk).update(facts=facts)
    feedback.facts = facts
    return feedback


# --- the analyses' results -------------------------------------------------------------------------


@transaction.atomic
def scores_refresh(*, store: Store, as_of: dt.date) -> int:
    """Upserts every customer's RFM row as of a day: running it twice gives the same rows."""
    rows = selectors.rfm_rows(store=store, as_of=as_of)
    for row in rows:
        CustomerScore.objects.update_or_create(
            customer_id=row.customer_id,
            defaults={
                "store": store,
                "as_of": as_of,
                "visits": row.visits,
                "last_visit": row.last_visit,
                "recency_days": row.recency_days,
                "frequency": row.frequency,
                "monetary": row.monetary,
                "median_gap_days": row.median_gap_days,
                "churn_risk": row.churn_risk,
                "value_at_risk": row.value_at_risk,
                "segment": row.segment,
            },
        )
    return len(rows)


@transaction.atomic
def churn_rates_refresh(*, store: Store, as_of: dt.date, months: int = 12) -> list[ChurnRate]:
    """Upserts the churn rate of the last `months` completed months before `as_of`'s month."""
    visits = {cid: set(days) for cid, days in selectors.visit_days(store=store, until=as_of).items()}
    month = as_of.replace(day=1)
    out = []
    for _i in range(months):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        base, churned, rate = analysis.churn_rate(visits, month)
        row, _created = ChurnRate.objects.update_or_create(
            store=store,
            month=month,
            defaults={"base": base, "churned": churned, "rate": rate, "computed_at": timezone.now()},
        )
        out.append(row)
    return out[::-1]


def customers_analyse(*, store: Store, now: dt.datetime | None = None) -> dict:
    """The nightly customer analyses for one store (what the Celery task calls)."""
    today = business_date(store, now or timezone.now())
    scored = scores_refresh(store=store, as_of=today)
    rates = churn_rates_refresh(store=store, as_of=today)
    return {"customers": scored, "months": len(rates), "as_of": today.isoformat()}


# --- Message rules ----------------------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "trigger",
    "channel",
    "templates",
    "subjects",
    "holdout_share",
    "quiet_from",
    "quiet_until",
    "cap_per_30_days",
    "coupon_kind",
    "coupon_value",
    "coupon_item",
    "coupon_valid_days",
    "is_active",
)
MAX_TEMPLATE = 1000
MAX_HOLDOUT = Decimal("0.5")


def _texts(value, field: str, limit: int, errors: list[DomainError]) -> dict:
    languages = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, dict):
        errors.append(DomainError(field, "invalid", _("Give a text per language.")))
        return {}
    out = {}
    for language, text in value.items():
        if language not in languages:
            errors.append(DomainError(f"{field}.{language}", "invalid_choice", _("Not a language of ours.")))
        elif not isinstance(text, str) or len(text) > limit:
            errors.append(
                DomainError(
                    f"{field}.{language}",
                    "too_long",
                    _("At most %(n)d characters.") % {"n": limit},
                )
            )
        elif text.strip():
            out[language] = text.strip()
    return out


@transaction.atomic
def message_rule_save(*, store: Store, data: dict, rule: MessageRule | None = None, by=None) -> MessageRule:
    """Creates or changes a rule (`data` holds every field of RULE_FIELDS; the API's PATCH merges it
    with the rule's values first). Checked together, so a form shows every mistake at once."""
    errors: list[DomainError] = []
    name = str(data.get("name") or "").strip()
    if not name:
        errors.append(DomainError("name", "required", _("Give the rule a name.")))
    elif len(name) > 80:
        errors.append(DomainError("name", "too_long", _("At most %(n)d characters.") % {"n": 80}))
    if data.get("trigger") not in MessageRule.Trigger.values:
        errors.append(DomainError("trigger", "invalid_choice", _("Choose what triggers the message.")))
    if data.get("channel") not in Consent.Channel.values:
        errors.append(DomainError("channel", "invalid_choice", _("Choose SMS or e-mail.")))
    templates = _texts(data.get("templates"), "templates", MAX_TEMPLATE, errors)
    if not templates and not any(e.field.startswith("templates") for e in errors):
        errors.append(DomainError("templates", "required", _("Write the message in at least one language.")))
    subjects = _texts(data.get("subjects") or {}, "subjects", 150, errors)
    # Numbers come parsed (the form, the serializer): a Decimal, checked by the one checker.
    holdout = ("out_of_range", _("Hold out between 0 and 0.5 (e.g. 0.1 for 10%)."))
    share = data.get("holdout_share")
    try:
        share = check_decimal(share, "holdout_share", places=3, error=holdout)
        if share > MAX_HOLDOUT:
            raise DomainError("holdout_share", *holdout)
    except DomainError as error:
        errors.append(error)
    for field in ("quiet_from", "quiet_until"):
        if not isinstance(data.get(field), dt.time):
            errors.append(DomainError(field, "invalid", _("Give a time like 21:00.")))
    cap = data.get("cap_per_30_days")
    if not isinstance(cap, int) or not 1 <= cap <= 30:
        errors.append(DomainError("cap_per_30_days", "out_of_range", _("From 1 to 30 messages.")))
    kind = data.get("coupon_kind") or ""
    value, item = data.get("coupon_value"), data.get("coupon_item")
    if kind not in ("", *DiscountCode.Kind.values):
        errors.append(DomainError("coupon_kind", "invalid_choice", _("Choose a kind of coupon or none.")))
    elif kind == DiscountCode.Kind.COMP_ITEM:
        value = None
        if not isinstance(item, MenuItem) or item.store_id != store.pk:
            errors.append(
                DomainError("coupon_item", "required", _("Choose the item the voucher gives free."))
            )
    elif kind:
        item = None
        coupon = ("out_of_range", _("A percentage up to 100 or an amount above 0."))
        try:
            if value is None:
                raise DomainError("coupon_value", *coupon)
            value = check_decimal(
                value, "coupon_value", allow_zero=False, below=Decimal("1e10"), places=2, error=coupon
            )
            if kind == DiscountCode.Kind.PERCENT and value > 100:
                raise DomainError("coupon_value", *coupon)
        except DomainError as error:
            errors.append(error)
    else:
        value, item = None, None
    days = data.get("coupon_valid_days")
    if not isinstance(days, int) or not 1 <= days <= 365:
        errors.append(DomainError("coupon_valid_days", "out_of_range", _("From 1 to 365 days.")))
    if errors:
        raise DomainErrors(errors)
    rule = rule or MessageRule(store=store)
    before = {f: str(getattr(rule, f)) for f in RULE_FIELDS} if rule.pk else {}
    rule.name, rule.trigger, rule.channel = name, data["trigger"], data["channel"]
    rule.templates, rule.subjects, rule.holdout_share = templates, subjects, share
    rule.quiet_from, rule.quiet_until, rule.cap_per_30_days = data["quiet_from"], data["quiet_until"], cap
    rule.coupon_kind, rule.coupon_value, rule.coupon_item, rule.coupon_valid_days = kind, value, item, days
    rule.is_active = bool(data.get("is_active", True))
    rule.save()
    after = {f: str(getattr(rule, f)) for f in RULE_FIELDS}
    audit_record(
        store=store,
        action="message_rule_saved",
        actor=by,
        target=rule,
        data={f: after[f] for f in RULE_FIELDS if before.get(f) != after[f]},
    )
    return rule


def message_rule_data(rule: MessageRule) -> dict:
    """A rule's fields as `message_rule_save` takes them (the base a partial change is merged onto)."""
    return {f: getattr(rule, f) for f in RULE_FIELDS}
