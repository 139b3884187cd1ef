"""Who may do what: memberships, permission checks with a manager's PIN standing in (guessing limited
by PinGuard, every failure audited), failed logins into the audit trail, approval PINs, API keys."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import DomainError
from ..models import ApiKey, Membership, PinGuard, Role, Store
from ..permissions import APPROVABLE, Perm, role_has
from .audit import audit_record


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
