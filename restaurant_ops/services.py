"""Writes for stores, people, API keys and the audit trail."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import events
from .errors import DomainError, DomainErrors
from .models import (
    ApiKey,
    AuditEntry,
    Daypart,
    Invitation,
    Membership,
    OpeningHours,
    PinGuard,
    Role,
    Store,
    TaxCategory,
    validate_time_zone,
)
from .permissions import APPROVABLE, Perm, role_has


def acting_user(user) -> AbstractBaseUser | None:
    """Who did it, as the records keep it: a signed-in person, or None (an API key, a guest)."""
    return user if user is not None and user.is_authenticated else None


def membership_for(*, user: AbstractBaseUser, store: Store) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, store=store).first()


class PinRefused(DomainError):
    """A wrong, locked or too-early PIN. The failure must outlive the request's rollback, so it is
    written by whoever answers the request, after the transaction ends: `record_failure()`."""

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._record = record

    def record_failure(self) -> None:
        if self._record is not None:
            self._record()
            self._record = None


def _pin_backoff(failures: int) -> dt.timedelta:
    return dt.timedelta(seconds=0 if failures < 2 else 5 * 2 ** (failures - 2))


def authorize(
    *,
    user: AbstractBaseUser,
    store: Store,
    perm: Perm,
    approver_pin: str | None = None,
    approver: str | None = None,
    field: str = "approver_pin",
):
    """Checks `perm` for `user` at `store`. A cashier without the permission may act with a manager's
    PIN for the approvable actions (optionally naming the manager, `approver` = username): returns
    the approving user (None when no approval was needed). Guessing is limited per person typing and
    per named approver (PinGuard); a lock never touches anyone's login."""
    membership = membership_for(user=user, store=store)
    if membership and role_has(membership.role, perm):
        return None
    if perm in APPROVABLE and approver_pin and membership is not None:
        return _approve_with_pin(
            typist=membership, store=store, perm=perm, pin=approver_pin, approver=approver, field=field
        )
    if perm in APPROVABLE:
        raise DomainError(field, "approval_required", _("This needs a manager's approval (PIN)."))
    raise DomainError("", "permission_denied", _("Your role may not do this."))


def _approve_with_pin(*, typist: Membership, store: Store, perm: Perm, pin: str, approver, field: str):
    now = timezone.now()
    guards = {
        (g.membership_id, g.side): g
        for g in PinGuard.objects.filter(membership__store=store).exclude(failures=0, locked_at=None)
    }
    mine = guards.get((typist.pk, PinGuard.Side.ENTERING))
    approvers = Membership.objects.filter(store=store, role__in=[Role.OWNER, Role.MANAGER]).select_related(
        "user"
    )
    named = None
    if approver:
        named = next((m for m in approvers if m.user.get_username() == approver), None)

    def refuse(code, message, *, count=True, reason=""):
        record = lambda: pin_failure_record(  # noqa: E731 - runs after the request's rollback
            typist=typist, approver=named, perm=perm, reason=reason or code, count=count
        )
        raise PinRefused(field, code, message, record=record)

    if mine is not None and mine.locked_at is not None:
        refuse(
            "pin_locked",
            _("Your PIN approvals are locked after too many wrong PINs; a manager can unlock them."),
            count=False,
        )
    if mine is not None and mine.retry_at is not None and mine.retry_at > now:
        seconds = int((mine.retry_at - now).total_seconds()) + 1
        refuse(
            "pin_backoff",
            _("Too many wrong PINs: try again in %(seconds)s seconds.") % {"seconds": seconds},
            count=False,
        )
    if approver and named is None:
        refuse(
            "invalid_pin",
            _("That PIN does not belong to a manager of this store."),
            reason="unknown_approver",
        )
    candidates = [named] if named is not None else list(approvers)
    for candidate in candidates:
        own = guards.get((candidate.pk, PinGuard.Side.OWN_PIN))
        if own is not None and own.locked_at is not None:
            if named is not None:
                refuse("approver_pin_locked", _("This manager's PIN is locked after too many wrong tries."))
            continue
        if role_has(candidate.role, perm) and candidate.check_pin(pin):
            PinGuard.objects.filter(
                membership__in=[typist, candidate], locked_at=None, failures__gt=0
            ).update(failures=0, retry_at=None)
            return candidate.user
    refuse("invalid_pin", _("That PIN does not belong to a manager of this store."))


@transaction.atomic
def pin_failure_record(
    *, typist: Membership, approver: Membership | None, perm: str, reason: str, count: bool = True
) -> None:
    """One failed PIN approval: counted against the person typing (and the named approver's PIN),
    with backoff, a lock at PinGuard.MAX_FAILURES, and an audit entry for every attempt."""
    now = timezone.now()
    failures = None
    sides = [(typist, PinGuard.Side.ENTERING)] + ([(approver, PinGuard.Side.OWN_PIN)] if approver else [])
    for member, side in sides if count else []:
        guard, _created = PinGuard.objects.select_for_update().get_or_create(membership=member, side=side)
        guard.failures += 1
        guard.last_failure_at = now
        if guard.failures >= PinGuard.MAX_FAILURES and guard.locked_at is None:
            guard.locked_at = now
            audit_record(
                store=typist.store,
                action="pin_locked",
                actor=typist.user,
                target=member,
                data={"side": side, "who": member.user.get_username(), "failures": guard.failures},
            )
        guard.retry_at = now + _pin_backoff(guard.failures)
        guard.save()
        if side == PinGuard.Side.ENTERING:
            failures = guard.failures
    audit_record(
        store=typist.store,
        action="pin_failed",
        actor=typist.user,
        target=typist,
        data={
            "perm": str(perm),
            "approver": approver.user.get_username() if approver else "",
            "reason": reason,
            "failures": failures,
        },
    )


@transaction.atomic
def pin_guard_unlock(*, guard: PinGuard, by) -> PinGuard:
    """A manager or owner lets the person (or the PIN) approve again; recorded in the audit trail."""
    guard = PinGuard.objects.select_for_update().get(pk=guard.pk)
    had = {"failures": guard.failures, "locked": guard.locked_at is not None, "side": guard.side}
    guard.failures, guard.retry_at, guard.locked_at = 0, None, None
    guard.save(update_fields=["failures", "retry_at", "locked_at"])
    audit_record(
        store=guard.membership.store, action="pin_unlocked", actor=by, target=guard.membership, data=had
    )
    return guard


def login_failure_record(*, username: str, request=None, locked: bool) -> None:
    """A wrong password (or the lock after too many) for a member: into the audit trail of each store
    the person belongs to, so the owner sees someone trying. Unknown names have no store to tell."""
    ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    for membership in Membership.objects.filter(user__username=username).select_related("store", "user"):
        audit_record(
            store=membership.store,
            action="login_locked" if locked else "login_failed",
            target=membership,
            data={"username": username, "ip": ip},
        )


def audit_record(
    *,
    store: Store,
    action: str,
    actor=None,
    approved_by=None,
    reason: str = "",
    target=None,
    data: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        store=store,
        action=action,
        actor=acting_user(actor),
        approved_by=approved_by,
        reason=reason,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


@transaction.atomic
def api_key_create(*, store: Store, name: str, scope: str, created_by) -> tuple[ApiKey, str]:
    """Creates a key and returns it with the raw secret, which is shown once and never stored.

    `scope` read or write: a key of `store`. `account`: the owner's account key (every store they own,
    opening new ones), made by an owner of `store`, where its creation is audited."""
    if scope not in ApiKey.Scope.values:
        raise DomainError("scope", "invalid", _("Scope must be read, write or account."))
    if not name.strip():
        raise DomainError("name", "required", _("Give the key a name."))
    account = scope == ApiKey.Scope.ACCOUNT
    if account:
        creator = membership_for(user=created_by, store=store) if created_by is not None else None
        if creator is None or creator.role != Role.OWNER:
            raise DomainError("scope", "owner_only", _("Only an owner may create an account key."))
    prefix, raw = ApiKey.generate()
    key = ApiKey.objects.create(
        store=None if account else store,
        owner=created_by if account else None,
        name=name.strip(),
        prefix=prefix,
        key_hash=ApiKey.hash(raw),
        scope=scope,
        created_by=created_by,
    )
    audit_record(store=store, action="api_key_created", actor=created_by, target=key, data={"scope": scope})
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, revoked_by, store: Store | None = None) -> ApiKey:
    """`store`: where an account key's revocation is audited (a store's key: its own store)."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(store=key.store or store, action="api_key_revoked", actor=revoked_by, target=key)
    return key


def api_keys_visible(*, store: Store, user) -> QuerySet[ApiKey]:
    """The keys an owner manages on a store's page: the store's own and their account keys."""
    return ApiKey.objects.filter(Q(store=store) | Q(scope=ApiKey.Scope.ACCOUNT, owner=user)).select_related(
        "created_by"
    )


def membership_set_pin(*, membership: Membership, pin: str) -> Membership:
    """6 to 8 digits: a million or more to guess, five tries before a lock."""
    if not (pin.isdigit() and 6 <= len(pin) <= 8):
        raise DomainError("pin", "invalid", _("A PIN is 6 to 8 digits."))
    membership.set_pin(pin)
    membership.save(update_fields=["pin_hash"])
    PinGuard.objects.filter(membership=membership, side=PinGuard.Side.OWN_PIN).update(
        failures=0, retry_at=None, locked_at=None
    )  # a new PIN is a fresh start for guesses against it
    audit_record(store=membership.store, action="pin_set", actor=membership.user, target=membership)
    return membership


# --- people: the first owner, invitations ------------------------------------------------------


SIGN_UP_LOCK = 180_001  # an arbitrary advisory lock id for the first owner's sign-up


def _check_new_user(*, username: str, password: str) -> None:
    User = get_user_model()
    username = username.strip()
    if not username:
        raise DomainError("username", "required", _("Choose a user name."))
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("username", "taken", _("That user name is taken."))
    try:
        password_validation.validate_password(password, User(username=username))
    except ValidationError as error:
        raise DomainError("password", "weak", " ".join(error.messages))


@transaction.atomic
def owner_sign_up(*, username: str, password: str) -> AbstractBaseUser:
    """The first person on an empty install. Everyone after joins by invitation."""
    User = get_user_model()
    # One sign-up at a time, so "no user yet" is true for only one of two racers (SQLite's IMMEDIATE
    # transactions already serialize writers).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SIGN_UP_LOCK])
    if User.objects.exists():
        raise DomainError("", "sign_up_closed", _("This install has an owner; ask them for an invitation."))
    _check_new_user(username=username, password=password)
    return User.objects.create_user(username=username.strip(), password=password)


def may_open_store(*, user: AbstractBaseUser) -> bool:
    """Owners open more stores; on a new install the first person (who owns nothing yet) opens the first."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, role=Role.OWNER).exists() or not Store.objects.exists()


@transaction.atomic
def invitation_create(*, store: Store, role: str, name: str = "", created_by) -> Invitation:
    if role not in Role.values:
        raise DomainError("role", "invalid", _("Choose a role."))
    inviter = membership_for(user=created_by, store=store)
    if inviter is None or not role_has(inviter.role, Perm.MANAGE_STAFF):
        raise DomainError("", "permission_denied", _("Your role may not do this."))
    if role == Role.OWNER and inviter.role != Role.OWNER:
        raise DomainError("role", "owner_only", _("Only an owner may invite another owner."))
    invitation = Invitation.objects.create(store=store, role=role, name=name.strip(), created_by=created_by)
    audit_record(
        store=store, action="invitation_created", actor=created_by, target=invitation, data={"role": role}
    )
    return invitation


def invitation_open(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("store").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise DomainError("token", "invalid_token", _("This invitation link is no longer valid."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str, pin: str = "") -> Membership:
    """Creates the person's account and membership; managers and owners also set their approval PIN."""
    invitation = invitation_open(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise DomainError("token", "invalid_token", _("This invitation link is no longer valid."))
    _check_new_user(username=username, password=password)
    needs_pin = invitation.role in (Role.OWNER, Role.MANAGER)
    if needs_pin and not pin:
        raise DomainError(
            "pin", "required", _("Managers and owners choose a PIN to approve voids and refunds.")
        )
    user = get_user_model().objects.create_user(username=username.strip(), password=password)
    membership = Membership.objects.create(user=user, store=invitation.store, role=invitation.role)
    if needs_pin:
        membership_set_pin(membership=membership, pin=pin)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(store=invitation.store, action="invitation_accepted", actor=user, target=invitation)
    events.invitation_accepted.send(sender=Invitation, invitation=invitation, membership=membership)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(store=invitation.store, action="invitation_revoked", actor=by, target=invitation)
    return invitation


# --- the store and its settings ----------------------------------------------------------------

STORE_FIELDS = {
    "name",
    "time_zone",
    "currency",
    "prices_include_tax",
    "service_charge_rate",
    "business_day_cutoff",
    "shortage_policy",
    "table_session_mode",
    "payment_timing",
}


def _check_store(store: Store) -> None:
    if not store.name.strip():
        raise DomainError("name", "required", _("Give the restaurant a name."))
    try:
        validate_time_zone(store.time_zone)
    except ValidationError as error:
        raise DomainError("time_zone", "invalid", error.messages[0])
    if not (len(store.currency) == 3 and store.currency.isalpha()):
        raise DomainError("currency", "invalid", _("A currency is a three-letter code such as USD or CNY."))
    store.currency = store.currency.upper()
    try:
        store.full_clean(exclude=["slug"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(field, "invalid", messages[0])


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "store"
    slug, n = base, 1
    while Store.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def store_create(*, owner, name: str, time_zone: str, currency: str, **fields) -> Store:
    """A new restaurant with `owner` as its owner."""
    if not may_open_store(user=owner):
        raise DomainError("", "permission_denied", _("Only an owner may open another store."))
    if set(fields) - STORE_FIELDS:
        raise DomainError(sorted(set(fields) - STORE_FIELDS)[0], "unknown_field", _("Unknown field."))
    store = Store(name=name.strip(), time_zone=time_zone, currency=currency.strip(), **fields)
    _check_store(store)
    store.slug = _unique_slug(store.name)
    store.save()
    Membership.objects.create(user=owner, store=store, role=Role.OWNER)
    audit_record(store=store, action="store_created", actor=owner, target=store)
    return store


@transaction.atomic
def store_update(*, store: Store, by, **fields) -> Store:
    if set(fields) - STORE_FIELDS:
        raise DomainError(sorted(set(fields) - STORE_FIELDS)[0], "unknown_field", _("Unknown field."))
    for name, value in fields.items():
        setattr(store, name, value.strip() if isinstance(value, str) else value)
    _check_store(store)
    store.save()
    audit_record(store=store, action="store_updated", actor=by, target=store, data={"fields": sorted(fields)})
    return store


@transaction.atomic
def tax_category_save(
    *, store: Store, name: str, rate: Decimal, tax_category: TaxCategory | None = None
) -> TaxCategory:
    """Creates a tax rate (or renames/re-rates `tax_category`). `rate` is a fraction: 0.08 for 8%."""
    name = name.strip()
    if not name:
        raise DomainError("name", "required", _("Give the tax a name, such as Food."))
    if not (Decimal("0") <= rate <= Decimal("1")):
        raise DomainError("rate", "out_of_range", _("A tax rate is between 0 and 100 percent."))
    dupes = TaxCategory.objects.filter(store=store, name__iexact=name)
    if tax_category is not None:
        dupes = dupes.exclude(pk=tax_category.pk)
    if dupes.exists():
        raise DomainError("name", "duplicate", _("A tax with this name exists."))
    tax_category = tax_category or TaxCategory(store=store)
    tax_category.name, tax_category.rate = name, rate.quantize(Decimal("0.0001"))
    tax_category.save()
    return tax_category


@transaction.atomic
def tax_category_delete(*, tax_category: TaxCategory) -> None:
    try:
        with transaction.atomic():
            tax_category.delete()
    except IntegrityError:
        raise DomainError("tax_category", "in_use", _("Menu items use this tax; move them first."))


@transaction.atomic
def opening_hours_replace(*, store: Store, spans: list[tuple[int, dt.time, dt.time]]) -> list[OpeningHours]:
    """The week's opening hours: one (weekday 0=Monday, opens, closes) per span; a day without a span
    is closed. `closes` at or before `opens` passes midnight."""
    errors = []
    for index, (weekday, opens, closes) in enumerate(spans):
        if weekday not in range(7):
            errors.append(
                DomainError(f"spans[{index}].weekday", "invalid", _("A weekday is 0 (Monday) to 6."))
            )
        elif opens == closes:
            errors.append(
                DomainError(f"spans[{index}].closes", "invalid", _("Closing time equals opening time."))
            )
    if errors:
        raise DomainErrors(errors)
    OpeningHours.objects.filter(store=store).delete()
    return OpeningHours.objects.bulk_create(
        OpeningHours(store=store, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in spans
    )


@transaction.atomic
def opening_hours_span_save(
    *, store: Store, weekday: int, opens: dt.time, closes: dt.time, span: OpeningHours | None = None
) -> OpeningHours:
    """One opening span added (or `span` changed): the API's way to edit a week span by span, under
    the same rules as `opening_hours_replace`; two spans of one day may not overlap."""
    if weekday not in range(7):
        raise DomainError("weekday", "invalid", _("A weekday is 0 (Monday) to 6."))
    if opens == closes:
        raise DomainError("closes", "invalid", _("Closing time equals opening time."))

    def minutes(start: dt.time, end: dt.time) -> tuple[int, int]:
        first = start.hour * 60 + start.minute
        last = end.hour * 60 + end.minute
        return first, last if last > first else last + 24 * 60

    new = minutes(opens, closes)
    others = OpeningHours.objects.filter(store=store, weekday=weekday)
    if span is not None:
        others = others.exclude(pk=span.pk)
    for other in others:
        old = minutes(other.opens, other.closes)
        if new[0] < old[1] and old[0] < new[1]:
            raise DomainError(
                "opens", "overlap", _("This overlaps %(span)s on the same day.") % {"span": str(other)}
            )
    span = span or OpeningHours(store=store)
    span.weekday, span.opens, span.closes = weekday, opens, closes
    span.save()
    return span


def opening_hours_span_delete(*, span: OpeningHours) -> None:
    span.delete()


@transaction.atomic
def daypart_save(
    *, store: Store, name: str, starts: dt.time, ends: dt.time, daypart: Daypart | None = None
) -> Daypart:
    """A daypart (lunch, dinner, ...) the analyses group sales by; one of each name per store."""
    if name not in Daypart.Name.values:
        raise DomainError("name", "invalid_choice", _("Choose breakfast, lunch, afternoon, dinner or late."))
    if starts == ends:
        raise DomainError("ends", "invalid", _("A daypart ends at another time than it starts."))
    dupes = Daypart.objects.filter(store=store, name=name)
    if daypart is not None:
        dupes = dupes.exclude(pk=daypart.pk)
    if dupes.exists():
        raise DomainError("name", "duplicate", _("This store already has this daypart."))
    daypart = daypart or Daypart(store=store)
    daypart.name, daypart.starts, daypart.ends = name, starts, ends
    daypart.save()
    return daypart


def daypart_delete(*, daypart: Daypart) -> None:
    daypart.delete()
