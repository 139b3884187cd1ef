"""The audit trail and who is recorded as having done something."""

from django.contrib.auth.models import AbstractBaseUser

from ..models import AuditEntry, Store


def acting_user(user) -> AbstractBaseUser | None:
    """Who did it, as the records keep it: a signed-in person, or None (an API key, a guest)."""
    return user if user is not None and user.is_authenticated else None


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
