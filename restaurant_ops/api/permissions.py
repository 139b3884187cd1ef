from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import permissions

from restaurant_ops.models import ApiKey, Membership
from restaurant_ops.permissions import roles_with


class HasStoreAccess(permissions.BasePermission):
    """A logged-in member of some store, or an active API key; writes need a write-scoped key.

    Reads check the role as the pages do: a view's `read_perm` (e.g. Perm.SEE_COSTS) refuses a GET
    with 403 to a user whose role has it in no store, and limits `scoping.accessible_stores` to the
    stores where it has it. What a role may write is decided by the service (`authorize`)."""

    message = "Authenticate with an API key or a session."

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            if request.method in permissions.SAFE_METHODS:
                return True
            self.message = "This API key is read-only; create a write-scoped key to change data."
            return request.auth.allows_write()
        if not (request.user and request.user.is_authenticated):
            return False
        perm = getattr(view, "read_perm", None)
        if perm is None or request.method not in permissions.SAFE_METHODS:
            return True
        request.read_perm = perm
        self.message = _("Your role may not do this.")
        return Membership.objects.filter(user=request.user, role__in=roles_with(perm)).exists()


class ApiDocsAccess(HasStoreAccess):
    """The API's map: public on a laptop demo; in production only a logged-in member or an API key reads
    it. Decided per request (not when the URLs are imported), so the setting can change under a test."""

    def has_permission(self, request, view):
        return not settings.PRODUCTION or super().has_permission(request, view)
