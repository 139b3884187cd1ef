from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import AuditEntry, Membership, Store
from .permissions import Perm, role_has


def store_for_user(
    *, user: AbstractBaseUser, slug: str, perm: Perm | None = None
) -> tuple[Store, Membership]:
    """The store a page is about, 404 when the user is not a member (never revealing it exists),
    403 (PermissionDenied) when the member's role lacks `perm`."""
    membership = get_object_or_404(Membership.objects.select_related("store"), user=user, store__slug=slug)
    if perm is not None and not role_has(membership.role, perm):
        raise PermissionDenied
    return membership.store, membership


def audit_entries(*, store: Store) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(store=store).select_related("actor", "approved_by")
