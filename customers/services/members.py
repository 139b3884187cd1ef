"""Customers and their consent: joining (QR page, till, API), changes, marketing consent given and
withdrawn (the one-click unsubscribe link, an SMS STOP), checks linked to a customer, erasure.

PII (phone, e-mail, name, birthday) is never logged, never put in an error message and never written to
the audit trail: those carry the customer's id."""

import datetime as dt
import logging

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber, to_python

from orders.models import Check
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user, audit_record

from .. import selectors
from ..models import CheckCustomer, Consent, Customer, Feedback, Source

log = logging.getLogger(__name__)


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
