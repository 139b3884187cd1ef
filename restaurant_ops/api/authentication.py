from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from restaurant_ops.models import ApiKey
from restaurant_ops.timeutils import use_store_time


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`: a store integration's key, or an owner's account key
    (not a user's session token).

    The request runs as an anonymous user with `request.auth` set to the ApiKey; scoping and
    write permission read it from there."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(self.keyword + " "):
            return None
        raw = header[len(self.keyword) + 1 :].strip()
        prefix = raw.split(".", 1)[0]
        key = ApiKey.objects.select_related("store", "owner").filter(prefix=prefix).first()
        if key is None or key.key_hash != ApiKey.hash(raw):
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        if key.is_account and not key.owner.is_active:
            raise exceptions.AuthenticationFailed(_("This API key's owner can no longer sign in."))
        if key.store is not None:
            use_store_time(key.store.time_zone)  # a store's key reads and writes in its store's time
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return self.keyword
