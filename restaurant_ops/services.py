"""Writes for stores, people, API keys and the audit trail."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import ApiKey, AuditEntry, Membership, Role, Store
from .permissions import APPROVABLE, Perm, role_has


class PermissionRefused(DomainError):
    status_code = 403


def membership_for(*, user: AbstractBaseUser, store: Store) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, store=store).first()


def authorize(
    *,
    user: AbstractBaseUser,
    store: Store,
    perm: Perm,
    approver_pin: str | None = None,
    field: str = "approver_pin",
):
    """Checks `perm` for `user` at `store`. A cashier without the permission may act with a manager's
    PIN for the approvable actions: returns the approving user (None when no approval was needed)."""
    membership = membership_for(user=user, store=store)
    if membership and role_has(membership.role, perm):
        return None
    if perm in APPROVABLE and approver_pin:
        approvers = Membership.objects.filter(
            store=store, role__in=[Role.OWNER, Role.MANAGER]
        ).select_related("user")
        for approver in approvers:
            if role_has(approver.role, perm) and approver.check_pin(approver_pin):
                return approver.user
        raise PermissionRefused(
            field, "invalid_pin", _("That PIN does not belong to a manager of this store.")
        )
    if perm in APPROVABLE:
        raise PermissionRefused(field, "approval_required", _("This needs a manager's approval (PIN)."))
    raise PermissionRefused("", "permission_denied", _("Your role may not do this."))


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
        actor=actor if actor is not None and actor.is_authenticated else None,
        approved_by=approved_by,
        reason=reason,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


@transaction.atomic
def api_key_create(*, store: Store, name: str, scope: str, created_by) -> tuple[ApiKey, str]:
    """Creates a key and returns it with the raw secret, which is shown once and never stored."""
    if scope not in ApiKey.Scope.values:
        raise DomainError("scope", "invalid", _("Scope must be read or write."))
    if not name.strip():
        raise DomainError("name", "required", _("Give the key a name."))
    prefix, raw = ApiKey.generate()
    key = ApiKey.objects.create(
        store=store,
        name=name.strip(),
        prefix=prefix,
        key_hash=ApiKey.hash(raw),
        scope=scope,
        created_by=created_by,
    )
    audit_record(store=store, action="api_key_created", actor=created_by, target=key, data={"scope": scope})
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, revoked_by) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(store=key.store, action="api_key_revoked", actor=revoked_by, target=key)
    return key


def membership_set_pin(*, membership: Membership, pin: str) -> Membership:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise DomainError("pin", "invalid", _("A PIN is 4 to 8 digits."))
    membership.set_pin(pin)
    membership.save(update_fields=["pin_hash"])
    return membership
