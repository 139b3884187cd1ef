from rest_framework import permissions

from restaurant_ops.models import ApiKey


class HasStoreAccess(permissions.BasePermission):
    """A logged-in member of some store, or an active API key; writes need a write-scoped key.

    Which objects a caller sees is decided by `scoping.accessible_stores`; what a user's role may
    do is decided by the service (`restaurant_ops.services.authorize`)."""

    message = "Authenticate with an API key or a session."

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            if request.method in permissions.SAFE_METHODS:
                return True
            self.message = "This API key is read-only; create a write-scoped key to change data."
            return request.auth.allows_write()
        return bool(request.user and request.user.is_authenticated)
