import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from restaurant_ops import db
from restaurant_ops.models import ApiKey, Store
from restaurant_ops.timeutils import use_store_time


# The key with its store and owner, as `select_related("store", "owner")` would read it. Written out
# because every API request runs it: the ORM built and compiled this three-table query on each one, at
# about a tenth of an API order's web CPU.
@functools.cache
def _key_sql() -> str:
    user = get_user_model()
    return (
        f"SELECT {db.columns(ApiKey, 'k')}, {db.columns(Store, 's')}, {db.columns(user, 'u')} "
        f"FROM {ApiKey._meta.db_table} k "
        f"LEFT JOIN {Store._meta.db_table} s ON s.id = k.store_id "
        f"LEFT JOIN {user._meta.db_table} u ON u.id = k.owner_id "
        "WHERE k.prefix = %s"
    )


def _key(prefix: str) -> ApiKey | None:
    with connection.cursor() as cursor:
        cursor.execute(_key_sql(), [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    key = db.instance(ApiKey, row)
    store_at = db.width(ApiKey)
    key.store = db.instance(Store, row, store_at)
    key.owner = db.instance(get_user_model(), row, store_at + db.width(Store))
    return key


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
        key = _key(prefix)
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
