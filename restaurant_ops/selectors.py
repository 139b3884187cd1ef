from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import AuditEntry, Membership, PinGuard, Role, Store
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


def setup_checklist(*, store: Store) -> list[dict]:
    """How far the set-up got, step by step, for the set-up's last page. Counted through the store's
    reverse relations, so this app imports none of the apps that own them."""
    counts = [
        ("taxes", store.tax_categories.count()),
        ("hours", store.opening_hours.count()),
        ("tables", store.tables.filter(is_active=True).count()),
        ("menu", store.menu_items.filter(is_active=True).count()),
        ("stations", store.stations.count()),
        ("ingredients", store.ingredients.count()),
        ("recipes", store.recipe_lines.values("menu_item").distinct().count()),
        ("staff", store.invitations.count()),
    ]
    return [{"key": key, "count": count} for key, count in counts]


def pin_guards(*, store: Store) -> QuerySet[PinGuard]:
    """Who typed wrong PINs (or whose PIN was tried) and is not back to zero: locked ones first."""
    return (
        PinGuard.objects.filter(membership__store=store)
        .exclude(failures=0, locked_at=None)
        .select_related("membership__user")
        .order_by("locked_at", "-failures", "-last_failure_at")
    )


def pin_alerts(*, store: Store) -> list[PinGuard]:
    """What the owner's home page raises: repeated wrong PINs (PinGuard.ALERT_AFTER or more) or a lock."""
    return [g for g in pin_guards(store=store) if g.locked_at or g.failures >= PinGuard.ALERT_AFTER]


def pin_approvers(*, store: Store) -> QuerySet[Membership]:
    """Who a till can name to approve a void, comp, discount or refund: the store's managers and
    owners who have set an approval PIN, by name."""
    return (
        Membership.objects.filter(store=store, role__in=[Role.OWNER, Role.MANAGER])
        .exclude(pin_hash="")
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )
