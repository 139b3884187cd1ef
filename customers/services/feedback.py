"""Feedback and complaints: a guest's rating after paying (QR page or the receipt's signed link), a
complaint staff take, and the facts analytics writes back onto it. Feedback text is never logged."""

import datetime as dt

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Check, MenuItem
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Store
from restaurant_ops.services import acting_user
from restaurant_ops.timeutils import business_date

from .. import events, selectors
from ..models import Feedback, Source

FEEDBACK_SALT = "customers.feedback"
FEEDBACK_MAX_AGE = dt.timedelta(days=30)
COMPLAINT_MAX_RATING = 2
MAX_TEXT = 2000


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
